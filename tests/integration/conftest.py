"""Fixtures for integration tests: real servers started on loopback/unix sockets, torn down after."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest


def pytest_collection_modifyitems(items):
    for item in items:
        item.add_marker(pytest.mark.integration)


def _pg_bin() -> Path | None:
    base = Path("/usr/lib/postgresql")
    if not base.exists():
        return None
    versions = sorted((p for p in base.iterdir() if (p / "bin" / "initdb").exists()), key=lambda p: p.name)
    return versions[-1] / "bin" if versions else None


@pytest.fixture(scope="session")
def postgres_url():
    """A throwaway PostgreSQL cluster (Debian's postgresql package) on a unix socket."""
    url = os.environ.get("UDIPLO_TEST_PG_URL")
    if url:
        yield url
        return
    pg = _pg_bin()
    if pg is None:
        pytest.fail("PostgreSQL is not installed: run `apt-get install postgresql` (scripts/setup.sh --system does)")
    tmp = Path(tempfile.mkdtemp(prefix="udiplo-pg-"))
    data, sock = tmp / "data", tmp / "sock"
    sock.mkdir()
    run_as = []
    if os.geteuid() == 0:  # PostgreSQL refuses to run as root
        shutil.chown(tmp, "postgres")
        shutil.chown(sock, "postgres")
        run_as = ["runuser", "-u", "postgres", "--"]
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    subprocess.run([*run_as, str(pg / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust"],
                   check=True, capture_output=True)
    subprocess.run([*run_as, str(pg / "pg_ctl"), "-D", str(data), "-w", "-l", str(tmp / "log"), "start",
                    "-o", f"-k {sock} -p {port} -c listen_addresses=''"], check=True, capture_output=True)
    try:
        for _ in range(50):
            if subprocess.run([str(pg / "pg_isready"), "-h", str(sock), "-p", str(port)],
                              capture_output=True).returncode == 0:
                break
            time.sleep(0.1)
        subprocess.run([str(pg / "createdb"), "-h", str(sock), "-p", str(port), "-U", "postgres", "udiplo"],
                       check=True, capture_output=True)
        yield f"postgresql+psycopg://postgres@/udiplo?host={sock}&port={port}"
    finally:
        subprocess.run([*run_as, str(pg / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
                       capture_output=True)
        shutil.rmtree(tmp, ignore_errors=True)


@pytest.fixture(scope="session")
def prefect_harness(tmp_path_factory):
    """A temporary Prefect server and result storage for the whole session."""
    from prefect.testing.utilities import prefect_test_harness

    os.environ["PREFECT_LOCAL_STORAGE_PATH"] = str(tmp_path_factory.mktemp("prefect-results"))
    with prefect_test_harness(server_startup_timeout=120):
        yield


def flow_task_states(flow_run_id) -> list[str]:
    """Sorted state names of the task runs of a flow run (subflows not included)."""
    import asyncio

    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId
    from prefect.client.schemas.sorting import TaskRunSort

    async def read():
        async with get_client() as client:
            runs = await client.read_task_runs(flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[flow_run_id])),
                                               sort=TaskRunSort.EXPECTED_START_TIME_ASC, limit=200)
            return sorted(r.state.name for r in runs)

    return asyncio.run(read())
