import pytest

from pipeline.lang.glossary import Glossary


@pytest.mark.parametrize("term, english", [
    ("شهرهای خواهرخوانده", "sister cities"), ("شهرهای خواهر خوانده", "sister cities"),
    ("بین‌المللی", "international"), ("بینالمللی", "international"), ("بين المللي", "international"),
    ("گردشگری سلامت", "health tourism"), ("زائران", "pilgrims"), ("شانگهای", "Shanghai"),
    ("ناشناخته‌ای", None),
])
def test_terms_match_whatever_the_spacing_and_letter_forms(term, english):
    assert Glossary.load().translate(term) == english


def test_translate_terms_follows_the_leading_terms_without_repeats():
    g = Glossary.load()
    terms = ["شهرهای خواهرخوانده", "خواهرخوانده", "ناشناخته", "مراکز علمی", "زائران", "حرم"]
    assert g.translate_terms(terms, 2, window=3) == ["sister cities"]  # only the first 3 terms are read
    assert g.translate_terms(terms, 3) == ["sister cities", "scientific centres", "pilgrims"]
    assert g.translate_terms(["ناشناخته"], 3) == []


def test_a_malformed_glossary_names_the_line(tmp_path):
    p = tmp_path / "g.tsv"
    p.write_text("fa\ten\nشهر\tcity\nبی‌ترجمه\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"g.tsv:3: expected 'Persian<TAB>English'"):
        Glossary.load(p)
