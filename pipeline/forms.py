"""Write the yearly submission form (XLSX) of every reporting unit.

A form holds four visible sheets a commune clerk can fill without help (instructions, figures,
task results, funding) and one hidden sheet with the unit code, year and form version. Labels are
locked; only input cells are open, with Excel data validation (whole numbers >= 0, dropdowns).
"""

from __future__ import annotations

import datetime as _dt
from pathlib import Path

from . import form_layout as L
from . import vnformat as vn
from .errors import OutputError
from .catalog import RATIO, STATUS, Catalog, Unit
from .atomic_files import safe_name, staged_dir, write_stable_zip

FONT = "Times New Roman"


def _wrapped_height(text: str, width_chars: float, line_pt: float = 15.75, font_scale: float = 1.1) -> float:
    """Row height (points) for ``text`` wrapped in a column ``width_chars`` wide at 12 pt.

    Excel and LibreOffice do not grow row heights of a generated file by themselves, so a wrapped
    label would overlap the next row; the height is set from a conservative estimate of the lines.
    """
    import math

    per_line = max(1.0, width_chars / font_scale)
    lines = sum(max(1, math.ceil(len(part) / per_line)) for part in str(text).split("\n"))
    return round(lines * line_pt + 3, 2)


def report_window(catalog: Catalog, year: int) -> tuple[_dt.date, _dt.date]:
    """The dates a report of ``year`` may carry: the form and :mod:`pipeline.validate` use the same window."""
    start = _dt.date(year, *L.REPORT_WINDOW_START)
    return start, catalog.office.deadline(year) + _dt.timedelta(days=L.REPORT_WINDOW_DAYS_AFTER_DEADLINE)


def _excel_date(day: _dt.date) -> str:
    return f"DATE({day.year},{day.month},{day.day})"


_EXCEL_OPS = {"<=": "<=", "<": "<", ">=": ">=", ">": ">", "==": "=", "!=": "<>"}


def row_checks(catalog: Catalog, placed: dict[str, int]) -> dict[int, list[tuple[str, str]]]:
    """The checks of the form's check column, per row: (Excel condition that is TRUE when wrong, message).

    Generated from the same sources as :mod:`pipeline.validate`: numerator <= denominator for every
    ratio indicator, and every rule of ``rules.yaml`` whose indicators are all on the form (shown on
    the row of the rule's first indicator).
    """
    c = L.DATA_COLS
    out: dict[int, list[tuple[str, str]]] = {}
    for code, row in placed.items():
        if catalog.plan.indicator(code).kind == RATIO:
            num, den = f"{c['num']}{row}", f"{c['den']}{row}"
            out.setdefault(row, []).append(
                (f"AND(ISNUMBER({num}),ISNUMBER({den}),{num}>{den})", "Tử số lớn hơn mẫu số"))
    for rule in catalog.rules:
        terms = [t for t in rule.left + rule.right if t.indicator]
        if not terms or any(t.indicator not in placed for t in terms):
            continue

        def cell(t):
            return f"{c['num'] if t.field == 'numerator' else c['den']}{placed[t.indicator]}"

        def side(ts):
            parts = [("-" if t.sign < 0 else "+") + (cell(t) if t.indicator else str(t.constant)) for t in ts]
            return "(" + "".join(parts).lstrip("+") + ")"

        have = ",".join(f"ISNUMBER({cell(t)})" for t in terms)
        cond = f"AND({have},NOT({side(rule.left)}{_EXCEL_OPS[rule.op]}{side(rule.right)}))"
        out.setdefault(placed[terms[0].indicator], []).append((cond, rule.message.rstrip(".")))
    return out


