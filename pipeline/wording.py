"""The sentences of the documents, drafted from the result model through the office's phrasebook.

The wording is data: ``<inputs>/phrasebook.yaml`` (falling back to the packaged ``templates/phrasebook.yaml``)
holds every sentence as a Jinja template with named facts; this module only chooses which sentence
applies and hands it the facts. Nothing here computes a result: every figure comes from the model.
"""

from __future__ import annotations

import math
from functools import lru_cache
from pathlib import Path
from typing import Any

from markupsafe import Markup

from . import vnformat as vn
from .aggregate import (AHEAD, BASELINE, BEHIND, EXCEEDED, GOOD, LAGGING, MET, NO_BASELINE, NO_DATA,
                        NO_PATH, NO_TARGET, NOT_MET, ON_PATH, RANK_LIMIT, RANK_MIN_UNITS, UNJUDGED, IndicatorResult,
                        ReportModel)
from .errors import CatalogError
from .catalog import STATUS, Target
from .templating import compile_string, packaged_dir, render_string

PHRASEBOOK = "phrasebook.yaml"


class Phrasebook:
    """The office's sentences, compiled once; ``say(key, **facts)`` returns one escaped sentence."""

    def __init__(self, path: Path, origin: str):
        from . import yamlfile

        self.path, self.origin = path, origin
        try:
            doc = yamlfile.read(path) or {}
        except (OSError, UnicodeDecodeError, yamlfile.YAMLError) as exc:
            raise CatalogError([f"{path.name}: không đọc được ({exc})."]) from exc
        self.labels: dict[str, str] = dict(doc.get("labels") or {})
        self.raw: dict[str, Any] = dict(doc.get("sentences") or {})
        # Clauses chosen by conditions on the facts: key -> [{"when": Jinja test, "say": Jinja sentence}, …]
        self.conditional: dict[str, list] = dict(doc.get("conditional") or {})
        # abbreviation -> words, for the notes under tables with short headers
        self.abbreviations: dict[str, str] = {str(k): str(v) for k, v in (doc.get("abbreviations") or {}).items()}
        # abbreviation -> words, for the plan's own text in the KH's running text (house style: words in full)
        self.full_words: dict[str, str] = {str(k): str(v) for k, v in (doc.get("full_words") or {}).items()}
        self._compiled: dict[str, Any] = {}

    def _template(self, key: str):
        if key not in self._compiled:
            if key not in self.raw:
                raise CatalogError([f"{self.path.name}: thiếu câu mẫu '{key}'."])
            self._compiled[key] = compile_string(str(self.raw[key]), key)
        return self._compiled[key]

    def say(self, key: str, **facts: Any):
        return render_string(self._template(key), key, facts)

    def chosen(self, key: str, **facts: Any) -> list:
        """The clauses of the conditional entry ``key`` whose ``when`` holds for ``facts``, each rendered.

        An entry whose ``when`` is ``otherwise`` is used only when no other clause of the entry was chosen."""
        entries = self.conditional.get(key)
        if not isinstance(entries, list):
            raise CatalogError([f"{self.path.name}: thiếu danh sách câu theo điều kiện '{key}'."])
        out, fallback = [], []
        for i, e in enumerate(entries):
            if not isinstance(e, dict) or "say" not in e:
                raise CatalogError([f"{self.path.name}: '{key}', mục {i + 1}: cần có 'when' và 'say'."])
            name = f"{key}[{i + 1}]"
            when = str(e.get("when", "true")).strip()
            if when == "otherwise":
                fallback.append(name)
                continue
            if name + ".when" not in self._compiled:
                self._compiled[name + ".when"] = compile_string("{% if " + when + " %}1{% endif %}", name)
            if str(render_string(self._compiled[name + ".when"], name, facts)) == "1":
                out.append(self._say_raw(name, e["say"], facts))
        if not out:
            out = [self._say_raw(n, entries[int(n.rsplit("[", 1)[1][:-1]) - 1]["say"], facts) for n in fallback]
        return out

    def _say_raw(self, name: str, source: str, facts: dict):
        if name not in self._compiled:
            self._compiled[name] = compile_string(str(source).strip(), name)
        return render_string(self._compiled[name], name, facts)

    def lines(self, key: str) -> list:
        """A list entry of the phrasebook (fixed lines, e.g. lessons learnt), each escaped."""
        from markupsafe import escape

        value = self.raw.get(key)
        if not isinstance(value, list):
            raise CatalogError([f"{self.path.name}: '{key}' phải là danh sách câu."])
        return [escape(v) for v in value]


@lru_cache(maxsize=8)
def _load(path: str, mtime: float, origin: str) -> Phrasebook:
    return Phrasebook(Path(path), origin)


def phrasebook(inputs: Path | str | None = None, name: str = PHRASEBOOK) -> Phrasebook:
    """The phrasebook ``<inputs>/<name>`` (default ``phrasebook.yaml``), else the packaged copy."""
    own = Path(inputs) / name if inputs is not None else None
    path, origin = (own, "inputs") if own is not None and own.is_file() else (packaged_dir() / name, "packaged")
    return _load(str(path), path.stat().st_mtime, origin)


# ------------------------------------------------------------------------------------ helpers
def glossary(pb: Phrasebook, texts) -> str:
    """``PCGD: phổ cập giáo dục; CBCCVC: …`` for the abbreviations of ``pb`` that occur in ``texts`` (as whole
    words), in the order they first occur; empty when none does."""
    import re

    found: dict[str, int] = {}
    joined = "\n".join(str(t) for t in texts)
    for abbr in pb.abbreviations:
        m = re.search(rf"(?<!\w){re.escape(abbr)}(?!\w)", joined)
        if m:
            found[abbr] = m.start()
    return "; ".join(f"{a}: {pb.abbreviations[a]}" for a in sorted(found, key=lambda a: (found[a], a)))


def names(units, limit: int | None = None) -> list[str]:
    return [vn.in_sentence(u.name) for u in (units[:limit] if limit else units)]


def target_text(t: Target | None, year: int | None = None, path: float | None = None, held: bool = True) -> str:
    """A target for a table cell: ``≥ 95,0%``, ``Duy trì 100,0%``, ``Tăng hằng năm``, ``Lộ trình 96,8%``.

    ``held``: whether the district had reached the level of a "maintain" target before (:func:`held_before`);
    a level never reached cannot be "Duy trì": the cell then shows the level itself."""
    if t is None:
        return "–"
    if t.kind == "increase":
        return "Tăng hằng năm"
    if t.kind == "maintain" and not held:
        return vn.percent(t.value)
    if path is not None and t.kind == "maintain":
        return f"Duy trì {vn.percent(t.value)}"
    if path is not None and abs(path - t.value) < 0.05:
        return vn.percent(t.value)
    if path is not None:
        return f"{vn.percent(path)} (mục tiêu {t.year}: {vn.percent(t.value)})"
    if t.kind == "maintain":
        return f"Duy trì {vn.percent(t.value)}"
    return f"{vn.percent(t.value)}" if t.kind == "reach" or t.value >= 100 else f"Từ {vn.percent(t.value)}"


