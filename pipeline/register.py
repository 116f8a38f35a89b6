"""The register of outgoing documents (sổ đăng ký văn bản đi, NĐ 30/2020 Art. 15-16), as the văn thư keeps it.

Kept in SQLite at ``outputs/so-dang-ky.sqlite`` (the register of incoming documents, table
``incoming``, is in the same file: :mod:`pipeline.receive`). Numbers run per issuing office,
document type and calendar year of the issue date, and start at 01 on 1 January, or at the number
``office.yaml`` gives (``register: next_number: {BC: 12}``) when the office starts mid-year.

A number's life:

``reserved``  taken by a run (``--number auto``, or ``--number N`` typed from the văn thư's book) and
              printed in that version's documents. A later unsealed run of the same type and year
              takes the same number over: drafts do not use up numbers. A run that fails takes none.
``issued``    (đã ban hành) the version was sealed (``archive seal``): the document went out. An
              issued number is never taken again.
``released``  the only version holding it was removed unsealed: the number is free again.
"""

from __future__ import annotations

import datetime as _dt
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from .errors import OutputError, UsageError

REGISTER_FILE = "so-dang-ky.sqlite"
STATE_LABELS = {"reserved": "đã lấy số", "issued": "đã ban hành", "released": "đã trả lại số"}

_SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    office    TEXT NOT NULL,
    doc_type  TEXT NOT NULL,
    year      INTEGER NOT NULL,
    number    INTEGER NOT NULL,
    symbol    TEXT NOT NULL,
    issued    TEXT NOT NULL,
    subject   TEXT NOT NULL,
    status    TEXT NOT NULL DEFAULT 'reserved',
    version   TEXT NOT NULL DEFAULT '',
    created   TEXT NOT NULL,
    UNIQUE (office, doc_type, year, number)
);
"""


@dataclass(frozen=True)
class Entry:
    """One row of the register of outgoing documents: number, symbol, date, subject, state, version."""

    id: int
    office: str
    doc_type: str
    year: int
    number: int
    symbol: str
    issued: str
    subject: str
    status: str
    version: str
    previous: str = ""      # the row's state before this run took it ("" = a new row): undone on failure

    @property
    def code(self) -> str:
        """``05/BC-PGDĐT``: numbers below 10 get a leading zero."""
        return f"{self.number:02d}/{self.symbol}"

    @property
    def state_label(self) -> str:
        return STATE_LABELS.get(self.status, self.status)

    def key(self) -> dict:
        """What a version's manifest records about the number it printed."""
        return {"office": self.office, "doc_type": self.doc_type, "year": self.year, "number": self.number}


_COLS = "id, office, doc_type, year, number, symbol, issued, subject, status, version"


def connect(outputs: Path, schema: str = _SCHEMA, book: str = "sổ đăng ký văn bản") -> sqlite3.Connection:
    """Open the office's SQLite file of registers in ``outputs`` (made on first use) with ``schema`` ensured.

    The outgoing register (here) and the incoming one (:mod:`pipeline.receive`) share the file; ``book``
    names the register in the message when the file cannot be opened.
    """
    try:
        Path(outputs).mkdir(parents=True, exist_ok=True)
        con = sqlite3.connect(Path(outputs) / REGISTER_FILE, isolation_level=None, timeout=30)
        con.execute(schema)
    except (OSError, sqlite3.Error) as exc:
        raise OutputError(f"Không mở được {book} {Path(outputs) / REGISTER_FILE}: {exc}. Hãy đóng "
                          "chương trình đang mở tệp này hoặc kiểm tra quyền ghi rồi chạy lại.") from exc
    return con



def configured_next(office_file: Path | None) -> dict[str, int]:
    """The next numbers the office set in ``office.yaml`` (``register: next_number: {BC: 12}``)."""
    from . import yamlfile

    from .errors import CatalogError

    if office_file is None or not Path(office_file).is_file():
        return {}
    doc = yamlfile.read(office_file) or {}
    section = (doc.get("register") or {}).get("next_number") or {}
    bad = [f"office.yaml, mục register.next_number.{k}: phải là số nguyên dương (nhận được {v!r})."
           for k, v in section.items() if not isinstance(v, int) or isinstance(v, bool) or v < 1]
    if bad:
        raise CatalogError(bad)
    return {str(k): int(v) for k, v in section.items()}


def reserve(outputs: Path, office: str, doc_type: str, issued: _dt.date, subject: str,
            number: int | None = None, start: int = 1) -> Entry:
    """Take a number of ``office`` and ``doc_type`` for the year of ``issued``.

    ``number``: the number the văn thư gave (refused if already issued). Without it, the number
    reserved by an earlier unsealed draft of the same type and year is taken over, else the next
    one after every reserved or issued number (at least ``start``).
    """
    con = connect(outputs)
    year = issued.year
    symbol = f"{doc_type}-{office}"
    now = _dt.datetime.now().replace(microsecond=0).isoformat()
    try:
        con.execute("BEGIN IMMEDIATE")
        where = "office=? AND doc_type=? AND year=?"
        if number is None:
            row = con.execute(f"SELECT {_COLS} FROM documents WHERE {where} AND status='reserved' "
                              "ORDER BY number DESC LIMIT 1", (office, doc_type, year)).fetchone()
            if row is not None:
                con.execute("UPDATE documents SET issued=?, subject=? WHERE id=?", (issued.isoformat(), subject, row[0]))
                con.execute("COMMIT")
                return Entry(*row[:6], issued.isoformat(), subject, "reserved", row[9], previous="reserved")
            (last,) = con.execute(f"SELECT COALESCE(MAX(number), 0) FROM documents WHERE {where} AND status!='released'",
                                  (office, doc_type, year)).fetchone()
            number = max(last + 1, start)
        row = con.execute(f"SELECT {_COLS} FROM documents WHERE {where} AND number=?",
                          (office, doc_type, year, number)).fetchone()
        if row is not None and row[8] == "issued":
            raise UsageError(f"Số {number:02d}/{symbol} năm {year} đã ban hành ({row[9] or 'ngoài xhht'}, ngày "
                             f"{_dt.date.fromisoformat(row[6]):%d/%m/%Y}); một số đã ban hành không dùng lại được. "
                             "Hãy hỏi văn thư số tiếp theo.")
        if row is not None:
            con.execute("UPDATE documents SET status='reserved', issued=?, subject=? WHERE id=?",
                        (issued.isoformat(), subject, row[0]))
            con.execute("COMMIT")
            return Entry(row[0], office, doc_type, year, number, symbol, issued.isoformat(), subject, "reserved",
                         row[9], previous=row[8])
        cur = con.execute(
            "INSERT INTO documents (office, doc_type, year, number, symbol, issued, subject, status, created) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, 'reserved', ?)",
            (office, doc_type, year, number, symbol, issued.isoformat(), subject, now))
        con.execute("COMMIT")
        return Entry(cur.lastrowid, office, doc_type, year, number, symbol, issued.isoformat(), subject, "reserved", "")
    except BaseException:
        if con.in_transaction:
            con.execute("ROLLBACK")
        raise
    finally:
        con.close()


