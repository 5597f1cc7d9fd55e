"""``msrsim compare``: several architectures (or finished runs) side by side."""

from __future__ import annotations

import json
import os

import typer

from ..errors import ConfigError
from ._app import app, check_run_options, emit_json, make_console


@app.command("compare")
def compare(
    runs: list[str] = typer.Argument(..., help="preset names, architecture YAML files or run directories "
                                     "(at least two)"),
    trials: int = typer.Option(2000, "--trials", help="trials per architecture run here (1..10000000)"),
    seed: int = typer.Option(1, "--seed", help="random seed of the architectures run here"),
    sensitivity_trials: int = typer.Option(0, "--sensitivity-trials",
                                           help="trials per tornado case of the runs made here (0: none)"),
    out: str = typer.Option("out/compare", "--out", help="output folder (compare.html, compare.json, one "
                            "folder per architecture run here)"),
    as_json: bool = typer.Option(False, "--json", help="print compare.json on stdout"),
) -> None:
    """Run each architecture (or read each finished run directory) and compare them.

    Writes OUT/compare.html (side-by-side table and overlaid P(samples on Earth by date)
    curves, opens offline) and OUT/compare.json; each architecture run here also leaves its
    trials.parquet, results.json and nominal.json in OUT/<name>/.
    """
    if len(runs) < 2:
        raise ConfigError(f"compare needs at least two runs (got {len(runs)}: {', '.join(map(repr, runs))}); "
                          "give two or more preset names, architecture files or run directories")
    check_run_options(trials=trials, sensitivity_trials=sensitivity_trials)
    from ..campaign.architecture import load_architecture

    # resolve every argument before running anything: a bad name fails at once
    plan_of = []
    for r in runs:
        if os.path.isdir(r):
            plan_of.append(("dir", r))
        else:
            plan_of.append(("arch", load_architecture(r)))
    from ..campaign.montecarlo import run_campaign, write_outputs
    from ..report.compare import load_run_dir, result_entry, write_compare

    entries = []
    console = make_console()
    for (kind, what), arg in zip(plan_of, runs, strict=True):
        if kind == "dir":
            entries.append(load_run_dir(what))
            continue
        if not as_json:
            console.print(f"running {what.name}: {trials:,} trials, seed {seed}")
        res = run_campaign(what, trials=trials, seed=seed, sensitivity_trials=sensitivity_trials)
        entry = result_entry(res, f"{arg} (run here)")
        where = os.path.join(out, what.name)
        try:
            write_outputs(res, where)
            with open(os.path.join(where, "nominal.json"), "w", encoding="utf-8") as fh:
                json.dump(entry["nominal"], fh, indent=2)
        except OSError as exc:
            raise ConfigError(
                f"--out={out!r}: cannot write the run of {what.name}: {exc.strerror or exc}") from None
        entries.append(entry)
    paths = write_compare(entries, out)
    if as_json:
        with open(paths["json"], encoding="utf-8") as fh:
            emit_json(json.load(fh))
        return
    console.print(f"comparison: {paths['html']} and {paths['json']}")
