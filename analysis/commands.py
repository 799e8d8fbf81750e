"""Handlers of the `plenary` commands that summarise data, run batches and analyse them.

``analysis/cli.py`` defines the arguments and turns errors into exit codes; it calls these functions
(imported on first use, so `plenary run` does not load the analysis stack). Each takes the parsed
arguments and returns the exit status; user mistakes are raised as
:class:`~sim.errors.ScenarioError`.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.console import Console
from rich.table import Table

from analysis.terminal import console as terminal
from analysis.terminal import name_column, print_table
from sim.batch.outputs import write_atomic
from sim.errors import Problem, ScenarioError


def world(args: argparse.Namespace) -> int:
    import difflib
    from datetime import date

    from analysis.roster import group_rows, world_report
    from sim.paths import DATA_DIR
    from sim.world.roster import load_roster

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
    console = terminal(120)
    scope = f"group {args.group}" if args.group else "the roster"
    when = f" as of {as_of}" if as_of else ""
    console.print(f"{scope}{when}: {len(report.iso3)} states", highlight=False)
    groups = Table()
    groups.add_column("group")
    groups.add_column("members", justify="right")
    for g, n in group_rows(report):
        groups.add_row(g, str(n))
    console.print(groups)
    gaps = Table(title="missing data (filled explicitly: see sim/world/profiles.py)")
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


def sweep(args: argparse.Namespace) -> int:
    from sim.batch.executors import run_sweep
    from sim.batch.sweep import load_sweep

    if args.workers is not None and args.workers < 1:
        raise ScenarioError([Problem("--workers", 0, "workers", f"must be >= 1, got {args.workers}")])
    if args.scheduler and args.executor != "dask":
        raise ScenarioError([Problem("--scheduler", 0, "scheduler", "needs --executor dask")])
    sweep = load_sweep(args.sweep)
    run_sweep(sweep, args.out, executor=args.executor, workers=args.workers,
              scheduler=args.scheduler, resume=args.resume)
    return 0


def run_ensemble(scenario, args: argparse.Namespace, out: Path) -> int:
    """``plenary run --runs N``: outcome probabilities per forum, each state's stances in a CSV."""
    from rich.progress import Progress

    from analysis import run_ensemble as ensembles
    from analysis.compare import default_workers

    seed = scenario.seed if args.seed is None else args.seed
    workers = args.workers or min(default_workers(), max(1, args.runs // 10))
    with Progress(console=Console(stderr=True), transient=True) as progress:
        bar = progress.add_task(f"{args.runs} runs", total=args.runs)
        e = ensembles.run_ensemble(scenario, args.runs, seed, workers,
                                   advance=lambda n: progress.advance(bar, n))
    written = ensembles.write_ensemble(e, out)
    console = terminal()
    table = Table(title=f"{scenario.name}: {args.runs} runs, seeds {seed}-{seed + args.runs - 1}, "
                        f"{len(e.iso3)} states")
    name_column(table, "forum", [track.id for track in e.tracks])
    name_column(table, "rule", [track.rule for track in e.tracks])
    table.add_column("P(adopted) [95%]", justify="right")
    table.add_column("endorsements [95%]", justify="right")
    for row in ensembles.outcome_table(e).itertuples():
        table.add_row(row.forum, row.rule,
                      f"{row.p_adopted:.0%} [{row.p_adopted_low:.0%}-{row.p_adopted_high:.0%}]",
                      f"{row.endorsements:.1f}/{row.members} "
                      f"[{_fmt(row.endorsements_low)}-{_fmt(row.endorsements_high)}]")
    print_table(table, console)
    for k, track in enumerate(e.tracks):
        doubtful = ensembles.likely_resisters(e, k)
        if doubtful:
            console.print(f"{track.id}, least likely to endorse: {', '.join(doubtful)}",
                          highlight=False)
        if track.real_outcome:
            console.print(f"{track.id}, in reality: {track.real_outcome}", highlight=False)
    console.print(f"wrote {', '.join(str(p) for p in written)} (each state's probability of each "
                  "stance, per forum)", highlight=False, soft_wrap=True)
    return 0


def _fmt(value: float) -> str:
    return "-" if value != value else f"{value:.1f}"  # NaN: a single run has no interval


def analyze(args: argparse.Namespace) -> int:
    from analysis.sensitivity import analyze_sweep

    for path in analyze_sweep(args.dir, args.threshold):
        print(f"wrote {path}")
    return 0


def _positive(name: str, value: int | None, low: int = 1) -> None:
    if value is not None and value < low:
        raise ScenarioError([Problem(f"--{name}", 0, name.replace("-", "_"),
                                     f"must be >= {low}, got {value}")])


def _case_file(given: Path | None, command: str) -> Path:
    """The case file a backtest reads: the one given, else the one shipped in the repository."""
    from analysis.cases import DEFAULT_CASES

    path = given or DEFAULT_CASES
    if not path.exists():
        raise ScenarioError([Problem(str(path), 0, "", "case file not found" + (
            "" if given else " (the default: scenarios/cases/cases.yaml in the "
                             f"repository); give one: plenary {command} CASES.yaml"))])
    return path


def validate(args: argparse.Namespace) -> int:
    from analysis.cases import OUTSIDE_ROSTER, load_behaviour, load_cases, region_of
    from analysis.validation import backtest
    from analysis.validation_report import print_results, write_json

    for name in ("runs", "budget", "fit-runs", "workers"):
        _positive(name, getattr(args, name.replace("-", "_")))
    if args.record:
        return _validate_record(args)
    cases = load_cases(_case_file(args.cases, "validate"))
    behaviour = load_behaviour(args.behaviour) if args.behaviour else None
    console = terminal(140)
    for case in cases:
        if (region := region_of(case)) is not None:
            console.print(f"{case.id}: held in a regional forum ({case.forum}): decided by the "
                          f"members of {region}, on a text at their median ideal point",
                          highlight=False, soft_wrap=True)
        if case.outside:
            names = ", ".join(f"{c} ({OUTSIDE_ROSTER[c]})" for c in sorted(case.outside))
            console.print(f"{case.id}: not scored, outside Plenary's roster (the UN members and "
                          f"observers): {names}", highlight=False, soft_wrap=True)
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

            write_atomic((args.out / "loo.json"), json.dumps(loo, indent=2) + "\n")
            written.append(args.out / "loo.json")
        console.print(f"wrote {', '.join(str(p) for p in written)}", highlight=False, soft_wrap=True)
    return 0


def _validate_record(args: argparse.Namespace) -> int:
    """``plenary validate --record``: the rolling-origin backtest over the bundled record."""
    import json

    from rich.progress import Progress

    from analysis.cases import load_behaviour
    from analysis.record_backtest import SINCE, backtest_record, record_cases
    from analysis.validation_report import record_table

    since = args.since or SINCE
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
    total = len(record_cases(since))
    if not total:
        raise ScenarioError([Problem("--since", 0, "", f"no roll call of the record on or after {since}")])
    with Progress(console=Console(stderr=True), transient=True) as progress:
        bar = progress.add_task(f"{total} roll calls, each from the record before it", total=total)
        behaviour = load_behaviour(args.behaviour) if args.behaviour else None
        report = backtest_record(args.runs, since, advance=lambda: progress.advance(bar),
                                 behaviour=behaviour)
    console = terminal(140)
    console.print(record_table(report))
    if args.out:
        path = args.out / "record_backtest.json"
        write_atomic(path, json.dumps(report, indent=2) + "\n")
        console.print(f"wrote {path}", highlight=False, soft_wrap=True)
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
    terminal(190).print(loo_table(default, in_sample, held_out))
    behaviours = {c: f.behaviour for c, f in folds.items()}
    return {**loo_json(default, in_sample, held_out, behaviours), "in_sample_behaviour": full.behaviour}


def calibrate(args: argparse.Namespace) -> int:
    from rich.progress import Progress

    from analysis.calibration import NAMES, calibrate, write_calibration
    from analysis.cases import load_cases
    from analysis.validation import recorded_stances

    for name in ("runs", "workers"):
        _positive(name, getattr(args, name))
    _positive("budget", args.budget, len(NAMES) + 2)
    path = _case_file(args.cases, "calibrate")
    cases = [c for c in load_cases(path) if recorded_stances(c)]
    points = max(len(NAMES) + 1, args.budget // 2)
    with Progress(console=Console(stderr=True)) as progress:
        bar = progress.add_task(f"calibrating on {len(cases)} cases", total=points + 1)
        fitted = calibrate(cases, runs=args.runs, budget=args.budget, seed=args.seed, workers=args.workers,
                           advance=lambda: progress.advance(bar))
    path = write_calibration(fitted, args.out, source=str(path))
    table = Table(title=f"fitted weights: mean Brier {fitted.brier:.4f}, {fitted.evaluations} evaluations")
    table.add_column("weight")
    table.add_column("value", justify="right")
    for k, v in fitted.behaviour.items():
        table.add_row(k, f"{v:.4f}")
    terminal(120).print(table)
    print(f"wrote {path}")
    return 0


def compare(args: argparse.Namespace) -> int:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from analysis.compare import compare_strategies, default_workers
    from analysis.compare_report import print_comparison, write_comparison
    from analysis.strategies import apply_strategy, load_strategy
    from sim.format.loading import load_scenario

    for name in ("runs", "workers", "court-runs"):
        _positive(name, getattr(args, name.replace("-", "_")))
    _positive("court", args.court, 0)
    _positive("seed", args.seed, 0)
    scenario = load_scenario(args.scenario, args.overrides)
    problems: list[Problem] = []
    strategies = []
    for path in args.strategies:
        try:
            strategy = load_strategy(path, scenario)
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
    print_comparison(comparison, terminal(160))
    written = write_comparison(comparison, args.out)
    print(f"wrote {', '.join(str(p) for p in written)}")
    return 0


def plan(args: argparse.Namespace) -> int:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from analysis.compare import default_workers
    from analysis.plan_report import print_plan, write_plan
    from analysis.planner import find_target, plan_campaign
    from sim.format.loading import load_scenario

    for name in ("runs", "trials", "fresh", "workers"):
        _positive(name, getattr(args, name))
    _positive("seed", args.seed, 0)
    if not (0.0 <= args.budget <= 1000.0):
        raise ScenarioError([Problem("--budget", 0, "budget",
                                     f"must be between 0 and 1000 demarches, got {args.budget:g}")])
    if not (0.0 <= args.max_concession <= 1.0):
        raise ScenarioError([Problem("--max-concession", 0, "max_concession",
                                     f"must be between 0 and 1, got {args.max_concession:g}")])
    scenario = load_scenario(args.scenario, args.overrides)
    find_target(scenario, args.forum, args.text)  # a wrong forum or text is found before any run
    workers = args.workers or default_workers()
    total = args.runs * (args.trials + 1) + 2 * args.fresh
    console = Console(stderr=True)
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TimeRemainingColumn(), console=console, disable=not console.is_terminal) as progress:
        bar = progress.add_task(f"{args.trials} campaigns x {args.runs} runs, then {args.fresh} "
                                "fresh", total=total)
        result = plan_campaign(scenario, args.forum, args.text, args.objective, args.budget,
                               args.runs, args.trials, args.fresh, args.seed, workers,
                               args.max_concession, advance=lambda n: progress.advance(bar, n))
    print_plan(result, terminal(120))
    written = write_plan(result, args.out)
    print(f"wrote {', '.join(str(p) for p in written)}")
    return 0


def start(args: argparse.Namespace) -> int:
    import csv
    import io

    from analysis.starting import starting_states
    from sim.engine.setting import setting_of
    from sim.format.loading import load_scenario

    scenario = load_scenario(args.scenario, args.overrides)
    world = setting_of(scenario).world
    unknown = [c for c in args.states if c.upper() not in world.index]
    if unknown:
        raise ScenarioError([Problem("--state", 0, "state", f"{c!r} is not in the scenario's world")
                             for c in unknown])
    rows = starting_states(scenario, [c.upper() for c in args.states] or None)
    dims = scenario.dimension_names()
    forums = list(rows[0].leaning) if rows else []
    table = Table(title=f"{scenario.name}: starting state of {len(rows)} states "
                        f"(as of {scenario.world.as_of or 'today'}; record: {scenario.world.record})",
                  title_justify="left")
    for column in ("state", *dims, "salience", "capability", "ideal from", *forums):
        table.add_column(column, justify="right" if column in (*dims, "salience", "capability")
                         else "left", no_wrap=column == "state")
    for r in rows:
        table.add_row(r.iso3, *[f"{r.ideal[d]:.2f}" for d in dims], f"{r.salience:.2f}",
                      f"{r.capability:.2f}", r.source, *[r.leaning[f] for f in forums])
    console = terminal(max(120, 60 + 30 * len(forums)))
    console.print(table)
    if forums:
        console.print("leaning: what the record says each state will do in that forum (its "
                      "disposition, agents/disposition.py); 'no record': the model's own values",
                      highlight=False)
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
        path = args.out / "start.csv"
        text = io.StringIO(newline="")
        w = csv.writer(text)
        w.writerow(["iso3", *dims, "salience", "capability", "ideal_from", *forums])
        for r in rows:
            w.writerow([r.iso3, *[round(r.ideal[d], 6) for d in dims], round(r.salience, 6),
                        round(r.capability, 6), r.source, *[r.leaning[f] for f in forums]])
        write_atomic(path, text.getvalue())
        console.print(f"wrote {path}", highlight=False)
    return 0


def explain(args: argparse.Namespace) -> int:
    from analysis.explain import explain_state, print_explanation
    from sim.format.loading import load_scenario

    _positive("seed", args.seed, 0)
    scenario = load_scenario(args.scenario, args.overrides)
    decisions = explain_state(scenario, args.state, forum=args.forum, seed=args.seed)
    console = terminal(140)
    seed = scenario.seed if args.seed is None else args.seed
    console.print(f"{scenario.name}, seed {seed}: {args.state.upper()} at {len(decisions)} decision(s); "
                  "utility of endorsing = the sum of the terms (agents/state.py)", highlight=False)
    print_explanation(decisions, console)
    return 0


def landscape(args: argparse.Namespace) -> int:
    import json
    import time

    from analysis.landscape import EXHAUSTIVE_LIMIT, minima, model_landscape_inputs, summary
    from sim.engine.model import NegotiationModel
    from sim.format.loading import load_scenario

    _positive("seed", args.seed, 0)
    _positive("top", args.top)
    _positive("starts", args.starts)
    if not 0.0 <= args.tie_share <= 1.0:
        raise ScenarioError([Problem("--tie-share", 0, "tie_share",
                                     f"must be between 0 and 1, got {args.tie_share}")])
    scenario = load_scenario(args.scenario)
    seed = scenario.seed if args.seed is None else args.seed
    started = time.perf_counter()
    model = NegotiationModel(scenario, seed=seed)
    sizes, propensity = model_landscape_inputs(model, args.tie_share)
    land = minima(sizes, propensity, starts=args.starts, seed=seed)
    seconds = time.perf_counter() - started
    rows = summary(land, model.world.iso3, sizes, args.top)
    search = (f"every one of the {land.starts} configurations" if land.exhaustive
              else f"{land.starts} random starts (seed {seed}; basins are shares of the starts)")
    console = terminal(120)
    console.print(f"{scenario.name}, seed {seed}: {model.n} states at round 0; sizes = capability, "
                  f"propensities = ties and policy closeness (tie share {args.tie_share:g}; "
                  "analysis/landscape.py)", highlight=False)
    console.print(f"steepest descent from {search}: {len(land.minima)} local minima, "
                  f"{seconds:.1f} s", highlight=False)
    for row in rows:
        console.print(f"\n#{row['rank']}  energy {row['energy']:.4g}  basin {row['basin']:.1%}",
                      highlight=False)
        share_a = row["size_share_a"]
        for label, camp, share in (("A", row["camp_a"], share_a), ("B", row["camp_b"], 1 - share_a)):
            states = f"{len(camp)} state{'' if len(camp) == 1 else 's'}"
            console.print(f"  camp {label} ({states}, {share:.0%} of capability): "
                          f"{' '.join(camp) or '-'}", highlight=False)
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
        path = args.out / "landscape.json"
        doc = {
            "scenario": scenario.name, "seed": seed, "states": model.n,
            "source": "Axelrod and Bennett (1993), A Landscape Theory of Aggregation, BJPS 23(2)",
            "energy": "E(X) = sum over ordered pairs i != j of s_i s_j p_ij d_ij(X)",
            "sizes": "capability / max capability",
            "propensities": "a_ij - mean affinity, a_ij = tie_share * ties_ij / max ties "
                            "+ (1 - tie_share) * (1 - policy distance)",
            "tie_share": args.tie_share,
            "search": "exhaustive" if land.exhaustive else "random_starts",
            "exhaustive_limit": EXHAUSTIVE_LIMIT, "starts": land.starts,
            "minima_found": len(land.minima), "minima": rows,
        }
        write_atomic(path, json.dumps(doc, indent=2) + "\n")
        console.print(f"\nwrote {path}", highlight=False)
    return 0
