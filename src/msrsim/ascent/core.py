"""Ascent model: parameter matrices for the compiled integrator, and orbit post-processing."""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from ..bodies import MARS
from ..errors import ConfigError
from . import _dynamics as K
from .params import AscentConfig, GuidanceParams

R_REF_M = MARS.r_eq_m  # orbit altitudes are quoted above the Mars equatorial radius


def body_vector() -> np.ndarray:
    """Mars constants for the kernel: mu (m^3/s^2), R_eq (m), flattening, J2, ω (rad/s)."""
    return np.array([MARS.mu_m3_s2, MARS.r_eq_m, MARS.flattening, MARS.j2, MARS.omega_rad_s])


@lru_cache(maxsize=8)
def _atmosphere_arrays(lat_deg: float, lon_deg: float):
    from ..atmosphere import mars_default, tabulate

    grid = tabulate(mars_default(), alt_max_m=600e3, step_m=250.0, alt_min_m=-10e3,
                    lat_rad=math.radians(lat_deg), lon_rad=math.radians(lon_deg))
    log_rho = np.ascontiguousarray(grid.log_rho)
    sound = np.ascontiguousarray(grid.sound_speed_m_s)
    kinks = atmosphere_kinks_m(grid.alt0_m, grid.dalt_m, log_rho, sound)
    return (grid.alt0_m, grid.dalt_m, log_rho, sound, kinks,
            atmosphere_table(grid.alt0_m, grid.dalt_m, log_rho, sound, kinks))


def atmosphere_table(alt0_m: float, dalt_m: float, log_rho: np.ndarray, sound: np.ndarray,
                     kink_alt_m: np.ndarray) -> np.ndarray:
    """Per-cell cubic coefficients of log-density and speed of sound, (cells, 8).

    Through the grid's nodes (its values unchanged), one not-a-knot cubic spline per stretch
    between the model's slope breaks ``kink_alt_m`` (m), so the profile is twice
    continuously differentiable wherever the integrator does not end a step. Columns 0-3:
    log ρ, 4-7: sound speed (m/s), each lowest order first in the cell fraction; read by
    :func:`msrsim.ascent._dynamics.atm_lookup`.
    """
    from scipy.interpolate import CubicSpline

    n = log_rho.size
    breaks = np.rint((np.asarray(kink_alt_m, float) - alt0_m) / dalt_m).astype(int)
    breaks = np.unique(np.concatenate(([0], breaks[(breaks > 0) & (breaks < n - 1)], [n - 1])))
    tab = np.empty((n - 1, 8))
    for lo, hi in zip(breaks[:-1], breaks[1:], strict=True):  # a few stretches, not per cell
        x = np.arange(lo, hi + 1, dtype=float)
        for col, vals in ((0, log_rho), (4, sound)):
            c = CubicSpline(x, vals[lo:hi + 1], bc_type="not-a-knot").c  # highest order first
            if c.shape[0] < 4:  # two nodes: a line
                c = np.vstack((np.zeros((4 - c.shape[0], c.shape[1])), c))
            tab[lo:hi, col:col + 4] = c[::-1].T
    return np.ascontiguousarray(tab)


# a grid node is a slope break of the model (not the grid's own sampling of a smooth
# curve) where the log-density slope changes by more than this fraction of itself, or the
# speed of sound's slope by more than KINK_SOUND_M_S per node
KINK_LOG_RHO_REL = 0.03
KINK_SOUND_M_S = 0.05


def atmosphere_kinks_m(alt0_m: float, dalt_m: float, log_rho: np.ndarray,
                       sound: np.ndarray) -> np.ndarray:
    """Altitudes (m) of the slope breaks of a tabulated atmosphere, for the integrator.

    A smooth profile sampled every ``dalt_m`` changes its log-density slope by well under
    1 % from node to node (0.3 % in the default model's 40-50 km temperature ramp); the
    model's own breaks (the Glenn fit's branch change at 7 km, the ends of the ramp at 40
    and 50 km, the thermosphere base at 120 km) change it by 3 % or more. The ascent
    integrator ends a step on each of these (see ``_dynamics._first_crossing``).
    """
    d1 = np.abs(np.diff(log_rho))
    d2 = np.abs(np.diff(log_rho, 2))
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = d2 / np.minimum(d1[:-1], d1[1:])
    kink = (rel > KINK_LOG_RHO_REL) | (np.abs(np.diff(sound, 2)) > KINK_SOUND_M_S)
    return alt0_m + dalt_m * (np.nonzero(kink)[0] + 1.0)


