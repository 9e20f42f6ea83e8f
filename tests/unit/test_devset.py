"""The real-statement dev set (issue 11): items are exact substrings of the sample documents; labels use taxonomy ids."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from pipeline.taxonomy import load_taxonomy

ROOT = Path(__file__).resolve().parents[2]
DEV = ROOT / "models" / "taxonomy" / "devset"
SAMPLES = ROOT / "corpus" / "samples"
ITEM_KEYS = {"id", "source", "start", "end", "text", "lang"}
LABEL_KEYS = {"id", "labels", "policy", "macro", "alternatives", "coder"}


def _rows(name: str) -> list[dict]:
    path = DEV / name
    rows = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        assert line.strip(), f"{path.name}:{n}: empty line"
        rows.append(json.loads(line))
    return rows


def test_items_are_exact_substrings_of_their_source() -> None:
    items = _rows("items.jsonl")
    assert len(items) >= 150
    texts: dict[str, str] = {}
    for it in items:
        assert set(it) == ITEM_KEYS, it["id"]
        assert re.fullmatch(r"dev-\d{4}", it["id"])
        src = texts.setdefault(it["source"], (SAMPLES / it["source"]).read_text(encoding="utf-8"))
        assert 0 <= it["start"] < it["end"] <= len(src), it["id"]
        assert src[it["start"]:it["end"]] == it["text"], it["id"]
        assert it["text"] == it["text"].strip() and "\x00" not in it["text"], it["id"]
        assert it["lang"] in {"fa", "en"}
    ids = [it["id"] for it in items]
    assert len(set(ids)) == len(ids)
    assert len({it["text"] for it in items}) == len(items), "duplicate statement text"


@pytest.mark.parametrize("name", ["labels_pass1.jsonl", "labels_pass2.jsonl", "adjudicated.jsonl"])
def test_labels_use_taxonomy_ids_and_cover_every_item(name: str) -> None:
    if not (DEV / name).exists():
        pytest.skip(f"{name} not written yet")
    tax = load_taxonomy()
    kinds = {n.node_id: n for n in tax.nodes}
    item_ids = [it["id"] for it in _rows("items.jsonl")]
    rows = _rows(name)
    assert [r["id"] for r in rows] == item_ids, f"{name}: ids must follow items.jsonl one for one"
    for r in rows:
        assert LABEL_KEYS <= set(r), r["id"]
        labels, alts = r["labels"], r["alternatives"]
        if labels == ["outside"]:
            assert r["macro"] == "outside" and r["policy"] is None, r["id"]
        else:
            assert labels and all(kinds[g].level == "goal" for g in labels), r["id"]
            assert r["macro"] == kinds[labels[0]].parent_id, r["id"]
            if r["policy"] is not None:
                assert kinds[r["policy"]].parent_id in labels, r["id"]
        assert all(g == "outside" or kinds[g].level == "goal" for g in alts), r["id"]
        assert not set(alts) & set(labels), r["id"]
