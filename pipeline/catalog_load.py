"""Read ``plan.yaml``, ``units.yaml``, ``office.yaml`` and ``rules.yaml`` into a :class:`Catalog` and check them.

:func:`load_catalog` reads the files, checks every entry and the references between them, and raises
one :class:`CatalogError` listing every problem (file, entry, what is wrong) so a broken file is
fixed in one pass. The classes it builds are in :mod:`pipeline.catalog`.
"""

from __future__ import annotations

import datetime as _dt
import pickle
import re
from dataclasses import replace
from functools import lru_cache
from pathlib import Path
from typing import Any


from .catalog import (FIELDS, OFFICE_FILE, PATH_KINDS, PLAN_FILE, RATIO, RULE_OPS, RULES_FILE, STATUS, TARGET_KINDS,
                      UNITS_FILE, Activity, Body, Catalog, ComponentPlan, GoalGroup, Indicator, Milestone, Office,
                      Outliers, Plan, Rule, Signer, Target, TaskGroup, EndedItem, TaskPart, Term, Unit, UnitKind)
from . import yamlfile
from .errors import CatalogError

_CODE_RE = re.compile(r"^[A-Za-z0-9_.\-]+$")


def parse_expression(expr: str) -> tuple[Term, ...] | None:
    """Parse ``A.numerator + B.denominator - 5`` into terms; None if malformed."""
    tokens = re.findall(r"\s*([+-])?\s*([A-Za-z0-9_.\-]+)", str(expr))
    if not tokens or "".join(f"{s}{t}" for s, t in tokens).replace(" ", "") != str(expr).replace(" ", ""):
        return None
    terms = []
    for sign, token in tokens:
        k = -1 if sign == "-" else 1
        if token.isdigit():
            terms.append(Term(k, constant=int(token)))
        elif "." in token and token.rsplit(".", 1)[1] in FIELDS:
            code, fld = token.rsplit(".", 1)
            terms.append(Term(k, code, fld))
        else:
            return None
    return tuple(terms)



# --------------------------------------------------------------------------------------------
# Reading


class _Reader:
    """Typed access to a YAML tree that records problems instead of raising on the first one."""

    def __init__(self, file: Path, problems: list[str]):
        self.file = file
        self.problems = problems

    def problem(self, where: str, what: str) -> None:
        self.problems.append(f"{self.file.name}, mục {where}: {what}")

    def get(self, d: Any, key: str, where: str, kind: type | tuple = str, required: bool = True,
            default: Any = None) -> Any:
        if not isinstance(d, dict):
            self.problem(where, "phải là một bảng khóa: giá trị.")
            return default
        if key not in d or d[key] is None or d[key] == "":
            if required:
                self.problem(where, f"thiếu trường bắt buộc '{key}'.")
            return default
        value = d[key]
        if kind is str and isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            self.problem(f"{where}.{key}", f"kiểu dữ liệu không đúng (nhận được {value!r}).")
            return default
        if isinstance(value, str):
            value = value.strip()
        return value

    def code(self, d: Any, where_prefix: str, seen: set[str], noun: str) -> tuple[str, str]:
        """Read a unique code; return (code, the entry's name for messages)."""
        code = self.get(d, "code", where_prefix, default="")
        where = f"{where_prefix} ({code})" if code else where_prefix
        if code and not _CODE_RE.match(code):
            self.problem(where, f"mã {noun} chỉ được gồm chữ không dấu, số, '_', '-' và '.'.")
        if code in seen:
            self.problem(where, f"mã {noun} '{code}' bị trùng.")
        seen.add(code)
        return code, where

    def strs(self, d: Any, key: str, where: str, required: bool = False) -> tuple[str, ...]:
        value = self.get(d, key, where, list, required=required, default=[])
        out = []
        for i, v in enumerate(value or []):
            if isinstance(v, (str, int)) and not isinstance(v, bool):
                out.append(str(v).strip())
            else:
                self.problem(f"{where}.{key}[{i}]", f"phải là chuỗi ký tự (nhận được {v!r}).")
        return tuple(out)

    def date(self, d: Any, key: str, where: str, required: bool = False) -> _dt.date | None:
        value = self.get(d, key, where, (str, _dt.date), required=required)
        if value is None or isinstance(value, _dt.date):
            return value
        try:
            return _dt.date.fromisoformat(value)
        except ValueError:
            self.problem(f"{where}.{key}", f"ngày '{value}' không đúng dạng YYYY-MM-DD.")
            return None

    def year_range(self, d: Any, key: str, where: str) -> tuple[int, int]:
        value = self.get(d, key, where, list, default=[])
        if (len(value) != 2 or not all(isinstance(v, int) for v in value) or value[0] > value[1]):
            if value:
                self.problem(f"{where}.{key}", f"phải là [năm đầu, năm cuối] (nhận được {value!r}).")
            return (0, 0)
        return (value[0], value[1])


