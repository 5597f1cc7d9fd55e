"""Reference trajectory and influence coefficients of the apollo entry guidance.

The entry terminal point controller flown by MSL and Mars 2020 (Mendeck & Craig, AIAA
2011-6639; derived from the Apollo command module's final phase, Carman et al.) steers the
range flown about a stored reference. Its tables are built here, once per case, with the
batched integrator itself:

1. the reference is the targeted nominal flown in *reference mode* (the same guidance with
   the over-control gain set to zero: pre-bank, constant vertical L/D = L/D cos(bank_deg)
   during range control with the same corridor reversals and heading alignment), so the
   guided nominal and the reference coincide;
2. along it, range-to-go R, drag acceleration D and altitude rate are tabulated against the
   planet-relative speed V over the range-control phase;
3. the influence coefficients F1 = dR/dD, F2 = dR/d(rdot) and F3 = dR/d(L/D vertical) come
   from central finite differences: from ~30 reference states, trajectories with the
   altitude (drag), the flight-path angle (altitude rate) or the L/D perturbed are flown
   open loop (reference bank, no reversals) to the ground in one batch, and the change of
   the range flown is measured along track.
"""

from __future__ import annotations

import math

import numpy as np

from ..errors import NoSolutionError
from . import _kernel as K
from .model import _local_offsets_km
from .terminal import terminal_descent

# finite-difference steps: altitude (m), flight-path angle (rad), vertical L/D
_DH_M = 150.0
_DGAM_RAD = math.radians(0.05)
_DLDV = 0.01


