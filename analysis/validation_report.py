"""What ``plenary validate`` and ``plenary calibrate`` show and write: rich tables, ``validation.json``
and a multi-panel plot of the predicted probability of each state's recorded stance.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
from rich.console import Console
from rich.table import Table

from analysis.palette import STANCE_COLOURS
from analysis.validation import BASELINES, METRICS, CaseResult, validation_json
from sim.batch.outputs import save_figure, write_atomic
from sim.stance import Stance

LABELS = {"accuracy": "accuracy", "brier": "Brier", "tally_error": "tally err",
          "macro_f1": "macro-F1", "resist_recall": "resisters found", "resist_precision": "precision"}
#: the metrics on which higher is better (on the others, lower is)
HIGHER = {"accuracy", "macro_f1", "resist_recall", "resist_precision"}


def _best(values: list[float | None], metric: str) -> float:
    finite = [v for v in values if v is not None and not math.isnan(v)]
    if not finite:
        return float("nan")
    return max(finite) if metric in HIGHER else min(finite)


def _fmt(value: float | None) -> str:
    return "-" if value is None or math.isnan(value) else f"{value:.3f}"


def case_table(result: CaseResult, title_prefix: str = "") -> Table:
    """One case: the model and each baseline, a row each (higher accuracy, lower Brier and tally
    error are better; the best of each column is bold)."""
    case = result.case
    table = Table(title=f"{title_prefix}{case.id}: {case.rule}, {case.date}, {case.form}, "
                        f"n={result.n} scored", title_justify="left", min_width=100)
    table.add_column("predictor", no_wrap=True)
    for m in METRICS:
        table.add_column(LABELS[m], justify="right")
    rows = ["model", *BASELINES]
    best = {m: _best([result.scores[r].as_dict()[m] for r in rows], m) for m in METRICS}
    for r in rows:
        values = result.scores[r].as_dict()
        cells = [f"[bold]{_fmt(values[m])}[/bold]" if values[m] == best[m] else _fmt(values[m])
                 for m in METRICS]
        table.add_row(r, *cells)
    return table


def mean_table(results: list[CaseResult], title: str) -> Table:
    """Each predictor's scores averaged over the cases (each case weighs the same)."""
    table = Table(title=title, title_justify="left")
    table.add_column("predictor", no_wrap=True)
    for m in METRICS:
        table.add_column(f"mean {LABELS[m]}", justify="right")
    table.add_column("cases won (Brier)", justify="right")
    for r in ["model", *BASELINES]:
        wins = sum(res.scores[r].brier <= min(res.scores[o].brier for o in ["model", *BASELINES])
                   for res in results)
        table.add_row(r, *[_fmt(_nanmean([res.scores[r].as_dict()[m] for res in results]))
                           for m in METRICS], f"{wins}/{len(results)}")
    return table


def _nanmean(values: list[float | None]) -> float:
    finite = [v for v in values if v is not None and not math.isnan(v)]
    return float(np.mean(finite)) if finite else float("nan")


SHORT = {"most_common": "a", "group_majority": "b", "bloc_leader": "c", "earlier_decision": "d",
         "always_yes": "e", "persistence": "f", "persistence_series": "g"}


def loo_table(default: list[CaseResult], in_sample: list[CaseResult], loo: list[CaseResult]) -> Table:
    """Per case: Brier / accuracy of the model with default, in-sample and leave-one-out weights
    beside each baseline, and which baselines beat the leave-one-out model (on Brier: B, on
    accuracy: acc)."""
    table = Table(title="LEAVE-ONE-CASE-OUT (LOO: weights fitted without the case) beside IN-SAMPLE "
                        "(fitted on all cases) and DEFAULT weights. Cells: Brier / accuracy. Baselines: "
                        "(a) most common, (b) UN-group majority, (c) bloc leader, (d) earlier decision, "
                        "(e) always yes, (f) persistence (the record, topic), (g) persistence (series first)",
                  title_justify="left")
    table.add_column("case", no_wrap=True)
    table.add_column("n", justify="right")
    for column in ("default", "in-sample", "LOO", *(f"({SHORT[b]})" for b in BASELINES)):
        table.add_column(column, justify="right", no_wrap=True)
    table.add_column("LOO loses to")
    for d, i, o in zip(default, in_sample, loo, strict=True):
        model = o.scores["model"]
        losses = " ".join(x for x in (_lost(b, d.scores[b], model) for b in BASELINES) if x)
        table.add_row(o.case.id, str(o.n), _cell(d.scores["model"]), _cell(i.scores["model"]),
                      f"[bold]{_cell(model)}[/bold]", *[_cell(d.scores[b]) for b in BASELINES],
                      losses or "-")
    return table


def _cell(s) -> str:
    return f"{s.brier:.3f} / {s.accuracy:.2f}"


