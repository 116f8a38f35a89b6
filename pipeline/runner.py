"""The pipeline API shared by every command: each stage is one function, ``run`` chains them.

    catalog = load_catalog(inputs)
    model   = build_model(catalog, inputs, year)        # ingest -> validate (+ last year) -> aggregate
    written = write_reports(model, inputs, outputs, issued)
              # -> outputs/<year>/vN/: BC, KH and tờ trình (DOCX), summary (XLSX), model.json,
              #    feedback to units, inputs copy, checked-year cache, manifest

Work that does not feed the next stage runs beside it on the second core through :mod:`pipeline.jobs`
(the listing and hashing of many files while the catalog is read; the year before while this year is
read; the trend, the KH with model.json, the inputs' copy and the feedback while the tờ trình, the
workbook and the BC are written); its result, or its own exception, comes back at ``.result()``.

Receiving and the progress board are part of the same API (re-exported here)::

    receive(inputs, outputs, year, paths, now=None) -> list[Receipt]     # pipeline/receive.py
    list_received(outputs, year=None) -> list[Receipt]
    status(inputs, outputs, year, today=None) -> StatusBoard              # pipeline/status.py

No function here prints or exits: the CLI reports progress through the ``on_stage`` callback and
turns :class:`~pipeline.errors.XhhtError` into messages and exit codes.
"""

from __future__ import annotations

import datetime as _dt
import gc
import hashlib
import json
import os
import pickle
import shutil
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable

from . import __version__, archive, register
from . import vnformat as vn
from .aggregate import ReportModel, aggregate, write_model_json
from .chidao import load_direction
from .checkcache import CheckedCache, list_years, year_files, year_key
from .errors import NothingToReport, RenderError, UsageError
from .feedback import FEEDBACK_SUBDIR, write_feedback_isolated
from .ingest import IngestResult, ingest, receipt_notes, submissions_folder
from .issues import Issue
from .jobs import Spawned, Threaded, can_spawn, one_after_another, start, stop_all
from .pdf import convert_to_pdf, find_soffice
from .plan import Catalog, load_catalog
from .receive import Receipt, list_received, receipt_times, receive  # noqa: F401  (pipeline API)
from .render_docx import BLANK_NUMBER, orthography, plan_context, render_template, report_context, ttr_context
from .render_xlsx import finish_workbook, start_workbook, workbook_name
from .charts import Trend, yearly_trend
from .templating import locate, prepare_fork
from .status import StatusBoard, StatusRow, status  # noqa: F401  (pipeline API)
from .validate import ValidationResult, flag_outliers, validate

FEEDBACK_DIR = FEEDBACK_SUBDIR
_REPO_TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
STAGES = ("Đọc dữ liệu kế hoạch", "Đọc báo cáo của các đơn vị", "Kiểm tra số liệu", "Tổng hợp theo kế hoạch",
          "Viết bảng tổng hợp (XLSX)", "Viết báo cáo (DOCX)", "Viết kế hoạch năm sau (DOCX)", "Tạo PDF",
          "Lưu kết quả")


MANY_FILES = 1000  # from this many submission files the run lists and copies them beside its main line (run, write_reports)


def report_filenames(year: int) -> dict[str, str]:
    """Return the output file names of report year ``year``: BC, summary workbook, next year's KH."""
    return {"bc": f"BC_XHHT_{year}.docx", "xlsx": workbook_name(year), "kh": f"KH_XHHT_{year + 1}.docx",
            "ttr": f"TTr_XHHT_{year + 1}.docx", "model": "model.json"}


def templates_dir(inputs: Path | str | None = None) -> Path:
    """Return the templates folder: ``<inputs>/templates`` if it holds the office's own copy, else the shipped one.

    Never the current folder: the same command gives the same documents wherever it is started.
    """
    candidates = ([Path(inputs) / "templates"] if inputs is not None else []) + [_REPO_TEMPLATES]
    for folder in candidates:
        if (folder / "bao_cao.docx").is_file():
            return folder
    import pipeline.templates  # installed copy (pyproject maps templates/ to this package)

    return Path(pipeline.templates.__file__).parent


