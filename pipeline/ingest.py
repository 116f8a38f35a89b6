"""Read every submitted form of a year into a tidy table that remembers where each value came from.

Files are identified by the unit code and year stored inside the workbook (hidden sheet
``_xhht``), never by their name. When a unit sent several versions, the one with the latest report
date (then the latest file time, then the file name) is used and the others are marked superseded.
Nothing here judges the values: :mod:`pipeline.validate` does that.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import layout as L
from .issues import Issue
from .plan import Catalog

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
ZIP_SUFFIXES = (".xlsx", ".xlsm", ".ods")
MAX_FILE_MB = 20            # a filled form is ~15 KB; anything this large is not our form
MAX_UNZIPPED_MB = 200       # guards against zip bombs
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")


@dataclass
class Submission:
    """One submitted file and what ingest decided about it."""

    path: Path
    file: str                       # shown to people: path relative to the submissions folder
    unit: str = ""
    year: int | None = None
    form_version: str = ""
    report_date: _dt.date | None = None
    received: _dt.date | None = None
    preparer: str = ""
    state: str = "rejected"         # used | superseded | rejected
    superseded_by: str = ""

    @property
    def effective_date(self) -> _dt.date | None:
        return self.report_date or self.received


@dataclass(frozen=True)
class RawValue:
    """A cell as submitted, with its provenance. ``field`` is numerator, denominator or status."""

    unit: str
    year: int
    indicator: str
    field: str
    raw: Any
    file: str
    sheet: str
    cell: str
    note: str = ""
    formula_without_value: bool = False


@dataclass(frozen=True)
class RawText:
    """A narrative cell (task group result, limitations, proposals) as submitted."""

    unit: str
    year: int
    task: str
    text: str
    file: str
    sheet: str
    cell: str


@dataclass(frozen=True)
class RawActivity:
    """A count of Section II (sheet "Nhiệm vụ") as submitted, with its provenance."""

    unit: str
    year: int
    activity: str
    raw: Any
    file: str
    sheet: str
    cell: str
    formula_without_value: bool = False


@dataclass(frozen=True)
class RawMoney:
    unit: str
    year: int
    source: str
    raw: Any
    file: str
    sheet: str
    cell: str


@dataclass
class IngestResult:
    year: int
    folder: Path
    submissions: list[Submission] = field(default_factory=list)
    values: list[RawValue] = field(default_factory=list)
    texts: list[RawText] = field(default_factory=list)
    money: list[RawMoney] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    activities: list[RawActivity] = field(default_factory=list)

    def used(self) -> dict[str, Submission]:
        """Return the submission in force for each unit code."""
        return {s.unit: s for s in self.submissions if s.state == "used"}

    def to_frame(self):
        """Return the tidy table as a pandas DataFrame (imports pandas on demand)."""
        import pandas as pd

        return pd.DataFrame([v.__dict__ for v in self.values])


def submissions_folder(inputs: Path, year: int) -> Path:
    """Return where the submissions of ``year`` live: ``<inputs>/submissions/<year>/``."""
    return Path(inputs) / "submissions" / str(year)


def _is_lock_file(path: Path) -> bool:
    return path.name.startswith("~$") or path.name.startswith(".~lock.")


def _rows(workbook, name: str) -> list[list[Any]]:
    return workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)


def _cell(rows: list[list[Any]], ref_row: int, ref_col: int) -> Any:
    if ref_row < len(rows) and ref_col < len(rows[ref_row]):
        return rows[ref_row][ref_col]
    return ""


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _read_meta(workbook) -> dict[str, str] | None:
    if L.META_SHEET not in workbook.sheet_names:
        return None
    meta = {}
    for row in _rows(workbook, L.META_SHEET):
        if len(row) >= 2 and _text(row[0]):
            meta[_text(row[0])] = _text(row[1])
    return meta


def _as_date(value: Any) -> _dt.date | None | str:
    """Return a date for a date cell or a dd/mm/yyyy text, None for empty, or the text if unreadable."""
    if isinstance(value, _dt.datetime):
        return value.date()
    if isinstance(value, _dt.date):
        return value
    text = _text(value)
    if not text:
        return None
    for fmt in ("%d/%m/%Y", "%d-%m-%Y", "%Y-%m-%d", "%d.%m.%Y"):
        try:
            return _dt.datetime.strptime(text, fmt).date()
        except ValueError:
            pass
    return text


def _find_label_value(rows: list[list[Any]], label: str, default_ref: str) -> tuple[Any, str]:
    """Find the cell right of ``label`` in the first rows (robust to moved cells); else ``default_ref``."""
    for r, row in enumerate(rows[: L.DATA_HEADER_ROW + 5]):
        for c, value in enumerate(row):
            if _text(value) == label:
                for c2 in range(c + 1, len(row)):
                    if _text(row[c2]) != "":
                        return row[c2], L.cell_name(r, c2)
                return "", L.cell_name(r, c + 1)
    col = L.col_index(default_ref.rstrip("0123456789"))
    row0 = int(default_ref[len(default_ref.rstrip("0123456789")):]) - 1
    return _cell(rows, row0, col), default_ref


def _precheck(path: Path, file: str) -> Issue | None:
    """Reject, before parsing, files that are empty, too large, corrupt, encrypted or zip bombs."""
    import zipfile

    size = path.stat().st_size
    if size == 0:
        return Issue.make("file-empty", file=file)
    if size > MAX_FILE_MB * 1024 * 1024:
        return Issue.make("file-too-large", file=file, size=f"{size / 1048576:.1f}".replace(".", ","), limit=MAX_FILE_MB)
    with open(path, "rb") as fh:
        head = fh.read(8)
    suffix = path.suffix.lower()
    if suffix in ZIP_SUFFIXES:
        if head.startswith(_OLE_MAGIC):
            # an encrypted .xlsx is stored as an OLE container instead of a zip
            return Issue.make("password-protected", file=file)
        if not head.startswith(_ZIP_MAGIC):
            return Issue.make("file-not-workbook", file=file, suffix=suffix)
        try:
            with zipfile.ZipFile(path) as z:
                unzipped = sum(i.file_size for i in z.infolist())
                if unzipped > MAX_UNZIPPED_MB * 1024 * 1024:
                    return Issue.make("zip-too-large", file=file, size=unzipped // 1048576, limit=MAX_UNZIPPED_MB)
        except (zipfile.BadZipFile, OSError, EOFError):
            return Issue.make("file-corrupt", file=file)
    elif suffix == ".xls" and not head.startswith(_OLE_MAGIC):
        return Issue.make("file-not-workbook", file=file, suffix=suffix)
    return None


def _formulas_without_values(path: Path, sheet: str) -> set[str]:
    """Cells of ``sheet`` (xlsx/xlsm) holding a formula whose result was never saved."""
    import re
    import zipfile
    from xml.sax.saxutils import unescape

    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        return set()  # .xls and .ods always carry the computed values
    try:
        with zipfile.ZipFile(path) as z:
            wbxml = z.read("xl/workbook.xml").decode("utf-8")
            rels = z.read("xl/_rels/workbook.xml.rels").decode("utf-8")
            def attrs(tag: str) -> dict[str, str]:
                return {k: unescape(v, {"&quot;": '"'}) for k, v in re.findall(r'([\w:]+)="([^"]*)"', tag)}

            sheets = [attrs(t) for t in re.findall(r"<(?:\w+:)?sheet\s[^>]*>", wbxml)]
            rid = next((a.get("r:id") for a in sheets if a.get("name") == sheet), None)
            links = [attrs(t) for t in re.findall(r"<Relationship\s[^>]*>", rels)]
            target = next((a.get("Target") for a in links if a.get("Id") == rid), None)
            if target is None:
                return set()
            name = target.lstrip("/") if target.startswith("/") else "xl/" + target
            xml = z.read(name).decode("utf-8")
    except (KeyError, OSError, zipfile.BadZipFile, UnicodeDecodeError):
        return set()
    out = set()
    for m in re.finditer(r"<f[ >/]", xml):  # only the (few) formula cells are looked at
        start = xml.rfind("<c ", 0, m.start())
        end = xml.find("</c>", m.start())
        ref = re.search(r'\br="([A-Z]+\d+)"', xml[start:m.start()])
        if ref and not re.search(r"<v>[^<]+</v>", xml[m.start():end]):
            out.add(ref.group(1))
    return out


def _data_columns(rows: list[list[Any]]) -> tuple[dict[str, int], int]:
    """Find the data sheet's columns by their headings (robust to inserted columns); else the layout."""
    wanted = {"code": "Mã", "num": "Tử số", "den": "Mẫu số", "note": "Ghi chú"}
    for r, row in enumerate(rows[:30]):
        texts = [_text(v) for v in row]
        if all(h in texts for h in wanted.values()):
            return {k: texts.index(h) for k, h in wanted.items()}, r
    return {k: L.col_index(L.DATA_COLS[k]) for k in wanted}, L.DATA_HEADER_ROW - 1


