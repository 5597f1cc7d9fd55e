"""``msrsim lowthrust``: a minimum-propellant solar-electric transfer between two planets."""

from __future__ import annotations

import os
from pathlib import Path

import typer

from ._app import app, emit_json, make_console


@app.command("lowthrust")
def lowthrust_command(
    from_body: str = typer.Option("earth", "--from", help="departure planet"),
    to_body: str = typer.Option("mars", "--to", help="arrival planet"),
    depart: str = typer.Option(..., "--depart", help="departure date (UTC, ISO 8601)"),
    arrive: str = typer.Option(..., "--arrive", help="arrival date (UTC, ISO 8601)"),
    config: Path = typer.Option(
        None, "--config", help="YAML: m0_kg, c3_max_km2_s2, vinf_arrive_max_km_s, n_segments, sep {...}"),
    ephemeris: str = typer.Option(None, "--ephemeris", help="SPK file (.bsp) instead of DE421"),
    as_json: bool = typer.Option(False, "--json", help="print the summary as JSON on stdout"),
    out: str = typer.Option("out", "--out", help="folder for the figure"),
    plot: bool = typer.Option(True, "--plot/--no-plot", help="write the figure"),
) -> None:
    """Minimum-propellant low-thrust transfer (solar-electric engines, launch v∞ from C3).

    Prints final mass, propellant, Δv, time of flight and convergence (or JSON with --json)
    and writes out/lowthrust_<from>_<to>.png (trajectory, thrust and throttle, power).
    An infeasible time of flight is reported with its closest miss (exit 0, feasible false).
    """
    from ..ephemeris import planet_state
    from ..errors import ConfigError
    from ..lowthrust.legs import body_transfer
    from ..lowthrust.params import load_lowthrust_config
    from ..timescales import tdb_to_utc, utc_to_tdb

    cfg = load_lowthrust_config(config)
    td = float(utc_to_tdb(depart, "--depart"))
    ta = float(utc_to_tdb(arrive, "--arrive"))
    if ta <= td:
        raise ConfigError(f"--arrive={arrive!r} must be after --depart={depart!r}")
    res = body_transfer(from_body, to_body, td, ta, m0_kg=cfg.m0_kg, sep=cfg.sep,
                        c3_max_km2_s2=cfg.c3_max_km2_s2, vinf_arrive_max_km_s=cfg.vinf_arrive_max_km_s,
                        n_segments=cfg.n_segments, ephemeris_path=ephemeris)
    summary = {"from": from_body.lower(), "to": to_body.lower(),
               "departure_utc": tdb_to_utc(td, "minutes"), "arrival_utc": tdb_to_utc(ta, "minutes")}
    summary.update(res.summary())
    path = None
    if plot:
        from ..lowthrust.figures import plot_transfer

        os.makedirs(out, exist_ok=True)
        path = os.path.join(out, f"lowthrust_{from_body.lower()}_{to_body.lower()}.png")
        tt = td + res.t_s
        bodies = {from_body.lower(): planet_state(from_body, tt, ephemeris)[0],
                  to_body.lower(): planet_state(to_body, tt, ephemeris)[0]}
        plot_transfer(res, path, f"{from_body} -> {to_body}, {summary['departure_utc'][:10]} -> "
                      f"{summary['arrival_utc'][:10]}", bodies)
        summary["figure"] = path
    if as_json:
        emit_json(summary)
        return
    from rich.table import Table

    t = Table(title=f"low-thrust {from_body} → {to_body}")
    t.add_column("quantity")
    t.add_column("value", justify="right")
    for k in ("departure_utc", "arrival_utc", "tof_days", "converged", "feasible", "initial_mass_kg",
              "final_mass_kg", "propellant_kg", "dv_m_s", "c3_km2_s2", "vinf_arrival_km_s",
              "thrusting_fraction", "miss_position_km", "miss_velocity_m_s", "message"):
        t.add_row(k, str(summary[k]))
    con = make_console()
    con.print(t)
    if path:
        con.print(f"figure: {path}")
