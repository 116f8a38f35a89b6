"""The period review: the sơ kết (part of the plan's period) or tổng kết (the whole period) as a BC.

    result = write_review(inputs, outputs, 2014, 2020)       # -> outputs/review/2014-2020/vN/

reads each year (its newest archived version, else the submissions: :func:`pipeline.series.load_models`),
folds the years into a :class:`~pipeline.series.PeriodSeries`, draws one chart per target group
(:mod:`pipeline.charts`), fills ``tong_ket.docx`` with sentences from ``phrasebook_review.yaml`` (same
strict, sandboxed Jinja as the yearly BC) and writes the period workbook beside it. Everything is
built in a hidden staging folder and appears as a complete version or not at all.

:func:`review_context` only places and phrases facts of the series; it computes no result.
"""

from __future__ import annotations

import datetime as _dt
import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from . import vnformat as vn
from .aggregate import (AHEAD, BEHIND, EXCEEDED, MET, NO_DATA, NO_TARGET, NOT_MET, ON_PATH, RANK_LIMIT,
                        RANK_MIN_UNITS, UNJUDGED)
from .catalog import STATUS, Catalog
from .charts import bind_charts
from .templating import mm_twips, qn, set_column_widths
from .wording import INCOMPLETE, TIE_LIMIT, tie_names
from .series import (FROM_ARCHIVE, FROM_NOTHING, GAP_EXCLUDED, GAP_MISSING, GAP_NO_YEAR, GAP_NOT_EXPECTED,
                     IndicatorSeries, PeriodSeries, TREND_UP)

PHRASEBOOK = "phrasebook_review.yaml"
TEMPLATE = "tong_ket.docx"
REVIEW_DIR = "review"
STAGES = ("Đọc dữ liệu kế hoạch", "Đọc số liệu các năm", "Tổng hợp chuỗi số liệu", "Vẽ biểu đồ",
          "Viết báo cáo (DOCX)", "Viết bảng tổng hợp (XLSX)", "Tạo PDF", "Lưu kết quả")


def review_filename(first: int, last: int) -> str:
    return f"BC_XHHT_{first}-{last}.docx"


def review_key(first: int, last: int) -> str:
    """The folder of a period's versions under ``outputs/review/``."""
    return f"{first}-{last}"


def phrasebook(inputs: Path | str | None):
    from .wording import phrasebook as _pb

    return _pb(inputs, PHRASEBOOK)


# ------------------------------------------------------------------------------------ small helpers
def _pct_cell(value: float | None) -> str:
    """A rate in a table whose header says (%): ``96,2``; never ``100,0`` for 99,96 (as in the sentences)."""
    return "–" if value is None else vn.percent(value)[:-1]


def _name(series: PeriodSeries, code: str) -> str:
    return vn.in_sentence(series.unit(code).name)


def _status_counts(s: IndicatorSeries, year: int) -> tuple[int, int, int]:
    """A status indicator in ``year``: (units reaching the success value, units that had to report, not reported)."""
    i = next(k for k, p in enumerate(s.district) if p.year == year)
    pts = [u.points[i] for u in s.units if u.points[i].gap not in (GAP_NOT_EXPECTED, GAP_NO_YEAR)]
    reached = s.district[i].numerator or 0
    missing = sum(1 for p in pts if p.gap in (GAP_MISSING, GAP_EXCLUDED))
    return reached, len(pts), missing


def _held_before(s: IndicatorSeries, year: int) -> bool:
    """Whether the district figure had reached the target of ``year`` in an earlier year of the range (as
    printed): a "maintain" target never reached is "chưa đạt", not "chưa giữ vững"; reached only now, "đạt"."""
    o = s.outcome(year)
    target = o.target if o is not None else None
    if target is None:
        return False
    return any(p.known and p.value is not None and p.year < year and vn.shown_rate(p.value) >= target
               for p in s.district)


def _target_cell(s: IndicatorSeries, milestone: int) -> str:
    o = s.outcome(milestone)
    if o is None or o.kind is None:
        return "–"
    if o.kind == "increase":
        return "Tăng"
    return _pct_cell(o.target)


def _outcome_cell(s: IndicatorSeries, milestone: int) -> str:
    """The verdict at a milestone; for a count of communes, "Đạt" only when the count itself meets the target
    (a commune that did not report makes it "Chưa đủ số liệu", explained by the sentence below the table)."""
    o = s.outcome(milestone)
    if o is None or o.status in (NO_TARGET,):
        return "–"
    from .aggregate import STATUS_LABELS
    from .wording import count_verdict

    if o.status == UNJUDGED:  # neither met nor lagging (the year's BC says the same)
        return INCOMPLETE
    label = STATUS_LABELS.get(o.status, o.status)
    if s.kind == STATUS:
        reached, expected, missing = _status_counts(s, milestone)
        return count_verdict(label, o.status in (MET, EXCEEDED), reached, expected, missing, o.target)
    return label


def _kind_of_document(number: str) -> str:
    code = number.split("/")[-1].split("-")[0] if "/" in number else ""
    kind = {"KH": "Kế hoạch", "QĐ": "Quyết định", "CV": "Công văn", "HD": "Hướng dẫn", "BC": "Báo cáo",
            "TB": "Thông báo"}.get(code, "Văn bản")
    return "Công văn" if kind == "Văn bản" and "PGDĐT" in number else kind


# ------------------------------------------------------------------------------------ sections
def period_figures(series: PeriodSeries) -> dict[str, int | None]:
    """The công tác chỉ đạo counts of the period: each the sum of the same figure of every year
    (``figures`` of ``chi_dao/<Y>.yaml``, the numbers the yearly BCs state); None when a year of the range
    does not give it (an incomplete sum is not printed)."""
    from .chidao import FIGURES

    directions = [f.direction or {} for f in series.years_facts]
    out: dict[str, int | None] = {}
    for key in FIGURES:
        values = [(d.get("figures") or {}).get(key) for d in directions]
        out[key] = sum(values) if values and all(isinstance(v, int) for v in values) else None
    return out


