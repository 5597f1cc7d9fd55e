"""Ephemeris and time-scale checks against DE421 values and invariants."""

import json
from pathlib import Path

import numpy as np
import pytest

from msrsim.constants import J2000_JD, SECONDS_PER_DAY
from msrsim.ephemeris import load_ephemeris, planet_state
from msrsim.errors import ConfigError, EphemerisRangeError
from msrsim.timescales import parse_date_range, tdb_to_utc, utc_to_tdb

AUTH = Path(__file__).parent / "authorities"


def test_de421_mars_barycentre_2030_to_the_metre():
    ref = json.loads((AUTH / "de421_mars_2030.json").read_text())
    t = (ref["jd_tdb"] - J2000_JD) * SECONDS_PER_DAY
    r, v = load_ephemeris().barycentric("mars", t)
    # FACTS.md §5: position to the metre (1e-3 km), velocity to the printed 1e-4 km/s
    np.testing.assert_allclose(r, ref["position_km"], atol=1e-3, rtol=0)
    np.testing.assert_allclose(v, ref["velocity_km_s"], atol=6e-5, rtol=0)


def test_earth_heliocentric_distance_and_speed_are_physical():
    t = np.linspace(utc_to_tdb("2026-01-01"), utc_to_tdb("2027-01-01"), 366)
    r, v = planet_state("earth", t)
    d_au = np.linalg.norm(r, axis=-1) / 149_597_870.7
    # Earth's perihelion ~0.9833 AU, aphelion ~1.0167 AU (orbital eccentricity 0.0167)
    assert 0.982 < d_au.min() < 0.985
    assert 1.015 < d_au.max() < 1.018
    # Heliocentric velocity is the time derivative of position (Chebyshev derivative check)
    dt = 60.0
    r2, _ = planet_state("earth", t + dt)
    r1, _ = planet_state("earth", t - dt)
    np.testing.assert_allclose((r2 - r1) / (2 * dt), v, atol=1e-6)


def test_earth_is_not_the_earth_moon_barycentre():
    eph = load_ephemeris()
    t = utc_to_tdb("2028-06-01")
    re, _ = eph.state("earth", t)
    rm, _ = eph.state("moon", t)
    # Earth sits 1/(1+EMRAT) of the Earth-Moon distance from the barycentre: ~4670 km
    emb = (re * 81.30056907 + rm) / 82.30056907
    assert 4300 < np.linalg.norm(re - emb) < 5000
    assert 356_000 < np.linalg.norm(rm - re) < 407_000


def test_state_broadcasts_over_epoch_shape():
    t = utc_to_tdb("2030-01-01") + np.arange(12.0).reshape(3, 4) * 86400
    r, v = planet_state("mars", t)
    assert r.shape == (3, 4, 3) and v.shape == (3, 4, 3)
    r0, _ = planet_state("mars", t[1, 2])
    np.testing.assert_allclose(r[1, 2], r0, rtol=0, atol=1e-6)  # 1 mm


def test_epoch_outside_span_names_the_span():
    with pytest.raises(EphemerisRangeError, match="DE421 ephemeris span"):
        planet_state("mars", utc_to_tdb("2250-01-01"))


def test_unknown_body():
    with pytest.raises(ConfigError, match="body='pluto' is unknown"):
        planet_state("pluto", 0.0)


def test_utc_tdb_round_trip_and_offset():
    t = utc_to_tdb("2030-01-01T00:00:00")
    # TDB - UTC = 32.184 s + 37 leap seconds (+ <2 ms periodic) in 2030
    assert abs((t - (2462502.5 - J2000_JD) * SECONDS_PER_DAY) - 69.184) < 2e-3
    assert tdb_to_utc(t) == "2030-01-01T00:00:00"
    assert tdb_to_utc(t, "date") == "2030-01-01"
    arr = utc_to_tdb(["2020-07-30T11:50", "2021-02-18"])
    assert arr.shape == (2,)
    assert 202 < (arr[1] - arr[0]) / 86400 < 203


@pytest.mark.parametrize("bad", ["2028-13-01", "2028-02-30", "tomorrow", "2028/01/01", ""])
def test_malformed_dates(bad):
    with pytest.raises(ConfigError, match="date"):
        utc_to_tdb(bad)


def test_date_ranges():
    t0, t1 = parse_date_range("2028-09-01:2029-03-01", "--depart")
    assert 180 < (t1 - t0) / 86400 < 182
    with pytest.raises(ConfigError, match="--depart=.*reversed"):
        parse_date_range("2029-03-01:2028-09-01", "--depart")
    with pytest.raises(ConfigError, match="--arrive"):
        parse_date_range("2029-03-01", "--arrive")


def test_jd_utc_round_trip_keeps_shape():
    from msrsim.timescales import jd_utc_to_tdb, tdb_to_jd_utc

    t = utc_to_tdb("2030-01-01T00:00:00")
    jd = tdb_to_jd_utc(t)
    assert isinstance(jd, float) and jd == pytest.approx(2462502.5, abs=1e-9)  # 2030-01-01 00:00 UTC
    arr = tdb_to_jd_utc(np.full((2, 3), t))
    assert arr.shape == (2, 3)
    assert abs(jd_utc_to_tdb(jd) - t) < 1e-4
