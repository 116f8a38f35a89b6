"""Native Word line charts (DrawingML): the chart part, its embedded workbook and the inline drawing.

A chart made here is an ordinary Word chart: it prints as vectors at any size, the office can
restyle it in Word, and "Edit Data" opens its figures (a small workbook embedded beside it). Nothing
is drawn in Python, so a chart costs a few hundred microseconds instead of a plotting library.

The chart's data are cached in the chart part itself (``c:strCache``/``c:numCache``), which is what
Word and LibreOffice display; the embedded workbook holds the same figures for editing. A missing
value is left out of the cache and shown as a gap (``dispBlanksAs gap``), never as zero.

Text in a chart can carry a decimal comma only as literal text: number formats follow the reader's
locale. So the data labels are static text ("97,5%") and the value axis uses whole numbers.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field

from .form_layout import col_letter
from .atomic_files import zip_bytes
from .xmltext import escape, quoteattr

EMU_PER_CM = 360000

NS_C = "http://schemas.openxmlformats.org/drawingml/2006/chart"
NS_A = "http://schemas.openxmlformats.org/drawingml/2006/main"
NS_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS_WP = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
REL_CHART = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/chart"
REL_PACKAGE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/package"
CT_CHART = "application/vnd.openxmlformats-officedocument.drawingml.chart+xml"
CT_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

FONT = "Times New Roman"


@dataclass
class Series:
    """One line of a chart: a value per category (None = no figure, drawn as a gap) and its look.

    ``dash`` is a DrawingML preset ("solid", "dash", "sysDot" …) or None for no line; ``marker`` a
    marker symbol ("circle", "diamond" …) or None; ``labels`` maps a category index to a static
    data label written above (or below, with ``below``) the point.
    """

    name: str
    values: list[float | None]
    color: str = "1A3668"
    width_pt: float = 1.5
    dash: str | None = "solid"
    marker: str | None = None
    marker_size: int = 5
    marker_fill: str | None = None        # None: filled with the line colour
    labels: dict[int, str] = field(default_factory=dict)
    below: set[int] = field(default_factory=set)
    shift: dict[int, float] = field(default_factory=dict)   # a label moved right by this share of the chart width
    in_legend: bool = True


@dataclass
class LineChart:
    """A line chart over text categories (years) with a numeric value axis."""

    title: str
    categories: list[str]
    series: list[Series]
    width_cm: float
    height_cm: float
    y_min: float | None = None
    y_max: float | None = None
    y_major: float | None = None
    y_format: str = "0"                  # the value axis's number format (whole numbers: no decimal separator)
    legend: bool = False
    legend_only: bool = False            # a legend strip: no plot, no axes (one legend for a row of panels)
    font_pt: float = 8.0
    description: str = ""                # alternative text of the drawing


# ----------------------------------------------------------------------------- chart part
def _rpr(size_pt: float, bold: bool = False, color: str | None = None, tag: str = "a:defRPr") -> str:
    fill = f'<a:solidFill><a:srgbClr val="{color}"/></a:solidFill>' if color else ""
    return (f'<{tag} sz="{round(size_pt * 100)}" b="{int(bold)}">{fill}<a:latin typeface="{FONT}"/>'
            f'<a:cs typeface="{FONT}"/></{tag}>')


def _tx_pr(size_pt: float, color: str | None = None) -> str:
    return f"<c:txPr><a:bodyPr/><a:lstStyle/><a:p><a:pPr>{_rpr(size_pt, color=color)}</a:pPr>" \
           f'<a:endParaRPr lang="vi-VN"/></a:p></c:txPr>'


def _rich(text: str, size_pt: float, color: str | None = None) -> str:
    run = _rpr(size_pt, color=color, tag="a:rPr").replace("<a:rPr ", '<a:rPr lang="vi-VN" ', 1)
    return (f"<c:rich><a:bodyPr/><a:lstStyle/><a:p><a:pPr>{_rpr(size_pt, color=color)}</a:pPr>"
            f"<a:r>{run}<a:t>{escape(text)}</a:t></a:r></a:p></c:rich>")


def _line_pr(color: str, width_pt: float, dash: str | None) -> str:
    if dash is None:
        return "<c:spPr><a:ln><a:noFill/></a:ln></c:spPr>"
    return (f'<c:spPr><a:ln w="{round(width_pt * 12700)}" cap="rnd"><a:solidFill><a:srgbClr val="{color}"/>'
            f'</a:solidFill><a:prstDash val="{dash}"/><a:round/></a:ln></c:spPr>')


def _marker(s: Series) -> str:
    if s.marker is None:
        return '<c:marker><c:symbol val="none"/></c:marker>'
    fill = s.marker_fill or s.color
    return (f'<c:marker><c:symbol val="{s.marker}"/><c:size val="{s.marker_size}"/><c:spPr><a:solidFill>'
            f'<a:srgbClr val="{fill}"/></a:solidFill><a:ln w="12700"><a:solidFill><a:srgbClr val="{s.color}"/>'
            f'</a:solidFill><a:prstDash val="solid"/></a:ln></c:spPr></c:marker>')


_SHOW = ('<c:showLegendKey val="0"/><c:showVal val="{v}"/><c:showCatName val="0"/><c:showSerName val="0"/>'
         '<c:showPercent val="0"/><c:showBubbleSize val="0"/>')


def _labels(s: Series, size_pt: float) -> str:
    if not s.labels:
        return ""
    out = ["<c:dLbls>"]
    for i in sorted(s.labels):
        pos = "b" if i in s.below else "t"
        move = (f'<c:layout><c:manualLayout><c:x val="{s.shift[i]:.4f}"/><c:y val="0"/></c:manualLayout></c:layout>'
                if s.shift.get(i) else "")
        out.append(f'<c:dLbl><c:idx val="{i}"/>{move}<c:tx>{_rich(s.labels[i], size_pt, s.color)}</c:tx>'
                   f'<c:dLblPos val="{pos}"/>{_SHOW.format(v=1)}</c:dLbl>')
    out.append(f'{_SHOW.format(v=0)}<c:showLeaderLines val="0"/></c:dLbls>')
    return "".join(out)


def _number(v: float) -> str:
    return repr(float(v)) if v != int(v) else str(int(v))


def _series(chart: LineChart, k: int, s: Series) -> str:
    n = len(chart.categories)
    col = col_letter(k + 1)
    cats = "".join(f'<c:pt idx="{i}"><c:v>{escape(c)}</c:v></c:pt>' for i, c in enumerate(chart.categories))
    vals = "".join(f'<c:pt idx="{i}"><c:v>{_number(v)}</c:v></c:pt>' for i, v in enumerate(s.values)
                   if v is not None)
    return (f'<c:ser><c:idx val="{k}"/><c:order val="{k}"/>'
            f'<c:tx><c:strRef><c:f>Sheet1!${col}$1</c:f><c:strCache><c:ptCount val="1"/><c:pt idx="0">'
            f"<c:v>{escape(s.name)}</c:v></c:pt></c:strCache></c:strRef></c:tx>"
            f"{_line_pr(s.color, s.width_pt, s.dash)}{_marker(s)}{_labels(s, chart.font_pt - 1)}"
            f"<c:cat><c:strRef><c:f>Sheet1!$A$2:$A${n + 1}</c:f><c:strCache><c:ptCount val=\"{n}\"/>{cats}"
            f"</c:strCache></c:strRef></c:cat>"
            f"<c:val><c:numRef><c:f>Sheet1!${col}$2:${col}${n + 1}</c:f><c:numCache><c:formatCode>General"
            f'</c:formatCode><c:ptCount val="{n}"/>{vals}</c:numCache></c:numRef></c:val>'
            f'<c:smooth val="0"/></c:ser>')


_GREY = "C8C8C8"
_AXIS = '<c:spPr><a:ln w="7620"><a:solidFill><a:srgbClr val="000000"/></a:solidFill></a:ln></c:spPr>'


def _axes(chart: LineChart) -> str:
    hidden = chart.legend_only
    scaling = '<c:orientation val="minMax"/>'
    if chart.y_max is not None:
        scaling += f'<c:max val="{_number(chart.y_max)}"/>'
    if chart.y_min is not None:
        scaling += f'<c:min val="{_number(chart.y_min)}"/>'
    major = f'<c:majorUnit val="{_number(chart.y_major)}"/>' if chart.y_major else ""
    grid = "" if hidden else f'<c:majorGridlines><c:spPr><a:ln w="5080"><a:solidFill><a:srgbClr val="{_GREY}"/>' \
                             f"</a:solidFill></a:ln></c:spPr></c:majorGridlines>"
    small = chart.font_pt - 1
    return (f'<c:catAx><c:axId val="1001"/><c:scaling><c:orientation val="minMax"/></c:scaling>'
            f'<c:delete val="{int(hidden)}"/><c:axPos val="b"/><c:numFmt formatCode="General" sourceLinked="0"/>'
            f'<c:majorTickMark val="out"/><c:minorTickMark val="none"/><c:tickLblPos val="low"/>{_AXIS}'
            f'{_tx_pr(small)}<c:crossAx val="1002"/><c:crosses val="autoZero"/><c:auto val="1"/>'
            f'<c:lblAlgn val="ctr"/><c:lblOffset val="100"/><c:noMultiLvlLbl val="0"/></c:catAx>'
            f'<c:valAx><c:axId val="1002"/><c:scaling>{scaling}</c:scaling><c:delete val="{int(hidden)}"/>'
            f'<c:axPos val="l"/>{grid}<c:numFmt formatCode={quoteattr(chart.y_format)} sourceLinked="0"/>'
            f'<c:majorTickMark val="out"/><c:minorTickMark val="none"/><c:tickLblPos val="nextTo"/>{_AXIS}'
            f'{_tx_pr(small)}<c:crossAx val="1001"/><c:crosses val="autoZero"/><c:crossBetween val="between"/>'
            f"{major}</c:valAx>")


def _manual(x: float, y: float, w: float, h: float, inner: bool = False) -> str:
    target = '<c:layoutTarget val="inner"/>' if inner else ""
    return (f'<c:layout><c:manualLayout>{target}<c:xMode val="edge"/><c:yMode val="edge"/>'
            f'<c:x val="{x:.4f}"/><c:y val="{y:.4f}"/><c:w val="{w:.4f}"/><c:h val="{h:.4f}"/>'
            f"</c:manualLayout></c:layout>")


def chart_xml(chart: LineChart) -> bytes:
    """The chart part (``word/charts/chartN.xml``) of ``chart``."""
    title = ""
    if chart.title and not chart.legend_only:
        title = (f'<c:title><c:tx>{_rich(chart.title, chart.font_pt)}</c:tx>'
                 '<c:overlay val="0"/></c:title>'
                 '<c:autoTitleDeleted val="0"/>')
    else:
        title = '<c:autoTitleDeleted val="1"/>'
    series = "".join(_series(chart, k, s) for k, s in enumerate(chart.series))
    plot_layout = _manual(0.0, 0.0, 0.001, 0.001, inner=True) if chart.legend_only else "<c:layout/>"
    legend = ""
    if chart.legend or chart.legend_only:
        entries = "".join(f'<c:legendEntry><c:idx val="{k}"/><c:delete val="1"/></c:legendEntry>'
                          for k, s in enumerate(chart.series) if not s.in_legend)
        layout = _manual(0.0, 0.0, 1.0, 1.0) if chart.legend_only else ""
        legend = (f'<c:legend><c:legendPos val="{"t" if chart.legend_only else "b"}"/>{entries}{layout}'
                  f'<c:overlay val="0"/>{_tx_pr(chart.font_pt)}</c:legend>')
    xml = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
           f'<c:chartSpace xmlns:c="{NS_C}" xmlns:a="{NS_A}" xmlns:r="{NS_R}">'
           f'<c:date1904 val="0"/><c:lang val="vi-VN"/><c:roundedCorners val="0"/>'
           f"<c:chart>{title}<c:plotArea>{plot_layout}"
           f'<c:lineChart><c:grouping val="standard"/><c:varyColors val="0"/>{series}'
           f'<c:marker val="1"/><c:axId val="1001"/><c:axId val="1002"/></c:lineChart>{_axes(chart)}'
           f"<c:spPr><a:noFill/><a:ln><a:noFill/></a:ln></c:spPr></c:plotArea>{legend}"
           f'<c:plotVisOnly val="1"/><c:dispBlanksAs val="gap"/></c:chart>'
           f"<c:spPr><a:noFill/><a:ln><a:noFill/></a:ln></c:spPr>{_tx_pr(chart.font_pt)}"
           f'<c:externalData r:id="rId1"><c:autoUpdate val="0"/></c:externalData></c:chartSpace>')
    return xml.encode("utf-8")


def chart_rels(workbook: str) -> bytes:
    """The chart part's relationships: its embedded workbook (``workbook`` relative to word/charts/)."""
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{REL_PACKAGE}" Target={quoteattr(workbook)}/></Relationships>'
            ).encode("utf-8")


