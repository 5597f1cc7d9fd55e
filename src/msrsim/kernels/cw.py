"""Clohessy–Wiltshire (Hill) relative motion about a circular orbit, closed form, batched.

Frame (the target's local vertical / local horizontal, "Hill" frame): ``x`` radial outward,
``y`` along-track (direction of the target's velocity), ``z`` along the orbit normal. The
target moves on a circular orbit of mean motion ``n`` (rad/s). Units of position and
velocity are the caller's (m and m/s by the names here); times in s.

Closed-form solution (Clohessy & Wiltshire, J. Aerospace Sci. 27(9), 1960; in this axis
order as in Curtis, *Orbital Mechanics for Engineering Students*, §7.4, and Fehse,
*Automated Rendezvous and Docking of Spacecraft*, 2003, §3.3), with s = sin nt,
c = cos nt::

    x  = (4 - 3c) x0 + s/n vx0 + 2(1 - c)/n vy0
    y  = 6(s - nt) x0 + y0 + 2(c - 1)/n vx0 + (4s - 3nt)/n vy0
    z  = c z0 + s/n vz0
    vx = 3 n s x0 + c vx0 + 2 s vy0
    vy = 6 n (c - 1) x0 - 2 s vx0 + (4c - 3) vy0
    vz = -n s z0 + c vz0

Every function broadcasts over leading axes (states ``(..., 3)``, times ``(...)``) and is
compiled with numba over the flattened batch.
"""

from __future__ import annotations

import math

import numba
import numpy as np

from ..errors import NoSolutionError


@numba.njit(cache=True, inline="always")
def _stm_blocks(n, t):
    """The four 3x3 blocks (rr, rv, vr, vv) of the CW state-transition matrix."""
    s = math.sin(n * t)
    c = math.cos(n * t)
    nt = n * t
    rr = np.zeros((3, 3))
    rv = np.zeros((3, 3))
    vr = np.zeros((3, 3))
    vv = np.zeros((3, 3))
    rr[0, 0] = 4.0 - 3.0 * c
    rr[1, 0] = 6.0 * (s - nt)
    rr[1, 1] = 1.0
    rr[2, 2] = c
    rv[0, 0] = s / n
    rv[0, 1] = 2.0 * (1.0 - c) / n
    rv[1, 0] = 2.0 * (c - 1.0) / n
    rv[1, 1] = (4.0 * s - 3.0 * nt) / n
    rv[2, 2] = s / n
    vr[0, 0] = 3.0 * n * s
    vr[1, 0] = 6.0 * n * (c - 1.0)
    vr[2, 2] = -n * s
    vv[0, 0] = c
    vv[0, 1] = 2.0 * s
    vv[1, 0] = -2.0 * s
    vv[1, 1] = 4.0 * c - 3.0
    vv[2, 2] = c
    return rr, rv, vr, vv


@numba.njit(cache=True)
def _propagate_flat(r0, v0, t, n, r_out, v_out):
    for k in range(r0.shape[0]):
        rr, rv, vr, vv = _stm_blocks(n[k], t[k])
        for i in range(3):
            a = 0.0
            b = 0.0
            for j in range(3):
                a += rr[i, j] * r0[k, j] + rv[i, j] * v0[k, j]
                b += vr[i, j] * r0[k, j] + vv[i, j] * v0[k, j]
            r_out[k, i] = a
            v_out[k, i] = b


