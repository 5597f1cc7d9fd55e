"""Mars time: Mars Sol Date, Mars coordinated / local solar time, solar longitude Ls.

The Mars24 algorithm (Allison & McEwen 2000, Planet. Space Sci. 48, 215-235, with the
revisions published by NASA GISS on the Mars24 "Algorithm and Worked Examples" page).
Every function is plain, broadcasting numpy over its time argument: a surface-operations
model can evaluate thousands of trials x sols in one call.

Time arguments are TDB seconds past J2000 (the package's internal time). Mars24 works in
TT days past J2000; TDB - TT is below 1.7 ms (periodic), i.e. 2e-8 day, far below every
quantity here, so TDB seconds / 86400 is used as the Mars24 ``Delta t_J2000`` directly.
UTC enters only through :mod:`msrsim.timescales` (ERFA leap seconds).

Mission sols count local mean solar days at the landing site: sol 0 is the local sol that
contains the landing (the convention of Pathfinder, MER, MSL and Mars 2020).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from .constants import SECONDS_PER_DAY
from .errors import ConfigError
from .timescales import utc_to_tdb

__all__ = [
    "MissionClock",
    "equation_of_time_deg",
    "heliocentric_distance_au",
    "local_mean_solar_time_h",
    "local_true_solar_time_h",
    "ls_crossings",
    "mars_sol_date",
    "mars_year",
    "mean_anomaly_deg",
    "mtc_h",
    "perseverance_clock",
    "solar_declination_deg",
    "solar_elevation_deg",
    "solar_longitude_deg",
    "tdb_from_mars_sol_date",
]

# Mars24 constants (GISS Mars24 algorithm page, steps B-1..C-2; Allison & McEwen 2000)
_MSD_SCALE = 1.0274912517  # Mars24 C-2, days per sol (= MARS_SOL_S / 86400, FACTS.md §4)
_MSD_OFFSET = 44796.0 - 0.0009626  # Mars24 C-2 (MSD 0 = 1873-12-29 noon, revised offset)
_MSD_T0_D = 4.5  # Mars24 C-2: days from J2000 to the MSD epoch alignment
# B-1 mean anomaly and B-2 angle of the fictitious mean sun, deg and deg/day
_M0_DEG, _M_RATE = 19.3871, 0.52402073
_AFMS0_DEG, _AFMS_RATE = 270.3871, 0.524038496
# B-3 planetary perturbations: amplitude deg, period Julian years, phase deg
_PBS_A = np.array([0.0071, 0.0057, 0.0039, 0.0037, 0.0021, 0.0020, 0.0018])
_PBS_TAU = np.array([2.2353, 2.7543, 1.1177, 15.7866, 2.1354, 2.4694, 32.8493])
_PBS_PHI = np.array([49.409, 168.173, 191.837, 21.736, 15.704, 95.528, 49.095])
_PBS_RATE = 0.985626  # deg/day of one Julian-year cycle (360/365.25)
_PBS_W_RAD = np.deg2rad(_PBS_RATE / _PBS_TAU)  # rad/day of each term
_PBS_PHI_RAD = np.deg2rad(_PBS_PHI)
# Mars year 1 begins at Ls = 0 on 1955-04-11 (Clancy et al. 2000, JGR 105(E4) 9553)
_MY1_START_DAYS = -16336.0425  # TT days past J2000 of that Ls = 0 crossing (ls_crossings)
_MARS_YEAR_D = 686.9726  # mean tropical year of Mars, days (Allison & McEwen 2000)


def _days(t_tdb_s) -> np.ndarray:
    t = np.asarray(t_tdb_s, dtype=float)
    if not np.all(np.isfinite(t)):
        raise ConfigError("t_tdb_s contains a non-finite value; expected TDB seconds past J2000")
    return t / SECONDS_PER_DAY


def _out(x: np.ndarray):
    return float(x) if np.ndim(x) == 0 else x


def mean_anomaly_deg(t_tdb_s):
    """Mars mean anomaly M (Mars24 B-1), degrees in [0, 360).

    Parameters
    ----------
    t_tdb_s : float or array
        TDB seconds past J2000.
    """
    return _out(np.mod(_M0_DEG + _M_RATE * _days(t_tdb_s), 360.0))


def _equation_of_center_deg(d: np.ndarray) -> np.ndarray:
    """nu - M (Mars24 B-4) including the planetary perturbations PBS (B-3), degrees."""
    m = np.deg2rad(_M0_DEG + _M_RATE * d)
    pbs = np.cos(d[..., None] * _PBS_W_RAD + _PBS_PHI_RAD) @ _PBS_A
    return (
        (10.691 + 3.0e-7 * d) * np.sin(m)
        + 0.623 * np.sin(2 * m)
        + 0.050 * np.sin(3 * m)
        + 0.005 * np.sin(4 * m)
        + 0.0005 * np.sin(5 * m)
        + pbs
    )


def _ls_unwrapped_deg(d: np.ndarray) -> np.ndarray:
    return _AFMS0_DEG + _AFMS_RATE * d + _equation_of_center_deg(d)


def solar_longitude_deg(t_tdb_s):
    """Areocentric solar longitude Ls (Mars24 B-5), degrees in [0, 360).

    Ls = 0 is the northern spring equinox; the dust season is Ls 180-360.

    Parameters
    ----------
    t_tdb_s : float or array
        TDB seconds past J2000.
    """
    return _out(np.mod(_ls_unwrapped_deg(_days(t_tdb_s)), 360.0))


def equation_of_time_deg(t_tdb_s):
    """Equation of time EOT = true - mean solar time (Mars24 C-1), degrees of hour angle.

    Parameters
    ----------
    t_tdb_s : float or array
        TDB seconds past J2000.
    """
    d = _days(t_tdb_s)
    eoc = _equation_of_center_deg(d)
    ls = np.deg2rad(_AFMS0_DEG + _AFMS_RATE * d + eoc)
    eot = 2.861 * np.sin(2 * ls) - 0.071 * np.sin(4 * ls) + 0.002 * np.sin(6 * ls)
    return _out(eot - eoc)


def heliocentric_distance_au(t_tdb_s):
    """Sun-Mars distance (Mars24 D-2), astronomical units.

    Parameters
    ----------
    t_tdb_s : float or array
        TDB seconds past J2000.
    """
    m = np.deg2rad(_M0_DEG + _M_RATE * _days(t_tdb_s))
    return _out(1.52367934 * (1.00436 - 0.09309 * np.cos(m) - 0.00436 * np.cos(2 * m)
                              - 0.00031 * np.cos(3 * m)))


def solar_declination_deg(t_tdb_s):
    """Planetographic declination of the Sun (Mars24 D-1), degrees.

    Parameters
    ----------
    t_tdb_s : float or array
        TDB seconds past J2000.
    """
    ls = np.deg2rad(_ls_unwrapped_deg(_days(t_tdb_s)))
    return _out(np.rad2deg(np.arcsin(0.42565 * np.sin(ls))) + 0.25 * np.sin(ls))


def mars_sol_date(t_tdb_s):
    """Mars Sol Date MSD (Mars24 C-2): continuous count of mean solar days at 0 deg E.

    Parameters
    ----------
    t_tdb_s : float or array
        TDB seconds past J2000.

    Returns
    -------
    float or numpy.ndarray
        MSD, sols (fractional).
    """
    return _out((_days(t_tdb_s) - _MSD_T0_D) / _MSD_SCALE + _MSD_OFFSET)


def tdb_from_mars_sol_date(msd):
    """Inverse of :func:`mars_sol_date` (exact, linear), TDB seconds past J2000.

    Parameters
    ----------
    msd : float or array
        Mars Sol Date, sols.
    """
    m = np.asarray(msd, dtype=float)
    if not np.all(np.isfinite(m)):
        raise ConfigError("msd contains a non-finite value; expected a Mars Sol Date")
    return _out(((m - _MSD_OFFSET) * _MSD_SCALE + _MSD_T0_D) * SECONDS_PER_DAY)


def mtc_h(t_tdb_s):
    """Mars Coordinated Time (mean solar time at the prime meridian, Mars24 C-3), hours.

    Parameters
    ----------
    t_tdb_s : float or array
        TDB seconds past J2000.
    """
    return _out(np.mod(24.0 * np.asarray(mars_sol_date(t_tdb_s)), 24.0))


def _check_lon(lon_east_deg) -> np.ndarray:
    lon = np.asarray(lon_east_deg, dtype=float)
    if not np.all(np.isfinite(lon)):
        raise ConfigError(f"lon_east_deg={lon_east_deg!r} is not finite; expected degrees east")
    return lon


def local_mean_solar_time_h(t_tdb_s, lon_east_deg):
    """Local mean solar time LMST at a planetographic east longitude (Mars24 C-4), hours.

    Parameters
    ----------
    t_tdb_s : float or array
        TDB seconds past J2000.
    lon_east_deg : float or array
        East longitude, degrees (Jezero: 77.4508, FACTS.md §4).
    """
    msd = np.asarray(mars_sol_date(t_tdb_s))
    return _out(np.mod(24.0 * msd + _check_lon(lon_east_deg) / 15.0, 24.0))


def local_true_solar_time_h(t_tdb_s, lon_east_deg):
    """Local true solar time LTST = LMST + EOT (Mars24 C-5), hours.

    Parameters
    ----------
    t_tdb_s : float or array
        TDB seconds past J2000.
    lon_east_deg : float or array
        East longitude, degrees.
    """
    lmst = np.asarray(local_mean_solar_time_h(t_tdb_s, lon_east_deg))
    return _out(np.mod(lmst + np.asarray(equation_of_time_deg(t_tdb_s)) / 15.0, 24.0))


def solar_elevation_deg(t_tdb_s, lat_deg, lon_east_deg):
    """Elevation of the Sun's centre above the local horizon (no refraction), degrees.

    From the local true solar time (hour angle) and the solar declination (Mars24 D-1,
    D-5); accurate to a few tenths of a degree, enough for daylight and power models.

    Parameters
    ----------
    t_tdb_s : float or array
        TDB seconds past J2000.
    lat_deg : float or array
        Planetographic latitude, degrees north.
    lon_east_deg : float or array
        East longitude, degrees.
    """
    lat = np.deg2rad(np.asarray(lat_deg, dtype=float))
    h = np.deg2rad(15.0 * (np.asarray(local_true_solar_time_h(t_tdb_s, lon_east_deg)) - 12.0))
    dec = np.deg2rad(np.asarray(solar_declination_deg(t_tdb_s)))
    s = np.sin(lat) * np.sin(dec) + np.cos(lat) * np.cos(dec) * np.cos(h)
    return _out(np.rad2deg(np.arcsin(np.clip(s, -1.0, 1.0))))


def mars_year(t_tdb_s):
    """Mars Year number in the Clancy et al. (2000) count (MY 1 began 1955-04-11).

    Parameters
    ----------
    t_tdb_s : float or array
        TDB seconds past J2000.

    Returns
    -------
    int or numpy.ndarray of int
        Mars Year; the year changes at each Ls = 0 crossing.
    """
    d = _days(t_tdb_s)
    frac_year = np.mod(_ls_unwrapped_deg(d), 360.0) / 360.0
    # Elapsed mean years minus the fraction Ls says has gone in this year is an integer
    # to within the equation of centre (< 0.05 year), so rounding is exact.
    n = np.rint((d - _MY1_START_DAYS) / _MARS_YEAR_D - frac_year).astype(np.int64)
    out = n + 1
    return int(out) if out.ndim == 0 else out


def ls_crossings(ls_deg: float, start_tdb_s: float, end_tdb_s: float) -> np.ndarray:
    """Epochs at which the solar longitude passes ``ls_deg`` between two epochs.

    Parameters
    ----------
    ls_deg : float
        Solar longitude, degrees (0 <= ls_deg <= 360; 360 is the same as 0).
    start_tdb_s, end_tdb_s : float
        Search interval, TDB seconds past J2000.

    Returns
    -------
    numpy.ndarray
        Crossing epochs, TDB seconds past J2000, increasing (a few seconds accuracy
        relative to the Mars24 Ls model).
    """
    if not (np.isfinite(ls_deg) and 0.0 <= ls_deg <= 360.0):
        raise ConfigError(f"ls_deg={ls_deg!r} is out of range; expected 0 <= ls_deg <= 360")
    if not (np.isfinite(start_tdb_s) and np.isfinite(end_tdb_s) and end_tdb_s > start_tdb_s):
        raise ConfigError(
            f"start_tdb_s={start_tdb_s!r}, end_tdb_s={end_tdb_s!r}: expected finite start < end"
        )
    d0, d1 = start_tdb_s / SECONDS_PER_DAY, end_tdb_s / SECONDS_PER_DAY
    # Ls rises monotonically (0.3-0.8 deg/day), so unwrapped Ls locates each crossing
    l0, l1 = _ls_unwrapped_deg(np.array([d0, d1]))
    k = np.arange(np.ceil((l0 - ls_deg) / 360.0), np.floor((l1 - ls_deg) / 360.0) + 1)
    target = ls_deg + 360.0 * k
    d = d0 + (target - l0) / _AFMS_RATE  # mean-rate first guess
    for _ in range(8):  # Newton on the unwrapped Ls; converges quadratically
        f = _ls_unwrapped_deg(d) - target
        dfdd = (_ls_unwrapped_deg(d + 0.01) - _ls_unwrapped_deg(d - 0.01)) / 0.02
        d = d - f / dfdd
    t = d * SECONDS_PER_DAY
    return t[(t >= start_tdb_s) & (t <= end_tdb_s)]


@dataclass(frozen=True)
class MissionClock:
    """Mission sol count for a lander: local mean solar days at the landing longitude.

    Parameters
    ----------
    landing_tdb_s : float
        Landing epoch, TDB seconds past J2000 (sol 0 is the local sol containing it).
    lon_east_deg : float
        Landing site east longitude, degrees.
    name : str
        Mission name for messages.
    """

    landing_tdb_s: float
    lon_east_deg: float
    name: str = "mission"

    def _lmsd(self, t_tdb_s) -> np.ndarray:
        # Local Mars sol date: MSD shifted to the site's local midnight
        return np.asarray(mars_sol_date(t_tdb_s)) + self.lon_east_deg / 360.0

    def sol(self, t_tdb_s):
        """Mission sol number containing the epoch(s) (negative before landing day).

        Parameters
        ----------
        t_tdb_s : float or array
            TDB seconds past J2000.
        """
        n = np.floor(self._lmsd(t_tdb_s)) - np.floor(self._lmsd(self.landing_tdb_s))
        n = n.astype(np.int64)
        return int(n) if n.ndim == 0 else n

    def sol_fraction(self, t_tdb_s):
        """Fractional mission sol (sol number + LMST/24).

        Parameters
        ----------
        t_tdb_s : float or array
            TDB seconds past J2000.
        """
        return _out(self._lmsd(t_tdb_s) - np.floor(self._lmsd(self.landing_tdb_s)))

    def to_tdb(self, sol, lmst_h=12.0):
        """Epoch of a mission sol at a local mean solar time.

        Parameters
        ----------
        sol : int or array
            Mission sol number.
        lmst_h : float or array
            Local mean solar time, hours in [0, 24) (default local noon).

        Returns
        -------
        float or numpy.ndarray
            TDB seconds past J2000.
        """
        s = np.asarray(sol, dtype=float)
        h = np.asarray(lmst_h, dtype=float)
        if not np.all(np.isfinite(s)) or np.any(s != np.round(s)):
            raise ConfigError(f"sol={sol!r} must be whole numbers of sols")
        if not np.all((h >= 0.0) & (h < 24.0)):
            raise ConfigError(f"lmst_h={lmst_h!r} is out of range; expected 0 <= lmst_h < 24")
        lmsd = np.floor(self._lmsd(self.landing_tdb_s)) + s + h / 24.0
        return tdb_from_mars_sol_date(lmsd - self.lon_east_deg / 360.0)


# Perseverance (Mars 2020): landed 2021-02-18 ~20:55 UTC Earth-receive time, 11 min 22 s
# one-way light time before that at Mars (FACTS.md §5, NASA/JPL); Octavia E. Butler
# Landing 18.4447 N, 77.4508 E (FACTS.md §4).
PERSEVERANCE_LANDING_UTC = "2021-02-18T20:44"
PERSEVERANCE_LON_EAST_DEG = 77.4508
PERSEVERANCE_LAT_DEG = 18.4447


@lru_cache(maxsize=1)
def perseverance_clock() -> MissionClock:
    """The Mars 2020 mission clock (sol 0 = 2021-02-18 at Jezero).

    Returns
    -------
    MissionClock
    """
    return MissionClock(float(utc_to_tdb(PERSEVERANCE_LANDING_UTC)), PERSEVERANCE_LON_EAST_DEG,
                        "Perseverance")
