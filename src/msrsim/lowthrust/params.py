"""Solar-electric propulsion parameters (pydantic, validated, documented defaults).

Defaults are the ERO's (:class:`msrsim.marsorbit.params.EROParams`, whose fields carry
their FACTS.md sources); the fields EROParams lacks are marked ASSUMPTION below.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import ConfigDict, Field

from ..config import ConfigModel, read_yaml, validate_model
from ..constants import G0_M_S2
from ..errors import ConfigError

_CFG = ConfigDict(extra="forbid", frozen=True, validate_default=True)


class SolarElectricParams(ConfigModel):
    """Solar arrays and electric thrusters.

    Available power at distance ``d`` (AU) from the Sun, ``t`` years after departure::

        P(d, t) = array_power_1au_w (1 - degradation_per_year)^t / d^power_exponent - bus_power_w

    The engines take ``min(P, engine_count power_per_engine_w)`` (rounded near the ceiling,
    see :mod:`msrsim.kernels.lowthrust_leg`), convert it to thrust at the fixed
    ``isp_s`` with the efficiency of the rated point (``thrust_per_engine_n`` at
    ``power_per_engine_w``), and fire a fraction ``duty_cycle`` of the time (applied as an
    average thrust factor).

    Attributes
    ----------
    array_power_1au_w : float
        Array output at 1 AU, W: 46.6 kW, EROParams.solar_array_power_1au_w (derived there
        from the 144 m^2 arrays, FACTS.md §3).
    power_exponent : float
        ``k`` of the 1/d^k law: 2 (the inverse square of sunlight; real cells do a little
        better far from the Sun as they run cooler, not modelled).
    degradation_per_year : float
        Fraction of array power lost per year. ASSUMPTION 0.01 (radiation and UV
        darkening of space cells in interplanetary cruise is of order 1 %/year; not
        published for the ERO).
    bus_power_w : float
        Power kept for the spacecraft bus, W: 2 kW, EROParams.bus_power_w (assumption there).
    engine_count : int
        Engines able to fire together: 2 (a generic default; the ERO's own count,
        4, is EROParams.ep_engine_count, an assumption there).
    power_per_engine_w : float
        Power ceiling per engine, W: 5 kW ("> 5 kW class" RIT-2X, FACTS.md §8).
    thrust_per_engine_n : float
        Thrust of one engine at ``power_per_engine_w``, N: 0.200 (FACTS.md §8, flagged
        unverified there).
    isp_s : float
        Specific impulse, s: 3000 (FACTS.md §8, "> 3000 s", unverified).
    duty_cycle : float
        Fraction of the time the engines fire. ASSUMPTION 0.9: the margin customarily
        kept in preliminary electric-propulsion design for navigation, momentum management
        and safe modes.
    """

    model_config = _CFG

    array_power_1au_w: float = Field(46600.0, gt=0.0, le=1e7)
    power_exponent: float = Field(2.0, ge=1.0, le=3.0)
    degradation_per_year: float = Field(0.01, ge=0.0, lt=0.5)
    bus_power_w: float = Field(2000.0, ge=0.0, le=1e6)
    engine_count: int = Field(2, ge=1, le=20)
    power_per_engine_w: float = Field(5000.0, gt=0.0, le=1e6)
    thrust_per_engine_n: float = Field(0.200, gt=0.0, le=10.0)
    isp_s: float = Field(3000.0, gt=100.0, le=20000.0)
    duty_cycle: float = Field(0.9, gt=0.0, le=1.0)

    @classmethod
    def from_ero(cls, ero, **overrides) -> SolarElectricParams:
        """The engine and array fields of an :class:`~msrsim.marsorbit.params.EROParams`."""
        data = dict(array_power_1au_w=ero.solar_array_power_1au_w, bus_power_w=ero.bus_power_w,
                    engine_count=ero.ep_engine_count, power_per_engine_w=ero.ep_power_per_engine_w,
                    thrust_per_engine_n=ero.ep_thrust_per_engine_n, isp_s=ero.ep_isp_s)
        data.update(overrides)
        return cls(**data)

    @property
    def power_cap_w(self) -> float:
        """Most power the engines can take, W."""
        return self.engine_count * self.power_per_engine_w

    @property
    def thrust_cap_n(self) -> float:
        """Thrust of all engines at their power ceiling (before the duty cycle), N."""
        return self.engine_count * self.thrust_per_engine_n

    @property
    def efficiency(self) -> float:
        """Jet power over electric power at the rated point, ``T g0 Isp / (2 P)``."""
        return self.thrust_per_engine_n * G0_M_S2 * self.isp_s / (2.0 * self.power_per_engine_w)

    def model_post_init(self, _ctx) -> None:
        if self.efficiency > 1.0:
            raise ConfigError(
                f"SolarElectricParams.thrust_per_engine_n={self.thrust_per_engine_n!r} at isp_s="
                f"{self.isp_s!r} needs more than power_per_engine_w={self.power_per_engine_w!r}; "
                "allowed: thrust * g0 * isp / (2 power) <= 1")


class LowThrustConfig(ConfigModel):
    """A low-thrust leg's spacecraft and launch (the ``msrsim lowthrust --config`` file).

    Attributes
    ----------
    m0_kg : float
        Mass after launch, kg: 6500, the ERO (EROParams.launch_mass_kg, FACTS.md §3).
    c3_max_km2_s2 : float
        Launch energy the launcher gives, km^2/s^2 (ASSUMPTION 10, see
        :data:`msrsim.lowthrust.ero.ERO_LAUNCH_C3_MAX_KM2_S2`).
    vinf_arrive_max_km_s : float
        Largest arrival v∞, km/s (0: rendezvous with the planet).
    n_segments : int
        Constant-thrust segments of the leg.
    sep : SolarElectricParams
        Engines and arrays.
    """

    model_config = _CFG

    m0_kg: float = Field(6500.0, gt=0.0, le=1e6)
    c3_max_km2_s2: float = Field(10.0, ge=0.0, le=200.0)
    vinf_arrive_max_km_s: float = Field(0.0, ge=0.0, le=20.0)
    n_segments: int = Field(30, ge=4, le=200)
    sep: SolarElectricParams = Field(default_factory=SolarElectricParams)


def load_lowthrust_config(path: str | Path | None = None) -> LowThrustConfig:
    """Read a :class:`LowThrustConfig` from YAML (None: the defaults)."""
    if path is None:
        return LowThrustConfig()
    return validate_model(LowThrustConfig, read_yaml(path), str(path))
