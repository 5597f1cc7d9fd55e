"""Low-thrust legs between planets (DE421 states) and the low-thrust porkchop."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from ..constants import SECONDS_PER_DAY
from ..errors import ConfigError, check_finite_positive
from .params import SolarElectricParams
from .transfer import MU_SUN as MU_SUN_KM3_S2
from .transfer import LowThrustResult, _build, _check_nonneg, _guess_vector, _solve


def _engine(sep, thrust_n, isp_s):
    """(sep, thrust_n, isp_s) with exactly one engine model chosen."""
    if sep is not None and (thrust_n is not None or isp_s is not None):
        raise ConfigError("give either sep (solar-electric) or thrust_n and isp_s (constant), not both")
    if sep is None and (thrust_n is None) != (isp_s is None):
        raise ConfigError("thrust_n and isp_s go together; give both or neither (neither: solar-electric)")
    if sep is None and thrust_n is None:
        sep = SolarElectricParams()
    if sep is not None and not isinstance(sep, SolarElectricParams):
        raise ConfigError(f"sep={type(sep).__name__} is not allowed; expected SolarElectricParams")
    return sep, thrust_n, isp_s


def body_transfer(from_body: str, to_body: str, depart_tdb_s: float, arrive_tdb_s: float, *, m0_kg: float,
                  sep: SolarElectricParams | None = None, thrust_n: float | None = None,
                  isp_s: float | None = None, c3_max_km2_s2: float = 0.0, vinf_arrive_max_km_s: float = 0.0,
                  capture=None, n_segments: int = 30, guess=None, ephemeris_path: str | None = None,
                  maxiter: int = 150) -> LowThrustResult:
    """Minimum-propellant low-thrust transfer between two planets on given dates.

    Parameters
    ----------
    from_body, to_body : str
        Planets (DE421 heliocentric ICRF states).
    depart_tdb_s, arrive_tdb_s : float
        Departure and arrival, TDB seconds past J2000.
    m0_kg : float
        Mass after launch, kg.
    sep : SolarElectricParams, optional
        Solar-electric engines (default when no ``thrust_n``/``isp_s``: the ERO's).
    thrust_n, isp_s : float, optional
        Constant thrust (N) and Isp (s) instead of ``sep``.
    c3_max_km2_s2 : float
        Launch energy the launch vehicle gives, km^2/s^2 (v∞ direction optimised).
    vinf_arrive_max_km_s : float
        Largest arrival v∞, km/s (0: rendezvous with the planet).
    capture : CaptureModel, optional
        Maximise the mass after an impulsive chemical capture instead.
    n_segments, guess, maxiter
        As in :func:`msrsim.lowthrust.min_fuel_transfer`.
    ephemeris_path : str, optional
        SPK kernel instead of DE421.
    """
    from ..ephemeris import check_body, planet_state

    a, b = check_body(from_body), check_body(to_body)
    if a == b or "sun" in (a, b):
        raise ConfigError(f"from_body={from_body!r}, to_body={to_body!r}: need two different planets")
    td = float(depart_tdb_s)
    ta = float(arrive_tdb_s)
    if not (math.isfinite(td) and math.isfinite(ta)) or ta <= td:
        raise ConfigError(f"arrive_tdb_s={arrive_tdb_s!r} must be after depart_tdb_s={depart_tdb_s!r}")
    sep, thrust_n, isp_s = _engine(sep, thrust_n, isp_s)
    r0, v0 = planet_state(a, td, ephemeris_path)
    rf, vf = planet_state(b, ta, ephemeris_path)
    c3 = _check_nonneg("c3_max_km2_s2", c3_max_km2_s2, "km^2/s^2")
    p = _build(r0, v0, rf, vf, ta - td, m0_kg, thrust_n, isp_s, MU_SUN_KM3_S2, n_segments,
               math.sqrt(c3), vinf_arrive_max_km_s, capture, sep)
    return _solve(p, _guess_vector(p, guess), maxiter)


@dataclass(frozen=True)
class LowThrustGrid:
    """Low-thrust transfers over a departure x time-of-flight grid, ``[i_depart, j_tof]``.

    Attributes
    ----------
    depart_tdb_s : numpy.ndarray, shape (N,)
    tof_days : numpy.ndarray, shape (M,)
    final_mass_kg, propellant_kg, dv_m_s : numpy.ndarray, shape (N, M)
        NaN where ``feasible`` is False.
    c3_km2_s2 : numpy.ndarray, shape (N, M)
        Launch energy used (at most ``c3_max_km2_s2``).
    vinf_arrive_vec_km_s : numpy.ndarray, shape (N, M, 3)
        Arrival v∞ (ICRF), km/s.
    mass_after_capture_kg : numpy.ndarray or None, shape (N, M)
    feasible, converged : numpy.ndarray of bool, shape (N, M)
    miss_position_km : numpy.ndarray, shape (N, M)
        Closest miss of infeasible cells (0 where feasible within tolerance).
    slsqp_cell : numpy.ndarray of bool or None, shape (N, M)
        Cells solved by SLSQP (the seed and fallbacks) rather than by continuation.
    propagations : numpy.ndarray of int or None, shape (N, M)
        Propagations (continuation) plus SLSQP iterations spent on each cell.
    """

    depart_tdb_s: np.ndarray
    tof_days: np.ndarray
    final_mass_kg: np.ndarray
    propellant_kg: np.ndarray
    dv_m_s: np.ndarray
    c3_km2_s2: np.ndarray
    vinf_arrive_vec_km_s: np.ndarray = field(repr=False)
    mass_after_capture_kg: np.ndarray | None = field(repr=False)
    feasible: np.ndarray = field(repr=False)
    converged: np.ndarray = field(repr=False)
    miss_position_km: np.ndarray = field(repr=False)
    from_body: str = "earth"
    to_body: str = "mars"
    slsqp_cell: np.ndarray | None = field(repr=False, default=None)
    propagations: np.ndarray | None = field(repr=False, default=None)

    @property
    def arrive_tdb_s(self) -> np.ndarray:
        """Arrival epochs, TDB s, shape (N, M)."""
        return self.depart_tdb_s[:, None] + self.tof_days[None, :] * SECONDS_PER_DAY

    def best(self) -> tuple[int, int]:
        """Index of the feasible cell with the largest final mass (or mass after capture)."""
        score = self.mass_after_capture_kg if self.mass_after_capture_kg is not None else self.final_mass_kg
        if not np.any(self.feasible):
            raise ConfigError("no feasible cell in the low-thrust grid; widen the dates or raise the thrust")
        return tuple(int(k) for k in np.unravel_index(np.nanargmax(np.where(self.feasible, score, np.nan)),
                                                        score.shape))


def lowthrust_porkchop(from_body: str, to_body: str, depart_tdb_s, tof_days, *, m0_kg: float,
                       sep: SolarElectricParams | None = None, thrust_n: float | None = None,
                       isp_s: float | None = None, c3_max_km2_s2: float = 0.0,
                       vinf_arrive_max_km_s: float = 0.0, capture=None, n_segments: int = 20,
                       ephemeris_path: str | None = None, workers: int | None = None,
                       maxiter: int = 150, confirm_infeasible: bool = False) -> LowThrustGrid:
    """Final mass over a departure x time-of-flight grid, continued from cell to cell.

    One cell near the grid's centre is solved by SLSQP (:func:`body_transfer`); every other
    cell is continued from a solved neighbour on the optimality conditions of the leg
    (:mod:`msrsim.kernels.lowthrust_kkt`: the neighbour's multipliers and control, a few
    propagations with exact sensitivities), in waves of growing distance from the seed,
    each wave one compiled call over its cells in parallel threads. Cells where continuation
    fails from every solved neighbour are solved by SLSQP from the nearest solved cell when
    they lie inside the solved region (the next shorter flight solved, or three solved
    neighbours) and, if feasible, restart the continuation around them. The other unsolved
    cells (beyond the short-flight edge of the feasible region) are reported infeasible with
    the smallest miss of the continuation's attempts (an upper bound of the closest miss);
    ``confirm_infeasible=True`` runs SLSQP's closest-miss solve on each of them instead.

    Parameters
    ----------
    from_body, to_body : str
    depart_tdb_s : array_like, shape (N,)
        Departure epochs, TDB s past J2000.
    tof_days : array_like, shape (M,)
        Times of flight, days (> 0).
    m0_kg, sep, thrust_n, isp_s, c3_max_km2_s2, vinf_arrive_max_km_s, capture
        As in :func:`body_transfer`.
    n_segments : int
        Segments per leg (default 20, coarser than a single transfer's 30).
    workers : int, optional
        Threads of the compiled continuation (default: numba's).
    maxiter : int
        SLSQP iterations per stage of the seed and fallback cells.
    confirm_infeasible : bool
        Solve every cell continuation could not reach by SLSQP (seconds per cell).
    """
    from ..ephemeris import check_body, planet_state
    from .continuation import LegBatch, flood, nearest_done, repair

    depart = np.atleast_1d(np.asarray(depart_tdb_s, dtype=float))
    tofs = np.atleast_1d(np.asarray(tof_days, dtype=float))
    if depart.ndim != 1 or tofs.ndim != 1 or depart.size == 0 or tofs.size == 0:
        raise ConfigError("depart_tdb_s and tof_days must be non-empty 1-D arrays")
    for t in tofs:
        check_finite_positive("tof_days", t, "days")
    check_finite_positive("m0_kg", m0_kg, "kg")
    sep, thrust_n, isp_s = _engine(sep, thrust_n, isp_s)
    if thrust_n is not None:
        check_finite_positive("thrust_n", thrust_n, "N")
        check_finite_positive("isp_s", isp_s, "s")
    a, b = check_body(from_body), check_body(to_body)
    if a == b or "sun" in (a, b):
        raise ConfigError(f"from_body={from_body!r}, to_body={to_body!r}: need two different planets")
    c3 = _check_nonneg("c3_max_km2_s2", c3_max_km2_s2, "km^2/s^2")
    n, m = depart.size, tofs.size
    td = np.repeat(depart, m)
    tof_s = np.tile(tofs, n) * SECONDS_PER_DAY
    r0, v0 = planet_state(a, td, ephemeris_path)
    rf, vf = planet_state(b, td + tof_s, ephemeris_path)

    def build_args(k):
        return (r0[k], v0[k], rf[k], vf[k], tof_s[k], m0_kg, thrust_n, isp_s, MU_SUN_KM3_S2, n_segments,
                math.sqrt(c3), vinf_arrive_max_km_s, capture, sep)

    shape = (n, m)
    centre = int(np.ravel_multi_index((n // 2, m // 2), shape))
    batch = LegBatch(_build(*build_args(centre)), r0, v0, rf, vf, tof_s, build_args)
    threads = _threads(workers)
    try:
        # seed: the centre cell, else the longest flights of the middle and outer rows
        for k in (centre, (n // 2) * m + m - 1, m - 1, n * m - 1, (n // 2) * m):
            batch.solve_slsqp(k, maxiter=maxiter)
            if batch.done[k]:
                break
        flood(batch, shape, [int(k) for k in np.flatnonzero(batch.done)])
        nbrs = _grid_neighbours(shape)
        tried = set()
        while True:
            # SLSQP where continuation failed inside the solved region (a solved neighbour at
            # the next shorter flight, or three solved neighbours): there a feasible leg is
            # expected. Cells beyond the edge of the solved region at short flight times are
            # left infeasible unless confirm_infeasible (SLSQP each: slow)
            todo = []
            for k in np.flatnonzero(~batch.done):
                k = int(k)
                if k in tried:
                    continue
                nd = sum(bool(batch.done[x]) for x in nbrs[k])
                shorter = k % m > 0 and batch.done[k - 1]
                if confirm_infeasible or shorter or nd >= 3:
                    todo.append((nd, k))
            if not todo:
                break
            k = max(todo)[1]
            tried.add(k)
            batch.solve_slsqp(k, nearest_done(batch, shape, k), maxiter=maxiter)
            if batch.done[k]:
                flood(batch, shape, [k])
                repair(batch, nbrs)
    finally:
        _threads(threads)
    out = batch.results()
    feas = batch.done.reshape(shape)
    miss = np.where(batch.done, 0.0, batch.miss_km).reshape(shape)
    cap = out["mass_after_capture_kg"]
    return LowThrustGrid(depart, tofs, out["final_mass_kg"].reshape(shape),
                         out["propellant_kg"].reshape(shape), out["dv_m_s"].reshape(shape),
                         out["c3_km2_s2"].reshape(shape), out["vinf_arrive_vec_km_s"].reshape(shape + (3,)),
                         None if cap is None else cap.reshape(shape), feas, feas.copy(), miss,
                         from_body=a, to_body=b, slsqp_cell=batch.slsqp.reshape(shape),
                         propagations=batch.iters.reshape(shape))


def _grid_neighbours(shape):
    n, m = shape
    out = []
    for k in range(n * m):
        i, j = divmod(k, m)
        out.append([ii * m + jj for ii, jj in ((i - 1, j), (i + 1, j), (i, j - 1), (i, j + 1))
                    if 0 <= ii < n and 0 <= jj < m])
    return out


def _threads(workers):
    """Set numba's thread count (None: leave it); returns the previous count."""
    import numba

    prev = numba.get_num_threads()
    if workers is not None:
        numba.set_num_threads(max(1, min(int(workers), numba.config.NUMBA_NUM_THREADS)))
    return prev
