"""pipeline.normalise: golden cases, steps, offset map, config, CLI."""

from __future__ import annotations

import doctest
import json
import re
import subprocess
import sys
from dataclasses import FrozenInstanceError, replace
from functools import reduce
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from pipeline.errors import ConfigError
from pipeline.normalise import STEPS, Normaliser, NormaliserConfig, OffsetMap, Protected, normalise
from pipeline.normalise.offsets import apply_edits

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = json.loads((ROOT / "tests" / "golden" / "normalise_cases.json").read_text(encoding="utf-8"))["cases"]
SEEDS = sorted((ROOT / "corpus" / "samples").glob("*.txt"))
ZWNJ = "\u200c"


@pytest.fixture(scope="module")
def seeds() -> list[str]:
    return [p.read_text(encoding="utf-8") for p in SEEDS]


@pytest.mark.parametrize("case", GOLDEN, ids=[c["label"] for c in GOLDEN])
def test_golden(case):
    assert normalise(case["original"]).text == case["expected"], case["comment"]


def test_golden_table_has_negatives_and_protected_patterns():
    unchanged = [c for c in GOLDEN if c["original"] == c["expected"]]
    assert len(unchanged) >= 15
    originals = " ".join(c["original"] for c in GOLDEN)
    for pattern in ("10.30497/RC.2023.243808.1943", "https://example.com/a_b?x=1", "info@example.com",
                    "COVID-19", "3.5", "۲۵٪", "40%", "\t", "«خانهٔ»"):
        assert pattern in originals


def test_protection_is_what_keeps_a_persian_url_slug():
    text = "منبع: https://example.ir/اخبار/شهرداريها"
    assert normalise(text).text == text
    unprotected = normalise(text, config=replace(NormaliserConfig(), protect=False)).text
    assert unprotected == f"منبع: https://example.ir/اخبار/شهرداری{ZWNJ}ها"


def test_protected_spans_found():
    text = "doi: 10.30497/RC.2023.243808.1943 و info@example.com، COVID-19 و 3.5 و ۲۵٪ (https://a.io/x_y)."
    p = Protected.find(text)
    got = dict(zip(p.texts(text), p.kinds, strict=True))
    assert got["10.30497/RC.2023.243808.1943"] == "doi"
    assert got["info@example.com"] == "email"
    assert got["COVID-19"] == "latin"
    assert got["3.5"] == "number" and got["۲۵٪"] == "number"
    assert got["https://a.io/x_y"] == "url"  # trailing ")." is not part of the URL


def test_steps_are_reported_with_counts():
    result = normalise("كتابهاي علي\u200f میشود\u00a0و دولت ها")
    counts = {s.name: s.changes for s in result.steps}
    assert tuple(counts) == STEPS
    assert counts == {"strip_invisibles": 1, "map_spaces": 1, "fix_presentation_forms": 0, "fix_arabic_letters": 3,
                      "remove_kashida": 0, "remove_diacritics": 0, "clean_zwnj": 0, "restore_zwnj": 3}
    assert [e["step"] for e in result.explain()] == ["strip_invisibles", "map_spaces", "fix_arabic_letters",
                                                      "restore_zwnj"]
    assert result.text == f"کتاب{ZWNJ}های علی می{ZWNJ}شود و دولت{ZWNJ}ها"


def test_replaying_public_steps_reproduces_normalise(seeds):
    n = Normaliser()
    for raw in seeds:
        assert reduce(lambda text, name: getattr(n, name)(text), STEPS, raw) == n.normalise(raw).text


def test_seeds_keep_structure_and_gain_zwnj(seeds):
    for raw in seeds:
        out = normalise(raw).text
        assert out.count("\n") == raw.count("\n") and out.count("\t") == raw.count("\t")
        assert ZWNJ not in raw and out.count(ZWNJ) > 50
        # only ZWNJ/space edits and the character fixes: the letters are the same
        assert re.sub(f"[ {ZWNJ}\u064b-\u0652\u00a0]", "", out).replace("ی", "ي") == \
            re.sub(f"[ {ZWNJ}\u064b-\u0652\u00a0]", "", raw).replace("ی", "ي").replace("ى", "ي")


def _fold(s: str) -> str:
    return s.replace(ZWNJ, "").replace(" ", "")


def test_offset_map_round_trips_every_token_of_the_seeds(seeds):
    n = Normaliser()
    for raw in seeds:
        result = n.normalise(raw)
        tokens = list(re.finditer(r"\S+", result.text))
        exact = 0
        for m in tokens:
            a, b = result.to_raw(m.start(), m.end())
            assert 0 <= a <= b <= len(raw)
            again = n.normalise(raw[a:b]).text
            assert _fold(again) == _fold(m.group())  # same letters, whatever the context-dependent ZWNJ choice
            exact += again == m.group()
            s, e = result.from_raw(a, b)
            assert s <= m.start() and e >= m.end()
        assert exact / len(tokens) > 0.99