# ------------------------------------------------------------------------ embedded workbook
def _cell(ref: str, value) -> str:
    if value is None:
        return ""
    if isinstance(value, (int, float)):
        return f'<c r="{ref}"><v>{_number(value)}</v></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t>{escape(str(value))}</t></is></c>'


def workbook_xlsx(chart: LineChart, stamp: _dt.datetime) -> bytes:
    """A one-sheet workbook with the chart's figures (A: categories, B…: one column per series), for
    Word's "Edit Data". Written directly (a handful of parts), stable bytes for the same chart."""
    rows = [[""] + [s.name for s in chart.series]]
    for i, c in enumerate(chart.categories):
        rows.append([c] + [s.values[i] for s in chart.series])
    sheet_rows = "".join(
        f'<row r="{r}">' + "".join(_cell(f"{col_letter(k)}{r}", v) for k, v in enumerate(row)) + "</row>"
        for r, row in enumerate(rows, start=1))
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    head = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    parts = [
        ("[Content_Types].xml", head + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
         '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
         '<Default Extension="xml" ContentType="application/xml"/>'
         '<Override PartName="/xl/workbook.xml" '
         'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
         '<Override PartName="/xl/worksheets/sheet1.xml" '
         'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'),
        ("_rels/.rels", head + '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
         '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
         'officeDocument" Target="xl/workbook.xml"/></Relationships>'),
        ("xl/workbook.xml", head + f'<workbook xmlns="{main}" xmlns:r="{NS_R}"><sheets>'
         '<sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'),
        ("xl/_rels/workbook.xml.rels", head + '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
         'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
         'relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'),
        ("xl/worksheets/sheet1.xml", head + f'<worksheet xmlns="{main}"><sheetData>{sheet_rows}</sheetData>'
         "</worksheet>"),
    ]
    return zip_bytes([(name, text.encode("utf-8")) for name, text in parts], stamp)


