"""Out-of-domain reference texts for the in-domain detector of the taxonomy classifier.

The bundled file ``models/classify/ood_sentences.tsv`` holds 200 generic Persian sentences
(UD Persian PerDT and Seraji dev splits, CC BY-SA 4.0, sentences mentioning city, diplomacy,
policy, culture, economy, tourism, cooperation, development, management, government, investment
or trade left out), 20 lines of news-site boilerplate (comment boxes, footers) and 40 generic
English sentences. With the team-written near-misses of ``models/taxonomy/training`` and human
``outside`` labels they are the detector's examples of text outside the taxonomy.
"""

from __future__ import annotations

import csv
from pathlib import Path

OOD_PATH = Path(__file__).resolve().parents[2] / "models" / "classify" / "ood_sentences.tsv"


def load_ood_texts(path: str | Path | None = None) -> list[str]:
    """Texts of the out-of-domain file (TSV with columns lang, source, text)."""
    p = Path(path) if path is not None else OOD_PATH
    if not p.exists():
        raise FileNotFoundError(f"Out-of-domain sentences not found at {p}; pass ood=None to the classifier "
                                f"to abstain on the similarity floor alone, or restore {OOD_PATH}.")
    with open(p, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))
    if not rows or "text" not in rows[0]:
        raise ValueError(f"{p} must be a TSV file with a header line 'lang<TAB>source<TAB>text'.")
    return [r["text"] for r in rows if r.get("text")]
