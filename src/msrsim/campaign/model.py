"""What a campaign trial needs beyond the legs: vehicles, surface plan, risk and schedule.

Each section is a strict pydantic model (unknown keys rejected, units in field names) and
every default names its source (a FACTS.md row) or says ASSUMPTION. The sections hang off
:class:`msrsim.campaign.architecture.Architecture`, so one YAML file (or preset) holds a
whole campaign.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RiskPrior(_Strict):
    """Probability that one event fails: Beta(alpha, beta) per trial, or a fixed value.

    Each trial draws its failure probability from the Beta distribution (epistemic
    uncertainty: what the historical record allows) and then whether the event fails with
    that probability (aleatory). With ``p`` set, every trial uses ``p`` (no Beta spread).
    Built from a record of ``f`` failures in ``f + s`` attempts, ``alpha = f + 1``,
    ``beta = s + 1`` (uniform prior updated by the record).
    """

    alpha: float = Field(1.0, gt=0.0, le=1e6, description="Beta shape of P(failure)")
    beta: float = Field(1.0, gt=0.0, le=1e6, description="Beta shape of P(success)")
    p: float | None = Field(None, ge=0.0, le=1.0, description="Fixed P(failure) instead of the Beta")
    source: str = ""

    @classmethod
    def from_record(cls, successes: int, attempts: int, source: str) -> RiskPrior:
        """Beta(f + 1, s + 1) from ``successes`` of ``attempts``."""
        return cls(alpha=attempts - successes + 1.0, beta=successes + 1.0, source=source)

    @property
    def mean(self) -> float:
        """Mean failure probability."""
        return float(self.p) if self.p is not None else self.alpha / (self.alpha + self.beta)


def _prior(successes: int, attempts: int, source: str):
    return Field(default_factory=lambda: RiskPrior.from_record(successes, attempts, source))


class RiskModel(_Strict):
    """Failure priors per phase (FACTS.md §9), applied where the trial reaches each event.

    ``launch`` applies to each Earth launch, ``cruise`` to each interplanetary cruise
    (outbound legs and the return), ``mav_motor`` to each of the MAV's two solid motors.
    ``enabled: false`` switches every prior off (physics and schedule still act).
    """

    enabled: bool = True
    launch: RiskPrior = _prior(20, 22, "Mars missions since 1996, Earth departure 20/22 (FACTS.md §9)")
    cruise: RiskPrior = _prior(18, 19, "Mars missions since 1996, cruise 18/19 (FACTS.md §9)")
    orbit_insertion: RiskPrior = _prior(9, 10, "Mars orbit insertion 9/10 (FACTS.md §9)")
    edl: RiskPrior = _prior(7, 8, "NASA Mars EDL 7/8 (FACTS.md §9; all agencies 8/11)")
    mav_motor: RiskPrior = Field(
        default_factory=lambda: RiskPrior(
            alpha=1.5,
            beta=198.5,
            source="ASSUMPTION: mean 0.0075 per motor, inside the suggested "
            "0.99-0.995 reliability per solid motor (FACTS.md §9; no published STAR record)",
        )
    )
    rendezvous: RiskPrior = _prior(
        6,
        7,
        "autonomous rendezvous and capture: ETS-VII, Orbital Express, "
        "MEV-1, MEV-2, Chang'e-5, Chang'e-6 succeeded, DART failed (FACTS.md §9)",
    )
    earth_entry: RiskPrior = _prior(6, 7, "Earth sample-return capsules, samples intact 6/7 (FACTS.md §9)")

    @classmethod
    def names(cls) -> list[str]:
        """The prior fields, in order."""
        return [k for k in cls.model_fields if k != "enabled"]


class SlipModel(_Strict):
    """Development slip of one flight element: lognormal days, against a schedule reserve.

    The element is ready to launch at ``planned launch - reserve_days + slip``; it launches
    on its planned transfer if ready by then, on the first later day of the launch period
    otherwise, and at the next opportunity of its leg (about 26 months later) if it misses
    the period.
    """

    median_days: float = Field(
        221.0,
        ge=0.0,
        le=3650.0,
        description=(
            "median slip, days; default: mean 365 d (GAO: NASA major projects slip 11-13 months on "
            "average, FACTS.md §9) with sigma 1 -> median 365/exp(0.5)"
        ),
    )
    sigma: float = Field(1.0, ge=0.0, le=3.0, description="lognormal sigma (ASSUMPTION 1.0)")
    reserve_days: float = Field(
        90.0, ge=0.0, le=3650.0, description="funded schedule reserve before the launch, days (ASSUMPTION)"
    )


class ScheduleModel(_Strict):
    """Slips of the flight elements and how many later opportunities a trial may use."""

    ero: SlipModel = Field(default_factory=SlipModel)
    lander: SlipModel = Field(default_factory=SlipModel)
    max_later_opportunities: int = Field(
        2,
        ge=0,
        le=4,
        description=(
            "later launch opportunities of a leg a slipped element may use before the trial counts "
            "as cancelled (ASSUMPTION)"
        ),
    )
    synodic_period_days: float = Field(
        779.94, gt=700.0, lt=860.0, description="Earth-Mars synodic period (FACTS.md §5)"
    )


class LanderSpec(_Strict):
    """The Sample Retrieval Lander: entry case, power, and what it must survive."""

    entry_preset: str = Field("srl-jezero", description="entry case (msrsim entry presets)")
    power: Literal["solar", "rtg"] = Field(
        "solar",
        description=("solar arrays (2022 SRL) or radioisotope power (Jan 2025 options), FACTS.md §10"),
    )
    survival_power_fraction: float = Field(
        0.25,
        gt=0.0,
        lt=1.0,
        description=(
            "array output, as a fraction of clean output at 1.524 AU, below which the lander "
            "cannot keep its heaters and batteries alive (ASSUMPTION)"
        ),
    )
    dust_loss_per_sol: float = Field(
        0.002,
        ge=0.0,
        le=0.05,
        description=(
            "fractional array output lost to dust per sol: 0.2 %/sol typical, 0.05-2 % (Lorenz et al. "
            "2021, FACTS.md §9)"
        ),
    )


class SurfaceSpec(_Strict):
    """Surface operations: the rover courier, the Sample Transfer Arm, helicopters, storms."""

    rover_drive_m_per_driving_sol: float = Field(
        48.0,
        gt=0.0,
        le=1000.0,
        description=(
            "distance per driving sol, m; with rover_availability 0.5 the mean is 24 m/sol, "
            "Perseverance's ~23-25 m/sol average (FACTS.md §8); split ASSUMPTION"
        ),
    )
    rover_availability: float = Field(
        0.5, gt=0.0, le=1.0, description="fraction of sols the rover drives (ASSUMPTION)"
    )
    rover_standoff_km: float = Field(
        1.0,
        ge=0.0,
        le=50.0,
        description=(
            "where the rover waits from the landing target during EDL, km (ASSUMPTION: landing keep-out)"
        ),
    )
    rover_loss_per_sol: float = Field(
        1e-4,
        ge=0.0,
        le=0.1,
        description=("probability per sol that the ageing rover stops for good (ASSUMPTION)"),
    )
    handoff_tubes_per_sol: float = Field(
        1.0,
        gt=0.0,
        le=43.0,
        description=("tubes the Sample Transfer Arm moves into the OS per operating sol (ASSUMPTION)"),
    )
    helicopters: int = Field(
        2, ge=0, le=8, description="Sample Recovery Helicopters (2022 plan: 2, FACTS.md §8)"
    )
    helicopter_range_m: float = Field(700.0, gt=0.0, le=10000.0, description="per flight (FACTS.md §8)")
    helicopter_tubes_per_flight: int = Field(
        1, ge=1, le=4, description="two-finger gripper: one tube (FACTS.md §8)"
    )
    helicopter_flight_success: float = Field(
        0.986,
        gt=0.0,
        le=1.0,
        description=(
            "per flight: Ingenuity flew 72 flights, the 72nd ended with rotor damage (71/72; NASA 2024)"
        ),
    )
    helicopter_sols_per_flight: float = Field(
        3.0, ge=1.0, le=30.0, description="sols between flights of one helicopter (ASSUMPTION)"
    )
    depot_offset_km: float = Field(
        0.0,
        ge=0.0,
        le=50.0,
        description=(
            "Three Forks depot distance from the landing target, km: the depot was proposed as the SRL "
            "landing site (FACTS.md §4); default 0"
        ),
    )
    mav_checkout_sols: float = Field(
        30.0, ge=0.0, le=500.0, description="sols from the last tube loaded to MAV lift-off (ASSUMPTION)"
    )
    max_surface_sols: float = Field(
        700.0,
        gt=0.0,
        le=3000.0,
        description=(
            "the MAV launches with what is loaded by this many sols after landing (ASSUMPTION: motors must "
            "survive ~1 year on Mars, FACTS.md §8)"
        ),
    )
    global_storm_per_mars_year: float = Field(
        1.0 / 3.0,
        ge=0.0,
        le=1.0,
        description=("global dust storms ~1 in 3 Mars years, in the dust season Ls 180-360 (FACTS.md §9)"),
    )
    storm_onset_ls_deg: tuple[float, float] = Field(
        (180.0, 300.0),
        description=(
            "range of storm onset solar longitude, deg (ASSUMPTION inside the dust season, FACTS.md §9)"
        ),
    )
    storm_peak_transmission: float = Field(
        0.05,
        ge=0.0,
        le=1.0,
        description=("sunlight at the storm peak: ~5 % at Opportunity in 2018 (FACTS.md §10)"),
    )
    storm_peak_sols: float = Field(21.0, ge=0.0, le=300.0, description="~3-week peak (FACTS.md §10)")
    storm_decay_sols: float = Field(90.0, ge=1.0, le=500.0, description="decay over ~3 months (FACTS.md §10)")

    @model_validator(mode="after")
    def _storm_range(self) -> SurfaceSpec:
        lo, hi = self.storm_onset_ls_deg
        if not 0.0 <= lo <= hi <= 360.0:
            raise ValueError(
                f"storm_onset_ls_deg={self.storm_onset_ls_deg!r} must be an increasing pair in 0..360"
            )
        return self


class MAVSpec(_Strict):
    """The Mars Ascent Vehicle (ascent model presets) and how long the OS may wait in orbit."""

    preset: Literal["mav_sim", "harris"] = Field(
        "mav_sim", description=("vehicle: TU Delft MAV_sim (default) or Harris's open MAV code (FACTS.md §8)")
    )
    max_os_wait_days: float = Field(
        365.0,
        gt=0.0,
        le=3650.0,
        description=(
            "the MAV waits on the surface until the ERO will start rendezvous within this many days "
            "(ASSUMPTION)"
        ),
    )


class OSSpec(_Strict):
    """The Orbiting Sample container's capacity."""

    capacity: int = Field(30, ge=1, le=43, description="tubes: up to 30 (FACTS.md §2, §3)")


