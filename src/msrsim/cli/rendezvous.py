"""``msrsim rendezvous``: the ERO's Mars phase from orbit insertion to trans-Earth injection."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from ._app import app, emit_json, make_console


@app.command("rendezvous")
def rendezvous_command(
    preset: str = typer.Option(
        None, "--preset",
        help="Architecture preset (or architecture YAML) giving the dates; default baseline_2022."),
    config: Path = typer.Option(None, help="YAML file with sections os, ero, rendezvous, return."),
    json_out: bool = typer.Option(False, "--json", help="Print a JSON summary only."),
    out: Path = typer.Option(Path("out"), help="Folder for figures."),
    plots: bool = typer.Option(True, help="Write figures."),
):
    """Size and time MOI, the ion-engine spiral, rendezvous with the OS, TEI and Earth arrival.

    The architecture (--preset) fills the dates: the ERO's Earth->Mars leg and the
    Mars->Earth return window, as `msrsim run` computes them; the config (--config) the
    vehicle and orbit parameters.
    """
    from ..campaign.architecture import load_architecture
    from ..campaign.mission import plan_mars_orbit_phase
    from ..marsorbit.params import load_config
    from ..timescales import tdb_to_utc

    arch = load_architecture(preset)
    cfg = load_config(config)
    res = plan_mars_orbit_phase(cfg, architecture=arch)
    summary = {"architecture": arch.name}
    summary.update(res.summary)
    summary["dates_utc"] = {k: tdb_to_utc(v, "minutes") for k, v in res.epochs_tdb_s.items()}
    summary["rendezvous_phases"] = [
        {"phase": p[0], "dv_m_s": p[1], "duration_days": p[2], "by": p[3]} for p in res.rendezvous.phases]
    figs = _figures(res, out) if plots else []
    summary["figures"] = [str(f) for f in figs]
    if json_out:
        emit_json(summary)
        return 0
    _print_tables(res, figs, summary["dates_utc"], arch.title)
    return 0


def _print_tables(res, figs, dates, title) -> None:
    s = res.summary
    con = make_console()
    if not con.is_terminal:
        con.width = max(con.width, 130)
    d = {k: v[:10] for k, v in dates.items()}
    con.print(f"[bold]{title}[/bold]: ERO launch {d['earth_departure']}, Mars arrival {d['mars_arrival']} "
              f"(v∞ {s['arrival_vinf_ballistic_km_s']:.2f} km/s ballistic, {s['arrival_vinf_km_s']:.2f} "
              f"after {s['cruise_ep_dv_m_s']:.0f} m/s of ion-engine cruise)")
    t = Table(title="ERO Mars phase")
    for col in ("phase", "start (UTC)", "Δv m/s", "days", "notes"):
        t.add_column(col)
    t.add_row("Mars orbit insertion (OIM)", d["mars_arrival"], f"{s['moi_dv_m_s']:.0f}",
              f"{s['moi_burn_s'] / 86400:.3f}",
              f"impulsive {s['moi_dv_impulsive_m_s']:.0f}, gravity loss {s['moi_gravity_loss_m_s']:.0f}; "
              f"capture {s['capture_periapsis_alt_km']:.0f} x {s['capture_apoapsis_alt_km']:.0f} km, "
              f"i {s['capture_inclination_deg']:.1f}°")
    t.add_row("ion-engine spiral", d["moi_end"], f"{s['spiral_dv_m_s']:.0f}", f"{s['spiral_days']:.1f}",
              f"Edelbaum {s['spiral_edelbaum_dv_m_s']:.0f} m/s in {s['spiral_edelbaum_days']:.0f} d; "
              f"coasting {100 * s['spiral_coast_fraction']:.0f} %; xenon {s['spiral_xenon_kg']:.0f} kg")
    t.add_row("MAV lift-off, OS waits in orbit", d["mav_launch"], "",
              f"{s['os_wait_before_rendezvous_days']:.1f}",
              f"{s['mav_launch_timing']} launch; node difference at rendezvous {s['delta_raan_deg']:+.2f}° "
              f"({s['delta_raan_source']}; {s['delta_raan_per_km_os_alt_deg']:+.2f}° per km of OS altitude "
              "error)")
    t.add_row("rendezvous and capture", d["rendezvous_start"], f"{s['rendezvous_dv_m_s']:.1f}",
              f"{s['rendezvous_days']:.1f}", f"plane: {s['plane_strategy']}")
    for p in res.rendezvous.phases:
        t.add_row(f"  {p[0]}", "", f"{p[1]:.2f}", f"{p[2]:.2f}", p[3])
    t.add_row("wait for the return window", d["capture_complete"], "", f"{s['wait_for_window_days']:.0f}",
              s["return_leg"] if s["schedule_ok"] else "SCHEDULE NOT MET")
    t.add_row("trans-Earth injection", d["tei"], f"{s['tei_dv_m_s']:.0f}", "",
              f"ideal {s['tei_dv_ideal_m_s']:.0f}, plane penalty {s['tei_plane_penalty_m_s']:.1f}, "
              f"worst node {s['tei_dv_worst_node_m_s']:.0f}; v∞ {s['tei_vinf_km_s']:.2f} km/s")
    t.add_row("total (Mars phase)", "", f"{s['dv_total_m_s']:.0f}", f"{s['duration_days']:.0f}", "")
    con.print(t)
    e = Table(title="Earth arrival and OS")
    e.add_column("quantity")
    e.add_column("value")
    for k, v in (("return cruise", f"{s['return_cruise_days']:.0f} d, Type {s['return_type']}"),
                 ("EES release (UTC)", dates["ees_release"]),
                 ("Earth arrival (UTC)", dates["earth_arrival"]),
                 ("Earth v∞", f"{s['earth_vinf_km_s']:.2f} km/s"),
                 ("entry speed at 125 km", f"{s['earth_entry_speed_km_s']:.2f} km/s"),
                 ("entry flight-path angle", f"{s['earth_entry_fpa_deg']:.1f}°"),
                 ("B-plane |B|, B·T, B·R",
                  f"{s['b_plane_b_km']:.0f}, {s['b_plane_bt_km']:.0f}, {s['b_plane_br_km']:.0f} km"),
                 ("EES release", f"{s['ees_release_days']:.1f} d out, {s['ees_release_distance_km']:.0f} km"),
                 ("OS orbit lifetime", (">" if s["os_lifetime_capped"] else "")
                  + f"{s['os_lifetime_days'] / 365.25:.1f} years"),
                 ("OS node drift (J2)", f"{s['os_raan_rate_deg_day']:.2f}°/day")):
        e.add_row(k, v)
    con.print(e)
    for f in figs:
        con.print(f"wrote {f}")


def _figures(res, out: Path) -> list[Path]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    out.mkdir(parents=True, exist_ok=True)
    files = []
    # 1. relative approach in the Hill frame
    tr = res.rendezvous.trajectory_hill_m
    fig, ax = plt.subplots(figsize=(7, 4))
    ax.plot(tr[:, 1] / 1e3, tr[:, 0] / 1e3, "-", lw=1.2)
    ax.plot([0], [0], "ko", label="OS")
    ax.set_xlabel("along-track y (V-bar), km")
    ax.set_ylabel("radial x (R-bar), km")
    ax.set_title("ERO approach to the OS in the Hill frame (CW)")
    ax.grid(alpha=0.3)
    ax.legend()
    f = out / "rendezvous_hill_frame.png"
    fig.savefig(f, dpi=120, bbox_inches="tight")
    plt.close(fig)
    files.append(f)
    # 2. Mars-phase timeline: spiral history and phase bars
    h = res.spiral.history
    fig, (a1, a2) = plt.subplots(2, 1, figsize=(8, 6), sharex=False)
    a1.semilogy(h[:, 0], np.maximum(h[:, 2], 1.0), label="apoapsis")
    a1.semilogy(h[:, 0], np.maximum(h[:, 1], 1.0), label="periapsis")
    a1.set_ylabel("altitude, km")
    a1.set_xlabel("days since the end of MOI")
    a1.set_title("ERO ion-engine spiral")
    a1.grid(alpha=0.3, which="both")
    a1.legend()
    for k, (name, start, dur) in enumerate(res.timeline):
        a2.barh(k, max(dur, 1.0), left=start)
        a2.text(start + max(dur, 1.0) + 5, k, name, va="center", fontsize=8)
    a2.set_yticks([])
    a2.set_xlabel("days since Mars arrival")
    a2.set_title("ERO Mars-phase timeline")
    fig.tight_layout()
    f = out / "ero_mars_timeline.png"
    fig.savefig(f, dpi=120, bbox_inches="tight")
    plt.close(fig)
    files.append(f)
    # 3. plane-change trade
    tdat = res.rendezvous.trade
    fig, ax = plt.subplots(figsize=(6, 4))
    ok = np.isfinite(tdat["wait_days"])
    ax.plot(tdat["wait_days"][ok], tdat["dv_m_s"][ok], ".", label="wait out the node with J2 drift")
    ax.axhline(tdat["dv_pay_m_s"], color="C3", label="pay with the ion engines")
    ax.set_xscale("log")
    ax.set_xlabel("time, days")
    ax.set_ylabel("Δv, m/s")
    ax.set_title("Plane-change trade: time versus Δv")
    ax.grid(alpha=0.3, which="both")
    ax.legend()
    f = out / "plane_change_trade.png"
    fig.savefig(f, dpi=120, bbox_inches="tight")
    plt.close(fig)
    files.append(f)
    return files
