"""Consolidate the checked submissions by the plan's targets into one result model.

District figures are the ratio of summed numerators to summed denominators, never an average of
percentages. The target in force is the plan's milestone covering the report year. Nothing here
formats text or writes files: every output (DOCX, XLSX, CLI summary) is rendered from
:class:`ReportModel`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cached_property
from itertools import chain
from pathlib import Path
from typing import Any

from .ingest import Submission
from .catalog import RATIO, STATUS, Catalog, GoalGroup, Indicator, Milestone, Target, Unit
from .form_layout import CLOSING_ROWS, FUNDING_SOURCES, LIMITS_CODE, PROPOSALS_CODE
from .validate import Observation, ValidationResult
from .vnformat import round_half_up, shown_diff, shown_rate

# Status codes of an indicator against its target. MET/EXCEEDED/NOT_MET are said only in a milestone
# year (against the milestone's value); a year between milestones is judged against the lộ trình
# (ON_PATH/AHEAD/BEHIND), the baseline year is BASELINE. ``increase`` targets: MET/NOT_MET vs last year.
MET, EXCEEDED, NOT_MET, NO_TARGET, NO_DATA, NO_BASELINE = (
    "dat", "vuot", "chua_dat", "khong_co_chi_tieu", "khong_co_so_lieu", "chua_so_sanh")
# an ``increase`` target whose district rate rose only because other units reported (the units that reported
# both years did not rise: IndicatorResult.reporting_only_change): the figures allow no verdict
UNJUDGED = "chua_du_so_lieu_danh_gia"
ON_PATH, AHEAD, BEHIND, BASELINE, NO_PATH = ("dat_lo_trinh", "vuot_lo_trinh", "cham_lo_trinh", "nam_co_so",
                                             "chua_co_lo_trinh")
STATUS_LABELS = {MET: "Đạt", EXCEEDED: "Vượt", NOT_MET: "Chưa đạt", NO_TARGET: "Không có chỉ tiêu",
                 NO_DATA: "Không có số liệu", NO_BASELINE: "Chưa có năm trước để so sánh",
                 ON_PATH: "Đạt lộ trình", AHEAD: "Vượt lộ trình", BEHIND: "Chậm so với lộ trình",
                 BASELINE: "Năm cơ sở", NO_PATH: "Chưa có số liệu năm cơ sở",
                 UNJUDGED: "Chưa đủ số liệu để đánh giá"}
GOOD = (MET, EXCEEDED, ON_PATH, AHEAD)
LAGGING = (NOT_MET, BEHIND)
RANK_LIMIT = 3      # best / weakest units named in a document
RANK_MIN_UNITS = 4  # no ranking among fewer reporting units
# A rate within this many percentage points above the target counts as "đạt" rather than "vượt".
EXCEED_TOLERANCE = 0.05


@dataclass(slots=True)
class UnitResult:
    """One unit's figure for one indicator: its counts or status, its rate, whether it is valid and counted."""

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
    """One indicator for the district: sum of numerators over sum of denominators, the target in force,
    its status and margin, the change since last year, the lộ trình, and every unit's result."""

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
    milestone_year: int | None = None   # the year of the milestone the target belongs to
    judged_against: str = ""            # "milestone" | "path" | "baseline" | "previous" | ""
    path_value: float | None = None     # the lộ trình value for this year (None in a milestone year)
    baseline_year: int | None = None
    baseline_rate: float | None = None
    progress: float | None = None       # % of the way from the baseline figure to the milestone value
    subtotals: dict = field(default_factory=dict)  # "commune" / "district" -> (numerator, denominator, rate)
    previous_units: list = field(default_factory=list)  # last year's UnitResults (who reported then, and what)

    @property
    def expected_count(self) -> int:
        return len(self.units)

    def printed_change(self) -> float | None:
        """The change since last year of a ratio target's district rate, in points as printed."""
        if self.indicator.kind == STATUS or self.previous_rate is None or self.rate is None:
            return None
        return shown_diff(self.rate, self.previous_rate)

    def same_units_change(self) -> float | None:
        """The change since last year of the rate over the units that reported (and counted) in both years, in
        points as printed; None when last year's units are not known or the same units reported both years (the
        district rates then compare like with like)."""
        before = {u.unit.code: u for u in self.previous_units if u.counts and u.denominator}
        now = {u.unit.code: u for u in self.reporting if u.denominator}
        if not before or before.keys() == now.keys():
            return None
        both = before.keys() & now.keys()
        den_b, den_n = sum(before[c].denominator for c in both), sum(now[c].denominator for c in both)
        if not den_b or not den_n:
            return None
        # rates in percent, as the district's: shown_diff rounds to the printed 0,1 point
        return shown_diff(100.0 * sum(now[c].numerator or 0 for c in both) / den_n,
                          100.0 * sum(before[c].numerator or 0 for c in both) / den_b)

    @property
    def reporting_only_change(self) -> bool:
        """The district rate rose or fell since last year only because other units reported: the units that
        reported in both years did not move the same way (16/22 against 16/21 centres of good quality, one commune
        not reporting in 2016; 19/22 against 18/21, the same 18 at the top both years)."""
        d = self.printed_change()
        if not d:
            return False
        same = self.same_units_change()
        return same is not None and (same >= 0 if d < 0 else same <= 0)

    @property
    def lagging(self) -> bool:
        return self.status in LAGGING

    # The unit lists below are worked out once per result (the BC, the KH and the model ask for them many
    # times, each a pass over every unit): a result is not changed once aggregate() has made it.
    @cached_property
    def rated(self) -> list[UnitResult]:
        return [u for u in self.reporting if u.rate is not None]

    @cached_property
    def _best_first(self) -> list[UnitResult]:
        return sorted(self.rated, key=lambda u: (-u.rate, u.unit.code))

    @cached_property
    def below(self) -> list[UnitResult]:
        """The rated units below this year's reference value (lộ trình or target) and not shown as the district's
        rate, lowest first: :meth:`weakest` names the first of them, wording.lowest_tie a tie among them."""
        ref = self.path_value if self.path_value is not None else (self.target.value if self.target else None)
        if ref is None:
            return []
        district = shown_rate(self.rate) if self.rate is not None else None
        return sorted((u for u in self.rated if u.rate < ref - EXCEED_TOLERANCE and shown_rate(u.rate) != district),
                      key=lambda u: (u.rate, u.unit.code))

    def best(self, limit: int = RANK_LIMIT) -> list[UnitResult]:
        """The units with the highest rates (ratio indicators with enough reporting units), best first."""
        if self.indicator.kind == STATUS or len(self.rated) < RANK_MIN_UNITS:
            return []
        return self._best_first[:limit]

    def weakest(self, limit: int = RANK_LIMIT) -> list[UnitResult]:
        """The units furthest below this year's reference value (lộ trình or target), worst first."""
        if self.indicator.kind == STATUS or len(self.rated) < RANK_MIN_UNITS:
            return []
        low = self.below
        # units tied (as shown) with the first one left out are not named: the order among them would be arbitrary
        if len(low) > limit:
            cut = shown_rate(low[limit].rate)
            return [u for u in low[:limit] if shown_rate(u.rate) != cut]
        return low[:limit]

    @cached_property
    def binary(self) -> bool:
        """A ratio each unit reports over one item (e.g. its one TTHTCĐ): a unit has it or not, no "lowest rates"."""
        rated = self.rated
        return self.indicator.kind != STATUS and bool(rated) and all((u.denominator or 0) <= 1 for u in rated)

    def without(self) -> list[UnitResult]:
        """Binary ratios: the reporting units at 0 (they do not have it)."""
        return [u for u in self.reporting if self.binary and u.rate is not None and u.rate == 0]

    def failing(self) -> list[UnitResult]:
        """Status indicators: the reporting units that do not reach the success value."""
        if self.indicator.kind != STATUS:
            return []
        return [u for u in self.reporting if u.status_value != self.indicator.status_success]

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    @cached_property
    def reporting(self) -> list[UnitResult]:
        return [u for u in self.units if u.counts]

    @cached_property
    def excluded(self) -> list[UnitResult]:
        return [u for u in self.units if u.reported and not u.valid]

    @cached_property
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
    """A goal group of Section I with the results of its indicators."""

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
class ActivityResult:
    """District total of one Section II activity (a whole-number count units report), with per-unit values."""

    code: str
    task: str
    label: str
    measure: str
    total: int
    previous_total: int | None
    reporters: int                       # units that reported a value
    expected: int                        # units asked for it
    values: list[tuple[Unit, int]]       # unit order
    communes: frozenset = frozenset()    # codes of the commune units (ranking compares like with like)

    @property
    def change(self) -> int | None:
        return None if self.previous_total is None else self.total - self.previous_total

    @property
    def ranks_communes(self) -> bool:
        """True when :meth:`best` and :meth:`weakest` rank the communes (else the district bodies): the
        kind most of the reporters are."""
        return sum(1 for u, _ in self.values if u.code in self.communes) * 2 >= len(self.values)

    def peers(self) -> list[tuple[Unit, int]]:
        """Units compared with each other: those of the kind :attr:`ranks_communes` says."""
        communes = self.ranks_communes
        return [v for v in self.values if (v[0].code in self.communes) == communes]

    def best(self, limit: int = RANK_LIMIT) -> list[tuple[Unit, int]]:
        peers = self.peers()
        if len(peers) < RANK_MIN_UNITS:
            return []
        return sorted((v for v in peers if v[1] > 0), key=lambda v: (-v[1], v[0].code))[:limit]

    def weakest(self, limit: int = RANK_LIMIT) -> list[tuple[Unit, int]]:
        peers = self.peers()
        if len(peers) < RANK_MIN_UNITS:
            return []
        best = {u.code for u, _ in self.best(limit)}
        return [v for v in sorted(peers, key=lambda v: (v[1], v[0].code)) if v[0].code not in best][:limit]


