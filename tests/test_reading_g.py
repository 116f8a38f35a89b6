"""What a fresh reader (head of office) still found in the BC 2017/2020 and the tổng kết 2014–2020 (helper G):
each fixed in the content and checked here by reopening the DOCX (conftest.reading_runs, or a copy of its
inputs with a few figures changed where the shipped samples do not show the case)."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import openpyxl
import pytest

from test_documents_reading import body


def _bc(runs, year: int) -> list[str]:
    return body(runs["out"] / str(year) / "v1" / f"BC_XHHT_{year}.docx")


def _prose(lines: list[str]) -> list[str]:
    return [x for x in lines if not x.startswith("|")]


def _set_numerators(inputs: Path, year: int, figures: dict[tuple[str, str], int]) -> None:
    """Type new numerators into units' workbooks of ``year``: (unit, indicator code) -> numerator."""
    from pipeline import form_layout as L

    for unit in {u for u, _ in figures}:
        path = sorted((inputs / "submissions" / str(year)).glob(f"BieuMau_{year}_{unit}_*.xlsx"))[-1]
        wb = openpyxl.load_workbook(path)
        ws = wb[L.DATA_SHEET]
        for row in ws.iter_rows(min_row=L.DATA_HEADER_ROW + 1):
            code = row[L.col_index(L.CODE_COL)].value
            if (unit, code) in figures:
                row[L.col_index(L.DATA_COLS["num"])].value = figures[(unit, code)]
        wb.save(path)


@pytest.fixture(scope="module")
def tied_review(reading_runs, tmp_path_factory) -> list[str]:
    """A period review of the samples (the sơ kết 2018–2020: the tổng kết's sentences, fewer years to read) with
    2020's cán bộ cấp xã figures changed so that the lowest units
    tie: CB_XA_CHUAN_CM xã Đại Hưng 90,9%, then four communes at 92,3% (the third "thấp nhất" would be one of
    four equals); CB_XA_BD_QL four communes at 90,9% (10/11), the lowest, then xã Mỹ Thành at 92,3%."""
    from pipeline.review import review_filename, write_review

    base = tmp_path_factory.mktemp("tied_review")
    inputs = base / "inputs"
    shutil.copytree(reading_runs["inputs"], inputs)
    _set_numerators(inputs, 2020, {("10441", "CB_XA_CHUAN_CM"): 12, ("10444", "CB_XA_CHUAN_CM"): 12,
                                   ("10447", "CB_XA_BD_QL"): 10, ("10450", "CB_XA_BD_QL"): 10,
                                   ("10462", "CB_XA_BD_QL"): 10})
    r = write_review(inputs, base / "outputs", 2018, 2020, dt.date(2020, 12, 28), charts=False)
    return body(r.version / review_filename(2018, 2020))


def test_review_lowest_units_never_cut_a_tie(tied_review):
    """Tổng kết: the "thấp nhất năm 2020" never names some of several units with the same printed rate. With one
    unit below four equals, only that unit is named; with four equals at the lowest, the tie is said whole, with
    its count and value (as the yearly BC: wording.lowest_tie)."""
    cm = next(x for x in _prose(tied_review) if x.startswith("Tỷ lệ cán bộ cấp xã có trình độ chuyên môn"))
    assert "đơn vị còn thấp nhất năm 2020 là xã Đại Hưng (90,9%)." in cm, cm
    assert "92,3%" not in cm, cm
    ql = next(x for x in _prose(tied_review) if x.startswith("Tỷ lệ cán bộ cấp xã được bồi dưỡng kiến thức"))
    assert "04 xã cùng có tỷ lệ thấp nhất năm 2020 (90,9%): Thượng Lâm, Tuy Lai, An Mỹ và Hợp Tiến." in ql, ql
    assert "Mỹ Thành" not in ql, ql


