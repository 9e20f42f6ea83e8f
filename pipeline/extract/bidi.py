"""Right-to-left helpers for PDF text: glyphs in visual order -> text in logical order.

A PDF stores where each glyph is drawn, not the order it is read in. For a
Persian line we read the glyphs right to left; Latin words and numbers inside
it were drawn left to right, so after that first pass they come out reversed
(«puorg sucof», «3202») and are turned back here. LibreOffice also draws each
ZWNJ (U+200C, the Persian half-space) as a space glyph that overlaps the letter
before it; pdfminer reports a plain space, which :func:`relabel_zwnj` undoes.

Glyphs are pdfplumber char dicts (``text``, ``x0``, ``x1``, ``top``, ``bottom``,
``size``). A *unit* is the text of one glyph: usually one character, sometimes
a ligature such as «لا» or «fi», which must never be split or reversed.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from pipeline.lang.fa import ZWNJ

Char = dict[str, Any]

CID_RE = re.compile(r"\(cid:\d+\)")
_POSTFIX_ET = frozenset("%٪‰‱؉؊°")  # drawn after a number in logical order
_PREFIX_ET = frozenset("$€£¥#")
_NUMBER_SEPARATORS = frozenset(".,/:")  # one of these between two numbers joins them (not - or +)
_MARK_CLASSES = ("NSM", "BN")  # combining marks and ZWNJ/ZWJ take their neighbour's class
_MIRROR = {"(": ")", ")": "(", "[": "]", "]": "[", "{": "}", "}": "{", "<": ">", ">": "<",
           "«": "»", "»": "«", "‹": "›", "›": "‹"}
_OPENERS = {"(": ")", "[": "]", "{": "}", "<": ">", "«": "»", "‹": "›"}


def unshape(text: str) -> str:
    """Presentation forms (Arabic contextual forms, Latin ligatures such as «ﬁ») -> plain letters.

    >>> unshape("\ufbfe\ufb91")  # initial Farsi yeh, medial keheh
    'یک'
    """
    if not any("\ufb00" <= ch <= "\ufdff" or "\ufe70" <= ch <= "\ufefe" for ch in text):
        return text
    return "".join(
        unicodedata.normalize("NFKC", ch) if "\ufb00" <= ch <= "\ufdff" or "\ufe70" <= ch <= "\ufefe" else ch
        for ch in text
    )


def is_cid(text: str) -> bool:
    """True for pdfminer's ``(cid:N)`` placeholder (a glyph with no Unicode mapping)."""
    return text.startswith("(cid:") and CID_RE.fullmatch(text) is not None


def strip_cid(text: str) -> str:
    """Remove ``(cid:N)`` artefacts, e.g. kashida glyphs LibreOffice adds to justify Persian lines."""
    return CID_RE.sub("", text)


def unit_class(unit: str) -> str:
    """Bidi class of a glyph's text, simplified.

    'R' right-to-left letter, 'L' left-to-right letter, 'D' digit (ASCII,
    Persian or Arabic-Indic, and the Arabic decimal/thousands separators),
    'S' a separator that may join two numbers, 'W' white space, 'M' mark,
    'N' any other neutral.
    """
    if not unit:
        return "N"
    ch = unit[0]
    b = unicodedata.bidirectional(ch)
    if b in ("R", "AL"):
        return "R"
    if b == "L":
        return "L"
    if b in ("EN", "AN"):
        return "D"
    if b in _MARK_CLASSES:
        return "M"
    if b in ("WS", "S", "B") or ch.isspace():
        return "W"
    if ch in _NUMBER_SEPARATORS:
        return "S"
    return "N"


def classes(units: Sequence[str]) -> list[str]:
    """Classes of ``units``; a mark takes the class of the unit before it."""
    out: list[str] = []
    for u in units:
        c = unit_class(u)
        if c == "M":
            c = out[-1] if out and out[-1] in "RL" else "N"
        out.append(c)
    return out


def rtl_share(units: Iterable[str]) -> tuple[int, int]:
    """Counts of right-to-left and left-to-right letters in ``units``."""
    r = l_ = 0
    for u in units:
        c = unit_class(u)
        r += c == "R"
        l_ += c == "L"
    return r, l_


def is_rtl(units: Iterable[str], default: bool = True) -> bool:
    """A line is right-to-left when it has more Persian/Arabic letters than Latin ones."""
    r, l_ = rtl_share(units)
    if r == l_:
        return default
    return r > l_


