"""Render the báo cáo (DOCX) from the result model through a Word template in ``templates/``.

:func:`report_context` turns a :class:`ReportModel` into plain strings and lists (all formatting
happens here, none in the template); :func:`render_template` fills a docxtpl template with it.
Rendering is strict: an undefined variable is an error naming the template and the variable, and
every value is XML-escaped, so text from submissions can never become template code or markup.
"""

from __future__ import annotations

import datetime as _dt
import io
from pathlib import Path
from typing import Any

from . import vnformat as vn
from . import wording
from .aggregate import ReportModel
from .errors import RenderError
from .plan import STATUS
from .store import write_stable_zip

BLANK_NUMBER = "     "  # left blank for the văn thư: "Số:      /BC-PGDĐT"


def _recipients(first: list[str], cc: tuple[str, ...], drafting_unit: str) -> list[str]:
    lines = [f"- {r};" for r in first] + [f"- {r};" for r in cc]
    lines.append(f"- Lưu: VT{', ' + drafting_unit if drafting_unit else ''}.")
    return lines


def _office(model: ReportModel) -> dict[str, Any]:
    o = model.catalog.office
    return {"parent": o.parent, "name": o.name, "abbreviation": o.abbreviation, "full_name": o.full_name}


def _unit_entries(entries) -> list[str]:
    """``- Unit A, Unit B: first line`` then the text's further lines, each its own paragraph, unaltered."""
    out = []
    for units, text in entries:
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        out.append(f"- {', '.join(u.name for u in units)}: {lines[0]}")
        out += lines[1:]
    return out


def _matrix(model: ReportModel, communes: bool) -> dict[str, Any] | None:
    cat = model.catalog
    units = [u for u in model.expected if cat.is_commune(u) == communes and u.indicators]
    codes = {u.code for u in units}  # membership by code: O(1), not a dataclass comparison per unit
    results = [r for r in model.indicators if any(ur.unit.code in codes for ur in r.units)]
    if not units or not results:
        return None
    received = {u.unit for u in model.validation.received}
    rows = []
    by_code = [{x.unit.code: x for x in r.units} for r in results]
    for i, unit in enumerate(units, start=1):
        values = []
        for r, of_unit in zip(results, by_code):
            ur = of_unit.get(unit.code)
            if ur is None:
                values.append("")
            elif unit.code not in received:
                values.append("—")
            elif not ur.valid:
                values.append("Lỗi")
            elif r.indicator.kind == STATUS:
                values.append(ur.status_value or "")
            else:
                values.append(vn.number(vn.round_half_up(ur.rate, 1), 1) if ur.rate is not None else "")
        rows.append({"no": str(i), "name": unit.name, "cells": values})
    total = []
    for r in results:
        mine = [u for u in r.units if u.counts and u.unit.code in codes]
        num = sum(u.numerator or 0 for u in mine) if r.indicator.kind != STATUS \
            else sum(1 for u in mine if u.status_value == r.indicator.status_success)
        den = sum(u.denominator or 0 for u in mine) if r.indicator.kind != STATUS else len(mine)
        total.append(vn.number(vn.round_half_up(100 * num / den, 1), 1) if den else "")
    rows.append({"no": "", "name": "Tổng hợp", "cells": total})
    heading = ("A. Các xã, thị trấn (tỷ lệ %)" if communes else "B. Các phòng, ban, đơn vị, đoàn thể cấp huyện (tỷ lệ %)")
    return {"heading": heading, "columns": [r.indicator.label for r in results], "rows": rows}


