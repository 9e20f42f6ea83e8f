"""The `udiplo` command line: thin shells over pipeline/ and corpus/.

Every command has --help; commands that report results take --json and then
print one JSON document on stdout. Errors are one line on stderr and a
non-zero exit code: 1 for bad usage or a failed command, 3 when a batch
finished but some files failed.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from udiplo import commands
from udiplo.common import (
    EXIT_PARTIAL,
    AllowHostsOpt,
    DbOpt,
    EmbedderOpt,
    JsonOpt,
    echo,
    emit_json,
    fail,
    open_store,
    term,
)

app = typer.Typer(
    name="udiplo",
    help="Bilingual Persian/English analysis of documents on urban (city) diplomacy.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Files or folders (searched recursively).")],
    city: Annotated[str | None, typer.Option(help="City for all files, e.g. Isfahan (overrides sidecars).")] = None,
    kind: Annotated[str | None, typer.Option(help="paper, plan, news or other (overrides sidecars).")] = None,
    max_mb: Annotated[float | None, typer.Option(help="Largest file to accept, in MB (default 50); a DOCX "
                                                 "may expand to 4 times this.")] = None,
    follow_links: Annotated[bool, typer.Option(
        "--follow-links", help="Also follow symbolic links that lead outside the folders given.")] = False,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Extract files into the corpus store. Re-ingesting the same bytes is a no-op; bad files are
    reported and recorded, and the rest of the batch goes on."""
    from corpus.ingest import ingest_paths
    from pipeline.errors import ConfigError
    from pipeline.extract import ExtractConfig

    config = ExtractConfig(max_mb=max_mb) if max_mb is not None else ExtractConfig.from_env()

    def show(status: str, item: dict) -> None:
        if as_json:
            return
        if status == "failed":
            echo(f"error: {term(item['message'])}", err=True)
        elif status == "added":
            echo(f"added    {term(item['path'])}  ({item['segments']} segments, {item['pages']} pages)")
        else:
            echo(f"skipped  {term(item['path'])}  ({term(item['reason'])})")

    with open_store(db) as store:
        try:
            report = ingest_paths(paths, store, city=city, kind=kind, config=config, on_result=show,
                                  follow_links=follow_links)
        except ConfigError as exc:
            raise fail(str(exc)) from None
    if as_json:
        emit_json(report.to_dict())
    else:
        c = report.to_dict()["counts"]
        echo(f"{c['added']} added, {c['skipped']} skipped, {c['failed']} failed")
    if report.failed:
        raise typer.Exit(EXIT_PARTIAL)


@app.command()
def extract(
    file: Annotated[Path, typer.Argument(help="A PDF, HTML, DOCX, text, Markdown or TSV file.")],
    as_json: JsonOpt = False,
    statements: Annotated[bool, typer.Option(help="Also segment into normalised statements.")] = True,
    max_mb: Annotated[float | None, typer.Option(help="Largest file to accept, in MB (default 50).")] = None,
) -> None:
    """Extract one file without storing it: text, pages and segments with page/offsets."""
    from pipeline.errors import ExtractionError
    from pipeline.extract import ExtractConfig
    from pipeline.extract import extract as do_extract
    from udiplo.views import document_view

    config = ExtractConfig(max_mb=max_mb) if max_mb is not None else ExtractConfig.from_env()
    try:
        doc = do_extract(file, config)
    except ExtractionError as exc:
        raise fail(str(exc)) from None
    view = document_view(doc, with_statements=statements)
    if as_json:
        emit_json(view)
        return
    echo(f"# {term(doc.meta.title or file.name)}  [{doc.extractor}, {len(doc.pages)} pages, "
               f"{len(doc.segments)} segments]")
    for w in doc.warnings:
        echo(f"warning: {term(w)}", err=True)
    echo(doc.text)


