import io

import pytest

from pipeline.errors import CorruptFileError, EncryptedFileError
from pipeline.extract import extract_bytes

NEWS = """<!DOCTYPE html><html lang="fa" dir="rtl"><head><meta charset="utf-8">
<title>شهروند دیپلمات | ایمنا</title>
<meta property="article:published_time" content="2022-07-25T11:04:00+04:30"></head>
<body><nav><a href="/">خانه</a> | <a href="/sport">ورزش</a> | <a href="/x">اقتصاد</a></nav>
<article><h1>شهروند دیپلمات طرحی برای اعتلای اصفهان</h1>
<p>مدیرکل ارتباطات و امور بین‌الملل شهرداری اصفهان گفت: نشستی بین دانشگاه اصفهان و دانشگاه سن پترزبورگ برگزار می‌شود تا اتفاقات علمی خوبی رقم بخورد.</p>
<h2>خواهرخواندگی</h2>
<p>شهرداری‌ها به نمایندگی از شهرها با سایر شهرها وارد مبادلاتی می‌شوند که به خواهرخواندگی مرسوم است و این روند ادامه دارد.</p>
<table><tr><th>شهر</th><th>سال</th></tr><tr><td>شیان</td><td>۱۳۶۸</td></tr></table>
</article><footer>© کلیه حقوق این سایت محفوظ است</footer></body></html>"""


def test_html_news_keeps_title_date_structure_and_half_spaces():
    doc = extract_bytes(NEWS.encode("utf-8"), "news.html")
    assert doc.meta.date_iso == "2022-07-25"
    assert doc.meta.title.startswith("شهروند دیپلمات")
    kinds = [s.kind for s in doc.segments]
    assert kinds.count("heading") == 2 and kinds.count("paragraph") == 2
    # trafilatura alone drops ZWNJ; the extractor must keep «بین‌الملل» and «می‌شود»
    assert "بین\u200cالملل" in doc.text and "می\u200cشود" in doc.text
    assert "کلیه حقوق" not in doc.text and "ورزش" not in doc.text  # boilerplate removed
    cells = [(s.row, s.col, s.text) for s in doc.segments if s.kind == "table_cell"]
    assert cells == [(1, 1, "شهر"), (1, 2, "سال"), (2, 1, "شیان"), (2, 2, "۱۳۶۸")]
    assert all(doc.text[s.start:s.end] == s.text for s in doc.segments)


def test_html_windows_1256_charset():
    # Windows-1256 has no Persian yeh or Persian digits: old sites used Arabic yeh (ي) and Latin digits
    html = NEWS.replace('charset="utf-8"', 'charset="windows-1256"').replace("\u200c", " ")
    html = html.replace("ی", "ي").replace("۱۳۶۸", "1368")
    doc = extract_bytes(html.encode("cp1256"), "old.html")
    assert "دانشگاه سن پترزبورگ".replace("ی", "ي") in doc.text


def _docx_bytes() -> bytes:
    import docx

    d = docx.Document()
    d.core_properties.title = "نقشه راه"
    d.add_heading("دیپلماسی شهری اصفهان", 1)
    d.add_paragraph("شهرداری اصفهان با شهرهای خواهرخوانده همکاری می‌کند.")
    t = d.add_table(rows=3, cols=3)
    for c, h in enumerate(["مسائل", "هدف", "سیاست"]):
        t.cell(0, c).text = h
    t.cell(1, 0).merge(t.cell(2, 0))
    t.cell(1, 0).text = "ضعف خودآگاهی"
    t.cell(1, 1).text = "هدف ۱"
    t.cell(2, 1).text = "هدف ۲"
    t.cell(1, 2).text = "سیاست ۱"
    t.cell(2, 2).text = "سیاست ۲"
    d.add_paragraph("Sister cities: Xi'an, Florence", style="List Bullet")
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def test_docx_paragraphs_tables_and_merged_cells_in_body_order():
    doc = extract_bytes(_docx_bytes(), "plan.docx")
    assert doc.meta.title == "نقشه راه"
    got = [(s.kind, s.text, s.row, s.col) for s in doc.segments]
    assert got[0] == ("heading", "دیپلماسی شهری اصفهان", None, None)
    assert got[1][1] == "شهرداری اصفهان با شهرهای خواهرخوانده همکاری می‌کند."
    cells = [g for g in got if g[0] == "table_cell"]
    assert ("table_cell", "ضعف خودآگاهی", 2, 1) in cells
    assert sum(1 for g in cells if g[1] == "ضعف خودآگاهی") == 1  # merged cell once
    assert ("table_cell", "هدف ۲", 3, 2) in cells
    assert got[-1] == ("list_item", "Sister cities: Xi'an, Florence", None, None)


