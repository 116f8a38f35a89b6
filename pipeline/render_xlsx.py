"""Render the summary workbook (XLSX) from the result model.

Sheets: district indicators against targets, the unit x indicator matrix, the detailed values with
their provenance, the completeness table, the validation problems, and funding. Every sheet is
ready to print (A4 landscape, fitted to the page width, header rows repeated and frozen).
Text from submissions is always written as text, so it can never become a formula.
"""

from __future__ import annotations

import datetime as _dt
from pathlib import Path
from typing import Any

from .aggregate import ReportModel
from .layout import FUNDING_SOURCES
from .plan import STATUS
from .store import normalise_zip
from .wording import target_text

FONT = "Times New Roman"


class _Sheet:
    """A small writer over an openpyxl sheet: title, header row, data rows, print setup."""

    def __init__(self, wb, title: str, heading: str, columns: list[tuple[str, float, str | None]]):
        from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

        self.ws = wb.create_sheet(title)
        self.columns = columns
        thin = Side(style="thin", color="808080")
        self.border = Border(left=thin, right=thin, top=thin, bottom=thin)
        self.font = Font(name=FONT, size=11)
        self.bold = Font(name=FONT, size=11, bold=True)
        self.wrap = Alignment(wrap_text=True, vertical="top")
        ws = self.ws
        ws["A1"] = heading
        ws["A1"].font = Font(name=FONT, size=14, bold=True)
        self.header_row = 3
        for i, (name, width, _fmt) in enumerate(columns, start=1):
            c = ws.cell(row=self.header_row, column=i, value=name)
            c.font = self.bold
            c.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
            c.fill = PatternFill("solid", fgColor="D9E1F2")
            c.border = self.border
            ws.column_dimensions[c.column_letter].width = width
        self.row = self.header_row + 1
        ws.freeze_panes = ws.cell(row=self.header_row + 1, column=1)
        ws.print_title_rows = f"{self.header_row}:{self.header_row}"
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.print_options.horizontalCentered = True

    def add(self, values: list[Any], bold: bool = False) -> None:
        for i, (value, (_n, _w, fmt)) in enumerate(zip(values, self.columns), start=1):
            c = self.ws.cell(row=self.row, column=i)
            c.value = value
            if isinstance(value, str):
                c.data_type = "s"  # text stays text: "=1+1" typed by a unit is not a formula here
            if fmt and isinstance(value, (int, float)):
                c.number_format = fmt
            c.font = self.bold if bold else self.font
            c.alignment = self.wrap
            c.border = self.border
        self.row += 1

    def finish(self) -> None:
        last = self.ws.cell(row=max(self.row - 1, self.header_row), column=len(self.columns))
        self.ws.auto_filter.ref = f"A{self.header_row}:{last.coordinate}"


PCT = "0.0%"
INT = "#,##0"
PTS = "+0.0;-0.0;0.0"


def _frac(rate: float | None) -> float | None:
    return None if rate is None else rate / 100.0


