"""Document -> Statements: sentences, table cells, list items and headings with exact raw offsets.

Rules (measured on the seed corpus, see ``benchmarks/bench_segment.py``):

- headings become ``heading`` statements and the ``heading`` context of what follows;
- table cells and list items stay whole; one longer than :data:`LONG_UNIT`
  characters is split at ``<p>`` blocks and sentences (kind kept);
- paragraphs are split into ``sentence`` statements: Persian/Arabic with
  :func:`split_sentences_fa` (our splitter; hazm's regex splits «و...» and
  «۲-۲.»), English with spaCy's ``sentencizer`` repaired by the same rules
  (abbreviations such as «et al.», «p.», initials; parentheses; ellipses);
- ``<p>``/``</p>`` tags are dropped from ``text``, never from ``raw``;
  ``raw == document.text[start:end]`` always holds;
- statements under :data:`MIN_WORDS` words or :data:`MIN_CHARS` characters are
  skipped (table header cells, fragments), headings excepted;
- parts of a paper that say nothing about the world get their own kind
  (rules in :mod:`pipeline.paper_parts`): ``reference`` (bibliography entries, and
  everything under a «References»/«منابع»/«کتابنامه» title until the next heading),
  ``keywords``, ``front_matter`` (submission dates, e-mails, affiliations, DOI/ISSN,
  page numbers, news ids, running heads) and ``caption`` («جدول ۳:», «Figure 1.»).
  Table cells are never reclassified. :func:`is_content` tells consumers which
  statements to analyse.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from dataclasses import replace
from functools import lru_cache

from pipeline import paper_parts
from pipeline.lang.detect import detect_lang
from pipeline.types import Document, Segment, Statement, number_occurrences

Normaliser = Callable[[str], str]

LONG_UNIT = 400
MIN_WORDS = 3
MIN_CHARS = 12
_PAREN_MAX = 300  # a "(" further than this from its ")" does not protect the periods inside

_TAG = re.compile(r"</?p\s*>", re.I)
_EDGE_TAG = re.compile(r"</?p\s*>", re.I)
_EDGE_TAG_END = re.compile(r"</?p\s*>$", re.I)
_MD_HASHES = re.compile(r"^\s{0,3}#{1,6}\s*")
_TERMINAL = re.compile(r"[.!?؟]+(?:[»\"”’')\]]|</p>)*(?=\s|$)")
_BLANK_LINE = re.compile(r"\n[ \t\f]*\n\s*")
_P_BLOCK = re.compile(r"</p>\s*<p>", re.I)
_ABBREV = re.compile(
    r"(?:\b(?:et al|etc|fig|figs|p|pp|vol|no|nos|ed|eds|e\.g|i\.e|cf|vs|dr|mr|mrs|ms|prof|st|jr|inc|ltd|co)"
    r"|(?<![\w\u0600-\u06FF])[^\W_])\.$",  # a single letter or digit: initial, «ص.», enumeration «۱.»
    re.I,
)
_OPENERS = "(«“[‘"
_LETTER = re.compile(r"[^\W\d_]")
_NEXT_CHAR = re.compile(r"\s*(\S)")

# Statement kinds that carry what a document says: themes and classification use only these.
# Every other kind (``heading``, ``metadata``, ``reference``, ``keywords``, ``front_matter``,
# ``caption``) is kept in the store, with its offsets, but left out of the analysis.
CONTENT_KINDS = frozenset({"sentence", "table_cell", "list_item"})


def is_content(statement) -> bool:
    """True when ``statement`` (anything with a ``kind``) is analysed: a sentence, table cell or
    list item, not a heading, reference, keyword line, front matter or caption.

    The one predicate every consumer (themes, classification, reports) uses to pick statements.
    """
    return statement.kind in CONTENT_KINDS


# -- normaliser -----------------------------------------------------------------

def minimal_normalise(text: str) -> str:
    """Fallback normaliser: strip and collapse whitespace only."""
    return " ".join(text.split())


def default_normaliser() -> Normaliser:
    """``pipeline.normalise.normalise`` (its ``.text`` when it returns an object), else :func:`minimal_normalise`."""
    try:
        from pipeline.normalise import normalise as project_normalise
    except ImportError:
        return minimal_normalise

    takes_lang = _accepts_lang(project_normalise)

    def run(text: str, lang: str | None = None) -> str:
        result = project_normalise(text, lang=lang) if takes_lang else project_normalise(text)
        value = getattr(result, "text", result)
        if not isinstance(value, str):
            raise TypeError(f"pipeline.normalise.normalise returned {type(result).__name__}; "
                            "expected a str or an object with a `.text` str.")
        return value

    return run


def _accepts_lang(func: Callable) -> bool:
    try:
        return "lang" in inspect.signature(func).parameters
    except (TypeError, ValueError):
        return False


def _with_lang(func: Callable) -> Callable[[str, str], str]:
    """``func`` as ``(text, lang) -> str``, passing ``lang`` only if ``func`` takes it."""
    if _accepts_lang(func):
        return lambda text, lang: func(text, lang=lang)
    return lambda text, lang: func(text)


# -- sentence splitting ---------------------------------------------------------

def _protected(text: str) -> bytearray:
    """1 at positions inside balanced, short parentheses: periods there never end a sentence."""
    inside = bytearray(len(text))
    stack: list[int] = []
    for i, ch in enumerate(text):
        if ch == "(":
            stack.append(i)
        elif ch == ")" and stack:
            j = stack.pop()
            if i - j <= _PAREN_MAX:
                inside[j + 1:i] = b"\x01" * (i - j - 1)
    return inside


def _false_boundary(text: str, sent_start: int, cut: int, protected: bytearray) -> bool:
    """True when a candidate boundary at ``cut`` does not end a sentence."""
    left = _TAG.sub("", text[sent_start:cut]).rstrip().rstrip("»\"”’')]")
    if not _LETTER.search(left):  # «۲-۲.», «1.» – an enumeration, not a sentence
        return True
    if protected[cut - 1]:
        return True
    dots = len(left) - len(left.rstrip("."))
    if dots in (2, 3) or left.endswith("…"):  # «و...» = «etc.», mid-sentence ellipsis
        return True
    if dots == 1 and _ABBREV.search(left[-12:]):
        return True
    nxt = _NEXT_CHAR.match(text, cut)
    return bool(nxt) and nxt.group(1).islower() and nxt.group(1).isascii()


def _trim(text: str, s: int, e: int) -> tuple[int, int]:
    """Narrow ``text[s:e]`` past surrounding white space and ``<p>``/``</p>`` tags."""
    while s < e:
        m = _EDGE_TAG.match(text, s, e)
        if text[s].isspace():
            s += 1
        elif m:
            s = m.end()
        else:
            break
    while e > s:
        if text[e - 1].isspace():
            e -= 1
        elif text[e - 1] == ">" and (m := _EDGE_TAG_END.search(text, max(s, e - 6), e)):
            e = m.start()
        else:
            break
    return s, e


def _spans(text: str, cuts: list[int], base: int) -> list[tuple[int, int]]:
    """Trimmed ``(start, end)`` spans (offset by ``base``) between cuts."""
    out = []
    prev = 0
    for cut in [*cuts, len(text)]:
        s, e = _trim(text, prev, cut)
        if e > s:
            out.append((base + s, base + e))
        prev = cut
    return out


def _filter_cuts(text: str, candidates: list[int]) -> list[int]:
    protected = _protected(text)
    hard = {m.start() for m in _BLANK_LINE.finditer(text)}
    cuts: list[int] = []
    start = 0
    for cut in sorted(set(candidates) | hard):
        if cut <= start or cut >= len(text):
            continue
        if cut not in hard and _false_boundary(text, start, cut, protected):
            continue
        cuts.append(cut)
        start = cut
    return cuts


def split_sentences_fa(text: str, base: int = 0) -> list[tuple[int, int]]:
    """Sentence spans of Persian (or Arabic) text: ``text[s-base:e-base]`` is a sentence.

    Splits after ``. ! ? ؟`` (with closing quotes/brackets) before white space,
    and at blank lines; never inside short parentheses, after «و...», after
    enumerations («۲-۲.») or Latin abbreviations («p.», «et al.»).

    >>> t = "روابط اصفهان و... گسترش یافت. آیا موفق بود؟ بله!"
    >>> [t[s:e] for s, e in split_sentences_fa(t)]
    ['روابط اصفهان و... گسترش یافت.', 'آیا موفق بود؟', 'بله!']
    """
    return _spans(text, _filter_cuts(text, [m.end() for m in _TERMINAL.finditer(text)]), base)


def _opening(text: str, i: int) -> bool:
    """``text[i]`` opens a bracket or quote (a straight quote only after white space)."""
    if text[i] in "\"'":
        return i == 0 or text[i - 1].isspace()
    return text[i] in _OPENERS


@lru_cache(maxsize=1)
def _english_nlp():
    import spacy

    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    return nlp


def split_sentences_en(text: str, base: int = 0) -> list[tuple[int, int]]:
    """Sentence spans of English text: spaCy's sentencizer, with opening brackets/quotes moved to the
    next sentence and false boundaries (abbreviations, parentheses, lower-case continuation) removed."""
    doc = _english_nlp()(text)
    cuts = []
    for sent in list(doc.sents)[1:]:
        cut = sent.start_char
        while cut > 0 and (text[cut - 1].isspace() or _opening(text, cut - 1)):
            cut -= 1
        cuts.append(cut)
    return _spans(text, _filter_cuts(text, cuts), base)


def split_sentences(text: str, lang: str, base: int = 0) -> list[tuple[int, int]]:
    """Sentence spans for ``lang`` ("en" uses spaCy, everything else the Persian splitter)."""
    return split_sentences_en(text, base) if lang == "en" else split_sentences_fa(text, base)


# -- statements -------------------------------------------------------------------

def clean_text(raw: str, kind: str) -> str:
    """Statement text before normalisation: ``<p>`` tags dropped, Markdown ``#`` removed from headings."""
    text = _TAG.sub(" ", raw)
    if kind == "heading":
        text = _MD_HASHES.sub("", text)
    return " ".join(text.split())


