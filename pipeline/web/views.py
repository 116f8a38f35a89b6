"""The pages. Each route reads the request, calls the pipeline API, renders a template."""

from __future__ import annotations

import datetime as _dt
import hmac
import io
import re
import shutil
import subprocess
import tempfile
import time
import zipfile
from pathlib import Path

from flask import (Blueprint, abort, current_app, jsonify, redirect, render_template, request, send_file, session,
                   url_for)

from .. import archive, register
from ..errors import UsageError
from ..forms import build_form, form_filename, save_workbook, write_forms
from ..pdf import find_soffice
from ..runner import STAGES, parse_number, run
from . import charts, data, uploads

bp = Blueprint("web", __name__)
_VERSION_RE = re.compile(r"^v\d+$")
SIGNED_SUFFIXES = (".pdf", ".png", ".jpg", ".jpeg", ".tif", ".tiff")


def _inputs() -> Path:
    return current_app.config["XHHT_INPUTS"]


def _outputs() -> Path:
    return current_app.config["XHHT_OUTPUTS"]


def _now() -> _dt.datetime:
    return current_app.config["XHHT_CLOCK"]()


def _jobs():
    return current_app.extensions["xhht_jobs"]


def _catalog_for(year: int | None = None):
    cat = data.catalog(_inputs())
    if year is not None:
        cat.check_year(year)
    return cat


def _page(template: str, year: int | None = None, **ctx):
    cat = ctx.pop("cat", None) or data.catalog(_inputs())
    return render_template(template, year=year, years=data.plan_years(cat), office=cat.office, plan=cat.plan,
                           auth=bool(current_app.config["XHHT_PASSWORD"]), **ctx)


def _version(year: int, name: str) -> Path:
    if not _VERSION_RE.match(name):
        abort(404)
    path = archive.year_dir(_outputs(), year) / name
    if not (path / archive.MANIFEST).is_file():
        abort(404)
    return path


def _parse_date(text: str) -> _dt.date:
    text = (text or "").strip()
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return _dt.datetime.strptime(text, fmt).date()
        except ValueError:
            pass
    raise UsageError(f"“{text}” không phải một ngày (ví dụ 20/12/2015).")


# ------------------------------------------------------------------------------------------ login
@bp.route("/dang-nhap", methods=["GET", "POST"])
def login():
    error = ""
    if request.method == "POST":
        password = current_app.config["XHHT_PASSWORD"] or ""
        if hmac.compare_digest(request.form.get("password", "").encode(), password.encode()):
            csrf = session.get("csrf")
            session.clear()
            session["auth"] = True
            if csrf:
                session["csrf"] = csrf
            target = request.args.get("next", "/")
            return redirect(target if target.startswith("/") and not target.startswith("//") else "/", 303)
        time.sleep(0.5)
        error = "Mật khẩu không đúng."
    return render_template("login.html", error=error), (401 if error else 200)


@bp.route("/dang-xuat", methods=["POST"])
def logout():
    session.clear()
    return redirect(url_for("web.login"), 303)


# -------------------------------------------------------------------------------------- dashboard
@bp.route("/")
def home():
    cat = data.catalog(_inputs())
    year = request.args.get("nam", type=int)
    if year not in data.plan_years(cat):
        year = data.default_year(cat, _inputs())
    return redirect(url_for("web.dashboard", year=year))


@bp.route("/nam/<int:year>")
def dashboard(year: int):
    cat = _catalog_for(year)
    board = data.board(_inputs(), _outputs(), year, _now().date())
    model = data.model_or_none(cat, _inputs(), year, _outputs()) if board.count("received") else None
    series = data.series(cat, _inputs(), _outputs())
    targets = data.targets_by_year(cat)
    names = {i.code: i.name for i in cat.plan.indicators}
    chart_list = [charts.line_chart(names[code], points, targets.get(code, []), data.plan_years(cat))
                  for code, points in series.items() if len(points) > 1]
    return _page("dashboard.html", year, cat=cat, board=board, headlines=data.headlines(model),
                 charts=chart_list, job=_jobs().get(year))


