"""The ``plenary`` command line: the one place that turns errors into exit codes and lines.

User mistakes (:class:`~sim.errors.ScenarioError`) print one ``FILE:LINE: field: message`` line
each on stderr and exit with status 2, before anything is written. Plotting is imported only
inside the commands that draw, so the engine stays importable without matplotlib's machinery.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from rich.console import Console
from rich.table import Table

from sim.errors import Problem, ScenarioError

EXIT_USER_ERROR = 2


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``plenary`` console script; returns the exit status."""
    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return EXIT_USER_ERROR
    try:
        return int(args.handler(args) or 0)
    except ScenarioError as exc:
        for problem in exc.problems:
            print(str(problem), file=sys.stderr)
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="plenary",
        description="Simulate multilateral negotiations on AI governance: who signs, who blocks.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    run = sub.add_parser("run", help="run one scenario and write its summary, time series and plots")
    run.add_argument("scenario", type=Path, help="scenario YAML file")
    run.add_argument("--seed", type=int, default=None, help="seed (default: the scenario's seed)")
    run.add_argument("--out", type=Path, default=None, help="output folder (default: out/NAME)")
    run.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                     help="override a scenario value, e.g. --set behaviour.noise=0.3 (repeatable)")
    run.add_argument("--no-plots", action="store_true", help="write summary and time series only")
    run.set_defaults(handler=_cmd_run)

    schema = sub.add_parser("schema", help="write the scenario JSON Schema for editors")
    schema.add_argument("--out", type=Path, default=None,
                        help="file (default: scenarios/scenario.schema.json)")
    schema.set_defaults(handler=_cmd_schema)

    world = sub.add_parser("world", help="summarise the roster: groups, missing data, network")
    world.add_argument("--group", default=None, help="only this group's members, e.g. NATO, AU, WEOG")
    world.add_argument("--as-of", default=None, metavar="YYYY-MM-DD",
                       help="memberships and stated positions as of this date")
    world.add_argument("--roster", type=Path, default=None,
                       help="states CSV (default: scenarios/data/states.csv)")
    world.add_argument("--out", type=Path, default=Path("out/world"),
                       help="folder for network.png (default: out/world)")
    world.set_defaults(handler=_cmd_world)

    serve = sub.add_parser("serve", help="the interactive dashboard in the browser (SolaraViz)")
    serve.add_argument("scenario", type=Path, help="scenario YAML file")
    serve.add_argument("--port", type=int, default=8765, help="port on 127.0.0.1 (default 8765)")
    serve.set_defaults(handler=_cmd_serve)

    check = sub.add_parser("check", help="validate scenario files without running them")
    check.add_argument("scenarios", type=Path, nargs="+")
    check.set_defaults(handler=_cmd_check)

    sweep = sub.add_parser("sweep", help="run a sweep of many runs into Parquet files")
    sweep.add_argument("sweep", type=Path, help="sweep YAML file")
    sweep.add_argument("--out", type=Path, required=True, help="results folder")
    sweep.add_argument("--executor", choices=("local", "dask"), default="local",
                       help="local: a process pool (default); dask: dask.distributed")
    sweep.add_argument("--scheduler", default=None, metavar="ADDRESS",
                       help="a Dask scheduler, e.g. tcp://HOST:8786 (default: a LocalCluster)")
    sweep.add_argument("--workers", type=int, default=None,
                       help="worker processes (default: the CPUs available)")
    sweep.add_argument("--resume", action="store_true", help="continue a sweep killed part-way")
    sweep.set_defaults(handler=_cmd_sweep)

    analyze = sub.add_parser("analyze", help="sensitivity, ensemble bands, heatmap and PRIM of a sweep")
    analyze.add_argument("dir", type=Path, help="a sweep's results folder")
    analyze.set_defaults(handler=_cmd_analyze)

    validate = sub.add_parser("validate", help="backtest against real votes and endorsements, "
                                               "beside simple baselines")
    validate.add_argument("cases", type=Path, nargs="?", default=None,
                          help="case file (default: ../shared/validation/cases.yaml beside the repository)")
    validate.add_argument("--runs", type=int, default=20, help="seeds per case (default: 20)")
    validate.add_argument("--out", type=Path, default=None,
                          help="folder for validation.json and validation.png")
    validate.add_argument("--behaviour", type=Path, default=None, metavar="FILE",
                          help="a YAML with a behaviour: mapping (e.g. written by plenary calibrate)")
    validate.add_argument("--loo", action="store_true",
                          help="also fit the weights leaving each case out, and predict it")
    validate.add_argument("--budget", type=int, default=40,
                          help="--loo: evaluations per calibration (default: 40)")
    validate.add_argument("--fit-runs", type=int, default=8,
                          help="--loo: seeds per case while fitting (default: 8)")
    validate.add_argument("--workers", type=int, default=None, help="processes (default: the CPUs)")
    validate.set_defaults(handler=_cmd_validate)

    calibrate = sub.add_parser("calibrate", help="fit behaviour weights to real cases (mean Brier score)")
    calibrate.add_argument("cases", type=Path, help="case file, e.g. ../shared/validation/cases.yaml")
    calibrate.add_argument("--out", type=Path, required=True,
                           help="YAML to write (a behaviour: mapping scenarios can extends:)")
    calibrate.add_argument("--runs", type=int, default=8, help="seeds per case and evaluation (default: 8)")
    calibrate.add_argument("--budget", type=int, default=60, help="evaluations (default: 60)")
    calibrate.add_argument("--seed", type=int, default=0, help="seed of the Latin hypercube (default: 0)")
    calibrate.add_argument("--workers", type=int, default=None, help="processes (default: the CPUs)")
    calibrate.set_defaults(handler=_cmd_calibrate)

    compare = sub.add_parser("compare", help="compare strategies on common random numbers")
    compare.add_argument("scenario", type=Path, help="scenario YAML file")
    compare.add_argument("--strategy", dest="strategies", type=Path, action="append", required=True,
                         metavar="FILE", help="strategy YAML (repeat; the first is the reference)")
    compare.add_argument("--runs", type=int, default=200, help="runs per strategy (default: 200)")
    compare.add_argument("--out", type=Path, required=True, help="output folder")
    compare.add_argument("--seed", type=int, default=None,
                         help="run k uses seed SEED + k (default: the scenario's seed)")
    compare.add_argument("--workers", type=int, default=None, help="processes (default: the CPUs)")
    compare.add_argument("--court", type=int, default=0, metavar="K",
                         help="whom to court: re-run the K members per forum closest to "
                              "indifference as sponsors (default: 0, skip)")
    compare.add_argument("--court-runs", type=int, default=40, help="runs per courted state (default: 40)")
    compare.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                         help="override a scenario value (repeatable)")
    compare.set_defaults(handler=_cmd_compare)

    explain = sub.add_parser("explain", help="split a state's utility into the model's terms at "
                                             "each decision")
    explain.add_argument("scenario", type=Path, help="scenario YAML file")
    explain.add_argument("--state", required=True, metavar="ISO3", help="the state, e.g. CHN")
    explain.add_argument("--forum", default=None, metavar="ID",
                         help="one forum (default: every forum the state sits in)")
    explain.add_argument("--seed", type=int, default=None, help="seed (default: the scenario's seed)")
    explain.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                         help="override a scenario value (repeatable)")
    explain.set_defaults(handler=_cmd_explain)
    return parser


