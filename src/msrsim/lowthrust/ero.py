"""The Earth Return Orbiter's electric-propulsion cruise to Mars.

The ERO leaves Earth on its launcher's v∞ (at most ``c3_max_km2_s2``), thrusts with its
solar-electric engines (:class:`SolarElectricParams` from the ERO's parameters) and
arrives with a hyperbolic v∞ that its chemical Orbit Insertion Module removes. The cruise
maximises the mass after an impulsive capture into the ERO's capture orbit, so that
xenon is spent where it saves more than its mass in OIM propellant.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..constants import GM_MARS_KM3_S2, GM_SUN_KM3_S2, R_MARS_EQ_M, SECONDS_PER_DAY
from ..errors import ConfigError
from .legs import LowThrustGrid, body_transfer
from .params import SolarElectricParams
from .transfer import CaptureModel, LowThrustResult, _build

#: Launch energy available to the ERO, km^2/s^2. ASSUMPTION: 10, a 6.5 t spacecraft on an
#: Ariane 64-class launcher to escape (the launcher's escape performance for the ERO is
#: not in FACTS.md); close to the 2028/29 minimum-energy C3 of 8.93 (FACTS.md §5).
ERO_LAUNCH_C3_MAX_KM2_S2 = 10.0
#: Largest arrival v∞ the OIM may be asked to remove, km/s (ASSUMPTION: bounds the search;
#: the 2022 baseline's ballistic arrival v∞ is 7.6 km/s, EROParams.cruise_xenon_kg).
ERO_ARRIVAL_VINF_MAX_KM_S = 8.0


def ero_capture_model(params) -> CaptureModel:
    """The impulsive MOI of an :class:`~msrsim.marsorbit.params.EROParams` as a CaptureModel."""
    from ..marsorbit.arrival import capture_semi_major_axis_m

    rp_km = R_MARS_EQ_M * 1e-3 + params.capture_periapsis_alt_km
    a_km = capture_semi_major_axis_m(params.capture_period_h) * 1e-3
    return CaptureModel(mu_km3_s2=GM_MARS_KM3_S2, periapsis_radius_km=rp_km, semi_major_axis_km=a_km,
                        isp_s=params.oim_isp_s)


@dataclass(frozen=True)
class EROCruise:
    """The ERO's Earth->Mars electric-propulsion cruise.

    Attributes
    ----------
    converged : bool
        Feasible and optimal to the solver's tolerance.
    feasible : bool
    depart_tdb_s, arrive_tdb_s : float
    launch_mass_kg, final_mass_kg, xenon_kg : float
        Mass at launch, at Mars arrival (before MOI), xenon used, kg.
    mass_after_moi_kg : float
        After the impulsive MOI with the OIM (before its jettison), kg.
    moi_dv_m_s : float
        Impulsive MOI Δv, m/s.
    arrival_vinf_km_s : numpy.ndarray, shape (3,)
        Arrival v∞ relative to Mars, ICRF, km/s.
    launch_c3_km2_s2 : float
    transfer : LowThrustResult
    """

    converged: bool
    feasible: bool
    depart_tdb_s: float
    arrive_tdb_s: float
    launch_mass_kg: float
    final_mass_kg: float
    xenon_kg: float
    mass_after_moi_kg: float
    moi_dv_m_s: float
    arrival_vinf_km_s: np.ndarray = field(repr=False)
    launch_c3_km2_s2: float = 0.0
    transfer: LowThrustResult = field(repr=False, default=None)


def _params(params):
    if params is None:
        from ..marsorbit.params import EROParams

        return EROParams()
    return params


def ero_cruise(depart_tdb_s: float, arrive_tdb_s: float, params=None, *,
               sep: SolarElectricParams | None = None,
               c3_max_km2_s2: float = ERO_LAUNCH_C3_MAX_KM2_S2,
               vinf_arrive_max_km_s: float = ERO_ARRIVAL_VINF_MAX_KM_S, n_segments: int = 30, guess=None,
               ephemeris_path: str | None = None) -> EROCruise:
    """The ERO's low-thrust cruise from Earth to Mars between two dates.

    Parameters
    ----------
    depart_tdb_s, arrive_tdb_s : float
        Launch and Mars arrival, TDB seconds past J2000.
    params : EROParams, optional
        Launch mass, capture orbit, OIM Isp and the engine/array fields (default EROParams()).
    sep : SolarElectricParams, optional
        Override of the engines and arrays (default ``SolarElectricParams.from_ero(params)``).
    c3_max_km2_s2 : float
        Launch energy available, km^2/s^2 (:data:`ERO_LAUNCH_C3_MAX_KM2_S2`).
    vinf_arrive_max_km_s : float
        Upper bound of the arrival v∞, km/s.
    n_segments : int
        Thrust segments.
    guess : LowThrustResult or EROCruise, optional
        Warm start.
    ephemeris_path : str, optional
        SPK kernel instead of DE421.

    Returns
    -------
    EROCruise
        ``feasible`` False (closest miss in ``transfer``) when the dates cannot be flown.
    """
    ero = _params(params)
    sep = SolarElectricParams.from_ero(ero) if sep is None else sep
    cap = ero_capture_model(ero)
    if isinstance(guess, EROCruise):
        guess = guess.transfer
    res = body_transfer("earth", "mars", depart_tdb_s, arrive_tdb_s, m0_kg=ero.launch_mass_kg, sep=sep,
                        c3_max_km2_s2=c3_max_km2_s2, vinf_arrive_max_km_s=vinf_arrive_max_km_s, capture=cap,
                        n_segments=n_segments, guess=guess, ephemeris_path=ephemeris_path)
    vinf = np.asarray(res.vinf_arrival_km_s, dtype=float)
    dv = float(cap.dv_km_s(np.linalg.norm(vinf))) * 1e3
    return EROCruise(converged=res.converged, feasible=res.feasible, depart_tdb_s=float(depart_tdb_s),
                     arrive_tdb_s=float(arrive_tdb_s), launch_mass_kg=ero.launch_mass_kg,
                     final_mass_kg=res.final_mass_kg, xenon_kg=res.propellant_kg,
                     mass_after_moi_kg=float(res.mass_after_capture_kg), moi_dv_m_s=dv,
                                             arrival_vinf_km_s=vinf,
                     launch_c3_km2_s2=float(res.vinf_departure_km_s @ res.vinf_departure_km_s), transfer=res)


@dataclass(frozen=True)
class EROCruiseTable:
    """ERO cruises tabulated over launch dates for one Mars arrival, for Monte Carlo use.

    :meth:`at` interpolates linearly between launch dates (vectorised over trials).

    Attributes
    ----------
    depart_tdb_s : numpy.ndarray, shape (N,)
    arrive_tdb_s : float
    final_mass_kg, xenon_kg, mass_after_moi_kg : numpy.ndarray, shape (N,)
    arrival_vinf_km_s : numpy.ndarray, shape (N, 3)
    feasible : numpy.ndarray of bool, shape (N,)
    grid : LowThrustGrid
    """

    depart_tdb_s: np.ndarray
    arrive_tdb_s: float
    final_mass_kg: np.ndarray
    xenon_kg: np.ndarray
    mass_after_moi_kg: np.ndarray
    arrival_vinf_km_s: np.ndarray
    feasible: np.ndarray
    grid: LowThrustGrid = field(repr=False)

    def at(self, depart_tdb_s) -> dict:
        """Cruise figures for launch epochs ``depart_tdb_s`` (any shape), by linear interpolation.

        Returns a dict of arrays of the input's shape: ``final_mass_kg``, ``xenon_kg``,
        ``mass_after_moi_kg``, ``feasible`` (both bracketing table rows feasible and the
        epoch inside the table) and ``arrival_vinf_km_s`` (shape + (3,)).
        """
        t = np.asarray(depart_tdb_s, dtype=float)
        x = self.depart_tdb_s
        ok_rows = self.feasible
        k = np.clip(np.searchsorted(x, t) - 1, 0, len(x) - 2) if len(x) > 1 else np.zeros(t.shape, int)
        inside = (t >= x[0]) & (t <= x[-1])
        feas = inside & ok_rows[k] & ok_rows[np.minimum(k + 1, len(x) - 1)]

        def lin(y):
            yy = np.where(ok_rows, y, np.nan) if y.ndim == 1 else np.where(ok_rows[:, None], y, np.nan)
            if len(x) == 1:
                return np.broadcast_to(yy[0], t.shape + yy.shape[1:]).copy()
            w = ((t - x[k]) / (x[k + 1] - x[k]))
            if yy.ndim == 2:
                w = w[..., None]
            return yy[k] * (1.0 - w) + yy[k + 1] * w

        return {"final_mass_kg": lin(self.final_mass_kg), "xenon_kg": lin(self.xenon_kg),
                "mass_after_moi_kg": lin(self.mass_after_moi_kg),
                "arrival_vinf_km_s": lin(self.arrival_vinf_km_s), "feasible": feas}


def ero_cruise_table(depart_tdb_s, arrive_tdb_s: float, params=None, *,
                     sep: SolarElectricParams | None = None,
                     c3_max_km2_s2: float = ERO_LAUNCH_C3_MAX_KM2_S2,
                     vinf_arrive_max_km_s: float = ERO_ARRIVAL_VINF_MAX_KM_S, n_segments: int = 20,
                     ephemeris_path: str | None = None) -> EROCruiseTable:
    """Tabulate :func:`ero_cruise` over launch dates for a fixed Mars arrival.

    Parameters
    ----------
    depart_tdb_s : array_like, shape (N,)
        Increasing launch epochs, TDB s past J2000.
    arrive_tdb_s : float
        Mars arrival, TDB s past J2000 (after every launch epoch).
    params, sep, c3_max_km2_s2, vinf_arrive_max_km_s, n_segments, ephemeris_path
        As in :func:`ero_cruise`.
    """
    ero = _params(params)
    sep = SolarElectricParams.from_ero(ero) if sep is None else sep
    d = np.atleast_1d(np.asarray(depart_tdb_s, dtype=float))
    if d.ndim != 1 or np.any(np.diff(d) <= 0):
        raise ConfigError("depart_tdb_s must be a 1-D array of increasing epochs")
    ta = float(arrive_tdb_s)
    if np.any(d >= ta):
        raise ConfigError(f"arrive_tdb_s={arrive_tdb_s!r} must follow every launch epoch")
    # one time of flight per launch date: a grid with one column per row, swept in order
    tof = (ta - d) / SECONDS_PER_DAY
    grid = _table_grid(d, tof, ero, sep, c3_max_km2_s2, vinf_arrive_max_km_s, n_segments, ephemeris_path)
    return EROCruiseTable(depart_tdb_s=d, arrive_tdb_s=ta, final_mass_kg=grid.final_mass_kg[:, 0],
                          xenon_kg=grid.propellant_kg[:, 0],
                                                      mass_after_moi_kg=grid.mass_after_capture_kg[:, 0],
                          arrival_vinf_km_s=grid.vinf_arrive_vec_km_s[:, 0], feasible=grid.feasible[:, 0],
                          grid=grid)


def _table_grid(d, tof, ero, sep, c3, varr, n_segments, ephemeris_path) -> LowThrustGrid:
    """Diagonal sweep: launch dates in order, each warm-started from the previous one."""
    cap = ero_capture_model(ero)
    n = len(d)
    mf = np.full((n, 1), np.nan)
    prop = np.full((n, 1), np.nan)
    dv = np.full((n, 1), np.nan)
    c3o = np.full((n, 1), np.nan)
    va = np.full((n, 1, 3), np.nan)
    capm = np.full((n, 1), np.nan)
    feas = np.zeros((n, 1), bool)
    conv = np.zeros((n, 1), bool)
    miss = np.zeros((n, 1))
    prev = None
    for k in range(n):
        res = body_transfer("earth", "mars", d[k], d[k] + tof[k] * SECONDS_PER_DAY, m0_kg=ero.launch_mass_kg,
                            sep=sep, c3_max_km2_s2=c3, vinf_arrive_max_km_s=varr, capture=cap,
                            n_segments=n_segments, guess=prev, ephemeris_path=ephemeris_path, maxiter=60)
        feas[k, 0], conv[k, 0], miss[k, 0] = res.feasible, res.converged, res.miss_position_km
        if res.feasible:
            mf[k, 0], prop[k, 0], dv[k, 0] = res.final_mass_kg, res.propellant_kg, res.dv_m_s
            c3o[k, 0] = float(res.vinf_departure_km_s @ res.vinf_departure_km_s)
            va[k, 0] = res.vinf_arrival_km_s
            capm[k, 0] = res.mass_after_capture_kg
            prev = res
    return LowThrustGrid(d, np.array([np.nan]), mf, prop, dv, c3o, va, capm, feas, conv, miss)


@dataclass(frozen=True)
class EROOpportunity:
    """The ERO's best low-thrust cruise for one launch epoch, over a window of Mars arrivals.

    Attributes
    ----------
    converged, feasible : bool
        A feasible, optimal (continuation-converged) cruise was found in the window.
    depart_tdb_s, arrive_tdb_s : float
        Launch and the chosen Mars arrival (largest mass after MOI among the arrivals in
        ``choose_between_tdb_s``), TDB s past J2000.
    arrival_vinf_km_s : numpy.ndarray, shape (3,)
        Arrival v∞ relative to Mars, ICRF, km/s (NaN when infeasible).
    xenon_kg, final_mass_kg, mass_after_moi_kg, moi_dv_m_s, launch_c3_km2_s2 : float
        Xenon used, mass at Mars arrival before MOI, after the impulsive MOI, MOI Δv and
        launch energy used (NaN when infeasible).
    arrive_grid_tdb_s : numpy.ndarray, shape (K,)
        Arrival epochs searched (the whole window, whatever ``choose_between_tdb_s``).
    mass_after_moi_grid_kg : numpy.ndarray, shape (K,)
        Mass after MOI at each (NaN where infeasible).
    engine_count : int
        Engines firing together in this solution.
    final_mass_grid_kg : numpy.ndarray, shape (K,)
        Mass at Mars arrival before MOI at each searched arrival, kg (NaN where infeasible).
    arrival_vinf_grid_km_s : numpy.ndarray, shape (K, 3)
        Arrival v∞ at each searched arrival, ICRF km/s (NaN where infeasible).
    choose_between_tdb_s : tuple of float
        Earliest and latest arrival the choice was allowed (``(-inf, inf)``: the window).
    control : numpy.ndarray, shape (N, 3)
        The chosen cruise's thrust vectors per segment (throttle times unit direction,
        ICRF, ``|u| <= 1``; N equal segments of the time of flight); empty when infeasible.
    vinf_departure_km_s : numpy.ndarray, shape (3,)
        Launch v∞ of the chosen cruise, ICRF km/s. With ``control`` it defines the
        trajectory (:func:`ero_opportunity_trajectory`).
    """

    converged: bool
    feasible: bool
    depart_tdb_s: float
    arrive_tdb_s: float
    arrival_vinf_km_s: np.ndarray = field(repr=False)
    xenon_kg: float = float("nan")
    final_mass_kg: float = float("nan")
    mass_after_moi_kg: float = float("nan")
    moi_dv_m_s: float = float("nan")
    launch_c3_km2_s2: float = float("nan")
    arrive_grid_tdb_s: np.ndarray = field(repr=False, default=None)
    mass_after_moi_grid_kg: np.ndarray = field(repr=False, default=None)
    engine_count: int = 0
    final_mass_grid_kg: np.ndarray = field(repr=False, default=None)
    arrival_vinf_grid_km_s: np.ndarray = field(repr=False, default=None)
    choose_between_tdb_s: tuple = (float("-inf"), float("inf"))
    control: np.ndarray = field(repr=False, default=None)
    vinf_departure_km_s: np.ndarray = field(repr=False, default=None)


_OPPORTUNITY_CACHE: dict = {}
_SEARCH_CACHE: dict = {}


@dataclass
class _Search:
    """The solved arrival grid of one launch (shared by every choice of arrival)."""

    arrive: np.ndarray
    batch: object
    results: dict
    batch_for: object


def _opportunity_search(td, a0, a1, ero, sep, c3_max_km2_s2, vinf_arrive_max_km_s, step_days, n_segments,
                        ephemeris_path) -> _Search:
    """Solve every arrival of the window's grid (cached in memory per arguments)."""
    from ..ephemeris import planet_state
    from .continuation import LegBatch, flood, nearest_done, repair
    from .legs import _grid_neighbours

    key = (td, a0, a1, ero.model_dump_json(), sep.model_dump_json(), float(c3_max_km2_s2),
           float(vinf_arrive_max_km_s), float(step_days), int(n_segments), ephemeris_path)
    if key in _SEARCH_CACHE:
        return _SEARCH_CACHE[key]
    cap = ero_capture_model(ero)
    r0, v0 = planet_state("earth", td, ephemeris_path)

    def batch_for(arrive):
        rf, vf = planet_state("mars", arrive, ephemeris_path)
        tof = arrive - td
        k = len(arrive)

        def build_args(i):
            return (r0, v0, rf[i], vf[i], tof[i], ero.launch_mass_kg, None, None, GM_SUN_KM3_S2, n_segments,
                    float(np.sqrt(c3_max_km2_s2)), vinf_arrive_max_km_s, cap, sep)

        tmpl = _build(*build_args(k // 2))
        return LegBatch(tmpl, np.repeat(r0[None], k, 0), np.repeat(v0[None], k, 0), rf, vf, tof, build_args)

    nk = max(1, int(np.ceil((a1 - a0) / (step_days * SECONDS_PER_DAY)))) + 1
    arrive = np.linspace(a0, a1, nk)
    b = batch_for(arrive)
    # seeds where the window is still unsolved (continuation can stop at a change of the
    # thrust structure), up to 7 SLSQP solves
    for k in dict.fromkeys((nk // 2, (3 * nk) // 4, nk - 1, nk // 4, 0, (5 * nk) // 8, (7 * nk) // 8)):
        if b.done[k]:
            continue
        b.solve_slsqp(k)
        if b.done[k]:
            flood(b, (nk,), [k])
    nbrs = _grid_neighbours((1, nk))
    tried = set()
    while True:
        todo = [int(k) for k in np.flatnonzero(~b.done)
                if int(k) not in tried and (k > 0 and b.done[k - 1] and k + 1 < nk and b.done[k + 1])]
        if not todo:
            break
        k = todo[0]
        tried.add(k)
        b.solve_slsqp(k, nearest_done(b, (nk,), k))
        if b.done[k]:
            repair(b, nbrs)
    # gaps inside the solved span (continuation stops where the thrust structure changes,
    # as on legs of more than one revolution): SLSQP from the nearest solved arrival at each
    # gap's edges, then continuation again, up to 12 more solves
    for _ in range(12):
        solved = np.flatnonzero(b.done)
        gap = [int(k) for k in range(int(solved.min()), int(solved.max()) + 1)
               if not b.done[k] and int(k) not in tried] if solved.size else []
        if not gap:
            break
        k = gap[0]
        tried.add(k)
        b.solve_slsqp(k, nearest_done(b, (nk,), k))
        if b.done[k]:
            flood(b, (nk,), [k])
    # the edges of the solved span: continuation stops short of them on these legs while a
    # cold-guess SLSQP solve still reaches the next arrival; step outwards until one fails
    for step in (-1, 1):
        for _ in range(8):
            solved = np.flatnonzero(b.done)
            if not solved.size:
                break
            k = int(solved.min()) - 1 if step < 0 else int(solved.max()) + 1
            if not 0 <= k < nk or k in tried:
                break
            tried.add(k)
            b.solve_slsqp(k)
            if not b.done[k]:
                break
            flood(b, (nk,), [k])
    out = _Search(arrive=arrive, batch=b, results=b.results(), batch_for=batch_for)
    _SEARCH_CACHE[key] = out
    return out


def ero_opportunity_cruise(depart_tdb_s: float, arrive_window_tdb_s, params=None, *,
                           sep: SolarElectricParams | None = None,
                           c3_max_km2_s2: float = ERO_LAUNCH_C3_MAX_KM2_S2,
                           vinf_arrive_max_km_s: float = ERO_ARRIVAL_VINF_MAX_KM_S,
                           step_days: float = 5.0, n_segments: int = 20,
                           ephemeris_path: str | None = None,
                           choose_between_tdb_s=None) -> EROOpportunity:
    """The ERO's electric-propulsion cruise for one launch, with the best Mars arrival.

    Arrival epochs every ``step_days`` across the window are solved together: one SLSQP
    solve seeds an arrival (the middle of the window, then other fractions of it that are
    still unsolved, up to 7 solves), the others are
    continued from their neighbours on the optimality conditions
    (:mod:`msrsim.lowthrust.continuation`); unsolved arrivals inside the solved span, and
    beyond its edges until one fails, get SLSQP solves of their own (legs of more than one
    revolution, where continuation stops early). The best (largest mass after the impulsive
    MOI) of the arrivals inside ``choose_between_tdb_s`` is refined on a grid four times
    finer around it (still inside) and compared with a cold SLSQP solve at the chosen
    arrival (the better is kept). The search is shared by every ``choose_between_tdb_s``;
    searches and results are cached per arguments.

    Parameters
    ----------
    depart_tdb_s : float
        Launch epoch, TDB s past J2000.
    arrive_window_tdb_s : (float, float)
        Earliest and latest Mars arrival to consider, TDB s past J2000.
    params : EROParams, optional
        Launch mass, capture orbit, OIM Isp and engines/arrays (default EROParams()).
    sep : SolarElectricParams, optional
        Engines and arrays (default ``SolarElectricParams.from_ero(params)``).
    c3_max_km2_s2 : float
        Launch energy available, km^2/s^2.
    vinf_arrive_max_km_s : float
        Largest arrival v∞, km/s.
    step_days : float
        Arrival-date step of the search, days (the answer is refined to a quarter of it).
    n_segments : int
        Thrust segments per leg.
    ephemeris_path : str, optional
        SPK kernel instead of DE421.
    choose_between_tdb_s : (float, float), optional
        Earliest and latest Mars arrival the choice may take, TDB s past J2000 (default:
        the whole window, i.e. the largest mass after MOI in it). The other arrivals are
        still searched and reported in the ``*_grid`` arrays.

    Returns
    -------
    EROOpportunity
        ``feasible`` False (NaN figures) when no arrival in the window (and in
        ``choose_between_tdb_s``) can be flown.
    """
    from .continuation import flood

    ero = _params(params)
    sep = SolarElectricParams.from_ero(ero) if sep is None else sep
    if not isinstance(sep, SolarElectricParams):
        raise ConfigError(f"sep={type(sep).__name__} is not allowed; expected SolarElectricParams")
    td = float(depart_tdb_s)
    try:
        a0, a1 = (float(x) for x in arrive_window_tdb_s)
    except (TypeError, ValueError):
        raise ConfigError(f"arrive_window_tdb_s={arrive_window_tdb_s!r} is not allowed; expected "
                          "(earliest, latest) TDB seconds") from None
    if not (np.isfinite(td) and np.isfinite(a0) and np.isfinite(a1)) or not td < a0 <= a1:
        raise ConfigError(f"arrive_window_tdb_s={arrive_window_tdb_s!r} must satisfy depart_tdb_s={td!r} "
                          "< earliest <= latest")
    if not (np.isfinite(step_days) and step_days > 0):
        raise ConfigError(f"step_days={step_days!r} must be > 0 days")
    if choose_between_tdb_s is None:
        lo, hi = float("-inf"), float("inf")
    else:
        try:
            lo, hi = (float(x) for x in choose_between_tdb_s)
        except (TypeError, ValueError):
            lo, hi = float("nan"), float("nan")
        if not lo <= hi:
            raise ConfigError(f"choose_between_tdb_s={choose_between_tdb_s!r} is not allowed; expected "
                              "(earliest, latest) TDB seconds, earliest <= latest, or None")
    key = (td, a0, a1, ero.model_dump_json(), sep.model_dump_json(), float(c3_max_km2_s2),
           float(vinf_arrive_max_km_s), float(step_days), int(n_segments), ephemeris_path, lo, hi)
    if key in _OPPORTUNITY_CACHE:
        return _OPPORTUNITY_CACHE[key]
    cap = ero_capture_model(ero)
    s = _opportunity_search(td, a0, a1, ero, sep, c3_max_km2_s2, vinf_arrive_max_km_s, step_days, n_segments,
                            ephemeris_path)
    arrive, b, res, batch_for = s.arrive, s.batch, s.results, s.batch_for
    grid_score = np.where(b.done, res["mass_after_capture_kg"], np.nan)
    grids = {"arrive_grid_tdb_s": arrive, "mass_after_moi_grid_kg": grid_score,
             "final_mass_grid_kg": np.where(b.done, res["final_mass_kg"], np.nan),
             "arrival_vinf_grid_km_s": np.where(b.done[:, None], res["vinf_arrive_vec_km_s"], np.nan),
             "engine_count": sep.engine_count, "choose_between_tdb_s": (lo, hi)}
    allowed = b.done & (arrive >= lo) & (arrive <= hi)
    if not allowed.any():
        out = EROOpportunity(converged=False, feasible=False, depart_tdb_s=td, arrive_tdb_s=float("nan"),
                             arrival_vinf_km_s=np.full(3, np.nan), control=np.zeros((0, 3)),
                             vinf_departure_km_s=np.full(3, np.nan), **grids)
        _OPPORTUNITY_CACHE[key] = out
        return out
    best = int(np.nanargmax(np.where(allowed, grid_score, np.nan)))
    # refine around the best arrival: a grid four times finer, continued from it
    h = step_days * SECONDS_PER_DAY / 4.0
    fine_t = arrive[best] + h * np.arange(-3, 4)
    fine_t = fine_t[(fine_t >= max(a0, lo)) & (fine_t <= min(a1, hi))]
    fb = batch_for(fine_t)
    c = int(np.argmin(np.abs(fine_t - arrive[best])))
    fb.sig[c], fb.u[c], fb.w[c] = b.sig[best], b.u[best], b.w[best]
    fb.continue_from([c], [c])
    if fb.done[c]:
        flood(fb, (len(fine_t),), [c])
        fres = fb.results()
        fscore = np.where(fb.done, fres["mass_after_capture_kg"], np.nan)
        j = int(np.nanargmax(fscore))
        r, t_best, src, js = fres, fine_t[j], fb, j
    else:
        r, t_best, src, js = res, arrive[best], b, best
    vinf = np.asarray(r["vinf_arrive_vec_km_s"][js], float)
    keys = ("propellant_kg", "final_mass_kg", "mass_after_capture_kg", "c3_km2_s2")
    xenon, mf, m_moi, c3 = (float(r[q][js]) for q in keys)
    control = np.array(src.u[js], dtype=float)
    vdep = np.array(src.w[js], dtype=float) * src.p.V
    # legs of more than one revolution have several local optima and continuation keeps
    # the one it started on: a cold SLSQP solve at the chosen arrival replaces it if better
    cold = ero_cruise(td, float(t_best), ero, sep=sep, c3_max_km2_s2=c3_max_km2_s2,
                      vinf_arrive_max_km_s=vinf_arrive_max_km_s, n_segments=n_segments,
                      ephemeris_path=ephemeris_path)
    if cold.feasible and cold.mass_after_moi_kg > m_moi:
        vinf, xenon, mf = cold.arrival_vinf_km_s, cold.xenon_kg, cold.final_mass_kg
        m_moi, c3 = cold.mass_after_moi_kg, cold.launch_c3_km2_s2
        control = np.array(cold.transfer.control, dtype=float)
        vdep = np.array(cold.transfer.vinf_departure_km_s, dtype=float)
    out = EROOpportunity(
        converged=True, feasible=True, depart_tdb_s=td, arrive_tdb_s=float(t_best),
        arrival_vinf_km_s=vinf, xenon_kg=xenon, final_mass_kg=mf, mass_after_moi_kg=m_moi,
        moi_dv_m_s=float(cap.dv_km_s(np.linalg.norm(vinf))) * 1e3, launch_c3_km2_s2=c3,
        control=control, vinf_departure_km_s=vdep, **grids)
    _OPPORTUNITY_CACHE[key] = out
    return out


def ero_opportunity_trajectory(opportunity: EROOpportunity, params=None, *,
                               sep: SolarElectricParams | None = None,
                               c3_max_km2_s2: float = ERO_LAUNCH_C3_MAX_KM2_S2,
                               vinf_arrive_max_km_s: float = ERO_ARRIVAL_VINF_MAX_KM_S,
                               ephemeris_path: str | None = None) -> LowThrustResult:
    """The trajectory of a solved :class:`EROOpportunity`: its control flown again.

    The launch state (Earth's plus the stored launch v∞) is propagated with the stored
    thrust vectors by the leg's own integrator (no new optimisation), giving the dense
    heliocentric states, mass, thrust and power of the cruise the opportunity chose.

    Parameters
    ----------
    opportunity : EROOpportunity
        A feasible result of :func:`ero_opportunity_cruise` (with its ``control``).
    params, sep, c3_max_km2_s2, vinf_arrive_max_km_s, ephemeris_path
        The arguments the opportunity was solved with (the engines and the launch mass
        set the thrust history).

    Returns
    -------
    LowThrustResult
        ``t_s`` from launch, ``r_km``/``v_km_s`` heliocentric ICRF; ``feasible`` says
        whether the flown control still meets Mars (10 km, the solver's tolerance).

    Raises
    ------
    ConfigError
        The opportunity is infeasible or carries no control.
    """
    from ..ephemeris import planet_state
    from .transfer import POSITION_TOL_KM, VELOCITY_TOL_M_S, _miss, _propagate_plain, _result

    o = opportunity
    u = None if o.control is None else np.asarray(o.control, dtype=float)
    if not o.feasible or u is None or u.ndim != 2 or u.shape[0] < 2 or u.shape[1] != 3:
        raise ConfigError("opportunity has no solved cruise (feasible=False or no control); "
                          "expected a feasible ero_opportunity_cruise result")
    ero = _params(params)
    sep = SolarElectricParams.from_ero(ero) if sep is None else sep
    r0, v0 = planet_state("earth", o.depart_tdb_s, ephemeris_path)
    rf, vf = planet_state("mars", o.arrive_tdb_s, ephemeris_path)
    p = _build(r0, v0, rf, vf, o.arrive_tdb_s - o.depart_tdb_s, ero.launch_mass_kg, None, None,
               GM_SUN_KM3_S2, int(u.shape[0]), float(np.sqrt(c3_max_km2_s2)), vinf_arrive_max_km_s,
               ero_capture_model(ero), sep)
    x = np.concatenate([u.ravel(), np.asarray(o.vinf_departure_km_s, dtype=float) / p.V])
    dr_km, dv_m_s = _miss(p, _propagate_plain(p, x)[-1])
    ok = dr_km <= POSITION_TOL_KM and dv_m_s <= VELOCITY_TOL_M_S
    return _result(p, x, ok, ok, "control of the chosen cruise, propagated", 0, dr_km, dv_m_s)
