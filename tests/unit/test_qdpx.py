import zipfile
from xml.etree import ElementTree as ET

import pytest

from pipeline.report.qdpx import NS, Code, Coding, Source, guid, write_qdpx

TEXT = "شهرداری اصفهان با شهرهای خواهرخوانده همکاری می‌کند. Isfahan and Xi'an are sister cities."


def test_qdpx_has_codebook_sources_and_coded_selections(tmp_path):
    codes = [Code("P1", "P1 cognitive deficit"), Code("G01", "G01 self-awareness", "P1", "goal 1")]
    sources = [Source("d" * 64, "roadmap.txt", TEXT)]
    codings = [Coding("d" * 64, 0, TEXT.index(".") + 1, "G01", 0.81)]
    path = write_qdpx(tmp_path / "out.qdpx", codes, sources, codings)
    with zipfile.ZipFile(path) as z:
        names = set(z.namelist())
        root = ET.fromstring(z.read("project.qde"))
        src_guid = guid("source", "d" * 64)
        assert f"sources/{src_guid}.txt" in names
        plain = z.read(f"sources/{src_guid}.txt").decode("utf-8")
    ns = {"q": NS}
    top = root.findall("q:CodeBook/q:Codes/q:Code", ns)
    assert [c.get("name") for c in top] == ["P1 cognitive deficit"]
    assert [c.get("name") for c in top[0].findall("q:Code", ns)] == ["G01 self-awareness"]
    sel = root.find("q:Sources/q:TextSource/q:PlainTextSelection", ns)
    start, end = int(sel.get("startPosition")), int(sel.get("endPosition"))
    assert plain[start:end] == "شهرداری اصفهان با شهرهای خواهرخوانده همکاری می‌کند."
    assert sel.find("q:Coding/q:CodeRef", ns).get("targetGUID") == guid("code", "G01")
    assert "0.81" in sel.find("q:Description", ns).text


def test_codings_outside_the_text_are_refused(tmp_path):
    with pytest.raises(ValueError, match="outside source"):
        write_qdpx(tmp_path / "x.qdpx", [Code("G", "G")], [Source("a" * 64, "a", "abc")],
                   [Coding("a" * 64, 1, 10, "G")])
    assert not (tmp_path / "x.qdpx").exists()
