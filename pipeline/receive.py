"""Receiving submissions: the register of incoming documents (sổ văn bản đến).

``receive`` takes files the units sent (workbooks, folders of them, zip archives of several forms),
records each one in the register and stores it under ``<inputs>/submissions/<year>/`` with a name
that cannot collide. The register lives in the same SQLite file as the register of outgoing
documents (``<outputs>/so-dang-ky.sqlite``, table ``incoming``). For each file it keeps the receipt
time, the original name, the SHA-256 of its bytes, the unit and the report date read from inside the
form. The same bytes received twice are recorded once.

The receipt time decides which of a unit's files is used (the newest receipt wins) and whether the
unit was late; :func:`receipt_times` gives :func:`pipeline.ingest.ingest` these times. The stored
file's modification time is set to its receipt time too, so a run that cannot see the register
(another outputs folder) still orders the files the same way.

Public API (stable; the web app calls it)::

    receive(inputs, outputs, year, paths, now=None) -> list[Receipt]
    list_received(outputs, year=None) -> list[Receipt]
    receipt_times(outputs, year) -> dict[str, datetime]
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import os
import sqlite3
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

from .errors import InputError, OutputError
from .ingest import MAX_FILE_MB, WORKBOOK_SUFFIXES, _is_lock_file, read_identity, submissions_folder
from .register import REGISTER_FILE, connect

MAX_ARCHIVE_MEMBERS = 500

_SCHEMA = """
CREATE TABLE IF NOT EXISTS incoming (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    year        INTEGER NOT NULL,
    number      INTEGER NOT NULL,
    received    TEXT NOT NULL,
    original    TEXT NOT NULL,
    stored      TEXT NOT NULL,
    sha256      TEXT NOT NULL,
    unit        TEXT NOT NULL DEFAULT '',
    unit_name   TEXT NOT NULL DEFAULT '',
    report_date TEXT,
    note        TEXT NOT NULL DEFAULT '',
    UNIQUE (year, sha256),
    UNIQUE (year, number)
);
"""


@dataclass(frozen=True)
class Receipt:
    """One line of the register of incoming documents.

    ``number`` is the incoming number (số đến) of the report year, from 1; ``stored`` the file's
    name inside ``<inputs>/submissions/<year>/``; ``new`` is False when these bytes had already been
    received (nothing was recorded again); ``note`` a Vietnamese remark (not a form, another year…).
    """

    number: int
    year: int
    received: _dt.datetime
    original: str
    stored: str
    sha256: str
    unit: str = ""
    unit_name: str = ""
    report_date: _dt.date | None = None
    note: str = ""
    new: bool = True

    def text(self) -> str:
        """One line for people: ``Số đến   3  16/12/2015 09:30:00  Xã An Phú, …: bao-cao.xlsx, lưu thành …``."""
        who = self.unit_name or self.unit or "không rõ đơn vị"
        dated = f", ngày báo cáo {self.report_date:%d/%m/%Y}" if self.report_date else ""
        again = " (đã nhận trước đó)" if not self.new else ""
        note = f" {self.note}" if self.note else ""
        return (f"Số đến {self.number:>3}  {self.received:%d/%m/%Y %H:%M:%S}  {who}{dated}: "
                f"{self.original}, lưu thành {self.stored}{again}.{note}")


def _connect(outputs: Path) -> sqlite3.Connection:
    return connect(outputs, _SCHEMA, "sổ văn bản đến")


def _row(row: tuple, new: bool = True) -> Receipt:
    number, year, received, original, stored, sha, unit, unit_name, report_date, note = row
    return Receipt(number, year, _dt.datetime.fromisoformat(received), original, stored, sha, unit, unit_name,
                   _dt.date.fromisoformat(report_date) if report_date else None, note, new)


_COLUMNS = "number, year, received, original, stored, sha256, unit, unit_name, report_date, note"


def _expand(paths: Iterable[Path | str]) -> Iterator[tuple[str, bytes | Path]]:
    """Yield (original name, file path or bytes) for every workbook in files, folders and zip archives."""
    for given in paths:
        if isinstance(given, tuple):  # an upload: (original name, bytes)
            name, data = given
            if str(name).lower().endswith(".zip"):
                yield from _zip_members(Path(name), data)
            else:
                yield str(name), bytes(data)
            continue
        path = Path(given)
        if not path.exists():
            raise InputError(f"Không tìm thấy {path}. Hãy kiểm tra lại đường dẫn tệp hoặc thư mục cần nhận.")
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for f in files:
            if _is_lock_file(f):
                continue
            if f.suffix.lower() == ".zip":
                yield from _zip_members(f)
            else:
                yield (f.relative_to(path).as_posix() if path.is_dir() else f.name), f


def _zip_members(path: Path, data: bytes | None = None) -> Iterator[tuple[str, bytes]]:
    import io

    try:
        with zipfile.ZipFile(io.BytesIO(data) if data is not None else path) as z:
            members = [i for i in z.infolist() if not i.is_dir()]
            if len(members) > MAX_ARCHIVE_MEMBERS:
                raise InputError(f"Tệp nén {path.name} có {len(members)} tệp, quá nhiều cho một lần nhận "
                                 f"(tối đa {MAX_ARCHIVE_MEMBERS}). Hãy giải nén rồi nhận từng thư mục.")
            for info in sorted(members, key=lambda i: i.filename):
                name = info.filename
                base = name.rsplit("/", 1)[-1]
                if _is_lock_file(Path(base)) or name.startswith("__MACOSX/"):
                    continue
                if info.file_size > MAX_FILE_MB * 1024 * 1024:
                    yield f"{path.name}/{name}", b""  # reported as too large below
                    continue
                yield f"{path.name}/{name}", z.read(info)
    except (zipfile.BadZipFile, OSError) as exc:
        raise InputError(f"Không mở được tệp nén {path}: tệp hỏng hoặc không phải tệp .zip ({exc}).") from exc


def _stored_name(original: str, sha: str) -> str:
    from .atomic_files import safe_name

    base = original.rsplit("/", 1)[-1]
    stem, dot, suffix = base.rpartition(".")
    stem = safe_name(stem if dot else base)[:60] or "tep"
    return f"{stem}__{sha[:12]}.{suffix.lower()}" if dot else f"{stem}__{sha[:12]}"


def _store(folder: Path, stored: str, data: bytes, when: _dt.datetime) -> Path:
    """Write ``data`` as ``folder/stored`` atomically, its modification time set to the receipt time."""
    from .atomic_files import replace_file

    dest = folder / stored
    tmp = folder / f".xhht-{stored}.tmp"
    try:
        tmp.write_bytes(data)
        stamp = when.timestamp()
        os.utime(tmp, (stamp, stamp))
        replace_file(tmp, dest)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise OutputError(f"Không lưu được {dest}: {exc.strerror or exc}. Hãy đóng tệp nếu đang mở rồi nhận lại.") from exc
    return dest


def receive(inputs: Path | str, outputs: Path | str, year: int, paths: Iterable[Path | str | tuple[str, bytes]],
            now: _dt.datetime | None = None) -> list[Receipt]:
    """Record and store every workbook in ``paths`` (files, folders, zip archives) as received for ``year``.

    An item of ``paths`` may also be ``(original_name, bytes)`` (a web upload; a ``.zip`` name is unpacked).

    Each new file is copied to ``<inputs>/submissions/<year>/<name>__<sha256[:12]>.<ext>``, gets the
    next incoming number of the year and a receipt time (``now``, default the current time; files of
    one call get the same time). Bytes already in the register are not stored again: their earlier
    receipt is returned with ``new=False``. Files that are not spreadsheets are refused with
    :class:`~pipeline.errors.InputError` before anything is recorded. Returns one Receipt per file.
    """
    inputs, outputs = Path(inputs), Path(outputs)
    when = (now or _dt.datetime.now()).replace(tzinfo=None)
    items = list(_expand(paths))
    bad = [name for name, _ in items if Path(name).suffix.lower() not in WORKBOOK_SUFFIXES]
    if bad:
        raise InputError("Không nhận được vì không phải bảng tính Excel/LibreOffice (.xlsx, .xlsm, .xls, .ods): "
                         + ", ".join(bad) + ". Hãy bỏ các tệp này ra rồi nhận lại.")
    if not items:
        raise InputError("Không có tệp bảng tính nào để nhận trong các đường dẫn đã cho.")
    folder = submissions_folder(inputs, year)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"Không tạo được thư mục {folder}: {exc.strerror or exc}.") from exc
    out: list[Receipt] = []
    con = _connect(outputs)
    try:
        for original, source in items:
            data = source.read_bytes() if isinstance(source, Path) else source
            sha = hashlib.sha256(data).hexdigest()
            row = con.execute(f"SELECT {_COLUMNS} FROM incoming WHERE year=? AND sha256=?", (year, sha)).fetchone()
            if row is not None:
                known = _row(row, new=False)
                if not (folder / known.stored).is_file():  # removed from the folder by hand: put it back
                    _store(folder, known.stored, data, known.received)
                out.append(known)
                continue
            stored = _stored_name(original, sha)
            dest = _store(folder, stored, data, when)
            unit, form_year, report_date, unit_name = read_identity(dest)
            note = ""
            if not data:
                note = f"Tệp lớn hơn {MAX_FILE_MB} MB hoặc rỗng; lần chạy sẽ báo lỗi tệp này."
            elif not unit:
                note = "Không phải biểu mẫu xhht hoặc không đọc được; lần chạy sẽ báo lỗi tệp này."
            elif form_year != year:
                note = f"Biểu mẫu ghi năm {form_year}, không phải năm {year}; lần chạy sẽ báo lỗi tệp này."
            try:
                con.execute("BEGIN IMMEDIATE")
                (last,) = con.execute("SELECT COALESCE(MAX(number), 0) FROM incoming WHERE year=?", (year,)).fetchone()
                con.execute(f"INSERT INTO incoming ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                            (last + 1, year, when.isoformat(), original, stored, sha, unit, unit_name,
                             report_date.isoformat() if report_date else None, note))
                con.execute("COMMIT")
            except BaseException:
                if con.in_transaction:
                    con.execute("ROLLBACK")
                dest.unlink(missing_ok=True)
                raise
            out.append(Receipt(last + 1, year, when, original, stored, sha, unit, unit_name, report_date, note))
    finally:
        con.close()
    return out


def list_received(outputs: Path | str, year: int | None = None) -> list[Receipt]:
    """Return the register of incoming documents (of report year ``year``), by year and number."""
    if not (Path(outputs) / REGISTER_FILE).is_file():
        return []
    con = _connect(outputs)
    try:
        sql = f"SELECT {_COLUMNS} FROM incoming" + (" WHERE year=?" if year else "") + " ORDER BY year, number"
        return [_row(r) for r in con.execute(sql, (year,) if year else ())]
    finally:
        con.close()


def receipt_times(outputs: Path | str, year: int) -> dict[str, _dt.datetime]:
    """Map each stored file of ``year`` (name inside the submissions folder) to its receipt time."""
    return {r.stored: r.received for r in list_received(outputs, year)}
