"""Find and parse dates in Persian and English text (Jalali and Gregorian) with jdatetime.

Recognised forms (Persian, Arabic-Indic or Latin digits; Arabic ي/ك tolerated):

- ``۳ مرداد ۱۴۰۱``, ``3 مرداد ماه 1401``, ``۳ام مرداد سال ۱۴۰۱`` (day, Persian month name, year)
- ``۱۴۰۱/۰۵/۰۳``, ``1401-05-03``, ``1401.5.3`` (Jalali when the year is 1200–1499)
- ``2023/12/12``, ``2022-07-25`` (Gregorian when the year is 1800–2199)
- ``12 December 2023``, ``December 12, 2023``

Month-only or year-only mentions («فروردین ۱۳۹۹», «سال ۱۴۰۰») are not dates
here. Every result carries both calendars as ISO-style strings:

>>> find_dates("تهران - ۳ مرداد ۱۴۰۱ - ۱۱:۰۴")
[(8, 20, '2022-07-25', '1401-05-03')]
"""

from __future__ import annotations

import re
from datetime import date

from pipeline.lang.fa import ARABIC_BLOCK, FOLD_ARABIC_LETTERS, TO_ASCII_DIGITS, ZWNJ

# Length-preserving fold: digits to ASCII, Arabic yeh/kaf to Persian, ZWNJ to space.
_FOLD = {**TO_ASCII_DIGITS, **FOLD_ARABIC_LETTERS, ord(ZWNJ): " "}

JALALI_YEARS = (1200, 1499)
GREGORIAN_YEARS = (1800, 2199)
JALALI_MONTHS: dict[str, int] = {
    "فروردین": 1, "اردیبهشت": 2, "ادیبهشت": 2, "خرداد": 3, "تیر": 4, "مرداد": 5, "امرداد": 5,
    "شهریور": 6, "مهر": 7, "آبان": 8, "ابان": 8, "آذر": 9, "اذر": 9, "دی": 10, "بهمن": 11, "اسفند": 12,
}
GREGORIAN_MONTHS: dict[str, int] = {
    name: i
    for i, names in enumerate(
        [("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"), ("may",),
         ("june", "jun"), ("july", "jul"), ("august", "aug"), ("september", "sep", "sept"),
         ("october", "oct"), ("november", "nov"), ("december", "dec")],
        start=1,
    )
    for name in names
}
# Gregorian month names as Persian text writes them.
GREGORIAN_MONTHS_FA: dict[str, int] = {
    "ژانویه": 1, "فوریه": 2, "مارس": 3, "آوریل": 4, "مه": 5, "می": 5, "ژوئن": 6, "ژوئیه": 7, "جولای": 7,
    "اوت": 8, "آگوست": 8, "سپتامبر": 9, "اکتبر": 10, "نوامبر": 11, "دسامبر": 12,
}

_FA_MONTH_ALT = "|".join(sorted(JALALI_MONTHS, key=len, reverse=True))
_GFA_MONTH_ALT = "|".join(sorted(GREGORIAN_MONTHS_FA, key=len, reverse=True))
_EN_MONTH_ALT = "|".join(sorted(GREGORIAN_MONTHS, key=len, reverse=True))
_NOT_LETTER_AFTER = f"(?![{ARABIC_BLOCK}A-Za-z])"
_B = r"(?<![\d/.\-])"   # no digit or date separator just before
_E = r"(?![\d/]|[.\-]\d)"  # no digit or separator+digit just after

_DAY_MONTH_YEAR_FA = re.compile(
    rf"{_B}(?P<d>\d{{1,2}})\s*(?:ام\s+|م\s+|ُم\s+)?(?P<m>{_FA_MONTH_ALT}|{_GFA_MONTH_ALT}){_NOT_LETTER_AFTER}"
    rf"(?:\s*ماه)?\s*(?:سال\s*)?[،,]?\s*(?P<y>\d{{4}}){_E}"
)
_NUMERIC = re.compile(rf"{_B}(?P<y>\d{{4}})(?P<s>[/\-.])(?P<m>\d{{1,2}})(?P=s)(?P<d>\d{{1,2}}){_E}")
_DAY_MONTH_YEAR_EN = re.compile(
    rf"(?i){_B}\b(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<m>{_EN_MONTH_ALT})\.?,?\s+(?P<y>\d{{4}}){_E}"
)
_MONTH_DAY_YEAR_EN = re.compile(
    rf"(?i)\b(?P<m>{_EN_MONTH_ALT})\.?\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y>\d{{4}}){_E}"
)


