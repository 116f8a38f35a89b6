"""The layout of the submission form, shared by the form writer and the reader.

The reader never relies on a row number: it finds each indicator, task group and funding source by
the code in column B, so rows a clerk inserts or deletes do not shift the data. Identity (unit,
year, form version) is stored in a hidden sheet, so a renamed file is still recognised.
"""

from __future__ import annotations

FORM_KIND = "xhht-bieu-mau"
FORM_VERSION = "2"  # 2: Section II as counts (activities) plus one remark per task group

META_SHEET = "_xhht"          # hidden: key in column A, value in column B
META_KEYS = ("form", "unit", "unit_name", "year", "form_version", "plan")

GUIDE_SHEET = "Hướng dẫn"
DATA_SHEET = "Số liệu"
TASK_SHEET = "Nhiệm vụ"
FUNDING_SHEET = "Kinh phí"

# "Số liệu": one row per indicator; the code is in CODE_COL.
CODE_COL = "B"
DATA_COLS = {"no": "A", "code": "B", "name": "C", "num_label": "D", "num": "E",
             "den_label": "F", "den": "G", "rate": "H", "note": "I", "check": "J"}
CHECK_HEADING = "Kiểm tra"    # the visible check column: empty when the row is consistent
DATA_HEADER_ROW = 5
REPORT_DATE_LABEL = "Ngày lập báo cáo:"
PREPARER_LABEL = "Người lập biểu:"
REPORT_DATE_CELL = "D3"
PREPARER_CELL = "G3"

# The report date must fall in the year's reporting window: from START (month, day) of the report
# year to DAYS_AFTER_DEADLINE days after the office's submission deadline (corrections included).
REPORT_WINDOW_START = (10, 1)
REPORT_WINDOW_DAYS_AFTER_DEADLINE = 90

# "Nhiệm vụ": per task group a heading row, one row per activity the unit counts (code in column B,
# whole number in "count"), then one optional remark row (the task code in column B, text in "text",
# merged over C:E); then the two closing rows (limitations, proposals) in the same shape as a remark.
TASK_COLS = {"no": "A", "code": "B", "title": "C", "unit": "D", "count": "E", "text": "C"}
TASK_TEXT_END = "E"           # a remark or closing text is merged from TASK_COLS["text"] to here
TASK_HEADER_ROW = 3
REMARK_MAX_CHARS = 300
LIMITS_CODE = "TON_TAI"
PROPOSALS_CODE = "DE_XUAT"
CLOSING_ROWS = ((LIMITS_CODE, "Tồn tại, hạn chế"), (PROPOSALS_CODE, "Đề xuất, kiến nghị"))

# "Kinh phí": one row per source of funds, amounts in đồng.
FUNDING_COLS = {"no": "A", "code": "B", "title": "C", "amount": "D", "note": "E"}
FUNDING_HEADER_ROW = 3
FUNDING_SOURCES = (("NSNN", "Ngân sách nhà nước"), ("XHH", "Nguồn xã hội hóa (huy động từ tổ chức, doanh nghiệp, cá nhân)"))


def col_index(letter: str) -> int:
    """Return the 0-based index of a column letter: ``A`` -> 0, ``AA`` -> 26."""
    n = 0
    for ch in letter:
        n = n * 26 + (ord(ch.upper()) - 64)
    return n - 1


def col_letter(index: int) -> str:
    """Return the column letter of a 0-based index: 0 -> ``A``."""
    s = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        s = chr(65 + rem) + s
    return s


def cell_name(row0: int, col0: int) -> str:
    """Return an A1 reference from 0-based row and column."""
    return f"{col_letter(col0)}{row0 + 1}"
