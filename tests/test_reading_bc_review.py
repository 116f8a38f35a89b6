"""The yearly BC (2017, 2020) and the tổng kết 2014–2020 read again as the head of office reads them: what
he would not sign, each fixed in the wording or the layout and checked here by reopening the DOCX."""

from __future__ import annotations

import re

import pytest

from test_documents_reading import bc, body, docs, rows  # noqa: F401  (docs: a shared session fixture)


def _sentence(lines: list[str], start: str) -> str:
    return next(x for x in lines if x.startswith(start))


# ------------------------------------------------------------------------------------ 1. the year's own target
def test_a_level_never_reached_is_not_maintained_and_is_judged_against_the_years_path(docs):
    lines = body(bc(docs, 2017))
    # 15–60 literacy has never reached 100% (99,6% in 2014 … 99,8% in 2017): no "Duy trì" in its target cell
    row = rows(lines, "6")[0]
    assert row[1].startswith("Tỷ lệ người trong độ tuổi 15–60 biết chữ"), row
    assert row[2] == "100,0%", row
    # the same never-reached level for the communes' upper-secondary standard (21/22 in 2017)
    row = rows(lines, "5")[0]
    assert row[1].startswith("Tỷ lệ xã, thị trấn đạt tiêu chuẩn phổ cập bậc trung học") and row[2] == "100,0%", row
    # a level the district holds keeps "Duy trì"
    assert rows(lines, "1")[0][2] == "Duy trì 100,0%"
    # between milestones the verdict is the lộ trình's, as the table's "Chậm so với lộ trình"
    text = "\n".join(lines)
    assert "Kế hoạch đề ra" not in text
    literate = _sentence(lines, "Tỷ lệ người trong độ tuổi 15–60 biết chữ đạt")
    assert "chậm so với lộ trình năm 2017 (100,0%) 0,2 điểm phần trăm" in literate, literate
    upper = _sentence(lines, "21/22 xã, thị trấn đạt tiêu chuẩn phổ cập bậc trung học")
    assert "chưa đạt lộ trình năm 2017 (lộ trình: tất cả các xã, thị trấn đạt chuẩn)" in upper, upper


def test_in_the_milestone_year_a_level_never_reached_is_met_or_not_met(docs):
    lines = body(bc(docs, 2020))
    row = rows(lines, "6")[0]
    assert row[1].startswith("Tỷ lệ người trong độ tuổi 15–60 biết chữ") and row[2] == "100,0%", row
    literate = _sentence(lines, "Tỷ lệ người trong độ tuổi 15–60 biết chữ đạt")
    assert "chưa đạt chỉ tiêu năm 2020 (100,0%), còn thiếu 0,1 điểm phần trăm" in literate, literate
    assert "Kế hoạch đề ra" not in "\n".join(lines)


# ------------------------------------------------------------------------------------ 2. lessons from facts
def _section(lines: list[str], first: str, last: str) -> list[str]:
    i = lines.index(first)
    return lines[i + 1:next(k for k in range(i + 1, len(lines)) if lines[k].startswith(last))]