def _read_bytes(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


def _load_yaml(path: Path, problems: list[str], data: bytes | None = None) -> Any:
    if not path.is_file():
        problems.append(f"Không tìm thấy tệp {path}.")
        return None
    try:
        text = (path.read_bytes() if data is None else data).decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        problems.append(f"{path.name}: không đọc được tệp ({exc}). Tệp phải được lưu dạng UTF-8.")
        return None
    try:
        return yamlfile.parse(text)
    except yamlfile.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (dòng {mark.line + 1}, cột {mark.column + 1})" if mark else ""
        problems.append(f"{path.name}{where}: sai cú pháp YAML: {getattr(exc, 'problem', exc)}.")
        return None


def _parse_plan(r: _Reader, doc: Any) -> Plan | None:
    root = r.get(doc, "plan", "plan", dict)
    if root is None:
        return None
    code = r.get(root, "code", "plan")
    date = r.date(root, "date", "plan", required=True)
    period = r.year_range(root, "period", "plan")

    milestones = []
    for i, m in enumerate(r.get(root, "milestones", "plan", list, default=[])):
        w = f"milestones[{i}]"
        base = r.get(m, "baseline", w, int, required=False, default=None)
        applies = r.year_range(m, "applies", w)
        if base is not None and not (applies[0] - 1 <= base <= applies[1]):
            r.problem(w, f"năm cơ sở {base} phải nằm trong khoảng {applies[0] - 1}-{applies[1]}.")
        milestones.append(Milestone(r.get(m, "year", w, int, default=0), r.get(m, "title", w, default=""),
                                    applies, base))

    groups = []
    for i, g in enumerate(r.get(root, "goal_groups", "plan", list, default=[])):
        w = f"goal_groups[{i}]"
        groups.append(GoalGroup(r.get(g, "code", w, default=""), r.get(g, "title", w, default=""),
                                r.strs(g, "tasks", w)))
    group_codes = {g.code for g in groups}

    indicators: list[Indicator] = []
    seen: set[str] = set()
    for i, d in enumerate(r.get(root, "indicators", "plan", list, default=[])):
        icode, w = r.code(d, f"indicators[{i}]", seen, "chỉ tiêu")
        group = r.get(d, "group", w, default="")
        if group and group not in group_codes:
            r.problem(w, f"nhóm mục tiêu '{group}' không có trong goal_groups.")
        kind = r.get(d, "kind", w, default="")
        common = dict(code=icode, group=group, name=r.get(d, "name", w, default=""), kind=kind,
                      population=r.get(d, "population", w, default=""),
                      short_name=r.get(d, "short_name", w, required=False, default=""))
        if kind == RATIO:
            num = r.get(d, "numerator", w, dict, default={})
            den = r.get(d, "denominator", w, dict, default={})
            indicators.append(Indicator(
                **common, numerator_label=r.get(num, "label", f"{w}.numerator", default=""),
                denominator_label=r.get(den, "label", f"{w}.denominator", default=""),
                unit_label=r.get(num, "unit", f"{w}.numerator", required=False, default="người")))
        elif kind == STATUS:
            st = r.get(d, "status", w, dict, default={})
            options = r.strs(st, "options", f"{w}.status", required=True)
            success = r.get(st, "success", f"{w}.status", default="")
            if success and success not in options:
                r.problem(f"{w}.status", f"giá trị đạt '{success}' không nằm trong options.")
            indicators.append(Indicator(**common, status_question=r.get(st, "question", f"{w}.status", default=""),
                                        status_options=options, status_success=success))
        else:
            r.problem(w, f"kind phải là '{RATIO}' hoặc '{STATUS}' (nhận được {kind!r}).")
    ind_codes = {i.code for i in indicators}

    ms_by_year = {m.year: m for m in milestones}
    targets = []
    tseen: set[tuple[str, int]] = set()
    for i, d in enumerate(r.get(root, "targets", "plan", list, default=[])):
        ind = r.get(d, "indicator", f"targets[{i}]", default="")
        year = r.get(d, "year", f"targets[{i}]", int, default=0)
        w = f"targets[{i}] ({ind}, {year})"
        if ind and ind not in ind_codes:
            r.problem(w, f"chỉ tiêu '{ind}' không có trong indicators.")
        if (ind, year) in tseen:
            r.problem(w, "trùng chỉ tiêu cho cùng một mốc năm.")
        tseen.add((ind, year))
        if year and year not in ms_by_year:
            r.problem(w, f"năm {year} không phải là một mốc trong milestones.")
        kind = r.get(d, "kind", w, default="")
        if kind and kind not in TARGET_KINDS:
            r.problem(w, f"kind phải là một trong {', '.join(TARGET_KINDS)} (nhận được '{kind}').")
        value = d.get("value") if isinstance(d, dict) else None
        if kind == "increase":
            if value is not None:
                r.problem(w, "chỉ tiêu loại 'increase' không có giá trị (value phải để trống).")
            value = None
        elif not isinstance(value, (int, float)) or isinstance(value, bool):
            r.problem(w, f"thiếu giá trị chỉ tiêu (value) dạng số phần trăm (nhận được {value!r}).")
            value = None
        elif not 0 <= value <= 100:
            r.problem(w, f"giá trị chỉ tiêu {value} nằm ngoài khoảng 0-100%.")
        m = ms_by_year.get(year)
        path, path_values = _parse_path(r, d, w, kind, m)
        targets.append(Target(ind, year, kind, float(value) if value is not None else None,
                              r.get(d, "quote", w, default=""), m.applies if m else (0, 0), path, path_values))

    tasks = []
    for i, d in enumerate(r.get(root, "tasks", "plan", list, default=[])):
        w = f"tasks[{i}]"
        parts = tuple(TaskPart(r.get(p, "label", f"{w}.parts[{j}]", default=""),
                               r.get(p, "title", f"{w}.parts[{j}]", default=""),
                               r.strs(p, "items", f"{w}.parts[{j}]"))
                      for j, p in enumerate(r.get(d, "parts", w, list, required=False, default=[])))
        items = r.strs(d, "items", w)
        ended = []
        for j, e in enumerate(r.get(d, "ended", w, list, required=False, default=[])):
            we = f"{w}.ended[{j}]"
            x = EndedItem(r.get(e, "item", we, default=""), r.get(e, "until", we, int, default=0),
                          r.get(e, "later", we, default=""))
            if x.item and not any(i.startswith(x.item) for i in items):
                r.problem(we, f"không có mục nào của nhóm bắt đầu bằng '{x.item}'.")
            ended.append(x)
        tasks.append(TaskGroup(r.get(d, "code", w, default=""), r.get(d, "number", w, int, default=0),
                               r.get(d, "title", w, default=""), items, parts, tuple(ended)))
    task_codes = {t.code for t in tasks}
    for g in groups:
        for t in g.tasks:
            if t not in task_codes:
                r.problem(f"goal_groups ({g.code})", f"nhóm nhiệm vụ '{t}' không có trong tasks.")

    org = r.get(root, "organisation", "plan", dict, default={})

    def body(d: Any, w: str) -> Body:
        return Body(r.get(d, "number", w, default=""), r.get(d, "title", w, default=""),
                    r.strs(d, "units", w), r.strs(d, "unit_kinds", w), r.strs(d, "duties", w),
                    tuple(body(m, f"{w}.members[{j}]")
                          for j, m in enumerate(r.get(d, "members", w, list, required=False, default=[]))))

    bodies = tuple(body(d, f"organisation.bodies[{i}]")
                   for i, d in enumerate(r.get(org, "bodies", "organisation", list, default=[])))
    comps = []
    for i, d in enumerate(r.get(root, "component_plans", "plan", list, default=[])):
        w = f"component_plans[{i}]"
        comps.append(ComponentPlan(r.get(d, "number", w, int, default=0), r.get(d, "name", w, default=""),
                                   r.get(d, "content", w, default=""), r.get(d, "lead", w, default=""),
                                   r.strs(d, "lead_units", w), r.get(d, "coordinators", w, default=""),
                                   r.strs(d, "coordinator_units", w), r.strs(d, "indicators", w),
                                   r.strs(d, "activities", w),
                                   r.get(d, "named_in_duties", w, required=False, default="")))
    return Plan(code=code or "", number=r.get(root, "number", "plan", default=""), date=date or _dt.date(1900, 1, 1),
                issuer=r.get(root, "issuer", "plan", default=""), title=r.get(root, "title", "plan", default=""),
                period=period, basis=r.strs(root, "basis", "plan"),
                general_goal=r.get(root, "general_goal", "plan", required=False, default=""),
                milestones=tuple(milestones), goal_groups=tuple(groups), indicators=tuple(indicators),
                targets=tuple(targets), tasks=tuple(tasks), funding=r.strs(root, "funding", "plan"),
                bodies=bodies, closing=r.get(org, "closing", "organisation", required=False, default=""),
                component_plans=tuple(comps), activities=_parse_activities(r, root, [t.code for t in tasks]))


def _parse_activities(r: "_Reader", root: Any, task_codes: list[str]) -> tuple[Activity, ...]:
    """Read ``plan.activities``: the counts of Section II, each tied to its task group."""
    out = []
    seen: set[str] = set()
    for i, d in enumerate(r.get(root, "activities", "plan", list, required=False, default=[]) or []):
        code, w = r.code(d, f"activities[{i}]", seen, "hoạt động")
        task = r.get(d, "task", w, default="")
        if task and task not in task_codes:
            r.problem(w, f"nhóm nhiệm vụ '{task}' không có trong tasks.")
        out.append(Activity(code, task, r.get(d, "label", w, default=""), r.get(d, "unit", w, default=""),
                            r.get(d, "stock", w, bool, required=False, default=False)))
    order = {t: i for i, t in enumerate(task_codes)}
    return tuple(sorted(out, key=lambda a: order.get(a.task, len(order))))  # by task group, file order within one


def _parse_path(r: _Reader, d: Any, w: str, kind: str, m: Milestone | None) -> tuple[str, tuple]:
    """The lộ trình of one target: ``path: linear | constant | none`` or ``path: {values: {2016: 96, …}}``."""
    default = {"increase": "none", "maintain": "constant"}.get(kind, "linear")
    raw = d.get("path", default) if isinstance(d, dict) else default
    if isinstance(raw, dict):
        values = raw.get("values")
        if not isinstance(values, dict) or not values:
            r.problem(w, "path: cần 'values' là các cặp năm: giá trị (lộ trình theo từng năm của Kế hoạch).")
            return "none", ()
        out = []
        for y, v in values.items():
            if not isinstance(y, int) or not isinstance(v, (int, float)) or isinstance(v, bool) or not 0 <= v <= 100:
                r.problem(w, f"path.values: năm {y!r} với giá trị {v!r} không hợp lệ (năm: số nguyên, giá trị 0-100).")
                continue
            if m and not (m.applies[0] <= y <= m.applies[1]):
                r.problem(w, f"path.values: năm {y} nằm ngoài khoảng áp dụng {m.applies[0]}-{m.applies[1]}.")
            out.append((y, float(v)))
        return "values", tuple(sorted(out))
    if raw not in PATH_KINDS or raw == "values":
        r.problem(w, f"path phải là linear, constant, none hoặc {{values: …}} (nhận được {raw!r}).")
        return default, ()
    if kind == "increase" and raw != "none":
        r.problem(w, "chỉ tiêu loại 'increase' không có lộ trình (path: none).")
        return "none", ()
    if raw == "linear" and m is not None and m.baseline is None:
        r.problem(w, f"lộ trình 'linear' cần năm cơ sở (baseline) của mốc {m.year} trong milestones.")
    return raw, ()


def _parse_units(r: _Reader, doc: Any) -> tuple[tuple[Unit, ...], dict[str, UnitKind]]:
    kinds = {}
    for code, d in (r.get(doc, "kinds", "kinds", dict, default={}) or {}).items():
        kinds[str(code)] = UnitKind(str(code), r.get(d, "name", f"kinds.{code}", default=str(code)),
                                    bool(d.get("commune", False)) if isinstance(d, dict) else False,
                                    r.get(d, "prefix", f"kinds.{code}", required=False, default=""))
    profiles = r.get(doc, "profiles", "profiles", dict, default={}) or {}
    units = []
    seen: set[str] = set()
    for i, d in enumerate(r.get(doc, "units", "units", list, default=[])):
        code, w = r.code(d, f"units[{i}]", seen, "đơn vị")
        kind = r.get(d, "kind", w, default="")
        if kind and kind not in kinds:
            r.problem(w, f"loại đơn vị '{kind}' không có trong kinds.")
        prof_name = r.get(d, "profile", w, required=False, default=None)
        prof = {}
        if prof_name is not None:
            prof = profiles.get(prof_name)
            if not isinstance(prof, dict):
                r.problem(w, f"hồ sơ báo cáo (profile) '{prof_name}' không có trong profiles.")
                prof = {}
        inds = r.strs(prof, "indicators", f"profiles.{prof_name}") + r.strs(d, "extra_indicators", w)
        tasks = r.strs(prof, "tasks", f"profiles.{prof_name}") + r.strs(d, "extra_tasks", w)
        acts = r.strs(prof, "activities", f"profiles.{prof_name}") + r.strs(d, "extra_activities", w)
        vf, vt = r.date(d, "valid_from", w), r.date(d, "valid_to", w)
        if vf and vt and vf > vt:
            r.problem(w, f"valid_from ({vf}) sau valid_to ({vt}).")
        units.append(Unit(code=code, name=r.get(d, "name", w, default=""),
                          short_name=r.get(d, "short_name", w, required=False, default="") or r.get(d, "name", w, default=""),
                          kind=kind, indicators=tuple(dict.fromkeys(inds)), tasks=tuple(dict.fromkeys(tasks)),
                          gso_code=r.get(d, "gso_code", w, required=False, default=""), valid_from=vf, valid_to=vt,
                          successors=r.strs(d, "successors", w), predecessors=r.strs(d, "predecessors", w),
                          activities=tuple(dict.fromkeys(acts))))
    return tuple(units), kinds


def _parse_office(r: _Reader, doc: Any) -> Office | None:
    o = r.get(doc, "office", "office", dict)
    if o is None:
        return None
    s = r.get(o, "signer", "office", dict, default={})
    rep = r.get(o, "report", "office", dict, default={})
    pl = r.get(o, "plan", "office", dict, default={})
    deadline = r.get(o, "submission_deadline", "office", default="12-15")
    try:
        month, day = (int(x) for x in deadline.split("-"))
        _dt.date(2000, month, day)
    except ValueError:
        r.problem("office.submission_deadline", f"phải có dạng MM-DD (nhận được '{deadline}').")
        month, day = 12, 15
    return Office(parent=r.get(o, "parent", "office", default=""), name=r.get(o, "name", "office", default=""),
                  full_name=r.get(o, "full_name", "office", default=""),
                  abbreviation=r.get(o, "abbreviation", "office", default=""),
                  place=r.get(o, "place", "office", default=""),
                  drafting_unit=r.get(o, "drafting_unit", "office", required=False, default=""),
                  signer=Signer(r.get(s, "authority", "office.signer", required=False, default=""),
                                r.get(s, "title", "office.signer", default=""), r.get(s, "name", "office.signer", default="")),
                  report_recipient=r.get(rep, "recipient", "office.report", default=""),
                  report_cc=r.strs(rep, "recipients_cc", "office.report"),
                  plan_recipients=r.strs(pl, "recipients", "office.plan"),
                  submission_deadline=(month, day),
                  correction_days=r.get(o, "correction_days", "office", int, required=False, default=5),
                  unit=str(r.get(o, "unit", "office", required=False, default="") or ""))


def _parse_rules(r: _Reader, doc: Any, plan: Plan | None) -> tuple[tuple[Rule, ...], Outliers]:
    codes = {i.code: i for i in plan.indicators} if plan else {}
    rules = []
    for i, d in enumerate(r.get(doc, "rules", "rules", list, required=False, default=[]) or []):
        code = r.get(d, "code", f"rules[{i}]", default=f"rule-{i}")
        w = f"rules[{i}] ({code})"
        sides = {}
        for side in ("left", "right"):
            text = r.get(d, side, w, (str, int), default="")
            terms = parse_expression(str(text)) if text != "" else None
            if terms is None:
                r.problem(w, f"biểu thức {side} '{text}' không đúng dạng CHỈ_TIÊU.numerator/denominator và số nguyên.")
                terms = ()
            for t in terms:
                if t.indicator and t.indicator not in codes:
                    r.problem(w, f"chỉ tiêu '{t.indicator}' không có trong {PLAN_FILE}.")
                elif t.indicator and codes[t.indicator].kind != RATIO:
                    r.problem(w, f"chỉ tiêu '{t.indicator}' là chỉ tiêu trạng thái, không có tử số/mẫu số.")
            sides[side] = (terms, str(text))
        op = r.get(d, "op", w, default="")
        if op not in RULE_OPS:
            r.problem(w, f"phép so sánh '{op}' phải là một trong {' '.join(RULE_OPS)}.")
        severity = r.get(d, "severity", w, required=False, default="error")
        if severity not in ("error", "warning"):
            r.problem(w, f"severity phải là error hoặc warning (nhận được '{severity}').")
        missing = r.get(d, "missing", w, required=False, default="skip")
        if missing not in ("skip", "warning", "error"):
            r.problem(w, f"missing phải là skip, warning hoặc error (nhận được '{missing}').")
        rules.append(Rule(code, sides["left"][0], op, sides["right"][0], severity, missing,
                          r.get(d, "message", w, default=""), f"{sides['left'][1]} {op} {sides['right'][1]}"))
    o = r.get(doc, "outliers", "outliers", dict, required=False, default={}) or {}
    outliers = Outliers(o.get("max_change_points"), o.get("max_change_percent"), o.get("min_denominator"))
    return tuple(rules), outliers


def _cross_check(plan: Plan, units: tuple[Unit, ...], kinds: dict[str, UnitKind],
                 problems: list[str]) -> None:
    ind_codes = {i.code for i in plan.indicators}
    task_codes = {t.code for t in plan.tasks}
    unit_codes = {u.code for u in units}
    reported: set[str] = set()
    for i, u in enumerate(units):
        w = f"{UNITS_FILE}, mục units[{i}] ({u.code})"
        for c in u.indicators:
            if c not in ind_codes:
                problems.append(f"{w}: chỉ tiêu '{c}' không có trong {PLAN_FILE}.")
        for c in u.tasks:
            if c not in task_codes:
                problems.append(f"{w}: nhóm nhiệm vụ '{c}' không có trong {PLAN_FILE}.")
        for c in u.successors + u.predecessors:
            if c not in unit_codes:
                problems.append(f"{w}: đơn vị kế thừa/tiền thân '{c}' không có trong {UNITS_FILE}.")
        reported.update(u.indicators)
    for i in plan.indicators:
        if i.code not in reported:
            problems.append(f"{PLAN_FILE}, mục indicators ({i.code}): không có đơn vị nào báo cáo chỉ tiêu này "
                            f"(thêm mã vào một profile hoặc extra_indicators trong {UNITS_FILE}).")

    def walk(bodies: tuple[Body, ...]):
        for b in bodies:
            yield b
            yield from walk(b.members)

    for b in walk(plan.bodies):
        for c in b.units:
            if c not in unit_codes:
                problems.append(f"{PLAN_FILE}, mục organisation ({b.number}. {b.title}): đơn vị '{c}' không có trong {UNITS_FILE}.")
        for k in b.unit_kinds:
            if k not in kinds:
                problems.append(f"{PLAN_FILE}, mục organisation ({b.number}. {b.title}): loại đơn vị '{k}' không có trong {UNITS_FILE}.")
    duties = [d.casefold() for b in walk(plan.bodies) for d in b.duties]
    for c in plan.component_plans:
        if c.named_in_duties and not any(c.named_in_duties.casefold() in d for d in duties):
            problems.append(f"{PLAN_FILE}, mục component_plans ({c.number}): '{c.named_in_duties}' (named_in_duties) "
                            f"không có trong nhiệm vụ nào của mục organisation.")
        for code in c.lead_units + c.coordinator_units:
            if code not in unit_codes:
                problems.append(f"{PLAN_FILE}, mục component_plans ({c.number}): đơn vị '{code}' không có trong {UNITS_FILE}.")
    for y in range(plan.period[0], plan.period[1] + 1):
        if plan.milestone_for(y) is None:
            problems.append(f"{PLAN_FILE}, mục milestones: năm {y} của giai đoạn không thuộc mốc nào (applies).")


def _check_activities(plan: Plan, units: tuple[Unit, ...], problems: list[str]) -> None:
    """Each unit's activities exist and belong to one of its task groups; each activity has a reporter."""
    acts = {a.code: a for a in plan.activities}
    reported: set[str] = set()
    for i, u in enumerate(units):
        w = f"{UNITS_FILE}, mục units[{i}] ({u.code})"
        for c in u.activities:
            if c not in acts:
                problems.append(f"{w}: hoạt động '{c}' không có trong {PLAN_FILE} (mục activities).")
            elif acts[c].task not in u.tasks:
                problems.append(f"{w}: hoạt động '{c}' thuộc nhóm nhiệm vụ {acts[c].task}, nhưng đơn vị không báo cáo "
                                f"nhóm nhiệm vụ này (thêm {acts[c].task} vào tasks hoặc extra_tasks).")
        reported.update(u.activities)
    inds = {i.code for i in plan.indicators}
    for c in plan.component_plans:
        w = f"{PLAN_FILE}, mục component_plans ({c.number})"
        problems += [f"{w}: chỉ tiêu '{x}' không có trong mục indicators." for x in c.indicators if x not in inds]
        problems += [f"{w}: hoạt động '{x}' không có trong mục activities." for x in c.activities if x not in acts]
    for a in plan.activities:
        if a.code not in reported:
            problems.append(f"{PLAN_FILE}, mục activities ({a.code}): không có đơn vị nào báo cáo hoạt động này "
                            f"(thêm mã vào activities của một profile hoặc extra_activities trong {UNITS_FILE}).")


def load_catalog(inputs: Path | str) -> Catalog:
    """Read ``plan.yaml``, ``units.yaml`` and ``office.yaml`` from ``inputs`` and check them.

    Raises :class:`CatalogError` listing every problem found in the three files.
    """
    inputs = Path(inputs)
    # the files' bytes, read once: the key of the catalogs already checked in this process (the web app
    # and the tests load the same files many times; parsing and checking them costs 15 ms, a copy 1 ms)
    data = {name: _read_bytes(inputs / name) for name in (PLAN_FILE, UNITS_FILE, OFFICE_FILE, RULES_FILE)}
    key = tuple(data.values())
    if key in _CHECKED:
        # the same contents: a copy, with the paths of this folder (the only thing a catalog keeps of where it is)
        catalog = pickle.loads(_CHECKED[key])
        return replace(catalog, files={name: inputs / name for name in catalog.files})
    catalog = _load_catalog(inputs, data)
    if len(_CHECKED) >= 8:
        _CHECKED.pop(next(iter(_CHECKED)))
    _CHECKED[key] = pickle.dumps(catalog, protocol=pickle.HIGHEST_PROTOCOL)
    return catalog


# catalogs checked in this process, pickled (each caller gets its own copy), by the contents of their files
_CHECKED: dict[tuple, bytes] = {}


def _load_catalog(inputs: Path, data: dict[str, bytes | None]) -> Catalog:
    problems: list[str] = []
    files = {name: inputs / name for name in (PLAN_FILE, UNITS_FILE, OFFICE_FILE)}
    docs = {name: _load_yaml(path, problems, data[name]) for name, path in files.items()}
    plan = units = kinds = office = None
    if docs[PLAN_FILE] is not None:
        plan = _parse_plan(_Reader(files[PLAN_FILE], problems), docs[PLAN_FILE])
    if docs[UNITS_FILE] is not None:
        units, kinds = _parse_units(_Reader(files[UNITS_FILE], problems), docs[UNITS_FILE])
    if docs[OFFICE_FILE] is not None:
        office = _parse_office(_Reader(files[OFFICE_FILE], problems), docs[OFFICE_FILE])
    rules, outliers = (), Outliers()
    if (inputs / RULES_FILE).is_file():  # optional
        files[RULES_FILE] = inputs / RULES_FILE
        doc = _load_yaml(files[RULES_FILE], problems, data[RULES_FILE])
        if doc is not None:
            rules, outliers = _parse_rules(_Reader(files[RULES_FILE], problems), doc, plan)
    if office is not None and units is not None and office.unit and office.unit not in {u.code for u in units}:
        problems.append(f"{OFFICE_FILE}, mục office.unit: mã đơn vị '{office.unit}' không có trong {UNITS_FILE}.")
    if plan is not None and units is not None and not problems:
        _cross_check(plan, units, kinds, problems)
        _check_activities(plan, units, problems)
    if problems or plan is None or units is None or office is None:
        raise CatalogError(problems or ["Dữ liệu không đầy đủ."])
    return Catalog(plan=plan, units=units, kinds=kinds, office=office, files=files, rules=rules, outliers=outliers)


def office_section(catalog) -> dict:
    """The ``office`` section of the catalog's office.yaml as written (the parts read where they are used:
    ``documents``, ``letters``, ``orthography``), parsed once per process and file version; empty when absent."""
    path = (getattr(catalog, "files", None) or {}).get(OFFICE_FILE)
    try:
        return _office_section(str(path), Path(path).stat().st_mtime_ns) if path else {}
    except OSError:
        return {}


@lru_cache(maxsize=4)
def _office_section(path: str, _mtime: int) -> dict:
    try:
        doc = yamlfile.read(path)
    except (OSError, UnicodeDecodeError, yamlfile.YAMLError):
        return {}
    office = doc.get("office") if isinstance(doc, dict) else None
    return office if isinstance(office, dict) else {}
