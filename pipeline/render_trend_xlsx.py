"""The "Xu hướng" sheet (series with native Excel charts) and the period summary workbook.

:func:`add_trend_sheet` adds the sheet to any XlsxWriter workbook (the yearly summary can take it
with the district's series so far); :func:`write_period_workbook` writes the workbook that goes
beside the period BC: the trend sheet, the milestone outcomes, the series per unit, the units
against all their targets, completeness and timeliness per year (and per unit), and funding.

Percentages are stored as fractions with a percent format, as in the yearly workbook. A gap is an
empty cell (or a short text saying why), never a zero. Text is written with ``write_string`` so
nothing a unit typed can become a formula.
"""

from __future__ import annotations

import datetime as _dt
from pathlib import Path
from typing import Any

from .aggregate import STATUS_LABELS
from .form_layout import FUNDING_SOURCES
from .series import GAP_EXCLUDED, GAP_LABELS, GAP_MISSING, FROM_ARCHIVE, FROM_SUBMISSIONS, PeriodSeries, Point
from .atomic_files import normalise_zip

FONT = "Times New Roman"
TREND_SHEET = "Xu hướng"
PCT = "0.0%"
INT = "#,##0"
PTS = "+0.0;-0.0;0.0"
_TARGET_KINDS = {"at_least": "Đạt tối thiểu", "maintain": "Duy trì", "reach": "Đạt", "increase": "Tăng hằng năm"}
_CHART_W, _CHART_H = 500, 270      # pixels
_CHART_ROWS = 15                   # sheet rows one chart takes, with a gap


def period_filename(first: int, last: int) -> str:
    return f"TongHop_XHHT_{first}-{last}.xlsx"


def _frac(value: float | None) -> float | None:
    return None if value is None else value / 100.0


class _Formats:
    def __init__(self, wb):
        base = {"font_name": FONT, "font_size": 11, "border": 1, "border_color": "#808080", "text_wrap": True,
                "valign": "top"}
        self.title = wb.add_format({"font_name": FONT, "font_size": 14, "bold": True})
        self.note = wb.add_format({"font_name": FONT, "font_size": 10, "italic": True})
        self.head = wb.add_format(dict(base, bold=True, align="center", valign="vcenter", bg_color="#D9E1F2"))
        self.cells = {}
        for bold in (False, True):
            for key, num in (("text", "General"), ("pct", PCT), ("int", INT), ("pts", PTS), ("dec", "0.0")):
                self.cells[(bold, key)] = wb.add_format(dict(base, bold=bold, num_format=num))


class _Table:
    """Title, optional note, a header row and typed rows on an XlsxWriter sheet, ready to print."""

    def __init__(self, ws, fm: _Formats, title: str, columns: list[tuple[str, float, str]], note: str = "",
                 top: int = 0, setup: bool = True):
        self.ws, self.fm, self.columns = ws, fm, columns
        ws.write_string(top, 0, title, fm.title)
        if note:
            ws.write_string(top + 1, 0, note, fm.note)
        self.header = top + 2
        ws.set_row(self.header, 45)
        for i, (name, width, _key) in enumerate(columns):
            ws.write_string(self.header, i, name, fm.head)
            if setup:
                ws.set_column(i, i, width)
        self.row = self.header + 1
        if setup:
            ws.freeze_panes(self.row, 0)
            ws.repeat_rows(self.header)
            ws.set_landscape()
            ws.set_paper(9)
            ws.fit_to_pages(1, 0)
            ws.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
            # every printed page names its table and is numbered, as the yearly summary's sheets are
            ws.set_header(f'&L&"{FONT},Regular"&9{title.replace("&", "&&")}', {"margin": 0.3})
            ws.set_footer(f'&C&"{FONT},Regular"&9Trang &P/&N', {"margin": 0.3})

    def add(self, values: list[Any], bold: bool = False) -> int:
        for col, (value, (_n, _w, key)) in enumerate(zip(values, self.columns)):
            if value is None or value == "":
                self.ws.write_blank(self.row, col, None, self.fm.cells[(bold, "text")])
            elif isinstance(value, str):
                self.ws.write_string(self.row, col, value, self.fm.cells[(bold, "text")])
            else:
                self.ws.write_number(self.row, col, value, self.fm.cells[(bold, key)])
        self.row += 1
        return self.row - 1

    def filter(self) -> None:
        self.ws.autofilter(self.header, 0, max(self.row - 1, self.header), len(self.columns) - 1)


