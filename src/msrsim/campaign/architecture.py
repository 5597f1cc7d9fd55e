"""Campaign architecture: which spacecraft fly which legs in which windows.

A small validated model (pydantic, units in field names, unknown keys rejected) and a
loader for the YAML presets shipped in ``msrsim/campaign/presets/`` or any YAML file. Dates are
UTC calendar dates (this is an edge: a file a person writes); the analysis converts
them to TDB seconds.
"""

from __future__ import annotations

import os
from importlib import resources
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from ..config import read_yaml, validation_error_line
from ..errors import ConfigError
from .model import (
    EESSpec,
    EROSpec,
    LanderSpec,
    MAVSpec,
    MonteCarloSpec,
    OSSpec,
    RiskModel,
    ScheduleModel,
    SurfaceSpec,
)

DEFAULT_PRESET = "baseline_2022"


def _check_range(value: str, field: str) -> str:
    from ..timescales import parse_date_range

    parse_date_range(value, field)
    return value


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class OutboundLeg(_Strict):
    """An Earth->Mars leg flown by one spacecraft.

    The launch period is sized either by a C3 limit (``c3_max_km2_s2``, the launch
    vehicle's capability) or, when none is given, as the C3 needed for a launch period of
    ``launch_period_days``.
    """

    vehicle: str = Field(min_length=1, description="Spacecraft, e.g. ERO or SRL")
    from_body: Literal["earth", "mars"] = "earth"
    to_body: Literal["earth", "mars"] = "mars"
    depart_range_utc: str = Field(description="Departure search range YYYY-MM-DD:YYYY-MM-DD (UTC)")
    arrive_range_utc: str = Field(description="Arrival search range YYYY-MM-DD:YYYY-MM-DD (UTC)")
    step_days: float = Field(1.0, gt=0.0, le=30.0)
    c3_max_km2_s2: float | None = Field(None, gt=0.0, le=200.0)
    launch_period_days: float = Field(20.0, gt=0.0, le=120.0)
    dla_min_deg: float = Field(-90.0, ge=-90.0, le=90.0)
    dla_max_deg: float = Field(90.0, ge=-90.0, le=90.0)
    vinf_arrival_max_km_s: float | None = Field(None, gt=0.0, le=30.0)
    arrival_utc: str | None = Field(None, description="Fixed arrival date shared by the launch period")
    note: str = ""

    @field_validator("depart_range_utc", "arrive_range_utc")
    @classmethod
    def _ranges(cls, v: str, info) -> str:
        return _check_range(v, info.field_name)

    @field_validator("arrival_utc")
    @classmethod
    def _arrival(cls, v: str | None) -> str | None:
        if v is not None:
            from ..timescales import utc_to_tdb

            utc_to_tdb(v, "arrival_utc")
        return v

    @model_validator(mode="after")
    def _consistent(self) -> OutboundLeg:
        if self.from_body == self.to_body:
            raise ValueError(f"to_body={self.to_body!r} equals from_body; expected two different bodies")
        if not self.dla_min_deg < self.dla_max_deg:
            raise ValueError(f"dla_min_deg={self.dla_min_deg} must be below dla_max_deg={self.dla_max_deg}")
        return self


class ReturnLeg(_Strict):
    """The Mars->Earth leg that brings the samples home."""

    vehicle: str = Field("ERO", min_length=1)
    depart_range_utc: str = Field(description="Mars departure search range YYYY-MM-DD:YYYY-MM-DD (UTC)")
    arrive_range_utc: str = Field(description="Earth arrival search range YYYY-MM-DD:YYYY-MM-DD (UTC)")
    step_days: float = Field(2.0, gt=0.0, le=30.0)
    vinf_departure_max_km_s: float | None = Field(None, gt=0.0, le=20.0)
    entry_speed_max_km_s: float | None = Field(None, gt=0.0, le=20.0)
    entry_alt_km: float = Field(125.0, ge=0.0, le=500.0)
    note: str = ""

    @field_validator("depart_range_utc", "arrive_range_utc")
    @classmethod
    def _ranges(cls, v: str, info) -> str:
        return _check_range(v, info.field_name)


class Architecture(_Strict):
    """A sample-return campaign architecture (a scenario preset or a user's file)."""

    name: str = Field(min_length=1, pattern=r"^[A-Za-z0-9_\-]+$")
    title: str = Field(min_length=1)
    source: str = Field(min_length=1, description="Where the dates come from")
    description: str = ""
    earth_return_year: int | None = Field(None, ge=2020, le=2060)
    earth_to_mars: list[OutboundLeg] = Field(min_length=1)
    mars_to_earth: ReturnLeg
    lander: LanderSpec = Field(default_factory=LanderSpec)
    surface: SurfaceSpec = Field(default_factory=SurfaceSpec)
    mav: MAVSpec = Field(default_factory=MAVSpec)
    orbiting_sample: OSSpec = Field(default_factory=OSSpec)
    ero: EROSpec = Field(default_factory=EROSpec)
    ees: EESSpec = Field(default_factory=EESSpec)
    risk: RiskModel = Field(default_factory=RiskModel)
    schedule: ScheduleModel = Field(default_factory=ScheduleModel)
    monte_carlo: MonteCarloSpec = Field(default_factory=MonteCarloSpec)

    @model_validator(mode="after")
    def _return_year(self) -> Architecture:
        if self.earth_return_year is not None:
            from ..timescales import parse_date_range, tdb_to_utc

            t0, t1 = parse_date_range(self.mars_to_earth.arrive_range_utc, "arrive_range_utc")
            start, end = int(tdb_to_utc(t0, "date")[:4]), int(tdb_to_utc(t1, "date")[:4])
            if not start <= self.earth_return_year <= end:
                raise ValueError(
                    f"earth_return_year={self.earth_return_year} lies outside mars_to_earth.arrive_range_utc "
                    f"{self.mars_to_earth.arrive_range_utc!r}"
                )
        return self