def test_lessons_cite_only_indicators_that_rose_and_units_low_in_several_targets(docs):
    for year in (2017, 2020):
        lines = body(bc(docs, year))
        lessons = _section(lines, "4. Bài học kinh nghiệm", "VI.")
        strong = next(x for x in lessons if x.startswith("- Những chỉ tiêu vượt"))
        named = re.search(r"\((.*)\) cho thấy", strong).group(1)
        for name in re.split(r", (?=tỷ lệ)| và (?=tỷ lệ)", named):
            sentence = next(x for x in lines if x.startswith(name[0].upper() + name[1:] + " đạt "))
            assert f"So với năm {year - 1}, tăng" in sentence, (year, sentence)
        if year == 2020:
            assert strong.startswith("- Những chỉ tiêu vượt mức kế hoạch")  # the milestone year: no lộ trình
        # a unit singled out in the conclusions is among the lowest of two lagging targets or more
        limits = _section(lines, "2. Tồn tại, hạn chế", "3. Nguyên nhân")
        conclusions = " ".join(_section(lines, "3. Nguyên nhân", "VI.") + _section(lines, "VII. ĐỀ XUẤT, KIẾN NGHỊ", "Trên đây"))
        singled = re.findall(r"nhất là (?:tại )?((?:xã|thị trấn) [^(;,]+?)(?: \(|;|,|$)", conclusions)
        singled += re.findall(r"các đơn vị có kết quả thấp \(([^)]*)\)", conclusions)
        for group in singled:
            for unit in re.split(r", | và ", group):
                assert sum(unit in x for x in limits) >= 2, (year, unit)
    text = "\n".join(body(bc(docs, 2017)))
    assert "chất lượng tốt) cho thấy" not in text and "hoạt động chất lượng tốt và" not in text
    assert "Kế hoạch, nhất là thị trấn Đại Nghĩa" not in text and "thấp (thị trấn Đại Nghĩa" not in text


# ------------------------------------------------------------------------------------ 3. direction after the plan
def test_the_last_years_direction_is_built_from_the_targets_not_reached(docs):
    lines = body(bc(docs, 2020))
    section = _section(lines, "VI. PHƯƠNG HƯỚNG, NHIỆM VỤ NĂM 2021", "VII.")
    text = "\n".join(section)
    assert "nằm ngoài giai đoạn" not in text
    assert section[0].startswith("Năm 2021 là năm đầu sau khi kết thúc giai đoạn 2014–2020 của Kế hoạch số 233/KH-UBND")
    # every target the year left unmet (section V.2) has its line, with the plan's level and the year's result
    limits = [x for x in _section(lines, "2. Tồn tại, hạn chế", "3. Nguyên nhân")
              if x.startswith("- Tỷ lệ") and " mới đạt " in x]  # (a target met whose rate fell has a line too)
    assert len(limits) >= 3
    for limit in limits:
        name = limit[2:].split(" mới đạt ")[0]
        line = next(x for x in section if x.startswith(f"- {name}: phấn đấu đạt "))
        rate = re.search(r"mới đạt ([\d,]+%)", limit).group(1)
        target = re.search(r"chưa đạt chỉ tiêu ([\d,]+%)", limit).group(1)
        assert line.endswith(f"phấn đấu đạt {target} (năm 2020: {rate});"), line
    assert any(x.startswith("- Thực hiện các nhóm nhiệm vụ") for x in section)
    assert any("xây dựng kế hoạch xây dựng xã hội học tập giai đoạn tiếp theo" in x for x in section)
    assert section[-1].endswith(".") and all(x.endswith(";") for x in section[1:-1])


# ------------------------------------------------------------------------------------ 4. a rate among those that reported
def test_a_rate_over_the_communes_that_reported_says_so_under_the_table(docs):
    lines = body(bc(docs, 2020))
    i = lines.index("1. Xóa mù chữ và phổ cập giáo dục")
    table = [x for x in lines[i + 1:i + 10] if x.startswith("| ")]
    partial = [c[0] for c in ([y.strip() for y in x[2:].split(" | ")] for x in table) if "chưa báo cáo" in c[3]]
    assert partial == ["1", "2", "3", "4", "5"]
    note = lines[i + 1 + len(table)]
    assert note == ("Ghi chú: tỷ lệ của các chỉ tiêu đánh giá theo số xã, thị trấn đạt chuẩn (TT 1–\u20605) tính trên "
                    "21/22 xã, thị trấn có số liệu (xã An Tiến chưa báo cáo)."), note
    # a year where every commune reported has no such note
    assert not any(x.startswith("Ghi chú: tỷ lệ của chỉ tiêu") for x in body(bc(docs, 2017)))


