"""Mars atmosphere models: exponential and the NASA Glenn fit (public domain).

No Mars-GRAM or Mars Climate Database data is shipped (FACTS.md §6); user tables are
loaded elsewhere.
"""

from __future__ import annotations

import numpy as np

from ..constants import GM_MARS_M3_S2, R_MARS_MEAN_M

# Specific gas constant of the Martian atmosphere, J/(kg K): 0.1921 kJ/(kg K) as used by
# the NASA Glenn Mars model (Benson, NASA Glenn "Mars Atmosphere Model - Metric Units").
R_GAS_MARS_J_KG_K = 192.1
GAMMA_MARS = 1.29  # ratio of specific heats of CO2 near 200 K (NASA Mars fact sheet ~1.29)

# Exponential model: surface density and scale height from the NASA Mars fact sheet
# (FACTS.md §6: rho0 ~0.020 kg/m^3, H ~11.1 km).
RHO0_MARS_KG_M3 = 0.020
SCALE_HEIGHT_MARS_M = 11.1e3


class MarsExponential:
    """Isothermal exponential Mars atmosphere, rho = rho0 exp(-h/H).

    Parameters
    ----------
    rho0_kg_m3 : float
        Density at zero altitude, kg/m^3 (fact sheet: 0.020).
    scale_height_m : float
        Density scale height, m (fact sheet: 11.1 km).
    temperature_k : float
        Temperature used for the speed of sound, K (210 K: fact-sheet mean surface value).
    """

    def __init__(self, rho0_kg_m3: float = RHO0_MARS_KG_M3,
                 scale_height_m: float = SCALE_HEIGHT_MARS_M, temperature_k: float = 210.0):
        from ..errors import check_finite_positive

        self.rho0_kg_m3 = check_finite_positive("rho0_kg_m3", rho0_kg_m3, "kg/m^3")
        self.scale_height_m = check_finite_positive("scale_height_m", scale_height_m, "m")
        self.temperature_k = check_finite_positive("temperature_k", temperature_k, "K")
        self.name = f"mars-exponential(rho0={self.rho0_kg_m3:g},H={self.scale_height_m:g})"

    def density(self, alt_m, lat_rad=0.0, lon_rad=0.0, t_tdb_s=0.0):
        return self.rho0_kg_m3 * np.exp(-np.asarray(alt_m, dtype=float) / self.scale_height_m)

    def temperature(self, alt_m, lat_rad=0.0, lon_rad=0.0, t_tdb_s=0.0):
        return np.full(np.shape(alt_m), self.temperature_k)

    def sound_speed(self, alt_m, lat_rad=0.0, lon_rad=0.0, t_tdb_s=0.0):
        return np.sqrt(GAMMA_MARS * R_GAS_MARS_J_KG_K * self.temperature(alt_m))


class MarsGlenn:
    """NASA Glenn Mars atmosphere fit, blended into an isothermal exponential tail.

    Below ``blend_alt_m`` (default 60 km) this is the Glenn curve fit to Mars Global
    Surveyor data (T in C, p in kPa, h in m):
    ``T = -31 - 0.000998 h`` (h < 7000 m), ``T = -23.4 - 0.00222 h`` (above);
    ``p = 0.699 exp(-0.00009 h)``; ``rho = p / (0.1921 (T + 273.1))``.
    The fit's temperature reaches absolute zero near 112 km, so above the blend altitude the
    temperature is held at ``tail_temperature_k`` and density falls with the isothermal
    scale height ``R T / g(h)`` from its value at the blend altitude (continuous density).

    Parameters
    ----------
    blend_alt_m : float
        Altitude where the tail takes over, m.
    tail_temperature_k : float
        Temperature of the isothermal tail, K. Default 140 K, a typical Mars mesosphere /
        lower-thermosphere value (Mars Pathfinder ASI/MET profile, Magalhaes et al. 1999,
        ~120-160 K between 60 and 120 km).
    """

    def __init__(self, blend_alt_m: float = 60e3, tail_temperature_k: float = 140.0):
        from ..errors import ConfigError, check_finite_positive

        if not (0.0 < blend_alt_m <= 90e3):
            raise ConfigError(
                f"blend_alt_m={blend_alt_m!r} outside the fit's range; allowed 0 < h <= 90000 m"
            )
        self.blend_alt_m = float(blend_alt_m)
        self.tail_temperature_k = check_finite_positive("tail_temperature_k", tail_temperature_k, "K")
        self.name = "mars-glenn"
        self._rho_b = float(self._glenn_rho(np.array(self.blend_alt_m)))

    @staticmethod
    def _glenn_t_k(h):
        return np.where(h < 7000.0, -31.0 - 0.000998 * h, -23.4 - 0.00222 * h) + 273.1

    def _glenn_rho(self, h):
        p_kpa = 0.699 * np.exp(-0.00009 * h)
        return p_kpa / (0.1921 * self._glenn_t_k(h))

    def _tail(self, h):
        # Isothermal layer with altitude-dependent gravity: integral of g/(R T) dh in
        # closed form, g = GM/(R+h)^2.
        k = GM_MARS_M3_S2 / (R_GAS_MARS_J_KG_K * self.tail_temperature_k)
        rb = R_MARS_MEAN_M + self.blend_alt_m
        r = R_MARS_MEAN_M + h
        return self._rho_b * np.exp(-k * (1.0 / rb - 1.0 / r))

    def density(self, alt_m, lat_rad=0.0, lon_rad=0.0, t_tdb_s=0.0):
        h = np.asarray(alt_m, dtype=float)
        hb = self.blend_alt_m
        return np.where(h <= hb, self._glenn_rho(np.minimum(h, hb)), self._tail(np.maximum(h, hb)))

    def temperature(self, alt_m, lat_rad=0.0, lon_rad=0.0, t_tdb_s=0.0):
        h = np.asarray(alt_m, dtype=float)
        t_b = float(self._glenn_t_k(np.array(self.blend_alt_m)))
        # Linear ramp from the fit's value at the blend altitude to the tail temperature
        # over 10 km keeps the speed of sound continuous.
        ramp = np.clip((h - self.blend_alt_m) / 10e3, 0.0, 1.0)
        t_tail = t_b + ramp * (self.tail_temperature_k - t_b)
        return np.where(h <= self.blend_alt_m, self._glenn_t_k(np.minimum(h, self.blend_alt_m)), t_tail)

    def sound_speed(self, alt_m, lat_rad=0.0, lon_rad=0.0, t_tdb_s=0.0):
        return np.sqrt(GAMMA_MARS * R_GAS_MARS_J_KG_K * self.temperature(alt_m))


def mars_default() -> MarsGlenn:
    """The default Mars atmosphere (NASA Glenn fit with its isothermal tail)."""
    return MarsGlenn()
