"""``msrsim presets`` and ``msrsim init``: the shipped architectures and an editable copy of one."""

from __future__ import annotations

import typer

from ._app import app, emit_json, make_console


@app.command("presets")
def presets(
    as_json: bool = typer.Option(False, "--json", help="print the list as JSON on stdout"),
) -> None:
    """List the architecture presets: name, title, source and Earth-return year.

    Use one with `msrsim run --preset NAME`, or copy it into an editable file with
    `msrsim init FILE --preset NAME`.
    """
    from rich.table import Table

    from ..campaign.catalogue import preset_catalogue

    rows = preset_catalogue()
    if as_json:
        emit_json({"presets": rows})
        return
    table = Table(title="Campaign architecture presets")
    for col in ("name", "title", "Earth return", "lander power", "helicopters", "source"):
        table.add_column(col, justify="right" if col in ("Earth return", "helicopters") else "left")
    for r in rows:
        year = "—" if r["earth_return_year"] is None else str(r["earth_return_year"])
        table.add_row(r["name"], r["title"], year, r["lander_power"], str(r["helicopters"]), r["source"])
    make_console().print(table)


@app.command("init")
def init(
    file: str = typer.Argument(..., help="YAML file to write"),
    preset: str = typer.Option("baseline_2022", "--preset", help="preset to start from (see msrsim presets)"),
    force: bool = typer.Option(False, "--force", help="overwrite FILE if it exists"),
) -> None:
    """Write a complete, commented, editable YAML of an architecture preset.

    Every section and field is written with its description, allowed values, default and
    the preset's sources; the file loads back to the same architecture. Run it with
    `msrsim run --config FILE`.
    """
    from ..campaign.yaml_out import architecture_yaml, write_new_file

    arch, text = architecture_yaml(preset)
    write_new_file(file, text, force=force)
    make_console().print(f"wrote {file}: {arch.title} (preset {preset}); "
                         f"run it with `msrsim run --config {file}`")
