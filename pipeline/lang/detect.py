"""Language of a short text by script: Persian, Arabic, English (Latin) or other.

The decision is made in two steps:

1. Script: the share of Arabic-script letters against Latin letters (other
   letters, e.g. Cyrillic or Han, count against both). A majority of Latin
   letters gives ``"en"``; a majority of neither gives ``"other"``.
2. Persian or Arabic: letters only one of them uses (Persian پ چ ژ گ and the
   Persian code points of ی ک; Arabic ي ك ة ى and Arabic-Indic digits) plus
   frequent function words of each language. Ties go to Persian, the
   corpus's main language, because Persian typed on Arabic keyboards often
   carries ي and ك.

>>> detect_lang("شهرداری اصفهان با شهرهای خواهرخوانده همکاری می‌کند.")
'fa'
>>> detect_lang("تعمل البلدية على تعزيز العلاقات مع المدن الشقيقة في العالم.")
'ar'
>>> detect_lang("Isfahan signed a memorandum with Shanghai.")
'en'
"""

from __future__ import annotations

import re

from pipeline.lang.fa import ARABIC_BLOCK, ARABIC_DIGITS, FOLD_ARABIC_LETTERS, PERSIAN_DIGITS, ZWNJ

_ARABIC_LETTER = re.compile(r"[\u0620-\u064A\u066E-\u06D3\u06D5\u06EE\u06EF\u06FA-\u06FF\u0750-\u077F\uFB50-\uFDFF\uFE70-\uFEFC]")
_LATIN_LETTER = re.compile(r"[A-Za-z\u00C0-\u024F]")
_WORD = re.compile(f"[{ARABIC_BLOCK}{ZWNJ}]+")

_FA_LETTERS = "پچژگیک"            # گ پ چ ژ and Persian yeh U+06CC, keheh U+06A9
_FA_STRONG = "پچژگ"
_AR_LETTERS = "يكةى"              # Arabic yeh U+064A, kaf U+0643, teh marbuta, alef maksura
_AR_DIGITS = ARABIC_DIGITS
_FA_DIGITS = PERSIAN_DIGITS

# Words frequent in one language and rare in the other (compared after ي→ی, ك→ک).
FA_FUNCTION_WORDS = frozenset(
    "است را که می نمی این آن از با برای های ها یک شد شده بود هم نیز باید کند کرد شود دارد "
    "خواهد میشود می‌شود کرده اند ایشان چه چرا اگر تا بر".split()
)
AR_FUNCTION_WORDS = frozenset(
    "في على إلى الى التي الذي الذين هذا هذه ذلك تلك كان كانت قد لم لن عن أن إن ثم هو هي "
    "كما أو ليس مع بين عند حيث منذ".replace("ك", "ک").replace("ي", "ی").split()
) - {"بین", "مع"}  # «بین» is also Persian; «مع» alone is too weak
_UNIFY = FOLD_ARABIC_LETTERS

LANGS: tuple[str, ...] = ("fa", "ar", "en", "other")


def script_counts(text: str) -> tuple[int, int, int]:
    """(Arabic-script letters, Latin letters, all letters) in ``text``."""
    arabic = len(_ARABIC_LETTER.findall(text))
    latin = len(_LATIN_LETTER.findall(text))
    letters = sum(1 for ch in text if ch.isalpha())
    return arabic, latin, letters


def persian_or_arabic(text: str) -> str:
    """``"fa"`` or ``"ar"`` for Arabic-script text; ties go to ``"fa"``."""
    fa = sum(2.0 if ch in _FA_STRONG else 0.5 for ch in text if ch in _FA_LETTERS)
    ar = sum(2.0 if ch == "ة" else 0.5 for ch in text if ch in _AR_LETTERS)
    fa += 0.5 * sum(text.count(d) for d in _FA_DIGITS)
    ar += 0.5 * sum(text.count(d) for d in _AR_DIGITS)
    for word in _WORD.findall(text.translate(_UNIFY)):
        if word in FA_FUNCTION_WORDS or word.startswith(("می" + ZWNJ, "نمی" + ZWNJ)):
            fa += 3
        elif word in AR_FUNCTION_WORDS:
            ar += 3
        elif word.startswith("ال") and len(word) > 4:  # Arabic definite article (Persian: الگو, البته …)
            ar += 0.5
    return "ar" if ar > fa else "fa"


def detect_lang(text: str, default: str = "other") -> str:
    """``"fa"``, ``"ar"``, ``"en"`` or ``"other"`` by script; ``default`` when ``text`` has no letters."""
    arabic, latin, letters = script_counts(text)
    if letters == 0:
        return default
    if arabic >= latin and arabic * 2 > letters:
        return persian_or_arabic(text)
    if latin > arabic and latin * 2 > letters:
        return "en"
    return "other"
