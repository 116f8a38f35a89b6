"""Build the Word templates in templates/ (docxtpl: Word documents with Jinja tags).

ONE-TIME BOOTSTRAP. The committed .docx files are the source of truth (the office's own copies go in
``inputs/templates/``; the packaged ones in ``templates/`` are the fallback): the office opens them in
Word and changes wording, spacing or layout; the sentences themselves come from ``inputs/phrasebook.yaml``.
This script made the first version of each template with the Nghị định 30/2020 layout (A4, margins 20/20/30/15 mm, Times New Roman, the
two-column header, page numbers centred at the top from page 2, appendices in their own sections).
Run it again only to start over:

    python scripts/make_templates.py
"""

from __future__ import annotations

import sys
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, Twips

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from pipeline.atomic_files import normalise_zip  # noqa: E402

FONT = "Times New Roman"
TEXT_WIDTH_MM = 165  # A4 210 mm - left 30 - right 15
LANDSCAPE_WIDTH_MM = 252  # 297 - 30 - 15


# ------------------------------------------------------------------------------------ helpers
def set_fonts(rpr_owner, size=None, bold=None, italic=None):
    """Set Times New Roman for every script (ascii, hAnsi, cs, eastAsia) on a style or run."""
    font = rpr_owner.font
    font.name = FONT
    rpr = rpr_owner.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), FONT)
    if size is not None:
        font.size = Pt(size)
        szcs = rpr.find(qn("w:szCs"))
        if szcs is None:
            szcs = OxmlElement("w:szCs")
            rpr.append(szcs)
        szcs.set(qn("w:val"), str(int(size * 2)))
    if bold is not None:
        font.bold = bold
    if italic is not None:
        font.italic = italic


def para(container, text="", style=None, size=None, bold=None, italic=None, align=None,
         indent=None, before=None, after=None, keep_next=False):
    p = container.add_paragraph(style=style)
    if text:
        run = p.add_run(text)
        if size or bold is not None or italic is not None:
            set_fonts(run, size, bold, italic)
    pf = p.paragraph_format
    if align is not None:
        pf.alignment = align
    if indent is not None:
        pf.first_line_indent = indent
    if before is not None:
        pf.space_before = Pt(before)
    if after is not None:
        pf.space_after = Pt(after)
    if keep_next:
        pf.keep_with_next = True
    return p


def each(doc, items, style=None):
    """One paragraph per item of the list ``items`` (docxtpl paragraph loop)."""
    para(doc, "{%p for s in " + items + " %}")
    para(doc, "{{ s }}", style=style)
    para(doc, "{%p endfor %}")


def each_labelled(doc, items):
    """Like :func:`each`; an item given as {"label": …} (``a) Title:``) is set in "XH Diem", kept with the next line."""
    para(doc, "{%p for s in " + items + " %}")
    para(doc, "{%p if s.label is defined %}")
    para(doc, "{{ s.label }}", style="XH Diem")
    para(doc, "{%p else %}")
    para(doc, "{{ s }}")
    para(doc, "{%p endif %}")
    para(doc, "{%p endfor %}")


def rule(container, width_mm, box_mm, size=1):
    """A centred solid line ``width_mm`` long inside a box ``box_mm`` wide (a bordered empty paragraph)."""
    p = container.add_paragraph(style="XH Dong")
    p.paragraph_format.space_before = Pt(3)
    side = Mm(max(0.0, (box_mm - width_mm) / 2))
    p.paragraph_format.left_indent = side
    p.paragraph_format.right_indent = side
    ppr = p._p.get_or_add_pPr()
    bdr = OxmlElement("w:pBdr")
    top = OxmlElement("w:top")
    for k, v in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
        top.set(qn(k), v)
    bdr.append(top)
    ppr.append(bdr)
    return p


def borderless(table):
    tbl_pr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        e = OxmlElement(f"w:{edge}")
        e.set(qn("w:val"), "nil")
        borders.append(e)
    tbl_pr.append(borders)


