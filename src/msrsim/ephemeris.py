"""Planet ephemerides: JPL DE421 (shipped by the ``de421`` package) or any SPK file.

States are heliocentric (Sun-centred, not solar-system-barycentric), in the ICRF
(equatorial J2000) frame, km and km/s, as functions of TDB seconds past J2000. Earth is
Earth itself, not the Earth-Moon barycentre. Every function broadcasts over epochs: an
input of shape ``S`` gives positions of shape ``S + (3,)``.
"""

from __future__ import annotations

import functools
import os
from typing import Protocol

import de421
import numpy as np
from jplephem.spk import SPK

from .constants import J2000_JD, SECONDS_PER_DAY
from .errors import ConfigError, EphemerisRangeError
from .timescales import tdb_to_utc

BODIES = ("sun", "mercury", "venus", "earth", "moon", "mars", "jupiter", "saturn")


class Ephemeris(Protocol):
    """What the rest of msrsim needs from an ephemeris."""

    name: str

    def state(self, body: str, t_tdb_s: np.ndarray | float) -> tuple[np.ndarray, np.ndarray]:
        """Heliocentric ICRF position (km) and velocity (km/s), shapes ``t.shape + (3,)``."""

    def span_tdb_s(self) -> tuple[float, float]:
        """First and last covered epoch, TDB seconds past J2000."""


def check_body(body: str) -> str:
    """Return the normalised body name or raise :class:`ConfigError`.

    Parameters
    ----------
    body : str
        Body name, case-insensitive.
    """
    b = str(body).strip().lower()
    if b not in BODIES:
        raise ConfigError(f"body={body!r} is unknown; allowed: {', '.join(BODIES)}")
    return b


def _span_error(name: str, t: np.ndarray, t0: float, t1: float) -> EphemerisRangeError:
    bad = t[(t < t0) | (t > t1) | ~np.isfinite(t)]
    try:
        shown = tdb_to_utc(float(bad.flat[0]), "date")
    except Exception:  # non-finite epoch cannot be formatted
        shown = repr(float(bad.flat[0]))
    return EphemerisRangeError(
        f"epoch {shown} is outside the {name} ephemeris span "
        f"{tdb_to_utc(t0, 'date')} to {tdb_to_utc(t1, 'date')}; choose dates inside it "
        "or load a longer SPK file"
    )


