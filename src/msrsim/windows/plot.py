"""The classic porkchop figure: C3 contours, arrival v_inf contours, time-of-flight lines.

Matplotlib with the Agg backend; calendar dates (UTC) on the axes. This is an edge module:
it is only imported by the CLI and by users who want the figure.
"""

from __future__ import annotations

import numpy as np

from ..constants import SECONDS_PER_DAY
from ..timescales import tdb_to_jd_utc
from .porkchop import PorkchopGrid, Transfer

_UNIX_EPOCH_JD = 2440587.5  # JD of 1970-01-01T00:00 UTC, matplotlib's default date epoch


def _mdates(t_tdb_s: np.ndarray) -> np.ndarray:
    return np.asarray(tdb_to_jd_utc(np.asarray(t_tdb_s, dtype=float))) - _UNIX_EPOCH_JD


def _levels(lo: float, hi: float, n: int = 12) -> np.ndarray:
    span = max(hi - lo, 1e-6)
    raw = span / n
    mag = 10 ** np.floor(np.log10(raw))
    step = min((s * mag for s in (1, 2, 2.5, 5, 10) if s * mag >= raw), default=10 * mag)
    return np.arange(np.floor(lo / step) * step, hi + step, step)


def plot_porkchop(grid: PorkchopGrid, transfers: list[Transfer] | tuple[Transfer, ...] = (),
                  path: str | None = None, title: str | None = None, c3_span_km2_s2: float = 25.0,
                  launch_period=None):
    """Draw a porkchop plot and optionally save it.

    Parameters
    ----------
    grid : PorkchopGrid
        The porkchop to draw.
    transfers : sequence of Transfer
        Transfers to mark (e.g. :func:`best_transfers` output).
    path : str, optional
        Write the figure here (PNG/SVG/PDF by extension).
    title : str, optional
        Figure title (default ``"<from> -> <to>"``).
    c3_span_km2_s2 : float
        C3 contours are drawn from the minimum up to minimum + this span, km^2/s^2.
    launch_period : LaunchPeriod, optional
        Drawn as a line of the chosen (departure, arrival) pairs.

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.dates as mdates
    import matplotlib.pyplot as plt

    x = _mdates(grid.depart_tdb_s)
    y = _mdates(grid.arrive_tdb_s)
    xx, yy = np.meshgrid(x, y, indexing="ij")
    c3 = np.ma.masked_invalid(np.where(grid.valid, grid.c3_km2_s2, np.nan))
    vinf = np.ma.masked_invalid(np.where(grid.valid, grid.vinf_arrive_km_s, np.nan))
    fig, ax = plt.subplots(figsize=(9.0, 7.0), dpi=110)
    if c3.count() > 3 and x.size > 1 and y.size > 1:
        lo = float(c3.min())
        levels = _levels(lo, lo + c3_span_km2_s2)
        cs = ax.contour(xx, yy, c3, levels=levels, cmap="viridis", linewidths=1.0)
        ax.clabel(cs, fmt="%g", fontsize=7)
        vlo = float(vinf.min())
        vl = _levels(vlo, vlo + 4.0, 8)
        cv = ax.contour(xx, yy, vinf, levels=vl, colors="tab:red", linewidths=0.7, linestyles="--")
        ax.clabel(cv, fmt="%g", fontsize=6)
        tof_d = grid.tof_s / SECONDS_PER_DAY
        tl = _levels(max(float(tof_d.min()), 0.0), float(tof_d.max()), 8)
        ct = ax.contour(xx, yy, tof_d, levels=tl[tl > 0], colors="0.55", linewidths=0.5, linestyles=":")
        ax.clabel(ct, fmt="%g d", fontsize=6)
        proxies = [plt.Line2D([], [], color="tab:green", lw=1.0),
                   plt.Line2D([], [], color="tab:red", lw=0.7, ls="--"),
                   plt.Line2D([], [], color="0.55", lw=0.5, ls=":")]
        labels = ["C3 (km²/s²)", "arrival v∞ (km/s)", "time of flight (days)"]
    else:
        proxies, labels = [], []
    if launch_period is not None:
        (lp,) = ax.plot(_mdates(launch_period.departure_tdb_s), _mdates(launch_period.arrival_tdb_s),
                        color="black", lw=2.0, alpha=0.6)
        proxies.append(lp)
        labels.append(f"launch period, C3 ≤ {launch_period.c3_max_km2_s2:.1f}")
    for t, marker in zip(transfers, ("o", "s", "^", "D"), strict=False):
        (h,) = ax.plot(_mdates([t.departure_tdb_s]), _mdates([t.arrival_tdb_s]), marker=marker, ls="none",
                       color="black", mfc="white", ms=8)
        proxies.append(h)
        labels.append(f"Type {t.type}: C3 {t.c3_km2_s2:.2f}, v∞ arr {t.vinf_arrival_km_s:.2f}")
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y-%m-%d"))
    ax.yaxis.set_major_formatter(mdates.DateFormatter("%Y-%m-%d"))
    fig.autofmt_xdate()
    ax.set_xlabel(f"departure from {grid.from_body.capitalize()} (UTC)")
    ax.set_ylabel(f"arrival at {grid.to_body.capitalize()} (UTC)")
    ax.set_title(title or f"{grid.from_body.capitalize()} → {grid.to_body.capitalize()}")
    ax.grid(alpha=0.2)
    if proxies:
        ax.legend(proxies, labels, loc="upper left", fontsize=7, framealpha=0.85)
    fig.tight_layout()
    if path is not None:
        fig.savefig(path)
        plt.close(fig)
    return fig
