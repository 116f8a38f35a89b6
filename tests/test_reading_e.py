"""A fresh reader's findings on BC 2017, BC 2020, KH 2018 and the letters (helper E, 2026-11-30): each test
reopens a document of ``reading_runs`` (2015, 2016, 2017, 2020 dated 20 December, without charts)."""

from __future__ import annotations

import json
import re

from test_documents_reading import body


def _doc(runs, year: int, name: str) -> list[str]:
    return body(runs["out"] / str(year) / "v1" / name)


def _between(lines: list[str], start: str, end: str) -> list[str]:
    i = next(k for k, x in enumerate(lines) if x.startswith(start))
    j = next(k for k, x in enumerate(lines) if k > i and x.startswith(end))
    return lines[i + 1:j]


def test_tthtcd_rate_lower_only_by_who_reported_is_no_fall(reading_runs):
    """2016 16/21 (xã Mỹ Thành did not report) against 2017 16/22; 2019 19/22 against 2020 18/21 (xã An Tiến
    did not report): the same centres are good, so neither the section II sentence nor the tồn tại say a fall,
    and the rate may stand among the highlights without contradiction."""
    name = "trung tâm học tập cộng đồng xã, thị trấn hoạt động chất lượng tốt"
    for year in (2017, 2020):
        lines = _doc(reading_runs, year, f"BC_XHHT_{year}.docx")
        about = [x for x in lines if name in x.lower() and not x.startswith("|")]
        assert about, year
        for x in about:
            assert not re.search(rf"{name} giảm", x.lower()), x
            assert "So với năm {}, giảm".format(year - 1) not in x, x
        limits = _between(lines, "2. Tồn tại, hạn chế", "3. Nguyên nhân")
        assert not any(name in x.lower() for x in limits), limits


def _letter(runs, year: int, start: str) -> list[str]:
    folder = runs["out"] / str(year) / "v1" / "phan-hoi"
    return body(next(folder.glob(f"{start}*.docx")))


def test_late_figures_promised_to_next_report_before_the_plans_last_year(reading_runs):
    """BC 2017 and the letter to Hội Người cao tuổi promised the late figures in "báo cáo tổng kết giai đoạn",
    three years before the period review: outside the plan's last year (2020) they go to next year's report."""
    for lines in (_doc(reading_runs, 2017, "BC_XHHT_2017.docx"), _letter(reading_runs, 2017, "CV_2017_HNCT")):
        text = "\n".join(lines)
        assert "tổng kết giai đoạn" not in text
        assert "cập nhật vào số liệu tổng hợp năm 2017 và phản ánh trong báo cáo năm 2018" in text
    text = "\n".join(_doc(reading_runs, 2020, "BC_XHHT_2020.docx"))
    assert "số liệu tổng hợp năm 2020 và phản ánh trong báo cáo tổng kết giai đoạn." in text


def test_highest_units_named_with_their_counts(reading_runs):
    """BC 2017 said "cao nhất … là xã An Phú và xã Đốc Tín", which reads as a tie (15 and 14 buổi): every unit
    named among the highest and lowest of a task group carries its count."""
    lines = _doc(reading_runs, 2017, "BC_XHHT_2017.docx")
    assert any("cao nhất trong các xã, thị trấn là xã An Phú (15 buổi) và xã Đốc Tín (14 buổi)." in x for x in lines)
    ranked = [x for x in lines if re.search(r"cao nhất trong các|thấp nhất là|thực hiện tốt là|Dẫn đầu về|còn thấp là", x)
              and not x.startswith(("|", "-")) and "tỷ lệ" not in x]
    assert ranked
    for x in ranked:
        for part in re.split(r"; ", re.split(r" là ", x, maxsplit=1)[1]):
            assert re.fullmatch(r"(.+? \([\d.]+ [^()]+\)(, | và )?)+\.?", part.split(" là ")[-1]), x


def test_many_units_only_for_a_real_many(reading_runs):
    """BC 2020: "Nhiều đơn vị cho biết: cử cán bộ tham dự hội thảo của huyện (03 đơn vị)": three is "một số đơn
    vị"; "Nhiều" needs a third or more of the units that reported on the task group."""
    lines = _doc(reading_runs, 2020, "BC_XHHT_2020.docx")
    assert "Phản ánh của một số đơn vị: cử cán bộ tham dự hội thảo của huyện (03 đơn vị)." in lines
    for year in (2017, 2020):
        # the units that reported on the task group: the most that reported one of its activities (model.json)
        model = json.loads((reading_runs["out"] / str(year) / "v1" / "model.json").read_text(encoding="utf-8"))
        reporters = {a["label"]: a["reporters"] for a in model["activities"]}
        lines = _doc(reading_runs, year, f"BC_XHHT_{year}.docx")
        for i, x in enumerate(lines):
            if x.startswith("Nhiều đơn vị"):
                group = []
                for y in reversed(lines[:i]):
                    if not y.startswith("- "):
                        if group:
                            break
                        continue  # the group's ranking sentence between its activities and its remarks
                    group += [n for label, n in reporters.items() if y.startswith(f"- {label}:")]
                assert group and 3 * sum(int(n) for n in re.findall(r"\((\d+) đơn vị\)", x)) >= max(group), x


