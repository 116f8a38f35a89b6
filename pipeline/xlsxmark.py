"""Mark cells of a unit's own workbook by editing its XML parts, without loading it into openpyxl.

The feedback workbook is the unit's file with each problem cell filled red and carrying a comment,
and a first sheet listing every problem. A full openpyxl round trip (read every cell and style,
write them again) costs ~90 ms and an import of ~0,3 s; the same marks written straight into the
package cost a few milliseconds, and everything else in the file (validations, protection, print
setup, its own formatting) is kept byte for byte.

Touched parts: ``xl/styles.xml`` (one red fill, the list sheet's fonts, one cell format per marked
format), each marked sheet (the cell's ``s`` attribute, a ``legacyDrawing`` reference), a comments
part and its VML drawing per marked sheet, the new list sheet, ``xl/workbook.xml`` (the new first
sheet, sheet-local names shifted by one, the active tab), the relationships, ``[Content_Types].xml``
and ``docProps/core.xml`` (the run's date). A sheet that already has comments or drawings of its
own is left to the openpyxl path (:func:`mark` returns None), as is anything not an xlsx/xlsm.
"""

from __future__ import annotations

import datetime as _dt
import io
import re
import zipfile
from html import unescape

from .xmltext import escape, quoteattr

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
T_SHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
T_COMMENTS = "application/vnd.openxmlformats-officedocument.spreadsheetml.comments+xml"
T_VML = "application/vnd.openxmlformats-officedocument.vmlDrawing"
T_MACRO_MAIN = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
T_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
R_SHEET = REL + "/worksheet"
R_COMMENTS = REL + "/comments"
R_VML = REL + "/vmlDrawing"
RED = "00FFC7CE"
AUTHOR = "Phòng GD&ĐT"
_AFTER_LEGACY = ("legacyDrawingHF", "drawingHF", "picture", "oleObjects", "controls", "webPublishItems", "tableParts",
                 "extLst")


class Unsupported(Exception):
    """The package has something this module does not edit; the caller uses the openpyxl path."""


def _attrs(tag: str) -> dict[str, str]:
    return dict(re.findall(r'([\w:]+)="([^"]*)"', tag))


def _col(ref: str) -> int:
    n = 0
    for ch in ref.rstrip("0123456789"):
        n = n * 26 + ord(ch) - 64
    return n


def _row(ref: str) -> int:
    return int(ref[len(ref.rstrip("0123456789")):])


def _split(ref: str) -> tuple[int, int]:
    return _row(ref), _col(ref)


def _letters(col: int) -> str:
    out = ""
    while col:
        col, rem = divmod(col - 1, 26)
        out = chr(65 + rem) + out
    return out


def _target(base: str, target: str) -> str:
    """A relationship target resolved against the folder of the part that holds it."""
    if target.startswith("/"):
        return target.lstrip("/")
    parts = base.split("/")[:-1]
    for piece in target.split("/"):
        if piece == "..":
            parts.pop()
        elif piece != ".":
            parts.append(piece)
    return "/".join(parts)


def _rels_name(part: str) -> str:
    folder, _, name = part.rpartition("/")
    return f"{folder}/_rels/{name}.rels"


def _next_rid(rels: str) -> int:
    ids = [int(n) for n in re.findall(r'Id="rId(\d+)"', rels)]
    return max(ids, default=0) + 1


def _add_rel(rels: str | None, rid: str, rtype: str, target: str) -> str:
    rels = rels or f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="{PKG_REL}"></Relationships>'
    return rels.replace("</Relationships>", f'<Relationship Id="{rid}" Type="{rtype}" Target="{target}"/></Relationships>')


