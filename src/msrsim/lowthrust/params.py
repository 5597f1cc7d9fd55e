"""Solar-electric propulsion parameters (pydantic, validated, documented defaults).

Defaults are the ERO's (:class:`msrsim.marsorbit.params.EROParams`, whose fields carry
their FACTS.md sources); the fields EROParams lacks are marked ASSUMPTION below.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..constants import G0_M_S2
from ..errors import ConfigError


class SolarElectricParams(BaseModel):
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
        Engines able to fire together: 2, EROParams.ep_engine_count (assumption there).
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

    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True)

    array_power_1au_w: float = Field(46600.0, gt=0.0, le=1e7)
    power_exponent: float = Field(2.0, ge=1.0, le=3.0)
    degradation_per_year: float = Field(0.01, ge=0.0, lt=0.5)
    bus_power_w: float = Field(2000.0, ge=0.0, le=1e6)
    engine_count: int = Field(2, ge=1, le=20)
    power_per_engine_w: float = Field(5000.0, gt=0.0, le=1e6)
    thrust_per_engine_n: float = Field(0.200, gt=0.0, le=10.0)
    isp_s: float = Field(3000.0, gt=100.0, le=20000.0)
    duty_cycle: float = Field(0.9, gt=0.0, le=1.0)

    def __init__(self, **data):
        try:
            super().__init__(**data)
        except ValidationError as exc:
            err = exc.errors()[0]
            loc = ".".join(str(p) for p in err["loc"]) or "SolarElectricParams"
            if err["type"] == "extra_forbidden":
                raise ConfigError(f"SolarElectricParams.{loc}={err.get('input')!r} is not a known field; "
                                  f"allowed: {', '.join(type(self).model_fields)}") from None
            raise ConfigError(f"SolarElectricParams.{loc}={err.get('input')!r} is invalid: "
                              f"{err['msg']}") from None

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
