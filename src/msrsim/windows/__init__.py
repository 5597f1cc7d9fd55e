"""Launch and return windows: porkchops, best transfers, launch periods, return windows.

Everything here works in TDB seconds past J2000 and km, km/s; calendar dates belong to the
CLI and reports.
"""

from __future__ import annotations

from .periods import (
    LaunchPeriod,
    ReturnWindow,
    c3_for_launch_period,
    entry_speed_km_s,
    find_launch_period,
    return_window,
)
from .porkchop import MIN_TOF_S, PorkchopGrid, Transfer, best_transfers, epoch_grid, porkchop, transfer_at

__all__ = [
    "MIN_TOF_S",
    "LaunchPeriod",
    "PorkchopGrid",
    "ReturnWindow",
    "Transfer",
    "best_transfers",
    "c3_for_launch_period",
    "entry_speed_km_s",
    "epoch_grid",
    "find_launch_period",
    "porkchop",
    "return_window",
    "transfer_at",
]
