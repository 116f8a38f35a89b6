"""Build templates/tong_ket.docx, the Word template of the period review (sơ kết / tổng kết).

ONE-TIME BOOTSTRAP, like scripts/make_templates.py (whose NĐ 30 helpers it reuses): the committed
.docx is the source of truth afterwards; the office may keep its own copy in ``inputs/templates/``.
The sentences come from ``phrasebook_review.yaml``; every table with a variable number of columns
(years) uses docxtpl column loops and is fitted by ``pipeline.review`` after filling.

    python scripts/make_review_template.py
"""

from __future__ import annotations

import sys
from pathlib import Path

from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Mm

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT))
import make_templates as mt  # noqa: E402
from pipeline.atomic_files import normalise_zip  # noqa: E402


def grid_table(doc, var: str, first_width: float, width_total: float = mt.TEXT_WIDTH_MM):
    """A table with one fixed first column and as many further columns as ``var.columns``.

    Header: ``var.head`` then ``var.columns``; rows: ``r.name`` then ``r.cells``. The last row may
    be a total (``r.total``); widths are fitted after filling (pipeline.review).
    """
    t = doc.add_table(rows=4, cols=4)
    t.style = "Table Grid"
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    col_w = (width_total - first_width) / 3
    mt.fixed_widths(t, [first_width, col_w, col_w, col_w])
    mt.header_row(t.rows[0])
    h = t.rows[0].cells
    small, head = "XH Bang nho", "XH Bang nho dau"
    mt.cell_text(h[0], "{{ " + var + ".head }}", style=head)
    mt.cell_text(h[1], "{%tc for c in " + var + ".columns %}", style=head)
    mt.cell_text(h[2], "{{ c }}", style=head)
    mt.cell_text(h[3], "{%tc endfor %}", style=head)
    mt.cell_text(t.rows[1].cells[0], "{%tr for r in " + var + ".rows %}")
    r = t.rows[2].cells
    mt.cell_text(r[0], "{{ r.name }}", style=small, align=WD_ALIGN_PARAGRAPH.LEFT)
    mt.cell_text(r[1], "{%tc for v in r.cells %}", style=small)
    mt.cell_text(r[2], "{{ v }}", style=small)
    mt.cell_text(r[3], "{%tc endfor %}", style=small)
    mt.cant_split(t.rows[2])
    mt.cell_text(t.rows[3].cells[0], "{%tr endfor %}")
    return t


def caption(doc, expr: str):
    p = mt.para(doc, expr, style="XH Chu thich")
    p.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.paragraph_format.keep_with_next = True
    return p


def tong_ket():
    doc = mt.base_document()
    if doc.paragraphs:
        doc.paragraphs[0]._p.getparent().remove(doc.paragraphs[0]._p)
    mt.header_block(doc, "BC")
    mt.para(doc, "BÁO CÁO", style="XH Ten loai")
    mt.para(doc, "{{ subject }}", style="XH Trich yeu")
    mt.rule(doc, 50, mt.TEXT_WIDTH_MM)
    mt.kinh_gui(doc)
    mt.each(doc, "intro")

    mt.para(doc, "I. CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH", style="XH Muc")
    mt.each(doc, "direction")
    caption(doc, "{{ reporting.caption }}")
    grid_table(doc, "reporting", 22)

    mt.para(doc, "II. KẾT QUẢ THỰC HIỆN CÁC MỤC TIÊU", style="XH Muc")
    mt.para(doc, "{{ targets_intro }}")
    mt.para(doc, "{%p for g in groups %}")
    mt.para(doc, "{{ g.heading }}", style="XH Tieu muc")
    caption(doc, "{{ g.table.caption }}")
    grid_table(doc, "g.table", 44)
    mt.para(doc, "{%p if g.table.note %}")
    mt.para(doc, "{{ g.table.note }}")  # the abbreviations of the table's short labels (a body paragraph)
    mt.para(doc, "{%p endif %}")
    mt.each(doc, "g.sentences")
    mt.para(doc, "{%p if g.chart %}")
    p = mt.para(doc, "{{ g.chart }}", align=WD_ALIGN_PARAGRAPH.CENTER, indent=Mm(0), keep_next=True)
    p.paragraph_format.space_before = mt.Pt(6)
    p = mt.para(doc, "{{ g.chart_caption }}", style="XH Chu thich")
    p.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    mt.para(doc, "{%p endif %}")
    mt.para(doc, "{%p endfor %}")

    mt.para(doc, "III. KẾT QUẢ THỰC HIỆN CÁC NHIỆM VỤ, GIẢI PHÁP", style="XH Muc")
    mt.para(doc, "{{ tasks_intro }}")
    mt.para(doc, "{%p for t in tasks %}")
    mt.para(doc, "{{ t.heading }}", style="XH Tieu muc")
    mt.para(doc, "{%p if t.table %}")
    grid_table(doc, "t.table", 56)
    mt.para(doc, "{%p endif %}")
    mt.each(doc, "t.sentences")
    mt.para(doc, "{%p endfor %}")

    mt.para(doc, "IV. KINH PHÍ THỰC HIỆN", style="XH Muc")
    mt.each(doc, "funding")
    mt.para(doc, "{%p if funding_table %}")
    grid_table(doc, "funding_table", 30)
    mt.para(doc, "{%p endif %}")

    mt.para(doc, "V. ĐÁNH GIÁ CHUNG", style="XH Muc")
    mt.para(doc, "1. Kết quả đạt được", style="XH Tieu muc")
    mt.each(doc, "assessment.results")
    mt.para(doc, "2. Tồn tại, hạn chế", style="XH Tieu muc")
    mt.each(doc, "assessment.limits")
    mt.para(doc, "3. Nguyên nhân", style="XH Tieu muc")
    mt.each(doc, "assessment.causes")
    mt.para(doc, "4. Bài học kinh nghiệm", style="XH Tieu muc")
    mt.each(doc, "assessment.lessons")

    mt.para(doc, "{{ directions_heading }}", style="XH Muc")
    mt.each(doc, "directions")

    mt.para(doc, "VII. ĐỀ XUẤT, KIẾN NGHỊ", style="XH Muc")
    mt.each(doc, "proposals")
    mt.para(doc, "{{ closing }}")
    mt.signature_block(doc)

    mt.new_section(doc, landscape=True)
    mt.bieu_tables(doc, "Báo cáo")
    doc.core_properties.title = "Báo cáo sơ kết, tổng kết xây dựng xã hội học tập"
    return doc


def main() -> int:
    path = ROOT / "templates" / "tong_ket.docx"
    tong_ket().save(path)
    normalise_zip(path)
    print(f"wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
