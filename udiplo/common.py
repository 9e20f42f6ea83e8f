"""What every CLI command shares: option types, JSON output, one-line errors, opening the store."""

from __future__ import annotations

import json
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

EXIT_PARTIAL = 3


def emit_json(data: Any) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print ``error: message`` on stderr; raise the returned Exit."""
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code)


def open_store(db: str | None):
    from corpus.store import CorpusStore
    from pipeline.errors import StoreError

    try:
        return CorpusStore.open(db)
    except StoreError as exc:
        raise fail(str(exc)) from None
