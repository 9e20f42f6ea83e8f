"""The installed console script runs the main job end to end in a fresh folder, with the real e5 model;
the report it writes opens in headless Chromium; a second run reuses every stage."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests.integration.test_report_browser import SCREENSHOTS, open_report


def _udiplo() -> str:
    exe = Path(sys.executable).with_name("udiplo")
    return str(exe) if exe.exists() else shutil.which("udiplo")


def test_udiplo_run_on_samples_writes_report_and_reuses_work(tmp_path):
    env = {**os.environ, "UDIPLO_HOME": str(tmp_path)}
    env.pop("UDIPLO_DB_URL", None)
    env.pop("UDIPLO_EMBEDDER", None)
    out = tmp_path / "outputs"
    res = subprocess.run([_udiplo(), "run", "--out", str(out), "--json"], cwd=tmp_path, env=env,
                         capture_output=True, text=True, timeout=1200)
    assert res.returncode == 0, res.stderr
    data = json.loads(res.stdout)
    assert data["ingest"] == {"added": 5, "skipped": 0, "failed": 0}
    assert data["documents"] == 5 and data["statements"] > 400
    assert data["embed"]["computed"] > 400
    assert data["themes"]["themes"] >= 10 and data["themes"]["stability"]["ari_mean"] > 0.68  # measured 0.756-0.886 (see test_themes_e5)
    assert data["classify"]["classified"] == data["statements"]
    assert {Path(p).name for p in data["outputs"].values()} == {"report.html", "statements.csv", "statements.json",
                                                                 "udiplo.qdpx"}
    report = Path(data["outputs"]["report"])
    html = report.read_text(encoding="utf-8")
    assert report.parent == out and (tmp_path / "corpus" / "udiplo.sqlite").exists()
    for section in ('id="overview"', 'id="themes"', 'id="coverage"', 'id="cities"', 'id="time"'):
        assert section in html
    for city in ("Mashhad", "Isfahan", "Tehran"):
        assert city in html

    got = open_report(report, SCREENSHOTS / "report-samples.png")
    assert got["errors"] == [] and got["external"] == [] and got["drawn"] >= 4

    again = subprocess.run([_udiplo(), "run", "--out", str(out), "--json"], cwd=tmp_path, env=env,
                           capture_output=True, text=True, timeout=900)
    assert again.returncode == 0, again.stderr
    second = json.loads(again.stdout)
    assert second["ingest"] == {"added": 0, "skipped": 5, "failed": 0}
    assert second["segment"]["segmented"] == 0 and second["embed"]["computed"] == 0
    assert second["themes"]["reused"] and second["classify"]["classified"] == 0
    assert second["seconds"]["themes"] < data["seconds"]["themes"] / 5
