"""Lambert's problem by Izzo's algorithm (Izzo 2015), batched and compiled with numba.

Reference: D. Izzo, "Revisiting Lambert's problem", Celestial Mechanics and Dynamical
Astronomy 121 (2015) 1-15. The time of flight is written in Lancaster-Blanchard's
variable ``x`` with the geometry parameter ``lambda``; ``T(x)`` is solved with
Householder's third-order iteration from Izzo's initial guesses. Two additions make the
solver robust in batch use:

* every Householder step is safeguarded by a bracket on which ``T(x)`` is monotonic
  (``(-1, inf)`` for zero revolutions, ``(-1, x_Tmin)`` and ``(x_Tmin, 1)`` for the two
  branches of ``M`` revolutions), falling back to bisection when a step leaves it, so
  extreme times of flight converge instead of diverging;
* the transfer-plane normal is re-orthogonalised against ``r1``, so transfers within
  micro-radians of 180 degrees keep ``r2`` in the plane to rounding; at exactly 180 (or 0)
  degrees the plane is taken as the one containing ``r1`` and closest to the reference
  direction ``h_ref`` (the ICRF pole by default; porkchops pass the departure body's
  orbital pole).

Branches: ``revs = M > 0`` has two solutions when the time of flight exceeds the
minimum for ``M`` revolutions. ``low_path=True`` selects the right branch (``x > x_Tmin``,
the solution with the larger ``x``, same convention as lamberthub and poliastro's
``izzo``), ``low_path=False`` the left one.

Which call to use
-----------------
* :func:`lambert` for a problem that must have a solution: it returns NaN-free
  ``(v1, v2)`` and raises :class:`~msrsim.errors.NoSolutionError` if any element has no
  solution (e.g. a time of flight below the minimum for ``revs`` revolutions).
* :func:`lambert_batch` for grids and Monte Carlo batches where some elements may have no
  solution: it returns ``(v1, v2, ok)``; velocities of elements with ``ok == False`` are
  set to 0 (never NaN) and must be ignored.

Units are whatever the caller uses consistently (km, s, km^3/s^2 by the names here).
"""

from __future__ import annotations

import math

import numba
import numpy as np
from numba import prange

from ..errors import ConfigError, NoSolutionError

_PI = math.pi
_MAX_ITER = 60
# Below this |r1 x r2| / (|r1||r2|) (about 2e-13 rad) the plane is taken from h_ref:
# the cross product no longer defines a direction better than rounding does.
_PLANE_EPS = 2e-13


@numba.njit(cache=True, error_model="numpy")
def _hyp2f1b(z):
    """Hypergeometric 2F1(3, 1; 5/2; z) by its series (Battin's form near x = 1)."""
    s = 1.0
    c = 1.0
    j = 0
    while j < 200:
        c = c * (3.0 + j) * (1.0 + j) / (2.5 + j) * z / (j + 1.0)
        s += c
        if abs(c) < 1e-16 * abs(s):
            break
        j += 1
    return s


@numba.njit(cache=True, error_model="numpy")
def _x2tof(x, lam, m):
    """Non-dimensional time of flight T(x) for ``m`` revolutions (Izzo 2015 eq. 18-20)."""
    dist = abs(x - 1.0)
    if 0.01 <= dist < 0.2:
        # Lagrange's form: accurate where Lancaster's loses digits near x = 1
        a = 1.0 / (1.0 - x * x)
        if a > 0.0:
            alfa = 2.0 * math.acos(x)
            beta = 2.0 * math.asin(math.sqrt(lam * lam / a))
            if lam < 0.0:
                beta = -beta
            return a * math.sqrt(a) * ((alfa - math.sin(alfa)) - (beta - math.sin(beta))
                                       + 2.0 * _PI * m) / 2.0
        alfa = 2.0 * math.acosh(x)
        beta = 2.0 * math.asinh(math.sqrt(-lam * lam / a))
        if lam < 0.0:
            beta = -beta
        return -a * math.sqrt(-a) * ((beta - math.sinh(beta)) - (alfa - math.sinh(alfa))) / 2.0
    k = lam * lam
    e = x * x - 1.0
    rho = abs(e)
    z = math.sqrt(1.0 + k * e)
    if dist < 0.01:
        # Battin's series around the parabola x = 1
        eta = z - lam * x
        s1 = 0.5 * (1.0 - lam - x * eta)
        q = 4.0 / 3.0 * _hyp2f1b(s1)
        t = (eta * eta * eta * q + 4.0 * lam * eta) / 2.0
        if m > 0:
            t += m * _PI / rho ** 1.5
        return t
    y = math.sqrt(rho)
    g = x * z - lam * e
    if e < 0.0:
        d = m * _PI + math.acos(min(1.0, max(-1.0, g)))
    else:
        f = y * (z - lam * x)
        d = math.log(f + g)
    return (x - lam * z - d / y) / e