def _period(series: PeriodSeries) -> str:
    return f"{series.first}–{series.last}" if series.first != series.last else str(series.first)


def _unit_cell(point: Point) -> Any:
    """A unit's value in a cell: the rate, the status text, a short reason for a gap, or blank."""
    if point.known:
        return point.status if point.status is not None else _frac(point.value)
    if point.gap in (GAP_MISSING, GAP_EXCLUDED):
        return GAP_LABELS[point.gap]
    return None


def add_trend_sheet(wb, series: PeriodSeries, name: str = TREND_SHEET, formats: _Formats | None = None):
    """Add the sheet ``name``: the district series of every indicator with its targets, and one native
    Excel line chart per indicator (district figures, lộ trình, targets) below the table."""
    fm = formats or _Formats(wb)
    ws = wb.add_worksheet(name)
    years = series.years
    cols = ([("STT", 5, "text"), ("Nhóm", 6, "text"), ("Mã chỉ tiêu", 22, "text"), ("Chỉ tiêu", 40, "text"),
             ("Dòng", 18, "text")] + [(str(y), 8, "pct") for y in years]
            + [("Thay đổi cả giai đoạn (điểm phần trăm)", 14, "pts")])
    t = _Table(ws, fm, f"XU HƯỚNG CÁC CHỈ TIÊU XÂY DỰNG XÃ HỘI HỌC TẬP GIAI ĐOẠN {_period(series)}", cols,
               note="Ô trống: năm đó chưa có số liệu (không phải số 0). Chỉ tiêu kế hoạch: giá trị của mốc đang "
                    "áp dụng trong năm; lộ trình: giá trị phải đạt của năm.")
    first_col = 5
    year_cols = (first_col, first_col + len(years) - 1)
    charts = []
    for i, s in enumerate(series.indicators, start=1):
        kinds = {tp.kind for tp in s.targets if tp.kind}
        district = t.add([i, s.group, s.code, s.name, "Kết quả toàn huyện"]
                         + [_frac(p.value) if p.known else None for p in s.district]
                         + [s.change.points if s.change else None], bold=True)
        path_row = None
        if any(tp.path_value is not None for tp in s.targets):
            path_row = t.add(["", "", "", "", "Lộ trình"] + [_frac(tp.path_value) for tp in s.targets] + [None])
        target_label = "Chỉ tiêu: tăng hằng năm" if kinds == {"increase"} else (
            "Chỉ tiêu kế hoạch" if kinds else "Không có chỉ tiêu")
        target_row = t.add(["", "", "", "", target_label]
                           + [_frac(tp.value) if tp.kind not in (None, "increase") else None for tp in s.targets]
                           + [None])
        shown = [p.value for p in s.district if p.value is not None] + [
            v for tp in s.targets for v in (tp.value, tp.path_value) if v is not None and tp.kind != "increase"]
        top = max(shown) / 100.0 if shown else None
        charts.append((s.label, district, path_row, target_row if kinds - {"increase"} else None, top))
    # the charts below the table, two per row (columns A and E), so the sheet prints on A4 width
    for i, (label, district, path_row, target_row, top) in enumerate(charts):
        _chart(wb, ws, name, label, t.header, year_cols, district, path_row, target_row,
               t.row + 2 + i // 2 * _CHART_ROWS, 0 if i % 2 == 0 else 4, top)
    return ws


def _chart(wb, ws, sheet: str, title: str, header: int, year_cols: tuple[int, int],
           district: int, path: int | None, target: int | None, row: int, col: int, top: float | None) -> None:
    chart = wb.add_chart({"type": "line"})
    cats = [sheet, header, year_cols[0], header, year_cols[1]]
    chart.add_series({"name": "Kết quả toàn huyện", "categories": cats,
                      "values": [sheet, district, year_cols[0], district, year_cols[1]],
                      "line": {"color": "#1A3668", "width": 2.0},
                      "marker": {"type": "circle", "size": 6, "fill": {"color": "#1A3668"},
                                 "border": {"color": "#1A3668"}}})
    if path is not None:
        chart.add_series({"name": "Lộ trình", "categories": cats,
                          "values": [sheet, path, year_cols[0], path, year_cols[1]],
                          "line": {"color": "#5A5A5A", "width": 1.25, "dash_type": "dash"}, "marker": {"type": "none"}})
    if target is not None:
        chart.add_series({"name": "Chỉ tiêu kế hoạch", "categories": cats,
                          "values": [sheet, target, year_cols[0], target, year_cols[1]],
                          "line": {"color": "#8C1C13", "width": 1.25, "dash_type": "round_dot"},
                          "marker": {"type": "diamond", "size": 7, "fill": {"color": "#FFFFFF"},
                                     "border": {"color": "#8C1C13", "width": 1.25}}})
    chart.set_title({"name": title, "name_font": {"name": FONT, "size": 11, "bold": False}})
    chart.set_x_axis({"num_font": {"name": FONT, "size": 9}})
    y_axis = {"num_format": "0.0%", "num_font": {"name": FONT, "size": 9},
              "major_gridlines": {"visible": True, "line": {"color": "#D0D0D0", "width": 0.5}}}
    if top is not None and top <= 1.0:
        y_axis["max"] = 1.0  # a rate never goes above 100%
    chart.set_y_axis(y_axis)
    chart.set_legend({"position": "bottom", "font": {"name": FONT, "size": 9}})
    chart.show_blanks_as("gap")
    chart.set_size({"width": _CHART_W, "height": _CHART_H})
    ws.insert_chart(row, col, chart)


def build_period_workbook(wb, series: PeriodSeries, issued: _dt.date) -> None:
    """Write every sheet of the period summary into the XlsxWriter workbook ``wb``."""
    fm = _Formats(wb)
    period = _period(series)
    names = {u.code: u.name for u in series.units}
    years = series.years
    add_trend_sheet(wb, series, formats=fm)

    m = _Table(wb.add_worksheet("Mốc kế hoạch"), fm, f"KẾT QUẢ TẠI CÁC NĂM MỐC CỦA KẾ HOẠCH ({period})", [
        ("STT", 5, "text"), ("Mã chỉ tiêu", 22, "text"), ("Chỉ tiêu", 40, "text"), ("Năm mốc", 8, "text"),
        ("Yêu cầu", 13, "text"), ("Giá trị chỉ tiêu", 9, "pct"), ("Kết quả", 9, "pct"), ("Đánh giá", 11, "text"),
        ("Chênh lệch (điểm phần trăm)", 12, "pts"), ("Số đơn vị đạt", 9, "int"), ("Số đơn vị chưa đạt", 9, "int"),
        ("Số đơn vị chưa có số liệu", 10, "int"), ("Đơn vị chưa đạt", 50, "text")],
        note="" if series.milestone_years else "Giai đoạn này không có năm mốc của kế hoạch.")
    n = 0
    for s in series.indicators:
        for o in s.milestones:
            n += 1
            m.add([n, s.code, s.name, str(o.milestone), _TARGET_KINDS.get(o.kind or "", ""), _frac(o.target),
                   _frac(o.value), STATUS_LABELS.get(o.status, o.status), o.margin, len(o.units_met),
                   len(o.units_not_met), len(o.units_no_data), "; ".join(names[c] for c in o.units_not_met)])
    m.filter()

    u = _Table(wb.add_worksheet("Theo đơn vị"), fm, f"KẾT QUẢ CÁC CHỈ TIÊU THEO ĐƠN VỊ, GIAI ĐOẠN {period}", [
        ("Mã đơn vị", 10, "text"), ("Đơn vị", 26, "text"), ("Mã chỉ tiêu", 22, "text"), ("Chỉ tiêu", 34, "text")]
        + [(str(y), 9, "pct") for y in years]
        + [("Thay đổi (điểm phần trăm)", 11, "pts")]
        + [(f"Năm đầu tiên đạt chỉ tiêu mốc {ms}", 11, "text") for ms in _milestones(series)]
        + [("Đạt liên tục từ năm", 10, "text")],
        note="“Chưa nộp”: đơn vị không gửi báo cáo; “Số liệu lỗi”: số liệu bị loại khỏi tổng hợp; ô trống: "
             "đơn vị không phải báo cáo chỉ tiêu này hoặc năm đó chưa có số liệu.")
    order = {x.code: i for i, x in enumerate(series.units)}
    rows = sorted(((us, s) for s in series.indicators for us in s.units), key=lambda r: order[r[0].unit])
    for us, s in rows:
        u.add([us.unit, names[us.unit], s.code, s.label] + [_unit_cell(p) for p in us.points]
              + [us.change.points if us.change else None]
              + [str(us.first_met[ms]) if us.first_met.get(ms) else "" for ms in _milestones(series)]
              + [str(us.met_since) if us.met_since else ""])
    u.filter()

    a = _Table(wb.add_worksheet("Đạt tất cả chỉ tiêu"), fm, f"ĐƠN VỊ ĐẠT TẤT CẢ CÁC CHỈ TIÊU ({period})", [
        ("Năm", 7, "text"), ("Mã đơn vị", 10, "text"), ("Đơn vị", 28, "text"), ("Cấp", 12, "text"),
        ("Đạt tất cả", 9, "text"), ("Số chỉ tiêu đạt", 9, "int"), ("Số chỉ tiêu chưa đạt", 9, "int"),
        ("Chưa có số liệu", 9, "int"), ("Tổng số điểm phần trăm còn thiếu", 12, "dec"),
        ("Chỉ tiêu chưa đạt", 60, "text")],
        note="So với giá trị chỉ tiêu của mốc kế hoạch đang áp dụng trong năm; đơn vị xếp từ xa chỉ tiêu nhất.")
    labels = {s.code: s.label for s in series.indicators}
    for year, standings in sorted(series.standings.items()):
        for st in standings:
            info = series.unit(st.unit)
            a.add([str(year), st.unit, info.name, "Xã, thị trấn" if info.commune else "Cấp huyện",
                   "Có" if st.all_met else "Không", len(st.met), len(st.not_met), len(st.no_data), st.shortfall,
                   "; ".join(labels[c] for c in st.not_met)])
    a.filter()

    c = _Table(wb.add_worksheet("Nộp báo cáo"), fm, f"TÌNH HÌNH NỘP BÁO CÁO THEO NĂM ({period})", [
        ("Năm", 7, "text"), ("Nguồn số liệu", 26, "text"), ("Hạn nộp", 11, "text"), ("Phải báo cáo", 9, "int"),
        ("Đã nộp", 8, "int"), ("Chưa nộp", 8, "int"), ("Đúng hạn", 8, "int"), ("Nộp muộn", 8, "int"),
        ("Không rõ ngày báo cáo", 10, "int"), ("Có lỗi", 7, "int"), ("Tỷ lệ đã nộp", 9, "pct"),
        ("Tỷ lệ đúng hạn", 9, "pct"), ("Đơn vị chưa nộp", 36, "text"), ("Đơn vị nộp muộn (số ngày)", 48, "text")])
    for f in series.years_facts:
        d = _dt.date.fromisoformat(f.deadline)
        c.add([str(f.year), _source_text(f.source), f"{d.day:02d}/{d.month:02d}/{d.year}", f.expected, f.received,
               len(f.missing), len(f.on_time), len(f.late), len(f.timeliness_unknown), len(f.with_errors),
               f.received / f.expected if f.expected else None,
               len(f.on_time) / f.received if f.received else None,
               "; ".join(names.get(x, x) for x in f.missing),
               "; ".join(f"{names.get(x, x)} ({days})" for x, days in f.late.items())])
    c.filter()

    p = _Table(wb.add_worksheet("Tiến độ theo đơn vị"), fm, f"SỐ NGÀY NỘP MUỘN THEO ĐƠN VỊ ({period})",
               [("Mã đơn vị", 10, "text"), ("Đơn vị", 30, "text")] + [(str(y), 9, "int") for y in years]
               + [("Số năm nộp muộn", 9, "int"), ("Số năm chưa nộp", 9, "int")],
               note="0: đúng hạn; số dương: số ngày nộp muộn; ô trống: năm đó đơn vị không phải báo cáo hoặc "
                    "chưa có số liệu.")
    for info in series.units:
        row: list[Any] = [info.code, info.name]
        late = missing = 0
        for f in series.years_facts:
            if info.code in f.missing and f.received:
                row.append("Chưa nộp")
                missing += 1
            elif info.code in f.late:
                row.append(f.late[info.code])
                late += 1
            elif info.code in f.on_time:
                row.append(0)
            else:
                row.append(None)
        p.add(row + [late, missing])
    p.filter()

    k = _Table(wb.add_worksheet("Kinh phí"), fm, f"KINH PHÍ THỰC HIỆN THEO NĂM, GIAI ĐOẠN {period} (đồng)",
               [("Năm", 8, "text")] + [(label.split(" (")[0], 20, "int") for _c, label in FUNDING_SOURCES]
               + [("Tổng cộng", 20, "int")])
    for f in series.years_facts:
        k.add([str(f.year)] + [f.funding.get(code) if f.received else None for code, _l in FUNDING_SOURCES]
              + [f.funding_total if f.received else None])
    k.add(["Cộng"] + [series.funding_total(code) for code, _l in FUNDING_SOURCES] + [series.funding_total()],
          bold=True)

    wb.set_properties({"title": f"Tổng hợp kết quả xây dựng xã hội học tập giai đoạn {period}",
                       "created": _dt.datetime.combine(issued, _dt.time(8, 0))})


def _milestones(series: PeriodSeries) -> list[int]:
    return sorted({ms for s in series.indicators for ms in s.first_met})


def _source_text(source) -> str:
    if source.kind == FROM_ARCHIVE:
        return f"Bản lưu {source.version}" + (" (đã niêm phong)" if source.sealed else "")
    if source.kind == FROM_SUBMISSIONS:
        return "Báo cáo của các đơn vị"
    return "Chưa có số liệu"


def write_period_workbook(series: PeriodSeries, out: Path, issued: _dt.date, author: str = "") -> Path:
    """Write the period summary workbook to ``out`` with stable bytes."""
    import xlsxwriter

    out = Path(out)
    wb = xlsxwriter.Workbook(str(out), {"strings_to_formulas": False, "strings_to_urls": False, "in_memory": True})
    build_period_workbook(wb, series, issued)
    if author:
        wb.set_properties({"title": f"Tổng hợp kết quả xây dựng xã hội học tập giai đoạn {_period(series)}",
                           "author": author, "company": author,
                           "created": _dt.datetime.combine(issued, _dt.time(8, 0))})
    wb.close()
    normalise_zip(out, _dt.datetime.combine(issued, _dt.time(8, 0)))
    return out


__all__ = ["add_trend_sheet", "build_period_workbook", "write_period_workbook", "period_filename", "TREND_SHEET"]
