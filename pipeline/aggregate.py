"""Consolidate the checked submissions by the plan's targets into one result model.

District figures are the ratio of summed numerators to summed denominators, never an average of
percentages. The target in force is the plan's milestone covering the report year. Nothing here
formats text or writes files: every output (DOCX, XLSX, CLI summary) is rendered from
:class:`ReportModel`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .ingest import Submission
from .plan import RATIO, STATUS, Catalog, GoalGroup, Indicator, Milestone, Target, Unit
from .layout import CLOSING_ROWS, FUNDING_SOURCES, LIMITS_CODE, PROPOSALS_CODE
from .validate import Observation, ValidationResult

# Status codes of an indicator against its target.
MET, EXCEEDED, NOT_MET, NO_TARGET, NO_DATA, NO_BASELINE = (
    "dat", "vuot", "chua_dat", "khong_co_chi_tieu", "khong_co_so_lieu", "chua_so_sanh")
STATUS_LABELS = {MET: "Đạt", EXCEEDED: "Vượt", NOT_MET: "Chưa đạt", NO_TARGET: "Không có chỉ tiêu",
                 NO_DATA: "Không có số liệu", NO_BASELINE: "Chưa có năm trước để so sánh"}
# A rate within this many percentage points above the target counts as "đạt" rather than "vượt".
EXCEED_TOLERANCE = 0.05


@dataclass
class UnitResult:
    unit: Unit
    numerator: int | None
    denominator: int | None
    status_value: str | None
    rate: float | None
    valid: bool
    problems: list[str]
    reported: bool

    @property
    def counts(self) -> bool:
        """True if this unit's value is included in the district figure."""
        return self.reported and self.valid


@dataclass
class IndicatorResult:
    indicator: Indicator
    target: Target | None
    numerator: int
    denominator: int
    rate: float | None
    status: str
    margin: float | None          # percentage points above (+) or below (-) the target
    previous_rate: float | None
    change: float | None          # percentage points since the previous year
    units: list[UnitResult]

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def reporting(self) -> list[UnitResult]:
        return [u for u in self.units if u.counts]

    @property
    def excluded(self) -> list[UnitResult]:
        return [u for u in self.units if u.reported and not u.valid]

    @property
    def not_reported(self) -> list[UnitResult]:
        return [u for u in self.units if not u.reported]

    def behind(self, limit: int = 3) -> list[UnitResult]:
        """Return the units furthest below the target (ratio indicators), worst first."""
        if self.target is None or self.target.value is None:
            return []
        if self.indicator.kind == STATUS:
            return [u for u in self.reporting if u.status_value != self.indicator.status_success][:limit]
        low = [u for u in self.reporting if u.rate is not None and u.rate < self.target.value]
        return sorted(low, key=lambda u: u.rate)[:limit]


@dataclass
class GroupResult:
    group: GoalGroup
    indicators: list[IndicatorResult]

    def count(self, *statuses: str) -> int:
        return sum(1 for r in self.indicators if r.status in statuses)


@dataclass
class TaskReport:
    """What units reported for one task group: merged, de-duplicated, attributed, unaltered."""

    code: str
    title: str
    entries: list[tuple[list[Unit], str]]  # (units that wrote it, text)


@dataclass
class FundingRow:
    unit: Unit
    amounts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.amounts.values())


@dataclass
class ReportModel:
    year: int
    catalog: Catalog
    milestone: Milestone | None
    groups: list[GroupResult]
    tasks: list[TaskReport]
    limitations: TaskReport
    proposals: TaskReport
    funding: list[FundingRow]
    validation: ValidationResult
    submissions: list[Submission]
    has_previous: bool
    expected: list[Unit] = field(default_factory=list)
    previous_submissions: list[Submission] = field(default_factory=list)

    @property
    def indicators(self) -> list[IndicatorResult]:
        return [r for g in self.groups for r in g.indicators]

    def funding_total(self, source: str | None = None) -> int:
        return sum(r.amounts.get(source, 0) if source else r.total for r in self.funding)

    def result(self, code: str) -> IndicatorResult:
        for r in self.indicators:
            if r.indicator.code == code:
                return r
        raise KeyError(code)


def _rate(num: int, den: int) -> float | None:
    return 100.0 * num / den if den else None


def _district(ind: Indicator, units: list[UnitResult]) -> tuple[int, int]:
    ok = [u for u in units if u.counts]
    if ind.kind == STATUS:
        return sum(1 for u in ok if u.status_value == ind.status_success), len(ok)
    return sum(u.numerator for u in ok), sum(u.denominator for u in ok)


