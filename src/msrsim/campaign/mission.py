"""The ERO's Mars phase end to end: arrival, spiral, rendezvous, wait, TEI, Earth arrival."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..bodies import icrf_to_equator_matrix
from ..constants import G0_M_S2, SECONDS_PER_DAY
from ..marsorbit.params import MarsOrbitConfig

#: Floor of the arrival v∞ after the ion-engine cruise, km/s (assumption: the capture is
#: still a hyperbolic approach for the chemical OIM; below this the EP would capture).
_MIN_ARRIVAL_VINF_KM_S = 0.5


@dataclass(frozen=True)
class EROLegs:
    """The ERO's two interplanetary legs as the launch-windows module gives them.

    Attributes
    ----------
    outbound : msrsim.windows.Transfer
        Earth->Mars transfer (its ``arrival_tdb_s`` is the Mars arrival, its
        ``vinf_arrival_vec_km_s`` the arrival v∞, ICRF).
    outbound_source : str
        Where it came from (``"architecture <name>, ERO leg, Type II"`` or ``"override"``).
    window : msrsim.windows.ReturnWindow or None
        The architecture's Mars->Earth return window (None when the dates are overridden).
    lander : msrsim.windows.Transfer or None
        The lander's (SRL's) Earth->Mars transfer, lowest arrival v∞ of the best transfers
        of the architecture's first leg flown by another vehicle (None if not needed or
        absent): its arrival starts the surface stay before the MAV launch.
    """

    outbound: object
    outbound_source: str
    window: object | None
    lander: object | None = None


@dataclass(frozen=True)
class MarsOrbitPhase:
    """Result of :func:`plan_mars_orbit_phase`; ``summary`` is JSON-ready (SI-in-name).

    ``epochs_tdb_s`` holds the start of every phase (TDB s past J2000; the CLI prints them
    as UTC); ``outbound`` and ``return_transfer`` are the :class:`msrsim.windows.Transfer`
    legs used.
    """

    summary: dict
    moi: object = field(repr=False)
    spiral: object = field(repr=False)
    rendezvous: object = field(repr=False)
    tei: object = field(repr=False)
    earth: object = field(repr=False)
    os_decay: object = field(repr=False)
    timeline: list = field(repr=False)
    epochs_tdb_s: dict = field(repr=False, default_factory=dict)
    outbound: object = field(repr=False, default=None)
    return_transfer: object = field(repr=False, default=None)


def _ero_leg(arch):
    """The architecture's Earth->Mars leg flown by the return vehicle (the ERO)."""
    from ..errors import ConfigError

    want = arch.mars_to_earth.vehicle.strip().lower()
    for k, leg in enumerate(arch.earth_to_mars):
        if leg.vehicle.strip().lower() == want and leg.from_body == "earth" and leg.to_body == "mars":
            return k, leg
    raise ConfigError(f"architecture {arch.name!r} has no earth_to_mars leg flown by "
                      f"vehicle={arch.mars_to_earth.vehicle!r} (the return vehicle); add one")


#: Sources whose change invalidates a cached ERO cruise (the solver, its kernels, the
#: ephemeris and the capture model).
_CRUISE_SOURCES = ("lowthrust/*.py", "kernels/lowthrust*.py", "ephemeris.py", "marsorbit/arrival.py")
_CRUISE_ARRAYS = ("arrival_vinf_km_s", "arrive_grid_tdb_s", "mass_after_moi_grid_kg", "final_mass_grid_kg",
                  "arrival_vinf_grid_km_s", "control", "vinf_departure_km_s")


def _cruise_to_json(res) -> str:
    import dataclasses
    import json

    d = {f.name: getattr(res, f.name) for f in dataclasses.fields(res)}
    for k in _CRUISE_ARRAYS:
        d[k] = None if d[k] is None else np.asarray(d[k], dtype=float).tolist()
    return json.dumps(d)


def _cruise_from_json(text: str):
    import json

    from ..lowthrust.ero import EROOpportunity

    d = json.loads(text)
    for k in _CRUISE_ARRAYS:
        d[k] = None if d[k] is None else np.asarray(d[k], dtype=float)
    d["choose_between_tdb_s"] = tuple(float(x) for x in d["choose_between_tdb_s"])
    return EROOpportunity(**d)


def _ephemeris_id(ephemeris_path: str | None) -> list | None:
    """What identifies the ephemeris in a cache key (path, size and modification time)."""
    import os

    if ephemeris_path is None:
        return None
    try:
        st = os.stat(ephemeris_path)
        return [os.path.abspath(ephemeris_path), st.st_size, st.st_mtime_ns]
    except OSError:
        return [str(ephemeris_path)]


