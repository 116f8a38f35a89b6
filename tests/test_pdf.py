"""A real client opens the báo cáo: LibreOffice converts it to PDF, and the pages look as expected."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from pipeline.runner import run

ROOT = Path(__file__).resolve().parents[1]
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")

if SOFFICE is None and os.environ.get("CI"):
    pytest.fail("LibreOffice (soffice) is required in CI: .ci/run installs libreoffice-writer-nogui", pytrace=False)
pytestmark = pytest.mark.skipif(SOFFICE is None, reason="LibreOffice not installed")


def _pdf_text(pdf: Path, first: int, last: int) -> str:
    if shutil.which("pdftotext"):
        return subprocess.run(["pdftotext", "-layout", "-f", str(first), "-l", str(last), str(pdf), "-"],
                              capture_output=True, text=True, check=True).stdout
    pytest.skip("pdftotext (poppler-utils) not installed")


def _pages(pdf: Path) -> int:
    return len(re.findall(rb"/Type\s*/Page[^s]", pdf.read_bytes()))


@pytest.fixture(scope="module")
def pdf(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("pdf")
    bc = run(ROOT / "inputs", out, 2015, dt.date(2015, 12, 20)).paths[0]
    profile = out / "lo-profile"
    subprocess.run([SOFFICE, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(out), str(bc)], check=True, capture_output=True, timeout=240)
    return out / (bc.stem + ".pdf")


def test_pdf_has_the_expected_pages(pdf):
    pages = _pages(pdf)
    assert 20 <= pages <= 45, pages  # body ~14 pages, Phụ lục I (landscape) 3, Phụ lục II ~13


def test_first_page_shows_the_header_block(pdf):
    first = _pdf_text(pdf, 1, 1)
    for text in ("UBND HUYỆN MỸ ĐỨC", "PHÒNG GIÁO DỤC VÀ ĐÀO TẠO", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
                 "Độc lập - Tự do - Hạnh phúc", "Mỹ Đức, ngày 20 tháng 12 năm 2015", "BÁO CÁO"):
        assert text in first, text
    assert re.search(r"Số:\s+/BC-PGDĐT", first)
    # no page number on page 1: the first line of the page is the header table, not a number
    assert not re.match(r"\s*\d+\s*\n", first)


def test_page_two_is_numbered_at_the_top(pdf):
    second = _pdf_text(pdf, 2, 2)
    assert second.strip().splitlines()[0].strip() == "2"