@numba.njit(cache=True, error_model="numpy")
def _dtdx(x, t, lam):
    """First three derivatives of T(x) (Izzo 2015 eq. 22)."""
    l2 = lam * lam
    l3 = l2 * lam
    umx2 = 1.0 - x * x
    y = math.sqrt(1.0 - l2 * umx2)
    y2 = y * y
    y3 = y2 * y
    d1 = (3.0 * t * x - 2.0 + 2.0 * l3 * x / y) / umx2
    d2 = (3.0 * t + 5.0 * x * d1 + 2.0 * (1.0 - l2) * l3 / y3) / umx2
    d3 = (7.0 * x * d2 + 8.0 * d1 - 6.0 * (1.0 - l2) * l2 * l3 * x / (y3 * y2)) / umx2
    return d1, d2, d3


@numba.njit(cache=True, error_model="numpy")
def _tmin(lam, m):
    """Location and value of the minimum of T(x) for ``m >= 1`` revolutions (Halley)."""
    if lam == 1.0:
        x = 0.0
        return x, _x2tof(x, lam, m)
    x = 0.0
    t = _x2tof(x, lam, m)
    for _ in range(_MAX_ITER):
        d1, d2, d3 = _dtdx(x, t, lam)
        den = d2 * d2 - d1 * d3 / 2.0
        if den == 0.0:
            break
        xn = x - d1 * d2 / den
        if not (-1.0 < xn < 1.0):
            xn = 0.5 * (x + (1.0 if xn >= 1.0 else -1.0))
        done = abs(xn - x) < 1e-14
        x = xn
        t = _x2tof(x, lam, m)
        if done:
            break
    return x, t


@numba.njit(cache=True, error_model="numpy")
def _householder(x, t_target, lam, m, lo, hi, increasing):
    """Householder iteration on T(x) = t_target kept inside the bracket (lo, hi).

    ``increasing`` tells whether T grows with x on the bracket. Returns (x, ok).
    """
    for _ in range(_MAX_ITER):
        t = _x2tof(x, lam, m)
        f = t - t_target
        if f == 0.0:
            return x, True
        # shrink the bracket with the sign of f
        if (f > 0.0) == increasing:
            hi = x
        else:
            lo = x
        d1, d2, d3 = _dtdx(x, t, lam)
        den = d1 * (d1 * d1 - f * d2) + d3 * f * f / 6.0
        xn = x
        if den != 0.0:
            xn = x - f * (d1 * d1 - f * d2 / 2.0) / den
        # cubic convergence: a step this small leaves an error far below rounding
        if math.isfinite(xn) and abs(xn - x) <= 1e-13 * (1.0 + abs(x)):
            return xn, True
        if lo < xn < hi and math.isfinite(xn):
            pass
        elif math.isinf(hi):
            xn = x + 1.0 + abs(x)
        else:
            xn = 0.5 * (lo + hi)
            if (hi - lo) <= 1e-15 * (1.0 + abs(lo)):
                return xn, True
        x = xn
    t = _x2tof(x, lam, m)
    return x, abs(t - t_target) <= 1e-12 * t_target