def _direction(pb, series: PeriodSeries, office: str, plan, table: str) -> list:
    years = series.years
    docs = []
    inspections = 0
    for f in series.years_facts:
        d = f.direction or {}
        docs += d.get("documents") or []
        inspections += len(d.get("inspections") or [])
    out = []
    f = dict(first=series.first, last=series.last, years=len(years), office=office, plan_number=plan.number)
    if docs:
        plans = [d for d in docs if "/KH-UBND" in d["number"]]
        # the main documents: the UBND's yearly plans and the first and last guidance of the period
        main = plans + [d for d in docs if d not in plans][:1] + [d for d in docs if d not in plans][-1:]
        main = sorted({d["number"]: d for d in main}.values(), key=lambda d: d["date"])
        out.append(pb.say("tk.direction.documents", count=len(docs), plans=len(plans), main=bool(main), **f))
        for d in main:
            out.append(pb.say("tk.direction.document", kind=_kind_of_document(d["number"]), number=d["number"],
                              date=vn.short_date(_dt.date.fromisoformat(d["date"])), issuer=d.get("issuer", ""),
                              title=d["title"]))
        out[-1] = out[-1][:-1] + "."
    else:
        out.append(pb.say("tk.direction.none", **f))
    figures = period_figures(series)
    if inspections or any(v is not None for v in figures.values()):
        out.append(pb.say("tk.direction.committee", meetings=figures["meetings"], inspections=inspections,
                          centres=figures["inspected_centres"], news=figures["news"]))
    facts = series.years_facts
    out.append(pb.say("tk.direction.reports", years=len(years), received=sum(x.received for x in facts),
                      expected=sum(x.expected for x in facts), on_time=sum(len(x.on_time) for x in facts),
                      late=sum(len(x.late) for x in facts), missing=sum(len(x.missing) for x in facts),
                      table=table))
    return out


def _reporting_table(pb, series: PeriodSeries) -> dict:
    rows = []
    for f in series.years_facts:
        if f.source.kind == FROM_NOTHING:
            rows.append({"name": str(f.year), "cells": [vn.number(f.expected), "–", "–", "–", "–"]})
            continue
        rows.append({"name": str(f.year), "cells": [vn.number(f.expected), vn.number(f.received),
                                                    vn.number(len(f.on_time)), vn.number(len(f.late)),
                                                    vn.number(len(f.missing))]})
    return {"caption": pb.say("tk.reporting.caption"), "head": "Năm",
            "columns": ["Số đơn vị phải báo cáo", "Đã gửi báo cáo", "Gửi đúng hạn", "Gửi muộn", "Không gửi"],
            "rows": rows}


def _merge_alike(said: list[tuple[str, Any]]) -> list[Any]:
    """Indicators whose sentences say the same after their names (the commune standards, where every commune
    with figures met each one) in one sentence: "Tỷ lệ A; tỷ lệ B và tỷ lệ C: năm 2014 có 22/22 …" (the
    tổng kết printed four identical paragraphs). A sentence that does not start with its name stays as it is.
    The sentences are escaped markup and stay so (a name joined to them is escaped as it is added)."""
    groups: list[tuple[list[str], Any, Any]] = []          # (names, the sentence after the name or None, sentence)
    for name, text in said:
        head = vn.upper_first(name)
        rest = text[len(head):] if text.startswith(head + ":") else None
        if rest is not None and groups and groups[-1][1] == rest:
            groups[-1][0].append(name)
        else:
            groups.append(([name], rest, text))
    out = []
    for names, rest, text in groups:
        if len(names) == 1:
            out.append(text)
        else:
            low = [vn.lower_first(n) for n in names]   # names hold commas: "; " between them, as in every such list
            out.append(vn.upper_first("; ".join(low[:-1]) + " và " + low[-1]) + rest)
    return out


def _indicator_sentence(pb, series: PeriodSeries, s: IndicatorSeries, population: str) -> str:
    short = pb.labels.get("commune_short", "xã")
    known = [p for p in s.district if p.known and p.value is not None]
    if not known:
        return pb.say("tk.ind.no_data", name=s.name)
    first, last = known[0], known[-1]
    if s.kind == STATUS:
        a, b = _status_counts(s, first.year), _status_counts(s, last.year)
        text = pb.say("tk.ind.status", name=s.name, start_year=first.year, start_reached=a[0], start_expected=a[1],
                      end_year=last.year, end_reached=b[0], end_expected=b[1], end_missing=b[2], population=population,
                      short=short, end_is_milestone=last.year in series.milestone_years)
    elif len(known) > 1:
        text = pb.say("tk.ind.ratio", name=s.name, start_year=first.year, start=first.value, end_year=last.year,
                      end=last.value, change=vn.shown_diff(last.value, first.value))
    else:
        text = pb.say("tk.ind.ratio.one", name=s.name, end_year=last.year, end=last.value)
    parts = []
    for o in s.milestones:
        f = dict(year=o.milestone, value=o.value, target=o.target, margin=o.margin, held=_held_before(s, o.milestone))
        if o.status == NO_TARGET:
            parts.append(pb.say("tk.ind.milestone.no_target", **f))
        elif o.status == NO_DATA or o.value is None:
            parts.append(pb.say("tk.ind.milestone.no_data", **f))
        elif o.status == UNJUDGED:
            parts.append(pb.say("tk.ind.milestone.increase.reporting_only", **f))
        elif o.kind == "increase":
            parts.append(pb.say("tk.ind.milestone.increase", met=o.status == MET, **f))
        elif s.kind == STATUS:
            reached, expected, _m = _status_counts(s, o.milestone)
            parts.append(pb.say("tk.ind.milestone.status", reached=reached, expected=expected, population=population,
                                met=o.status in (MET, EXCEEDED), missing=_m, short=short, **f))
        elif o.kind == "maintain":
            parts.append(pb.say("tk.ind.milestone.maintained" if o.status != NOT_MET
                                else "tk.ind.milestone.not_maintained", **f))
        else:
            parts.append(pb.say({MET: "tk.ind.milestone.met", EXCEEDED: "tk.ind.milestone.exceeded"}.get(
                o.status, "tk.ind.milestone.not_met"), **f))
    t = s.targets[-1]
    if series.last not in series.milestone_years and t.kind not in (None, "increase") and t.path_value is not None \
            and t.status in (ON_PATH, AHEAD, BEHIND) and t.progress is not None:
        parts.append(pb.say({ON_PATH: "tk.ind.path.on_path", AHEAD: "tk.ind.path.ahead",
                             BEHIND: "tk.ind.path.behind"}[t.status], year=series.last, path=t.path_value,
                            margin=t.margin, progress=t.progress, milestone_year=t.milestone, target=t.value))
    last_ms = max(s.first_met) if s.first_met else None
    fm = s.first_met.get(last_ms) if last_ms else None
    if fm is not None and last_ms is not None and fm < min(last_ms, series.last) and s.kind != STATUS \
            and s.outcome(last_ms) is not None and s.outcome(last_ms).kind not in (None, "increase"):
        parts.append(pb.say("tk.ind.first_met", milestone=last_ms, year=fm))
    if s.kind == STATUS:
        failing = [b.unit for b in s.behind]
        if failing:
            parts.append(pb.say("tk.ind.failing", population=population, year=series.last,
                                units=[_name(series, u) for u in failing]))
    elif s.behind and s.behind[0].shortfall and t.kind != "increase":
        last_points = [u.points[-1] for u in s.units if u.points[-1].known and u.points[-1].value is not None]
        if all((p.denominator or 0) <= 1 for p in last_points):
            # one item per unit (its own centre): name the units below, no percentages
            parts.append(pb.say("tk.ind.not_reaching", year=series.last,
                                units=[_name(series, b.unit) for b in s.behind]))
        elif len(last_points) >= RANK_MIN_UNITS:
            named, tie = _lowest(s)
            if named:
                parts.append(pb.say("tk.ind.weakest", year=series.last, units=[
                    f"{_name(series, b.unit)} ({vn.percent(b.value)})" for b in named]))
            elif tie:
                kind, names = tie_names(pb, [series.unit(b.unit).name for b in tie])
                parts.append(pb.say("tk.ind.weakest.tie", year=series.last, count=len(tie), value=tie[0].value,
                                    kind=kind, units=names))
    return f"{text}; " + "; ".join(str(p) for p in parts) + "." if parts else f"{text}."