def _read_one(sub: Submission, catalog: Catalog, year: int, result: IngestResult) -> tuple[list, list, list, list] | None:
    """Read one file into ``sub`` and return its values, texts, money and activity rows (None if rejected)."""
    from python_calamine import CalamineWorkbook

    issue = dict(file=sub.file)
    problem = _precheck(sub.path, sub.file)
    if problem is not None:
        result.issues.append(problem)
        return None
    try:
        wb = CalamineWorkbook.from_path(str(sub.path))
        meta = _read_meta(wb)
    except Exception as exc:  # calamine raises several error types for broken files
        detail = str(exc).splitlines()[0][:160] if str(exc) else type(exc).__name__
        if "password" in detail.lower() or "encrypt" in detail.lower():
            result.issues.append(Issue.make("password-protected", **issue))
        else:
            result.issues.append(Issue.make("file-unreadable", detail=detail, **issue))
        return None
    if meta is None or meta.get("form") != L.FORM_KIND:
        result.issues.append(Issue.make("not-a-form", sheet=L.META_SHEET, **issue))
        return None
    for key in ("unit", "year"):
        if not meta.get(key):
            result.issues.append(Issue.make("meta-missing", field=key, sheet=L.META_SHEET, **issue))
            return None
    sub.unit = meta["unit"]
    sub.form_version = meta.get("form_version", "")
    issue["unit"] = sub.unit
    try:
        sub.year = int(float(meta["year"]))
    except ValueError:
        result.issues.append(Issue.make("meta-missing", field="year", sheet=L.META_SHEET, **issue))
        return None
    unit = catalog.unit(sub.unit)
    if sub.year != year:
        result.issues.append(Issue.make("wrong-year", form_year=sub.year, year=year, **issue))
        return None
    if unit is None:
        result.issues.append(Issue.make("unknown-unit", **issue))
        return None
    if not unit.expected_in(year):
        result.issues.append(Issue.make("unit-not-expected", year=year, **issue))
        return None
    if sub.form_version != L.FORM_VERSION:
        result.issues.append(Issue.make("old-form-version", form_version=sub.form_version or "?",
                                        current=L.FORM_VERSION, **issue))
    missing_sheets = [s for s in (L.DATA_SHEET, L.TASK_SHEET, L.FUNDING_SHEET) if s not in wb.sheet_names]
    if L.DATA_SHEET in missing_sheets:
        result.issues.append(Issue.make("not-a-form", sheet=L.DATA_SHEET, **issue))
        return None

    values: list[RawValue] = []
    sheet = wb.get_sheet_by_name(L.DATA_SHEET)
    rows = sheet.to_python(skip_empty_area=False)
    raw_date, date_ref = _find_label_value(rows, L.REPORT_DATE_LABEL, L.REPORT_DATE_CELL)
    parsed = _as_date(raw_date)
    if isinstance(parsed, str):
        result.issues.append(Issue.make("bad-date", value=parsed, sheet=L.DATA_SHEET, cell=date_ref, **issue))
        parsed = None
    sub.report_date = parsed
    sub.preparer = _text(_find_label_value(rows, L.PREPARER_LABEL, L.PREPARER_CELL)[0])

    c, header_row = _data_columns(rows)
    no_value = _formulas_without_values(sub.path, L.DATA_SHEET)
    merged = [((a[0], a[1]), (b[0], b[1])) for a, b in (sheet.merged_cell_ranges or [])]
    visible = {m.name: m.visible for m in wb.sheets_metadata}
    if str(visible.get(L.DATA_SHEET, "Visible")).lower().split(".")[-1] != "visible":
        result.issues.append(Issue.make("hidden-sheet", sheet=L.DATA_SHEET, **issue))
    found: set[str] = set()
    for r, row in enumerate(rows):
        if r <= header_row:
            continue
        code = _text(row[c["code"]]) if len(row) > c["code"] else ""
        if code not in unit.indicators or code in found:
            continue
        found.add(code)
        ind = catalog.plan.indicator(code)
        note = _text(_cell(rows, r, c["note"]))
        fields = (("numerator", "num"), ("denominator", "den")) if ind.kind == "ratio" else (("status", "num"),)
        for fname, col in fields:
            ref = L.cell_name(r, c[col])
            for (r1, c1), (r2, c2) in merged:
                if r1 <= r <= r2 and c1 <= c[col] <= c2 and (r1, c1) != (r2, c2):
                    span = f"{L.cell_name(r1, c1)}:{L.cell_name(r2, c2)}"
                    result.issues.append(Issue.make("merged-input", sheet=L.DATA_SHEET, cell=ref, range=span,
                                                    indicator=code, **issue))
            values.append(RawValue(sub.unit, year, code, fname, _cell(rows, r, c[col]), sub.file,
                                   L.DATA_SHEET, ref, note, ref in no_value))
    for code in unit.indicators:
        if code not in found:
            ind = catalog.plan.indicator(code)
            result.issues.append(Issue.make("indicator-missing", indicator=code, label=ind.name, year=year,
                                            sheet=L.DATA_SHEET, **issue))

    texts: list[RawText] = []
    if L.TASK_SHEET in wb.sheet_names:
        rows = _rows(wb, L.TASK_SHEET)
        tc = {k: L.col_index(v) for k, v in L.TASK_COLS.items()}
        allowed = set(unit.tasks) | {code for code, _ in L.CLOSING_ROWS}
        for r, row in enumerate(rows):
            code = _text(row[tc["code"]]) if len(row) > tc["code"] else ""
            if code in allowed:
                texts.append(RawText(sub.unit, year, code, _text(_cell(rows, r, tc["text"])), sub.file,
                                     L.TASK_SHEET, L.cell_name(r, tc["text"])))

    money: list[RawMoney] = []
    if L.FUNDING_SHEET in wb.sheet_names:
        rows = _rows(wb, L.FUNDING_SHEET)
        fc = {k: L.col_index(v) for k, v in L.FUNDING_COLS.items()}
        sources = {code for code, _ in L.FUNDING_SOURCES}
        for r, row in enumerate(rows):
            code = _text(row[fc["code"]]) if len(row) > fc["code"] else ""
            if code in sources:
                money.append(RawMoney(sub.unit, year, code, _cell(rows, r, fc["amount"]), sub.file,
                                      L.FUNDING_SHEET, L.cell_name(r, fc["amount"])))
    return values, texts, money, _read_activities(wb, sub, unit, year)


