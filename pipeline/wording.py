"""Vietnamese sentences drafted from the result model, in the phrasing of an official report.

Pure functions from model objects to strings: no I/O, no templates. The Word templates place these
strings; units' own texts are passed through unchanged (only attributed and de-duplicated).
"""

from __future__ import annotations

from . import vnformat as vn
from .aggregate import EXCEEDED, MET, NO_BASELINE, NO_DATA, NO_TARGET, NOT_MET, IndicatorResult, ReportModel
from .plan import STATUS, Target


def target_text(t: Target | None) -> str:
    """Short form of a target for tables: ``≥ 95%``, ``Duy trì 100%``, ``Tăng hằng năm``."""
    if t is None:
        return "—"
    if t.kind == "increase":
        return "Tăng hằng năm"
    if t.kind == "maintain":
        return f"Duy trì {vn.percent(t.value)}"
    if t.kind == "reach" or t.value >= 100:
        return f"Đạt {vn.percent(t.value)}"
    return f"≥ {vn.percent(t.value)}"


def counts_text(r: IndicatorResult) -> str:
    if r.denominator == 0:
        return "—"
    if r.indicator.kind == STATUS:
        return f"{vn.number(r.numerator)}/{vn.number(r.denominator)} đơn vị"
    return f"{vn.number(r.numerator)}/{vn.number(r.denominator)}"


def status_text(r: IndicatorResult) -> str:
    """``Vượt (+5,4)``, ``Chưa đạt (-3,2)``, ``Đạt``."""
    if r.status in (EXCEEDED, NOT_MET) and r.margin is not None:
        sign = "+" if r.margin > 0 else "\u2212"  # a minus sign, so Word does not break the line after it
        return f"{r.status_label} ({sign}{vn.points(r.margin)})"
    return r.status_label


def _subject(r: IndicatorResult) -> str:
    name = r.indicator.name
    return name[0].upper() + name[1:]


def _unit_list(names: list[str]) -> str:
    return ", ".join(names)


def indicator_sentence(r: IndicatorResult, year: int, milestone_year: int | None) -> str:
    """One evaluation sentence for an indicator, e.g. ``Tỷ lệ … đạt 96,2% (…), vượt 1,2 điểm phần trăm …``."""
    ind = r.indicator
    t = r.target
    goal_year = f"năm {milestone_year}" if milestone_year else f"năm {year}"
    if r.status == NO_DATA:
        return f"{_subject(r)}: chưa có số liệu hợp lệ để đánh giá."
    if ind.kind == STATUS:
        head = (f"Có {vn.number(r.numerator)}/{vn.number(r.denominator)} đơn vị báo cáo "
                f"{ind.status_question[0].lower() + ind.status_question[1:]} ({vn.percent(r.rate)})")
    else:
        head = f"{_subject(r)} đạt {vn.percent(r.rate)} ({vn.number(r.numerator)}/{vn.number(r.denominator)} {ind.unit_label})"
    if r.status == NO_TARGET:
        body = "; giai đoạn này Kế hoạch không đặt chỉ tiêu riêng cho nội dung này"
    elif t.kind == "increase":
        if r.status == NO_BASELINE:
            body = "; chưa có số liệu năm trước để đánh giá yêu cầu tăng hằng năm"
        elif r.status == MET:
            body = f", tăng {vn.points(r.margin)} điểm phần trăm so với năm {year - 1}, đạt yêu cầu tăng hằng năm"
        else:
            verb = "giảm" if r.margin < 0 else "không tăng"
            amount = f" {vn.points(r.margin)} điểm phần trăm" if r.margin < 0 else ""
            body = f", {verb}{amount} so với năm {year - 1}, chưa đạt yêu cầu tăng hằng năm"
    elif r.status == EXCEEDED:
        body = f", vượt {vn.points(r.margin)} điểm phần trăm so với chỉ tiêu {goal_year} ({vn.percent(t.value)})"
    elif r.status == MET:
        body = (f", duy trì được chỉ tiêu {vn.percent(t.value)}" if t.kind == "maintain"
                else f", đạt chỉ tiêu {goal_year} ({vn.percent(t.value)})")
    else:
        body = (f", chưa đạt chỉ tiêu {goal_year} ({vn.percent(t.value)}), còn thiếu "
                f"{vn.points(r.margin)} điểm phần trăm")
        behind = r.behind()
        if behind:
            if ind.kind == STATUS:
                body += f"; các đơn vị chưa đạt: {_unit_list([u.unit.name for u in r.behind(limit=30)])}"
            else:
                body += "; các đơn vị thấp nhất: " + _unit_list(
                    [f"{u.unit.name} ({vn.percent(u.rate)})" for u in behind])
    sentence = head + body + "."
    if r.change is not None and t is not None and t.kind != "increase":
        if abs(r.change) < 0.05:
            sentence += f" So với năm {year - 1}, tỷ lệ giữ nguyên."
        else:
            verb = "tăng" if r.change > 0 else "giảm"
            sentence += f" So với năm {year - 1}, {verb} {vn.points(r.change)} điểm phần trăm."
    if r.excluded:
        sentence += " Số liệu của " + _unit_list([u.unit.name for u in r.excluded]) + " có lỗi nên không được tính."
    if r.not_reported:
        sentence += f" Có {len(r.not_reported)} đơn vị chưa báo cáo chỉ tiêu này."
    return sentence


