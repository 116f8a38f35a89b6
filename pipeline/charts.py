"""Charts of the district series against the lộ trình and the plan's targets, one per target group.

Each chart is a PNG for a Word document: 16 cm wide (the text width of an A4 page with NĐ 30
margins) at print resolution, one small panel per indicator of the group (its values sit on very
different scales, so one shared axis would flatten them). Readable in black and white: the
district's figures are a solid line with filled circles, the lộ trình a dashed line, the targets a
dotted line ending in a hollow diamond at the milestone year; gaps stay gaps. Labels are
Vietnamese (the wording comes from ``labels``, so the phrasebook can replace it), numbers use a
decimal comma, the font is Times New Roman or a metric-compatible serif.

The same series give the same bytes: no timestamp or software name is written into the PNG.
matplotlib is imported only when a chart is drawn, with the Agg backend (no display needed).
"""

from __future__ import annotations

import io
import math
import textwrap
import time
from dataclasses import dataclass
from pathlib import Path
from . import vnformat as vn
from .series import IndicatorSeries, PeriodSeries

CM = 1 / 2.54
DEFAULT_DPI = 200
TEXT_WIDTH_CM = 16.0
FONT_CANDIDATES = ("Times New Roman", "Liberation Serif", "Tinos", "Nimbus Roman", "DejaVu Serif")
FONT_SIZE = 8.0

# The words on a chart; the period report may pass its own (from the phrasebook).
CHART_LABELS = {
    "district": "Kết quả toàn huyện",
    "path": "Lộ trình",
    "target": "Chỉ tiêu kế hoạch (mốc {milestones})",
    "axis": "Tỷ lệ (%)",
    "increase": "chỉ tiêu: tăng hằng năm",
    "no_target": "không có chỉ tiêu",
}

# black-and-white friendly styles: shape and dash carry the meaning, colour only helps
_DISTRICT = dict(color="#1a3668", linestyle="-", linewidth=1.5, marker="o", markersize=3.6, zorder=3)
_PATH = dict(color="#5a5a5a", linestyle=(0, (5, 2.5)), linewidth=1.0, zorder=2)
_TARGET = dict(color="#8c1c13", linestyle=(0, (1, 1.6)), linewidth=1.1, zorder=2)
_MILESTONE = dict(color="#8c1c13", marker="D", markersize=4.6, markerfacecolor="white", markeredgewidth=1.1,
                  linestyle="none", zorder=4)


@dataclass
class Chart:
    """One chart written for a target group."""

    group: str
    title: str
    indicators: list[str]
    path: Path | None
    width_cm: float
    height_cm: float
    dpi: int
    seconds: float


def _matplotlib():
    import matplotlib

    matplotlib.use("Agg", force=True)
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D
    from matplotlib.ticker import FixedLocator, FuncFormatter, MaxNLocator

    return matplotlib, Figure, FigureCanvasAgg, Line2D, FuncFormatter, FixedLocator, MaxNLocator


_FONT: str | None = None
# every letter of Vietnamese that is not plain ASCII: a font missing one of them cannot be used
VIETNAMESE = ("ÀÁÂÃÈÉÊÌÍÒÓÔÕÙÚÝàáâãèéêìíòóôõùúýĂăĐđĨĩŨũƠơƯưẠạẢảẤấẦầẨẩẪẫẬậẮắẰằẲẳẴẵẶặẸẹẺẻẼẽẾếỀềỂểỄễỆệỈỉỊịỌọỎỏ"
              "ỐốỒồỔổỖỗỘộỚớỜờỞởỠỡỢợỤụỦủỨứỪừỬửỮữỰựỲỳỴỵỶỷỸỹ")


def _covers_vietnamese(path: str) -> bool:
    from matplotlib.ft2font import FT2Font

    try:
        charmap = FT2Font(path).get_charmap()
    except (OSError, RuntimeError):
        return False
    return all(ord(ch) in charmap for ch in VIETNAMESE)


