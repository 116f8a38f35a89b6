"""The summary workbook reopened: sheets, numbers, formats, print setup; submitted text never a formula."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import openpyxl
import pytest

from pipeline.runner import run

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wb(shipped_runs):
    path = next(p for p in shipped_runs.first.paths if p.suffix == ".xlsx")
    assert path.name == "TongHop_XHHT_2015.xlsx"
    return openpyxl.load_workbook(path)


def test_sheets(wb):
    assert wb.sheetnames == ["Chỉ tiêu toàn huyện", "Theo đơn vị (a)", "Theo đơn vị (b)", "Theo đơn vị (c)",
                             "Theo đơn vị (d)", "Theo đơn vị (đ)", "Nhiệm vụ theo đơn vị", "Số liệu chi tiết", "Tiến độ nộp", "Lỗi kiểm tra",
                             "Kinh phí", "Xu hướng"]  # the series 2014–2015 (more than one year)


def test_district_indicators_sheet(wb):
    ws = wb["Chỉ tiêu toàn huyện"]
    assert ws["A1"].value == "KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU XÂY DỰNG XÃ HỘI HỌC TẬP NĂM 2015"
    assert ws.freeze_panes == "A4"
    header = [c.value for c in ws[3]]
    assert header[:8] == ["STT", "Nhóm", "Chỉ tiêu", "Chỉ tiêu kế hoạch", "Tử số", "Mẫu số", "Tỷ lệ", "Đánh giá"]
    row = next(r for r in ws.iter_rows(min_row=4) if r[2].value == "Tỷ lệ người trong độ tuổi 15-60 biết chữ")
    # never at 100% before: the level itself, not "Duy trì" (as in the BC's table)
    assert [c.value for c in row[3:8]] == ["100,0%", 113536, 113898, pytest.approx(113536 / 113898), "Chưa đạt"]
    assert row[6].number_format == "0.0%" and row[4].number_format == "#,##0"
    assert not any(c.value == "BIET_CHU_15_60" for r in ws.iter_rows() for c in r)  # names, not internal codes
    assert ws.oddFooter.center.text == "Trang &P/&N" and "NĂM 2015" in ws.oddHeader.left.text
    assert ws.oddHeader.right.text == "Năm 2015"
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9
    assert ws.print_title_rows == "$3:$3"
    assert ws.column_dimensions["C"].width > 40


def test_matrix_completeness_and_problems(wb):
    m = wb["Theo đơn vị (a)"]
    row = next(r for r in m.iter_rows(min_row=4) if r[1].value == "Xã Đốc Tín")
    assert {c.value for c in row[2:] if c.value is not None} == {"Chưa nộp"}
    assert m.print_title_rows == "$3:$3" and m.page_setup.orientation == "landscape"
    assert [c.value for c in m[m.max_row]][1] == "Toàn huyện"
    c = wb["Tiến độ nộp"]
    states = {r[1].value: r[3].value for r in c.iter_rows(min_row=4) if r[1].value}
    assert states["10486"] == "Chưa nộp" and states["10492"] == "Đã nộp, có lỗi" and states["10441"] == "Đã nộp"
    an_phu = next(r for r in c.iter_rows(min_row=4) if r[1].value == "10504")
    assert an_phu[4].value == "BieuMau_2015_10504_An-Phu_bo-sung.xlsx"
    assert an_phu[9].value == "BieuMau_2015_10504_An-Phu.xlsx"
    assert isinstance(an_phu[5].value, dt.datetime)
    p = wb["Lỗi kiểm tra"]
    first = [c.value for c in p[4]]
    assert first[1:4] == ["Lỗi", "numerator-gt-denominator", "10492"] and first[6] == "E13, G13"


def test_funding_totals(wb):
    f = wb["Kinh phí"]
    last = [c.value for c in f[f.max_row]]
    assert last[2] == "Tổng cộng" and last[5] == 1_286_500_000 and last[3] + last[4] == last[5]


def test_submitted_text_cannot_become_a_formula(inputs, submit, tmp_path):
    submit("10441", values={"BIET_CHU_15_60": ("=1+1", 100)})
    path = next(p for p in run(inputs, tmp_path / "o", 2015, dt.date(2015, 12, 20)).paths if p.suffix == ".xlsx")
    with zipfile.ZipFile(path) as z:
        sheets = [z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/")]
    assert not any("<f>" in s for s in sheets)
    ws = openpyxl.load_workbook(path)["Lỗi kiểm tra"]
    msg = next(r[8].value for r in ws.iter_rows(min_row=4) if r[2].value == "not-a-number")
    assert msg.startswith("Giá trị '=1+1' của")
