"""An office PC: Word holds files open, consoles are not UTF-8, the văn thư keeps the register, runs repeat."""

from __future__ import annotations

import datetime as dt
import io
import os
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import full_values
from pipeline import archive, register
from pipeline.cli import cli, utf8_streams
from pipeline.catalog_load import load_catalog
from pipeline.runner import run

DAY = dt.date(2015, 12, 20)


@pytest.fixture
def small(inputs, submit):
    """Two units: enough for a BC, fast."""
    cat = load_catalog(inputs)
    submit("10441", values={**full_values(cat.unit("10441")), "BIET_CHU_15_60": (1200, 1000)})
    submit("10504")
    return inputs


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


# ------------------------------------------------------------------------------ 7. Windows
def test_a_working_copy_open_in_word_leaves_nothing_behind(small, tmp_path, monkeypatch):
    out = tmp_path / "out"
    first = run(small, out, 2015, DAY, number="auto", charts=False)  # (charts: no part of these tests)
    assert first.version.name == "v1"
    before = _tree(out)
    register_before = [(e.code, e.status, e.version) for e in register.entries(out)]
    monkeypatch.setattr("pipeline.atomic_files.RETRY_DELAYS", (0.0, 0.0))
    real = os.replace

    def word_holds_bc(src, dst, *a, **k):   # Windows refuses to move a file Word has open
        if Path(src).name == "BC_XHHT_2015.docx" and Path(src).parent == out / "2015":
            raise PermissionError(13, "Permission denied", str(src))
        return real(src, dst, *a, **k)
    monkeypatch.setattr(os, "replace", word_holds_bc)
    res = CliRunner().invoke(cli, ["run", "--year", "2015", "--date", "21/12/2015", "--number", "auto", "--inputs",
                                   str(small), "--outputs", str(out), "--no-charts"])
    assert res.exit_code == 1
    assert res.output.splitlines()[-1] == (
        f"Lỗi: Không ghi được {out / '2015' / 'BC_XHHT_2015.docx'}: tệp đang mở trong chương trình khác hoặc không có "
        "quyền ghi. Hãy đóng tệp BC_XHHT_2015.docx trong Word rồi chạy lại.")
    after = _tree(out)
    assert sorted(k for k in after if k != "so-dang-ky.sqlite") == sorted(k for k in before if k != "so-dang-ky.sqlite")
    assert all(after[k] == before[k] for k in after if k != "so-dang-ky.sqlite")   # no v2, no .tmp, copies as they were
    assert [(e.code, e.status, e.version) for e in register.entries(out)] == register_before  # no number taken


def test_renames_retry_briefly_on_a_sharing_violation(tmp_path, monkeypatch):
    from pipeline.atomic_files import replace_file

    monkeypatch.setattr("pipeline.atomic_files.RETRY_DELAYS", (0.0, 0.0, 0.0))
    src, dst = tmp_path / "a", tmp_path / "b"
    src.write_text("x")
    real, calls = os.replace, []

    def antivirus(s, d):
        calls.append(s)
        if len(calls) < 3:
            raise PermissionError(32, "The process cannot access the file", str(s))
        return real(s, d)
    monkeypatch.setattr(os, "replace", antivirus)
    replace_file(src, dst)
    assert len(calls) == 3 and dst.read_text() == "x"


def test_output_is_utf8_on_a_cp1258_console(monkeypatch):
    raw = io.BytesIO()
    console = io.TextIOWrapper(raw, encoding="cp1258")   # Vietnamese Windows code page: no "ự", "ồ", …
    monkeypatch.setattr(sys, "stdout", console)
    with pytest.raises(UnicodeEncodeError):
        print("Đã nhận 36/37 đơn vị; Ủy ban Mặt trận Tổ quốc: tự học", file=console)
    utf8_streams()
    print("Đã nhận 36/37 đơn vị; Ủy ban Mặt trận Tổ quốc: tự học")
    sys.stdout.flush()
    assert raw.getvalue().decode("utf-8").endswith("Đã nhận 36/37 đơn vị; Ủy ban Mặt trận Tổ quốc: tự học\n")


