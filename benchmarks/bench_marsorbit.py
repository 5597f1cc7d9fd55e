"""OS orbit lifetime for 10,000 orbits (batched, compiled) vs a scipy solve_ivp loop.

The peer integrates the same orbit-averaged drag equations (same atmosphere grid, same
quadrature, same stop condition) one orbit at a time with ``scipy.integrate.solve_ivp``;
it is timed on a subset and scaled to 10,000 (printed as such). Timings are noisy: the
machine's 2 cores are shared with other work.
"""

from __future__ import annotations

import time

import numpy as np
from scipy.integrate import solve_ivp

from msrsim.atmosphere import mars_default, tabulate
from msrsim.bodies import MARS
from msrsim.kernels.cw import cw_two_impulse, mean_motion_rad_s
from msrsim.kernels.orbit_decay import averaged_rates
from msrsim.marsorbit.lifetime import os_lifetime_days

N = 10_000
N_PEER = 40
rng = np.random.default_rng(1)
hp = rng.uniform(150.0, 260.0, N)
ha = hp + rng.uniform(0.0, 200.0, N)
inc = rng.uniform(0.0, 90.0, N)

os_lifetime_days(hp[:2], ha[:2], inc[:2])  # compile / load cache
t0 = time.perf_counter()
ours = os_lifetime_days(hp, ha, inc)
t_ours = time.perf_counter() - t0

grid = tabulate(mars_default(), alt_max_m=600e3, step_m=500.0, alt_min_m=40e3)
B = 2.2 * np.pi * 0.15**2 / 14.0
mu, req = MARS.mu_m3_s2, MARS.r_eq_m


def peer_one(h_p, h_a, i_deg):
    rp, ra = req + h_p * 1e3, req + h_a * 1e3

    def rhs(t, y):
        da, de = averaged_rates(y[0], max(y[1], 0.0), np.radians(i_deg), B, mu, req, MARS.omega_rad_s,
                                grid.alt0_m, grid.dalt_m, grid.log_rho, grid.sound_speed_m_s, 48)
        return [da, de]

    def hit(t, y):
        return y[0] * (1 - y[1]) - (req + 100e3)

    hit.terminal = True
    sol = solve_ivp(rhs, (0, 100 * 365.25 * 86400), [(rp + ra) / 2, (ra - rp) / (ra + rp)], events=hit,
                    rtol=1e-6, atol=[1.0, 1e-9])
    return sol.t[-1] / 86400


t0 = time.perf_counter()
peer = np.array([peer_one(hp[k], ha[k], inc[k]) for k in range(N_PEER)])
t_peer = (time.perf_counter() - t0) / N_PEER * N
err = np.max(np.abs(peer / ours[:N_PEER] - 1))
print(f"OS lifetime, {N} orbits: msrsim batched {t_ours:.3f} s; scipy solve_ivp loop "
      f"{t_peer:.1f} s (timed on {N_PEER}, scaled); ratio {t_peer / t_ours:.0f}x; "
      f"max lifetime difference {100 * err:.2f} %")

# CW two-impulse transfers, 10,000 cases: batched closed form vs a numpy solve per case
n = float(mean_motion_rad_s(req + 343e3, mu))
r0 = rng.uniform(-5e3, 5e3, (N, 3))
rf = rng.uniform(-500, 500, (N, 3))
tof = rng.uniform(0.1, 0.45, N) * 2 * np.pi / n
cw_two_impulse(r0[:2], np.zeros(3), rf[:2], np.zeros(3), tof[:2], n)
t0 = time.perf_counter()
dv1, dv2 = cw_two_impulse(r0, np.zeros(3), rf, np.zeros(3), tof, n)
t_cw = time.perf_counter() - t0


def peer_cw(r0k, rfk, t):
    s, c = np.sin(n * t), np.cos(n * t)
    rr = np.array([[4 - 3 * c, 0, 0], [6 * (s - n * t), 1, 0], [0, 0, c]])
    rv = np.array([[s / n, 2 * (1 - c) / n, 0], [2 * (c - 1) / n, (4 * s - 3 * n * t) / n, 0], [0, 0, s / n]])
    return np.linalg.solve(rv, rfk - rr @ r0k)


t0 = time.perf_counter()
v_peer = np.array([peer_cw(r0[k], rf[k], tof[k]) for k in range(N)])
t_cw_peer = time.perf_counter() - t0
print(f"CW two-impulse, {N} transfers: msrsim batched {1e3 * t_cw:.2f} ms; numpy loop "
      f"{1e3 * t_cw_peer:.0f} ms; ratio {t_cw_peer / t_cw:.0f}x; "
      f"max |Δv1| difference {np.max(np.abs(v_peer - dv1)):.2e} m/s")
