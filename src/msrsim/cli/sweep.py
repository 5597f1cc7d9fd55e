"""``msrsim sweep``: the campaign Monte Carlo over a grid of architecture variants."""

from __future__ import annotations

import os
import sys

import typer

from ._app import app, check_run_options, emit_json, make_console


@app.command("sweep")
def sweep(
    vary: list[str] = typer.Option(..., "--vary", help="PATH=V1,V2,... or PATH=LO:HI:N (repeatable), e.g. "
                                   "surface.helicopters=0,1,2 or risk.edl.p=0.05:0.25:5"),
    preset: str = typer.Option(None, "--preset", help="base architecture preset (default baseline_2022)"),
    config: str = typer.Option(None, "--config", help="base architecture YAML file instead of a preset"),
    trials: int = typer.Option(2000, "--trials", help="trials per variant (1..10000000)"),
    seed: int = typer.Option(1, "--seed", help="seed shared by every variant (common random numbers)"),
    chunk_size: int = typer.Option(5000, "--chunk-size", help="trials per chunk"),
    workers: int = typer.Option(1, "--workers", help="local processes (1: this process; 0: one per core)"),
    scheduler: str = typer.Option(None, "--scheduler", help="address of a running Dask scheduler"),
    resume: bool = typer.Option(False, "--resume", help="continue the sweep saved in OUT"),
    out: str = typer.Option("sweep", "--out", help="output folder (sweep.parquet, sweep.png, variants/)"),
    ephemeris: str = typer.Option(None, "--ephemeris", help="SPK file (.bsp) instead of DE421"),
    as_json: bool = typer.Option(False, "--json", help="print sweep.json on stdout"),
    quiet: bool = typer.Option(False, "--quiet", help="no progress display"),
) -> None:
    """Run the campaign Monte Carlo for every combination of the --vary values.

    Writes OUT/sweep.parquet (one row per variant: the varied values, P(success) with its
    95 % interval, return-date percentiles, tubes and value returned), OUT/sweep.json,
    OUT/sweep.png (P(success) and median return against each field; heat maps for two) and
    OUT/variants/vNNN/ (each variant's trials.parquet and results.json). Every variant uses
    the same seed (common random numbers). --resume continues variant by variant.
    """
    from ..campaign.architecture import load_architecture
    from ..campaign.runner import RunInterrupted, open_backend
    from ..campaign.sweep import COMMON_RANDOM_NUMBERS, parse_vary, run_sweep, sweep_variants

    check_run_options(trials=trials, preset=preset, config=config, chunk_size=chunk_size)
    varies = [parse_vary(v) for v in vary]
    base = load_architecture(config or preset)
    n = len(sweep_variants(base, varies))  # every bad path or value fails here, before any work
    backend = open_backend(workers, scheduler)
    try:
        if quiet or as_json:
            res = run_sweep(base, varies, trials, out, backend=backend, seed=seed, chunk_size=chunk_size,
                            resume=resume, ephemeris_path=ephemeris)
        else:
            from rich.console import Console
            from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

            cols = (TextColumn(f"sweep of {n} variants"), BarColumn(),
                    TextColumn("{task.completed:,}/{task.total:,} trials"), TimeRemainingColumn())
            with Progress(*cols, console=Console(stderr=True), transient=True) as bar:
                task = bar.add_task("trials", total=n * trials)
                res = run_sweep(base, varies, trials, out, backend=backend, seed=seed, chunk_size=chunk_size,
                                resume=resume, ephemeris_path=ephemeris,
                                progress=lambda done, total: bar.update(task, completed=done, total=total))
    except RunInterrupted as exc:
        sys.stderr.write(f"msrsim: {exc.message} (--out {out})\n")
        raise typer.Exit(130) from None
    finally:
        backend.close()
    if as_json:
        import json

        with open(res.json_path, encoding="utf-8") as fh:
            emit_json(json.load(fh))
        return
    from rich.table import Table

    table = Table(title=f"{base.title}: {n} variants × {trials:,} trials")
    for v in varies:
        table.add_column(v.path)
    for name in ("P(success)", "95 % interval", "median return", "tubes", "main failure"):
        table.add_column(name)
    for r in res.rows:
        table.add_row(*[str(r[v.path]) for v in varies], f"{r['p_success']:.3f}",
                      f"{r['p_success_ci95_low']:.3f}–{r['p_success_ci95_high']:.3f}",
                      r["median_return_utc"] or "–", f"{r['tubes_returned_mean']:.1f}",
                      r["top_failure_cause"] or "–")
    console = make_console()
    console.print(table)
    console.print(COMMON_RANDOM_NUMBERS)
    console.print(f"sweep table, figure and variants: {os.path.join(out, '')}")