@numba.njit(cache=True, error_model="numpy")
def _find_x(lam, t, m, low_path):
    """Solve T(x) = t on the requested branch. Returns (x, ok)."""
    if m == 0:
        t00 = math.acos(lam) + lam * math.sqrt(1.0 - lam * lam)
        t1 = 2.0 / 3.0 * (1.0 - lam * lam * lam)
        if t >= t00:
            x0 = (t00 / t) ** (2.0 / 3.0) - 1.0
        elif t < t1:
            x0 = 2.5 * t1 / t * (t1 - t) / (1.0 - lam ** 5) + 1.0
        else:
            x0 = (t00 / t) ** (math.log(t1 / t00) / math.log(2.0)) - 1.0
        if not (x0 > -1.0) or not math.isfinite(x0):
            x0 = 0.0
        return _householder(x0, t, lam, 0, -1.0, math.inf, False)
    xm, tm = _tmin(lam, m)
    if t < tm * (1.0 - 1e-14):
        return xm, False
    if t <= tm * (1.0 + 1e-14):
        return xm, True
    if low_path:
        tmp = (8.0 * t / (m * _PI)) ** (2.0 / 3.0)
        x0 = (tmp - 1.0) / (tmp + 1.0)
        if not (xm < x0 < 1.0):
            x0 = 0.5 * (xm + 1.0)
        return _householder(x0, t, lam, m, xm, 1.0, True)
    tmp = ((m * _PI + _PI) / (8.0 * t)) ** (2.0 / 3.0)
    x0 = (tmp - 1.0) / (tmp + 1.0)
    if not (-1.0 < x0 < xm):
        x0 = 0.5 * (xm - 1.0)
    return _householder(x0, t, lam, m, -1.0, xm, False)


