"""``msrsim custody init|verify|log|status``: the hash-chained chain-of-custody ledger."""

from __future__ import annotations

import sys
from pathlib import Path

import typer
from rich.table import Table

from ._app import app, emit_json, make_console

custody_app = typer.Typer(help="Tamper-evident chain of custody of every tube (SQLite, hash-chained).",
                          no_args_is_help=True)
app.add_typer(custody_app, name="custody")

_DB_HELP = "ledger file (default $MSRSIM_CUSTODY_DB or out/custody.sqlite)"


def _console():
    return make_console()


@custody_app.command("init")
def init(
    db: Path = typer.Option(None, "--db", help=_DB_HELP),
    force: bool = typer.Option(False, "--force", help="replace an existing ledger"),
    empty: bool = typer.Option(False, "--empty", help="do not seed the real history"),
    as_json: bool = typer.Option(False, "--json", help="print JSON on stdout"),
) -> None:
    """Create a ledger seeded with the real history (sealed, deposited at Three Forks...)."""
    from ..samples.custody import init_ledger

    led, notes = init_ledger(db, force=force, seed=not empty)
    with led:
        rep = led.verify()
        rec = {"db": str(led.path), "n_events": rep.n_events, "head_hash": rep.head_hash, "notes": notes}
    if as_json:
        emit_json(rec)
        return
    con = _console()
    con.print(f"created {rec['db']} with {rec['n_events']} events; head hash {rec['head_hash']}")
    for n in notes:
        con.print(f"note: {n}")


@custody_app.command("verify")
def verify(
    db: Path = typer.Option(None, "--db", help=_DB_HELP),
    expect_head: str = typer.Option(None, "--expect-head", help="head hash recorded earlier"),
    as_json: bool = typer.Option(False, "--json", help="print JSON on stdout"),
) -> None:
    """Recompute the hash chain; exit 0 when intact, 1 with the first broken link otherwise."""
    from ..samples.custody import Ledger

    with Ledger(db) as led:
        rep = led.verify(expect_head=expect_head)
    if as_json:
        emit_json({"db": str(led.path), **rep.to_dict()})
    elif rep.ok:
        _console().print(f"ok: {rep.n_events} events, chain intact; head hash {rep.head_hash}")
    else:
        sys.stderr.write(f"msrsim: custody ledger BROKEN at event {rep.first_broken_seq}: {rep.problem}\n")
    if not rep.ok:
        raise typer.Exit(1)


@custody_app.command("log")
def log(
    db: Path = typer.Option(None, "--db", help=_DB_HELP),
    tube: str = typer.Option(None, "--tube", help="only this tube (id, number or name)"),
    run: str = typer.Option(None, "--run", help="only this simulated run ('' for real history)"),
    limit: int = typer.Option(None, "--limit", min=1, help="only the last N events"),
    as_json: bool = typer.Option(False, "--json", help="print JSON on stdout"),
) -> None:
    """Print custody events in ledger order."""
    from ..samples.catalogue import load_catalogue
    from ..samples.custody import Ledger

    tube_id = load_catalogue().find(tube).tube_id if tube is not None else None
    with Ledger(db) as led:
        evs = led.events(tube_id=tube_id, run=run, limit=limit)
    if as_json:
        emit_json({"count": len(evs), "events": evs})
        return
    tab = Table(title=f"custody events ({len(evs)})")
    for col in ("seq", "UTC", "tube", "event", "location", "actor", "run", "hash"):
        tab.add_column(col)
    for e in evs:
        tab.add_row(str(e["seq"]), e["utc"], e["tube_id"], e["kind"], e["location"], e["actor"],
                    e["run"] or ("actual" if e["origin"] == "actual" else ""), e["hash"][:12])
    _console().print(tab)


@custody_app.command("status")
def status(
    db: Path = typer.Option(None, "--db", help=_DB_HELP),
    run: str = typer.Option("", "--run", help="simulated run to overlay on the real history"),
    as_json: bool = typer.Option(False, "--json", help="print JSON on stdout"),
) -> None:
    """Where every tube is now: its latest custody event."""
    from ..samples.custody import Ledger

    with Ledger(db) as led:
        state = led.custody_state(run=run)
    rows = [{"tube_id": k, "kind": e["kind"], "utc": e["utc"], "location": e["location"], "actor": e["actor"],
             "seq": e["seq"]} for k, e in sorted(state.items())]
    if as_json:
        emit_json({"count": len(rows), "tubes": rows})
        return
    tab = Table(title=f"custody status ({len(rows)} tubes)")
    for col in ("tube", "last event", "UTC", "location", "actor", "seq"):
        tab.add_column(col)
    for r in rows:
        tab.add_row(r["tube_id"], r["kind"], r["utc"], r["location"], r["actor"], str(r["seq"]))
    _console().print(tab)
