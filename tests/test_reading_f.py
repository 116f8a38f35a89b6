"""What a fresh reader (head of office) still found in the BC 2016/2017/2020, the KH 2018 and the tổng kết
2014–2020 of the shipped samples: each fixed in the content and checked here by reopening the DOCX
(conftest.reading_runs)."""

from __future__ import annotations

import re

from test_documents_reading import body


def _bc(runs, year: int) -> list[str]:
    return body(runs["out"] / str(year) / "v1" / f"BC_XHHT_{year}.docx")


def _prose(lines: list[str]) -> list[str]:
    return [x for x in lines if not x.startswith("|")]


def test_commune_standards_with_one_result_said_once(reading_runs):
    """The four commune standards that every commune met (2017), or that the 21 communes that reported met
    (2020), are one sentence, not four or five identical ones; the table keeps its rows."""
    for year, head in ((2017, "22/22 xã, thị trấn đạt chuẩn"), (2020, "21/22 xã, thị trấn đạt")):
        lines = _bc(reading_runs, year)
        said = [x for x in _prose(lines) if x.startswith(head)]
        assert len(said) == 1, said
        for name in ("chống mù chữ", "mầm non cho trẻ 5 tuổi", "tiểu học đúng độ tuổi", "trung học cơ sở"):
            assert name in said[0], (name, said[0])
            assert sum(1 for x in lines if x.startswith("|") and name in x and "đạt" in x) >= 1
    s2017 = [x for x in _bc(reading_runs, 2017) if x.startswith("22/22 xã, thị trấn đạt chuẩn")][0]
    assert s2017.endswith("giữ vững chỉ tiêu 100,0%."), s2017
    s2020 = [x for x in _bc(reading_runs, 2020) if x.startswith("21/22 xã, thị trấn đạt")][0]
    assert s2020.count("chưa báo cáo") == 1 and "phổ cập bậc trung học" in s2020, s2020


def test_a_tie_at_the_lowest_rate_is_named_whole(reading_runs):
    """BC 2017: the most lagging target (cán bộ cấp xã bồi dưỡng quản lý, −6,4 points) named no unit because
    seven communes tie at 90,9%; the tie is said whole, with its count and its value, in the sentence and in the
    tồn tại."""
    lines = _bc(reading_runs, 2017)
    start = "Tỷ lệ cán bộ cấp xã được bồi dưỡng kiến thức, kỹ năng lãnh đạo, quản lý"
    said = [x for x in _prose(lines) if x.startswith(start)]
    assert len(said) == 1
    m = re.search(r"(\d\d) xã cùng có tỷ lệ thấp nhất \((\d+,\d%)\): ([^.]+)\.", said[0])
    assert m, said[0]
    assert m.group(1) == "07" and m.group(2) == "90,9%"
    named = re.split(r", | và ", m.group(3))
    assert len(named) == 7 and "Thượng Lâm" in named and "Tuy Lai" in named, named
    limit = [x for x in _prose(lines) if x.startswith("- " + start) and " mới đạt " in x]
    assert len(limit) == 1 and "thấp nhất tại 07 xã (cùng 90,9%): " in limit[0] and "Thượng Lâm" in limit[0], limit


def test_the_tong_ket_counts_targets_over_all_of_them(reading_runs):
    """The tổng kết said "12/18 chỉ tiêu đạt …, 06 chỉ tiêu chưa đạt" and left out the five without enough data:
    the count is over every target, as the BC 2020 says it ("12/23 …, 06 chưa đạt, 05 chưa đủ số liệu")."""
    review = [x for x in _prose(body(reading_runs["review"])) if x.startswith("Tại mốc năm 2020, toàn huyện có")]
    assert len(review) == 1
    bc = [x for x in _prose(_bc(reading_runs, 2020)) if x.startswith("Năm 2020, toàn huyện có")]
    assert len(bc) == 1
    count = re.search(r"có (\d\d/\d\d) chỉ tiêu", bc[0]).group(1)
    assert count == "12/23" and f"có {count} chỉ tiêu đạt" in review[0], (bc, review)
    assert "06 chỉ tiêu chưa đạt, 05 chỉ tiêu chưa đủ số liệu để đánh giá." in review[0], review
    milestone_2015 = [x for x in _prose(body(reading_runs["review"])) if x.startswith("Tại mốc năm 2015")][0]
    total = int(re.search(r"có \d\d/(\d\d) chỉ tiêu", milestone_2015).group(1))
    assert total == 23 or "chưa đủ số liệu" in milestone_2015 or "chưa có chỉ tiêu" in milestone_2015, milestone_2015


