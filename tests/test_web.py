"""``xhht serve``: every route through Flask's test client, and the refusals (CSRF, login, host, size, paths)."""

from __future__ import annotations

import io
import re
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest
from docx import Document

from pipeline import archive
from pipeline.web import create_app, views

ROOT = Path(__file__).resolve().parents[1]
INPUTS = ROOT / "inputs"
BAD_FILE = "BieuMau_2015_10492_Hung-Tien.xlsx"   # numerator > denominator at E13, G13


def _inputs(folder: Path, years=(2014, 2015)) -> Path:
    folder.mkdir(parents=True)
    for name in ("plan.yaml", "units.yaml", "office.yaml", "rules.yaml"):
        shutil.copy(INPUTS / name, folder / name)
    for y in years:
        shutil.copytree(INPUTS / "submissions" / str(y), folder / "submissions" / str(y))
    return folder


def _token(client, url="/nam/2015/van-ban") -> str:
    html = client.get(url).get_data(as_text=True)
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


def _dl(client, url: str, **kw):
    """GET a file response and close it (send_file keeps the file open until closed)."""
    resp = client.get(url, **kw)
    resp.get_data()
    resp.close()
    return resp


def _error(resp) -> str:
    m = re.search(r"data-error>(.*?)</p>", resp.get_data(as_text=True), re.S)
    return m.group(1).strip() if m else resp.get_data(as_text=True)[:300]


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    """An app over 2014 and 2015 data, with the 2015 documents made once (shared by the read-only tests).
    LibreOffice is hidden from this app: no test here reads a PDF; the PDF and its preview pages are
    driven in test_web_browser.py."""
    root = tmp_path_factory.mktemp("web")
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(views, "find_soffice", lambda *a, **k: None)
        app = create_app(_inputs(root / "inputs"), root / "outputs")
        client = app.test_client()
        resp = client.post("/nam/2015/van-ban/lap", data={"csrf": _token(client), "date": "2015-12-20",
                                                          "number": "auto"})
        assert resp.status_code == 303
        job = app.extensions["xhht_jobs"].wait(2015, timeout=300)
        assert job.state == "done", job.error
        yield app, client, root


@pytest.fixture
def fresh(tmp_path):
    app = create_app(_inputs(tmp_path / "inputs", years=()), tmp_path / "outputs")
    return app, app.test_client(), tmp_path


# ------------------------------------------------------------------------------------ pages
def test_home_goes_to_newest_year_with_data(fresh):
    _app, client, root = fresh
    assert client.get("/").headers["Location"].endswith("/nam/2014")  # no data: the plan's first year
    shutil.copytree(INPUTS / "submissions" / "2015", root / "inputs" / "submissions" / "2015")
    assert client.get("/").headers["Location"].endswith("/nam/2015")
    assert client.get("/?nam=2016").headers["Location"].endswith("/nam/2016")


def test_dashboard_board_headlines_and_charts(made):
    _app, client, _root = made
    resp = client.get("/nam/2015")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert "Năm 2015: tiến độ nhận báo cáo" in html
    assert html.count('data-unit="') == 37                        # every expected unit is a row
    row = re.search(r'<tr class="has-errors" data-unit="10492">(.*?)</tr>', html, re.S).group(1)
    assert "Xã Hùng Tiến" in row and "Đã nộp, có lỗi" in row
    missing = re.findall(r'<tr class="missing" data-unit="(\w+)">', html)
    assert len(missing) == 1
    assert "15/12/2015" in html                                     # the deadline
    assert "Tỷ lệ xã, thị trấn đạt chuẩn chống mù chữ" in html       # a headline figure
    assert re.search(r"<td class=\"num\">100,0%</td>\s*<td><span class=\"badge ok\">Đạt</span>", html)
    assert html.count('<figure class="chart">') >= 3               # 2014 and 2015: charts of the series
    assert "<svg" in html and "Năm 2014:" in html


