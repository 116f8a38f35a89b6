"""Render the báo cáo (DOCX) from the result model through a Word template in ``templates/``.

:func:`report_context` turns a :class:`ReportModel` into plain strings and lists (all formatting
happens here, none in the template); :func:`render_template` fills a docxtpl template with it.
Rendering is strict: an undefined variable is an error naming the template and the variable, and
every value is XML-escaped, so text from submissions can never become template code or markup.
"""

from __future__ import annotations

import datetime as _dt
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import Any

from lxml import etree

from . import vnformat as vn
from . import wording
from .aggregate import ReportModel, subtotal
from .catalog import STATUS
from .catalog_load import office_section
from .charts import bind_charts
from .render_xlsx import ACTIVITY_SHEET, FUNDING_SHEET, unit_matrix_sheets, workbook_name
from .templating import mm_twips, qn, set_column_widths

BLANK_NUMBER = "     "  # left blank for the văn thư: "Số:      /BC-PGDĐT"
BLANK_DAY = "      "   # a date left for the issuing body (UBND's KH): "ngày      tháng      năm 2018"


def _office_extra(model: ReportModel) -> dict[str, Any]:
    """The parts of ``office.yaml`` about who issues what (``documents``), the office's unit code and orthography."""
    return office_section(model.catalog)


def doc_profile(model: ReportModel, kind: str) -> dict[str, Any]:
    """Issuing body, header lines, số ký hiệu, signer and recipients of document ``kind`` (bc, kh, ttr, cv)."""
    o = model.catalog.office
    d = (_office_extra(model).get("documents") or {}).get(kind) or {}
    s = d.get("signer") or {}
    signer = {"authority": s.get("authority", o.signer.authority), "title": s.get("title", o.signer.title),
              "name": s.get("name", o.signer.name)}
    signer = {"authority": signer["authority"] or signer["title"],
              "title": signer["title"] if signer["authority"] else "", "name": signer["name"]}
    symbol = d.get("symbol", f"{kind.upper()}-{o.abbreviation}")
    return {"office": {"parent": d.get("parent", o.parent), "name": d.get("name", o.name),
                       "abbreviation": symbol.split("-", 1)[-1], "full_name": d.get("issuer", o.full_name),
                       "drafting_unit": o.drafting_unit},
            "symbol": symbol, "signer": signer, "to": list(d.get("recipients_to") or [o.report_recipient]),
            "recipients": list(d.get("recipients") or []), "drafting": d.get("drafting_unit", o.drafting_unit)}


def orthography(model: ReportModel) -> str:
    return str(_office_extra(model).get("orthography") or "new")


def inputs_dir(model: ReportModel) -> Path | None:
    path = model.catalog.files.get("office.yaml")
    return Path(path).parent if path else None


def _recipients(items: list[str], drafting_unit: str) -> list[str]:
    lines = [f"- {r};" for r in items]
    lines.append(f"- Lưu: VT{', ' + drafting_unit if drafting_unit else ''}.")
    return lines


def _kinh_gui(to: list[str]) -> list[str]:
    if len(to) == 1:
        return [f"{to[0]}."]
    return [f"- {t};" for t in to[:-1]] + [f"- {to[-1]}."]


NOT_COUNTED = "Chưa tính"  # a unit's figure that failed the checks: left out of the totals, the unit asked to check it


def _cell_rate(ur, r) -> str:
    """A unit's cell in Biểu 01: its rate; its status; "Đạt"/"Chưa đạt" for a count of one (a commune's own
    learning centre: 0,0 or 100,0 would read as a rate); "Chưa tính" for a figure left out of the totals."""
    if not ur.reported:
        return "–"
    if not ur.valid:
        return NOT_COUNTED
    if r.indicator.kind == STATUS:
        return ur.status_value or ""
    if ur.denominator == 1 and ur.numerator in (0, 1):
        return "Đạt" if ur.numerator == 1 else "Chưa đạt"
    return vn.rate_cell(ur.rate)


def unit_rows_max(model: ReportModel) -> int:
    """``office.yaml``, ``documents.bc.unit_rows_max``: above this many expected units the BC's biểu give
    the figures by kind of unit and refer to the summary workbook for each unit (default 200)."""
    value = ((_office_extra(model).get("documents") or {}).get("bc") or {}).get("unit_rows_max", UNIT_ROWS_MAX)
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else UNIT_ROWS_MAX


UNIT_ROWS_MAX = 200


def _kind_name(model: ReportModel, kind: str, count: int) -> str:
    k = model.catalog.kinds.get(kind)
    return f"{k.name if k else kind} ({vn.number(count)} đơn vị)"


def _matrix(model: ReportModel, communes: bool, by_kind: bool = False) -> dict[str, Any] | None:
    cat = model.catalog
    units = [u for u in model.expected if cat.is_commune(u) == communes and u.indicators]
    codes = {u.code for u in units}  # membership by code: O(1), not a dataclass comparison per unit
    results = [r for r in model.indicators if any(ur.unit.code in codes for ur in r.units)]
    if not units or not results:
        return None
    rows = []
    if by_kind:  # one row per kind of unit, added up as the district is
        kinds: dict[str, int] = {}
        for u in units:
            kinds[u.kind] = kinds.get(u.kind, 0) + 1
        of_kind = []
        for r in results:
            groups: dict[str, list] = {}
            for ur in r.units:
                groups.setdefault(ur.unit.kind, []).append(ur)
            of_kind.append(groups)
        for i, (kind, count) in enumerate(kinds.items(), start=1):
            cells = [vn.rate_cell(subtotal(r.indicator, g[kind])[2]) if kind in g else ""
                     for r, g in zip(results, of_kind)]
            rows.append({"no": str(i), "name": _kind_name(model, kind, count), "cells": cells})
    else:
        by_code = [{x.unit.code: x for x in r.units} for r in results]
        for i, unit in enumerate(units, start=1):
            values = []
            for r, of_unit in zip(results, by_code):
                ur = of_unit.get(unit.code)
                values.append("" if ur is None else _cell_rate(ur, r))
            rows.append({"no": str(i), "name": unit.name, "cells": values})
    key = "commune" if communes else "district"
    total = []
    for r in results:
        sub = r.subtotals.get(key)
        total.append(vn.rate_cell(sub[2]) if sub else "")
    rows.append({"no": "", "name": "Cộng", "cells": total})
    heading = ("A. Các xã, thị trấn (tỷ lệ %)" if communes else "B. Các phòng, ban, đoàn thể cấp huyện (tỷ lệ %)")
    return {"heading": heading, "columns": [r.indicator.label for r in results], "rows": rows}


