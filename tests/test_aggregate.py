"""District figures are ratios of sums; targets in force by year; statuses and year-over-year change."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.aggregate import (AHEAD, BASELINE, BEHIND, EXCEEDED, MET, NO_PATH, NO_TARGET, NOT_MET, ON_PATH,
                                aggregate, model_dict)
from pipeline.ingest import ingest
from pipeline.catalog_load import load_catalog
from pipeline.runner import build_model
from pipeline.validate import validate

GOLDEN = Path(__file__).parent / "golden" / "aggregate_2015.json"


def _model(inputs, year=2015, previous=None):
    cat = load_catalog(inputs)
    data = ingest(cat, inputs, year)
    return aggregate(cat, validate(cat, data), data.submissions, previous)


def test_district_rate_is_ratio_of_sums_not_mean_of_rates(inputs, submit):
    submit("10441", values={"BIET_CHU_15_60": (90, 100)})        # 90%
    submit("10444", values={"BIET_CHU_15_60": (9_990, 10_000)})  # 99.9%
    r = _model(inputs).result("BIET_CHU_15_60")
    assert (r.numerator, r.denominator) == (10_080, 10_100)
    assert r.rate == pytest.approx(100 * 10_080 / 10_100)      # 99.80%, not the mean 94.95%
    # the margin is the difference of the figures as shown (99,8% against 100,0%)
    assert r.status == NOT_MET and r.margin == pytest.approx(-0.2)
    assert [u.unit.code for u in r.behind()] == ["10441", "10444"]


def test_status_indicator_counts_units(inputs, submit):
    submit("10441", values={"PC_BAC_TH": "Đạt"})
    submit("10444", values={"PC_BAC_TH": "Chưa đạt"})
    r = _model(inputs).result("PC_BAC_TH")
    assert (r.numerator, r.denominator, r.rate) == (1, 2, 50.0)
    assert r.status == NOT_MET and len(r.not_reported) == 20


def test_targets_in_force_and_statuses(inputs, submit):
    submit("10441", year=2015, values={"CBCCVC_CNTT": (96, 100), "TTHTCD_THUONG_XUYEN": (1, 1)})
    submit("10441", year=2016, values={"CBCCVC_CNTT": (96, 100), "TTHTCD_THUONG_XUYEN": (1, 1)})
    m15 = _model(inputs, 2015)
    assert m15.result("CBCCVC_CNTT").target.year == 2015
    assert m15.result("CBCCVC_CNTT").status == EXCEEDED and m15.result("CBCCVC_CNTT").margin == pytest.approx(1.0)
    m16 = _model(inputs, 2016)
    # 2016 lies between milestones: never "chưa đạt" against the 2020 value; without the 2015 baseline
    # there is no lộ trình to judge against
    assert m16.result("CBCCVC_CNTT").target.value == 100 and m16.result("CBCCVC_CNTT").status == NO_PATH
    prev = _validated(inputs, 2015)
    r = _model(inputs, 2016, prev).result("CBCCVC_CNTT")
    # hand-computed: baseline 2015 = 96%, target 2020 = 100%: lộ trình 2016 = 96 + 4 * 1/5 = 96,8%
    assert r.baseline_rate == pytest.approx(96.0) and r.path_value == pytest.approx(96.8)
    assert r.status == BEHIND and r.margin == pytest.approx(-0.8) and r.progress == pytest.approx(0.0)
    assert m16.result("TTHTCD_THUONG_XUYEN").status == NO_TARGET


def _validated(inputs, year):
    cat = load_catalog(inputs)
    return validate(cat, ingest(cat, inputs, year))


def test_lo_trinh_and_progress_hand_computed(inputs, submit):
    # baseline 2015: 90/100; 2017: 94/100. Target 2020: 100%, linear path.
    # path 2017 = 90 + (100 - 90) * 2/5 = 94,0; progress = (94 - 90) / (100 - 90) = 40,0%
    submit("10441", year=2015, values={"CBCCVC_CNTT": (90, 100)})
    submit("10441", year=2017, values={"CBCCVC_CNTT": (94, 100)})
    cat = load_catalog(inputs)
    data = ingest(cat, inputs, 2017)
    m = aggregate(cat, validate(cat, data), data.submissions, None, history={2015: _validated(inputs, 2015)})
    r = m.result("CBCCVC_CNTT")
    assert r.path_value == pytest.approx(94.0) and r.progress == pytest.approx(40.0)
    assert r.status == ON_PATH and r.judged_against == "path"
    j = model_dict(m)["indicators"]
    row = next(x for x in j if x["code"] == "CBCCVC_CNTT")
    assert row["path_value"] == 94.0 and row["progress"] == 40.0 and row["status"] == "dat_lo_trinh"
    # 2018 at 99% is ahead of the path (96,0)
    submit("10441", year=2018, values={"CBCCVC_CNTT": (99, 100)})
    data = ingest(cat, inputs, 2018)
    m = aggregate(cat, validate(cat, data), data.submissions, None, history={2015: _validated(inputs, 2015)})
    assert m.result("CBCCVC_CNTT").status == AHEAD and m.result("CBCCVC_CNTT").path_value == pytest.approx(96.0)


def test_baseline_year_is_not_judged(inputs, submit):
    submit("10441", year=2014, values={"CBCCVC_CNTT": (80, 100)})
    r = _model(inputs, 2014).result("CBCCVC_CNTT")
    assert r.status == BASELINE and r.path_value is None


def test_exactly_at_target_is_met_not_exceeded(inputs, submit):
    submit("10441", values={"CBCCVC_CNTT": (95, 100)})
    assert _model(inputs).result("CBCCVC_CNTT").status == MET


def test_change_from_previous_year_and_increase_targets(inputs, submit):
    submit("LDLD", year=2014, values={"CNLD_TH_NN": (300, 1000)})
    submit("LDLD", year=2015, values={"CNLD_TH_NN": (350, 1000)})
    cat = load_catalog(inputs)
    prev = validate(cat, ingest(cat, inputs, 2014))
    r = _model(inputs, 2015, prev).result("CNLD_TH_NN")
    assert r.previous_rate == 30.0 and r.change == pytest.approx(5.0)
    assert r.target.kind == "increase" and r.status == MET


def test_excluded_values_are_not_in_totals(inputs, submit):
    submit("10441", values={"BIET_CHU_15_60": (120, 100)})
    submit("10444", values={"BIET_CHU_15_60": (95, 100)})
    r = _model(inputs).result("BIET_CHU_15_60")
    assert (r.numerator, r.denominator) == (95, 100)
    assert [u.unit.code for u in r.excluded] == ["10441"]


def test_narratives_merged_deduplicated_attributed_unaltered(inputs, submit):
    text = "Tổ chức 5 lớp & <chuyên đề> {{ 7*7 }}"
    submit("10441", texts={"NV3": text})
    submit("10444", texts={"NV3": text})
    submit("PGDDT", texts={"NV3": "Khác"})
    m = _model(inputs)
    nv3 = next(t for t in m.tasks if t.code == "NV3")
    assert [([u.code for u in units], t) for units, t in nv3.entries] == [(["10441", "10444"], text), (["PGDDT"], "Khác")]


def _snapshot(model) -> dict:
    return {r.indicator.code: {"numerator": r.numerator, "denominator": r.denominator,
                               "rate": round(r.rate, 4) if r.rate is not None else None,
                               "target": r.target.value if r.target else None, "status": r.status,
                               "change": round(r.change, 4) if r.change is not None else None,
                               "excluded": [u.unit.code for u in r.excluded],
                               "not_reported": [u.unit.code for u in r.not_reported]}
            for r in model.indicators} | {
        "_completeness": {"received": len(model.validation.received), "missing": [u.unit for u in model.validation.missing],
                          "with_errors": [u.unit for u in model.validation.with_errors]},
        "_funding": {"NSNN": model.funding_total("NSNN"), "XHH": model.funding_total("XHH")}}


def test_golden_shipped_2015(catalog, update_golden):
    root = Path(__file__).resolve().parents[1] / "inputs"
    snap = _snapshot(build_model(catalog, root, 2015))
    if update_golden or not GOLDEN.exists():
        GOLDEN.write_text(json.dumps(snap, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    assert snap == json.loads(GOLDEN.read_text(encoding="utf-8"))
    assert snap["_completeness"] == {"received": 36, "missing": ["10486"], "with_errors": ["10492"]}