@dataclass(frozen=True)
class KernelInputs:
    """Shared (non-per-trial) arrays the kernel reads."""

    body: np.ndarray
    prof1: np.ndarray
    prof2: np.ndarray
    cd_tab: np.ndarray
    alt0_m: float
    dalt_m: float
    log_rho: np.ndarray
    sound: np.ndarray
    kink_alt_m: np.ndarray
    atm: np.ndarray  # (cells, 8) cubic coefficients from ``atmosphere_table``

    def args(self):
        return (self.body, self.prof1, self.prof2, self.cd_tab, self.alt0_m, self.dalt_m,
                self.atm, self.kink_alt_m)


def kernel_inputs(cfg: AscentConfig) -> KernelInputs:
    """Tables for the kernel: motor thrust shapes, CD(Mach), the atmosphere grid at the site."""
    alt0, dalt, log_rho, sound, kinks, atm = _atmosphere_arrays(cfg.site.lat_deg, cfg.site.lon_deg)
    return KernelInputs(body_vector(), cfg.mav.srm1.profile_table(), cfg.mav.srm2.profile_table(),
                        cd_hermite_table(cfg.mav.cd_table()), alt0, dalt, log_rho, sound, kinks, atm)


def cd_hermite_table(cd_table: np.ndarray) -> np.ndarray:
    """(k, 3) table of (Mach, CD, dCD/dMach) for the kernel's monotone cubic CD(Mach).

    Slopes by Fritsch & Butland: the weighted harmonic mean of the neighbouring secants
    where they have the same sign, zero at a local extremum and at both ends, so the curve
    passes through every tabulated point, never overshoots it, is continuously
    differentiable, and joins the constant held beyond the table without a kink.
    """
    x = np.asarray(cd_table[:, 0], float)
    y = np.asarray(cd_table[:, 1], float)
    d = np.zeros_like(x)
    if x.size > 2:
        h = np.diff(x)
        m = np.diff(y) / h
        w1 = 2.0 * h[1:] + h[:-1]
        w2 = h[1:] + 2.0 * h[:-1]
        same = m[:-1] * m[1:] > 0.0
        with np.errstate(divide="ignore", invalid="ignore"):
            hm = (w1 + w2) / (w1 / m[:-1] + w2 / m[1:])
        d[1:-1] = np.where(same, hm, 0.0)
    return np.ascontiguousarray(np.column_stack([x, y, d]))


