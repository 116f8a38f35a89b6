"""The ``xhht`` command line: parse arguments, call one library function, print the result.

All messages are Vietnamese. Exit codes: 0 done (documents written even if some units had
errors), 1 nothing could be produced or data is invalid, 2 usage error.
"""

from __future__ import annotations

import datetime as _dt
import json
import sys
from pathlib import Path

import click

from . import __version__
from .cli_vi import install as _install_vietnamese
from .cli_vi import vietnamese_metavars as _vietnamese_metavars
from .errors import XhhtError

_install_vietnamese()

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


def library_message(exc: BaseException) -> str | None:
    """A Vietnamese sentence for an error raised by a library or the OS (None: not one we know)."""
    name = type(exc).__name__
    filename = getattr(exc, "filename", None)
    if name == "PackageNotFoundError":  # python-docx: not a .docx, or a missing file
        what = str(exc).split("'")[1] if "'" in str(exc) else ""
        return (f"Không mở được {what or 'tệp'} như một tệp Word (.docx): tệp không tồn tại, bị hỏng hoặc không "
                "phải .docx. Hãy mở tệp bằng Word, lưu lại dạng .docx rồi thử lại.")
    if name in ("InvalidFileException", "BadZipFile"):
        return (f"Tệp không phải bảng tính/văn bản Office hợp lệ ({exc}). Hãy mở tệp bằng Excel hoặc Word, lưu lại "
                "rồi thử lại.")
    if isinstance(exc, PermissionError):
        from .atomic_files import locked_message

        return locked_message(filename or "tệp kết quả")
    if isinstance(exc, FileNotFoundError):
        return f"Không tìm thấy {filename or 'tệp'}. Hãy kiểm tra lại đường dẫn."
    if isinstance(exc, IsADirectoryError):
        return f"{filename} là một thư mục, không phải tệp. Hãy ghi đường dẫn tới tệp."
    if isinstance(exc, OSError) and getattr(exc, "errno", None) == 28:
        return f"Ổ đĩa đã đầy, không ghi được {filename or 'kết quả'}. Hãy giải phóng dung lượng rồi chạy lại."
    if isinstance(exc, OSError):
        return (f"Lỗi hệ thống khi đọc/ghi {filename or 'tệp'} ({exc.strerror or exc}). Hãy kiểm tra tệp, quyền ghi "
                "rồi chạy lại.")
    if isinstance(exc, UnicodeError):
        return ("Gặp ký tự không hiển thị/ghi được theo bảng mã hiện tại. Hãy chạy lại; nếu vẫn lỗi, đặt biến môi "
                "trường PYTHONUTF8=1.")
    return None


