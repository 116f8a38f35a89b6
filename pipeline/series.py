"""Series over a range of report years: the facts a sơ kết or tổng kết states, computed once.

The yearly result models (:class:`~pipeline.aggregate.ReportModel`, one per year) are folded into
one :class:`PeriodSeries`: per indicator and per unit the value of every year (a gap, never a zero,
where a unit did not report, sent a bad value or did not have to report), the target and lộ trình
value in force each year, the outcome at each milestone year of the plan inside the range, and the
cross-year facts: the change over the period, the first year a unit (or the district) reached a
target, the units that met all their targets, the units furthest behind. Beside them, per year:
completeness, timeliness and funding, and where each year's figures came from.

Two steps, so that compute has no I/O::

    models, sources = load_models(inputs, outputs, 2014, 2020)   # reads archives or submissions
    series = build_series(catalog, models, sources)               # pure: models -> PeriodSeries
    json.dumps(series.to_dict())

Reading a yearly model is done in three small functions (:func:`target_point`, :func:`_aggregate_year`,
:func:`_unit_cells`) so that a redesign of the yearly model only needs them rewired.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .aggregate import (EXCEED_TOLERANCE, EXCEEDED, MET, NO_BASELINE, NO_DATA, NO_TARGET, NOT_MET, UNJUDGED,
                        ReportModel)
from .form_layout import FUNDING_SOURCES
from .vnformat import shown_diff
from .catalog import STATUS, Catalog

# Why a point of a series has no value. A gap is never shown or summed as a zero.
GAP_NOT_EXPECTED = "khong_phai_bao_cao"   # the unit did not exist or does not report this indicator that year
GAP_MISSING = "chua_nop"                  # the unit had to report and sent nothing usable
GAP_EXCLUDED = "so_lieu_loi"              # the unit reported, but this value had an error and was excluded
GAP_NO_DATA = "khong_co_so_lieu"          # the district figure could not be computed (no usable value)
GAP_NO_YEAR = "chua_co_nam"               # no data at all for this year (no archive, no submissions)
GAP_LABELS = {GAP_NOT_EXPECTED: "Không phải báo cáo", GAP_MISSING: "Chưa nộp", GAP_EXCLUDED: "Số liệu lỗi",
              GAP_NO_DATA: "Không có số liệu", GAP_NO_YEAR: "Chưa có số liệu năm"}

# Where a year's figures came from.
FROM_ARCHIVE, FROM_SUBMISSIONS, FROM_NOTHING = "archive", "submissions", "none"

# The trend of an activity's district total over the range: first to last known year.
TREND_UP, TREND_DOWN, TREND_STABLE, TREND_UNKNOWN = "tang", "giam", "on_dinh", "chua_du_so_lieu"
TREND_TOLERANCE = 0.05  # a change within 5 % of the first total is "ổn định"

_EPS = 1e-9


# --------------------------------------------------------------------------------------------
# The result


@dataclass
class YearSource:
    """Where the figures of one year were read: an archived version or the submissions folder."""

    year: int
    kind: str                   # FROM_ARCHIVE | FROM_SUBMISSIONS | FROM_NOTHING
    version: str = ""           # "v3" for an archived version
    sealed: bool = False        # the archived version was sealed (sent)
    inputs: str = ""            # the inputs folder that was read
    number: str = ""            # the yearly BC's số ký hiệu recorded in the version's manifest ("" if blank)
    issued: str = ""            # the yearly BC's issue date (ISO) recorded in the manifest


@dataclass
class Point:
    """The value of one series (district or unit) in one year; ``gap`` says why there is none."""

    year: int
    value: float | None = None          # percentage (ratio indicators; for status indicators: district only)
    numerator: int | None = None
    denominator: int | None = None
    status: str | None = None           # a unit's answer to a status indicator ("Đạt", "Chưa đạt")
    gap: str | None = None              # one of GAP_*, or None when there is a value

    @property
    def known(self) -> bool:
        return self.gap is None


@dataclass
class TargetPoint:
    """The target in force in one year: the milestone's value and, when the model has it, the lộ trình."""

    year: int
    kind: str | None = None             # at_least | maintain | reach | increase; None: no target in force
    value: float | None = None          # the milestone's value (None for "increase")
    milestone: int | None = None        # the year of the milestone this target belongs to
    path_value: float | None = None     # the lộ trình value of this year, if the yearly model provides one
    status: str | None = None           # the yearly model's judgement of the district figure (aggregate.MET, BEHIND …)
    margin: float | None = None         # points above (+) / below (-) what the year was judged against
    progress: float | None = None       # % of the way from the baseline figure to the milestone value

    @property
    def reference(self) -> float | None:
        """The value a year is judged against: the milestone's value in its year, else the lộ trình."""
        if self.milestone == self.year or self.path_value is None:
            return self.value
        return self.path_value


