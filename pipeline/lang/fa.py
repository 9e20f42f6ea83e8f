"""Persian language data: named characters, letter and digit foldings, stop words.

Every module that needs ZWNJ, an invisible character, the Arabic-script
range, the Arabic→Persian letter fold or the Persian digits imports them from
here, so the knowledge is written once (spaCy's ``lang/<code>`` layout).

Stop words are hazm's bundled list (read from its data file, so hazm's heavy
``__init__`` is not imported) plus the forms the seed corpus really uses: the
seeds carry no ZWNJ, so «می‌شود» appears joined («میشود») or spaced
(«می شود»), and news reports wrap statements in reporting verbs.
"""

from __future__ import annotations

import importlib.util
from functools import lru_cache
from pathlib import Path

# --- Invisible and space characters, each named --------------------------------
ZWNJ = "\u200c"  # zero-width non-joiner: «می‌شود», «شهرداری‌ها»
ZWJ = "\u200d"  # zero-width joiner
ZWSP = "\u200b"  # zero-width space
LRM = "\u200e"  # left-to-right mark
RLM = "\u200f"  # right-to-left mark
ALM = "\u061c"  # Arabic letter mark
BOM = "\ufeff"  # byte-order mark / zero-width no-break space
WORD_JOINER = "\u2060"
NBSP = "\u00a0"  # no-break space
NNBSP = "\u202f"  # narrow no-break space
SOFT_HYPHEN = "\u00ad"
TATWEEL = "\u0640"  # kashida, «دنیـــا»: stretches a word, carries no letter

# --- Script ranges (the body of a regex character class, without brackets) ----
ARABIC_BLOCK = "\u0600-\u06ff"  # U+0600–U+06FF: Persian/Arabic letters, marks, digits, punctuation

# --- Letters --------------------------------------------------------------------
# Arabic yeh ي, alef maksura ى and kaf ك to Persian yeh ی and keheh ک (same length).
ARABIC_TO_PERSIAN: dict[str, str] = {"\u064a": "ی", "\u0649": "ی", "\u0643": "ک"}
FOLD_ARABIC_LETTERS = str.maketrans(ARABIC_TO_PERSIAN)

# Teh marbuta ة and heh with yeh ۀ to heh ه, alef with hamza أ/إ to alef ا. Looser than
# ARABIC_TO_PERSIAN: it merges spellings that differ in running text, so it is for
# matching names (the gazetteer), never for normalising text.
HAMZA_AND_HEH_FOLDS: dict[str, str] = {"\u0629": "ه", "\u06c0": "ه", "\u0623": "ا", "\u0625": "ا"}
FOLD_LETTERS_WITH_HAMZA = str.maketrans({**ARABIC_TO_PERSIAN, **HAMZA_AND_HEH_FOLDS})

# --- Digits ---------------------------------------------------------------------
PERSIAN_DIGITS = "۰۱۲۳۴۵۶۷۸۹"  # U+06F0–U+06F9 (extended Arabic-Indic)
ARABIC_DIGITS = "٠١٢٣٤٥٦٧٨٩"  # U+0660–U+0669 (Arabic-Indic)
ASCII_DIGITS = "0123456789"
PERSIAN_TO_ASCII_DIGITS = str.maketrans(PERSIAN_DIGITS, ASCII_DIGITS)  # Arabic-Indic left as they are
TO_ASCII_DIGITS = str.maketrans(PERSIAN_DIGITS + ARABIC_DIGITS, ASCII_DIGITS * 2)

__test__ = {
    "constants": """
    >>> import re
    >>> bool(re.search(f"[{ARABIC_BLOCK}]", "Tehran تهران")), bool(re.search(f"[{ARABIC_BLOCK}]", "Tehran"))
    (True, False)
    >>> "علي كتاب ملتقى".translate(FOLD_ARABIC_LETTERS) == "علی کتاب ملتقی"
    True
    >>> "مؤسسة إيران".translate(FOLD_LETTERS_WITH_HAMZA) == "مؤسسه ایران"
    True
    >>> "۱۴۰۲ و ٣".translate(PERSIAN_TO_ASCII_DIGITS)
    '1402 و ٣'
    >>> "۱۴۰۲/٠٣".translate(TO_ASCII_DIGITS)
    '1402/03'
    >>> [hex(ord(c)) for c in (ZWNJ, ZWJ, LRM, RLM, ALM, NBSP, NNBSP, SOFT_HYPHEN, TATWEEL)]
    ['0x200c', '0x200d', '0x200e', '0x200f', '0x61c', '0xa0', '0x202f', '0xad', '0x640']
    >>> sorted(variants("می" + ZWNJ + "شود")) == ["می شود", "میشود", "می" + ZWNJ + "شود"]
    True
    """,
}


def to_ascii_digits(text: str) -> str:
    """``text`` with Persian and Arabic-Indic digits written as ASCII digits.

    >>> to_ascii_digits("۲۰ درصد، ٣٠ مورد")
    '20 درصد، 30 مورد'
    """
    return text.translate(TO_ASCII_DIGITS)

# Frequent in the corpus, empty for themes: reporting formulae, pronouns, fillers.
ADDITIONS = frozenset(
    """
    وی ایشان گفت افزود ادامه داد تصریح کرد خاطرنشان اظهار داشت بیان اشاره گزارش خبرنگار به‌گزارش
    همچنین نیز البته بنابراین درعین‌حال همچون چون چراکه زیرا اما ولی لذا سپس
    می نمی ها های ای ی اند است هست بود شد شده شود باشد دارد داشت کرد کند کنند کرده
    هر همه برخی یکی دیگر دیگری سایر چند چندین طی طریق جهت راستای
    مثال عنوان منظور به‌منظور به‌عنوان درباره نظر شما کد خبر انتهای پیام برچسب‌ها
    ۱ ۲ ۳ ۴ ۵ ۶ ۷ ۸ ۹ ۰
    """.split()
)

# hazm lists these, but in city-diplomacy texts they carry meaning («بخش خصوصی», «نشست», «رشد»).
KEEP = frozenset("بخش نشست رشد اجرا روش خطر سهم تغییر جدید".split())


def _hazm_stopwords_file() -> Path | None:
    spec = importlib.util.find_spec("hazm")
    if spec is None or spec.origin is None:
        return None
    path = Path(spec.origin).parent / "data" / "stopwords.dat"
    return path if path.exists() else None


def hazm_stop_words() -> frozenset[str]:
    """hazm's bundled Persian stop words (empty when hazm is not installed)."""
    path = _hazm_stopwords_file()
    if path is None:
        return frozenset()
    words = (line.strip() for line in path.read_text(encoding="utf-8").splitlines())
    return frozenset(w.replace("_", " ") for w in words if w)


def variants(word: str) -> set[str]:
    """A word with ZWNJ kept, removed (joined) and replaced by a space."""
    return {word, word.replace(ZWNJ, ""), word.replace(ZWNJ, " ")}


@lru_cache(maxsize=1)
def stop_words() -> frozenset[str]:
    """Persian stop words: hazm's list minus :data:`KEEP`, plus :data:`ADDITIONS`, with ZWNJ variants."""
    out: set[str] = set()
    for word in (hazm_stop_words() - KEEP) | ADDITIONS:
        out |= variants(word)
    return frozenset(w for w in out if w)
