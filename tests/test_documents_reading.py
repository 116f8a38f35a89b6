"""What a head of office reading the generated documents cold found wrong, each fixed in the content and
checked here by reopening the DOCX: the BC 2017 and 2020, the KH and tờ trình, the letters to units and
the tổng kết 2014–2020 of the shipped samples."""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
from pathlib import Path

import pytest
from docx import Document
from docx.table import Table

from conftest import _W, paragraph_text
from pipeline.runner import run

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def docs(reading_runs):
    """BC 2017 and 2020 (with their KH, tờ trình and letters) and the tổng kết 2014–2020: conftest.reading_runs."""
    return reading_runs


def body(path: Path) -> list[str]:
    """The document in reading order: each paragraph a line, each table row ``| cell | cell``."""
    st = Path(path).stat()
    return list(_body(str(path), st.st_mtime_ns, st.st_size))


@functools.lru_cache(maxsize=None)
def _body(path: str, _mtime_ns: int, _size: int) -> tuple[str, ...]:
    """:func:`body`, read once per file version (several tests read the same documents)."""
    doc = Document(path)
    lines = []
    for el in doc.element.body.iterchildren():
        tag = el.tag.rsplit("}", 1)[-1]
        if tag == "p":
            text = paragraph_text(el)
            if text.strip():
                lines.append(text)
        elif tag == "tbl":
            for row in Table(el, doc).rows:
                cells, seen = [], set()
                for c in row.cells:
                    if id(c._tc) not in seen:
                        seen.add(id(c._tc))
                        texts = (paragraph_text(p) for p in c._tc.iterchildren(_W + "p"))
                        cells.append(" / ".join(t for t in texts if t.strip()))
                lines.append("| " + " | ".join(cells))
    return tuple(lines)


def rows(lines: list[str], first_cell: str) -> list[list[str]]:
    return [[c.strip() for c in line[2:].split(" | ")] for line in lines
            if line.startswith("| ") and line[2:].split(" | ")[0].strip() == first_cell]


def bc(docs, year: int) -> Path:
    return docs["out"] / str(year) / "v1" / f"BC_XHHT_{year}.docx"


# ------------------------------------------------------------------------------------ 1. verdict cells
def test_review_verdict_cell_never_says_dat_for_a_commune_count_short_of_the_target(docs):
    lines = body(docs["review"])
    head = rows(lines, "Chỉ tiêu")[0]
    v2015, v2020 = head.index("Đánh giá 2015"), head.index("Đánh giá 2020")
    xmc = rows(lines, "Chống mù chữ")[0]
    assert xmc[head.index("2015")] == "21/22"  # 2015: one commune did not report
    assert xmc[v2015] == "Chưa đủ số liệu" and xmc[v2020] == "Chưa đủ số liệu"
    pc = rows(lines, "PC bậc trung học")[0]
    assert pc[v2015] == "Chưa đạt"  # 12/22 with one missing: short even if it had reached
    # every count cell that says "Đạt" has every commune counted
    for name in ("Chống mù chữ", "PCGD MN 5 tuổi", "PCGD tiểu học", "PCGD THCS", "PC bậc trung học"):
        r = rows(lines, name)[0]
        for col, year in ((v2015, "2015"), (v2020, "2020")):
            if r[col] in ("Đạt", "Vượt"):
                assert r[head.index(year)] == "22/22", (name, year, r)
    # the sentence explains what the cell does not
    assert any("01 xã chưa có số liệu" in x for x in lines)


def test_yearly_bc_verdict_cell_for_commune_counts_with_a_missing_commune(docs):
    lines = body(bc(docs, 2020))
    xmc = next(r for r in rows(lines, "1") if r[1] == "Tỷ lệ xã, thị trấn đạt chuẩn chống mù chữ")
    assert "chưa báo cáo" in xmc[3] and xmc[-1] == "Chưa đủ số liệu"


# ------------------------------------------------------------------------------------ 2. arithmetic as shown
def _f(text: str) -> float:
    return float(text.replace(".", "").replace(",", "."))


