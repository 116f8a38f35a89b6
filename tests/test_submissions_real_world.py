"""Submissions as offices really send them: typed values, formulas, merged cells, broken files."""

from __future__ import annotations

import datetime as dt
import zipfile

import openpyxl
import pytest

from pipeline import form_layout as L
from pipeline.ingest import ingest
from pipeline.catalog_load import load_catalog
from pipeline.validate import parse_count, validate


def _check(inputs, year=2015):
    cat = load_catalog(inputs)
    data = ingest(cat, inputs, year)
    return validate(cat, data)


def _msgs(checked, code):
    return [i.text() for i in checked.issues if i.code == code]


@pytest.mark.parametrize("raw, value, problem", [
    (1234, 1234, None), (1234.0, 1234, None), ("1234", 1234, None), (" 12 ", 12, None), ("１２３", 123, None),
    ("1.234", 1234, None), ("1.234.567", 1234567, None), ("1 234", 1234, None), ("1\u00a0234", 1234, None),
    ("95%", None, "percent-typed"), ("95,5%", None, "percent-typed"), ("95,5", None, "not-integer"),
    ("12.5", None, "not-integer"), (12.5, None, "not-integer"), ("1,234", None, "ambiguous-number"),
    ("-5", None, "negative"), (-5, None, "negative"), ("mười", None, "not-a-number"), ("", None, "missing-value"),
    (None, None, "missing-value"), (True, None, "not-a-number"), ("12a", None, "not-a-number"),
])
def test_parse_count(raw, value, problem):
    got, code, _ = parse_count(raw)
    assert (got, code) == (value, problem)


def test_typed_values_flagged_with_their_cells(inputs, submit):
    submit("10441", values={"BIET_CHU_15_60": ("5.432", "5 500"), "BIET_CHU_15_35": ("96%", 100),
                            "CBCCVC_CNTT": ("1,234", 2000)})
    checked = _check(inputs)
    o = checked.observations[("10441", "BIET_CHU_15_60")]
    assert (o.numerator, o.denominator, o.valid) == (5432, 5500, True)
    f = "BieuMau_2015_10441_Dai-Nghia.xlsx, trang 'Số liệu'"
    assert _msgs(checked, "percent-typed") == [
        f"Lỗi [percent-typed] {f}, ô E13: Giá trị '96%' của 'Số người 15-35 tuổi biết chữ' là tỷ lệ phần trăm; biểu "
        "mẫu cần số đếm (số người, số đơn vị), tỷ lệ do phần mềm tự tính."]
    assert _msgs(checked, "ambiguous-number") == [
        f"Lỗi [ambiguous-number] {f}, ô E15: Giá trị '1,234' của 'Số cán bộ, công chức, viên chức tham gia học tập "
        "nâng cao trình độ ứng dụng công nghệ thông tin trong năm' không rõ nghĩa (có thể là 1234 hoặc 1.234). Hãy nhập số nguyên không có dấu chấm, dấu phẩy."]
    assert f"Thông tin [number-as-text] {f}, ô E12: Giá trị '5.432' của 'Số người 15-60 tuổi biết chữ' được nhập dạng " \
           "chữ; đã hiểu là 5432." in _msgs(checked, "number-as-text")


def test_formula_without_cached_value_is_reported_not_read_as_empty(inputs, submit):
    path = submit("10441", values={"BIET_CHU_15_60": (900, 1000)})
    wb = openpyxl.load_workbook(path)
    ws = wb[L.DATA_SHEET]
    ws["E12"] = "=400+500"        # openpyxl saves formulas without a computed value
    ws["E13"] = "=SUM(1,2)"
    wb.save(path)
    checked = _check(inputs)
    assert _msgs(checked, "formula-no-value")[0] == (
        "Lỗi [formula-no-value] BieuMau_2015_10441_Dai-Nghia.xlsx, trang 'Số liệu', ô E12: Ô 'Số người 15-60 tuổi "
        "biết chữ' chứa công thức nhưng chưa có kết quả tính (tệp được lưu bằng chương trình không tính công thức). "
        "Hãy mở tệp bằng Excel hoặc LibreOffice, lưu lại rồi gửi, hoặc nhập số trực tiếp.")
    assert not [m for m in _msgs(checked, "missing-value") if "ô E12" in m or "ô E13" in m]