ON_PATH_KEYS = {ON_PATH: "ind.on_path", AHEAD: "ind.ahead", BEHIND: "ind.behind"}


def counts_text(r: IndicatorResult) -> str:
    if r.denominator == 0:
        return "–"
    if r.indicator.kind == STATUS:
        text = f"{vn.count2(r.numerator)}/{vn.count2(r.expected_count)} đạt"
        if r.not_reported:
            text += f"; {vn.count2(len(r.not_reported))} chưa báo cáo"
        return text
    return f"{vn.number(r.numerator)}/{vn.number(r.denominator)}"


INCOMPLETE = "Chưa đủ số liệu"


def count_verdict(label: str, good: bool, reached: int, expected: int, missing: int, target: float | None) -> str:
    """The verdict cell of a count over units (communes reaching a standard): a good ``label`` ("Đạt") only
    when the units that reached it are enough for the target over every unit that had to report. When
    the count falls short only because some units did not report, the cell says so (the sentence
    explains which); the rate over the reporting units alone is never a verdict."""
    if not good or target is None or expected <= 0:
        return label
    needed = math.ceil(target * expected / 100 - 1e-9)
    if reached >= needed:
        return label
    return INCOMPLETE if missing and reached + missing >= needed else "Chưa đạt"


def status_text(r: IndicatorResult) -> str:
    """Table cell: ``Vượt (+5,4)``, ``Chậm so với lộ trình (−0,8)``, ``Đạt``; ``Chưa đủ số liệu`` for a
    commune count that reaches the target only among the communes that reported."""
    if r.indicator.kind == STATUS:
        t = r.path_value if r.path_value is not None else (r.target.value if r.target else None)
        return count_verdict(r.status_label, r.status in GOOD, r.numerator or 0, r.expected_count,
                             len(r.not_reported) + len(r.excluded), t)
    if r.status == UNJUDGED:  # an increase target's rise only a change of reporting units made
        return INCOMPLETE
    margin = shown_margin(r)
    if r.status in (EXCEEDED, NOT_MET, BEHIND, AHEAD) and margin is not None and abs(margin) >= 0.05 \
            and r.indicator.kind != STATUS:
        sign = "+" if margin > 0 else "\u2212"
        return f"{r.status_label} ({sign}{vn.points(margin)})"
    return r.status_label


def assessable(r: IndicatorResult) -> bool:
    """Whether the year's result can be judged at all: it has a target and figures, and it is not a commune
    count whose verdict cell reads "Chưa đủ số liệu" (counting such an indicator as met, or as lagging,
    would contradict the table)."""
    return r.status not in (NO_DATA, NO_TARGET, NO_BASELINE, NO_PATH, UNJUDGED) and status_text(r) != INCOMPLETE


def held_before(r: IndicatorResult) -> bool:
    """Whether the district had already reached the target level in a year the model knows (last year or
    the lộ trình's baseline): only then can a "maintain" target be "giữ vững" or "not maintained"."""
    t = r.target
    if t is None or t.value is None:
        return False
    return any(x is not None and vn.shown_rate(x) >= t.value for x in (r.previous_rate, r.baseline_rate))


def short_by(r: IndicatorResult) -> int | None:
    """How many more (people, centres …) the numerator needed to reach the target, for a rate short of it:
    "còn thiếu 0,1 điểm phần trăm" may be a rounding of 12 people out of 116.435, which the reader should see."""
    t = r.target
    if (r.indicator.kind == STATUS or t is None or t.value is None or not r.denominator or r.numerator is None
            or t.kind == "increase"):
        return None
    need = math.ceil(t.value * r.denominator / 100 - 1e-9)
    return need - r.numerator if need > r.numerator else None


def shown_margin(r: IndicatorResult) -> float | None:
    """The margin as the reader computes it from the printed figures: against the previous year for an
    "increase" target, against the printed lộ trình or target otherwise (already so in the model)."""
    if r.margin is not None and r.target is not None and r.target.kind == "increase":
        return vn.shown_diff(r.rate, r.previous_rate)
    return r.margin


def _population(r: IndicatorResult, pb: Phrasebook) -> str:
    return pb.labels.get("communes", "xã, thị trấn") if r.indicator.population.lower().startswith("xã") \
        else "đơn vị"


# ------------------------------------------------------------------------------------ BC sentences
def indicator_sentence(pb: Phrasebook, r: IndicatorResult, year: int) -> str:
    ind, t = r.indicator, r.target
    if r.status == NO_DATA:
        return pb.say("ind.no_data", name=ind.name)
    pop = _population(r, pb)
    # the communes that did not report: said before a verdict on "those that reported", after a shortfall (else
    # "21/22 đạt; 01 xã chưa báo cáo, chưa đạt lộ trình" reads as if the missing commune were the shortfall)
    not_reported = ""
    if ind.kind == STATUS and r.not_reported:
        short = pb.labels.get("commune_short", "xã") if pop != "đơn vị" else "đơn vị"
        not_reported = pb.say("ind.not_reported", count=len(r.not_reported), short=short)
    after = r.status in (NOT_MET, BEHIND)
    if ind.kind == STATUS:
        text = _status_head(pb, r, ind.status_question)
        if not after:
            text += not_reported
    else:
        text = pb.say("ind.head.ratio", name=ind.name, rate=r.rate, num=r.numerator, den=r.denominator,
                      unit_label=ind.unit_label)
    my = t.year if t else None
    f = dict(year=year, milestone_year=my, target=t.value if t else None, margin=shown_margin(r), path=r.path_value,
             prev_year=year - 1, progress=r.progress, baseline_year=r.baseline_year, held=held_before(r),
             short_by=short_by(r), unit_label=ind.unit_label)
    if r.status == NO_TARGET:
        text += pb.say("ind.no_target")
    elif r.status == UNJUDGED:  # the rise comes from who reported: said so, no verdict
        text += pb.say("ind.increase.reporting_only", change=r.same_units_change(), **f)
    elif t.kind == "increase":
        text += pb.say({MET: "ind.increase.met", NO_BASELINE: "ind.increase.no_baseline"}.get(
            r.status, "ind.increase.not_met"), **f)
    elif r.status in (MET, EXCEEDED, NOT_MET):
        if ind.kind == STATUS and r.status == NOT_MET:  # a count of communes, never a gap in points
            text += pb.say("ind.status.not_met", population=pop, **f)
        elif ind.kind == STATUS and r.not_reported:  # met by those that reported: never "giữ vững" for all
            text += pb.say("ind.status.reported_met", population=pop, **f)
        elif t.kind == "maintain" and f["held"]:
            text += pb.say("ind.maintained" if r.status != NOT_MET else "ind.not_maintained", **f)
        else:  # a level never reached before is judged as any milestone target: met or not, by how much
            text += pb.say({MET: "ind.met", EXCEEDED: "ind.exceeded", NOT_MET: "ind.not_met"}[r.status], **f)
    elif r.status in (ON_PATH, AHEAD, BEHIND):
        if t.path == "constant" and ind.kind == STATUS and r.not_reported and r.status != BEHIND:
            text += pb.say("ind.status.reported_all", population=pop, **f)
        elif t.path == "constant" and f["held"]:
            text += pb.say("ind.maintained" if r.status != BEHIND else "ind.not_maintained", **f)
        elif t.path == "constant" and ind.kind == STATUS:  # a level not yet reached: judged against the year's lộ trình
            text += pb.say("ind.status.on_path" if r.status != BEHIND else "ind.status.behind", population=pop, **f)
        elif t.path == "constant":
            text += pb.say(ON_PATH_KEYS[r.status], **f)
        else:
            text += pb.say(ON_PATH_KEYS[r.status], **f)
            if r.rate is not None and r.rate >= t.value:
                text += pb.say("ind.reached_early", **f)
            elif r.progress is not None and r.progress > 0:
                text += pb.say("ind.progress", **f)
            elif r.progress is not None:
                text += pb.say("ind.no_progress", **f)
    elif r.status == BASELINE:
        text += pb.say("ind.baseline", **f)
    elif r.status == NO_PATH:
        text += pb.say("ind.no_path", **f)
    if after:
        text += not_reported
    text += "."
    # a lower or higher rate that comes only from who reported is no fall and no rise: nothing is said (the table's
    # note says who)
    if (r.change is not None and (t is None or t.kind != "increase") and ind.kind != STATUS
            and not r.reporting_only_change):
        text += pb.say("ind.change", change=vn.shown_diff(r.rate, r.previous_rate), prev_year=year - 1)
    if ind.kind == STATUS and r.failing():
        text += pb.say("ind.status.failing", population=pop, units=names([u.unit for u in r.failing()]))
    elif r.status in LAGGING and r.binary and r.without():
        text += pb.say("ind.binary.without", units=names([u.unit for u in r.without()]), count=len(r.without()))
    elif r.status in LAGGING and r.weakest():
        text += pb.say("ind.weakest", units=[f"{vn.in_sentence(u.unit.name)} ({vn.percent(u.rate)})"
                                             for u in r.weakest()])
    elif r.status in LAGGING and (tie := lowest_tie(r)):
        text += pb.say("ind.weakest.tie", **tie_facts(pb, tie))
    if r.excluded:
        text += pb.say("ind.excluded", units=names([u.unit for u in r.excluded]))
    return text