def _sum_rows(model: ReportModel, per_unit: list[tuple[Any, list[int | None]]], width: int) -> list[dict[str, Any]]:
    """Rows of per-unit figures added up by kind of unit: (unit, figures) -> one row per kind, in order of
    appearance; a column no unit of the kind reported stays empty (None: not reported)."""
    sums: dict[str, list[int | None]] = {}
    counts: dict[str, int] = {}
    for unit, figures in per_unit:
        acc = sums.setdefault(unit.kind, [None] * width)
        for j, n in enumerate(figures):
            if n is not None:
                acc[j] = n + (acc[j] or 0)
        counts[unit.kind] = counts.get(unit.kind, 0) + 1
    return [{"no": str(i), "name": _kind_name(model, kind, counts[kind]),
             "cells": [vn.number(n) if n is not None else "" for n in acc]}
            for i, (kind, acc) in enumerate(sums.items(), start=1)]


def _activity_matrices(model: ReportModel, by_kind: bool = False) -> list[dict[str, Any]]:
    """Biểu 02: one unit x activity table per task group (a few columns each, so labels stay readable);
    ``by_kind``: one row per kind of unit instead of one per unit."""
    out = []
    for task in model.catalog.plan.tasks:
        acts = [a for a in model.activities_of(task.code) if a.reporters]
        if not acts:
            continue
        counts = [{u.code: v for u, v in a.values} for a in acts]  # per activity, by unit code, built once
        units = [u for u in model.expected if any(u.code in of_unit for of_unit in counts)]
        if by_kind:
            rows = _sum_rows(model, [(u, [of_unit.get(u.code) for of_unit in counts]) for u in units], len(acts))
        else:
            rows = []
            for i, unit in enumerate(units, start=1):
                cells = []
                for of_unit in counts:
                    n = of_unit.get(unit.code)
                    cells.append(vn.number(n) if n is not None else "")
                rows.append({"no": str(i), "name": unit.name, "cells": cells})
        rows.append({"no": "", "name": "Toàn huyện", "cells": [vn.number(a.total) for a in acts]})
        out.append({"heading": f"{task.number}. {task.title}", "columns": [f"{a.label} ({a.measure})" for a in acts],
                    "rows": rows})
    return out


def _funding_matrix(model: ReportModel, by_kind: bool = False) -> dict[str, Any] | None:
    from .form_layout import FUNDING_SOURCES

    if not model.funding:
        return None
    if by_kind:
        rows = _sum_rows(model, [(r.unit, [r.amounts.get(s, 0) for s, _ in FUNDING_SOURCES] + [r.total])
                                 for r in model.funding], len(FUNDING_SOURCES) + 1)
    else:
        rows = [{"no": str(i), "name": r.unit.name, "cells": [vn.number(r.amounts.get(s, 0)) for s, _ in FUNDING_SOURCES]
                 + [vn.number(r.total)]} for i, r in enumerate(model.funding, start=1)]
    rows.append({"no": "", "name": "Toàn huyện", "cells": [vn.number(model.funding_total(s)) for s, _ in FUNDING_SOURCES]
                 + [vn.number(model.funding_total())]})
    return {"heading": "", "columns": [label.split(" (")[0] + " (đồng)" for _, label in FUNDING_SOURCES]
            + ["Tổng cộng (đồng)"], "rows": rows}


def _ranges(numbers: list[int]) -> str:
    """``1–5``, ``1–3, 5``: row numbers as runs (a word joiner after the dash: a run never breaks a line)."""
    runs: list[list[int]] = []
    for n in numbers:
        if runs and n == runs[-1][-1] + 1:
            runs[-1].append(n)
        else:
            runs.append([n])
    return ", ".join(f"{r[0]}\u2013\u2060{r[-1]}" if len(r) > 2 else ", ".join(map(str, r)) for r in runs)


def _reported_only_note(pb, group) -> str:
    """The note under a target group's table when a count over communes is a rate among those that reported:
    "100,0%" beside "21/22 đạt; 01 chưa báo cáo" reads as every commune; the note says over how many it is.
    One sentence per distinct set of communes without figures (usually one for the whole table)."""
    parts: dict[tuple, list[str]] = {}
    for i, r in enumerate(group.indicators, start=1):
        if r.indicator.kind != STATUS or r.rate is None or r.denominator >= r.expected_count:
            continue
        missing = tuple(vn.in_sentence(u.unit.name) for u in (*r.not_reported, *r.excluded))
        parts.setdefault((r.denominator, r.expected_count, missing, bool(r.excluded)), []).append(i)
    notes = [pb.say("bc.table.reported_only", rows=_ranges(rows), reported=reported, expected=expected, missing=list(missing),
                    excluded=excluded, population=pb.labels.get("communes", "xã, thị trấn"))
             for (reported, expected, missing, excluded), rows in parts.items()]
    return " ".join(str(n) for n in notes)


