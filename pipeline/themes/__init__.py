"""Theme discovery over statements (BERTopic with explicit sub-models), reproducible and offline.

    from pipeline.themes import ThemeConfig, discover_themes, save_themes, load_themes, assign_new
    result, model = discover_themes(statements, embeddings, ThemeConfig(seed=42),
                                    seed_topics=goals, goal_embeddings=goal_vecs,
                                    city_of=city, date_of=date)
    save_themes("outputs/themes", result, model, embedding_model="multilingual-e5-small-q4")
    load_themes("outputs/themes").assignments == result.assignments   # True

Embeddings are always passed in. Importing this package is cheap: BERTopic,
UMAP and HDBSCAN load inside the functions that use them.
"""

from pipeline.themes.discover import ThemeConfig, discover_themes, effective_sizes
from pipeline.themes.model import OUTLIER, Representative, SeedGoal, Theme, ThemeAssignment, ThemeResult
from pipeline.themes.persist import assign_new, load_themes, load_topic_model, save_themes
from pipeline.themes.service import ThemeInputs, run_themes
from pipeline.themes.stability import stability

__all__ = [
    "OUTLIER", "Representative", "SeedGoal", "Theme", "ThemeAssignment", "ThemeConfig", "ThemeInputs",
    "ThemeResult", "assign_new", "discover_themes", "effective_sizes", "load_themes", "load_topic_model",
    "run_themes", "save_themes", "stability",
]
