"""Feedback to each unit: its own workbook with the problem cells marked, and an official letter.

For every unit with errors or warnings, ``PhanHoi_<year>_<unit>.xlsx`` is a copy of the unit's own
file with each problem cell filled red and carrying a comment in Vietnamese, plus a first sheet
listing the problems; ``CV_<year>_<unit>.docx`` is a one-page công văn (NĐ 30, số ký hiệu without
a type abbreviation) asking for the corrections by a deadline. Units that sent nothing get a
letter asking them to report.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from . import vnformat as vn
from .issues import Issue, Severity
from .atomic_files import normalise_zip, safe_name
from .catalog_load import office_section

LIST_SHEET = "Lỗi cần sửa"
FEEDBACK_SUBDIR = "phan-hoi"  # inside a version
MAX_LISTED = 8  # problems written out in the one-page letter; the workbook lists them all
_CELL_RE = re.compile(r"^[A-Z]{1,3}\d+$")


@dataclass
class Checked:
    """What feedback needs, available before aggregation: the catalog, the checks and the files."""

    catalog: object
    year: int
    validation: object
    submissions: list


@dataclass
class UnitFeedback:
    unit: str
    name: str
    issues: list[Issue]
    file: Path | None  # the unit's submission in force, None if it sent nothing


def collect(model, include_warnings: bool = True) -> list[UnitFeedback]:
    """Return, in unit order, the units that need feedback and their problems (no info-level items).

    With ``include_warnings=False`` only units with errors (and units that sent nothing) are
    returned, still with all their problems listed.
    ``model`` is anything with ``validation`` and ``submissions`` (a ReportModel, or :class:`Checked`).
    """
    used = {s.unit: s for s in model.submissions if s.state == "used"}
    # a unit whose files were refused (two versions that cannot be ordered, a form naming another unit)
    # did send something: the office confirms with it first, a "please send your report" letter would be wrong
    refused = {i.unit for i in model.validation.issues
               if i.code in ("ambiguous-version", "identity-mismatch", "identity-other-unit", "step-failed")}
    by_unit: dict[str, list[Issue]] = {}  # issues grouped by unit once, not scanned per unit
    for i in model.validation.issues:
        by_unit.setdefault(i.unit, []).append(i)
    out = []
    for row in model.validation.completeness:
        if row.state == "missing":
            if row.unit not in refused:
                out.append(UnitFeedback(row.unit, row.name, [], None))
            continue
        sub = used.get(row.unit)
        mine = [i for i in by_unit.get(row.unit, ()) if i.file == sub.file
                and i.severity in (Severity.ERROR, Severity.WARNING)]
        if mine and (include_warnings or any(i.severity is Severity.ERROR for i in mine)):
            out.append(UnitFeedback(row.unit, row.name, mine, sub.path))
    return out


def _cells(issue: Issue) -> list[str]:
    return [c.strip() for c in issue.cell.split(",") if _CELL_RE.match(c.strip())]


def _writable_cell(ws, ref: str):
    """The cell to mark for ``ref``: itself, or the top-left cell of the merged range that covers it."""
    from openpyxl.cell.cell import MergedCell

    cell = ws[ref]
    if isinstance(cell, MergedCell):
        for rng in ws.merged_cells.ranges:
            if cell.coordinate in rng:
                return ws.cell(row=rng.min_row, column=rng.min_col)
    return cell


LIST_HEADS = (("STT", 5), ("Mức độ", 10), ("Trang", 12), ("Ô", 12), ("Nội dung", 100))


def _list_title(fb: UnitFeedback, year: int) -> str:
    return f"CÁC NỘI DUNG CẦN SỬA TRONG BÁO CÁO NĂM {year} - {fb.name.upper()}"


LIST_HINT = "Các ô cần sửa được tô đỏ và có ghi chú trong trang tương ứng. Sửa xong, lưu và gửi lại tệp này."


def marked_workbook(fb: UnitFeedback, year: int, out: Path, stamp: _dt.datetime) -> Path:
    """Write the unit's own workbook with its problem cells marked, or a problem list if it cannot be opened.

    An xlsx/xlsm is marked by editing its XML (:mod:`pipeline.xlsxmark`, a few milliseconds); a file
    that module does not edit (its own comments, .xls/.ods, a damaged package) goes through openpyxl.
    """
    from . import xlsxmark

    if fb.file.suffix.lower() in (".xlsx", ".xlsm"):
        marks: dict[str, dict[str, list[str]]] = {}
        for issue in fb.issues:
            for ref in _cells(issue):
                marks.setdefault(issue.sheet, {}).setdefault(ref, []).append(f"{issue.severity.label}: {issue.message}")
        rows = [(i, issue.severity.label, issue.sheet, issue.cell, issue.message)
                for i, issue in enumerate(fb.issues, start=1)]
        try:
            data, macros = xlsxmark.mark(fb.file.read_bytes(), marks, LIST_SHEET, _list_title(fb, year), LIST_HINT,
                                         LIST_HEADS, rows, stamp)
        except Exception:  # noqa: BLE001 - not a package this module edits: the openpyxl way below
            pass
        else:
            path = out / f"PhanHoi_{year}_{fb.unit}_{safe_name(fb.name)}{'.xlsm' if macros else '.xlsx'}"
            path.write_bytes(data)
            return path
    return _openpyxl_marked(fb, year, out, stamp)


def _openpyxl_marked(fb: UnitFeedback, year: int, out: Path, stamp: _dt.datetime) -> Path:
    """:func:`marked_workbook` through a full openpyxl load and save (files with comments, .xls, .ods)."""
    import openpyxl
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill

    import zipfile

    try:
        with zipfile.ZipFile(fb.file) as z:  # keep macros only if there are some: openpyxl would
            has_macros = any(n.lower().endswith("vbaproject.bin") for n in z.namelist())  # mark it macro-enabled
        wb = openpyxl.load_workbook(fb.file, keep_vba=has_macros)
        own = True
    except Exception:  # .xls/.ods (openpyxl reads only xlsx/xlsm) or a damaged file: list only
        wb = openpyxl.Workbook()
        wb.active.title = "Ghi chú"
        wb.active["A1"] = (f"Tệp gốc {fb.file.name} không mở được để đánh dấu trực tiếp; các ô cần sửa được liệt kê "
                           f"ở trang '{LIST_SHEET}'.")
        own = False
    red = PatternFill("solid", fgColor="FFC7CE")
    if own:
        for issue in fb.issues:
            if issue.sheet in wb.sheetnames:
                ws = wb[issue.sheet]
                for ref in _cells(issue):
                    cell = _writable_cell(ws, ref)
                    cell.fill = red
                    text = f"{issue.severity.label}: {issue.message}"
                    if cell.comment is not None:
                        text = cell.comment.text + "\n\n" + text
                    cell.comment = Comment(text, "Phòng GD&ĐT")
                    cell.comment.width, cell.comment.height = 320, 160
    ls = wb.create_sheet(LIST_SHEET, 0)
    ls["A1"] = _list_title(fb, year)
    ls["A1"].font = Font(name="Times New Roman", size=14, bold=True)
    ls["A2"] = LIST_HINT
    ls["A2"].font = Font(name="Times New Roman", size=11, italic=True)
    for col, (head, width) in enumerate(LIST_HEADS, start=1):
        c = ls.cell(row=4, column=col, value=head)
        c.font = Font(name="Times New Roman", size=11, bold=True)
        ls.column_dimensions[c.column_letter].width = width
    for i, issue in enumerate(fb.issues, start=1):
        for col, value in enumerate((i, issue.severity.label, issue.sheet, issue.cell, issue.message), start=1):
            c = ls.cell(row=4 + i, column=col, value=value)
            if isinstance(value, str):
                c.data_type = "s"
            c.font = Font(name="Times New Roman", size=11)
            c.alignment = Alignment(wrap_text=True, vertical="top")
    ls.freeze_panes = "A5"
    wb.active = 0
    for sheet in wb.worksheets:
        sheet.sheet_view.tabSelected = sheet.title == LIST_SHEET
    wb.properties.created = stamp
    wb.properties.modified = stamp
    # the .xlsm name only with macros inside: Excel refuses a file whose name and content disagree
    suffix = ".xlsm" if own and has_macros else ".xlsx"
    path = out / f"PhanHoi_{year}_{fb.unit}_{safe_name(fb.name)}{suffix}"
    wb.save(path)
    normalise_zip(path, stamp)
    return path


def sent_form(catalog, unit_code: str, year: int, folder: Path) -> Path | None:
    """The form ``xhht forms`` wrote for the unit and ``year`` (``<outputs>/bieu-mau/<year>/``, found from the
    feedback ``folder`` inside ``<outputs>/<year>/…``), or None. Copied, never built here: a run does not import
    openpyxl."""
    from .forms import form_filename

    unit = catalog.unit(unit_code) if hasattr(catalog, "unit") else None
    if unit is None:
        return None
    name = form_filename(unit, year)
    for up in list(Path(folder).resolve().parents)[:4]:
        form = up / "bieu-mau" / str(year) / name
        if form.is_file():
            return form
    return None


def plain_text(issue: Issue) -> str:
    """An issue in plain administrative Vietnamese for a letter: no quotes, arrows or advice to the software user.

    ``'Số người 15-35 tuổi biết chữ' (3614) lớn hơn 'Tổng số …' (3599). Hãy kiểm tra …`` becomes
    ``số người 15–35 tuổi biết chữ (3.614) lớn hơn tổng số … (3.599)``; the sheet and cell stay in the workbook.
    """
    text = issue.message
    text = re.sub(r"'([^']+)'", lambda m: vn.lower_first(m.group(1)), text)
    text = re.sub(r"(?<![\d.,])(?<!năm )(\d{4,})(?![\d.,])", lambda m: vn.number(int(m.group(1))), text)
    text = re.sub(r";?\s*[Hh]ãy [^.;]*", "", text)
    text = re.sub(r"(?<![\d,])(\d+)%", r"\1,0%", text)  # one decimal, as everywhere in the documents
    text = re.sub(r"\(([^()]+?) (?:→|->) ([^()]+?)\)", r"(từ \1 thành \2)", text)  # "(70,1% → 88,3%)"
    text = text.replace("→", "thành").replace("->", "thành").replace('"', "")
    sentences = [x.strip() for x in re.split(r"(?<=[.!])\s+", text) if x.strip()]
    kept = [x for x in sentences if not x.startswith(("Hãy", "Sửa", "Kiểm tra lại"))] or sentences[:1]
    out = " ".join(kept).rstrip(".")
    return vn.lower_first(out) if not out[:2].isupper() else out


def correction_due(issued: _dt.date, days: int) -> _dt.date:
    """The day a unit's corrected report is due: ``days`` working days (Monday to Friday) after the letter's date
    (office.yaml ``correction_days``; public holidays are not known here and are not skipped)."""
    d, left = issued, max(0, days)
    while left:
        d += _dt.timedelta(days=1)
        if d.weekday() < 5:
            left -= 1
    return d


def _plan_words(catalog, text: str) -> str:
    """A figure named as the plan names its indicator: the form's count "Số … bậc 2 (A2) trở lên" is the plan's
    "… bậc 2 (A2)" (the letter speaks of the plan's indicator; the form says what to count)."""
    for ind in getattr(getattr(catalog, "plan", None), "indicators", ()):
        label, name = ind.numerator_label, ind.name
        if label.endswith(" trở lên") and "trở lên" not in name and name.startswith("Tỷ lệ "):
            text = text.replace(vn.lower_first(label), vn.lower_first("Số " + name[len("Tỷ lệ "):]))
            text = text.replace(label, "Số " + name[len("Tỷ lệ "):])
    # "… bậc 2 (A2) (42) lớn hơn tổng số … (41)": two brackets side by side; the figures go together at the end
    return re.sub(r"^(.*\)) \((\d[\d.,]*%?)\) lớn hơn (.+) \((\d[\d.,]*%?)\)$", r"\1 lớn hơn \3 (\2 so với \4)", text)


def _letters_facts(cat) -> dict:
    """Contact person and the way to send a report, from office.yaml ``letters`` (empty when not given)."""
    office = office_section(cat)
    letters = office.get("letters") if isinstance(office.get("letters"), dict) else {}
    contact = letters.get("contact") if isinstance(letters.get("contact"), dict) else {}
    return {"contact": {k: str(contact.get(k) or "") for k in ("name", "position", "phone", "email")},
            "send_by": str(letters.get("send_by") or "")}


def proper_name(catalog, unit_code: str, name: str) -> str:
    """The body a letter is addressed to: a commune's Ủy ban nhân dân; other units by their own name."""
    unit = catalog.unit(unit_code) if hasattr(catalog, "unit") else None
    if unit is not None and catalog.is_commune(unit):
        return "Ủy ban nhân dân " + vn.in_sentence(unit.name)
    return name


def letter_context(model, fb: UnitFeedback, issued: _dt.date, number: str, attached: bool = False) -> dict:
    """Context of the công văn to one unit (every sentence from the phrasebook); ``attached``: the unit's form goes
    with the letter (a unit that sent nothing)."""
    from .wording import phrasebook

    cat = model.catalog
    office = cat.office
    inputs = Path(cat.files["office.yaml"]).parent if getattr(cat, "files", None) else None
    pb = phrasebook(inputs)
    year = model.year
    deadline = correction_due(issued, office.correction_days)
    unit = proper_name(cat, fb.unit, fb.name)
    extra = _letters_facts(cat)
    f = dict(year=year, next_year=year + 1, end=cat.plan.period[1], office=office.full_name, unit=unit,
             due=vn.short_date(deadline),
             plan_number=cat.plan.number, plan_issuer=cat.plan.issuer, deadline=vn.short_date(office.deadline(year)),
             plan_date=vn.short_date(cat.plan.date), plan_title=cat.plan.title, send_by=extra["send_by"])
    # the last sentence: whom to call (office.yaml letters.contact), closing the body with "./."
    contact = pb.say("cv.contact", contact=extra["contact"], **f) if extra["contact"]["name"] else ""
    if fb.file is None:
        subject = pb.say("cv.subject.missing", **f)
        body = [pb.say("cv.missing.1", **f), pb.say("cv.missing.2", attached=attached, **f)]
    else:
        errors = [i for i in fb.issues if i.severity is Severity.ERROR]
        warnings = [i for i in fb.issues if i.severity is not Severity.ERROR]
        parts = ([f"{vn.count2(len(errors))} số liệu chưa hợp lý"] if errors else []) + \
                ([f"{vn.count2(len(warnings))} số liệu cần kiểm tra, xác nhận"] if warnings else [])
        subject = pb.say("cv.subject.errors" if errors else "cv.subject.warnings", **f)
        body = [pb.say("cv.received", parts=parts, **f)]
        shown = 0
        # a letter with both kinds lists them under "a)" and "b)"; with one kind the lead-in above already
        # says what the list is, and a heading would say it a second time
        both = bool(errors and warnings)
        for head, items, letter in (("cv.errors.head", errors, "a"), ("cv.warnings.head", warnings, "b")):
            if not items:
                continue
            if both:
                body.append(pb.say(head, letter=letter))
            for issue in items[:max(1, MAX_LISTED - shown)]:
                body.append(pb.say("cv.item", text=vn.upper_first(_plan_words(cat, plain_text(issue)))))
            shown += len(items[:max(1, MAX_LISTED - shown)])
            body[-1] = body[-1][:-1] + "."
        if len(fb.issues) > shown:
            body.append(pb.say("cv.more", count=len(fb.issues) - shown))
        # what is marked where, then the request (number agreement: "các số liệu" only for more than one figure)
        body.append(pb.say("cv.marked", count=len(fb.issues)))
        body.append(pb.say("cv.ask.errors" if errors else "cv.ask.warnings", errors=len(errors),
                           warnings=len(warnings), **f))
    if contact:
        body[-1] = body[-1].removesuffix("./.") + "."
        body.append(contact)
    s = office.signer
    return {"office": {"parent": office.parent, "name": office.name, "abbreviation": office.abbreviation,
                       "full_name": office.full_name, "drafting_unit": office.drafting_unit},
            "number": number, "date_line": vn.issue_date(office.place, issued), "subject": subject,
            "recipient": unit, "body": body,
            "recipients": ["- Như trên;", f"- Lưu: VT{', ' + office.drafting_unit if office.drafting_unit else ''}."],
            "signer": {"authority": s.authority or s.title, "title": s.title if s.authority else "", "name": s.name}}


@dataclass
class FeedbackMade:
    """What a feedback pass wrote: the files, the units they are for, the units that failed, and per
    unit the key of its inputs and its files (kept in the manifest, so the next version can reuse them)."""

    paths: list[Path] = field(default_factory=list)
    failed: list[Issue] = field(default_factory=list)
    units: list[str] = field(default_factory=list)
    entries: dict[str, dict] = field(default_factory=dict)

    def manifest(self) -> dict:
        return {"units": self.entries}


def feedback_key(model, fb: UnitFeedback, issued: _dt.date, template: Path, number: str,
                 include_warnings: bool, form: Path | None = None) -> str:
    """The digest of everything a unit's feedback depends on: its file, its problems, the date, the
    template, the catalog and xhht's code. Same key, same bytes."""
    from .archive import sha256
    from .checkcache import code_digest
    from .wording import phrasebook

    files = getattr(model.catalog, "files", {}) or {}
    inputs = Path(files["office.yaml"]).parent if "office.yaml" in files else None
    parts = [sha256(phrasebook(inputs).path), code_digest(), model.year, issued.isoformat(), number, include_warnings, fb.unit, fb.name,
             sha256(fb.file) if fb.file is not None and fb.file.is_file() else "",
             [[i.severity.value, i.code, i.sheet, i.cell, i.message] for i in fb.issues],
             sha256(template) if template.is_file() else "", sha256(form) if form is not None else "",
             [[name, sha256(path)] for name, path in sorted(getattr(model.catalog, "files", {}).items())]]
    return hashlib.sha256(json.dumps(parts, ensure_ascii=False).encode("utf-8")).hexdigest()


def _reusable(previous: Path | None) -> dict[str, dict]:
    """The feedback entries of the newest version (unit -> {key, files}), if it has any."""
    if previous is None:
        return {}
    try:
        manifest = json.loads((previous / "manifest.json").read_text(encoding="utf-8"))
        return dict(manifest.get("feedback", {}).get("units", {}))
    except (OSError, ValueError, AttributeError):
        return {}


def write_feedback(model, folder: Path, issued: _dt.date, templates: Path, number: str,
                   include_warnings: bool = True) -> list[Path]:
    """Write the marked workbooks and letters of every unit that needs feedback into ``folder``.

    Returns the files written; see :func:`write_feedback_isolated` for the units that failed.
    """
    return write_feedback_isolated(model, folder, issued, templates, number, include_warnings).paths


def write_feedback_isolated(model, folder: Path, issued: _dt.date, templates: Path, number: str,
                            include_warnings: bool = True, previous: Path | None = None) -> FeedbackMade:
    """Like :func:`write_feedback`, one unit at a time: a unit whose feedback cannot be written gets an
    issue (``step-failed``, naming its file) and leaves no partial file; every other unit is still written.

    With ``previous`` (the newest version), a unit whose key (file, problems, date, template, catalog,
    code: :func:`feedback_key`) is the one recorded there gets that version's files, copied, instead of
    new ones; the entry says ``reused_from``. (Copied, not hard-linked: sealing a version makes its files
    read-only, and a hard link would share that with the new version.)

    A template error (the công văn template itself is broken) is not a unit's problem and is raised.
    """
    from .errors import RenderError, XhhtError
    from .templating import fill_docx, locate

    folder.mkdir(parents=True, exist_ok=True)
    stamp = _dt.datetime.combine(issued, _dt.time(8, 0))
    inputs = Path(model.catalog.files["office.yaml"]).parent if getattr(model.catalog, "files", None) else None
    template, origin = locate("cong_van.docx", inputs)
    if origin == "packaged" and (templates / "cong_van.docx").is_file():
        template = templates / "cong_van.docx"
    before = _reusable(previous)
    made = FeedbackMade()
    for fb in collect(model, include_warnings):
        mine: list[Path] = []
        step = "đánh dấu bảng tính phản hồi cho đơn vị"
        # a unit that sent nothing: its form, when `xhht forms` made it, goes with the letter
        form = sent_form(model.catalog, fb.unit, model.year, folder) if fb.file is None else None
        key = feedback_key(model, fb, issued, template, number, include_warnings, form)
        old = before.get(fb.unit) or {}
        sources = [previous / FEEDBACK_SUBDIR / name for name in old.get("files", [])] if previous else []
        try:
            if old.get("key") == key and sources and all(p.is_file() for p in sources):
                for src in sources:
                    mine.append(Path(shutil.copyfile(src, folder / src.name)))
                entry = {"key": key, "files": [p.name for p in mine],
                         "reused_from": old.get("reused_from") or previous.name}
            else:
                if fb.file is not None:
                    mine.append(marked_workbook(fb, model.year, folder, stamp))
                attached = form is not None
                if attached:
                    mine.append(Path(shutil.copyfile(form, folder / form.name)))
                step = "viết công văn phản hồi cho đơn vị"
                letter = folder / f"CV_{model.year}_{fb.unit}_{safe_name(fb.name)}.docx"
                fill_docx(template, letter_context(model, fb, issued, number, attached=attached), letter, issued,
                          title=f"Công văn gửi {fb.name}")
                mine.append(letter)
                entry = {"key": key, "files": [p.name for p in mine]}
        except RenderError:
            raise
        except (Exception, XhhtError) as exc:  # noqa: BLE001 - one unit never stops the others
            for p in mine + list(folder.glob(f"*_{model.year}_{fb.unit}_*")):
                p.unlink(missing_ok=True)
            detail = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
            file = next((s.file for s in model.submissions if s.unit == fb.unit and s.state == "used"), "")
            made.failed.append(Issue.make("step-failed", unit=fb.unit, file=file, step=step, detail=detail))
            continue
        made.paths += mine
        made.units.append(fb.unit)
        made.entries[fb.unit] = entry
    return made