def test_extra_rows_and_columns_and_merged_and_hidden(inputs, submit):
    path = submit("10441", values={"BIET_CHU_15_60": (900, 1000), "BIET_CHU_15_35": (400, 500)})
    wb = openpyxl.load_workbook(path)
    ws = wb[L.DATA_SHEET]
    ws.protection.sheet = False
    for rng in list(ws.merged_cells.ranges):  # openpyxl does not move merged ranges with inserted rows
        ws.unmerge_cells(str(rng))
    ws.insert_rows(8, amount=2)           # a clerk adds rows
    ws.insert_cols(1)                     # and a column in front
    ws.merge_cells("F15:H15")             # merges the input cells of BIET_CHU_15_35 (row 13 -> 15, E..G -> F..H)
    ws.sheet_state = "hidden"
    wb.active = 0
    wb.save(path)
    checked = _check(inputs)
    o = checked.observations[("10441", "BIET_CHU_15_60")]
    assert (o.numerator, o.denominator, o.valid) == (900, 1000, True)
    assert o.cells == {"numerator": "F14", "denominator": "H14"}
    assert _msgs(checked, "merged-input")[0] == (
        "Cảnh báo [merged-input] BieuMau_2015_10441_Dai-Nghia.xlsx, trang 'Số liệu', ô F15: Ô nhập số liệu nằm trong "
        "vùng gộp ô F15:H15; hãy bỏ gộp ô để mỗi số liệu ở một ô.")
    assert _msgs(checked, "hidden-sheet") == [
        "Cảnh báo [hidden-sheet] BieuMau_2015_10441_Dai-Nghia.xlsx, trang 'Số liệu': Trang 'Số liệu' đang bị ẩn; số "
        "liệu vẫn được đọc. Hãy bỏ ẩn trang này."]


def _folder(inputs):
    folder = inputs / "submissions" / "2015"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def test_failure_modes_each_with_its_message(inputs, submit, monkeypatch):
    import pipeline.ingest as ing

    good = submit("10504")
    folder = _folder(inputs)
    (folder / "rong.xlsx").write_bytes(b"")
    (folder / "khong-phai-zip.xlsx").write_bytes(b"<html>Trang web</html>")
    (folder / "cat-ngang.xlsx").write_bytes(good.read_bytes()[:3000])
    (folder / "mat-khau.xlsx").write_bytes(bytes.fromhex("D0CF11E0A1B11AE1") + b"\x00" * 600)
    (folder / "~$BieuMau.xlsx").write_bytes(b"owner")
    (folder / ".~lock.BieuMau.xlsx#").write_bytes(b"owner")
    with zipfile.ZipFile(folder / "bom.xlsx", "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/big.xml", b"0" * (3 * 1024 * 1024))
    monkeypatch.setattr(ing, "MAX_UNZIPPED_MB", 2)
    (folder / "lon.xlsx").write_bytes(b"PK\x03\x04" + b"0" * (3 * 1024 * 1024))
    monkeypatch.setattr(ing, "MAX_FILE_MB", 2)
    checked = _check(inputs)
    text = [i.text() for i in checked.issues if i.severity.value == "error"]
    assert "Lỗi [file-empty] rong.xlsx: Tệp rỗng (0 byte). Hãy gửi lại tệp biểu mẫu đã nhập số liệu." in text
    assert ("Lỗi [file-not-workbook] khong-phai-zip.xlsx: Tệp có đuôi .xlsx nhưng nội dung không phải bảng tính "
            "Excel/LibreOffice. Hãy mở tệp, lưu lại dạng .xlsx rồi gửi lại.") in text
    assert ("Lỗi [file-corrupt] cat-ngang.xlsx: Tệp bị hỏng hoặc chưa được tải về đầy đủ (không mở được gói dữ liệu "
            "của tệp). Hãy đề nghị đơn vị gửi lại tệp.") in text
    assert ("Lỗi [password-protected] mat-khau.xlsx: Tệp được đặt mật khẩu nên không đọc được. Hãy bỏ mật khẩu mở "
            "tệp (Excel: Tệp > Thông tin > Bảo vệ sổ làm việc) rồi gửi lại.") in text
    assert ("Lỗi [zip-too-large] bom.xlsx: Dữ liệu giải nén của tệp lên tới 3 MB, vượt giới hạn 2 MB; tệp không "
            "được đọc để bảo vệ máy tính. Hãy gửi đúng tệp biểu mẫu.") in text
    assert ("Lỗi [file-too-large] lon.xlsx: Tệp có dung lượng 3,0 MB, vượt giới hạn 2 MB của một biểu mẫu. Hãy gửi "
            "đúng tệp biểu mẫu, không chèn ảnh hay dữ liệu khác.") in text
    assert not any("~$" in t or ".~lock" in t for t in text)
    assert [u.unit for u in checked.received] == ["10504"]  # the good file is still used