class EROSpec(_Strict):
    """The Earth Return Orbiter's propulsion and limits at Mars."""

    propulsion: Literal["electric", "chemical"] = Field(
        "electric",
        description=(
            "electric: chemical orbit insertion, then an ion-engine spiral down to the working orbit "
            "(2020-2023 ERO design, FACTS.md §3); chemical: the insertion and a few trims reach the "
            "working orbit (e.g. Tianwen-3's orbiter)"
        ),
    )
    cruise: Literal["auto", "ballistic", "electric"] = Field(
        "auto",
        description=(
            "outbound cruise: electric flies the solved solar-electric cruise of msrsim.lowthrust (once "
            "per launch opportunity, cached on disk; an opportunity with no low-thrust solution keeps "
            "the ballistic leg and says so); ballistic flies the leg's ballistic transfer with a "
            "first-order ion-engine credit (cruise_dv_m_s); auto: electric for an electric ERO, "
            "ballistic for a chemical one"
        ),
    )
    cruise_arrival: Literal["earliest_return", "max_mass"] = Field(
        "earliest_return",
        description=(
            "Mars arrival of the electric cruise, chosen per launch opportunity from the solved arrival "
            "window: max_mass takes the largest mass after orbit insertion in the window; "
            "earliest_return (default) the largest mass among arrivals from which the ERO (insertion, "
            "spiral, nominal rendezvous) is still ready for the return that the window's earliest "
            "feasible arrival would make, so that the chosen arrival never forfeits a return window "
            "(it equals max_mass whenever max_mass keeps that return)"
        ),
    )
    ep_engine_count: int | None = Field(
        None,
        ge=1,
        le=20,
        description=(
            "ion engines firing together in cruise and spiral (None: the Mars-orbit model's default, 4: "
            "the 144 m2 arrays give ~46.6 kW at 1 AU, enough for 4 engines of the >5 kW class out to "
            "~1.45 AU, FACTS.md §3, §8; ASSUMPTION, the count is unpublished)"
        ),
    )
    chemical_trim_days: float = Field(
        30.0, ge=0.0, le=365.0, description="chemical orbiter: insertion to working orbit, days (ASSUMPTION)"
    )

    max_mars_stay_days: float = Field(
        1500.0,
        gt=0.0,
        le=5000.0,
        description=(
            "longest stay from Mars orbit insertion to trans-Earth injection (propellant and "
            "lifetime), days (ASSUMPTION; the 2022 plan's stay is ~1,400 d)"
        ),
    )

    @model_validator(mode="after")
    def _cruise_needs_engines(self) -> EROSpec:
        if self.cruise == "electric" and self.propulsion == "chemical":
            raise ValueError(
                "cruise='electric' needs propulsion='electric' (a chemical ERO has no ion engines); "
                "allowed with propulsion='chemical': auto, ballistic"
            )
        return self

    @property
    def cruise_model(self) -> str:
        """The cruise flown: ``"electric"`` or ``"ballistic"`` (``auto`` resolved by the propulsion)."""
        if self.cruise == "auto":
            return "electric" if self.propulsion == "electric" else "ballistic"
        return self.cruise


class EESSpec(_Strict):
    """The Earth Entry System's entry case."""

    entry_preset: str = Field("ees-uttr", description="entry case (msrsim entry presets)")


class MonteCarloSpec(_Strict):
    """Switches of the campaign Monte Carlo."""

    dispersions: bool = Field(
        True,
        description=(
            "physical dispersions (entry, ascent, launch day, surface, storms); false: every trial "
            "flies the nominal physics"
        ),
    )
    schedule_slips: bool = Field(True, description="development slips of the flight elements")
