"""xhht check: generated documents pass; each known deviation in an edited document is reported."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Mm, Pt

from pipeline.nd30_check import check_document
from pipeline.cli import cli



@pytest.fixture(scope="module")
def docs(numbered_runs):
    """The shipped 2015 documents dated 05/01/2016 with the register's numbers (READ ONLY: edit a copy)."""
    return {p.name.split("_")[0]: p for p in numbered_runs.second.paths if p.suffix == ".docx"}


def test_generated_bc_and_kh_pass(docs):
    assert set(docs) == {"BC", "KH", "TTr"}
    for path in docs.values():
        assert check_document(path) == [], path.name
    res = CliRunner().invoke(cli, ["check", str(docs["BC"]), str(docs["KH"]), str(docs["TTr"])])
    assert res.exit_code == 0
    assert res.output == (f"{docs['BC']}: đúng thể thức Nghị định 30/2020 (các mục đã kiểm tra).\n"
                          f"{docs['KH']}: đúng thể thức Nghị định 30/2020 (các mục đã kiểm tra).\n"
                          f"{docs['TTr']}: đúng thể thức Nghị định 30/2020 (các mục đã kiểm tra).\n")


def test_generated_date_and_number_are_zero_padded(docs):
    doc = Document(str(docs["BC"]))
    assert doc.tables[0].rows[1].cells[1].text == "Mỹ Đức, ngày 05 tháng 01 năm 2016"
    assert doc.tables[0].rows[1].cells[0].text == "Số: 01/BC-PGDĐT"


def _edit(src: Path, dest: Path) -> Path:
    doc = Document(str(src))
    doc.sections[0].left_margin = Mm(25)
    doc.sections[0].different_first_page_header_footer = False
    head = doc.tables[0]
    qh = head.rows[0].cells[1].paragraphs[0]
    qh.runs[0].text = "CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    date = head.rows[1].cells[1].paragraphs[0]
    date.runs[0].text = "Mỹ Đức, ngày 5 tháng 1 năm 2016"
    date.runs[0].italic = False
    head.rows[1].cells[0].paragraphs[0].runs[0].text = "Số: 5/BC-PGDĐT"
    title = next(p for p in doc.paragraphs if p.text == "BÁO CÁO")
    title.runs[0].bold = False
    body = next(p for p in doc.paragraphs if p.text.startswith("Thực hiện Kế hoạch số 233"))
    body.alignment = WD_ALIGN_PARAGRAPH.LEFT
    body.runs[0].font.name = "Arial"
    sig = next(t for t in doc.tables if t.rows[0].cells[0].text.startswith("Nơi nhận"))
    sig.rows[0].cells[0].paragraphs[0].runs[0].font.size = Pt(14)
    doc.save(str(dest))
    return dest


def test_each_deviation_is_reported(docs, tmp_path):
    bad = _edit(docs["BC"], tmp_path / "sua.docx")
    found = {(d.rule, d.where, d.found) for d in check_document(bad)}
    assert ("le-trang", "phần 1, lề trái", "25.0 mm") in found
    assert ("quoc-hieu", "Quốc hiệu", "viết là \"CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM\"") in found
    assert ("ngay-thang", "dòng địa danh, ngày tháng",
            "ngày \"5\" phải có 2 chữ số, tháng \"1\" phải viết \"01\", không in nghiêng") in found
    assert ("so-ky-hieu", "dòng số, ký hiệu", "số \"5\" thiếu số 0 ở trước") in found
    assert ("ten-loai", "\"BÁO CÁO\"", "không đậm") in found
    assert any(r == "noi-dung" and f == "không căn đều hai lề" and "Thực hiện Kế hoạch" in w for r, w, f in found)
    assert any(r == "phong-chu" and f == "phông Arial" for r, w, f in found)
    assert ("noi-nhan", "khối Nơi nhận", "\"Nơi nhận:\" cỡ 14") in found
    assert ("so-trang", "trang 1", "số trang hiển thị ở trang đầu") in found
    assert len(found) == 9


def test_cli_reports_and_exits_1(docs, tmp_path):
    bad = _edit(docs["BC"], tmp_path / "sua.docx")
    res = CliRunner().invoke(cli, ["check", str(bad)])
    assert res.exit_code == 1
    lines = res.output.splitlines()
    assert lines[0] == f"{bad}: 9 sai lệch so với Nghị định 30/2020:"
    assert ("  [le-trang] phần 1, lề trái: 25.0 mm. Quy định: Lề trên, dưới 20-25 mm; lề trái 30-35 mm; lề phải "
            "15-20 mm (Phụ lục I, mục I.4).") in lines


def test_not_a_docx(tmp_path):
    f = tmp_path / "x.docx"
    f.write_bytes(b"not a zip")
    res = CliRunner().invoke(cli, ["check", str(f)])
    assert res.exit_code == 1
    assert res.output.startswith(f"Lỗi: Không mở được {f} như một tệp Word (.docx):")
