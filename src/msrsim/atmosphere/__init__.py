"""Planetary atmospheres behind one small protocol.

Every model offers ``density``, ``temperature`` and ``sound_speed`` as functions of
geometric altitude above the reference ellipsoid (m) and, optionally, latitude and
longitude (rad) and time (TDB s past J2000). Compiled integrators do not call the models;
they read an :class:`AtmosphereGrid`, the model sampled once on a uniform altitude grid
(log-density interpolated linearly, i.e. exact for exponential layers).
"""

from __future__ import annotations

from ._base import Atmosphere, AtmosphereGrid, grid_lookup, tabulate
from .earth import EarthUS76MSIS, earth_default, us76
from .mars import (
    MarsExponential,
    MarsGlenn,
    MarsGlennThermosphere,
    mars_default,
    mars_exospheric_temperature_k,
)
from .table import TableAtmosphere, WindProfile

__all__ = [
    "Atmosphere",
    "EarthUS76MSIS",
    "TableAtmosphere",
    "WindProfile",
    "earth_default",
    "us76",
    "AtmosphereGrid",
    "MarsExponential",
    "MarsGlenn",
    "MarsGlennThermosphere",
    "grid_lookup",
    "mars_default",
    "mars_exospheric_temperature_k",
    "tabulate",
]