@dataclass(slots=True)
class FundingRow:
    """The funds one unit reported, by source (đồng)."""

    unit: Unit
    amounts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.amounts.values())


@dataclass
class ReportModel:
    """The one result model of a year that every output is made from (BC, KH, tờ trình, summary
    workbook, feedback, web page): indicators by goal group, task texts, activities, funding, validation."""

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
    activities: list["ActivityResult"] = field(default_factory=list)
    direction: Any = None                 # the office's own công tác chỉ đạo (chidao.Direction) or None
    previous_funding: int | None = None
    is_milestone_year: bool = False

    @property
    def lagging(self) -> list[IndicatorResult]:
        """Indicators behind their target or lộ trình, in the plan's order."""
        return [r for r in self.indicators if r.lagging]

    def activities_of(self, task: str) -> list["ActivityResult"]:
        return [a for a in self.activities if a.task == task]

    @property
    def office_unit(self) -> str:
        return self.catalog.office.unit

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


def subtotal(ind: Indicator, units: list[UnitResult]) -> tuple[int, int, float | None]:
    """Any group of units added up as the district is: counted values only; (numerator, denominator, rate)."""
    num, den = _district(ind, units)
    return num, den, _rate(num, den)


def path_value(target: Target, year: int, baseline_year: int | None, baseline_rate: float | None) -> float | None:
    """The lộ trình value of ``target`` for ``year`` (before the milestone), or None if there is none."""
    if target.value is None or target.path == "none":
        return None
    if target.path == "constant":
        return target.value
    if target.path == "values":
        stated = target.stated_value(year)
        if stated is not None:
            return stated
    if baseline_year is None or baseline_rate is None or year <= baseline_year:
        return None
    if baseline_rate >= target.value:
        return target.value
    return baseline_rate + (target.value - baseline_rate) * (year - baseline_year) / (target.year - baseline_year)


