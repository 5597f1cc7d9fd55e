"""The campaign trial function: every phase of every trial, coupled, vectorised over trials.

:func:`simulate_trials` runs trials ``start..stop`` of a :class:`~msrsim.campaign.plan.
CampaignPlan` and returns one array per column of the trial table. Each phase is a batched
call over the trials' own inputs (the lander's entry speed from its own transfer, the MAV
lift-off from its own surface timeline, the OS orbit from its own ascent), with random
numbers from :mod:`msrsim.rng` (one stream per phase, keyed by trial index), so a
trial's row does not depend on which chunk or worker ran it.

Failures are outcomes: each event that can end a trial gives a mask and an epoch; the
trial's cause is the earliest event that failed, and its milestones after that are NaN.
"""

from __future__ import annotations

import math
import time

import numpy as np
from scipy.special import betaincinv

from .. import rng
from ..ascent.montecarlo import ASCENT_NORMALS, fly_trials
from ..bodies import MARS
from ..constants import SECONDS_PER_DAY
from ..entry.model import _dest, _local_offsets_km
from ..entry.run import ENTRY_NORMALS, fly_entry_trials, point_in_polygon
from ..ephemeris import conjunction_blackout
from ..marsorbit.lifetime import os_lifetime_batch
from ..marsorbit.nodes import launch_node_batch_rad, targeted_launch_batch
from ..marsorbit.rendezvous import node_rate_rad_s, rendezvous_batch
from ..marstime import heliocentric_distance_au
from ..samples.catalogue import load_catalogue
from ..samples.select import solve_selection
from ..surface.operations import SOL_S, simulate_surface, storm_onsets
from .model import RiskModel
from .plan import CampaignPlan, vinf_to_entry_speed_m_s

#: Outcome codes of the trial table (0 = samples on Earth), in the order of a campaign.
CAUSES = (
    "success",
    "cancelled (launch slips)",
    "ERO launch",
    "ERO cruise",
    "ERO orbit insertion",
    "lander launch",
    "lander cruise",
    "lander EDL",
    "lander entry trajectory",
    "lander after ERO departure",
    "lander power",
    "no tubes loaded",
    "MAV motor",
    "MAV orbit",
    "OS orbit decayed",
    "rendezvous and capture",
    "orbiter limit",
    "return cruise",
    "Earth entry",
    "Earth entry trajectory",
)
CAUSE_CODE = {c: i for i, c in enumerate(CAUSES)}

#: Risk events: (name, prior field of RiskModel, cause).
RISK_EVENTS = (
    ("ero_launch", "launch", "ERO launch"),
    ("ero_cruise", "cruise", "ERO cruise"),
    ("ero_moi", "orbit_insertion", "ERO orbit insertion"),
    ("lander_launch", "launch", "lander launch"),
    ("lander_cruise", "cruise", "lander cruise"),
    ("lander_edl", "edl", "lander EDL"),
    ("mav_motor_1", "mav_motor", "MAV motor"),
    ("mav_motor_2", "mav_motor", "MAV motor"),
    ("rendezvous", "rendezvous", "rendezvous and capture"),
    ("return_cruise", "cruise", "return cruise"),
    ("earth_entry", "earth_entry", "Earth entry"),
)

#: Mars years of storm draws per trial (a surface stay lasts at most ~2 Mars years).
_STORM_YEARS = 3
_NAN = float("nan")


def _assign_launch(ready, opportunities):
    """First opportunity and transfer each trial can fly once ready (vectorised).

    Returns index of the opportunity (-1: none left), departure, arrival, arrival v∞.
    """
    n = ready.shape[0]
    j_out = np.full(n, -1, dtype=np.int8)
    dep = np.full(n, np.nan)
    arr = np.full(n, np.nan)
    vinf = np.full(n, np.nan)
    todo = np.ones(n, dtype=bool)
    for j, op in enumerate(opportunities):
        if op is None:
            continue
        planned = todo & (ready <= op.planned_departure_tdb_s)
        j_out[planned] = j
        dep[planned], arr[planned], vinf[planned] = (
            op.planned_departure_tdb_s,
            op.planned_arrival_tdb_s,
            op.planned_vinf_arrival_km_s,
        )
        todo &= ~planned
        if op.period_departure_tdb_s.size:
            k = np.searchsorted(op.period_departure_tdb_s, ready)
            late = todo & (k < op.period_departure_tdb_s.size)
            kk = np.minimum(k, op.period_departure_tdb_s.size - 1)
            j_out[late] = j
            dep[late] = op.period_departure_tdb_s[kk[late]]
            arr[late] = op.period_arrival_tdb_s[kk[late]]
            vinf[late] = op.period_vinf_arrival_km_s[kk[late]]
            todo &= ~late
    return j_out, dep, arr, vinf


