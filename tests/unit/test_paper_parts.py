"""Non-content statements: references, keyword lines, front matter and captions get their own kind,
content (including sentences that cite «(Smith, 2019)») stays content, and themes see content only.

Fragments are copied from the sample corpus (corpus/samples, the same files as the seeds): 000 is a
Persian paper with an English abstract and references, 001 a municipal plan, 002-004 news pages.
"""

from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from pipeline.extract import extract
from pipeline.extract.builder import DocumentBuilder
from pipeline.paper_parts import is_reference_title, line_kind
from pipeline.segment import CONTENT_KINDS, is_content, minimal_normalise, segment_document
from pipeline.types import Statement

SAMPLES = Path(__file__).resolve().parents[2] / "corpus" / "samples"


@pytest.fixture(scope="module")
def samples():
    return {p.name[:3]: segment_document(extract(p), minimal_normalise) for p in sorted(SAMPLES.glob("*.txt"))}


# -- one line at a time ---------------------------------------------------------------

@pytest.mark.parametrize(("text", "kind"), [
    # references, English (000)
    ("- Acuto, M. (2013). *Global Cities, Governance and Diplomacy*. New York: Routledge.", "reference"),
    ("- Amiri, S. & Sevin, E. (2020). *City Diplomacy: Current Trends and Future Prospects*. Palgrave Macmillan.",
     "reference"),
    ("- Bloor. M. & Wood. F. (2006). *Keywords in Qualitative Methods: A Vocabulary of Research Concepts*. London, "
     "Thousand Oaks, SAGE Publications.", "reference"),
    ("- Daroudi, M. & Peimani, N. (2013). Assessing Urban Diplomacy Approach on Foreign Investors in Tehran Using "
     "Network Analysis Process - SWOT Analysis. *Middle-East Journal of Scientific Research*, 15(5), 715-722.",
     "reference"),
    ("- kihlgren grandi, Lorenzo (2020). *City Diplomacy*, Springer International Publishing; Palgrave Macmillan.",
     "reference"),
    # references, Persian (000): with and without half-spaces, «الف» years, «تهران: نشر»
    ("- اسدی، روح‌الله (۱۳۹۹.الف). تعیین اولویت کشورهای اسلامی در راستای اهداف دیپلماسی شهری مشهد. "
     "پژوهش‌های جغرافیایی سیاسی، ۵(۳)، ۲۲-۴۳.", "reference"),
    ("- اسدی، روحالله (۱۳۹۹.ب). تدوین راهبردهای دیپلماسی شهری مشهد با تأکید بر کشورهای اسلامی، جغرافیا و توسعه "
     "فضای شهری، ۷(۲)، ۱۰۵-۱۲۳.", "reference"),
    ("- فلیک، اووه (۱۳۹۰). درآمدی بر تحقیق کیفی. ترجمه هادی جلیلی، تهران: نشر نی.", "reference"),
    ("- قاسمی، محسن (۱۳۹۸). جایگاه دیپلماسی عمومی و قدرت نرم در جهان اسلام در افق ۱۴۱۴ش. فصلنامه مطالعات "
     "بنیادین و کاربردی جهان اسلام، ۱(۱)، ۸۱-۱۰۰.", "reference"),
    # other shapes: numbered, organisation as author, «Retrieved from», a bare URL
    ("[12] J. Novak and K. Petrov, \"Municipal networks in Central Asia,\" in Proc. Int. Conf. Urban Governance, "
     "2018, pp. 23-31.", "reference"),
    ("[۱۴] نوروزی، ف. «گردشگری سلامت»، نشریه اقتصاد شهر، شماره ۲۳، ص. ۵۵–۷۱، ۱۳۹۹.", "reference"),
    ("Municipality of Tabriz. (2021). Annual report of the International Affairs Office. Tabriz: Public Relations "
     "Department.", "reference"),
    ("UCLG. (2019). The role of local governments in city diplomacy. Retrieved from https://www.uclg.org/en/media",
     "reference"),
    ("https://doi.org/10.30497/RC.2023.243808.1943", "reference"),
    # keyword lines (000) and other spellings
    ("Keywords: Urban diplomacy, Urban policy, Mashhad.", "keywords"),
    ("واژگان کلیدی: دیپلماسی شهری، سیاست شهری، مشهد.", "keywords"),
    ("کلیدواژه‌ها: دیپلماسی شهری، خواهرخواندگی، اصفهان", "keywords"),
    ("کلید واژه ها: دیپلماسی شهری، خواهرخواندگی", "keywords"),
    ("Key words - paradiplomacy, local government", "keywords"),
    # front matter (000, 002, 003)
    ("Received: 2022/10/04", "front_matter"),
    ("Accepted: 2023/12/12", "front_matter"),
    ("تاریخ دریافت: ۱۴۰۱/۰۷/۱۲ تاریخ پذیرش: ۱۴۰۲/۰۹/۲۱", "front_matter"),
    ("* Faculty member of Razavi University of Islamic Sciences, Mashhad, I.R.Iran", "front_matter"),
    ("** PhD in Cultural Sociology; Research Institute and University, Tehran, I.R.Iran.", "front_matter"),
    ("* استادیار گروه علوم اجتماعی، دانشگاه علوم اسلامی رضوی، مشهد، جمهوری اسلامی ایران (نویسنده مسئول).",
     "front_matter"),
    ("** دکتری جامعه‌شناسی فرهنگی، پژوهشگاه حوزه و دانشگاه، قم، جمهوری اسلامی ایران.", "front_matter"),
    ("Email: mehranbanifar@yahoo.com", "front_matter"),
    ("doi: 10.30497/RC.2023.243808.1943", "front_matter"),
    ("ISSN 2345-6789", "front_matter"),
    ("فصلنامه علمی دیپلماسی شهری، سال ۱۲، شماره ۳، پاییز ۱۴۰۱", "front_matter"),
    ("۳ مرداد ۱۴۰۱ - ۱۱:۰۴", "front_matter"),
    ("کد خبر: 23902", "front_matter"),
    ("کد خبر 480101", "front_matter"),
    ("صفحه ۳ از ۱۲", "front_matter"),
    # captions (000) and other spellings
    ("شکل (۱): روند اجرای پژوهش", "caption"),
    ("جدول (۳): اهداف و سیاست‌های متناظر با مسائل نابسامانی اقتصاد سیاسی", "caption"),
    ("جدول ۳: شهرهای خواهرخوانده اصفهان", "caption"),
    ("شکل ۲. موقعیت جغرافیایی کلان شهر تبریز", "caption"),
    ("جدول ۳ (ادامه)- گویه های ۱۲ تا ۲۴", "caption"),
    ("Table 2. Sister cities of Isfahan by country and year of signing", "caption"),
    ("Figure 1: Location of Tabriz within East Azerbaijan province", "caption"),
    ("منبع: یافته‌های پژوهش", "caption"),
])
def test_non_content_lines(text, kind):
    assert line_kind(text) == kind


