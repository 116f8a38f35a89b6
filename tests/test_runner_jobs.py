"""The runner's jobs, the checked-year cache, feedback reuse, the XML-marked workbook and lazy imports."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from conftest import full_values
from pipeline import jobs
from pipeline.errors import CatalogError, NothingToReport, RenderError
from pipeline.plan import load_catalog
from pipeline.runner import run

DAY = dt.date(2015, 12, 20)
ROOT = Path(__file__).resolve().parents[1]


def _fail_with(exc):
    raise exc


@pytest.mark.parametrize("fork", ["1", "0"])
def test_a_job_returns_its_value_or_raises_its_own_exception(fork, monkeypatch):
    monkeypatch.setenv("XHHT_NO_FORK", "0" if fork == "1" else "1")
    assert jobs.start(sorted, [3, 1, 2]).result() == [1, 2, 3]
    job = jobs.start(_fail_with, NothingToReport("Không có báo cáo."))
    with pytest.raises(NothingToReport) as info:
        job.result()
    assert str(info.value) == "Không có báo cáo." and info.value.exit_code == 1
    job = jobs.start(_fail_with, CatalogError(["plan.yaml: thiếu mục targets"]))
    with pytest.raises(CatalogError) as info:
        job.result()
    assert info.value.problems == ["plan.yaml: thiếu mục targets"]
    if fork == "1":  # the child's traceback travels as the cause
        assert isinstance(info.value.__cause__, jobs.ChildTraceback)
        assert "_fail_with" in str(info.value.__cause__)


def test_a_spawned_call_runs_in_a_new_interpreter_and_returns_or_raises_like_a_job():
    import os

    pid = jobs.Spawned(os.getpid).result()
    assert isinstance(pid, int) and pid != os.getpid()
    assert jobs.Spawned(sorted, [3, 1, 2], reverse=True).result() == [3, 2, 1]
    from pipeline import archive
    from pipeline.errors import OutputError

    with pytest.raises(OutputError) as info:  # the child's own exception, with its message and exit code
        jobs.Spawned(archive.read_manifest, Path("/không-có/v1")).result()
    assert "manifest.json" in str(info.value) and info.value.exit_code == OutputError("x").exit_code
    assert isinstance(info.value.__cause__, jobs.ChildTraceback) and "read_manifest" in str(info.value.__cause__)
    with pytest.raises(ModuleNotFoundError):  # a function the new interpreter cannot import
        jobs.Spawned(_fail_with, CatalogError(["plan.yaml: thiếu mục targets"])).result()


def test_many_files_are_listed_by_a_job_and_copied_by_a_new_interpreter_each_hashed_once(tmp_path, monkeypatch):
    """From MANY_FILES files a district's files are listed and hashed by a job while the catalog is read, and the
    version's inputs are copied by a spawned interpreter. The job's hashes come back, so this process reads no
    submission to hash it; the copy takes over the hashes this process has (a made-up one shows it did not read
    the file again); the version verifies. Where no interpreter can be started, a thread copies; where it dies, this process copies."""
    import hashlib
    import os

    import pipeline.runner as runner
    from pipeline import archive

    made = []
    real = jobs.Spawned.__init__

    def spy(self, fn, *args, **kwargs):
        made.append(fn.__name__)
        real(self, fn, *args, **kwargs)

    hashed_here, here, real_key = [], os.getpid(), archive._hash_key

    def key_spy(path):  # a file this process hashes itself: its key is not known yet
        key = real_key(path)
        if key not in archive._HASHED and os.getpid() == here:
            hashed_here.append(os.fspath(path))
        return key

    monkeypatch.setattr(jobs.Spawned, "__init__", spy)
    monkeypatch.setattr(archive, "_hash_key", key_spy)
    monkeypatch.setattr(runner, "MANY_FILES", 1)
    res = run(ROOT / "inputs", tmp_path / "out", 2015, DAY, feedback=False, charts=False)
    assert made == ["inputs_entries"]
    subs = {os.fspath(s.path) for s in res.model.submissions + res.model.previous_submissions}
    if jobs.can_fork():
        assert len(subs) > 60 and subs <= {k[0] for k in archive.hashes_made()}
        assert hashed_here and not [p for p in hashed_here if "submissions" in p]  # catalog, templates, outputs
    manifest = archive.read_manifest(res.version)
    copies = {e["file"]: e["sha256"] for e in manifest["inputs"]}
    assert len(copies) > 40 and archive.verify(tmp_path / "out", 2015).ok
    for name, digest in copies.items():
        assert hashlib.sha256((res.version / name).read_bytes()).hexdigest() == digest

    monkeypatch.undo()
    files = [(ROOT / "inputs" / "plan.yaml", "plan.yaml"), (ROOT / "inputs" / "units.yaml", "units.yaml")]

    # an interpreter that cannot be started (a frozen application, a missing executable): none, a thread copies
    def no_interpreter(*a, **k):
        raise OSError("không chạy được")

    with monkeypatch.context() as m:
        m.setattr(subprocess, "Popen", no_interpreter)
        assert runner._spawned_copy(tmp_path / "stage0", files) is None

    # an interpreter that dies (or cannot import xhht): the copy is made in this process
    class Dying(jobs.Spawned):
        def result(self):
            super().result()
            raise RenderError("Tiến trình phụ dừng bất thường (mã 1).")

    entries = runner._copied(Dying(archive.inputs_entries, tmp_path / "stage1", files), tmp_path / "stage1", files)
    assert [e["file"] for e in entries] == ["inputs/plan.yaml", "inputs/units.yaml"]
    assert (tmp_path / "stage1" / "inputs" / "units.yaml").read_bytes() == (ROOT / "inputs" / "units.yaml").read_bytes()

    src = tmp_path / "a.xlsx"
    src.write_bytes(b"PK fake")
    archive.sha256(src)
    known = archive.known_hashes([src])
    assert list(known.values()) == [hashlib.sha256(b"PK fake").hexdigest()]
    fake = {k: "0" * 64 for k in known}
    entries = jobs.Spawned(archive.inputs_entries, tmp_path / "stage", [(src, "submissions/a.xlsx")], fake).result()
    assert entries == [{"file": "inputs/submissions/a.xlsx", "sha256": "0" * 64, "size": 7}]
    assert (tmp_path / "stage" / "inputs" / "submissions" / "a.xlsx").read_bytes() == b"PK fake"


def _append(path, line):
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(line)


def test_stopped_jobs_are_ended_not_waited_for_nor_run(tmp_path, monkeypatch):
    """On a failure the run stops its jobs: a forked child is killed and reaped at once, a spawned interpreter
    too, and a job that would run in this process when asked (no fork, as on Windows) is not run at all."""
    import time

    monkeypatch.delenv("XHHT_NO_FORK", raising=False)
    t0 = time.monotonic()
    jobs.stop_all([jobs.start(time.sleep, 30) if jobs.can_fork() else None, jobs.Spawned(time.sleep, 30), None])
    assert time.monotonic() - t0 < 10
    monkeypatch.setenv("XHHT_NO_FORK", "1")
    mark = tmp_path / "ran.txt"
    jobs.stop_all([jobs.start(_append, mark, "ran")])
    assert not mark.exists()


def test_a_spawned_call_finds_this_pipeline_not_a_folder_of_that_name_where_it_starts(tmp_path, monkeypatch):
    import os

    fake = tmp_path / "pipeline"
    fake.mkdir()
    (fake / "__init__.py").write_text("raise ImportError('an old copy')\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert jobs.Spawned(os.path.join, "a", "b").result() == os.path.join("a", "b")


def test_a_bad_number_lists_nothing(tmp_path, monkeypatch):
    import pipeline.runner as runner
    from pipeline.errors import UsageError

    monkeypatch.setattr(runner, "MANY_FILES", 1)
    listed = []
    monkeypatch.setattr(runner, "list_years", lambda *a: listed.append(a) or ({}, {}))
    with pytest.raises(UsageError):
        run(ROOT / "inputs", tmp_path / "out2", 2015, DAY, number="abc")
    assert listed == []  # the number is checked before the files are listed and hashed


def test_an_exception_that_cannot_be_rebuilt_comes_back_as_a_render_error(monkeypatch):
    monkeypatch.delenv("XHHT_NO_FORK", raising=False)
    if not jobs.can_fork():
        pytest.skip("no fork on this platform")

    class Local(Exception):  # defined in a function: cannot be unpickled in the parent
        pass

    with pytest.raises(RenderError, match="hỏng mẫu"):
        jobs.start(_fail_with, Local("hỏng mẫu")).result()


def _count_ingests(monkeypatch):
    import pipeline.runner as runner

    calls = []
    original = runner.ingest

    def counting(catalog, inputs, year, *a, **kw):
        calls.append(year)
        return original(catalog, inputs, year, *a, **kw)

    monkeypatch.setattr(runner, "ingest", counting)
    monkeypatch.setenv("XHHT_NO_FORK", "1")  # so the previous year's reading happens in this process
    return calls


def test_a_rerun_takes_checked_years_from_the_newest_version(inputs, submit, tmp_path, monkeypatch):
    submit("10441", values={**full_values(load_catalog(inputs).unit("10441")), "BIET_CHU_15_60": (1200, 1000)})
    submit("10441", year=2014)
    calls = _count_ingests(monkeypatch)
    # (no feedback: it reads no year; the charts of the series so far do, through the same cache)
    first = run(inputs, tmp_path, 2015, DAY, feedback=False)
    assert sorted(calls) == [2014, 2015] and (first.version / "cache" / "checked.pickle").is_file()
    calls.clear()
    second = run(inputs, tmp_path, 2015, DAY, force=True, feedback=False)
    assert calls == []  # nothing read again
    assert [i.text() for i in second.issues] == [i.text() for i in first.issues]
    assert second.model.indicators == first.model.indicators
    # a new file for 2015: only 2015 is read again, 2014 still comes from the cache
    submit("10504")
    calls.clear()
    third = run(inputs, tmp_path, 2015, DAY, feedback=False, charts=False)  # (the charts' reading: runs 1 and 2)
    assert calls == [2015] and third.received == first.received + 1
    # a damaged cache is not trusted: the years are read again
    cache = third.version / "cache" / "checked.pickle"
    cache.chmod(0o644)
    cache.write_bytes(b"not a pickle")
    calls.clear()
    run(inputs, tmp_path, 2015, DAY, force=True, feedback=False, charts=False)
    assert sorted(calls) == [2014, 2015]


def test_feedback_is_reused_where_nothing_changed(inputs, submit, tmp_path):
    cat = load_catalog(inputs)
    submit("10441", values={**full_values(cat.unit("10441")), "BIET_CHU_15_60": (1200, 1000)})
    path = submit("10462", values={**full_values(cat.unit("10462")), "BIET_CHU_15_60": (1300, 1000)})
    first = run(inputs, tmp_path, 2015, DAY, charts=False)
    m1 = json.loads((first.version / "manifest.json").read_text(encoding="utf-8"))["feedback"]["units"]
    assert set(m1) >= {"10441", "10462"} and not any("reused_from" in e for e in m1.values())
    # 10462 corrects its file; 10441 and the units that sent nothing are unchanged
    submit("10462", values={**full_values(cat.unit("10462")), "BIET_CHU_15_60": (1400, 1000)}, name=path.name)
    second = run(inputs, tmp_path, 2015, DAY, charts=False)
    m2 = json.loads((second.version / "manifest.json").read_text(encoding="utf-8"))["feedback"]["units"]
    assert m2["10441"]["reused_from"] == "v1" and "reused_from" not in m2["10462"]
    for name in m2["10441"]["files"]:
        assert (second.version / "phan-hoi" / name).read_bytes() == (first.version / "phan-hoi" / name).read_bytes()
    wb = openpyxl.load_workbook(second.version / "phan-hoi" / "PhanHoi_2015_10462_Xa-An-My.xlsx")
    assert "(1400)" in wb["Số liệu"]["E12"].comment.text
    # a new date changes every letter: nothing is reused
    third = run(inputs, tmp_path, 2015, dt.date(2015, 12, 21), charts=False)
    m3 = json.loads((third.version / "manifest.json").read_text(encoding="utf-8"))["feedback"]["units"]
    assert not any("reused_from" in e for e in m3.values())


def test_marked_workbook_keeps_the_form_and_a_unit_comment_goes_the_openpyxl_way(inputs, submit, tmp_path):
    from openpyxl.comments import Comment

    from pipeline.forms import save_workbook

    cat = load_catalog(inputs)
    submit("10441", values={**full_values(cat.unit("10441")), "BIET_CHU_15_60": (1200, 1000)})
    path = submit("10462", values={**full_values(cat.unit("10462")), "BIET_CHU_15_60": (1300, 1000)})
    wb = openpyxl.load_workbook(path)
    wb["Số liệu"]["J12"].comment = Comment("Số liệu của xã đã rà soát.", "Xã An Mỹ")
    save_workbook(wb, path)
    res = run(inputs, tmp_path, 2015, DAY, charts=False)
    folder = res.version / "phan-hoi"
    plain = openpyxl.load_workbook(folder / "PhanHoi_2015_10441_Thi-tran-Dai-Nghia.xlsx")
    assert plain.sheetnames[0] == "Lỗi cần sửa" and plain.active.title == "Lỗi cần sửa"
    ws = plain["Số liệu"]
    assert ws["E12"].fill.fgColor.rgb == "00FFC7CE" and ws["E12"].value == 1200
    assert ws["E12"].number_format == openpyxl.load_workbook(
        res.model.submissions[0].path)["Số liệu"]["E12"].number_format  # the unit's own format, with the fill
    assert ws.print_title_rows == "$5:$5"  # sheet-local names follow the sheet past the new first sheet
    assert not ws.sheet_view.tabSelected and plain["Lỗi cần sửa"].sheet_view.tabSelected
    listed = plain["Lỗi cần sửa"]
    assert listed["A1"].font.name == "Times New Roman" and listed["A1"].font.b and listed["A1"].font.sz == 14
    assert listed.freeze_panes == "A5"
    own = openpyxl.load_workbook(folder / "PhanHoi_2015_10462_Xa-An-My.xlsx")["Số liệu"]
    assert own["J12"].comment.text == "Số liệu của xã đã rà soát."  # kept
    assert own["E12"].fill.fgColor.rgb == "00FFC7CE" and "(1300)" in own["E12"].comment.text


def _modules_after(code: str, **env) -> set[str]:
    # XHHT_NO_FORK=1: the jobs (KH, feedback, charts) run in this one process, as on Windows, so their
    # imports are counted too (a forked child's imports would not show in the parent's sys.modules)
    out = subprocess.run([sys.executable, "-c", code + "\nimport sys; print(' '.join(sorted(sys.modules)))"],
                         cwd=ROOT, capture_output=True, text=True, check=True,
                         env={**os.environ, "XHHT_NO_FORK": "1", **env})
    return set(out.stdout.split())


def test_help_imports_no_pipeline_stage_and_a_run_no_pandas_openpyxl_or_docxtpl(tmp_path):
    loaded = _modules_after("import sys; sys.argv = ['xhht', '--help']\nfrom pipeline.cli import cli\n"
                            "try:\n    cli(prog_name='xhht')\nexcept SystemExit:\n    pass")
    assert not {"pipeline.plan", "pipeline.runner", "yaml", "pandas", "openpyxl", "docxtpl"} & loaded
    # docxtpl (and python-docx with it, 40-70 ms) only while a template's XML is cleaned the first time
    # (templating._prepare keeps the result in the cache folder): a run with the templates seen before has neither
    cache = str(tmp_path / "cache")
    for n, out in enumerate(("a", "b")):
        loaded = _modules_after(f"import datetime\nfrom pipeline.runner import run\n"
                                f"run({str(ROOT / 'inputs')!r}, {str(tmp_path / out)!r}, 2015, datetime.date(2015, 12, 20))",
                                XHHT_CACHE_DIR=cache)
        assert "pipeline.runner" in loaded and not {"pandas", "openpyxl"} & loaded
        assert ("docxtpl" in loaded) == (n == 0) and ("docx" in loaded) == (n == 0)


def test_letters_share_one_compiled_template_and_render_the_same_bytes(tmp_path):
    from pipeline import templating
    from pipeline.templating import environment, fill_docx

    template = ROOT / "templates" / "cong_van.docx"
    context = {"office": {"parent": "UBND HUYỆN MỸ ĐỨC", "name": "PHÒNG GIÁO DỤC VÀ ĐÀO TẠO", "abbreviation": "PGDĐT",
                          "full_name": "Phòng Giáo dục và Đào tạo huyện Mỹ Đức", "drafting_unit": "GDTX"},
               "number": "     ", "date_line": "Mỹ Đức, ngày 20 tháng 12 năm 2015", "subject": "V/v thử",
               "recipient": "Xã <An> & {{ Mỹ }}", "body": ["Dòng {% if 1 %}một{% endif %}.", "Dòng hai."],
               "recipients": ["- Như trên;"], "signer": {"authority": "TRƯỞNG PHÒNG", "title": "", "name": "Nguyễn Văn A"}}
    templating._compiled.cache_clear()
    a = fill_docx(template, context, tmp_path / "a.docx", DAY, "Công văn")
    b = fill_docx(template, dict(context, recipient="Xã Bình"), tmp_path / "b.docx", DAY, "Công văn")
    c = fill_docx(template, context, tmp_path / "c.docx", DAY, "Công văn")
    info = templating._compiled.cache_info()
    assert info.misses == 1 and info.hits == 2  # one compile for the three letters
    assert a.read_bytes() == c.read_bytes() and a.read_bytes() != b.read_bytes()
    from docx import Document

    text = "\n".join(p.text for p in Document(str(a)).paragraphs)
    assert "Xã <An> & {{ Mỹ }}" in text and "Dòng {% if 1 %}một{% endif %}." in text  # data, never template code
    import zipfile

    with zipfile.ZipFile(a) as z:
        assert {i.date_time for i in z.infolist()} == {(2015, 12, 20, 8, 0, 0)}
        assert "Xã &lt;An&gt; &amp; {{ Mỹ }}" in z.read("word/document.xml").decode()
    del context["signer"]
    with pytest.raises(RenderError, match=r"cong_van\.docx.*signer"):
        fill_docx(template, context, tmp_path / "d.docx", DAY, "Công văn")
    assert environment() is environment()


def test_an_edited_phrasebook_or_tờ_trình_template_is_a_change(inputs, submit, tmp_path):
    import shutil

    submit("10441")
    first = run(inputs, tmp_path, 2015, DAY, feedback=False)
    assert run(inputs, tmp_path, 2015, DAY, feedback=False).unchanged
    shutil.copy(ROOT / "inputs" / "phrasebook.yaml", inputs / "phrasebook.yaml")
    with open(inputs / "phrasebook.yaml", "a", encoding="utf-8") as fh:
        fh.write("\n# sửa câu chữ\n")
    second = run(inputs, tmp_path, 2015, DAY, feedback=False)
    assert not second.unchanged and second.version.name == "v2" and first.version.name == "v1"
    (inputs / "templates").mkdir()
    shutil.copy(ROOT / "templates" / "to_trinh.docx", inputs / "templates" / "to_trinh.docx")
    with open(inputs / "templates" / "to_trinh.docx", "ab") as fh:
        fh.write(b"\0")  # other bytes (a zip still readable: trailing data is ignored)
    assert not run(inputs, tmp_path, 2015, DAY, feedback=False).unchanged


def test_compiled_template_code_is_kept_between_runs_and_a_broken_file_is_compiled_again(tmp_path, monkeypatch):
    from pipeline import templating

    monkeypatch.setenv("XHHT_CACHE_DIR", str(tmp_path / "cache"))
    env = templating.environment()
    source = "{{ n | num }} người, {{ name }}"
    first = templating.from_source(env, source)
    files = list((tmp_path / "cache" / "jinja").rglob("*.code"))
    assert len(files) == 1
    again = templating.from_source(env, source)
    assert again.render(n=2181, name="<Xã>") == first.render(n=2181, name="<Xã>") == "2.181 người, &lt;Xã&gt;"
    files[0].write_bytes(b"not code")
    assert templating.from_source(env, source).render(n=5, name="A") == "5 người, A"
    with pytest.raises(Exception, match="unknown_filter|No filter named"):
        templating.from_source(env, "{{ n | unknown_filter }}")
