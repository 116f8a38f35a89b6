"""DOCX to PDF with LibreOffice: one ``soffice`` process for the whole batch."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from .errors import OutputError

TIMEOUT_SECONDS = 300


def soffice_candidates(environ: dict | None = None, system: str | None = None) -> list[Path]:
    """The usual install places of LibreOffice on Windows and macOS (the Windows installer sets no PATH)."""
    import os
    import platform

    env = os.environ if environ is None else environ
    system = system or platform.system()
    out: list[Path] = []
    if system == "Windows":
        for var in ("ProgramFiles", "ProgramW6432", "ProgramFiles(x86)", "LOCALAPPDATA"):
            base = env.get(var)
            if base:
                for sub in ("LibreOffice", "LibreOffice 7", "LibreOffice 24", "Programs\\LibreOffice"):
                    out.append(Path(base) / sub / "program" / "soffice.exe")
    elif system == "Darwin":
        out.append(Path("/Applications/LibreOffice.app/Contents/MacOS/soffice"))
        home = env.get("HOME")
        if home:
            out.append(Path(home) / "Applications/LibreOffice.app/Contents/MacOS/soffice")
    else:
        out += [Path("/usr/bin/soffice"), Path("/usr/local/bin/soffice"), Path("/opt/libreoffice/program/soffice"),
                Path("/snap/bin/libreoffice")]
    return out


def configured_soffice(office_file: Path | None) -> str:
    """``soffice:`` in office.yaml (the path to LibreOffice when it is installed somewhere unusual)."""
    from . import yamlfile

    if office_file is None or not Path(office_file).is_file():
        return ""
    doc = yamlfile.read(office_file) or {}
    return str(doc.get("soffice") or "").strip()


def find_soffice(office_file: Path | None = None, environ: dict | None = None, system: str | None = None) -> str | None:
    """Return the LibreOffice executable, or None when it is not installed.

    Looked for, in order: ``XHHT_SOFFICE`` in the environment, ``soffice:`` in office.yaml, the PATH
    (``soffice``, ``libreoffice``), then the usual install folders of Windows and macOS.
    """
    import os

    env = os.environ if environ is None else environ
    for given in (env.get("XHHT_SOFFICE", ""), configured_soffice(office_file)):
        if given:
            path = Path(given)
            if path.is_dir():
                path = path / ("soffice.exe" if (path / "soffice.exe").is_file() else "soffice")
            if path.is_file():
                return str(path)
            raise OutputError(f"Không tìm thấy LibreOffice tại {given} (đặt trong XHHT_SOFFICE hoặc office.yaml). "
                              "Hãy sửa đường dẫn tới tệp soffice (Windows: soffice.exe) rồi chạy lại.")
    found = shutil.which("soffice", path=env.get("PATH")) or shutil.which("libreoffice", path=env.get("PATH"))
    if found:
        return found
    return next((str(p) for p in soffice_candidates(env, system) if p.is_file()), None)


# LibreOffice keeps at most 20 embedded objects (charts) of a document loaded by default and draws
# the others from a replacement picture made at a default size, so their text comes out at half size
# in a BC with 30 native charts. The private profile of a conversion raises that cache.
PROFILE_SETTINGS = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" \
xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Common/Cache/Writer"><prop oor:name="OLE_Objects" oor:op="fuse">\
<value>10000</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Cache/DrawingEngine"><prop oor:name="OLE_Objects" oor:op="fuse">\
<value>10000</value></prop></item>
</oor:items>
"""


def private_profile(folder: Path | str) -> str:
    """Prepare a LibreOffice user profile in ``folder`` (settings above); return its ``-env:`` argument."""
    user = Path(folder) / "user"
    user.mkdir(parents=True, exist_ok=True)
    (user / "registrymodifications.xcu").write_text(PROFILE_SETTINGS, encoding="utf-8")
    return f"-env:UserInstallation={Path(folder).as_uri()}"


def convert_to_pdf(soffice: str, documents: list[Path], outdir: Path) -> list[Path]:
    """Convert every document to PDF in ``outdir`` with a single LibreOffice run; return the PDFs."""
    if not documents:
        return []
    with tempfile.TemporaryDirectory(prefix="xhht-lo-") as profile:
        # a private profile: works while the user has LibreOffice open, and leaves their settings alone
        cmd = [soffice, private_profile(profile), "--headless", "--norestore",
               "--convert-to", "pdf", "--outdir", str(outdir), *map(str, documents)]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT_SECONDS)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise OutputError(f"LibreOffice không chuyển được sang PDF: {exc}.") from exc
    pdfs = [Path(outdir) / (d.stem + ".pdf") for d in documents]
    missing = [p.name for p in pdfs if not p.is_file()]
    if proc.returncode != 0 or missing:
        detail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or [f"mã thoát {proc.returncode}"]
        raise OutputError(f"LibreOffice không tạo được {', '.join(missing) or 'PDF'}: {detail[0]}.")
    return pdfs
