"""``msrsim samples list|show|select``: the Perseverance tubes and the OS return set."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.table import Table

from ._app import app, emit_json, make_console

samples_app = typer.Typer(help="Perseverance sample tubes: catalogue, and choosing the OS return set.",
                          no_args_is_help=True)
app.add_typer(samples_app, name="samples")


def _console():
    return make_console()


@samples_app.command("list")
def list_tubes(
    type_: str = typer.Option(None, "--type", help="igneous, sedimentary, regolith, atmospheric, witness"),
    location: str = typer.Option(None, "--location", help="rover or depot"),
    unit: str = typer.Option(None, "--unit", help="substring of the geologic unit or region"),
    include_empty: bool = typer.Option(False, "--include-empty", help="also list the unused tubes"),
    as_json: bool = typer.Option(False, "--json", help="print JSON on stdout"),
) -> None:
    """List the tubes (filled ones by default) with type, unit, sols and location."""
    from ..samples.catalogue import load_catalogue

    full = load_catalogue()
    cat = full.filter(category=type_, location=location, unit=unit,
                      status=None if include_empty else "filled")
    if as_json:
        emit_json({"count": len(cat), "inventory": full.counts(), "tubes": [t.to_dict() for t in cat]})
        return
    tab = Table(title=f"Perseverance tubes ({len(cat)} shown; inventory 43 = 38 sample + 5 witness)")
    for col in ("id", "no.", "name", "type", "geologic unit", "sealed sol", "sealed (UTC)", "where", "flags"):
        tab.add_column(col)
    for t in cat:
        flags = list(t.flags) + (["biosignature?"] if t.potential_biosignature else [])
        tab.add_row(t.tube_id, t.nasa_sample_no, t.name, t.category, t.geologic_unit or "-",
                    "" if t.sealed_sol is None else str(t.sealed_sol), t.sealed_date_utc, t.location,
                    ", ".join(flags))
    _console().print(tab)


@samples_app.command("show")
def show(
    name: str = typer.Argument(..., help="tube id (S25), NASA sample number (25) or name"),
    as_json: bool = typer.Option(False, "--json", help="print JSON on stdout"),
) -> None:
    """Everything known about one tube, with its provenance and Mars season when sealed."""
    from ..samples.describe import describe_tube

    rec = describe_tube(name)
    if as_json:
        emit_json(rec)
        return
    tab = Table(title=f"{rec['tube_id']} {rec['name']}", show_header=False)
    tab.add_column("field", style="bold")
    tab.add_column("value")
    for k, v in rec.items():
        tab.add_row(k, "" if v is None else ", ".join(v) if isinstance(v, list) else str(v))
    _console().print(tab)


@samples_app.command("select")
def select(
    capacity: int = typer.Option(None, "--capacity", help="OS capacity in tubes (default 30, FACTS.md §3)"),
    config: Path = typer.Option(None, "--config", help="YAML with 'weights:' and 'rules:' sections"),
    require: list[str] = typer.Option(None, "--require", help="tube that must be loaded (repeatable)"),
    exclude: list[str] = typer.Option(None, "--exclude", help="tube that must not be loaded (repeatable)"),
    min_witness: int = typer.Option(None, "--min-witness", help="minimum witness tubes (default 2)"),
    max_depot: int = typer.Option(None, "--max-depot", help="maximum depot tubes (default no limit)"),
    out: Path = typer.Option(Path("out"), "--out", help="folder for the value-versus-count figure and data"),
    no_figure: bool = typer.Option(False, "--no-figure", help="do not write the figure and curve data"),
    as_json: bool = typer.Option(False, "--json", help="print JSON on stdout"),
) -> None:
    """Choose which tubes fill the OS (exact MILP), explain each decision, plot value vs count."""
    from ..samples.select import plot_value_curve, select_return_set
    from ..samples.value import SelectionConfig, load_selection_config, override_rules

    cfg = load_selection_config(config) if config is not None else SelectionConfig()
    cfg = override_rules(cfg, capacity=capacity, min_witness=min_witness, max_depot=max_depot,
                         require=require or (), exclude=exclude or ())
    sel = select_return_set(cfg)
    rec = sel.to_dict()
    files = []
    if not no_figure:
        out.mkdir(parents=True, exist_ok=True)
        fig = out / "samples_value_curve.png"
        dat = out / "samples_value_curve.json"
        plot_value_curve(sel, fig)
        dat.write_text(json.dumps(sel.curve, indent=1) + "\n")
        files = [str(fig), str(dat)]
    rec["files"] = files
    if as_json:
        emit_json(rec)
        return
    con = _console()
    tab = Table(title=f"OS return set: {rec['n_selected']} of {rec['capacity']} slots, "
                      f"value {rec['value']:.2f} v.u., "
                      f"~{rec['est_mass_g']:.0f} g")
    for col in ("id", "name", "type", "where", "in", "a_i", "why"):
        tab.add_column(col)
    for t in rec["tubes"]:
        if t["reason"] == "out: empty tube":
            continue
        tab.add_row(t["tube_id"], t["name"], t["category"], t["location"], "yes" if t["selected"] else "-",
                    f"{t['individual_value']:.2f}", t["reason"])
    con.print(tab)
    con.print(f"by type: {rec['by_category']}; by location: {rec['by_location']}")
    for f in files:
        con.print(f"wrote {f}")