def _write_checks(ws, catalog: Catalog, placed: dict[str, int], put, font) -> None:
    """Fill the visible check column and make it turn red when a row is inconsistent."""
    from openpyxl.formatting.rule import FormulaRule
    from openpyxl.styles import Alignment, Font, PatternFill

    col = L.DATA_COLS["check"]
    checks = row_checks(catalog, placed)
    red, top = Font(name=FONT, size=10, bold=True, color="9C0006"), Alignment(wrap_text=True, vertical="top")
    for row in placed.values():
        parts = [f'IF({cond},"{msg.replace(chr(34), "")}. ","")' for cond, msg in checks.get(row, [])]
        formula = f"=TRIM({'&'.join(parts)})" if parts else None
        put(ws, f"{col}{row}", formula, red, top)
        if parts:  # room for the shortest message; a longer one is cut at the row's edge, never overlaps
            shortest = min(len(m) for _c, m in checks[row])
            ws.row_dimensions[row].height = max(ws.row_dimensions[row].height or 0,
                                                _wrapped_height("x" * shortest, 26, line_pt=13))
    if placed:
        rows = sorted(placed.values())
        ref = f"{col}{rows[0]}:{col}{rows[-1]}"
        ws.conditional_formatting.add(ref, FormulaRule(formula=[f"LEN({col}{rows[0]})>0"],
                                                       fill=PatternFill("solid", fgColor="FFC7CE", bgColor="FFC7CE"),
                                                       font=Font(color="9C0006", bold=True)))


def _signature(ws, catalog: Catalog, unit: Unit, year: int, row: int, put, f_bold, f_italic, f_normal, last: str) -> None:
    """The paper form's closing: place and date, "Người lập biểu" and "Thủ trưởng đơn vị (Ký tên, đóng dấu)"."""
    from openpyxl.styles import Alignment

    mid = Alignment(horizontal="center", vertical="center", wrap_text=True)
    place = unit.short_name if catalog.is_commune(unit) else catalog.office.place
    right = f"F{row}:{last}{row}"
    ws.merge_cells(right)
    put(ws, f"F{row}", f"{place}, ngày …… tháng …… năm {year}", f_italic, mid, box=False)
    row += 1
    ws.merge_cells(f"B{row}:D{row}")
    put(ws, f"B{row}", "NGƯỜI LẬP BIỂU", f_bold, mid, box=False)
    ws.merge_cells(f"F{row}:{last}{row}")
    put(ws, f"F{row}", "THỦ TRƯỞNG ĐƠN VỊ", f_bold, mid, box=False)
    row += 1
    ws.merge_cells(f"B{row}:D{row}")
    put(ws, f"B{row}", "(Ký, ghi rõ họ tên)", f_italic, mid, box=False)
    ws.merge_cells(f"F{row}:{last}{row}")
    put(ws, f"F{row}", "(Ký tên, đóng dấu)", f_italic, mid, box=False)
    for _ in range(4):
        row += 1
        ws.row_dimensions[row].height = 18
    row += 1
    ws.merge_cells(f"B{row}:D{row}")
    put(ws, f"B{row}", f'=IF({L.PREPARER_CELL}="","",{L.PREPARER_CELL})', f_bold, mid, box=False)


def _print_setup(ws, catalog: Catalog, unit: Unit, year: int, orientation: str, pages_tall: int) -> None:
    """A4, fit to the page width (and ``pages_tall`` pages), margins, header with unit and year, page numbers."""
    from openpyxl.worksheet.page import PageMargins

    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = orientation
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = pages_tall
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins = PageMargins(left=0.5, right=0.4, top=0.7, bottom=0.6, header=0.3, footer=0.3)
    for part, text in ((ws.oddHeader.left, unit.name), (ws.oddHeader.center, "&A"),
                       (ws.oddHeader.right, f"Báo cáo năm {year}"), (ws.oddFooter.center, "Trang &P/&N")):
        part.text = text
        part.font = f"{FONT},Regular"
        part.size = 9


def form_filename(unit: Unit, year: int) -> str:
    """Return the file name of a unit's form: ``BieuMau_2015_10504_An-Phu.xlsx``."""
    return f"BieuMau_{year}_{unit.code}_{safe_name(unit.short_name)}.xlsx"