def test_review_changes_agree_with_the_figures_as_printed(docs):
    lines = body(docs["review"])
    said = re.compile(r"năm (\d{4}) đạt ([\d,]+)%, năm (\d{4}) đạt ([\d,]+)%, (tăng|giảm) ([\d,]+) điểm phần trăm")
    milestone = re.compile(r"đạt ([\d,]+)%, (vượt|chưa đạt) chỉ tiêu ([\d,]+)% \((?:còn thiếu )?([\d,]+) điểm phần trăm\)")
    seen = 0
    for line in lines:
        for m in said.finditer(line):
            a, b, word, c = _f(m[2]), _f(m[4]), m[5], _f(m[6])
            assert round(abs(b - a), 1) == c and (word == "tăng") == (b > a), m[0]
            seen += 1
        for m in milestone.finditer(line):
            assert round(abs(_f(m[1]) - _f(m[3])), 1) == _f(m[4]), m[0]
            seen += 1
    assert seen >= 20
    # the case the reader found: 99,6% to 99,9% is 0,3 points
    assert any("năm 2014 đạt 99,6%, năm 2020 đạt 99,9%, tăng 0,3 điểm phần trăm" in x for x in lines)


def test_yearly_bc_margins_agree_with_the_figures_as_printed(docs):
    lines = body(bc(docs, 2017))
    pat = re.compile(r"đạt ([\d,]+)% \([^)]*\), (chậm so với|vượt) lộ trình năm 2017 \(([\d,]+)%\)(?: ([\d,]+) điểm)?")
    seen = 0
    for line in lines:
        for m in pat.finditer(line):
            if m[4]:
                assert round(abs(_f(m[1]) - _f(m[3])), 1) == _f(m[4]), m[0]
                seen += 1
    assert seen >= 3


# ------------------------------------------------------------------------------------ 3. chỉ đạo totals
def test_review_chi_dao_totals_are_the_sums_of_the_yearly_figures_the_bcs_state(docs):
    import yaml

    years = {y: yaml.safe_load((docs["inputs"] / "chi_dao" / f"{y}.yaml").read_text(encoding="utf-8"))
             for y in range(2014, 2021)}
    news = sum(d["figures"]["news"] for d in years.values())
    meetings = sum(d["figures"]["meetings"] for d in years.values())
    centres = sum(d["figures"]["inspected_centres"] for d in years.values())
    assert (news, meetings, centres) == (282, 18, 52)  # hand-added from the seven files
    line = next(x for x in body(docs["review"]) if "được kiện toàn hằng năm" in x)
    assert f"đã họp {meetings} phiên" in line and f"tại {centres} lượt trung tâm" in line
    assert f"đã phát {news} tin, bài" in line and "29 tin, bài" not in line
    # the yearly BC states the same figure its year contributes
    bc2017 = body(bc(docs, 2017))
    assert any("phát 58 tin, bài" in x for x in bc2017) and years[2017]["figures"]["news"] == 58


def test_chi_dao_figure_that_contradicts_its_sentence_is_refused(tmp_path):
    from pipeline.chidao import load_direction
    from pipeline.errors import CatalogError

    folder = tmp_path / "chi_dao"
    folder.mkdir()
    text = (ROOT / "inputs" / "chi_dao" / "2017.yaml").read_text(encoding="utf-8")
    (folder / "2017.yaml").write_text(text.replace("news: 58", "news: 57"), encoding="utf-8")
    with pytest.raises(CatalogError) as err:
        load_direction(tmp_path, 2017)
    assert "figures.news" in str(err.value) and "57" in str(err.value)
    (folder / "2017.yaml").write_text(text, encoding="utf-8")
    assert load_direction(tmp_path, 2017).figures == {"meetings": 2, "inspected_centres": 8, "news": 58}