def list_presets() -> list[str]:
    """Names of the presets shipped with msrsim."""
    folder = resources.files("msrsim.campaign") / "presets"
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".yaml"))


def architecture_from_dict(data: dict, where: str = "architecture") -> Architecture:
    """Validate a mapping as an :class:`Architecture`; errors become one-line ConfigErrors.

    Parameters
    ----------
    data : dict
        Parsed YAML/JSON.
    where : str
        Name of the source, for messages.
    """
    if not isinstance(data, dict):
        raise ConfigError(f"{where}: expected a mapping of architecture fields, got {type(data).__name__}")
    try:
        return Architecture.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(validation_error_line(exc, where, Architecture)) from None
    except ConfigError as exc:  # a date parser inside a validator
        raise ConfigError(f"{where}: {exc}") from None


def load_architecture(name_or_path: str | None = None) -> Architecture:
    """Load a preset by name (``msrsim/campaign/presets/<name>.yaml``) or a YAML file by path.

    Parameters
    ----------
    name_or_path : str or Path, optional
        Preset name (see :func:`list_presets`) or path of a YAML file; default
        ``"baseline_2022"`` (the July 2022 NASA-ESA baseline).

    Raises
    ------
    ConfigError
        Unknown preset, unreadable file, malformed YAML or an invalid field.
    """
    name = str(name_or_path or DEFAULT_PRESET)
    if os.path.sep in name or name.endswith((".yaml", ".yml")) or os.path.isfile(name):
        if not os.path.isfile(name):
            raise ConfigError(f"config={name!r} does not exist; give a YAML file path or a preset name")
        return architecture_from_dict(read_yaml(name), name)
    presets = list_presets()
    if name not in presets:
        raise ConfigError(f"preset={name!r} is unknown; allowed: {', '.join(presets)}")
    where = f"preset {name}"
    text = (resources.files("msrsim.campaign") / "presets" / f"{name}.yaml").read_text(encoding="utf-8")
    return architecture_from_dict(read_yaml(text=text, where=where), where)


class LegResult(BaseModel):
    """Launch-window analysis of one leg (arrays inside are numpy; not for serialisation)."""

    model_config = ConfigDict(arbitrary_types_allowed=True, frozen=True)

    vehicle: str
    leg: OutboundLeg | ReturnLeg
    grid: object
    transfers: list
    launch_period: object | None = None
    return_window: object | None = None
    problem: str = ""


def analyse_windows(arch: Architecture, ephemeris_path: str | None = None) -> list[LegResult]:
    """Porkchop, best Type I/II transfers and launch period of every leg of an architecture.

    Outbound legs get a launch period: under ``c3_max_km2_s2`` if the leg sets one, else
    the C3 needed for ``launch_period_days``. The return leg gets a
    :class:`~msrsim.windows.ReturnWindow` (Mars departure v_inf, Earth entry speed).

    Parameters
    ----------
    arch : Architecture
        The architecture.
    ephemeris_path : str, optional
        SPK kernel instead of DE421.

    Returns
    -------
    list of LegResult
        Outbound legs in order, then the return leg.
    """
    from ..errors import MsrsimError
    from ..timescales import parse_date_range, utc_to_tdb
    from ..windows import (
        best_transfers,
        c3_for_launch_period,
        epoch_grid,
        find_launch_period,
        porkchop,
        return_window,
    )

    out = []
    for k, leg in enumerate(arch.earth_to_mars):
        d0, d1 = parse_date_range(leg.depart_range_utc, f"earth_to_mars.{k}.depart_range_utc")
        a0, a1 = parse_date_range(leg.arrive_range_utc, f"earth_to_mars.{k}.arrive_range_utc")
        grid = porkchop(leg.from_body, leg.to_body, epoch_grid(d0, d1, leg.step_days),
                        epoch_grid(a0, a1, leg.step_days), ephemeris_path)
        transfers = best_transfers(grid)
        constraints = {"dla_min_deg": leg.dla_min_deg, "dla_max_deg": leg.dla_max_deg,
                       "vinf_arrival_max_km_s": leg.vinf_arrival_max_km_s,
                       "arrival_tdb_s": utc_to_tdb(leg.arrival_utc) if leg.arrival_utc else None}
        period, problem = None, ""
        try:
            if leg.c3_max_km2_s2 is not None:
                period = find_launch_period(grid, leg.c3_max_km2_s2, **constraints)
            else:
                period = c3_for_launch_period(grid, leg.launch_period_days, **constraints)
        except MsrsimError as exc:
            problem = str(exc)
        out.append(LegResult(vehicle=leg.vehicle, leg=leg, grid=grid, transfers=transfers,
                             launch_period=period, problem=problem))
    ret = arch.mars_to_earth
    d0, d1 = parse_date_range(ret.depart_range_utc, "mars_to_earth.depart_range_utc")
    a0, a1 = parse_date_range(ret.arrive_range_utc, "mars_to_earth.arrive_range_utc")
    rw = return_window(epoch_grid(d0, d1, ret.step_days), epoch_grid(a0, a1, ret.step_days),
                       vinf_departure_max_km_s=ret.vinf_departure_max_km_s,
                       entry_speed_max_km_s=ret.entry_speed_max_km_s, entry_alt_km=ret.entry_alt_km,
                       ephemeris_path=ephemeris_path)
    out.append(LegResult(vehicle=ret.vehicle, leg=ret, grid=rw.grid, transfers=list(rw.transfers),
                         return_window=rw))
    return out