def _assign_return(ready, opportunities):
    """The return each trial flies: best Mars-departure v∞ among departures after ``ready``."""
    n = ready.shape[0]
    j_out = np.full(n, -1, dtype=np.int8)
    dep = np.full(n, np.nan)
    arr = np.full(n, np.nan)
    vinf = np.full(n, np.nan)
    todo = np.isfinite(ready)
    for j, op in enumerate(opportunities):
        if op.departure_tdb_s.size == 0:
            continue
        k = np.searchsorted(op.departure_tdb_s, np.where(todo, ready, np.inf))
        hit = todo & (k < op.departure_tdb_s.size)
        b = op.best_after[np.minimum(k, op.departure_tdb_s.size - 1)]
        j_out[hit] = j
        dep[hit] = op.departure_tdb_s[b[hit]]
        arr[hit] = op.arrival_tdb_s[b[hit]]
        vinf[hit] = op.vinf_arrival_km_s[b[hit]]
        todo &= ~hit
    return j_out, dep, arr, vinf


def _failure_probabilities(risk: RiskModel, u_epistemic: np.ndarray) -> dict:
    """Each prior's failure probability per trial (Beta quantile of a uniform, or fixed)."""
    out = {}
    for c, name in enumerate(RiskModel.names()):
        prior = getattr(risk, name)
        if not risk.enabled:
            out[name] = np.zeros(u_epistemic.shape[0])
        elif prior.p is not None:
            out[name] = np.full(u_epistemic.shape[0], float(prior.p))
        else:
            out[name] = betaincinv(prior.alpha, prior.beta, u_epistemic[:, c])
    return out


class PhysicsMemo:
    """Per-trial cache of the expensive phases, keyed by trial index and the phase's inputs.

    The first run through a memo stores every trial it computes; later runs (the cases of a
    sensitivity study on the same trials and seed) reuse a trial's stored result when the
    phase's inputs for that trial are exactly equal, and compute only the others. The
    random numbers of a trial depend on its index alone, so equal inputs mean an equal
    result: the reuse is exact, not an approximation.
    """

    def __init__(self):
        self.store: dict = {}

    def call(self, name: str, ids, inputs, compute) -> dict:
        """Results of ``compute(rows)`` for every trial ``ids`` (ascending), reusing stored ones.

        Parameters
        ----------
        name : str
            Phase name.
        ids : numpy.ndarray of int, shape (m,)
            Global trial indices, ascending.
        inputs : numpy.ndarray, shape (m, k)
            The phase's inputs of each trial (anything that changes its result).
        compute : callable
            ``compute(rows) -> dict of arrays (len(rows),)`` for row indices into ``ids``.
        """
        ids = np.asarray(ids, dtype=np.int64)
        x = np.asarray(inputs, dtype=float).reshape(ids.size, -1)
        st = self.store.get(name)
        if st is None or ids.size == 0:
            out = compute(np.arange(ids.size))
            if st is None and ids.size:
                self.store[name] = {
                    "ids": ids.copy(),
                    "inputs": x.copy(),
                    "out": {k: np.asarray(v).copy() for k, v in out.items()},
                }
            return out
        pos = np.minimum(np.searchsorted(st["ids"], ids), st["ids"].size - 1)
        a = st["inputs"][pos]
        same = (st["ids"][pos] == ids) & np.all((a == x) | (np.isnan(a) & np.isnan(x)), axis=1)
        rows = np.flatnonzero(~same)
        new = compute(rows) if rows.size else None
        out = {}
        for k, ref in st["out"].items():
            arr = np.empty(ids.size, dtype=ref.dtype)
            arr[same] = ref[pos[same]]
            if new is not None:
                arr[rows] = new[k]
            out[k] = arr
        return out


def _memo_call(memo, name, ids, inputs, compute):
    return compute(np.arange(len(ids))) if memo is None else memo.call(name, ids, inputs, compute)


#: Columns of an entry batch kept by the campaign (floats except ``status``).
ENTRY_TRIAL_KEYS = (
    "status",
    "peak_g",
    "peak_heat_flux_w_cm2",
    "landing_lat_deg",
    "landing_lon_deg",
    "impact_speed_m_s",
    "entry_to_landing_s",
)


def _fly_grouped(prepared: list, group, z, speed_m_s, epoch_tdb_s) -> dict:
    """Fly each trial's entry with the case prepared for its opportunity (one batch per group)."""
    n = z.shape[0]
    out: dict = {}
    for j, pe in enumerate(prepared):
        sel = np.flatnonzero(group == j)
        if pe is None or sel.size == 0:
            continue
        e = pe.config.entry
        tr, _ = fly_entry_trials(pe, z[sel], speed_m_s[sel], e.fpa_deg, e.azimuth_deg, epoch_tdb_s[sel])
        for k, v in tr.items():
            if k not in out:
                out[k] = np.full(n, np.nan) if v.dtype.kind == "f" else np.zeros(n, dtype=v.dtype)
            out[k][sel] = v
    # status 3: not flown (the trial ended earlier, group -1), or no case prepared for its
    # opportunity (counts as a failed entry: 2, timeout)
    flown = np.zeros(n, dtype=bool)
    prepared_ok = np.zeros(n, dtype=bool)
    for j, pe in enumerate(prepared):
        if pe is not None:
            flown |= group == j
        prepared_ok |= group == j
    status = out.get("status", np.zeros(n, dtype=np.int8))
    out["status"] = np.where(flown, status, np.where(prepared_ok, 2, 3)).astype(np.int8)
    # the same columns whatever was flown (callers and the memo rely on a fixed set)
    for k in ENTRY_TRIAL_KEYS:
        if k not in out:
            out[k] = np.full(n, np.nan)
    return {k: out[k] for k in ENTRY_TRIAL_KEYS}


