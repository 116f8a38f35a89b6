"""Ingest identifies forms from inside the workbook; validate collects every problem with its cell."""

from __future__ import annotations

import datetime as dt
import os

from pipeline.ingest import ingest
from pipeline.catalog_load import load_catalog
from pipeline.validate import validate


def _run(inputs, year=2015):
    cat = load_catalog(inputs)
    data = ingest(cat, inputs, year)
    return cat, data, validate(cat, data)


def _texts(checked, code=None):
    return [i.text() for i in checked.issues if code is None or i.code == code]


def test_renamed_file_is_identified_by_its_content(inputs, submit):
    submit("10504", name="bao cao xa an phu (sua).xlsx")
    cat, data, checked = _run(inputs)
    assert [(s.unit, s.state, s.file) for s in data.submissions] == [("10504", "used", "bao cao xa an phu (sua).xlsx")]
    v = next(v for v in data.values if v.indicator == "BIET_CHU_15_60" and v.field == "numerator")
    assert (v.unit, v.raw, v.sheet) == ("10504", 990, "Số liệu")
    assert v.cell == "E12"
    assert checked.observations[("10504", "BIET_CHU_15_60")].rate == 99.0


def test_newer_version_is_used_and_older_listed_as_superseded(inputs, submit):
    submit("10504", name="a.xlsx", values={"BIET_CHU_15_60": (1, 10)}, report_date=dt.date(2015, 12, 1))
    submit("10504", name="b.xlsx", report_date=dt.date(2015, 12, 9))
    cat, data, checked = _run(inputs)
    states = {s.file: s.state for s in data.submissions}
    assert states == {"a.xlsx": "superseded", "b.xlsx": "used"}
    assert ("Thông tin [superseded] a.xlsx: Đơn vị đã gửi bản mới hơn (b.xlsx, ngày báo cáo 09/12/2015); bản này "
            "(ngày báo cáo 01/12/2015) không được dùng để tổng hợp." in _texts(checked))
    row = next(u for u in checked.completeness if u.unit == "10504")
    assert row.superseded == ("a.xlsx",) and row.file == "b.xlsx"
    assert checked.observations[("10504", "BIET_CHU_15_60")].numerator == 990


def test_value_errors_each_named_with_cell(inputs, submit, catalog):
    values = {code: (90, 100) for code in catalog.unit("10441").indicators if not code.startswith(("XMC", "PC"))}
    values.update({"XMC": "Đạt", "PCGD_MN5": "Dat roi", "PCGD_TH": "Đạt", "PCGD_THCS": "Đạt", "PC_BAC_TH": "Chưa đạt",
                   "BIET_CHU_15_60": ("nhiều", 100), "BIET_CHU_15_35": (-5, 100), "CBCCVC_CNTT": (12.5, 40),
                   "CBCCVC_NN_B2": (None, 40), "CB_XA_BD_QL": (14, 12)})
    submit("10441", values=values)
    cat, data, checked = _run(inputs)
    f = "BieuMau_2015_10441_Dai-Nghia.xlsx, trang 'Số liệu'"
    msgs = _texts(checked)
    assert (f"Lỗi [bad-status] {f}, ô E8: Giá trị 'Dat roi' của 'Tỷ lệ xã, thị trấn đạt chuẩn phổ cập giáo dục mầm "
            "non cho trẻ 5 tuổi' không hợp lệ. Hãy chọn một trong: Đạt, Chưa đạt.") in msgs
    assert (f"Lỗi [not-a-number] {f}, ô E12: Giá trị 'nhiều' của 'Số người 15-60 tuổi biết chữ' không phải là số. "
            "Hãy nhập một số nguyên (ví dụ 1234).") in msgs
    assert (f"Lỗi [negative] {f}, ô E13: Giá trị -5 của 'Số người 15-35 tuổi biết chữ' là số âm. "
            "Hãy nhập số lớn hơn hoặc bằng 0.") in msgs
    assert any(m.startswith(f"Lỗi [not-integer] {f}, ô E15: Giá trị 12.5 của") for m in msgs)
    assert (f"Lỗi [missing-value] {f}, ô E16: Chưa nhập 'Số cán bộ, công chức, viên chức có trình độ ngoại ngữ bậc 2 (A2) trở lên' "
            "(bắt buộc). Hãy nhập số liệu, nếu không có thì nhập 0.") in msgs
    assert (f"Lỗi [numerator-gt-denominator] {f}, ô E19, G19: 'Số cán bộ cấp xã được bồi dưỡng kiến thức, kỹ năng "
            "lãnh đạo, quản lý, điều hành' (14) lớn hơn 'Tổng số cán bộ cấp xã' (12). Hãy kiểm tra lại hai số này.") in msgs
    # bad values are excluded and marked; the unit's other values still count
    assert checked.observations[("10441", "BIET_CHU_15_60")].valid is False
    assert checked.observations[("10441", "CB_XA_CHUAN_CM")].valid is True
    assert checked.with_errors[0].errors == 6