def fixed_widths(table, widths_mm):
    table.autofit = False
    tbl_pr = table._tbl.tblPr
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    tbl_pr.append(layout)
    for row in table.rows:
        for cell, w in zip(row.cells, widths_mm):
            cell.width = Mm(w)
    grid = table._tbl.tblGrid
    for col, w in zip(grid.findall(qn("w:gridCol")), widths_mm):
        col.set(qn("w:w"), str(int(Mm(w).twips)))


def no_side_margins(table):
    mar = OxmlElement("w:tblCellMar")
    for side in ("left", "right"):
        e = OxmlElement(f"w:{side}")
        e.set(qn("w:w"), "0")
        e.set(qn("w:type"), "dxa")
        mar.append(e)
    table._tbl.tblPr.append(mar)


def indent_table(table, mm):
    ind = OxmlElement("w:tblInd")
    ind.set(qn("w:w"), str(int(Mm(mm).twips)))
    ind.set(qn("w:type"), "dxa")
    table._tbl.tblPr.append(ind)


def header_row(row):
    """Repeat this row at the top of every page."""
    tr_pr = row._tr.get_or_add_trPr()
    h = OxmlElement("w:tblHeader")
    h.set(qn("w:val"), "true")
    tr_pr.append(h)


def cant_split(row):
    tr_pr = row._tr.get_or_add_trPr()
    tr_pr.append(OxmlElement("w:cantSplit"))


def cell_text(cell, text, style="XH Bang", bold=False, align=None):
    p = cell.paragraphs[0]
    p.style = style
    run = p.add_run(text)
    if bold:
        run.bold = True
    if align is not None:
        p.alignment = align
    return p


def page_number_header(section, size=14):
    """Centred PAGE field in the header; page 1 of the section shows nothing (titlePg)."""
    section.different_first_page_header_footer = True
    header = section.header
    header.is_linked_to_previous = False
    p = header.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.style = "XH Bang"
    run = p.add_run()
    set_fonts(run, size)
    for kind, text in (("begin", None), (None, " PAGE "), ("end", None)):
        if kind:
            fc = OxmlElement("w:fldChar")
            fc.set(qn("w:fldCharType"), kind)
            run._r.append(fc)
        else:
            it = OxmlElement("w:instrText")
            it.set(qn("xml:space"), "preserve")
            it.text = text
            run._r.append(it)
    section.first_page_header.is_linked_to_previous = False


def restart_numbering(section):
    sect_pr = section._sectPr
    pg = sect_pr.find(qn("w:pgNumType"))
    if pg is None:
        pg = OxmlElement("w:pgNumType")
        sect_pr.append(pg)
    pg.set(qn("w:start"), "1")


def a4(section, landscape=False):
    if landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = Mm(297), Mm(210)
    else:
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = Mm(210), Mm(297)
    # whole twips, rounded up, so 15 mm stays >= 15 mm after Word's twip rounding
    section.top_margin = Twips(1134)     # 20 mm
    section.bottom_margin = Twips(1134)  # 20 mm
    section.left_margin = Twips(1701)    # 30 mm
    section.right_margin = Twips(851)    # 15 mm
    section.header_distance = Twips(567)  # 10 mm
    section.footer_distance = Twips(567)