def test_a_rise_that_is_only_a_change_of_who_reported_is_not_said(reading_runs, tmp_path):
    """BC 2019: "So với năm 2018, tăng 0,7 điểm phần trăm" for the centres of good quality (19/22 against 18/21):
    the centres that reported both years did not change, the district rate rose only because another commune
    reported (the mirror of the false fall). No rise is said, and the target is no example of progress."""
    import datetime as dt

    from conftest import as_on_windows
    from pipeline.runner import run

    with as_on_windows():  # the shared inputs are only read
        run(reading_runs["inputs"], tmp_path, 2019, dt.date(2019, 12, 20), charts=False, feedback=False)
    lines = _prose(body(tmp_path / "2019" / "v1" / "BC_XHHT_2019.docx"))
    name = "Tỷ lệ trung tâm học tập cộng đồng xã, thị trấn hoạt động chất lượng tốt"
    said = [x for x in lines if x.startswith(name + " đạt")]
    assert len(said) == 1 and "86,4% (19/22" in said[0], said
    assert "So với năm 2018" not in said[0], said[0]
    assert not any(vn_lower(name) in x and "cho thấy" in x for x in lines)
    # a rise of the same units is still said (ngoại ngữ bậc 3: the same units reported both years)
    assert any(x.startswith("Tỷ lệ cán bộ, công chức, viên chức có trình độ ngoại ngữ bậc 3") and
               "So với năm 2018, tăng" in x for x in lines)


def vn_lower(text: str) -> str:
    return text[:1].lower() + text[1:]


def test_a_commune_count_short_by_a_missing_report_names_it(reading_runs):
    """BC 2016, phổ cập bậc trung học: "năm 2016: 20/22; chưa đạt: xã Xuy Xá" named one commune where the count
    implies two not at standard: the other did not report, and the tồn tại and the direction say so."""
    lines = _prose(_bc(reading_runs, 2016))
    start = "- Tỷ lệ xã, thị trấn đạt tiêu chuẩn phổ cập bậc trung học:"
    said = [x for x in lines if x.startswith(start)]
    assert len(said) == 2, said
    for x in said:
        m = re.search(r"chưa đạt: xã Xuy Xá; chưa báo cáo: (xã|thị trấn) [A-ZĐ]\w+", x)
        assert m, x


def test_the_units_remarks_open_by_their_share(reading_runs):
    """Section III: "Ý kiến của các đơn vị: … (04 đơn vị)" implied every unit where four said it; the opening
    follows the share, as "Nhiều/Một số đơn vị" does."""
    seen = 0
    for year in (2016, 2017, 2020):
        for x in _prose(_bc(reading_runs, year)):
            assert not x.startswith("Ý kiến của các đơn vị:"), (year, x)
            if x.startswith(("Ý kiến của một số đơn vị:", "Nhiều đơn vị có ý kiến:")):
                seen += 1
                total = sum(int(n) for n in re.findall(r"\((\d\d) đơn vị\)", x))
                assert total >= 2, x
    assert seen >= 3
    line = [x for x in _prose(_bc(reading_runs, 2017)) if "Ban Chỉ đạo được kiện toàn sau khi thay đổi nhân sự" in x]
    assert line and line[0].startswith("Ý kiến của một số đơn vị:"), line


