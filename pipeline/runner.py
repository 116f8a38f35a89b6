"""The pipeline API shared by every command: each stage is one function, ``run`` chains them.

    catalog = load_catalog(inputs)
    data    = ingest(catalog, inputs, year)            # files -> raw values with provenance
    checked = validate(catalog, data)                  # values -> observations + issues (+ outliers)
    model   = aggregate(catalog, checked, ...)         # -> ReportModel (no I/O)
    written = write_reports(model, inputs, outputs, issued)
              # -> outputs/<year>/vN/: BC and KH (DOCX), summary (XLSX), feedback, inputs copy, manifest

Receiving and the progress board are part of the same API (re-exported here)::

    receive(inputs, outputs, year, paths, now=None) -> list[Receipt]     # pipeline/receive.py
    list_received(outputs, year=None) -> list[Receipt]
    status(inputs, outputs, year, today=None) -> StatusBoard              # pipeline/status.py

No function here prints or exits: the CLI reports progress through the ``on_stage`` callback and
turns :class:`~pipeline.errors.XhhtError` into messages and exit codes.
"""

from __future__ import annotations

import datetime as _dt
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from .aggregate import ReportModel, aggregate
from .errors import NothingToReport
from .ingest import IngestResult, ingest, receipt_notes, submissions_folder
from .issues import Issue
from .plan import Catalog, load_catalog
from .receive import Receipt, list_received, receipt_times, receive  # noqa: F401  (pipeline API)
from .status import StatusBoard, StatusRow, status  # noqa: F401  (pipeline API)
from .validate import ValidationResult, flag_outliers, validate

FEEDBACK_DIR = "phan-hoi"
_REPO_TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
STAGES = ("Đọc dữ liệu kế hoạch", "Đọc báo cáo của các đơn vị", "Kiểm tra số liệu", "Tổng hợp theo kế hoạch",
          "Viết báo cáo (DOCX)", "Viết kế hoạch năm sau (DOCX)", "Viết bảng tổng hợp (XLSX)", "Tạo PDF",
          "Lưu kết quả")


