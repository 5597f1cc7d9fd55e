"""The campaign report's figures: each function takes plain numbers and returns a Figure.

Epochs are TDB seconds past J2000 (drawn as UTC calendar dates); distances km, speeds
km/s, probabilities as fractions. Scatter figures draw at most
:data:`~msrsim.report.svg.MAX_SCATTER_POINTS` points and say so when they thin.
"""

from __future__ import annotations

import math

import numpy as np

from ..constants import SECONDS_PER_DAY
from .svg import date_axis, ellipse99, mdate, new_figure, thin, tip

_OK = "#1f77b4"
_FAIL = "#d62728"
_SPREAD = "#9ecae1"


def gantt(milestones: list[dict], nominal_tdb_s: dict, n_trials: int):
    """Campaign timeline: P10–P90 bar, median tick and nominal diamond of every milestone.

    Parameters
    ----------
    milestones : list of dict
        ``results.json`` ``milestones`` rows plus ``p10_tdb_s``, ``p50_tdb_s``, ``p90_tdb_s``.
    nominal_tdb_s : dict
        Milestone column -> nominal-trial epoch, TDB s (NaN when not reached).
    n_trials : int
        Trials of the run (for the caption).
    """
    fig, ax = new_figure(9.0, 0.42 * len(milestones) + 1.4)
    rows = milestones[::-1]
    for i, m in enumerate(rows):
        if "p10_tdb_s" in m:
            x0, x1 = mdate([m["p10_tdb_s"], m["p90_tdb_s"]])
            bars = ax.barh(i, max(x1 - x0, 2.0), left=x0 - (1.0 if x1 - x0 < 2 else 0.0), height=0.5,
                           color=_SPREAD, edgecolor="none")
            tip(fig, bars.patches[0], f"{m['milestone']}: P10 {m.get('p10_utc')}, median {m.get('p50_utc')}, "
                f"P90 {m.get('p90_utc')}; reached in {100 * m['p_reached']:.1f} % of trials")
            ax.plot(mdate([m["p50_tdb_s"]]), [i], "|", color="black", ms=14, mew=2)
        t_nom = nominal_tdb_s.get(m["column"], math.nan)
        if math.isfinite(t_nom):
            ax.plot(mdate([t_nom]), [i], "D", color="#ff7f0e", ms=6)
    ax.set_yticks(range(len(rows)), [f"{m['milestone']} ({100 * m['p_reached']:.0f} %)" for m in rows])
    date_axis(ax)
    ax.grid(axis="x", alpha=0.3)
    ax.plot([], [], "s", color=_SPREAD, ms=9, label="P10–P90 of trials reaching it")
    ax.plot([], [], "|", color="black", ms=12, mew=2, label="median")
    ax.plot([], [], "D", color="#ff7f0e", ms=6, label="nominal trial")
    fig.legend(loc="outside lower center", ncols=3, fontsize=8)
    ax.set_title(f"Milestones over {n_trials:,} trials (in brackets: fraction of trials reaching each)",
                 fontsize=10)
    return fig


def return_dates(t_success_tdb_s, n_trials: int):
    """Histogram of the Earth landing date (successful trials) and P(samples on Earth by date)."""
    t = np.sort(np.asarray(t_success_tdb_s, dtype=float))
    fig, (a1, a2) = new_figure(9.0, 5.2, nrows=2, sharex=True)
    if t.size:
        x = mdate(t)
        span = max(x[-1] - x[0], 1.0)
        bins = int(np.clip(span / 30.0, 5, 80))  # about monthly bins
        a1.hist(x, bins=bins, color=_OK, alpha=0.85)
        pad = max(30.0, 0.05 * span)
        xs = np.concatenate([[x[0] - pad], x, [x[-1] + pad]])
        ps = np.concatenate([[0.0], np.arange(1, t.size + 1) / n_trials, [t.size / n_trials]])
        a2.step(xs, ps, where="post", color=_OK)
        for q in (10, 50, 90):
            v = mdate([np.percentile(t, q)])[0]
            a1.axvline(v, color="black", ls=":", lw=0.8)
            a1.text(v, a1.get_ylim()[1] * 0.95, f" P{q}", fontsize=8, va="top")
    else:
        a1.text(0.5, 0.5, "no trial returned samples", transform=a1.transAxes, ha="center")
    a1.set_ylabel("trials")
    a1.set_title("Earth landing date of the successful trials", fontsize=10)
    a2.set_ylabel("P(samples on Earth by date)")
    a2.set_ylim(0, 1)
    a2.grid(alpha=0.3)
    date_axis(a2)
    return fig


