"""spaCy pipelines for entities: blank ``fa``/``en`` + token folding + gazetteer entity ruler + Jalali dates.

Components and extensions are registered by :func:`register`, which
:func:`build_nlp` calls; nothing is registered at import time. The pipeline is

    udiplo_fold_norm -> entity_ruler (CITY, ORG) -> udiplo_jalali_dates (DATE)

``udiplo_fold_norm`` sets ``token.norm_`` to a folded form (lower case, no
ZWNJ/kashida, Persian ی/ک), and the ruler matches phrase patterns on NORM, so
«شی‌آن», «شیآن» and «شيآن» all match one gazetteer name. DATE spans carry
``span._.iso_date`` (Gregorian) and ``span._.jalali_date``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pipeline.errors import ConfigError

if TYPE_CHECKING:
    import spacy
    from spacy.tokens import Doc

    from pipeline.nlp.gazetteer import Gazetteer

FOLD_NORM = "udiplo_fold_norm"
JALALI_DATES = "udiplo_jalali_dates"
SUPPORTED_LANGS = ("fa", "en")


def _fold_norm(doc: Doc) -> Doc:
    from pipeline.nlp.gazetteer import fold

    for token in doc:
        token.norm_ = fold(token.text)
    return doc


def _jalali_dates(doc: Doc) -> Doc:
    from pipeline.nlp.jalali import find_dates

    found = find_dates(doc.text)
    if not found:
        return doc
    taken = {i for ent in doc.ents for i in range(ent.start, ent.end)}
    ents = list(doc.ents)
    for start, end, iso, jalali in found:
        span = doc.char_span(start, end, label="DATE", alignment_mode="expand")
        if span is None or any(i in taken for i in range(span.start, span.end)):
            continue
        span._.iso_date = iso
        span._.jalali_date = jalali
        taken.update(range(span.start, span.end))
        ents.append(span)
    doc.ents = sorted(ents, key=lambda s: s.start)
    return doc


def register() -> None:
    """Register udiplo's spaCy components and extensions; safe to call many times."""
    from spacy.language import Language
    from spacy.tokens import Span

    if not Language.has_factory(FOLD_NORM):
        Language.component(FOLD_NORM, func=_fold_norm)
    if not Language.has_factory(JALALI_DATES):
        Language.component(JALALI_DATES, func=_jalali_dates)
    for name in ("iso_date", "jalali_date"):
        if not Span.has_extension(name):
            Span.set_extension(name, default=None)


def build_nlp(lang: str, gazetteer: Gazetteer | None = None) -> spacy.Language:
    """A blank spaCy pipeline for ``lang`` ("fa" or "en") that tags CITY, ORG and DATE entities.

    Building takes about a second (pattern tokenisation); reuse the result,
    e.g. through :func:`pipeline.nlp.entities.nlp_for`.
    """
    if lang not in SUPPORTED_LANGS:
        raise ConfigError(f"The `lang` parameter of build_nlp must be one of {SUPPORTED_LANGS}; got {lang!r}.")
    import spacy

    from pipeline.nlp.gazetteer import default_gazetteer

    register()
    gaz = gazetteer or default_gazetteer()
    nlp = spacy.blank(lang)
    nlp.add_pipe(FOLD_NORM)
    ruler = nlp.add_pipe("entity_ruler", config={"phrase_matcher_attr": "NORM", "overwrite_ents": True})
    ruler.add_patterns(gaz.patterns())
    nlp.add_pipe(JALALI_DATES)
    return nlp
