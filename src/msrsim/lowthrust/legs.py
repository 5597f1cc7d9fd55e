"""Low-thrust legs between planets (DE421 states) and the low-thrust porkchop."""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field

import numpy as np

from ..constants import SECONDS_PER_DAY
from ..errors import ConfigError, check_finite_positive
from .params import SolarElectricParams
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
    p = _build(r0, v0, rf, vf, ta - td, m0_kg, thrust_n, isp_s, 1.32712440018e11, n_segments,
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


def _sweep(args):
    """Solve the cells of some departure rows in a serpentine order, each warm-started from
    the previous cell (the first from the row above)."""
    (rows, depart, tof_days, from_body, to_body, m0_kg, sep, thrust_n, isp_s, c3, varr, capture,
     n_segments, ephemeris_path, maxiter) = args
    m = len(tof_days)
    out = {}
    prev_row_first = None
    prev = None
    for k, i in enumerate(rows):
        order = range(m) if k % 2 == 0 else range(m - 1, -1, -1)
        first = True
        for j in order:
            g = prev if not first else (prev if prev is not None else prev_row_first)
            res = body_transfer(from_body, to_body, depart[i], depart[i] + tof_days[j] * SECONDS_PER_DAY,
                                m0_kg=m0_kg, sep=sep, thrust_n=thrust_n, isp_s=isp_s, c3_max_km2_s2=c3,
                                vinf_arrive_max_km_s=varr, capture=capture, n_segments=n_segments,
                                guess=g if (g is not None and g.feasible) else None,
                                ephemeris_path=ephemeris_path, maxiter=maxiter)
            out[(i, j)] = (res.final_mass_kg, res.propellant_kg, res.dv_m_s,
                           float(res.vinf_departure_km_s @ res.vinf_departure_km_s),
                           tuple(res.vinf_arrival_km_s), res.mass_after_capture_kg, res.feasible,
                           res.converged, res.miss_position_km)
            prev = res
            first = False
    return out


def lowthrust_porkchop(from_body: str, to_body: str, depart_tdb_s, tof_days, *, m0_kg: float,
                       sep: SolarElectricParams | None = None, thrust_n: float | None = None,
                       isp_s: float | None = None, c3_max_km2_s2: float = 0.0,
                       vinf_arrive_max_km_s: float = 0.0, capture=None, n_segments: int = 20,
                       ephemeris_path: str | None = None, workers: int | None = None,
                       maxiter: int = 40) -> LowThrustGrid:
    """Final mass over a departure x time-of-flight grid (warm-started neighbour to neighbour).

    Each cell is a :func:`body_transfer`; cells are swept in a serpentine order so that each
    starts from its neighbour's solution (the first cell of a row from the row before),
    and contiguous blocks of departure rows run in ``workers`` processes.

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
        Processes (default: the CPU count, at most 2 per 1 departure row).
    maxiter : int
        SLSQP iterations per cell (warm starts need few).
    """
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
    n, m = depart.size, tofs.size
    nw = workers if workers is not None else min(os.cpu_count() or 1, 2)
    nw = max(1, min(int(nw), n))
    blocks = [list(b) for b in np.array_split(np.arange(n), nw)]
    common = (depart, tofs, from_body, to_body, m0_kg, sep, thrust_n, isp_s, c3_max_km2_s2,
              vinf_arrive_max_km_s, capture, n_segments, ephemeris_path, maxiter)
    if nw == 1:
        parts = [_sweep((blocks[0],) + common)]
    else:
        import multiprocessing as mp
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(nw, mp_context=mp.get_context("spawn")) as pool:
            parts = list(pool.map(_sweep, [(b,) + common for b in blocks]))
    mf = np.full((n, m), np.nan)
    prop = np.full((n, m), np.nan)
    dv = np.full((n, m), np.nan)
    c3 = np.full((n, m), np.nan)
    varr = np.full((n, m, 3), np.nan)
    cap = np.full((n, m), np.nan) if capture is not None else None
    feas = np.zeros((n, m), dtype=bool)
    conv = np.zeros((n, m), dtype=bool)
    miss = np.zeros((n, m))
    for part in parts:
        for (i, j), (f, pr, d, c, va, ca, fe, co, mi) in part.items():
            feas[i, j] = fe
            conv[i, j] = co
            miss[i, j] = mi
            if fe:
                mf[i, j], prop[i, j], dv[i, j], c3[i, j] = f, pr, d, c
                varr[i, j] = va
                if cap is not None:
                    cap[i, j] = ca
    return LowThrustGrid(depart, tofs, mf, prop, dv, c3, varr, cap, feas, conv, miss,
                         from_body=str(from_body).lower(), to_body=str(to_body).lower())
