"""Piecewise-linear table lookup for compiled kernels (one bisection, shared)."""

from __future__ import annotations

import numba


@numba.njit(cache=True, inline="always")
def bracket(xs, x):
    """Interval of ``x`` in the ascending abscissae ``xs``: ``(lo, hi, f)``.

    ``x ≈ xs[lo] + f (xs[hi] - xs[lo])``; beyond either end the end point is returned with
    ``lo == hi`` and ``f == 0``, so a lookup holds the end value exactly.
    """
    n = xs.size
    if x <= xs[0]:
        return 0, 0, 0.0
    if x >= xs[n - 1]:
        return n - 1, n - 1, 0.0
    lo = 0
    hi = n - 1
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if xs[mid] <= x:
            lo = mid
        else:
            hi = mid
    return lo, hi, (x - xs[lo]) / (xs[hi] - xs[lo])


@numba.njit(cache=True, inline="always")
def interp1(x, xs, ys):
    """Linear interpolation of ``ys(xs)`` at ``x``, held constant beyond the ends."""
    lo, hi, f = bracket(xs, x)
    return ys[lo] + f * (ys[hi] - ys[lo])
