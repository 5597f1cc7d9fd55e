"""Compiled low-thrust leg: piecewise-constant thrust segments, RK4 with variational equations.

A leg of ``N`` equal segments carries one thrust vector per segment, held fixed in the
inertial frame over the segment (a zero-order hold, the control of a Sims-Flanagan
transcription, but integrated as continuous thrust instead of lumped into midpoint
impulses). The state ``y = (r, v, m)`` obeys::

    r' = v
    v' = -mu r / |r|^3 + u T(|r|, t) / m
    m' = -|u| T(|r|, t) / c

with ``|u| <= 1`` the throttle, ``T`` the thrust available at full throttle and ``c`` the
exhaust velocity. Everything is non-dimensional here (mu = 1; the caller scales): length
``L``, speed ``sqrt(mu / L)``, mass ``m0``.

``T`` is either constant (``prm[0] == 0``) or the solar-electric law (``prm[0] == 1``)::

    P(d, t) = P1 (1 - delta)^(years since departure) / d^k - P_bus,   d in AU
    T = T_cap duty smin(P / P_cap, 1)

where ``smin(a, 1) = (a + 1 - sqrt((a - 1)^2 + eps^2)) / 2`` is a smooth minimum so that
gradients exist where the engines reach their power ceiling (``eps`` sets the rounding, the
thrust is at most ``eps / 2`` of T_cap below the sharp minimum there), and ``T = 0`` once
``P <= 0``. The parameter vector ``prm`` is laid out by :func:`thrust_parameters`.

Integration: fixed-step classical RK4, ``nsub`` steps per segment. With the Jacobian, the
7x7 state-transition matrix and the 7x3 control sensitivity of each segment are integrated
alongside (variational equations) and chained backwards to give the derivatives of the
final state with respect to every segment's thrust vector and to the initial state.
"""

from __future__ import annotations

import math

import numba
import numpy as np

#: Layout of the thrust-parameter vector ``prm``.
PRM_SIZE = 10


def thrust_parameters(*, solar: bool, tmax_nd: float, c_nd: float, p1_rel: float = 1.0,
                      pbus_rel: float = 0.0, power_exponent: float = 2.0, degradation_per_year: float = 0.0,
                      length_au: float = 1.0, years_per_time_unit: float = 0.0, eps: float = 0.01,
                      t0_nd: float = 0.0) -> np.ndarray:
    """Pack the non-dimensional thrust model into the kernel's ``prm`` vector.

    Parameters
    ----------
    solar : bool
        Solar-electric law (True) or constant thrust (False).
    tmax_nd : float
        Thrust at full throttle and full power (times the duty cycle) divided by ``m0`` and
        by the unit acceleration ``mu / L^2``.
    c_nd : float
        Exhaust velocity over the unit speed ``sqrt(mu / L)``.
    p1_rel, pbus_rel : float
        Array power at 1 AU and bus power, over the engines' power ceiling.
    power_exponent : float
        ``k`` of the ``1 / d^k`` array law.
    degradation_per_year : float
        Fractional array power lost per year.
    length_au : float
        The length unit ``L`` in AU.
    years_per_time_unit : float
        Julian years per non-dimensional time unit.
    eps : float
        Rounding of the power ceiling (see module docstring).
    t0_nd : float
        Non-dimensional time of the leg's start since departure (degradation clock).
    """
    return np.array([1.0 if solar else 0.0, tmax_nd, c_nd, p1_rel, pbus_rel, power_exponent,
                     degradation_per_year, length_au, years_per_time_unit, eps], dtype=float)


@numba.njit(cache=True)
def thrust_available(rn, t, prm):
    """Full-throttle thrust over ``m0`` (non-dimensional) at radius ``rn``, and d/dr of it."""
    tmax = prm[1]
    if prm[0] == 0.0:
        return tmax, 0.0
    d = rn * prm[7]
    k = prm[5]
    p1 = prm[3]
    if prm[6] > 0.0:
        p1 = p1 * (1.0 - prm[6]) ** (t * prm[8])
    a = p1 / d ** k - prm[4]
    if a <= 0.0:
        return 0.0, 0.0
    da_dr = -k * p1 / d ** (k + 1.0) * prm[7]
    eps = prm[9]
    s = math.sqrt((a - 1.0) * (a - 1.0) + eps * eps)
    f = 0.5 * (a + 1.0 - s)
    if f <= 0.0:
        return 0.0, 0.0
    df_da = 0.5 * (1.0 - (a - 1.0) / s)
    return tmax * f, tmax * df_da * da_dr


