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




# --- Upper atmosphere -------------------------------------------------------------------
# Universal gas constant and atomic mass unit (CODATA 2018, exact / recommended).
R_UNIVERSAL_J_MOL_K = 8.314462618
AMU_KG = 1.66053906660e-27
BOLTZMANN_J_K = 1.380649e-23

# Thermospheric species: molar mass (g/mol), ratio of specific heats, and the number
# fraction at the 120 km base. Base fractions: CO2/N2/Ar near their lower-atmosphere
# mixing ratios as measured at the homopause by MAVEN NGIMS (Mahaffy et al., GRL 42, 2015:
# Ar/N2 at the homopause agree with Curiosity SAM: CO2 ~0.95, N2 ~0.028, Ar ~0.020).
# CALIBRATION: O at 0.35 % of the base, chosen together with the Bates shape (below) so that
# the SPICAM values fall inside their published ranges at F10.7 = 130 (Chaufray et al., JGR
# 114, E02006, 2009: [O]/[CO2] = 0.6-1.2 % at 135 km -> model 1.13 %; O at the ~200 km
# exobase 1.2e7 (+1.2e7/-0.5e7) cm^-3 -> model 7.5e6).
_SPECIES_MOLAR_G = np.array([44.01, 28.013, 39.948, 15.999])  # CO2, N2(+CO), Ar, O
_SPECIES_GAMMA = np.array([1.29, 1.40, 5.0 / 3.0, 5.0 / 3.0])
_SPECIES_BASE_FRACTION = np.array([0.9485, 0.028, 0.020, 0.0035])


def mars_exospheric_temperature_k(f107_sfu: float) -> float:
    """Mars exospheric temperature from the solar 10.7 cm flux at 1 AU, K.

    A linear fit through the two ends of the solar cycle: ~200 K at solar minimum
    (F10.7 ~ 70 sfu; Viking entry-science profiles, Nier & McElroy, JGR 82, 1977, 180-200 K)
    and ~330 K at solar maximum (F10.7 ~ 200 sfu; Mars thermospheric GCM and MGS precise-orbit
    densities, Bougher et al. 2015; Forbes et al., GRL 35, 2008, which finds Mars responds
    36-50 % as strongly as Earth). Clipped to 170-400 K. An engineering assumption, not a fit
    to a data set: pass ``exospheric_temperature_k`` to :class:`MarsGlennThermosphere` to
    override it.

    Parameters
    ----------
    f107_sfu : float
        Solar 10.7 cm radio flux at 1 AU, solar flux units (1e-22 W m^-2 Hz^-1).
    """
    return float(np.clip(200.0 + 1.0 * (f107_sfu - 70.0), 170.0, 400.0))


