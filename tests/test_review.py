"""The period review (sơ kết / tổng kết): sections and tables by content, charts as images in the DOCX,
NĐ 30 check and house style, the 2020 milestone outcome, where each year came from, atomic output."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import zipfile
from pathlib import Path

import pytest
from docx import Document

from conftest import as_on_windows, once_per_run
from pipeline.aggregate import EXCEEDED, NOT_MET
from pipeline.nd30_check import check_document
from pipeline.catalog_load import load_catalog
from pipeline.review import review_filename, write_review
from pipeline.runner import build_model
from pipeline.vnformat import orthography
from test_documents_content import _deviations, _text

ROOT = Path(__file__).resolve().parents[1]
INPUTS = ROOT / "inputs"
ISSUED = dt.date(2020, 12, 28)


@pytest.fixture(scope="module")
def tong_ket(tmp_path_factory):
    """The tổng kết 2014–2020 of the shipped samples (written once per test run; READ ONLY)."""
    def make(folder: Path):
        with as_on_windows():
            return write_review(INPUTS, folder / "outputs", 2014, 2020, ISSUED)

    return once_per_run(tmp_path_factory, "tong_ket", make)


def _docx(result) -> Path:
    return result.version / review_filename(result.first, result.last)


def _table_with(doc, first_header: str, row_name: str | None = None):
    for t in doc.tables:
        if t.rows[0].cells[0].text.strip() == first_header and (
                row_name is None or any(r.cells[0].text.strip() == row_name for r in t.rows)):
            return t
    raise AssertionError(f"no table {first_header!r} with row {row_name!r}")


def _row(table, name: str) -> list[str]:
    row = next(r for r in table.rows if r.cells[0].text.strip() == name)
    return [c.text.strip() for c in row.cells]


def test_tong_ket_sections_in_order_and_subject(tong_ket):
    assert tong_ket.final and tong_ket.version.name == "v1"
    paras = [p.text for p in Document(str(_docx(tong_ket))).paragraphs]
    text = "\n".join(paras)
    assert "Tổng kết thực hiện Kế hoạch xây dựng xã hội học tập giai đoạn 2014–2020" in paras
    heads = ["I. CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH", "II. KẾT QUẢ THỰC HIỆN CÁC MỤC TIÊU",
             "III. KẾT QUẢ THỰC HIỆN CÁC NHIỆM VỤ, GIẢI PHÁP", "IV. KINH PHÍ THỰC HIỆN", "V. ĐÁNH GIÁ CHUNG",
             "1. Kết quả đạt được", "2. Tồn tại, hạn chế", "3. Nguyên nhân", "4. Bài học kinh nghiệm",
             "VI. PHƯƠNG HƯỚNG, NHIỆM VỤ GIAI ĐOẠN TIẾP THEO", "VII. ĐỀ XUẤT, KIẾN NGHỊ", "Biểu 01", "Biểu 02",
             "Biểu 03"]
    at = [paras.index(h) for h in heads]
    assert at == sorted(at)
    # công tác chỉ đạo over the period: the documents of every year's chi_dao file are counted
    n_docs = sum(len((f.direction or {}).get("documents") or []) for f in tong_ket.series.years_facts)
    assert n_docs > 7 and f"đã ban hành {n_docs} văn bản chỉ đạo" in text
    assert "Trên đây là báo cáo tổng kết" in text


def test_reporting_and_funding_tables_match_the_series(tong_ket):
    doc = Document(str(_docx(tong_ket)))
    s = tong_ket.series
    rep = _table_with(doc, "Năm", "2016")
    f16 = s.year(2016)
    assert _row(rep, "2016") == ["2016", "37", str(f16.received), str(len(f16.on_time)), str(len(f16.late)),
                                 str(len(f16.missing))]
    fund = next(t for t in doc.tables if t.rows[0].cells[0].text.strip() == "Năm" and "Tổng cộng (đồng)" in
                t.rows[0].cells[-1].text)
    from pipeline import vnformat as vn

    assert _row(fund, "Cả giai đoạn")[-1] == vn.number(s.funding_total())
    assert _row(fund, "2020")[-1] == vn.number(s.year(2020).funding_total)
    text = "\n".join(p.text for p in doc.paragraphs)
    assert f"là {vn.number(s.funding_total())} đồng (bằng chữ: {vn.money_words(s.funding_total())})" in text


def test_target_tables_and_the_2020_milestone_agree_with_the_yearly_model(tong_ket, catalog):
    doc = Document(str(_docx(tong_ket)))
    s = tong_ket.series
    m20 = build_model(catalog, INPUTS, 2020)
    table = _table_with(doc, "Chỉ tiêu", "CBCCVC học CNTT")
    header = [c.text.strip() for c in table.rows[0].cells]
    assert header[1:8] == [str(y) for y in range(2014, 2021)] and header[8:] == [
        "Chỉ tiêu 2015", "Đánh giá 2015", "Chỉ tiêu 2020", "Đánh giá 2020"]
    from pipeline import vnformat as vn

    for code, label in (("CBCCVC_CNTT", "CBCCVC học CNTT"), ("CBCCVC_NN_B2", "CBCCVC ngoại ngữ bậc 2")):
        cells = _row(table, label)
        series = s.indicator(code)
        assert cells[1:8] == [vn.percent(p.value)[:-1] for p in series.district]
        r = m20.result(code)
        o = series.outcome(2020)
        assert (o.status, o.value, o.target) == (r.status, r.rate, r.target.value)  # 2020 is a milestone year
        assert cells[10] == vn.percent(r.target.value)[:-1]
        assert cells[11] == {NOT_MET: "Chưa đạt", EXCEEDED: "Vượt"}[o.status]
    assert s.indicator("CBCCVC_CNTT").outcome(2020).status == NOT_MET
    assert s.indicator("CBCCVC_NN_B2").outcome(2020).status == EXCEEDED
    text = "\n".join(p.text for p in doc.paragraphs)
    o = s.indicator("CBCCVC_CNTT").outcome(2020)
    assert (f"năm 2020 mới đạt {vn.percent(o.value)}, chưa đạt chỉ tiêu 100,0% (còn thiếu "
            f"{vn.points(o.margin)} điểm phần trăm)") in text


def test_communes_meeting_all_targets_and_the_others_by_name(tong_ket):
    s = tong_ket.series
    text = "\n".join(p.text for p in Document(str(_docx(tong_ket))).paragraphs)
    met = s.all_met(2020, communes_only=True)
    assert 0 < len(met) < 22
    assert f"Năm 2020, {len(met):02d}/22 xã, thị trấn đạt tất cả các chỉ tiêu của Kế hoạch:" in text
    from pipeline import vnformat as vn

    for code in met:
        assert vn.in_sentence(s.unit(code).name) in text
    behind = [x for x in s.not_all_met(2020, communes_only=True) if x.not_met]
    assert behind
    for x in behind:
        assert f"{vn.in_sentence(s.unit(x.unit).name)} ({len(x.not_met):02d} chỉ tiêu)" in text


def test_charts_are_native_word_charts_one_set_per_target_group(tong_ket):
    import re

    path = _docx(tong_ket)
    s = tong_ket.series
    with zipfile.ZipFile(path) as z:
        names = z.namelist()
        xml = z.read("word/document.xml").decode("utf-8")
        charts = [z.read(n).decode("utf-8") for n in names if re.fullmatch(r"word/charts/xhht_chart\d+\.xml", n)]
    assert not [n for n in names if n.startswith("word/media/")]
    assert len(charts) == len(s.indicators) + len(s.groups)      # a panel per indicator, a legend per group
    # seven years on every panel's category axis; the legend names both milestones
    panels = [c for c in charts if "<c:title>" in c]
    assert len(panels) == len(s.indicators)
    assert all(c.count("<c:v>2020</c:v>") >= 1 and c.count("<c:v>2014</c:v>") >= 1 for c in panels)
    assert sum("Mốc kế hoạch (2015, 2020)" in c for c in charts) == len(s.groups)
    # the panels of a group fit the 16 cm text width, a row at a time
    widths = [int(cx) for cx in re.findall(r'<wp:extent cx="(\d+)"', xml)]
    assert max(widths) <= 16 * 360000 and len(widths) == len(charts)
    # the captions refer to each chart
    text = "\n".join(p.text for p in Document(str(path)).paragraphs)
    for i in range(1, len(s.groups) + 1):
        assert f"Biểu đồ {i}. " in text
    assert not list((tong_ket.version).glob("**/*.png"))          # no separate pictures any more


def test_tasks_summed_over_the_period_with_their_trend(tong_ket):
    s = tong_ket.series
    doc = Document(str(_docx(tong_ket)))
    week = s.activity("NV1_TUAN_LE")
    assert week.totals[0] is not None and week.period_total == sum(week.totals)
    table = _table_with(doc, "Nội dung")
    header = [c.text.strip() for c in table.rows[0].cells]
    assert header[-2:] == ["Cả giai đoạn", "Xu hướng"]
    from pipeline import vnformat as vn

    row = next(r for r in table.rows if r.cells[0].text.startswith(week.label))
    cells = [c.text.strip() for c in row.cells]
    assert cells[1:8] == [vn.number(v) for v in week.totals]
    assert cells[8] == vn.number(week.period_total) and cells[9] == "Tăng"
    # a count of what exists (clubs) is not added up over the years
    clb = s.activity("NV2_CLB")
    row = next(r for t in doc.tables for r in t.rows if r.cells[0].text.startswith(clb.label))
    assert row.cells[8].text.strip() == vn.number(clb.totals[-1])


def test_appendix_per_unit_series_landscape(tong_ket):
    doc = Document(str(_docx(tong_ket)))
    assert doc.sections[-1].page_width > doc.sections[-1].page_height  # landscape
    s = tong_ket.series
    ind = s.indicator("LDNT_TTHTCD")
    us = ind.units[0]
    name = s.unit(us.unit).name
    tables = [t for t in doc.tables if t.rows[0].cells[1].text.strip() == "Đơn vị"
              and "Năm đạt mức chỉ tiêu 2020" in t.rows[0].cells[-1].text]
    assert len(tables) == len(s.indicators)
    from pipeline import vnformat as vn

    table = tables[[x.code for x in s.indicators].index("LDNT_TTHTCD")]
    row = next(r for r in table.rows if r.cells[1].text.strip() == name)
    cells = [c.text.strip() for c in row.cells]
    assert cells[2:9] == [vn.percent(p.value)[:-1] if p.known else "–" for p in us.points]
    assert cells[9] == (str(us.first_met[2020]) if us.first_met.get(2020) else "–")


def test_period_bc_passes_xhht_check_and_the_style_scan(tong_ket):
    path = _docx(tong_ket)
    assert check_document(path) == []
    problems = _deviations(_text(path))
    assert not problems, json.dumps(problems, ensure_ascii=False, indent=1)[:3000]


def test_workbook_manifest_and_sources_beside_the_bc(tong_ket):
    v = tong_ket.version
    assert (v / "TongHop_XHHT_2014-2020.xlsx").is_file() and (v / "series.json").is_file()
    manifest = json.loads((v / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["kind"] == "tong_ket" and manifest["period"] == [2014, 2020]
    assert [y["year"] for y in manifest["years"]] == list(range(2014, 2021))
    assert all(y["source"] == "submissions" for y in manifest["years"])
    assert (v.parent / review_filename(2014, 2020)).is_file()  # the newest copy beside the versions
    assert not list(v.parent.glob(".tmp-v*"))


def test_so_ket_reads_archived_year_and_judges_against_the_lo_trinh(tmp_path):
    inputs = tmp_path / "inputs"
    shutil.copytree(INPUTS, inputs, ignore=shutil.ignore_patterns("2017", "2018", "2019", "2020"))
    outputs = tmp_path / "outputs"
    from pipeline.runner import run

    run(inputs, outputs, 2016, dt.date(2016, 12, 22), number="auto", feedback=False, charts=False)  # (its BC's text)
    pb = inputs / "phrasebook_review.yaml"  # the office changes a sentence: no code change
    pb.write_text(pb.read_text(encoding="utf-8").replace("Trên đây là báo cáo {{ kind }}",
                                                         "Trên đây là nội dung báo cáo {{ kind }}"), encoding="utf-8")
    r = write_review(inputs, outputs, 2014, 2016, dt.date(2016, 12, 28))
    assert not r.final
    s = r.series
    manifest = json.loads((r.version / "manifest.json").read_text(encoding="utf-8"))
    y16 = next(y for y in manifest["years"] if y["year"] == 2016)
    assert (y16["source"], y16["version"]) == ("archive", "v1") and y16["number"].endswith("/BC-PGDĐT")
    assert any("phiên bản lưu trữ" in n and "2016 (v1)" in n for n in r.notes)
    # (a word joiner keeps "2014–2020" on one line in the title)
    paras = [p.text.replace("\u2060", "") for p in Document(str(r.version / review_filename(2014, 2016))).paragraphs]
    text = "\n".join(paras)
    assert "Sơ kết 03 năm thực hiện Kế hoạch xây dựng xã hội học tập giai đoạn 2014–2020" in paras
    assert "VI. PHƯƠNG HƯỚNG, NHIỆM VỤ ĐẾN NĂM 2020" in paras
    assert f"Báo cáo số {y16['number']} ngày 22/12/2016" in text  # the yearly BC it agrees with
    # 2016 lies between milestones: judged against the lộ trình, never "chưa đạt" against a 2020 value
    limits = text.split("2. Tồn tại, hạn chế")[1].split("3. Nguyên nhân")[0]
    behind = [x for x in s.indicators if x.targets[-1].status == "cham_lo_trinh"]
    assert any(x.kind == "ratio" for x in behind)
    for x in behind:
        head = orthography(x.name[0].upper() + x.name[1:])  # as placed: house style (en dash in 15–60)
        assert (f"{head}: năm 2016 đạt" if x.kind == "ratio" else f"{head}: năm 2016 còn") in limits
    assert "so với lộ trình" in limits and "chưa đạt chỉ tiêu" not in limits
    cat = load_catalog(inputs)
    t = s.indicator("CBCCVC_CNTT").target_at(2016)
    assert t.milestone == 2020 and t.path_value is not None and t.status in ("dat_lo_trinh", "vuot_lo_trinh",
                                                                              "cham_lo_trinh")
    assert cat.plan.milestone_for(2016).baseline == 2015
    assert check_document(r.version / review_filename(2014, 2016)) == []
    assert "Trên đây là nội dung báo cáo sơ kết" in text


def test_plan_check_names_an_undefined_variable_of_the_review_phrasebook(tmp_path):
    from pipeline.review import check_review_wording

    assert check_review_wording(INPUTS) == []
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    text = (INPUTS / "phrasebook_review.yaml").read_text(encoding="utf-8")
    (inputs / "phrasebook_review.yaml").write_text(
        text.replace("Trên đây là báo cáo {{ kind }}", "Trên đây là báo cáo {{ kind }} {{ nam_bao_cao }}"), encoding="utf-8")
    problems = check_review_wording(inputs)
    assert problems == ["phrasebook_review.yaml, câu 'tk.closing': biến 'nam_bao_cao' chưa được định nghĩa."]


def test_review_refuses_a_range_outside_the_plan(tmp_path):
    from pipeline.errors import UsageError

    with pytest.raises(UsageError):
        write_review(INPUTS, tmp_path, 2013, 2016)
    assert not (tmp_path / "review").exists()
