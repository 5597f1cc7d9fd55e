"""The nominal trial's trajectories as OEM segments (states in km, km/s; epochs TDB s).

* cruises (SRL Earth→Mars, ERO Mars→Earth, and the ERO's Earth→Mars when the plan flies
  its ballistic leg): the ballistic transfer between the trial's dates
  (:func:`msrsim.windows.transfer_at`), its heliocentric state at departure (planet
  velocity plus departure v∞) propagated as a two-body Sun orbit; Sun centred, ICRF axes
  (DE421's frame);
* the ERO's solar-electric Earth→Mars cruise (when the plan flies it): the solved
  trajectory, its control flown again by the leg's integrator
  (:func:`msrsim.lowthrust.ero.ero_opportunity_trajectory`), one OEM segment per thrust
  segment (constant thrust direction and throttle), so that no reader interpolates across a
  change of thrust; the states are the integrator's steps;
* MAV ascent: the nominal ascent's history, turned from the integrator's frame (Mars
  equator, x through the prime meridian at lift-off) into Mars-centred ICRF axes with the
  IAU rotation angle at lift-off;
* OS orbit: the ascent's final state propagated as a two-body Mars orbit;
* EES approach: the Earth-arrival hyperbola targeted to the entry flight-path angle (the
  construction of :func:`msrsim.marsorbit.departure.earth_arrival`), from release to the
  entry interface; Earth centred, ICRF axes.
"""

from __future__ import annotations

import math

import numpy as np

from ..bodies import EARTH, icrf_to_equator_matrix
from ..constants import GM_EARTH_KM3_S2, GM_MARS_KM3_S2, GM_SUN_KM3_S2, SECONDS_PER_DAY
from ..ephemeris import load_ephemeris
from ..kernels.kepler import propagate
from .oem import OEMSegment, sample_epochs

#: Steps between written states: cruise 1 day, OS orbit 60 s, EES approach 10 min.
CRUISE_STEP_S = SECONDS_PER_DAY
OS_STEP_S = 60.0
EES_STEP_S = 600.0
#: OS orbit written for this long after the ascent, s.
OS_SPAN_S = 2 * SECONDS_PER_DAY


def cruise_states(from_body: str, to_body: str, departure_tdb_s: float, arrival_tdb_s: float,
                  step_s: float = CRUISE_STEP_S, ephemeris_path: str | None = None):
    """Heliocentric ICRF states of the ballistic transfer between two dates.

    Returns
    -------
    t_tdb_s, r_km, v_km_s : numpy.ndarray
        Shapes (n,), (n, 3), (n, 3).
    """
    from ..windows import transfer_at

    tr = transfer_at(from_body, to_body, departure_tdb_s, arrival_tdb_s, ephemeris_path)
    eph = load_ephemeris(ephemeris_path)
    r0, v0 = eph.state(from_body, departure_tdb_s)
    v0 = v0 + np.asarray(tr.vinf_departure_vec_km_s, dtype=float)
    t = sample_epochs(departure_tdb_s, arrival_tdb_s, step_s)
    r, v = propagate(r0, v0, t - departure_tdb_s, GM_SUN_KM3_S2)
    return t, r, v


def electric_cruise_segments(cruise, ero_params, ephemeris_path: str | None = None) -> list:
    """The states of a solved ERO electric cruise, split at its thrust segments.

    Parameters
    ----------
    cruise : msrsim.lowthrust.ero.EROOpportunity
        A feasible solved cruise (with its control).
    ero_params : msrsim.marsorbit.params.EROParams
        The parameters it was solved with.
    ephemeris_path : str, optional

    Returns
    -------
    list of (t_tdb_s, r_km, v_km_s, throttle)
        One entry per thrust segment: heliocentric ICRF states at the integrator's steps
        (both ends included, so consecutive segments share an epoch) and the segment's
        throttle (0..1).
    """
    from ..lowthrust.ero import ero_opportunity_trajectory

    tr = ero_opportunity_trajectory(cruise, ero_params, ephemeris_path=ephemeris_path)
    n = tr.throttle.size
    per = (tr.t_s.size - 1) // n  # integrator steps per thrust segment
    t = float(cruise.depart_tdb_s) + tr.t_s
    return [(t[i * per:(i + 1) * per + 1], tr.r_km[i * per:(i + 1) * per + 1],
             tr.v_km_s[i * per:(i + 1) * per + 1], float(tr.throttle[i])) for i in range(n)]


