"""Series over several years: gaps (never zeros), milestone outcomes, first year met, all targets met,
per-year completeness and funding, and which source (archive or submissions) each year came from."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import openpyxl
import pytest

from pipeline.vnformat import shown_rate

from pipeline import form_layout as L
from pipeline.aggregate import EXCEEDED, NOT_MET
from pipeline.catalog_load import load_catalog
from pipeline.runner import build_model
from pipeline.series import (FROM_ARCHIVE, FROM_NOTHING, FROM_SUBMISSIONS, GAP_MISSING, GAP_NOT_EXPECTED,
                             build_series, load_models, period_series)

ROOT = Path(__file__).resolve().parents[1]
INPUTS = ROOT / "inputs"
YEARS = (2014, 2015, 2016)


@pytest.fixture(scope="module")
def shipped(shipped_models):
    """The series of the shipped samples 2014–2016 (``period_series`` over the models read once per test run)."""
    m = shipped_models
    return build_series(m.catalog, m.models, m.sources, 2014, 2016)


def _copy_inputs(dest: Path, years=YEARS) -> Path:
    dest.mkdir()
    for name in ("plan.yaml", "units.yaml", "office.yaml", "rules.yaml"):
        shutil.copy(INPUTS / name, dest / name)
    for y in years:
        shutil.copytree(INPUTS / "submissions" / str(y), dest / "submissions" / str(y))
    return dest


def _cells(path: Path, code: str) -> tuple[int, int]:
    """The numerator and denominator a unit typed for ``code``, read straight from its workbook."""
    ws = openpyxl.load_workbook(path, data_only=True)[L.DATA_SHEET]
    for row in ws.iter_rows(min_row=L.DATA_HEADER_ROW + 1):
        if row[L.col_index(L.CODE_COL)].value == code:
            return (row[L.col_index(L.DATA_COLS["num"])].value, row[L.col_index(L.DATA_COLS["den"])].value)
    raise KeyError(code)


def _unit_file(inputs: Path, year: int, unit: str) -> Path:
    files = sorted((inputs / "submissions" / str(year)).glob(f"BieuMau_{year}_{unit}_*.xlsx"))
    return files[-1]  # a resubmission ("_bo-sung") sorts after the first file


def test_unit_series_with_a_gap_is_hand_computed_and_never_zero(tmp_path, shipped):
    inputs = _copy_inputs(tmp_path / "inputs")
    unit, code = "10441", "CBCCVC_NN_B2"
    n14, d14 = _cells(_unit_file(inputs, 2014, unit), code)
    n15, d15 = _cells(_unit_file(inputs, 2015, unit), code)
    n16, d16 = _cells(_unit_file(inputs, 2016, unit), code)
    for f in (inputs / "submissions" / "2015").glob(f"BieuMau_2015_{unit}_*"):
        f.unlink()  # the unit did not report in 2015

    s = period_series(inputs, None, 2014, 2016)
    us = s.indicator(code).unit(unit)
    p14, p15, p16 = us.points
    assert (p14.numerator, p14.denominator) == (n14, d14) and p14.value == pytest.approx(100 * n14 / d14)
    assert p15.value is None and p15.numerator is None and p15.gap == GAP_MISSING  # a gap, not a zero
    assert (p16.numerator, p16.denominator) == (n16, d16) and p16.value == pytest.approx(100 * n16 / d16)
    assert (us.change.from_year, us.change.to_year) == (2014, 2016)
    # the change as the reader computes it from the two printed rates (one decimal each)
    assert us.change.points == pytest.approx(round(shown_rate(100 * n16 / d16) - shown_rate(100 * n14 / d14), 1))
    # the district figure of 2015 lost exactly this unit's counts
    full, gap = shipped.indicator(code).at(2015), s.indicator(code).at(2015)
    assert (gap.numerator, gap.denominator) == (full.numerator - n15, full.denominator - d15)
    assert unit in s.year(2015).missing and unit not in shipped.year(2015).missing
    # the JSON keeps the gap and its reason
    d = json.loads(json.dumps(s.to_dict(), ensure_ascii=False))
    ind = next(i for i in d["indicators"] if i["code"] == code)
    row = next(u for u in ind["units"] if u["unit"] == unit)
    assert row["points"][1] == {"year": 2015, "value": None, "numerator": None, "denominator": None,
                                "status": None, "gap": GAP_MISSING}


def test_shipped_series_agrees_with_each_yearly_model(shipped, catalog):
    models = {}
    for year in YEARS:
        model = models[year] = build_model(catalog, INPUTS, year)
        for r in model.indicators:
            p = shipped.indicator(r.indicator.code).at(year)
            assert (p.numerator, p.denominator) == (r.numerator, r.denominator)
            assert p.value == r.rate
            assert shipped.indicator(r.indicator.code).target_at(year).value == (r.target.value if r.target else None)
        v = model.validation
        f = shipped.year(year)
        assert (f.expected, f.received) == (len(v.completeness), len(v.received))
        assert f.missing == [u.unit for u in v.missing]
        assert f.funding_total == model.funding_total()
        assert f.source.kind == FROM_SUBMISSIONS
    # 2015 is the plan's milestone inside 2014–2016: its outcome is the yearly judgement of 2015
    assert shipped.milestone_years == [2015]
    for r in models[2015].indicators:
        o = shipped.indicator(r.indicator.code).outcome(2015)
        assert o.status == r.status and o.value == r.rate


def test_milestone_first_met_and_all_targets_hand_computed(inputs, submit):
    # CBCCVC_CNTT: target 95% at the 2015 milestone, 100% at 2020 (in force from 2016)
    submit("10441", 2014, values={"CBCCVC_CNTT": (90, 100)})
    submit("10441", 2015, values={"CBCCVC_CNTT": (96, 100)})
    submit("10441", 2016, values={"CBCCVC_CNTT": (100, 100)})
    submit("10444", 2014, values={"CBCCVC_CNTT": (80, 100)})
    submit("10444", 2016, values={"CBCCVC_CNTT": (90, 100)})            # nothing sent in 2015
    # Liên đoàn Lao động: all four of its targets met in 2015, two missed against the 2020 values in 2016
    submit("LDLD", 2014, values={"CNLD_TH_NN": (300, 1000), "CNLD_THPT": (850, 1000),
                                 "CNLD_HOC_NGHE": (900, 1000), "CNLD_TAY_NGHE_CAO": (100, 1000)})
    submit("LDLD", 2015, values={"CNLD_TH_NN": (350, 1000), "CNLD_THPT": (920, 1000),
                                 "CNLD_HOC_NGHE": (960, 1000), "CNLD_TAY_NGHE_CAO": (120, 1000)})
    submit("LDLD", 2016, values={"CNLD_TH_NN": (360, 1000), "CNLD_THPT": (930, 1000),
                                 "CNLD_HOC_NGHE": (970, 1000), "CNLD_TAY_NGHE_CAO": (130, 1000)})
    s = period_series(inputs, None, 2014, 2016, parallel=False)

    cntt = s.indicator("CBCCVC_CNTT")
    assert [p.value for p in cntt.district] == pytest.approx([85.0, 96.0, 95.0])   # 170/200, 96/100, 190/200
    o = cntt.outcome(2015)
    assert (o.target, o.status) == (95.0, EXCEEDED) and o.margin == pytest.approx(1.0)
    assert o.units_met == ["10441"] and "10444" in o.units_no_data and not o.units_not_met
    assert [t.value for t in cntt.targets] == [95.0, 95.0, 100.0]
    assert [t.milestone for t in cntt.targets] == [2015, 2015, 2020]
    assert cntt.first_met == {2015: 2015, 2020: None}
    a, b = cntt.unit("10441"), cntt.unit("10444")
    assert a.first_met == {2015: 2015, 2020: 2016} and a.met_since == 2015
    assert b.first_met == {2015: None, 2020: None} and b.met_since is None
    assert b.at(2015).gap == GAP_MISSING and b.change.points == pytest.approx(10.0)
    # 2016 lies between milestones: units are measured against the lộ trình to 2020 (96 + (100 - 96) / 5 = 96,8)
    assert cntt.target_at(2016).path_value == pytest.approx(96.8) and cntt.target_at(2016).reference == pytest.approx(96.8)
    assert [x.unit for x in cntt.behind] == ["10444"] and cntt.behind[0].shortfall == pytest.approx(6.8)

    thpt = s.indicator("CNLD_THPT")
    assert thpt.unit("LDLD").first_met == {2015: 2015, 2020: None}
    assert thpt.outcome(2015).status != NOT_MET
    # only LDLD met every target it reports in 2015; in 2016 it is on the lộ trình of all four
    # (THPT 93 >= 92 + 3/5; học nghề 97 >= 96 + 4/5; both "increase" targets rose), never judged against 2020 values
    assert s.all_met(2015) == ["LDLD"]
    ldld16 = next(x for x in s.standings[2016] if x.unit == "LDLD")
    assert sorted(ldld16.met) == ["CNLD_HOC_NGHE", "CNLD_TAY_NGHE_CAO", "CNLD_THPT", "CNLD_TH_NN"]
    assert ldld16.all_met and "LDLD" in s.all_met(2016)
    behind16 = s.furthest_behind(1, 2016)[0]
    assert behind16.unit == "10444" and behind16.not_met == ["CBCCVC_CNTT"] and behind16.shortfall == pytest.approx(6.8)
    # a unit that never reports an indicator has no series for it; one that was not expected is a gap
    with pytest.raises(KeyError):
        cntt.unit("LDLD")
    assert thpt.unit("LDLD").points[0].gap is None and not any(
        p.gap == GAP_NOT_EXPECTED for p in thpt.unit("LDLD").points)


def test_years_without_data_are_gaps_and_recorded(inputs, submit):
    submit("10441", 2015, values={"CBCCVC_CNTT": (96, 100)})
    cat = load_catalog(inputs)
    models, sources = load_models(inputs, None, 2014, 2016, cat, parallel=False)
    assert models[2014] is None and models[2016] is None and sources[2014].kind == FROM_NOTHING
    s = build_series(cat, models, sources, 2014, 2016)
    assert s.missing_years == [2014, 2016] and not s.final
    p = s.indicator("CBCCVC_CNTT").unit("10441").points
    assert [x.value for x in p] == [None, 96.0, None] and p[0].gap == p[2].gap == "chua_co_nam"
    assert s.indicator("CBCCVC_CNTT").change is None  # one known year: no change over the period


def test_each_year_read_from_its_newest_archived_version(tmp_path, shipped_copy):
    inputs = _copy_inputs(tmp_path / "inputs", (2014, 2015))
    outputs = shipped_copy  # 2015 run on the shipped inputs, then the same run forced: v1 and v2
    expected = period_series(inputs, None, 2014, 2015)
    shutil.rmtree(inputs / "submissions" / "2015")  # the archive is now the only copy of 2015
    models, sources = load_models(inputs, outputs, 2014, 2015, parallel=True)
    assert sources[2015].kind == FROM_ARCHIVE and sources[2015].version == "v2"
    assert sources[2015].inputs == str(outputs / "2015" / "v2" / "inputs")
    assert sources[2014].kind == FROM_SUBMISSIONS
    s = build_series(load_catalog(inputs), models, sources, 2014, 2015)
    for a, b in zip(s.indicators, expected.indicators):
        assert [p.value for p in a.district] == [p.value for p in b.district]
    assert s.to_dict()["years_facts"][1]["source"]["kind"] == FROM_ARCHIVE


def test_a_yearly_trend_holds_the_district_series_only_and_keys_last_year_with_the_runs_files(shipped_models, monkeypatch):
    """The yearly BC's charts and trend sheet show the district's line: series_so_far(per_unit=False) leaves out
    each unit's series and the standings (a review's), with the same district points, and the year before is
    keyed with the files the run listed (checkcache.files_of) instead of hashing them again."""
    from pipeline import checkcache
    from pipeline.series import series_so_far

    m = shipped_models
    full = build_series(m.catalog, m.models, m.sources, 2014, 2016)
    lean = build_series(m.catalog, m.models, m.sources, 2014, 2016, per_unit=False)
    assert full.standings and any(s.units for s in full.indicators) and any(o.units_met for s in full.indicators
                                                                            for o in s.milestones)
    assert lean.standings == {} and not any(s.units or s.behind for s in lean.indicators)
    assert not any(o.units_met or o.units_not_met for s in lean.indicators for o in s.milestones)
    assert [(s.code, s.district, s.targets, s.change, s.first_met) for s in lean.indicators] == [
        (s.code, s.district, s.targets, s.change, s.first_met) for s in full.indicators]

    cache = checkcache.CheckedCache([])
    listed = {2014: checkcache.year_files(INPUTS, None, 2014)}
    cache.remember_files(INPUTS, None, listed)
    assert cache.files_of(INPUTS, None, 2014) is listed[2014] and cache.files_of(INPUTS, None, 2015) is None
    calls = []
    monkeypatch.setattr(checkcache, "year_files", lambda *a: calls.append(a[-1]) or listed[2014])
    monkeypatch.setenv("XHHT_NO_FORK", "1")
    trend = series_so_far(m.models[2015], INPUTS, None, cache=cache, per_unit=False)
    assert trend.standings == {} and trend.years == [2014, 2015]
    assert calls == []  # 2014, the one year read, was listed by the "run"