def pareto(causes: dict):
    """Failure causes by probability (bars) and their cumulative share (line)."""
    names = list(causes)
    p = np.array([causes[k] for k in names], dtype=float)
    fig, ax = new_figure(9.0, 0.3 * max(len(names), 3) + 1.6)
    if p.size:
        y = np.arange(p.size)[::-1]
        bars = ax.barh(y, 100 * p, color=_FAIL, alpha=0.85)
        for b, name, pi in zip(bars.patches, names, p, strict=True):
            tip(fig, b, f"{name}: {100 * pi:.2f} % of trials")
        ax.set_yticks(y, names)
        cum = np.cumsum(p) / p.sum()
        ax2 = ax.twiny()
        ax2.plot(100 * cum, y, "o-", color="black", ms=3, lw=1)
        ax2.set_xlim(0, 105)
        ax2.set_xlabel("cumulative share of failures (%)", fontsize=8)
        for yi, pi in zip(y, p, strict=True):
            ax.text(100 * pi, yi, f" {100 * pi:.1f} %", va="center", fontsize=8)
    else:
        ax.text(0.5, 0.5, "no failed trial", transform=ax.transAxes, ha="center")
    ax.set_xlabel("probability of the campaign ending there (% of trials)")
    return fig


def tornado(sensitivity: dict):
    """P(success) at each parameter's low and high value around the base case."""
    rows = (sensitivity or {}).get("parameters", [])[:14]
    fig, ax = new_figure(9.0, 0.34 * max(len(rows), 3) + 1.6)
    if not rows:
        ax.text(0.5, 0.5, "no sensitivity cases were run (--sensitivity-trials 0)",
                transform=ax.transAxes, ha="center")
        ax.set_axis_off()
        return fig
    base = 100 * sensitivity["base"]["p_success"]
    y = np.arange(len(rows))[::-1]
    for yi, r in zip(y, rows, strict=True):
        lo, hi = 100 * r["p_success_low"], 100 * r["p_success_high"]
        # the longer bar first, so that a shorter one on the same side stays visible
        order = [(lo, "#6baed6"), (hi, "#fd8d3c")]
        order.sort(key=lambda x: -abs(x[0] - base))
        b1 = ax.barh(yi, order[0][0] - base, left=base, color=order[0][1], height=0.6)
        b2 = ax.barh(yi, order[1][0] - base, left=base, color=order[1][1], height=0.6)
        text = (f"{r['parameter']} ({r['basis']}): P(success) {lo:.1f} % low, {hi:.1f} % high; median "
                f"return {r['median_return_low_utc']} / {r['median_return_high_utc']}")
        tip(fig, b1.patches[0], text)
        tip(fig, b2.patches[0], text)
    ax.axvline(base, color="black", lw=1)
    ax.set_yticks(y, [r["parameter"] for r in rows], fontsize=8)
    ax.set_xlabel(f"P(success) % (base {base:.1f} %, {sensitivity['trials']:,} trials per case, "
                  "common random numbers)")
    ax.barh([], [], color="#6baed6", label="low value")
    ax.barh([], [], color="#fd8d3c", label="high value")
    ax.legend(fontsize=8, loc="lower right")
    return fig


