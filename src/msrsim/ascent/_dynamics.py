"""Compiled 3-DOF ascent dynamics: one trajectory per row of a parameter matrix.

Frame: Mars-centred inertial, axes aligned with the Mars equator (z = spin axis) and, at
t = 0 (the ejection from the lander), x through the prime meridian, so the body-fixed and
inertial frames coincide at t = 0. Forces: point mass + J2 gravity, thrust, drag on the
atmosphere-relative velocity (the atmosphere co-rotates with Mars).

Flight sequence (t = 0 at ejection):
  free flight (ejected upward) -> SRM1 ignition -> vertical rise -> linear pitch-over ->
  linear-tangent pitch law to SRM1 burnout -> SRM1 jettison -> coast -> SRM2 burn with a
  fixed inertial attitude (spin-stabilised) -> OS separation (end).

Each phase is integrated with fixed-step RK4 (a shorter last step) so that steps end
exactly on the phase boundaries (steering kinks, ignitions, burnouts): the scheme keeps its
4th order and the result is continuous in the phase durations.

Alongside the state the integrator carries the Δv bookkeeping integrals in the rotating
(atmosphere-fixed) frame, where the Coriolis force does no work:
  Δv_thrust = |v_rel|_f - |v_rel|_0 + G + D + S - C
with G = -∫ g·v̂_rel dt (gravity loss), D = ∫ |a_drag| dt (drag loss),
S = ∫ (T/m)(1 - cos α) dt (steering loss, α between thrust and v_rel) and
C = ∫ ω²(r_⊥·v̂_rel) dt (centrifugal gain, ~1 m/s). The identity is exact, so its closure
checks the integration.
"""

from __future__ import annotations

import math

import numba
import numpy as np
from numba import prange

from ..kernels.geodesy import geodetic_to_fixed, gravity_j2
from ..kernels.interp import bracket, interp1

G0_M_S2 = 9.80665  # standard gravity for Isp (msrsim.constants.G0_M_S2)

# ---- per-trial parameter vector layout ------------------------------------------------
(I_LAT, I_LON, I_ALT, I_M0, I_PROP1, I_ISP1, I_TB1, I_DROP1, I_PROP2, I_ISP2, I_TB2,
 I_AREA, I_RHO_SCALE, I_EJECT_V, I_IGN_DELAY, I_AZ, I_T_VERT, I_T_PO, I_TH_KICK, I_TH_END,
 I_TB1_NOM, I_COAST, I_APO_LEAD, I_P2, I_Y2, I_IGN_E1, I_IGN_E2, I_MIS1_1, I_MIS1_2,
 I_ERR2_1, I_ERR2_2, I_DT_BURN, I_DT_COAST, I_N_NODES, I_NODE0) = range(35)
MAX_NODES = 8  # interior nodes of the SRM1 pitch programme (I_NODE0 .. I_NODE0 + 7)
(I_SRM2_LAW, I_DV2_NOM, I_RP_T, I_RA_T, I_ALPHA_LIM, I_ALPHA_MAX, I_ALPHA_Q_PA,
 I_ALPHA_Q_MARGIN) = range(I_NODE0 + MAX_NODES, I_NODE0 + MAX_NODES + 8)
# SRM1 closed loop (apoapsis guidance in the late burn): on/off, start (s after ignition),
# update period (s), target apoapsis radius at burnout (m), largest pitch correction (rad),
# the flight computer's nominal lift-off mass, SRM1 propellant and Isp, and the working
# slot holding the current correction (rad; written by ``fly`` in its own copy of the row)
(I_CL_ON, I_CL_T0, I_CL_DT, I_CL_RA, I_CL_MAX, I_NAV_M0, I_NAV_PROP1, I_NAV_ISP1,
 I_CL_DTH) = range(I_ALPHA_Q_MARGIN + 1, I_ALPHA_Q_MARGIN + 10)
# working slot: the SRM1 segment being integrated (SEG_VERTICAL, SEG_PITCHOVER, or
# SEG_PROGRAMME and later); written by ``fly`` in its own copy of the row. The steering's
# discontinuous switches (the ignition attitude error held during the vertical rise, the
# closed-loop correction after the pitch-over) follow the segment, not a comparison of
# t - t_ign with the boundary: a stage evaluated exactly on a boundary (the first stage
# of a segment) must see the segment it belongs to, and t - t_ign rounds to either side
I_SEG = I_CL_DTH + 1
# working slots written by ``fly``: the tangents of the programme's elevations (kick,
# interior nodes, end; the law interpolates tan(elevation)) and the cosine and sine of the
# closed-loop correction, so the steering needs no trigonometric call per evaluation
I_TAN_KICK = I_SEG + 1
I_TAN_NODE0 = I_TAN_KICK + 1
I_TAN_END = I_TAN_NODE0 + MAX_NODES
I_CL_COS = I_TAN_END + 1
I_CL_SIN = I_CL_COS + 1
I_MIS1_INORM = I_CL_SIN + 1  # 1/√(1 + m1² + m2²) of the SRM1 nozzle misalignment
N_PARAM = I_MIS1_INORM + 1
SEG_VERTICAL = 0
SEG_PITCHOVER = 1
SEG_PROGRAMME = 2
CL_FREEZE_S = 2.0  # the loop holds its last correction for the final seconds of SRM1
SRM2_LAW_FIXED = 0  # SRM2 attitude = (pitch, yaw) above the local horizontal at ignition
SRM2_LAW_TARGET = 1  # pitch chosen on board at ignition to best reach the target (+ bias)

# ---- per-trial output layout ----------------------------------------------------------
(O_RX, O_RY, O_RZ, O_VX, O_VY, O_VZ, O_MASS, O_T_END, O_DV_THRUST, O_G_LOSS, O_D_LOSS,
 O_S_LOSS, O_C_GAIN, O_VREL0, O_MAX_Q, O_MAX_ACC, O_MAX_ALPHA_Q, O_STATUS, O_T_BO1,
 O_COAST, O_ALT_BO1, O_ALT_IGN2, O_MAX_ALPHA, O_G_BO1, O_D_BO1, O_S_BO1, O_G_IGN2,
 O_D_IGN2, O_VIN_BO1, O_P2_FLOWN, O_MAX_ALPHA_ALL, O_MAX_AXIAL) = range(32)
N_OUT = 32
# O_MAX_ALPHA: largest α (rad) where q exceeds the threshold P[I_ALPHA_Q_PA];
# O_MAX_ALPHA_Q: largest q·α (Pa·rad) in powered flight; O_MAX_ALPHA_ALL: largest α in the
# SRM1 burn at any q; O_MAX_ACC: largest sensed acceleration magnitude; O_MAX_AXIAL:
# largest sensed acceleration along the body axis (m/s^2)

# history columns (single-trajectory recording)
(H_T, H_ALT, H_VREL, H_Q, H_ACC, H_MASS, H_MODE, H_ALPHA, H_VIN, H_AXIAL, H_THRUST) = range(11)
H_R0 = 11  # position, 3 columns (inertial, m)
H_V0 = 14  # velocity, 3 columns (inertial, m/s)
H_B0 = 17  # body (thrust) axis, 3 columns; zeros when unpowered
N_HIST = 20

STATUS_OK = 0
STATUS_IMPACT = 1

# body constants vector layout: mu, r_eq, flattening, j2, omega
N_STATE = 12  # r(3) v(3) m dv_thrust G D S C