def ascent_states(plan, launch_tdb_s: float):
    """The nominal MAV ascent in Mars-centred ICRF axes, lift-off to burnout.

    Returns
    -------
    t_tdb_s, r_km, v_km_s : numpy.ndarray
    """
    from ..ascent import _dynamics as K
    from ..ascent.core import kernel_inputs, nominal_row, run_single_history
    from ..bodies import mars_rotation_angle_rad

    cfg = plan.ascent_config.model_copy(update={"launch_epoch_tdb_s": float(launch_tdb_s)})
    # the history holds the state at the start of each step; the kernel's output row holds
    # the state at burnout, which ends the file (what fly_nominal records, plus its end)
    out, h = run_single_history(nominal_row(cfg, plan.ascent_guidance), kernel_inputs(cfg))
    t_s = np.append(h[:, K.H_T], out[K.O_T_END])
    r_m = np.vstack([h[:, K.H_R0:K.H_R0 + 3], out[K.O_RX:K.O_RX + 3]])
    v_m_s = np.vstack([h[:, K.H_V0:K.H_V0 + 3], out[K.O_VX:K.O_VX + 3]])
    t = float(launch_tdb_s) + t_s
    keep = np.concatenate([[True], np.diff(t) > 1e-3])  # rows at the same instant (staging) once
    w = float(mars_rotation_angle_rad(float(launch_tdb_s)))
    rz = np.array([[math.cos(w), -math.sin(w), 0.0], [math.sin(w), math.cos(w), 0.0], [0.0, 0.0, 1.0]])
    to_icrf = icrf_to_equator_matrix("mars", float(launch_tdb_s)).T @ rz
    return t[keep], (r_m[keep] @ to_icrf.T) / 1e3, (v_m_s[keep] @ to_icrf.T) / 1e3


def ees_approach_states(vinf_icrf_km_s, entry_alt_km: float, entry_fpa_deg: float, release_days: float,
                        landing_lat_deg: float, entry_tdb_s: float, step_s: float = EES_STEP_S):
    """Earth-centred ICRF states of the EES approach from release to the entry interface.

    The hyperbola of :func:`msrsim.marsorbit.departure.earth_arrival`: the entry interface
    at ``entry_alt_km`` reached at ``entry_tdb_s`` with flight-path angle ``entry_fpa_deg``.
    """
    from ..marsorbit.arrival import periapsis_state_from_vinf
    from ..windows import entry_speed_km_s

    vinf = np.asarray(vinf_icrf_km_s, dtype=float) * 1e3
    vn = float(np.linalg.norm(vinf))
    mu = EARTH.mu_m3_s2
    r_ei = EARTH.r_eq_m + entry_alt_km * 1e3
    v_ei = float(entry_speed_km_s(vn / 1e3, entry_alt_km)) * 1e3
    b = r_ei * v_ei * math.cos(math.radians(entry_fpa_deg)) / vn
    k = mu / vn**2
    e = math.sqrt(1 + (b / k) ** 2)
    rp = k * (e - 1)
    inc = max(abs(landing_lat_deg), abs(math.degrees(math.asin(vinf[2] / vn))))
    r_p, v_p = periapsis_state_from_vinf(vinf, rp, math.radians(inc), mu_m3_s2=mu)
    p = k * (e * e - 1)
    nu = -math.acos(min(1.0, max(-1.0, (p / r_ei - 1) / e)))
    f = 2 * math.atanh(math.sqrt((e - 1) / (e + 1)) * math.tan(nu / 2))
    t_ei = (e * math.sinh(f) - f) / math.sqrt(mu / k**3)  # entry interface, s from periapsis (< 0)
    t = sample_epochs(entry_tdb_s - release_days * SECONDS_PER_DAY, entry_tdb_s, step_s)
    r, v = propagate(np.asarray(r_p) / 1e3, np.asarray(v_p) / 1e3, t - entry_tdb_s + t_ei, GM_EARTH_KM3_S2)
    return t, r, v


