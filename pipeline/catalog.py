"""The catalog model: the plan, the reporting units, the office and the rules, as frozen dataclasses.

The three YAML files under ``inputs/`` are the only place where plan 233/KH-UBND, the 22 communes and
the district bodies exist; :mod:`pipeline.catalog_load` reads and checks them into these classes. A
:class:`Catalog` holds everything xhht knows that is not a submission, with its look-ups by code
built once (dicts), so a district of thousands of units costs the same per unit as one of 37.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import UsageError

PLAN_FILE = "plan.yaml"
RULES_FILE = "rules.yaml"
UNITS_FILE = "units.yaml"
OFFICE_FILE = "office.yaml"

RATIO = "ratio"
STATUS = "status"
TARGET_KINDS = ("at_least", "maintain", "reach", "increase")


@dataclass(frozen=True)
class Indicator:
    """One measured indicator of Section I."""

    code: str
    group: str
    name: str
    kind: str  # RATIO or STATUS
    population: str
    numerator_label: str = ""
    denominator_label: str = ""
    unit_label: str = "người"
    status_question: str = ""
    status_options: tuple[str, ...] = ()
    status_success: str = ""
    short_name: str = ""

    @property
    def label(self) -> str:
        """The short name for narrow table columns (falls back to the full name)."""
        return self.short_name or self.name


@dataclass(frozen=True)
class Target:
    """A target of Section I: ``indicator`` must reach ``value`` % (or increase) by ``year``."""

    indicator: str
    year: int
    kind: str
    value: float | None
    quote: str
    applies: tuple[int, int]
    # lộ trình (the path to the milestone): "linear" = interpolated from the baseline year's district
    # figure, "constant" = the value every year (maintain), "values" = per-year values the plan states
    # (``path_values``), "none" = no path (``increase``: judged against the previous year).
    path: str = "none"
    path_values: tuple[tuple[int, float], ...] = ()

    def stated_value(self, year: int) -> float | None:
        """The plan's own lộ trình value for ``year`` (``path == "values"``), else None."""
        return dict(self.path_values).get(year)


PATH_KINDS = ("linear", "constant", "values", "none")


@dataclass(frozen=True)
class Milestone:
    """A milestone of the plan (2015, 2020): its title and the report years its targets apply to."""

    year: int
    title: str
    applies: tuple[int, int]
    baseline: int | None = None  # the year whose district figure starts the lộ trình to this milestone


@dataclass(frozen=True)
class GoalGroup:
    """A group of goals of Section I and the task groups (NV codes) that serve it."""

    code: str
    title: str
    tasks: tuple[str, ...]


@dataclass(frozen=True)
class TaskPart:
    """A lettered part of a task group (a, b, c...) with its items verbatim."""

    label: str
    title: str
    items: tuple[str, ...]


@dataclass(frozen=True)
class TaskGroup:
    """A group of tasks of Section II (NV1..NV8), with its items verbatim."""

    code: str
    number: int
    title: str
    items: tuple[str, ...]
    parts: tuple[TaskPart, ...]
    ended: tuple["EndedItem", ...] = ()

    def item_for(self, item: str, year: int) -> str:
        """``item`` as the yearly plan of ``year`` writes it: an item naming a plan of a period that ended
        before ``year`` gives way to its ``later`` wording."""
        for e in self.ended:
            if item.startswith(e.item) and year > e.until:
                return e.later
        return item


@dataclass(frozen=True)
class EndedItem:
    """An item of a task group that names a plan of an earlier period (e.g. 2011–2016): the yearly KH of a
    year after ``until`` writes ``later`` instead."""

    item: str   # the item's opening words
    until: int
    later: str


@dataclass(frozen=True)
class Activity:
    """A quantity of Section II that units count on the "Nhiệm vụ" sheet (whole number >= 0)."""

    code: str
    task: str     # the task group (NV1..NV8) it belongs to
    label: str    # what is counted, in Vietnamese
    unit: str     # the unit of count: "lớp", "lượt người", "gia đình"...
    stock: bool = False   # counts what exists at year end (clubs, libraries): not summed over a period


@dataclass(frozen=True)
class Body:
    """A body named in Section IV with its duties; ``members`` for the grouped entry 7."""

    number: str
    title: str
    units: tuple[str, ...]
    unit_kinds: tuple[str, ...]
    duties: tuple[str, ...]
    members: tuple["Body", ...] = ()