def opportunity_cruise(departure_tdb_s: float, arrive_window_tdb_s, ero_params,
                       ephemeris_path: str | None = None, *, choose_between_tdb_s=None):
    """:func:`msrsim.lowthrust.ero.ero_opportunity_cruise` with the default search, cached on
    disk (:mod:`msrsim.campaign._diskcache`, keyed by the launch epoch, the arrival window,
    the arrivals the choice may take, the ERO parameters, the ephemeris and the source of
    the solver), so that a campaign solves each opportunity's cruise once per machine.

    Parameters
    ----------
    departure_tdb_s : float
        Launch epoch, TDB s past J2000.
    arrive_window_tdb_s : (float, float)
        Earliest and latest Mars arrival, TDB s past J2000.
    ero_params : msrsim.marsorbit.params.EROParams
    ephemeris_path : str, optional
        SPK kernel instead of DE421.
    choose_between_tdb_s : (float, float), optional
        Earliest and latest Mars arrival the choice may take, TDB s (default: the whole
        window, the largest mass after MOI).

    Returns
    -------
    msrsim.lowthrust.ero.EROOpportunity
    """
    import json

    from ..lowthrust.ero import ero_opportunity_cruise
    from ._diskcache import cache_path, package_sources, read_cached, write_cached

    a0, a1 = (float(x) for x in arrive_window_tdb_s)
    between = None if choose_between_tdb_s is None else [float(x) for x in choose_between_tdb_s]
    key = json.dumps({"depart_tdb_s": float(departure_tdb_s), "arrive_window_tdb_s": [a0, a1],
                      "choose_between_tdb_s": between, "ero": ero_params.model_dump(mode="json"),
                      "ephemeris": _ephemeris_id(ephemeris_path)}, sort_keys=True)
    path = cache_path("ero_cruise", key, package_sources(*_CRUISE_SOURCES))
    res = read_cached(path, _cruise_from_json)
    if res is None or res.depart_tdb_s != float(departure_tdb_s):
        res = ero_opportunity_cruise(float(departure_tdb_s), (a0, a1), ero_params,
                                     ephemeris_path=ephemeris_path, choose_between_tdb_s=between)
        write_cached(path, _cruise_to_json(res))
    return res


def ero_working_orbit(config: MarsOrbitConfig, arrival_tdb_s: float, arrival_vinf_icrf_km_s,
                      mass_at_arrival_kg: float):
    """The ERO from Mars arrival to its working orbit: chemical MOI, OIM jettison, ion spiral.

    The arrival part of :func:`plan_mars_orbit_phase` (which calls it), on its own so that
    the choice of the cruise's arrival (:func:`earliest_return_cruise`) sizes candidate
    arrivals with the same chain.

    Parameters
    ----------
    config : MarsOrbitConfig
    arrival_tdb_s : float
        Mars arrival, TDB s past J2000.
    arrival_vinf_icrf_km_s : array_like, shape (3,)
        Arrival v∞, ICRF km/s.
    mass_at_arrival_kg : float
        Mass before MOI, kg.

    Returns
    -------
    moi, spiral : msrsim.marsorbit.arrival results
    spiral_start_tdb_s, spiral_end_tdb_s : float
        End of the MOI burn and arrival in the working orbit, TDB s.
    """
    from ..marsorbit.arrival import mars_orbit_insertion, spiral_down

    os_, ero = config.os, config.ero
    t_arr = float(arrival_tdb_s)
    m_arr = icrf_to_equator_matrix("mars", t_arr)
    vinf_arr_eq = m_arr @ (np.asarray(arrival_vinf_icrf_km_s, dtype=float) * 1e3)
    moi = mars_orbit_insertion(vinf_arr_eq, ero.capture_periapsis_alt_km, ero.capture_period_h,
                               float(mass_at_arrival_kg), ero.oim_thrust_n, ero.oim_isp_s,
                               os_.inclination_deg)
    m_spiral0 = moi.mass_after_kg - ero.oim_dry_mass_kg
    t_spiral0 = t_arr + moi.burn_duration_s
    spiral = spiral_down(moi.r_end_m, moi.v_end_m_s, m_spiral0, ero, ero.working_alt_km,
                         os_.inclination_deg, t_spiral0, effectivity_cut=ero.spiral_effectivity_cut)
    return moi, spiral, t_spiral0, t_spiral0 + spiral.duration_days * SECONDS_PER_DAY


def ero_ready_tdb_s(config: MarsOrbitConfig, arrival_tdb_s: float, arrival_vinf_icrf_km_s,
                    mass_at_arrival_kg: float, os_ready_tdb_s: float = float("-inf")) -> float:
    """When the ERO could have the OS captured, TDB s.

    Working orbit (:func:`ero_working_orbit`) or the OS in orbit (``os_ready_tdb_s``),
    whichever is later, plus the nominal rendezvous and capture
    (:func:`msrsim.marsorbit.rendezvous.plan_rendezvous` with the spiral's mass and thrust
    and no node difference: the MAV's lift-off is timed into the plane J2 carries into the
    ERO's, so the chain's residual is ~1e-9 deg); a lander that is later still delays the
    capture further, which the Monte Carlo models per trial. ``inf`` when the chain cannot
    fly the arrival (the insertion burn does not reach the capture orbit, or the spiral does
    not end).
    """
    from ..errors import NoSolutionError
    from ..marsorbit.rendezvous import plan_rendezvous

    try:
        _, spiral, _, t_end = ero_working_orbit(config, arrival_tdb_s, arrival_vinf_icrf_km_s,
                                                mass_at_arrival_kg)
    except NoSolutionError:
        return float("inf")  # the insertion module cannot capture from this arrival
    if not spiral.reached:
        return float("inf")
    rv = plan_rendezvous(config.os, config.ero, config.rendezvous, spiral.mass_after_kg, spiral.thrust_n,
                         delta_raan_deg=0.0)
    return float(max(t_end, os_ready_tdb_s) + rv.duration_days * SECONDS_PER_DAY)


