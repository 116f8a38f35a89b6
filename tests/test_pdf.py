"""A real client opens the báo cáo: LibreOffice converts it to PDF, and the pages look as expected."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import as_on_windows, once_per_run
from pipeline.runner import run

ROOT = Path(__file__).resolve().parents[1]
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")

if SOFFICE is None and os.environ.get("CI"):
    pytest.fail("LibreOffice (soffice) is required in CI: .ci/run installs libreoffice-writer-nogui", pytrace=False)
needs_soffice = pytest.mark.skipif(SOFFICE is None, reason="LibreOffice not installed")


def _pdf_text(pdf: Path, first: int, last: int) -> str:
    if shutil.which("pdftotext"):
        return subprocess.run(["pdftotext", "-layout", "-f", str(first), "-l", str(last), str(pdf), "-"],
                              capture_output=True, text=True, check=True).stdout
    pytest.skip("pdftotext (poppler-utils) not installed")


def _pages(pdf: Path) -> int:
    return len(re.findall(rb"/Type\s*/Page[^s]", pdf.read_bytes()))


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory) -> dict[str, Path]:
    """``xhht run --pdf --no-feedback`` on the shipped 2015 inputs, once per test run (READ ONLY)."""
    def make(out: Path) -> dict[str, Path]:
        with as_on_windows():
            res = run(ROOT / "inputs", out, 2015, dt.date(2015, 12, 20), pdf=True, feedback=False)
        # the only note: which templates were used (no PDF problem)
        assert res.notes == ["Mẫu văn bản đã dùng: bao_cao.docx (mẫu mặc định); ke_hoach.docx (mẫu mặc định); "
                             "to_trinh.docx (mẫu mặc định)."]
        found = {p.name: p for p in res.paths if p.suffix == ".pdf"}
        assert set(found) == {"BC_XHHT_2015.pdf", "KH_XHHT_2016.pdf", "TTr_XHHT_2016.pdf"}
        manifest = (res.version / "manifest.json").read_text(encoding="utf-8")
        assert '"file": "BC_XHHT_2015.pdf"' in manifest and '"file": "KH_XHHT_2016.pdf"' in manifest
        assert '"file": "TTr_XHHT_2016.pdf"' in manifest
        return {"BC": found["BC_XHHT_2015.pdf"], "KH": found["KH_XHHT_2016.pdf"], "TTr": found["TTr_XHHT_2016.pdf"]}

    return once_per_run(tmp_path_factory, "pdfs", make)


@pytest.fixture(scope="module")
def pdf(pdfs) -> Path:
    return pdfs["BC"]


@needs_soffice
def test_pdf_has_the_expected_pages(pdfs):
    # body ~10 pages, Phụ lục I (landscape) 3, Phụ lục II (per-commune remarks, short since the forms
    # collect counts) ~2
    assert 12 <= _pages(pdfs["BC"]) <= 45
    assert 10 <= _pages(pdfs["KH"]) <= 25  # body ~14 pages, the component-plan annex 2-3
    assert 1 <= _pages(pdfs["TTr"]) <= 2  # the tờ trình: one or two pages


@needs_soffice
def test_chart_text_prints_at_its_size_in_a_document_with_many_charts(pdf):
    """LibreOffice draws the embedded objects past its cache (20 by default) from a default-size
    replacement, at half the text size: the conversion's own profile raises the cache, so every one of
    the BC's native charts (29 in 2015) prints its axis years at 7 pt."""
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) not installed")
    boxes = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    heights = [float(b) - float(a) for a, b in re.findall(r'yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">2014<', boxes)]
    assert len(heights) > 20                        # a category axis per panel: more charts than the default cache
    assert min(heights) > 6.5, sorted(heights)[:5]  # 7 pt text; the replacement drew it at ~4,3 pt


@needs_soffice
def test_kh_first_page_and_annex(pdfs):
    first = _pdf_text(pdfs["KH"], 1, 1)
    for text in ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "KẾ HOẠCH", "Xây dựng xã hội học tập năm 2016",
                 "Căn cứ Kế hoạch số 233/KH-UBND"):
        assert text in first, text
    assert re.search(r"Số:\s+/KH-UBND", first) and "DỰ THẢO" in first  # UBND huyện's draft
    text = _pdf_text(pdfs["KH"], 1, 99)
    assert "PHÂN CÔNG THỰC HIỆN CÁC KẾ HOẠCH THÀNH PHẦN NĂM 2016" in text


def test_missing_soffice_is_said_clearly(monkeypatch, tmp_path):
    import pipeline.runner

    monkeypatch.setattr(pipeline.runner, "find_soffice", lambda *a, **k: None)
    # the message is the point: the cheapest run that asks for a PDF (no feedback, no charts)
    res = run(ROOT / "inputs", tmp_path, 2015, dt.date(2015, 12, 20), pdf=True, feedback=False, charts=False)
    assert res.notes[-1:] == ["Không tìm thấy LibreOffice (soffice) trên máy: chưa tạo được PDF. Cài LibreOffice rồi "
                              "chạy lại với --pdf, hoặc mở DOCX bằng Word và lưu thành PDF."]
    assert len(res.notes) == 2 and res.notes[0].startswith("Mẫu văn bản đã dùng: ")
    assert not [p for p in res.version.iterdir() if p.suffix == ".pdf"]


@needs_soffice
def test_first_page_shows_the_header_block(pdf):
    first = _pdf_text(pdf, 1, 1)
    for text in ("UBND HUYỆN MỸ ĐỨC", "PHÒNG GIÁO DỤC VÀ ĐÀO TẠO", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
                 "Độc lập - Tự do - Hạnh phúc", "Mỹ Đức, ngày 20 tháng 12 năm 2015", "BÁO CÁO"):
        assert text in first, text
    assert re.search(r"Số:\s+/BC-PGDĐT", first)
    # no page number on page 1: the first line of the page is the header table, not a number
    assert not re.match(r"\s*\d+\s*\n", first)


@needs_soffice
def test_page_two_is_numbered_at_the_top(pdf):
    second = _pdf_text(pdf, 2, 2)
    assert second.strip().splitlines()[0].strip() == "2"
