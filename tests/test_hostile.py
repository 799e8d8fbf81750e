"""Hostile input (issue 21): odd rather than mistaken input gets one clean line per problem and exit
status 2, before any run and with nothing written to --out; never a traceback, never a hang."""

from __future__ import annotations

from sim.cli import main
from sim.paths import PROJECT_ROOT

S = str(PROJECT_ROOT / "scenarios" / "reaim_2023.yaml")


def cli(capsys, *argv: str) -> tuple[int, list[str], str]:
    """Run ``plenary ARGV`` in this process: (exit status, stderr's lines, stdout)."""
    status = main(list(argv))
    captured = capsys.readouterr()
    return status, captured.err.splitlines(), captured.out


def user_error(capsys, *argv: str) -> str:
    """The one line a user error prints (asserting exit status 2 and no other line)."""
    status, err, _ = cli(capsys, *argv)
    assert status == 2, err
    assert len(err) == 1, err
    return err[0]


def test_a_seed_past_32_bits_draws_the_plots(capsys, tmp_path):
    # networkx's spring layout seeds numpy's legacy generator (0 to 2**32 - 1); every seed of
    # the demo sweep is larger, and reproducing a sweep's row crashed after summary.json
    out = tmp_path / "run"
    status, err, _ = cli(capsys, "run", S, "--seed", str(2**32), "--out", str(out))
    assert status == 0, err
    assert {p.name for p in out.iterdir()} >= {"summary.json", "network.png", "coalitions.png"}