def _status_head(pb: Phrasebook, r: IndicatorResult, question: str):
    """"22/22 xã, thị trấn đạt chuẩn chống mù chữ": the count of communes meeting ``question``."""
    return pb.say("ind.head.status", reached=r.numerator, expected=r.expected_count, population=_population(r, pb),
                  question=question)


def _standards(questions: list[str]) -> str:
    """Several commune standards said as one: "đạt chuẩn chống mù chữ, phổ cập giáo dục mầm non cho trẻ 5 tuổi,
    tiểu học đúng độ tuổi và trung học cơ sở". Each standard drops the words (two or more) it opens with in
    common with the one before it ("đạt chuẩn", then "đạt chuẩn phổ cập giáo dục")."""
    out, before = [], None
    for q in questions:
        words = vn.lower_first(q.strip()).split()
        shared = 0
        if before is not None:
            while shared < min(len(words) - 1, len(before)) and words[shared] == before[shared]:
                shared += 1
        out.append(" ".join(words[shared:] if shared >= 2 else words))
        before = words
    return vn.join_vi(out) if not any("," in x for x in out) else "; ".join(out[:-1]) + " và " + out[-1]


def indicator_sentences(pb: Phrasebook, results: list[IndicatorResult], year: int) -> list:
    """The sentences of one goal group (:func:`indicator_sentence`), commune standards with the same result said in
    one: consecutive counts of communes whose sentences say the same after the standard's name ("22/22 xã, thị
    trấn đạt chuẩn A, B, C và D, giữ vững chỉ tiêu 100,0%." rather than four identical sentences; the tổng kết does
    the same, review._merge_alike). The table keeps one row per target."""
    groups: list[list] = []            # [results, the sentence after the standard or None, sentence]
    for r in results:
        text = indicator_sentence(pb, r, year)
        rest = None
        if r.indicator.kind == STATUS and r.status != NO_DATA:
            head = str(_status_head(pb, r, r.indicator.status_question))
            rest = text[len(head):] if str(text).startswith(head) else None
        key = None if rest is None else (r.numerator, r.expected_count, str(rest))
        if key is not None and groups and groups[-1][1] == key:
            groups[-1][0].append(r)
        else:
            groups.append([[r], key, text])
    out = []
    for rs, key, text in groups:
        if len(rs) == 1:
            out.append(text)
        else:
            rest = Markup(str(text)[len(str(_status_head(pb, rs[0], rs[0].indicator.status_question))):])
            out.append(_status_head(pb, rs[0], _standards([x.indicator.status_question for x in rs])) + rest)
    return out


TIE_LIMIT = 10  # units tied at the lowest rate named whole, as a group, up to this many


def lowest_tie(r: IndicatorResult) -> tuple[list, float] | None:
    """(units, rate) tied (as printed) at the lowest rate below this year's reference, when they are more than
    :meth:`IndicatorResult.weakest` names (it names none rather than cut a tie) and at most :data:`TIE_LIMIT`:
    a tie is said whole, with its count and value ("07 xã cùng có tỷ lệ thấp nhất (90,9%): …"). None otherwise."""
    if r.indicator.kind == STATUS or r.binary or r.weakest() or len(r.rated) < RANK_MIN_UNITS or not r.below:
        return None
    lowest = vn.shown_rate(r.below[0].rate)  # (the units below the reference, lowest first)
    tied = sorted((u for u in r.below if vn.shown_rate(u.rate) == lowest), key=lambda u: u.unit.code)
    return (tied, lowest) if 1 < len(tied) <= TIE_LIMIT else None


def tie_facts(pb: Phrasebook, tie: tuple[list, float]) -> dict[str, Any]:
    """The facts of a tie (:func:`lowest_tie`) for the phrasebook: count, rate, kind and names (:func:`tie_names`)."""
    units, rate = tie
    kind, names = tie_names(pb, [u.unit.name for u in units])
    return dict(count=len(units), rate=rate, kind=kind, units=names)


def tie_names(pb: Phrasebook, names: list[str]) -> tuple[str, list[str]]:
    """The kind of the tied units and their names as a sentence says them: "xã" when all are communes named
    "Xã …", whose names are then said without it; "đơn vị" otherwise (the yearly BC and the tổng kết alike)."""
    if all(n.startswith("Xã ") for n in names):
        return pb.labels.get("commune_short", "xã"), [n[3:] for n in names]
    return "đơn vị", [vn.in_sentence(n) for n in names]


