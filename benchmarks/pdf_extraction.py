"""PDF extraction quality and speed on the Persian fixtures (tests/fixtures/pdf).

Prints, per fixture: character error rate of the headings and paragraphs,
CER of the whole text (prose + table) next to raw pdfplumber with
``char_dir="rtl"`` on the same basis, ZWNJ recovered, table cells in the right
place, pages per second, and our time divided by raw ``page.extract_text()``
time measured in the same run.

    python benchmarks/pdf_extraction.py [--repeat 5] [FOLDER]

FOLDER holds PDFs rendered from one text and its reference.json (default: tests/fixtures/pdf).
"""

from __future__ import annotations

import argparse
import functools
import io
import json
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "pdf"


def raw_text(data: bytes, **kwargs) -> tuple[str, int]:
    import pdfplumber

    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return "\n".join(p.extract_text(**kwargs) or "" for p in pdf.pages), len(pdf.pages)


def timed(fn, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def main() -> None:
    from pipeline.extract import extract_bytes
    from pipeline.extract.metrics import cer, score_document

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("folder", nargs="?", default=str(FIXTURES))
    ap.add_argument("--repeat", type=int, default=5, help="timing repetitions (best is kept)")
    args = ap.parse_args()
    folder = Path(args.folder)
    ref = json.loads((folder / "reference.json").read_text(encoding="utf-8"))
    ref_full = " ".join([ref["title"], *ref["paras"], *ref["header"], *(c for row in ref["rows"] for c in row)])

    print(f"{'fixture':24} {'CER prose':>9} {'CER full':>8} {'raw rtl':>8} {'ZWNJ':>6} {'cells':>6} "
          f"{'pages/s':>8} {'x raw':>6}")
    total_ours = total_raw = 0.0
    for path in sorted(folder.glob("*.pdf")):
        data = path.read_bytes()
        doc = extract_bytes(data, str(path))
        s = score_document(doc, ref)
        full = " ".join(seg.text for seg in doc.segments)
        raw_rtl, n_pages = raw_text(data, char_dir="rtl", char_dir_render="ltr")
        ours = timed(functools.partial(extract_bytes, data, str(path)), args.repeat)
        raw = timed(functools.partial(raw_text, data), args.repeat)
        total_ours += ours
        total_raw += raw
        rec, exp, spurious = s.zwnj
        print(f"{path.name:24} {s.cer:9.4f} {cer(full, ref_full):8.4f} {cer(raw_rtl, ref_full):8.4f} "
              f"{rec:>2}/{exp:<3} {s.cells_right:>2}/{s.cells_total:<3} {n_pages / ours:8.1f} {ours / raw:6.2f}"
              + (f"  ({spurious} spurious ZWNJ)" if spurious else ""))
    print(f"total: ours {total_ours * 1000:.0f} ms, raw pdfplumber extract_text {total_raw * 1000:.0f} ms, "
          f"ratio {total_ours / total_raw:.2f}")


if __name__ == "__main__":
    main()
