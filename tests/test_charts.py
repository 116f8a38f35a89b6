"""Charts: native Word charts of the series (panels, legend, gaps, stable bytes) in the yearly BC, and the
period workbook with native Excel charts."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import openpyxl
import pytest

from lxml import etree

from pipeline import charts
from pipeline.charts import CHART_LABELS, group_chart
from pipeline.docx_chart import chart_xml, workbook_xlsx
from pipeline.catalog_load import load_catalog
from pipeline.render_trend_xlsx import TREND_SHEET, add_trend_sheet, period_filename, write_period_workbook
from pipeline.series import build_series

ROOT = Path(__file__).resolve().parents[1]
INPUTS = ROOT / "inputs"
ISSUED = dt.date(2016, 12, 20)


@pytest.fixture(scope="module")
def loaded(shipped_models):
    return shipped_models.catalog, shipped_models.models, shipped_models.sources


@pytest.fixture(scope="module")
def series(loaded):
    cat, models, sources = loaded
    return build_series(cat, models, sources, 2014, 2016)


@pytest.fixture(scope="module")
def long_series(loaded):
    """2014–2020 with only 2014–2016 known, and a lộ trình towards 2020 as the yearly model will give it."""
    cat, models, sources = loaded
    s = build_series(cat, {**models, **{y: None for y in range(2017, 2021)}}, sources, 2014, 2020)
    for ind in s.indicators:
        base = ind.at(2015).value
        for t in ind.targets:
            if t.milestone == 2020 and t.value is not None and base is not None and t.year < 2020:
                t.path_value = base + (t.value - base) * (t.year - 2015) / 5
    return s


C = "{http://schemas.openxmlformats.org/drawingml/2006/chart}"
A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"


def _values(ser) -> dict[int, float]:
    """The cached values of a ``c:ser`` by category index (a gap has no point)."""
    return {int(pt.get("idx")): float(pt.find(C + "v").text) for pt in ser.iter(C + "pt")
            if pt.getparent().tag == C + "numCache"}


def _series(xml: bytes) -> dict[str, list]:
    """The chart's series by name (several series may share a name: lộ trình and targets of two milestones)."""
    out: dict[str, list] = {}
    for ser in etree.fromstring(xml).iter(C + "ser"):
        name = ser.find(f"{C}tx//{C}v").text
        out.setdefault(name, []).append(ser)
    return out


def test_group_chart_is_one_native_panel_per_indicator_on_the_text_width(series):
    g = group_chart(series, "c")
    group = next(x for x in series.groups if x.code == "c")
    assert len(g.panels) == len(group.indicators) == 10 and g.columns == 3
    assert all(abs(p.width_cm * 3 - 16.0) < 0.2 and p.width_cm * 3 <= 16.0 for p in g.panels)  # three fit a line
    assert 12 < g.height_cm < 22                                                                # fits an A4 page
    for code, p in zip(group.indicators, g.panels):
        ind = series.indicator(code)
        xml = chart_xml(p)
        root = etree.fromstring(xml)                     # well-formed
        assert root.find(f"{C}chart/{C}plotArea/{C}lineChart") is not None
        title = "".join(t.text for t in root.find(f"{C}chart/{C}title").iter(A + "t"))
        assert title.startswith(ind.label)
        district = _series(xml)["Kết quả toàn huyện"][0]
        assert _values(district) == {i: pytest.approx(pt.value) for i, pt in enumerate(ind.district) if pt.known}
        # the first and last figures as the documents write them, never with a decimal point
        labels = ["".join(t.text for t in d.iter(A + "t")) for d in district.iter(C + "dLbl")]
        assert labels == [charts._pct(ind.district[0].value), charts._pct(ind.district[-1].value)]
        assert root.find(f"{C}chart/{C}dispBlanksAs").get("val") == "gap"
        fmt = root.find(f"{C}chart/{C}plotArea/{C}valAx/{C}numFmt").get("formatCode")
        assert fmt == '0"%"'
        lo = float(root.find(f"{C}chart/{C}plotArea/{C}valAx/{C}scaling/{C}min").get("val"))
        hi = float(root.find(f"{C}chart/{C}plotArea/{C}valAx/{C}scaling/{C}max").get("val"))
        assert lo <= min(_values(district).values()) and hi >= max(_values(district).values()) and hi - lo >= 10
    # one legend for the group: the district, its lộ trình, the targets and the milestone
    names = [s.name for s in g.legend.series]
    assert g.legend.legend_only and names[:3] == ["Kết quả toàn huyện", "Lộ trình", "Chỉ tiêu kế hoạch"]
    assert names[3] == "Mốc kế hoạch (2015)"


