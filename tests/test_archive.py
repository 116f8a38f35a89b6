"""Versioned, immutable runs with a manifest; verify, seal, remove; the register; crash safety."""

from __future__ import annotations

import datetime as dt
import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from docx import Document

from pipeline import __version__, archive
from pipeline.cli import cli
from pipeline.runner import run

from conftest import tree_bytes

ROOT = Path(__file__).resolve().parents[1]
DAY = dt.date(2015, 12, 20)


@pytest.fixture
def two_runs(shipped_copy, shipped_runs):
    """Two runs of the shipped 2015 inputs (v1, then v2 forced) in a private outputs folder."""
    return shipped_copy, shipped_runs.v1_before


def test_each_run_is_a_new_version_and_earlier_ones_do_not_change(two_runs):
    out, v1_before = two_runs
    year = out / "2015"
    assert [v.name for v in archive.versions(out, 2015)] == ["v1", "v2"]
    assert tree_bytes(year / "v1") == v1_before
    assert (year / "latest.txt").read_text(encoding="utf-8") == "v2\n"
    assert (year / "BC_XHHT_2015.docx").read_bytes() == (year / "v2" / "BC_XHHT_2015.docx").read_bytes()


def test_identical_rebuild_bytes(two_runs):
    """The same inputs and --date give byte-identical files: every document, workbook, feedback file and
    input copy of v2 equals v1 (only the manifest, which names its version and time, differs)."""
    out, _ = two_runs
    v1, v2 = tree_bytes(out / "2015" / "v1"), tree_bytes(out / "2015" / "v2")
    assert set(v1) == set(v2)
    assert {"BC_XHHT_2015.docx", "KH_XHHT_2016.docx", "TongHop_XHHT_2015.xlsx"} <= set(v1)
    assert any(name.startswith("phan-hoi/") for name in v1)
    for name in sorted(set(v1) - {"manifest.json"}):
        assert v1[name] == v2[name], name


def test_manifest(two_runs):
    out, _ = two_runs
    m = json.loads((out / "2015" / "v1" / "manifest.json").read_text(encoding="utf-8"))
    assert m["xhht_version"] == __version__ and m["year"] == 2015
    assert m["options"]["date"] == "2015-12-20" and m["options"]["number"] == "blank"
    assert m["validation"]["received"] == 36 and m["validation"]["missing"] == ["10486"]
    assert m["validation"]["issues"]["numerator-gt-denominator"] == 1
    outputs = {e["file"]: e for e in m["outputs"]}
    assert {f for f in outputs if "/" not in f} == {"BC_XHHT_2015.docx", "KH_XHHT_2016.docx", "TTr_XHHT_2016.docx",
                                                   "TongHop_XHHT_2015.xlsx", "model.json"}
    assert "phan-hoi/CV_2015_10492_Xa-Hung-Tien.docx" in outputs and "phan-hoi/CV_2015_10486_Xa-Doc-Tin.docx" in outputs
    assert outputs["BC_XHHT_2015.docx"]["sha256"] == archive.sha256(out / "2015" / "v1" / "BC_XHHT_2015.docx")
    inputs = {e["file"] for e in m["inputs"]}
    assert {"inputs/plan.yaml", "inputs/units.yaml", "inputs/office.yaml", "inputs/rules.yaml",
            "inputs/templates/bao_cao.docx", "inputs/templates/ke_hoach.docx"} <= inputs
    assert "inputs/submissions/2015/BieuMau_2015_10504_An-Phu_bo-sung.xlsx" in inputs
    assert "inputs/submissions/2014/BieuMau_2014_10441_Dai-Nghia.xlsx" in inputs  # the year used for the change
    assert len([f for f in inputs if f.startswith("inputs/submissions/2015/")]) == 37
    plan_sha = next(e["sha256"] for e in m["inputs"] if e["file"] == "inputs/plan.yaml")
    assert plan_sha == archive.sha256(ROOT / "inputs" / "plan.yaml")
    sub = next(s for s in m["submissions"] if s["file"].endswith("BieuMau_2015_10504_An-Phu.xlsx"))
    assert sub["state"] == "superseded" and sub["unit"] == "10504"


