"""Batched continuation of minimum-propellant low-thrust legs on their optimality conditions.

The leg is the one of :mod:`msrsim.kernels.lowthrust_leg` (``N`` equal segments, one
inertial thrust vector ``u_i = s_i d_i`` per segment, ``0 <= s_i <= 1``, ``|d_i| = 1``, plus a
launch excess velocity ``w`` with ``|w| <= w_max``), non-dimensional (mu = 1, mass unit m0).

Optimality (first-order, KKT) conditions of the transcribed problem. Let ``sigma`` be the
gradient of the Lagrangian with respect to the final state ``y_f = (r, v, m)``, scaled so
that its mass component is -1 (``sigma = (sigma6, -1)``). Split the sensitivity of the
final state to segment ``i`` into ``A_i`` (7x3, to the thrust vector at a fixed mass flow)
and ``b_i`` (7, to the throttle through the mass flow): ``dy_f/du_i = A_i + b_i d_i^T``.
Stationarity in the direction and the throttle of each segment then gives::

    a_i = A_i^T sigma,   d_i = -a_i / |a_i|,   rho_i = |a_i| / (b_i . sigma)
    s_i = 1 where rho_i > 1 (thrust), 0 where rho_i < 1 (coast)

(the primer vector and the switching function of the discrete problem), and for the
launch v∞ ``w = -w_max g / |g|`` with ``g = (dy_f/dy0)[:, 3:6]^T sigma``. The throttle is
smoothed, ``s = (1 + tanh((rho - 1) / eps)) / 2``, so that these conditions are a smooth
system in the 6 unknowns ``sigma6``, closed by 6 equations:

* mode 0 (rendezvous): ``r_f = r_t``, ``v_f = v_t``;
* mode 1 (mass after an impulsive chemical capture at arrival v∞ ``w_a = v_f - v_t``):
  ``r_f = r_t`` and ``sigma_v = (m_f / c_chem) w_a / sqrt(|w_a|^2 + 2 mu_p / r_p)`` (the
  derivative of the capture's rocket equation);
* mode 2 (final mass with the arrival v∞ bound active): ``r_f = r_t`` and
  ``w_a = vinf_max sigma_v / |sigma_v|``.

Solution: a sequence of linearisations. Each outer iteration propagates the current
control with the split variational equations (exact ``A_i``, ``b_i``, ``dy_f/dy0``), then
solves the 6 conditions on the model ``y_f + sum A_i (u_i' - u_i) + b_i (s_i' - s_i) + ...``
by damped Newton in ``sigma6`` (cheap: no propagation) and flies the new control. A leg has
converged when the flown control meets the end conditions and reproduces itself. Warm
started from a neighbouring leg's ``sigma6`` and control (a porkchop cell's neighbour),
it needs a few propagations; :func:`solve_cells` runs many legs in parallel.
"""

from __future__ import annotations

import math

import numba
import numpy as np
from numba import prange

from .lowthrust_leg import thrust_available

#: Status codes of :func:`solve_cells`.
CONVERGED, NOT_CONVERGED, DIVERGED = 0, 1, 2


@numba.njit(cache=True)
def _rhs_split(t, ya, u, un, prm, dya, a_mat):
    """Derivative of (y 7, Phi 7x7, Aseg 7x3, bseg 7) under a fixed thrust vector ``u``."""
    x, yy, z = ya[0], ya[1], ya[2]
    rn = math.sqrt(x * x + yy * yy + z * z)
    r3 = rn * rn * rn
    r5 = r3 * rn * rn
    g, dg = thrust_available(rn, t, prm)
    m = ya[6]
    c = prm[2]
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
    for j in range(3):
        a_mat[6, j] = -un * dg * rv[j] / (rn * c)
    # Phi' = A Phi; Aseg' = A Aseg + Fa (Fa[3+i, i] = g/m); bseg' = A bseg + fb (fb[6] = -g/c)
    for i in range(7):
        for j in range(7):
            s = 0.0
            for k in range(7):
                s += a_mat[i, k] * ya[7 + 7 * k + j]
            dya[7 + 7 * i + j] = s
        for j in range(3):
            s = 0.0
            for k in range(7):
                s += a_mat[i, k] * ya[56 + 3 * k + j]
            if i == 3 + j:
                s += g / m
            dya[56 + 3 * i + j] = s
        s = 0.0
        for k in range(7):
            s += a_mat[i, k] * ya[77 + k]
        if i == 6:
            s -= g / c
        dya[77 + i] = s


