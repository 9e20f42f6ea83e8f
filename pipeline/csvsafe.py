"""CSV/TSV cells that spreadsheet programs show as text, never run as formulas (OWASP "CSV injection").

Excel, LibreOffice and Google Sheets treat a cell that starts with ``=``, ``+``, ``-``, ``@``, a tab
or a carriage return as a formula, so a statement such as ``=HYPERLINK("http://x", "click")`` or
a coder named ``@SUM(A1)`` would run when a researcher opens the export. Every CSV/TSV udiplo writes
goes through :func:`csv_text`, which prefixes such a text cell with one apostrophe ``'`` (the
OWASP rule; spreadsheets show the rest as text). Numbers written by udiplo (ints and floats) stay
numbers; the rule is by type, so a *text* that reads ``-0.5`` is guarded, a *number* -0.5 is not.

:func:`unguard_cell` removes exactly that apostrophe again (only when a dangerous character
follows it), so a sheet written by udiplo and read back gives the original values. A text that
itself starts with apostrophes before a dangerous character gets one more, so the round trip is
lossless for every string:

    >>> guard_cell("=1+1"), guard_cell("'=1+1"), guard_cell("it's"), guard_cell(-0.5)
    ("'=1+1", "''=1+1", "it's", -0.5)
    >>> all(unguard_cell(guard_cell(s)) == s for s in ["=1+1", "'=1+1", "''@x", "'plain", "-0.5", ""])
    True
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

DANGEROUS = ("=", "+", "-", "@", "\t", "\r")
GUARD = "'"


def _needs_guard(text: str) -> bool:
    return text.lstrip(GUARD).startswith(DANGEROUS)


def guard_cell(value: Any) -> Any:
    """``value`` with a leading ``'`` if it is text a spreadsheet would read as a formula."""
    if isinstance(value, str) and _needs_guard(value):
        return GUARD + value
    return value


def unguard_cell(text: str) -> str:
    """The original text of a cell written through :func:`guard_cell` (other text is returned unchanged)."""
    if text.startswith(GUARD) and _needs_guard(text):
        return text[1:]
    return text


def csv_text(header: Sequence[str], rows: Iterable[Sequence[Any]], *, delimiter: str = ",") -> str:
    """CSV (or TSV with ``delimiter="\\t"``) text of ``header`` and ``rows``, every text cell guarded;
    ``None`` is written as an empty cell."""
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=delimiter, lineterminator="\r\n")
    w.writerow([guard_cell(h) for h in header])
    w.writerows([guard_cell(v) for v in row] for row in rows)
    return buf.getvalue()
