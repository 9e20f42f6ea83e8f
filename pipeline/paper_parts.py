"""Parts of a document that are not statements about the world: references, keyword lines,
front matter and captions (English and Persian).

:func:`pipeline.segment.segment_document` uses these rules to give such statements their own
``kind`` (see :data:`pipeline.segment.CONTENT_KINDS`); themes and classification keep them out.

The rules are conservative: each one needs a layout cue that running prose does not have
(a line that *starts* with «Keywords:», an author–year head «Smith, J. (2019). Title»,
two bibliographic cues such as a DOI and «15(5), 715-722»), so a sentence that cites
«(Smith, 2019, p. 2)» inside it stays content. Text is compared after :func:`fold`
(Latin digits, Persian yeh/kaf, ZWNJ as a space), so half-spaces and Arabic keyboards
do not matter.

>>> line_kind("Keywords: Urban diplomacy, Urban policy, Mashhad.")
'keywords'
>>> line_kind("- Acuto, M. (2013). Global Cities, Governance and Diplomacy. New York: Routledge.")
'reference'
>>> line_kind("جدول (۲): اهداف و سیاست‌های متناظر با مسائل حکمرانی")
'caption'
>>> line_kind("شهرها مسئول ۸۰ درصد تولید هستند (Marchetti, 2021, p. 2).") is None
True
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from pipeline.lang.fa import ARABIC_BLOCK
from pipeline.nlp.jalali import find_dates, fold

REFERENCE = "reference"
KEYWORDS = "keywords"
FRONT_MATTER = "front_matter"
CAPTION = "caption"

_FA = ARABIC_BLOCK
_YEAR = r"(?:1[3-4]\d\d|1[89]\d\d|20\d\d)"   # Solar Hijri 1300-1499 or Gregorian 1800-2099
_MARKER = re.compile(r"^\s*(?:[-–—*•·▪●◦†‡]+|\[\d{1,3}\]|\d{1,3}[.)-](?!\d))\s*")
_WORDS = re.compile(rf"[A-Za-z{_FA}]+")

# «Smith, J. (2019). Title», «اسدی، روح‌الله (۱۳۹۹.الف). عنوان», «World Bank (n.d.): Title»
_AUTHOR_YEAR_HEAD = re.compile(
    rf"^(?P<who>[^()\n]{{2,150}}?)\s*\(\s*(?:(?:\d{{1,2}}[/.\-]){{0,2}}{_YEAR}[^()\n]{{0,10}}|n\.\s?d\.?|بی\s*تا)\s*\)"
    r"\s*[.:]\s*(?P<rest>.{8,})",
    re.S,
)
# «Smith, J. 2019. Title.» (Chicago author-date) and «[12] A. Smith, “Title”, 2019» (numbered)
_AUTHOR_DATE_HEAD = re.compile(rf"^[^\d().\n]{{2,80}}?,[^\d()\n]{{1,40}}\.\s+{_YEAR}[a-z]?\.\s+\S")
_NAME_SEPARATOR = re.compile(r"[,،؛;&]|\sو\s|\band\b|\bet\s+al\b")
# «… Tabriz: Public Relations Department.», «… تهران: مرکز آمار ایران.»: place and publisher at the end
_PLACE_PUBLISHER = re.compile(rf"[A-Za-z{_FA}][A-Za-z{_FA} .\-]{{1,30}}:\s*[^:()]{{2,60}}\.?\s*$")
_NUMBERED = re.compile(rf"^\s*\[\d{{1,3}}\]\s+\S.*\b{_YEAR}\b", re.S)
# An in-text citation «(Smith, 2019, p. 2)», «(قاسمی، ۱۳۹۸، ص. ۸۸)»: removed before counting cues.
_CITATION = re.compile(rf"\([^()]{{0,200}}\b{_YEAR}[^()]{{0,200}}\)")
_URL = re.compile(r"(?:https?://|www\.)\S+", re.I)
_CUES = {
    "doi": re.compile(r"\bdoi\s*:|doi\.org/|\b10\.\d{4,9}/\S", re.I),
    "url": _URL,
    "retrieved": re.compile(r"\b(?:retrieved|accessed|available)\s+(?:from|at|on)\b|بازیابی\s*شده|قابل\s*دسترس(?:ی)?\s*در"),
    "volume_pages": re.compile(r"\b\d{1,4}\s*\(\s*\d{1,4}(?:\s*[-–]\s*\d{1,4})?\s*\)\s*[,،:]\s*\d{1,5}\s*[-–]\s*\d{1,5}"),
    "pages": re.compile(r"(?:\bpp?\.|\bvol\.|\bno\.|\bصص?\.)\s*\d{1,5}", re.I),
    "publisher": re.compile(rf"[{_FA}]+\s*:\s*(?:انتشارات|نشر)\b|\b(?:university\s+press|publishers?|publications|"
                            r"publishing|press)\b[.,;]", re.I),
    "journal": re.compile(r"(?:دو\s*)?فصلنامه|ماهنامه|پژوهشنامه|\bjournal\b|\bquarterly\b|\bproceedings\b", re.I),
    "editors": re.compile(r"\(\s*eds?\.?\s*\)|\bet\s+al\.|\bin\s*:|ترجمه\s+[{_FA}]", re.I),
}
_VERB_EN = re.compile(r"\b(?:is|are|was|were|has|have|had|will|would|can|could|should|must|said|says|"
                      r"shows?|showed|found|argues?|argued)\b", re.I)
_VERB_FA = re.compile(rf"(?<![{_FA}])(?:است|نیست|بود|شد|شده|شود|گفت|افزود|کرد|کند|کرده|دارد|داشت|نمود|"
                      rf"گردید|باشد|می\s[{_FA}]+|نمی\s[{_FA}]+|میشود|میشوند|میکند|میکنند|میباشد|میتوان|میدهد)(?![{_FA}])")

_KEYWORDS = re.compile(
    r"^(?:key\s*-?\s*words?|index\s+terms|jel\s+(?:classification|codes?))\s*[:：—–-]"
    r"|^(?:واژگان\s*کلیدی|واژه\s*(?:ها|های)\s*کلیدی|کلمات\s*کلیدی|کلید\s*واژه\s*(?:ها|های|گان)?)\s*[:：—–-]",
    re.I,
)
_DATES = re.compile(
    r"^(?:received|accepted|revised|published(?:\s+online)?|available\s+online|first\s+published|"
    r"date\s+of\s+(?:receipt|acceptance|publication)|تاریخ\s*(?:دریافت|پذیرش|بازنگری|اصلاح|انتشار|چاپ)(?:\s*مقاله)?)"
    r"\s*(?P<colon>[:：])?",
    re.I,
)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_EMAIL_LABEL = re.compile(r"^(?:e-?mail|email\s+address|پست\s*الکترونیک(?:ی)?|رایانامه|ایمیل)\s*[:：]", re.I)
_CORRESPONDING = re.compile(r"corresponding\s+author|نویسنده\s*(?:ی\s*)?مسئول|نویسنده\s*(?:ی\s*)?مسؤول", re.I)
_RANK = re.compile(
    r"^(?:\*+|†|‡|\d{1,2}\s)?\s*(?:assistant\s+|associate\s+|full\s+|visiting\s+)?(?:professor|lecturer|researcher|"
    r"faculty\s+member|ph\.?\s?d\.?|postdoc|m\.?\s?a\.?\s|m\.?\s?sc\.?|msc|b\.?\s?a\.?\s|master|doctoral|"
    r"استادیار|دانشیار|استاد|دانشجوی|دکتری|دکترای|کارشناس|عضو\s*هیئت\s*علمی|عضو\s*هیات\s*علمی|مربی|پژوهشگر|پسادکتر)"
    r"(?![A-Za-z\u0600-\u06FF])",
    re.I,
)
_INSTITUTION = re.compile(r"\b(?:university|institute|faculty|department|school\s+of|college|academy|centre|center)\b"
                          r"|دانشگاه|پژوهشگاه|پژوهشکده|دانشکده|گروه|مؤسسه|موسسه|مرکز", re.I)
_ID_LINE = re.compile(r"^(?:doi\s*:|e?-?issn\b|p-?issn\b|issn\b|isbn\b|شاپا|شابک|orcid\b|\d{4}-\d{4}-\d{4}-\d{3}[\dx]\b)",
                      re.I)
_NEWS_ID = re.compile(r"^(?:کد\s*خبر|شناسه\s*خبر|شماره\s*خبر|news\s*(?:id|code)|story\s*id)\s*[:：]?\s*\d+\s*$", re.I)
_PAGE = re.compile(r"^(?:page|p\.|صفحه|ص\.)\s*\d{1,4}(?:\s*(?:of|از|/)\s*\d{1,4})?$", re.I)
_JOURNAL_ISSUE = re.compile(r"(?:فصلنامه|ماهنامه|دوره|journal|quarterly|review)", re.I)
_ISSUE_NUMBERS = re.compile(r"(?:سال|دوره|شماره|vol(?:ume)?\.?|no\.?|issue)\s*\d{1,4}", re.I)
_TIME = re.compile(r"\b\d{1,2}:\d{2}(?::\d{2})?\b")
_CAPTION = re.compile(
    r"^(?:table|figure|fig\.?|chart|diagram|graph|map|image|photo|plate|"
    r"جدول|شکل|نمودار|نقشه|تصویر|عکس|پیوست)\s*(?:شماره\s*|no\.?\s*)?\(?\s*\d{1,3}(?:\s*[-.]\s*\d{1,3})*\s*\)?"
    r"\s*(?:\((?:ادامه|continued|cont\.?)\)\s*)?[:：.\-–—ـ)]",
    re.I,
)
_SOURCE_LINE = re.compile(r"^(?:source|sources|منبع|مأخذ|ماخذ)\s*[:：]", re.I)

# Section titles, compared after fold(), lower case, numbering, «#» and a final colon dropped.
REFERENCE_TITLES = frozenset({
    "references", "reference", "reference list", "references and notes", "bibliography", "works cited",
    "literature cited", "cited literature",
    "منابع", "فهرست منابع", "منابع و مآخذ", "منابع و ماخذ", "فهرست منابع و مآخذ", "فهرست منابع و ماخذ",
    "کتابنامه", "کتاب نامه", "مراجع", "منابع فارسی", "منابع انگلیسی", "منابع لاتین", "منابع خارجی",
    "منابع عربی", "منابع و مراجع", "منابع و پی نوشت ها", "فهرست منابع و پی نوشت ها", "پی نوشت ها و منابع",
})
# Titles that end a reference section when the extractor did not mark them as headings
# (Persian journals often print the English abstract after the references).
SECTION_TITLES = frozenset({
    "abstract", "extended abstract", "introduction", "appendix", "appendices", "acknowledgements",
    "acknowledgments", "notes", "endnotes", "about the authors", "biography",
    "چکیده", "چکیده انگلیسی", "چکیده مبسوط", "مقدمه", "پیوست", "پیوست ها", "پیوستها", "سپاسگزاری",
    "قدردانی", "تشکر و قدردانی", "یادداشت ها", "یادداشتها", "پی نوشت ها", "پی نوشتها",
})
_REFERENCE_KEYS = frozenset(t.replace(" ", "") for t in REFERENCE_TITLES)   # spaces and half-spaces vary
_SECTION_KEYS = frozenset(t.replace(" ", "") for t in SECTION_TITLES)
RUNNING_HEAD_MIN = 3      # the same short line this many times in a document is a running head
RUNNING_HEAD_WORDS = 15


def _folded(text: str) -> str:
    return " ".join(fold(text).split())


def _unmarked(text: str) -> str:
    """``text`` folded, without a leading bullet or enumeration («-», «*», «[12]», «3.»)."""
    return _MARKER.sub("", _folded(text), count=1)


def _title_key(text: str) -> str:
    t = _unmarked(text.lstrip("# "))
    t = re.sub(r"^(?:\d{1,2}(?:[-.]\d{1,2})*|[ivx]{1,4})[.)\-]?\s+", "", t, flags=re.I)
    return t.rstrip(" :：.").lower().replace(" ", "")


def is_reference_title(text: str) -> bool:
    """``text`` is the title of a bibliography: «References», «۶. منابع», «فهرست منابع:», «کتاب‌نامه»."""
    return len(text) < 60 and _title_key(text) in _REFERENCE_KEYS


def is_section_title(text: str) -> bool:
    """``text`` is a standard section title other than the references («Abstract», «مقدمه», «پیوست»)."""
    return len(text) < 60 and _title_key(text) in _SECTION_KEYS


def reference_cues(text: str) -> int:
    """How many kinds of bibliographic cue ``text`` has outside in-text citations (DOI, URL, «Retrieved
    from», volume(issue) and pages, «pp.»/«صص.», a publisher, a journal, «et al.»/«(Eds.)»/«ترجمه»)."""
    t = _CITATION.sub(" ", _folded(text))
    return sum(1 for pattern in _CUES.values() if pattern.search(t))


def is_reference(text: str) -> bool:
    """``text`` is one bibliography entry (or starts with one)."""
    t = _unmarked(text)
    if not t:
        return False
    if _URL.fullmatch(t) or _NUMBERED.match(_folded(text)) or _AUTHOR_DATE_HEAD.match(t):
        return True
    head = _AUTHOR_YEAR_HEAD.match(t)
    if head and not _has_verb(head.group("who")) and len(head.group("who").split()) <= 14:
        rest = head.group("rest")
        # names «Acuto, M.», or an organisation followed by a publisher or another bibliographic cue
        if _NAME_SEPARATOR.search(head.group("who")) or _PLACE_PUBLISHER.search(rest) or reference_cues(rest):
            return True
    return reference_cues(t) >= 2 and not _has_verb(_CITATION.sub(" ", t))


def _has_verb(text: str) -> bool:
    return bool(_VERB_EN.search(text) or _VERB_FA.search(text))


def _submission_date(t: str) -> bool:
    """«Received: 2022/10/04», «Accepted 3 May 2022», «تاریخ پذیرش: ۱۴۰۲/۰۹/۲۱»: a cue, then a colon or a date."""
    m = _DATES.match(t)
    if not m or len(t.split()) > 20:
        return False
    return bool(m.group("colon")) or any(start < m.end() + 12 for start, *_ in find_dates(t))


def _only_dates(t: str) -> bool:
    """Nothing but dates, times and at most one word: «۳ مرداد ۱۴۰۱ - ۱۱:۰۴»."""
    dates = find_dates(t)
    if not dates:
        return False
    rest = t
    for s, e, *_ in reversed(dates):
        rest = rest[:s] + " " + rest[e:]
    return len(_WORDS.findall(_TIME.sub(" ", rest))) <= 1


def front_matter(text: str) -> bool:
    """``text`` is front matter: submission dates, e-mail, affiliation, DOI/ISSN, page number,
    news id, a journal's issue line or a date-only line."""
    t = _unmarked(text)
    raw_start = _folded(text)
    if _submission_date(t) or _ID_LINE.match(t) or _NEWS_ID.match(t) or _PAGE.match(t) or _EMAIL_LABEL.match(t):
        return True
    if _CORRESPONDING.search(t):
        return True
    words = len(t.split())
    if _EMAIL.search(t) and words <= 4 + len(_EMAIL.findall(t)):
        return True
    if _RANK.match(raw_start) and _INSTITUTION.search(t) and words <= 40 and not _has_verb(t):
        return True
    if words <= 25 and _JOURNAL_ISSUE.search(t) and len(_ISSUE_NUMBERS.findall(t)) >= 2 and not _has_verb(t):
        return True
    return words <= 8 and _only_dates(t)


def is_caption(text: str) -> bool:
    """``text`` is a caption or source line: «جدول ۳:», «شکل (۲).», «Table 2.», «Figure 1:», «منبع: …»."""
    t = _unmarked(text)
    return bool(_CAPTION.match(t) or (_SOURCE_LINE.match(t) and len(t.split()) <= 12))


def line_kind(text: str) -> str | None:
    """The non-content kind of one line or statement, or None when it is (or may be) content."""
    if _KEYWORDS.match(_unmarked(text)):
        return KEYWORDS
    if is_caption(text):
        return CAPTION
    if is_reference(text):
        return REFERENCE
    if front_matter(text):
        return FRONT_MATTER
    return None


def running_heads(texts: Sequence[str]) -> set[str]:
    """Texts repeated at least :data:`RUNNING_HEAD_MIN` times that are short and end without a full stop:
    a journal's running head, a page footer, a title repeated on every page."""
    counts = Counter(" ".join(t.split()) for t in texts)
    return {t for t, n in counts.items()
            if n >= RUNNING_HEAD_MIN and len(t.split()) <= RUNNING_HEAD_WORDS and not t.endswith((".", "!", "?", "؟"))}