def porkchop(leg, chosen=None, title: str = ""):
    """One leg's porkchop (C3, arrival v∞ and time-of-flight contours) with its launch period
    and the chosen transfer marked.

    Parameters
    ----------
    leg : msrsim.campaign.architecture.LegResult
    chosen : tuple of float, optional
        (departure, arrival) epochs of the transfer the campaign flies, TDB s.
    title : str
    """
    import matplotlib.pyplot as plt

    from ..windows.plot import plot_porkchop

    fig = plot_porkchop(leg.grid, leg.transfers, None, title, launch_period=leg.launch_period)
    ax = fig.axes[0]
    if chosen is not None:
        ax.plot(mdate([chosen[0]]), mdate([chosen[1]]), "*", color="#ff7f0e", ms=16, mec="black",
                label="chosen transfer")
        h, lab = ax.get_legend_handles_labels()
        old = ax.get_legend()
        if old is not None:
            handles = list(old.legend_handles) + h[-1:]
            labels = [t.get_text() for t in old.get_texts()] + lab[-1:]
            ax.legend(handles, labels, loc="upper left", fontsize=7, framealpha=0.85)
    fig.set_size_inches(7.2, 5.6)
    fig.tight_layout()
    plt.close(fig)  # plot_porkchop draws with pyplot: release its registry entry
    return fig


def _local_km(lat_deg, lon_deg, lat0_deg, lon0_deg, r_km):
    """East/north offsets from a reference point on a sphere, km (small-area projection)."""
    lat = np.radians(np.asarray(lat_deg, dtype=float))
    lon = np.radians(np.asarray(lon_deg, dtype=float))
    la0, lo0 = math.radians(lat0_deg), math.radians(lon0_deg)
    dlon = (lon - lo0 + np.pi) % (2 * np.pi) - np.pi
    return r_km * np.cos(la0) * dlon, r_km * (lat - la0)


def srl_landing(lat_deg, lon_deg, target: tuple, places: dict, r_km: float, n_trials: int):
    """SRL landing points over Jezero with the 99 % ellipse and the named places, km from target.

    Parameters
    ----------
    lat_deg, lon_deg : array_like
        Landing points of the trials that landed, deg (Mars 2000 areocentric, east-positive).
    target : (lat_deg, lon_deg)
    places : dict
        Label -> (lat_deg, lon_deg, marker).
    r_km : float
        Mars radius used for the projection, km.
    n_trials : int
    """
    e, n = _local_km(lat_deg, lon_deg, target[0], target[1], r_km)
    fig, ax = new_figure(6.4, 5.6)
    keep = thin(e.size)
    ax.plot(e[keep], n[keep], ".", ms=2.5, color=_OK, alpha=0.6,
            label=f"landings ({e.size:,} of {n_trials:,})")
    el = ellipse99(e, n)
    if el is not None:
        ax.plot(el[0], el[1], color="black", lw=1.5, label="99 % ellipse")
    ax.plot([0], [0], "+", color="black", ms=12, mew=2, label="target")
    for label, (la, lo, mk) in places.items():
        pe, pn = _local_km([la], [lo], target[0], target[1], r_km)
        ax.plot(pe, pn, mk, ms=9, mec="black", label=label)
    ax.set_aspect("equal", adjustable="datalim")
    ax.set_xlabel("east of target (km)")
    ax.set_ylabel("north of target (km)")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, loc="upper right")
    if e.size > keep.size:
        ax.set_title(f"{keep.size:,} of {e.size:,} landings drawn (random subset); ellipse from all",
                     fontsize=8)
    return fig


def ees_landing(lat_deg, lon_deg, in_zone, polygon_lat_lon_deg, centre: tuple, n_trials: int):
    """EES landing points at Utah with the UTTR outline and the 99 % ellipse (deg, WGS-84)."""
    lat = np.asarray(lat_deg, dtype=float)
    lon = np.asarray(lon_deg, dtype=float)
    zone = np.asarray(in_zone, dtype=bool)
    fig, ax = new_figure(6.4, 5.6)
    keep = thin(lat.size)
    for m, c, lab in ((zone[keep], _OK, "inside UTTR"), (~zone[keep], _FAIL, "outside UTTR")):
        ax.plot(lon[keep][m], lat[keep][m], ".", ms=2.5, color=c, alpha=0.6,
                label=f"{lab} ({int(m.sum()):,})")
    el = ellipse99(lon, lat)
    if el is not None:
        ax.plot(el[0], el[1], color="black", lw=1.5, label="99 % ellipse")
    if polygon_lat_lon_deg is not None:
        poly = np.asarray(polygon_lat_lon_deg, dtype=float)
        poly = np.vstack([poly, poly[:1]])
        ax.plot(poly[:, 1], poly[:, 0], color="#2ca02c", lw=2, label="UTTR outline")
    ax.plot([centre[1]], [centre[0]], "+", color="black", ms=12, mew=2, label="UTTR reference point")
    ax.set_aspect(1.0 / math.cos(math.radians(centre[0])), adjustable="datalim")
    ax.set_xlabel("longitude (deg east, WGS-84)")
    ax.set_ylabel("latitude (deg, WGS-84)")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, loc="upper right")
    title = f"{lat.size:,} landings of {n_trials:,} trials"
    if lat.size > keep.size:
        title += f"; {keep.size:,} drawn (random subset), ellipse from all"
    ax.set_title(title, fontsize=8)
    return fig


