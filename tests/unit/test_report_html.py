import re

from pipeline.report.data import DocRow, NodeRow, ReportData, StatementLabel, StatementRef, ThemeRow
from pipeline.report.html import render

EVIL = '</script><script>alert("x")</script><img src=x onerror=alert(1)>'


def sample_data() -> ReportData:
    docs = (DocRow("a" * 64, "Isfahan roadmap " + EVIL, "a.txt", "Isfahan", "metadata", "plan", None, 3),
            DocRow("b" * 64, "گفت‌وگو با معاون شهرداری تهران", "b.txt", "Tehran", "gazetteer", "news", "2022-07-25", 2))
    labels = (
        StatementLabel("a:s0", "a" * 64, "Isfahan", "plan", None, "T0", "P1", "G01", 0.9),
        StatementLabel("a:s1", "a" * 64, "Isfahan", "plan", None, "T0", "P1", "G01", 0.8),
        StatementLabel("a:s2", "a" * 64, "Isfahan", "plan", None, "T1", None, None, None),
        StatementLabel("b:s0", "b" * 64, "Tehran", "news", "2022-07-25", "T1", "P3", "G02", 0.7),
        StatementLabel("b:s1", "b" * 64, "Tehran", "news", "2022-07-25", "T1", "P3", "G02", 0.6),
    )
    themes = (ThemeRow("T0", "Sister cities " + EVIL, "خواهرخواندگی", ("خواهرخوانده", "شهر"), 2, "G01",
                       (StatementRef("a:s0", "a" * 64, 3, 10, 50, "شهرهای خواهرخوانده " + EVIL, "fa"),)),
              ThemeRow("T1", "Economic diplomacy", "دیپلماسی اقتصادی", ("اقتصادی",), 3, "G02", ()))
    goals = (NodeRow("G01", 1, "P1", "خودآگاهی", "self-awareness"), NodeRow("G02", 2, "P3", "اقتصاد", "economy"))
    macros = (NodeRow("P1", 1, None, "اختلال شناختی", "cognitive deficit"),
              NodeRow("P3", 3, None, "نابسامانی اقتصاد سیاسی", "political economy"))
    return ReportData("udiplo report", "2026-11-22", docs, labels, themes, macros, goals,
                      stability={"ari_mean": 0.8, "ari_min": 0.7, "seeds": [0, 1, 2, 3, 4]},
                      notes=("note " + EVIL,))


def test_report_escapes_document_text_everywhere():
    html = render(sample_data())
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;/script&gt;&lt;script&gt;alert(&quot;x&quot;)" in html
    # inside plotly's scripts document text appears only HTML-escaped (and JSON-escaped)
    for block in re.findall(r"<script[^>]*>(.*?)</script>", html, flags=re.S):
        assert 'alert("x")' not in block and "<img" not in block and "</script" not in block


def test_report_is_self_contained_and_rtl_where_persian():
    html = render(sample_data())
    assert "cdn" not in html.lower().split("<body>")[0]
    assert not re.search(r'<script[^>]+src="http', html)
    assert re.search(r'<td dir="rtl" class="fa">گفت‌وگو با معاون شهرداری تهران</td>', html)
    assert html.count("Plotly.newPlot") >= 4
    for section in ("overview", "themes", "coverage", "cities", "time", "notes"):
        assert f'id="{section}"' in html
    assert 'href="#doc-aaaaaaaaaaaa"' in html and 'id="doc-aaaaaaaaaaaa"' in html
    assert "p. 3, chars 10–50" in html


def test_city_comparison_numbers_in_report():
    html = render(sample_data())
    # Isfahan: 2 of 3 statements on G01; Tehran 2 of 2 on G02; disjoint goal profiles -> cosine 0.00
    assert "2\\u002f3, 95% CI" in html and "2\\u002f2, 95% CI" in html
    assert "<td>Isfahan</td><td>Tehran</td><td>0.00</td>" in html
