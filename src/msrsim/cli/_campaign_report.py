"""Edge: tables, markdown and the timeline figure of a campaign preview."""

from __future__ import annotations

from rich.table import Table


def _fmt(v, nd=2, unit=""):
    if v is None:
        return "–"
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, int | float):
        return f"{v:,.{nd}f}{unit}"
    return str(v)


def phase_rows(c: dict) -> list[tuple[str, str, str]]:
    """(phase, quantity, value) rows of the campaign preview summary."""
    s, e, a, m, x, k = (c["srl_entry"], c["ees_entry"], c["ascent"], c["mars_orbit"], c["samples"],
                        c["srl_cruise"])
    return [
        ("SRL cruise", "Type, C3, arrival v∞",
         f"{k['type']}, {_fmt(k['c3_km2_s2'])} km²/s², {_fmt(k['vinf_arrival_km_s'])} km/s"),
        ("SRL entry (Jezero)", "entry speed, peak g, peak heat flux",
         f"{_fmt(s['entry_speed_km_s'], 3)} km/s, {_fmt(s['peak_g'], 1)} g, "
         f"{_fmt(s['peak_heat_flux_w_cm2'], 0)} W/cm²"),
        ("", "99 % landing ellipse, P(within reach)",
         f"{_fmt(s['ellipse99_major_km'], 1)} × {_fmt(s['ellipse99_minor_km'], 1)} km, "
         f"P(≤ {_fmt(s['radius_km'], 0)} km) = {_fmt(s['p_within_radius'], 3)}"),
        ("Samples", "tubes in the OS, value, est. mass",
         f"{x['n_selected']}/{x['capacity']}, {_fmt(x['value'])} units, {_fmt(x['est_mass_g'], 0)} g"),
        ("MAV ascent", "nominal orbit, Δv",
         f"{_fmt(a.get('periapsis_alt_km'), 0)} × {_fmt(a.get('apoapsis_alt_km'), 0)} km, "
         f"{_fmt(a.get('inclination_deg'), 2)}°, {_fmt(a.get('dv_total_m_s'), 0)} m/s"),
        ("", "reached target, P(periapsis ≥ min), P(OS lasts to capture)",
         f"{_fmt(a['reached_target'])}, P(≥ {_fmt(a['min_periapsis_alt_km'], 0)} km) = "
         f"{_fmt(a['p_orbit_ok'], 3)}, P(> {_fmt(a['os_wait_days'], 0)} d) = "
         f"{_fmt(a['p_os_survives_to_capture'], 3)}"),
        ("ERO Mars phase", "MOI, spiral, rendezvous, TEI Δv",
         f"{_fmt(m['moi_dv_m_s'], 0)}, {_fmt(m['spiral_dv_m_s'], 0)}, {_fmt(m['rendezvous_dv_m_s'], 0)}, "
         f"{_fmt(m['tei_dv_m_s'], 0)} m/s"),
        ("", "spiral, launch → capture, wait for window",
         f"{_fmt(m['spiral_days'], 0)} d, {_fmt(m['launch_to_capture_years'], 2)} y, "
         f"{_fmt(m['wait_for_window_days'], 0)} d"),
        ("EES entry (UTTR)", "entry speed, FPA, peak g, peak heat flux",
         f"{_fmt(e['entry_speed_km_s'], 3)} km/s, {_fmt(e['fpa_deg'], 1)}°, {_fmt(e['peak_g'], 0)} g, "
         f"{_fmt(e['peak_heat_flux_w_cm2'], 0)} W/cm²"),
        ("", "touchdown, entry → landing, 99 % ellipse, P(in UTTR)",
         f"{_fmt(e['impact_speed_m_s'], 1)} m/s, {_fmt(e['entry_to_landing_s'], 0)} s, "
         f"{_fmt(e['ellipse99_major_km'], 1)} × {_fmt(e['ellipse99_minor_km'], 1)} km, "
         f"{_fmt(e['p_inside_zone'], 3)}"),
    ]


def timeline_table(c: dict) -> Table:
    """Rich table of the campaign milestones (UTC)."""
    t = Table(title=f"{c['title']}: campaign timeline (UTC)")
    t.add_column("date (UTC)")
    t.add_column("milestone")
    for ev in c["events"]:
        t.add_row(ev["utc"].replace("T", " "), ev["event"])
    return t


def phase_table(c: dict) -> Table:
    """Rich table of each phase's headline figures."""
    t = Table(title=f"phases ({c['trials_per_phase']} Monte Carlo trials per dispersed phase, "
                    f"seed {c['seed']})")
    t.add_column("phase")
    t.add_column("quantity")
    t.add_column("value", justify="right")
    for row in phase_rows(c):
        t.add_row(*row)
    return t


def markdown(c: dict) -> list[str]:
    """Markdown lines of the campaign preview (timeline, then phase figures)."""
    lines = ["## Campaign preview", "",
             f"Every phase chained by its dates; {c['trials_per_phase']} Monte Carlo trials per "
             f"dispersed phase (seed {c['seed']}).", "", "| date (UTC) | milestone |", "|---|---|"]
    lines += [f"| {ev['utc'].replace('T', ' ')} | {ev['event']} |" for ev in c["events"]]
    lines += ["", "| phase | quantity | value |", "|---|---|---|"]
    lines += [f"| {p} | {q} | {v} |" for p, q, v in phase_rows(c)]
    if c.get("figure"):
        import os

        lines += ["", f"![timeline]({os.path.basename(c['figure'])})"]
    return lines + [""]