@dataclass(frozen=True)
class ComponentPlan:
    """A component plan of the annex: what, who leads (and the unit codes), who coordinates."""

    number: int
    name: str
    content: str
    lead: str
    lead_units: tuple[str, ...]
    coordinators: str
    coordinator_units: tuple[str, ...]
    indicators: tuple[str, ...] = ()  # the indicators and activities its status line is drawn from
    activities: tuple[str, ...] = ()
    named_in_duties: str = ""  # the words by which a duty of Section IV names it (the KH checks who leads it)


@dataclass(frozen=True)
class Plan:
    """Plan 233/KH-UBND (or any plan of the same shape): identity, period, Section I goals, indicators
    and targets, Section II task groups and activities, Section III funding, Section IV bodies and the
    annex of component plans. Look-ups by code (``indicator``, ``activity``, ``task``) are dicts."""

    code: str
    number: str
    date: _dt.date
    issuer: str
    title: str
    period: tuple[int, int]
    basis: tuple[str, ...]
    general_goal: str
    milestones: tuple[Milestone, ...]
    goal_groups: tuple[GoalGroup, ...]
    indicators: tuple[Indicator, ...]
    targets: tuple[Target, ...]
    tasks: tuple[TaskGroup, ...]
    funding: tuple[str, ...]
    bodies: tuple[Body, ...]
    closing: str
    component_plans: tuple[ComponentPlan, ...]
    activities: tuple[Activity, ...] = ()

    _by_code: dict[str, dict[str, Any]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # one dict per kind of code, built once: look-ups inside loops over units stay O(1)
        object.__setattr__(self, "_by_code", {
            "activity": {a.code: a for a in self.activities},
            "indicator": {i.code: i for i in self.indicators},
            "task": {t.code: t for t in self.tasks},
        })

    def activity(self, code: str) -> Activity:
        """Return the activity with this code (KeyError if unknown)."""
        return self._by_code["activity"][code]

    def indicator(self, code: str) -> Indicator:
        """Return the indicator with this code (KeyError if unknown)."""
        return self._by_code["indicator"][code]

    def target_for(self, indicator: str, year: int) -> Target | None:
        """Return the target of ``indicator`` in force for report year ``year``, or None."""
        for t in self.targets:
            if t.indicator == indicator and t.applies[0] <= year <= t.applies[1]:
                return t
        return None

    def milestone_for(self, year: int) -> Milestone | None:
        """Return the milestone whose targets apply to report year ``year``."""
        for m in self.milestones:
            if m.applies[0] <= year <= m.applies[1]:
                return m
        return None

    def task(self, code: str) -> TaskGroup:
        """Return the task group with this code (KeyError if unknown)."""
        return self._by_code["task"][code]


@dataclass(frozen=True)
class UnitKind:
    """A kind of reporting unit (xã, thị trấn, phòng...): its name, its prefix, and whether it is a commune."""

    code: str
    name: str
    commune: bool
    prefix: str = ""


@dataclass(frozen=True)
class Unit:
    """A reporting unit, valid from ``valid_from`` to ``valid_to`` (inclusive; None = open)."""

    code: str
    name: str
    short_name: str
    kind: str
    indicators: tuple[str, ...]
    tasks: tuple[str, ...]
    gso_code: str = ""
    valid_from: _dt.date | None = None
    valid_to: _dt.date | None = None
    successors: tuple[str, ...] = ()
    predecessors: tuple[str, ...] = ()
    activities: tuple[str, ...] = ()  # activity codes counted on the "Nhiệm vụ" sheet, in plan order

    def active_on(self, day: _dt.date) -> bool:
        """True if the unit exists on ``day``."""
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day <= self.valid_to
        )

    def expected_in(self, year: int) -> bool:
        """True if the unit must report for ``year`` (it exists on 31 December of that year)."""
        return self.active_on(_dt.date(year, 12, 31))


@dataclass(frozen=True)
class Signer:
    """Who signs the documents: the authority line (KT./TM.), the title and the name."""

    authority: str
    title: str
    name: str


@dataclass(frozen=True)
class Office:
    """The issuing office (cơ quan ban hành) and its parent, signer, recipients and submission deadline."""

    parent: str
    name: str
    full_name: str
    abbreviation: str
    place: str
    drafting_unit: str
    signer: Signer
    report_recipient: str
    report_cc: tuple[str, ...]
    plan_recipients: tuple[str, ...]
    submission_deadline: tuple[int, int]  # (month, day)
    correction_days: int = 5
    unit: str = ""                        # the office's own reporting unit (units.yaml code), if it reports

    def deadline(self, year: int) -> _dt.date:
        """Return the date by which units must submit their report for ``year``."""
        return _dt.date(year, *self.submission_deadline)


