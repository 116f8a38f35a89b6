"""Read every submitted form of a year into a tidy table that remembers where each value came from.

Files are identified by the unit code and year stored inside the workbook (hidden sheet
``_xhht``), never by their name. When a unit sent several versions, the one *received* last is used
and the others are marked superseded. The receipt time comes from the register of incoming
documents (:mod:`pipeline.receive`); a file copied into the folder by hand counts as received at its
modification time (and the run says so); a modification time that cannot be a receipt (more than a
year after the report year) is ignored and the date typed in the form is used instead. Two files of
one unit that cannot be ordered (same time, different content) are both refused with an error.
Nothing here judges the values: :mod:`pipeline.validate` does that.
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from . import form_layout as L
from .issues import Issue
from .plan import Catalog

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
ZIP_SUFFIXES = (".xlsx", ".xlsm", ".ods")
MAX_FILE_MB = 20            # a filled form is ~15 KB; anything this large is not our form
MAX_UNZIPPED_MB = 200       # guards against zip bombs
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")


@dataclass(slots=True)
class Submission:
    """One submitted file and what ingest decided about it."""

    path: Path
    file: str                       # shown to people: path relative to the submissions folder
    unit: str = ""
    year: int | None = None
    form_version: str = ""
    report_date: _dt.date | None = None
    received: _dt.date | None = None        # the file's modification date (kept for reference)
    preparer: str = ""
    state: str = "rejected"         # used | superseded | rejected
    superseded_by: str = ""
    received_at: _dt.datetime | None = None  # receipt time (register, or a plausible file time)
    receipt_source: str = ""                 # "register" | "file-time" | "" (unknown: typed date used)
    unit_line: str = ""                      # the "Đơn vị: …" line of the data sheet, as found

    @property
    def receipt_date(self) -> _dt.date | None:
        """The day the office received the file, when known."""
        return self.received_at.date() if self.received_at else None

    @property
    def effective_date(self) -> _dt.date | None:
        """The day lateness is measured from: the receipt, else the typed report date, else the file time."""
        return self.receipt_date or self.report_date or self.received

    @property
    def order_key(self) -> tuple[_dt.datetime, _dt.date]:
        """Which of a unit's files is newest: the receipt time (else the typed date), then the typed date.

        Files received together (one folder or zip) are ordered by the date typed in them.
        """
        typed = self.report_date or _dt.date.min
        if self.received_at:
            return self.received_at, typed
        return _dt.datetime.combine(self.report_date or self.received or _dt.date.min, _dt.time.min), typed


@dataclass(frozen=True, slots=True)
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
    error_value: str = ""           # an Excel error shown in the cell (#DIV/0!, #REF!, …)


@dataclass(frozen=True, slots=True)
class RawText:
    """A narrative cell (task group result, limitations, proposals) as submitted."""

    unit: str
    year: int
    task: str
    text: str
    file: str
    sheet: str
    cell: str


@dataclass(frozen=True, slots=True)
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


@dataclass(frozen=True, slots=True)
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
    notes: list[str] = field(default_factory=list)   # run-level remarks (e.g. receipt times taken from files)

    def used(self) -> dict[str, Submission]:
        """Return the submission in force for each unit code."""
        return {s.unit: s for s in self.submissions if s.state == "used"}

    def to_frame(self):
        """Return the tidy table as a pandas DataFrame (imports pandas on demand)."""
        import pandas as pd

        return pd.DataFrame([asdict(v) for v in self.values])


def submissions_folder(inputs: Path, year: int) -> Path:
    """Return where the submissions of ``year`` live: ``<inputs>/submissions/<year>/``."""
    return Path(inputs) / "submissions" / str(year)


def _is_lock_file(path: Path) -> bool:
    """Office lock files and Explorer's own files: never submissions."""
    name = path.name
    return (name.startswith("~$") or name.startswith(".~lock.") or name.lower() in ("thumbs.db", "desktop.ini")
            or name == ".DS_Store")


def _rows(workbook, name: str) -> list[list[Any]]:
    return workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)


def _cell(rows: list[list[Any]], ref_row: int, ref_col: int) -> Any:
    if ref_row < len(rows) and ref_col < len(rows[ref_row]):
        return rows[ref_row][ref_col]
    return ""