def styles(doc):
    st = doc.styles
    normal = st["Normal"]
    set_fonts(normal, 14)
    pf = normal.paragraph_format
    pf.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    pf.first_line_indent = Mm(10)
    pf.space_before = Pt(6)
    pf.space_after = Pt(0)
    pf.line_spacing = 1.15
    pf.widow_control = True

    def add(name, base="Normal", size=None, bold=None, italic=None, align=None, indent=None,
            before=None, after=None, line=None, keep_next=False):
        s = st.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        s.base_style = st[base]
        set_fonts(s, size, bold, italic)
        f = s.paragraph_format
        if align is not None:
            f.alignment = align
        if indent is not None:
            f.first_line_indent = indent
        if before is not None:
            f.space_before = Pt(before)
        if after is not None:
            f.space_after = Pt(after)
        if line is not None:
            f.line_spacing = line
        if keep_next:
            f.keep_with_next = True
        return s

    center = WD_ALIGN_PARAGRAPH.CENTER
    add("XH Muc", bold=True, keep_next=True)                       # I. TITLE
    add("XH Can cu", italic=True)
    add("XH Vv", size=12, align=WD_ALIGN_PARAGRAPH.CENTER, indent=Mm(0), before=6, line=1.0)                                  # căn cứ lines (NĐ 30: italic)
    add("XH Tieu muc", bold=True, keep_next=True)                  # 1. Title
    add("XH Diem", italic=True, keep_next=True)                    # a) Title
    add("XH Dau", size=13, line=1.0, before=0, after=0, indent=Mm(0), align=center)  # header block
    add("XH Ten loai", size=14, bold=True, align=center, indent=Mm(0), before=12, keep_next=True)
    add("XH Trich yeu", size=14, bold=True, align=center, indent=Mm(0), before=0, line=1.0, keep_next=True)
    add("XH Dong", size=1, indent=Mm(0), before=0, after=0, line=1.0, keep_next=True)
    add("XH Kinh gui", size=14, align=center, indent=Mm(0), before=6, after=6)
    add("XH Bang", size=12, align=WD_ALIGN_PARAGRAPH.LEFT, indent=Mm(0), before=2, after=2, line=1.0)
    add("XH Bang nho dau", size=8, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, indent=Mm(0), before=1, after=1,
        line=1.0)
    add("XH Bang nho", size=10, align=WD_ALIGN_PARAGRAPH.CENTER, indent=Mm(0), before=1, after=1, line=1.0)
    add("XH Bang dau", size=12, bold=True, align=center, indent=Mm(0), before=2, after=2, line=1.0)
    add("XH Noi nhan", size=12, bold=True, italic=True, align=WD_ALIGN_PARAGRAPH.LEFT, indent=Mm(0), before=6,
        line=1.0)
    add("XH Noi nhan muc", size=11, align=WD_ALIGN_PARAGRAPH.LEFT, indent=Mm(0), before=0, line=1.0)
    add("XH Ky", size=14, bold=True, align=center, indent=Mm(0), before=0, line=1.0)
    add("XH Phu luc", size=14, bold=True, align=center, indent=Mm(0), before=0, line=1.0, keep_next=True)
    add("XH Phu luc ghi chu", size=13, italic=True, align=center, indent=Mm(0), before=0, line=1.0, keep_next=True)
    add("XH Chu thich", size=12, italic=True, indent=Mm(0), before=6, line=1.0)
    s = add("XH Du thao", size=13, bold=True, align=center, indent=Mm(0), before=0, after=6, line=1.0)
    box = (TEXT_WIDTH_MM - 34) / 2  # a box 34 mm wide in the middle of the text width
    s.paragraph_format.left_indent = Mm(box)
    s.paragraph_format.right_indent = Mm(box)
    bdr = OxmlElement("w:pBdr")
    for side in ("top", "left", "bottom", "right"):
        b = OxmlElement(f"w:{side}")
        for k, v in (("w:val", "single"), ("w:sz", "8"), ("w:space", "1"), ("w:color", "000000")):
            b.set(qn(k), v)
        bdr.append(b)
    ppr = s.element.get_or_add_pPr()
    before = {qn("w:" + t) for t in ("pStyle", "keepNext", "keepLines", "pageBreakBefore", "framePr", "widowControl",
                                      "numPr", "suppressLineNumbers")}
    after_el = next((c for c in ppr if c.tag not in before), None)  # pBdr's place in the schema's order
    if after_el is None:
        ppr.append(bdr)
    else:
        after_el.addprevious(bdr)