def report_context(model: ReportModel, issued: _dt.date, number: str = BLANK_NUMBER,
                   charts: dict[str, Any] | None = None) -> dict[str, Any]:
    """Return the template context of the báo cáo: strings and lists only, every sentence from the phrasebook.

    ``charts`` (group code -> :class:`pipeline.charts.GroupChart`, from :func:`pipeline.charts.yearly_trend`)
    puts the district's series so far under each target group; they become native Word charts in
    :func:`render_template`.
    """
    cat = model.catalog
    plan = cat.plan
    pb = wording.phrasebook(inputs_dir(model))
    prof = doc_profile(model, "bc")
    year = model.year
    ms = model.milestone
    groups = []
    for gi, g in enumerate(model.groups, start=1):
        rows = [{"no": str(i), "name": r.indicator.name,
                 "target": wording.target_text(r.target, year, r.path_value, wording.held_before(r)),
                 "counts": wording.counts_text(r), "rate": vn.percent(r.rate) if r.rate is not None else "–",
                 "status": wording.status_text(r)} for i, r in enumerate(g.indicators, start=1)]
        chart = (charts or {}).get(g.group.code)
        groups.append({"heading": f"{gi}. {g.group.title}", "rows": rows, "table_note": _reported_only_note(pb, g),
                       "sentences": wording.indicator_sentences(pb, g.indicators, year),
                       "chart": chart if chart else "",
                       "chart_caption": pb.say("bc.chart.caption", number=gi, title=g.group.title,
                                               label=f"{plan.period[0]}\u2013{year}") if chart else "",
                       # the panels carry the plan's short labels: their abbreviations, explained
                       "chart_note": _note_of(wording.glossary(pb, [p.title for p in chart.panels])) if chart else ""})
    f = dict(year=year, milestone=ms.title if ms else "", milestone_year=ms.year if ms else year,
             baseline_year=ms.baseline if ms else None, maintained=_has_constant_path(plan, year))
    if model.is_milestone_year:
        targets_intro = pb.say("bc.targets.intro.milestone", **f)
    elif ms and ms.baseline == year:
        targets_intro = pb.say("bc.targets.intro.baseline", **f)
    else:
        targets_intro = pb.say("bc.targets.intro.path", **f)
    # numbered biểu: 01 indicators by unit, 02 activities by unit, 03 funding by unit (only those with data);
    # a district of more units than office.yaml's unit_rows_max gets them by kind of unit, each unit in the workbook
    tables = []
    by_kind = len(model.expected) > unit_rows_max(model)
    ind_tables = [m for m in (_matrix(model, True, by_kind), _matrix(model, False, by_kind)) if m]
    act = _activity_matrices(model, by_kind)
    fund = _funding_matrix(model, by_kind)
    for title, mats, sheets in (
            ("KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU THEO ĐƠN VỊ NĂM {y}", ind_tables, unit_matrix_sheets(model)),
            ("KẾT QUẢ THỰC HIỆN CÁC NHIỆM VỤ THEO ĐƠN VỊ NĂM {y}", act, [ACTIVITY_SHEET]),
            ("KINH PHÍ THỰC HIỆN THEO ĐƠN VỊ NĂM {y}", [fund] if fund else [], [FUNDING_SHEET])):
        if mats:
            label = f"Biểu {len(tables) + 1:02d}"
            detail = pb.say("bc.bieu.by_kind", expected=len(model.expected), table=label, name=workbook_name(year),
                            where=[f"“{s}”" for s in sheets]) if by_kind else ""
            tables.append({"label": label, "title": title.format(y=year), "matrices": mats, "detail": detail})
    label = {t["title"].split(" THEO")[0]: t["label"][5:] for t in tables}
    act_table = label.get("KẾT QUẢ THỰC HIỆN CÁC NHIỆM VỤ", "")
    fund_table = label.get("KINH PHÍ THỰC HIỆN", "")
    tasks = [{"heading": f"{t.number}. {t.title}", "entries": wording.task_lines(pb, model, t.code, act_table, i)}
             for i, t in enumerate(plan.tasks)]
    for t in tables:
        # the note explains the signs and every abbreviation the biểu's headers and cells show
        shown = [c for mat in t["matrices"] for c in mat["columns"]] + \
            [c for mat in t["matrices"] for r in mat["rows"] for c in [r["name"], *r["cells"]]]
        words = wording.glossary(pb, shown)
        cells = {c for mat in t["matrices"] for r in mat["rows"] for c in r["cells"]}
        # each sign explained only where the table shows it
        signs = [("tỷ lệ tính bằng tử số chia mẫu số do đơn vị báo cáo", True),
                 ("“Đạt”, “Chưa đạt”: chỉ tiêu đánh giá theo xã và chỉ tiêu về trung tâm học tập cộng đồng của xã "
                  "(mỗi xã một trung tâm)", bool(cells & {"Đạt", "Chưa đạt"})),
                 ("“Chưa tính”: số liệu chưa hợp lý, đã đề nghị đơn vị kiểm tra lại, chưa tính vào tổng hợp",
                  "Chưa tính" in cells),
                 ("“–”: đơn vị chưa gửi báo cáo", "–" in cells)]
        lead = ("; ".join(text for text, shown_here in signs if shown_here)
                if t["label"] == "Biểu 01" else
                # the blank cell explained only where there is one (Biểu 03 of the funding has none)
                "ô để trống: đơn vị không báo cáo nội dung này"
                if any(c == "" for mat in t["matrices"] for r in mat["rows"] for c in r["cells"]) else "")
        parts = [x for x in (lead, words) if x]
        t["note"] = f"Ghi chú: {'; '.join(parts)}." if parts else ""
    return {
        "office": prof["office"], "number": number, "type_abbr": "BC", "symbol": prof["symbol"],
        "date_line": vn.issue_date(cat.office.place, issued), "appendix_date": _appendix_date(issued),
        "year": str(year), "next_year": str(year + 1),
        "subject": f"Kết quả thực hiện Kế hoạch xây dựng xã hội học tập năm {year}",
        "kinh_gui": _kinh_gui(prof["to"]),
        "intro": pb.say("bc.intro", plan_number=plan.number, plan_date=vn.short_date(plan.date),
                        plan_issuer=plan.issuer, plan_title=plan.title, office=prof["office"]["full_name"], year=year),
        "direction": wording.direction_lines(pb, model, issued),
        "targets_intro": targets_intro,
        "groups": groups,
        "tasks_intro": pb.say("bc.tasks.intro", year=year, table=act_table, by_kind=by_kind),
        "tasks": tasks,
        "components": wording.component_lines(pb, model),
        "funding": wording.funding_lines(pb, model, fund_table),
        "assessment": wording.assessment(pb, model),
        "directions": wording.directions(pb, model),
        "proposals": wording.proposals(pb, model),
        "closing": pb.say("bc.closing", year=year, office=prof["office"]["full_name"]),
        "recipients": _recipients(prof["recipients"], prof["drafting"]),
        "signer": prof["signer"],
        "tables": tables,
    }


