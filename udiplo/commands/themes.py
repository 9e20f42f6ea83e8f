"""`udiplo themes`: discover themes in the stored statements (a thin shell over corpus.analysis).

Statements and embeddings come from the store (segmented and embedded on demand, cached);
the themes are cached by corpus, model and configuration, so asking twice costs nothing.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Annotated, Any

import typer

from udiplo.common import echo, emit_json, fail, term


def register(app: typer.Typer) -> None:
    @app.command("themes")
    def themes(
        as_json: Annotated[bool, typer.Option("--json", help="Print machine-readable JSON on stdout.")] = False,
        with_stability: Annotated[bool, typer.Option(
            "--stability/--no-stability",
            help="Also refit with seeds 0-4 and report the adjusted Rand index (about 5x slower).")] = True,
        min_size: Annotated[int | None, typer.Option(
            "--min-size", min=2, help="Smallest theme, in statements (default: adapted to corpus size).")] = None,
        seed: Annotated[int, typer.Option("--seed", help="Random seed; the same seed gives the same themes.")] = 42,
        multi_label: Annotated[bool, typer.Option(
            "--multi-label", help="Give statements close to two themes a second theme.")] = False,
        assignments: Annotated[bool, typer.Option(
            "--assignments", help="With --json, include every statement's theme.")] = False,
        out: Annotated[Path | None, typer.Option(
            "--out", help="Also copy the saved themes, assignments and model to this folder.")] = None,
        embedder: Annotated[str | None, typer.Option(
            "--embedder", envvar="UDIPLO_EMBEDDER",
            help="e5 (default), hashing (fast, no model) or a sentence-transformers folder.")] = None,
        db: Annotated[str | None, typer.Option(
            "--db", envvar="UDIPLO_DB_URL", help="Store URL (default: SQLite file under UDIPLO_HOME).")] = None,
    ) -> None:
        """Discover themes (BERTopic) in the stored statements: bilingual labels, sizes, representative
        statements, shares per city and year, the nearest taxonomy goal, and stability across seeds."""
        from corpus import analysis
        from corpus.store import CorpusStore
        from pipeline.embed import get_embedder
        from pipeline.errors import UdiploError
        from pipeline.taxonomy import load_taxonomy
        from pipeline.themes import ThemeConfig

        try:
            config = ThemeConfig(seed=seed, min_size=min_size, multi_label=multi_label)
            with CorpusStore.open(db) as store:
                analysis.segment_corpus(store)
                model = get_embedder(embedder)
                statements, vectors, _ = analysis.embed_corpus(store, model, progress=not as_json)
                if not statements:
                    raise ValueError("the store has no statements; run `udiplo ingest PATH` first")
                result, folder, reused = analysis.themes_stage(store, statements, vectors, model, load_taxonomy(),
                                                               config=config, with_stability=with_stability)
        except (UdiploError, ValueError, FileExistsError) as exc:
            raise fail(str(exc)) from None
        if out is not None:
            shutil.copytree(folder, out, dirs_exist_ok=True)
        if as_json:
            data = result.to_dict()
            if not assignments:
                data.pop("assignments", None)
            data["model_dir"] = str(out or folder)
            data["reused"] = reused
            emit_json(data)
            return
        echo(render(result))
        echo(f"{'reused' if reused else 'saved'}    {term(out or folder)}")


def render(result: Any) -> str:
    """Plain-text summary: one line per theme, then outliers, method and stability."""
    p = result.params
    lines = [f"{len(result.themes)} themes in {p.get('n')} statements ({p.get('method')}, seed "
             f"{p.get('config', {}).get('seed')}); outliers {result.outlier_share:.1%} "
             f"(before reduction {p.get('outlier_share_before', 0):.1%})"]
    for t in sorted(result.themes, key=lambda t: -t.size):
        lines.append(f"{t.theme_id:3d}  {t.size:5d}  {t.label_fa}")
        lines.append(f"           {t.label_en}")
    if result.stability:
        s = result.stability
        lines.append(f"stability: ARI mean {s['ari_mean']:.2f}, min {s['ari_min']:.2f} over seeds {s['seeds']}; "
                     f"themes per seed {s['n_themes']}")
    return "\n".join(lines)
