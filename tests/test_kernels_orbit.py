"""Kepler propagation, orbital elements and geodesy kernels: invariants and closed forms."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from msrsim.bodies import EARTH, MARS, icrf_to_equator_matrix
from msrsim.kernels.elements import elements_to_rv, j2_secular_rates, rv_to_elements
from msrsim.kernels.geodesy import fixed_to_geodetic_array, geodetic_to_fixed_array
from msrsim.kernels.kepler import propagate

MU_EARTH_KM = 398600.4418  # WGS-84 (FACTS.md §6)


def _energy(r, v, mu):
    return 0.5 * np.sum(v * v, -1) - mu / np.linalg.norm(r, axis=-1)


def test_circular_orbit_quarter_period_closed_form():
    # Circular orbit: after a quarter period the position has turned 90° exactly.
    a = 7000.0
    vc = np.sqrt(MU_EARTH_KM / a)
    period = 2 * np.pi * np.sqrt(a**3 / MU_EARTH_KM)
    r, v = propagate([a, 0, 0], [0, vc, 0], period / 4, MU_EARTH_KM)
    np.testing.assert_allclose(r, [0, a, 0], atol=1e-6)  # 1 mm
    np.testing.assert_allclose(v, [-vc, 0, 0], atol=1e-9)


def test_elliptic_time_of_flight_matches_kepler_equation():
    # From periapsis to E = 90°: t = (E - e sin E) / n (Kepler's equation).
    a, e = 20000.0, 0.6
    rp = a * (1 - e)
    vp = np.sqrt(MU_EARTH_KM * (1 + e) / rp)
    n = np.sqrt(MU_EARTH_KM / a**3)
    t = (np.pi / 2 - e) / n
    r, _ = propagate([rp, 0, 0], [0, vp, 0], t, MU_EARTH_KM)
    # at E = 90°: x = a (cos E - e) = -a e, y = a sqrt(1-e²) sin E
    np.testing.assert_allclose(r, [-a * e, a * np.sqrt(1 - e * e), 0], atol=1e-6)


@settings(max_examples=60, deadline=None)
@given(st.floats(6600, 60000), st.floats(0.0, 0.95), st.floats(0.0, 3.1), st.floats(0, 6.28),
       st.floats(-3e5, 3e5))
def test_propagation_conserves_energy_and_momentum_and_reverses(a, e, i, nu, dt):
    r0, v0 = elements_to_rv(a, e, i, 0.3, 1.1, nu, MU_EARTH_KM)
    r1, v1 = propagate(r0, v0, dt, MU_EARTH_KM)
    e0 = _energy(r0, v0, MU_EARTH_KM)
    assert abs(_energy(r1, v1, MU_EARTH_KM) - e0) <= 1e-9 * abs(e0)
    np.testing.assert_allclose(np.cross(r1, v1), np.cross(r0, v0), rtol=1e-9,
                               atol=1e-9 * np.linalg.norm(np.cross(r0, v0)))
    r2, v2 = propagate(r1, v1, -dt, MU_EARTH_KM)
    np.testing.assert_allclose(r2, r0, atol=1e-5)  # 1 cm


def test_hyperbolic_propagation_round_trip():
    r0 = np.array([7000.0, 0, 0])
    v0 = np.array([0, 12.0, 0.5])  # escape speed at 7000 km is 10.67 km/s
    r1, v1 = propagate(r0, v0, 2e5, MU_EARTH_KM)
    assert abs(_energy(r1, v1, MU_EARTH_KM) - _energy(r0, v0, MU_EARTH_KM)) < 1e-9
    r2, _ = propagate(r1, v1, -2e5, MU_EARTH_KM)
    np.testing.assert_allclose(r2, r0, atol=1e-5)


def test_propagate_broadcasts():
    r = np.tile([7000.0, 0, 0], (4, 5, 1))
    v = np.tile([0, 7.5, 0], (4, 5, 1))
    dt = np.linspace(0, 5000, 5)
    r1, v1 = propagate(r, v, dt, MU_EARTH_KM)
    assert r1.shape == (4, 5, 3)
    np.testing.assert_allclose(r1[2, 3], propagate(r[0, 0], v[0, 0], dt[3], MU_EARTH_KM)[0])


@settings(max_examples=80, deadline=None)
@given(st.floats(4000, 1e5), st.floats(1e-6, 0.99), st.floats(1e-4, np.pi - 1e-4),
       st.floats(0, 6.28), st.floats(0, 6.28), st.floats(0, 6.28))
def test_elements_round_trip(a, e, i, om, w, nu):
    r, v = elements_to_rv(a, e, i, om, w, nu, MU_EARTH_KM)
    el = rv_to_elements(r, v, MU_EARTH_KM)
    r2, v2 = elements_to_rv(el["a"], el["e"], el["i_rad"], el["raan_rad"], el["argp_rad"],
                            el["nu_rad"], MU_EARTH_KM)
    np.testing.assert_allclose(r2, r, atol=1e-6 * a)
    np.testing.assert_allclose(v2, v, atol=1e-9 * np.linalg.norm(v) + 1e-12)
    assert abs(el["a"] - a) < 1e-8 * a
    assert abs(el["i_rad"] - i) < 1e-9


def test_j2_rates_sun_synchronous_earth_orbit():
    # A sun-synchronous Earth orbit at 800 km needs i ≈ 98.6° so that dΩ/dt = 360°/365.2422 d
    # (the textbook value 98.6°, e.g. Vallado, Fundamentals of Astrodynamics, §11).
    a = EARTH.r_eq_m + 800e3
    target = 2 * np.pi / (365.2422 * 86400)
    i = np.radians(np.linspace(95, 102, 70001))
    rd, _, _ = j2_secular_rates(a, 0.0, i, EARTH.mu_m3_s2, EARTH.r_eq_m, EARTH.j2)
    i_ss = np.degrees(i[np.argmin(abs(rd - target))])
    assert abs(i_ss - 98.6) < 0.1
    # critical inclination arccos(1/sqrt(5)) = 63.435°: argument of periapsis frozen
    i_crit = np.arccos(1 / np.sqrt(5))
    _, wd, _ = j2_secular_rates(a, 0.1, i_crit, EARTH.mu_m3_s2, EARTH.r_eq_m, EARTH.j2)
    _, wd1, _ = j2_secular_rates(a, 0.1, i_crit + 0.01, EARTH.mu_m3_s2, EARTH.r_eq_m, EARTH.j2)
    assert abs(wd) < 1e-6 * abs(wd1)


@pytest.mark.parametrize("planet", [MARS, EARTH], ids=["mars", "earth"])
def test_geodetic_round_trip_and_poles(planet):
    rng = np.random.default_rng(3)
    lat = rng.uniform(-np.pi / 2, np.pi / 2, 5000)
    lon = rng.uniform(-np.pi, np.pi, 5000)
    alt = rng.uniform(-8e3, 2e6, 5000)
    xyz = geodetic_to_fixed_array(lat, lon, alt, planet.r_eq_m, planet.flattening)
    la, lo, al = fixed_to_geodetic_array(xyz, planet.r_eq_m, planet.flattening)
    np.testing.assert_allclose(la, lat, atol=1e-12)
    np.testing.assert_allclose(al, alt, atol=1e-6)  # 1 µm
    pole = geodetic_to_fixed_array(np.pi / 2, 0.0, 0.0, planet.r_eq_m, planet.flattening)
    np.testing.assert_allclose(pole[2], planet.r_polar_m, rtol=1e-12)


def test_mars_pole_direction():
    # IAU 2015 Mars pole at J2000: RA 317.269°, Dec 54.433° (Archinal et al. 2018)
    m = icrf_to_equator_matrix("mars", 0.0)
    pole = m[2]
    assert abs(np.degrees(np.arcsin(pole[2])) - 54.432516) < 1e-9
    assert abs(np.degrees(np.arctan2(pole[1], pole[0])) % 360 - 317.269202) < 1e-9
    np.testing.assert_allclose(m @ m.T, np.eye(3), atol=1e-15)