def progress(target: Target, rate: float | None, baseline_rate: float | None) -> float | None:
    """Share (%) of the way from the baseline figure to the milestone value, 0–100."""
    if target.value is None or rate is None or baseline_rate is None or target.path == "constant":
        return None
    if baseline_rate >= target.value:
        return 100.0
    return max(0.0, min(100.0, 100.0 * (rate - baseline_rate) / (target.value - baseline_rate)))


def _judge_year(target: Target | None, rate: float | None, previous: float | None, year: int,
                baseline_year: int | None, baseline_rate: float | None) -> dict:
    """Status, margin, what it was judged against, lộ trình value and progress of one indicator."""
    out = {"judged_against": "", "path_value": None, "progress": None}
    if target is None or rate is None or target.kind == "increase" or year == target.year:
        status, margin = _judge(target, rate, previous)
        if target is not None and rate is not None:
            out["judged_against"] = "previous" if target.kind == "increase" else "milestone"
            out["progress"] = progress(target, rate, baseline_rate) if target.kind != "increase" else None
        return {**out, "status": status, "margin": margin}
    pv = path_value(target, year, baseline_year, baseline_rate)
    out["progress"] = progress(target, rate, baseline_rate)
    if pv is None:
        status = BASELINE if baseline_year is not None and year <= baseline_year else NO_PATH
        return {**out, "status": status, "margin": rate - target.value, "judged_against": "baseline"}
    # Judged on the figures as the documents show them (one decimal, never 100,0 below 100), so that a reader
    # never sees "chậm 0,1 điểm phần trăm" between two equal figures, nor "đạt" for 99,9% against 100%.
    margin = round(shown_rate(rate) - round_half_up(pv, 1), 1)
    if margin < 0:
        status = BEHIND
    elif margin > 0:
        status = AHEAD if target.path != "constant" else ON_PATH
    else:
        status = ON_PATH
    return {**out, "status": status, "margin": margin, "path_value": pv, "judged_against": "path"}


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
    margin = round(shown_rate(rate) - round_half_up(target.value, 1), 1)
    if margin < 0:
        return NOT_MET, margin
    if margin > 0 and target.kind in ("at_least", "reach"):
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


