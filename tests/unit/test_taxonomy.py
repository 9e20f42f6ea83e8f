"""The problem -> goal -> policy taxonomy: parsing the Mashhad paper, storage, validation, import, CLI."""

from __future__ import annotations

import json
import sys
from dataclasses import replace
from pathlib import Path

import pytest
import yaml

from pipeline.taxonomy import (
    ColumnMap,
    build_from_paper,
    import_table,
    load_taxonomy,
    paper_statements,
    save_taxonomy,
    validate_file,
    validate_taxonomy,
)
from pipeline.taxonomy.corrections import CorrectionsError, load_corrections, parse_corrections
from pipeline.taxonomy.generate import default_corrections_path, default_paper_path
from pipeline.taxonomy.glosses import Gloss, apply_glosses, gloss_template, load_glosses
from pipeline.taxonomy.import_table import TableImportError
from pipeline.taxonomy.parse_paper import (
    HEADER_COLUMNS,
    clean_cell,
    join_continuations,
    parse_paper,
    scan,
    split_executive,
)
from pipeline.taxonomy.ranking import conclusion_goals, similarity
from pipeline.taxonomy.store import content_sha256, from_document, to_document
from pipeline.taxonomy.validate import errors

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "taxonomy"
PAPER = default_paper_path()
LAST_GOAL = "خنثیسازی تحریمهای اقتصادی و تجاری و جلب اعتماد سرمایهگذاران"


@pytest.fixture(scope="module")
def lines() -> list[str]:
    return PAPER.read_text(encoding="utf-8").split("\n")


@pytest.fixture(scope="module")
def tax():
    result = build_from_paper()
    return result.taxonomy


@pytest.fixture(scope="module")
def build_problems():
    return build_from_paper().problems


# --- the paper's structure ---------------------------------------------------------------------
def test_four_macro_problems_in_the_papers_order(tax):
    macros = tax.macro_problems()
    assert [m.node_id for m in macros] == ["P1", "P2", "P3", "P4"]
    assert [m.rank for m in macros] == [1, 2, 3, 4]
    assert macros[0].text_fa == "اختلال شناختی و معرفتی (ضعف خودآگاهی)"
    assert macros[1].text_fa == "حکمرانی تمرکزگرای محافظهکارانه"
    assert macros[2].text_fa == "نابسامانی اقتصاد سیاسی"
    assert macros[3].text_fa == "تحریمهای بینالمللی"
    assert macros[1].aliases_fa == ("حکمرانی تمرکزگرای محافظهکارانه (ترس از تغییر)",)


def test_sixteen_goals_ranked_as_in_the_conclusion(tax, lines):
    concl = conclusion_goals(lines)
    goals = tax.goals()
    assert len(concl) == 16 and len(goals) == 16
    assert [g.rank for g in goals] == list(range(1, 17))
    assert [g.node_id for g in goals] == [f"G{k:02d}" for k in range(1, 17)]
    assert goals[0].text_fa == "دستیابی به شناخت جامع و واقعگرایانه از وضعیت و ظرفیتهای کشورهای منطقه و جهان"
    assert goals[0].aliases_fa == (concl[0].text,)  # the conclusion words goal 1 differently
    assert goals[-1].text_fa == LAST_GOAL == concl[-1].text
    # each goal is the conclusion item of its rank (up to spaces), or keeps that item as its alias
    for g, c in zip(goals, concl, strict=True):
        assert similarity(g.text_fa, c.text) == 1.0 or g.aliases_fa == (c.text,), g.node_id
    # each goal hangs from the table it comes from
    parents = {g.node_id: g.parent_id for g in goals}
    assert {k for k, v in parents.items() if v == "P1"} == {f"G{k:02d}" for k in range(1, 8)}
    assert {k for k, v in parents.items() if v == "P3"} == {"G08", "G09"}
    assert {k for k, v in parents.items() if v == "P2"} == {"G10", "G11", "G12", "G13", "G14"}
    assert {k for k, v in parents.items() if v == "P4"} == {"G15", "G16"}


def test_counts_and_tree_shape(tax):
    assert tax.counts() == {"macro_problem": 4, "sub_problem": 16, "goal": 16, "general_policy": 51,
                            "executive_policy": 99}
    for g in tax.goals():
        assert tax.parent(g.node_id).level == "macro_problem"
        assert len(tax.children(g.node_id, "general_policy")) >= 1, g.node_id
    for gp in tax.by_level("general_policy"):
        assert tax.parent(gp.node_id).level == "goal"
    assert validate_taxonomy(tax) == []


