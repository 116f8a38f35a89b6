"""The clerk's path through ``xhht serve`` in a real headless Chromium (Debian's chromium + chromium-driver).

One path, as a clerk would click it: open the dashboard, drop a year's submissions (one has an error),
see the error at its cell, make the documents (their PDF previews from a stand-in LibreOffice, see
``fake_soffice``), download the BC and read it, seal the version with a signed scan. With ``XHHT_SCREENSHOTS=<folder>`` a screenshot of each page is written there (to look at
the pages; left out otherwise: the nine full-page captures cost about 3 s of CPU). Skipped when Chromium
or its driver is missing, except in CI (CI=true), where it fails.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import os
import shutil
import threading
from pathlib import Path

import pytest
from docx import Document

from pipeline import archive
from pipeline.web import create_app

ROOT = Path(__file__).resolve().parents[1]
INPUTS = ROOT / "inputs"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")

pytestmark = pytest.mark.browser


def _need_browser():
    missing = [name for name, found in (("chromium", CHROMIUM), ("chromedriver (chromium-driver)", DRIVER)) if not found]
    try:
        import selenium  # noqa: F401
    except ImportError:
        missing.append("selenium")
    if missing:
        message = "needs " + ", ".join(missing) + " (.ci/run installs them)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture
def server(tmp_path):
    """A real waitress server over a copy of the shipped data without 2015 (the clerk receives it)."""
    from waitress.server import create_server

    inputs = tmp_path / "inputs"
    inputs.mkdir()
    for name in ("plan.yaml", "units.yaml", "office.yaml", "rules.yaml"):
        shutil.copy(INPUTS / name, inputs / name)
    shutil.copytree(INPUTS / "submissions" / "2014", inputs / "submissions" / "2014")
    # the files arrive on the afternoon of the deadline (the clock of the receipts and of the board)
    app = create_app(inputs, tmp_path / "outputs", clock=lambda: dt.datetime(2015, 12, 15, 16, 0))
    srv = create_server(app, host="127.0.0.1", port=0, threads=4)
    stop = threading.Event()

    def loop():  # waitress's own loop, in short turns so that it can be stopped cleanly
        while not stop.is_set():
            srv.asyncore.loop(timeout=0.1, map=srv._map, use_poll=srv.adj.asyncore_use_poll, count=1)

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{srv.effective_port}", tmp_path, app
    stop.set()
    thread.join(5)
    srv.task_dispatcher.shutdown()
    from waitress import wasyncore

    wasyncore.close_all(srv._map)                 # the listening socket and any kept-alive connection


@pytest.fixture
def browser(tmp_path):
    _need_browser()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--no-first-run", "--disable-extensions", "--lang=vi", "--window-size=1366,768",
                f"--user-data-dir={tmp_path / 'chromium-profile'}"):
        opts.add_argument(arg)
    driver = webdriver.Chrome(service=Service(DRIVER), options=opts)
    driver.set_page_load_timeout(120)
    yield driver
    driver.quit()


def _shots() -> Path | None:
    folder = os.environ.get("XHHT_SCREENSHOTS")
    if not folder:
        return None
    Path(folder).mkdir(parents=True, exist_ok=True)
    return Path(folder)


def _shot(driver, folder: Path | None, name: str, full: bool = True) -> Path | None:
    """Screenshot of the whole page (height of the document, width as the window) into ``folder``, if any."""
    if folder is None:
        return None
    path = folder / f"{name}.png"
    if full:
        width = driver.get_window_size()["width"]
        height = driver.execute_script("return Math.max(document.body.scrollHeight, 768)")
        driver.set_window_size(width, min(height + 140, 6000))
    driver.save_screenshot(str(path))
    if full:
        driver.set_window_size(width, 768 if width > 500 else 844)
    return path


def _fetch(driver, url: str) -> bytes:
    """Download ``url`` in the page (with its session), as the browser would; return the bytes."""
    data = driver.execute_async_script("""
        const done = arguments[arguments.length - 1];
        fetch(arguments[0], {credentials: 'same-origin'}).then(r => r.arrayBuffer()).then(buf => {
            let s = ''; const b = new Uint8Array(buf);
            for (let i = 0; i < b.length; i += 8192) s += String.fromCharCode.apply(null, b.subarray(i, i + 8192));
            done(btoa(s));
        }).catch(e => done('ERR ' + e));""", url)
    assert not data.startswith("ERR"), data
    return base64.b64decode(data)


def test_clerk_path_from_receipt_to_sealed_version(browser, server, tmp_path, fake_soffice):
    # the PDFs the web page previews come from the stand-in LibreOffice (tests/data/fake_soffice.py): this
    # is the clerk's path through the pages; real conversions are printed and read by tests/test_pdf.py
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as EC
    from selenium.webdriver.support.ui import WebDriverWait

    base, root, app = server
    shots = _shots()
    wait = WebDriverWait(browser, 240, poll_frequency=0.1)  # (the default 0,5 s adds up over the path)

    # 1. the dashboard of 2015: nothing received yet
    browser.get(base + "/")
    assert browser.current_url.endswith("/nam/2014")          # the newest year with data
    browser.get(base + "/nam/2015")
    assert "Năm 2015: tiến độ nhận báo cáo" in browser.find_element(By.TAG_NAME, "h1").text
    assert len(browser.find_elements(By.CSS_SELECTOR, "tr.missing")) == 37
    _shot(browser, shots, "01-tong-quan-chua-nhan")

    # the forms to send out
    browser.find_element(By.LINK_TEXT, "2. Biểu mẫu").click()
    zip_link = wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "[data-zip]")))
    assert "Tải tất cả (37 biểu mẫu" in zip_link.text
    _shot(browser, shots, "01b-bieu-mau", full=False)

    # 2. receive: choose the 37 shipped files of 2015 (one with an error) and send them
    browser.find_element(By.LINK_TEXT, "3. Nhận báo cáo").click()
    wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "[data-files]")))
    files = sorted((INPUTS / "submissions" / "2015").glob("*.xlsx"))
    browser.find_element(By.CSS_SELECTOR, "[data-files]").send_keys("\n".join(str(f) for f in files))
    browser.find_element(By.CSS_SELECTOR, "[data-submit]").click()
    wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "[data-file-result]")) == len(files))
    results = browser.find_elements(By.CSS_SELECTOR, "[data-file-result]")
    assert "37 tệp: 1 tệp có lỗi cần đơn vị sửa" in browser.find_element(By.CSS_SELECTOR, "[data-receive-summary]").text
    bad = results[0]                                            # the file with an error comes first
    assert bad.find_element(By.TAG_NAME, "h3").text == "BieuMau_2015_10492_Hung-Tien.xlsx"
    text = bad.text
    assert "Xã Hùng Tiến" in text
    assert "Trang “Số liệu”, các ô E13 và G13" in text
    assert "'Số người 15-35 tuổi biết chữ' (2246) lớn hơn 'Tổng số người 15-35 tuổi' (2242)" in text
    issue = bad.find_element(By.CSS_SELECTOR, "li.error[data-issue]")
    assert issue.get_attribute("data-cell") == "E13, G13"
    assert issue.value_of_css_property("border-left-color") == "rgba(179, 38, 30, 1)"   # marked red
    browser.execute_script("arguments[0].scrollIntoView()", bad)
    _shot(browser, shots, "02-nhan-bao-cao-loi-o-E13", full=False)
    _shot(browser, shots, "02-nhan-bao-cao")
    assert len(list((root / "inputs" / "submissions" / "2015").iterdir())) == len(files)

    # 3. the dashboard now shows the board
    browser.find_element(By.LINK_TEXT, "1. Tổng quan").click()
    row = wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, 'tr.has-errors[data-unit="10492"]')))
    assert "Đã nộp, có lỗi" in row.text and "15/12/2015 16:00 (sổ văn bản đến)" in row.text
    assert "hạn nộp là hôm nay" in browser.find_element(By.CSS_SELECTOR, ".tiles").text
    assert len(browser.find_elements(By.CSS_SELECTOR, "tr.missing")) == 1
    _shot(browser, shots, "03-tong-quan")

    # 4. the unit's page: its value marked
    row.find_element(By.TAG_NAME, "a").click()
    marked = wait.until(EC.presence_of_element_located(
        (By.CSS_SELECTOR, 'tr.has-errors[data-indicator="BIET_CHU_15_35"]')))
    assert "Không dùng" in marked.text
    _shot(browser, shots, "04-don-vi")

    # 5. make the documents, with the date of the report; follow the progress
    browser.find_element(By.LINK_TEXT, "4. Lập văn bản").click()
    wait.until(EC.presence_of_element_located((By.ID, "date")))
    browser.execute_script("document.getElementById('date').value = '2015-12-20'")
    browser.find_element(By.CSS_SELECTOR, "[data-make-button]").click()
    wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "[data-bar], [data-job-done], [data-job-error]")))
    if browser.find_elements(By.CSS_SELECTOR, "[data-bar]"):                  # the progress while it runs
        _shot(browser, shots, "05a-dang-lap-van-ban", full=False)
    wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "[data-job-done], [data-job-error]")))
    assert not browser.find_elements(By.CSS_SELECTOR, "[data-job-error]")
    assert "Đã lập xong phiên bản v1" in browser.find_element(By.CSS_SELECTOR, "[data-job-done]").text
    pages = browser.find_elements(By.CSS_SELECTOR, '[data-doc="bc"] .pages img')
    if shutil.which("pdftoppm"):
        assert pages, "the BC preview is shown page by page"
        wait.until(lambda d: all(d.execute_script("return arguments[0].complete && arguments[0].naturalWidth > 0", p)
                                 for p in pages))
    _shot(browser, shots, "05-van-ban")

    # 6. download the BC as the clerk would and read it
    link = browser.find_element(By.CSS_SELECTOR, '[data-download="BC_XHHT_2015.docx"]').get_attribute("href")
    doc = Document(io.BytesIO(_fetch(browser, link)))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "BÁO CÁO" in text and "Kết quả thực hiện Kế hoạch xây dựng xã hội học tập năm 2015" in text
    tables = "\n".join(c.text for t in doc.tables for r in t.rows for c in r.cells)
    assert "Mỹ Đức, ngày 20 tháng 12 năm 2015" in tables       # the header table of NĐ 30
    assert "Xã Hùng Tiến" in text + tables                    # the excluded value is named in the report

    # 7. seal v1 with the signed scan
    browser.find_element(By.LINK_TEXT, "5. Lưu trữ").click()
    wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, '[data-version="2015/v1"] [data-seal]')))
    scan = tmp_path / "ban-da-ky.pdf"
    scan.write_bytes(b"%PDF-1.4\n% ban da ky\n")
    form = browser.find_element(By.CSS_SELECTOR, '[data-version="2015/v1"] [data-seal]')
    form.find_element(By.NAME, "signed").send_keys(str(scan))
    form.find_element(By.CSS_SELECTOR, "button").click()
    wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "[data-sealed]")))
    assert "Đã niêm phong phiên bản 2015/v1" in browser.find_element(By.CSS_SELECTOR, "[data-sealed]").text
    assert archive.is_sealed(root / "outputs" / "2015" / "v1")
    assert (root / "outputs" / "2015" / "v1" / "signed" / "BanDaKy_2015_v1.pdf").read_bytes() == scan.read_bytes()
    browser.find_element(By.CSS_SELECTOR, "[data-verify]").click()
    assert "toàn vẹn" in wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "[data-verified]"))).text
    _shot(browser, shots, "06-luu-tru")

    # the dashboard with the figures and the series, and on a phone
    browser.get(base + "/nam/2015")
    assert browser.find_elements(By.CSS_SELECTOR, "figure.chart svg")
    _shot(browser, shots, "07-tong-quan-chi-tieu")
    browser.set_window_size(390, 844)
    _shot(browser, shots, "08-dien-thoai")
    width = browser.execute_script("return document.documentElement.scrollWidth")
    assert width <= 400, f"the phone page scrolls sideways ({width}px)"
    assert not [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]   # no CSP or script errors
