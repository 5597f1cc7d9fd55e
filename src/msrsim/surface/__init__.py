"""Surface operations at the landing site: rover courier, helicopters, transfer arm, power.

:func:`simulate_surface` runs every trial's sols in one compiled call;
:func:`storm_onsets` places global dust storms in Mars years by solar longitude.
"""

from __future__ import annotations

_LAZY = {"simulate_surface": "operations", "storm_onsets": "operations", "SOL_S": "operations"}

__all__ = list(_LAZY)


def __getattr__(name: str):
    mod = _LAZY.get(name)
    if mod is None:
        raise AttributeError(f"module 'msrsim.surface' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(f"{__name__}.{mod}"), name)
    globals()[name] = value
    return value