def chart_font() -> str:
    """The first installed font of FONT_CANDIDATES that has every Vietnamese letter.

    Times New Roman where the office has it, else a metric-compatible serif. Older Liberation Serif
    releases (1.x) lack the Vietnamese letters with two diacritics, so coverage is checked, not assumed.
    """
    global _FONT
    if _FONT is None:
        _matplotlib()
        from matplotlib import font_manager

        regular = {}
        for f in font_manager.fontManager.ttflist:
            if f.style == "normal" and f.weight in (400, "normal", "regular"):
                regular.setdefault(f.name, []).append(f.fname)
        _FONT = next((name for name in FONT_CANDIDATES
                      if any(_covers_vietnamese(path) for path in regular.get(name, []))), "DejaVu Serif")
    return _FONT


def _grid(n: int) -> tuple[int, int, float]:
    """Rows, columns and the height of one row (cm) for ``n`` panels on a 16 cm width."""
    if n == 1:
        return 1, 1, 7.0
    if n == 2:
        return 1, 2, 5.6
    if n <= 4:
        return 2, 2, 4.8
    if n <= 6:
        return 3, 2, 4.4
    return math.ceil(n / 3), 3, 4.0


def _number(value: float, _pos=None) -> str:
    """Axis ticks with a decimal comma: 97.5 -> "97,5", 90.0 -> "90"."""
    if abs(value - round(value)) < 1e-9:
        return vn.number(round(value))
    return vn.number(value, 2)


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


def _panel(ax, s: IndicatorSeries, years: list[int], labels: dict, width: int, ylabel: bool = False,
           rotate: bool = False) -> tuple[bool, bool]:
    """Draw one indicator; return whether a lộ trình and a target were drawn."""
    nan = float("nan")
    xs = years
    ys = [p.value if p.known and p.value is not None else nan for p in s.district]
    ax.plot(xs, ys, **_DISTRICT)
    values = [v for v in ys if not math.isnan(v)]
    lines: list[float] = []   # values of the lộ trình and target lines

    drew_path = drew_target = False
    # the lộ trình of each milestone: its yearly values, ending at the milestone's value
    by_milestone: dict[int | None, list[tuple[int, float]]] = {}
    for t in s.targets:
        if t.kind in (None, "increase"):
            continue
        v = t.path_value if t.path_value is not None else (t.value if t.milestone == t.year else None)
        if v is not None:
            by_milestone.setdefault(t.milestone, []).append((t.year, v))
    for milestone, pts in by_milestone.items():
        has_path = any(t.path_value is not None for t in s.targets if t.milestone == milestone)
        # the lộ trình starts from the district's figure of its baseline year (the year before its first year)
        i = years.index(min(x for x, _ in pts))
        if has_path and i and not math.isnan(ys[i - 1]) and s.targets[i - 1].milestone != milestone:
            pts = [(years[i - 1], ys[i - 1])] + sorted(pts)
        if has_path and len(pts) > 1:
            ax.plot([x for x, _ in pts], [v for _, v in pts], **_PATH)
            values += [v for _, v in pts]
            lines += [v for _, v in pts]
            drew_path = True
    # each milestone's target over the years it is in force, a hollow diamond at the milestone year
    spans: dict[tuple[int | None, float], list[int]] = {}
    for t in s.targets:
        if t.kind not in (None, "increase") and t.value is not None:
            spans.setdefault((t.milestone, t.value), []).append(t.year)
    for (milestone, value), ys_in in spans.items():
        ax.plot([min(ys_in) - 0.35, max(ys_in) + 0.35], [value, value], **_TARGET)
        if milestone in years:
            ax.plot([milestone], [value], **_MILESTONE)
        values.append(value)
        lines.append(value)
        drew_target = True

    kinds = {t.kind for t in s.targets if t.kind}
    note = labels["increase"] if kinds == {"increase"} else labels["no_target"] if not kinds else ""
    title = textwrap.fill(s.label + (f" ({note})" if note else ""), width)
    # a plain text, not set_title: matplotlib would measure every tick label to place a title
    ax.text(0, 1.035, title, transform=ax.transAxes, fontsize=FONT_SIZE, ha="left", va="bottom")
    # the first and last known values, written beside their points
    lo, hi = _limits(values) if values else (0.0, 100.0)
    # the first and last known values beside their points: above, unless a target is just above
    known = [(x, v) for x, v in zip(xs, ys) if not math.isnan(v)]
    near = (hi - lo) * 0.13
    for x, v in known[:1] + known[-1:] if len(known) > 1 else known:
        up = min((o - v for o in lines if o > v + 0.01), default=math.inf)
        down = min((v - o for o in lines if o < v - 0.01), default=math.inf)
        below = up < near and down > up
        if below:
            lo = min(lo, math.floor(v - near * 1.4))
        else:
            hi = max(hi, math.ceil(v + near * 1.4))
        # the first year's figure starts just left of its point, clear of the axis line
        first = x == years[0] and len(years) > 1
        ax.text(x, v, _pct(v), transform=_shift(ax, ax.transData, -3 if first else 0, -9.5 if below else 4.5),
                ha="left" if first else "center", fontsize=FONT_SIZE - 1.5, color=_DISTRICT["color"], zorder=5)
    ax.set_ylim(lo, hi)
    ax.set_xlim(years[0] - 0.5, years[-1] + 0.5)
    _frame(ax, years, lo, hi, labels["axis"] if ylabel else "", rotate)
    return drew_path, drew_target