def test_archive_verify_ignores_and_lists_lock_and_explorer_files(small, tmp_path):
    out = tmp_path / "out"
    v1 = run(small, out, 2015, DAY, charts=False).version
    for name in ("~$_XHHT_2015.docx", ".~lock.BC_XHHT_2015.docx#", "Thumbs.db", "desktop.ini"):
        (v1 / name).write_bytes(b"lock")
    res = CliRunner().invoke(cli, ["archive", "verify", "--outputs", str(out)])
    assert res.exit_code == 0, res.output
    assert res.output.splitlines() == [
        "Bỏ qua 4 tệp khóa của Word/Excel/LibreOffice hoặc tệp của Windows Explorer (không thuộc phiên bản): "
        "2015/v1/.~lock.BC_XHHT_2015.docx#, 2015/v1/Thumbs.db, 2015/v1/desktop.ini, 2015/v1/~$_XHHT_2015.docx",
        f"Đã kiểm tra 1 phiên bản, {res.output.split(' tệp:')[0].split(', ')[-1]} tệp: toàn vẹn."]
    (v1 / "BC_XHHT_2015.docx").chmod(0o644)
    (v1 / "them.docx").write_bytes(b"x")   # a real added file is still a deviation
    res = CliRunner().invoke(cli, ["archive", "verify", "--outputs", str(out)])
    assert res.exit_code == 1 and "Lỗi: 2015/v1/them.docx: tệp được thêm vào sau so với manifest." in res.output


def test_soffice_is_found_where_windows_and_macos_install_it(tmp_path):
    from pipeline.errors import OutputError
    from pipeline.pdf import find_soffice

    program = tmp_path / "Program Files" / "LibreOffice" / "program"
    program.mkdir(parents=True)
    (program / "soffice.exe").write_bytes(b"")
    env = {"PATH": str(tmp_path / "empty"), "ProgramFiles": str(tmp_path / "Program Files")}
    assert find_soffice(environ=env, system="Windows") == str(program / "soffice.exe")
    assert find_soffice(environ={"PATH": str(tmp_path / "empty")}, system="Windows") is None
    mine = tmp_path / "lo" / "soffice"
    mine.parent.mkdir()
    mine.write_bytes(b"")
    assert find_soffice(environ={"PATH": "", "XHHT_SOFFICE": str(mine)}, system="Linux") == str(mine)
    office = tmp_path / "office.yaml"
    office.write_text(f"soffice: '{mine.parent}'\n", encoding="utf-8")
    assert find_soffice(office, environ={"PATH": ""}, system="Darwin") == str(mine)
    with pytest.raises(OutputError) as err:
        find_soffice(environ={"PATH": "", "XHHT_SOFFICE": str(tmp_path / "khong-co")}, system="Windows")
    assert str(err.value) == (f"Không tìm thấy LibreOffice tại {tmp_path / 'khong-co'} (đặt trong XHHT_SOFFICE hoặc "
                              "office.yaml). Hãy sửa đường dẫn tới tệp soffice (Windows: soffice.exe) rồi chạy lại.")


def test_templates_come_from_the_inputs_folder(small, tmp_path, monkeypatch):
    from pipeline.runner import templates_dir

    shipped = templates_dir(None)   # the repository's templates/ or, installed, the packaged copy
    assert (shipped / "bao_cao.docx").is_file()
    monkeypatch.chdir(tmp_path)
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "bao_cao.docx").write_bytes(b"not the office's")   # the current folder is ignored
    assert templates_dir(small) == shipped != tmp_path / "templates"
    own = small / "templates"
    own.mkdir()
    for name in ("bao_cao.docx", "ke_hoach.docx", "cong_van.docx"):
        (own / name).write_bytes((shipped / name).read_bytes())
    assert templates_dir(small) == own


# ------------------------------------------------------------------------------ 8. the register
def _reg(out):
    return [(e.code, e.state_label, e.version) for e in register.entries(out, 2015)]


