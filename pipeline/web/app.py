"""The Flask application: configuration, safety (login, CSRF, headers, host check) and the run queue.

Safety by default:

- ``serve`` binds to 127.0.0.1; then only requests addressed to a loopback name are answered (a page
  elsewhere cannot reach the app through DNS rebinding).
- Any other ``--host`` needs a password: every page then asks for a login (session cookie HttpOnly,
  SameSite=Strict).
- Every POST carries a CSRF token (also on the loopback address: a web page open in another tab
  must not be able to post to the office's app).
- Uploads have a size limit; uploaded names are never used as paths (see :mod:`pipeline.web.uploads`).
- Jinja autoescape is on for every template; a strict Content-Security-Policy allows only the
  app's own scripts and styles (no inline script, no CDN).
- At most one run per year at a time: a second request is refused with a clear message.
"""

from __future__ import annotations

import datetime as _dt
import hmac
import secrets
import sys
import threading
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from flask import Flask, abort, jsonify, redirect, render_template, request, session, url_for
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from ..errors import UsageError, XhhtError

DEFAULT_PORT = 8765
MAX_UPLOAD_MB = 50
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}

CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
       "frame-src 'self'; object-src 'none'; form-action 'self'; base-uri 'none'; frame-ancestors 'self'")


class Busy(UsageError):
    """A run of the same year is still going."""


@dataclass
class Job:
    """One run of the documents of a year, in a background thread."""

    year: int
    started: _dt.datetime
    stages: tuple[str, ...]
    stage: str = ""
    done_stages: int = 0
    state: str = "running"          # running | done | failed
    error: str = ""
    version: str = ""
    notes: list[str] = field(default_factory=list)
    summary: dict = field(default_factory=dict)
    finished: _dt.datetime | None = None
    unchanged: bool = False

    def to_dict(self) -> dict:
        return {"year": self.year, "state": self.state, "stage": self.stage, "done": self.done_stages,
                "total": len(self.stages), "error": self.error, "version": self.version, "notes": self.notes,
                "started": self.started.strftime("%H:%M:%S")}


