"""The taxonomy classifier (hashing embedder: no model), its persistence, human labels and agreement."""

from __future__ import annotations

import json

import numpy as np
import pytest

from pipeline.classify import OUTSIDE, TaxonomyClassifier
from pipeline.classify.agreement import MachineCoding, agreement_report
from pipeline.classify.labels import HumanLabel, LabelFileError, read_labels
from pipeline.classify.profile import document_profile
from pipeline.embed import get_embedder
from pipeline.errors import ConfigError, ModelUnavailableError
from pipeline.taxonomy import load_taxonomy

TEXTS = [
    "توسعه گردشگری سلامت و جذب زائران از کشورهای همسایه",
    "Neutralise economic sanctions and win the confidence of foreign investors",
    "امروز هوا آفتابی است و بچه‌ها در پارک فوتبال بازی می‌کنند و مادرشان برایشان ناهار آورده است.",
]


@pytest.fixture(scope="module")
def tax():
    return load_taxonomy()


@pytest.fixture(scope="module")
def clf(tax):
    return TaxonomyClassifier(embedder=get_embedder("hashing"), taxonomy=tax).fit()


def test_paths_are_valid_chains_and_confidences_nest(clf, tax):
    for p in clf.classify(TEXTS):
        macro, goal, gp = p.path
        assert tax.node(goal).parent_id == macro and tax.node(gp).parent_id == goal
        c = p.confidence
        assert 0 <= c["general_policy"] <= c["goal"] <= c["macro_problem"] <= 1
        assert abs(sum(p.distribution.values()) - 1.0) < 0.01
        assert p.evidence and all(e.node_id in tax for e in p.evidence)
    proba = clf.predict_proba(TEXTS)
    assert proba.shape == (3, 17) and np.allclose(proba.sum(1), 1.0, atol=1e-6)


def test_sanctions_statement_maps_to_the_sanctions_goal_and_chatter_abstains(clf):
    sanctions, chatter = clf.classify(TEXTS[1:])
    assert sanctions.path[:2] == ("P4", "G16") and not sanctions.abstained
    assert chatter.abstained and chatter.in_domain < 0.5 and "outside the taxonomy" in chatter.reason
    assert list(clf.predict(TEXTS[1:])) == ["G16", OUTSIDE]


def test_labelled_examples_teach_the_classifier(tax):
    phrase = "راه‌اندازی دفتر نمایندگی شهرداری در پایتخت‌های آسیای میانه"
    before = TaxonomyClassifier(embedder=get_embedder("hashing"), taxonomy=tax).fit()
    after = TaxonomyClassifier(embedder=get_embedder("hashing"), taxonomy=tax).fit(
        [phrase, phrase + " و قفقاز"], ["G13.GP1", "G13.GP1"])
    query = "راه‌اندازی دفتر نمایندگی شهرداری در پایتخت‌های آسیای میانه و خاورمیانه"
    assert before.classify([query])[0].goal_id != "G13"
    got = after.classify([query])[0]
    assert got.path == ("P2", "G13", "G13.GP1") and got.confidence["goal"] > 0.5


def test_saved_classifier_reloads_with_identical_probabilities(clf, tax, tmp_path):
    from pipeline.classify.persist import load_classifier

    clf.save(tmp_path / "c")
    assert sorted(p.name for p in (tmp_path / "c").iterdir()) == ["arrays.npz", "model.json"]
    back = load_classifier(tmp_path / "c", embedder=get_embedder("hashing"), taxonomy=tax)
    assert np.array_equal(back.predict_proba(TEXTS), clf.predict_proba(TEXTS))
    assert [p.to_dict() for p in back.classify(TEXTS)] == [p.to_dict() for p in clf.classify(TEXTS)]


