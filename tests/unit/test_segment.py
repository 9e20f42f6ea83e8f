"""Statements: sentence splitting in Persian and English, cells, list items, headings, raw offsets."""

import sys
from collections import Counter
from pathlib import Path

import pytest

from pipeline.extract import extract
from pipeline.extract.builder import DocumentBuilder
from pipeline.segment import (
    LONG_UNIT,
    default_normaliser,
    minimal_normalise,
    segment_document,
    split_sentences_en,
    split_sentences_fa,
)

SAMPLES = Path(__file__).resolve().parents[2] / "corpus" / "samples"


@pytest.fixture(scope="module")
def samples():
    out = {}
    for path in sorted(SAMPLES.glob("*.txt")):
        doc = extract(path)
        out[path.name[:3]] = (doc, segment_document(doc, minimal_normalise))
    return out


def _fa(text):
    return [text[s:e] for s, e in split_sentences_fa(text)]


def _en(text):
    return [text[s:e] for s, e in split_sentences_en(text)]


# -- Persian splitter ---------------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("جمله اول است. جمله دوم است؟ بله!", ["جمله اول است.", "جمله دوم است؟", "بله!"]),
        # «و...» means «etc.» inside a sentence (hazm splits here)
        ("روابط اقتصادی، فرهنگی و... بهمنظور تأمین منافع شهری اهمیت یافته است. دوم.",
         ["روابط اقتصادی، فرهنگی و... بهمنظور تأمین منافع شهری اهمیت یافته است.", "دوم."]),
        # four dots: «etc.» and a full stop
        ("ظرفیتهای فکری، فرهنگی، اقتصادی و.... برگزاری جشنوارههای مشترک", [
            "ظرفیتهای فکری، فرهنگی، اقتصادی و....", "برگزاری جشنوارههای مشترک"]),
        # citations: periods inside parentheses and after «p.»/«ص.» do not end a sentence
        ("شهرها مسئول ۸۰ درصد تولید هستند (Marchetti, 2021, p. 2). دیپلماسی (قاسمی، ۱۳۹۸، ص. ۸۸) مهم است.",
         ["شهرها مسئول ۸۰ درصد تولید هستند (Marchetti, 2021, p. 2).", "دیپلماسی (قاسمی، ۱۳۹۸، ص. ۸۸) مهم است."]),
        # enumerations: a leading «۲-۲.» and inline «۱. … ۲.»
        ("۲-۲. اهداف و سیاستهای متناظر", ["۲-۲. اهداف و سیاستهای متناظر"]),
        ("اهداف پنجگانه ۱. ارتباطات مؤثر، ۲. شناسایی تسهیلگران تعریف شد. بعدی.",
         ["اهداف پنجگانه ۱. ارتباطات مؤثر، ۲. شناسایی تسهیلگران تعریف شد.", "بعدی."]),
        # a no-break space after the period (hazm only splits on space/newline)
        ("این اتفاق هستیم.\xa0هدف ما این بود.", ["این اتفاق هستیم.", "هدف ما این بود."]),
        # closing quotes stay with their sentence
        ("او گفت: «چین ساختار چندقطبی دارد.» سپس ادامه داد.", ["او گفت: «چین ساختار چندقطبی دارد.»", "سپس ادامه داد."]),
        # a blank line always separates
        ("بدون نقطه پایان\n\nپاراگراف بعدی", ["بدون نقطه پایان", "پاراگراف بعدی"]),
        # decimals and Latin initials
        ("رشد 3.5 درصد بود. H. Ramooz نوشت.", ["رشد 3.5 درصد بود.", "H. Ramooz نوشت."]),
    ],
)
def test_persian_sentences(text, expected):
    assert _fa(text) == expected


def test_persian_spans_are_offset_by_base():
    text = "اول است. دوم است."
    assert split_sentences_fa(text, base=100) == [(100, 108), (109, 117)]


# -- English splitter -----------------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Cities matter (Marchetti, 2021, p. 2). Dr. Smith et al. (2020) agree. Is it so? Yes.",
         ["Cities matter (Marchetti, 2021, p. 2).", "Dr. Smith et al. (2020) agree.", "Is it so?", "Yes."]),
        ('He asked: is it? "Yes." Next one (see Fig. 2) here.',
         ["He asked: is it?", '"Yes."', "Next one (see Fig. 2) here."]),
        ("Mehrabanifar, H. & Ramooz, E. wrote it in Mashhad, I.R.Iran. The end.",
         ["Mehrabanifar, H. & Ramooz, E. wrote it in Mashhad, I.R.Iran.", "The end."]),
    ],
)
def test_english_sentences(text, expected):
    assert _en(text) == expected


# -- statements from documents ------------------------------------------------------

def test_raw_is_an_exact_slice_of_every_sample(samples):
    for key, (doc, statements) in samples.items():
        assert statements, key
        assert [s.index for s in statements] == list(range(len(statements)))
        for s in statements:
            assert doc.text[s.start:s.end] == s.raw, (key, s.index)
            assert s.raw == s.raw.strip() and s.text == " ".join(s.text.split())
            assert "<p>" not in s.text and "</p>" not in s.text
            assert s.page == 1 and s.doc_id == doc.doc_id


def test_kinds_and_languages_per_sample(samples):
    counts = {k: Counter((s.kind, s.lang) for s in st) for k, (_, st) in samples.items()}
    # 000: Persian paper with an English abstract, 4 tables and references
    assert counts["000"][("sentence", "en")] >= 6
    assert counts["000"][("sentence", "fa")] >= 60
    assert counts["000"][("table_cell", "fa")] >= 150
    assert counts["000"][("reference", "en")] == 11       # English references (their own kind since seg3)
    assert counts["000"][("reference", "fa")] == 10
    # 001: plan with a table of cooperation themes
    assert counts["001"][("table_cell", "fa")] >= 20
    # 002-004: news, Persian sentences only (no table cells)
    for key in ("002", "003", "004"):
        kinds = {k for k, _ in counts[key]}
        assert kinds <= {"heading", "sentence", "list_item", "front_matter"}, key   # news ids, dates
        assert {lang for _, lang in counts[key]} == {"fa"}, key


