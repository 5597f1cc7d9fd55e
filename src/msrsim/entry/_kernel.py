"""Compiled 3-DOF entry integrator over a batch of trajectories (numba).

State, per trajectory: position and velocity in the planet-fixed rotating frame (m, m/s)
plus the integrated stagnation-point heat load (J/m^2): ``y = (x, y, z, vx, vy, vz, Q)``.
Velocity in this frame is relative to the rotating planet; the atmosphere-relative velocity
is that minus the local wind. Equations of motion::

    dv/dt = g_J2(r) + a_aero - 2 w x v - w x (w x r)

Aerodynamics: drag along -v_rel; lift (L/D times drag) perpendicular to v_rel in the plane
turned by the bank angle about v_rel from the local vertical (positive bank: lift to the
right of the velocity). Bank angle: constant magnitude with instantaneous lateral reversals
(``bank-reversal`` mode), or the MSL/Apollo entry terminal point controller (``apollo``
mode): pre-bank until the sensed drag reaches a threshold, range control by bank-magnitude
modulation about a tabulated reference (range-to-go, drag, altitude rate and influence
coefficients versus planet-relative speed) with lateral reversals on a speed-dependent
crossrange corridor, then heading alignment toward the target until parachute deploy. The
apollo guidance runs at a fixed guidance period (integrator steps end on the guidance
ticks) and the bank angle follows the commands through a rate- and acceleration-limited
profile: constant angular acceleration over each guidance period, so the bank angle is a
quadratic polynomial of time inside every step. Integrated with a Dormand-Prince 5(4)
pair, step size controlled per trajectory; events (parachute Mach trigger, terminal
altitude, range-control drag threshold) located by regula falsi (Illinois) on the step
length with fresh steps from the step start. Altitude inside the right-hand side is the
radial height above the ellipsoid (exact at the surface, within metres of the planetodetic
altitude for Mars/Earth flattenings); reported landing points are planetodetic.
"""

from __future__ import annotations

import math

import numba
import numpy as np

from ..kernels.atmosphere_grid import grid_lookup
from ..kernels.geodesy import fixed_to_geodetic, gravity_j2
from ..kernels.interp import bracket, interp1

# Per-trajectory parameter columns
P_MASS, P_AREA, P_CD_SCALE, P_LD, P_BANK, P_RN, P_RHO_SCALE, P_WIND_SCALE, P_CHUTE_CDA, \
    P_TX, P_TY, P_TZ = range(12)
N_P = 12
# Shared scalars
(S_MU, S_REQ, S_FLAT, S_J2, S_OMEGA, S_K_SG, S_RAD_ON, S_MACH_DEPLOY, S_ALT_GROUND,
 S_ALT_TERM_CHUTE, S_RTOL, S_DT_MAX, S_T_MAX, S_ALT_SKIP, S_DEADBAND_S, S_GUIDE_MODE,
 S_G0, S_K_OVER, S_D_START, S_V_HA, S_BANK_RATE, S_BANK_ACC, S_DT_GUIDE, S_HA_BANK_MAX,
 S_HA_GAIN, S_LD_NOM, S_LDV_REF) = range(27)
N_S = 27
# guidance modes
GUIDE_NONE, GUIDE_REVERSAL, GUIDE_APOLLO = 0, 1, 2
# guidance table columns (rows ascending in planet-relative speed)
G_V, G_R, G_D, G_HD, G_F1, G_F2, G_F3, G_CORR = range(8)
N_G = 8
# Output columns
(O_STATUS, O_PEAK_G, O_T_PEAK_G, O_V_PEAK_G, O_PEAK_HEAT, O_PEAK_QDYN, O_HEAT_LOAD,
 O_DEPLOY_T, O_DEPLOY_MACH, O_DEPLOY_QDYN, O_DEPLOY_ALT, O_LAT, O_LON, O_ALT, O_SPEED, O_T_END,
 O_N_STEPS, O_VE, O_VN, O_VU, O_N_REVERSALS, O_PEAK_HEAT_RAD, O_T_RANGE_CONTROL,
 O_T_HEADING_ALIGN, O_MAX_BANK_RATE) = range(25)
N_O = 25
STATUS_LANDED, STATUS_SKIP, STATUS_TIMEOUT = 0, 1, 2
# History columns: t, alt, speed (air-relative), g-load, heat flux, dynamic pressure, lat,
# lon, Mach, bank (rad), planet-relative speed, drag acceleration, altitude rate,
# range-to-go (m), guidance phase, then the state x, y, z, vx, vy, vz
(H_T, H_ALT, H_VREL, H_G, H_HEAT, H_QDYN, H_LAT, H_LON, H_MACH, H_BANK, H_V, H_DRAG, H_RDOT,
 H_RANGE, H_GPHASE, H_X) = range(16)
