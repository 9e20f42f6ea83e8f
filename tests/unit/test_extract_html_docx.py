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
