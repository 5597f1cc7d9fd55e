"""``msrsim run``: an architecture's launch windows, then every phase chained by its dates."""

from __future__ import annotations

import json
import os

import typer

from ._app import app, check_run_options, emit_json, make_console


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
    out: str = typer.Option("out", "--out", help="output folder (trials.parquet, results.json, figures)"),
    ephemeris: str = typer.Option(None, "--ephemeris", help="SPK file (.bsp) instead of DE421"),
    trials: int = typer.Option(2000, "--trials", help="campaign Monte Carlo trials (1..10000000)"),
    seed: int = typer.Option(1, "--seed", help="random seed (same seed, same trials however chunked)"),
    chunk_size: int = typer.Option(5000, "--chunk-size", help="trials per chunk"),
    sensitivity_trials: int = typer.Option(500, "--sensitivity-trials",
                                           help="trials per case of the sensitivity tornado (0: none)"),
    nominal: bool = typer.Option(False, "--nominal", help="only the nominal trial: every phase chained "
                                 "once by its dates, each with its own Monte Carlo (the campaign preview)"),
    windows_only: bool = typer.Option(False, "--windows-only", help="launch windows only, no phases"),
    as_json: bool = typer.Option(False, "--json", help="print results.json (or the summary) on stdout"),
    quiet: bool = typer.Option(False, "--quiet", help="no progress display"),
    workers: int = typer.Option(1, "--workers", help="local processes running chunks (1: this process; "
                                "0: one per core)"),
    scheduler: str = typer.Option(None, "--scheduler", help="address of a running Dask scheduler "
                                  "(tcp://host:8786) whose workers run the chunks"),
    resume: bool = typer.Option(False, "--resume", help="continue the interrupted run saved in OUT/chunks"),
) -> None:
    """Run an architecture: launch windows, then the campaign Monte Carlo.

    Every trial couples every phase (launch slips and opportunities, cruise, SRL entry,
    surface operations, MAV ascent, OS lifetime, rendezvous, return window, EES entry)
    with per-phase failure priors. Writes out/trials.parquet (one row per trial),
    out/results.json (P(success), return dates, failure causes, tubes, sensitivities),
    out/custody.sqlite (the custody of the first successful trial), one porkchop per leg
    and out/summary.json. ``--nominal`` runs the campaign preview instead.
    """
    from ..campaign.architecture import analyse_windows, load_architecture
    from ..windows.plot import plot_porkchop
    from .windows import transfer_json

    check_run_options(trials=trials, preset=preset, config=config, chunk_size=chunk_size,
                      sensitivity_trials=sensitivity_trials)
    backend = None
    if not (nominal or windows_only):  # reach the workers first: a wrong address fails in seconds
        from ..campaign.runner import open_backend

        backend = open_backend(workers, scheduler)
    arch = load_architecture(config or preset)
    if not windows_only:  # first run on this machine: compile the ascent on the other core
        from ..campaign._warmup import start_kernel_warmup

        start_kernel_warmup()
    results = analyse_windows(arch, ephemeris)
    _make_dir(out)
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
    if nominal and not windows_only:
        _run_nominal(arch, results, summary, out, min(trials, 100_000), seed, ephemeris, as_json)
        return
    campaign = None
    if not windows_only:
        campaign = _run_monte_carlo(arch, results, out, trials, seed, chunk_size, sensitivity_trials,
                                    ephemeris, quiet or as_json, backend, resume)
        summary["campaign_results"] = os.path.join(out, "results.json")
    _write(os.path.join(out, "summary.json"), json.dumps(summary, indent=2))
    _write(os.path.join(out, "summary.md"), _markdown(summary))
    if as_json:
        emit_json(campaign.summary if campaign is not None else summary)
        return
    console = make_console()
    _print_windows(console, arch, results, legs)
    if campaign is not None:
        from ._campaign_report import campaign_tables

        for table in campaign_tables(campaign.summary):
            console.print(table)
    console.print(f"trial table, results, ledger and figures: {out}/")


