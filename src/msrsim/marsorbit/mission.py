"""The ERO's Mars phase end to end: arrival, spiral, rendezvous, wait, TEI, Earth arrival."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..bodies import icrf_to_equator_matrix
from ..constants import G0_M_S2, SECONDS_PER_DAY
from .params import MarsOrbitConfig


@dataclass(frozen=True)
class MarsOrbitPhase:
    """Result of :func:`plan_mars_orbit_phase`; ``summary`` is JSON-ready (SI-in-name)."""

    summary: dict
    moi: object = field(repr=False)
    spiral: object = field(repr=False)
    rendezvous: object = field(repr=False)
    tei: object = field(repr=False)
    earth: object = field(repr=False)
    os_decay: object = field(repr=False)
    timeline: list = field(repr=False)


def plan_mars_orbit_phase(config: MarsOrbitConfig | None = None, arrival_vinf_icrf_km_s=None,
                          departure_vinf_icrf_km_s=None, earth_vinf_icrf_km_s=None) -> MarsOrbitPhase:
    """Size and time the ERO's Mars phase.

    Parameters
    ----------
    config : MarsOrbitConfig, optional
        Defaults: FACTS.md-based presets (see :mod:`msrsim.marsorbit.params`).
    arrival_vinf_icrf_km_s, departure_vinf_icrf_km_s, earth_vinf_icrf_km_s : array_like, optional
        v∞ vectors (ICRF, km/s) from the launch-windows module; when absent they come from
        zero-revolution Lambert arcs between the configured epochs (DE421).
    """
    from ..timescales import utc_to_tdb
    from .arrival import mars_orbit_insertion, spiral_down
    from .departure import earth_arrival, trans_earth_injection, transfer_vinf
    from .lifetime import os_orbit_decay
    from .rendezvous import plan_rendezvous

    cfg = config or MarsOrbitConfig()
    os_, ero, rdv, ret = cfg.os, cfg.ero, cfg.rendezvous, cfg.ret
    t_arr = float(utc_to_tdb(cfg.mars_arrival_utc))
    t_tei = float(utc_to_tdb(ret.tei_utc))
    t_earth = float(utc_to_tdb(ret.earth_arrival_utc))
    if arrival_vinf_icrf_km_s is None:
        _, arrival_vinf_icrf_km_s = transfer_vinf("earth", "mars", float(utc_to_tdb(cfg.earth_departure_utc)),
                                                  t_arr)
    if departure_vinf_icrf_km_s is None or earth_vinf_icrf_km_s is None:
        d, a = transfer_vinf("mars", "earth", t_tei, t_earth)
        departure_vinf_icrf_km_s = d if departure_vinf_icrf_km_s is None else departure_vinf_icrf_km_s
        earth_vinf_icrf_km_s = a if earth_vinf_icrf_km_s is None else earth_vinf_icrf_km_s
    m_arr = icrf_to_equator_matrix("mars", t_arr)
    vinf_arr_eq = m_arr @ (np.asarray(arrival_vinf_icrf_km_s, dtype=float) * 1e3)
    moi = mars_orbit_insertion(vinf_arr_eq, ero.capture_periapsis_alt_km, ero.capture_period_h,
                               ero.mars_arrival_mass_kg, ero.oim_thrust_n, ero.oim_isp_s,
                               os_.inclination_deg)
    m_spiral0 = moi.mass_after_kg - ero.oim_dry_mass_kg
    t_spiral0 = t_arr + moi.burn_duration_s
    spiral = spiral_down(moi.r_end_m, moi.v_end_m_s, m_spiral0, ero, ero.working_alt_km,
                         os_.inclination_deg, t_spiral0, effectivity_cut=ero.spiral_effectivity_cut)
    t_rdv0 = t_spiral0 + spiral.duration_days * SECONDS_PER_DAY
    rv = plan_rendezvous(os_, ero, rdv, spiral.mass_after_kg, spiral.thrust_n)
    # propellant of the rendezvous: ion engines for the big moves, thrusters (tei_isp) for
    # the terminal ones
    dv_ep = sum(p[1] for p in rv.phases if p[3] != "thrusters")
    dv_chem = sum(p[1] for p in rv.phases if p[3] == "thrusters")
    m_after_rdv = spiral.mass_after_kg * np.exp(-dv_ep / (G0_M_S2 * ero.ep_isp_s)
                                                - dv_chem / (G0_M_S2 * ero.tei_isp_s))
    t_capture = t_rdv0 + rv.duration_days * SECONDS_PER_DAY
    h_os = 0.5 * (os_.periapsis_alt_km + os_.apoapsis_alt_km)
    m_tei = icrf_to_equator_matrix("mars", t_tei)
    vinf_dep_eq = m_tei @ (np.asarray(departure_vinf_icrf_km_s, dtype=float) * 1e3)
    tei = trans_earth_injection(vinf_dep_eq, h_os, os_.inclination_deg, m_after_rdv, ero.tei_isp_s)
    earth = earth_arrival(earth_vinf_icrf_km_s, ret.entry_alt_km, ret.entry_fpa_deg,
                          ret.ees_release_days, ret.landing_lat_deg)
    decay = os_orbit_decay(os_.periapsis_alt_km, os_.apoapsis_alt_km, os_.inclination_deg,
                           os_.area_to_mass_m2_kg, os_.drag_coefficient,
                           reentry_alt_km=os_.reentry_alt_km)
    day = SECONDS_PER_DAY
    wait_days = (t_tei - t_capture) / day
    timeline = [
        ("Mars orbit insertion", 0.0, moi.burn_duration_s / day),
        ("ion-engine spiral", (t_spiral0 - t_arr) / day, spiral.duration_days),
        ("rendezvous and capture", (t_rdv0 - t_arr) / day, rv.duration_days),
        ("wait for the return window", (t_capture - t_arr) / day, max(wait_days, 0.0)),
        ("trans-Earth injection", (t_tei - t_arr) / day, 0.0),
    ]
    dv_total = moi.dv_finite_m_s + spiral.dv_m_s + rv.dv_total_m_s + tei.dv_m_s
    summary = {
        "dv_total_m_s": dv_total,
        "duration_days": (t_tei - t_arr) / day,
        "capture_complete_days": (t_capture - t_arr) / day,
        "wait_for_window_days": wait_days,
        "schedule_ok": bool(wait_days >= 0.0 and spiral.reached),
        "arrival_vinf_km_s": moi.vinf_m_s / 1e3,
        "moi_dv_m_s": moi.dv_finite_m_s,
        "moi_dv_impulsive_m_s": moi.dv_impulsive_m_s,
        "moi_gravity_loss_m_s": moi.gravity_loss_m_s,
        "moi_burn_s": moi.burn_duration_s,
        "moi_propellant_kg": moi.propellant_kg,
        "capture_periapsis_alt_km": moi.periapsis_alt_km,
        "capture_apoapsis_alt_km": moi.apoapsis_alt_km,
        "capture_inclination_deg": moi.inclination_deg,
        "spiral_days": spiral.duration_days,
        "spiral_dv_m_s": spiral.dv_m_s,
        "spiral_xenon_kg": spiral.propellant_kg,
        "spiral_edelbaum_dv_m_s": spiral.edelbaum_dv_m_s,
        "spiral_edelbaum_days": spiral.edelbaum_days,
        "spiral_coast_fraction": spiral.coast_fraction,
        "spiral_reached": spiral.reached,
        "ep_engines": spiral.engines,
        "rendezvous_dv_m_s": rv.dv_total_m_s,
        "rendezvous_days": rv.duration_days,
        "plane_strategy": rv.plane_strategy,
        "keep_out_ok": rv.keep_out_ok,
        "passively_safe_hops": rv.passively_safe,
        "tei_dv_m_s": tei.dv_m_s,
        "tei_dv_ideal_m_s": tei.dv_ideal_m_s,
        "tei_plane_penalty_m_s": tei.plane_penalty_m_s,
        "tei_dv_worst_node_m_s": tei.dv_worst_node_m_s,
        "tei_vinf_km_s": tei.vinf_m_s / 1e3,
        "tei_vinf_declination_deg": tei.declination_deg,
        "tei_propellant_kg": tei.propellant_kg,
        "return_cruise_days": (t_earth - t_tei) / day,
        "earth_vinf_km_s": earth.vinf_km_s,
        "earth_entry_speed_km_s": earth.entry_speed_km_s,
        "earth_entry_fpa_deg": earth.entry_fpa_deg,
        "b_plane_b_km": earth.b_mag_km,
        "b_plane_bt_km": earth.b_t_km,
        "b_plane_br_km": earth.b_r_km,
        "ees_release_days": earth.release_days,
        "ees_release_distance_km": earth.release_distance_km,
        "os_lifetime_days": float(decay.lifetime_days),
        "os_lifetime_capped": bool(decay.capped),
        "os_raan_rate_deg_day": float(decay.raan_rate_deg_day),
        "mass_at_tei_kg": float(m_after_rdv),
    }
    return MarsOrbitPhase(summary=summary, moi=moi, spiral=spiral, rendezvous=rv, tei=tei,
                          earth=earth, os_decay=decay, timeline=timeline)
