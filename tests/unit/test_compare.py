import math

import pytest

from pipeline.compare import coverage, distinctive, similarity, wilson


def test_wilson_matches_known_values():
    lo, hi = wilson(5, 20)
    assert lo == pytest.approx(0.1119, abs=1e-3) and hi == pytest.approx(0.4687, abs=1e-3)
    assert wilson(0, 0) == (0.0, 0.0)
    lo, hi = wilson(0, 10)
    assert lo == 0.0 and hi == pytest.approx(0.2775, abs=1e-3)


def test_coverage_is_normalised_by_each_citys_statement_count():
    cells = coverage({"Mashhad": ["G1", "G1", "G2", None], "Tehran": ["G2"] * 10}, ["G1", "G2"])
    got = {(c.city, c.label): (c.count, c.total, c.share) for c in cells}
    assert got[("Mashhad", "G1")] == (2, 4, 0.5)
    assert got[("Tehran", "G2")] == (10, 10, 1.0)
    assert got[("Tehran", "G1")] == (0, 10, 0.0)


def test_distinctive_themes_rank_the_over_represented_theme_first():
    data = {"Isfahan": ["T1"] * 30 + ["T2"] * 5, "Tehran": ["T1"] * 5 + ["T2"] * 30}
    res = distinctive(data)
    top = {d.city: d for d in res if d.z == max(x.z for x in res if x.city == d.city)}
    assert top["Isfahan"].label == "T1" and top["Tehran"].label == "T2"
    assert top["Isfahan"].z > 3
    # symmetric data give opposite z-scores
    z = {(d.city, d.label): d.z for d in res}
    assert math.isclose(z[("Isfahan", "T1")], -z[("Isfahan", "T2")], rel_tol=1e-9)


def test_similarity_identical_profiles_near_one_and_disjoint_zero():
    data = {"A": ["G1", "G2"] * 20, "B": ["G1", "G2"] * 15, "C": ["G3"] * 10}
    sims = {(s.a, s.b): s for s in similarity(data, ["G1", "G2", "G3"], n_boot=200)}
    assert sims[("A", "B")].cosine == pytest.approx(1.0)
    assert sims[("A", "B")].low > 0.8
    assert sims[("A", "C")].cosine == 0.0 and sims[("A", "C")].high == 0.0
