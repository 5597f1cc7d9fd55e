"""Orbit lifetime of the Orbiting Sample container (OS) under Mars drag, with J2 drift.

The orbit-averaged decay kernel (:mod:`msrsim.kernels.orbit_decay`) reads the atmosphere
through the shared grid; by default :func:`msrsim.atmosphere.mars_default`. Altitudes are
above the Mars equatorial radius (3396.19 km), so the density used is that of the lowest
point of a latitude-dependent ellipsoid (conservative by up to ~4 km at 25° latitude).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..bodies import MARS
from ..constants import SECONDS_PER_DAY
from ..errors import ConfigError

#: Default OS ballistic numbers: 0.30 m sphere (FACTS.md §3, §8), 14 kg (middle of the
#: 12-16 kg range, FACTS.md §8, assumption), C_D 2.2 (free-molecular sphere, assumption).
OS_AREA_TO_MASS_M2_KG = np.pi * 0.15**2 / 14.0
OS_DRAG_COEFFICIENT = 2.2

_DEFAULT_MAX_DAYS = 100 * 365.25


@dataclass(frozen=True)
class DecayResult:
    """Outcome of :func:`os_orbit_decay`, arrays with the broadcast input shape.

    Attributes
    ----------
    lifetime_days : numpy.ndarray
        Time until periapsis falls below the re-entry altitude, days; ``max_days`` where
        ``capped`` is True.
    capped : numpy.ndarray of bool
        The orbit outlived the ``max_days`` horizon.
    final_periapsis_alt_km, final_apoapsis_alt_km : numpy.ndarray
        Orbit at the end of the run, km.
    raan_rate_deg_day, argp_rate_deg_day : numpy.ndarray
        Initial J2 secular drift of the node and argument of periapsis, deg/day.
    raan_drift_deg : numpy.ndarray
        Node drift accumulated over the run (J2, with the decaying orbit), deg.
    """

    lifetime_days: np.ndarray
    capped: np.ndarray
    final_periapsis_alt_km: np.ndarray
    final_apoapsis_alt_km: np.ndarray
    raan_rate_deg_day: np.ndarray
    argp_rate_deg_day: np.ndarray
    raan_drift_deg: np.ndarray


def _grid(atmosphere, top_alt_m):
    from ..atmosphere import mars_default, tabulate

    atm = mars_default() if atmosphere is None else atmosphere
    return tabulate(atm, alt_max_m=max(top_alt_m, 600e3), step_m=500.0, alt_min_m=40e3)


def os_orbit_decay(periapsis_alt_km, apoapsis_alt_km, inclination_deg=25.0,
                   area_to_mass_m2_kg=OS_AREA_TO_MASS_M2_KG, drag_coefficient=OS_DRAG_COEFFICIENT,
                   atmosphere=None, reentry_alt_km=100.0, max_days=_DEFAULT_MAX_DAYS,
                   rotating_atmosphere=True) -> DecayResult:
    """Decay of Mars orbits under drag with J2 secular drift, batched over the inputs.

    Parameters
    ----------
    periapsis_alt_km, apoapsis_alt_km : array_like
        Initial periapsis and apoapsis altitudes above the equatorial radius, km.
    inclination_deg : array_like
        Inclination to the Mars equator, deg.
    area_to_mass_m2_kg : array_like
        Cross-section over mass, m^2/kg (OS: 0.0045-0.006, FACTS.md §8).
    drag_coefficient : array_like
        Drag coefficient (2.2 assumed for the OS sphere).
    atmosphere : Atmosphere, optional
        Model with ``density(alt_m, ...)``; default :func:`msrsim.atmosphere.mars_default`.
    reentry_alt_km : float
        Periapsis altitude that ends the orbit, km.
    max_days : float
        Integration horizon, days.
    rotating_atmosphere : bool
        Include the co-rotation of the atmosphere with Mars (King-Hele factor).

    Returns
    -------
    DecayResult
    """
    from ..kernels.elements import j2_secular_rates
    from ..kernels.orbit_decay import decay_batch

    hp, ha, inc, am, cd = np.broadcast_arrays(*(np.asarray(x, dtype=float) for x in (
        periapsis_alt_km, apoapsis_alt_km, inclination_deg, area_to_mass_m2_kg, drag_coefficient)))
    shape = hp.shape
    for name, arr, lo, hi, unit in (("periapsis_alt_km", hp, 0.0, 1e5, "km"),
                                    ("apoapsis_alt_km", ha, 0.0, 1e6, "km"),
                                    ("inclination_deg", inc, 0.0, 180.0, "deg"),
                                    ("area_to_mass_m2_kg", am, 0.0, 10.0, "m^2/kg"),
                                    ("drag_coefficient", cd, 0.0, 10.0, "")):
        bad = ~np.isfinite(arr) | (arr < lo) | (arr > hi) | ((arr <= 0) if lo == 0.0 and name
                                                             in ("area_to_mass_m2_kg",
                                                                 "drag_coefficient") else False)
        if np.any(bad):
            v = float(arr[bad].flat[0])
            raise ConfigError(f"{name}={v!r} is outside the allowed range {lo:g}..{hi:g} {unit}".rstrip())
    if np.any(ha < hp):
        k = np.flatnonzero((ha < hp).ravel())[0]
        raise ConfigError(f"apoapsis_alt_km={float(ha.flat[k])!r} is below periapsis_alt_km="
                          f"{float(hp.flat[k])!r}; apoapsis must be >= periapsis")
    if not (20.0 <= float(reentry_alt_km) <= 300.0):
        raise ConfigError(f"reentry_alt_km={reentry_alt_km!r} outside the allowed range 20..300 km")
    if not (np.isfinite(max_days) and max_days > 0):
        raise ConfigError(f"max_days={max_days!r} must be finite and > 0 days")
    r_eq = MARS.r_eq_m
    rp = r_eq + hp.ravel() * 1e3
    ra = r_eq + ha.ravel() * 1e3
    a0 = 0.5 * (rp + ra)
    e0 = (ra - rp) / (ra + rp)
    inc_rad = np.radians(inc.ravel())
    grid = _grid(atmosphere, float(np.max(ra) - r_eq) + 50e3)
    n = a0.size
    t = np.empty(n)
    a = np.empty(n)
    e = np.empty(n)
    om = np.empty(n)
    w = np.empty(n)
    reached = np.empty(n, dtype=np.bool_)
    rp_stop = np.full(n, r_eq + float(reentry_alt_km) * 1e3)
    decay_batch(np.ascontiguousarray(a0), np.ascontiguousarray(e0), np.ascontiguousarray(inc_rad),
                np.ascontiguousarray((am * cd).ravel()), MARS.mu_m3_s2, r_eq, MARS.j2,
                MARS.omega_rad_s if rotating_atmosphere else 0.0, grid.alt0_m, grid.dalt_m,
                grid.log_rho, grid.sound_speed_m_s, rp_stop, float(max_days) * SECONDS_PER_DAY,
                2000.0, 48, t, a, e, om, w, reached)
    if not (np.all(np.isfinite(t)) and np.all(np.isfinite(a))):
        raise ConfigError("orbit decay produced a non-finite state; check the atmosphere model")
    raan_dot, argp_dot, _ = j2_secular_rates(a0, e0, inc_rad, MARS.mu_m3_s2, r_eq, MARS.j2)
    rad_day = np.degrees(1.0) * SECONDS_PER_DAY
    return DecayResult(
        lifetime_days=(t / SECONDS_PER_DAY).reshape(shape),
        capped=(~reached).reshape(shape),
        final_periapsis_alt_km=((a * (1 - e) - r_eq) / 1e3).reshape(shape),
        final_apoapsis_alt_km=((a * (1 + e) - r_eq) / 1e3).reshape(shape),
        raan_rate_deg_day=(raan_dot * rad_day).reshape(shape),
        argp_rate_deg_day=(argp_dot * rad_day).reshape(shape),
        raan_drift_deg=np.degrees(om).reshape(shape),
    )


def os_lifetime_days(periapsis_alt_km, apoapsis_alt_km, inclination_deg=25.0,
                     area_to_mass_m2_kg=OS_AREA_TO_MASS_M2_KG, drag_coefficient=OS_DRAG_COEFFICIENT,
                     atmosphere=None, reentry_alt_km=100.0, max_days=_DEFAULT_MAX_DAYS):
    """Orbit lifetime of the OS (or any Mars orbiter) under drag, days, broadcasting.

    Orbit-averaged (King-Hele style) integration of semi-major axis and eccentricity with
    J2 secular drift, until periapsis drops below ``reentry_alt_km``.

    Parameters
    ----------
    periapsis_alt_km, apoapsis_alt_km : array_like
        Delivered orbit above the Mars equatorial radius, km.
    inclination_deg : array_like
        Inclination to the Mars equator, deg.
    area_to_mass_m2_kg : array_like
        Default: 0.30 m sphere of 14 kg, 0.00505 m^2/kg (FACTS.md §8).
    drag_coefficient : array_like
        Default 2.2 (assumption, free-molecular sphere).
    atmosphere : Atmosphere, optional
        Default :func:`msrsim.atmosphere.mars_default`.
    reentry_alt_km : float
        Periapsis altitude that ends the orbit, km.
    max_days : float
        Horizon, days: lifetimes longer than this are returned as ``max_days`` (use
        :func:`os_orbit_decay` for the ``capped`` flag).

    Returns
    -------
    numpy.ndarray
        Lifetime, days, with the broadcast shape of the inputs.

    Examples
    --------
    >>> os_lifetime_days([250, 343], [250, 343])  # doctest: +SKIP
    """
    return os_orbit_decay(periapsis_alt_km, apoapsis_alt_km, inclination_deg, area_to_mass_m2_kg,
                          drag_coefficient, atmosphere, reentry_alt_km, max_days).lifetime_days


def os_lifetime_batch(periapsis_alt_km, apoapsis_alt_km, inclination_deg, area_to_mass_m2_kg,
                      drag_coefficient, reentry_alt_km=100.0, max_days=_DEFAULT_MAX_DAYS,
                      atmosphere=None):
    """Drag lifetime of per-trial delivered orbits, with a mask instead of an exception.

    A Monte Carlo hands over orbits of every kind: ones that never reached orbit (periapsis
    below ``reentry_alt_km``, NaN from a failed ascent), escape or apoapsis beyond the
    model's range. Those are masked out (``in_orbit`` False, lifetime 0) rather than
    raising; the rest go through :func:`os_orbit_decay` in one batch.

    Parameters
    ----------
    periapsis_alt_km, apoapsis_alt_km, inclination_deg : array_like, shape (n,)
        Delivered orbits (km above the equatorial radius, deg).
    area_to_mass_m2_kg, drag_coefficient : float
        OS ballistic properties.
    reentry_alt_km : float
        Periapsis altitude that ends the orbit, km.
    max_days : float
        Horizon, days (longer lifetimes are returned as ``max_days``).
    atmosphere : Atmosphere, optional

    Returns
    -------
    lifetime_days : numpy.ndarray, shape (n,)
        0 where ``in_orbit`` is False.
    in_orbit : numpy.ndarray of bool, shape (n,)
        The orbit exists: finite, periapsis above re-entry, apoapsis >= periapsis and
        below 1e6 km, inclination in 0..180 deg.
    """
    hp = np.atleast_1d(np.asarray(periapsis_alt_km, dtype=float))
    ha = np.atleast_1d(np.asarray(apoapsis_alt_km, dtype=float))
    inc = np.broadcast_to(np.asarray(inclination_deg, dtype=float), hp.shape)
    with np.errstate(invalid="ignore"):
        ok = (np.isfinite(hp) & np.isfinite(ha) & np.isfinite(inc) & (hp > float(reentry_alt_km))
              & (ha >= hp) & (ha < 1e6) & (inc >= 0.0) & (inc <= 180.0))
    life = np.zeros(hp.shape)
    if np.any(ok):
        life[ok] = os_orbit_decay(hp[ok], ha[ok], inc[ok], area_to_mass_m2_kg, drag_coefficient,
                                  atmosphere, reentry_alt_km, max_days).lifetime_days
    return life, ok