def _cmd_run(args: argparse.Namespace) -> int:
    from sim.run import run_scenario, write_run
    from sim.scenario import load_scenario

    if args.seed is not None and args.seed < 0:
        raise ScenarioError([Problem("--seed", 0, "seed", f"must be >= 0, got {args.seed}")])
    scenario = load_scenario(args.scenario, args.overrides)
    result = run_scenario(scenario, seed=args.seed)
    out = args.out or Path("out") / args.scenario.stem
    written = write_run(result, out)
    if not args.no_plots:
        from analysis.plots import plot_endorsements, plot_network

        written.append(plot_endorsements(result, out / "endorsements.png"))
        written.append(plot_network(result, out / "network.png"))
    _print_summary(result.summary)
    console = Console(stderr=False)
    console.print(f"wrote {', '.join(str(p) for p in written)}", highlight=False)
    return 0


def _print_summary(summary: dict) -> None:
    table = Table(title=f"{summary['scenario']}: seed {summary['seed']}, {summary['rounds']} rounds, "
                        f"{summary['states']} states")
    for column in ("forum", "rule", "round", "adopted", "endorse", "no", "abstain", "objectors"):
        table.add_column(column, justify="right" if column in ("round", "endorse", "no", "abstain")
                         else "left")
    for f in summary["forums"]:
        objectors = f["objectors"]
        shown = ", ".join(objectors[:6]) + (f" +{len(objectors) - 6}" if len(objectors) > 6 else "")
        table.add_row(f["id"], f["rule"], str(f["decided_round"]), "yes" if f["adopted"] else "no",
                      f"{f['endorsements']}/{f['members']}", str(f["no"]), str(f["abstain"]),
                      shown or "-")
    Console(width=120).print(table)