N_H = 21

# floating-point contraction/reassociation only: NaN and infinity semantics are kept
_FM = {"contract", "reassoc", "arcp", "nsz"}

# Tauber & Sutton (JSR 28(1), 1991) Earth radiative velocity function f(V), W/cm^2, V in m/s.
TS_V = np.array([9000., 9250., 9500., 9750., 10000., 10250., 10500., 10750., 11000., 11500.,
                 12000., 12500., 13000., 13500., 14000., 14500., 15000., 15500., 16000.])
TS_F = np.array([1.5, 4.3, 9.7, 19.5, 35., 55., 81., 115., 151., 238.,
                 359., 495., 660., 850., 1065., 1313., 1550., 1780., 2040.])
TS_C = 4.736e4  # FACTS.md §6
TS_B = 1.22


@numba.njit(cache=True, inline="always")
def radiative_heat_w_m2(v, rho, rn):
    """Tauber-Sutton Earth stagnation radiative heat flux, W/m^2 (zero below 9 km/s)."""
    if v < 9000.0:
        return 0.0
    a = 1.072e6 * v ** -1.88 * rho ** -0.325
    amax = 1.0 if rn <= 1.0 else (0.6 if rn <= 2.0 else 0.5)
    if a > amax:
        a = amax
    return 1e4 * TS_C * rn ** a * rho ** TS_B * interp1(v, TS_V, TS_F)


@numba.njit(cache=True, inline="always")
def _radial_alt(x, y, z, req, flat):
    r = math.sqrt(x * x + y * y + z * z)
    b = req * (1.0 - flat)
    p = math.sqrt(x * x + y * y)
    # ellipsoid radius along the same geocentric direction
    re = req * b / math.sqrt((b * p / r) ** 2 + (req * z / r) ** 2)
    return r - re, r, p


@numba.njit(cache=True, error_model="numpy", fastmath=_FM)
def _rhs(y, prm, S, phase, bank, atm_alt0, atm_dalt, atm_logrho, atm_sound,
         w_alt0, w_dalt, w_east, w_north, mach_tab, cd_tab, dy, aux):
    """Right-hand side at bank angle ``bank`` (rad, signed: positive = lift to the right).

    aux = alt, rho, mach, qdyn, aero accel, conv heat, rad heat, vrel, drag accel.
    """
    x, yy, z = y[0], y[1], y[2]
    vx, vy, vz = y[3], y[4], y[5]
    alt, r, p = _radial_alt(x, yy, z, S[S_REQ], S[S_FLAT])
    rho, a_snd = grid_lookup(alt, atm_alt0, atm_dalt, atm_logrho, atm_sound)
    rho *= prm[P_RHO_SCALE]
    # wind in the rotating frame: east/north unit vectors from the geocentric direction
    ux, uy, uz = x / r, yy / r, z / r
    if p > 1e-9:
        ex, ey = -yy / p, x / p
    else:
        ex, ey = 0.0, 1.0
    nx, ny, nz = -uz * ey, uz * ex, ux * ey - uy * ex
    wsc = prm[P_WIND_SCALE]
    we = 0.0
    wn = 0.0
    if w_east.size > 1 and wsc != 0.0:
        k = (alt - w_alt0) / w_dalt
        i = int(math.floor(k))
        if i < 0:
            we, wn = w_east[0], w_north[0]
        elif i >= w_east.size - 1:
            we, wn = w_east[w_east.size - 1], w_north[w_east.size - 1]
        else:
            f = k - i
            we = w_east[i] + f * (w_east[i + 1] - w_east[i])
            wn = w_north[i] + f * (w_north[i + 1] - w_north[i])
        we *= wsc
        wn *= wsc
    rvx = vx - (we * ex + wn * nx)
    rvy = vy - (we * ey + wn * ny)
    rvz = vz - wn * nz
    vrel = math.sqrt(rvx * rvx + rvy * rvy + rvz * rvz)
    mach = vrel / a_snd
    qdyn = 0.5 * rho * vrel * vrel
    m = prm[P_MASS]
    if phase == 0:
        cda = interp1(mach, mach_tab, cd_tab) * prm[P_CD_SCALE] * prm[P_AREA]
        ld = prm[P_LD]
    else:
        cda = prm[P_CHUTE_CDA] + prm[P_CD_SCALE] * prm[P_AREA] * interp1(mach, mach_tab, cd_tab)
        ld = 0.0
    drag = qdyn * cda / m
    ax = ay = az = 0.0
    if vrel > 1e-9:
        vhx, vhy, vhz = rvx / vrel, rvy / vrel, rvz / vrel
        ax = -drag * vhx
        ay = -drag * vhy
        az = -drag * vhz
        if ld != 0.0:
            # vertical lift direction: component of the radial unit vector normal to v_rel
            d = ux * vhx + uy * vhy + uz * vhz
            lx, ly, lz = ux - d * vhx, uy - d * vhy, uz - d * vhz
            ln = math.sqrt(lx * lx + ly * ly + lz * lz)
            if ln > 1e-12:
                lx, ly, lz = lx / ln, ly / ln, lz / ln
                # right-hand side direction: v x up
                sx = vhy * lz - vhz * ly
                sy = vhz * lx - vhx * lz
                sz = vhx * ly - vhy * lx
                cb = math.cos(bank)
                sb = math.sin(bank)
                lift = ld * drag
                ax += lift * (cb * lx + sb * sx)
                ay += lift * (cb * ly + sb * sy)
                az += lift * (cb * lz + sb * sz)
    gx, gy, gz = gravity_j2(x, yy, z, S[S_MU], S[S_REQ], S[S_J2])
    w = S[S_OMEGA]
    # Coriolis -2 w x v and centrifugal -w x (w x r), w along +z
    cx = 2.0 * w * vy + w * w * x
    cy = -2.0 * w * vx + w * w * yy
    dy[0] = vx
    dy[1] = vy
    dy[2] = vz
    dy[3] = gx + ax + cx
    dy[4] = gy + ay + cy
    dy[5] = gz + az
    qc = S[S_K_SG] * math.sqrt(rho / prm[P_RN]) * vrel ** 3
    qr = 0.0
    if S[S_RAD_ON] > 0.0:
        qr = radiative_heat_w_m2(vrel, rho, prm[P_RN])
    dy[6] = qc + qr
    aux[0] = alt
    aux[1] = rho
    aux[2] = mach
    aux[3] = qdyn
    aux[4] = math.sqrt(ax * ax + ay * ay + az * az)
    aux[5] = qc
    aux[6] = qr
    aux[7] = vrel
    aux[8] = drag