def _lowest(s: IndicatorSeries) -> tuple[list, list]:
    """The units the tổng kết names as lowest in the last year, by the yearly BC's rule
    (:meth:`IndicatorResult.weakest`, :func:`wording.lowest_tie`): the units below the district's printed rate
    (a unit printed at the district's own rate is not "lowest"), at most RANK_LIMIT, lowest first, leaving out
    the units tied (as printed) with the first one not named, since the order among equals would be arbitrary.
    When that leaves nobody, a tie at the lowest value of 2 to TIE_LIMIT units is returned instead (said whole,
    with its count and value). (named, tie); either or both may be empty."""
    district = s.district[-1].value
    low = sorted((b for b in s.behind if b.value is not None and (vn.shown_diff(b.value, district) or 0) < 0),
                 key=lambda b: (b.value, b.unit))
    named = low[:RANK_LIMIT]
    if len(low) > RANK_LIMIT:
        cut = vn.shown_rate(low[RANK_LIMIT].value)
        named = [b for b in named if vn.shown_rate(b.value) != cut]
    if named or not low:
        return named, []
    tied = [b for b in low if vn.shown_rate(b.value) == vn.shown_rate(low[0].value)]
    return [], tied if 1 < len(tied) <= TIE_LIMIT else []


def _group_table(pb, series: PeriodSeries, g, number: int) -> dict:
    ms = series.milestone_years
    columns = [str(y) for y in series.years]
    for m in ms:
        columns += [f"Chỉ tiêu {m}", f"Đánh giá {m}"]
    rows = []
    for code in g.indicators:
        s = series.indicator(code)
        if s.kind == STATUS:
            cells = []
            for p in s.district:
                if p.gap == GAP_NO_YEAR or p.denominator is None:
                    cells.append("–")
                else:
                    reached, expected, _m = _status_counts(s, p.year)
                    cells.append(f"{reached}/{expected}")
        else:
            cells = [_pct_cell(p.value if p.known else None) for p in s.district]
        for m in ms:
            cells += [_target_cell(s, m), _outcome_cell(s, m)]
        rows.append({"name": s.label, "cells": cells})
    from .wording import glossary

    words = glossary(pb, [r["name"] for r in rows])
    kinds = {series.indicator(code).kind == STATUS for code in g.indicators}
    caption = pb.say("tk.table.caption", number=number, title=g.title, counts=True in kinds, rates=False in kinds,
                     population=pb.labels.get("communes", "xã, thị trấn"))
    return {"caption": caption, "head": "Chỉ tiêu",
            "columns": columns, "rows": rows, "note": f"Ghi chú: {words}." if words else ""}


def _task_section(pb, series: PeriodSeries, stocks: set[str]) -> list[dict]:
    labels = pb.labels
    out = []
    for t in series.tasks:
        acts = series.activities_of(t.code)
        heading = f"{t.number}. {t.title}"
        if not acts:
            out.append({"heading": heading, "table": None,
                        "sentences": [pb.say("tk.task.none", first=series.first, last=series.last)]})
            continue
        rows = []
        for a in acts:
            period = a.totals[-1] if a.code in stocks else a.period_total
            rows.append({"name": f"{a.label} ({a.measure})",
                         "cells": [vn.number(v) if v is not None else "–" for v in a.totals]
                         + [vn.number(period) if period is not None else "–",
                            labels.get(f"trend_{a.trend}", a.trend)]})
        table = {"head": "Nội dung", "columns": [str(y) for y in series.years] + ["Cả giai đoạn", "Xu hướng"],
                 "rows": rows}
        up = [a for a in acts if a.trend == TREND_UP]
        best = max((a for a in up if a.change_pct is not None), key=lambda a: a.change_pct, default=None)
        down = [vn.lower_first(a.label) for a in acts if a.trend == "giam"]
        f = {}
        if best is not None:
            f = dict(best=best.label, best_start=int(best.change.start), best_end=int(best.change.end),
                     start_year=best.change.from_year, end_year=best.change.to_year, best_pct=best.change_pct)
        out.append({"heading": heading, "table": table,
                    "sentences": [pb.say("tk.task.summary", up=len(up), count=len(acts), down=down,
                                         **({"best": ""} | f))]})
    return out


