"""Cache keys for Prefect tasks: content hashes plus the pipeline/model version, never task source.

Prefect's default key includes the task's source lines and the run id, so
editing a wrapped ``pipeline`` function would not invalidate it and a new run
would redo everything. udiplo keys on what the result depends on instead.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pipeline


def pipeline_version() -> str:
    return pipeline.__version__


def digest(*parts: Any) -> str:
    h = hashlib.sha256()
    for p in parts:
        h.update(json.dumps(p, sort_keys=True, default=str, ensure_ascii=False).encode("utf-8"))
        h.update(b"\x00")
    return h.hexdigest()


def file_digest(path: str | Path) -> str:
    h = hashlib.sha256()
    try:
        with open(path, "rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                h.update(chunk)
    except OSError:
        return "unreadable:" + str(path)
    return h.hexdigest()


def file_task_key(context, parameters: dict[str, Any]) -> str:
    """Key for a per-file task: the file's bytes, the store, the overrides and the pipeline version."""
    return digest("file", file_digest(parameters["path"]), parameters.get("db_url"), parameters.get("city"),
                  parameters.get("kind"), pipeline_version())
