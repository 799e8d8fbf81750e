"""`plenary world`: the roster summary a diplomat reads first."""

from analysis.cli import main


def test_world_prints_group_counts_missing_data_and_draws_the_network(tmp_path, capsys):
    assert main(["world", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "195 states" in out
    assert "│ NATO        │      32 │" in out
    assert "milex_usd_m" in out
    assert (tmp_path / "network.png").stat().st_size > 10_000


def test_world_for_one_group_as_of_a_date(tmp_path, capsys):
    assert main(["world", "--group", "NATO", "--as-of", "2021-10-22", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "group NATO as of 2021-10-22: 30 states" in out
    assert "FIN" not in out


def test_world_refuses_an_unknown_group_with_a_hint(tmp_path, capsys):
    assert main(["world", "--group", "NATOO", "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("--group: group: 'NATOO' is not a known group (did you mean 'NATO'?)")
    assert not (tmp_path / "network.png").exists()


def test_world_refuses_a_bad_date(tmp_path, capsys):
    assert main(["world", "--as-of", "2021-13-01", "--out", str(tmp_path)]) == 2
    assert "not a date" in capsys.readouterr().err