def nominal_row(cfg: AscentConfig, g: GuidanceParams) -> np.ndarray:
    """Kernel parameter vector (``_dynamics.N_PARAM``) of the undispersed flight."""
    mav, site = cfg.mav, cfg.site
    if g.vertical_rise_s + g.pitchover_s >= mav.srm1.burn_time_s:
        raise ConfigError(
            f"vertical_rise_s + pitchover_s = {g.vertical_rise_s + g.pitchover_s:g} s must be shorter "
            f"than srm1.burn_time_s = {mav.srm1.burn_time_s:g} s")
    P = np.zeros(K.N_PARAM)
    P[K.I_LAT] = math.radians(site.lat_deg)
    P[K.I_LON] = math.radians(site.lon_deg)
    P[K.I_ALT] = site.elevation_m
    P[K.I_M0] = mav.liftoff_mass_kg
    P[K.I_PROP1] = mav.srm1.propellant_kg
    P[K.I_ISP1] = mav.srm1.isp_s
    P[K.I_TB1] = mav.srm1.burn_time_s
    P[K.I_DROP1] = mav.srm1.inert_kg
    P[K.I_PROP2] = mav.srm2.propellant_kg
    P[K.I_ISP2] = mav.srm2.isp_s
    P[K.I_TB2] = mav.srm2.burn_time_s
    P[K.I_AREA] = mav.reference_area_m2
    P[K.I_RHO_SCALE] = 1.0
    P[K.I_EJECT_V] = mav.ejection_speed_m_s
    P[K.I_IGN_DELAY] = mav.ignition_delay_s
    P[K.I_AZ] = math.radians(g.azimuth_deg)
    P[K.I_T_VERT] = g.vertical_rise_s
    P[K.I_T_PO] = g.pitchover_s
    P[K.I_TH_KICK] = math.radians(g.pitch_kick_deg)
    P[K.I_TH_END] = math.radians(g.pitch_end_deg)
    P[K.I_TB1_NOM] = mav.srm1.burn_time_s
    P[K.I_COAST] = g.coast_s if g.coast_s is not None else 0.0
    P[K.I_APO_LEAD] = g.srm2_lead_s if g.srm2_trigger == "apoapsis" else -1.0
    P[K.I_P2] = math.radians(g.srm2_pitch_deg)
    P[K.I_Y2] = math.radians(g.srm2_yaw_deg)
    P[K.I_DT_BURN] = cfg.integrator.dt_burn_s
    P[K.I_DT_COAST] = cfg.integrator.dt_coast_s
    P[K.I_N_NODES] = len(g.pitch_nodes_deg)
    for j, th in enumerate(g.pitch_nodes_deg):
        P[K.I_NODE0 + j] = math.radians(th)
    P[K.I_SRM2_LAW] = K.SRM2_LAW_TARGET if g.srm2_attitude == "target" else K.SRM2_LAW_FIXED
    # the flight computer's nominal SRM2 Δv (from the nominal, not the dispersed, vehicle)
    m_ign2 = mav.liftoff_mass_kg - mav.srm1.propellant_kg - mav.srm1.inert_kg
    P[K.I_DV2_NOM] = mav.srm2.isp_s * K.G0_M_S2 * math.log(m_ign2 / (m_ign2 - mav.srm2.propellant_kg))
    P[K.I_RP_T] = R_REF_M + 1e3 * cfg.target.periapsis_alt_km
    P[K.I_RA_T] = R_REF_M + 1e3 * cfg.target.apoapsis_alt_km
    P[K.I_ALPHA_LIM] = 1.0 if g.alpha_limiter else 0.0
    P[K.I_ALPHA_MAX] = math.radians(mav.max_alpha_deg)
    P[K.I_ALPHA_Q_PA] = mav.alpha_limit_q_pa
    P[K.I_ALPHA_Q_MARGIN] = g.alpha_limiter_q_margin
    P[K.I_CL_ON] = 1.0 if g.srm1_closed_loop else 0.0
    P[K.I_CL_T0] = g.srm1_closed_loop_start_s
    P[K.I_CL_DT] = 1.0 / g.guidance_rate_hz
    apo_km = g.srm1_apoapsis_km if g.srm1_apoapsis_km is not None else cfg.target.apoapsis_alt_km
    P[K.I_CL_RA] = R_REF_M + 1e3 * apo_km
    P[K.I_CL_MAX] = math.radians(g.srm1_max_correction_deg)
    # the flight computer's nominal vehicle (dispersions do not reach these)
    P[K.I_NAV_M0] = mav.liftoff_mass_kg
    P[K.I_NAV_PROP1] = mav.srm1.propellant_kg
    P[K.I_NAV_ISP1] = mav.srm1.isp_s
    return P


def run_batch(P: np.ndarray, inputs: KernelInputs) -> np.ndarray:
    """Fly every row of ``P`` (n, N_PARAM) in one compiled parallel call → (n, N_OUT)."""
    P = np.ascontiguousarray(np.atleast_2d(P), dtype=float)
    out = np.empty((P.shape[0], K.N_OUT))
    K.fly_batch(P, *inputs.args(), out)
    return out


def run_single_history(P: np.ndarray, inputs: KernelInputs, max_rows: int = 200_000):
    """Fly one trajectory and record its history; returns (out (N_OUT,), hist (k, N_HIST))."""
    out = np.empty(K.N_OUT)
    hist = np.empty((max_rows, K.N_HIST))
    n = K.fly(np.ascontiguousarray(P, dtype=float), *inputs.args(), out, hist, True)
    return out, hist[:n].copy()


