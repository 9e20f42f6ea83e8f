"""Ingestion flows under a real (temporary) Prefect server."""

import shutil

from tests.unit.test_news import BODY, OTHER, page, rss


def test_ingest_folder_twice_second_run_is_all_cached(prefect_harness, tmp_path, sample_paths):
    from flows.ingest import ingest_folder

    folder = tmp_path / "inbox"
    folder.mkdir()
    for p in sample_paths[1:3]:
        shutil.copy(p, folder / p.name)
        shutil.copy(p.with_name(p.name + ".meta.yaml"), folder / (p.name + ".meta.yaml"))
    (folder / "empty.txt").write_bytes(b"")
    db = f"sqlite:///{tmp_path / 'flow.sqlite'}"
    first = ingest_folder(str(folder), db_url=db, return_state=True)
    out = first.result()
    assert out["counts"] == {"added": 2, "skipped": 0, "failed": 1}
    second = ingest_folder(str(folder), db_url=db, return_state=True)
    assert second.result()["counts"] == out["counts"]  # cached results, not a re-ingest

    from prefect.client.orchestration import get_client

    async def task_states(flow_run_id):
        from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId
        from prefect.client.schemas.sorting import TaskRunSort

        async with get_client() as client:
            runs = await client.read_task_runs(flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[flow_run_id])),
                                               sort=TaskRunSort.EXPECTED_START_TIME_ASC, limit=100)
            return sorted(r.state.name for r in runs)

    import asyncio

    assert asyncio.run(task_states(first.state_details.flow_run_id)) == ["Completed"] * 3
    assert asyncio.run(task_states(second.state_details.flow_run_id)) == ["Cached"] * 3


def test_ingest_news_flow_on_loopback_feed(prefect_harness, httpserver, tmp_path):
    from flows.ingest import ingest_news

    base = httpserver.url_for("")[:-1]
    httpserver.expect_request("/feed.xml").respond_with_data(rss(base, ["/a", "/a2", "/b", "/gone"]),
                                                              content_type="application/rss+xml")
    httpserver.expect_request("/a").respond_with_data(page("شهروند دیپلمات", BODY), content_type="text/html")
    httpserver.expect_request("/a2").respond_with_data(page("بازنشر", BODY, "منبع"), content_type="text/html")
    httpserver.expect_request("/b").respond_with_data(page("تهران", OTHER), content_type="text/html")
    httpserver.expect_request("/gone").respond_with_data("", status=404)
    db = f"sqlite:///{tmp_path / 'news.sqlite'}"
    out = ingest_news([f"{base}/feed.xml"], db_url=db, city="Isfahan", allow_hosts=["localhost"])
    assert out["discovered"] == 4
    assert out["counts"] == {"added": 2, "skipped": 1, "failed": 1}
    again = ingest_news([f"{base}/feed.xml"], db_url=db, allow_hosts=["localhost"])
    assert again["counts"] == {"added": 0, "skipped": 3, "failed": 1}
