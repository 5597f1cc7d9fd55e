"""Atmosphere protocol, the tabulated grid that compiled kernels read, and its lookup."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np

from ..errors import ConfigError
from ..kernels.atmosphere_grid import grid_lookup, grid_lookup_many

__all__ = ["Atmosphere", "AtmosphereGrid", "grid_lookup", "tabulate"]


class Atmosphere(Protocol):
    """An atmosphere model. Arrays broadcast; altitudes in m, angles in rad."""

    name: str

    def density(self, alt_m, lat_rad=0.0, lon_rad=0.0, t_tdb_s=0.0) -> np.ndarray:
        """Mass density, kg/m^3."""

    def temperature(self, alt_m, lat_rad=0.0, lon_rad=0.0, t_tdb_s=0.0) -> np.ndarray:
        """Kinetic temperature, K."""

    def sound_speed(self, alt_m, lat_rad=0.0, lon_rad=0.0, t_tdb_s=0.0) -> np.ndarray:
        """Speed of sound, m/s."""


@dataclass(frozen=True)
class AtmosphereGrid:
    """An atmosphere sampled on a uniform altitude grid for compiled kernels.

    Attributes
    ----------
    alt0_m : float
        First altitude of the grid, m.
    dalt_m : float
        Grid spacing, m.
    log_rho : numpy.ndarray
        Natural log of density (kg/m^3) at each grid altitude.
    sound_speed_m_s : numpy.ndarray
        Speed of sound at each grid altitude, m/s.
    name : str
        Name of the model sampled.
    """

    alt0_m: float
    dalt_m: float
    log_rho: np.ndarray
    sound_speed_m_s: np.ndarray
    name: str = ""

    @property
    def alt_top_m(self) -> float:
        """Highest altitude on the grid, m (density is extrapolated exponentially above)."""
        return self.alt0_m + self.dalt_m * (self.log_rho.size - 1)

    def density(self, alt_m) -> np.ndarray:
        """Density from the grid, kg/m^3 (same interpolation the kernels use)."""
        alt = np.asarray(alt_m, dtype=float)
        out = np.empty(alt.size)
        a = np.empty(alt.size)
        grid_lookup_many(alt.ravel(), self.alt0_m, self.dalt_m, self.log_rho,
                     self.sound_speed_m_s, out, a)
        return out.reshape(alt.shape)


def tabulate(atm: Atmosphere, alt_max_m: float = 400e3, step_m: float = 250.0,
             alt_min_m: float = -10e3, lat_rad: float = 0.0, lon_rad: float = 0.0,
             t_tdb_s: float = 0.0) -> AtmosphereGrid:
    """Sample an atmosphere on a uniform grid for the compiled integrators.

    Parameters
    ----------
    atm : Atmosphere
        Model to sample.
    alt_max_m, alt_min_m : float
        Grid limits, m.
    step_m : float
        Grid spacing, m.
    lat_rad, lon_rad : float
        Location the profile is taken at, rad.
    t_tdb_s : float
        Epoch, TDB s past J2000.
    """
    if not (alt_max_m > alt_min_m) or step_m <= 0:
        raise ConfigError(f"atmosphere grid {alt_min_m}..{alt_max_m} m step {step_m} m is empty")
    alt = np.arange(alt_min_m, alt_max_m + 0.5 * step_m, step_m)
    rho = np.asarray(atm.density(alt, lat_rad, lon_rad, t_tdb_s), dtype=float)
    a = np.asarray(atm.sound_speed(alt, lat_rad, lon_rad, t_tdb_s), dtype=float)
    if not (np.all(np.isfinite(rho)) and np.all(rho > 0)):
        raise ConfigError(f"atmosphere {atm.name} gave a non-positive or non-finite density")
    return AtmosphereGrid(float(alt[0]), float(step_m), np.log(rho), a, getattr(atm, "name", ""))
