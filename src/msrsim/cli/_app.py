"""The typer application shared by every command module, and the error-handling entry."""

from __future__ import annotations

import importlib
import json
import sys

import typer
from rich.console import Console

from ..errors import MsrsimError

app = typer.Typer(
    name="msrsim",
    help="Plan and evaluate a Mars sample return campaign end to end.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


def make_console():
    """A rich console for tables; at least 130 columns when writing to a file or a pipe
    (rich would otherwise wrap every table at 80 and abbreviate its cells)."""
    con = Console(highlight=False)
    if not con.is_terminal:
        con.width = max(con.width, 130)
    return con


def check_run_options(*, trials: int, preset=None, config=None, chunk_size=None,
                      sensitivity_trials=None) -> None:
    """The campaign commands' shared option checks (run, sweep, compare): one-line errors."""
    from ..errors import ConfigError

    if preset and config:
        raise ConfigError("--preset and --config were both given; choose one")
    if not 1 <= trials <= 10_000_000:
        raise ConfigError(f"--trials={trials} must be in 1..10000000")
    if chunk_size is not None and chunk_size < 1:
        raise ConfigError(f"--chunk-size={chunk_size} must be >= 1")
    if sensitivity_trials is not None and sensitivity_trials < 0:
        raise ConfigError(f"--sensitivity-trials={sensitivity_trials} must be >= 0")


def emit_json(obj) -> None:
    """Print ``obj`` as JSON on stdout (numpy scalars and arrays converted)."""
    import numpy as np

    def default(o):
        if isinstance(o, np.generic):
            return o.item()
        if isinstance(o, np.ndarray):
            return o.tolist()
        raise TypeError(f"not JSON serialisable: {type(o).__name__}")

    sys.stdout.write(json.dumps(obj, indent=2, default=default, allow_nan=False) + "\n")


def _click_usage_error_types() -> tuple:
    """ClickException classes of every click the installed typer may raise.

    typer ≥ 0.29 ships its own copy of click (``typer._click``); older typer raises the
    real ``click``'s exceptions. Both are caught so a usage error is always one line.
    """
    found = []
    for name in ("typer._click.exceptions", "click.exceptions"):
        try:
            found.append(importlib.import_module(name).ClickException)
        except (ImportError, AttributeError):
            continue
    return tuple(found)


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; an :class:`~msrsim.errors.MsrsimError`, a usage error or an operating-system
    error (an output path that cannot be written) exits 2 with one line.

    Parameters
    ----------
    argv : list of str, optional
        Arguments (default ``sys.argv[1:]``).
    """
    from . import commands  # noqa: F401  (registers the commands on ``app``)

    usage_errors = _click_usage_error_types()
    command = typer.main.get_command(app)
    try:
        rv = command.main(args=argv, prog_name="msrsim", standalone_mode=False)
    except typer.Exit as exc:
        return int(exc.exit_code or 0)
    except typer.Abort:
        sys.stderr.write("msrsim: interrupted\n")
        return 130
    except usage_errors as exc:
        if type(exc).__name__ == "NoArgsIsHelpError":  # help was asked for by giving nothing
            sys.stdout.write(exc.format_message() + "\n")
            return 0
        msg = exc.format_message().replace("\n", " ")
        sys.stderr.write(f"msrsim: error: {msg}\n")
        return 2
    except MsrsimError as exc:
        sys.stderr.write(f"msrsim: error: {exc}\n")
        return 2
    except OSError as exc:  # e.g. --out under a missing, read-only or full place: name the path
        where = exc.filename if exc.filename is not None else "(unnamed)"
        msg = f"cannot use path {str(where)!r}: {exc.strerror or exc}".replace("\n", " ")
        sys.stderr.write(f"msrsim: error: {msg}\n")
        return 2
    except KeyboardInterrupt:
        sys.stderr.write("msrsim: interrupted\n")
        return 130
    return int(rv) if isinstance(rv, int) else 0
