"""Low-thrust interplanetary transfers: minimum-propellant legs, solar-electric engines,
the low-thrust porkchop and the ERO's electric-propulsion cruise."""

from __future__ import annotations

from .params import SolarElectricParams
from .transfer import (
    MU_SUN,
    CaptureModel,
    LowThrustResult,
    min_fuel_transfer,
    solar_electric_transfer,
)

__all__ = [
    "MU_SUN",
    "CaptureModel",
    "LowThrustResult",
    "SolarElectricParams",
    "min_fuel_transfer",
    "solar_electric_transfer",
]