def direction_lines(pb: Phrasebook, m: ReportModel, issued=None) -> list:
    """Section I of the BC; with ``issued`` it closes with the date the figures stand at and, when units
    were asked to correct or send their report (the feedback letters of the same run, due ``correction_days``
    later), that their corrections are taken into the figures after the report (so the BC and the letters
    dated the same day do not contradict each other)."""
    cat = m.catalog
    office, plan = cat.office.full_name, cat.plan
    d = m.direction
    out = []
    if d is not None and d.documents:
        out.append(pb.say("bc.direction.documents", year=m.year, office=office, count=len(d.documents)))
        for x in d.documents:
            kind = {"KH": "Kế hoạch", "QĐ": "Quyết định", "CV": "Công văn", "HD": "Hướng dẫn"}.get(
                x.number.split("/")[-1].split("-")[0], "Văn bản") if "/" in x.number else "Văn bản"
            if kind == "Văn bản" and "PGDĐT" in x.number:
                kind = "Công văn"
            out.append(pb.say("bc.direction.document", kind=kind, number=x.number, date=vn.short_date(x.date),
                              issuer=x.issuer, title=x.title))
        out[-1] = out[-1][:-1] + "."
    else:
        out.append(pb.say("bc.direction.none", year=m.year, office=office, plan_number=plan.number))
    if d is not None:
        out += [vn.upper_first(s.rstrip(".")) + "." for s in ([d.committee] if d.committee else [])
                + list(d.meetings) + list(d.inspections) + list(d.communication)]
    v = m.validation
    # the parenthesis breaks down the units whose reports were summed, not the units expected
    commune_codes = {u.code for u in m.expected if cat.is_commune(u)}
    communes = sum(1 for u in v.received if u.unit in commune_codes)
    out.append(pb.say("bc.direction.reports", office=office, received=len(v.received), expected=len(v.completeness),
                      communes=communes, others=len(v.received) - communes,
                      missing=[vn.in_sentence(u.name) for u in v.missing],
                      late=sum(1 for u in v.received if u.late_days)))
    if issued is not None:
        from .feedback import collect, correction_due

        asked = len(collect(m))
        due = correction_due(issued, cat.office.correction_days)  # the letters' own date: working days
        out.append(pb.say("bc.direction.as_of", as_of=vn.short_date(issued), asked=asked, due=vn.short_date(due),
                          year=m.year, next_year=m.year + 1, end=cat.plan.period[1]))
    return out


def task_lines(pb: Phrasebook, m: ReportModel, task_code: str, table: str = "", variant: int = 0) -> list:
    """One task group of section III: district totals with the change since last year, the best and weakest
    units of its main count, doubtful counts, the units' shared remarks in one sentence. ``variant`` (the
    group's position) picks among the phrasebook's wordings so that eight groups do not read alike; the
    per-unit detail is referred to once for the whole section (``bc.tasks.intro``), not per group."""
    acts = [a for a in m.activities_of(task_code) if a.reporters]
    if not acts:
        return [pb.say("task.none", year=m.year)]
    out = [pb.say("task.total", label=a.label, total=a.total, measure=a.measure, change=a.change,
                  prev_year=m.year - 1) for a in acts]
    out[-1] = out[-1][:-1] + "."
    lead = max(acts, key=lambda a: a.total)
    best, weakest = ranked_units(lead)
    if best or weakest:
        # the ranking compares units of one kind: the sentence says which (a district office may have more)
        among = pb.labels.get("communes" if lead.ranks_communes else "district_level", "")
        # each unit named with its count: "xã An Phú và xã Đốc Tín" alone reads as a tie (15 and 14 buổi)
        value = {u.code: v for u, v in lead.values}

        def counted(units):
            return [f"{vn.in_sentence(u.name)} ({vn.count2(value.get(u.code, 0))} {lead.measure})" for u in units]

        out.append(pb.say("task.best", units=counted(best), weakest=counted(weakest), label=lead.label,
                          variant=variant % 3, among=among))
    doubtful = implausible_counts(m)
    for a in acts:
        flagged = [(u, v) for u, v in a.values if (u.code, a.code) in doubtful]
        if flagged:
            out.append(pb.say("task.implausible", label=a.label, measure=a.measure,
                              units=[f"{vn.in_sentence(u.name)} ({vn.count2(v)} {a.measure})" for u, v in flagged]))
    remarks = task_remarks(m, task_code)
    if remarks:
        total = sum(c for _, c in remarks)
        # "Nhiều đơn vị" only for a real many: a third or more of the units that reported on this task group said
        # one of the remarks (03 of 21 communes is "Một số đơn vị"; the opening qualifies each remark, and two of
        # 04 units each, perhaps the same, are not "nhiều" among 22: a fresh reader's finding)
        many = max(c for _, c in remarks) * MANY_SHARE_DEN >= max(a.reporters for a in acts)
        out.append(pb.say("task.remarks", variant=variant % 3, total=total, many=many,
                          items=[pb.say("task.remark", count=count, text=text) for text, count in remarks]))
    return out


MANY_SHARE_DEN = 3  # "Nhiều đơn vị cho biết" needs at least 1/MANY_SHARE_DEN of the units that reported


def _tied_top(values: list, limit: int) -> list:
    """The first units of ``values`` (ranked) taking whole groups of equal values: units that share a value are
    named together or not at all (naming one of two equal units as "cao nhất" says the other is lower). A group
    that would go past ``limit`` is left out; when the first group alone does, nobody is named."""
    out: list = []
    i = 0
    while i < len(values):
        j = i
        while j < len(values) and values[j][1] == values[i][1]:
            j += 1
        if j > limit:
            break
        out, i = values[:j], j
    return out


def ranked_units(a) -> tuple[list, list]:
    """The units with the highest and the lowest count of activity ``a`` among its peers (as
    :meth:`ActivityResult.best` ranks them), ties kept together (:func:`_tied_top`): a side that cannot be named
    without cutting a tie is empty, and so are the lowest when they would reach the value of the highest."""
    if not a.best():
        return [], []
    peers = a.peers()  # (ranks_communes counts over every unit: asked once, not once per unit)
    best = _tied_top(sorted((v for v in peers if v[1] > 0), key=lambda v: (-v[1], v[0].code)), RANK_LIMIT)
    named = {id(v) for v in best}
    rest = [v for v in peers if id(v) not in named]
    weakest = _tied_top(sorted(rest, key=lambda v: (v[1], v[0].code)), RANK_LIMIT)
    if best and weakest and weakest[-1][1] >= best[-1][1]:
        weakest = []
    return [u for u, _ in best], [u for u, _ in weakest]


REMARK_LIMIT = 2  # remarks of the units said per task group: the most shared ones


def task_remarks(m: ReportModel, task_code: str) -> list[tuple[str, int]]:
    """The units' remarks on one task group, summarised: identical remarks counted, most shared first.

    A remark only one unit made is said only when no remark is shared (it then adds something the
    counts do not show); the office's own remark is not the units' view.
    """
    counts: dict[str, int] = {}
    for unit, tasks in (getattr(m.validation, "remarks", None) or {}).items():
        text = (tasks.get(task_code) or "").strip()
        if text and unit != m.office_unit:
            text = text.rstrip(" .;")
            counts[text] = counts.get(text, 0) + 1
    ranked = sorted(counts.items(), key=lambda kv: -kv[1])
    shared = [kv for kv in ranked if kv[1] > 1]
    return (shared or ranked[:1])[:REMARK_LIMIT]


