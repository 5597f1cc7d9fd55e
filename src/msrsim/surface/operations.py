"""Surface operations at Jezero, sol by sol and vectorised over trials (compiled).

Each trial starts at its own landing epoch with the lander where its entry put it. Every
sol (88,775.244 s, FACTS.md §4):

* **Solar conjunction** (Sun–Earth–Mars < 2°, FACTS.md §9): no commanding, nothing moves.
* **Power** (solar lander only): output relative to clean arrays at 1.524 AU is
  ``(1.524 / r)^2 (1 - dust)^sol T_storm``; dust loss ~0.2 %/sol (Lorenz et al. 2021), a
  global storm cuts sunlight to ~5 % for ~3 weeks and recovers over ~3 months (Opportunity
  2018; FACTS.md §10). Below the survival fraction the lander is lost. An RTG lander is
  immune.
* **Rover courier**: Perseverance drives from where it waited to the lander (a fraction
  of sols, a distance per driving sol; ~24 m/sol on average, FACTS.md §8), then hands its
  tubes to the Sample Transfer Arm; an ageing rover may stop for good (hazard per sol).
* **Helicopters**: each fetches one depot tube per round trip; a trip is
  ``2 max(1, ceil(d / range))`` flights (range ~700 m, FACTS.md §8), each flight
  succeeding with a probability, a failed flight losing the helicopter and its tube.
* **Sample Transfer Arm**: loads tubes into the OS at a rate per sol, rover tubes first,
  up to the OS capacity.

Loading ends when no more tubes can come (or the OS is full), or at the deadline; the
MAV is ready a checkout period later, and not before the floor the caller gives (the ERO
must be near). The lander must survive until lift-off. Random numbers come from a
per-trial 64-bit seed (SplitMix64 inside the kernel), so a trial's sols depend on its seed
only, never on the batch it runs in.
"""

from __future__ import annotations

import math

import numba
import numpy as np

#: Mars solar day, s (FACTS.md §4).
SOL_S = 88775.244
#: Reference heliocentric distance of the relative array output, AU (Mars's semi-major axis).
REF_DISTANCE_AU = 1.524

# output columns
(
    O_T_LOADED,
    O_T_READY,
    O_T_DEAD,
    O_T_ROVER_ARRIVED,
    O_ROVER_TUBES,
    O_DEPOT_TUBES,
    O_ROVER_LOST,
    O_HELI_LOST,
    O_MIN_POWER,
    O_ROVER_AVAIL,
    O_DEPOT_AVAIL,
) = range(11)
N_OUT = 11


@numba.njit(cache=True)
def _splitmix(state):
    state = (state + np.uint64(0x9E3779B97F4A7C15)) & np.uint64(0xFFFFFFFFFFFFFFFF)
    z = state
    z = ((z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)) & np.uint64(0xFFFFFFFFFFFFFFFF)
    z = ((z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)) & np.uint64(0xFFFFFFFFFFFFFFFF)
    z = z ^ (z >> np.uint64(31))
    return state, (z >> np.uint64(11)) * (1.0 / 9007199254740992.0)