class _Styles:
    """Appends fills, fonts and cell formats to ``xl/styles.xml``."""

    def __init__(self, xml: str):
        self.xml = xml
        self.cache: dict[int, int] = {}
        self.red = self._append("fills", '<fill><patternFill patternType="solid"><fgColor rgb="%s"/>'
                                         '<bgColor indexed="64"/></patternFill></fill>' % RED)

    def _append(self, section: str, element: str) -> int:
        m = re.search(rf"<{section}\b[^>]*?(/?)>", self.xml)
        if m is None:
            raise Unsupported(section)
        if m.group(1):  # <fills/>: empty section
            count = 0
            self.xml = self.xml[:m.start()] + f'<{section} count="1">{element}</{section}>' + self.xml[m.end():]
            return count
        end = self.xml.index(f"</{section}>", m.end())
        body = self.xml[m.end():end]
        tag = {"fills": "fill", "fonts": "font", "cellXfs": "xf"}[section]
        count = len(re.findall(rf"<{tag}\b", body))
        head = re.sub(r'\scount="\d+"', "", m.group(0)[:-1].rstrip("/")) + f' count="{count + 1}">'
        self.xml = self.xml[:m.start()] + head + body + element + self.xml[end:]
        return count

    def _xfs(self) -> list[str]:
        m = re.search(r"<cellXfs\b[^>]*>(.*?)</cellXfs>", self.xml, re.S)
        if m is None:
            raise Unsupported("cellXfs")
        return re.findall(r"<xf\b[^>]*?/>|<xf\b[^>]*?>.*?</xf>", m.group(1), re.S)

    def filled(self, style: int) -> int:
        """The cell format like ``style`` but with the red fill (made once per style)."""
        if style not in self.cache:
            xfs = self._xfs()
            xf = xfs[style] if style < len(xfs) else '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
            if xf.endswith("/>"):
                head, closing = xf[:-2], "/>"
            else:
                i = xf.index(">")
                head, closing = xf[:i], xf[i:]
            head = re.sub(r'\s(fillId|applyFill)="[^"]*"', "", head).rstrip()
            self.cache[style] = self._append("cellXfs", f'{head} fillId="{self.red}" applyFill="1"{closing}')
        return self.cache[style]

    def font_format(self, size: int, bold: bool = False, italic: bool = False, wrap: bool = False) -> int:
        """A new cell format in Times New Roman ``size`` (bold, italic; wrapped and top-aligned)."""
        font = self._append("fonts", "<font>" + ("<b/>" if bold else "") + ("<i/>" if italic else "")
                            + f'<sz val="{size}"/><name val="Times New Roman"/></font>')
        xf = f'<xf numFmtId="0" fontId="{font}" fillId="0" borderId="0" xfId="0" applyFont="1"'
        if wrap:
            xf += ' applyAlignment="1"><alignment vertical="top" wrapText="1"/></xf>'
        else:
            xf += "/>"
        return self._append("cellXfs", xf)


def _set_style(sheet: str, ref: str, styles: _Styles) -> str:
    """Give cell ``ref`` of the sheet XML the red variant of its format (creating the cell if absent)."""
    m = re.search(rf'<c\b[^>]*?\br="{ref}"[^>]*?/?>', sheet)
    if m:
        tag = m.group(0)
        s = re.search(r'\bs="(\d+)"', tag)
        new = styles.filled(int(s.group(1)) if s else 0)
        if s:
            tag = tag[:s.start()] + f's="{new}"' + tag[s.end():]
        else:
            tag = tag.replace(f'r="{ref}"', f'r="{ref}" s="{styles.filled(0)}"', 1)
        return sheet[:m.start()] + tag + sheet[m.end():]
    row, col = _split(ref)
    cell = f'<c r="{ref}" s="{styles.filled(0)}"/>'
    rm = re.search(rf'<row\b[^>]*?\br="{row}"[^>]*?(/?)>', sheet)
    if rm is None:  # no such row: insert one before the first row below it
        new_row = f'<row r="{row}">{cell}</row>'
        for other in re.finditer(r'<row\b[^>]*?\br="(\d+)"', sheet):
            if int(other.group(1)) > row:
                return sheet[:other.start()] + new_row + sheet[other.start():]
        if "<sheetData/>" in sheet:
            return sheet.replace("<sheetData/>", f"<sheetData>{new_row}</sheetData>", 1)
        end = sheet.index("</sheetData>")
        return sheet[:end] + new_row + sheet[end:]
    if rm.group(1):  # <row …/>
        return sheet[:rm.start()] + rm.group(0)[:-2] + ">" + cell + "</row>" + sheet[rm.end():]
    end = sheet.index("</row>", rm.end())
    for c in re.finditer(r'<c\b[^>]*?\br="([A-Z]+)\d+"', sheet[rm.end():end]):
        if _col(c.group(1)) > col:
            at = rm.end() + c.start()
            return sheet[:at] + cell + sheet[at:]
    return sheet[:end] + cell + sheet[end:]


