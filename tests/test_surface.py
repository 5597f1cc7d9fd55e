"""Surface operations kernel against hand-computed timelines and closed forms."""

from __future__ import annotations

import math

import numpy as np
import pytest

from msrsim.campaign.model import LanderSpec, SurfaceSpec
from msrsim.marstime import solar_longitude_deg
from msrsim.surface.operations import SOL_S, simulate_surface, storm_onsets
from msrsim.timescales import utc_to_tdb

DAY = 86400.0
T0 = float(utc_to_tdb("2030-01-01"))


def _run(
    surface=None,
    lander=None,
    n=1,
    blackout=None,
    storms=None,
    rover_m=1000.0,
    heli_m=0.0,
    n_rover=10,
    n_depot=0,
    capacity=30,
    stochastic=False,
    failures=False,
    seeds=None,
    sun_au=1.524,
):
    days = T0 - 10 * DAY + DAY * np.arange(4000)
    bl = np.zeros(days.size, dtype=bool) if blackout is None else blackout(days)
    return simulate_surface(
        surface or SurfaceSpec(),
        lander or LanderSpec(power="rtg"),
        seeds=np.arange(n, dtype=np.uint64) if seeds is None else seeds,
        t_land_tdb_s=np.full(n, T0),
        rover_distance_m=np.full(n, rover_m),
        helicopter_distance_m=np.full(n, heli_m),
        floor_tdb_s=np.full(n, -np.inf),
        deadline_tdb_s=np.full(n, np.inf),
        storm_onsets_tdb_s=np.full((n, 1), np.nan) if storms is None else storms,
        day_grid_tdb_s=days,
        blackout=bl,
        sun_distance_au=np.full(days.size, sun_au),
        n_rover_tubes=n_rover,
        n_depot_tubes=n_depot,
        capacity=capacity,
        stochastic=stochastic,
        failures=failures,
    )


def test_rover_drive_then_handoff_timeline():
    """1 km at 0.5 x 48 m per sol: arrives on sol ceil(1000/24) = 42, hands 10 tubes at 1/sol
    (the first on its arrival sol), so the last is loaded on sol 51; MAV ready 30 sols later."""
    r = _run()
    arrive_sol = math.ceil(1000.0 / 24.0) - 1  # sol index of the sol the distance is reached
    assert (r["t_rover_arrived_tdb_s"][0] - T0) / SOL_S == pytest.approx(arrive_sol)
    assert (r["t_loaded_tdb_s"][0] - T0) / SOL_S == pytest.approx(arrive_sol + 9)
    assert (r["t_mav_ready_tdb_s"][0] - r["t_loaded_tdb_s"][0]) / SOL_S == pytest.approx(30.0)
    assert r["rover_tubes"][0] == 10 and r["rover_tubes_available"][0] == 10


def test_conjunction_stops_everything():
    """A commanding blackout from landing to 19 days later delays loading by the sols it covers."""
    base = _run()
    late = _run(blackout=lambda d: (d >= T0 - DAY) & (d < T0 + 19 * DAY))
    n_blocked = math.ceil(19 * DAY / SOL_S)  # sols that start inside the blackout
    dt_sols = (late["t_loaded_tdb_s"][0] - base["t_loaded_tdb_s"][0]) / SOL_S
    assert abs(dt_sols - n_blocked) <= 1


def test_helicopters_fetch_depot_tubes_in_rounds():
    """2 helicopters, depot at the lander: 2 flights x 3 sols per tube; 10 tubes = 5 rounds of
    6 sols, the last pair delivered on sol 30; the arm (1 tube/sol) loads the tenth on sol 31."""
    r = _run(rover_m=0.0, n_rover=0, n_depot=10)
    assert r["depot_tubes"][0] == 10
    assert (r["t_loaded_tdb_s"][0] - T0) / SOL_S == pytest.approx(31.0)


def test_helicopter_trip_success_is_p_to_the_flights():
    """Depot 1.5 km away: 2 x ceil(1500/700) = 6 flights per trip; with p = 0.9 per flight the
    first trip of each helicopter succeeds with 0.9^6 (binomial check over 4000 trials)."""
    s = SurfaceSpec(helicopters=1, helicopter_flight_success=0.9)
    r = _run(
        surface=s,
        rover_m=0.0,
        n_rover=0,
        n_depot=1,
        heli_m=1500.0,
        n=4000,
        stochastic=True,
        failures=True,
        seeds=np.arange(1, 4001, dtype=np.uint64) * np.uint64(7919),
    )
    p = 0.9**6
    frac = np.mean(r["depot_tubes_available"] == 1)
    assert abs(frac - p) < 3 * math.sqrt(p * (1 - p) / 4000)


def test_solar_lander_dust_death_sol():
    """No storm, dust 2 %/sol at 1.524 AU: output 0.98^s falls below 0.25 on sol
    ceil(ln 0.25 / ln 0.98) = 69 (Lorenz et al. 2021 upper dust rate, FACTS §9)."""
    lander = LanderSpec(power="solar", dust_loss_per_sol=0.02, survival_power_fraction=0.25)
    r = _run(lander=lander, rover_m=1e6)  # the rover never arrives: the lander just waits
    sol = (r["t_lander_lost_tdb_s"][0] - T0) / SOL_S
    assert sol == pytest.approx(math.ceil(math.log(0.25) / math.log(0.98)))
    rtg = _run(
        lander=LanderSpec(power="rtg", dust_loss_per_sol=0.02),
        rover_m=1e6,
        surface=SurfaceSpec(max_surface_sols=200.0),
    )
    assert np.isnan(rtg["t_lander_lost_tdb_s"][0])


def test_storm_peak_then_recovery():
    """A storm at 5 % sunlight for 21 sols kills a lander needing 25 %; one whose survival
    threshold is 4 % survives and its lowest output is the 5 % peak."""
    onset = np.array([[T0 + 10 * SOL_S]])
    dead = _run(lander=LanderSpec(power="solar", dust_loss_per_sol=0.0), storms=onset)
    assert (dead["t_lander_lost_tdb_s"][0] - T0) / SOL_S == pytest.approx(10.0)
    ok = _run(
        lander=LanderSpec(power="solar", dust_loss_per_sol=0.0, survival_power_fraction=0.04), storms=onset
    )
    assert np.isnan(ok["t_lander_lost_tdb_s"][0])
    assert ok["min_power_fraction"][0] == pytest.approx(0.05)


def test_storm_onsets_fall_in_the_dust_season():
    days = T0 + DAY * np.arange(3000)
    from msrsim.campaign.plan import _mars_year_float

    myf = np.asarray(_mars_year_float(days), dtype=float)
    rng = np.random.default_rng(3)
    u1, u2 = rng.random((500, 2)), rng.random((500, 2))
    t = storm_onsets(u1, u2, np.full(500, T0 + 100 * DAY), days, myf, 1.0, (200.0, 300.0))
    ls = solar_longitude_deg(t[np.isfinite(t)])
    assert np.all((ls >= 199.9) & (ls <= 300.1))
    none = storm_onsets(u1, u2, np.full(500, T0 + 100 * DAY), days, myf, 0.0, (200.0, 300.0))
    assert np.all(np.isnan(none))