def _first_return_departure(ready_tdb_s: float, return_opportunities) -> float:
    """The Mars departure the campaign gives an ERO ready at ``ready_tdb_s``: in the first
    return window with a departure after it, the lowest-v∞ one from then on (the Monte
    Carlo's rule, :func:`msrsim.campaign.engine._assign_return`); NaN if none."""
    from .engine import _assign_return

    _, dep, _, _ = _assign_return(np.array([float(ready_tdb_s)]), list(return_opportunities))
    return float(dep[0])


#: Sources whose change invalidates a cached arrival choice (the cruise's, the Mars chain's).
_CHOICE_SOURCES = _CRUISE_SOURCES + ("marsorbit/*.py", "campaign/mission.py", "campaign/engine.py")
#: Most refined solves :func:`earliest_return_cruise` tries (each a continuation and a cold
#: SLSQP solve when not cached).
_MAX_REFINES = 6


def earliest_return_cruise(max_mass, arrive_window_tdb_s, config: MarsOrbitConfig, return_opportunities,
                           ephemeris_path: str | None = None, os_ready_tdb_s: float = float("-inf")):
    """The cruise with the most mass after MOI that keeps the earliest return.

    The reference is the earliest arrival of the search that the chain can fly (some early
    arrivals come too fast for the insertion module's thrust): the ERO's steps from it
    (:func:`ero_ready_tdb_s`, no earlier than the OS can be in orbit) set the first Mars
    departure the campaign's return windows give it (:func:`_first_return_departure`), the
    deadline ``D``. If the largest-mass
    cruise (``max_mass``) is ready by ``D`` it is the answer, so the policy changes only the
    cruises that would forfeit that return. Otherwise the latest arrival of the search grid
    that is ready by ``D`` is found by bisection between the reference and the window's
    end (readiness grows with the arrival date almost everywhere: a later arrival is
    heavier and spirals longer; where it does not, the arrival found is still ready in time
    but may not be the latest that is), and the arrivals up to it are tried in order of
    mass after MOI: each is refined (:func:`opportunity_cruise` choosing within half a grid
    step of it) and kept once the refined cruise is itself ready by ``D``. If none is,
    ``max_mass`` is returned with a note. Cached on disk (the readiness evaluations,
    ~0.3-0.9 s each, and the refinements run once per machine).

    Parameters
    ----------
    max_mass : msrsim.lowthrust.ero.EROOpportunity
        The unconstrained choice (feasible), whose ``*_grid`` arrays are the search.
    arrive_window_tdb_s : (float, float)
        The leg's arrival window, TDB s.
    config : MarsOrbitConfig
        The chain's vehicle and orbit parameters (``config.ero`` solved ``max_mass``).
    return_opportunities : list of ReturnOpportunity
        The campaign plan's return windows known so far.
    ephemeris_path : str, optional
    os_ready_tdb_s : float
        Earliest epoch the OS can be in orbit, TDB s (the first lander's arrival plus
        ``config.mav_launch.surface_stay_days``, the chain's earliest MAV lift-off).

    Returns
    -------
    cruise : EROOpportunity
    info : dict
        JSON-ready: ``return_departure_utc`` (D), ``ready_utc`` of the cruise,
        ``max_mass_arrival_utc``, ``max_mass_after_moi_kg``, ``max_mass_ready_utc`` and a
        ``note`` when the fallback is used.
    """
    import json

    from ..timescales import tdb_to_utc
    from ._diskcache import cache_path, package_sources, read_cached, write_cached

    o = max_mass
    t_grid = np.asarray(o.arrive_grid_tdb_s, dtype=float)
    score = np.asarray(o.mass_after_moi_grid_kg, dtype=float)
    vinf_grid, mf_grid = o.arrival_vinf_grid_km_s, o.final_mass_grid_kg
    memo: dict = {}

    def ready(k: int) -> float:
        if k not in memo:
            memo[k] = ero_ready_tdb_s(config, t_grid[k], vinf_grid[k], mf_grid[k], os_ready_tdb_s)
        return memo[k]

    # the reference: the earliest arrival of the search that the Mars chain can fly
    cand = [int(k) for k in np.flatnonzero(np.isfinite(score))]
    while cand and not np.isfinite(ready(cand[0])):
        cand.pop(0)
    base = {"max_mass_arrival_utc": tdb_to_utc(o.arrive_tdb_s, "date"),
            "max_mass_after_moi_kg": round(float(o.mass_after_moi_kg), 1)}
    deadline = _first_return_departure(ready(cand[0]), return_opportunities) if cand else float("nan")
    if not np.isfinite(deadline):
        return o, {**base, "note": ("no return window follows the earliest arrival the chain can fly; "
                                    "largest mass kept")}
    base["return_departure_utc"] = tdb_to_utc(deadline, "date")
    key = json.dumps({"max_mass": _cruise_to_json(o), "window": [float(x) for x in arrive_window_tdb_s],
                      "deadline_tdb_s": deadline, "os_ready_tdb_s": float(os_ready_tdb_s),
                      "config": config.model_dump(mode="json"),
                      "ephemeris": _ephemeris_id(ephemeris_path)}, sort_keys=True)
    path = cache_path("ero_cruise_choice", key, package_sources(*_CHOICE_SOURCES))

    def parse(text):
        d = json.loads(text)
        return _cruise_from_json(d["cruise"]), d["info"]

    hit = read_cached(path, parse)
    if hit is not None:
        return hit
    ready_max = ero_ready_tdb_s(config, o.arrive_tdb_s, o.arrival_vinf_km_s, o.final_mass_kg, os_ready_tdb_s)
    base["max_mass_ready_utc"] = tdb_to_utc(ready_max, "date") if np.isfinite(ready_max) else None
    out = None
    if ready_max <= deadline:
        out = (o, {**base, "ready_utc": base["max_mass_ready_utc"]})
    else:
        # bisection for the latest grid arrival ready by D (cand[lo] is, cand[hi] is not)
        lo, hi = 0, len(cand) - 1
        if ready(cand[hi]) <= deadline:
            lo = hi
        while hi - lo > 1:
            mid = (lo + hi) // 2
            lo, hi = (mid, hi) if ready(cand[mid]) <= deadline else (lo, mid)
        half = 0.5 * (float(t_grid[1] - t_grid[0]) if t_grid.size > 1 else SECONDS_PER_DAY)
        tried = 0
        for k in sorted(cand[:lo + 1], key=lambda q: -score[q]):
            if out is not None or tried >= _MAX_REFINES:
                break
            if ready(k) > deadline:
                continue
            # within half a grid step of the arrival; then, if the refined one arrived later
            # and misses D, on or before it only
            for between in ((t_grid[k] - half, t_grid[k] + half), (t_grid[k] - half, t_grid[k])):
                tried += 1
                c = opportunity_cruise(o.depart_tdb_s, arrive_window_tdb_s, config.ero, ephemeris_path,
                                       choose_between_tdb_s=between)
                if not c.feasible:
                    break
                t_c = ero_ready_tdb_s(config, c.arrive_tdb_s, c.arrival_vinf_km_s, c.final_mass_kg,
                                      os_ready_tdb_s)
                if t_c <= deadline:
                    out = (c, {**base, "ready_utc": tdb_to_utc(t_c, "date")})
                    break
                if c.arrive_tdb_s <= t_grid[k]:
                    break
        if out is None:
            out = (o, {**base, "note": (f"no refined arrival is ready for the return of "
                                        f"{base['return_departure_utc']} ({tried} refinements tried); "
                                        "largest mass kept")})
    write_cached(path, json.dumps({"cruise": _cruise_to_json(out[0]), "info": out[1]}))
    return out