# ------------------------------------------------------------------------------------ 5. the tổng kết's tables
def test_tables_break_no_word(docs, printed_docs):
    """The tổng kết's Bảng 4 printed "Chư / a đạt" and the BC's Biểu 01 "CBCC / VC", "TTHT / CĐ": a column
    narrower than its word. No cell word may be cut: a piece of a cell's word that is no word of the document
    must not stand on a line of the printed text."""
    for path in (docs["review"], bc(docs, 2017), bc(docs, 2020)):
        lines = body(path)
        words = {w for x in lines for w in re.split(r"[\s|/]+", x) if w}
        cells = {w for x in lines if x.startswith("| ") for w in x[2:].replace(" | ", " ").split()}
        tokens = set()
        for line in printed_docs[path.name].splitlines():
            parts = line.split()
            if parts and sum(len(t) <= 2 for t in parts) <= len(parts) / 2:  # not a chart's letter-spaced legend
                tokens |= set(parts)
        cut = sorted({w[:k] for w in cells if len(w) >= 3 and w.isalpha() for k in range(2, len(w))
                      if w[:k] not in words and w[:k] in tokens})
        assert not cut, (path.name, cut)


def test_review_captions_say_what_the_tables_hold_and_the_body_refers_to_each_bieu(docs):
    lines = body(docs["review"])
    captions = [x for x in lines if x.startswith("Bảng ")]
    # Bảng 2 holds counts of communes ("22/22") beside two rates: not "(%)"
    assert captions[1] == ("Bảng 2. Kết quả xóa mù chữ và phổ cập giáo dục qua các năm "
                           "(số xã, thị trấn đạt chuẩn; tỷ lệ\u00a0%)"), captions[1]
    assert captions[2].endswith("qua các năm (%)")
    # every biểu of the appendix is referred to once in the body, before the signature
    end = next(i for i, x in enumerate(lines) if x.startswith("Trên đây là báo cáo"))
    text = "\n".join(lines[:end])
    labels = [x for x in lines[end:] if re.fullmatch(r"Biểu \d\d", x)]
    assert labels == ["Biểu 01", "Biểu 02", "Biểu 03"]
    for label in labels:
        assert text.count(f"{label} kèm theo") == 1, label
    assert "kết quả của từng đơn vị qua các năm tại Biểu 01 kèm theo" in text
    assert re.search(r"xã, thị trấn đạt tất cả các chỉ tiêu của Kế hoạch: [^\n]*\(kết quả của từng đơn vị tại "
                     r"Biểu 02 kèm theo\)\.", text)


# ------------------------------------------------------------------------------------ 7. read again
def test_review_says_by_how_much_every_target_was_missed(docs):
    """The tổng kết said "(còn thiếu 0,8 điểm phần trăm)" for an ordinary target and nothing for a 'maintain'
    one (15–60 literacy, commune officials' training) in the same list."""
    lines = body(docs["review"])
    limits = _section(lines, "2. Tồn tại, hạn chế", "3. Nguyên nhân")
    missed = [x for x in limits if "chưa đạt chỉ tiêu" in x]
    assert len(missed) >= 5 and all("(còn thiếu " in x for x in missed), missed
    literate = next(x for x in lines if x.startswith("Tỷ lệ người trong độ tuổi 15–60 biết chữ:"))
    assert "mốc năm 2020 đạt 99,9%, chưa đạt chỉ tiêu 100,0% (còn thiếu 0,1 điểm phần trăm)" in literate


def test_review_standings_never_leave_the_verdict_cell_blank(docs):
    lines = body(docs["review"])
    start = lines.index("ĐƠN VỊ ĐẠT, CHƯA ĐẠT CÁC CHỈ TIÊU NĂM 2020")
    table = [[c.strip() for c in x[2:].split(" | ")] for x in lines[start:] if x.startswith("| ")]
    table = [r for r in table if r[0].isdigit()]
    table = table[:next((i for i, r in enumerate(table) if i and r[0] == "1"), len(table))]  # Biểu 02 only
    assert table and all(r[-1] for r in table), [r for r in table if not r[-1]]
    an_tien = next(r for r in table if r[1] == "Xã An Tiến")
    assert an_tien[-1] == "Chưa đủ số liệu để đánh giá"


