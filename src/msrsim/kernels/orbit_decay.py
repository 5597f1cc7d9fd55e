"""Orbit-averaged drag decay with J2 secular drift (semi-analytic, batched, numba).

The osculating semi-major axis and eccentricity obey Gauss's equations for a drag
acceleration along the velocity, ``a_t = -1/2 rho v^2 B F`` (``B = C_D A / m``,
``F = (1 - r w cos i / v)^2`` the rotating-atmosphere factor of King-Hele, *Satellite
Orbits in an Atmosphere*, 1987, §4.2)::

    da/dt = 2 a^2 v a_t / mu,        de/dt = 2 (e + cos nu) a_t / v

averaged over one revolution by quadrature in eccentric anomaly (dt = r/(n a) dE), the
method of King-Hele's theory without its series expansions, so it holds for any density
profile (the atmosphere is read from a uniform log-density grid, see
:func:`msrsim.kernels.atmosphere_grid.grid_lookup`). The node and argument of periapsis drift at the
first-order J2 secular rates. The averaged equations are integrated with a second-order
Runge-Kutta step sized so that periapsis and apoapsis radius change by at most ``dr_max``
per step. Units: m, s, kg, rad.
"""

from __future__ import annotations

import math

import numba
import numpy as np

from .atmosphere_grid import grid_lookup


@numba.njit(cache=True)
def averaged_rates(a, e, inc, bstar, mu, r_eq, omega_atm, alt0, dalt, log_rho, sound, nquad):
    """Orbit-averaged da/dt (m/s) and de/dt (1/s) under drag.

    Parameters
    ----------
    a, e : float
        Semi-major axis (m) and eccentricity.
    inc : float
        Inclination, rad (for the rotating-atmosphere factor).
    bstar : float
        C_D A / m, m^2/kg.
    mu, r_eq, omega_atm : float
        Gravitational parameter (m^3/s^2), equatorial radius (m), atmosphere rotation
        rate (rad/s; 0 for a non-rotating atmosphere).
    alt0, dalt, log_rho, sound :
        Atmosphere grid (see :class:`msrsim.atmosphere.AtmosphereGrid`).
    nquad : int
        Quadrature points per revolution.
    """
    sa = 0.0
    se = 0.0
    ci = math.cos(inc)
    for k in range(nquad):
        ecc_anom = 2.0 * math.pi * (k + 0.5) / nquad
        ce = math.cos(ecc_anom)
        r = a * (1.0 - e * ce)
        v = math.sqrt(mu * (2.0 / r - 1.0 / a))
        rho, _ = grid_lookup(r - r_eq, alt0, dalt, log_rho, sound)
        f = 1.0 - r * omega_atm * ci / v
        at = -0.5 * rho * v * v * bstar * f * f
        cosnu = (ce - e) / (1.0 - e * ce)
        w = r / a
        sa += w * 2.0 * a * a * v * at / mu
        se += w * 2.0 * (e + cosnu) * at / v
    return sa / nquad, se / nquad


@numba.njit(cache=True)
def _j2_rates(a, e, inc, mu, r_eq, j2):
    n = math.sqrt(mu / (a * a * a))
    p = a * (1.0 - e * e)
    k = j2 * (r_eq / p) ** 2
    ci = math.cos(inc)
    return -1.5 * n * k * ci, 0.75 * n * k * (5.0 * ci * ci - 1.0)


@numba.njit(cache=True)
def decay_one(a0, e0, inc, bstar, mu, r_eq, j2, omega_atm, alt0, dalt, log_rho, sound,
              rp_stop, t_max, dr_max, nquad, hist_t, hist_a, hist_e, hist_raan, hist_argp):
    """Integrate one orbit until periapsis radius < ``rp_stop`` or ``t_max``.

    Returns ``(t_end, a_end, e_end, raan_end, argp_end, reached, n_hist)``; when the
    history arrays have length > 0 each step is recorded there (up to their length).
    """
    a = a0
    e = e0
    raan = 0.0
    argp = 0.0
    t = 0.0
    nh = hist_t.size
    k = 0
    if nh > 0:
        hist_t[0] = t
        hist_a[0] = a
        hist_e[0] = e
        hist_raan[0] = raan
        hist_argp[0] = argp
        k = 1
    reached = a * (1.0 - e) < rp_stop
    while not reached and t < t_max:
        da1, de1 = averaged_rates(a, e, inc, bstar, mu, r_eq, omega_atm, alt0, dalt, log_rho,
                                  sound, nquad)
        # step: periapsis and apoapsis radius change by at most dr_max
        drp = abs(da1 * (1.0 - e) - a * de1)
        dra = abs(da1 * (1.0 + e) + a * de1)
        rate = max(drp, dra, 1e-30)
        dt = min(dr_max / rate, t_max - t)
        am = a + 0.5 * dt * da1
        em = max(e + 0.5 * dt * de1, 0.0)
        da2, de2 = averaged_rates(am, em, inc, bstar, mu, r_eq, omega_atm, alt0, dalt,
                                  log_rho, sound, nquad)
        dom, dw = _j2_rates(am, em, inc, mu, r_eq, j2)
        a_new = a + dt * da2
        e_new = max(e + dt * de2, 0.0)
        rp_new = a_new * (1.0 - e_new)
        if rp_new < rp_stop:
            # interpolate the crossing time linearly in periapsis radius
            rp_old = a * (1.0 - e)
            frac = (rp_old - rp_stop) / max(rp_old - rp_new, 1e-30)
            dt *= frac
            a_new = a + dt * da2
            e_new = max(e + dt * de2, 0.0)
            reached = True
        a = a_new
        e = e_new
        raan += dom * dt
        argp += dw * dt
        t += dt
        if k < nh:
            hist_t[k] = t
            hist_a[k] = a
            hist_e[k] = e
            hist_raan[k] = raan
            hist_argp[k] = argp
            k += 1
    return t, a, e, raan, argp, reached, k


@numba.njit(cache=True, parallel=True)
def decay_batch(a0, e0, inc, bstar, mu, r_eq, j2, omega_atm, alt0, dalt, log_rho, sound,
                rp_stop, t_max, dr_max, nquad, t_out, a_out, e_out, raan_out, argp_out, reached):
    """:func:`decay_one` over a flat batch (arrays of a0, e0, inc, bstar, rp_stop)."""
    empty = np.empty(0)
    for k in numba.prange(a0.size):
        t, a, e, om, w, ok, _ = decay_one(a0[k], e0[k], inc[k], bstar[k], mu, r_eq, j2,
                                          omega_atm, alt0, dalt, log_rho, sound, rp_stop[k],
                                          t_max, dr_max, nquad, empty, empty, empty, empty,
                                          empty)
        t_out[k] = t
        a_out[k] = a
        e_out[k] = e
        raan_out[k] = om
        argp_out[k] = w
        reached[k] = ok