def test_two_different_files_same_unit_same_date_are_both_refused(inputs, submit):
    # no receipt time (files from 2026 for report year 2015): only the typed dates, and they are equal
    submit("10504", name="a.xlsx", report_date=dt.date(2015, 12, 9))
    submit("10504", name="b.xlsx", report_date=dt.date(2015, 12, 9), values={"BIET_CHU_15_60": (900, 1000)})
    checked = _check(inputs)
    assert _msgs(checked, "ambiguous-version") == [
        "Lỗi [ambiguous-version] a.xlsx: Đơn vị có hai tệp khác nhau cùng thời điểm (ngày báo cáo 09/12/2015): "
        "'a.xlsx' và 'b.xlsx'. Không biết bản nào là bản đúng nên chưa dùng tệp nào. Hãy xác nhận với đơn vị rồi "
        "xóa tệp sai khỏi thư mục."]
    assert "10504" not in [u.unit for u in checked.received]


def test_two_identical_files_same_date_use_one(inputs, submit):
    import shutil

    path = submit("10504", name="a.xlsx", report_date=dt.date(2015, 12, 9))
    shutil.copy(path, path.with_name("b.xlsx"))
    checked = _check(inputs)
    assert _msgs(checked, "ambiguous-version") == []
    assert [u.file for u in checked.received] == ["b.xlsx"]


@pytest.mark.parametrize("legacy, unicode_text, enc", [
    ("Tæ chøc tuyªn truyÒn vÒ x©y dùng x· héi häc tËp", "Tổ chức tuyên truyền về xây dựng xã hội học tập", "TCVN3"),
    ("Ch\u00ada ®¹t", "Chưa đạt", "TCVN3"),
    ("M\u00adêng Kh\u00ad¬ng, B¶o Th¾ng", "Mường Khương, Bảo Thắng", "TCVN3"),
    ("Toå chöùc tuyeân truyeàn veà xaây döïng xaõ hoäi hoïc taäp", "Tổ chức tuyên truyền về xây dựng xã hội học tập", "VNI"),
    ("Ñaït", "Đạt", "VNI"),
    ("Tổ chức tuyên truyền", "Tổ chức tuyên truyền", None),
    ("hoá học", "hoá học", None),
    ("naïve", "naïve", None),
])
def test_legacy_encodings(legacy, unicode_text, enc):
    from pipeline.legacy_encodings import to_unicode

    assert to_unicode(legacy) == (unicode_text, enc)


def test_legacy_text_converted_with_a_warning_naming_the_cell(inputs, submit):
    submit("10441", values={"XMC": "§¹t"}, texts={"NV1": "Tæ chøc tuyªn truyÒn vÒ x©y dùng x· héi häc tËp"})
    checked = _check(inputs)
    assert checked.observations[("10441", "XMC")].status == "Đạt"
    assert [t.text for t in checked.texts if t.unit == "10441"] == ["Tổ chức tuyên truyền về xây dựng xã hội học tập"]
    assert ("Cảnh báo [legacy-encoding] BieuMau_2015_10441_Dai-Nghia.xlsx, trang 'Nhiệm vụ', ô C12: Chữ ở ô này được "
            "gõ bằng bảng mã cũ TCVN3; đã chuyển sang Unicode: \"Tổ chức tuyên truyền về xây dựng xã hội học tập\". Lần "
            "sau hãy gõ bằng bảng mã Unicode (trong Unikey chọn bảng mã Unicode).") in _msgs(checked, "legacy-encoding")
    assert any("ô E7" in m for m in _msgs(checked, "legacy-encoding"))