def test_review_caption_keeps_the_percent_sign_with_its_word(docs):
    caption = next(x for x in body(docs["review"]) if x.startswith("Bảng 2."))
    assert caption.endswith("tỷ lệ\u00a0%)")


def test_no_second_parenthesis_after_a_name_that_ends_with_one(docs):
    """"bậc 2 (A2) (36,2%)" and "(A2) (tăng 29,1 điểm phần trăm)": the list items of the highlights now read
    "… bậc 2 (A2) đạt 36,2%" and "… tăng 29,1 điểm phần trăm"."""
    for path in (bc(docs, 2017), bc(docs, 2020), docs["review"]):
        # sentences only: a biểu's heading keeps its unit, "… bậc 2 (A2) (%)"
        text = "\n".join(x for x in body(path) if not x.startswith("| ") and not re.match(r"\d+\. ", x))
        assert not re.search(r"\)\s\(", text), re.search(r".{0,60}\)\s\(.{0,30}", text).group(0)
    text = "\n".join(body(bc(docs, 2017)))
    assert "bậc 2 (A2) đạt 36,2%" in text


def test_a_commune_that_did_not_report_is_not_read_as_the_shortfall(docs, tmp_path):
    """BC 2015/2016: "20/22 xã … đạt …; 01 xã chưa báo cáo, chưa đạt lộ trình năm 2016" read as if the missing
    commune were what fell short: the shortfall comes first, the missing commune after it."""
    import datetime as dt

    from conftest import as_on_windows
    from pipeline.runner import run

    with as_on_windows():  # the shared inputs are only read
        run(docs["inputs"], tmp_path, 2016, dt.date(2016, 12, 20), charts=False)
    lines = body(tmp_path / "2016" / "v1" / "BC_XHHT_2016.docx")
    line = _sentence(lines, "20/22 xã, thị trấn đạt tiêu chuẩn phổ cập bậc trung học")
    assert line.startswith("20/22 xã, thị trấn đạt tiêu chuẩn phổ cập bậc trung học, chưa đạt lộ trình năm 2016 "
                           "(lộ trình: tất cả các xã, thị trấn đạt chuẩn); 01 xã chưa báo cáo."), line
    # a verdict on those that reported keeps the missing commune before it
    assert _sentence(lines, "21/22 xã, thị trấn đạt chuẩn chống mù chữ").startswith(
        "21/22 xã, thị trấn đạt chuẩn chống mù chữ, phổ cập giáo dục mầm non cho trẻ 5 tuổi, tiểu học đúng độ tuổi và "
        "trung học cơ sở; 01 xã chưa báo cáo; các xã, thị trấn đã báo cáo đều đạt")


def test_only_a_real_fall_is_a_cause_or_a_direction(docs):
    """BC 2020 listed as causes and as activities to restore falls of 02–04 out of 120–600 ("cộng tác viên …
    (giảm 04 người)" out of 338): the conclusions name an activity only when it fell by 5% or more."""
    lines = body(bc(docs, 2020))
    conclusions = _section(lines, "3. Nguyên nhân", "VII.")
    assert not any("giảm 04 người" in x or "giảm 02 cuộc" in x for x in conclusions)
    assert not any(x.startswith("- Khôi phục các hoạt động") for x in conclusions)
    # the activities' own lines in section III still say every change
    assert any("(giảm 04 so với năm 2019)" in x for x in lines)


def test_no_word_said_twice_in_a_row(docs):
    """"báo cáo tổng kết kết quả thực hiện" (tổng kết) and "giai đoạn tiếp theo theo chủ trương" (BC 2020)."""
    for path in (bc(docs, 2017), bc(docs, 2020), docs["review"]):
        for line in body(path):
            if not line.startswith("| "):
                m = re.search(r"(?<!\w)(\w+) \1(?!\w)", line)
                assert not m, (path.name, line[max(0, m.start() - 40):m.end() + 30])