def funding_lines(pb: Phrasebook, m: ReportModel, table: str) -> list:
    from .form_layout import FUNDING_SOURCES

    total = m.funding_total()
    if not m.funding:
        return [pb.say("funding.none", year=m.year)]
    out = [pb.say("funding.total", year=m.year, units=len(m.funding), total=total,
                  previous=m.previous_funding or 0, prev_year=m.year - 1)]
    for i, (code, label) in enumerate(FUNDING_SOURCES):
        amount = m.funding_total(code)
        out.append(pb.say("funding.source", label=label.split(" (")[0], amount=amount,
                          share=100 * amount / total if total else 0,
                          end="." if i == len(FUNDING_SOURCES) - 1 else ";"))
    communes = sum(r.total for r in m.funding if m.catalog.is_commune(r.unit))
    out.append(pb.say("funding.split", communes=communes, others=total - communes, table=table))
    return out


# Proposal and limitation themes: (theme as said in the sentence, keywords). Data-like, ordered.
THEMES = (("hỗ trợ kinh phí", ("kinh phí", "ngân sách", "hỗ trợ")),
          ("đầu tư cơ sở vật chất, trang thiết bị", ("cơ sở vật chất", "trang thiết bị", "phòng học", "máy")),
          ("tập huấn, bồi dưỡng cán bộ", ("tập huấn", "bồi dưỡng", "đào tạo")),
          ("chế độ cho cán bộ trung tâm học tập cộng đồng", ("chế độ", "phụ cấp", "biên chế", "kiêm nhiệm")),
          ("tài liệu, hướng dẫn", ("tài liệu", "hướng dẫn", "văn bản")))


def _themes(texts: list[tuple[str, str]], exclude: str) -> list[tuple[str, int]]:
    return [(n, len(units)) for n, units in _theme_units(texts, exclude)]


def _theme_units(texts: list[tuple[str, str]], exclude: str) -> list[tuple[str, set[str]]]:
    """The themes the units' texts touch, in THEMES' order, each with the units (codes) behind it."""
    counts: dict[str, set[str]] = {}
    for unit, text in texts:
        if unit == exclude:
            continue
        low = text.lower()
        hit = [name for name, keys in THEMES if any(k in low for k in keys)] or ["nội dung khác"]
        for name in hit:
            counts.setdefault(name, set()).add(unit)
    # texts that match no theme are not a theme: they are not counted as one ("nội dung khác")
    return [(n, counts[n]) for n, _ in THEMES if n in counts]


def _texts(report) -> list[tuple[str, str]]:
    return [(u.code, text) for units, text in report.entries for u in units]


def assessment(pb: Phrasebook, m: ReportModel) -> dict[str, list]:
    judged = [r for r in m.indicators if assessable(r)]
    good = [r for r in judged if r.status in GOOD]
    lagging = m.lagging
    ms = m.milestone
    # targets whose verdict cell reads "Chưa đủ số liệu": out of the count, and said so beside it
    unjudged = sum(1 for r in m.indicators if status_text(r) == INCOMPLETE)
    f = dict(year=m.year, good=len(good), judged=len(judged), lagging=len(lagging),
             milestone_year=ms.year if ms else m.year, unjudged=unjudged)
    if m.is_milestone_year:
        results = [pb.say("assess.results.milestone", **f)]
    elif ms is not None and ms.baseline == m.year and any(r.status == BASELINE for r in judged):
        base = [r for r in judged if r.status == BASELINE]
        reached = sum(1 for r in base if r.target and r.target.value is not None and r.rate is not None
                      and r.rate >= r.target.value)
        results = [pb.say("assess.results.first_year", count=len(base), reached=reached,
                          **{**f, "judged": len(judged) - len(base)})]
    elif all(r.status == BASELINE for r in judged if r.target and r.target.kind != "increase"):
        reached = sum(1 for r in judged if r.target and r.target.value is not None and r.rate is not None
                      and r.rate >= r.target.value)
        results = [pb.say("assess.results.baseline", reached=reached, **f)]
    else:
        results = [pb.say("assess.results.path", **f)]
    strong = highlights(m)
    if strong:
        results.append(pb.say("assess.results.strong", items=[
            pb.say("assess.results.strong_item", name=r.indicator.name, rate=r.rate, margin=shown_margin(r),
                   reached=_reached_early(m, r), target=r.target.value, milestone_year=r.target.year,
                   against=r.judged_against, year=m.year) for r in strong]))
    results.append(pb.say("assess.results.direction"))
    limits = []
    for r in lagging:
        if r.indicator.kind == STATUS:
            limits.append(pb.say("assess.limits.status", name=r.indicator.name, reached=r.numerator,
                                 expected=r.expected_count, population=_population(r, pb),
                                 where=names([u.unit for u in r.failing()]),
                                 missing=names([u.unit for u in r.not_reported]),
                                 excluded=names([u.unit for u in r.excluded])))
            continue
        key = ("assess.limits.against.increase" if r.target.kind == "increase" else
               "assess.limits.against.milestone" if r.judged_against == "milestone" else "assess.limits.against.path")
        against = pb.say(key, target=r.target.value, margin=shown_margin(r), year=m.year, prev_year=m.year - 1)
        where = (names([u.unit for u in r.without()]) if r.binary else
                 [f"{vn.in_sentence(u.unit.name)} ({vn.percent(u.rate)})" for u in r.weakest()]
                 if r.indicator.kind != STATUS else names([u.unit for u in r.failing()]))
        tie = lowest_tie(r) if not where else None
        if tie:
            where = [pb.say("assess.limits.tie", **tie_facts(pb, tie))]
        limits.append(pb.say("assess.limits.lagging", name=r.indicator.name, rate=r.rate, against=against,
                             where=where, binary=r.binary, prev_year=m.year - 1,
                             fell=None if r.target.kind == "increase" else _fall(r)))  # "chưa tăng" says it
    # a target on track (or past its milestone) whose rate fell since last year is a shortcoming too
    for r in fallen(m):
        if r not in lagging:
            limits.append(pb.say("assess.limits.fell", name=r.indicator.name, rate=r.rate, previous=r.previous_rate,
                                 fell=_fall(r), prev_year=m.year - 1, year=m.year, status=r.status,
                                 reached=_reached_early(m, r) or r.status in (MET, EXCEEDED),
                                 milestone_year=r.target.year if r.target else None,
                                 target=r.target.value if r.target else None))
    v = m.validation
    late = sum(1 for u in v.received if u.late_days)
    reporting = bool(v.missing or late or v.with_errors)
    if reporting:
        limits.append(pb.say("assess.limits.reporting", missing=len(v.missing), late=late, errors=len(v.with_errors)))
    themes = _theme_units(_texts(m.limitations), m.office_unit)
    if themes:
        # said by the share of the units that reported, as the remarks of section III ("Nhiều đơn vị" for a
        # third or more; never "các đơn vị", which reads as every unit)
        behind = set().union(*(units for _, units in themes))
        reporters = sum(1 for u in m.validation.received if u.unit != m.office_unit)
        limits.append(pb.say("assess.limits.units", total=len(behind),
                             many=len(behind) * MANY_SHARE_DEN >= max(reporters, 1),
                             themes=[pb.say("assess.limits.theme", theme=n, count=len(u)) for n, u in themes]))
    if not limits:
        limits.append(pb.say("assess.limits.none"))
    else:
        limits[-1] = limits[-1][:-1] + "." if str(limits[-1]).endswith(";") else limits[-1]
    cf = conclusion_facts(m)
    causes = [pb.say("assess.causes.objective", items=pb.chosen("causes.objective", **cf)),
              pb.say("assess.causes.subjective", items=pb.chosen("causes.subjective", **cf))]
    return {"results": results, "limits": limits, "causes": causes, "lessons": pb.chosen("lessons", **cf)}


