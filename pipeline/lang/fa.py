"""Persian language data: stop words for topic modelling and keyword extraction.

Stop words are hazm's bundled list (read from its data file, so hazm's heavy
``__init__`` is not imported) plus the forms the seed corpus really uses: the
seeds carry no ZWNJ, so «می‌شود» appears joined («میشود») or spaced
(«می شود»), and news reports wrap statements in reporting verbs.
"""

from __future__ import annotations

import importlib.util
from functools import lru_cache
from pathlib import Path

ZWNJ = "\u200c"

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