def test_no_markup_or_header_words_left(tax):
    headers = set(HEADER_COLUMNS)
    for n in tax.nodes:
        assert "<p>" not in n.text_fa and "</p>" not in n.text_fa and "\t" not in n.text_fa, n.node_id
        assert n.text_fa not in headers, n.node_id
        assert n.text_fa == n.text_fa.strip() and "  " not in n.text_fa, n.node_id
    # line 191 holds two <p> paragraphs in its executive cell: two policies
    assert [e.text_fa[:20] for e in tax.children("G12.GP2")] == ["به اشتراکگذاری سند ت", "برگزاری سمینارها و ن"]


def test_cells_continued_across_a_page_break_are_joined(tax):
    gp = tax.node("G02.GP3")  # quoted whole in the conclusion
    assert gp.text_fa == "ایجاد زمینه و فرصت گفتگو و بهاشتراکگذاری نظرها، آراء، ایدهها حول روایت شهر"
    assert gp.source.lines == (136, 139)
    assert tax.node("G05.GP4.E1").text_fa == "برگزاری رویدادها و مسابقات ورزشی محلی (در سطح شهر)، ملی و بینالمللی"
    assert tax.node("P2.S1").text_fa.endswith("/ ترس از نفوذ فرهنگی / انزوای اجتماعی)")
    # a fragment that opens a new item after the break stays separate
    assert tax.node("G04.GP3.E2").text_fa == "راهاندازی مرکز مطالعات و پژوهشهای مردمشناسی شهر مشهد"


def test_reversed_pages_put_cells_in_their_columns(tax, lines):
    _, rows = scan(lines)
    by_line = {r.line: r for r in rows}
    assert by_line[211].reversed and not by_line[244].reversed
    assert [it.text for it in by_line[211].cols[1]] == ["تحقق عدالت و خدمت محوری در توسعه شهری"]
    # table 3 starts on a reversed page: the goal, problem and policies land in their own levels
    assert tax.node("G08").text_fa == "تحقق عدالت و خدمت محوری در توسعه شهری"
    assert tax.node("G08").source.col == 2 and tax.node("G08").source.lines == (211,)
    assert tax.node("P3.S1").text_fa.startswith("توسعه سوداگریانه (")
    assert tax.node("G08.GP1.E1").text_fa.startswith("راهاندازی فضاهای خدمترسانی به زائران")
    # a continuation on a reversed page (line 199) joins the executive cell of line 196
    assert tax.node("G14.GP1.E1").text_fa.endswith("همافزای دولت و بخش خصوصی در آن")
    assert tax.node("G14.GP1.E2").source.lines == (200,)


def test_merged_executive_policies_are_split(tax):
    assert len(tax.children("G11.GP1")) == 5
    assert [e.text_fa.split()[0] for e in tax.children("G03.GP1")] == ["عنوانگذاری", "توجه", "ارائه", "برگزاری"]
    assert split_executive("طراحی و ایجاد پارک گردشگری سلامت") == ["طراحی و ایجاد پارک گردشگری سلامت"]
    assert split_executive("گسترش پژوهشها از طرحهای ارائه شده در توسعه شهری") == [
        "گسترش پژوهشها از طرحهای ارائه شده در توسعه شهری"]
    assert split_executive("ترسیم نقشه جامع شهر (Cultural Mapping) برگزاری تورهای گردشگری") == [
        "ترسیم نقشه جامع شهر (Cultural Mapping)", "برگزاری تورهای گردشگری"]


def test_clean_cell_paragraphs():
    assert clean_cell("<p>الف ب</p> <p>(توضیح)</p> <p>ج د</p>") == ["الف ب (توضیح)", "ج د"]
    assert clean_cell("  متايز ى  ") == ["متایز ی"]


def test_goals_of_a_shared_cell_and_editorial_notes(tax):
    assert tax.node("G02").source.lines == tax.node("G03").source.lines == (133,)
    assert tax.node("P1.S2").related == ("G02", "G03")
    assert tax.node("G03.GP1").text_fa.startswith("ارتقاء سطح آگاهی") and "goal 3" in tax.node("G03.GP1").note
    assert tax.node("G12").text_fa == "برخورداری از چشمانداز و نقشه راه در سیاستگذاری و دیپلماسی شهری"
    assert tax.node("G12").related == ("P2.S3", "P2.S4")
    assert "conclusion" in tax.node("G09").note
    assert tax.node("G09.GP1").text_fa.startswith("جذب هدفمند سرمایهگذاری")


def test_corrections_are_tied_to_the_source_text(lines):
    corr = load_corrections(default_corrections_path())
    from pipeline.taxonomy.corrections import check_source

    with pytest.raises(CorrectionsError, match="SHA-256"):
        check_source(corr, "0" * 64)
    stale = parse_corrections({"rows": [{"line": 125, "expect": "not in this line", "set": {"goal": []},
                                         "why": "test"}]})
    with pytest.raises(CorrectionsError, match="line 125"):
        parse_paper("\n".join(lines), stale)
    with pytest.raises(CorrectionsError, match="unknown column"):
        parse_corrections({"rows": [{"line": 1, "expect": "x", "set": {"goals": []}, "why": "t"}]})