@app.command()
def news(
    feeds: Annotated[list[str] | None, typer.Argument(help="RSS/Atom feed URLs (http/https).")] = None,
    page: Annotated[list[str] | None, typer.Option(help="An article URL to fetch as well (repeatable).")] = None,
    city: Annotated[str | None, typer.Option(help="City of all fetched articles, e.g. Isfahan.")] = None,
    max_items: Annotated[int, typer.Option(help="Items taken from each feed.")] = 50,
    max_mb: Annotated[float, typer.Option(help="Largest response accepted, in MB.")] = 5.0,
    timeout: Annotated[float, typer.Option(help="Seconds for a whole request (redirects, headers and body).")] = 20.0,
    retries: Annotated[int, typer.Option(help="Retries with exponential backoff on timeouts and 5xx.")] = 3,
    allow_host: AllowHostsOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Fetch news from feeds and pages into the store, skipping known URLs and near-duplicate stories."""
    from corpus.news import ingest_news
    from corpus.sources import FetchError, FetchLimits, check_url
    from pipeline.errors import ConfigError

    if not feeds and not page:
        raise fail("give at least one feed URL or --page URL")
    try:
        for u in [*(feeds or []), *(page or [])]:
            check_url(u)
        limits = FetchLimits(max_bytes=int(max_mb * 1024 * 1024), timeout=timeout,
                             allow_hosts=tuple(allow_host or ()))
    except (FetchError, ConfigError) as exc:
        raise fail(str(exc)) from None
    with open_store(db) as store:
        report = ingest_news(store, feeds or [], page or [], city=city, limits=limits, max_items=max_items,
                             retries=retries)
    if as_json:
        emit_json(report.to_dict())
    else:
        for item in report.failed:
            echo(f"error: {term(item['url'])}: {term(item['reason'])}", err=True)
        for item in report.skipped:
            echo(f"skipped  {term(item['url'])}  ({term(item['reason'])})")
        for item in report.added:
            echo(f"added    {term(item['url'])}  {term(item.get('title') or '')}")
        c = report.to_dict()["counts"]
        echo(f"{report.discovered} discovered: {c['added']} added, {c['skipped']} skipped, {c['failed']} failed")
    if report.failed:
        raise typer.Exit(EXIT_PARTIAL)


@app.command()
def docs(db: DbOpt = None, as_json: JsonOpt = False) -> None:
    """List the documents in the store."""
    from dataclasses import asdict

    with open_store(db) as store:
        rows = store.summaries()
    if as_json:
        emit_json([asdict(r) for r in rows])
        return
    for r in rows:
        echo(f"{r.doc_id[:12]}  {r.city or '-':8} {r.kind or '-':6} {r.date_iso or '-':10} "
                   f"{r.n_segments:5d} seg  {term(r.filename)}")
    echo(f"{len(rows)} documents")


@app.command()
def failures(db: DbOpt = None, as_json: JsonOpt = False) -> None:
    """List files that could not be ingested, with the reason."""
    from dataclasses import asdict

    with open_store(db) as store:
        rows = store.failures()
    if as_json:
        emit_json([asdict(r) for r in rows])
        return
    for r in rows:
        echo(f"{r.error_type:16} {term(r.path)}: {term(r.reason)}")
    echo(f"{len(rows)} failures")


@app.command()
def status(db: DbOpt = None, as_json: JsonOpt = False) -> None:
    """Show the store URL, schema version and row counts."""
    with open_store(db) as store:
        info = {
            "url": store.url,
            "schema_version": store.schema_version(),
            "counts": {t: store.count(t) for t in ("documents", "pages", "segments", "failures", "embeddings")},
        }
    if as_json:
        emit_json(info)
    else:
        echo(f"store   {info['url']} (schema v{info['schema_version']})")
        for k, v in info["counts"].items():
            echo(f"{k:10} {v}")


@app.command()
def run(
    paths: Annotated[list[Path] | None, typer.Argument(help="Inputs (default: the bundled sample corpus).")] = None,
    out: Annotated[Path, typer.Option(help="Folder for the report and exports.")] = Path("outputs"),
    embedder: EmbedderOpt = None,
    stability: Annotated[bool, typer.Option(help="Measure theme stability across 5 seeds.")] = True,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """The main job: ingest the inputs (default: bundled samples), analyse the whole store
    (segment, embed, themes, classify) and write report.html, statements.csv/json and udiplo.qdpx."""
    from corpus import samples_dir
    from corpus.ingest import ingest_paths
    from udiplo.job import run_job

    inputs = paths or [samples_dir()]
    with open_store(db) as store:
        report = ingest_paths(inputs, store, on_result=None)
        for item in report.failed:
            echo(f"error: {term(item['message'])}", err=True)
        result = run_job(store, out, embedder=embedder, stability=stability, progress=not as_json)
    result["ingest"] = report.to_dict()["counts"]
    if as_json:
        emit_json(result)
        return
    c = result["ingest"]
    echo(f"ingest: {c['added']} added, {c['skipped']} skipped, {c['failed']} failed")
    _echo_analysis(result)


def _echo_analysis(result: dict[str, Any]) -> None:
    """The text summary of an analysis (`udiplo run`, `udiplo analyse`)."""
    echo(f"{result['documents']} documents, {result['statements']} statements; "
               f"embeddings computed {result['embed'].get('computed', 0)}, cached {result['embed'].get('cached', 0)}")
    if result.get("themes"):
        th = result["themes"]
        echo(f"themes: {th['themes']} ({'reused' if th['reused'] else 'fitted'}), stability {th['stability']}")
    if result.get("classify"):
        echo(f"classified: {result['classify']['classified']} new, {result['classify']['reused']} reused")
        if result["classify"].get("orphaned_labels"):
            echo(f"warning: {result['classify']['orphaned_labels']} human label(s) no longer match a statement's "
                 f"text (re-segmented); list them with `udiplo label check`", err=True)
    for name, path in result["outputs"].items():
        echo(f"{name:8} {path}")


@app.command()
def analyse(
    out: Annotated[Path, typer.Option(help="Folder for the report and exports.")] = Path("outputs"),
    embedder: EmbedderOpt = None,
    stability: Annotated[bool, typer.Option(help="Measure theme stability across 5 seeds.")] = True,
    flow: Annotated[bool, typer.Option("--flow", help="Run as the Prefect flow analyse_corpus (task caching, "
                                                      "run history in Prefect).")] = False,
    dask: Annotated[bool, typer.Option("--dask", help="Run the flow's tasks on Dask: a local cluster, or the "
                                                      "scheduler at UDIPLO_DASK_ADDRESS. Implies --flow.")] = False,
    workers: Annotated[int, typer.Option(help="Local Dask workers (with --dask).", min=1)] = 2,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Analyse the stored corpus without ingesting (segment, embed, themes, classify), then write the
    report and exports. Every stage skips work whose inputs did not change."""
    from pipeline.errors import UdiploError

    try:
        if flow or dask:
            from flows.analyse import analyse_corpus, with_dask

            f = with_dask(analyse_corpus, n_workers=workers) if dask else analyse_corpus
            result = f(db_url=db, out=str(out), embedder=embedder, stability=stability)
        else:
            from udiplo.job import run_job

            with open_store(db) as store:
                result = run_job(store, out, embedder=embedder, stability=stability, progress=not as_json)
    except UdiploError as exc:
        raise fail(str(exc)) from None
    if as_json:
        emit_json(result)
        return
    _echo_analysis(result)


@app.command()
def report(
    out: Annotated[Path, typer.Option(help="Folder for the report and exports.")] = Path("outputs"),
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Rebuild report.html, statements.csv/json and udiplo.qdpx from the last analysis (no re-analysis;
    fails if the corpus changed since: run `udiplo analyse`)."""
    from corpus.job import report_from_last_run
    from pipeline.errors import UdiploError

    with open_store(db) as store:
        try:
            result = report_from_last_run(store, out)
        except UdiploError as exc:
            raise fail(str(exc)) from None
    if as_json:
        emit_json(result)
        return
    for name, path in result["outputs"].items():
        echo(f"{name:8} {path}")


@app.command()
def serve(
    feed: Annotated[list[str] | None, typer.Option("--feed", help="RSS/Atom feed URL (repeat; or "
                                                                  "UDIPLO_NEWS_FEEDS, space-separated).")] = None,
    page: Annotated[list[str] | None, typer.Option("--page", help="News page URL to fetch each time.")] = None,
    allow_host: AllowHostsOpt = None,
    city: Annotated[str | None, typer.Option(help="City of the news sources.")] = None,
    news_cron: Annotated[str | None, typer.Option(help="Cron of news-hourly (default '5 * * * *').")] = None,
    analysis_cron: Annotated[str | None, typer.Option(help="Cron of analysis-nightly (default '30 2 * * *').")] = None,
    timezone: Annotated[str | None, typer.Option(help="Time zone of the crons (default Asia/Tehran).")] = None,
    out: Annotated[Path, typer.Option(help="Folder for the nightly report.")] = Path("outputs"),
    embedder: EmbedderOpt = None,
    dask: Annotated[bool, typer.Option("--dask", help="Run the nightly analysis on Dask.")] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Print the deployments and exit.")] = False,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Serve the scheduled Prefect deployments (news-hourly, analysis-nightly, report-on-demand) until
    interrupted. Needs a Prefect API (PREFECT_API_URL, or a temporary local server)."""
    from corpus.netguard import AllowList
    from flows.schedule import ServeSettings, deployments
    from flows.schedule import serve as run_serve
    from pipeline.errors import ConfigError

    try:
        AllowList.parse(allow_host or ())  # a bad entry fails now, not at the first hourly run
    except ConfigError as exc:
        raise fail(str(exc)) from None
    settings = ServeSettings.from_env(feeds=tuple(feed or ()), pages=tuple(page or ()), city=city,
                                      allow_hosts=tuple(allow_host or ()),
                                      news_cron=news_cron, analysis_cron=analysis_cron, timezone=timezone,
                                      db_url=db, out=str(out), embedder=embedder, dask=dask or None)
    if dry_run:
        rows = [{"name": d.name, "flow": d.flow_name, "schedules": [sc.schedule.cron for sc in d.schedules],
                 "parameters": d.parameters} for d in deployments(settings)]
        if as_json:
            emit_json(rows)
        else:
            for r in rows:
                echo(f"{r['name']:18} {r['flow']:15} {', '.join(r['schedules']) or '(on demand)'}")
        return
    run_serve(settings)


commands.register_all(app)


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:  # pragma: no cover
        sys.exit(130)


if __name__ == "__main__":  # pragma: no cover
    main()
