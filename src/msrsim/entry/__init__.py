"""Atmospheric entry: batched 3-DOF trajectories over a rotating oblate planet, Monte Carlo
landing ellipses, presets for the Sample Retrieval Lander at Jezero and the Earth Entry
System at Utah. See :func:`run_entry` and :func:`load_preset`. The configuration and
presets import cheaply; the compiled runner (:mod:`.run`) loads on first use."""

from __future__ import annotations

from .._lazy import lazy_getattr
from .model import (
    Dispersions,
    EntryConfig,
    EntryState,
    Parachute,
    PoweredDescent,
    Target,
    Vehicle,
    make_config,
)
from .presets import PRESETS, load_config, load_preset

_LAZY = {name: ".run" for name in ("EntryResult", "landing_ellipse", "point_in_polygon", "run_entry")}

__all__ = [
    "PRESETS",
    "Dispersions",
    "EntryConfig",
    "EntryResult",
    "EntryState",
    "Parachute",
    "PoweredDescent",
    "Target",
    "Vehicle",
    "landing_ellipse",
    "load_config",
    "load_preset",
    "make_config",
    "point_in_polygon",
    "run_entry",
]


__getattr__ = lazy_getattr(__name__, _LAZY, globals())
