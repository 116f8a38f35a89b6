"""Checked years kept in the archive, so a rerun does not read and check the same files again.

Each version written by a run keeps, in ``cache/checked.pickle``, the ingested and validated data
of every year it read (the report year and the year before), each under a key: the digest of the
year's submission files (contents and receipt times), the catalog files, the run's date, where the
inputs live and the xhht code. A later run looks in the newest version of its year and of the year
before; where a key matches it takes the data from there instead of opening the workbooks again.

The file is part of the version like any other: listed with its SHA-256 in ``manifest.json`` and
checked by ``xhht archive verify``; it is read only when its hash still matches the manifest, so
a damaged or replaced cache is ignored (the files are read again), never trusted.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import os
import pickle
from functools import lru_cache
from pathlib import Path

CACHE_FILE = "cache/checked.pickle"


@lru_cache(maxsize=1)
def code_digest() -> str:
    """The digest of xhht's own source: a change to the code makes every cached year stale."""
    h = hashlib.sha256()
    for path in sorted(Path(__file__).resolve().parent.glob("*.py")):
        h.update(path.name.encode())
        h.update(path.read_bytes())
    return h.hexdigest()


def year_files(inputs: Path, outputs: Path | None, year: int) -> list[list[str]]:
    """``[relative path, sha256, receipt time]`` of every file in the year's submissions folder."""
    from .archive import is_office_litter, sha256
    from .ingest import submissions_folder
    from .receive import receipt_times

    folder = submissions_folder(inputs, year)
    if not folder.is_dir():
        return []
    times = receipt_times(outputs, year) if outputs is not None else {}
    latest_plausible = _dt.date(year + 1, 12, 31)
    found: list[tuple[list[str], os.DirEntry]] = []  # (path parts under the folder, entry): one scandir per folder
    todo: list[tuple[str, list[str]]] = [(os.fspath(folder), [])]
    while todo:
        where, parts = todo.pop()
        with os.scandir(where) as it:
            for entry in it:
                if entry.is_dir():
                    todo.append((entry.path, parts + [entry.name]))
                elif entry.is_file():
                    found.append((parts + [entry.name], entry))
    out = []
    for parts, entry in sorted(found, key=lambda f: f[0]):  # the order of sorted Paths
        if is_office_litter(entry.name) or entry.name.startswith(".~lock."):
            continue
        rel = "/".join(parts)
        mtime = _dt.datetime.fromtimestamp(entry.stat().st_mtime)
        when = times.get(rel) or (mtime.replace(microsecond=0) if mtime.date() <= latest_plausible else None)
        out.append([f"submissions/{year}/{rel}", sha256(Path(entry.path)), when.isoformat() if when else ""])
    return out


def list_years(inputs: Path, outputs: Path | None, years: tuple[int, ...]) -> tuple[dict[int, list[list[str]]], dict]:
    """:func:`year_files` of each of ``years``, and the hashes made meanwhile (for :func:`archive.remember_hashes`
    when this runs as a job: the process that asked does not hash the files again)."""
    from .archive import hashes_made

    before = hashes_made()
    files = {y: year_files(inputs, outputs, y) for y in years}
    return files, {k: v for k, v in hashes_made().items() if k not in before}  # (only the new: a web app has many)


def year_key(catalog, inputs: Path, outputs: Path | None, year: int, today: _dt.date | None,
             files: list[list[str]] | None = None) -> str:
    """The key of one year's checked data (see the module docstring)."""
    from .archive import sha256

    parts = [code_digest(), str(Path(inputs).resolve()), year, today.isoformat() if today else "",
             [[name, sha256(path)] for name, path in sorted(catalog.files.items())],
             files if files is not None else year_files(inputs, outputs, year)]
    return hashlib.sha256(json.dumps(parts, ensure_ascii=False).encode("utf-8")).hexdigest()


class CheckedCache:
    """The checked years found in earlier versions, and those read by this run (to keep in its version)."""

    def __init__(self, versions: list[Path]):
        self.found: dict[str, bytes] = {}
        self.fresh: dict[str, bytes] = {}
        # years this process has already unpickled, by key: a job forked later (the trend) uses these
        # objects, shared with this process, instead of unpickling a second copy (230 MiB at 10.600 units)
        self.opened: dict[str, tuple] = {}
        # the files of the years this run has listed (year_files), by (inputs, outputs, year): the trend job
        # keys the year before with them instead of hashing its 10.600 files again
        self.listed: dict[tuple[str, str, int], list[list[str]]] = {}
        for version in versions:
            self.found.update(_load(version))

    @classmethod
    def of(cls, outputs: Path | None, year: int) -> "CheckedCache":
        """The cache of the newest versions of ``year`` and ``year - 1`` in ``outputs``."""
        from . import archive

        if outputs is None:
            return cls([])
        return cls([v for v in (archive.latest(outputs, year - 1), archive.latest(outputs, year)) if v is not None])

    def remember_files(self, inputs: Path, outputs: Path | None, files: dict[int, list[list[str]]]) -> None:
        """Keep the years' files (:func:`year_files` of ``inputs`` and ``outputs``) this run has listed."""
        for year, listed in files.items():
            self.listed[(os.fspath(inputs), os.fspath(outputs or ""), year)] = listed

    def files_of(self, inputs: Path, outputs: Path | None, year: int) -> list[list[str]] | None:
        """The files of ``year`` as :meth:`remember_files` kept them, or None."""
        return self.listed.get((os.fspath(inputs), os.fspath(outputs or ""), year))

    def keep_read(self, limit: int) -> None:
        """For a long-lived cache (the web app's): the years read since are found from now on, the ``limit`` newest
        kept; the opened objects are let go."""
        self.found.update(self.fresh)
        self.fresh.clear()
        self.opened.clear()
        self.listed.clear()
        while len(self.found) > limit:
            self.found.pop(next(iter(self.found)))

    def put(self, key: str, blob: bytes, opened: tuple | None = None) -> None:
        """Keep the pickled (IngestResult, ValidationResult) of a year read by this run, and the
        unpickled pair when this process holds it (read only from then on)."""
        self.fresh[key] = blob
        if opened is not None:
            self.opened[key] = opened

    def unpickled(self, key: str, blob: bytes) -> tuple:
        """The (IngestResult, ValidationResult) of ``blob``: the objects already opened under ``key``,
        else unpickled here. Callers do not change them."""
        found = self.opened.get(key)
        return found if found is not None else pickle.loads(blob)

    def write(self, stage: Path) -> None:
        """Write the years this run used into ``stage/cache/checked.pickle``."""
        if not self.fresh:
            return
        path = stage / CACHE_FILE
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(pickle.dumps(dict(sorted(self.fresh.items())), protocol=pickle.HIGHEST_PROTOCOL))


def _load(version: Path) -> dict[str, bytes]:
    """The cached years of ``version``, if its cache file still has the hash its manifest recorded."""
    path = version / CACHE_FILE
    if not path.is_file():
        return {}
    try:
        manifest = json.loads((version / "manifest.json").read_text(encoding="utf-8"))
        recorded = next((e["sha256"] for e in manifest.get("outputs", []) if e.get("file") == CACHE_FILE), None)
        data = path.read_bytes()
        if recorded is None or hashlib.sha256(data).hexdigest() != recorded:
            return {}
        found = pickle.loads(data)
        return {k: v for k, v in found.items() if isinstance(k, str) and isinstance(v, bytes)}
    except Exception:  # noqa: BLE001 - an unreadable cache only means reading the files again
        return {}
