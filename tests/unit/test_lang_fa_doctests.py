"""pipeline.lang.fa holds the Persian characters and foldings once; its doctests are real assertions."""

import doctest

import pipeline.lang.fa as fa


def test_fa_doctests_pass():
    result = doctest.testmod(fa)
    assert result.attempted > 0
    assert result.failed == 0


def test_no_module_redefines_zwnj():
    # ZWNJ is named once; the others import it (the issue found it in 8 modules).
    from pipeline.extract import bidi, html, metrics
    from pipeline.nlp import gazetteer, jalali
    from pipeline.normalise import chars
    from pipeline.themes import vectorizer

    for module in (bidi, html, metrics, gazetteer, jalali, chars, vectorizer):
        assert module.ZWNJ is fa.ZWNJ, module.__name__
