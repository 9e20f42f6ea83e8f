"""Problem -> goal -> policy taxonomies: the Mashhad paper's tables as versioned, validated data.

    from pipeline.taxonomy import load_taxonomy, paper_statements
    tax = load_taxonomy()                 # models/taxonomy/mashhad-2023.yaml
    [g.node_id for g in tax.goals()]      # ['G01', ..., 'G16'] in the paper's priority order
    tax.gold_path("G05.GP2.E1")           # ('P1', 'G05', 'G05.GP2')

Modules: ``model`` (nodes, tree ops), ``store`` (files + schema), ``validate``,
``parse_paper`` + ``corrections`` + ``generate`` (rebuild from the paper),
``glosses`` (English), ``import_table`` (other tables), ``statements`` (eval data),
``codebook`` (the coders' codebook, ``models/taxonomy/codebook.yaml``).
"""

from pipeline.taxonomy.codebook import Codebook, CodebookError, load_codebook
from pipeline.taxonomy.generate import build_from_paper
from pipeline.taxonomy.import_table import ColumnMap, import_table
from pipeline.taxonomy.model import LEVELS, SourceRef, Taxonomy, TaxonomyNode, TaxonomySource
from pipeline.taxonomy.statements import LabelledStatement, paper_statements
from pipeline.taxonomy.store import TaxonomyError, load_taxonomy, save_taxonomy, validate_file
from pipeline.taxonomy.validate import Problem, validate_taxonomy

__all__ = [
    "LEVELS",
    "Codebook",
    "CodebookError",
    "ColumnMap",
    "LabelledStatement",
    "Problem",
    "SourceRef",
    "Taxonomy",
    "TaxonomyError",
    "TaxonomyNode",
    "TaxonomySource",
    "build_from_paper",
    "import_table",
    "load_codebook",
    "load_taxonomy",
    "paper_statements",
    "save_taxonomy",
    "validate_file",
    "validate_taxonomy",
]
