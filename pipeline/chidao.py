"""The office's own công tác chỉ đạo, điều hành for a year: ``inputs/chi_dao/<year>.yaml``.

Documents issued (number, date, title), the steering committee, meetings, inspections and
communication, and the year's ``figures`` (meetings held, centres inspected, news items broadcast):
the numbers the period review adds up year by year. Each figure must be the number its sentence
says (a mismatch is refused), so the yearly BC and the tổng kết cannot disagree. A missing file is not
an error (the BC then says nothing was recorded); a broken file is refused with a message naming the
file and the entry.
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .errors import CatalogError

FOLDER = "chi_dao"
# figure -> the list of sentences that must state it
FIGURES = {"meetings": "meetings", "inspected_centres": "inspections", "news": "communication"}


@dataclass(frozen=True)
class IssuedDocument:
    """A document the district issued to direct the work (number, date, issuer, title)."""

    number: str
    date: _dt.date
    issuer: str
    title: str


@dataclass(frozen=True)
class Direction:
    """The office's công tác chỉ đạo of one year (``inputs/chi_dao/<year>.yaml``): documents issued,
    the steering committee, meetings, inspections, communication."""

    year: int
    documents: tuple[IssuedDocument, ...] = ()
    committee: str = ""
    meetings: tuple[str, ...] = ()
    inspections: tuple[str, ...] = ()
    communication: tuple[str, ...] = ()
    figures: dict = field(default_factory=dict)   # FIGURES key -> the year's count
    source: str = ""
    extra: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        d = asdict(self)
        d["documents"] = [{**x, "date": x["date"].isoformat()} for x in d["documents"]]
        d.pop("extra", None)
        return d


def _states(sentence: str, value: int) -> bool:
    """Whether ``sentence`` states the count ``value`` (``8`` or ``08``, ``1.277``), not as part of another number."""
    digits = f"{value:,}".replace(",", ".")
    return re.search(rf"(?<![\d.,]){'0?' if value < 10 else ''}{re.escape(digits)}(?![\d]|[.,]\d)", sentence) is not None


def load_direction(inputs: Path | str, year: int) -> Direction | None:
    """Read ``<inputs>/chi_dao/<year>.yaml``; None if the office has not written it."""
    from . import yamlfile

    path = Path(inputs) / FOLDER / f"{year}.yaml"
    if not path.is_file():
        return None
    try:
        doc = yamlfile.read(path) or {}
    except (OSError, UnicodeDecodeError, yamlfile.YAMLError) as exc:
        raise CatalogError([f"{path.name}: không đọc được ({exc})."]) from exc
    problems: list[str] = []
    if not isinstance(doc, dict):
        raise CatalogError([f"{FOLDER}/{path.name}: nội dung phải là một bảng (mapping)."])
    docs = []
    for i, d in enumerate(doc.get("documents") or []):
        where = f"{FOLDER}/{path.name}, mục documents[{i}]"
        if not isinstance(d, dict) or not all(k in d for k in ("number", "date", "title")):
            problems.append(f"{where}: cần number, date, title.")
            continue
        day = d["date"]
        if isinstance(day, str):
            try:
                day = _dt.date.fromisoformat(day)
            except ValueError:
                problems.append(f"{where}: ngày '{day}' không đúng dạng YYYY-MM-DD.")
                continue
        if not isinstance(day, _dt.date):
            problems.append(f"{where}: ngày phải có dạng YYYY-MM-DD.")
            continue
        docs.append(IssuedDocument(str(d["number"]), day, str(d.get("issuer", "")), str(d["title"])))

    def strs(key: str) -> tuple[str, ...]:
        v = doc.get(key) or []
        if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
            problems.append(f"{FOLDER}/{path.name}, mục {key}: phải là danh sách các câu.")
            return ()
        return tuple(v)

    lists = {k: strs(k) for k in ("meetings", "inspections", "communication")}
    figures = {}
    raw = doc.get("figures") or {}
    if not isinstance(raw, dict):
        problems.append(f"{FOLDER}/{path.name}, mục figures: phải là bảng tên: số.")
        raw = {}
    for key, value in raw.items():
        where = f"{FOLDER}/{path.name}, mục figures.{key}"
        if key not in FIGURES:
            problems.append(f"{where}: không có số liệu này (chỉ có {', '.join(FIGURES)}).")
        elif not isinstance(value, int) or isinstance(value, bool) or value < 0:
            problems.append(f"{where}: phải là số nguyên không âm.")
        elif not any(_states(x, value) for x in lists[FIGURES[key]]):
            problems.append(f"{where}: {value} không khớp với câu ở mục {FIGURES[key]} (câu phải nêu đúng số này).")
        else:
            figures[key] = value
    result = Direction(year, tuple(sorted(docs, key=lambda x: x.date)), str(doc.get("committee") or ""),
                       lists["meetings"], lists["inspections"], lists["communication"], figures, source=path.name)
    if problems:
        raise CatalogError(problems)
    return result
