"""Persian-aware term counting for c-TF-IDF theme labels.

``TermAnalyzer`` turns one normalised statement into terms: word tokens (a
fast regex that keeps ZWNJ words such as «بین‌المللی» whole, or hazm's
``WordTokenizer``), Latin words lower-cased, digits and punctuation dropped,
optional hazm lemmas, and n-grams that never span a stop word (sklearn's
``stop_words`` would glue the words on either side of a removed word).

``build_vectorizer`` fixes the vocabulary on the *statements* (min_df counts
statements, adapted to corpus size). BERTopic fits its vectorizer on one
joined document per topic, so a ``min_df`` given to it would count topics and
drop exactly the terms that are specific to one theme.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from pipeline.lang.fa import ARABIC_BLOCK, ZWNJ

_MARKS = "\u064b-\u065f\u0670"  # Arabic harakat, hamza above/below, superscript alef
# A word: a letter, then letters, combining marks or ZWNJ. Digits (any script) and "_" excluded.
WORD_RE = re.compile(rf"[^\W\d_](?:[^\W\d_]|[{_MARKS}]|{ZWNJ})*")
PERSIAN_RE = re.compile(f"[{ARABIC_BLOCK}]")
LATIN_RE = re.compile(r"[A-Za-z]")
# «می‌خواهد», «نمی‌شود»: the continuous-verb prefix written with ZWNJ marks a verb. Without
# ZWNJ it is ambiguous («میراث», «میدان») and is kept.
VERB_PREFIX_RE = re.compile(rf"^ن?می{ZWNJ}")

# Words that say where a statement sits in a document, not what it is about: captions and
# source lines of papers («جدول (۳): ...», «منبع: (نویسنده)»). Evidence (sample corpus, e5,
# seed 42): without this list «جدول» is the first term of the theme holding the paper's
# captions. Research words («پژوهش», «مطالعات») stay: "scientific diplomacy" is a real theme.
# Topic words such as «شهری» are NOT here: c-TF-IDF already discounts words spread evenly over
# themes, and «دیپلماسی شهری» vs «دیپلماسی اقتصادی» is a real distinction in this domain.
DOMAIN_STOP_WORDS_FA: frozenset[str] = frozenset(
    {"جدول", "منبع", "نویسنده", "نویسندگان", "شکل", "نمودار", "پیوست", "صفحه"}
)
DOMAIN_STOP_WORDS_EN: frozenset[str] = frozenset(
    {"table", "figure", "fig", "source", "author", "authors", "page", "doi", "et", "al", "pp", "vol"}
)
# Comparative suffixes written detached («بزرگ تر»; the seeds spell affixes with spaces) and
# copula/light-verb forms missing from hazm's list («هستید» led the label of the paper's
# questionnaire theme). Plural «ها»/«های» and «عنوان» come with pipeline.lang.fa.
DETACHED_FA: frozenset[str] = frozenset({"هایی", "تر", "ترین", "هستم", "هستی", "هستید", "گردید", "نماید", "نمایند"})


def default_stop_words(extra: Iterable[str] = ()) -> frozenset[str]:
    """pipeline.lang's Persian and English stop words, caption words, detached suffixes, ``extra``."""
    return _stop_words(tuple(sorted(set(extra))))


@lru_cache(maxsize=8)
def _stop_words(extra: tuple[str, ...]) -> frozenset[str]:
    from pipeline.lang import en, fa

    return (
        fa.stop_words()
        | en.stop_words()
        | DOMAIN_STOP_WORDS_FA
        | DOMAIN_STOP_WORDS_EN
        | DETACHED_FA
        | frozenset(w.strip().lower() for w in extra if w.strip())
    )


@lru_cache(maxsize=1)
def _hazm_tokenizer():
    from hazm import WordTokenizer

    return WordTokenizer(join_verb_parts=False, replace_numbers=False, replace_ids=False,
                         replace_emails=False, replace_links=False, replace_hashtags=False)


@lru_cache(maxsize=1)
def _hazm_lemmatizer():
    from hazm import Lemmatizer

    return Lemmatizer()


def regex_tokens(text: str) -> list[str]:
    """Word tokens of ``text``: letters with inner ZWNJ kept; digits, punctuation, underscores dropped."""
    return [m.group(0).strip(ZWNJ) for m in WORD_RE.finditer(text)]