@numba.njit(cache=True)
def _surface_kernel(
    seeds,
    t_land,
    d_rover_m,
    d_heli_m,
    floor_t,
    deadline_t,
    storms,
    solar,
    day0,
    blackout,
    sun_au,
    n_rover,
    n_depot,
    capacity,
    stochastic,
    drive_m,
    availability,
    rover_loss,
    handoff_rate,
    n_heli,
    heli_range_m,
    heli_success,
    sols_per_flight,
    checkout_sols,
    survival,
    dust_loss,
    storm_t,
    storm_peak_s,
    storm_decay_s,
    out,
):
    n = t_land.shape[0]
    n_days = blackout.shape[0]
    for i in range(n):
        state = np.uint64(seeds[i])
        t0 = t_land[i]
        dist = 0.0
        arrived = d_rover_m[i] <= 0.0
        t_arr = t0 if arrived else np.nan
        rover_lost = False
        rover_avail = 0  # rover tubes handed to the arm queue
        depot_delivered = 0
        depot_started = 0
        heli_alive = n_heli
        heli_busy_until = np.zeros(max(n_heli, 1))
        heli_ok = np.ones(max(n_heli, 1), dtype=np.bool_)
        heli_carrying = np.zeros(max(n_heli, 1), dtype=np.bool_)
        flights = 2.0 * max(1.0, math.ceil(d_heli_m[i] / heli_range_m))
        trip_sols = flights * sols_per_flight
        loaded_r = 0
        loaded_d = 0
        arm = 0.0
        t_loaded = np.nan
        t_ready = np.nan
        t_dead = np.nan
        min_p = np.inf
        s = 0
        while True:
            t = t0 + s * SOL_S
            k = int((t - day0) / 86400.0)
            if k < 0:
                k = 0
            if k >= n_days:
                k = n_days - 1
            # power of a solar lander
            if solar:
                tr = 1.0
                for j in range(storms.shape[1]):
                    o = storms[i, j]
                    if np.isfinite(o) and t >= o:
                        if t < o + storm_peak_s:
                            x = storm_t
                        elif t < o + storm_peak_s + storm_decay_s:
                            x = storm_t + (1.0 - storm_t) * (t - o - storm_peak_s) / storm_decay_s
                        else:
                            x = 1.0
                        if x < tr:
                            tr = x
                p = (REF_DISTANCE_AU / sun_au[k]) ** 2 * (1.0 - dust_loss) ** s * tr
                if p < min_p:
                    min_p = p
                if p < survival:
                    t_dead = t
                    break
            if not np.isnan(t_ready) and t >= t_ready:
                break
            if np.isnan(t_loaded):
                if t >= deadline_t[i]:
                    t_loaded = t
                elif not blackout[k]:
                    # rover
                    if not rover_lost:
                        if stochastic:
                            state, u = _splitmix(state)
                            if u < rover_loss:
                                rover_lost = True
                                rover_avail = loaded_r  # tubes still aboard are lost with it
                        if not rover_lost and not arrived:
                            if stochastic:
                                state, u = _splitmix(state)
                                if u < availability:
                                    dist += drive_m
                            else:
                                dist += availability * drive_m
                            if dist >= d_rover_m[i]:
                                arrived = True
                                t_arr = t
                        if arrived and not rover_lost:
                            rover_avail = n_rover
                    # helicopters: deliveries due, then new trips
                    for h in range(n_heli):
                        if heli_carrying[h] and s >= heli_busy_until[h]:
                            heli_carrying[h] = False
                            if heli_ok[h]:
                                depot_delivered += 1
                            else:
                                heli_alive -= 1
                    for h in range(n_heli):
                        if heli_ok[h] and not heli_carrying[h] and depot_started < n_depot:
                            depot_started += 1
                            heli_carrying[h] = True
                            heli_busy_until[h] = s + trip_sols
                            if stochastic:
                                nf = int(flights)
                                for _f in range(nf):
                                    state, u = _splitmix(state)
                                    if u >= heli_success:
                                        heli_ok[h] = False
                                        break
                    # Sample Transfer Arm: rover tubes first, then depot tubes
                    arm += handoff_rate
                    while arm >= 1.0 and loaded_r + loaded_d < capacity:
                        if loaded_r < rover_avail:
                            loaded_r += 1
                        elif loaded_d < depot_delivered:
                            loaded_d += 1
                        else:
                            break
                        arm -= 1.0
                    if loaded_r >= rover_avail and loaded_d >= depot_delivered:
                        arm = 0.0  # nothing waiting: the arm does not bank idle sols
                    rover_done = rover_lost or (arrived and loaded_r >= n_rover)
                    heli_busy = False
                    for h in range(n_heli):
                        if heli_carrying[h]:
                            heli_busy = True
                    depot_done = (
                        (depot_started >= n_depot or heli_alive <= 0)
                        and not heli_busy
                        and loaded_d >= depot_delivered
                    )
                    if loaded_r + loaded_d >= capacity or (rover_done and depot_done):
                        t_loaded = t
            if not np.isnan(t_loaded) and np.isnan(t_ready):
                t_ready = max(t_loaded + checkout_sols * SOL_S, floor_t[i])
                if t >= t_ready:
                    break
            s += 1
            if s > 20000:  # ~55 Earth years: nothing on the surface waits longer
                break
        out[i, O_T_LOADED] = t_loaded
        out[i, O_T_READY] = t_ready
        out[i, O_T_DEAD] = t_dead
        out[i, O_T_ROVER_ARRIVED] = t_arr
        out[i, O_ROVER_TUBES] = loaded_r
        out[i, O_DEPOT_TUBES] = loaded_d
        out[i, O_ROVER_LOST] = 1.0 if rover_lost else 0.0
        out[i, O_HELI_LOST] = n_heli - heli_alive
        out[i, O_MIN_POWER] = min_p if solar else np.nan
        out[i, O_ROVER_AVAIL] = rover_avail
        out[i, O_DEPOT_AVAIL] = depot_delivered