def test_loading_refuses_another_embedder_or_taxonomy(clf, tax, tmp_path):
    from dataclasses import replace

    from pipeline.classify.persist import load_classifier

    clf.save(tmp_path / "c")
    with pytest.raises(ConfigError, match="fitted with embedder udiplo/hashing-char-ngrams@v1-d256"):
        load_classifier(tmp_path / "c", embedder=get_embedder("hashing:64"), taxonomy=tax)
    other = replace(tax, nodes=tax.nodes[:-1])
    with pytest.raises(ConfigError, match="other content"):
        load_classifier(tmp_path / "c", embedder=get_embedder("hashing"), taxonomy=other)
    with pytest.raises(ModelUnavailableError, match="model.json missing"):
        load_classifier(tmp_path / "nothing", embedder=get_embedder("hashing"))


def test_bad_parameters_say_what_is_expected():
    with pytest.raises(ConfigError, match="needs an embedder"):
        TaxonomyClassifier().fit()
    with pytest.raises(ConfigError, match="abstain_threshold parameter must be in"):
        TaxonomyClassifier(use_embed=False, abstain_threshold=2).fit()
    with pytest.raises(TypeError, match="not one string"):
        TaxonomyClassifier(use_embed=False).fit().classify("one text")


# -- human labels -------------------------------------------------------------------------------
def _write(tmp_path, text: str, name: str = "labels.csv"):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_label_file_is_read_with_bom_tsv_and_skips_uncoded_rows(tmp_path, tax):
    ids = [n.node_id for n in tax]
    p = tmp_path / "l.tsv"
    p.write_bytes("\ufeffStatement_ID\tnode\tcoder\na:s1\tG09.GP2\tmaryam\na:s2\t\tmaryam\na:s3\toutside\treza\n"
                  .encode("utf-8"))
    got = read_labels(p, node_ids=ids, statement_ids=["a:s1", "a:s2", "a:s3"])
    assert got == [HumanLabel("a:s1", "G09.GP2", "maryam", "l.tsv:2"), HumanLabel("a:s3", "outside", "reza", "l.tsv:4")]


def test_label_file_errors_name_the_file_and_every_bad_line(tmp_path, tax):
    ids = [n.node_id for n in tax]
    with pytest.raises(LabelFileError, match=r"labels.csv: line 1 must name the columns statement_id and node_id"):
        read_labels(_write(tmp_path, "id,label\n"), node_ids=ids)
    with pytest.raises(LabelFileError, match="no coder column; add one or pass --coder"):
        read_labels(_write(tmp_path, "statement_id,node_id\na:s1,G01\n"), node_ids=ids)
    bad = _write(tmp_path, "statement_id,node_id,coder\na:s1,G99,x\nb:s7,G01,x\na:s1,G01,x\n")
    with pytest.raises(LabelFileError) as err:
        read_labels(bad, node_ids=ids, statement_ids=["a:s1"])
    msg = str(err.value)
    assert msg.startswith(f"{bad}: 2 bad line(s), nothing imported")
    assert "line 2: node 'G99' is not in the taxonomy" in msg and "line 3: statement 'b:s7' is not in the store" in msg
    with pytest.raises(LabelFileError, match="empty"):
        read_labels(_write(tmp_path, ""), node_ids=ids)


def test_agreement_kappa_and_alpha_per_level(tax):
    from sklearn.metrics import cohen_kappa_score

    # human codes at policy depth; the machine agrees on macro-problem for all four, on goal for three
    human = ["G16.GP1", "G16.GP2", "G01.GP1", "G03.GP1"]
    machine = [MachineCoding("P4", "G16", "G16.GP1", False), MachineCoding("P4", "G16", "G16.GP1", False),
               MachineCoding("P1", "G01", "G01.GP1", False), MachineCoding("P1", "G01", "G01.GP2", False)]
    labels = [HumanLabel(f"s{i}", h, "maryam") for i, h in enumerate(human)]
    rep = agreement_report(labels, {f"s{i}": m for i, m in enumerate(machine)}, tax)
    macro, goal, gp = (rep["by_coder"]["maryam"][k] for k in ("macro_problem", "goal", "general_policy"))
    assert macro["n"] == 4 and macro["agreement"] == 1.0 and macro["cohen_kappa"] == 1.0
    assert macro["krippendorff_alpha"] == 1.0
    assert goal["agreement"] == 0.75
    assert goal["cohen_kappa"] == round(cohen_kappa_score(["G16", "G16", "G01", "G03"], ["G16", "G16", "G01", "G01"]), 4)
    assert 0 < goal["krippendorff_alpha"] < 1
    assert gp["agreement"] == 0.5
    assert rep["between_coders"] is None and rep["unmatched"] == 0