# ------------------------------------------------------------------------------------ 4. component plans
def test_component_plan_lines_name_every_lagging_indicator_and_leave_no_residue(docs):
    lines = [x for x in body(bc(docs, 2017)) if x.startswith("- Kế hoạch ") and "(chủ trì:" in x]
    assert len(lines) == 7
    pcgd = next(x for x in lines if "Chống mù chữ" in x)
    m = re.search(r"(\d+)/(\d+) chỉ tiêu liên quan đạt hoặc vượt lộ trình; chậm so với lộ trình: (.*)\.$", pcgd)
    good, judged, named = int(m[1]), int(m[2]), m[3]
    lagging = re.split(r"; | và ", named.replace("tỷ lệ người trong độ tuổi 15–60 biết chữ", "A")
                       .replace("tỷ lệ người trong độ tuổi 15–35 biết chữ", "B")
                       .replace("tỷ lệ xã, thị trấn đạt tiêu chuẩn phổ cập bậc trung học", "C"))
    assert sorted(lagging) == ["A", "B", "C"] and judged - good == len(lagging)
    for x in lines:
        assert not re.search(r"\(\d+\)", x), x  # no "(1)" residue
    assert any("chỉ tiêu liên quan đạt hoặc vượt lộ trình" in x and "Hỗ trợ cho người lao động" in x for x in lines)


# ------------------------------------------------------------------------------------ 5. "duy trì" only once reached
def test_maintain_targets_never_reached_are_not_said_to_be_maintained(docs):
    lines = body(bc(docs, 2017))
    text = "\n".join(lines)
    assert "mức duy trì" not in text
    # 15–60 literacy has never been at 100%: not "not maintained", but behind the year's lộ trình
    line = next(x for x in lines if x.startswith("Tỷ lệ người trong độ tuổi 15–60 biết chữ đạt"))
    assert "chậm so với lộ trình năm 2017 (100,0%)" in line and "giữ vững" not in line
    # a district body figure at 100% since 2014 is held
    line = next(x for x in lines if x.startswith("Tỷ lệ cán bộ, công chức cấp huyện được đào tạo"))
    assert "giữ vững chỉ tiêu 100,0%" in line
    review = body(docs["review"])
    line = next(x for x in review if x.startswith("Tỷ lệ người trong độ tuổi 15–60 biết chữ:"))
    assert "chưa giữ vững" not in line and "mốc năm 2015 đạt 99,7%, chưa đạt chỉ tiêu 100,0%" in line
    line = next(x for x in review if x.startswith("Tỷ lệ người trong độ tuổi 15–35 biết chữ:"))
    assert "mốc năm 2020 đạt 100,0%" in line and "giữ vững" not in line  # reached in 2020 for the first time
    limits = [x for x in review if x.startswith("- Tỷ lệ người trong độ tuổi 15–60")]
    assert limits and "chưa giữ vững" not in limits[0] and "chưa đạt chỉ tiêu 100,0%" in limits[0]


# ------------------------------------------------------------------------------------ 6. dates that agree
def _date(text: str) -> dt.date:
    d, m, y = (int(x) for x in text.split("/"))
    return dt.date(y, m, d)


def test_bc_says_its_figures_stand_at_its_date_and_corrections_due_later_are_taken_in(docs):
    lines = body(bc(docs, 2017))
    assert any("ngày 20 tháng 12 năm 2017" in x for x in lines[:3])
    letters = sorted((docs["out"] / "2017" / "v1" / "phan-hoi").glob("CV_*.docx"))
    assert len(letters) == 2
    dues = set()
    for p in letters:
        text = "\n".join(body(p))
        assert "ngày 20 tháng 12 năm 2017" in text
        assert "để kịp tổng hợp, báo cáo Ủy ban nhân dân huyện" not in text  # the BC is already dated
        dues |= {_date(d) for d in re.findall(r"chậm nhất ngày (\d{2}/\d{1,2}/\d{4})", text)}
    assert dues == {dt.date(2017, 12, 27)}  # 5 working days after Wednesday 20/12/2017
    line = next(x for x in lines if x.startswith("Số liệu trong báo cáo được tổng hợp đến ngày"))
    assert "đến ngày 20/12/2017" in line and "02 đơn vị đã được đề nghị" in line and "chậm nhất ngày 27/12/2017" in line  # as the letters say it
    assert "sẽ được cập nhật" in line