def header_block(doc, type_abbr, letter=False, parent=True):
    """The NĐ 30 header: a borderless 2x2 table so the Số line sits level with the date line."""
    left, right = 80, 92  # the issuing body's name on one line; 7 mm wider than the text, shifted left
    t = doc.add_table(rows=2, cols=2)
    borderless(t)
    fixed_widths(t, [left, right])
    no_side_margins(t)
    indent_table(t, -5)
    a, b = t.rows[0].cells
    p = a.paragraphs[0]
    p.style = "XH Dau"
    if parent:
        set_fonts(p.add_run("{{ office.parent }}"), 13, bold=False)
        para(a, "{{ office.name }}", style="XH Dau", size=13, bold=True)
    else:  # UBND huyện: no cơ quan chủ quản line
        set_fonts(p.add_run("{{ office.name }}"), 13, bold=True)
    rule(a, 26, left)
    p = b.paragraphs[0]
    p.style = "XH Dau"
    set_fonts(p.add_run("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"), 12, bold=True)
    para(b, "Độc lập - Tự do - Hạnh phúc", style="XH Dau", size=13, bold=True)
    rule(b, 57, right)
    a, b = t.rows[1].cells
    p = a.paragraphs[0]
    p.style = "XH Dau"
    p.paragraph_format.space_before = Pt(6)
    if letter:  # công văn: no type abbreviation; "V/v …" under the number (NĐ 30, box 5b)
        set_fonts(p.add_run("Số: {{ number }}/{{ office.abbreviation }}-{{ office.drafting_unit }}"), 13)
        para(a, "{{ subject }}", style="XH Vv")
    else:
        set_fonts(p.add_run("Số: {{ number }}/{{ symbol }}"), 13)
    p = b.paragraphs[0]
    p.style = "XH Dau"
    p.paragraph_format.space_before = Pt(6)
    set_fonts(p.add_run("{{ date_line }}"), 14, italic=True)
    return t


def signature_block(doc):
    t = doc.add_table(rows=1, cols=2)
    borderless(t)
    fixed_widths(t, [63, TEXT_WIDTH_MM - 63])
    cant_split(t.rows[0])  # Nơi nhận and the signature stay on one page
    a, b = t.rows[0].cells
    p = a.paragraphs[0]
    p.style = "XH Noi nhan"
    p.add_run("Nơi nhận:")
    para(a, "{%p for r in recipients %}", style="XH Noi nhan muc")
    para(a, "{{ r }}", style="XH Noi nhan muc")
    para(a, "{%p endfor %}", style="XH Noi nhan muc")
    p = b.paragraphs[0]
    p.style = "XH Ky"
    p.paragraph_format.space_before = Pt(6)
    p.add_run("{{ signer.authority }}")
    para(b, "{{ signer.title }}", style="XH Ky")
    for _ in range(4):
        para(b, "", style="XH Ky")
    para(b, "{{ signer.name }}", style="XH Ky")
    return t


def data_table(doc, heads, cells, widths, loop, keep_together=False):
    """A bordered table: a repeated header row and one looped row ``{%tr for ... %}``.

    ``keep_together``: every row is kept with the next (a short table of results moves to the next page whole
    instead of leaving one row behind; a table longer than a page still breaks, with its header repeated)."""
    t = doc.add_table(rows=4, cols=len(heads))
    t.style = "Table Grid"
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    fixed_widths(t, widths)
    header_row(t.rows[0])
    for c, h in zip(t.rows[0].cells, heads):
        cell_text(c, h, style="XH Bang dau")
    cell_text(t.rows[1].cells[0], "{%tr for " + loop + " %}")
    for c, (text, align) in zip(t.rows[2].cells, cells):
        cell_text(c, text, align=align)
    cant_split(t.rows[2])
    cell_text(t.rows[3].cells[0], "{%tr endfor %}")
    if keep_together:
        for row in (t.rows[0], t.rows[2]):
            for c in row.cells:
                for cp in c.paragraphs:
                    cp.paragraph_format.keep_with_next = True
    return t