def _keep(text: str, kind: str) -> bool:
    return kind == "heading" or (len(text) >= MIN_CHARS and len(text.split()) >= MIN_WORDS)


def _unit_spans(doc: Document, seg: Segment, lang: str) -> list[tuple[int, int]]:
    """Spans of one segment: whole for headings and short cells/items, else sentences."""
    text = doc.text[seg.start:seg.end]
    if seg.kind == "heading" or seg.kind == "metadata":
        return _spans(text, [], seg.start)
    if seg.kind in ("table_cell", "list_item"):
        if len(clean_text(text, seg.kind)) <= LONG_UNIT:
            return _spans(text, [], seg.start)
        cuts = [m.start() + len("</p>") for m in _P_BLOCK.finditer(text)]
        out: list[tuple[int, int]] = []
        for s, e in _spans(text, cuts, 0):
            out += split_sentences(text[s:e], lang, seg.start + s)
        return out
    return split_sentences(text, lang, seg.start)


def document_lang(doc: Document) -> str:
    """Main language of a document: its metadata ``language`` if set, else detected from the text."""
    if doc.meta.language in ("fa", "en", "ar"):
        return doc.meta.language
    return detect_lang(doc.text[:20000], default="fa")


def segment_document(doc: Document, normalise: Normaliser | None = None) -> tuple[Statement, ...]:
    """Statements of ``doc`` in reading order, ``index`` 0, 1, 2 …, ids anchored to their text
    (:func:`pipeline.types.statement_id`).

    ``normalise`` maps a statement's cleaned text to its normalised form (it
    may take a ``lang`` keyword); default :func:`default_normaliser`. Each
    statement is normalised on its own, so raw offsets need no offset map.
    """
    norm = _with_lang(normalise or default_normaliser())
    main_lang = document_lang(doc)
    headings: dict[str, str] = {}
    out: list[Statement] = []

    def normalised(text: str, lang: str) -> str:
        return minimal_normalise(norm(text, lang))

    kinds = _PartTracker()
    for seg in doc.segments:
        seg_text = clean_text(doc.text[seg.start:seg.end], seg.kind)
        seg_lang = seg.lang or detect_lang(seg_text, default=main_lang)
        seg_part = kinds.segment(seg, seg_text)
        heading = None
        if seg.kind != "heading" and seg.heading:
            if seg.heading not in headings:
                h = clean_text(seg.heading, "heading")
                headings[seg.heading] = normalised(h, detect_lang(h, default=main_lang))
            heading = headings[seg.heading] or None
        for start, end in _unit_spans(doc, seg, seg_lang):
            raw = doc.text[start:end]
            cleaned = clean_text(raw, seg.kind)
            if not cleaned or not _keep(cleaned, seg.kind):
                continue
            lang = detect_lang(cleaned, default=seg_lang)
            text = normalised(cleaned, lang)
            if not text or not _keep(text, seg.kind):
                continue
            out.append(Statement(
                doc_id=doc.doc_id,
                index=len(out),
                kind=seg_part or _statement_kind(seg.kind, cleaned),
                start=start,
                end=end,
                raw=raw,
                text=text,
                lang=lang,
                page=seg.page if seg.page is not None else doc.page_of(start),
                table=seg.table,
                row=seg.row,
                col=seg.col,
                heading=heading,
            ))
    return number_occurrences(_mark_running_heads(out))