# SRM1's first seconds: steps of GRADE_F[j] x dt_burn until GRADE_T_S[j] s after ignition
# (the flight-path turn rate scales as 1/speed, and the speed grows about linearly)
GRADE_T_S = np.array([2.0, 4.0, 8.0])
GRADE_F = np.array([1.0 / 8.0, 1.0 / 4.0, 1.0 / 2.0])
# Above the sensible atmosphere the flight is smooth (two-body + J2, constant-attitude SRM2
# thrust at a flat or tabulated level): the SRM2 burn takes SRM2_STEP_FACTOR x dt_burn
# and the coast above VAC_ALT_M takes VAC_STEP_FACTOR x dt_coast (at 150 km the drag
# deceleration is ~1e-7 m/s^2). Both scale with the settings, so an 8x finer run is
# 8x finer everywhere.
SRM2_STEP_FACTOR = 5.0
VAC_STEP_FACTOR = 10.0
VAC_ALT_M = 150e3
N_DIAG = 11  # q, sensed |a|, α, altitude, axial a, thrust, body axis (3), q_nav, Mach: _rhs
# Kinks of the right-hand side inside a step cost RK4 its order (a local error ~ h^2 times
# the jump in the derivative). Two kinds remain in the model: the α limiter's envelope
# switching from q·α to α bounded where the on-board q reaches the threshold (2-4 s after
# ignition, at ~50 m/s, and again as the air thins; the wind-following steering carries a
# velocity-direction error through the rest of the burn), and altitudes where the
# atmosphere model's own profile has a slope break (``kink_alt``, found in the tabulated
# grid by ``core``: the Glenn fit's branch change near 7 km, the ends of the temperature
# ramp at 40 and 50 km, the thermosphere base at 120 km). ``_phase`` finds a crossing
# inside a step from the step's two ends and cuts the step there, located by regula falsi.
# Everything else is smooth on purpose: the atmosphere between its breaks is a C² cubic
# through the grid (``atm_lookup``) and CD(Mach) a C¹ monotone cubic (``_cd``); with
# linear interpolation every grid node and table node was a kink, and the errors that
# followed did not shrink as h^4 (measured: 3.0 m against 8x finer steps at 0.2 s steps).
EV_Q, EV_ALT, EV_VAC = range(3)  # event kinds (see ``_first_crossing``)
S_EDGE = 1e-3  # a kink this close (fraction of the step) to a step's end stays inside it
EV_TOL_S = 1e-5  # a located kink's time, s
EV_MAX_ITER = 6
N_WS = 5  # workspace rows: k1..k4, the state at the step start


@numba.njit(cache=True)
def _interp(tab, x):
    """Piecewise-linear lookup in a (k, 2) table, held constant beyond its ends."""
    return interp1(x, tab[:, 0], tab[:, 1])


@numba.njit(cache=True, inline="always")
def _cd(cd_tab, mach):
    """Drag coefficient at ``mach`` from a (k, 3) table of (Mach, CD, dCD/dMach).

    The monotone cubic Hermite through the table's points (``core.cd_hermite_table``):
    continuously differentiable, no overshoot, flat beyond the ends (zero end slopes), so
    the drag has no slope break for the integrator to step across.
    """
    xs = cd_tab[:, 0]
    lo, hi, f = bracket(xs, mach)
    if lo == hi:
        return cd_tab[lo, 1]
    dx = xs[hi] - xs[lo]
    f2 = f * f
    f3 = f2 * f
    return ((2.0 * f3 - 3.0 * f2 + 1.0) * cd_tab[lo, 1] + (f3 - 2.0 * f2 + f) * dx * cd_tab[lo, 2]
            + (3.0 * f2 - 2.0 * f3) * cd_tab[hi, 1] + (f3 - f2) * dx * cd_tab[hi, 2])


@numba.njit(cache=True, inline="always")
def _altitude(x, y, z, r_eq, flattening):
    """Height above the ellipsoid, m: one Bowring step, written without trigonometry.

    Same method as :func:`msrsim.kernels.geodesy.fixed_to_geodetic` (which iterates three
    times for any altitude); one step is sub-millimetre on Mars up to thousands of km.
    """
    e2 = flattening * (2.0 - flattening)
    b = r_eq * (1.0 - flattening)
    ep2 = e2 / (1.0 - e2)
    p = math.sqrt(x * x + y * y)
    za = z * r_eq
    pb = p * b
    hb = math.sqrt(za * za + pb * pb)
    sb = za / hb
    cb = pb / hb
    num = z + ep2 * b * sb * sb * sb
    den = p - e2 * r_eq * cb * cb * cb
    hl = math.sqrt(num * num + den * den)
    s = num / hl
    c = den / hl
    return p * c + z * s - r_eq * math.sqrt(1.0 - e2 * s * s)


@numba.njit(cache=True, inline="always")
def atm_lookup(alt, alt0, dalt, atm):
    """Density (kg/m^3) and speed of sound (m/s) at ``alt`` (m) from a piecewise-cubic table.

    ``atm`` (cells, 8): per grid cell ``i`` (from ``alt0 + i dalt``, ``dalt`` m long) the
    cubic coefficients in the cell fraction ``f`` of log-density (columns 0-3) and of the
    speed of sound (4-7), lowest order first (``core.atmosphere_table``): twice continuously
    differentiable inside each stretch between the model's slope breaks, where the
    integrator ends its steps. A piecewise-linear lookup would put a slope break at every
    grid node; where the α limiter's envelope follows the dynamic pressure, those breaks
    steer the thrust and cost RK4 its order. Beyond the table the end cell's log-density
    is continued along its end slope and the speed of sound is held.
    """
    n = atm.shape[0]
    x = (alt - alt0) / dalt
    if x < 0.0:
        lr = atm[0, 0] + atm[0, 1] * x
        a = atm[0, 4]
    elif x >= n:
        k = n - 1
        lr = (atm[k, 0] + atm[k, 1] + atm[k, 2] + atm[k, 3]
              + (atm[k, 1] + 2.0 * atm[k, 2] + 3.0 * atm[k, 3]) * (x - n))
        a = atm[k, 4] + atm[k, 5] + atm[k, 6] + atm[k, 7]
    else:
        i = int(x)
        f = x - i
        lr = atm[i, 0] + f * (atm[i, 1] + f * (atm[i, 2] + f * atm[i, 3]))
        a = atm[i, 4] + f * (atm[i, 5] + f * (atm[i, 6] + f * atm[i, 7]))
    return math.exp(lr), a