def simulate_surface(
    surface,
    lander,
    *,
    seeds,
    t_land_tdb_s,
    rover_distance_m,
    helicopter_distance_m,
    floor_tdb_s,
    deadline_tdb_s,
    storm_onsets_tdb_s,
    day_grid_tdb_s,
    blackout,
    sun_distance_au,
    n_rover_tubes: int,
    n_depot_tubes: int,
    capacity: int,
    stochastic: bool = True,
    failures: bool = True,
) -> dict:
    """Surface operations of every trial, sol by sol, in one compiled call.

    Parameters
    ----------
    surface : msrsim.campaign.model.SurfaceSpec
        Rover, arm, helicopter and storm parameters.
    lander : msrsim.campaign.model.LanderSpec
        Power source, survival fraction and dust loss.
    seeds : array_like of uint64, shape (n,)
        Per-trial seeds of the in-kernel random numbers.
    t_land_tdb_s : array_like, shape (n,)
        Landing epochs, TDB s.
    rover_distance_m, helicopter_distance_m : array_like, shape (n,)
        Rover drive to the lander and helicopter distance from the depot to the lander, m.
    floor_tdb_s : array_like, shape (n,)
        Earliest MAV lift-off the orbiter allows, TDB s.
    deadline_tdb_s : array_like, shape (n,)
        Loading stops here; the MAV launches with what is loaded, TDB s.
    storm_onsets_tdb_s : array_like, shape (n, k)
        Onsets of global dust storms (NaN: none), TDB s.
    day_grid_tdb_s, blackout, sun_distance_au : numpy.ndarray, shape (m,)
        Daily tables: epochs (uniform 1-day step), conjunction flags, heliocentric
        distance of Mars (AU).
    n_rover_tubes, n_depot_tubes, capacity : int
        Filled tubes on the rover and in the depot; OS capacity.
    stochastic : bool
        Draw rover availability and losses and helicopter failures (False: the rover moves
        its mean distance every sol, nothing fails).
    failures : bool
        Allow rover loss and helicopter failures (False: probabilities 0).

    Returns
    -------
    dict of numpy.ndarray
        ``t_loaded_tdb_s``, ``t_mav_ready_tdb_s``, ``t_lander_lost_tdb_s`` (NaN: survived),
        ``t_rover_arrived_tdb_s``, ``rover_tubes``, ``depot_tubes``, ``rover_lost``,
        ``helicopters_lost``, ``min_power_fraction``, and the tubes that reached the lander
        (``rover_tubes_available``, ``depot_tubes_available``: the return set is chosen among
        them, the arm loads at most the OS capacity).
    """
    t_land = np.ascontiguousarray(t_land_tdb_s, dtype=float)
    n = t_land.shape[0]

    def arr(x):
        return np.ascontiguousarray(np.broadcast_to(np.asarray(x, dtype=float), (n,)))

    storms = np.ascontiguousarray(np.asarray(storm_onsets_tdb_s, dtype=float).reshape(n, -1))
    out = np.empty((n, N_OUT))
    days = np.asarray(day_grid_tdb_s, dtype=float)
    _surface_kernel(
        np.ascontiguousarray(seeds, dtype=np.uint64),
        t_land,
        arr(rover_distance_m),
        arr(helicopter_distance_m),
        arr(floor_tdb_s),
        arr(deadline_tdb_s),
        storms,
        lander.power == "solar",
        float(days[0]),
        np.ascontiguousarray(blackout, dtype=np.bool_),
        np.ascontiguousarray(sun_distance_au, dtype=float),
        int(n_rover_tubes),
        int(n_depot_tubes),
        int(capacity),
        bool(stochastic),
        float(surface.rover_drive_m_per_driving_sol),
        float(surface.rover_availability),
        float(surface.rover_loss_per_sol) if failures else 0.0,
        float(surface.handoff_tubes_per_sol),
        int(surface.helicopters),
        float(surface.helicopter_range_m),
        float(surface.helicopter_flight_success) if failures else 1.0,
        float(surface.helicopter_sols_per_flight),
        float(surface.mav_checkout_sols),
        float(lander.survival_power_fraction),
        float(lander.dust_loss_per_sol),
        float(surface.storm_peak_transmission),
        float(surface.storm_peak_sols) * SOL_S,
        float(surface.storm_decay_sols) * SOL_S,
        out,
    )
    return {
        "t_loaded_tdb_s": out[:, O_T_LOADED],
        "t_mav_ready_tdb_s": out[:, O_T_READY],
        "t_lander_lost_tdb_s": out[:, O_T_DEAD],
        "t_rover_arrived_tdb_s": out[:, O_T_ROVER_ARRIVED],
        "rover_tubes": out[:, O_ROVER_TUBES].astype(np.int16),
        "depot_tubes": out[:, O_DEPOT_TUBES].astype(np.int16),
        "rover_lost": out[:, O_ROVER_LOST] > 0.5,
        "helicopters_lost": out[:, O_HELI_LOST].astype(np.int8),
        "min_power_fraction": out[:, O_MIN_POWER],
        "rover_tubes_available": out[:, O_ROVER_AVAIL].astype(np.int16),
        "depot_tubes_available": out[:, O_DEPOT_AVAIL].astype(np.int16),
    }


