"""MAV ascent benchmarks: 10,000-trial Monte Carlo (batched, compiled) vs one-at-a-time
scipy ``solve_ivp`` of the same model, and the guidance-design time.

Run: ``.venv/bin/python benchmarks/bench_ascent.py``. The machine's 2 cores are shared, so
timings are noisy.
"""

from __future__ import annotations

import math
import time

import numpy as np
from scipy.integrate import solve_ivp

from msrsim.ascent import _dynamics as K
from msrsim.ascent import core
from msrsim.ascent.guidance import design_guidance
from msrsim.ascent.montecarlo import dispersed_rows, run_monte_carlo
from msrsim.ascent.params import AscentConfig

# measured on this 2-core machine before the issue-11 work (numba prange, dt 0.2/2 s,
# no kink events): 3.2-3.4 s wall for 10k trials (machine loaded), 0.694 ms CPU per trial
# on one thread; the issue quotes 3.2-4.1 s
BEFORE_10K_WALL_S = 3.2
BEFORE_CPU_MS_PER_TRIAL = 0.694


def scipy_one(P, inp, rtol=1e-8, atol=1e-6):
    """The same dynamics (the compiled right-hand side) integrated by scipy's RK45, phase by phase."""
    P = P.copy()
    K.init_working_slots(P)
    body = inp.body
    diag = np.zeros(K.N_DIAG)
    nvec = np.zeros(3)
    dir2 = np.zeros(3)
    out = np.zeros(K.N_OUT)
    # initial state and plane normal as in the kernel
    x0, y0, z0 = K.geodetic_to_fixed(P[K.I_LAT], P[K.I_LON], P[K.I_ALT], body[1], body[2])
    lat, lon = P[K.I_LAT], P[K.I_LON]
    up_g = np.array([math.cos(lat) * math.cos(lon), math.cos(lat) * math.sin(lon), math.sin(lat)])
    r0 = np.array([x0, y0, z0])
    y = np.zeros(K.N_STATE)
    y[0:3] = r0
    y[3:6] = np.cross([0, 0, body[4]], r0) + P[K.I_EJECT_V] * up_g
    y[6] = P[K.I_M0]
    u = r0 / np.linalg.norm(r0)
    e = np.array([-y0, x0, 0.0]) / math.hypot(x0, y0)
    n = np.cross(u, e)
    d = math.cos(P[K.I_AZ]) * n + math.sin(P[K.I_AZ]) * e
    nvec[:] = np.cross(u, d)

    def run(y, t0, t1, mode, t_ign, f, isp, tb, prof):
        def rhs(t, yy):
            dy = np.empty(K.N_STATE)
            K._rhs(t, yy, dy, mode, t_ign, f, isp, tb, prof, P, nvec, dir2, body, inp.cd_tab,
                   inp.alt0_m, inp.dalt_m, inp.atm, diag, False)
            return dy

        return solve_ivp(rhs, (t0, t1), y, rtol=rtol, atol=atol).y[:, -1]

    t_ig = P[K.I_IGN_DELAY]
    y = run(y, 0.0, t_ig, 0, 0.0, 0.0, 1.0, 1.0, inp.prof1)
    tb1, isp1 = P[K.I_TB1], P[K.I_ISP1]
    f1 = P[K.I_PROP1] * isp1 * K.G0_M_S2 / tb1
    b = [t_ig, t_ig + P[K.I_T_VERT], t_ig + P[K.I_T_VERT] + P[K.I_T_PO], t_ig + tb1]
    for k in range(3):
        P[K.I_SEG] = k  # SEG_VERTICAL, SEG_PITCHOVER, SEG_PROGRAMME
        y = run(y, b[k], b[k + 1], 1, t_ig, f1, isp1, tb1, inp.prof1)
    y[6] -= P[K.I_DROP1]
    coast = max(K._time_to_apoapsis(*y[0:6], body[0]) - P[K.I_APO_LEAD], 0.0)
    t = b[3]
    y = run(y, t, t + coast, 0, 0.0, 0.0, 1.0, 1.0, inp.prof1)
    t += coast
    u = y[0:3] / np.linalg.norm(y[0:3])
    h = np.cross(y[0:3], y[3:6])
    h /= np.linalg.norm(h)
    dd = np.cross(h, u)
    p2, y2 = P[K.I_P2], P[K.I_Y2]
    a = math.cos(p2) * math.cos(y2) * dd + math.sin(p2) * u + math.cos(p2) * math.sin(y2) * h
    e1 = np.cross(a, h)
    e1 /= np.linalg.norm(e1)
    a = a + P[K.I_ERR2_1] * e1 + P[K.I_ERR2_2] * np.cross(a, e1)
    dir2[:] = a / np.linalg.norm(a)
    tb2, isp2 = P[K.I_TB2], P[K.I_ISP2]
    f2 = P[K.I_PROP2] * isp2 * K.G0_M_S2 / tb2
    y = run(y, t, t + tb2, 2, t, f2, isp2, tb2, inp.prof2)
    out[0:6] = y[0:6]
    return out


