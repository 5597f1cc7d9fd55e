"""Low-thrust legs: one Earth->Mars transfer (cold first guess), a 50 x 50 low-thrust porkchop,
and pykep 3's Sims-Flanagan leg on the same problem.

Prints our figures, pykep's and the ratios. Run: .venv/bin/python benchmarks/bench_lowthrust.py
(``--quick`` skips the porkchop and the 2027 ERO opportunity search). pykep 3.0.1's wheel
lacks ``pykep/trajopt/gym/tops/``; the stub module installed by :func:`import_pykep` stands in
for that one subpackage.
"""

from __future__ import annotations

import math
import statistics
import sys
import time
import types

import numpy as np

DEPART_UTC, ARRIVE_UTC = "2028-12-01", "2029-09-01"
M0_KG, THRUST_N, ISP_S, VINF_MAX_KM_S, NSEG = 1000.0, 0.5, 3000.0, 3.0, 30


def import_pykep():
    """Import pykep 3.0.1: its wheel ships ``trajopt/gym/__init__.py`` reading JSON files
    from a ``tops/`` folder it does not contain; an empty module in ``sys.modules`` stands
    in for ``pykep.trajopt.gym`` (the TOPS benchmark problems, not used here)."""
    sys.modules.setdefault("pykep.trajopt.gym", types.ModuleType("pykep.trajopt.gym"))
    import pykep

    return pykep


def problem():
    from msrsim.ephemeris import planet_state
    from msrsim.timescales import utc_to_tdb

    td = float(utc_to_tdb(DEPART_UTC))
    ta = float(utc_to_tdb(ARRIVE_UTC))
    r0, v0 = planet_state("earth", td)
    rf, vf = planet_state("mars", ta)
    return r0, v0, rf, vf, ta - td


def pykep_leg(r0_km, v0_km_s, rf_km, vf_km_s, tof_s, throttles=None, mf_kg=None, nseg=NSEG):
    """Minimum-propellant Sims-Flanagan leg (pykep 3 ``trajopt.sf_point2point``, fixed time
    of flight) solved with scipy's SLSQP on pykep's fitness and gradient. Returns
    (final mass kg, mismatch km, km/s, success, seconds)."""
    from scipy.optimize import minimize

    pk = import_pykep()
    tof_days = tof_s / 86400.0
    prob = pk.trajopt.sf_point2point(
        rvs=[np.asarray(r0_km) * 1e3, np.asarray(v0_km_s) * 1e3], rvf=[np.asarray(rf_km) * 1e3,
                                                                        np.asarray(vf_km_s) * 1e3],
        ms=M0_KG, mu=pk.MU_SUN, max_thrust=THRUST_N, veff=ISP_S * pk.G0, tof_bounds=[tof_days, tof_days],
        mf_bounds=[0.1 * M0_KG, M0_KG], nseg=nseg, cut=0.6)
    lb, ub = prob.get_bounds()
    nx = len(lb)
    sp = prob.gradient_sparsity()
    x0 = np.zeros(nx)
    x0[0] = mf_kg if mf_kg is not None else 0.9 * M0_KG
    if throttles is not None:
        x0[1:-1] = np.asarray(throttles).ravel()
    else:  # cold: small random throttles (all-zero throttles stall SLSQP on the first step)
        x0[1:-1] = np.random.default_rng(1).uniform(-0.3, 0.3, nx - 2)
    x0[-1] = tof_days

    def dense_grad(x):
        g = np.zeros((1 + 7 + nseg, nx))
        for (i, j), v in zip(sp, prob.gradient(x), strict=True):
            g[i, j] = v
        return g

    cons = [{"type": "eq", "fun": lambda x: prob.fitness(x)[1:8], "jac": lambda x: dense_grad(x)[1:8]},
            {"type": "ineq", "fun": lambda x: -prob.fitness(x)[8:], "jac": lambda x: -dense_grad(x)[8:]}]
    t0 = time.perf_counter()
    res = minimize(lambda x: prob.fitness(x)[0], x0, jac=lambda x: dense_grad(x)[0], method="SLSQP",
                   bounds=list(zip(lb, ub, strict=True)), constraints=cons,
                   options={"maxiter": 1000, "ftol": 1e-12})
    dt = time.perf_counter() - t0
    prob._set_leg_from_x(res.x)
    mc = np.asarray(prob.leg.compute_mismatch_constraints())
    return float(res.x[0]), float(np.linalg.norm(mc[:3])) * 1e-3, float(np.linalg.norm(mc[3:6])) * 1e-3, \
        bool(res.success), dt


def ours(cold=True):
    from msrsim.lowthrust import min_fuel_transfer

    r0, v0, rf, vf, tof = problem()
    return min_fuel_transfer(r0, v0, rf, vf, tof, m0_kg=M0_KG, thrust_n=THRUST_N, isp_s=ISP_S,
                             vinf_depart_max_km_s=VINF_MAX_KM_S, n_segments=NSEG)


def peer_json() -> None:
    """One line of JSON: our leg and pykep's warm-started on it (used by the test suite,
    in a child process: pykep 3.0.1 has been seen to abort at interpreter exit)."""
    import json

    from threadpoolctl import threadpool_limits

    res = ours()
    r0, v0, rf, vf, tof = problem()
    with threadpool_limits(1, "blas"):
        mf, dr, dv, ok, t = pykep_leg(r0, v0 + res.vinf_departure_km_s, rf, vf, tof, res.control,
                                      res.final_mass_kg)
    print(json.dumps({"ours_final_mass_kg": res.final_mass_kg, "ours_converged": res.converged,
                      "pykep_final_mass_kg": mf, "pykep_success": ok, "pykep_miss_km": dr,
                      "pykep_miss_km_s": dv, "pykep_s": t}), flush=True)