def check_and_read(catalog: Catalog, inputs: Path, year: int, outputs: Path | None = None,
                   today: _dt.date | None = None) -> tuple[IngestResult, ValidationResult]:
    """Ingest and validate one year (receipt times from the register in ``outputs`` when given)."""
    data = ingest(catalog, inputs, year, receipt_times(outputs, year) if outputs is not None else None)
    return data, validate(catalog, data, today)


def read_checked(catalog: Catalog, inputs: Path, year: int, outputs: Path | None = None,
                 today: _dt.date | None = None, cache: CheckedCache | None = None) -> tuple[str, bytes]:
    """One year ingested and validated, as (key, pickled (IngestResult, ValidationResult)).

    Taken from ``cache`` when an earlier version holds the same year with the same key (same files,
    receipt times, catalog, date and code); read from the files otherwise. Pickled, so that it can
    come back from a job and be kept in the version's cache as it is. What is kept is the submissions,
    the checked values and the issues: the raw cells (``values``, ``texts``, ``money``, ``activities``
    of the ingest result) have been checked and are left out.
    """
    # the year's files as the run listed them (CheckedCache.remember_files), else listed and hashed now
    key = year_key(catalog, inputs, outputs, year, today, cache.files_of(inputs, outputs, year) if cache is not None else None)
    blob = cache.found.get(key) if cache is not None else None
    if blob is None:
        data, checked = check_and_read(catalog, inputs, year, outputs, today)
        data = replace(data, values=[], texts=[], money=[], activities=[])
        blob = pickle.dumps((data, checked), protocol=pickle.HIGHEST_PROTOCOL)
    return key, blob


def validate_year(catalog: Catalog, inputs: Path, year: int, outputs: Path | None = None,
                  today: _dt.date | None = None) -> tuple[IngestResult, ValidationResult]:
    """Ingest and validate ``year``, with the outlier checks against ``year - 1`` (read beside it) when it exists."""
    previous = (start(check_and_read, catalog, inputs, year - 1, outputs)
                if submissions_folder(inputs, year - 1).is_dir() else None)
    try:
        data, checked = check_and_read(catalog, inputs, year, outputs, today)
        if previous is not None:
            flag_outliers(catalog, checked, previous.result()[1])
    except BaseException:
        stop_all([previous])
        raise
    return data, checked


