"""Receiving (sổ văn bản đến), the newest receipt wins, and the status board."""

from __future__ import annotations

import datetime as dt
import shutil
import zipfile

from click.testing import CliRunner

from pipeline.cli import cli
from pipeline.ingest import ingest
from pipeline.catalog_load import load_catalog
from pipeline.runner import list_received, receive, status
from pipeline.validate import validate

T1 = dt.datetime(2015, 12, 10, 9, 0)
T2 = dt.datetime(2015, 12, 12, 14, 30)


def _outbox(tmp_path, submit, code="10504", name=None, **kw):
    """Write a filled form somewhere outside the submissions folder (as if downloaded from e-mail)."""
    path = submit(code, name=name, **kw)
    dest = tmp_path / "mail" / path.name
    dest.parent.mkdir(exist_ok=True)
    shutil.move(path, dest)
    return dest


def test_receive_records_stores_and_deduplicates(tmp_path, inputs, submit):
    out = tmp_path / "out"
    src = _outbox(tmp_path, submit, name="bao cao An Phu.xlsx")
    [r] = receive(inputs, out, 2015, [src], now=T1)
    assert (r.number, r.unit, r.unit_name, r.report_date, r.new) == (1, "10504", "Xã An Phú", dt.date(2015, 12, 10), True)
    assert r.stored == f"bao-cao-An-Phu__{r.sha256[:12]}.xlsx"
    stored = inputs / "submissions" / "2015" / r.stored
    assert stored.read_bytes() == src.read_bytes()
    assert dt.datetime.fromtimestamp(stored.stat().st_mtime) == T1  # the file's time is its receipt time
    assert r.text() == (f"Số đến   1  10/12/2015 09:00:00  Xã An Phú, ngày báo cáo 10/12/2015: bao cao An Phu.xlsx, "
                        f"lưu thành {r.stored}.")
    # the same bytes again (another name, later): recorded once, the first receipt is returned
    again = tmp_path / "copy.xlsx"
    shutil.copy(src, again)
    [r2] = receive(inputs, out, 2015, [again], now=T2)
    assert (r2.number, r2.received, r2.new) == (1, T1, False)
    assert len(list_received(out, 2015)) == 1
    assert len(list((inputs / "submissions" / "2015").iterdir())) == 1


def test_receive_a_zip_of_several_forms_and_a_folder(tmp_path, inputs, submit):
    out = tmp_path / "out"
    a = _outbox(tmp_path, submit, "10504")
    b = _outbox(tmp_path, submit, "10462")
    archive = tmp_path / "cac-xa.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.write(a, "thang12/" + a.name)
        z.write(b, b.name)
        z.writestr("__MACOSX/._x.xlsx", b"junk")
    got = receive(inputs, out, 2015, [archive], now=T1)
    assert sorted(r.unit for r in got) == ["10462", "10504"]
    assert sorted(r.original for r in got) == sorted([f"cac-xa.zip/thang12/{a.name}", f"cac-xa.zip/{b.name}"])
    assert [r.number for r in list_received(out, 2015)] == [1, 2]
    # the folder holding the same two files: nothing new
    assert [r.new for r in receive(inputs, out, 2015, [tmp_path / "mail"], now=T2)] == [False, False]


def test_receive_refuses_non_workbooks_exit_1(tmp_path, inputs):
    (tmp_path / "ghi-chu.txt").write_text("x")
    res = CliRunner().invoke(cli, ["receive", "--year", "2015", str(tmp_path / "ghi-chu.txt"), "--inputs", str(inputs),
                                   "--outputs", str(tmp_path / "out")])
    assert res.exit_code == 1
    assert res.output == ("Lỗi: Không nhận được vì không phải bảng tính Excel/LibreOffice (.xlsx, .xlsm, .xls, .ods): "
                          "ghi-chu.txt. Hãy bỏ các tệp này ra rồi nhận lại.\n")
    assert not list((inputs / "submissions" / "2015").glob("*"))  # nothing stored (the folder may not exist)