def _merged_origin(sheet: str) -> dict[str, str]:
    """Every cell inside a merged range -> the range's top-left cell."""
    out = {}
    for ref in re.findall(r'<mergeCell\b[^>]*\bref="([A-Z]+\d+):([A-Z]+\d+)"', sheet):
        (r1, c1), (r2, c2) = _split(ref[0]), _split(ref[1])
        if (r2 - r1 + 1) * (c2 - c1 + 1) > 10000:
            continue
        for r in range(r1, r2 + 1):
            for c in range(c1, c2 + 1):
                out[f"{_letters(c)}{r}"] = ref[0]
    return out


def _comments_xml(notes: dict[str, str]) -> str:
    items = "".join(f'<comment ref="{ref}" authorId="0"><text><t xml:space="preserve">{escape(text)}</t></text>'
                    f"</comment>" for ref, text in sorted(notes.items(), key=lambda kv: _split(kv[0])))
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<comments xmlns="{MAIN}"><authors>'
            f"<author>{escape(AUTHOR)}</author></authors><commentList>{items}</commentList></comments>")


def _vml(notes: dict[str, str], block: int) -> str:
    shapes = []
    for i, ref in enumerate(sorted(notes, key=_split)):
        row, col = _split(ref)
        shapes.append(
            f'<v:shape id="_x0000_s{block * 1024 + 1 + i}" type="#_x0000_t202" style="position:absolute;'
            f'margin-left:59.25pt;margin-top:1.5pt;width:240pt;height:120pt;z-index:{i + 1};visibility:hidden" '
            f'fillcolor="#ffffe1" o:insetmode="auto"><v:fill color2="#ffffe1"/><v:shadow on="t" color="black" '
            f'obscured="t"/><v:path o:connecttype="none"/><v:textbox style="mso-direction-alt:auto">'
            f'<div style="text-align:left"></div></v:textbox><x:ClientData ObjectType="Note"><x:MoveWithCells/>'
            f"<x:SizeWithCells/><x:AutoFill>False</x:AutoFill><x:Row>{row - 1}</x:Row><x:Column>{col - 1}</x:Column>"
            f"</x:ClientData></v:shape>")
    return ('<xml xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" '
            'xmlns:x="urn:schemas-microsoft-com:office:excel">'
            f'<o:shapelayout v:ext="edit"><o:idmap v:ext="edit" data="{block}"/></o:shapelayout>'
            '<v:shapetype id="_x0000_t202" coordsize="21600,21600" o:spt="202" path="m,l,21600r21600,l21600,xe">'
            '<v:stroke joinstyle="miter"/><v:path gradientshapeok="t" o:connecttype="rect"/></v:shapetype>'
            + "".join(shapes) + "</xml>")


def _with_legacy_drawing(sheet: str, rid: str) -> str:
    element = f'<legacyDrawing xmlns:r="{REL}" r:id="{rid}"/>'
    positions = [m.start() for name in _AFTER_LEGACY for m in [re.search(rf"<{name}\b", sheet)] if m]
    at = min(positions) if positions else sheet.rindex("</worksheet>")
    return sheet[:at] + element + sheet[at:]


def _inline(ref: str, style: int, value) -> str:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return f'<c r="{ref}" s="{style}"><v>{value}</v></c>'
    return f'<c r="{ref}" s="{style}" t="inlineStr"><is><t xml:space="preserve">{escape(str(value))}</t></is></c>'