def undo(outputs: Path, entry: Entry) -> None:
    """Give back a number taken by a run that failed: the register is as before the run."""
    con = connect(outputs)
    try:
        if entry.previous == "":
            con.execute("DELETE FROM documents WHERE id=? AND status='reserved' AND version=''", (entry.id,))
        elif entry.previous == "released":
            con.execute("UPDATE documents SET status='released' WHERE id=? AND status='reserved'", (entry.id,))
        # a number taken over from an earlier draft stays with that draft
    finally:
        con.close()


def confirm(outputs: Path, entry_id: int, version: str) -> None:
    """Record that the reserved number is printed in ``version`` (e.g. ``2015/v3``); it stays reserved."""
    con = connect(outputs)
    try:
        con.execute("UPDATE documents SET version=? WHERE id=? AND status='reserved'", (version, entry_id))
    finally:
        con.close()


def _find(con, key: dict):
    return con.execute(f"SELECT {_COLS} FROM documents WHERE office=? AND doc_type=? AND year=? AND number=?",
                       (key["office"], key["doc_type"], key["year"], key["number"])).fetchone()


def check_issuable(outputs: Path, keys: list[dict], version: str) -> None:
    """Raise UsageError if a number of ``version`` was already issued by another version."""
    if not keys or not (Path(outputs) / REGISTER_FILE).is_file():
        return
    con = connect(outputs)
    try:
        for key in keys:
            row = _find(con, key)
            if row is not None and row[8] == "issued" and row[9] != version:
                raise UsageError(f"Số {row[4]:02d}/{row[5]} đã ban hành cho phiên bản {row[9]}; không niêm phong được "
                                 f"phiên bản {version} mang cùng số. Hãy lập lại phiên bản này với số mới "
                                 "(--number) rồi niêm phong.")
    finally:
        con.close()


def issue(outputs: Path, keys: list[dict], version: str, subjects: dict | None = None) -> None:
    """Mark the numbers printed in ``version`` as issued (đã ban hành): called when the version is sealed."""
    if not keys:
        return
    con = connect(outputs)
    try:
        con.execute("BEGIN IMMEDIATE")
        for key in keys:
            row = _find(con, key)
            if row is None:
                symbol = f"{key['doc_type']}-{key['office']}"
                con.execute("INSERT INTO documents (office, doc_type, year, number, symbol, issued, subject, status, "
                            "version, created) VALUES (?, ?, ?, ?, ?, ?, ?, 'issued', ?, ?)",
                            (key["office"], key["doc_type"], key["year"], key["number"], symbol,
                             key.get("issued", ""), key.get("subject", ""), version,
                             _dt.datetime.now().replace(microsecond=0).isoformat()))
            else:
                con.execute("UPDATE documents SET status='issued', version=? WHERE id=?", (version, row[0]))
        con.execute("COMMIT")
    except BaseException:
        if con.in_transaction:
            con.execute("ROLLBACK")
        raise
    finally:
        con.close()


def release(outputs: Path, keys: list[dict], version: str, other_holders: dict[tuple, str]) -> None:
    """``version`` was removed unsealed: its reserved numbers go to another draft printing them, else are released.

    ``other_holders`` maps (office, doc_type, year, number) to the newest remaining unsealed version holding it.
    """
    if not keys or not (Path(outputs) / REGISTER_FILE).is_file():
        return
    con = connect(outputs)
    try:
        for key in keys:
            row = _find(con, key)
            if row is None or row[8] != "reserved":
                continue
            holder = other_holders.get((key["office"], key["doc_type"], key["year"], key["number"]))
            if holder:
                con.execute("UPDATE documents SET version=? WHERE id=?", (holder, row[0]))
            elif row[9] in (version, ""):
                con.execute("UPDATE documents SET status='released', version='' WHERE id=?", (row[0],))
    finally:
        con.close()


def entries(outputs: Path, year: int | None = None) -> list[Entry]:
    """Return the register (of the issue year ``year``), in number order."""
    if not (Path(outputs) / REGISTER_FILE).is_file():
        return []
    con = connect(outputs)
    try:
        sql = (f"SELECT {_COLS} FROM documents" + (" WHERE year=?" if year else "") + " ORDER BY year, doc_type, number")
        return [Entry(*row) for row in con.execute(sql, (year,) if year else ())]
    finally:
        con.close()