def matrix_table(doc, loop_rows, widths_fixed, width_total):
    """Unit x indicator table with a dynamic number of columns (docxtpl {%tc %})."""
    t = doc.add_table(rows=4, cols=5)
    t.style = "Table Grid"
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    col_w = (width_total - sum(widths_fixed)) / 3
    fixed_widths(t, widths_fixed + [col_w, col_w, col_w])
    header_row(t.rows[0])
    h = t.rows[0].cells
    small, head = "XH Bang nho", "XH Bang nho dau"
    cell_text(h[0], "STT", style=head)
    cell_text(h[1], "Đơn vị", style=head)
    cell_text(h[2], "{%tc for c in m.columns %}", style=head)
    cell_text(h[3], "{{ c }}", style=head)
    cell_text(h[4], "{%tc endfor %}", style=head)
    cell_text(t.rows[1].cells[0], "{%tr for r in " + loop_rows + " %}")
    r = t.rows[2].cells
    cell_text(r[0], "{{ r.no }}", style=small)
    cell_text(r[1], "{{ r.name }}", style=small, align=WD_ALIGN_PARAGRAPH.LEFT)
    cell_text(r[2], "{%tc for v in r.cells %}", style=small)
    cell_text(r[3], "{{ v }}", style=small)
    cell_text(r[4], "{%tc endfor %}", style=small)
    cant_split(t.rows[2])
    cell_text(t.rows[3].cells[0], "{%tr endfor %}")
    return t


def appendix_heading(doc, label_expr, title_expr, type_name, width=LANDSCAPE_WIDTH_MM):
    """NĐ 30 appendix heading: label, title, "(Kèm theo … số …/… ngày … của …)", a short line."""
    label = para(doc, label_expr, style="XH Phu luc")
    label.paragraph_format.page_break_before = True  # each biểu starts on its own page
    para(doc, title_expr, style="XH Phu luc")
    para(doc, "(Kèm theo " + type_name + " số {{ number }}/{{ symbol }} "
         "{{ appendix_date }} của {{ office.full_name }})", style="XH Phu luc ghi chu")
    rule(doc, 40, width)


def new_section(doc, landscape):
    s = doc.add_section(WD_SECTION.NEW_PAGE)
    a4(s, landscape)
    restart_numbering(s)
    page_number_header(s)
    return s


def base_document():
    doc = Document()
    styles(doc)
    s = doc.sections[0]
    a4(s)
    page_number_header(s)
    doc.core_properties.author = "xhht"
    return doc


# ------------------------------------------------------------------------------------ báo cáo
def kinh_gui(doc):
    """NĐ 30 box 9a: one recipient on the same line; several, each on a dash line, the first on the line of
    "Kính gửi:" and the others aligned under it."""
    para(doc, "{%p if kinh_gui|length == 1 %}")
    para(doc, "Kính gửi: {{ kinh_gui[0] }}", style="XH Kinh gui")
    para(doc, "{%p else %}")
    p = para(doc, "Kính gửi:\t{{ kinh_gui[0] }}", style="XH Kinh gui")
    _kinh_gui_line(p, first=True)
    para(doc, "{%p for k in kinh_gui[1:] %}")
    p = para(doc, "{{ k }}", style="XH Kinh gui")
    _kinh_gui_line(p, first=False)
    para(doc, "{%p endfor %}")
    para(doc, "{%p endif %}")


KINH_GUI_DASH_MM = 52   # where the recipients' dashes line up (left of the text area)
KINH_GUI_LABEL_MM = 22  # width given to "Kính gửi:" before the first dash


def _kinh_gui_line(p, first):
    pf = p.paragraph_format
    pf.alignment = WD_ALIGN_PARAGRAPH.LEFT
    pf.left_indent = Mm(KINH_GUI_DASH_MM)
    pf.first_line_indent = Mm(-KINH_GUI_LABEL_MM) if first else Mm(0)
    pf.tab_stops.add_tab_stop(Mm(KINH_GUI_DASH_MM))
    pf.keep_with_next = True
    if not first:
        pf.space_before = Pt(0)
    pf.space_after = Pt(0)