def test_dashboard_without_data_says_so(fresh):
    _app, client, _root = fresh
    html = client.get("/nam/2016").get_data(as_text=True)
    assert "Chưa có báo cáo hợp lệ nào của năm 2016" in html
    assert '<figure class="chart">' not in html
    assert html.count('class="missing"') == 37


def test_year_outside_plan_is_refused_in_vietnamese(fresh):
    _app, client, _root = fresh
    resp = client.get("/nam/2030")
    assert resp.status_code == 400
    assert "Năm 2030 nằm ngoài giai đoạn của kế hoạch" in _error(resp)
    assert client.get("/khong-co").status_code == 404
    assert "Không tìm thấy trang" in _error(client.get("/khong-co"))


def test_security_headers(made):
    _app, client, _root = made
    resp = client.get("/nam/2015")
    csp = resp.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "default-src 'none'" in csp and "unsafe-inline" not in csp
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert resp.headers["X-Frame-Options"] == "SAMEORIGIN"
    html = resp.get_data(as_text=True)
    assert "<script>" not in html and " style=" not in html and "http://" not in html and "https://" not in html
    assert _dl(client, "/static/style.css").status_code == 200
    assert _dl(client, "/static/app.js").status_code == 200


def test_forms_page_one_form_and_zip(fresh):
    _app, client, _root = fresh
    html = client.get("/nam/2016/bieu-mau").get_data(as_text=True)
    assert "Tải tất cả (37 biểu mẫu" in html
    resp = _dl(client, "/nam/2016/bieu-mau/10492.xlsx")
    assert resp.status_code == 200
    assert "BieuMau_2016_10492" in resp.headers["Content-Disposition"]
    wb = openpyxl.load_workbook(io.BytesIO(resp.data))
    assert any("Xã Hùng Tiến" in str(c.value) for ws in wb for row in ws.iter_rows() for c in row if c.value)
    resp = _dl(client, "/nam/2016/bieu-mau/tat-ca.zip")
    names = zipfile.ZipFile(io.BytesIO(resp.data)).namelist()
    assert len(names) == 37 and all(n.startswith("BieuMau_2016_") and n.endswith(".xlsx") for n in names)
    resp = client.get("/nam/2016/bieu-mau/99999.xlsx")
    assert resp.status_code == 404 and "Đơn vị mã 99999 không phải báo cáo năm 2016" in _error(resp)


def test_unit_page_marks_problem_and_history(made):
    _app, client, _root = made
    html = client.get("/nam/2015/don-vi/10492").get_data(as_text=True)
    assert "<h1>Xã Hùng Tiến</h1>" in html
    assert "Trang “Số liệu”, các ô E13 và G13" in html
    assert "lớn hơn" in html and "Không dùng" in html
    row = re.search(r'<tr class="has-errors" data-indicator="BIET_CHU_15_35">(.*?)</tr>', html, re.S).group(1)
    assert "2.246 / 2.242" in row and "Không dùng" in row and "(2246) lớn hơn" in row
    assert "numerator-gt-denominator" not in html                     # codes are not shown to the clerk
    assert "<th>2014</th><th>2015</th>" in html                      # history across years
    assert "PhanHoi_2015_10492_" in html and "CV_2015_10492_" in html  # its feedback to download
    link = re.search(r'href="(/nam/2015/tep/v1/phan-hoi/CV_2015_10492_[^"]+)"', html).group(1)
    letter = Document(io.BytesIO(_dl(client, link).data))
    assert "Kính gửi: Ủy ban nhân dân xã Hùng Tiến." in "\n".join(p.text for p in letter.paragraphs)
    assert client.get("/nam/2015/don-vi/nope").status_code == 404


def test_documents_page_lists_files_and_downloads_bc(made):
    _app, client, _root = made
    html = client.get("/nam/2015/van-ban").get_data(as_text=True)
    assert "Phiên bản mới nhất: v1, ngày văn bản 20/12/2015" in html
    assert "Đã lập xong phiên bản v1" in html
    for name in ("BC_XHHT_2015.docx", "KH_XHHT_2016.docx", "TongHop_XHHT_2015.xlsx"):
        assert f'/nam/2015/tep/v1/{name}"' in html
    doc = Document(io.BytesIO(_dl(client, "/nam/2015/tep/v1/BC_XHHT_2015.docx").data))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "BÁO CÁO" in text and "năm 2015" in text
    assert "01/BC-PGDĐT" in text                                     # number taken from the register (auto)


