"""On paper: the forms and the summary workbook printed through LibreOffice, page by page.

Each workbook is converted once for the module (one LibreOffice process); every page is assigned to
its sheet by the page header, which names the sheet (forms) or the sheet's title (summary).
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest

from pipeline import form_layout as L
from pipeline.forms import build_form, report_window, row_checks, save_workbook
from pipeline.catalog_load import load_catalog

from conftest import INPUTS, fill_form, full_activities, full_values, once_per_run

pytestmark = pytest.mark.skipif(not (shutil.which("soffice") and shutil.which("pdftotext")),
                                reason="LibreOffice and poppler are needed to print")
FORM_UNITS = ("10504", "PGDDT", "HKH", "LDLD")


def _pages(pdf: Path) -> list[str]:
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return text.split("\f")[:-1]


@pytest.fixture(scope="module")
def printed(tmp_path_factory, shipped_runs):
    """The forms of FORM_UNITS, one filled form with a numerator over its denominator and the shipped
    summary workbook, printed to PDF by ONE LibreOffice process, once per test run (READ ONLY)."""
    def make(folder: Path) -> Path:
        cat = load_catalog(INPUTS)
        files = []
        for code in FORM_UNITS:
            path = folder / f"form_{code}.xlsx"
            save_workbook(build_form(cat, cat.unit(code), 2015), path)
            files.append(path)
        bad = build_form(cat, cat.unit("10504"), 2015)
        values = full_values(cat.unit("10504"))
        values["BIET_CHU_15_60"] = (1200, 1000)
        fill_form(bad, values, activities=full_activities(cat.unit("10504")))
        save_workbook(bad, folder / "form_bad.xlsx")
        files.append(folder / "form_bad.xlsx")
        summary = next(p for p in shipped_runs.first.paths if p.suffix == ".xlsx")
        shutil.copy(summary, folder / "summary.xlsx")
        files.append(folder / "summary.xlsx")
        profile = folder / "lo-profile"  # a private LibreOffice profile: safe beside another test's conversion
        subprocess.run(["soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", "pdf",
                        "--outdir", str(folder)] + [str(f) for f in files],
                       capture_output=True, check=True, timeout=240)
        return folder

    return once_per_run(tmp_path_factory, "printed", make), load_catalog(INPUTS)


def _by_sheet(pages: list[str], names: list[str]) -> dict[str, int]:
    counts = dict.fromkeys(names, 0)
    for page in pages:
        head = "".join(page.strip("\n").splitlines()[:2]).replace(" ", "")  # pdftotext spaces out some letters
        found = [n for n in names if n.replace(" ", "") in head]
        assert len(found) == 1, head
        counts[found[0]] += 1
    return counts


@pytest.mark.parametrize("code", FORM_UNITS)
def test_each_form_sheet_prints_on_one_page_data_on_at_most_two(printed, code):
    folder, cat = printed
    pages = _pages(folder / f"form_{code}.pdf")
    counts = _by_sheet(pages, [L.GUIDE_SHEET, L.DATA_SHEET, L.TASK_SHEET, L.FUNDING_SHEET])
    assert counts[L.GUIDE_SHEET] == 1 and counts[L.TASK_SHEET] == 1 and counts[L.FUNDING_SHEET] == 1
    assert 1 <= counts[L.DATA_SHEET] <= (2 if cat.unit(code).indicators else 1)
    unit = cat.unit(code)
    assert all(unit.name in p[:200] for p in pages)  # the page header names the unit
    assert all("Báo cáo năm 2015" in p[:300] for p in pages)
    assert [f"Trang {i}/{len(pages)}" in p for i, p in enumerate(pages, 1)] == [True] * len(pages)
    data = "\n".join(p for p in pages if L.DATA_SHEET in p[:300])
    assert "NGƯỜI LẬP BIỂU" in data and "THỦ TRƯỞNG ĐƠN VỊ" in data and "(Ký tên, đóng dấu)" in data
    place = unit.short_name if cat.is_commune(unit) else cat.office.place
    assert f"{place}, ngày …… tháng …… năm 2015" in data
    if not unit.indicators:  # no empty table asking to fill yellow cells
        assert "Tử số" not in data and "màu vàng" not in data


def test_summary_sheets_print_readably(printed):
    folder, _cat = printed
    pages = _pages(folder / "summary.pdf")
    wb = openpyxl.load_workbook(folder / "summary.xlsx")
    titles = {ws.title: ws["A1"].value for ws in wb.worksheets if ws.title != "Xu hướng"}
    # the trend sheet (last; its chart pages start with axis labels) is checked for its title page and numbering
    trend = wb["Xu hướng"]["A1"].value.replace(" ", "")
    first_trend = next(i for i, p in enumerate(pages) if trend in "".join(p.strip("\n").splitlines()[:2]).replace(" ", ""))
    counts = _by_sheet(pages[:first_trend], list(titles.values()))
    per_sheet = {name: counts[title] for name, title in titles.items()}
    assert per_sheet["Chỉ tiêu toàn huyện"] == 1 and per_sheet["Kinh phí"] == 1
    assert all(per_sheet[n] == 1 for n in per_sheet if n.startswith("Theo đơn vị"))
    assert per_sheet["Tiến độ nộp"] <= 2 and per_sheet["Lỗi kiểm tra"] == 1
    assert per_sheet["Số liệu chi tiết"] <= 8
    assert [f"Trang {i}/{len(pages)}" in p for i, p in enumerate(pages, 1)] == [True] * len(pages)
    assert "BIET_CHU_15_60" not in "".join(pages[:6])  # names, not internal codes


def test_form_validation_formulas_on_the_right_cells(catalog):
    unit = catalog.unit("10504")
    ws = build_form(catalog, unit, 2015)[L.DATA_SHEET]
    rows = {ws[f"B{r}"].value: r for r in range(L.DATA_HEADER_ROW + 1, ws.max_row + 1) if ws[f"B{r}"].value}
    r = rows["BIET_CHU_15_60"]
    dvs = {str(dv.sqref): dv for dv in ws.data_validations.dataValidation}
    num, den = dvs[f"E{r}"], dvs[f"G{r}"]
    assert num.type == "custom" and num.formula1 == (f"AND(ISNUMBER(E{r}),E{r}>=0,INT(E{r})=E{r},"
                                                     f"OR(NOT(ISNUMBER(G{r})),E{r}<=G{r}))")
    assert den.type == "custom" and den.formula1.endswith(f"E{r}<=G{r}))")
    assert "không được lớn hơn" in num.error and num.showErrorMessage
    date = dvs[L.REPORT_DATE_CELL]
    start, end = report_window(catalog, 2015)
    assert (start, end) == (dt.date(2015, 10, 1), dt.date(2016, 3, 14))
    assert date.type == "date" and (date.formula1, date.formula2) == ("DATE(2015,10,1)", "DATE(2016,3,14)")
    # the check column: numerator <= denominator on every ratio row, and the rules of rules.yaml
    check = ws[f"J{r}"].value
    assert f"AND(ISNUMBER(E{r}),ISNUMBER(G{r}),E{r}>G{r})" in check and "Tử số lớn hơn mẫu số" in check
    r35 = rows["BIET_CHU_15_35"]
    assert f"NOT((E{r35})<=(E{r}))" in ws[f"J{r35}"].value
    assert "Số người 15-35 tuổi biết chữ không thể lớn hơn" in ws[f"J{r35}"].value
    cf = ws.conditional_formatting
    assert any("J" in str(rng.sqref) and rule.formula == [f"LEN(J{min(rows.values())})>0"]
               for rng in cf for rule in rng.rules)
    assert set(row_checks(catalog, {"BIET_CHU_15_60": 10})) == {10}


def test_form_with_numerator_over_denominator_shows_the_rule(printed):
    folder, _cat = printed
    wb = openpyxl.load_workbook(folder / "form_bad.xlsx")
    ws = wb[L.DATA_SHEET]
    r = next(r for r in range(1, ws.max_row + 1) if ws[f"B{r}"].value == "BIET_CHU_15_60")
    assert (ws[f"E{r}"].value, ws[f"G{r}"].value) == (1200, 1000)
    rules = [dv for dv in ws.data_validations.dataValidation if f"E{r}" in str(dv.sqref).split()]
    assert rules and f"E{r}<=G{r}" in rules[0].formula1
    # printed (so computed by LibreOffice), the check column names the problem on that row only
    data = "\n".join(p for p in _pages(folder / "form_bad.pdf") if L.DATA_SHEET in p[:300])
    assert data.replace(" ", "").count("Tửsốlớnhơnmẫusố") == 1


def test_report_date_outside_the_window_is_a_warning(inputs, submit):
    from pipeline.ingest import ingest
    from pipeline.validate import validate

    submit("10504", report_date=dt.date(2015, 6, 1))
    cat = load_catalog(inputs)
    checked = validate(cat, ingest(cat, inputs, 2015))
    assert [i.text() for i in checked.issues if i.code == "report-date-outside"] == [
        "Cảnh báo [report-date-outside] BieuMau_2015_10504_An-Phu.xlsx, trang 'Số liệu', ô D3: Ngày báo cáo "
        "01/06/2015 nằm ngoài thời gian báo cáo năm 2015 (từ 01/10/2015 đến 14/03/2016); hãy kiểm tra lại ngày báo cáo."]