def main() -> None:
    from threadpoolctl import threadpool_limits

    ours()  # load the compiled kernels
    runs = []
    for _ in range(3):
        t0 = time.perf_counter()
        res = ours()
        runs.append(time.perf_counter() - t0)
    t_one = statistics.median(runs)
    print(f"msrsim one Earth->Mars rendezvous ({DEPART_UTC} -> {ARRIVE_UTC}, {M0_KG:.0f} kg, "
          f"{THRUST_N} N, Isp {ISP_S:.0f} s, C3 <= {VINF_MAX_KM_S**2:.0f}), cold first guess: "
          f"{t_one:.2f} s (target <= 2 s); final mass {res.final_mass_kg:.2f} kg, converged {res.converged}",
          flush=True)
    r0, v0, rf, vf, tof = problem()
    v0_launch = v0 + res.vinf_departure_km_s  # same departure state for the peer
    with threadpool_limits(1, "blas"):
        mf_w, dr_w, dv_w, ok_w, t_w = pykep_leg(r0, v0_launch, rf, vf, tof, res.control, res.final_mass_kg)
        mf_c, dr_c, dv_c, ok_c, t_c = pykep_leg(r0, v0_launch, rf, vf, tof)
    print(f"pykep 3 sims_flanagan ({NSEG} impulses, scipy SLSQP on its gradients), cold (random "
          f"throttles): {t_c:.2f} s, final mass {mf_c:.2f} kg, success {ok_c}, mismatch {dr_c:.2g} km "
          f"{dv_c * 1e3:.2g} m/s")
    print(f"pykep 3 warm-started from msrsim's control: {t_w:.2f} s, final mass {mf_w:.2f} kg, "
          f"success {ok_w}")
    dm = res.final_mass_kg - mf_w
    print(f"ratio pykep cold / msrsim cold: {t_c / t_one:.2f}x; final mass difference msrsim - pykep "
          f"{dm:+.2f} kg ({100 * dm / (M0_KG - mf_w):+.2f} % of the propellant)", flush=True)
    if "--quick" in sys.argv:
        return
    from msrsim.lowthrust.legs import lowthrust_porkchop
    from msrsim.timescales import utc_to_tdb

    d0 = float(utc_to_tdb("2028-10-15"))
    depart = d0 + np.arange(50) * 2.0 * 86400.0
    tofs = np.linspace(220.0, 320.0, 50)
    t0 = time.perf_counter()
    grid = lowthrust_porkchop("earth", "mars", depart, tofs, m0_kg=M0_KG, thrust_n=THRUST_N, isp_s=ISP_S,
                              c3_max_km2_s2=VINF_MAX_KM_S**2, vinf_arrive_max_km_s=0.0)
    t_grid = time.perf_counter() - t0
    i, j = grid.best()
    print(f"msrsim 50 x 50 low-thrust porkchop (continuation on the optimality conditions, numba threads): "
          f"{t_grid:.1f} s (target <= 60 s); SLSQP cells {int(grid.slsqp_cell.sum())}, propagations per "
          f"continued cell {grid.propagations[~grid.slsqp_cell].mean():.1f}; "
          f"feasible {grid.feasible.mean():.0%} of cells, converged {grid.converged.mean():.0%}; "
          f"best final mass {grid.final_mass_kg[i, j]:.1f} kg, tof {tofs[j]:.0f} d")
    print(f"per cell: {t_grid / grid.feasible.size * 1e3:.0f} ms; pykep cold per leg {t_c * 1e3:.0f} ms "
          f"-> a pykep loop over 2500 cells ~{2500 * t_c:.0f} s")
    ero_2027()


def ero_2027() -> None:
    """The fall-2027 ERO launch: the opportunity search over 2029 arrivals, 4 and 2 engines."""
    from msrsim.lowthrust.ero import ero_opportunity_cruise
    from msrsim.marsorbit.params import EROParams
    from msrsim.timescales import tdb_to_utc, utc_to_tdb

    td = float(utc_to_tdb("2027-08-01"))
    window = (float(utc_to_tdb("2028-12-01")), float(utc_to_tdb("2029-10-31")))
    for engines in (4, 2):
        t0 = time.perf_counter()
        o = ero_opportunity_cruise(td, window, EROParams(ep_engine_count=engines))
        dt = time.perf_counter() - t0
        ok = np.isfinite(o.mass_after_moi_grid_kg)
        line = (f"ERO 2027-08-01 launch, arrivals 2028-12-01..2029-10-31 (5-day steps), {engines} engines: "
                f"{dt:.1f} s, {int(ok.sum())} of {ok.size} arrivals feasible")
        if o.feasible:
            first, best = tdb_to_utc(o.arrive_grid_tdb_s[ok][0])[:10], tdb_to_utc(o.arrive_tdb_s)[:10]
            line += (f" (from {first}); best {best}: "
                     f"{o.xenon_kg:.0f} kg xenon, v-inf {np.linalg.norm(o.arrival_vinf_km_s):.2f} km/s, "
                     f"{o.mass_after_moi_kg:.1f} kg after MOI")
        print(line, flush=True)
    _ = math


if __name__ == "__main__":
    if "--peer-json" in sys.argv:
        peer_json()
    else:
        main()