@numba.njit(cache=True, inline="always")
def _limit_alpha(bx, by, bz, hx, hy, hz, q_nav, alpha_max, q_thr):
    """Bound the angle between the body axis ``b`` and the relative wind ``h`` (unit vectors).

    Envelope: α ≤ ``alpha_max`` where the on-board dynamic pressure ``q_nav`` ≥ ``q_thr``,
    q·α ≤ ``q_thr * alpha_max`` below it (the limit opens continuously as the air thins).
    The commanded angle α_c is mapped to α = α_c / (1 + (α_c/α_lim)^4)^(1/4): smooth in
    every input (the design's finite differences need that), never above α_lim, and within
    1.6 % of α_c for α_c ≤ α_lim/2. The axis turns about ``h × b`` (the commanded plane).
    """
    c = bx * hx + by * hy + bz * hz
    px = bx - c * hx
    py = by - c * hy
    pz = bz - c * hz
    s = math.sqrt(px * px + py * py + pz * pz)
    ac = math.atan2(s, c)
    if s < 1e-12:
        if c > 0.0:  # along the wind already: α = 0
            return bx, by, bz
        # against the wind (α = π): every plane through h is a commanded plane; take the
        # one holding the coordinate axis least aligned with h
        if abs(hx) <= abs(hy) and abs(hx) <= abs(hz):
            ex, ey, ez = 1.0, 0.0, 0.0
        elif abs(hy) <= abs(hz):
            ex, ey, ez = 0.0, 1.0, 0.0
        else:
            ex, ey, ez = 0.0, 0.0, 1.0
        d = ex * hx + ey * hy + ez * hz
        px = ex - d * hx
        py = ey - d * hy
        pz = ez - d * hz
        s = math.sqrt(px * px + py * py + pz * pz)
        ac = math.pi
    r = ac * min(1.0, q_nav / q_thr) / alpha_max
    r2 = r * r
    a = ac / math.sqrt(math.sqrt(1.0 + r2 * r2))
    ca = math.cos(a)
    sa = math.sin(a) / s
    return ca * hx + sa * px, ca * hy + sa * py, ca * hz + sa * pz


@numba.njit(cache=True)
def _programme_elevation(tau, P):
    """Open-loop SRM1 thrust elevation above the local horizontal at ``tau`` s after ignition, rad."""
    t_v = P[I_T_VERT]
    t_po = P[I_T_PO]
    th_kick = P[I_TH_KICK]
    if tau < t_v:
        return 0.5 * math.pi
    if tau < t_v + t_po:
        return 0.5 * math.pi - (0.5 * math.pi - th_kick) * (tau - t_v) / t_po
    # tan(elevation) piecewise linear through the kick, the interior nodes and the end
    # value at equally spaced times up to SRM1's nominal burnout; with no interior node
    # this is the linear-tangent law
    k, f, n_int = _programme_interval(tau, P)
    th_a = th_kick if k == 0 else P[I_NODE0 + k - 1]
    th_b = P[I_TH_END] if k == n_int else P[I_NODE0 + k]
    return math.atan((1.0 - f) * math.tan(th_a) + f * math.tan(th_b))


@numba.njit(cache=True, inline="always")
def _programme_interval(tau, P):
    """Node interval ``k`` (0: from the kick), fraction ``f`` in it and the interior node
    count of the programme's tangent law at ``tau`` s after ignition (programme segment)."""
    t_v = P[I_T_VERT]
    t_po = P[I_T_PO]
    s = (tau - t_v - t_po) / (P[I_TB1_NOM] - t_v - t_po)
    if s > 1.0:
        s = 1.0
    n_int = int(P[I_N_NODES])
    x = s * (n_int + 1)
    k = int(x)
    if k > n_int:
        k = n_int
    return k, x - k, n_int


@numba.njit(cache=True, inline="always")
def _programme_cs(tau, P):
    """(cos, sin) of :func:`_programme_elevation` at ``tau`` (s after ignition).

    In the programme segment the law gives tan(elevation) directly (from the tangents
    ``fly`` stores in the row), and cos = 1/√(1 + tan²), sin = tan·cos on (-90°, 90°):
    the same angle with no trigonometric call.
    """
    t_v = P[I_T_VERT]
    t_po = P[I_T_PO]
    if tau < t_v + t_po:
        th = _programme_elevation(tau, P)
        return math.cos(th), math.sin(th)
    k, f, n_int = _programme_interval(tau, P)
    ta = P[I_TAN_KICK] if k == 0 else P[I_TAN_NODE0 + k - 1]
    tb = P[I_TAN_END] if k == n_int else P[I_TAN_NODE0 + k]
    tn = (1.0 - f) * ta + f * tb
    c = 1.0 / math.sqrt(1.0 + tn * tn)
    return c, tn * c


@numba.njit(cache=True)
def _predicted_apoapsis(y, th, t_rem, dv_rem, nvec, mu):
    """Apoapsis radius (m) after the rest of SRM1 flown at elevation ``th`` (rad).

    The flight computer's predictor: the remaining Δv ``dv_rem`` along ``th`` in the
    current local frame and gravity at the current radius, both as constant accelerations
    over the remaining ``t_rem`` s (trapezoidal position), then the two-body apoapsis. Drag
    is neglected (the loop runs above the dense air); the prediction becomes exact as
    ``t_rem`` → 0, and the loop re-predicts a few times per second.
    """
    rn = math.sqrt(y[0] * y[0] + y[1] * y[1] + y[2] * y[2])
    ux, uy, uz = y[0] / rn, y[1] / rn, y[2] / rn
    dx = nvec[1] * uz - nvec[2] * uy
    dy = nvec[2] * ux - nvec[0] * uz
    dz = nvec[0] * uy - nvec[1] * ux
    dn = math.sqrt(dx * dx + dy * dy + dz * dz)
    c = math.cos(th) * dv_rem / dn
    s = math.sin(th) * dv_rem
    g = -mu / (rn * rn) * t_rem
    wx = c * dx + (s + g) * ux
    wy = c * dy + (s + g) * uy
    wz = c * dz + (s + g) * uz
    vx, vy, vz = y[3] + wx, y[4] + wy, y[5] + wz
    rx = y[0] + (y[3] + 0.5 * wx) * t_rem
    ry = y[1] + (y[4] + 0.5 * wy) * t_rem
    rz = y[2] + (y[5] + 0.5 * wz) * t_rem
    r = math.sqrt(rx * rx + ry * ry + rz * rz)
    energy = 0.5 * (vx * vx + vy * vy + vz * vz) - mu / r
    if energy >= 0.0:
        return 1e12
    a = -mu / (2.0 * energy)
    hx = ry * vz - rz * vy
    hy = rz * vx - rx * vz
    hz = rx * vy - ry * vx
    e = math.sqrt(max(0.0, 1.0 - (hx * hx + hy * hy + hz * hz) / (mu * a)))
    return a * (1.0 + e)


@numba.njit(cache=True)
def srm1_guidance_update(y, tau, P, nvec, mu):
    """Closed-loop SRM1 pitch correction (rad) from the navigated state ``y`` at ``tau``.

    Newton iteration (3 steps, finite-difference slope) on the correction δ added to the
    programme so that :func:`_predicted_apoapsis` meets ``P[I_CL_RA]``, with the
    programme's mean elevation over the remaining burn as the base and the remaining Δv
    from the flight computer's nominal mass and Isp (it cannot measure a motor's
    dispersion, only its effect on the state). |δ| ≤ ``P[I_CL_MAX]``; the last
    correction is held in the final ``CL_FREEZE_S`` (the prediction's slope vanishes).
    """
    t_rem = P[I_TB1_NOM] - tau
    d = P[I_CL_DTH]
    if t_rem <= CL_FREEZE_S:
        return d
    m_nav = P[I_NAV_M0] - P[I_NAV_PROP1] * tau / P[I_TB1_NOM]
    m_bo = P[I_NAV_M0] - P[I_NAV_PROP1]
    dv_rem = P[I_NAV_ISP1] * G0_M_S2 * math.log(m_nav / m_bo)
    cs = 0.0
    sn = 0.0
    for j in range(4):
        thj = _programme_elevation(tau + (j + 0.5) * 0.25 * t_rem, P)
        cs += math.cos(thj)
        sn += math.sin(thj)
    th0 = math.atan2(sn, cs)
    lim = P[I_CL_MAX]
    h = 1e-3
    for _ in range(3):
        f0 = _predicted_apoapsis(y, th0 + d, t_rem, dv_rem, nvec, mu) - P[I_CL_RA]
        f1 = _predicted_apoapsis(y, th0 + d + h, t_rem, dv_rem, nvec, mu) - P[I_CL_RA]
        slope = (f1 - f0) / h
        if slope <= 0.0:
            break
        d -= f0 / slope
        if d > lim:
            d = lim
        elif d < -lim:
            d = -lim
    return d