@pytest.mark.parametrize("name", ["manifest.json", "inputs/plan.yaml", "../../inputs/plan.yaml", "%2e%2e/x",
                                  "BC_XHHT_2015.docx/../manifest.json"])
def test_only_listed_version_files_are_served(made, name):
    _app, client, _root = made
    assert client.get(f"/nam/2015/tep/v1/{name}").status_code == 404
    assert client.get("/nam/2015/tep/..%2Fv1/BC_XHHT_2015.docx").status_code == 404
    assert client.get("/nam/2015/tep/v9/BC_XHHT_2015.docx").status_code == 404


def test_progress_api(made):
    _app, client, _root = made
    job = client.get("/api/nam/2015/tien-do").get_json()
    assert job["state"] == "done" and job["version"] == "v1" and job["total"] == job["done"] == 9
    assert client.get("/api/nam/2016/tien-do").get_json() == {"year": 2016, "state": "none"}


def test_archive_page_and_verify(made):
    _app, client, _root = made
    html = client.get("/luu-tru").get_data(as_text=True)
    assert 'data-version="2015/v1"' in html
    assert re.search(r"<td>01/BC-PGDĐT</td><td>20/12/2015</td><td>đã lấy số</td><td>2015/v1</td>", html)
    resp = client.post("/luu-tru/kiem-tra", data={"csrf": _token(client, "/luu-tru")})
    assert "toàn vẹn, không tệp nào bị sửa" in resp.get_data(as_text=True)


# ------------------------------------------------------------------------------------ refusals
def test_post_without_or_with_wrong_csrf_is_refused(fresh):
    _app, client, root = fresh
    for data in ({"date": "2015-12-20"}, {"date": "2015-12-20", "csrf": "x" * 43}):
        resp = client.post("/nam/2015/van-ban/lap", data=data)
        assert resp.status_code == 403
        assert "thiếu mã bảo vệ" in _error(resp)
    assert not (root / "outputs" / "2015").exists()


def test_second_run_of_a_year_is_refused_while_the_first_runs(made):
    app, client, _root = made
    jobs = app.extensions["xhht_jobs"]
    import threading

    gate = threading.Event()
    jobs.start(2016, ("a",), lambda job: gate.wait(10))
    try:
        resp = client.post("/nam/2016/van-ban/lap", data={"csrf": _token(client), "date": "2016-12-20"})
        assert resp.status_code == 409
        assert _error(resp).startswith("Đang lập văn bản năm 2016")
        assert "Hãy chờ lần chạy này xong rồi làm lại." in _error(resp)
        resp = client.post("/luu-tru/niem-phong", data={"csrf": _token(client), "year": "2016", "version": "v1"})
        assert resp.status_code == 409
    finally:
        gate.set()
        jobs.wait(2016)


def test_bad_date_and_number_are_refused(made):
    _app, client, _root = made
    resp = client.post("/nam/2015/van-ban/lap", data={"csrf": _token(client), "date": "32/13/2015"})
    assert resp.status_code == 400 and "“32/13/2015” không phải một ngày" in _error(resp)
    resp = client.post("/nam/2015/van-ban/lap", data={"csrf": _token(client), "date": "20/12/2015", "number": "x"})
    assert resp.status_code == 400 and "Số văn bản" in _error(resp)


def test_other_host_names_are_refused_on_loopback(made):
    _app, client, _root = made
    resp = client.get("/nam/2015", headers={"Host": "evil.example:8765"})
    assert resp.status_code == 421
    assert "chỉ mở được tại địa chỉ của máy này" in _error(resp)
    assert client.get("/nam/2015", headers={"Host": "127.0.0.1:8765"}).status_code == 200


