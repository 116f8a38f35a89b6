"""An archive that loses nothing: one immutable version folder per run, with a manifest.

Layout of ``outputs/<year>/``::

    v1/                      a complete run, never changed by a later run
      BC_XHHT_2015.docx      the documents
      TongHop_XHHT_2015.xlsx
      inputs/                a copy of every input used (plan, units, office, submissions)
      manifest.json          SHA-256 of every file above, xhht version, options, validation summary
      signed/…               (after ``archive seal --signed``) the signed scan or PDF
      seal.json              (after ``archive seal``) marks the version as the one sent
    v2/ …
    latest.txt               the name of the newest version (a plain file: works on Windows)
    BC_XHHT_2015.docx        working copies of the newest version's documents

A version is built in a hidden staging folder and renamed into place in one step, so a run that
is killed leaves no half-written version (the staging folder is removed by the next run). The
working copies are replaced *before* the version appears and ``latest.txt`` moves: when Word or
Excel holds one open (Windows refuses to replace it), the run stops with a message naming the file
and leaves no version, no temporary file and no register number behind. After any run or removal,
``outputs/<year>/`` holds exactly the working copies of the newest version (no stale PDF).
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import os
import re
import shutil
import stat
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import OutputError, UsageError
from .atomic_files import locked_message, replace_file

MANIFEST = "manifest.json"
SEAL = "seal.json"
LATEST = "latest.txt"
_VERSION_RE = re.compile(r"^v(\d+)$")
_STAGING_PREFIX = ".tmp-v"


def sha256(path: Path) -> str:
    """The file's SHA-256; a file unchanged since this process hashed it (same inode, size, modification
    and change times) is not read again (a run hashes each submission for its fingerprint, its checked-year
    key and its version's manifest)."""
    key = _hash_key(path)
    found = _HASHED.get(key)
    if found is not None:
        return found
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 16), b""):
            h.update(chunk)
    if len(_HASHED) > 200_000:
        _HASHED.clear()
    _HASHED[key] = digest = h.hexdigest()
    return digest


_HASHED: dict[tuple, str] = {}


def hashes_made() -> dict[tuple, str]:
    """Every hash this process has made (by file: path, inode, size, times), for :func:`remember_hashes` elsewhere."""
    return dict(_HASHED)


def remember_hashes(hashed: dict[tuple, str]) -> None:
    """Take over hashes made by another process (a job) of files that have not changed since."""
    _HASHED.update(hashed)


def known_hashes(paths: list[Path]) -> dict[tuple, str]:
    """The hashes this process already has of ``paths`` (for :func:`inputs_entries` run by another process)."""
    wanted = {os.fspath(p) for p in paths}
    return {k: v for k, v in _HASHED.items() if k[0] in wanted}


def _hash_key(path: Path) -> tuple:
    st = os.stat(path)
    return os.fspath(path), st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns


def year_dir(outputs: Path, year: int) -> Path:
    return Path(outputs) / str(year)


def versions(outputs: Path, year: int) -> list[Path]:
    """Return the version folders of ``year``, oldest first."""
    folder = year_dir(outputs, year)
    if not folder.is_dir():
        return []
    found = [p for p in folder.iterdir() if p.is_dir() and _VERSION_RE.match(p.name)]
    return sorted(found, key=lambda p: int(p.name[1:]))


def years(outputs: Path) -> list[int]:
    out = Path(outputs)
    if not out.is_dir():
        return []
    return sorted(int(p.name) for p in out.iterdir() if p.is_dir() and p.name.isdigit() and versions(out, int(p.name)))


def _remove_stale_staging(folder: Path) -> None:
    for p in folder.glob(f"{_STAGING_PREFIX}*"):
        shutil.rmtree(p, ignore_errors=True)


def new_staging(outputs: Path, year: int) -> Path:
    """Create the hidden folder in which the next version is built (on the same disk as its target)."""
    folder = year_dir(outputs, year)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        _remove_stale_staging(folder)  # left by a run that was killed
        stage = Path(tempfile.mkdtemp(prefix=_STAGING_PREFIX, dir=folder))
        stage.chmod(0o755)  # mkdtemp makes it private; the version folder should read like any other
        return stage
    except OSError as exc:
        raise OutputError(f"Không tạo được thư mục kết quả {folder}: {exc.strerror or exc}.") from exc