@dataclass
class Change:
    """The change of a series between its first and last known values in the range."""

    from_year: int
    to_year: int
    start: float
    end: float

    @property
    def points(self) -> float:
        """End minus start as the reader computes it from the two figures as printed (one decimal)."""
        return shown_diff(self.end, self.start)


@dataclass
class MilestoneOutcome:
    """The outcome of one indicator at a milestone year inside the range (2015, 2020)."""

    milestone: int
    kind: str | None
    target: float | None
    value: float | None                 # the district figure of the milestone year
    status: str                         # MET | EXCEEDED | NOT_MET | NO_DATA | NO_BASELINE | NO_TARGET
    margin: float | None                # percentage points above (+) or below (-) the target
    units_met: list[str] = field(default_factory=list)        # unit codes
    units_not_met: list[str] = field(default_factory=list)
    units_no_data: list[str] = field(default_factory=list)    # had to report, no usable value


@dataclass
class Behind:
    """A unit below the reference value of an indicator in the last year of the range."""

    unit: str
    value: float | None                 # ratio indicators
    status: str | None                  # status indicators
    shortfall: float | None             # percentage points below the reference (positive), ratio only


@dataclass
class UnitSeries:
    """One unit's series for one indicator."""

    unit: str
    points: list[Point]                 # one per year of the range, in order
    first_met: dict[int, int | None]    # milestone year -> first year of the range the unit met that target
    met_since: int | None               # met every known year from this one to the last known year
    change: Change | None

    def at(self, year: int) -> Point:
        return next(p for p in self.points if p.year == year)


def _by_code(owner, items: list, attr: str, code: str):
    """The first of ``items`` whose ``attr`` is ``code``, through a dict kept on ``owner`` (built once, not a
    scan per look-up: the standings look up every unit of a district of thousands)."""
    cache = owner.__dict__.setdefault("_by_code_cache", {})
    found = cache.get(attr)
    if found is None or found[0] is not items or found[1] != len(items):
        index: dict = {}
        for item in items:
            index.setdefault(getattr(item, attr), item)
        found = cache[attr] = (items, len(items), index)
    try:
        return found[2][code]
    except KeyError:
        raise KeyError(code) from None


@dataclass
class IndicatorSeries:
    """One indicator over the range: district and unit series, targets, milestones, cross-year facts."""

    code: str
    group: str
    name: str
    label: str
    kind: str                           # "ratio" | "status"
    district: list[Point]
    targets: list[TargetPoint]
    units: list[UnitSeries]
    milestones: list[MilestoneOutcome]
    change: Change | None
    first_met: dict[int, int | None]    # milestone year -> first year the district figure met that target
    behind: list[Behind]                # units below the reference in the last year, furthest first

    def at(self, year: int) -> Point:
        return next(p for p in self.district if p.year == year)

    def target_at(self, year: int) -> TargetPoint:
        return next(t for t in self.targets if t.year == year)

    def unit(self, code: str) -> UnitSeries:
        return _by_code(self, self.units, "unit", code)

    def outcome(self, milestone: int) -> MilestoneOutcome | None:
        return next((m for m in self.milestones if m.milestone == milestone), None)


@dataclass
class GroupSeries:
    """A target group of Section I and the indicator codes it charts, in the plan's order."""

    code: str
    title: str
    indicators: list[str]               # indicator codes, in the plan's order


@dataclass
class ActivitySeries:
    """One Section II activity (a count units report) over the range: district totals per year, period total."""

    code: str
    task: str
    label: str
    measure: str
    totals: list[int | None]            # one per year of the range; None: no data for that year (never a zero)
    reporters: list[int]                # units that reported a value, per year
    expected: list[int]                 # units asked for it, per year
    by_unit: dict[str, list[int | None]]    # unit code -> value per year (None: not reported)
    period_total: int                   # sum over the years with data
    change: Change | None               # first to last known total
    trend: str                          # TREND_UP | TREND_DOWN | TREND_STABLE | TREND_UNKNOWN

    @property
    def change_pct(self) -> float | None:
        c = self.change
        return None if c is None or not c.start else 100.0 * (c.end - c.start) / c.start