def completeness_sentences(m: ReportModel) -> list[str]:
    v = m.validation
    expected = len(v.completeness)
    out = [f"Năm {m.year}, có {len(v.received)}/{expected} đơn vị gửi báo cáo kết quả thực hiện "
           f"Kế hoạch xây dựng xã hội học tập (gồm {sum(1 for u in m.expected if m.catalog.is_commune(u))} "
           f"xã, thị trấn và {sum(1 for u in m.expected if not m.catalog.is_commune(u))} phòng, ban, đơn vị, "
           f"đoàn thể cấp huyện)."]
    if v.missing:
        out.append("Đơn vị chưa gửi báo cáo: " + _unit_list([u.name for u in v.missing]) + ".")
    late = [u for u in v.received if u.late_days]
    if late:
        out.append("Đơn vị gửi báo cáo sau thời hạn: " + _unit_list(
            [f"{u.name} ({u.late_days} ngày)" for u in late]) + ".")
    resent = [u for u in v.received if u.superseded]
    if resent:
        out.append("Đơn vị gửi báo cáo bổ sung, thay thế bản trước (dùng bản mới nhất để tổng hợp): "
                   + _unit_list([u.name for u in resent]) + ".")
    if v.with_errors:
        out.append("Báo cáo có số liệu sai, đã loại khỏi tổng hợp và đề nghị đơn vị kiểm tra lại: "
                   + _unit_list([f"{u.name} ({u.errors} lỗi)" for u in v.with_errors]) + ".")
    return out


def assessment(m: ReportModel) -> dict[str, list[str]]:
    rs = [r for r in m.indicators if r.status not in (NO_DATA, NO_TARGET, NO_BASELINE)]
    good = [r for r in rs if r.status in (MET, EXCEEDED)]
    bad = [r for r in rs if r.status == NOT_MET]
    results = [f"Năm {m.year}, có {len(good)}/{len(rs)} chỉ tiêu có số liệu đạt hoặc vượt kế hoạch"
               + (f", {len(bad)} chỉ tiêu chưa đạt." if bad else ".")]
    top = sorted((r for r in good if r.status == EXCEEDED), key=lambda r: -(r.margin or 0))[:3]
    if top:
        results.append("Các chỉ tiêu vượt cao: " + "; ".join(
            f"{r.indicator.name[0].lower() + r.indicator.name[1:]} ({vn.percent(r.rate)}, vượt "
            f"{vn.points(r.margin)} điểm phần trăm)" for r in top) + ".")
    results.append("Công tác xây dựng xã hội học tập được các cấp, các ngành quan tâm; các đơn vị đã triển khai "
                   "các nhóm nhiệm vụ của Kế hoạch, kết quả cụ thể nêu tại mục II, III và các phụ lục kèm theo.")
    limits = []
    for r in bad:
        limits.append(f"- {r.indicator.name} mới đạt {vn.percent(r.rate)}, chưa đạt chỉ tiêu "
                      f"{target_text(r.target).replace('≥ ', 'từ ')}"
                      + (" trở lên" if r.target and r.target.kind == "at_least" and r.target.value < 100 else "") + ";")
    for units, text in m.limitations.entries:
        limits.append(f"- {text} ({_unit_list([u.name for u in units])});")
    if limits:
        limits[-1] = limits[-1][:-1] + "."
    else:
        limits.append("Không có đơn vị nêu tồn tại, hạn chế.")
    causes = ["- Khách quan: nguồn kinh phí dành cho hoạt động xây dựng xã hội học tập còn hạn hẹp; đội ngũ "
              "cán bộ trung tâm học tập cộng đồng chủ yếu kiêm nhiệm."]
    sub = "- Chủ quan: một số đơn vị chưa quan tâm đúng mức đến công tác xây dựng xã hội học tập"
    if m.validation.missing or m.validation.with_errors:
        sub += "; việc báo cáo của một số đơn vị chưa kịp thời, số liệu chưa chính xác"
    causes.append(sub + ".")
    return {"results": results, "limits": limits, "causes": causes}