class MarsGlennThermosphere:
    """Mars atmosphere from the surface to the exosphere (the default model).

    Three pieces, continuous in density and temperature:

    * below ``glenn_top_m`` (40 km): the NASA Glenn curve fit (see :class:`MarsGlenn`);
    * mesosphere up to the thermosphere base (120 km): temperature ramps over 10 km from the
      Glenn value to ``mesosphere_temperature_k`` and stays there; density follows from
      hydrostatic equilibrium with g = GM/r^2 (integrated once at construction);
    * thermosphere above 120 km: a Bates temperature profile
      ``T = T_inf - (T_inf - T_b) exp(-s zeta)`` in geopotential height ``zeta`` and
      diffusive equilibrium of CO2, N2, Ar and O, each with its own scale height, in the
      closed form of Walker (J. Atmos. Sci. 22, 1965) used by the Jacchia and MSIS models.
      Atomic oxygen dominates above ~250 km, which is what sets orbit lifetimes there.

    CALIBRATION (these data set parameters; the tests on them check the fit, not the model):
    the mesosphere temperature (118 K), the Bates shape (s = 0.05 /km) and the base O
    fraction were chosen to put densities inside published operational anchors: the
    aerobraking corridors of Odyssey and MRO, 20-40 kg/km^3 at periapsis ~100-110 km (Tolson
    et al., AAS 17-273); MAVEN deep dips, 3.0 kg/km^3 at 119-121 km and 1.9 kg/km^3 at 123 km,
    and 0.11 kg/km^3 at 145 km (MAVEN status reports 2015-16, UC Berkeley SSL / LASP);
    MAVEN's nominal corridor 0.05-0.15 kg/km^3 near 150 km (Tolson et al.); SPICAM's O/CO2 of
    0.6-1.2 % at 135 km and O at the exobase (~200 km), 1.2e7 cm^-3 (+1.2e7/-0.5e7)
    (Chaufray et al. 2009). s = 0.05 /km brings the thermosphere close to its exospheric
    temperature by ~160 km, as the MAVEN and Viking profiles show (nearly isothermal above
    ~170 km). VALIDATION against data not used in the fit: Viking 1 entry mass spectrometry
    at solar minimum (Nier et al., Science 193, 1976; Nier & McElroy, Science 194, 1976):
    N2/CO2 ~0.06 at 135 km and CO2 the major constituent up to 200 km (model at F10.7 = 70:
    0.060 and O/CO2 = 0.66 at 200 km); tests/test_atmosphere_mars.py and docs/validation.md.
    Known gap: Viking's Ar/CO2 ~0.015 at 135 km (model 0.025, from the SAM/NGIMS base mixing
    ratio). Natural variability is large (70 % 2-sigma at aerobraking altitudes, Tolson et al.,
    JSR 36(3), 1999); scale or replace the model for dispersed studies.

    Parameters
    ----------
    f107_sfu : float
        Solar 10.7 cm flux at 1 AU, sfu; sets the exospheric temperature through
        :func:`mars_exospheric_temperature_k`. Default 130 (moderate activity, the MAVEN
        2015 conditions behind the anchors).
    exospheric_temperature_k : float, optional
        Override of the exospheric temperature, K.
    mesosphere_temperature_k : float
        Mesosphere temperature, K.
    bates_shape_per_m : float
        Bates profile shape parameter s, 1/m (default 5e-5, i.e. 0.05 /km; calibration).
    density_scale : float
        Multiplies density at every altitude (for dispersions), dimensionless.
    """

    glenn_top_m = 40e3
    base_alt_m = 120e3

    def __init__(self, f107_sfu: float = 130.0, exospheric_temperature_k: float | None = None,
                 mesosphere_temperature_k: float = 118.0, bates_shape_per_m: float = 5.0e-5,
                 density_scale: float = 1.0):
        from ..errors import check_finite_positive

        self.f107_sfu = check_finite_positive("f107_sfu", f107_sfu, "sfu")
        if exospheric_temperature_k is None:
            exospheric_temperature_k = mars_exospheric_temperature_k(self.f107_sfu)
        self.t_inf_k = check_finite_positive("exospheric_temperature_k", exospheric_temperature_k, "K")
        self.t_meso_k = check_finite_positive("mesosphere_temperature_k", mesosphere_temperature_k, "K")
        self.s_per_m = check_finite_positive("bates_shape_per_m", bates_shape_per_m, "1/m")
        self.density_scale = check_finite_positive("density_scale", density_scale, "")
        self.name = f"mars-glenn-thermosphere(F10.7={self.f107_sfu:g},Tinf={self.t_inf_k:g})"
        self._glenn = MarsGlenn(blend_alt_m=self.glenn_top_m)
        # Mesosphere: hydrostatic integration, d ln(rho)/dh = -g/(R T) - d ln(T)/dh.
        h = np.linspace(self.glenn_top_m, self.base_alt_m, 1601)
        t = self._meso_t(h)
        g = GM_MARS_M3_S2 / (R_MARS_MEAN_M + h) ** 2
        f = g / (R_GAS_MARS_J_KG_K * t)
        integral = np.concatenate([[0.0], np.cumsum(0.5 * (f[1:] + f[:-1]) * np.diff(h))])
        rho_top = float(self._glenn._glenn_rho(np.array(self.glenn_top_m)))
        self._meso_h = h
        self._meso_log_rho = np.log(rho_top) - integral - np.log(t / t[0])
        # Thermosphere base number densities (m^-3) from the continuous base mass density.
        rho_b = float(np.exp(self._meso_log_rho[-1]))
        mass_kg = _SPECIES_MOLAR_G * 1e-3 / 6.02214076e23
        n_tot = rho_b / float(np.sum(_SPECIES_BASE_FRACTION * mass_kg))
        self._n_base = n_tot * _SPECIES_BASE_FRACTION
        self._mass_kg = mass_kg
        self._r_base_m = R_MARS_MEAN_M + self.base_alt_m
        g_b = GM_MARS_M3_S2 / self._r_base_m ** 2
        self._gamma_i = mass_kg * g_b / (self.s_per_m * BOLTZMANN_J_K * self.t_inf_k)

    def _meso_t(self, h):
        t_top = float(MarsGlenn._glenn_t_k(np.array(self.glenn_top_m)))
        ramp = np.clip((h - self.glenn_top_m) / 10e3, 0.0, 1.0)
        return t_top + ramp * (self.t_meso_k - t_top)

    def _zeta(self, h):
        return (h - self.base_alt_m) * self._r_base_m / (R_MARS_MEAN_M + h)

    def _thermo_t(self, h):
        return self.t_inf_k - (self.t_inf_k - self.t_meso_k) * np.exp(-self.s_per_m * self._zeta(h))

    def number_densities(self, alt_m) -> np.ndarray:
        """Number densities of CO2, N2, Ar, O above the 120 km base, m^-3, shape (..., 4).

        Below the base the mesospheric mixing ratios are returned (well mixed).
        """
        h = np.maximum(np.asarray(alt_m, dtype=float), self.base_alt_m)[..., None]
        zeta = self._zeta(h)
        t = self._thermo_t(h)
        n = self._n_base * (self.t_meso_k / t) ** (1.0 + self._gamma_i) * np.exp(
            -self.s_per_m * self._gamma_i * zeta)
        return n * self.density_scale

    def density(self, alt_m, lat_rad=0.0, lon_rad=0.0, t_tdb_s=0.0):
        h = np.asarray(alt_m, dtype=float)
        low = self._glenn._glenn_rho(np.minimum(h, self.glenn_top_m))
        mid = np.exp(np.interp(h, self._meso_h, self._meso_log_rho))
        high = np.sum(self.number_densities(h) * self._mass_kg, axis=-1) / self.density_scale
        rho = np.where(h <= self.glenn_top_m, low, np.where(h <= self.base_alt_m, mid, high))
        return rho * self.density_scale

    def temperature(self, alt_m, lat_rad=0.0, lon_rad=0.0, t_tdb_s=0.0):
        h = np.asarray(alt_m, dtype=float)
        low = MarsGlenn._glenn_t_k(np.minimum(h, self.glenn_top_m))
        return np.where(h <= self.glenn_top_m, low,
                        np.where(h <= self.base_alt_m, self._meso_t(h), self._thermo_t(h)))

    def sound_speed(self, alt_m, lat_rad=0.0, lon_rad=0.0, t_tdb_s=0.0):
        h = np.asarray(alt_m, dtype=float)
        t = self.temperature(h)
        a_low = np.sqrt(GAMMA_MARS * R_GAS_MARS_J_KG_K * t)
        # Thermosphere: mixture gamma and mean molar mass from the species densities.
        n = self.number_densities(h)
        x = n / np.sum(n, axis=-1, keepdims=True)
        cv = np.sum(x / (_SPECIES_GAMMA - 1.0), axis=-1)
        gam = 1.0 + 1.0 / cv
        m_mol = np.sum(x * _SPECIES_MOLAR_G * 1e-3, axis=-1)
        a_high = np.sqrt(gam * R_UNIVERSAL_J_MOL_K * t / m_mol)
        # Blend over the first 10 km of the thermosphere so the speed of sound is continuous.
        w = np.clip((h - self.base_alt_m) / 10e3, 0.0, 1.0)
        return (1.0 - w) * a_low + w * a_high


def mars_default(f107_sfu: float = 130.0) -> MarsGlennThermosphere:
    """The default Mars atmosphere, surface to exosphere (:class:`MarsGlennThermosphere`).

    Parameters
    ----------
    f107_sfu : float
        Solar 10.7 cm flux at 1 AU, sfu (70 solar minimum, 130 moderate, 200 maximum).
    """
    return MarsGlennThermosphere(f107_sfu=f107_sfu)
