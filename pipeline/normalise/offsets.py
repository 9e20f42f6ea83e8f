"""Offset map between raw and normalised text, built while edits are applied.

Every normalised character ``i`` carries the raw span ``[starts[i], ends[i])`` it came
from: a kept or 1:1 replaced character covers one raw character, an n:m replacement
covers the whole raw span it replaced, and an inserted character (a restored ZWNJ)
is empty (``starts[i] == ends[i]``). Both arrays are non-decreasing, so raw → normalised
look-ups are binary searches.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left, bisect_right
from dataclasses import dataclass

Edit = tuple[int, int, str]  # (start, end, replacement) in the current text


@dataclass(frozen=True)
class OffsetMap:
    """Maps spans between a raw text (length ``raw_length``) and its normalised form.

    >>> m = OffsetMap.identity(3)
    >>> m.to_raw(1, 3), m.from_raw(0, 2)
    ((1, 3), (0, 2))
    """

    starts: array
    ends: array
    raw_length: int

    @classmethod
    def identity(cls, n: int) -> OffsetMap:
        return cls(array("l", range(n)), array("l", range(1, n + 1)), n)

    def __len__(self) -> int:
        return len(self.starts)

    def to_raw(self, start: int, end: int) -> tuple[int, int]:
        """Raw span ``[a, b)`` that produced normalised ``[start, end)`` (an empty span maps to a point)."""
        n = len(self.starts)
        if not 0 <= start <= end <= n:
            raise ValueError(f"span [{start}, {end}) is outside the normalised text of length {n}")
        if start == end:
            pos = self.starts[start] if start < n else self.raw_length
            return pos, pos
        return self.starts[start], self.ends[end - 1]

    def from_raw(self, start: int, end: int) -> tuple[int, int]:
        """Smallest normalised span covering what raw ``[start, end)`` became (may be empty if deleted)."""
        if not 0 <= start <= end <= self.raw_length:
            raise ValueError(f"span [{start}, {end}) is outside the raw text of length {self.raw_length}")
        a = bisect_right(self.ends, start)  # first char ending after `start`
        b = bisect_left(self.starts, end)  # chars starting before `end`
        if start == end:
            return a, a
        return a, max(a, b)


def apply_edits(text: str, omap: OffsetMap, edits: list[Edit]) -> tuple[str, OffsetMap]:
    """Apply sorted, non-overlapping ``edits`` to ``text`` and carry ``omap`` along."""
    if not edits:
        return text, omap
    starts, ends = omap.starts, omap.ends
    n = len(text)
    parts: list[str] = []
    new_s, new_e = array("l"), array("l")
    pos = 0
    for s, e, repl in edits:
        if s < pos or e < s or e > n:
            raise ValueError(f"edit ({s}, {e}) overlaps a previous edit or leaves the text (length {n})")
        parts.append(text[pos:s])
        new_s.extend(starts[pos:s])
        new_e.extend(ends[pos:s])
        k = len(repl)
        if k == e - s:
            new_s.extend(starts[s:e])
            new_e.extend(ends[s:e])
        elif k:
            if e > s:
                a, b = starts[s], ends[e - 1]
            else:  # insertion before character s
                a = b = starts[s] if s < n else (ends[n - 1] if n else omap.raw_length)
            new_s.extend([a] * k)
            new_e.extend([b] * k)
        parts.append(repl)
        pos = e
    parts.append(text[pos:])
    new_s.extend(starts[pos:])
    new_e.extend(ends[pos:])
    return "".join(parts), OffsetMap(new_s, new_e, omap.raw_length)
