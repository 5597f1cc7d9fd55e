"""MAV ascent: integrator invariants, Δv budget vs the published analysis, guidance, Monte Carlo,
bad input."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from msrsim.ascent import _dynamics as K
from msrsim.ascent import core
from msrsim.ascent.guidance import design_guidance
from msrsim.ascent.montecarlo import run_monte_carlo
from msrsim.ascent.params import (
    AscentConfig,
    AscentDispersions,
    AscentTarget,
    GuidanceParams,
    IntegratorSettings,
    LaunchSite,
    MAVParams,
    make_config,
)
from msrsim.bodies import MARS
from msrsim.errors import ConfigError

MU = MARS.mu_m3_s2


@pytest.fixture(scope="module")
def nominal():
    cfg = AscentConfig()
    return cfg, design_guidance(cfg)


def _ballistic_row(cfg):
    """A row with thrust and drag switched off: a ballistic arc from 300 km altitude."""
    P = core.nominal_row(cfg, GuidanceParams())
    P[K.I_ALT] = 300e3
    P[K.I_EJECT_V] = 1500.0
    P[K.I_IGN_DELAY] = 0.0
    P[K.I_PROP1] = 1e-12
    P[K.I_PROP2] = 1e-12
    P[K.I_DROP1] = 0.0
    P[K.I_RHO_SCALE] = 0.0
    P[K.I_APO_LEAD] = -1.0
    P[K.I_COAST] = 600.0
    return P


def test_two_body_energy_and_angular_momentum_conserved():
    # Invariants of the two-body problem (J2 = 0): specific energy and angular momentum.
    cfg = AscentConfig()
    inp = core.kernel_inputs(cfg)
    body = inp.body.copy()
    body[3] = 0.0
    P = _ballistic_row(cfg)
    out = np.empty(K.N_OUT)
    hist = np.empty((1, K.N_HIST))
    K.fly(P, body, *inp.args()[1:], out, hist, False)
    assert out[K.O_STATUS] == K.STATUS_OK
    tb = cfg.mav.srm1.burn_time_s + cfg.mav.srm2.burn_time_s
    assert out[K.O_T_END] == pytest.approx(0.0 + tb + 600.0, abs=1e-9)
    lat, lon = math.radians(cfg.site.lat_deg), math.radians(cfg.site.lon_deg)
    from msrsim.kernels.geodesy import geodetic_to_fixed_array

    r0 = geodetic_to_fixed_array(lat, lon, 300e3, MARS.r_eq_m, MARS.flattening)
    up = np.array([math.cos(lat) * math.cos(lon), math.cos(lat) * math.sin(lon), math.sin(lat)])
    v0 = np.cross([0, 0, MARS.omega_rad_s], r0) + 1500.0 * up
    r1, v1 = out[0:3], out[3:6]

    def energy(r, v):
        return 0.5 * v @ v - MU / np.linalg.norm(r)

    assert abs(energy(r1, v1) - energy(r0, v0)) < 1e-6 * abs(energy(r0, v0))  # J/kg
    h0, h1 = np.cross(r0, v0), np.cross(r1, v1)
    assert np.linalg.norm(h1 - h0) < 1e-8 * np.linalg.norm(h0)


def test_j2_energy_and_polar_angular_momentum_conserved():
    # With J2 the force is still conservative and axisymmetric: E (with the J2 potential) and h_z.
    cfg = AscentConfig()
    inp = core.kernel_inputs(cfg)
    P = _ballistic_row(cfg)
    out = core.run_batch(P, inp)[0]

    def energy(r, v):
        rn = np.linalg.norm(r)
        s = r[2] / rn
        u = -MU / rn * (1 - MARS.j2 * (MARS.r_eq_m / rn) ** 2 * 0.5 * (3 * s * s - 1))
        return 0.5 * v @ v + u

    lat, lon = math.radians(cfg.site.lat_deg), math.radians(cfg.site.lon_deg)
    from msrsim.kernels.geodesy import geodetic_to_fixed_array

    r0 = geodetic_to_fixed_array(lat, lon, 300e3, MARS.r_eq_m, MARS.flattening)
    up = np.array([math.cos(lat) * math.cos(lon), math.cos(lat) * math.sin(lon), math.sin(lat)])
    v0 = np.cross([0, 0, MARS.omega_rad_s], r0) + 1500.0 * up
    r1, v1 = out[0:3], out[3:6]
    assert abs(energy(r1, v1) - energy(r0, v0)) < 1e-6 * abs(energy(r0, v0))
    assert abs(np.cross(r1, v1)[2] - np.cross(r0, v0)[2]) < 1e-8 * np.linalg.norm(np.cross(r0, v0))


def test_dv_budget_identity_closes(nominal):
    # Δv_thrust = v_f + G + D + S − R + other is an exact identity of the dynamics; its
    # residual is integration error only.
    cfg, design = nominal
    o = design.orbit
    assert abs(o["closure_m_s"]) < 0.05
    # the total is the rocket-equation Δv of the (undispersed) vehicle: all propellant burns
    assert o["dv_total_m_s"] == pytest.approx(cfg.mav.ideal_dv_m_s, abs=0.05)
    # rotation benefit ≈ ω r cos(lat) sin(az) at injection: between 200 and 270 m/s at Jezero
    assert 200.0 < o["dv_rotation_benefit_m_s"] < 270.0


def _split_vehicle(payload):
    """Harris's motor technology (FACTS.md §8: Isp, thrust levels, inert masses) with the
    propellant split moved so that SRM2 carries 6 % of it: a circularisation-sized upper
    stage (Whitehead's point is that a large upper stage forces a lofted, lossy ascent)."""
    h = MAVParams()
    total = h.srm1.propellant_kg + h.srm2.propellant_kg
    p2 = 0.06 * total
    p1 = total - p2
    return h.model_copy(update=dict(
        payload_kg=payload,
        srm1=h.srm1.model_copy(update=dict(propellant_kg=p1, burn_time_s=76.0 * p1 / h.srm1.propellant_kg)),
        srm2=h.srm2.model_copy(update=dict(propellant_kg=p2,
                                           burn_time_s=24.45 * p2 / h.srm2.propellant_kg))))


_EQ_SITE = LaunchSite(lat_deg=0.0, lon_deg=0.0, elevation_m=0.0)


def _eq_target(alt_km):
    # 1° rather than 0°: the inclination residual is not smooth at 0; cos 1° = 0.99985, so
    # the rotation benefit changes by < 0.1 m/s
    return AscentTarget(periapsis_alt_km=alt_km, apoapsis_alt_km=alt_km, inclination_deg=1.0)


@pytest.fixture(scope="module")
def max_payload_350():
    cfg = AscentConfig(mav=_split_vehicle(5.0), site=_EQ_SITE, target=_eq_target(350.0))
    return cfg, design_guidance(cfg, n_nodes=0, maximise_payload=True, payload_tol_kg=0.1)


@pytest.mark.validation
@pytest.mark.xfail(strict=True, reason=(
    "known gap: msrsim needs 3761 m/s (+6.1 %) against Whitehead's 3545 m/s (JSR 42(6) 2005) "
    "from the surface to 350 km; tolerance 5 %. msrsim's gravity loss is 556 m/s (400 m/s in "
    "the coast) against the published 203 m/s: an impulsive Hohmann climb alone costs 340 m/s "
    "over the circular speed, so the published gravity term likely excludes the coast climb"))
def test_dv_budget_against_published_analysis(max_payload_350):
    """Jaron (2005) / Whitehead (JSR 42(6) 2005), FACTS.md §3: 3545 m/s from the surface to a
    350 km orbit (validation case whitehead_ascent_dv in docs/validation.md).

    Comparable assumptions: equatorial site at 0 m, due-east launch into a 350 km circular
    near-equatorial orbit, on the 6 %-upper-stage vehicle of ``_split_vehicle``. The payload
    is maximised so that the vehicle has exactly the Δv the ascent needs (no Δv wasted in
    steering), which is what a published budget quotes. Tolerance 5 %: Whitehead's vehicle
    is not published in full.
    """
    cfg, d = max_payload_350
    published = 3545.0  # m/s, FACTS.md §3
    need = _split_vehicle(d.payload_kg).ideal_dv_m_s
    assert abs(need - published) / published < 0.05, need


def test_rotation_benefit_at_the_equator(max_payload_350):
    # due east from the equator: the benefit is ω r at injection (published budget: 241 m/s,
    # ω R at the surface; msrsim counts it at 350 km)
    cfg, d = max_payload_350
    assert d.converged
    assert d.orbit["dv_rotation_benefit_m_s"] == pytest.approx(
        MARS.omega_rad_s * (MARS.r_eq_m + 350e3), abs=3.0)


def test_max_payload_brackets_feasibility_and_falls_with_altitude(max_payload_350):
    """The maximised payload is the feasibility boundary: 0.3 kg less reaches the target,
    0.3 kg more does not; and a lower orbit takes more payload: the heavier vehicle that
    misses 350 km reaches 200 km (rocket equation: ~150 km lower saves ~65 m/s, several kg)."""
    cfg, d = max_payload_350
    m = d.payload_kg
    assert 0.0 < m < 60.0
    lighter = design_guidance(cfg.model_copy(update={"mav": _split_vehicle(m - 0.3)}), n_nodes=0)
    heavy_cfg = cfg.model_copy(update={"mav": _split_vehicle(m + 0.3)})
    heavier = design_guidance(heavy_cfg, n_nodes=0)
    assert lighter.converged
    assert not heavier.converged and heavier.orbit["target_dv_m_s"] > 0.1
    low = design_guidance(heavy_cfg.model_copy(update={"target": _eq_target(200.0)}), n_nodes=0)
    assert low.converged


def test_step_size_convergence(nominal):
    # At OS separation, the default steps (1 s burns after SRM1's graded first 8 s, 4 s
    # coast) agree with a reference 8x finer in both (0.125 s / 0.5 s) within 3 m and
    # 1 cm/s (measured 0.9 m, 1 mm/s), and halving the burn step shrinks the error to
    # < 0.5 m (measured 0.11 m: RK4's fourth order, now that the only kinks left in the
    # right-hand side end a step); doubling it (2 s) costs tens of metres (measured 69 m).
    cfg, design = nominal
    inp = core.kernel_inputs(cfg)
    rows = []
    for dtb, dtc in ((2.0, 4.0), (1.0, 4.0), (0.5, 4.0), (0.125, 0.5)):
        c = cfg.model_copy(update={"integrator": IntegratorSettings(dt_burn_s=dtb, dt_coast_s=dtc)})
        rows.append(core.nominal_row(c, design.guidance))
    out = core.run_batch(np.array(rows), inp)
    err = [np.linalg.norm(o[0:3] - out[3, 0:3]) for o in out[:3]]
    assert err[1] < 3.0 and err[2] < 0.5 and err[0] > 4 * err[1]  # m
    assert np.linalg.norm(out[1, 3:6] - out[3, 3:6]) < 0.01  # m/s


def test_batch_equals_single(nominal):
    cfg, design = nominal
    mc_rows = __import__("msrsim.ascent.montecarlo", fromlist=["x"]).dispersed_rows(
        cfg, design.guidance, 8, np.random.default_rng(3))
    inp = core.kernel_inputs(cfg)
    batch = core.run_batch(mc_rows, inp)
    for k in range(8):
        single, _ = core.run_single_history(mc_rows[k], inp, max_rows=100_000)
        np.testing.assert_array_equal(batch[k], single)


def test_default_design_reaches_mav_sim_target(nominal):
    # Default: MAV_sim vehicle to its own 300 km × 25° target (FACTS.md §8) from Jezero.
    cfg, d = nominal
    o = d.orbit
    assert cfg.mav.name == "mav-sim-2022"
    assert d.converged, o
    assert abs(o["periapsis_alt_km"] - 300.0) < 1.0 and abs(o["apoapsis_alt_km"] - 300.0) < 1.0
    assert abs(o["inclination_deg"] - 25.0) < 0.01
    assert o["target_dv_m_s"] < 0.5


def test_harris_vehicle_falls_short_of_harris_target():
    """Documented result: the Harris vehicle (FACTS.md §8) with drag cannot reach its own
    343 km × 25° target from Jezero; the shortfall is reported in m/s, it is small (the
    vehicle lacks < 2 % of its Δv), and the best orbit has an apoapsis near the target."""
    cfg = AscentConfig(mav=MAVParams.harris(), target=AscentTarget.harris())
    d = design_guidance(cfg, n_nodes=0)
    o = d.orbit
    assert not d.converged
    assert 3.0 < o["target_dv_m_s"] < 40.0  # m/s
    assert o["apoapsis_alt_km"] > 300.0 and 200.0 < o["periapsis_alt_km"] < 336.3


def test_unreachable_orbit_is_an_outcome():
    # A MAV with a 120 kg payload cannot reach orbit: best orbit and shortfall, no NaN, no raise.
    cfg = AscentConfig(mav=MAVParams(payload_kg=120.0))
    d = design_guidance(cfg, max_nfev=15)
    assert not d.converged
    o = d.orbit
    assert not o["orbit_ok"]
    assert o["shortfall_m_s"] > 100.0 and math.isfinite(o["shortfall_m_s"])
    assert all(math.isfinite(v) for k, v in o.items() if isinstance(v, float) and k != "apoapsis_alt_km")


def test_monte_carlo_seeded_and_zero_dispersion(nominal):
    cfg, design = nominal
    a = run_monte_carlo(cfg, design.guidance, 64, seed=11)
    b = run_monte_carlo(cfg, design.guidance, 64, seed=11)
    np.testing.assert_array_equal(a.orbits["periapsis_alt_km"], b.orbits["periapsis_alt_km"])
    assert a.orbits["periapsis_alt_km"].std() > 1.0  # dispersions do something (km)
    # the reported probability counts trials whose delivered periapsis clears the target's
    # minimum (recomputed from the periapsis column, not from the code's own flag)
    hp = a.orbits["periapsis_alt_km"]
    ok = np.isfinite(hp) & (hp >= cfg.target.min_periapsis_alt_km) & (a.orbits["e"] < 1.0)
    assert a.p_orbit_ok == pytest.approx(np.mean(ok))
    cfg0 = cfg.model_copy(update={"dispersions": AscentDispersions.none()})
    z = run_monte_carlo(cfg0, design.guidance, 4, seed=1)
    np.testing.assert_allclose(z.orbits["periapsis_alt_km"], design.orbit["periapsis_alt_km"], atol=1e-6)


@settings(max_examples=40, deadline=None)
@given(lat=st.floats(-1.5, 1.5), lon=st.floats(-3.1, 3.1), alt=st.floats(-8e3, 2e6))
def test_fast_altitude_matches_geodesy(lat, lon, alt):
    from msrsim.kernels.geodesy import fixed_to_geodetic, geodetic_to_fixed

    x, y, z = geodetic_to_fixed(lat, lon, alt, MARS.r_eq_m, MARS.flattening)
    ref = fixed_to_geodetic(x, y, z, MARS.r_eq_m, MARS.flattening)[2]
    assert abs(K._altitude(x, y, z, MARS.r_eq_m, MARS.flattening) - ref) < 1e-3  # m


@settings(max_examples=30, deadline=None)
@given(v=st.floats(-1e3, 0.0, exclude_max=True))
def test_bad_propellant_is_one_line_error(v):
    with pytest.raises(ConfigError) as e:
        make_config({"mav": {"srm1": {"propellant_kg": v, "inert_kg": 60, "isp_s": 285,
                                      "burn_time_s": 76}}})
    msg = str(e.value)
    assert "propellant_kg" in msg and "\n" not in msg


def test_bad_inputs_name_field_and_value():
    with pytest.raises(ConfigError, match="payload_kg=-1"):
        MAVParams(payload_kg=-1.0)
    with pytest.raises(ConfigError, match="apoapsis_alt_km"):
        AscentTarget(periapsis_alt_km=400, apoapsis_alt_km=300)
    with pytest.raises(ConfigError, match="lat_deg"):
        LaunchSite(lat_deg=95.0)
    with pytest.raises(ConfigError, match="'site.latitude' is not a known field; allowed: lat_deg, lon_deg"):
        make_config({"site": {"latitude": 3}})
    with pytest.raises(ConfigError, match="mav.preset"):
        make_config({"mav": {"preset": "saturn"}})


def test_cli_json_and_errors(tmp_path, capsys):
    from msrsim.cli import main

    rc = main(["ascent", "--trials", "50", "--seed", "2", "--json", "--out", str(tmp_path)])
    assert rc == 0
    data = json.loads(capsys.readouterr().out)
    for k in ("periapsis_alt_km", "apoapsis_alt_km", "inclination_deg", "dv_total_m_s",
              "dv_gravity_loss_m_s", "dv_drag_loss_m_s", "p_orbit_ok", "os_lifetime_days",
              "raan_deg", "max_alpha_deg_high_q", "max_q_alpha_pa_deg", "max_q_pa", "max_axial_g"):
        assert k in data and data[k] is not None
    # the designed steering respects the MAV_sim limits (FACTS.md §8: 4°, 15 g)
    assert data["max_alpha_deg_high_q"] <= 4.0 + 1e-3 and data["max_axial_g"] <= 15.0
    assert data["within_limits"] is True and data["limits"]["alpha_limit_q_pa"] == 50.0
    for k in ("max_alpha_deg_high_q", "max_q_alpha_pa_deg", "max_q_pa", "max_axial_g"):
        assert set(data["monte_carlo"][k]) >= {"mean", "std", "p01", "p99", "max"}
    assert data["reached_target"] is True  # the default target is reachable
    assert (tmp_path / "ascent_profile.png").stat().st_size > 10_000
    assert (tmp_path / "ascent_scatter.png").stat().st_size > 10_000
    bad = tmp_path / "bad.yaml"
    bad.write_text("ascent:\n  mav:\n    payload_kg: -3\n")
    rc = main(["ascent", "--config", str(bad), "--trials", "0", "--no-figures"])
    err = capsys.readouterr().err
    assert rc == 2 and err.count("\n") == 1 and "payload_kg" in err
    rc = main(["ascent", "--trials", "-5"])
    assert rc == 2


def test_raan_in_the_iau_node_frame(nominal):
    """The delivered node: in the body-fixed frame it lies where spherical trigonometry puts
    the ascending node of a plane through the site (Δλ = asin(tan φ / tan i) west of the
    site for a northbound launch, i the delivered inclination; flown with the SRM2 yaw at
    zero, since a yawed SRM2 burn turns the plane away from the site); in the Mars
    equator-and-IAU-node frame it moves with the launch epoch exactly as the rotation angle
    W (Archinal et al. 2018: 350.891982443297°/day)."""
    from msrsim.ascent.flight import fly_nominal
    from msrsim.bodies import mars_rotation_angle_rad

    cfg, d = nominal
    g0 = d.guidance.model_copy(update={"srm2_yaw_deg": 0.0})
    a = fly_nominal(cfg, g0).orbit
    phi, inc = math.radians(cfg.site.lat_deg), math.radians(a["inclination_deg"])
    node_fixed = cfg.site.lon_deg - math.degrees(math.asin(math.tan(phi) / math.tan(inc)))
    assert abs((a["raan_fixed_deg"] - node_fixed + 180) % 360 - 180) < 1.0  # deg
    w = math.degrees(mars_rotation_angle_rad(cfg.launch_tdb_s))
    assert abs((a["raan_deg"] - (a["raan_fixed_deg"] + w) + 180) % 360 - 180) < 1e-9
    later = cfg.model_copy(update={"launch_epoch_utc": "2030-06-01T05:00:00"})
    b = fly_nominal(later, g0).orbit
    expect = (a["raan_deg"] + 350.891982443297 * 5.0 / 24.0) % 360.0
    assert abs((b["raan_deg"] - expect + 180) % 360 - 180) < 1e-6
    assert b["inclination_deg"] == pytest.approx(a["inclination_deg"], abs=1e-12)
    with pytest.raises(ConfigError, match="launch_epoch_utc"):
        make_config({"launch_epoch_utc": "2030-13-45"})


def test_dispersion_sensitivity_table(nominal):
    """Each source alone: energy errors move the orbit by Δa ≈ 2 a Δv / v (≈ 2.2 km per m/s
    at 300 km); the single-source spreads add up (root sum square) to roughly the total,
    and a source set to zero is absent."""
    from msrsim.ascent.montecarlo import dispersion_sensitivity

    cfg, d = nominal
    c = cfg.model_copy(update={"dispersions": AscentDispersions(pad_altitude_m=0.0)})
    s = dispersion_sensitivity(c, d.guidance, 300, seed=4)
    assert "pad_altitude_m" not in s and "all" in s
    hp = {k: v["periapsis_std_km"] for k, v in s.items() if k not in ("all", "rss_of_sources")}
    r = MARS.r_eq_m + 300e3
    km_per_m_s = 2.0 * r / math.sqrt(MU / r) / 1e3
    # a 0.5 % Isp error is ~0.5 % of ~3.9 km/s of Δv, ~20 m/s: Δa ≈ 40 km
    assert 15.0 < hp["isp_frac"] < 60.0
    # density ±35 % scales the drag loss: σ ≈ 2.2 km/(m/s) × 0.35 × drag loss, within 40 %
    expect = km_per_m_s * 0.35 * d.orbit["dv_drag_loss_m_s"]
    assert 0.6 * expect < hp["density_frac"] < 1.4 * expect
    # pointing errors of the (vacuum) SRM2 matter less than energy errors
    assert hp["srm2_pointing_deg"] < hp["isp_frac"] and hp["tipoff_deg"] < hp["isp_frac"]
    assert 0.7 < s["all"]["periapsis_std_km"] / s["rss_of_sources"]["periapsis_std_km"] < 1.3


def test_srm2_onboard_pitch_is_horizontal_for_a_hohmann_apoapsis():
    # At the apoapsis of a transfer whose apoapsis is the target radius, with exactly the
    # circularisation Δv, the best SRM2 pitch is horizontal (0) by symmetry.
    r_t = MARS.r_eq_m + 300e3
    r_p = MARS.r_eq_m
    va = math.sqrt(MU * 2 * r_p / (r_t * (r_t + r_p)))
    dv = math.sqrt(MU / r_t) - va
    p = K.srm2_target_pitch(r_t, 0.0, va, dv, MU, r_t, r_t)
    assert abs(p) < 1e-6
    # climbing at 20 m/s: the best pitch points below the horizon to null the radial speed
    assert K.srm2_target_pitch(r_t, 20.0, va, dv, MU, r_t, r_t) < 0.0