def build_form(catalog: Catalog, unit: Unit, year: int):
    """Return an openpyxl Workbook: the form of ``unit`` for report ``year``."""
    from copy import copy

    from openpyxl import Workbook
    from openpyxl.cell.cell import MergedCell
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
    from openpyxl.worksheet.datavalidation import DataValidation
    from openpyxl.worksheet.merge import MergedCellRange

    plan = catalog.plan
    thin = Side(style="thin", color="808080")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    f_normal = Font(name=FONT, size=12)
    f_bold = Font(name=FONT, size=12, bold=True)
    f_title = Font(name=FONT, size=14, bold=True)
    f_italic = Font(name=FONT, size=11, italic=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    center = Alignment(horizontal="center", vertical="center", wrap_text=True)
    input_fill = PatternFill("solid", fgColor="FFF2CC")
    head_fill = PatternFill("solid", fgColor="D9E1F2")
    group_fill = PatternFill("solid", fgColor="EDEDED")
    grey_fill = PatternFill("solid", fgColor="BFBFBF")
    unlocked = Protection(locked=False)
    f_code = Font(name=FONT, size=9, color="595959")
    f_remark = Font(name=FONT, size=10, italic=True)
    right_top = Alignment(horizontal="right", vertical="top")
    # Setting a style object makes openpyxl hash it (about 0,1 ms a time, most of a form's cost); a
    # combination is set once and later cells take a copy of its style indices, as openpyxl's own
    # worksheet copy does. Keyed by identity: the cache keeps the objects, so an id is never reused.
    styles: dict[tuple, tuple] = {}

    def put(ws, ref, value, font=f_normal, align=wrap, fill=None, box=True, editable=False):
        c = ws[ref]
        c.value = value
        key = (id(font), id(align), id(fill), box, editable)
        known = styles.get(key)
        if known is not None and not c.has_style:
            c._style = copy(known[0])
            return c
        c.font = font
        c.alignment = align
        if fill is not None:
            c.fill = fill
        if box:
            c.border = border
        if editable:
            c.protection = unlocked
            c.fill = input_fill
        if known is None:
            styles[key] = (copy(c._style), (font, align, fill))
        return c

    # Merging makes openpyxl re-set borders and protection cell by cell (hashing them again); a range
    # of the same shape whose first cell has the same style comes out the same, so the styles the first
    # such merge gave its cells are copied to the next ones.
    merged: dict[tuple, list] = {}

    def merge(ws, ref: str) -> None:
        mcr = MergedCellRange(ws, ref)
        top, left = mcr.min_row, mcr.min_col
        first = ws.cell(top, left)._style                # None: a cell never styled
        key = (first and tuple(first), mcr.max_row - top, mcr.max_col - left)
        known = merged.get(key)
        if known is None:
            ws.merge_cells(ref)
            merged[key] = [((r - top, c - left), copy(ws._cells[r, c]._style)) for r, c in mcr.cells]
            return
        ws.merged_cells.add(mcr)
        for (dr, dc), style in known:
            cell = ws._cells[top, left] if dr == dc == 0 else MergedCell(ws, top + dr, left + dc)
            cell._style = copy(style)
            ws._cells[top + dr, left + dc] = cell

    def protect(ws):
        ws.protection.sheet = True
        ws.protection.formatCells = False
        ws.protection.formatColumns = False
        ws.protection.formatRows = False

    wb = Workbook()
    unit_line = f"Đơn vị: {unit.name} (mã {unit.code})"
    title_year = f"năm {year}"

    # --- Hướng dẫn ---------------------------------------------------------------------------
    g = wb.active
    g.title = L.GUIDE_SHEET
    g.column_dimensions["A"].width = 4
    g.column_dimensions["B"].width = 100
    lines = [
        (f"BIỂU MẪU BÁO CÁO KẾT QUẢ XÂY DỰNG XÃ HỘI HỌC TẬP {title_year.upper()}", f_title),
        (f"Thực hiện Kế hoạch số {plan.number} ngày {vn.short_date(plan.date)} "
         f"của {plan.issuer} về {plan.title[0].lower() + plan.title[1:]}", f_italic),
        (unit_line, f_bold),
        (f"Năm báo cáo: {year}    Phiên bản biểu mẫu: {L.FORM_VERSION}", f_bold),
        ("", f_normal),
        ("Hướng dẫn điền biểu mẫu", f_bold),
        *(((f"1. Trang '{L.DATA_SHEET}': nhập số liệu vào các ô màu vàng. Mỗi chỉ tiêu có Tử số và Mẫu số là "
            "số đếm (số người, số trung tâm...), KHÔNG nhập tỷ lệ phần trăm; cột Tỷ lệ tự tính.", f_normal),
           ("2. Số liệu là số nguyên không âm, không gõ dấu chấm, dấu phẩy hay chữ. Nếu không có thì nhập 0. "
            f"Tử số không được lớn hơn Mẫu số. Cột '{L.CHECK_HEADING}' hiện chữ đỏ khi một dòng chưa hợp lệ; "
            "hãy sửa cho đến khi cột này trống.", f_normal),
           ("3. Các chỉ tiêu phổ cập, chống mù chữ: chọn 'Đạt' hoặc 'Chưa đạt' trong danh sách.", f_normal))
          if unit.indicators else
          ((f"1-3. Đơn vị không báo cáo chỉ tiêu số liệu; trang '{L.DATA_SHEET}' chỉ cần ngày lập báo cáo, "
            "người lập biểu và chữ ký.", f_normal),)),
        (f"4. Trang '{L.TASK_SHEET}': nhập số lượng (số nguyên, không có thì nhập 0) của từng hoạt động trong "
         "năm theo từng nhóm nhiệm vụ của Kế hoạch; mỗi nhóm có một dòng ghi chú ngắn, không bắt buộc. Cuối trang "
         "ghi ngắn gọn tồn tại, hạn chế và đề xuất, kiến nghị.", f_normal),
        (f"5. Trang '{L.FUNDING_SHEET}': ghi số tiền (đồng) đã chi trong năm cho xây dựng xã hội học tập.", f_normal),
        (f"6. Ghi ngày lập báo cáo (trong thời gian báo cáo của năm) và người lập biểu ở đầu trang "
         f"'{L.DATA_SHEET}'. In các trang, người lập biểu và thủ trưởng đơn vị ký (đóng dấu) ở cuối trang "
         f"'{L.DATA_SHEET}', gửi kèm bản quét cùng tệp Excel.", f_normal),
        (f"7. Không đổi tên, xóa hoặc thêm trang; không sửa cột 'Mã'. Hạn gửi: "
         f"{vn.short_date(catalog.office.deadline(year))}, gửi về {catalog.office.full_name}.", f_normal),
    ]
    for i, (text, font) in enumerate(lines, start=1):
        put(g, f"B{i}", text, font=font, box=False)
        g.row_dimensions[i].height = _wrapped_height(text, 100, line_pt=18 if font is f_title else 15.75)
    _print_setup(g, catalog, unit, year, "portrait", 1)
    protect(g)

    # --- Số liệu -----------------------------------------------------------------------------
    ws = wb.create_sheet(L.DATA_SHEET)
    c = L.DATA_COLS
    has_table = bool(unit.indicators)
    widths = {"A": 5, "B": 13, "C": 36, "D": 30, "E": 11, "F": 26, "G": 11, "H": 8, "I": 14, "J": 26}
    for col, w in widths.items():
        ws.column_dimensions[col].width = w
    last = c["check"] if has_table else "I"
    merge(ws, f"A1:{last}1")
    put(ws, "A1", f"SỐ LIỆU XÂY DỰNG XÃ HỘI HỌC TẬP {title_year.upper()}", f_title, center, box=False)
    merge(ws, f"A2:{last}2")
    put(ws, "A2", unit_line, f_bold, center, box=False)
    put(ws, "C3", L.REPORT_DATE_LABEL, f_bold, Alignment(horizontal="right"), box=False)
    put(ws, L.REPORT_DATE_CELL, None, editable=True).number_format = "DD/MM/YYYY"
    put(ws, "F3", L.PREPARER_LABEL, f_bold, Alignment(horizontal="right"), box=False)
    put(ws, L.PREPARER_CELL, None, editable=True)
    merge(ws, f"{L.PREPARER_CELL}:I3")
    ws.row_dimensions[3].height = 20
    start, end = report_window(catalog, year)
    date_dv = DataValidation(type="date", operator="between", formula1=_excel_date(start), formula2=_excel_date(end),
                             allow_blank=True, showErrorMessage=True, errorTitle="Ngày báo cáo không hợp lệ",
                             error=f"Ngày báo cáo năm {year} phải từ {start:%d/%m/%Y} đến {end:%d/%m/%Y}, "
                                   "nhập dạng ngày/tháng/năm.",
                             showInputMessage=True, promptTitle="Ngày lập báo cáo",
                             prompt=f"Nhập ngày/tháng/năm, từ {start:%d/%m/%Y} đến {end:%d/%m/%Y}.")
    ws.add_data_validation(date_dv)
    date_dv.add(L.REPORT_DATE_CELL)

    row = L.DATA_HEADER_ROW
    if not has_table:
        merge(ws, f"A{row}:{last}{row}")
        put(ws, f"A{row}", f"Đơn vị không báo cáo các chỉ tiêu số liệu. Hãy ghi ngày lập báo cáo, người lập biểu ở "
                           f"trên và nhập số lượng hoạt động ở trang '{L.TASK_SHEET}'.", f_italic, box=False)
        ws.row_dimensions[row].height = 36
        row += 2
    else:
        heads = ["STT", "Mã", "Chỉ tiêu", "Tử số: nội dung", "Tử số", "Mẫu số: nội dung", "Mẫu số", "Tỷ lệ",
                 "Ghi chú", L.CHECK_HEADING]
        for col, text in zip(c.values(), heads):
            put(ws, f"{col}{row}", text, f_bold, center, fill=head_fill)
        ws.row_dimensions[row].height = 33
        ws.freeze_panes = f"A{row + 1}"
        ws.print_title_rows = f"{row}:{row}"
        row += 1
        no = 0
        wanted = set(unit.indicators)
        placed: dict[str, int] = {}
        status_dvs: dict[tuple[str, ...], DataValidation] = {}
        for group in plan.goal_groups:
            inds = [i for i in plan.indicators if i.group == group.code and i.code in wanted]
            if not inds:
                continue
            merge(ws, f"A{row}:{last}{row}")
            put(ws, f"A{row}", f"{group.code}) {group.title}", f_bold, fill=group_fill)
            ws.row_dimensions[row].height = _wrapped_height(f"{group.code}) {group.title}", 170)
            row += 1
            for ind in inds:
                no += 1
                placed[ind.code] = row
                put(ws, f"{c['no']}{row}", no, align=center)
                put(ws, f"{c['code']}{row}", ind.code, f_code)
                put(ws, f"{c['name']}{row}", ind.name)
                put(ws, f"{c['note']}{row}", None, editable=True)
                height = _wrapped_height(ind.name, widths["C"])
                if ind.kind == RATIO:
                    put(ws, f"{c['num_label']}{row}", ind.numerator_label)
                    put(ws, f"{c['num']}{row}", None, editable=True).number_format = "#,##0"
                    put(ws, f"{c['den_label']}{row}", ind.denominator_label)
                    put(ws, f"{c['den']}{row}", None, editable=True).number_format = "#,##0"
                    height = max(height, _wrapped_height(ind.numerator_label, widths["D"]),
                                 _wrapped_height(ind.denominator_label, widths["F"]))
                    num, den = f"{c['num']}{row}", f"{c['den']}{row}"
                    for ref, other, is_num in ((num, den, True), (den, num, False)):
                        rule = f"AND(ISNUMBER({ref}),{ref}>=0,INT({ref})={ref},OR(NOT(ISNUMBER({other})),"
                        rule += f"{ref}<={other}))" if is_num else f"{other}<={ref}))"
                        dv = DataValidation(type="custom", formula1=rule, allow_blank=True, showErrorMessage=True,
                                            errorTitle="Số liệu không hợp lệ", showInputMessage=True,
                                            promptTitle=(ind.numerator_label if is_num else ind.denominator_label)[:32],
                                            prompt="Số nguyên lớn hơn hoặc bằng 0; tử số không lớn hơn mẫu số.",
                                            error=f"Hãy nhập số nguyên lớn hơn hoặc bằng 0. '{ind.numerator_label}' "
                                                  f"không được lớn hơn '{ind.denominator_label}'."[:255])
                        ws.add_data_validation(dv)
                        dv.add(ref)
                    rate = put(ws, f"{c['rate']}{row}", f'=IF(AND(ISNUMBER({num}),{den}>0),{num}/{den},"")',
                               align=center)
                    rate.number_format = "0.0%"
                elif ind.kind == STATUS:
                    put(ws, f"{c['num_label']}{row}", ind.status_question)
                    put(ws, f"{c['num']}{row}", None, editable=True, align=center)
                    put(ws, f"{c['den_label']}{row}", "(chọn trong danh sách)", f_italic)
                    put(ws, f"{c['den']}{row}", None, fill=grey_fill)
                    put(ws, f"{c['rate']}{row}", None, fill=grey_fill)
                    height = max(height, _wrapped_height(ind.status_question, widths["D"]))
                    key = ind.status_options
                    if key not in status_dvs:
                        dv = DataValidation(type="list", formula1='"' + ",".join(key) + '"', allow_blank=True,
                                            showErrorMessage=True, errorTitle="Giá trị không hợp lệ",
                                            error="Hãy chọn một giá trị trong danh sách: " + ", ".join(key) + ".")
                        ws.add_data_validation(dv)
                        status_dvs[key] = dv
                    status_dvs[key].add(f"{c['num']}{row}")
                ws.row_dimensions[row].height = height
                row += 1
        _write_checks(ws, catalog, placed, put, f_normal)
        row += 1
    _signature(ws, catalog, unit, year, row, put, f_bold, f_italic, f_normal, last)
    _print_setup(ws, catalog, unit, year, "landscape", 2)
    protect(ws)

    # --- Nhiệm vụ ----------------------------------------------------------------------------
    ts = wb.create_sheet(L.TASK_SHEET)
    t = L.TASK_COLS
    for col, w in {t["no"]: 7, t["code"]: 18, t["title"]: 62, t["unit"]: 14, t["count"]: 12}.items():
        ts.column_dimensions[col].width = w
    merge(ts, f"A1:{L.TASK_TEXT_END}1")
    put(ts, "A1", f"KẾT QUẢ THỰC HIỆN NHIỆM VỤ {title_year.upper()}", f_title, center, box=False)
    merge(ts, f"A2:{L.TASK_TEXT_END}2")
    put(ts, "A2", unit_line, f_bold, center, box=False)
    for col, text in zip((t["no"], t["code"], t["title"], t["unit"], t["count"]),
                         ("STT", "Mã", "Nội dung", "Đơn vị tính", "Số lượng")):
        put(ts, f"{col}{L.TASK_HEADER_ROW}", text, f_bold, center, fill=head_fill)
    count_dv = DataValidation(type="whole", operator="greaterThanOrEqual", formula1="0", allow_blank=True,
                              showErrorMessage=True, errorTitle="Số lượng không hợp lệ",
                              error="Hãy nhập số nguyên lớn hơn hoặc bằng 0 (không có thì nhập 0).",
                              showInputMessage=True, promptTitle="Số lượng",
                              prompt="Nhập số nguyên lớn hơn hoặc bằng 0.")
    text_dv = DataValidation(type="textLength", operator="lessThanOrEqual", formula1=str(L.REMARK_MAX_CHARS),
                             allow_blank=True, showErrorMessage=True, errorTitle="Ghi chú quá dài",
                             error=f"Ghi chú ngắn gọn, tối đa {L.REMARK_MAX_CHARS} ký tự.",
                             showInputMessage=True, promptTitle="Ghi chú (không bắt buộc)",
                             prompt=f"Ghi ngắn gọn điều cần lưu ý, tối đa {L.REMARK_MAX_CHARS} ký tự.")
    ts.add_data_validation(count_dv)
    ts.add_data_validation(text_dv)
    row = L.TASK_HEADER_ROW + 1
    wanted_acts = set(unit.activities)

    def text_row(code: str, label: str) -> None:
        nonlocal row
        put(ts, f"{t['no']}{row}", label, f_remark, center)
        put(ts, f"{t['code']}{row}", code, f_code)
        put(ts, f"{t['text']}{row}", None, editable=True)
        for col in (t["unit"], t["count"]):
            put(ts, f"{col}{row}", None, editable=True)
        merge(ts, f"{t['text']}{row}:{L.TASK_TEXT_END}{row}")
        text_dv.add(f"{t['text']}{row}")
        ts.row_dimensions[row].height = 48
        row += 1

    def heading_row(text: str) -> None:
        nonlocal row
        merge(ts, f"A{row}:{L.TASK_TEXT_END}{row}")
        put(ts, f"A{row}", text, f_bold, fill=group_fill)
        ts.row_dimensions[row].height = _wrapped_height(text, 100)
        row += 1

    for tk in (tk for tk in plan.tasks if tk.code in unit.tasks):
        heading_row(f"{tk.number}. {tk.title}")
        for i, act in enumerate((a for a in plan.activities if a.task == tk.code and a.code in wanted_acts), 1):
            put(ts, f"{t['no']}{row}", f"{tk.number}.{i}", align=center)
            put(ts, f"{t['code']}{row}", act.code, f_code)
            put(ts, f"{t['title']}{row}", act.label)
            put(ts, f"{t['unit']}{row}", act.unit, align=center)
            put(ts, f"{t['count']}{row}", None, editable=True, align=right_top
                ).number_format = "#,##0"
            count_dv.add(f"{t['count']}{row}")
            ts.row_dimensions[row].height = _wrapped_height(act.label, 62)
            row += 1
        text_row(tk.code, "Ghi chú")
    for code, title in L.CLOSING_ROWS:
        heading_row(title)
        text_row(code, "")
    ts.freeze_panes = f"A{L.TASK_HEADER_ROW + 1}"
    ts.print_title_rows = f"{L.TASK_HEADER_ROW}:{L.TASK_HEADER_ROW}"
    ts.row_dimensions[1].height = 21
    _print_setup(ts, catalog, unit, year, "portrait", 1)
    protect(ts)

    # --- Kinh phí ----------------------------------------------------------------------------
    fs = wb.create_sheet(L.FUNDING_SHEET)
    for col, w in {"A": 5, "B": 8, "C": 48, "D": 18, "E": 22}.items():
        fs.column_dimensions[col].width = w
    merge(fs, "A1:E1")
    put(fs, "A1", f"KINH PHÍ XÂY DỰNG XÃ HỘI HỌC TẬP {title_year.upper()}", f_title, center, box=False)
    merge(fs, "A2:E2")
    put(fs, "A2", f"{unit_line} (đơn vị tính: đồng)", f_bold, center, box=False)
    f = L.FUNDING_COLS
    for col, text in zip(f.values(), ["STT", "Mã", "Nguồn kinh phí", "Số tiền (đồng)", "Ghi chú"]):
        put(fs, f"{col}{L.FUNDING_HEADER_ROW}", text, f_bold, center, fill=head_fill)
    money = DataValidation(type="whole", operator="greaterThanOrEqual", formula1="0", allow_blank=True,
                           showErrorMessage=True, errorTitle="Số tiền không hợp lệ",
                           error="Hãy nhập số tiền bằng đồng, là số nguyên không âm.")
    fs.add_data_validation(money)
    row = L.FUNDING_HEADER_ROW + 1
    first = row
    for i, (code, title) in enumerate(L.FUNDING_SOURCES, start=1):
        put(fs, f"{f['no']}{row}", i, align=center)
        put(fs, f"{f['code']}{row}", code, f_code)
        put(fs, f"{f['title']}{row}", title)
        put(fs, f"{f['amount']}{row}", None, editable=True).number_format = "#,##0"
        money.add(f"{f['amount']}{row}")
        put(fs, f"{f['note']}{row}", None, editable=True)
        row += 1
    put(fs, f"{f['title']}{row}", "Tổng cộng", f_bold)
    put(fs, f"{f['amount']}{row}", f"=SUM({f['amount']}{first}:{f['amount']}{row - 1})", f_bold).number_format = "#,##0"
    put(fs, f"{f['note']}{row}", None)
    fs.row_dimensions[1].height = 21
    for r in range(first, row):
        fs.row_dimensions[r].height = _wrapped_height(fs[f"{f['title']}{r}"].value, 60)
    _print_setup(fs, catalog, unit, year, "portrait", 1)
    protect(fs)

    # --- hidden identity sheet ---------------------------------------------------------------
    ms = wb.create_sheet(L.META_SHEET)
    meta = {"form": L.FORM_KIND, "unit": unit.code, "unit_name": unit.name, "year": year,
            "form_version": L.FORM_VERSION, "plan": plan.code}
    for i, key in enumerate(L.META_KEYS, start=1):
        ms[f"A{i}"] = key
        ms[f"B{i}"] = meta[key]
        ms[f"B{i}"].data_type = "s" if isinstance(meta[key], str) else ms[f"B{i}"].data_type
    ms.sheet_state = "hidden"
    protect(ms)

    wb.active = 1  # open on "Số liệu"
    for sheet in wb.worksheets:
        sheet.sheet_view.tabSelected = sheet.title == L.DATA_SHEET
    stamp = _dt.datetime(year, 1, 1)
    wb.properties.creator = catalog.office.full_name
    wb.properties.title = f"Biểu mẫu báo cáo xây dựng xã hội học tập năm {year} - {unit.name}"
    wb.properties.created = stamp
    wb.properties.modified = stamp
    wb.properties.lastModifiedBy = catalog.office.full_name
    return wb


def save_workbook(wb, path: Path, stamp: _dt.datetime | None = None) -> None:
    """Save an openpyxl workbook with stable bytes (fixed zip timestamps), written once."""
    import io

    buffer = io.BytesIO()
    wb.save(buffer)
    write_stable_zip(buffer.getvalue(), Path(path), stamp)


def write_forms(catalog: Catalog, year: int, outputs: Path, units: list[Unit] | None = None) -> list[Path]:
    """Write the form of every unit expected for ``year`` into ``outputs/bieu-mau/<year>/``.

    All forms are written to a staging folder first; if any one fails, none is moved into place.
    Returns the final paths.
    """
    catalog.check_year(year)
    units = units if units is not None else catalog.expected_units(year)
    final = Path(outputs) / "bieu-mau" / str(year)
    written = []
    with staged_dir(final) as stage:
        for unit in units:
            name = form_filename(unit, year)
            try:
                save_workbook(build_form(catalog, unit, year), stage / name)
            except OSError as exc:
                raise OutputError(f"Không ghi được biểu mẫu {name}: {exc.strerror or exc}.") from exc
            written.append(final / name)
    return written