@numba.njit(cache=True)
def _steer1(tau, rx, ry, rz, P, nx, ny, nz, hx, hy, hz, q_nav, body_ax):
    """SRM1 thrust unit vector at ``tau`` s after ignition.

    Pitch programme (with the ignition attitude error in the vertical-rise segment,
    ``P[I_SEG]``, while the MAV holds its ignition attitude), then the angle-of-attack limiter
    about the relative wind ``h`` if enabled
    (``q_nav``: the flight computer's dynamic pressure, Pa), giving the body axis (written
    to ``body_ax``); the nozzle misalignment then tilts the thrust off that axis.
    """
    irn = 1.0 / math.sqrt(rx * rx + ry * ry + rz * rz)
    ux, uy, uz = rx * irn, ry * irn, rz * irn
    # downrange = n × up, normalised
    dx = ny * uz - nz * uy
    dy = nz * ux - nx * uz
    dz = nx * uy - ny * ux
    idn = 1.0 / math.sqrt(dx * dx + dy * dy + dz * dz)
    dx, dy, dz = dx * idn, dy * idn, dz * idn
    e1 = 0.0
    e2 = 0.0
    c, sn = _programme_cs(tau, P)
    seg = P[I_SEG]
    if seg == SEG_VERTICAL:
        e1 = P[I_IGN_E1]  # the MAV holds its ignition attitude until the programme starts
        e2 = P[I_IGN_E2]
    elif seg >= SEG_PROGRAMME and P[I_CL_SIN] != 0.0:
        # closed-loop correction (0 unless the SRM1 loop is on): elevation + δ
        cd = P[I_CL_COS]
        sd = P[I_CL_SIN]
        c, sn = c * cd - sn * sd, sn * cd + c * sd
    # out-of-plane axis (d × up)
    ox = dy * uz - dz * uy
    oy = dz * ux - dx * uz
    oz = dx * uy - dy * ux
    # programme direction, tilted by the ignition attitude error
    # (d, up, o orthonormal, so with no attitude error b is a unit vector already)
    if seg == SEG_VERTICAL:
        bx = c * dx + sn * ux + e1 * (-sn * dx + c * ux) + e2 * ox
        by = c * dy + sn * uy + e1 * (-sn * dy + c * uy) + e2 * oy
        bz = c * dz + sn * uz + e1 * (-sn * dz + c * uz) + e2 * oz
        ibn = 1.0 / math.sqrt(bx * bx + by * by + bz * bz)
        bx, by, bz = bx * ibn, by * ibn, bz * ibn
    else:
        bx = c * dx + sn * ux
        by = c * dy + sn * uy
        bz = c * dz + sn * uz
    if P[I_ALPHA_LIM] > 0.0:
        bx, by, bz = _limit_alpha(bx, by, bz, hx, hy, hz, q_nav, P[I_ALPHA_MAX], P[I_ALPHA_Q_PA])
    body_ax[0] = bx
    body_ax[1] = by
    body_ax[2] = bz
    # nozzle misalignment about two axes normal to the body axis: in the commanded plane
    # (o × b) and out of it (b × (o × b))
    px = oy * bz - oz * by
    py = oz * bx - ox * bz
    pz = ox * by - oy * bx
    ipn = 1.0 / math.sqrt(px * px + py * py + pz * pz)
    px, py, pz = px * ipn, py * ipn, pz * ipn
    qx = by * pz - bz * py
    qy = bz * px - bx * pz
    qz = bx * py - by * px
    # b, p, q orthonormal: |b + m1 p + m2 q| = √(1 + m1² + m2²), kept in the row
    itn = P[I_MIS1_INORM]
    m1 = P[I_MIS1_1] * itn
    m2 = P[I_MIS1_2] * itn
    return (bx * itn + m1 * px + m2 * qx, by * itn + m1 * py + m2 * qy,
            bz * itn + m1 * pz + m2 * qz)


@numba.njit(cache=True)
def _rhs(t, y, dy, mode, t_ign, thrust_avg, isp, tb, prof, P, nvec, dir2, body, cd_tab,
         alt0, dalt, atm, diag, want_diag):
    """State derivative.

    ``diag`` (N_DIAG) always receives the body axis in ``diag[6:9]`` (powered flight; zeros
    otherwise); with ``want_diag`` also q (Pa), sensed acceleration magnitude (m/s^2), α
    (rad, body axis vs relative wind; powered flight), altitude (m), sensed acceleration
    along the body axis (m/s^2) and thrust (N) in ``diag[0:6]``.
    """
    mu = body[0]
    omega = body[4]
    rx, ry, rz = y[0], y[1], y[2]
    vx, vy, vz = y[3], y[4], y[5]
    m = y[6]
    gx, gy, gz = gravity_j2(rx, ry, rz, mu, body[1], body[3])
    # atmosphere-relative velocity: v - ω × r
    wx = vx + omega * ry
    wy = vy - omega * rx
    wz = vz
    vrel = math.sqrt(wx * wx + wy * wy + wz * wz)
    alt = _altitude(rx, ry, rz, body[1], body[2])
    rho_nav, a_snd = atm_lookup(alt, alt0, dalt, atm)
    rho = rho_nav * P[I_RHO_SCALE]
    mach = vrel / a_snd
    cd = _cd(cd_tab, mach)
    q = 0.5 * rho * vrel * vrel
    kd = q * cd * P[I_AREA] / m  # drag acceleration magnitude
    if vrel > 1e-9:
        hx, hy, hz = wx / vrel, wy / vrel, wz / vrel
    else:
        rn = math.sqrt(rx * rx + ry * ry + rz * rz)
        hx, hy, hz = rx / rn, ry / rn, rz / rn
    adx = -kd * hx
    ady = -kd * hy
    adz = -kd * hz
    thrust = 0.0
    tx, ty, tz = 0.0, 0.0, 0.0
    bx, by, bz = 0.0, 0.0, 0.0
    q_nav = -1.0
    if mode > 0:
        tau = t - t_ign
        thrust = thrust_avg * _interp(prof, tau / tb)
        if mode == 1:
            # the flight computer's q: navigated relative speed, model density times the
            # limiter's margin for a denser atmosphere than the model
            q_nav = 0.5 * rho_nav * vrel * vrel * P[I_ALPHA_Q_MARGIN]
            tx, ty, tz = _steer1(tau, rx, ry, rz, P, nvec[0], nvec[1], nvec[2], hx, hy, hz,
                                 q_nav, diag[6:9])
            bx, by, bz = diag[6], diag[7], diag[8]
        else:
            tx, ty, tz = dir2[0], dir2[1], dir2[2]
            bx, by, bz = tx, ty, tz
    at = thrust / m
    dy[0] = vx
    dy[1] = vy
    dy[2] = vz
    dy[3] = gx + adx + at * tx
    dy[4] = gy + ady + at * ty
    dy[5] = gz + adz + at * tz
    dy[6] = -thrust / (isp * G0_M_S2) if mode > 0 else 0.0
    cosa = tx * hx + ty * hy + tz * hz
    dy[7] = at
    dy[8] = -(gx * hx + gy * hy + gz * hz)
    dy[9] = kd
    dy[10] = at * (1.0 - cosa) if mode > 0 else 0.0
    dy[11] = omega * omega * (rx * hx + ry * hy)
    if not want_diag:
        return
    diag[0] = q
    sx = at * tx + adx
    sy = at * ty + ady
    sz = at * tz + adz
    diag[1] = math.sqrt(sx * sx + sy * sy + sz * sz)
    cosb = bx * hx + by * hy + bz * hz
    diag[2] = math.acos(min(1.0, max(-1.0, cosb))) if mode > 0 else 0.0
    diag[3] = alt
    diag[4] = sx * bx + sy * by + sz * bz
    diag[5] = thrust
    diag[6] = bx
    diag[7] = by
    diag[8] = bz
    diag[9] = q_nav
    diag[10] = mach


