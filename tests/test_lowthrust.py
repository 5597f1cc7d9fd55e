"""Low-thrust transfers: independent propagation, rocket equation, Lambert and Edelbaum
limits, bad input, the solar-electric law, the ERO cruise and the CLI."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from scipy.integrate import quad, solve_ivp

from msrsim.constants import AU_KM, G0_M_S2, GM_SUN_KM3_S2, SECONDS_PER_DAY
from msrsim.errors import ConfigError
from msrsim.kernels.lambert import lambert
from msrsim.kernels.lowthrust import constant_thrust_burn_time_s, edelbaum_dv_m_s
from msrsim.lowthrust import SolarElectricParams, min_fuel_transfer, solar_electric_transfer

# 2028/29 Earth->Mars opportunity (FACTS.md §5: minimum C3 8.93 on 2028-12-02); DE421 states
DEPART_UTC, ARRIVE_UTC = "2028-12-01", "2029-09-01"
THRUST_EDELBAUM_N = 0.09


@pytest.fixture(scope="module")
def states():
    from msrsim.ephemeris import planet_state
    from msrsim.timescales import utc_to_tdb

    td = float(utc_to_tdb(DEPART_UTC))
    ta = float(utc_to_tdb(ARRIVE_UTC))
    r0, v0 = planet_state("earth", td)
    rf, vf = planet_state("mars", ta)
    return r0, v0, rf, vf, ta - td


@pytest.fixture(scope="module")
def rendezvous(states):
    """1000 kg, 0.5 N, Isp 3000 s, C3 <= 9: a rendezvous with Mars."""
    r0, v0, rf, vf, tof = states
    return min_fuel_transfer(r0, v0, rf, vf, tof, m0_kg=1000.0, thrust_n=0.5, isp_s=3000.0,
                             vinf_depart_max_km_s=3.0)


def _fly(res, r0, v0, mu, thrust_of_r=None, thrust_n=None):
    """Integrate the returned segment controls with DOP853 (km, s, kg), independently of
    the compiled RK4; also integrates the thrust Δv, ∫ T/m dt."""
    ve_km_s = res.exhaust_velocity_m_s * 1e-3
    y = np.concatenate([r0, v0 + res.vinf_departure_km_s, [res.initial_mass_kg, 0.0]])
    for i in range(len(res.throttle)):
        u = res.control[i]
        un = float(np.linalg.norm(u))

        def rhs(t, s, u=u, un=un):
            r = s[:3]
            rn = math.sqrt(r @ r)
            tn = thrust_n if thrust_of_r is None else thrust_of_r(rn, t)
            acc = tn / s[6] * 1e-3  # km/s^2
            return np.concatenate([s[3:6], -mu * r / rn**3 + acc * u, [-un * tn / (ve_km_s * 1e3)],
                                   [un * acc]])

        sol = solve_ivp(rhs, (res.segment_t_s[i], res.segment_t_s[i + 1]), y, method="DOP853",
                        rtol=1e-12, atol=1e-9)
        y = sol.y[:, -1]
    return y


def test_independent_propagation_meets_target(rendezvous, states):
    # the bound is 1000 km and 1 m/s; this leg meets 20 km and 2 mm/s
    r0, v0, rf, vf, tof = states
    res = rendezvous
    assert res.converged and res.feasible
    y = _fly(res, r0, v0, GM_SUN_KM3_S2, thrust_n=0.5)
    assert np.linalg.norm(y[:3] - rf) < 20.0
    assert np.linalg.norm(y[3:6] - vf) * 1e3 < 2e-3
    assert abs(y[6] - res.final_mass_kg) < 1e-3
    # throttle and launch limits respected
    assert res.throttle.max() <= 1.0 + 1e-9
    assert np.linalg.norm(res.vinf_departure_km_s) <= 3.0 + 1e-9


def test_mass_monotonic_and_rocket_equation(rendezvous, states):
    r0, v0, rf, vf, tof = states
    res = rendezvous
    assert np.all(np.diff(res.mass_kg) <= 1e-12)
    y = _fly(res, r0, v0, GM_SUN_KM3_S2, thrust_n=0.5)
    dv_thrust_km_s = y[7]
    ve = G0_M_S2 * 3000.0
    # m_f = m0 exp(-Δv / ve) for the flown thrust history (Tsiolkovsky), to 1 g
    assert abs(res.final_mass_kg - 1000.0 * math.exp(-dv_thrust_km_s * 1e3 / ve)) < 1e-3
    assert res.dv_m_s == pytest.approx(dv_thrust_km_s * 1e3, rel=1e-6)
    # a minimum-propellant rendezvous is bang-bang: throttles at 0 or 1 but for a few switches
    mid = (res.throttle > 0.05) & (res.throttle < 0.95)
    assert mid.sum() <= 3


def test_zero_thrust_reproduces_lambert(states):
    # negligible thrust (1 nN) and free v∞ at both ends: the solution is the Lambert arc
    r0, v0, rf, vf, tof = states
    res = min_fuel_transfer(r0, v0, rf, vf, tof, m0_kg=1000.0, thrust_n=1e-9, isp_s=3000.0,
                            vinf_depart_max_km_s=10.0, vinf_arrive_max_km_s=20.0)
    v1, v2 = lambert(r0, rf, tof, GM_SUN_KM3_S2)
    assert res.feasible
    np.testing.assert_allclose(v0 + res.vinf_departure_km_s, v1, atol=1e-6)
    np.testing.assert_allclose(vf + res.vinf_arrival_km_s, v2, atol=1e-6)
    assert res.propellant_kg < 1e-6


def _edelbaum_case(tof_factor):
    """Coplanar circles 1.0 -> 1.2 AU at constant thrust, time of flight ``tof_factor`` times
    Edelbaum's burn time; the target's phase is that of a quasi-circular tangential spiral
    flown at the throttle ``1 / tof_factor`` for the whole flight (dθ/dt = v^3/mu,
    dv/dt = -T/(f m)), which ends on the outer circle at the time of flight."""
    mu = GM_SUN_KM3_S2
    r0n, r1n = AU_KM, 1.2 * AU_KM
    v0c, v1c = math.sqrt(mu / r0n), math.sqrt(mu / r1n)
    dv = float(edelbaum_dv_m_s(v0c * 1e3, v1c * 1e3, 0.0))
    m0, thrust, isp = 1000.0, THRUST_EDELBAUM_N, 3000.0
    t_burn = float(constant_thrust_burn_time_s(dv, m0, thrust, isp))
    mdot = thrust / (G0_M_S2 * isp) / tof_factor

    def v_of_t(t):
        return v0c - G0_M_S2 * isp * math.log(m0 / (m0 - mdot * t)) * 1e-3

    theta = quad(lambda t: v_of_t(t) ** 3 / mu, 0.0, t_burn * tof_factor)[0]
    r0 = np.array([r0n, 0.0, 0.0])
    v0 = np.array([0.0, v0c, 0.0])
    rf = r1n * np.array([math.cos(theta), math.sin(theta), 0.0])
    vf = v1c * np.array([-math.sin(theta), math.cos(theta), 0.0])
    return r0, v0, rf, vf, t_burn * tof_factor, dv, m0, thrust, isp


def _hohmann_m_s(a_km, b_km):
    mu = GM_SUN_KM3_S2
    at = 0.5 * (a_km + b_km)
    return (math.sqrt(mu * (2 / a_km - 1 / at)) - math.sqrt(mu / a_km)
            + math.sqrt(mu / b_km) - math.sqrt(mu * (2 / b_km - 1 / at))) * 1e3


def test_edelbaum_limit_and_too_short():
    # ~1-revolution spiral 1.0 -> 1.2 AU, 0.09 N, 1000 kg, Isp 3000 s, 1.2 x Edelbaum's burn
    # time (383 days): the minimum-propellant Δv lies between Hohmann's impulsive bound and
    # Edelbaum's continuous-thrust closed form, and within 0.5 % of Edelbaum's (quasi-circular
    # limit; measured 2598.9 vs 2595.1 m/s, +0.15 %; at 1.5 x: 2596.0, +0.03 %)
    r0, v0, rf, vf, tof, dv_edelbaum, m0, thrust, isp = _edelbaum_case(1.2)
    res = min_fuel_transfer(r0, v0, rf, vf, tof, m0_kg=m0, thrust_n=thrust, isp_s=isp, n_segments=48)
    assert res.feasible
    assert _hohmann_m_s(AU_KM, 1.2 * AU_KM) < res.dv_m_s
    assert res.dv_m_s == pytest.approx(dv_edelbaum, rel=0.005)
    # 80 % of the Edelbaum time is too short: reported, not raised
    r0, v0, rf, vf, tof, *_ = _edelbaum_case(0.8)
    short = min_fuel_transfer(r0, v0, rf, vf, tof, m0_kg=m0, thrust_n=thrust, isp_s=isp, n_segments=48)
    assert not short.feasible and not short.converged
    assert short.miss_position_km > 1000.0
    assert "closest miss" in short.message


@pytest.mark.slow
@pytest.mark.xfail(strict=True, reason=(
    "open, probably infeasible: with 5 % spare time (1.05 x Edelbaum's burn time) the target on "
    "the quasi-circular spiral's phase is missed: measured feasible=False, closest miss 4.0e5 km / "
    "192 m/s (1.1 x: 5.4e4 km / 15 m/s; 1.2 x solves). Continuing the minimum-propellant solution "
    "in the thrust from 1.3 x (Δv 2617.5 m/s) loses feasibility at 1.11 x the thrust with every "
    "segment at full throttle (1.1 x case: at 1.02 x), so the real spiral's eccentricity makes "
    "this phase unreachable rather than the first guess failing; not proved"))
def test_edelbaum_limit_tight_time():
    r0, v0, rf, vf, tof, dv_edelbaum, m0, thrust, isp = _edelbaum_case(1.05)
    res = min_fuel_transfer(r0, v0, rf, vf, tof, m0_kg=m0, thrust_n=thrust, isp_s=isp, n_segments=48)
    assert res.feasible
    assert _hohmann_m_s(AU_KM, 1.2 * AU_KM) < res.dv_m_s
    assert res.dv_m_s == pytest.approx(dv_edelbaum, rel=0.03)


@pytest.mark.parametrize("kw, field", [({"m0_kg": 0.0}, "m0_kg"), ({"thrust_n": -1.0}, "thrust_n"),
                                       ({"isp_s": 0.0}, "isp_s"), ({"m0_kg": float("nan")}, "m0_kg")])
def test_bad_input_one_line(states, kw, field):
    r0, v0, rf, vf, tof = states
    args = {"m0_kg": 1000.0, "thrust_n": 0.5, "isp_s": 3000.0}
    args.update(kw)
    with pytest.raises(ConfigError) as exc:
        min_fuel_transfer(r0, v0, rf, vf, tof, **args)
    msg = str(exc.value)
    assert field in msg and "\n" not in msg


def test_solar_electric_power_law():
    from msrsim.kernels.lowthrust_leg import thrust_available
    from msrsim.lowthrust.transfer import MU_SUN, _build

    sep = SolarElectricParams(array_power_1au_w=20000.0, bus_power_w=1000.0, engine_count=2,
                              power_per_engine_w=5000.0, thrust_per_engine_n=0.2, isp_s=3000.0,
                              duty_cycle=0.9, degradation_per_year=0.0)
    p = _build([AU_KM, 0, 0], [0, 30, 0], [1.5 * AU_KM, 0, 0], [0, 24, 0], 1e7, 1000.0, None, None, MU_SUN,
               10, 0.0, 0.0, None, sep)
    for d_au in (1.0, 1.3, 1.5, 2.0, 3.0):
        t_nd, _ = thrust_available(d_au, 0.0, p.prm)
        thrust = t_nd * p.thrust_scale_n
        power = 20000.0 / d_au**2 - 1000.0
        expect = 0.9 * 0.4 * min(power / 10000.0, 1.0)
        # the rounded ceiling is within eps/2 = 0.5 % of the sharp one
        assert thrust == pytest.approx(expect, rel=6e-3, abs=1e-9)
    assert thrust_available(5.0, 0.0, p.prm)[0] == 0.0  # 800 W < the 1 kW bus: no thrust
    assert sep.efficiency == pytest.approx(0.2 * G0_M_S2 * 3000.0 / 10000.0)


def test_solar_electric_transfer_thrust_follows_power(states):
    r0, v0, rf, vf, tof = states
    sep = SolarElectricParams(array_power_1au_w=12000.0, bus_power_w=500.0, engine_count=2)
    res = solar_electric_transfer(r0, v0, rf, vf, tof, m0_kg=1000.0, sep=sep, vinf_depart_max_km_s=3.0,
                                  vinf_arrive_max_km_s=3.5)
    assert res.feasible
    # below the 10 kW ceiling the available thrust follows the array power
    low = res.power_w < 0.9 * sep.power_cap_w
    assert low.any()
    ratio = res.thrust_available_n[low] / res.power_w[low]
    # (the ceiling is rounded with eps = 0.01: at 10 % below it the thrust is 3e-4 low)
    np.testing.assert_allclose(ratio, sep.duty_cycle * sep.thrust_cap_n / sep.power_cap_w, rtol=1e-3)
    d_au = np.linalg.norm(res.r_km, axis=1) / AU_KM
    years = res.t_s / (365.25 * SECONDS_PER_DAY)
    expect = 12000.0 * (1.0 - sep.degradation_per_year) ** years / d_au**2 - 500.0  # inverse square
    np.testing.assert_allclose(res.power_w, expect, rtol=1e-12)


def test_ero_cruise_and_table():
    from msrsim.lowthrust.ero import ero_cruise, ero_cruise_table
    from msrsim.timescales import utc_to_tdb

    td = float(utc_to_tdb(DEPART_UTC))
    ta = float(utc_to_tdb(ARRIVE_UTC))
    c = ero_cruise(td, ta)
    assert c.converged
    assert c.launch_c3_km2_s2 <= 10.0 + 1e-6
    assert c.xenon_kg == pytest.approx(c.launch_mass_kg - c.final_mass_kg)
    # Mars-relative arrival v∞ consistent with the trajectory's end velocity (ICRF)
    from msrsim.ephemeris import planet_state

    _, vm = planet_state("mars", ta)
    np.testing.assert_allclose(c.transfer.v_km_s[-1] - vm, c.arrival_vinf_km_s, atol=1e-6)
    # impulsive MOI with the OIM's Isp (rocket equation)
    assert c.mass_after_moi_kg == pytest.approx(c.final_mass_kg * math.exp(-c.moi_dv_m_s / (G0_M_S2 * 318.0)))
    tab = ero_cruise_table(td + np.array([-4.0, 0.0, 4.0]) * SECONDS_PER_DAY, ta)
    assert tab.feasible.all()
    at = tab.at(np.array([td, td - 2 * SECONDS_PER_DAY]))
    assert at["feasible"].all()
    # the table's middle node is the same problem as the direct solve (local optima aside)
    assert at["mass_after_moi_kg"][0] == pytest.approx(c.mass_after_moi_kg, rel=0.01)


def test_against_pykep_sims_flanagan():
    # Peer: pykep 3.0.1's Sims-Flanagan leg (30 midpoint impulses, trajopt.sf_point2point)
    # on the same Earth->Mars rendezvous from the same launch state, solved by scipy's
    # SLSQP from our control. Continuous thrust vs impulses: the final masses agree within
    # 2 % of the propellant (measured 0.6 %). pykep is a test dependency: this fails, not
    # skips, without it. It runs in a child process (pykep 3.0.1 can abort at exit).
    import json
    import os
    import subprocess
    import sys

    bench = os.path.join(os.path.dirname(__file__), "..", "benchmarks", "bench_lowthrust.py")
    proc = subprocess.run([sys.executable, bench, "--peer-json"], capture_output=True, text=True, timeout=300)
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
    assert lines, f"pykep peer run failed: {proc.stderr[-2000:]}"
    out = json.loads(lines[-1])
    assert out["ours_converged"] and out["pykep_success"]
    assert out["pykep_miss_km"] < 1.0 and out["pykep_miss_km_s"] < 1e-6
    prop_peer = 1000.0 - out["pykep_final_mass_kg"]
    assert abs(out["ours_final_mass_kg"] - out["pykep_final_mass_kg"]) < 0.02 * prop_peer


def test_too_short_tof_reported_with_closest_miss(states):
    r0, v0, rf, vf, tof = states
    res = min_fuel_transfer(r0, v0, rf, vf, 60 * SECONDS_PER_DAY, m0_kg=1000.0, thrust_n=0.5, isp_s=3000.0,
                            vinf_depart_max_km_s=3.0)
    assert not res.feasible and not res.converged
    assert res.miss_position_km > 1000.0 and math.isfinite(res.miss_position_km)
    assert "closest miss" in res.message
    assert res.throttle.max() <= 1.0 + 1e-9


def test_cli_lowthrust_json_and_bad_config(tmp_path, capsys):
    import json

    from msrsim.cli import main

    cfg = tmp_path / "lt.yaml"
    cfg.write_text("m0_kg: 1000\nc3_max_km2_s2: 9\nvinf_arrive_max_km_s: 3.5\nn_segments: 20\n")
    rc = main(["lowthrust", "--from", "earth", "--to", "mars", "--depart", DEPART_UTC, "--arrive", ARRIVE_UTC,
               "--config", str(cfg), "--json", "--out", str(tmp_path)])
    assert rc == 0
    out = json.loads(capsys.readouterr().out)
    for key in ("final_mass_kg", "propellant_kg", "dv_m_s", "tof_days", "converged"):
        assert key in out
    assert out["converged"] and out["tof_days"] == pytest.approx(274.0)
    assert (tmp_path / "lowthrust_earth_mars.png").exists()
    bad = tmp_path / "bad.yaml"
    bad.write_text("sep:\n  isp_s: -1\n")
    rc = main(["lowthrust", "--depart", DEPART_UTC, "--arrive", ARRIVE_UTC, "--config", str(bad),
                                                                                            "--no-plot"])
    err = capsys.readouterr().err
    assert rc == 2 and "isp_s" in err and err.count("\n") == 1


def test_porkchop_continuation_matches_individual_solves():
    # 5 x 5 cells (2-day steps) around the 2028/29 opportunity: one SLSQP seed, every other
    # cell continued on the optimality conditions; cells agree with independent SLSQP
    # solves (body_transfer, same 20 segments) within 50 g of final mass (measured 0.06 g;
    # ~200 kg of propellant, so 0.03 %) and use the same launch energy
    from msrsim.lowthrust.legs import body_transfer, lowthrust_porkchop
    from msrsim.timescales import utc_to_tdb

    d0 = float(utc_to_tdb("2028-11-25"))
    depart = d0 + np.arange(5) * 2.0 * SECONDS_PER_DAY
    tofs = 262.0 + 2.0 * np.arange(5)
    kw = dict(m0_kg=1000.0, thrust_n=0.5, isp_s=3000.0, c3_max_km2_s2=9.0)
    g = lowthrust_porkchop("earth", "mars", depart, tofs, **kw)
    assert g.feasible.all()
    assert g.slsqp_cell.sum() == 1  # the rest by continuation
    # more time of flight and a later departure (towards the optimum) give more final mass here
    assert np.all(np.diff(g.final_mass_kg, axis=1) > 0) and np.all(np.diff(g.final_mass_kg, axis=0) > 0)
    for i, j in [(0, 0), (4, 4), (0, 4)]:
        r = body_transfer("earth", "mars", depart[i], depart[i] + tofs[j] * SECONDS_PER_DAY, n_segments=20,
                          **kw)
        assert r.converged
        assert g.final_mass_kg[i, j] == pytest.approx(r.final_mass_kg, abs=0.05)
        c3 = float(r.vinf_departure_km_s @ r.vinf_departure_km_s)
        assert g.c3_km2_s2[i, j] == pytest.approx(c3, abs=1e-3)
        np.testing.assert_allclose(g.vinf_arrive_vec_km_s[i, j], 0.0, atol=1e-5)  # rendezvous


@pytest.fixture(scope="module")
def ero_2028():
    """The 2028-12-01 ERO launch, arrivals 2029-07-01..2029-12-01, 2 engines firing."""
    from msrsim.lowthrust.ero import ero_opportunity_cruise
    from msrsim.marsorbit.params import EROParams
    from msrsim.timescales import utc_to_tdb

    ero = EROParams(ep_engine_count=2)
    td = float(utc_to_tdb("2028-12-01"))
    window = (float(utc_to_tdb("2029-07-01")), float(utc_to_tdb("2029-12-01")))
    return td, window, ero, ero_opportunity_cruise(td, window, ero)


def test_ero_opportunity_cruise_best_arrival(ero_2028):
    # one launch (2028-12-01), arrivals searched over 2029-07-01..2029-12-01: the chosen cruise
    # equals an independent SLSQP solve (ero_cruise) at the chosen dates within 1 kg of mass
    # after MOI (measured 0.1 kg) and 0.05 km/s of arrival v∞; it is the best of its grid.
    # 2 engines firing (the ERO default was 2 when this was measured; with the default's 4
    # the leg has several local optima and one cold SLSQP solve can land 1.6 t lower)
    import time

    from msrsim.ephemeris import planet_state
    from msrsim.lowthrust.ero import ero_cruise, ero_opportunity_cruise

    td, window, ero, o = ero_2028
    assert o.feasible and o.converged
    assert window[0] <= o.arrive_tdb_s <= window[1]
    assert o.mass_after_moi_kg >= np.nanmax(o.mass_after_moi_grid_kg) - 1e-6
    assert o.xenon_kg == pytest.approx(ero.launch_mass_kg - o.final_mass_kg)
    assert o.launch_c3_km2_s2 <= 10.0 + 1e-6
    assert o.mass_after_moi_kg == pytest.approx(o.final_mass_kg * math.exp(-o.moi_dv_m_s / (G0_M_S2 * 318.0)))
    ref = ero_cruise(td, o.arrive_tdb_s, ero, n_segments=20)
    assert ref.feasible
    assert o.mass_after_moi_kg == pytest.approx(ref.mass_after_moi_kg, abs=1.0)
    np.testing.assert_allclose(o.arrival_vinf_km_s, ref.arrival_vinf_km_s, atol=0.05)
    _, vm = planet_state("mars", o.arrive_tdb_s)
    np.testing.assert_allclose(ref.transfer.v_km_s[-1] - vm, o.arrival_vinf_km_s, atol=0.05)
    t0 = time.perf_counter()
    assert ero_opportunity_cruise(td, window, ero) is o  # cached
    assert time.perf_counter() - t0 < 0.5
    with pytest.raises(ConfigError) as exc:
        ero_opportunity_cruise(td, (window[1], window[0]), ero)
    assert "arrive_window_tdb_s" in str(exc.value) and "\n" not in str(exc.value)


def test_ero_opportunity_choice_within_a_range(ero_2028):
    """``choose_between_tdb_s`` restricts the choice, not the search: the same grid, an
    arrival inside the range, at least the best grid mass inside it and at most the
    unrestricted choice's; the whole window reproduces the default choice exactly."""
    from msrsim.lowthrust.ero import ero_opportunity_cruise

    td, window, ero, o = ero_2028
    feas = np.isfinite(o.mass_after_moi_grid_kg)
    t_mid = float(o.arrive_grid_tdb_s[feas][feas.sum() // 2])
    assert t_mid < o.arrive_tdb_s  # the range leaves the unrestricted choice out
    r = ero_opportunity_cruise(td, window, ero, choose_between_tdb_s=(window[0], t_mid))
    assert r.feasible and window[0] <= r.arrive_tdb_s <= t_mid
    np.testing.assert_array_equal(r.mass_after_moi_grid_kg, o.mass_after_moi_grid_kg)
    inside = feas & (o.arrive_grid_tdb_s <= t_mid)
    assert r.mass_after_moi_kg >= np.max(o.mass_after_moi_grid_kg[inside]) - 1e-6
    assert r.mass_after_moi_kg <= o.mass_after_moi_kg + 1e-6
    assert r.choose_between_tdb_s == (window[0], t_mid)
    whole = ero_opportunity_cruise(td, window, ero, choose_between_tdb_s=window)
    assert whole.arrive_tdb_s == o.arrive_tdb_s and whole.mass_after_moi_kg == o.mass_after_moi_kg
    with pytest.raises(ConfigError) as exc:
        ero_opportunity_cruise(td, window, ero, choose_between_tdb_s=(t_mid, window[0]))
    assert "choose_between_tdb_s" in str(exc.value) and "\n" not in str(exc.value)
    none = ero_opportunity_cruise(td, window, ero, choose_between_tdb_s=(window[0] - 9e6, window[0] - 8e6))
    assert not none.feasible and np.isnan(none.arrive_tdb_s)


def test_ero_opportunity_trajectory_flies_the_chosen_cruise(ero_2028):
    """The stored control of the chosen cruise, integrated independently (DOP853, the
    solar-electric law written out here from SolarElectricParams' documented formula),
    reaches DE421's Mars at the chosen arrival within 20 km (the issue's bound is 1000 km;
    measured 13 km, the compiled RK4's error over the 9-month leg) with the reported arrival
    v∞ (1 m/s) and final mass (0.1 kg); ero_opportunity_trajectory's dense states agree."""
    from msrsim.ephemeris import planet_state
    from msrsim.lowthrust.ero import ero_opportunity_trajectory

    td, window, ero, o = ero_2028
    tr = ero_opportunity_trajectory(o, ero)
    assert tr.feasible and tr.control.shape == (20, 3)
    r0, v0 = planet_state("earth", td)
    rm, vm = planet_state("mars", o.arrive_tdb_s)
    sep = SolarElectricParams.from_ero(ero)

    def thrust_n(rn_km, t_s):
        p_w = (sep.array_power_1au_w * (1.0 - sep.degradation_per_year) ** (t_s / (365.25 * SECONDS_PER_DAY))
               / (rn_km / AU_KM) ** sep.power_exponent - sep.bus_power_w)
        a = p_w / sep.power_cap_w
        if a <= 0.0:
            return 0.0
        smooth_min = 0.5 * (a + 1.0 - math.sqrt((a - 1.0) ** 2 + 0.01**2))  # min(a, 1), rounded by 0.01
        return sep.duty_cycle * sep.thrust_cap_n * max(smooth_min, 0.0)

    y = _fly(tr, r0, v0, GM_SUN_KM3_S2, thrust_of_r=thrust_n)
    assert np.linalg.norm(y[:3] - rm) < 20.0
    np.testing.assert_allclose(y[3:6] - vm, o.arrival_vinf_km_s, atol=1e-3)
    assert y[6] == pytest.approx(o.final_mass_kg, abs=0.1)
    assert float(o.vinf_departure_km_s @ o.vinf_departure_km_s) == pytest.approx(o.launch_c3_km2_s2, abs=1e-9)
    np.testing.assert_allclose(tr.r_km[0], r0, atol=1e-6)
    assert np.linalg.norm(tr.r_km[-1] - y[:3]) < 20.0
    with pytest.raises(ConfigError, match="no solved cruise"):
        ero_opportunity_trajectory(dataclasses.replace(o, feasible=False), ero)


def test_ero_opportunity_2027_launch_four_engines():
    # the fall-2027 ERO launch (2027-08-01) with 4 engines firing (20 kW): legs of ~1.5
    # revolutions whose seeds the continuation could not settle; the search must find the 2029
    # arrivals (an independent SLSQP solve found 2027-08-01 -> 2029-07-01 feasible, 1108 kg of
    # xenon); the chosen arrival is confirmed feasible by an independent cold SLSQP solve and
    # is at least as good as it; measured: all 10 arrivals 2029-06-01..08-30 feasible, best at
    # the window's end, 810 kg of xenon, v∞ 2.42 km/s, 4377.5 kg after MOI
    from msrsim.lowthrust.ero import ero_cruise, ero_opportunity_cruise
    from msrsim.marsorbit.params import EROParams
    from msrsim.timescales import utc_to_tdb

    ero = EROParams(ep_engine_count=4)
    td = float(utc_to_tdb("2027-08-01"))
    window = (float(utc_to_tdb("2029-06-01")), float(utc_to_tdb("2029-08-30")))
    o = ero_opportunity_cruise(td, window, ero, step_days=10.0)
    assert o.feasible and o.engine_count == 4
    assert window[0] <= o.arrive_tdb_s <= window[1]
    j = int(np.argmin(np.abs(o.arrive_grid_tdb_s - float(utc_to_tdb("2029-07-01")))))
    assert np.isfinite(o.mass_after_moi_grid_kg[j])
    assert o.launch_c3_km2_s2 <= 10.0 + 1e-6
    assert o.xenon_kg == pytest.approx(ero.launch_mass_kg - o.final_mass_kg)
    assert o.mass_after_moi_kg == pytest.approx(o.final_mass_kg * math.exp(-o.moi_dv_m_s / (G0_M_S2 * 318.0)))
    ref = ero_cruise(td, o.arrive_tdb_s, ero, n_segments=20)
    assert ref.feasible
    assert o.mass_after_moi_kg >= ref.mass_after_moi_kg - 1e-6