# -- glyph geometry ------------------------------------------------------------
def relabel_zwnj(chars: Sequence[Char], min_share: float = 0.5) -> list[Char]:
    """Relabel space glyphs that overlap a Persian/Arabic letter as ZWNJ.

    A real word space sits between glyphs; LibreOffice's ZWNJ is a space glyph
    drawn on top of the letter before it. ``chars`` is one line; the test is
    local (neighbours in x order), so it is linear in the line length.
    """
    order = sorted(range(len(chars)), key=lambda i: chars[i]["x0"])
    out = list(chars)
    for rank, i in enumerate(order):
        c = chars[i]
        if c["text"] != " ":
            continue
        need = min_share * max(c["x1"] - c["x0"], 0.1)
        for k in (rank - 1, rank + 1, rank - 2, rank + 2, rank - 3, rank + 3):
            if not 0 <= k < len(order):
                continue
            o = chars[order[k]]
            if o["text"].isspace() or unit_class(o["text"]) != "R":
                continue
            if min(c["x1"], o["x1"]) - max(c["x0"], o["x0"]) >= need:
                out[i] = dict(c, text=ZWNJ)
                break
    return out


def reading_order(chars: Sequence[Char], rtl: bool) -> list[Char]:
    """Glyphs sorted in visual reading direction (right to left by right edge, or left to right).

    A zero-width glyph (hamza above, tanwin, the alef half of a lam-alef
    ligature) follows the letter it is drawn on: the nearest letter box
    (within 0.3 em), ties going to the letter whose leading edge is nearest.
    """
    wide = [c for c in chars if c["x1"] - c["x0"] > 0.01]
    thin = [c for c in chars if c["x1"] - c["x0"] <= 0.01]
    if rtl:
        wide.sort(key=lambda c: (-c["x1"], -c["x0"]))
    else:
        wide.sort(key=lambda c: (c["x0"], c["x1"]))
    if not thin:
        return wide
    after: dict[int, list[Char]] = {}
    loose: list[Char] = []
    letters = [i for i, c in enumerate(wide) if unit_class(c["text"]) in "RL"]
    for z in thin:
        x, reach = z["x0"], 0.3 * z["size"]
        best, best_key = None, None
        for i in letters:
            c = wide[i]
            dist = max(c["x0"] - x, x - c["x1"], 0.0)
            if dist > reach:
                continue
            key = (dist, abs(x - c["x0"]) if rtl else abs(c["x1"] - x))
            if best_key is None or key < best_key:
                best, best_key = i, key
        if best is None:
            loose.append(z)
        else:
            after.setdefault(best, []).append(z)
    out: list[Char] = []
    for i, c in enumerate(wide):
        out.append(c)
        out.extend(after.get(i, ()))
    for z in loose:  # no glyph under it: place it by position
        edge = [k for k, c in enumerate(out) if (c["x1"] < z["x0"] if rtl else c["x0"] > z["x0"])]
        out.insert(edge[0] if edge else len(out), z)
    return out


def glyph_units(ordered: Sequence[Char], rtl: bool, gap_em: float = 0.15) -> tuple[list[str], float]:
    """Texts of glyphs in reading order with a space wherever a gap wider than ``gap_em`` (in ems) separates them.

    ``(cid:N)`` glyphs count for the geometry (kashida fills a gap inside a
    word) but are dropped from the text. Returns the units and the width of the
    first word, which the paragraph splitter uses.
    """
    units: list[str] = []
    frontier: float | None = None  # left edge so far (RTL) or right edge so far (LTR)
    start: float | None = None
    first_word: float | None = None

    def space() -> None:
        nonlocal first_word
        if units and units[-1] != " ":
            units.append(" ")
            if first_word is None and start is not None and frontier is not None:
                first_word = abs(start - frontier)

    for c in ordered:
        text = c["text"]
        if text.isspace():
            space()
            continue
        if frontier is not None:
            gap = frontier - c["x1"] if rtl else c["x0"] - frontier
            if gap > gap_em * c["size"]:
                space()
        if not is_cid(text):
            units.append(unshape(text))
        if start is None:
            start = c["x1"] if rtl else c["x0"]
        edge = c["x0"] if rtl else c["x1"]
        if frontier is None:
            frontier = edge
        else:
            frontier = min(frontier, edge) if rtl else max(frontier, edge)
    while units and units[-1] == " ":
        units.pop()
    if first_word is None and start is not None and frontier is not None:
        first_word = abs(start - frontier)
    return units, first_word or 0.0


