"""Launch periods under launch-vehicle and mission constraints, and Mars->Earth return windows."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..constants import GM_EARTH_KM3_S2, R_EARTH_EQ_M, SECONDS_PER_DAY
from ..errors import ConfigError, NoSolutionError
from .porkchop import PorkchopGrid, Transfer, _check_epochs, best_transfers, porkchop

# Earth entry interface altitude used for entry speeds: 125 km, the interface that
# reconstructions quote entry states at (FACTS.md §5: MSL at 125 km; §8 EES entry).
ENTRY_INTERFACE_ALT_KM = 125.0


@dataclass(frozen=True)
class LaunchPeriod:
    """The days a spacecraft can depart under a set of constraints.

    The period is the longest contiguous run of feasible departure epochs that contains
    the opportunity's minimum-C3 feasible day; each day uses its minimum-C3 feasible
    transfer (at the fixed arrival epoch, if one was given).

    Attributes
    ----------
    open_tdb_s, close_tdb_s : float
        First and last feasible departure epoch of the period, TDB seconds past J2000.
    duration_days : float
        ``close - open``, days (0 for a single feasible day).
    departure_tdb_s, arrival_tdb_s : numpy.ndarray, shape (K,)
        Departure epochs of the period and the chosen arrival for each, TDB s.
    c3_km2_s2, dla_deg, rla_deg, vinf_arrival_km_s : numpy.ndarray, shape (K,)
        The chosen transfer's departure energy, asymptote and arrival excess speed.
    transfer_type : tuple of str
        ``'I'`` or ``'II'`` per day.
    c3_max_km2_s2 : float
        The C3 limit applied.
    feasible_days_total : int
        Feasible departure epochs anywhere in the grid (may exceed the period's K when the
        feasible set is not contiguous).
    """

    open_tdb_s: float
    close_tdb_s: float
    duration_days: float
    departure_tdb_s: np.ndarray
    arrival_tdb_s: np.ndarray
    c3_km2_s2: np.ndarray
    dla_deg: np.ndarray
    rla_deg: np.ndarray
    vinf_arrival_km_s: np.ndarray
    transfer_type: tuple[str, ...]
    c3_max_km2_s2: float
    feasible_days_total: int

    @property
    def max_c3_km2_s2(self) -> float:
        """Largest C3 needed on any day of the period, km^2/s^2 (the launch-vehicle requirement)."""
        return float(np.max(self.c3_km2_s2))


def _opt_limit(name: str, value, unit: str, lo: float = 0.0, hi: float = math.inf,
               lo_inclusive: bool = False) -> float | None:
    if value is None:
        return None
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ConfigError(f"{name}={value!r} is not a number; expected a value in {unit}") from None
    above = v >= lo if lo_inclusive else v > lo
    if not (math.isfinite(v) and above and v <= hi):
        rel = "<=" if lo_inclusive else "<"
        raise ConfigError(f"{name}={value!r} is out of range; expected {lo} {rel} value <= {hi} {unit}")
    return v


def find_launch_period(grid: PorkchopGrid, c3_max_km2_s2: float, *, arrival_tdb_s: float | None = None,
                       vinf_arrival_max_km_s: float | None = None, dla_min_deg: float = -90.0,
                       dla_max_deg: float = 90.0, transfer_type: str | None = None) -> LaunchPeriod:
    """Launch period of an opportunity for a C3 limit and optional mission constraints.

    Parameters
    ----------
    grid : PorkchopGrid
        Porkchop whose departure epochs are the candidate launch days (its arrival axis is
        searched unless ``arrival_tdb_s`` fixes the arrival).
    c3_max_km2_s2 : float
        Launch-vehicle capability: largest C3 allowed, km^2/s^2.
    arrival_tdb_s : float, optional
        Fixed arrival epoch, TDB s, shared by every day of the period (the way Mars 2020
        kept one landing date across its launch period). Evaluated exactly, not on the grid.
    vinf_arrival_max_km_s : float, optional
        Largest arrival excess speed allowed (entry or capture limit), km/s.
    dla_min_deg, dla_max_deg : float
        Allowed declination of the launch asymptote (launch-site azimuth limits), degrees.
    transfer_type : {"I", "II"}, optional
        Restrict to one transfer type.

    Returns
    -------
    LaunchPeriod

    Raises
    ------
    ConfigError
        Bad limits.
    NoSolutionError
        No departure epoch meets the constraints (the message gives the lowest C3 found).
    """
    c3_max = _opt_limit("c3_max_km2_s2", c3_max_km2_s2, "km^2/s^2")
    if c3_max is None:
        raise ConfigError("c3_max_km2_s2=None is not allowed; expected a positive C3 limit in km^2/s^2")
    vinf_max = _opt_limit("vinf_arrival_max_km_s", vinf_arrival_max_km_s, "km/s")
    dla_lo = _opt_limit("dla_min_deg", dla_min_deg, "deg", -90.0, 90.0, lo_inclusive=True)
    dla_hi = _opt_limit("dla_max_deg", dla_max_deg, "deg", -90.0, 90.0, lo_inclusive=True)
    if not dla_lo < dla_hi:
        raise ConfigError(f"dla_min_deg={dla_min_deg!r} must be below dla_max_deg={dla_max_deg!r}")
    if transfer_type not in (None, "I", "II"):
        raise ConfigError(f"transfer_type={transfer_type!r} is unknown; allowed: I, II or None (either)")
    if arrival_tdb_s is not None:
        ta = float(arrival_tdb_s)
        if not math.isfinite(ta):
            raise ConfigError(f"arrival_tdb_s={arrival_tdb_s!r} is not finite; expected TDB seconds")
        grid = porkchop(grid.from_body, grid.to_body, grid.depart_tdb_s, [ta], grid.ephemeris_path)
    ok = grid.valid.copy()
    with np.errstate(invalid="ignore"):
        ok &= grid.c3_km2_s2 <= c3_max
        ok &= (grid.dla_deg >= dla_lo) & (grid.dla_deg <= dla_hi)
        if vinf_max is not None:
            ok &= grid.vinf_arrive_km_s <= vinf_max
    if transfer_type is not None:
        ok &= grid.transfer_type == (1 if transfer_type == "I" else 2)
    c3 = np.where(ok, grid.c3_km2_s2, np.inf)
    jbest = np.argmin(c3, axis=1)
    rows = np.arange(c3.shape[0])
    day_c3 = c3[rows, jbest]
    feasible = np.isfinite(day_c3)
    if not np.any(feasible):
        lowest = np.nanmin(grid.c3_km2_s2) if np.any(grid.valid) else math.nan
        raise NoSolutionError(
            f"no launch day meets the constraints (c3_max_km2_s2={c3_max}, dla {dla_lo}..{dla_hi} deg"
            f"{', vinf_arrival_max_km_s=' + str(vinf_max) if vinf_max is not None else ''}); "
            f"lowest C3 in the grid is {lowest:.3f} km^2/s^2"
        )
    ibest = int(np.argmin(day_c3))
    a = ibest
    while a > 0 and feasible[a - 1]:
        a -= 1
    b = ibest
    while b < feasible.size - 1 and feasible[b + 1]:
        b += 1
    sel = rows[a:b + 1]
    js = jbest[a:b + 1]
    td = grid.depart_tdb_s
    return LaunchPeriod(
        open_tdb_s=float(td[a]),
        close_tdb_s=float(td[b]),
        duration_days=float((td[b] - td[a]) / SECONDS_PER_DAY),
        departure_tdb_s=td[a:b + 1].copy(),
        arrival_tdb_s=grid.arrive_tdb_s[js].copy(),
        c3_km2_s2=grid.c3_km2_s2[sel, js].copy(),
        dla_deg=grid.dla_deg[sel, js].copy(),
        rla_deg=grid.rla_deg[sel, js].copy(),
        vinf_arrival_km_s=grid.vinf_arrive_km_s[sel, js].copy(),
        transfer_type=tuple("I" if t == 1 else "II" for t in grid.transfer_type[sel, js]),
        c3_max_km2_s2=c3_max,
        feasible_days_total=int(np.count_nonzero(feasible)),
    )


def c3_for_launch_period(grid: PorkchopGrid, days: float, **constraints) -> LaunchPeriod:
    """Smallest C3 limit that opens a launch period of at least ``days`` (the launch-vehicle
    requirement for a launch period of that length).

    Each departure epoch gets its minimum feasible C3 (under ``constraints``, the keyword
    arguments of :func:`find_launch_period` other than the C3 limit); the period is the run
    of consecutive epochs spanning ``days`` whose largest daily C3 is smallest.

    Parameters
    ----------
    grid : PorkchopGrid
        Porkchop of the opportunity; its departure axis must span more than ``days``.
    days : float
        Required launch-period length, days (> 0).
    **constraints
        ``arrival_tdb_s``, ``vinf_arrival_max_km_s``, ``dla_min_deg``, ``dla_max_deg``,
        ``transfer_type``.

    Returns
    -------
    LaunchPeriod
        With ``c3_max_km2_s2`` set to the required C3.
    """
    days = float(days)
    if not (math.isfinite(days) and days > 0.0):
        raise ConfigError(f"days={days!r} is not allowed; expected a launch-period length > 0 days")
    td = grid.depart_tdb_s
    if (td[-1] - td[0]) / SECONDS_PER_DAY < days:
        raise ConfigError(
            f"days={days} exceeds the departure range of the grid "
            f"({(td[-1] - td[0]) / SECONDS_PER_DAY:.0f} days); widen the departure range"
        )
    # every day's own minimum: a period with an unlimited C3
    full = find_launch_period(grid, 1e9, **constraints)
    if full.duration_days < days:
        raise NoSolutionError(
            f"the constraints allow at most a {full.duration_days:.0f}-day launch period; "
            f"{days} days requested"
        )
    t = full.departure_tdb_s
    c3 = full.c3_km2_s2
    best = (math.inf, 0, 0)
    b = 0
    for a in range(t.size):  # over departure days of one opportunity (hundreds), not grid cells
        while b < t.size and (t[b] - t[a]) / SECONDS_PER_DAY < days - 1e-9:
            b += 1
        if b >= t.size:
            break
        worst = float(np.max(c3[a:b + 1]))
        if worst < best[0]:
            best = (worst, a, b)
    worst, a, b = best
    return LaunchPeriod(
        open_tdb_s=float(t[a]), close_tdb_s=float(t[b]),
        duration_days=float((t[b] - t[a]) / SECONDS_PER_DAY),
        departure_tdb_s=t[a:b + 1].copy(), arrival_tdb_s=full.arrival_tdb_s[a:b + 1].copy(),
        c3_km2_s2=c3[a:b + 1].copy(), dla_deg=full.dla_deg[a:b + 1].copy(),
        rla_deg=full.rla_deg[a:b + 1].copy(), vinf_arrival_km_s=full.vinf_arrival_km_s[a:b + 1].copy(),
        transfer_type=full.transfer_type[a:b + 1], c3_max_km2_s2=worst,
        feasible_days_total=full.feasible_days_total,
    )


def entry_speed_km_s(vinf_km_s, entry_alt_km: float = ENTRY_INTERFACE_ALT_KM,
                     mu_km3_s2: float = GM_EARTH_KM3_S2, radius_km: float = R_EARTH_EQ_M * 1e-3):
    """Inertial speed at the entry interface from the arrival excess speed (vis-viva).

    ``v = sqrt(vinf^2 + 2 mu / (R + h))``; defaults: Earth (WGS-84 GM and equatorial
    radius, FACTS.md §6) and a 125 km interface.

    Parameters
    ----------
    vinf_km_s : float or array_like
        Hyperbolic excess speed on arrival, km/s.
    entry_alt_km : float
        Entry interface altitude above the equatorial radius, km.
    mu_km3_s2 : float
        Gravitational parameter of the planet, km^3/s^2.
    radius_km : float
        Planet radius the altitude is measured from, km.

    Returns
    -------
    float or numpy.ndarray
        Entry speed, km/s (inertial).
    """
    if not (math.isfinite(entry_alt_km) and entry_alt_km >= 0.0):
        raise ConfigError(f"entry_alt_km={entry_alt_km!r} is not allowed; expected a finite altitude >= 0 km")
    v = np.asarray(vinf_km_s, dtype=float)
    out = np.sqrt(v * v + 2.0 * mu_km3_s2 / (radius_km + entry_alt_km))
    return float(out) if out.ndim == 0 else out


@dataclass(frozen=True)
class ReturnWindow:
    """A Mars->Earth return window: the porkchop, Earth entry speeds and the best returns.

    Attributes
    ----------
    grid : PorkchopGrid
        Mars departure x Earth arrival porkchop (``c3_km2_s2`` is the Mars departure v_inf^2).
    entry_speed_km_s : numpy.ndarray, shape (N, M)
        Inertial speed at the Earth entry interface, km/s (NaN where ``grid.valid`` is False).
    entry_alt_km : float
        Entry interface altitude, km.
    feasible : numpy.ndarray of bool, shape (N, M)
        Cells meeting the departure v_inf and entry speed limits.
    transfers : tuple of Transfer
        Minimum Mars-departure v_inf return per type among feasible cells, refined.
    transfer_entry_speed_km_s : tuple of float
        Entry speed of each of ``transfers``, km/s.
    open_tdb_s, close_tdb_s : float
        First and last Mars departure epoch with a feasible return, TDB s.
    """

    grid: PorkchopGrid
    entry_speed_km_s: np.ndarray
    entry_alt_km: float
    feasible: np.ndarray
    transfers: tuple[Transfer, ...]
    transfer_entry_speed_km_s: tuple[float, ...]
    open_tdb_s: float
    close_tdb_s: float


def return_window(depart_tdb_s, arrive_tdb_s, *, vinf_departure_max_km_s: float | None = None,
                  entry_speed_max_km_s: float | None = None,
                  entry_alt_km: float = ENTRY_INTERFACE_ALT_KM, from_body: str = "mars",
                  to_body: str = "earth", ephemeris_path: str | None = None) -> ReturnWindow:
    """Mars->Earth return opportunities with Mars departure v_inf and Earth entry speed.

    Parameters
    ----------
    depart_tdb_s : array_like, shape (N,)
        Candidate Mars departure epochs, TDB seconds past J2000.
    arrive_tdb_s : array_like, shape (M,)
        Candidate Earth arrival epochs, TDB seconds past J2000.
    vinf_departure_max_km_s : float, optional
        Largest Mars departure excess speed the return stage can give, km/s.
    entry_speed_max_km_s : float, optional
        Largest entry speed the Earth entry system tolerates, km/s.
    entry_alt_km : float
        Entry interface altitude, km (default 125).
    from_body, to_body : str
        Defaults ``"mars"`` -> ``"earth"``.
    ephemeris_path : str, optional
        SPK kernel instead of DE421.

    Returns
    -------
    ReturnWindow

    Raises
    ------
    NoSolutionError
        No cell meets the limits.
    """
    vd_max = _opt_limit("vinf_departure_max_km_s", vinf_departure_max_km_s, "km/s")
    ve_max = _opt_limit("entry_speed_max_km_s", entry_speed_max_km_s, "km/s")
    grid = porkchop(from_body, to_body, _check_epochs("depart_tdb_s", depart_tdb_s),
                    _check_epochs("arrive_tdb_s", arrive_tdb_s), ephemeris_path)
    ventry = entry_speed_km_s(grid.vinf_arrive_km_s, entry_alt_km)
    feasible = grid.valid.copy()
    with np.errstate(invalid="ignore"):
        if vd_max is not None:
            feasible &= grid.vinf_depart_km_s <= vd_max
        if ve_max is not None:
            feasible &= ventry <= ve_max
    if not np.any(feasible):
        lowest = np.nanmin(grid.vinf_depart_km_s) if np.any(grid.valid) else math.nan
        raise NoSolutionError(
            f"no return meets the limits (vinf_departure_max_km_s={vd_max}, entry_speed_max_km_s={ve_max}); "
            f"lowest Mars departure v_inf in the grid is {lowest:.3f} km/s"
        )
    # best returns among feasible cells: mask the rest out of a copy of the grid
    masked = PorkchopGrid(**{**grid.__dict__, "valid": feasible})
    transfers = tuple(best_transfers(masked, "c3"))
    days = np.flatnonzero(np.any(feasible, axis=1))
    return ReturnWindow(
        grid=grid,
        entry_speed_km_s=ventry,
        entry_alt_km=float(entry_alt_km),
        feasible=feasible,
        transfers=transfers,
        transfer_entry_speed_km_s=tuple(float(entry_speed_km_s(t.vinf_arrival_km_s, entry_alt_km))
                                        for t in transfers),
        open_tdb_s=float(grid.depart_tdb_s[days[0]]),
        close_tdb_s=float(grid.depart_tdb_s[days[-1]]),
    )