def plot_timeline(preview, path: str) -> str:
    """Gantt-style figure of the campaign: one bar per phase between its milestones."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.dates as mdates
    import matplotlib.pyplot as plt

    from ..timescales import tdb_to_jd_utc

    ev = dict(preview.events)

    def day(name):
        return mdates.num2date(tdb_to_jd_utc(ev[name]) - 2440587.5)  # JD -> matplotlib epoch

    bars = [
        ("ERO cruise", "ERO launch", "ERO Mars orbit insertion", "tab:blue"),
        ("ERO spiral down", "ERO Mars orbit insertion", "ERO spiral down complete", "tab:blue"),
        ("SRL cruise", "SRL launch", "SRL entry and landing at Jezero", "tab:orange"),
        ("surface operations", "SRL entry and landing at Jezero", "MAV launch (OS in orbit)", "tab:orange"),
        ("OS waits in orbit", "MAV launch (OS in orbit)", "rendezvous starts", "tab:green"),
        ("rendezvous and capture", "rendezvous starts", "OS captured and contained", "tab:green"),
        ("wait for return window", "OS captured and contained", "trans-Earth injection", "tab:gray"),
        ("return cruise", "trans-Earth injection", "EES entry and landing at UTTR", "tab:purple"),
    ]
    fig, ax = plt.subplots(figsize=(10, 4.2))
    for i, (label, a, b, colour) in enumerate(bars):
        start, end = day(a), day(b)
        width = max((end - start).total_seconds() / 86400.0, 3.0)
        ax.barh(i, width, left=mdates.date2num(start), color=colour, alpha=0.8)
        ax.text(mdates.date2num(start), i, f" {label}", va="center", ha="left", fontsize=8,
                color="black")
    ax.set_yticks([])
    ax.invert_yaxis()
    ax.xaxis_date()
    ax.xaxis.set_major_locator(mdates.YearLocator())
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
    ax.grid(axis="x", alpha=0.3)
    ax.set_title(f"{preview.architecture.title}: campaign timeline")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def campaign_tables(r: dict) -> list:
    """Rich tables of a campaign Monte Carlo's ``results.json``: headline, failure causes,
    sensitivities and the milestone timeline with percentile dates."""
    head = Table(title=f"{r['title']}: campaign Monte Carlo ({r['trials']:,} trials, seed {r['seed']})")
    head.add_column("quantity")
    head.add_column("value", justify="right")
    lo, hi = r["p_success_ci95"]
    head.add_row("P(samples on Earth)", f"{r['p_success']:.3f}  (95 % CI {lo:.3f}–{hi:.3f})")
    head.add_row("return date P10 / median / P90 (successful trials)",
                 " / ".join(r[k] or "–" for k in ("return_utc_p10", "median_return_utc", "return_utc_p90")))
    years = r.get("p_return_by_year", {})
    if years:
        head.add_row("P(samples on Earth by the end of year)",
                     ", ".join(f"{y}: {p:.3f}" for y, p in list(years.items())[:8]))
    head.add_row("tubes returned (mean over all trials; if success)",
                 f"{r['tubes_returned_mean']:.2f}; {_fmt(r.get('tubes_returned_mean_if_success'), 2)}")
    head.add_row("science value returned (mean, value units)", f"{r['value_returned_mean']:.2f}")
    for tid, name in r.get("biosignature_tubes", {}).items():
        head.add_row(f"P({name} ({tid}) reaches Earth)", f"{r['p_tube_returned'].get(tid, 0.0):.3f}")
    tabs = [head]
    causes = Table(title="why the other trials fail (first failure)")
    causes.add_column("cause")
    causes.add_column("probability", justify="right")
    for name, p in list(r["failure_causes"].items())[:8]:
        causes.add_row(name, f"{p:.3f}")
    tabs.append(causes)
    sens = r.get("sensitivity") or {}
    if sens.get("parameters"):
        st = Table(title=f"sensitivity ({sens['trials']:,} trials per case, common random numbers)")
        for c in ("parameter", "range", "P(success) low → high", "median return low → high"):
            st.add_column(c)
        for row in sens["parameters"][:6]:
            st.add_row(row["parameter"], row["basis"],
                       f"{row['p_success_low']:.3f} → {row['p_success_high']:.3f}",
                       f"{row['median_return_low_utc'] or '–'} → {row['median_return_high_utc'] or '–'}")
        tabs.append(st)
    tl = Table(title="milestones across trials (UTC)")
    for c in ("milestone", "P(reached)", "P10", "median", "P90"):
        tl.add_column(c)
    for m in r["milestones"]:
        tl.add_row(m["milestone"], f"{m['p_reached']:.3f}", m.get("p10_utc") or "–", m.get("p50_utc") or "–",
                   m.get("p90_utc") or "–")
    tabs.append(tl)
    return tabs
