"""Landscape theory of aggregation (Axelrod and Bennett 1993): energies, minima, basins, the command.

No published data set is reproduced here. The paper's two cases (17 European states in 1936, nine
Unix firms in 1988; the latter also in Axelrod, Mitchell, Thomas, Bennett and Bruderer 1995) need
the full size vectors and propensity matrices, and no copy of them could be traced to a source:
the input files of the authors' distribution disk (listed on Axelrod's "Complexity of Cooperation"
web pages) are not in any source we could search, and public reimplementations found either use
their own data (a simplified 1938 Europe) or another case. The tests below use worlds small
enough to check by hand instead, the paper's
own lemma (its footnote 2: with symmetric propensities an actor's switch changes the energy by
twice its size times the change in its frustration), and brute force over every configuration.
"""

from __future__ import annotations

import itertools
import json

import numpy as np
import pytest

from analysis.cli import main
from analysis.landscape import (
    energy,
    frustration,
    minima,
    model_landscape_inputs,
    propensities_from_world,
)
from sim.engine.model import NegotiationModel
from sim.format.loading import load_scenario
from sim.paths import PROJECT_ROOT

FIVE_STATES = PROJECT_ROOT / "tests/data/five_states.yaml"


def random_instance(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    p = rng.normal(size=(n, n))
    return rng.uniform(0.5, 2.0, n), (p + p.T) / 2


def two_blocs() -> np.ndarray:
    """Actors 0-2 like each other, 3-4 like each other, every cross pair dislikes."""
    p = -np.ones((5, 5))
    p[:3, :3] = 1.0
    p[3:, 3:] = 1.0
    return p


def canonical_local_minima(sizes: np.ndarray, p: np.ndarray) -> set[tuple[bool, ...]]:
    """Brute force: every configuration no single switch can lower, anchor (largest) in camp A."""
    n = len(sizes)
    anchor = int(np.argmax(sizes))
    found = set()
    for bits in itertools.product([False, True], repeat=n):
        config = np.array(bits)
        e = energy(config, sizes, p)
        neighbours = [energy(np.where(np.arange(n) == i, ~config, config), sizes, p) for i in range(n)]
        if min(neighbours) >= e - 1e-9:
            found.add(tuple(config == config[anchor]))
    return found


# -- the energy -----------------------------------------------------------------------------------


def test_energy_of_a_hand_checked_configuration():
    # sizes 1, 2, 3; p_01 = 1, p_02 = -1, p_12 = 0.5; actor 0 alone splits pairs 01 and 02:
    # s0 s1 p01 + s0 s2 p02 = 2 - 3 = -1 per order, -2 over ordered pairs (the paper's footnote 2)
    p = np.array([[0, 1, -1], [1, 0, 0.5], [-1, 0.5, 0]])
    assert energy(np.array([0, 1, 1]), np.array([1.0, 2.0, 3.0]), p) == pytest.approx(-2.0)
    assert energy(np.array([0, 0, 0]), np.array([1.0, 2.0, 3.0]), p) == 0.0


def test_energy_is_the_size_weighted_sum_of_frustrations():
    sizes, p = random_instance(7, seed=3)
    config = np.array([1, 0, 0, 1, 1, 0, 1])
    assert energy(config, sizes, p) == pytest.approx(sizes @ frustration(config, sizes, p))


def test_swapping_the_camps_changes_nothing():
    sizes, p = random_instance(9, seed=4)
    config = np.random.default_rng(0).random(9) < 0.5
    assert energy(config, sizes, p) == pytest.approx(energy(~config, sizes, p))
    assert energy(config.astype(int), sizes, p) == pytest.approx(energy(np.where(config, 1, -1), sizes, p))


def test_a_switch_changes_the_energy_by_twice_the_size_times_the_change_in_frustration():
    # Axelrod and Bennett (1993), footnote 2: with symmetric propensities an actor that lowers its
    # own frustration by switching lowers the energy of the whole system.
    sizes, p = random_instance(8, seed=5)
    config = np.random.default_rng(1).random(8) < 0.5
    for i in range(8):
        moved = config.copy()
        moved[i] = ~moved[i]
        d_energy = energy(moved, sizes, p) - energy(config, sizes, p)
        d_own = frustration(moved, sizes, p)[i] - frustration(config, sizes, p)[i]
        assert d_energy == pytest.approx(2 * sizes[i] * d_own)


def test_energies_of_a_batch_are_one_per_row():
    sizes, p = random_instance(5, seed=6)
    batch = np.array([[0, 1, 0, 1, 1], [1, 1, 1, 1, 1]])
    assert energy(batch, sizes, p) == pytest.approx([energy(batch[0], sizes, p), 0.0])


# -- the minima -----------------------------------------------------------------------------------


def test_two_blocs_that_dislike_each_other_end_in_two_camps_from_every_start():
    land = minima(np.ones(5), two_blocs())
    assert land.exhaustive and land.starts == 16
    [only] = land.minima
    assert only.camp.tolist() == [True, True, True, False, False]
    assert only.energy == pytest.approx(-12.0)  # 6 cross pairs, p = -1, counted in both orders
    assert only.basin == 1.0


def test_a_frustrated_triangle_has_three_minima_each_leaving_one_actor_alone():
    land = minima(np.ones(3), -np.ones((3, 3)))
    assert [m.camp.tolist() for m in land.minima] == [[True, False, False], [True, False, True],
                                                     [True, True, False]]
    assert [m.energy for m in land.minima] == [-4.0, -4.0, -4.0]
    # "all together" rolls to the first switch of the lowest index: actor 0 alone
    assert [m.basin for m in land.minima] == [0.5, 0.25, 0.25]


def test_the_largest_actor_anchors_camp_a():
    sizes = np.array([1.0, 1.0, 1.0, 5.0, 1.0])
    land = minima(sizes, two_blocs())
    assert land.anchor == 3
    assert land.minima[0].camp.tolist() == [False, False, False, True, True]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_every_local_minimum_is_found_and_every_one_found_is_local(seed):
    sizes, p = random_instance(8, seed)
    land = minima(sizes, p)
    assert {tuple(m.camp) for m in land.minima} == canonical_local_minima(sizes, p)
    assert sum(m.basin for m in land.minima) == pytest.approx(1.0)
    for m in land.minima:
        assert m.energy == pytest.approx(energy(m.camp, sizes, p))
    assert [m.energy for m in land.minima] == sorted(m.energy for m in land.minima)


@pytest.mark.parametrize("seed", [0, 1, 2, 3, 4])
def test_random_starts_find_the_global_minimum_of_the_exhaustive_search(seed):
    sizes, p = random_instance(12, seed)
    exact = minima(sizes, p)
    searched = minima(sizes, p, exhaustive_limit=0, starts=200, seed=seed)
    assert not searched.exhaustive and searched.starts == 200
    assert searched.minima[0].camp.tolist() == exact.minima[0].camp.tolist()
    assert searched.minima[0].energy == pytest.approx(exact.minima[0].energy)


def test_random_starts_estimate_the_exact_basins():
    sizes, p = random_instance(10, seed=7)
    exact = {tuple(m.camp): m.basin for m in minima(sizes, p).minima}
    sampled = {tuple(m.camp): m.basin for m in minima(sizes, p, exhaustive_limit=0, starts=20_000).minima}
    assert sampled.keys() <= exact.keys()
    for camp, basin in exact.items():
        assert sampled.get(camp, 0.0) == pytest.approx(basin, abs=0.02)


def test_the_search_is_deterministic_for_a_seed():
    sizes, p = random_instance(40, seed=8)
    first, again = (minima(sizes, p, starts=300, seed=11) for _ in range(2))
    assert [(m.camp.tolist(), m.energy, m.basin) for m in first.minima] == \
        [(m.camp.tolist(), m.energy, m.basin) for m in again.minima]


def test_a_single_actor_sits_alone_with_no_energy():
    [m] = minima(np.ones(1), np.zeros((1, 1))).minima
    assert m.camp.tolist() == [True] and m.energy == 0.0 and m.basin == 1.0


@pytest.mark.parametrize("sizes, p, message", [
    (np.ones(3), np.array([[0, 1, 0], [0, 0, 0], [0, 0, 0]]), "symmetric"),
    (np.array([1.0, -1.0]), np.zeros((2, 2)), ">= 0"),
    (np.ones(3), np.zeros((2, 2)), "shape"),
    (np.ones(2), np.array([[0, np.nan], [np.nan, 0]]), "finite"),
])
def test_bad_inputs_are_refused(sizes, p, message):
    with pytest.raises(ValueError, match=message):
        minima(sizes, p)


def test_at_least_one_start_is_needed():
    with pytest.raises(ValueError, match="starts"):
        minima(np.ones(3), np.zeros((3, 3)), exhaustive_limit=0, starts=0)


# -- propensities from a Plenary world ------------------------------------------------------------


def test_propensities_are_symmetric_centred_and_zero_on_the_diagonal():
    import scipy.sparse as sp

    rng = np.random.default_rng(9)
    t = rng.random((6, 6)) * (rng.random((6, 6)) < 0.4)
    ties = sp.csr_matrix(np.triu(t, 1) + np.triu(t, 1).T)
    p = propensities_from_world(ties, rng.random((6, 2)), np.array([1.0, 2.0]))
    assert np.allclose(p, p.T) and np.all(np.diag(p) == 0)
    assert p[~np.eye(6, dtype=bool)].mean() == pytest.approx(0.0)


def test_tie_share_moves_the_weight_between_ties_and_closeness():
    ties = np.array([[0, 1, 0], [1, 0, 0], [0, 0, 0]])
    ideal = np.array([[0.0], [1.0], [0.0]])  # 0 and 1 tied but far apart; 0 and 2 untied, same view
    only_ties = propensities_from_world(ties, ideal, np.ones(1), tie_share=1.0)
    only_views = propensities_from_world(ties, ideal, np.ones(1), tie_share=0.0)
    assert only_ties[0, 1] > only_ties[0, 2]
    assert only_views[0, 2] > only_views[0, 1]
    assert np.all(np.isfinite(propensities_from_world(np.zeros((3, 3)), ideal, np.ones(1))))


def test_the_five_state_world_by_hand():
    # Ties (tests/data/memberships.csv, default weights): AAA-BBB and AAA-CCC 0.2 (PACT), BBB-CCC
    # 0.5 (PACT and EEG), DDD-EEE 0.3 (AG); ideal points 0.6 except EEE at 0.0; capability 1 each.
    # Affinities 0.5 * tie / 0.5 + 0.5 * (1 - distance) have mean 0.5, so p = affinity - 0.5:
    model = NegotiationModel(load_scenario(FIVE_STATES))
    sizes, p = model_landscape_inputs(model)
    assert model.world.iso3 == ["AAA", "BBB", "CCC", "DDD", "EEE"]
    assert sizes.tolist() == [1.0] * 5
    expected = np.array([[0, 0.2, 0.2, 0, -0.3],
                         [0.2, 0, 0.5, 0, -0.3],
                         [0.2, 0.5, 0, 0, -0.3],
                         [0, 0, 0, 0, 0],
                         [-0.3, -0.3, -0.3, 0, 0]])
    assert p == pytest.approx(expected)


# -- plenary landscape ----------------------------------------------------------------------------


def test_landscape_command_puts_elbonia_against_the_pact(tmp_path, capsys):
    assert main(["landscape", str(FIVE_STATES), "--top", "5", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "every one of the 16 configurations: 2 local minima" in out
    assert "camp A (3 states, 60% of capability): AAA BBB CCC" in out
    doc = json.loads((tmp_path / "landscape.json").read_text(encoding="utf-8"))
    assert doc["states"] == 5 and doc["search"] == "exhaustive" and doc["minima_found"] == 2
    # DDD likes and dislikes no one (p = 0): it sits in either camp at the same energy, -0.9 twice
    assert [(m["camp_a"], m["camp_b"], m["energy"]) for m in doc["minima"]] == [
        (["AAA", "BBB", "CCC"], ["DDD", "EEE"], pytest.approx(-1.8)),
        (["AAA", "BBB", "CCC", "DDD"], ["EEE"], pytest.approx(-1.8)),
    ]
    assert sum(m["basin"] for m in doc["minima"]) == pytest.approx(1.0)


def test_landscape_command_on_193_states_uses_seeded_random_starts(tmp_path):
    first, again = tmp_path / "a", tmp_path / "b"
    for out in (first, again):
        assert main(["landscape", str(PROJECT_ROOT / "scenarios/reaim_2023.yaml"), "--starts", "200",
                     "--top", "2", "--out", str(out)]) == 0
    doc = json.loads((first / "landscape.json").read_text(encoding="utf-8"))
    assert doc["states"] == 193 and doc["search"] == "random_starts" and doc["starts"] == 200
    assert len(doc["minima"][0]["camp_a"]) + len(doc["minima"][0]["camp_b"]) == 193
    assert (first / "landscape.json").read_bytes() == (again / "landscape.json").read_bytes()


@pytest.mark.parametrize("flags, message", [
    (["--top", "0"], "--top: top: must be >= 1, got 0"),
    (["--starts", "0"], "--starts: starts: must be >= 1, got 0"),
    (["--tie-share", "1.5"], "--tie-share: tie_share: must be between 0 and 1, got 1.5"),
    (["--seed", "-1"], "--seed: seed: must be >= 0, got -1"),
])
def test_landscape_command_refuses_bad_options_and_writes_nothing(tmp_path, capsys, flags, message):
    out = tmp_path / "out"
    assert main(["landscape", str(FIVE_STATES), "--out", str(out), *flags]) == 2
    assert capsys.readouterr().err.strip() == message
    assert not out.exists()


def test_landscape_command_reports_a_missing_scenario(tmp_path, capsys):
    assert main(["landscape", str(tmp_path / "nope.yaml")]) == 2
    assert "nope.yaml: file not found" in capsys.readouterr().err
