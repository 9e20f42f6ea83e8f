"""Spans the Persian steps must not touch: URLs, e-mails, DOIs, Latin words, numbers.

hazm's normaliser rewrites these (``10.30497/RC.2023`` → Persian digits and spaces,
``COVID-19`` → ``COVID- ۱۹``, ``3.5`` → ``۳ ٫ ۵``). Here they are found once per text
version and every protected step skips matches that overlap them.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

_TRAILING = ".,;:!?)]}»'\"،؛؟"

PROTECTED_RE = re.compile(
    r"""
    (?P<url>(?:https?|ftp)://[^\s<>"«»]+ | \bwww\.[^\s<>"«»]+)
  | (?P<email>\b[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)
  | (?P<doi>\b10\.\d{4,9}/[^\s<>"«»]+)
  | (?P<latin>[A-Za-z][A-Za-z0-9]*(?:[-_.'’][A-Za-z0-9]+)*)
  | (?P<number>\d+(?:[.,٫٬/:]\d+)*(?:\s?[%٪])?)
    """,
    re.VERBOSE,
)


@dataclass(frozen=True)
class Protected:
    """Sorted, non-overlapping protected spans of one text, with their kinds.

    >>> p = Protected.find("see https://example.com/a_b?x=1, or 3.5%")
    >>> [(k, s) for k, s in zip(p.kinds, p.texts("see https://example.com/a_b?x=1, or 3.5%"))]
    [('latin', 'see'), ('url', 'https://example.com/a_b?x=1'), ('latin', 'or'), ('number', '3.5%')]
    """

    starts: tuple[int, ...]
    ends: tuple[int, ...]
    kinds: tuple[str, ...]

    @classmethod
    def find(cls, text: str) -> Protected:
        starts: list[int] = []
        ends: list[int] = []
        kinds: list[str] = []
        for m in PROTECTED_RE.finditer(text):
            start, end, kind = m.start(), m.end(), m.lastgroup or "latin"
            if kind in ("url", "doi"):
                while end > start and text[end - 1] in _TRAILING:
                    end -= 1
            starts.append(start)
            ends.append(end)
            kinds.append(kind)
        return cls(tuple(starts), tuple(ends), tuple(kinds))

    @classmethod
    def none(cls) -> Protected:
        return cls((), (), ())

    def overlaps(self, start: int, end: int) -> bool:
        """True when ``[start, end)`` (or the point ``start`` if empty) touches a protected span."""
        i = bisect_right(self.starts, max(start, end - 1)) - 1
        return i >= 0 and self.ends[i] > start

    def texts(self, text: str) -> list[str]:
        return [text[s:e] for s, e in zip(self.starts, self.ends, strict=True)]

    def __len__(self) -> int:
        return len(self.starts)
