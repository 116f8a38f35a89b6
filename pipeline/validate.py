"""Check the submitted values and say, for each expected unit, what was received.

All problems of all files are collected in one pass. A bad value is excluded from the totals and
marked (its observation keeps ``valid=False`` and the issue codes); the rest of the unit's values
are still used, so a unit with one typo is never dropped.
"""

from __future__ import annotations

import datetime as _dt
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from .ingest import IngestResult
from .issues import Issue, Severity
from .form_layout import CLOSING_ROWS, FUNDING_SOURCES, REMARK_MAX_CHARS, TASK_SHEET
from .legacy_encodings import to_unicode
from .catalog import RATIO, Catalog

_INT_RE = re.compile(r"^\d+$")


@dataclass(slots=True)
class Observation:
    """What one unit reported for one indicator, after checking."""

    unit: str
    indicator: str
    kind: str
    numerator: int | None = None
    denominator: int | None = None
    status: str | None = None
    valid: bool = True
    problems: list[str] = field(default_factory=list)
    file: str = ""
    cells: dict[str, str] = field(default_factory=dict)
    note: str = ""
    sheet: str = "Số liệu"          # the data sheet as named in the file (it may have been renamed)

    @property
    def rate(self) -> float | None:
        """The unit's own percentage (ratio indicators with a usable denominator)."""
        if self.valid and self.kind == RATIO and self.denominator:
            return 100.0 * self.numerator / self.denominator
        return None


@dataclass(frozen=True, slots=True)
class Text:
    """One text a unit wrote on the "Nhiệm vụ" sheet (a task-group remark, limitations, proposals), with its cell."""

    unit: str
    task: str
    text: str
    file: str
    cell: str


@dataclass(frozen=True, slots=True)
class Money:
    """One amount of funds (đồng) a unit reported for one source on the "Kinh phí" sheet, with its cell."""

    unit: str
    source: str
    amount: int
    file: str
    cell: str


@dataclass(slots=True)
class UnitStatus:
    """One row of the completeness table."""

    unit: str
    name: str
    state: str                     # received | missing
    file: str = ""
    report_date: _dt.date | None = None
    late_days: int | None = None   # None: not known or missing; 0: on time
    errors: int = 0
    warnings: int = 0
    superseded: tuple[str, ...] = ()
    received_at: _dt.datetime | None = None   # receipt time (register or file time), when known
    receipt_source: str = ""                  # "register" | "file-time" | "" (typed date used)

    @property
    def state_label(self) -> str:
        if self.state == "missing":
            return "Chưa nộp"
        return "Đã nộp, có lỗi" if self.errors else "Đã nộp"


@dataclass
class ValidationResult:
    """Everything validation found for one year: the checked values by (unit, indicator), texts, money,
    activity counts, remarks, the completeness table and every issue. The one input of aggregation."""

    year: int
    observations: dict[tuple[str, str], Observation]
    texts: list[Text]
    money: list[Money]
    completeness: list[UnitStatus]
    issues: list[Issue]
    activities: dict[str, dict[str, int]] = field(default_factory=dict)  # unit -> activity -> valid count
    remarks: dict[str, dict[str, str]] = field(default_factory=dict)     # unit -> task (NV1..) -> remark

    @property
    def received(self) -> list[UnitStatus]:
        return [u for u in self.completeness if u.state == "received"]

    @property
    def missing(self) -> list[UnitStatus]:
        return [u for u in self.completeness if u.state == "missing"]

    @property
    def with_errors(self) -> list[UnitStatus]:
        return [u for u in self.completeness if u.state == "received" and u.errors]

    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.severity is Severity.ERROR]


_GROUPED_DOTS = re.compile(r"^\d{1,3}(\.\d{3})+$")      # 1.234 / 1.234.567: Vietnamese thousands
_GROUPED_SPACES = re.compile(r"^\d{1,3}( \d{3})+$")     # 1 234
_GROUPED_COMMAS = re.compile(r"^\d{1,3}(,\d{3})+$")     # 1,234: thousands (English) or decimal (Vietnamese)?
_DECIMAL = re.compile(r"^-?\d+[.,]\d+$")