def test_join_continuations_unit():
    from pipeline.taxonomy.parse_paper import Item, PhysRow

    def row(line, cells, brk=False):
        return PhysRow(table=1, line=line, cols=[[Item(c, [line])] if c else [] for c in cells], after_break=brk)

    rows = join_continuations([
        row(1, ["مسئله (جزء", "هدف", "سیاست کلی و", "برگزاری نشست"]),
        row(2, ["اول)", "", "ادامه سیاست", "راهاندازی مرکز"], brk=True),
    ])
    assert len(rows) == 2
    assert [it.text for it in rows[0].cols[0]] == ["مسئله (جزء اول)"]
    assert [it.text for it in rows[0].cols[2]] == ["سیاست کلی و ادامه سیاست"]
    assert [it.text for it in rows[1].cols[3]] == ["راهاندازی مرکز"]  # opens a new item


# --- committed data and storage ------------------------------------------------------------------
def test_committed_taxonomy_is_valid_glossed_and_up_to_date(tax, build_problems):
    assert errors(validate_file()) == []
    committed = load_taxonomy()
    assert committed.version == "1.0.0"
    assert committed.source.sha256 == "03d33ee5e9934bbb3af82e3583fc581a6aadf3be057af01ba670c1ddc051a1af"
    assert content_sha256(committed) == content_sha256(tax), "run `udiplo taxonomy build`"
    assert all(n.gloss_en for n in committed.nodes)
    assert list(build_problems) == []  # no missing or stale glosses, no validation problems
    assert committed.node("G16").gloss_en == "Neutralising economic and trade sanctions and winning investors' confidence"


def test_round_trip_yaml_and_json(tax, tmp_path):
    for name in ("t.yaml", "t.json"):
        path = save_taxonomy(tax, tmp_path / name)
        back = load_taxonomy(path)
        assert back.nodes == tax.nodes and back.version == tax.version
    assert "source: {doc: 03d33ee5e9934bbb, table: 1, row: 1, col: 1, lines: [125]}" in (tmp_path / "t.yaml").read_text()


def test_validation_names_node_and_fix(tax):
    nodes = list(tax.nodes)
    by = {n.node_id: i for i, n in enumerate(nodes)}
    nodes[by["G05.GP1"]] = replace(nodes[by["G05.GP1"]], parent_id="P1")  # wrong level of parent
    nodes[by["G05.GP2"]] = replace(nodes[by["G05.GP2"]], parent_id="G99")  # missing parent
    nodes[by["G06"]] = replace(nodes[by["G06"]], rank=5)  # duplicate goal rank
    nodes[by["G07.GP2"]] = replace(nodes[by["G07.GP2"]], rank=1)  # duplicate sibling rank
    nodes.append(nodes[by["G01"]])  # duplicate id
    problems = errors(validate_taxonomy(replace(tax, nodes=tuple(nodes))))
    text = "\n".join(map(str, problems))
    assert "G05.GP1: a general_policy under a macro_problem (P1). Fix: Move it under a goal." in text
    assert "G05.GP2: parent 'G99' does not exist." in text
    assert "rank 5 is shared by G05, G06 (level)" in text
    assert "rank 1 is shared by G07.GP1, G07.GP2 (siblings under G07)" in text
    assert "G01: id used by 2 nodes." in text


def test_cycle_and_schema_errors(tax, tmp_path):
    doc = to_document(tax)
    doc["nodes"][0]["parent"] = "P1.S1"  # P1 -> P1.S1 -> P1
    problems = errors(validate_taxonomy(from_document(doc)))
    assert any("loops" in p.message for p in problems)
    doc = to_document(tax)
    doc["nodes"][5]["level"] = "objective"
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    problems = validate_file(path)
    assert problems and problems[0].node_id == doc["nodes"][5]["id"] and "level" in problems[0].message


def test_tree_operations(tax):
    assert [n.node_id for n in tax.children("P1", "goal")] == [f"G0{k}" for k in range(1, 8)]
    assert [n.node_id for n in tax.path_to_root("G05.GP2.E1")] == ["G05.GP2.E1", "G05.GP2", "G05", "P1"]
    assert tax.gold_path("G05.GP2.E1") == ("P1", "G05", "G05.GP2")
    assert tax.gold_path("P2.S3") == ("P2", None, None)
    assert len(tax.descendants("G09")) == 5 + 10  # 5 general, 3+2+2+2+1 executive
    assert len(tax.walk()) == len(tax.nodes)
    with pytest.raises(KeyError, match="udiplo taxonomy show"):
        tax.node("G17")