def test_password_mode_needs_login_and_sets_safe_cookie(tmp_path):
    app = create_app(_inputs(tmp_path / "inputs", years=()), tmp_path / "outputs", password="mật-khẩu")
    client = app.test_client()
    resp = client.get("/nam/2015", headers={"Host": "192.168.1.5:8765"})  # any host name once a password is set
    assert resp.status_code == 302 and "/dang-nhap" in resp.headers["Location"]
    assert client.get("/api/nam/2015/tien-do").status_code == 401
    assert client.get("/nam/2015/tep/v1/BC_XHHT_2015.docx").status_code == 302
    page = client.get("/dang-nhap").get_data(as_text=True)
    token = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    assert client.post("/dang-nhap", data={"password": "mật-khẩu"}).status_code == 403   # no CSRF token
    resp = client.post("/dang-nhap", data={"csrf": token, "password": "sai"})
    assert resp.status_code == 401 and "Mật khẩu không đúng." in resp.get_data(as_text=True)
    resp = client.post("/dang-nhap?next=/nam/2016", data={"csrf": token, "password": "mật-khẩu"})
    assert resp.status_code == 303 and resp.headers["Location"] == "/nam/2016"
    cookie = resp.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    assert client.get("/nam/2016").status_code == 200
    assert "Đăng xuất" in client.get("/nam/2016").get_data(as_text=True)
    resp = client.post("/dang-nhap?next=//evil.example/", data={"csrf": token, "password": "mật-khẩu"})
    assert resp.headers["Location"] == "/"                                # no open redirect
    client.post("/dang-xuat", data={"csrf": _token(client, "/nam/2016")})
    assert client.get("/nam/2016").status_code == 302


def test_serve_binds_loopback_by_default_and_needs_a_password_elsewhere(monkeypatch):
    import waitress.server

    seen = {}

    class Server:
        def __init__(self, app, **kw):
            seen.update(app=app, **kw)

        def run(self):
            raise KeyboardInterrupt

        def close(self):
            seen["closed"] = True

    monkeypatch.setattr(waitress.server, "create_server", Server)
    from pipeline.web import serve

    said = []
    serve("inputs", "outputs", open_browser=False, announce=said.append)
    assert seen["host"] == "127.0.0.1" and seen["port"] == 8765 and seen["closed"]
    assert seen["app"].config["XHHT_LOOPBACK_ONLY"] and seen["app"].config["XHHT_PASSWORD"] is None
    assert said[0].startswith("Trang xhht đang chạy tại http://127.0.0.1:8765/") and said[1] == "Đã dừng trang xhht."
    serve("inputs", "outputs", host="0.0.0.0", port=9000, password="pw", open_browser=False, announce=lambda _m: None)
    assert seen["host"] == "0.0.0.0" and seen["app"].config["XHHT_PASSWORD"] == "pw"
    assert not seen["app"].config["XHHT_LOOPBACK_ONLY"]
    client = seen["app"].test_client()
    assert client.get("/nam/2015", headers={"Host": "[::1]:9000"}).status_code == 302     # login first


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")  # waitress leaves its socket to gc
def test_serve_says_when_the_port_is_taken():
    import gc
    import socket

    from pipeline.errors import UsageError
    from pipeline.web import serve

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        with pytest.raises(UsageError, match=f"Không mở được trang tại 127.0.0.1:{port}: cổng đang được chương trình"):
            serve("inputs", "outputs", port=port, open_browser=False, announce=lambda _m: None)
    gc.collect()


