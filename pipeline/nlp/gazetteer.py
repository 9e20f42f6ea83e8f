"""The city and organisation gazetteer: YAML data in ``pipeline/data/gazetteer/``, loaded and checked.

``load_gazetteer()`` returns a :class:`Gazetteer` with the entity-ruler
patterns and the look-ups city attribution needs (which cities are focus
cities, which city an organisation belongs to, which city a name means).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from pipeline.errors import ConfigError
from pipeline.lang.fa import ARABIC_TO_PERSIAN, HAMZA_AND_HEH_FOLDS, LRM, RLM, TATWEEL, ZWJ, ZWNJ

GAZETTEER_DIR = Path(__file__).resolve().parents[1] / "data" / "gazetteer"
_FOLD = str.maketrans({**ARABIC_TO_PERSIAN, **HAMZA_AND_HEH_FOLDS,
                       TATWEEL: None, ZWNJ: None, ZWJ: None, LRM: None, RLM: None})


def fold(text: str) -> str:
    """The matching key of a token or name: lower case, ZWNJ/kashida removed, Arabic ي/ك/ة as Persian."""
    return text.lower().translate(_FOLD)


@dataclass(frozen=True)
class City:
    id: str
    en: tuple[str, ...]
    fa: tuple[str, ...]
    country: str
    focus: bool = False

    @property
    def name(self) -> str:
        return self.en[0]


@dataclass(frozen=True)
class Organisation:
    id: str
    en: tuple[str, ...]
    fa: tuple[str, ...]
    country: str | None = None
    city: str | None = None  # city id the organisation belongs to

    @property
    def name(self) -> str:
        return self.en[0] if self.en else self.fa[0]


@dataclass(frozen=True)
class Gazetteer:
    cities: dict[str, City]
    organisations: dict[str, Organisation]
    _by_name: dict[str, str] = field(default_factory=dict, repr=False)

    @property
    def focus_cities(self) -> tuple[City, ...]:
        return tuple(c for c in self.cities.values() if c.focus)

    def city_of(self, entity_id: str) -> str | None:
        """City id an entity id stands for or belongs to (a city, or a linked organisation)."""
        if entity_id in self.cities:
            return entity_id
        org = self.organisations.get(entity_id)
        return org.city if org else None

    def resolve_city(self, name: str | None) -> City | None:
        """The city a free-text name or id means («Esfahan», «اصفهان», «isfahan»), if known."""
        if not name:
            return None
        cid = self._by_name.get(fold(" ".join(name.split())))
        return self.cities.get(cid) if cid else None

    def patterns(self) -> list[dict[str, Any]]:
        """EntityRuler phrase patterns ``{"label", "pattern", "id"}``, every name in both scripts' pipelines."""
        out: list[dict[str, Any]] = []
        for city in self.cities.values():
            out += [{"label": "CITY", "pattern": n, "id": city.id} for n in _variants(city.en + city.fa)]
        for org in self.organisations.values():
            out += [{"label": "ORG", "pattern": n, "id": org.id} for n in _variants(org.en + org.fa)]
        return out


def _variants(names: Iterable[str]) -> list[str]:
    """Names with each ZWNJ also as a space, de-duplicated in order."""
    seen: dict[str, None] = {}
    for n in names:
        for v in (n, n.replace(ZWNJ, " ")):
            seen.setdefault(" ".join(v.split()), None)
    return list(seen)


def _names(entry: dict[str, Any], key: str, where: str) -> tuple[str, ...]:
    value = entry.get(key) or []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ConfigError(f"{where}: `{key}` must be a list of names; got {value!r}.")
    return tuple(str(v).strip() for v in value)


def _load_yaml(path: Path) -> dict[str, Any]:
    import yaml

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"Cannot read gazetteer file {path}: {exc}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"Gazetteer file {path} must hold a mapping; got {type(data).__name__}.")
    return data


def _check_entry(entry: Any, where: str, required: tuple[str, ...]) -> dict[str, Any]:
    if not isinstance(entry, dict):
        raise ConfigError(f"{where}: each entry must be a mapping; got {entry!r}.")
    missing = [k for k in required if not entry.get(k)]
    if missing:
        raise ConfigError(f"{where}: entry {entry.get('id', entry)!r} lacks {missing}; add them to the YAML file.")
    return entry


def load_gazetteer(directory: str | Path | None = None) -> Gazetteer:
    """Read ``cities.yaml`` and ``organisations.yaml`` from ``directory`` (default: the bundled data)."""
    directory = Path(directory) if directory is not None else GAZETTEER_DIR
    cities: dict[str, City] = {}
    cpath = directory / "cities.yaml"
    for i, raw in enumerate(_load_yaml(cpath).get("cities") or []):
        where = f"{cpath}: cities[{i}]"
        e = _check_entry(raw, where, ("id", "en", "country"))
        if e["id"] in cities:
            raise ConfigError(f"{where}: duplicate city id {e['id']!r}; ids must be unique.")
        cities[e["id"]] = City(e["id"], _names(e, "en", where), _names(e, "fa", where),
                               str(e["country"]), bool(e.get("focus", False)))
    orgs: dict[str, Organisation] = {}
    opath = directory / "organisations.yaml"
    odata = _load_yaml(opath)
    for i, raw in enumerate(odata.get("per_city") or []):
        where = f"{opath}: per_city[{i}]"
        t = _check_entry(raw, where, ("id",))
        for city in cities.values():
            oid = f"{t['id']}:{city.id}"
            en = tuple(p.format(en=n) for p in _names(t, "en", where) for n in city.en)
            fa = tuple(p.format(fa=n) for p in _names(t, "fa", where) for n in city.fa)
            orgs[oid] = Organisation(oid, en, fa, city.country, city.id)
    for i, raw in enumerate(odata.get("organisations") or []):
        where = f"{opath}: organisations[{i}]"
        e = _check_entry(raw, where, ("id",))
        if e["id"] in orgs:
            raise ConfigError(f"{where}: duplicate organisation id {e['id']!r}; ids must be unique.")
        if e.get("city") and e["city"] not in cities:
            raise ConfigError(f"{where}: city {e['city']!r} is not an id in cities.yaml.")
        en, fa = _names(e, "en", where), _names(e, "fa", where)
        if not en and not fa:
            raise ConfigError(f"{where}: organisation {e['id']!r} needs at least one name in `en` or `fa`.")
        orgs[e["id"]] = Organisation(e["id"], en, fa, e.get("country"), e.get("city"))
    by_name: dict[str, str] = {}
    for city in cities.values():
        for n in (city.id, *city.en, *city.fa):
            by_name.setdefault(fold(n), city.id)
    return Gazetteer(cities, orgs, by_name)


@lru_cache(maxsize=1)
def default_gazetteer() -> Gazetteer:
    """The bundled gazetteer, loaded once per process."""
    return load_gazetteer()