def _funding(pb, series: PeriodSeries) -> tuple[list, dict | None]:
    from .form_layout import FUNDING_SOURCES

    total = series.funding_total()
    f = dict(first=series.first, last=series.last)
    known = [x for x in series.years_facts if x.source.kind != FROM_NOTHING and x.funding_total]
    if not total or not known:
        return [pb.say("tk.funding.none", **f)], None
    sources = [pb.say("tk.funding.source", label=label.split(" (")[0], amount=series.funding_total(code),
                      share=100.0 * series.funding_total(code) / total) for code, label in FUNDING_SOURCES]
    lines = [pb.say("tk.funding.total", total=total, sources=sources, **f)]
    a, b = known[0], known[-1]
    if a.year != b.year:
        lines.append(pb.say("tk.funding.trend", start_year=a.year, start=a.funding_total, end_year=b.year,
                            end=b.funding_total, change_pct=100.0 * (b.funding_total - a.funding_total) / a.funding_total,
                            average=round(total / len(known))))
    rows = [{"name": str(x.year), "cells": ([vn.number(x.funding.get(c, 0)) for c, _ in FUNDING_SOURCES]
                                            + [vn.number(x.funding_total)]) if x.source.kind != FROM_NOTHING
             else ["–"] * (len(FUNDING_SOURCES) + 1)} for x in series.years_facts]
    rows.append({"name": "Cả giai đoạn", "cells": [vn.number(series.funding_total(c)) for c, _ in FUNDING_SOURCES]
                 + [vn.number(total)]})
    table = {"head": "Năm", "columns": [label.split(" (")[0] + " (đồng)" for _, label in FUNDING_SOURCES]
             + ["Tổng cộng (đồng)"], "rows": rows}
    return lines, table


def _lagging(series: PeriodSeries) -> list[IndicatorSeries]:
    """Indicators not met at the last milestone of the range, or behind the lộ trình in its last year."""
    out = []
    for s in series.indicators:
        if series.last in series.milestone_years:
            o = s.outcome(series.last)
            if o is not None and o.status == NOT_MET:
                out.append(s)
        elif s.targets[-1].status in (BEHIND, NOT_MET):
            out.append(s)
    return out


def _assessment(pb, series: PeriodSeries, lagging: list[IndicatorSeries], population: str, table: str = "") -> dict:
    """Section V; ``table``: the number of the biểu of every unit against every target ("02"), referred to once."""
    results = []
    for m in series.milestone_years:
        # an indicator whose verdict cell reads "Chưa đủ số liệu" is neither met nor lagging (as in Bảng 2–6)
        # they are counted beside it, so the count is over every target (as the BC of the year: "12/23 …, 06 chỉ
        # tiêu chưa đạt, 05 chỉ tiêu chưa đủ số liệu để đánh giá"; "12/18" read as if there were 18 targets)
        cells = [(s, _outcome_cell(s, m)) for s in series.indicators]
        outs = [s.outcome(m) for s, cell in cells if cell != INCOMPLETE]
        judged = [o for o in outs if o and o.status not in (NO_DATA, NO_TARGET) and o.status != "chua_so_sanh"]
        good = [o for o in judged if o.status in (MET, EXCEEDED)]
        results.append(pb.say("tk.assess.milestone", year=m, good=len(good), judged=len(judged),
                              lagging=len(judged) - len(good), unjudged=sum(1 for _s, c in cells if c == INCOMPLETE)))
    if series.last not in series.milestone_years:
        ts = [s.targets[-1] for s in series.indicators]
        judged = [t for t in ts if t.status in (ON_PATH, AHEAD, BEHIND, MET, EXCEEDED, NOT_MET)]
        good = [t for t in judged if t.status in (ON_PATH, AHEAD, MET, EXCEEDED)]
        results.append(pb.say("tk.assess.path", year=series.last, good=len(good), judged=len(judged),
                              lagging=len(judged) - len(good),
                              milestone_year=next((t.milestone for t in ts if t.milestone), series.period[1])))
    changes = sorted((s for s in series.indicators if s.kind != STATUS and s.change and s.change.points > 0.05),
                     key=lambda s: -s.change.points)[:3]
    if changes:
        results.append(pb.say("tk.assess.changes", items=[
            pb.say("tk.assess.change_item", name=s.name, change=vn.round_half_up(s.change.points, 1)) for s in changes]))
    communes = [u for u in series.units if u.commune]
    met = series.all_met(series.last, communes_only=True)
    judged_communes = [s for s in series.standings.get(series.last, []) if series.unit(s.unit).commune]
    results.append(pb.say("tk.assess.all_met" if series.last in series.milestone_years else "tk.assess.all_met.path",
                          year=series.last, count=len(met), total=len(communes), table=table,
                          population=population, units=[_name(series, u) for u in met]))
    acts = series.activities
    if acts:
        week = next((a for a in acts if a.code == "NV1_TUAN_LE"), None)
        up = sum(1 for a in acts if a.trend == TREND_UP)
        if week is not None and week.change is not None:
            pct = week.change_pct or 0.0
            results.append(pb.say("tk.assess.activities", up=up, count=len(acts), end_year=week.change.to_year,
                                  week=int(week.change.end), start_year=week.change.from_year,
                                  week_change=(f"tăng {vn.percent(pct)}" if pct > 0 else
                                               f"giảm {vn.percent(-pct)}" if pct < 0 else "không thay đổi")))
    results.append(pb.say("tk.assess.direction"))

    limits = []
    for s in lagging:
        if s.kind == STATUS:
            failing = [b.unit for b in s.behind]
            if failing:
                limits.append(pb.say("tk.limits.status", name=s.name, year=series.last, count=len(failing),
                                     population=population, units=[_name(series, u) for u in failing]))
            continue
        o = s.outcome(series.last)
        if o is not None:
            if o.kind == "increase":
                continue
            limits.append(pb.say("tk.limits.not_maintained" if o.kind == "maintain" else "tk.limits.not_met",
                                 name=s.name, year=series.last, value=o.value, target=o.target, margin=o.margin,
                                 held=_held_before(s, series.last)))
        else:
            t = s.targets[-1]
            limits.append(pb.say("tk.limits.behind", name=s.name, year=series.last, value=s.district[-1].value,
                                 margin=t.margin, path=t.path_value))
    not_all = [x for x in judged_communes if not x.all_met and x.not_met]
    no_data = [x.unit for x in judged_communes if not x.not_met and x.no_data]
    if not_all or no_data:
        named, whole = named_communes(not_all)
        limits.append(pb.say("tk.limits.communes", count=len(not_all), total=len(communes),
                             path=series.last not in series.milestone_years, whole=whole,
                             population=population, year=series.last, no_data=[_name(series, u) for u in no_data],
                             units=[pb.say("tk.limits.commune", name=_name(series, x.unit), count=len(x.not_met))
                                    for x in named]))
    # units late or missing in several years
    late_units = []
    for u in series.units:
        late = sum(1 for f in series.years_facts if u.code in f.late)
        missing = sum(1 for f in series.years_facts if u.code in f.missing)
        if late + missing >= 3:
            late_units.append(pb.say("tk.limits.late_unit", name=vn.in_sentence(u.name), late=late, missing=missing))
    if late_units:
        limits.append(pb.say("tk.limits.late", units=late_units))
    if not limits:
        limits.append(pb.say("tk.limits.none"))
    limits[-1] = limits[-1][:-1] + "." if str(limits[-1]).endswith(";") else limits[-1]
    return {"results": results, "limits": limits, "causes": pb.lines("tk.causes"), "lessons": pb.lines("tk.lessons")}