def test_count_of_targets_is_over_all_targets(reading_runs):
    """BC 2020: "12/18 chỉ tiêu đạt …; 05 chỉ tiêu chưa đủ số liệu để đánh giá" read as if there were 18 targets;
    there are 23 (and "01/02 chỉ tiêu liên quan …; 05 chỉ tiêu chưa đủ số liệu" in section IV likewise 07)."""
    lines = _doc(reading_runs, 2020, "BC_XHHT_2020.docx")
    assert ("Năm 2020, toàn huyện có 12/23 chỉ tiêu đạt hoặc vượt chỉ tiêu kế hoạch năm 2020, 06 chỉ tiêu chưa đạt, "
            "05 chỉ tiêu chưa đủ số liệu để đánh giá.") in lines
    assert any("01/07 chỉ tiêu liên quan đạt chỉ tiêu năm 2020; chưa đạt:" in x for x in lines)
    assert "Năm 2017, toàn huyện có 15/23 chỉ tiêu" in "\n".join(_doc(reading_runs, 2017, "BC_XHHT_2017.docx"))


def test_kh_staff_training_stands_with_the_offices_duties(reading_runs):
    """KH 2018 section V: "8. Đào tạo, bồi dưỡng cán bộ, công chức, viên chức" stood after "7. Đề nghị các tổ
    chức chính trị - xã hội …", reading as part of the request to the mass organisations: it now stands before
    the request, the numbering following."""
    lines = _doc(reading_runs, 2017, "KH_XHHT_2018.docx")
    org = lines[next(i for i, x in enumerate(lines) if x.startswith("V. TỔ CHỨC THỰC HIỆN")):]
    heads = [x for x in org if re.match(r"\d+\. ", x)]
    staff = next(i for i, x in enumerate(heads) if x.endswith("Đào tạo, bồi dưỡng cán bộ, công chức, viên chức"))
    ask = next(i for i, x in enumerate(heads) if x.split(". ", 1)[1].startswith("Đề nghị"))
    assert staff < ask, heads
    assert [int(x.split(".")[0]) for x in heads] == list(range(1, len(heads) + 1)), heads


def test_kh_names_the_one_commune_to_reach_the_standard(reading_runs):
    """KH 2018: "năm 2018 phấn đấu xã còn lại đạt chuẩn (xã Mỹ Thành)": one commune is named directly, with the
    count all would then reach; more than one keep the plural form."""
    from pipeline.wording import phrasebook

    lines = _doc(reading_runs, 2017, "KH_XHHT_2018.docx")
    assert ("Tỷ lệ xã, thị trấn đạt tiêu chuẩn phổ cập bậc trung học: năm 2018 phấn đấu xã Mỹ Thành đạt chuẩn, "
            "đạt 22/22 xã, thị trấn.") in lines
    assert not any("còn lại đạt chuẩn (" in x for x in lines)
    said = str(phrasebook(reading_runs["inputs"]).say(
        "kh.target.status_gap", name="Tỷ lệ X", year=2018, failing=2, population="xã", units=["xã A", "xã B"],
        expected=22, reached=22, among="xã, thị trấn", rest=True))
    assert said == "Tỷ lệ X: năm 2018 phấn đấu 02 xã còn lại (xã A và xã B) đạt chuẩn, đạt 22/22 xã, thị trấn."


def test_kh_says_no_remaining_count_when_a_commune_did_not_report(reading_runs):
    """KH 2016: 12/22 communes reached the standard in 2015, 09 did not and 01 did not report: "phấn đấu 09 xã còn
    lại … đạt chuẩn" (10 remain), and "đạt 22/22" would not add up: the 09 are named without "còn lại" or a count."""
    line = next(x for x in _doc(reading_runs, 2015, "KH_XHHT_2016.docx")
                if x.startswith("Tỷ lệ xã, thị trấn đạt tiêu chuẩn phổ cập bậc trung học: năm 2016 phấn đấu"))
    assert line.startswith("Tỷ lệ xã, thị trấn đạt tiêu chuẩn phổ cập bậc trung học: năm 2016 phấn đấu 09 xã (xã "), line
    assert line.endswith(") đạt chuẩn."), line


def test_letter_says_bieu_mau_in_lower_case(reading_runs):
    """The letter to Hội Người cao tuổi: "hoàn thành Biểu mẫu báo cáo …": a common noun in running text."""
    text = "\n".join(_letter(reading_runs, 2017, "CV_2017_HNCT"))
    assert "hoàn thành biểu mẫu báo cáo kết quả xây dựng xã hội học tập năm 2017" in text
    assert "Biểu mẫu" not in text


def test_radio_figure_of_the_direction_says_what_it_counts(reading_runs):
    """BC 2017 section I: "Đài Truyền thanh huyện phát 58 tin, bài về xây dựng xã hội học tập" while Biểu 02 gives
    the Đài 213 "tin, bài tuyên truyền về xây dựng xã hội học tập" (2020: 29 against 280). The 58 is the office's
    record of the Đài's chuyên mục “Xây dựng xã hội học tập” (plan 233 asks the Đài for one), the Biểu the Đài's own
    yearly total: the sentence says the chuyên mục, so that the two do not read as one figure."""
    for year, news, total in ((2017, 58, 213), (2020, 29, 280)):
        lines = _doc(reading_runs, year, f"BC_XHHT_{year}.docx")
        said = [x for x in lines if x.startswith("Đài Truyền thanh huyện phát")]
        assert said == [f"Đài Truyền thanh huyện phát {news} tin, bài trên chuyên mục “Xây dựng xã hội học tập”; các "
                        "xã, thị trấn tuyên truyền trên hệ thống truyền thanh cơ sở."], said
        assert any(re.match(rf"\| \d+ \| Đài Truyền thanh huyện \| \d* \| {total} \|", x) for x in lines)
    review = "\n".join(body(reading_runs["review"]))
    assert "tin, bài trên chuyên mục “Xây dựng xã hội học tập”, các xã, thị trấn" in review
