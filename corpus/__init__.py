"""Corpus store, ingestion and the bundled sample corpus."""

from pathlib import Path


def samples_dir() -> Path:
    """The bundled sample corpus: five Persian documents with ``.meta.yaml`` sidecars."""
    return Path(__file__).parent / "samples"


def home_dir() -> Path:
    """Where udiplo keeps its store and work caches: ``UDIPLO_HOME`` or the current folder."""
    import os

    return Path(os.environ.get("UDIPLO_HOME", "."))


def work_cache_dir() -> Path:
    """Saved analysis artefacts (theme models, classifier) keyed by content hash."""
    return home_dir() / "corpus" / "cache"