HIGHLIGHTS = 3  # targets named among the "kết quả nổi bật"


def _reached_early(m: ReportModel, r: IndicatorResult) -> bool:
    """A target of a later milestone whose level the district has already reached (not in the milestone year)."""
    t = r.target
    return (not m.is_milestone_year and t is not None and t.value is not None and t.kind != "increase"
            and t.path != "constant" and r.rate is not None and vn.shown_rate(r.rate) >= vn.round_half_up(t.value, 1))


def _fall(r: IndicatorResult) -> float | None:
    """The fall since last year as the two printed rates show it (positive), or None when it did not fall.

    A fall is said only when it is real: when the units that reported differ between the two years, the rates
    of the units that reported in both years are compared, and if those did not fall the difference comes only
    from who reported (e.g. 16/21 against 16/22, one commune not reporting in 2016): no fall is said (the
    table's note already says who did not report)."""
    d = r.printed_change()
    return -d if d is not None and d < 0 and not r.reporting_only_change else None


def fallen(m: ReportModel) -> list[IndicatorResult]:
    """The judged ratio targets whose rate fell since last year, the largest fall first."""
    return sorted((r for r in m.indicators if assessable(r) and _fall(r)), key=lambda r: -_fall(r))


def highlights(m: ReportModel) -> list[IndicatorResult]:
    """The "kết quả nổi bật": ratio targets ahead of their lộ trình (or beyond the milestone's target), chosen
    by what stands out, not by the plan's order: a later milestone's target already reached first, then the
    largest margin. A rate that fell since last year stands out only by a target already reached (a later
    milestone's, or the milestone year's own: EXCEEDED); the fall is then said among the tồn tại."""
    cands = [r for r in m.indicators if assessable(r) and r.status in (EXCEEDED, AHEAD) and r.margin
             and r.margin > 0 and r.indicator.kind != STATUS
             and (_reached_early(m, r) or r.status == EXCEEDED or not _fall(r))]
    return sorted(cands, key=lambda r: (not _reached_early(m, r), -r.margin))[:HIGHLIGHTS]


def implausible_counts(m: ReportModel) -> set[tuple[str, str]]:
    """(unit, activity) pairs whose count validation found far above the units of the same kind."""
    return {(i.unit, dict(i.params).get("activity", "")) for i in m.validation.issues if i.code == "activity-implausible"}


FELL_SHARE = 0.05  # an activity "fell" in the conclusions when it lost this share of last year's total or more


def conclusion_facts(m: ReportModel) -> dict[str, Any]:
    """The facts the office's conclusions (causes, lessons, proposals) are chosen by and drawn from.

    Everything is taken from the model: which targets lag, in which goal group, where and by how much; which
    activity totals fell or rose since last year; funding; late, missing and erroneous reports."""
    plan = m.catalog.plan
    lag = m.lagging
    lag_by_group = {g.code: [vn.lower_first(r.indicator.name) for r in lag if r.indicator.group == g.code]
                    for g in plan.goal_groups}
    # the units most often among the weakest or failing of the lagging targets ("where")
    hits: dict[str, list] = {}
    for r in lag:
        units = ([u.unit for u in r.failing()] if r.indicator.kind == STATUS else
                 [u.unit for u in r.without()] if r.binary else [u.unit for u in r.weakest()])
        for u in units:
            hits.setdefault(u.code, [u, 0])[1] += 1
    weak = sorted(hits.values(), key=lambda h: (-h[1], h[0].code))
    # only units low in several lagging targets are "có kết quả thấp ở nhiều chỉ tiêu"; a unit low in one target
    # is named under that target, not singled out in the conclusions
    weak_units = [vn.in_sentence(u.name) for u, c in weak if c >= 2][:3]
    ratio_lag = [r for r in lag if r.indicator.kind != STATUS and r.margin is not None]
    worst = min(ratio_lag, key=lambda r: r.margin) if ratio_lag else None
    acts = [a for a in m.activities if a.reporters and a.change is not None]
    # a fall worth a cause or a direction: 5% or more of last year's total (not "giảm 01 điểm" out of 121)
    fell = [f"{vn.lower_first(a.label)} (giảm {vn.count2(-a.change)} {a.measure})" for a in acts
            if a.change < 0 and (not a.previous_total or -a.change >= FELL_SHARE * a.previous_total)]
    rose = sorted((a for a in acts if a.change > 0 and a.previous_total and a.change >= 0.1 * a.previous_total),
                  key=lambda a: -a.change / a.previous_total)
    # an example of success: ahead of its lộ trình (beyond its target) and risen since last year, never one that fell
    strong = [vn.lower_first(r.indicator.name) for r in sorted(
        (r for r in m.indicators if r.status in (EXCEEDED, AHEAD) and r.margin and r.indicator.kind != STATUS
         and assessable(r) and not (r.change is not None and vn.shown_diff(r.rate, r.previous_rate) <= 0)
         and not r.reporting_only_change),
        key=lambda r: -r.margin)[:2]]
    v = m.validation
    from .form_layout import FUNDING_SOURCES

    total = m.funding_total() if m.funding else 0
    public = m.funding_total(FUNDING_SOURCES[0][0]) if m.funding else 0
    return dict(
        year=m.year, prev_year=m.year - 1, is_milestone=m.is_milestone_year,
        milestone_year=m.milestone.year if m.milestone else m.year,
        lagging=[vn.lower_first(r.indicator.name) for r in lag], lag_by_group=lag_by_group,
        worst=(None if worst is None else {"name": vn.lower_first(worst.indicator.name), "rate": worst.rate,
                                           "margin": worst.margin}),
        failing=names(sorted({u.unit.code: u.unit for r in lag if r.indicator.kind == STATUS
                              for u in r.failing()}.values(), key=lambda u: u.code)),
        weak_units=weak_units, strong=strong, fell=fell,
        rose=[{"label": vn.lower_first(a.label), "total": a.total, "change": a.change, "measure": a.measure}
              for a in rose[:2]],
        missing=[vn.in_sentence(u.name) for u in v.missing], late=sum(1 for u in v.received if u.late_days),
        errors=len(v.with_errors), funding=total,
        funding_change=(None if m.previous_funding is None or not m.funding else total - m.previous_funding),
        public_share=(100 * public / total if total else None))