@numba.njit(cache=True, error_model="numpy")
def solve_one(r1x, r1y, r1z, r2x, r2y, r2z, tof, mu, m, prograde, low_path, hx, hy, hz):
    """One Lambert problem; returns (v1x, v1y, v1z, v2x, v2y, v2z, ok).

    ``(hx, hy, hz)`` is the reference pole: the transfer is prograde when its angular
    momentum has a positive component along it; at exactly 0 or 180 degrees the plane is
    the one containing r1 closest to this pole.
    """
    bad = (0.0, 0.0, 0.0, 0.0, 0.0, 0.0, False)
    if not (tof > 0.0) or not (mu > 0.0) or m < 0:
        return bad
    r1n = math.sqrt(r1x * r1x + r1y * r1y + r1z * r1z)
    r2n = math.sqrt(r2x * r2x + r2y * r2y + r2z * r2z)
    if not (r1n > 0.0) or not (r2n > 0.0) or not math.isfinite(r1n + r2n + tof):
        return bad
    cx, cy, cz = r2x - r1x, r2y - r1y, r2z - r1z
    c = math.sqrt(cx * cx + cy * cy + cz * cz)
    s = 0.5 * (r1n + r2n + c)
    i1x, i1y, i1z = r1x / r1n, r1y / r1n, r1z / r1n
    i2x, i2y, i2z = r2x / r2n, r2y / r2n, r2z / r2n
    nx = i1y * i2z - i1z * i2y
    ny = i1z * i2x - i1x * i2z
    nz = i1x * i2y - i1y * i2x
    nn = math.sqrt(nx * nx + ny * ny + nz * nz)
    if nn < _PLANE_EPS:
        dot12 = i1x * i2x + i1y * i2y + i1z * i2z
        if dot12 > 0.0:
            return bad  # r1 and r2 aligned: a 0-degree (or 360-degree) transfer is degenerate
        # 180 degrees: the plane through r1 closest to the reference pole
        nx, ny, nz = hx, hy, hz
        d = nx * i1x + ny * i1y + nz * i1z
        nx, ny, nz = nx - d * i1x, ny - d * i1y, nz - d * i1z
        nn = math.sqrt(nx * nx + ny * ny + nz * nz)
        if nn < 1e-8:  # pole along r1: any plane will do; take one through an axis
            ax, ay, az = (1.0, 0.0, 0.0) if abs(i1x) < 0.9 else (0.0, 1.0, 0.0)
            nx = i1y * az - i1z * ay
            ny = i1z * ax - i1x * az
            nz = i1x * ay - i1y * ax
            nn = math.sqrt(nx * nx + ny * ny + nz * nz)
    else:
        # re-orthogonalise: keeps r2 in the plane to rounding near 180 degrees
        d = nx * i1x + ny * i1y + nz * i1z
        nx, ny, nz = nx - d * i1x, ny - d * i1y, nz - d * i1z
        nn = math.sqrt(nx * nx + ny * ny + nz * nz)
    nx, ny, nz = nx / nn, ny / nn, nz / nn
    # lambda = sqrt(r1 r2) cos(theta/2) / s (= sqrt(1 - c/s)); |i1 + i2| = 2 cos(theta/2)
    # keeps its digits near 180 degrees where 1 - c/s cancels to zero
    sx, sy, sz = i1x + i2x, i1y + i2y, i1z + i2z
    lam = min(1.0, math.sqrt(r1n * r2n) * math.sqrt(sx * sx + sy * sy + sz * sz) / (2.0 * s))
    # t1 = n x i1, t2 = n x i2 for motion in the +n sense
    t1x = ny * i1z - nz * i1y
    t1y = nz * i1x - nx * i1z
    t1z = nx * i1y - ny * i1x
    t2x = ny * i2z - nz * i2y
    t2y = nz * i2x - nx * i2z
    t2z = nx * i2y - ny * i2x
    along = nx * hx + ny * hy + nz * hz
    # motion in +n is prograde iff n points along the pole; otherwise the transfer goes the
    # long way round (angle > 180 deg), which Izzo encodes as lambda < 0 with reversed tangents
    reverse = (along < 0.0) == prograde
    if reverse:
        lam = -lam
        t1x, t1y, t1z = -t1x, -t1y, -t1z
        t2x, t2y, t2z = -t2x, -t2y, -t2z
    t2n = math.sqrt(t2x * t2x + t2y * t2y + t2z * t2z)
    t2x, t2y, t2z = t2x / t2n, t2y / t2n, t2z / t2n
    t_nd = math.sqrt(2.0 * mu / (s * s * s)) * tof
    x, ok = _find_x(lam, t_nd, m, low_path)
    if not ok:
        return bad
    gamma = math.sqrt(mu * s / 2.0)
    rho = (r1n - r2n) / c
    sigma = math.sqrt(max(0.0, 1.0 - rho * rho))
    y = math.sqrt(1.0 - lam * lam + lam * lam * x * x)
    vr1 = gamma * ((lam * y - x) - rho * (lam * y + x)) / r1n
    vr2 = -gamma * ((lam * y - x) + rho * (lam * y + x)) / r2n
    vt = gamma * sigma * (y + lam * x)
    vt1 = vt / r1n
    vt2 = vt / r2n
    return (vr1 * i1x + vt1 * t1x, vr1 * i1y + vt1 * t1y, vr1 * i1z + vt1 * t1z,
            vr2 * i2x + vt2 * t2x, vr2 * i2y + vt2 * t2y, vr2 * i2z + vt2 * t2z, True)


@numba.njit(cache=True, parallel=True, error_model="numpy")
def _lambert_flat(r1, r2, tof, mu, m, prograde, low_path, href, v1, v2, ok):
    n = tof.shape[0]
    for i in prange(n):
        a = solve_one(r1[i, 0], r1[i, 1], r1[i, 2], r2[i, 0], r2[i, 1], r2[i, 2], tof[i], mu[i],
                      m, prograde, low_path, href[0], href[1], href[2])
        v1[i, 0] = a[0]
        v1[i, 1] = a[1]
        v1[i, 2] = a[2]
        v2[i, 0] = a[3]
        v2[i, 1] = a[4]
        v2[i, 2] = a[5]
        ok[i] = a[6]


