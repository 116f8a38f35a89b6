"""Check any DOCX against the Nghị định 30/2020 presentation rules (Phụ lục I).

Works on documents made by xhht and on documents a person edited in Word: every check reads the
*effective* formatting (run, then paragraph style and its base styles, then document defaults).
Each deviation names where it is, the rule it breaks and what was found.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from .errors import InputError

QUOC_HIEU = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
TIEU_NGU = "Độc lập - Tự do - Hạnh phúc"
DOC_TYPES = ("BÁO CÁO", "KẾ HOẠCH", "QUYẾT ĐỊNH", "THÔNG BÁO", "TỜ TRÌNH", "HƯỚNG DẪN", "CHƯƠNG TRÌNH",
             "NGHỊ QUYẾT", "CHỈ THỊ", "QUY CHẾ", "QUY ĐỊNH", "PHƯƠNG ÁN", "ĐỀ ÁN", "BIÊN BẢN", "CÔNG ĐIỆN",
             "GIẤY MỜI", "GIẤY GIỚI THIỆU")
_SO_RE = re.compile(r"^Số:\s*(?P<num>\d+)?\s*/(?P<sym>[A-ZĐa-zđ0-9&\-]+)$")
# the day and month may be left blank for the issuing body to fill in ("ngày      tháng      năm 2018": a draft)
_DATE_RE = re.compile(r"^(?P<place>[^,]+), ngày (?:(?P<day>\S+)|\s+) tháng (?:(?P<month>\S+)|\s+) năm (?P<year>\S+)$")

# rule id -> what NĐ 30/2020 Phụ lục I requires (shown with each deviation)
RULES = {
    "kho-giay": "Khổ giấy A4 (210 x 297 mm) (Phụ lục I, mục I.1)",
    "le-trang": "Lề trên, dưới 20-25 mm; lề trái 30-35 mm; lề phải 15-20 mm (Phụ lục I, mục I.4)",
    "phong-chu": "Phông chữ Times New Roman (Phụ lục I, mục I.2)",
    "quoc-hieu": "Quốc hiệu \"CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\": in hoa, cỡ 12-13, đứng, đậm (mục II.1)",
    "tieu-ngu": "Tiêu ngữ \"Độc lập - Tự do - Hạnh phúc\": cỡ 13-14, đứng, đậm (mục II.1)",
    "co-quan": "Tên cơ quan: in hoa, cỡ 12-13; cơ quan chủ quản đứng, cơ quan ban hành đậm (mục II.2)",
    "so-ky-hieu": "Số, ký hiệu: \"Số: 05/BC-PGDĐT\", cỡ 13, số nhỏ hơn 10 thêm số 0 ở trước (mục II.3)",
    "ngay-thang": "Địa danh, ngày tháng: nghiêng, cỡ 13-14; ngày 1-9 và tháng 1, 2 thêm số 0 (mục II.4)",
    "ten-loai": "Tên loại văn bản: in hoa, cỡ 13-14, đứng, đậm, căn giữa (mục II.5)",
    "can-cu": "Căn cứ ban hành: in nghiêng, cỡ 13-14 (mục II.6)",
    "noi-dung": "Nội dung: cỡ 13-14, căn đều hai lề, lùi đầu dòng 1 cm hoặc 1,27 cm, cách đoạn tối thiểu 6 pt, "
                "giãn dòng từ đơn đến 1,5 dòng (mục II.6)",
    "noi-nhan": "Nơi nhận: chữ \"Nơi nhận:\" cỡ 12, nghiêng, đậm; các dòng cỡ 11; dòng cuối \"- Lưu: …\" (mục II.9)",
    "chu-ky": "Quyền hạn, chức vụ và họ tên người ký: cỡ 13-14, đậm (mục II.7)",
    "so-trang": "Số trang: cỡ 13-14, căn giữa phía trên, không hiển thị ở trang đầu (mục I.5)",
}


@dataclass(frozen=True)
class FormatDeviation:
    """A place in a DOCX that breaks a Nghị định 30 presentation rule: the rule, where, and what was found."""

    rule: str
    where: str
    found: str

    def text(self) -> str:
        return f"[{self.rule}] {self.where}: {self.found}. Quy định: {RULES[self.rule]}."


# ------------------------------------------------------------------------------ effective formatting
def _style_chain(style):
    while style is not None:
        yield style
        style = style.base_style


def _qn(tag: str) -> str:
    from docx.oxml.ns import qn

    return qn(tag)


def _defaults(doc):
    from docx.oxml.ns import qn

    out = {"size": None, "font": None, "bold": None, "italic": None}
    dd = doc.styles.element.find(qn("w:docDefaults"))
    rpr = dd.find(qn("w:rPrDefault") + "/" + qn("w:rPr")) if dd is not None else None
    if rpr is not None:
        sz = rpr.find(qn("w:sz"))
        if sz is not None:
            out["size"] = int(sz.get(qn("w:val"))) / 2
        fonts = rpr.find(qn("w:rFonts"))
        if fonts is not None:
            out["font"] = fonts.get(qn("w:ascii")) or ("(theme)" if fonts.get(qn("w:asciiTheme")) else None)
    return out


class _Eff:
    """Effective formatting, with style look-ups cached (python-docx resolves styles slowly)."""

    def __init__(self, doc):
        from docx.enum.style import WD_STYLE_TYPE

        self.dflt = _defaults(doc)
        self.by_id = {st.style_id: st for st in doc.styles}
        self.default_para = next((st for st in doc.styles if st.type == WD_STYLE_TYPE.PARAGRAPH
                                  and st.element.get(_qn("w:default")) in ("1", "true")), None)

    def pstyle(self, paragraph):
        ppr = paragraph._p.pPr
        sid = ppr.pStyle.val if ppr is not None and ppr.pStyle is not None else None
        return self.by_id.get(sid, self.default_para) if sid else self.default_para

    def rstyle(self, run):
        rpr = run._r.rPr
        sid = rpr.rStyle.val if rpr is not None and rpr.rStyle is not None else None
        return self.by_id.get(sid) if sid else None

    def run(self, run, paragraph, attr: str):
        value = {"size": lambda f: f.size.pt if f.size is not None else None,
                 "font": lambda f: f.name, "bold": lambda f: f.bold, "italic": lambda f: f.italic}[attr]
        v = value(run.font)
        if v is not None:
            return v
        rstyle = self.rstyle(run)
        if rstyle is not None:
            for st in _style_chain(rstyle):
                v = value(st.font)
                if v is not None:
                    return v
        for st in _style_chain(self.pstyle(paragraph)):
            v = value(st.font)
            if v is not None:
                return v
        d = self.dflt[attr]
        return d if d is not None else (False if attr in ("bold", "italic") else None)

    def para(self, paragraph, attr: str):
        get = {"align": lambda pf: pf.alignment, "indent": lambda pf: pf.first_line_indent,
               "before": lambda pf: pf.space_before, "after": lambda pf: pf.space_after,
               "line": lambda pf: pf.line_spacing}[attr]
        v = get(paragraph.paragraph_format)
        if v is not None:
            return v
        for st in _style_chain(self.pstyle(paragraph)):
            v = get(st.paragraph_format)
            if v is not None:
                return v
        return None


def _runs(p):
    return [r for r in p.runs if r.text.strip()]


def _short(text: str, n: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"


def _sizes(eff, p) -> set:
    return {eff.run(r, p, "size") for r in _runs(p)}


def _all(eff, p, attr) -> bool:
    runs = _runs(p)
    return bool(runs) and all(eff.run(r, p, attr) for r in runs)


def _in(sizes: set, lo: float, hi: float) -> bool:
    return bool(sizes) and all(s is not None and lo <= s <= hi for s in sizes)


def _fmt_sizes(sizes: set) -> str:
    return ", ".join("?" if s is None else f"{s:g}" for s in sorted(sizes, key=lambda x: x or 0))


def _font_places(doc, eff) -> dict[str, list[str]]:
    """Every run with text whose effective font is not Times New Roman, by font: ``đoạn "…"`` for a paragraph
    of the body, ``bảng "…"`` for one in a cell of a table of the body (each cell once).

    Read from the XML rather than through python-docx's run and font objects (a 40-page BC has 2.500 runs:
    0,3 s that way), with the font of each style chain resolved once."""
    from docx.oxml.ns import qn
    from docx.text.paragraph import Paragraph

    W_R, W_RPR, W_RFONTS, W_RSTYLE, W_PPR, W_PSTYLE, W_VAL, W_ASCII = (
        qn("w:r"), qn("w:rPr"), qn("w:rFonts"), qn("w:rStyle"), qn("w:pPr"), qn("w:pStyle"), qn("w:val"), qn("w:ascii"))
    TEXT = {qn("w:t"), qn("w:sym"), qn("w:noBreakHyphen")}
    chains: dict[str | None, str | None] = {}

    def style_font(sid: str | None, paragraph: bool) -> str | None:
        key = (sid, paragraph)
        if key not in chains:
            style = eff.by_id.get(sid) if sid else None
            if style is None and paragraph:
                style = eff.default_para
            chains[key] = next((st.font.name for st in _style_chain(style) if st.font.name is not None), None)
        return chains[key]

    def val(parent, tag: str) -> str | None:
        el = parent.find(tag) if parent is not None else None
        return el.get(W_VAL) if el is not None else None

    places: dict[str, list[str]] = {}

    def scan(p, where: str) -> None:
        pstyle = None
        for r in p.iterchildren(W_R):
            if not any((c.tag in TEXT and (c.tag != TEXT_T or (c.text or "").strip())) for c in r):
                continue
            rpr = r.find(W_RPR)
            fonts = rpr.find(W_RFONTS) if rpr is not None else None
            name = fonts.get(W_ASCII) if fonts is not None else None
            if name is None:
                rstyle = val(rpr, W_RSTYLE)
                name = style_font(rstyle, False) if rstyle else None
            if name is None:
                if pstyle is None:
                    pstyle = (val(p.find(W_PPR), W_PSTYLE),)
                name = style_font(pstyle[0], True)
            if name is None:
                name = eff.dflt["font"]
            if name != "Times New Roman":
                places.setdefault(str(name), []).append(f"{where} \"{_short(Paragraph(p, None).text, 25)}\"")

    TEXT_T = qn("w:t")
    body = doc.element.body
    for p in body.iterchildren(qn("w:p")):
        scan(p, "đoạn")
    for tbl in body.iterchildren(qn("w:tbl")):
        for tr in tbl.iterchildren(qn("w:tr")):
            for tc in tr.iterchildren(qn("w:tc")):
                for p in tc.iterchildren(qn("w:p")):
                    scan(p, "bảng")
    return places


# ------------------------------------------------------------------------------------------ checks
def check_document(path: Path | str) -> list[FormatDeviation]:
    """Return every NĐ 30 deviation found in the DOCX at ``path``."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
    from docx.oxml.ns import qn

    path = Path(path)
    try:
        doc = Document(str(path))
    except Exception as exc:
        raise InputError(f"Không mở được {path} như một tệp Word (.docx): tệp bị hỏng hoặc không phải .docx. Hãy mở "
                         "tệp bằng Word, lưu lại dạng .docx rồi thử lại.") from exc
    eff = _Eff(doc)
    out: list[FormatDeviation] = []

    for i, s in enumerate(doc.sections, start=1):
        w, h = sorted((round(s.page_width.mm), round(s.page_height.mm)))
        if (w, h) != (210, 297):
            out.append(FormatDeviation("kho-giay", f"phần (section) {i}", f"khổ {s.page_width.mm:.0f} x {s.page_height.mm:.0f} mm"))
        for name, value, lo, hi in (("trên", s.top_margin, 20, 25), ("dưới", s.bottom_margin, 20, 25),
                                    ("trái", s.left_margin, 30, 35), ("phải", s.right_margin, 15, 20)):
            if value is None or not lo - 0.1 <= value.mm <= hi + 0.1:
                got = "không đặt" if value is None else f"{value.mm:.1f} mm"
                out.append(FormatDeviation("le-trang", f"phần {i}, lề {name}", got))

    bad_fonts = _font_places(doc, eff)
    for name, places in bad_fonts.items():
        more = f" và {len(places) - 3} chỗ khác" if len(places) > 3 else ""
        out.append(FormatDeviation("phong-chu", "; ".join(places[:3]) + more, f"phông {name}"))

    # --- header block: the first table ---------------------------------------------------------
    if not doc.tables:
        out.append(FormatDeviation("quoc-hieu", "đầu trang 1", "không có bảng tiêu đề (cơ quan ban hành / Quốc hiệu)"))
        header_cells = []
    else:
        header_cells = [c for row in doc.tables[0].rows for c in row.cells]
    hp = [p for c in header_cells for p in c.paragraphs if p.text.strip()]
    qh = next((p for p in hp if p.text.strip().upper().startswith("CỘNG HÒA") or p.text.strip().upper().startswith("CỘNG HOÀ")), None)
    tn = next((p for p in hp if p.text.strip().lower().startswith("độc lập")), None)

    def fixed_line(p, rule: str, label: str, expected: str, lo: float, hi: float) -> None:
        """Quốc hiệu and Tiêu ngữ: exact wording, bold, size in range."""
        if p is None:
            out.append(FormatDeviation(rule, "bảng tiêu đề", f"không có {label}"))
            return
        if p.text.strip() != expected:
            out.append(FormatDeviation(rule, label, f"viết là \"{p.text.strip()}\""))
        if not _all(eff, p, "bold") or not _in(_sizes(eff, p), lo, hi):
            out.append(FormatDeviation(rule, label, f"cỡ {_fmt_sizes(_sizes(eff, p))}, "
                                 f"{'đậm' if _all(eff, p, 'bold') else 'không đậm'}"))

    if header_cells:
        fixed_line(qh, "quoc-hieu", "Quốc hiệu", QUOC_HIEU, 12, 13)
        fixed_line(tn, "tieu-ngu", "Tiêu ngữ", TIEU_NGU, 13, 14)
        left = [p for p in doc.tables[0].rows[0].cells[0].paragraphs if p.text.strip()]
        agencies = [p for p in left if not p.text.strip().startswith("Số")][:2]
        for k, p in enumerate(agencies):
            want_bold = k == len(agencies) - 1
            text = p.text.strip()
            problems = []
            if text != text.upper():
                problems.append("không in hoa")
            if not _in(_sizes(eff, p), 12, 13):
                problems.append(f"cỡ {_fmt_sizes(_sizes(eff, p))}")
            if _all(eff, p, "bold") != want_bold:
                problems.append("không đậm" if want_bold else "in đậm")
            if problems:
                out.append(FormatDeviation("co-quan", f"\"{_short(text)}\"", ", ".join(problems)))
        so = next((p for p in hp if p.text.strip().startswith("Số")), None)
        if so is None:
            out.append(FormatDeviation("so-ky-hieu", "bảng tiêu đề", "không có dòng \"Số:\""))
        else:
            text = " ".join(so.text.split())
            m = _SO_RE.match(so.text.strip())
            if m is None:
                out.append(FormatDeviation("so-ky-hieu", "dòng số, ký hiệu", f"viết là \"{text}\""))
            elif m.group("num") and int(m.group("num")) < 10 and not m.group("num").startswith("0"):
                out.append(FormatDeviation("so-ky-hieu", "dòng số, ký hiệu", f"số \"{m.group('num')}\" thiếu số 0 ở trước"))
            if not _in(_sizes(eff, so), 13, 13):
                out.append(FormatDeviation("so-ky-hieu", "dòng số, ký hiệu", f"cỡ {_fmt_sizes(_sizes(eff, so))}"))
        date = next((p for p in hp if " ngày " in p.text and " tháng " in p.text), None)
        if date is None:
            out.append(FormatDeviation("ngay-thang", "bảng tiêu đề", "không có dòng địa danh, ngày tháng năm"))
        else:
            text = date.text.strip()
            m = _DATE_RE.match(text)
            problems = []
            if m is None:
                problems.append(f"viết là \"{text}\"")
            else:
                day, month = m.group("day") or "", m.group("month") or ""
                if day.isdigit() and (len(day) != 2):
                    problems.append(f"ngày \"{day}\" phải có 2 chữ số")
                if month.isdigit():
                    if int(month) < 3 and len(month) != 2:
                        problems.append(f"tháng \"{month}\" phải viết \"0{month}\"")
                    if int(month) >= 3 and month.startswith("0"):
                        problems.append(f"tháng \"{month}\" không thêm số 0")
            if not _all(eff, date, "italic"):
                problems.append("không in nghiêng")
            if not _in(_sizes(eff, date), 13, 14):
                problems.append(f"cỡ {_fmt_sizes(_sizes(eff, date))}")
            if problems:
                out.append(FormatDeviation("ngay-thang", "dòng địa danh, ngày tháng", ", ".join(problems)))

    # --- title and body ---------------------------------------------------------------------------
    body = doc.paragraphs
    title_idx = next((i for i, p in enumerate(body) if p.text.strip() in DOC_TYPES), None)
    # a công văn has no type name: its trích yếu "V/v …" stands under the số ký hiệu (box 5b)
    letter = title_idx is None and any(p.text.strip().startswith("V/v ") for t in doc.tables[:1]
                                       for row in t.rows for c in row.cells for p in c.paragraphs)
    if letter:
        title_idx = next((i for i, p in enumerate(body) if p.text.strip().startswith("Kính gửi")), None)
    if title_idx is None and not letter:
        out.append(FormatDeviation("ten-loai", "trang 1", "không tìm thấy tên loại văn bản (BÁO CÁO, KẾ HOẠCH, …) "
                                                    "hay trích yếu \"V/v …\" của công văn"))
    elif letter:
        pass
    else:
        t = body[title_idx]
        problems = []
        if not _all(eff, t, "bold"):
            problems.append("không đậm")
        if not _in(_sizes(eff, t), 13, 14):
            problems.append(f"cỡ {_fmt_sizes(_sizes(eff, t))}")
        if eff.para(t, "align") != WD_ALIGN_PARAGRAPH.CENTER:
            problems.append("không căn giữa")
        if problems:
            out.append(FormatDeviation("ten-loai", f"\"{t.text.strip()}\"", ", ".join(problems)))

    first_section_end = _first_section_end(doc)
    start = (title_idx or 0) + 1
    bad: dict[str, list[str]] = {}
    for n, p in enumerate(body[start:first_section_end], start=start + 1):
        text = p.text.strip()
        if len(text) < 60 or eff.para(p, "align") == WD_ALIGN_PARAGRAPH.CENTER:
            continue  # title lines, Kính gửi, short headings
        where = f"đoạn {n} \"{_short(text, 30)}\""
        problems = []
        if eff.para(p, "align") not in (WD_ALIGN_PARAGRAPH.JUSTIFY, WD_ALIGN_PARAGRAPH.DISTRIBUTE):
            problems.append("không căn đều hai lề")
        ind = eff.para(p, "indent")
        if ind is None or not (9.7 <= ind.mm <= 10.3 or 12.4 <= ind.mm <= 13.0):
            problems.append("lùi đầu dòng " + ("0" if ind is None else f"{ind.mm:.1f} mm"))
        sizes = _sizes(eff, p)
        if not _in(sizes, 13, 14):
            problems.append(f"cỡ {_fmt_sizes(sizes)}")
        before, after = eff.para(p, "before"), eff.para(p, "after")
        gap = (before.pt if before is not None else 0) + (after.pt if after is not None else 0)
        if gap < 6 - 0.01:
            problems.append(f"cách đoạn {gap:g} pt")
        line = eff.para(p, "line")
        rule = p.paragraph_format.line_spacing_rule
        if isinstance(line, float) and not 1.0 <= line <= 1.5:
            problems.append(f"giãn dòng {line:g}")
        elif rule == WD_LINE_SPACING.EXACTLY:
            problems.append("giãn dòng kiểu \"Exactly\"")
        if text.startswith("Căn cứ") and not _all(eff, p, "italic"):
            out.append(FormatDeviation("can-cu", where, "không in nghiêng"))
        for problem in problems:
            bad.setdefault(problem, []).append(where)
    for problem, places in bad.items():
        more = f" và {len(places) - 3} đoạn khác" if len(places) > 3 else ""
        out.append(FormatDeviation("noi-dung", "; ".join(places[:3]) + more, problem))

    # --- Nơi nhận and signature ----------------------------------------------------------------------
    sig = next((t for t in doc.tables if t.rows and t.rows[0].cells[0].text.strip().startswith("Nơi nhận")), None)
    if sig is None:
        out.append(FormatDeviation("noi-nhan", "cuối văn bản", "không có khối \"Nơi nhận:\" và chữ ký"))
    else:
        left, right = sig.rows[0].cells[0], sig.rows[0].cells[-1]
        items = [p for p in left.paragraphs if p.text.strip()]
        head = items[0]
        problems = []
        if not (_all(eff, head, "bold") and _all(eff, head, "italic")):
            problems.append("\"Nơi nhận:\" không nghiêng đậm")
        if not _in(_sizes(eff, head), 12, 12):
            problems.append(f"\"Nơi nhận:\" cỡ {_fmt_sizes(_sizes(eff, head))}")
        wrong = [p.text.strip() for p in items[1:] if not _in(_sizes(eff, p), 11, 11)]
        if wrong:
            first = next(p for p in items[1:] if p.text.strip() == wrong[0])
            problems.append(f"dòng \"{_short(wrong[0], 30)}\" cỡ {_fmt_sizes(_sizes(eff, first))}"
                            + (f" (và {len(wrong) - 1} dòng khác)" if len(wrong) > 1 else ""))
        if len(items) < 2 or not items[-1].text.strip().startswith("- Lưu"):
            problems.append("dòng cuối không phải \"- Lưu: …\"")
        if problems:
            out.append(FormatDeviation("noi-nhan", "khối Nơi nhận", "; ".join(problems)))
        signs = [p for p in right.paragraphs if p.text.strip()]
        for p in signs:
            problems = []
            if not _all(eff, p, "bold"):
                problems.append("không đậm")
            if not _in(_sizes(eff, p), 13, 14):
                problems.append(f"cỡ {_fmt_sizes(_sizes(eff, p))}")
            if p is not signs[-1] and p.text.strip() != p.text.strip().upper():
                problems.append("quyền hạn, chức vụ không in hoa")
            if problems:
                out.append(FormatDeviation("chu-ky", f"\"{_short(p.text.strip())}\"", ", ".join(problems)))

    # --- page numbers ---------------------------------------------------------------------------
    s = doc.sections[0]
    if "PAGE" not in s.header._element.xml:
        out.append(FormatDeviation("so-trang", "phần đầu trang (header)", "không có số trang"))
    else:
        p = next((p for p in s.header.paragraphs if "PAGE" in p._p.xml), None)
        if p is not None:
            if eff.para(p, "align") != WD_ALIGN_PARAGRAPH.CENTER:
                out.append(FormatDeviation("so-trang", "số trang", "không căn giữa"))
            sizes = {eff.run(r, p, "size") for r in p.runs} or {None}
            if not _in(sizes, 13, 14):
                out.append(FormatDeviation("so-trang", "số trang", f"cỡ {_fmt_sizes(sizes)}"))
        if not s.different_first_page_header_footer:
            out.append(FormatDeviation("so-trang", "trang 1", "số trang hiển thị ở trang đầu"))
        elif "PAGE" in s.first_page_header._element.xml:
            out.append(FormatDeviation("so-trang", "trang 1", "số trang hiển thị ở trang đầu"))
    del qn
    return out


def _first_section_end(doc) -> int:
    """Index (exclusive) of the last paragraph of the first section: appendices are not body text."""
    from docx.oxml.ns import qn

    for i, p in enumerate(doc.paragraphs):
        ppr = p._p.pPr
        if ppr is not None and ppr.find(qn("w:sectPr")) is not None:
            return i + 1
    return len(doc.paragraphs)