@numba.njit(cache=True)
def _two_impulse_flat(r0, v0, rf, vf, t, n, dv1, dv2, ok):
    for k in range(r0.shape[0]):
        nk = n[k]
        nt = nk * t[k]
        s = math.sin(nt)
        c = math.cos(nt)
        rr, rv, vr, vv = _stm_blocks(nk, t[k])
        # in-plane: solve the 2x2 block of rv; det * n^2 = 8(1 - c) - 3 nt s, zero only at
        # whole revolutions (nt = 2 pi m)
        det = (8.0 * (1.0 - c) - 3.0 * nt * s) / (nk * nk)
        bx = rf[k, 0] - (rr[0, 0] * r0[k, 0])
        by = rf[k, 1] - (rr[1, 0] * r0[k, 0] + rr[1, 1] * r0[k, 1])
        bz = rf[k, 2] - rr[2, 2] * r0[k, 2]
        good = abs(det) * nk * nk > 1e-10 and t[k] > 0.0
        vp = np.empty(3)
        if good:
            vp[0] = (rv[1, 1] * bx - rv[0, 1] * by) / det
            vp[1] = (-rv[1, 0] * bx + rv[0, 0] * by) / det
            # out-of-plane: z = c z0 + s/n vz0 is singular at half revolutions; then only
            # a target already on the natural z oscillation is reachable (no z impulse)
            if abs(s) > 1e-9:
                vp[2] = bz * nk / s
            else:
                scale = max(abs(r0[k, 2]), abs(rf[k, 2]), 1.0)
                if abs(bz) <= 1e-9 * scale:
                    vp[2] = v0[k, 2]
                else:
                    good = False
        if not good:
            ok[k] = False
            for i in range(3):
                dv1[k, i] = 0.0
                dv2[k, i] = 0.0
            continue
        for i in range(3):
            dv1[k, i] = vp[i] - v0[k, i]
            vminus = 0.0
            for j in range(3):
                vminus += vr[i, j] * r0[k, j] + vv[i, j] * vp[j]
            dv2[k, i] = vf[k, i] - vminus
        ok[k] = True


def _flatten(shape, *arrays):
    out = []
    for a, vec in arrays:
        a = np.asarray(a, dtype=float)
        full = shape + ((3,) if vec else ())
        out.append(np.ascontiguousarray(np.broadcast_to(a, full).reshape((-1, 3) if vec else (-1,))))
    return out


def mean_motion_rad_s(radius_m, mu_m3_s2):
    """Mean motion of a circular orbit, rad/s: n = sqrt(mu / r^3).

    Parameters
    ----------
    radius_m : float or array_like
        Orbit radius, m.
    mu_m3_s2 : float
        Gravitational parameter, m^3/s^2.
    """
    return np.sqrt(mu_m3_s2 / np.asarray(radius_m, dtype=float) ** 3)


def cw_propagate(r0_m, v0_m_s, t_s, n_rad_s):
    """Propagate Hill-frame relative states with the CW closed form.

    Parameters
    ----------
    r0_m : array_like, shape (..., 3)
        Relative position (x radial, y along-track, z normal), m.
    v0_m_s : array_like, shape (..., 3)
        Relative velocity in the rotating Hill frame, m/s.
    t_s : array_like, shape (...)
        Time since the initial state, s.
    n_rad_s : float or array_like, shape (...)
        Target's mean motion, rad/s.

    Returns
    -------
    r_m, v_m_s : numpy.ndarray, shape (..., 3)
    """
    r0 = np.asarray(r0_m, dtype=float)
    v0 = np.asarray(v0_m_s, dtype=float)
    shape = np.broadcast_shapes(r0.shape[:-1], v0.shape[:-1], np.shape(t_s), np.shape(n_rad_s))
    rb, vb, tb, nb = _flatten(shape, (r0, True), (v0, True), (t_s, False), (n_rad_s, False))
    r_out = np.empty_like(rb)
    v_out = np.empty_like(vb)
    _propagate_flat(rb, vb, tb, nb, r_out, v_out)
    return r_out.reshape(shape + (3,)), v_out.reshape(shape + (3,))