class Jobs:
    """At most one running job per year; the last job of each year is kept to show its result."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._jobs: dict[int, Job] = {}

    def get(self, year: int) -> Job | None:
        return self._jobs.get(year)

    def running(self, year: int) -> bool:
        job = self._jobs.get(year)
        return job is not None and job.state == "running"

    def refuse_if_running(self, year: int) -> None:
        job = self._jobs.get(year)
        if job is not None and job.state == "running":
            raise Busy(f"Đang lập văn bản năm {year} (bắt đầu lúc {job.started:%H:%M:%S}, bước: "
                       f"{job.stage or 'chuẩn bị'}). Hãy chờ lần chạy này xong rồi làm lại.")

    def start(self, year: int, stages: tuple[str, ...], work: Callable[[Job], None]) -> Job:
        """Start ``work(job)`` in a thread; raise Busy if a job of ``year`` is running."""
        with self._lock:
            self.refuse_if_running(year)
            job = Job(year, _dt.datetime.now(), stages)
            self._jobs[year] = job

        def target():
            try:
                work(job)
                job.state = "done"
            except XhhtError as exc:
                job.error, job.state = str(exc), "failed"
            except Exception as exc:  # noqa: BLE001 - shown to the clerk instead of a dead thread
                traceback.print_exc(file=sys.stderr)
                job.error = f"Lỗi không mong đợi khi lập văn bản: {type(exc).__name__}: {exc}."
                job.state = "failed"
            finally:
                job.finished = _dt.datetime.now()

        threading.Thread(target=target, name=f"xhht-run-{year}", daemon=True).start()
        return job

    def wait(self, year: int, timeout: float = 120.0) -> Job | None:
        """Wait until the job of ``year`` is finished (tests and the no-JS path)."""
        end = time.monotonic() + timeout
        while self.running(year) and time.monotonic() < end:
            time.sleep(0.05)
        return self.get(year)


def _hostname(host: str) -> str:
    """``127.0.0.1:8765`` -> ``127.0.0.1``; ``[::1]:8765`` -> ``::1``."""
    if host.startswith("["):
        return host[1:].split("]", 1)[0]
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def _csrf_token() -> str:
    token = session.get("csrf")
    if not token:
        token = session["csrf"] = secrets.token_urlsafe(32)
    return token


def create_app(inputs: Path | str = "inputs", outputs: Path | str = "outputs", password: str | None = None,
               secret_key: bytes | None = None, max_upload_mb: int = MAX_UPLOAD_MB,
               loopback_only: bool | None = None, clock: Callable[[], _dt.datetime] | None = None) -> Flask:
    """Return the app for the data folder ``inputs`` and the results folder ``outputs``.

    ``password``: when set, every page needs a login. ``loopback_only`` (default: no password)
    answers only requests addressed to 127.0.0.1/localhost. ``clock`` gives the current time (receipt
    times and the board's "today"; a demonstration or a test can set the day the files arrive).
    """
    app = Flask(__name__, static_folder="static", template_folder="templates")
    app.config.update(
        SECRET_KEY=secret_key or secrets.token_bytes(32),
        MAX_CONTENT_LENGTH=max_upload_mb * 1024 * 1024,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Strict",
        SESSION_COOKIE_NAME="xhht_session",
        XHHT_INPUTS=Path(inputs),
        XHHT_OUTPUTS=Path(outputs),
        XHHT_PASSWORD=password or None,
        XHHT_LOOPBACK_ONLY=(password is None) if loopback_only is None else loopback_only,
        XHHT_MAX_UPLOAD_MB=max_upload_mb,
        XHHT_CLOCK=clock or _dt.datetime.now,
    )
    app.jinja_env.autoescape = True  # also for templates whose name is not .html
    app.extensions["xhht_jobs"] = Jobs()
    app.jinja_env.globals["csrf_token"] = _csrf_token

    @app.before_request
    def _guard():
        if app.config["XHHT_LOOPBACK_ONLY"] and _hostname(request.host or "") not in LOOPBACK_HOSTS:
            abort(421)
        if app.config["XHHT_PASSWORD"] and not session.get("auth") \
                and request.endpoint not in ("web.login", "static"):
            if request.method == "GET" and not request.path.startswith("/api/"):
                return redirect(url_for("web.login", next=request.full_path if request.query_string else request.path))
            abort(401)
        if request.method == "POST":
            sent = request.form.get("csrf") or request.headers.get("X-CSRF-Token") or ""
            if not session.get("csrf") or not hmac.compare_digest(sent, session["csrf"]):
                abort(403, "csrf")

    @app.after_request
    def _headers(resp):
        resp.headers["Content-Security-Policy"] = CSP
        resp.headers["X-Content-Type-Options"] = "nosniff"
        resp.headers["X-Frame-Options"] = "SAMEORIGIN"
        resp.headers["Referrer-Policy"] = "no-referrer"
        resp.headers.setdefault("Cache-Control", "no-store")
        return resp

    messages = {
        400: "Yêu cầu không hợp lệ.",
        401: "Cần đăng nhập để dùng trang này.",
        403: "Yêu cầu bị từ chối.",
        404: "Không tìm thấy trang hoặc tệp này.",
        405: "Thao tác này không dùng được ở địa chỉ này.",
        409: "Đang có việc khác cùng năm; hãy chờ xong rồi làm lại.",
        413: f"Tệp tải lên quá lớn: tổng dung lượng một lần gửi tối đa {max_upload_mb} MB. "
             "Hãy gửi từng tệp hoặc chia nhỏ tệp nén.",
        421: "Trang này chỉ mở được tại địa chỉ của máy này (127.0.0.1 hoặc localhost).",
    }

    def _wants_json() -> bool:
        return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"

    def _error(status: int, message: str):
        if _wants_json():
            return jsonify({"ok": False, "error": message}), status
        return render_template("error.html", status=status, message=message), status

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        status = exc.code or 500
        message = messages.get(status, "Có lỗi khi xử lý yêu cầu.")
        if status == 403 and exc.description == "csrf":
            message = ("Phiên làm việc đã hết hạn hoặc yêu cầu không xuất phát từ trang này (thiếu mã bảo vệ). "
                       "Hãy tải lại trang rồi làm lại.")
        elif isinstance(exc, RequestEntityTooLarge):
            message = messages[413]
        elif status == 404 and exc.description and not exc.description.startswith("The requested URL"):
            message = exc.description
        return _error(status, message)

    @app.errorhandler(XhhtError)
    def _xhht_error(exc: XhhtError):
        status = 409 if isinstance(exc, Busy) else 400 if isinstance(exc, UsageError) else 422
        return _error(status, str(exc))

    from .views import bp

    app.register_blueprint(bp)
    return app


def is_loopback(host: str) -> bool:
    return host in LOOPBACK_HOSTS or host.startswith("127.")


def serve(inputs: Path | str = "inputs", outputs: Path | str = "outputs", host: str = "127.0.0.1",
          port: int = DEFAULT_PORT, password: str | None = None, open_browser: bool = True,
          announce: Callable[[str], None] = print) -> None:
    """Serve the app with waitress until interrupted; open the browser at it."""
    from waitress.server import create_server

    if not is_loopback(host) and not password:
        raise UsageError("Khi mở trang cho máy khác (--host khác 127.0.0.1) phải đặt mật khẩu: biến môi trường "
                         "XHHT_PASSWORD hoặc nhập khi được hỏi.")
    app = create_app(inputs, outputs, password=password if not is_loopback(host) or password else None,
                     loopback_only=is_loopback(host))
    shown = "127.0.0.1" if host in ("127.0.0.1", "localhost") else host
    url = f"http://{shown}:{port}/"
    try:
        server = create_server(app, host=host, port=port, threads=4, ident="xhht")
    except OSError as exc:
        import errno

        why = ("cổng đang được chương trình khác dùng (có thể một trang xhht khác đang chạy): thử --port khác"
               if exc.errno in (errno.EADDRINUSE, 10048) else "địa chỉ không dùng được trên máy này")
        raise UsageError(f"Không mở được trang tại {host}:{port}: {why}.") from exc
    announce(f"Trang xhht đang chạy tại {url} (dữ liệu: {Path(inputs)}, kết quả: {Path(outputs)}). "
             "Nhấn Ctrl+C để dừng.")
    if open_browser:
        import webbrowser

        threading.Timer(1.0, webbrowser.open, args=(url,)).start()
    try:
        server.run()
    except KeyboardInterrupt:
        announce("Đã dừng trang xhht.")
    finally:
        server.close()