def test_text_numbers_and_fullwidth_digits_are_understood(inputs, submit, catalog):
    values = {"BIET_CHU_15_60": (" 990 ", "１０００")}
    submit("10441", values=values)
    cat, data, checked = _run(inputs)
    o = checked.observations[("10441", "BIET_CHU_15_60")]
    assert (o.numerator, o.denominator, o.valid) == (990, 1000, True)


def test_bad_files_do_not_stop_the_others(inputs, submit):
    submit("10504")
    folder = inputs / "submissions" / "2015"
    (folder / "hong.xlsx").write_bytes(b"PK\x03\x04 this is not a real zip")
    (folder / "~$BieuMau_2015_10504_An-Phu.xlsx").write_bytes(b"lock")  # Excel lock file: ignored silently
    (folder / "ghi chu.docx").write_bytes(b"not a workbook")
    submit("10441", form_year=2014)                       # a 2014 form sent for 2015
    cat, data, checked = _run(inputs)
    msgs = _texts(checked)
    assert ("Lỗi [file-corrupt] hong.xlsx: Tệp bị hỏng hoặc chưa được tải về đầy đủ (không mở được gói dữ liệu của "
            "tệp). Hãy đề nghị đơn vị gửi lại tệp.") in msgs
    assert ("Lỗi [file-unreadable] ghi chu.docx: Không đọc được tệp như một bảng tính Excel (phần mở rộng '.docx' "
            "không phải bảng tính). Hãy mở tệp bằng Excel, lưu lại dạng .xlsx và gửi lại.") in msgs
    assert ("Lỗi [wrong-year] BieuMau_2015_10441_Dai-Nghia.xlsx: Biểu mẫu này là của năm 2014, không phải năm 2015. "
            "Hãy gửi biểu mẫu năm 2015.") in msgs
    assert not any("~$" in m for m in msgs)
    assert [u.unit for u in checked.received] == ["10504"]
    assert "Cảnh báo [missing-submission]: Thị trấn Đại Nghĩa (mã 10441) chưa gửi báo cáo năm 2015." in msgs


def test_workbook_that_is_not_our_form(inputs):
    import openpyxl

    folder = inputs / "submissions" / "2015"
    folder.mkdir(parents=True)
    wb = openpyxl.Workbook()
    wb.active["A1"] = "Báo cáo tự làm"
    wb.save(folder / "tu-lam.xlsx")
    cat, data, checked = _run(inputs)
    assert _texts(checked, "not-a-form") == [
        "Lỗi [not-a-form] tu-lam.xlsx, trang '_xhht': Tệp không phải biểu mẫu xhht (không có trang thông tin '_xhht'). "
        "Hãy nhập số liệu vào biểu mẫu do Phòng GD&ĐT gửi."]


def test_unknown_unit_code(inputs, submit):
    path = submit("10504")
    import openpyxl

    wb = openpyxl.load_workbook(path)
    wb["_xhht"]["B2"] = "99999"
    wb.save(path)
    cat, data, checked = _run(inputs)
    assert _texts(checked, "unknown-unit") == [
        f"Lỗi [unknown-unit] {path.name}: Mã đơn vị '99999' không có trong danh sách đơn vị báo cáo. "
        "Hãy dùng biểu mẫu đúng của đơn vị."]


def test_late_submission_is_counted_in_days(inputs, submit):
    submit("10504", report_date=dt.date(2015, 12, 18))
    cat, data, checked = _run(inputs)
    row = next(u for u in checked.completeness if u.unit == "10504")
    assert row.late_days == 3 and row.state_label == "Đã nộp"


def test_no_report_date_falls_back_to_file_time(inputs, submit):
    path = submit("10504", report_date=None)
    stamp = dt.datetime(2015, 12, 20, 9, 0).timestamp()
    os.utime(path, (stamp, stamp))
    cat, data, checked = _run(inputs)
    assert data.submissions[0].report_date is None
    assert data.submissions[0].effective_date == dt.date(2015, 12, 20)
    assert next(u for u in checked.completeness if u.unit == "10504").late_days == 5


def test_tidy_table_as_dataframe(inputs, submit):
    submit("10504")
    cat, data, checked = _run(inputs)
    frame = data.to_frame()
    assert list(frame.columns) == ["unit", "year", "indicator", "field", "raw", "file", "sheet", "cell", "note",
                                   "formula_without_value", "error_value"]
    assert len(frame) == 27  # 5 status indicators + 11 ratio indicators x (numerator, denominator)
