"""Near-duplicate detection for news (MinHash over character shingles, datasketch LSH).

The same story is often syndicated with a different headline, date line or
footer; exact hashes miss it. Signatures are stored with the document so a
later run compares against everything ingested before.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from pipeline.lang.fa import ARABIC_TO_PERSIAN, ZWNJ

NUM_PERM = 128
SHINGLE = 5
DEFAULT_THRESHOLD = 0.8
SCHEME = "affine32"  # datasketch >= 2 needs the scheme when rebuilding a MinHash from stored values
_FOLD = str.maketrans({ZWNJ: " ", **ARABIC_TO_PERSIAN})
_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)


def shingles(text: str, k: int = SHINGLE) -> set[bytes]:
    """Character k-grams of the text with case, punctuation, ZWNJ and Arabic/Persian letter variants folded."""
    folded = " ".join(_NON_WORD.sub(" ", text.translate(_FOLD).lower()).split())
    if len(folded) <= k:
        return {folded.encode("utf-8")} if folded else set()
    return {folded[i : i + k].encode("utf-8") for i in range(len(folded) - k + 1)}


def signature(text: str, num_perm: int = NUM_PERM) -> np.ndarray:
    from datasketch import MinHash

    m = MinHash(num_perm=num_perm, seed=1, scheme=SCHEME)
    m.update_batch(list(shingles(text)))
    return m.hashvalues.astype(np.uint64)


def jaccard_estimate(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.mean(a == b))


@dataclass
class NearDuplicateIndex:
    """LSH index of stored signatures; ``find(sig)`` returns (doc_id, estimated Jaccard) of the best match."""

    threshold: float = DEFAULT_THRESHOLD
    num_perm: int = NUM_PERM

    def __post_init__(self) -> None:
        from datasketch import MinHashLSH

        self._lsh = MinHashLSH(threshold=self.threshold, num_perm=self.num_perm)
        self._sigs: dict[str, np.ndarray] = {}

    def add(self, doc_id: str, sig: np.ndarray) -> None:
        if doc_id in self._sigs:
            return
        self._lsh.insert(doc_id, self._minhash(sig))
        self._sigs[doc_id] = sig

    def find(self, sig: np.ndarray) -> tuple[str, float] | None:
        candidates = self._lsh.query(self._minhash(sig))
        scored = [(c, jaccard_estimate(sig, self._sigs[c])) for c in candidates]
        scored = [x for x in scored if x[1] >= self.threshold]
        return max(scored, key=lambda x: x[1]) if scored else None

    def _minhash(self, sig: np.ndarray):
        from datasketch import MinHash

        return MinHash(num_perm=self.num_perm, seed=1, hashvalues=sig, scheme=SCHEME)