def test_corrected_file_received_later_wins_whatever_its_name(tmp_path, inputs, submit):
    """A unit fixes the marked workbook and resends it: same typed date, browser names it ``X (1).xlsx``."""
    out = tmp_path / "out"
    first = _outbox(tmp_path, submit, name="BieuMau_2015_10504_An-Phu.xlsx", values=None,
                    report_date=dt.date(2015, 12, 10))
    fixed = tmp_path / "fixed"
    fixed.mkdir()
    second = submit("10504", name="BieuMau_2015_10504_An-Phu (1).xlsx", report_date=dt.date(2015, 12, 10),
                    values={**_values("10504"), "BIET_CHU_15_60": (977, 1000)})
    shutil.move(second, fixed / second.name)
    r1 = receive(inputs, out, 2015, [first], now=T1)[0]
    r2 = receive(inputs, out, 2015, [fixed / second.name], now=T2)[0]
    assert r2.stored < r1.stored  # "(1)" sorts first by name: the name must not decide
    cat = load_catalog(inputs)
    from pipeline.receive import receipt_times

    data = ingest(cat, inputs, 2015, receipt_times(out, 2015))
    checked = validate(cat, data)
    assert {s.file: s.state for s in data.submissions} == {r1.stored: "superseded", r2.stored: "used"}
    assert checked.observations[("10504", "BIET_CHU_15_60")].numerator == 977
    [sup] = [i.text() for i in checked.issues if i.code == "superseded"]
    assert sup == (f"Thông tin [superseded] {r1.stored}: Đơn vị đã gửi bản mới hơn ({r2.stored}, nhận 12/12/2015 "
                   "14:30); bản này (nhận 10/12/2015 09:00) không được dùng để tổng hợp.")


def test_same_receipt_time_different_content_is_an_error_on_the_unit(tmp_path, inputs, submit):
    out = tmp_path / "out"
    a = _outbox(tmp_path, submit, name="a.xlsx")
    b = _outbox(tmp_path, submit, name="b.xlsx", values={**_values("10504"), "BIET_CHU_15_60": (977, 1000)})
    ra, rb = receive(inputs, out, 2015, [a, b], now=T1)
    board = status(inputs, out, 2015, dt.date(2015, 12, 20))
    row = next(r for r in board.rows if r.unit == "10504")
    assert (row.state, row.state_label, row.errors) == ("refused", "Đã gửi, chưa dùng được", 1)
    cat = load_catalog(inputs)
    from pipeline.receive import receipt_times

    checked = validate(cat, ingest(cat, inputs, 2015, receipt_times(out, 2015)))
    [msg] = [i.text() for i in checked.issues if i.code == "ambiguous-version"]
    assert msg == (f"Lỗi [ambiguous-version] {ra.stored}: Đơn vị có hai tệp khác nhau cùng thời điểm (nhận 10/12/2015 "
                   f"09:00): '{ra.stored}' và '{rb.stored}'. Không biết bản nào là bản đúng nên chưa dùng tệp nào. "
                   "Hãy xác nhận với đơn vị rồi xóa tệp sai khỏi thư mục.")


def _values(code):
    from conftest import full_values

    return full_values(load_catalog(__import__("conftest").INPUTS).unit(code))


def test_status_board_before_the_deadline(tmp_path, inputs, submit):
    out = tmp_path / "out"
    receive(inputs, out, 2015, [_outbox(tmp_path, submit, "10504", report_date=dt.date(2015, 12, 1))],
            now=dt.datetime(2015, 12, 16, 8, 0))   # received a day after the deadline
    receive(inputs, out, 2015, [_outbox(tmp_path, submit, "10462")], now=T1)
    board = status(inputs, out, 2015, dt.date(2015, 12, 10))
    assert board.headline() == ("Năm 2015, ngày 10/12/2015: 37 đơn vị phải báo cáo; đã nộp 2, chưa nộp 35; "
                                "còn 5 ngày đến hạn 15/12/2015.")
    an_phu = next(r for r in board.rows if r.unit == "10504")
    # lateness from the receipt (16/12), not the typed date (01/12); but a board dated before the deadline
    # calls nobody late, and it warns that the last receipt is after its date
    assert (an_phu.state, an_phu.late_days, an_phu.days_left) == ("received", 0, 5)
    assert an_phu.received_label == "16/12/2015 08:00 (sổ văn bản đến)"
    assert [i.text() for i in board.issues] == [
        "Cảnh báo [run-before-last-receipt]: Ngày báo cáo 10/12/2015 sớm hơn lần nhận tệp cuối cùng 16/12/2015 "
        f"({an_phu.file}). Hãy kiểm tra lại ngày báo cáo (--date)."]
    after = status(inputs, out, 2015, dt.date(2015, 12, 20))
    an_phu = next(r for r in after.rows if r.unit == "10504")
    missing = next(r for r in after.rows if r.unit == "10441")
    assert (an_phu.late_days, missing.state, missing.state_label, missing.late_days, missing.days_left) == \
        (1, "missing", "Chưa nộp", 5, -5)
    assert after.headline().endswith("đã quá hạn 15/12/2015 5 ngày.")


