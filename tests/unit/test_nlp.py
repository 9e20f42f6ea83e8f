"""Entities (gazetteer cities/organisations, Jalali dates) and city attribution."""

from dataclasses import replace
from pathlib import Path

import pytest

from pipeline.attribution import attribute_city, city_scores
from pipeline.errors import ConfigError
from pipeline.nlp import build_nlp, find_dates, find_entities, load_gazetteer, parse_date, register
from pipeline.nlp.entities import find_entities_many
from pipeline.nlp.gazetteer import default_gazetteer
from pipeline.types import CITIES, Statement

SAMPLES = Path(__file__).resolve().parents[2] / "corpus" / "samples"


# -- dates ------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "iso", "jalali"),
    [
        ("۳ مرداد ۱۴۰۱", "2022-07-25", "1401-05-03"),
        ("3 مرداد 1401", "2022-07-25", "1401-05-03"),
        ("۳ام مرداد ماه سال ۱۴۰۱", "2022-07-25", "1401-05-03"),
        ("۱۴۰۱/۰۵/۰۳", "2022-07-25", "1401-05-03"),
        ("1401-05-03", "2022-07-25", "1401-05-03"),
        ("۲۱ آذر ۱۴۰۲", "2023-12-12", "1402-09-21"),
        ("۱۵ اردیبهشت ۱۴۰۳", "2024-05-04", "1403-02-15"),
        ("۱۰ دی ۱۴۰۰", "2021-12-31", "1400-10-10"),
        ("۱۵ شهريور ۱۴۰۱", "2022-09-06", "1401-06-15"),   # Arabic yeh in the month name
        ("۳۰ اسفند ۱۴۰۳", "2025-03-20", "1403-12-30"),   # 1403 is a leap year
        ("2023/12/12", "2023-12-12", "1402-09-21"),       # Gregorian by its year
        ("12 December 2023", "2023-12-12", "1402-09-21"),
        ("December 12, 2023", "2023-12-12", "1402-09-21"),
    ],
)
def test_dates_are_parsed_to_both_calendars(text, iso, jalali):
    assert find_dates(text) == [(0, len(text), iso, jalali)]
    assert parse_date(f"تاریخ: {text}.") == (iso, jalali)


@pytest.mark.parametrize("text", [
    "۳۰ اسفند ۱۴۰۲",                          # not a leap year
    "1401/13/01",                             # month 13
    "doi: 10.30497/RC.2023.243808.1943",      # a DOI is not a date
    "0000-0002-2924-9251",                    # an ORCID
    "بهمنظور ۱۴۰۲",                           # «بهمن» inside a joined word
    "فروردین ۱۳۹۹",                           # month and year only
])
def test_non_dates_are_not_found(text):
    assert find_dates(text) == []


def test_date_offsets_in_a_seed_line():
    line = "تهران - ۳ مرداد ۱۴۰۱ - ۱۱:۰۴"
    [(start, end, iso, _)] = find_dates(line)
    assert line[start:end] == "۳ مرداد ۱۴۰۱" and iso == "2022-07-25"
    two = find_dates("از ۲ تیر ۱۳۹۹ تا ۵ تیر ۱۳۹۹")
    assert [d[2] for d in two] == ["2020-06-22", "2020-06-25"]


# -- gazetteer and pipeline --------------------------------------------------------

def test_gazetteer_focus_cities_are_the_project_cities():
    gaz = default_gazetteer()
    assert sorted(c.name for c in gaz.focus_cities) == sorted(CITIES)
    assert gaz.resolve_city("Esfahan").id == "isfahan"
    assert gaz.resolve_city("مشهد مقدس").id == "mashhad"
    assert gaz.resolve_city("Atlantis") is None
    assert gaz.city_of("municipality:tehran") == "tehran"
    assert gaz.city_of("razavi-university") == "mashhad"
    assert gaz.city_of("unesco") is None


