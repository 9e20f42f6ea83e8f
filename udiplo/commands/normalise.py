"""`udiplo normalise`: normalise Persian/English text from stdin to stdout (thin shell over pipeline.normalise)."""

from __future__ import annotations

import sys
from dataclasses import replace
from typing import Annotated

import typer

from udiplo.common import echo, emit_json, fail, term


def register(app: typer.Typer) -> None:
    """Add the `normalise` command to the main app."""

    @app.command("normalise")
    def normalise_command(
        lang: Annotated[str | None, typer.Option(
            help="fa, en, ar, mixed or other; Persian steps are skipped for en/ar/other (default: run all).")] = None,
        explain: Annotated[bool, typer.Option(
            "--explain", help="Print the steps applied and their change counts on stderr.")] = False,
        no_zwnj: Annotated[bool, typer.Option(
            "--no-zwnj", help="Do not restore ZWNJs (half-spaces); character fixes only.")] = False,
        as_json: Annotated[bool, typer.Option(
            "--json", help="Print JSON {text, steps, changed} on stdout instead of the text.")] = False,
    ) -> None:
        """Read text on stdin, write the normalised text on stdout.

        Fixes Arabic letters (ي ك → ی ک), presentation forms, kashida, diacritics, invisible
        controls and no-break spaces, and restores ZWNJs («میشود», «دولت ها» → «می‌شود»,
        «دولت‌ها»). URLs, e-mails, DOIs, Latin words, numbers, tabs and newlines are kept.
        """
        from pipeline.errors import ConfigError
        from pipeline.normalise import Normaliser, NormaliserConfig

        config = NormaliserConfig()
        if no_zwnj:
            config = replace(config, restore_zwnj=False)
        text = sys.stdin.read()
        try:
            result = Normaliser(config).normalise(text, lang=lang)
        except ConfigError as exc:
            raise fail(str(exc)) from None
        if as_json:
            emit_json({"text": result.text, "steps": result.explain(), "changed": result.changed})
        else:
            # the text is this command's data: unchanged into a pipe or file, shown escaped on a terminal
            sys.stdout.write(term(result.text, multiline=True) if sys.stdout.isatty() else result.text)
            sys.stdout.flush()
        if explain and not as_json:
            steps = result.explain()
            for step in steps:
                echo(f"{step['step']:24} {step['changes']:6d}  {step['what']}", err=True)
            if not steps:
                echo("no changes", err=True)
