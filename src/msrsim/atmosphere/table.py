"""User-supplied atmosphere tables (e.g. exported from Mars-GRAM or the Mars Climate Database)
and wind profiles.

CSV layout (comma separated, ``#`` starts a comment line, one header line, SI units in the
column names)::

    # any comment lines
    alt_km,density_kg_m3,temperature_k,wind_east_m_s,wind_north_m_s,density_kg_m3_1,density_kg_m3_2
    0,0.0150,214,3.0,-1.0,0.0149,0.0152
    1,0.0137,213,3.2,-1.1,0.0136,0.0139
    ...

* ``alt_km`` (required): altitude above the reference ellipsoid, km, strictly increasing.
* ``density_kg_m3`` (required): the nominal density profile, kg/m^3, > 0.
* ``temperature_k`` (optional): temperature, K, > 0 (sets the speed of sound; without it
  the speed of sound comes from ``default_temperature_k``).
* ``wind_east_m_s``, ``wind_north_m_s`` (optional, together): horizontal wind, m/s.
* ``density_kg_m3_<k>`` (optional, any number): dispersed density profiles, e.g. the
  perturbed profiles of a Mars-GRAM Monte Carlo; :meth:`TableAtmosphere.profile` picks one.

No Mars-GRAM or MCD data ships with msrsim; the loader only reads files the user holds.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import ConfigError, DataError

_GAS = {  # specific gas constant J/(kg K), ratio of specific heats
    "mars": (192.1, 1.29),  # NASA Glenn Mars model R; CO2 gamma (see mars.py)
    "earth": (287.053, 1.40),  # US76 R*/M0 = 8.31432/0.0289644
}


@dataclass(frozen=True)
class WindProfile:
    """Horizontal wind versus altitude (linear interpolation, held constant beyond the ends).

    Attributes
    ----------
    alt_m : numpy.ndarray
        Altitudes, m, strictly increasing.
    east_m_s, north_m_s : numpy.ndarray
        Wind toward east and toward north, m/s.
    """

    alt_m: np.ndarray
    east_m_s: np.ndarray
    north_m_s: np.ndarray

    def __post_init__(self):
        alt = np.asarray(self.alt_m, dtype=float)
        e = np.asarray(self.east_m_s, dtype=float)
        n = np.asarray(self.north_m_s, dtype=float)
        if alt.ndim != 1 or alt.size < 2 or e.shape != alt.shape or n.shape != alt.shape:
            raise ConfigError(f"wind profile needs >= 2 rows of equal length; got {alt.shape}, "
                              f"{e.shape}, {n.shape}")
        _check_increasing(alt, "wind alt_m", ConfigError)
        if not (np.all(np.isfinite(e)) and np.all(np.isfinite(n))):
            raise ConfigError("wind profile has a non-finite wind value")
        if np.max(np.hypot(e, n)) > 500.0:
            raise ConfigError(f"wind speed {np.max(np.hypot(e, n)):.1f} m/s exceeds 500 m/s; "
                              "check the units (m/s)")
        object.__setattr__(self, "alt_m", alt)
        object.__setattr__(self, "east_m_s", e)
        object.__setattr__(self, "north_m_s", n)

    def at(self, alt_m):
        """(east, north) wind at ``alt_m``, m/s."""
        return (np.interp(alt_m, self.alt_m, self.east_m_s),
                np.interp(alt_m, self.alt_m, self.north_m_s))


def _check_increasing(alt, what, err):
    d = np.diff(alt)
    if not np.all(np.isfinite(alt)):
        raise err(f"{what} has a non-finite value")
    if np.any(d <= 0):
        k = int(np.argmax(d <= 0)) + 1
        raise err(f"{what} not strictly increasing at row {k + 1}: {alt[k - 1]:g} then {alt[k]:g}")


class TableAtmosphere:
    """An atmosphere read from a table: log-density and temperature interpolated linearly.

    Parameters
    ----------
    alt_m : array
        Altitudes, m, strictly increasing.
    density_kg_m3 : array
        Density at each altitude, kg/m^3, > 0.
    temperature_k : array, optional
        Temperature, K, > 0.
    planet : {"mars", "earth"}
        Sets the gas constant and ratio of specific heats for the speed of sound.
    default_temperature_k : float
        Temperature used when none is tabulated, K.
    dispersed_density_kg_m3 : array, optional
        Shape (n_profiles, n_alt): dispersed density profiles.
    wind : WindProfile, optional
        Wind from the same table.
    name : str
    """

    def __init__(self, alt_m, density_kg_m3, temperature_k=None, planet: str = "mars",
                 default_temperature_k: float = 210.0, dispersed_density_kg_m3=None,
                 wind: WindProfile | None = None, name: str = "table"):
        if planet not in _GAS:
            raise ConfigError(f"planet={planet!r} unknown; allowed: {', '.join(_GAS)}")
        alt = np.asarray(alt_m, dtype=float)
        rho = np.asarray(density_kg_m3, dtype=float)
        if alt.ndim != 1 or alt.size < 2 or rho.shape != alt.shape:
            raise DataError(f"density table needs >= 2 rows of altitude and density; got "
                            f"{alt.shape} and {rho.shape}")
        _check_increasing(alt, "density table altitude", DataError)
        _check_positive(rho, alt, "density_kg_m3")
        if temperature_k is None:
            temp = np.full(alt.shape, float(default_temperature_k))
        else:
            temp = np.asarray(temperature_k, dtype=float)
        _check_positive(temp, alt, "temperature_k")
        self.alt_m = alt
        self._log_rho = np.log(rho)
        self._t = temp
        self._r_gas, self._gamma = _GAS[planet]
        self.planet = planet
        self.wind = wind
        disp = None
        if dispersed_density_kg_m3 is not None:
            disp = np.atleast_2d(np.asarray(dispersed_density_kg_m3, dtype=float))
            if disp.shape[1] != alt.size:
                raise DataError(f"dispersed profiles have {disp.shape[1]} rows; expected {alt.size}")
            for k in range(disp.shape[0]):
                _check_positive(disp[k], alt, f"density_kg_m3_{k + 1}")
        self.dispersed_density_kg_m3 = disp
        self.name = name

    @property
    def n_profiles(self) -> int:
        """Number of dispersed density profiles in the table."""
        return 0 if self.dispersed_density_kg_m3 is None else self.dispersed_density_kg_m3.shape[0]

    def profile(self, k: int) -> TableAtmosphere:
        """The ``k``-th dispersed profile (1-based) as its own atmosphere; 0 is the nominal."""
        if k == 0:
            return self
        if not (1 <= k <= self.n_profiles):
            raise ConfigError(f"profile={k!r} not in the table; allowed 0..{self.n_profiles}")
        return TableAtmosphere(self.alt_m, self.dispersed_density_kg_m3[k - 1], self._t, self.planet,
                               wind=self.wind, name=f"{self.name}#{k}")

    @classmethod
    def from_csv(cls, path, planet: str = "mars", default_temperature_k: float = 210.0):
        """Read a table in the documented CSV layout (see the module docstring).

        Raises
        ------
        DataError
            Missing columns, non-numbers, altitudes not increasing, non-positive density.
        """
        p = Path(path)
        if not p.is_file():
            raise DataError(f"density table {str(p)!r} does not exist")
        with p.open(newline="") as fh:
            lines = [ln for ln in fh if ln.strip() and not ln.lstrip().startswith("#")]
        rows = list(csv.reader(lines))
        if len(rows) < 3:
            raise DataError(f"density table {p.name}: needs a header and >= 2 data rows")
        header = [h.strip() for h in rows[0]]
        for req in ("alt_km", "density_kg_m3"):
            if req not in header:
                raise DataError(f"density table {p.name}: missing column {req!r}; header is {header}")
        data = np.empty((len(rows) - 1, len(header)))
        for i, row in enumerate(rows[1:]):
            if len(row) != len(header):
                raise DataError(f"density table {p.name}: data row {i + 1} has {len(row)} fields; "
                                f"header has {len(header)}")
            for j, v in enumerate(row):
                try:
                    data[i, j] = float(v)
                except ValueError:
                    raise DataError(f"density table {p.name}: row {i + 1} column {header[j]!r} "
                                    f"value {v.strip()!r} is not a number") from None
        col = {h: data[:, j] for j, h in enumerate(header)}
        alt_m = col["alt_km"] * 1e3
        wind = None
        if ("wind_east_m_s" in col) != ("wind_north_m_s" in col):
            raise DataError(f"density table {p.name}: give both wind_east_m_s and wind_north_m_s")
        if "wind_east_m_s" in col:
            _check_increasing(alt_m, "density table altitude", DataError)
            try:
                wind = WindProfile(alt_m, col["wind_east_m_s"], col["wind_north_m_s"])
            except ConfigError as exc:
                raise DataError(f"density table {p.name}: {exc}") from None
        disp_names = sorted((h for h in header if h.startswith("density_kg_m3_")),
                            key=lambda s: int(s.rsplit("_", 1)[1]) if s.rsplit("_", 1)[1].isdigit() else 0)
        disp = np.array([col[h] for h in disp_names]) if disp_names else None
        return cls(alt_m, col["density_kg_m3"], col.get("temperature_k"), planet,
                   default_temperature_k, disp, wind, name=p.name)

    def density(self, alt_m, lat_rad=0.0, lon_rad=0.0, t_tdb_s=0.0):
        h = np.asarray(alt_m, dtype=float)
        lr = np.interp(h, self.alt_m, self._log_rho)
        # beyond the ends: continue the end layers' log-slopes (exponential)
        s0 = (self._log_rho[1] - self._log_rho[0]) / (self.alt_m[1] - self.alt_m[0])
        s1 = (self._log_rho[-1] - self._log_rho[-2]) / (self.alt_m[-1] - self.alt_m[-2])
        lr = np.where(h < self.alt_m[0], self._log_rho[0] + s0 * (h - self.alt_m[0]), lr)
        lr = np.where(h > self.alt_m[-1], self._log_rho[-1] + s1 * (h - self.alt_m[-1]), lr)
        return np.exp(lr)

    def temperature(self, alt_m, lat_rad=0.0, lon_rad=0.0, t_tdb_s=0.0):
        return np.interp(np.asarray(alt_m, dtype=float), self.alt_m, self._t)

    def sound_speed(self, alt_m, lat_rad=0.0, lon_rad=0.0, t_tdb_s=0.0):
        return np.sqrt(self._gamma * self._r_gas * self.temperature(alt_m))


def _check_positive(v, alt, what):
    bad = ~(np.isfinite(v) & (v > 0))
    if np.any(bad):
        k = int(np.argmax(bad))
        raise DataError(f"{what} at altitude {alt[k] / 1e3:g} km is {v[k]!r}; must be finite and > 0")