@numba.njit(cache=True, inline="always")
def _event_values(y, mode, P, body, alt0, dalt, atm):
    """Altitude (m) and on-board q (Pa; -1 unless the α limiter steers) at state ``y``.

    The same expressions as :func:`_rhs`, so a located crossing is the right-hand side's own.
    """
    alt = _altitude(y[0], y[1], y[2], body[1], body[2])
    q_nav = -1.0
    if mode == 1 and P[I_ALPHA_LIM] > 0.0:
        omega = body[4]
        wx = y[3] + omega * y[1]
        wy = y[4] - omega * y[0]
        wz = y[5]
        vrel = math.sqrt(wx * wx + wy * wy + wz * wz)
        rho_nav, _ = atm_lookup(alt, alt0, dalt, atm)
        q_nav = 0.5 * rho_nav * vrel * vrel * P[I_ALPHA_Q_MARGIN]
    return alt, q_nav


@numba.njit(cache=True, inline="always")
def _event_g(kind, idx, alt, q_nav, q_thr, kink_alt, alt_vac):
    """Value of event function (``kind``, ``idx``) at a state's altitude and q: its zero is the kink."""
    if kind == EV_Q:
        return q_nav - q_thr
    if kind == EV_ALT:
        return alt - kink_alt[idx]
    return alt - alt_vac


@numba.njit(cache=True)
def _first_crossing(alt_a, q_a, alt_b, q_b, q_thr, kink_alt, alt_vac):
    """Earliest sign change of an event function inside a step, by linear interpolation.

    Event functions: the on-board q against ``q_thr`` (when both ends steer with the
    limiter, ``q`` ≥ 0), the altitude against ``kink_alt`` (m) and, rising only, against
    ``alt_vac`` (m; ignored when ≤ 0). Returns
    (fraction of the step, kind, index); kind -1 when none. A kink closer than
    ``S_EDGE`` of the step to either end stays inside it (the step's error from it is then
    ~S_EDGE² of a full kink's) — except ``alt_vac``, which only picks the grid.
    """
    s_best = 2.0
    kind = -1
    idx = -1
    if q_a >= 0.0 and q_b >= 0.0:
        g0 = q_a - q_thr
        g1 = q_b - q_thr
        if g0 * g1 < 0.0:
            s = g0 / (g0 - g1)
            if S_EDGE < s < 1.0 - S_EDGE and s < s_best:
                s_best, kind, idx = s, EV_Q, 0
    for j in range(kink_alt.size):
        g0 = alt_a - kink_alt[j]
        g1 = alt_b - kink_alt[j]
        if g0 * g1 < 0.0:
            s = g0 / (g0 - g1)
            if S_EDGE < s < 1.0 - S_EDGE and s < s_best:
                s_best, kind, idx = s, EV_ALT, j
    if alt_vac > 0.0 and alt_a < alt_vac <= alt_b:
        s = (alt_vac - alt_a) / (alt_b - alt_a)
        if s < s_best:
            s_best, kind, idx = s, EV_VAC, 0
    return s_best, kind, idx


@numba.njit(cache=True, inline="always")
def _rk4_from(y0, y, t, h, k1, k2, k3, k4, mode, t_ign, thrust_avg, isp, tb, prof, P, nvec, dir2,
              body, cd_tab, alt0, dalt, atm, diag):
    """One RK4 step of ``h`` s from (``t``, ``y0``) with its first stage ``k1`` given, into ``y``."""
    ns = y0.size
    for i in range(ns):
        y[i] = y0[i] + 0.5 * h * k1[i]
    _rhs(t + 0.5 * h, y, k2, mode, t_ign, thrust_avg, isp, tb, prof, P, nvec, dir2, body,
         cd_tab, alt0, dalt, atm, diag, False)
    for i in range(ns):
        y[i] = y0[i] + 0.5 * h * k2[i]
    _rhs(t + 0.5 * h, y, k3, mode, t_ign, thrust_avg, isp, tb, prof, P, nvec, dir2, body,
         cd_tab, alt0, dalt, atm, diag, False)
    for i in range(ns):
        y[i] = y0[i] + h * k3[i]
    _rhs(t + h, y, k4, mode, t_ign, thrust_avg, isp, tb, prof, P, nvec, dir2, body,
         cd_tab, alt0, dalt, atm, diag, False)
    for i in range(ns):
        y[i] = y0[i] + h / 6.0 * (k1[i] + 2.0 * k2[i] + 2.0 * k3[i] + k4[i])


@numba.njit(cache=True, inline="always")
def _sample(t, y, mode, P, body, diag, out, hist, record, nrec):
    """Fold the diagnostics ``diag`` of the state (``t``, ``y``) into the maxima in ``out``
    and, when ``record``, append a history row; returns the rows written so far."""
    if diag[0] > out[O_MAX_Q]:
        out[O_MAX_Q] = diag[0]
    if diag[1] > out[O_MAX_ACC]:
        out[O_MAX_ACC] = diag[1]
    if mode > 0:
        if diag[2] * diag[0] > out[O_MAX_ALPHA_Q]:
            out[O_MAX_ALPHA_Q] = diag[2] * diag[0]
        if diag[0] > P[I_ALPHA_Q_PA] and diag[2] > out[O_MAX_ALPHA]:
            out[O_MAX_ALPHA] = diag[2]
        if diag[4] > out[O_MAX_AXIAL]:
            out[O_MAX_AXIAL] = diag[4]
        if mode == 1 and diag[2] > out[O_MAX_ALPHA_ALL]:
            out[O_MAX_ALPHA_ALL] = diag[2]
    if record and nrec < hist.shape[0]:
        omega = body[4]
        wx = y[3] + omega * y[1]
        wy = y[4] - omega * y[0]
        hist[nrec, H_T] = t
        hist[nrec, H_ALT] = diag[3]
        hist[nrec, H_VREL] = math.sqrt(wx * wx + wy * wy + y[5] * y[5])
        hist[nrec, H_Q] = diag[0]
        hist[nrec, H_ACC] = diag[1]
        hist[nrec, H_MASS] = y[6]
        hist[nrec, H_MODE] = mode
        hist[nrec, H_ALPHA] = diag[2]
        hist[nrec, H_VIN] = math.sqrt(y[3] * y[3] + y[4] * y[4] + y[5] * y[5])
        hist[nrec, H_AXIAL] = diag[4]
        hist[nrec, H_THRUST] = diag[5]
        for j in range(3):
            hist[nrec, H_R0 + j] = y[j]
            hist[nrec, H_V0 + j] = y[3 + j]
            hist[nrec, H_B0 + j] = diag[6 + j]
        nrec += 1
    return nrec