@numba.njit(cache=True, parallel=True, error_model="numpy")
def porkchop_kernel(rd, vd, ra, va, td, ta, mu, pole, min_tof_s, tof_out, c3_out, vinf_d_out,
                    vinf_a_out, dla_out, rla_out, type_out, valid_out, vd_vec_out, va_vec_out):
    """Fill porkchop arrays for departures (N) x arrivals (M) in one compiled call.

    ``rd, vd`` (N, 3) are the departure body's states, ``ra, va`` (M, 3) the arrival
    body's, ``td`` (N,) and ``ta`` (M,) the epochs (s), ``pole`` the prograde reference
    direction. Zero-revolution prograde transfers; cells with ``tof < min_tof_s`` or no
    solution get ``valid = False``, NaN in the float outputs and type 0. Angles in
    degrees from the ICRF equator (DLA) and equinox (RLA, in [0, 360)).
    """
    n = td.shape[0]
    m = ta.shape[0]
    nan = math.nan
    deg = 180.0 / math.pi
    for i in prange(n):
        for j in range(m):
            tof = ta[j] - td[i]
            tof_out[i, j] = tof
            ok = False
            if tof >= min_tof_s:
                a = solve_one(rd[i, 0], rd[i, 1], rd[i, 2], ra[j, 0], ra[j, 1], ra[j, 2], tof, mu,
                              0, True, True, pole[0], pole[1], pole[2])
                ok = a[6]
            if not ok:
                c3_out[i, j] = nan
                vinf_d_out[i, j] = nan
                vinf_a_out[i, j] = nan
                dla_out[i, j] = nan
                rla_out[i, j] = nan
                type_out[i, j] = 0
                valid_out[i, j] = False
                for k in range(3):
                    vd_vec_out[i, j, k] = nan
                    va_vec_out[i, j, k] = nan
                continue
            dx = a[0] - vd[i, 0]
            dy = a[1] - vd[i, 1]
            dz = a[2] - vd[i, 2]
            c3 = dx * dx + dy * dy + dz * dz
            vinf = math.sqrt(c3)
            ex = a[3] - va[j, 0]
            ey = a[4] - va[j, 1]
            ez = a[5] - va[j, 2]
            c3_out[i, j] = c3
            vinf_d_out[i, j] = vinf
            vinf_a_out[i, j] = math.sqrt(ex * ex + ey * ey + ez * ez)
            dla_out[i, j] = math.asin(min(1.0, max(-1.0, dz / vinf))) * deg if vinf > 0 else 0.0
            rla = math.atan2(dy, dx) * deg
            rla_out[i, j] = rla + 360.0 if rla < 0.0 else rla
            vd_vec_out[i, j, 0] = dx
            vd_vec_out[i, j, 1] = dy
            vd_vec_out[i, j, 2] = dz
            va_vec_out[i, j, 0] = ex
            va_vec_out[i, j, 1] = ey
            va_vec_out[i, j, 2] = ez
            # Type I below 180 degrees of prograde transfer angle, Type II above
            hx = rd[i, 1] * ra[j, 2] - rd[i, 2] * ra[j, 1]
            hy = rd[i, 2] * ra[j, 0] - rd[i, 0] * ra[j, 2]
            hz = rd[i, 0] * ra[j, 1] - rd[i, 1] * ra[j, 0]
            type_out[i, j] = 1 if hx * pole[0] + hy * pole[1] + hz * pole[2] >= 0.0 else 2
            valid_out[i, j] = True


