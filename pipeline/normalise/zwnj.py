"""Restore the Persian zero-width non-joiner (ZWNJ, U+200C, «نیم‌فاصله»).

Text loses its ZWNJs in two ways: they are dropped (``میشود``, ``دولتها``) or typed as
spaces (``می شود``, ``دولت ها``). :class:`ZwnjRestorer` repairs both, in this order of
evidence:

1. house-style overrides (``pipeline/data/zwnj/house_style.tsv``);
2. the UD lexicon (``ud_forms.tsv``): a ZWNJ form is used only when the UD training text
   wrote it with its ZWNJ more often than as one plain word (for joined input) or as
   space-separated words (for spaced input), so ``این که`` and ``شده است`` stay apart;
3. affix rules: ``می``/``نمی`` + a verb form (stems from hazm's ``verbs.dat``; on spaced input
   also + a word no dictionary knows, ``می نمایانند``), plural ``ها``/``های``…,
   ``تر``/``تری``/``ترین``, ``ام``/``ای``/``اند``… after a final ``ه`` (and, spaced, after ``ی``:
   ``پیشانی‌اش``), and the prefix ``بی`` before a known word;
4. hazm's bundled word list (``words.dat``, every compound it lists, whatever its frequency)
   for compounds (``بین‌الملل``), their inflections (``سرمایه‌گذاران`` from ``سرمایه‌گذار``)
   and three-part compounds (``عبدالله‌بن‌زبیر``); a spaced pair is joined only if one side is
   more often bound than free in the training text (``گذاری`` is, ``شده`` is not), a spaced
   triple only if none of its words is a common free word (``به``، ``که``).

House style: ZWNJ before plural ``ها`` (``آن‌ها``), after ``می``/``نمی``, before ``تر``/``تری``/``ترین``
where the stem joins; the copula ``است`` stays a separate word (``شده است``); no ZWNJ after
a non-joining letter (``کارها``); other conventions follow the majority of the UD text.
"""

from __future__ import annotations

import csv
import importlib.util
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from pipeline.normalise.chars import WORD_RE, ZWNJ, joins_left

DATA_DIR = Path(__file__).resolve().parents[1] / "data" / "zwnj"

MI_PREFIXES = frozenset({"می", "نمی", "برمی", "درمی", "فرومی", "بازمی", "وامی", "فرامی"})
PLURAL_SUFFIXES = ("هایشان", "هایتان", "هایمان", "هایش", "هایت", "هایم", "هایی", "های", "ها")
COMPARATIVE_SUFFIXES = ("ترین", "تری", "تر")
# Pronominal clitics and personal endings that take a ZWNJ after a final «ه» (خانه‌ام، رفته‌اند).
ALEF_SUFFIXES = ("ایم", "اید", "اند", "ام", "ات", "اش", "ای")
# The ones that also take a ZWNJ after a final «ی» (پیشانی‌اش، زندگی‌ام، سنتی‌ای): both UD treebanks.
YEH_SUFFIXES = ("ایم", "اید", "اند", "ام", "اش", "ای")
# Inflections after a compound's right part, with the stem ending they replace (کنندگان ← کننده).
STEM_ENDINGS = (("گانی", "ه"), ("گان", "ه"), ("انی", ""), ("ان", ""), ("هایی", ""), ("های", ""), ("ها", ""),
                ("ای", ""), ("یی", ""), ("ی", ""), ("ات", ""))
# Prefixes written bound far more often than free in the UD text (بی‌ثبات); + a known word.
BOUND_PREFIXES = frozenset({"بی"})
WORD_SUFFIXES = frozenset(PLURAL_SUFFIXES + COMPARATIVE_SUFFIXES)
PRESENT_ENDINGS = ("", "م", "ی", "د", "یم", "ید", "ند")
PAST_ENDINGS = ("", "م", "ی", "یم", "ید", "ند", "ه")


_ZERO = (0, 0, 0)


def hazm_data_file(name: str) -> Path:
    """Path of a file bundled in hazm's ``data`` folder, found without importing hazm (slow)."""
    spec = importlib.util.find_spec("hazm")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("hazm is not installed: `pip install hazm==0.10.0` (needed for its word list).")
    return Path(next(iter(spec.submodule_search_locations))) / "data" / name


