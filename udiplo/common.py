"""What every CLI command shares: option types, JSON output, one-line errors, opening the store."""

from __future__ import annotations

import json
import re
from typing import Annotated, Any

import typer

JsonOpt = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON on stdout.")]
DbOpt = Annotated[
    str | None,
    typer.Option("--db", envvar="UDIPLO_DB_URL", help="Store URL (default: SQLite file corpus/udiplo.sqlite)."),
]
EmbedderOpt = Annotated[
    str | None,
    typer.Option("--embedder", envvar="UDIPLO_EMBEDDER",
                 help="e5 (default, offline), hashing (no model, for quick trials) or a sentence-transformers path."),
]
AllowHostsOpt = Annotated[
    list[str] | None,
    typer.Option("--allow-host", envvar="UDIPLO_NEWS_ALLOW_HOSTS", metavar="HOST",
                 help="Let news fetching reach this internal host: a name, an address or a network such as "
                      "10.0.0.0/8 (repeatable; the variable is space-separated). Loopback, private, link-local "
                      "and other non-public addresses are refused otherwise."),
]

EXIT_PARTIAL = 3


# C0 controls (ESC included), DEL, C1 controls, bidi embeddings/overrides (U+202A-202E) and isolates
# (U+2066-2069): a file name or statement holding them could recolour, move the cursor, rewrite the
# terminal title or reorder what the user reads. ZWNJ (U+200C), LRM/RLM are ordinary Persian text.
_UNSAFE = "\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069"
_UNSAFE_LINE = re.compile(f"[{_UNSAFE}\t\n]")
_UNSAFE_TEXT = re.compile(f"[{_UNSAFE}]")
_SHORT = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}


def _escape(m: re.Match) -> str:
    c = m.group()
    return _SHORT.get(c) or (f"\\x{ord(c):02x}" if ord(c) < 0x100 else f"\\u{ord(c):04x}")


def term(text: Any, *, multiline: bool = False) -> str:
    """``text`` safe to print on a terminal: control, escape and bidi-override characters shown as
    Python-style escapes (ESC as ``\\x1b``, RIGHT-TO-LEFT OVERRIDE as ``\\u202e``, CR as ``\\r``), and
    tab/newline as ``\\t``/``\\n`` unless ``multiline``. Persian text (ZWNJ included) is unchanged."""
    return (_UNSAFE_TEXT if multiline else _UNSAFE_LINE).sub(_escape, str(text))


def echo(message: Any = "", *, err: bool = False) -> None:
    """Print ``message`` (lines kept, anything that could steer the terminal escaped; see ``term``)."""
    typer.echo(term(message, multiline=True), err=err)


def emit_json(data: Any) -> None:
    """``data`` as JSON on stdout; DEL, C1 and bidi controls (which JSON allows raw) as ``\\uXXXX``."""
    text = json.dumps(data, ensure_ascii=False, indent=2, default=str)
    typer.echo(_UNSAFE_TEXT.sub(lambda m: f"\\u{ord(m.group()):04x}", text))


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print ``error: message`` on stderr as one line (see ``term``); raise the returned Exit."""
    typer.echo(f"error: {term(message)}", err=True)
    return typer.Exit(code)


def open_store(db: str | None):
    from corpus.store import CorpusStore
    from pipeline.errors import StoreError

    try:
        return CorpusStore.open(db)
    except StoreError as exc:
        raise fail(str(exc)) from None