def bieu_tables(doc, type_name):
    """Numbered biểu (Biểu 01, 02 …), landscape, each with its note explaining abbreviations."""
    para(doc, "{%p for t in tables %}")
    appendix_heading(doc, "{{ t.label }}", "{{ t.title }}", type_name)
    para(doc, "{%p if t.detail %}")  # a large district: the biểu by kind of unit, each unit in the workbook
    para(doc, "{{ t.detail }}", style="XH Chu thich")
    para(doc, "{%p endif %}")
    para(doc, "{%p for m in t.matrices %}")
    para(doc, "{%p if m.heading %}")
    para(doc, "{{ m.heading }}", style="XH Tieu muc")
    para(doc, "{%p endif %}")
    matrix_table(doc, "m.rows", [10, 45], LANDSCAPE_WIDTH_MM)
    para(doc, "{%p endfor %}")
    para(doc, "{{ t.note }}", style="XH Chu thich")
    para(doc, "{%p endfor %}")


def bao_cao() -> Document:
    doc = base_document()
    doc.paragraphs[0]._p.getparent().remove(doc.paragraphs[0]._p) if doc.paragraphs else None
    header_block(doc, "BC")
    para(doc, "BÁO CÁO", style="XH Ten loai")
    para(doc, "{{ subject }}", style="XH Trich yeu")
    rule(doc, 50, TEXT_WIDTH_MM)
    kinh_gui(doc)
    para(doc, "{{ intro }}")

    para(doc, "I. CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH", style="XH Muc")
    each(doc, "direction")

    para(doc, "II. KẾT QUẢ THỰC HIỆN CÁC MỤC TIÊU", style="XH Muc")
    para(doc, "{{ targets_intro }}", keep_next=True)
    para(doc, "{%p for g in groups %}")
    para(doc, "{{ g.heading }}", style="XH Tieu muc")
    data_table(doc, ["TT", "Chỉ tiêu", "Kế hoạch, lộ trình năm {{ year }}", "Kết quả thực hiện", "Tỷ lệ", "Đánh giá"],
               [("{{ r.no }}", WD_ALIGN_PARAGRAPH.CENTER), ("{{ r.name }}", None),
                ("{{ r.target }}", WD_ALIGN_PARAGRAPH.CENTER), ("{{ r.counts }}", WD_ALIGN_PARAGRAPH.CENTER),
                ("{{ r.rate }}", WD_ALIGN_PARAGRAPH.CENTER), ("{{ r.status }}", WD_ALIGN_PARAGRAPH.CENTER)],
               [11, 45, 26, 35, 21, 27], "r in g.rows", keep_together=True)
    para(doc, "{%p if g.table_note %}")  # a rate over the communes that reported: said under the table
    para(doc, "{{ g.table_note }}", italic=True)  # body text (NĐ 30), in italics as a note
    para(doc, "{%p endif %}")
    each(doc, "g.sentences")
    # the district's series so far (from the second year of the plan): chart 16 cm wide, caption below
    para(doc, "{%p if g.chart %}")
    para(doc, "{{ g.chart }}", align=WD_ALIGN_PARAGRAPH.CENTER, indent=Mm(0), before=6, keep_next=True)
    para(doc, "{{ g.chart_caption }}", style="XH Chu thich", align=WD_ALIGN_PARAGRAPH.CENTER)
    para(doc, "{%p if g.chart_note %}")
    para(doc, "{{ g.chart_note }}", style="XH Chu thich", align=WD_ALIGN_PARAGRAPH.CENTER)  # short labels explained
    para(doc, "{%p endif %}")
    para(doc, "{%p endif %}")
    para(doc, "{%p endfor %}")

    para(doc, "III. KẾT QUẢ THỰC HIỆN CÁC NHIỆM VỤ, GIẢI PHÁP", style="XH Muc")
    para(doc, "{{ tasks_intro }}", keep_next=True)  # a section's lead never ends a page alone
    para(doc, "{%p for t in tasks %}")
    para(doc, "{{ t.heading }}", style="XH Tieu muc")
    each(doc, "t.entries")
    para(doc, "{%p endfor %}")
    para(doc, "{{ tasks|length + 1 }}. Các kế hoạch thành phần", style="XH Tieu muc")
    each(doc, "components")

    para(doc, "IV. KINH PHÍ THỰC HIỆN", style="XH Muc")
    each(doc, "funding")

    para(doc, "V. ĐÁNH GIÁ CHUNG", style="XH Muc")
    para(doc, "1. Kết quả đạt được", style="XH Tieu muc")
    each(doc, "assessment.results")
    para(doc, "2. Tồn tại, hạn chế", style="XH Tieu muc")
    each(doc, "assessment.limits")
    para(doc, "3. Nguyên nhân", style="XH Tieu muc")
    each(doc, "assessment.causes")
    para(doc, "4. Bài học kinh nghiệm", style="XH Tieu muc")
    each(doc, "assessment.lessons")

    para(doc, "VI. PHƯƠNG HƯỚNG, NHIỆM VỤ NĂM {{ next_year }}", style="XH Muc")
    each(doc, "directions")

    para(doc, "VII. ĐỀ XUẤT, KIẾN NGHỊ", style="XH Muc")
    each(doc, "proposals")
    para(doc, "{{ closing }}", keep_next=True)
    signature_block(doc)

    new_section(doc, landscape=True)
    bieu_tables(doc, "Báo cáo")
    doc.core_properties.title = "Báo cáo kết quả xây dựng xã hội học tập"
    return doc


