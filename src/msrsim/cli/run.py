"""``msrsim run``: an architecture's launch windows, then every phase chained by its dates."""

from __future__ import annotations

import json
import os

import typer

from ._app import app, emit_json, make_console


def _period_json(lp) -> dict | None:
    from ..timescales import tdb_to_utc

    if lp is None:
        return None
    return {"open_utc": tdb_to_utc(lp.open_tdb_s, "date"), "close_utc": tdb_to_utc(lp.close_tdb_s, "date"),
            "duration_days": round(lp.duration_days, 2), "c3_max_km2_s2": round(lp.c3_max_km2_s2, 4),
            "dla_range_deg": [round(float(lp.dla_deg.min()), 2), round(float(lp.dla_deg.max()), 2)]}


@app.command("run")
def run(
    preset: str = typer.Option(None, "--preset", help="architecture preset (default baseline_2022)"),
    config: str = typer.Option(None, "--config", help="architecture YAML file instead of a preset"),
    out: str = typer.Option("out", "--out", help="output folder for figures and the summary"),
    ephemeris: str = typer.Option(None, "--ephemeris", help="SPK file (.bsp) instead of DE421"),
    trials: int = typer.Option(2000, "--trials", min=0, max=1_000_000,
                               help="Monte Carlo trials per dispersed phase (0: nominals only)"),
    seed: int = typer.Option(1, "--seed", help="random seed"),
    windows_only: bool = typer.Option(False, "--windows-only", help="launch windows only, no phases"),
    as_json: bool = typer.Option(False, "--json", help="print the summary as JSON on stdout"),
) -> None:
    """Run an architecture: launch windows, then every phase chained by its dates.

    Launch windows (porkchops, best transfers, launch periods), then the campaign preview:
    lander entry at Jezero, OS return set, MAV ascent, ERO Mars phase (insertion, spiral,
    rendezvous, return), EES entry at Utah, each with its Monte Carlo. Writes
    out/windows_<n>_<vehicle>.png per leg, out/campaign_timeline.png, out/summary.md and
    out/summary.json.
    """
    from ..campaign.architecture import analyse_windows, load_architecture
    from ..errors import ConfigError
    from ..timescales import tdb_to_utc
    from ..windows.plot import plot_porkchop
    from .windows import transfer_json, transfer_table

    if preset and config:
        raise ConfigError("--preset and --config were both given; choose one")
    arch = load_architecture(config or preset)
    results = analyse_windows(arch, ephemeris)
    os.makedirs(out, exist_ok=True)
    legs = []
    for k, r in enumerate(results):
        is_return = r.return_window is not None
        name = f"windows_{k + 1}_{r.vehicle.replace(' ', '_')}_{r.grid.from_body}_{r.grid.to_body}.png"
        path = os.path.join(out, name)
        title = f"{arch.title}: {r.vehicle} {r.grid.from_body} → {r.grid.to_body}"
        plot_porkchop(r.grid, r.transfers, path, title, launch_period=r.launch_period)
        entry = {"vehicle": r.vehicle, "from": r.grid.from_body, "to": r.grid.to_body,
                 "depart_range_utc": r.leg.depart_range_utc, "arrive_range_utc": r.leg.arrive_range_utc,
                 "figure": path, "best_transfers": [transfer_json(t) for t in r.transfers]}
        if is_return:
            rw = r.return_window
            for j, v in zip(entry["best_transfers"], rw.transfer_entry_speed_km_s, strict=True):
                j["entry_speed_km_s"] = round(v, 4)
            entry["entry_alt_km"] = rw.entry_alt_km
        else:
            entry["launch_period"] = _period_json(r.launch_period)
            if r.problem:
                entry["launch_period_problem"] = r.problem
        if r.leg.note:
            entry["note"] = r.leg.note.strip()
        legs.append(entry)
    summary = {"architecture": arch.name, "title": arch.title, "source": arch.source,
               "earth_return_year": arch.earth_return_year, "ephemeris": ephemeris or "DE421", "legs": legs}
    preview = None
    if not windows_only:
        from ..campaign import preview_campaign
        from ._campaign_report import plot_timeline

        preview = preview_campaign(arch, trials=trials, seed=seed, windows=results,
                                   ephemeris_path=ephemeris)
        summary["campaign"] = preview.summary()
        timeline_png = os.path.join(out, "campaign_timeline.png")
        summary["campaign"]["figure"] = str(plot_timeline(preview, timeline_png))
    with open(os.path.join(out, "summary.json"), "w", encoding="utf-8") as fh:
        json.dump(summary, fh, indent=2)
    with open(os.path.join(out, "summary.md"), "w", encoding="utf-8") as fh:
        fh.write(_markdown(summary))
    if as_json:
        emit_json(summary)
        return
    console = make_console()
    console.print(f"[bold]{arch.title}[/bold] — {arch.source}")
    for r, e in zip(results, legs, strict=True):
        extra = None
        if r.return_window is not None:
            extra = {"entry km/s": [f"{v:.2f}" for v in r.return_window.transfer_entry_speed_km_s]}
        console.print(transfer_table(r.transfers, f"{r.vehicle}: {e['from']} → {e['to']}", extra))
        lp = r.launch_period
        if lp is not None:
            opened, closed = tdb_to_utc(lp.open_tdb_s, "date"), tdb_to_utc(lp.close_tdb_s, "date")
            console.print(f"  launch period {opened} – {closed} ({lp.duration_days:.0f} d) "
                          f"needs C3 ≤ {lp.c3_max_km2_s2:.2f} km²/s²")
        elif r.problem:
            console.print(f"  launch period: {r.problem}")
    if preview is not None:
        from ._campaign_report import phase_table, timeline_table

        console.print(timeline_table(summary["campaign"]))
        console.print(phase_table(summary["campaign"]))
    console.print(f"figures and summary: {out}/")


