"""Campaign layer: architectures, their presets, the phase chain and the campaign Monte Carlo.

Composes the physics models; no physics is written here, and no physics package imports
this one. :func:`load_architecture` reads a preset or YAML file, :func:`analyse_windows`
the launch windows of its legs, :func:`plan_mars_orbit_phase` the ERO's Mars phase and
:func:`preview_campaign` chains every phase once (the nominal trial).
"""

from __future__ import annotations

_LAZY = {
    "Architecture": "architecture",
    "LegResult": "architecture",
    "analyse_windows": "architecture",
    "architecture_from_dict": "architecture",
    "list_presets": "architecture",
    "load_architecture": "architecture",
    "EROLegs": "mission",
    "MarsOrbitPhase": "mission",
    "choose_return": "mission",
    "ero_legs": "mission",
    "plan_mars_orbit_phase": "mission",
    "CampaignPreview": "preview",
    "preview_campaign": "preview",
}

__all__ = list(_LAZY)


def __getattr__(name: str):
    mod = _LAZY.get(name)
    if mod is None:
        raise AttributeError(f"module 'msrsim.campaign' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(f"{__name__}.{mod}"), name)
    globals()[name] = value
    return value
