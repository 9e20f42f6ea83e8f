"""Entities in a statement's text: cities and organisations from the gazetteer, and dates.

>>> [(e.label, e.entity_id) for e in find_entities("شهرداری اصفهان و شانگهای", "fa")]
[('ORG', 'municipality:isfahan'), ('CITY', 'shanghai')]
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import spacy

LABELS = ("CITY", "ORG", "DATE")


@dataclass(frozen=True)
class Entity:
    """An entity found in a text: ``text[start:end] == self.text``.

    ``entity_id`` is the gazetteer id for CITY/ORG and ``date:<iso>`` for
    DATE; ``iso_date``/``jalali_date`` are set for DATE only.
    """

    start: int
    end: int
    label: str
    entity_id: str
    text: str
    iso_date: str | None = None
    jalali_date: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v is not None}


def pipeline_lang(lang: str | None) -> str:
    """Which pipeline serves a statement language: English text uses ``en``, everything else ``fa``."""
    return "en" if lang == "en" else "fa"


@lru_cache(maxsize=4)
def nlp_for(lang: str) -> spacy.Language:
    """The cached entity pipeline for ``"fa"`` or ``"en"``."""
    from pipeline.nlp.pipeline import build_nlp

    return build_nlp(lang)


def _entities(doc) -> list[Entity]:
    out = []
    for ent in doc.ents:
        if ent.label_ == "DATE":
            iso = ent._.iso_date
            out.append(Entity(ent.start_char, ent.end_char, "DATE", f"date:{iso}", ent.text, iso, ent._.jalali_date))
        else:
            out.append(Entity(ent.start_char, ent.end_char, ent.label_, ent.ent_id_, ent.text))
    return out


def find_entities(statement_text: str, lang: str | None) -> list[Entity]:
    """CITY, ORG and DATE entities in ``statement_text``, in text order (offsets into that text)."""
    if not statement_text.strip():
        return []
    return _entities(nlp_for(pipeline_lang(lang))(statement_text))


def find_entities_many(texts: list[str], langs: list[str | None], batch_size: int = 256) -> list[list[Entity]]:
    """:func:`find_entities` for many texts at once (``nlp.pipe`` per language, same order as ``texts``)."""
    if len(texts) != len(langs):
        raise ValueError(f"find_entities_many needs one language per text; got {len(texts)} texts and {len(langs)} langs.")
    out: list[list[Entity]] = [[] for _ in texts]
    for pl in ("fa", "en"):
        idx = [i for i, lg in enumerate(langs) if pipeline_lang(lg) == pl and texts[i].strip()]
        if not idx:
            continue
        for i, doc in zip(idx, nlp_for(pl).pipe((texts[i] for i in idx), batch_size=batch_size), strict=True):
            out[i] = _entities(doc)
    return out