def cw_two_impulse(r0_m, v0_m_s, rf_m, vf_m_s, tof_s, n_rad_s, strict=True):
    """Two-impulse CW transfer from (r0, v0) to (rf, vf) in time ``tof_s``.

    The first impulse puts the chaser on the CW arc through ``rf`` at ``tof_s``; the
    second matches ``vf`` there (``vf = 0`` to stop at a hold point or to rendezvous).

    Parameters
    ----------
    r0_m, v0_m_s : array_like, shape (..., 3)
        Relative state before the first impulse, m and m/s.
    rf_m, vf_m_s : array_like, shape (..., 3)
        Required relative state after the second impulse, m and m/s.
    tof_s : array_like, shape (...)
        Transfer time, s (> 0; whole orbital periods are singular for the radial and
        normal directions).
    n_rad_s : float or array_like
        Target's mean motion, rad/s.
    strict : bool
        If True, raise :class:`~msrsim.errors.NoSolutionError` when any element is
        singular; if False, return ``ok`` with zero impulses where singular.

    Returns
    -------
    dv1_m_s, dv2_m_s : numpy.ndarray, shape (..., 3)
        The two impulse vectors in the Hill frame, m/s.
    ok : numpy.ndarray of bool, shape (...)
        Only when ``strict`` is False.
    """
    r0 = np.asarray(r0_m, dtype=float)
    v0 = np.asarray(v0_m_s, dtype=float)
    rf = np.asarray(rf_m, dtype=float)
    vf = np.asarray(vf_m_s, dtype=float)
    shape = np.broadcast_shapes(r0.shape[:-1], v0.shape[:-1], rf.shape[:-1], vf.shape[:-1],
                                np.shape(tof_s), np.shape(n_rad_s))
    r0b, v0b, rfb, vfb, tb, nb = _flatten(shape, (r0, True), (v0, True), (rf, True), (vf, True),
                                          (tof_s, False), (n_rad_s, False))
    dv1 = np.empty_like(r0b)
    dv2 = np.empty_like(r0b)
    ok = np.empty(r0b.shape[0], dtype=np.bool_)
    _two_impulse_flat(r0b, v0b, rfb, vfb, tb, nb, dv1, dv2, ok)
    if strict and not ok.all():
        k = int(np.flatnonzero(~ok)[0])
        raise NoSolutionError(
            f"CW two-impulse transfer is singular for element {k} (tof_s={tb[k]!r}): a whole "
            "number of target orbits, or half orbits with an out-of-plane target; "
            "choose another transfer time")
    shp = shape + (3,)
    if strict:
        return dv1.reshape(shp), dv2.reshape(shp)
    return dv1.reshape(shp), dv2.reshape(shp), ok.reshape(shape)


def inertial_to_hill(r_target, v_target, r_chaser, v_chaser):
    """Relative state of a chaser in the target's Hill frame from inertial states.

    The Hill frame rotates with the target's orbital angular velocity
    ``omega = h / r^2`` (exact for any target orbit; it is the CW frame when the target's
    orbit is circular). Rectilinear (Cartesian) relative coordinates.

    Parameters
    ----------
    r_target, v_target, r_chaser, v_chaser : array_like, shape (..., 3)
        Inertial positions and velocities (consistent units).

    Returns
    -------
    rho, rho_dot : numpy.ndarray, shape (..., 3)
        Relative position and velocity seen in the rotating Hill frame (x radial, y
        along-track, z normal).
    """
    rt = np.asarray(r_target, dtype=float)
    vt = np.asarray(v_target, dtype=float)
    h = np.cross(rt, vt)
    ex = rt / np.linalg.norm(rt, axis=-1, keepdims=True)
    ez = h / np.linalg.norm(h, axis=-1, keepdims=True)
    ey = np.cross(ez, ex)
    omega = h / np.sum(rt * rt, axis=-1, keepdims=True)
    dr = np.asarray(r_chaser, dtype=float) - rt
    dv = np.asarray(v_chaser, dtype=float) - vt - np.cross(omega, dr)
    m = np.stack([ex, ey, ez], axis=-2)
    return np.einsum("...ij,...j->...i", m, dr), np.einsum("...ij,...j->...i", m, dv)


def hill_to_inertial(r_target, v_target, rho, rho_dot):
    """Inverse of :func:`inertial_to_hill`: chaser inertial state from a Hill-frame state."""
    rt = np.asarray(r_target, dtype=float)
    vt = np.asarray(v_target, dtype=float)
    h = np.cross(rt, vt)
    ex = rt / np.linalg.norm(rt, axis=-1, keepdims=True)
    ez = h / np.linalg.norm(h, axis=-1, keepdims=True)
    ey = np.cross(ez, ex)
    omega = h / np.sum(rt * rt, axis=-1, keepdims=True)
    m = np.stack([ex, ey, ez], axis=-1)  # columns: Hill axes in inertial
    dr = np.einsum("...ij,...j->...i", m, np.asarray(rho, dtype=float))
    dv = np.einsum("...ij,...j->...i", m, np.asarray(rho_dot, dtype=float)) + np.cross(omega, dr)
    return rt + dr, vt + dv
