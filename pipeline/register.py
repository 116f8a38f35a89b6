"""The register of outgoing documents (sổ đăng ký văn bản đi, NĐ 30/2020 Art. 15-16).

Kept in SQLite at ``outputs/so-dang-ky.sqlite``. Numbers run per issuing office, document type and
calendar year of the issue date, start at 01 on 1 January, and are never reused: a number is
written (``reserved``) before the documents are rendered and stays taken even if the run fails.
"""

from __future__ import annotations

import datetime as _dt
import sqlite3
from dataclasses import dataclass
from pathlib import Path

REGISTER_FILE = "so-dang-ky.sqlite"

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

    @property
    def code(self) -> str:
        """``05/BC-PGDĐT``: numbers below 10 get a leading zero."""
        return f"{self.number:02d}/{self.symbol}"


def _connect(outputs: Path) -> sqlite3.Connection:
    Path(outputs).mkdir(parents=True, exist_ok=True)
    con = sqlite3.connect(Path(outputs) / REGISTER_FILE, isolation_level=None, timeout=30)
    con.execute(_SCHEMA)
    return con


def reserve(outputs: Path, office: str, doc_type: str, issued: _dt.date, subject: str) -> Entry:
    """Take the next number of ``office`` and ``doc_type`` for the year of ``issued``."""
    con = _connect(outputs)
    try:
        con.execute("BEGIN IMMEDIATE")
        (last,) = con.execute("SELECT COALESCE(MAX(number), 0) FROM documents WHERE office=? AND doc_type=? AND year=?",
                              (office, doc_type, issued.year)).fetchone()
        symbol = f"{doc_type}-{office}"
        cur = con.execute(
            "INSERT INTO documents (office, doc_type, year, number, symbol, issued, subject, created) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (office, doc_type, issued.year, last + 1, symbol, issued.isoformat(), subject,
             _dt.datetime.now().replace(microsecond=0).isoformat()))
        con.execute("COMMIT")
        return Entry(cur.lastrowid, office, doc_type, issued.year, last + 1, symbol, issued.isoformat(), subject,
                     "reserved", "")
    except BaseException:
        con.execute("ROLLBACK") if con.in_transaction else None
        raise
    finally:
        con.close()


def confirm(outputs: Path, entry_id: int, version: str) -> None:
    """Mark a reserved number as issued in ``version`` (e.g. ``2015/v3``)."""
    con = _connect(outputs)
    try:
        con.execute("UPDATE documents SET status='issued', version=? WHERE id=?", (version, entry_id))
    finally:
        con.close()


def entries(outputs: Path, year: int | None = None) -> list[Entry]:
    """Return the register (of the issue year ``year``), in number order."""
    if not (Path(outputs) / REGISTER_FILE).is_file():
        return []
    con = _connect(outputs)
    try:
        sql = ("SELECT id, office, doc_type, year, number, symbol, issued, subject, status, version FROM documents"
               + (" WHERE year=?" if year else "") + " ORDER BY year, doc_type, number")
        return [Entry(*row) for row in con.execute(sql, (year,) if year else ())]
    finally:
        con.close()