# ------------------------------------------------------------------------------------ 7. section III reads as a text
def test_section_iii_refers_to_biểu_02_once_and_does_not_repeat_one_sentence_per_group(docs):
    lines = body(bc(docs, 2017))
    sec = lines[lines.index("III. KẾT QUẢ THỰC HIỆN CÁC NHIỆM VỤ, GIẢI PHÁP"):lines.index("IV. KINH PHÍ THỰC HIỆN")]
    assert sum("Biểu 02" in x for x in sec) == 1 and "Biểu 02 kèm theo" in sec[1]
    prose = [x for x in sec if not x.startswith("- ") and not re.match(r"\d\. ", x)][1:]
    openings = [" ".join(x.split()[:3]) for x in prose]
    assert max(openings.count(o) for o in set(openings)) <= 3, openings
    assert sum(x.startswith("Về ") and "các đơn vị thực hiện tốt" in x for x in prose) <= 3
    assert not any("cùng cho biết" in x for x in prose)
    # remarks of one group are one sentence, each with how many units made it
    group3 = sec[next(i for i, x in enumerate(sec) if x.startswith("3. ")):next(i for i, x in enumerate(sec) if x.startswith("4. "))]
    said = [x for x in group3 if "(04 đơn vị)" in x]
    assert len(said) == 1 and said[0].count("(04 đơn vị)") == 2


# ------------------------------------------------------------------------------------ 8. no orphan rows
def _unit_tables(path: Path):
    from docx.oxml.ns import qn

    doc = Document(str(path))
    for t in doc.tables:
        head = [c.text for c in t.rows[0].cells[:2]]
        if head == ["STT", "Đơn vị"]:
            yield t, qn


def test_unit_tables_keep_their_ends_together_in_the_docx(docs):
    from pipeline.render_docx import KEEP_LAST_ROWS

    seen = 0
    for path in (bc(docs, 2017), docs["review"]):
        for t, qn in _unit_tables(path):
            rows = t.rows
            assert rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
            keeps = [any(p.paragraph_format.keep_with_next for p in r.cells[0].paragraphs) for r in rows]
            assert not keeps[-1]
            # the total never alone: three rows and the total hold together (KEEP_LAST_ROWS = 4)
            assert all(keeps[-KEEP_LAST_ROWS:-1]), (path.name, rows[-1].cells[1].text)
            if len(rows) - 1 <= 12:
                assert all(keeps[:-1])  # a short table moves whole
            else:  # its head and its end hold together
                assert all(keeps[:KEEP_LAST_ROWS]) and not any(keeps[KEEP_LAST_ROWS:-KEEP_LAST_ROWS])
            seen += 1
    assert seen >= 30


def test_no_page_of_biểu_02_carries_a_lone_last_row(printed_docs):
    pages = []
    for year in (2017, 2020):
        text = printed_docs[f"BC_XHHT_{year}.docx"].split("\f")
        start = next(i for i, p in enumerate(text) if re.search(r"^\s*Biểu 01\s*$", p, re.M))
        pages += text[start:]
    continued = 0
    for page in pages:
        lines = [x.strip() for x in page.splitlines() if x.strip()]
        if lines and lines[0].isdigit():
            lines = lines[1:]  # the page number in the header
        # nor a table's heading left alone at the foot of a page
        assert not (lines and re.match(r"([A-Z]|\d)\. ", lines[-1])), lines[-1]
        if not lines or not lines[0].startswith("STT"):
            continue  # a page that starts with a heading, not a table continued from the page before
        # rows of the table continued here, up to its total (or the page's end)
        rows = []
        for x in lines[1:]:
            if re.match(r"\d+ +\S", x) or x.startswith(("Toàn huyện", "Cộng")):
                rows.append(x)
            if x.startswith(("Toàn huyện", "Cộng")):
                break
        if any(x.startswith(("Toàn huyện", "Cộng")) for x in rows):
            assert len(rows) - 1 >= 3, page[:400]  # not fewer than three rows above the total
            continued += 1
    assert continued >= 4  # the check did see tables continued onto a new page