@pytest.mark.parametrize("text", [
    # sentences with in-text citations (000)
    "به طوری که ادعا می‌شود شهرها به مرکز اقتصاد جهانی تبدیل شده و مسئول ۸۰ درصد تولید ناخالص جهانی هستند "
    "(Marchetti, 2021, p. 2).",
    "دیپلماسی به روش کلاسیک به بحث درباره چگونگی ارتباط بین رهبران و سران دولت‌ها با یکدیگر در بالاترین سطح "
    "می‌پردازد (قاسمی، ۱۳۹۸، ص. ۸۸) و هوشمندی و درایت در انجام روابط رسمی بین حکومت‌های مستقل است.",
    "برخی از پژوهش‌ها نیز به وضعیتشناسی دیپلماسی شهری در کلان‌شهرها پرداخته‌اند؛ بهعنوان نمونه بصیرت و جلیلی "
    "(۱۳۹۳) با روش فراتحلیل به مطالعه فرصت‌ها و چالش‌های توسعه دیپلماسی شهری در کلان‌شهر تهران اهتمام داشته‌اند.",
    "پایه‌ای که مبتنی بر شناخت است^۵ (Amiri & Sevin, 2020, p. 283).",
    "درنهایت، چهارمین مورد ظاهر و جلوه شهر است: جنبه‌های فیزیکی شهر نیز در برندسازی مهم هستند "
    "(Amiri & Sevin, 2020, p. 283).",
    "Among the cities of Iran, Mashhad, with its cultural-religious background and distinct geographical location, "
    "has multiple functions and opportunities in urban diplomacy (Acuto, 2013).",
    "Smith (2019) found that sister-city ties rarely outlive the mayors who signed them.",
    "Published in 2019, the report argues that Isfahan should court investors from Shanghai.",
    # list items of a plan (000 conclusion, 001)
    "- خنثی‌سازی تحریم‌های اقتصادی و تجاری و جلب اعتماد سرمایه‌گذاران.",
    "- برخورداری از چشم‌انداز و نقشه راه در سیاست‌گذاری و دیپلماسی شهری؛",
    "- بدیهی است محورهای ذیل، صرفا جهت ارائه شمایل اجمالی ظرفیت‌های همکاری و تعاملات با خواهرخوانده‌ها در چارچوب "
    "ابتکار «شهروند دیپلمات» است.",
    "۳. مصاحبهشوندگان حسب حوزه‌های تخصصی مستخرج، شامل ۸ متخصص حوزه ارتباطات و رسانه، ۳ متخصص حوزه اقتصاد شهری "
    "و ۳ متخصص علوم سیاسی بودند.",
    # news sentences that name a university, a professor, a date or a table
    "مدیرکل ارتباطات و امور بین‌الملل شهرداری اصفهان گفت: فروردین ماه سال آینده نشستی بین دانشگاه اصفهان و "
    "دانشگاه سن پترزبورگ برگزار می‌شود.",
    "استاد دانشگاه تهران در این نشست گفت: شهرها باید دیپلماسی اقتصادی را جدی بگیرند.",
    "در ادامه گفت و گوی خبرنگار شهر را با حمیدرضا غلامزاده، معاون امور بین‌الملل شهرداری تهران می‌خوانید:",
    "جدول ۱ نشان می‌دهد که بیشتر تفاهم‌نامه‌ها به مرحله اجرا نرسیده‌اند.",
    "Table 2 shows that most memoranda were never implemented.",
    "دسته‌بندی این یافته‌ها در قالب جدول به تفکیک کلان مسائل صورت گرفته است.",
])
def test_content_stays_content(text):
    assert line_kind(text) is None


