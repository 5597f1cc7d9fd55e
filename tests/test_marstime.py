"""Mars24 time: worked example, Perseverance sol/date pairs, Mars years, dust seasons, peers."""

import json
from datetime import date
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import require_peer
from msrsim import marstime as mt
from msrsim.errors import ConfigError
from msrsim.timescales import tdb_to_utc, utc_to_tdb

AUTH = json.loads((Path(__file__).parent / "authorities" / "mars_time_perseverance.json").read_text())


def _days_between(a: str, b: str) -> int:
    return abs((date.fromisoformat(a[:10]) - date.fromisoformat(b[:10])).days)


def test_mars24_worked_example_ls_and_msd():
    ex = AUTH["mars24_worked_example"]  # Allison & McEwen 2000 / GISS Mars24 worked example
    t = utc_to_tdb(ex["utc"])
    # Ls 277.187 deg: the 2000 recipe gives 277.18677, the GISS-revised one 277.1876
    assert mt.solar_longitude_deg(t) == pytest.approx(ex["ls_deg"], abs=0.002)
    # MSD 44795.9998 printed to 1e-4 sol (= 8.9 s)
    assert mt.mars_sol_date(t) == pytest.approx(ex["msd"], abs=1.5e-4)


def test_perseverance_sol_dates_within_one_day():
    clock = mt.perseverance_clock()
    for pair in AUTH["perseverance_sol_pairs"]:  # NASA/JPL sol/date pairs
        if "utc_date" in pair:
            utc = tdb_to_utc(clock.to_tdb(pair["sol"], 12.0), "minutes")
            assert _days_between(utc, pair["utc_date"]) <= 1, pair
            # and the published date's noon UTC lies in that sol or an adjacent one
            assert abs(clock.sol(utc_to_tdb(pair["utc_date"] + "T12:00")) - pair["sol"]) <= 1


def test_ingenuity_first_flight_to_the_minute():
    pair = AUTH["perseverance_sol_pairs"][1]  # NASA/JPL: sol 58, 12:33 LMST = 07:34 UTC
    hh, mm = map(int, pair["lmst"].split(":"))
    t = mt.perseverance_clock().to_tdb(pair["sol"], hh + mm / 60)
    err_s = t - utc_to_tdb(pair["utc"])
    assert abs(err_s) < 180.0  # 3 min: published times are rounded to the minute
    lmst_h = mt.local_mean_solar_time_h(t, mt.PERSEVERANCE_LON_EAST_DEG)
    assert lmst_h == pytest.approx(hh + mm / 60, abs=1e-6)


def test_landing_is_sol_zero_in_the_afternoon():
    clock = mt.perseverance_clock()
    assert clock.sol(clock.landing_tdb_s) == 0
    # Perseverance landed in the local afternoon (~15:5x LMST, NASA/JPL)
    assert 15.0 < mt.local_mean_solar_time_h(clock.landing_tdb_s, mt.PERSEVERANCE_LON_EAST_DEG) < 16.5


def test_mars_year_starts():
    starts = AUTH["mars_year_starts"]["starts"]  # Clancy et al. 2000 count (Piqueux et al. 2015)
    for s in starts:
        t0 = utc_to_tdb(s["utc_date"])
        found = mt.ls_crossings(0.0, t0 - 3 * 86400, t0 + 3 * 86400)
        assert found.size == 1, s
        assert _days_between(tdb_to_utc(found[0], "minutes"), s["utc_date"]) <= 1
        assert mt.mars_year(found[0] + 86400) == s["mars_year"]
        assert mt.mars_year(found[0] - 86400) == s["mars_year"] - 1


def test_dust_season_dates_from_facts():
    seasons = AUTH["dust_seasons_ls_180_360"]["seasons"]  # FACTS.md §9
    t0, t1 = utc_to_tdb("2027-01-01"), utc_to_tdb("2034-12-31")
    starts = tdb_to_utc(mt.ls_crossings(180.0, t0, t1), "minutes")
    ends = tdb_to_utc(mt.ls_crossings(360.0, t0, t1), "minutes")
    assert len(starts) == len(seasons)
    for (a, b), s, e in zip(seasons, starts, ends[1:] if ends[0] < starts[0] else ends, strict=False):
        assert _days_between(s, a) <= 1
        assert _days_between(e, b) <= 1


