"""Vietnamese formatting of numbers, percentages, dates and amounts in words.

Conventions (see ``nd30.md`` §4): a dot groups thousands and a comma marks decimals (``1.234``,
``96,2%``); the issuance date pads days 1-9 and months 1-2 with a zero (NĐ 30/2020, Phụ lục I);
amounts in words read groups of three with "không trăm" and "linh", e.g. 1.050.000 = "một triệu
không trăm năm mươi nghìn".
"""

from __future__ import annotations

import datetime as _dt
import math
from functools import lru_cache

_DIGITS = ["không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín"]
_SCALES = ["", "nghìn", "triệu", "tỷ"]


def number(value: float | int | None, decimals: int = 0) -> str:
    """Return ``value`` with Vietnamese separators: ``1234567`` -> ``1.234.567``, ``3.5`` -> ``3,5``."""
    if value is None:
        return ""
    text = f"{abs(value):,.{decimals}f}".replace(",", " ").replace(".", ",").replace(" ", ".")
    if decimals and "," in text:
        text = text.rstrip("0").rstrip(",")
    return ("-" if value < 0 and text.strip("0,.") else "") + text


def fixed(value: float, decimals: int = 1) -> str:
    """``96.0`` -> ``96,0`` (always ``decimals`` digits after the comma, dot thousands)."""
    text = f"{abs(value):,.{decimals}f}".replace(",", " ").replace(".", ",").replace(" ", ".")
    return ("-" if value < 0 and text.strip("0,.") else "") + text


def shown_rate(value: float, decimals: int = 1) -> float:
    """The rate as a document shows it: one decimal, half up; a rate below 100 never shows as 100 (floored to
    99,9 at the top: 99,95 and 99,98 read 99,9), so "100%" always means every one."""
    shown = round_half_up(value, decimals)
    if shown >= 100 > value:
        shown = math.floor(value * 10**decimals) / 10**decimals
    return shown


def percent(value: float | None, decimals: int = 1) -> str:
    """Return a percentage with one decimal, without a space: ``96.24`` -> ``96,2%``; ``100`` -> ``100,0%``;
    ``99.96`` -> ``99,9%`` (see :func:`shown_rate`)."""
    if value is None:
        return ""
    return fixed(shown_rate(value, decimals), decimals) + "%"


def shown_diff(a: float | None, b: float | None, decimals: int = 1) -> float | None:
    """``a - b`` as a reader computes it from the two figures as printed: 99,64 and 99,86 read 99,6 and
    99,9, so the change is 0,3 (not 0,2); the text then agrees with the reader's arithmetic."""
    if a is None or b is None:
        return None
    return round_half_up(shown_rate(a, decimals) - shown_rate(b, decimals), decimals)


def rate_cell(value: float | None) -> str:
    """A rate in a table whose header says (%): ``96,2``; the same rounding as :func:`percent`."""
    return "" if value is None else fixed(shown_rate(value), 1)


def points(value: float | None, decimals: int = 1) -> str:
    """Return a difference in percentage points without sign: ``-1.25`` -> ``1,3``; ``4`` -> ``4,0``."""
    if value is None:
        return ""
    return fixed(round_half_up(abs(value), decimals), decimals)


def count2(value: int | None) -> str:
    """A count in an administrative list: ``1`` -> ``01``, ``2181`` -> ``2.181``."""
    if value is None:
        return ""
    return f"{value:02d}" if 0 <= value < 10 else number(value)


def lower_first(text: str) -> str:
    """``Tỷ lệ …`` -> ``tỷ lệ …``; a proper name is left as it is: ``Ban Chỉ đạo …``, ``Trung tâm GDTX``, ``UBND``
    (the next word capitalised or the first word in capitals)."""
    if not text:
        return text
    words = text.split(" ", 2)
    if words[0][1:2].isupper() or (len(words) > 1 and words[1][:1].isupper()):
        return text
    return text[:1].lower() + text[1:]


