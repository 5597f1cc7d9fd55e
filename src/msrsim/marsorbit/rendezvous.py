"""Rendezvous of the ERO with the OS: plane match, phasing, far approach, CW hops, capture.

Plane differences are removed either with the ion engines (Edelbaum's constant-radius
plane change, Δv = (pi/2) v θ) or by waiting in a drift orbit where J2 moves the ERO's
node relative to the OS's (:func:`plane_change_trade` gives the time-versus-Δv curve).
Terminal guidance uses the closed-form Clohessy–Wiltshire two-impulse transfers of
:mod:`msrsim.kernels.cw` in the OS's Hill frame (x radial, y along-track, z normal).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..bodies import MARS
from ..constants import SECONDS_PER_DAY
from ..kernels.elements import j2_secular_rates


def _vc(r_m):
    return np.sqrt(MARS.mu_m3_s2 / np.asarray(r_m, dtype=float))


def plane_angle_rad(i1_rad, i2_rad, draan_rad):
    """Angle between two orbit planes from their inclinations and node difference, rad."""
    c = np.cos(i1_rad) * np.cos(i2_rad) + np.sin(i1_rad) * np.sin(i2_rad) * np.cos(draan_rad)
    return np.arccos(np.clip(c, -1.0, 1.0))


def node_rate_rad_s(alt_km, inclination_deg):
    """J2 secular node rate of a circular Mars orbit, rad/s."""
    a = MARS.r_eq_m + np.asarray(alt_km, dtype=float) * 1e3
    return j2_secular_rates(a, 0.0, np.radians(inclination_deg), MARS.mu_m3_s2, MARS.r_eq_m, MARS.j2)[0]


def plane_change_trade(os_alt_km, inclination_deg, delta_raan_deg, drift_offsets_km):
    """Waiting out a node difference with J2: wait time and Δv versus drift altitude.

    The ERO leaves the OS's altitude for a drift orbit ``offset`` km away, where J2 moves
    its node relative to the OS's node, waits until the node difference is gone, and
    returns (two coplanar low-thrust transfers, Δv = 2 |v_c(h) - v_c(h + offset)|).

    Parameters
    ----------
    os_alt_km, inclination_deg : float
        OS circular orbit altitude (km) and inclination (deg).
    delta_raan_deg : float
        OS node minus ERO node, deg.
    drift_offsets_km : array_like
        Drift-orbit altitude offsets from the OS orbit, km (non-zero).

    Returns
    -------
    wait_days, dv_m_s : numpy.ndarray
        Time in the drift orbit and Δv of the two transfers.
    """
    off = np.asarray(drift_offsets_km, dtype=float)
    w_os = node_rate_rad_s(os_alt_km, inclination_deg)
    w_ero = node_rate_rad_s(os_alt_km + off, inclination_deg)
    rel = w_ero - w_os  # ERO node relative to OS node, rad/s
    need = np.radians(delta_raan_deg)
    # the ERO node must move by +need (mod 2 pi) in the direction of ``rel``
    angle = np.where(rel > 0, need % (2 * np.pi), (-need) % (2 * np.pi))
    with np.errstate(divide="ignore"):
        wait = np.where(rel != 0, angle / np.abs(rel), np.inf)
    r0 = MARS.r_eq_m + os_alt_km * 1e3
    dv = 2 * np.abs(_vc(r0) - _vc(r0 + off * 1e3))
    return wait / SECONDS_PER_DAY, dv


def plane_change_dv_m_s(alt_km, plane_angle_rad_, low_thrust=True):
    """Δv of a plane change at constant circular radius, m/s.

    Low thrust: Edelbaum, (pi/2) v θ; impulsive: 2 v sin(θ/2) (one burn at the node).
    """
    v = _vc(MARS.r_eq_m + np.asarray(alt_km, dtype=float) * 1e3)
    th = np.asarray(plane_angle_rad_, dtype=float)
    return 0.5 * np.pi * v * th if low_thrust else 2 * v * np.sin(0.5 * th)


@dataclass(frozen=True)
class RendezvousResult:
    """Plan of the rendezvous. Speeds m/s, times days unless named otherwise.

    ``phases`` lists (name, dv_m_s, duration_days, how) in order; ``trajectory_hill_m``
    is the terminal approach sampled in the Hill frame (n, 3) for plotting;
    ``trade`` holds the plane-change trade curve (offsets km, wait days, Δv m/s).
    """

    dv_total_m_s: float
    duration_days: float
    plane_strategy: str
    delta_raan_deg: float
    plane_angle_deg: float
    phases: list
    min_range_outside_final_m: float
    keep_out_ok: bool
    passively_safe: bool
    capture_speed_m_s: float
    trajectory_hill_m: np.ndarray = field(repr=False)
    trade: dict = field(repr=False)


def _sample_arc(r0, v0, tof, n, k=60):
    from ..kernels.cw import cw_propagate

    t = np.linspace(0.0, tof, k)
    r, _ = cw_propagate(np.broadcast_to(r0, (k, 3)), np.broadcast_to(v0, (k, 3)), t, n)
    return r


def plan_rendezvous(os, ero, rdv, ero_mass_kg, ep_thrust_n, delta_raan_deg=None) -> RendezvousResult:
    """Plan the ERO's rendezvous with the OS from its working orbit.

    Parameters
    ----------
    os : OSParams
        The OS orbit (treated as circular at its mean altitude for phasing and CW).
    ero : EROParams
        Working orbit altitude.
    rdv : RendezvousParams
        Plane mismatch, phasing, approach and capture settings.
    ero_mass_kg : float
        ERO mass at the start of rendezvous, kg.
    ep_thrust_n : float
        Ion-engine thrust available, N (sets the duration of low-thrust manoeuvres).
    delta_raan_deg : float, optional
        OS node minus ERO node at the start of rendezvous, deg (the chain computes it,
        :mod:`msrsim.marsorbit.nodes`); ``rdv.delta_raan_deg`` overrides it when set.
    """
    from ..errors import ConfigError
    from ..kernels.cw import cw_propagate, cw_two_impulse, mean_motion_rad_s

    if rdv.delta_raan_deg is not None:
        draan = float(rdv.delta_raan_deg)
    elif delta_raan_deg is not None:
        draan = float(delta_raan_deg)
    else:
        raise ConfigError("RendezvousParams.delta_raan_deg=None and no node difference from the chain; "
                          "give delta_raan_deg in -180..180 deg")
    h_os = 0.5 * (os.periapsis_alt_km + os.apoapsis_alt_km)
    r_os = MARS.r_eq_m + h_os * 1e3
    inc = os.inclination_deg
    n = float(mean_motion_rad_s(r_os, MARS.mu_m3_s2))
    period = 2 * np.pi / n
    acc = ep_thrust_n / ero_mass_kg
    phases = []

    def add(name, dv, days, how):
        phases.append((name, float(dv), float(days), how))

    # 1. working orbit -> OS altitude (low thrust, coplanar)
    dv_alt = abs(float(_vc(MARS.r_eq_m + ero.working_alt_km * 1e3) - _vc(r_os)))
    add("match altitude", dv_alt, dv_alt / acc / SECONDS_PER_DAY, "ion engines")
    # 2. plane: inclination always paid; node paid or waited out
    di = np.radians(rdv.delta_inclination_deg)
    dv_inc = float(plane_change_dv_m_s(h_os, di))
    offsets = np.concatenate([np.linspace(-200.0, -5.0, 40), np.linspace(5.0, 600.0, 60)])
    wait, dv_drift = plane_change_trade(h_os, inc, draan, offsets)
    theta_node = float(plane_angle_rad(np.radians(inc), np.radians(inc), np.radians(draan)))
    theta = float(plane_angle_rad(np.radians(inc), np.radians(inc) + di, np.radians(draan)))
    dv_node = float(plane_change_dv_m_s(h_os, theta_node))
    # drift orbit: the configured |offset| on the side that closes the node gap sooner, or
    # ("auto") the cheapest offset on the trade curve that fits in the allowed wait
    mag = abs(rdv.drift_alt_offset_km)
    w_pm, dv_pm = plane_change_trade(h_os, inc, draan, [-mag, mag])
    k = int(np.argmin(w_pm))
    drift_off, w_sel, dv_sel = (-mag, mag)[k], float(w_pm[k]), float(dv_pm[k])
    strategy = rdv.plane_strategy
    if strategy == "auto":
        feasible = wait <= rdv.max_plane_wait_days
        dv_pay = float(plane_change_dv_m_s(h_os, theta))
        if np.any(feasible) and float(np.min(np.where(feasible, dv_drift, np.inf))) + dv_inc < dv_pay:
            k = int(np.argmin(np.where(feasible, dv_drift, np.inf)))
            drift_off, w_sel, dv_sel = float(offsets[k]), float(wait[k]), float(dv_drift[k])
            strategy = "drift"
        else:
            strategy = "dv"
    if strategy == "dv":
        dv_plane = float(plane_change_dv_m_s(h_os, theta))
        add("plane change (i and node)", dv_plane, dv_plane / acc / SECONDS_PER_DAY, "ion engines")
    else:
        add("inclination change", dv_inc, dv_inc / acc / SECONDS_PER_DAY, "ion engines")
        add(f"node drift at {drift_off:+.0f} km", dv_sel,
            w_sel + dv_sel / acc / SECONDS_PER_DAY, "J2 differential precession")
    # 3. in-plane phasing from a lower/higher orbit
    dh = rdv.phasing_alt_offset_km * 1e3
    n_ph = float(mean_motion_rad_s(r_os + dh, MARS.mu_m3_s2))
    dn = n_ph - n  # > 0: ERO below, catching up
    phase = np.radians(rdv.phase_angle_deg)
    need = phase if dn > 0 else (2 * np.pi - phase)
    t_phase = need / abs(dn) if need > 0 else 0.0
    dv_ph = abs(float(_vc(r_os + dh) - _vc(r_os)))  # into the phasing orbit
    add("phasing", dv_ph, t_phase / SECONDS_PER_DAY + dv_ph / acc / SECONDS_PER_DAY, "ion engines")
    # 4. far-range approach: coelliptic drift from detection to the transfer start, then
    #    a CW two-impulse transfer to the far hold point on the V-bar (batched search)
    x0 = dh  # radial offset of the phasing orbit
    vy_drift = -1.5 * n * x0  # coelliptic along-track drift rate (CW)
    sgn = 1.0 if vy_drift > 0 else -1.0  # below: approach from behind (y < 0)
    hold_far = np.array([0.0, -sgn * rdv.far_hold_m, 0.0])
    y_starts = -sgn * (rdv.far_hold_m + np.linspace(0.0, 40.0, 161) * abs(dh))
    tofs = np.linspace(0.3, 0.95, 66) * period
    Y, T = np.meshgrid(y_starts, tofs, indexing="ij")
    r_start = np.stack([np.full(Y.shape, x0), Y, np.zeros(Y.shape)], axis=-1)
    v_start = np.array([0.0, vy_drift, 0.0])
    dv1, dv2, ok = cw_two_impulse(r_start, v_start, hold_far, np.zeros(3), T, n, strict=False)
    cost = np.where(ok, np.linalg.norm(dv1, axis=-1) + np.linalg.norm(dv2, axis=-1), np.inf)
    i, j = np.unravel_index(np.argmin(cost), cost.shape)
    y0 = float(Y[i, j])
    tof_far = float(T[i, j])
    drift_s = max(rdv.detection_range_km * 1e3 - abs(y0), 0.0) / abs(vy_drift)
    add("far approach (coelliptic + CW transfer)", cost[i, j], (drift_s + tof_far) / SECONDS_PER_DAY,
        "thrusters")
    arc_far = _sample_arc(r_start[i, j], v_start + dv1[i, j], tof_far, n)
    # 5. V-bar radial hop far hold -> near hold (half an orbit; periodic if the second burn
    #    is missed, so passively safe)
    hold_near = np.array([0.0, -sgn * rdv.near_hold_m, 0.0])
    h1, h2 = cw_two_impulse(hold_far, np.zeros(3), hold_near, np.zeros(3), 0.5 * period, n)
    add("V-bar hop to near hold", np.linalg.norm(h1) + np.linalg.norm(h2), 0.5 * period / SECONDS_PER_DAY,
        "thrusters")
    arc_hop = _sample_arc(hold_far, h1, 0.5 * period, n)
    missed, _ = cw_propagate(np.broadcast_to(hold_far, (120, 3)), np.broadcast_to(h1, (120, 3)),
                             np.linspace(0, 2 * period, 120), n)
    passively_safe = bool(np.min(np.linalg.norm(missed, axis=-1)) > rdv.keep_out_radius_m)
    # 6. final straight-line V-bar approach at constant speed into the keep-out sphere:
    #    the Coriolis term needs a radial acceleration 2 n V for L / V, i.e. Δv = 2 n L
    length = rdv.near_hold_m - rdv.capture_range_m
    v_app = rdv.approach_speed_m_s
    dv_final = 2 * v_app + 2 * n * length
    add("final V-bar approach and capture", dv_final, length / v_app / SECONDS_PER_DAY, "thrusters")
    line = np.stack([np.zeros(40), -sgn * np.linspace(rdv.near_hold_m, rdv.capture_range_m, 40),
                     np.zeros(40)], axis=-1)
    outside = np.concatenate([arc_far, arc_hop])
    min_range = float(np.min(np.linalg.norm(outside, axis=-1)))
    dv_total = sum(p[1] for p in phases)
    duration = sum(p[2] for p in phases)
    return RendezvousResult(
        dv_total_m_s=float(dv_total), duration_days=float(duration), plane_strategy=strategy,
        delta_raan_deg=draan,
        plane_angle_deg=float(np.degrees(theta)), phases=phases,
        min_range_outside_final_m=min_range, keep_out_ok=min_range > rdv.keep_out_radius_m,
        passively_safe=passively_safe, capture_speed_m_s=float(v_app),
        trajectory_hill_m=np.concatenate([arc_far, arc_hop, line]),
        trade={"drift_offset_km": offsets, "wait_days": wait, "dv_m_s": dv_drift + dv_inc,
               "dv_pay_m_s": float(plane_change_dv_m_s(h_os, theta)), "dv_node_only_m_s": dv_node})


def rendezvous_batch(os, ero, rdv, ero_mass_kg: float, ep_thrust_n: float, delta_raan_deg, *,
                     os_alt_km=None, inclination_deg=None, delta_inclination_deg=None,
                     phase_angle_deg=None) -> dict:
    """:func:`plan_rendezvous` for many trials at once: each with its own OS orbit and geometry.

    The altitude match, the plane strategy (paid, or waited out in a drift orbit, chosen per
    trial as ``rdv.plane_strategy`` says) and the phasing are evaluated per trial with the
    same formulas as :func:`plan_rendezvous`; the terminal phases (far approach, V-bar hop,
    final approach), which depend on the OS altitude only through the mean motion (a few
    tenths of a percent over the delivered spread), are those of the scalar plan at the
    nominal OS orbit.

    Parameters
    ----------
    os, ero, rdv, ero_mass_kg, ep_thrust_n
        As :func:`plan_rendezvous`.
    delta_raan_deg : array_like, shape (n,)
        OS node minus ERO node at the start of rendezvous, deg.
    os_alt_km, inclination_deg : array_like, shape (n,), optional
        Each trial's OS mean altitude (km) and inclination (deg); default the nominal OS.
    delta_inclination_deg : array_like, shape (n,), optional
        ERO-to-OS inclination mismatch, deg; default ``rdv.delta_inclination_deg``.
    phase_angle_deg : array_like, shape (n,), optional
        OS ahead of the ERO at the start of phasing, deg; default ``rdv.phase_angle_deg``.

    Returns
    -------
    dict of numpy.ndarray
        ``dv_m_s`` (total), ``dv_ep_m_s`` (ion engines), ``duration_days``,
        ``strategy_drift`` (True where the node gap is waited out), ``plane_dv_m_s``.
    """
    from ..kernels.cw import mean_motion_rad_s

    draan = np.atleast_1d(np.asarray(delta_raan_deg, dtype=float))
    n_tr = draan.shape[0]
    h_nom = 0.5 * (os.periapsis_alt_km + os.apoapsis_alt_km)
    h = np.broadcast_to(np.asarray(h_nom if os_alt_km is None else os_alt_km, dtype=float), (n_tr,))
    inc = np.broadcast_to(np.asarray(os.inclination_deg if inclination_deg is None else inclination_deg,
                                     dtype=float), (n_tr,))
    dinc = np.broadcast_to(np.asarray(rdv.delta_inclination_deg if delta_inclination_deg is None
                                      else delta_inclination_deg, dtype=float), (n_tr,))
    phase = np.radians(np.broadcast_to(np.asarray(rdv.phase_angle_deg if phase_angle_deg is None
                                                  else phase_angle_deg, dtype=float), (n_tr,)))
    r_os = MARS.r_eq_m + h * 1e3
    acc = ep_thrust_n / ero_mass_kg
    day = SECONDS_PER_DAY
    # 1. working orbit -> OS altitude
    dv_alt = np.abs(_vc(MARS.r_eq_m + ero.working_alt_km * 1e3) - _vc(r_os))
    days = dv_alt / acc / day
    # 2. plane
    di = np.radians(dinc)
    dv_inc = plane_change_dv_m_s(h, di)
    offsets = np.concatenate([np.linspace(-200.0, -5.0, 40), np.linspace(5.0, 600.0, 60)])
    wait, dv_drift = plane_change_trade(h[:, None], inc[:, None], draan[:, None], offsets[None, :])
    theta = plane_angle_rad(np.radians(inc), np.radians(inc) + di, np.radians(draan))
    dv_pay = plane_change_dv_m_s(h, theta)
    mag = abs(rdv.drift_alt_offset_km)
    w_pm, dv_pm = plane_change_trade(h[:, None], inc[:, None], draan[:, None], np.array([[-mag, mag]]))
    k = np.argmin(w_pm, axis=1)
    rows = np.arange(n_tr)
    w_sel, dv_sel = w_pm[rows, k], dv_pm[rows, k]
    if rdv.plane_strategy == "auto":
        feasible = wait <= rdv.max_plane_wait_days
        best = np.min(np.where(feasible, dv_drift, np.inf), axis=1)
        kk = np.argmin(np.where(feasible, dv_drift, np.inf), axis=1)
        drift = np.any(feasible, axis=1) & (best + dv_inc < dv_pay)
        w_sel = np.where(drift, wait[rows, kk], w_sel)
        dv_sel = np.where(drift, dv_drift[rows, kk], dv_sel)
    else:
        drift = np.full(n_tr, rdv.plane_strategy == "drift")
    plane_dv = np.where(drift, dv_inc + dv_sel, dv_pay)
    days = days + np.where(drift, dv_inc / acc / day + w_sel + dv_sel / acc / day, dv_pay / acc / day)
    # 3. in-plane phasing
    dh = rdv.phasing_alt_offset_km * 1e3
    n0 = mean_motion_rad_s(r_os, MARS.mu_m3_s2)
    dn = mean_motion_rad_s(r_os + dh, MARS.mu_m3_s2) - n0
    need = np.where(dn > 0, phase, 2 * np.pi - phase)
    t_phase = np.where(need > 0, need / np.abs(dn), 0.0)
    dv_ph = np.abs(_vc(r_os + dh) - _vc(r_os))
    days = days + t_phase / day + dv_ph / acc / day
    dv_ep = dv_alt + plane_dv + dv_ph
    # 4-6. terminal phases from the scalar plan at the nominal orbit
    nominal = plan_rendezvous(os, ero, rdv, ero_mass_kg, ep_thrust_n, delta_raan_deg=0.0)
    term = [p for p in nominal.phases if p[3] == "thrusters"]
    dv_term = sum(p[1] for p in term)
    days_term = sum(p[2] for p in term)
    return {"dv_m_s": dv_ep + dv_term, "dv_ep_m_s": dv_ep, "duration_days": days + days_term,
            "strategy_drift": drift, "plane_dv_m_s": plane_dv}