@dataclass
class TaskSeries:
    """A task group of Section II and its activities (codes, in the plan's order)."""

    code: str
    number: int
    title: str
    activities: list[str]


@dataclass
class UnitInfo:
    """What the period review needs to know about a unit: code, names, kind, commune or not."""

    code: str
    name: str
    short_name: str
    kind: str
    commune: bool


@dataclass
class UnitStanding:
    """A unit against all targets it reports, in one year (the last of the range or a milestone year)."""

    unit: str
    year: int
    met: list[str]                      # indicator codes
    not_met: list[str]
    no_data: list[str]                  # had to report, no usable value (or no previous year for "increase")
    shortfall: float                    # sum of percentage points below target over ratio indicators

    @property
    def all_met(self) -> bool:
        return bool(self.met) and not self.not_met and not self.no_data


@dataclass
class YearFacts:
    """Completeness, timeliness and funding of one year."""

    year: int
    source: YearSource
    deadline: str                       # ISO date
    expected: int
    received: int
    missing: list[str]                  # unit codes
    on_time: list[str]
    late: dict[str, int]                # unit code -> days late
    timeliness_unknown: list[str]       # received without a usable report date
    with_errors: list[str]
    funding: dict[str, int]             # source code -> amount (đồng)
    funding_by_unit: dict[str, dict[str, int]]
    direction: dict | None = None       # the office's công tác chỉ đạo of the year (chidao.Direction.as_dict())

    @property
    def funding_total(self) -> int:
        return sum(self.funding.values())


@dataclass
class PeriodSeries:
    """Everything a period review (sơ kết / tổng kết) states, for the years ``first``..``last``."""

    plan: str
    period: tuple[int, int]             # the plan's period
    first: int
    last: int
    years: list[int]
    milestone_years: list[int]          # the plan's milestone years inside the range
    groups: list[GroupSeries]
    indicators: list[IndicatorSeries]
    units: list[UnitInfo]
    years_facts: list[YearFacts]
    standings: dict[int, list[UnitStanding]]   # year -> every unit with a target, furthest behind first
    tasks: list[TaskSeries] = field(default_factory=list)
    activities: list[ActivitySeries] = field(default_factory=list)

    @property
    def final(self) -> bool:
        """True for a tổng kết (the range ends with the plan), False for a sơ kết."""
        return self.last >= self.period[1]

    @property
    def missing_years(self) -> list[int]:
        return [f.year for f in self.years_facts if f.source.kind == FROM_NOTHING]

    def indicator(self, code: str) -> IndicatorSeries:
        for s in self.indicators:
            if s.code == code:
                return s
        raise KeyError(code)

    def unit(self, code: str) -> UnitInfo:
        return _by_code(self, self.units, "code", code)

    def activity(self, code: str) -> ActivitySeries:
        for a in self.activities:
            if a.code == code:
                return a
        raise KeyError(code)

    def activities_of(self, task: str) -> list[ActivitySeries]:
        return [a for a in self.activities if a.task == task]

    def year(self, year: int) -> YearFacts:
        return next(f for f in self.years_facts if f.year == year)

    def all_met(self, year: int | None = None, communes_only: bool = False) -> list[str]:
        """The units that met every target they report in ``year`` (default: the last year)."""
        return [s.unit for s in self.standings.get(year or self.last, [])
                if s.all_met and (not communes_only or self.unit(s.unit).commune)]

    def not_all_met(self, year: int | None = None, communes_only: bool = False) -> list[UnitStanding]:
        """The other units with targets, furthest behind first."""
        return [s for s in self.standings.get(year or self.last, [])
                if not s.all_met and (not communes_only or self.unit(s.unit).commune)]

    def furthest_behind(self, limit: int = 3, year: int | None = None, communes_only: bool = False) -> list[UnitStanding]:
        """The ``limit`` units with the most targets not met (then the largest total shortfall)."""
        return [s for s in self.not_all_met(year, communes_only) if s.not_met][:limit]

    def funding_total(self, source: str | None = None) -> int:
        return sum(f.funding.get(source, 0) if source else f.funding_total for f in self.years_facts)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (years as keys become strings in JSON), with the derived facts added."""
        out = dataclasses.asdict(self)
        out["final"] = self.final
        out["missing_years"] = self.missing_years
        out["all_met"] = {str(y): self.all_met(y) for y in self.standings}
        out["funding_total"] = self.funding_total()
        for s, d in zip(self.indicators, out["indicators"]):
            d["change_points"] = s.change.points if s.change else None
        return _json_keys(out)


def _json_keys(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {str(k): _json_keys(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_json_keys(v) for v in obj]
    return obj


# --------------------------------------------------------------------------------------------
# Reading a yearly model (the only place that knows its shape)


def target_point(result: Any, year: int) -> TargetPoint:
    """The target and lộ trình in force for one indicator result of a yearly model.

    Reads defensively: ``path_value`` is taken from the result, or from its target, when the yearly
    model provides one (None otherwise). Rewire here if the yearly model changes.
    """
    target = getattr(result, "target", None)
    path = getattr(result, "path_value", None)
    if path is None and target is not None:
        path = getattr(target, "path_value", None)
        if callable(path):
            path = path(year)
    if target is None:
        return TargetPoint(year)
    value = getattr(target, "value", None)
    return TargetPoint(year, getattr(target, "kind", None), None if value is None else float(value),
                       getattr(target, "year", None), None if path is None else float(path),
                       getattr(result, "status", None), getattr(result, "margin", None),
                       getattr(result, "progress", None))


def _unit_cells(result: Any) -> dict[str, Any]:
    """unit code -> the unit's result (UnitResult) of one indicator result."""
    return {u.unit.code: u for u in result.units}