@numba.njit(cache=True)
def _phase(y, t0, t1, dt_max, mode, t_ign, thrust_avg, isp, tb, prof, P, nvec, dir2, body,
           cd_tab, alt0, dalt, atm, kink_alt, ws, diag, out, hist, record, nrec,
           alt_floor, alt_vac):
    """Integrate one phase from t0 to t1 with RK4; returns (status, records written).

    A step that would carry a kink of the right-hand side inside it (see
    :func:`_first_crossing`) is cut at the kink, located to ``EV_TOL_S`` by regula falsi
    on the step's own RK4 solution, and the rest of the grid step follows. With
    ``alt_vac`` > 0 (m; every caller passes it, -1 for none, so the function has one
    compiled specialisation), the step that reaches ``alt_vac`` ends there and the rest of the
    phase, above the sensible atmosphere, takes steps ``VAC_STEP_FACTOR`` times longer (a
    new grid from that point, so the result stays continuous).
    """
    if t1 <= t0:
        return STATUS_OK, nrec
    # full steps of dt_max and one shorter final step: the result is continuous in the
    # phase duration (no jump when the step count changes), which finite differences need
    n_full = int((t1 - t0) / dt_max)
    rem = (t1 - t0) - n_full * dt_max
    n = n_full + 1 if rem > 1e-9 * dt_max else n_full
    k1 = ws[0]
    k2 = ws[1]
    k3 = ws[2]
    k4 = ws[3]
    y0 = ws[4]
    ns = y.size
    q_thr = P[I_ALPHA_Q_PA]
    step = 0
    t = t0
    on_grid = True
    vac_hit = False
    while step < n:
        if on_grid:
            t = t0 + step * dt_max
            h = dt_max if step < n_full else rem
        else:  # the rest of a step that was ended at a kink
            h = (t0 + (step + 1) * dt_max if step < n_full else t1) - t
        _rhs(t, y, k1, mode, t_ign, thrust_avg, isp, tb, prof, P, nvec, dir2, body, cd_tab,
             alt0, dalt, atm, diag, True)
        if alt_vac > 0.0 and (vac_hit or diag[3] >= alt_vac):
            # above the air: a coarser grid from here to the end of the phase
            alt_vac = -1.0
            t0 = t
            dt_max = dt_max * VAC_STEP_FACTOR
            n_full = int((t1 - t0) / dt_max)
            rem = (t1 - t0) - n_full * dt_max
            n = n_full + 1 if rem > 1e-9 * dt_max else n_full
            step = 0
            on_grid = True
            if n == 0:
                break
            h = dt_max if n_full > 0 else rem
        nrec = _sample(t, y, mode, P, body, diag, out, hist, record, nrec)
        alt_a = diag[3]
        q_a = diag[9] if P[I_ALPHA_LIM] > 0.0 else -1.0
        for i in range(ns):
            y0[i] = y[i]
        _rk4_from(y0, y, t, h, k1, k2, k3, k4, mode, t_ign, thrust_avg, isp, tb, prof, P, nvec,
                  dir2, body, cd_tab, alt0, dalt, atm, diag)
        alt_b, q_b = _event_values(y, mode, P, body, alt0, dalt, atm)
        s, kind, idx = _first_crossing(alt_a, q_a, alt_b, q_b, q_thr, kink_alt, alt_vac)
        split = kind >= 0 and s < 1.0
        if kind == EV_VAC:
            vac_hit = True
        if split:
            # regula falsi (Illinois) on the step length, bracketed by the step's two ends
            g_lo = _event_g(kind, idx, alt_a, q_a, q_thr, kink_alt, alt_vac)
            g_hi = _event_g(kind, idx, alt_b, q_b, q_thr, kink_alt, alt_vac)
            s_lo = 0.0
            s_hi = 1.0
            side = 0
            s_eval = s
            for _ in range(EV_MAX_ITER):
                s_eval = s
                _rk4_from(y0, y, t, s * h, k1, k2, k3, k4, mode, t_ign, thrust_avg, isp, tb,
                          prof, P, nvec, dir2, body, cd_tab, alt0, dalt, atm, diag)
                alt_s, q_s = _event_values(y, mode, P, body, alt0, dalt, atm)
                g = _event_g(kind, idx, alt_s, q_s, q_thr, kink_alt, alt_vac)
                if g * g_lo > 0.0:
                    s_lo, g_lo = s, g
                    if side == -1:
                        g_hi *= 0.5
                    side = -1
                else:
                    s_hi, g_hi = s, g
                    if side == 1:
                        g_lo *= 0.5
                    side = 1
                s_new = s_lo + (s_hi - s_lo) * g_lo / (g_lo - g_hi)
                if abs(s_new - s) * h < EV_TOL_S:
                    break
                s = s_new
            h = s_eval * h
        if _altitude(y[0], y[1], y[2], body[1], body[2]) < alt_floor:
            out[O_T_END] = t + h
            return STATUS_IMPACT, nrec
        if split:
            t += h
            on_grid = False
        else:
            step += 1
            on_grid = True
    # the phase's last instant (a burnout: the largest axial load of a stage) is sampled too
    _rhs(t1, y, k1, mode, t_ign, thrust_avg, isp, tb, prof, P, nvec, dir2, body, cd_tab,
         alt0, dalt, atm, diag, True)
    nrec = _sample(t1, y, mode, P, body, diag, out, hist, record, nrec)
    return STATUS_OK, nrec


@numba.njit(cache=True)
def _time_to_apoapsis(rx, ry, rz, vx, vy, vz, mu):
    """Two-body time from now to the next apoapsis, s; 0 if past it or not elliptic."""
    r = math.sqrt(rx * rx + ry * ry + rz * rz)
    v2 = vx * vx + vy * vy + vz * vz
    energy = 0.5 * v2 - mu / r
    if energy >= 0.0:
        return 0.0
    a = -mu / (2.0 * energy)
    rv = rx * vx + ry * vy + rz * vz
    ecos = 1.0 - r / a
    esin = rv / math.sqrt(mu * a)
    ecc_anom = math.atan2(esin, ecos)
    mean_anom = ecc_anom - esin
    if mean_anom < 0.0:  # between apoapsis and periapsis (descending): ignite now
        return 0.0
    n = math.sqrt(mu / (a * a * a))
    return (math.pi - mean_anom) / n


@numba.njit(cache=True, inline="always")
def _apse_speed(r1, r2, mu):
    """Speed at apse radius ``r1`` of the orbit whose other apse is ``r2``, m/s."""
    return math.sqrt(2.0 * mu * r2 / (r1 * (r1 + r2)))


@numba.njit(cache=True)
def target_correction_dv(rp, ra, rp_t, ra_t, mu):
    """Signed tangential burns that turn the orbit (rp, ra) into (rp_t, ra_t), m/s.

    First burn at the apoapsis ``ra`` moves the opposite apse to ``rp_t``; the second, at
    ``rp_t``, moves the opposite apse from ``ra`` to ``ra_t``. Radii in m. Returns (dv1, dv2);
    |dv1| + |dv2| is the Δv the delivered orbit still lacks (or has in excess).
    """
    dv1 = _apse_speed(ra, rp_t, mu) - _apse_speed(ra, rp, mu)
    dv2 = _apse_speed(rp_t, ra_t, mu) - _apse_speed(rp_t, ra, mu)
    return dv1, dv2