@numba.njit(cache=True, inline="always")
def _bank_at(bk, c, h):
    tau = bk[3] + c * h
    return bk[0] + tau * (bk[1] + tau * bk[2])


# Dormand-Prince 5(4) tableau
_C2, _C3, _C4, _C5 = 1.0 / 5.0, 3.0 / 10.0, 4.0 / 5.0, 8.0 / 9.0
_A21 = 1.0 / 5.0
_A31, _A32 = 3.0 / 40.0, 9.0 / 40.0
_A41, _A42, _A43 = 44.0 / 45.0, -56.0 / 15.0, 32.0 / 9.0
_A51, _A52, _A53, _A54 = 19372.0 / 6561.0, -25360.0 / 2187.0, 64448.0 / 6561.0, -212.0 / 729.0
_A61, _A62, _A63, _A64, _A65 = 9017.0 / 3168.0, -355.0 / 33.0, 46732.0 / 5247.0, 49.0 / 176.0, \
    -5103.0 / 18656.0
_B1, _B3, _B4, _B5, _B6 = 35.0 / 384.0, 500.0 / 1113.0, 125.0 / 192.0, -2187.0 / 6784.0, 11.0 / 84.0
_E1, _E3, _E4, _E5, _E6, _E7 = (71.0 / 57600.0, -71.0 / 16695.0, 71.0 / 1920.0, -17253.0 / 339200.0,
                                22.0 / 525.0, -1.0 / 40.0)