def _unit_point(year: int, ur: Any, status_kind: bool) -> Point:
    if ur is None:
        return Point(year, gap=GAP_NOT_EXPECTED)
    if not ur.reported:
        return Point(year, gap=GAP_MISSING)
    if not ur.valid:
        return Point(year, gap=GAP_EXCLUDED)
    if status_kind:
        return Point(year, status=ur.status_value)
    if ur.rate is None:
        return Point(year, numerator=ur.numerator, denominator=ur.denominator, gap=GAP_NO_DATA)
    return Point(year, ur.rate, ur.numerator, ur.denominator)


# --------------------------------------------------------------------------------------------
# Judging


def _meets(kind: str | None, target: float | None, value: float | None, previous: float | None) -> bool | None:
    """True/False if ``value`` meets the target, None if it cannot be judged."""
    if kind is None or value is None:
        return None
    if kind == "increase":
        return None if previous is None else value > previous + _EPS
    if target is None:
        return None
    return value >= target - _EPS


def _unit_meets(ind_kind: str, success: str, kind: str | None, target: float | None, point: Point,
                previous: Point | None) -> bool | None:
    if kind is None or not point.known:
        return None
    if ind_kind == STATUS:
        return point.status == success
    return _meets(kind, target, point.value, previous.value if previous and previous.known else None)


def _status(kind: str | None, target: float | None, value: float | None,
            previous: float | None) -> tuple[str, float | None]:
    """Status and margin of a district figure against a milestone target (same rule as the yearly model)."""
    if kind is None:
        return NO_TARGET, None
    if value is None:
        return NO_DATA, None
    if kind == "increase":
        if previous is None:
            return NO_BASELINE, None
        margin = shown_diff(value, previous)
        return (MET if margin > 0 else NOT_MET), margin
    # from the figures as printed, as the yearly model judges (aggregate._judge): 94,96 reads 95,0 and meets 95
    margin = shown_diff(value, target)
    if margin < -_EPS:
        return NOT_MET, margin
    if margin > EXCEED_TOLERANCE and kind in ("at_least", "reach"):
        return EXCEEDED, margin
    return MET, margin


def _change(points: list[Point]) -> Change | None:
    known = [p for p in points if p.known and p.value is not None]
    if len(known) < 2:
        return None
    return Change(known[0].year, known[-1].year, known[0].value, known[-1].value)


# --------------------------------------------------------------------------------------------
# Building