def parse_count(raw: Any) -> tuple[int | None, str | None, dict]:
    """Read a count as people type it. Return (value, problem code, extra message fields).

    Unambiguous forms are understood: numbers stored as text, surrounding spaces, full-width
    digits, thousands grouped with dots or spaces ("1.234", "1 234"). Percentages, decimals and
    "1,234" (thousands or a decimal comma?) are flagged, never guessed.
    """
    if raw is None or (isinstance(raw, str) and raw.strip() == ""):
        return None, "missing-value", {}
    if isinstance(raw, bool):
        return None, "not-a-number", {}
    if isinstance(raw, (int, float)):
        if isinstance(raw, float) and not raw.is_integer():
            return None, "not-integer", {}
        value = int(raw)
        return (None, "negative", {}) if value < 0 else (value, None, {})
    text = unicodedata.normalize("NFKC", str(raw)).replace("\u00a0", " ").strip()
    text = re.sub(r"\s+", " ", text)
    if _INT_RE.match(text):
        return int(text), None, {}
    if _GROUPED_DOTS.match(text) or _GROUPED_SPACES.match(text):
        return int(re.sub(r"[. ]", "", text)), None, {}
    if text.endswith("%"):
        return None, "percent-typed", {}
    if _GROUPED_COMMAS.match(text):
        return None, "ambiguous-number", {"a": text.replace(",", ""), "b": text.replace(",", ".", 1).rstrip("0")}
    if re.match(r"^-\s*\d+([.,]\d+)?$", text):
        return None, "negative", {}
    if _DECIMAL.match(text):
        return None, "not-integer", {}
    return None, "not-a-number", {}


def _show(raw: Any) -> str:
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    return str(raw).strip()