# ------------------------------------------------------------------------------------ 9. cells a reader understands
def test_bieu_01_has_no_error_word_and_no_rate_for_a_single_centre(docs):
    for path in (bc(docs, 2017), docs["review"]):
        lines = body(path)
        start = next(i for i, x in enumerate(lines) if x == "Biểu 01")
        cells = [c for x in lines[start:] if x.startswith("| ") for c in x[2:].split(" | ")]
        assert "Lỗi" not in cells, path.name
        assert "Chưa tính" in cells  # the figure left out, said in words and explained in the note
        note = next(x for x in lines[start:] if x.startswith("Ghi chú: tỷ lệ"))
        assert "“Chưa tính”: số liệu chưa hợp lý" in note and "Lỗi" not in note
    lines = body(bc(docs, 2017))
    head = rows(lines, "STT")[0]
    col = head.index("TTHTCĐ chất lượng tốt")
    communes = [[c.strip() for c in x[2:].split(" | ")] for x in lines if re.match(r"\| \d+ \| (Xã|Thị trấn) ", x)]
    values = {r[col] for r in communes[:22]}
    assert values == {"Đạt", "Chưa đạt"}  # one centre per commune: never 0,0 or 100,0
    total = next(r for r in rows(lines, "") if r[1] == "Cộng")
    assert total[col] == "72,7"
    review = body(docs["review"])
    i = next(k for k, x in enumerate(review) if x.startswith("24. Tỷ lệ trung tâm học tập cộng đồng xã, thị trấn hoạt động chất lượng tốt"))
    assert "Đạt/Chưa đạt" in review[i]
    assert not any(c in ("0,0", "100,0") for x in review[i + 2:i + 24] for c in x[2:].split(" | ")[2:9])


# ------------------------------------------------------------------------------------ 10. abbreviations explained
ABBR = re.compile(r"(?<!\w)([A-ZĐ]{2,}[A-ZĐ]*)(?!\w)")
KNOWN = {"UBND", "BC", "KH", "TTr", "PGDĐT", "VT", "STT", "TT", "V", "GD", "ĐT", "QĐ", "A2", "B1"}


def test_every_abbreviation_of_a_biểu_is_explained_in_its_note(docs):
    lines = body(bc(docs, 2017))
    for label in ("Biểu 01", "Biểu 02", "Biểu 03"):
        start = lines.index(label)
        # a biểu with nothing to explain has no note (Biểu 03: no blank cell, no abbreviation)
        end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("Ghi chú:")), len(lines))
        note = lines[end] if end < len(lines) else ""
        used = {m for x in lines[start + 3:end] if x.startswith("| ") for m in ABBR.findall(x)} - KNOWN
        for abbr in used:
            assert f"{abbr}: " in note, (label, abbr, note)
    note = next(x for x in lines if x.startswith("Ghi chú: tỷ lệ"))
    for abbr in ("PC", "CB", "CC", "LĐNT", "CNLĐ", "CBCC", "THPT", "HS", "CBCCVC", "TTHTCĐ"):
        assert f"; {abbr}: " in note


def test_letters_spell_out_what_they_ask_about(docs):
    for p in sorted((docs["out"] / "2017" / "v1" / "phan-hoi").glob("CV_*.docx")):
        text = "\n".join(x for x in body(p) if not x.startswith("| "))
        assert not (set(ABBR.findall(text)) - KNOWN), (p.name, set(ABBR.findall(text)) - KNOWN)
    letter = next((docs["out"] / "2017" / "v1" / "phan-hoi").glob("CV_2017_10498_*.docx"))
    assert any("cán bộ, công chức, viên chức có trình độ ngoại ngữ bậc 2 (A2) lớn hơn" in x for x in body(letter))


def test_review_tables_explain_their_short_labels(docs):
    lines = body(docs["review"])
    i = next(k for k, x in enumerate(lines) if x.startswith("Bảng 3."))
    note = next(x for x in lines[i:] if x.startswith("Ghi chú:"))
    for abbr in ("CBCCVC", "CNTT", "CNLĐ"):
        assert f"{abbr}: " in note
    i = lines.index("Biểu 02")
    note = next(x for x in lines[i:] if x.startswith("Ghi chú:"))
    used = {m for x in lines[i:] if x.startswith("| ") for m in ABBR.findall(x)} - KNOWN
    assert used and all(f"{a}: " in note for a in used), (used, note)


