"""Classical orbital elements <-> Cartesian state, vectorised over leading axes.

Angles in radians. Units of ``r``, ``v`` and ``mu`` are the caller's (consistent).
Circular and equatorial orbits use the usual conventions: for e = 0 the argument of
periapsis is 0 and ``nu`` is measured from the node (argument of latitude); for i = 0 the
node is on the +x axis (RAAN = 0) and angles are measured from +x.
"""

from __future__ import annotations

import numpy as np

_EPS = 1e-11


def rv_to_elements(r, v, mu):
    """Classical elements from Cartesian states.

    Parameters
    ----------
    r, v : array_like, shape (..., 3)
        Position and velocity.
    mu : float or array_like
        Gravitational parameter.

    Returns
    -------
    dict of numpy.ndarray, each shape (...)
        ``a`` (semi-major axis; negative for hyperbolas), ``e``, ``i_rad``, ``raan_rad``,
        ``argp_rad``, ``nu_rad`` (true anomaly), ``p`` (semi-latus rectum),
        ``rp`` and ``ra`` (periapsis and apoapsis radius; ``ra`` is inf if e >= 1).
    """
    r = np.asarray(r, dtype=float)
    v = np.asarray(v, dtype=float)
    mu = np.asarray(mu, dtype=float) * np.ones(r.shape[:-1])
    h = np.cross(r, v)
    hn = np.linalg.norm(h, axis=-1)
    rn = np.linalg.norm(r, axis=-1)
    vn2 = np.sum(v * v, axis=-1)
    n = np.stack([-h[..., 1], h[..., 0], np.zeros_like(hn)], axis=-1)  # z × h
    nn = np.linalg.norm(n, axis=-1)
    rdotv = np.sum(r * v, axis=-1)
    evec = ((vn2 - mu / rn)[..., None] * r - rdotv[..., None] * v) / mu[..., None]
    e = np.linalg.norm(evec, axis=-1)
    energy = vn2 / 2 - mu / rn
    with np.errstate(divide="ignore"):
        a = np.where(np.abs(energy) > 0, -mu / (2 * energy), np.inf)
    p = hn * hn / mu
    i = np.arccos(np.clip(h[..., 2] / hn, -1.0, 1.0))
    equatorial = nn < _EPS * hn
    circular = e < 1e-10
    raan = np.where(equatorial, 0.0, np.arctan2(n[..., 1], n[..., 0]) % (2 * np.pi))
    # unit node vector (x axis when equatorial)
    safe_nn = np.where(equatorial, 1.0, nn)
    nhat = np.where(equatorial[..., None], np.array([1.0, 0.0, 0.0]), n / safe_nn[..., None])
    hhat = h / hn[..., None]
    # in-plane angle of a vector measured from the node, positive along the motion
    def angle_from_node(x):
        cos_ = np.sum(nhat * x, axis=-1)
        sin_ = np.sum(np.cross(nhat, x) * hhat, axis=-1)
        return np.arctan2(sin_, cos_) % (2 * np.pi)

    argp = np.where(circular, 0.0, angle_from_node(evec))
    u = angle_from_node(r)  # argument of latitude
    nu = (u - argp) % (2 * np.pi)
    rp = p / (1 + e)
    with np.errstate(divide="ignore"):
        ra = np.where(e < 1, p / np.maximum(1 - e, 1e-300), np.inf)
    return {"a": a, "e": e, "i_rad": i, "raan_rad": raan, "argp_rad": argp, "nu_rad": nu,
            "p": p, "rp": rp, "ra": ra}


def elements_to_rv(a, e, i_rad, raan_rad, argp_rad, nu_rad, mu):
    """Cartesian state from classical elements (broadcasting).

    Parameters
    ----------
    a : array_like
        Semi-major axis (negative for hyperbolas).
    e : array_like
        Eccentricity (≠ 1).
    i_rad, raan_rad, argp_rad, nu_rad : array_like
        Inclination, right ascension of the ascending node, argument of periapsis, true
        anomaly, rad.
    mu : float or array_like
        Gravitational parameter.

    Returns
    -------
    r, v : numpy.ndarray, shape (..., 3)
    """
    a, e, i, om, w, nu, mu = np.broadcast_arrays(*(np.asarray(x, dtype=float) for x in
                                                   (a, e, i_rad, raan_rad, argp_rad, nu_rad, mu)))
    p = a * (1 - e * e)
    r_pf = p / (1 + e * np.cos(nu))
    sq = np.sqrt(mu / p)
    x_pf = r_pf * np.cos(nu)
    y_pf = r_pf * np.sin(nu)
    vx_pf = -sq * np.sin(nu)
    vy_pf = sq * (e + np.cos(nu))
    co, so, ci, si, cw, sw = np.cos(om), np.sin(om), np.cos(i), np.sin(i), np.cos(w), np.sin(w)
    # columns of the perifocal -> inertial rotation
    px = co * cw - so * sw * ci
    py = so * cw + co * sw * ci
    pz = sw * si
    qx = -co * sw - so * cw * ci
    qy = -so * sw + co * cw * ci
    qz = cw * si
    r = np.stack([px * x_pf + qx * y_pf, py * x_pf + qy * y_pf, pz * x_pf + qz * y_pf], axis=-1)
    v = np.stack([px * vx_pf + qx * vy_pf, py * vx_pf + qy * vy_pf, pz * vx_pf + qz * vy_pf], axis=-1)
    return r, v


def j2_secular_rates(a, e, i_rad, mu, r_eq, j2):
    """Secular J2 drift of the node, periapsis and mean anomaly (rad/s).

    Parameters
    ----------
    a : array_like
        Semi-major axis (same length unit as ``r_eq``).
    e : array_like
        Eccentricity (< 1).
    i_rad : array_like
        Inclination, rad.
    mu : float
        Gravitational parameter.
    r_eq : float
        Equatorial radius of the body.
    j2 : float
        Unnormalised second zonal harmonic.

    Returns
    -------
    raan_dot, argp_dot, mean_anomaly_dot : numpy.ndarray
        rad/s. First-order secular rates (e.g. Vallado, *Fundamentals of Astrodynamics*,
        §9.6): dΩ/dt = -3/2 n J2 (R/p)² cos i; dω/dt = 3/4 n J2 (R/p)² (5 cos² i - 1);
        dM/dt = n [1 + 3/4 J2 (R/p)² sqrt(1-e²) (3 cos² i - 1)].
    """
    a = np.asarray(a, dtype=float)
    e = np.asarray(e, dtype=float)
    ci = np.cos(np.asarray(i_rad, dtype=float))
    n = np.sqrt(mu / a**3)
    p = a * (1 - e * e)
    k = j2 * (r_eq / p) ** 2
    raan_dot = -1.5 * n * k * ci
    argp_dot = 0.75 * n * k * (5 * ci * ci - 1)
    m_dot = n * (1 + 0.75 * k * np.sqrt(1 - e * e) * (3 * ci * ci - 1))
    return raan_dot, argp_dot, m_dot