def build_model(catalog: Catalog, inputs: Path, year: int, on_stage: Callable[[str], None] | None = None,
                outputs: Path | None = None, today: _dt.date | None = None,
                cache: CheckedCache | None = None) -> ReportModel:
    """Ingest, validate and aggregate ``year``; raise NothingToReport if no unit sent a usable form.

    This year, the year before (for the change since last year and the outlier checks) and the baseline
    year of the milestone's lộ trình are read by jobs side by side. With ``cache``, years already
    checked by an earlier version are taken from it, and the years read are added to it.
    """
    step = on_stage or (lambda _s: None)
    catalog.check_year(year)
    previous = (start(read_checked, catalog, inputs, year - 1, outputs, None, cache)
                if submissions_folder(inputs, year - 1).is_dir() else None)
    # the lộ trình's baseline year, when it is further back than last year
    ms = catalog.plan.milestone_for(year)
    baseline = (start(read_checked, catalog, inputs, ms.baseline, None, None, cache)
                if ms and ms.baseline and ms.baseline < year - 1 and submissions_folder(inputs, ms.baseline).is_dir()
                else None)
    # this year too is read by a job: its passing objects (every cell of every file) never enter this process,
    # which keeps only the checked year, unpickled into compact memory
    current = start(read_checked, catalog, inputs, year, outputs, today, cache)
    try:
        step(STAGES[1])
        key, blob = current.result()
        step(STAGES[2])
        data, checked = pickle.loads(blob)
        if not checked.received:
            folder = submissions_folder(inputs, year)
            where = f"thư mục {folder}" if folder.is_dir() else f"thư mục {folder} (chưa có thư mục này)"
            raise NothingToReport(f"Không có báo cáo hợp lệ nào của năm {year} trong {where}; chưa thể lập báo cáo. "
                                  f"Hãy chép các tệp Excel các đơn vị gửi vào thư mục này rồi chạy lại.")
        prev_key, prev_blob = previous.result() if previous else (None, None)
    except BaseException:
        stop_all([current, previous, baseline])
        raise
    step(STAGES[3])
    prev = pickle.loads(prev_blob) if prev_blob else None
    prev_data, prev_checked = prev or (None, None)
    base_key, base_blob = baseline.result() if baseline else (None, None)
    base = pickle.loads(base_blob) if base_blob else None
    history = {ms.baseline: base[1]} if base else {}
    if cache is not None:
        # this year is kept pickled only (flag_outliers below adds to its issues)
        for k, b, opened in ((key, blob, None), (prev_key, prev_blob, prev), (base_key, base_blob, base)):
            if k:
                cache.put(k, b, opened)
    flag_outliers(catalog, checked, prev_checked)
    return aggregate(catalog, checked, data.submissions, prev_checked, prev_data.submissions if prev_data else None,
                     history=history, direction=load_direction(inputs, year))


def _input_files(model: ReportModel, inputs: Path, templates: Path) -> list[tuple[Path, str]]:
    """Every file the run read: (source, path inside the version's ``inputs/`` folder)."""
    files = [(path, name) for name, path in sorted(model.catalog.files.items())]
    for sub in model.submissions + model.previous_submissions:
        files.append((sub.path, f"submissions/{_rel_to_submissions(sub.path, inputs)}"))
    from .templating import locate
    from .wording import phrasebook

    for name in ("bao_cao.docx", "ke_hoach.docx", "to_trinh.docx", "cong_van.docx"):
        path, origin = locate(name, inputs)
        path = path if origin == "inputs" or not (templates / name).is_file() else templates / name
        if path.is_file():
            files.append((path, f"templates/{name}"))
    files.append((phrasebook(inputs).path, "phrasebook.yaml"))
    for chi_dao in sorted((Path(inputs) / "chi_dao").glob(f"{model.year}.yaml")):
        files.append((chi_dao, f"chi_dao/{chi_dao.name}"))
    return files


def _rel_to_submissions(path: Path, inputs: Path) -> str:
    """``path`` relative to ``<inputs>/submissions``, with "/" (the file name alone if it is elsewhere). With
    strings: pathlib's relative_to cost 0,1 ms a file, 1 s of a 10.600-unit run."""
    root = os.path.join(os.fspath(inputs), "submissions") + os.sep
    text = os.fspath(path)
    return text[len(root):].replace(os.sep, "/") if text.startswith(root) else Path(path).name


def _validation_summary(model: ReportModel) -> dict:
    v = model.validation
    codes: dict[str, int] = {}
    for issue in v.issues:
        codes[issue.code] = codes.get(issue.code, 0) + 1
    return {"expected": len(v.completeness), "received": len(v.received),
            "missing": [u.unit for u in v.missing], "with_errors": [u.unit for u in v.with_errors],
            "errors": sum(1 for i in v.issues if i.severity.value == "error"),
            "warnings": sum(1 for i in v.issues if i.severity.value == "warning"), "issues": dict(sorted(codes.items()))}


@dataclass
class Written:
    version: Path
    documents: list[Path]
    number: str = ""
    notes: list[str] = field(default_factory=list)
    feedback: list[Path] = field(default_factory=list)
    feedback_units: list[str] = field(default_factory=list)
    failed: list[Issue] = field(default_factory=list)   # per-unit steps that failed (the rest was written)


