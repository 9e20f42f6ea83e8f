"""ZWNJ restoration F1 and normaliser throughput: udiplo vs hazm 0.10 Normalizer (default settings).

    python benchmarks/zwnj_benchmark.py [--json] [--no-cross]

Held-out split: the `# text =` sentences of UD Persian fa_seraji-ud-test (600 sentences,
never used to build the lexicon, which comes from fa_perdt-ud-dev + fa_seraji-ud-dev).
Each sentence is corrupted by removing every ZWNJ ("joined") or replacing every ZWNJ by a
space ("spaced"), run through each system, and scored with word-level ZWNJ F1 (definitions
in pipeline/normalise/evaluate.py). Throughput is characters of input per second over the
same corrupted sentences, plus whole documents (the five seed documents, and those five
repeated to ~1 MB), measured in this run on this machine.

Cross-check (--no-cross to skip): a lexicon built from fa_seraji-ud-dev only, evaluated on
fa_perdt-ud-dev, the treebank style of the figures in RESEARCH.md.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline.normalise.build_lexicon import SOURCE_DIR, build, read_conllu_texts  # noqa: E402
from pipeline.normalise.evaluate import MODES, corrupt, score  # noqa: E402
from pipeline.normalise.normaliser import Normaliser  # noqa: E402
from pipeline.normalise.zwnj import ZwnjLexicon, ZwnjRestorer  # noqa: E402

HELD_OUT = SOURCE_DIR / "fa_seraji-ud-test.conllu"
SEEDS = ROOT / "corpus" / "samples"


def run_split(system: Callable[[str], str], refs: list[str]) -> dict:
    out: dict = {}
    chars = seconds = 0.0
    for mode in MODES:
        inputs = [corrupt(r, mode) for r in refs]
        t0 = time.perf_counter()
        outputs = [system(t) for t in inputs]
        dt = time.perf_counter() - t0
        out[mode] = score(refs, outputs).to_dict()
        chars += sum(map(len, inputs))
        seconds += dt
    out["chars_per_s"] = round(chars / seconds)
    return out


def run_docs(system: Callable[[str], str], docs: list[str]) -> dict:
    big = "\n\n".join(docs * max(1, 1_000_000 // max(1, sum(map(len, docs)))))
    res = {}
    for name, texts in (("seeds", docs), ("1MB", [big])):
        t0 = time.perf_counter()
        for t in texts:
            system(t)
        res[f"{name}_chars_per_s"] = round(sum(map(len, texts)) / (time.perf_counter() - t0))
    return res


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--json", action="store_true", help="print one JSON document")
    ap.add_argument("--no-cross", action="store_true", help="skip the PerDT cross-check")
    args = ap.parse_args(argv)

    refs = read_conllu_texts(HELD_OUT)
    docs = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    report: dict = {"held_out": HELD_OUT.name, "sentences": len(refs), "chars": sum(map(len, refs))}

    t0 = time.perf_counter()
    ours = Normaliser()
    ours.normalise("میشود")  # load lexicons (lazy)
    report["udiplo_load_s"] = round(time.perf_counter() - t0, 2)
    fn = lambda t: ours.normalise(t).text  # noqa: E731
    report["udiplo"] = run_split(fn, refs) | run_docs(fn, docs)

    t0 = time.perf_counter()
    from hazm import Normalizer

    hazm = Normalizer()
    report["hazm_load_s"] = round(time.perf_counter() - t0, 2)
    report["hazm"] = run_split(hazm.normalize, refs) | run_docs(hazm.normalize, docs)

    if not args.no_cross:
        forms, vocab = build(SOURCE_DIR, ["fa_seraji-ud-dev.conllu"])
        cross = Normaliser(restorer=ZwnjRestorer(ZwnjLexicon.from_counts(forms, vocab, ZwnjLexicon.load().house)))
        perdt = read_conllu_texts(SOURCE_DIR / "fa_perdt-ud-dev.conllu")
        report["cross_check"] = {
            "lexicon": "fa_seraji-ud-dev", "evaluated_on": "fa_perdt-ud-dev",
            "udiplo": run_split(lambda t: cross.normalise(t).text, perdt),
            "hazm": run_split(hazm.normalize, perdt),
        }

    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
        return 0
    print(f"held-out: {report['held_out']} ({report['sentences']} sentences, {report['chars']} chars); "
          f"lexicon: fa_perdt-ud-dev + fa_seraji-ud-dev")
    print(f"{'system':8} {'joined P/R/F1':>22} {'spaced P/R/F1':>22} {'sent c/s':>9} {'seeds c/s':>10} {'1MB c/s':>9}")
    for name in ("udiplo", "hazm"):
        r = report[name]
        cells = [f"{r[m]['precision']:.3f}/{r[m]['recall']:.3f}/{r[m]['f1']:.3f}" for m in MODES]
        print(f"{name:8} {cells[0]:>22} {cells[1]:>22} {r['chars_per_s']:>9,} {r['seeds_chars_per_s']:>10,} "
              f"{r['1MB_chars_per_s']:>9,}")
    print(f"load: udiplo {report['udiplo_load_s']} s (lexicons), hazm {report['hazm_load_s']} s (import + Normalizer)")
    if "cross_check" in report:
        c = report["cross_check"]
        print(f"cross-check: lexicon {c['lexicon']} -> {c['evaluated_on']}: "
              + "; ".join(f"{n} joined {c[n]['joined']['f1']:.3f} spaced {c[n]['spaced']['f1']:.3f}"
                          for n in ("udiplo", "hazm")))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