@dataclass(frozen=True)
class TermAnalyzer:
    """Callable ``text -> terms`` for ``CountVectorizer(analyzer=...)``; picklable, no state."""

    tokenizer: str = "regex"
    lemmatize: bool = False
    ngram_range: tuple[int, int] = (1, 2)
    stop_words: frozenset[str] = field(default_factory=frozenset, repr=False)
    min_chars: int = 2
    drop_verbs: bool = True

    def __post_init__(self) -> None:
        if self.tokenizer not in ("regex", "hazm"):
            raise ValueError(f"The 'tokenizer' parameter of TermAnalyzer must be 'regex' or 'hazm'. "
                             f"Got {self.tokenizer!r} instead.")
        lo, hi = self.ngram_range
        if not (1 <= lo <= hi <= 4):
            raise ValueError(f"The 'ngram_range' parameter of TermAnalyzer must be (lo, hi) with "
                             f"1 <= lo <= hi <= 4. Got {self.ngram_range!r} instead.")

    def tokens(self, text: str) -> list[str | None]:
        """Tokens in order; ``None`` marks a break (stop word, digit, punctuation) n-grams must not span."""
        if self.tokenizer == "hazm":
            raw = []
            for tok in _hazm_tokenizer().tokenize(text):
                raw.extend(_with_breaks(tok))
                if not WORD_RE.fullmatch(tok.strip(ZWNJ)) and raw and raw[-1] is not None:
                    raw.append(None)
        else:
            raw = _with_breaks(text)
        out: list[str | None] = []
        for tok in raw:
            if tok is None:
                out.append(None)
                continue
            tok = tok.lower() if LATIN_RE.match(tok) else tok
            if self.lemmatize and PERSIAN_RE.search(tok):
                lemma = _hazm_lemmatizer().lemmatize(tok)
                if lemma and "#" not in lemma:  # verb lemmas come as "past#present": keep the word
                    tok = lemma
            if (len(tok) < self.min_chars or tok in self.stop_words or tok.replace(ZWNJ, "") in self.stop_words
                    or (self.drop_verbs and VERB_PREFIX_RE.match(tok))):
                out.append(None)
            else:
                out.append(tok)
        return out

    def __call__(self, text: str) -> list[str]:
        toks = self.tokens(text)
        lo, hi = self.ngram_range
        terms: list[str] = []
        run: list[str] = []
        for tok in [*toks, None]:
            if tok is not None and (not run or is_persian(tok) == is_persian(run[-1])):
                run.append(tok)
                continue
            for n in range(lo, hi + 1):
                terms.extend(" ".join(run[i:i + n]) for i in range(len(run) - n + 1))
            run = [tok] if tok is not None else []
        return terms


_SPLIT_RE = re.compile(rf"[^\W\d_](?:[^\W\d_]|[{_MARKS}]|{ZWNJ})*|\S")


def _with_breaks(text: str) -> list[str | None]:
    """Regex words, with ``None`` for every digit/punctuation run between them."""
    out: list[str | None] = []
    for m in _SPLIT_RE.finditer(text):
        tok = m.group(0)
        if WORD_RE.fullmatch(tok):
            out.append(tok.strip(ZWNJ))
        elif out and out[-1] is not None:
            out.append(None)
    return out


def adaptive_min_df(n_statements: int) -> int:
    """Statements a term must occur in: 1 below ~300 statements, 2 at 1k, 3 at 10k, 4 at 100k."""
    if n_statements < 1:
        raise ValueError(f"Need at least one statement to size min_df; got {n_statements}.")
    return max(1, round(math.log10(n_statements)) - 1)


def build_vocabulary(texts: Sequence[str], analyzer: TermAnalyzer, *, min_df: int,
                     max_df: float = 1.0) -> dict[str, int]:
    """Terms occurring in at least ``min_df`` and at most ``max_df`` (share) of the statements."""
    df: Counter[str] = Counter()
    for t in texts:
        df.update(set(analyzer(t)))
    limit = max_df * len(texts)
    vocab = sorted(term for term, k in df.items() if min_df <= k <= limit)
    return {term: i for i, term in enumerate(vocab)}


def build_vectorizer(texts: Sequence[str], *, tokenizer: str = "regex", lemmatize: bool = False,
                     ngram_range: tuple[int, int] = (1, 2), min_df: int | None = None, max_df: float = 1.0,
                     extra_stop_words: Iterable[str] = ()):
    """A ``CountVectorizer`` with a vocabulary fixed on ``texts`` (the statements).

    Raises ``ValueError`` when no term survives (all stop words, digits or punctuation).
    """
    from sklearn.feature_extraction.text import CountVectorizer

    analyzer = TermAnalyzer(tokenizer=tokenizer, lemmatize=lemmatize, ngram_range=tuple(ngram_range),
                            stop_words=default_stop_words(extra_stop_words))
    k = adaptive_min_df(len(texts)) if min_df is None else min_df
    vocab = build_vocabulary(texts, analyzer, min_df=k, max_df=max_df)
    if not vocab and k > 1:
        vocab = build_vocabulary(texts, analyzer, min_df=1, max_df=max_df)
    if not vocab:
        raise ValueError(
            f"No terms left for theme labels in {len(texts)} statements after removing stop words, digits "
            f"and punctuation (min_df={k}, max_df={max_df}). Check that statements carry text, or lower "
            f"max_df / remove entries from extra_stop_words."
        )
    return CountVectorizer(analyzer=analyzer, vocabulary=vocab)


def is_persian(term: str) -> bool:
    return bool(PERSIAN_RE.search(term))


def is_latin(term: str) -> bool:
    return bool(LATIN_RE.search(term)) and not PERSIAN_RE.search(term)