def nominal_segments(plan, nominal: dict | None = None, ephemeris_path: str | None = None) -> dict:
    """Every OEM file of the nominal trial: file stem -> list of OEMSegment.

    Parameters
    ----------
    plan : CampaignPlan
    nominal : dict, optional
        The nominal trial (:func:`msrsim.report.campaign.nominal_trial`; computed if absent).
    ephemeris_path : str, optional
    """
    from ..entry import load_preset
    from ..report.campaign import nominal_trial
    from ..windows import transfer_at

    nom = nominal if nominal is not None else nominal_trial(plan)
    arch = plan.architecture
    name = arch.name
    src = f"msrsim nominal trial of architecture {name} (no dispersion, slip or failure)"
    lander = plan.lander_opportunities[0]
    ero = plan.ero_opportunities[0]
    frame_note = "ICRF axes (the DE421 frame); positions km, velocities km/s"
    out = {}
    t, r, v = cruise_states("earth", "mars", lander.planned_departure_tdb_s, lander.planned_arrival_tdb_s,
                            ephemeris_path=ephemeris_path)
    out["srl_cruise"] = [OEMSegment("SRL", f"MSRSIM-{name}-SRL", "SUN", "ICRF", t, r, v, "LAGRANGE", 7,
                                    (src, "Earth-Mars ballistic transfer, two-body Sun orbit", frame_note))]
    solved = plan.ero_cruise_solutions[0] if plan.ero_cruise_solutions else None
    if solved is not None:
        parts = electric_cruise_segments(solved, plan.mars_orbit_config.ero, ephemeris_path)
        segs = [OEMSegment("ERO", f"MSRSIM-{name}-ERO", "SUN", "ICRF", t1, r1, v1, "HERMITE", 7,
                           (src, f"Earth-Mars solar-electric cruise, thrust segment {i + 1} of {len(parts)} "
                            f"(throttle {thr:.3f}, direction fixed in ICRF); the solved low-thrust "
                            "trajectory (msrsim.lowthrust), integrator steps", frame_note))
                for i, (t1, r1, v1, thr) in enumerate(parts)]
    else:
        t1, r1, v1 = cruise_states("earth", "mars", ero.planned_departure_tdb_s, ero.planned_arrival_tdb_s,
                                   ephemeris_path=ephemeris_path)
        segs = [OEMSegment("ERO", f"MSRSIM-{name}-ERO", "SUN", "ICRF", t1, r1, v1, "LAGRANGE", 7,
                           (src, "Earth-Mars ballistic transfer, two-body Sun orbit: the leg the plan "
                            "flies (ero.cruise ballistic, a chemical ERO, or no low-thrust solution; an "
                            "electric ERO's first-order cruise credit is not in this arc)", frame_note))]
    if math.isfinite(nom["tei_tdb_s"]) and math.isfinite(nom["earth_entry_tdb_s"]):
        t2, r2, v2 = cruise_states("mars", "earth", nom["tei_tdb_s"], nom["earth_entry_tdb_s"],
                                   ephemeris_path=ephemeris_path)
        segs.append(OEMSegment("ERO", f"MSRSIM-{name}-ERO", "SUN", "ICRF", t2, r2, v2, "LAGRANGE", 7,
                               (src, "Mars-Earth return, ballistic, two-body Sun orbit", frame_note)))
    out["ero_cruise"] = segs
    t_mav = nom["mav_launch_tdb_s"]
    if math.isfinite(t_mav):
        ta, ra, va = ascent_states(plan, t_mav)
        out["mav_ascent"] = [OEMSegment("MAV", f"MSRSIM-{name}-MAV", "MARS", "ICRF", ta, ra, va, "HERMITE", 3,
                                        (src, f"MAV ascent ({arch.mav.preset} vehicle), integrator steps",
                                         "Mars-centred " + frame_note))]
        to = sample_epochs(ta[-1], ta[-1] + OS_SPAN_S, OS_STEP_S)
        ro, vo = propagate(ra[-1], va[-1], to - ta[-1], GM_MARS_KM3_S2)
        out["os_orbit"] = [OEMSegment("OS", f"MSRSIM-{name}-OS", "MARS", "ICRF", to, ro, vo, "HERMITE", 7,
                                      (src, "Orbiting Sample container after the ascent, two-body Mars orbit "
                                       "(no J2, no drag)", "Mars-centred " + frame_note))]
    if math.isfinite(nom["tei_tdb_s"]) and math.isfinite(nom["earth_entry_tdb_s"]):
        back = transfer_at("mars", "earth", nom["tei_tdb_s"], nom["earth_entry_tdb_s"], ephemeris_path)
        ees_cfg = load_preset(arch.ees.entry_preset)
        mo = plan.mars_orbit_config.ret
        te, re_, ve = ees_approach_states(back.vinf_arrival_vec_km_s, mo.entry_alt_km, ees_cfg.entry.fpa_deg,
                                          mo.ees_release_days, mo.landing_lat_deg, nom["earth_entry_tdb_s"])
        out["ees_approach"] = [OEMSegment(
            "EES", f"MSRSIM-{name}-EES", "EARTH", "ICRF", te, re_, ve, "HERMITE", 7,
            (src, f"EES from release ({mo.ees_release_days:g} d before entry) to the {mo.entry_alt_km:g} km "
             f"entry interface, flight-path angle {ees_cfg.entry.fpa_deg:g} deg; two-body Earth hyperbola",
             "Earth-centred " + frame_note))]
    return out
