"""Two-body propagation with universal variables, batched and compiled.

Arrays of states ``(..., 3)`` and times ``(...)`` broadcast against each other. Units are
whatever the caller uses consistently (km, km/s, km^3/s^2 or m, m/s, m^3/s^2).
"""

from __future__ import annotations

import math

import numba
import numpy as np

from ..errors import NoSolutionError


@numba.njit(cache=True, inline="always")
def stumpff(z):
    """Stumpff functions C(z), S(z) (series near z = 0 to avoid cancellation)."""
    if z > 1e-3:
        s = math.sqrt(z)
        return (1.0 - math.cos(s)) / z, (s - math.sin(s)) / (s * s * s)
    if z < -1e-3:
        s = math.sqrt(-z)
        return (math.cosh(s) - 1.0) / (-z), (math.sinh(s) - s) / (s * s * s)
    return (1.0 / 2.0 - z / 24.0 + z * z / 720.0 - z * z * z / 40320.0,
            1.0 / 6.0 - z / 120.0 + z * z / 5040.0 - z * z * z / 362880.0)


@numba.njit(cache=True)
def kepler_universal(rx, ry, rz, vx, vy, vz, dt, mu):
    """Propagate one state by ``dt``; returns (x, y, z, vx, vy, vz, converged).

    Laguerre-Conway iteration on the universal Kepler equation (Conway 1986), which
    converges from a crude start for elliptic and hyperbolic orbits alike.
    """
    r0 = math.sqrt(rx * rx + ry * ry + rz * rz)
    v2 = vx * vx + vy * vy + vz * vz
    sqmu = math.sqrt(mu)
    rdotv = rx * vx + ry * vy + rz * vz
    sigma0 = rdotv / sqmu
    alpha = 2.0 / r0 - v2 / mu  # 1/a
    if dt == 0.0:
        return rx, ry, rz, vx, vy, vz, True
    tau = dt
    if alpha > 1e-12:
        # remove whole periods: the equation is then solved on less than one revolution
        period = 2.0 * math.pi / (sqmu * alpha ** 1.5)
        tau = dt - period * math.floor(dt / period)
        chi = sqmu * tau * alpha
    elif alpha < -1e-12:
        a = 1.0 / alpha
        sgn = 1.0 if dt > 0 else -1.0
        arg = (-2.0 * mu * alpha * tau) / (rdotv + sgn * math.sqrt(-mu * a) * (1.0 - r0 * alpha))
        chi = sgn * math.sqrt(-a) * math.log(max(arg, 1e-300)) if arg > 0 else sqmu * tau / r0
    else:
        chi = sqmu * tau / r0
    converged = False
    n = 5.0
    c = 0.5
    s = 1.0 / 6.0
    for _ in range(200):
        z = alpha * chi * chi
        c, s = stumpff(z)
        chi2 = chi * chi
        f = sigma0 * chi2 * c + (1.0 - alpha * r0) * chi2 * chi * s + r0 * chi - sqmu * tau
        fp = sigma0 * chi * (1.0 - z * s) + (1.0 - alpha * r0) * chi2 * c + r0
        fpp = sigma0 * (1.0 - z * c) + (1.0 - alpha * r0) * chi * (1.0 - z * s)
        disc = abs((n - 1.0) ** 2 * fp * fp - n * (n - 1.0) * f * fpp)
        den = fp + math.copysign(math.sqrt(disc), fp)
        if den == 0.0:
            break
        dchi = n * f / den
        chi -= dchi
        if abs(dchi) <= 1e-13 * max(1.0, abs(chi)):
            converged = True
            break
    z = alpha * chi * chi
    c, s = stumpff(z)
    chi2 = chi * chi
    fl = 1.0 - chi2 / r0 * c
    gl = tau - chi2 * chi / sqmu * s
    x = fl * rx + gl * vx
    y = fl * ry + gl * vy
    zz = fl * rz + gl * vz
    r = math.sqrt(x * x + y * y + zz * zz)
    fdot = sqmu / (r * r0) * chi * (z * s - 1.0)
    gdot = 1.0 - chi2 / r * c
    return (x, y, zz, fdot * rx + gdot * vx, fdot * ry + gdot * vy, fdot * rz + gdot * vz,
            converged)


@numba.njit(cache=True, parallel=True)
def _propagate_flat(r, v, dt, mu, r_out, v_out, ok):
    for i in numba.prange(r.shape[0]):
        x, y, z, a, b, c, conv = kepler_universal(r[i, 0], r[i, 1], r[i, 2],
                                                  v[i, 0], v[i, 1], v[i, 2], dt[i], mu[i])
        r_out[i, 0] = x
        r_out[i, 1] = y
        r_out[i, 2] = z
        v_out[i, 0] = a
        v_out[i, 1] = b
        v_out[i, 2] = c
        ok[i] = conv


def propagate(r, v, dt, mu):
    """Propagate two-body states by ``dt`` (batched universal-variable Kepler solver).

    Parameters
    ----------
    r : array_like, shape (..., 3)
        Initial positions (km or m).
    v : array_like, shape (..., 3)
        Initial velocities (km/s or m/s, consistent with ``r``).
    dt : array_like, shape (...)
        Propagation times, s (negative propagates backwards).
    mu : float or array_like, shape (...)
        Gravitational parameter (km^3/s^2 or m^3/s^2, consistent with ``r``).

    Returns
    -------
    r_out, v_out : numpy.ndarray, shape (..., 3)
        Propagated positions and velocities.

    Raises
    ------
    NoSolutionError
        If the Kepler iteration does not converge for some element (never silently NaN).
    """
    r = np.asarray(r, dtype=float)
    v = np.asarray(v, dtype=float)
    dt = np.asarray(dt, dtype=float)
    mu = np.asarray(mu, dtype=float)
    shape = np.broadcast_shapes(r.shape[:-1], v.shape[:-1], dt.shape, mu.shape)
    rb = np.ascontiguousarray(np.broadcast_to(r, shape + (3,)).reshape(-1, 3))
    vb = np.ascontiguousarray(np.broadcast_to(v, shape + (3,)).reshape(-1, 3))
    db = np.ascontiguousarray(np.broadcast_to(dt, shape).ravel())
    mb = np.ascontiguousarray(np.broadcast_to(mu, shape).ravel())
    r_out = np.empty_like(rb)
    v_out = np.empty_like(vb)
    ok = np.empty(rb.shape[0], dtype=np.bool_)
    _propagate_flat(rb, vb, db, mb, r_out, v_out, ok)
    if not ok.all() or not np.all(np.isfinite(r_out)):
        k = int(np.flatnonzero(~ok | ~np.isfinite(r_out).all(axis=1))[0])
        raise NoSolutionError(
            f"Kepler propagation did not converge for element {k} (dt_s={db[k]!r}); "
            "check that the state is not degenerate (r = 0 or parabolic to 1e-12)"
        )
    return r_out.reshape(shape + (3,)), v_out.reshape(shape + (3,))