class _Group(click.Group):
    """Turn every XhhtError (and a library or OS error) into ``Lỗi: …`` on stderr and its exit code; no traceback."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except XhhtError as exc:
            click.echo(f"Lỗi: {exc}", err=True)
            ctx.exit(exc.exit_code)
        except (click.exceptions.Exit, click.ClickException, click.exceptions.Abort, KeyboardInterrupt, SystemExit):
            raise
        except BrokenPipeError:  # `xhht status | head`: the reader has gone; stop quietly
            import os

            try:
                sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - so the interpreter's final flush succeeds
            except OSError:  # pragma: no cover
                pass
            ctx.exit(0)
        except Exception as exc:  # noqa: BLE001 - the edge: say what happened, in Vietnamese
            message = library_message(exc)
            if message is None:
                raise
            click.echo(f"Lỗi: {message}", err=True)
            ctx.exit(1)


def _inputs_option(f):
    return click.option("--inputs", "inputs", type=click.Path(file_okay=False, path_type=Path), default=Path("inputs"),
                        metavar="THƯ_MỤC",
                        show_default=True, help="Thư mục dữ liệu vào (plan.yaml, units.yaml, office.yaml, submissions/).")(f)


def _outputs_option(f):
    return click.option("--outputs", "outputs", type=click.Path(file_okay=False, path_type=Path),
                        default=Path("outputs"), metavar="THƯ_MỤC", show_default=True, help="Thư mục kết quả.")(f)


class _Year(click.ParamType):
    name = "năm"

    def convert(self, value, param, ctx):
        try:
            year = int(str(value).strip())
        except ValueError:
            self.fail(f"'{value}' không phải là một năm (ví dụ 2015).", param, ctx)
        if not 1900 <= year <= 2999:
            self.fail(f"{year} không phải là một năm hợp lệ.", param, ctx)
        return year


def _year_option(f):
    return click.option("--year", "year", type=_Year(), required=True, metavar="NĂM",
                        help="Năm báo cáo, ví dụ 2015.")(f)


def parse_date(value: str) -> _dt.date:
    """Read a date typed as ``dd/mm/yyyy`` (also ``dd-mm-yyyy``, ``dd.mm.yyyy``) or ``yyyy-mm-dd``."""
    text = str(value).strip()
    for fmt in ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d"):
        try:
            return _dt.datetime.strptime(text, fmt).date()
        except ValueError:
            pass
    raise ValueError(text)


def _parse_date(_ctx, _param, value):
    if value is None:
        return None
    try:
        return parse_date(value)
    except ValueError:
        raise click.BadParameter(f"'{value}' không phải một ngày dạng dd/mm/yyyy hoặc yyyy-mm-dd "
                                 "(ví dụ 20/12/2015 hoặc 2015-12-20).")


@click.group(cls=_Group, context_settings=CONTEXT)
@click.version_option(__version__, "-V", "--version", message="xhht %(version)s")
def cli():
    """xhht: tổng hợp báo cáo xây dựng xã hội học tập và lập văn bản theo Nghị định 30/2020.

    \b
    Các bước thường dùng:
      xhht forms --year 2016     gửi biểu mẫu cho các đơn vị
      xhht validate --year 2015  kiểm tra các tệp các đơn vị đã gửi
      xhht run --year 2015       lập báo cáo (DOCX) và bảng tổng hợp (XLSX)
    """


# ------------------------------------------------------------------------------------------- plan
@cli.group(name="plan", cls=_Group)
def plan_group():
    """Xem kế hoạch, đơn vị và cơ quan đã nạp từ thư mục dữ liệu."""


@plan_group.command(name="targets")
@_inputs_option
@click.option("--json", "as_json", is_flag=True, help="In ra dạng JSON (một đối tượng cho mỗi chỉ tiêu).")
def plan_targets(inputs, as_json):
    """Liệt kê các chỉ tiêu của kế hoạch (mục I)."""
    from .plan import load_catalog, targets_table

    rows = targets_table(load_catalog(inputs).plan)
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    from .vnformat import percent

    click.echo(f"{'Mã chỉ tiêu':<22} {'Năm':>4}  {'Loại':<9} {'Giá trị':>8}  Tên chỉ tiêu")
    for r in rows:
        value = percent(r["value"]) if r["value"] is not None else "tăng"
        click.echo(f"{r['indicator']:<22} {r['year']:>4}  {r['kind']:<9} {value:>8}  {r['name']}")
    click.echo(f"Tổng số: {len(rows)} chỉ tiêu.")


@plan_group.command(name="units")
@_inputs_option
@click.option("--year", "year", type=int, default=None, metavar="NĂM", help="Chỉ các đơn vị phải báo cáo năm này.")
def plan_units(inputs, year):
    """Liệt kê các đơn vị báo cáo và số chỉ tiêu mỗi đơn vị báo cáo."""
    from .plan import load_catalog

    cat = load_catalog(inputs)
    units = cat.expected_units(year) if year else list(cat.units)
    for u in units:
        period = f"{u.valid_from or '…'} → {u.valid_to or '…'}"
        click.echo(f"{u.code:<9} {u.name:<40} {cat.kinds[u.kind].name:<26} {len(u.indicators):>2} chỉ tiêu  {period}")
    click.echo(f"Tổng số: {len(units)} đơn vị.")


@plan_group.command(name="check")
@_inputs_option
def plan_check(inputs):
    """Kiểm tra plan.yaml, units.yaml và office.yaml."""
    from .plan import load_catalog

    from .errors import CatalogError
    from .wording import check_wording

    cat = load_catalog(inputs)
    from .review import check_review_wording

    wording_problems = check_wording(inputs) + check_review_wording(inputs)  # phrasebooks and Word templates
    if wording_problems:
        raise CatalogError(wording_problems)
    click.echo(f"Dữ liệu hợp lệ: kế hoạch {cat.plan.number} ({len(cat.plan.indicators)} chỉ số, "
               f"{len(cat.plan.targets)} chỉ tiêu, {len(cat.plan.tasks)} nhóm nhiệm vụ), {len(cat.units)} đơn vị.")


# ------------------------------------------------------------------------------------------ forms
@cli.command(name="forms")
@_year_option
@_inputs_option
@_outputs_option
def forms_cmd(year, inputs, outputs):
    """Tạo biểu mẫu Excel năm NĂM cho từng đơn vị báo cáo."""
    from .forms import write_forms
    from .plan import load_catalog

    paths = write_forms(load_catalog(inputs), year, outputs)
    folder = paths[0].parent if paths else outputs
    click.echo(f"Đã tạo {len(paths)} biểu mẫu năm {year} tại {folder}")


# ------------------------------------------------------------------------------------------ stages
@cli.command(name="ingest")
@_year_option
@_inputs_option
@click.option("--csv", "csv_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Ghi bảng số liệu (mỗi giá trị một dòng, kèm tệp/trang/ô) ra tệp CSV.")
def ingest_cmd(year, inputs, csv_path):
    """Đọc các tệp đơn vị gửi năm NĂM và liệt kê tệp nào được dùng."""
    from .ingest import ingest, submissions_folder
    from .plan import load_catalog

    cat = load_catalog(inputs)
    cat.check_year(year)
    data = ingest(cat, inputs, year)
    labels = {"used": "dùng", "superseded": "đã thay thế", "rejected": "không đọc được"}
    for s in data.submissions:
        click.echo(f"{labels.get(s.state, s.state):<15} {s.unit or '?':<9} {s.file}")
    click.echo(f"{len(data.submissions)} tệp trong {submissions_folder(inputs, year)}; "
               f"{len(data.used())} đơn vị có báo cáo được dùng; {len(data.values)} giá trị.")
    if csv_path:
        import csv

        with open(csv_path, "w", newline="", encoding="utf-8-sig") as fh:
            w = csv.writer(fh)
            w.writerow(["unit", "year", "indicator", "field", "value", "file", "sheet", "cell"])
            for v in data.values:
                w.writerow([v.unit, v.year, v.indicator, v.field, v.raw, v.file, v.sheet, v.cell])
        click.echo(f"Đã ghi {csv_path}")


@cli.command(name="validate")
@_year_option
@_inputs_option
@_outputs_option
def validate_cmd(year, inputs, outputs):
    """Kiểm tra các tệp năm NĂM; in mọi lỗi kèm tệp, trang, ô. Mã thoát 1 nếu có lỗi."""
    from .plan import load_catalog
    from .runner import validate_year

    cat = load_catalog(inputs)
    cat.check_year(year)
    data, checked = validate_year(cat, inputs, year, outputs)
    for note in data.notes:
        click.echo(note)
    for issue in checked.issues:
        click.echo(issue.text())
    errors = len(checked.errors())
    click.echo(f"Đã nhận {len(checked.received)}/{len(checked.completeness)} đơn vị; "
               f"{errors} lỗi, {sum(1 for i in checked.issues if i.severity.value == 'warning')} cảnh báo.")
    sys.exit(1 if errors else 0)


def _render_options(f):
    f = click.option("--no-charts", "no_charts", is_flag=True,
                     help="Không vẽ biểu đồ xu hướng các năm trong báo cáo và bảng tổng hợp (chạy nhanh hơn).")(f)
    f = click.option("--no-feedback", "no_feedback", is_flag=True,
                     help="Không viết phản hồi cho các đơn vị (khi chỉ chạy lại để sửa văn bản).")(f)
    f = click.option("--pdf", "pdf", is_flag=True, help="Tạo thêm bản PDF của các văn bản (cần LibreOffice).")(f)
    f = click.option("--force", "force", is_flag=True,
                     help="Lập phiên bản mới cả khi dữ liệu và tùy chọn không đổi so với phiên bản mới nhất.")(f)
    f = click.option("--number", "number", default="blank", show_default=True, metavar="SỐ",
                     help="Số văn bản: blank (để trống cho văn thư), auto (lấy số tiếp theo trong sổ đăng ký), số do "
                          "văn thư cấp (12) hoặc số của báo cáo và tờ trình (12,5).")(f)
    return click.option("--date", "issued", callback=_parse_date, default=None, metavar="NGÀY",
                        help="Ngày ban hành dd/mm/yyyy hoặc yyyy-mm-dd (mặc định: hôm nay).")(f)


@cli.command(name="feedback")
@_year_option
@_inputs_option
@_outputs_option
@click.option("--date", "issued", callback=_parse_date, default=None, metavar="NGÀY",
              help="Ngày công văn dd/mm/yyyy hoặc yyyy-mm-dd (mặc định: hôm nay).")
def feedback_cmd(year, inputs, outputs, issued):
    """Phản hồi cho từng đơn vị có lỗi hoặc cảnh báo: bảng tính của đơn vị có đánh dấu ô cần sửa và công văn."""
    from .runner import write_feedback_only

    failed: list = []
    paths = write_feedback_only(inputs, outputs, year, issued, failed)
    for issue in failed:
        click.echo(issue.text(), err=True)
    if not paths:
        click.echo(f"Năm {year}: không đơn vị nào cần phản hồi.")
        return
    click.echo(f"Đã ghi {len(paths)} tệp phản hồi năm {year}:")
    for p in paths:
        click.echo(f"  {p}")


@cli.command(name="report")
@_year_option
@_inputs_option
@_outputs_option
@_render_options
def report_cmd(year, inputs, outputs, issued, number, pdf, no_feedback, force, no_charts):
    """Lập báo cáo, kế hoạch năm sau (DOCX) và bảng tổng hợp (XLSX) năm NĂM, không in tiến trình."""
    from .runner import run

    result = run(inputs, outputs, year, issued, number=number, pdf=pdf, feedback=not no_feedback, force=force,
                 charts=not no_charts)
    if result.unchanged:
        click.echo(unchanged_text(result), err=True)
    for note in result.notes:
        click.echo(note, err=True)
    for p in result.paths:
        click.echo(str(p))


@cli.command(name="run")
@_year_option
@_inputs_option
@_outputs_option
@_render_options
def run_cmd(year, inputs, outputs, issued, number, pdf, no_feedback, force, no_charts):
    """Chạy toàn bộ: đọc, kiểm tra, tổng hợp, lập báo cáo năm NĂM."""
    from .runner import STAGES, run

    with click.progressbar(length=len(STAGES), label=f"Năm {year}", file=sys.stderr,
                           show_eta=False, item_show_func=lambda s: s) as bar:
        def step(name):
            bar.update(1, name)

        result = run(inputs, outputs, year, issued, on_stage=step, number=number, pdf=pdf, feedback=not no_feedback,
                     force=force, charts=not no_charts)
    click.echo(summary_text(result))


def unchanged_text(result) -> str:
    return (f"Không có thay đổi so với {result.version.name} (cùng dữ liệu, tùy chọn và phiên bản xhht): không lập "
            "phiên bản mới. Thêm --force nếu vẫn muốn lập lại.")


@cli.command(name="review")
@click.option("--from", "first", type=_Year(), required=True, metavar="NĂM", help="Năm đầu, ví dụ 2014.")
@click.option("--to", "last", type=_Year(), required=True, metavar="NĂM", help="Năm cuối, ví dụ 2020.")
@_inputs_option
@_outputs_option
@click.option("--date", "issued", callback=_parse_date, default=None, help="Ngày ban hành, dd/mm/yyyy hoặc yyyy-mm-dd (mặc định: hôm nay).")
@click.option("--pdf", "pdf", is_flag=True, help="Tạo thêm bản PDF (cần LibreOffice).")
@click.option("--sealed", "prefer_sealed", is_flag=True,
              help="Dùng phiên bản đã niêm phong (đã gửi) của mỗi năm thay cho phiên bản mới nhất.")
@click.option("--no-charts", "no_charts", is_flag=True,
              help="Không vẽ biểu đồ các nhóm chỉ tiêu (chữ và bảng vẫn như có biểu đồ; chạy và in nhanh hơn).")
def review_cmd(first, last, inputs, outputs, issued, pdf, prefer_sealed, no_charts):
    """Sơ kết (một phần giai đoạn) hoặc tổng kết (cả giai đoạn) kế hoạch: báo cáo DOCX có biểu đồ và bảng tổng hợp XLSX."""
    from .review import STAGES, summary_text as review_summary, write_review

    with click.progressbar(length=len(STAGES), label=f"{first}–{last}", file=sys.stderr,
                           show_eta=False, item_show_func=lambda s: s) as bar:
        result = write_review(inputs, outputs, first, last, issued, pdf=pdf, on_stage=lambda name: bar.update(1, name),
                              prefer_sealed=prefer_sealed, charts=not no_charts)
    click.echo(review_summary(result))


def summary_text(result) -> str:
    """The short Vietnamese summary printed at the end of ``xhht run``."""
    if result.unchanged:
        return "\n".join([unchanged_text(result)] + [f"  {p}" for p in result.paths]
                         + [f"Bản mới nhất ở {result.version.parent}."])
    lines = [f"Năm {result.year}: {result.expected} đơn vị phải báo cáo, đã nhận {result.received}, "
             f"có lỗi {result.with_errors}, chưa nộp {result.missing}."]
    if result.superseded:
        lines.append(f"{result.superseded} tệp đã được thay thế bằng bản gửi sau.")
    if result.rejected_files:
        lines.append(f"{result.rejected_files} tệp không dùng được (xem trang 'Lỗi kiểm tra' trong bảng tổng hợp).")
    lines += ["  " + i.text() for i in result.issues if not i.unit and i.severity.value == "warning"]
    errors = [i for i in result.issues if i.severity.value == "error"]
    for issue in errors[:10]:
        lines.append("  " + issue.text())
    if len(errors) > 10:
        lines.append(f"  … và {len(errors) - 10} lỗi khác.")
    lines += result.notes
    late = [u for u in result.model.validation.received if u.late_days] if result.model else []
    if late:
        lines.append(f"{len(late)} đơn vị nộp muộn: " + ", ".join(f"{u.name} ({u.late_days} ngày)" for u in late) + ".")
    if result.feedback:
        lines.append(f"Phản hồi cho {len(result.feedback_units)} đơn vị (bảng tính đánh dấu ô cần sửa và công văn): "
                     f"{result.feedback[0].parent}")
    if result.number:
        lines.append(f"Số văn bản: {result.number} (đã ghi vào sổ đăng ký văn bản đi).")
    lines.append(f"Đã ghi phiên bản {result.version.name}:")
    lines += [f"  {p}" for p in result.paths]
    lines.append(f"Bản mới nhất cũng được chép ra {result.version.parent}.")
    return "\n".join(lines)


# ---------------------------------------------------------------------------------- receive, status
@cli.command(name="receive")
@click.option("--year", "year", type=_Year(), default=None, metavar="NĂM",
              help="Năm báo cáo của các tệp nhận (bắt buộc khi nhận tệp).")
@click.option("--list", "as_list", is_flag=True, help="In sổ văn bản đến thay vì nhận tệp.")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path), metavar="ĐƯỜNG_DẪN…")
@_inputs_option
@_outputs_option
def receive_cmd(year, as_list, paths, inputs, outputs):
    """Nhận các tệp đơn vị gửi (tệp, thư mục hoặc tệp .zip): vào sổ văn bản đến và lưu vào submissions/NĂM."""
    from .receive import list_received, receive

    if as_list:
        rows = list_received(outputs, year)
        if not rows:
            click.echo("Sổ văn bản đến chưa có tệp nào" + (f" của năm {year}." if year else "."))
            return
        for r in rows:
            click.echo(f"Năm {r.year}  " + r.text())
        click.echo(f"Tổng số: {len(rows)} tệp.")
        return
    if year is None:
        raise click.UsageError("Thiếu tùy chọn '--year': hãy cho biết năm báo cáo của các tệp nhận (ví dụ --year 2015).")
    if not paths:
        raise click.UsageError("Chưa có tệp nào để nhận: hãy ghi đường dẫn tệp hoặc thư mục sau lệnh.")
    from .plan import load_catalog

    load_catalog(inputs).check_year(year)
    receipts = receive(inputs, outputs, year, paths)
    for r in receipts:
        click.echo(r.text())
    new = sum(1 for r in receipts if r.new)
    click.echo(f"Đã nhận {new} tệp mới" + (f", {len(receipts) - new} tệp đã nhận trước đó" if new < len(receipts) else "")
               + f" vào {inputs / 'submissions' / str(year)}.")


@cli.command(name="status")
@_year_option
@_inputs_option
@_outputs_option
@click.option("--date", "today", callback=_parse_date, default=None, metavar="NGÀY",
              help="Xem tiến độ tại ngày này, dd/mm/yyyy hoặc yyyy-mm-dd (mặc định: hôm nay).")
def status_cmd(year, inputs, outputs, today):
    """Tiến độ nộp báo cáo năm NĂM: đơn vị đã nộp (khi nào, tệp nào), chưa nộp, muộn, có lỗi; số ngày còn đến hạn."""
    from .status import status

    board = status(inputs, outputs, year, today)
    click.echo(board.headline())
    for n in board.notes:
        click.echo(n)
    for i in board.issues:
        click.echo(i.text())
    click.echo(f"{'Mã':<7} {'Đơn vị':<36} {'Tình trạng':<22} {'Muộn':>4} {'Lỗi':>3} {'C.báo':>5}  Nhận lúc, tệp")
    for r in board.rows:
        late = "" if r.late_days is None else str(r.late_days)
        where = f"{r.received_label}  {r.file}".strip()
        click.echo(f"{r.unit:<7} {r.name:<36} {r.state_label:<22} {late:>4} {r.errors:>3} {r.warnings:>5}  {where}")


# ------------------------------------------------------------------------------------------ check
@cli.command(name="check")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
def check_cmd(files):
    """Kiểm tra thể thức văn bản DOCX theo Nghị định 30/2020. Mã thoát 1 nếu có sai lệch."""
    from .nd30_check import check_document

    total = 0
    for f in files:
        found = check_document(f)
        total += len(found)
        if found:
            click.echo(f"{f}: {len(found)} sai lệch so với Nghị định 30/2020:")
            for d in found:
                click.echo("  " + d.text())
        else:
            click.echo(f"{f}: đúng thể thức Nghị định 30/2020 (các mục đã kiểm tra).")
    sys.exit(1 if total else 0)


# ---------------------------------------------------------------------------------------- archive
@cli.group(name="archive", cls=_Group)
def archive_group():
    """Lưu trữ: các phiên bản đã lập, kiểm tra toàn vẹn, niêm phong bản đã gửi."""


@archive_group.command(name="list")
@_outputs_option
@click.option("--year", "year", type=int, default=None, metavar="NĂM", help="Chỉ năm này.")
def archive_list(outputs, year):
    """Liệt kê các phiên bản: ngày lập, dữ liệu đã dùng, văn bản."""
    from .archive import list_versions

    items = list_versions(outputs, year)
    if not items:
        click.echo(f"Chưa có phiên bản nào trong {outputs}.")
        return
    for v in items:
        mark = "  [đã niêm phong]" if v.sealed else ""
        number = f"  số {v.number}" if v.number else ""
        click.echo(f"{v.year}/{v.name}  lập {v.created}  ngày văn bản {v.issued}{number}  "
                   f"{v.received}/{v.expected} đơn vị, {v.inputs} tệp dữ liệu vào{mark}")
        for doc in v.documents:
            click.echo(f"    {doc}")


@archive_group.command(name="verify")
@_outputs_option
@click.option("--year", "year", type=int, default=None, metavar="NĂM", help="Chỉ năm này.")
def archive_verify(outputs, year):
    """Tính lại SHA-256 mọi tệp của mọi phiên bản; mã thoát 1 nếu có tệp bị sửa, mất hoặc thêm."""
    from .archive import verify

    result = verify(outputs, year)
    for d in result.deviations:
        click.echo("Lỗi: " + d.text())
    if result.ignored:
        click.echo(f"Bỏ qua {len(result.ignored)} tệp khóa của Word/Excel/LibreOffice hoặc tệp của Windows Explorer "
                   "(không thuộc phiên bản): " + ", ".join(result.ignored))
    click.echo(f"Đã kiểm tra {len(result.versions)} phiên bản, {result.checked_files} tệp: "
               + ("toàn vẹn." if result.ok else f"{len(result.deviations)} sai lệch."))
    sys.exit(0 if result.ok else 1)


@archive_group.command(name="seal")
@_outputs_option
@click.option("--year", "year", type=int, required=True, metavar="NĂM", help="Năm báo cáo.")
@click.option("--version", "version", type=click.IntRange(1), required=True, metavar="SỐ", help="Số phiên bản, ví dụ 2 cho v2.")
@click.option("--signed", "signed", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Tệp bản đã ký (PDF hoặc ảnh quét) để lưu kèm.")
def archive_seal(outputs, year, version, signed):
    """Niêm phong phiên bản đã gửi đi: không lệnh nào của xhht được xóa hoặc thay thế nó."""
    from .archive import seal

    path = seal(outputs, year, version, signed)
    click.echo(f"Đã niêm phong {path}" + (f" kèm tệp đã ký {Path(signed).name}." if signed else "."))


@archive_group.command(name="remove")
@_outputs_option
@click.option("--year", "year", type=int, required=True, metavar="NĂM", help="Năm báo cáo.")
@click.option("--version", "version", type=click.IntRange(1), required=True, metavar="SỐ", help="Số phiên bản.")
def archive_remove(outputs, year, version):
    """Xóa một phiên bản chưa niêm phong (phiên bản đã niêm phong không xóa được)."""
    from .archive import remove

    remove(outputs, year, version)
    click.echo(f"Đã xóa phiên bản v{version} năm {year}.")


# --------------------------------------------------------------------------------------- register
@cli.group(name="register", cls=_Group)
def register_group():
    """Sổ đăng ký văn bản đi (khi chạy với --number auto hoặc --number SỐ)."""


@register_group.command(name="list")
@_outputs_option
@click.option("--year", "year", type=int, default=None, metavar="NĂM", help="Năm ban hành.")
def register_list(outputs, year):
    """In sổ đăng ký văn bản đi."""
    from .register import entries

    rows = entries(outputs, year)
    if not rows:
        click.echo("Sổ đăng ký chưa có văn bản nào" + (f" năm {year}." if year else "."))
        return
    click.echo(f"{'Số, ký hiệu':<16} {'Ngày':<10}  {'Tình trạng':<13} {'Phiên bản':<10} Trích yếu")
    for e in rows:
        click.echo(f"{e.code:<16} {e.issued:<10}  {e.state_label:<13} {e.version or '-':<10} {e.subject}")


def utf8_streams() -> None:
    """Print UTF-8 whatever the console's code page (Windows cp1258/cp437, a redirection to a file or a pipe)."""
    for name in ("stdout", "stderr"):
        stream = getattr(sys, name)
        encoding = (getattr(stream, "encoding", "") or "").lower().replace("-", "")
        if encoding != "utf8" and hasattr(stream, "reconfigure"):
            try:
                stream.reconfigure(encoding="utf-8", errors="replace")
            except (ValueError, OSError):  # pragma: no cover - a stream that cannot change
                pass
    if sys.platform == "win32":  # pragma: no cover - Windows console: show the UTF-8 it now receives
        try:
            import ctypes

            ctypes.windll.kernel32.SetConsoleOutputCP(65001)
        except (AttributeError, OSError):
            pass


