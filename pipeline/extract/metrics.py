"""Extraction quality figures: character error rate, ZWNJ recovery and table cells against a reference.

The reference is the logical-order text a PDF was made from (see
``tests/fixtures/pdf/reference.json``: title, paragraphs, table header and rows).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from pipeline.lang.fa import ZWNJ
from pipeline.types import Document


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance (insert, delete, substitute; cost 1 each), bit-parallel.

    Myers/Hyyrö algorithm with Python integers as bit vectors: O(len(a)) big-integer
    steps, fast enough for whole pages.

    >>> edit_distance("کتاب", "کتب"), edit_distance("focus", "sucof"), edit_distance("", "abc")
    (1, 4, 3)
    """
    if len(a) < len(b):
        a, b = b, a
    m = len(b)
    if m == 0:
        return len(a)
    peq: dict[str, int] = {}
    for i, ch in enumerate(b):
        peq[ch] = peq.get(ch, 0) | (1 << i)
    full = (1 << m) - 1
    top = 1 << (m - 1)
    pv, mv, score = full, 0, m
    for ch in a:
        eq = peq.get(ch, 0)
        xv = eq | mv
        xh = (((eq & pv) + pv) ^ pv) | eq
        ph = mv | (~(xh | pv) & full)
        mh = pv & xh
        if ph & top:
            score += 1
        elif mh & top:
            score -= 1
        ph = ((ph << 1) | 1) & full
        mh = (mh << 1) & full
        pv = mh | (~(xv | ph) & full)
        mv = ph & xv
    return score


def squash(text: str) -> str:
    """Collapse every run of white space to one space (letters are left alone)."""
    return " ".join(text.split())


def cer(hypothesis: str, reference: str) -> float:
    """Character error rate: edit distance / reference length, white space normalised."""
    ref = squash(reference)
    return edit_distance(squash(hypothesis), ref) / max(len(ref), 1)


def zwnj_words(text: str) -> Counter[str]:
    """White-space-delimited words that carry a ZWNJ, with counts."""
    return Counter(w for w in text.split() if ZWNJ in w)


def zwnj_recovered(hypothesis: str, references: Sequence[str]) -> tuple[int, int, int]:
    """(recovered, expected, spurious) ZWNJ.

    A reference ZWNJ is recovered when the word carrying it in the reference
    occurs verbatim in the extracted text; each extracted occurrence can
    credit one reference occurrence. Spurious = ZWNJ in the extracted text
    not accounted for by a recovered one.
    """
    ref = Counter()
    for r in references:
        ref.update(zwnj_words(r))
    hyp = zwnj_words(hypothesis)
    expected = sum(w.count(ZWNJ) * n for w, n in ref.items())
    recovered = sum(w.count(ZWNJ) * min(n, hyp[w]) for w, n in ref.items())
    return recovered, expected, hypothesis.count(ZWNJ) - recovered


@dataclass(frozen=True)
class FixtureScore:
    """Figures for one document against its reference."""

    cer: float
    zwnj: tuple[int, int, int]
    cells_right: int
    cells_total: int
    blocks: tuple[str, ...]


def table_cells(doc: Document, table: int = 1) -> dict[tuple[int, int], str]:
    return {(s.row, s.col): s.text for s in doc.segments if s.kind == "table_cell" and s.table == table}


def score_document(doc: Document, reference: dict) -> FixtureScore:
    """Score a Document against ``{"title", "paras", "header", "rows"}``.

    CER is over the headings and paragraphs joined with a space; a table cell
    is right when the text at (row, col) equals the reference cell.
    """
    prose = [s for s in doc.segments if s.kind in ("heading", "paragraph")]
    hyp = " ".join(s.text for s in prose)
    ref_units = [reference["title"], *reference["paras"]]
    grid = [reference["header"], *reference["rows"]]
    cells = table_cells(doc)
    right = sum(
        squash(cells.get((r, c), "")) == squash(text)
        for r, row in enumerate(grid, start=1)
        for c, text in enumerate(row, start=1)
    )
    all_ref = ref_units + [c for row in grid for c in row]
    return FixtureScore(
        cer=cer(hyp, " ".join(ref_units)),
        zwnj=zwnj_recovered(" ".join([hyp, *cells.values()]), all_ref),
        cells_right=right,
        cells_total=sum(len(row) for row in grid),
        blocks=tuple(s.kind for s in prose),
    )


__all__ = ["FixtureScore", "cer", "edit_distance", "score_document", "squash", "table_cells", "zwnj_recovered"]