def test_same_series_same_bytes(series):
    a, b = group_chart(series, "b"), group_chart(series, "b")
    assert [chart_xml(p) for p in a.panels] == [chart_xml(p) for p in b.panels]
    stamp = dt.datetime(2016, 12, 20, 8)
    assert workbook_xlsx(a.panels[0], stamp) == workbook_xlsx(b.panels[0], stamp)


def test_unknown_years_are_gaps_and_labels_come_from_the_phrasebook(long_series):
    assert CHART_LABELS["district"] == "Kết quả toàn huyện"
    assert charts._pct(100.0) == "100,0%" and charts._pct(96.24) == "96,2%" and charts._pct(99.96) == "99,9%"
    g = group_chart(long_series, "c", labels={"path": "Lộ trình đến năm 2020"})
    ind = long_series.indicator("LDNT_TTHTCD")
    panel = g.panels[long_series.groups[2].indicators.index("LDNT_TTHTCD")]
    xml = chart_xml(panel)
    district = _series(xml)["Kết quả toàn huyện"][0]
    assert sorted(_values(district)) == [0, 1, 2]           # 2017–2020 unknown: no point, not zero
    path = _series(xml)["Lộ trình đến năm 2020"]             # the lộ trình towards 2020, from 2015 on
    assert path and all(v is not None for v in [_values(path[-1]).get(i) for i in range(1, 7)])
    assert "Lộ trình đến năm 2020" in [s.name for s in g.legend.series]
    # the milestones in the range: 2015 and 2020
    assert g.legend.series[-1].name == "Mốc kế hoạch (2015, 2020)"
    assert ind.label in panel.title


def test_embedded_workbook_holds_the_chart_figures(series):
    import io

    g = group_chart(series, "c")
    p = g.panels[0]
    wb = openpyxl.load_workbook(io.BytesIO(workbook_xlsx(p, dt.datetime(2016, 12, 20, 8))))
    rows = [list(r) for r in wb.active.iter_rows(values_only=True)]
    assert rows[0][1:] == [s.name for s in p.series]
    assert [r[0] for r in rows[1:]] == ["2014", "2015", "2016"]
    district = p.series.index(next(s for s in p.series if s.name == "Kết quả toàn huyện")) + 1
    assert [r[district] for r in rows[1:]] == p.series[district - 1].values


def test_y_range_never_exaggerates_a_small_move():
    lo, hi = charts._limits([99.5, 99.8, 100.0])
    assert hi - lo >= 10 and hi >= 100 and lo >= 0
    assert charts._limits([45.4, 60.9, 80.0]) == (41, 85)