# -- logical order ---------------------------------------------------------------
def _groups(cls: Sequence[str], members: str) -> list[list[int]]:
    groups, i, n = [], 0, len(cls)
    while i < n:
        if cls[i] in members:
            j = i
            while j < n and cls[j] in members:
                j += 1
            groups.append([i, j])
            i = j
        else:
            i += 1
    return groups


def _ascii_digits(units: Sequence[str], cls: Sequence[str], a: int, b: int) -> bool:
    return all(units[k].isascii() for k in range(a, b) if cls[k] == "D")


def ltr_runs(units: Sequence[str], cls: Sequence[str] | None = None) -> list[tuple[int, int]]:
    """Spans of ``units`` (right-to-left reading order) that were drawn left to right.

    Inverse of the Unicode bidi algorithm in a Persian paragraph. Between two
    Persian letters, the run holding a Latin word ends with that word's first
    letter and takes in everything after it (numbers become Latin there).
    Groups are therefore joined from the right: Latin to Latin across any
    neutral characters («focus group», «info@example.com»); a number to a
    Latin run across neutrals other than brackets, and across white space only
    for ASCII digits («Acuto, 2013, p. 58»); a number to a number across one
    ``. , / :`` only («10.30497», «1402/05/12»; «2015-2020» is shown as two
    runs, so it stays two).
    """
    cls = classes(units) if cls is None else cls
    runs: list[list[int]] = []
    for g in reversed(_groups(cls, "LD")):
        if runs:
            a, b = runs[-1]
            gap = cls[g[1]:a]
            run_l = "L" in cls[a:b]
            this_l = "L" in cls[g[0]:g[1]]
            if "R" in gap:
                join = False
            elif run_l and this_l:
                join = True
            elif not run_l and not this_l:  # «۲-۱.» joins only where no Persian letter precedes
                join = gap == ["S"] or (len(gap) == 1 and units[g[1]] in "-+" and "R" not in cls[: g[0]])
            else:  # not «2023 (COVID-19)», nor Persian digits beside Latin
                bracket = any(units[k] in _MIRROR for k in range(g[1], a))
                join = not bracket and ("W" not in gap or _ascii_digits(units, cls, g[0], b))
            if join:
                runs[-1][0] = g[0]
                continue
        runs.append(list(g))
    if runs and "L" in cls[runs[0][0]:runs[0][1]] and all(c == "W" for c in cls[runs[0][1]:]):
        # a Latin phrase running on to the next line: «(Daroudi &» keeps the «&» drawn inside its run
        a = runs[0][0]
        while a > 0 and cls[a - 1] in "NSW" and units[a - 1] not in _MIRROR:
            a -= 1
        while a < runs[0][0] and cls[a] == "W":
            a += 1
        runs[0][0] = a
    out = []
    for a, b in reversed(runs):
        if cls[a] == "D" and a > 0 and units[a - 1] in _POSTFIX_ET:
            a -= 1
        if cls[b - 1] == "D" and b < len(units) and units[b] in _PREFIX_ET:
            b += 1
        out.append((a, b))
    return out


def unmatched_brackets(units: Iterable[str]) -> int:
    """How many brackets in ``units`` have no partner (a stack scan over ( [ { < « ‹)."""
    stack: list[str] = []
    bad = 0
    for u in units:
        if u in _OPENERS:
            stack.append(_OPENERS[u])
        elif u in _MIRROR:
            if stack and stack[-1] == u:
                stack.pop()
            else:
                bad += 1
    return bad + len(stack)


def logical_rtl(units: Sequence[str]) -> tuple[list[str], tuple[int, ...]]:
    """Right-to-left reading order -> logical order: re-reverse the left-to-right runs.

    Also returns the positions of brackets outside those runs: they were drawn
    mirrored, and some producers (Chromium/Skia) map the mirrored glyph to the
    bracket it looks like, so «(x)» reads «)x(». :func:`choose_mirroring`
    decides per document whether to swap them.
    """
    out = list(units)
    runs = ltr_runs(out)
    for a, b in runs:
        out[a:b] = out[a:b][::-1]
    inside = {k for a, b in runs for k in range(a, b)}
    return out, tuple(k for k, u in enumerate(out) if u in _MIRROR and k not in inside)