@numba.njit(cache=True, error_model="numpy", fastmath=_FM)
def _dp_step(y, h, prm, S, phase, bk, A, W, mach_tab, cd_tab, k, tmp, ynew, aux, k0_valid):
    """One Dormand-Prince step of length h from y; returns the scaled error norm.

    ``bk = (b0, b1, b2, tau0)``: bank angle sigma(tau) = b0 + b1 tau + b2 tau^2 with tau the
    time since the start of the current guidance period (the step starts at tau0).

    With ``k0_valid`` the first stage k[0] = f(y) is reused (first-same-as-last: it is the
    previous accepted step's last stage, or the same start point during event location).
    """
    a0, a1, a2, a3 = A[0], A[1], A[2], A[3]
    w0, w1 = W[0], W[1]
    we = W[2]
    wn = W[3]
    atm_logrho = a2
    n = 7
    if not k0_valid:
        _rhs(y, prm, S, phase, _bank_at(bk, 0.0, h), a0[0], a1[0], atm_logrho, a3, w0[0], w1[0], we, wn,
             mach_tab, cd_tab, k[0], aux)
    for i in range(n):
        tmp[i] = y[i] + h * _A21 * k[0, i]
    _rhs(tmp, prm, S, phase, _bank_at(bk, _C2, h), a0[0], a1[0], atm_logrho, a3, w0[0], w1[0], we, wn,
         mach_tab, cd_tab, k[1], aux)
    for i in range(n):
        tmp[i] = y[i] + h * (_A31 * k[0, i] + _A32 * k[1, i])
    _rhs(tmp, prm, S, phase, _bank_at(bk, _C3, h), a0[0], a1[0], atm_logrho, a3, w0[0], w1[0], we, wn,
         mach_tab, cd_tab, k[2], aux)
    for i in range(n):
        tmp[i] = y[i] + h * (_A41 * k[0, i] + _A42 * k[1, i] + _A43 * k[2, i])
    _rhs(tmp, prm, S, phase, _bank_at(bk, _C4, h), a0[0], a1[0], atm_logrho, a3, w0[0], w1[0], we, wn,
         mach_tab, cd_tab, k[3], aux)
    for i in range(n):
        tmp[i] = y[i] + h * (_A51 * k[0, i] + _A52 * k[1, i] + _A53 * k[2, i] + _A54 * k[3, i])
    _rhs(tmp, prm, S, phase, _bank_at(bk, _C5, h), a0[0], a1[0], atm_logrho, a3, w0[0], w1[0], we, wn,
         mach_tab, cd_tab, k[4], aux)
    for i in range(n):
        tmp[i] = y[i] + h * (_A61 * k[0, i] + _A62 * k[1, i] + _A63 * k[2, i] + _A64 * k[3, i]
                             + _A65 * k[4, i])
    _rhs(tmp, prm, S, phase, _bank_at(bk, 1.0, h), a0[0], a1[0], atm_logrho, a3, w0[0], w1[0], we, wn,
         mach_tab, cd_tab, k[5], aux)
    for i in range(n):
        ynew[i] = y[i] + h * (_B1 * k[0, i] + _B3 * k[2, i] + _B4 * k[3, i] + _B5 * k[4, i]
                              + _B6 * k[5, i])
    # the 7th stage at ynew gives the error estimate and the aux values at the step end
    _rhs(ynew, prm, S, phase, _bank_at(bk, 1.0, h), a0[0], a1[0], atm_logrho, a3, w0[0], w1[0], we, wn,
         mach_tab, cd_tab, k[6], aux)
    rtol = S[S_RTOL]
    err = 0.0
    for i in range(n):
        e = h * (_E1 * k[0, i] + _E3 * k[2, i] + _E4 * k[3, i] + _E5 * k[4, i] + _E6 * k[5, i]
                 + _E7 * k[6, i])
        if i < 3:
            sc = rtol * (max(abs(y[i]), abs(ynew[i])) + 1e3)
        elif i < 6:
            sc = rtol * (max(abs(y[i]), abs(ynew[i])) + 10.0)
        else:
            sc = rtol * (max(abs(y[i]), abs(ynew[i])) + 1e4)
        r = abs(e) / sc
        if r > err:
            err = r
    return err


@numba.njit(cache=True, inline="always")
def _peak3(t0, v0, t1, v1, t2, v2):
    """Vertex of the parabola through three samples (value, time); falls back to v1."""
    d1 = (v1 - v0) / (t1 - t0)
    d2 = (v2 - v1) / (t2 - t1)
    a = (d2 - d1) / (t2 - t0)
    if a >= 0.0:
        return v1, t1
    tm = 0.5 * (t0 + t1) - d1 / (2.0 * a) + 0.5 * (t1 - t0) * 0.0
    # parabola v(t) = v1 + d*(t-t1) + a*(t-t1)^2 with d = slope at t1
    d = d1 + a * (t1 - t0)
    tm = t1 - d / (2.0 * a)
    if tm < t0 or tm > t2:
        return v1, t1
    return v1 - d * d / (4.0 * a), tm


@numba.njit(cache=True)
def _event_value(kind, aux, S, phase):
    if kind == 0:  # terminal altitude
        term = S[S_ALT_GROUND] + (S[S_ALT_TERM_CHUTE] if phase == 1 else 0.0)
        return aux[0] - term
    if kind == 1:  # Mach trigger
        return aux[2] - S[S_MACH_DEPLOY]
    return S[S_D_START] - aux[8]  # sensed drag reaches the range-control threshold


