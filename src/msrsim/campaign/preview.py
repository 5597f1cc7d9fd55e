"""Campaign preview: every phase model of an architecture run once, chained by its dates.

The chain passes epochs and states from phase to phase, so that each model sees what the
one before it delivered:

* the launch-window analysis gives the lander's Earth→Mars transfer → its arrival v∞ →
  the Sample Retrieval Lander's inertial entry speed at Jezero (vis-viva at 125 km);
* the Mars-orbit plan (ERO arrival, spiral, MAV launch timed for the ERO's plane,
  rendezvous, return window) gives the MAV lift-off epoch → the ascent's orbit node;
* the return transfer's Earth arrival v∞ → the Earth Entry System's entry speed at
  Utah, flown at the flight-path angle the Earth approach was targeted to.

Each phase with dispersions runs its own Monte Carlo; phases are not yet coupled trial by
trial (that is the campaign Monte Carlo's job). No physics is written here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

#: Entry interface altitude used for both planets' entry speeds (FACTS.md §5 MSL, §8 EES).
ENTRY_INTERFACE_ALT_KM = 125.0


@dataclass(frozen=True)
class CampaignPreview:
    """Result of :func:`preview_campaign` (models' own result objects, plus the chain).

    Attributes
    ----------
    architecture : msrsim.campaign.architecture.Architecture
    windows : list of msrsim.campaign.architecture.LegResult
    lander_transfer : msrsim.windows.Transfer
        The lander's Earth→Mars transfer (lowest arrival v∞ of its leg's best transfers).
    srl_entry : msrsim.entry.EntryResult
    selection : msrsim.samples.select.Selection
    ascent_orbit : dict
        Nominal delivered orbit and Δv budget of the designed ascent.
    ascent_monte_carlo : msrsim.ascent.AscentMonteCarlo or None
    ascent_reached_target : bool
    mars_orbit : msrsim.campaign.mission.MarsOrbitPhase
    ees_entry : msrsim.entry.EntryResult
    os_wait_days : float
        Days the OS must stay in orbit: MAV lift-off to capture complete.
    p_os_survives_to_capture : float or None
        Fraction of the ascent Monte Carlo's delivered orbits whose drag lifetime exceeds
        ``os_wait_days`` (None without trials).
    events : list of (str, float)
        Campaign milestones in time order: (name, TDB seconds past J2000).
    trials, seed : int
    """

    architecture: object
    windows: list
    lander_transfer: object
    srl_entry: object
    selection: object
    ascent_orbit: dict
    ascent_monte_carlo: object
    ascent_reached_target: bool
    mars_orbit: object
    ees_entry: object
    os_wait_days: float = float("nan")
    ascent_min_periapsis_alt_km: float = float("nan")
    p_os_survives_to_capture: float | None = None
    events: list = field(default_factory=list)
    trials: int = 0
    seed: int = 1

    def summary(self) -> dict:
        """JSON-ready summary of every phase and the milestone timeline (UTC at this edge)."""
        from ..timescales import tdb_to_utc

        def num(x, nd=4):
            x = float(x)
            return round(x, nd) if np.isfinite(x) else None

        lt = self.lander_transfer
        srl = self.srl_entry.summary(seed=self.seed)
        ees = self.ees_entry.summary(seed=self.seed)
        sel = self.selection.to_dict()
        mo = self.mars_orbit.summary
        asc = self.ascent_orbit
        mc = self.ascent_monte_carlo
        out = {
            "architecture": self.architecture.name,
            "title": self.architecture.title,
            "trials_per_phase": self.trials,
            "seed": self.seed,
            "vehicle_parameters": ("msrsim defaults of each phase model (SRL srl-jezero, MAV "
                                   "mav_sim, ERO EROParams, EES ees-uttr); the architecture "
                                   "supplies the dates"),
            "events": [{"event": name, "utc": tdb_to_utc(t, "minutes")} for name, t in self.events],
            "srl_cruise": {
                "type": lt.type, "departure_utc": tdb_to_utc(lt.departure_tdb_s, "date"),
                "arrival_utc": tdb_to_utc(lt.arrival_tdb_s, "date"), "c3_km2_s2": num(lt.c3_km2_s2),
                "vinf_arrival_km_s": num(lt.vinf_arrival_km_s),
            },
            "srl_entry": {k: srl[k] for k in (
                "peak_g", "peak_heat_flux_w_cm2", "heat_load_j_cm2", "entry_to_landing_s",
                "ellipse99_major_km", "ellipse99_minor_km", "centre_offset_km", "p_within_radius",
                "radius_km", "n_landed", "n_skip_out", "trials")}
            | {"entry_speed_km_s": num(self.srl_entry.config.entry.speed_m_s / 1e3)},
            "samples": {k: sel[k] for k in ("capacity", "n_selected", "value", "est_mass_g",
                                             "by_category", "by_location")},
            "ascent": {
                "reached_target": bool(self.ascent_reached_target),
                **{k: num(asc[k], 3) for k in ("periapsis_alt_km", "apoapsis_alt_km",
                                               "inclination_deg", "raan_deg", "dv_total_m_s",
                                               "dv_gravity_loss_m_s", "dv_drag_loss_m_s")
                   if k in asc},
                "min_periapsis_alt_km": self.ascent_min_periapsis_alt_km,
                "p_orbit_ok": num(mc.p_orbit_ok) if mc is not None else None,
                "os_wait_days": num(self.os_wait_days, 2),
                "p_os_survives_to_capture": (num(self.p_os_survives_to_capture)
                                             if self.p_os_survives_to_capture is not None else None),
                "trials": mc.n_trials if mc is not None else 0,
            },
            "mars_orbit": {k: (num(mo[k], 3) if isinstance(mo[k], float) else mo[k]) for k in (
                "moi_dv_m_s", "spiral_days", "spiral_dv_m_s", "rendezvous_dv_m_s", "rendezvous_days",
                "tei_dv_m_s", "dv_total_m_s", "launch_to_capture_years", "wait_for_window_days",
                "os_wait_before_rendezvous_days", "os_lifetime_days", "earth_entry_speed_km_s",
                "schedule_ok") if k in mo},
            "ees_entry": {k: ees[k] for k in (
                "peak_g", "peak_heat_flux_w_cm2", "heat_load_j_cm2", "impact_speed_m_s",
                "entry_to_landing_s", "ellipse99_major_km", "ellipse99_minor_km", "p_inside_zone",
                "n_landed", "n_skip_out", "trials")}
            | {"entry_speed_km_s": num(self.ees_entry.config.entry.speed_m_s / 1e3),
               "fpa_deg": num(self.ees_entry.config.entry.fpa_deg, 3)},
        }
        # a phase that yields no number is a reported failure, never a silent null: only the
        # Monte Carlo statistics may be absent, and only when no trials were flown
        optional = {"p_orbit_ok", "p_os_survives_to_capture", "ellipse99_major_km", "ellipse99_minor_km",
                    "centre_offset_km", "p_within_radius", "p_inside_zone"} if not self.trials else set()
        out["phase_failures"] = [f"{sec}.{k}" for sec, vals in out.items() if isinstance(vals, dict)
                                 for k, v in vals.items() if v is None and k not in optional]
        return out


def _fraction_surviving(orbits: dict, wait_days: float, os_params) -> float:
    """Fraction of delivered orbits whose drag lifetime is at least ``wait_days``."""
    from ..marsorbit.lifetime import os_lifetime_days

    rp = np.asarray(orbits["periapsis_alt_km"], dtype=float)
    ra = np.asarray(orbits["apoapsis_alt_km"], dtype=float)
    inc = np.asarray(orbits["inclination_deg"], dtype=float)
    reentry = os_params.reentry_alt_km
    # a trial that did not reach orbit (periapsis below re-entry, or escape) has no lifetime
    ok = np.isfinite(rp) & np.isfinite(ra) & (rp > reentry) & (ra >= rp)
    life = np.zeros(rp.shape)
    if ok.any():
        # the horizon is the wait itself: longer lifetimes are all "survives"
        life[ok] = os_lifetime_days(rp[ok], ra[ok], inc[ok], os_params.area_to_mass_m2_kg,
                                    os_params.drag_coefficient, reentry_alt_km=reentry,
                                    max_days=max(wait_days, 1.0))
    return float(np.mean(life >= wait_days))


def _with_entry_speed(cfg, speed_m_s: float, fpa_deg: float | None = None):
    """The entry config with an inertial entry speed (and flight-path angle) replaced."""
    update = {"speed_m_s": float(speed_m_s), "inertial": True}
    if fpa_deg is not None:
        update["fpa_deg"] = float(fpa_deg)
    entry = cfg.entry.model_validate({**cfg.entry.model_dump(), **update})
    return cfg.model_copy(update={"entry": entry})


def preview_campaign(architecture=None, *, trials: int = 2000, seed: int = 1, windows=None,
                     ephemeris_path: str | None = None) -> CampaignPreview:
    """Run every phase model of an architecture once, chained by dates and states.

    Parameters
    ----------
    architecture : Architecture or str, optional
        Architecture or preset name/path (default ``baseline_2022``).
    trials : int
        Monte Carlo trials for each dispersed phase (SRL entry, ascent, EES entry); 0 flies
        the nominals only.
    seed : int
        Random seed (each phase draws from its own stream seeded with it).
    windows : list of LegResult, optional
        Precomputed :func:`msrsim.campaign.architecture.analyse_windows` of the architecture.
    ephemeris_path : str, optional
        SPK kernel instead of DE421.

    Returns
    -------
    CampaignPreview
    """
    from ..ascent.flight import fly_nominal
    from ..ascent.guidance import design_guidance
    from ..ascent.montecarlo import run_monte_carlo
    from ..ascent.params import make_config as make_ascent_config
    from ..constants import GM_MARS_KM3_S2, R_MARS_EQ_M, SECONDS_PER_DAY
    from ..entry import load_preset, run_entry
    from ..errors import ConfigError
    from ..marsorbit.params import MarsOrbitConfig
    from ..rng import phase_key
    from ..samples.select import select_return_set
    from ..windows import entry_speed_km_s
    from .architecture import Architecture, analyse_windows, load_architecture
    from .engine import nominal_surface_ready
    from .mission import ero_legs, plan_mars_orbit_phase, planned_cruise

    if not isinstance(trials, int | np.integer) or not 0 <= trials <= 1_000_000:
        raise ConfigError(f"trials={trials!r} must be an integer in 0..1000000")
    arch = architecture if isinstance(architecture, Architecture) else load_architecture(architecture)
    legs = windows if windows is not None else analyse_windows(arch, ephemeris_path)

    # Earth return: the EES flight-path angle is the entry preset's; the approach is
    # targeted to the same angle so that both phases describe one trajectory
    ees_cfg = load_preset(arch.ees.entry_preset)
    mo_cfg = MarsOrbitConfig()
    mo_cfg = mo_cfg.model_copy(update={"ret": mo_cfg.ret.model_copy(
        update={"entry_fpa_deg": ees_cfg.entry.fpa_deg})})
    if arch.ero.ep_engine_count is not None:
        mo_cfg = mo_cfg.model_copy(update={"ero": mo_cfg.ero.model_copy(
            update={"ep_engine_count": arch.ero.ep_engine_count})})
    ero_legs_ = ero_legs(mo_cfg, arch, legs, ephemeris_path)
    lander = ero_legs_.lander
    # the ERO's outbound cruise as the campaign plan flies it (solved electric or ballistic)
    cruise, _ = planned_cruise(arch, mo_cfg.ero, float(ero_legs_.outbound.departure_tdb_s), 0, ephemeris_path)
    if lander is None:
        raise ConfigError(f"architecture {arch.name!r} has no lander leg (a second earth_to_mars "
                          "leg flown by another vehicle); the preview needs one")
    # Sample Retrieval Lander: entry speed from its arrival v∞ (vis-viva at the interface)
    v_srl_km_s = float(entry_speed_km_s(lander.vinf_arrival_km_s, ENTRY_INTERFACE_ALT_KM,
                                        GM_MARS_KM3_S2, R_MARS_EQ_M * 1e-3))
    srl_cfg = _with_entry_speed(load_preset(arch.lander.entry_preset), v_srl_km_s * 1e3)
    srl = run_entry(srl_cfg, trials=trials, rng=np.random.default_rng(
        np.random.SeedSequence(seed, spawn_key=(phase_key("preview.srl.entry"),))))

    # surface operations of the nominal trial (no storms, nothing fails) set the MAV's
    # earliest lift-off; the ERO's plan first gives the end of its spiral and its stay
    first = plan_mars_orbit_phase(mo_cfg, arch, legs, ephemeris_path, cruise=cruise)
    e0 = first.epochs_tdb_s
    t_land = float(lander.arrival_tdb_s) + float(srl.nominal["entry_to_landing_s"])
    t_ready = nominal_surface_ready(arch, srl_cfg.target, float(srl.nominal["landing_lat_deg"]),
                                    float(srl.nominal["landing_lon_deg"]), t_land, float(e0["mars_arrival"]),
                                    float(e0["spiral_end"]), float(first.summary["rendezvous_days"]))
    mo_cfg = mo_cfg.model_copy(update={"mav_launch": mo_cfg.mav_launch.model_copy(
        update={"surface_stay_days": (t_ready - float(lander.arrival_tdb_s)) / SECONDS_PER_DAY})})
    mars_orbit = plan_mars_orbit_phase(mo_cfg, arch, legs, ephemeris_path, cruise=cruise)
    epochs = mars_orbit.epochs_tdb_s

    selection = select_return_set(explain=False, curve=False)

    # MAV: lift-off when the Mars-orbit plan puts it (timed for the ERO's plane)
    t_mav = float(epochs["mav_launch"])
    asc_cfg = make_ascent_config({"launch_epoch_tdb_s": t_mav})
    design = design_guidance(asc_cfg)
    orbit = fly_nominal(asc_cfg, design.guidance).orbit
    asc_mc = run_monte_carlo(asc_cfg, design.guidance, trials, seed) if trials else None

    # the OS must stay up from lift-off until the ERO has captured it: drag lifetime of
    # every delivered orbit of the ascent Monte Carlo against that wait
    os_wait_days = (float(epochs["capture_complete"]) - t_mav) / SECONDS_PER_DAY
    p_survive = None
    if asc_mc is not None:
        p_survive = _fraction_surviving(asc_mc.orbits, os_wait_days, mo_cfg.os)

    # Earth Entry System: entry speed from the return transfer's Earth arrival v∞
    ees_cfg = _with_entry_speed(ees_cfg, mars_orbit.summary["earth_entry_speed_km_s"] * 1e3)
    ees = run_entry(ees_cfg, trials=trials, rng=np.random.default_rng(
        np.random.SeedSequence(seed, spawn_key=(phase_key("preview.ees.entry"),))))

    t_srl_land = t_land
    t_earth = float(epochs["earth_arrival"])
    events = [
        ("ERO launch", float(epochs["earth_departure"])),
        ("SRL launch", float(lander.departure_tdb_s)),
        ("ERO Mars orbit insertion", float(epochs["mars_arrival"])),
        ("SRL entry and landing at Jezero", t_srl_land),
        ("tubes loaded, MAV ready", t_ready),
        ("ERO spiral down complete", float(epochs["spiral_end"])),
        ("MAV launch (OS in orbit)", t_mav),
        ("rendezvous starts", float(epochs["rendezvous_start"])),
        ("OS captured and contained", float(epochs["capture_complete"])),
        ("trans-Earth injection", float(epochs["tei"])),
        ("EES release", float(epochs["ees_release"])),
        ("EES entry and landing at UTTR", t_earth),
    ]
    events.sort(key=lambda e: e[1])
    return CampaignPreview(architecture=arch, windows=legs, lander_transfer=lander, srl_entry=srl,
                           selection=selection, ascent_orbit=orbit, ascent_monte_carlo=asc_mc,
                           ascent_reached_target=bool(design.converged), mars_orbit=mars_orbit,
                           ees_entry=ees, os_wait_days=os_wait_days, p_os_survives_to_capture=p_survive,
                           ascent_min_periapsis_alt_km=float(asc_cfg.target.min_periapsis_alt_km),
                           events=events, trials=int(trials), seed=int(seed))