@numba.njit(cache=True)
def _impulse_cost(r, vr, vh, dv, p, mu, rp_t, ra_t):
    """Squared target-correction Δv after an impulse ``dv`` at pitch ``p`` (rad)."""
    vr1 = vr + dv * math.sin(p)
    vh1 = vh + dv * math.cos(p)
    energy = 0.5 * (vr1 * vr1 + vh1 * vh1) - mu / r
    if energy >= 0.0:
        return 1e12 + energy
    h = r * vh1
    e = math.sqrt(max(0.0, 1.0 + 2.0 * energy * h * h / (mu * mu)))
    a = -mu / (2.0 * energy)
    rp = max(a * (1.0 - e), 1.0)
    ra = a * (1.0 + e)
    d1, d2 = target_correction_dv(rp, ra, rp_t, ra_t, mu)
    return d1 * d1 + d2 * d2


@numba.njit(cache=True)
def srm2_target_pitch(r, vr, vh, dv, mu, rp_t, ra_t):
    """On-board SRM2 pitch above the local horizontal (rad) that best reaches the target.

    Impulsive prediction from the navigated state at ignition (radius ``r``, radial and
    horizontal speeds ``vr``, ``vh``) with the stage's nominal Δv ``dv``: golden-section
    search over ±60° for the pitch minimising the squared target-correction Δv.
    """
    lo = -math.pi / 3.0
    hi = math.pi / 3.0
    gr = 0.5 * (math.sqrt(5.0) - 1.0)
    c = hi - gr * (hi - lo)
    d = lo + gr * (hi - lo)
    fc = _impulse_cost(r, vr, vh, dv, c, mu, rp_t, ra_t)
    fd = _impulse_cost(r, vr, vh, dv, d, mu, rp_t, ra_t)
    for _ in range(48):
        if fc < fd:
            hi = d
            d = c
            fd = fc
            c = hi - gr * (hi - lo)
            fc = _impulse_cost(r, vr, vh, dv, c, mu, rp_t, ra_t)
        else:
            lo = c
            c = d
            fc = fd
            d = lo + gr * (hi - lo)
            fd = _impulse_cost(r, vr, vh, dv, d, mu, rp_t, ra_t)
    return 0.5 * (lo + hi)


@numba.njit(cache=True)
def init_working_slots(P):
    """Fill the working slots of a parameter row ``P`` (in place) before a flight."""
    P[I_CL_DTH] = 0.0
    P[I_CL_COS] = 1.0
    P[I_CL_SIN] = 0.0
    P[I_SEG] = SEG_VERTICAL
    P[I_TAN_KICK] = math.tan(P[I_TH_KICK])
    P[I_TAN_END] = math.tan(P[I_TH_END])
    P[I_MIS1_INORM] = 1.0 / math.sqrt(1.0 + P[I_MIS1_1] ** 2 + P[I_MIS1_2] ** 2)
    for j in range(int(P[I_N_NODES])):
        P[I_TAN_NODE0 + j] = math.tan(P[I_NODE0 + j])


