"""A Persian -> English glossary of urban-diplomacy terms, for English labels of Persian themes.

No offline translation model exists here, so English theme labels come from this hand-made
glossary (``pipeline/data/glossary/fa_en.tsv``) for the key terms it knows; a term it does not
know is left out of the English label rather than guessed. Keys are matched with the
gazetteer's folding (ZWNJ, kashida and Arabic letter variants ignored) and spaces removed, so
«بین المللی», «بین‌المللی» and «بینالمللی» are one term.

>>> Glossary.load().translate("شهرهای خواهرخوانده"), Glossary.load().translate("بینالمللی")
('sister cities', 'international')
"""

from __future__ import annotations

import csv
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from pipeline.nlp.gazetteer import fold

GLOSSARY_PATH = Path(__file__).resolve().parents[1] / "data" / "glossary" / "fa_en.tsv"


def _key(term: str) -> str:
    return "".join(fold(term).split())


@dataclass(frozen=True)
class Glossary:
    entries: Mapping[str, str]  # folded Persian term -> English

    @classmethod
    def load(cls, path: str | Path | None = None) -> Glossary:
        return _load(str(path or GLOSSARY_PATH))

    def translate(self, term: str) -> str | None:
        """The English of a Persian term (one or more words), or None when the glossary lacks it."""
        return self.entries.get(_key(term))

    def translate_terms(self, terms: Sequence[str], k: int, window: int | None = None) -> list[str]:
        """Up to ``k`` distinct English renderings of the known terms among the first ``window``
        (default ``2k``) ``terms``, in their order, so the English follows the leading terms."""
        out: list[str] = []
        for t in list(terms)[: window or 2 * k]:
            en = self.translate(t)
            if not en or any(_same(en, o) or _same(en, o, part=True) for o in out):
                continue
            out = [o for o in out if not _same(o, en, part=True)]
            out.append(en)
            if len(out) == k:
                break
        return out


def _stem(phrase: str) -> str:
    words = []
    for w in phrase.lower().split():
        w = w[:-3] + "y" if w.endswith("ies") else w[:-1] if w.endswith("s") and len(w) > 3 else w
        words.append(w)
    return " ".join(words)


def _same(a: str, b: str, part: bool = False) -> bool:
    """``a`` is ``b`` up to plural endings (``part``: ``a`` is contained in ``b``)."""
    sa, sb = _stem(a), _stem(b)
    return f" {sa} " in f" {sb} " if part else sa == sb


@lru_cache(maxsize=4)
def _load(path: str) -> Glossary:
    p = Path(path)
    try:
        fh = p.open(encoding="utf-8", newline="")
    except FileNotFoundError:
        raise FileNotFoundError(f"The glossary {p} is missing; restore pipeline/data/glossary/fa_en.tsv "
                                f"from the udiplo sources.") from None
    entries: dict[str, str] = {}
    with fh:
        for line_no, row in enumerate(csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE), start=1):
            if not row or row[0].startswith("#") or row[0] == "fa":
                continue
            if len(row) != 2 or not row[0].strip() or not row[1].strip():
                raise ValueError(f"{p}:{line_no}: expected 'Persian<TAB>English', got {row!r}")
            entries[_key(row[0])] = row[1].strip()
    return Glossary(entries)
