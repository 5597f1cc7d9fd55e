"""Surface operations at the landing site: rover courier, helicopters, transfer arm, power.

:func:`simulate_surface` runs every trial's sols in one compiled call;
:func:`storm_onsets` places global dust storms in Mars years by solar longitude.
"""

from __future__ import annotations

from .._lazy import lazy_getattr

_LAZY = {"simulate_surface": "operations", "storm_onsets": "operations", "SOL_S": "operations"}

__all__ = list(_LAZY)


__getattr__ = lazy_getattr(__name__, _LAZY, globals())