# ------------------------------------------------------------------------------------------ forms
@bp.route("/nam/<int:year>/bieu-mau")
def forms_page(year: int):
    cat = _catalog_for(year)
    units = [(u, form_filename(u, year)) for u in cat.expected_units(year)]
    return _page("forms.html", year, cat=cat, units=units)


@bp.route("/nam/<int:year>/bieu-mau/<code>.xlsx")
def form_one(year: int, code: str):
    cat = _catalog_for(year)
    unit = next((u for u in cat.expected_units(year) if u.code == code), None)
    if unit is None:
        abort(404, f"Đơn vị mã {code} không phải báo cáo năm {year}.")
    with tempfile.TemporaryDirectory(prefix="xhht-form-") as tmp:
        path = Path(tmp) / form_filename(unit, year)
        save_workbook(build_form(cat, unit, year), path)
        body = io.BytesIO(path.read_bytes())
    return send_file(body, as_attachment=True, download_name=form_filename(unit, year),
                     mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@bp.route("/nam/<int:year>/bieu-mau/tat-ca.zip")
def form_zip(year: int):
    cat = _catalog_for(year)
    paths = write_forms(cat, year, _outputs())
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for p in paths:
            z.write(p, p.name)
    buf.seek(0)
    return send_file(buf, as_attachment=True, download_name=f"BieuMau_XHHT_{year}.zip", mimetype="application/zip")


# ---------------------------------------------------------------------------------------- receive
@bp.route("/nam/<int:year>/nhan", methods=["GET", "POST"])
def receive_page(year: int):
    cat = _catalog_for(year)
    results = None
    if request.method == "POST":
        _jobs().refuse_if_running(year)
        files = [(f.filename or "", f.read()) for f in request.files.getlist("files") if f]
        if not files:
            raise UsageError("Chưa chọn tệp nào. Hãy kéo thả hoặc chọn các tệp Excel (hoặc tệp nén .zip) "
                             "đơn vị gửi.")
        results = uploads.receive(cat, _inputs(), _outputs(), year, files, _now())
        if request.accept_mimetypes.best == "application/json":
            return jsonify({"ok": True, "files": [r.to_dict() for r in results]})
    return _page("receive.html", year, cat=cat, results=results,
                 incoming=uploads.incoming(_outputs(), _inputs(), year),
                 max_mb=current_app.config["XHHT_MAX_UPLOAD_MB"])


# ------------------------------------------------------------------------------------------- unit
@bp.route("/nam/<int:year>/don-vi/<code>")
def unit_page(year: int, code: str):
    cat = _catalog_for(year)
    unit = cat.unit(code)
    if unit is None:
        abort(404, f"Không có đơn vị mã {code} trong danh sách đơn vị.")
    status, values, issues = data.unit_detail(cat, _inputs(), _outputs(), year, code)
    years, history = data.unit_history(cat, _inputs(), _outputs(), code)
    names = {i.code: i.name for i in cat.plan.indicators}
    return _page("unit.html", year, cat=cat, unit=unit, kind=cat.kinds[unit.kind].name, status=status,
                 values=values, issues=issues, issue_views=uploads.issue_views(issues, names), history_years=years, history=history, names=names,
                 feedback=data.feedback_files(_outputs(), year, code))


# -------------------------------------------------------------------------------------- documents
@bp.route("/nam/<int:year>/van-ban")
def documents_page(year: int):
    cat = _catalog_for(year)
    latest = archive.latest(_outputs(), year)
    docs = data.documents_of(latest, year) if latest else []
    previews = {}
    if latest:
        for d in docs:
            if d["pdf"]:
                previews[d["file"]] = _preview_pages(year, latest, d["pdf"])
    sealed = archive.is_sealed(latest) if latest else False
    issued = archive.read_manifest(latest).get("options", {}).get("date", "") if latest else ""
    return _page("documents.html", year, cat=cat, latest=latest.name if latest else None, docs=docs, issued=issued,
                 previews=previews, sealed=sealed, job=_jobs().get(year), soffice=bool(find_soffice(_inputs() / "office.yaml")),
                 today=_now().date().isoformat(), stages=STAGES,
                 feedback=[f for f in data.version_files(latest) if f.startswith("phan-hoi/")] if latest else [])


@bp.route("/nam/<int:year>/van-ban/lap", methods=["POST"])
def documents_make(year: int):
    _catalog_for(year)
    issued = _parse_date(request.form.get("date", ""))
    number = request.form.get("number", "blank")
    if number == "given":
        number = request.form.get("given", "").strip()
        if not number:
            raise UsageError("Hãy ghi số văn bản do văn thư cấp (ví dụ 12, hoặc 12,5 cho báo cáo và kế hoạch), "
                             "hoặc chọn “để trống cho văn thư ghi”.")
    elif number not in ("blank", "auto"):
        raise UsageError("Số văn bản: chọn “để trống cho văn thư ghi”, “lấy số tiếp theo trong sổ” hoặc ghi số "
                         "do văn thư cấp.")
    parse_number(number)  # refuse a malformed number now, with the CLI's message
    force = request.form.get("force") == "1"
    inputs, outputs, pdf = _inputs(), _outputs(), bool(find_soffice(_inputs() / "office.yaml"))

    def work(job):
        def step(name):
            job.stage = name
            job.done_stages += 1

        result = run(inputs, outputs, year, issued, on_stage=step, number=number, pdf=pdf, force=force)
        job.version = result.version.name
        job.unchanged = result.unchanged
        job.notes = list(result.notes)
        if result.unchanged:
            job.notes.insert(0, f"Không có thay đổi so với {result.version.name} (cùng dữ liệu, ngày, số văn bản "
                                "và phiên bản xhht): không lập phiên bản mới. Đánh dấu “lập lại dù không có thay "
                                "đổi” nếu vẫn muốn lập.")
        job.summary = {"expected": result.expected, "received": result.received,
                       "with_errors": result.with_errors, "missing": result.missing}

    _jobs().start(year, STAGES, work)
    if request.accept_mimetypes.best == "application/json":
        return jsonify({"ok": True, "progress": url_for("web.progress", year=year)})
    return redirect(url_for("web.documents_page", year=year), 303)


@bp.route("/api/nam/<int:year>/tien-do")
def progress(year: int):
    job = _jobs().get(year)
    return jsonify(job.to_dict() if job else {"year": year, "state": "none"})


@bp.route("/nam/<int:year>/tep/<vname>/<path:name>")
def version_file(year: int, vname: str, name: str):
    version = _version(year, vname)
    if name not in data.version_files(version):  # only the files the manifest lists: never a path from the URL
        abort(404)
    path = version / name
    inline = name.endswith(".pdf") and request.args.get("xem") == "1"
    return send_file(path, as_attachment=not inline, download_name=Path(name).name)


def _preview_pages(year: int, version: Path, pdf: str) -> list[str]:
    """Render the PDF's pages as JPEG (pdftoppm) once, into a cache outside the version; return page names.
    (JPEG: pdftoppm writes a 70 dpi page in a tenth of the time it takes for PNG, at about the same size.)"""
    if shutil.which("pdftoppm") is None:
        return []
    digest = next((e["sha256"] for e in archive.read_manifest(version).get("outputs", []) if e["file"] == pdf), "")
    cache = _outputs() / ".xhht-web" / "xem" / f"{digest[:32]}-jpg"
    if not digest:
        return []
    if not cache.is_dir():
        tmp = Path(tempfile.mkdtemp(prefix=".tmp-", dir=_ensure(cache.parent)))
        try:
            subprocess.run(["pdftoppm", "-jpeg", "-jpegopt", "quality=90", "-r", "70", str(version / pdf),
                            str(tmp / "trang")],
                           check=True, capture_output=True, timeout=120)
            tmp.rename(cache)
        except (OSError, subprocess.SubprocessError):
            shutil.rmtree(tmp, ignore_errors=True)
            return []
    return sorted((p.name for p in cache.glob("trang-*.jpg")), key=lambda n: int(re.sub(r"\D", "", n) or 0))


def _ensure(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@bp.route("/nam/<int:year>/xem/<vname>/<pdf>/<page>")
def preview_page(year: int, vname: str, pdf: str, page: str):
    version = _version(year, vname)
    if pdf not in data.version_files(version) or not pdf.endswith(".pdf"):
        abort(404)
    pages = _preview_pages(year, version, pdf)
    if page not in pages:
        abort(404)
    digest = next(e["sha256"] for e in archive.read_manifest(version)["outputs"] if e["file"] == pdf)
    return send_file(_outputs() / ".xhht-web" / "xem" / f"{digest[:32]}-jpg" / page, mimetype="image/jpeg")


# ---------------------------------------------------------------------------------------- archive
@bp.route("/luu-tru")
def archive_page():
    cat = data.catalog(_inputs())
    year = request.args.get("nam", type=int)
    return _page("archive.html", year or data.default_year(cat, _inputs()), cat=cat,
                 versions=archive.list_versions(_outputs()), outgoing=register.entries(_outputs()),
                 incoming=uploads.incoming(_outputs(), _inputs(), None), verified=None)


@bp.route("/luu-tru/kiem-tra", methods=["POST"])
def archive_verify():
    cat = data.catalog(_inputs())
    result = archive.verify(_outputs())
    return _page("archive.html", data.default_year(cat, _inputs()), cat=cat,
                 versions=archive.list_versions(_outputs()), outgoing=register.entries(_outputs()),
                 incoming=uploads.incoming(_outputs(), _inputs(), None), verified=result)


@bp.route("/luu-tru/niem-phong", methods=["POST"])
def archive_seal():
    year = request.form.get("year", type=int)
    version = request.form.get("version", "")
    if not year or not _VERSION_RE.match(version):
        raise UsageError("Hãy chọn năm và phiên bản cần niêm phong.")
    _catalog_for(year)
    _jobs().refuse_if_running(year)
    upload = request.files.get("signed")
    with tempfile.TemporaryDirectory(prefix="xhht-signed-") as tmp:
        signed = None
        if upload and upload.filename:
            suffix = Path(upload.filename).suffix.lower()
            if suffix not in SIGNED_SUFFIXES:
                raise UsageError(f"Bản đã ký phải là tệp PDF hoặc ảnh quét ({', '.join(SIGNED_SUFFIXES)}); "
                                 f"tệp đã chọn có đuôi “{suffix or 'không có'}”.")
            signed = Path(tmp) / f"BanDaKy_{year}_{version}{suffix}"  # the uploaded name is never a path
            upload.save(signed)
            if signed.stat().st_size == 0:
                raise UsageError("Tệp bản đã ký rỗng (0 byte). Hãy chọn lại tệp quét.")
        archive.seal(_outputs(), year, int(version[1:]), signed)
    return redirect(url_for("web.archive_page", nam=year, niem_phong=f"{year}/{version}") + "#phien-ban", 303)


# ----------------------------------------------------------------------------------------- static
@bp.app_template_filter("vn_number")
def _vn_number(value):
    from ..vnformat import number

    return number(value) if value is not None else "–"


@bp.app_template_filter("vn_percent")
def _vn_percent(value):
    from ..vnformat import percent

    return percent(value) if value is not None else "–"


@bp.app_template_filter("vn_points")
def _vn_points(value):
    from ..vnformat import points

    if value is None:
        return "–"
    return ("+" if value > 0 else "−" if value < 0 else "") + points(abs(value))


@bp.app_template_filter("vn_date")
def _vn_date(value):
    if not value:
        return "–"
    if isinstance(value, str):
        try:
            value = _dt.date.fromisoformat(value[:10])
        except ValueError:
            return value
    return value.strftime("%d/%m/%Y")
