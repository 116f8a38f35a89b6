"""The one way xhht fills text: Word templates and phrasebook sentences, same Jinja rules.

Every document (BC, KH, tờ trình, letters to units, the period review) is filled through
:func:`fill_docx`, and every sentence of the phrasebook through :func:`compile_string`.

* One sandboxed, autoescaped environment with ``StrictUndefined``: an undefined variable is an error
  naming the template and the variable; every value from data is XML-escaped, so text a unit typed
  can never become template code or markup.
* Templates are located in ``<inputs>/templates/`` (the office's own copies) and otherwise in the
  packaged ``templates/``; :func:`locate` says which one a run used.
* A Word template is parsed and compiled once per process and file version (:func:`compiled`):
  docxtpl's own steps (``patch_xml``: tags split over runs, ``{%p``/``{%tr``/``{%tc``/``{%r`` tags,
  cell colours and spans; then ``resolve_listing``, ``fix_tables``, ``fix_docpr_ids`` after
  rendering) applied to the template's XML, so the tags an office writes in Word mean exactly what
  they mean in docxtpl (the cleaned XML is kept in the cache folder, and the steps after rendering
  are done here with the same result, so that a run imports neither docxtpl nor python-docx); the body, headers, footers and templated properties are Jinja-compiled once
  and reused for every document (all the letters of a run share one compile). Rendering writes the
  DOCX in one zip pass: the template's other parts unchanged, fixed member order, every member
  stamped with the issue date, so the bytes depend only on the inputs and the issue date. Native
  charts (:mod:`pipeline.docx_chart`) are added through the document's :class:`Package`.
* Every string placed in a document passes :func:`house_style` first (the office's orthography).
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

from markupsafe import Markup

from . import vnformat as vn
from .atomic_files import deflate, zip_bytes  # noqa: F401  (zip_bytes: used below and by docx_chart)
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
        return from_source(environment(), source)
    except TemplateSyntaxError as exc:
        raise RenderError(f"Câu mẫu '{name}': lỗi cú pháp ({exc.message}).") from exc


def _code_dir() -> Path | None:
    """Where compiled template code is kept between runs (``XHHT_CACHE_DIR``, else the user's cache folder)."""
    if os.environ.get("XHHT_CACHE_DIR") == "":
        return None
    base = os.environ.get("XHHT_CACHE_DIR")
    if not base:
        root = os.environ.get("LOCALAPPDATA") or os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
        base = str(Path(root) / "xhht")
    return Path(base) / "jinja"


def from_source(env, source: str):
    """``env.from_string(source)``, with the compiled code kept on disk between runs.

    Like Jinja's own bytecode cache (``FileSystemBytecodeCache``), but for templates made from
    strings: the key is the source, the environment's settings and filters, and the Jinja and
    Python versions; a file that cannot be read or written only means compiling again.
    """
    import hashlib
    import marshal
    import sys

    import jinja2

    key = hashlib.sha256("\0".join([
        jinja2.__version__, sys.implementation.cache_tag or "", sys.version, type(env).__qualname__,
        repr(env.autoescape), repr(env.keep_trailing_newline), ",".join(sorted(env.filters)), ",".join(sorted(env.tests)),
        source]).encode("utf-8")).hexdigest()
    code = _kept(f"{key}.code", lambda: marshal.dumps(env.compile(source)), marshal.loads)
    return env.template_class.from_code(env, code, env.make_globals(None), None)


def _kept(name: str, make: Callable[[], bytes], load: Callable[[bytes], Any]) -> Any:
    """``load(make())``, the bytes kept in the cache folder as ``name`` (under its first two characters) and read
    from there the next time; a file that cannot be read, loaded or written only means making it again."""
    folder = _code_dir()
    path = folder / name[:2] / name if folder is not None else None
    if path is not None:
        try:
            return load(path.read_bytes())
        except (OSError, ValueError, EOFError, TypeError, UnicodeDecodeError):
            pass
    data = make()
    if path is not None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
            tmp.write_bytes(data)
            os.replace(tmp, path)
        except OSError:
            pass
    return load(data)


def render_string(template, name: str, facts: dict[str, Any]):
    """Render a compiled sentence template; the result is markup-safe (already escaped)."""
    from jinja2 import TemplateError

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

    The template is compiled once per process and file version (:func:`compiled`) and the DOCX is
    written in one zip pass. ``after(doc)`` may adjust the rendered body (``doc.element.body``).
    ``prepare(package, context)`` may return a context with objects bound to the document's
    :class:`Package` (native charts, which add parts to the DOCX).
    """
    office = context.get("office")
    author = office.get("full_name", "") if isinstance(office, dict) else ""
    context = house_style(context, orthography)
    package = Package(_dt.datetime.combine(issued, _dt.time(8, 0)), orthography)
    if prepare is not None:
        context = prepare(package, context)
    return _fill_compiled(template, environment(), context, out, issued, title, author, after, package)


class Package:
    """What one rendering adds to the Word package: native charts, each with its embedded workbook.

    :meth:`add_chart` returns the ``w:r`` of the chart's inline drawing; the parts, their
    relationships from ``word/document.xml`` and their content types are written with the document.
    Relationship ids and part names are numbered in the order charts are added (stable bytes).
    """

    def __init__(self, stamp: _dt.datetime, orthography: str = "new"):
        self.stamp = stamp
        self.orthography = orthography
        self.members: list[tuple[str, bytes]] = []
        self.relationships: list[tuple[str, str, str]] = []     # (id, type, target relative to word/)
        self.overrides: list[tuple[str, str]] = []               # (part name, content type)
        self.defaults: dict[str, str] = {}                       # extension -> content type
        self.charts = 0

    def text(self, value: str) -> str:
        """``value`` in the office's orthography (chart titles and labels, like every string of a document)."""
        return house_style(value, self.orthography)

    def add_chart(self, chart) -> str:
        """Add a :class:`pipeline.docx_chart.LineChart`; return the run that shows it inline."""
        from . import docx_chart as dc

        self.charts += 1
        n = self.charts
        part, book = f"charts/xhht_chart{n}.xml", f"embeddings/xhht_chart{n}.xlsx"
        rid = f"rIdXhhtChart{n}"
        self.members += [(f"word/{part}", dc.chart_xml(chart)),
                         (f"word/charts/_rels/xhht_chart{n}.xml.rels", dc.chart_rels(f"../{book}")),
                         (f"word/{book}", dc.workbook_xlsx(chart, self.stamp))]
        self.relationships.append((rid, dc.REL_CHART, part))
        self.overrides.append((f"/word/{part}", dc.CT_CHART))
        self.defaults["xlsx"] = dc.CT_XLSX
        return dc.inline_run(rid, chart, n)

    def patch(self, parts: dict[str, bytes]) -> dict[str, bytes]:
        """The template's relationships and content types with this package's additions (``parts`` unchanged)."""
        if not self.members:
            return {}
        from .xmltext import quoteattr

        rels_name = "word/_rels/document.xml.rels"
        rels = parts[rels_name].decode("utf-8")
        extra = "".join(f"<Relationship Id={quoteattr(i)} Type={quoteattr(t)} Target={quoteattr(target)}/>"
                        for i, t, target in self.relationships)
        rels = rels.replace("</Relationships>", extra + "</Relationships>")
        types = parts["[Content_Types].xml"].decode("utf-8")
        add = "".join(f"<Default Extension={quoteattr(ext)} ContentType={quoteattr(ct)}/>"
                      for ext, ct in sorted(self.defaults.items())
                      if f'Extension="{ext}"' not in types)
        add += "".join(f"<Override PartName={quoteattr(name)} ContentType={quoteattr(ct)}/>"
                       for name, ct in self.overrides)
        types = types.replace("</Types>", add + "</Types>")
        return {rels_name: rels.encode("utf-8"), "[Content_Types].xml": types.encode("utf-8")}


@lru_cache(maxsize=None)
def qn(tag: str) -> str:
    """``w:tag`` as lxml's Clark name ``{namespace}tag``, for work on a rendered body (plain lxml: the names of
    ``docx.oxml.ns.qn`` without importing python-docx; only the WordprocessingML prefix is used there)."""
    prefix, local = tag.split(":")
    if prefix != "w":
        raise ValueError(f"unknown namespace prefix in {tag!r}")
    return f"{{{W}}}{local}"


def mm_twips(mm: float) -> int:
    """Millimetres in twips, rounded as python-docx's ``Mm(mm).twips``."""
    return int(round(int(mm * 36000) / 635))


def set_column_widths(tbl, widths: list[int]) -> None:
    """Set the grid and every cell width of the ``w:tbl`` element ``tbl`` to ``widths`` (twips, per column)."""
    w_val, w_type, tc_w, tc_tag = qn("w:w"), qn("w:type"), qn("w:tcPr") + "/" + qn("w:tcW"), qn("w:tc")
    texts = [str(w) for w in widths]
    for g, w in zip(tbl.find(qn("w:tblGrid")).findall(qn("w:gridCol")), texts):
        g.set(w_val, w)
    for tr in tbl.findall(qn("w:tr")):
        for tc, w in zip(tr.findall(tc_tag), texts):
            tcw = tc.find(tc_w)
            if tcw is not None:
                tcw.set(w_val, w)
                tcw.set(w_type, "dxa")


def prepare_fork() -> None:
    """Import what filling a template needs and make the environment now: a process about to fork
    does it once for its children. Each template is compiled where it is used."""
    environment()
    import lxml.etree  # noqa: F401


# ------------------------------------------------------------- compiled Word templates
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
    _packed: dict[str, tuple] = field(default_factory=dict)

    def deflated(self, name: str) -> tuple:
        """An unchanged part of the template, deflated once (see :func:`pipeline.atomic_files.zip_bytes`)."""
        if name not in self._packed:
            self._packed[name] = deflate(self.parts[name])
        return self._packed[name]


def _tpl():
    """docxtpl's template class, whose XML helpers are used as they are (no python-docx document is made).
    Imported only where needed (docxtpl brings in python-docx: 40-70 ms of a run): to clean a template's
    XML not seen before (:func:`_prepare`) and for the rare rendered text with tabs or line breaks."""
    from docxtpl import DocxTemplate

    return DocxTemplate


def _prepare(xml: str) -> str:
    """docxtpl's cleaning of a part's XML (``patch_xml``), and the line breaks its error context counts on;
    kept in the cache folder of the compiled code by the XML and docxtpl's version, so that a run whose
    templates did not change does not import docxtpl."""
    import hashlib

    key = hashlib.sha256((_docxtpl_version() + "\0" + xml).encode("utf-8")).hexdigest()
    return _kept(f"{key}.patched",  # (UTF-8 bytes as they are: no newline translation on Windows)
                 lambda: re.sub(r"<w:p([ >])", r"\n<w:p\1", _tpl().patch_xml(None, xml)).encode("utf-8"),
                 lambda data: data.decode("utf-8"))


@lru_cache(maxsize=1)
def _docxtpl_version() -> str:
    """docxtpl's installed version, read without importing it (its module file's size and time will do)."""
    import importlib.util

    spec = importlib.util.find_spec("docxtpl")
    origin = Path(spec.origin).parent / "template.py" if spec and spec.origin else None
    try:
        st = origin.stat()
    except (OSError, AttributeError):
        return "?"
    return f"{origin}:{st.st_size}:{st.st_mtime_ns}"


WP = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"


def _fix_tables(xml: str):
    """Parse the rendered body and give each table's grid as many columns as its rows have cells, the width
    kept: what docxtpl's ``fix_tables`` does after a ``{%tc %}`` loop added or removed columns, done here
    (same arithmetic, same result) so that rendering needs no docxtpl import."""
    from lxml import etree

    tree = etree.fromstring(xml, parser=etree.XMLParser(recover=True))
    w = "{" + tree.nsmap["w"] + "}"
    w_w, grid_col, tc_tag = w + "w", w + "gridCol", w + "tc"
    for tbl in tree.iter(w + "tbl"):
        grid = tbl.find(w + "tblGrid")
        cols = grid.findall(grid_col)
        rows = [r.findall(tc_tag) for r in tbl.iter(w + "tr")]
        wider = max([0] + [len(cells) - len(cols) for cells in rows])
        if wider > 0:  # more cells than columns: the new columns share the width the grid had
            total = sum(float(c.get(w_w)) for c in cols if c.get(w_w) is not None)
            if total > 0:
                old, new = total / len(cols), total / (len(cols) + wider)
                for c in cols:
                    c.set(w_w, str(int(float(c.get(w_w)) * new / old)))
                for _ in range(wider):
                    etree.SubElement(grid, grid_col, {w_w: str(int(new))})
        cols = grid.findall(grid_col)
        spans = 0
        for cells in rows:
            count = 0
            for cell in cells:
                pr = cell.find(w + "tcPr")
                span = pr.find(w + "gridSpan") if pr is not None else None
                count += int(span.get(w + "val")) if span is not None else 1
            spans = max(spans, count)
        fewer = len(cols) - spans
        if fewer > 0:  # fewer cells than columns: the width of the columns dropped goes to those left
            removed = 0.0
            for c in cols[-fewer:]:
                removed += float(c.get(w_w))
                grid.remove(c)
            left = grid.findall(grid_col)
            extra = int(removed / len(left)) if left else 0
            for c in left:
                c.set(w_w, str(int(float(c.get(w_w)) + extra)))
    return tree


def _fix_docpr_ids(tree) -> None:
    """Number the drawings' ``wp:docPr`` ids 1001, 1002… in document order (as docxtpl does: ids copied with
    a template's drawings would collide)."""
    for n, el in enumerate(tree.iter(f"{{{WP}}}docPr"), start=1001):
        el.attrib["id"] = str(n)


def _compile_text(env, source: str, name: str):
    from jinja2 import TemplateError

    try:
        return from_source(env, source)
    except TemplateError as exc:
        raise RenderError(f"Mẫu {name}: lỗi khi điền dữ liệu: {_undefined_text(exc)}.{_context(source, exc)}") from exc


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
        raise RenderError(f"Mẫu {compiled.name}: lỗi khi điền dữ liệu: {_undefined_text(exc)}."
                          f"{_context(source, exc)}") from exc
    xml = re.sub(r"\n<w:p([ >])", r"<w:p\1", xml)
    xml = xml.replace("{_{", "{{").replace("}_}", "}}").replace("{_%", "{%").replace("%_}", "%}")
    if not any(ch in xml for ch in "\t\a\f"):
        # resolve_listing only turns these characters and "\n" into tabs, paragraphs, page and line breaks;
        # a line break alone ("ỦY BAN NHÂN DÂN\nHUYỆN MỸ ĐỨC", the KH's issuer) is done here as it does it
        return _line_breaks(xml) if "\n" in xml else xml
    return _tpl().resolve_listing(None, xml)


_PARAGRAPH = re.compile(r"<w:p(?: [^>]*)?>.*?</w:p>", re.DOTALL)
_RUN = re.compile(r"<w:r(?: [^>]*)?>.*?</w:r>", re.DOTALL)
_TEXT = re.compile(r"<w:t(?: [^>]*)?>.*?</w:t>", re.DOTALL)
_BREAK = '</w:t><w:br/><w:t xml:space="preserve">'


def _line_breaks(xml: str) -> str:
    """Each "\n" in a run's text of a paragraph made a ``w:br``: docxtpl's ``resolve_listing`` for a text with
    line breaks only (the same matches: paragraph, then run, then text)."""
    def text(m):
        return m.group(0).replace("\n", _BREAK)

    def run(m):
        return _TEXT.sub(text, m.group(0))

    return _PARAGRAPH.sub(lambda m: _RUN.sub(run, m.group(0)), xml)


def _fill_compiled(template: Path, env, context: dict[str, Any], out: Path, issued: _dt.date, title: str,
                   author: str, after: Callable[[Any], None] | None = None, package: Package | None = None) -> Path:
    """Render ``template`` with ``context`` into ``out`` (one zip pass, members stamped ``issued`` 08:00).

    ``after(doc)`` may adjust the rendered body (``doc.element.body`` is its lxml element), as a
    python-docx document would allow. The core properties get ``title``, ``author`` and the issue
    time (created = modified = last printed, revision 1).
    """
    from lxml import etree

    c = compiled(template, env)
    try:
        body_xml = _render(c, c.body, c.body_source, context)
        body = _fix_tables(body_xml)
        _fix_docpr_ids(body)
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
    added = package.members if package is not None else []
    if added:
        written.update(package.patch(c.parts))
    data = zip_bytes([(name, written[name] if name in written else c.deflated(name)) for name in c.order]
                      + added, stamp)
    tmp = Path(out).with_name(Path(out).name + ".norm")
    tmp.write_bytes(data)
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
            raise RenderError(f"Mẫu {c.name}: lỗi khi điền thuộc tính {tag}: {_undefined_text(exc)}.") from exc
    when = stamp.strftime("%Y-%m-%dT%H:%M:%SZ")
    put("dc", "title", title)
    put("dc", "creator", author)
    put("cp", "lastModifiedBy", author)
    put("cp", "revision", "1")
    put("cp", "lastPrinted", when)
    put("dcterms", "created", when, dated=True)
    put("dcterms", "modified", when, dated=True)
    return etree.tostring(core, encoding="UTF-8", standalone=True)


__all__ = ["locate", "environment", "compile_string", "render_string", "fill_docx", "compiled", "prepare_fork", "house_style", "undeclared",
           "TEMPLATE_FILES"]