def validate(catalog: Catalog, data: IngestResult, today: _dt.date | None = None) -> ValidationResult:
    """Check every ingested value and return observations, completeness and all issues.

    ``today`` is the run's date: when given, a run dated before the deadline calls no unit late,
    and a run dated before the deadline or before the last receipt gets a warning naming both dates.
    """
    year = data.year
    issues = list(data.issues)
    obs: dict[tuple[str, str], Observation] = {}
    used = data.used()

    for v in data.values:
        ind = catalog.plan.indicator(v.indicator)
        o = obs.setdefault((v.unit, v.indicator), Observation(v.unit, v.indicator, ind.kind, file=v.file, note=v.note,
                                                                      sheet=v.sheet))
        o.cells[v.field] = v.cell
        where = dict(unit=v.unit, file=v.file, sheet=v.sheet, cell=v.cell, indicator=v.indicator)
        if v.field == "status":
            text = unicodedata.normalize("NFC", _show(v.raw)) if v.raw not in (None, "") else ""
            text, enc = to_unicode(text)
            if enc:
                issues.append(Issue.make("legacy-encoding", encoding=enc, sample=text[:60], **where))
            if not text:
                issues.append(Issue.make("missing-value", label=f"{ind.name}", **where))
                o.valid = False
                o.problems.append("missing-value")
                continue
            match = next((opt for opt in ind.status_options if opt.casefold() == text.casefold()), None)
            if match is None:
                issues.append(Issue.make("bad-status", value=text, label=ind.name,
                                         options=", ".join(ind.status_options), **where))
                o.valid = False
                o.problems.append("bad-status")
            o.status = match
            continue
        label = ind.numerator_label if v.field == "numerator" else ind.denominator_label
        if v.error_value:
            issues.append(Issue.make("excel-error", label=label, value=v.error_value, **where))
            o.valid = False
            o.problems.append("excel-error")
            continue
        if v.formula_without_value:
            issues.append(Issue.make("formula-no-value", label=label, **where))
            o.valid = False
            o.problems.append("formula-no-value")
            continue
        value, problem, extra = parse_count(v.raw)
        if problem:
            issues.append(Issue.make(problem, value=_show(v.raw), label=label, **where, **extra))
            o.valid = False
            o.problems.append(problem)
        elif isinstance(v.raw, str) and v.raw.strip() != str(value):
            issues.append(Issue.make("number-as-text", value=v.raw, label=label, number=value, **where))
        setattr(o, v.field, value)

    for o in obs.values():
        if o.kind != RATIO or not o.valid:
            continue
        ind = catalog.plan.indicator(o.indicator)
        where = dict(unit=o.unit, file=o.file, sheet=o.sheet, indicator=o.indicator)
        if o.numerator > o.denominator:
            issues.append(Issue.make("numerator-gt-denominator", cell=f"{o.cells['numerator']}, {o.cells['denominator']}",
                                     num_label=ind.numerator_label, num=o.numerator,
                                     den_label=ind.denominator_label, den=o.denominator, **where))
            o.valid = False
            o.problems.append("numerator-gt-denominator")
        elif o.denominator == 0 and o.numerator == 0:
            issues.append(Issue.make("zero-denominator", cell=o.cells["denominator"],
                                     den_label=ind.denominator_label, **where))
            o.valid = False
            o.problems.append("zero-denominator")

    issues += _check_bounds(catalog, obs)
    issues += _apply_rules(catalog, obs)

    texts: list[Text] = []
    for t in data.texts:
        clean, enc = to_unicode(unicodedata.normalize("NFC", t.text).strip())
        if enc:
            issues.append(Issue.make("legacy-encoding", unit=t.unit, file=t.file, sheet=t.sheet, cell=t.cell,
                                     encoding=enc, sample=clean[:60] + ("…" if len(clean) > 60 else "")))
        if clean:
            texts.append(Text(t.unit, t.task, clean, t.file, t.cell))
    activities, remarks, act_issues = _check_activities(catalog, data, texts)
    issues += act_issues + _check_activity_plausibility(catalog, data, activities) + _check_report_dates(catalog, data)

    money: list[Money] = []
    for m in data.money:
        if m.raw is None or (isinstance(m.raw, str) and not m.raw.strip()):
            continue  # nothing spent from this source
        value, problem, _extra = parse_count(m.raw)
        if problem:
            issues.append(Issue.make("bad-money", unit=m.unit, file=m.file, sheet=m.sheet, cell=m.cell,
                                     value=_show(m.raw), label=dict(FUNDING_SOURCES)[m.source]))
            continue
        money.append(Money(m.unit, m.source, value, m.file, m.cell))

    deadline = catalog.office.deadline(year)
    if today is not None:
        if today < deadline:
            issues.append(Issue.make("run-before-deadline", date=f"{today:%d/%m/%Y}", deadline=f"{deadline:%d/%m/%Y}"))
        times = [s for s in data.submissions if s.received_at is not None]
        if times:
            last = max(times, key=lambda s: s.received_at)
            if last.received_at.date() > today:
                issues.append(Issue.make("run-before-last-receipt", date=f"{today:%d/%m/%Y}",
                                         last=f"{last.received_at:%d/%m/%Y}", last_file=last.file))
    completeness = []
    superseded: dict[str, list[str]] = {}
    for s in data.submissions:
        if s.state == "superseded":
            superseded.setdefault(s.unit, []).append(s.file)
    by_unit: dict[str, list[Issue]] = {}  # issues grouped by unit once, not scanned per unit
    for i in issues:
        by_unit.setdefault(i.unit, []).append(i)
    for unit in catalog.expected_units(year):
        sub = used.get(unit.code)
        if sub is None:
            issues.append(Issue.make("missing-submission", unit=unit.code, name=unit.name, unit_code=unit.code, year=year))
            completeness.append(UnitStatus(unit.code, unit.name, "missing"))
            continue
        mine = [i for i in by_unit.get(unit.code, ()) if i.file == sub.file or not i.file]
        day = sub.effective_date
        late = None if day is None else max(0, (day - deadline).days)
        if late and today is not None and today <= deadline:
            late = 0  # nobody is late before the deadline
        completeness.append(UnitStatus(
            unit.code, unit.name, "received", sub.file, sub.report_date, late,
            errors=sum(1 for i in mine if i.severity is Severity.ERROR),
            warnings=sum(1 for i in mine if i.severity is Severity.WARNING),
            superseded=tuple(superseded.get(unit.code, ())), received_at=sub.received_at,
            receipt_source=sub.receipt_source))
    return ValidationResult(year, obs, texts, money, completeness, issues, activities, remarks)


def _check_report_dates(catalog: Catalog, data: IngestResult) -> list[Issue]:
    """Warn when a used submission's report date lies outside the year's reporting window (as the form checks)."""
    from .forms import report_window
    from .form_layout import DATA_SHEET, REPORT_DATE_CELL

    start, end = report_window(catalog, data.year)
    out = []
    for unit, sub in data.used().items():
        if sub.report_date is not None and not start <= sub.report_date <= end:
            out.append(Issue.make("report-date-outside", unit=unit, file=sub.file, sheet=DATA_SHEET,
                                  cell=REPORT_DATE_CELL, date=f"{sub.report_date:%d/%m/%Y}", year=data.year,
                                  start=f"{start:%d/%m/%Y}", end=f"{end:%d/%m/%Y}"))
    return out


