"""Sensitivity of a sweep's outcomes to its parameters (SALib), and ``plenary analyze``.

SALib's workflow is ``sample -> evaluate -> analyze``; the sweep did the first two
(``sim.batch.sweep.sample_matrix`` rebuilds the very sample from the spec in the manifest), this module
does the third. Each outcome is averaged over a point's replicates, then:

- ``sobol`` sweeps get first-order and total Sobol indices (Saltelli 2002; Jansen 1999);
- ``morris`` sweeps get elementary effects, mu* and sigma (Morris 1991; Campolongo et al. 2007);
- ``lhs`` and ``random`` sweeps get Borgonovo's moment-independent delta and first-order S1
  (Plischke et al. 2013), which work on any sample; an outcome whose density cannot be estimated
  (nearly constant, or constant within a slice of a parameter: a singular kernel density) gets
  PAWN's median Kolmogorov-Smirnov statistic instead (Pianosi and Wagener 2015), which needs
  only distribution functions;
- ``grid`` sweeps get no indices (the heatmap and PRIM still apply).

:func:`analyze_sweep` writes all of ``plenary analyze``'s tables and plots into ``DIR/analysis/``.
"""

from __future__ import annotations

import contextlib
import io
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sim.batch.outputs import save_figure, subfolder, write_atomic
from sim.batch.store import read_manifest, read_results
from sim.batch.sweep import SweepSpec, problem_of, sample_matrix
from sim.errors import Problem, ScenarioError

#: Outcome suffixes that are one number per run (the sensitivity, heatmap and PRIM inputs).
SCALAR_OUTCOMES = ("adopted", "endorsements", "yes", "no", "abstain", "objectors")
#: SALib's analyzers take a seed for their bootstrap; 0 would fall back to the global RNG in
#: SALib's ``sobol.analyze`` (``if seed:``), so the seed is derived and never 0.
ANALYZE_SEED = 20_230_215


def analyze_sweep(out: str | Path, threshold: float | None = None) -> list[Path]:
    """Write sensitivity indices, ensemble bands, adoption heatmaps and PRIM boxes of a sweep.

    Args:
        out: a sweep's results folder (``plenary sweep --out``).
        threshold: the endorsements the heatmap and PRIM look for (default: adoption where it
            varies, else the median endorsements; ``analysis.discovery.forum_target``).

    Returns:
        The files written, all under ``out/analysis/``.
    """
    from analysis.discovery import write_prim
    from analysis.ensemble import write_bands, write_heatmap

    out = Path(out)
    manifest = read_manifest(out)
    runs = read_results(out)
    spec = spec_in_file_order(manifest, runs)
    if len(runs) != manifest["runs"]:
        raise ScenarioError([Problem(str(out), 0, "", f"the sweep is not finished ({len(runs)} of "
                                     f"{manifest['runs']} runs): finish it with --resume first")])
    _check_design(spec, runs, out)
    folder = subfolder(out, "analysis")  # refused when a link: its files would go elsewhere
    written = write_sensitivity(spec, runs, folder)
    written += write_bands(runs, folder)
    written += write_heatmap(spec, runs, folder, threshold)
    written += write_prim(spec, runs, folder, threshold)
    return written


def spec_in_file_order(manifest: dict, runs: pd.DataFrame) -> SweepSpec:
    """The sweep's spec with its parameters in the sweep file's order, as the design was drawn.

    The manifest's JSON sorts its keys, so its ``spec.parameters`` come alphabetically; the
    order is in ``parameter_order`` (or, in a manifest of an earlier version, in the order of
    the runs' columns). A sampler draws column k for the k-th parameter: the sample rebuilt in
    another order would pair each parameter with another's values.
    """
    spec = SweepSpec.model_validate(manifest["spec"])
    order = manifest.get("parameter_order") or [c for c in runs.columns if c in spec.parameters]
    if sorted(order) != sorted(spec.parameters):
        return spec
    return spec.model_copy(update={"parameters": {k: spec.parameters[k] for k in order}})


def _check_design(spec: SweepSpec, runs: pd.DataFrame, out: Path) -> None:
    """Refuse to analyse runs whose parameter values are not the design rebuilt from the spec."""
    if spec.method == "grid" or runs.empty:
        return
    from sim.batch.sweep import points

    expected = pd.DataFrame(points(spec))
    values = runs.groupby("point")[list(spec.parameters)].first().sort_index()
    if len(values) != len(expected) or not np.allclose(values.to_numpy(dtype=float),
                                                         expected.to_numpy(dtype=float)):
        raise ScenarioError([Problem(str(out), 0, "", "the runs' parameter values are not the design "
                                     "of the manifest's spec: this folder was not made by this sweep")])


def outcome_columns(runs: pd.DataFrame) -> list[str]:
    """The columns holding one number per run, e.g. ``reaim_summit.adopted``."""
    return [c for c in runs.columns if c.rsplit(".", 1)[-1] in SCALAR_OUTCOMES and "." in c]