def build_series(catalog: Catalog, models: dict[int, ReportModel | None], sources: dict[int, YearSource] | None = None,
                 first: int | None = None, last: int | None = None, per_unit: bool = True) -> PeriodSeries:
    """Fold the yearly models of ``first``..``last`` into a :class:`PeriodSeries` (no I/O).

    ``models[y]`` is the yearly model of ``y``, or None (or absent) when there is no data for that
    year: its points are then gaps. ``sources`` records where each year came from. ``per_unit=False``
    leaves out what only a review states (each unit's series, the units of each milestone outcome, the
    units behind and the standings): the yearly BC's charts and trend sheet show the district's series.
    """
    plan = catalog.plan
    first = first if first is not None else min(models)
    last = last if last is not None else max(models)
    years = list(range(first, last + 1))
    sources = dict(sources or {})
    milestone_years = [m.year for m in plan.milestones if first <= m.year <= last]
    milestone_targets = {(t.indicator, t.year): t for t in plan.targets}

    # the units to show: expected in any year of the range, communes first, in the catalog's order
    seen: dict[str, Any] = {}
    for y in years:
        for u in catalog.expected_units(y):
            seen.setdefault(u.code, u)
    units = sorted(seen.values(), key=lambda u: not catalog.is_commune(u))
    unit_infos = [UnitInfo(u.code, u.name, u.short_name, u.kind, catalog.is_commune(u)) for u in units]

    results = {y: {r.indicator.code: r for r in m.indicators} for y, m in models.items() if m is not None}
    indicators: list[IndicatorSeries] = []
    groups: list[GroupSeries] = []
    for group in plan.goal_groups:
        codes = []
        for ind in (i for i in plan.indicators if i.group == group.code):
            if not any(ind.code in results.get(y, {}) for y in years) and not any(
                    ind.code in u.indicators for u in units):
                continue
            indicators.append(_indicator_series(catalog, ind, years, results, units if per_unit else [],
                                                milestone_years, milestone_targets))
            codes.append(ind.code)
        if codes:
            groups.append(GroupSeries(group.code, group.title, codes))

    standing_years = sorted(set(milestone_years) | {last})
    standings = {y: _standings(catalog, indicators, units, y) for y in standing_years} if per_unit else {}
    facts = [_year_facts(catalog, y, models.get(y), sources.get(y)) for y in years]
    tasks, activities = _activity_series(catalog, models, years)
    return PeriodSeries(plan.number, tuple(plan.period), first, last, years, milestone_years, groups, indicators,
                        unit_infos, facts, standings, tasks, activities)


def _trend(change: Change | None) -> str:
    if change is None:
        return TREND_UNKNOWN
    tol = TREND_TOLERANCE * abs(change.start) if change.start else 0.0
    if change.points > tol:
        return TREND_UP
    if change.points < -tol:
        return TREND_DOWN
    return TREND_STABLE


def _activity_series(catalog: Catalog, models: dict[int, ReportModel | None],
                     years: list[int]) -> tuple[list[TaskSeries], list[ActivitySeries]]:
    """The district totals of every Section II activity per year, and the task groups that hold them."""
    plan = catalog.plan
    per_year = {y: {a.code: a for a in (getattr(models.get(y), "activities", None) or [])} for y in years}
    out: list[ActivitySeries] = []
    for a in getattr(plan, "activities", ()) or ():
        results = [per_year[y].get(a.code) for y in years]
        if not any(results):
            continue
        totals = [r.total if r is not None else None for r in results]
        by_unit: dict[str, list[int | None]] = {}
        for i, r in enumerate(results):
            for u, n in (r.values if r is not None else []):
                by_unit.setdefault(u.code, [None] * len(years))[i] = n
        known = [Point(y, float(t)) for y, t in zip(years, totals) if t is not None]
        change = _change(known)
        out.append(ActivitySeries(a.code, a.task, a.label, getattr(a, "unit", "") or "", totals,
                                  [r.reporters if r is not None else 0 for r in results],
                                  [r.expected if r is not None else 0 for r in results], by_unit,
                                  sum(t for t in totals if t is not None), change, _trend(change)))
    tasks = [TaskSeries(t.code, t.number, t.title, [a.code for a in out if a.task == t.code]) for t in plan.tasks]
    return tasks, out