def test_verify_reports_changed_missing_added(two_runs):
    out, _ = two_runs
    r = CliRunner().invoke(cli, ["archive", "verify", "--outputs", str(out)])
    n = sum(1 for v in ("v1", "v2") for p in (out / "2015" / v).rglob("*") if p.is_file() and p.name != "manifest.json")
    assert r.exit_code == 0 and r.output == f"Đã kiểm tra 2 phiên bản, {n} tệp: toàn vẹn.\n"
    v1 = out / "2015" / "v1"
    with open(v1 / "BC_XHHT_2015.docx", "ab") as fh:
        fh.write(b"x")
    (v1 / "inputs" / "plan.yaml").unlink()
    (v1 / "ghi-chu.txt").write_text("thêm", encoding="utf-8")
    r = CliRunner().invoke(cli, ["archive", "verify", "--outputs", str(out), "--year", "2015"])
    assert r.exit_code == 1
    assert r.output.splitlines() == [
        "Lỗi: 2015/v1/BC_XHHT_2015.docx: tệp đã bị thay đổi so với manifest.",
        "Lỗi: 2015/v1/inputs/plan.yaml: tệp bị mất so với manifest.",
        "Lỗi: 2015/v1/ghi-chu.txt: tệp được thêm vào sau so với manifest.",
        f"Đã kiểm tra 2 phiên bản, {n - 1} tệp: 3 sai lệch."]


def test_archive_list(two_runs):
    out, _ = two_runs
    r = CliRunner().invoke(cli, ["archive", "list", "--outputs", str(out), "--year", "2015"])
    assert r.exit_code == 0
    lines = r.output.splitlines()
    assert lines[0].startswith("2015/v1  lập ") and lines[0].endswith("ngày văn bản 2015-12-20  36/37 đơn vị, 84 tệp dữ liệu vào")  # + chỉ đạo, phrasebook, tờ trình template
    assert lines[1:5] == ["    BC_XHHT_2015.docx", "    KH_XHHT_2016.docx", "    TTr_XHHT_2016.docx",
                          "    TongHop_XHHT_2015.xlsx"]


def test_seal_protects_a_version(two_runs, tmp_path):
    out, _ = two_runs
    signed = tmp_path / "BC_da_ky.pdf"
    signed.write_bytes(b"%PDF-1.4 signed scan")
    r = CliRunner().invoke(cli, ["archive", "seal", "--outputs", str(out), "--year", "2015", "--version", "1",
                                 "--signed", str(signed)])
    assert r.exit_code == 0, r.output
    v1 = out / "2015" / "v1"
    m = json.loads((v1 / "manifest.json").read_text(encoding="utf-8"))
    assert m["signed"] == [{"file": "signed/BC_da_ky.pdf", "sha256": archive.sha256(signed), "size": signed.stat().st_size}]
    assert m["sealed"] and (v1 / "seal.json").is_file()
    assert CliRunner().invoke(cli, ["archive", "verify", "--outputs", str(out)]).exit_code == 0
    r = CliRunner().invoke(cli, ["archive", "remove", "--outputs", str(out), "--year", "2015", "--version", "1"])
    assert r.exit_code == 2
    assert r.output == "Lỗi: Phiên bản v1 năm 2015 đã niêm phong (đã gửi đi); không được xóa hoặc thay thế.\n"
    r = CliRunner().invoke(cli, ["archive", "seal", "--outputs", str(out), "--year", "2015", "--version", "1"])
    assert r.exit_code == 2 and "đã được niêm phong; không thể niêm phong lại" in r.output
    assert v1.is_dir() and not (v1 / "BC_XHHT_2015.docx").stat().st_mode & 0o222  # read-only, even for root
    # an unsealed version can be removed; latest moves back
    r = CliRunner().invoke(cli, ["archive", "remove", "--outputs", str(out), "--year", "2015", "--version", "2"])
    assert r.exit_code == 0
    assert (out / "2015" / "latest.txt").read_text(encoding="utf-8") == "v1\n"
    # a later run never reuses or replaces the sealed version (its options do not matter: the cheapest)
    res = run(ROOT / "inputs", out, 2015, DAY, force=True, feedback=False, charts=False)
    assert res.version.name == "v2" and (v1 / "seal.json").is_file()


def test_seal_unknown_version(two_runs):
    out, _ = two_runs
    r = CliRunner().invoke(cli, ["archive", "seal", "--outputs", str(out), "--year", "2015", "--version", "9"])
    assert r.exit_code == 2 and r.output == "Lỗi: Không có phiên bản v9 của năm 2015 (v1, v2).\n"