def test_agreement_counts_abstention_as_outside_and_compares_coders(tax):
    labels = [HumanLabel("s0", "outside", "a"), HumanLabel("s1", "P2", "a"), HumanLabel("s0", "outside", "b"),
              HumanLabel("s1", "P3", "b"), HumanLabel("s9", "P1", "a")]
    machine = {"s0": MachineCoding("P1", "G01", None, True), "s1": MachineCoding("P2", "G11", None, False)}
    rep = agreement_report(labels, machine, tax)
    assert rep["by_coder"]["a"]["macro_problem"]["agreement"] == 1.0
    assert rep["by_coder"]["a"]["goal"]["n"] == 1  # 'P2' says nothing about the goal; 'outside' does
    assert rep["by_coder"]["b"]["macro_problem"]["agreement"] == 0.5
    assert rep["unmatched"] == 1 and rep["between_coders"]["macro_problem"] is not None


def test_document_profile_counts_shares_and_evidence(clf, tax):
    preds = clf.classify(TEXTS)
    prov = [{"statement_id": f"d:s{i}", "page": 1, "start": i * 10, "end": i * 10 + 9} for i in range(3)]
    prof = document_profile(preds, tax, provenance=prov)
    assert prof["statements"] == 3 and prof["classified"] == 2 and prof["abstained"] == 1
    assert [g["node_id"] for g in prof["goals"]] == [f"G{i:02d}" for i in range(1, 17)]
    g16 = next(g for g in prof["goals"] if g["node_id"] == "G16")
    assert g16["count"] >= 1 and g16["evidence"][0]["statement_id"] in {"d:s0", "d:s1"}
    assert abs(sum(m["share"] for m in prof["macro_problems"]) - 1.0) < 1e-6
    assert abs(sum(m["mass"] for m in prof["macro_problems"]) - sum(p.in_domain for p in preds) / 3) < 0.01
    assert prof["top_goals"][0] in {g["node_id"] for g in prof["goals"] if g["count"]}


def test_label_import_and_sheet_commands(tmp_path, sample_paths, monkeypatch):
    from typer.testing import CliRunner

    from corpus.analysis import segment_corpus
    from corpus.ingest import ingest_paths
    from corpus.store import CorpusStore
    from udiplo.cli import app

    db = f"sqlite:///{tmp_path / 'l.sqlite'}"
    with CorpusStore.open(db) as store:
        ingest_paths(sample_paths[3:4], store)
        segment_corpus(store)
        sid = store.statements()[1].statement_id
    runner = CliRunner()
    sheet = tmp_path / "sheet.csv"
    assert runner.invoke(app, ["label", "sheet", str(sheet), "--coder", "maryam", "--db", db]).exit_code == 0
    lines = sheet.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].startswith("statement_id,node_id,coder") and f"{sid},,maryam" in lines[2]
    coded = lines[0] + "\n" + lines[2].replace(f"{sid},,maryam", f"{sid},G09.GP1,maryam", 1) + "\n"
    (tmp_path / "coded.csv").write_text(coded, encoding="utf-8")
    res = runner.invoke(app, ["label", "import", str(tmp_path / "coded.csv"), "--no-agreement", "--json", "--db", db])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["imported"] == 1
    with CorpusStore.open(db) as store:
        assert [(x["statement_id"], x["node_id"], x["coder"]) for x in store.labels()] == [(sid, "G09.GP1", "maryam")]
    bad = runner.invoke(app, ["label", "import", str(_write(tmp_path, "statement_id,node_id,coder\nzz:s1,G01,x\n")),
                              "--db", db])
    assert bad.exit_code == 1 and "statement 'zz:s1' is not in the store" in bad.stderr