def test_offset_map_edits():
    text = "a\u200db ۀc"
    result = normalise(text)
    assert result.text == "ab هٔc"
    assert result.to_raw(0, 2) == (0, 3)  # "ab" covers the deleted ZWJ
    assert result.to_raw(3, 5) == (4, 5)  # "هٔ" came from the single raw "ۀ"
    assert result.to_raw(3, 4) == (4, 5)  # so does each of its two characters
    assert result.from_raw(4, 5) == (3, 5)
    assert result.from_raw(1, 2) == (1, 1)  # the deleted ZWJ maps to an empty span
    inserted = normalise("میشود")
    assert inserted.text == f"می{ZWNJ}شود" and inserted.to_raw(2, 3) == (2, 2)
    assert inserted.to_raw(0, 6) == (0, 5) and inserted.from_raw(0, 5) == (0, 6)


def test_apply_edits_rejects_overlaps():
    with pytest.raises(ValueError, match="overlaps"):
        apply_edits("abcd", OffsetMap.identity(4), [(0, 2, "x"), (1, 3, "y")])
    with pytest.raises(ValueError, match="outside"):
        OffsetMap.identity(3).to_raw(2, 5)


def test_config_flags_and_errors():
    text = "كتاب میشود"
    assert normalise(text, config=replace(NormaliserConfig(), restore_zwnj=False)).text == "کتاب میشود"
    assert normalise(text, config=replace(NormaliserConfig(), fix_arabic_letters=False)).text == f"كتاب می{ZWNJ}شود"
    with pytest.raises(FrozenInstanceError):
        NormaliserConfig().protect = False  # type: ignore[misc]
    with pytest.raises(ConfigError, match="NormaliserConfig"):
        Normaliser(config={"protect": False})  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="lang"):
        normalise(text, lang="farsi")
    with pytest.raises(TypeError, match="Decode bytes"):
        normalise(b"abc")  # type: ignore[arg-type]


def test_lang_en_skips_persian_steps():
    text = "علي\u200e میشود"
    assert normalise(text, lang="en").text == "علي میشود"
    assert normalise(text, lang="fa").text == f"علی می{ZWNJ}شود"
    assert normalise("", lang="fa").text == ""


def test_import_is_cheap_and_lazy():
    code = ("import sys, pipeline.normalise as n; n.Normaliser(); "
            "print(any(m == 'hazm' or m.startswith('hazm.') for m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_doctests_run():
    import pipeline.normalise.chars as chars
    import pipeline.normalise.evaluate as evaluate
    import pipeline.normalise.normaliser as normaliser
    import pipeline.normalise.offsets as offsets
    import pipeline.normalise.protect as protect
    import pipeline.normalise.zwnj as zwnj

    for module in (chars, evaluate, normaliser, offsets, protect, zwnj):
        result = doctest.testmod(module)
        assert result.failed == 0, module.__name__
        assert result.attempted > 0, module.__name__


@pytest.fixture()
def cli():
    from udiplo.commands.normalise import register

    app = typer.Typer()
    register(app)

    @app.command("noop")  # a second command keeps typer in multi-command mode, as in udiplo
    def noop() -> None:
        pass

    return app


def test_cli_reads_stdin_writes_stdout(cli):
    r = CliRunner().invoke(cli, ["normalise"], input="دولت ها میشود\tCOVID-19\n")
    assert r.exit_code == 0, r.output
    assert r.stdout == f"دولت{ZWNJ}ها می{ZWNJ}شود\tCOVID-19\n"


def test_cli_explain_and_json(cli):
    r = CliRunner().invoke(cli, ["normalise", "--explain"], input="كتاب میشود")
    assert r.exit_code == 0
    assert r.stdout == f"کتاب می{ZWNJ}شود"
    assert "fix_arabic_letters" in r.stderr and "restore_zwnj" in r.stderr
    r = CliRunner().invoke(cli, ["normalise", "--json", "--no-zwnj"], input="كتاب میشود")
    data = json.loads(r.stdout)
    assert data["text"] == "کتاب میشود" and data["changed"] is True
    assert [s["step"] for s in data["steps"]] == ["fix_arabic_letters"]
    r = CliRunner().invoke(cli, ["normalise", "--lang", "xx"], input="a")
    assert r.exit_code == 1 and "lang" in r.stderr
    assert "stdin" in CliRunner().invoke(cli, ["normalise", "--help"]).stdout