def report_context(model: ReportModel, issued: _dt.date, number: str = BLANK_NUMBER) -> dict[str, Any]:
    """Return the template context of the báo cáo: strings and lists only."""
    cat = model.catalog
    plan, office = cat.plan, cat.office
    year = model.year
    milestone_year = model.milestone.year if model.milestone else None
    groups = []
    for gi, g in enumerate(model.groups, start=1):
        rows = [{"no": str(i), "name": r.indicator.name, "target": wording.target_text(r.target),
                 "counts": wording.counts_text(r), "rate": vn.percent(r.rate) if r.rate is not None else "—",
                 "status": wording.status_text(r)} for i, r in enumerate(g.indicators, start=1)]
        groups.append({"heading": f"{gi}. {g.group.title}", "rows": rows,
                       "sentences": [wording.indicator_sentence(r, year, milestone_year) for r in g.indicators]})
    tasks, commune_tasks = [], []
    n_communes = sum(1 for u in model.expected if cat.is_commune(u))
    for t in model.tasks:
        task = plan.task(t.code)
        body = [(units, text) for units, text in t.entries if not any(cat.is_commune(u) for u in units)]
        body += [([u for u in units if not cat.is_commune(u)], text) for units, text in t.entries
                 if any(cat.is_commune(u) for u in units) and not all(cat.is_commune(u) for u in units)]
        comm = [([u for u in units if cat.is_commune(u)], text) for units, text in t.entries
                if any(cat.is_commune(u) for u in units)]
        entries = _unit_entries(body)
        reporters = {u.code for units, _ in comm for u in units}
        if reporters:
            entries.append(f"- Các xã, thị trấn: {len(reporters)}/{n_communes} đơn vị báo cáo kết quả thực hiện "
                           "nhóm nhiệm vụ này (chi tiết tại Phụ lục II).")
            commune_tasks.append({"heading": f"{task.number}. {task.title}", "entries": _unit_entries(comm)})
        if not entries:
            entries = ["Chưa có đơn vị báo cáo kết quả thực hiện nhóm nhiệm vụ này."]
        tasks.append({"heading": f"{task.number}. {task.title}", "entries": entries})
    matrices = [m for m in (_matrix(model, True), _matrix(model, False)) if m]
    s = office.signer
    return {
        "office": _office(model),
        "number": number,
        "type_abbr": "BC",
        "date_line": vn.issue_date(office.place, issued),
        "appendix_date": _appendix_date(issued),
        "year": str(year),
        "next_year": str(year + 1),
        "subject": f"Kết quả thực hiện Kế hoạch xây dựng xã hội học tập năm {year}",
        "recipient": office.report_recipient,
        "intro": (f"Thực hiện Kế hoạch số {plan.number} ngày {vn.short_date(plan.date)} của {plan.issuer} về "
                  f"{plan.title[0].lower() + plan.title[1:]}, {office.full_name} tổng hợp báo cáo kết quả thực hiện "
                  f"năm {year} như sau:"),
        "completeness": wording.completeness_sentences(model),
        "targets_intro": (f"Kết quả thực hiện các chỉ tiêu năm {year} so với "
                          + (f"{model.milestone.title[0].lower() + model.milestone.title[1:]} của Kế hoạch" if model.milestone
                             else "Kế hoạch") + " (tỷ lệ tính bằng tổng tử số chia tổng mẫu số của các đơn vị):"),
        "groups": groups,
        "tasks": tasks,
        "commune_tasks": commune_tasks or [{"heading": "Chưa có xã, thị trấn nào báo cáo.", "entries": []}],
        "funding": wording.funding_sentences(model),
        "assessment": wording.assessment(model),
        "directions": wording.directions(model),
        "proposals": wording.proposals(model),
        "closing": (f"Trên đây là báo cáo kết quả thực hiện Kế hoạch xây dựng xã hội học tập năm {year} của "
                    f"{office.full_name}./."),
        "recipients": _recipients(["Như trên"], office.report_cc, office.drafting_unit),
        "signer": {"authority": s.authority or s.title, "title": s.title if s.authority else "", "name": s.name},
        "matrices": matrices,
        "matrix_note": ("Ghi chú: tỷ lệ tính bằng tử số chia mẫu số do đơn vị báo cáo; \"Lỗi\": số liệu có lỗi, "
                        "không được tính vào tổng hợp; \"—\": đơn vị chưa gửi báo cáo."),
    }