def test_register_number_lifecycle(small, tmp_path):
    out = tmp_path / "out"
    cli_args = ["--inputs", str(small), "--outputs", str(out), "--no-feedback", "--no-charts"]
    a = run(small, out, 2015, DAY, number="auto", feedback=False, charts=False)
    assert a.number == "01/BC-PGDĐT, 01/TTr-PGDĐT"
    assert _reg(out) == [("01/BC-PGDĐT", "đã lấy số", "2015/v1"), ("01/TTr-PGDĐT", "đã lấy số", "2015/v1")]
    # a corrected draft before anything is sent keeps the same numbers
    b = run(small, out, 2015, dt.date(2015, 12, 21), number="auto", feedback=False, charts=False)
    assert b.number == "01/BC-PGDĐT, 01/TTr-PGDĐT"
    assert _reg(out) == [("01/BC-PGDĐT", "đã lấy số", "2015/v2"), ("01/TTr-PGDĐT", "đã lấy số", "2015/v2")]
    # sealed: đã ban hành
    assert CliRunner().invoke(cli, ["archive", "seal", "--outputs", str(out), "--year", "2015", "--version", "2"]
                              ).exit_code == 0
    assert _reg(out) == [("01/BC-PGDĐT", "đã ban hành", "2015/v2"), ("01/TTr-PGDĐT", "đã ban hành", "2015/v2")]
    # the next run takes 02; removed unsealed, 02 is released and taken again
    c = run(small, out, 2015, dt.date(2015, 12, 22), number="auto", feedback=False, charts=False)
    assert c.number == "02/BC-PGDĐT, 02/TTr-PGDĐT"
    assert CliRunner().invoke(cli, ["archive", "remove", "--outputs", str(out), "--year", "2015", "--version", "3"]
                              ).exit_code == 0
    assert _reg(out)[1] == ("02/BC-PGDĐT", "đã trả lại số", "")
    d = run(small, out, 2015, dt.date(2015, 12, 23), number="auto", feedback=False, charts=False)
    assert d.number == "02/BC-PGDĐT, 02/TTr-PGDĐT" and d.version.name == "v3"
    # an issued number is never reused, even typed by hand
    res = CliRunner().invoke(cli, ["run", "--year", "2015", "--date", "24/12/2015", "--number", "1"] + cli_args)
    assert res.exit_code == 2
    assert res.output.splitlines()[-1] == (
        "Lỗi: Số 01/BC-PGDĐT năm 2015 đã ban hành (2015/v2, ngày 21/12/2015); một số đã ban hành không dùng lại được. "
        "Hãy hỏi văn thư số tiếp theo.")
    assert [v.name for v in archive.versions(out, 2015)] == ["v1", "v2", "v3"]
    # the number the văn thư gave
    res = CliRunner().invoke(cli, ["run", "--year", "2015", "--date", "24/12/2015", "--number", "12,7"] + cli_args)
    assert res.exit_code == 0, res.output
    assert "Số văn bản: 12/BC-PGDĐT, 07/TTr-PGDĐT (đã ghi vào sổ đăng ký văn bản đi)." in res.output
    res = CliRunner().invoke(cli, ["register", "list", "--outputs", str(out), "--year", "2015"])
    assert res.output.splitlines()[0] == "Số, ký hiệu      Ngày        Tình trạng    Phiên bản  Trích yếu"
    assert res.output.splitlines()[1].startswith("01/BC-PGDĐT      2015-12-21  đã ban hành   2015/v2    Báo cáo kết quả")
    assert res.output.splitlines()[3].startswith("12/BC-PGDĐT      2015-12-24  đã lấy số     2015/v4    Báo cáo kết quả")


def test_the_office_sets_its_next_number(small, tmp_path):
    office = small / "office.yaml"
    office.write_text(office.read_text(encoding="utf-8").replace("next_number: {}", "next_number: {BC: 15, TTr: 4}"),
                      encoding="utf-8")
    res = run(small, tmp_path / "out", 2015, DAY, number="auto", feedback=False, charts=False)
    assert res.number == "15/BC-PGDĐT, 04/TTr-PGDĐT"


def test_bad_number_is_a_usage_error_in_vietnamese(small, tmp_path):
    res = CliRunner().invoke(cli, ["run", "--year", "2015", "--number", "mười hai", "--inputs", str(small),
                                   "--outputs", str(tmp_path)])
    assert res.exit_code == 2
    assert res.output.splitlines()[-1] == (
        "Lỗi: Số văn bản 'mười hai' không hợp lệ: hãy ghi blank (để trống cho văn thư), auto (lấy số tiếp theo trong "
        "sổ), một số do văn thư cấp (ví dụ --number 12) hoặc hai số cho báo cáo và tờ trình (ví dụ --number 12,5).")


# ------------------------------------------------------------------------------ 9. idempotent runs
def test_an_unchanged_rerun_makes_no_version(small, tmp_path, fake_soffice):
    out = tmp_path / "out"
    args = ["run", "--year", "2015", "--date", "20/12/2015", "--inputs", str(small), "--outputs", str(out),
            "--no-feedback", "--no-charts"]
    assert CliRunner().invoke(cli, args + ["--pdf"]).exit_code == 0
    assert (out / "2015" / "v1" / "BC_XHHT_2015.pdf").is_file()
    res = CliRunner().invoke(cli, args)     # another option (no --pdf): a new version
    assert res.exit_code == 0 and (out / "2015" / "v2").is_dir()
    # outputs/2015 holds exactly the newest version's working copies: no stale PDF of v1
    assert sorted(p.name for p in (out / "2015").iterdir() if p.is_file()) == [
        "BC_XHHT_2015.docx", "KH_XHHT_2016.docx", "TTr_XHHT_2016.docx", "TongHop_XHHT_2015.xlsx", "latest.txt",
        "model.json"]
    res = CliRunner().invoke(cli, args)
    assert res.exit_code == 0
    assert res.stdout.splitlines()[0] == ("Không có thay đổi so với v2 (cùng dữ liệu, tùy chọn và phiên bản xhht): "
                                          "không lập phiên bản mới. Thêm --force nếu vẫn muốn lập lại.")
    assert [v.name for v in archive.versions(out, 2015)] == ["v1", "v2"]
    assert CliRunner().invoke(cli, args + ["--force"]).exit_code == 0
    assert [v.name for v in archive.versions(out, 2015)] == ["v1", "v2", "v3"]
    # a corrected submission is a change
    (small / "submissions" / "2015" / "BieuMau_2015_10504_An-Phu.xlsx").unlink()
    assert CliRunner().invoke(cli, args).exit_code == 0
    assert [v.name for v in archive.versions(out, 2015)] == ["v1", "v2", "v3", "v4"]
    # removing the newest version puts the previous one's copies back
    assert CliRunner().invoke(cli, ["archive", "remove", "--outputs", str(out), "--year", "2015", "--version", "4"]
                              ).exit_code == 0
    for name in ("BC_XHHT_2015.docx", "TongHop_XHHT_2015.xlsx"):
        assert (out / "2015" / name).read_bytes() == (out / "2015" / "v3" / name).read_bytes()


