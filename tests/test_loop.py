"""The correction loop: one unit never stops the district, and wrong input is never used silently."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import zipfile

import openpyxl
import pytest
from click.testing import CliRunner

from conftest import full_values
from pipeline import form_layout as L
from pipeline.cli import cli
from pipeline.forms import save_workbook
from pipeline.ingest import ingest
from pipeline.catalog_load import load_catalog
from pipeline.runner import run
from pipeline.validate import validate


def _check(inputs, year=2015, today=None):
    cat = load_catalog(inputs)
    return validate(cat, ingest(cat, inputs, year), today)


def _texts(checked, code):
    return [i.text() for i in checked.issues if i.code == code]


def _edit(path, fn):
    wb = openpyxl.load_workbook(path)
    fn(wb)
    save_workbook(wb, path)


# ------------------------------------------------------------------------------ 1. isolation
def test_merged_input_cells_are_marked_on_the_top_left_cell(inputs, submit, tmp_path):
    path = submit("10441")
    submit("10504", report_date=dt.date(2015, 12, 9))

    def merge(wb):
        ws = wb[L.DATA_SHEET]
        ws["E12"] = 990           # one value typed for two rows (15-60 and 15-35)
        ws.merge_cells("E12:E13")
    _edit(path, merge)
    res = CliRunner().invoke(cli, ["run", "--year", "2015", "--date", "20/12/2015", "--inputs", str(inputs),
                                   "--outputs", str(tmp_path / "out"), "--no-charts"])
    assert res.exit_code == 0, res.output
    folder = tmp_path / "out" / "2015" / "v1" / "phan-hoi"
    wb = openpyxl.load_workbook(folder / "PhanHoi_2015_10441_Thi-tran-Dai-Nghia.xlsx")
    cell = wb[L.DATA_SHEET]["E12"]
    assert cell.fill.fgColor.rgb == "00FFC7CE"
    assert cell.comment.text == (
        "Cảnh báo: Ô nhập số liệu nằm trong vùng gộp ô E12:E13; hãy bỏ gộp ô để mỗi số liệu ở một ô.\n\n"
        "Cảnh báo: Ô nhập số liệu nằm trong vùng gộp ô E12:E13; hãy bỏ gộp ô để mỗi số liệu ở một ô.\n\n"
        "Lỗi: Chưa nhập 'Số người 15-35 tuổi biết chữ' (bắt buộc). Hãy nhập số liệu, nếu không có thì nhập 0.")
    assert (tmp_path / "out" / "2015" / "v1" / "BC_XHHT_2015.docx").is_file()


def test_one_units_feedback_failure_is_an_issue_and_the_rest_is_written(inputs, submit, tmp_path, monkeypatch):
    import pipeline.feedback as fb

    submit("10441", values={**full_values(load_catalog(inputs).unit("10441")), "BIET_CHU_15_60": (1200, 1000)})
    submit("10462", values={**full_values(load_catalog(inputs).unit("10462")), "BIET_CHU_15_60": (1200, 1000)})
    original = fb.marked_workbook

    def broken(unit_fb, *a, **kw):
        if unit_fb.unit == "10441":
            raise ValueError("'MergedCell' object attribute 'comment' is read-only")
        return original(unit_fb, *a, **kw)
    monkeypatch.setattr(fb, "marked_workbook", broken)
    res = run(inputs, tmp_path / "out", 2015, dt.date(2015, 12, 20), charts=False)
    [failed] = [i.text() for i in res.issues if i.code == "step-failed"]
    assert failed == ("Lỗi [step-failed] BieuMau_2015_10441_Dai-Nghia.xlsx: Gặp lỗi khi đánh dấu bảng tính phản hồi "
                      "cho đơn vị ('MergedCell' object attribute 'comment' is read-only); các đơn vị khác vẫn được xử "
                      "lý bình thường. Hãy gửi tệp này cho người quản trị xhht.")
    names = {p.name for p in (res.version / "phan-hoi").iterdir()}
    assert not any("_10441_" in n for n in names)
    assert "PhanHoi_2015_10462_Xa-An-My.xlsx" in names and "CV_2015_10462_Xa-An-My.docx" in names
    assert (res.version / "BC_XHHT_2015.docx").is_file() and "10441" not in res.feedback_units


# ------------------------------------------------------------------------------ 3. identity
def test_a_neighbours_form_is_an_error_on_both_units_and_replaces_nothing(inputs, submit):
    cat = load_catalog(inputs)
    submit("10504", name="BieuMau_2015_10504_An-Phu.xlsx", report_date=dt.date(2015, 12, 9))
    # An Mỹ's clerk filled An Phú's form with An Mỹ's figures, a day later, and named the file after An Mỹ
    submit("10504", name="BieuMau_2015_10462_An-My.xlsx", report_date=dt.date(2015, 12, 10),
           values=full_values(cat.unit("10504"), base=2000))
    checked = _check(inputs)
    assert _texts(checked, "identity-mismatch") == [
        "Lỗi [identity-mismatch] BieuMau_2015_10462_An-My.xlsx: Tệp mang mã của Xã An Phú nhưng tên tệp "
        "'BieuMau_2015_10462_An-My.xlsx' chỉ Xã An Mỹ. Tệp chưa được dùng cho đơn vị nào; hãy xác nhận với hai đơn vị "
        "xem đây là báo cáo của ai."]
    assert _texts(checked, "identity-other-unit") == [
        "Lỗi [identity-other-unit] BieuMau_2015_10462_An-My.xlsx: Có thể Xã An Mỹ đã gửi nhầm biểu mẫu của Xã An Phú "
        "(tệp này, tên tệp 'BieuMau_2015_10462_An-My.xlsx'). Tệp chưa được dùng; hãy xác nhận với đơn vị và đề nghị "
        "gửi lại đúng biểu mẫu của mình."]
    row = next(u for u in checked.completeness if u.unit == "10504")
    assert row.file == "BieuMau_2015_10504_An-Phu.xlsx"            # An Phú's real figures are kept
    assert checked.observations[("10504", "BIET_CHU_15_60")].denominator == 1000


def test_a_unit_line_naming_another_unit_is_refused(inputs, submit):
    path = submit("10504", name="bao-cao.xlsx")
    _edit(path, lambda wb: wb[L.DATA_SHEET].__setitem__("A2", "Đơn vị: Xã An Mỹ (mã 10462)"))
    checked = _check(inputs)
    assert [i.unit for i in checked.issues if i.code.startswith("identity-")] == ["10504", "10462"]
    assert "10504" not in [u.unit for u in checked.received]


# ------------------------------------------------------------------------------ 4. plausibility
def test_a_denominator_of_ten_to_the_fifteen_is_an_error_at_its_cell(inputs, submit):
    cat = load_catalog(inputs)
    submit("10441", values={**full_values(cat.unit("10441")), "BIET_CHU_15_60": (990, 10**15)})
    checked = _check(inputs)
    assert _texts(checked, "out-of-bounds") == [
        "Lỗi [out-of-bounds] BieuMau_2015_10441_Dai-Nghia.xlsx, trang 'Số liệu', ô G12: Giá trị 1.000.000.000.000.000 "
        "của 'Tổng số người 15-60 tuổi' nằm ngoài khoảng hợp lý 100–100.000 cho một xã, thị trấn; số liệu này không "
        "được tính. Hãy kiểm tra lại (có thể gõ thừa chữ số)."]
    assert checked.observations[("10441", "BIET_CHU_15_60")].valid is False


def test_a_value_far_above_the_median_of_its_kind_is_an_error(inputs, submit):
    cat = load_catalog(inputs)
    codes = ["10444", "10447", "10450", "10453", "10456"]
    for code in codes:
        submit(code)
    submit("10459", values={**full_values(cat.unit("10459")), "LDNT_TTHTCD": (500, 90000)})
    checked = _check(inputs)
    [msg] = _texts(checked, "above-median")
    assert msg == ("Lỗi [above-median] BieuMau_2015_10459_Bot-Xuyen.xlsx, trang 'Số liệu', ô G22: Giá trị 90.000 của "
                   "'Tổng số lao động nông thôn' gấp hơn 10 lần trung vị của các đơn vị cùng loại (1.000); số liệu này "
                   "không được tính. Hãy kiểm tra lại (có thể gõ thừa chữ số).")


def test_a_duplicated_indicator_row_uses_neither_row(inputs, submit):
    path = submit("10441")

    def dup(wb):
        ws = wb[L.DATA_SHEET]
        r = ws.max_row + 2
        ws[f"B{r}"], ws[f"E{r}"], ws[f"G{r}"] = "BIET_CHU_15_60", 50, 60
    _edit(path, dup)
    wb = openpyxl.load_workbook(path)
    last = wb[L.DATA_SHEET].max_row
    checked = _check(inputs)
    assert _texts(checked, "duplicate-indicator") == [
        f"Lỗi [duplicate-indicator] BieuMau_2015_10441_Dai-Nghia.xlsx, trang 'Số liệu', ô B12, B{last}: Chỉ tiêu "
        f"'BIET_CHU_15_60' (Tỷ lệ người trong độ tuổi 15-60 biết chữ) có hai dòng (dòng 12 và dòng {last}); chưa dùng "
        "dòng nào. Hãy xóa dòng thừa, chỉ giữ số liệu năm nay."]
    assert ("10441", "BIET_CHU_15_60") not in checked.observations
    assert _texts(checked, "indicator-missing") == []


def _excel_error(path, ref, error):
    """Turn cell ``ref`` of the data sheet into a formula cell showing ``error`` (as Excel saves it)."""
    src = path.read_bytes()
    import io

    with zipfile.ZipFile(io.BytesIO(src)) as z, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in z.infolist():
            data = z.read(info.filename)
            if info.filename == "xl/worksheets/sheet2.xml":
                text = data.decode()
                text, n = re.subn(rf'<c r="{ref}"([^>]*?)(?: t="\w+")?>.*?</c>',
                                  rf'<c r="{ref}"\1 t="e"><f>E11/0</f><v>{error}</v></c>', text, count=1)
                assert n == 1
                data = text.encode()
            out.writestr(info, data)


@pytest.mark.parametrize("error", ["#DIV/0!", "#REF!"])
def test_excel_error_cells_have_their_own_message(inputs, submit, error):
    path = submit("10441")
    _excel_error(path, "E12", error)
    checked = _check(inputs)
    assert _texts(checked, "excel-error") == [
        f"Lỗi [excel-error] BieuMau_2015_10441_Dai-Nghia.xlsx, trang 'Số liệu', ô E12: Ô 'Số người 15-60 tuổi biết "
        f"chữ' có lỗi công thức {error}. Hãy sửa công thức hoặc nhập số trực tiếp."]
    assert _texts(checked, "missing-value") == []


def test_a_renamed_data_sheet_is_read_with_a_warning(inputs, submit):
    path = submit("10441")
    _edit(path, lambda wb: setattr(wb[L.DATA_SHEET], "title", "Số liệu (2)"))
    checked = _check(inputs)
    assert _texts(checked, "renamed-sheet") == [
        "Cảnh báo [renamed-sheet] BieuMau_2015_10441_Dai-Nghia.xlsx, trang 'Số liệu (2)': Trang số liệu đã bị đổi tên thành 'Số liệu (2)' "
        "(tên đúng: 'Số liệu'); số liệu vẫn được đọc. Hãy giữ nguyên tên trang."]
    assert [u.unit for u in checked.received] == ["10441"]
    assert checked.observations[("10441", "BIET_CHU_15_60")].numerator == 990


# ------------------------------------------------------------------------------ 5. the run's date
def test_a_run_dated_before_the_deadline_warns_and_calls_nobody_late(inputs, submit, tmp_path):
    submit("10441", report_date=dt.date(2015, 12, 18))   # typed after the run's date
    res = CliRunner().invoke(cli, ["run", "--year", "2015", "--date", "10/12/2015", "--inputs", str(inputs),
                                   "--outputs", str(tmp_path / "out"), "--no-feedback", "--no-charts"])
    assert res.exit_code == 0, res.output
    assert ("  Cảnh báo [run-before-deadline]: Ngày báo cáo 10/12/2015 sớm hơn hạn nộp 15/12/2015: các đơn vị còn "
            "trong hạn, chưa đơn vị nào bị tính là nộp muộn; báo cáo lập lúc này chưa đầy đủ.") in res.output.splitlines()
    assert "nộp muộn:" not in res.output
    late = CliRunner().invoke(cli, ["run", "--year", "2015", "--date", "2015-12-20", "--inputs", str(inputs),
                                    "--outputs", str(tmp_path / "out"), "--no-feedback", "--no-charts"])
    assert "1 đơn vị nộp muộn: Thị trấn Đại Nghĩa (3 ngày)." in late.output.splitlines()


# ------------------------------------------------------------------------------ 9. byte-identical feedback
def test_feedback_workbooks_are_byte_identical_across_runs(inputs, submit, tmp_path):
    cat = load_catalog(inputs)
    submit("10441", values={**full_values(cat.unit("10441")), "BIET_CHU_15_60": (1200, 1000)})
    import time

    a = run(inputs, tmp_path / "a", 2015, dt.date(2015, 12, 20), charts=False)
    time.sleep(1.1)   # a second later: any saving time would show
    b = run(inputs, tmp_path / "b", 2015, dt.date(2015, 12, 20), charts=False)
    files = sorted(p.name for p in (a.version / "phan-hoi").iterdir())
    assert "PhanHoi_2015_10441_Thi-tran-Dai-Nghia.xlsx" in files
    for name in files:
        assert (a.version / "phan-hoi" / name).read_bytes() == (b.version / "phan-hoi" / name).read_bytes(), name
    shutil.rmtree(tmp_path / "a")


def test_a_file_that_breaks_the_reader_is_an_issue_and_the_others_are_read(inputs, submit, monkeypatch):
    import pipeline.ingest as ing

    submit("10441")
    submit("10504")
    original = ing._read_one

    def fragile(sub, *a, **kw):
        if "10441" in sub.file:
            raise IndexError("list index out of range")
        return original(sub, *a, **kw)
    monkeypatch.setattr(ing, "_read_one", fragile)
    checked = _check(inputs)
    assert _texts(checked, "step-failed") == [
        "Lỗi [step-failed] BieuMau_2015_10441_Dai-Nghia.xlsx: Gặp lỗi khi đọc tệp (list index out of range); các đơn "
        "vị khác vẫn được xử lý bình thường. Hãy gửi tệp này cho người quản trị xhht."]
    assert [u.unit for u in checked.received] == ["10504"]
