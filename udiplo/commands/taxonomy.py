"""`udiplo taxonomy ...`: show, validate, rebuild and import problem -> goal -> policy taxonomies."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from udiplo.common import JsonOpt, echo, emit_json, fail, term

app = typer.Typer(
    help="The problem -> goal -> policy taxonomy (Mashhad paper, tables 1-4) and imported frameworks.",
    no_args_is_help=True,
)

LEVELS_HELP = "macro_problem, sub_problem, goal, general_policy or executive_policy"


def _load(path: Path | None):
    from pipeline.errors import UdiploError
    from pipeline.taxonomy.store import load_taxonomy

    try:
        return load_taxonomy(path)
    except UdiploError as exc:
        raise fail(str(exc)) from None


@app.command()
def show(
    file: Annotated[Path | None, typer.Option("--file", "-f", help="Taxonomy file (default: the committed Mashhad taxonomy).")] = None,
    level: Annotated[str | None, typer.Option("--level", "-l", help=f"Only nodes of one level: {LEVELS_HELP}.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Print the taxonomy as a tree (or one level as a list) with Persian text and English gloss."""
    tax = _load(file)
    try:
        nodes = tax.goals() if level == "goal" else (tax.by_level(level) if level else tax.walk())
    except ValueError as exc:
        raise fail(str(exc)) from None
    if as_json:
        emit_json({"name": tax.name, "version": tax.version, "counts": tax.counts(),
               "nodes": [n.to_dict() for n in nodes]})
        return
    echo(f"{tax.name} {tax.version}: " + ", ".join(f"{v} {k}" for k, v in tax.counts().items()))
    depth = {"macro_problem": 0, "sub_problem": 1, "goal": 1, "general_policy": 2, "executive_policy": 3}
    for n in nodes:
        pad = "" if level else "  " * depth.get(n.level, 0)
        echo(f"{pad}{n.node_id}  {n.text_fa}")
        if n.gloss_en:
            echo(f"{pad}{' ' * (len(n.node_id) + 2)}{n.gloss_en}")


@app.command()
def validate(
    file: Annotated[Path | None, typer.Argument(help="Taxonomy YAML/JSON (default: the committed Mashhad taxonomy).")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Check a taxonomy file: schema, unique ids, existing parents, level order, one chain per node, ranks.
    Exits 1 when there are errors; warnings alone exit 0."""
    from pipeline.errors import UdiploError
    from pipeline.taxonomy.store import default_taxonomy_path, validate_file

    path = file or default_taxonomy_path()
    try:
        problems = validate_file(path)
    except UdiploError as exc:
        raise fail(str(exc)) from None
    n_err = sum(p.severity == "error" for p in problems)
    if as_json:
        emit_json({"file": str(path), "valid": n_err == 0, "problems": [p.to_dict() for p in problems]})
    else:
        for p in problems:
            echo(str(p), err=p.severity == "error")
        echo(f"{term(path)}: {'valid' if n_err == 0 else 'INVALID'} ({n_err} errors, {len(problems) - n_err} warnings)")
    if n_err:
        raise typer.Exit(1)


@app.command()
def build(
    from_: Annotated[Path | None, typer.Option("--from", help="Paper text (default: models/taxonomy/sources/mashhad-2023.txt).")] = None,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Where to write (default: models/taxonomy/mashhad-2023.yaml).")] = None,
    version: Annotated[str | None, typer.Option(help="Version to stamp (default: the committed file's).")] = None,
    corrections: Annotated[Path | None, typer.Option(help="Corrections YAML (default: the committed one).")] = None,
    no_corrections: Annotated[bool, typer.Option("--no-corrections", help="Parse the raw tables without editorial corrections.")] = False,
    glosses: Annotated[Path | None, typer.Option(help="English glosses YAML (default: models/taxonomy/glosses_en.yaml).")] = None,
    check: Annotated[bool, typer.Option("--check", help="Do not write; exit 1 if the result differs from the file at --out.")] = False,
    gloss_template: Annotated[Path | None, typer.Option(help="Also write a glosses skeleton (all nodes, current glosses kept) here.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Regenerate the taxonomy from the paper's tables (parse, correct, rank goals, merge glosses)."""
    from pipeline.errors import UdiploError
    from pipeline.taxonomy.generate import build_from_paper, default_glosses_path, default_output_path
    from pipeline.taxonomy.glosses import gloss_template as make_template
    from pipeline.taxonomy.glosses import load_glosses
    from pipeline.taxonomy.store import content_sha256, load_taxonomy, save_taxonomy

    out = out or default_output_path()
    try:
        result = build_from_paper(from_, corrections, glosses, version, use_corrections=not no_corrections)
        tax = result.taxonomy
        if gloss_template:
            gpath = glosses or default_glosses_path()
            existing = load_glosses(gpath) if Path(gpath).exists() else {}
            Path(gloss_template).write_text(make_template(tax, existing), encoding="utf-8")
        if check:
            same = out.exists() and content_sha256(load_taxonomy(out, validate=False)) == content_sha256(tax)
        else:
            save_taxonomy(tax, out)
    except UdiploError as exc:
        raise fail(str(exc)) from None
    report = {"out": str(out), "version": tax.version, "counts": tax.counts(),
              "problems": [p.to_dict() for p in result.problems]}
    if check:
        report["up_to_date"] = same
    if as_json:
        emit_json(report)
    else:
        for p in result.problems:
            echo(str(p), err=True)
        counts = ", ".join(f"{v} {k}" for k, v in tax.counts().items())
        verb = ("up to date: " if same else "DIFFERS from the build: ") if check else "wrote "
        echo(f"{verb}{term(out)} ({counts})")
    if check and not same:
        raise typer.Exit(1)


@app.command("import")
def import_(
    file: Annotated[Path, typer.Argument(help="Table file: .tsv, .csv or .docx (first row = header).")],
    name: Annotated[str, typer.Option("--name", "-n", help="Name of the new taxonomy, e.g. isfahan-2024.")],
    columns: Annotated[str | None, typer.Option(help='Column of each level, by header or 1-based index: "goal=هدف,general_policy=3". Default: recognise common headers.')] = None,
    macro: Annotated[str | None, typer.Option(help="Macro-problem text when the table has no macro-problem column (default: the name).")] = None,
    lang: Annotated[str, typer.Option(help="Language of the texts: fa, or en (stored as English glosses).")] = "fa",
    table: Annotated[int | None, typer.Option(help="DOCX: use only this table (1-based); default all tables.")] = None,
    version: Annotated[str, typer.Option(help="Version to stamp.")] = "1.0.0",
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Where to write (default: models/taxonomy/<name>.yaml).")] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Import another problem -> goal -> policy table as a new validated taxonomy file."""
    from pipeline.errors import UdiploError
    from pipeline.taxonomy.import_table import ColumnMap, import_table
    from pipeline.taxonomy.store import save_taxonomy, taxonomy_dir

    out = out or taxonomy_dir() / f"{name}.yaml"
    if out.exists() and not force:
        raise fail(f"{out} exists; pass --force to overwrite or --out to write elsewhere.")
    try:
        cmap = ColumnMap.parse(columns) if columns else None
        tax = import_table(file, name, cmap, version=version, macro=macro, lang=lang, table_index=table)
        save_taxonomy(tax, out)
    except UdiploError as exc:
        raise fail(str(exc)) from None
    if as_json:
        emit_json({"out": str(out), "name": name, "counts": tax.counts()})
    else:
        echo(f"wrote {term(out)} (" + ", ".join(f"{v} {k}" for k, v in tax.counts().items()) + ")")
