"""Agreement between the two blind labelling passes of the dev set (issue 11, item 3).

Usage: python scripts/devset_agreement.py [devset folder]   (default models/taxonomy/devset)

Prints Cohen's kappa (scikit-learn) at macro level (P1-P4 and outside as a class) and at
goal level (first label, outside as a class), raw agreement, a lenient goal agreement
that accepts the other pass's labels and acceptable alternatives, the figures per
language, and the most frequent disagreements, as Markdown.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

from sklearn.metrics import cohen_kappa_score

DEFAULT = Path(__file__).resolve().parents[1] / "models" / "taxonomy" / "devset"


def read_jsonl(path: Path) -> dict[str, dict]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return {r["id"]: r for r in rows}


def lenient_match(a: dict, b: dict) -> bool:
    """First labels equal, or one pass's first label is among the other's labels or alternatives."""
    return a["labels"][0] in b["labels"] + b["alternatives"] or b["labels"][0] in a["labels"] + a["alternatives"]


def figures(ids: list[str], p1: dict, p2: dict) -> dict[str, float]:
    m1 = [p1[i]["macro"] for i in ids]
    m2 = [p2[i]["macro"] for i in ids]
    g1 = [p1[i]["labels"][0] for i in ids]
    g2 = [p2[i]["labels"][0] for i in ids]
    # lenient: where the passes match allowing alternatives, count pass 2 as having said pass 1's label
    g2_len = [a if lenient_match(p1[i], p2[i]) else b for i, a, b in zip(ids, g1, g2, strict=True)]
    n = len(ids)
    return {
        "n": n,
        "macro_kappa": cohen_kappa_score(m1, m2),
        "macro_agree": sum(a == b for a, b in zip(m1, m2, strict=True)) / n,
        "goal_kappa": cohen_kappa_score(g1, g2),
        "goal_agree": sum(a == b for a, b in zip(g1, g2, strict=True)) / n,
        "goal_kappa_alt": cohen_kappa_score(g1, g2_len),
        "goal_agree_alt": sum(a == b for a, b in zip(g1, g2_len, strict=True)) / n,
        "outside_1": sum(x == "outside" for x in m1) / n,
        "outside_2": sum(x == "outside" for x in m2) / n,
    }


def main(folder: Path) -> None:
    items = read_jsonl(folder / "items.jsonl")
    p1 = read_jsonl(folder / "labels_pass1.jsonl")
    p2 = read_jsonl(folder / "labels_pass2.jsonl")
    missing = set(items) - set(p1) | set(items) - set(p2)
    if missing:
        sys.exit(f"{folder}: {len(missing)} items lack a label in one pass (e.g. {sorted(missing)[0]}); label every item first")
    ids = list(items)
    groups = {"all": ids} | {lang: [i for i in ids if items[i]["lang"] == lang] for lang in ("fa", "en")}
    print("| subset | n | macro kappa | macro agreement | goal kappa (first label) | goal agreement | goal kappa, alternatives allowed | goal agreement, alternatives allowed | outside pass 1 | outside pass 2 |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name, sub in groups.items():
        f = figures(sub, p1, p2)
        print(f"| {name} | {f['n']} | {f['macro_kappa']:.2f} | {f['macro_agree']:.2f} | {f['goal_kappa']:.2f} | {f['goal_agree']:.2f} "
              f"| {f['goal_kappa_alt']:.2f} | {f['goal_agree_alt']:.2f} | {f['outside_1']:.2f} | {f['outside_2']:.2f} |")
    pairs = Counter(
        (p1[i]["labels"][0], p2[i]["labels"][0]) for i in ids if p1[i]["labels"][0] != p2[i]["labels"][0]
    )
    print("\nMost frequent first-label disagreements (pass 1 -> pass 2):\n")
    for (a, b), k in pairs.most_common(12):
        print(f"- {a} -> {b}: {k}")
    by_source = Counter(items[i]["source"][:3] for i in ids if p1[i]["labels"][0] != p2[i]["labels"][0])
    print("\nDisagreements per source: " + ", ".join(f"{s}: {k}" for s, k in sorted(by_source.items())))


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT)
