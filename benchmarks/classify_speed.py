"""Wall time of `udiplo classify` against the bare import time of the libraries it needs.

Measured in one run, each command a fresh process as a user would start it:
  imports   `python -c "import X"` for torch, sentence_transformers, sklearn, spacy and for
            torch + sentence_transformers together (the reference), median of --repeats
  cold      a one-page plan (the first 40 lines of corpus/samples/001_*.txt) in a new UDIPLO_HOME:
            empty store and embedding cache, the classifier already built in the model cache
  warm      the same call again
  folder    20 one-line files in one call
  stdin     `udiplo classify -` with the plan piped in
Each time is also given as a ratio to the torch + sentence_transformers import time, with the
peak memory (max RSS) of the process. Targets (issue 11): cold <= 20 s, warm <= 3 s.
The last line printed is one JSON object with all figures.

    python benchmarks/classify_speed.py [--embedder e5|hashing] [--repeats 3]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LIBRARIES = ("torch", "sentence_transformers", "sklearn", "spacy")
REFERENCE = "torch, sentence_transformers"
TARGETS = {"cold": 20.0, "warm": 3.0}


def run(cmd: list[str], *, env: dict[str, str], stdin: bytes | None = None, ok=(0,)) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of one process; fails loudly when it does."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    if stdin is not None:
        proc.stdin.write(stdin)
        proc.stdin.close()
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in ok:
        sys.exit(f"{' '.join(cmd)} failed (exit {proc.returncode}): {err.decode(errors='replace')[-500:]}")
    return wall, usage.ru_maxrss / 1024


def import_time(module: str, repeats: int, env: dict[str, str]) -> float:
    return statistics.median(run([sys.executable, "-c", f"import {module}"], env=env)[0] for _ in range(repeats))


def udiplo_exe() -> str:
    exe = Path(sys.executable).with_name("udiplo")
    if not exe.exists():
        sys.exit(f"{exe} not found: run with the project's venv python (.venv/bin/python {__file__})")
    return str(exe)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--embedder", default="e5", help="e5 (default) or hashing (no model: quick)")
    ap.add_argument("--repeats", type=int, default=3, help="runs per import time (median; default 3)")
    args = ap.parse_args()
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    sample = next((ROOT / "corpus" / "samples").glob("001_*.txt"))
    lines = sample.read_text(encoding="utf-8").splitlines()
    plan = "\n".join(lines[:40]) + "\n"
    one_liners = [ln.strip() for ln in lines if len(ln.strip()) > 30][:20]
    udiplo = udiplo_exe()

    figures: dict[str, object] = {"embedder": args.embedder, "cpus": os.cpu_count()}
    imports = {m: import_time(m, args.repeats, env) for m in (*LIBRARIES, REFERENCE)}
    ref = imports[REFERENCE]
    figures["import_s"] = {m: round(v, 2) for m, v in imports.items()}
    for m, v in imports.items():
        print(f"import {m:<30} {v:6.2f} s")

    with tempfile.TemporaryDirectory(prefix="classify_speed_") as tmp:
        tmp_path = Path(tmp)
        (tmp_path / "plan.txt").write_text(plan, encoding="utf-8")
        folder = tmp_path / "one_liners"
        folder.mkdir()
        for i, text in enumerate(one_liners):
            (folder / f"{i:02d}.txt").write_text(text + "\n", encoding="utf-8")
        base = [udiplo, "classify", "--embedder", args.embedder]

        # the classifier built in the model cache (at set-up in real use): not timed as a user call
        setup, _ = run([*base, str(tmp_path / "plan.txt")], env={**env, "UDIPLO_HOME": str(tmp_path / "setup")})
        print(f"set-up call (builds the classifier if it is not cached yet) {setup:6.2f} s")
        home = {**env, "UDIPLO_HOME": str(tmp_path / "home")}
        calls = {
            "cold": run([*base, str(tmp_path / "plan.txt")], env=home),
            "warm": run([*base, str(tmp_path / "plan.txt")], env=home),
            "folder_20_files": run([*base, str(folder)], env=home),
            "stdin": run([*base, "-"], env=home, stdin=plan.encode("utf-8")),
        }
    figures["setup_s"] = round(setup, 2)
    figures["classify"] = {}
    for name, (wall, rss) in calls.items():
        target = TARGETS.get(name)
        note = f"  target <= {target:g} s: {'met' if wall <= target else 'NOT met'}" if target else ""
        print(f"udiplo classify {name:<16} {wall:6.2f} s  {wall / ref:5.2f} x import({REFERENCE})  "
              f"peak {rss:6.0f} MB{note}")
        figures["classify"][name] = {"wall_s": round(wall, 2), "ratio_to_import": round(wall / ref, 2),
                                     "peak_mb": round(rss), "target_s": target}
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
