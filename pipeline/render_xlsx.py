"""Render the summary workbook (XLSX) from the result model.

Written with XlsxWriter (fast to import and write; openpyxl stays for the forms, which need
sheet protection round-trips). Sheets: district indicators against targets, the unit x indicator matrix (one sheet per target
group, so that a printed page stays readable), the detailed values with their provenance, the
completeness table, the validation problems, and funding. Every sheet is ready to print: A4, fitted
to the page width, landscape or portrait by its width, header rows repeated and frozen, the report's
title and year in the page header and "Trang X/Y" in the footer; indicators are shown by name.
Text from submissions is always written as text, so it can never become a formula.
"""

from __future__ import annotations

import datetime as _dt
import math
import re
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.xmlwriter import XMLwriter

from .aggregate import ReportModel
from .form_layout import FUNDING_SOURCES
from .catalog import STATUS
from .status import summary_sheet
from .atomic_files import normalise_zip
from .wording import held_before, target_text

FONT = "Times New Roman"
ACTIVITY_SHEET = "Nhiệm vụ theo đơn vị"
FUNDING_SHEET = "Kinh phí"


def workbook_name(year: int) -> str:
    """The summary workbook's file name."""
    return f"TongHop_XHHT_{year}.xlsx"


def _matrix_sheet(group_code: str) -> str:
    return f"Theo đơn vị ({group_code})"


def unit_matrix_sheets(model: ReportModel) -> list[str]:
    """The sheets of the unit x indicator table (one per target group with indicators), in order."""
    groups = {r.indicator.group for r in model.indicators}
    return [_matrix_sheet(g.code) for g in model.catalog.plan.goal_groups if g.code in groups]


class _Sheet:
    """A small writer over an XlsxWriter sheet: title, header row, data rows, print setup."""

    def __init__(self, wb, formats: dict, title: str, heading: str, columns: list[tuple[str, float, str | None]],
                 year: int = 0, landscape: bool = True, header_height: float = 33):
        self.ws = ws = wb.add_worksheet(title)
        self.formats = formats
        self.columns = columns
        self.keys = [_FORMAT_KEYS.get(fmt, "text") for _n, _w, fmt in columns]
        self.per_line = [max(1.0, (w - 1) * 1.15) for _n, w, _f in columns]  # characters a wrapped line holds
        # rows are written top to bottom, each row's height before its cells (the workbook streams its rows)
        ws.set_row(0, 21)
        ws.write_string(0, 0, heading, formats["title"])
        self.header_row = 2
        ws.set_row(self.header_row, header_height)
        for i, (name, width, _fmt) in enumerate(columns):
            ws.write_string(self.header_row, i, name, formats["head"])
            ws.set_column(i, i, width)
        self.row = self.header_row + 1
        ws.freeze_panes(self.row, 0)
        ws.repeat_rows(self.header_row)
        if landscape:
            ws.set_landscape()
        else:
            ws.set_portrait()
        ws.set_paper(9)  # A4
        ws.fit_to_pages(1, 0)
        ws.center_horizontally()
        ws.set_margins(left=0.4, right=0.4, top=0.75, bottom=0.6)
        # the header names the report and the year; the footer numbers the pages: "Trang 2/5"
        head = heading.replace("&", "&&")
        ws.set_header(f'&L&"{FONT},Regular"&9{head}&R&"{FONT},Regular"&9Năm {year}', {"margin": 0.3})
        ws.set_footer(f'&C&"{FONT},Regular"&9Trang &P/&N', {"margin": 0.3})
        self.fast = _FastRows(ws, formats, self.keys) if FAST_ROWS and _FastRows.usable(ws) else None

    def add(self, values: list[Any], bold: bool = False) -> None:
        # rows of generated files do not grow by themselves: set the height a wrapped text needs
        lines = max([1] + [math.ceil(len(v) / per_line) for v, per_line in zip(values, self.per_line)
                           if isinstance(v, str) and len(v) > per_line])
        height = 15 * lines + 2 if lines > 1 else None
        if self.fast is not None and self.fast.write(self.row, values, bold, height):
            self.row += 1
            return
        if height is not None:
            self.ws.set_row(self.row, height)
        for col, (value, key) in enumerate(zip(values, self.keys)):
            weight = "b" if bold else "n"
            if value is None or value == "":
                self.ws.write_blank(self.row, col, None, self.formats[(weight, "text")])
            elif isinstance(value, str):
                # write_string: text from submissions stays text, "=1+1" never becomes a formula
                self.ws.write_string(self.row, col, value, self.formats[(weight, "text")])
            elif isinstance(value, _dt.date):
                self.ws.write_datetime(self.row, col, _dt.datetime.combine(value, _dt.time()),
                                       self.formats[(weight, "date")])
            else:
                self.ws.write_number(self.row, col, value, self.formats[(weight, key)])
        self.row += 1

    def finish(self) -> None:
        self.ws.autofilter(self.header_row, 0, max(self.row - 1, self.header_row), len(self.columns) - 1)