def _indicator_series(catalog, ind, years, results, units, milestone_years, milestone_targets) -> IndicatorSeries:
    district: list[Point] = []
    targets: list[TargetPoint] = []
    cells: dict[int, dict[str, Any]] = {}
    for y in years:
        r = results.get(y, {}).get(ind.code)
        if y not in results:
            district.append(Point(y, gap=GAP_NO_YEAR))
            t = catalog.plan.target_for(ind.code, y)
            targets.append(TargetPoint(y, t.kind, t.value, t.year) if t else TargetPoint(y))
            cells[y] = {}
            continue
        if r is None:
            district.append(Point(y, gap=GAP_NO_DATA))
            targets.append(TargetPoint(y))
            cells[y] = {}
            continue
        district.append(Point(y, r.rate, r.numerator, r.denominator, gap=None if r.rate is not None else GAP_NO_DATA))
        targets.append(target_point(r, y))
        cells[y] = _unit_cells(r) if units else {}

    status_kind = ind.kind == STATUS
    unit_series = []
    for u in units:
        points = []
        for y in years:
            if y not in results:
                points.append(Point(y, gap=GAP_NO_YEAR))
            else:
                points.append(_unit_point(y, cells[y].get(u.code), status_kind))
        if all(p.gap in (GAP_NOT_EXPECTED, GAP_NO_YEAR) for p in points):
            continue  # the unit never reports this indicator
        unit_series.append(UnitSeries(u.code, points, {}, None, None if status_kind else _change(points)))

    # the milestone targets of this indicator, and the first year each was met
    ind_milestones = sorted(t.year for (code, _y), t in milestone_targets.items() if code == ind.code)
    first_met: dict[int, int | None] = {}
    for m in ind_milestones:
        t = milestone_targets[(ind.code, m)]
        first_met[m] = next((p.year for i, p in enumerate(district) if p.year <= m and _meets(
            t.kind, t.value, p.value, district[i - 1].value if i else None)), None)
        for us in unit_series:
            us.first_met[m] = next((p.year for i, p in enumerate(us.points) if p.year <= m and _unit_meets(
                ind.kind, ind.status_success, t.kind, t.value, p, us.points[i - 1] if i else None)), None)
    for us in unit_series:
        us.met_since = _met_since(ind, us.points, targets)

    outcomes = []
    for m in milestone_years:
        t = milestone_targets.get((ind.code, m))
        i = years.index(m)
        point = district[i]
        prev = district[i - 1].value if i else None
        if t is None:
            outcomes.append(MilestoneOutcome(m, None, None, point.value, NO_TARGET, None))
            continue
        status, margin = _status(t.kind, t.value, point.value, prev)
        yearly = results.get(m, {}).get(ind.code)
        if t.kind == "increase" and status == MET and getattr(yearly, "status", None) == UNJUDGED:
            status = UNJUDGED  # the year's own verdict: a rise only a change of reporting units made
        o = MilestoneOutcome(m, t.kind, t.value, point.value, status, margin)
        for us in unit_series:
            p = us.points[i]
            if p.gap == GAP_NOT_EXPECTED:
                continue
            ok = _unit_meets(ind.kind, ind.status_success, t.kind, t.value, p, us.points[i - 1] if i else None)
            (o.units_no_data if ok is None else o.units_met if ok else o.units_not_met).append(us.unit)
        outcomes.append(o)

    return IndicatorSeries(ind.code, ind.group, ind.name, ind.label, ind.kind, district, targets, unit_series,
                           outcomes, _change(district), first_met,
                           _behind(ind, unit_series, targets[-1]))


def _met_since(ind, points: list[Point], targets: list[TargetPoint]) -> int | None:
    """The first year from which the unit met the (milestone) target in force every known year to the last."""
    since = None
    for i, (p, t) in enumerate(zip(points, targets)):
        if not p.known:
            continue
        ok = _unit_meets(ind.kind, ind.status_success, t.kind, t.value, p, points[i - 1] if i else None)
        if ok:
            since = since if since is not None else p.year
        else:
            since = None
    return since


def _behind(ind, unit_series: list[UnitSeries], target: TargetPoint) -> list[Behind]:
    ref = target.reference
    if target.kind is None or (ref is None and ind.kind != STATUS):
        return []
    out = []
    for us in unit_series:
        p = us.points[-1]
        if not p.known:
            continue
        if ind.kind == STATUS:
            if p.status != ind.status_success:
                out.append(Behind(us.unit, None, p.status, None))
        elif target.kind != "increase" and p.value is not None and p.value < ref - _EPS:
            out.append(Behind(us.unit, p.value, None, ref - p.value))
    return sorted(out, key=lambda b: -(b.shortfall or 0))


def _standings(catalog, indicators: list[IndicatorSeries], units, year: int) -> list[UnitStanding]:
    out = []
    for u in units:
        met, not_met, no_data, shortfall = [], [], [], 0.0
        for s in indicators:
            t = s.target_at(year)
            if t.kind is None:
                continue
            try:
                us = s.unit(u.code)
            except KeyError:
                continue
            i = [p.year for p in us.points].index(year)
            p = us.points[i]
            if p.gap == GAP_NOT_EXPECTED:
                continue
            ind = catalog.plan.indicator(s.code)
            ref = t.reference  # the milestone's value in its year, the lộ trình in a year between milestones
            ok = _unit_meets(ind.kind, ind.status_success, t.kind, ref, p, us.points[i - 1] if i else None)
            if ok is None:
                no_data.append(s.code)
            elif ok:
                met.append(s.code)
            else:
                not_met.append(s.code)
                if p.value is not None and ref is not None and t.kind != "increase":
                    shortfall += ref - p.value
        if met or not_met or no_data:
            out.append(UnitStanding(u.code, year, met, not_met, no_data, shortfall))
    return sorted(out, key=lambda s: (-len(s.not_met), -s.shortfall, -len(s.no_data)))