def planned_cruise(arch, ero_params, departure_tdb_s: float, opportunity: int = 0,
                   ephemeris_path: str | None = None, *, mars_orbit_config: MarsOrbitConfig | None = None,
                   return_opportunities=None, lander_arrival_tdb_s: float | None = None):
    """The outbound cruise an architecture's ERO flies from its planned launch.

    ``arch.ero.cruise_model`` electric: the solved solar-electric cruise into the ERO leg's
    arrival window (:func:`opportunity_cruise`), its arrival chosen by
    ``arch.ero.cruise_arrival`` (``max_mass``: the largest mass after MOI in the window;
    ``earliest_return``: :func:`earliest_return_cruise`); ballistic (a chemical ERO, or
    ``ero.cruise: ballistic``), or no low-thrust solution: None (the ballistic leg is flown).

    Parameters
    ----------
    arch : Architecture
        The architecture (its ERO leg's ``arrive_range_utc`` bounds the arrival).
    ero_params : msrsim.marsorbit.params.EROParams
    departure_tdb_s : float
        Planned launch, TDB s past J2000.
    opportunity : int
        Opportunity index (for the note).
    ephemeris_path : str, optional
    mars_orbit_config : MarsOrbitConfig, optional
        The chain's parameters for ``earliest_return`` (default: defaults with ``ero_params``).
    return_opportunities : list of ReturnOpportunity, optional
        The plan's return windows for ``earliest_return`` (default: the architecture's own
        window, from :func:`msrsim.campaign.architecture.analyse_windows`).
    lander_arrival_tdb_s : float, optional
        The first lander's Mars arrival, TDB s (with the return windows; default: the
        architecture's own lander leg, lowest arrival v∞): the OS is in orbit no earlier
        than ``mav_launch.surface_stay_days`` after it.

    Returns
    -------
    cruise : EROOpportunity or None
        Feasible solved cruise, or None when the ballistic leg is flown.
    note : dict
        JSON-ready: ``opportunity``, ``cruise_model`` (``"electric"`` or ``"ballistic"``)
        and either the cruise's figures (with ``arrival_policy`` and what the policy
        compared) or a ``note`` saying why the leg is ballistic.
    """
    from ..timescales import parse_date_range, tdb_to_utc

    dep_utc = tdb_to_utc(float(departure_tdb_s), "date")
    base = {"opportunity": int(opportunity), "departure_utc": dep_utc}
    if arch.ero.cruise_model != "electric":
        why = ("chemical ERO (ero.propulsion: chemical): no ion engines"
               if arch.ero.propulsion == "chemical" else "ero.cruise: ballistic")
        return None, {**base, "cruise_model": "ballistic",
                      "note": f"{why}; the ballistic leg with the first-order cruise_dv_m_s credit is flown"}
    k, leg = _ero_leg(arch)
    window = parse_date_range(leg.arrive_range_utc, f"earth_to_mars.{k}.arrive_range_utc")
    res = opportunity_cruise(departure_tdb_s, window, ero_params, ephemeris_path)
    if not res.feasible:
        a0, a1 = (tdb_to_utc(x, "date") for x in window)
        return None, {**base, "cruise_model": "ballistic", "engines": int(res.engine_count),
                      "note": (f"no solar-electric cruise from {dep_utc} reaches Mars between {a0} and {a1} "
                               f"with {res.engine_count} engines; the ballistic leg with the first-order "
                               "cruise_dv_m_s credit is flown instead")}
    policy = arch.ero.cruise_arrival
    extra: dict = {}
    if policy == "earliest_return":
        cfg = mars_orbit_config if mars_orbit_config is not None else MarsOrbitConfig(ero=ero_params)
        if return_opportunities is None:
            from .architecture import analyse_windows
            from .plan import _leg_indices, _outbound, _return

            w = analyse_windows(arch, ephemeris_path)
            return_opportunities = [_return(0, w[-1].return_window)]
            lander = _outbound(0, w[_leg_indices(arch)[1]])
            lander_arrival_tdb_s = None if lander is None else lander.planned_arrival_tdb_s
        os_ready = (float("-inf") if lander_arrival_tdb_s is None
                    else float(lander_arrival_tdb_s) + cfg.mav_launch.surface_stay_days * SECONDS_PER_DAY)
        res, extra = earliest_return_cruise(res, window, cfg, return_opportunities, ephemeris_path, os_ready)
    return res, {**base, "cruise_model": "electric", "engines": int(res.engine_count),
                 "arrival_policy": policy,
                 "arrival_utc": tdb_to_utc(float(res.arrive_tdb_s), "date"),
                 "xenon_kg": round(float(res.xenon_kg), 1),
                 "arrival_vinf_km_s": round(float(np.linalg.norm(res.arrival_vinf_km_s)), 4),
                 "launch_c3_km2_s2": round(float(res.launch_c3_km2_s2), 3),
                 "mass_after_moi_kg": round(float(res.mass_after_moi_kg), 1), **extra}