def test_serve_command_asks_for_a_password_for_another_host(monkeypatch):
    from click.testing import CliRunner

    import pipeline.web
    from pipeline.cli import cli

    calls = []
    monkeypatch.setattr(pipeline.web, "serve", lambda *a, **kw: calls.append(kw))
    monkeypatch.delenv("XHHT_PASSWORD", raising=False)
    result = CliRunner().invoke(cli, ["serve", "--host", "0.0.0.0", "--no-browser"], input="bí-mật\nbí-mật\n")
    assert result.exit_code == 0, result.output
    assert "Mật khẩu cho trang" in result.output
    assert calls[0]["password"] == "bí-mật" and calls[0]["host"] == "0.0.0.0" and calls[0]["open_browser"] is False
    monkeypatch.setenv("XHHT_PASSWORD", "từ-môi-trường")
    CliRunner().invoke(cli, ["serve", "--host", "0.0.0.0", "--port", "9001"])
    assert calls[1]["password"] == "từ-môi-trường" and calls[1]["port"] == 9001
    CliRunner().invoke(cli, ["serve"])
    assert calls[2]["password"] is None and calls[2]["host"] == "127.0.0.1"
    help_text = CliRunner().invoke(cli, ["serve", "--help"]).output
    assert "serve [TÙY_CHỌN]" in help_text and "--port CỔNG" in help_text
    assert "OPTIONS" not in help_text and "INTEGER" not in help_text


def test_a_failed_run_shows_its_message(fresh):
    app, client, _root = fresh
    client.post("/nam/2016/van-ban/lap", data={"csrf": _token(client, "/nam/2016/van-ban"), "date": "2016-12-20"})
    job = app.extensions["xhht_jobs"].wait(2016)
    assert job.state == "failed" and "Không có báo cáo hợp lệ nào của năm 2016" in job.error
    html = client.get("/nam/2016/van-ban").get_data(as_text=True)
    assert "data-job-error>Không có báo cáo hợp lệ nào của năm 2016" in html.replace('role="alert" ', "")
    assert client.get("/api/nam/2016/tien-do").get_json()["state"] == "failed"


def test_serve_refuses_other_host_without_password():
    from pipeline.errors import UsageError
    from pipeline.web import serve

    with pytest.raises(UsageError, match="phải đặt mật khẩu"):
        serve("inputs", "outputs", host="0.0.0.0", port=1, open_browser=False)


def test_upload_size_limit(tmp_path):
    app = create_app(_inputs(tmp_path / "inputs", years=()), tmp_path / "outputs", max_upload_mb=1)
    client = app.test_client()
    token = _token(client, "/nam/2015/nhan")
    from werkzeug.test import EnvironBuilder

    builder = EnvironBuilder(path="/nam/2015/nhan", method="POST", content_type="multipart/form-data",
                             data={"csrf": token, "files": (io.BytesIO(b"x" * (2 * 1024 * 1024)), "lon.xlsx")})
    environ = builder.get_environ()
    try:
        resp = client.open(environ)
    finally:
        builder.close()
        environ["wsgi.input"].close()  # the test client spools a big body to a temporary file
    assert resp.status_code == 413
    assert "Tệp tải lên quá lớn: tổng dung lượng một lần gửi tối đa 1 MB" in _error(resp)
    assert not (tmp_path / "inputs" / "submissions" / "2015").exists()


# ------------------------------------------------------------------------------------ receive
def _upload(client, year, files, accept=None):
    token = _token(client, f"/nam/{year}/nhan")
    data = {"csrf": token, "files": [(io.BytesIO(body), name) for name, body in files]}
    headers = {"Accept": accept} if accept else {}
    return client.post(f"/nam/{year}/nhan", data=data, content_type="multipart/form-data", headers=headers)