def test_cli_receive_list_and_status(tmp_path, inputs, submit):
    out = tmp_path / "out"
    src = _outbox(tmp_path, submit, "10504")
    runner = CliRunner()
    res = runner.invoke(cli, ["receive", "--year", "2015", str(src), "--inputs", str(inputs), "--outputs", str(out)])
    assert res.exit_code == 0, res.output
    assert res.output.splitlines()[-1] == f"Đã nhận 1 tệp mới vào {inputs / 'submissions' / '2015'}."
    res = runner.invoke(cli, ["receive", "--list", "--outputs", str(out)])
    assert res.exit_code == 0
    assert res.output.splitlines()[0].startswith("Năm 2015  Số đến   1  ")
    assert res.output.splitlines()[-1] == "Tổng số: 1 tệp."
    res = runner.invoke(cli, ["receive", str(src), "--inputs", str(inputs), "--outputs", str(out)])
    assert res.exit_code == 2
    assert "Thiếu tùy chọn '--year'" in res.output
    res = runner.invoke(cli, ["status", "--year", "2015", "--date", "20/12/2015", "--inputs", str(inputs),
                              "--outputs", str(out)])
    assert res.exit_code == 0, res.output
    lines = res.output.splitlines()
    assert lines[0] == ("Năm 2015, ngày 20/12/2015: 37 đơn vị phải báo cáo; đã nộp 1, chưa nộp 36; "
                        "đã quá hạn 15/12/2015 5 ngày.")
    row = next(line for line in lines if line.startswith("10504"))
    assert "Xã An Phú" in row and "Đã nộp" in row and "(sổ văn bản đến)" in row


def test_the_board_is_a_sheet_of_the_summary_workbook(tmp_path, inputs, submit):
    import openpyxl

    from pipeline.runner import run

    out = tmp_path / "out"
    receive(inputs, out, 2015, [_outbox(tmp_path, submit, "10504")], now=dt.datetime(2015, 12, 17, 10, 15))
    res = run(inputs, out, 2015, dt.date(2015, 12, 20), feedback=False, charts=False)
    wb = openpyxl.load_workbook(next(p for p in res.paths if p.suffix == ".xlsx"))
    ws = wb["Tiến độ nộp"]
    assert ws["A1"].value == "TÌNH HÌNH NỘP BÁO CÁO NĂM 2015 (hạn nộp 15/12/2015, tính đến ngày 20/12/2015)"
    heads = [c.value for c in ws[3]]
    assert heads[-2:] == ["Thời điểm nhận", "Số ngày còn đến hạn"]
    row = next([c.value for c in r] for r in ws.iter_rows(min_row=4) if r[1].value == "10504")
    assert row[3] == "Đã nộp" and row[6] == 2 and row[10] == "17/12/2015 10:15 (sổ văn bản đến)" and row[11] == -5
    missing = next([c.value for c in r] for r in ws.iter_rows(min_row=4) if r[1].value == "10441")
    assert missing[3] == "Chưa nộp" and missing[6] == 5


def test_files_received_together_are_ordered_by_their_typed_date(tmp_path, inputs, submit):
    out = tmp_path / "out"
    old = _outbox(tmp_path, submit, name="z-ban-dau.xlsx", report_date=dt.date(2015, 12, 5))
    new = _outbox(tmp_path, submit, name="a-bo-sung.xlsx", report_date=dt.date(2015, 12, 9),
                  values={**_values("10504"), "BIET_CHU_15_60": (977, 1000)})
    r_old, r_new = receive(inputs, out, 2015, [old, new], now=T1)
    board = status(inputs, out, 2015, dt.date(2015, 12, 20))
    row = next(r for r in board.rows if r.unit == "10504")
    assert (row.state, row.file, row.superseded) == ("received", r_new.stored, (r_old.stored,))