FOCUS_TARGETS = 2  # lagging targets named in one task group's "trọng tâm" line


def focus_tasks(m: ReportModel) -> list[tuple[str, list[IndicatorResult], list]]:
    """The task groups next year's work centres on ("trọng tâm"), in the plan's order: (task code, the lagging
    targets its focus line names, its activities that fell last year). A task group serves the targets of the goal
    groups plan.yaml links it to; each lagging target is named under one task group only (the first that serves
    it, worst first), so no two groups share a focus; a group left with no target of its own is a focus only
    when one of its activities fell."""
    plan = m.catalog.plan
    lag = sorted(m.lagging, key=lambda r: r.margin if r.margin is not None else 0)
    serving = {g.code: set(g.tasks) for g in plan.goal_groups}
    named: set[str] = set()
    out = []
    for t in plan.tasks:
        serves = [r for r in lag if t.code in serving.get(r.indicator.group, ())]
        if not serves:
            continue
        pick = [r for r in serves if r.indicator.code not in named][:FOCUS_TARGETS]
        named |= {r.indicator.code for r in pick}
        fell = [a for a in m.activities_of(t.code) if a.reporters and a.change is not None and a.change < 0]
        if pick or fell:
            out.append((t.code, pick, fell))
    return out


def component_lines(pb: Phrasebook, m: ReportModel) -> list:
    """One status line per component plan, drawn from the indicators and activity counts plan.yaml links to it."""
    plan = m.catalog.plan
    results = {r.indicator.code: r for r in m.indicators}
    acts = {a.code: a for a in m.activities}
    out = []
    for c in plan.component_plans:
        rs = [results[x] for x in getattr(c, "indicators", ()) if x in results]
        judged = [r for r in rs if r.status != BASELINE and assessable(r)]
        good = [r for r in judged if r.status in GOOD]
        counts = [acts[x] for x in getattr(c, "activities", ()) if x in acts and acts[x].reporters]
        facts = []
        if counts:
            facts.append(pb.say("components.activities", year=m.year, items=[
                pb.say("components.activity", label=a.label, total=a.total, measure=a.measure, change=a.change,
                       prev_year=m.year - 1) for a in counts]))
        # counts over communes whose verdict cell reads "Chưa đủ số liệu": neither met nor lagging, but said
        incomplete = sum(1 for r in rs if r.status != BASELINE and status_text(r) == INCOMPLETE)
        if judged:
            key = "components.indicators.milestone" if m.is_milestone_year else "components.indicators.path"
            facts.append(pb.say(key, good=len(good), judged=len(judged), year=m.year, count=incomplete,
                                lagging=[vn.lower_first(r.indicator.name) for r in judged if r not in good]))
        elif incomplete:
            facts.append(pb.say("components.indicators.incomplete", count=incomplete))
        status = "; ".join(facts) if facts else pb.say("components.plain")
        status = status[0].lower() + status[1:] if status else status
        out.append(pb.say("components.status", name=c.name, lead=c.lead, status=status))
    return out


def directions(pb: Phrasebook, m: ReportModel) -> list:
    """Section VI: next year's direction, in the plan's order, the lagging targets first (each with the level to
    reach), the task groups they call for, the units low in several targets, the activities to restore, the
    reporting; after the plan's last year, the targets still to complete and the plan of the next period."""
    plan = m.catalog.plan
    nxt = m.year + 1
    ms = plan.milestone_for(nxt)
    lagging = m.lagging
    period = f"{plan.period[0]}\u2013{plan.period[1]}"
    if ms is None and nxt < plan.period[0]:
        return [pb.say("dir.out_of_period", next_year=nxt, plan_number=plan.number)]
    if ms is None:  # the year after the plan's end: keep what was reached, complete what was not
        out = [pb.say("dir.after_period", next_year=nxt, plan_number=plan.number, period=period,
                      lagging=bool(lagging), year=m.year)]
    else:
        out = [pb.say("dir.intro", next_year=nxt, plan_number=plan.number, milestone=ms.title,
                      lagging=bool(lagging), year=m.year)]
    for r in lagging:
        if r.indicator.kind == STATUS:
            out.append(pb.say("dir.lagging.status", name=r.indicator.name, year=m.year, expected=r.expected_count,
                              reached=r.numerator, population=_population(r, pb),
                              failing=names([u.unit for u in r.failing()]),
                              missing=names([u.unit for u in r.not_reported]),
                              excluded=names([u.unit for u in r.excluded])))
            continue
        # after the plan's end there is no lộ trình: the level the plan set and the district has not reached
        goal = next_path(m, r, nxt) if ms is not None else (r.target.value if r.target else None)
        if goal is not None:
            out.append(pb.say("dir.lagging", name=r.indicator.name, goal=goal, year=m.year, rate=r.rate))
    tasks = [code for code, _, _ in focus_tasks(m)]  # the KH's "trọng tâm" groups, in the plan's order
    if tasks:
        out.append(pb.say("dir.task", tasks=[f"nhóm {plan.task(t).number} ({vn.lower_first(plan.task(t).title)})"
                                             for t in tasks]))
    cf = conclusion_facts(m)
    if cf["weak_units"]:
        out.append(pb.say("dir.units", units=cf["weak_units"]))
    if cf["fell"]:
        out.append(pb.say("dir.fell", items=cf["fell"], year=m.year))
    if cf["missing"] or cf["late"] or cf["errors"]:
        out.append(pb.say("dir.reporting", year=m.year, office=m.catalog.office.full_name))
    if ms is None:
        out.append(pb.say("dir.next_plan", plan_number=plan.number, period=period, lagging=bool(lagging)))
    out.append(pb.say("dir.general"))
    return out


def next_path(m: ReportModel, r: IndicatorResult, year: int) -> float | None:
    """The lộ trình value of ``r``'s target for ``year`` (the milestone value in the milestone year)."""
    from .aggregate import path_value

    t = m.catalog.plan.target_for(r.indicator.code, year)
    if t is None or t.value is None:
        return None
    if year == t.year:
        return t.value
    ms = m.catalog.plan.milestone_for(year)
    base_year = ms.baseline if ms else None
    base = r.rate if base_year == m.year else (r.baseline_rate if base_year == r.baseline_year else None)
    return path_value(t, year, base_year, base) or t.value


