"""Low-thrust spirals: Edelbaum's closed form and a batched Cartesian simulation (numba).

Edelbaum (ARS Journal 31(8), 1961) for a transfer between circular orbits of speeds
``v0``, ``v1`` with a plane change ``di`` at constant acceleration, the out-of-plane
steering angle held constant on each revolution and switched in sign at the antinodes::

    dv^2 = v0^2 - 2 v0 v1 cos(pi di / 2) + v1^2
    tan beta(t) = v0 sin beta0 / (v0 cos beta0 - f t),
    tan beta0 = sin(pi di / 2) / (v0 / v1 - cos(pi di / 2))

(Kechichian, JGCD 20(4), 1997, gives the same law in this form.) The simulation integrates
the full equations of motion (point mass + J2, mass flow, thrust switched off in the
planet's cylindrical shadow) with the steering angle scheduled on the accumulated
velocity change ``f t -> dv_acc``, so that eclipses and the mass decrease are handled
consistently. Cartesian states in the planet's equator frame, m, m/s, kg, s.
"""

from __future__ import annotations

import math

import numba
import numpy as np

from .geodesy import gravity_j2


def edelbaum_dv_m_s(v0_m_s, v1_m_s, delta_inc_rad):
    """Edelbaum velocity change between circular orbits with a plane change, m/s.

    Parameters
    ----------
    v0_m_s, v1_m_s : array_like
        Circular speeds of the initial and final orbits, m/s.
    delta_inc_rad : array_like
        Plane change, rad.
    """
    v0 = np.asarray(v0_m_s, dtype=float)
    v1 = np.asarray(v1_m_s, dtype=float)
    c = np.cos(0.5 * np.pi * np.abs(np.asarray(delta_inc_rad, dtype=float)))
    return np.sqrt(np.maximum(v0 * v0 - 2.0 * v0 * v1 * c + v1 * v1, 0.0))


def edelbaum_beta0_rad(v0_m_s, v1_m_s, delta_inc_rad):
    """Initial out-of-plane steering angle of Edelbaum's law, rad (0..pi)."""
    v0 = np.asarray(v0_m_s, dtype=float)
    v1 = np.asarray(v1_m_s, dtype=float)
    x = 0.5 * np.pi * np.abs(np.asarray(delta_inc_rad, dtype=float))
    return np.arctan2(np.sin(x), v0 / v1 - np.cos(x)) % np.pi


def constant_thrust_burn_time_s(dv_m_s, mass0_kg, thrust_n, isp_s, g0_m_s2=9.80665):
    """Time to deliver ``dv`` at constant thrust and mass flow (rocket equation), s.

    t = m0 (1 - exp(-dv / (g0 Isp))) / mdot, mdot = F / (g0 Isp).
    """
    ve = g0_m_s2 * np.asarray(isp_s, dtype=float)
    mdot = np.asarray(thrust_n, dtype=float) / ve
    return np.asarray(mass0_kg, dtype=float) * -np.expm1(-np.asarray(dv_m_s, dtype=float) / ve) / mdot


@numba.njit(cache=True, inline="always")
def _in_shadow(x, y, z, sx, sy, sz, r_body):
    d = x * sx + y * sy + z * sz
    if d >= 0.0:
        return False
    px = x - d * sx
    py = y - d * sy
    pz = z - d * sz
    return px * px + py * py + pz * pz < r_body * r_body


@numba.njit(cache=True)
def _inplane_dir(a, e, cosnu, sinnu, r, hn, mu, rp_t, ra_t):
    """Unit in-plane thrust (fr, ft) moving (rp, ra) toward (rp_t, ra_t), and its rate.

    Damped least squares on Gauss's equations: f = -M^T (M M^T + lam I)^-1 d, with M the
    sensitivities of (rp, ra) to (fr, ft) and d = (rp - rp_t, ra - ra_t). The rate is the
    decrease of |d| per unit acceleration along f (m/s per m/s^2).
    """
    p = hn * hn / mu
    da_fr = 2.0 * a * a / hn * e * sinnu
    da_ft = 2.0 * a * a / hn * p / r
    de_fr = p * sinnu / hn
    de_ft = ((p + r) * cosnu + r * e) / hn
    p_r = (1.0 - e) * da_fr - a * de_fr
    p_t = (1.0 - e) * da_ft - a * de_ft
    q_r = (1.0 + e) * da_fr + a * de_fr
    q_t = (1.0 + e) * da_ft + a * de_ft
    d_p = a * (1.0 - e) - rp_t
    d_a = a * (1.0 + e) - ra_t
    m11 = p_r * p_r + p_t * p_t
    m12 = p_r * q_r + p_t * q_t
    m22 = q_r * q_r + q_t * q_t
    lam = 1e-3 * (m11 + m22)
    det = (m11 + lam) * (m22 + lam) - m12 * m12
    y1 = ((m22 + lam) * d_p - m12 * d_a) / det
    y2 = (-m12 * d_p + (m11 + lam) * d_a) / det
    g_r = p_r * y1 + q_r * y2
    g_t = p_t * y1 + q_t * y2
    gn = math.sqrt(g_r * g_r + g_t * g_t)
    if gn == 0.0:
        return 0.0, 0.0, 0.0
    fr = -g_r / gn
    ft = -g_t / gn
    dn = math.sqrt(d_p * d_p + d_a * d_a)
    if dn == 0.0:
        return fr, ft, 0.0
    rate = -(d_p * (p_r * fr + p_t * ft) + d_a * (q_r * fr + q_t * ft)) / dn
    return fr, ft, rate


