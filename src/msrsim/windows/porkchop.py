"""Porkchop grids and the best (minimum-energy) transfers of an opportunity.

A porkchop is one compiled call over the departure x arrival grid
(:func:`msrsim.kernels.lambert.porkchop_kernel`); planet states come from the ephemeris
in two vectorised look-ups (one per body). Each cell holds the zero-revolution
*prograde* transfer, prograde meaning in the sense of the departure body's heliocentric
orbit. Its type follows from the geometry: Type I when the transfer angle is below 180
degrees, Type II above. So each cell has exactly one transfer, and Type I and Type II
occupy different regions of the grid separated by the 180-degree ridge.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from ..constants import GM_SUN_KM3_S2, SECONDS_PER_DAY
from ..ephemeris import check_body, load_ephemeris
from ..errors import ConfigError, NoSolutionError
from ..kernels.lambert import porkchop_kernel, solve_one

# Shortest time of flight a porkchop cell may have: interplanetary Lambert arcs shorter
# than this are not transfers anyone would fly (and degenerate towards 0 tof).
MIN_TOF_S = 10.0 * SECONDS_PER_DAY

_TYPES = {1: "I", 2: "II"}


@dataclass(frozen=True)
class PorkchopGrid:
    """Transfers between two bodies over a departure x arrival grid.

    Arrays are indexed ``[i_departure, j_arrival]``. Cells where ``valid`` is False
    (arrival less than :data:`MIN_TOF_S` after departure, or no Lambert solution) hold NaN
    in every float array and 0 in ``transfer_type``; always select with ``valid`` (or use
    ``numpy.nanmin``) before reducing.

    Attributes
    ----------
    depart_tdb_s : numpy.ndarray, shape (N,)
        Departure epochs, TDB seconds past J2000.
    arrive_tdb_s : numpy.ndarray, shape (M,)
        Arrival epochs, TDB seconds past J2000.
    tof_s : numpy.ndarray, shape (N, M)
        Time of flight, s (defined in every cell, negative where arrival precedes departure).
    c3_km2_s2 : numpy.ndarray, shape (N, M)
        Departure energy C3 = v_inf^2, km^2/s^2.
    vinf_depart_km_s, vinf_arrive_km_s : numpy.ndarray, shape (N, M)
        Hyperbolic excess speeds at departure and arrival, km/s.
    dla_deg, rla_deg : numpy.ndarray, shape (N, M)
        Declination and right ascension of the departure asymptote, ICRF (equatorial
        J2000), degrees; RLA in [0, 360).
    transfer_type : numpy.ndarray of int8, shape (N, M)
        1 (Type I, transfer angle < 180 deg), 2 (Type II, > 180 deg), 0 where invalid.
    valid : numpy.ndarray of bool, shape (N, M)
        Cells holding a transfer.
    vinf_depart_vec_km_s, vinf_arrive_vec_km_s : numpy.ndarray, shape (N, M, 3)
        Excess-velocity vectors relative to the departure / arrival body, ICRF, km/s.
    from_body, to_body : str
        Body names.
    ephemeris_path : str or None
        SPK file used (None: packaged DE421).
    """

    depart_tdb_s: np.ndarray
    arrive_tdb_s: np.ndarray
    tof_s: np.ndarray
    c3_km2_s2: np.ndarray
    vinf_depart_km_s: np.ndarray
    vinf_arrive_km_s: np.ndarray
    dla_deg: np.ndarray
    rla_deg: np.ndarray
    transfer_type: np.ndarray
    valid: np.ndarray
    vinf_depart_vec_km_s: np.ndarray
    vinf_arrive_vec_km_s: np.ndarray
    from_body: str = "earth"
    to_body: str = "mars"
    ephemeris_path: str | None = None
    pole: np.ndarray = field(default_factory=lambda: np.array([0.0, 0.0, 1.0]), repr=False)

    @property
    def shape(self) -> tuple[int, int]:
        """``(N, M)``: departures x arrivals."""
        return self.tof_s.shape


@dataclass(frozen=True)
class Transfer:
    """One ballistic transfer, refined to the continuous optimum of its type.

    Attributes
    ----------
    type : str
        ``'I'`` (transfer angle < 180 deg) or ``'II'`` (> 180 deg).
    departure_tdb_s, arrival_tdb_s : float
        Epochs, TDB seconds past J2000.
    tof_s : float
        Time of flight, s.
    c3_km2_s2 : float
        Departure energy, km^2/s^2.
    dla_deg, rla_deg : float
        Departure asymptote declination and right ascension, ICRF, degrees.
    vinf_departure_km_s, vinf_arrival_km_s : float
        Hyperbolic excess speeds, km/s.
    vinf_departure_vec_km_s, vinf_arrival_vec_km_s : tuple of float
        Excess-velocity vectors, ICRF, km/s.
    from_body, to_body : str
        Body names.
    """

    type: str
    departure_tdb_s: float
    arrival_tdb_s: float
    tof_s: float
    c3_km2_s2: float
    dla_deg: float
    rla_deg: float
    vinf_departure_km_s: float
    vinf_arrival_km_s: float
    vinf_departure_vec_km_s: tuple[float, float, float]
    vinf_arrival_vec_km_s: tuple[float, float, float]
    from_body: str = "earth"
    to_body: str = "mars"

    @property
    def tof_days(self) -> float:
        """Time of flight, days."""
        return self.tof_s / SECONDS_PER_DAY


def epoch_grid(start_tdb_s: float, end_tdb_s: float, step_days: float = 1.0) -> np.ndarray:
    """Evenly spaced epochs from start to end inclusive (the last step may be shorter).

    Parameters
    ----------
    start_tdb_s, end_tdb_s : float
        Range, TDB seconds past J2000, start < end.
    step_days : float
        Spacing, days (> 0).
    """
    if not (math.isfinite(step_days) and step_days > 0.0):
        raise ConfigError(f"step_days={step_days!r} is not allowed; expected a finite value > 0 days")
    if not end_tdb_s > start_tdb_s:
        raise ConfigError(
            f"date range {start_tdb_s!r}..{end_tdb_s!r} s is reversed or empty; expected start before end"
        )
    step_s = step_days * SECONDS_PER_DAY
    n = int(math.floor((end_tdb_s - start_tdb_s) / step_s + 1e-9)) + 1
    if n > 20000:
        raise ConfigError(f"step_days={step_days!r} gives {n} epochs; at most 20000 are allowed per axis")
    t = start_tdb_s + step_s * np.arange(n)
    if end_tdb_s - t[-1] > 1e-3:  # the range ends inclusive: a last, shorter step (> 1 ms)
        t = np.append(t, end_tdb_s)
    return t


def _check_epochs(name: str, t) -> np.ndarray:
    arr = np.atleast_1d(np.asarray(t, dtype=float))
    if arr.ndim != 1 or arr.size == 0:
        raise ConfigError(f"{name} has shape {np.shape(t)}; expected a non-empty 1-D array of TDB seconds")
    if not np.all(np.isfinite(arr)):
        raise ConfigError(f"{name} contains a non-finite epoch; expected finite TDB seconds past J2000")
    if arr.size > 1 and np.any(np.diff(arr) <= 0.0):
        raise ConfigError(f"{name} is not strictly increasing; expected sorted epochs (start before end)")
    return np.ascontiguousarray(arr)


def _bodies(from_body: str, to_body: str,
            names: tuple[str, str] = ("from_body", "to_body")) -> tuple[str, str]:
    try:
        a = check_body(from_body)
    except ConfigError as exc:
        raise ConfigError(str(exc).replace("body=", f"{names[0]}=", 1)) from None
    try:
        b = check_body(to_body)
    except ConfigError as exc:
        raise ConfigError(str(exc).replace("body=", f"{names[1]}=", 1)) from None
    if a == b:
        raise ConfigError(f"{names[1]}={to_body!r} equals {names[0]}; expected two different bodies")
    if "sun" in (a, b) or "moon" in (a, b):
        raise ConfigError(
            f"{names[0]}={from_body!r}, {names[1]}={to_body!r}: heliocentric transfers need two planets "
            "(not the Sun or the Moon)"
        )
    return a, b


def _orbit_pole(eph, body: str, t_tdb_s: float) -> np.ndarray:
    r, v = eph.state(body, t_tdb_s)
    h = np.cross(r, v)
    return h / np.linalg.norm(h)


def porkchop(from_body: str, to_body: str, depart_tdb_s, arrive_tdb_s,
             ephemeris_path: str | None = None) -> PorkchopGrid:
    """Compute a porkchop grid of zero-revolution prograde transfers.

    Parameters
    ----------
    from_body, to_body : str
        Planets, e.g. ``"earth"``, ``"mars"``.
    depart_tdb_s : array_like, shape (N,)
        Departure epochs, TDB seconds past J2000, strictly increasing.
    arrive_tdb_s : array_like, shape (M,)
        Arrival epochs, TDB seconds past J2000, strictly increasing.
    ephemeris_path : str, optional
        SPK kernel to use instead of the packaged DE421.

    Returns
    -------
    PorkchopGrid

    Raises
    ------
    ConfigError
        Unknown or identical bodies, malformed epoch arrays.
    EphemerisRangeError
        An epoch outside the ephemeris span.
    """
    a, b = _bodies(from_body, to_body)
    td = _check_epochs("depart_tdb_s", depart_tdb_s)
    ta = _check_epochs("arrive_tdb_s", arrive_tdb_s)
    eph = load_ephemeris(ephemeris_path)
    rd, vd = eph.state(a, td)
    ra, va = eph.state(b, ta)
    pole = _orbit_pole(eph, a, float(td[td.size // 2]))
    n, m = td.size, ta.size
    tof = np.empty((n, m))
    c3 = np.empty((n, m))
    vdep = np.empty((n, m))
    varr = np.empty((n, m))
    dla = np.empty((n, m))
    rla = np.empty((n, m))
    typ = np.empty((n, m), dtype=np.int8)
    valid = np.empty((n, m), dtype=np.bool_)
    vdv = np.empty((n, m, 3))
    vav = np.empty((n, m, 3))
    porkchop_kernel(np.ascontiguousarray(rd), np.ascontiguousarray(vd), np.ascontiguousarray(ra),
                    np.ascontiguousarray(va), td, ta, GM_SUN_KM3_S2, pole, MIN_TOF_S,
                    tof, c3, vdep, varr, dla, rla, typ, valid, vdv, vav)
    return PorkchopGrid(td, ta, tof, c3, vdep, varr, dla, rla, typ, valid, vdv, vav,
                        from_body=a, to_body=b, ephemeris_path=ephemeris_path, pole=pole)


def transfer_at(from_body: str, to_body: str, departure_tdb_s: float, arrival_tdb_s: float,
                ephemeris_path: str | None = None, pole=None) -> Transfer:
    """The zero-revolution prograde transfer between two bodies for given dates.

    Parameters
    ----------
    from_body, to_body : str
        Planets.
    departure_tdb_s, arrival_tdb_s : float
        Epochs, TDB seconds past J2000 (arrival at least 10 days after departure).
    ephemeris_path : str, optional
        SPK kernel instead of DE421.
    pole : array_like, shape (3,), optional
        Prograde reference direction (default: the departure body's orbital pole at departure).

    Raises
    ------
    NoSolutionError
        If the time of flight is shorter than 10 days or the geometry has no solution.
    """
    a, b = _bodies(from_body, to_body)
    eph = load_ephemeris(ephemeris_path)
    if pole is None:
        pole = _orbit_pole(eph, a, float(departure_tdb_s))
    t = _one(eph, a, b, float(departure_tdb_s), float(arrival_tdb_s), np.asarray(pole, dtype=float))
    if t is None:
        raise NoSolutionError(
            f"no transfer {a}->{b} for departure {departure_tdb_s!r} s, arrival {arrival_tdb_s!r} s; "
            f"arrival must follow departure by at least {MIN_TOF_S / SECONDS_PER_DAY:.0f} days"
        )
    return t


def _one(eph, a: str, b: str, td: float, ta: float, pole: np.ndarray) -> Transfer | None:
    tof = ta - td
    if not tof >= MIN_TOF_S:
        return None
    rd, vd = eph.state(a, td)
    ra, va = eph.state(b, ta)
    s = solve_one(rd[0], rd[1], rd[2], ra[0], ra[1], ra[2], tof, GM_SUN_KM3_S2, 0, True, True,
                  pole[0], pole[1], pole[2])
    if not s[6]:
        return None
    vdv = np.array(s[0:3]) - vd
    vav = np.array(s[3:6]) - va
    vinf = float(np.linalg.norm(vdv))
    rla = math.degrees(math.atan2(vdv[1], vdv[0])) % 360.0
    dla = math.degrees(math.asin(max(-1.0, min(1.0, vdv[2] / vinf)))) if vinf > 0 else 0.0
    ttype = "I" if float(np.dot(np.cross(rd, ra), pole)) >= 0.0 else "II"
    return Transfer(ttype, td, ta, tof, vinf * vinf, dla, rla, vinf, float(np.linalg.norm(vav)),
                    tuple(float(x) for x in vdv), tuple(float(x) for x in vav), a, b)


_OBJECTIVES = ("c3", "vinf_arrival", "vinf_sum")


def _score(t: Transfer, objective: str) -> float:
    if objective == "c3":
        return t.c3_km2_s2
    if objective == "vinf_arrival":
        return t.vinf_arrival_km_s
    return t.vinf_departure_km_s + t.vinf_arrival_km_s


def best_transfers(grid: PorkchopGrid, objective: str = "c3") -> list[Transfer]:
    """Minimum-energy Type I and Type II transfers of a porkchop, refined off the grid.

    For each transfer type present in the grid, the best cell is the start of a bounded
    Nelder-Mead search over (departure, arrival) on the exact Lambert solution, kept
    inside the grid's date ranges and within the same type; the result is the continuous
    optimum to about a minute, not the nearest grid cell.

    Parameters
    ----------
    grid : PorkchopGrid
        Output of :func:`porkchop`.
    objective : {"c3", "vinf_arrival", "vinf_sum"}
        Quantity minimised: departure C3 (the launch-period convention; for a Mars->Earth
        leg the Mars departure v_inf), arrival v_inf, or the sum of both v_inf.

    Returns
    -------
    list of Transfer
        One per type found, Type I first.

    Raises
    ------
    NoSolutionError
        If the grid has no valid cell.
    """
    from scipy.optimize import minimize

    if objective not in _OBJECTIVES:
        raise ConfigError(f"objective={objective!r} is unknown; allowed: {', '.join(_OBJECTIVES)}")
    if not np.any(grid.valid):
        raise NoSolutionError(
            f"porkchop {grid.from_body}->{grid.to_body} has no valid transfer; widen the arrival range "
            "so that arrivals follow departures"
        )
    eph = load_ephemeris(grid.ephemeris_path)
    metric = {"c3": grid.c3_km2_s2, "vinf_arrival": grid.vinf_arrive_km_s,
              "vinf_sum": grid.vinf_depart_km_s + grid.vinf_arrive_km_s}[objective]
    td, ta = grid.depart_tdb_s, grid.arrive_tdb_s
    day = SECONDS_PER_DAY
    lo = np.array([td[0], ta[0]]) / day
    hi = np.array([td[-1], ta[-1]]) / day
    step = np.array([np.median(np.diff(td)) if td.size > 1 else day,
                     np.median(np.diff(ta)) if ta.size > 1 else day]) / day
    out = []
    for code in (1, 2):
        mask = grid.valid & (grid.transfer_type == code)
        if not np.any(mask):
            continue
        masked = np.where(mask, metric, np.inf)
        i, j = np.unravel_index(int(np.argmin(masked)), masked.shape)
        start = _one(eph, grid.from_body, grid.to_body, td[i], ta[j], grid.pole)
        if start is None:
            continue
        want = _TYPES[code]
        best = [start]
        free = [k for k, size in enumerate((td.size, ta.size)) if size > 1]
        x0 = np.array([td[i], ta[j]]) / day

        def f(x, want=want, best=best, free=free, x0=x0):
            xx = x0.copy()
            xx[free] = np.clip(np.atleast_1d(x), lo[free], hi[free])
            t = _one(eph, grid.from_body, grid.to_body, xx[0] * day, xx[1] * day, grid.pole)
            if t is None or t.type != want:
                return 1e12
            val = _score(t, objective)
            if val < _score(best[0], objective):
                best[0] = t
            return val

        if free:
            simplex = [x0[free]]
            for k in range(len(free)):
                e = np.zeros(len(free))
                # step into the grid, away from a boundary
                e[k] = step[free[k]] if x0[free[k]] + step[free[k]] <= hi[free[k]] else -step[free[k]]
                simplex.append(x0[free] + e)
            minimize(f, x0[free], method="Nelder-Mead", bounds=list(zip(lo[free], hi[free], strict=True)),
                     options={"initial_simplex": np.array(simplex), "xatol": 1e-4, "fatol": 1e-10,
                              "maxiter": 400})
        out.append(best[0])
    return out


def transfer_type_name(code: int) -> str:
    """``'I'`` or ``'II'`` for a porkchop ``transfer_type`` code (1 or 2)."""
    try:
        return _TYPES[int(code)]
    except KeyError:
        raise ConfigError(f"transfer_type={code!r} is unknown; allowed: 1 (Type I), 2 (Type II)") from None