# ------------------------------------------------------------------------------------ kế hoạch
def ke_hoach() -> Document:
    doc = base_document()
    para(doc, "{{ draft }}", style="XH Du thao")  # boxed, centred above the header (a draft marker, not part of it)
    header_block(doc, "KH", parent=False)
    para(doc, "KẾ HOẠCH", style="XH Ten loai")
    para(doc, "{{ subject }}", style="XH Trich yeu")
    rule(doc, 50, TEXT_WIDTH_MM)
    each(doc, "bases", style="XH Can cu")
    para(doc, "{{ intro }}")

    para(doc, "I. MỤC ĐÍCH, YÊU CẦU", style="XH Muc")
    para(doc, "1. Mục đích", style="XH Tieu muc")
    each(doc, "purposes")
    para(doc, "2. Yêu cầu", style="XH Tieu muc")
    each(doc, "requirements")

    para(doc, "II. MỤC TIÊU, CHỈ TIÊU", style="XH Muc")
    para(doc, "1. Mục tiêu chung", style="XH Tieu muc")
    para(doc, "{{ general_goal }}")
    para(doc, "2. Chỉ tiêu cụ thể năm {{ year }}", style="XH Tieu muc")
    para(doc, "{{ targets_intro }}", keep_next=True)
    para(doc, "{%p for g in groups %}")
    para(doc, "{{ g.heading }}", style="XH Diem")
    data_table(doc, ["STT", "Chỉ tiêu", "Chỉ tiêu năm {{ year }}", "Kết quả năm {{ prev_year }}", "Cần tăng thêm"],
               [("{{ r.no }}", WD_ALIGN_PARAGRAPH.CENTER), ("{{ r.name }}", None),
                ("{{ r.target }}", WD_ALIGN_PARAGRAPH.CENTER), ("{{ r.result }}", WD_ALIGN_PARAGRAPH.CENTER),
                ("{{ r.gap }}", WD_ALIGN_PARAGRAPH.CENTER)],
               [13, 70, 26, 28, 28], "r in g.rows")  # breaks across pages; render_docx keeps its first rows together
    each(doc, "g.sentences")
    para(doc, "{%p endfor %}")

    para(doc, "III. NHIỆM VỤ VÀ GIẢI PHÁP", style="XH Muc")
    para(doc, "{{ tasks_intro }}", keep_next=True)  # a section's lead never ends a page alone
    para(doc, "{%p for t in tasks %}")
    para(doc, "{{ t.heading }}", style="XH Tieu muc")
    each_labelled(doc, "t.lines")
    para(doc, "{%p endfor %}")

    para(doc, "IV. KINH PHÍ", style="XH Muc")
    each(doc, "funding")

    para(doc, "V. TỔ CHỨC THỰC HIỆN", style="XH Muc")
    para(doc, "{{ org_intro }}", keep_next=True)
    para(doc, "{%p for b in bodies %}")
    para(doc, "{{ b.heading }}", style="XH Tieu muc")
    each_labelled(doc, "b.lines")
    para(doc, "{%p endfor %}")
    para(doc, "{{ calendar_heading }}", style="XH Tieu muc")
    each(doc, "calendar")
    para(doc, "{{ closing }}", keep_next=True)
    signature_block(doc)

    new_section(doc, landscape=True)
    appendix_heading(doc, "Phụ lục", "PHÂN CÔNG THỰC HIỆN CÁC KẾ HOẠCH THÀNH PHẦN NĂM {{ year }}", "Kế hoạch",
                     width=LANDSCAPE_WIDTH_MM)
    data_table(doc, ["STT", "Tên kế hoạch thành phần", "Nội dung chính", "Đơn vị chủ trì", "Đơn vị phối hợp"],
               [("{{ r.no }}", WD_ALIGN_PARAGRAPH.CENTER), ("{{ r.name }}", None), ("{{ r.content }}", None),
                ("{{ r.lead }}", None), ("{{ r.coordinators }}", None)],
               [12, 55, 105, 35, 45], "r in components")
    para(doc, "{%p if components_note %}")
    para(doc, "{{ components_note }}", style="XH Chu thich")  # the plan's abbreviations, explained
    para(doc, "{%p endif %}")
    doc.core_properties.title = "Kế hoạch xây dựng xã hội học tập"
    return doc