def _file_entries(root: Path, files: list[Path]) -> list[dict[str, Any]]:
    return [{"file": p.relative_to(root).as_posix(), "sha256": sha256(p), "size": p.stat().st_size}
            for p in sorted(files)]


def snapshot_inputs(stage: Path, files: list[tuple[Path, str]]) -> list[Path]:
    """Copy each input (source path, path inside ``inputs/``) into the staging folder."""
    return [stage / e["file"] for e in inputs_entries(stage, files)]


def inputs_entries(stage: Path, files: list[tuple[Path, str]], hashed: dict[tuple, str] | None = None
                   ) -> list[dict[str, Any]]:
    """Copy each input (source path, path inside ``inputs/``) into ``stage/inputs`` and return the manifest's
    entries of the copies (for ``write_manifest(inputs=)``). A copy has its source's bytes and modification
    time; its hash is the source's when this process has hashed the source, or ``hashed`` (from
    :func:`known_hashes`) has it: it is then not read again."""
    if hashed:
        remember_hashes(hashed)
    out = []
    made: set[Path] = set()
    for src, rel in files:
        dest = stage / "inputs" / rel
        if dest.parent not in made:
            dest.parent.mkdir(parents=True, exist_ok=True)
            made.add(dest.parent)
        st, copied = _copy_file(src, dest)
        digest = _HASHED.get((os.fspath(src), st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns))
        if digest is None:
            digest = sha256(dest)
        else:  # the copy has the source's bytes: its hash is known
            _HASHED[(os.fspath(dest), copied.st_ino, copied.st_size, copied.st_mtime_ns, copied.st_ctime_ns)] = digest
        out.append({"file": f"inputs/{rel}", "sha256": digest, "size": copied.st_size})
    return out


def _copy_file(src: Path, dest: Path) -> tuple[os.stat_result, os.stat_result]:
    """``src``'s bytes and access and modification times into a new ``dest``; the two files' stat results.
    With the open files' descriptors (a version of a district of 10.600 units copies 21.000 inputs:
    shutil.copyfile and the stat and utime calls around it cost about 15 system calls a file, this 7)."""
    binary = getattr(os, "O_BINARY", 0)
    fin = os.open(src, os.O_RDONLY | binary)
    try:
        st = os.fstat(fin)
        fout = os.open(dest, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | binary, 0o666)
        try:
            _copy_bytes(fin, fout, st.st_size)
            if os.utime in os.supports_fd:
                os.utime(fout, ns=(st.st_atime_ns, st.st_mtime_ns))
                return st, os.fstat(fout)
        finally:
            os.close(fout)
    finally:
        os.close(fin)
    os.utime(dest, ns=(st.st_atime_ns, st.st_mtime_ns))  # Windows: no utime on a descriptor
    return st, os.stat(dest)


def _copy_bytes(fin: int, fout: int, size: int) -> None:
    offset = 0
    if hasattr(os, "sendfile"):
        try:
            while offset < size:
                sent = os.sendfile(fout, fin, offset, size - offset)
                if sent == 0:
                    break
                offset += sent
            return
        except OSError:  # a file system without sendfile between files: copy by reading
            os.lseek(fin, offset, os.SEEK_SET)
            os.lseek(fout, offset, os.SEEK_SET)
    while True:
        chunk = memoryview(os.read(fin, 1 << 20))
        if not chunk:
            return
        while chunk:
            chunk = chunk[os.write(fout, chunk):]