@lru_cache(maxsize=1)
def hazm_words() -> dict[str, int]:
    """hazm's word list as {word: corpus frequency} (``hazm.utils.words_list()`` without the import)."""
    words: dict[str, int] = {}
    with hazm_data_file("words.dat").open(encoding="utf-8") as fh:
        for line in fh:
            parts = line.rstrip("\n").split("\t")
            if len(parts) == 3:
                words[parts[0]] = int(parts[1])
    return words


@lru_cache(maxsize=1)
def verb_forms() -> frozenset[str]:
    """Simple verb forms (no prefix) from hazm's ``verbs.dat`` stems: ``شود``، ``کردند``، ``رفته``…"""
    forms: set[str] = set()
    with hazm_data_file("verbs.dat").open(encoding="utf-8") as fh:
        for line in fh:
            past, _, present = line.strip().partition("#")
            if past:
                forms.update(past + e for e in PAST_ENDINGS)
            if present:
                forms.update(present + e for e in PRESENT_ENDINGS)
                if present[-1] in "اوی":  # آ → آید، گو → گوید
                    forms.update(present + "ی" + e for e in PRESENT_ENDINGS[1:])
    return frozenset(forms)


@dataclass(frozen=True)
class ZwnjLexicon:
    """Counts behind the restorer's decisions. Build with :meth:`load` or :meth:`from_counts`.

    ``forms``: ZWNJ form → (times seen with ZWNJ, as one plain word, as space-separated parts).
    ``vocab``: word or word part → (times alone, as left side of a ZWNJ, as right side of a ZWNJ).
    ``house``: plain spelling → house-style form.
    """

    forms: Mapping[str, tuple[int, int, int]]
    vocab: Mapping[str, tuple[int, int, int]]
    house: Mapping[str, str]

    @classmethod
    def load(cls, data_dir: Path = DATA_DIR) -> ZwnjLexicon:
        """Read ``ud_forms.tsv``, ``ud_vocab.tsv`` and ``house_style.tsv`` from ``data_dir``."""
        try:
            forms = {r[0]: (int(r[1]), int(r[2]), int(r[3])) for r in _rows(data_dir / "ud_forms.tsv")}
            vocab = {r[0]: (int(r[1]), int(r[2]), int(r[3])) for r in _rows(data_dir / "ud_vocab.tsv")}
            house = {r[0]: r[1] for r in _rows(data_dir / "house_style.tsv")}
        except FileNotFoundError as exc:
            raise FileNotFoundError(
                f"ZWNJ lexicon file missing: {exc.filename}. Rebuild it with "
                "`python -m pipeline.normalise.build_lexicon`."
            ) from None
        return cls(forms=forms, vocab=vocab, house=house)

    @classmethod
    def from_counts(cls, forms: Mapping[str, tuple[int, int, int]], vocab: Mapping[str, tuple[int, int, int]],
                    house: Mapping[str, str] | None = None) -> ZwnjLexicon:
        return cls(forms=dict(forms), vocab=dict(vocab), house=dict(house or {}))


