"""Detect and convert Vietnamese text typed in the legacy TCVN3 (ABC, .VnTime) or VNI encodings.

Old keyboards and fonts still produce text that looks like "Tæ chøc" (TCVN3) or "Toå chöùc" (VNI)
once the .VnTime or VNI-Times font is gone. Each legacy code is a Latin-1 character; the tables
below are built from the structure of the two encodings: a letter, its tone (none, sắc, huyền,
hỏi, ngã, nặng) and, for VNI, the letter followed by tone characters.
"""

from __future__ import annotations

import re
import unicodedata

# Unicode letters, by base letter, in tone order: none, sắc, huyền, hỏi, ngã, nặng.
_TONES = ("", "\u0301", "\u0300", "\u0309", "\u0303", "\u0323")
_BASES = "a â ă e ê o ô ơ u ư i y".split()


def _row(base: str) -> list[str]:
    return [unicodedata.normalize("NFC", base + t) for t in _TONES]


# TCVN3 (TCVN 5712:1993, VN3): one byte per lowercase letter; capitals with tones share the
# lowercase codes (they were drawn with a separate capitals font).
_TCVN3_ROWS = {
    "a": "a¸µ¶·¹", "â": "©Ê ÇÈÉË", "ă": "¨¾»¼½Æ", "e": "eÐÌÎÏÑ", "ê": "ªÕÒÓÔÖ", "o": "oãßáâä",
    "ô": "«èåæçé", "ơ": "¬íêëìî", "u": "uóïñòô", "ư": "\u00adøõö÷ù", "i": "iÝ×ØÜÞ", "y": "yýúûüþ",
}
_TCVN3: dict[str, str] = {"®": "đ", "§": "Đ", "¡": "Ă", "¢": "Â", "£": "Ê", "¤": "Ô", "¥": "Ơ", "¦": "Ư"}
for _b, _codes in _TCVN3_ROWS.items():
    _codes = _codes.replace(" ", "")
    for _code, _letter in zip(_codes, _row(_b)):
        if _code != _letter[0] or _letter in ("a", "e", "o", "u", "i", "y"):
            _TCVN3.setdefault(_code, _letter)
for _plain in "aeouiy":
    _TCVN3.pop(_plain, None)

# Characters that only TCVN3 text contains (none is a Vietnamese letter in Unicode, none is used by VNI).
_TCVN3_ONLY = set("µ¸¶¹¨¾»¼½©ª®¬\u00ad¡¢£¤¥¦§")

# VNI (VNI-Windows): a base letter followed by mark characters.
_VNI_TONE = {"": "", "\u0301": "ù", "\u0300": "ø", "\u0309": "û", "\u0303": "õ", "\u0323": "ï"}
_VNI_HAT_TONE = {"": "â", "\u0301": "á", "\u0300": "à", "\u0309": "å", "\u0303": "ã", "\u0323": "ä"}
_VNI_BREVE_TONE = {"": "ê", "\u0301": "é", "\u0300": "è", "\u0309": "ú", "\u0303": "ü", "\u0323": "ë"}
_VNI: dict[str, str] = {"ñ": "đ", "Ñ": "Đ"}


def _vni_add(seq: str, letter: str) -> None:
    _VNI[seq] = letter
    _VNI[seq.upper()] = letter.upper()


for _tone in _TONES:
    for _base, _seq_base, _marks in (("a", "a", _VNI_TONE), ("e", "e", _VNI_TONE), ("o", "o", _VNI_TONE),
                                     ("u", "u", _VNI_TONE), ("y", "y", _VNI_TONE),
                                     ("â", "a", _VNI_HAT_TONE), ("ê", "e", _VNI_HAT_TONE), ("ô", "o", _VNI_HAT_TONE),
                                     ("ă", "a", _VNI_BREVE_TONE), ("ơ", "ô", _VNI_TONE), ("ư", "ö", _VNI_TONE)):
        seq = _seq_base + _marks[_tone]
        if len(seq) > 1 or _base in ("ơ", "ư"):
            _vni_add(seq, unicodedata.normalize("NFC", _base + _tone))
for _code, _letter in zip("íìæóò", _row("i")[1:]):
    _vni_add(_code, _letter)
_vni_add("î", "ỵ")
_VNI_PATTERN = re.compile("|".join(sorted(map(re.escape, _VNI), key=len, reverse=True)))
_VNI_SIGN = re.compile(r"[aeouyAEOUY][ùøûõïâáàåãäêéèúüëÙØÛÕÏÂÁÀÅÃÄÊÉÈÚÜË]|[ñÑ]|[ôöÔÖ][ùøûõïÙØÛÕÏ]")
# letters only Unicode Vietnamese has (â, ê, ô are Latin-1 and also occur in legacy text)
_VIETNAMESE_UNICODE = re.compile("[\u1ea0-\u1ef9ăđơưĂĐƠƯ]")


def detect(text: str) -> str | None:
    """Return "TCVN3", "VNI" or None for a piece of text."""
    if not text or _VIETNAMESE_UNICODE.search(text):
        return None
    if any(c in _TCVN3_ONLY for c in text):
        return "TCVN3"
    if len(_VNI_SIGN.findall(text)) >= 2 and not _VIETNAMESE_UNICODE.search(text):
        return "VNI"
    return None


def convert(text: str, encoding: str) -> str:
    """Convert legacy-encoded ``text`` to Unicode (NFC)."""
    if encoding == "TCVN3":
        return "".join(_TCVN3.get(c, c) for c in text)
    if encoding == "VNI":
        return _VNI_PATTERN.sub(lambda m: _VNI[m.group(0)], text)
    return text


def to_unicode(text: str) -> tuple[str, str | None]:
    """Return (Unicode NFC text, the legacy encoding that was converted, or None)."""
    enc = detect(text)
    out = convert(text, enc) if enc else text
    return unicodedata.normalize("NFC", out), enc
