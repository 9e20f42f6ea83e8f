"""Word-level ZWNJ F1 on corrupted UD sentences.

Protocol: take reference sentences that contain correct ZWNJs (held-out: UD Persian
``fa_seraji-ud-test``), corrupt them by removing every ZWNJ (``joined``) or replacing
every ZWNJ by a space (``spaced``), run a system on the corrupted text, and compare.

Scoring, per sentence: both texts are folded the same way (Arabic ي/ك → ی/ک, diacritics
and kashida removed) and split into Persian words (letters joined by ZWNJ; punctuation,
digits and spaces separate words). Let R be the multiset of reference words containing a
ZWNJ and P the multiset of output words containing a ZWNJ.

- TP = |R ∩ P| (a reference ZWNJ word restored exactly, ZWNJ positions included);
- FP = |P| − TP (a ZWNJ word the system produced that is not in the reference: a wrong
  join, a ZWNJ in the wrong place, or one added to a word that has none);
- FN = |R| − TP (a reference ZWNJ word not restored exactly).

Precision, recall and F1 are micro-averaged over all sentences.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from pipeline.lang.fa import ARABIC_TO_PERSIAN, TATWEEL
from pipeline.normalise.chars import WORD_RE, ZWNJ

MODES = ("joined", "spaced")
_FOLD = str.maketrans({**ARABIC_TO_PERSIAN, "ۀ": "ه\u0654", TATWEEL: None})
_DIACRITICS = re.compile("[\u064b-\u0652]")


@dataclass(frozen=True)
class ZwnjScore:
    tp: int
    fp: int
    fn: int

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def to_dict(self) -> dict[str, float]:
        return {"tp": self.tp, "fp": self.fp, "fn": self.fn, "precision": round(self.precision, 4),
                "recall": round(self.recall, 4), "f1": round(self.f1, 4)}


def corrupt(text: str, mode: str) -> str:
    """Remove every ZWNJ (``joined``) or replace each by a space (``spaced``).

    >>> corrupt("می\\u200cشود", "joined"), corrupt("می\\u200cشود", "spaced")
    ('میشود', 'می شود')
    """
    if mode == "joined":
        return text.replace(ZWNJ, "")
    if mode == "spaced":
        return text.replace(ZWNJ, " ")
    raise ValueError(f"mode must be one of {MODES}; got {mode!r}")


def zwnj_words(text: str) -> Counter[str]:
    """Multiset of ZWNJ-bearing Persian words in ``text`` after folding (see module docstring)."""
    folded = _DIACRITICS.sub("", text.translate(_FOLD))
    return Counter(w for w in WORD_RE.findall(folded) if ZWNJ in w)


def score(references: Sequence[str], outputs: Sequence[str]) -> ZwnjScore:
    """Micro-averaged word-level ZWNJ score of ``outputs`` against ``references`` (aligned by sentence)."""
    if len(references) != len(outputs):
        raise ValueError(f"{len(references)} references but {len(outputs)} outputs; they must align.")
    tp = fp = fn = 0
    for ref, out in zip(references, outputs, strict=True):
        r, p = zwnj_words(ref), zwnj_words(out)
        hit = sum((r & p).values())
        tp += hit
        fp += sum(p.values()) - hit
        fn += sum(r.values()) - hit
    return ZwnjScore(tp, fp, fn)


def evaluate(system: Callable[[str], str], references: Iterable[str], mode: str) -> ZwnjScore:
    """Corrupt each reference with ``mode``, run ``system`` on it, and score the outputs."""
    refs = list(references)
    return score(refs, [system(corrupt(r, mode)) for r in refs])