def _list_sheet(title: str, hint: str, heads, rows: list[tuple], styles: _Styles) -> str:
    s_title = styles.font_format(14, bold=True)
    s_hint = styles.font_format(11, italic=True)
    s_head = styles.font_format(11, bold=True)
    s_body = styles.font_format(11, wrap=True)
    cols = "".join(f'<col min="{i}" max="{i}" width="{w}" customWidth="1"/>' for i, (_h, w) in enumerate(heads, 1))
    lines = [f'<row r="1">{_inline("A1", s_title, title)}</row>', f'<row r="2">{_inline("A2", s_hint, hint)}</row>',
             '<row r="4">' + "".join(_inline(f"{_letters(i)}4", s_head, h) for i, (h, _w) in enumerate(heads, 1))
             + "</row>"]
    for n, values in enumerate(rows, start=5):
        lines.append(f'<row r="{n}">' + "".join(_inline(f"{_letters(i)}{n}", s_body, v)
                                               for i, v in enumerate(values, 1) if v not in (None, "")) + "</row>")
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{MAIN}" xmlns:r="{REL}">'
            '<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr><sheetViews><sheetView tabSelected="1" workbookViewId="0"><pane ySplit="4" topLeftCell="A5" '
            'activePane="bottomLeft" state="frozen"/><selection pane="bottomLeft" activeCell="A5" sqref="A5"/>'
            f'</sheetView></sheetViews><sheetFormatPr defaultRowHeight="15"/><cols>{cols}</cols>'
            f'<sheetData>{"".join(lines)}</sheetData>'
            '<pageMargins left="0.5" right="0.5" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>'
            '<pageSetup paperSize="9" orientation="landscape" fitToWidth="1" fitToHeight="0"/></worksheet>')


