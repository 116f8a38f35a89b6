"""Writing outputs safely: all-or-nothing folders and byte-stable Office files.

Every command that writes builds its files in a hidden staging folder next to the destination and
moves them into place only when all of them are complete, so an error or a killed process never
leaves a half-written document. DOCX and XLSX are zip files whose members carry timestamps;
:func:`normalise_zip` rewrites them with a fixed timestamp so the same inputs give the same bytes.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import io
import os
import shutil
import struct
import tempfile
import zipfile
from pathlib import Path
from typing import Iterator

from .errors import OutputError

FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


@contextlib.contextmanager
def staged_dir(final: Path) -> Iterator[Path]:
    """Yield an empty staging folder; on success, its files replace those of the same name in ``final``.

    Files in ``final`` that the command did not write are kept. On any exception the staging
    folder is removed and ``final`` is left exactly as it was.
    """
    final = Path(final)
    try:
        final.parent.mkdir(parents=True, exist_ok=True)
        stage = Path(tempfile.mkdtemp(prefix=f".{final.name}.tmp-", dir=final.parent))
    except OSError as exc:
        raise OutputError(f"Không tạo được thư mục kết quả {final.parent}: {exc.strerror or exc}.") from exc
    try:
        yield stage
        final.mkdir(parents=True, exist_ok=True)
        for src in sorted(stage.rglob("*")):
            if src.is_file():
                dest = final / src.relative_to(stage)
                dest.parent.mkdir(parents=True, exist_ok=True)
                replace_file(src, dest)
    except PermissionError as exc:
        raise OutputError(locked_message(exc.filename or final)) from exc
    finally:
        shutil.rmtree(stage, ignore_errors=True)


RETRY_DELAYS = (0.05, 0.1, 0.2, 0.4, 0.8)   # seconds; antivirus and indexers hold new files briefly


def replace_file(src: Path, dest: Path) -> None:
    """``os.replace`` that retries briefly on a sharing violation (Windows: antivirus, indexer, Word).

    Raises the last PermissionError when the file stays locked; callers turn it into a message.
    """
    import time

    for delay in RETRY_DELAYS + (None,):
        try:
            os.replace(src, dest)
            return
        except PermissionError:
            if delay is None:
                raise
            time.sleep(delay)


def locked_message(path: Path | str) -> str:
    """The Vietnamese message for a file another program holds open."""
    name = Path(path).name if path else "kết quả"
    program = "Excel" if str(path).lower().endswith((".xlsx", ".xlsm", ".xls", ".csv")) else "Word"
    return (f"Không ghi được {path}: tệp đang mở trong chương trình khác hoặc không có quyền ghi. "
            f"Hãy đóng tệp {name} trong {program} rồi chạy lại.")


def write_stable_zip(data: bytes, path: Path, when: _dt.datetime | None = None) -> None:
    """Write the zip held in ``data`` to ``path`` with every member stamped ``when`` (default 1980-01-01).

    Deflated members are copied as they are (their compressed bytes are what zipfile would write
    again); ``docProps/core.xml`` gets its "modified" time set to "created" (:func:`_stable_core`).
    """
    stamp = _dt.datetime(*(when.timetuple()[:6] if when else FIXED_ZIP_TIME))
    members: list[tuple[str, bytes | tuple]] = []
    with zipfile.ZipFile(io.BytesIO(data)) as src:
        for info in src.infolist():
            if info.filename == "docProps/core.xml" or info.compress_type != zipfile.ZIP_DEFLATED or info.flag_bits & 1:
                body = src.read(info.filename)
                members.append((info.filename, _stable_core(body) if info.filename == "docProps/core.xml" else body))
                continue
            start = info.header_offset + 30
            name_len, extra_len = struct.unpack_from("<HH", data, info.header_offset + 26)
            start += name_len + extra_len
            members.append((info.filename, (info.CRC, info.compress_size, info.file_size,
                                            data[start:start + info.compress_size])))
    tmp = path.with_name(path.name + ".norm")
    tmp.write_bytes(zip_bytes(members, stamp))
    os.replace(tmp, path)


def deflate(data: bytes) -> tuple[int, int, int, bytes]:
    """(CRC-32, compressed size, size, raw deflate stream) of a member, as zipfile writes it (level 6)."""
    import zlib

    z = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, -15)
    packed = z.compress(data) + z.flush()
    return zlib.crc32(data) & 0xFFFFFFFF, len(packed), len(data), packed


def zip_bytes(members: list[tuple[str, bytes | tuple]], stamp: _dt.datetime) -> bytes:
    """A zip of ``members`` (name, bytes or an already deflated member) in this order, every member
    dated ``stamp``, deflated, mode 0600: the same bytes for the same members.

    A Word template's unchanged parts are deflated once per process
    (:meth:`pipeline.templating.Compiled.deflated`), so a document costs only the compression of the
    parts rendered for it; :func:`write_stable_zip` passes a saved package's members as they are.
    """
    dostime = (stamp.hour << 11) | (stamp.minute << 5) | (stamp.second // 2)
    dosdate = ((stamp.year - 1980) << 9) | (stamp.month << 5) | stamp.day
    out = io.BytesIO()
    central = []
    for name, body in members:
        crc, csize, size, packed = body if isinstance(body, tuple) else deflate(body)
        raw = name.encode("utf-8")
        flags = 0x800 if not name.isascii() else 0
        offset = out.tell()
        out.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, flags, 8, dostime, dosdate, crc, csize, size,
                              len(raw), 0))
        out.write(raw)
        out.write(packed)
        central.append(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, (3 << 8) | 20, 20, flags, 8, dostime, dosdate,
                                   crc, csize, size, len(raw), 0, 0, 0, 0, 0o600 << 16, offset) + raw)
    start = out.tell()
    for entry in central:
        out.write(entry)
    out.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(central), len(central), out.tell() - start, start, 0))
    return out.getvalue()


def _stable_core(xml: bytes) -> bytes:
    """Make the document's "modified" time equal to its "created" time (openpyxl stamps the saving time)."""
    import re

    text = xml.decode("utf-8")
    created = re.search(r"<dcterms:created[^>]*>([^<]*)</dcterms:created>", text)
    if created:
        text = re.sub(r"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                      lambda m: m.group(1) + created.group(1) + m.group(2), text)
    return text.encode("utf-8")


def normalise_zip(path: Path, when: _dt.datetime | None = None) -> None:
    """Rewrite the zip at ``path`` with every member stamped ``when`` (default 1980-01-01), in place.

    The document's own "modified" property is set to its "created" one, so the bytes do not depend
    on the moment of saving.
    """
    write_stable_zip(Path(path).read_bytes(), path, when)


def safe_name(text: str) -> str:
    """Return an ASCII file-name fragment for a Vietnamese name: ``Xã Đốc Tín`` -> ``Xa-Doc-Tin``."""
    import unicodedata

    text = text.replace("Đ", "D").replace("đ", "d")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "-".join("".join(ch if ch.isalnum() else " " for ch in text).split())
