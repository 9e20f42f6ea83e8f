"""The report's "Outside the taxonomy" section and codebook appendix, from a real store."""

import json
import re
from html import escape

import pytest

from corpus.ingest import ingest_paths
from corpus.reporting import report_data, statement_rows
from pipeline.report.html import render
from pipeline.themes.model import Theme, ThemeAssignment, ThemeResult
from pipeline.types import Statement

EVIL = '<script>alert("x")</script>'
CB_EVIL = "<script>alert('x')</script>"  # inside a double-quoted YAML string
# (text, lang, page, theme, abstained or None for no classification, theme probability)
PLAN = [
    ("Isfahan plan for sister cities", "en", 1, -1, None, 0.0),
    ("The municipality will open a trade office in Xi'an to attract investment.", "en", 1, 0, False, 0.9),
    ("The football team won 2-0 on Monday.", "en", 2, 1, True, 0.9),
    ("شهرداری اصفهان دفتر گردشگری در شیان باز می‌کند تا گردشگران چینی را جذب کند.", "fa", 2, 0, False, 0.8),
    ("هوای شهر امروز آلوده است.", "fa", 3, 1, True, 0.7),
    ("The metro line will be extended to the airport.", "en", 3, 1, True, 0.8),
    ("Born in 1962, he served two terms on the council.", "en", 4, 1, True, 0.6),
    ("Mashhad and Kazan signed a sister-city agreement in 2014.", "en", 4, 0, True, 0.5),
    (f"The mayor met the consul {EVIL} on Monday.", "en", 5, -1, True, 0.0),
]


@pytest.fixture
def analysed(store, tmp_path):
    """A stored document with statements, classifications (some abstained, one missing) and saved themes."""
    src = tmp_path / "plan.txt"
    src.write_text("\n\n".join(p[0] for p in PLAN) + "\n", encoding="utf-8")
    ingest_paths([src], store, city="Isfahan", kind="plan")
    (doc_id,) = store.document_ids()
    text = store.get_document(doc_id).text
    sts = []
    for i, (t, lang, page, *_rest) in enumerate(PLAN):
        start = text.index(t)
        sts.append(Statement(doc_id, i, "sentence", start, start + len(t), t, t, lang, page=page))
    store.put_statements(doc_id, sts, segmenter_version="test", city="Isfahan", city_source="metadata")
    sts = store.statements()
    store.put_classifications([
        {"doc_id": doc_id, "idx": st.index, "classifier_key": "k", "text_hash": st.text_hash,
         "macro_id": "P4", "goal_id": "G16", "policy_id": None, "conf_macro": 0.9, "conf_goal": 0.1 if ab else 0.8,
         "conf_policy": None, "in_domain": 0.2 + st.index / 100, "abstained": int(ab), "detail": json.dumps({})}
        for st, (*_x, ab, _p) in zip(sts, PLAN, strict=True) if ab is not None])
    themes = ThemeResult(
        themes=(Theme(0, "Trade and tourism offices", "دفتر تجاری", ("دفتر", "تجارت"), ("office",), 3, ()),
                Theme(1, "City life", "زندگی شهری", ("شهر", "هوا"), ("city",), 4, ())),
        assignments=tuple(ThemeAssignment(st.statement_id, p[3], p[5]) for st, p in zip(sts, PLAN, strict=True)))
    return store, themes, sts


def test_outside_section_counts_shares_and_examples(analysed):
    store, themes, sts = analysed
    out = report_data(store, statement_rows(store, themes), themes).outside
    assert (out.n_classified, out.n_outside, out.n_no_theme, out.n_unclassified) == (8, 6, 1, 1)
    assert out.share == pytest.approx(6 / 8)
    assert [t.theme_id for t in out.themes] == ["T1", "T0"]  # most outside first
    city, offices = out.themes
    assert (city.n_outside, city.n_classified, city.share) == (4, 4, 1.0)
    assert (offices.n_outside, offices.n_classified) == (1, 3) and offices.share == pytest.approx(1 / 3)
    assert city.label_en == "City life" and city.label_fa == "زندگی شهری" and city.terms == ("شهر", "هوا")
    # at most 3 examples, the theme's most typical first, each with document, page and statement id
    assert [x.statement_id for x in city.examples] == [sts[2].statement_id, sts[5].statement_id, sts[4].statement_id]
    assert [x.page for x in city.examples] == [2, 3, 3]
    assert {x.doc_id for x in city.examples} == {sts[0].doc_id}
    assert city.examples[2].text == PLAN[4][0] and city.examples[2].lang == "fa"
    assert [x.text for x in offices.examples] == [PLAN[7][0]]
    assert [x.statement_id for x in out.no_theme_examples] == [sts[8].statement_id]


def test_without_themes_every_outside_statement_is_in_no_theme(analysed):
    store, _themes, _sts = analysed
    out = report_data(store, statement_rows(store)).outside
    assert out.themes == () and out.n_no_theme == out.n_outside == 6
    assert len(out.no_theme_examples) == 3


