"""Character classes shared by the normaliser steps and the ZWNJ restorer."""

from __future__ import annotations

import re

from pipeline.lang.fa import ZWNJ

# Arabic-script letters used in Persian text (no digits, no marks, no tatweel U+0640).
LETTERS = "\u0621-\u063a\u0641-\u064a\u066e\u066f\u0671-\u06d3\u06d5\u06ee\u06ef\u06fa-\u06fc\u06ff"
# Combining marks kept inside words: harakat, hamza above/below, superscript alef.
MARKS = "\u064b-\u065f\u0670"

# A Persian word: letters and marks, with ZWNJ only between them.
WORD_RE = re.compile(f"[{LETTERS}{MARKS}]+(?:{ZWNJ}[{LETTERS}{MARKS}]+)*")
LETTER_RE = re.compile(f"[{LETTERS}]")
MARK_RE = re.compile(f"[{MARKS}]")

# Letters that never join to the following letter: a ZWNJ after them changes nothing.
NON_JOINING = frozenset("اآأإٱدذرزژوؤءة")


def joins_left(word: str) -> bool:
    """True when a letter may follow ``word``'s last letter in a joined form, i.e. a ZWNJ is visible.

    >>> joins_left("دولت"), joins_left("کار")
    (True, False)
    """
    i = len(word) - 1
    while i >= 0 and MARK_RE.match(word[i]):  # skip trailing marks
        i -= 1
    return i >= 0 and word[i] not in NON_JOINING
