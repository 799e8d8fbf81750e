"""A round's draws: the uniforms handed to the kernels are the generator's stream exactly as
``rng.gumbel`` then ``rng.random`` would have consumed it, so a run's results did not change when
the Gumbel shocks moved into the kernel."""

import numpy as np
import pytest

from agents.state import draw_shocks, gumbel_of


@pytest.mark.parametrize("seed", range(3))
def test_shocks_are_the_gumbel_then_uniform_stream(seed):
    members, options = 57, 3
    expected = np.random.default_rng(seed)
    gumbel, uniform = expected.gumbel(size=(members, options)), expected.random(members)
    rng = np.random.default_rng(seed)
    u = draw_shocks(rng, members, options)
    assert np.array_equal(gumbel_of(u[:members * options]).reshape(members, options), gumbel)
    assert np.array_equal(u[members * options:], uniform)
    assert rng.random() == expected.random()  # and the generator is left where it would be


class ScriptedStream:
    """A generator stand-in whose uniforms are scripted, to put zeros where NumPy's Gumbel
    sampler would reject them (odds 2**-53 a draw from a real generator)."""

    def __init__(self, values):
        self.values = list(values)

    def random(self, size):
        taken, self.values = self.values[:size], self.values[size:]
        return np.array(taken)


def test_a_zero_is_skipped_by_the_gumbel_shocks_and_the_stream_moves_on():
    # 2 members x 2 options: 4 Gumbel uniforms, then 2 for who reconsiders; zeros at the 2nd and
    # 4th draws are rejected, so the shocks take draws 1, 3, 5, 6 and the members 7 and 8
    stream = [0.1, 0.0, 0.3, 0.0, 0.5, 0.6, 0.7, 0.8, 0.9]
    u = draw_shocks(ScriptedStream(stream), 2, 2)
    assert u.tolist() == [0.1, 0.3, 0.5, 0.6, 0.7, 0.8]


def test_a_zero_among_the_reconsider_draws_is_kept():
    u = draw_shocks(ScriptedStream([0.1, 0.2, 0.0, 0.4]), 1, 2)
    assert u.tolist() == [0.1, 0.2, 0.0]