# ------------------------------------------------------------------------------------ 11. one spelling per body
def test_each_body_is_named_one_way_in_every_document(docs):
    paths = [bc(docs, 2017), docs["out"] / "2017" / "v1" / "KH_XHHT_2018.docx", bc(docs, 2020), docs["review"]]
    text = "\n".join(x for p in paths for x in body(p))
    for wrong in ("Văn hóa - Thông tin", "Văn hóa – Thông tin", "Văn hóa, Thông tin", "Văn hóa -Thông tin",
                  "Liên đoàn lao động", "Hội Liên hiệp phụ nữ", "Hội người cao tuổi", "Lao động, Thương binh",
                  "Tài chính – Kế hoạch", "Hội Phụ nữ huyện", "Đài truyền thanh huyện"):
        assert wrong not in text, wrong
    assert "Phòng Văn hóa và Thông tin" in text and "Liên đoàn Lao động huyện" in text
    kh = "\n".join(body(docs["out"] / "2017" / "v1" / "KH_XHHT_2018.docx"))
    assert "Phòng Văn hóa và Thông tin" in kh


# ------------------------------------------------------------------------------------ 12. UBND sets the KH's date
def test_kh_draft_leaves_day_and_month_to_ubnd_while_the_phong_dates_its_own(docs):
    from pipeline.nd30_check import check_document

    v1 = docs["out"] / "2017" / "v1"
    kh = body(v1 / "KH_XHHT_2018.docx")
    head = next(x for x in kh if "Số:" in x and "/KH-UBND" in x)
    assert re.search(r"Mỹ Đức, ngày\s{4,}tháng\s{4,}năm 2018$", head), head
    assert re.search(r"Số:\s+/KH-UBND", head)
    annex = [x for x in kh if x.startswith("(Kèm theo Kế hoạch số")]
    assert annex and all(re.search(r"ngày\s{4,}tháng\s{4,}năm 2018", x) for x in annex)
    for name in ("TTr_XHHT_2018.docx", "BC_XHHT_2017.docx"):
        assert "Mỹ Đức, ngày 20 tháng 12 năm 2017" in "\n".join(body(v1 / name)[:3]), name
    assert not check_document(v1 / "KH_XHHT_2018.docx")  # a blank day and month is a valid draft


def test_register_numbers_the_phongs_documents_never_ubnds_kh(docs, tmp_path):
    from pipeline.register import entries

    out = tmp_path / "out"
    run(docs["inputs"], out, 2018, dt.date(2018, 12, 20), number="auto", charts=False, feedback=False)
    kinds = {(e.doc_type, e.symbol.split("/")[-1] if "/" in e.symbol else e.symbol) for e in entries(out)}
    assert {k for k, _ in kinds} == {"BC", "TTr"}, kinds
    kh = body(out / "2018" / "v1" / "KH_XHHT_2019.docx")
    assert any(re.search(r"Số:\s+/KH-UBND", x) for x in kh)


# ------------------------------------------------------------------------------------ 13. one rule for small counts
SMALL_COUNT = re.compile(r"(?<![\d.,/–\-])([1-9]) (?!tháng|năm|tuổi|không \d sạch|sạch)([a-zà-ỹđ]+)")


def test_counts_under_ten_take_a_leading_zero_everywhere_in_running_text(docs):
    v1 = docs["out"] / "2017" / "v1"
    paths = [bc(docs, 2017), v1 / "KH_XHHT_2018.docx", v1 / "TTr_XHHT_2018.docx", bc(docs, 2020), docs["review"],
             *sorted((v1 / "phan-hoi").glob("CV_*.docx"))]
    found = []
    for p in paths:
        for line in body(p):
            if line.startswith("| ") or line.startswith(("Biểu đồ ", "Bảng ")):
                continue  # tables print plain figures; captions number their figure
            for m in SMALL_COUNT.finditer(line):
                found.append(f"{p.name}: …{line[max(0, m.start() - 40):m.end() + 20]}…")
    assert not found, found[:8]
    text = "\n".join(body(bc(docs, 2017)))
    assert "(tăng 07 so với năm 2016)" in text and "12 trung tâm" in text  # a change and a count of ten or more
    review = "\n".join(body(docs["review"]))
    assert "từ 07 năm 2014 lên 09 năm 2020" in review