def ascent_profile(hist):
    """MAV ascent: altitude, speed, dynamic pressure and acceleration against time."""
    fig, axs = new_figure(9.0, 5.6, nrows=2, ncols=2, sharex=True)
    t = np.asarray(hist.t_s)
    axs[0, 0].plot(t, np.asarray(hist.alt_m) / 1e3)
    axs[0, 0].set_ylabel("altitude (km)")
    axs[0, 1].plot(t, np.asarray(hist.speed_inertial_m_s) / 1e3, label="inertial")
    axs[0, 1].plot(t, np.asarray(hist.speed_rel_m_s) / 1e3, label="relative to the air")
    axs[0, 1].set_ylabel("speed (km/s)")
    axs[0, 1].legend(fontsize=7)
    axs[1, 0].plot(t, np.asarray(hist.dynamic_pressure_pa) / 1e3)
    axs[1, 0].set_ylabel("dynamic pressure (kPa)")
    axs[1, 1].plot(t, np.asarray(hist.accel_m_s2) / 9.80665)
    axs[1, 1].set_ylabel("acceleration (g)")
    for a in axs[1]:
        a.set_xlabel("time from ignition sequence start (s)")
    for a in axs.ravel():
        a.grid(alpha=0.3)
    return fig


def delivered_orbits(periapsis_alt_km, apoapsis_alt_km, lifetime_days, wait_days, reentry_alt_km: float,
                     nominal: tuple | None = None):
    """MAV delivered orbits (periapsis vs apoapsis altitude) coloured by whether the OS outlives
    its wait, and the OS lifetime margin."""
    hp = np.asarray(periapsis_alt_km, dtype=float)
    ha = np.asarray(apoapsis_alt_km, dtype=float)
    life = np.asarray(lifetime_days, dtype=float)
    wait = np.asarray(wait_days, dtype=float)
    ok = np.isfinite(hp) & np.isfinite(ha)
    fig, (a1, a2) = new_figure(9.5, 4.4, ncols=2)
    idx = np.flatnonzero(ok)
    keep = idx[thin(idx.size)]
    with np.errstate(invalid="ignore"):
        lasts = life >= wait
    for m, c, lab in ((lasts[keep], _OK, "OS outlives its wait"), (~lasts[keep], _FAIL, "OS decays first")):
        a1.plot(hp[keep][m], ha[keep][m], ".", ms=3, color=c, alpha=0.6, label=lab)
    a1.axvline(reentry_alt_km, color="black", ls=":", lw=0.8)
    if nominal is not None:
        a1.plot([nominal[0]], [nominal[1]], "*", color="#ff7f0e", ms=14, mec="black", label="nominal")
    a1.set_xlabel("periapsis altitude (km)")
    a1.set_ylabel("apoapsis altitude (km)")
    a1.grid(alpha=0.3)
    a1.legend(fontsize=7)
    title = f"{idx.size:,} delivered orbits"
    if idx.size > keep.size:
        title += f", {keep.size:,} drawn"
    a1.set_title(title, fontsize=9)
    w = wait[np.isfinite(wait) & ok]
    if w.size:
        a2.hist(w, bins=30, color=_SPREAD, label="OS wait: lift-off to capture")
    lw = life[np.isfinite(life) & ok]
    if lw.size:
        a2.hist(lw, bins=30, histtype="step", color="black", label="OS lifetime (capped at the longest wait)")
    a2.set_xlabel("days")
    a2.set_ylabel("trials")
    a2.legend(fontsize=7)
    a2.grid(alpha=0.3)
    return fig