def write_reports(model: ReportModel, inputs: Path, outputs: Path, issued: _dt.date, templates: Path | None = None,
                  number: str = "blank", pdf: bool = False, feedback: bool = True, fingerprint: str = "",
                  cache: CheckedCache | None = None, on_stage: Callable[[str], None] | None = None,
                  charts: bool = True) -> Written:
    """Render the BC, next year's KH and the summary workbook as a new immutable version ``outputs/<year>/vN/``.

    ``number``: ``"blank"`` leaves the number for the văn thư to write; ``"auto"`` takes the next
    numbers from the register of outgoing documents; ``"12"`` (or ``"12,5"`` for the BC and the tờ trình)
    uses the numbers the văn thư gave. ``pdf`` also writes a PDF of each document with one
    LibreOffice process. ``feedback`` writes the marked workbooks and letters of the units that
    must correct or send something (reused from the newest version where nothing changed). All or
    nothing: on any failure no version appears and the register is as before. ``fingerprint`` (see
    :func:`run_fingerprint`) is kept in the manifest, the checked years of ``cache`` in ``cache/``.
    """
    step = on_stage or (lambda _s: None)
    names = report_filenames(model.year)
    templates = templates or templates_dir(inputs)
    ortho = orthography(model)
    used: dict[str, str] = {}

    def tpl(name: str) -> Path:
        """The office's template in <inputs>/templates if present, else the packaged one (recorded)."""
        path, origin = locate(name, inputs)
        if origin == "packaged" and (templates / name).is_file():
            path = templates / name
        used[name] = f"{origin}: {path}"
        return path

    office = model.catalog.office
    subject = f"Báo cáo kết quả thực hiện Kế hoạch xây dựng xã hội học tập năm {model.year}"
    plan_subject = f"Kế hoạch xây dựng xã hội học tập năm {model.year + 1}"
    ttr_subject = f"Tờ trình ban hành {plan_subject[0].lower() + plan_subject[1:]}"
    with_plan = model.catalog.plan.milestone_for(model.year + 1) is not None
    notes: list[str] = []
    mode, bc_number, kh_number = parse_number(number)
    first = register.configured_next(model.catalog.files.get("office.yaml")) if mode != "blank" else {}
    stage = archive.new_staging(outputs, model.year)
    taken: list = []
    jobs: list = []

    def take(doc_type: str, wanted: int | None, what: str):
        e = register.reserve(outputs, office.abbreviation, doc_type, issued, what, wanted, first.get(doc_type, 1))
        taken.append(e)
        return e

    prepare_fork()  # the document libraries imported once, before the jobs fork

    try:
        # the series so far and its charts, on the second core (years this run has read come from its cache)
        trend_job = start(yearly_trend, model, inputs, outputs, cache=cache) if charts else None
        jobs.append(trend_job)  # (each job is listed as it starts: a failure stops those started)
        # the forked job has its own view of the years already opened; this process lets them go (a job run
        # in this process when asked, as on Windows, unpickles them instead)
        if cache is not None:
            cache.opened.clear()
        # the version's copy of what the run read, when there are many files: by a new interpreter beside this
        # process from now on (a thread would wait for the GIL after each of its system calls, and slow this
        # process's Python too); with fewer, by a thread after the last fork (an interpreter's start costs more
        # than copying a district's 80 files)
        read = _input_files(model, inputs, templates)
        inputs_job = _spawned_copy(stage, read) if len(read) >= MANY_FILES else None
        jobs.append(inputs_job)
        entry = take("BC", bc_number, subject) if mode != "blank" else None
        # the Phòng numbers its own tờ trình; the KH is UBND huyện's draft, numbered by UBND's văn thư
        kh_entry = take("TTr", kh_number, ttr_subject) if mode != "blank" and with_plan else None
        docs = [stage / names["bc"]] + ([stage / names["kh"], stage / names["ttr"]] if with_plan else [])
        ref = f"Báo cáo số {entry.code} ngày {vn.short_date(issued)}" if entry else ""
        request = f"Tờ trình số {kh_entry.code} ngày {vn.short_date(issued)}" if kh_entry else ""
        # beside the BC, the tờ trình and the workbook, one job writes what needs only the model: the KH and
        # model.json (2-4 s at 10.600 units)
        beside_job = start(one_after_another,
                           (render_template, (tpl("ke_hoach.docx"), plan_context(model, issued, BLANK_NUMBER, ref, request),
                                              stage / names["kh"], issued), {"title": plan_subject, "orthography": ortho})
                           if with_plan else None,
                           (write_model_json, (model, stage / names["model"]), {}))
        jobs.append(beside_job)
        step(STAGES[4])
        if with_plan:
            render_template(tpl("to_trinh.docx"),
                            ttr_context(model, issued, f"{kh_entry.number:02d}" if kh_entry else BLANK_NUMBER, ref),
                            stage / names["ttr"], issued, title=ttr_subject, orthography=ortho)
        # the workbook's sheets while the trend job draws the series so far; its last sheet shows them
        book = start_workbook(model, stage / names["xlsx"], issued)
        trend = trend_job.result() if trend_job is not None else Trend()
        # the feedback to the units (in a run: the units that must correct something or report at all;
        # `xhht feedback` also covers warnings only), once the trend job is done: in a district of thousands of
        # units each job holds much memory
        feedback_job = (start(write_feedback_isolated, model, stage / FEEDBACK_DIR, issued, templates,
                              BLANK_NUMBER, previous=archive.latest(outputs, model.year)) if feedback else None)
        jobs.append(feedback_job)
        if inputs_job is None:
            inputs_job = Threaded(archive.inputs_entries, stage, read)
            jobs.append(inputs_job)
        finish_workbook(book, trend.series)
        step(STAGES[5])
        notes += [trend.note] if trend.note else []
        render_template(tpl("bao_cao.docx"), report_context(model, issued, f"{entry.number:02d}" if entry else BLANK_NUMBER,
                                                            trend.charts),
                        stage / names["bc"], issued, title=subject, orthography=ortho)
        notes.append("Mẫu văn bản đã dùng: " + "; ".join(
            f"{n} ({'của cơ quan, thư mục inputs/templates' if v.startswith('inputs') else 'mẫu mặc định'})"
            for n, v in sorted(used.items())) + ".")
        step(STAGES[6])
        if not with_plan:
            notes.append(f"Năm {model.year + 1} nằm ngoài giai đoạn của Kế hoạch số {model.catalog.plan.number}: "
                         "không lập kế hoạch năm sau.")
        beside_job.result()
        made_feedback = feedback_job.result() if feedback_job is not None else None
        step(STAGES[7])
        if pdf:
            notes += write_pdfs(model, docs, stage)
        step(STAGES[8])
        if cache is not None:
            cache.write(stage)
        archive.write_manifest(stage, {
            "xhht_version": __version__, "year": model.year,
            "created": _dt.datetime.now().replace(microsecond=0).isoformat(),
            "options": {"year": model.year, "date": issued.isoformat(), "number": number,
                        "inputs": str(inputs), "outputs": str(outputs)},
            "number": entry.code if entry else "",
            "register": [dict(e.key(), issued=e.issued, subject=e.subject) for e in (entry, kh_entry) if e],
            "fingerprint": fingerprint,
            "plan": model.catalog.plan.number, "validation": _validation_summary(model), "templates": used,
            "feedback": made_feedback.manifest() if made_feedback else {},
            "submissions": [{"file": f"inputs/submissions/{_rel_to_submissions(sub.path, inputs)}", "unit": sub.unit,
                             "year": sub.year, "state": sub.state, "superseded_by": sub.superseded_by,
                             "report_date": sub.report_date.isoformat() if sub.report_date else None}
                            for sub in model.submissions]}, inputs=_copied(inputs_job, stage, read))
        made = sorted(p.name for p in stage.iterdir() if p.is_file() and p.name != archive.MANIFEST)
        version = archive.commit(stage, outputs, model.year, made)
    except BaseException:
        stop_all(jobs)  # end the children before removing the folder they write into
        shutil.rmtree(stage, ignore_errors=True)
        for e in taken:
            register.undo(outputs, e)  # a failed run takes no number
        raise
    for e in taken:
        register.confirm(outputs, e.id, f"{model.year}/{version.name}")
    order = [names["bc"], names.get("kh"), names.get("ttr"), names["xlsx"]]
    documents = [version / n for n in order if n and (version / n).is_file()]
    documents += [version / n for n in made if n.endswith(".pdf")]
    fb_files = [version / FEEDBACK_DIR / p.name for p in made_feedback.paths] if made_feedback else []
    return Written(version, documents, ", ".join(e.code for e in taken), notes, fb_files,
                   made_feedback.units if made_feedback and fb_files else [],
                   made_feedback.failed if made_feedback else [])


