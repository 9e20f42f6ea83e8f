"""One call for callers (CLI, flows, the main job): discover, optionally measure stability, save.

    inputs = ThemeInputs(statements, embeddings, embedding_model="multilingual-e5-small-q4",
                         city_of=..., date_of=..., goals=goals, goal_embeddings=goal_vecs)
    result = run_themes(inputs, ThemeConfig(seed=42), with_stability=True, out=Path("outputs/themes"))
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from pipeline.themes.discover import ThemeConfig, discover_themes
from pipeline.themes.model import SeedGoal, ThemeResult


@dataclass(frozen=True, eq=False)
class ThemeInputs:
    """Everything theme discovery needs, already loaded: statements and their embeddings (same
    order), how to find a statement's city and date, and optionally the taxonomy goals with
    embeddings from the same embedder."""

    statements: Sequence[Any]
    embeddings: np.ndarray
    embedding_model: str | None = None
    city_of: Callable[[Any], str | None] | None = None
    date_of: Callable[[Any], Any] | None = None
    goals: Sequence[SeedGoal] = ()
    goal_embeddings: Mapping[str, np.ndarray] | None = None


def run_themes(inputs: ThemeInputs, config: ThemeConfig | None = None, *, with_stability: bool = False,
               seeds: Sequence[int] = (0, 1, 2, 3, 4), out: str | Path | None = None) -> ThemeResult:
    """Discover themes; with ``with_stability`` also fit once per seed and attach the ARI report;
    with ``out`` save the result and model there (see ``pipeline.themes.persist``)."""
    from pipeline.themes.persist import save_themes
    from pipeline.themes.stability import stability

    config = config or ThemeConfig()
    result, model = discover_themes(inputs.statements, inputs.embeddings, config, seed_topics=inputs.goals or None,
                                    goal_embeddings=inputs.goal_embeddings, city_of=inputs.city_of,
                                    date_of=inputs.date_of)
    if with_stability:
        report = stability(inputs.statements, inputs.embeddings, config, seeds, seed_topics=inputs.goals or None,
                           goal_embeddings=inputs.goal_embeddings)
        result = replace(result, stability=report)
    if out is not None:
        save_themes(out, result, model, embedding_model=inputs.embedding_model)
    return result