def target_residuals_m_s(orb: dict, target) -> np.ndarray:
    """Δv (m/s) still separating delivered orbits from ``target`` (an AscentTarget), (n, 3).

    Columns: the two signed tangential burns of
    :func:`~msrsim.ascent._dynamics.target_correction_dv` (apoapsis first) and the plane
    change ``v_target · Δi`` (small-angle, rad). Smooth in the orbit elements, so a
    least-squares solve on them reaches the target when it can and otherwise minimises the
    Δv the vehicle lacks. Impacting or unbound trajectories are clipped to finite values.
    """
    mu = MARS.mu_m3_s2
    rp_t = R_REF_M + 1e3 * target.periapsis_alt_km
    ra_t = R_REF_M + 1e3 * target.apoapsis_alt_km
    rp = np.clip(R_REF_M + 1e3 * np.asarray(orb["periapsis_alt_km"], float), 1e5, 20 * R_REF_M)
    ra_alt = np.nan_to_num(np.asarray(orb["apoapsis_alt_km"], float), nan=1e5, posinf=1e5)
    ra = np.clip(R_REF_M + 1e3 * ra_alt, rp, 20 * R_REF_M)

    def apse_speed(r1, r2):
        return np.sqrt(2.0 * mu * r2 / (r1 * (r1 + r2)))

    # same burns as the kernel's target_correction_dv, over arrays
    d1 = apse_speed(ra, rp_t) - apse_speed(ra, rp)
    d2 = apse_speed(rp_t, ra_t) - apse_speed(rp_t, ra)
    v_t = math.sqrt(mu * 2 * ra_t / (rp_t * (rp_t + ra_t)))
    di = np.radians(np.asarray(orb["inclination_deg"], float) - target.inclination_deg)
    return np.stack([d1, d2, v_t * di], axis=-1)


def launch_rotation_angle_rad(cfg: AscentConfig | None = None, launch_tdb_s=None):
    """Mars rotation angle W at lift-off (IAU 2015), rad.

    The integrator's inertial frame has the Mars equator as xy plane and x through the
    prime meridian at lift-off, so a node longitude λ in it lies at λ + W from the IAU node
    (the x axis of :func:`msrsim.bodies.icrf_to_equator_matrix` at the launch epoch).

    Parameters
    ----------
    cfg : AscentConfig, optional
        Its ``launch_tdb_s`` is the epoch when ``launch_tdb_s`` is not given.
    launch_tdb_s : float or numpy.ndarray, optional
        Lift-off epoch(s), TDB seconds past J2000; an array gives one angle per epoch.

    Returns
    -------
    float or numpy.ndarray
        W in [0, 2π), rad (same shape as ``launch_tdb_s``).
    """
    from ..bodies import mars_rotation_angle_rad

    if launch_tdb_s is None:
        if cfg is None:
            raise ConfigError("launch_rotation_angle_rad needs cfg or launch_tdb_s")
        return float(mars_rotation_angle_rad(cfg.launch_tdb_s))
    t = np.asarray(launch_tdb_s, dtype=float)
    if not np.all(np.isfinite(t)):
        raise ConfigError(f"launch_tdb_s must be finite (got {t[~np.isfinite(t)].ravel()[0]!r})")
    return mars_rotation_angle_rad(t)


ALPHA_TOL_DEG = 1e-3  # α limit check tolerance (the limiter meets it to ~1e-5 deg)