def plan_context(model: ReportModel, issued: _dt.date, number: str = BLANK_NUMBER,
                 report_ref: str = "") -> dict[str, Any]:
    """Return the template context of the kế hoạch for the year after ``model.year``."""
    cat = model.catalog
    plan, office = cat.plan, cat.office
    year = model.year + 1
    milestone = plan.milestone_for(year)
    short_groups = {r.indicator.group for r in model.indicators if r.status == "chua_dat"}
    groups = []
    for g in model.groups:
        rows, sentences = [], []
        for r in g.indicators:
            t = plan.target_for(r.indicator.code, year)
            if t is None:
                continue
            rows.append({"no": str(len(rows) + 1), "name": r.indicator.name, "target": wording.target_text(t),
                         "result": vn.percent(r.rate) if r.rate is not None else "—",
                         "gap": wording.gap_text(t, r.rate)})
            sentence = wording.plan_target_sentence(r, t, year)
            if sentence:
                sentences.append(sentence)
        if rows:
            groups.append({"heading": f"{g.group.code}) {g.group.title}", "rows": rows, "sentences": sentences})
    focus = []
    for g in plan.goal_groups:
        if g.code in short_groups:
            focus += [t for t in g.tasks if t not in focus]
    tasks = []
    for t in plan.tasks:
        lines = []
        if t.code in focus:
            lines.append(f"Trọng tâm năm {year}: tập trung thực hiện để đạt các chỉ tiêu năm {model.year} chưa đạt.")
        lines += [f"- {item}" for item in t.items]
        for part in t.parts:
            lines.append(f"{part.label}) {part.title}:")
            lines += [f"- {item}" for item in part.items]
        tasks.append({"heading": f"{t.number}. {t.title}" + (" (trọng tâm)" if t.code in focus else ""), "lines": lines})

    def body_lines(b) -> list[str]:
        lines = [f"- {d}" for d in b.duties]
        for m in b.members:
            lines.append(f"{m.number}) {m.title}:")
            lines += [f"- {d}" for d in m.duties]
        return lines

    bodies = [{"heading": f"{b.number}. {b.title}", "lines": body_lines(b)} for b in plan.bodies]
    deadline = office.deadline(year)
    total = model.funding_total()
    s = office.signer
    ref = f" ({report_ref})" if report_ref else ""
    return {
        "office": _office(model),
        "number": number,
        "type_abbr": "KH",
        "date_line": vn.issue_date(office.place, issued),
        "appendix_date": _appendix_date(issued),
        "year": str(year),
        "prev_year": str(model.year),
        "subject": f"Xây dựng xã hội học tập năm {year}",
        "bases": [f"Căn cứ {b};" for b in plan.basis]
                 + [f"Căn cứ Kế hoạch số {plan.number} ngày {vn.short_date(plan.date)} của {plan.issuer} về "
                    f"{plan.title[0].lower() + plan.title[1:]};",
                    f"Căn cứ kết quả thực hiện Kế hoạch xây dựng xã hội học tập năm {model.year}{ref}."],
        "intro": f"{office.full_name} xây dựng Kế hoạch xây dựng xã hội học tập năm {year} như sau:",
        "purposes": [f"Tiếp tục triển khai có hiệu quả Kế hoạch số {plan.number}, phấn đấu đạt các chỉ tiêu theo "
                     + (f"{milestone.title[0].lower() + milestone.title[1:]}" if milestone else "Kế hoạch") + ".",
                     f"Khắc phục những tồn tại, hạn chế của năm {model.year}; tập trung vào các chỉ tiêu chưa đạt."],
        "requirements": ["Các phòng, ban, đoàn thể và Ủy ban nhân dân các xã, thị trấn xây dựng kế hoạch của đơn vị, "
                         "bố trí nguồn lực và tổ chức thực hiện đúng tiến độ.",
                         "Số liệu báo cáo chính xác, đầy đủ, gửi đúng thời hạn theo biểu mẫu thống nhất."],
        "general_goal": plan.general_goal,
        "targets_intro": (f"Các chỉ tiêu năm {year} theo "
                          + (f"{milestone.title[0].lower() + milestone.title[1:]}" if milestone else "Kế hoạch")
                          + f" của Kế hoạch số {plan.number}, so với kết quả năm {model.year}:"),
        "groups": groups,
        "tasks_intro": (f"Thực hiện các nhóm nhiệm vụ, giải pháp tại mục II của Kế hoạch số {plan.number}; "
                        "các nhóm ghi \"trọng tâm\" liên quan đến chỉ tiêu năm " + str(model.year) + " chưa đạt."),
        "tasks": tasks,
        "funding": list(plan.funding)
                   + ([f"Năm {model.year}, tổng kinh phí các đơn vị báo cáo là {vn.number(total)} đồng; các đơn vị "
                       f"chủ động cân đối kinh phí năm {year} để thực hiện các nhiệm vụ trọng tâm."] if total else []),
        "bodies": bodies,
        "calendar_heading": f"{len(bodies) + 1}. Chế độ báo cáo",
        "calendar": [f"Các phòng, ban, đoàn thể và Ủy ban nhân dân các xã, thị trấn báo cáo kết quả thực hiện năm "
                     f"{year} theo biểu mẫu của {office.full_name}, gửi trước ngày "
                     f"{deadline.day:02d}/{deadline.month:02d}/{deadline.year} để tổng hợp, báo cáo cấp trên."],
        "closing": (f"Trên đây là Kế hoạch xây dựng xã hội học tập năm {year}. {office.full_name} đề nghị các đơn "
                    "vị triển khai thực hiện./."),
        "recipients": _recipients([], office.plan_recipients, office.drafting_unit),
        "signer": {"authority": s.authority or s.title, "title": s.title if s.authority else "", "name": s.name},
        "components": [{"no": str(c.number), "name": c.name, "content": c.content, "lead": c.lead,
                        "coordinators": c.coordinators} for c in plan.component_plans],
    }


