"""Entities for statements: a spaCy pipeline with the city/organisation gazetteer and Jalali dates.

Importing this package is cheap; spaCy loads when a pipeline is first built.
Public API: :func:`build_nlp`, :func:`find_entities`, :func:`find_dates`, :func:`load_gazetteer`.
"""

from pipeline.nlp.entities import Entity, find_entities, find_entities_many
from pipeline.nlp.gazetteer import Gazetteer, default_gazetteer, load_gazetteer
from pipeline.nlp.jalali import find_dates, parse_date
from pipeline.nlp.pipeline import build_nlp, register

__all__ = [
    "Entity", "Gazetteer", "build_nlp", "default_gazetteer", "find_dates", "find_entities",
    "find_entities_many", "load_gazetteer", "parse_date", "register",
]