def _directions(pb, series: PeriodSeries, lagging: list[IndicatorSeries], population: str) -> list:
    names = [vn.lower_first(s.name) for s in lagging]
    f = dict(first=series.first, last=series.last, lagging=names)
    if series.final:
        out = [pb.say("tk.next.final", **f)]
    else:
        ms = next((t.milestone for s in series.indicators for t in s.targets[-1:] if t.milestone), series.period[1])
        out = [pb.say("tk.next.partial", milestone_year=ms, **f)]
    # the communes section V names (all of them, or those with the most targets missed), most targets missed first
    named, whole = named_communes(series.furthest_behind(len(series.units), series.last, communes_only=True))
    if named:
        out.append(pb.say("tk.next.communes", units=[_name(series, x.unit) for x in named], whole=whole))
    return out + pb.lines("tk.next.general")


NAMED_COMMUNES = 6  # running text names at most this many communes; the biểu holds every one


def named_communes(behind: list) -> tuple[list, bool]:
    """The communes short of some target that the text names, most targets missed first: all of them when they
    are few (at most NAMED_COMMUNES), else the leading ones, whole groups of equal counts up to NAMED_COMMUNES - 1
    (none when the first group alone is larger: the order inside a group would be arbitrary); and whether that
    is all of them."""
    if len(behind) <= NAMED_COMMUNES:
        return list(behind), True
    named: list = []
    i = 0
    while i < len(behind):
        group = [x for x in behind[i:] if len(x.not_met) == len(behind[i].not_met)]
        if len(named) + len(group) > NAMED_COMMUNES - 1:
            break
        named += group
        i += len(group)
    return named, False


def _appendix(pb, series: PeriodSeries) -> list[dict]:
    """Biểu 01 per-unit series per indicator, 02 units against all targets, 03 days late per unit and year."""
    tables = []
    ms = series.milestone_years[-1] if series.milestone_years else None
    matrices = []
    for n, s in enumerate(series.indicators, start=1):
        rows = []
        # one item per unit (a commune's own learning centre): "Đạt"/"Chưa đạt", not 0,0 / 100,0
        known = [p for us in s.units for p in us.points if p.known and p.denominator is not None]
        single = s.kind != STATUS and bool(known) and all(p.denominator == 1 and p.numerator in (0, 1) for p in known)
        for i, us in enumerate(s.units, start=1):
            cells = []
            for p in us.points:
                if p.gap == GAP_NOT_EXPECTED:
                    cells.append("")
                elif p.gap in (GAP_MISSING, GAP_NO_YEAR):
                    cells.append("–")
                elif p.gap == GAP_EXCLUDED:
                    cells.append("Chưa tính")
                elif s.kind == STATUS:
                    cells.append(p.status or "")
                elif single:
                    cells.append("Đạt" if p.numerator == 1 else "Chưa đạt")
                else:
                    cells.append(_pct_cell(p.value))
            fm = us.first_met.get(ms) if ms else None
            cells.append(str(fm) if fm else ("–" if ms in us.first_met else ""))
            rows.append({"no": str(i), "name": series.unit(us.unit).name, "cells": cells})
        total = []
        for p in s.district:
            if s.kind == STATUS:
                total.append("–" if p.denominator is None else f"{_status_counts(s, p.year)[0]}/{_status_counts(s, p.year)[1]}")
            else:
                total.append(_pct_cell(p.value if p.known else None))
        fm = s.first_met.get(ms) if ms else None
        total.append(str(fm) if fm else "–")
        rows.append({"no": "", "name": pb.labels.get("district_total", "Toàn huyện"), "cells": total})
        unit = " (Đạt/Chưa đạt)" if s.kind == STATUS else " (đơn vị: Đạt/Chưa đạt; toàn huyện: %)" if single else " (%)"
        matrices.append({"heading": f"{n}. {vn.upper_first(s.name)}{unit}",
                         "columns": [str(y) for y in series.years] + [f"Năm đạt mức chỉ tiêu {ms}" if ms else ""],
                         "rows": rows})
    tables.append({"title": pb.say("tk.bieu.series", first=series.first, last=series.last), "matrices": matrices,
                   "note": pb.say("tk.bieu.note.series", milestone=ms or series.last)})

    year = series.last
    standing = {x.unit: x for x in series.standings.get(year, [])}
    rows = []
    for i, u in enumerate([u for u in series.units if u.code in standing], start=1):
        x = standing[u.code]
        labels = [series.indicator(c).label for c in x.not_met]
        rows.append({"no": str(i), "name": u.name, "cells": [
            vn.number(len(x.met) + len(x.not_met) + len(x.no_data)), vn.number(len(x.met)), vn.number(len(x.not_met)),
            vn.number(len(x.no_data)), "; ".join(labels) if labels else ("Đạt tất cả" if x.all_met else
                                                                            "Chưa đủ số liệu để đánh giá")]})
    from .wording import glossary

    words = glossary(pb, [c for r in rows for c in r["cells"]])
    tables.append({"title": pb.say("tk.bieu.standings", year=year), "matrices": [{
        "heading": "", "columns": ["Số chỉ tiêu phải thực hiện", "Đạt", "Chưa đạt", "Chưa có số liệu",
                                   "Các chỉ tiêu chưa đạt"], "rows": rows}],
        "note": str(pb.say("tk.bieu.note.standings", year=year))[:-1] + (f"; {words}." if words else ".")})

    rows = []
    for i, u in enumerate(series.units, start=1):
        cells = []
        for f in series.years_facts:
            if u.code in f.late:
                cells.append(f"{f.late[u.code]} ngày")
            elif u.code in f.missing:
                cells.append("Chưa nộp")
            elif u.code in f.on_time:
                cells.append("Đúng hạn")
            else:
                cells.append("")
        late = sum(1 for f in series.years_facts if u.code in f.late)
        rows.append({"no": str(i), "name": u.name, "cells": cells + [vn.number(late)]})
    tables.append({"title": pb.say("tk.bieu.timeliness", first=series.first, last=series.last), "matrices": [{
        "heading": "", "columns": [str(y) for y in series.years] + ["Số năm gửi muộn"], "rows": rows}],
        "note": pb.say("tk.bieu.note.timeliness")})
    for n, t in enumerate(tables, start=1):
        t["label"] = f"Biểu {n:02d}"
        t["detail"] = ""  # the yearly BC's line for a biểu by kind of unit (the shared biểu layout); none here
    return tables


