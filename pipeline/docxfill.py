"""Fill a Word template compiled once per process, and write the DOCX in one zip pass.

docxtpl loads the template with python-docx, cleans its XML (``patch_xml``: tags split over runs,
``{%p``/``{%tr``/``{%tc``/``{%r`` tags, cell colours and spans), compiles the result with Jinja,
renders, repairs tables and drawing ids, and saves through python-docx, then xhht compressed
the file a second time to make its bytes stable. Every document paid all of it, and the same
template was compiled again for every letter.

Here the same docxtpl steps (its own ``patch_xml``, ``resolve_listing``, ``fix_tables`` and
``fix_docpr_ids``, so the tags an office writes in Word mean exactly what they mean in docxtpl)
run once per template file and Jinja environment: :func:`compiled` keeps the compiled body,
headers, footers and property templates. :func:`fill` renders them with a context and writes the
package straight to its final bytes: the template's other parts unchanged, fixed member order,
every member stamped with the issue date; the same inputs give the same bytes.

Rendering stays strict: the environment given (sandboxed, autoescaped, ``StrictUndefined``) does
the work, and a template error carries the template's name and the text around the failing tag.
"""

from __future__ import annotations

import datetime as _dt
import io
import os
import re
import zipfile
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Callable

from .errors import RenderError

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R_HEADER = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/header"
R_FOOTER = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer"
CORE = "docProps/core.xml"
NS_CORE = {"cp": "http://schemas.openxmlformats.org/package/2006/metadata/core-properties",
           "dc": "http://purl.org/dc/elements/1.1/", "dcterms": "http://purl.org/dc/terms/",
           "xsi": "http://www.w3.org/2001/XMLSchema-instance"}
# the core properties docxtpl renders as templates (docxtpl.DocxTemplate.render_properties)
_RENDERED_PROPS = (("dc", "creator"), ("dc", "description"), ("dc", "identifier"), ("dc", "language"),
                   ("dc", "subject"), ("dc", "title"))


@dataclass
class Compiled:
    """A Word template ready to render: the package's parts, the compiled XML parts and properties."""

    name: str
    order: list[str]
    parts: dict[str, bytes]
    body: Any                                   # Jinja template of <w:body>
    body_source: str                            # its patched XML (for error context)
    document: bytes                             # word/document.xml, the body is swapped at render time
    others: dict[str, tuple[Any, str]] = field(default_factory=dict)   # header/footer/footnotes part -> template
    props: dict[tuple[str, str], Any] = field(default_factory=dict)    # core property -> template


def _tpl():
    """docxtpl's template class, whose XML helpers are used as they are (no python-docx document is made)."""
    from docxtpl import DocxTemplate

    return DocxTemplate


def prepare() -> None:
    """Import docxtpl, Jinja and lxml now (a process about to fork does it once for its children)."""
    _tpl()
    import jinja2.sandbox  # noqa: F401
    from lxml import etree  # noqa: F401


def _helper():
    """An object with what docxtpl's XML helpers look at on ``self``."""
    return SimpleNamespace(docx_ids_index=1000)


def _prepare(xml: str) -> str:
    """docxtpl's cleaning of a part's XML, and the line breaks its error context counts on."""
    patched = _tpl().patch_xml(None, xml)
    return re.sub(r"<w:p([ >])", r"\n<w:p\1", patched)


def _compile_text(env, source: str, name: str):
    from jinja2 import TemplateError

    try:
        return env.from_string(source)
    except TemplateError as exc:
        raise RenderError(f"Mẫu {name}: lỗi khi điền dữ liệu: {getattr(exc, 'message', None) or exc}."
                          f"{_context(source, exc)}") from exc


def _context(source: str, exc) -> str:
    lineno = getattr(exc, "lineno", None)
    if lineno is None:
        return ""
    start = max(lineno - 4, 0)
    lines = [re.sub(r"<[^>]+>", "", x) for x in source.splitlines()[start:start + 7]]
    return f" Đoạn văn bản mẫu liên quan: {' | '.join(lines)}"


@lru_cache(maxsize=32)
def _compiled(path: str, mtime_ns: int, size: int, env) -> Compiled:
    from lxml import etree

    name = Path(path).name
    try:
        with zipfile.ZipFile(path) as z:
            order = [i.filename for i in z.infolist()]
            parts = {n: z.read(n) for n in order}
        document = parts["word/document.xml"]
        root = etree.fromstring(document)
        body = root.find(f"{{{W}}}body")
        body_xml = etree.tostring(body, encoding="unicode", pretty_print=False)
    except Exception as exc:  # noqa: BLE001 - not a .docx, or a damaged one
        raise RenderError(f"Mẫu {name} không dùng được: {exc}.") from exc
    source = _prepare(body_xml)
    compiled = Compiled(name, order, parts, _compile_text(env, source, name), source, document)
    rels = parts.get("word/_rels/document.xml.rels", b"").decode("utf-8")
    for rel in re.findall(r"<Relationship\b[^>]*>", rels):
        attrs = dict(re.findall(r'(\w+)="([^"]*)"', rel))
        if attrs.get("Type") in (R_HEADER, R_FOOTER) and attrs.get("TargetMode") != "External":
            target = attrs["Target"].lstrip("/") if attrs["Target"].startswith("/") else "word/" + attrs["Target"]
            if parts.get(target):
                xml = etree.tostring(etree.fromstring(parts[target]), encoding="unicode")
                src = _prepare(xml)
                compiled.others[target] = (_compile_text(env, src, name), src)
    for part, blob in parts.items():
        if part.startswith("word/footnotes") and part.endswith(".xml") and (b"{{" in blob or b"{%" in blob):
            src = _prepare(blob.decode("utf-8"))
            compiled.others[part] = (_compile_text(env, src, name), src)
    if CORE in parts:
        core = etree.fromstring(parts[CORE])
        for prefix, tag in _RENDERED_PROPS:
            el = core.find(f"{{{NS_CORE[prefix]}}}{tag}")
            if el is not None and el.text and ("{{" in el.text or "{%" in el.text):
                compiled.props[(prefix, tag)] = _compile_text(env, el.text, name)
    return compiled