def _make_dir(out: str) -> None:
    from ..errors import ConfigError

    try:
        os.makedirs(out, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"--out={out!r} cannot be created: {exc.strerror or exc}") from None


def _write(path: str, text: str) -> None:
    from ..errors import ConfigError

    try:
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(text)
    except OSError as exc:
        raise ConfigError(f"cannot write {path!r}: {exc.strerror or exc}") from None


def _print_windows(console, arch, results, legs) -> None:
    from ..timescales import tdb_to_utc
    from .windows import transfer_table

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


def _run_monte_carlo(arch, windows, out, trials, seed, chunk_size, sensitivity_trials, ephemeris, quiet,
                     backend=None, resume=False):
    """The campaign Monte Carlo in saved chunks, with a progress display; writes the trial
    table, results, ledger and report. Ctrl-C keeps the finished chunks and exits 130."""
    import sys
    import time

    from ..campaign.montecarlo import record_custody
    from ..campaign.plan import build_plan
    from ..campaign.runner import REPORT_COLUMNS, RunInterrupted, open_backend, run_chunked
    from ..samples.custody import init_ledger

    backend = backend or open_backend()
    try:
        plan = build_plan(arch, seed=seed, windows=windows, ephemeris_path=ephemeris)
        kwargs = dict(chunk_size=chunk_size, backend=backend, resume=resume,
                      sensitivity_trials=sensitivity_trials, ephemeris_path=ephemeris,
                      keep_columns=REPORT_COLUMNS)
        if quiet:
            res = run_chunked(plan, trials, out, **kwargs)
        else:
            from rich.console import Console
            from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

            cols = (TextColumn("campaign trials"), BarColumn(),
                    TextColumn("{task.completed:,}/{task.total:,}"), TextColumn("{task.fields[rate]}"),
                    TimeRemainingColumn())
            with Progress(*cols, console=Console(stderr=True), transient=True) as bar:
                task = bar.add_task("trials", total=trials, rate="")
                start = {}

                def progress(done, total):
                    if not start:  # trials already saved by an interrupted run do not count in the rate
                        start.update(t=time.perf_counter(), done=done)
                        bar.update(task, completed=done)
                        return
                    dt = max(time.perf_counter() - start["t"], 1e-9)
                    bar.update(task, completed=done, rate=f"{(done - start['done']) / dt:,.0f} trials/s")

                res = run_chunked(plan, trials, out, progress=progress, **kwargs)
    except RunInterrupted as exc:
        sys.stderr.write(f"msrsim: {exc.message} (--out {out})\n")
        raise typer.Exit(130) from None
    finally:
        backend.close()
    try:
        ledger = os.path.join(out, "custody.sqlite")
        init_ledger(ledger, force=True)[0].close()
    except OSError as exc:
        from ..errors import ConfigError

        raise ConfigError(f"--out={out!r}: cannot write the results: {exc.strerror or exc}") from None
    res.summary["custody"] = record_custody(res, ledger)
    _write(os.path.join(out, "results.json"), json.dumps(res.summary, indent=2))
    from ..report import write_report

    write_report(res, out)  # report.html (opens offline) and nominal.json
    return res


def _run_nominal(arch, results, summary, out, trials, seed, ephemeris, as_json) -> None:
    """The campaign preview: every phase chained once (the nominal trial)."""
    from ..campaign import preview_campaign
    from ._campaign_report import phase_table, plot_timeline, timeline_table

    preview = preview_campaign(arch, trials=trials, seed=seed, windows=results, ephemeris_path=ephemeris)
    summary["campaign"] = preview.summary()
    summary["campaign"]["figure"] = str(plot_timeline(preview, os.path.join(out, "campaign_timeline.png")))
    _write(os.path.join(out, "summary.json"), json.dumps(summary, indent=2))
    _write(os.path.join(out, "summary.md"), _markdown(summary))
    if as_json:
        emit_json(summary)
        return
    console = make_console()
    _print_windows(console, arch, results, summary["legs"])
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