def write_pdfs(model: ReportModel, docs: list[Path], folder: Path) -> list[str]:
    """A PDF beside each document (one LibreOffice process); the note to show when LibreOffice is missing."""
    soffice = find_soffice(model.catalog.files.get("office.yaml"))
    if soffice is None:
        return ["Không tìm thấy LibreOffice (soffice) trên máy: chưa tạo được PDF. Cài LibreOffice "
                "rồi chạy lại với --pdf, hoặc mở DOCX bằng Word và lưu thành PDF."]
    convert_to_pdf(soffice, docs, folder)
    return []


def parse_number(number: str | int | None) -> tuple[str, int | None, int | None]:
    """Read ``--number``: ``blank``, ``auto``, ``12`` (the BC) or ``12,5`` (the BC and the KH).

    Returns (mode, BC number, KH number); mode is ``blank``, ``auto`` or ``given``.
    """
    text = str(number if number is not None else "blank").strip().lower()
    if text in ("blank", "auto"):
        return text, None, None
    parts = [p.strip() for p in text.replace(";", ",").split(",")]
    if 1 <= len(parts) <= 2 and all(p.isdigit() and 0 < int(p) < 100000 for p in parts):
        return "given", int(parts[0]), int(parts[1]) if len(parts) == 2 else None
    raise UsageError(f"Số văn bản '{number}' không hợp lệ: hãy ghi blank (để trống cho văn thư), auto (lấy số tiếp "
                     "theo trong sổ), một số do văn thư cấp (ví dụ --number 12) hoặc hai số cho báo cáo và tờ trình "
                     "(ví dụ --number 12,5).")


