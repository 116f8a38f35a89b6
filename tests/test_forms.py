"""Submission forms: one per unit, fillable without help, identified from inside the workbook."""

from __future__ import annotations

import openpyxl
import pytest
from click.testing import CliRunner

from pipeline import form_layout as L
from pipeline import forms
from pipeline.cli import cli
from pipeline.errors import OutputError


def test_forms_command_writes_one_form_per_expected_unit(inputs, tmp_path, catalog):
    out = tmp_path / "out"
    res = CliRunner().invoke(cli, ["forms", "--year", "2016", "--inputs", str(inputs), "--outputs", str(out)],
                             catch_exceptions=False)
    assert res.exit_code == 0
    folder = out / "bieu-mau" / "2016"
    assert res.output == f"Đã tạo 37 biểu mẫu năm 2016 tại {folder}\n"
    files = sorted(p.name for p in folder.iterdir())
    assert len(files) == 37 and "BieuMau_2016_10504_An-Phu.xlsx" in files
    assert not [p for p in (out / "bieu-mau").iterdir() if p.name.startswith(".")]  # no staging left


def test_form_content_for_a_commune(catalog):
    unit = catalog.unit("10504")
    wb = forms.build_form(catalog, unit, 2015)
    assert wb.sheetnames == [L.GUIDE_SHEET, L.DATA_SHEET, L.TASK_SHEET, L.FUNDING_SHEET, L.META_SHEET]
    meta = {r[0]: r[1] for r in wb[L.META_SHEET].iter_rows(values_only=True)}
    assert meta == {"form": "xhht-bieu-mau", "unit": "10504", "unit_name": "Xã An Phú", "year": 2015,
                    "form_version": L.FORM_VERSION, "plan": "KH233-2014"}
    assert wb[L.META_SHEET].sheet_state == "hidden"
    ws = wb[L.DATA_SHEET]
    codes = [ws[f"B{r}"].value for r in range(L.DATA_HEADER_ROW + 1, ws.max_row + 1) if isinstance(ws[f"A{r}"].value, int)]
    assert codes == list(unit.indicators)
    assert ws.protection.sheet is True
    row = next(r for r in range(1, ws.max_row + 1) if ws[f"B{r}"].value == "BIET_CHU_15_60")
    assert ws[f"C{row}"].value == "Tỷ lệ người trong độ tuổi 15-60 biết chữ"
    assert ws[f"D{row}"].value == "Số người 15-60 tuổi biết chữ"
    assert ws[f"E{row}"].protection.locked is False and ws[f"C{row}"].protection.locked is True
    rules = {str(dv.sqref): dv for dv in ws.data_validations.dataValidation}
    whole = next(dv for ref, dv in rules.items() if f"E{row}" in ref.split())
    # one custom rule: a whole number >= 0 that is not larger than the denominator (see test_print.py)
    assert whole.type == "custom" and f"E{row}>=0,INT(E{row})=E{row}" in whole.formula1
    status_row = next(r for r in range(1, ws.max_row + 1) if ws[f"B{r}"].value == "XMC")
    lists = [dv for dv in ws.data_validations.dataValidation if dv.type == "list"]
    assert lists[0].formula1 == '"Đạt,Chưa đạt"' and f"E{status_row}" in str(lists[0].sqref)
    tasks = [wb[L.TASK_SHEET][f"B{r}"].value for r in range(L.TASK_HEADER_ROW + 1, wb[L.TASK_SHEET].max_row + 1)]
    assert [c for c in tasks if c and "_" not in c or c in ("TON_TAI", "DE_XUAT")] == [
        "NV1", "NV2", "NV3", "NV4", "NV5", "NV6", "NV7", "NV8", "TON_TAI", "DE_XUAT"]
    funding = [wb[L.FUNDING_SHEET][f"B{r}"].value for r in (L.FUNDING_HEADER_ROW + 1, L.FUNDING_HEADER_ROW + 2)]
    assert funding == ["NSNN", "XHH"]
    assert "Năm báo cáo: 2015" in wb[L.GUIDE_SHEET]["B4"].value


def test_form_lists_only_the_units_indicators(catalog):
    wb = forms.build_form(catalog, catalog.unit("LDLD"), 2015)
    ws = wb[L.DATA_SHEET]
    codes = [ws[f"B{r}"].value for r in range(L.DATA_HEADER_ROW + 1, ws.max_row + 1) if isinstance(ws[f"A{r}"].value, int)]
    assert codes == ["CNLD_TH_NN", "CNLD_THPT", "CNLD_HOC_NGHE", "CNLD_TAY_NGHE_CAO"]


def test_form_round_trips_through_openpyxl(tmp_path, catalog):
    path = tmp_path / "f.xlsx"
    forms.save_workbook(forms.build_form(catalog, catalog.unit("PGDDT"), 2015), path)
    wb = openpyxl.load_workbook(path)
    assert wb[L.DATA_SHEET]["A1"].value == "SỐ LIỆU XÂY DỰNG XÃ HỘI HỌC TẬP NĂM 2015"
    assert wb[L.DATA_SHEET]["A1"].font.name == "Times New Roman"


def test_failed_form_leaves_nothing(monkeypatch, tmp_path, catalog):
    calls = {"n": 0}
    real = forms.save_workbook

    def flaky(wb, path, stamp=None):
        calls["n"] += 1
        if calls["n"] == 3:
            raise OSError(28, "No space left on device")
        real(wb, path, stamp)

    monkeypatch.setattr(forms, "save_workbook", flaky)
    with pytest.raises(OutputError, match="Không ghi được biểu mẫu BieuMau_2015_10447_Thuong-Lam.xlsx: No space left"):
        forms.write_forms(catalog, 2015, tmp_path)
    assert list((tmp_path / "bieu-mau").iterdir()) == []


def test_forms_year_outside_plan_is_usage_error(inputs, tmp_path):
    res = CliRunner().invoke(cli, ["forms", "--year", "2031", "--inputs", str(inputs), "--outputs", str(tmp_path)])
    assert res.exit_code == 2
    assert res.output == ("Lỗi: Năm 2031 nằm ngoài giai đoạn của kế hoạch 233/KH-UBND (2014-2020). "
                          "Hãy chọn một năm từ 2014 đến 2020.\n")
