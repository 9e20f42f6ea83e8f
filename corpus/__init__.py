"""Corpus store, ingestion and the bundled sample corpus."""

from pathlib import Path


def samples_dir() -> Path:
    """The bundled sample corpus: five Persian documents with ``.meta.yaml`` sidecars."""
    return Path(__file__).parent / "samples"