def test_review_bang_2_keeps_counts_on_one_line_beside_a_verdict_in_words(docs):
    from docx.oxml.ns import qn
    from docx.shared import Mm

    doc = Document(str(docs["review"]))
    t = next(t for t in doc.tables if t.rows[0].cells[0].text == "Chỉ tiêu" and "Đánh giá 2015" in
             [c.text for c in t.rows[0].cells] and t.rows[1].cells[0].text == "Chống mù chữ")
    grid = [int(g.get(qn("w:w"))) for g in t._tbl.find(qn("w:tblGrid")).findall(qn("w:gridCol"))]
    assert min(grid[1:8]) >= Mm(9.5).twips  # "22/22" and "100,0" fit at 10 pt with their margins


def test_kh_annex_explains_the_plans_own_abbreviations(docs):
    kh = body(docs["out"] / "2017" / "v1" / "KH_XHHT_2018.docx")
    i = next(k for k, x in enumerate(kh) if x.startswith("(Kèm theo Kế hoạch số"))
    note = next(x for x in kh[i:] if x.startswith("Ghi chú:"))
    used = {m for x in kh[i:] if x.startswith("| ") for m in ABBR.findall(x)} - KNOWN - {"E"}
    assert used and all(f"{a}: " in note for a in used), (used, note)


def test_headline_count_of_targets_met_agrees_with_the_verdict_cells(docs):
    """The milestone year's "NN/MM chỉ tiêu đạt hoặc vượt" counts what the tables call Đạt or Vượt: a commune
    count whose cell reads "Chưa đủ số liệu" is neither met nor lagging (BC 2020 and the tổng kết)."""
    text = "\n".join(body(bc(docs, 2020)))
    rows = [line.split(" | ") for line in text.splitlines() if line.startswith("| ") and "Tỷ lệ" in line]
    verdicts = [r[-1].strip() for r in rows if len(r) >= 6]
    good = sum(v.startswith(("Đạt", "Vượt")) for v in verdicts)
    assert "Chưa đủ số liệu" in verdicts and good
    yearly = re.search(r"Năm 2020, toàn huyện có (\d+)/(\d+) chỉ tiêu đạt hoặc vượt", text)
    assert yearly and int(yearly.group(1)) == good and int(yearly.group(2)) < len(verdicts)
    review = "\n".join(body(docs["review"]))   # the tổng kết judges the same year the same way
    # (the BC now counts over all 23 targets, the 05 unjudged included; the tổng kết still over the judged ones)
    assert re.search(rf"Tại mốc năm 2020, toàn huyện có {yearly.group(1)}/\d+ chỉ tiêu đạt hoặc vượt", review)


def test_review_never_names_as_lowest_a_unit_printed_at_the_districts_rate(docs):
    def pct(text: str) -> float:
        return float(text.replace(".", "").replace(",", "."))

    named = 0
    for line in body(docs["review"]):
        m = re.search(r"mốc năm 2020 đạt ([\d.,]+)%.*các đơn vị còn thấp nhất năm 2020: (.*)\.$", line)
        if m:
            units = [pct(v) for v in re.findall(r"\(([\d.,]+)%\)", m.group(2))]
            assert units and all(v < pct(m.group(1)) for v in units), line
            named += 1
    assert named >= 3


def test_the_office_is_never_late_with_its_own_report(docs):
    """The sample 2020 had the Phòng GD&ĐT 2 days late to itself (the BC it signs said so)."""
    for year in (2017, 2020):
        model = json.loads((docs["out"] / str(year) / "v1" / "model.json").read_text(encoding="utf-8"))
        assert model["units"]["late"] and "PGDDT" not in model["units"]["late"], year
        assert "Phòng Giáo dục và Đào tạo" not in "\n".join(x for x in body(bc(docs, year)) if "muộn" in x)


def test_a_review_without_charts_has_no_chart_and_no_caption(docs):
    """``xhht review --no-charts`` (write_review(charts=False), as the reading fixture makes it): the text and
    tables of the tổng kết with no chart part, no 'Biểu đồ' caption, and the option in the manifest."""
    import zipfile

    with zipfile.ZipFile(docs["review"]) as z:
        assert not [n for n in z.namelist() if n.startswith("word/charts/")]
    lines = body(docs["review"])
    assert not [x for x in lines if x.startswith("Biểu đồ ")]
    assert any(x.startswith("Bảng 2. ") for x in lines)
    manifest = json.loads((docs["review"].parent / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["options"]["charts"] is False
