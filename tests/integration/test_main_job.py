"""The installed console script runs the main job end to end in a fresh folder."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path


def _udiplo() -> str:
    exe = Path(sys.executable).with_name("udiplo")
    return str(exe) if exe.exists() else shutil.which("udiplo")


def test_udiplo_run_on_samples_writes_report(tmp_path):
    env = {**os.environ, "UDIPLO_HOME": str(tmp_path)}
    env.pop("UDIPLO_DB_URL", None)
    out = tmp_path / "outputs"
    res = subprocess.run([_udiplo(), "run", "--out", str(out), "--json"], cwd=tmp_path, env=env,
                         capture_output=True, text=True, timeout=900)
    assert res.returncode == 0, res.stderr
    data = json.loads(res.stdout)
    assert data["ingest"] == {"added": 5, "skipped": 0, "failed": 0}
    report = Path(data["outputs"]["report"])
    html = report.read_text(encoding="utf-8")
    assert report.parent == out and "<html" in html
    assert (tmp_path / "corpus" / "udiplo.sqlite").exists()
    again = subprocess.run([_udiplo(), "run", "--out", str(out), "--json"], cwd=tmp_path, env=env,
                           capture_output=True, text=True, timeout=900)
    assert json.loads(again.stdout)["ingest"] == {"added": 0, "skipped": 5, "failed": 0}