def _shift(ax, transform, dx: float, dy: float):
    """``transform`` moved by (dx, dy) points."""
    from matplotlib.transforms import offset_copy

    return offset_copy(transform, fig=ax.figure, x=dx, y=dy, units="points")


def _frame(ax, years: list[int], lo: float, hi: float, ylabel: str, rotate: bool) -> None:
    """The axes drawn by hand with a few artists: left and bottom lines, tick marks, labels, y grid.

    matplotlib's own axes make five artists per tick (two marks, a grid line, two labels) and measure
    every label twice; this draws the same picture with one line per kind and a text per label.
    """
    from matplotlib.lines import TICKDOWN, TICKLEFT
    from matplotlib.ticker import MaxNLocator

    ax.set_axis_off()
    nan = float("nan")
    x0, x1 = years[0] - 0.5, years[-1] + 0.5
    ticks = [float(v) for v in MaxNLocator(nbins=5, steps=[1, 2, 2.5, 5, 10]).tick_values(lo, hi)
             if lo - 1e-9 <= v <= hi + 1e-9]
    grid_x, grid_y = [], []
    for v in ticks:
        grid_x += [x0, x1, nan]
        grid_y += [v, v, nan]
    ax.plot(grid_x, grid_y, color="#c8c8c8", linewidth=0.4, zorder=0.5)
    line = dict(color="black", linewidth=0.6, clip_on=False)
    ax.plot([x0, x0, x1], [hi, lo, lo], solid_joinstyle="miter", zorder=2.5, **line)
    yaxis, xaxis = ax.get_yaxis_transform(), ax.get_xaxis_transform()
    ax.plot([0] * len(ticks), ticks, transform=yaxis, linestyle="none", marker=TICKLEFT, markersize=3.5,
            markeredgewidth=0.6, color="black", clip_on=False)
    ax.plot(years, [0] * len(years), transform=xaxis, linestyle="none", marker=TICKDOWN, markersize=3.5,
            markeredgewidth=0.6, color="black", clip_on=False)
    small = FONT_SIZE - 1
    left = _shift(ax, yaxis, -5, 0)
    for v in ticks:
        ax.text(0, v, _number(v), transform=left, ha="right", va="center", fontsize=small)
    below = _shift(ax, xaxis, 0, -5)
    for y in years:
        ax.text(y, 0, str(y), transform=below, ha="right" if rotate else "center", va="top", fontsize=small,
                rotation=45 if rotate else 0, rotation_mode="anchor" if rotate else "default")
    if ylabel:
        ax.text(0, 0.5, ylabel, transform=_shift(ax, ax.transAxes, -24, 0), ha="right", va="center", rotation=90,
                fontsize=FONT_SIZE)


