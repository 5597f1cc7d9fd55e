"""Campaign layer: architectures, their presets, the phase chain and the campaign Monte Carlo.

Composes the physics models; no physics is written here, and no physics package imports
this one. :func:`load_architecture` reads a preset or YAML file, :func:`analyse_windows`
the launch windows of its legs, :func:`plan_mars_orbit_phase` the ERO's Mars phase and
:func:`preview_campaign` chains every phase once (the nominal trial).
"""

from __future__ import annotations

from .._lazy import lazy_getattr

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


__getattr__ = lazy_getattr(__name__, _LAZY, globals())
