"""Command-line interface: ``msrsim <command>``. Each command lives in its own module."""

from __future__ import annotations

import sys

from ._app import app, emit_json, main

__all__ = ["app", "emit_json", "main", "run_main"]


def run_main() -> None:
    """Console-script entry point."""
    sys.exit(main())