def _wrap_deg(x):
    return (np.asarray(x) + 180.0) % 360.0 - 180.0


def _dest_km(lat_deg, lon_deg, az_deg, dist_km, r_km):
    """Point at a distance (km) and azimuth (deg) on a sphere of radius ``r_km`` (deg in/out)."""
    la, lo = _dest(np.radians(lat_deg), np.radians(lon_deg), np.radians(az_deg), dist_km / r_km)
    return np.degrees(la), np.degrees(lo)


def surface_distances_m(surface, target_lat_deg, target_lon_deg, lat_deg, lon_deg, r_km):
    """Rover drive and helicopter distance to a lander at (lat, lon), m.

    The rover waits ``rover_standoff_km`` west of the landing target during EDL and the
    depot lies ``depot_offset_km`` east of it (ASSUMPTION: directions; distances from the
    architecture).
    """
    lat, lon = np.radians(np.asarray(lat_deg, dtype=float)), np.radians(np.asarray(lon_deg, dtype=float))
    rlat, rlon = _dest_km(target_lat_deg, target_lon_deg, 270.0, surface.rover_standoff_km, r_km)
    dlat, dlon = _dest_km(target_lat_deg, target_lon_deg, 90.0, surface.depot_offset_km, r_km)
    re, rn = _local_offsets_km(lat, lon, math.radians(float(rlat)), math.radians(float(rlon)), r_km * 1e3)
    he, hn = _local_offsets_km(lat, lon, math.radians(float(dlat)), math.radians(float(dlon)), r_km * 1e3)
    return np.hypot(re, rn) * 1e3, np.hypot(he, hn) * 1e3


def surface_window(arch, t_land, t_ero_arrival, t_ero_ready, rendezvous_days):
    """Earliest MAV lift-off the orbiter allows and the deadline of loading, TDB s.

    The MAV waits until the ERO will reach its working orbit within ``mav.max_os_wait_days``
    (floor); loading stops ``surface.max_surface_sols`` after landing, or when the ERO must
    start its rendezvous to leave by its stay limit (deadline).
    """
    day = SECONDS_PER_DAY
    floor = np.asarray(t_ero_ready, dtype=float) - arch.mav.max_os_wait_days * day
    leave = np.asarray(t_ero_arrival, dtype=float) + arch.ero.max_mars_stay_days * day
    deadline = np.minimum(
        np.asarray(t_land, dtype=float) + arch.surface.max_surface_sols * SOL_S,
        leave - np.asarray(rendezvous_days, dtype=float) * day,
    )
    return floor, deadline


def nominal_surface_ready(
    arch,
    target,
    landing_lat_deg,
    landing_lon_deg,
    t_land,
    t_ero_arrival,
    t_ero_ready,
    rendezvous_days,
    day_step_tdb_s=None,
) -> float:
    """MAV-ready epoch of the nominal trial: surface operations with no storm and no failure.

    Parameters
    ----------
    arch : Architecture
    target : entry target (``lat_deg``, ``lon_deg``)
    landing_lat_deg, landing_lon_deg : float
        Where the lander landed, deg.
    t_land, t_ero_arrival, t_ero_ready : float
        Landing, ERO arrival at Mars and ERO in its working orbit, TDB s.
    rendezvous_days : float
        Nominal rendezvous duration (sets the loading deadline), days.

    Returns
    -------
    float
        Earliest MAV lift-off, TDB s (before the plane targeting).
    """

    r_km = MARS.r_eq_m / 1e3
    d_rover, d_heli = surface_distances_m(
        arch.surface, target.lat_deg, target.lon_deg, [landing_lat_deg], [landing_lon_deg], r_km
    )
    floor, deadline = surface_window(arch, [t_land], [t_ero_arrival], [t_ero_ready], [rendezvous_days])
    # daily tables on whole days past J2000, as the plan's (the same sol sees the same flags)
    days = SECONDS_PER_DAY * (math.floor(float(t_land) / SECONDS_PER_DAY) - 30 + np.arange(3 * 365 + 60))
    cat = load_catalogue()
    loc = np.array([t.location for t in cat])
    filled = np.array([t.filled for t in cat])
    res = simulate_surface(
        arch.surface,
        arch.lander,
        seeds=np.zeros(1, np.uint64),
        t_land_tdb_s=np.array([t_land], float),
        rover_distance_m=d_rover,
        helicopter_distance_m=d_heli,
        floor_tdb_s=floor,
        deadline_tdb_s=deadline,
        storm_onsets_tdb_s=np.full((1, 1), np.nan),
        day_grid_tdb_s=days,
        blackout=conjunction_blackout(days),
        sun_distance_au=np.asarray(heliocentric_distance_au(days), dtype=float),
        n_rover_tubes=int(np.sum(filled & (loc == "rover"))),
        n_depot_tubes=int(np.sum(filled & (loc == "depot"))),
        capacity=arch.orbiting_sample.capacity,
        stochastic=False,
        failures=False,
    )
    t = float(res["t_mav_ready_tdb_s"][0])
    return t if math.isfinite(t) else float(t_land)


