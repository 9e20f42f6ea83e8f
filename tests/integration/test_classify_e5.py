"""The taxonomy classifier with the real multilingual-e5-small: evaluation floors, `udiplo classify`,
human labels feeding the classifier and agreement."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from udiplo.cli import app

runner = CliRunner()


@pytest.fixture(scope="module")
def evaluation():
    from pipeline.classify.evaluate import evaluate_real
    from pipeline.embed import get_embedder

    return evaluate_real(get_embedder("e5"))


def test_real_statements_beat_the_old_classifier_per_language(evaluation):
    """The dev set of 191 real statements (never trained or tuned on). Measured with this design:
    macro 0.539, goal 0.508, outside recognised 0.685, in-taxonomy abstained 0.253; the previous
    prototype classifier got 0.377 / 0.330 / 0.417 / 0.361. Floors sit between the two, so a return
    to the old behaviour fails while another machine's last-bit differences do not."""
    s = evaluation["devset"]["scores"]
    assert evaluation["devset"]["items"] == s["all"]["n"] == 191 and s["fa"]["n"] + s["en"]["n"] == 191
    assert s["all"]["macro_accuracy"] >= 0.46 and s["all"]["goal_accuracy"] >= 0.42
    assert s["all"]["outside_recall"] >= 0.55 and s["all"]["inside_abstained"] <= 0.33
    assert s["fa"]["goal_accuracy"] >= 0.40  # Persian, the users' language, not carried by English
    assert s["all"]["precision_at_0.8"] >= 0.65 and s["all"]["n_at_0.8"] >= 30
    # the paper's table cells, from a classifier fitted without any of the paper's texts
    t = evaluation["transfer"]["scores"]
    assert evaluation["transfer"]["items"] == t["n"] == 166
    assert t["macro_accuracy"] >= 0.62 and t["goal_accuracy"] >= 0.55 and t["inside_abstained"] <= 0.15


def test_classify_isfahan_roadmap_profiles_goals_with_evidence(tmp_path, monkeypatch, sample_paths):
    monkeypatch.setenv("UDIPLO_HOME", str(tmp_path))
    roadmap = next(p for p in sample_paths if p.name.startswith("001_"))
    res = runner.invoke(app, ["classify", str(roadmap), "--json"])
    assert res.exit_code == 0, res.output
    (doc,) = json.loads(res.stdout)
    prof = doc["profile"]
    assert doc["city"]["city"] == "Isfahan" and prof["statements"] == len(doc["statements"]) > 40
    assert prof["classified"] + prof["abstained"] == prof["statements"] and prof["classified"] > 20
    assert len(prof["goals"]) == 16 and len(prof["macro_problems"]) == 4
    # the roadmap is about citizens, universities, artists and trade with sister cities: the coders of
    # the dev set gave its items G14 (8), G09 (7), G07 (6) and G01 (5) most often
    assert len({"G14", "G09", "G07", "G01"} & set(prof["top_goals"][:5])) >= 2
    assert max(m["share"] for m in prof["macro_problems"]) >= 0.3
    text = roadmap.read_text(encoding="utf-8")
    for g in prof["goals"]:
        for e in g["evidence"]:
            assert text[e["start"]:e["end"]].strip() and e["confidence"] is not None
    s = doc["statements"][0]
    assert set(s["path"]) == {"macro_problem", "goal", "general_policy"} and s["evidence"]
    again = runner.invoke(app, ["classify", str(roadmap), "--json"])
    assert json.loads(again.stdout)[0]["classifier"]["fitted"] is False  # the fitted classifier is reused


def test_human_labels_feed_the_classifier_and_agreement_is_reported(tmp_path, monkeypatch, sample_paths):
    from corpus.analysis import fitted_classifier, segment_corpus
    from corpus.ingest import ingest_paths
    from corpus.store import CorpusStore
    from pipeline.embed import get_embedder
    from pipeline.taxonomy import load_taxonomy

    monkeypatch.setenv("UDIPLO_HOME", str(tmp_path))
    db = f"sqlite:///{tmp_path / 'labels.sqlite'}"
    with CorpusStore.open(db) as store:
        ingest_paths([p for p in sample_paths if p.name.startswith("002_")], store)
        segment_corpus(store)
        sts = [s for s in store.statements() if s.kind == "sentence" and len(s.text) > 60][:12]
    # a coder puts every one of these interview sentences under G11 (autonomy of city diplomacy)
    rows = ["statement_id,node_id,coder"] + [f"{s.statement_id},G11.GP1,maryam" for s in sts]
    (tmp_path / "coding.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    res = runner.invoke(app, ["label", "import", str(tmp_path / "coding.csv"), "--json", "--db", db])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["imported"] == 12
    macro = out["agreement"]["by_coder"]["maryam"]["macro_problem"]
    assert macro["n"] == 12 and 0 <= macro["agreement"] <= 1
    assert set(macro) == {"n", "agreement", "cohen_kappa", "krippendorff_alpha"}
    with CorpusStore.open(db) as store:
        clf, _, _, fitted, n = fitted_classifier(store, get_embedder("e5"), load_taxonomy())
        assert fitted and n == 12
        preds = clf.classify([s.text for s in sts])
    assert sum(p.goal_id == "G11" for p in preds) >= 10  # the labels are learnt