@numba.njit(cache=True)
def _rhs(t, y, u, prm, dy):
    x, yy, z = y[0], y[1], y[2]
    rn = math.sqrt(x * x + yy * yy + z * z)
    r3 = rn * rn * rn
    g, _ = thrust_available(rn, t, prm)
    m = y[6]
    dy[0] = y[3]
    dy[1] = y[4]
    dy[2] = y[5]
    dy[3] = -x / r3 + u[0] * g / m
    dy[4] = -yy / r3 + u[1] * g / m
    dy[5] = -z / r3 + u[2] * g / m
    un = math.sqrt(u[0] * u[0] + u[1] * u[1] + u[2] * u[2])
    dy[6] = -un * g / prm[2]


@numba.njit(cache=True)
def _rhs_var(t, ya, u, prm, dya, a_mat, fu):
    """Derivative of the augmented state (y 7, Phi 7x7 row-major, B 7x3 row-major)."""
    x, yy, z = ya[0], ya[1], ya[2]
    rn = math.sqrt(x * x + yy * yy + z * z)
    r3 = rn * rn * rn
    r5 = r3 * rn * rn
    g, dg = thrust_available(rn, t, prm)
    m = ya[6]
    c = prm[2]
    un = math.sqrt(u[0] * u[0] + u[1] * u[1] + u[2] * u[2])
    dya[0] = ya[3]
    dya[1] = ya[4]
    dya[2] = ya[5]
    dya[3] = -x / r3 + u[0] * g / m
    dya[4] = -yy / r3 + u[1] * g / m
    dya[5] = -z / r3 + u[2] * g / m
    dya[6] = -un * g / c
    for i in range(7):
        for j in range(7):
            a_mat[i, j] = 0.0
        for j in range(3):
            fu[i, j] = 0.0
    a_mat[0, 3] = 1.0
    a_mat[1, 4] = 1.0
    a_mat[2, 5] = 1.0
    rv = (x, yy, z)
    for i in range(3):
        for j in range(3):
            gij = 3.0 * rv[i] * rv[j] / r5
            if i == j:
                gij -= 1.0 / r3
            a_mat[3 + i, j] = gij + u[i] * dg * rv[j] / (rn * m)
        a_mat[3 + i, 6] = -u[i] * g / (m * m)
        fu[3 + i, i] = g / m
    for j in range(3):
        a_mat[6, j] = -un * dg * rv[j] / (rn * c)
        if un > 0.0:
            fu[6, j] = -g / c * u[j] / un
    # Phi' = A Phi, B' = A B + Fu
    for i in range(7):
        for j in range(7):
            s = 0.0
            for k in range(7):
                s += a_mat[i, k] * ya[7 + 7 * k + j]
            dya[7 + 7 * i + j] = s
        for j in range(3):
            s = fu[i, j]
            for k in range(7):
                s += a_mat[i, k] * ya[56 + 3 * k + j]
            dya[56 + 3 * i + j] = s


