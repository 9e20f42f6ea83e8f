"""Open the HTML report in real headless Chromium (Debian's package): no console errors, charts drawn."""

import shutil
from pathlib import Path

import pytest

from pipeline.report.html import write_report
from tests.unit.test_report_html import sample_data

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "outputs" / "screenshots"


def chromium_path() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        pytest.fail("Debian's chromium is not installed: run scripts/setup.sh --system (apt-get install chromium)")
    return path


def open_report(html_path: Path, screenshot: Path, probes: dict[str, str] | None = None) -> dict:
    from playwright.sync_api import sync_playwright

    errors: list[str] = []
    requests: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS, headless=True)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("dialog", lambda d: (errors.append(f"dialog opened: {d.message}"), d.dismiss()))
        page.on("request", lambda r: requests.append(r.url))
        page.goto(html_path.as_uri())
        page.wait_for_function("document.querySelectorAll('.js-plotly-plot .main-svg').length > 0")
        charts = page.evaluate("document.querySelectorAll('.js-plotly-plot').length")
        drawn = page.evaluate("document.querySelectorAll('.js-plotly-plot .main-svg').length")
        rtl = page.evaluate("getComputedStyle(document.querySelector('td.fa')).direction")
        probed = {k: page.evaluate(js) for k, js in (probes or {}).items()}
        screenshot.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(screenshot), full_page=True)
        browser.close()
    return {"errors": errors, "charts": charts, "drawn": drawn, "rtl": rtl, **probed,
            "external": [u for u in requests if not u.startswith(("file:", "data:", "blob:"))]}


def test_report_opens_without_console_errors(tmp_path):
    html = write_report(sample_data(), tmp_path / "report.html")
    got = open_report(html, SCREENSHOTS / "report-sample.png")
    assert got["errors"] == []  # includes alert() dialogs from injected document text
    assert got["charts"] >= 4 and got["drawn"] >= got["charts"]
    assert got["rtl"] == "rtl"
    assert got["external"] == []  # self-contained: no network request
    assert (SCREENSHOTS / "report-sample.png").stat().st_size > 10_000


def test_outside_section_and_codebook_appendix_render(tmp_path):
    from dataclasses import replace

    from pipeline.report.data import OutsideExample, OutsideSection, OutsideTheme
    from pipeline.report.sections import codebook_appendix
    from pipeline.taxonomy import load_codebook
    from tests.unit.test_report_html import EVIL

    fa = OutsideExample("b:s9", "b" * 64, 2, "هوای شهر امروز آلوده است " + EVIL, "fa", 0.2)
    outside = OutsideSection(5, 3, 1, 0, (OutsideTheme("T1", "City life", "زندگی شهری", ("شهر",), 3, 2, (fa,)),),
                             (OutsideExample("a:s2", "a" * 64, None, "Born in 1962 " + EVIL, "en", 0.1),))
    data = replace(sample_data(), outside=outside, codebook=codebook_appendix(load_codebook()))
    html = write_report(data, tmp_path / "report.html")
    got = open_report(html, SCREENSHOTS / "report-outside.png", probes={
        "outside_dir": "getComputedStyle(document.querySelector('#outside-T1 blockquote')).direction",
        "goals": "document.querySelectorAll('#codebook details.goal').length",
        "codebook_fa_dir": "getComputedStyle(document.querySelector('#cb-G05 td.fa')).direction",
    })
    assert got["errors"] == [] and got["external"] == []
    assert got["outside_dir"] == "rtl" and got["codebook_fa_dir"] == "rtl"
    assert got["goals"] == 16