def test_paper_statements_for_grouped_evaluation(tax):
    st = paper_statements(tax)
    assert len(st) == 16 + 16 + 51 + 99
    assert len({s.group for s in st}) == 51  # one group per table row (general policy)
    by_id = {s.node_id: s for s in st}
    assert by_id["G05.GP2.E1"].path == ("P1", "G05", "G05.GP2")
    assert by_id["G05.GP2.E1"].group == by_id["G05.GP2"].group != by_id["G05.GP1"].group
    assert by_id["P3.S1"].path == ("P3", None, None) and by_id["P3.S1"].group == by_id["G08.GP1"].group
    assert all(s.text for s in st)


def test_glosses_detect_stale_entries(tax):
    glosses = {"P1": Gloss(fa="متن دیگر", en="Other"), "P9": Gloss(fa="x", en="y")}
    out, problems = apply_glosses(tax, glosses)
    msgs = {(p.node_id, p.message) for p in problems}
    assert ("P1", "the gloss was written for different Persian text.") in msgs
    assert ("P9", "a gloss for a node that no longer exists.") in msgs
    assert out.node("P1").gloss_en is None
    template = yaml.safe_load(gloss_template(tax, load_glosses(default_paper_path().parents[1] / "glosses_en.yaml")))
    assert len(template) == len(tax.nodes) and template["G01"]["en"]


# --- importing other tables ------------------------------------------------------------------------
def test_import_tsv_second_city():
    t = import_table(FIX / "isfahan_example.tsv", "isfahan-example")
    assert t.counts() == {"macro_problem": 2, "sub_problem": 3, "goal": 3, "general_policy": 4, "executive_policy": 7}
    assert t.node("P2").text_fa == "کمبود منابع آب و تنش زیستمحیطی"
    assert [e.text_fa for e in t.children("G01.GP2")] == ["ارائه تسهیلات ثبت نشان تجاری",
                                                          "آموزش بازاریابی دیجیتال به هنرمندان"]
    assert len(t.children("G03.GP1")) == 2  # the repeated policy text continues the cell above
    assert t.node("G02").related == ("P1.S2",) and t.node("G02").parent_id == "P1"
    assert validate_taxonomy(t) == []


def test_import_docx_with_merged_cells(tmp_path):
    sys.path.insert(0, str(FIX))
    try:
        from build_fixtures import build_docx
    finally:
        sys.path.remove(str(FIX))
    path = build_docx(tmp_path / "twin.docx")
    t = import_table(path, "twin-city", lang="en", macro="Twin-city framework")
    assert t.counts() == {"macro_problem": 1, "sub_problem": 2, "goal": 2, "general_policy": 3, "executive_policy": 5}
    assert [n.gloss_en for n in t.children("G01")] == ["Publish city stories in several languages",
                                                      "Host international festivals"]
    assert [n.gloss_en for n in t.children("G02.GP1")] == ["Open a sister-city office in the municipality",
                                                          "Run yearly exchange visits"]
    assert all(n.text_fa == "" for n in t.nodes)
    back = load_taxonomy(save_taxonomy(t, tmp_path / "twin.yaml"))
    assert back.nodes == t.nodes


def test_column_map():
    cmap = ColumnMap.parse("goal=هدف, general_policy=4")
    assert cmap.resolve(["مسائل", "هدف", "x", "سیاست"]) == {"goal": 1, "general_policy": 3}
    with pytest.raises(TableImportError, match="level=column"):
        ColumnMap.parse("objective=3")
    with pytest.raises(TableImportError, match="No goal column"):
        ColumnMap().resolve(["a", "b"])


# --- CLI --------------------------------------------------------------------------------------------
def test_cli_commands(tmp_path):
    from typer.testing import CliRunner

    from udiplo.commands.taxonomy import app

    runner = CliRunner()
    res = runner.invoke(app, ["show", "--level", "goal", "--json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert [n["id"] for n in data["nodes"]][:3] == ["G01", "G02", "G03"] and data["nodes"][-1]["fa"] == LAST_GOAL
    res = runner.invoke(app, ["validate", "--json"])
    assert res.exit_code == 0 and json.loads(res.stdout)["valid"] is True
    res = runner.invoke(app, ["build", "--check"])
    assert res.exit_code == 0, res.output
    out = tmp_path / "isf.yaml"
    res = runner.invoke(app, ["import", str(FIX / "isfahan_example.tsv"), "--name", "isfahan-example",
                              "--out", str(out), "--json"])
    assert res.exit_code == 0, res.output and json.loads(res.stdout)["counts"]["goal"] == 3
    doc = yaml.safe_load(out.read_text(encoding="utf-8"))
    doc["nodes"][1]["parent"] = "nope"
    out.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    res = runner.invoke(app, ["validate", str(out)])
    assert res.exit_code == 1 and "parent 'nope' does not exist" in res.output
    for cmd in ("show", "validate", "build", "import"):
        assert runner.invoke(app, [cmd, "--help"]).exit_code == 0