def _text(value: Any) -> str:
    if value.__class__ is str:  # most cells (an empty one is "")
        return value.strip()
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
            if value.__class__ is str and value.strip() == label:  # (a label is a text, never a number)
                for c2 in range(c + 1, len(row)):
                    if _text(row[c2]) != "":
                        return row[c2], L.cell_name(r, c2)
                return "", L.cell_name(r, c + 1)
    col = L.col_index(default_ref.rstrip("0123456789"))
    row0 = int(default_ref[len(default_ref.rstrip("0123456789")):]) - 1
    return _cell(rows, row0, col), default_ref


def _precheck(path: Path, file: str) -> Issue | None:
    """Reject, before parsing, files that are empty, too large, corrupt, encrypted or zip bombs."""
    return _open_checked(path, file)[0]


def _open_checked(path: Path, file: str) -> tuple[Issue | None, "_Package | None"]:
    """Read ``path`` once: (the reason to reject it, or None; the file's bytes and zip directory).

    Files that are empty, too large, corrupt, encrypted or zip bombs are rejected before parsing.
    """
    import io
    import zipfile

    size = path.stat().st_size
    if size == 0:
        return Issue.make("file-empty", file=file), None
    if size > MAX_FILE_MB * 1024 * 1024:
        return Issue.make("file-too-large", file=file, size=f"{size / 1048576:.1f}".replace(".", ","),
                          limit=MAX_FILE_MB), None
    data = path.read_bytes()
    head = data[:8]
    suffix = path.suffix.lower()
    package = _Package(data)
    if suffix in ZIP_SUFFIXES:
        if head.startswith(_OLE_MAGIC):
            # an encrypted .xlsx is stored as an OLE container instead of a zip
            return Issue.make("password-protected", file=file), None
        if not head.startswith(_ZIP_MAGIC):
            return Issue.make("file-not-workbook", file=file, suffix=suffix), None
        try:
            package.zip = zipfile.ZipFile(io.BytesIO(data))
            unzipped = sum(i.file_size for i in package.zip.infolist())
            if unzipped > MAX_UNZIPPED_MB * 1024 * 1024:
                return Issue.make("zip-too-large", file=file, size=unzipped // 1048576, limit=MAX_UNZIPPED_MB), None
        except (zipfile.BadZipFile, OSError, EOFError):
            return Issue.make("file-corrupt", file=file), None
    elif suffix == ".xls" and not head.startswith(_OLE_MAGIC):
        return Issue.make("file-not-workbook", file=file, suffix=suffix), None
    return None, package


class _Package:
    """A submitted file read once: its bytes (for calamine) and, for xlsx/xlsm, its zip directory."""

    def __init__(self, data: bytes):
        self.data = data
        self.zip = None
        self._sheets: dict[str, str] | None = None

    def workbook(self):
        import io

        from python_calamine import CalamineWorkbook

        return CalamineWorkbook.from_filelike(io.BytesIO(self.data))

    def sheet_xml(self, sheet: str) -> str | None:
        """The XML of worksheet ``sheet`` (xlsx/xlsm), None if it cannot be found."""
        import re
        import zipfile
        from html import unescape  # (xml.sax.saxutils would import urllib.request, http and email)

        if self.zip is None:
            return None
        try:
            if self._sheets is None:
                wbxml = self.zip.read("xl/workbook.xml").decode("utf-8")
                rels = self.zip.read("xl/_rels/workbook.xml.rels").decode("utf-8")

                def attrs(tag: str) -> dict[str, str]:
                    return {k: unescape(v) for k, v in re.findall(r'([\w:]+)="([^"]*)"', tag)}

                targets = {a.get("Id"): a.get("Target") for a in
                           (attrs(t) for t in re.findall(r"<Relationship\s[^>]*>", rels))}
                self._sheets = {}
                for a in (attrs(t) for t in re.findall(r"<(?:\w+:)?sheet\s[^>]*>", wbxml)):
                    target = targets.get(a.get("r:id"))
                    if target:
                        self._sheets[a.get("name", "")] = target.lstrip("/") if target.startswith("/") else "xl/" + target
            name = self._sheets.get(sheet)
            return self.zip.read(name).decode("utf-8") if name else None
        except (KeyError, OSError, zipfile.BadZipFile, UnicodeDecodeError):
            return None


def _cell_flags(path: Path | _Package, sheet: str) -> tuple[set[str], dict[str, str]]:
    """(formula cells without a saved result, error cells -> the error shown) of ``sheet`` (xlsx/xlsm).

    calamine reads an error cell (#DIV/0!, #REF!) as empty, so they are found in the sheet's XML.
    ``path`` is a file or a :class:`_Package` already read.
    """
    from html import unescape

    if isinstance(path, Path):
        if path.suffix.lower() not in (".xlsx", ".xlsm"):
            return set(), {}  # .xls and .ods always carry the computed values
        _problem, path = _open_checked(path, path.name)
        if path is None:
            return set(), {}
    xml = path.sheet_xml(sheet)
    if xml is None:
        return set(), {}
    errors = {}
    if 't="e"' in xml:
        for m in _ERROR_CELL.finditer(xml):
            ref = _REF.search(m.group(1))
            value = _VALUE.search(m.group(2))
            if ref:
                errors[ref.group(1)] = unescape(value.group(1)) if value else "#N/A"
    return _formula_cells_without_value(xml), errors


def _formula_cells_without_value(xml: str) -> set[str]:
    """The cells of sheet XML whose formula (``<f>``, a cell's first child) has no saved value after it.

    Looks only where a formula starts (a handful per sheet) instead of matching every cell: from each
    ``<f`` back to the opening tag of its cell, then forward past the formula to an optional ``<v>``.
    """
    out = set()
    for m in _FORMULA_START.finditer(xml):
        pos = m.start()
        start = xml.rfind("<c ", 0, pos)
        if start < 0 or xml.find("</c>", start, pos) != -1:
            continue  # not inside a cell
        head = xml.find(">", start, pos)
        ref = _REF.search(xml, start, head) if head != -1 else None
        if ref is None or xml[head + 1:pos].strip():
            continue  # a formula that is not the cell's first child
        end = xml.find(">", pos)
        if end == -1:
            continue
        end = end + 1 if xml[end - 1] == "/" else xml.find("</f>", end) + 4
        value = _VALUE_AFTER.match(xml, end) if end >= 4 else None
        if not (value and value.group(1)):
            out.add(ref.group(1))
    return out


_ERROR_CELL = re.compile(r'<c\b([^>]*\bt="e"[^>]*)>(.*?)</c>', re.S)
_REF = re.compile(r'\br="([A-Z]+\d+)"')
_FORMULA_START = re.compile(r"<f[\s>/]")
_VALUE_AFTER = re.compile(r"\s*<v>([^<]*)</v>")
_VALUE = re.compile(r"<v>([^<]*)</v>")


@lru_cache(maxsize=8192)
def _ref(row: int, col: int) -> str:
    """``L.cell_name``, one string object per cell of the form: every unit's E12 is the same object in
    memory and is pickled once (the codes of indicators, tasks and activities are the catalog's own)."""
    return L.cell_name(row, col)


class _LazyFlags:
    """:func:`_cell_flags` of one sheet, read from its XML only when a cell that came back empty needs them.

    A cell with a value is neither a formula without a saved result nor an error (calamine gives a
    formula's saved result, and reads an error cell as empty), so a form filled in completely is never
    unzipped a second time.
    """

    def __init__(self, source: "Path | _Package", sheet: str):
        self.source, self.sheet = source, sheet
        self._flags: tuple[set[str], dict[str, str]] | None = None

    def of(self, ref: str, raw: Any) -> tuple[bool, str]:
        """(formula without a saved result, the error shown) of cell ``ref`` that read as ``raw``."""
        if raw is not None and raw != "":
            return False, ""
        if self._flags is None:
            self._flags = _cell_flags(self.source, self.sheet)
        no_value, errors = self._flags
        return ref in no_value, errors.get(ref, "")


def _data_columns(rows: list[list[Any]], strict: bool = False) -> tuple[dict[str, int], int] | None:
    """Find the data sheet's columns by their headings (robust to inserted columns); else the layout.

    ``strict``: return None when the headings are not found (used to recognise a renamed data sheet).
    """
    wanted = {"code": "Mã", "num": "Tử số", "den": "Mẫu số", "note": "Ghi chú"}
    for r, row in enumerate(rows[:30]):
        texts = [v.strip() if v.__class__ is str else "" for v in row]  # (the headings are texts, never numbers)
        if all(h in texts for h in wanted.values()):
            return {k: texts.index(h) for k, h in wanted.items()}, r
    if strict:
        return None
    return {k: L.col_index(L.DATA_COLS[k]) for k in wanted}, L.DATA_HEADER_ROW - 1


def _read_one(sub: Submission, catalog: Catalog, year: int, result: IngestResult) -> tuple[list, list, list, list] | None:
    """Read one file into ``sub`` and return its values, texts, money and activity rows (None if rejected)."""
    issue = dict(file=sub.file)
    problem, package = _open_checked(sub.path, sub.file)  # the one read of the file
    if problem is not None:
        result.issues.append(problem)
        return None
    try:
        wb = package.workbook()
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
    data_sheet = _data_sheet_name(wb)
    if not data_sheet:
        result.issues.append(Issue.make("not-a-form", sheet=L.DATA_SHEET, **issue))
        return None
    if data_sheet != L.DATA_SHEET:
        result.issues.append(Issue.make("renamed-sheet", sheet=data_sheet, expected=L.DATA_SHEET, **issue))

    values: list[RawValue] = []
    sheet = wb.get_sheet_by_name(data_sheet)
    rows = sheet.to_python(skip_empty_area=False)
    sub.unit_line = next((t for row in rows[:4] for v in row if v.__class__ is str
                          for t in (v.strip(),) if t.startswith("Đơn vị:")), "")
    raw_date, date_ref = _find_label_value(rows, L.REPORT_DATE_LABEL, L.REPORT_DATE_CELL)
    parsed = _as_date(raw_date)
    if isinstance(parsed, str):
        result.issues.append(Issue.make("bad-date", value=parsed, sheet=data_sheet, cell=date_ref, **issue))
        parsed = None
    sub.report_date = parsed
    sub.preparer = _text(_find_label_value(rows, L.PREPARER_LABEL, L.PREPARER_CELL)[0])

    c, header_row = _data_columns(rows)
    flags = _LazyFlags(package, data_sheet)
    merged = [((a[0], a[1]), (b[0], b[1])) for a, b in (sheet.merged_cell_ranges or [])]
    visible = {m.name: m.visible for m in wb.sheets_metadata}
    if str(visible.get(data_sheet, "Visible")).lower().split(".")[-1] != "visible":
        result.issues.append(Issue.make("hidden-sheet", sheet=data_sheet, **issue))
    found: dict[str, int] = {}
    duplicated: set[str] = set()
    for r, row in enumerate(rows):
        if r <= header_row:
            continue
        code = _text(row[c["code"]]) if len(row) > c["code"] else ""
        if code not in unit.indicators:
            continue
        if code in found:
            # the same indicator twice (e.g. last year's row kept above): neither row is used
            ind = catalog.plan.indicator(code)
            result.issues.append(Issue.make("duplicate-indicator", sheet=data_sheet, indicator=code, label=ind.name,
                                            cell=f"{L.cell_name(found[code], c['code'])}, {L.cell_name(r, c['code'])}",
                                            first=found[code] + 1, second=r + 1, **issue))
            duplicated.add(code)
            continue
        found[code] = r
        ind = catalog.plan.indicator(code)
        note = _text(_cell(rows, r, c["note"]))
        fields = (("numerator", "num"), ("denominator", "den")) if ind.kind == "ratio" else (("status", "num"),)
        for fname, col in fields:
            ref = _ref(r, c[col])
            for (r1, c1), (r2, c2) in merged:
                if r1 <= r <= r2 and c1 <= c[col] <= c2 and (r1, c1) != (r2, c2):
                    span = f"{L.cell_name(r1, c1)}:{L.cell_name(r2, c2)}"
                    result.issues.append(Issue.make("merged-input", sheet=data_sheet, cell=ref, range=span,
                                                    indicator=code, **issue))
            raw = _cell(rows, r, c[col])
            values.append(RawValue(sub.unit, year, ind.code, fname, raw, sub.file, data_sheet, ref, note,
                                   *flags.of(ref, raw)))
    values = [v for v in values if v.indicator not in duplicated]
    for code in unit.indicators:
        if code not in found:
            ind = catalog.plan.indicator(code)
            result.issues.append(Issue.make("indicator-missing", indicator=code, label=ind.name, year=year,
                                            sheet=data_sheet, **issue))

    texts: list[RawText] = []
    task_rows = _rows(wb, L.TASK_SHEET) if L.TASK_SHEET in wb.sheet_names else None
    if task_rows is not None:
        rows = task_rows
        tc = {k: L.col_index(v) for k, v in L.TASK_COLS.items()}
        allowed = {c: c for c in list(unit.tasks) + [code for code, _ in L.CLOSING_ROWS]}  # (each code one object)
        for r, row in enumerate(rows):
            code = _text(row[tc["code"]]) if len(row) > tc["code"] else ""
            if code in allowed:
                texts.append(RawText(sub.unit, year, allowed[code], _text(_cell(rows, r, tc["text"])), sub.file,
                                     L.TASK_SHEET, _ref(r, tc["text"])))

    money: list[RawMoney] = []
    if L.FUNDING_SHEET in wb.sheet_names:
        rows = _rows(wb, L.FUNDING_SHEET)
        fc = {k: L.col_index(v) for k, v in L.FUNDING_COLS.items()}
        sources = {code: code for code, _ in L.FUNDING_SOURCES}
        for r, row in enumerate(rows):
            code = _text(row[fc["code"]]) if len(row) > fc["code"] else ""
            if code in sources:
                money.append(RawMoney(sub.unit, year, sources[code], _cell(rows, r, fc["amount"]), sub.file,
                                      L.FUNDING_SHEET, _ref(r, fc["amount"])))
    return values, texts, money, _read_activities(wb, sub, unit, year, package, task_rows)


def _read_activities(wb, sub: Submission, unit, year: int, package: _Package | None = None,
                     rows: list | None = None) -> list[RawActivity]:
    """Read the activity counts of the "Nhiệm vụ" sheet, found by their code in column B.

    A row whose code is not one of the unit's activities is ignored; an activity whose row is
    missing is not returned (validate reports it).
    """
    if L.TASK_SHEET not in wb.sheet_names or not unit.activities:
        return []
    rows = rows if rows is not None else _rows(wb, L.TASK_SHEET)
    code_col, count_col = L.col_index(L.TASK_COLS["code"]), L.col_index(L.TASK_COLS["count"])
    flags = _LazyFlags(package if package is not None else sub.path, L.TASK_SHEET)
    wanted = {a: a for a in unit.activities}
    out: list[RawActivity] = []
    seen: set[str] = set()
    for r, row in enumerate(rows):
        code = _text(row[code_col]) if len(row) > code_col else ""
        if code in wanted and code not in seen:
            seen.add(code)
            ref = _ref(r, count_col)
            raw = _cell(rows, r, count_col)
            out.append(RawActivity(sub.unit, year, wanted[code], raw, sub.file, L.TASK_SHEET, ref, flags.of(ref, raw)[0]))
    return out


def read_identity(path: Path) -> tuple[str, int | None, _dt.date | None, str]:
    """Read who sent ``path`` without checking it: (unit code, form year, typed report date, unit name).

    Returns ``("", None, None, "")`` for a file that is not an xhht form (the run reports why).
    """
    try:
        problem, package = _open_checked(path, path.name)
        if problem is not None:
            return "", None, None, ""
        wb = package.workbook()
        meta = _read_meta(wb) or {}
        if meta.get("form") != L.FORM_KIND:
            return "", None, None, ""
        try:
            year = int(float(meta.get("year", "")))
        except ValueError:
            year = None
        day = None
        sheet = _data_sheet_name(wb)
        if sheet:
            parsed = _as_date(_find_label_value(_rows(wb, sheet), L.REPORT_DATE_LABEL, L.REPORT_DATE_CELL)[0])
            day = parsed if isinstance(parsed, _dt.date) else None
        return meta.get("unit", ""), year, day, meta.get("unit_name", "")
    except Exception:  # noqa: BLE001 - an unreadable file has no identity; the run reports it
        return "", None, None, ""


def _data_sheet_name(wb) -> str:
    """The data sheet: ``Số liệu``, else the one visible sheet that has the form's column headings."""
    if L.DATA_SHEET in wb.sheet_names:
        return L.DATA_SHEET
    for name in wb.sheet_names:
        if name in (L.META_SHEET, L.GUIDE_SHEET, L.TASK_SHEET, L.FUNDING_SHEET):
            continue
        try:
            rows = _rows(wb, name)
        except Exception:  # noqa: BLE001
            continue
        if _data_columns(rows, strict=True) is not None:
            return name
    return ""


def _tokens(text: str) -> list[str]:
    from .atomic_files import safe_name

    return [t for t in safe_name(text).lower().split("-") if t]


def _name_index(catalog: Catalog, year: int) -> tuple[dict, dict, int]:
    """The expected units by code and by name token sequence (with and without the kind word), each
    with its position in ``expected_units``: built once, so naming checks do not scan every unit."""
    by_code: dict[str, list] = {}
    by_seq: dict[tuple[str, ...], list] = {}
    longest = 0
    for pos, u in enumerate(catalog.expected_units(year)):
        by_code.setdefault(u.code.lower(), []).append((pos, u))
        want = _tokens(u.name)
        # a commune's name without its kind word ("Xã An Phú" -> "an phu") is enough
        short = [t for t in want if t not in ("xa", "thi", "tran", "huyen", "phong")] if len(want) > 2 else want
        for seq in {tuple(want), tuple(short)}:
            if len(seq) >= 2:
                by_seq.setdefault(seq, []).append((pos, u))
                longest = max(longest, len(seq))
    return by_code, by_seq, longest


def _named_units(index: tuple[dict, dict, int], text: str) -> list:
    """The (position, unit) pairs whose code is a token of ``text`` or whose name is a run of its tokens."""
    by_code, by_seq, longest = index
    toks = _tokens(text)
    found = [hit for tok in toks for hit in by_code.get(tok, ())]
    for n in range(2, min(longest, len(toks)) + 1):
        for i in range(len(toks) - n + 1):
            found += by_seq.get(tuple(toks[i:i + n]), ())
    return found


def _names_other_unit(catalog: Catalog, sub: Submission, year: int, index=None) -> tuple[str, str] | None:
    """If the file name or the form's "Đơn vị:" line names another unit, return (its code, where)."""
    import re

    index = index or _name_index(catalog, year)
    line = sub.unit_line
    m = re.search(r"\(mã\s*([^)]+)\)", line)
    if m and m.group(1).strip() != sub.unit:
        other = catalog.unit(m.group(1).strip())
        if other is not None:
            return other.code, f"ô 'Đơn vị' ghi \"{line}\""
    for where, text in ((f"ô 'Đơn vị' ghi \"{line}\"", line), (f"tên tệp '{Path(sub.file).name}'", Path(sub.file).stem)):
        if not text:
            continue
        named = _named_units(index, text)
        if any(u.code == sub.unit for _pos, u in named):
            continue
        others = [(pos, u) for pos, u in named if u.code != sub.unit]
        if others:
            return min(others, key=lambda hit: hit[0])[1].code, where  # the first in expected order
    return None


def _sha256(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


def ingest(catalog: Catalog, inputs: Path, year: int, receipts: dict[str, _dt.datetime] | None = None) -> IngestResult:
    """Read every workbook under ``<inputs>/submissions/<year>/`` and return an :class:`IngestResult`.

    ``receipts`` maps a file (path relative to that folder) to its receipt time in the register of
    incoming documents; other files count as received at their modification time when it is
    plausible. Unreadable files, forms of another year or of an unknown unit are reported as
    issues and skipped; every other unit is still read.
    """
    folder = submissions_folder(inputs, year)
    result = IngestResult(year=year, folder=folder)
    if not folder.is_dir():
        return result
    receipts = receipts or {}
    latest_plausible = _dt.date(year + 1, 12, 31)
    read: dict[int, tuple[list, list, list, list]] = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        if _is_lock_file(path) or path.name.startswith(".xhht-"):
            continue  # Excel/LibreOffice lock files and Explorer files are not submissions
        rel = path.relative_to(folder).as_posix()
        if path.suffix.lower() not in WORKBOOK_SUFFIXES:
            result.issues.append(Issue.make("file-unreadable", file=rel,
                                            detail=f"phần mở rộng '{path.suffix or '(không có)'}' không phải bảng tính"))
            continue
        mtime = _dt.datetime.fromtimestamp(path.stat().st_mtime)
        sub = Submission(path=path, file=rel, received=mtime.date())
        if rel in receipts:
            sub.received_at, sub.receipt_source = receipts[rel], "register"
        elif mtime.date() <= latest_plausible:
            sub.received_at, sub.receipt_source = mtime.replace(microsecond=0), "file-time"
        result.submissions.append(sub)
        try:
            data = _read_one(sub, catalog, year, result)
        except Exception as exc:  # noqa: BLE001 - one unreadable file never stops the other units
            detail = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
            result.issues.append(Issue.make("step-failed", unit=sub.unit, file=rel, step="đọc tệp", detail=detail))
            sub.state, data = "rejected", None
        if data is not None:
            sub.state = "candidate"
            read[id(sub)] = data
    result.notes += receipt_notes(result.submissions)

    # a file whose name or "Đơn vị" line names another unit is never used silently
    names = _name_index(catalog, year)
    for sub in result.submissions:
        if sub.state != "candidate":
            continue
        other = _names_other_unit(catalog, sub, year, names)
        if other is None:
            continue
        code, where = other
        mine, theirs = catalog.unit(sub.unit), catalog.unit(code)
        sub.state = "rejected"
        result.issues.append(Issue.make("identity-mismatch", unit=sub.unit, file=sub.file, name=mine.name,
                                        other=theirs.name, where=where))
        result.issues.append(Issue.make("identity-other-unit", unit=code, file=sub.file, name=mine.name,
                                        other=theirs.name, where=where))

    by_unit: dict[str, list[Submission]] = {}
    for sub in result.submissions:
        if sub.state == "candidate":
            by_unit.setdefault(sub.unit, []).append(sub)
    for unit, subs in by_unit.items():
        subs.sort(key=lambda s: (s.order_key, s.file))
        newest = subs[-1]
        ties = [s for s in subs[:-1] if s.order_key == newest.order_key]
        distinct = [s for s in ties if _sha256(s.path) != _sha256(newest.path)]
        if distinct:
            # cannot tell which is the unit's last word: use neither, ask the office
            for s in distinct + [newest]:
                s.state = "rejected"
            names = [s.file for s in sorted(distinct + [newest], key=lambda s: s.file)]
            when = _when(newest)
            result.issues.append(Issue.make("ambiguous-version", unit=unit, file=names[0], when=when,
                                            others=", ".join(f"'{n}'" for n in names[1:])))
            rest = [s for s in subs if s.state == "candidate"]
            if not rest:
                continue
            rest.sort(key=lambda s: (s.order_key, s.file))
            newest, subs = rest[-1], rest
        newest.state = "used"
        for old in subs[:-1]:
            if old.state != "candidate":
                continue
            old.state = "superseded"
            old.superseded_by = newest.file
            result.issues.append(Issue.make("superseded", unit=unit, file=old.file, newer=newest.file,
                                            when=_when(old), newer_when=_when(newest)))
        values, texts, money, activities = read[id(newest)]
        result.values += values
        result.texts += texts
        result.money += money
        result.activities += activities
    return result


def receipt_notes(submissions: list[Submission]) -> list[str]:
    """What the run says about how receipt times are known (files copied by hand, times not usable)."""
    by_hand = sum(1 for s in submissions if s.receipt_source == "file-time")
    if not by_hand:
        return []  # (files with no usable time at all are ordered by their typed date, as shown in the status)
    return [f"{by_hand} tệp được chép trực tiếp vào thư mục (không qua lệnh xhht receive): thời điểm nhận là thời "
            "điểm sửa tệp."]


def _when(sub: Submission) -> str:
    """How a file's place in time is shown: ``nhận 16/12/2015 09:30`` or ``ngày báo cáo 15/12/2015``."""
    if sub.received_at:
        return f"nhận {sub.received_at:%d/%m/%Y %H:%M}"
    if sub.report_date:
        return f"ngày báo cáo {sub.report_date:%d/%m/%Y}"
    return "không rõ ngày"