def _rows(path: Path) -> Iterable[list[str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE):
            if row and not row[0].startswith("#") and row[0] != "form" and row[0] != "word":
                yield row


class ZwnjRestorer:
    """Puts ZWNJs back into Persian words; see the module docstring for the evidence used.

    Decisions are *strong* (house style, ``می`` + verb, a free-standing suffix such as ``ها``,
    the lexicon's verdict on a spaced pair) or *weak* (other lexicon fixes of joined words, suffix
    splits, hazm compounds, their inflections and three-part ones, ``بی`` + word). Typists are
    mostly consistent within a line, so each line's habit is measured first (:meth:`line_style`):
    weak joined-word fixes are skipped on lines that mostly type spaces (``می کنند``), weak spaced
    joins on lines that mostly drop ZWNJs (``میکنند``).

    >>> r = ZwnjRestorer()
    >>> r.restore("سیاستهای شهرداریها میکنند")
    'سیاست\u200cهای شهرداری\u200cها می\u200cکنند'
    """

    hazm_join_threshold = 0.3
    prior_smoothing = 1.0
    free_word_count = 20
    function_word_count = 100  # a word free this often and almost never bound blocks a hazm triple
    adapt_to_line = True

    def __init__(self, lexicon: ZwnjLexicon | None = None, use_hazm: bool = True):
        self._lexicon = lexicon
        self.use_hazm = use_hazm
        self._ready = False

    def _prepare(self) -> None:
        lex = self._lexicon or ZwnjLexicon.load()
        self._lexicon = lex
        self._joined: dict[str, str] = {}  # plain → ZWNJ form (lexicon or house style), or "" = keep
        self._spaced: dict[str, str] = {}  # "a b" → ZWNJ form, or "" = keep separate
        best: dict[str, tuple[int, str]] = {}
        for form, (n_zwnj, n_plain, n_spaced) in lex.forms.items():
            plain = form.replace(ZWNJ, "")
            if n_zwnj > best.get(plain, (0, ""))[0]:
                best[plain] = (n_zwnj, form)
            self._spaced[form.replace(ZWNJ, " ")] = form if n_zwnj > n_spaced else ""
            if n_plain and plain not in self._joined:
                self._joined[plain] = ""  # attested plain: keep unless a ZWNJ form wins below
        for plain, (n_zwnj, form) in best.items():
            self._joined[plain] = form if n_zwnj > lex.forms[form][1] else ""
        for plain, form in lex.house.items():
            self._joined[plain] = form
            self._spaced[form.replace(ZWNJ, " ")] = form
        self._plain = {w for w, c in lex.vocab.items() if c[0] > 0}
        self._known: dict[str, int] = dict(hazm_words()) if self.use_hazm else {}
        self._hazm_forms: dict[str, str] = {}  # plain → hazm ZWNJ form (the commonest of a spelling)
        self._hazm_triples: dict[str, str] = {}  # "a b c" → hazm form a‌b‌c
        if self.use_hazm:
            # frequency 0 only means "not in hazm's corpus counts": the compound is still listed
            ranked = sorted((f for f in self._known if ZWNJ in f), key=self._known.get)
            self._hazm_forms = {f.replace(ZWNJ, ""): f for f in ranked}
            self._hazm_triples = {f.replace(ZWNJ, " "): f for f in ranked if f.count(ZWNJ) == 2}
        triples = [k for k in self._spaced if k.count(" ") == 2] + list(self._hazm_triples)
        self._triple_heads = frozenset(k.split(" ", 1)[0] for k in triples)  # first words of known triples
        self._verbs = verb_forms()
        self._memo: dict[str, tuple[str | None, bool]] = {}
        self._pair_memo: dict[tuple[str, str], tuple[str | None, bool]] = {}
        self._ready = True

    # -- decisions on one word or one pair of words --------------------------------------
    def is_word(self, word: str) -> bool:
        """True when ``word`` is attested as written (UD training text, or hazm's list with frequency > 0)."""
        if not self._ready:
            self._prepare()
        return word in self._plain or self._known.get(word, 0) > 0 or word in self._lexicon.forms

    def fix_joined(self, word: str, weak: bool = True) -> str | None:
        """The ZWNJ form of a word typed without its ZWNJ, or None to keep it.

        ``weak=False`` uses only strong evidence (house style, ``می`` + verb).

        >>> ZwnjRestorer().fix_joined("میشود"), ZwnjRestorer().fix_joined("میدان")
        ('می\u200cشود', None)
        """
        form, strong = self._fix_joined(word)
        return form if strong or weak else None

    def _fix_joined(self, word: str) -> tuple[str | None, bool]:
        if not self._ready:
            self._prepare()
        memo = self._memo
        found = memo.get(word)
        if found is None:
            if len(memo) > 200_000:
                memo.clear()
            memo[word] = found = self._decide_joined(word)
        return found

    def _decide_joined(self, word: str) -> tuple[str | None, bool]:
        if ZWNJ in word:
            return None, True
        found = self._joined.get(word)
        if found is not None:
            strong = not found or word in self._lexicon.house or found.split(ZWNJ, 1)[0] in MI_PREFIXES
            return found or None, strong
        if self.is_word(word):
            return None, True
        prefixed = self._split_prefix(word)
        if prefixed:
            return prefixed, True
        if word in self._hazm_forms:
            return self._hazm_forms[word], False
        return self._split_suffix(word) or self._inflected_compound(word), False

    def _split_prefix(self, word: str) -> str | None:
        for n in (5, 4, 3, 2):  # فرومی، برمی، نمی، می
            head, rest = word[:n], word[n:]
            if head in MI_PREFIXES and len(rest) >= 2:
                if rest in self._verbs:
                    return head + ZWNJ + rest
                tail = self._split_suffix(rest, verbs_only=True)
                if tail:
                    return head + ZWNJ + tail
        return None

    def _split_suffix(self, word: str, verbs_only: bool = False) -> str | None:
        """Split a suffix off a joined word; of several readings (پیمان‌های / پیمانه‌ای) the commoner base wins."""
        best, best_freq = None, -1
        for suffix in ALEF_SUFFIXES:
            base = word[: -len(suffix)]
            if word.endswith(suffix) and len(base) >= 2 and base.endswith("ه"):
                if base in self._verbs or (not verbs_only and self.is_word(base)):
                    best, best_freq = base + ZWNJ + suffix, self._frequency(base)
                    break
        if verbs_only:
            return best
        for suffix in PLURAL_SUFFIXES + COMPARATIVE_SUFFIXES:
            base = word[: -len(suffix)]
            if word.endswith(suffix) and len(base) >= 2:
                if suffix == "تری" and self.is_word(word[:-1]):
                    continue  # بهتری، کلانتری: «…تر» + «ی», not a comparative to split
                fixed = base if self.is_word(base) else (self._joined.get(base) or self._hazm_forms.get(base))
                if fixed:
                    # both readings possible (پیمان‌های / پیمانه‌ای): the plural needs a 3× commoner base
                    # (fewest errors on the UD training forms); روندهای keeps no ZWNJ after «د»
                    if self._frequency(base) > 3 * best_freq:
                        best = fixed + ZWNJ + suffix if joins_left(base) else None
                    break
        return best or self._split_yeh_suffix(word)

    def _split_yeh_suffix(self, word: str) -> str | None:
        """``پیشانیاش`` → ``پیشانی‌اش``: a clitic after a known word ending in «ی»."""
        for suffix in YEH_SUFFIXES:
            base = word[: -len(suffix)]
            if word.endswith(suffix) and len(base) >= 3 and base.endswith("ی") and self.is_word(base):
                return base + ZWNJ + suffix
        return None

    def _inflected_compound(self, word: str) -> str | None:
        """A joined inflection of a compound whose stem has a ZWNJ form (lexicon or hazm) but is not
        attested plain: ``سرمایهگذاران`` → ``سرمایه‌گذاران`` (``سرمایه‌گذار``), ``کنندگان`` ← ``کننده``."""
        for ending, stem_end in STEM_ENDINGS:
            if word.endswith(ending) and len(word) - len(ending) >= 3:
                stem = word[: -len(ending)] + stem_end
                form = self._hazm_forms.get(stem) or self._joined.get(stem)
                if form and not self.is_word(stem):
                    return form[: len(form) - len(stem_end)] + ending
        return None

    def _frequency(self, word: str) -> int:
        counts = self._lexicon.vocab.get(word, _ZERO)
        return self._known.get(word, 0) + 1_000_000 * counts[0]

    def join_spaced(self, left: str, right: str, weak: bool = True) -> str | None:
        """The joined form of two space-separated words, or None to keep the space.

        >>> ZwnjRestorer().join_spaced("دولت", "ها"), ZwnjRestorer().join_spaced("کار", "ها")
        ('دولت\u200cها', 'کارها')
        """
        form, strong = self._join_spaced(left, right)
        return form if strong or weak else None

    def _join_spaced(self, left: str, right: str) -> tuple[str | None, bool]:
        if not self._ready:
            self._prepare()
        memo = self._pair_memo
        found = memo.get((left, right))
        if found is None:
            if len(memo) > 200_000:
                memo.clear()
            memo[left, right] = found = self._decide_spaced(left, right)
        return found

    def _decide_spaced(self, left: str, right: str) -> tuple[str | None, bool]:
        found = self._spaced.get(left + " " + right)
        if found is not None:
            return found or None, True
        if left in MI_PREFIXES and (right in self._verbs or self._split_suffix(right, verbs_only=True)):
            return left + ZWNJ + right, True
        if right in WORD_SUFFIXES and len(left) >= 2:
            return left + (ZWNJ if joins_left(left) else "") + right, True
        if right in ALEF_SUFFIXES and len(left) >= 2 and left.endswith("ه"):
            return left + ZWNJ + right, True
        if (left + right) in self._joined:
            return None, True
        if right in YEH_SUFFIXES and len(left) >= 2 and left.endswith("ی"):
            return left + ZWNJ + right, True
        if left in MI_PREFIXES and len(right) >= 2 and not self.is_word(right):
            return left + ZWNJ + right, True  # می نمایانند: a verb that verbs.dat does not list
        if self._is_compound(left, right) or self._is_compound_inflection(left, right):
            return left + ZWNJ + right, False
        if left in BOUND_PREFIXES and len(right) >= 2 and self.is_word(right):
            return left + ZWNJ + right, False
        return None, True

    def _is_compound(self, left: str, right: str) -> bool:
        """``left‌right`` is in hazm's list and one side is bound enough (:meth:`bound_score`)."""
        return (self.use_hazm and (left + ZWNJ + right) in self._known
                and self.bound_score(left, right) >= self.hazm_join_threshold)

    def _is_compound_inflection(self, left: str, right: str) -> bool:
        """``right`` inflects the right part of a known compound: ``سرمایه گذاران`` (``سرمایه‌گذار``),
        ``شرکت کنندگان`` (``شرکت‌کننده``); the compound is known to hazm or joined by the lexicon."""
        for ending, stem_end in STEM_ENDINGS:
            if right.endswith(ending) and len(right) - len(ending) >= 2:
                stem = right[: -len(ending)] + stem_end
                joined_by_lexicon = bool(self._spaced.get(left + " " + stem))
                if self._is_compound(left, stem) or (
                        joined_by_lexicon and self.bound_score(left, stem) >= self.hazm_join_threshold):
                    return True
        return False

    def _join_triple(self, a: str, b: str, c: str, weak: bool) -> str | None:
        """The ZWNJ form of three space-separated words (``عبدالله بن زبیر``), or None: the lexicon's
        verdict, else (weak) hazm's three-part compounds when none of the words is a common free word."""
        key = f"{a} {b} {c}"
        found = self._spaced.get(key)
        if found is not None:
            return found or None
        form = self._hazm_triples.get(key)
        if weak and form and not any(map(self._is_function_word, (a, b, c))):
            return form
        return None

    def _is_function_word(self, word: str) -> bool:
        """Free at least :attr:`function_word_count` times in the UD text, almost never bound (به، که)."""
        free, left, right = self._lexicon.vocab.get(word, _ZERO)
        bound = left + right
        return free >= self.function_word_count and (bound + 1) / (free + bound + 2) < 0.1

    def bound_score(self, left: str, right: str) -> float:
        """How often (smoothed) ``left`` is a left part / ``right`` a right part of a ZWNJ word rather than
        a free word in the training text; the larger of the two. ``شده`` is mostly free, ``گذاری`` bound."""
        zl = self._lexicon.vocab.get(left, _ZERO)
        zr = self._lexicon.vocab.get(right, _ZERO)
        a = self.prior_smoothing
        p_left = (zl[1] + a) / (zl[1] + zl[0] + 2 * a)
        p_right = (zr[2] + a) / (zr[2] + zr[0] + 2 * a)
        free = self.free_word_count
        if zr[0] >= free and p_right < 0.1:
            return 0.0  # a common free word (به، شده، گرفته) is not glued by weak evidence
        return max(p_left, p_right)

    # -- whole texts ---------------------------------------------------------------------
    def line_style(self, text: str, words: list[re.Match[str]]) -> tuple[int, int]:
        """(joined, spaced) evidence of one line: ``میکنند``-like words vs spaced pairs that strong evidence
        joins (``می کنند``, ``دولت ها``, a pair the lexicon writes with a ZWNJ such as ``بین المللی``)."""
        joined = spaced = 0
        for k, m in enumerate(words):
            w = m.group()
            if w[:2] == "می" or w[:3] == "نمی":
                form, _ = self._fix_joined(w)
                joined += bool(form and form.split(ZWNJ, 1)[0] in MI_PREFIXES)
            if k and text[words[k - 1].end():m.start()] == " ":
                form, strong = self._join_spaced(words[k - 1].group(), w)
                spaced += bool(form and strong)
        return joined, spaced

    def edits(self, text: str, skip: Callable[[int, int], bool] | None = None) -> list[tuple[int, int, str]]:
        """Minimal edits ``(start, end, replacement)`` that restore ZWNJs in ``text``.

        Separating spaces become ZWNJs (or vanish); missing ZWNJs are inserted (``start == end``).
        Words for which ``skip(start, end)`` is true (inside URLs, e-mails…) are left alone.
        """
        if not self._ready:
            self._prepare()
        out: list[tuple[int, int, str]] = []
        for line in _LINE_RE.finditer(text):
            words = list(WORD_RE.finditer(text, line.start(), line.end()))
            if skip is not None:
                words = [m for m in words if not skip(m.start(), m.end())]
            if words:
                self._line_edits(text, words, out)
        return out

    def _line_edits(self, text: str, words: list[re.Match[str]], out: list[tuple[int, int, str]]) -> None:
        weak_joined = weak_spaced = True
        if self.adapt_to_line:
            joined, spaced = self.line_style(text, words)
            weak_joined, weak_spaced = spaced <= joined, joined <= spaced
        i, n = 0, len(words)
        while i < n:
            m = words[i]
            current, start, end, j = m.group(), m.start(), m.end(), i + 1
            if (i + 2 < n and current in self._triple_heads
                    and text[end:words[j].start()] == " " == text[words[j].end():words[j + 1].start()]):
                triple = self._join_triple(current, words[j].group(), words[j + 1].group(), weak_spaced)
                if triple is not None:
                    current, end, j = triple, words[j + 1].end(), j + 2
            while j < n and text[end:words[j].start()] == " ":
                joined_form = self._join_run(current, words[j].group(), weak_spaced)
                if joined_form is None:
                    break
                current, end, j = joined_form, words[j].end(), j + 1
            if j == i + 1:
                fixed = self.fix_joined(current, weak_joined)
                if fixed is not None:
                    current = fixed
            original = text[start:end]
            if current != original:
                out.extend(_diff(original, current, start))
            i = j

    def _join_run(self, current: str, right: str, weak: bool) -> str | None:
        joined = self.join_spaced(current, right, weak)
        if joined is None and ZWNJ in current:
            left = current.rsplit(ZWNJ, 1)[-1]
            part = self.join_spaced(left, right, weak)
            if part is not None:
                joined = current[: len(current) - len(left)] + part
        return joined

    def restore(self, text: str) -> str:
        """``text`` with ZWNJs restored (no other change)."""
        return apply_simple(text, self.edits(text))


_LINE_RE = re.compile("[^\n]+")


def _diff(original: str, new: str, offset: int) -> list[tuple[int, int, str]]:
    """Edits turning ``original`` into ``new`` where they differ only by spaces/ZWNJs."""
    out: list[tuple[int, int, str]] = []
    i = j = 0
    while i < len(original) or j < len(new):
        a = original[i] if i < len(original) else None
        b = new[j] if j < len(new) else None
        if a == b:
            i += 1
            j += 1
        elif a == " " and b == ZWNJ:
            out.append((offset + i, offset + i + 1, ZWNJ))
            i += 1
            j += 1
        elif a == " ":
            out.append((offset + i, offset + i + 1, ""))
            i += 1
        elif b == ZWNJ:
            out.append((offset + i, offset + i, ZWNJ))
            j += 1
        else:  # not a pure spacing change: replace the rest wholesale
            return out + [(offset + i, offset + len(original), new[j:])]
    return out


def apply_simple(text: str, edits: list[tuple[int, int, str]]) -> str:
    """Apply sorted, non-overlapping edits to ``text``."""
    parts, pos = [], 0
    for start, end, repl in edits:
        parts.append(text[pos:start])
        parts.append(repl)
        pos = end
    parts.append(text[pos:])
    return "".join(parts)
