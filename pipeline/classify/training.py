"""The team-written training statements of the taxonomy classifier (``models/taxonomy/training/``).

Each JSON Lines file holds one statement per line: ``id``, ``text``, ``lang`` (fa/en), ``label``
(a general-policy id such as ``G09.GP2``, or ``outside`` for a near-miss that states no problem,
aim or policy of a city), ``register`` (news, plan, interview, academic, ...), ``made`` (how the
statement was made) and optional ``city``, ``halfspace`` and ``note``. They are written by the team
(see the README of the folder and the codebook), never copied from the documents evaluated on.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from pipeline.classify.labels import OUTSIDE
from pipeline.errors import ConfigError

TRAINING_DIR = Path(__file__).resolve().parents[2] / "models" / "taxonomy" / "training"
REQUIRED = ("id", "text", "lang", "label", "made")
MAX_FILE_BYTES = 20_000_000


@dataclass(frozen=True)
class TrainingStatement:
    id: str
    text: str
    lang: str
    label: str  # general-policy id, or "outside"
    register: str | None = None
    source: str = ""  # file:line

    @property
    def outside(self) -> bool:
        return self.label == OUTSIDE


def load_training(folder: str | Path | None = None, node_ids: set[str] | None = None) -> list[TrainingStatement]:
    """Every statement of the ``*.jsonl`` files in ``folder`` (default: the committed ones), in file
    and line order. A bad line (invalid JSON, a missing field, an unknown label when ``node_ids``
    is given, a repeated id) raises :class:`ConfigError` naming the file and line."""
    root = Path(folder) if folder is not None else TRAINING_DIR
    files = sorted(root.glob("*.jsonl"))
    if not files:
        raise ConfigError(f"{root}: no training statements (*.jsonl) found; restore models/taxonomy/training "
                          f"or pass training=None to the classifier to fit on the taxonomy's texts only.")
    out: list[TrainingStatement] = []
    seen: dict[str, str] = {}
    for f in files:
        if f.stat().st_size > MAX_FILE_BYTES:
            raise ConfigError(f"{f}: {f.stat().st_size} bytes, more than the {MAX_FILE_BYTES} a training file may have.")
        for n, line in enumerate(f.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            where = f"{f.name}:{n}"
            try:
                d = json.loads(line)
            except ValueError as exc:
                raise ConfigError(f"{f}: line {n} is not valid JSON ({exc}).") from None
            missing = [k for k in REQUIRED if not isinstance(d, dict) or not isinstance(d.get(k), str) or not d[k]]
            if missing:
                raise ConfigError(f"{f}: line {n} lacks the field(s) {', '.join(missing)} (expected {REQUIRED}).")
            if node_ids is not None and d["label"] != OUTSIDE and d["label"] not in node_ids:
                raise ConfigError(f"{f}: line {n} is labelled {d['label']!r}, which is not a node of the taxonomy "
                                  f"nor 'outside'.")
            if d["id"] in seen:
                raise ConfigError(f"{f}: line {n} repeats the id {d['id']!r} of {seen[d['id']]}.")
            seen[d["id"]] = where
            out.append(TrainingStatement(d["id"], d["text"], d["lang"], d["label"], d.get("register"), where))
    return out


def training_fingerprint(folder: str | Path | None = None) -> str:
    """sha256 over the names and bytes of the training files and the bundled out-of-domain sentences:
    part of a fitted classifier's cache key, so editing the data refits it."""
    import hashlib

    from pipeline.classify.ood import OOD_PATH

    root = Path(folder) if folder is not None else TRAINING_DIR
    h = hashlib.sha256()
    for f in [*sorted(root.glob("*.jsonl")), OOD_PATH]:
        h.update(f.name.encode() + b"\0")
        if f.exists():
            h.update(f.read_bytes())
    return h.hexdigest()
