"""Editorial corrections for cells the PDF-to-text conversion scrambled, kept as data.

The file (``models/taxonomy/corrections_<name>.yaml``) is tied to one source
text by its SHA-256. Each entry names the 1-based source line it edits, a
substring that line must contain (so a stale entry fails loudly), what to put
in which column, and why. Spelling fixes are whole-word replacements applied
to every cell.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from pipeline.errors import UdiploError
from pipeline.taxonomy.builder import COLUMNS
from pipeline.taxonomy.store import load_yaml


class CorrectionsError(UdiploError):
    """The corrections file is malformed or does not fit the source text."""


@dataclass(frozen=True)
class RowEdit:
    """Replace whole columns of one source line. Items are (text, line or None)."""

    line: int
    expect: str
    set: dict[str, tuple[tuple[str, int | None], ...]]
    note: str


@dataclass(frozen=True)
class GoalAssign:
    """Attach the general policy starting on ``line`` to the goal with ``goal_rank``."""

    line: int
    expect: str
    goal_rank: int
    note: str


@dataclass(frozen=True)
class Corrections:
    doc_sha256: str | None
    spelling: dict[str, str]
    rows: tuple[RowEdit, ...]
    goal_assign: tuple[GoalAssign, ...]
    path: str | None = None

    @classmethod
    def empty(cls) -> Corrections:
        return cls(doc_sha256=None, spelling={}, rows=(), goal_assign=())


def load_corrections(path: str | Path) -> Corrections:
    path = Path(path)
    try:
        data = load_yaml(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise CorrectionsError(f"{path}: cannot read corrections ({exc}).") from None
    return parse_corrections(data, str(path))


def parse_corrections(data: dict[str, Any], where: str = "corrections") -> Corrections:
    unknown = set(data) - {"doc_sha256", "spelling", "rows", "goal_assign", "comment"}
    if unknown:
        raise CorrectionsError(
            f"{where}: unknown key(s) {sorted(unknown)}; expected doc_sha256, spelling, rows, goal_assign."
        )
    rows = []
    for k, e in enumerate(data.get("rows") or []):
        _need(e, ("line", "expect", "set", "why"), f"{where}: rows[{k}]")
        bad = set(e["set"]) - set(COLUMNS)
        if bad:
            raise CorrectionsError(f"{where}: rows[{k}] sets unknown column(s) {sorted(bad)}; use {COLUMNS}.")
        cols = {c: tuple(_item(v, f"{where}: rows[{k}].{c}") for v in (items or [])) for c, items in e["set"].items()}
        rows.append(RowEdit(line=int(e["line"]), expect=str(e["expect"]), set=cols, note=str(e["why"]).strip()))
    assigns = []
    for k, e in enumerate(data.get("goal_assign") or []):
        _need(e, ("line", "expect", "goal_rank", "why"), f"{where}: goal_assign[{k}]")
        assigns.append(GoalAssign(int(e["line"]), str(e["expect"]), int(e["goal_rank"]), str(e["why"]).strip()))
    spelling = {str(k): str(v) for k, v in (data.get("spelling") or {}).items()}
    return Corrections(data.get("doc_sha256"), spelling, tuple(rows), tuple(assigns), where)


def _need(entry: Any, keys: tuple[str, ...], where: str) -> None:
    if not isinstance(entry, dict) or any(k not in entry for k in keys):
        raise CorrectionsError(f"{where}: each entry needs the keys {', '.join(keys)}; got {entry!r:.120}.")


def _item(v: Any, where: str) -> tuple[str, int | None]:
    if isinstance(v, str):
        return v.strip(), None
    if isinstance(v, dict) and "text" in v:
        return str(v["text"]).strip(), (int(v["line"]) if v.get("line") is not None else None)
    raise CorrectionsError(f"{where}: an item is a string or {{text, line}}; got {v!r:.80}.")


def check_source(corr: Corrections, sha256: str) -> None:
    if corr.doc_sha256 and corr.doc_sha256 != sha256:
        raise CorrectionsError(
            f"{corr.path}: these corrections are for the text with SHA-256 {corr.doc_sha256[:16]}…, "
            f"but the text given has {sha256[:16]}…. Build from the original text, or pass no corrections."
        )


def spell(text: str, spelling: dict[str, str]) -> str:
    for wrong, right in spelling.items():
        text = re.sub(rf"(?<!\w){re.escape(wrong)}(?!\w)", right, text)
    return text
