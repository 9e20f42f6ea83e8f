"""Build the ZWNJ lexicon in ``pipeline/data/zwnj/`` from UD Persian training text.

    python -m pipeline.normalise.build_lexicon [--source corpus/reference/ud-persian] [--out pipeline/data/zwnj]

Training split: ``fa_perdt-ud-dev`` + ``fa_seraji-ud-dev`` (``# text =`` lines, after the
normaliser's character steps). ``fa_seraji-ud-test`` is held out for evaluation and never read here.

Outputs (CC BY-SA 4.0, derived from UD Persian PerDT and Seraji):
- ``ud_forms.tsv``: ``form, zwnj, plain, spaced``: each ZWNJ-bearing word, how often it was
  written with ZWNJ, as one plain word without it, and as its parts separated by spaces;
  Forms from hazm's word list are added (with ``zwnj`` = 0) where the training text writes
  them plain or spaced;
- ``ud_vocab.tsv``: ``word, plain, zwnj_left, zwnj_right``: each word or word part, how often it
  stood alone, and how often it was the left / right side of a ZWNJ.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

from pipeline.normalise.chars import WORD_RE, ZWNJ

ROOT = Path(__file__).resolve().parents[2]
SOURCE_DIR = ROOT / "corpus" / "reference" / "ud-persian"
OUT_DIR = ROOT / "pipeline" / "data" / "zwnj"
TRAIN_FILES = ("fa_perdt-ud-dev.conllu", "fa_seraji-ud-dev.conllu")
HELD_OUT_FILES = ("fa_seraji-ud-test.conllu",)


def read_conllu_texts(path: Path) -> list[str]:
    """The ``# text =`` sentences of a CoNLL-U file, in order."""
    with Path(path).open(encoding="utf-8") as fh:
        return [line[len("# text = "):].rstrip("\n") for line in fh if line.startswith("# text = ")]


def char_normalise(texts: Iterable[str]) -> list[str]:
    """The normaliser's character steps only (no ZWNJ restoration), so counts match its output."""
    from pipeline.normalise.normaliser import Normaliser, NormaliserConfig

    n = Normaliser(replace(NormaliserConfig(), restore_zwnj=False))
    return [n.normalise(t).text for t in texts]


def count(texts: Iterable[str], candidates: Iterable[str] = ()) -> tuple[dict[str, tuple[int, int, int]],
                                                                          dict[str, tuple[int, int, int]]]:
    """(forms, vocab) counts as described in the module docstring.

    ``candidates`` are extra ZWNJ forms (from hazm's word list) kept when the training text
    shows them plain or spaced, so the restorer learns *not* to use them there (``این که``).
    """
    zwnj: Counter[str] = Counter()
    plain: Counter[str] = Counter()
    left: Counter[str] = Counter()  # word seen as a non-final part of a ZWNJ word
    right: Counter[str] = Counter()  # word seen as a non-initial part of a ZWNJ word
    runs: Counter[str] = Counter()  # "a b" and "a b c": words separated by exactly one space
    for text in texts:
        words = list(WORD_RE.finditer(text))
        for m in words:
            w = m.group()
            if ZWNJ in w:
                zwnj[w] += 1
                parts = w.split(ZWNJ)
                left.update(parts[:-1])
                right.update(parts[1:])
            else:
                plain[w] += 1
        for i in range(len(words) - 1):
            seq = [words[i].group()]
            for j in range(i + 1, min(i + 3, len(words))):
                if text[words[j - 1].end():words[j].start()] != " ":
                    break
                seq.append(words[j].group())
                runs[" ".join(seq)] += 1
    forms = {f: (n, plain.get(f.replace(ZWNJ, ""), 0), runs.get(f.replace(ZWNJ, " "), 0)) for f, n in zwnj.items()}
    for f in candidates:
        if f not in forms:
            n_plain, n_spaced = plain.get(f.replace(ZWNJ, ""), 0), runs.get(f.replace(ZWNJ, " "), 0)
            if n_plain or n_spaced:
                forms[f] = (0, n_plain, n_spaced)
    vocab = {w: (plain.get(w, 0), left.get(w, 0), right.get(w, 0)) for w in set(plain) | set(left) | set(right)}
    return forms, vocab


def hazm_candidates() -> list[str]:
    """ZWNJ forms in hazm's word list with a frequency above zero."""
    from pipeline.normalise.zwnj import hazm_words

    return [w for w, n in hazm_words().items() if ZWNJ in w and n > 0]


def write(forms: dict[str, tuple[int, int, int]], vocab: dict[str, tuple[int, int, int]], out_dir: Path) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    with (out_dir / "ud_forms.tsv").open("w", encoding="utf-8") as fh:
        fh.write("form\tzwnj\tplain\tspaced\n")
        for f in sorted(forms):
            fh.write(f"{f}\t{forms[f][0]}\t{forms[f][1]}\t{forms[f][2]}\n")
    with (out_dir / "ud_vocab.tsv").open("w", encoding="utf-8") as fh:
        fh.write("word\tplain\tzwnj_left\tzwnj_right\n")
        for w in sorted(vocab):
            fh.write(f"{w}\t{vocab[w][0]}\t{vocab[w][1]}\t{vocab[w][2]}\n")


def build(source: Path = SOURCE_DIR, files: Iterable[str] = TRAIN_FILES):
    """Counts from the training files in ``source`` (see :func:`count`)."""
    texts: list[str] = []
    for name in files:
        if name in HELD_OUT_FILES:
            raise ValueError(f"{name} is the held-out evaluation split; build the lexicon from {TRAIN_FILES}.")
        path = Path(source) / name
        if not path.exists():
            raise FileNotFoundError(f"{path} not found: copy the UD Persian CoNLL-U files into {source}.")
        texts.extend(read_conllu_texts(path))
    return count(char_normalise(texts), hazm_candidates())


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--source", type=Path, default=SOURCE_DIR, help="folder with the UD CoNLL-U files")
    ap.add_argument("--out", type=Path, default=OUT_DIR, help="folder for ud_forms.tsv and ud_vocab.tsv")
    args = ap.parse_args(argv)
    forms, vocab = build(args.source)
    write(forms, vocab, args.out)
    print(f"{len(forms)} ZWNJ forms, {len(vocab)} plain words -> {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
