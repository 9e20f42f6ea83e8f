"""Language detection by script and Persian/English stop words."""

import pytest

from pipeline.lang import detect_lang
from pipeline.lang import en as lang_en
from pipeline.lang import fa as lang_fa
from pipeline.lang.detect import persian_or_arabic, script_counts


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Persian, from the seeds (no ZWNJ, joined «میشود») and with ZWNJ
        ("شهرداری اصفهان با شهرهای خواهرخوانده همکاری می‌کند.", "fa"),
        ("در میان شهرهای ایران، شهر مشهد با زمینه فرهنگی مذهبی و موقعیت جغرافیایی متمایز برخوردار است.", "fa"),
        ("به عنوان مثال در ایران، شهرداری ها، در کشور عراق استانداری ها این وظیفه را برعهده گرفته اند.", "fa"),
        # Persian typed with Arabic yeh/kaf (Windows-1256 era text)
        ("شهرداري تهران با شهرهاي خواهرخوانده همكاري مي كند.", "fa"),
        # Persian with Arabic loan words carrying ة
        ("دایرةالمعارف بزرگ اسلامی در تهران منتشر شد و مورد استقبال قرار گرفت.", "fa"),
        # a short Persian title without function words: ties go to Persian
        ("دیپلماسی شهری", "fa"),
        # Persian sentence with an English citation
        ("شهرها مسئول ۸۰ درصد تولید ناخالص جهانی هستند (Marchetti, 2021, p. 2).", "fa"),
        # Arabic
        ("تعمل البلدية على تعزيز العلاقات مع المدن الشقيقة في العالم.", "ar"),
        ("وقعت مدينة أصفهان اتفاقية توأمة مع مدينة فلورنسا الإيطالية في عام ١٩٩٨.", "ar"),
        ("قال إن هذا المشروع الذي أعلنت عنه الأمانة العامة لم يكن جديدا.", "ar"),
        ("العتبة الحسينية المقدسة في كربلاء", "ar"),
        # English, and English with a Persian name in it
        ("Among the cities of Iran, Mashhad has multiple functions in urban diplomacy.", "en"),
        ("Isfahan (اصفهان) signed a memorandum of understanding with Shanghai.", "en"),
        ("Mehrabanifar@razavi.ac.ir", "en"),
        # other scripts
        ("Москва — столица России.", "other"),
        ("上海市人民政府", "other"),
    ],
)
def test_detect_lang_on_real_text(text, expected):
    assert detect_lang(text) == expected


@pytest.mark.parametrize(("text", "default", "expected"), [
    ("", "other", "other"), ("2023/12/12", "other", "other"), ("۱۴۰۱/۰۵/۰۳", "fa", "fa"), ("  12 - 3 ", "en", "en"),
])
def test_text_without_letters_gets_the_default(text, default, expected):
    assert detect_lang(text, default=default) == expected


def test_mixed_text_goes_to_the_majority_script():
    persian = "دیپلماسی شهری مشهد در حوزه اقتصاد و فرهنگ گسترش یافته است"
    english = "urban diplomacy"
    assert detect_lang(f"{persian} ({english})") == "fa"
    assert detect_lang(f"The term {persian.split()[0]} means city diplomacy in Persian texts.") == "en"


def test_script_counts():
    arabic, latin, letters = script_counts("مشهد Mashhad ۱۴۰۱")
    assert (arabic, latin, letters) == (4, 7, 11)


def test_persian_specific_letters_outweigh_arabic_yeh():
    # «گ» and «پ» are never Arabic; one Arabic yeh does not flip the decision
    assert persian_or_arabic("پروژه گردشگري") == "fa"
    assert persian_or_arabic("المدينة") == "ar"


def test_persian_stop_words_cover_hazm_and_corpus_spellings():
    words = lang_fa.stop_words()
    assert len(lang_fa.hazm_stop_words()) > 350
    for w in ("است", "از", "می‌شود", "میشود", "می شود", "وی", "همچنین"):
        assert w in words, w
    for content in ("شهر", "دیپلماسی", "اصفهان", "خواهرخواندگی", "بخش", "نشست"):
        assert content not in words, content


def test_english_stop_words():
    words = lang_en.stop_words()
    assert {"the", "and", "al", "doi"} <= words
    assert "diplomacy" not in words and "city" not in words
