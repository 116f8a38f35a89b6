"""Validation rules as data (rules.yaml) and outliers against the unit's previous year."""

from __future__ import annotations

import pytest

from pipeline.errors import CatalogError
from pipeline.ingest import ingest
from pipeline.catalog_load import load_catalog, parse_expression
from pipeline.runner import validate_year
from pipeline.validate import validate


def _check(inputs, year=2015):
    cat = load_catalog(inputs)
    return validate(cat, ingest(cat, inputs, year))


def test_rules_loaded(catalog):
    codes = [r.code for r in catalog.rules]
    assert "biet-chu-15-35-trong-15-60" in codes and len(codes) == 7
    assert catalog.outliers.max_change_points == 15


def test_expression_parser():
    t = parse_expression("A.numerator + B.denominator - 5")
    assert [(x.sign, x.indicator, x.field, x.constant) for x in t] == [(1, "A", "numerator", 0),
                                                                      (1, "B", "denominator", 0), (-1, "", "", 5)]
    assert parse_expression("A.x") is None and parse_expression("A.numerator +") is None


def test_error_rule_excludes_the_values(inputs, submit):
    submit("10441", values={"BIET_CHU_15_60": (900, 1000), "BIET_CHU_15_35": (950, 990)})
    checked = _check(inputs)
    msg = [i.text() for i in checked.issues if i.code == "rule-error"]
    assert msg == ["Lỗi [rule-error] BieuMau_2015_10441_Dai-Nghia.xlsx, trang 'Số liệu', ô E13, E12: Số người 15-35 "
                   "tuổi biết chữ không thể lớn hơn số người 15-60 tuổi biết chữ ('Số người 15-35 tuổi biết chữ' = 950; "
                   "'Số người 15-60 tuổi biết chữ' = 900)."]
    assert not checked.observations[("10441", "BIET_CHU_15_35")].valid
    assert "rule:biet-chu-15-35-trong-15-60" in checked.observations[("10441", "BIET_CHU_15_60")].problems


def test_warning_rule_keeps_the_values(inputs, submit):
    submit("10441", values={"TTHTCD_THUONG_XUYEN": (0, 1), "TTHTCD_CL_TOT": (1, 1)})
    checked = _check(inputs)
    assert [i.severity.value for i in checked.issues if i.code == "rule-warning"] == ["warning"]
    assert checked.observations[("10441", "TTHTCD_CL_TOT")].valid


def test_bad_rule_file_is_refused(inputs):
    (inputs / "rules.yaml").write_text("rules:\n  - code: x\n    left: KHONG_CO.numerator\n    op: '=<'\n"
                                       "    right: XMC.numerator\n    message: m\n", encoding="utf-8")
    with pytest.raises(CatalogError) as err:
        load_catalog(inputs)
    assert err.value.problems == [
        "rules.yaml, mục rules[0] (x): chỉ tiêu 'KHONG_CO' không có trong plan.yaml.",
        "rules.yaml, mục rules[0] (x): chỉ tiêu 'XMC' là chỉ tiêu trạng thái, không có tử số/mẫu số.",
        "rules.yaml, mục rules[0] (x): phép so sánh '=<' phải là một trong <= < >= > == !=."]


def test_outliers_are_warnings(inputs, submit):
    submit("LDLD", year=2014, values={"CNLD_THPT": (800, 1000), "CNLD_HOC_NGHE": (900, 1000)})
    submit("LDLD", year=2015, values={"CNLD_THPT": (990, 1000), "CNLD_HOC_NGHE": (900, 1500)})
    cat = load_catalog(inputs)
    _data, checked = validate_year(cat, inputs, 2015)
    msgs = [i.text() for i in checked.issues if i.code.startswith("outlier")]
    f = "BieuMau_2015_LDLD_Lien-doan-Lao-dong-huyen.xlsx, trang 'Số liệu'"
    assert (f"Cảnh báo [outlier-rate] {f}, ô E9: 'Tỷ lệ công nhân lao động tại các công ty, doanh nghiệp có trình độ "
            "học vấn trung học phổ thông hoặc tương đương' thay đổi 19,0 điểm phần trăm so với năm 2014 (80,0% → 99,0%), "
            "vượt ngưỡng 15 điểm; hãy kiểm tra lại số liệu.") in msgs
    assert (f"Cảnh báo [outlier-count] {f}, ô G10: 'Tổng số công nhân lao động' thay đổi 50% so với năm 2014 "
            "(1.000 → 1.500), vượt ngưỡng 30%; hãy kiểm tra lại số liệu.") in msgs
    assert checked.observations[("LDLD", "CNLD_THPT")].valid  # a warning, not an error
