"""The team-written training statements of issue 11 (models/taxonomy/training/*.jsonl): shape and coverage."""

from __future__ import annotations

import json
import unicodedata
from collections import Counter
from pathlib import Path

import pytest

from pipeline.taxonomy import load_taxonomy

TRAINING = Path(__file__).resolve().parents[2] / "models" / "taxonomy" / "training"
KEYS = {"id", "text", "lang", "label", "register", "city", "halfspace", "made"}
REGISTERS = {"news", "plan", "interview", "academic", "complaint", "official", "navigation", "biography", "other"}
ZWNJ = "\u200c"


@pytest.fixture(scope="module")
def rows() -> list[dict]:
    out = []
    for path in sorted(TRAINING.glob("*.jsonl")):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            assert line.strip(), f"{path.name}:{n}: empty line"
            out.append({**json.loads(line), "_where": f"{path.name}:{n}"})
    return out


def test_every_row_has_the_documented_fields_and_values(rows) -> None:
    assert rows
    for r in rows:
        where = r.pop("_where")
        assert KEYS <= set(r) <= KEYS | {"note"}, where
        assert r["lang"] in {"fa", "en"} and r["register"] in REGISTERS, where
        assert r["made"].startswith("team-written"), where
        text = r["text"]
        assert text == text.strip() and text, where
        assert not any(unicodedata.category(c) == "Cc" for c in text), where
        if r["lang"] == "en":
            assert r["halfspace"] is None and not any("\u0600" <= c <= "\u06ff" for c in text), where
        else:
            assert r["halfspace"] in {"zwnj", "space", "joined"}, where
            assert (ZWNJ in text) == (r["halfspace"] == "zwnj"), where
            assert "ي" not in text and "ك" not in text, where  # Persian yeh and kaf only


def test_ids_and_texts_are_unique(rows) -> None:
    ids = Counter(r["id"] for r in rows)
    assert not [i for i, c in ids.items() if c > 1]
    texts = Counter(" ".join(r["text"].replace(ZWNJ, " ").split()) for r in rows)
    assert not [t for t, c in texts.items() if c > 1]


def test_every_general_policy_has_varied_statements_and_enough_near_misses(rows) -> None:
    taxonomy = load_taxonomy()
    policies = {n.node_id for n in taxonomy.nodes if n.level == "general_policy"}
    labels = Counter(r["label"] for r in rows)
    assert set(labels) - {"outside"} <= policies
    for gp in sorted(policies):
        mine = [r for r in rows if r["label"] == gp]
        assert len(mine) >= 12, gp
        assert sum(r["lang"] == "en" for r in mine) * 3 >= len(mine), gp  # at least a third English
        assert len({r["register"] for r in mine}) >= 4, gp
    outside = [r for r in rows if r["label"] == "outside"]
    assert len(outside) >= 400
    assert sum(r["lang"] == "en" for r in outside) * 3 >= len(outside)
