"""Planet constants as small frozen objects, and the Mars/Earth pole orientation.

Physical numbers come from :mod:`msrsim.constants` (FACTS.md §6). The IAU rotation model
gives each planet's body-fixed frame in the ICRF.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import constants as C
from .errors import ConfigError


@dataclass(frozen=True)
class Planet:
    """Gravity, shape and rotation of a planet (SI units).

    Attributes
    ----------
    name : str
    mu_m3_s2 : float
        Gravitational parameter, m^3/s^2.
    r_eq_m : float
        Equatorial radius, m.
    flattening : float
        Ellipsoid flattening (R_eq - R_pol) / R_eq.
    j2 : float
        Unnormalised second zonal harmonic.
    omega_rad_s : float
        Sidereal rotation rate, rad/s.
    """

    name: str
    mu_m3_s2: float
    r_eq_m: float
    flattening: float
    j2: float
    omega_rad_s: float

    @property
    def r_polar_m(self) -> float:
        """Polar radius, m."""
        return self.r_eq_m * (1.0 - self.flattening)


MARS = Planet("mars", C.GM_MARS_M3_S2, C.R_MARS_EQ_M, 1.0 - C.R_MARS_POLAR_M / C.R_MARS_EQ_M,
              C.J2_MARS, C.OMEGA_MARS_RAD_S)
EARTH = Planet("earth", C.GM_EARTH_M3_S2, C.R_EARTH_EQ_M, C.F_EARTH, C.J2_EARTH,
               C.OMEGA_EARTH_RAD_S)

PLANETS = {"mars": MARS, "earth": EARTH}

#: IAU WGCCRE 2015 Mars prime meridian W = W0 + W1 d, d in days TDB past J2000
#: (Archinal et al. 2018, Celest. Mech. Dyn. Astr. 130:22); periodic terms < 2e-4° omitted.
MARS_W0_DEG = 176.049863
MARS_W1_DEG_DAY = 350.891982443297


def pole_ra_dec_rad(body: str, t_tdb_s) -> tuple[np.ndarray, np.ndarray]:
    """Right ascension and declination of the north pole in the ICRF, rad.

    Parameters
    ----------
    body : {"mars", "earth"}
    t_tdb_s : float or array
        TDB seconds past J2000.

    Notes
    -----
    Mars: IAU WGCCRE 2015 (Archinal et al. 2018, Celest. Mech. Dyn. Astr. 130:22), linear
    terms: α0 = 317.269202 − 0.10927547 T, δ0 = 54.432516 − 0.05827105 T (T in Julian
    centuries TDB); the periodic terms are below 2e-4° and are omitted.
    Earth: α0 = 0.00 − 0.641 T, δ0 = 90.00 − 0.557 T (IAU 2009, Archinal et al. 2011), the
    precession of the mean pole in the ICRF.
    """
    T = np.asarray(t_tdb_s, dtype=float) / (36525.0 * C.SECONDS_PER_DAY)
    if body == "mars":
        ra, dec = 317.269202 - 0.10927547 * T, 54.432516 - 0.05827105 * T
    elif body == "earth":
        ra, dec = 0.0 - 0.641 * T, 90.0 - 0.557 * T
    else:
        raise ConfigError(f"body={body!r} has no pole model; allowed: mars, earth")
    return np.radians(ra), np.radians(dec)


def icrf_to_equator_matrix(body: str, t_tdb_s: float) -> np.ndarray:
    """Rotation matrix from ICRF to the body's inertial equator-and-node frame at ``t``.

    The target frame has z along the body's north pole and x along the ascending node of
    the body equator on the ICRF equator (the IAU ``Q`` direction), so that orbit
    inclinations measured in it are relative to the planet's equator.

    Parameters
    ----------
    body : {"mars", "earth"}
    t_tdb_s : float
        TDB seconds past J2000.

    Returns
    -------
    numpy.ndarray, shape (3, 3)
        ``x_body = M @ x_icrf``.
    """
    ra, dec = pole_ra_dec_rad(body, t_tdb_s)
    ra = float(ra)
    dec = float(dec)
    z = np.array([np.cos(dec) * np.cos(ra), np.cos(dec) * np.sin(ra), np.sin(dec)])
    x = np.array([-np.sin(ra), np.cos(ra), 0.0])  # node: z_icrf × pole, normalised
    y = np.cross(z, x)
    return np.vstack([x, y, z])


def mars_rotation_angle_rad(t_tdb_s):
    """IAU rotation angle W of Mars's prime meridian, rad in [0, 2π).

    W is measured eastward along the Mars equator from the ascending node of that equator
    on the ICRF equator (the x axis of :func:`icrf_to_equator_matrix`) to the prime
    meridian (Airy-0).

    Parameters
    ----------
    t_tdb_s : float or array
        TDB seconds past J2000.

    Notes
    -----
    IAU WGCCRE 2015 (Archinal et al. 2018, Celest. Mech. Dyn. Astr. 130:22):
    W = 176.049863° + 350.891982443297° d, d in days TDB past J2000; the periodic terms
    (below 2e-4°) are omitted. The day count is split into whole and fractional days
    before the multiplication so that decades from J2000 still resolve ~1e-9 rad.
    """
    d = np.asarray(t_tdb_s, dtype=float) / C.SECONDS_PER_DAY
    whole = np.floor(d)
    frac = d - whole
    w1 = MARS_W1_DEG_DAY
    w_deg = np.mod(MARS_W0_DEG + np.mod(w1 * whole, 360.0) + w1 * frac, 360.0)
    out = np.radians(w_deg)
    return float(out) if out.ndim == 0 else out
