"""The progress board of a year: who sent what, when, who is missing, late, or must correct.

Public API (stable; the web app calls it)::

    status(inputs, outputs, year, today=None) -> StatusBoard

One :class:`StatusRow` per expected unit: received (when, which file, how the receipt time is
known), missing, late (days), errors, warnings, and the days left to the deadline. The same rows
are written as the sheet "Tiến độ nộp" of the summary workbook (:func:`summary_sheet`).
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from pathlib import Path

from .issues import Issue, Severity

STATUS_SHEET = "Tiến độ nộp"
SOURCE_LABELS = {"register": "sổ văn bản đến", "file-time": "thời điểm sửa tệp", "": "ngày ghi trong tệp"}


@dataclass(frozen=True)
class StatusRow:
    """One expected unit on the board.

    ``state``: ``received`` (a file is used), ``refused`` (files came but none is usable), ``missing``.
    ``late_days``: days after the deadline (received: from the receipt; missing or refused: from
    ``today``), 0 when on time, None when not known. ``days_left``: days from ``today`` to the
    deadline (negative once it has passed).
    """

    unit: str
    name: str
    kind: str
    state: str
    file: str = ""
    received_at: _dt.datetime | None = None
    receipt_source: str = ""
    report_date: _dt.date | None = None
    late_days: int | None = None
    errors: int = 0
    warnings: int = 0
    days_left: int = 0
    superseded: tuple[str, ...] = ()

    @property
    def state_label(self) -> str:
        if self.state == "missing":
            return "Chưa nộp"
        if self.state == "refused":
            return "Đã gửi, chưa dùng được"
        return "Đã nộp, có lỗi" if self.errors else "Đã nộp"

    @property
    def received_label(self) -> str:
        """``16/12/2015 09:30 (sổ văn bản đến)`` or ``15/12/2015 (ngày ghi trong tệp)``; empty if missing."""
        if self.received_at:
            return f"{self.received_at:%d/%m/%Y %H:%M} ({SOURCE_LABELS[self.receipt_source]})"
        if self.report_date:
            return f"{self.report_date:%d/%m/%Y} ({SOURCE_LABELS['']})"
        return ""


@dataclass
class StatusBoard:
    """The board of ``year`` on ``today``: one row per expected unit, plus the run-level notes."""

    year: int
    today: _dt.date
    deadline: _dt.date
    rows: list[StatusRow] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)

    @property
    def days_left(self) -> int:
        return (self.deadline - self.today).days

    def count(self, state: str) -> int:
        return sum(1 for r in self.rows if r.state == state)

    @property
    def late(self) -> list[StatusRow]:
        return [r for r in self.rows if r.late_days]

    def headline(self) -> str:
        """``Năm 2015, ngày 10/12/2015: 37 đơn vị phải báo cáo; đã nộp 30, chưa nộp 7; còn 5 ngày đến hạn 15/12/2015.``"""
        left = self.days_left
        when = (f"còn {left} ngày đến hạn {self.deadline:%d/%m/%Y}" if left > 0 else
                f"hôm nay là hạn nộp {self.deadline:%d/%m/%Y}" if left == 0 else
                f"đã quá hạn {self.deadline:%d/%m/%Y} {-left} ngày")
        refused = self.count("refused")
        return (f"Năm {self.year}, ngày {self.today:%d/%m/%Y}: {len(self.rows)} đơn vị phải báo cáo; "
                f"đã nộp {self.count('received')}" + (f", gửi chưa dùng được {refused}" if refused else "")
                + f", chưa nộp {self.count('missing')}; {when}.")


def build_board(catalog, checked, submissions, year: int, today: _dt.date, notes: list[str] | None = None) -> StatusBoard:
    """Make the board from a validation result (used by :func:`status` and by the summary workbook)."""
    deadline = catalog.office.deadline(year)
    board = StatusBoard(year, today, deadline, notes=list(notes or []),
                        issues=[i for i in checked.issues if not i.unit and i.code != "run-before-deadline"])
    overdue = max(0, (today - deadline).days)
    tried = {s.unit for s in submissions if s.unit}
    by_unit: dict[str, list] = {}  # issues grouped by unit once, not scanned per unit
    for i in checked.issues:
        by_unit.setdefault(i.unit, []).append(i)
    for u in checked.completeness:
        unit = catalog.unit(u.unit)
        kind = catalog.kinds[unit.kind].name if unit is not None else ""
        mine = by_unit.get(u.unit, [])
        if u.state == "received":
            row = StatusRow(u.unit, u.name, kind, "received", u.file, u.received_at, u.receipt_source, u.report_date,
                            u.late_days, u.errors, u.warnings, (deadline - today).days, u.superseded)
        else:
            errors = sum(1 for i in mine if i.severity is Severity.ERROR)
            row = StatusRow(u.unit, u.name, kind, "refused" if u.unit in tried or errors else "missing",
                            late_days=overdue, errors=errors,
                            warnings=sum(1 for i in mine if i.severity is Severity.WARNING and i.code != "missing-submission"),
                            days_left=(deadline - today).days)
        board.rows.append(row)
    return board


def status(inputs: Path | str, outputs: Path | str, year: int, today: _dt.date | None = None) -> StatusBoard:
    """Return the progress board of ``year`` as of ``today`` (default: the current date).

    Reads every submission (receipt times from the register of incoming documents in ``outputs``,
    else the files' times) and checks them like ``xhht validate``; writes nothing. Raises
    XhhtError subclasses for broken plan data or a year outside the plan.
    """
    from .ingest import ingest
    from .catalog_load import load_catalog
    from .receive import receipt_times
    from .validate import validate

    inputs, outputs = Path(inputs), Path(outputs)
    today = today or _dt.date.today()
    catalog = load_catalog(inputs)
    catalog.check_year(year)
    data = ingest(catalog, inputs, year, receipt_times(outputs, year))
    checked = validate(catalog, data, today)
    return build_board(catalog, checked, data.submissions, year, today, data.notes)


def summary_sheet(wb, formats: dict, model, issued: _dt.date) -> None:
    """Write the board as the sheet "Tiến độ nộp" of the summary workbook (xlsxwriter ``wb``, its formats).

    The board is taken on the run's date ``issued``; files that could not be used are listed below.
    """
    from .render_xlsx import DATE, INT, _Sheet

    year = model.year
    board = build_board(model.catalog, model.validation, model.submissions, year, issued)
    c = _Sheet(wb, formats, STATUS_SHEET, f"TÌNH HÌNH NỘP BÁO CÁO NĂM {year} (hạn nộp {board.deadline:%d/%m/%Y}, "
               f"tính đến ngày {issued:%d/%m/%Y})", [
                   ("STT", 5, None), ("Mã đơn vị", 10, None), ("Đơn vị", 30, None), ("Tình trạng", 16, None),
                   ("Tệp được dùng", 44, None), ("Ngày báo cáo", 12, DATE), ("Trễ hạn (ngày)", 9, INT),
                   ("Số lỗi", 7, INT), ("Số cảnh báo", 9, INT), ("Bản đã được thay thế", 40, None),
                   ("Thời điểm nhận", 24, None), ("Số ngày còn đến hạn", 10, INT)], year)
    for i, r in enumerate(board.rows, start=1):
        c.add([i, r.unit, r.name, r.state_label, r.file, r.report_date, r.late_days, r.errors, r.warnings,
               "; ".join(r.superseded), r.received_label, r.days_left])
    for sub in (s for s in model.submissions if s.state == "rejected"):
        c.add(["", sub.unit, "", "Tệp không dùng được", sub.file, sub.report_date, None, None, None, "",
               f"{sub.received_at:%d/%m/%Y %H:%M} ({SOURCE_LABELS[sub.receipt_source]})" if sub.received_at else "",
               None])
    c.finish()