def _communes_word(units, communes: str) -> str:
    """"xã" when every one of ``units`` is a xã, "thị trấn" when every one is a thị trấn, else ``communes``
    ("xã, thị trấn"): "01 xã", never "01 xã, thị trấn" for one commune."""
    kinds = {"xã" if u.name.startswith("Xã ") else "thị trấn" if u.name.startswith("Thị trấn ") else "" for u in units}
    return kinds.pop() if len(kinds) == 1 and "" not in kinds else communes


def _gap_cell(r, goal: float | None, communes: str = "xã, thị trấn") -> str:
    """KH table: what remains to reach next year's goal; for communes meeting a standard, a count of communes."""
    if r.indicator.kind == STATUS:
        rest = r.failing()  # communes known not to meet the standard (not those that did not report)
        return (f"{vn.count2(len(rest))} {_communes_word([u.unit for u in rest], communes)}"
                if rest and goal is not None and goal >= 100 else "–")
    if goal is None or r.rate is None or vn.shown_rate(r.rate) >= vn.round_half_up(goal, 1):
        return "–"
    return f"{vn.points(vn.round_half_up(goal, 1) - vn.shown_rate(r.rate))} điểm phần trăm"


def _cell(text: str) -> str:
    return text.strip().rstrip(";.,").strip()


def _in_full(pb, text: str) -> str:
    """The plan's text with the abbreviations of the phrasebook's ``full_words`` written in full ("các trường THPT"
    -> "các trường trung học phổ thông"); a document symbol ("111-KH/UBND") is left as it is."""
    import re

    for abbr, words in pb.full_words.items():
        text = re.sub(rf"(?<![\w/-]){re.escape(abbr)}(?![\w/-])", words, text)
    return text


def _this_year(pb, text: str, year: int) -> str:
    """A duty the plan sets "every year" said for the KH's own year ("Hằng năm tổ chức “Tuần lễ …”" ->
    "Năm 2018 tổ chức “Tuần lễ …”", phrasebook ``kh.item.this_year``); the words are ``labels.every_year``."""
    for words in (w.strip() for w in pb.labels.get("every_year", "").split(",")):
        if words and text.startswith((words + " ", words + ",")):
            return str(pb.say("kh.item.this_year", year=year, text=text[len(words):].lstrip(", ")))
    return text


def _bullet(text: str) -> str:
    """A "-" line of the KH: it starts with a capital letter (the plan writes some duties after a colon, in
    lower case: "a) Ủy ban Mặt trận …: tham gia tuyên truyền …") and ends with a full stop (the plan ends some
    with ";", others in the same list with "."); an office named inside it is capitalised as NĐ 30 writes agency
    names ("phối hợp với phòng Giáo dục và Đào tạo" -> "Phòng Giáo dục và Đào tạo")."""
    import re

    text = vn.upper_first(text.strip())
    text = re.sub(r"(?<!\w)phòng (\w)", lambda m: ("Phòng " if m.group(1).isupper() else "phòng ") + m.group(1), text)
    text = text[:-1] + "." if text.endswith((";", ",")) else text if text.endswith((".", "…", "!", "?")) else text + "."
    return f"- {text}"