def write_manifest(stage: Path, info: dict[str, Any], inputs: list[dict[str, Any]] | None = None) -> Path:
    """Hash every file in the staging folder and write ``manifest.json`` with ``info``.

    ``inputs``: the entries of ``inputs/`` when already known (:func:`inputs_entries`); its files are then
    not read again.
    """
    files = [p for p in stage.rglob("*") if p.is_file() and p.name != MANIFEST] if inputs is None else [
        p for top in stage.iterdir() if top.name != "inputs"
        for p in ([top] if top.is_file() else top.rglob("*")) if p.is_file() and p.name != MANIFEST]
    outputs = [p for p in files if not p.relative_to(stage).parts[0] == "inputs"]
    if inputs is None:
        inputs = _file_entries(stage, [p for p in files if p.relative_to(stage).parts[0] == "inputs"])
    manifest = dict(info, outputs=_file_entries(stage, outputs),
                    inputs=sorted(inputs, key=lambda e: Path(e["file"]).parts))
    path = stage / MANIFEST
    path.write_text(json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return path


# files Word, Excel, LibreOffice and Windows Explorer put next to documents: never part of a version
def is_office_litter(name: str) -> bool:
    """``~$x.docx``, ``.~lock.x.docx#``, ``Thumbs.db``, ``desktop.ini``, ``.DS_Store``."""
    return (name.startswith("~$") or (name.startswith(".~lock.") and name.endswith("#"))
            or name.lower() in ("thumbs.db", "desktop.ini", ".ds_store"))


WORKING_COPY_SUFFIXES = (".docx", ".xlsx", ".xlsm", ".pdf")


def _working_copies(folder: Path) -> list[Path]:
    """The documents copied out of a version into ``outputs/<year>/`` (other files there are left alone)."""
    return sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")
                  and p.suffix.lower() in WORKING_COPY_SUFFIXES and not is_office_litter(p.name)
                  ) if folder.is_dir() else []


class _Swap:
    """Old working copies moved aside, new ones in place; ``restore`` undoes it, ``discard`` makes it final."""

    def __init__(self, folder: Path, source: Path | None, names: list[str]):
        self.moved: list[tuple[Path, Path]] = []
        self.placed: list[Path] = []
        tmps: list[Path] = []
        try:
            for old in _working_copies(folder):
                backup = folder / f".{old.name}.old"
                replace_file(old, backup)      # refused while Word/Excel holds the file: nothing changed yet
                self.moved.append((backup, old))
            for name in names:
                tmp = folder / f".{name}.tmp"
                tmps.append(tmp)
                shutil.copyfile(source / name, tmp)
                replace_file(tmp, folder / name)
                self.placed.append(folder / name)
        except OSError as exc:
            for t in tmps:
                t.unlink(missing_ok=True)
            self.restore()
            if isinstance(exc, PermissionError):
                name = Path(exc.filename or "").name.removeprefix(".").removesuffix(".old").removesuffix(".tmp")
                raise OutputError(locked_message(folder / name if name else folder)) from exc
            raise OutputError(f"Không chép được bản làm việc vào {folder}: {exc.strerror or exc}.") from exc

    def restore(self) -> None:
        for p in self.placed:
            p.unlink(missing_ok=True)
        for backup, original in reversed(self.moved):
            try:
                os.replace(backup, original)
            except OSError:  # pragma: no cover - the backup stays, hidden, for the user to recover
                pass
        self.placed, self.moved = [], []

    def discard(self) -> None:
        for backup, _original in self.moved:
            backup.unlink(missing_ok=True)
        self.moved = []


def commit(stage: Path, outputs: Path, year: int, working_copies: list[str]) -> Path:
    """Replace the working copies, rename the staging folder to the next ``vN``, then point ``latest.txt`` at it.

    Raises OutputError (naming the file) when a working copy cannot be replaced, before any version appears.
    """
    import time

    folder = year_dir(outputs, year)
    swap = _Swap(folder, stage, working_copies)
    try:
        for attempt in range(100):
            existing = versions(outputs, year)
            n = int(existing[-1].name[1:]) + 1 if existing else 1
            target = folder / f"v{n}"
            try:
                os.rename(stage, target)  # atomic: the version appears complete or not at all
                break
            except PermissionError:
                if attempt >= 5:  # held by an antivirus or indexer for too long
                    raise
                time.sleep(0.1 * (attempt + 1))
            except OSError:
                if not target.exists():
                    raise
        else:  # pragma: no cover - 100 concurrent runs
            raise OutputError(f"Không đặt được tên phiên bản mới trong {folder}.")
    except PermissionError as exc:
        swap.restore()
        raise OutputError(f"Không đặt được phiên bản mới vào {folder}: một tệp trong thư mục đang được chương trình "
                          "khác mở (Word, Excel, phần mềm diệt virus). Hãy đóng các tệp rồi chạy lại.") from exc
    except BaseException:
        swap.restore()
        raise
    swap.discard()
    _atomic_write(folder / LATEST, target.name + "\n")
    return target


def _documents(version: Path | None) -> list[str]:
    """The files of a version that are copied out as working copies."""
    if version is None:
        return []
    return sorted(p.name for p in version.iterdir() if p.is_file() and p.name not in (MANIFEST, SEAL)
                  and p.suffix.lower() in WORKING_COPY_SUFFIXES and not is_office_litter(p.name))