def ero_legs(config: MarsOrbitConfig, architecture=None, windows=None,
             ephemeris_path: str | None = None) -> EROLegs:
    """Resolve the ERO's outbound transfer and the return window from the architecture.

    Uses the launch-windows analysis of the architecture (:func:`msrsim.campaign.architecture.
    analyse_windows`, the computation behind ``msrsim run``): of the best transfers it
    reports for the ERO's Earth->Mars leg, the one with the lowest Mars arrival v∞ (the
    capture is what the ERO pays for); and the Mars->Earth return window of the
    ``mars_to_earth`` leg. Date overrides in ``config`` replace a leg by the transfer
    between the given dates (:func:`msrsim.windows.transfer_at`).

    Parameters
    ----------
    config : MarsOrbitConfig
    architecture : Architecture or str, optional
        Architecture object, preset name or YAML path (default ``baseline_2022``).
    windows : list of LegResult, optional
        A precomputed ``analyse_windows(architecture)`` (saves its ~2 s).
    ephemeris_path : str, optional
        SPK kernel instead of DE421.
    """
    from ..errors import ConfigError
    from ..timescales import utc_to_tdb
    from ..windows import transfer_at
    from .architecture import Architecture, analyse_windows, load_architecture

    ret = config.ret
    over_out = (config.earth_departure_utc, config.mars_arrival_utc)
    over_ret = (ret.tei_utc, ret.earth_arrival_utc)
    for names, pair in ((("earth_departure_utc", "mars_arrival_utc"), over_out),
                        (("return.tei_utc", "return.earth_arrival_utc"), over_ret)):
        if (pair[0] is None) != (pair[1] is None):
            raise ConfigError(f"{names[0]}={pair[0]!r} and {names[1]}={pair[1]!r}: give both "
                              "dates or neither (neither: the architecture's windows)")
    need_lander = config.mav_launch.launch_utc is None
    need_windows = over_out[0] is None or over_ret[0] is None or need_lander
    arch = None
    if need_windows:
        arch = architecture if isinstance(architecture, Architecture) else load_architecture(architecture)
        if windows is None:
            windows = analyse_windows(arch, ephemeris_path)
    if over_out[0] is not None:
        outbound = transfer_at("earth", "mars", float(utc_to_tdb(over_out[0], "earth_departure_utc")),
                               float(utc_to_tdb(over_out[1], "mars_arrival_utc")), ephemeris_path)
        source = "override (earth_departure_utc, mars_arrival_utc)"
    else:
        k, _ = _ero_leg(arch)
        transfers = windows[k].transfers
        if not transfers:
            raise ConfigError(f"architecture {arch.name!r}: the ERO Earth->Mars leg has no transfer; "
                              "widen its date ranges")
        outbound = min(transfers, key=lambda t: t.vinf_arrival_km_s)
        source = f"architecture {arch.name}, {windows[k].vehicle} Earth->Mars leg, Type {outbound.type}"
    window = None if over_ret[0] is not None else windows[-1].return_window
    lander = None
    if need_lander:
        k_ero, _ = _ero_leg(arch)
        others = [k for k, leg in enumerate(arch.earth_to_mars) if k != k_ero and leg.to_body == "mars"]
        if not others:
            raise ConfigError(f"architecture {arch.name!r} has no lander leg to time the MAV launch; "
                              "give mav_launch.launch_utc")
        if windows[others[0]].transfers:
            lander = min(windows[others[0]].transfers, key=lambda t: t.vinf_arrival_km_s)
    return EROLegs(outbound=outbound, outbound_source=source, window=window, lander=lander)