def body_kept_with_signature(doc):
    """The paragraphs of ``body``, the last kept with the signature block: Nơi nhận and the signature never stand
    alone on a page."""
    each(doc, "body[:-1]")
    para(doc, "{{ body[-1] }}", keep_next=True)


# ------------------------------------------------------------------------------------ tờ trình
def to_trinh() -> Document:
    """The Phòng's tờ trình asking UBND huyện to issue the KH (NĐ 30 Mẫu 1.4, with Kính gửi)."""
    doc = base_document()
    header_block(doc, "TTr")
    para(doc, "TỜ TRÌNH", style="XH Ten loai")
    para(doc, "{{ subject }}", style="XH Trich yeu")
    rule(doc, 50, TEXT_WIDTH_MM)
    kinh_gui(doc)
    each(doc, "bases", style="XH Can cu")
    body_kept_with_signature(doc)
    signature_block(doc)
    doc.core_properties.title = "Tờ trình ban hành kế hoạch"
    return doc


# ------------------------------------------------------------------------------------ công văn
def cong_van() -> Document:
    """A one-page official letter to a unit asking for corrections (công văn, NĐ 30 Mẫu 1.5)."""
    doc = base_document()
    header_block(doc, "", letter=True)
    para(doc, "")
    para(doc, "Kính gửi: {{ recipient }}.", style="XH Kinh gui")
    body_kept_with_signature(doc)
    signature_block(doc)
    doc.core_properties.title = "Công văn đề nghị sửa số liệu"
    return doc


def main() -> int:
    out = ROOT / "templates"
    out.mkdir(exist_ok=True)
    for name, build in (("bao_cao.docx", bao_cao), ("ke_hoach.docx", ke_hoach), ("to_trinh.docx", to_trinh),
                        ("cong_van.docx", cong_van)):
        path = out / name
        build().save(path)
        normalise_zip(path)
        print(f"wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
