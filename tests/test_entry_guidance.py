"""Apollo/MSL entry guidance: bank dynamics, reference tracking, landing ellipse against the
bank-reversal mode, MSL validation case, numerics and bad input."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from msrsim.entry import _kernel as K
from msrsim.entry import load_preset, make_config, run_entry
from msrsim.entry.guidance import build_apollo_table
from msrsim.entry.model import _local_offsets_km, _Prepared
from msrsim.entry.presets import PRESETS, _merge
from msrsim.entry.run import _target_entry
from msrsim.errors import ConfigError

R_MARS = 3396.19e3
MSL_MISS_KM = 2.385  # MSL landed 2.385 km from its target (Way, Davis & Shidner, AAS 13-420; FACTS.md §5)


def _miss_km(lat_deg, lon_deg, tlat_deg, tlon_deg, r_m=R_MARS):
    de, dn = _local_offsets_km(np.radians(lat_deg), np.radians(lon_deg), math.radians(tlat_deg),
                               math.radians(tlon_deg), r_m)
    return np.hypot(de, dn)


def _srl(**vehicle):
    return make_config(_merge(PRESETS["srl-jezero"], {"vehicle": vehicle}))


# ---------------------------------------------------------------------------------- bank dynamics
@settings(max_examples=200, deadline=None)
@given(sig=st.floats(-math.pi, math.pi), rate_frac=st.floats(-1.0, 1.0), cmd=st.floats(-math.pi, math.pi),
       dt=st.floats(0.1, 4.0))
def test_bank_accel_respects_rate_and_acceleration_limits(sig, rate_frac, cmd, dt):
    wmax, amax = math.radians(20.0), math.radians(5.0)  # MSL-class limits (ApolloGuidance defaults)
    rate = rate_frac * wmax
    a = K.bank_accel(sig, rate, cmd, dt, wmax, amax)
    assert abs(a) <= amax * (1 + 1e-12)
    assert abs(rate + a * dt) <= wmax * (1 + 1e-12)  # rate is linear over the period


@pytest.mark.parametrize("start, cmd", [(60.0, -60.0), (30.0, 120.0), (60.0, 55.0), (-170.0, 170.0)])
def test_bank_profile_settles_on_the_command(start, cmd):
    wmax, amax, dt = math.radians(20.0), math.radians(5.0), 2.0
    s, r = math.radians(start), 0.0
    for _ in range(30):
        a = K.bank_accel(s, r, math.radians(cmd), dt, wmax, amax)
        s, r = s + r * dt + 0.5 * a * dt * dt, r + a * dt
    assert math.degrees(s) == pytest.approx(cmd, abs=0.5)
    # a 120 deg reversal under 20 deg/s and 5 deg/s^2 takes at least 2 sqrt(60/5) = 6.9 s; the
    # time-optimal profile with the rate limit is 4 + 2 + 4 = 10 s
    s, r, t = math.radians(60.0), 0.0, 0.0
    while abs(math.degrees(s) + 60.0) > 0.5 and t < 60:
        a = K.bank_accel(s, r, math.radians(-60.0), 1.0, wmax, amax)
        s, r, t = s + r + 0.5 * a, r + a, t + 1.0
    assert 9.0 <= t <= 12.0


# ------------------------------------------------------------------------- reference and tracking
@pytest.fixture(scope="module")
def apollo_nominal():
    return run_entry(load_preset("srl-jezero"), trials=0, history=True)


def test_srl_preset_flies_apollo_and_tracks_the_reference(apollo_nominal):
    r = apollo_nominal
    cfg = r.config
    assert cfg.vehicle.guidance == "apollo"
    n = r.nominal
    # zero dispersion: the guided nominal reproduces the targeted reference
    miss = float(_miss_km(n["landing_lat_deg"], n["landing_lon_deg"], cfg.target.lat_deg, cfg.target.lon_deg))
    assert miss < 0.1, miss  # measured ~0.0001 km; issue bound 1 km
    # MSL: range control starts at 0.2 Earth g of sensed drag, heading alignment at 1100 m/s
    h = r.history
    i_rc = np.argmax(h["guidance_phase"] == 1) - 1  # the located event (recorded before the switch)
    assert h["t_s"][i_rc] == pytest.approx(n["range_control_start_s"], abs=1e-9)
    assert h["drag_m_s2"][i_rc] == pytest.approx(1.96, rel=1e-6)
    i_ha = np.argmax(h["guidance_phase"] == 2)
    assert 1100.0 - 200.0 < h["planet_speed_m_s"][i_ha] < 1100.0
    # bank-rate limit 20 deg/s holds along the history (finite differences of the bank angle)
    dt = np.diff(h["t_s"])
    ok = dt > 1e-3
    rates = np.abs(np.diff(h["bank_deg"]))[ok] / dt[ok]
    assert rates.max() <= 20.0 + 1e-6
    assert n["max_bank_rate_deg_s"] <= 20.0 + 1e-9
    assert n["deploy_mach"] == pytest.approx(1.7, abs=1e-5)
    # influence coefficients have the physical signs: more drag -> shorter range; steeper
    # descent (rdot more negative) -> shorter range; more vertical L/D -> longer range
    g = r.guidance_table
    assert np.all(g["f1_dr_ddrag_s2"] < 0) and np.all(g["f2_dr_drdot_s"] > 0) and np.all(g["f3_dr_dld_m"] > 0)


def test_range_control_removes_a_density_error():
    # one dispersion only: +25 % density. The bank-reversal mode lands short by kilometres; the
    # apollo guidance senses the extra drag and flies it out.
    misses = {}
    for mode in ("bank-reversal", "apollo"):
        cfg = make_config(_merge(PRESETS["srl-jezero"], {"vehicle": {"guidance": mode}}))
        prep = _Prepared(cfg)
        lat0, lon0 = _target_entry(prep, cfg)
        if mode == "apollo":
            gtab = build_apollo_table(prep, cfg, lat0, lon0)
            prep.install_guidance(gtab, cfg.vehicle.apollo.overcontrol_gain)
        e = cfg.entry
        y0 = prep.initial_states(np.array([lat0]), np.array([lon0]), np.array([e.alt_m]),
                                 np.array([e.speed_m_s]), np.radians([e.fpa_deg]),
                                 np.radians([e.azimuth_deg]))
        out, _, _ = prep.run(y0, prep.params(1, rho_scale=np.array([1.25])))
        misses[mode] = float(_miss_km(np.degrees(out[0, K.O_LAT]), np.degrees(out[0, K.O_LON]),
                                      cfg.target.lat_deg, cfg.target.lon_deg))
    assert misses["bank-reversal"] > 3.0, misses
    assert misses["apollo"] < 1.5, misses
    assert misses["apollo"] < misses["bank-reversal"] / 4


# --------------------------------------------------------------------------- Monte Carlo ellipse
@pytest.fixture(scope="module")
def ellipses():
    return {mode: run_entry(_srl(guidance=mode), trials=2000, seed=11)
            for mode in ("apollo", "bank-reversal")}


def test_apollo_ellipse_is_mars2020_class_and_beats_bank_reversal(ellipses):
    a = ellipses["apollo"].ellipse
    b = ellipses["bank-reversal"].ellipse
    # Mars 2020's 99 % ellipse: 7.7 x 6.6 km (FACTS.md §5). Measured here (2000 trials, seed 11):
    # apollo ~6.3 x 3.9 km; bank reversals only ~48 x 15 km.
    assert a["ellipse99_major_km"] <= 12.0
    assert a["ellipse99_minor_km"] <= 10.0
    assert a["ellipse99_major_km"] * 3.0 <= b["ellipse99_major_km"]
    assert a["ellipse99_minor_km"] < b["ellipse99_minor_km"]
    assert a["n_failed"] == 0
    assert a["centre_offset_km"] < 1.0


def test_msl_flown_miss_is_consistent_with_the_dispersion(ellipses):
    # MSL's 2.385 km miss (AAS 13-420) should be an ordinary outcome of an MSL-class guided
    # entry: not better than the median, not beyond the 99.5th percentile. Measured ~95 %.
    r = ellipses["apollo"]
    t = r.config.target
    miss = _miss_km(r.trials["landing_lat_deg"], r.trials["landing_lon_deg"], t.lat_deg, t.lon_deg)
    # a flown outcome lies inside the model's 99th percentile of miss distance (a test that
    # fails 1 % of the time by construction if the model is right). Measured ~0.95.
    p = float(np.mean(miss <= MSL_MISS_KM))
    assert p <= 0.99, p


# ------------------------------------------------------------------------------------- MSL case
MSL = dict(  # FACTS.md §5 (Way, Davis & Shidner, AAS 13-420): 125 km, 5.845 km/s inertial, -15.5 deg,
    # L/D 0.24, 3257 kg; 4.5 m aeroshell with CD 1.45 at trim (FACTS.md §6); target in Gale crater
    # 4.5965 S 137.4019 E (AAS 13-420). ASSUMPTIONS: eastward entry, Rn = D/4, reference bank 60 deg,
    # Mach 1.7 chute, ground -4.4 km (Gale floor, MOLA), powered descent from 1.6 km.
    name="msl", planet="mars",
    vehicle=dict(mass_kg=3257.0, diameter_m=4.5, cd=1.45, lift_to_drag=0.24, nose_radius_m=1.125,
                 bank_deg=60.0, guidance="apollo", parachute=dict(mach_deploy=1.7, diameter_m=21.5, cd=0.6),
                 powered_descent=dict(start_alt_agl_m=1600.0, touchdown_speed_m_s=0.75)),
    entry=dict(alt_m=125e3, speed_m_s=5845.0, fpa_deg=-15.5, azimuth_deg=90.0, inertial=True),
    target=dict(lat_deg=-4.5965, lon_deg=137.4019),
    ground_alt_m=-4400.0,
)


def test_msl_validation_case():
    r = run_entry(make_config(MSL))
    n = r.nominal
    # targeted nominal: measured miss ~0.12 km (corridor reversals make the landing point a
    # slightly non-smooth function of the entry place); issue bound 1 km
    assert float(_miss_km(n["landing_lat_deg"], n["landing_lon_deg"], -4.5965, 137.4019)) < 0.5
    # AAS 13-420: entry to landing took "the next seven minutes" (~420 s). Model ~407 s.
    assert n["entry_to_landing_s"] == pytest.approx(420.0, rel=0.10)
    # pre-flight MSL material quotes a peak deceleration "up to 15 g"; lift must keep the guided
    # entry below the ballistic one (same vehicle, L/D 0). Model: ~9.9 g, ~63 W/cm^2.
    assert n["peak_g"] < 15.0
    ballistic = run_entry(make_config(_merge(MSL, {"vehicle": {"guidance": "none", "lift_to_drag": 0.0},
                                                   "entry": {"lat_deg": -5.0, "lon_deg": 128.0}})))
    assert n["peak_g"] < ballistic.nominal["peak_g"]
    # (no published MSL peak heat flux is kept in tests/authorities/, so none is asserted)


# ------------------------------------------------------------------------------------- numerics
@pytest.fixture(scope="module")
def guided_prep():
    cfg = load_preset("srl-jezero")
    prep = _Prepared(cfg)
    lat0, lon0 = _target_entry(prep, cfg)
    prep.install_guidance(build_apollo_table(prep, cfg, lat0, lon0), cfg.vehicle.apollo.overcontrol_gain)
    return prep, lat0, lon0


def test_apollo_single_equals_batch(guided_prep):
    prep, lat0, lon0 = guided_prep
    e = prep.cfg.entry
    rng = np.random.default_rng(3)
    n = 4000
    y0 = prep.initial_states(np.full(n, lat0), np.full(n, lon0), np.full(n, e.alt_m),
                             e.speed_m_s + rng.standard_normal(n),
                             np.radians(e.fpa_deg + 0.05 * rng.standard_normal(n)),
                             np.full(n, np.radians(e.azimuth_deg)))
    P = prep.params(n, rho_scale=np.exp(0.1 * rng.standard_normal(n)),
                    ld=0.24 * (1 + 0.05 * rng.standard_normal(n)))
    out, _, _ = prep.run(y0, P)
    for j in (0, 1234, n - 1):
        one, _, _ = prep.run(y0[j:j + 1], P[j:j + 1])
        np.testing.assert_allclose(one[0], out[j], rtol=1e-9, equal_nan=True)


def test_apollo_step_size_convergence(guided_prep):
    prep, lat0, lon0 = guided_prep
    e = prep.cfg.entry
    y0 = prep.initial_states(np.array([lat0]), np.array([lon0]), np.array([e.alt_m]), np.array([e.speed_m_s]),
                             np.radians([e.fpa_deg + 0.1]), np.radians([e.azimuth_deg]))
    P = prep.params(1, rho_scale=np.array([1.1]))
    res = {}
    for rtol in (1e-6, 1e-10):
        prep.S[K.S_RTOL] = rtol
        res[rtol], _, _ = prep.run(y0, P)
    prep.S[K.S_RTOL] = prep.cfg.rtol
    c, f = res[1e-6][0], res[1e-10][0]
    assert abs(c[K.O_LAT] - f[K.O_LAT]) * R_MARS < 50.0  # m
    assert abs(c[K.O_LON] - f[K.O_LON]) * R_MARS < 50.0
    assert c[K.O_PEAK_G] == pytest.approx(f[K.O_PEAK_G], rel=2e-3)
    assert c[K.O_N_STEPS] < f[K.O_N_STEPS]


# ------------------------------------------------------------------------------------ bad input
@pytest.mark.parametrize("patch, match", [
    ({"vehicle": {"guidance": "magic"}},
     r"'vehicle.guidance' must be 'none', .* or 'apollo' \(got 'magic'\)"),
    ({"vehicle": {"apollo": {"bank_rate_deg_s": 0.0}}},
     r"'vehicle.apollo.bank_rate_deg_s' must be > 0 \(got 0.0\)"),
    ({"vehicle": {"apollo": {"corridor_km": [[3000, 4], [1000, 1]]}}}, "corridor_km"),
    ({"vehicle": {"apollo": {"guidance_period_s": 0.0}}}, r"guidance_period_s' must be >= 0.1 \(got 0.0\)"),
    ({"dispersions": {"nav_downrange_km": -1.0}},
     r"'dispersions.nav_downrange_km' must be >= 0 \(got -1.0\)"),
])
def test_bad_guidance_settings(patch, match):
    with pytest.raises(ConfigError, match=match) as ei:
        make_config(_merge(PRESETS["srl-jezero"], patch))
    assert "\n" not in str(ei.value)