def run_fingerprint(catalog: Catalog, inputs: Path, outputs: Path, year: int, templates: Path,
                    options: dict, files: dict[int, list[list[str]]] | None = None) -> str:
    """A digest of everything a run's documents depend on: input files (contents and receipt times),
    templates, options and the xhht version. Two runs with the same fingerprint make the same files.
    """
    parts: list = [["xhht", __version__], ["options", options]]
    for name, path in sorted(catalog.files.items()):
        parts.append([name, archive.sha256(path)])
    for y in (year - 1, year):
        parts += files[y] if files and y in files else year_files(inputs, outputs, y)
    for name in ("bao_cao.docx", "ke_hoach.docx", "to_trinh.docx", "cong_van.docx"):
        path, origin = locate(name, inputs)
        path = path if origin == "inputs" or not (templates / name).is_file() else templates / name
        if path.is_file():
            parts.append([f"templates/{name}", archive.sha256(path)])
    from .wording import phrasebook

    parts.append(["phrasebook.yaml", archive.sha256(phrasebook(inputs).path)])
    for chi_dao in sorted((Path(inputs) / "chi_dao").glob(f"{year}.yaml")):
        parts.append([f"chi_dao/{chi_dao.name}", archive.sha256(chi_dao)])
    return hashlib.sha256(json.dumps(parts, ensure_ascii=False, sort_keys=True).encode("utf-8")).hexdigest()


