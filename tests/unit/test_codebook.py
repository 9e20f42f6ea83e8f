"""The coders' codebook: the committed file fits the taxonomy; broken copies fail naming the field to fix."""

import copy

import pytest
import yaml

from pipeline.taxonomy import load_taxonomy
from pipeline.taxonomy.codebook import (
    MAX_BYTES,
    REQUIRED_PAIRS,
    CodebookError,
    default_codebook_path,
    load_codebook,
    read_codebook,
)


@pytest.fixture(scope="module")
def tax():
    return load_taxonomy()


@pytest.fixture(scope="module")
def real_doc():
    return read_codebook(default_codebook_path())


def test_committed_codebook_covers_every_goal_policy_and_pair(tax):
    cb = load_codebook(taxonomy=tax)
    assert (cb.taxonomy_name, cb.taxonomy_version) == (tax.name, tax.version)
    goals = [g.node_id for g in tax.goals()]
    assert sorted(cb.doc["goals"]) == sorted(goals)
    for n in tax.nodes:
        if n.level == "general_policy":
            cue = cb.policy_cue(n.node_id)
            assert cue["en"].strip() and cue["fa"].strip()
    pairs = {frozenset(p["pair"]) for p in cb.doc["confusable_pairs"]}
    assert {frozenset(p) for p in REQUIRED_PAIRS} <= pairs
    for gid in goals:
        g = cb.goal(gid)
        assert g["definition_en"].strip() and g["definition_fa"].strip()
        assert g["includes"] and g["excludes"] and g["examples"]
        assert g["actors"]["fa"] and g["verbs"]["en"]
    # mentions of a municipality / sister city without an aim are ruled outside, with examples
    assert any("sister" in ex["en"] for ex in cb.doc["outside"]["examples"])


def test_descriptions_are_bilingual_for_every_code_level(tax):
    cb = load_codebook(taxonomy=tax)
    goal = cb.describe("G05")
    assert "competitive advantages" in goal and "مزیت" in goal
    assert "-> G15" in goal  # excludes point to where the statement belongs
    policy = cb.describe("G09.GP3")
    assert "Sister-city" in policy and "خواهرخواندگی" in policy and "G09" in policy
    assert "sanctions" in cb.describe("P4") and "تحریم" in cb.describe("P4")
    assert cb.describe("G09.GP3.E1") is None  # executive policies have no entry of their own


def _broken(tmp_path, doc, edit):
    doc = copy.deepcopy(doc)
    edit(doc)
    path = tmp_path / "codebook.yaml"
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    path.write_text(yaml.dump(doc, Dumper=dumper, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def _drop_pair(doc, a, b):
    doc["confusable_pairs"] = [p for p in doc["confusable_pairs"] if set(p["pair"]) != {a, b}]


BREAKS = [
    ("empty Persian definition", lambda d: d["goals"]["G05"].update(definition_fa=""),
     "goals.G05.definition_fa: empty or missing"),
    ("missing policy cue", lambda d: d["goals"]["G09"]["policies"].pop("G09.GP3"),
     "goals.G09.policies.G09.GP3: missing"),
    ("cue under the wrong goal", lambda d: d["goals"]["G01"]["policies"].update({"G02.GP1": {"en": "x", "fa": "ب"}}),
     "goals.G01.policies.G02.GP1: is not a general policy of G01"),
    ("exclude points nowhere", lambda d: d["goals"]["G01"]["excludes"][0].update(see="G99"),
     "goals.G01.excludes[0].see: 'G99' is not another goal id"),
    ("unknown alternative", lambda d: d["goals"]["G03"].update(acceptable_alternatives=["G03"]),
     "goals.G03.acceptable_alternatives[0]: 'G03' is not another goal id"),
    ("goal missing", lambda d: d["goals"].pop("G16"), "goals.G16: missing"),
    ("goal not in taxonomy", lambda d: d["goals"].update(G17=d["goals"]["G16"]), "goals.G17: is not a goal"),
    ("required pair missing", lambda d: _drop_pair(d, "G06", "G15"), "no rule for G06/G15"),
    ("pair example on a third goal", lambda d: d["confusable_pairs"][0]["examples"][1].update(goal="G13"),
     "confusable_pairs[0].examples[1].goal: 'G13' is not one of the pair"),
    ("English field in Persian", lambda d: d["goals"]["G02"]["label"].update(en="روایت"),
     "goals.G02.label.en: is not English text"),
    ("Persian field in English", lambda d: d["goals"]["G04"]["includes"][1].update(fa="Registers"),
     "goals.G04.includes[1].fa: has no Persian letters"),
    ("empty actor list", lambda d: d["goals"]["G07"]["actors"].update(fa=[]), "goals.G07.actors.fa: expected a list"),
    ("outside example without a rule", lambda d: d["outside"]["examples"][0].update(why="O99"),
     "outside.examples[0].why: 'O99' is not an outside rule id"),
    ("macro-problem missing", lambda d: d["macro_problems"].pop("P3"), "macro_problems.P3: missing"),
    ("other taxonomy", lambda d: d["taxonomy"].update(name="tehran-2020"), "taxonomy.name: is 'tehran-2020'"),
]


@pytest.mark.parametrize("what,edit,expected", BREAKS, ids=[b[0] for b in BREAKS])
def test_a_broken_codebook_names_the_field(tmp_path, tax, real_doc, what, edit, expected):
    path = _broken(tmp_path, real_doc, edit)
    with pytest.raises(CodebookError) as err:
        load_codebook(path, taxonomy=tax)
    msg = str(err.value)
    assert str(path) in msg.splitlines()[0]
    assert expected in msg


def test_newer_taxonomy_version_is_only_a_warning(tmp_path, tax, real_doc):
    path = _broken(tmp_path, real_doc, lambda d: d["taxonomy"].update(version="0.9.0"))
    assert load_codebook(path, taxonomy=tax).taxonomy_version == "0.9.0"


@pytest.mark.parametrize("content,expected", [
    (b"goals: [unclosed\n", "not valid YAML"),
    (b"- just\n- a list\n", "expected a mapping"),
    ("goals: {}\n".encode("utf-16"), "not UTF-8"),
])
def test_unreadable_files_get_one_clear_error(tmp_path, tax, content, expected):
    path = tmp_path / "codebook.yaml"
    path.write_bytes(content)
    with pytest.raises(CodebookError, match=expected) as err:
        load_codebook(path, taxonomy=tax)
    assert str(path) in str(err.value)


def test_missing_and_oversized_files(tmp_path, tax):
    with pytest.raises(CodebookError, match="cannot read the codebook"):
        load_codebook(tmp_path / "nope.yaml", taxonomy=tax)
    big = tmp_path / "big.yaml"
    with big.open("wb") as f:
        f.truncate(MAX_BYTES + 1)
    with pytest.raises(CodebookError, match="at most"):
        load_codebook(big, taxonomy=tax)


def test_codebook_for_another_taxonomy_or_none_is_skipped_but_a_broken_one_is_an_error(tmp_path, tax, real_doc):
    from pipeline.taxonomy.codebook import codebook_for

    assert codebook_for(tax, tmp_path / "absent.yaml") is None
    other = _broken(tmp_path, real_doc, lambda d: d["taxonomy"].update(name="tehran-2020"))
    assert codebook_for(tax, other) is None
    broken = _broken(tmp_path, real_doc, lambda d: d["goals"]["G12"].pop("excludes"))
    with pytest.raises(CodebookError, match=r"goals\.G12\.excludes: expected a list"):
        codebook_for(tax, broken)
    assert codebook_for(tax).name == "mashhad-2023-codebook"