def choose_return(legs: EROLegs, config: MarsOrbitConfig, earliest_tdb_s: float,
                  ephemeris_path: str | None = None):
    """The Mars->Earth transfer the ERO flies, leaving no earlier than ``earliest_tdb_s``.

    Returns ``(transfer, note)``: of the return window's refined best transfers (those
    ``msrsim run`` lists), the lowest Mars-departure v∞ one that leaves after
    ``earliest_tdb_s``; if none does, the best of the window restricted to departures from
    ``earliest_tdb_s`` on (:func:`msrsim.windows.return_window`); if the window closes
    before, its overall best with a note that the schedule is not met.
    """
    from ..errors import MsrsimError
    from ..timescales import utc_to_tdb
    from ..windows import epoch_grid, return_window, transfer_at

    ret = config.ret
    if legs.window is None:
        t = transfer_at("mars", "earth", float(utc_to_tdb(ret.tei_utc, "return.tei_utc")),
                        float(utc_to_tdb(ret.earth_arrival_utc, "return.earth_arrival_utc")), ephemeris_path)
        return t, "override (return.tei_utc, return.earth_arrival_utc)"
    rw = legs.window
    ok = [t for t in rw.transfers if t.departure_tdb_s >= earliest_tdb_s]
    if ok:
        return min(ok, key=lambda t: t.vinf_departure_km_s), "return window best transfer"
    best = min(rw.transfers, key=lambda t: t.vinf_departure_km_s)
    td = rw.grid.depart_tdb_s
    step_s = float(td[1] - td[0]) if td.size > 1 else SECONDS_PER_DAY
    if earliest_tdb_s < td[-1] - step_s:
        try:
            late = return_window(epoch_grid(earliest_tdb_s, float(td[-1]), step_s / SECONDS_PER_DAY),
                                 rw.grid.arrive_tdb_s, entry_alt_km=rw.entry_alt_km,
                                 ephemeris_path=ephemeris_path)
            return (min(late.transfers, key=lambda t: t.vinf_departure_km_s),
                    "return window restricted to departures after capture")
        except MsrsimError:
            pass
    return best, "return window closes before the capture is complete: schedule not met"