def _cmd_schema(args: argparse.Namespace) -> int:
    from sim.scenario import write_schema

    print(f"wrote {write_schema(args.out)}")
    return 0


def _cmd_check(args: argparse.Namespace) -> int:
    from sim.scenario import load_scenario

    problems: list[Problem] = []
    for path in args.scenarios:
        try:
            load_scenario(path)
            print(f"{path}: ok")
        except ScenarioError as exc:
            problems += exc.problems
    if problems:
        raise ScenarioError(problems)
    return 0



def _cmd_world(args: argparse.Namespace) -> int:
    import difflib
    from datetime import date

    from analysis.roster import group_rows, world_report
    from sim.paths import DATA_DIR
    from sim.world import load_roster

    roster_path = args.roster or DATA_DIR / "states.csv"
    if not roster_path.exists():
        raise ScenarioError([Problem(str(roster_path), 0, "--roster", "file not found")])
    try:
        as_of = date.fromisoformat(args.as_of) if args.as_of else None
    except ValueError:
        raise ScenarioError([Problem("--as-of", 0, "as_of", f"not a date (YYYY-MM-DD): "
                                                            f"{args.as_of!r}")]) from None
    if args.group and args.group not in load_roster(roster_path, as_of).groups:
        known = list(load_roster(roster_path, as_of).groups)
        hint = difflib.get_close_matches(args.group, known, n=1)
        extra = f" (did you mean {hint[0]!r}?)" if hint else ""
        raise ScenarioError([Problem("--group", 0, "group", f"{args.group!r} is not a known "
                                                            f"group{extra}; groups: {', '.join(known)}")])
    report = world_report(roster_path, args.group, as_of)
    console = Console(width=120)
    scope = f"group {args.group}" if args.group else "the roster"
    when = f" as of {as_of}" if as_of else ""
    console.print(f"{scope}{when}: {len(report.iso3)} states", highlight=False)
    groups = Table()
    groups.add_column("group")
    groups.add_column("members", justify="right")
    for g, n in group_rows(report):
        groups.add_row(g, str(n))
    console.print(groups)
    gaps = Table(title="missing data (filled explicitly: see sim/profiles.py)")
    gaps.add_column("column")
    gaps.add_column("missing", justify="right")
    gaps.add_column("states")
    for col, codes in report.missing.items():
        shown = ", ".join(codes[:12]) + (f" +{len(codes) - 12}" if len(codes) > 12 else "")
        gaps.add_row(col, str(len(codes)), shown or "-")
    gaps.add_row("stated positions", str(len(report.iso3) - len(report.with_positions)),
                 "states with no sourced statement keep the scenario's values")
    console.print(gaps)
    if args.group:
        members = Table(title=f"members of {args.group}")
        for column in ("iso3", "name", "UN group", "capability", "stated position"):
            members.add_column(column, justify="right" if column == "capability" else "left")
        for c in report.iso3:
            members.add_row(c, report.names[c], report.un_group[c], f"{report.capability[c]:.2f}",
                            "yes" if c in report.with_positions else "-")
        console.print(members)
    from analysis.plots import plot_world

    args.out.mkdir(parents=True, exist_ok=True)
    path = plot_world(report, args.out / "network.png", title=f"Ties among {scope}{when}")
    console.print(f"wrote {path}", highlight=False)
    return 0


