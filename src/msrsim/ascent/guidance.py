"""Guidance design: choose the pitch programme, the SRM2 timing and attitude for a target orbit.

The steering of :class:`~msrsim.ascent.params.GuidanceParams` is designed by direct
shooting. Free numbers: launch azimuth, vertical-rise and pitch-over durations, pitch-over
(kick) elevation, the SRM1 pitch programme (tangent of the elevation piecewise linear in
time through ``n_nodes`` interior nodes to the burnout value: a generalised linear-tangent
law that the optimiser can bend for drag, gravity and the coast arc), the SRM2 lead on
apoapsis (which sets the coast) and the SRM2 pitch and yaw.

The residuals are Δv, not altitudes: the two tangential burns and the plane change that
would still turn the delivered orbit into the target (:func:`~msrsim.ascent.core.
target_residuals_m_s`). A least-squares solve on them reaches the target when the vehicle
can, and otherwise returns the orbit that lacks the least Δv, which is the honest "best
orbit" of an unreachable target. A solid MAV cannot shut its motors down, so a vehicle with
spare Δv has many exact solutions; a weak pull towards the starting point picks one.

The design runs in two stages, both multi-started from a batched coarse grid: first the
linear-tangent law (no interior node), then the node programme started from it. Every
objective evaluation and every finite-difference Jacobian is one batched compiled call.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..bodies import MARS
from ..errors import ConfigError
from . import _dynamics as K
from .core import (
    delivered_orbit,
    kernel_inputs,
    launch_rotation_angle_rad,
    nominal_row,
    run_batch,
    target_residuals_m_s,
)
from .params import AscentConfig, GuidanceParams

# fixed variables: name, scale, lower, upper bound
_BASE_VARS = (
    ("azimuth_deg", 1.0, -360.0, 360.0),
    ("pitch_kick_deg", 5.0, 20.0, 89.5),
    ("pitch_end_deg", 5.0, -20.0, 80.0),
    ("srm2_lead_s", 10.0, 0.0, 600.0),
    ("srm2_pitch_deg", 5.0, -60.0, 60.0),
    ("srm2_yaw_deg", 2.0, -30.0, 30.0),
    ("pitchover_s", 2.0, 1.0, 30.0),
    ("vertical_rise_s", 1.0, 0.0, 15.0),
)
_NB = len(_BASE_VARS)
_NODE_VAR = (5.0, -20.0, 89.5)
_REG = 1e-3  # weak pull towards the start (per scale unit), against residuals in m/s
_LIMITED_START_TIMING = (0.3, 1.5)  # vertical rise, pitch-over (s) of the limiter's extra starts
_EXTRA_STARTS = 5  # further grid starts tried while none of the first reaches the target
_REACHED_M_S = 0.5  # residual Δv (m/s) taken as "reached" when deciding on further starts
_CONV_ALT_KM = 1.0  # "reached": apsides within 1 km and inclination within 0.01°
_CONV_INC_DEG = 0.01


@dataclass(frozen=True)
class GuidanceDesign:
    """Result of :func:`design_guidance`.

    Attributes
    ----------
    guidance : GuidanceParams
        The designed steering (apoapsis-triggered SRM2).
    orbit : dict
        Delivered orbit and Δv budget of the nominal flight (see
        :func:`~msrsim.ascent.core.delivered_orbit`), scalars; ``target_dv_m_s`` is the Δv
        the vehicle lacks for the target (≈ 0 when reached).
    converged : bool
        True when periapsis and apoapsis are within 1 km and inclination within 0.01°.
    payload_kg : float
        Payload flown (the largest that reaches the target with ``maximise_payload``).
    n_trajectories : int
        Trajectories flown by the optimisation.
    srm2_propellant_fraction : float or None
        SRM2's share of the total propellant when ``free_stage_split`` was used.
    limits_ok : bool or None
        The nominal flight keeps α ≤ ``mav.max_alpha_deg`` where q > ``mav.alpha_limit_q_pa``
        and the axial acceleration ≤ ``mav.max_axial_g`` (``orbit`` holds the maxima).
    """

    guidance: GuidanceParams
    orbit: dict
    converged: bool
    payload_kg: float
    n_trajectories: int
    srm2_propellant_fraction: float | None = None
    limits_ok: bool | None = None


def launch_azimuth_deg(lat_deg: float, inclination_deg: float, orbit_speed_m_s: float,
                       ascending: bool = True) -> float:
    """Launch azimuth (deg from north) for an inclination, corrected for Mars's rotation.

    Parameters
    ----------
    lat_deg : float
        Site latitude, deg.
    inclination_deg : float
        Target inclination, deg; below the site latitude the closest reachable is used.
    orbit_speed_m_s : float
        Inertial speed at injection, m/s.
    ascending : bool
        Launch northward (into the ascending half of the orbit) if True.
    """
    phi = math.radians(lat_deg)
    s = math.cos(math.radians(inclination_deg)) / max(math.cos(phi), 1e-9)
    s = min(1.0, max(-1.0, s))
    az_in = math.asin(s)
    if not ascending:
        az_in = math.pi - az_in
    v_rot = MARS.omega_rad_s * MARS.r_eq_m * math.cos(phi)
    ve = orbit_speed_m_s * math.sin(az_in) - v_rot
    vn = orbit_speed_m_s * math.cos(az_in)
    return math.degrees(math.atan2(ve, vn))


class _Problem:
    """Maps design vectors to kernel rows and residuals; counts trajectories."""

    def __init__(self, cfg: AscentConfig, base: GuidanceParams, n_nodes: int, free_split: bool):
        self.cfg = cfg
        self.base = base.model_copy(update={"pitch_nodes_deg": [], "srm2_trigger": "apoapsis"})
        self.inputs = kernel_inputs(cfg)
        self.n_nodes = n_nodes
        self.free_split = free_split
        self.P0 = nominal_row(cfg, self.base)
        self.payload_kg = cfg.mav.payload_kg
        self.w_rad = launch_rotation_angle_rad(cfg)
        self.count = 0
        scale = [v[1] for v in _BASE_VARS] + [_NODE_VAR[0]] * n_nodes
        lo = [v[2] for v in _BASE_VARS] + [_NODE_VAR[1]] * n_nodes
        hi = [v[3] for v in _BASE_VARS] + [_NODE_VAR[2]] * n_nodes
        if free_split:
            s1, s2 = cfg.mav.srm1, cfg.mav.srm2
            total = s1.propellant_kg + s2.propellant_kg
            # a short SRM1 must still outlast the vertical rise and pitch-over
            f_hi = 1.0 - 1.2 * (15.0 + 30.0) / s1.burn_time_s * s1.propellant_kg / total
            scale.append(0.02)
            lo.append(0.02)
            hi.append(max(f_hi, 0.05))
        self.scale = np.array(scale)
        self.lo = np.array(lo)
        self.hi = np.array(hi)

    def rows(self, X: np.ndarray) -> np.ndarray:
        cfg = self.cfg
        P = np.repeat(self.P0[None, :], X.shape[0], axis=0)
        P[:, K.I_AZ] = np.radians(X[:, 0])
        P[:, K.I_TH_KICK] = np.radians(X[:, 1])
        P[:, K.I_TH_END] = np.radians(X[:, 2])
        P[:, K.I_APO_LEAD] = X[:, 3]
        P[:, K.I_P2] = np.radians(X[:, 4])
        P[:, K.I_Y2] = np.radians(X[:, 5])
        P[:, K.I_T_PO] = X[:, 6]
        P[:, K.I_T_VERT] = X[:, 7]
        P[:, K.I_N_NODES] = self.n_nodes
        P[:, K.I_NODE0:K.I_NODE0 + self.n_nodes] = np.radians(X[:, _NB:_NB + self.n_nodes])
        dm = self.payload_kg - cfg.mav.payload_kg
        P[:, K.I_M0] += dm
        s1, s2 = cfg.mav.srm1, cfg.mav.srm2
        if self.free_split:
            # move propellant between the stages at constant total and constant mean thrusts
            total = s1.propellant_kg + s2.propellant_kg
            p2 = X[:, -1] * total
            p1 = total - p2
            P[:, K.I_PROP1] = p1
            P[:, K.I_PROP2] = p2
            P[:, K.I_TB1] = s1.burn_time_s * p1 / s1.propellant_kg
            P[:, K.I_TB1_NOM] = P[:, K.I_TB1]
            P[:, K.I_TB2] = s2.burn_time_s * p2 / s2.propellant_kg
            m_ign2 = P[:, K.I_M0] - p1 - s1.inert_kg
        else:
            m_ign2 = P[:, K.I_M0] - s1.propellant_kg - s1.inert_kg
            p2 = s2.propellant_kg
        P[:, K.I_DV2_NOM] = s2.isp_s * K.G0_M_S2 * np.log(m_ign2 / (m_ign2 - p2))
        # the SRM1 programme must fit inside the burn
        short = P[:, K.I_T_VERT] + P[:, K.I_T_PO] > 0.9 * P[:, K.I_TB1_NOM]
        P[short, K.I_T_PO] = np.maximum(0.9 * P[short, K.I_TB1_NOM] - P[short, K.I_T_VERT], 0.5)
        return P

    def fly(self, X: np.ndarray) -> dict:
        X = np.atleast_2d(X)
        self.count += X.shape[0]
        out = run_batch(self.rows(X), self.inputs)
        return delivered_orbit(out, self.cfg.target.min_periapsis_alt_km, self.cfg.target, self.w_rad,
                               mav=self.cfg.mav)

    def residuals(self, X: np.ndarray, x_ref: np.ndarray) -> np.ndarray:
        orb = self.fly(X)
        res = np.clip(target_residuals_m_s(orb, self.cfg.target), -5000.0, 5000.0)
        reg = _REG * (np.atleast_2d(X) - x_ref) / self.scale
        return np.concatenate([res, reg], axis=-1)

    def solve(self, x0: np.ndarray, max_nfev: int):
        from scipy.optimize import least_squares

        x0 = np.clip(x0, self.lo + 1e-9, self.hi - 1e-9)
        h = 1e-3 * self.scale

        def fun(x):
            return self.residuals(x[None, :], x0)[0]

        def jac(x):
            # one-sided differences pointing into the box
            hh = np.where(x + h > self.hi, -h, h)
            R = self.residuals(np.vstack([x[None, :], x[None, :] + np.diag(hh)]), x0)
            return ((R[1:] - R[0]) / hh[:, None]).T

        sol = least_squares(fun, x0, jac=jac, bounds=(self.lo, self.hi), x_scale=self.scale,
                            max_nfev=max_nfev, xtol=1e-10, ftol=1e-12, gtol=1e-10)
        return sol.x, float(np.sum(sol.fun[:3] ** 2))


_POLISH_M_S = 1e-3  # residual Δv (m/s) below which no further proximal restart is made


def _polish(pb: _Problem, x0: np.ndarray, max_nfev: int, passes: int = 3) -> np.ndarray:
    """Solve, then restart from the solution (the regularisation's reference moves with it).

    The weak pull towards the start point can leave a residual of a few cm/s where the
    steering acts only weakly (the α limiter saturates the programme in the dense air);
    each restart moves the reference to the current solution, a proximal-point iteration
    that drives the residual to zero when the target is reachable.
    """
    x, c = pb.solve(x0, max_nfev)
    for _ in range(passes - 1):
        if math.sqrt(c) < _POLISH_M_S:
            break
        x_new, c_new = pb.solve(x, max_nfev)
        if c_new >= c:
            break
        x, c = x_new, c_new
    return x


def _lt_nodes(kick_deg, end_deg, n_nodes):
    """Elevations (deg) of the linear-tangent law at ``n_nodes`` equally spaced interior times."""
    s = np.arange(1, n_nodes + 1) / (n_nodes + 1)
    return np.degrees(np.arctan((1 - s) * np.tan(np.radians(kick_deg)) + s * np.tan(np.radians(end_deg))))


def _design_x(cfg: AscentConfig, base: GuidanceParams, n_nodes: int, free_split: bool,
              max_nfev: int, x_start: np.ndarray | None, n_starts: int, payload_kg: float,
              counter: list, extra_starts: int = _EXTRA_STARTS):
    """Two-stage multi-start design; returns (x, problem of the final stage)."""
    t = cfg.target
    split0 = None
    if free_split:
        s1, s2 = cfg.mav.srm1, cfg.mav.srm2
        split0 = s2.propellant_kg / (s1.propellant_kg + s2.propellant_kg)
    pb_lt = _Problem(cfg, base, 0, free_split)
    pb_lt.payload_kg = payload_kg
    if x_start is None:
        r_t = MARS.r_eq_m + 1e3 * 0.5 * (t.periapsis_alt_km + t.apoapsis_alt_km)
        az0 = launch_azimuth_deg(cfg.site.lat_deg, t.inclination_deg, math.sqrt(MARS.mu_m3_s2 / r_t),
                                 t.ascending)
        # coarse grid over the pitch programme, one batched call. With the α limiter the
        # turn must start while q is still low (the first ~3 s at Jezero), so the grid also
        # tries a short rise and pitch-over and a wider range of kick and end elevations.
        if base.alpha_limiter:
            kicks, ends = np.linspace(15.0, 86.0, 12), np.linspace(-20.0, 45.0, 11)
            timings = ((base.vertical_rise_s, base.pitchover_s), _LIMITED_START_TIMING)
        else:
            kicks, ends = np.linspace(40.0, 86.0, 12), np.linspace(-5.0, 45.0, 11)
            timings = ((base.vertical_rise_s, base.pitchover_s),)
        kk, ee, jj = np.meshgrid(kicks, ends, np.arange(len(timings)), indexing="ij")
        n = kk.size
        tim = np.array(timings)[jj.ravel()]
        half_burn = 0.5 * cfg.mav.srm2.burn_time_s
        cols = [np.full(n, az0), kk.ravel(), ee.ravel(), np.full(n, half_burn), np.zeros(n),
                np.zeros(n), tim[:, 1], tim[:, 0]]
        if free_split:
            cols.append(np.full(n, split0))
        Xg = np.column_stack(cols)
        cost = np.sum(target_residuals_m_s(pb_lt.fly(Xg), t) ** 2, axis=-1)
        order = np.argsort(cost)
        starts = [Xg[order[0]]]
        cols_d = [1, 2, 6, 7]  # kick, end elevation, pitch-over, vertical rise
        sc = pb_lt.scale[cols_d]
        n_max = n_starts + extra_starts
        for j in order[1:]:  # further starts: good and distinct from those taken
            if len(starts) >= n_max:
                break
            if min(np.max(np.abs(Xg[j, cols_d] - s[cols_d]) / sc) for s in starts) > 1.6:
                starts.append(Xg[j])
        # solve n_starts of them; while none reaches the target, try the next ones
        best = None
        for k, x0 in enumerate(starts):
            if k >= n_starts and math.sqrt(best[1]) < _REACHED_M_S:
                break
            x, c = pb_lt.solve(x0, max_nfev)
            if best is None or c < best[1]:
                best = (x, c)
        x_lt = best[0]
        x_full0 = None
    else:
        x_full0 = x_start
        x_lt = None
    counter[0] += pb_lt.count
    if n_nodes == 0:
        if x_lt is None:
            x_lt = _polish(pb_lt, x_full0, max_nfev)
            counter[0] += pb_lt.count
        return x_lt, pb_lt
    pb = _Problem(cfg, base, n_nodes, free_split)
    pb.payload_kg = payload_kg
    if x_full0 is None:
        nodes = _lt_nodes(x_lt[1], x_lt[2], n_nodes)
        x_full0 = np.concatenate([x_lt[:_NB], nodes, x_lt[_NB:]])
    x = _polish(pb, x_full0, max_nfev)
    counter[0] += pb.count
    return x, pb


def _guidance_from_x(base: GuidanceParams, x: np.ndarray, n_nodes: int, coast_s: float) -> GuidanceParams:
    upd = {v[0]: float(x[i]) for i, v in enumerate(_BASE_VARS)}
    upd["pitch_nodes_deg"] = [float(v) for v in x[_NB:_NB + n_nodes]]
    upd.update(srm2_trigger="apoapsis", coast_s=float(coast_s))
    return base.model_copy(update=upd)


def _reached(orb1: dict, t) -> bool:
    return bool(abs(orb1["periapsis_alt_km"] - t.periapsis_alt_km) < _CONV_ALT_KM
                and abs(orb1["apoapsis_alt_km"] - t.apoapsis_alt_km) < _CONV_ALT_KM
                and abs(orb1["inclination_deg"] - t.inclination_deg) < _CONV_INC_DEG)


def design_guidance(cfg: AscentConfig | None = None, *, n_nodes: int = 4,
                    maximise_payload: bool = False, free_stage_split: bool = False,
                    max_nfev: int = 200, n_starts: int = 3,
                    payload_tol_kg: float = 0.05) -> GuidanceDesign:
    """Optimise the ascent steering of ``cfg.mav`` from ``cfg.site`` to ``cfg.target``.

    Parameters
    ----------
    cfg : AscentConfig, optional
        Vehicle, site, target and integrator settings (defaults: Harris MAV, Jezero, the
        default :class:`~msrsim.ascent.params.AscentTarget`). ``cfg.guidance`` (if set)
        provides the SRM2 attitude law and the starting durations.
    n_nodes : int
        Interior nodes of the SRM1 pitch programme (0: linear-tangent law; at most 8).
    maximise_payload : bool
        Also find the largest payload that still reaches the target: bracketing and
        false-position search on the payload with a full target-hitting design inside
        (warm-started), to ``payload_tol_kg``. The Δv spent then equals what the ascent
        needs, which is what published Δv budgets quote.
    free_stage_split : bool
        With ``maximise_payload``, also move propellant between SRM1 and SRM2 (total
        propellant, inert masses and mean thrusts kept): the best vehicle of this
        technology for the target, as a vehicle designed for the ascent would be.
    max_nfev : int
        Iteration cap of each least-squares solve.
    n_starts : int
        Starting points taken from the coarse grid for the linear-tangent stage.
    payload_tol_kg : float
        Bracket width at which the payload search stops, kg.

    Returns
    -------
    GuidanceDesign
        Never raises for an unreachable target: ``converged`` is False and the orbit dict
        carries the best orbit found, ``target_dv_m_s`` (the Δv it lacks) and
        ``shortfall_m_s`` (to the minimum periapsis).
    """
    cfg = cfg or AscentConfig()
    if not 0 <= int(n_nodes) <= K.MAX_NODES:
        raise ConfigError(f"n_nodes={n_nodes!r} outside the allowed range 0..{K.MAX_NODES}")
    if free_stage_split and not maximise_payload:
        raise ConfigError("free_stage_split=True needs maximise_payload=True")
    n_nodes = int(n_nodes)
    base = cfg.guidance or GuidanceParams()
    t = cfg.target
    counter = [0]
    payload = cfg.mav.payload_kg
    x, pb = _design_x(cfg, base, n_nodes, free_stage_split, max_nfev, None, max(1, n_starts),
                      payload, counter)
    if maximise_payload:
        x, payload = _max_payload(cfg, base, n_nodes, free_stage_split, max_nfev, x, payload,
                                  payload_tol_kg, counter)
        pb.payload_kg = payload
    orb = pb.fly(x[None, :])
    counter[0] += 1
    orb1 = {k: (v[0].item() if isinstance(v, np.ndarray) else v) for k, v in orb.items()}
    g = _guidance_from_x(base, x, n_nodes, orb1["coast_s"])
    split = float(x[-1]) if free_stage_split else None
    return GuidanceDesign(g, orb1, _reached(orb1, t), float(payload), counter[0], split,
                          bool(orb1["limits_ok"]))


def _dv_per_payload_kg(mav) -> float:
    """Rocket-equation Δv lost per kg of payload (both stages), m/s per kg."""
    m0 = mav.liftoff_mass_kg
    m2 = m0 - mav.srm1.propellant_kg - mav.srm1.inert_kg
    return K.G0_M_S2 * (mav.srm1.isp_s * (1 / (m0 - mav.srm1.propellant_kg) - 1 / m0)
                        + mav.srm2.isp_s * (1 / (m2 - mav.srm2.propellant_kg) - 1 / m2))


def _max_payload(cfg, base, n_nodes, free_split, max_nfev, x, payload, tol, counter):
    """Largest payload whose design still reaches the target (bracket, then false position).

    The Δv the best design lacks grows about linearly with payload above the limit and is
    0 below it, so the search uses false position on the infeasible side's deficits and
    bisection otherwise. A payload is declared infeasible only after both a warm-started
    and a cold multi-start design fail.
    """
    def attempt(m, x_start):
        best = None
        # warm start from the last feasible design; if that fails, a cold multi-start
        # design, so that a local minimum is not mistaken for the payload limit
        for xs0, starts in ((x_start, 1), (None, 2)):
            # (one extra start at most: most payloads tried near the limit are infeasible)
            xs, pb = _design_x(cfg, base, n_nodes, free_split, max_nfev, xs0, starts, m, counter, 1)
            orb = pb.fly(xs[None, :])
            o1 = {k: (v[0].item() if isinstance(v, np.ndarray) else v) for k, v in orb.items()}
            if best is None or o1["target_dv_m_s"] < best[2]:
                best = (xs, _reached(o1, cfg.target), o1["target_dv_m_s"])
            if best[1]:
                break
        return best

    # rocket-equation sensitivity of Δv to payload, m/s per kg: sets the first steps
    dvdm = _dv_per_payload_kg(cfg.mav)
    x_ok = x_bad = None
    m_ok = m_bad = None
    d_bad = None
    ok, deficit = None, None
    pb_x, m = x, payload
    xs, ok, deficit = attempt(m, pb_x)
    step = 1.0
    for _ in range(30):
        if ok:
            x_ok, m_ok = xs, m
            if m_bad is not None:
                break
            m = m + step
            step *= 2.0
        else:
            x_bad, m_bad, d_bad = xs, m, deficit
            if m_ok is not None:
                break
            m = max(0.0, m - max(deficit / dvdm, 0.5))
            if m_ok is None and m == 0.0 and m_bad == 0.0:
                return xs, 0.0
        xs, ok, deficit = attempt(m, x_ok if x_ok is not None else xs)
    if m_ok is None:
        return x_bad, 0.0
    if m_bad is None:
        return x_ok, m_ok
    for _ in range(40):
        if m_bad - m_ok <= tol:
            break
        # false position towards where the deficit reaches 0, kept inside the bracket
        m_try = m_bad - d_bad / dvdm
        lo, hi = m_ok + 0.1 * (m_bad - m_ok), m_bad - 0.1 * (m_bad - m_ok)
        m = min(max(m_try, lo), hi)
        xs, ok, deficit = attempt(m, x_ok)
        if ok:
            x_ok, m_ok = xs, m
        else:
            x_bad, m_bad, d_bad = xs, m, deficit
    return x_ok, m_ok


def close_loop(cfg: AscentConfig, guidance: GuidanceParams, *, srm1: bool = True,
               srm2: bool = True) -> GuidanceParams:
    """Closed-loop version of a designed open-loop steering, with the same nominal flight.

    ``srm1``: the SRM1 apoapsis loop (:attr:`GuidanceParams.srm1_closed_loop`) aiming at
    the apoapsis the open-loop nominal reaches at SRM1 burnout. ``srm2``: the on-board SRM2
    energy-management law (``srm2_attitude="target"``) with its pitch bias set so that the
    nominal flight's SRM2 pitch equals the designed one. Dispersed trials then correct from
    their navigated states. The SRM1 loop's predictor is approximate (no drag, constant
    accelerations), so it also trims the nominal flight a little: the delivered nominal
    orbit moves by a few km (see ``tests/test_ascent_control.py``).

    Parameters
    ----------
    cfg : AscentConfig
    guidance : GuidanceParams
        Open-loop steering (usually ``design_guidance(cfg).guidance``).
    """
    from .core import R_REF_M, run_single_history

    inputs = kernel_inputs(cfg)
    g = guidance.model_copy(update={"srm1_closed_loop": False})
    upd = {}
    if srm1:
        # apoapsis at SRM1 burnout of the open-loop nominal, from the recorded history
        from ..kernels.elements import rv_to_elements

        _, hist = run_single_history(nominal_row(cfg, g), inputs)

        i_bo = _srm1_burnout_row(hist)
        el = rv_to_elements(hist[i_bo, K.H_R0:K.H_R0 + 3], hist[i_bo, K.H_V0:K.H_V0 + 3], MARS.mu_m3_s2)
        upd.update(srm1_closed_loop=True, srm1_apoapsis_km=float((el["ra"] - R_REF_M) / 1e3))
    if srm2 and g.srm2_attitude != "target":
        out = run_batch(nominal_row(cfg, g.model_copy(update={"srm2_attitude": "target",
                                                               "srm2_pitch_deg": 0.0})), inputs)
        law_deg = float(np.degrees(out[0, K.O_P2_FLOWN]))
        upd.update(srm2_attitude="target", srm2_pitch_deg=g.srm2_pitch_deg - law_deg)
    return g.model_copy(update=upd)


def _srm1_burnout_row(hist: np.ndarray) -> int:
    """Index of the first history row after SRM1 burnout (first unpowered row after SRM1)."""
    mode = hist[:, K.H_MODE]
    first1 = int(np.argmax(mode == 1))
    return first1 + int(np.argmax(mode[first1:] != 1))
