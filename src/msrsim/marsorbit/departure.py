"""Departure for Earth: trans-Earth injection from the real orbit, cruise, Earth arrival.

The Mars->Earth transfer itself (dates, v∞ vectors) comes from the launch-windows module
(:func:`msrsim.windows.return_window`, :func:`msrsim.windows.transfer_at`); this module
turns its v∞ vectors into the TEI burn and the Earth arrival state.

The TEI burn is placed on the ERO's circular orbit where the hyperbola through the burn
point with the required outgoing asymptote costs least; the hyperbola's plane contains
the burn point and the v∞ direction, so a v∞ declination above the orbit inclination
turns into a plane-change penalty automatically. Because Mars's J2 turns the ERO's node
through 360° in about a month, the node can be chosen by waiting; both the best node and
the worst (no waiting) are reported.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..bodies import EARTH, MARS
from ..constants import G0_M_S2, SECONDS_PER_DAY
from ..entry.presets import EES_UTTR
from ..errors import ConfigError
from ..kernels.elements import j2_secular_rates
from ..kernels.kepler import propagate
from ..windows import entry_speed_km_s
from .arrival import periapsis_state_from_vinf


def hyperbola_velocity_through(r_vec_m, s_hat, vinf_m_s, mu_m3_s2):
    """Velocity at ``r`` on the departure hyperbola whose outgoing asymptote is ``s_hat``.

    Two hyperbolas pass through a point with a given asymptote direction: the short way
    (sweep angle θ = angle(r, s) in the plane normal r × s) and the long way (2π − θ,
    opposite normal). From r (1 + e cos(ν∞ − θ)) = p, cos ν∞ = −1/e, p = (μ/v∞²)(e² − 1):
    with u = sqrt(e² − 1), (μ/v∞²) u² − r sin θ u − r (1 − cos θ) = 0 (one positive root).

    Parameters
    ----------
    r_vec_m : array_like, shape (..., 3)
    s_hat : array_like, shape (3,)
        Unit outgoing asymptote direction.
    vinf_m_s : float
    mu_m3_s2 : float

    Returns
    -------
    v_short, v_long : numpy.ndarray, shape (..., 3)
        m/s; NaN-free, but ``ok_short``/``ok_long`` (bool arrays) mark the geometrically
        valid ones (sweep below 2 ν∞).
    ok_short, ok_long : numpy.ndarray of bool
    """
    r = np.asarray(r_vec_m, dtype=float)
    rn = np.linalg.norm(r, axis=-1)
    rh = r / rn[..., None]
    s = np.asarray(s_hat, dtype=float)
    cth = np.clip(np.sum(rh * s, axis=-1), -1.0, 1.0)
    th = np.arccos(cth)
    nvec = np.cross(rh, s)
    nn = np.linalg.norm(nvec, axis=-1)
    nh = nvec / np.where(nn > 1e-12, nn, 1.0)[..., None]
    k = mu_m3_s2 / vinf_m_s**2
    out = []
    for sweep, normal in ((th, nh), (2 * np.pi - th, -nh)):
        sn = np.sin(sweep)
        u = (rn * sn + np.sqrt(rn**2 * sn**2 + 4 * k * rn * (1 - np.cos(sweep)))) / (2 * k)
        e = np.sqrt(1 + u * u)
        p = k * u * u
        nu_inf = np.arccos(-1 / e)
        nu = nu_inf - sweep
        ok = (sweep < 2 * nu_inf) & (nn > 1e-12)
        sq = np.sqrt(mu_m3_s2 / p)
        t_hat = np.cross(normal, rh)
        v = (sq * e * np.sin(nu))[..., None] * rh + (sq * (1 + e * np.cos(nu)))[..., None] * t_hat
        out.append((v, ok))
    return out[0][0], out[1][0], out[0][1], out[1][1]


@dataclass(frozen=True)
class TEIResult:
    """Trans-Earth injection from a circular Mars orbit (m/s, deg, kg, days)."""

    dv_m_s: float
    dv_ideal_m_s: float
    plane_penalty_m_s: float
    dv_worst_node_m_s: float
    vinf_m_s: float
    declination_deg: float
    inclination_deg: float
    best_raan_deg: float
    burn_arg_latitude_deg: float
    max_node_wait_days: float
    propellant_kg: float


def trans_earth_injection(vinf_eq_m_s, alt_km, inclination_deg, mass_kg, isp_s, n_raan=72,
                          n_burn=360) -> TEIResult:
    """Cheapest single impulsive TEI from a circular orbit into a given v∞ vector.

    Parameters
    ----------
    vinf_eq_m_s : array_like, shape (3,)
        Departure v∞ in the Mars equator frame, m/s.
    alt_km, inclination_deg : float
        Circular orbit altitude (km) and inclination (deg).
    mass_kg, isp_s : float
        Mass before the burn (kg) and Isp (s) for the propellant figure.
    n_raan, n_burn : int
        Grid of node longitudes and burn positions searched (batched).
    """
    vinf = np.asarray(vinf_eq_m_s, dtype=float)
    vn = float(np.linalg.norm(vinf))
    if not (np.isfinite(vn) and 0 < vn < 20e3):
        raise ConfigError(f"departure v∞={vn!r} m/s outside the allowed range 0 < v∞ < 20000 m/s")
    s = vinf / vn
    mu = MARS.mu_m3_s2
    r = MARS.r_eq_m + alt_km * 1e3
    vc = np.sqrt(mu / r)
    inc = np.radians(inclination_deg)
    om = np.linspace(0, 2 * np.pi, n_raan, endpoint=False)[:, None]
    u = np.linspace(0, 2 * np.pi, n_burn, endpoint=False)[None, :]
    co, so, cu, su, ci, si = np.cos(om), np.sin(om), np.cos(u), np.sin(u), np.cos(inc), np.sin(inc)
    rh = np.stack(np.broadcast_arrays(co * cu - so * su * ci, so * cu + co * su * ci, su * si), -1)
    vh = np.stack(np.broadcast_arrays(-co * su - so * cu * ci, -so * su + co * cu * ci, cu * si), -1)
    v1, v2, ok1, ok2 = hyperbola_velocity_through(rh * r, s, vn, mu)
    d1 = np.where(ok1, np.linalg.norm(v1 - vc * vh, axis=-1), np.inf)
    d2 = np.where(ok2, np.linalg.norm(v2 - vc * vh, axis=-1), np.inf)
    d = np.minimum(d1, d2)
    per_node = d.min(axis=1)
    i_best = int(np.argmin(per_node))
    j_best = int(np.argmin(d[i_best]))
    dv = float(per_node[i_best])
    dv_ideal = float(np.sqrt(vn**2 + 2 * mu / r) - vc)
    node_rate = j2_secular_rates(r, 0.0, inc, mu, MARS.r_eq_m, MARS.j2)[0]
    wait = 2 * np.pi / abs(node_rate) / SECONDS_PER_DAY if node_rate != 0 else np.inf
    return TEIResult(
        dv_m_s=dv, dv_ideal_m_s=dv_ideal, plane_penalty_m_s=dv - dv_ideal,
        dv_worst_node_m_s=float(per_node.max()), vinf_m_s=vn,
        declination_deg=float(np.degrees(np.arcsin(s[2]))), inclination_deg=float(inclination_deg),
        best_raan_deg=float(np.degrees(om[i_best, 0])),
        burn_arg_latitude_deg=float(np.degrees(u[0, j_best])), max_node_wait_days=float(wait),
        propellant_kg=float(mass_kg * -np.expm1(-dv / (G0_M_S2 * isp_s))))


@dataclass(frozen=True)
class EarthArrival:
    """Earth arrival state for the EES (km, km/s, deg, days).

    ``b_t_km``, ``b_r_km`` are the B-plane components (T along S × z of the Earth
    equator frame, R = S × T).
    """

    vinf_km_s: float
    entry_speed_km_s: float
    entry_fpa_deg: float
    entry_alt_km: float
    b_mag_km: float
    b_t_km: float
    b_r_km: float
    periapsis_alt_km: float
    approach_inclination_deg: float
    release_days: float
    release_distance_km: float
    release_distance_lunar: float
    release_speed_km_s: float


def earth_arrival(vinf_icrf_km_s, entry_alt_km=125.0, entry_fpa_deg=EES_UTTR["entry"]["fpa_deg"],
                  release_days=3.0, landing_lat_deg=40.4942) -> EarthArrival:
    """Entry-interface state, B-plane target and EES release point of the Earth approach.

    Parameters
    ----------
    vinf_icrf_km_s : array_like, shape (3,)
        Earth arrival v∞, ICRF (≈ Earth mean equator), km/s.
    entry_alt_km : float
        Entry interface altitude, km.
    entry_fpa_deg : float
        Inertial flight-path angle at the entry interface, deg (< 0). Default: the
        ``ees-uttr`` entry preset's value, which owns it (campaign callers pass
        :attr:`ReturnParams.entry_fpa_deg`, read from the same preset).
    release_days : float
        EES release before entry, days.
    landing_lat_deg : float
        The approach plane's inclination is at least this (to pass over the landing site).
    """
    if not entry_fpa_deg < 0:
        raise ConfigError(f"entry_fpa_deg={entry_fpa_deg!r} must be < 0 (descending)")
    vinf = np.asarray(vinf_icrf_km_s, dtype=float) * 1e3
    vn = float(np.linalg.norm(vinf))
    mu = EARTH.mu_m3_s2
    r_ei = EARTH.r_eq_m + entry_alt_km * 1e3
    # the same vis-viva entry speed as the launch-windows module reports for the leg
    v_ei = float(entry_speed_km_s(vn / 1e3, entry_alt_km)) * 1e3
    h = r_ei * v_ei * np.cos(np.radians(entry_fpa_deg))
    b = h / vn
    k = mu / vn**2
    e = np.sqrt(1 + (b / k) ** 2)
    rp = k * (e - 1)
    s_hat = vinf / vn
    dec = np.degrees(np.arcsin(s_hat[2]))
    inc = max(abs(landing_lat_deg), abs(dec))
    r_p, v_p = periapsis_state_from_vinf(vinf, rp, np.radians(inc), mu_m3_s2=mu)
    # time from entry interface to periapsis on the hyperbola
    p = k * (e * e - 1)
    nu = -np.arccos(np.clip((p / r_ei - 1) / e, -1, 1))
    f = 2 * np.arctanh(np.sqrt((e - 1) / (e + 1)) * np.tan(nu / 2))
    t_ei = (e * np.sinh(f) - f) / np.sqrt(mu / k**3)  # negative: before periapsis
    r_rel, v_rel = propagate(r_p, v_p, t_ei - release_days * SECONDS_PER_DAY, mu)
    h_vec = np.cross(r_p, v_p)
    b_hat = np.cross(s_hat, h_vec / np.linalg.norm(h_vec))
    t_hat = np.cross(s_hat, [0.0, 0.0, 1.0])
    t_hat /= np.linalg.norm(t_hat)
    r_hat = np.cross(s_hat, t_hat)
    lunar_km = 384400.0  # mean Earth-Moon distance, km (NASA Moon fact sheet)
    dist = float(np.linalg.norm(r_rel)) / 1e3
    return EarthArrival(
        vinf_km_s=vn / 1e3, entry_speed_km_s=float(v_ei / 1e3), entry_fpa_deg=float(entry_fpa_deg),
        entry_alt_km=float(entry_alt_km), b_mag_km=float(b / 1e3),
        b_t_km=float(b * np.dot(b_hat, t_hat) / 1e3), b_r_km=float(b * np.dot(b_hat, r_hat) / 1e3),
        periapsis_alt_km=float((rp - EARTH.r_eq_m) / 1e3), approach_inclination_deg=float(inc),
        release_days=float(release_days), release_distance_km=dist,
        release_distance_lunar=dist / lunar_km, release_speed_km_s=float(np.linalg.norm(v_rel) / 1e3))