def kh_goal(m: ReportModel, r: IndicatorResult, year: int) -> tuple[float | None, str]:
    """Next year's goal the KH proposes for ``r``, never below the level the district already reached.

    Returns the goal and how it was set: ``path`` (the lộ trình value, above this year's result), ``keep``
    (this year's result is at or above the lộ trình but below the plan's target: keep the level reached) or
    ``met`` (the plan's target is already reached: maintain the level reached). A commune count (status
    indicator) keeps its lộ trình value: what remains is a count of communes; it is ``met`` when every
    commune that had to report reached the standard."""
    path = next_path(m, r, year)
    if r.indicator.kind == STATUS:
        every = path is not None and r.expected_count > 0 and (r.numerator or 0) >= r.expected_count
        return path, ("met" if every else "path")
    if path is None or r.rate is None:
        return path, "path"
    shown = vn.shown_rate(r.rate)
    if shown < vn.round_half_up(path, 1):
        return path, "path"
    t = m.catalog.plan.target_for(r.indicator.code, year)
    return shown, ("met" if t is not None and t.value is not None and shown >= t.value else "keep")


def kh_kept(m: ReportModel, year: int) -> list[tuple[IndicatorResult, float, float]]:
    """The targets of ``year`` whose goal the KH keeps above the plan's lộ trình (the level already reached is
    higher), each with its goal and the lộ trình value: the tờ trình tells UBND huyện about them."""
    out = []
    for r in m.indicators:
        if m.catalog.plan.target_for(r.indicator.code, year) is None:
            continue
        goal, how = kh_goal(m, r, year)
        path = next_path(m, r, year)
        if how != "path" and goal is not None and path is not None and goal > vn.round_half_up(path, 1):
            out.append((r, goal, path))
    return out


def proposals(pb: Phrasebook, m: ReportModel) -> list:
    cf = conclusion_facts(m)
    out = [pb.say("prop.ubnd", items=pb.chosen("prop.ubnd", **cf)), pb.say("prop.so", items=pb.chosen("prop.so", **cf))]
    themes = _themes(_texts(m.proposals), m.office_unit)
    if themes:
        out.append(pb.say("prop.units", items=[pb.say("prop.theme", count=c, theme=n) for n, c in themes]))
    return out


# ------------------------------------------------------------------------------------ plan check
# Every fact a sentence may use (the names the code hands to ``say``), and the top-level variables
# of each Word template. ``check_wording`` renders every entry against them and names what is undefined.
FACTS = {"year", "next_year", "prev_year", "office", "plan_number", "plan_date", "plan_issuer", "plan_title",
         "count", "kind", "number", "date", "issuer", "title", "received", "expected", "communes", "others",
         "missing", "late", "milestone", "milestone_year", "baseline_year", "name", "rate", "num", "den",
         "unit_label", "reached", "population", "question", "short", "target", "margin", "path", "progress",
         "change", "units", "label", "total", "measure", "weakest", "table", "reporters", "previous", "amount",
         "share", "end", "good", "judged", "lagging", "items", "against", "where", "errors", "themes",
         "reporting", "lead", "status", "groups", "goal", "tasks", "result", "targets", "gap", "failing", "deadline", "report_ref",
         "unit", "due", "parts", "letter", "text", "warnings", "theme", "binary", "held", "as_of", "asked", "variant",
         "by_kind", "coordinators", "request", "path_rule", "send_by", "contact", "attached", "period", "rows",
         "reported", "excluded", "among", "unjudged", "short_by", "maintained", "fell", "who", "points", "many", "rest"}
# the facts of the conditional clauses (conclusion_facts)
CONDITION_FACTS = {"year", "prev_year", "is_milestone", "milestone_year", "lagging", "lag_by_group", "worst",
                   "failing", "weak_units", "strong", "fell", "rose", "missing", "late", "errors", "funding",
                   "funding_change", "public_share"}
CONTEXT_KEYS = {
    "bao_cao.docx": {"office", "number", "type_abbr", "symbol", "date_line", "appendix_date", "year", "next_year",
                     "subject", "kinh_gui", "intro", "direction", "targets_intro", "groups", "tasks_intro", "tasks",
                     "components",
                     "funding", "assessment", "directions", "proposals", "closing", "recipients", "signer", "tables"},
    "ke_hoach.docx": {"office", "number", "type_abbr", "symbol", "date_line", "appendix_date", "year", "prev_year",
                      "subject", "draft", "bases", "intro", "purposes", "requirements", "general_goal",
                      "targets_intro", "groups", "tasks_intro", "tasks", "funding", "org_intro", "bodies",
                      "calendar_heading", "calendar", "closing", "recipients", "signer", "components",
                      "components_note"},
    "to_trinh.docx": {"office", "number", "type_abbr", "symbol", "date_line", "subject", "kinh_gui", "bases", "body",
                      "recipients", "signer"},
    "cong_van.docx": {"office", "number", "date_line", "subject", "recipient", "body", "recipients", "signer"},
}


def check_wording(inputs: Path | str | None) -> list[str]:
    """Problems of the phrasebook and the Word templates: syntax errors and undefined variables, each named."""
    from jinja2 import TemplateSyntaxError, meta

    from .templating import environment

    pb = phrasebook(inputs)
    env = environment()
    problems = check_phrases(pb, FACTS)
    for key, entries in pb.conditional.items():
        for i, e in enumerate(entries if isinstance(entries, list) else []):
            if not isinstance(e, dict):
                continue
            when = str(e.get("when", "true")).strip()
            for part, source in (("when", "" if when == "otherwise" else "{% if " + when + " %}1{% endif %}"),
                                 ("say", str(e.get("say", "")))):
                try:
                    used = meta.find_undeclared_variables(env.parse(source))
                except TemplateSyntaxError as exc:
                    problems.append(f"{pb.path.name}, '{key}' mục {i + 1} ({part}): lỗi cú pháp ({exc.message}).")
                    continue
                for var in sorted(used - CONDITION_FACTS):
                    problems.append(f"{pb.path.name}, '{key}' mục {i + 1} ({part}): biến '{var}' chưa được định nghĩa.")
    for name, keys in CONTEXT_KEYS.items():
        problems += check_template(name, inputs, keys)
    return problems


def check_phrases(pb: "Phrasebook", facts: set[str]) -> list[str]:
    """Syntax errors and variables outside ``facts`` in the plain sentences of ``pb``, each named."""
    from jinja2 import TemplateSyntaxError, meta

    from .templating import environment

    env = environment()
    problems = []
    for key, source in pb.raw.items():
        if isinstance(source, list):
            continue
        try:
            used = meta.find_undeclared_variables(env.parse(str(source)))
        except TemplateSyntaxError as exc:
            problems.append(f"{pb.path.name}, câu '{key}': lỗi cú pháp ({exc.message}).")
            continue
        problems += [f"{pb.path.name}, câu '{key}': biến '{v}' chưa được định nghĩa." for v in sorted(used - facts)]
    return problems


def check_template(name: str, inputs: Path | str | None, keys: set[str]) -> list[str]:
    """Variables of the Word template ``name`` (the office's copy or the packaged one) outside ``keys``."""
    from .templating import locate, undeclared

    path, _origin = locate(name, inputs)
    try:
        used = undeclared(path)
    except Exception as exc:  # noqa: BLE001 - report, do not stop the check
        return [f"Mẫu {name}: không đọc được ({exc})."]
    return [f"Mẫu {path.name} ({path.parent}): biến '{v}' chưa được định nghĩa." for v in sorted(used - keys)]
