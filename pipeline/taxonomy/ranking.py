"""Rank the paper's goals by the list of 16 goals in its conclusion (fuzzy matching of wordings)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.errors import UdiploError
from pipeline.lang.fa import PERSIAN_TO_ASCII_DIGITS, ZWNJ

PERSIAN_DIGITS = PERSIAN_TO_ASCII_DIGITS


class PaperParseError(UdiploError):
    """The paper text does not have the layout this parser expects."""


@dataclass(frozen=True)
class ConclusionGoal:
    rank: int
    text: str
    lines: tuple[int, ...]


def conclusion_goals(lines: list[str]) -> list[ConclusionGoal]:
    """The «۱۶ مورد ذیل» list of goals at the end of the discussion, in rank order."""
    start = None
    expected = None
    for i, line in enumerate(lines):
        m = re.search(r"([۰-۹0-9]+)\s*مورد ذیل", line)
        if m:
            start, expected = i + 1, int(m.group(1).translate(PERSIAN_DIGITS))
    if start is None:
        raise PaperParseError("The conclusion's goal list («... ۱۶ مورد ذیل ...») was not found.")
    items: list[tuple[str, list[int]]] = []
    for i in range(start, len(lines)):
        line = lines[i].strip()
        if not line:
            continue
        open_item = bool(items) and not items[-1][0].endswith(("؛", "."))
        if line.startswith("- ") and not (items and items[-1][0].endswith(".")):
            items.append((line[2:].strip(), [i + 1]))
        elif open_item:  # an item wrapped onto the next line
            items[-1] = (f"{items[-1][0]} {line}", items[-1][1] + [i + 1])
        else:
            break
    goals = [ConclusionGoal(k, t.rstrip("؛.").strip(), tuple(ls)) for k, (t, ls) in enumerate(items, 1)]
    if len(goals) != expected:
        raise PaperParseError(f"The conclusion announces {expected} goals but {len(goals)} were read.")
    return goals


def norm_text(text: str) -> str:
    """Text for comparisons: Persian letters, no spaces, ZWNJ, diacritics or punctuation."""
    t = text.replace("ي", "ی").replace("ك", "ک").replace(ZWNJ, "")
    return re.sub(r"[\s\u064b-\u0652«»()؛،.:/\-]+", "", t)


def _grams(text: str, n: int = 3) -> set[str]:
    t = norm_text(text)
    return {t[i : i + n] for i in range(max(1, len(t) - n + 1))}


def similarity(a: str, b: str) -> float:
    """Dice coefficient of character trigrams, ignoring spaces and punctuation."""
    ga, gb = _grams(a), _grams(b)
    return 2 * len(ga & gb) / (len(ga) + len(gb)) if ga and gb else 0.0


def match_goal_ranks(table_goals: list[str], ranked: list[ConclusionGoal], min_score: float = 0.45) -> list[int]:
    """Rank of each table goal: greedy one-to-one matching on trigram similarity."""
    pairs = sorted(
        ((similarity(t, c.text), i, c.rank) for i, t in enumerate(table_goals) for c in ranked), reverse=True
    )
    ranks: dict[int, int] = {}
    used: set[int] = set()
    for score, i, rank in pairs:
        if i in ranks or rank in used or score < min_score:
            continue
        ranks[i] = rank
        used.add(rank)
    missing = [table_goals[i][:50] for i in range(len(table_goals)) if i not in ranks]
    if missing:
        raise PaperParseError(
            f"No conclusion goal matches the table goal(s) {missing}; repair the goal cell with a "
            f"`rows` edit in the corrections file."
        )
    return [ranks[i] for i in range(len(table_goals))]