@pytest.mark.parametrize("title", ["References", "## References", "6. References:", "منابع", "فهرست منابع",
                                   "کتابنامه", "کتاب‌نامه", "منابع و مآخذ", "Bibliography", "۷. فهرست منابع"])
def test_reference_titles(title):
    assert is_reference_title(title)


@pytest.mark.parametrize("text", ["مقدمه", "Introduction", "منابع انسانی شهرداری اصفهان", "References to Isfahan"])
def test_not_reference_titles(text):
    assert not is_reference_title(text)


# -- whole documents -------------------------------------------------------------------------

def _doc(blocks):
    b = DocumentBuilder("cd" * 32, "x.txt", "text/plain", "text")
    for kind, value in blocks:
        b.add_block(value, kind=kind)
    return b.build()


def test_everything_under_a_references_title_until_the_next_heading():
    doc = _doc([
        ("heading", "نتیجه‌گیری"),
        ("paragraph", "شهرداری اصفهان باید روابط خواهرخواندگی را عملیاتی کند و از تجربه شهرهای دیگر بیاموزد."),
        ("paragraph", "کتابنامه"),   # the extractor took the title for a paragraph
        ("paragraph", "Blackman, Tim (2003). Urban Policy in practice. London: Routledge."),
        ("paragraph", "Global Cities, Governance and Diplomacy, second edition, revised"),  # a wrapped line
        ("heading", "Abstract"),
        ("paragraph", "Cities are becoming actors of international relations in their own right."),
    ])
    kinds = [(s.kind, s.text) for s in segment_document(doc, minimal_normalise)]
    # the entry's pieces split at full stops are references too, «Urban Policy in practice.» included
    assert kinds == [
        ("heading", "نتیجه‌گیری"),
        ("sentence", "شهرداری اصفهان باید روابط خواهرخواندگی را عملیاتی کند و از تجربه شهرهای دیگر بیاموزد."),
        ("reference", "Blackman, Tim (2003)."),
        ("reference", "Urban Policy in practice."),
        ("reference", "Global Cities, Governance and Diplomacy, second edition, revised"),
        ("heading", "Abstract"),
        ("sentence", "Cities are becoming actors of international relations in their own right."),
    ]