RULE_OPS = ("<=", "<", ">=", ">", "==", "!=")
FIELDS = ("numerator", "denominator")


@dataclass(frozen=True)
class Term:
    """One term of a rule side: ``sign`` times an indicator's numerator/denominator, or a constant."""

    sign: int
    indicator: str = ""   # empty for a constant
    field: str = ""
    constant: int = 0


@dataclass(frozen=True)
class Rule:
    """A check between values of one unit: ``left op right`` (see rules.yaml)."""

    code: str
    left: tuple[Term, ...]
    op: str
    right: tuple[Term, ...]
    severity: str
    missing: str
    message: str
    text: str  # the rule as written, e.g. "BIET_CHU_15_35.numerator <= BIET_CHU_15_60.numerator"


@dataclass(frozen=True)
class Outliers:
    """Thresholds for comparing a unit with its previous year (rules.yaml ``outliers``)."""

    max_change_points: float | None = None
    max_change_percent: float | None = None
    min_denominator: int | None = None  # rates of smaller groups (e.g. 1 centre) swing too much to judge



@dataclass(frozen=True)
class Catalog:
    """Everything xhht knows that is not a submission: plan, units, kinds, office, rules and their files.

    Unit codes are unique in ``units.yaml`` (a GSO code reused after a merger gets another key), so
    a unit is found by its code; the units expected in a year and the reporters of an indicator are
    computed once per year and kept. Every look-up by unit is a dict: no scan inside a loop over units.
    """

    plan: Plan
    units: tuple[Unit, ...]
    kinds: dict[str, UnitKind]
    office: Office
    files: dict[str, Path] = field(default_factory=dict)
    rules: tuple[Rule, ...] = ()
    outliers: Outliers = Outliers()
    _by_code: dict[str, Unit] = field(init=False, repr=False, compare=False)
    _per_year: dict[tuple, Any] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_code", {u.code: u for u in self.units})
        object.__setattr__(self, "_per_year", {})

    def unit(self, code: str) -> Unit | None:
        """Return the unit with this code, or None."""
        return self._by_code.get(code)

    def expected_units(self, year: int) -> list[Unit]:
        """Return the units that must report for ``year``, communes first, in file order (a new list)."""
        key = ("expected", year)
        if key not in self._per_year:
            units = [u for u in self.units if u.expected_in(year)]
            self._per_year[key] = tuple(sorted(units, key=lambda u: (not self.kinds[u.kind].commune,)))
        return list(self._per_year[key])

    def is_commune(self, unit: Unit) -> bool:
        """True if the unit is a commune or a township (thị trấn)."""
        return self.kinds[unit.kind].commune

    def reporters_of(self, indicator: str, year: int) -> list[Unit]:
        """Return the units expected in ``year`` that report ``indicator``, in the order of expected_units."""
        key = ("reporters", year)
        if key not in self._per_year:
            by_ind: dict[str, list[Unit]] = {}
            for u in self.expected_units(year):
                for code in u.indicators:
                    by_ind.setdefault(code, []).append(u)
            self._per_year[key] = {code: tuple(us) for code, us in by_ind.items()}
        return list(self._per_year[key].get(indicator, ()))

    def check_year(self, year: int) -> None:
        """Raise UsageError unless ``year`` is a report year of the plan with a target milestone."""
        lo, hi = self.plan.period
        if not lo <= year <= hi:
            raise UsageError(
                f"Năm {year} nằm ngoài giai đoạn của kế hoạch {self.plan.number} ({lo}-{hi}). "
                f"Hãy chọn một năm từ {lo} đến {hi}."
            )


def targets_table(plan: Plan) -> list[dict[str, Any]]:
    """Return the targets as plain rows (for ``xhht plan targets`` and its JSON output)."""
    rows = []
    for t in plan.targets:
        ind = plan.indicator(t.indicator)
        rows.append({"indicator": t.indicator, "name": ind.name, "group": ind.group, "year": t.year,
                     "kind": t.kind, "value": t.value, "applies": list(t.applies), "path": t.path,
                     "path_values": {str(y): v for y, v in t.path_values},
                     "population": ind.population, "quote": t.quote})
    return rows