def _cmd_sweep(args: argparse.Namespace) -> int:
    from sim.executors import run_sweep
    from sim.sweep import load_sweep

    if args.workers is not None and args.workers < 1:
        raise ScenarioError([Problem("--workers", 0, "workers", f"must be >= 1, got {args.workers}")])
    if args.scheduler and args.executor != "dask":
        raise ScenarioError([Problem("--scheduler", 0, "scheduler", "needs --executor dask")])
    sweep = load_sweep(args.sweep)
    run_sweep(sweep, args.out, executor=args.executor, workers=args.workers,
              scheduler=args.scheduler, resume=args.resume)
    return 0


def _cmd_analyze(args: argparse.Namespace) -> int:
    from analysis.sensitivity import analyze_sweep

    for path in analyze_sweep(args.dir):
        print(f"wrote {path}")
    return 0


def _positive(name: str, value: int | None, low: int = 1) -> None:
    if value is not None and value < low:
        raise ScenarioError([Problem(f"--{name}", 0, name.replace("-", "_"),
                                     f"must be >= {low}, got {value}")])


def _cmd_validate(args: argparse.Namespace) -> int:
    from analysis.cases import DEFAULT_CASES, load_behaviour, load_cases
    from analysis.validation import backtest
    from analysis.validation_report import print_results, write_json

    for name in ("runs", "budget", "fit-runs", "workers"):
        _positive(name, getattr(args, name.replace("-", "_")))
    path = args.cases or DEFAULT_CASES
    if not path.exists():
        raise ScenarioError([Problem(str(path), 0, "", "case file not found" + (
            "" if args.cases else " (the default: ../shared/validation/cases.yaml beside the "
                                  "repository); give one: plenary validate CASES.yaml"))])
    cases = load_cases(path)
    behaviour = load_behaviour(args.behaviour) if args.behaviour else None
    console = Console(width=140)
    results = backtest(cases, behaviour, args.runs)
    label = f"model with {args.behaviour}" if args.behaviour else "model with the default weights"
    print_results(results, console, label)
    loo = _leave_one_out(args, cases, results, console) if args.loo else None
    if args.out:
        from analysis.validation_report import plot_validation

        args.out.mkdir(parents=True, exist_ok=True)
        written = [write_json(results, args.out / "validation.json"),
                   plot_validation(results, args.out / "validation.png")]
        if loo is not None:
            import json

            (args.out / "loo.json").write_text(json.dumps(loo, indent=2) + "\n", encoding="utf-8")
            written.append(args.out / "loo.json")
        console.print(f"wrote {', '.join(str(p) for p in written)}", highlight=False)
    return 0