def plan_context(model: ReportModel, issued: _dt.date, number: str = BLANK_NUMBER,
                 report_ref: str = "", request_ref: str = "") -> dict[str, Any]:
    """Return the template context of the kế hoạch for the year after ``model.year`` (a draft for UBND huyện)."""
    report_ref = report_ref or _report_ref(model, issued)
    cat = model.catalog
    plan, office = cat.plan, cat.office
    pb = wording.phrasebook(inputs_dir(model))
    prof = doc_profile(model, "kh")
    year = model.year + 1
    ms = plan.milestone_for(year)
    groups = []
    for g in model.groups:
        rows, sentences = [], []
        for r in g.indicators:
            t = plan.target_for(r.indicator.code, year)
            if t is None:
                continue
            goal, how = wording.kh_goal(model, r, year)
            path = wording.next_path(model, r, year)
            rows.append({"no": str(len(rows) + 1), "name": r.indicator.name,
                         "target": ("Tăng so với năm trước" if t.kind == "increase" else
                                    vn.percent(goal) if how == "path" else pb.say("kh.cell." + how, goal=goal)),
                         "result": (wording.counts_text(r) if r.indicator.kind == STATUS
                                    else vn.percent(r.rate) if r.rate is not None else "–"),
                         "gap": _gap_cell(r, goal, pb.labels.get("communes", "xã, thị trấn"))})
            if r.indicator.kind == STATUS and r.failing():
                sentences.append(pb.say("kh.target.status_gap", name=r.indicator.name, year=year,
                                        failing=len(r.failing()), expected=r.expected_count,
                                        # "còn lại" and the count all reach only when the units named are all
                                        # that remain (not when a unit that did not report is short of it too)
                                        rest=r.numerator + len(r.failing()) == r.expected_count,
                                        reached=(r.expected_count if goal is not None and goal >= 100
                                                 and r.numerator + len(r.failing()) == r.expected_count else None),
                                        among=pb.labels.get("communes", ""),
                                        population=_communes_word([u.unit for u in r.failing()],
                                                                  pb.labels.get("communes", "")),
                                        units=wording.names([u.unit for u in r.failing()])))
            elif how != "path" and goal > vn.round_half_up(path, 1):
                # the plan's lộ trình is below the level already reached: say why the goal is higher
                sentences.append(pb.say("kh.target." + how, name=r.indicator.name, year=year, goal=goal,
                                        prev_year=model.year, rate=r.rate, path=path, target=t.value,
                                        milestone_year=t.year, plan_number=plan.number))
            elif (goal is not None and r.rate is not None and r.indicator.kind != STATUS
                  and vn.shown_rate(r.rate) < vn.round_half_up(goal, 1) and r.weakest()):
                # the goal, the result and the gap are the table's row: the sentence adds only where to work
                sentences.append(pb.say("kh.target.gap", name=r.indicator.name, year=year, goal=goal,
                                        gap=vn.round_half_up(goal, 1) - vn.shown_rate(r.rate), prev_year=model.year, rate=r.rate,
                                        units=[vn.in_sentence(u.unit.name) for u in r.weakest()]))
            elif (goal is not None and r.rate is not None and r.indicator.kind != STATUS
                  and vn.shown_rate(r.rate) < vn.round_half_up(goal, 1) and (tie := wording.lowest_tie(r))):
                # the lowest units tie beyond the three the line names: the tie whole, as the BC says it
                sentences.append(pb.say("kh.target.gap.tie", name=r.indicator.name, prev_year=model.year,
                                        **wording.tie_facts(pb, tie)))
        if rows:
            groups.append({"heading": f"{g.group.code}) {g.group.title}", "rows": rows, "sentences": sentences})
    focus = {code: (pick, fell) for code, pick, fell in wording.focus_tasks(model)}
    tasks = []
    for t in plan.tasks:
        lines = []
        if t.code in focus:
            pick, fell = focus[t.code]
            targets = [pb.say("kh.focus.target", name=vn.lower_first(r.indicator.name), prev_year=model.year,
                              result=wording.counts_text(r) if r.indicator.kind == STATUS else vn.percent(r.rate),
                              goal=(None if r.indicator.kind == STATUS else wording.kh_goal(model, r, year)[0]),
                              year=year) for r in pick]
            fell = [f"{vn.lower_first(a.label)} ({vn.count2(a.total)} {a.measure}, giảm {vn.count2(-a.change)})"
                    for a in fell]
            lines.append(pb.say("kh.focus", year=year, prev_year=model.year, targets=targets,
                                milestone_year=ms.year if ms else None, items=fell[:2]))
        lines += [_bullet(_this_year(pb, _in_full(pb, t.item_for(item, year)), year)) for item in t.items]
        for part in t.parts:
            lines.append({"label": f"{part.label}) {part.title}:"})
            lines += [_bullet(_this_year(pb, _in_full(pb, item), year)) for item in part.items]
        tasks.append({"heading": f"{t.number}. {t.title}" + (" (trọng tâm)" if t.code in focus else ""), "lines": lines})

    def duties(b) -> list[str]:
        """A body's duties, its part in the component plans as the annex says (one source for both): a duty
        naming a component plan the body does not lead becomes its coordination; a component plan the body
        leads that none of its duties names is added."""
        comps = [c for c in plan.component_plans if c.named_in_duties]
        out, named = [], set()
        for d in b.duties:
            mine = [c for c in comps if c.named_in_duties.casefold() in d.casefold()]
            named |= {c.number for c in mine}
            wrong = [c for c in mine if b.units and not set(b.units) & set(c.lead_units)]
            if wrong:
                out += [pb.say("kh.org.coordinate_component", lead=c.lead, name=c.name) for c in wrong]
            else:
                out.append(_component_names(d, mine))
        for c in comps:
            if b.units and set(b.units) & set(c.lead_units) and c.number not in named:
                out.append(pb.say("kh.org.lead_component", name=c.name,
                                  coordinators=c.coordinators.strip().rstrip(";.").strip()))
        return [_bullet(_in_full(pb, x)) for x in out]

    def body_lines(b) -> list[str]:
        lines = duties(b)
        for mem in b.members:
            lines.append({"label": f"{mem.number}) {mem.title}:"})
            lines += duties(mem)
        return lines

    parts = [(b.title, body_lines(b)) for b in plan.bodies]
    staff = _staff_duty(pb, model, year)
    if staff:
        # a duty of the offices and communes themselves: placed with theirs, before the request to the mass
        # organisations ("Đề nghị các tổ chức …"), else it reads as part of that request
        at = next((i for i, (title, _) in enumerate(parts) if title.casefold().startswith("đề nghị")), len(parts))
        parts.insert(at, (pb.say("kh.org.staff.heading"), [_bullet(staff)]))
    bodies = [{"heading": f"{i}. {title}", "lines": lines} for i, (title, lines) in enumerate(parts, 1)]
    deadline = office.deadline(year)
    total = model.funding_total()
    f = dict(year=year, prev_year=model.year, plan_number=plan.number, milestone=ms.title if ms else "",
             milestone_year=ms.year if ms else None, lagging=len(model.lagging))
    f["path_rule"] = _path_rule(pb, plan, year)
    return {
        "office": prof["office"], "number": number, "type_abbr": "KH", "symbol": prof["symbol"],
        # the KH is UBND's: day and month left for UBND to set when it issues it (in the plan's year)
        "date_line": f"{office.place}, ngày {BLANK_DAY} tháng {BLANK_DAY} năm {model.year + 1}",
        "appendix_date": f"ngày {BLANK_DAY} tháng {BLANK_DAY} năm {model.year + 1}",
        "year": str(year), "prev_year": str(model.year),
        "subject": f"Xây dựng xã hội học tập năm {year}",
        "draft": "DỰ THẢO",
        "bases": [f"Căn cứ {b};" for b in plan.basis]
                 + [f"Căn cứ Kế hoạch số {plan.number} ngày {vn.short_date(plan.date)} của {plan.issuer} về "
                    f"{vn.lower_first(plan.title)};",
                    f"Căn cứ kết quả thực hiện Kế hoạch xây dựng xã hội học tập năm {model.year}"
                    + (f" ({report_ref})" if report_ref else "") + ";",
                    # NĐ 30: "Theo đề nghị của …" closes the căn cứ lines, with a full stop; the tờ trình that
                    # sends this draft (its number left blank for the Phòng's văn thư unless the register gave one)
                    pb.say("kh.request", office=office.full_name, request=request_ref or
                           f"Tờ trình số …/{doc_profile(model, 'ttr')['symbol']} "
                           f"ngày {vn.short_date(issued)}")],
        "intro": pb.say("kh.intro", **f),
        "purposes": [pb.say("kh.purpose", **f),
                     pb.say("kh.purpose.fix", items=[vn.lower_first(r.indicator.name) for r in model.lagging], **f)],
        "requirements": ["Các phòng, ban, đoàn thể và Ủy ban nhân dân các xã, thị trấn xây dựng kế hoạch của đơn vị, "
                         "bố trí nguồn lực và tổ chức thực hiện đúng tiến độ.",
                         "Số liệu báo cáo chính xác, đầy đủ, gửi đúng thời hạn theo biểu mẫu thống nhất."],
        "general_goal": plan.general_goal,
        "targets_intro": pb.say("kh.targets.intro", **f),
        "groups": groups,
        "tasks_intro": pb.say("kh.tasks.intro", **f),
        "tasks": tasks,
        "funding": list(plan.funding) + ([pb.say("kh.funding.last", total=total, **f)] if total else []),
        # section V opens with where the annex assigns the component plans, then the duties of each body
        "org_intro": f'{pb.say("kh.appendix", **f)} {pb.say("kh.org.intro", **f)}',
        "bodies": bodies,
        "calendar_heading": f"{len(bodies) + 1}. Chế độ báo cáo",
        "calendar": [pb.say("kh.reporting", office=office.full_name, deadline=vn.short_date(deadline), **f)],
        "closing": pb.say("kh.closing", **f),
        "recipients": _recipients(prof["recipients"], prof["drafting"]),
        "signer": prof["signer"],
        # table cells without the plan's closing ";" or "." (it ends some cells with one, some with none)
        "components": [{"no": str(c.number), "name": c.name, "content": c.content, "lead": _cell(c.lead),
                        "coordinators": _cell(c.coordinators)} for c in plan.component_plans],
        # the plan's own wording keeps its abbreviations: the annex explains them
        "components_note": _note_of(wording.glossary(pb, [x for c in plan.component_plans
                                                          for x in (c.name, c.content, c.lead, c.coordinators)])),
    }