def _check_activities(catalog: Catalog, data: IngestResult, texts: list[Text]
                      ) -> tuple[dict[str, dict[str, int]], dict[str, dict[str, str]], list[Issue]]:
    """Check the activity counts and collect the remarks (one optional short text per task group).

    Returns (activities: unit -> activity -> valid count, remarks: unit -> task -> text, issues).
    ``texts`` (all texts of the sheet: remarks and the closing limitations/proposals) is left as it is. A bad count is excluded with an issue at its cell
    (same rules as the indicators: :func:`parse_count`); a blank count is not reported (never read as
    0) and warned about; a unit that counted nothing at all gets one warning instead of one per cell.
    """
    issues: list[Issue] = []
    activities: dict[str, dict[str, int]] = {}
    seen: dict[str, set[str]] = {}
    blank: dict[str, list] = {}
    for a in data.activities:
        act = catalog.plan.activity(a.activity)
        label = f"{act.label} ({act.unit})"
        where = dict(unit=a.unit, file=a.file, sheet=a.sheet, cell=a.cell)
        seen.setdefault(a.unit, set()).add(a.activity)
        if a.formula_without_value:
            issues.append(Issue.make("formula-no-value", label=label, **where))
            continue
        value, problem, extra = parse_count(a.raw)
        if problem == "missing-value":
            blank.setdefault(a.unit, []).append((a, label))
            continue
        if problem:
            issues.append(Issue.make(problem, value=_show(a.raw), label=label, **where, **extra))
            continue
        if isinstance(a.raw, str) and a.raw.strip() != str(value):
            issues.append(Issue.make("number-as-text", value=a.raw, label=label, number=value, **where))
        activities.setdefault(a.unit, {})[a.activity] = value

    closing = {code for code, _ in CLOSING_ROWS}
    remarks: dict[str, dict[str, str]] = {}
    for t in texts:
        if t.task not in closing:
            remarks.setdefault(t.unit, {})[t.task] = t.text
    for t in texts:
        if len(t.text) > REMARK_MAX_CHARS:
            issues.append(Issue.make("remark-too-long", unit=t.unit, file=t.file, sheet=TASK_SHEET, cell=t.cell,
                                     length=len(t.text), limit=REMARK_MAX_CHARS))

    for unit_code, sub in data.used().items():
        unit = catalog.unit(unit_code)
        if unit is None or not unit.activities:
            continue
        for code in unit.activities:
            if code not in seen.get(unit_code, set()):
                act = catalog.plan.activity(code)
                issues.append(Issue.make("activity-row-missing", unit=unit_code, file=sub.file, sheet=TASK_SHEET,
                                         activity=code, label=act.label, year=data.year))
        empty = blank.get(unit_code, [])
        if empty and not activities.get(unit_code) and len(empty) == len(seen.get(unit_code, ())):
            issues.append(Issue.make("no-activities", unit=unit_code, file=sub.file, sheet=TASK_SHEET))
            continue
        for a, label in empty:
            issues.append(Issue.make("activity-missing", unit=a.unit, file=a.file, sheet=a.sheet, cell=a.cell,
                                     label=label))
    return activities, remarks, issues


_OPS = {"<=": lambda a, b: a <= b, "<": lambda a, b: a < b, ">=": lambda a, b: a >= b, ">": lambda a, b: a > b,
        "==": lambda a, b: a == b, "!=": lambda a, b: a != b}


def _term_label(catalog: Catalog, term) -> str:
    ind = catalog.plan.indicator(term.indicator)
    return ind.numerator_label if term.field == "numerator" else ind.denominator_label


