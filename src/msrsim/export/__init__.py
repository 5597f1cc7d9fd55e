"""Files other tools read: CCSDS OEM ephemerides (GMAT, STK, Orekit) and landing scatters as
GeoJSON/KML (QGIS, Google Earth)."""

from __future__ import annotations

__all__ = ["OEMSegment", "landing_files", "nominal_segments", "oem_text"]

_LAZY = {
    "OEMSegment": ("oem", "OEMSegment"),
    "oem_text": ("oem", "oem_text"),
    "nominal_segments": ("trajectories", "nominal_segments"),
    "landing_files": ("geo", "landing_files"),
}


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        mod, attr = _LAZY[name]
        return getattr(importlib.import_module(f"{__name__}.{mod}"), attr)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