@numba.njit(cache=True)
def propagate_split(y0, u, t0, dt, nsub, prm, yf, amat, bvec, phi):
    """Fly a leg (RK4, ``nsub`` steps per segment) with its split sensitivities.

    Parameters
    ----------
    y0 : ndarray (7,)
        Initial r, v, m (non-dimensional, launch v∞ included).
    u : ndarray (N, 3)
        Thrust vector of each segment.
    t0, dt : float
        Start and segment length (non-dimensional).
    nsub : int
        RK4 steps per segment.
    prm : ndarray
        Thrust model (:func:`msrsim.kernels.lowthrust_leg.thrust_parameters`).
    yf : ndarray (7,), output
        Final state.
    amat : ndarray (N, 7, 3), output
        d y_f / d u_i at a fixed mass flow (the thrust acceleration only).
    bvec : ndarray (N, 7), output
        d y_f / d s_i through the mass flow (the throttle's propellant use).
    phi : ndarray (7, 7), output
        d y_f / d y0.
    """
    n = u.shape[0]
    h = dt / nsub
    na = 84
    ya = np.empty(na)
    k1 = np.empty(na)
    k2 = np.empty(na)
    k3 = np.empty(na)
    k4 = np.empty(na)
    tmp = np.empty(na)
    a_mat = np.empty((7, 7))
    phis = np.empty((n, 7, 7))
    for j in range(7):
        ya[j] = y0[j]
    t = t0
    for i in range(n):
        ui = u[i]
        un = math.sqrt(ui[0] * ui[0] + ui[1] * ui[1] + ui[2] * ui[2])
        for j in range(7, na):
            ya[j] = 0.0
        for j in range(7):
            ya[7 + 8 * j] = 1.0
        for _ in range(nsub):
            _rhs_split(t, ya, ui, un, prm, k1, a_mat)
            for j in range(na):
                tmp[j] = ya[j] + 0.5 * h * k1[j]
            _rhs_split(t + 0.5 * h, tmp, ui, un, prm, k2, a_mat)
            for j in range(na):
                tmp[j] = ya[j] + 0.5 * h * k2[j]
            _rhs_split(t + 0.5 * h, tmp, ui, un, prm, k3, a_mat)
            for j in range(na):
                tmp[j] = ya[j] + h * k3[j]
            _rhs_split(t + h, tmp, ui, un, prm, k4, a_mat)
            for j in range(na):
                ya[j] += h / 6.0 * (k1[j] + 2.0 * k2[j] + 2.0 * k3[j] + k4[j])
            t += h
        for a in range(7):
            for b in range(7):
                phis[i, a, b] = ya[7 + 7 * a + b]
            for b in range(3):
                amat[i, a, b] = ya[56 + 3 * a + b]
            bvec[i, a] = ya[77 + a]
    for j in range(7):
        yf[j] = ya[j]
    # chain backwards with P = Phi_{N-1} ... Phi_{i+1}
    p = np.eye(7)
    q = np.empty((7, 7))
    seg = np.empty((7, 4))
    for i in range(n - 1, -1, -1):
        for a in range(7):
            for b in range(3):
                s = 0.0
                for k in range(7):
                    s += p[a, k] * amat[i, k, b]
                seg[a, b] = s
            s = 0.0
            for k in range(7):
                s += p[a, k] * bvec[i, k]
            seg[a, 3] = s
        for a in range(7):
            for b in range(3):
                amat[i, a, b] = seg[a, b]
            bvec[i, a] = seg[a, 3]
        for a in range(7):
            for b in range(7):
                s = 0.0
                for k in range(7):
                    s += p[a, k] * phis[i, k, b]
                q[a, b] = s
        p[:, :] = q
    phi[:, :] = p


