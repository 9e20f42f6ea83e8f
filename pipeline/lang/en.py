"""English language data: stop words for topic modelling (spaCy's list plus citation noise)."""

from __future__ import annotations

from functools import lru_cache

ADDITIONS = frozenset("also et al p pp vol doi ibid eg ie etc fig table".split())


@lru_cache(maxsize=1)
def stop_words() -> frozenset[str]:
    """spaCy's English ``STOP_WORDS`` and :data:`ADDITIONS`, lower-cased."""
    from spacy.lang.en.stop_words import STOP_WORDS

    return frozenset(w.lower() for w in STOP_WORDS) | ADDITIONS