def directions(m: ReportModel) -> list[str]:
    plan = m.catalog.plan
    nxt = m.year + 1
    out = []
    milestone = plan.milestone_for(nxt)
    if milestone is None:
        out.append(f"Năm {nxt} nằm ngoài giai đoạn của Kế hoạch số {plan.number}; tiếp tục duy trì các kết quả "
                   "đã đạt được và triển khai kế hoạch giai đoạn mới.")
        return out
    out.append(f"Phấn đấu đạt các chỉ tiêu {milestone.title.lower()} theo Kế hoạch số {plan.number}, trong đó "
               "tập trung vào các chỉ tiêu năm " + str(m.year) + " chưa đạt:")
    bad = [r for r in m.indicators if r.status == NOT_MET]
    for r in bad:
        t = plan.target_for(r.indicator.code, nxt)
        goal = target_text(t).replace("≥ ", "từ ") + (" trở lên" if t and t.kind == "at_least" and t.value < 100 else "")
        goal = goal[0].lower() + goal[1:]
        out.append(f"- {r.indicator.name}: {goal} (năm {m.year}: {vn.percent(r.rate)});")
    if not bad:
        out[-1] = out[-1].replace(", trong đó tập trung vào các chỉ tiêu năm " + str(m.year) + " chưa đạt:", ".")
    else:
        out[-1] = out[-1][:-1] + "."
    groups = {r.indicator.group for r in bad}
    tasks = []
    for g in plan.goal_groups:
        if g.code in groups:
            tasks += [t for t in g.tasks if t not in tasks]
    for code in tasks:
        t = plan.task(code)
        out.append(f"- Tập trung thực hiện nhóm nhiệm vụ {t.number}: {t.title[0].lower() + t.title[1:]}.")
    out.append("- Tiếp tục đẩy mạnh tuyên truyền, kiện toàn Ban chỉ đạo các cấp, nâng cao hiệu quả hoạt động của "
               "trung tâm học tập cộng đồng và huy động các nguồn lực xã hội hóa.")
    return out


def proposals(m: ReportModel) -> list[str]:
    out = []
    for units, text in m.proposals.entries:
        out.append(f"- {_unit_list([u.name for u in units])}: {text}")
    out.append(f"- Phòng Giáo dục và Đào tạo đề nghị {m.catalog.office.report_recipient} tiếp tục quan tâm bố trí "
               "kinh phí và chỉ đạo các phòng, ban, đoàn thể, Ủy ban nhân dân các xã, thị trấn thực hiện tốt Kế "
               "hoạch xây dựng xã hội học tập.")
    return out


def funding_sentences(m: ReportModel) -> list[str]:
    from .layout import FUNDING_SOURCES

    total = m.funding_total()
    if not m.funding:
        return ["Chưa có đơn vị báo cáo kinh phí thực hiện."]
    out = [f"Tổng kinh phí thực hiện năm {m.year} do {len(m.funding)} đơn vị báo cáo là {vn.number(total)} đồng "
           f"(Bằng chữ: {vn.money_words(total)}), trong đó:"]
    for i, (code, label) in enumerate(FUNDING_SOURCES):
        end = "." if i == len(FUNDING_SOURCES) - 1 else ";"
        amount = m.funding_total(code)
        out.append(f"- {label.split(' (')[0]}: {vn.number(amount)} đồng ({vn.percent(100 * amount / total if total else 0)}){end}")
    communes = sum(r.total for r in m.funding if m.catalog.is_commune(r.unit))
    out.append(f"Kinh phí của các xã, thị trấn là {vn.number(communes)} đồng; của các phòng, ban, đơn vị, đoàn thể "
               f"cấp huyện là {vn.number(total - communes)} đồng (chi tiết theo đơn vị tại Phụ lục I).")
    return out


# ------------------------------------------------------------------------------------- kế hoạch
def gap_text(target: Target | None, rate: float | None) -> str:
    """``4,2 điểm %`` to reach the target, ``Đã đạt`` or ``—``."""
    if target is None or rate is None:
        return "—"
    if target.kind == "increase":
        return "Tăng so với năm trước"
    gap = target.value - rate
    return f"{vn.points(gap)} điểm %" if gap > 0.005 else "Đã đạt"


def plan_target_sentence(r: IndicatorResult, target: Target | None, next_year: int) -> str | None:
    """For an indicator below its next-year target: the gap, and the units furthest behind."""
    if target is None or r.rate is None or target.kind == "increase" or r.rate >= target.value:
        return None
    name = r.indicator.name
    text = (f"{name[0].upper() + name[1:]} năm {next_year} phấn đấu đạt {vn.percent(target.value)}, cần tăng thêm "
            f"{vn.points(target.value - r.rate)} điểm phần trăm so với năm {next_year - 1} ({vn.percent(r.rate)})")
    if r.indicator.kind == STATUS:
        behind = [u for u in r.reporting if u.status_value != r.indicator.status_success]
        if behind:
            text += "; các đơn vị cần đạt chuẩn: " + _unit_list([u.unit.name for u in behind])
    else:
        low = sorted((u for u in r.reporting if u.rate is not None and u.rate < target.value), key=lambda u: u.rate)
        if low:
            shown = low[:5]
            text += "; các đơn vị cần tăng nhiều nhất: " + _unit_list(
                [f"{u.unit.name} ({vn.percent(u.rate)}, cần tăng {vn.points(target.value - u.rate)} điểm phần trăm)"
                 for u in shown])
            if len(low) > len(shown):
                text += f" và {len(low) - len(shown)} đơn vị khác chưa đạt"
    return text + "."
