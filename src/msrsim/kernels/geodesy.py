"""Ellipsoid geodesy and zonal gravity in a planet's body-fixed frame (numba).

Body-fixed Cartesian: z along the spin axis, x through the prime meridian. Latitudes are
planetodetic (normal to the ellipsoid), longitudes positive east, altitudes above the
ellipsoid; all angles in rad, lengths in m (any consistent unit works).
"""

from __future__ import annotations

import math

import numba
import numpy as np


@numba.njit(cache=True, inline="always")
def geodetic_to_fixed(lat, lon, alt, r_eq, flattening):
    """Planetodetic latitude, longitude (rad) and altitude → body-fixed x, y, z."""
    e2 = flattening * (2.0 - flattening)
    s = math.sin(lat)
    c = math.cos(lat)
    n = r_eq / math.sqrt(1.0 - e2 * s * s)
    x = (n + alt) * c * math.cos(lon)
    y = (n + alt) * c * math.sin(lon)
    z = (n * (1.0 - e2) + alt) * s
    return x, y, z


@numba.njit(cache=True, inline="always")
def fixed_to_geodetic(x, y, z, r_eq, flattening):
    """Body-fixed x, y, z → planetodetic latitude, longitude (rad) and altitude.

    Bowring's method with two refinements: sub-millimetre for altitudes from the centre
    to far above the surface on Earth- and Mars-like flattenings.
    """
    e2 = flattening * (2.0 - flattening)
    b = r_eq * (1.0 - flattening)
    ep2 = e2 / (1.0 - e2)
    p = math.sqrt(x * x + y * y)
    lon = math.atan2(y, x)
    if p < 1e-9 * r_eq:
        lat = math.copysign(0.5 * math.pi, z)
        return lat, lon, abs(z) - b
    beta = math.atan2(z * r_eq, p * b)
    lat = 0.0
    for _ in range(3):
        sb = math.sin(beta)
        cb = math.cos(beta)
        lat = math.atan2(z + ep2 * b * sb * sb * sb, p - e2 * r_eq * cb * cb * cb)
        beta = math.atan2((1.0 - flattening) * math.sin(lat), math.cos(lat))
    s = math.sin(lat)
    n = r_eq / math.sqrt(1.0 - e2 * s * s)
    c = math.cos(lat)
    if abs(c) > 1e-6:
        alt = p / c - n
    else:
        alt = abs(z) / abs(s) - n * (1.0 - e2)
    return lat, lon, alt


@numba.njit(cache=True, inline="always")
def gravity_j2(x, y, z, mu, r_eq, j2):
    """Point mass + J2 acceleration at body-fixed (or any equator-aligned) x, y, z."""
    r2 = x * x + y * y + z * z
    r = math.sqrt(r2)
    k = mu / (r2 * r)
    zr2 = z * z / r2
    f = 1.5 * j2 * (r_eq * r_eq) / r2
    ax = -k * x * (1.0 + f * (1.0 - 5.0 * zr2))
    ay = -k * y * (1.0 + f * (1.0 - 5.0 * zr2))
    az = -k * z * (1.0 + f * (3.0 - 5.0 * zr2))
    return ax, ay, az


@numba.njit(cache=True)
def _g2f(lat, lon, alt, r_eq, f, out):
    for i in range(lat.size):
        out[i, 0], out[i, 1], out[i, 2] = geodetic_to_fixed(lat[i], lon[i], alt[i], r_eq, f)


@numba.njit(cache=True)
def _f2g(xyz, r_eq, f, lat, lon, alt):
    for i in range(xyz.shape[0]):
        lat[i], lon[i], alt[i] = fixed_to_geodetic(xyz[i, 0], xyz[i, 1], xyz[i, 2], r_eq, f)


def geodetic_to_fixed_array(lat_rad, lon_rad, alt_m, r_eq_m, flattening):
    """Vectorised :func:`geodetic_to_fixed`: arrays broadcast, returns shape (..., 3), m."""
    lat, lon, alt = np.broadcast_arrays(*(np.asarray(a, dtype=float) for a in (lat_rad, lon_rad, alt_m)))
    out = np.empty((lat.size, 3))
    _g2f(np.ascontiguousarray(lat).ravel(), np.ascontiguousarray(lon).ravel(),
         np.ascontiguousarray(alt).ravel(), r_eq_m, flattening, out)
    return out.reshape(lat.shape + (3,))


def fixed_to_geodetic_array(xyz_m, r_eq_m, flattening):
    """Vectorised :func:`fixed_to_geodetic`: ``xyz`` shape (..., 3) → (lat_rad, lon_rad, alt_m)."""
    xyz = np.asarray(xyz_m, dtype=float)
    flat = np.ascontiguousarray(xyz.reshape(-1, 3))
    lat = np.empty(flat.shape[0])
    lon = np.empty_like(lat)
    alt = np.empty_like(lat)
    _f2g(flat, r_eq_m, flattening, lat, lon, alt)
    s = xyz.shape[:-1]
    return lat.reshape(s), lon.reshape(s), alt.reshape(s)