def _apply_rules(catalog: Catalog, obs: dict[tuple[str, str], Observation]) -> list[Issue]:
    """Evaluate the rules of rules.yaml for every unit that reports the indicators they name."""
    from . import vnformat as vn

    out: list[Issue] = []
    units = sorted({u for u, _ in obs})
    for unit in units:
        for rule in catalog.rules:
            terms = [t for t in rule.left + rule.right if t.indicator]
            if not any((unit, t.indicator) in obs for t in terms):
                continue  # the unit does not report these indicators
            values, missing = {}, []
            for t in terms:
                o = obs.get((unit, t.indicator))
                v = getattr(o, t.field) if o is not None and o.valid else None
                if v is None:
                    missing.append(t)
                values[(t.indicator, t.field)] = v
            # (a unit's observations all come from its one file and sheet: the first it has of these terms)
            first = next(obs[(unit, t.indicator)] for t in terms if (unit, t.indicator) in obs)
            where = dict(unit=unit, file=first.file, sheet=first.sheet)
            if missing:
                if rule.missing != "skip":
                    out.append(Issue.make(f"rule-missing-{rule.missing}", rule=rule.code,
                                          terms=", ".join(f"'{_term_label(catalog, t)}'" for t in missing), **where))
                continue

            def total(side):
                return sum(t.sign * (values[(t.indicator, t.field)] if t.indicator else t.constant) for t in side)

            if _OPS[rule.op](total(rule.left), total(rule.right)):
                continue
            detail = "; ".join(f"'{_term_label(catalog, t)}' = {vn.number(values[(t.indicator, t.field)])}"
                               for t in terms)
            cells = [obs[(unit, t.indicator)].cells.get(t.field, "") for t in terms]
            out.append(Issue.make(f"rule-{rule.severity}", message=rule.message.rstrip("."), detail=detail,
                                  cell=", ".join(c for c in cells if c), indicator=terms[0].indicator, **where))
            if rule.severity == "error":
                for t in terms:
                    o = obs[(unit, t.indicator)]
                    o.valid = False
                    o.problems.append(f"rule:{rule.code}")
    return out


def flag_outliers(catalog: Catalog, checked: ValidationResult, previous: ValidationResult | None) -> None:
    """Add a warning where a unit's value moved more than the thresholds of rules.yaml since last year."""
    from . import vnformat as vn

    limits = catalog.outliers
    if previous is None or (limits.max_change_points is None and limits.max_change_percent is None):
        return
    added: list[Issue] = []
    seen_counts: set[tuple] = set()
    for key, o in checked.observations.items():
        p = previous.observations.get(key)
        if p is None or not (o.valid and p.valid) or o.kind != RATIO:
            continue
        ind = catalog.plan.indicator(o.indicator)
        where = dict(unit=o.unit, file=o.file, sheet=o.sheet, indicator=o.indicator)
        small = min(o.denominator or 0, p.denominator or 0) < (limits.min_denominator or 0)
        if limits.max_change_points is not None and o.rate is not None and p.rate is not None and not small:
            delta = o.rate - p.rate
            if abs(delta) > limits.max_change_points:
                added.append(Issue.make("outlier-rate", label=ind.name, delta=vn.points(delta), prev_year=previous.year,
                                        before=vn.percent(p.rate), after=vn.percent(o.rate),
                                        limit=vn.number(limits.max_change_points), cell=o.cells.get("numerator", ""),
                                        **where))
        if limits.max_change_percent is not None and p.denominator:
            pct = 100.0 * (o.denominator - p.denominator) / p.denominator
            same = (o.unit, ind.denominator_label, p.denominator, o.denominator)
            if abs(pct) > limits.max_change_percent and same not in seen_counts:
                seen_counts.add(same)
                added.append(Issue.make("outlier-count", label=ind.denominator_label, delta=vn.points(pct, 0),
                                        prev_year=previous.year, before=vn.number(p.denominator),
                                        after=vn.number(o.denominator), limit=vn.number(limits.max_change_percent),
                                        cell=o.cells.get("denominator", ""), **where))
    checked.issues.extend(added)
    per_unit = Counter(i.unit for i in added)
    for row in checked.completeness:
        row.warnings += per_unit.get(row.unit, 0)



@dataclass(frozen=True)
class Bound:
    """A plausible range for one field of some indicators, for one group of units (rules.yaml ``bounds``)."""

    indicators: tuple[str, ...]
    field: str                 # numerator | denominator
    units: str                 # commune | district | all | a kind code of units.yaml
    low: int | None
    high: int | None


@dataclass(frozen=True)
class Plausibility:
    """The plausible bounds per indicator and kind of unit and the median rule of rules.yaml."""

    bounds: tuple[Bound, ...] = ()
    max_median_factor: float | None = None   # a value above N × the median of its kind is an error
    min_units: int = 5                       # the median rule needs this many units of the kind


_PLAUSIBILITY_CACHE: dict[tuple, Plausibility] = {}