def test_review_direction_names_every_commune_section_v_names(docs):
    """V.2 listed six communes short of some target in 2020, VI "Tập trung hỗ trợ các xã, thị trấn chưa đạt tất
    cả các chỉ tiêu" only the first five (xã Đồng Tâm left out)."""
    lines = body(docs["review"])
    limit = next(x for x in lines if re.match(r"- \d+/\d+ xã, thị trấn chưa đạt tất cả các chỉ tiêu năm 2020", x))
    named = re.findall(r"((?:xã|thị trấn) [^(;,:]+?) \(\d+ chỉ tiêu\)", limit.split(": ", 1)[1])
    support = next(x for x in lines if x.startswith("- Tập trung hỗ trợ các xã, thị trấn chưa đạt tất cả"))
    assert len(named) >= 6 and all(n in support for n in named), (named, support)


def test_review_lists_of_targets_are_whole_and_readable(docs):
    """VII named four of the six targets not met as if they were all; VI and VII listed names that hold commas
    ("tỷ lệ cán bộ, công chức, viên chức …") separated by commas."""
    lines = body(docs["review"])
    missed = [x for x in _section(lines, "2. Tồn tại, hạn chế", "3. Nguyên nhân") if "chưa đạt chỉ tiêu" in x]
    ubnd = next(x for x in lines if x.startswith("- Đối với Ủy ban nhân dân huyện"))
    listed = re.search(r"các chỉ tiêu chưa đạt \((.*)\)\.$", ubnd).group(1)
    more = re.search(r" và (\d+) chỉ tiêu khác$", listed)
    total = listed.count("; ") + 1 + int(more.group(1)) if more else listed.count("; ") + 2
    assert total == len(missed), (listed, len(missed))
    vi = next(x for x in lines if x.startswith("Tiếp tục thực hiện các chủ trương"))
    assert "thông tin; tỷ lệ cán bộ cấp xã" in vi and vi.count("; tỷ lệ ") == len(missed) - 2, vi


def test_lists_of_target_names_are_separated_by_semicolons(docs):
    """A target's name holds commas ("tỷ lệ cán bộ, công chức, viên chức …"): in a list, the names are separated
    by "; " (BC 2017 section III.9 and V.1, BC 2020 V.1, the tổng kết V.1 read as one run of commas)."""
    for path in (bc(docs, 2017), bc(docs, 2020), docs["review"]):
        for line in body(path):
            if not line.startswith("| "):
                assert ", tỷ lệ " not in line, (path.name, line)


def test_a_bieu_note_explains_only_what_its_table_shows(docs):
    """BC 2017's Biểu 03 (funding: every cell filled) said "ô để trống: đơn vị không báo cáo nội dung này"."""
    lines = body(bc(docs, 2017))
    start = lines.index("Biểu 03")
    cells = [c.strip() for x in lines[start:] if x.startswith("| ") for c in x[2:].split(" | ")[2:]]  # no STT, name
    assert cells and "" not in cells
    assert not any("ô để trống" in x for x in lines[start:])
    # Biểu 02 has blank cells and keeps the note
    b02 = lines[lines.index("Biểu 02"):start]
    assert any(x.startswith("Ghi chú: ô để trống: đơn vị không báo cáo nội dung này") for x in b02)


def test_component_plan_line_says_how_many_targets_could_not_be_judged(docs):
    """BC 2020: "Kế hoạch Chống mù chữ - Phổ cập giáo dục …: 01/02 chỉ tiêu liên quan đạt chỉ tiêu năm 2020" for a
    plan with seven targets, five of them counts of communes one commune did not report (Chưa đủ số liệu)."""
    line = next(x for x in body(bc(docs, 2020)) if x.startswith("- Kế hoạch Chống mù chữ"))
    assert "01/07 chỉ tiêu liên quan đạt chỉ tiêu năm 2020" in line
    assert line.endswith("; 05 chỉ tiêu chưa đủ số liệu để đánh giá."), line