def test_period_workbook_has_native_charts_and_the_series(series, tmp_path):
    out = write_period_workbook(series, tmp_path / period_filename(2014, 2016), ISSUED, "Phòng GD&ĐT")
    assert out.name == "TongHop_XHHT_2014-2016.xlsx"
    with zipfile.ZipFile(out) as z:
        parts = sorted(n for n in z.namelist() if n.startswith("xl/charts/chart"))
        assert len(parts) == len(series.indicators)
        xml = z.read(parts[0]).decode("utf-8")
    assert "Kết quả toàn huyện" in xml and "Chỉ tiêu kế hoạch" in xml and "'Xu hướng'!$F$" in xml
    assert 'dispBlanksAs val="zero"' not in xml and 'dispBlanksAs val="span"' not in xml  # gaps stay gaps
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == [TREND_SHEET, "Mốc kế hoạch", "Theo đơn vị", "Đạt tất cả chỉ tiêu", "Nộp báo cáo",
                             "Tiến độ theo đơn vị", "Kinh phí"]
    ws = wb[TREND_SHEET]
    header = [c.value for c in ws[3]]
    assert header[5:8] == ["2014", "2015", "2016"]
    rows = {(r[2].value, r[4].value): r for r in ws.iter_rows(min_row=4) if r[4].value}
    nn = series.indicator("CBCCVC_NN_B2")
    district = rows[("CBCCVC_NN_B2", "Kết quả toàn huyện")]
    assert [c.value for c in district[5:8]] == pytest.approx([p.value / 100 for p in nn.district])
    assert district[5].number_format == "0.0%"
    assert district[8].value == pytest.approx(nn.change.points)
    m = {(r[1].value, r[3].value): [c.value for c in r] for r in wb["Mốc kế hoạch"].iter_rows(min_row=4)}
    pc = m[("PC_BAC_TH", "2015")]
    assert pc[7] == "Chưa đạt" and pc[10] == len(series.indicator("PC_BAC_TH").outcome(2015).units_not_met)
    c = {r[0].value: [x.value for x in r] for r in wb["Nộp báo cáo"].iter_rows(min_row=4)}
    for f in series.years_facts:
        assert c[str(f.year)][3:6] == [f.expected, f.received, len(f.missing)]
        assert c[str(f.year)][1] == "Báo cáo của các đơn vị"
    k = [[x.value for x in r] for r in wb["Kinh phí"].iter_rows(min_row=4)]
    assert k[-1][0] == "Cộng" and k[-1][-1] == series.funding_total() == sum(f.funding_total for f in series.years_facts)
    u = {(r[0].value, r[2].value): [x.value for x in r] for r in wb["Theo đơn vị"].iter_rows(min_row=4)}
    missing15 = series.year(2015).missing[0]
    assert u[(missing15, "CBCCVC_CNTT")][5] == "Chưa nộp"   # a gap says why, it is never 0


def test_trend_sheet_on_any_workbook_leaves_unknown_years_blank(long_series, tmp_path):
    import xlsxwriter

    path = tmp_path / "x.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    wb.add_worksheet("Chỉ tiêu toàn huyện")
    add_trend_sheet(wb, long_series)
    wb.close()
    ws = openpyxl.load_workbook(path)[TREND_SHEET]
    row = next(r for r in ws.iter_rows(min_row=4) if r[2].value == "LDNT_TTHTCD")
    assert [c.value for c in row[5:12]][3:] == [None, None, None, None]
    path_row = next(r for r in ws.iter_rows(min_row=4) if r[4].value == "Lộ trình")
    assert path_row[7].value is not None  # the lộ trình row is written when the model has one
    with zipfile.ZipFile(path) as z:
        assert sum(n.startswith("xl/charts/chart") for n in z.namelist()) == len(long_series.indicators)


# ------------------------------------------------------------------ the yearly BC and workbook (the series so far)
@pytest.fixture(scope="module")
def yearly(yearly_runs):
    """``xhht run`` for the plan's first year (2014: no trend) and its second (2015: 2014–2015 charted)."""
    return yearly_runs.results


