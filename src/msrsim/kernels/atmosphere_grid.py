"""Density and speed of sound from an atmosphere sampled on a uniform altitude grid.

The model layer (:mod:`msrsim.atmosphere`) builds the grid; compiled integrators of every
layer read it through these functions, so no kernel imports a model.
"""

from __future__ import annotations

import numba
import numpy as np


@numba.njit(cache=True, fastmath=False, inline="always")
def grid_lookup(alt_m, alt0_m, dalt_m, log_rho, sound):
    """Density (kg/m^3) and speed of sound (m/s) at ``alt_m`` from a uniform grid.

    Log-linear interpolation inside the grid; beyond its ends the end layer's log-slope is
    continued (an exponential tail), so density never turns negative or NaN.
    """
    n = log_rho.size
    x = (alt_m - alt0_m) / dalt_m
    i = int(np.floor(x))
    if i < 0:
        i = 0
    elif i > n - 2:
        i = n - 2
    f = x - i
    lr = log_rho[i] + f * (log_rho[i + 1] - log_rho[i])
    if f < 0.0:
        fa = 0.0
    elif f > 1.0:
        fa = 1.0
    else:
        fa = f
    a = sound[i] + fa * (sound[i + 1] - sound[i])
    return np.exp(lr), a


@numba.njit(cache=True)
def grid_lookup_many(alt, alt0, dalt, log_rho, sound, out_rho, out_a):
    for k in range(alt.size):
        r, a = grid_lookup(alt[k], alt0, dalt, log_rho, sound)
        out_rho[k] = r
        out_a[k] = a