@numba.njit(cache=True)
def _best_rate(a, e, hn, mu, rp_t, ra_t, nsample):
    """Largest in-plane rate of :func:`_inplane_dir` over one revolution (sampled)."""
    p = hn * hn / mu
    best = 0.0
    for k in range(nsample):
        nu = 2.0 * math.pi * k / nsample
        c = math.cos(nu)
        sn = math.sin(nu)
        r = p / (1.0 + e * c)
        _, _, rate = _inplane_dir(a, e, c, sn, r, hn, mu, rp_t, ra_t)
        if rate > best:
            best = rate
    return best


@numba.njit(cache=True)
def _deriv(t, s, mu, r_eq, j2, thrust, mdot, mode, rp_t, ra_t, i_t, v0, beta0, dinc_sign, sun0,
           sun_axis, sun_rate, eclipses, eta_cut, rate_max):
    """Derivative of (x, y, z, vx, vy, vz, m, dv_acc).

    ``mode`` 0: thrust along +-velocity tilted out of plane by Edelbaum's angle beta
    (scheduled on dv_acc), the sign of the normal component switched at the antinodes.
    ``mode`` 1: the in-plane direction is the damped least-squares solution of Gauss's
    equations for periapsis and apoapsis radius that moves (rp, ra) straight toward
    (rp_t, ra_t) (at the apses, where only one of them is controllable, it moves that
    one), tilted out of plane by |beta| until the inclination reaches ``i_t``. This
    lowers a capture ellipse's apoapsis without dragging periapsis into the atmosphere.
    """
    x, y, z, vx, vy, vz, m = s[0], s[1], s[2], s[3], s[4], s[5], s[6]
    ax, ay, az = gravity_j2(x, y, z, mu, r_eq, j2)
    on = thrust > 0.0
    if on and eclipses:
        # Sun direction rotates about sun_axis at sun_rate (Rodrigues)
        ang = sun_rate * t
        ca = math.cos(ang)
        sa = math.sin(ang)
        kx, ky, kz = sun_axis[0], sun_axis[1], sun_axis[2]
        s0x, s0y, s0z = sun0[0], sun0[1], sun0[2]
        kd = kx * s0x + ky * s0y + kz * s0z
        cx = ky * s0z - kz * s0y
        cy = kz * s0x - kx * s0z
        cz = kx * s0y - ky * s0x
        sx = s0x * ca + cx * sa + kx * kd * (1.0 - ca)
        sy = s0y * ca + cy * sa + ky * kd * (1.0 - ca)
        sz = s0z * ca + cz * sa + kz * kd * (1.0 - ca)
        if _in_shadow(x, y, z, sx, sy, sz, r_eq):
            on = False
    out = np.empty(8)
    out[0] = vx
    out[1] = vy
    out[2] = vz
    if not on:
        out[3] = ax
        out[4] = ay
        out[5] = az
        out[6] = 0.0
        out[7] = 0.0
        return out
    acc = thrust / m
    dv_acc = s[7]
    beta = math.atan2(v0 * math.sin(beta0), v0 * math.cos(beta0) - dv_acc)
    r = math.sqrt(x * x + y * y + z * z)
    vn = math.sqrt(vx * vx + vy * vy + vz * vz)
    hx = y * vz - z * vy
    hy = z * vx - x * vz
    hz = x * vy - y * vx
    hn = math.sqrt(hx * hx + hy * hy + hz * hz)
    # argument of latitude from the ascending node on the equator: cos u = r . n / (r |n|)
    nx = -hy
    ny = hx
    nn = math.sqrt(nx * nx + ny * ny)
    if nn > 1e-12 * hn:
        cosu = (x * nx + y * ny) / nn
    else:
        cosu = x
    sgn = 1.0 if cosu >= 0.0 else -1.0
    sb = math.sin(beta)
    if mode == 1:
        inc = math.acos(min(1.0, max(-1.0, hz / hn)))
        if (inc - i_t) * dinc_sign <= 0.0:
            sb = 0.0
        cb_mag = math.sqrt(max(0.0, 1.0 - sb * sb))
    # reduce inclination (dinc_sign > 0): normal thrust along -h on the ascending half
    wn = -dinc_sign * sgn * sb / hn
    if mode == 0:
        cb = math.cos(beta) / vn
        dx = cb * vx + wn * hx
        dy = cb * vy + wn * hy
        dz = cb * vz + wn * hz
    else:
        # Gauss's equations for a and e with radial (fr) and transverse (ft) thrust
        rdotv = x * vx + y * vy + z * vz
        a = 1.0 / (2.0 / r - vn * vn / mu)
        ex = ((vn * vn - mu / r) * x - rdotv * vx) / mu
        ey = ((vn * vn - mu / r) * y - rdotv * vy) / mu
        ez = ((vn * vn - mu / r) * z - rdotv * vz) / mu
        e = math.sqrt(ex * ex + ey * ey + ez * ez)
        if e > 1e-9:
            cosnu = (ex * x + ey * y + ez * z) / (e * r)
            sinnu = rdotv * hn / (mu * e * r)
        else:
            cosnu = 1.0
            sinnu = 0.0
        fr, ft, rate = _inplane_dir(a, e, cosnu, sinnu, r, hn, mu, rp_t, ra_t)
        if rate < eta_cut * rate_max:
            # coast where thrusting does little for the target (effectivity cut-off)
            out[3] = ax
            out[4] = ay
            out[5] = az
            out[6] = 0.0
            out[7] = 0.0
            return out
        # unit radial and transverse directions
        rx, ry, rz = x / r, y / r, z / r
        tx = (hy * rz - hz * ry) / hn
        ty = (hz * rx - hx * rz) / hn
        tz = (hx * ry - hy * rx) / hn
        cr = cb_mag * fr
        ct = cb_mag * ft
        dx = cr * rx + ct * tx + wn * hx
        dy = cr * ry + ct * ty + wn * hy
        dz = cr * rz + ct * tz + wn * hz
    out[3] = ax + acc * dx
    out[4] = ay + acc * dy
    out[5] = az + acc * dz
    out[6] = -mdot
    out[7] = acc
    return out