def test_kh_names_each_component_plan_by_its_own_name(reading_runs):
    """KH 2018: section V said "kế hoạch phát triển giáo dục từ xa" and "… trong các nhà văn hóa, câu lạc bộ" where
    the Phụ lục names the same plans "Kế hoạch Phát triển đào tạo từ xa" and "… thư viện, bảo tàng, nhà văn hóa,
    câu lạc bộ": one plan, one name, the Phụ lục's, everywhere."""
    lines = body(reading_runs["out"] / "2017" / "v1" / "KH_XHHT_2018.docx")
    annex = {r.split(" | ")[1] for r in lines if re.match(r"\| \d \| Kế hoạch ", r)}
    assert "Kế hoạch Phát triển đào tạo từ xa" in annex, annex
    text = "\n".join(x for x in lines if not x.startswith("|"))
    assert "giáo dục từ xa, Kế hoạch" not in text and "kế hoạch phát triển giáo dục từ xa" not in text.lower()
    assert "trong các nhà văn hóa, câu lạc bộ" not in text
    for name in annex:
        if name.startswith(("Kế hoạch Phát triển đào tạo từ xa", "Kế hoạch Đẩy mạnh các hoạt động học tập suốt đời",
                            "Kế hoạch Hỗ trợ cho người lao động")):
            assert name in text, name
    assert ", dòng họ, cộng đồng dân cư, dòng họ" not in text
    assert "doanh nghiệp trong các công ty, doanh nghiệp" not in text


def test_kh_annex_names_the_community_learning_centres_in_full(reading_runs):
    """KH 2018, Phụ lục row 3: "đặc biệt là cơ sở Trung tâm HTCĐ" (an abbreviation, a capital, "cơ sở" of one
    centre) reads "đặc biệt là các trung tâm học tập cộng đồng" (a correction of the plan's text, listed in
    tests/data/plan_corrections.yaml)."""
    lines = body(reading_runs["out"] / "2017" / "v1" / "KH_XHHT_2018.docx")
    row = [r for r in lines if r.startswith("| 3 | Kế hoạch Phát triển đào tạo từ xa |")]
    assert len(row) == 1
    assert "ở các cơ sở giáo dục, đặc biệt là các trung tâm học tập cộng đồng, tăng cường" in row[0], row[0]
    assert "HTCĐ" not in row[0]


def test_kh_names_a_tie_at_the_lowest_rate_where_to_work(reading_runs):
    """KH 2018: the target furthest behind (cán bộ cấp xã bồi dưỡng quản lý) had no "tập trung chỉ đạo …" line, as
    the BC named no unit for the seven communes tied at 90,9%: the tie is named whole here too."""
    lines = body(reading_runs["out"] / "2017" / "v1" / "KH_XHHT_2018.docx")
    said = [x for x in lines if x.startswith("Tỷ lệ cán bộ cấp xã được bồi dưỡng kiến thức, kỹ năng lãnh đạo, quản lý")
            and "tập trung chỉ đạo" in x]
    assert len(said) == 1 and "07 xã có kết quả thấp nhất năm 2017 (cùng 90,9%): Thượng Lâm" in said[0], said


def test_one_unit_low_in_several_targets_is_named_in_the_singular(reading_runs):
    """BC 2020's direction said "các đơn vị có kết quả thấp ở nhiều chỉ tiêu: xã Mỹ Thành", a plural for one
    commune (a fresh reader's finding): one unit is named with "đơn vị", several with "các đơn vị"."""
    lines = body(reading_runs["out"] / "2020" / "v1" / "BC_XHHT_2020.docx")
    direction = [x for x in lines if x.startswith("- Tập trung chỉ đạo, hỗ trợ")]
    assert direction == ["- Tập trung chỉ đạo, hỗ trợ xã Mỹ Thành, đơn vị có kết quả thấp ở nhiều chỉ tiêu;"]
    assert not any("các đơn vị có kết quả thấp ở nhiều chỉ tiêu: xã Mỹ Thành" in x for x in lines)


def test_kh_reporting_deadline_and_a_standards_bracket_read_as_what_is_asked(reading_runs):
    """A fresh reader read "chưa đạt lộ trình năm 2017 (tất cả các xã, thị trấn đạt chuẩn)" as saying every commune
    reached the standard, and the KH's "gửi trước ngày 15/12/2018" against the letters' "chậm nhất ngày": the
    bracket says it is the lộ trình, and the KH's deadline is "chậm nhất ngày", as the letters say it."""
    bc = "\n".join(_bc(reading_runs, 2017))
    assert "chưa đạt lộ trình năm 2017 (lộ trình: tất cả các xã, thị trấn đạt chuẩn)" in bc
    assert "(tất cả các xã, thị trấn đạt chuẩn)" not in bc
    kh = "\n".join(body(reading_runs["out"] / "2017" / "v1" / "KH_XHHT_2018.docx"))
    assert "gửi chậm nhất ngày 15/12/2018" in kh and "gửi trước ngày" not in kh
