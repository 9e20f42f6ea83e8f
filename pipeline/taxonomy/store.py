"""Read, write and validate taxonomy files (YAML or JSON) against ``models/taxonomy/schema.json``."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

import yaml

from pipeline.errors import UdiploError
from pipeline.taxonomy.model import Taxonomy, TaxonomyNode, TaxonomySource
from pipeline.taxonomy.validate import Problem, errors, schema_problems, validate_taxonomy

SCHEMA_VERSION = 1
DEFAULT_NAME = "mashhad-2023"


class TaxonomyError(UdiploError):
    """A taxonomy file cannot be read or is invalid; ``problems`` lists what to fix."""

    def __init__(self, message: str, problems: list[Problem] | None = None):
        self.problems = list(problems or [])
        detail = "".join(f"\n  {p}" for p in self.problems[:20])
        more = f"\n  ... and {len(self.problems) - 20} more" if len(self.problems) > 20 else ""
        super().__init__(f"{message}{detail}{more}")


_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml(text: str) -> Any:
    """``yaml.safe_load`` with libyaml when available (6x faster on the taxonomy files)."""
    return yaml.load(text, Loader=_Loader)


def models_dir() -> Path:
    """``$UDIPLO_MODELS_DIR`` or the repository's ``models/`` folder."""
    env = os.environ.get("UDIPLO_MODELS_DIR")
    return Path(env) if env else Path(__file__).resolve().parents[2] / "models"


def taxonomy_dir() -> Path:
    return models_dir() / "taxonomy"


def default_taxonomy_path() -> Path:
    return taxonomy_dir() / f"{DEFAULT_NAME}.yaml"


def load_schema() -> dict[str, Any]:
    path = taxonomy_dir() / "schema.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError:
        raise TaxonomyError(f"{path}: the taxonomy schema is missing; set UDIPLO_MODELS_DIR to the models folder.") from None


# --- document <-> Taxonomy ------------------------------------------------------------------
def content_sha256(tax: Taxonomy) -> str:
    """Hash of the nodes only: changes when any text, id, parent or rank changes."""
    payload = json.dumps([n.to_dict() for n in tax.nodes], ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def to_document(tax: Taxonomy) -> dict[str, Any]:
    doc: dict[str, Any] = {"schema_version": SCHEMA_VERSION, "name": tax.name, "version": tax.version}
    if tax.meta.get("title"):
        doc["title"] = tax.meta["title"]
    doc["content_sha256"] = content_sha256(tax)
    doc["source"] = tax.source.to_dict()
    for key in ("generator", "notes"):
        if tax.meta.get(key):
            doc[key] = tax.meta[key]
    doc["nodes"] = [n.to_dict() for n in tax.nodes]
    return doc


def from_document(doc: dict[str, Any]) -> Taxonomy:
    meta = {k: doc[k] for k in ("title", "generator", "notes", "content_sha256") if k in doc}
    return Taxonomy(
        name=doc["name"],
        version=str(doc["version"]),
        source=TaxonomySource.from_dict(doc["source"]),
        nodes=tuple(TaxonomyNode.from_dict(n) for n in doc["nodes"]),
        meta=meta,
    )


# --- files -----------------------------------------------------------------------------------
def read_document(path: str | Path) -> dict[str, Any]:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise TaxonomyError(f"{path}: cannot read the taxonomy ({exc.strerror}).") from None
    try:
        data = json.loads(text) if path.suffix.lower() == ".json" else load_yaml(text)
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        raise TaxonomyError(f"{path}: not valid {'JSON' if path.suffix == '.json' else 'YAML'}: {exc}") from None
    if not isinstance(data, dict):
        raise TaxonomyError(f"{path}: expected a mapping with `name`, `version`, `source` and `nodes`.")
    return data


def check_document(doc: dict[str, Any]) -> list[Problem]:
    """Schema problems, then (if the schema passes) structural problems and a hand-edit warning."""
    problems = schema_problems(doc, load_schema())
    if problems:
        return problems
    tax = from_document(doc)
    problems = validate_taxonomy(tax)
    stored = doc.get("content_sha256")
    if stored and stored != content_sha256(tax):
        problems.append(Problem("warning", None, "nodes changed since the file was generated (content_sha256 differs).",
                                "If the edit is intended, bump `version` and save with `save_taxonomy`."))
    return problems


def validate_file(path: str | Path | None = None) -> list[Problem]:
    return check_document(read_document(path or default_taxonomy_path()))


def load_taxonomy(path: str | Path | None = None, validate: bool = True) -> Taxonomy:
    """Load a taxonomy file (default: the committed Mashhad taxonomy); raise on errors."""
    path = Path(path or default_taxonomy_path())
    doc = read_document(path)
    if validate:
        bad = errors(check_document(doc))
        if bad:
            raise TaxonomyError(f"{path}: invalid taxonomy; run `udiplo taxonomy validate {path}`.", bad)
    return from_document(doc)


def save_taxonomy(tax: Taxonomy, path: str | Path) -> Path:
    """Write YAML (or JSON for a ``.json`` path) after checking it; returns the path."""
    path = Path(path)
    doc = to_document(tax)
    bad = errors(check_document(doc))
    if bad:
        raise TaxonomyError(f"Refusing to write an invalid taxonomy to {path}.", bad)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix.lower() == ".json":
        text = json.dumps(doc, ensure_ascii=False, indent=1) + "\n"
    else:
        text = dump_yaml(doc)
    path.write_text(text, encoding="utf-8")
    return path


class _Flow(dict):
    pass


class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]
    pass


_Dumper.add_representer(_Flow, lambda d, data: d.represent_mapping("tag:yaml.org,2002:map", data, flow_style=True))


def dump_yaml(doc: dict[str, Any]) -> str:
    """YAML with one field per line and each node's ``source`` on one line."""
    doc = dict(doc)
    doc["nodes"] = [{**n, "source": _Flow(n["source"])} if "source" in n else n for n in doc.get("nodes", [])]
    return yaml.dump(doc, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=10_000)