def _markdown(s: dict) -> str:
    lines = [f"# {s['title']}", "", f"Source: {s['source']}. Ephemeris: {s['ephemeris']}.", ""]
    for leg in s["legs"]:
        lines += [f"## {leg['vehicle']}: {leg['from']} → {leg['to']}", "",
                  f"Search: departure {leg['depart_range_utc']}, arrival {leg['arrive_range_utc']}.", ""]
        entry = "entry_speed_km_s" in (leg["best_transfers"] or [{}])[0]
        head = ("| type | departure | arrival | TOF d | C3 km²/s² | DLA ° | RLA ° "
                "| v∞ dep km/s | v∞ arr km/s |")
        lines += [head + (" entry km/s |" if entry else ""), "|---" * (9 + entry) + "|"]
        for t in leg["best_transfers"]:
            row = (f"| {t['type']} | {t['departure_utc'][:10]} | {t['arrival_utc'][:10]} "
                   f"| {t['tof_days']:.0f} | {t['c3_km2_s2']:.3f} | {t['dla_deg']:.1f} "
                   f"| {t['rla_deg']:.1f} | "
                   f"{t['vinf_departure_km_s']:.3f} | {t['vinf_arrival_km_s']:.3f} |")
            lines.append(row + (f" {t['entry_speed_km_s']:.2f} |" if entry else ""))
        lp = leg.get("launch_period")
        if lp:
            lines += ["", f"Launch period {lp['open_utc']} – {lp['close_utc']} "
                          f"({lp['duration_days']:.0f} days): C3 ≤ {lp['c3_max_km2_s2']:.2f} km²/s², "
                          f"DLA {lp['dla_range_deg'][0]}° to "
                          f"{lp['dla_range_deg'][1]}°."]
        if leg.get("launch_period_problem"):
            lines += ["", f"Launch period: {leg['launch_period_problem']}"]
        if leg.get("note"):
            lines += ["", f"Note: {leg['note']}"]
        lines += ["", f"![porkchop]({os.path.basename(leg['figure'])})", ""]
    if "campaign" in s:
        from ._campaign_report import markdown

        lines += markdown(s["campaign"])
    return "\n".join(lines)