def _component_names(duty: str, comps) -> str:
    """A duty of the plan's Section IV with each component plan it names said by the annex's name: the plan's
    duties call them otherwise ("kế hoạch phát triển giáo dục từ xa" for "Kế hoạch Phát triển đào tạo từ xa"),
    and the KH prints the annex too (one plan, one name)."""
    for c in comps:
        if c.name in duty:
            continue
        at = duty.casefold().find(c.named_in_duties.casefold())
        if at >= 0 and len(duty.casefold()) == len(duty):  # (casefold keeps the positions of Vietnamese text)
            rest = duty[at + len(c.named_in_duties):]
            # the duty's own words after the ones matched may be the end of the annex's name (", dòng họ, cộng
            # đồng dân cư"): said once
            k = next((k for k in range(min(len(rest), len(c.name)), 4, -1)
                      if c.name.casefold().endswith(rest[:k].casefold()) and (k == len(rest) or not rest[k].isalnum())),
                     0)
            duty = duty[:at] + c.name + rest[k:]
    return duty


def _has_constant_path(plan, year: int) -> bool:
    """Whether a target in force for ``year`` is kept at its level every year (``path: constant``, the plan's
    "duy trì"): the sentences on how the lộ trình is set say so beside the linear rule."""
    return any(plan.target_for(t.indicator, year) is t and t.path == "constant" and t.value is not None
               for t in plan.targets)


STAFF_POPULATIONS = ("cán bộ", "công chức")  # an indicator of the units' own staff: its population starts so


def _staff_duty(pb, model, year: int) -> str:
    """Section V's line for the targets on the units' own cán bộ, công chức, viên chức (groups b and c of plan 233):
    the plan's Section IV gives them to no body and its annex to no component plan, while every unit reports them
    for its own staff; the KH says so, naming the kinds of unit that report them (units.yaml) and where the targets
    stand in its section II.2. Empty when the plan has no such target."""
    cat = model.catalog
    plan = cat.plan
    staff = {i.code: i for i in plan.indicators
             if i.population.casefold().startswith(STAFF_POPULATIONS) and any(t.indicator == i.code for t in plan.targets)}
    if not staff:
        return ""
    groups = [g.code for g in plan.goal_groups if any(i.group == g.code for i in staff.values())]
    reporters = [u for u in cat.units if set(u.indicators) & set(staff) and u.expected_in(year)]
    who = []
    if any(not cat.is_commune(u) for u in reporters):
        who.append(pb.labels.get("district_units", "các phòng, ban, đơn vị cấp huyện"))
    if any(cat.is_commune(u) for u in reporters):
        who.append(pb.labels.get("commune_committees", "Ủy ban nhân dân các xã, thị trấn"))
    return pb.say("kh.org.staff", who=who, points=[f"điểm {g}" for g in groups], year=year)