@numba.njit(cache=True)
def fly(P, body, prof1, prof2, cd_tab, alt0, dalt, atm, kink_alt, out, hist, record):
    """Fly one ascent. ``P``: parameter vector (N_PARAM); ``out``: N_OUT results.

    Returns the number of history rows written (0 unless ``record``).
    """
    for i in range(out.size):
        out[i] = 0.0
    P = P.copy()  # the SRM1 loop and the segment counter write into the row's working slots
    init_working_slots(P)
    mu = body[0]
    omega = body[4]
    ws = np.zeros((N_WS, N_STATE))
    diag = np.zeros(N_DIAG)
    y = np.zeros(N_STATE)
    lat = P[I_LAT]
    lon = P[I_LON]
    x0, y0, z0 = geodetic_to_fixed(lat, lon, P[I_ALT], body[1], body[2])
    # geodetic up (surface normal) for the ejection
    nux = math.cos(lat) * math.cos(lon)
    nuy = math.cos(lat) * math.sin(lon)
    nuz = math.sin(lat)
    y[0], y[1], y[2] = x0, y0, z0
    ve = P[I_EJECT_V]
    y[3] = -omega * y0 + ve * nux
    y[4] = omega * x0 + ve * nuy
    y[5] = ve * nuz
    y[6] = P[I_M0]
    out[O_VREL0] = ve
    alt_floor = P[I_ALT] - 10.0
    # trajectory plane normal from the launch azimuth (geocentric local frame)
    r0 = math.sqrt(x0 * x0 + y0 * y0 + z0 * z0)
    ux, uy, uz = x0 / r0, y0 / r0, z0 / r0
    rho_xy = math.sqrt(x0 * x0 + y0 * y0)
    ex, ey, ez = -y0 / rho_xy, x0 / rho_xy, 0.0  # east
    nx_, ny_, nz_ = uy * ez - uz * ey, uz * ex - ux * ez, ux * ey - uy * ex  # north = up × east
    az = P[I_AZ]
    dx = math.cos(az) * nx_ + math.sin(az) * ex
    dy = math.cos(az) * ny_ + math.sin(az) * ey
    dz = math.cos(az) * nz_ + math.sin(az) * ez
    nvec = np.empty(3)
    nvec[0] = uy * dz - uz * dy
    nvec[1] = uz * dx - ux * dz
    nvec[2] = ux * dy - uy * dx
    dir2 = np.zeros(3)
    dtb = P[I_DT_BURN]
    dtc = P[I_DT_COAST]
    nrec = 0
    # 1) free flight after ejection
    t = 0.0
    t_ig = P[I_IGN_DELAY]
    st, nrec = _phase(y, t, t_ig, dtb, 0, 0.0, 0.0, 1.0, 1.0, prof1, P, nvec, dir2, body, cd_tab,
                      alt0, dalt, atm, kink_alt, ws, diag, out, hist, record, nrec,
                      alt_floor, -1.0)
    # 2) SRM1: phase boundaries at the steering kinks and the (dispersed) burnout
    tb1 = P[I_TB1]
    isp1 = P[I_ISP1]
    f1 = P[I_PROP1] * isp1 * G0_M_S2 / tb1
    b1 = t_ig + min(P[I_T_VERT], tb1)
    b2 = t_ig + min(P[I_T_VERT] + P[I_T_PO], tb1)
    b3 = t_ig + min(P[I_TB1_NOM], tb1)
    b4 = t_ig + tb1
    # the first seconds (rise, pitch-over, the α limiter opening as q grows) turn fast: a
    # step grid graded with the time since ignition (GRADE_T_S, GRADE_F), fixed in time so
    # the result stays continuous in the guidance parameters
    bounds = np.empty(5 + GRADE_T_S.size)
    bounds[0] = t_ig
    bounds[1] = b1
    bounds[2] = b2
    bounds[3] = b3
    bounds[4] = b4
    for j in range(GRADE_T_S.size):
        bounds[5 + j] = min(t_ig + GRADE_T_S[j], b3)
    bounds.sort()
    cl_on = P[I_CL_ON] > 0.0
    t_cl = t_ig + P[I_CL_T0]
    dt_cl = P[I_CL_DT]
    for k in range(bounds.size - 1):
        if st != STATUS_OK:
            break
        ta = bounds[k]
        tb_ = bounds[k + 1]
        if tb_ <= ta:
            continue
        dtk = dtb
        for j in range(GRADE_T_S.size):
            if ta - t_ig < GRADE_T_S[j] - 1e-9:
                dtk = GRADE_F[j] * dtb
                break
        if tb_ <= b1:
            P[I_SEG] = SEG_VERTICAL
        elif tb_ <= b2:
            P[I_SEG] = SEG_PITCHOVER
        else:
            P[I_SEG] = SEG_PROGRAMME
        while True:
            # guidance updates at t_cl + j dt_cl: the segment is cut there
            te = tb_
            if cl_on and tb_ > ta:
                if ta >= t_cl - 1e-9:
                    j = math.floor((ta - t_cl) / dt_cl + 1e-6)
                    if abs(ta - (t_cl + j * dt_cl)) < 1e-6 * dt_cl:
                        P[I_CL_DTH] = srm1_guidance_update(y, ta - t_ig, P, nvec, mu)
                        P[I_CL_COS] = math.cos(P[I_CL_DTH])
                        P[I_CL_SIN] = math.sin(P[I_CL_DTH])
                    te = min(tb_, t_cl + (j + 1) * dt_cl)
                else:
                    te = min(tb_, t_cl)
            st, nrec = _phase(y, ta, te, dtk, 1, t_ig, f1, isp1, tb1, prof1, P, nvec, dir2, body,
                              cd_tab, alt0, dalt, atm, kink_alt, ws, diag, out, hist, record, nrec,
                              alt_floor, -1.0)
            ta = te
            if st != STATUS_OK or ta >= tb_:
                break
    t = b4
    out[O_T_BO1] = t
    out[O_G_BO1] = y[8]
    out[O_D_BO1] = y[9]
    out[O_S_BO1] = y[10]
    out[O_VIN_BO1] = math.sqrt(y[3] * y[3] + y[4] * y[4] + y[5] * y[5])
    if st == STATUS_OK:
        out[O_ALT_BO1] = _altitude(y[0], y[1], y[2], body[1], body[2])
        # 3) SRM1 jettison and coast
        y[6] -= P[I_DROP1]
        if P[I_APO_LEAD] >= 0.0:
            coast = _time_to_apoapsis(y[0], y[1], y[2], y[3], y[4], y[5], mu) - P[I_APO_LEAD]
            if coast < 0.0:
                coast = 0.0
        else:
            coast = P[I_COAST]
        out[O_COAST] = coast
        st, nrec = _phase(y, t, t + coast, dtc, 0, 0.0, 0.0, 1.0, 1.0, prof1, P, nvec, dir2, body,
                          cd_tab, alt0, dalt, atm, kink_alt, ws, diag, out, hist, record, nrec,
                          alt_floor, VAC_ALT_M)
        t += coast
    out[O_G_IGN2] = y[8]
    out[O_D_IGN2] = y[9]
    if st == STATUS_OK:
        out[O_ALT_IGN2] = _altitude(y[0], y[1], y[2], body[1], body[2])
        # 4) SRM2 attitude: pitch above the local horizontal, yaw out of the current orbit
        # plane, set at ignition and held in inertial space (spin-stabilised)
        rn = math.sqrt(y[0] ** 2 + y[1] ** 2 + y[2] ** 2)
        ux, uy, uz = y[0] / rn, y[1] / rn, y[2] / rn
        hx = y[1] * y[5] - y[2] * y[4]
        hy = y[2] * y[3] - y[0] * y[5]
        hz = y[0] * y[4] - y[1] * y[3]
        hn = math.sqrt(hx * hx + hy * hy + hz * hz)
        hx, hy, hz = hx / hn, hy / hn, hz / hn
        dx, dy, dz = hy * uz - hz * uy, hz * ux - hx * uz, hx * uy - hy * ux
        p2 = P[I_P2]
        y2 = P[I_Y2]
        if P[I_SRM2_LAW] == SRM2_LAW_TARGET:
            # closed loop: the pitch that best reaches the target from the navigated state,
            # plus the designed bias (finite-burn effects)
            vr_ = (y[3] * ux + y[4] * uy + y[5] * uz)
            vh_ = math.sqrt(max(0.0, y[3] ** 2 + y[4] ** 2 + y[5] ** 2 - vr_ * vr_))
            p2 += srm2_target_pitch(rn, vr_, vh_, P[I_DV2_NOM], mu, P[I_RP_T], P[I_RA_T])
        out[O_P2_FLOWN] = p2
        ax_ = math.cos(p2) * math.cos(y2) * dx + math.sin(p2) * ux + math.cos(p2) * math.sin(y2) * hx
        ay_ = math.cos(p2) * math.cos(y2) * dy + math.sin(p2) * uy + math.cos(p2) * math.sin(y2) * hy
        az_ = math.cos(p2) * math.cos(y2) * dz + math.sin(p2) * uz + math.cos(p2) * math.sin(y2) * hz
        # pointing errors (misalignment, tip-off, attitude) about two axes normal to it
        e1x, e1y, e1z = ay_ * hz - az_ * hy, az_ * hx - ax_ * hz, ax_ * hy - ay_ * hx
        e1n = math.sqrt(e1x * e1x + e1y * e1y + e1z * e1z)
        e1x, e1y, e1z = e1x / e1n, e1y / e1n, e1z / e1n
        e2x, e2y, e2z = ay_ * e1z - az_ * e1y, az_ * e1x - ax_ * e1z, ax_ * e1y - ay_ * e1x
        ax_ += P[I_ERR2_1] * e1x + P[I_ERR2_2] * e2x
        ay_ += P[I_ERR2_1] * e1y + P[I_ERR2_2] * e2y
        az_ += P[I_ERR2_1] * e1z + P[I_ERR2_2] * e2z
        an = math.sqrt(ax_ * ax_ + ay_ * ay_ + az_ * az_)
        dir2[0], dir2[1], dir2[2] = ax_ / an, ay_ / an, az_ / an
        tb2 = P[I_TB2]
        isp2 = P[I_ISP2]
        f2 = P[I_PROP2] * isp2 * G0_M_S2 / tb2
        st, nrec = _phase(y, t, t + tb2, dtb * SRM2_STEP_FACTOR, 2, t, f2, isp2, tb2, prof2, P, nvec,
                          dir2, body,
                          cd_tab, alt0, dalt, atm, kink_alt, ws, diag, out, hist, record, nrec,
                          alt_floor, -1.0)
        if st == STATUS_OK:
            out[O_T_END] = t + tb2
    for i in range(6):
        out[O_RX + i] = y[i]
    out[O_MASS] = y[6]
    out[O_DV_THRUST] = y[7]
    out[O_G_LOSS] = y[8]
    out[O_D_LOSS] = y[9]
    out[O_S_LOSS] = y[10]
    out[O_C_GAIN] = y[11]
    out[O_STATUS] = st
    return nrec


@numba.njit(cache=True, parallel=True)
def fly_batch(P, body, prof1, prof2, cd_tab, alt0, dalt, atm, kink_alt, out):
    """Fly every row of ``P`` (n, N_PARAM) in parallel into ``out`` (n, N_OUT)."""
    dummy = np.zeros((1, N_HIST))
    # a run-time False (not the literal), so this call shares the single-trajectory
    # specialisation of ``fly`` (one compilation, one cache entry, instead of two)
    record = P.shape[0] < 0
    for k in prange(P.shape[0]):
        fly(P[k], body, prof1, prof2, cd_tab, alt0, dalt, atm, kink_alt, out[k], dummy,
            record)
