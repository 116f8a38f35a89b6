"""A small line chart of a district series, as numbers for an inline SVG template (no JS, no CDN).

The template (``_chart.html``) draws it; every text goes through Jinja autoescape.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..vnformat import percent

WIDTH, HEIGHT = 320, 170
LEFT, RIGHT, TOP, BOTTOM = 40, 12, 14, 28


@dataclass
class Chart:
    title: str
    width: int
    height: int
    line: str                                       # SVG polyline points of the district rate
    points: list[tuple[float, float, str, int]]     # x, y, label, year
    targets: list[tuple[float, float, str, int]]    # x, y, label, year
    x_ticks: list[tuple[float, str]]
    y_ticks: list[tuple[float, str]]
    description: str = ""
    extra: dict = field(default_factory=dict)


def line_chart(title: str, series: list[tuple[int, float]], targets: list[tuple[int, float]],
               years: list[int]) -> Chart:
    """Chart the district rate per year (and the plan's targets as marks) on a 0–100 % scale or tighter."""
    lo_year, hi_year = min(years), max(years)
    values = [v for _y, v in series] + [v for y, v in targets if lo_year <= y <= hi_year]
    high = 100.0
    low = min(values) if values else 0.0
    step = 10 if high - low <= 45 else 20
    low = max(0.0, (int(low - 3) // step) * step)
    span_x = max(1, hi_year - lo_year)
    pad = 16                                   # keep the first and last labels clear of the axis text
    plot_w, plot_h = WIDTH - LEFT - RIGHT - 2 * pad, HEIGHT - TOP - BOTTOM

    def x(year: int) -> float:
        return round(LEFT + pad + (year - lo_year) * plot_w / span_x, 1)

    def y(value: float) -> float:
        return round(TOP + (high - value) * plot_h / max(1.0, high - low), 1)

    pts = [(x(yr), y(v), percent(v), yr) for yr, v in series]
    tgs = [(x(yr), y(v), percent(v), yr) for yr, v in targets if lo_year <= yr <= hi_year]
    ticks = [(y(v), f"{v:g}") for v in range(int(low), 101, step)]
    desc = "; ".join(f"năm {yr}: {percent(v)}" for yr, v in series)
    return Chart(title, WIDTH, HEIGHT, " ".join(f"{a},{b}" for a, b, _l, _y in pts), pts, tgs,
                 [(x(yr), str(yr)) for yr in years], ticks, desc)