def _lost(name: str, baseline, model) -> str:
    """``a(B,acc)``: the metrics on which a baseline beats the model ('' if none)."""
    lost = [k for k, beaten in (("B", baseline.brier < model.brier),
                                ("acc", baseline.accuracy > model.accuracy)) if beaten]
    return f"{SHORT[name]}({','.join(lost)})" if lost else ""


def record_table(report: dict[str, Any]) -> Table:
    """The rolling-origin backtest over the record: a row per topic and predictor."""
    table = Table(title=f"ROLLING ORIGIN over the record: {report['roll_calls']} roll calls since "
                        f"{report['since']}, each predicted from the record before its date "
                        f"(model: {report['runs']} runs each). Scores pooled over states.",
                  title_justify="left")
    for column in ("topic", "roll calls", "votes", "predictor"):
        table.add_column(column, justify="left" if column in ("topic", "predictor") else "right")
    for m in ("accuracy", "brier", "macro_f1", "resist_recall", "resist_precision"):
        table.add_column(LABELS[m], justify="right")
    rows = [*report["by_topic"].items(), ("ALL", report["all"])]
    for topic, entry in rows:
        for k, name in enumerate(("model", "persistence", "persistence_series", "always_yes")):
            if name not in entry:
                continue
            scores = entry[name]
            table.add_row(topic if k == 0 else "", str(entry["n_roll_calls"]) if k == 0 else "",
                          str(entry["n_votes"]) if k == 0 else "", name,
                          *[_fmt(scores[m]) for m in ("accuracy", "brier", "macro_f1",
                                                      "resist_recall", "resist_precision")],
                          end_section=name == "always_yes")
    return table


def print_results(results: list[CaseResult], console: Console, label: str) -> None:
    for result in results:
        console.print(case_table(result))
    console.print(mean_table(results, f"{label}: mean over {len(results)} cases"))


def write_json(results: list[CaseResult], path: Path) -> Path:
    write_atomic(path, json.dumps(validation_json(results), indent=2) + "\n")
    return path


def loo_json(default: list[CaseResult], in_sample: list[CaseResult], loo: list[CaseResult],
             behaviours: dict[str, Any]) -> dict[str, Any]:
    """``loo.json``: per case the validation.json entry of the LOO model, plus the in-sample and
    default model's scores and the weights each fold fitted."""
    out = []
    for d, i, o in zip(default, in_sample, loo, strict=True):
        entry = o.as_dict()
        entry["baselines"] = {b: d.scores[b].as_dict() for b in BASELINES}
        entry["in_sample"] = i.scores["model"].as_dict()
        entry["default"] = d.scores["model"].as_dict()
        entry["behaviour"] = behaviours.get(o.case.id, {})
        out.append(entry)
    return {"cases": out}




def plot_validation(results: list[CaseResult], path: str | Path, predictor: str = "model") -> Path:
    """One panel per case: the predicted probability of each state's recorded stance, states
    sorted by UN regional group (labelled below), points coloured by what the state did.

    Returns:
        The path written.
    """
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D

    cols = 2
    rows = math.ceil(len(results) / cols) or 1
    fig = Figure(figsize=(13, 2.6 * rows), layout="constrained")
    axes = fig.subplots(rows, cols, squeeze=False).ravel()
    for ax, r in zip(axes, results, strict=False):
        p = r.probs[predictor][np.arange(r.n), r.recorded] if r.n else np.zeros(0)
        x = np.arange(r.n)
        ax.scatter(x, p, s=10, c=[STANCE_COLOURS[Stance(int(s))] for s in r.recorded])
        ax.axhline(0.5, color="#999", lw=0.6, ls="--")
        for k, g in enumerate(r.groups):
            if k == 0 or g != r.groups[k - 1]:
                ax.axvline(k - 0.5, color="#ccc", lw=0.6)
                ax.text(k, 0.04, g, fontsize=7, color="#666", va="bottom",
                        transform=ax.get_xaxis_transform())
        if r.n <= 40:
            ax.set_xticks(x, r.iso3, rotation=90, fontsize=6)
        else:
            ax.set_xticks([])
        s = r.scores[predictor]
        ax.set_title(f"{r.case.id} (n={r.n}): acc {s.accuracy:.2f}, Brier {s.brier:.3f}", fontsize=8)
        ax.set_ylim(-0.03, 1.03)
        ax.set_ylabel("P(recorded)", fontsize=7)
    for ax in axes[len(results):]:
        ax.set_visible(False)
    handles = [Line2D([], [], marker="o", ls="", color=c, label=s.word) for s, c in STANCE_COLOURS.items()]
    fig.legend(handles=handles, loc="outside lower center", ncols=len(handles), fontsize=8,
               title="recorded stance", title_fontsize=8)
    save_figure(fig, path, dpi=110)
    return Path(path)
