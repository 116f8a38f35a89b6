"""Charts of the district series against the lộ trình and the plan's targets, one per target group.

A group's chart is a set of native Word line charts (:mod:`pipeline.docx_chart`), one small panel
per indicator of the group (their values sit on very different scales, so one shared axis would
flatten them), laid out on the 16 cm text width of an A4 page with NĐ 30 margins, with one legend
strip under the panels. Native charts print as vectors, can be restyled in Word, open their figures
with "Edit Data", and cost a fraction of a millisecond each (no plotting library is imported).

Readable in black and white: the district's figures are a solid line with filled circles, the lộ
trình a dashed line, the targets a dotted line with a short bar at each year they are in force, the
milestone a diamond; gaps stay gaps. Labels are Vietnamese (the wording comes from
``labels``, so the phrasebook can replace it), the first and last figures are written with a decimal
comma, the font is Times New Roman.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from markupsafe import Markup

from . import vnformat as vn
from .docx_chart import LineChart, Series
from .series import IndicatorSeries, PeriodSeries

TEXT_WIDTH_CM = 16.0
FONT_SIZE = 8.0

# The words on a chart; the period report may pass its own (from the phrasebook).
CHART_LABELS = {
    "district": "Kết quả toàn huyện",
    "path": "Lộ trình",
    "target": "Chỉ tiêu kế hoạch",
    "milestone": "Mốc kế hoạch ({milestones})",
    "increase": "chỉ tiêu: tăng hằng năm",
    "no_target": "không có chỉ tiêu",
}

# black-and-white friendly styles: shape and dash carry the meaning, colour only helps
DISTRICT = dict(color="1A3668", width_pt=1.5, dash="solid", marker="circle", marker_size=5)
PATH = dict(color="5A5A5A", width_pt=1.0, dash="dash", marker=None)
TARGET = dict(color="8C1C13", width_pt=1.1, dash="sysDot", marker="dash", marker_size=4)
MILESTONE = dict(color="8C1C13", width_pt=1.1, dash=None, marker="diamond", marker_size=7)


def _grid(n: int) -> tuple[int, float]:
    """Columns and the height of one panel (cm) for ``n`` panels on a 16 cm width."""
    if n == 1:
        return 1, 6.5
    if n == 2:
        return 2, 5.5
    if n <= 6:
        return 2, 4.8
    return 3, 4.3


def _pct(value: float) -> str:
    """A percentage with one decimal and a comma, as in the documents: 100.0 -> "100,0%"."""
    text = vn.percent(value)
    return text if "," in text else text[:-1] + ",0%"


def _limits(values: list[float]) -> tuple[float, float]:
    """A y range that shows every value and target without exaggerating small moves (at least 10 points)."""
    lo, hi = min(values), max(values)
    span = max(hi - lo, 10.0)
    pad = span * 0.12
    top = min(hi + pad, 100 + pad) if hi <= 100 else hi + pad
    bottom = max(0.0, min(lo - pad, top - span - 2 * pad))
    return math.floor(bottom), math.ceil(top)


def _step(lo: float, hi: float) -> int:
    """A whole tick step giving about four to six ticks between ``lo`` and ``hi``."""
    raw = (hi - lo) / 5
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000):
        if step >= raw:
            return step
    return int(10 ** math.ceil(math.log10(raw)))


def _milestone_years(series: PeriodSeries) -> list[int]:
    """The years of the milestones whose targets are in force somewhere in the range."""
    return sorted({t.milestone for s in series.indicators for t in s.targets if t.milestone})


def panel(s: IndicatorSeries, years: list[int], labels: dict, width_cm: float, height_cm: float) -> LineChart:
    """The chart of one indicator over ``years``: the district line, its lộ trình, targets and milestones."""
    n = len(years)
    ys = [p.value if p.known and p.value is not None else None for p in s.district]
    values = [v for v in ys if v is not None]
    lines: list[float] = []   # values of the lộ trình and target lines
    series: list[Series] = []

    # the lộ trình of each milestone: its yearly values, ending at the milestone's value
    by_milestone: dict[int | None, list[tuple[int, float]]] = {}
    for t in s.targets:
        if t.kind in (None, "increase"):
            continue
        v = t.path_value if t.path_value is not None else (t.value if t.milestone == t.year else None)
        if v is not None:
            by_milestone.setdefault(t.milestone, []).append((t.year, v))
    paths = []
    for milestone, pts in by_milestone.items():
        has_path = any(t.path_value is not None for t in s.targets if t.milestone == milestone)
        # the lộ trình starts from the district's figure of its baseline year (the year before its first year)
        i = years.index(min(x for x, _ in pts))
        if has_path and i and ys[i - 1] is not None and s.targets[i - 1].milestone != milestone:
            pts = [(years[i - 1], ys[i - 1])] + sorted(pts)
        if has_path and len(pts) > 1:
            at = dict(pts)
            paths.append([at.get(y) for y in years])
            values += list(at.values())
            lines += list(at.values())
    for row in paths:
        series.append(Series(labels["path"], row, in_legend=False, **PATH))
    # each milestone's target over the years it is in force, a diamond at the milestone year
    spans: dict[tuple[int | None, float], list[int]] = {}
    for t in s.targets:
        if t.kind not in (None, "increase") and t.value is not None:
            spans.setdefault((t.milestone, t.value), []).append(t.year)
    diamonds: list[float | None] = [None] * n
    for (milestone, value), in_force in spans.items():
        series.append(Series(labels["target"], [value if y in in_force else None for y in years],
                             in_legend=False, **TARGET))
        if milestone in years:
            diamonds[years.index(milestone)] = value
        values.append(value)
        lines.append(value)
    if any(v is not None for v in diamonds):
        series.append(Series(labels["milestone"], diamonds, in_legend=False, **MILESTONE))

    lo, hi = _limits(values) if values else (0.0, 100.0)
    # the first and last known values beside their points: above, unless a target is just above
    known = [(i, v) for i, v in enumerate(ys) if v is not None]
    near = (hi - lo) * 0.13
    text: dict[int, str] = {}
    below: set[int] = set()
    for i, v in known[:1] + known[-1:] if len(known) > 1 else known:
        up = min((o - v for o in lines if o > v + 0.01), default=math.inf)
        down = min((v - o for o in lines if o < v - 0.01), default=math.inf)
        if up < near and down > up:
            below.add(i)
            lo = min(lo, math.floor(v - near * 1.4))
        else:
            hi = max(hi, math.ceil(v + near * 1.4))
        text[i] = _pct(v)
    lo = max(0.0, lo)
    step = _step(lo, hi)
    lo = math.floor(lo / step) * step
    # the first year's label starts at its point instead of being centred on it, clear of the value axis
    shift = {}
    if 0 in text:
        label_pt = len(text[0]) * 0.5 * (FONT_SIZE - 1)
        shift[0] = round((label_pt / 2 - 2) / (width_cm / 2.54 * 72), 4)
    district = Series(labels["district"], ys, labels=text, below=below, shift=shift, **DISTRICT)
    kinds = {t.kind for t in s.targets if t.kind}
    note = labels["increase"] if kinds == {"increase"} else labels["no_target"] if not kinds else ""
    title = s.label + (f" ({note})" if note else "")
    return LineChart(title, [str(y) for y in years], series + [district], width_cm, height_cm, y_min=lo, y_max=hi,
                     y_major=step, y_format='0"%"', font_pt=FONT_SIZE,
                     description=f"{s.name}: {labels['district'].lower()} các năm {years[0]}–{years[-1]}")


def legend_strip(series: PeriodSeries, group: str, labels: dict, width_cm: float) -> LineChart:
    """One legend for the panels of a group: only the kinds of line its panels draw."""
    g = next(x for x in series.groups if x.code == group)
    inds = [series.indicator(code) for code in g.indicators]
    has_path = any(t.path_value is not None for s in inds for t in s.targets if t.kind not in (None, "increase"))
    has_target = any(t.value is not None for s in inds for t in s.targets if t.kind not in (None, "increase"))
    ms = _milestone_years(series)
    has_milestone = has_target and any(m in series.years for m in ms)
    one = [None] * len(series.years)
    items = [Series(labels["district"], one, **DISTRICT)]
    if has_path:
        items.append(Series(labels["path"], one, **PATH))
    if has_target:
        items.append(Series(labels["target"], one, **TARGET))
    if has_milestone:
        items.append(Series(labels["milestone"].format(milestones=", ".join(str(m) for m in ms if m in series.years)),
                            one, **MILESTONE))
    return LineChart("", [str(y) for y in series.years], items, width_cm, 0.8, legend_only=True, font_pt=FONT_SIZE)


@dataclass
class GroupChart:
    """A target group's chart: one panel per indicator, ``columns`` per row, and the legend strip under them."""

    group: str
    title: str
    panels: list[LineChart]
    legend: LineChart
    columns: int

    def bind(self, package) -> Markup:
        """The runs that show the panels (a line break after each row) and the legend in a Word paragraph
        (a :class:`pipeline.templating.Package` adds the chart parts). The placeholder ``{{ g.chart }}``
        sits inside a ``w:t``: the runs close it and open a new one, as docxtpl's images do."""
        runs = []
        for i, p in enumerate(self.panels, start=1):
            runs.append(package.add_chart(replace(p, title=package.text(p.title))))
            if i % self.columns == 0 or i == len(self.panels):
                runs.append("<w:r><w:br/></w:r>")
        legend = replace(self.legend, series=[replace(s, name=package.text(s.name)) for s in self.legend.series])
        runs.append(package.add_chart(legend))
        return Markup('</w:t></w:r>' + "".join(runs) + '<w:r><w:t xml:space="preserve">')

    @property
    def height_cm(self) -> float:
        rows = math.ceil(len(self.panels) / self.columns)
        return rows * (self.panels[0].height_cm if self.panels else 0) + self.legend.height_cm


