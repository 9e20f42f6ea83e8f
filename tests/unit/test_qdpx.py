import zipfile
from xml.etree import ElementTree as ET

import pytest

from pipeline.report.qdpx import NS, Code, Coding, Source, guid, write_qdpx

TEXT = "شهرداری اصفهان با شهرهای خواهرخوانده همکاری می‌کند. Isfahan and Xi'an are sister cities."


def test_qdpx_has_codebook_sources_and_coded_selections(tmp_path):
    codes = [Code("P1", "P1 cognitive deficit"), Code("G01", "G01 self-awareness", "P1", "goal 1")]
    sources = [Source("d" * 64, "roadmap.txt", TEXT)]
    codings = [Coding("d" * 64, 0, TEXT.index(".") + 1, "G01", 0.81)]
    path = write_qdpx(tmp_path / "out.qdpx", codes, sources, codings)
    with zipfile.ZipFile(path) as z:
        names = set(z.namelist())
        root = ET.fromstring(z.read("project.qde"))
        src_guid = guid("source", "d" * 64)
        assert f"sources/{src_guid}.txt" in names
        plain = z.read(f"sources/{src_guid}.txt").decode("utf-8")
    ns = {"q": NS}
    top = root.findall("q:CodeBook/q:Codes/q:Code", ns)
    assert [c.get("name") for c in top] == ["P1 cognitive deficit"]
    assert [c.get("name") for c in top[0].findall("q:Code", ns)] == ["G01 self-awareness"]
    sel = root.find("q:Sources/q:TextSource/q:PlainTextSelection", ns)
    start, end = int(sel.get("startPosition")), int(sel.get("endPosition"))
    assert plain[start:end] == "شهرداری اصفهان با شهرهای خواهرخوانده همکاری می‌کند."
    assert sel.find("q:Coding/q:CodeRef", ns).get("targetGUID") == guid("code", "G01")
    assert "0.81" in sel.find("q:Description", ns).text


def test_codings_outside_the_text_are_refused(tmp_path):
    with pytest.raises(ValueError, match="outside source"):
        write_qdpx(tmp_path / "x.qdpx", [Code("G", "G")], [Source("a" * 64, "a", "abc")],
                   [Coding("a" * 64, 1, 10, "G")])
    assert not (tmp_path / "x.qdpx").exists()


def test_code_descriptions_carry_the_codebook_definitions(tmp_path):
    from pipeline.report.qdpx import taxonomy_codes
    from pipeline.taxonomy import load_codebook, load_taxonomy

    tax = load_taxonomy()
    cb = load_codebook(taxonomy=tax)
    codes = taxonomy_codes(tax, cb)
    assert len(codes) == 4 + 16 + 51
    path = write_qdpx(tmp_path / "cb.qdpx", codes, [Source("a" * 64, "a", "abc")], [])
    with zipfile.ZipFile(path) as z:
        root = ET.fromstring(z.read("project.qde"))
    ns = {"q": NS}
    desc = {c.get("name").split()[0]: c.find("q:Description", ns).text for c in root.iter(f"{{{NS}}}Code")}
    g05 = desc["G05"]
    assert cb.goal("G05")["definition_en"].strip() in g05 and cb.goal("G05")["definition_fa"].strip() in g05
    assert "-> G15" in g05  # what is out and where it goes
    assert cb.policy_cue("G09.GP3")["en"] in desc["G09.GP3"] and cb.policy_cue("G09.GP3")["fa"] in desc["G09.GP3"]
    assert "sanctions" in desc["P4"]
    # goals nest under their macro-problem, policies under their goal
    g09 = next(c for c in root.iter(f"{{{NS}}}Code") if c.get("name").startswith("G09 "))
    assert "G09.GP3" in [c.get("name").split()[0] for c in g09.findall("q:Code", ns)]


def test_without_a_codebook_codes_show_the_taxonomy_text():
    from pipeline.report.qdpx import taxonomy_codes
    from pipeline.taxonomy import load_taxonomy

    tax = load_taxonomy()
    by_id = {c.code_id: c for c in taxonomy_codes(tax)}
    assert by_id["G05"].description == tax.node("G05").text_fa


def test_a_broken_codebook_is_reported_and_the_export_goes_on(tmp_path, monkeypatch, caplog):
    import logging

    from corpus.reporting import write_exports
    from corpus.store import CorpusStore
    from pipeline.taxonomy import load_taxonomy
    from pipeline.taxonomy.codebook import default_codebook_path

    tax = load_taxonomy()
    broken = default_codebook_path().read_text(encoding="utf-8").replace("definition_fa:", "definition_xx:", 1)
    (tmp_path / "models" / "taxonomy").mkdir(parents=True)
    (tmp_path / "models" / "taxonomy" / "codebook.yaml").write_text(broken, encoding="utf-8")
    monkeypatch.setenv("UDIPLO_MODELS_DIR", str(tmp_path / "models"))
    with caplog.at_level(logging.WARNING, logger="udiplo.report"), CorpusStore.open(f"sqlite:///{tmp_path}/s.db") as store:
        paths = write_exports(store, [], tmp_path / "out", tax)
    assert "goals.G01.definition_fa: empty or missing" in caplog.text
    with zipfile.ZipFile(paths["qdpx"]) as z:
        root = ET.fromstring(z.read("project.qde"))
    g01 = next(c for c in root.iter(f"{{{NS}}}Code") if c.get("name").startswith("G01 "))
    assert g01.find(f"{{{NS}}}Description").text == tax.node("G01").text_fa
