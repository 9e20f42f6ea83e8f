"""Segmentation, entities and city attribution on the seed samples: counts, examples, timings.

    python benchmarks/bench_segment.py            # project normaliser
    python benchmarks/bench_segment.py --minimal  # whitespace-only normaliser

Also compares hazm's SentenceTokenizer with our Persian splitter on the
Persian paragraphs: sentence counts and "bad" sentences (no letters, under 3
words, or ending in «و...», «p.» or «ص.», i.e. split inside a sentence).
"""

from __future__ import annotations

import re
import sys
import time
from collections import Counter
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline.attribution import attribute_city  # noqa: E402
from pipeline.extract import extract  # noqa: E402
from pipeline.lang import detect_lang  # noqa: E402
from pipeline.nlp.entities import find_entities_many, nlp_for  # noqa: E402
from pipeline.segment import clean_text, minimal_normalise, segment_document, split_sentences_fa  # noqa: E402

_LETTER = re.compile(r"[^\W\d_]")
_BAD_END = re.compile(r"(?:و\s?\.\.\.|\bp\.|ص\.)$")


def bad(sentence: str) -> bool:
    return not _LETTER.search(sentence) or len(sentence.split()) < 3 or bool(_BAD_END.search(sentence))


def compare_splitters(docs) -> None:
    from hazm import SentenceTokenizer

    hazm = SentenceTokenizer()
    rows = []
    for doc in docs:
        paras = [s.text for s in doc.segments
                 if s.kind == "paragraph" and detect_lang(clean_text(s.text, "paragraph")) != "en"]
        h = [x for p in paras for x in hazm.tokenize(p)]
        o = [p[s:e] for p in paras for s, e in split_sentences_fa(p)]
        rows.append((Path(doc.source_path).name[:3], len(paras), len(h), sum(map(bad, h)), len(o), sum(map(bad, o))))
    print("\n## Persian sentence splitting: hazm SentenceTokenizer vs own (paragraph segments)")
    print("sample  paragraphs  hazm(bad)  own(bad)")
    for r in rows:
        print(f"{r[0]:>6}  {r[1]:>10}  {r[2]:>4}({r[3]:>2})   {r[4]:>4}({r[5]:>2})")
    tot = [sum(r[i] for r in rows) for i in range(1, 6)]
    print(f" total  {tot[0]:>10}  {tot[1]:>4}({tot[2]:>2})   {tot[3]:>4}({tot[4]:>2})")


def main(argv: list[str]) -> None:
    normalise = minimal_normalise if "--minimal" in argv else None
    paths = sorted((ROOT / "corpus" / "samples").glob("*.txt"))
    docs = [extract(p) for p in paths]

    t0 = time.perf_counter()
    segment_document(docs[0], normalise)  # warm-up: imports, spaCy English, normaliser data
    t_warm = time.perf_counter() - t0
    t0 = time.perf_counter()
    all_statements = [segment_document(d, normalise) for d in docs]
    t_seg = time.perf_counter() - t0
    t0 = time.perf_counter()
    nlp_for("fa"), nlp_for("en")
    t_build = time.perf_counter() - t0
    t0 = time.perf_counter()
    all_entities = [find_entities_many([s.text for s in st], [s.lang for s in st]) for st in all_statements]
    t_ent = time.perf_counter() - t0

    print("## Statements per sample (kind/lang)")
    for doc, st in zip(docs, all_statements, strict=True):
        c = Counter(f"{s.kind}/{s.lang}" for s in st)
        ok = all(doc.text[s.start:s.end] == s.raw for s in st)
        print(f"{Path(doc.source_path).name[:3]}: {len(st):>4}  raw-exact={ok}  {dict(sorted(c.items()))}")

    print("\n## Examples")
    for key, idx in (("000", 3), ("000", 80), ("002", 1), ("004", 1)):
        st = all_statements[int(key)][idx]
        print(f"{st.statement_id} {st.kind}/{st.lang} [{st.start}:{st.end}] table={st.table} row={st.row} "
              f"col={st.col} heading={st.heading!r}\n    text={st.text[:110]!r}")

    print("\n## City attribution (metadata removed, gazetteer only) and with metadata")
    for doc, st, ents in zip(docs, all_statements, all_entities, strict=True):
        bare = attribute_city(replace(doc.meta, city=None).city, st, ents)
        meta = attribute_city(doc.meta.city, st, ents)
        print(f"{Path(doc.source_path).name[:3]}: gazetteer={bare.city} ({bare.source}) scores={bare.scores} "
              f"| metadata={meta.city}")
    n_ent = Counter(e.label for ents in all_entities for es in ents for e in es)
    print(f"\nentities: {dict(n_ent)}")

    print("\n## Timings (s)")
    n = sum(map(len, all_statements))
    print(f"first document incl. imports/warm-up {t_warm:.2f}; segment 5 samples {t_seg:.3f} ({n} statements); "
          f"build fa+en entity pipelines {t_build:.2f}; entities for all statements {t_ent:.2f}")
    compare_splitters(docs)


if __name__ == "__main__":
    main(sys.argv[1:])
