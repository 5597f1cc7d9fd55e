"""``msrsim windows``: porkchop and best transfers between two planets for date ranges."""

from __future__ import annotations

import os

import typer
from rich.table import Table

from ..errors import check_finite_positive
from ._app import app, emit_json, make_console


def transfer_json(t) -> dict:
    """The JSON object of one transfer (the keys the issue and README promise)."""
    from ..timescales import tdb_to_utc

    return {
        "type": t.type,
        "departure_utc": tdb_to_utc(t.departure_tdb_s, "minutes"),
        "arrival_utc": tdb_to_utc(t.arrival_tdb_s, "minutes"),
        "tof_days": round(t.tof_days, 3),
        "c3_km2_s2": round(t.c3_km2_s2, 4),
        "dla_deg": round(t.dla_deg, 3),
        "rla_deg": round(t.rla_deg, 3),
        "vinf_departure_km_s": round(t.vinf_departure_km_s, 4),
        "vinf_arrival_km_s": round(t.vinf_arrival_km_s, 4),
    }


def transfer_table(transfers, title: str, extra: dict | None = None):
    """A rich table of transfers; ``extra`` maps a column title to one value per transfer."""
    table = Table(title=title)
    for col in ("type", "departure (UTC)", "arrival (UTC)", "TOF d", "C3 km²/s²", "DLA °", "RLA °",
                "v∞ dep km/s", "v∞ arr km/s", *(extra or {})):
        table.add_column(col, justify="right")
    for k, t in enumerate(transfers):
        j = transfer_json(t)
        row = [j["type"], j["departure_utc"][:10], j["arrival_utc"][:10], f"{t.tof_days:.0f}",
               f"{t.c3_km2_s2:.3f}", f"{t.dla_deg:.1f}", f"{t.rla_deg:.1f}", f"{t.vinf_departure_km_s:.3f}",
               f"{t.vinf_arrival_km_s:.3f}"]
        row += [v[k] for v in (extra or {}).values()]
        table.add_row(*row)
    return table


@app.command("windows")
def windows(
    from_body: str = typer.Option("earth", "--from", help="departure planet (earth, mars, venus, ...)"),
    to_body: str = typer.Option("mars", "--to", help="arrival planet"),
    depart: str = typer.Option(..., "--depart", help="departure range YYYY-MM-DD:YYYY-MM-DD (UTC)"),
    arrive: str = typer.Option(..., "--arrive", help="arrival range YYYY-MM-DD:YYYY-MM-DD (UTC)"),
    step_days: float = typer.Option(1.0, "--step-days", help="grid spacing on both axes, days (> 0)"),
    objective: str = typer.Option("c3", "--objective", help="minimise c3, vinf_arrival or vinf_sum"),
    ephemeris: str = typer.Option(None, "--ephemeris", help="SPK file (.bsp) instead of DE421"),
    as_json: bool = typer.Option(False, "--json", help="print the best transfers as JSON on stdout"),
    out: str = typer.Option("out", "--out", help="folder for the porkchop figure"),
    plot: bool = typer.Option(True, "--plot/--no-plot", help="write the porkchop figure"),
) -> None:
    """Best Type I/II transfers between two planets and the porkchop figure.

    Prints a table (or JSON with --json) and writes out/porkchop_<from>_<to>.png.
    """
    from ..timescales import parse_date_range
    from ..windows import best_transfers, epoch_grid, porkchop
    from ..windows.porkchop import _bodies

    _bodies(from_body, to_body, ("--from", "--to"))
    step = check_finite_positive("--step-days", step_days, "days")
    d0, d1 = parse_date_range(depart, "--depart")
    a0, a1 = parse_date_range(arrive, "--arrive")
    grid = porkchop(from_body, to_body, epoch_grid(d0, d1, step), epoch_grid(a0, a1, step), ephemeris)
    transfers = best_transfers(grid, objective)
    path = None
    if plot:
        from ..windows.plot import plot_porkchop

        os.makedirs(out, exist_ok=True)
        path = os.path.join(out, f"porkchop_{grid.from_body}_{grid.to_body}.png")
        plot_porkchop(grid, transfers, path)
    if as_json:
        emit_json([transfer_json(t) for t in transfers])
        return
    console = make_console()
    n, m = grid.shape
    console.print(transfer_table(transfers, f"{grid.from_body} → {grid.to_body}: best transfers "
                                             f"({n}×{m} grid, refined)"))
    if path:
        console.print(f"porkchop: {path}")