def group_chart(series: PeriodSeries, group: str, labels: dict | None = None,
                width_cm: float = TEXT_WIDTH_CM) -> GroupChart:
    """The chart of target group ``group``: its panels and legend."""
    labels = {**CHART_LABELS, **(labels or {})}
    g = next(x for x in series.groups if x.code == group)
    inds = [series.indicator(code) for code in g.indicators]
    cols, height = _grid(len(inds))
    width = round(width_cm / cols - 0.05, 2)   # a hair narrower, so that ``cols`` panels fit one line
    panels = [panel(ind, series.years, labels, width, height) for ind in inds]
    return GroupChart(group, g.title, panels, legend_strip(series, group, labels, width_cm), cols)


def group_charts(series: PeriodSeries, labels: dict | None = None) -> dict[str, GroupChart]:
    """One chart per target group of ``series``, by group code, in the plan's order."""
    return {g.code: group_chart(series, g.code, labels) for g in series.groups}


def bind_charts(package, context: dict) -> dict:
    """The ``prepare`` step of :func:`pipeline.templating.fill_docx` for documents with a chart per target
    group (the yearly BC, the period review): each ``groups[i]["chart"]`` that is a :class:`GroupChart`
    becomes the runs of its native charts in the document's package."""
    groups = context.get("groups")
    if not isinstance(groups, list):
        return context
    bound = [{**g, "chart": g["chart"].bind(package)} if isinstance(g, dict) and isinstance(g.get("chart"), GroupChart)
             else g for g in groups]
    return {**context, "groups": bound}