def main():
    cfg = AscentConfig()
    t0 = time.perf_counter()
    design = design_guidance(cfg)
    t_design_cold = time.perf_counter() - t0
    t0 = time.perf_counter()
    design = design_guidance(cfg)
    t_design = time.perf_counter() - t0
    print(f"guidance design (default: MAV_sim vehicle, 300 km x 25 deg, 4 nodes): {t_design:.2f} s warm "
          f"({t_design_cold:.2f} s first call incl. compile/load), {design.n_trajectories} trajectories; "
          f"target <= 30 s")
    o = design.orbit
    print(f"  loads: max alpha at q > 50 Pa {o['max_alpha_deg_high_q']:.3f} deg (limit 4), max q*alpha "
          f"{o['max_q_alpha_pa_deg']:.0f} Pa*deg, max q {o['max_q_pa']:.0f} Pa, max axial "
          f"{o['max_axial_g']:.2f} g (limit 15); target lacks {o['target_dv_m_s']:.3f} m/s")
    from msrsim.ascent.params import AscentTarget, GuidanceParams, MAVParams

    free = GuidanceParams(alpha_limiter=False)
    for label, g in (("alpha-limited", None), ("unconstrained", free)):
        harris = AscentConfig(mav=MAVParams.harris(), target=AscentTarget.harris(), guidance=g)
        t0 = time.perf_counter()
        dh = design_guidance(harris)
        print(f"guidance design, {label} (Harris MAV, 343 km x 25 deg above 3389.5 km): "
              f"{time.perf_counter() - t0:.2f} s, reached={dh.converged}, best "
              f"{dh.orbit['periapsis_alt_km']:.1f} x {dh.orbit['apoapsis_alt_km']:.1f} km, lacks "
              f"{dh.orbit['target_dv_m_s']:.1f} m/s, max alpha at q > 50 Pa "
              f"{dh.orbit['max_alpha_deg_high_q']:.1f} deg")
    for label, g in (("alpha-limited", None), ("unconstrained", free)):
        c = cfg.model_copy(update={"guidance": g})
        t0 = time.perf_counter()
        dp = design_guidance(c, maximise_payload=True)
        print(f"payload maximisation, {label} (default vehicle and target): "
              f"{time.perf_counter() - t0:.2f} s, max payload {dp.payload_kg:.2f} kg (margin "
              f"{dp.payload_kg - cfg.mav.payload_kg:+.2f} kg over 16 kg), {dp.n_trajectories} trajectories")

    run_monte_carlo(cfg, design.guidance, 16, seed=0)  # warm-up
    n = 10_000
    walls, cpus = [], []
    for _ in range(3):
        t0, c0 = time.perf_counter(), time.process_time()
        mc = run_monte_carlo(cfg, design.guidance, n, seed=1)
        walls.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
    t_mc = min(walls)
    print(f"msrsim Monte Carlo: {n} trials in {t_mc:.2f} s warm (best of 3 wall; "
          f"{1e3 * t_mc / n:.3f} ms/trial; CPU {1e3 * min(cpus) / n:.3f} ms/trial over all threads), "
          f"P(orbit ok) = {mc.p_orbit_ok:.3f}, P(within alpha/axial-g limits) = "
          f"{mc.p_within_limits:.4f}; target <= 1 s (issue 11)")
    print(f"  before issue 11 (commit 8e8dc6c, same machine): {BEFORE_10K_WALL_S} s wall, "
          f"{BEFORE_CPU_MS_PER_TRIAL} ms CPU/trial; ratio before/now {BEFORE_10K_WALL_S / t_mc:.2f}x wall")
    # step convergence: every trial against its 8x finer integration
    from msrsim.ascent.core import delivered_orbit

    rows = dispersed_rows(cfg, design.guidance, 1000, np.random.default_rng(5))
    fine = rows.copy()
    fine[:, K.I_DT_BURN] /= 8.0
    fine[:, K.I_DT_COAST] /= 8.0
    inp = core.kernel_inputs(cfg)
    a = delivered_orbit(core.run_batch(rows, inp), 250.0)
    b = delivered_orbit(core.run_batch(fine, inp), 250.0)
    err = 1e3 * np.maximum(abs(a["periapsis_alt_km"] - b["periapsis_alt_km"]),
                           abs(a["apoapsis_alt_km"] - b["apoapsis_alt_km"]))
    print(f"  1000 dispersed trials vs 8x finer steps: periapsis/apoapsis max {err.max():.2f} m, "
          f"median {np.median(err):.2f} m (before issue 11: 40-330 m; test bound 10 m)")

    # misalignment model and closed loop, same seed (the scipy comparison below flies the
    # open-loop steering, whose SRM2 attitude law scipy_one implements)
    from msrsim.ascent.guidance import close_loop

    unc = cfg.model_copy(update={"dispersions": cfg.dispersions.model_copy(
        update={"misalignment_model": "uncontrolled"})})
    g_cl = close_loop(cfg, design.guidance)
    for label, c, g in (("uncontrolled misalignment, open loop", unc, design.guidance),
                        ("controlled misalignment, open loop", cfg, design.guidance),
                        ("controlled misalignment, closed loop", cfg, g_cl)):
        t0 = time.perf_counter()
        r = run_monte_carlo(c, g, n, seed=1)
        dt = time.perf_counter() - t0
        o = r.orbits
        ha = o["apoapsis_alt_km"][np.isfinite(o["apoapsis_alt_km"])]
        print(f"  {label}: periapsis 1-sigma {o['periapsis_alt_km'].std():.1f} km, apoapsis "
              f"{ha.std():.1f} km, inclination {o['inclination_deg'].std():.3f} deg, "
              f"P(periapsis >= 250 km) {r.p_orbit_ok:.3f} ({dt:.2f} s)")

    inp = core.kernel_inputs(cfg)
    rows = dispersed_rows(cfg, design.guidance, 200, np.random.default_rng(5))
    scipy_one(rows[0], inp)  # warm-up
    m = 100
    t0 = time.perf_counter()
    sc = np.array([scipy_one(rows[k], inp) for k in range(m)])
    t_sc = (time.perf_counter() - t0) / m
    ours = core.run_batch(rows[:m], inp)
    dr = np.linalg.norm(sc[:, 0:3] - ours[:, 0:3], axis=1)
    print(f"scipy solve_ivp (RK45, rtol 1e-8, compiled RHS), one trajectory at a time: "
          f"{1e3 * t_sc:.1f} ms/trial -> {t_sc * n:.1f} s for {n} (scaled from {m}); "
          f"agreement with msrsim: median {np.median(dr):.2f} m, max {dr.max():.2f} m at OS separation")
    print(f"ratio scipy / msrsim: {t_sc * n / t_mc:.0f}x")


if __name__ == "__main__":
    main()
