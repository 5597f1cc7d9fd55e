"""Porkchops, best transfers, launch periods and return windows against published values."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import require_peer
from msrsim.constants import SECONDS_PER_DAY
from msrsim.ephemeris import planet_state
from msrsim.errors import ConfigError, EphemerisRangeError, NoSolutionError
from msrsim.timescales import tdb_to_utc, utc_to_tdb
from msrsim.windows import (
    best_transfers,
    c3_for_launch_period,
    entry_speed_km_s,
    epoch_grid,
    find_launch_period,
    porkchop,
    return_window,
    transfer_at,
)

MU_SUN_KM3_S2 = 1.32712440018e11  # IAU (FACTS.md §6)
DAY = SECONDS_PER_DAY
# NASA/TM-2010-216764 values, kept verbatim in tests/authorities/ (FACTS.md §5)
HANDBOOK = json.loads((Path(__file__).parent / "authorities" / "handbook_earth_mars.json").read_text())
H26 = HANDBOOK["opportunities"]["2026"]
H28 = HANDBOOK["opportunities"]["2028"]


def _grid(dep, arr, step=2.0, a="earth", b="mars"):
    return porkchop(a, b, epoch_grid(utc_to_tdb(dep[0]), utc_to_tdb(dep[1]), step),
                    epoch_grid(utc_to_tdb(arr[0]), utc_to_tdb(arr[1]), step))


@pytest.fixture(scope="module")
def grid_2026():
    return _grid(("2026-09-01", "2027-01-31"), ("2027-05-01", "2027-12-31"), 1.0)


@pytest.fixture(scope="module")
def grid_2028():
    return _grid(("2028-10-01", "2029-02-28"), ("2029-05-01", "2030-01-31"), 1.0)


def _days_between(t_tdb_s, date):
    return abs(t_tdb_s - utc_to_tdb(date)) / DAY


def test_2026_opportunity_minimum_c3_matches_handbook(grid_2026):
    # NASA/TM-2010-216764 (Burke, Falck, McGuire) via FACTS.md §5: lowest C3 9.144 km^2/s^2,
    # Type II, 2026-10-31 -> 2027-08-19. Overall minimum tested tightly (1.5 %).
    best = {t.type: t for t in best_transfers(grid_2026)}
    t2 = best["II"]
    assert t2.c3_km2_s2 == pytest.approx(H26["lowest"]["c3"], rel=0.015)
    assert min(t.c3_km2_s2 for t in best.values()) == pytest.approx(t2.c3_km2_s2)
    assert _days_between(t2.departure_tdb_s, "2026-10-31") <= 3.0
    assert _days_between(t2.arrival_tdb_s, "2027-08-19") <= 3.0
    # Type I: handbook 11.11; FACTS.md §5 note: an independent DE421 + pykep 1-day grid gives
    # 10.70 (3.7 % below), so the other type is tested loosely (5 %) on the 1-day grid.
    m = np.where(grid_2026.valid & (grid_2026.transfer_type == 1), grid_2026.c3_km2_s2, np.inf)
    assert m.min() == pytest.approx(H26["type_I_c3"], rel=0.05)
    assert m.min() == pytest.approx(10.70, abs=0.01)  # the independent pykep grid value
    # the refined optimum is at or below the best grid cell of its type
    assert best["I"].c3_km2_s2 <= m.min() + 1e-9


def test_2028_opportunity_minimum_c3_matches_handbook(grid_2028):
    # FACTS.md §5 (NASA/TM-2010-216764): lowest C3 8.928, Type II 2028-12-02 -> 2029-10-16,
    # arrival v_inf 3.261; Type I 9.048, 2028-12-10 -> 2029-07-20, v_inf 4.892.
    best = {t.type: t for t in best_transfers(grid_2028)}
    overall = min(best.values(), key=lambda t: t.c3_km2_s2)
    assert overall.type == "II"
    assert overall.c3_km2_s2 == pytest.approx(H28["lowest"]["c3"], rel=0.015)
    assert _days_between(overall.departure_tdb_s, "2028-12-02") <= 3.0
    # the Type II valley is flat along arrival: within 7 days of the handbook's arrival,
    # and the handbook's own dates cost less than 0.5 % more C3 on our model
    assert _days_between(overall.arrival_tdb_s, "2029-10-16") <= 7.0
    at_handbook = transfer_at("earth", "mars", utc_to_tdb("2028-12-02"), utc_to_tdb("2029-10-16"))
    assert at_handbook.c3_km2_s2 == pytest.approx(overall.c3_km2_s2, rel=0.005)
    assert overall.vinf_arrival_km_s == pytest.approx(3.261, abs=0.15)
    t1 = best["I"]
    assert t1.c3_km2_s2 == pytest.approx(H28["type_I"]["c3"], rel=0.015)
    assert _days_between(t1.departure_tdb_s, "2028-12-10") <= 3.0
    assert _days_between(t1.arrival_tdb_s, "2029-07-20") <= 3.0
    assert t1.vinf_arrival_km_s == pytest.approx(4.892, rel=0.02)


def test_mars_2020_launch_and_arrival():
    # Mars 2020: launch 2020-07-30 11:50 UTC, landing 2021-02-18 ~20:55 UTC (FACTS.md §5),
    # Type I; entry ~5.4 km/s. Our inertial entry speed at 125 km from v_inf is compared
    # to it within 0.25 km/s (the arrival epoch and the interface differ by minutes/km).
    # (No published launch C3 is kept here, so the C3 itself is not asserted; validation case
    # mars2020_entry_speed in docs/validation.md.)
    t = transfer_at("earth", "mars", utc_to_tdb("2020-07-30T11:50"), utc_to_tdb("2021-02-18T20:55"))
    assert t.type == "I"
    v_entry = entry_speed_km_s(t.vinf_arrival_km_s, 125.0, 42828.37, 3396.19)  # FACTS.md §6 Mars
    assert v_entry == pytest.approx(5.4, abs=0.25)


def test_mars_2020_fixed_arrival_launch_period_contains_launch_day():
    # Mars 2020 kept one landing date (2021-02-18) across its launch period; with that arrival
    # fixed and C3 bounded by what the actual launch day needed, the day is in the period.
    g = _grid(("2020-07-01", "2020-08-31"), ("2021-01-01", "2021-03-31"), 1.0)
    arrival = utc_to_tdb("2021-02-18T20:55")
    need = transfer_at("earth", "mars", utc_to_tdb("2020-07-30"), arrival).c3_km2_s2
    lp = find_launch_period(g, need + 0.05, arrival_tdb_s=arrival)
    assert lp.open_tdb_s <= utc_to_tdb("2020-07-30") <= lp.close_tdb_s
    assert np.all(lp.arrival_tdb_s == arrival)
    assert lp.max_c3_km2_s2 <= need + 0.05
    # the days just outside the period exceed the limit
    td = g.depart_tdb_s
    i0 = int(np.searchsorted(td, lp.open_tdb_s))
    i1 = int(np.searchsorted(td, lp.close_tdb_s))
    edge = porkchop("earth", "mars", td[[i0 - 1, i1 + 1]], [arrival])
    assert np.all(edge.c3_km2_s2 > need + 0.05)


def test_grid_matches_independent_lambert_peer_cell_by_cell(grid_2028):
    # Peer: lamberthub 1.0 gooding1990 (a different algorithm) on the same DE421 states.
    lamberthub = require_peer("lamberthub")
    rng = np.random.default_rng(11)
    g = grid_2028
    idx = np.argwhere(g.valid)
    for i, j in idx[rng.choice(len(idx), 25, replace=False)]:
        rd, vd = planet_state("earth", g.depart_tdb_s[i])
        ra, va = planet_state("mars", g.arrive_tdb_s[j])
        prograde = g.transfer_type[i, j] == 1 or np.cross(rd, ra)[2] < 0
        v1, v2 = lamberthub.gooding1990(MU_SUN_KM3_S2, rd, ra, g.tof_s[i, j], 0, bool(prograde), True,
                                        100, 1e-13, 1e-13)
        np.testing.assert_allclose(g.vinf_depart_vec_km_s[i, j], v1 - vd, atol=1e-7)
        np.testing.assert_allclose(g.vinf_arrive_vec_km_s[i, j], v2 - va, atol=1e-7)


def test_grid_fields_are_consistent(grid_2028):
    g = grid_2028
    v = g.valid
    assert g.c3_km2_s2.shape == g.shape == (g.depart_tdb_s.size, g.arrive_tdb_s.size)
    np.testing.assert_allclose(g.c3_km2_s2[v], g.vinf_depart_km_s[v] ** 2, rtol=1e-12)
    np.testing.assert_allclose(np.linalg.norm(g.vinf_depart_vec_km_s[v], axis=-1), g.vinf_depart_km_s[v])
    np.testing.assert_allclose(np.linalg.norm(g.vinf_arrive_vec_km_s[v], axis=-1), g.vinf_arrive_km_s[v])
    vec = g.vinf_depart_vec_km_s[v]
    np.testing.assert_allclose(np.degrees(np.arcsin(vec[:, 2] / np.linalg.norm(vec, axis=1))), g.dla_deg[v],
                               atol=1e-9)
    np.testing.assert_allclose(np.degrees(np.arctan2(vec[:, 1], vec[:, 0])) % 360.0, g.rla_deg[v], atol=1e-9)
    assert np.all((g.rla_deg[v] >= 0) & (g.rla_deg[v] < 360))
    assert set(np.unique(g.transfer_type[v])) == {1, 2}
    np.testing.assert_allclose(g.tof_s, g.arrive_tdb_s[None, :] - g.depart_tdb_s[:, None])


def test_invalid_cells_are_flagged_not_silent():
    g = _grid(("2028-10-01", "2028-12-31"), ("2028-11-01", "2029-03-01"), 5.0)
    short = g.tof_s < 10 * DAY
    assert short.any()
    assert not g.valid[short].any()
    assert np.all(np.isnan(g.c3_km2_s2[~g.valid])) and np.all(g.transfer_type[~g.valid] == 0)
    assert np.all(np.isfinite(g.c3_km2_s2[g.valid]))


def test_transfer_type_follows_the_transfer_angle(grid_2028):
    g = grid_2028
    rd, _ = planet_state("earth", g.depart_tdb_s)
    ra, _ = planet_state("mars", g.arrive_tdb_s)
    h = np.cross(rd[:, None, :], ra[None, :, :]) @ g.pole
    assert np.all((h >= 0)[g.valid] == (g.transfer_type[g.valid] == 1))


def test_launch_period_constraints_and_c3_for_period(grid_2028):
    free = find_launch_period(grid_2028, 10.0)
    assert np.all(free.c3_km2_s2 <= 10.0)
    assert free.duration_days > 20
    narrow = find_launch_period(grid_2028, 10.0, dla_min_deg=-10.0, dla_max_deg=10.0)
    assert np.all(np.abs(narrow.dla_deg) <= 10.0)
    assert set(narrow.transfer_type) <= {"I", "II"}
    only1 = find_launch_period(grid_2028, 10.0, transfer_type="I", vinf_arrival_max_km_s=5.5)
    assert set(only1.transfer_type) == {"I"} and np.all(only1.vinf_arrival_km_s <= 5.5)
    lp20 = c3_for_launch_period(grid_2028, 20.0)
    assert lp20.duration_days >= 20.0
    # the C3 it reports is exactly what opens that period, and it is the smallest such
    again = find_launch_period(grid_2028, lp20.c3_max_km2_s2 + 1e-9)
    assert again.duration_days >= 20.0
    lp30 = c3_for_launch_period(grid_2028, 30.0)
    assert lp30.c3_max_km2_s2 >= lp20.c3_max_km2_s2
    with pytest.raises(NoSolutionError, match="lowest C3"):
        find_launch_period(grid_2028, 5.0)


def test_entry_speed_analytic():
    # vis-viva: v = sqrt(vinf^2 + 2 mu / (R + 125 km)), Earth WGS-84 (FACTS.md §6)
    v0 = math.sqrt(2 * 398600.4418 / (6378.137 + 125.0))
    assert entry_speed_km_s(0.0) == pytest.approx(v0, rel=1e-12)
    # FACTS.md §8: Earth arrival v_inf 4.5-5.4 km/s -> ~11.9-12.3 km/s at 125 km (quoted to 0.1)
    assert entry_speed_km_s(4.5) == pytest.approx(11.9, abs=0.06)
    assert entry_speed_km_s(5.4) == pytest.approx(12.3, abs=0.06)


def test_tianwen3_return_window_matches_published_dates():
    # Tianwen-3 (FACTS.md §9): leave Mars ~Oct 2030, Earth return July 2031.
    rw = return_window(epoch_grid(utc_to_tdb("2030-07-01"), utc_to_tdb("2031-01-31"), 2.0),
                       epoch_grid(utc_to_tdb("2031-05-01"), utc_to_tdb("2031-08-31"), 2.0))
    t = min(rw.transfers, key=lambda x: x.c3_km2_s2)
    assert tdb_to_utc(t.arrival_tdb_s, "date")[:7] == "2031-07"
    assert _days_between(t.departure_tdb_s, "2030-10-15") <= 30
    # FACTS.md §8: Earth arrival v_inf of the 2028-31 return windows 4.5-5.4 km/s (measured
    # independently); allow 0.4 km/s around that range
    assert 4.1 <= t.vinf_arrival_km_s <= 5.8
    assert rw.transfer_entry_speed_km_s[rw.transfers.index(t)] == pytest.approx(
        entry_speed_km_s(t.vinf_arrival_km_s))
    limited = return_window(rw.grid.depart_tdb_s, rw.grid.arrive_tdb_s, entry_speed_max_km_s=12.3)
    assert np.all(limited.entry_speed_km_s[limited.feasible] <= 12.3)
    with pytest.raises(NoSolutionError, match="lowest Mars departure"):
        return_window(rw.grid.depart_tdb_s, rw.grid.arrive_tdb_s, vinf_departure_max_km_s=0.5)


@pytest.mark.parametrize(
    "call, exc, match",
    [
        (lambda: porkchop("earth", "pluto", [0.0], [1e7]), ConfigError, "to_body='pluto'"),
        (lambda: porkchop("mars", "mars", [0.0], [1e7]), ConfigError, "equals"),
        (lambda: porkchop("earth", "mars", [1e7, 0.0], [1e8]), ConfigError, "depart_tdb_s is not strictly"),
        (lambda: porkchop("earth", "mars", [0.0], [np.nan]), ConfigError, "arrive_tdb_s contains"),
        (lambda: porkchop("earth", "mars", [-4e9], [1e8]), EphemerisRangeError, "ephemeris span"),
        (lambda: epoch_grid(1e8, 0.0, 1.0), ConfigError, "reversed"),
        (lambda: epoch_grid(0.0, 1e8, 0.0), ConfigError, "step_days=0.0"),
        (lambda: transfer_at("earth", "mars", 1e8, 1e8 - 5.0), NoSolutionError, "at least 10 days"),
        (lambda: entry_speed_km_s(4.0, -1.0), ConfigError, "entry_alt_km=-1.0"),
    ],
)
def test_bad_input_is_one_line(call, exc, match):
    with pytest.raises(exc, match=match) as info:
        call()
    assert "\n" not in str(info.value)


def test_bad_launch_period_limits(grid_2028):
    with pytest.raises(ConfigError, match="c3_max_km2_s2=-1"):
        find_launch_period(grid_2028, -1.0)
    with pytest.raises(ConfigError, match="dla_min_deg"):
        find_launch_period(grid_2028, 10.0, dla_min_deg=20.0, dla_max_deg=10.0)
    with pytest.raises(ConfigError, match="transfer_type='III'"):
        find_launch_period(grid_2028, 10.0, transfer_type="III")
    with pytest.raises(ConfigError, match="objective='dv'"):
        best_transfers(grid_2028, "dv")


@settings(max_examples=25, deadline=None)
@given(st.floats(-1e3, 1e3), st.floats(-1e3, 1e3), st.floats(0.1, 40.0))
def test_property_epoch_grid(start_days, span_days, step_days):
    t0 = start_days * DAY
    if not t0 + span_days * DAY > t0:  # empty after rounding counts as reversed
        with pytest.raises(ConfigError, match="reversed"):
            epoch_grid(t0, t0 + span_days * DAY, step_days)
        return
    t = epoch_grid(t0, t0 + span_days * DAY, step_days)
    assert t[0] == t0 and t[-1] == pytest.approx(t0 + span_days * DAY, abs=1e-3)
    # spacing never exceeds the step beyond float64 resolution of epochs ~1e8 s (~3e-8 s)
    assert np.all(np.diff(t) > 0) and np.all(np.diff(t) <= step_days * DAY + 1e-6)
