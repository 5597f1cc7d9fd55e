"""Terminal descent: from the end of the compiled entry trajectory to touchdown.

The entry kernel stops at the powered-descent start altitude (or the ground, for a vehicle
without powered descent). This module adds the last leg in closed form, so that the
runner, the entry targeting and the guidance-table builder share one model.
"""

from __future__ import annotations

import numpy as np

from . import _kernel as K
from .model import EntryConfig


def terminal_descent(cfg: EntryConfig, out: np.ndarray, body):
    """Landing place, speed, time and powered-descent Δv of a batch of entry trajectories.

    Without a powered descent the kernel's end state is the landing. With one
    (``cfg.vehicle.powered_descent``), the vehicle decelerates uniformly from its state at
    the start altitude ``h`` to touchdown: the descent takes ``t = 2 h / v_down`` (the
    mean speed is half the initial one; ``v_down`` floored at 1 m/s), the horizontal
    travel is ``v_h t / 2`` along the horizontal velocity, and the Δv is
    ``|v| + g t - v_touchdown`` (gravity loss at the surface gravity ``mu / r_eq^2``).

    Parameters
    ----------
    cfg : EntryConfig
        The case (its vehicle's ``powered_descent`` setting).
    out : numpy.ndarray, shape (n, K.N_O)
        Per-trajectory outputs of the entry kernel (columns ``K.O_*``: latitude and
        longitude in rad, time in s, speed and east/north/up velocity in m/s).
    body : msrsim.bodies.Planet
        The planet (``mu_m3_s2``, ``r_eq_m``).

    Returns
    -------
    lat_rad, lon_rad : numpy.ndarray, shape (n,)
        Touchdown place, rad (longitude not wrapped).
    speed_m_s : numpy.ndarray, shape (n,)
        Touchdown speed, m/s.
    t_s : numpy.ndarray, shape (n,)
        Time from the entry interface to touchdown, s.
    dv_m_s : numpy.ndarray, shape (n,)
        Powered-descent Δv, m/s (0 without a powered descent).
    """
    lat = out[:, K.O_LAT].copy()
    lon = out[:, K.O_LON].copy()
    t = out[:, K.O_T_END].copy()
    speed = out[:, K.O_SPEED].copy()
    dv = np.zeros(len(out))
    pd = cfg.vehicle.powered_descent
    if pd is not None:
        # Constant deceleration from the powered-descent start to touchdown: time
        # 2 h / v_down, horizontal travel v_h t / 2, delta-v |v| + g t - v_touchdown.
        vh_e, vh_n, vu = out[:, K.O_VE], out[:, K.O_VN], out[:, K.O_VU]
        h = pd.start_alt_agl_m
        v_down = np.maximum(-vu, 1.0)
        t_pd = 2.0 * h / v_down
        g_surf = body.mu_m3_s2 / body.r_eq_m ** 2
        r = body.r_eq_m
        lat = lat + 0.5 * vh_n * t_pd / r
        lon = lon + 0.5 * vh_e * t_pd / (r * np.cos(lat))
        dv = np.hypot(np.hypot(vh_e, vh_n), vu) + g_surf * t_pd - pd.touchdown_speed_m_s
        t = t + t_pd
        speed = np.full(len(out), pd.touchdown_speed_m_s)
    return lat, lon, speed, t, dv
