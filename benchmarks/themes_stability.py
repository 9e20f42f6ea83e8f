"""Themes on the sample corpus: labels, sizes, outliers, timings, and ARI across 5 seeds.

    python benchmarks/themes_stability.py                  # e5 embeddings (provisioned offline)
    python benchmarks/themes_stability.py --embedder hashing
    python benchmarks/themes_stability.py --json --no-goals

Statements come from the real pipeline (extract -> segment_document with the
project normaliser); embeddings are cached in an .npz folder (``--cache``).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline.embed import NpzEmbeddingCache, embed_with_cache, get_embedder  # noqa: E402
from pipeline.extract import extract  # noqa: E402
from pipeline.segment import segment_document  # noqa: E402
from pipeline.themes import SeedGoal, ThemeConfig, ThemeInputs, discover_themes, stability  # noqa: E402


def sample_inputs(embedder_spec: str | None, cache_dir: Path, goals: bool) -> ThemeInputs:
    statements, city, date = [], {}, {}
    for path in sorted((ROOT / "corpus" / "samples").glob("*.txt")):
        doc = extract(path)
        for st in segment_document(doc):
            statements.append(st)
            city[st.statement_id] = doc.meta.city
            date[st.statement_id] = doc.meta.date_iso
    embedder = get_embedder(embedder_spec)
    cache = NpzEmbeddingCache(cache_dir)
    vectors = embed_with_cache(embedder, [s.text for s in statements], cache)
    seed_goals, goal_vectors = [], None
    if goals:
        from pipeline.taxonomy import load_taxonomy

        seed_goals = [SeedGoal.from_node(g) for g in load_taxonomy().goals()]
        gv = embed_with_cache(embedder, [g.text_fa for g in seed_goals], cache)
        goal_vectors = {g.goal_id: gv[i] for i, g in enumerate(seed_goals)}
    return ThemeInputs(statements, vectors, f"{embedder.name}@{embedder.revision}",
                       city_of=lambda s: city.get(s.statement_id), date_of=lambda s: date.get(s.statement_id),
                       goals=seed_goals, goal_embeddings=goal_vectors)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--embedder", default=None, help="e5 (default), hashing, or a sentence-transformers folder")
    ap.add_argument("--cache", type=Path, default=Path("/tmp/udiplo-bench-embeddings"))
    ap.add_argument("--no-goals", action="store_true", help="no taxonomy guidance or goal links")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()

    t0 = time.perf_counter()
    inputs = sample_inputs(args.embedder, args.cache, not args.no_goals)
    t_inputs = time.perf_counter() - t0
    config = ThemeConfig(seed=args.seed)
    kw = dict(seed_topics=inputs.goals or None, goal_embeddings=inputs.goal_embeddings)
    t1 = time.perf_counter()
    result, _ = discover_themes(inputs.statements, inputs.embeddings, config, city_of=inputs.city_of,
                                date_of=inputs.date_of, **kw)
    t_first = time.perf_counter() - t1
    t2 = time.perf_counter()
    again, _ = discover_themes(inputs.statements, inputs.embeddings, config, **kw)
    t_second = time.perf_counter() - t2
    t3 = time.perf_counter()
    report = stability(inputs.statements, inputs.embeddings, config, **kw)
    t_stab = time.perf_counter() - t3
    result = replace(result, stability=report)
    timings = {"inputs_s": round(t_inputs, 1), "first_fit_s": round(t_first, 1), "warm_fit_s": round(t_second, 1),
               "stability_5_seeds_s": round(t_stab, 1), "reproducible": again.assignments == result.assignments}
    if args.json:
        print(json.dumps({"timings": timings, **result.to_dict()}, ensure_ascii=False, indent=1))
        return
    p = result.params
    print(f"{p['n']} statements, {len(result.themes)} themes ({p['method']}, n_neighbors={p['n_neighbors']}, "
          f"min_size={p['min_size']}, embedder {inputs.embedding_model})")
    print(f"outliers: {p['outlier_share_before']:.1%} before reduction, {result.outlier_share:.1%} after "
          f"(threshold {p['outlier_threshold_used']})")
    for t in sorted(result.themes, key=lambda t: -t.size):
        cities = Counter()
        for row in result.per_city:
            if row["theme_id"] == t.theme_id:
                cities[row["city"]] += row["count"]
        print(f"{t.theme_id:3d} {t.size:4d}  {t.label_fa}  |  {t.label_en[:110]}  |  "
              + ", ".join(f"{c} {n}" for c, n in cities.most_common()))
    print(f"stability over seeds {report['seeds']}: ARI mean {report['ari_mean']}, min {report['ari_min']}, "
          f"ARI without outliers {report['ari_clustered_mean']}; themes per seed {report['n_themes']}")
    print("timings:", timings)


if __name__ == "__main__":
    main()
