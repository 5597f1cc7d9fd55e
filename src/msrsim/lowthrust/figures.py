"""Figure of a low-thrust transfer: trajectory, thrust and throttle, power against distance."""

from __future__ import annotations

import numpy as np

from ..constants import AU_KM, SECONDS_PER_DAY

# J2000 obliquity of the ecliptic, rad (IAU 1976, 84381.448 arcsec): the trajectory is drawn
# in the ecliptic plane
_OBLIQUITY_RAD = np.deg2rad(84381.448 / 3600.0)


def _ecliptic(r_km):
    c, s = np.cos(_OBLIQUITY_RAD), np.sin(_OBLIQUITY_RAD)
    x, y, z = r_km[..., 0], r_km[..., 1], r_km[..., 2]
    return np.stack([x, c * y + s * z, -s * y + c * z], axis=-1)


def plot_transfer(res, path: str, title: str = "", bodies=None) -> str:
    """Write the three-panel figure of a :class:`~msrsim.lowthrust.LowThrustResult` to ``path``.

    Parameters
    ----------
    res : LowThrustResult
    path : str
        PNG file to write.
    title : str
    bodies : dict, optional
        Name -> positions (K, 3) km of planets over the transfer (drawn as orbits).
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(1, 3, figsize=(16, 5))
    r = _ecliptic(res.r_km) / AU_KM
    on = res.thrust_n > 0.01 * max(float(res.thrust_available_n.max()), 1e-30)
    ax[0].plot(r[:, 0], r[:, 1], color="0.6", lw=1, label="coast")
    rt = np.where(on[:, None], r, np.nan)
    ax[0].plot(rt[:, 0], rt[:, 1], color="tab:red", lw=2, label="thrust")
    for name, rb in (bodies or {}).items():
        b = _ecliptic(np.asarray(rb)) / AU_KM
        ax[0].plot(b[:, 0], b[:, 1], ls="--", lw=0.8, label=name)
    ax[0].plot([0], [0], "o", color="gold")
    ax[0].set_aspect("equal")
    ax[0].set_xlabel("x ecliptic, AU")
    ax[0].set_ylabel("y ecliptic, AU")
    ax[0].legend(fontsize=8)
    ax[0].set_title("trajectory")
    days = res.t_s / SECONDS_PER_DAY
    ax[1].plot(days, res.thrust_n * 1e3, label="thrust flown, mN")
    ax[1].plot(days, res.thrust_available_n * 1e3, ls=":", label="available, mN")
    ax[1].set_xlabel("days from departure")
    ax[1].set_ylabel("thrust, mN")
    a2 = ax[1].twinx()
    a2.step(res.segment_t_s[:-1] / SECONDS_PER_DAY, res.throttle, where="post", color="tab:green",
            label="throttle")
    a2.set_ylim(-0.05, 1.05)
    a2.set_ylabel("throttle")
    ax[1].legend(loc="upper left", fontsize=8)
    a2.legend(loc="upper right", fontsize=8)
    ax[1].set_title(f"mass {res.initial_mass_kg:.0f} -> {res.final_mass_kg:.0f} kg")
    d = res.sun_distance_au
    if res.power_w is not None:
        ax[2].plot(d, res.power_w / 1e3, ".", ms=2)
        ax[2].set_ylabel("array power after the bus, kW")
    else:
        ax[2].plot(d, res.thrust_available_n * 1e3, ".", ms=2)
        ax[2].set_ylabel("available thrust, mN (constant)")
    ax[2].set_xlabel("distance from the Sun, AU")
    ax[2].set_title("power against distance")
    fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
