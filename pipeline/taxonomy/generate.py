"""Regenerate the committed Mashhad taxonomy: paper text + corrections + glosses -> Taxonomy."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from pipeline.taxonomy.builder import build_taxonomy
from pipeline.taxonomy.corrections import Corrections, check_source, load_corrections
from pipeline.taxonomy.glosses import apply_glosses, load_glosses
from pipeline.taxonomy.model import Taxonomy, TaxonomySource
from pipeline.taxonomy.parse_paper import parse_paper
from pipeline.taxonomy.store import DEFAULT_NAME, TaxonomyError, read_document, taxonomy_dir
from pipeline.taxonomy.validate import Problem, validate_taxonomy

TITLE = "Urban diplomacy of Mashhad: problems, goals and policies (Mehrabanifar & Ramooz 2023, tables 1-4)"
CITATION = (
    "Mehrabanifar, H. & Ramooz, E. (2023). Prioritizing urban diplomacy policy in Mashhad; "
    "from goal setting to policy making."
)
NOTES = [
    "Macro-problems are ranked in the order of the paper's tables (1-4). The conclusion lists the "
    "internal problems as cognitive, political economy, governance, and its goal list ranks the "
    "political-economy goals (8, 9) before the governance goals (10-14).",
    "Goals are numbered by their rank in the conclusion's list of 16 goals; `aliases_fa` holds the "
    "conclusion's wording where it differs from the table.",
    "Texts keep the source's spelling conventions (no ZWNJ), except the whole-word fixes listed in "
    "corrections_mashhad-2023.yaml and Arabic yeh/kaf turned into Persian ones.",
    "Ranks of sub-problems and policies are their order among siblings (the tables list them by priority).",
]


def default_paper_path() -> Path:
    return taxonomy_dir() / "sources" / f"{DEFAULT_NAME}.txt"


def default_corrections_path() -> Path:
    return taxonomy_dir() / f"corrections_{DEFAULT_NAME}.yaml"


def default_glosses_path() -> Path:
    return taxonomy_dir() / "glosses_en.yaml"


def default_output_path() -> Path:
    return taxonomy_dir() / f"{DEFAULT_NAME}.yaml"


@dataclass(frozen=True)
class BuildResult:
    taxonomy: Taxonomy
    problems: tuple[Problem, ...]


def build_from_paper(
    paper: str | Path | None = None,
    corrections: str | Path | None = None,
    glosses: str | Path | None = None,
    version: str | None = None,
    use_corrections: bool = True,
) -> BuildResult:
    """Parse the paper's tables into the taxonomy; ``version`` defaults to the committed file's."""
    from pipeline.types import sha256_bytes

    paper = Path(paper or default_paper_path())
    try:
        raw = paper.read_bytes()
    except OSError as exc:
        raise TaxonomyError(f"{paper}: cannot read the paper text ({exc.strerror}).") from None
    sha = sha256_bytes(raw)
    text = raw.decode("utf-8")
    corr = Corrections.empty()
    if use_corrections:
        corr = load_corrections(corrections or default_corrections_path())
        check_source(corr, sha)
    parsed = parse_paper(text, corr)
    doi = re.search(r"doi:\s*(\S+)", text)
    source = TaxonomySource(doc=paper.name, sha256=sha, title=TITLE.split(" (")[0], citation=CITATION,
                            doi=doi.group(1) if doi else None)
    meta = {
        "title": TITLE,
        "generator": {
            "tool": "pipeline.taxonomy.generate.build_from_paper",
            "corrections": Path(corr.path).name if corr.path else None,
            "glosses": Path(glosses or default_glosses_path()).name,
        },
        "notes": NOTES,
    }
    tax = build_taxonomy(DEFAULT_NAME, version or _committed_version(), source, parsed.macros, parsed.rows,
                         doc_key=sha[:16], meta=meta)
    problems: list[Problem] = []
    gpath = Path(glosses or default_glosses_path())
    if gpath.exists():
        tax, problems = apply_glosses(tax, load_glosses(gpath))
    else:
        problems.append(Problem("warning", None, f"no glosses file at {gpath}.", "Write English glosses there."))
    problems.extend(validate_taxonomy(tax))
    return BuildResult(taxonomy=tax, problems=tuple(problems))


def _committed_version() -> str:
    path = default_output_path()
    if path.exists():
        try:
            return str(read_document(path).get("version", "1.0.0"))
        except TaxonomyError:
            pass
    return "1.0.0"