# ------------------------------------------------------------------------------------ context
def review_context(catalog: Catalog, series: PeriodSeries, issued: _dt.date, charts: dict[str, Any] | None = None,
                   number: str | None = None, inputs: Path | str | None = None) -> dict[str, Any]:
    """The template context of the period BC: strings, lists and each group's chart
    (:class:`pipeline.charts.GroupChart`, made native Word charts when the document is filled)."""
    from .render_docx import BLANK_NUMBER, _appendix_date, _kinh_gui, _recipients
    from .render_docx import doc_profile as _doc_profile

    number = BLANK_NUMBER if number is None else number
    plan, office = catalog.plan, catalog.office
    pb = phrasebook(inputs)
    prof = _doc_profile(_Shim(catalog), "bc")
    population = pb.labels.get("communes", "xã, thị trấn")
    final = series.final
    kind = pb.labels.get("review_final" if final else "review_partial", "tổng kết" if final else "sơ kết")
    first, last = series.first, series.last
    f = dict(first=first, last=last, years=len(series.years), final=final, kind=kind,
             office=prof["office"]["full_name"], plan_number=plan.number, plan_first=plan.period[0],
             plan_last=plan.period[1])
    subject = pb.say("tk.subject.final" if final else "tk.subject.partial", **f)
    reports = [pb.say("tk.basis.report", year=x.year, number=x.source.number,
                      date=vn.short_date(_dt.date.fromisoformat(x.source.issued)) if x.source.issued else "")
               for x in series.years_facts if x.source.kind == FROM_ARCHIVE and x.source.number]
    intro = [pb.say("tk.intro", plan_date=vn.short_date(plan.date), plan_issuer=plan.issuer, plan_title=plan.title, **f),
             pb.say("tk.basis", reports=reports, gaps=series.missing_years, **f)]
    appendix = _appendix(pb, series)
    # the biểu the body refers to: each once, where the body summarises it (03 in section I, with Bảng 1)
    bieu = {t["title"]: t["label"][5:] for t in appendix}
    series_table = bieu.get(str(pb.say("tk.bieu.series", first=first, last=last)), "")
    standings_table = bieu.get(str(pb.say("tk.bieu.standings", year=last)), "")
    groups = []
    charts = charts or {}
    for gi, g in enumerate(series.groups, start=1):
        groups.append({"heading": f"{gi}. {g.title}", "table": _group_table(pb, series, g, gi + 1),
                       "sentences": _merge_alike([(series.indicator(c).name,
                                                        _indicator_sentence(pb, series, series.indicator(c), population))
                                                       for c in g.indicators]),
                       "chart": charts.get(g.code, ""),
                       "chart_caption": pb.say("tk.chart.caption", number=gi, title=g.title)})
    later = [m.year for m in plan.milestones if m.year > last]
    targets_intro = (pb.say("tk.targets.intro.final", milestones=series.milestone_years, table=series_table, **f)
                     if final else
                     pb.say("tk.targets.intro.partial", milestones=series.milestone_years, table=series_table,
                            next_milestone=later[0] if later else plan.period[1], **f))
    stocks = _stocks(catalog)
    funding, funding_table = _funding(pb, series)
    lagging = _lagging(series)
    return {
        "office": prof["office"], "number": number, "type_abbr": "BC", "symbol": prof["symbol"],
        "date_line": vn.issue_date(office.place, issued), "appendix_date": _appendix_date(issued),
        "subject": subject, "kinh_gui": _kinh_gui(prof["to"]), "intro": intro,
        "direction": _direction(pb, series, prof["office"]["full_name"], plan, appendix[-1]["label"][5:]),
        "reporting": _reporting_table(pb, series),
        "targets_intro": targets_intro, "groups": groups,
        "tasks_intro": pb.say("tk.tasks.intro", **f), "tasks": _task_section(pb, series, stocks),
        "funding": funding, "funding_table": funding_table,
        "assessment": _assessment(pb, series, lagging, population, standings_table),
        "directions_heading": ("VI. PHƯƠNG HƯỚNG, NHIỆM VỤ GIAI ĐOẠN TIẾP THEO" if final else
                               f"VI. PHƯƠNG HƯỚNG, NHIỆM VỤ ĐẾN NĂM {later[-1] if later else plan.period[1]}"),
        "directions": _directions(pb, series, lagging, population),
        "proposals": [pb.say("tk.prop.ubnd", lagging=[vn.lower_first(s.name) for s in lagging], final=final),
                      pb.say("tk.prop.so", final=final)],
        "closing": pb.say("tk.closing", **f),
        "recipients": _recipients(prof["recipients"], prof["drafting"]),
        "signer": prof["signer"],
        "tables": appendix,
    }


def _stocks(catalog: Catalog) -> set[str]:
    """The activities that count what exists (``stock: true`` in plan.yaml): shown as the last year's figure."""
    return {a.code for a in catalog.plan.activities if getattr(a, "stock", False)}