def _judge(target: Target | None, rate: float | None, previous: float | None) -> tuple[str, float | None]:
    if target is None:
        return NO_TARGET, None
    if rate is None:
        return NO_DATA, None
    if target.kind == "increase":
        if previous is None:
            return NO_BASELINE, None
        margin = rate - previous
        return (MET if margin > 0 else NOT_MET), margin
    margin = rate - target.value
    if margin < 0:
        return NOT_MET, margin
    if margin > EXCEED_TOLERANCE and target.kind in ("at_least", "reach"):
        return EXCEEDED, margin
    return MET, margin


def _unit_results(catalog: Catalog, ind: Indicator, year: int,
                  observations: dict[tuple[str, str], Observation], received: set[str]) -> list[UnitResult]:
    out = []
    for unit in catalog.reporters_of(ind.code, year):
        o = observations.get((unit.code, ind.code))
        if o is None:
            out.append(UnitResult(unit, None, None, None, None, False, [], False))
            continue
        out.append(UnitResult(unit, o.numerator, o.denominator, o.status, o.rate if ind.kind == RATIO else None,
                              o.valid, list(o.problems), unit.code in received))
    return out


def _previous_rates(catalog: Catalog, previous: ValidationResult | None) -> dict[str, float | None]:
    if previous is None:
        return {}
    received = {u.unit for u in previous.received}
    rates = {}
    for ind in catalog.plan.indicators:
        units = _unit_results(catalog, ind, previous.year, previous.observations, received)
        rates[ind.code] = _rate(*_district(ind, units))
    return rates


def _merge_texts(catalog: Catalog, year: int, texts, code: str, title: str) -> TaskReport:
    order = {u.code: i for i, u in enumerate(catalog.expected_units(year))}
    merged: dict[str, dict[str, Unit]] = {}  # text -> units by code (membership by code: O(1))
    for t in sorted((t for t in texts if t.task == code), key=lambda t: order.get(t.unit, 1_000)):
        merged.setdefault(t.text, {}).setdefault(t.unit, catalog.unit(t.unit))
    return TaskReport(code, title, [(list(units.values()), text) for text, units in merged.items()])


def aggregate(catalog: Catalog, checked: ValidationResult, submissions: list[Submission],
              previous: ValidationResult | None = None,
              previous_submissions: list[Submission] | None = None) -> ReportModel:
    """Return the :class:`ReportModel` of ``checked`` (and ``previous``, the year before, if any)."""
    year = checked.year
    plan = catalog.plan
    received = {u.unit for u in checked.received}
    prev_rates = _previous_rates(catalog, previous)
    groups = []
    for group in plan.goal_groups:
        results = []
        for ind in (i for i in plan.indicators if i.group == group.code):
            units = _unit_results(catalog, ind, year, checked.observations, received)
            if not units:
                continue
            num, den = _district(ind, units)
            rate = _rate(num, den)
            prev = prev_rates.get(ind.code)
            target = plan.target_for(ind.code, year)
            status, margin = _judge(target, rate, prev)
            results.append(IndicatorResult(ind, target, num, den, rate, status, margin, prev,
                                           None if rate is None or prev is None else rate - prev, units))
        if results:
            groups.append(GroupResult(group, results))

    tasks = [_merge_texts(catalog, year, checked.texts, t.code, t.title) for t in plan.tasks]
    closing = dict(CLOSING_ROWS)
    money_by_unit: dict[str, dict[str, int]] = {}
    for m in checked.money:
        money_by_unit.setdefault(m.unit, {})[m.source] = m.amount
    funding = [FundingRow(u, {s: money_by_unit.get(u.code, {}).get(s, 0) for s, _ in FUNDING_SOURCES})
               for u in catalog.expected_units(year) if u.code in money_by_unit]
    return ReportModel(
        year=year, catalog=catalog, milestone=plan.milestone_for(year), groups=groups, tasks=tasks,
        limitations=_merge_texts(catalog, year, checked.texts, LIMITS_CODE, closing[LIMITS_CODE]),
        proposals=_merge_texts(catalog, year, checked.texts, PROPOSALS_CODE, closing[PROPOSALS_CODE]),
        funding=funding, validation=checked, submissions=submissions, has_previous=previous is not None,
        expected=catalog.expected_units(year), previous_submissions=list(previous_submissions or []))


__all__ = ["aggregate", "ReportModel", "IndicatorResult", "GroupResult", "UnitResult", "STATUS_LABELS"]