def _prepare(r1_km, r2_km, tof_s, mu_km3_s2, revs):
    r1 = np.asarray(r1_km, dtype=float)
    r2 = np.asarray(r2_km, dtype=float)
    tof = np.asarray(tof_s, dtype=float)
    mu = np.asarray(mu_km3_s2, dtype=float)
    for name, arr in (("r1_km", r1), ("r2_km", r2)):
        if arr.ndim == 0 or arr.shape[-1] != 3:
            raise ConfigError(f"{name} has shape {arr.shape}; expected (..., 3) position vectors")
        if not np.all(np.isfinite(arr)):
            raise ConfigError(f"{name} contains a non-finite value; expected finite km")
        if np.any(np.einsum("...i,...i->...", arr, arr) == 0.0):
            raise ConfigError(f"{name} contains a zero vector; expected a non-zero position in km")
    if not np.all(np.isfinite(tof)) or np.any(tof <= 0.0):
        bad = tof[~(np.isfinite(tof) & (tof > 0.0))].flat[0]
        raise ConfigError(f"tof_s={float(bad)!r} is not allowed; time of flight must be finite and > 0 s")
    if not np.all(np.isfinite(mu)) or np.any(mu <= 0.0):
        bad = mu[~(np.isfinite(mu) & (mu > 0.0))].flat[0]
        raise ConfigError(f"mu_km3_s2={float(bad)!r} is not allowed; must be finite and > 0 km^3/s^2")
    if isinstance(revs, bool) or not isinstance(revs, int | np.integer) or revs < 0:
        raise ConfigError(f"revs={revs!r} is not allowed; expected an integer >= 0")
    try:
        shape = np.broadcast_shapes(r1.shape[:-1], r2.shape[:-1], tof.shape, mu.shape)
    except ValueError:
        raise ConfigError(
            f"r1_km {r1.shape}, r2_km {r2.shape}, tof_s {tof.shape} and mu_km3_s2 {mu.shape} "
            "do not broadcast; leading axes must be compatible"
        ) from None
    n = int(np.prod(shape))
    r1f = np.ascontiguousarray(np.broadcast_to(r1, shape + (3,)).reshape(n, 3))
    r2f = np.ascontiguousarray(np.broadcast_to(r2, shape + (3,)).reshape(n, 3))
    tf = np.ascontiguousarray(np.broadcast_to(tof, shape).reshape(n))
    muf = np.ascontiguousarray(np.broadcast_to(mu, shape).reshape(n))
    return shape, r1f, r2f, tf, muf


def lambert_batch(r1_km, r2_km, tof_s, mu_km3_s2, revs=0, prograde=True, low_path=True,
                  pole=(0.0, 0.0, 1.0)):
    """Solve many Lambert problems at once, reporting which have a solution.

    Parameters
    ----------
    r1_km, r2_km : array_like, shape (..., 3)
        Initial and final positions, km.
    tof_s : array_like, shape (...)
        Time of flight, s (> 0).
    mu_km3_s2 : float or array_like, shape (...)
        Gravitational parameter of the central body, km^3/s^2.
    revs : int
        Number of complete revolutions M >= 0.
    prograde : bool
        Transfer angular momentum along ``pole`` (True) or against it.
    low_path : bool
        For ``revs > 0``: the right branch (larger Lancaster ``x``) if True, else the left.
    pole : array_like, shape (3,)
        Reference direction defining "prograde" (default the ICRF z axis).

    Returns
    -------
    v1_km_s, v2_km_s : numpy.ndarray, shape (..., 3)
        Velocities at r1 and r2, km/s; 0 where ``ok`` is False (never NaN).
    ok : numpy.ndarray of bool, shape (...)
        True where a solution exists (False e.g. when ``tof_s`` is below the minimum
        time of flight for ``revs`` revolutions).
    """
    shape, r1f, r2f, tf, muf = _prepare(r1_km, r2_km, tof_s, mu_km3_s2, revs)
    href = np.asarray(pole, dtype=float).reshape(3)
    href = href / np.linalg.norm(href)
    n = tf.shape[0]
    v1 = np.empty((n, 3))
    v2 = np.empty((n, 3))
    ok = np.empty(n, dtype=np.bool_)
    _lambert_flat(r1f, r2f, tf, muf, int(revs), bool(prograde), bool(low_path), href, v1, v2, ok)
    return v1.reshape(shape + (3,)), v2.reshape(shape + (3,)), ok.reshape(shape)