def _path_rule(pb, plan, year: int) -> str:
    """How the lộ trình of ``year`` is set, in words (the KH and the tờ trình say it once each), or "" in a
    milestone year or when no target of ``year`` has a lộ trình computed from a baseline (aggregate.path_value)."""
    ms = plan.milestone_for(year)
    if ms is None or year == ms.year or ms.baseline is None or not any(
            t.path == "linear" and t.value is not None and plan.target_for(t.indicator, year) is t
            for t in plan.targets):
        return ""
    return str(pb.say("kh.path_rule", year=year, baseline_year=ms.baseline, milestone_year=ms.year,
                      plan_number=plan.number, maintained=_has_constant_path(plan, year)))


def _note_of(words: str) -> str:
    return f"Ghi chú: {words}." if words else ""


def _report_ref(model: ReportModel, issued: _dt.date) -> str:
    """The year's báo cáo, which the KH and the tờ trình rest on, when the register gave it no number: made the same
    day, its number left for the văn thư as on the báo cáo itself."""
    return f"Báo cáo số …/{doc_profile(model, 'bc')['symbol']} ngày {vn.short_date(issued)}"


def ttr_context(model: ReportModel, issued: _dt.date, number: str = BLANK_NUMBER, report_ref: str = "") -> dict:
    """The Phòng's tờ trình asking UBND huyện to issue next year's KH (one or two pages)."""
    report_ref = report_ref or _report_ref(model, issued)
    cat = model.catalog
    plan = cat.plan
    pb = wording.phrasebook(inputs_dir(model))
    prof = doc_profile(model, "ttr")
    year = model.year + 1
    ms = plan.milestone_for(year)
    f = dict(year=year, prev_year=model.year, plan_number=plan.number, plan_date=vn.short_date(plan.date),
             plan_issuer=plan.issuer, plan_title=plan.title, milestone=ms.title if ms else "",
             office=prof["office"]["full_name"], report_ref=report_ref, milestone_year=ms.year if ms else None)
    f["path_rule"] = _path_rule(pb, plan, year)
    lag = [vn.lower_first(r.indicator.name) for r in model.lagging]
    body = [pb.say("ttr.body", **f)]
    if lag:
        body.append(pb.say("ttr.focus", count=len(lag), items=lag, **f))
    kept = wording.kh_kept(model, year)
    if kept:  # the draft departs from the plan's lộ trình there: say so, and why
        body.append(pb.say("ttr.kept", count=len(kept), items=[
            pb.say("ttr.kept.item", name=vn.lower_first(r.indicator.name), rate=r.rate, path=p,
                   # a target already met reads as in the KH: above the plan's target (the KH's table shows no lộ trình)
                   target=(plan.target_for(r.indicator.code, year).value
                           if wording.kh_goal(model, r, year)[1] == "met" else None), **f)
            for r, _goal, p in kept], **f))
    body.append(pb.say("ttr.request", **f))
    return {"office": prof["office"], "number": number, "type_abbr": "TTr", "symbol": prof["symbol"],
            "date_line": vn.issue_date(cat.office.place, issued),
            "subject": f"Về việc ban hành Kế hoạch xây dựng xã hội học tập năm {year}",
            "kinh_gui": _kinh_gui(prof["to"]), "bases": [pb.say("ttr.basis", **f), pb.say("ttr.result", **f)],
            "body": body, "recipients": _recipients(prof["recipients"], prof["drafting"]), "signer": prof["signer"]}


def _appendix_date(issued: _dt.date) -> str:
    return vn.long_date(issued)


KEEP_WHOLE_ROWS = 12  # a unit table this short (below its header) moves to the next page whole instead of splitting
KEEP_LAST_ROWS = 4    # a longer one never leaves fewer rows than this (three and the total, under its repeated header)
                      # on its last page, and never starts with fewer than three rows at a page's foot


def _keep_table_end(tbl) -> None:
    """No orphan rows: the rows of a short unit table are kept with the next (the table moves whole, after
    its heading, which keeps with it); a long one keeps its first and its last rows together, so that the
    "Toàn huyện" row never stands alone on a new page and a table never starts with one row at a page's foot. The header row repeats and no row splits (set in the template)."""
    rows = tbl.findall(qn("w:tr"))
    body = rows[1:]
    keep = rows[:-1] if len(body) <= KEEP_WHOLE_ROWS else \
        rows[:KEEP_LAST_ROWS] + body[-KEEP_LAST_ROWS:-1]  # nor a header with fewer than three rows at a page's foot
    for tr in keep:
        for p in tr.iter(qn("w:p")):
            _keep_next(p)


KEEP_FIRST_ROWS = 2  # a KH target table keeps its heading, header and this many first rows on one page


def _keep_table_start(tbl) -> None:
    """A KH target table may break across pages: only its header and first rows are kept together (and with the
    heading above them, which keeps with the table), and its last two rows together; the rest flows. A whole table
    kept together left half a page blank before it."""
    rows = tbl.findall(qn("w:tr"))
    body = rows[1:]
    keep = set(rows[:1 + KEEP_FIRST_ROWS]) | ({body[-2]} if len(body) > KEEP_FIRST_ROWS + 1 else set())
    for tr in rows:
        for p in tr.iter(qn("w:p")):
            if tr in keep and tr is not rows[-1]:
                _keep_next(p)
            else:
                ppr = p.find(qn("w:pPr"))
                k = ppr.find(qn("w:keepNext")) if ppr is not None else None
                if k is not None:
                    ppr.remove(k)


def _keep_next(p) -> None:
    """Set "keep with next" on the ``w:p`` element ``p`` (plain lxml: the rendered body is not a python-docx
    document). ``w:keepNext`` goes right after ``w:pStyle``, where the schema puts it."""

    ppr = p.find(qn("w:pPr"))
    if ppr is None:
        ppr = etree.Element(qn("w:pPr"))
        p.insert(0, ppr)
    keep = ppr.find(qn("w:keepNext"))
    if keep is None:
        keep = etree.Element(qn("w:keepNext"))
        style = ppr.find(qn("w:pStyle"))
        ppr.insert(0 if style is None else list(ppr).index(style) + 1, keep)
    keep.attrib.pop(qn("w:val"), None)