def compiled(template: Path, env) -> Compiled:
    """The compiled form of ``template`` for ``env`` (made once per process and file version)."""
    template = Path(template)
    if not template.is_file():
        raise RenderError(f"Không tìm thấy mẫu văn bản {template}.")
    st = template.stat()
    return _compiled(str(template.resolve()), st.st_mtime_ns, st.st_size, env)


def _render(compiled: Compiled, template, source: str, context: dict) -> str:
    from jinja2 import TemplateError

    try:
        xml = template.render(context)
    except TemplateError as exc:
        message = getattr(exc, "message", None) or str(exc)
        raise RenderError(f"Mẫu {compiled.name}: lỗi khi điền dữ liệu: {message}.{_context(source, exc)}") from exc
    xml = re.sub(r"\n<w:p([ >])", r"<w:p\1", xml)
    xml = xml.replace("{_{", "{{").replace("}_}", "}}").replace("{_%", "{%").replace("%_}", "%}")
    return _tpl().resolve_listing(None, xml)


def fill(template: Path, env, context: dict[str, Any], out: Path, issued: _dt.date, title: str, author: str,
         after: Callable[[Any], None] | None = None) -> Path:
    """Render ``template`` with ``context`` into ``out`` (one zip pass, members stamped ``issued`` 08:00).

    ``after(doc)`` may adjust the rendered body (``doc.element.body`` is its lxml element), as a
    python-docx document would allow. The core properties get ``title``, ``author`` and the issue
    time (created = modified = last printed, revision 1).
    """
    from lxml import etree

    c = compiled(template, env)
    try:
        body_xml = _render(c, c.body, c.body_source, context)
        helper = _helper()
        body = _tpl().fix_tables(helper, body_xml)
        _tpl().fix_docpr_ids(helper, body)
        root = etree.fromstring(c.document)
        old = root.find(f"{{{W}}}body")
        root.replace(old, body)
        if after is not None:
            after(SimpleNamespace(element=SimpleNamespace(body=body)))
        written = {"word/document.xml": etree.tostring(root, encoding="UTF-8", standalone=True)}
        for part, (tpl, source) in c.others.items():
            xml = _render(c, tpl, source, context)
            written[part] = etree.tostring(etree.fromstring(xml.encode("utf-8")), encoding="UTF-8", standalone=True)
    except RenderError:
        raise
    except Exception as exc:  # noqa: BLE001 - an XML error in what the template produced
        raise RenderError(f"Mẫu {c.name} không dùng được: {exc}.") from exc
    stamp = _dt.datetime.combine(issued, _dt.time(8, 0))
    if CORE in c.parts:
        written[CORE] = _core(c, context, stamp, title, author)
    buffer = io.BytesIO()
    when = stamp.timetuple()[:6]
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        for name in c.order:
            info = zipfile.ZipInfo(name, date_time=when)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            z.writestr(info, written.get(name, c.parts[name]))
    tmp = Path(out).with_name(Path(out).name + ".norm")
    tmp.write_bytes(buffer.getvalue())
    os.replace(tmp, out)
    return out


def _core(c: Compiled, context: dict, stamp: _dt.datetime, title: str, author: str) -> bytes:
    """The template's core properties, rendered like docxtpl does, then dated and titled for this document."""
    from jinja2 import TemplateError
    from lxml import etree

    core = etree.fromstring(c.parts[CORE])

    def put(prefix: str, tag: str, text: str, dated: bool = False) -> None:
        el = core.find(f"{{{NS_CORE[prefix]}}}{tag}")
        if el is None:
            el = etree.SubElement(core, f"{{{NS_CORE[prefix]}}}{tag}")
        el.text = text
        if dated:
            el.set(f"{{{NS_CORE['xsi']}}}type", "dcterms:W3CDTF")

    for (prefix, tag), tpl in c.props.items():
        try:
            put(prefix, tag, tpl.render(context))
        except TemplateError as exc:
            raise RenderError(f"Mẫu {c.name}: lỗi khi điền thuộc tính {tag}: {getattr(exc, 'message', exc)}.") from exc
    when = stamp.strftime("%Y-%m-%dT%H:%M:%SZ")
    put("dc", "title", title)
    put("dc", "creator", author)
    put("cp", "lastModifiedBy", author)
    put("cp", "revision", "1")
    put("cp", "lastPrinted", when)
    put("dcterms", "created", when, dated=True)
    put("dcterms", "modified", when, dated=True)
    return etree.tostring(core, encoding="UTF-8", standalone=True)