def storm_onsets(
    u_occur, u_ls, t_start_tdb_s, day_grid_tdb_s, mars_year_float, per_year: float, ls_range_deg
) -> np.ndarray:
    """Onset epochs of global dust storms in the Mars years from each trial's landing.

    Parameters
    ----------
    u_occur, u_ls : array_like, shape (n, k)
        Uniform numbers per trial and Mars year (whether a storm occurs; where in Ls).
    t_start_tdb_s : array_like, shape (n,)
        Landing epochs (the first year counted is the one of the landing).
    day_grid_tdb_s, mars_year_float : numpy.ndarray, shape (m,)
        Daily epochs and the Mars year + Ls/360 at each (monotone).
    per_year : float
        Probability of a global storm per Mars year (~1/3, FACTS.md §9).
    ls_range_deg : (float, float)
        Onset solar longitude range, deg.

    Returns
    -------
    numpy.ndarray, shape (n, k)
        Onset epochs, TDB s; NaN where no storm.
    """
    uo = np.asarray(u_occur, dtype=float)
    ul = np.asarray(u_ls, dtype=float)
    y0 = np.floor(np.interp(np.asarray(t_start_tdb_s, dtype=float), day_grid_tdb_s, mars_year_float))
    years = y0[:, None] + np.arange(uo.shape[1])[None, :]
    ls = ls_range_deg[0] + (ls_range_deg[1] - ls_range_deg[0]) * ul
    t = np.interp(years + ls / 360.0, mars_year_float, day_grid_tdb_s, left=np.nan, right=np.nan)
    return np.where(uo < per_year, t, np.nan)