def ero_timeline(phases: list, epochs_tdb_s: dict):
    """The ERO's Mars phase of the nominal trial as bars from Mars arrival to departure.

    Parameters
    ----------
    phases : list of (label, start_tdb_s, end_tdb_s)
    epochs_tdb_s : dict
        Label -> epoch of point events (MAV launch), TDB s.
    """
    fig, ax = new_figure(9.0, 0.45 * max(len(phases), 3) + 1.4)
    colours = ["#9467bd", "#8c564b", "#7f7f7f", "#1f77b4", "#bcbd22", "#17becf"]
    y = np.arange(len(phases))[::-1]
    for yi, (label, t0, t1), c in zip(y, phases, colours * 3, strict=False):
        if not (math.isfinite(t0) and math.isfinite(t1)):
            continue
        x0, x1 = mdate([t0, t1])
        bars = ax.barh(yi, max(x1 - x0, 1.0), left=x0, color=c, height=0.55)
        tip(fig, bars.patches[0], f"{label}: {(t1 - t0) / SECONDS_PER_DAY:.1f} days")
        ax.text(x1, yi, f" {(t1 - t0) / SECONDS_PER_DAY:.0f} d", va="center", fontsize=8)
    for k, (label, t) in enumerate(epochs_tdb_s.items()):
        if math.isfinite(t):
            x = mdate([t])[0]
            ax.axvline(x, color="#d62728", ls="--", lw=1)
            # labels on alternate heights so that events days apart stay legible
            ax.text(x, len(phases) - 0.45 - 0.35 * (k % 2), f" {label}", color="#d62728", fontsize=8)
    ax.set_yticks(y, [p[0] for p in phases])
    date_axis(ax)
    ax.grid(axis="x", alpha=0.3)
    return fig


def hill_approach(traj_hill_m, keep_out_radius_m: float, holds_m: dict):
    """The terminal rendezvous in the Hill frame: along-track (V-bar) vs radial (R-bar), m."""
    r = np.asarray(traj_hill_m, dtype=float)
    fig, ax = new_figure(8.0, 4.6)
    ax.plot(r[:, 1], r[:, 0], color=_OK, lw=1.5, label="ERO relative to the OS")
    ax.plot([r[0, 1]], [r[0, 0]], "o", color=_OK, ms=5, label="start of the far approach")
    th = np.linspace(0, 2 * np.pi, 90)
    ax.plot(keep_out_radius_m * np.cos(th), keep_out_radius_m * np.sin(th), color=_FAIL, lw=1,
            label=f"keep-out sphere ({keep_out_radius_m:.0f} m)")
    for label, y in holds_m.items():
        ax.plot([y], [0.0], "s", ms=6, mec="black", label=label)
    ax.plot([0], [0], "*", color="#ff7f0e", ms=14, mec="black", label="OS")
    ax.set_xlabel("along-track, V-bar (m)")
    ax.set_ylabel("radial, R-bar (m)")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, loc="best")
    return fig


def return_curves(curves: dict):
    """Overlaid P(samples on Earth by date) of several runs.

    Parameters
    ----------
    curves : dict
        Label -> (sorted Earth landing epochs of the successful trials, TDB s; trials).
    """
    fig, ax = new_figure(9.0, 4.6)
    lo, hi = math.inf, -math.inf
    for t, _n in curves.values():
        if len(t):
            lo, hi = min(lo, float(mdate([t[0]])[0])), max(hi, float(mdate([t[-1]])[0]))
    pad = 60.0 if math.isfinite(lo) else 0.0
    for label, (t, n) in curves.items():
        t = np.sort(np.asarray(t, dtype=float))
        if not t.size:
            ax.plot([], [], label=f"{label} (no success)")
            continue
        x = mdate(t)
        xs = np.concatenate([[lo - pad], x, [hi + pad]])
        ps = np.concatenate([[0.0], np.arange(1, t.size + 1) / n, [t.size / n]])
        ax.step(xs, ps, where="post", label=label)
    ax.set_ylabel("P(samples on Earth by date)")
    ax.set_ylim(0, 1)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="upper left")
    date_axis(ax)
    return fig