@numba.njit(cache=True)
def bank_accel(sig, rate, cmd, dt, rate_max, acc_max):
    """Constant bank angular acceleration (rad/s^2) for the next guidance period.

    The largest acceleration toward the command ``cmd`` whose end state (after ``dt``)
    can still stop on the command under the acceleration limit; when that would leave the
    rate pointing away, the acceleration that arrives exactly. Limited to ``acc_max`` and
    so that the rate stays within ``rate_max`` (the rate is linear over the period, so its
    end values bound it). Angles in rad, rates rad/s.
    """
    e = cmd - sig
    sg = 1.0 if e >= 0.0 else -1.0
    e *= sg
    r = rate * sg
    qa = dt * dt / (2.0 * acc_max)
    qb = 0.5 * dt * dt + r * dt / acc_max
    qc = r * r / (2.0 * acc_max) + r * dt - e
    disc = qb * qb - 4.0 * qa * qc
    if disc < 0.0:
        a = -acc_max
    else:
        a = (-qb + math.sqrt(disc)) / (2.0 * qa)
    if r + a * dt < 0.0:
        a = 2.0 * (e - r * dt) / (dt * dt)
    a = max(-acc_max, min(acc_max, a))
    a = max((-rate_max - r) / dt, min((rate_max - r) / dt, a))
    return a * sg


@numba.njit(cache=True, inline="always")
def _table_row(v, G, row):
    lo, hi, f = bracket(G[:, 0], v)
    for c in range(N_G):
        row[c] = G[lo, c] + f * (G[hi, c] - G[lo, c])


@numba.njit(cache=True)
def guidance_geometry(y, tx, ty, tz):
    """Planet-relative speed (m/s), altitude rate (m/s), range angle to the target (rad),
    crossrange sine (> 0: target left of the position-velocity plane) and heading error
    (rad, > 0: target to the left of the horizontal velocity)."""
    x, yy, z = y[0], y[1], y[2]
    vx, vy, vz = y[3], y[4], y[5]
    r = math.sqrt(x * x + yy * yy + z * z)
    ux, uy, uz = x / r, yy / r, z / r
    v = math.sqrt(vx * vx + vy * vy + vz * vz)
    vu = vx * ux + vy * uy + vz * uz
    ct = ux * tx + uy * ty + uz * tz
    cx = uy * tz - uz * ty
    cy = uz * tx - ux * tz
    cz = ux * ty - uy * tx
    theta = math.atan2(math.sqrt(cx * cx + cy * cy + cz * cz), ct)
    hx = yy * vz - z * vy
    hy = z * vx - x * vz
    hz = x * vy - yy * vx
    hn = math.sqrt(hx * hx + hy * hy + hz * hz)
    sin_cr = (hx * tx + hy * ty + hz * tz) / hn if hn > 0.0 else 0.0
    fx, fy, fz = vx - vu * ux, vy - vu * uy, vz - vu * uz
    fn = math.sqrt(fx * fx + fy * fy + fz * fz)
    dpsi = 0.0
    if fn > 0.0:
        fx, fy, fz = fx / fn, fy / fn, fz / fn
        lx, ly, lz = uy * fz - uz * fy, uz * fx - ux * fz, ux * fy - uy * fx
        thx, thy, thz = tx - ct * ux, ty - ct * uy, tz - ct * uz
        dpsi = math.atan2(thx * lx + thy * ly + thz * lz, thx * fx + thy * fy + thz * fz)
    return v, vu, theta, sin_cr, dpsi


@numba.njit(cache=True)
def apollo_command(gphase, sgn, v, drag, rdot, range_m, sin_cr, dpsi, S, G, row):
    """Bank command (rad, signed) of the entry terminal point controller.

    Range control (``gphase`` 1): predicted range R_p = R_ref + F1 (D - D_ref) + F2 (rdot -
    rdot_ref); commanded vertical L/D = (L/D)_ref + K (R - R_p) / F3; bank magnitude =
    acos((L/D)_c / (L/D)_nominal); its sign reverses when the crossrange leaves the
    speed-dependent corridor. Heading alignment (``gphase`` 2): bank proportional to the
    heading error toward the target, limited in magnitude. Returns (command, sign, reversed).
    """
    if gphase == 2:
        c = -S[S_HA_GAIN] * dpsi
        lim = S[S_HA_BANK_MAX]
        c = max(-lim, min(lim, c))
        return c, sgn, 0
    _table_row(v, G, row)
    ldv = S[S_LDV_REF]
    k = S[S_K_OVER]
    if k != 0.0 and row[G_F3] != 0.0:
        rp = row[G_R] + row[G_F1] * (drag - row[G_D]) + row[G_F2] * (rdot - row[G_HD])
        ldv = ldv + k * (range_m - rp) / row[G_F3]
    c = ldv / S[S_LD_NOM]
    c = max(-1.0, min(1.0, c))
    mag = math.acos(c)
    rev = 0
    corr = row[G_CORR]
    if sin_cr > corr and sgn > 0.0:
        sgn = -1.0
        rev = 1
    elif sin_cr < -corr and sgn < 0.0:
        sgn = 1.0
        rev = 1
    return sgn * mag, sgn, rev


