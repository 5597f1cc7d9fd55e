"""MAV ascent: two-stage solid ascent from the Martian surface to the OS delivery orbit.

Public API: parameter objects (:class:`MAVParams`, :class:`LaunchSite`,
:class:`AscentTarget`, :class:`AscentDispersions`, :class:`GuidanceParams`,
:class:`AscentConfig`, :func:`load_ascent_config`), :func:`design_guidance`,
:func:`close_loop`, :func:`fly_nominal`, :func:`study_ascent` (what ``msrsim ascent``
prints, as an :class:`AscentStudy` with ``.summary()``), :func:`run_monte_carlo`,
:func:`dispersion_sensitivity`;
for the campaign Monte Carlo, :func:`fly_trials` (caller-supplied standard normals,
``ASCENT_NORMALS`` per trial, and per-trial lift-off epochs). Heavy modules load on first
use.
"""

from __future__ import annotations

from .._lazy import lazy_getattr
from .params import (
    AscentConfig,
    AscentDispersions,
    AscentTarget,
    GuidanceParams,
    IntegratorSettings,
    LaunchSite,
    MAVParams,
    MotorStage,
    load_ascent_config,
    make_config,
)

_LAZY = {
    "design_guidance": (".guidance", "design_guidance"),
    "GuidanceDesign": (".guidance", "GuidanceDesign"),
    "launch_azimuth_deg": (".guidance", "launch_azimuth_deg"),
    "close_loop": (".guidance", "close_loop"),
    "run_monte_carlo": (".montecarlo", "run_monte_carlo"),
    "AscentMonteCarlo": (".montecarlo", "AscentMonteCarlo"),
    "dispersion_sensitivity": (".montecarlo", "dispersion_sensitivity"),
    "fly_trials": (".montecarlo", "fly_trials"),
    "draw_normals": (".montecarlo", "draw_normals"),
    "ASCENT_NORMALS": (".montecarlo", "ASCENT_NORMALS"),
    "fly_nominal": (".flight", "fly_nominal"),
    "study_ascent": (".study", "study_ascent"),
    "AscentStudy": (".study", "AscentStudy"),
}

__all__ = [
    "AscentConfig",
    "AscentDispersions",
    "AscentTarget",
    "GuidanceParams",
    "IntegratorSettings",
    "LaunchSite",
    "MAVParams",
    "MotorStage",
    "load_ascent_config",
    "make_config",
    *_LAZY,
]


__getattr__ = lazy_getattr(__name__, _LAZY, globals())