def refresh_working_copies(outputs: Path, year: int) -> None:
    """Make ``outputs/<year>/`` hold exactly the working copies of the newest version (none if there is none)."""
    newest = latest(outputs, year)
    _Swap(year_dir(outputs, year), newest, _documents(newest)).discard()


def _atomic_write(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    try:
        replace_file(tmp, path)
    except PermissionError as exc:
        tmp.unlink(missing_ok=True)
        raise OutputError(locked_message(path)) from exc


def latest(outputs: Path, year: int) -> Path | None:
    pointer = year_dir(outputs, year) / LATEST
    if pointer.is_file():
        name = pointer.read_text(encoding="utf-8").strip()
        if (pointer.parent / name).is_dir():
            return pointer.parent / name
    found = versions(outputs, year)
    return found[-1] if found else None


def _version_dir(outputs: Path, year: int, version: int) -> Path:
    path = year_dir(outputs, year) / f"v{version}"
    if not path.is_dir():
        have = ", ".join(p.name for p in versions(outputs, year)) or "chưa có phiên bản nào"
        raise UsageError(f"Không có phiên bản v{version} của năm {year} ({have}).")
    return path


def read_manifest(version: Path) -> dict[str, Any]:
    try:
        return json.loads((version / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise OutputError(f"Không đọc được {version / MANIFEST}: {exc}.") from exc


def is_sealed(version: Path) -> bool:
    return (version / SEAL).is_file()


@dataclass
class VersionInfo:
    """One archived version of a year as ``xhht archive list`` shows it (from its manifest)."""

    year: int
    name: str
    path: Path
    created: str
    issued: str
    number: str
    sealed: bool
    documents: list[str]
    inputs: int
    received: int
    expected: int


def list_versions(outputs: Path, year: int | None = None) -> list[VersionInfo]:
    """Return every version (of ``year``, or of all years) with what it was made from."""
    out = []
    for y in ([year] if year else years(outputs)):
        for v in versions(outputs, y):
            try:
                m = read_manifest(v)
            except OutputError:
                m = {}
            summary = m.get("validation", {})
            out.append(VersionInfo(
                year=y, name=v.name, path=v, created=m.get("created", "?"), issued=m.get("options", {}).get("date", "?"),
                number=m.get("number", ""), sealed=is_sealed(v),
                documents=[e["file"] for e in m.get("outputs", []) if "/" not in e["file"]],
                inputs=len(m.get("inputs", [])), received=summary.get("received", 0), expected=summary.get("expected", 0)))
    return out


@dataclass
class FileMismatch:
    """A file of an archived version that no longer matches its manifest (changed, missing or added)."""

    version: str
    file: str
    kind: str  # changed | missing | added

    def text(self) -> str:
        label = {"changed": "đã bị thay đổi", "missing": "bị mất", "added": "được thêm vào sau"}[self.kind]
        return f"{self.version}/{self.file}: tệp {label} so với manifest."


@dataclass
class VerifyResult:
    """The outcome of ``xhht archive verify``: files re-hashed, versions seen, every mismatch."""

    checked_files: int = 0
    versions: list[str] = field(default_factory=list)
    deviations: list[FileMismatch] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)   # lock and Explorer files found inside versions

    @property
    def ok(self) -> bool:
        return not self.deviations


def verify(outputs: Path, year: int | None = None) -> VerifyResult:
    """Recompute every hash of every version and compare with its manifest."""
    result = VerifyResult()
    for y in ([year] if year else years(outputs)):
        for v in versions(outputs, y):
            label = f"{y}/{v.name}"
            result.versions.append(label)
            if not (v / MANIFEST).is_file():
                result.deviations.append(FileMismatch(label, MANIFEST, "missing"))
                continue
            m = read_manifest(v)
            expected = {e["file"]: e["sha256"] for e in m.get("outputs", []) + m.get("inputs", [])}
            expected.update({e["file"]: e["sha256"] for e in m.get("signed", [])})
            present = {}
            for p in v.rglob("*"):
                if not p.is_file() or p.name in (MANIFEST, SEAL):
                    continue
                rel = p.relative_to(v).as_posix()
                if is_office_litter(p.name) and rel not in expected:
                    result.ignored.append(f"{label}/{rel}")
                else:
                    present[rel] = p
            for rel, digest in sorted(expected.items()):
                if rel not in present:
                    result.deviations.append(FileMismatch(label, rel, "missing"))
                else:
                    result.checked_files += 1
                    if sha256(present[rel]) != digest:
                        result.deviations.append(FileMismatch(label, rel, "changed"))
            for rel in sorted(set(present) - set(expected)):
                result.deviations.append(FileMismatch(label, rel, "added"))
    result.ignored.sort()
    return result


def _read_only(path: Path) -> None:
    for p in [path, *path.rglob("*")]:
        mode = p.stat().st_mode
        p.chmod(mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))


def _writable(path: Path) -> None:
    for p in [path, *path.rglob("*")]:
        p.chmod(p.stat().st_mode | stat.S_IWUSR)


def seal(outputs: Path, year: int, version: int, signed: Path | None = None,
         now: _dt.datetime | None = None) -> Path:
    """Mark ``v<version>`` of ``year`` as the version that was sent; optionally store the signed file."""
    v = _version_dir(outputs, year, version)
    if is_sealed(v):
        raise UsageError(f"Phiên bản v{version} năm {year} đã được niêm phong; không thể niêm phong lại.")
    bad = verify(outputs, year)
    mine = [d for d in bad.deviations if d.version == f"{year}/v{version}"]
    if mine:
        raise OutputError("Không niêm phong được: phiên bản đã bị thay đổi so với manifest:\n"
                          + "\n".join("  - " + d.text() for d in mine))
    if signed is not None and not Path(signed).is_file():
        raise UsageError(f"Không tìm thấy tệp đã ký {signed}.")
    manifest = read_manifest(v)
    from . import register

    version_label = f"{year}/{v.name}"
    register.check_issuable(outputs, manifest.get("register", []), version_label)
    stamp = (now or _dt.datetime.now()).replace(microsecond=0).isoformat()
    if signed is not None:
        dest = v / "signed" / Path(signed).name
        dest.parent.mkdir(exist_ok=True)
        shutil.copy2(signed, dest)
        manifest["signed"] = _file_entries(v, [dest])
    manifest["sealed"] = stamp
    _atomic_write(v / MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True) + "\n")
    _atomic_write(v / SEAL, json.dumps({"sealed": stamp, "version": v.name, "year": year,
                                        "manifest_sha256": sha256(v / MANIFEST)}, ensure_ascii=False, indent=1) + "\n")
    _read_only(v)
    register.issue(outputs, manifest.get("register", []), version_label)
    return v