_vietnamese_metavars(cli)


# ------------------------------------------------------------------------------------------ serve
@cli.command(name="serve", options_metavar="[TÙY_CHỌN]")
@_inputs_option
@_outputs_option
@click.option("--host", "host", default="127.0.0.1", show_default=True, metavar="ĐỊA_CHỈ",
              help="Địa chỉ mở trang. Khác 127.0.0.1 thì phải có mật khẩu (biến XHHT_PASSWORD hoặc nhập khi hỏi).")
@click.option("--port", "port", type=click.IntRange(1, 65535), default=8765, show_default=True, metavar="CỔNG",
              help="Cổng của trang.")
@click.option("--no-browser", "no_browser", is_flag=True, help="Không tự mở trình duyệt.")
def serve_cmd(inputs, outputs, host, port, no_browser):
    """Mở trang web của xhht trên máy này (trình duyệt), để làm mọi bước mà không cần dòng lệnh."""
    import os

    from .web import serve
    from .web.app import is_loopback

    password = None
    if not is_loopback(host):
        password = os.environ.get("XHHT_PASSWORD") or click.prompt(
            "Mật khẩu cho trang (các máy khác phải nhập khi mở)", hide_input=True, confirmation_prompt=True)
    serve(inputs, outputs, host=host, port=port, password=password, open_browser=not no_browser,
          announce=click.echo)


def main() -> None:  # pragma: no cover - console entry point
    utf8_streams()
    cli(prog_name="xhht")
