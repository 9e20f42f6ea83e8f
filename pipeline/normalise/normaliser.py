"""Persian/English text normaliser: safe character fixes, ZWNJ repair, explained steps, offset map.

Built on hazm 0.10's character fixes, without its damage: URLs, e-mails, DOIs, Latin words
and numbers are protected; tabs, newlines and runs of spaces are kept (tables survive);
the ezafe hamza of «خانهٔ» is kept; digits are kept as written (house style: no Latin →
Persian digit conversion, no decimal-point rewriting).

>>> result = Normaliser().normalise("كتابهاي علي\\u200f میشود")
>>> result.text
'کتاب\\u200cهای علی می\\u200cشود'
>>> [(s.name, s.changes) for s in result.steps if s.changes]
[('strip_invisibles', 1), ('fix_arabic_letters', 3), ('restore_zwnj', 2)]
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from functools import cache, lru_cache
from typing import Any

from pipeline.errors import ConfigError
from pipeline.lang.fa import TATWEEL
from pipeline.normalise.chars import LETTERS, MARKS, ZWNJ
from pipeline.normalise.offsets import Edit, OffsetMap, apply_edits
from pipeline.normalise.protect import Protected
from pipeline.normalise.zwnj import ZwnjRestorer

INVISIBLES_RE = re.compile("[\u200b\u200d\u200e\u200f\u061c\ufeff\u00ad\u2060\u202a-\u202e\u2066-\u2069]+")
SPACES_RE = re.compile("[\u00a0\u2000-\u200a\u202f\u205f\u3000]")
PRESENTATION_RE = re.compile("[\ufb50-\ufdff\ufe70-\ufefc]")
ARABIC_LETTERS = {
    "\u064a": "ی", "\u0649": "ی", "\u06d0": "ی", "\u06ce": "ی", "\u06cd": "ی", "\u06d1": "ی",  # ي ى ې ێ ۍ ۑ
    "\u0643": "ک", "\u06aa": "ک",  # ك ڪ
    "\u06d5": "ه", "\u06c1": "ه", "\u06be": "ه",  # ە ہ ھ
    "\u06c0": "ه\u0654", "\u06c2": "ه\u0654",  # ۀ ۂ → هٔ (one spelling of the ezafe hamza)
    "\u0671": "ا",  # ٱ
    "ا\u0653": "آ",  # alef + madda above → آ
}
ARABIC_LETTERS_RE = re.compile("ا\u0653|[" + "".join(k for k in ARABIC_LETTERS if len(k) == 1) + "]")
KASHIDA_RE = re.compile(f"{TATWEEL}+")
DIACRITICS_RE = re.compile("[\u064b-\u0652]+")  # tanwin, harakat, shadda, sukun; hamza U+0654 is kept
_W = f"{LETTERS}{MARKS}"
BAD_ZWNJ_RE = re.compile(f"(?<![{_W}]){ZWNJ}++|{ZWNJ}++(?![{_W}])|{ZWNJ}{{2,}}")

PERSIAN_LANGS = (None, "fa", "mixed")
KNOWN_LANGS = ("fa", "en", "ar", "mixed", "other")


@dataclass(frozen=True)
class NormaliserConfig:
    """One flag per step (ftfy ``TextFixerConfig`` style); change with ``dataclasses.replace``."""

    strip_invisibles: bool = True  # ZWJ, LRM/RLM/ALM, BOM, soft hyphen, U+202A–E, U+2066–9, ZWSP
    map_spaces: bool = True  # no-break and other fixed-width spaces → " " (tabs/newlines kept)
    fix_presentation_forms: bool = True  # Arabic presentation forms (ﻻ, ﺑ…) → letters (NFKC)
    fix_arabic_letters: bool = True  # ي ى → ی, ك → ک, ە ہ → ه, ۀ → هٔ
    remove_kashida: bool = True  # tatweel U+0640
    remove_diacritics: bool = True  # harakat/tanwin/shadda/sukun; hamza above (ezafe) kept
    clean_zwnj: bool = True  # ZWNJs doubled or not between two letters
    restore_zwnj: bool = True  # missing or spaced ZWNJs in Persian words
    protect: bool = True  # skip URLs, e-mails, DOIs, Latin words and numbers


@dataclass(frozen=True)
class StepReport:
    """One applied step: its name and how many edits it made (ftfy ``ExplanationStep`` style)."""

    name: str
    changes: int


@dataclass(frozen=True)
class NormalisedText:
    """Normalised ``text`` of ``raw``, the steps applied, and the offset map between them."""

    text: str
    raw: str
    steps: tuple[StepReport, ...]
    offsets: OffsetMap = field(repr=False)

    def to_raw(self, start: int, end: int) -> tuple[int, int]:
        """Raw span of normalised ``text[start:end]``."""
        return self.offsets.to_raw(start, end)

    def from_raw(self, start: int, end: int) -> tuple[int, int]:
        """Normalised span of ``raw[start:end]``."""
        return self.offsets.from_raw(start, end)

    @property
    def changed(self) -> bool:
        return self.text != self.raw

    def explain(self) -> list[dict[str, Any]]:
        """Steps that changed something, as plain dicts for JSON."""
        return [{"step": s.name, "changes": s.changes, "what": STEP_HELP[s.name]} for s in self.steps if s.changes]


STEP_HELP = {
    "strip_invisibles": "removed invisible controls (ZWJ, LRM/RLM, BOM, soft hyphen, bidi embeddings)",
    "map_spaces": "turned no-break/fixed-width spaces into ordinary spaces",
    "fix_presentation_forms": "replaced Arabic presentation forms by plain letters",
    "fix_arabic_letters": "replaced Arabic letters by Persian ones (ي→ی, ك→ک, ۀ→هٔ)",
    "remove_kashida": "removed kashida (tatweel)",
    "remove_diacritics": "removed diacritics (harakat, tanwin, shadda, sukun)",
    "clean_zwnj": "removed ZWNJs that were doubled or not between letters",
    "restore_zwnj": "restored ZWNJs (half-spaces) in Persian words",
}
STEPS = tuple(STEP_HELP)
PERSIAN_STEPS = frozenset({"fix_arabic_letters", "remove_kashida", "remove_diacritics", "clean_zwnj", "restore_zwnj"})
UNPROTECTED_STEPS = frozenset({"strip_invisibles", "map_spaces"})


@cache
def _presentation_form(ch: str) -> str:
    plain = unicodedata.normalize("NFKC", ch)
    return ARABIC_LETTERS_RE.sub(lambda m: ARABIC_LETTERS[m.group()], plain)


class Normaliser:
    """Composes the steps below; each is a public method on plain text.

    ``normalise(text, lang)`` runs them in :data:`STEPS` order and returns a
    :class:`NormalisedText`. Persian-only steps are skipped for ``lang`` "en", "ar" and "other".
    """

    def __init__(self, config: NormaliserConfig | None = None, restorer: ZwnjRestorer | None = None):
        if config is not None and not isinstance(config, NormaliserConfig):
            raise ConfigError(f"The `config` parameter of Normaliser must be a NormaliserConfig. Got {config!r} instead.")
        self.config = config or NormaliserConfig()
        self.restorer = restorer or _default_restorer()

    # -- composition ---------------------------------------------------------------------
    def normalise(self, text: str, lang: str | None = None) -> NormalisedText:
        """Normalise ``text``; ``lang`` is "fa", "en", "ar", "mixed", "other" or None (detect nothing, run all)."""
        if not isinstance(text, str):
            raise TypeError(f"normalise() needs a str; got {type(text).__name__}. Decode bytes first.")
        if lang is not None and lang not in KNOWN_LANGS:
            raise ConfigError(f"The `lang` parameter of normalise must be one of {KNOWN_LANGS} or None. Got {lang!r}.")
        omap = OffsetMap.identity(len(text))
        current = text
        reports: list[StepReport] = []
        for name in STEPS:
            if not getattr(self.config, name) or (name in PERSIAN_STEPS and lang not in PERSIAN_LANGS):
                continue
            edits = self._edits(name, current)
            current, omap = apply_edits(current, omap, edits)
            reports.append(StepReport(name, len(edits)))
        return NormalisedText(current, text, tuple(reports), omap)

    def _edits(self, name: str, text: str) -> list[Edit]:
        finder: Callable[[str, Protected], list[Edit]] = getattr(self, "_edits_" + name)
        if name in UNPROTECTED_STEPS or not self.config.protect:
            return finder(text, Protected.none())
        return finder(text, _LazyProtected(text))  # type: ignore[arg-type]

    def _run_one(self, name: str, text: str) -> str:
        out, _ = apply_edits(text, OffsetMap.identity(len(text)), self._edits(name, text))
        return out

    # -- steps ---------------------------------------------------------------------------
    def strip_invisibles(self, text: str) -> str:
        """Remove ZWJ, LRM/RLM/ALM, BOM, soft hyphen, ZWSP, word joiner and bidi controls.

        >>> Normaliser().strip_invisibles("\\ufeffسلام\\u200e co\\u00adoperation")
        'سلام cooperation'
        """
        return self._run_one("strip_invisibles", text)

    def map_spaces(self, text: str) -> str:
        """Map no-break and fixed-width spaces to " "; tabs and newlines are kept.

        >>> Normaliser().map_spaces("۱۰\\u00a0درصد\\tب")
        '۱۰ درصد\\tب'
        """
        return self._run_one("map_spaces", text)

    def fix_presentation_forms(self, text: str) -> str:
        """Replace Arabic presentation forms by the plain letters.

        >>> Normaliser().fix_presentation_forms("\\ufefb\\ufe91")
        'لاب'
        """
        return self._run_one("fix_presentation_forms", text)

    def fix_arabic_letters(self, text: str) -> str:
        """Replace Arabic yeh/kaf/heh variants by the Persian letters; ۀ becomes هٔ.

        >>> Normaliser().fix_arabic_letters("كتاب علي در خانۀ ما")
        'کتاب علی در خانهٔ ما'
        """
        return self._run_one("fix_arabic_letters", text)

    def remove_kashida(self, text: str) -> str:
        """Remove kashida (tatweel).

        >>> Normaliser().remove_kashida("دنیـــا")
        'دنیا'
        """
        return self._run_one("remove_kashida", text)

    def remove_diacritics(self, text: str) -> str:
        """Remove harakat, tanwin, shadda and sukun; keep the ezafe hamza (U+0654).

        >>> Normaliser().remove_diacritics("حَذفِ اِعراب در خانهٔ ما")
        'حذف اعراب در خانهٔ ما'
        """
        return self._run_one("remove_diacritics", text)

    def clean_zwnj(self, text: str) -> str:
        """Collapse doubled ZWNJs and drop ZWNJs that are not between two letters.

        >>> Normaliser().clean_zwnj("\\u200cسلام\\u200c به کاروان\\u200c\\u200cسرا")
        'سلام به کاروان\\u200cسرا'
        """
        return self._run_one("clean_zwnj", text)

    def restore_zwnj(self, text: str) -> str:
        """Restore dropped (``میشود``) and spaced (``دولت ها``) ZWNJs.

        >>> Normaliser().restore_zwnj("دولت ها میشود")
        'دولت\\u200cها می\\u200cشود'
        """
        return self._run_one("restore_zwnj", text)

    # -- edit finders --------------------------------------------------------------------
    def _edits_strip_invisibles(self, text: str, prot: Protected) -> list[Edit]:
        return [(m.start(), m.end(), "") for m in INVISIBLES_RE.finditer(text)]

    def _edits_map_spaces(self, text: str, prot: Protected) -> list[Edit]:
        return [(m.start(), m.end(), " ") for m in SPACES_RE.finditer(text)]

    def _edits_fix_presentation_forms(self, text: str, prot: Protected) -> list[Edit]:
        return _sub(PRESENTATION_RE, text, prot, lambda m: _presentation_form(m.group()))

    def _edits_fix_arabic_letters(self, text: str, prot: Protected) -> list[Edit]:
        return _sub(ARABIC_LETTERS_RE, text, prot, lambda m: ARABIC_LETTERS[m.group()])

    def _edits_remove_kashida(self, text: str, prot: Protected) -> list[Edit]:
        return _sub(KASHIDA_RE, text, prot, lambda m: "")

    def _edits_remove_diacritics(self, text: str, prot: Protected) -> list[Edit]:
        return _sub(DIACRITICS_RE, text, prot, lambda m: "")

    def _edits_clean_zwnj(self, text: str, prot: Protected) -> list[Edit]:
        return _sub(BAD_ZWNJ_RE, text, prot, lambda m: ZWNJ if _between_letters(text, m) else "")

    def _edits_restore_zwnj(self, text: str, prot: Protected) -> list[Edit]:
        return self.restorer.edits(text, skip=prot.overlaps if len(prot) else None)


def _between_letters(text: str, m: re.Match[str]) -> bool:
    s, e = m.start(), m.end()
    return s > 0 and e < len(text) and _LETTER_OR_MARK.match(text, s - 1) is not None and \
        _LETTER_OR_MARK.match(text, e) is not None


_LETTER_OR_MARK = re.compile(f"[{_W}]")


def _sub(pattern: re.Pattern[str], text: str, prot: Protected,
         repl: Callable[[re.Match[str]], str]) -> list[Edit]:
    edits = []
    for m in pattern.finditer(text):
        if prot and prot.overlaps(m.start(), m.end()):
            continue
        new = repl(m)
        if new != m.group():
            edits.append((m.start(), m.end(), new))
    return edits


class _LazyProtected:
    """Finds protected spans only when a step asks (most steps find nothing to change)."""

    def __init__(self, text: str):
        self._text = text
        self._found: Protected | None = None

    def _get(self) -> Protected:
        if self._found is None:
            self._found = Protected.find(self._text)
        return self._found

    def overlaps(self, start: int, end: int) -> bool:
        return self._get().overlaps(start, end)

    def __len__(self) -> int:
        return len(self._get())

    def __bool__(self) -> bool:
        return True


@lru_cache(maxsize=1)
def _default_restorer() -> ZwnjRestorer:
    return ZwnjRestorer()


@lru_cache(maxsize=1)
def default_normaliser() -> Normaliser:
    return Normaliser()


def normalise(text: str, lang: str | None = None, config: NormaliserConfig | None = None) -> NormalisedText:
    """Normalise ``text`` with the default (or given) config. See :class:`Normaliser`."""
    normaliser = default_normaliser() if config is None else Normaliser(config)
    return normaliser.normalise(text, lang)


def config_flags() -> tuple[str, ...]:
    """Names of the config flags, in step order."""
    return tuple(f.name for f in fields(NormaliserConfig))