def plan_mars_orbit_phase(config: MarsOrbitConfig | None = None, architecture=None, windows=None,
                          ephemeris_path: str | None = None, cruise=None) -> MarsOrbitPhase:
    """Size and time the ERO's Mars phase.

    Parameters
    ----------
    config : MarsOrbitConfig, optional
        Vehicle and orbit parameters (defaults: FACTS.md-based, see
        :mod:`msrsim.marsorbit.params`).
    architecture : Architecture or str, optional
        Supplies the dates: the ERO's Earth->Mars leg (Mars arrival and v∞) and the
        Mars->Earth return window (default preset ``baseline_2022``); see :func:`ero_legs`.
    windows : list of LegResult, optional
        Precomputed :func:`msrsim.campaign.architecture.analyse_windows` of ``architecture``.
    ephemeris_path : str, optional
        SPK kernel instead of DE421.
    cruise : object, optional
        A solved electric-propulsion cruise (:func:`msrsim.lowthrust.ero.ero_opportunity_cruise`,
        feasible): its Mars arrival epoch, arrival v∞ (ICRF km/s) and mass before insertion
        replace the ballistic leg and the first-order ``cruise_dv_m_s`` stand-in.
    """
    from ..marsorbit.departure import earth_arrival, trans_earth_injection
    from ..marsorbit.lifetime import os_orbit_decay
    from ..marsorbit.nodes import node_chain, node_rate_rad_s
    from ..marsorbit.rendezvous import plan_rendezvous
    from ..timescales import utc_to_tdb

    cfg = config or MarsOrbitConfig()
    os_, ero, rdv, ret = cfg.os, cfg.ero, cfg.rendezvous, cfg.ret
    legs = ero_legs(cfg, architecture, windows, ephemeris_path)
    if cruise is not None:
        # the solved ion-engine cruise: its own arrival epoch, v∞ and mass
        t_arr = float(cruise.arrive_tdb_s)
        vinf_ballistic = np.asarray(legs.outbound.vinf_arrival_vec_km_s, dtype=float)
        vb = float(np.linalg.norm(vinf_ballistic))
        arrival_vinf_icrf_km_s = np.asarray(cruise.arrival_vinf_km_s, dtype=float)
        m_arrival = float(cruise.final_mass_kg)
    else:
        t_arr = float(legs.outbound.arrival_tdb_s)
        # the launch-windows leg is ballistic; the ERO's ion engines work in cruise (FACTS.md
        # §3): their Δv is taken off the ballistic arrival v∞, direction kept (first order)
        vinf_ballistic = np.asarray(legs.outbound.vinf_arrival_vec_km_s, dtype=float)
        vb = float(np.linalg.norm(vinf_ballistic))
        v_arr = max(vb - ero.cruise_dv_m_s / 1e3, _MIN_ARRIVAL_VINF_KM_S)
        arrival_vinf_icrf_km_s = vinf_ballistic * (v_arr / vb)
        m_arrival = ero.mars_arrival_mass_kg
    moi, spiral, t_spiral0, t_spiral_end = ero_working_orbit(cfg, t_arr, arrival_vinf_icrf_km_s, m_arrival)
    # the node difference at the start of rendezvous from the chain: the OS's node from the
    # MAV lift-off (site, time) drifted under J2, against the ERO's spiral-end node
    mav = cfg.mav_launch
    if mav.launch_utc is not None:
        t_mav0 = float(utc_to_tdb(mav.launch_utc, "mav_launch.launch_utc"))
    elif legs.lander is not None:
        t_mav0 = float(legs.lander.arrival_tdb_s) + mav.surface_stay_days * SECONDS_PER_DAY
    else:
        from ..errors import ConfigError

        raise ConfigError("mav_launch.launch_utc=None and the architecture's lander leg has no transfer; "
                          "give mav_launch.launch_utc")
    h_os0 = 0.5 * (os_.periapsis_alt_km + os_.apoapsis_alt_km)
    nodes = node_chain(mav, os_, spiral.final_raan_deg, t_spiral_end, ero.working_alt_km, t_mav0)
    t_rdv0 = nodes.rendezvous_start_tdb_s
    rv = plan_rendezvous(os_, ero, rdv, spiral.mass_after_kg, spiral.thrust_n,
                         delta_raan_deg=nodes.delta_raan_deg)
    # propellant of the rendezvous: ion engines for the big moves, thrusters (tei_isp) for
    # the terminal ones
    dv_ep = sum(p[1] for p in rv.phases if p[3] != "thrusters")
    dv_chem = sum(p[1] for p in rv.phases if p[3] == "thrusters")
    m_after_rdv = spiral.mass_after_kg * np.exp(-dv_ep / (G0_M_S2 * ero.ep_isp_s)
                                                - dv_chem / (G0_M_S2 * ero.tei_isp_s))
    t_capture = t_rdv0 + rv.duration_days * SECONDS_PER_DAY
    back, return_note = choose_return(legs, cfg, t_capture, ephemeris_path)
    t_tei = float(back.departure_tdb_s)
    t_earth = float(back.arrival_tdb_s)
    departure_vinf_icrf_km_s = np.asarray(back.vinf_departure_vec_km_s)
    earth_vinf_icrf_km_s = np.asarray(back.vinf_arrival_vec_km_s)
    h_os = 0.5 * (os_.periapsis_alt_km + os_.apoapsis_alt_km)
    m_tei = icrf_to_equator_matrix("mars", t_tei)
    vinf_dep_eq = m_tei @ (np.asarray(departure_vinf_icrf_km_s, dtype=float) * 1e3)
    tei = trans_earth_injection(vinf_dep_eq, h_os, os_.inclination_deg, m_after_rdv, ero.tei_isp_s)
    earth = earth_arrival(earth_vinf_icrf_km_s, ret.entry_alt_km, ret.entry_fpa_deg,
                          ret.ees_release_days, ret.landing_lat_deg)
    decay = os_orbit_decay(os_.periapsis_alt_km, os_.apoapsis_alt_km, os_.inclination_deg,
                           os_.area_to_mass_m2_kg, os_.drag_coefficient,
                           reentry_alt_km=os_.reentry_alt_km)
    day = SECONDS_PER_DAY
    wait_days = (t_tei - t_capture) / day
    timeline = [
        ("Mars orbit insertion", 0.0, moi.burn_duration_s / day),
        ("ion-engine spiral", (t_spiral0 - t_arr) / day, spiral.duration_days),
        ("OS in orbit (MAV launch)", (nodes.mav_launch_tdb_s - t_arr) / day, nodes.os_wait_days),
        ("rendezvous and capture", (t_rdv0 - t_arr) / day, rv.duration_days),
        ("wait for the return window", (t_capture - t_arr) / day, max(wait_days, 0.0)),
        ("trans-Earth injection", (t_tei - t_arr) / day, 0.0),
    ]
    epochs = {
        "earth_departure": float(legs.outbound.departure_tdb_s),
        "mars_arrival": t_arr,
        "moi_end": t_spiral0,
        "spiral_end": t_spiral_end,
        "mav_launch": nodes.mav_launch_tdb_s,
        "rendezvous_start": t_rdv0,
        "capture_complete": t_capture,
        "tei": t_tei,
        "ees_release": t_earth - earth.release_days * day,
        "earth_arrival": t_earth,
    }
    dv_total = moi.dv_finite_m_s + spiral.dv_m_s + rv.dv_total_m_s + tei.dv_m_s
    summary = {
        "dv_total_m_s": dv_total,
        "duration_days": (t_tei - t_arr) / day,
        "capture_complete_days": (t_capture - t_arr) / day,
        # PIA25892 / ESA 2023: "~3 years from launch to the end of capture" (FACTS.md §8)
        "launch_to_capture_years": (t_capture - float(legs.outbound.departure_tdb_s)) / (365.25 * day),
        "wait_for_window_days": wait_days,
        "schedule_ok": bool(wait_days >= 0.0 and spiral.reached),
        "outbound_leg": legs.outbound_source,
        "outbound_type": legs.outbound.type,
        "return_leg": return_note,
        "return_type": back.type,
        "earth_departure_c3_km2_s2": float(legs.outbound.c3_km2_s2),
        "arrival_vinf_km_s": moi.vinf_m_s / 1e3,
        "arrival_vinf_ballistic_km_s": vb,
        "cruise_ep_dv_m_s": ero.cruise_dv_m_s if cruise is None else None,
        "cruise_model": ("electric (msrsim.lowthrust)" if cruise is not None
                         else "ballistic leg - cruise_dv_m_s"),
        "cruise_xenon_kg": float(cruise.xenon_kg) if cruise is not None else None,
        "moi_dv_m_s": moi.dv_finite_m_s,
        "moi_dv_impulsive_m_s": moi.dv_impulsive_m_s,
        "moi_gravity_loss_m_s": moi.gravity_loss_m_s,
        "moi_burn_s": moi.burn_duration_s,
        "moi_propellant_kg": moi.propellant_kg,
        "capture_periapsis_alt_km": moi.periapsis_alt_km,
        "capture_apoapsis_alt_km": moi.apoapsis_alt_km,
        "capture_inclination_deg": moi.inclination_deg,
        "spiral_days": spiral.duration_days,
        "spiral_dv_m_s": spiral.dv_m_s,
        "spiral_xenon_kg": spiral.propellant_kg,
        "spiral_edelbaum_dv_m_s": spiral.edelbaum_dv_m_s,
        "spiral_edelbaum_days": spiral.edelbaum_days,
        "spiral_coast_fraction": spiral.coast_fraction,
        "spiral_reached": spiral.reached,
        "ep_engines": spiral.engines,
        "mav_launch_timing": nodes.timing,
        "os_wait_before_rendezvous_days": nodes.os_wait_days,
        "os_node_at_launch_deg": nodes.os_node_at_launch_deg,
        "os_node_at_rendezvous_deg": nodes.os_node_at_rendezvous_deg,
        "ero_node_at_rendezvous_deg": nodes.ero_node_at_rendezvous_deg,
        "delta_raan_chain_deg": nodes.delta_raan_deg,
        "delta_raan_deg": rv.delta_raan_deg,
        "delta_raan_source": "override" if rdv.delta_raan_deg is not None else "chain",
        # what 1 km of OS altitude error (MAV delivery scatter) adds to the node difference
        # over the OS's wait: the differential J2 rate times the wait
        "delta_raan_per_km_os_alt_deg": float(np.degrees(
            (node_rate_rad_s(h_os0 + 1.0, os_.inclination_deg) - node_rate_rad_s(h_os0, os_.inclination_deg))
            * nodes.os_wait_days * day)),
        "rendezvous_dv_m_s": rv.dv_total_m_s,
        "rendezvous_days": rv.duration_days,
        "plane_strategy": rv.plane_strategy,
        "keep_out_ok": rv.keep_out_ok,
        "passively_safe_hops": rv.passively_safe,
        "tei_dv_m_s": tei.dv_m_s,
        "tei_dv_ideal_m_s": tei.dv_ideal_m_s,
        "tei_plane_penalty_m_s": tei.plane_penalty_m_s,
        "tei_dv_worst_node_m_s": tei.dv_worst_node_m_s,
        "tei_vinf_km_s": tei.vinf_m_s / 1e3,
        "tei_vinf_declination_deg": tei.declination_deg,
        "tei_propellant_kg": tei.propellant_kg,
        "return_cruise_days": (t_earth - t_tei) / day,
        "earth_vinf_km_s": earth.vinf_km_s,
        "earth_entry_speed_km_s": earth.entry_speed_km_s,
        "earth_entry_fpa_deg": earth.entry_fpa_deg,
        "b_plane_b_km": earth.b_mag_km,
        "b_plane_bt_km": earth.b_t_km,
        "b_plane_br_km": earth.b_r_km,
        "ees_release_days": earth.release_days,
        "ees_release_distance_km": earth.release_distance_km,
        "os_lifetime_days": float(decay.lifetime_days),
        "os_lifetime_capped": bool(decay.capped),
        "os_raan_rate_deg_day": float(decay.raan_rate_deg_day),
        "mass_at_tei_kg": float(m_after_rdv),
    }
    return MarsOrbitPhase(summary=summary, moi=moi, spiral=spiral, rendezvous=rv, tei=tei,
                          earth=earth, os_decay=decay, timeline=timeline, epochs_tdb_s=epochs,
                          outbound=legs.outbound, return_transfer=back)
