"""Charts (PNG at print size, stable bytes) and the period workbook with native Excel charts."""

from __future__ import annotations

import datetime as dt
import struct
import zipfile
from pathlib import Path

import openpyxl
import pytest

from pipeline import charts
from pipeline.charts import CHART_LABELS, FONT_CANDIDATES, chart_font, group_chart, write_charts
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


def _chunks(png: bytes) -> list[tuple[bytes, bytes]]:
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    out, i = [], 8
    while i < len(png):
        (n,) = struct.unpack(">I", png[i:i + 4])
        out.append((png[i + 4:i + 8], png[i + 8:i + 8 + n]))
        i += 12 + n
    return out


def test_group_chart_is_a_print_resolution_png_of_text_width(series):
    png, w_cm, h_cm = group_chart(series, "c", dpi=200)
    chunks = dict(_chunks(png))
    width, height = struct.unpack(">II", chunks[b"IHDR"][:8])
    assert w_cm == 16.0 and abs(width - round(16 / 2.54 * 200)) <= 1
    assert abs(height - round(h_cm / 2.54 * 200)) <= 1 and h_cm > 12   # 10 panels in rows of three
    ppm_x, ppm_y, unit = struct.unpack(">IIB", chunks[b"pHYs"])
    assert unit == 1 and round(ppm_x * 0.0254) == round(ppm_y * 0.0254) == 200
    assert b"tEXt" not in chunks or b"matplotlib" not in chunks[b"tEXt"]  # no software name, no date


def test_same_series_same_bytes_and_parallel_equals_sequential(series, tmp_path):
    a, _w, _h = group_chart(series, "b")
    b, _w, _h = group_chart(series, "b")
    assert a == b
    one = write_charts(series, tmp_path / "seq", parallel=False, dpi=60)  # low dpi: same code, faster test
    two = write_charts(series, tmp_path / "par", parallel=True, dpi=60)
    assert [c.path.name for c in one] == [c.path.name for c in two] == [
        f"BieuDo_{i:02d}.png" for i in range(1, len(series.groups) + 1)]
    assert [c.group for c in two] == [g.code for g in series.groups]
    for x, y in zip(one, two):
        assert x.path.read_bytes() == y.path.read_bytes() and x.seconds > 0 and x.dpi == 60


def test_labels_font_and_number_formats(long_series, tmp_path):
    assert chart_font() in FONT_CANDIDATES
    # the chosen font has every Vietnamese letter (old Liberation Serif 1.x does not)
    from matplotlib import font_manager

    path = font_manager.findfont(font_manager.FontProperties(family=chart_font()), fallback_to_default=False)
    assert charts._covers_vietnamese(path)
    assert charts._pct(100.0) == "100,0%" and charts._pct(96.24) == "96,2%" and charts._pct(99.96) == "99,9%"
    assert charts._number(97.5) == "97,5" and charts._number(90.0) == "90" and charts._number(1500) == "1.500"
    assert CHART_LABELS["district"] == "Kết quả toàn huyện"
    # seven years with four unknown ones and a lộ trình: drawn, and different from the same without labels
    made = write_charts(long_series, tmp_path, labels={"path": "Lộ trình đến năm 2020"}, dpi=60)
    assert len(made) == len(long_series.groups)
    other, _w, _h = group_chart(long_series, "c", dpi=60)
    assert other != (tmp_path / "BieuDo_03.png").read_bytes()  # the legend's wording is taken from labels


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


def _png_size(png: bytes) -> tuple[int, int]:
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", png[16:24])


def test_yearly_bc_has_one_chart_per_target_group_after_its_table(yearly):
    import re

    res = yearly[2015]
    groups = res.model.catalog.plan.goal_groups
    with zipfile.ZipFile(next(p for p in res.paths if p.name.startswith("BC_"))) as z:
        media = sorted(n for n in z.namelist() if n.startswith("word/media/"))
        xml = z.read("word/document.xml").decode("utf-8")
        pngs = [z.read(n) for n in media]
    assert len(media) == len(groups) and all(n.endswith(".png") for n in media)
    for png in pngs:
        w, h = _png_size(png)
        assert 1250 <= w <= 1270 and 400 <= h <= 1800  # 16 cm at 200 dpi (print resolution), 5–22 cm high
    # each drawing is 16 cm wide in the page (EMU) and keeps the PNG's aspect ratio
    extents = [(int(a), int(b)) for a, b in re.findall(r'<wp:extent cx="(\d+)" cy="(\d+)"', xml)]
    assert len(extents) == len(groups)
    for (cx, cy), png in zip(extents, pngs):
        assert cx == 160 * 36000
        w, h = _png_size(png)
        assert abs(cy / cx - h / w) < 0.01
    # chart n under group n (after its heading, before the next group), with its caption
    text = re.sub(r"<[^>]+>", "", xml)
    for n, g in enumerate(groups, start=1):
        caption = f"Biểu đồ {n}. {g.title[0].upper() + g.title[1:]}: kết quả toàn huyện các năm 2014–2015"
        assert caption in text
        assert text.index(f"{n}. {g.title}") < text.index(caption)
        if n < len(groups):
            assert text.index(caption) < text.index(f"{n + 1}. {groups[n].title}")
    assert text.index("Biểu đồ 1.") > text.index("II. KẾT QUẢ THỰC HIỆN CÁC MỤC TIÊU")
    assert text.index(f"Biểu đồ {len(groups)}.") < text.index("III. KẾT QUẢ THỰC HIỆN CÁC NHIỆM VỤ")


def test_first_year_bc_and_workbook_have_no_trend(yearly):
    res = yearly[2014]
    bc = next(p for p in res.paths if p.name.startswith("BC_"))
    with zipfile.ZipFile(bc) as z:
        assert not [n for n in z.namelist() if n.startswith("word/media/")]
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