def delivered_orbit(out: np.ndarray, min_periapsis_alt_km: float, target=None,
                    mars_w_rad=0.0, mav=None) -> dict:
    """Orbit and Δv budget at OS separation from kernel outputs (n, N_OUT).

    Returns a dict of arrays (one value per trial): ``a_km``, ``e``, ``inclination_deg``,
    ``raan_deg`` (in the Mars equator-and-IAU-node frame of the launch epoch: the kernel's
    node longitude plus ``mars_w_rad``, the rotation angle W at lift-off from
    :func:`launch_rotation_angle_rad`; a float, or an array with one angle per trial),
    ``raan_fixed_deg`` (east longitude of the node on
    Mars at lift-off),
    ``argp_deg``, ``periapsis_alt_km``, ``apoapsis_alt_km`` (above R_eq; inf if unbound),
    the Δv budget ``dv_total_m_s`` = ``dv_ideal_m_s`` (inertial speed at separation) +
    gravity + drag + steering losses − rotation benefit + other (centrifugal, ejection),
    ``closure_m_s`` (the identity's residual: integration error), ``impact`` (bool),
    ``orbit_ok`` (periapsis above ``min_periapsis_alt_km``) and ``shortfall_m_s``: the
    Δv a tangential burn at apoapsis (or a Hohmann transfer if the apoapsis is too low)
    would still need to reach the minimum periapsis, 0 when it is reached.

    The gravity, drag and steering losses are also split by phase (``*_srm1_m_s``,
    ``dv_gravity_loss_coast_m_s`` (the climb from SRM1 burnout to SRM2 ignition, speed
    traded for height), ``*_srm2_m_s``). With ``target`` (an AscentTarget), also
    ``target_dv_m_s``: the Δv two tangential burns and a plane change would still need to
    turn the delivered orbit into the target (0 when it is hit exactly).

    Flight loads (per trial): ``max_q_pa``; ``max_alpha_deg_high_q`` (largest angle of
    attack, body axis vs relative wind, in powered flight where q exceeds the vehicle's
    ``alpha_limit_q_pa``); ``max_alpha_deg`` (largest α in the SRM1 burn at any q);
    ``max_q_alpha_pa_deg`` (largest q·α in powered flight); ``max_axial_g`` (largest sensed
    acceleration along the body axis in powered flight, g0) and ``max_accel_g`` (largest
    sensed acceleration magnitude). All are sampled at the integrator's step starts. With
    ``mav`` (a MAVParams), also ``limits_ok``: α ≤ ``max_alpha_deg`` (+1e-3° tolerance)
    where q exceeds the threshold and axial acceleration ≤ ``max_axial_g``.
    """
    from ..kernels.elements import rv_to_elements

    out = np.atleast_2d(out)
    mu = MARS.mu_m3_s2
    omega = MARS.omega_rad_s
    r = out[:, K.O_RX:K.O_RX + 3]
    v = out[:, K.O_VX:K.O_VX + 3]
    el = rv_to_elements(r, v, mu)
    rp = el["rp"]
    e = el["e"]
    bound = e < 1.0
    ra = np.where(bound, el["ra"], np.inf)
    vin = np.linalg.norm(v, axis=-1)
    vrel = np.linalg.norm(v - np.cross(np.array([0.0, 0.0, omega]), r), axis=-1)
    rot = vin - vrel
    other = -out[:, K.O_C_GAIN] - out[:, K.O_VREL0]  # centrifugal gain and ejection speed
    G, D, S = out[:, K.O_G_LOSS], out[:, K.O_D_LOSS], out[:, K.O_S_LOSS]
    total = out[:, K.O_DV_THRUST]
    closure = total - (vin + G + D + S - rot - out[:, K.O_C_GAIN] - out[:, K.O_VREL0])
    impact = out[:, K.O_STATUS] == K.STATUS_IMPACT
    r_min = R_REF_M + 1e3 * min_periapsis_alt_km
    shortfall = _shortfall(rp, ra, r_min, mu)
    with np.errstate(invalid="ignore"):
        a_km = np.where(bound, el["a"] / 1e3, np.inf)
    res = {
        "a_km": a_km,
        "e": e,
        "inclination_deg": np.degrees(el["i_rad"]),
        "raan_deg": np.mod(np.degrees(el["raan_rad"] + mars_w_rad), 360.0),
        "raan_fixed_deg": np.mod(np.degrees(el["raan_rad"]), 360.0),
        "argp_deg": np.degrees(el["argp_rad"]),
        "periapsis_alt_km": (rp - R_REF_M) / 1e3,
        "apoapsis_alt_km": (ra - R_REF_M) / 1e3,
        "dv_total_m_s": total,
        "dv_ideal_m_s": vin,
        "dv_gravity_loss_m_s": G,
        "dv_drag_loss_m_s": D,
        "dv_steering_loss_m_s": S,
        "dv_rotation_benefit_m_s": rot,
        "dv_other_m_s": other,
        "closure_m_s": closure,
        "max_q_pa": out[:, K.O_MAX_Q],
        "max_axial_g": out[:, K.O_MAX_AXIAL] / K.G0_M_S2,
        "max_accel_g": out[:, K.O_MAX_ACC] / K.G0_M_S2,
        "max_alpha_deg_high_q": np.degrees(out[:, K.O_MAX_ALPHA]),
        "max_alpha_deg": np.degrees(out[:, K.O_MAX_ALPHA_ALL]),
        "max_q_alpha_pa_deg": np.degrees(out[:, K.O_MAX_ALPHA_Q]),
        "coast_s": out[:, K.O_COAST],
        "srm1_burnout_alt_km": out[:, K.O_ALT_BO1] / 1e3,
        "srm2_ignition_alt_km": out[:, K.O_ALT_IGN2] / 1e3,
        "flight_time_s": out[:, K.O_T_END],
        "impact": impact,
        "orbit_ok": (~impact) & (rp >= r_min),
        "shortfall_m_s": shortfall,
        "dv_gravity_loss_srm1_m_s": out[:, K.O_G_BO1],
        "dv_gravity_loss_coast_m_s": out[:, K.O_G_IGN2] - out[:, K.O_G_BO1],
        "dv_gravity_loss_srm2_m_s": G - out[:, K.O_G_IGN2],
        "dv_drag_loss_srm1_m_s": out[:, K.O_D_BO1],
        "dv_steering_loss_srm1_m_s": out[:, K.O_S_BO1],
        "dv_steering_loss_srm2_m_s": S - out[:, K.O_S_BO1],
        "srm1_burnout_speed_m_s": out[:, K.O_VIN_BO1],
        "srm2_pitch_flown_deg": np.degrees(out[:, K.O_P2_FLOWN]),
    }
    if mav is not None:
        res["limits_ok"] = ((res["max_alpha_deg_high_q"] <= mav.max_alpha_deg + ALPHA_TOL_DEG)
                            & (res["max_axial_g"] <= mav.max_axial_g))
    if target is not None:
        res["target_dv_m_s"] = np.sum(np.abs(target_residuals_m_s(res, target)), axis=-1)
    return res


