"""The coders' codebook (``models/taxonomy/codebook.yaml``): load it, check it against the taxonomy, describe codes.

    from pipeline.taxonomy.codebook import load_codebook
    cb = load_codebook()                 # checked against load_taxonomy(); raises CodebookError
    cb.goal("G05")["definition_en"]
    cb.describe("G09.GP3")               # text for a code description (REFI-QDA, app)

The file's schema is documented at its top. Every problem names the field
(``goals.G05.definition_fa``) and what to write there.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from pipeline.lang.fa import ARABIC_BLOCK
from pipeline.taxonomy.model import Taxonomy
from pipeline.taxonomy.store import TaxonomyError, load_taxonomy, load_yaml, taxonomy_dir
from pipeline.taxonomy.validate import Problem, errors

SCHEMA_VERSION = 1
DEFAULT_FILE = "codebook.yaml"
MAX_BYTES = 2_000_000
# Pairs issue 11 asks the codebook to separate; each needs a rule and a contrasting example pair.
REQUIRED_PAIRS: tuple[tuple[str, str], ...] = (
    ("G11", "G12"), ("G15", "G16"), ("G09", "G16"), ("G06", "G15"), ("G06", "G09"), ("G05", "G15"), ("G01", "G07"))
OUTSIDE = "outside"

_PERSIAN = re.compile(f"[{ARABIC_BLOCK}]")
_LATIN = re.compile(r"[A-Za-z]")


class CodebookError(TaxonomyError):
    """The codebook cannot be read or does not fit the taxonomy; ``problems`` lists the fields to fix."""


def default_codebook_path() -> Path:
    return taxonomy_dir() / DEFAULT_FILE


@dataclass(frozen=True)
class Codebook:
    name: str
    version: str
    taxonomy_name: str
    taxonomy_version: str
    doc: Mapping[str, Any] = field(repr=False)

    def goal(self, goal_id: str) -> Mapping[str, Any]:
        return self.doc["goals"][goal_id]

    def policy_cue(self, policy_id: str) -> Mapping[str, str]:
        return self.goal(policy_id.split(".")[0])["policies"][policy_id]

    def describe(self, node_id: str) -> str | None:
        """Bilingual text a coder reads for one code (macro-problem, goal or general policy); None if not covered."""
        goals = self.doc["goals"]
        if node_id in self.doc["macro_problems"]:
            m = self.doc["macro_problems"][node_id]
            return f"{m['en']}\n\n{m['fa']}"
        if node_id in goals:
            g = goals[node_id]
            parts = []
            for lang, sep, label_in, label_out, label_alt in (("en", "; ", "In", "Out", "Also acceptable"),
                                                              ("fa", "؛ ", "شامل", "خارج", "جایگزین پذیرفتنی")):
                lines = [g[f"definition_{lang}"].strip()]
                lines.append(f"{label_in}: " + sep.join(i[lang] for i in g["includes"]))
                lines.append(f"{label_out}: " + sep.join(f"{e[lang]} -> {e['see']}" for e in g["excludes"]))
                if g.get("acceptable_alternatives"):
                    lines.append(f"{label_alt}: " + sep.join(g["acceptable_alternatives"]))
                parts.append("\n".join(lines))
            return "\n\n".join(parts)
        goal_id = node_id.split(".")[0]
        cue = goals.get(goal_id, {}).get("policies", {}).get(node_id)
        if cue:
            return f"{cue['en']}\n{cue['fa']}\n\n({goal_id}: {goals[goal_id]['label']['en']})"
        return None


# --- reading ---------------------------------------------------------------------------------
def read_codebook(path: str | Path) -> dict[str, Any]:
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise CodebookError(f"{path}: {size:,} bytes; a codebook is at most {MAX_BYTES:,} bytes. "
                                "Check that this is the codebook file.")
        text = path.read_bytes().decode("utf-8")
    except OSError as exc:
        raise CodebookError(f"{path}: cannot read the codebook ({exc.strerror}); "
                            f"expected {DEFAULT_FILE} in the taxonomy folder (UDIPLO_MODELS_DIR).") from None
    except UnicodeDecodeError as exc:
        raise CodebookError(f"{path}: not UTF-8 (byte {exc.start}); save the codebook as UTF-8.") from None
    try:
        data = load_yaml(text)
    except yaml.YAMLError as exc:
        raise CodebookError(f"{path}: not valid YAML: {' '.join(str(exc).split())}") from None
    if not isinstance(data, dict):
        raise CodebookError(f"{path}: expected a mapping with `goals`, `outside`, `confusable_pairs` ...; "
                            "see the schema at the top of models/taxonomy/codebook.yaml.")
    return data


# --- checking --------------------------------------------------------------------------------
class _Checker:
    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def error(self, where: str, message: str, fix: str) -> None:
        self.problems.append(Problem("error", where, message, fix))

    def mapping(self, where: str, value: Any) -> Mapping[str, Any] | None:
        if isinstance(value, Mapping):
            return value
        self.error(where, f"expected a mapping, got {_kind(value)}.", "See the schema at the top of the codebook.")
        return None

    def items(self, where: str, value: Any, min_len: int = 1) -> list[Any]:
        if not isinstance(value, list) or len(value) < min_len:
            self.error(where, f"expected a list of at least {min_len}, got {_kind(value)}.",
                       "Add the entries (see the schema at the top of the codebook).")
            return []
        return value

    def text(self, where: str, value: Any, lang: str) -> None:
        if not isinstance(value, str) or not value.strip():
            name = "Persian" if lang == "fa" else "English"
            self.error(where, f"empty or missing (got {_kind(value)}).", f"Write the {name} text.")
        elif lang == "fa" and not _PERSIAN.search(value):
            self.error(where, "has no Persian letters.", "Write this field in Persian (the English goes in `en`).")
        elif lang == "en" and (_PERSIAN.search(value) or not _LATIN.search(value)):
            self.error(where, "is not English text.", "Write this field in English (the Persian goes in `fa`).")

    def pair(self, where: str, value: Any) -> None:
        m = self.mapping(where, value)
        if m is not None:
            for lang in ("en", "fa"):
                self.text(f"{where}.{lang}", m.get(lang), lang)

    def word_lists(self, where: str, value: Any) -> None:
        m = self.mapping(where, value)
        if m is None:
            return
        for lang in ("en", "fa"):
            for i, w in enumerate(self.items(f"{where}.{lang}", m.get(lang))):
                self.text(f"{where}.{lang}[{i}]", w, lang)

    def ref(self, where: str, value: Any, allowed: set[str], what: str) -> None:
        if value not in allowed:
            self.error(where, f"{value!r} is not {what}.", f"Use one of {', '.join(sorted(allowed))}.")


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, str):
        return "an empty string" if not value.strip() else "a string"
    return type(value).__name__


def check_codebook(doc: Mapping[str, Any], tax: Taxonomy) -> list[Problem]:
    """Every goal, macro-problem and general policy of ``tax`` covered; ids resolve; fa/en texts present."""
    c = _Checker()
    if doc.get("schema_version") != SCHEMA_VERSION:
        c.error("schema_version", f"is {doc.get('schema_version')!r}.", f"Set `schema_version: {SCHEMA_VERSION}`.")
    for key in ("name", "version"):
        if not isinstance(doc.get(key), str | int | float) or not str(doc.get(key)).strip():
            c.error(key, "missing.", f"Give the codebook a `{key}`.")
    fits = c.mapping("taxonomy", doc.get("taxonomy")) or {}
    if fits and fits.get("name") != tax.name:
        c.error("taxonomy.name", f"is {fits.get('name')!r} but the taxonomy is {tax.name!r}.",
                "Use the codebook written for this taxonomy.")
    elif fits and str(fits.get("version")) != tax.version:
        c.problems.append(Problem("warning", "taxonomy.version",
                                  f"is {fits.get('version')!r} but the taxonomy is {tax.version!r}.",
                                  "Review the codebook against the new taxonomy, then set `taxonomy.version`."))
    c.pair("city_in_question", doc.get("city_in_question"))

    rule_ids: set[str] = set()
    for i, r in enumerate(c.items("general_rules", doc.get("general_rules"))):
        c.pair(f"general_rules[{i}]", r)

    outside = c.mapping("outside", doc.get("outside")) or {}
    c.pair("outside.definition", outside.get("definition"))
    for i, r in enumerate(c.items("outside.rules", outside.get("rules"))):
        c.pair(f"outside.rules[{i}]", r)
        if isinstance(r, Mapping) and r.get("id"):
            rule_ids.add(str(r["id"]))
    for i, ex in enumerate(c.items("outside.examples", outside.get("examples"))):
        c.pair(f"outside.examples[{i}]", ex)
        if isinstance(ex, Mapping):
            c.ref(f"outside.examples[{i}].why", ex.get("why"), rule_ids, "an outside rule id")

    macros = {n.node_id for n in tax.macro_problems()}
    goal_ids = [n.node_id for n in tax.goals()]
    policies = {g: [n.node_id for n in tax.nodes if n.level == "general_policy" and n.parent_id == g]
                for g in goal_ids}

    given_macros = c.mapping("macro_problems", doc.get("macro_problems")) or {}
    for m in sorted(macros | set(given_macros)):
        if m not in macros:
            c.error(f"macro_problems.{m}", "is not a macro-problem of the taxonomy.",
                    f"Use one of {', '.join(sorted(macros))} or remove it.")
        elif m not in given_macros:
            c.error(f"macro_problems.{m}", "missing.", "Add a short `{en, fa}` definition of this macro-problem.")
        else:
            c.pair(f"macro_problems.{m}", given_macros[m])

    goals = c.mapping("goals", doc.get("goals")) or {}
    for gid in goals:
        if gid not in policies:
            c.error(f"goals.{gid}", "is not a goal of the taxonomy.", f"Use one of {', '.join(goal_ids)}.")
    for gid in goal_ids:
        if gid not in goals:
            c.error(f"goals.{gid}", "missing.", f"Add an entry for {gid} (definition, includes, excludes, ...).")
            continue
        _check_goal(c, f"goals.{gid}", gid, goals[gid], set(goal_ids), policies[gid])

    seen: set[frozenset[str]] = set()
    for i, p in enumerate(c.items("confusable_pairs", doc.get("confusable_pairs"))):
        where = f"confusable_pairs[{i}]"
        entry = c.mapping(where, p)
        if entry is None:
            continue
        pair = entry.get("pair")
        if not (isinstance(pair, list) and len(pair) == 2 and pair[0] != pair[1]):
            c.error(f"{where}.pair", f"expected two different goal ids, got {pair!r}.", "Write `pair: [Gxx, Gyy]`.")
            continue
        for j, gid in enumerate(pair):
            c.ref(f"{where}.pair[{j}]", gid, set(goal_ids), "a goal id")
        key = frozenset(pair)
        if key in seen:
            c.error(f"{where}.pair", f"{pair[0]}/{pair[1]} is listed twice.", "Keep one entry per pair.")
        seen.add(key)
        c.pair(f"{where}.rule", entry.get("rule"))
        sides = set()
        for j, ex in enumerate(c.items(f"{where}.examples", entry.get("examples"), 2)):
            c.pair(f"{where}.examples[{j}]", ex)
            if isinstance(ex, Mapping):
                c.ref(f"{where}.examples[{j}].goal", ex.get("goal"), set(pair), "one of the pair")
                sides.add(ex.get("goal"))
        if len(entry.get("examples") or []) >= 2 and sides != set(pair):
            c.error(f"{where}.examples", "do not contrast the two goals.", "Give one example for each goal of the pair.")
    for a, b in REQUIRED_PAIRS:
        if frozenset((a, b)) not in seen:
            c.error("confusable_pairs", f"no rule for {a}/{b}.",
                    f"Add `- pair: [{a}, {b}]` with a rule and an example for each side.")
    return c.problems


def _check_goal(c: _Checker, where: str, gid: str, value: Any, goal_ids: set[str], policy_ids: list[str]) -> None:
    g = c.mapping(where, value)
    if g is None:
        return
    c.pair(f"{where}.label", g.get("label"))
    for lang in ("en", "fa"):
        c.text(f"{where}.definition_{lang}", g.get(f"definition_{lang}"), lang)
    for i, item in enumerate(c.items(f"{where}.includes", g.get("includes"))):
        c.pair(f"{where}.includes[{i}]", item)
    targets = (goal_ids - {gid}) | {OUTSIDE}
    for i, item in enumerate(c.items(f"{where}.excludes", g.get("excludes"))):
        c.pair(f"{where}.excludes[{i}]", item)
        if isinstance(item, Mapping):
            c.ref(f"{where}.excludes[{i}].see", item.get("see"), targets, "another goal id or `outside`")
    c.word_lists(f"{where}.actors", g.get("actors"))
    c.word_lists(f"{where}.verbs", g.get("verbs"))
    for i, item in enumerate(c.items(f"{where}.examples", g.get("examples"))):
        c.pair(f"{where}.examples[{i}]", item)
    alts = g.get("acceptable_alternatives") or []
    if not isinstance(alts, list):
        c.error(f"{where}.acceptable_alternatives", f"expected a list, got {_kind(alts)}.", "Write `[Gxx, ...]`.")
        alts = []
    for i, a in enumerate(alts):
        c.ref(f"{where}.acceptable_alternatives[{i}]", a, goal_ids - {gid}, "another goal id")
    cues = c.mapping(f"{where}.policies", g.get("policies")) or {}
    for pid in cues:
        if pid not in policy_ids:
            c.error(f"{where}.policies.{pid}", f"is not a general policy of {gid}.",
                    f"Use one of {', '.join(policy_ids)}.")
    for pid in policy_ids:
        if pid not in cues:
            c.error(f"{where}.policies.{pid}", "missing.", "Add a one-line `{en, fa}` cue for this general policy.")
        else:
            c.pair(f"{where}.policies.{pid}", cues[pid])


def codebook_for(tax: Taxonomy, path: str | Path | None = None) -> Codebook | None:
    """The codebook written for ``tax``, or None when there is no codebook file or it is for another taxonomy.

    A codebook meant for ``tax`` that does not fit raises ``CodebookError`` (fields to fix)."""
    path = Path(path or default_codebook_path())
    if not path.exists():
        return None
    doc = read_codebook(path)
    fits = doc.get("taxonomy")
    if not isinstance(fits, Mapping) or fits.get("name") != tax.name:
        return None
    return load_codebook(path, taxonomy=tax)


def load_codebook(path: str | Path | None = None, taxonomy: Taxonomy | None = None) -> Codebook:
    """Load the codebook (default: ``codebook.yaml`` next to the taxonomy) and check it against ``taxonomy``."""
    path = Path(path or default_codebook_path())
    doc = read_codebook(path)
    tax = taxonomy or load_taxonomy()
    bad = errors(check_codebook(doc, tax))
    if bad:
        raise CodebookError(f"{path}: the codebook does not fit taxonomy {tax.name} {tax.version}; fix these fields:",
                            bad)
    fits = doc["taxonomy"]
    return Codebook(name=str(doc["name"]), version=str(doc["version"]), taxonomy_name=str(fits["name"]),
                    taxonomy_version=str(fits.get("version")), doc=doc)