@dataclass
class Trend:
    """The yearly BC's trend: the district's series so far and one chart per target group."""

    series: PeriodSeries | None = None
    charts: dict[str, GroupChart] | None = None                  # group code -> its native chart
    note: str = ""                                               # why there are no charts, if it failed


def chart_labels(pb) -> dict[str, str]:
    """The chart's words: the phrasebook's ``chart_*`` labels over the defaults."""
    return {k: pb.labels.get(f"chart_{k}", v) for k, v in CHART_LABELS.items()}


def yearly_trend(model, inputs, outputs, labels: dict | None = None, cache=None) -> Trend:
    """The series from the plan's first year to the model's year and its charts, for the yearly BC and workbook.

    Empty when the year is the plan's first or only one year has data. A year that cannot be read does
    not stop the yearly run: the trend is left out with a note saying why. ``cache`` (the run's
    :class:`~pipeline.checkcache.CheckedCache`) gives the years the run has already read.
    """
    from .errors import XhhtError
    from .series import series_so_far

    try:
        # the district's series only: the charts and the trend sheet show no unit's own line
        series = series_so_far(model, inputs, outputs, cache=cache, per_unit=False)
        if series is None:
            return Trend()
        if labels is None:
            from .wording import phrasebook

            labels = chart_labels(phrasebook(inputs))
        charts = group_charts(series, labels)
    except (XhhtError, OSError, ValueError) as exc:
        return Trend(note=f"Chưa vẽ được biểu đồ xu hướng các năm trước ({exc}).")
    return Trend(series, charts)


__all__ = ["GroupChart", "Trend", "yearly_trend", "chart_labels", "CHART_LABELS", "group_chart", "group_charts", "bind_charts",
           "panel", "legend_strip"]