def test_receive_shows_each_file_and_the_error_at_its_cell(fresh):
    _app, client, root = fresh
    src = INPUTS / "submissions" / "2015"
    resp = _upload(client, 2015, [(BAD_FILE, (src / BAD_FILE).read_bytes()),
                                  ("BieuMau_2015_10441_Dai-Nghia.xlsx",
                                   (src / "BieuMau_2015_10441_Dai-Nghia.xlsx").read_bytes())])
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert "Kết quả nhận 2 tệp" in html
    bad = re.search(r"<h3>" + re.escape(BAD_FILE) + r"</h3>(.*?)</article>", html, re.S).group(1)
    assert "Xã Hùng Tiến" in bad and "Số đến <b>1</b>" in bad
    assert "Trang “Số liệu”, các ô E13 và G13" in bad
    assert "(2246) lớn hơn" in bad
    good = re.search(r"<h3>BieuMau_2015_10441_Dai-Nghia.xlsx</h3>(.*?)</article>", html, re.S).group(1)
    assert "Được dùng để tổng hợp" in good and "Không có lỗi." in good
    stored = sorted(p.name for p in (root / "inputs" / "submissions" / "2015").iterdir())
    assert len(stored) == 2
    # the register of incoming documents on the same page, and the same bytes again are not recorded twice
    assert "Sổ văn bản đến năm 2015" in html and html.count("<td class=\"file\">") == 2
    again = _upload(client, 2015, [(BAD_FILE, (src / BAD_FILE).read_bytes())]).get_data(as_text=True)
    assert "Tệp này đã nhận trước đó (số đến 1)" in again
    assert len(list((root / "inputs" / "submissions" / "2015").iterdir())) == 2


def test_receive_json_zip_and_hostile_names(fresh):
    _app, client, root = fresh
    src = INPUTS / "submissions" / "2015"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("../../../evil/BieuMau_a.xlsx", (src / "BieuMau_2015_10444_Dong-Tam.xlsx").read_bytes())
        z.writestr("thu-muc/BieuMau_b.xlsx", (src / "BieuMau_2015_10447_Thuong-Lam.xlsx").read_bytes())
    resp = _upload(client, 2015, [("goi.zip", buf.getvalue()),
                                  ("../../<img src=x onerror=alert(1)>.xlsx", (src / "BieuMau_2015_10450_Tuy-Lai.xlsx")
                                   .read_bytes())], accept="application/json")
    files = resp.get_json()["files"]
    assert [f["unit"] for f in files] == ["10444", "10447", "10450"]
    folder = root / "inputs" / "submissions" / "2015"
    assert sorted(p.parent for p in folder.rglob("*") if p.is_file()) == [folder] * 3   # nothing outside
    assert not (root / "evil").exists() and not (root / "inputs" / "evil").exists()
    assert all("/" not in f["stored"] and ".." not in f["stored"] for f in files)
    html = client.get("/nam/2015/nhan").get_data(as_text=True)
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(1)&gt;.xlsx" in html
    assert files[2]["original"] == "<img src=x onerror=alert(1)>.xlsx"       # folders of the sent name dropped


def test_receive_refusals_use_the_pipeline_messages(fresh):
    _app, client, root = fresh
    resp = _upload(client, 2015, [("ghi-chu.txt", b"hello")])
    assert resp.status_code == 422
    assert "Không nhận được vì không phải bảng tính Excel/LibreOffice" in _error(resp)
    resp = _upload(client, 2015, [("hong.zip", b"PK\x03\x04 not a zip")])
    assert resp.status_code == 422 and "Không mở được tệp nén" in _error(resp)
    resp = client.post("/nam/2015/nhan", data={"csrf": _token(client, "/nam/2015/nhan")},
                       content_type="multipart/form-data")
    assert resp.status_code == 400 and "Chưa chọn tệp nào" in _error(resp)
    assert not [p for p in (root / "inputs" / "submissions").rglob("*") if p.is_file()]  # nothing stored


def test_receive_zip_bomb_and_too_many_members(fresh):
    _app, client, root = fresh
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("bom.xlsx", b"\0" * (21 * 1024 * 1024))          # 21 MB of zeros, ~20 KB compressed
    assert len(buf.getvalue()) < 200_000
    files = _upload(client, 2015, [("bom.zip", buf.getvalue())], accept="application/json").get_json()["files"]
    assert files[0]["note"] == "Tệp lớn hơn 20 MB hoặc rỗng; lần chạy sẽ báo lỗi tệp này."
    assert files[0]["state"] == "rejected" and files[0]["errors"] == 1
    stored = list((root / "inputs" / "submissions" / "2015").iterdir())
    assert [p.stat().st_size for p in stored] == [0]                  # never unpacked to disk
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for n in range(501):
            z.writestr(f"f{n}.xlsx", b"x")
    resp = _upload(client, 2015, [("nhieu.zip", buf.getvalue())])
    assert resp.status_code == 422 and "Tệp nén nhieu.zip có 501 tệp, quá nhiều cho một lần nhận" in _error(resp)


