"""The one way xhht fills text: Word templates (docxtpl) and phrasebook sentences, same Jinja rules.

* One sandboxed, autoescaped environment with ``StrictUndefined``: an undefined variable is an error
  naming the template and the variable; every value from data is XML-escaped, so text a unit typed
  can never become template code or markup.
* Templates are located in ``<inputs>/templates/`` (the office's own copies) and otherwise in the
  packaged ``templates/``; :func:`locate` says which one a run used.
* A Word template is loaded and compiled once per process (:func:`fill_docx` caches the parsed
  template); the output bytes depend only on the inputs and the issue date (fixed zip order and times).
* Every string placed in a document passes :func:`house_style` first (the office's orthography).
"""

from __future__ import annotations

import datetime as _dt
import io
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from .errors import RenderError

PACKAGED = Path(__file__).resolve().parent.parent / "templates"
TEMPLATE_FILES = ("bao_cao.docx", "ke_hoach.docx", "to_trinh.docx", "cong_van.docx")


def packaged_dir() -> Path:
    if (PACKAGED / "bao_cao.docx").is_file():
        return PACKAGED
    import pipeline.templates  # installed copy (pyproject maps templates/ to this package)

    return Path(pipeline.templates.__file__).parent


def locate(name: str, inputs: Path | str | None = None) -> tuple[Path, str]:
    """Return (path, origin) of template ``name``: ``<inputs>/templates/name`` if present, else the packaged one."""
    if inputs is not None:
        own = Path(inputs) / "templates" / name
        if own.is_file():
            return own, "inputs"
    return packaged_dir() / name, "packaged"


@lru_cache(maxsize=1)
def environment():
    """The shared Jinja environment: sandboxed, strict, autoescaped, with the Vietnamese number filters."""
    from jinja2 import StrictUndefined
    from jinja2.sandbox import SandboxedEnvironment

    from . import vnformat as vn

    env = SandboxedEnvironment(undefined=StrictUndefined, autoescape=True, keep_trailing_newline=False)
    env.filters.update({
        "num": vn.number, "pct": vn.percent, "pts": vn.points, "n2": vn.count2, "words": vn.money_words,
        "date": vn.short_date, "lower_first": vn.lower_first, "upper_first": vn.upper_first,
        "in_sentence": vn.in_sentence, "join_vi": vn.join_vi,
    })
    return env


def compile_string(source: str, name: str):
    """Compile one sentence template (cached by the environment); raise RenderError naming ``name``."""
    from jinja2 import TemplateSyntaxError

    try:
        return environment().from_string(source)
    except TemplateSyntaxError as exc:
        raise RenderError(f"Câu mẫu '{name}': lỗi cú pháp ({exc.message}).") from exc


def render_string(template, name: str, facts: dict[str, Any]):
    """Render a compiled sentence template; the result is markup-safe (already escaped)."""
    from jinja2 import TemplateError
    from markupsafe import Markup

    try:
        return Markup(template.render(**facts))
    except TemplateError as exc:
        raise RenderError(f"Câu mẫu '{name}': {_undefined_text(exc)}.") from exc


def _undefined_text(exc) -> str:
    msg = str(getattr(exc, "message", "") or exc)
    if "is undefined" in msg:
        return f"biến chưa được định nghĩa ({msg.replace(' is undefined', '')})"
    return msg


_FIGURES = re.compile("[\\d.,%/ ()+\u2013\u2212]*")


def house_style(value: Any, orthography: str = "new") -> Any:
    """Apply the office's orthography to every string of a context (lists, dicts, Markup kept as such)."""
    from markupsafe import Markup

    from . import vnformat as vn

    if isinstance(value, Markup):
        return Markup(vn.orthography(str(value), orthography))
    if isinstance(value, str):
        # figures and punctuation only ("2.181", "96,2", "21/22", "–"): nothing to change, skip the regexes
        return value if _FIGURES.fullmatch(value) else vn.orthography(value, orthography)
    if isinstance(value, dict):
        return {k: house_style(v, orthography) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [house_style(v, orthography) for v in value]
    return value


@lru_cache(maxsize=16)
def _bytes(path: str, mtime: float) -> bytes:
    """The bytes of a Word template, read once per process (keyed by path and modification time)."""
    return Path(path).read_bytes()


def load_docx(path: Path):
    """A fresh, renderable docxtpl template from ``path`` (the file is read once per process)."""
    from docxtpl import DocxTemplate

    if not Path(path).is_file():
        raise RenderError(f"Không tìm thấy mẫu văn bản {path}.")
    try:
        tpl = DocxTemplate(io.BytesIO(_bytes(str(path), Path(path).stat().st_mtime)))
        tpl.init_docx()
    except Exception as exc:  # noqa: BLE001 - a broken .docx
        raise RenderError(f"Mẫu {Path(path).name} không dùng được: {exc}.") from exc
    return tpl


def undeclared(path: Path) -> set[str]:
    """The top-level variables a Word template uses (for ``xhht plan check``)."""
    tpl = load_docx(path)
    return set(tpl.get_undeclared_template_variables(environment()))


def fill_docx(template: Path, context: dict[str, Any], out: Path, issued: _dt.date, title: str,
              orthography: str = "new", after=None, prepare=None) -> Path:
    """Fill ``template`` with ``context`` and save ``out`` with stable bytes; raise RenderError on failure.

    ``prepare(tpl, context)`` may return a context with objects bound to the template (images).
    """
    from jinja2 import TemplateError

    from .store import write_stable_zip

    tpl = load_docx(template)
    if prepare is not None:
        context = prepare(tpl, context)
    try:
        tpl.render(house_style(context, orthography), jinja_env=environment(), autoescape=True)
    except TemplateError as exc:
        where = getattr(exc, "docx_context", None)
        hint = f" Đoạn văn bản mẫu liên quan: {' | '.join(where)}" if where else ""
        raise RenderError(f"Mẫu {Path(template).name}: lỗi khi điền dữ liệu: {_undefined_text(exc)}.{hint}") from exc
    except Exception as exc:  # an XML error inside docxtpl
        raise RenderError(f"Mẫu {Path(template).name} không dùng được: {exc}.") from exc
    stamp = _dt.datetime.combine(issued, _dt.time(8, 0))
    props = tpl.docx.core_properties
    props.created = props.modified = props.last_printed = stamp
    props.revision = 1
    props.title = title
    author = context.get("office", {}).get("full_name", "") if isinstance(context.get("office"), dict) else ""
    props.author = props.last_modified_by = author
    if after is not None:
        after(tpl.docx)
    buffer = io.BytesIO()
    tpl.save(buffer)
    write_stable_zip(buffer.getvalue(), out, stamp)
    return out


__all__ = ["locate", "environment", "compile_string", "render_string", "fill_docx", "house_style", "undeclared",
           "TEMPLATE_FILES"]
