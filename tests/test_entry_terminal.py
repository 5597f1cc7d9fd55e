"""Terminal descent (entry/terminal.py) against the constant-deceleration formulas, by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest

from msrsim.bodies import MARS
from msrsim.entry import _kernel as K
from msrsim.entry import load_preset
from msrsim.entry.terminal import terminal_descent

R_MARS_EQ_M = 3396.2e3  # NASA Mars fact sheet, equatorial radius (FACTS.md §6: 3396.19 km)
G_MARS_EQ_M_S2 = 3.71  # NASA Mars fact sheet, equatorial surface gravity


def _out(rows):
    """A kernel output array with the given columns set (everything else zero)."""
    out = np.zeros((len(rows), K.N_O))
    for i, row in enumerate(rows):
        for col, value in row.items():
            out[i, getattr(K, col)] = value
    return out


ROWS = [
    # falling at 80 m/s with 20 m/s north drift
    {"O_LAT": 0.3, "O_LON": 1.2, "O_T_END": 400.0, "O_SPEED": math.hypot(20.0, 80.0),
     "O_VE": 0.0, "O_VN": 20.0, "O_VU": -80.0},
    # falling at 40 m/s with 30 m/s east drift, southern latitude
    {"O_LAT": -0.5, "O_LON": -2.0, "O_T_END": 500.0, "O_SPEED": 50.0,
     "O_VE": 30.0, "O_VN": 0.0, "O_VU": -40.0},
    # climbing at the start altitude: the descent speed is floored at 1 m/s
    {"O_LAT": 0.1, "O_LON": 0.0, "O_T_END": 300.0, "O_SPEED": 2.0,
     "O_VE": 0.0, "O_VN": 0.0, "O_VU": 2.0},
]


def test_powered_descent_is_constant_deceleration_to_touchdown():
    cfg = load_preset("srl-jezero")  # powered descent from 1600 m to a 0.75 m/s touchdown
    pd = cfg.vehicle.powered_descent
    assert (pd.start_alt_agl_m, pd.touchdown_speed_m_s) == (1600.0, 0.75)
    lat, lon, speed, t, dv = terminal_descent(cfg, _out(ROWS), MARS)
    # uniform deceleration from v over h: mean speed v/2, so t = 2 h / v
    t_pd = np.array([2 * 1600.0 / 80.0, 2 * 1600.0 / 40.0, 2 * 1600.0 / 1.0])  # 40, 80, 3200 s
    np.testing.assert_allclose(t - [400.0, 500.0, 300.0], t_pd, rtol=0, atol=1e-9)
    np.testing.assert_array_equal(speed, 0.75)
    # horizontal travel v_h t / 2: 400 m north in row 0, 1200 m east in row 1, none in row 2
    assert (lat[0] - 0.3) * R_MARS_EQ_M == pytest.approx(400.0, abs=0.1)
    assert lon[0] == 1.2
    assert lat[1] == -0.5
    assert (lon[1] + 2.0) * R_MARS_EQ_M * math.cos(-0.5) == pytest.approx(1200.0, abs=0.5)
    assert (lat[2], lon[2]) == (0.1, 0.0)
    # delta-v = |v| + g t - v_touchdown; the gravity it implies is Mars's surface gravity
    speed0 = np.array([math.hypot(20.0, 80.0), 50.0, 2.0])
    g_implied = (dv - speed0 + 0.75) / t_pd
    np.testing.assert_allclose(g_implied, G_MARS_EQ_M_S2, atol=0.01)


def test_without_powered_descent_the_kernel_end_state_is_the_landing():
    cfg = load_preset("ees-uttr")  # passive capsule: no powered descent
    assert cfg.vehicle.powered_descent is None
    out = _out(ROWS)
    lat, lon, speed, t, dv = terminal_descent(cfg, out, MARS)
    np.testing.assert_array_equal(lat, out[:, K.O_LAT])
    np.testing.assert_array_equal(lon, out[:, K.O_LON])
    np.testing.assert_array_equal(speed, out[:, K.O_SPEED])
    np.testing.assert_array_equal(t, out[:, K.O_T_END])
    np.testing.assert_array_equal(dv, 0.0)
    # the outputs are copies: the kernel's array is left as it was
    lat[:] = 9.0
    assert out[0, K.O_LAT] == 0.3
