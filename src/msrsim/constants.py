"""Physical constants in SI units (m, s, kg, rad), each with its source.

Sources are the rows of ``shared/reference/FACTS.md`` §6 unless noted otherwise.
"""

from __future__ import annotations

# Gravitational parameters, m^3/s^2
GM_SUN_M3_S2 = 1.32712440018e20  # IAU (FACTS.md §6)
GM_EARTH_M3_S2 = 3.986004418e14  # WGS-84 (FACTS.md §6)
GM_MARS_M3_S2 = 4.282837e13  # NASA fact sheet / IAU 2015 (FACTS.md §6)
GM_MOON_M3_S2 = 4.9028e12  # DE421 header value GM_moon (Folkner et al. 2008)

# The same in km^3/s^2, the unit the Lambert and window kernels use
GM_SUN_KM3_S2 = GM_SUN_M3_S2 * 1e-9
GM_EARTH_KM3_S2 = GM_EARTH_M3_S2 * 1e-9
GM_MARS_KM3_S2 = GM_MARS_M3_S2 * 1e-9

# Equatorial radii, m
R_EARTH_EQ_M = 6378.137e3  # WGS-84 (FACTS.md §6)
R_MARS_EQ_M = 3396.19e3  # IAU 2015 (FACTS.md §6)
# Flattening
F_EARTH = 1.0 / 298.257223563  # WGS-84
F_MARS = 1.0 / 169.894  # IAU 2015 Mars ellipsoid: polar radius 3376.20 km (Archinal et al. 2018)
R_MARS_POLAR_M = 3376.20e3  # Archinal et al. 2018 (IAU WGCCRE 2015)
R_MARS_MEAN_M = 3389.5e3  # NASA Mars fact sheet volumetric mean radius

# Second zonal harmonics (unnormalised)
J2_EARTH = 1.08263e-3  # WGS-84 (FACTS.md §6)
J2_MARS = 1.96045e-3  # NASA fact sheet (FACTS.md §6)

# Rotation rates, rad/s
OMEGA_EARTH_RAD_S = 7.292115e-5  # WGS-84 sidereal (FACTS.md §6)
OMEGA_MARS_RAD_S = 7.0882e-5  # NASA fact sheet (FACTS.md §6)

# Standard gravity, m/s^2 (definition used for g-loads and Isp)
G0_M_S2 = 9.80665

# Astronomical unit, m (IAU 2012 resolution B2)
AU_M = 149_597_870_700.0
AU_KM = AU_M * 1e-3

# Time
SECONDS_PER_DAY = 86400.0
MARS_SOL_S = 88775.244  # Mars24, Allison & McEwen 2000 (FACTS.md §4)
JULIAN_YEAR_S = 365.25 * SECONDS_PER_DAY
J2000_JD = 2451545.0  # TDB Julian date of the J2000 epoch