def simulate_trials(
    plan: CampaignPlan, start: int, stop: int, timings: dict | None = None, memo: PhysicsMemo | None = None
) -> dict:
    """Run trials ``start..stop-1`` of a campaign: every phase, coupled trial by trial.

    Parameters
    ----------
    plan : CampaignPlan
        Once-per-run tables (:func:`msrsim.campaign.plan.build_plan`).
    start, stop : int
        Global trial indices (a chunk); the result does not depend on the chunking.
    timings : dict, optional
        Wall time of each phase is added to it, s (phase name -> seconds).
    memo : PhysicsMemo, optional
        Reuse the expensive phases of trials whose inputs have not changed since the first
        run through this memo (sensitivity studies).

    Returns
    -------
    dict of numpy.ndarray, shape (stop - start,)
        The trial table's columns: ``trial``, ``outcome_code``, ``failure_tdb_s``, every
        milestone epoch (``*_tdb_s``, NaN after a failure), landing miss, surface days, MAV
        delivered orbit, OS wait and lifetime, return opportunity, Earth landing point,
        ``in_uttr``, ``tubes_mask`` (uint64 bit mask over the catalogue), ``tubes_returned``
        and ``value_returned``.
    """
    arch = plan.architecture
    seed = plan.seed
    n = stop - start
    clock = [time.perf_counter(), None]

    def _lap(name):
        """Close the previous phase's timer and open ``name``'s."""
        now = time.perf_counter()
        if timings is not None and clock[1] is not None:
            timings[clock[1]] = timings.get(clock[1], 0.0) + now - clock[0]
        clock[0], clock[1] = now, name

    mc = arch.monte_carlo
    disp = mc.dispersions
    day = SECONDS_PER_DAY
    col: dict = {"trial": np.arange(start, stop, dtype=np.int64)}
    fails: list = []  # (mask, epoch, cause)

    def fail(mask, t, cause):
        fails.append(
            (
                np.asarray(mask, dtype=bool),
                np.broadcast_to(np.asarray(t, dtype=float), (n,)),
                CAUSE_CODE[cause],
            )
        )

    def alive_at(t):
        """Trials with no failure before epoch ``t`` (later physics is skipped for the rest)."""
        dead = np.zeros(n, dtype=bool)
        tt = np.broadcast_to(np.asarray(t, dtype=float), (n,))
        for mask, te, _ in fails:
            dead |= mask & (te < tt)
        return ~dead

    _lap("risk and schedule")
    # ---- risk: epistemic draw of each prior, aleatory draw of each event
    u_epi = rng.uniforms(seed, "risk.epistemic", start, stop, len(RiskModel.names()))
    u_ale = rng.uniforms(seed, "risk.aleatory", start, stop, len(RISK_EVENTS))
    p_fail = _failure_probabilities(arch.risk, u_epi)
    event_fails = {name: u_ale[:, k] < p_fail[prior] for k, (name, prior, _) in enumerate(RISK_EVENTS)}
    col.update({f"p_{name}": p_fail[name] for name in RiskModel.names()})

    # ---- schedule: development slips and launch opportunities
    z_s = rng.normals(seed, "schedule.slip", start, stop, 2)
    slips = {}
    for c, (elem, spec) in enumerate((("ero", arch.schedule.ero), ("lander", arch.schedule.lander))):
        s = spec.median_days * np.exp(spec.sigma * z_s[:, c]) if mc.schedule_slips else np.zeros(n)
        slips[elem] = s
    ero0, lan0 = plan.ero_opportunities[0], plan.lander_opportunities[0]
    ready_ero = ero0.planned_departure_tdb_s + (slips["ero"] - arch.schedule.ero.reserve_days) * day
    ready_lan = lan0.planned_departure_tdb_s + (slips["lander"] - arch.schedule.lander.reserve_days) * day
    if not mc.schedule_slips:
        ready_ero = np.full(n, -np.inf)
        ready_lan = np.full(n, -np.inf)
    j_e, t_e_dep, t_e_arr, vinf_e = _assign_launch(ready_ero, plan.ero_opportunities)
    j_l, t_l_dep, t_l_arr, vinf_l = _assign_launch(ready_lan, plan.lander_opportunities)
    cancelled = (j_e < 0) | (j_l < 0)
    last_close = max(
        o.close_tdb_s for o in plan.ero_opportunities + plan.lander_opportunities if o is not None
    )
    fail(cancelled, last_close, "cancelled (launch slips)")
    # downstream physics of a cancelled trial runs on the planned dates and is then ignored
    for arr_, val in (
        (t_e_dep, ero0.planned_departure_tdb_s),
        (t_e_arr, ero0.planned_arrival_tdb_s),
        (vinf_e, ero0.planned_vinf_arrival_km_s),
        (t_l_dep, lan0.planned_departure_tdb_s),
        (t_l_arr, lan0.planned_arrival_tdb_s),
        (vinf_l, lan0.planned_vinf_arrival_km_s),
    ):
        arr_[~np.isfinite(arr_)] = val
    j_e = np.where(j_e < 0, 0, j_e)
    j_l = np.where(j_l < 0, 0, j_l)
    col.update(
        {
            "ero_slip_days": slips["ero"],
            "lander_slip_days": slips["lander"],
            "ero_opportunity": j_e,
            "lander_opportunity": j_l,
            "ero_launch_tdb_s": t_e_dep,
            "lander_launch_tdb_s": t_l_dep,
        }
    )
    fail(event_fails["ero_launch"], t_e_dep, "ERO launch")
    fail(event_fails["lander_launch"], t_l_dep, "lander launch")
    fail(event_fails["ero_cruise"], 0.5 * (t_e_dep + t_e_arr), "ERO cruise")
    fail(event_fails["lander_cruise"], 0.5 * (t_l_dep + t_l_arr), "lander cruise")
    fail(event_fails["ero_moi"], t_e_arr, "ERO orbit insertion")

    _lap("ERO at Mars")
    # ---- ERO at Mars: insertion, spiral to the working orbit, the latest it may leave
    dur = np.array([p.arrival_to_working_orbit_s if p is not None else np.nan for p in plan.ero_phases])
    t_e_ready = t_e_arr + dur[j_e]
    t_e_leave = t_e_arr + arch.ero.max_mars_stay_days * day
    col.update(
        {
            "ero_mars_arrival_tdb_s": t_e_arr,
            "ero_working_orbit_tdb_s": t_e_ready,
            "lander_vinf_arrival_km_s": vinf_l,
        }
    )

    _lap("SRL entry")
    # ---- lander entry, descent and landing at Jezero (its own arrival speed)
    pe = plan.srl_entry[0]
    ecfg = pe.config
    z_srl = (
        rng.normals(seed, "srl.entry", start, stop, ENTRY_NORMALS) if disp else np.zeros((n, ENTRY_NORMALS))
    )
    v_entry = vinf_to_entry_speed_m_s(vinf_l, "mars")
    g_srl = np.where(alive_at(t_l_arr), j_l, -1)
    srl = _memo_call(
        memo,
        "srl",
        col["trial"],
        np.column_stack([g_srl, v_entry, t_l_arr, np.full(n, float(disp))]),
        lambda r: _fly_grouped(plan.srl_entry, g_srl[r], z_srl[r], v_entry[r], t_l_arr[r]),
    )
    flown_srl = srl["status"] != 3
    landed = srl["status"] == 0
    t_land = t_l_arr + np.where(landed, srl["entry_to_landing_s"], 0.0)
    fail(event_fails["lander_edl"], t_land, "lander EDL")
    fail(flown_srl & ~landed, t_l_arr, "lander entry trajectory")
    r_km = float(pe.prepared.body.r_eq_m) / 1e3
    tgt = ecfg.target
    lat = np.where(landed, srl["landing_lat_deg"], tgt.lat_deg)
    lon = np.where(landed, srl["landing_lon_deg"], tgt.lon_deg)
    de, dn = _local_offsets_km(
        np.radians(lat), np.radians(lon), math.radians(tgt.lat_deg), math.radians(tgt.lon_deg), r_km * 1e3
    )
    miss_km = np.hypot(de, dn)
    sfc = arch.surface
    d_rover_m, d_heli_m = surface_distances_m(sfc, tgt.lat_deg, tgt.lon_deg, lat, lon, r_km)
    col.update(
        {
            "lander_entry_speed_m_s": v_entry,
            "lander_landing_tdb_s": t_land,
            "landing_lat_deg": np.where(landed, lat, np.nan),
            "landing_lon_deg": np.where(landed, lon, np.nan),
            "landing_miss_km": np.where(landed, miss_km, np.nan),
            "srl_peak_g": srl["peak_g"],
        }
    )
    # the ERO leaves (at its stay limit) before the lander is down: known when it leaves
    fail(t_land > t_e_leave, t_e_leave, "lander after ERO departure")

    _lap("surface operations")
    # ---- surface operations, sol by sol
    mo = plan.mars_orbit_config
    rdv_nominal_days = np.array(
        [p.summary.get("rendezvous_days", 0.0) if p is not None else 0.0 for p in plan.ero_phases]
    )[j_e]
    floor, deadline = surface_window(arch, t_land, t_e_arr, t_e_ready, rdv_nominal_days)
    u_storm = rng.uniforms(seed, "surface.storms", start, stop, 2 * _STORM_YEARS)
    if disp:
        onsets = storm_onsets(
            u_storm[:, :_STORM_YEARS],
            u_storm[:, _STORM_YEARS:],
            t_land,
            plan.day_grid_tdb_s,
            plan.mars_year_float,
            sfc.global_storm_per_mars_year,
            sfc.storm_onset_ls_deg,
        )
    else:
        onsets = np.full((n, _STORM_YEARS), np.nan)
    seeds = (rng.uniforms(seed, "surface.sols", start, stop, 1)[:, 0] * 2.0**53).astype(np.uint64)
    surf = simulate_surface(
        sfc,
        arch.lander,
        seeds=seeds,
        t_land_tdb_s=t_land,
        rover_distance_m=d_rover_m,
        helicopter_distance_m=d_heli_m,
        floor_tdb_s=floor,
        deadline_tdb_s=deadline,
        storm_onsets_tdb_s=onsets,
        day_grid_tdb_s=plan.day_grid_tdb_s,
        blackout=plan.blackout,
        sun_distance_au=plan.sun_distance_au,
        n_rover_tubes=plan.rover_order.size,
        n_depot_tubes=plan.depot_order.size,
        capacity=arch.orbiting_sample.capacity,
        stochastic=disp,
        failures=arch.risk.enabled,
    )
    t_dead = surf["t_lander_lost_tdb_s"]
    fail(np.isfinite(t_dead), t_dead, "lander power")
    n_loaded = surf["rover_tubes"].astype(int) + surf["depot_tubes"].astype(int)
    t_loaded = surf["t_loaded_tdb_s"]
    fail(n_loaded == 0, np.where(np.isfinite(t_loaded), t_loaded, t_land), "no tubes loaded")
    col.update(
        {
            "surface_storms": np.sum(np.isfinite(onsets), axis=1).astype(np.int8),
            "rover_arrival_tdb_s": surf["t_rover_arrived_tdb_s"],
            "tubes_loaded_tdb_s": t_loaded,
            "rover_tubes_loaded": surf["rover_tubes"],
            "depot_tubes_loaded": surf["depot_tubes"],
            "rover_lost": surf["rover_lost"],
            "helicopters_lost": surf["helicopters_lost"],
            "lander_min_power_fraction": surf["min_power_fraction"],
        }
    )

    _lap("MAV lift-off targeting")
    # ---- MAV lift-off, targeted into the plane that J2 carries into the ERO's
    t_ready = np.where(np.isfinite(surf["t_mav_ready_tdb_s"]), surf["t_mav_ready_tdb_s"], t_land)
    node0 = np.array([p.final_node_deg if p is not None else 0.0 for p in plan.ero_phases])[j_e]
    mav_site = mo.mav_launch
    chain = targeted_launch_batch(mav_site, mo.os, node0, t_e_ready, mo.ero.working_alt_km, t_ready)
    t_mav = chain["mav_launch_tdb_s"]
    t_rdv0 = chain["rendezvous_start_tdb_s"]
    col.update({"surface_days": (t_mav - t_land) / day, "mav_launch_tdb_s": t_mav})
    fail(event_fails["mav_motor_1"] | event_fails["mav_motor_2"], t_mav, "MAV motor")

    _lap("MAV ascent")
    # ---- MAV ascent from each trial's own lift-off epoch
    z_asc = (
        rng.normals(seed, "mav.ascent", start, stop, ASCENT_NORMALS)
        if disp
        else np.zeros((n, ASCENT_NORMALS))
    )
    fly = np.flatnonzero(alive_at(t_mav))
    asc_f = (
        _memo_call(
            memo,
            "ascent",
            col["trial"][fly],
            np.column_stack([t_mav[fly], np.full(fly.size, float(disp))]),
            lambda r: fly_trials(plan.ascent_config, plan.ascent_guidance, z_asc[fly][r], t_mav[fly][r]),
        )
        if fly.size
        else {}
    )
    asc = {
        k: np.full(n, np.nan) for k in ("periapsis_alt_km", "apoapsis_alt_km", "inclination_deg", "raan_deg")
    }
    asc.update({"valid": np.zeros(n, dtype=bool), "impact": np.zeros(n, dtype=bool)})
    for k, v in asc_f.items():
        v = np.asarray(v)
        asc[k] = np.full(n, np.nan) if v.dtype.kind == "f" else np.zeros(n, dtype=v.dtype)
        asc[k][fly] = v
    flown_asc = np.zeros(n, dtype=bool)
    flown_asc[fly] = True
    # in orbit: a physical vehicle, bound, periapsis above the re-entry altitude (whether
    # the orbit lasts until capture is the OS-lifetime check below)
    with np.errstate(invalid="ignore"):
        orbit_ok = (
            np.asarray(asc["valid"], dtype=bool)
            & ~np.asarray(asc["impact"], dtype=bool)
            & np.isfinite(asc["apoapsis_alt_km"])
            & (asc["periapsis_alt_km"] > mo.os.reentry_alt_km)
        )
    fail(flown_asc & ~orbit_ok, t_mav, "MAV orbit")
    nom = plan.ascent_nominal
    hp, ha, inc = asc["periapsis_alt_km"], asc["apoapsis_alt_km"], asc["inclination_deg"]
    col.update(
        {
            "mav_periapsis_alt_km": hp,
            "mav_apoapsis_alt_km": ha,
            "mav_inclination_deg": inc,
            "mav_raan_deg": asc["raan_deg"],
        }
    )

    _lap("rendezvous")
    # ---- node difference at the start of rendezvous: the targeted chain's residual plus
    # what the ascent scatter adds (node error at insertion, differential J2 over the wait)
    node_formula = np.degrees(
        launch_node_batch_rad(
            t_mav, mav_site.lat_deg, mav_site.lon_deg, mo.os.inclination_deg, mav_site.ascending
        )
    )
    c0 = float(
        _wrap_deg(
            float(nom["raan_deg"])
            - np.degrees(
                launch_node_batch_rad(
                    plan.ascent_config.launch_tdb_s,
                    mav_site.lat_deg,
                    mav_site.lon_deg,
                    mo.os.inclination_deg,
                    mav_site.ascending,
                )
            )
        )
    )
    h_nom_asc = 0.5 * (float(nom["periapsis_alt_km"]) + float(nom["apoapsis_alt_km"]))
    h_os_nom = 0.5 * (mo.os.periapsis_alt_km + mo.os.apoapsis_alt_km)
    good = orbit_ok & np.isfinite(ha)
    h_trial = np.where(good, h_os_nom + 0.5 * (hp + ha) - h_nom_asc, h_os_nom)
    inc_trial = np.where(
        good, mo.os.inclination_deg + inc - float(nom["inclination_deg"]), mo.os.inclination_deg
    )
    d_node_insert = np.where(good, _wrap_deg(asc["raan_deg"] - node_formula - c0), 0.0)
    wait_s = t_rdv0 - t_mav
    w_trial = np.asarray(node_rate_rad_s(h_trial, inc_trial), dtype=float)
    w_nom = float(node_rate_rad_s(h_os_nom, mo.os.inclination_deg))
    d_raan = _wrap_deg(chain["delta_raan_deg"] + d_node_insert + np.degrees((w_trial - w_nom) * wait_s))
    d_inc = np.hypot(mo.rendezvous.delta_inclination_deg, inc_trial - mo.os.inclination_deg)
    u_phase = rng.uniforms(seed, "rendezvous.phase", start, stop, 1)[:, 0]
    phase = 360.0 * u_phase if disp else np.full(n, mo.rendezvous.phase_angle_deg)
    rdv_days = np.empty(n)
    rdv_dv = np.empty(n)
    for j, p in enumerate(plan.ero_phases):
        sel = j_e == j
        if p is None or not np.any(sel):
            continue
        rb = rendezvous_batch(
            mo.os,
            mo.ero,
            mo.rendezvous,
            p.mass_at_rendezvous_kg,
            p.ep_thrust_n,
            d_raan[sel],
            os_alt_km=h_trial[sel],
            inclination_deg=inc_trial[sel],
            delta_inclination_deg=d_inc[sel],
            phase_angle_deg=phase[sel],
        )
        rdv_days[sel] = rb["duration_days"]
        rdv_dv[sel] = rb["dv_m_s"]
    t_capture = t_rdv0 + rdv_days * day
    fail(event_fails["rendezvous"], t_capture, "rendezvous and capture")
    col.update(
        {
            "rendezvous_start_tdb_s": t_rdv0,
            "delta_raan_deg": d_raan,
            "rendezvous_days": rdv_days,
            "rendezvous_dv_m_s": rdv_dv,
            "capture_tdb_s": t_capture,
        }
    )

    _lap("OS lifetime")
    # ---- the OS must outlive its wait from lift-off to capture
    os_p = mo.os
    os_wait_days = (t_capture - t_mav) / day
    hp_ok, ha_ok = np.where(good, hp, np.nan), np.where(good, ha, np.nan)
    # one horizon for every trial (a chunk's own longest wait would make a trial's lifetime
    # depend on its chunk): the longest wait the architecture allows
    horizon = arch.mav.max_os_wait_days + arch.ero.max_mars_stay_days

    def lifetimes(r):
        life_r, ok_r = os_lifetime_batch(
            hp_ok[r],
            ha_ok[r],
            inc[r],
            os_p.area_to_mass_m2_kg,
            os_p.drag_coefficient,
            os_p.reentry_alt_km,
            max_days=horizon,
        )
        return {"life": life_r, "in_orbit": ok_r}

    lt = _memo_call(
        memo,
        "os_lifetime",
        col["trial"],
        np.column_stack([hp_ok, ha_ok, inc, np.full(n, horizon)]),
        lifetimes,
    )
    life, in_orbit = lt["life"], lt["in_orbit"]
    decayed = orbit_ok & (life < os_wait_days)
    fail(decayed, t_mav + life * day, "OS orbit decayed")
    col.update({"os_wait_days": os_wait_days, "os_lifetime_days": np.where(in_orbit, life, np.nan)})

    _lap("return window")
    # ---- return: the best return after capture, within the orbiter's stay limit
    j_r, t_tei, t_earth, vinf_r = _assign_return(t_capture, plan.return_opportunities)
    over = (j_r < 0) | (t_tei > t_e_leave)
    fail(over, np.where(j_r < 0, t_e_leave, np.minimum(t_tei, t_e_leave)), "orbiter limit")
    last = plan.return_opportunities[0]
    for arr_, val in (
        (t_tei, last.departure_tdb_s[last.best_after[0]]),
        (t_earth, last.arrival_tdb_s[last.best_after[0]]),
        (vinf_r, last.vinf_arrival_km_s[last.best_after[0]]),
    ):
        arr_[~np.isfinite(arr_)] = val
    fail(event_fails["return_cruise"], 0.5 * (t_tei + t_earth), "return cruise")
    col.update(
        {
            "return_opportunity": j_r,
            "tei_tdb_s": t_tei,
            "ero_mars_stay_days": (t_tei - t_e_arr) / day,
            "earth_vinf_km_s": vinf_r,
        }
    )

    _lap("EES entry")
    # ---- Earth Entry System at Utah
    c2 = next(p for p in plan.ees_entry if p is not None).config
    z_ees = (
        rng.normals(seed, "ees.entry", start, stop, ENTRY_NORMALS) if disp else np.zeros((n, ENTRY_NORMALS))
    )
    v_ees = vinf_to_entry_speed_m_s(vinf_r, "earth")
    g_ees = np.where(alive_at(t_earth), np.maximum(j_r, 0), -1)
    ees = _memo_call(
        memo,
        "ees",
        col["trial"],
        np.column_stack([g_ees, v_ees, t_earth, np.full(n, float(disp))]),
        lambda r: _fly_grouped(plan.ees_entry, g_ees[r], z_ees[r], v_ees[r], t_earth[r]),
    )
    e_landed = ees["status"] == 0
    t_ees_land = t_earth + np.where(e_landed, ees["entry_to_landing_s"], 0.0)
    fail((ees["status"] != 3) & ~e_landed, t_earth, "Earth entry trajectory")
    fail(event_fails["earth_entry"], t_ees_land, "Earth entry")
    in_zone = np.zeros(n, dtype=bool)
    if c2.target.polygon_lat_lon_deg is not None:
        in_zone = e_landed & point_in_polygon(
            ees["landing_lat_deg"], ees["landing_lon_deg"], c2.target.polygon_lat_lon_deg
        )
    col.update(
        {
            "ees_entry_speed_m_s": v_ees,
            "ees_release_tdb_s": t_earth - mo.ret.ees_release_days * day,
            "earth_entry_tdb_s": t_earth,
            "earth_landing_tdb_s": t_ees_land,
            "earth_landing_lat_deg": ees["landing_lat_deg"],
            "earth_landing_lon_deg": ees["landing_lon_deg"],
            "in_uttr": in_zone,
            "ees_peak_g": ees["peak_g"],
            "ees_impact_speed_m_s": ees["impact_speed_m_s"],
        }
    )

    _lap("outcomes")
    # ---- first failure by epoch decides the outcome
    code = np.zeros(n, dtype=np.int8)
    t_fail = np.full(n, np.inf)
    for mask, t, c in fails:
        tt = np.where(np.isfinite(t), t, -np.inf)  # a failure without a date counts at once
        earlier = mask & (tt < t_fail)
        code[earlier] = c
        t_fail[earlier] = tt[earlier]
    ok = code == 0
    col["outcome_code"] = code
    col["failure_tdb_s"] = np.where(ok, np.nan, t_fail)
    # milestones after the failure did not happen
    for k in [k for k in col if k.endswith("_tdb_s") and k != "failure_tdb_s"]:
        v = np.asarray(col[k], dtype=float)
        col[k] = np.where(ok | (v < col["failure_tdb_s"]), v, np.nan)
    _lap("return sets")
    # ---- samples: the value-maximising set among the tubes that reached the lander
    mask, value = _return_sets(plan, surf["rover_tubes_available"], surf["depot_tubes_available"])
    col["tubes_mask"] = np.where(ok, mask, np.uint64(0)).astype(np.uint64)
    col["tubes_returned"] = np.where(ok, _popcount(mask), 0).astype(np.int16)
    col["value_returned"] = np.where(ok, value, 0.0)
    col["tubes_loaded"] = n_loaded.astype(np.int16)
    _lap(None)
    return col