def _shortfall(rp, ra, r_min, mu):
    """Δv still needed to lift periapsis to ``r_min`` (0 if already there), m/s."""
    rp = np.asarray(rp, float)
    ra = np.asarray(ra, float)
    res = np.zeros(np.broadcast(rp, ra).shape)
    need = rp < r_min
    finite = np.isfinite(ra)
    # apoapsis high enough: one tangential burn at apoapsis raises periapsis to r_min
    a1 = need & finite & (ra >= r_min)
    ra_ = np.where(a1, ra, 2 * r_min)
    rp_ = np.where(a1, np.maximum(rp, 1.0), r_min)
    va = np.sqrt(mu * 2 * rp_ / (ra_ * (ra_ + rp_)))
    va_new = np.sqrt(mu * 2 * r_min / (ra_ * (ra_ + r_min)))
    res = np.where(a1, va_new - va, res)
    # apoapsis too low: raise it to r_min from the current apoapsis, then circularise
    a2 = need & finite & (ra < r_min)
    ra2 = np.where(a2, np.maximum(ra, 1.0), r_min)
    rp2 = np.where(a2, np.clip(rp, 1.0, ra2), r_min)
    va_now = np.sqrt(mu * 2 * rp2 / (ra2 * (ra2 + rp2)))
    v_tr_a = np.sqrt(mu * 2 * r_min / (ra2 * (ra2 + r_min)))
    v_tr_p = np.sqrt(mu * 2 * ra2 / (r_min * (ra2 + r_min)))
    res = np.where(a2, (v_tr_a - va_now) + (np.sqrt(mu / r_min) - v_tr_p), res)
    # unbound with low periapsis: a retro/radial fix is outside this model; report inf
    res = np.where(need & ~finite, np.inf, res)
    return res
