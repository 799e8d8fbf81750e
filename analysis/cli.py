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

from analysis.terminal import console as terminal
from analysis.terminal import name_column, print_table
from sim.errors import Problem, ScenarioError

EXIT_USER_ERROR = 2


#: the commands whose --out is a folder (schema's and calibrate's name a file)
OUT_FOLDERS = {"run", "world", "sweep", "validate", "compare", "plan", "start", "landscape"}
#: the commands whose --out names a file
OUT_FILES = {"schema", "calibrate"}
#: the commands that run the model (the first of them on a machine compiles the kernels)
RUNS_MODELS = {"run", "sweep", "compare", "plan", "explain", "validate", "calibrate", "serve",
               "play"}


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``plenary`` console script; returns the exit status."""
    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return EXIT_USER_ERROR
    if args.command in RUNS_MODELS:
        from sim.engine.fastround import compiling_ahead

        if compiling_ahead():
            print("plenary: compiling the simulation kernels, once on this machine "
                  "(about half a minute; later runs load them from disk)", file=sys.stderr)
    try:
        if args.command in OUT_FOLDERS:
            from sim.batch.outputs import check_out_folder

            if args.command == "compare" and args.out is None:  # like run's out/NAME
                from sim.batch.outputs import default_out

                args.out = default_out(args.scenario, suffix="_compare")
            args.out = check_out_folder(getattr(args, "out", None))
        if args.command in OUT_FILES:
            from sim.batch.outputs import check_out_file

            args.out = check_out_file(getattr(args, "out", None))
        return int(args.handler(args) or 0)
    except ScenarioError as exc:
        for problem in exc.problems:
            print(str(problem), file=sys.stderr)
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except OSError as exc:  # the file system failed under a run (a disk full): one line, no traceback
        if exc.filename is None:
            raise
        from sim.batch.outputs import os_problem

        print(str(os_problem(exc)), file=sys.stderr)
        return 1


def _iso_date(text: str):
    """argparse type: a YYYY-MM-DD date."""
    from datetime import date

    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="plenary",
        description="Simulate multilateral negotiations on AI governance: who signs, who blocks.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    run = sub.add_parser("run", help="run one scenario and write its summary, time series and plots")
    run.add_argument("scenario", type=Path, help="scenario YAML file")
    run.add_argument("--seed", type=int, default=None, help="seed (default: the scenario's seed)")
    run.add_argument("--out", type=str, default=None, help="output folder (default: out/NAME)")
    _add_overrides(run, ", e.g. --set behaviour.noise=0.3")
    run.add_argument("--no-plots", action="store_true", help="write summary and time series only")
    run.add_argument("--runs", type=int, default=None, metavar="N",
                     help="an ensemble: N runs on seeds SEED..SEED+N-1, printing the probability of "
                          "each outcome and writing each state's probability of each stance "
                          "(ensemble.csv, ensemble_outcomes.csv)")
    run.add_argument("--workers", type=int, default=None,
                     help="--runs: processes (default: the CPUs; the results do not depend on it)")
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
    world.add_argument("--out", type=str, default=Path("out/world"),
                       help="folder for network.png (default: out/world)")
    world.set_defaults(handler=_from_analysis("world"))

    serve = sub.add_parser("serve", help="the interactive dashboard in the browser (SolaraViz)")
    serve.add_argument("scenario", type=Path, help="scenario YAML file")
    serve.add_argument("--port", type=int, default=8765, help="port on 127.0.0.1 (default 8765)")
    serve.set_defaults(handler=_cmd_serve)

    play = sub.add_parser("play", help="negotiate as one delegation against the model, round by "
                                       "round, in the browser (then a debrief)")
    play.add_argument("scenario", type=Path, help="scenario YAML file")
    play.add_argument("--as", dest="as_", required=True, metavar="ISO3",
                      help="the delegation: a sponsor or any member of a forum")
    play.add_argument("--for", dest="lobby", default=None, metavar="TEXT",
                      help="a member that sponsors no text: the text it lobbies for (default: "
                           "the first decided in a forum it sits in)")
    play.add_argument("--seed", type=int, default=None, help="seed (default: the scenario's seed)")
    play.add_argument("--port", type=int, default=8765, help="port on 127.0.0.1 (default 8765)")
    play.add_argument("--budget", type=float, default=10.0,
                      help="demarches for capacity building in the game (default: 10)")
    play.add_argument("--replay", type=Path, default=None, metavar="GAME.json",
                      help="replay a saved game (no browser): check it, print its debrief")
    play.add_argument("--runs", type=int, default=10, help="--replay: seeds of the debrief (default: 10)")
    play.add_argument("--no-plan", action="store_true", help="--replay: skip the planner's search")
    play.set_defaults(handler=_cmd_play)

    check = sub.add_parser("check", help="validate scenario files without running them")
    check.add_argument("scenarios", type=Path, nargs="+")
    check.set_defaults(handler=_cmd_check)

    sweep = sub.add_parser("sweep", help="run a sweep of many runs into Parquet files")
    sweep.add_argument("sweep", type=Path, help="sweep YAML file")
    sweep.add_argument("--out", type=str, required=True, help="results folder")
    sweep.add_argument("--executor", choices=("local", "dask"), default="local",
                       help="local: a process pool (default); dask: dask.distributed")
    sweep.add_argument("--scheduler", default=None, metavar="ADDRESS",
                       help="a Dask scheduler, e.g. tcp://HOST:8786 (default: a LocalCluster)")
    sweep.add_argument("--workers", type=int, default=None,
                       help="worker processes (default: the CPUs available)")
    sweep.add_argument("--resume", action="store_true", help="continue a sweep killed part-way")
    sweep.set_defaults(handler=_from_analysis("sweep"))

    analyze = sub.add_parser("analyze", help="sensitivity, ensemble bands, heatmap and PRIM of a sweep")
    analyze.add_argument("dir", type=Path, help="a sweep's results folder")
    analyze.add_argument("--threshold", type=float, default=None, metavar="N",
                         help="heatmap and PRIM: look for runs with at least N endorsements "
                              "(default: adoption, or the median endorsements where every run "
                              "adopts or none does)")
    analyze.set_defaults(handler=_from_analysis("analyze"))

    validate = sub.add_parser("validate", help="backtest against real votes and endorsements, "
                                               "beside simple baselines")
    validate.add_argument("cases", type=Path, nargs="?", default=None,
                          help="case file (default: scenarios/cases/cases.yaml, shipped)")
    validate.add_argument("--runs", type=int, default=50,
                          help="seeds per case (default: 50; with fewer the most likely stance "
                               "of a close call is left to chance)")
    validate.add_argument("--out", type=str, default=None,
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
    validate.add_argument("--record", action="store_true",
                          help="instead of a case file: predict every roll call of the bundled "
                               "record since --since from the record before it (rolling origin)")
    validate.add_argument("--since", type=_iso_date, default=None, metavar="YYYY-MM-DD",
                          help="--record: the first date predicted (default: 2019-09-01)")
    validate.set_defaults(handler=_from_analysis("validate"))

    calibrate = sub.add_parser("calibrate", help="fit behaviour weights to real cases (mean Brier score)")
    calibrate.add_argument("cases", type=Path, nargs="?", default=None,
                           help="case file (default: scenarios/cases/cases.yaml, shipped)")
    calibrate.add_argument("--out", type=Path, required=True,
                           help="YAML to write (a behaviour: mapping scenarios can extends:)")
    calibrate.add_argument("--runs", type=int, default=8, help="seeds per case and evaluation (default: 8)")
    calibrate.add_argument("--budget", type=int, default=60, help="evaluations (default: 60)")
    calibrate.add_argument("--seed", type=int, default=0, help="seed of the Latin hypercube (default: 0)")
    calibrate.add_argument("--workers", type=int, default=None, help="processes (default: the CPUs)")
    calibrate.set_defaults(handler=_from_analysis("calibrate"))

    compare = sub.add_parser("compare", help="compare strategies on common random numbers")
    compare.add_argument("scenario", type=Path, help="scenario YAML file")
    compare.add_argument("--strategy", dest="strategies", type=Path, action="append", required=True,
                         metavar="FILE", help="strategy YAML, or 'own' for the scenario's own "
                              "strategies (repeat; the first is the reference)")
    compare.add_argument("--runs", type=int, default=200, help="runs per strategy (default: 200)")
    compare.add_argument("--out", type=str, default=None,
                         help="output folder (default: out/NAME_compare)")
    compare.add_argument("--seed", type=int, default=None,
                         help="run k uses seed SEED + k (default: the scenario's seed)")
    compare.add_argument("--workers", type=int, default=None, help="processes (default: the CPUs)")
    compare.add_argument("--court", type=int, default=0, metavar="K",
                         help="whom to court: re-run the K members per forum that resist the "
                              "text (blockers first) as won over, ranked by the measured change "
                              "(default: 0, skip)")
    compare.add_argument("--court-runs", type=int, default=40, help="runs per courted state (default: 40)")
    _add_overrides(compare)
    compare.set_defaults(handler=_from_analysis("compare"))

    plan = sub.add_parser("plan", help="search for the campaign that does best in a forum, "
                                       "reported on fresh seeds beside the scenario's own")
    plan.add_argument("scenario", type=Path, help="scenario YAML file")
    plan.add_argument("--forum", required=True, help="the forum whose decision is the objective")
    plan.add_argument("--text", default=None,
                      help="the text to campaign for (default: the forum's first)")
    plan.add_argument("--objective", choices=("endorsements", "adoption"), default="endorsements",
                      help="mean endorsements, or P(adopt) with ties broken by endorsements "
                           "(default: endorsements)")
    plan.add_argument("--budget", type=float, default=10.0,
                      help="demarches and capacity building before the forums open, in demarches "
                           "(default: 10)")
    plan.add_argument("--max-concession", type=float, default=0.3,
                      help="the most the text may move toward the hold-outs in all (0: no "
                           "concessions; default: 0.3)")
    plan.add_argument("--runs", type=int, default=20, help="search seeds per candidate (default: 20)")
    plan.add_argument("--trials", type=int, default=100, help="candidates to try (default: 100)")
    plan.add_argument("--fresh", type=int, default=200,
                      help="fresh seeds for the winner and the scenario's own (default: 200)")
    plan.add_argument("--seed", type=int, default=None,
                      help="search seeds SEED.., fresh seeds after them (default: the scenario's)")
    plan.add_argument("--workers", type=int, default=None, help="processes (default: the CPUs)")
    plan.add_argument("--out", type=Path, required=True, help="output folder")
    _add_overrides(plan)
    plan.set_defaults(handler=_from_analysis("plan"))

    start = sub.add_parser("start", help="a scenario's starting state per member and where each "
                                         "value came from (record, statement, group, default)")
    start.add_argument("scenario", type=Path, help="scenario YAML file")
    start.add_argument("--state", dest="states", action="append", default=[], metavar="ISO3",
                       help="only this state (repeatable; default: every state)")
    _add_overrides(start)
    start.add_argument("--out", type=str, default=None, help="also write start.csv into this folder")
    start.set_defaults(handler=_from_analysis("start"))

    explain = sub.add_parser("explain", help="split a state's utility into the model's terms at "
                                             "each decision")
    explain.add_argument("scenario", type=Path, help="scenario YAML file")
    explain.add_argument("--state", required=True, metavar="ISO3", help="the state, e.g. CHN")
    explain.add_argument("--forum", default=None, metavar="ID",
                         help="one forum (default: every forum the state sits in)")
    explain.add_argument("--seed", type=int, default=None, help="seed (default: the scenario's seed)")
    _add_overrides(explain)
    explain.set_defaults(handler=_from_analysis("explain"))

    landscape = sub.add_parser("landscape", help="the two camps the states would fall into (Axelrod and "
                                                 "Bennett's landscape theory), at round 0")
    landscape.add_argument("scenario", type=Path, help="scenario YAML file")
    landscape.add_argument("--seed", type=int, default=None,
                           help="seed of the model and of the random starts (default: the scenario's)")
    landscape.add_argument("--out", type=str, default=None, help="folder for landscape.json")
    landscape.add_argument("--top", type=int, default=3, help="minima to show (default: 3)")
    landscape.add_argument("--starts", type=int, default=1000,
                           help="random starts above 20 states (default: 1000)")
    landscape.add_argument("--tie-share", type=float, default=0.5,
                           help="weight of ties against policy closeness in the propensities (default: 0.5)")
    landscape.set_defaults(handler=_from_analysis("landscape"))
    return parser


def _from_analysis(name: str):
    """The handler ``analysis.commands.<name>``, imported when the command runs."""

    def handler(args: argparse.Namespace) -> int:
        from analysis import commands

        return getattr(commands, name)(args)

    return handler


def _add_overrides(parser: argparse.ArgumentParser, example: str = "") -> None:
    """``--set KEY=VALUE`` (repeatable): override a scenario value."""
    parser.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                        help=f"override a scenario value{example} (repeatable)")


def _cmd_run(args: argparse.Namespace) -> int:
    from sim.batch.outputs import default_out
    from sim.batch.run import run_scenario, write_run
    from sim.format.loading import load_scenario

    if args.seed is not None and args.seed < 0:
        raise ScenarioError([Problem("--seed", 0, "seed", f"must be >= 0, got {args.seed}")])
    for name in ("runs", "workers"):
        value = getattr(args, name)
        if value is not None and value < 1:
            raise ScenarioError([Problem(f"--{name}", 0, name, f"must be >= 1, got {value}")])
    out = args.out or default_out(args.scenario)  # checked before the run
    scenario = load_scenario(args.scenario, args.overrides)
    if args.runs is not None:
        from analysis.commands import run_ensemble

        return run_ensemble(scenario, args, out)
    result = run_scenario(scenario, seed=args.seed)
    written = write_run(result, out)
    if not args.no_plots:
        from analysis.plots import (
            plot_coalition_sizes,
            plot_coalitions,
            plot_endorsements,
            plot_network,
        )

        written.append(plot_endorsements(result, out / "endorsements.png"))
        written.append(plot_network(result, out / "network.png"))
        written.append(plot_coalitions(result, out / "coalitions.png"))
        written.append(plot_coalition_sizes(result, out / "coalition_sizes.png"))
        from analysis.boundaries import INSTALL_HINT, boundaries_file

        if boundaries_file() is not None:
            from analysis.worldmap import plot_map

            written.append(plot_map(result, out / "map.png"))
        else:
            print(f"plenary: no map.png: {INSTALL_HINT}", file=sys.stderr)
    from analysis.run_ensemble import SPREAD_RUNS, run_ensemble, stance_table

    # one run is one draw: how often each member resisted over runs from the same seed (this
    # run the first of them) says whether a resister is the model's view or the draw's chance
    spread = stance_table(run_ensemble(scenario, SPREAD_RUNS, result.summary["seed"]))
    _print_summary(result.summary, scenario, spread)
    console = Console(stderr=False)
    console.print(f"wrote {', '.join(str(p) for p in written)}", highlight=False, soft_wrap=True)
    return 0


def _print_summary(summary: dict, scenario=None, spread=None) -> None:
    table = Table(title=f"{summary['scenario']}: seed {summary['seed']}, {summary['rounds']} rounds, "
                        f"{summary['states']} states")
    name_column(table, "forum", [f["id"] for f in summary["forums"]])
    name_column(table, "rule", [f["rule"] for f in summary["forums"]])
    for column in ("round", "adopted", "endorse", "no", "abstain", "absent"):
        table.add_column(column, justify="left" if column == "adopted" else "right",
                         min_width=len(column), no_wrap=True)
    table.add_column("objectors")
    for f in summary["forums"]:
        objectors = f["objectors"]
        shown = ", ".join(objectors[:6]) + (f" +{len(objectors) - 6}" if len(objectors) > 6 else "")
        table.add_row(f["id"], f["rule"], str(f["decided_round"]), "yes" if f["adopted"] else "no",
                      f"{f['endorsements']}/{f['members']}", str(f["no"]), str(f["abstain"]),
                      str(f.get("absent", 0)), shown or "-")
    console = terminal()
    print_table(table, console)
    lines = _resister_lines(summary, spread) + _coalition_lines(summary) + _real_lines(summary, scenario)
    for line in lines:
        console.print(line, highlight=False)


def _real_lines(summary: dict, scenario) -> list[str]:
    """What really happened, for the forums that model a real decision (``real_outcome``)."""
    if scenario is None:
        return []
    lines = []
    for f in summary["forums"]:
        real = scenario.forum(f.get("forum", f["id"])).real_outcome
        if real:
            simulated = "adopted" if f["adopted"] else "not adopted"
            lines.append(f"{f['id']}: simulated {simulated}, {f['endorsements']} endorsing; "
                         f"in reality {real}")
    return lines


def _resister_lines(summary: dict, spread=None) -> list[str]:
    """Who did not say yes, forum by forum (the first question a diplomat asks). With ``spread``
    (``analysis.run_ensemble.stance_table`` of runs from this run's seed), each resister shows
    the share of those runs in which it did not endorse, and the members that resisted in most
    of them follow."""
    lines = []
    for f in summary["forums"]:
        share = {}
        if spread is not None:
            rows = spread[spread["forum"] == f["id"]]
            share = dict(zip(rows["iso3"], 1.0 - rows["p_endorse"], strict=True))
        said = [(word, f.get(key) or []) for word, key in
                (("no", "opposers"), ("abstain", "abstainers"), ("object", "objectors"))]
        said = [f"{word}: {_names([_with_share(c, share) for c in codes], 12)}"
                for word, codes in said if codes]
        if said:
            lines.append(f"{f['id']}: " + "; ".join(said))
        likely = sorted((-v, c) for c, v in share.items() if v >= 0.5)
        if likely and f["rule"] != "open_endorsement":  # at a summit, most never come
            from analysis.run_ensemble import SPREAD_RUNS, likeliest_other

            mostly = {row.iso3: likeliest_other(row) for row in rows.itertuples()}
            lines.append(f"{f['id']}: did not say yes in most of the {SPREAD_RUNS} runs from "
                         "this seed: " + _names([f"{c} {-v:.0%} (mostly {_word(mostly[c])})"
                                                 for v, c in likely], 12))
    return lines


def _word(stance: str) -> str:
    """A stance other than yes, as a report says it (undecided: took no part)."""
    return {"oppose": "no", "undecided": "absent"}.get(stance, stance)


def _with_share(code: str, share: dict[str, float]) -> str:
    """A resister's code, with the share of runs it resisted in (chance: under a fifth)."""
    if code not in share:
        return code
    return f"{code} ({share[code]:.0%} of runs{', chance' if share[code] < 0.2 else ''})"


def _names(codes: list[str], shown: int = 6) -> str:
    return ", ".join(codes[:shown]) + (f" +{len(codes) - shown}" if len(codes) > shown else "")


def _coalition_lines(summary: dict) -> list[str]:
    """Coalitions of forums with rival texts, and for every text what would reverse its outcome."""
    lines = []
    for forum, coalitions in summary.get("coalitions", {}).items():
        if len(coalitions) > 1:
            lines.append(f"coalitions in {forum}: " + " | ".join(
                f"{c['proposal']} {c['size']} (led by {_names(c['leaders'], 3) or 'nobody'})"
                for c in coalitions))
    for forum, blocks in summary.get("blocking", {}).items():
        for b in blocks:
            where = forum if len(blocks) == 1 else f"{forum}/{b['proposal']}"
            if b["adopted"] and b["defeating_set"]:
                lines.append(f"{where}: adopted; {len(b['defeating_set'])} switching against would "
                             f"defeat it ({_names(b['defeating_set'])})")
            elif not b["adopted"] and b["to_win"]:
                lines.append(f"{where}: not adopted; win over {len(b['to_win'])} to adopt it "
                             f"({_names(b['to_win'])})")
    return lines


def _cmd_schema(args: argparse.Namespace) -> int:
    from sim.format.scenario import write_schema

    print(f"wrote {write_schema(args.out)}")
    return 0


def _cmd_check(args: argparse.Namespace) -> int:
    from sim.format.loading import load_scenario

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



def _cmd_serve(args: argparse.Namespace) -> int:
    from analysis.serving import check_port, serve_dashboard
    from sim.format.loading import load_scenario

    load_scenario(args.scenario)  # mistakes are reported here, before a server starts
    check_port(args.port)
    return serve_dashboard({"PLENARY_SCENARIO": str(args.scenario.resolve())}, args.port,
                           f"Plenary dashboard on http://127.0.0.1:{args.port}/ (Ctrl-C stops it)")


def _cmd_play(args: argparse.Namespace) -> int:
    from analysis.play_cli import play

    return play(args)


if __name__ == "__main__":
    sys.exit(main())