def _popcount(x) -> np.ndarray:
    """Set bits of each uint64."""
    b = np.ascontiguousarray(x, dtype=np.uint64).view(np.uint8).reshape(-1, 8)
    return np.unpackbits(b, axis=1).sum(axis=1)


def _return_sets(plan: CampaignPlan, rover_tubes, depot_tubes):
    """Bit mask and value of the best return set for each (rover, depot) count pair.

    The available tubes are the first ``k`` rover tubes and ``m`` depot tubes in the order
    they reach the arm (value order); the OS takes the value-maximising set of at most its
    capacity (the exact selection of :func:`msrsim.samples.select.solve_selection`, the one
    ``msrsim samples select`` makes), solved once per distinct pair and cached.
    """
    k = np.asarray(rover_tubes, dtype=np.int64)
    m = np.asarray(depot_tubes, dtype=np.int64)
    pairs, inv = np.unique(np.stack([k, m], axis=1), axis=0, return_inverse=True)
    masks = np.zeros(len(pairs), dtype=np.uint64)
    values = np.zeros(len(pairs))
    vm = plan.value_model
    ntube = vm.individual.size
    cap = plan.architecture.orbiting_sample.capacity
    for p, (kk, mm) in enumerate(pairs):
        key = (cap, int(kk), int(mm))  # the capacity too: variants of one plan may differ in it
        hit = plan.selection_cache.get(key)
        if hit is None:
            avail = np.zeros(ntube, dtype=bool)
            avail[plan.rover_order[:kk]] = True
            avail[plan.depot_order[:mm]] = True
            excluded = np.flatnonzero(~avail)
            sol = None
            if avail.any():
                # the rules of `msrsim samples select` (minimum witness/regolith tubes...) where
                # the available tubes allow them, else the best set without them
                sol = solve_selection(vm, cap, (), excluded, plan.selection_groups)
                if sol is None:
                    sol = solve_selection(vm, cap, (), excluded)
            if sol is None:
                hit = (np.uint64(0), 0.0)
            else:
                sel, val = sol
                bits = np.uint64(0)
                for i in np.flatnonzero(sel):
                    bits |= np.uint64(1) << np.uint64(i)
                hit = (bits, float(val))
            plan.selection_cache[key] = hit
        masks[p], values[p] = hit
    inv = inv.ravel()
    return masks[inv], values[inv]