class _Shim:
    """What render_docx.doc_profile reads from a yearly model: the catalog."""

    def __init__(self, catalog: Catalog):
        self.catalog = catalog


CONTEXT_KEYS = {"office", "number", "type_abbr", "symbol", "date_line", "appendix_date", "subject", "kinh_gui",
                "intro", "direction", "reporting", "targets_intro", "groups", "tasks_intro", "tasks", "funding",
                "funding_table", "assessment", "directions_heading", "directions", "proposals", "closing",
                "recipients", "signer", "tables"}


# Every fact a review sentence may use (the names this module hands to ``say``); ``xhht plan check``
# names any other variable of phrasebook_review.yaml, and any undefined variable of tong_ket.docx.
FACTS = {"held", "amount", "average", "best", "best_end", "best_pct", "best_start", "change", "change_pct", "centres", "news",
         "count", "date", "down", "end", "end_expected", "end_is_milestone", "end_missing", "end_reached",
         "end_year", "expected", "final", "first", "gaps", "good", "inspections", "issuer", "items", "judged", "kind",
         "label", "lagging", "last", "late", "main", "margin", "meetings", "met", "milestone", "milestone_year",
         "milestones", "missing", "name", "next_milestone", "no_data", "number", "office", "on_time", "path",
         "plan_date", "plan_first", "plan_issuer", "plan_last", "plan_number", "plan_title", "plans", "population",
         "progress", "reached", "received", "reports", "share", "short", "sources", "start", "start_expected",
         "start_reached", "start_year", "table", "target", "title", "total", "units", "up", "value", "week",
         "week_change", "year", "years", "counts", "rates", "whole", "unjudged"}


def check_review_wording(inputs: Path | str | None) -> list[str]:
    """Problems of phrasebook_review.yaml and tong_ket.docx: syntax errors and undefined variables, each named."""
    from .wording import check_phrases, check_template

    return check_phrases(phrasebook(inputs), FACTS) + check_template(TEMPLATE, inputs, CONTEXT_KEYS)