def _subtotals(catalog: Catalog, ind: Indicator, units: list[UnitResult]) -> dict:
    out = {}
    for key, communes in (("commune", True), ("district", False)):
        part = [u for u in units if catalog.is_commune(u.unit) == communes]
        if part:
            num, den = _district(ind, part)
            out[key] = (num, den, _rate(num, den))
    return out


def _activities(catalog: Catalog, checked: ValidationResult, previous: ValidationResult | None) -> list[ActivityResult]:
    """District totals of the Section II activities (``plan.activities`` / ``ValidationResult.activities``)."""
    defs = getattr(catalog.plan, "activities", ()) or ()
    now = getattr(checked, "activities", None) or {}
    before = getattr(previous, "activities", None) if previous is not None else None
    order = catalog.expected_units(checked.year)
    out = []
    for a in defs:
        values = [(u, now[u.code][a.code]) for u in order if a.code in now.get(u.code, {})]
        prev_total = sum(v.get(a.code, 0) for v in before.values()) if before else None
        expected = [u for u in order if a.task in getattr(u, "tasks", ())] or order
        out.append(ActivityResult(a.code, a.task, a.label, getattr(a, "unit", "") or getattr(a, "measure", ""),
                                  sum(v for _, v in values), prev_total, len(values), len(expected), values,
                                  frozenset(u.code for u in order if catalog.is_commune(u))))
    return out


def _previous_units(catalog: Catalog, previous: ValidationResult | None) -> dict[str, list]:
    """Last year's unit results of each indicator (its district rate is computed from them)."""
    if previous is None:
        return {}
    received = {u.unit for u in previous.received}
    return {ind.code: _unit_results(catalog, ind, previous.year, previous.observations, received)
            for ind in catalog.plan.indicators}


def _previous_rates(catalog: Catalog, previous: ValidationResult | None,
                    units: dict[str, list] | None = None) -> dict[str, float | None]:
    """The district rate of each indicator in ``previous`` (from its unit results, when already made)."""
    units = _previous_units(catalog, previous) if units is None else units
    return {ind.code: _rate(*_district(ind, units[ind.code])) for ind in catalog.plan.indicators if ind.code in units}


def _merge_texts(catalog: Catalog, year: int, texts, code: str, title: str) -> TaskReport:
    order = {u.code: i for i, u in enumerate(catalog.expected_units(year))}
    merged: dict[str, dict[str, Unit]] = {}  # text -> units by code (membership by code: O(1))
    for t in sorted((t for t in texts if t.task == code), key=lambda t: order.get(t.unit, len(order))):
        merged.setdefault(t.text, {}).setdefault(t.unit, catalog.unit(t.unit))
    return TaskReport(code, title, [(list(units.values()), text) for text, units in merged.items()])