@numba.njit(cache=True)
def _integrate_one(j, y0, P, S, A, W, mach_tab, cd_tab, G, out, hist, n_hist_max, hist_count):
    y = y0.copy()
    prm = P[j]
    k = np.empty((7, 7))
    tmp = np.empty(7)
    ynew = np.empty(7)
    ytry = np.empty(7)
    aux = np.empty(9)
    aux0 = np.empty(9)
    dy = np.empty(7)
    row = np.empty(N_G)
    bk = np.zeros(4)
    g0 = S[S_G0]
    t = 0.0
    phase = 0
    chute = S[S_MACH_DEPLOY] > 0.0
    mode = int(S[S_GUIDE_MODE])
    apollo = mode == GUIDE_APOLLO
    bsign = 1.0
    sgn = 1.0 if prm[P_BANK] >= 0.0 else -1.0
    bk[0] = prm[P_BANK]
    gphase = 0
    t_cyc = 0.0
    t_next = np.inf
    dt_g = S[S_DT_GUIDE]
    max_rate = 0.0
    n_rev = 0
    W0 = W
    _rhs(y, prm, S, phase, bk[0], A[0][0], A[1][0], A[2], A[3], W0[0][0], W0[1][0], W0[2], W0[3],
         mach_tab, cd_tab, dy, aux0)
    out[j, O_T_RANGE_CONTROL] = np.nan
    out[j, O_T_HEADING_ALIGN] = np.nan
    if apollo and aux0[8] >= S[S_D_START]:
        gphase = 1
        t_next = 0.0
        out[j, O_T_RANGE_CONTROL] = 0.0
    h = 1.0
    k0_ok = False
    dt_max = S[S_DT_MAX]
    # peak trackers: last three samples of g-load, heat flux, dynamic pressure
    gm2 = gm1 = aux0[4] / g0
    tg2 = tg1 = 0.0
    vg1 = aux0[7]
    qm2 = qm1 = aux0[5] + aux0[6]
    pm2 = pm1 = aux0[3]
    peak_g = gm1
    t_peak_g = 0.0
    v_peak_g = vg1
    peak_q = qm1
    peak_qr = aux0[6]
    peak_p = pm1
    out[j, O_DEPLOY_T] = np.nan
    out[j, O_DEPLOY_MACH] = np.nan
    out[j, O_DEPLOY_QDYN] = np.nan
    out[j, O_DEPLOY_ALT] = np.nan
    status = STATUS_TIMEOUT
    steps = 0
    rec = j < n_hist_max
    tx, ty, tz = prm[P_TX], prm[P_TY], prm[P_TZ]
    if rec:
        _record(hist, j, 0, t, aux0, y, S, g0, bk[0], gphase, tx, ty, tz)
        hist_count[j] = 1
    while t < S[S_T_MAX]:
        # guidance tick: new command, new bank profile for the next period
        if apollo and phase == 0 and t >= t_next - 1e-9:
            tau = t - t_cyc
            sig = bk[0] + tau * (bk[1] + tau * bk[2])
            rate = bk[1] + 2.0 * bk[2] * tau
            v, rdot, theta, sin_cr, dpsi = guidance_geometry(y, tx, ty, tz)
            if gphase == 1 and v < S[S_V_HA]:
                gphase = 2
                out[j, O_T_HEADING_ALIGN] = t
            cmd, sgn, rv = apollo_command(gphase, sgn, v, aux0[8], rdot, theta * S[S_REQ], sin_cr,
                                          dpsi, S, G, row)
            n_rev += rv
            a = bank_accel(sig, rate, cmd, dt_g, S[S_BANK_RATE], S[S_BANK_ACC])
            bk[0] = sig
            bk[1] = rate
            bk[2] = 0.5 * a
            t_cyc = t
            t_next = t + dt_g
            r_end = abs(rate + a * dt_g)
            if r_end > max_rate:
                max_rate = r_end
        h_use = min(h, dt_max)
        clipped = False
        if t + h_use > t_next:
            h_use = t_next - t
            clipped = True
        bk[3] = t - t_cyc
        err = _dp_step(y, h_use, prm, S, phase, bk, A, W0, mach_tab, cd_tab, k, tmp, ynew, aux, k0_ok)
        k0_ok = True
        if not (err <= 1.0):
            h = h_use * (max(0.2, 0.9 * err ** -0.2) if err == err else 0.2)
            continue
        steps += 1
        # events at the end of this step?
        kind = -1
        if _event_value(0, aux, S, phase) <= 0.0:
            kind = 0
        elif phase == 0 and chute and _event_value(1, aux, S, phase) <= 0.0:
            kind = 1
        elif apollo and phase == 0 and gphase == 0 and _event_value(2, aux, S, phase) <= 0.0:
            kind = 2
        if kind >= 0:
            # Illinois regula falsi on the step length
            fa = _event_value(kind, aux0, S, phase)
            fb = _event_value(kind, aux, S, phase)
            ha, hb = 0.0, h_use
            side = 0
            hc = h_use
            tol = 1e-4 if kind == 0 else (1e-7 if kind == 1 else 1e-9)  # m, Mach, m/s^2
            for _ in range(40):
                hprev = hc
                hc = (ha * fb - hb * fa) / (fb - fa)
                _dp_step(y, hc, prm, S, phase, bk, A, W0, mach_tab, cd_tab, k, tmp, ytry, aux, True)
                fc = _event_value(kind, aux, S, phase)
                if abs(fc) < tol or abs(hc - hprev) < 1e-10:
                    break
                if fc * fb > 0.0:
                    hb, fb = hc, fc
                    if side == -1:
                        fa *= 0.5
                    side = -1
                else:
                    ha, fa = hc, fc
                    if side == 1:
                        fb *= 0.5
                    side = 1
            h_use = hc
            clipped = False
            for i in range(7):
                ynew[i] = ytry[i]
        if clipped:
            t = t_next
        else:
            t += h_use
        for i in range(7):
            y[i] = ynew[i]
            k[0, i] = k[6, i]  # FSAL (valid unless the phase or the bank sign changes below)
        # peaks (parabolic refinement at local maxima)
        gnew = aux[4] / g0
        qnew = aux[5] + aux[6]
        if gm1 >= gm2 and gm1 >= gnew and steps > 1:
            v, tv = _peak3(tg2, gm2, tg1, gm1, t, gnew)
            if v > peak_g:
                peak_g, t_peak_g, v_peak_g = v, tv, vg1
        if qm1 >= qm2 and qm1 >= qnew and steps > 1:
            v, tv = _peak3(tg2, qm2, tg1, qm1, t, qnew)
            if v > peak_q:
                peak_q = v
        if pm1 >= pm2 and pm1 >= aux[3] and steps > 1:
            v, tv = _peak3(tg2, pm2, tg1, pm1, t, aux[3])
            if v > peak_p:
                peak_p = v
        if gnew > peak_g:
            peak_g, t_peak_g, v_peak_g = gnew, t, aux[7]
        if qnew > peak_q:
            peak_q = qnew
        if aux[6] > peak_qr:
            peak_qr = aux[6]
        if aux[3] > peak_p:
            peak_p = aux[3]
        gm2, gm1, qm2, qm1, pm2, pm1 = gm1, gnew, qm1, qnew, pm1, aux[3]
        tg2, tg1, vg1 = tg1, t, aux[7]
        for i in range(9):
            aux0[i] = aux[i]
        if rec and hist_count[j] < hist.shape[1]:
            tau = t - t_cyc
            _record(hist, j, hist_count[j], t, aux, y, S, g0, bk[0] + tau * (bk[1] + tau * bk[2]),
                    gphase, tx, ty, tz)
            hist_count[j] += 1
        if kind == 0:
            status = STATUS_LANDED
            break
        if kind == 1:
            phase = 1
            k0_ok = False
            t_next = np.inf
            out[j, O_DEPLOY_T] = t
            out[j, O_DEPLOY_MACH] = aux[2]
            out[j, O_DEPLOY_QDYN] = aux[3]
            out[j, O_DEPLOY_ALT] = aux[0]
            h = min(h_use, 0.5)
            continue
        if kind == 2:
            gphase = 1
            t_next = t
            out[j, O_T_RANGE_CONTROL] = t
        if aux[0] > S[S_ALT_SKIP]:
            status = STATUS_SKIP
            break
        # bank-reversal mode: reverse when the target leaves the crossrange deadband
        if mode == GUIDE_REVERSAL and phase == 0 and prm[P_LD] != 0.0:
            hx = y[1] * y[5] - y[2] * y[4]
            hy = y[2] * y[3] - y[0] * y[5]
            hz = y[0] * y[4] - y[1] * y[3]
            hn = math.sqrt(hx * hx + hy * hy + hz * hz)
            if hn > 0.0:
                sin_cr = (hx * tx + hy * ty + hz * tz) / hn  # > 0: target to the left
                deadband = S[S_DEADBAND_S] * aux[7] / math.sqrt(y[0] ** 2 + y[1] ** 2 + y[2] ** 2)
                # positive bank (lift right) while the target is left beyond the deadband
                if (sin_cr > deadband and bsign * prm[P_BANK] > 0.0) or \
                        (sin_cr < -deadband and bsign * prm[P_BANK] < 0.0):
                    bsign = -bsign
                    bk[0] = bsign * prm[P_BANK]
                    n_rev += 1
                    k0_ok = False
        # next step size (a step shortened to land on a guidance tick keeps the free size)
        fac = min(5.0, max(0.2, 0.9 * err ** -0.2)) if err > 0.0 else 5.0
        if clipped and fac >= 1.0:
            h = max(h, h_use * fac)
        else:
            h = h_use * fac
    lat, lon, alt = fixed_to_geodetic(y[0], y[1], y[2], S[S_REQ], S[S_FLAT])
    sl, cl = math.sin(lat), math.cos(lat)
    so, co = math.sin(lon), math.cos(lon)
    ve = -so * y[3] + co * y[4]
    vn = -sl * co * y[3] - sl * so * y[4] + cl * y[5]
    vu = cl * co * y[3] + cl * so * y[4] + sl * y[5]
    out[j, O_STATUS] = status
    out[j, O_PEAK_G] = peak_g
    out[j, O_T_PEAK_G] = t_peak_g
    out[j, O_V_PEAK_G] = v_peak_g
    out[j, O_PEAK_HEAT] = peak_q
    out[j, O_PEAK_HEAT_RAD] = peak_qr
    out[j, O_PEAK_QDYN] = peak_p
    out[j, O_HEAT_LOAD] = y[6]
    out[j, O_LAT] = lat
    out[j, O_LON] = lon
    out[j, O_ALT] = alt
    out[j, O_SPEED] = aux0[7]
    out[j, O_T_END] = t
    out[j, O_N_STEPS] = steps
    out[j, O_VE] = ve
    out[j, O_VN] = vn
    out[j, O_VU] = vu
    out[j, O_N_REVERSALS] = n_rev
    out[j, O_MAX_BANK_RATE] = max_rate