def write_feedback_only(inputs: Path, outputs: Path, year: int, issued: _dt.date | None = None,
                        failed: list[Issue] | None = None) -> list[Path]:
    """``xhht feedback``: the marked workbooks and letters into ``outputs/<year>/phan-hoi/`` (replaced).

    Covers the units with warnings only too. Units whose feedback could not be written are appended
    to ``failed`` (one issue each).
    """
    from .atomic_files import staged_dir

    catalog = load_catalog(inputs)
    issued = issued or _dt.date.today()
    model = build_model(catalog, inputs, year, outputs=Path(outputs), today=issued)
    final = Path(outputs) / str(year) / FEEDBACK_DIR
    with staged_dir(final) as stage:
        made = write_feedback_isolated(model, stage, issued, templates_dir(inputs), BLANK_NUMBER)
    if failed is not None:
        failed += made.failed
    return [final / p.name for p in made.paths]


@dataclass
class RunResult:
    """What ``xhht run`` did: counts for the summary, the files written, every issue."""

    year: int
    expected: int
    received: int
    with_errors: int
    missing: int
    superseded: int
    rejected_files: int
    paths: list[Path] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    model: ReportModel | None = None
    version: Path | None = None
    number: str = ""
    notes: list[str] = field(default_factory=list)
    feedback: list[Path] = field(default_factory=list)
    feedback_units: list[str] = field(default_factory=list)
    unchanged: bool = False   # nothing changed since ``version``: no new version was made


def run(inputs: Path | str, outputs: Path | str, year: int, issued: _dt.date | None = None,
        on_stage: Callable[[str], None] | None = None, number: str = "blank", pdf: bool = False,
        feedback: bool = True, force: bool = False, charts: bool = True) -> RunResult:
    """Run every stage for ``year`` and return a :class:`RunResult`.

    ``charts=False`` leaves the trend (the district's series so far, read from the earlier years, and
    its native charts) out of the BC and the summary workbook.

    ``issued`` is the date printed on the documents (default: today). When the inputs, options and
    xhht version are those of the newest version, no new version is made (``unchanged=True``)
    unless ``force``. Raises XhhtError subclasses when nothing can be produced (bad plan data, no
    usable submission, a template error).
    """
    step = on_stage or (lambda _s: None)
    inputs, outputs = Path(inputs), Path(outputs)
    issued = issued or _dt.date.today()
    step(STAGES[0])
    # this year's and last year's files (path, hash, receipt time), listed once: for the fingerprint, then for
    # the keys of the checked years. A district of 10.600 units has 21.000 files: a job lists and hashes them
    # while this process reads the catalog (threads did it no faster: each file's system calls wait for the GIL);
    # a district of 37 units has 80, listed here (a job would cost more than it saves)
    parse_number(number)
    years = (year - 1, year)
    many = sum(_entries(submissions_folder(inputs, y)) for y in years) >= MANY_FILES
    listing = start(list_years, inputs, outputs, years) if many else None
    try:
        catalog = load_catalog(inputs)
        catalog.check_year(year)
    except BaseException:
        stop_all([listing])
        raise
    templates = templates_dir(inputs)
    files, hashed = listing.result() if listing is not None else list_years(inputs, outputs, years)
    archive.remember_hashes(hashed)  # (the version's copy of the inputs takes them over)
    fingerprint = run_fingerprint(catalog, inputs, outputs, year, templates,
                                  {"date": issued.isoformat(), "number": str(number), "pdf": bool(pdf),
                                   "feedback": bool(feedback), "charts": bool(charts)}, files)
    newest = archive.latest(outputs, year)
    if newest is not None and not force and _fingerprint_of(newest) == fingerprint:
        return _unchanged(outputs, year, newest)
    cache = CheckedCache.of(outputs, year)
    cache.remember_files(inputs, outputs, files)
    with _collector_paused():
        model = build_model(catalog, inputs, year, step, outputs=outputs, today=issued, cache=cache)
    gc.freeze()  # the model lives to the end: later collections (and the forked jobs) leave its objects alone
    try:
        written = write_reports(model, inputs, outputs, issued, templates, number=number, pdf=pdf, feedback=feedback,
                                fingerprint=fingerprint, cache=cache, on_stage=step, charts=charts)
    finally:
        gc.unfreeze()
    v = model.validation
    return RunResult(year=year, expected=len(v.completeness), received=len(v.received),
                     with_errors=len(v.with_errors), missing=len(v.missing),
                     superseded=sum(1 for s in model.submissions if s.state == "superseded"),
                     rejected_files=sum(1 for s in model.submissions if s.state == "rejected"),
                     paths=written.documents, issues=v.issues + written.failed, model=model,
                     version=written.version, number=written.number,
                     notes=receipt_notes(model.submissions) + written.notes,
                     feedback=written.feedback, feedback_units=written.feedback_units)