def test_truncated_docx_is_corrupt():
    data = _docx_bytes()
    with pytest.raises(CorruptFileError, match="plan.docx: corrupt or truncated DOCX"):
        extract_bytes(data[: len(data) // 2], "plan.docx")


def test_encrypted_office_file_is_reported():
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600
    with pytest.raises(EncryptedFileError, match="secret.docx: an OLE container"):
        extract_bytes(ole, "secret.docx")


# -- hostile archives and XML ----------------------------------------------------------------------
def _rebuild_docx(path, *, document_xml: bytes | None = None, zeros: tuple[str, int] | None = None) -> bytes:
    """A real DOCX rewritten entry by entry, optionally with a new document.xml and an entry of
    ``zeros[1]`` zero bytes named ``zeros[0]``, streamed in 1 MB chunks (never held in memory)."""
    import zipfile

    src = zipfile.ZipFile(io.BytesIO(_docx_bytes()))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        for info in src.infolist():
            data = src.read(info.filename)
            z.writestr(info.filename, document_xml if document_xml and info.filename == "word/document.xml"
                       else data)
        if zeros:
            chunk = bytes(1 << 20)
            with z.open(zeros[0], "w", force_zip64=True) as f:
                for _ in range(zeros[1] >> 20):
                    f.write(chunk)
    return path.read_bytes()


def test_zip_bomb_docx_is_refused_from_its_directory_in_milliseconds(tmp_path):
    import time

    from pipeline.errors import HostileFileError
    from pipeline.extract import extract

    bomb = tmp_path / "bomb.docx"
    _rebuild_docx(bomb, zeros=("word/media/image1.png", 256 << 20))  # 256 MB of zeros in a ~1 MB file
    assert bomb.stat().st_size < 2 << 20
    t = time.perf_counter()
    with pytest.raises(HostileFileError) as err:
        extract(bomb)  # default limit: 50 MB file, expanding to at most 200 MB
    assert time.perf_counter() - t < 1.0
    assert str(err.value) == (f"{bomb}: expands to 256.8 MB: refused (limit 200.0 MB, 4x --max-mb / "
                              "UDIPLO_MAX_FILE_MB; raise --max-mb only for a file you trust)")
    assert err.value.code == "hostile"


def test_highly_compressed_entry_under_the_total_limit_is_refused(tmp_path):
    from pipeline.errors import HostileFileError

    data = _rebuild_docx(tmp_path / "ratio.docx", zeros=("word/media/image1.png", 8 << 20))
    with pytest.raises(HostileFileError, match=r"ratio.docx: entry 'word/media/image1.png' expands [0-9,]+x "
                                               r"\([0-9.]+ KB to 8.0 MB\): refused as a likely zip bomb \(limit 100x\)"):
        extract_bytes(data, "ratio.docx")


def test_archive_with_too_many_entries_is_refused():
    import zipfile

    from pipeline.errors import HostileFileError

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("word/document.xml", "<w/>")
        for i in range(10_001):
            z.writestr(f"word/media/{i}", b"")
    with pytest.raises(HostileFileError, match="many.docx: has more than 10,000 archive entries"):
        extract_bytes(buf.getvalue(), "many.docx")


def test_entry_whose_directory_size_lies_is_cut_at_the_declared_size(tmp_path):
    """The central directory claims 2,000 bytes for 64 MB of XML: inflated in chunks, zipfile stops at the
    claim and the CRC check fails before python-docx (whose ZipFile.read inflates it all at once) runs."""
    import struct
    import tracemalloc

    text = b"<w:document xmlns:w='http://schemas.openxmlformats.org/wordprocessingml/2006/main'>"
    xml = text + b" " * (64 << 20) + b"</w:document>"
    data = bytearray(_rebuild_docx(tmp_path / "lie.docx", document_xml=xml))
    name = b"word/document.xml"
    at = next(i for i in _all(data, b"PK\x01\x02") if data[i + 46 : i + 46 + len(name)] == name)
    assert struct.unpack_from("<I", data, at + 24)[0] == len(xml)
    struct.pack_into("<I", data, at + 24, 2000)
    tracemalloc.start()
    with pytest.raises(CorruptFileError, match=r"^lie.docx: corrupt or hostile archive: entry 'word/document.xml' "
                                               r"does not match its declared size and checksum \(Bad CRC-32"):
        extract_bytes(bytes(data), "lie.docx")
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 8 << 20, f"{peak / 1e6:.0f} MB allocated while refusing"


def _all(data: bytes, needle: bytes):
    i = data.find(needle)
    while i >= 0:
        yield i
        i = data.find(needle, i + 1)


def _document_xml_with_doctype(doctype: str, body_text: str) -> bytes:
    import zipfile

    xml = zipfile.ZipFile(io.BytesIO(_docx_bytes())).read("word/document.xml").decode()
    body = xml.split("?>", 1)[1].replace("دیپلماسی شهری اصفهان", body_text)
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' + doctype + body).encode()


def test_billion_laughs_in_document_xml_is_reported_as_hostile(tmp_path):
    from pipeline.errors import HostileFileError

    entities = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)]
    xml = _document_xml_with_doctype("<!DOCTYPE w:document [" + "".join(entities) + "]>\n", "&lol9;")
    data = _rebuild_docx(tmp_path / "laughs.docx", document_xml=xml)
    assert len(data) < 100_000  # 10^9 "lol"s once expanded
    with pytest.raises(HostileFileError) as err:
        extract_bytes(data, "laughs.docx")
    assert str(err.value) == (
        "laughs.docx: hostile or corrupt DOCX: its XML cannot be parsed safely (Maximum entity amplification "
        "factor exceeded, see xmlCtxtSetMaxAmplification., line 1, column 7 (<string>, line 1)); "
        "open it in Word and save it again, or leave it out")


def test_external_entity_in_docx_is_not_resolved(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-VALUE")
    xml = _document_xml_with_doctype(f'<!DOCTYPE w:document [<!ENTITY xxe SYSTEM "file://{secret}">]>\n',
                                     "before &xxe; after")
    doc = extract_bytes(_rebuild_docx(tmp_path / "xxe.docx", document_xml=xml), "xxe.docx")
    assert "TOP-SECRET-VALUE" not in doc.text


def test_entities_in_html_are_not_expanded():
    laughs = '<!DOCTYPE html [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
    html = NEWS.replace("<!DOCTYPE html>", laughs).replace("رقم بخورد.", "رقم بخورد &b;&b;&b;.")
    doc = extract_bytes(html.encode(), "laughs.html")
    assert "aaaaaaaaaa" not in doc.text
