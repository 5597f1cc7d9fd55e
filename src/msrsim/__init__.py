"""msrsim: plan and evaluate a Mars sample return campaign end to end.

The front door exports the few names most users need; everything else lives in modules.
Heavy imports (numba kernels, matplotlib) happen lazily on first use.
"""

from __future__ import annotations

from ._lazy import lazy_getattr
from .errors import ConfigError, DataError, EphemerisRangeError, MsrsimError, NoSolutionError

__version__ = "0.1.0"

_LAZY = {
    "planet_state": ("msrsim.ephemeris", "planet_state"),
    "AscentConfig": ("msrsim.ascent.params", "AscentConfig"),
    "design_ascent": ("msrsim.ascent.guidance", "design_guidance"),
    "load_ephemeris": ("msrsim.ephemeris", "load_ephemeris"),
    "utc_to_tdb": ("msrsim.timescales", "utc_to_tdb"),
    "tdb_to_utc": ("msrsim.timescales", "tdb_to_utc"),
    "load_catalogue": ("msrsim.samples.catalogue", "load_catalogue"),
    "select_return_set": ("msrsim.samples.select", "select_return_set"),
    "CustodyLedger": ("msrsim.samples.custody", "Ledger"),
    "perseverance_clock": ("msrsim.marstime", "perseverance_clock"),
    "lambert": ("msrsim.kernels.lambert", "lambert"),
    "porkchop": ("msrsim.windows.porkchop", "porkchop"),
    "best_transfers": ("msrsim.windows.porkchop", "best_transfers"),
    "load_architecture": ("msrsim.campaign.architecture", "load_architecture"),
    "run_entry": ("msrsim.entry.run", "run_entry"),
    "load_entry_preset": ("msrsim.entry.presets", "load_preset"),
    "os_lifetime_days": ("msrsim.marsorbit.lifetime", "os_lifetime_days"),
    "plan_mars_orbit_phase": ("msrsim.campaign.mission", "plan_mars_orbit_phase"),
    "run_campaign": ("msrsim.campaign.montecarlo", "run_campaign"),
}

__all__ = [
    "ConfigError",
    "DataError",
    "EphemerisRangeError",
    "MsrsimError",
    "NoSolutionError",
    "__version__",
    *_LAZY,
]


__getattr__ = lazy_getattr(__name__, _LAZY, globals())
