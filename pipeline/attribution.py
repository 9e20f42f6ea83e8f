"""Which focus city (Mashhad, Isfahan, Tehran) a document is about.

Metadata wins when it names a city. Otherwise focus-city mentions are scored
from the gazetteer entities of the document's statements:

- a mention is a CITY entity of a focus city, or an ORG entity linked to one
  («شهرداری اصفهان», «دانشگاه علوم اسلامی رضوی»);
- a mention in a heading weighs :data:`HEADING_WEIGHT`, elsewhere 1;
- each statement counts a city at most :data:`PER_STATEMENT_CAP` times, so one
  list of names cannot outweigh a document;
- a mention in a statement that also names another focus city is shared
  (weight / number of focus cities named there): a city named only as the
  partner of another focus city cannot win on those mentions.

The top city is chosen when its score is at least :data:`MIN_SCORE` and at
least :data:`MARGIN` times the runner-up's; otherwise the source is "none".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from pipeline.types import Statement

HEADING_WEIGHT = 3.0
PER_STATEMENT_CAP = 2
MIN_SCORE = 2.0
MARGIN = 2.0


@dataclass(frozen=True)
class CityAttribution:
    """``city`` is a focus city's English name (or the metadata value), or None."""

    city: str | None
    source: str  # "metadata" | "gazetteer" | "none"
    scores: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"city": self.city, "source": self.source, "scores": dict(self.scores)}


def focus_mentions(statement: Statement, entities: Sequence[Any]) -> dict[str, int]:
    """Focus-city id -> number of mentions among ``entities`` of one statement."""
    from pipeline.nlp.gazetteer import default_gazetteer

    gaz = default_gazetteer()
    counts: dict[str, int] = {}
    for ent in entities:
        if ent.label not in ("CITY", "ORG"):
            continue
        cid = gaz.city_of(ent.entity_id)
        if cid and gaz.cities[cid].focus:
            counts[cid] = counts.get(cid, 0) + 1
    return counts


def city_scores(statements: Sequence[Statement], entities: Sequence[Sequence[Any]] | None = None) -> dict[str, float]:
    """Weighted focus-city scores (English city name -> score) over a document's statements.

    ``entities`` (one list per statement, as from
    :func:`pipeline.nlp.entities.find_entities_many`) is computed when omitted.
    """
    from pipeline.nlp.gazetteer import default_gazetteer

    gaz = default_gazetteer()
    if entities is None:
        from pipeline.nlp.entities import find_entities_many

        entities = find_entities_many([s.text for s in statements], [s.lang for s in statements])
    if len(entities) != len(statements):
        raise ValueError(f"city_scores needs one entity list per statement; got {len(entities)} for {len(statements)}.")
    scores = {c.id: 0.0 for c in gaz.focus_cities}
    for st, ents in zip(statements, entities, strict=True):
        counts = focus_mentions(st, ents)
        if not counts:
            continue
        weight = (HEADING_WEIGHT if st.kind == "heading" else 1.0) / len(counts)
        for cid, n in counts.items():
            scores[cid] += weight * min(n, PER_STATEMENT_CAP)
    return {gaz.cities[cid].name: round(v, 2) for cid, v in scores.items()}


def attribute_city(
    doc_meta_city: str | None,
    statements: Sequence[Statement],
    entities: Sequence[Sequence[Any]] | None = None,
) -> CityAttribution:
    """The document's city: from metadata if given, else the clear leader of :func:`city_scores`."""
    from pipeline.nlp.gazetteer import default_gazetteer

    scores = city_scores(statements, entities)
    if doc_meta_city and doc_meta_city.strip():
        known = default_gazetteer().resolve_city(doc_meta_city)
        return CityAttribution(known.name if known else doc_meta_city.strip(), "metadata", scores)
    ranked = sorted(scores.items(), key=lambda kv: kv[1], reverse=True)
    if ranked:
        top, best = ranked[0]
        second = ranked[1][1] if len(ranked) > 1 else 0.0
        if best >= MIN_SCORE and best >= MARGIN * second:
            return CityAttribution(top, "gazetteer", scores)
    return CityAttribution(None, "none", scores)
