"""The analysis flow under a real (temporary) Prefect server: caching on re-run, Dask gives the same result."""

from __future__ import annotations

import json

import pytest

from tests.integration.conftest import flow_task_states


@pytest.fixture()
def ingested(tmp_path, sample_paths):
    from corpus.ingest import ingest_paths
    from corpus.store import CorpusStore

    def make(name: str) -> str:
        url = f"sqlite:///{tmp_path / (name + '.sqlite')}"
        with CorpusStore.open(url) as store:
            assert ingest_paths(sample_paths, store).to_dict()["counts"]["added"] == 5
        return url

    return make


def _by_statement(out) -> dict:
    rows = json.loads((out / "statements.json").read_text(encoding="utf-8"))
    rows = rows["statements"] if isinstance(rows, dict) else rows
    return {r["statement_id"]: (r.get("theme_id"), r.get("goal_id"), r.get("abstained")) for r in rows}


def test_analyse_flow_second_run_is_served_from_cache(prefect_harness, ingested, tmp_path, monkeypatch):
    from flows.analyse import analyse_corpus

    monkeypatch.setenv("UDIPLO_HOME", str(tmp_path / "home"))
    db, out = ingested("flow"), tmp_path / "out"
    first = analyse_corpus(db_url=db, out=str(out), embedder="hashing", stability=False, return_state=True)
    r1 = first.result()
    assert r1["documents"] == 5 and r1["statements"] > 400
    assert r1["segment"]["segmented"] == 5 and r1["embed"]["computed"] > 0
    assert r1["themes"]["themes"] >= 3 and r1["classify"]["classified"] == r1["statements"]
    for name in ("report", "csv", "json", "qdpx"):
        assert name in r1["outputs"] or any(name in v for v in r1["outputs"].values())
    states = flow_task_states(first.state_details.flow_run_id)
    # segment and embed per document; themes; classify; the build_report subflow's run in the parent
    assert states == ["Completed"] * len(states) and len(states) == 5 + 5 + 2 + 1

    written = (out / "report.html").stat().st_mtime_ns
    second = analyse_corpus(db_url=db, out=str(out), embedder="hashing", stability=False, return_state=True)
    r2 = second.result()
    # every task from the cache; the subflow runs, and its report task is cached (the file is not rewritten)
    assert flow_task_states(second.state_details.flow_run_id) == ["Cached"] * (len(states) - 1) + ["Completed"]
    assert (out / "report.html").stat().st_mtime_ns == written
    assert r2["outputs"] == r1["outputs"] and r2["themes"] == r1["themes"]

    from corpus.store import CorpusStore

    with CorpusStore.open(db) as store:
        last = store.last_run()
    assert last["n_statements"] == r1["statements"] and last["themes_dir"] == r1["themes"]["model_dir"]

    # the report flow on its own rebuilds from the last analysis
    from flows.report import build_report

    (out / "report.html").unlink()
    again = build_report(db_url=db, out=str(out))
    assert (out / "report.html").stat().st_size > 10_000 and again["report"] == r1["outputs"]["report"]


def test_dask_runner_gives_the_same_result_as_the_default(prefect_harness, ingested, tmp_path, monkeypatch):
    from flows.analyse import analyse_corpus, with_dask

    monkeypatch.delenv("UDIPLO_DASK_ADDRESS", raising=False)
    results = {}
    for runner in ("default", "dask"):
        monkeypatch.setenv("UDIPLO_HOME", str(tmp_path / runner))  # no shared theme/classifier cache
        flow = with_dask(analyse_corpus, n_workers=2) if runner == "dask" else analyse_corpus
        out = tmp_path / f"out-{runner}"
        r = flow(db_url=ingested(runner), out=str(out), embedder="hashing", stability=False)
        results[runner] = (r, _by_statement(out))
    (rd, sd), (rk, sk) = results["default"], results["dask"]
    assert rk["statements"] == rd["statements"] and rk["themes"]["themes"] == rd["themes"]["themes"]
    assert len(sd) == rd["statements"] and sk == sd