FAST_ROWS = True  # (tests switch it off to compare the bytes with XlsxWriter's own writing)
_NEEDS_ESCAPE = re.compile(r"[&<>\x00-\x08\x0b-\x1f\ufffe\uffff]|_x[0-9a-fA-F]{4}_")


class _FastRows:
    """Data rows written as XML straight into a streamed (``constant_memory``) XlsxWriter sheet.

    The same XML XlsxWriter writes for these cells (inline strings, numbers, dates, blanks, each with its
    format; the row height when set), at a fraction of the cost of its per-cell calls: the summary
    workbook of 10.600 units has about two million cells. A row with anything else (a text longer than
    half of Excel's limit) returns False and goes through XlsxWriter.
    """

    def __init__(self, ws, formats: dict, keys: list[str]):
        self.ws = ws
        self.formats, self.keys = formats, keys
        self.columns: dict[str, list[tuple[str, int, int, int]]] = {}

    def _columns(self, weight: str) -> list[tuple[str, int, int, int]]:
        """Per column: the start of its cell tag, and the style of a text, of a number, of a date in it."""
        found = self.columns.get(weight)
        if found is None:
            index = {}

            def style(key: str) -> int:
                if key not in index:
                    index[key] = self.formats[(weight, key)]._get_xf_index()
                return index[key]

            found = self.columns[weight] = [(f'<c r="{xl_col_to_name(i)}', style("text"), style(key), style("date"))
                                            for i, key in enumerate(self.keys)]
        return found

    @staticmethod
    def usable(ws) -> bool:
        return bool(getattr(ws, "constant_memory", False)) and all(
            hasattr(ws, name) for name in ("_write_single_row", "fh", "previous_row", "table", "_convert_date_time"))

    def write(self, row: int, values: list[Any], bold: bool, height: float | None) -> bool:
        ws, weight, n = self.ws, "b" if bold else "n", row + 1
        if row > ws.previous_row or ws.table:
            ws._write_single_row(row)  # what XlsxWriter still holds (the header) goes out first
        cells = []
        # one search over the row's texts ("\n" needs no escape and ends a "_x..._" run): most rows have nothing to escape
        texts = "\n".join([v for v in values if type(v) is str])
        escapes = bool(texts) and _NEEDS_ESCAPE.search(texts) is not None
        for value, (tag, text, number, date) in zip(values, self._columns(weight)):
            kind = type(value)
            if kind is str and value and not escapes and len(value) <= 16000:  # the common cells first, by type
                space = ' xml:space="preserve"' if value[0].isspace() or value[-1].isspace() else ""
                cells.append(f'{tag}{n}" s="{text}" t="inlineStr"><is><t{space}>{value}</t></is></c>')
            elif (kind is int or kind is float) and math.isfinite(value):
                cells.append(f'{tag}{n}" s="{number}"><v>{value:.16G}</v></c>')
            elif value is None or value == "":
                cells.append(f'{tag}{n}" s="{text}"/>')
            elif isinstance(value, str):
                if len(value) > 16000:
                    return False
                if _NEEDS_ESCAPE.search(value):
                    value = XMLwriter._escape_control_characters(
                        value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"))
                space = ' xml:space="preserve"' if value[:1].isspace() or value[-1:].isspace() else ""
                cells.append(f'{tag}{n}" s="{text}" t="inlineStr"><is><t{space}>{value}</t></is></c>')
            elif isinstance(value, _dt.date):  # (a date and time is shown as its day, as in add())
                serial = ws._convert_date_time(_dt.datetime.combine(value, _dt.time()))
                cells.append(f'{tag}{n}" s="{date}"><v>{serial:.16G}</v></c>')
            elif isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
                cells.append(f'{tag}{n}" s="{number}"><v>{value:.16G}</v></c>')
            else:
                return False
        ht = "" if height is None else f' ht="{int(height * 4.0 / 3.0 + 0.5) * 0.75:.16g}" customHeight="1"'
        ws.fh.write(f'<row r="{n}"{ht}>{"".join(cells)}</row>')
        ws.dim_rowmin = row if ws.dim_rowmin is None else min(ws.dim_rowmin, row)
        ws.dim_rowmax = row if ws.dim_rowmax is None else max(ws.dim_rowmax, row)
        last = len(cells) - 1
        ws.dim_colmin = 0 if ws.dim_colmin is None else min(ws.dim_colmin, 0)
        ws.dim_colmax = last if ws.dim_colmax is None else max(ws.dim_colmax, last)
        return True


def _formats(wb) -> dict:
    base = {"font_name": FONT, "font_size": 11, "border": 1, "border_color": "#808080", "text_wrap": True,
            "valign": "top"}
    out = {"title": wb.add_format({"font_name": FONT, "font_size": 14, "bold": True}),
           "head": wb.add_format(dict(base, bold=True, align="center", valign="vcenter", bg_color="#D9E1F2"))}
    for weight in ("n", "b"):
        for key, fmt in _FORMATS.items():
            out[(weight, key)] = wb.add_format(dict(base, bold=weight == "b", num_format=fmt))
    return out


PCT = "0.0%"
INT = "#,##0"
PTS = "+0.0;-0.0;0.0"
DATE = "DD/MM/YYYY"
_FORMATS = {"text": "General", "pct": PCT, "int": INT, "pts": PTS, "date": DATE}
_FORMAT_KEYS = {PCT: "pct", INT: "int", PTS: "pts", DATE: "date"}


def _frac(rate: float | None) -> float | None:
    return None if rate is None else rate / 100.0


def build_workbook(wb, model: ReportModel, issued: _dt.date) -> None:
    """Write the summary sheets into the XlsxWriter workbook ``wb``."""
    fm = _formats(wb)
    cat = model.catalog
    year = model.year

    s = _Sheet(wb, fm, "Chỉ tiêu toàn huyện", f"KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU XÂY DỰNG XÃ HỘI HỌC TẬP NĂM {year}", [
        ("STT", 5, None), ("Nhóm", 6, None), ("Chỉ tiêu", 52, None),
        ("Chỉ tiêu kế hoạch", 14, None), ("Tử số", 11, INT), ("Mẫu số", 11, INT), ("Tỷ lệ", 9, PCT),
        ("Đánh giá", 12, None), ("Chênh lệch so với chỉ tiêu (điểm %)", 13, PTS), (f"Năm {year - 1}", 9, PCT),
        ("Thay đổi (điểm %)", 10, PTS), ("Đơn vị được tính", 9, INT), ("Đơn vị có lỗi", 8, INT),
        ("Đơn vị chưa báo cáo", 9, INT)], year)
    for i, r in enumerate(model.indicators, start=1):
        s.add([i, r.indicator.group, r.indicator.name, target_text(r.target, held=held_before(r)), r.numerator,
               r.denominator, _frac(r.rate), r.status_label, r.margin, _frac(r.previous_rate), r.change,
               len(r.reporting), len(r.excluded), len(r.not_reported)])
    s.finish()

    results = model.indicators
    received = {u.unit for u in model.validation.received}
    # the unit x indicator table, one sheet per target group so that each printed page is readable
    for group in cat.plan.goal_groups:
        in_group = [r for r in results if r.indicator.group == group.code]
        if in_group:
            _unit_matrix(wb, fm, model, group, in_group, received)

    _activity_matrix(wb, fm, model)

    d = _Sheet(wb, fm, "Số liệu chi tiết", f"SỐ LIỆU CÁC ĐƠN VỊ BÁO CÁO NĂM {year} (kèm nguồn: tệp, ô)", [
        ("Mã đơn vị", 10, None), ("Đơn vị", 26, None), ("Chỉ tiêu", 30, None), ("Tử số", 10, INT),
        ("Mẫu số", 10, INT), ("Tỷ lệ", 9, PCT), ("Đánh giá", 10, None), ("Được tính", 9, None),
        ("Lỗi", 22, None), ("Tệp", 40, None), ("Ô", 12, None)], year)
    for r in results:
        for ur in r.units:
            if not ur.reported:
                continue
            o = model.validation.observations.get((ur.unit.code, r.indicator.code))
            d.add([ur.unit.code, ur.unit.name, r.indicator.label, ur.numerator, ur.denominator, _frac(ur.rate),
                   ur.status_value or "", "Có" if ur.counts else "Không", ", ".join(ur.problems),
                   o.file if o else "", ", ".join(o.cells.values()) if o else ""])
    d.finish()

    summary_sheet(wb, fm, model, issued)  # the progress board (pipeline/status.py)

    p = _Sheet(wb, fm, "Lỗi kiểm tra", f"CÁC VẤN ĐỀ PHÁT HIỆN KHI KIỂM TRA BÁO CÁO NĂM {year}", [
        ("STT", 5, None), ("Mức độ", 10, None), ("Mã lỗi", 22, None), ("Mã đơn vị", 10, None),
        ("Tệp", 36, None), ("Trang", 10, None), ("Ô", 10, None), ("Chỉ tiêu", 24, None), ("Nội dung", 70, None)],
        year)
    names = {i.code: i.label for i in cat.plan.indicators}
    order = {"error": 0, "warning": 1, "info": 2}
    for i, issue in enumerate(sorted(model.validation.issues, key=lambda x: (order[x.severity.value], x.unit, x.file)),
                              start=1):
        p.add([i, issue.severity.label, issue.code, issue.unit, issue.file, issue.sheet, issue.cell,
               names.get(issue.indicator, issue.indicator), issue.message])
    p.finish()

    f = _Sheet(wb, fm, FUNDING_SHEET, f"KINH PHÍ THỰC HIỆN NĂM {year} (đồng)",
               [("STT", 5, None), ("Mã đơn vị", 10, None), ("Đơn vị", 30, None)]
               + [(label.split(" (")[0], 18, INT) for _code, label in FUNDING_SOURCES] + [("Tổng cộng", 18, INT)],
               year, landscape=False)
    for i, row in enumerate(model.funding, start=1):
        f.add([i, row.unit.code, row.unit.name] + [row.amounts.get(code, 0) for code, _ in FUNDING_SOURCES]
              + [row.total])
    f.add(["", "", "Tổng cộng"] + [model.funding_total(code) for code, _ in FUNDING_SOURCES]
          + [model.funding_total()], bold=True)
    f.finish()

    wb.set_properties({"title": f"Tổng hợp kết quả xây dựng xã hội học tập năm {year}",
                       "author": cat.office.full_name, "company": cat.office.full_name,
                       "created": _dt.datetime.combine(issued, _dt.time(8, 0))})


def _unit_matrix(wb, fm, model: ReportModel, group, results, received: set[str]) -> None:
    """One sheet of the unit x indicator table: the indicators of one target group, every unit reporting them."""
    year = model.year
    m = _Sheet(wb, fm, _matrix_sheet(group.code),
               f"TỶ LỆ THỰC HIỆN CÁC CHỈ TIÊU THEO ĐƠN VỊ NĂM {year}: {group.code}) {group.title}",
               [("STT", 5, None), ("Đơn vị", 30, None)] + [(r.indicator.label, 14, PCT) for r in results],
               year, landscape=len(results) > 4, header_height=80)
    by_code = [{x.unit.code: x for x in r.units} for r in results]  # one dict per indicator, built once
    units = [u for u in model.expected if any(u.code in of_unit for of_unit in by_code)]
    for i, unit in enumerate(units, start=1):
        row: list[Any] = [i, unit.name]
        for r, of_unit in zip(results, by_code):
            ur = of_unit.get(unit.code)
            if ur is None:
                row.append(None)
            elif unit.code not in received:
                row.append("Chưa nộp")
            elif not ur.valid:
                row.append("Lỗi")
            elif r.indicator.kind == STATUS:
                row.append(ur.status_value)
            else:
                row.append(_frac(ur.rate))
        m.add(row)
    m.add(["", "Toàn huyện"] + [_frac(r.rate) for r in results], bold=True)
    m.finish()


def _activity_matrix(wb, fm, model: ReportModel) -> None:
    """The unit x activity table (the BC's Biểu 02, every unit): the counts each unit reported, task by task."""
    acts = [a for t in model.catalog.plan.tasks for a in model.activities_of(t.code) if a.reporters]
    if not acts:
        return
    tasks = {t.code: t.number for t in model.catalog.plan.tasks}
    m = _Sheet(wb, fm, ACTIVITY_SHEET, f"KẾT QUẢ THỰC HIỆN CÁC NHIỆM VỤ THEO ĐƠN VỊ NĂM {model.year}",
               [("STT", 5, None), ("Đơn vị", 30, None)]
               + [(f"{tasks.get(a.task, a.task)}. {a.label} ({a.measure})", 12, INT) for a in acts],
               model.year, header_height=110)
    counts = [{u.code: v for u, v in a.values} for a in acts]  # per activity, by unit code, built once
    units = [u for u in model.expected if any(u.code in of_unit for of_unit in counts)]
    for i, unit in enumerate(units, start=1):
        m.add([i, unit.name] + [of_unit.get(unit.code) for of_unit in counts])
    m.add(["", "Toàn huyện"] + [a.total for a in acts], bold=True)
    m.finish()


def render_workbook(model: ReportModel, out: Path, issued: _dt.date, trend=None) -> Path:
    """Write the summary workbook to ``out`` with stable bytes; with ``trend`` (the series so far) a last sheet
    "Xu hướng"."""
    return finish_workbook(start_workbook(model, out, issued), trend)


@dataclass
class OpenWorkbook:
    """A summary workbook with every sheet but the trend's written (see :func:`start_workbook`)."""

    wb: Any
    out: Path
    issued: _dt.date


def start_workbook(model: ReportModel, out: Path, issued: _dt.date) -> OpenWorkbook:
    """Write every sheet of the summary workbook but the last ("Xu hướng", the series so far): the run writes them
    while the trend job draws the series, then :func:`finish_workbook`."""
    import xlsxwriter

    # constant_memory: each row goes to a temporary file once written (a district of 10.600 units has
    # millions of cells); strings are then written in the cells rather than in a shared table
    wb = xlsxwriter.Workbook(str(out), {"strings_to_formulas": False, "strings_to_urls": False,
                                        "constant_memory": True})
    build_workbook(wb, model, issued)
    return OpenWorkbook(wb, out, issued)


def finish_workbook(book: OpenWorkbook, trend=None) -> Path:
    """Add the sheet "Xu hướng" when there is a ``trend`` (the series so far), close the workbook, stamp its members."""
    if trend is not None:
        from .render_trend_xlsx import add_trend_sheet

        add_trend_sheet(book.wb, trend)
    book.wb.close()
    stamp_zip(book.out, _dt.datetime.combine(book.issued, _dt.time(8, 0)))
    return book.out


def stamp_zip(path: Path, when: _dt.datetime) -> None:
    """Give every member of the zip at ``path`` the time ``when`` (and owner-only permissions), as
    :func:`pipeline.atomic_files.normalise_zip` does, by rewriting the times in its headers in place.

    XlsxWriter's package is already stable (fixed member times, "modified" equal to "created"): only
    the stamp differs, so nothing is decompressed and compressed again. A package laid out otherwise
    goes through ``normalise_zip``.
    """
    data = bytearray(path.read_bytes())
    dos = ((when.hour << 11) | (when.minute << 5) | (when.second // 2),
           ((when.year - 1980) << 9) | (when.month << 5) | when.day)
    end = data.rfind(b"PK\x05\x06")
    try:
        count, pos = struct.unpack_from("<H", data, end + 10)[0], struct.unpack_from("<I", data, end + 16)[0]
        for _ in range(count):
            local = struct.unpack_from("<I", data, pos + 42)[0]
            if data[pos:pos + 4] != b"PK\x01\x02" or data[local:local + 4] != b"PK\x03\x04":
                raise ValueError("not a plain zip")
            struct.pack_into("<HH", data, pos + 12, *dos)
            struct.pack_into("<I", data, pos + 38, 0o600 << 16)
            struct.pack_into("<HH", data, local + 10, *dos)
            n, m, k = struct.unpack_from("<HHH", data, pos + 28)
            pos += 46 + n + m + k
    except (struct.error, ValueError):
        normalise_zip(path, when)
        return
    path.write_bytes(bytes(data))
