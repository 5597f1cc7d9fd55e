"""Files other tools read: CCSDS OEM ephemerides (GMAT, STK, Orekit) and landing scatters as
GeoJSON/KML (QGIS, Google Earth)."""

from __future__ import annotations

from .._lazy import lazy_getattr

__all__ = ["OEMSegment", "landing_files", "nominal_segments", "oem_text"]

_LAZY = {
    "OEMSegment": ("oem", "OEMSegment"),
    "oem_text": ("oem", "oem_text"),
    "nominal_segments": ("trajectories", "nominal_segments"),
    "landing_files": ("geo", "landing_files"),
}


__getattr__ = lazy_getattr(__name__, _LAZY, globals())