# Times New Roman advance widths in em, by letter (diacritics add no width): what a cell's longest word needs
_NARROW, _WIDE = set("iljtfr"), set("mw")
_SIGNS = {",": 0.25, ".": 0.25, "/": 0.28, ":": 0.28, "(": 0.33, ")": 0.33, "%": 0.83, "\u2013": 0.5, "-": 0.33}


def _em(word: str) -> float:
    width = 0.0
    for ch in word:
        width += _char_em(ch)
    return width


@lru_cache(maxsize=None)
def _char_em(ch: str) -> float:
    base = unicodedata.normalize("NFD", ch.replace("đ", "d").replace("Đ", "D"))[0]
    if base.isdigit():
        return 0.5
    if base in _SIGNS:
        return _SIGNS[base]
    if base.isupper():
        return 0.33 if base == "I" else 0.72
    if base.isalpha():
        return 0.3 if base in _NARROW else 0.75 if base in _WIDE else 0.5
    return 0.5


MARGIN_TWIPS = 57  # 1 mm: the cell margins of the tables fitted here


def no_word_breaks(tbl, widths: list[int], fixed: int = 1, floor_mm: float = 28) -> list[int]:
    """``widths`` (twips) changed as little as needed so that no cell breaks inside a word or a figure ("Chư / a
    đạt", "CBCC / VC"): each column after the first ``fixed`` gets at least its longest word at the tables' sizes
    (header 8 pt bold, cells 10 pt) with its 1 mm margins, taken from the columns with room to spare, then from
    the last fixed column (the names: down to ``floor_mm``)."""
    mins = [0] * len(widths)
    for n, tr in enumerate(tbl.findall(qn("w:tr"))):
        size = 8 * 1.08 if n == 0 else 10.0
        for j, tc in enumerate(tr.findall(qn("w:tc"))):
            if j < fixed or j >= len(widths):
                continue
            text = "".join(t.text or "" for t in tc.iter(qn("w:t"))).strip()
            longest = max((_em(w) for w in text.split()), default=0.0)
            mins[j] = max(mins[j], int(longest * size * 20) + 2 * MARGIN_TWIPS + 30)  # 1,5 pt to spare
    out = list(widths)
    deficit = 0
    for j in range(fixed, len(out)):
        if out[j] < mins[j]:
            deficit += mins[j] - out[j]
            out[j] = mins[j]
    if not deficit:
        return widths
    spare = {j: out[j] - mins[j] for j in range(fixed, len(out)) if out[j] > mins[j]}
    room = sum(spare.values())
    take = min(deficit, room)
    for j, r in spare.items():
        out[j] -= take * r // room if room else 0
    deficit -= take
    if deficit > 0:
        out[fixed - 1] = max(mm_twips(floor_mm), out[fixed - 1] - deficit)
    return out


def narrow_cell_margins(tbl) -> None:
    """Left and right cell margins of 1 mm (``w:tblCellMar``), so that a figure has the column's width."""
    pr = tbl.find(qn("w:tblPr"))
    mar = etree.Element(qn("w:tblCellMar"))
    for side in ("left", "right"):
        e = etree.Element(qn(f"w:{side}"))
        e.set(qn("w:w"), str(MARGIN_TWIPS))
        e.set(qn("w:type"), "dxa")
        mar.append(e)
    old = pr.find(qn("w:tblCellMar"))
    if old is not None:
        pr.remove(old)
    # schema order: tblCellMar comes before tblLook, tblCaption and tblDescription (Word is strict)
    after = next((e for e in pr if e.tag in (qn("w:tblLook"), qn("w:tblCaption"), qn("w:tblDescription"))), None)
    if after is None:
        pr.append(mar)
    else:
        after.addprevious(mar)


def _fit_matrix_tables(doc) -> None:
    """Give the unit x indicator tables fixed first columns and share the rest equally.

    docxtpl's column loop (``{%tc %}``) splits the width evenly over all columns; the unit names
    need more room than the figures. Works on the XML directly (python-docx cell objects are slow).
    """
    w_val = qn("w:w")
    for tbl in doc.element.body.iter(qn("w:tbl")):
        first = tbl.find(qn("w:tr"))
        if first is None:
            continue
        heads = ["".join(t.text or "" for t in tc.iter(qn("w:t"))).strip() for tc in first.findall(qn("w:tc"))[:3]]
        if heads[:2] == ["STT", "Chỉ tiêu"] and len(heads) == 3 and heads[2].startswith("Chỉ tiêu năm"):
            _keep_table_start(tbl)  # the KH's target tables
            continue
        if heads[:2] != ["STT", "Đơn vị"]:
            continue
        grid = tbl.find(qn("w:tblGrid")).findall(qn("w:gridCol"))
        total = sum(int(g.get(w_val)) for g in grid)
        fixed = [mm_twips(10), mm_twips(40)]
        rest = max(1, (total - sum(fixed)) // max(1, len(grid) - 2))
        widths = fixed + [rest] * (len(grid) - 2)
        # no header word cut ("CBCC / VC", "TTHT / CĐ"): narrow margins, the columns widened where needed
        set_column_widths(tbl, no_word_breaks(tbl, widths, fixed=2, floor_mm=32))
        narrow_cell_margins(tbl)
        _keep_table_end(tbl)


def render_template(template: Path, context: dict[str, Any], out: Path, issued: _dt.date, title: str,
                    orthography: str = "new") -> Path:
    """Fill ``template`` with ``context`` through :func:`pipeline.templating.fill_docx` (fitted unit tables)."""
    from .templating import fill_docx

    return fill_docx(template, context, out, issued, title, orthography, after=_fit_matrix_tables,
                     prepare=bind_charts)
