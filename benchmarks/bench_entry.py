"""Entry benchmark: a 10,000-trajectory Mars entry Monte Carlo with its landing ellipse, and
the same equations integrated one trajectory at a time with scipy's solve_ivp.

Run: .venv/bin/python benchmarks/bench_entry.py
Timings are wall-clock medians on a shared machine (other work may be running): noisy.
AMAT (the open peer) is quoted from shared/DESIGN.md: 20-28 ms per Mars ballistic
trajectory on this machine (~250 s for 10,000).
"""

from __future__ import annotations

import time

import numpy as np


def median_time(fn, repeat=3):
    ts = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t)
    return float(np.median(ts))


def main():
    from scipy.integrate import solve_ivp

    from msrsim.entry import _kernel as K
    from msrsim.entry import make_config, run_entry
    from msrsim.entry.model import _Prepared
    from msrsim.entry.presets import PRESETS, _merge

    for mode in ("apollo", "bank-reversal"):
        cfg = make_config(_merge(PRESETS["srl-jezero"], {"vehicle": {"guidance": mode}}))
        run_entry(cfg, trials=10)  # compile / load the numba cache
        t_mc = median_time(lambda cfg=cfg: run_entry(cfg, trials=10_000, seed=1))
        r = run_entry(cfg, trials=10_000, seed=1)
        extra = " (reference + influence coefficients + targeting included)" if mode == "apollo" else ""
        print(f"srl-jezero Monte Carlo, guidance {mode}, 10,000 trajectories + 99 % ellipse: {t_mc:.3f} s "
              f"(target <= 1 s){extra}; ellipse {r.ellipse['ellipse99_major_km']:.1f} x "
              f"{r.ellipse['ellipse99_minor_km']:.1f} km, {r.trials['steps'].mean():.0f} steps/trajectory")

    # Same equations, ballistic Mars entry (Pathfinder-like), batch vs solve_ivp one at a time.
    pf = make_config(dict(
        name="pathfinder", planet="mars",
        vehicle=dict(mass_kg=585.0, diameter_m=2.65, cd=1.71, nose_radius_m=0.66),
        entry=dict(alt_m=125e3, speed_m_s=7260.0, fpa_deg=-14.06, azimuth_deg=90.0, lat_deg=19.0,
                   lon_deg=-36.0),
        target=dict(lat_deg=19.13, lon_deg=-33.22), rtol=1e-6))
    prep = _Prepared(pf)
    n = 10_000
    rng = np.random.default_rng(1)
    fpa = np.radians(-14.06 + 0.1 * rng.standard_normal(n))
    y0 = prep.initial_states(np.full(n, np.radians(19.0)), np.full(n, np.radians(-36.0)), np.full(n, 125e3),
                             np.full(n, 7260.0), fpa, np.full(n, np.radians(90.0)))
    P = prep.params(n)
    prep.run(y0[:2], P[:2])
    t_batch = median_time(lambda: prep.run(y0, P))
    out, _, _ = prep.run(y0, P)
    g = prep.grid
    w = prep.wind
    dy = np.empty(7)
    aux = np.empty(8)

    def rhs(t, y, prm):
        K._rhs(y, prm, prep.S, 0, 1.0, g.alt0_m, g.dalt_m, g.log_rho, g.sound_speed_m_s, w[0], w[1],
               w[2], w[3], prep.mach_tab, prep.cd_tab, dy, aux)
        return dy.copy()

    def ground(t, y, prm):
        K._rhs(y, prm, prep.S, 0, 1.0, g.alt0_m, g.dalt_m, g.log_rho, g.sound_speed_m_s, w[0], w[1],
               w[2], w[3], prep.mach_tab, prep.cd_tab, dy, aux)
        return aux[0] - prep.S[K.S_ALT_GROUND]

    ground.terminal = True
    ground.direction = -1
    m = 30
    t0 = time.perf_counter()
    t_end = []
    for j in range(m):
        sol = solve_ivp(rhs, (0.0, 3000.0), y0[j], method="RK45", rtol=1e-6, atol=1e-3, events=ground,
                        args=(P[j],))
        t_end.append(sol.t_events[0][0])
    per_ivp = (time.perf_counter() - t0) / m
    agree = np.max(np.abs(np.array(t_end) - out[:m, K.O_T_END]))
    est_ivp = per_ivp * n
    print(f"Pathfinder-like ballistic entry, {n} trajectories: msrsim batch {t_batch:.3f} s "
          f"({1e6 * t_batch / n:.1f} us/trajectory)")
    print(f"scipy solve_ivp RK45, one trajectory at a time (same compiled right-hand side, {m} timed): "
          f"{1e3 * per_ivp:.2f} ms/trajectory -> {est_ivp:.1f} s for {n}; ratio {est_ivp / t_batch:.0f}x")
    print(f"  landing-time agreement msrsim vs solve_ivp over {m} trajectories: {agree:.3f} s max")
    print(f"AMAT (published here, DESIGN.md): 20-28 ms/trajectory -> 200-280 s for {n}; ratio "
          f"{200 / t_batch:.0f}-{280 / t_batch:.0f}x")
    peak_mb = out.nbytes / 1e6
    print(f"memory: per-trial outputs {peak_mb:.1f} MB for {n} (no histories unless asked)")


if __name__ == "__main__":
    main()