def indices(spec: SweepSpec, runs: pd.DataFrame) -> pd.DataFrame:
    """Sensitivity indices of every outcome that varies: one row per outcome, parameter and index.

    Returns:
        Columns ``outcome``, ``parameter``, ``index`` (``S1``, ``ST``, ``mu_star``, ``sigma``,
        ``delta``, ``pawn``), ``value`` and ``conf`` (95% bootstrap half-width; NaN where SALib
        gives none).
    """
    from SALib.analyze import morris, sobol

    if spec.method == "grid":
        return pd.DataFrame(columns=["outcome", "parameter", "index", "value", "conf"])
    problem = problem_of(spec)
    x = sample_matrix(spec)
    means = runs.groupby("point").mean(numeric_only=True).sort_index()
    rows = []
    for outcome in outcome_columns(runs):
        y = means[outcome].to_numpy(dtype=float)
        if np.ptp(y) == 0:
            continue  # the outcome never changes: no variance to apportion
        with quiet():  # SALib warns when a resample happens to be constant
            if spec.method == "sobol":
                res = sobol.analyze(problem, y, calc_second_order=spec.second_order, seed=ANALYZE_SEED)
                pairs = {"S1": ("S1", "S1_conf"), "ST": ("ST", "ST_conf")}
            elif spec.method == "morris":
                res = morris.analyze(problem, x, y, num_levels=spec.morris_levels, seed=ANALYZE_SEED)
                pairs = {"mu_star": ("mu_star", "mu_star_conf"), "sigma": ("sigma", None)}
            else:
                res, pairs = any_sample_indices(problem, x, y)
        for k, name in enumerate(problem["names"]):
            for index, (value, conf) in pairs.items():
                rows.append({"outcome": outcome, "parameter": name, "index": index,
                             "value": float(res[value][k]),
                             "conf": float(res[conf][k]) if conf else np.nan})
    return pd.DataFrame(rows, columns=["outcome", "parameter", "index", "value", "conf"])


def any_sample_indices(problem: dict, x: np.ndarray, y: np.ndarray) -> tuple[dict, dict]:
    """Indices for a sample of any design (``lhs``, ``random``): Borgonovo's delta and S1, else
    PAWN where the density estimate behind delta is singular.

    Returns:
        SALib's result and, per index name, the keys of its value and confidence in the result.

    Example:
        >>> problem = {"num_vars": 2, "names": ["a", "b"], "bounds": [[0, 1], [0, 1]]}
        >>> x = np.random.default_rng(1).random((32, 2))
        >>> sorted(any_sample_indices(problem, x, (x[:, 0] > 0.9).astype(float))[1])  # nearly constant
        ['pawn']
    """
    from SALib.analyze import delta, pawn

    with quiet():
        try:
            res = delta.analyze(problem, x, y, seed=ANALYZE_SEED)
        except (np.linalg.LinAlgError, ValueError):  # "Singular matrix": no density to compare
            slices = max(2, min(10, len(y) // 8))
            return pawn.analyze(problem, x, y, S=slices, seed=ANALYZE_SEED), {"pawn": ("median", None)}
    # SALib 1.6 names the classic (unbalanced) estimate delta_raw; earlier: delta
    key = "delta" if "delta" in res else "delta_raw"
    return res, {"delta": (key, f"{key}_conf"), "S1": ("S1", "S1_conf")}


@contextlib.contextmanager
def quiet():
    """SALib's analyzers print notices (bins merged, bias) and warn even when warnings are
    ignored (its delta sets ``simplefilter("once")`` and replaces ``warnings.formatwarning`` for
    the whole program): keep all of it out, and put the formatter back."""
    formatter = warnings.formatwarning
    try:
        with warnings.catch_warnings(record=True), contextlib.redirect_stdout(io.StringIO()), \
                contextlib.redirect_stderr(io.StringIO()):
            warnings.simplefilter("ignore")
            yield
    finally:
        warnings.formatwarning = formatter


def write_sensitivity(spec: SweepSpec, runs: pd.DataFrame, folder: Path) -> list[Path]:
    """``sensitivity.csv`` and a bar chart ``sensitivity.png`` (a panel per outcome)."""
    table = indices(spec, runs)
    csv = folder / "sensitivity.csv"
    write_atomic(csv, table.to_csv(None, index=False, float_format="%.6g", lineterminator="\n"))
    if table.empty:
        return [csv]
    outcomes = list(dict.fromkeys(table["outcome"]))
    names = list(spec.parameters)
    kinds = list(dict.fromkeys(table["index"]))
    cols = min(3, len(outcomes))
    rows = -(-len(outcomes) // cols)
    fig = Figure(figsize=(4.2 * cols, 2.8 * rows), layout="constrained")
    for i, outcome in enumerate(outcomes):
        ax = fig.add_subplot(rows, cols, i + 1)
        part = table[table["outcome"] == outcome]
        width = 0.8 / len(kinds)
        for j, kind in enumerate(kinds):
            sel = part[part["index"] == kind].set_index("parameter").reindex(names)
            pos = np.arange(len(names)) + (j - (len(kinds) - 1) / 2) * width
            ax.bar(pos, sel["value"], width, yerr=sel["conf"].fillna(0), label=kind, capsize=2)
        ax.set_xticks(np.arange(len(names)), [n.rsplit(".", 1)[-1] for n in names], fontsize=8)
        ax.set_title(outcome, fontsize=9)
        ax.axhline(0, color="grey", lw=0.5)
    fig.axes[0].legend(fontsize=8)
    fig.suptitle(f"{spec.name}: {spec.method} sensitivity (mean over {spec.replicates} seeds a point)")
    png = folder / "sensitivity.png"
    save_figure(fig, png, dpi=110)
    return [csv, png]
