"""The office's own công tác chỉ đạo, điều hành for a year: ``inputs/chi_dao/<year>.yaml``.

Documents issued (number, date, title), the steering committee, meetings, inspections and
communication. A missing file is not an error (the BC then says nothing was recorded); a broken
file is refused with a message naming the file and the entry.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .errors import CatalogError

FOLDER = "chi_dao"


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
    source: str = ""
    extra: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        d = asdict(self)
        d["documents"] = [{**x, "date": x["date"].isoformat()} for x in d["documents"]]
        d.pop("extra", None)
        return d


def load_direction(inputs: Path | str, year: int) -> Direction | None:
    """Read ``<inputs>/chi_dao/<year>.yaml``; None if the office has not written it."""
    import yaml

    path = Path(inputs) / FOLDER / f"{year}.yaml"
    if not path.is_file():
        return None
    try:
        doc = yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
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

    result = Direction(year, tuple(sorted(docs, key=lambda x: x.date)), str(doc.get("committee") or ""),
                       strs("meetings"), strs("inspections"), strs("communication"), source=path.name)
    if problems:
        raise CatalogError(problems)
    return result