@numba.njit(cache=True)
def propagate_leg(y0, u, t0, dt, nsub, prm, want_jac, y_nodes, jac):
    """Integrate a leg of ``N = u.shape[0]`` segments of length ``dt`` from ``y0`` at ``t0``.

    Parameters
    ----------
    y0 : ndarray (7,)
        Initial r, v, m (non-dimensional).
    u : ndarray (N, 3)
        Thrust vector of each segment, |u| <= 1 (not enforced here).
    t0, dt : float
        Start time and segment length (non-dimensional; ``dt < 0`` integrates backwards).
    nsub : int
        RK4 steps per segment.
    prm : ndarray
        Thrust model (:func:`thrust_parameters`).
    want_jac : bool
        Also compute ``jac``.
    y_nodes : ndarray (N + 1, 7), output
        State at every segment boundary.
    jac : ndarray (7, 3 N + 7), output
        d y_final / d u (columns ``3 i .. 3 i + 2`` for segment ``i``) and d y_final / d y0
        (last 7 columns); untouched unless ``want_jac``.
    """
    n = u.shape[0]
    h = dt / nsub
    for j in range(7):
        y_nodes[0, j] = y0[j]
    if not want_jac:
        y = y0.copy()
        k1 = np.empty(7)
        k2 = np.empty(7)
        k3 = np.empty(7)
        k4 = np.empty(7)
        tmp = np.empty(7)
        t = t0
        for i in range(n):
            ui = u[i]
            for _ in range(nsub):
                _rhs(t, y, ui, prm, k1)
                for j in range(7):
                    tmp[j] = y[j] + 0.5 * h * k1[j]
                _rhs(t + 0.5 * h, tmp, ui, prm, k2)
                for j in range(7):
                    tmp[j] = y[j] + 0.5 * h * k2[j]
                _rhs(t + 0.5 * h, tmp, ui, prm, k3)
                for j in range(7):
                    tmp[j] = y[j] + h * k3[j]
                _rhs(t + h, tmp, ui, prm, k4)
                for j in range(7):
                    y[j] += h / 6.0 * (k1[j] + 2.0 * k2[j] + 2.0 * k3[j] + k4[j])
                t += h
            for j in range(7):
                y_nodes[i + 1, j] = y[j]
        return
    na = 77
    ya = np.empty(na)
    k1 = np.empty(na)
    k2 = np.empty(na)
    k3 = np.empty(na)
    k4 = np.empty(na)
    tmp = np.empty(na)
    a_mat = np.empty((7, 7))
    fu = np.empty((7, 3))
    phis = np.empty((n, 7, 7))
    bs = np.empty((n, 7, 3))
    for j in range(7):
        ya[j] = y0[j]
    t = t0
    for i in range(n):
        ui = u[i]
        for j in range(7, na):
            ya[j] = 0.0
        for j in range(7):
            ya[7 + 8 * j] = 1.0
        for _ in range(nsub):
            _rhs_var(t, ya, ui, prm, k1, a_mat, fu)
            for j in range(na):
                tmp[j] = ya[j] + 0.5 * h * k1[j]
            _rhs_var(t + 0.5 * h, tmp, ui, prm, k2, a_mat, fu)
            for j in range(na):
                tmp[j] = ya[j] + 0.5 * h * k2[j]
            _rhs_var(t + 0.5 * h, tmp, ui, prm, k3, a_mat, fu)
            for j in range(na):
                tmp[j] = ya[j] + h * k3[j]
            _rhs_var(t + h, tmp, ui, prm, k4, a_mat, fu)
            for j in range(na):
                ya[j] += h / 6.0 * (k1[j] + 2.0 * k2[j] + 2.0 * k3[j] + k4[j])
            t += h
        for j in range(7):
            y_nodes[i + 1, j] = ya[j]
            for k in range(7):
                phis[i, j, k] = ya[7 + 7 * j + k]
            for k in range(3):
                bs[i, j, k] = ya[56 + 3 * j + k]
    # chain backwards: P = Phi_{N-1} ... Phi_{i+1}
    p = np.eye(7)
    q = np.empty((7, 7))
    for i in range(n - 1, -1, -1):
        for a in range(7):
            for b in range(3):
                s = 0.0
                for k in range(7):
                    s += p[a, k] * bs[i, k, b]
                jac[a, 3 * i + b] = s
        for a in range(7):
            for b in range(7):
                s = 0.0
                for k in range(7):
                    s += p[a, k] * phis[i, k, b]
                q[a, b] = s
        p[:, :] = q
    for a in range(7):
        for b in range(7):
            jac[a, 3 * n + b] = p[a, b]


@numba.njit(cache=True)
def dense_leg(y0, u, t0, dt, nsub, prm, out):
    """The states of :func:`propagate_leg` at every RK4 step: ``out`` (N nsub + 1, 8) rows
    t, r, v, m."""
    n = u.shape[0]
    h = dt / nsub
    y = y0.copy()
    k1 = np.empty(7)
    k2 = np.empty(7)
    k3 = np.empty(7)
    k4 = np.empty(7)
    tmp = np.empty(7)
    t = t0
    out[0, 0] = t
    out[0, 1:] = y
    row = 1
    for i in range(n):
        ui = u[i]
        for _ in range(nsub):
            _rhs(t, y, ui, prm, k1)
            for j in range(7):
                tmp[j] = y[j] + 0.5 * h * k1[j]
            _rhs(t + 0.5 * h, tmp, ui, prm, k2)
            for j in range(7):
                tmp[j] = y[j] + 0.5 * h * k2[j]
            _rhs(t + 0.5 * h, tmp, ui, prm, k3)
            for j in range(7):
                tmp[j] = y[j] + h * k3[j]
            _rhs(t + h, tmp, ui, prm, k4)
            for j in range(7):
                y[j] += h / 6.0 * (k1[j] + 2.0 * k2[j] + 2.0 * k3[j] + k4[j])
            t += h
            out[row, 0] = t
            out[row, 1:] = y
            row += 1