def mark(data: bytes, marks: dict[str, dict[str, list[str]]], list_sheet: str, title: str, hint: str, heads,
         rows: list[tuple], stamp: _dt.datetime) -> tuple[bytes, bool]:
    """The workbook ``data`` (xlsx/xlsm bytes) with ``marks`` = {sheet: {cell: [comment texts]}} filled red and
    commented, and a first sheet ``list_sheet`` holding ``rows`` under ``heads`` [(heading, width)].

    Returns (the new package's bytes, whether it keeps macros). Raises :class:`Unsupported` for what
    this module does not edit (and any parsing error for a damaged file): the caller falls back.
    """
    src = zipfile.ZipFile(io.BytesIO(data))
    parts = {info.filename: src.read(info.filename) for info in src.infolist()}
    order = [info.filename for info in src.infolist()]
    text = {name: parts[name].decode("utf-8") for name in
            ("[Content_Types].xml", "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/styles.xml")}
    types, wbxml, wbrels = text["[Content_Types].xml"], text["xl/workbook.xml"], text["xl/_rels/workbook.xml.rels"]
    styles = _Styles(text["xl/styles.xml"])
    has_macros = any(n.lower().endswith("vbaproject.bin") for n in parts)
    targets = {a["Id"]: a for a in (_attrs(t) for t in re.findall(r"<Relationship\s[^>]*>", wbrels))}
    sheets = []
    for tag in re.findall(r"<(?:\w+:)?sheet\s[^>]*>", wbxml):
        a = _attrs(tag)
        rid = next((v for k, v in a.items() if k.endswith(":id")), None)
        rel = targets.get(rid)
        if rel is None:
            raise Unsupported("sheet without a part")
        sheets.append((a.get("name", ""), _target("xl/workbook.xml", rel["Target"]), int(a.get("sheetId", 0))))
    by_name = {unescape(name): part for name, part, _sid in sheets}
    written: dict[str, bytes] = {}
    new_parts: list[str] = []
    block = 1
    for sheet_name, cells in marks.items():
        part = by_name.get(sheet_name)
        if part is None or not cells:
            continue
        xml = parts[part].decode("utf-8")
        rels_name = _rels_name(part)
        rels = parts[rels_name].decode("utf-8") if rels_name in parts else None
        if re.search(r"<legacyDrawing\b", xml) or (rels and ("/comments" in rels or "vmlDrawing" in rels)):
            raise Unsupported("sheet with comments of its own")
        origin = _merged_origin(xml)
        notes: dict[str, str] = {}
        for ref, texts in cells.items():
            ref = origin.get(ref, ref)
            notes[ref] = "\n\n".join(([notes[ref]] if ref in notes else []) + texts)
        for ref in sorted(notes, key=_split):
            xml = _set_style(xml, ref, styles)
        while f"xl/xhht_comments{block}.xml" in parts:
            block += 1
        comments, vml = f"xl/xhht_comments{block}.xml", f"xl/drawings/xhht_vmlDrawing{block}.vml"
        n = _next_rid(rels or "")
        rels = _add_rel(rels, f"rId{n}", R_COMMENTS, "/" + comments)
        rels = _add_rel(rels, f"rId{n + 1}", R_VML, "/" + vml)
        xml = _with_legacy_drawing(xml, f"rId{n + 1}")
        written[part] = xml.encode("utf-8")
        written[rels_name] = rels.encode("utf-8")
        written[comments] = _comments_xml(notes).encode("utf-8")
        written[vml] = _vml(notes, block).encode("utf-8")
        new_parts += [p for p in (rels_name, comments, vml) if p not in parts]
        types = types.replace("</Types>", f'<Override PartName="/{comments}" ContentType="{T_COMMENTS}"/></Types>')
        block += 1
    if 'Extension="vml"' not in types and any(p.endswith(".vml") for p in written):
        types = types.replace("</Types>", f'<Default Extension="vml" ContentType="{T_VML}"/></Types>')
    # the list of problems, as the new first sheet (the only one selected)
    for part in [p for _n, p, _s in sheets]:
        xml = written.get(part, parts[part]).decode("utf-8")
        if 'tabSelected="1"' in xml:
            written[part] = re.sub(r'\stabSelected="1"', "", xml).encode("utf-8")
    k = 1
    while f"xl/worksheets/sheet{k}.xml" in parts:
        k += 1
    list_part = f"xl/worksheets/sheet{k}.xml"
    written[list_part] = _list_sheet(title, hint, heads, rows, styles).encode("utf-8")
    new_parts.append(list_part)
    rid = f"rId{_next_rid(wbrels)}"
    wbrels = _add_rel(wbrels, rid, R_SHEET, f"/{list_part}")
    sheet_id = max((sid for _n, _p, sid in sheets), default=0) + 1
    m = re.search(r"<(\w+:)?sheets>", wbxml)
    if m is None:
        raise Unsupported("workbook without sheets")
    prefix = m.group(1) or ""
    wbxml = (wbxml[:m.end()] + f'<{prefix}sheet xmlns:r="{REL}" name={quoteattr(list_sheet)} sheetId="{sheet_id}" '
             f'r:id="{rid}"/>' + wbxml[m.end():])
    wbxml = re.sub(r'\blocalSheetId="(\d+)"', lambda x: f'localSheetId="{int(x.group(1)) + 1}"', wbxml)
    wbxml = re.sub(r'\b(activeTab|firstSheet)="\d+"', r'\1="0"', wbxml)
    types = types.replace("</Types>", f'<Override PartName="/{list_part}" ContentType="{T_SHEET}"/></Types>')
    if not has_macros:
        types = types.replace(T_MACRO_MAIN, T_MAIN)
        wbrels = re.sub(r"<Relationship\b[^>]*vbaProject[^>]*/>", "", wbrels)
    written.update({"[Content_Types].xml": types.encode("utf-8"), "xl/workbook.xml": wbxml.encode("utf-8"),
                    "xl/_rels/workbook.xml.rels": wbrels.encode("utf-8"), "xl/styles.xml": styles.xml.encode("utf-8")})
    when = stamp.strftime("%Y-%m-%dT%H:%M:%SZ")
    if "docProps/core.xml" in parts:
        core = parts["docProps/core.xml"].decode("utf-8")
        for tag in ("created", "modified"):
            core = re.sub(rf"(<dcterms:{tag}\b[^>]*>)[^<]*(</dcterms:{tag}>)", rf"\g<1>{when}\g<2>", core)
        written["docProps/core.xml"] = core.encode("utf-8")
    out = io.BytesIO()
    date_time = stamp.timetuple()[:6]
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for name in order + sorted(set(new_parts) - set(order)):
            zi = zipfile.ZipInfo(name, date_time=date_time)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o600 << 16
            dst.writestr(zi, written.get(name, parts.get(name, b"")))
    return out.getvalue(), has_macros