def _appendix_date(issued: _dt.date) -> str:
    month = f"{issued.month:02d}" if issued.month < 3 else str(issued.month)
    return f"ngày {issued.day:02d} tháng {month} năm {issued.year}"


def _fit_matrix_tables(doc) -> None:
    """Give the unit x indicator tables fixed first columns and share the rest equally.

    docxtpl's column loop (``{%tc %}``) splits the width evenly over all columns; the unit names
    need more room than the figures. Works on the XML directly (python-docx cell objects are slow).
    """
    from docx.oxml.ns import qn
    from docx.shared import Mm

    w_val, w_type = qn("w:w"), qn("w:type")
    for tbl in doc.element.body.iter(qn("w:tbl")):
        first = tbl.find(qn("w:tr"))
        if first is None:
            continue
        heads = ["".join(t.text or "" for t in tc.iter(qn("w:t"))).strip() for tc in first.findall(qn("w:tc"))[:2]]
        if heads != ["STT", "Đơn vị"]:
            continue
        grid = tbl.find(qn("w:tblGrid")).findall(qn("w:gridCol"))
        total = sum(int(g.get(w_val)) for g in grid)
        fixed = [int(Mm(10).twips), int(Mm(40).twips)]
        rest = max(1, (total - sum(fixed)) // max(1, len(grid) - 2))
        widths = fixed + [rest] * (len(grid) - 2)
        for g, w in zip(grid, widths):
            g.set(w_val, str(w))
        for tr in tbl.findall(qn("w:tr")):
            for tc, w in zip(tr.findall(qn("w:tc")), widths):
                tcw = tc.find(qn("w:tcPr") + "/" + qn("w:tcW"))
                if tcw is not None:
                    tcw.set(w_val, str(w))
                    tcw.set(w_type, "dxa")


def _environment():
    from jinja2 import StrictUndefined
    from jinja2.sandbox import SandboxedEnvironment

    return SandboxedEnvironment(undefined=StrictUndefined, autoescape=True)


def render_template(template: Path, context: dict[str, Any], out: Path, issued: _dt.date, title: str) -> Path:
    """Fill ``template`` with ``context`` and save to ``out`` with stable bytes; raise RenderError on failure."""
    from docxtpl import DocxTemplate
    from jinja2 import TemplateError

    if not Path(template).is_file():
        raise RenderError(f"Không tìm thấy mẫu văn bản {template}.")
    try:
        tpl = DocxTemplate(str(template))
        tpl.render(context, jinja_env=_environment(), autoescape=True)
    except TemplateError as exc:
        where = getattr(exc, "docx_context", None)
        hint = f" Đoạn văn bản mẫu liên quan: {' | '.join(where)}" if where else ""
        raise RenderError(f"Mẫu {Path(template).name}: lỗi khi điền dữ liệu: {exc.message or exc}.{hint}") from exc
    except Exception as exc:  # a broken .docx or an XML error inside docxtpl
        raise RenderError(f"Mẫu {Path(template).name} không dùng được: {exc}.") from exc
    stamp = _dt.datetime.combine(issued, _dt.time(8, 0))
    props = tpl.docx.core_properties
    props.created = stamp
    props.modified = stamp
    props.last_printed = stamp
    props.revision = 1
    props.title = title
    props.author = context["office"]["full_name"]
    props.last_modified_by = context["office"]["full_name"]
    _fit_matrix_tables(tpl.docx)
    buffer = io.BytesIO()
    tpl.save(buffer)
    write_stable_zip(buffer.getvalue(), out, stamp)
    return out