# ------------------------------------------------------------------------------------ rendering
def _fit_tables(doc) -> None:
    """Fixed widths for the tables with a variable number of columns: a wide first column, the rest shared.

    The appendix tables (STT, Đơn vị …) are fitted by render_docx; here the body tables whose first header
    is "Năm", "Chỉ tiêu" or "Nội dung", with narrow cell margins so that figures never break inside a cell.
    """

    from .render_docx import _fit_matrix_tables, narrow_cell_margins, no_word_breaks

    _fit_matrix_tables(doc)
    first_mm = {"Năm": 22, "Chỉ tiêu": 40, "Nội dung": 52}
    for tbl in doc.element.body.iter(qn("w:tbl")):
        first = tbl.find(qn("w:tr"))
        if first is None:
            continue
        tcs = first.findall(qn("w:tc"))
        head = "".join(t.text or "" for t in tcs[0].iter(qn("w:t"))).strip() if tcs else ""
        if head not in first_mm:
            continue
        grid = tbl.find(qn("w:tblGrid")).findall(qn("w:gridCol"))
        total = mm_twips(165)
        fixed = mm_twips(first_mm[head])
        # the other columns share the rest in proportion to their longest figure (or header word)
        need = [4] * (len(grid) - 1)
        for n, tr in enumerate(tbl.findall(qn("w:tr"))):
            for j, tc in enumerate(tr.findall(qn("w:tc"))[1:]):
                text = "".join(t.text or "" for t in tc.iter(qn("w:t"))).strip()
                # a header or a verdict in words may wrap at its spaces (two lines); a figure never breaks
                words = n == 0 or any(ch.isalpha() for ch in text)
                size = max(max((len(w) for w in text.split()), default=0), 0 if n == 0 else -(-len(text) // 2)) \
                    if words else len(text)
                if j < len(need):
                    need[j] = max(need[j], size)
        weights = [max(4, min(n, 14)) for n in need]
        widths = [fixed] + [max(1, (total - fixed) * w // sum(weights)) for w in weights]
        set_column_widths(tbl, no_word_breaks(tbl, widths))
        narrow_cell_margins(tbl)


def render_review(template: Path, context: dict, out: Path, issued: _dt.date, title: str,
                  orthography: str = "new") -> Path:
    from .templating import fill_docx

    return fill_docx(template, context, out, issued, title, orthography, after=_fit_tables, prepare=bind_charts)


# ------------------------------------------------------------------------------------ the job
@dataclass
class ReviewResult:
    """What a sơ kết / tổng kết run wrote: the period, its version folder, the files, the series it drew on."""

    first: int
    last: int
    final: bool
    version: Path
    paths: list[Path]
    series: PeriodSeries
    sources: dict[int, Any]
    notes: list[str] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)


def write_review(inputs: Path | str, outputs: Path | str, first: int, last: int, issued: _dt.date | None = None,
                 pdf: bool = False, on_stage: Callable[[str], None] | None = None,
                 prefer_sealed: bool = False, charts: bool = True) -> ReviewResult:
    """Write the sơ kết / tổng kết of ``first``..``last`` as a new version ``outputs/review/<first>-<last>/vN/``.

    Each year is read from its newest archived version when there is one (or the newest sealed one
    with ``prefer_sealed``), otherwise from the submissions; the manifest records which. All or nothing.
    ``charts=False`` leaves out the chart of each target group (the text and tables are the same).
    """
    import time

    from . import __version__, archive
    from .charts import chart_labels, group_charts
    from .errors import NothingToReport, UsageError
    from .pdf import convert_to_pdf, find_soffice
    from .catalog_load import load_catalog
    from .render_docx import orthography as _ortho
    from .render_trend_xlsx import period_filename, write_period_workbook
    from .series import build_series, load_models
    from .templating import locate

    step = on_stage or (lambda _s: None)
    t0 = time.perf_counter()
    inputs, outputs = Path(inputs), Path(outputs)
    if first > last:
        raise UsageError(f"Năm bắt đầu ({first}) phải nhỏ hơn hoặc bằng năm kết thúc ({last}).")
    step(STAGES[0])
    catalog = load_catalog(inputs)
    p0, p1 = catalog.plan.period
    if first < p0 or last > p1:
        raise UsageError(f"Kế hoạch số {catalog.plan.number} có giai đoạn {p0}–{p1}; khoảng {first}–{last} nằm ngoài "
                         "giai đoạn này.")
    issued = issued or _dt.date.today()
    step(STAGES[1])
    t1 = time.perf_counter()
    models, sources = load_models(inputs, outputs, first, last, catalog, prefer_sealed=prefer_sealed)
    if all(m is None for m in models.values()):
        raise NothingToReport(f"Không có số liệu của năm nào trong khoảng {first}–{last} (không có phiên bản lưu trữ, "
                              f"không có báo cáo trong {inputs / 'submissions'}); chưa thể lập báo cáo.")
    step(STAGES[2])
    t2 = time.perf_counter()
    series = build_series(catalog, models, sources, first, last)
    pb = phrasebook(inputs)
    key = review_key(first, last)
    root = outputs / REVIEW_DIR
    stage = archive.new_staging(root, key)
    seconds = {"load": t2 - t1}
    try:
        step(STAGES[3])
        t3 = time.perf_counter()
        # native Word charts: specs now, parts in the DOCX
        drawn = group_charts(series, chart_labels(pb)) if charts else {}
        seconds["charts"] = time.perf_counter() - t3
        step(STAGES[4])
        t4 = time.perf_counter()
        template, origin = locate(TEMPLATE, inputs)
        name = review_filename(first, last)
        context = review_context(catalog, series, issued, drawn, inputs=inputs)
        render_review(template, context, stage / name, issued, title=str(context["subject"]),
                      orthography=_ortho(_Shim(catalog)))
        seconds["docx"] = time.perf_counter() - t4
        step(STAGES[5])
        t5 = time.perf_counter()
        xlsx = period_filename(first, last)
        write_period_workbook(series, stage / xlsx, issued, catalog.office.full_name)
        (stage / "series.json").write_text(json.dumps(series.to_dict(), ensure_ascii=False, indent=1, sort_keys=True),
                                           encoding="utf-8")
        seconds["xlsx"] = time.perf_counter() - t5
        step(STAGES[6])
        notes = _source_notes(series)
        notes.append(f"Mẫu văn bản: {TEMPLATE} ({'của cơ quan, thư mục inputs/templates' if origin == 'inputs' else 'mẫu mặc định'}); "
                     f"câu chữ: {pb.path.name} ({'của cơ quan' if pb.origin == 'inputs' else 'mặc định'}).")
        if pdf:
            soffice = find_soffice()
            if soffice is None:
                notes.append("Không tìm thấy LibreOffice (soffice) trên máy: chưa tạo được PDF.")
            else:
                convert_to_pdf(soffice, [stage / name], stage)
        step(STAGES[7])
        archive.snapshot_inputs(stage, [(template, f"templates/{TEMPLATE}"), (pb.path, PHRASEBOOK)])
        archive.write_manifest(stage, {
            "xhht_version": __version__, "kind": "tong_ket" if series.final else "so_ket",
            "period": [first, last], "created": _dt.datetime.now().replace(microsecond=0).isoformat(),
            "options": {"from": first, "to": last, "date": issued.isoformat(), "inputs": str(inputs),
                        "outputs": str(outputs), "prefer_sealed": prefer_sealed, "charts": charts},
            "plan": catalog.plan.number, "template": f"{origin}: {template}",
            "years": [{"year": y, "source": s.kind, "version": s.version, "sealed": s.sealed, "inputs": s.inputs,
                       "number": s.number, "issued": s.issued} for y, s in sorted(sources.items())],
            "notes": notes})
        made = [n for n in (name, xlsx, name[:-5] + ".pdf") if (stage / n).is_file()]
        version = archive.commit(stage, root, key, made)
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise
    seconds["total"] = time.perf_counter() - t0
    return ReviewResult(first, last, series.final, version, [version / n for n in made], series, sources, notes,
                        seconds)


def _source_notes(series: PeriodSeries) -> list[str]:
    arch = [f"{f.year} ({f.source.version}{', đã niêm phong' if f.source.sealed else ''})"
            for f in series.years_facts if f.source.kind == FROM_ARCHIVE]
    subs = [str(f.year) for f in series.years_facts if f.source.kind not in (FROM_ARCHIVE, FROM_NOTHING)]
    out = []
    if arch:
        out.append("Số liệu lấy từ phiên bản lưu trữ mới nhất của các năm: " + ", ".join(arch) + ".")
    if subs:
        out.append("Số liệu lấy trực tiếp từ báo cáo các đơn vị (chưa có phiên bản lưu trữ): năm " + ", ".join(subs) + ".")
    if series.missing_years:
        out.append("Chưa có số liệu các năm: " + ", ".join(str(y) for y in series.missing_years) + ".")
    return out


def summary_text(r: ReviewResult) -> str:
    """The Vietnamese summary printed by ``xhht review``."""
    s = r.series
    kind = "Tổng kết" if r.final else "Sơ kết"
    lines = [f"{kind} {r.first}–{r.last}: {len(s.years) - len(s.missing_years)}/{len(s.years)} năm có số liệu, "
             f"{len(s.units)} đơn vị, {len(s.indicators)} chỉ tiêu."]
    for m in s.milestone_years:
        outs = [x.outcome(m) for x in s.indicators if _outcome_cell(x, m) != INCOMPLETE]
        good = sum(1 for o in outs if o and o.status in (MET, EXCEEDED))
        judged = sum(1 for o in outs if o and o.status not in (NO_DATA, NO_TARGET, "chua_so_sanh"))
        lines.append(f"Mốc năm {m}: {good}/{judged} chỉ tiêu đạt hoặc vượt.")
    communes = [u for u in s.units if u.commune]
    lines.append(f"Năm {s.last}: {len(s.all_met(s.last, communes_only=True))}/{len(communes)} xã, thị trấn đạt tất cả "
                 "các chỉ tiêu.")
    lines += r.notes
    lines.append(f"Đã ghi phiên bản {r.version.name}:")
    lines += [f"  {p}" for p in r.paths]
    lines.append(f"Bản mới nhất cũng được chép ra {r.version.parent}.")
    return "\n".join(lines)


__all__ = ["write_review", "review_context", "render_review", "review_filename", "summary_text", "ReviewResult",
           "CONTEXT_KEYS", "STAGES", "check_review_wording"]