def test_classify_command_goes_on_after_a_bad_file(tmp_path, sample_paths, monkeypatch):
    from typer.testing import CliRunner

    from udiplo.cli import app

    monkeypatch.setenv("UDIPLO_HOME", str(tmp_path))
    (tmp_path / "empty.txt").write_bytes(b"")
    news = sample_paths[3]
    res = CliRunner().invoke(app, ["classify", str(tmp_path / "empty.txt"), str(news), "--embedder", "hashing",
                                   "--json", "--db", f"sqlite:///{tmp_path / 'c.sqlite'}"])
    assert res.exit_code == 3  # partial: one file failed, the other was classified
    assert res.stderr.strip() == f"error: {tmp_path / 'empty.txt'}: empty file (0 bytes of content)"
    (doc,) = json.loads(res.stdout)
    assert doc["file"] == str(news) and doc["profile"]["statements"] == len(doc["statements"]) > 5
    assert all(s["path"]["goal"].startswith("G") for s in doc["statements"])


# -- training statements and the real-statement evaluation ----------------------------------------
def test_training_statements_load_and_bad_lines_name_file_and_line(tmp_path, tax):
    from pipeline.classify.training import load_training, training_fingerprint

    got = load_training(node_ids={n.node_id for n in tax})
    assert len(got) >= 1500 and sum(t.outside for t in got) >= 400
    assert {t.lang for t in got} == {"fa", "en"} and sum(t.lang == "en" for t in got) / len(got) > 0.3
    good = '{"id": "a-1", "text": "x", "lang": "en", "label": "G01.GP1", "made": "team"}\n'
    (tmp_path / "a.jsonl").write_text(good + '{"id": "a-2", "text": "y", "lang": "en", "label": "G99", '
                                      '"made": "team"}\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"a.jsonl: line 2 is labelled 'G99', which is not a node"):
        load_training(tmp_path, node_ids={n.node_id for n in tax})
    (tmp_path / "a.jsonl").write_text(good + good, encoding="utf-8")
    with pytest.raises(ConfigError, match=r"a.jsonl: line 2 repeats the id 'a-1' of a.jsonl:1"):
        load_training(tmp_path)
    (tmp_path / "a.jsonl").write_text('{"id": "a-1", "text": "x"}\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"line 1 lacks the field\(s\) lang, label, made"):
        load_training(tmp_path)
    before = training_fingerprint(tmp_path)
    (tmp_path / "a.jsonl").write_text(good, encoding="utf-8")
    assert training_fingerprint(tmp_path) != before  # edited data -> another classifier key


def test_real_scores_count_abstentions_as_outside_per_language():
    from pipeline.classify.evaluate import DevItem, score_real
    from pipeline.classify.result import Prediction

    items = [DevItem("d1", "s", "t", "fa", ("G09",), "P3"), DevItem("d2", "s", "t", "fa", ("outside",), "outside"),
             DevItem("d3", "s", "t", "en", ("G16",), "P4", ("G09",)), DevItem("d4", "s", "t", "en", ("G01",), "P1")]
    preds = [Prediction("t", "P3", "G09", None, {"goal": 0.9}, 0.95, False),
             Prediction("t", "P1", "G01", None, {"goal": 0.5}, 0.1, True),  # rightly outside, conf 0.9
             Prediction("t", "P3", "G09", None, {"goal": 0.6}, 0.9, False),  # an acceptable alternative
             Prediction("t", "P1", "G01", None, {"goal": 0.9}, 0.3, True)]  # wrongly abstained
    s = score_real(preds, items)
    assert s["all"]["macro_accuracy"] == 0.5 and s["all"]["goal_accuracy"] == 0.5
    assert s["all"]["goal_accuracy_alternatives"] == 0.75
    assert s["all"]["outside_recall"] == 1.0 and s["all"]["inside_abstained"] == pytest.approx(1 / 3)
    assert s["all"]["n_at_0.8"] == 2 and s["all"]["precision_at_0.8"] == 1.0  # 0.9*0.95 and 1-0.1
    assert s["fa"]["goal_accuracy"] == 1.0 and s["en"]["goal_accuracy"] == 0.0
    assert s["all"]["language_gap"] == 1.0