@pytest.fixture(scope="module")
def increase_2019(reading_runs, tmp_path_factory) -> list[str]:
    """BC 2019 of the samples with the centres of good quality (TTHTCD_CL_TOT) given a target of kind "increase"
    for 2020: 19/22 against 18/21 in 2018 (xã An Tiến did not report in 2018; the same 18 at the top both years),
    a rise that comes only from who reported."""
    from pipeline.runner import run

    base = tmp_path_factory.mktemp("increase_2019")
    inputs = base / "inputs"
    shutil.copytree(reading_runs["inputs"], inputs)
    plan = inputs / "plan.yaml"
    text = plan.read_text(encoding="utf-8")
    old = "  - indicator: TTHTCD_CL_TOT\n    year: 2020\n    kind: at_least\n    value: 70\n    path: linear\n"
    assert old in text
    plan.write_text(text.replace(old, "  - indicator: TTHTCD_CL_TOT\n    year: 2020\n    kind: increase\n"
                                      "    value: null\n    path: none\n"), encoding="utf-8")
    run(inputs, base / "outputs", 2019, dt.date(2019, 12, 20), charts=False)
    return body(base / "outputs" / "2019" / "v1" / "BC_XHHT_2019.docx")


def test_an_unjudged_rise_is_the_models_status_and_every_output_says_it(increase_2019, tmp_path_factory):
    """The verdict is the model's (aggregate.UNJUDGED), not the BC's wording alone: the summary workbook's
    "Đánh giá" and model.json say the same as the BC's table."""
    import json

    from pipeline.aggregate import STATUS_LABELS, UNJUDGED

    version = next(tmp_path_factory.getbasetemp().glob("increase_2019*")) / "outputs" / "2019" / "v1"
    model = json.loads((version / "model.json").read_text(encoding="utf-8"))
    ind = next(i for i in model["indicators"] if i["code"] == "TTHTCD_CL_TOT")
    assert ind["status"] == UNJUDGED and ind["status_label"] == "Chưa đủ số liệu để đánh giá"
    assert model["summary"][UNJUDGED] == 1 and UNJUDGED in STATUS_LABELS
    ws = openpyxl.load_workbook(version / "TongHop_XHHT_2019.xlsx", read_only=True)["Chỉ tiêu toàn huyện"]
    rows = [[c for c in row] for row in ws.iter_rows(values_only=True)]
    head = next(r for r in rows if r and "Đánh giá" in r)
    row = next(r for r in rows if r and r[2] and "chất lượng tốt" in str(r[2]))
    assert row[head.index("Đánh giá")] == "Chưa đủ số liệu để đánh giá", row


def test_a_rise_only_from_who_reported_does_not_meet_the_increase_requirement(increase_2019):
    """BC 2019: "tăng 0,7 điểm phần trăm so với năm 2018, đạt yêu cầu tăng hằng năm" for 19/22 against 18/21
    when the same 18 centres were good both years: the rise comes from the change of reporting units, the
    requirement is not judged, in the sentence, the table's cell and the count of targets."""
    said = [x for x in _prose(increase_2019) if x.startswith("Tỷ lệ trung tâm học tập cộng đồng xã, thị trấn hoạt "
                                                               "động chất lượng tốt đạt")]
    assert len(said) == 1 and "86,4% (19/22" in said[0], said
    assert "đạt yêu cầu tăng hằng năm" not in said[0], said[0]
    assert ("tăng 0,7 điểm phần trăm so với năm 2018 do thay đổi đơn vị báo cáo (tính trên các đơn vị báo cáo cả hai "
            "năm thì không tăng), chưa đủ số liệu để đánh giá yêu cầu tăng hằng năm.") in said[0], said[0]
    row = [x for x in increase_2019 if x.startswith("|") and "chất lượng tốt" in x and "19/22" in x]
    assert row and all("Chưa đủ số liệu" in x for x in row), row
    count = [x for x in _prose(increase_2019) if x.startswith("Năm 2019, toàn huyện có")]
    assert count and "chưa đủ số liệu để đánh giá" in count[0], count


def test_the_third_remarks_opening_says_many_when_many_said_it(reading_runs):
    """BC section III: "Một số đơn vị nêu:" opened the remarks of every third task group even when a third or more
    of the units that reported on it said them; it follows the "Nhiều / Một số" rule of the other openings
    (wording.MANY_SHARE_DEN), counted on the remark most units said: two remarks of 04 units each (perhaps the
    same units) among the 22 communes are "Một số đơn vị nêu" (a fresh reader read "Nhiều" there as overstated)."""
    from pipeline.wording import phrasebook

    lines = _prose(_bc(reading_runs, 2017))
    evening = [x for x in lines if "lượt người học tăng nhờ mở lớp vào buổi tối" in x]
    assert len(evening) == 1 and evening[0].startswith("Một số đơn vị nêu: "), evening
    few = [x for x in lines if "cộng tác viên phần lớn là giáo viên" in x]
    assert len(few) == 1 and few[0].startswith("Một số đơn vị nêu: "), few
    pb = phrasebook(reading_runs["inputs"])
    items = [pb.say("task.remark", count=9, text="mở lớp vào buổi tối")]
    assert str(pb.say("task.remarks", variant=2, total=9, many=True, items=items)).startswith("Nhiều đơn vị nêu: ")
    assert str(pb.say("task.remarks", variant=2, total=9, many=False, items=items)).startswith("Một số đơn vị nêu: ")