def _year_facts(catalog: Catalog, year: int, model: ReportModel | None, source: YearSource | None) -> YearFacts:
    source = source or YearSource(year, FROM_NOTHING if model is None else FROM_SUBMISSIONS)
    deadline = catalog.office.deadline(year).isoformat()
    if model is None:
        expected = catalog.expected_units(year)
        return YearFacts(year, source, deadline, len(expected), 0, [u.code for u in expected], [], {}, [], [], {}, {})
    v = model.validation
    received = v.received
    funding = {code: model.funding_total(code) for code, _label in FUNDING_SOURCES}
    by_unit = {row.unit.code: dict(row.amounts) for row in model.funding}
    direction = model.direction.as_dict() if getattr(model, "direction", None) is not None else None
    return YearFacts(
        year, source, deadline, len(v.completeness), len(received), [u.unit for u in v.missing],
        [u.unit for u in received if u.late_days == 0],
        {u.unit: u.late_days for u in received if u.late_days},
        [u.unit for u in received if u.late_days is None], [u.unit for u in v.with_errors], funding, by_unit,
        direction)


# --------------------------------------------------------------------------------------------
# Loading (I/O): each year from its newest archived version, else from the submissions


def year_source(inputs: Path, outputs: Path | None, year: int, prefer_sealed: bool = False) -> YearSource:
    """Where to read ``year``: the newest archived version (or the newest sealed one), else the submissions."""
    from . import archive
    from .ingest import submissions_folder

    if outputs is not None:
        found = [v for v in archive.versions(Path(outputs), year)
                 if (v / "inputs" / "submissions" / str(year)).is_dir()]
        if prefer_sealed and any(archive.is_sealed(v) for v in found):
            found = [v for v in found if archive.is_sealed(v)]
        if found:
            v = found[-1]
            try:
                manifest = archive.read_manifest(v)
            except Exception:  # noqa: BLE001 - an unreadable manifest: the figures are still in inputs/
                manifest = {}
            return YearSource(year, FROM_ARCHIVE, v.name, archive.is_sealed(v), str(v / "inputs"),
                              str(manifest.get("number") or ""), str((manifest.get("options") or {}).get("date") or ""))
    if submissions_folder(Path(inputs), year).is_dir():
        return YearSource(year, FROM_SUBMISSIONS, inputs=str(inputs))
    return YearSource(year, FROM_NOTHING)


def _read_year(catalog: Catalog, source: YearSource, cache=None, outputs: Path | None = None):
    """Ingest and validate one year from its source; (submissions, checked) or None when nothing usable.

    With ``cache`` (a :class:`~pipeline.checkcache.CheckedCache`), a year the run or an earlier version
    has already checked with the same key is taken from it instead of being read again.
    """
    from .runner import check_and_read, read_checked

    if source.kind == FROM_NOTHING:
        return None
    if cache is not None:
        where = outputs if source.kind == FROM_SUBMISSIONS else None
        key, blob = read_checked(catalog, Path(source.inputs), source.year, where, None, _Lookup(cache))
        data, checked = cache.unpickled(key, blob)
    else:
        data, checked = check_and_read(catalog, Path(source.inputs), source.year)
    return (data.submissions, checked) if checked.received else None


class _Lookup:
    """The run's cache as :func:`pipeline.runner.read_checked` looks into it: found and freshly read years."""

    def __init__(self, cache):
        self.found = {**cache.found, **cache.fresh}
        self.files_of = cache.files_of  # (the files the run listed)


def _read_years(catalog: Catalog, sources: list[YearSource], cache=None, outputs: Path | None = None) -> list:
    return [_read_year(catalog, s, cache, outputs) for s in sources]


def _aggregate_year(catalog: Catalog, read, previous, baseline=None, direction=None) -> ReportModel:
    """The yearly model from a year's checked data, as ``xhht run`` builds it: the year before (change since
    last year), the milestone's baseline year (the lộ trình) and the office's công tác chỉ đạo of the year."""
    from .aggregate import aggregate

    subs, checked = read
    history = {baseline[1].year: baseline[1]} if baseline else None
    return aggregate(catalog, checked, subs, previous[1] if previous else None, previous[0] if previous else None,
                     history=history, direction=direction)


