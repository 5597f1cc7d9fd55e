"""ERO arrival: Mars orbit insertion with the chemical module, then the ion-engine spiral.

Frames: Mars inertial equator frame of :func:`msrsim.bodies.icrf_to_equator_matrix`
(z along the Mars pole), m and m/s. The arrival v∞ comes from the launch-windows module
(ICRF, km/s; see :func:`msrsim.campaign.mission.ero_legs`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..bodies import MARS, icrf_to_equator_matrix
from ..constants import AU_KM, G0_M_S2, SECONDS_PER_DAY
from ..ephemeris import planet_state
from ..errors import ConfigError, NoSolutionError
from ..kernels.elements import rv_to_elements
from ..kernels.kepler import propagate
from ..kernels.lowthrust import (
    constant_thrust_burn_time_s,
    edelbaum_beta0_rad,
    edelbaum_dv_m_s,
    spiral_one,
)


def _unit(x):
    x = np.asarray(x, dtype=float)
    return x / np.linalg.norm(x, axis=-1, keepdims=True)


def _rotate(v, axis, angle):
    """Rotate vector ``v`` about unit ``axis`` by ``angle`` (Rodrigues)."""
    k = _unit(axis)
    return (v * np.cos(angle) + np.cross(k, v) * np.sin(angle)
            + k * np.dot(k, v) * (1.0 - np.cos(angle)))


def capture_semi_major_axis_m(period_h: float) -> float:
    """Semi-major axis of a Mars orbit with the given period, m."""
    t = float(period_h) * 3600.0
    return float((MARS.mu_m3_s2 * (t / (2 * np.pi)) ** 2) ** (1.0 / 3.0))


def periapsis_state_from_vinf(vinf_eq_m_s, periapsis_radius_m, inclination_rad, ascending=True,
                              mu_m3_s2=MARS.mu_m3_s2):
    """Periapsis state of the arrival hyperbola with a given v∞ and inclination.

    The hyperbola's plane contains the v∞ direction; of the planes that do, the one with
    the requested inclination to the Mars equator (which must be >= |declination of
    v∞|) is chosen (B-plane targeting makes this free).

    Parameters
    ----------
    vinf_eq_m_s : array_like, shape (3,)
        Arrival v∞ in the Mars equator frame, m/s.
    periapsis_radius_m : float
        Periapsis radius, m.
    inclination_rad : float
        Inclination of the arrival plane, rad.
    ascending : bool
        Which of the two planes with that inclination (they mirror each other).
    mu_m3_s2 : float
        Gravitational parameter of the planet (default Mars), m^3/s^2.

    Returns
    -------
    r_m, v_m_s : numpy.ndarray, shape (3,)
    """
    vinf = np.asarray(vinf_eq_m_s, dtype=float)
    u = _unit(vinf)
    z = np.array([0.0, 0.0, 1.0])
    dec = np.arcsin(np.clip(u[2], -1, 1))
    if np.cos(inclination_rad) > np.cos(dec) + 1e-12:
        raise ConfigError(f"inclination {np.degrees(inclination_rad):.3f} deg is below the v∞ "
                          f"declination {np.degrees(abs(dec)):.3f} deg; allowed >= |declination|")
    w1 = _unit(z - np.dot(z, u) * u) if abs(u[2]) < 1 - 1e-12 else np.array([1.0, 0, 0])
    w2 = np.cross(u, w1)
    cphi = np.clip(np.cos(inclination_rad) / max(np.cos(dec), 1e-12), -1.0, 1.0)
    phi = np.arccos(cphi) * (1.0 if ascending else -1.0)
    h_hat = np.cos(phi) * w1 + np.sin(phi) * w2
    vinf_n = float(np.linalg.norm(vinf))
    mu = mu_m3_s2
    ecc = 1.0 + periapsis_radius_m * vinf_n**2 / mu
    turn = 2.0 * np.arcsin(1.0 / ecc)
    v_hat = _rotate(u, h_hat, 0.5 * turn)  # incoming asymptote turned halfway: periapsis
    r_hat = np.cross(v_hat, h_hat)
    vp = np.sqrt(vinf_n**2 + 2 * mu / periapsis_radius_m)
    return r_hat * periapsis_radius_m, v_hat * vp


@dataclass(frozen=True)
class MOIResult:
    """Mars orbit insertion (impulsive reference and simulated finite burn).

    All speeds m/s, masses kg, times s, altitudes km above the equatorial radius.
    """

    vinf_m_s: float
    declination_deg: float
    inclination_deg: float
    dv_impulsive_m_s: float
    dv_finite_m_s: float
    gravity_loss_m_s: float
    burn_duration_s: float
    propellant_kg: float
    mass_after_kg: float
    periapsis_alt_km: float
    apoapsis_alt_km: float
    period_h: float
    aim_periapsis_alt_km: float
    r_end_m: np.ndarray = field(repr=False)
    v_end_m_s: np.ndarray = field(repr=False)


def mars_orbit_insertion(vinf_eq_m_s, periapsis_alt_km, capture_period_h, mass_kg, thrust_n, isp_s,
                         inclination_deg=None) -> MOIResult:
    """Capture from the arrival hyperbola into an ellipse with one chemical burn.

    The impulsive Δv at periapsis is the reference; the finite burn is then simulated
    (point mass + J2, thrust against the velocity, started half the impulsive burn time
    before periapsis) until the orbit reaches the capture period, giving the gravity loss.
    The hyperbola's periapsis is aimed higher (``aim_periapsis_alt_km``) so that the
    captured orbit has the requested periapsis.

    Parameters
    ----------
    vinf_eq_m_s : array_like, shape (3,)
        Arrival v∞ in the Mars equator frame, m/s.
    periapsis_alt_km : float
        Capture periapsis altitude, km.
    capture_period_h : float
        Capture orbit period, h.
    mass_kg : float
        Mass before MOI, kg.
    thrust_n, isp_s : float
        Chemical engine thrust (N) and specific impulse (s).
    inclination_deg : float, optional
        Arrival inclination; default the smallest possible, |declination of v∞|.
    """
    vinf = np.asarray(vinf_eq_m_s, dtype=float)
    vinf_n = float(np.linalg.norm(vinf))
    if not (np.isfinite(vinf_n) and 0 < vinf_n < 20e3):
        raise ConfigError(f"arrival v∞={vinf_n!r} m/s outside the allowed range 0 < v∞ < 20000 m/s")
    mu = MARS.mu_m3_s2
    rp = MARS.r_eq_m + periapsis_alt_km * 1e3
    a_cap = capture_semi_major_axis_m(capture_period_h)
    if a_cap <= rp:
        raise ConfigError(f"capture_period_h={capture_period_h!r} gives a semi-major axis below the "
                          f"periapsis radius; allowed > {2*np.pi*np.sqrt(rp**3/mu)/3600:.2f} h")
    dec = float(np.degrees(np.arcsin(vinf[2] / vinf_n)))
    inc = abs(dec) if inclination_deg is None else float(inclination_deg)
    inc = max(inc, abs(dec))
    vp_hyp = np.sqrt(vinf_n**2 + 2 * mu / rp)
    vp_ell = np.sqrt(mu * (2 / rp - 1 / a_cap))
    dv_imp = float(vp_hyp - vp_ell)
    ve = G0_M_S2 * isp_s
    mdot = thrust_n / ve
    t_burn_imp = mass_kg * -np.expm1(-dv_imp / ve) / mdot

    def burn(rp_hyp):
        r_p, v_p = periapsis_state_from_vinf(vinf, rp_hyp, np.radians(inc))
        r0, v0 = propagate(r_p, v_p, -0.5 * t_burn_imp, mu)
        out = spiral_one(
            r0, v0, float(mass_kg), float(thrust_n), float(mdot), 0, a_cap, a_cap, 0.0, False, 1.0,
            np.pi, 1.0, mu, MARS.r_eq_m, MARS.j2, np.array([1.0, 0, 0]), np.array([0, 0, 1.0]),
            0.0, False, 2000.0, 20.0 * t_burn_imp + 3600.0, 1.0, 0.0, 1, np.empty((0, 9)))
        if not out[2]:
            raise NoSolutionError(f"MOI finite burn did not reach the capture orbit: thrust_n={thrust_n!r} "
                                  f"is too low for mass_kg={mass_kg!r} at v∞ {vinf_n:.0f} m/s")
        return out, float(rv_to_elements(out[1][:3], out[1][3:6], mu)["rp"])

    # A long burn against the velocity lowers periapsis: aim the hyperbola higher so that
    # the captured orbit has the requested periapsis (secant iteration; osculating, within
    # ~10 km because J2 moves the osculating periapsis).
    x0 = rp
    out0, f0 = burn(x0)
    x1 = rp + (rp - f0)
    out1, f1 = burn(x1)
    for _ in range(8):
        if abs(f1 - rp) < 500.0 or f1 == f0:
            break
        x2 = x1 + (rp - f1) * (x1 - x0) / (f1 - f0)
        x0, f0 = x1, f1
        x1 = x2
        out1, f1 = burn(x1)
    t, s, reached, _, _ = out1
    rp_hyp_alt_km = (x1 - MARS.r_eq_m) / 1e3
    el = rv_to_elements(s[:3], s[3:6], mu)
    return MOIResult(
        vinf_m_s=vinf_n, declination_deg=dec, inclination_deg=float(np.degrees(el["i_rad"])),
        dv_impulsive_m_s=dv_imp, dv_finite_m_s=float(s[7]),
        gravity_loss_m_s=float(s[7] - dv_imp), burn_duration_s=float(t),
        propellant_kg=float(mass_kg - s[6]), mass_after_kg=float(s[6]),
        periapsis_alt_km=float((el["rp"] - MARS.r_eq_m) / 1e3),
        apoapsis_alt_km=float((el["ra"] - MARS.r_eq_m) / 1e3),
        period_h=float(2 * np.pi * np.sqrt(el["a"] ** 3 / mu) / 3600.0),
        aim_periapsis_alt_km=float(rp_hyp_alt_km), r_end_m=s[:3].copy(), v_end_m_s=s[3:6].copy())


def ep_thrust(ero, sun_distance_au: float):
    """Engines that the arrays can power at ``sun_distance_au``; thrust (N), mdot (kg/s), count.

    Array power falls as 1/d^2; the bus takes ``ero.bus_power_w`` first.
    """
    avail = ero.solar_array_power_1au_w / sun_distance_au**2 - ero.bus_power_w
    n = int(min(ero.ep_engine_count, np.floor(max(avail, 0.0) / ero.ep_power_per_engine_w)))
    if n < 1:
        raise NoSolutionError(
            f"solar arrays give {avail:.0f} W for the engines at {sun_distance_au:.3f} AU, less than "
            f"ep_power_per_engine_w={ero.ep_power_per_engine_w!r}; raise solar_array_power_1au_w")
    thrust = n * ero.ep_thrust_per_engine_n
    return thrust, thrust / (G0_M_S2 * ero.ep_isp_s), n


@dataclass(frozen=True)
class SpiralResult:
    """Ion-engine spiral from the capture orbit to the working orbit.

    Attributes
    ----------
    duration_days, dv_m_s, propellant_kg : float
        Simulated (point mass + J2, eclipses, steering law of
        :mod:`msrsim.kernels.lowthrust`).
    edelbaum_dv_m_s, edelbaum_days : float
        Edelbaum's closed form from the circular orbit of the same energy, continuous
        thrust (a lower bound for an elliptic start).
    coast_fraction : float
        Fraction of the time the engines were off (shadow or effectivity cut-off).
    engines, thrust_n : int, float
        Engines firing and their total thrust.
    history : numpy.ndarray, shape (k, 5)
        t_days, periapsis_alt_km, apoapsis_alt_km, inclination_deg, mass_kg.
    """

    duration_days: float
    dv_m_s: float
    propellant_kg: float
    mass_after_kg: float
    edelbaum_dv_m_s: float
    edelbaum_days: float
    coast_fraction: float
    engines: int
    thrust_n: float
    final_periapsis_alt_km: float
    final_apoapsis_alt_km: float
    final_inclination_deg: float
    final_raan_deg: float
    reached: bool
    history: np.ndarray = field(repr=False)


def spiral_down(r0_m, v0_m_s, mass_kg, ero, target_alt_km, target_inclination_deg, t_tdb_s,
                max_days=2000.0, tolerance_km=10.0, effectivity_cut=0.3,
                j2=True) -> SpiralResult:
    """Simulate the ion-engine spiral from a capture orbit to a circular working orbit.

    Parameters
    ----------
    r0_m, v0_m_s : array_like, shape (3,)
        Start state in the Mars equator frame, m and m/s.
    mass_kg : float
        Mass at the start (after the OIM is jettisoned), kg.
    ero : EROParams
        Propulsion and power.
    target_alt_km, target_inclination_deg : float
        Working orbit (circular), km and deg.
    t_tdb_s : float
        Start epoch (sets the Sun distance and direction), TDB s past J2000.
    max_days : float
        Give up after this many days (the result then has ``reached`` False).
    tolerance_km : float
        Periapsis and apoapsis must be within this of the target (osculating; Mars's J2
        moves them by several km within a revolution).
    effectivity_cut : float
        Coast where thrusting achieves less than this fraction of the best rate on the
        orbit (0 = always thrust).
    j2 : bool
        Include J2.
    """
    mu = MARS.mu_m3_s2
    r0 = np.asarray(r0_m, dtype=float)
    v0 = np.asarray(v0_m_s, dtype=float)
    el0 = rv_to_elements(r0, v0, mu)
    if not (el0["e"] < 1.0):
        raise ConfigError("spiral start orbit is not bound (e >= 1); capture first")
    r_mars_km, v_mars_km_s = planet_state("mars", t_tdb_s)
    d_au = float(np.linalg.norm(r_mars_km)) / AU_KM
    thrust, mdot, n_eng = ep_thrust(ero, d_au)
    m_eq = icrf_to_equator_matrix("mars", t_tdb_s)
    sun0 = m_eq @ _unit(-np.asarray(r_mars_km))
    h_helio = np.cross(r_mars_km, v_mars_km_s)
    sun_axis = m_eq @ _unit(h_helio)
    sun_rate = float(np.linalg.norm(h_helio) / np.dot(r_mars_km, r_mars_km))
    a0 = float(el0["a"])
    r1 = MARS.r_eq_m + target_alt_km * 1e3
    vc0 = np.sqrt(mu / a0)
    vc1 = np.sqrt(mu / r1)
    di = float(el0["i_rad"]) - np.radians(target_inclination_deg)
    dv_e = float(edelbaum_dv_m_s(vc0, vc1, di))
    beta0 = float(edelbaum_beta0_rad(vc0, vc1, di))
    t_e = float(constant_thrust_burn_time_s(dv_e, mass_kg, thrust, ero.ep_isp_s))
    hist = np.empty((4000, 9))
    # record about 3000 points over the expected duration
    steps_per_rev = 100.0
    period = 2 * np.pi * np.sqrt(r1**3 / mu)
    every = max(1, int(3.0 * t_e / period * steps_per_rev / 3000))
    t, s, reached, coast, nh = spiral_one(
        r0, v0, float(mass_kg), thrust, mdot, 1, r1, r1, np.radians(target_inclination_deg), False,
        vc0, beta0, 1.0 if di >= 0 else -1.0, mu, MARS.r_eq_m, MARS.j2 if j2 else 0.0, sun0, sun_axis,
        sun_rate, bool(ero.eclipses), steps_per_rev, max_days * SECONDS_PER_DAY, tolerance_km * 1e3,
        float(effectivity_cut), every, hist)
    h = hist[:nh]
    eh = rv_to_elements(h[:, 1:4], h[:, 4:7], mu)
    history = np.column_stack([h[:, 0] / SECONDS_PER_DAY, (eh["rp"] - MARS.r_eq_m) / 1e3,
                               (np.minimum(eh["ra"], 1e12) - MARS.r_eq_m) / 1e3,
                               np.degrees(eh["i_rad"]), h[:, 7]])
    el = rv_to_elements(s[:3], s[3:6], mu)
    return SpiralResult(
        duration_days=float(t / SECONDS_PER_DAY), dv_m_s=float(s[7]),
        propellant_kg=float(mass_kg - s[6]), mass_after_kg=float(s[6]), edelbaum_dv_m_s=dv_e,
        edelbaum_days=t_e / SECONDS_PER_DAY, coast_fraction=float(coast / max(t, 1e-9)),
        engines=n_eng, thrust_n=float(thrust),
        final_periapsis_alt_km=float((el["rp"] - MARS.r_eq_m) / 1e3),
        final_apoapsis_alt_km=float((el["ra"] - MARS.r_eq_m) / 1e3),
        final_inclination_deg=float(np.degrees(el["i_rad"])),
        final_raan_deg=float(np.degrees(el["raan_rad"]) % 360.0), reached=bool(reached),
        history=history)