def remove(outputs: Path, year: int, version: int) -> None:
    """Delete an unsealed version; a sealed version is refused."""
    v = _version_dir(outputs, year, version)
    if is_sealed(v):
        raise UsageError(f"Phiên bản v{version} năm {year} đã niêm phong (đã gửi đi); không được xóa hoặc thay thế.")
    from . import register

    try:
        numbers = read_manifest(v).get("register", [])
    except OutputError:
        numbers = []
    folder = year_dir(outputs, year)
    rest = [p for p in versions(outputs, year) if p != v]
    # the working copies become the previous version's first: a copy open in Word stops here, nothing removed
    swap = _Swap(folder, rest[-1] if rest else None, _documents(rest[-1] if rest else None))
    trash = folder / f".removing-{v.name}"
    try:
        os.rename(v, trash)  # one step: the version is gone whole or not at all
    except OSError as exc:
        swap.restore()
        raise OutputError(f"Không xóa được phiên bản {v}: {exc.strerror or exc}. Hãy đóng các tệp của phiên bản "
                          "này (Word, Excel) rồi thử lại.") from exc
    swap.discard()
    _writable(trash)
    shutil.rmtree(trash, ignore_errors=True)
    holders: dict[tuple, str] = {}
    for other in rest:  # oldest first: the newest unsealed draft printing a number keeps it
        if is_sealed(other):
            continue
        try:
            for key in read_manifest(other).get("register", []):
                holders[(key["office"], key["doc_type"], key["year"], key["number"])] = f"{year}/{other.name}"
        except OutputError:
            pass
    register.release(outputs, numbers, f"{year}/v{version}", holders)
    if rest:
        _atomic_write(folder / LATEST, rest[-1].name + "\n")
    elif (folder / LATEST).exists():
        (folder / LATEST).unlink()
