"""PDF extraction: Persian LibreOffice fixtures against their reference text, a Chromium mixed
English/Persian file, bad input, and the right-to-left helpers on small tables of cases."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from pipeline.errors import CorruptFileError, EncryptedFileError, NeedsOCRError
from pipeline.extract import extract, extract_bytes
from pipeline.extract.bidi import (
    ZWNJ,
    LineText,
    choose_mirroring,
    fix_doi,
    fix_ltr_runs,
    logical_ltr,
    reading_order,
    relabel_zwnj,
    unshape,
)
from pipeline.extract.metrics import cer, edit_distance, score_document, zwnj_recovered
from pipeline.extract.pdf import pdf_meta

PDF = Path(__file__).resolve().parents[1] / "fixtures" / "pdf"
OTHER = PDF / "other"
REFERENCE = json.loads((PDF / "reference.json").read_text(encoding="utf-8"))
FIXTURES = ["dejavu_right", "nazli_right", "noto_naskh_right", "noto_sans_right", "noto_naskh_justify"]
# Targets from the brief: CER <= 0.02 right-aligned, <= 0.10 justified. Measured: 0.0000 on all five,
# so the test holds the measured level (with a little room) to catch regressions.
MAX_CER = 0.005


@pytest.fixture(scope="module")
def docs():
    return {name: extract(PDF / f"{name}.pdf") for name in FIXTURES}


# -- the five LibreOffice fixtures ------------------------------------------------------
@pytest.mark.parametrize("name", FIXTURES)
def test_fixture_meets_quality_targets(docs, name):
    doc = docs[name]
    score = score_document(doc, REFERENCE)
    assert score.cer <= MAX_CER, f"{name}: CER {score.cer:.4f}"
    assert score.zwnj == (19, 19, 0)  # recovered, expected, spurious
    assert (score.cells_right, score.cells_total) == (20, 20)
    assert score.blocks == ("heading",) + ("paragraph",) * 5


@pytest.mark.parametrize("name", FIXTURES)
def test_fixture_structure_offsets_and_mixed_runs(docs, name):
    doc = docs[name]
    assert doc.extractor == "pdf/pdfplumber" and doc.media_type == "application/pdf"
    assert [(p.number, p.start) for p in doc.pages] == [(1, 0)] and doc.pages[0].end == len(doc.text)
    assert all(doc.text[s.start:s.end] == s.text and s.page == 1 for s in doc.segments)
    paras = [s.text for s in doc.segments if s.kind == "paragraph"]
    assert paras[1] == REFERENCE["paras"][1]  # DOI, e-mail, «(focus group)», Persian year, all in order
    assert "10.30497/RC.2023.243808.1943" in paras[1] and "info@example.com" in paras[1]
    assert "40%" in paras[4] and "2023" in paras[4] and "۲۵٪" in paras[4]
    assert "لالیگا" in paras[3]  # lam-alef ligature in the right order
    assert "(cid:" not in doc.text
    # table text appears once, as cells, not in the paragraphs
    assert doc.text.count("زیرساخت") == 1 and not any("زیرساخت" in p for p in paras)
    cells = [s for s in doc.segments if s.kind == "table_cell"]
    assert [(c.row, c.col, c.text) for c in cells[:4]] == [(1, 1, "ردیف"), (1, 2, "سیاست"), (1, 3, "اولویت"),
                                                         (1, 4, "امتیاز")]
    assert {(c.table, c.heading) for c in cells} == {(1, REFERENCE["title"])}
    assert doc.warnings == ()


# -- a second producer: Chromium, English page + Persian page ---------------------------------
def test_chromium_mixed_english_and_persian_pages():
    doc = extract(OTHER / "mixed_en_fa_chromium.pdf")
    assert doc.meta.title == "City diplomacy of Isfahan"
    seg = [(s.page, s.kind, s.text) for s in doc.segments if s.kind != "table_cell"]
    assert seg[0] == (1, "heading", "City diplomacy of Isfahan")
    assert seg[1] == (1, "paragraph",
                      "Abstract. This study examines the international relations of Isfahan municipality "
                      "(شهرداری اصفهان) between 2015 and 2023, using 40 interviews and the DOI "
                      "10.30497/RC.2023.243808.1943 as a reference.")
    assert seg[2] == (1, "paragraph", "Keywords: city diplomacy, sister cities, Isfahan")
    assert seg[3] == (2, "heading", "دیپلماسی شهری اصفهان")
    # Chromium maps mirrored brackets to the glyph's look and uses presentation forms: both undone
    assert seg[4] == (2, "paragraph",
                      "این پژوهش روابط بین‌المللی شهرداری اصفهان را در سال‌های ۱۳۹۴ تا ۱۴۰۲ بررسی می‌کند و از ۴۰ "
                      "مصاحبه (interview) بهره می‌گیرد. شهرها به مرکز اقتصاد جهانی تبدیل شده‌اند و مسئول ۸۰ درصد "
                      "تولید ناخالص جهانی هستند (Marchetti, 2021, p. 2).")
    cells = [(s.page, s.row, s.col, s.text) for s in doc.segments if s.kind == "table_cell"]
    assert cells == [(2, 1, 1, "شهر"), (2, 1, 2, "سال"), (2, 1, 3, "سهم"), (2, 2, 1, "مشهد"), (2, 2, 2, "۱۴۰۱"),
                     (2, 2, 3, "۲۵٪"), (2, 3, 1, "اصفهان"), (2, 3, 2, "2022"), (2, 3, 3, "40%")]


def test_english_pdf_is_not_mangled_and_info_dict_is_read():
    doc = extract(OTHER / "english_minimal.pdf")
    assert [s.text for s in doc.segments] == ["City diplomacy in Mashhad.", "Sister cities and municipal networks."]
    assert doc.meta.title == "Municipal diplomacy note" and doc.meta.authors == ("Udiplo Tests",)


def test_pdf_meta_ignores_file_names_as_titles():
    assert pdf_meta({"Title": "Microsoft Word - plan.docx"}).title is None
    assert pdf_meta({"Title": b"  Tehran\x00 plan ", "Author": ""}) == pdf_meta({"Title": "Tehran plan"})


# -- bad input ---------------------------------------------------------------------------
def test_encrypted_pdf_needs_a_password():
    with pytest.raises(EncryptedFileError) as err:
        extract(OTHER / "encrypted.pdf")
    assert err.value.reason == "encrypted PDF: needs a password" and err.value.code == "encrypted"


def test_pdf_encrypted_with_an_empty_user_password_opens():
    assert "Sister cities" in extract(OTHER / "encrypted_owner_only.pdf").text


def test_image_only_pdf_needs_ocr():
    with pytest.raises(NeedsOCRError) as err:
        extract(OTHER / "image_only.pdf")
    assert err.value.reason == "no text layer on any of 1 pages: needs OCR"


def test_scanned_page_in_a_text_pdf_is_a_warning():
    doc = extract(OTHER / "text_then_scan.pdf")
    assert doc.warnings == ("page 2: no text layer (needs OCR)",)
    assert [p.number for p in doc.pages] == [1, 2] and doc.pages[1].start == doc.pages[1].end
    assert {s.page for s in doc.segments} == {1}


def test_truncated_and_garbage_pdfs_are_corrupt():
    with pytest.raises(CorruptFileError) as err:
        extract(OTHER / "truncated.pdf")
    assert err.value.reason.startswith("corrupt or truncated PDF: ") and "\n" not in str(err.value)
    with pytest.raises(CorruptFileError):
        extract_bytes(b"%PDF-1.7\nthis is not a PDF body at all\n", "junk.pdf")
    with pytest.raises(CorruptFileError):
        extract_bytes(b"<html>a web page saved as .pdf</html>", "page.pdf")


def test_any_truncation_gives_a_document_or_a_corrupt_file_error():
    data = (PDF / "nazli_right.pdf").read_bytes()
    for cut in random.Random(7).sample(range(64, len(data)), 12):
        try:
            doc = extract_bytes(data[:cut], "cut.pdf")
        except CorruptFileError as exc:
            assert exc.reason.startswith("corrupt or truncated PDF")
        else:
            assert doc.text


# -- right-to-left helpers -------------------------------------------------------------------
@pytest.mark.parametrize(
    "read_rtl, logical",
    [
        ("با شناسه 3491.808342.3202.CR/79403.01 منتشر", "با شناسه 10.30497/RC.2023.243808.1943 منتشر"),
        ("با شناسه 79403.01/3491.808342.3202.CR منتشر", "با شناسه RC.2023.243808.1943/10.30497 منتشر"),  # fix_doi
        ("نشانی moc.elpmaxe@ofni است.", "نشانی info@example.com است."),
        ("روش گروه کانونی (puorg sucof) در سال ۲۰۴۱", "روش گروه کانونی (focus group) در سال ۱۴۰۲"),
        ("فرهنگی 04% از بودجهٔ سال 3202", "فرهنگی 40% از بودجهٔ سال 2023"),
        ("اقتصادی ۵۲٪ و", "اقتصادی ۲۵٪ و"),
        ("تاریخ ۲۱/۵۰/۲۰۴۱ است", "تاریخ ۱۴۰۲/۰۵/۱۲ است"),
        ("امتیاز ۵۸٫۰ و 14.0", "امتیاز ۰٫۸۵ و 0.41"),
        ("هستند (2 .p ,1202 ,ittehcraM).", "هستند (Marchetti, 2021, p. 2)."),
        ("سال‌های 5102-0202 بود", "سال‌های 2015-2020 بود"),  # shown as two runs after Persian letters
        ("۱-۲. اهداف", "۲-۱. اهداف"),  # no Persian letter before: one run
        ("در سال 3202 (91-DIVOC)", "در سال 2023 (COVID-19)"),
        ("است (,0202 ,idnarG nerglhiK", "است (Kihlgren Grandi, 2020,"),  # Latin phrase runs on to next line
        ("کاملاً فارسی", "کاملاً فارسی"),
    ],
)
def test_fix_ltr_runs(read_rtl, logical):
    assert fix_ltr_runs(read_rtl) == logical


def test_doi_swapped_by_bidi_is_restored():
    assert fix_doi("شناسه RC.2023.243808.1943/10.30497 منتشر") == "شناسه 10.30497/RC.2023.243808.1943 منتشر"
    assert fix_doi("see 10.30497/RC.2023 now") == "see 10.30497/RC.2023 now"


@pytest.mark.parametrize(
    "visual, logical",
    [
        ("Isfahan (نﺎﻬﻔﺻا یرادﺮﻬﺷ) in 2023", "Isfahan (شهرداری اصفهان) in 2023"),
        ("the city ۱۴۰۲ دهشم report", "the city مشهد ۱۴۰۲ report"),  # Persian digits belong to the Persian run
        ("Plain English, 2023.", "Plain English, 2023."),
    ],
)
def test_persian_run_inside_english_line(visual, logical):
    assert "".join(logical_ltr([unshape(u) for u in visual])[0]) == logical


def _glyph(text, x0, x1, top=100.0, size=12.0):
    return {"text": text, "x0": x0, "x1": x1, "top": top, "bottom": top + size, "size": size}


def test_zwnj_relabelled_from_space_glyph_overlapping_a_letter():
    # «سیاست‌ها» right to left: the ZWNJ is a space glyph drawn on top of «ت»; a real space is not
    chars = [_glyph("س", 559.1, 567.0), _glyph("ت", 534.1, 543.9), _glyph(" ", 534.1, 536.8),
             _glyph("ه", 527.9, 534.0), _glyph(" ", 514.7, 517.4), _glyph("و", 507.0, 514.6)]
    texts = [c["text"] for c in relabel_zwnj(chars)]
    assert texts == ["س", "ت", ZWNJ, "ه", " ", "و"]


def test_zero_width_glyphs_follow_their_letter():
    # «لالیگا»: the lam-alef ligature is a lam glyph plus a zero-width alef at its left edge
    lam_alef, alef, lam2 = _glyph("ل", 360.052, 366.268), _glyph("ا", 360.052, 360.052), _glyph("ل", 357.556, 360.1)
    order = reading_order([lam2, alef, lam_alef, _glyph("ی", 353.164, 357.484)], rtl=True)
    assert "".join(c["text"] for c in order) == "لالی"
    # tanwin drawn just left of its alef, over a bracket: it still follows the alef
    order = reading_order([_glyph("(", 454.78, 458.68), _glyph("ً", 457.57, 457.57), _glyph("ا", 458.68, 461.73)], True)
    assert "".join(c["text"] for c in order) == "اً("


def test_bracket_mirroring_is_decided_per_document():
    chromium = LineText(tuple(")x( و )y("), True, 0.0, (0, 2, 6, 8))
    assert choose_mirroring([chromium]) is True and chromium.text(True) == "(x) و (y)"
    libreoffice = LineText(tuple("(x) و (y)"), True, 0.0, (0, 2, 6, 8))
    assert choose_mirroring([libreoffice]) is False


def test_unshape_presentation_forms_and_ligatures():
    assert unshape("ﺷﻬﺮداری") == "شهرداری" and unshape("eﬃcient") == "efficient"


# -- metrics -----------------------------------------------------------------------------
def test_edit_distance_matches_the_textbook_definition():
    def slow(a, b):
        prev = list(range(len(b) + 1))
        for i, ca in enumerate(a, 1):
            cur = [i]
            for j, cb in enumerate(b, 1):
                cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
            prev = cur
        return prev[-1]

    rng = random.Random(3)
    for _ in range(300):
        a = "".join(rng.choice("ab دی\u200c") for _ in range(rng.randint(0, 25)))
        b = "".join(rng.choice("ab دی\u200c") for _ in range(rng.randint(0, 25)))
        assert edit_distance(a, b) == slow(a, b)
    assert cer("سلام  دنیا", "سلام دنیا") == 0.0 and cer("", "abcd") == 1.0


def test_zwnj_recovery_counts_words_in_place():
    ref = ["می\u200cشود و سیاست\u200cهای شهری"]
    assert zwnj_recovered("میشود و سیاست\u200cهای شهری", ref) == (1, 2, 0)
    assert zwnj_recovered("می\u200cشود و سیاست\u200cهای شهر\u200cی", ref) == (2, 2, 1)