class PackagedDE421:
    """DE421 Chebyshev series as shipped by the PyPI ``de421`` package.

    The package stores one ``.npy`` coefficient array per body (barycentric positions, km);
    this class evaluates them vectorised over epochs with the exact two-part TDB date.
    """

    name = "DE421"

    def __init__(self) -> None:
        self._dir = os.path.dirname(de421.__file__)
        consts = np.load(os.path.join(self._dir, "constants.npy"))
        self.constants = {k.decode("ascii"): float(v) for k, v in consts}
        self._jalpha = self.constants["jalpha"]
        self._jomega = self.constants["jomega"]
        emrat = self.constants["EMRAT"]
        self._earth_share = 1.0 / (1.0 + emrat)
        self._sets: dict[str, np.ndarray] = {}

    def span_tdb_s(self) -> tuple[float, float]:
        return ((self._jalpha - J2000_JD) * SECONDS_PER_DAY,
                (self._jomega - J2000_JD) * SECONDS_PER_DAY)

    def _coeffs(self, series: str) -> np.ndarray:
        c = self._sets.get(series)
        if c is None:
            c = np.load(os.path.join(self._dir, f"jpl-{series}.npy"))
            self._sets[series] = c
        return c

    def _series(self, series: str, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Barycentric (or geocentric, for the Moon) position km, velocity km/s."""
        coeffs = self._coeffs(series)
        nsets, _, ncoef = coeffs.shape
        days_per_set = (self._jomega - self._jalpha) / nsets
        # Work in seconds from the series start: the start (an integer number of days before
        # J2000) and the set length are exact in float64, so only t itself is rounded.
        step_s = days_per_set * SECONDS_PER_DAY
        since_start_s = t - (self._jalpha - J2000_JD) * SECONDS_PER_DAY
        index = np.floor(since_start_s / step_s).astype(np.int64)
        index = np.clip(index, 0, nsets - 1)
        offset_s = since_start_s - index * step_s
        x = 2.0 * offset_s / step_s - 1.0  # Chebyshev argument in [-1, 1]
        c = coeffs[index]  # (n, 3, ncoef)
        T = np.empty((ncoef,) + x.shape)
        dT = np.empty_like(T)
        T[0] = 1.0
        T[1] = x
        dT[0] = 0.0
        dT[1] = 1.0
        for i in range(2, ncoef):  # loop over polynomial order (≤ 13), not over epochs
            T[i] = 2.0 * x * T[i - 1] - T[i - 2]
            dT[i] = 2.0 * x * dT[i - 1] - dT[i - 2] + 2.0 * T[i - 1]
        pos = np.einsum("nak,kn->na", c, T)
        vel = np.einsum("nak,kn->na", c, dT) * (2.0 / (days_per_set * SECONDS_PER_DAY))
        return pos, vel

    def barycentric(self, body: str, t_tdb_s) -> tuple[np.ndarray, np.ndarray]:
        """Solar-system-barycentric ICRF state (km, km/s) of ``body``.

        Parameters
        ----------
        body : str
            One of :data:`BODIES`; ``mars`` etc. are the planet-system barycentres.
        t_tdb_s : float or array
            TDB seconds past J2000.
        """
        body = check_body(body)
        t = np.asarray(t_tdb_s, dtype=float)
        shape = t.shape
        tf = t.ravel()
        t0, t1 = self.span_tdb_s()
        if not np.all((tf >= t0) & (tf <= t1)):
            raise _span_error(self.name, tf, t0, t1)
        if body in ("earth", "moon"):
            emb_r, emb_v = self._series("earthmoon", tf)
            moon_r, moon_v = self._series("moon", tf)  # geocentric Moon
            if body == "earth":
                r, v = emb_r - self._earth_share * moon_r, emb_v - self._earth_share * moon_v
            else:
                r = emb_r + (1.0 - self._earth_share) * moon_r
                v = emb_v + (1.0 - self._earth_share) * moon_v
        else:
            r, v = self._series(body, tf)
        return r.reshape(shape + (3,)), v.reshape(shape + (3,))

    def state(self, body: str, t_tdb_s) -> tuple[np.ndarray, np.ndarray]:
        """Heliocentric ICRF position (km) and velocity (km/s) of ``body``.

        Parameters
        ----------
        body : str
            One of :data:`BODIES`.
        t_tdb_s : float or array
            TDB seconds past J2000.

        Returns
        -------
        r_km, v_km_s : numpy.ndarray
            Shapes ``t.shape + (3,)``.
        """
        r, v = self.barycentric(body, t_tdb_s)
        if check_body(body) == "sun":
            return np.zeros_like(r), np.zeros_like(v)
        rs, vs = self.barycentric("sun", t_tdb_s)
        return r - rs, v - vs


_SPK_IDS = {"sun": 10, "mercury": 1, "venus": 2, "earth": 399, "moon": 301, "mars": 4,
            "jupiter": 5, "saturn": 6}


class SpkEphemeris:
    """Any JPL SPK kernel (e.g. DE440) read with ``jplephem``, same interface as DE421.

    Parameters
    ----------
    path : str
        Path of a ``.bsp`` file holding planet segments relative to the solar-system
        barycentre (and Earth/Moon relative to the Earth-Moon barycentre).
    """

    def __init__(self, path: str) -> None:
        if not os.path.isfile(path):
            raise ConfigError(f"ephemeris={path!r} does not exist; give the path of an SPK (.bsp) file")
        try:
            self._kernel = SPK.open(path)
        except Exception as exc:  # jplephem raises various errors on a non-SPK file
            raise ConfigError(f"ephemeris={path!r} is not a readable SPK file ({exc})") from None
        self.name = os.path.basename(path)
        self._pairs = {(s.center, s.target): s for s in self._kernel.segments}
        starts = [s.start_jd for s in self._kernel.segments]
        ends = [s.end_jd for s in self._kernel.segments]
        self._span = ((max(starts) - J2000_JD) * SECONDS_PER_DAY,
                      (min(ends) - J2000_JD) * SECONDS_PER_DAY)

    def span_tdb_s(self) -> tuple[float, float]:
        return self._span

    def _chain(self, target: int) -> list[tuple[int, int]]:
        chain = []
        while target != 0:
            seg = next(((c, t) for (c, t) in self._pairs if t == target), None)
            if seg is None:
                raise ConfigError(f"ephemeris {self.name} has no segment for NAIF id {target}")
            chain.append(seg)
            target = seg[0]
        return chain

    def barycentric(self, body: str, t_tdb_s) -> tuple[np.ndarray, np.ndarray]:
        body = check_body(body)
        t = np.asarray(t_tdb_s, dtype=float)
        tf = t.ravel()
        t0, t1 = self._span
        if not np.all((tf >= t0) & (tf <= t1)):
            raise _span_error(self.name, tf, t0, t1)
        jd2 = tf / SECONDS_PER_DAY
        r = np.zeros((tf.size, 3))
        v = np.zeros((tf.size, 3))
        for pair in self._chain(_SPK_IDS[body]):
            p, dp = self._pairs[pair].compute_and_differentiate(J2000_JD, jd2)
            r += np.asarray(p).T.reshape(-1, 3)
            v += np.asarray(dp).T.reshape(-1, 3) / SECONDS_PER_DAY
        return r.reshape(t.shape + (3,)), v.reshape(t.shape + (3,))

    def state(self, body: str, t_tdb_s) -> tuple[np.ndarray, np.ndarray]:
        r, v = self.barycentric(body, t_tdb_s)
        if check_body(body) == "sun":
            return np.zeros_like(r), np.zeros_like(v)
        rs, vs = self.barycentric("sun", t_tdb_s)
        return r - rs, v - vs


@functools.lru_cache(maxsize=8)
def load_ephemeris(path: str | None = None) -> PackagedDE421 | SpkEphemeris:
    """Return the default DE421 ephemeris, or an SPK file's, cached per path.

    Parameters
    ----------
    path : str, optional
        Path of an SPK kernel (``.bsp``). ``None`` uses the packaged DE421.
    """
    if path is None:
        return PackagedDE421()
    return SpkEphemeris(path)


def planet_state(body: str, t_tdb_s, ephemeris_path: str | None = None):
    """Heliocentric ICRF state of a planet.

    Parameters
    ----------
    body : str
        One of :data:`BODIES`.
    t_tdb_s : float or array
        TDB seconds past J2000.
    ephemeris_path : str, optional
        SPK file to use instead of the packaged DE421.

    Returns
    -------
    r_km, v_km_s : numpy.ndarray
        Position (km) and velocity (km/s), shapes ``t.shape + (3,)``.
    """
    return load_ephemeris(ephemeris_path).state(body, t_tdb_s)


#: Sun-Earth-Mars angle below which no commands are sent (FACTS.md §9), deg.
CONJUNCTION_ANGLE_DEG = 2.0


def conjunction_blackout(
    t_tdb_s, angle_deg: float = CONJUNCTION_ANGLE_DEG, ephemeris_path: str | None = None
) -> np.ndarray:
    """Whether the Sun–Earth–Mars angle is below ``angle_deg`` (no commanding), per epoch.

    Parameters
    ----------
    t_tdb_s : array_like
        Epochs, TDB s past J2000.
    angle_deg : float
        Elongation limit, deg (2° in FACTS.md §9).
    ephemeris_path : str, optional
        SPK kernel instead of DE421.
    """
    eph = load_ephemeris(ephemeris_path)
    t = np.asarray(t_tdb_s, dtype=float)
    r_e = eph.state("earth", t)[0]
    r_m = eph.state("mars", t)[0]
    to_sun = -r_e
    to_mars = r_m - r_e
    c = np.sum(to_sun * to_mars, axis=-1) / (
        np.linalg.norm(to_sun, axis=-1) * np.linalg.norm(to_mars, axis=-1)
    )
    return np.degrees(np.arccos(np.clip(c, -1.0, 1.0))) < angle_deg