def _read_activities(wb, sub: Submission, unit, year: int) -> list[RawActivity]:
    """Read the activity counts of the "Nhiệm vụ" sheet, found by their code in column B.

    A row whose code is not one of the unit's activities is ignored; an activity whose row is
    missing is not returned (validate reports it).
    """
    if L.TASK_SHEET not in wb.sheet_names or not unit.activities:
        return []
    rows = _rows(wb, L.TASK_SHEET)
    code_col, count_col = L.col_index(L.TASK_COLS["code"]), L.col_index(L.TASK_COLS["count"])
    no_value = _formulas_without_values(sub.path, L.TASK_SHEET)
    wanted = set(unit.activities)
    out: list[RawActivity] = []
    seen: set[str] = set()
    for r, row in enumerate(rows):
        code = _text(row[code_col]) if len(row) > code_col else ""
        if code in wanted and code not in seen:
            seen.add(code)
            ref = L.cell_name(r, count_col)
            out.append(RawActivity(sub.unit, year, code, _cell(rows, r, count_col), sub.file, L.TASK_SHEET, ref,
                                   ref in no_value))
    return out


def ingest(catalog: Catalog, inputs: Path, year: int) -> IngestResult:
    """Read every workbook under ``<inputs>/submissions/<year>/`` and return an :class:`IngestResult`.

    Unreadable files, forms of another year or of an unknown unit are reported as issues and
    skipped; every other unit is still read.
    """
    folder = submissions_folder(inputs, year)
    result = IngestResult(year=year, folder=folder)
    if not folder.is_dir():
        return result
    read: dict[int, tuple[list, list, list, list]] = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        if _is_lock_file(path):
            continue  # Excel/LibreOffice lock files are not submissions
        rel = path.relative_to(folder).as_posix()
        if path.suffix.lower() not in WORKBOOK_SUFFIXES:
            result.issues.append(Issue.make("file-unreadable", file=rel,
                                            detail=f"phần mở rộng '{path.suffix or '(không có)'}' không phải bảng tính"))
            continue
        sub = Submission(path=path, file=rel,
                         received=_dt.datetime.fromtimestamp(path.stat().st_mtime).date())
        result.submissions.append(sub)
        data = _read_one(sub, catalog, year, result)
        if data is not None:
            sub.state = "candidate"
            read[id(sub)] = data

    by_unit: dict[str, list[Submission]] = {}
    for sub in result.submissions:
        if sub.state == "candidate":
            by_unit.setdefault(sub.unit, []).append(sub)
    for unit, subs in by_unit.items():
        subs.sort(key=lambda s: (s.effective_date or _dt.date.min, s.file))
        newest = subs[-1]
        newest.state = "used"
        for old in subs[:-1]:
            old.state = "superseded"
            old.superseded_by = newest.file
            if old.effective_date == newest.effective_date:
                result.issues.append(Issue.make("duplicate-version", unit=unit, file=old.file,
                                                date=old.effective_date, other=newest.file))
            result.issues.append(Issue.make("superseded", unit=unit, file=old.file, newer=newest.file))
        values, texts, money, activities = read[id(newest)]
        result.values += values
        result.texts += texts
        result.money += money
        result.activities += activities
    return result
