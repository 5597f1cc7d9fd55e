"""The shared table lookup: exact at the nodes, linear between, held beyond the ends."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from msrsim.kernels.interp import bracket, interp1


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(-1e3, 1e3), min_size=2, max_size=12, unique=True), st.floats(-2e3, 2e3))
def test_matches_numpy_interp(xs, x):
    xs = np.sort(np.array(xs))
    if np.any(np.diff(xs) < 1e-9):
        return
    ys = np.cos(xs) * 10.0
    assert abs(interp1(x, xs, ys) - np.interp(x, xs, ys)) <= 1e-9 * (1 + abs(ys).max())


def test_ends_and_nodes_are_exact():
    xs = np.array([0.0, 1.0, 3.0])
    ys = np.array([2.0, -1.0, 7.0])
    assert interp1(-5.0, xs, ys) == 2.0 and interp1(9.0, xs, ys) == 7.0
    assert interp1(1.0, xs, ys) == -1.0
    assert bracket(xs, 9.0) == (2, 2, 0.0)
    lo, hi, f = bracket(xs, 2.0)
    assert (lo, hi) == (1, 2) and f == 0.5
