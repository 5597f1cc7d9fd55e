"""Orbit nodes along the chain: the OS's node from the MAV launch, the ERO's from its spiral.

Frame: the Mars inertial equator frame of :func:`msrsim.bodies.icrf_to_equator_matrix`
(x along the IAU node ``Q`` of the Mars equator on the ICRF equator, z along the pole), in
which the IAU prime-meridian angle ``W`` is measured. A site at east longitude ``lon``
then has the right ascension ``W(t) + lon`` in this frame, and an orbit of inclination
``i`` whose ground track passes over a site at latitude ``phi`` on its ascending half has
its node ``W + lon - atan2(cos i sin u, cos u)`` with ``sin u = sin phi / sin i``
(spherical trigonometry of the ground track; Vallado, *Fundamentals of Astrodynamics and
Applications*, 4th ed., §6.4 launch windows). Nodes drift at the first-order J2 secular
rate (Vallado §9.6).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..bodies import MARS, MARS_W1_DEG_DAY, mars_rotation_angle_rad
from ..constants import SECONDS_PER_DAY
from ..errors import ConfigError

_TWO_PI = 2.0 * math.pi


def _wrap_pi(x: float) -> float:
    return (x + math.pi) % _TWO_PI - math.pi


def launch_node_rad(t_tdb_s: float, lat_deg: float, lon_deg: float, inclination_deg: float,
                    ascending: bool = True) -> float:
    """Node (RAAN) of the orbit that passes over a launch site at ``t``, rad in [0, 2 pi).

    Parameters
    ----------
    t_tdb_s : float
        Lift-off, TDB s past J2000 (the few minutes of ascent move the plane by Mars's
        rotation only through the launch azimuth, which the ascent guidance absorbs).
    lat_deg, lon_deg : float
        Site latitude and east longitude, deg.
    inclination_deg : float
        Orbit inclination, deg; must be >= |latitude| (and <= 180 - |latitude|).
    ascending : bool
        Site on the ascending (northbound) half of the track.
    """
    return float(launch_node_batch_rad(t_tdb_s, lat_deg, lon_deg, inclination_deg, ascending))


def node_rate_rad_s(alt_km: float, inclination_deg: float) -> float:
    """First-order J2 secular node rate of a circular Mars orbit, rad/s."""
    from ..kernels.elements import j2_secular_rates

    a = MARS.r_eq_m + alt_km * 1e3
    return float(j2_secular_rates(a, 0.0, math.radians(inclination_deg), MARS.mu_m3_s2, MARS.r_eq_m,
                                  MARS.j2)[0])


@dataclass(frozen=True)
class NodeChain:
    """The OS and ERO nodes from MAV lift-off to the start of rendezvous (deg, TDB s).

    Attributes
    ----------
    mav_launch_tdb_s : float
        MAV lift-off.
    rendezvous_start_tdb_s : float
        Later of the end of the ERO's spiral and the MAV lift-off.
    os_node_at_launch_deg, os_node_at_rendezvous_deg : float
        OS node when delivered and drifted (J2) to the start of rendezvous, [0, 360).
    ero_node_at_rendezvous_deg : float
        ERO node at the start of rendezvous: its simulated spiral's final node, drifted at
        the working orbit's J2 rate if the MAV lifts off after the spiral ends.
    delta_raan_deg : float
        OS minus ERO node at the start of rendezvous, (-180, 180].
    os_wait_days : float
        Time the OS spends in orbit before rendezvous starts.
    timing : str
        "targeted" or "as_given" (:class:`~msrsim.marsorbit.params.MAVLaunchParams`).
    """

    mav_launch_tdb_s: float
    rendezvous_start_tdb_s: float
    os_node_at_launch_deg: float
    os_node_at_rendezvous_deg: float
    ero_node_at_rendezvous_deg: float
    delta_raan_deg: float
    os_wait_days: float
    timing: str


def node_chain(mav, os_params, ero_final_node_deg: float, spiral_end_tdb_s: float, working_alt_km: float,
               earliest_launch_tdb_s: float) -> NodeChain:
    """Node difference between the OS and the ERO at the start of rendezvous.

    Parameters
    ----------
    mav : MAVLaunchParams
        Site, launch direction and timing rule.
    os_params : OSParams
        The OS's delivered orbit (mean altitude and inclination set its J2 node rate).
    ero_final_node_deg : float
        ERO node at the end of its spiral (the simulated state), deg.
    spiral_end_tdb_s : float
        End of the spiral, TDB s.
    working_alt_km : float
        ERO working-orbit altitude (node rate after the spiral), km.
    earliest_launch_tdb_s : float
        Earliest lift-off ("targeted") or the lift-off itself ("as_given"), TDB s.
    """
    inc = os_params.inclination_deg
    h_os = 0.5 * (os_params.periapsis_alt_km + os_params.apoapsis_alt_km)
    w_os = node_rate_rad_s(h_os, inc)
    w_ero = node_rate_rad_s(working_alt_km, inc)
    om_e0 = math.radians(ero_final_node_deg)

    def ero_node(t):
        return om_e0 + w_ero * max(t - spiral_end_tdb_s, 0.0)

    def mismatch(t_launch):
        t_rdv = max(spiral_end_tdb_s, t_launch)
        om_os = launch_node_rad(t_launch, mav.lat_deg, mav.lon_deg, inc, mav.ascending)
        return _wrap_pi(om_os + w_os * (t_rdv - t_launch) - ero_node(t_rdv)), om_os, t_rdv

    t_launch = float(earliest_launch_tdb_s)
    if mav.timing == "targeted":
        # the mismatch grows linearly at the site's inertial rate (W1 less the node
        # rates): the next zero follows in under one sidereal day; re-solve once if the
        # zero falls on the other side of the end of the spiral (where the slope changes)
        w_site = math.radians(MARS_W1_DEG_DAY) / SECONDS_PER_DAY
        for _ in range(3):
            f, _, _ = mismatch(t_launch)
            rate = w_site - (w_os if t_launch < spiral_end_tdb_s else w_ero)
            t_next = t_launch + ((-f) % _TWO_PI) / rate
            if (t_launch < spiral_end_tdb_s) and t_next > spiral_end_tdb_s:
                t_launch = spiral_end_tdb_s
                continue
            t_launch = t_next
            break
    f, om_os, t_rdv = mismatch(t_launch)
    d = math.degrees(f)
    return NodeChain(
        mav_launch_tdb_s=t_launch, rendezvous_start_tdb_s=t_rdv,
        os_node_at_launch_deg=math.degrees(om_os) % 360.0,
        os_node_at_rendezvous_deg=math.degrees(om_os + w_os * (t_rdv - t_launch)) % 360.0,
        ero_node_at_rendezvous_deg=math.degrees(ero_node(t_rdv)) % 360.0,
        delta_raan_deg=180.0 if d <= -180.0 else d,
        os_wait_days=(t_rdv - t_launch) / SECONDS_PER_DAY, timing=mav.timing)


def launch_node_batch_rad(t_tdb_s, lat_deg: float, lon_deg: float, inclination_deg: float,
                          ascending: bool = True):
    """:func:`launch_node_rad` for an array of lift-off epochs (rad in [0, 2 pi))."""
    t = np.asarray(t_tdb_s, dtype=float)
    phi = math.radians(lat_deg)
    inc = math.radians(inclination_deg)
    s = math.sin(phi) / math.sin(inc) if math.sin(inc) > 0 else math.inf
    if abs(s) > 1.0:
        raise ConfigError(f"inclination_deg={inclination_deg!r} cannot pass over a site at latitude "
                          f"{lat_deg!r} deg; allowed: |latitude| <= inclination <= 180 - |latitude|")
    u = math.asin(s) if ascending else math.pi - math.asin(s)
    dlon = math.atan2(math.cos(inc) * math.sin(u), math.cos(u))
    return (mars_rotation_angle_rad(t) + math.radians(lon_deg) - dlon) % _TWO_PI


def targeted_launch_batch(mav, os_params, ero_final_node_deg, spiral_end_tdb_s, working_alt_km: float,
                          earliest_launch_tdb_s):
    """Per-trial MAV lift-off and node chain (:func:`node_chain`, vectorised over trials).

    Parameters
    ----------
    mav : MAVLaunchParams
    os_params : OSParams
    ero_final_node_deg, spiral_end_tdb_s, earliest_launch_tdb_s : array_like, shape (n,)
        Each trial's ERO node at the end of its spiral (deg), end of the spiral (TDB s) and
        earliest lift-off (TDB s).
    working_alt_km : float

    Returns
    -------
    dict of numpy.ndarray
        ``mav_launch_tdb_s``, ``rendezvous_start_tdb_s``, ``delta_raan_deg`` (OS minus ERO at
        the start of rendezvous for the nominal OS orbit, (-180, 180]) and ``os_wait_days``.
    """
    t0 = np.asarray(earliest_launch_tdb_s, dtype=float)
    t_se = np.broadcast_to(np.asarray(spiral_end_tdb_s, dtype=float), t0.shape)
    om_e0 = np.radians(np.broadcast_to(np.asarray(ero_final_node_deg, dtype=float), t0.shape))
    inc = os_params.inclination_deg
    h_os = 0.5 * (os_params.periapsis_alt_km + os_params.apoapsis_alt_km)
    w_os = node_rate_rad_s(h_os, inc)
    w_ero = node_rate_rad_s(working_alt_km, inc)

    def mismatch(t_launch):
        t_rdv = np.maximum(t_se, t_launch)
        om_os = launch_node_batch_rad(t_launch, mav.lat_deg, mav.lon_deg, inc, mav.ascending)
        ero = om_e0 + w_ero * np.maximum(t_rdv - t_se, 0.0)
        f = (om_os + w_os * (t_rdv - t_launch) - ero + math.pi) % _TWO_PI - math.pi
        return f, t_rdv

    t_launch = t0.copy()
    if mav.timing == "targeted":
        # as node_chain: the next zero of the linearly growing mismatch, re-solved once where
        # it falls on the other side of the end of the spiral
        w_site = math.radians(MARS_W1_DEG_DAY) / SECONDS_PER_DAY
        active = np.ones(t0.shape, dtype=bool)
        for _ in range(3):
            f, _ = mismatch(t_launch)
            before = t_launch < t_se
            rate = w_site - np.where(before, w_os, w_ero)
            t_next = t_launch + ((-f) % _TWO_PI) / rate
            cross = before & (t_next > t_se) & active
            t_launch = np.where(active, np.where(cross, t_se, t_next), t_launch)
            active = active & cross
            if not np.any(active):
                break
    f, t_rdv = mismatch(t_launch)
    d = np.degrees(f)
    return {"mav_launch_tdb_s": t_launch, "rendezvous_start_tdb_s": t_rdv,
            "delta_raan_deg": np.where(d <= -180.0, 180.0, d),
            "os_wait_days": (t_rdv - t_launch) / SECONDS_PER_DAY}