def test_units_views_on_shortcomings_said_by_their_share(reading_runs):
    """BC section V: "Ý kiến của các đơn vị về tồn tại, hạn chế tập trung vào: …" read as every unit. It is
    said by the share of the units that reported, as section III's remarks ("Nhiều đơn vị" for a third or more:
    24 of the 36 in 2017, 31 in 2020; "một số đơn vị" below; one unit "Có đơn vị"), each theme with its count,
    the themes parted by ";" (a theme holds a comma)."""
    from pipeline.wording import phrasebook

    for year, counts in ((2017, ("09", "10", "05")), (2020, ("09", "15", "07"))):
        lines = _prose(_bc(reading_runs, year))
        assert not any("Ý kiến của các đơn vị" in x for x in lines), year
        said = [x for x in lines if "tồn tại, hạn chế" in x and "hỗ trợ kinh phí" in x]
        assert said == [f"- Nhiều đơn vị nêu tồn tại, hạn chế, tập trung vào: hỗ trợ kinh phí ({counts[0]} đơn vị); "
                        f"đầu tư cơ sở vật chất, trang thiết bị ({counts[1]} đơn vị); chế độ cho cán bộ trung tâm "
                        f"học tập cộng đồng ({counts[2]} đơn vị)."], said
    pb = phrasebook(reading_runs["inputs"])
    few = str(pb.say("assess.limits.units", total=4, many=False, themes=["hỗ trợ kinh phí (04 đơn vị)"]))
    assert few == "- Ý kiến của một số đơn vị về tồn tại, hạn chế tập trung vào: hỗ trợ kinh phí (04 đơn vị).", few
    one = str(pb.say("assess.limits.units", total=1, many=False, themes=["hỗ trợ kinh phí"]))
    assert one == "- Có đơn vị nêu tồn tại, hạn chế về hỗ trợ kinh phí.", one


def test_a_milestone_outcome_takes_the_years_own_unjudged_verdict(increase_2019, tmp_path_factory):
    """The tổng kết's milestone verdict of an "increase" target is the year's own: a rise only a change of
    reporting units made reads "Chưa đủ số liệu" in the table and says so in the sentence, never "đạt" (the
    series judged the district points alone). The figures of 2018 and 2019 stand for the milestone's year
    before and year, since the samples' milestone 2020 has no such rise."""
    from pipeline.aggregate import UNJUDGED
    from pipeline.catalog_load import load_catalog
    from pipeline.review import _outcome_cell
    from pipeline.runner import build_model
    from pipeline.series import build_series
    from pipeline.wording import INCOMPLETE, phrasebook

    inputs = next(tmp_path_factory.getbasetemp().glob("increase_2019*")) / "inputs"
    cat = load_catalog(inputs)
    m18, m19 = (build_model(cat, inputs, y, today=dt.date(y, 12, 20)) for y in (2018, 2019))
    assert next(r for r in m19.indicators if r.indicator.code == "TTHTCD_CL_TOT").status == UNJUDGED
    s = build_series(cat, {2019: m18, 2020: m19}, first=2019, last=2020).indicator("TTHTCD_CL_TOT")
    o = s.outcome(2020)
    assert o.kind == "increase" and o.status == UNJUDGED and _outcome_cell(s, 2020) == INCOMPLETE
    said = str(phrasebook(inputs, "phrasebook_review.yaml").say("tk.ind.milestone.increase.reporting_only", year=2020))
    assert said == ("mốc năm 2020 tăng so với năm trước do thay đổi đơn vị báo cáo, chưa đủ số liệu để đánh giá "
                    "yêu cầu tăng hằng năm"), said