def build_workbook(model: ReportModel, issued: _dt.date):
    """Return the openpyxl Workbook of the summary."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    cat = model.catalog
    year = model.year

    s = _Sheet(wb, "Chỉ tiêu toàn huyện", f"KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU XÂY DỰNG XÃ HỘI HỌC TẬP NĂM {year}", [
        ("STT", 5, None), ("Mã chỉ tiêu", 16, None), ("Nhóm", 6, None), ("Chỉ tiêu", 48, None),
        ("Chỉ tiêu kế hoạch", 14, None), ("Tử số", 11, INT), ("Mẫu số", 11, INT), ("Tỷ lệ", 9, PCT),
        ("Đánh giá", 12, None), ("Chênh lệch so với chỉ tiêu (điểm %)", 13, PTS), (f"Năm {year - 1}", 9, PCT),
        ("Thay đổi (điểm %)", 10, PTS), ("Đơn vị được tính", 9, INT), ("Đơn vị có lỗi", 8, INT),
        ("Đơn vị chưa báo cáo", 9, INT)])
    for i, r in enumerate(model.indicators, start=1):
        s.add([i, r.indicator.code, r.indicator.group, r.indicator.name, target_text(r.target), r.numerator,
               r.denominator, _frac(r.rate), r.status_label, r.margin, _frac(r.previous_rate), r.change,
               len(r.reporting), len(r.excluded), len(r.not_reported)])
    s.finish()

    results = model.indicators
    m = _Sheet(wb, "Theo đơn vị", f"TỶ LỆ THỰC HIỆN CÁC CHỈ TIÊU THEO ĐƠN VỊ NĂM {year}",
               [("STT", 5, None), ("Mã đơn vị", 10, None), ("Đơn vị", 28, None)]
               + [(r.indicator.label, 11, PCT) for r in results])
    received = {u.unit for u in model.validation.received}
    for i, unit in enumerate(model.expected, start=1):
        row: list[Any] = [i, unit.code, unit.name]
        for r in results:
            ur = next((x for x in r.units if x.unit.code == unit.code), None)
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
    m.add(["", "", "Toàn huyện"] + [_frac(r.rate) for r in results], bold=True)
    m.finish()

    d = _Sheet(wb, "Số liệu chi tiết", f"SỐ LIỆU CÁC ĐƠN VỊ BÁO CÁO NĂM {year} (kèm nguồn: tệp, ô)", [
        ("Mã đơn vị", 10, None), ("Đơn vị", 26, None), ("Mã chỉ tiêu", 18, None), ("Tử số", 10, INT),
        ("Mẫu số", 10, INT), ("Tỷ lệ", 9, PCT), ("Đánh giá", 10, None), ("Được tính", 9, None),
        ("Lỗi", 22, None), ("Tệp", 40, None), ("Ô", 12, None)])
    for r in results:
        for ur in r.units:
            if not ur.reported:
                continue
            o = model.validation.observations.get((ur.unit.code, r.indicator.code))
            d.add([ur.unit.code, ur.unit.name, r.indicator.code, ur.numerator, ur.denominator, _frac(ur.rate),
                   ur.status_value or "", "Có" if ur.counts else "Không", ", ".join(ur.problems),
                   o.file if o else "", ", ".join(o.cells.values()) if o else ""])
    d.finish()

    c = _Sheet(wb, "Tiến độ nộp", f"TÌNH HÌNH NỘP BÁO CÁO NĂM {year} (hạn nộp "
               f"{cat.office.deadline(year).strftime('%d/%m/%Y')})", [
                   ("STT", 5, None), ("Mã đơn vị", 10, None), ("Đơn vị", 30, None), ("Tình trạng", 16, None),
                   ("Tệp được dùng", 44, None), ("Ngày báo cáo", 12, "DD/MM/YYYY"), ("Trễ hạn (ngày)", 9, INT),
                   ("Số lỗi", 7, INT), ("Số cảnh báo", 9, INT), ("Bản đã được thay thế", 40, None)])
    for i, u in enumerate(model.validation.completeness, start=1):
        c.add([i, u.unit, u.name, u.state_label, u.file, u.report_date, u.late_days, u.errors, u.warnings,
               "; ".join(u.superseded)])
    rejected = [sub for sub in model.submissions if sub.state == "rejected"]
    for sub in rejected:
        c.add(["", sub.unit, "", "Tệp không dùng được", sub.file, sub.report_date, None, None, None, ""])
    c.finish()

    p = _Sheet(wb, "Lỗi kiểm tra", f"CÁC VẤN ĐỀ PHÁT HIỆN KHI KIỂM TRA BÁO CÁO NĂM {year}", [
        ("STT", 5, None), ("Mức độ", 10, None), ("Mã lỗi", 22, None), ("Mã đơn vị", 10, None),
        ("Tệp", 40, None), ("Trang", 12, None), ("Ô", 10, None), ("Chỉ tiêu", 18, None), ("Nội dung", 70, None)])
    order = {"error": 0, "warning": 1, "info": 2}
    for i, issue in enumerate(sorted(model.validation.issues, key=lambda x: (order[x.severity.value], x.unit, x.file)),
                              start=1):
        p.add([i, issue.severity.label, issue.code, issue.unit, issue.file, issue.sheet, issue.cell,
               issue.indicator, issue.message])
    p.finish()

    f = _Sheet(wb, "Kinh phí", f"KINH PHÍ THỰC HIỆN NĂM {year} (đồng)",
               [("STT", 5, None), ("Mã đơn vị", 10, None), ("Đơn vị", 30, None)]
               + [(label.split(" (")[0], 18, INT) for _code, label in FUNDING_SOURCES] + [("Tổng cộng", 18, INT)])
    for i, row in enumerate(model.funding, start=1):
        f.add([i, row.unit.code, row.unit.name] + [row.amounts.get(code, 0) for code, _ in FUNDING_SOURCES]
              + [row.total])
    f.add(["", "", "Tổng cộng"] + [model.funding_total(code) for code, _ in FUNDING_SOURCES]
          + [model.funding_total()], bold=True)
    f.finish()

    stamp = _dt.datetime.combine(issued, _dt.time(8, 0))
    wb.properties.creator = cat.office.full_name
    wb.properties.lastModifiedBy = cat.office.full_name
    wb.properties.title = f"Tổng hợp kết quả xây dựng xã hội học tập năm {year}"
    wb.properties.created = stamp
    wb.properties.modified = stamp
    return wb


def render_workbook(model: ReportModel, out: Path, issued: _dt.date) -> Path:
    """Write the summary workbook to ``out`` with stable bytes."""
    wb = build_workbook(model, issued)
    wb.save(out)
    normalise_zip(out, _dt.datetime.combine(issued, _dt.time(8, 0)))
    return out
