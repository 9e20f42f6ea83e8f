"""Statements onto the problem -> goal -> policy taxonomy: classifier, evaluation, human labels."""

from pipeline.classify.model import CLASSIFIER_VERSION, OUTSIDE, TaxonomyClassifier
from pipeline.classify.result import CLASSIFY_LEVELS, Alternative, Evidence, Prediction

__all__ = ["CLASSIFIER_VERSION", "CLASSIFY_LEVELS", "OUTSIDE", "Alternative", "Evidence", "Prediction",
           "TaxonomyClassifier"]