def upper_first(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


_LOWER_PREFIXES = ("Xã ", "Thị trấn ")


def in_sentence(name: str) -> str:
    """A unit's name inside a sentence: ``Xã Xuy Xá`` -> ``xã Xuy Xá``; other names unchanged."""
    for p in _LOWER_PREFIXES:
        if name.startswith(p):
            return p.lower() + name[len(p):]
    return name


def join_vi(items, last: str = " và ") -> str:
    """``a, b và c``."""
    from markupsafe import Markup, escape

    items = [escape(i) for i in items]
    if len(items) <= 1:
        return Markup("").join(items)
    return Markup(", ").join(items[:-1]) + Markup(escape(last)) + items[-1]


# Tone-mark placement: "new" puts the mark on the main vowel of oa/oe/uy at the end of a syllable
# (hóa, khỏe, thủy); "old" on the second letter (hoá, khoẻ, thuỷ). kĩ/kỹ, lí/lý, mĩ/mỹ follow the same choice.
_TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}
_WORD_Y = {"kĩ": "kỹ", "kí": "ký", "lí": "lý", "mĩ": "mỹ", "Kĩ": "Kỹ", "Mĩ": "Mỹ", "Lí": "Lý"}


def _move_tone(pair: str, to_first: bool) -> str:
    import unicodedata as ud

    a, b = (ud.normalize("NFD", c) for c in pair)
    src, dst = (b, a) if to_first else (a, b)
    tone = "".join(ch for ch in src if ch in _TONES)
    if not tone:
        return pair
    src = "".join(ch for ch in src if ch not in _TONES)
    dst = dst + tone
    a2, b2 = (dst, src) if to_first else (src, dst)
    return ud.normalize("NFC", a2) + ud.normalize("NFC", b2)


def dashes(text: str) -> str:
    """One dash style: ranges of years and ages with an en dash (2014–2020, 15–35 tuổi, trong độ tuổi 15–60.)."""
    years, ages, after_age = _dash_patterns()
    return after_age.sub("\\1\\2–\\3", ages.sub("\\1–\\2", years.sub("\\1–\\2", text)))


@lru_cache(maxsize=1)
def _dash_patterns():
    import re

    return (re.compile(r"(?<!\d)((?:19|20)\d\d) ?[-–] ?((?:19|20)\d\d)(?!\d)"),
            re.compile(r"(?<![\d/])(\d{1,2})-(\d{1,2})(?= tuổi|,| biết)"),
            re.compile(r"(độ tuổi |tuổi từ )(\d{1,2})-(\d{1,2})(?!\d)"))  # "trong độ tuổi 15-60."


# One form of a word where usage varies: "hằng năm" (every year; the standard form, also of the NĐ 30 era's
# documents) rather than "hàng năm", and the same for tháng, ngày, tuần.
@lru_cache(maxsize=1)
def _house_pattern():
    import re

    return re.compile(r"(?<!\w)([hH])àng (năm|tháng|ngày|tuần)(?!\w)")


def house_words(text: str) -> str:
    """``Hàng năm tổ chức …`` -> ``Hằng năm tổ chức …`` (also tháng, ngày, tuần), the first letter's case kept."""
    return _house_pattern().sub("\\1ằng \\2", text) if "àng " in text else text


@lru_cache(maxsize=2)
def _tone_patterns(style: str):
    """The patterns of :func:`orthography`, compiled once: the vowel pairs whose mark moves, and the
    words kĩ/kỹ … as one alternation (no replacement is itself a word to replace, so one pass does)."""
    import re

    letters = "A-Za-zÀ-ỹĐđ"
    if style == "new":
        pairs = rf"(?<![qQ])([oO][àáảãạÀÁẢÃẠèéẻẽẹÈÉẺẼẸ]|[uU][ỳýỷỹỵỲÝỶỸỴ])(?![{letters}])"
        words = dict(_WORD_Y)
    else:
        pairs = rf"(?<![qQ])([òóỏõọÒÓỎÕỌ][aAeE]|[ùúủũụÙÚỦŨỤ][yY])(?![{letters}])"
        words = {v: k for k, v in _WORD_Y.items()}
    alternation = "|".join(map(re.escape, words))
    return re.compile(pairs), re.compile(rf"(?<![{letters}])({alternation})(?![{letters}])"), words


@lru_cache(maxsize=256)
def _moved(pair: str, to_first: bool) -> str:
    return _move_tone(pair, to_first)


