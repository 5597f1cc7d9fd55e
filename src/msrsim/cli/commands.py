"""Importing this module registers every CLI command on the shared typer app.

One import per command module; each module owns its commands.
"""
# ruff: noqa: F401

from __future__ import annotations

from . import (
    ascent,
    compare,
    custody,
    entry,
    export,
    lowthrust,
    presets,
    rendezvous,
    run,
    samples,
    sweep,
    windows,
)
