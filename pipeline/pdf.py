"""DOCX to PDF with LibreOffice: one ``soffice`` process for the whole batch."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from .errors import OutputError

TIMEOUT_SECONDS = 300


def find_soffice() -> str | None:
    """Return the LibreOffice executable, or None when it is not installed."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def convert_to_pdf(soffice: str, documents: list[Path], outdir: Path) -> list[Path]:
    """Convert every document to PDF in ``outdir`` with a single LibreOffice run; return the PDFs."""
    if not documents:
        return []
    with tempfile.TemporaryDirectory(prefix="xhht-lo-") as profile:
        # a private profile: works while the user has LibreOffice open, and leaves their settings alone
        cmd = [soffice, f"-env:UserInstallation={Path(profile).as_uri()}", "--headless", "--norestore",
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