def test_a_so_ket_reads_as_a_mid_period_review(docs, tmp_path):
    """The sơ kết 2014–2017 (the same sentences as the tổng kết) said "00/22 xã, thị trấn đạt …", named all 22
    communes twice, asked UBND huyện for the next period's plan and the Sở for criteria "cho giai đoạn mới", and
    closed on "Kế hoạch xây dựng xã hội học tập 2014–2017"."""
    import datetime as dt

    from pipeline.review import review_filename, write_review

    r = write_review(docs["inputs"], tmp_path, 2014, 2017, dt.date(2017, 12, 28))
    lines = body(r.version / review_filename(2014, 2017))
    text = "\n".join(lines)
    assert "00/" not in text
    assert "Năm 2017, chưa có xã, thị trấn nào đạt hoặc vượt lộ trình của tất cả các chỉ tiêu" in text
    limit = next(x for x in lines if re.match(r"- \d+/22 xã, thị trấn chưa đạt lộ trình của tất cả các chỉ tiêu", x))
    named = re.findall(r"(?:xã|thị trấn) [^(;,:]+? \(\d+ chỉ tiêu\)", limit)
    assert 1 <= len(named) <= 6 and ", nhiều nhất là " in limit, limit
    support = next(x for x in lines if x.startswith("- Tập trung hỗ trợ các xã, thị trấn"))
    assert support.startswith("- Tập trung hỗ trợ các xã, thị trấn còn nhiều chỉ tiêu chưa đạt: ")
    assert all(n.split(" (")[0] in support for n in named) and support.count("xã ") == len(named)
    ubnd = next(x for x in lines if x.startswith("- Đối với Ủy ban nhân dân huyện"))
    assert "giai đoạn tiếp theo" not in ubnd and "các chỉ tiêu còn chậm so với lộ trình (" in ubnd
    assert "giai đoạn mới" not in text
    assert lines[next(i for i, x in enumerate(lines) if x.startswith("Trên đây"))] == (
        "Trên đây là báo cáo sơ kết 04 năm (2014–2017) thực hiện Kế hoạch xây dựng xã hội học tập giai đoạn "
        "2014–2020 của Phòng Giáo dục và Đào tạo huyện Mỹ Đức./.")


def test_a_ranking_of_units_says_it_ranks_the_communes(docs):
    """BC 2017 said "cao nhất là xã Đốc Tín …" (09 trips) while the Phòng GD&ĐT had 12: the ranking compares the
    communes only (the kind most reporters are), and the sentence now says so."""
    lines = body(bc(docs, 2017))
    ranked = [x for x in lines if re.search(r"cao nhất (là|trong)|[Dd]ẫn đầu về|thực hiện tốt là", x)]
    assert len(ranked) >= 5
    assert all("trong các xã, thị trấn" in x for x in ranked), [x[:80] for x in ranked if "trong các xã" not in x]


def test_review_counts_the_communes_short_of_a_target_apart_from_those_not_judged(docs):
    """"08/22 xã, thị trấn chưa đạt tất cả các chỉ tiêu năm 2020" named six communes, then two that "chưa đánh giá
    được": the count is of the six; the two are said apart."""
    lines = body(docs["review"])
    limit = next(x for x in lines if re.match(r"- \d+/22 xã, thị trấn chưa đạt tất cả các chỉ tiêu năm 2020", x))
    count = int(re.match(r"- (\d+)/22", limit).group(1))
    named = re.findall(r"\(\d+ chỉ tiêu\)", limit)
    assert count == len(named) == 6, limit
    assert limit.endswith("xã An Tiến và xã Hợp Thanh chưa có đủ số liệu hợp lệ năm 2020 nên chưa đánh giá được;")