def load_plausibility(catalog: Catalog) -> Plausibility:
    """Read the ``bounds`` and ``median`` sections of rules.yaml (empty when absent).

    Raises CatalogError listing every malformed entry.
    """
    from . import yamlfile

    from .errors import CatalogError

    path = catalog.files.get("rules.yaml")
    if path is None or not path.is_file():
        return Plausibility()
    key = (str(path), path.stat().st_mtime_ns)
    if key in _PLAUSIBILITY_CACHE:
        return _PLAUSIBILITY_CACHE[key]
    doc = yamlfile.read(path) or {}
    problems: list[str] = []
    bounds = []
    groups = {"commune", "district", "all"} | set(catalog.kinds)
    for i, d in enumerate(doc.get("bounds") or []):
        where = f"rules.yaml, mục bounds[{i}]"
        if not isinstance(d, dict):
            problems.append(f"{where}: phải là một mục có indicators, field, units, min, max.")
            continue
        inds = d.get("indicators") or []
        inds = [inds] if isinstance(inds, str) else list(inds)
        for code in inds:
            if code not in {x.code for x in catalog.plan.indicators}:
                problems.append(f"{where}: chỉ tiêu '{code}' không có trong plan.yaml.")
        fld = d.get("field", "denominator")
        if fld not in ("numerator", "denominator"):
            problems.append(f"{where}: field phải là numerator hoặc denominator (nhận được '{fld}').")
        units = str(d.get("units", "all"))
        if units not in groups:
            problems.append(f"{where}: units phải là commune, district, all hoặc một loại đơn vị (nhận được '{units}').")
        low, high = d.get("min"), d.get("max")
        for name, v in (("min", low), ("max", high)):
            if v is not None and (not isinstance(v, int) or isinstance(v, bool) or v < 0):
                problems.append(f"{where}: {name} phải là số nguyên không âm (nhận được {v!r}).")
        if isinstance(low, int) and isinstance(high, int) and low > high:
            problems.append(f"{where}: min {low} lớn hơn max {high}.")
        bounds.append(Bound(tuple(inds), fld, units, low, high))
    med = doc.get("median") or {}
    factor = med.get("max_factor")
    if factor is not None and (not isinstance(factor, (int, float)) or isinstance(factor, bool) or factor <= 1):
        problems.append(f"rules.yaml, mục median: max_factor phải là số lớn hơn 1 (nhận được {factor!r}).")
        factor = None
    min_units = med.get("min_units", 5)
    if problems:
        raise CatalogError(problems)
    out = Plausibility(tuple(bounds), float(factor) if factor is not None else None, int(min_units))
    _PLAUSIBILITY_CACHE[key] = out
    return out


def _in_group(catalog: Catalog, unit_code: str, group: str) -> bool:
    unit = catalog.unit(unit_code)
    if unit is None:
        return False
    commune = catalog.kinds[unit.kind].commune
    return (group == "all" or (group == "commune" and commune) or (group == "district" and not commune)
            or group == unit.kind)


def _kind_label(catalog: Catalog, group: str) -> str:
    return {"commune": "một xã, thị trấn", "district": "một cơ quan, đơn vị cấp huyện", "all": "một đơn vị"}.get(
        group, catalog.kinds[group].name.lower() if group in catalog.kinds else group)


def _check_bounds(catalog: Catalog, obs: dict[tuple[str, str], Observation]) -> list[Issue]:
    """Plausibility: each value inside its bounds, and not above N × the median of units of its kind."""
    from statistics import median

    from . import vnformat as vn

    rules = load_plausibility(catalog)
    out: list[Issue] = []

    def exclude(o: Observation, fld: str, code: str, **params) -> None:
        ind = catalog.plan.indicator(o.indicator)
        label = ind.numerator_label if fld == "numerator" else ind.denominator_label
        out.append(Issue.make(code, unit=o.unit, file=o.file, sheet=o.sheet, cell=o.cells.get(fld, ""),
                              indicator=o.indicator, label=label, value=vn.number(getattr(o, fld)), **params))
        o.valid = False
        o.problems.append(code)

    for o in obs.values():
        if o.kind != RATIO:
            continue
        for b in rules.bounds:
            v = getattr(o, b.field)
            if not o.valid or o.indicator not in b.indicators or v is None or not _in_group(catalog, o.unit, b.units):
                continue
            if (b.low is not None and v < b.low) or (b.high is not None and v > b.high):
                exclude(o, b.field, "out-of-bounds", low=vn.number(b.low or 0),
                        high=vn.number(b.high) if b.high is not None else "…", kind=_kind_label(catalog, b.units))
    if rules.max_median_factor:
        groups: dict[tuple[str, str, str], list[Observation]] = {}
        for o in obs.values():
            unit = catalog.unit(o.unit)
            if o.kind == RATIO and o.valid and unit is not None:
                for fld in ("numerator", "denominator"):
                    groups.setdefault((o.indicator, fld, unit.kind), []).append(o)
        for (_ind, fld, _kind), members in sorted(groups.items()):
            values = [getattr(o, fld) for o in members if getattr(o, fld) is not None]
            if len(values) < rules.min_units:
                continue
            mid = median(values)
            if mid <= 0:
                continue
            for o in members:
                v = getattr(o, fld)
                if o.valid and v is not None and v > rules.max_median_factor * mid:
                    exclude(o, fld, "above-median", factor=vn.number(rules.max_median_factor),
                            median=vn.number(round(mid)))
    return out