def _direction(source: YearSource):
    """The công tác chỉ đạo of a year from the folder its figures came from (None if not written)."""
    from .chidao import load_direction

    return load_direction(source.inputs, source.year) if source.inputs else None


def load_models(inputs: Path | str, outputs: Path | str | None, first: int, last: int,
                catalog: Catalog | None = None, parallel: bool = True,
                prefer_sealed: bool = False, cache=None) -> tuple[dict[int, ReportModel | None], dict[int, YearSource]]:
    """Read the yearly models of ``first``..``last``: each year from its newest archived version
    (``outputs/<year>/vN/inputs``) when there is one, otherwise from ``inputs/submissions/<year>``.

    With ``parallel`` half of the years are read on the second core (fork). Returns the models
    (None for a year without usable data) and where each year came from.
    """
    from .catalog_load import load_catalog
    from .jobs import start

    inputs = Path(inputs)
    catalog = catalog or load_catalog(inputs)
    for y in (first, last):
        catalog.check_year(y)
    sources = {y: year_source(inputs, Path(outputs) if outputs else None, y, prefer_sealed)
               for y in range(first, last + 1)}
    todo = [s for s in sources.values() if s.kind != FROM_NOTHING]
    out = Path(outputs) if outputs else None
    job = None
    if parallel and len(todo) > 1:
        job = start(_read_years, catalog, todo[1::2], cache, out)
        mine = _read_years(catalog, todo[0::2], cache, out)
        theirs = job.result()
        read = {}
        for s, r in zip(todo[0::2], mine):
            read[s.year] = r
        for s, r in zip(todo[1::2], theirs):
            read[s.year] = r
    else:
        read = {s.year: r for s, r in zip(todo, _read_years(catalog, todo, cache, out))}
    models: dict[int, ReportModel | None] = {}
    for y in range(first, last + 1):
        r = read.get(y)
        ms = catalog.plan.milestone_for(y)
        base = read.get(ms.baseline) if ms and ms.baseline and ms.baseline < y - 1 else None
        if ms and ms.baseline and ms.baseline < y - 1 and base is None and ms.baseline < first:
            # the lộ trình starts before the range (a sơ kết from 2017): read the baseline year too
            bs = year_source(inputs, Path(outputs) if outputs else None, ms.baseline, prefer_sealed)
            base = read.setdefault(ms.baseline, _read_year(catalog, bs, cache, out))
        models[y] = _aggregate_year(catalog, r, read.get(y - 1), base, _direction(sources[y])) if r else None
        if r is None and sources[y].kind != FROM_NOTHING:
            sources[y] = dataclasses.replace(sources[y], kind=FROM_NOTHING)
    return models, sources


def series_so_far(model: ReportModel, inputs: Path | str, outputs: Path | str | None,
                  parallel: bool = True, cache=None, per_unit: bool = True) -> PeriodSeries | None:
    """The district's series from the plan's first year to the year of ``model`` (the yearly BC's trend).

    The earlier years are read as the review reads them (newest archived version, else the submissions);
    the year itself is ``model``. None when fewer than two years of the range have data. ``per_unit``:
    see :func:`build_series`.
    """
    catalog = model.catalog
    first, year = catalog.plan.period[0], model.year
    if year <= first:
        return None
    models, sources = load_models(inputs, outputs, first, year - 1, catalog, parallel, cache=cache)
    models[year] = model
    sources[year] = YearSource(year, FROM_SUBMISSIONS, inputs=str(inputs))
    if sum(1 for m in models.values() if m is not None) < 2:
        return None
    return build_series(catalog, models, sources, first, year, per_unit=per_unit)


def period_series(inputs: Path | str, outputs: Path | str | None, first: int, last: int,
                  catalog: Catalog | None = None, parallel: bool = True) -> PeriodSeries:
    """Load the years ``first``..``last`` and build their :class:`PeriodSeries`."""
    from .catalog_load import load_catalog

    catalog = catalog or load_catalog(Path(inputs))
    models, sources = load_models(inputs, outputs, first, last, catalog, parallel)
    return build_series(catalog, models, sources, first, last)


__all__ = ["PeriodSeries", "IndicatorSeries", "ActivitySeries", "TaskSeries", "UnitSeries", "Point", "TargetPoint", "Change", "MilestoneOutcome",
           "Behind", "UnitStanding", "YearFacts", "YearSource", "GroupSeries", "UnitInfo", "build_series",
           "load_models", "period_series", "series_so_far", "year_source", "target_point", "GAP_LABELS"]
