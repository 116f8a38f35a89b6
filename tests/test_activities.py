"""Section II as counts: activities defined in plan.yaml, asked on the "Nhiệm vụ" sheet, checked."""

from __future__ import annotations

import shutil

import pytest

from pipeline import form_layout as L
from pipeline.errors import CatalogError
from pipeline.forms import build_form
from pipeline.ingest import ingest
from pipeline.catalog_load import load_catalog
from pipeline.validate import validate


def _check(inputs, year=2015):
    cat = load_catalog(inputs)
    return validate(cat, ingest(cat, inputs, year))


def test_plan_activities_parsed_with_task_group_and_unit(catalog):
    acts = {a.code: a for a in catalog.plan.activities}
    assert acts["NV3_LOP_TTHTCD"].task == "NV3" and acts["NV3_LOP_TTHTCD"].unit == "lớp"
    assert acts["NV1_GD_HOC_TAP"].label == "Gia đình được công nhận “Gia đình học tập” trong năm"
    assert [a.task for a in catalog.plan.activities] == sorted(a.task for a in catalog.plan.activities)
    # the communes count the learning models; a district body does not (no double counting)
    assert "NV1_GD_HOC_TAP" in catalog.unit("10441").activities
    assert "NV1_GD_HOC_TAP" not in catalog.unit("HKH").activities
    assert catalog.unit("TTGDTX").activities[-4:] == ("NV3_LOP_GDTX", "NV3_HOC_VIEN_GDTX", "NV4_TU_XA", "NV6_TAP_HUAN")


def test_activity_of_a_task_group_the_unit_does_not_report_is_refused(inputs):
    text = (inputs / "units.yaml").read_text(encoding="utf-8")
    text = text.replace("extra_activities: [NV8_HOI_THAO]", "extra_activities: [NV8_HOI_THAO, NV4_TU_XA, KHONG_CO]")
    (inputs / "units.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(CatalogError) as exc:
        load_catalog(inputs)
    msg = "\n".join(exc.value.problems)
    assert "units.yaml, mục units[" in msg and "(HKH): hoạt động 'NV4_TU_XA' thuộc nhóm nhiệm vụ NV4" in msg
    assert "(HKH): hoạt động 'KHONG_CO' không có trong plan.yaml (mục activities)." in msg


def test_form_task_sheet_asks_counts_and_one_remark_per_group(catalog):
    unit = catalog.unit("10441")
    ws = build_form(catalog, unit, 2015)[L.TASK_SHEET]
    t = L.TASK_COLS
    rows = {ws[f"{t['code']}{r}"].value: r for r in range(L.TASK_HEADER_ROW + 1, ws.max_row + 1)
            if ws[f"{t['code']}{r}"].value}
    codes = list(rows)
    acts = [c for c in codes if c in unit.activities]
    assert acts == [a.code for a in catalog.plan.activities if a.code in unit.activities]
    assert [c for c in codes if c.startswith("NV") and "_" not in c] == list(unit.tasks)
    assert codes[-2:] == ["TON_TAI", "DE_XUAT"]
    r = rows["NV3_LUOT_TTHTCD"]
    assert ws[f"{t['title']}{r}"].value == "Lượt người học tại trung tâm học tập cộng đồng"
    assert ws[f"{t['unit']}{r}"].value == "lượt người"
    assert ws[f"{t['count']}{r}"].protection.locked is False
    whole = [dv for dv in ws.data_validations.dataValidation if dv.type == "whole"]
    assert len(whole) == 1 and whole[0].operator == "greaterThanOrEqual" and whole[0].formula1 == "0"
    assert f"{t['count']}{r}" in str(whole[0].sqref).split()
    remark = rows["NV3"]
    assert f"{t['text']}{remark}:{L.TASK_TEXT_END}{remark}" in [str(m) for m in ws.merged_cells.ranges]
    lengths = [dv for dv in ws.data_validations.dataValidation if dv.type == "textLength"]
    assert f"{t['text']}{remark}" in str(lengths[0].sqref).split()


def test_activities_read_checked_and_exposed(inputs, submit):
    submit("10441", activities={"NV1_TUAN_LE": 1250, "NV3_LOP_TTHTCD": "12", "NV3_LUOT_TTHTCD": "1.865",
                                "NV6_NGHI_HUU": 7.5, "NV1_TIN_BAI": -3, "NV2_CLB": "nhiều"},
           texts={"NV3": "Mở thêm lớp tin học.", "TON_TAI": "Thiếu kinh phí."})
    submit("10444", activities={})  # nothing counted at all
    checked = _check(inputs)
    assert checked.activities["10441"] == {"NV1_TUAN_LE": 1250, "NV3_LOP_TTHTCD": 12, "NV3_LUOT_TTHTCD": 1865}
    assert "10444" not in checked.activities
    assert checked.remarks == {"10441": {"NV3": "Mở thêm lớp tin học."}}
    assert [(t.task, t.text) for t in checked.texts if t.task == "TON_TAI"] == [("TON_TAI", "Thiếu kinh phí.")]
    by_code = {}
    for i in checked.issues:
        if i.unit in ("10441", "10444") and i.sheet == L.TASK_SHEET:
            by_code.setdefault(i.code, []).append(i)
    assert [i.code for i in by_code["not-integer"]] == ["not-integer"]
    bad = by_code["not-integer"][0]
    assert bad.file == "BieuMau_2015_10441_Dai-Nghia.xlsx" and bad.cell.startswith(L.TASK_COLS["count"])
    assert "Cán bộ, giáo viên nghỉ hưu, nghệ nhân tham gia làm cộng tác viên (người)" in bad.message
    assert len(by_code["negative"]) == 1 and len(by_code["not-a-number"]) == 1
    assert [i.unit for i in by_code["no-activities"]] == ["10444"]
    blank = [i for i in by_code["activity-missing"] if i.unit == "10441"]
    assert len(blank) == len(load_catalog(inputs).unit("10441").activities) - 6
    assert all(i.unit != "10444" for i in by_code["activity-missing"])


def test_activity_row_deleted_is_reported(inputs, submit, catalog):
    path = submit("PTCKH", activities={"NV7_VAN_BAN": 2})
    import openpyxl

    wb = openpyxl.load_workbook(path)
    ws = wb[L.TASK_SHEET]
    r = next(r for r in range(1, ws.max_row + 1) if ws[f"B{r}"].value == "NV5_TAI_LIEU")
    ws[f"B{r}"] = None
    wb.save(path)
    checked = _check(inputs)
    assert [i.message for i in checked.issues if i.code == "activity-row-missing"] == [
        "Biểu mẫu không có dòng của hoạt động 'NV5_TAI_LIEU' (Tài liệu học tập được biên soạn, phát hành). "
        "Hãy dùng biểu mẫu gốc năm 2015."]
    assert checked.activities["PTCKH"] == {"NV7_VAN_BAN": 2}