# ------------------------------------------------------------------------------ 10. all Vietnamese
@pytest.mark.parametrize("args, expected", [
    (["rn", "--year", "2015"], "Lỗi: Không có lệnh 'rn'. Có phải ý bạn là 'run'?"),
    (["run", "--year", "2015", "--yaer", "1"],
     "Lỗi: Không có tùy chọn '--yaer'. (Có phải ý bạn là một trong: '--date', '--year'?)"),
    (["archive", "seal", "--year", "2015", "--version", "0"],
     "Lỗi: Giá trị không hợp lệ cho '--version': 0 nằm ngoài khoảng x>=1."),
    (["archive", "list", "--year", "hai"], "Lỗi: Giá trị không hợp lệ cho '--year': 'hai' không phải là số nguyên hợp lệ."),
    (["run", "--year"], "Lỗi: Tùy chọn '--year' cần một giá trị."),
    (["plan", "check", "thừa"], "Lỗi: Thừa tham số không dùng đến (thừa)"),
])
def test_click_speaks_vietnamese(args, expected):
    res = CliRunner().invoke(cli, args)
    assert res.exit_code == 2
    assert res.output.splitlines()[-1] == expected


def test_help_has_no_english_metavars():
    for args in (["--help"], ["archive", "--help"], ["run", "--help"], ["archive", "seal", "--help"], ["archive", "list", "--help"],
                 ["register", "list", "--help"], ["receive", "--help"], ["status", "--help"], ["check", "--help"],
                 ["ingest", "--help"]):
        out = CliRunner().invoke(cli, args).output
        for word in ("TEXT", "INTEGER", "RANGE", "PATH", "FILENAME", "FILE", "DIRECTORY", "YEAR", "OPTIONS", "COMMAND",
                     "ARGS"):
            assert word not in out, (args, word, out)


def test_library_and_os_errors_are_vietnamese(tmp_path):
    bad = tmp_path / "khong-phai.docx"
    bad.write_text("xin chào")
    res = CliRunner().invoke(cli, ["check", str(bad)])
    assert res.exit_code == 1
    assert res.output.splitlines()[-1] == (
        f"Lỗi: Không mở được {bad} như một tệp Word (.docx): tệp bị hỏng hoặc không phải .docx. Hãy mở tệp bằng Word, "
        "lưu lại dạng .docx rồi thử lại.")
    assert "Package not found" not in res.output and "Traceback" not in res.output


def test_remove_with_a_working_copy_open_in_excel_changes_nothing(small, tmp_path, monkeypatch):
    out = tmp_path / "out"
    run(small, out, 2015, DAY, feedback=False, charts=False)
    run(small, out, 2015, dt.date(2015, 12, 21), feedback=False, charts=False)
    before = _tree(out)
    monkeypatch.setattr("pipeline.atomic_files.RETRY_DELAYS", (0.0,))
    real = os.replace

    def excel_holds_summary(src, dst, *a, **k):
        if Path(src) == out / "2015" / "TongHop_XHHT_2015.xlsx":
            raise PermissionError(13, "Permission denied", str(src))
        return real(src, dst, *a, **k)
    monkeypatch.setattr(os, "replace", excel_holds_summary)
    res = CliRunner().invoke(cli, ["archive", "remove", "--outputs", str(out), "--year", "2015", "--version", "2"])
    assert res.exit_code == 1
    assert res.output == (f"Lỗi: Không ghi được {out / '2015' / 'TongHop_XHHT_2015.xlsx'}: tệp đang mở trong chương "
                          "trình khác hoặc không có quyền ghi. Hãy đóng tệp TongHop_XHHT_2015.xlsx trong Excel rồi "
                          "chạy lại.\n")
    assert _tree(out) == before