@lru_cache(maxsize=8192)
def orthography(text: str, style: str = "new") -> str:
    """Put tone marks in one place throughout ``text`` (``new``: hóa, Ủy, kỹ; ``old``: hoá, Uỷ, kĩ), with the
    house forms of words whose usage varies (:func:`house_words`). Kept for the strings seen last (a run says
    the same names and labels in every document)."""
    if text.isascii():               # no tone mark to move, no house word: only the dashes
        return dashes(text)
    import unicodedata as ud

    text = house_words(dashes(ud.normalize("NFC", text)))
    pairs, words, mapping = _tone_patterns("new" if style == "new" else "old")
    to_first = style == "new"
    text = pairs.sub(lambda m: _moved(m.group(1), to_first), text)
    return words.sub(lambda m: mapping[m.group(1)], text)


# NĐ 30 (Phụ lục I, the date of issue): days 1-9 and the months 1 and 2 take a leading zero, the months
# 3-12 do not. Every date a document prints goes through the three functions below.
def _day(day: _dt.date) -> str:
    return f"{day.day:02d}"


def _month(day: _dt.date) -> str:
    return f"{day.month:02d}" if day.month < 3 else str(day.month)


def long_date(day: _dt.date) -> str:
    """``ngày 05 tháng 01 năm 2016``, ``ngày 29 tháng 6 năm 2019``."""
    return f"ngày {_day(day)} tháng {_month(day)} năm {day.year}"


def issue_date(place: str, day: _dt.date) -> str:
    """Return the NĐ 30 date line: ``Mỹ Đức, ngày 05 tháng 01 năm 2016`` (months 3-12 unpadded)."""
    return f"{place}, {long_date(day)}"


def short_date(day: _dt.date) -> str:
    """Dates in running text and tables, padded as the date of issue: ``05/3/2016``, ``14/02/2015``."""
    return f"{_day(day)}/{_month(day)}/{day.year}"


def _three(n: int, full: bool) -> list[str]:
    """Words for 0 <= n < 1000; ``full`` forces "không trăm"/"linh" inside a larger number."""
    hundreds, rest = divmod(n, 100)
    tens, units = divmod(rest, 10)
    words: list[str] = []
    if hundreds or full:
        words += [_DIGITS[hundreds], "trăm"]
    if tens == 0:
        if units:
            if hundreds or full:
                words.append("linh")
            words.append(_DIGITS[units])
        return words
    words += ["mười"] if tens == 1 else [_DIGITS[tens], "mươi"]
    if units == 1:
        words.append("một" if tens == 1 else "mốt")
    elif units == 5:
        words.append("lăm")
    elif units == 4 and tens >= 2:
        words.append("tư")
    elif units:
        words.append(_DIGITS[units])
    return words


def words(n: int) -> str:
    """Return the Vietnamese reading of a whole number: ``105`` -> ``một trăm linh năm``."""
    if n == 0:
        return "không"
    if n < 0:
        return "âm " + words(-n)
    if n >= 1000**4:  # repeat "tỷ" for very large amounts: 1.000.000.000.000 = một nghìn tỷ
        high, low = divmod(n, 1000**3)
        tail = words(low) if low else ""
        return f"{words(high)} tỷ" + (f" {_pad_words(low, 3)}" if tail else "")
    groups = []
    while n:
        n, g = divmod(n, 1000)
        groups.append(g)
    parts: list[str] = []
    for idx in range(len(groups) - 1, -1, -1):
        g = groups[idx]
        if g == 0:
            continue
        leading = not parts
        parts += _three(g, full=not leading)
        if _SCALES[idx]:
            parts.append(_SCALES[idx])
    return " ".join(parts)


def _pad_words(n: int, groups: int) -> str:
    """Words for the low part of a number whose higher groups are already written."""
    chunks = []
    for idx in range(groups - 1, -1, -1):
        g = (n // 1000**idx) % 1000
        if g:
            chunks += _three(g, full=True) + ([_SCALES[idx]] if _SCALES[idx] else [])
    return " ".join(chunks)


def money_words(amount: int) -> str:
    """Return an amount in words, capitalised, ending in "đồng": ``Một trăm hai mươi lăm triệu đồng``."""
    text = words(int(amount)) + " đồng"
    return text[0].upper() + text[1:]


def round_half_up(value: float, decimals: int = 1) -> float:
    """Round like a person does (0,05 -> 0,1), not like binary floats do."""
    factor = 10**decimals
    return math.floor(value * factor + 0.5 + 1e-9) / factor