@numba.njit(cache=True)
def _record(hist, j, i, t, aux, y, S, g0, bank, gphase, tx, ty, tz):
    lat, lon, _ = fixed_to_geodetic(y[0], y[1], y[2], S[S_REQ], S[S_FLAT])
    v, rdot, theta, _, _ = guidance_geometry(y, tx, ty, tz)
    hist[j, i, H_T] = t
    hist[j, i, H_ALT] = aux[0]
    hist[j, i, H_VREL] = aux[7]
    hist[j, i, H_G] = aux[4] / g0
    hist[j, i, H_HEAT] = aux[5] + aux[6]
    hist[j, i, H_QDYN] = aux[3]
    hist[j, i, H_LAT] = lat
    hist[j, i, H_LON] = lon
    hist[j, i, H_MACH] = aux[2]
    hist[j, i, H_BANK] = bank
    hist[j, i, H_V] = v
    hist[j, i, H_DRAG] = aux[8]
    hist[j, i, H_RDOT] = rdot
    hist[j, i, H_RANGE] = theta * S[S_REQ]
    hist[j, i, H_GPHASE] = gphase
    for c in range(6):
        hist[j, i, H_X + c] = y[c]


@numba.njit(cache=True, parallel=True)
def integrate_batch(Y0, P, S, atm_alt0, atm_dalt, atm_logrho, atm_sound, w_alt0, w_dalt, w_east,
                    w_north, mach_tab, cd_tab, G, out, hist, hist_count):
    """Integrate every trajectory of the batch from its initial state to its terminal event.

    Parameters
    ----------
    Y0 : (n, 7) initial states (rotating frame, m and m/s; heat load 0).
    P : (n, N_P) per-trajectory parameters; S : (N_S,) shared scalars.
    atm_* : atmosphere grid (see :class:`~msrsim.atmosphere.AtmosphereGrid`).
    w_* : wind grid (uniform in altitude; arrays of size 1 mean no wind).
    mach_tab, cd_tab : drag coefficient versus Mach.
    G : (m, N_G) apollo guidance table, rows ascending in planet-relative speed (columns
        G_V m/s, G_R m, G_D m/s^2, G_HD m/s, G_F1 s^2, G_F2 s, G_F3 m, G_CORR crossrange
        corridor as the sine of an angle); unused in the other modes.
    out : (n, N_O) results, written in place.
    hist : (n_hist, n_samples, N_H) histories for the first n_hist trajectories.
    hist_count : (n,) number of history samples written.
    """
    n = Y0.shape[0]
    A = (np.array([atm_alt0]), np.array([atm_dalt]), atm_logrho, atm_sound)
    W = (np.array([w_alt0]), np.array([w_dalt]), w_east, w_north)
    n_hist_max = hist.shape[0]
    for j in numba.prange(n):
        _integrate_one(j, Y0[j], P, S, A, W, mach_tab, cd_tab, G, out, hist, n_hist_max, hist_count)