# ------------------------------------------------------------------------------------ seal (last: changes state)
def test_seal_with_signed_scan(made):
    _app, client, root = made
    token = _token(client, "/luu-tru")
    resp = client.post("/luu-tru/niem-phong", data={"csrf": token, "year": "2015", "version": "v1",
                                                    "signed": (io.BytesIO(b"%PDF-1.4 ban da ky"), "../../scan.exe")},
                       content_type="multipart/form-data")
    assert resp.status_code == 400 and "Bản đã ký phải là tệp PDF hoặc ảnh quét" in _error(resp)
    resp = client.post("/luu-tru/niem-phong", data={"csrf": token, "year": "2015", "version": "v1",
                                                    "signed": (io.BytesIO(b"%PDF-1.4 ban da ky"), "../../Bản ký.pdf")},
                       content_type="multipart/form-data")
    assert resp.status_code == 303
    v1 = root / "outputs" / "2015" / "v1"
    assert archive.is_sealed(v1)
    assert [p.name for p in (v1 / "signed").iterdir()] == ["BanDaKy_2015_v1.pdf"]
    html = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "Đã niêm phong phiên bản 2015/v1" in html and "Đã niêm phong</span>" in html
    assert re.search(r"<td>01/BC-PGDĐT</td><td>20/12/2015</td><td>đã ban hành</td><td>2015/v1</td>", html)
    resp = client.post("/luu-tru/niem-phong", data={"csrf": token, "year": "2015", "version": "v1"})
    assert resp.status_code == 400 and "đã được niêm phong; không thể niêm phong lại" in _error(resp)
    assert _dl(client, "/nam/2015/tep/v1/signed/BanDaKy_2015_v1.pdf").data == b"%PDF-1.4 ban da ky"
    resp = client.post("/luu-tru/niem-phong", data={"csrf": token, "year": "2015", "version": "v7"})
    assert resp.status_code == 400 and "Không có phiên bản v7 của năm 2015" in _error(resp)


def test_pages_read_a_years_files_once_until_they_change(fresh, monkeypatch):
    """The dashboard asks for the board, the year's figures and the series over the plan, each reading a
    year and the one before it: the checked years are kept by the key of their files (checkcache.year_key),
    so a second look reads no file again, and a file received in between is read and shown."""
    import pipeline.runner

    _app, client, root = fresh
    monkeypatch.setenv("XHHT_NO_FORK", "1")  # every read in this process, where it is counted
    for y in (2014, 2015):
        shutil.copytree(INPUTS / "submissions" / str(y), root / "inputs" / "submissions" / str(y))
    (root / "inputs" / "submissions" / "2015" / BAD_FILE).unlink()
    reads = []
    real = pipeline.runner.check_and_read
    monkeypatch.setattr(pipeline.runner, "check_and_read", lambda *a, **k: reads.append(a[2]) or real(*a, **k))
    first = client.get("/nam/2015").get_data(as_text=True)
    assert reads and html_units(first)["10492"] == "missing"
    reads.clear()
    assert client.get("/nam/2015").get_data(as_text=True) == first and reads == []
    shutil.copy(INPUTS / "submissions" / "2015" / BAD_FILE, root / "inputs" / "submissions" / "2015" / BAD_FILE)
    third = client.get("/nam/2015").get_data(as_text=True)
    assert reads and set(reads) == {2015} and html_units(third)["10492"] == "has-errors"


def html_units(html: str) -> dict[str, str]:
    """The board's rows: unit code -> the row's class."""
    return {code: cls for cls, code in re.findall(r'<tr class="([\w-]+)" data-unit="(\w+)">', html)}