# ---------------------------------------------------------------------------- inline drawing
def inline_run(rid: str, chart: LineChart, shape_id: int) -> str:
    """A ``w:r`` holding the chart ``rid`` inline, ``chart.width_cm`` x ``chart.height_cm``."""
    cx, cy = round(chart.width_cm * EMU_PER_CM), round(chart.height_cm * EMU_PER_CM)
    name = f"Biểu đồ {shape_id}"
    return (f'<w:r><w:drawing><wp:inline xmlns:wp="{NS_WP}" distT="0" distB="0" distL="0" distR="0">'
            f'<wp:extent cx="{cx}" cy="{cy}"/><wp:effectExtent l="0" t="0" r="0" b="0"/>'
            f'<wp:docPr id="{shape_id}" name={quoteattr(name)} descr={quoteattr(chart.description or chart.title)}/>'
            f'<wp:cNvGraphicFramePr/><a:graphic xmlns:a="{NS_A}"><a:graphicData uri="{NS_C}">'
            f'<c:chart xmlns:c="{NS_C}" xmlns:r="{NS_R}" r:id="{rid}"/></a:graphicData></a:graphic>'
            f"</wp:inline></w:drawing></w:r>")


__all__ = ["Series", "LineChart", "chart_xml", "chart_rels", "workbook_xlsx", "inline_run",
           "REL_CHART", "CT_CHART", "CT_XLSX"]