def test_gazetteer_errors_name_the_problem(tmp_path):
    (tmp_path / "cities.yaml").write_text(
        "cities:\n  - {id: a, en: [A], country: IR}\n  - {id: a, en: [B], country: IR}\n", encoding="utf-8")
    (tmp_path / "organisations.yaml").write_text("organisations: []\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="duplicate city id 'a'"):
        load_gazetteer(tmp_path)
    (tmp_path / "cities.yaml").write_text("cities:\n  - {id: a, en: [A], country: IR}\n", encoding="utf-8")
    (tmp_path / "organisations.yaml").write_text(
        "organisations:\n  - {id: x, en: [X], city: nowhere}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="'nowhere' is not an id in cities.yaml"):
        load_gazetteer(tmp_path)


def test_build_nlp_pipeline_and_idempotent_registration():
    register()
    register()
    nlp = build_nlp("fa")
    assert nlp.pipe_names == ["udiplo_fold_norm", "entity_ruler", "udiplo_jalali_dates"]
    with pytest.raises(ConfigError, match="must be one of"):
        build_nlp("de")


def _found(text, lang):
    return [(e.label, e.entity_id, e.text) for e in find_entities(text, lang)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("روابط اصفهان با شانگهای و هانگژو", [("CITY", "isfahan", "اصفهان"), ("CITY", "shanghai", "شانگهای"),
                                            ("CITY", "hangzhou", "هانگژو")]),
        # spelling variants: joined, ZWNJ, space, Arabic yeh
        ("شیآن و شی‌آن و شی آن و شيآن", [("CITY", "xian", t) for t in ("شیآن", "شی‌آن", "شی آن", "شيآن")]),
        ("در مشهدالرضا علیهالسلام", [("CITY", "mashhad", "مشهدالرضا")]),
        ("شهر مشهد مقدس", [("CITY", "mashhad", "مشهد مقدس")]),
        ("بارسلونا، فلورانس و کوالالامپور", [("CITY", "barcelona", "بارسلونا"), ("CITY", "florence", "فلورانس"),
                                           ("CITY", "kuala-lumpur", "کوالالامپور")]),
        # the longest name wins: an organisation holding a city name
        ("دانشگاه اصفهان و دانشگاه سن پترزبورگ", [("ORG", "university-of-isfahan", "دانشگاه اصفهان"),
                                                ("ORG", "spbu", "دانشگاه سن پترزبورگ")]),
        ("مدیرکل ارتباطات و امور بینالملل شهرداری اصفهان", [("ORG", "municipality:isfahan", "شهرداری اصفهان")]),
        ("معاون دبیرکل شهرداری شانگهای", [("ORG", "municipality:shanghai", "شهرداری شانگهای")]),
        ("مورد استقبال وزارت امور خارجه قرار گرفت", [("ORG", "mfa-iran", "وزارت امور خارجه")]),
        ("دبیر کل مجمع شهرداران آسیایی", [("ORG", "asian-mayors-forum", "مجمع شهرداران آسیایی")]),
        ("آستان قدس رضوی و دانشگاه علوم اسلامی رضوی", [("ORG", "astan-quds-razavi", "آستان قدس رضوی"),
                                                      ("ORG", "razavi-university", "دانشگاه علوم اسلامی رضوی")]),
        ("پیوستن به سازمان WEGO و شبکه شهرهای آموزش محور یونسکو",
         [("ORG", "wego", "سازمان WEGO"), ("ORG", "unesco-learning-cities", "شبکه شهرهای آموزش محور یونسکو")]),
        # «دوشنبه» is Monday, «مسئول» holds «سئول»: neither is a city
        ("ایمان حجتی شامگاه گذشته (دوشنبه) گفت نویسنده مسئول", []),
    ],
)
def test_persian_entities(text, expected):
    assert _found(text, "fa") == expected


def test_english_entities_and_dates():
    text = "Faculty member of Razavi University of Islamic Sciences, Mashhad; accepted 2023/12/12, UCLG and Xi'an."
    found = find_entities(text, "en")
    assert [(e.label, e.entity_id) for e in found] == [
        ("ORG", "razavi-university"), ("CITY", "mashhad"), ("DATE", "date:2023-12-12"), ("ORG", "uclg"),
        ("CITY", "xian")]
    assert all(text[e.start:e.end] == e.text for e in found)
    assert found[2].iso_date == "2023-12-12" and found[2].jalali_date == "1402-09-21"


def test_persian_date_entity():
    text = "تهران - ۳ مرداد ۱۴۰۱ - ۱۱:۰۴"
    ents = find_entities(text, "fa")
    assert [(e.label, e.text, e.iso_date) for e in ents] == [
        ("CITY", "تهران", None), ("DATE", "۳ مرداد ۱۴۰۱", "2022-07-25")]


def test_find_entities_many_keeps_order_across_languages():
    texts = ["Tehran Municipality", "شهرداری مشهد", "", "Isfahan"]
    got = find_entities_many(texts, ["en", "fa", "fa", "en"])
    assert [[e.entity_id for e in es] for es in got] == [["municipality:tehran"], ["municipality:mashhad"], [],
                                                       ["isfahan"]]


# -- city attribution ---------------------------------------------------------------

def _st(text, kind="sentence", index=0, lang="fa"):
    return Statement("d" * 64, index, kind, 0, len(text), text, text, lang)


@pytest.fixture(scope="module")
def sample_statements():
    from pipeline.extract import extract
    from pipeline.segment import minimal_normalise, segment_document

    out = {}
    for path in sorted(SAMPLES.glob("*.txt")):
        doc = extract(path)
        out[path.name[:3]] = (doc, segment_document(doc, minimal_normalise))
    return out


def test_gazetteer_alone_attributes_the_five_samples(sample_statements):
    expected = {"000": "Mashhad", "001": "Isfahan", "002": "Tehran", "003": "Isfahan", "004": "Isfahan"}
    for key, (doc, statements) in sample_statements.items():
        doc = replace(doc, meta=replace(doc.meta, city=None))
        got = attribute_city(doc.meta.city, statements)
        assert (key, got.city, got.source) == (key, expected[key], "gazetteer")
        runner_up = sorted(got.scores.values())[-2]
        assert got.scores[expected[key]] >= 2 * max(runner_up, 1), (key, got.scores)


def test_metadata_city_wins(sample_statements):
    _, statements = sample_statements["002"]
    got = attribute_city("اصفهان", statements)
    assert (got.city, got.source) == ("Isfahan", "metadata")
    assert got.scores["Tehran"] > got.scores["Isfahan"]
    assert attribute_city("Shiraz", statements).city == "Shiraz"


def test_a_partner_city_does_not_win():
    statements = [
        _st("همکاری مشهد و اصفهان در حوزه گردشگری", index=0),
        _st("شهرداری اصفهان و شهرداری مشهد تفاهمنامه امضا کردند", index=1),
        _st("شهرداری مشهد برنامه جدیدی دارد", index=2),
    ]
    got = attribute_city(None, statements)
    # shared statements count half for each city; Isfahan never appears on its own
    assert got.scores == {"Mashhad": 2.0, "Isfahan": 1.0, "Tehran": 0.0}
    assert got.city == "Mashhad"
    # without the statement naming Mashhad alone the two cities tie: no attribution
    assert attribute_city(None, statements[:2]).source == "none"


def test_headings_weigh_more_and_ties_give_none():
    tie = [_st("همکاری تهران با شهرهای دیگر", index=0), _st("برنامه های اصفهان برای گردشگری", index=1)]
    assert attribute_city(None, tie).source == "none"
    headed = [_st("دیپلماسی شهری تهران", kind="heading", index=0), *tie[1:]]
    got = attribute_city(None, headed)
    assert got.city == "Tehran" and city_scores(headed)["Tehran"] == 3.0


def test_no_mentions_give_none():
    got = attribute_city(None, [_st("دیپلماسی شهری ابزاری برای توسعه روابط است")])
    assert got == type(got)(None, "none", {"Mashhad": 0.0, "Isfahan": 0.0, "Tehran": 0.0})
