"""A clone is self-contained: the backtests and the documents cite nothing outside the repository."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from sim.paths import PROJECT_ROOT


def tracked_files() -> list[str]:
    try:
        listed = subprocess.run(["git", "ls-files"], cwd=PROJECT_ROOT, capture_output=True, text=True,
                                check=True).stdout.splitlines()
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git checkout")
    return [name for name in listed if (PROJECT_ROOT / name).is_file()]


@pytest.fixture(scope="module")
def clone(tmp_path_factory):
    """The tracked files copied into an empty folder: nothing beside the repository."""
    root = tmp_path_factory.mktemp("alone") / "plenary"
    for name in tracked_files():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(PROJECT_ROOT / name, root / name)
    assert sorted(p.name for p in root.parent.iterdir()) == ["plenary"]
    return root


def plenary_in(root, *args: str) -> subprocess.CompletedProcess:
    """``plenary ARGS`` run from the code of ``root`` (not the installed checkout), in ``root``."""
    code = ("import sys, sim; assert sim.__file__.startswith(sys.argv[1]), sim.__file__; "
            "from analysis.cli import main; sys.exit(main(sys.argv[2:]))")
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run([sys.executable, "-c", code, str(root), *args], cwd=root, env=env,
                          capture_output=True, text=True, timeout=600)


def test_validate_runs_from_a_clone_with_nothing_beside_it(clone):
    done = plenary_in(clone, "validate", "--runs", "1", "--out", "out/validation")
    assert done.returncode == 0, done.stderr
    assert "reaim_2023_call_to_action" in done.stdout
    assert (clone / "out" / "validation" / "validation.json").exists()


def test_calibrate_reads_the_shipped_cases_by_default(clone):
    done = plenary_in(clone, "calibrate", "--out", "out/fitted.yaml", "--runs", "1", "--budget", "9",
                      "--workers", "1")
    assert done.returncode == 0, done.stderr
    assert "scenarios/cases/cases.yaml" in (clone / "out" / "fitted.yaml").read_text()


@pytest.mark.parametrize("outside", ["shared/seeds", "../shared", "PROJECT_ROOT.parent"])
def test_no_tracked_file_cites_a_path_outside_the_repository(outside):
    texts = [name for name in tracked_files() if not name.endswith((".csv", ".parquet", ".npz"))
             and name != "tests/test_clone.py"]
    citing = [name for name in texts
              if outside in (PROJECT_ROOT / name).read_text(encoding="utf-8", errors="replace")]
    assert not citing, f"{outside} in {citing}"