@numba.njit(cache=True)
def _control_law(sig, amat, bvec, eps, u_out, s_out, du, ds):
    """Control of every segment for multipliers ``sig`` (7, mass component -1), and its
    derivative with respect to ``sig[:6]``: ``du`` (N, 3, 6), ``ds`` (N, 6)."""
    n = amat.shape[0]
    for i in range(n):
        a = np.zeros(3)
        for b in range(3):
            for k in range(7):
                a[b] += amat[i, k, b] * sig[k]
        q = 0.0
        for k in range(7):
            q += bvec[i, k] * sig[k]
        na = math.sqrt(a[0] * a[0] + a[1] * a[1] + a[2] * a[2])
        if na < 1e-300:
            for b in range(3):
                u_out[i, b] = 0.0
                for k in range(6):
                    du[i, b, k] = 0.0
            s_out[i] = 0.0
            for k in range(6):
                ds[i, k] = 0.0
            continue
        ah = a / na
        if q > 1e-300:
            rho = na / q
            th = math.tanh((rho - 1.0) / eps)
            s = 0.5 * (1.0 + th)
            dsdrho = 0.5 * (1.0 - th * th) / eps
        else:
            rho = 0.0
            s = 1.0
            dsdrho = 0.0
        s_out[i] = s
        for b in range(3):
            u_out[i, b] = -s * ah[b]
        for k in range(6):
            # d|a|/dsig_k = ah . A[k, :], dq/dsig_k = b[k]
            dna = 0.0
            for b in range(3):
                dna += ah[b] * amat[i, k, b]
            if q > 1e-300:
                dsk = dsdrho * (dna / q - na * bvec[i, k] / (q * q))
            else:
                dsk = 0.0
            ds[i, k] = dsk
            for b in range(3):
                # d ah_b / dsig_k = (A[k, b] - ah_b dna) / |a|
                dah = (amat[i, k, b] - ah[b] * dna) / na
                du[i, b, k] = -dsk * ah[b] - s * dah


@numba.njit(cache=True)
def _launch_law(sig, phi, wmax, w_out, dw):
    """Launch v∞ ``w = -wmax g/|g|``, ``g = phi[:, 3:6]^T sig``, and dw/dsig[:6] (3, 6)."""
    if wmax <= 0.0:
        for b in range(3):
            w_out[b] = 0.0
            for k in range(6):
                dw[b, k] = 0.0
        return
    g = np.zeros(3)
    for b in range(3):
        for k in range(7):
            g[b] += phi[k, 3 + b] * sig[k]
    ng = math.sqrt(g[0] * g[0] + g[1] * g[1] + g[2] * g[2])
    if ng < 1e-300:
        for b in range(3):
            w_out[b] = 0.0
            for k in range(6):
                dw[b, k] = 0.0
        return
    gh = g / ng
    for b in range(3):
        w_out[b] = -wmax * gh[b]
    for k in range(6):
        dg = 0.0
        for b in range(3):
            dg += gh[b] * phi[k, 3 + b]
        for b in range(3):
            dw[b, k] = -wmax * (phi[k, 3 + b] - gh[b] * dg) / ng


@numba.njit(cache=True)
def _residual(mode, yhat, sig, tgt, cap, res, dres_dy, dres_ds):
    """End conditions (see module docstring): residual (6), d/dy_f (6, 7), d/dsig6 (6, 6)."""
    for i in range(6):
        res[i] = 0.0
        for j in range(7):
            dres_dy[i, j] = 0.0
        for j in range(6):
            dres_ds[i, j] = 0.0
    for i in range(3):
        res[i] = yhat[i] - tgt[i]
        dres_dy[i, i] = 1.0
    if mode == 0:
        for i in range(3):
            res[3 + i] = yhat[3 + i] - tgt[3 + i]
            dres_dy[3 + i, 3 + i] = 1.0
    elif mode == 1:
        # cap = (2 mu_p / r_p, c_chem, vinf_max)
        w = np.empty(3)
        for i in range(3):
            w[i] = yhat[3 + i] - tgt[3 + i]
        sw = math.sqrt(w[0] * w[0] + w[1] * w[1] + w[2] * w[2] + cap[0])
        m = yhat[6]
        cc = cap[1]
        for i in range(3):
            res[3 + i] = sig[3 + i] - m / cc * w[i] / sw
            dres_ds[3 + i, 3 + i] = 1.0
            dres_dy[3 + i, 6] = -w[i] / (cc * sw)
            for j in range(3):
                d = -w[i] * w[j] / sw**3
                if i == j:
                    d += 1.0 / sw
                dres_dy[3 + i, 3 + j] = -m / cc * d
    else:
        sv = np.empty(3)
        for i in range(3):
            sv[i] = sig[3 + i]
        ns = math.sqrt(sv[0] * sv[0] + sv[1] * sv[1] + sv[2] * sv[2])
        if ns < 1e-300:
            ns = 1e-300
        vmax = cap[2]
        for i in range(3):
            res[3 + i] = yhat[3 + i] - tgt[3 + i] - vmax * sv[i] / ns
            dres_dy[3 + i, 3 + i] = 1.0
            for j in range(3):
                d = -sv[i] * sv[j] / ns**2
                if i == j:
                    d += 1.0
                dres_ds[3 + i, 3 + j] = -vmax * d / ns