def lambert(r1_km, r2_km, tof_s, mu_km3_s2, revs=0, prograde=True, low_path=True):
    """Velocities of the conic through r1 and r2 with the given time of flight (Izzo 2015).

    Broadcasts over leading axes. Raises rather than returning a partial result: use
    :func:`lambert_batch` when some elements of a batch may have no solution.

    Parameters
    ----------
    r1_km, r2_km : array_like, shape (..., 3)
        Initial and final positions, km.
    tof_s : float or array_like, shape (...)
        Time of flight, s (> 0).
    mu_km3_s2 : float or array_like
        Gravitational parameter of the central body, km^3/s^2.
    revs : int, optional
        Number of complete revolutions (default 0).
    prograde : bool, optional
        Prograde (angular momentum with positive z, ICRF) if True, retrograde otherwise.
    low_path : bool, optional
        For ``revs > 0``, which of the two solutions: the right branch of ``T(x)`` (larger
        ``x``) if True, the left otherwise. Ignored for ``revs == 0``.

    Returns
    -------
    v1_km_s, v2_km_s : numpy.ndarray, shape (..., 3)
        Velocity at r1 (departure) and at r2 (arrival), km/s.

    Raises
    ------
    ConfigError
        Malformed input (shapes, non-positive time of flight or mu, negative revs).
    NoSolutionError
        No solution for at least one element (e.g. tof below the ``revs``-revolution
        minimum, or r1 and r2 parallel).
    """
    v1, v2, ok = lambert_batch(r1_km, r2_km, tof_s, mu_km3_s2, revs, prograde, low_path)
    if not np.all(ok):
        nbad = int(np.size(ok) - np.count_nonzero(ok))
        if np.ndim(ok) == 0:
            raise NoSolutionError(
                f"no Lambert solution with revs={revs} for tof_s={float(np.asarray(tof_s).flat[0])!r}: "
                "the time of flight is below the minimum for that many revolutions or the "
                "geometry is degenerate (r1 parallel to r2); try fewer revs"
            )
        first = tuple(int(i) for i in np.argwhere(~ok)[0])
        raise NoSolutionError(
            f"no Lambert solution with revs={revs} for {nbad} of {ok.size} elements (first at index "
            f"{first}); use lambert_batch for a mask of solvable elements"
        )
    return v1, v2


def minimum_tof_s(r1_km, r2_km, mu_km3_s2, revs, prograde=True):
    """Minimum time of flight for ``revs >= 1`` complete revolutions, s.

    Parameters
    ----------
    r1_km, r2_km : array_like, shape (3,)
        Positions, km.
    mu_km3_s2 : float
        Gravitational parameter, km^3/s^2.
    revs : int
        Number of revolutions, >= 1.
    prograde : bool
        Sense of motion about the ICRF z axis.
    """
    if isinstance(revs, bool) or not isinstance(revs, int | np.integer) or revs < 1:
        raise ConfigError(f"revs={revs!r} is not allowed; expected an integer >= 1")
    r1 = np.asarray(r1_km, dtype=float).reshape(3)
    r2 = np.asarray(r2_km, dtype=float).reshape(3)
    r1n, r2n = np.linalg.norm(r1), np.linalg.norm(r2)
    c = np.linalg.norm(r2 - r1)
    s = 0.5 * (r1n + r2n + c)
    lam = math.sqrt(max(0.0, 1.0 - c / s))
    h = np.cross(r1, r2)
    if (h[2] < 0.0) == prograde:
        lam = -lam
    _, t = _tmin(lam, int(revs))
    return float(t / math.sqrt(2.0 * mu_km3_s2 / s**3))


__all__ = ["lambert", "lambert_batch", "minimum_tof_s", "porkchop_kernel", "solve_one"]