def test_outside_examples_are_clipped(analysed):
    from pipeline.report.sections import EXAMPLE_CHARS, outside_section

    row = {"statement_id": "d:s", "doc_id": "d" * 64, "page": None, "text": "x" * 5000, "lang": "en",
           "theme_id": None, "abstained": True, "in_domain": 0.1, "theme_probability": None}
    (x,) = outside_section([row]).no_theme_examples
    assert len(x.text) == EXAMPLE_CHARS and x.text.endswith("…")


@pytest.fixture
def codebook_with_evil(tmp_path):
    from pipeline.taxonomy import load_taxonomy
    from pipeline.taxonomy.codebook import default_codebook_path, load_codebook

    tax = load_taxonomy()
    text = default_codebook_path().read_text(encoding="utf-8")
    assert "Unit: one statement" in text
    path = tmp_path / "codebook.yaml"
    path.write_text(text.replace("Unit: one statement", f"Unit {CB_EVIL}: one statement", 1), encoding="utf-8")
    return tax, load_codebook(path, taxonomy=tax)


def test_codebook_appendix_carries_the_codebooks_own_fields(analysed, codebook_with_evil):
    store, themes, _sts = analysed
    tax, cb = codebook_with_evil
    app = report_data(store, statement_rows(store, themes, tax), themes, tax, codebook=cb).codebook
    assert (app.name, app.version, app.taxonomy) == ("mashhad-2023-codebook", cb.version, "mashhad-2023 1.0.0")
    assert [g.goal_id for g in app.goals] == [n.node_id for n in tax.goals()]
    g05 = next(g for g in app.goals if g.goal_id == "G05")
    raw = cb.goal("G05")
    assert g05.definition.en == raw["definition_en"].strip() and g05.definition.fa == raw["definition_fa"].strip()
    assert g05.label.fa == raw["label"]["fa"]
    assert [i.fa for i in g05.includes] == [i["fa"] for i in raw["includes"]]
    assert [(e.text.en, e.see) for e in g05.excludes] == [(e["en"], e["see"]) for e in raw["excludes"]]
    assert g05.actors_fa == tuple(raw["actors"]["fa"]) and g05.verbs_en == tuple(raw["verbs"]["en"])
    assert [p.rule_id for p in g05.policies] == list(raw["policies"])
    pairs = {frozenset(p.goals) for p in app.pairs}
    assert {frozenset(("G11", "G12")), frozenset(("G05", "G15")), frozenset(("G01", "G07"))} <= pairs
    assert [r.rule_id for r in app.outside_rules] == [r["id"] for r in cb.doc["outside"]["rules"]]
    assert app.general_rules[0].text.en.startswith(f"Unit {CB_EVIL}")


def test_report_html_shows_outside_section_and_codebook_escaped(analysed, codebook_with_evil):
    store, themes, sts = analysed
    tax, cb = codebook_with_evil
    html = render(report_data(store, statement_rows(store, themes, tax), themes, tax, codebook=cb))
    assert EVIL not in html and CB_EVIL not in html and "<script>alert" not in html
    outside = html.split('<section id="outside">')[1].split("</section>")[0]
    assert 'Outside the taxonomy <span class="fa" dir="rtl" lang="fa">بیرون از طبقه‌بندی</span>' in outside
    assert "The mayor met the consul &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; on Monday." in outside
    assert re.search(r'<blockquote dir="rtl" class="fa">هوای شهر امروز آلوده است.</blockquote>', outside)
    assert "<td>4</td><td>4</td><td>100%</td>" in outside and "<td>1</td><td>3</td><td>33%</td>" in outside
    assert f"p. 2, statement <code>{sts[2].statement_id}</code>" in outside
    assert outside.index('id="outside-T1"') < outside.index('id="outside-T0"') < outside.index('id="outside-none"')
    book = html.split('<section id="codebook">')[1].split("</section>")[0]
    assert "پیوست: دستورالعمل کدگذاری" in book
    assert "Unit &lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;: one statement" in book
    g05 = cb.goal("G05")
    assert 'id="cb-G05"' in book and escape(g05["label"]["en"]) in book
    for text in (g05["definition_en"].strip(), g05["includes"][0]["fa"], g05["actors"]["en"][0]):
        assert escape(text) in book
    assert f'<td dir="rtl" class="fa" lang="fa">{escape(g05["definition_fa"].strip())}</td>' in book
    assert "<h4>G11 / G12</h4>" in book and escape(cb.doc["outside"]["rules"][0]["en"]) in book
    assert 'href="#outside"' in html and 'href="#codebook"' in html


def test_report_without_a_codebook_says_so_in_one_line(analysed):
    store, themes, _sts = analysed
    html = render(report_data(store, statement_rows(store, themes), themes))
    book = html.split('<section id="codebook">')[1].split("</section>")[0]
    assert "No codebook fits this taxonomy" in book and "<details" not in book


def test_written_report_has_both_sections(analysed, tmp_path):
    """The main job's writer loads the codebook once for the report and the REFI-QDA export."""
    from corpus.job import write_outputs
    from pipeline.taxonomy import load_taxonomy

    store, themes, _sts = analysed
    paths = write_outputs(store, tmp_path / "out", themes, load_taxonomy())
    html = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert 'id="outside"' in html and 'id="cb-G16"' in html and "qdpx" in paths