@numba.njit(cache=True)
def _linear_model(sig6, wv, yf, u, s_now, w_now, amat, bvec, phi, eps, yhat, dy, un, sn, du, ds, want_jac):
    """Final state of the linearised leg under the control law of ``sig6`` and the launch v∞
    ``wv`` (and d/dsig6; d/dw is ``phi[:, 3:6]``)."""
    n = amat.shape[0]
    sig = np.empty(7)
    sig[6] = -1.0
    for k in range(6):
        sig[k] = sig6[k]
    _control_law(sig, amat, bvec, eps, un, sn, du, ds)
    for a in range(7):
        v = yf[a]
        for i in range(n):
            for b in range(3):
                v += amat[i, a, b] * (un[i, b] - u[i, b])
            v += bvec[i, a] * (sn[i] - s_now[i])
        for b in range(3):
            v += phi[a, 3 + b] * (wv[b] - w_now[b])
        yhat[a] = v
    if not want_jac:
        return
    for a in range(7):
        for k in range(6):
            v = 0.0
            for i in range(n):
                for b in range(3):
                    v += amat[i, a, b] * du[i, b, k]
                v += bvec[i, a] * ds[i, k]
            dy[a, k] = v


@numba.njit(cache=True)
def _inner_residual(mode, wmode, z, yf, u, s_now, w_now, amat, bvec, phi, eps, wmax, tgt, cap, scale, wscale,
                    off, rr, jac, want_jac):
    """Scaled residual (9) of the linearised conditions at ``z = (sigma6, w)`` and its
    Jacobian (9, 9). ``wmode``: 0 no launch v∞, 1 interior (gradient in w zero), 2 on the
    bound (``w = -wmax g/|g|``)."""
    n = amat.shape[0]
    un = np.empty((n, 3))
    sn = np.empty(n)
    du = np.empty((n, 3, 6))
    ds = np.empty((n, 6))
    yhat = np.empty(7)
    dy = np.empty((7, 6))
    res = np.empty(6)
    rdy = np.empty((6, 7))
    rds = np.empty((6, 6))
    sig = np.empty(7)
    sig[6] = -1.0
    for k in range(6):
        sig[k] = z[k]
    wv = z[6:9]
    _linear_model(z[:6], wv, yf, u, s_now, w_now, amat, bvec, phi, eps, yhat, dy, un, sn, du, ds, want_jac)
    _residual(mode, yhat, sig, tgt, cap, res, rdy, rds)
    nrm = 0.0
    for r in range(6):
        rr[r] = (res[r] - off[r]) / scale[r]
    g = np.zeros(3)
    for b in range(3):
        for k in range(7):
            g[b] += phi[k, 3 + b] * sig[k]
    wb = np.empty(3)
    dwb = np.zeros((3, 6))
    if wmode == 0:
        for b in range(3):
            rr[6 + b] = wv[b] / wscale
    elif wmode == 1:
        for b in range(3):
            rr[6 + b] = g[b] / wscale
    else:
        _launch_law(sig, phi, wmax, wb, dwb)
        for b in range(3):
            rr[6 + b] = (wv[b] - wb[b]) / wscale
    for r in range(9):
        nrm += rr[r] * rr[r]
    nrm = math.sqrt(nrm)
    if not want_jac:
        return nrm
    for r in range(6):
        for k in range(6):
            v = rds[r, k]
            for a in range(7):
                v += rdy[r, a] * dy[a, k]
            jac[r, k] = v / scale[r]
        for b in range(3):
            v = 0.0
            for a in range(7):
                v += rdy[r, a] * phi[a, 3 + b]
            jac[r, 6 + b] = v / scale[r]
    for b in range(3):
        for k in range(9):
            jac[6 + b, k] = 0.0
        if wmode == 0:
            jac[6 + b, 6 + b] = 1.0 / wscale
        elif wmode == 1:
            for k in range(6):
                jac[6 + b, k] = phi[k, 3 + b] / wscale
        else:
            for k in range(6):
                jac[6 + b, k] = -dwb[b, k] / wscale
            jac[6 + b, 6 + b] = 1.0 / wscale
    return nrm


