"""``msrsim export``: files other tools read (CCSDS OEM ephemerides, GeoJSON/KML landings)."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime

import typer

from ..errors import ConfigError
from ._app import app, make_console

export_app = typer.Typer(help="Files other tools read: CCSDS OEM ephemerides and landing GeoJSON/KML.",
                         no_args_is_help=True)
app.add_typer(export_app, name="export")


def _prepare_out(out: str) -> None:
    """Create ``out`` and check it can be written, before any long computation."""
    try:
        os.makedirs(out, exist_ok=True)
        probe = os.path.join(out, ".msrsim-write-test")
        with open(probe, "w", encoding="utf-8") as fh:
            fh.write("")
        os.remove(probe)
    except OSError as exc:
        raise ConfigError(f"--out={out!r} cannot be written: {exc.strerror or exc}") from None


def _write_files(out: str, files: dict) -> list[str]:
    paths = []
    for name, text in files.items():
        path = os.path.join(out, name)
        try:
            with open(path, "w", encoding="utf-8") as fh:
                fh.write(text)
        except OSError as exc:
            raise ConfigError(f"cannot write {path!r}: {exc.strerror or exc}") from None
        paths.append(path)
    return paths


@export_app.command("oem")
def export_oem(
    preset: str = typer.Option(None, "--preset", help="architecture preset (default baseline_2022)"),
    config: str = typer.Option(None, "--config", help="architecture YAML file instead of a preset"),
    run_dir: str = typer.Option(None, "--run", help="a finished run directory: its architecture (from its "
                                "results.json) when it is a preset"),
    out: str = typer.Option("out/oem", "--out", help="output folder"),
    ephemeris: str = typer.Option(None, "--ephemeris", help="SPK file (.bsp) instead of DE421"),
) -> None:
    """CCSDS OEM files (502.0-B-3, KVN) of the nominal trial.

    srl_cruise.oem and ero_cruise.oem (Sun-centred, ICRF, TDB), mav_ascent.oem and
    os_orbit.oem (Mars-centred), ees_approach.oem (Earth-centred).
    """
    arch = _architecture(preset, config, run_dir)
    _prepare_out(out)
    from ..campaign.plan import build_plan
    from ..export.oem import oem_text
    from ..export.trajectories import nominal_segments

    plan = build_plan(arch, seed=1, ephemeris_path=ephemeris)
    created = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S")
    note = (f"msrsim export oem, architecture {arch.name}",)
    files = {f"{stem}.oem": oem_text(segs, created, comments=note)
             for stem, segs in nominal_segments(plan, ephemeris_path=ephemeris).items()}
    paths = _write_files(out, files)
    make_console().print("OEM files: " + ", ".join(paths))


@export_app.command("geo")
def export_geo(
    run_dir: str = typer.Option(..., "--run", help="a finished run directory (trials.parquet)"),
    preset: str = typer.Option(None, "--preset", help="its architecture preset (default: the run's own)"),
    config: str = typer.Option(None, "--config", help="its architecture YAML file"),
    out: str = typer.Option(None, "--out", help="output folder (default: the run directory)"),
) -> None:
    """Landing scatters and 99 % ellipses of a run as GeoJSON and KML.

    jezero_landings.* (Mars 2000 areocentric, stated in the files) and uttr_landings.*
    (WGS-84, with the range outline).
    """
    arch = _architecture(preset, config, run_dir)
    out = out or run_dir
    _prepare_out(out)
    import pyarrow.parquet as pq

    from ..entry import load_preset
    from ..export.geo import landing_files

    cols = ["landing_lat_deg", "landing_lon_deg", "earth_landing_lat_deg", "earth_landing_lon_deg"]
    try:
        t = pq.read_table(os.path.join(run_dir, "trials.parquet"), columns=cols)
    except (OSError, ValueError, KeyError) as exc:
        raise ConfigError(f"--run={run_dir!r}: cannot read its trials.parquet ({exc})") from None
    trials = {c: t.column(c).to_numpy(zero_copy_only=False) for c in cols}
    files = landing_files(trials, load_preset(arch.lander.entry_preset).target,
                          load_preset(arch.ees.entry_preset).target,
                          {"Perseverance landing site (Octavia E. Butler Landing)": (18.4447, 77.4508)})
    paths = _write_files(out, files)
    make_console().print("landing files: " + ", ".join(paths))


def _architecture(preset, config, run_dir):
    from ..campaign.architecture import load_architecture

    if preset and config:
        raise ConfigError("--preset and --config were both given; choose one")
    if preset or config:
        return load_architecture(config or preset)
    if run_dir:
        path = os.path.join(run_dir, "results.json")
        if not os.path.isfile(path):
            raise ConfigError(f"--run={run_dir!r} has no results.json; write one with: "
                              f"msrsim run --out {run_dir}")
        with open(path, encoding="utf-8") as fh:
            name = json.load(fh).get("architecture")
        try:
            return load_architecture(name)
        except ConfigError:
            raise ConfigError(f"--run={run_dir!r} ran architecture {name!r}, which is not a preset; give its "
                              "file with --config") from None
    return load_architecture(None)