def test_register_numbers_restart_each_year(numbered_runs):
    a, c = numbered_runs.first, numbered_runs.second  # 20/12/2015, then 05/01/2016: a new year, numbering restarts
    # the Phòng numbers its báo cáo and its tờ trình; the KH is UBND huyện's draft (numbered by UBND's văn thư)
    assert (a.number, c.number) == ("01/BC-PGDĐT, 01/TTr-PGDĐT", "01/BC-PGDĐT, 01/TTr-PGDĐT")
    doc = Document(str(a.paths[0]))
    assert doc.tables[0].rows[1].cells[0].text == "Số: 01/BC-PGDĐT"
    kh = Document(str(a.paths[1]))
    assert kh.tables[0].rows[1].cells[0].text == "Số:      /KH-UBND"
    ttr = Document(str(a.paths[2]))
    assert ttr.tables[0].rows[1].cells[0].text == "Số: 01/TTr-PGDĐT"
    kh_text = [p.text for p in kh.paragraphs]
    assert "Căn cứ kết quả thực hiện Kế hoạch xây dựng xã hội học tập năm 2015 (Báo cáo số 01/BC-PGDĐT ngày " \
           "20/12/2015);" in kh_text
    assert "Theo đề nghị của Phòng Giáo dục và Đào tạo huyện Mỹ Đức tại Tờ trình số 01/TTr-PGDĐT ngày 20/12/2015." in kh_text


KILLER = r"""
import sys, time, datetime as dt
import pipeline.runner as rx  # the runner's own reference to the renderer
from pipeline.runner import run

def stuck(model, out, issued):
    out.write_bytes(b"PK half-written")
    print("INSIDE", flush=True)
    time.sleep(120)

rx.start_workbook = stuck
run(sys.argv[1], sys.argv[2], 2015, dt.date(2015, 12, 20), force=True, charts=False)  # (no charts: sooner inside)
"""


def test_killed_run_leaves_no_half_written_version(two_runs):
    out, _ = two_runs
    before = tree_bytes(out)
    proc = subprocess.Popen([sys.executable, "-c", KILLER, str(ROOT / "inputs"), str(out)], cwd=ROOT,
                            stdout=subprocess.PIPE, text=True)
    deadline = time.time() + 60
    line = ""
    while time.time() < deadline and "INSIDE" not in line:
        line = proc.stdout.readline()
    assert "INSIDE" in line
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    proc.stdout.close()
    assert [v.name for v in archive.versions(out, 2015)] == ["v1", "v2"]
    visible = {k: v for k, v in tree_bytes(out).items() if not k.split("/")[1].startswith(".")}
    assert visible == before  # nothing visible changed; only a hidden staging folder may remain
    res = run(ROOT / "inputs", out, 2015, DAY, force=True, feedback=False, charts=False)  # cleans up, makes v3
    assert res.version.name == "v3"
    assert not [p for p in (out / "2015").iterdir() if p.name.startswith(".")]


def test_the_inputs_copy_has_the_sources_bytes_times_and_hashes(tmp_path):
    """archive.inputs_entries copies with the files' descriptors (7 system calls a file instead of 15):
    the copy has the source's bytes and modification time, and its entry the copy's hash and size, whether
    the source's hash was known (taken over) or not (the copy is read)."""
    import hashlib
    import os

    from pipeline import archive

    src = tmp_path / "src"
    src.mkdir()
    files = []
    for n, size in enumerate((0, 5, 70_000, 2_100_000)):
        p = src / f"f{n}.xlsx"
        p.write_bytes(os.urandom(size))
        os.utime(p, ns=(1_450_000_000_000_000_000 + n, 1_450_000_000_000_000_000 + n))
        files.append((p, f"submissions/2015/{'thu/' if n % 2 else ''}{p.name}"))
    archive.sha256(files[2][0])                     # one source hashed before: its hash is taken over
    stage = tmp_path / "stage"
    entries = archive.inputs_entries(stage, files)
    assert [e["file"] for e in entries] == [f"inputs/{rel}" for _, rel in files]
    for (p, rel), e in zip(files, entries):
        copy = stage / "inputs" / rel
        assert copy.read_bytes() == p.read_bytes() and copy.stat().st_mtime_ns == p.stat().st_mtime_ns
        assert e["sha256"] == hashlib.sha256(p.read_bytes()).hexdigest() and e["size"] == p.stat().st_size
        assert archive.sha256(copy) == e["sha256"]
    assert archive.snapshot_inputs(tmp_path / "again", files[:1]) == [tmp_path / "again" / "inputs" / files[0][1]]