def aggregate(catalog: Catalog, checked: ValidationResult, submissions: list[Submission],
              previous: ValidationResult | None = None,
              previous_submissions: list[Submission] | None = None,
              history: dict[int, ValidationResult] | None = None, direction: Any = None) -> ReportModel:
    """Return the :class:`ReportModel` of ``checked`` (and ``previous``, the year before, if any).

    ``history`` holds other years already checked (the milestone's baseline year, for the lộ trình);
    ``direction`` is the office's công tác chỉ đạo of the year.
    """
    year = checked.year
    plan = catalog.plan
    received = {u.unit for u in checked.received}
    prev_units = _previous_units(catalog, previous)
    prev_rates = _previous_rates(catalog, previous, prev_units)
    milestone = plan.milestone_for(year)
    baseline_year = milestone.baseline if milestone else None
    years = dict(history or {})
    years[year] = checked
    if previous is not None:
        years[previous.year] = previous
    base_rates = (prev_rates if baseline_year == year - 1 else
                  _previous_rates(catalog, years[baseline_year]) if baseline_year in years and baseline_year != year
                  else {})
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
            base = rate if baseline_year == year else base_rates.get(ind.code)
            j = _judge_year(target, rate, prev, year, baseline_year, base)
            r = IndicatorResult(ind, target, num, den, rate, j["status"], j["margin"], prev,
                                None if rate is None or prev is None else rate - prev, units,
                                milestone_year=target.year if target else None,
                                judged_against=j["judged_against"], path_value=j["path_value"],
                                baseline_year=baseline_year, baseline_rate=base, progress=j["progress"],
                                subtotals=_subtotals(catalog, ind, units), previous_units=prev_units.get(ind.code, []))
            if r.status == MET and target.kind == "increase" and r.reporting_only_change:
                r.status = UNJUDGED  # a rise that only a change of reporting units made proves no increase
            results.append(r)
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
        expected=catalog.expected_units(year), previous_submissions=list(previous_submissions or []),
        activities=_activities(catalog, checked, previous), direction=direction,
        previous_funding=sum(m.amount for m in previous.money) if previous is not None else None,
        is_milestone_year=milestone is not None and milestone.year == year)


__all__ = ["aggregate", "ActivityResult", "model_dict", "path_value", "progress", "ReportModel", "IndicatorResult", "GroupResult", "UnitResult", "STATUS_LABELS"]


# ------------------------------------------------------------------------------------- JSON
MODEL_SCHEMA = 1


def _r(x: float | None, nd: int = 4) -> float | None:
    return None if x is None else round(x, nd)


def _unit_ref(u: Unit) -> dict:
    return {"code": u.code, "name": u.name, "kind": u.kind}


def model_dict(m: ReportModel, indicators: bool = True) -> dict:
    """The whole result model as plain JSON data, keyed by the plan's stable indicator and activity codes.

    ``indicators=False`` leaves the list of indicators (each with every unit) out (see :func:`write_model_json`).
    """
    cat = m.catalog
    v = m.validation
    out = _model_dict(m, cat, v)
    if indicators:
        out["indicators"] = [_indicator_dict(r) for r in m.indicators]
    return out


def write_model_json(m: ReportModel, path: Path) -> None:
    """Write ``model.json``: the bytes of ``json.dumps(model_dict(m), ensure_ascii=False, indent=1,
    sort_keys=True)``, one indicator at a time (a district of 10.600 units never holds the whole text)."""
    top = model_dict(m, indicators=False)
    top["indicators"] = None
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("{")
        for i, key in enumerate(sorted(top)):
            fh.write(("," if i else "") + "\n " + json.dumps(key, ensure_ascii=False) + ": ")
            if key != "indicators":
                fh.write(indented_json(top[key], 1))
            elif not m.indicators:
                fh.write("[]")
            else:
                fh.write("[")
                for j, r in enumerate(m.indicators):
                    fh.write(("," if j else "") + "\n  " + indented_json(_indicator_dict(r), 2))
                fh.write("\n ]")
        fh.write("\n}")


_SCALARS = frozenset((str, int, float, bool, type(None)))
_ENCODERS: dict[str, json.JSONEncoder] = {}


def _flat(separator: str) -> json.JSONEncoder:
    """The C encoder writing ``", "`` between items as ``separator``."""
    enc = _ENCODERS.get(separator)
    if enc is None:
        enc = _ENCODERS[separator] = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(separator, ": "))
    return enc


def _types(items) -> set:
    return set(map(type, items))  # (counted in C: no Python loop over the 10.600 units)


