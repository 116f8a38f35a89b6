"""Receiving uploaded files: stored and registered by :func:`pipeline.receive.receive` (the same code and
messages as ``xhht receive``), then checked at once so the clerk sees each file's problems.

An uploaded file's name is kept only as text in the register; the stored name is made by
``receive`` (ASCII, with a hash), so a name like ``../../x.xlsx`` is never a path.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from pathlib import Path

from ..issues import Issue
from ..catalog import Catalog
from ..runner import validate_year

STATE_LABELS = {"used": "Được dùng để tổng hợp", "superseded": "Đã có bản gửi sau thay thế",
                "rejected": "Không dùng được", "": "Chưa rõ"}


def where_in_words(issue: Issue, names: dict[str, str]) -> str:
    """``Trang “Số liệu”, ô E13 và G13, chỉ tiêu “Tỷ lệ …”``: where the problem is, without codes."""
    parts = []
    if issue.sheet:
        parts.append(f"Trang “{issue.sheet}”")
    if issue.cell:
        cells = [c.strip() for c in issue.cell.split(",") if c.strip()]
        parts.append(("ô " if len(cells) == 1 else "các ô ") + " và ".join(cells))
    if issue.indicator and issue.indicator in names:
        parts.append(f"chỉ tiêu “{names[issue.indicator]}”")
    return ", ".join(parts) if parts else "Cả tệp"


@dataclass
class IssueView:
    severity: str
    label: str
    where: str
    message: str
    cell: str
    sheet: str


def issue_views(issues: list[Issue], names: dict[str, str]) -> list[IssueView]:
    return [IssueView(i.severity.value, i.severity.label, where_in_words(i, names), i.message, i.cell, i.sheet)
            for i in issues]


@dataclass
class FileResult:
    original: str
    stored: str
    number: int
    unit: str
    unit_name: str
    new: bool
    note: str
    state: str = ""
    issues: list[IssueView] = field(default_factory=list)

    @property
    def state_label(self) -> str:
        if self.state == "used" and self.errors:
            return "Được dùng, trừ các số liệu có lỗi"
        return STATE_LABELS.get(self.state, self.state)

    @property
    def errors(self) -> int:
        return sum(1 for i in self.issues if i.severity == "error")

    @property
    def warnings(self) -> int:
        return sum(1 for i in self.issues if i.severity == "warning")

    def to_dict(self) -> dict:
        return {"original": self.original, "stored": self.stored, "number": self.number, "unit": self.unit,
                "unit_name": self.unit_name, "new": self.new, "note": self.note, "state": self.state,
                "state_label": self.state_label, "errors": self.errors, "warnings": self.warnings,
                "issues": [vars(i) for i in self.issues]}


def receive(cat: Catalog, inputs: Path, outputs: Path, year: int, files: list[tuple[str, bytes]],
            now: _dt.datetime | None = None) -> list[FileResult]:
    """Record ``files`` (name, bytes) as received for ``year``, then validate the year and return per file.

    Files with errors come first, then those with warnings, then the rest (in the order sent).
    """
    from ..receive import receive as record

    receipts = record(inputs, outputs, year, [(_plain(name), body) for name, body in files], now=now)
    data, checked = validate_year(cat, Path(inputs), year, Path(outputs), now.date() if now else None)
    names = {i.code: i.name for i in cat.plan.indicators}
    states = {s.file: s.state for s in data.submissions}
    out = []
    for r in receipts:
        mine = [i for i in checked.issues if i.file == r.stored and i.code != "missing-submission"]
        out.append(FileResult(r.original, r.stored, r.number, r.unit, r.unit_name, r.new, r.note,
                              states.get(r.stored, ""), issue_views(mine, names)))
    return sorted(out, key=lambda f: (0 if f.errors or f.state == "rejected" else 1 if f.warnings else 2))


def _plain(name: str) -> str:
    """The uploaded name as text only: the last part, no folders (browsers may send a path)."""
    return name.replace("\\", "/").rsplit("/", 1)[-1] or "tep"


def incoming(outputs: Path, inputs: Path, year: int | None):
    """The register of incoming documents (of ``year``, or of every year)."""
    from ..receive import list_received

    return list_received(outputs, year)