def test_a_reference_list_ends_at_running_prose_without_a_heading():
    prose = ("Persian journals often print the English abstract after the references, and the extractor does not "
             "always see its title. This paragraph has several sentences. It talks about cities and their "
             "municipalities, which sign memoranda with partners abroad. None of it is a bibliographic entry, so it "
             "must stay content even though it follows the reference list without a heading in between, "
             "however long the list was.")
    doc = _doc([("heading", "References"), ("paragraph", "Dye, T. R. (2002). Understanding public policy. Prentice Hall."),
                ("paragraph", prose)])
    kinds = Counter(s.kind for s in segment_document(doc, minimal_normalise))
    assert kinds == {"heading": 1, "reference": 2, "sentence": 4}  # «Dye, T. R. (2002).» + «Understanding …»


def test_a_line_repeated_on_every_page_is_a_running_head():
    head = "فصلنامه مطالعات شهری دوره سوم"
    body = "شهرداری مشهد با شهرهای همسایه تفاهم‌نامه همکاری امضا کرد و نشست‌های مشترک برگزار شد."
    doc = _doc([("paragraph", head), ("paragraph", body), ("paragraph", head), ("paragraph", body + " بار دوم."),
                ("paragraph", head)])
    kinds = [s.kind for s in segment_document(doc, minimal_normalise)]
    assert kinds == ["front_matter", "sentence", "front_matter", "sentence", "front_matter"]


def test_sample_corpus_kinds(samples):
    counts = Counter(s.kind for st in samples.values() for s in st)
    # measured when the kinds were introduced: 21 references, 2 keyword lines, 10 front matter, 5 captions
    assert counts["reference"] == 21 and counts["keywords"] == 2 and counts["caption"] == 5
    assert counts["front_matter"] == 10
    assert counts["sentence"] >= 218 and counts["table_cell"] == 204 and counts["list_item"] == 25
    paper = samples["000"]
    refs = [s for s in paper if s.kind == "reference"]
    assert refs[0].text.startswith("- اسدی") and refs[-1].text.startswith("- Wang, J. (2018)")
    assert all(s.kind == "list_item" for s in paper if s.text.startswith("- خنثی‌سازی"))  # the plan's aims stay
    # every sentence of the plan (001) and of the Isfahan-China article (004) stays content
    for key in ("001", "004"):
        assert all(is_content(s) for s in samples[key] if s.kind != "heading"), key


def test_is_content_is_the_kind_set():
    assert CONTENT_KINDS == {"sentence", "table_cell", "list_item"}
    for kind in ("heading", "metadata", "reference", "keywords", "front_matter", "caption"):
        assert not is_content(Statement("a" * 64, 0, kind, 0, 1, "x", "x", "en"))


def test_themes_fit_content_statements_only(tmp_path):
    """themes_stage drops non-content statements (and their vectors) before the corpus key and the fit."""
    from corpus.analysis import themes_stage
    from corpus.store import CorpusStore
    from pipeline.embed import get_embedder
    from pipeline.themes import ThemeConfig

    topics = ["حمل و نقل عمومی و مترو", "گردشگری زیارتی و هتل", "سرمایه‌گذاری خارجی و صادرات"]
    statements, vectors = [], []
    rng = np.random.default_rng(0)
    for i in range(60):
        t = i % 3
        kind = "reference" if i % 4 == 0 else "sentence"
        text = f"{topics[t]} در شهر شماره {i} موضوع همکاری است."
        statements.append(Statement(f"{i % 5:064d}", i, kind, 0, len(text), text, text, "fa"))
        v = np.zeros(8)
        v[t] = 1.0
        vectors.append(v + rng.normal(0, 0.01, 8))
    vectors = np.array(vectors, dtype=np.float32)
    with CorpusStore.open(f"sqlite:///{tmp_path / 'c.sqlite'}") as store:
        result, _, _ = themes_stage(store, statements, vectors, get_embedder("hashing"), None,
                                    config=ThemeConfig(reducer="pca", n_components=3, min_size=12),
                                    with_stability=False, cache_dir=tmp_path / "cache")
    fitted = {a.statement_id for a in result.assignments}
    content_ids = {s.statement_id for s in statements if s.kind == "sentence"}
    assert fitted == content_ids