def build_apollo_table(prep, cfg, lat0: float, lon0: float, n_nodes: int = 30):
    """Guidance table (``(m, N_G)``, ascending speed) for ``prep``'s case from the entry place
    ``lat0, lon0`` (rad). Raises NoSolutionError if the reference never reaches range control.
    """

    e = cfg.entry
    body = prep.body
    Y0 = prep.initial_states(np.array([lat0]), np.array([lon0]), np.array([e.alt_m]),
                             np.array([e.speed_m_s]), np.array([math.radians(e.fpa_deg)]),
                             np.array([math.radians(e.azimuth_deg)]))
    P0 = prep.params(1)
    out, hist, cnt = prep.run(Y0, P0, n_hist=1, hist_samples=8000)
    h = hist[0, :int(cnt[0])]
    v_ha = cfg.vehicle.apollo.heading_alignment_speed_m_s
    sel = np.nonzero((h[:, K.H_GPHASE] >= 1) & (h[:, K.H_V] >= 0.9 * v_ha))[0]
    # keep strictly decreasing speed (drag dominates during range control)
    keep = []
    vmin = np.inf
    for i in sel:
        if h[i, K.H_V] < vmin - 1e-6:
            keep.append(i)
            vmin = h[i, K.H_V]
    keep = np.array(keep, dtype=int)
    if keep.size < 4:
        raise NoSolutionError(f"apollo guidance: the reference trajectory of {cfg.name!r} never reaches the "
                              f"range-control drag of {cfg.vehicle.apollo.range_control_drag_m_s2} m/s^2 "
                              "before landing; lower vehicle.apollo.range_control_drag_m_s2")
    rows = h[keep][::-1]  # ascending speed
    v_tab = rows[:, K.H_V]

    # nodes for the influence coefficients: uniform in speed over range control
    rc = rows[v_tab >= v_ha] if np.sum(v_tab >= v_ha) >= 4 else rows
    v_nodes = np.linspace(rc[0, K.H_V], rc[-1, K.H_V], n_nodes)
    idx = np.unique(np.clip(np.searchsorted(rc[:, K.H_V], v_nodes), 0, len(rc) - 1))
    nodes = rc[idx]
    m = len(nodes)
    ys = nodes[:, K.H_X:K.H_X + 6]
    r = np.linalg.norm(ys[:, :3], axis=1)
    u = ys[:, :3] / r[:, None]
    vel = ys[:, 3:6]
    vu = np.sum(vel * u, axis=1)
    vh = vel - vu[:, None] * u
    vhn = np.linalg.norm(vh, axis=1)
    fwd = vh / vhn[:, None]
    speed = np.linalg.norm(vel, axis=1)
    gam = np.arctan2(vu, vhn)

    Y = np.zeros((m, 7, 7))
    for c in range(7):
        Y[:, c, :6] = ys
    Y[:, 1, :3] = u * (r + _DH_M)[:, None]
    Y[:, 2, :3] = u * (r - _DH_M)[:, None]
    for c, dg in ((3, _DGAM_RAD), (4, -_DGAM_RAD)):
        g = gam + dg
        Y[:, c, 3:6] = speed[:, None] * (np.cos(g)[:, None] * fwd + np.sin(g)[:, None] * u)
    Y = Y.reshape(m * 7, 7)

    v = cfg.vehicle
    cos_ref = math.cos(math.radians(v.bank_deg))
    ld = np.full((m, 7), v.lift_to_drag)
    if abs(cos_ref) > 1e-3:
        ld[:, 5] += _DLDV / cos_ref
        ld[:, 6] -= _DLDV / cos_ref
    P = prep.params(m * 7, ld=np.maximum(ld.reshape(-1), 0.0))
    P[:, K.P_BANK] = np.repeat(nodes[:, K.H_BANK], 7)
    # open loop about the reference: reference mode, reversals disabled by a corridor wider
    # than any crossrange sine
    G_save, k_save = prep.G, prep.S[K.S_K_OVER]
    G_open = prep.corridor_table(v_tab)
    G_open[:, K.G_CORR] = 2.0
    prep.install_guidance(G_open, 0.0)
    try:
        o, _, _ = prep.run(Y, P)
    finally:
        prep.install_guidance(G_save, k_save)
    if np.any(o[:, K.O_STATUS] != K.STATUS_LANDED):
        raise NoSolutionError(f"apollo guidance: perturbed reference trajectories of {cfg.name!r} do not "
                              "all land; the reference is too close to skip-out or to the ground")
    la, lo, *_ = terminal_descent(cfg, o, body)
    la = la.reshape(m, 7)
    lo = lo.reshape(m, 7)
    # along-track direction at the base landing point: from the node's ground point
    nlat = np.arcsin(u[:, 2])
    nlon = np.arctan2(u[:, 1], u[:, 0])
    de, dn = _local_offsets_km(nlat, nlon, la[:, 0], lo[:, 0], body.r_eq_m)
    dirn = -np.stack([de, dn], axis=1)
    dirn /= np.linalg.norm(dirn, axis=1)[:, None]

    def along(c):
        pe, pn = _local_offsets_km(la[:, c], lo[:, c], la[:, 0], lo[:, 0], body.r_eq_m)
        return 1e3 * (pe * dirn[:, 0] + pn * dirn[:, 1])

    # drag at the altitude-perturbed states, from the kernel's right-hand side
    drag = np.zeros((m, 2))
    dy = np.empty(7)
    aux = np.empty(9)
    Yr = Y.reshape(m, 7, 7)
    g = prep.grid
    w = prep.wind
    for i in range(m):
        for c in (1, 2):
            K._rhs(Yr[i, c], P[i * 7 + c], prep.S, 0, 0.0, g.alt0_m, g.dalt_m, g.log_rho, g.sound_speed_m_s,
                   w[0], w[1], w[2], w[3], prep.mach_tab, prep.cd_tab, dy, aux)
            drag[i, c - 1] = aux[8]
    rdot_p = speed * np.sin(gam + _DGAM_RAD)
    rdot_m = speed * np.sin(gam - _DGAM_RAD)
    f1 = (along(1) - along(2)) / (drag[:, 0] - drag[:, 1])
    f2 = (along(3) - along(4)) / (rdot_p - rdot_m)
    f3 = (along(5) - along(6)) / (2 * _DLDV)
    vn = nodes[:, K.H_V]
    cols = {K.G_R: rows[:, K.H_RANGE], K.G_D: rows[:, K.H_DRAG], K.G_HD: rows[:, K.H_RDOT],
            K.G_F1: np.interp(v_tab, vn, f1), K.G_F2: np.interp(v_tab, vn, f2),
            K.G_F3: np.interp(v_tab, vn, f3)}
    G = prep.corridor_table(v_tab, cols)
    if not np.all(np.isfinite(G)):
        raise NoSolutionError(f"apollo guidance: non-finite influence coefficients for {cfg.name!r}")
    return G