def report_filenames(year: int) -> dict[str, str]:
    """Return the output file names of report year ``year``: BC, summary workbook, next year's KH."""
    return {"bc": f"BC_XHHT_{year}.docx", "xlsx": f"TongHop_XHHT_{year}.xlsx", "kh": f"KH_XHHT_{year + 1}.docx",
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


def validate_year(catalog: Catalog, inputs: Path, year: int, outputs: Path | None = None,
                  today: _dt.date | None = None) -> tuple[IngestResult, ValidationResult]:
    """Ingest and validate ``year``, with the outlier checks against ``year - 1`` when it exists."""
    data, checked = check_and_read(catalog, inputs, year, outputs, today)
    if submissions_folder(inputs, year - 1).is_dir():
        flag_outliers(catalog, checked, check_and_read(catalog, inputs, year - 1, outputs)[1])
    return data, checked


def build_model(catalog: Catalog, inputs: Path, year: int,
                on_stage: Callable[[str], None] | None = None,
                on_checked: Callable[[ValidationResult, list], None] | None = None,
                outputs: Path | None = None, today: _dt.date | None = None) -> ReportModel:
    """Run ingest, validate and aggregate for ``year``; raise NothingToReport if no unit sent a usable form.

    ``on_checked(checked, submissions)`` is called once the checks are complete, before aggregation
    (``run`` starts the feedback to units there, on the second core).
    """
    step = on_stage or (lambda _s: None)
    catalog.check_year(year)
    # the year before (for the change since last year) is read on the second core meanwhile
    prev_job = (_Background(check_and_read, catalog, inputs, year - 1, outputs)
                if submissions_folder(inputs, year - 1).is_dir() else None)
    step(STAGES[1])
    data = ingest(catalog, inputs, year, receipt_times(outputs, year) if outputs is not None else None)
    step(STAGES[2])
    checked = validate(catalog, data, today)
    if not checked.received:
        if prev_job:
            prev_job.result()
        folder = submissions_folder(inputs, year)
        where = f"thư mục {folder}" if folder.is_dir() else f"thư mục {folder} (chưa có thư mục này)"
        raise NothingToReport(f"Không có báo cáo hợp lệ nào của năm {year} trong {where}; chưa thể lập báo cáo. "
                              f"Hãy chép các tệp Excel các đơn vị gửi vào thư mục này rồi chạy lại.")
    step(STAGES[3])
    prev = prev_job.result() if prev_job else None
    flag_outliers(catalog, checked, prev[1] if prev else None)
    if on_checked is not None:
        on_checked(checked, data.submissions)
    from .chidao import load_direction

    history = {}
    ms = catalog.plan.milestone_for(year)
    if ms and ms.baseline and ms.baseline < year - 1 and submissions_folder(inputs, ms.baseline).is_dir():
        history[ms.baseline] = check_and_read(catalog, inputs, ms.baseline)[1]  # the lộ trình's baseline year
    return aggregate(catalog, checked, data.submissions, prev[1] if prev else None, prev[0].submissions if prev else None,
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
    root = Path(inputs) / "submissions"
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.name


def _validation_summary(model: ReportModel) -> dict:
    v = model.validation
    codes: dict[str, int] = {}
    for issue in v.issues:
        codes[issue.code] = codes.get(issue.code, 0) + 1
    return {"expected": len(v.completeness), "received": len(v.received),
            "missing": [u.unit for u in v.missing], "with_errors": [u.unit for u in v.with_errors],
            "errors": sum(1 for i in v.issues if i.severity.value == "error"),
            "warnings": sum(1 for i in v.issues if i.severity.value == "warning"), "issues": dict(sorted(codes.items()))}


class _Background:
    """Run one rendering job beside the main one on the second core (fork, where the OS has it).

    Rendering is CPU-bound Python, so a thread would not help; a forked child starts in a few
    milliseconds with everything already imported, writes its file and exits (it never outlives
    its job, even if the parent is killed). Where fork is not available (Windows) the job runs in
    this process when its result is asked for. The child reports an error as its message.
    """

    def __init__(self, fn, *args, **kwargs):
        import os

        self.call = (fn, args, kwargs)
        self.pid = None
        if hasattr(os, "fork") and os.environ.get("XHHT_NO_FORK") != "1":
            read, write = os.pipe()
            pid = os.fork()
            if pid == 0:  # child
                os.close(read)
                code = 0
                try:
                    import pickle

                    payload = b"R" + pickle.dumps(fn(*args, **kwargs))
                except BaseException as exc:  # report any failure to the parent, then exit
                    payload = f"E{type(exc).__name__}\x00{exc}".encode("utf-8", "replace")
                    code = 1
                try:
                    view = memoryview(payload)
                    while view:
                        view = view[os.write(write, view):]
                finally:
                    os._exit(code)
            os.close(write)
            self.pid, self.read = pid, read

    def result(self):
        """Return the job's result (raise RenderError with the child's message if it failed)."""
        import os
        import pickle

        if self.pid is None:
            fn, args, kwargs = self.call
            return fn(*args, **kwargs)
        chunks = []
        while True:
            data = os.read(self.read, 1 << 20)
            if not data:
                break
            chunks.append(data)
        os.close(self.read)
        _pid, status = os.waitpid(self.pid, 0)
        payload = b"".join(chunks)
        if status == 0 and payload[:1] == b"R":
            return pickle.loads(payload[1:])
        kind, _, message = payload[1:].decode("utf-8", "replace").partition("\x00")
        from .errors import RenderError

        raise RenderError(message or f"Tiến trình phụ dừng bất thường ({kind or status}).")


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
                  number: str = "blank", pdf: bool = False,
                  on_stage: Callable[[str], None] | None = None, stage: Path | None = None,
                  feedback_job: "_Background | None" = None, feedback: bool = True,
                  fingerprint: str = "") -> Written:
    """Render the BC, next year's KH and the summary workbook as a new immutable version ``outputs/<year>/vN/``.

    ``number``: ``"blank"`` leaves the number for the văn thư to write; ``"auto"`` takes the next
    numbers from the register of outgoing documents; ``"12"`` (or ``"12,5"`` for the BC and the KH)
    uses the numbers the văn thư gave. ``pdf`` also writes a PDF of each document with one
    LibreOffice process. All or nothing: on any failure no version appears and the register is as
    before. ``fingerprint`` (see :func:`run_fingerprint`) is kept in the manifest.
    """
    from . import __version__, archive, register
    from . import vnformat as vn
    from .pdf import convert_to_pdf, find_soffice
    from .render_docx import BLANK_NUMBER, orthography, plan_context, render_template, report_context, ttr_context
    from .render_xlsx import render_workbook

    import docxtpl  # noqa: F401  (imported once here, before the background job forks)

    import json

    from .aggregate import model_dict
    from .templating import locate

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
    with_plan = model.catalog.plan.milestone_for(model.year + 1) is not None
    notes: list[str] = []
    mode, bc_number, kh_number = parse_number(number)
    start = register.configured_next(model.catalog.files.get("office.yaml")) if mode != "blank" else {}
    stage = stage or archive.new_staging(outputs, model.year)
    taken: list = []
    entry = kh_entry = None

    def take(doc_type: str, wanted: int | None, what: str):
        e = register.reserve(outputs, office.abbreviation, doc_type, issued, what, wanted, start.get(doc_type, 1))
        taken.append(e)
        return e

    try:
        from .charts import yearly_trend

        trend_job = _Background(yearly_trend, model, inputs, outputs)  # the series so far and its charts (2nd core)
        entry = take("BC", bc_number, subject) if mode != "blank" else None
        shown = f"{entry.number:02d}" if entry else BLANK_NUMBER
        docs = [stage / names["bc"]]
        kh_job = None
        if with_plan:
            # the Phòng numbers its own tờ trình; the KH is UBND huyện's draft, numbered by UBND's văn thư
            kh_entry = (take("TTr", kh_number, f"Tờ trình ban hành {plan_subject[0].lower() + plan_subject[1:]}")
                        if mode != "blank" else None)
            ref = f"Báo cáo số {entry.code} ngày {vn.short_date(issued)}" if entry else ""
            request = f"Tờ trình số {kh_entry.code} ngày {vn.short_date(issued)}" if kh_entry else ""
            kh_job = _Background(render_template, tpl("ke_hoach.docx"),
                                 plan_context(model, issued, BLANK_NUMBER, ref, request),
                                 stage / names["kh"], issued, title=plan_subject, orthography=ortho)
            render_template(tpl("to_trinh.docx"),
                            ttr_context(model, issued, f"{kh_entry.number:02d}" if kh_entry else BLANK_NUMBER, ref),
                            stage / names["ttr"],
                            issued, title=f"Tờ trình ban hành {plan_subject[0].lower() + plan_subject[1:]}",
                            orthography=ortho)
            docs += [stage / names["kh"], stage / names["ttr"]]
        # in a run: the units that must correct something (errors) or report at all; `xhht feedback`
        # also covers the units with warnings only
        if feedback and feedback_job is None:
            feedback_job = start_feedback(model, stage, issued, templates)
        step(STAGES[4])
        trend = trend_job.result()
        notes += [trend.note] if trend.note else []
        render_template(tpl("bao_cao.docx"), report_context(model, issued, shown, trend.charts), stage / names["bc"],
                        issued, title=subject, orthography=ortho)
        (stage / names["model"]).write_text(json.dumps(model_dict(model), ensure_ascii=False, indent=1, sort_keys=True),
                                            encoding="utf-8")
        notes.append("Mẫu văn bản đã dùng: " + "; ".join(
            f"{n} ({'của cơ quan, thư mục inputs/templates' if v.startswith('inputs') else 'mẫu mặc định'})"
            for n, v in sorted(used.items())) + ".")
        step(STAGES[5])
        if not with_plan:
            kh_entry = None
            notes.append(f"Năm {model.year + 1} nằm ngoài giai đoạn của Kế hoạch số {model.catalog.plan.number}: "
                         "không lập kế hoạch năm sau.")
        step(STAGES[6])
        render_workbook(model, stage / names["xlsx"], issued, trend.series)
        if kh_job is not None:
            kh_job.result()
        made_feedback, feedback_failed = feedback_job.result() if feedback_job is not None else ([], [])
        step(STAGES[7])
        if pdf:
            soffice = find_soffice(model.catalog.files.get("office.yaml"))
            if soffice is None:
                notes.append("Không tìm thấy LibreOffice (soffice) trên máy: chưa tạo được PDF. Cài LibreOffice "
                             "rồi chạy lại với --pdf, hoặc mở DOCX bằng Word và lưu thành PDF.")
            else:
                convert_to_pdf(soffice, docs, stage)
        step(STAGES[8])
        archive.snapshot_inputs(stage, _input_files(model, inputs, templates))
        archive.write_manifest(stage, {
            "xhht_version": __version__, "year": model.year,
            "created": _dt.datetime.now().replace(microsecond=0).isoformat(),
            "options": {"year": model.year, "date": issued.isoformat(), "number": number,
                        "inputs": str(inputs), "outputs": str(outputs)},
            "number": entry.code if entry else "",
            "register": [dict(e.key(), issued=e.issued, subject=e.subject) for e in (entry, kh_entry) if e],
            "fingerprint": fingerprint,
            "plan": model.catalog.plan.number, "validation": _validation_summary(model), "templates": used,
            "submissions": [{"file": f"inputs/submissions/{_rel_to_submissions(sub.path, inputs)}", "unit": sub.unit,
                             "year": sub.year, "state": sub.state, "superseded_by": sub.superseded_by,
                             "report_date": sub.report_date.isoformat() if sub.report_date else None}
                            for sub in model.submissions]})
        made = sorted(p.name for p in stage.iterdir() if p.is_file() and p.name != archive.MANIFEST)
        version = archive.commit(stage, outputs, model.year, made)
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        for e in taken:
            register.undo(outputs, e)  # a failed run takes no number
        raise
    for e in (entry, kh_entry):
        if e:
            register.confirm(outputs, e.id, f"{model.year}/{version.name}")
    order = [names["bc"], names.get("kh"), names.get("ttr"), names["xlsx"]]
    documents = [version / n for n in order if n and (version / n).is_file()]
    documents += [version / n for n in made if n.endswith(".pdf")]
    numbers = ", ".join(e.code for e in (entry, kh_entry) if e)
    from .feedback import collect

    failed_units = {i.unit for i in feedback_failed}
    return Written(version, documents, numbers, notes,
                   [version / FEEDBACK_DIR / p.name for p in made_feedback],
                   [fb.unit for fb in collect(model) if fb.unit not in failed_units] if made_feedback else [],
                   feedback_failed)


def parse_number(number: str | int | None) -> tuple[str, int | None, int | None]:
    """Read ``--number``: ``blank``, ``auto``, ``12`` (the BC) or ``12,5`` (the BC and the KH).

    Returns (mode, BC number, KH number); mode is ``blank``, ``auto`` or ``given``.
    """
    from .errors import UsageError

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
                    options: dict) -> str:
    """A digest of everything a run's documents depend on: input files (contents and receipt times),
    templates, options and the xhht version. Two runs with the same fingerprint make the same files.
    """
    import hashlib
    import json

    from . import __version__
    from .archive import is_office_litter, sha256

    parts: list = [["xhht", __version__], ["options", options]]
    for name, path in sorted(catalog.files.items()):
        parts.append([name, sha256(path)])
    latest_plausible = _dt.date(year + 1, 12, 31)
    for y in (year - 1, year):
        folder = submissions_folder(inputs, y)
        if not folder.is_dir():
            continue
        times = receipt_times(outputs, y)
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            rel = path.relative_to(folder).as_posix()
            if is_office_litter(path.name) or path.name.startswith(".~lock."):
                continue
            mtime = _dt.datetime.fromtimestamp(path.stat().st_mtime)
            when = times.get(rel) or (mtime.replace(microsecond=0) if mtime.date() <= latest_plausible else None)
            parts.append([f"submissions/{y}/{rel}", sha256(path), when.isoformat() if when else ""])
    for name in ("bao_cao.docx", "ke_hoach.docx", "cong_van.docx"):
        if (templates / name).is_file():
            parts.append([f"templates/{name}", sha256(templates / name)])
    return hashlib.sha256(json.dumps(parts, ensure_ascii=False, sort_keys=True).encode("utf-8")).hexdigest()