def test_the_years_count_of_targets_says_how_many_could_not_be_judged(docs):
    """BC 2020 said "12/18 chỉ tiêu đạt hoặc vượt" without the 05 whose verdict reads "Chưa đủ số liệu"."""
    lines = body(bc(docs, 2020))
    line = next(x for x in lines if "chỉ tiêu đạt hoặc vượt chỉ tiêu kế hoạch năm 2020" in x)
    cells = sum(1 for x in lines if x.startswith("| ") and x.rstrip().endswith("| Chưa đủ số liệu"))
    m = re.search(r", (\d+) chỉ tiêu chưa đủ số liệu để đánh giá\.$", line)
    assert m and int(m.group(1)) == cells > 0, (line, cells)


def test_one_lowest_unit_is_named_in_the_singular(docs):
    for year in (2017, 2020):
        for line in body(bc(docs, year)):
            m = re.search(r"(Các đơn vị có tỷ lệ thấp nhất: |Đơn vị có tỷ lệ thấp nhất là )([^.]*)\.", line)
            if m:
                one = " và " not in m.group(2) and "), " not in m.group(2)   # names end "(84,6%)"
                assert m.group(1).startswith("Đơn vị") == one, line


def test_biểu_01_note_explains_only_the_signs_its_table_shows(docs):
    """BC 2017's note explained "–" (a unit that did not report), a sign its Biểu 01 never showed."""
    for year in (2017, 2020):
        lines = body(bc(docs, year))
        start = next(i for i, x in enumerate(lines) if x == "Biểu 01")
        end = next(i for i, x in enumerate(lines) if i > start and x.startswith("Ghi chú: tỷ lệ tính"))
        cells = {c.strip() for x in lines[start:end] if x.startswith("| ") for c in x[2:].split(" | ")}
        note = lines[end]
        for sign, words in (("–", "“–”: đơn vị chưa gửi báo cáo"), ("Chưa tính", "“Chưa tính”: số liệu chưa hợp lý")):
            assert (words in note) == (sign in cells), (year, sign)


def test_a_shortfall_says_how_many_people_it_is(docs):
    """BC 2020: 116.423/116.435 people print 99,9% "còn thiếu 0,1 điểm phần trăm" against 100%: a rounding
    of 12 people, which the sentence now says; every shortfall's count is the target's share less the numerator."""
    import math

    lines = body(bc(docs, 2020))
    found = 0
    for x in lines:
        m = re.search(r"đạt [\d,]+% \(([\d.]+)/([\d.]+) người\), chưa đạt chỉ tiêu năm 2020 \(([\d,]+)%\), còn thiếu "
                      r"[\d,]+ điểm phần trăm \((\d[\d.]*) người\)", x)
        if m:
            num, den, target, short = (float(g.replace(".", "").replace(",", ".")) for g in m.groups())
            assert short == math.ceil(target * den / 100 - 1e-9) - num, x
            found += 1
    assert found >= 3
    assert any("(116.423/116.435 người)" in x and "(12 người)" in x for x in lines)


def test_review_says_once_what_several_commune_standards_share(docs):
    """The tổng kết printed four paragraphs that differed only in the standard's name ("… chống mù chữ: năm 2014
    có 22/22 …; mốc năm 2015 có 21/22 …"): one sentence names them all, and no two sentences of a group are the
    same after their names."""
    lines = body(docs["review"])
    merged = [x for x in lines if x.startswith("Tỷ lệ xã, thị trấn đạt chuẩn chống mù chữ; ")]
    assert len(merged) == 1 and " và tỷ lệ xã, thị trấn đạt chuẩn phổ cập giáo dục" in merged[0], merged
    rests = [x.split(": ", 1)[1] for x in lines if x.startswith("Tỷ lệ xã, thị trấn") and ": năm 2014" in x]
    assert len(rests) == len(set(rests)), rests
