"""`udiplo serve` registers its scheduled deployments with a real Prefect server and leaves them active."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time

import pytest


async def _deployments():
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.sorting import DeploymentSort

    async with get_client() as client:
        return {d.name: d for d in await client.read_deployments(limit=50, sort=DeploymentSort.NAME_ASC)}


def test_serve_declares_cron_deployments_and_keeps_them_on_shutdown(prefect_harness, tmp_path):
    from prefect.settings import PREFECT_API_URL

    env = {**os.environ, "PREFECT_API_URL": PREFECT_API_URL.value(), "UDIPLO_HOME": str(tmp_path),
           "UDIPLO_NEWS_FEEDS": "http://127.0.0.1:9/feed.xml"}
    # output to a file, not a pipe nobody reads: a full pipe would block the server's shutdown
    log = open(tmp_path / "serve.log", "w+", encoding="utf-8")  # noqa: SIM115 - closed below
    proc = subprocess.Popen([sys.executable, "-m", "udiplo", "serve", "--analysis-cron", "15 3 * * *",
                             "--db", f"sqlite:///{tmp_path / 'serve.sqlite'}"],
                            env=env, stdout=log, stderr=subprocess.STDOUT, text=True,
                            # a job started in the background by a non-interactive shell (CI, nohup ... &)
                            # inherits SIGINT ignored, and Python then keeps ignoring it: restore Ctrl-C
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        deadline = time.monotonic() + 240  # generous: the machine may be loaded by other work
        found = {}
        while time.monotonic() < deadline and proc.poll() is None:
            found = asyncio.run(_deployments())
            if {"news-hourly", "analysis-nightly", "report-on-demand"} <= set(found):
                break
            time.sleep(1)
        assert proc.poll() is None, (tmp_path / "serve.log").read_text(encoding="utf-8")
        assert {"news-hourly", "analysis-nightly", "report-on-demand"} <= set(found)
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=180)
        except subprocess.TimeoutExpired:
            proc.kill()
            pytest.fail("udiplo serve did not stop on SIGINT within 180 s; its output ends: "
                        + (tmp_path / "serve.log").read_text(encoding="utf-8")[-2000:])
        finally:
            log.close()
    after = asyncio.run(_deployments())
    crons = {name: [s.schedule.cron for s in d.schedules] for name, d in after.items()}
    assert crons["news-hourly"] == ["5 * * * *"] and crons["analysis-nightly"] == ["15 3 * * *"]
    assert crons["report-on-demand"] == []
    assert after["news-hourly"].parameters["feeds"] == ["http://127.0.0.1:9/feed.xml"]
    # pause_on_shutdown=False: the schedules stay active after the server process stopped
    assert not after["analysis-nightly"].paused and all(s.active for s in after["analysis-nightly"].schedules)