def test_yearly_bc_has_native_charts_per_target_group_after_its_table(yearly):
    import re

    res = yearly[2015]
    groups = res.model.catalog.plan.goal_groups
    n_ind = len(res.model.catalog.plan.indicators)
    with zipfile.ZipFile(next(p for p in res.paths if p.name.startswith("BC_"))) as z:
        names = z.namelist()
        xml = z.read("word/document.xml").decode("utf-8")
        rels = z.read("word/_rels/document.xml.rels").decode("utf-8")
        types = z.read("[Content_Types].xml").decode("utf-8")
        parts = sorted((n for n in names if re.fullmatch(r"word/charts/xhht_chart\d+\.xml", n)),
                       key=lambda n: int(re.sub(r"\D", "", n)))
        first = z.read(parts[0])
        books = [n for n in names if n.startswith("word/embeddings/")]
        chart_rels = [z.read(f"word/charts/_rels/{n.split('/')[-1]}.rels").decode() for n in parts]
    assert not [n for n in names if n.startswith("word/media/")]      # no pictures: charts Word can edit
    assert len(parts) == n_ind + len(groups) == len(books)             # a panel per indicator, a legend per group
    for n in parts:
        target = n[len("word/"):]
        assert f'Target="{target}"' in rels and f'PartName="/{n}"' in types
    assert 'Extension="xlsx"' in types and all("../embeddings/" in r for r in chart_rels)
    # every chart is an inline drawing with its own id and an alternative text; the district's figures
    ids = re.findall(r'<wp:docPr id="(\d+)"', xml)
    assert len(ids) == len(parts) == len(set(ids))
    assert re.search(r'descr="Tỷ lệ [^"]+: kết quả toàn huyện các năm 2014–2015"', xml)
    assert b"<c:lineChart>" in first and "Kết quả toàn huyện" in first.decode("utf-8")
    # each group's charts under its table and sentences, the caption after them
    text = re.sub(r"<[^>]+>", "", xml)
    for n, g in enumerate(groups, start=1):
        caption = f"Biểu đồ {n}. {g.title[0].upper() + g.title[1:]}: kết quả toàn huyện các năm 2014–2015"
        assert caption in text
        assert text.index(f"{n}. {g.title}") < text.index(caption)
        if n < len(groups):
            assert text.index(caption) < text.index(f"{n + 1}. {groups[n].title}")
    # the panels' short labels are explained under the caption ("PCGD MN 5 tuổi" in group 1)
    note = text[text.index("Biểu đồ 1."):text.index("2. " + groups[1].title)]
    assert "Ghi chú: PCGD: phổ cập giáo dục; MN: mầm non" in note
    assert text.index("Biểu đồ 1.") > text.index("II. KẾT QUẢ THỰC HIỆN CÁC MỤC TIÊU")
    assert text.index(f"Biểu đồ {len(groups)}.") < text.index("III. KẾT QUẢ THỰC HIỆN CÁC NHIỆM VỤ")
    # the charts of group 1 sit between its heading and its caption
    g1 = xml.index(f"1. {groups[0].title}")
    cap1 = xml.index("Biểu đồ 1.")
    first_group = res.model.groups[0]
    assert xml[g1:cap1].count("<c:chart ") == len(first_group.indicators) + 1


def test_first_year_bc_and_workbook_have_no_trend(yearly):
    res = yearly[2014]
    bc = next(p for p in res.paths if p.name.startswith("BC_"))
    with zipfile.ZipFile(bc) as z:
        assert not [n for n in z.namelist() if n.startswith(("word/media/", "word/charts/"))]
        assert "Biểu đồ" not in z.read("word/document.xml").decode("utf-8")
    xlsx = next(p for p in res.paths if p.suffix == ".xlsx")
    assert TREND_SHEET not in openpyxl.load_workbook(xlsx, read_only=True).sheetnames
    with zipfile.ZipFile(xlsx) as z:
        assert not [n for n in z.namelist() if n.startswith("xl/charts/")]


def test_yearly_workbook_gains_the_trend_sheet_with_native_charts(yearly):
    res = yearly[2015]
    xlsx = next(p for p in res.paths if p.suffix == ".xlsx")
    n_ind = len(res.model.catalog.plan.indicators)
    with zipfile.ZipFile(xlsx) as z:
        charts_xml = [z.read(n).decode("utf-8") for n in z.namelist() if n.startswith("xl/charts/chart")]
    assert len(charts_xml) == n_ind
    assert all("<c:lineChart>" in c and "Kết quả toàn huyện" in c for c in charts_xml)
    ws = openpyxl.load_workbook(xlsx)[TREND_SHEET]
    rows = list(ws.iter_rows(values_only=True))
    header = next(r for r in rows if r and r[0] == "STT")
    assert [str(v) for v in header[5:7]] == ["2014", "2015"]
    # the district figure of 2015 in the sheet is the yearly model's own
    ind = res.model.indicators[0]
    row = next(r for r in rows if r and r[2] == ind.indicator.code)
    assert row[6] == pytest.approx(ind.rate / 100.0)


def test_stock_activities_are_plan_data():
    """Counts of what exists are marked ``stock: true`` in plan.yaml; flows (classes held, turns) are not."""
    stocks = {a.code for a in load_catalog(INPUTS).plan.activities if a.stock}
    assert {"NV2_CLB", "NV2_THU_VIEN", "NV6_CONG_TAC_VIEN"} <= stocks
    assert not stocks & {"NV1_TUAN_LE", "NV1_TUYEN_TRUYEN"}