def fold(text: str) -> str:
    """Latin digits, Persian yeh/kaf, ZWNJ as space; same length as ``text``."""
    return text.translate(_FOLD)


def jalali_to_iso(year: int, month: int, day: int) -> str | None:
    """Gregorian ISO date of a Jalali date, or None when the date does not exist."""
    import jdatetime

    try:
        return jdatetime.date(year, month, day).togregorian().isoformat()
    except (ValueError, TypeError):
        return None


def gregorian_to_jalali(year: int, month: int, day: int) -> str | None:
    """Jalali ``YYYY-MM-DD`` of a Gregorian date, or None when the date does not exist."""
    import jdatetime

    try:
        j = jdatetime.date.fromgregorian(date=date(year, month, day))
    except (ValueError, TypeError, OverflowError):
        return None
    return f"{j.year:04d}-{j.month:02d}-{j.day:02d}"


def _resolve(year: int, month: int, day: int, calendar: str) -> tuple[str, str] | None:
    """(iso, jalali) for a date given in ``calendar`` ("jalali", "gregorian" or "auto" by year)."""
    if calendar == "auto":
        calendar = "jalali" if JALALI_YEARS[0] <= year <= JALALI_YEARS[1] else "gregorian"
    if calendar == "jalali" and JALALI_YEARS[0] <= year <= JALALI_YEARS[1]:
        iso = jalali_to_iso(year, month, day)
        return (iso, f"{year:04d}-{month:02d}-{day:02d}") if iso else None
    if calendar == "gregorian" and GREGORIAN_YEARS[0] <= year <= GREGORIAN_YEARS[1]:
        jal = gregorian_to_jalali(year, month, day)
        return (date(year, month, day).isoformat(), jal) if jal else None
    return None


def parse_date(text: str) -> tuple[str, str] | None:
    """(iso, jalali) of the first date in ``text``, or None.

    >>> parse_date("۱۴۰۱/۰۵/۰۳")
    ('2022-07-25', '1401-05-03')
    """
    found = find_dates(text)
    return (found[0][2], found[0][3]) if found else None


def find_dates(text: str) -> list[tuple[int, int, str, str]]:
    """All dates in ``text`` as ``(start, end, iso, jalali)``, in text order, never overlapping.

    ``start``/``end`` are offsets into ``text``; ``iso`` is the Gregorian date
    (``YYYY-MM-DD``) and ``jalali`` the same day in the Solar Hijri calendar.
    Impossible dates (month 13, 31 Esfand) are skipped.
    """
    folded = fold(text)
    hits: list[tuple[int, int, str, str]] = []
    for m in _DAY_MONTH_YEAR_FA.finditer(folded):
        name = m.group("m")
        calendar = "jalali" if name in JALALI_MONTHS else "gregorian"
        month = JALALI_MONTHS.get(name) or GREGORIAN_MONTHS_FA[name]
        res = _resolve(int(m.group("y")), month, int(m.group("d")), calendar)
        if res:
            hits.append((m.start(), m.end(), *res))
    for m in _NUMERIC.finditer(folded):
        res = _resolve(int(m.group("y")), int(m.group("m")), int(m.group("d")), "auto")
        if res:
            hits.append((m.start(), m.end(), *res))
    for pattern in (_DAY_MONTH_YEAR_EN, _MONTH_DAY_YEAR_EN):
        for m in pattern.finditer(folded):
            month = GREGORIAN_MONTHS[m.group("m").lower()]
            res = _resolve(int(m.group("y")), month, int(m.group("d")), "gregorian")
            if res:
                hits.append((m.start(), m.end(), *res))
    hits.sort(key=lambda h: (h[0], -(h[1] - h[0])))
    out: list[tuple[int, int, str, str]] = []
    for h in hits:
        if not out or h[0] >= out[-1][1]:
            out.append(h)
    return out
