"""Time and peak memory of refusing hostile DOCX files of 1 GB expanded.

Builds, in a temporary folder, with a real python-docx document as the base:

* bomb.docx: 1 GB of zeros as a media entry, deflated at level 9 (about 1 MB on disk);
* liar.docx: 1 GB of XML whitespace as word/document.xml, its central-directory size patched to
  claim 2,000 bytes (so the size check passes and the reader must stop by itself).

Each file is then ingested by ``udiplo ingest`` in a fresh process (wall time, peak RSS from the
``wait4`` rusage of that process, its one-line message), and extracted in this process (time of
``extract()`` alone, peak of traced Python allocations). The baseline is a small valid DOCX.

    python benchmarks/docx_bomb.py [--gb 1]
"""

from __future__ import annotations

import argparse
import io
import os
import struct
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

CHUNK = 1 << 20


def base_docx() -> bytes:
    import docx

    d = docx.Document()
    d.add_heading("دیپلماسی شهری", 1)
    d.add_paragraph("Isfahan and Xi'an have been sister cities since 1989.")
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def write_docx(path: Path, entry: str, size: int, fill: bytes, level: int, head: bytes = b"") -> None:
    src = zipfile.ZipFile(io.BytesIO(base_docx()))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as z:
        for info in src.infolist():
            if info.filename != entry:
                z.writestr(info.filename, src.read(info.filename))
        with z.open(entry, "w", force_zip64=size >= 0x7FFFFFFF) as f:
            f.write(head)
            block = fill * (CHUNK // len(fill))
            for _ in range(size // CHUNK):
                f.write(block)


def claim_size(path: Path, entry: str, claimed: int) -> None:
    data = bytearray(path.read_bytes())
    name = entry.encode()
    at = data.find(b"PK\x01\x02")
    while data[at + 46 : at + 46 + len(name)] != name:
        at = data.find(b"PK\x01\x02", at + 1)
    struct.pack_into("<I", data, at + 24, claimed)
    path.write_bytes(bytes(data))


def run(path: Path, db: str) -> tuple[float, float, str]:
    cmd = [sys.executable, "-m", "udiplo", "ingest", str(path), "--db", db]
    t = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    _, _, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - t
    text = (proc.stderr.read() or proc.stdout.read()).strip().splitlines()[0]
    return seconds, usage.ru_maxrss / 1024, text


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--gb", type=float, default=1.0, help="expanded size of each hostile file")
    args = ap.parse_args()
    size = int(args.gb * (1 << 30))
    with tempfile.TemporaryDirectory(prefix="udiplo-bomb-") as tmp:
        tmp = Path(tmp)
        db = f"sqlite:///{tmp / 'store.sqlite'}"
        (tmp / "ok.docx").write_bytes(base_docx())
        t = time.perf_counter()
        write_docx(tmp / "bomb.docx", "word/media/image1.png", size, b"\0", 9)
        print(f"built bomb.docx: {(tmp / 'bomb.docx').stat().st_size / 1e6:.2f} MB on disk, "
              f"{args.gb:g} GB expanded ({time.perf_counter() - t:.1f} s)")
        head = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                b"<w:document xmlns:w='http://schemas.openxmlformats.org/wordprocessingml/2006/main'>")
        write_docx(tmp / "liar.docx", "word/document.xml", size, b" ", 9, head)
        claim_size(tmp / "liar.docx", "word/document.xml", 2000)
        print(f"built liar.docx: {(tmp / 'liar.docx').stat().st_size / 1e6:.2f} MB on disk, declares 2,000 bytes")
        for name in ("ok.docx", "bomb.docx", "liar.docx"):
            seconds, rss, line = run(tmp / name, db)
            inner, peak = in_process(tmp / name)
            print(f"{name:10} process {seconds:5.2f} s, peak RSS {rss:6.1f} MB; extract() {inner * 1000:7.1f} ms, "
                  f"peak Python allocations {peak:6.1f} MB\n           {line}")


def in_process(path: Path) -> tuple[float, float]:
    """Seconds and peak traced allocations (MB) of ``extract(path)`` in this process."""
    import tracemalloc

    from pipeline.errors import ExtractionError
    from pipeline.extract import extract

    tracemalloc.start()
    t = time.perf_counter()
    try:
        extract(path)
    except ExtractionError:
        pass
    seconds = time.perf_counter() - t
    peak = tracemalloc.get_traced_memory()[1] / (1 << 20)
    tracemalloc.stop()
    return seconds, peak


if __name__ == "__main__":
    main()