def indented_json(value: Any, depth: int = 0) -> str:
    """``json.dumps(value, ensure_ascii=False, indent=1, sort_keys=True)`` as written at ``depth`` of a whole
    (its inner lines indented by ``depth`` more), with the innermost containers written by the C encoder.

    ``indent=`` makes ``json`` use its pure-Python encoder (3,9 s of a 10.600-unit run's model.json). A dict
    or list of scalars, and a list of such dicts, is encoded compactly in C with ``",\n" + indentation`` as
    its item separator, then its brackets are put on their own lines: a newline is never inside an
    encoded string, so the separators are found by text.
    """
    pad, inner = " " * depth, " " * (depth + 1)
    if type(value) is dict and value and _types(value) == {str}:
        if _types(value.values()) <= _SCALARS:
            return "{\n" + inner + _flat(",\n" + inner).encode(value)[1:-1] + "\n" + pad + "}"
        return "{" + ",".join(f"\n{inner}{json.dumps(k, ensure_ascii=False)}: {indented_json(value[k], depth + 1)}"
                              for k in sorted(value)) + "\n" + pad + "}"
    if type(value) is list and value:
        if _types(value) <= _SCALARS:
            return "[\n" + inner + _flat(",\n" + inner).encode(value)[1:-1] + "\n" + pad + "]"
        if (_types(value) == {dict} and all(value) and _types(chain.from_iterable(value)) == {str}
                and _types(chain.from_iterable(map(dict.values, value))) <= _SCALARS):
            keys = " " * (depth + 2)  # [{"a": 1,\n<keys>"b": 2},\n<keys>{"a": 3, ...}]
            text = _flat(",\n" + keys).encode(value)[2:-2]
            return (f"[\n{inner}{{\n{keys}" + text.replace("},\n" + keys + "{", f"\n{inner}}},\n{inner}{{\n{keys}")
                    + f"\n{inner}}}\n{pad}]")
        return "[" + ",".join("\n" + inner + indented_json(v, depth + 1) for v in value) + "\n" + pad + "]"
    return json.dumps(value, ensure_ascii=False, indent=1, sort_keys=True).replace("\n", "\n" + pad)


def _unit_dicts(r: IndicatorResult) -> list[dict]:
    return [{**_unit_ref(u.unit), "numerator": u.numerator, "denominator": u.denominator,
             "status_value": u.status_value, "rate": _r(u.rate), "valid": u.valid, "reported": u.reported,
             "counted": u.counts} for u in r.units]


def _indicator_dict(r: IndicatorResult) -> dict:
    t = r.target
    return {
            "code": r.indicator.code, "group": r.indicator.group, "name": r.indicator.name, "kind": r.indicator.kind,
            "target": None if t is None else {"kind": t.kind, "value": t.value, "year": t.year, "path": t.path},
            "numerator": r.numerator, "denominator": r.denominator, "rate": _r(r.rate),
            "status": r.status, "status_label": r.status_label, "judged_against": r.judged_against,
            "margin": _r(r.margin), "path_value": _r(r.path_value), "progress": _r(r.progress),
            "baseline_year": r.baseline_year, "baseline_rate": _r(r.baseline_rate),
            "previous_rate": _r(r.previous_rate), "change": _r(r.change),
            "counts": {"expected": r.expected_count, "reporting": len(r.reporting), "excluded": len(r.excluded),
                       "not_reported": len(r.not_reported), "failing": len(r.failing())},
            "subtotals": {k: {"numerator": a, "denominator": b, "rate": _r(c)} for k, (a, b, c) in r.subtotals.items()},
            "best": [u.unit.code for u in r.best()], "weakest": [u.unit.code for u in r.weakest()],
            "units": _unit_dicts(r),
    }


def _model_dict(m: ReportModel, cat: Catalog, v) -> dict:
    activities = [{"code": a.code, "task": a.task, "label": a.label, "measure": a.measure, "total": a.total,
                   "previous_total": a.previous_total, "change": a.change, "reporters": a.reporters,
                   "expected": a.expected, "best": [u.code for u, _ in a.best()],
                   "weakest": [u.code for u, _ in a.weakest()],
                   "units": {u.code: n for u, n in a.values}} for a in m.activities]
    from .form_layout import FUNDING_SOURCES

    funding = {"total": m.funding_total(), "by_source": {s: m.funding_total(s) for s, _ in FUNDING_SOURCES},
               "communes": sum(r.total for r in m.funding if cat.is_commune(r.unit)),
               "previous_total": m.previous_funding,
               "units": {r.unit.code: r.amounts for r in m.funding}}
    d = m.direction
    return {
        "schema": MODEL_SCHEMA, "year": m.year, "plan": cat.plan.number,
        "milestone": None if m.milestone is None else {"year": m.milestone.year, "title": m.milestone.title,
                                                       "baseline": m.milestone.baseline},
        "is_milestone_year": m.is_milestone_year,
        "units": {"expected": len(v.completeness), "received": len(v.received),
                  "missing": [u.unit for u in v.missing],
                  "late": {u.unit: u.late_days for u in v.received if u.late_days},
                  "resent": [u.unit for u in v.received if u.superseded],
                  "with_errors": {u.unit: u.errors for u in v.with_errors}},
        "summary": {s: sum(1 for r in m.indicators if r.status == s) for s in STATUS_LABELS},
        "activities": activities,
        "funding": funding,
        "direction": None if d is None else d.as_dict(),
    }
