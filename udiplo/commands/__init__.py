"""Command groups contributed by pipeline areas; each module exposes ``register(app)`` or ``app``.

Modules here must import cheaply: heavy libraries are imported inside commands.
"""

from __future__ import annotations

import importlib

import typer

# (module, name of the sub-command group or None to register top-level commands)
GROUPS: list[tuple[str, str | None]] = [
    ("taxonomy", "taxonomy"),
    ("normalise", None),
    ("models", "models"),
    ("themes", None),
    ("classify", None),
    ("evaluate", "evaluate"),
    ("label", "label"),
]


def register_all(app: typer.Typer) -> None:
    for module_name, group in GROUPS:
        module = importlib.import_module(f"udiplo.commands.{module_name}")
        if group is None:
            module.register(app)
        else:
            app.add_typer(module.app, name=group)
