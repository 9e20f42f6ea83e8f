"""`udiplo evaluate ...`: how well the taxonomy classifier does, and how it agrees with human coders."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from udiplo.common import DbOpt, EmbedderOpt, JsonOpt, echo, emit_json, fail, open_store

app = typer.Typer(help="Measure the taxonomy classifier: cross-validation on the paper, agreement with coders.",
                  no_args_is_help=True)


@app.command("taxonomy")
def taxonomy(
    real: Annotated[bool, typer.Option("--real", help="Real statements: the dev set (models/taxonomy/devset, "
                                                      "per language) and the paper's cells as a transfer "
                                                      "test, against the targets.")] = False,
    folds: Annotated[int, typer.Option(help="Grouped folds (table rows never split).", min=2)] = 5,
    ablations: Annotated[bool, typer.Option(help="Also char-only and embedding-only variants.")] = True,
    embedder: EmbedderOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """With --real: the classifier users get, on the dev set of 191 real statements labelled twice with
    the codebook (per language: macro-problem accuracy with outside as a class, goal accuracy, with
    the codebook's acceptable alternatives, outside recognised, in-taxonomy wrongly abstained,
    precision at confidence >= 0.8, calibration error), and fitted without the paper's texts on the
    paper's table cells. Without it: grouped cross-validation on the paper's own table cells per level,
    beside the majority baseline."""
    from pipeline.classify.evaluate import evaluate, evaluate_real
    from pipeline.embed import get_embedder
    from pipeline.errors import UdiploError

    try:
        result = evaluate_real(get_embedder(embedder)) if real else evaluate(get_embedder(embedder), folds,
                                                                             ablations=ablations)
    except UdiploError as exc:
        raise fail(str(exc)) from None
    if as_json:
        emit_json(result)
        return
    echo(render_real(result) if real else render_evaluation(result))


def render_real(result: dict[str, Any]) -> str:
    cols = ["macro_accuracy", "goal_accuracy", "goal_accuracy_alternatives", "outside_recall", "inside_abstained",
            "precision_at_0.8", "ece"]
    heads = ["macro", "goal", "goal+alt", "outside", "in-abst", "prec@.8", "ECE"]
    targets = result["targets"]
    lines = [f"embedder {result['embedder']['name']}@{result['embedder']['revision']}; dev set of "
             f"{result['devset']['items']} real statements (models/taxonomy/devset)",
             f"{'set':14} {'n':>4} " + " ".join(f"{h:>8}" for h in heads)]

    def row(name: str, s: dict[str, Any]) -> str:
        return f"{name:14} {s['n']:4d} " + " ".join(f"{_num(s.get(c)):>8}" for c in cols)

    for lang, s in result["devset"]["scores"].items():
        if s.get("n"):
            lines.append(row(f"dev {lang}", s))
    if "transfer" in result:
        lines.append(row("paper cells", result["transfer"]["scores"]) + "   (fitted without the paper's texts)")
    lines.append(f"{'target':14} {'':4} " + " ".join(f"{targets[c][0] + str(targets[c][1]):>8}" for c in cols))
    gap = result["devset"]["scores"]["all"].get("language_gap")
    lines.append(f"Persian-English gap in goal accuracy: {_num(gap)} (target {targets['language_gap'][0]} "
                 f"{targets['language_gap'][1]})")
    lines.append("outside: share of outside statements recognised; in-abst: in-taxonomy statements wrongly set "
                 "aside; goal+alt: counting the codebook's acceptable alternatives")
    return "\n".join(lines)


def _num(v: float | None) -> str:
    return "  -  " if v is None else f"{v:.3f}"


def render_evaluation(result: dict[str, Any]) -> str:
    lines = [f"embedder {result['embedder']['name']}@{result['embedder']['revision']}, {result['folds']} grouped "
             f"folds", f"{'protocol':12} {'variant':10} {'level':15} {'n':>4} {'acc':>6} {'macroF1':>7} "
             f"{'top3':>6} {'ECE':>6}"]
    for r in result["results"]:
        for level, s in r["levels"].items():
            if s["n"]:
                lines.append(f"{r['protocol']:12} {r['variant']:10} {level:15} {s['n']:4d} {_num(s['accuracy']):>6} "
                             f"{_num(s['macro_f1']):>7} {_num(s['top3']):>6} {_num(s['ece']):>6}")
        ab = r["abstention"]
        lines.append(f"{'':12} {'':10} abstained: in-domain {ab.get('in_domain_abstained', 0):.1%}, "
                     f"out-of-domain {ab.get('ood_abstained', 0):.1%}")
    for protocol, levels in result["majority_baseline"].items():
        for level, s in levels.items():
            if s["n"]:
                lines.append(f"{protocol:12} {'majority':10} {level:15} {s['n']:4d} {_num(s['accuracy']):>6} "
                             f"{_num(s['macro_f1']):>7} {_num(s['top3']):>6} {_num(s['ece']):>6}")
    lines.append("targets: " + ", ".join(f"{k} {'<=' if k.startswith('ece') else '>='} {v}"
                                         for k, v in result["targets"].items()))
    return "\n".join(lines)


@app.command("agreement")
def agreement(
    folds: Annotated[int, typer.Option(help="Cross-fitting folds over the labelled statements.", min=2)] = 5,
    embedder: EmbedderOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Agreement between the classifier and each human coder per level (Cohen's kappa, Krippendorff's
    alpha), the machine never fitted on the label it is compared with; with several coders, alpha
    among them too."""
    from corpus.analysis import agreement_with_coders
    from pipeline.embed import get_embedder
    from pipeline.errors import UdiploError
    from pipeline.taxonomy import load_taxonomy

    with open_store(db) as store:
        try:
            report = agreement_with_coders(store, get_embedder(embedder), load_taxonomy(), folds=folds)
        except UdiploError as exc:
            raise fail(str(exc)) from None
    if as_json:
        emit_json(report)
        return
    echo(render_agreement(report))


def render_agreement(report: dict[str, Any]) -> str:
    lines = [f"machine vs coders ({report['protocol']}); unmatched labels {report['unmatched']}",
             f"{'coder':16} {'level':15} {'n':>4} {'agree':>6} {'kappa':>6} {'alpha':>6}"]
    for coder, levels in report["by_coder"].items():
        for level, s in levels.items():
            lines.append(f"{coder:16} {level:15} {s['n']:4d} {_num(s['agreement']):>6} {_num(s['cohen_kappa']):>6} "
                         f"{_num(s['krippendorff_alpha']):>6}")
    if report["between_coders"]:
        lines.append("between coders (Krippendorff's alpha): "
                     + ", ".join(f"{k} {_num(v)}" for k, v in report["between_coders"].items()))
    return "\n".join(lines)
