"""Ascent figures (matplotlib, Agg backend): profile and delivered-orbit scatter."""

from __future__ import annotations

from pathlib import Path

import numpy as np


def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def plot_profile(hist, path: str | Path) -> Path:
    """Altitude, speed, dynamic pressure and acceleration vs time; returns the file path."""
    plt = _plt()
    fig, ax = plt.subplots(2, 2, figsize=(10, 7), sharex=True)
    t = hist.t_s
    ax[0, 0].plot(t, hist.alt_m / 1e3)
    ax[0, 0].set_ylabel("altitude (km)")
    ax[0, 1].plot(t, hist.speed_inertial_m_s, label="inertial")
    ax[0, 1].plot(t, hist.speed_rel_m_s, label="relative to the atmosphere")
    ax[0, 1].set_ylabel("speed (m/s)")
    ax[0, 1].legend(fontsize=8)
    ax[1, 0].plot(t, hist.dynamic_pressure_pa / 1e3)
    ax[1, 0].set_ylabel("dynamic pressure (kPa)")
    ax[1, 1].plot(t, hist.accel_m_s2 / 9.80665)
    ax[1, 1].set_ylabel("sensed acceleration (g)")
    for a in ax[1]:
        a.set_xlabel("time from ejection (s)")
    for a in ax.ravel():
        a.grid(alpha=0.3)
    o = hist.orbit
    fig.suptitle(f"MAV ascent: delivered {o['periapsis_alt_km']:.1f} x {o['apoapsis_alt_km']:.1f} km, "
                 f"i = {o['inclination_deg']:.2f} deg")
    fig.tight_layout()
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(p, dpi=110)
    plt.close(fig)
    return p


def plot_scatter(orbits: dict, min_periapsis_alt_km: float, path: str | Path) -> Path:
    """Delivered-orbit scatter: periapsis vs apoapsis altitude, and inclination vs RAAN."""
    plt = _plt()
    hp = orbits["periapsis_alt_km"]
    ha = orbits["apoapsis_alt_km"]
    ok = np.isfinite(ha)
    fig, ax = plt.subplots(1, 2, figsize=(11, 4.5))
    ax[0].scatter(ha[ok], hp[ok], s=3, alpha=0.4)
    ax[0].axhline(min_periapsis_alt_km, color="r", lw=1, label="minimum periapsis")
    ax[0].set_xlabel("apoapsis altitude (km)")
    ax[0].set_ylabel("periapsis altitude (km)")
    ax[0].legend(fontsize=8)
    ax[1].scatter(orbits["raan_deg"][ok], orbits["inclination_deg"][ok], s=3, alpha=0.4)
    ax[1].set_xlabel("RAAN from the prime meridian at lift-off (deg)")
    ax[1].set_ylabel("inclination (deg)")
    for a in ax:
        a.grid(alpha=0.3)
    fig.tight_layout()
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(p, dpi=110)
    plt.close(fig)
    return p