def _spawned_copy(stage: Path, read: list[tuple[Path, str]]) -> Spawned | None:
    """The version's copy of the inputs started in a new interpreter, with the hashes this process has; None where
    no interpreter can be started (a frozen application, a missing executable): a thread copies instead."""
    if not can_spawn():
        return None
    try:
        return Spawned(archive.inputs_entries, stage, read, archive.known_hashes([f for f, _ in read]))
    except OSError:
        return None


def _copied(job, stage: Path, read: list[tuple[Path, str]]) -> list[dict]:
    """The manifest's entries of the version's inputs copied by ``job``; when a spawned interpreter could not do
    it (it died, or could not import xhht), copied here instead (each copy is written afresh, so a half-done one
    is replaced). A failure of the copy itself (the disk full) is raised as it is."""
    try:
        return job.result()
    except (RenderError, ImportError):
        if not isinstance(job, Spawned):
            raise
        return archive.inputs_entries(stage, read)


def _entries(folder: Path) -> int:
    """How many entries ``folder`` holds (0 if it does not exist): a count, not a listing."""
    try:
        with os.scandir(folder) as it:
            return sum(1 for _ in it)
    except OSError:
        return 0


@contextmanager
def _collector_paused():
    """No cyclic garbage collection while a year is read and checked.

    Reading makes millions of small objects and no reference cycles; each collection pass would walk
    all of them again (at 3.700 units, with collection on, validating took half as long again and
    unpickling a checked year four times as long).
    """
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _fingerprint_of(version: Path) -> str | None:
    try:
        return archive.read_manifest(version).get("fingerprint")
    except Exception:  # noqa: BLE001 - an unreadable manifest: make a new version
        return None


def _unchanged(outputs: Path, year: int, newest: Path) -> RunResult:
    """The result of a run that found nothing new: the newest version's documents, its working copies in place."""
    m = archive.read_manifest(newest)
    archive.refresh_working_copies(outputs, year)
    v = m.get("validation", {})
    docs = [newest / e["file"] for e in m.get("outputs", []) if "/" not in e["file"]]
    names = report_filenames(year)
    order = {names["bc"]: 0, names["kh"]: 1, names["xlsx"]: 2}
    docs.sort(key=lambda p: (order.get(p.name, 3), p.name))
    return RunResult(year=year, expected=v.get("expected", 0), received=v.get("received", 0),
                     with_errors=len(v.get("with_errors", [])), missing=len(v.get("missing", [])), superseded=0,
                     rejected_files=0, paths=docs, version=newest, number=m.get("number", ""), unchanged=True)
