"""`udiplo label ...`: human codings of statements, which the taxonomy classifier learns from."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from udiplo.common import DbOpt, EmbedderOpt, JsonOpt, echo, emit_json, fail, open_store, term

app = typer.Typer(help="Human codings: import them (the classifier learns from them), export a coding sheet.",
                  no_args_is_help=True)


@app.command("import")
def import_labels(
    file: Annotated[Path, typer.Argument(help="CSV/TSV with columns statement_id,node_id[,coder].")],
    coder: Annotated[str | None, typer.Option(help="Coder of every row (when the file has no coder column).")] = None,
    agreement: Annotated[bool, typer.Option(help="Then report agreement with the classifier.")] = True,
    embedder: EmbedderOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Store a human coding (statement id -> taxonomy node id or 'outside'). The whole file is checked
    first: unknown statements or nodes reject it with every bad line named. The next `udiplo analyse`
    or `udiplo classify` refits the classifier with these labels."""
    from corpus.analysis import agreement_with_coders
    from pipeline.classify.labels import read_labels
    from pipeline.embed import get_embedder
    from pipeline.errors import UdiploError
    from pipeline.taxonomy import load_taxonomy
    from udiplo.commands.evaluate import render_agreement

    with open_store(db) as store:
        try:
            tax = load_taxonomy()
            labels = read_labels(file, node_ids=[n.node_id for n in tax],
                                 statement_ids=[s.statement_id for s in store.statements()], default_coder=coder)
            stored = store.put_labels(labels)
            report = agreement_with_coders(store, get_embedder(embedder), tax) if agreement else None
        except UdiploError as exc:
            raise fail(str(exc)) from None
    result = {"file": str(file), "imported": stored, "coders": sorted({x.coder for x in labels}),
              "agreement": report}
    if as_json:
        emit_json(result)
        return
    echo(f"imported {stored} labels from {term(file)} ({term(', '.join(result['coders']))})")
    if report:
        echo(render_agreement(report))


@app.command("sheet")
def sheet(
    out: Annotated[Path, typer.Argument(help="CSV to write (UTF-8 with BOM, opens in spreadsheet programs).")],
    coder: Annotated[str, typer.Option(help="Pre-filled coder name.")] = "",
    db: DbOpt = None,
) -> None:
    """Write a coding sheet of every stored statement: statement_id, an empty node_id, coder, the
    machine's goal and confidence, document, page, text. Fill node_id and import it back. Text that a
    spreadsheet would run as a formula (starting with = + - @) is written with a leading ' and read
    back without it."""
    from corpus.reporting import statement_rows
    from pipeline.csvsafe import csv_text
    from pipeline.files import write_atomic

    with open_store(db) as store:
        rows = statement_rows(store)
    if not rows:
        raise fail("the store has no statements; run `udiplo ingest PATH` and `udiplo analyse` first")
    table = csv_text(["statement_id", "node_id", "coder", "machine_goal", "machine_confidence", "filename", "page",
                      "text"],
                     ([r["statement_id"], "", coder, r["goal_id"] or ("outside" if r["abstained"] else ""),
                       r["goal_confidence"], r["filename"], r["page"] or "", r["text"]] for r in rows))
    write_atomic(out, ("\ufeff" + table).encode("utf-8"))
    echo(f"{len(rows)} statements written to {term(out)}")