def _leave_one_out(args: argparse.Namespace, cases, default, console: Console) -> dict:
    from rich.progress import Progress

    from analysis.calibration import leave_one_out
    from analysis.validation import backtest_case
    from analysis.validation_report import loo_json, loo_table, print_results

    scored = [r.case for r in default]
    points = max(7, args.budget // 2)
    with Progress(console=Console(stderr=True), transient=True) as progress:
        bar = progress.add_task("leave-one-out calibration", total=points + len(scored) + 1)
        full, folds = leave_one_out(scored, runs=args.fit_runs, budget=args.budget, workers=args.workers,
                                    advance=lambda: progress.advance(bar))
    in_sample = [backtest_case(c, cases, full.behaviour, args.runs) for c in scored]
    held_out = [backtest_case(c, cases, folds[c.id].behaviour, args.runs) for c in scored]
    print_results(in_sample, console, f"IN-SAMPLE model (fitted on all {len(scored)} cases)")
    Console(width=190).print(loo_table(default, in_sample, held_out))
    behaviours = {c: f.behaviour for c, f in folds.items()}
    return {**loo_json(default, in_sample, held_out, behaviours), "in_sample_behaviour": full.behaviour}


def _cmd_calibrate(args: argparse.Namespace) -> int:
    from rich.progress import Progress

    from analysis.calibration import NAMES, calibrate, write_calibration
    from analysis.cases import load_cases
    from analysis.validation import recorded_stances

    for name in ("runs", "workers"):
        _positive(name, getattr(args, name))
    _positive("budget", args.budget, len(NAMES) + 2)
    cases = [c for c in load_cases(args.cases) if recorded_stances(c)]
    points = max(len(NAMES) + 1, args.budget // 2)
    with Progress(console=Console(stderr=True)) as progress:
        bar = progress.add_task(f"calibrating on {len(cases)} cases", total=points + 1)
        fitted = calibrate(cases, runs=args.runs, budget=args.budget, seed=args.seed, workers=args.workers,
                           advance=lambda: progress.advance(bar))
    path = write_calibration(fitted, args.out, source=str(args.cases))
    table = Table(title=f"fitted weights: mean Brier {fitted.brier:.4f}, {fitted.evaluations} evaluations")
    table.add_column("weight")
    table.add_column("value", justify="right")
    for k, v in fitted.behaviour.items():
        table.add_row(k, f"{v:.4f}")
    Console(width=120).print(table)
    print(f"wrote {path}")
    return 0


def _cmd_compare(args: argparse.Namespace) -> int:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from analysis.compare import compare_strategies, default_workers
    from analysis.compare_report import print_comparison, write_comparison
    from analysis.strategies import apply_strategy, load_strategy_file
    from sim.scenario import load_scenario

    for name in ("runs", "workers", "court-runs"):
        _positive(name, getattr(args, name.replace("-", "_")))
    _positive("court", args.court, 0)
    _positive("seed", args.seed, 0)
    scenario = load_scenario(args.scenario, args.overrides)
    problems: list[Problem] = []
    strategies = []
    for path in args.strategies:
        try:
            strategy = load_strategy_file(path)
            apply_strategy(scenario, strategy)  # every mistake is found before any run
            strategies.append(strategy)
        except ScenarioError as exc:
            problems += exc.problems
    if problems:
        raise ScenarioError(problems)
    seed = scenario.seed if args.seed is None else args.seed
    workers = args.workers or default_workers()
    console = Console(stderr=True)
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TimeRemainingColumn(), console=console, disable=not console.is_terminal) as progress:
        bar = progress.add_task(f"{len(strategies)} strategies x {args.runs} runs",
                                total=len(strategies) * args.runs)
        comparison = compare_strategies(
            scenario, strategies, runs=args.runs, seed=seed, workers=workers, court=args.court,
            court_runs=args.court_runs, advance=lambda n: progress.advance(bar, n),
            on_court=lambda n: progress.update(bar, total=progress.tasks[0].total + n))
    print_comparison(comparison, Console(width=160))
    written = write_comparison(comparison, args.out)
    print(f"wrote {', '.join(str(p) for p in written)}")
    return 0


def _cmd_explain(args: argparse.Namespace) -> int:
    from analysis.explain import explain_state, print_explanation
    from sim.scenario import load_scenario

    _positive("seed", args.seed, 0)
    scenario = load_scenario(args.scenario, args.overrides)
    decisions = explain_state(scenario, args.state, forum=args.forum, seed=args.seed)
    console = Console(width=140)
    seed = scenario.seed if args.seed is None else args.seed
    console.print(f"{scenario.name}, seed {seed}: {args.state.upper()} at {len(decisions)} decision(s); "
                  "utility of endorsing = the sum of the terms (agents/state.py)", highlight=False)
    print_explanation(decisions, console)
    return 0


def _cmd_serve(args: argparse.Namespace) -> int:
    import os
    import subprocess

    from sim.paths import PROJECT_ROOT
    from sim.scenario import load_scenario

    load_scenario(args.scenario)  # mistakes are reported here, before a server starts
    if not 0 < args.port < 65536:
        raise ScenarioError([Problem("--port", 0, "port", f"not a port number: {args.port}")])
    env = {**os.environ, "PLENARY_SCENARIO": str(args.scenario.resolve())}
    app = PROJECT_ROOT / "analysis" / "dashboard_app.py"
    solara = Path(sys.executable).with_name("solara")
    print(f"Plenary dashboard on http://127.0.0.1:{args.port}/ (Ctrl-C stops it)", flush=True)
    return subprocess.call([str(solara), "run", str(app), "--host", "127.0.0.1", "--port",
                            str(args.port), "--production", "--no-open"], env=env)


if __name__ == "__main__":
    sys.exit(main())