def rtl_runs(units: Sequence[str], cls: Sequence[str] | None = None) -> list[tuple[int, int]]:
    """Spans of ``units`` (left-to-right reading order) that were drawn right to left.

    Persian words join across spaces and punctuation; Persian/Arabic-Indic
    digits beside them belong to the run, ASCII digits do not.
    """
    cls = classes(units) if cls is None else cls
    fa = [("R" if c == "R" or (c == "D" and not units[i].isascii()) else c) for i, c in enumerate(cls)]
    runs: list[list[int]] = []
    for g in _groups(fa, "R"):
        if runs and not any(c in "LD" for c in fa[runs[-1][1]:g[0]]):
            runs[-1][1] = g[1]
        else:
            runs.append(list(g))
    return [(a, b) for a, b in runs if "R" in cls[a:b]]


def logical_ltr(units: Sequence[str]) -> tuple[list[str], tuple[int, ...]]:
    """Left-to-right reading order -> logical order: reverse Persian runs (their digits stay left to right).

    Returns the units and the positions of brackets drawn mirrored (see :func:`logical_rtl`).
    """
    out = list(units)
    flips: list[int] = []
    for a, b in rtl_runs(out):
        out[a:b], inner = logical_rtl(out[a:b][::-1])
        flips.extend(a + k for k in inner)
    return out, tuple(flips)


def fix_ltr_runs(text: str) -> str:
    """String form of :func:`logical_rtl` for text already read right to left (one unit per character).

    >>> fix_ltr_runs("سال 3202 و (puorg sucof)")
    'سال 2023 و (focus group)'
    """
    return "".join(logical_rtl(list(text))[0])


_SWAPPED_DOI = re.compile(r"(?<![\w/.])([A-Za-z][\w.;()\-]*)/(10\.\d{4,9})(?![\w/])")


def fix_doi(text: str) -> str:
    """Undo the bidi split of a DOI in right-to-left text: «RC.2023/10.30497» -> «10.30497/RC.2023».

    In a right-to-left paragraph the DOI prefix (a number) and suffix (Latin)
    are separate runs, so the page shows them swapped around the slash.
    """
    return _SWAPPED_DOI.sub(r"\2/\1", text) if "/10." in text else text


@dataclass(frozen=True)
class LineText:
    """One line in logical order: its units, direction, first-word width and mirrored-bracket positions."""

    units: tuple[str, ...]
    rtl: bool
    first_word: float
    flips: tuple[int, ...] = ()

    def text(self, mirror: bool = False) -> str:
        """The line's text; ``mirror`` swaps the brackets that were drawn mirrored."""
        units = list(self.units)
        if mirror:
            for k in self.flips:
                units[k] = _MIRROR[units[k]]
        out = "".join(units).strip()
        return fix_doi(out) if self.rtl else out


def line_text(chars: Sequence[Char], rtl: bool | None = None, default_rtl: bool = True) -> LineText:
    """Read one line of glyphs into logical order (direction from its letters when ``rtl`` is None)."""
    chars = relabel_zwnj(chars)
    if rtl is None:
        rtl = is_rtl((c["text"] for c in chars), default_rtl)
    units, first_word = glyph_units(reading_order(chars, rtl), rtl)
    logical, flips = logical_rtl(units) if rtl else logical_ltr(units)
    return LineText(tuple(logical), rtl, first_word, flips)


def choose_mirroring(lines: Iterable[LineText]) -> bool:
    """True when swapping the mirrored brackets leaves fewer unpaired brackets over ``lines`` (in reading order).

    LibreOffice maps a mirrored bracket glyph to the logical character, Chromium
    to the character it looks like; one document has one producer, so decide once.
    """
    as_is: list[str] = []
    swapped: list[str] = []
    for lt in lines:
        flips = set(lt.flips)
        for k, u in enumerate(lt.units):
            if u in _MIRROR:
                as_is.append(u)
                swapped.append(_MIRROR[u] if k in flips else u)
    return as_is != swapped and unmatched_brackets(swapped) < unmatched_brackets(as_is)


def logical_row(cells: Sequence[str], rtl: bool) -> list[str]:
    """Table cells left to right on the page -> reading order (first column = rightmost for RTL tables)."""
    return list(cells)[::-1] if rtl else list(cells)


__all__ = [
    "CID_RE", "ZWNJ", "LineText", "choose_mirroring", "classes", "fix_doi", "fix_ltr_runs", "glyph_units",
    "is_cid", "is_rtl", "line_text", "logical_ltr", "logical_row", "logical_rtl", "ltr_runs", "reading_order",
    "relabel_zwnj", "rtl_runs", "rtl_share", "strip_cid", "unit_class", "unmatched_brackets", "unshape",
]
