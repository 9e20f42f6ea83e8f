"""Throughput of the embedding stage on Persian statements from the sample corpus.

Compares, in one run and on the same statements:
  raw     SentenceTransformer.encode (batch 32, "query: " prompt, normalised)
  ours    embed_with_cache over a fresh cache (hashing, dedup, length-sorted batches, cache writes)
  cached  the same call again, every statement now in the cache
Goals: ours >= 0.9 x raw statements/s; cached run <= 5% of the first run's time.
The last line printed is one JSON object with all figures.

    python benchmarks/embed_benchmark.py [--n 400] [--cache sqlite|npz|memory] [--repeats 1]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SENTENCE_END = re.compile(r"(?<=[.!?؟])\s+|\n+")
PERSIAN = re.compile(r"[\u0600-\u06FF]")


def persian_statements(n: int) -> list[str]:
    """Up to ``n`` distinct Persian sentences (20-600 chars) from corpus/samples, in file order."""
    out: dict[str, None] = {}
    for path in sorted((ROOT / "corpus" / "samples").glob("*.txt")):
        for s in SENTENCE_END.split(path.read_text(encoding="utf-8")):
            s = " ".join(s.split())
            if 20 <= len(s) <= 600 and len(PERSIAN.findall(s)) > len(s) / 2:
                out.setdefault(s)
    return list(out)[:n]


def make_cache(kind: str, tmp: Path):
    from pipeline.embed import MemoryEmbeddingCache, NpzEmbeddingCache

    if kind == "memory":
        return MemoryEmbeddingCache(), lambda: None
    if kind == "npz":
        return NpzEmbeddingCache(tmp / "npz"), lambda: None
    from corpus.store import CorpusStore

    store = CorpusStore.open(f"sqlite:///{tmp / 'bench.sqlite'}")
    return store, store.close


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=400, help="number of statements (default 400)")
    ap.add_argument("--cache", choices=("sqlite", "npz", "memory"), default="sqlite",
                    help="cache behind embed_with_cache (default sqlite: the corpus store)")
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--repeats", type=int, default=1, help="best of this many runs per measurement")
    args = ap.parse_args()

    from pipeline.embed import embed_with_cache_stats, get_embedder

    texts = persian_statements(args.n)
    t0 = time.perf_counter()
    emb = get_embedder()
    st = emb.load()
    load_s = time.perf_counter() - t0
    emb.embed(texts[:8])  # warm-up
    print(f"{len(texts)} Persian statements, mean {np.mean([len(t) for t in texts]):.0f} chars; "
          f"{emb.name} {emb.revision}; model ready in {load_s:.1f} s; cache={args.cache}")

    raw_s, ours_s, cached_s = [], [], []
    for _ in range(args.repeats):
        t = time.perf_counter()
        raw = st.encode(texts, prompt=emb.prompt, batch_size=args.batch_size, normalize_embeddings=True,
                        convert_to_numpy=True, show_progress_bar=False)
        raw_s.append(time.perf_counter() - t)
        with tempfile.TemporaryDirectory(prefix="udiplo-bench-") as tmp:
            cache, close = make_cache(args.cache, Path(tmp))
            try:
                t = time.perf_counter()
                ours, s1 = embed_with_cache_stats(emb, texts, cache, batch_size=args.batch_size)
                ours_s.append(time.perf_counter() - t)
                t = time.perf_counter()
                again, s2 = embed_with_cache_stats(emb, texts, cache, batch_size=args.batch_size)
                cached_s.append(time.perf_counter() - t)
            finally:
                close()
        assert s1.computed == len(set(texts)) and s2.computed == 0, (s1, s2)
    agree = float((raw * ours).sum(axis=1).min())
    n = len(texts)
    fig = {
        "benchmark": "embed", "statements": n, "mean_chars": round(float(np.mean([len(t) for t in texts])), 1),
        "model": emb.name, "revision": emb.revision, "cache": args.cache, "batch_size": args.batch_size,
        "load_seconds": round(load_s, 2),
        "raw_encode_per_s": round(n / min(raw_s), 1),
        "ours_per_s": round(n / min(ours_s), 1),
        "ratio_ours_vs_raw": round(min(raw_s) / min(ours_s), 3),
        "first_run_s": round(min(ours_s), 3), "cached_run_s": round(min(cached_s), 4),
        "cached_vs_first": round(min(cached_s) / min(ours_s), 4),
        "min_cosine_ours_vs_raw": round(agree, 6),
        "cached_identical": bool(np.array_equal(ours, again)),
    }
    print(f"raw encode   {fig['raw_encode_per_s']:7.1f} statements/s")
    print(f"ours (fresh) {fig['ours_per_s']:7.1f} statements/s  = {fig['ratio_ours_vs_raw']:.2f} x raw (goal >= 0.9)")
    print(f"cached run   {fig['cached_run_s']:.3f} s = {100 * fig['cached_vs_first']:.2f}% of the first (goal <= 5%)")
    print(json.dumps(fig))


if __name__ == "__main__":
    main()
