"""The xhht command line: help everywhere, the happy path, each error path with its message and code."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from click.testing import CliRunner

from conftest import once_per_run, tree_bytes
from pipeline.cli import cli

ROOT = Path(__file__).resolve().parents[1]
COMMANDS = [[], ["plan"], ["plan", "targets"], ["plan", "units"], ["plan", "check"], ["forms"], ["ingest"],
            ["validate"], ["report"], ["run"], ["archive"], ["archive", "list"], ["archive", "verify"],
            ["archive", "seal"], ["archive", "remove"], ["register"], ["register", "list"]]


@pytest.mark.parametrize("args", COMMANDS)
def test_help(args):
    res = CliRunner().invoke(cli, args + ["--help"])
    assert res.exit_code == 0 and res.output.startswith("Cách dùng: ")
    assert "Show this message" not in res.output and "Hiện hướng dẫn này rồi thoát." in res.output


def test_python_dash_m_works():
    res = subprocess.run([sys.executable, "-m", "pipeline", "--version"], capture_output=True, text=True, cwd=ROOT)
    assert res.returncode == 0 and res.stdout.startswith("xhht ")


@pytest.fixture(scope="session")
def readme_run(tmp_path_factory) -> SimpleNamespace:
    """The README's command, ``xhht run --year 2015``, run once from the repository root (the default
    inputs folder) into a fresh outputs folder: its exit code, stdout and ``outputs`` folder. READ ONLY."""
    def make(folder: Path) -> SimpleNamespace:
        with pytest.MonkeyPatch.context() as mp:
            mp.chdir(ROOT)
            res = CliRunner().invoke(cli, ["run", "--year", "2015", "--outputs", str(folder / "outputs")],
                                     catch_exceptions=False)
        return SimpleNamespace(exit_code=res.exit_code, stdout=res.stdout, outputs=folder / "outputs")

    return once_per_run(tmp_path_factory, "readme_run", make)


def test_run_happy_path(readme_run):
    assert readme_run.exit_code == 0
    out = readme_run.outputs
    lines = readme_run.stdout.splitlines()
    assert lines[0] == "Năm 2015: 37 đơn vị phải báo cáo, đã nhận 36, có lỗi 1, chưa nộp 1."
    assert lines[1] == "1 tệp đã được thay thế bằng bản gửi sau."
    assert lines[2].startswith("  Lỗi [numerator-gt-denominator] BieuMau_2015_10492_Hung-Tien.xlsx, trang 'Số liệu', ô E13")
    assert ("Mẫu văn bản đã dùng: bao_cao.docx (mẫu mặc định); ke_hoach.docx (mẫu mặc định); "
            "to_trinh.docx (mẫu mặc định).") in lines
    assert lines[-6:] == ["Đã ghi phiên bản v1:", f"  {out / '2015' / 'v1' / 'BC_XHHT_2015.docx'}",
                          f"  {out / '2015' / 'v1' / 'KH_XHHT_2016.docx'}",
                          f"  {out / '2015' / 'v1' / 'TTr_XHHT_2016.docx'}",
                          f"  {out / '2015' / 'v1' / 'TongHop_XHHT_2015.xlsx'}",
                          f"Bản mới nhất cũng được chép ra {out / '2015'}."]
    assert sorted(p.name for p in (out / "2015").iterdir()) == ["BC_XHHT_2015.docx", "KH_XHHT_2016.docx",
                                                                "TTr_XHHT_2016.docx", "TongHop_XHHT_2015.xlsx",
                                                                "latest.txt", "model.json", "v1"]


def test_report_command(tmp_path):
    res = CliRunner().invoke(cli, ["report", "--year", "2016", "--date", "2016-12-22", "--inputs",
                                   str(ROOT / "inputs"), "--outputs", str(tmp_path), "--no-feedback", "--no-charts"],
                             catch_exceptions=False)
    assert res.exit_code == 0
    # stdout holds only the paths (for scripts); the notes go to stderr
    assert res.stdout.splitlines() == [str(tmp_path / "2016" / "v1" / "BC_XHHT_2016.docx"),
                                       str(tmp_path / "2016" / "v1" / "KH_XHHT_2017.docx"),
                                       str(tmp_path / "2016" / "v1" / "TTr_XHHT_2017.docx"),
                                       str(tmp_path / "2016" / "v1" / "TongHop_XHHT_2016.xlsx")]
    assert "Mẫu văn bản đã dùng: bao_cao.docx (mẫu mặc định)" in res.stderr


def test_validate_lists_problems_and_exits_1():
    res = CliRunner().invoke(cli, ["validate", "--year", "2014", "--inputs", str(ROOT / "inputs")])
    assert res.exit_code == 1
    assert ("Lỗi [numerator-gt-denominator] BieuMau_2014_10477_Phu-Luu-Te.xlsx, trang 'Số liệu', ô E12, G12: "
            "'Số người 15-60 tuổi biết chữ' (3236) lớn hơn 'Tổng số người 15-60 tuổi' (3228). "
            "Hãy kiểm tra lại hai số này.") in res.output
    # the superseded first version of An Mỹ had an error; it is listed as superseded, not re-checked
    assert ("Thông tin [superseded] BieuMau_2014_10462_An-My.xlsx: Đơn vị đã gửi bản mới hơn "
            "(BieuMau_2014_10462_An-My_bo-sung.xlsx, ngày báo cáo 13/12/2014); bản này (ngày báo cáo 09/12/2014) "
            "không được dùng để tổng hợp.") in res.output
    assert res.output.splitlines()[-1] == "Đã nhận 36/37 đơn vị; 1 lỗi, 1 cảnh báo."


def test_ingest_command_and_csv(tmp_path):
    csv = tmp_path / "du-lieu.csv"
    res = CliRunner().invoke(cli, ["ingest", "--year", "2015", "--inputs", str(ROOT / "inputs"), "--csv", str(csv)],
                             catch_exceptions=False)
    assert res.exit_code == 0
    assert "đã thay thế     10504     BieuMau_2015_10504_An-Phu.xlsx" in res.output
    assert csv.read_text(encoding="utf-8-sig").splitlines()[0] == "unit,year,indicator,field,value,file,sheet,cell"


def test_year_outside_plan_exit_2(tmp_path):
    res = CliRunner().invoke(cli, ["run", "--year", "2013", "--inputs", str(ROOT / "inputs"), "--outputs", str(tmp_path)])
    assert res.exit_code == 2
    assert res.output.endswith("Lỗi: Năm 2013 nằm ngoài giai đoạn của kế hoạch 233/KH-UBND (2014-2020). "
                               "Hãy chọn một năm từ 2014 đến 2020.\n")
    assert not (tmp_path / "2013").exists()


def test_bad_date_exit_2(tmp_path):
    res = CliRunner().invoke(cli, ["run", "--year", "2015", "--date", "31/02/2015", "--inputs", str(ROOT / "inputs"),
                                   "--outputs", str(tmp_path)])
    assert res.exit_code == 2
    assert res.output.splitlines()[-1] == ("Lỗi: Giá trị không hợp lệ cho '--date': '31/02/2015' không phải một ngày "
                                           "dạng dd/mm/yyyy hoặc yyyy-mm-dd (ví dụ 20/12/2015 hoặc 2015-12-20).")


def test_missing_year_is_usage_error():
    res = CliRunner().invoke(cli, ["run"])
    assert res.exit_code == 2
    assert res.output.endswith("Lỗi: Thiếu tùy chọn '--year'.\n")
    res = CliRunner().invoke(cli, ["run", "--year", "abc"])
    assert res.exit_code == 2
    assert res.output.endswith("Lỗi: Giá trị không hợp lệ cho '--year': 'abc' không phải là một năm (ví dụ 2015).\n")


def test_no_submissions_exit_1_and_nothing_written(inputs, tmp_path):
    res = CliRunner().invoke(cli, ["run", "--year", "2017", "--inputs", str(inputs), "--outputs", str(tmp_path / "o")])
    assert res.exit_code == 1
    folder = inputs / "submissions" / "2017"
    assert res.output.endswith(f"Lỗi: Không có báo cáo hợp lệ nào của năm 2017 trong thư mục {folder} (chưa có thư mục "
                               "này); chưa thể lập báo cáo. Hãy chép các tệp Excel các đơn vị gửi vào thư mục này rồi "
                               "chạy lại.\n")
    assert not (tmp_path / "o" / "2017").exists()


def test_broken_plan_exit_1(inputs, tmp_path):
    (inputs / "units.yaml").write_text("units: 5\n", encoding="utf-8")
    res = CliRunner().invoke(cli, ["run", "--year", "2015", "--inputs", str(inputs), "--outputs", str(tmp_path)])
    assert res.exit_code == 1
    assert "Lỗi: Dữ liệu kế hoạch/đơn vị/cơ quan có lỗi, chưa thể chạy:\n  - units.yaml, mục units: phải là một bảng" not in res.output
    assert "units.yaml, mục units.units: kiểu dữ liệu không đúng (nhận được 5)." in res.output


def test_missing_inputs_folder(tmp_path):
    res = CliRunner().invoke(cli, ["run", "--year", "2015", "--inputs", str(tmp_path / "khong"), "--outputs",
                                   str(tmp_path)])
    assert res.exit_code == 1
    assert f"  - Không tìm thấy tệp {tmp_path / 'khong' / 'plan.yaml'}." in res.output


def test_failed_render_keeps_earlier_outputs(shipped_copy, monkeypatch):
    import pipeline.runner as rx  # the runner's own reference to the renderer

    out = shipped_copy  # v1 and v2 of the shipped 2015 inputs, with their working copies
    before = tree_bytes(out)

    def boom(*a, **k):
        raise OSError("disk full")

    monkeypatch.setattr(rx, "start_workbook", boom)
    res = CliRunner().invoke(cli, ["run", "--year", "2015", "--date", "2015-12-20", "--inputs", str(ROOT / "inputs"),
                                   "--outputs", str(out), "--force"])   # (without --force: nothing to do)
    assert res.exit_code == 1
    assert res.output.splitlines()[-1] == ("Lỗi: Lỗi hệ thống khi đọc/ghi tệp (disk full). Hãy kiểm tra tệp, quyền ghi "
                                           "rồi chạy lại.")
    assert tree_bytes(out) == before  # no v3, no staging folder, v1, v2 and the working copies untouched


def test_last_plan_year_has_no_next_years_plan(inputs, submit, tmp_path):
    submit("10441", year=2020)
    res = CliRunner().invoke(cli, ["run", "--year", "2020", "--date", "2020-12-20", "--inputs", str(inputs),
                                   "--outputs", str(tmp_path)], catch_exceptions=False)
    assert res.exit_code == 0
    assert ("Năm 2021 nằm ngoài giai đoạn của Kế hoạch số 233/KH-UBND: không lập kế hoạch năm sau."
            in res.stdout.splitlines())
    assert sorted(p.name for p in (tmp_path / "2020" / "v1").iterdir() if p.is_file()) == [
        "BC_XHHT_2020.docx", "TongHop_XHHT_2020.xlsx", "manifest.json", "model.json"]


def test_readme_shows_the_real_summary(readme_run):
    """The README's sample output is what `xhht run --year 2015` prints (run from the repository root)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("It prints:\n\n```\n", 1)[1].split("```", 1)[0]
    assert readme_run.stdout.replace(str(readme_run.outputs), "outputs") == block
