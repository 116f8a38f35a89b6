"""Feedback to units: their own workbook with the problem cells marked, and a one-page công văn."""

from __future__ import annotations

import datetime as dt

import openpyxl
from click.testing import CliRunner
from docx import Document

from pipeline.cli import cli
from pipeline.runner import run


def _setup(inputs, submit):
    submit("10441", values={"BIET_CHU_15_60": (1200, 1000), "BIET_CHU_15_35": ("96%", 500), "XMC": "Đạt"})
    submit("10504", texts={"NV1": "Tổ chức tuyên truyền."})  # clean: no feedback


def test_run_writes_marked_workbook_and_letter(inputs, submit, tmp_path):
    _setup(inputs, submit)
    res = run(inputs, tmp_path, 2015, dt.date(2015, 12, 20), charts=False)
    folder = res.version / "phan-hoi"
    names = sorted(p.name for p in folder.iterdir())
    assert "PhanHoi_2015_10441_Thi-tran-Dai-Nghia.xlsx" in names and "CV_2015_10441_Thi-tran-Dai-Nghia.docx" in names
    assert not any("10504" in n for n in names)
    assert "CV_2015_10444_Xa-Dong-Tam.docx" in names  # sent nothing: a letter asking for the report
    wb = openpyxl.load_workbook(folder / "PhanHoi_2015_10441_Thi-tran-Dai-Nghia.xlsx")
    assert wb.sheetnames[0] == "Lỗi cần sửa"
    ws = wb["Số liệu"]
    for ref in ("E12", "G12", "E13"):
        assert ws[ref].fill.fgColor.rgb == "00FFC7CE", ref
    assert ws["E12"].comment.text.startswith("Lỗi: 'Số người 15-60 tuổi biết chữ' (1200) lớn hơn")
    assert ws["E13"].comment.text.startswith("Lỗi: Giá trị '96%' của 'Số người 15-35 tuổi biết chữ' là tỷ lệ")
    assert ws["E12"].value == 1200  # the unit's own values are kept
    rows = list(wb["Lỗi cần sửa"].iter_rows(min_row=5, values_only=True))
    assert any(r[3] == "E12, G12" for r in rows)
    doc = Document(str(folder / "CV_2015_10441_Thi-tran-Dai-Nghia.docx"))
    head = doc.tables[0].rows[1].cells
    assert head[0].paragraphs[0].text == "Số:      /PGDĐT-GDTX"
    assert head[0].paragraphs[1].text == "V/v đề nghị điều chỉnh số liệu báo cáo xây dựng xã hội học tập năm 2015"
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "Kính gửi: Ủy ban nhân dân thị trấn Đại Nghĩa." in text
    assert "chậm nhất ngày 25/12/2015." in text  # 5 working days after Sunday 20/12/2015
    missing = Document(str(folder / "CV_2015_10444_Xa-Dong-Tam.docx"))
    assert ("V/v đề nghị gửi báo cáo kết quả xây dựng xã hội học tập năm 2015"
            == missing.tables[0].rows[1].cells[0].paragraphs[1].text)
    manifest = (res.version / "manifest.json").read_text(encoding="utf-8")
    assert '"file": "phan-hoi/CV_2015_10441_Thi-tran-Dai-Nghia.docx"' in manifest


def test_feedback_command(inputs, submit, tmp_path):
    _setup(inputs, submit)
    res = CliRunner().invoke(cli, ["feedback", "--year", "2015", "--date", "2015-12-20", "--inputs", str(inputs),
                                   "--outputs", str(tmp_path)], catch_exceptions=False)
    assert res.exit_code == 0
    lines = res.output.splitlines()
    assert lines[0].startswith("Đã ghi ") and lines[0].endswith(" tệp phản hồi năm 2015:")
    assert f"  {tmp_path / '2015' / 'phan-hoi' / 'PhanHoi_2015_10441_Thi-tran-Dai-Nghia.xlsx'}" in lines


def test_xlsm_submission_is_read_and_marked(inputs, submit, tmp_path):
    path = submit("10441", values={"BIET_CHU_15_60": (1200, 1000)}, texts={"NV1": "x"})
    xlsm = path.with_suffix(".xlsm")
    path.rename(xlsm)
    res = run(inputs, tmp_path, 2015, dt.date(2015, 12, 20), charts=False)
    assert any(s.file.endswith(".xlsm") and s.state == "used" for s in res.model.submissions)
    marked = res.version / "phan-hoi" / "PhanHoi_2015_10441_Thi-tran-Dai-Nghia.xlsx"  # no macros inside: .xlsx
    assert openpyxl.load_workbook(marked)["Số liệu"]["E12"].fill.fgColor.rgb == "00FFC7CE"
    import zipfile

    types = zipfile.ZipFile(marked).read("[Content_Types].xml").decode()
    assert "spreadsheetml.sheet.main+xml" in types and "macroEnabled" not in types