@numba.njit(cache=True)
def _inner_newton(mode, wmode, z0, yf, u, s_now, w_now, amat, bvec, phi, eps, wmax, tgt, cap, scale, wscale,
                  iters, off):
    """Solve ``conditions = off`` on the linearised leg for ``z = (sigma6, w)``: damped Newton,
    first at the final smoothing from ``z0``, then, if that fails, with the smoothing
    lowered from 0.2 to ``eps`` in steps (the sharp switching of a small ``eps`` can make
    Newton from afar fail)."""
    rr = np.empty(9)
    jac = np.empty((9, 9))
    trial = np.empty(9)
    best = z0.copy()
    best_nrm = np.inf
    for attempt in range(2):
        cur = z0.copy()
        e = eps if attempt == 0 else max(eps, 0.2)
        nrm = np.inf
        while True:
            slow = 0
            last = np.inf
            for _it in range(iters):
                nrm = _inner_residual(mode, wmode, cur, yf, u, s_now, w_now, amat, bvec, phi, e, wmax, tgt,
                                      cap, scale, wscale, off, rr, jac, True)
                if not math.isfinite(nrm) or nrm < 1e-3:
                    break
                # stalled Newton (a fold of the smoothed switching): give up this level
                slow = slow + 1 if nrm > 0.95 * last else 0
                if slow >= 8:
                    break
                last = nrm
                step = np.linalg.lstsq(jac, rr, rcond=1e-14)[0]
                lam = 1.0
                improved = False
                for _ in range(30):
                    for k in range(9):
                        trial[k] = cur[k] - lam * step[k]
                    t = _inner_residual(mode, wmode, trial, yf, u, s_now, w_now, amat, bvec, phi, e, wmax,
                                        tgt, cap, scale, wscale, off, rr, jac, False)
                    if t < nrm:
                        improved = True
                        break
                    lam *= 0.5
                if not improved:
                    break
                cur[:] = trial
            if e <= eps or not math.isfinite(nrm):
                break
            e = max(eps, 0.5 * e)
        if nrm < best_nrm:
            best_nrm = nrm
            best[:] = cur
        if best_nrm < 1e-3:
            break
    return best, best_nrm


@numba.njit(cache=True)
def _inner_solve(mode, z0, yf, u, s_now, w_now, amat, bvec, phi, eps, wmax, tgt, cap, scale, off):
    """:func:`_inner_newton` with the launch v∞ inside its bound if that solves the model
    with ``|w| <= wmax``, else on the bound."""
    if wmax <= 0.0:
        return _inner_newton(mode, 0, z0, yf, u, s_now, w_now, amat, bvec, phi, eps, wmax, tgt, cap, scale,
                             1e-9, 30, off)
    wn = math.sqrt(w_now[0] ** 2 + w_now[1] ** 2 + w_now[2] ** 2)
    order = (1, 2) if wn < 0.999 * wmax else (2, 1)
    best = z0.copy()
    best_nrm = np.inf
    for wmode in order:
        wscale = 1e-6 if wmode == 1 else 1e-6 * wmax
        z, nrm = _inner_newton(mode, wmode, z0, yf, u, s_now, w_now, amat, bvec, phi, eps, wmax, tgt, cap,
                               scale, wscale, 30, off)
        zw = math.sqrt(z[6] ** 2 + z[7] ** 2 + z[8] ** 2)
        if wmode == 1 and zw > wmax * (1.0 + 1e-9):
            continue
        if nrm < best_nrm:
            best_nrm = nrm
            best[:] = z
        if nrm < 1e-3:
            break
    return best, best_nrm


