"""Vietnamese numbers, percentages, dates and amounts in words."""

import datetime as dt

import pytest

from pipeline import vnformat as vn


@pytest.mark.parametrize("value, text", [
    (0, "0"), (7, "7"), (1234, "1.234"), (1234567, "1.234.567"), (1_000_000_000, "1.000.000.000"), (-1234, "-1.234"),
])
def test_number(value, text):
    assert vn.number(value) == text


@pytest.mark.parametrize("value, text", [
    (96.24, "96,2%"), (96.25, "96,3%"), (100.0, "100,0%"), (7.0, "7,0%"), (0.0, "0,0%"),
    (99.96, "99,96%"),   # never shown as 100% when below 100
    (99.999, "99,99%"), (30.04, "30,0%"),
])
def test_percent(value, text):
    assert vn.percent(value) == text


@pytest.mark.parametrize("day, text", [
    (dt.date(2016, 1, 5), "Mỹ Đức, ngày 05 tháng 01 năm 2016"),
    (dt.date(2016, 2, 28), "Mỹ Đức, ngày 28 tháng 02 năm 2016"),
    (dt.date(2015, 3, 9), "Mỹ Đức, ngày 09 tháng 3 năm 2015"),
    (dt.date(2015, 12, 20), "Mỹ Đức, ngày 20 tháng 12 năm 2015"),
])
def test_issue_date_pads_days_and_first_two_months(day, text):
    assert vn.issue_date("Mỹ Đức", day) == text


@pytest.mark.parametrize("n, text", [
    (15, "mười lăm"), (21, "hai mươi mốt"), (24, "hai mươi tư"), (14, "mười bốn"), (11, "mười một"),
    (10, "mười"), (105, "một trăm linh năm"), (110, "một trăm mười"), (1001, "một nghìn không trăm linh một"),
    (1_050_000, "một triệu không trăm năm mươi nghìn"), (1_005_000, "một triệu không trăm linh năm nghìn"),
    (2_000_005, "hai triệu không trăm linh năm"), (1_000_000, "một triệu"), (1_000_000_000, "một tỷ"),
    (125_000_000, "một trăm hai mươi lăm triệu"), (1_000_000_000_000, "một nghìn tỷ"),
    (1_476_500_000, "một tỷ bốn trăm bảy mươi sáu triệu năm trăm nghìn"),
])
def test_words(n, text):
    assert vn.words(n) == text


def test_money_words():
    assert vn.money_words(125_000_000) == "Một trăm hai mươi lăm triệu đồng"
    assert vn.money_words(0) == "Không đồng"
