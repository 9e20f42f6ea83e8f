"""Named deployments with cron schedules, served by `udiplo serve` (a long-running process).

    news-hourly        ingest_news   every hour at :05 (feeds and pages from the settings)
    analysis-nightly   analyse_corpus at 02:30 every night, then build_report
    report-on-demand   build_report  no schedule; run it from the Prefect UI/CLI

Schedules and feeds are settings (``ServeSettings``) so users change them without code.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field


@dataclass(frozen=True)
class ServeSettings:
    feeds: tuple[str, ...] = ()
    pages: tuple[str, ...] = ()
    allow_hosts: tuple[str, ...] = ()
    city: str | None = None
    db_url: str | None = None
    out: str = "outputs"
    embedder: str | None = None
    news_cron: str = "5 * * * *"
    analysis_cron: str = "30 2 * * *"
    timezone: str = "Asia/Tehran"
    dask: bool = False
    tags: tuple[str, ...] = field(default=("udiplo",))

    @classmethod
    def from_env(cls, **overrides) -> ServeSettings:
        """Settings from ``UDIPLO_NEWS_FEEDS`` (space-separated URLs), ``UDIPLO_NEWS_CRON``,
        ``UDIPLO_ANALYSIS_CRON``, ``UDIPLO_TIMEZONE``, ``UDIPLO_DB_URL``, then ``overrides``."""
        env = os.environ
        base = {
            "feeds": tuple(env.get("UDIPLO_NEWS_FEEDS", "").split()),
            "news_cron": env.get("UDIPLO_NEWS_CRON", cls.news_cron),
            "analysis_cron": env.get("UDIPLO_ANALYSIS_CRON", cls.analysis_cron),
            "timezone": env.get("UDIPLO_TIMEZONE", cls.timezone),
            "db_url": env.get("UDIPLO_DB_URL") or None,
        }
        base.update({k: v for k, v in overrides.items() if v not in (None, ())})
        return cls(**base)


def deployments(settings: ServeSettings) -> list:
    """The RunnerDeployments `udiplo serve` runs. News is left out when no feed or page is configured."""
    from prefect.schedules import Cron

    from flows.analyse import analyse_corpus, with_dask
    from flows.ingest import ingest_news
    from flows.report import build_report

    out = []
    if settings.feeds or settings.pages:
        out.append(ingest_news.to_deployment(
            name="news-hourly", schedule=Cron(settings.news_cron, timezone=settings.timezone),
            parameters={"feeds": list(settings.feeds), "pages": list(settings.pages), "db_url": settings.db_url,
                        "city": settings.city, "allow_hosts": list(settings.allow_hosts)},
            description="Fetch the configured news feeds and pages; skip known and near-duplicate stories.",
            tags=list(settings.tags)))
    analyse = with_dask(analyse_corpus) if settings.dask else analyse_corpus
    out.append(analyse.to_deployment(
        name="analysis-nightly", schedule=Cron(settings.analysis_cron, timezone=settings.timezone),
        parameters={"db_url": settings.db_url, "out": settings.out, "embedder": settings.embedder},
        description="Segment, embed, find themes, classify onto the taxonomy, rebuild the report.",
        tags=list(settings.tags)))
    out.append(build_report.to_deployment(
        name="report-on-demand", parameters={"db_url": settings.db_url, "out": settings.out},
        description="Rebuild the report and exports from the last analysis.", tags=list(settings.tags)))
    return out


def serve(settings: ServeSettings, *, limit: int | None = None) -> None:
    """Serve the deployments until interrupted; schedules are not paused on shutdown."""
    from prefect import serve as prefect_serve

    prefect_serve(*deployments(settings), pause_on_shutdown=False, limit=limit)