def test_mean_sol_length_and_eccentricity_bounds():
    t = utc_to_tdb("2030-01-01") + np.arange(0.0, 700.0) * 86400
    # one MSD advances per 88775.244 s (FACTS.md §4; printed to 1 ms, hence rel 1e-8)
    assert np.diff(mt.mars_sol_date(t)).mean() == pytest.approx(86400 / 88775.244, rel=1e-8)
    r = mt.heliocentric_distance_au(t)
    # Mars perihelion 1.381 AU, aphelion 1.666 AU (NASA Mars fact sheet)
    assert r.min() == pytest.approx(1.381, abs=0.003) and r.max() == pytest.approx(1.666, abs=0.003)
    dec = mt.solar_declination_deg(t)
    # obliquity 25.19 deg (NASA fact sheet) plus Mars24's +0.25 deg planetographic term (D-1)
    assert dec.max() == pytest.approx(25.19 + 0.25, abs=0.05)
    eot_min = mt.equation_of_time_deg(t) * 4.0 * 1.0275  # deg of hour angle -> Mars minutes
    assert 35 < np.ptp(eot_min) < 100  # Mars EOT spans about -51..+40 min (Allison 1997)


def test_matches_the_marstime_peer_over_50_years():
    peer = require_peer("marstime")  # PyPI marstime 0.5.6, a Mars24 implementation
    d = np.linspace(-3650.0, 14600.0, 501)
    t = d * 86400.0
    dls = mt.solar_longitude_deg(t) - peer.Mars_Ls(d)
    # 0.0025 deg: the peer uses the 2000 coefficients, we use the GISS-revised ones
    assert np.abs((dls + 180) % 360 - 180).max() < 0.0025
    assert np.abs(mt.mars_sol_date(t) - peer.Mars_Solar_Date(d)).max() < 1e-5
    lmst = mt.local_mean_solar_time_h(t, 77.4508) - peer.Local_Mean_Solar_Time(360 - 77.4508, d)
    assert np.abs((lmst + 12) % 24 - 12).max() < 1e-3  # 3.6 s


def test_batched_shapes():
    t = utc_to_tdb("2030-01-01") + np.arange(12.0).reshape(3, 4) * 86400
    for f in (mt.solar_longitude_deg, mt.mars_sol_date, mt.mtc_h, mt.equation_of_time_deg):
        assert np.shape(f(t)) == (3, 4)
    assert np.shape(mt.local_true_solar_time_h(t, np.array([0.0, 77.45, 180.0, 300.0]))) == (3, 4)
    assert np.shape(mt.solar_elevation_deg(t, 18.4, 77.45)) == (3, 4)
    assert mt.mars_year(t).dtype.kind == "i"


def test_solar_elevation_noon_and_midnight():
    clock = mt.perseverance_clock()
    t_noon = clock.to_tdb(100, 12.0)
    t_mid = clock.to_tdb(100, 0.0)
    el_noon = mt.solar_elevation_deg(t_noon, mt.PERSEVERANCE_LAT_DEG, mt.PERSEVERANCE_LON_EAST_DEG)
    # At true noon elevation = 90 - |lat - dec|; at mean noon within the EOT hour angle of it
    dec = mt.solar_declination_deg(t_noon)
    assert el_noon == pytest.approx(90 - abs(mt.PERSEVERANCE_LAT_DEG - dec), abs=12.0)
    assert el_noon > 45
    assert mt.solar_elevation_deg(t_mid, mt.PERSEVERANCE_LAT_DEG, mt.PERSEVERANCE_LON_EAST_DEG) < -30


@settings(max_examples=40, deadline=None)
@given(sol=st.integers(-500, 5000), h=st.floats(0.0, 23.99))
def test_sol_round_trip(sol, h):
    clock = mt.perseverance_clock()
    t = clock.to_tdb(sol, h)
    assert clock.sol(t) == sol
    assert mt.local_mean_solar_time_h(t, clock.lon_east_deg) == pytest.approx(h, abs=1e-6)
    assert mt.tdb_from_mars_sol_date(mt.mars_sol_date(t)) == pytest.approx(t, abs=1e-3)


@settings(max_examples=30, deadline=None)
@given(ls=st.floats(0.0, 359.9), start_d=st.floats(-5000.0, 15000.0))
def test_ls_crossings_hit_the_target(ls, start_d):
    t0 = start_d * 86400
    found = mt.ls_crossings(ls, t0, t0 + 700 * 86400)
    assert found.size in (1, 2)  # one Mars year is 687 days
    got = mt.solar_longitude_deg(found)
    assert np.all(np.abs((got - ls + 180) % 360 - 180) < 1e-6)


@pytest.mark.parametrize("bad", [float("nan"), float("inf")])
def test_bad_times_raise(bad):
    with pytest.raises(ConfigError, match="t_tdb_s"):
        mt.solar_longitude_deg(bad)


def test_bad_sol_arguments_raise():
    clock = mt.perseverance_clock()
    with pytest.raises(ConfigError, match="lmst_h=25"):
        clock.to_tdb(3, 25.0)
    with pytest.raises(ConfigError, match="sol=1.5"):
        clock.to_tdb(1.5)
    with pytest.raises(ConfigError, match="ls_deg=400"):
        mt.ls_crossings(400.0, 0.0, 1e8)