# ------------------------------------------------------------------------------------ activity counts
@dataclass(frozen=True)
class ActivityMedian:
    """rules.yaml ``activity_median``: a count above ``max_factor`` × the median of the units of its kind."""

    max_factor: float | None = None
    min_value: int = 0        # counts below this are never flagged (small numbers vary a lot)
    min_units: int = 5        # the median needs this many units of the kind reporting


def load_activity_median(catalog: Catalog) -> ActivityMedian:
    """Read the ``activity_median`` section of rules.yaml (no check when absent). Raises CatalogError."""
    from . import yamlfile

    from .errors import CatalogError

    path = catalog.files.get("rules.yaml") if getattr(catalog, "files", None) else None
    if path is None or not path.is_file():
        return ActivityMedian()
    d = (yamlfile.read(path) or {}).get("activity_median") or {}
    if not isinstance(d, dict):
        raise CatalogError(["rules.yaml, mục activity_median: phải có max_factor, min_value, min_units."])
    problems = []
    factor, low, n = d.get("max_factor"), d.get("min_value", 0), d.get("min_units", 5)
    if factor is not None and (not isinstance(factor, (int, float)) or isinstance(factor, bool) or factor <= 1):
        problems.append(f"rules.yaml, mục activity_median: max_factor phải là số lớn hơn 1 (nhận được {factor!r}).")
    for name, v in (("min_value", low), ("min_units", n)):
        if not isinstance(v, int) or isinstance(v, bool) or v < 0:
            problems.append(f"rules.yaml, mục activity_median: {name} phải là số nguyên không âm (nhận được {v!r}).")
    if problems:
        raise CatalogError(problems)
    return ActivityMedian(float(factor) if factor is not None else None, low, max(1, n))


def _check_activity_plausibility(catalog: Catalog, data: IngestResult,
                                 activities: dict[str, dict[str, int]]) -> list[Issue]:
    """A warning at the cell of an activity count far above what units of the same kind report.

    The count stays in the district total (it may be true: a district association may well invite 1.962
    members), but the unit is asked to confirm it and the BC does not state it unqualified."""
    from statistics import median

    from . import vnformat as vn

    rule = load_activity_median(catalog)
    if rule.max_factor is None:
        return []
    cells = {(a.unit, a.activity): a for a in data.activities}
    out: list[Issue] = []
    codes = {c for per_unit in activities.values() for c in per_unit}
    for code in sorted(codes):
        act = catalog.plan.activity(code)
        for commune in (True, False):
            peers = [(u, per_unit[code]) for u, per_unit in activities.items() if code in per_unit
                     and catalog.unit(u) is not None and catalog.is_commune(catalog.unit(u)) == commune]
            if len(peers) < rule.min_units:
                continue
            mid = median(v for _, v in peers)
            for unit, value in peers:
                if value >= rule.min_value and value > rule.max_factor * max(mid, 1):
                    a = cells.get((unit, code))
                    out.append(Issue.make(
                        "activity-implausible", unit=unit, file=a.file if a else "", sheet=a.sheet if a else "",
                        cell=a.cell if a else "", activity=code, label=act.label, value=vn.number(value),
                        measure=act.unit,
                        median=vn.number(round(mid)), kind="xã, thị trấn" if commune else "cơ quan, đoàn thể cấp huyện",
                        factor=vn.number(int(value // max(mid, 1)))))
    return out