@numba.njit(cache=True)
def spiral_one(r0, v0vec, m0, thrust, mdot, mode, rp_t, ra_t, i_t, raise_orbit, v0_circ, beta0,
               dinc_sign, mu, r_eq, j2, sun0, sun_axis, sun_rate, eclipses, steps_per_rev,
               t_max, tol_m, eta_cut, hist_every, hist):
    """Integrate one thrusting spiral with RK4 until the target orbit is reached.

    Mode 0 stops when the semi-major axis crosses ``(rp_t + ra_t) / 2`` (from above when
    lowering, from below when ``raise_orbit``); mode 1 when periapsis and apoapsis radii are
    both within ``tol_m`` of their targets. The step is ``(2 pi / steps_per_rev)
    sqrt(r^3 / mu)`` (finer at periapsis). With ``thrust == 0`` this is a plain point-mass
    + J2 propagator run for ``t_max``.

    Returns
    -------
    (t, state(8), reached, shadow_time, n_hist)
        ``state`` = x, y, z, vx, vy, vz, m, dv_acc; ``hist`` rows are
        t, x, y, z, vx, vy, vz, m, dv_acc, recorded every ``hist_every`` steps.
    """
    s = np.empty(8)
    for i in range(3):
        s[i] = r0[i]
        s[3 + i] = v0vec[i]
    s[6] = m0
    s[7] = 0.0
    t = 0.0
    step = 0
    nh = 0
    shadow_t = 0.0
    reached = False
    hmax = hist.shape[0]
    a_target = 0.5 * (rp_t + ra_t)
    if hmax > 0:
        hist[0, 0] = t
        for i in range(8):
            hist[0, 1 + i] = s[i]
        nh = 1
    while t < t_max:
        r = math.sqrt(s[0] * s[0] + s[1] * s[1] + s[2] * s[2])
        vv = s[3] * s[3] + s[4] * s[4] + s[5] * s[5]
        a = 1.0 / (2.0 / r - vv / mu)
        if thrust > 0.0:
            if mode == 0:
                if (raise_orbit and a >= a_target) or ((not raise_orbit) and 0.0 < a <= a_target):
                    reached = True
                    break
            elif a > 0.0:
                hx = s[1] * s[5] - s[2] * s[4]
                hy = s[2] * s[3] - s[0] * s[5]
                hz = s[0] * s[4] - s[1] * s[3]
                e = math.sqrt(max(0.0, 1.0 - (hx * hx + hy * hy + hz * hz) / (mu * a)))
                if abs(a * (1.0 - e) - rp_t) < tol_m and abs(a * (1.0 + e) - ra_t) < tol_m:
                    reached = True
                    break
        if s[6] <= 0.0 or r < r_eq:
            break
        rate_max = 0.0
        if mode == 1 and thrust > 0.0 and a > 0.0:
            hx = s[1] * s[5] - s[2] * s[4]
            hy = s[2] * s[3] - s[0] * s[5]
            hz = s[0] * s[4] - s[1] * s[3]
            hn = math.sqrt(hx * hx + hy * hy + hz * hz)
            e = math.sqrt(max(0.0, 1.0 - hn * hn / (mu * a)))
            rate_max = _best_rate(a, e, hn, mu, rp_t, ra_t, 24)
        dt = 2.0 * math.pi / steps_per_rev * math.sqrt(r * r * r / mu)
        if t + dt > t_max:
            dt = t_max - t
        k1 = _deriv(t, s, mu, r_eq, j2, thrust, mdot, mode, rp_t, ra_t, i_t, v0_circ, beta0,
                    dinc_sign, sun0, sun_axis, sun_rate, eclipses, eta_cut, rate_max)
        k2 = _deriv(t + 0.5 * dt, s + 0.5 * dt * k1, mu, r_eq, j2, thrust, mdot, mode, rp_t, ra_t,
                    i_t, v0_circ, beta0, dinc_sign, sun0, sun_axis, sun_rate, eclipses, eta_cut, rate_max)
        k3 = _deriv(t + 0.5 * dt, s + 0.5 * dt * k2, mu, r_eq, j2, thrust, mdot, mode, rp_t, ra_t,
                    i_t, v0_circ, beta0, dinc_sign, sun0, sun_axis, sun_rate, eclipses, eta_cut, rate_max)
        k4 = _deriv(t + dt, s + dt * k3, mu, r_eq, j2, thrust, mdot, mode, rp_t, ra_t, i_t,
                    v0_circ, beta0, dinc_sign, sun0, sun_axis, sun_rate, eclipses, eta_cut, rate_max)
        if thrust > 0.0 and k1[7] == 0.0:
            shadow_t += dt
        s = s + dt / 6.0 * (k1 + 2.0 * k2 + 2.0 * k3 + k4)
        t += dt
        step += 1
        if hmax > 0 and step % hist_every == 0 and nh < hmax:
            hist[nh, 0] = t
            for i in range(8):
                hist[nh, 1 + i] = s[i]
            nh += 1
    return t, s, reached, shadow_t, nh


@numba.njit(cache=True, parallel=True)
def spiral_batch(r0, v0vec, m0, thrust, mdot, mode, rp_t, ra_t, i_t, raise_orbit, v0_circ, beta0,
                 dinc_sign, mu, r_eq, j2, sun0, sun_axis, sun_rate, eclipses, steps_per_rev,
                 t_max, tol_m, eta_cut, t_out, state_out, reached_out, shadow_out):
    """:func:`spiral_one` over a flat batch (leading axis of every per-case array)."""
    for k in numba.prange(r0.shape[0]):
        hist = np.empty((0, 9))
        t, s, ok, sh, _ = spiral_one(r0[k], v0vec[k], m0[k], thrust[k], mdot[k], mode[k],
                                     rp_t[k], ra_t[k], i_t[k], raise_orbit[k], v0_circ[k],
                                     beta0[k], dinc_sign[k], mu, r_eq, j2, sun0, sun_axis,
                                     sun_rate, eclipses, steps_per_rev, t_max, tol_m, eta_cut, 1,
                                     hist)
        t_out[k] = t
        for i in range(8):
            state_out[k, i] = s[i]
        reached_out[k] = ok
        shadow_out[k] = sh