def start_feedback(model, stage: Path, issued: _dt.date, templates: Path) -> _Background:
    """Start writing the feedback of a run (every unit with problems or no report) beside the main work."""
    from .feedback import write_feedback_isolated
    from .render_docx import BLANK_NUMBER

    return _Background(write_feedback_isolated, model, stage / FEEDBACK_DIR, issued, templates, BLANK_NUMBER)


def write_feedback_only(inputs: Path, outputs: Path, year: int, issued: _dt.date | None = None,
                        failed: list[Issue] | None = None) -> list[Path]:
    """``xhht feedback``: the marked workbooks and letters into ``outputs/<year>/phan-hoi/`` (replaced).

    Units whose feedback could not be written are appended to ``failed`` (one issue each).
    """
    from .feedback import write_feedback_isolated
    from .render_docx import BLANK_NUMBER
    from .store import staged_dir

    catalog = load_catalog(inputs)
    issued = issued or _dt.date.today()
    model = build_model(catalog, inputs, year, outputs=Path(outputs), today=issued)
    final = Path(outputs) / str(year) / FEEDBACK_DIR
    with staged_dir(final) as stage:
        made, bad = write_feedback_isolated(model, stage, issued, templates_dir(inputs), BLANK_NUMBER)
    if failed is not None:
        failed += bad
    return [final / p.name for p in made]


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
        feedback: bool = True, force: bool = False) -> RunResult:
    """Run every stage for ``year`` and return a :class:`RunResult`.

    ``issued`` is the date printed on the documents (default: today). When the inputs, options and
    xhht version are those of the newest version, no new version is made (``unchanged=True``)
    unless ``force``. Raises XhhtError subclasses when nothing can be produced (bad plan data, no
    usable submission, a template error).
    """
    from . import archive
    from .feedback import Checked

    step = on_stage or (lambda _s: None)
    inputs, outputs = Path(inputs), Path(outputs)
    issued = issued or _dt.date.today()
    step(STAGES[0])
    catalog = load_catalog(inputs)
    catalog.check_year(year)
    parse_number(number)
    fingerprint = run_fingerprint(catalog, inputs, outputs, year, templates_dir(inputs),
                                  {"date": issued.isoformat(), "number": str(number), "pdf": bool(pdf),
                                   "feedback": bool(feedback)})
    newest = archive.latest(outputs, year)
    if newest is not None and not force:
        try:
            same = archive.read_manifest(newest).get("fingerprint") == fingerprint
        except Exception:  # noqa: BLE001 - an unreadable manifest: make a new version
            same = False
        if same:
            return _unchanged(outputs, year, newest)
    early: dict = {}

    def checked_hook(checked, submissions):
        import docxtpl  # noqa: F401  (imported before forking, so no child imports it again)

        early["stage"] = stage = archive.new_staging(outputs, year)
        if feedback:
            early["feedback"] = start_feedback(Checked(catalog, year, checked, submissions), stage, issued,
                                           templates_dir(inputs))

    try:
        model = build_model(catalog, inputs, year, step, on_checked=checked_hook, outputs=outputs, today=issued)
        written = write_reports(model, inputs, outputs, issued, number=number, pdf=pdf, on_stage=step,
                                stage=early.get("stage"), feedback_job=early.get("feedback"), feedback=feedback,
                                fingerprint=fingerprint)
    except BaseException:
        if "feedback" in early:
            try:
                early["feedback"].result()  # reap the child before removing its folder
            except Exception:  # noqa: BLE001 - the first error is the one to report
                pass
        if "stage" in early:
            shutil.rmtree(early["stage"], ignore_errors=True)
        raise
    v = model.validation
    return RunResult(year=year, expected=len(v.completeness), received=len(v.received),
                     with_errors=len(v.with_errors), missing=len(v.missing),
                     superseded=sum(1 for s in model.submissions if s.state == "superseded"),
                     rejected_files=sum(1 for s in model.submissions if s.state == "rejected"),
                     paths=written.documents, issues=v.issues + written.failed, model=model,
                     version=written.version,
                     number=written.number, notes=receipt_notes(model.submissions) + written.notes,
                     feedback=written.feedback,
                     feedback_units=written.feedback_units)


def _unchanged(outputs: Path, year: int, newest: Path) -> RunResult:
    """The result of a run that found nothing new: the newest version's documents, its working copies in place."""
    from . import archive

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
