"""The ascent study: design the steering, fly the nominal and the Monte Carlo, and chain the
OS orbit lifetime — what ``msrsim ascent`` prints, as one result object."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .core import launch_rotation_angle_rad
from .flight import AscentHistory, fly_nominal
from .guidance import close_loop, design_guidance
from .montecarlo import AscentMonteCarlo, dispersion_sensitivity, run_monte_carlo
from .params import AscentConfig, GuidanceParams

# nominal-orbit quantities reported by AscentStudy.summary, in this order
SUMMARY_KEYS = (
    "periapsis_alt_km", "apoapsis_alt_km", "inclination_deg", "a_km", "e", "raan_deg",
    "raan_fixed_deg", "argp_deg", "dv_total_m_s", "dv_ideal_m_s", "dv_gravity_loss_m_s",
    "dv_gravity_loss_srm1_m_s", "dv_gravity_loss_coast_m_s", "dv_gravity_loss_srm2_m_s",
    "dv_drag_loss_m_s", "dv_steering_loss_m_s", "dv_steering_loss_srm1_m_s",
    "dv_steering_loss_srm2_m_s", "dv_rotation_benefit_m_s", "dv_other_m_s", "shortfall_m_s",
    "target_dv_m_s", "max_q_pa", "max_axial_g", "max_accel_g", "max_alpha_deg",
    "max_alpha_deg_high_q", "max_q_alpha_pa_deg", "coast_s", "flight_time_s",
    "srm1_burnout_alt_km", "srm1_burnout_speed_m_s", "srm2_ignition_alt_km")

# below this periapsis (km) the OS re-enters within the first revolution: lifetime 0
LIFETIME_MIN_PERIAPSIS_KM = 100.0


def nominal_os_lifetime_days(orbit: dict) -> float:
    """Drag lifetime (days) of the OS in a delivered orbit (``fly_nominal(...).orbit``).

    0 for an orbit whose periapsis is below ``LIFETIME_MIN_PERIAPSIS_KM`` or that is not
    bound; otherwise :func:`msrsim.marsorbit.lifetime.os_lifetime_days`.
    """
    if orbit["periapsis_alt_km"] > LIFETIME_MIN_PERIAPSIS_KM and math.isfinite(orbit["apoapsis_alt_km"]):
        from ..marsorbit.lifetime import os_lifetime_days

        return float(os_lifetime_days(orbit["periapsis_alt_km"], orbit["apoapsis_alt_km"],
                                      orbit["inclination_deg"]))
    return 0.0


@dataclass(frozen=True)
class AscentStudy:
    """Result of :func:`study_ascent`.

    Attributes
    ----------
    cfg : AscentConfig
        The configuration flown (its guidance possibly with the limiter switched).
    guidance : GuidanceParams
        Steering flown (designed, from the config, or closed-loop).
    converged : bool or None
        Whether the design reached the target (None when the config gave the guidance).
    payload_max_kg : float or None
        Largest payload that still reaches the target, kg (when asked for).
    closed_loop : bool
    history : AscentHistory
        The nominal flight (``history.orbit`` is its delivered orbit and Δv budget).
    monte_carlo : AscentMonteCarlo or None
    sensitivity : dict or None
        :func:`dispersion_sensitivity` table (when asked for).
    os_lifetime_days : float
        Drag lifetime of the OS in the nominal orbit, days (:func:`nominal_os_lifetime_days`).
    trials, seed : int
    """

    cfg: AscentConfig
    guidance: GuidanceParams
    converged: bool | None
    payload_max_kg: float | None
    closed_loop: bool
    history: AscentHistory
    monte_carlo: AscentMonteCarlo | None
    sensitivity: dict | None
    os_lifetime_days: float
    trials: int
    seed: int

    @property
    def nominal(self) -> dict:
        """Delivered orbit, Δv budget and loads of the nominal flight (scalars)."""
        return self.history.orbit

    def summary(self) -> dict:
        """JSON-ready summary (the body of ``msrsim ascent --json`` without ``figures``):
        the nominal quantities of ``SUMMARY_KEYS`` (None where not finite), vehicle,
        target, epoch (UTC and TDB s), limits, P(orbit ok), P(within limits), OS lifetime
        (days), guidance, Monte Carlo statistics and the sensitivity table."""
        nom = self.nominal
        cfg = self.cfg
        mc = self.monte_carlo

        def fin(x):
            return float(x) if np.isfinite(x) else None

        res = {k: fin(nom[k]) for k in SUMMARY_KEYS}
        res.update({
            "mav": cfg.mav.name,
            "payload_kg": cfg.mav.payload_kg,
            "payload_max_kg": self.payload_max_kg,
            "target": cfg.target.model_dump(),
            "launch_epoch_utc": cfg.launch_utc,
            "t_launch_tdb_s": cfg.launch_tdb_s,
            "mars_rotation_angle_deg": float(np.degrees(launch_rotation_angle_rad(cfg))),
            "reached_target": self.converged,
            "orbit_ok": bool(nom["orbit_ok"]),
            "limits": {"max_alpha_deg": cfg.mav.max_alpha_deg,
                       "alpha_limit_q_pa": cfg.mav.alpha_limit_q_pa,
                       "max_axial_g": cfg.mav.max_axial_g,
                       "alpha_limiter": self.guidance.alpha_limiter,
                       "alpha_limiter_q_margin": self.guidance.alpha_limiter_q_margin},
            "within_limits": bool(nom["limits_ok"]),
            "p_within_limits": mc.p_within_limits if mc is not None else float(nom["limits_ok"]),
            "p_orbit_ok": mc.p_orbit_ok if mc is not None else float(nom["orbit_ok"]),
            "os_lifetime_days": self.os_lifetime_days,
            "guidance": self.guidance.model_dump(),
            "closed_loop": self.closed_loop,
            "misalignment_model": cfg.dispersions.misalignment_model,
            "trials": self.trials,
            "seed": self.seed,
            "monte_carlo": mc.summary() if mc is not None else None,
            "sensitivity": self.sensitivity,
        })
        return res


def study_ascent(cfg: AscentConfig, *, trials: int = 1000, seed: int = 0,
                 sensitivity: bool = False, max_payload: bool = False,
                 alpha_limit: bool | None = None, closed_loop: bool = False) -> AscentStudy:
    """Design (unless ``cfg.guidance`` is given) and fly the MAV ascent, its Monte Carlo and
    the OS lifetime of the nominal orbit.

    Parameters
    ----------
    cfg : AscentConfig
    trials : int
        Monte Carlo trials (0: nominal only; at most 1,000,000).
    seed : int
        Seed of the Monte Carlo (same seed, same result).
    sensitivity : bool
        Also fly each dispersion source alone (``max(trials, 200)`` trials each).
    max_payload : bool
        Also find the largest payload that reaches the target (needs a designed steering).
    alpha_limit : bool, optional
        Steer with (True) or without (False) the angle-of-attack limiter; None keeps the
        config's setting (the limiter by default). Without a guidance section, False
        designs the steering with the limiter off.
    closed_loop : bool
        Fly the designed steering with closed-loop guidance (:func:`close_loop`).

    Raises
    ------
    ConfigError
        ``trials`` outside 0..1,000,000, or ``max_payload`` with a given guidance.
    """
    from ..errors import ConfigError

    if trials < 0 or trials > 1_000_000:
        raise ConfigError(f"trials={trials} outside the allowed range 0..1000000")
    if cfg.guidance is None and alpha_limit is False:
        # design from a base guidance with the limiter off; still a designed steering
        cfg_design = cfg.model_copy(update={"guidance": GuidanceParams(alpha_limiter=False)})
    else:
        cfg_design = cfg
    if cfg.guidance is not None and alpha_limit is not None:
        cfg = cfg.model_copy(update={"guidance": cfg.guidance.model_copy(
            update={"alpha_limiter": alpha_limit})})
    payload_max = None
    if cfg.guidance is None:
        design = design_guidance(cfg_design)
        guidance, converged = design.guidance, design.converged
        if max_payload:
            payload_max = design_guidance(cfg_design, maximise_payload=True).payload_kg
    else:
        guidance, converged = cfg.guidance, None
        if max_payload:
            raise ConfigError("max_payload (--max-payload) redesigns the steering; remove the "
                              "guidance section")
    if closed_loop:
        guidance = close_loop(cfg, guidance)
    hist = fly_nominal(cfg, guidance)
    mc = run_monte_carlo(cfg, guidance, trials, seed) if trials > 0 else None
    sens = dispersion_sensitivity(cfg, guidance, max(trials, 200), seed) if sensitivity else None
    return AscentStudy(cfg, guidance, converged, payload_max, bool(closed_loop), hist, mc, sens,
                       nominal_os_lifetime_days(hist.orbit), int(trials), int(seed))