def group_chart(series: PeriodSeries, group: str, labels: dict | None = None, dpi: int = DEFAULT_DPI,
                width_cm: float = TEXT_WIDTH_CM) -> tuple[bytes, float, float]:
    """Draw the chart of target group ``group``; return the PNG bytes, its width and height in cm."""
    mpl, Figure, FigureCanvasAgg, Line2D, _f, _l, _m = _matplotlib()
    labels = {**CHART_LABELS, **(labels or {})}
    g = next(x for x in series.groups if x.code == group)
    inds = [series.indicator(code) for code in g.indicators]
    rows, cols, row_cm = _grid(len(inds))
    legend_cm = 1.1
    height_cm = rows * row_cm + legend_cm
    rc = {"font.family": "serif", "font.serif": [chart_font()], "font.size": FONT_SIZE,
          "axes.titlesize": FONT_SIZE, "axes.labelsize": FONT_SIZE, "xtick.labelsize": FONT_SIZE - 1,
          "ytick.labelsize": FONT_SIZE - 1, "axes.linewidth": 0.6, "xtick.major.width": 0.6,
          "ytick.major.width": 0.6, "svg.hashsalt": "xhht", "path.simplify": False}
    with mpl.rc_context(rc):
        fig = Figure(figsize=(width_cm * CM, height_cm * CM), dpi=dpi)
        FigureCanvasAgg(fig)
        # fixed margins (cm) instead of tight_layout, which draws the figure twice more
        w_cm, left, right, gap, title = width_cm, 1.45, 0.25, 1.2, 0.85
        panel_h = row_cm - title - 0.75
        gs = fig.add_gridspec(rows, cols, left=left / w_cm, right=1 - right / w_cm, top=1 - title / height_cm,
                              bottom=(legend_cm + 0.75) / height_cm,
                              wspace=gap / ((w_cm - left - right - gap * (cols - 1)) / cols),
                              hspace=(title + 0.75) / panel_h)
        drew_path = drew_target = False
        rotate = len(series.years) > 5 and cols == 3
        for i, ind in enumerate(inds):  # only the panels drawn: no hidden axes
            ax = fig.add_subplot(gs[i // cols, i % cols])
            p, t = _panel(ax, ind, series.years, labels, {1: 100, 2: 44, 3: 28}[cols], i % cols == 0, rotate)
            drew_path |= p
            drew_target |= t
        handles = [Line2D([], [], **_DISTRICT, label=labels["district"])]
        if drew_path:
            handles.append(Line2D([], [], **_PATH, label=labels["path"]))
        if drew_target:
            ms = _milestone_years(series)
            handles.append(Line2D([], [], **{**_TARGET, **{k: v for k, v in _MILESTONE.items() if k != "linestyle"}},
                                  label=labels["target"].format(milestones=", ".join(str(m) for m in ms))))
        fig.legend(handles=handles, loc="lower center", ncol=len(handles), frameon=False,
                   fontsize=FONT_SIZE, handlelength=3.2)
        canvas = fig.canvas
        canvas.draw()
        png = _png(canvas.buffer_rgba(), dpi)
    return png, width_cm, height_cm


PALETTE_COLOURS = 96


def _png(rgba, dpi: int) -> bytes:
    """An RGBA buffer as a palette PNG: a few dozen colours (lines, text, their anti-aliasing) keep every edge,
    the file is a third of the size and is written 5x faster. No software name or date in the file."""
    from PIL import Image

    import numpy as np

    img = Image.fromarray(np.asarray(rgba)[..., :3]).quantize(PALETTE_COLOURS, method=Image.Quantize.FASTOCTREE)
    buf = io.BytesIO()
    img.save(buf, format="png", dpi=(dpi, dpi), compress_level=3)
    return buf.getvalue()


def _milestone_years(series: PeriodSeries) -> list[int]:
    """The years of the milestones whose targets are in force somewhere in the range."""
    return sorted({t.milestone for s in series.indicators for t in s.targets if t.milestone})


def chart_filename(index: int) -> str:
    return f"BieuDo_{index:02d}.png"


def _write_groups(series: PeriodSeries, groups: list[tuple[int, str]], folder: Path, labels: dict | None,
                  dpi: int) -> list[Chart]:
    out = []
    for i, code in groups:
        g = next(x for x in series.groups if x.code == code)
        start = time.perf_counter()
        png, w, h = group_chart(series, code, labels, dpi)
        path = folder / chart_filename(i)
        path.write_bytes(png)
        out.append(Chart(code, g.title, list(g.indicators), path, w, h, dpi, time.perf_counter() - start))
    return out


def write_charts(series: PeriodSeries, folder: Path, labels: dict | None = None, dpi: int = DEFAULT_DPI,
                 parallel: bool = True) -> list[Chart]:
    """Write one PNG per target group into ``folder`` (``BieuDo_01.png`` …, in the plan's order).

    With ``parallel`` the groups are shared with a second process (fork) by their number of panels.
    Returns what was written, with the seconds each chart took.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    todo = [(i, g.code) for i, g in enumerate(series.groups, start=1)]
    if not parallel or len(todo) < 2:
        return _write_groups(series, todo, folder, labels, dpi)
    from .jobs import start

    chart_font()  # import matplotlib and find the font once, before the fork
    size = {g.code: len(g.indicators) for g in series.groups}
    mine: list[tuple[int, str]] = []
    theirs: list[tuple[int, str]] = []
    for item in sorted(todo, key=lambda t: -size[t[1]]):  # largest first, to the lighter side
        (mine if sum(size[c] for _i, c in mine) <= sum(size[c] for _i, c in theirs) else theirs).append(item)
    job = start(_write_groups, series, theirs, folder, labels, dpi)
    done = _write_groups(series, mine, folder, labels, dpi) + job.result()
    return sorted(done, key=lambda c: c.path.name)


@dataclass
class Trend:
    """The yearly BC's trend: the district's series so far and one chart (PNG bytes) per target group."""

    series: PeriodSeries | None = None
    charts: dict[str, tuple[bytes, float, float]] | None = None   # group code -> (PNG, width cm, height cm)
    note: str = ""                                               # why there are no charts, if it failed


def chart_labels(pb) -> dict[str, str]:
    """The chart's words: the phrasebook's ``chart_*`` labels over the defaults."""
    return {k: pb.labels.get(f"chart_{k}", v) for k, v in CHART_LABELS.items()}


def yearly_trend(model, inputs, outputs, labels: dict | None = None, dpi: int = DEFAULT_DPI, cache=None) -> Trend:
    """The series from the plan's first year to the model's year and its charts, for the yearly BC and workbook.

    Empty when the year is the plan's first or only one year has data. A year that cannot be read does
    not stop the yearly run: the trend is left out with a note saying why. ``cache`` (the run's
    :class:`~pipeline.checkcache.CheckedCache`) gives the years the run has already read.
    """
    from .errors import XhhtError
    from .series import series_so_far

    try:
        series = series_so_far(model, inputs, outputs, cache=cache)
        if series is None:
            return Trend()
        if labels is None:
            from .wording import phrasebook

            labels = chart_labels(phrasebook(inputs))
        charts = {g.code: group_chart(series, g.code, labels, dpi) for g in series.groups}
    except (XhhtError, OSError, ValueError) as exc:
        return Trend(note=f"Chưa vẽ được biểu đồ xu hướng các năm trước ({exc}).")
    return Trend(series, charts)


__all__ = ["Chart", "Trend", "yearly_trend", "chart_labels", "CHART_LABELS", "group_chart", "write_charts", "chart_font", "chart_filename", "VIETNAMESE"]
