"""Guidance design: choose the pitch programme, the SRM2 timing and attitude for a target orbit.

The open-loop steering of :class:`~msrsim.ascent.params.GuidanceParams` has six free
numbers: launch azimuth, pitch-over (kick) elevation, final SRM1 elevation (linear-tangent
law), the SRM2 lead on apoapsis (which sets the coast), and the SRM2 pitch and yaw. A solid
MAV cannot shut its motors down, so a vehicle with spare Δv must spend it somewhere: the
design solves the three orbit conditions (periapsis, apoapsis, inclination) in the
least-squares sense with a weak pull towards a coarse-grid starting point, which picks one
of the many exact solutions. Every objective evaluation and every finite-difference
Jacobian is one batched compiled call.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..bodies import MARS
from . import _dynamics as K
from .core import delivered_orbit, kernel_inputs, nominal_row, run_batch
from .params import AscentConfig, GuidanceParams

# variables: azimuth (deg), kick (deg), end (deg), srm2 lead (s), srm2 pitch (deg), yaw (deg)
_NAMES = ("azimuth_deg", "pitch_kick_deg", "pitch_end_deg", "srm2_lead_s", "srm2_pitch_deg",
          "srm2_yaw_deg", "pitchover_s")
_SCALE = np.array([1.0, 5.0, 5.0, 10.0, 5.0, 2.0, 2.0])
_LO = np.array([-360.0, 30.0, -20.0, 0.0, -60.0, -30.0, 1.0])
_HI = np.array([360.0, 89.5, 80.0, 600.0, 60.0, 30.0, 30.0])
_NV = len(_NAMES)
_TOL_ALT_KM = 10.0  # residual scales: 10 km in periapsis/apoapsis, 0.1° in inclination
_TOL_INC_DEG = 0.1
_REG = 1e-3


@dataclass(frozen=True)
class GuidanceDesign:
    """Result of :func:`design_guidance`.

    Attributes
    ----------
    guidance : GuidanceParams
        The designed steering (apoapsis-triggered SRM2).
    orbit : dict
        Delivered orbit and Δv budget of the nominal flight (see
        :func:`~msrsim.ascent.core.delivered_orbit`), scalars.
    converged : bool
        True when periapsis and apoapsis are within 1 km and inclination within 0.01°.
    payload_kg : float
        Payload flown (differs from the configuration only with ``maximise_payload``).
    n_trajectories : int
        Trajectories flown by the optimisation.
    srm2_propellant_fraction : float or None
        SRM2's share of the total propellant when ``free_stage_split`` was used.
    """

    guidance: GuidanceParams
    orbit: dict
    converged: bool
    payload_kg: float
    n_trajectories: int
    srm2_propellant_fraction: float | None = None


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


def _rows(cfg: AscentConfig, base: GuidanceParams, X: np.ndarray, payload=None,
          split=None) -> np.ndarray:
    P0 = nominal_row(cfg, base)
    P = np.repeat(P0[None, :], X.shape[0], axis=0)
    P[:, K.I_AZ] = np.radians(X[:, 0])
    P[:, K.I_TH_KICK] = np.radians(X[:, 1])
    P[:, K.I_TH_END] = np.radians(X[:, 2])
    P[:, K.I_APO_LEAD] = X[:, 3]
    P[:, K.I_P2] = np.radians(X[:, 4])
    P[:, K.I_Y2] = np.radians(X[:, 5])
    P[:, K.I_T_PO] = X[:, 6]
    if payload is not None:
        dm = np.asarray(payload) - cfg.mav.payload_kg
        P[:, K.I_M0] += dm
    if split is not None:
        # move propellant between the stages at constant total and constant mean thrusts
        s1, s2 = cfg.mav.srm1, cfg.mav.srm2
        total = s1.propellant_kg + s2.propellant_kg
        p2 = np.asarray(split) * total
        p1 = total - p2
        P[:, K.I_PROP1] = p1
        P[:, K.I_PROP2] = p2
        P[:, K.I_TB1] = s1.burn_time_s * p1 / s1.propellant_kg
        P[:, K.I_TB1_NOM] = P[:, K.I_TB1]
        P[:, K.I_TB2] = s2.burn_time_s * p2 / s2.propellant_kg
    return P


def _residuals(orb: dict, cfg: AscentConfig) -> np.ndarray:
    t = cfg.target
    hp = np.clip(orb["periapsis_alt_km"], -5000.0, 5000.0)
    ha = np.clip(np.nan_to_num(orb["apoapsis_alt_km"], posinf=5000.0), -5000.0, 5000.0)
    return np.stack([(hp - t.periapsis_alt_km) / _TOL_ALT_KM,
                     (ha - t.apoapsis_alt_km) / _TOL_ALT_KM,
                     (orb["inclination_deg"] - t.inclination_deg) / _TOL_INC_DEG], axis=-1)


def design_guidance(cfg: AscentConfig | None = None, *, maximise_payload: bool = False,
                    free_stage_split: bool = False, max_nfev: int = 200) -> GuidanceDesign:
    """Optimise the ascent steering of ``cfg.mav`` from ``cfg.site`` to ``cfg.target``.

    Parameters
    ----------
    cfg : AscentConfig, optional
        Vehicle, site, target and integrator settings (defaults: Harris MAV, Jezero,
        343 km × 25°).
    maximise_payload : bool
        Also find the largest payload the vehicle can put into the target orbit (SLSQP,
        orbit conditions as equality constraints). The Δv spent then equals what the
        ascent needs, which is what published Δv budgets quote.
    free_stage_split : bool
        With ``maximise_payload``, also move propellant between SRM1 and SRM2 (total
        propellant, inert masses and mean thrusts kept): the best vehicle of this
        technology for the target, as a vehicle designed for the ascent would be.
    max_nfev : int
        Iteration cap of the least-squares solve.

    Returns
    -------
    GuidanceDesign
        Never raises for an unreachable target: ``converged`` is False and the orbit dict
        carries the best orbit found and its ``shortfall_m_s``.
    """
    from scipy.optimize import least_squares

    cfg = cfg or AscentConfig()
    inputs = kernel_inputs(cfg)
    base = cfg.guidance or GuidanceParams()
    t = cfg.target
    counter = [0]

    r_t = MARS.r_eq_m + 1e3 * 0.5 * (t.periapsis_alt_km + t.apoapsis_alt_km)
    v_orb = math.sqrt(MARS.mu_m3_s2 / r_t)
    az0 = launch_azimuth_deg(cfg.site.lat_deg, t.inclination_deg, v_orb, t.ascending)

    def fly(X, payload=None, split=None):
        counter[0] += X.shape[0]
        out = run_batch(_rows(cfg, base, X, payload, split), inputs)
        return delivered_orbit(out, t.min_periapsis_alt_km), out

    # coarse grid over the pitch programme, one batched call
    kicks = np.linspace(60.0, 86.0, 9)
    ends = np.linspace(-5.0, 45.0, 11)
    kk, ee = np.meshgrid(kicks, ends, indexing="ij")
    half_burn = 0.5 * cfg.mav.srm2.burn_time_s
    Xg = np.column_stack([np.full(kk.size, az0), kk.ravel(), ee.ravel(), np.full(kk.size, half_burn),
                          np.zeros(kk.size), np.zeros(kk.size), np.full(kk.size, base.pitchover_s)])
    orb_g, _ = fly(Xg)
    cost = np.sum(_residuals(orb_g, cfg) ** 2, axis=-1)
    x0 = Xg[int(np.argmin(cost))].copy()

    def resid_batch(X):
        orb, _ = fly(X)
        reg = _REG * (X - x0) / _SCALE
        return np.concatenate([_residuals(orb, cfg), reg], axis=-1)

    def fun(x):
        return resid_batch(x[None, :])[0]

    def jac(x):
        h = 1e-3 * _SCALE
        X = np.vstack([x[None, :], x[None, :] + np.diag(h)])
        R = resid_batch(X)
        return ((R[1:] - R[0]) / h[:, None]).T

    sol = least_squares(fun, x0, jac=jac, bounds=(_LO, _HI), x_scale=_SCALE, max_nfev=max_nfev,
                        xtol=1e-10, ftol=1e-10, gtol=1e-10)
    x = sol.x
    payload = cfg.mav.payload_kg
    split = None
    if maximise_payload:
        x, payload, split = _max_payload(cfg, x, fly, free_stage_split)
    orb, _ = fly(x[None, :], None if not maximise_payload else np.array([payload]),
                 None if split is None else np.array([split]))
    orb1 = {k: (v[0].item() if isinstance(v, np.ndarray) else v) for k, v in orb.items()}
    converged = (abs(orb1["periapsis_alt_km"] - t.periapsis_alt_km) < 1.0
                 and abs(orb1["apoapsis_alt_km"] - t.apoapsis_alt_km) < 1.0
                 and abs(orb1["inclination_deg"] - t.inclination_deg) < 0.01)
    g = base.model_copy(update={**{n: float(v) for n, v in zip(_NAMES, x, strict=False)},
                                "srm2_trigger": "apoapsis", "coast_s": float(orb1["coast_s"])})
    return GuidanceDesign(g, orb1, bool(converged), float(payload), counter[0],
                          None if split is None else float(split))


def _max_payload(cfg, x_start, fly, free_split):
    """SLSQP: maximise payload subject to hitting the target orbit (equality constraints)."""
    from scipy.optimize import minimize

    m_ref = max(cfg.mav.payload_kg, 1.0)
    s1, s2 = cfg.mav.srm1, cfg.mav.srm2
    f0 = s2.propellant_kg / (s1.propellant_kg + s2.propellant_kg)
    nz = _NV + (2 if free_split else 1)
    cache = {}

    def unpack(Z):
        X = Z[:, :_NV] * _SCALE
        pay = Z[:, _NV] * m_ref
        split = Z[:, _NV + 1] if free_split else None
        return X, pay, split

    def eval_fd(z):
        key = z.tobytes()
        if key not in cache:
            h = 1e-4
            Z = np.vstack([z[None, :], z[None, :] + h * np.eye(nz)])
            orb, _ = fly(*unpack(Z))
            R = _residuals(orb, cfg)
            cache.clear()
            cache[key] = (R[0], ((R[1:] - R[0]) / h).T)
        return cache[key]

    z0 = np.concatenate([x_start / _SCALE, [cfg.mav.payload_kg / m_ref], [f0] if free_split else []])
    # a short SRM1 must still outlast the vertical rise and pitch-over
    f_hi = 1.0 - 1.2 * (2.0 + _HI[6]) / s1.burn_time_s * s1.propellant_kg / (
        s1.propellant_kg + s2.propellant_kg)
    lo = np.concatenate([_LO / _SCALE, [0.0], [0.02] if free_split else []])
    hi = np.concatenate([_HI / _SCALE, [50.0], [max(f_hi, 0.05)] if free_split else []])
    grad = -np.eye(nz)[_NV]
    res = minimize(lambda z: -z[_NV], z0, jac=lambda z: grad, method="SLSQP",
                   bounds=list(zip(lo, hi, strict=False)),
                   constraints=[{"type": "eq", "fun": lambda z: eval_fd(z)[0],
                                 "jac": lambda z: eval_fd(z)[1]}],
                   options={"maxiter": 150, "ftol": 1e-10})
    X, pay, split = unpack(res.x[None, :])
    return X[0], float(pay[0]), None if split is None else float(split[0])