@numba.njit(cache=True)
def solve_leg(mode, y0, tgt, dt, nsub, prm, sig6, u, w, wmax, cap, eps, scale, maxit, tol_u):
    """Continue one leg from ``(sig6, u, w)`` (updated in place) to its optimality conditions.

    Parameters
    ----------
    mode : int
        End conditions (module docstring).
    y0 : ndarray (7,)
        Departure r, v (without the launch v∞) and mass 1.
    tgt : ndarray (6,)
        Target position and velocity.
    dt, nsub, prm
        Segment length, RK4 steps per segment and thrust model.
    sig6, u, w : ndarray (6,), (N, 3), (3,)
        Multipliers, control and launch v∞: the start on entry, the result on return.
    wmax : float
        Largest launch v∞.
    cap : ndarray (3,)
        ``(2 mu_p / r_p, c_chem, vinf_max)`` for modes 1 and 2.
    eps : float
        Throttle smoothing.
    scale : ndarray (6,)
        Residual tolerances: the leg has converged when every ``|res_k| <= scale_k`` on the
        flown control and neither a throttle nor the launch v∞ (over ``wmax``) changes by
        more than ``tol_u`` in the next update.
    maxit : int
        Propagations at most.

    Returns
    -------
    status, iterations, yf
    """
    n = u.shape[0]
    yf = np.empty(7)
    amat = np.empty((n, 7, 3))
    bvec = np.empty((n, 7))
    phi = np.empty((7, 7))
    y0w = y0.copy()
    s_now = np.empty(n)
    res = np.empty(6)
    rdy = np.empty((6, 7))
    rds = np.empty((6, 6))
    sig = np.empty(7)
    sig[6] = -1.0
    unew = np.empty((n, 3))
    snew = np.empty(n)
    du = np.empty((n, 3, 6))
    ds = np.empty((n, 6))
    z0 = np.empty(9)
    off = np.empty(6)
    prev_norm = np.inf
    norm_4_ago = np.inf
    for it in range(maxit):
        for b in range(3):
            y0w[3 + b] = y0[3 + b] + w[b]
        propagate_split(y0w, u, 0.0, dt, nsub, prm, yf, amat, bvec, phi)
        for i in range(n):
            s_now[i] = math.sqrt(u[i, 0] ** 2 + u[i, 1] ** 2 + u[i, 2] ** 2)
        for k in range(6):
            sig[k] = sig6[k]
        _residual(mode, yf, sig, tgt, cap, res, rdy, rds)
        nrm = 0.0
        feas = True
        for k in range(6):
            if not math.isfinite(res[k]):
                return DIVERGED, it + 1, yf
            nrm += (res[k] / scale[k]) ** 2
            if abs(res[k]) > scale[k]:
                feas = False
        nrm = math.sqrt(nrm)
        if it > 3 and nrm > 1e3 * prev_norm:
            return DIVERGED, it + 1, yf
        if it >= 8 and nrm > 0.5 * norm_4_ago:
            # not closing in (each propagation should at least halve the miss by now)
            return NOT_CONVERGED, it + 1, yf
        if it % 4 == 0:
            norm_4_ago = nrm
        prev_norm = min(prev_norm, nrm)
        for k in range(6):
            z0[k] = sig6[k]
        for b in range(3):
            z0[6 + b] = w[b]
        # move the end conditions only part of the way where the linearised leg cannot
        # reach them (a homotopy from the flown trajectory)
        tau = 1.0
        z = z0.copy()
        ok = False
        for _ in range(8):
            for k in range(6):
                off[k] = (1.0 - tau) * res[k]
            z, inner = _inner_solve(mode, z0, yf, u, s_now, w, amat, bvec, phi, eps, wmax, tgt, cap, scale,
                                    off)
            if inner < 1e-2 * max(1.0, (1.0 - tau) * nrm):
                ok = True
                break
            tau *= 0.5
        if not ok:
            return DIVERGED, it + 1, yf
        for k in range(6):
            sig6[k] = z[k]
            sig[k] = z[k]
        _control_law(sig, amat, bvec, eps, unew, snew, du, ds)
        change = 0.0
        for i in range(n):
            for b in range(3):
                change = max(change, abs(unew[i, b] - u[i, b]))
        if wmax > 0.0:
            for b in range(3):
                change = max(change, abs(z[6 + b] - w[b]) / wmax)
        if feas and change <= tol_u:
            # the flown control meets the end conditions and reproduces itself from the
            # sensitivities of its own trajectory (u, w, yf are the flown ones)
            return CONVERGED, it + 1, yf
        for i in range(n):
            for b in range(3):
                u[i, b] = unew[i, b]
        for b in range(3):
            w[b] = z[6 + b]
    return NOT_CONVERGED, maxit, yf


@numba.njit(cache=True, parallel=True)
def solve_cells(mode, y0, tgt, dt, nsub, prm, sig6, u, w, wmax, cap, eps, scale, maxit, tol_u,
                status, iters, yf):
    """:func:`solve_leg` for ``K`` legs in parallel (arrays with a leading axis K; ``sig6``,
    ``u``, ``w`` updated in place; ``status``, ``iters``, ``yf`` written)."""
    for k in prange(y0.shape[0]):
        st, it, y = solve_leg(mode, y0[k], tgt[k], dt[k], nsub[k], prm, sig6[k], u[k], w[k], wmax, cap,
                              eps, scale, maxit, tol_u)
        status[k] = st
        iters[k] = it
        for j in range(7):
            yf[k, j] = y[j]