def test_table_cells_keep_their_position_and_tags_are_dropped(samples):
    doc, statements = samples["000"]
    cells = [s for s in statements if s.kind == "table_cell"]
    assert all(s.table and s.row and s.col for s in cells)
    assert {s.table for s in cells} >= {1, 2, 3, 4}
    tagged = [s for s in cells if "<p>" in s.raw]
    assert tagged, "sample 000 has <p> tags inside table cells"
    for s in tagged:
        assert "<p>" not in s.text and s.text.replace(" ", "") in s.raw.replace("<p>", "").replace("</p>", "").replace(" ", "")
    # short header cells («مسائل», «هدف») are skipped, substantive cells kept
    texts = {s.text for s in cells}
    assert "هدف" not in texts and "سیاستهای کلی" not in texts
    assert "دستیابی به شناخت جامع و واقعگرایانه از وضعیت و ظرفیتهای کشورهای منطقه و جهان" in texts


def test_headings_are_statements_and_context(samples):
    _, statements = samples["004"]
    headings = [s for s in statements if s.kind == "heading"]
    assert headings[0].text == "شانگهای؛ آغازگر فصل تازه در روابط اصفهان و چین"
    after = statements[headings[0].index + 1]
    assert after.heading == headings[0].text and after.kind == "sentence"
    _, statements = samples["001"]
    [md] = [s for s in statements if s.raw.startswith("#")]
    assert md.kind == "heading" and md.raw == "# شهروند دیپلمات"
    assert md.text == "شهروند دیپلمات"   # Markdown «#» dropped from text, kept in raw
    assert statements[md.index + 1].heading == "شهروند دیپلمات"


def test_english_abstract_sentences(samples):
    _, statements = samples["000"]
    english = [s.text for s in statements if s.lang == "en" and s.kind == "sentence"]
    assert any(t.startswith("Among the cities of Iran, Mashhad") and t.endswith("this region.") for t in english)


def _doc(blocks):
    b = DocumentBuilder("ab" * 32, "x.txt", "text/plain", "text")
    for kind, value in blocks:
        if kind == "table":
            b.add_table(value)
        else:
            b.add_block(value, kind=kind)
    return b.build()


def test_long_cells_are_split_short_ones_kept_whole():
    long_cell = "<p>" + "سیاست شهری و دیپلماسی شهری در اصفهان. " * 12 + "</p> <p>بند دوم این خانه است و ادامه دارد.</p>"
    assert len(long_cell) > LONG_UNIT
    short_cell = "جمله اول کوتاه است. جمله دوم هم کوتاه است."
    doc = _doc([("heading", "جدول سیاستها"), ("table", [[long_cell, short_cell]]),
                ("list_item", "- یک مورد فهرست با چند کلمه"), ("paragraph", "خیلی کوتاه")])
    st = segment_document(doc, minimal_normalise)
    cells = [s for s in st if s.kind == "table_cell"]
    assert [(s.row, s.col) for s in cells] == [(1, 1)] * 13 + [(1, 2)]
    assert cells[-1].text == short_cell
    assert cells[-2].text == "بند دوم این خانه است و ادامه دارد."
    assert all(doc.text[s.start:s.end] == s.raw for s in st)
    assert [s.kind for s in st] == ["heading", *["table_cell"] * 14, "list_item"]   # «خیلی کوتاه» skipped
    assert all(s.heading == "جدول سیاستها" for s in st[1:])


def test_normaliser_is_applied_to_text_only():
    doc = _doc([("paragraph", "شهرداري تهران همكاري مي كند. Tehran cooperates with Seoul.")])
    seen = []

    def norm(text, lang=None):
        seen.append(lang)
        return text.replace("ي", "ی").replace("ك", "ک").upper()

    st = segment_document(doc, norm)
    assert [s.text for s in st] == ["شهرداری تهران همکاری می کند.", "TEHRAN COOPERATES WITH SEOUL."]
    assert [s.raw for s in st] == ["شهرداري تهران همكاري مي كند.", "Tehran cooperates with Seoul."]
    assert [s.lang for s in st] == ["fa", "en"] and seen == ["fa", "en"]
    # a one-argument callable works too
    assert segment_document(doc, str.strip)[0].text == "شهرداري تهران همكاري مي كند."


def test_default_normaliser_falls_back_when_the_module_is_missing(monkeypatch):
    monkeypatch.setitem(sys.modules, "pipeline.normalise", None)   # import raises ImportError
    assert default_normaliser() is minimal_normalise
    assert minimal_normalise("  دو   کلمه\n") == "دو کلمه"


def test_default_normaliser_uses_the_project_normaliser_text(monkeypatch):
    import types

    class Result:
        def __init__(self, text):
            self.text = text

    fake = types.ModuleType("pipeline.normalise")
    fake.normalise = lambda text, lang=None: Result(f"{lang}:{text.strip()}")
    monkeypatch.setitem(sys.modules, "pipeline.normalise", fake)
    norm = default_normaliser()
    assert norm(" متن ", lang="fa") == "fa:متن"
    doc = _doc([("paragraph", "شهرداری اصفهان با شانگهای تفاهم‌نامه امضا کرد.")])
    assert segment_document(doc)[0].text == "fa:شهرداری اصفهان با شانگهای تفاهم‌نامه امضا کرد."