def _statement_kind(seg_kind: str, cleaned: str) -> str:
    """Kind of one statement of a segment with no part of its own: a keyword line, caption, reference or
    front matter by its own text, else the segment's kind (``paragraph`` becomes ``sentence``)."""
    if seg_kind in ("paragraph", "list_item"):
        part = paper_parts.line_kind(cleaned)
        if part:
            return part
    return "sentence" if seg_kind == "paragraph" else seg_kind


class _PartTracker:
    """Walks a document's segments in order and says which whole segments are not content: those under a
    references title (until the next heading or standard section title), and bibliography entries."""

    def __init__(self) -> None:
        self.in_references = False

    def segment(self, seg: Segment, text: str) -> str | None:
        """The kind every statement of ``seg`` gets, or None to decide statement by statement."""
        if seg.kind == "heading":
            self.in_references = paper_parts.is_reference_title(text)
            return None
        if seg.kind not in ("paragraph", "list_item"):
            return None
        if paper_parts.is_reference_title(text):  # a title the extractor took for a paragraph
            self.in_references = True
            return "heading"
        if paper_parts.is_section_title(text):
            self.in_references = False
            return "heading"
        if self.in_references:
            if len(text) > LONG_UNIT and not paper_parts.is_reference(text) and not paper_parts.reference_cues(text):
                self.in_references = False  # running prose without a heading: the reference list is over
                return None
            return paper_parts.REFERENCE
        return paper_parts.REFERENCE if paper_parts.is_reference(text) else None


def _mark_running_heads(statements: list[Statement]) -> list[Statement]:
    """Sentences repeated as running heads (:func:`pipeline.paper_parts.running_heads`) become ``front_matter``."""
    heads = paper_parts.running_heads([s.text for s in statements])
    if not heads:
        return statements
    return [replace(s, kind=paper_parts.FRONT_MATTER) if s.kind == "sentence" and " ".join(s.text.split()) in heads
            else s for s in statements]
