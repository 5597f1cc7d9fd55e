"""Validated parameter objects for Mars-orbit operations, with documented defaults.

Every default names its source (a FACTS.md row) or says that it is an assumption. The
objects are pydantic v2 models with ``extra="forbid"``; a bad value raises
:class:`~msrsim.errors.ConfigError` with one line naming the field, the value and the
allowed range. :func:`load_config` reads them from YAML.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Literal

from pydantic import ConfigDict, Field

from ..ascent.params import AscentTarget, LaunchSite
from ..config import ConfigModel, read_yaml, validate_model
from ..entry.presets import EES_UTTR
from ..errors import ConfigError

_CFG = ConfigDict(extra="forbid", frozen=True, validate_default=True)


class _Params(ConfigModel):
    model_config = _CFG


class OSParams(_Params):
    """The Orbiting Sample container (OS) and the orbit the MAV delivers it to.

    Attributes
    ----------
    mass_kg : float
        OS mass, kg. Unpublished; FACTS.md §8 gives 12-16 kg (payload <= 16 kg incl. the
        adapter); default 14 kg, the middle (assumption, L).
    diameter_m : float
        Sphere diameter, m: "~30 cm", "basketball-sized" (FACTS.md §3, §8).
    drag_coefficient : float
        Free-molecular drag coefficient of a sphere, 2.2 (assumption: the customary value
        for satellites in free-molecular flow; diffuse reflection gives ~2.0-2.2).
    periapsis_alt_km, apoapsis_alt_km : float
        Delivered orbit above the equatorial radius, km. Default: the ascent model's target
        (:class:`msrsim.ascent.AscentTarget`), 300 km circular at 25° (the MAV_sim study;
        FACTS.md §8; Harris's open MAV code targets 343 km).
    inclination_deg : float
        Delivered inclination to the Mars equator, deg: the ascent target's, 25 (FACTS.md
        §8, both studies).
    reentry_alt_km : float
        Periapsis altitude at which the orbit is counted as decayed, km (assumption: below
        ~100 km one more periapsis pass ends the orbit).
    """

    mass_kg: float = Field(14.0, gt=0.5, le=100.0)
    diameter_m: float = Field(0.30, gt=0.05, le=2.0)
    drag_coefficient: float = Field(2.2, gt=0.5, le=4.0)
    periapsis_alt_km: float = Field(default_factory=lambda: _ascent_defaults()[0].periapsis_alt_km,
                                    ge=80.0, le=20000.0)
    apoapsis_alt_km: float = Field(default_factory=lambda: _ascent_defaults()[0].apoapsis_alt_km,
                                   ge=80.0, le=100000.0)
    inclination_deg: float = Field(default_factory=lambda: _ascent_defaults()[0].inclination_deg,
                                   ge=0.0, le=180.0)
    reentry_alt_km: float = Field(100.0, ge=50.0, le=200.0)

    def model_post_init(self, _ctx) -> None:
        if self.apoapsis_alt_km < self.periapsis_alt_km:
            raise ConfigError(
                f"apoapsis_alt_km={self.apoapsis_alt_km!r} is below periapsis_alt_km="
                f"{self.periapsis_alt_km!r}; apoapsis must be >= periapsis")

    @property
    def area_to_mass_m2_kg(self) -> float:
        """Cross-section over mass, m^2/kg (0.0045-0.006 for 12-16 kg, FACTS.md §8)."""
        return math.pi * (0.5 * self.diameter_m) ** 2 / self.mass_kg


class EROParams(_Params):
    """The Earth Return Orbiter: arrival, spiral, working orbit and propulsion.

    Attributes
    ----------
    launch_mass_kg : float
        ~6.5 t at launch (Airbus 2020, FACTS.md §3, H).
    cruise_xenon_kg : float
        Xenon spent by the ion engines in the Earth-Mars cruise, kg (the ERO used its
        RIT-2X engines in cruise, FACTS.md §3). Mars arrival mass = launch - this. ASSUMPTION
        (unpublished), 900 kg: at ``ep_isp_s`` it gives ~4.4 km/s, what it takes to turn the
        fall-2027 launch of the 2022 baseline (ballistic arrival v∞ 7.6 km/s, an
        off-window departure) into the 2028/29 minimum-energy arrival v∞ of ~3.3 km/s
        (NASA/TM-2010-216764, FACTS.md §5). See :attr:`cruise_dv_m_s`.
    oim_isp_s, oim_thrust_n, oim_dry_mass_kg : float
        Chemical Orbit Insertion Module (Thales Alenia, jettisoned after MOI, FACTS.md §8):
        bipropellant Isp 318 s and 3 x 424 N = 1272 N (assumption: the usual MMH/MON
        apogee-engine class), dry mass 450 kg (assumption).
    ep_engine_count : int
        Ion engines able to fire together. ASSUMPTION 4 (the count is unpublished, FACTS.md
        §8 "ERO engines"): the most engines the arrays run at their 5 kW ceiling out to
        1.45 AU, where ``solar_array_power_1au_w / d^2 - bus_power_w`` = 46.6 kW / 1.45^2
        - 2 kW = 20.2 kW (144 m^2 arrays, FACTS.md §3; "> 5 kW class" RIT-2X, FACTS.md §8),
        i.e. over most of an Earth-Mars cruise; at Mars (1.38-1.67 AU) the arrays run 3-4
        of them (the spiral takes what the power allows). With 2 engines the 2022
        baseline's cruise arrives with v∞ 2.1 km/s instead of 0.7 km/s and its third
        opportunity (2031) has no low-thrust solution. With the solved electric cruise
        the 2022 baseline reaches the end of capture 3.5 years after launch, against
        "~3 years" published (PIA25892, FACTS.md §8): on its nominal launch the cruise
        keeps the largest-mass arrival (late in the window), since that still makes the
        return window (the campaign's ``ero.cruise_arrival: earliest_return`` takes an
        earlier arrival only where the largest-mass one would miss it); the README's
        timeline table gives the sensitivities.
    ep_thrust_per_engine_n, ep_isp_s, ep_power_per_engine_w : float
        RIT-2X: ~200 mN, Isp > 3000 s, > 5 kW class per engine (FACTS.md §8; the thrust
        and Isp are flagged "unverified" there).
    solar_array_power_1au_w : float
        Array output at 1 AU, W. Assumption derived from the 144 m^2 arrays (FACTS.md §3):
        144 m^2 x 1361 W/m^2 x 28 % cell efficiency x 0.85 packing ~ 46.6 kW; falls as
        1/d^2 with the distance from the Sun.
    bus_power_w : float
        Power not available to the engines, W (assumption).
    eclipses : bool
        Engines off in Mars's shadow.
    capture_periapsis_alt_km : float
        Periapsis altitude of the capture orbit, km (assumption).
    capture_period_h : float
        Capture-orbit period, h (assumption: 1 sol = 24.66 h, FACTS.md §4).
    working_alt_km : float
        Circular orbit the spiral ends in, km (assumption: 10 km above the OS so that the OS
        slowly drifts ahead and the ERO can phase from above).
    tei_isp_s : float
        Isp of the system that performs the impulsive trans-Earth injection, s (assumption:
        bipropellant 318 s; the 2020 design escaped with its ion engines, which the
        low-thrust escape estimate covers).
    spiral_effectivity_cut : float
        The spiral coasts where thrusting achieves less than this fraction of the best
        rate on the current orbit (0: thrust all the time; higher saves xenon, costs time).
        Assumption 0.3: the spiral then coasts ~2/3 of the time and takes ~490 days (0.1:
        ~360 days, +40 % xenon); the main lever on the Mars-phase timeline.
    """

    launch_mass_kg: float = Field(6500.0, gt=100.0, le=50000.0)
    cruise_xenon_kg: float = Field(900.0, ge=0.0, le=20000.0)
    oim_isp_s: float = Field(318.0, gt=50.0, le=500.0)
    oim_thrust_n: float = Field(1272.0, gt=1.0, le=1e6)
    oim_dry_mass_kg: float = Field(450.0, ge=0.0, le=10000.0)
    ep_engine_count: int = Field(4, ge=1, le=20)
    ep_thrust_per_engine_n: float = Field(0.200, gt=0.0, le=10.0)
    ep_isp_s: float = Field(3000.0, gt=200.0, le=20000.0)
    ep_power_per_engine_w: float = Field(5000.0, gt=0.0, le=1e6)
    solar_array_power_1au_w: float = Field(46600.0, gt=0.0, le=1e7)
    bus_power_w: float = Field(2000.0, ge=0.0, le=1e6)
    eclipses: bool = True
    capture_periapsis_alt_km: float = Field(500.0, ge=150.0, le=50000.0)
    capture_period_h: float = Field(24.66, gt=2.0, le=1000.0)
    working_alt_km: float = Field(353.0, ge=150.0, le=50000.0)
    tei_isp_s: float = Field(318.0, gt=50.0, le=20000.0)
    spiral_effectivity_cut: float = Field(0.3, ge=0.0, lt=1.0)

    def model_post_init(self, _ctx) -> None:
        if self.cruise_xenon_kg + self.oim_dry_mass_kg >= self.launch_mass_kg:
            raise ConfigError(
                f"launch_mass_kg={self.launch_mass_kg!r} cannot carry cruise_xenon_kg="
                f"{self.cruise_xenon_kg!r} plus oim_dry_mass_kg={self.oim_dry_mass_kg!r}")

    @property
    def mars_arrival_mass_kg(self) -> float:
        """Mass at Mars orbit insertion, kg."""
        return self.launch_mass_kg - self.cruise_xenon_kg

    @property
    def cruise_dv_m_s(self) -> float:
        """Ion-engine Δv of the cruise, m/s (rocket equation with ``ep_isp_s``).

        msrsim has no low-thrust interplanetary optimiser: the launch-windows module gives
        ballistic legs. The Mars phase applies this Δv against the ballistic arrival v∞
        (first order, optimistic: a heliocentric Δv lowers v∞ by at most its size).
        """
        return float(9.80665 * self.ep_isp_s * math.log(self.launch_mass_kg / self.mars_arrival_mass_kg))


class RendezvousParams(_Params):
    """Search, phasing, approach and capture of the OS by the ERO.

    Attributes
    ----------
    delta_inclination_deg : float
        Inclination mismatch between the ERO's working orbit and the OS orbit at the start
        of rendezvous, deg (assumption: MAV delivery scatter; the ascent Monte Carlo gives
        the real spread).
    delta_raan_deg : float or None
        Override of the node difference (OS minus ERO) at the start of rendezvous, deg.
        Default None: computed from the chain (:mod:`msrsim.marsorbit.nodes`): the OS's
        node at MAV lift-off from the site and time of launch, drifted under J2 to the
        start of rendezvous, against the ERO's node at the end of its simulated spiral.
    phase_angle_deg : float
        OS ahead of the ERO along the orbit at the start of phasing, deg (assumption: 180,
        the mean of a uniform phase).
    plane_strategy : {"auto", "dv", "drift"}
        How the node difference is removed: paid with the ion engines ("dv"), waited out
        with J2 differential precession from a drift orbit ("drift"), or the drift when it
        fits in ``max_plane_wait_days`` ("auto").
    max_plane_wait_days : float
        Longest acceptable wait for the drift strategy, days.
    drift_alt_offset_km : float
        Altitude offset of the drift orbit from the OS orbit for ``plane_strategy="drift"``,
        km; its magnitude is used, on the side (above or below) that closes the node gap
        sooner. "auto" picks the cheapest offset on the trade curve instead.
    phasing_alt_offset_km : float
        Altitude offset of the in-plane phasing orbit, km (negative: below, catching up).
    detection_range_km : float
        The ERO camera detects the OS from > 1000 km (FACTS.md §3).
    far_hold_m, near_hold_m : float
        V-bar hold points behind the OS, m (assumption: 2 km and 250 m).
    keep_out_radius_m : float
        Keep-out sphere around the OS that only the final straight-line approach may
        enter, m (assumption).
    approach_speed_m_s : float
        Closing speed of the final V-bar approach, m/s (assumption: 2 cm/s, a capture-
        mechanism-friendly speed).
    capture_range_m : float
        Range at which the capture mechanism takes the OS, m (assumption).
    """

    delta_inclination_deg: float = Field(0.2, ge=0.0, le=30.0)
    delta_raan_deg: float | None = Field(None, ge=-180.0, le=180.0)
    phase_angle_deg: float = Field(180.0, ge=0.0, le=360.0)
    plane_strategy: Literal["auto", "dv", "drift"] = "auto"
    max_plane_wait_days: float = Field(120.0, gt=0.0, le=3650.0)
    drift_alt_offset_km: float = Field(-50.0, ge=-200.0, le=2000.0)
    phasing_alt_offset_km: float = Field(-10.0, ge=-100.0, le=100.0)
    detection_range_km: float = Field(1000.0, gt=1.0, le=20000.0)
    far_hold_m: float = Field(2000.0, gt=10.0, le=100000.0)
    near_hold_m: float = Field(250.0, gt=1.0, le=100000.0)
    keep_out_radius_m: float = Field(100.0, gt=0.0, le=10000.0)
    approach_speed_m_s: float = Field(0.02, gt=0.0, le=10.0)
    capture_range_m: float = Field(2.0, gt=0.0, le=1000.0)

    def model_post_init(self, _ctx) -> None:
        if not (self.far_hold_m > self.near_hold_m > self.keep_out_radius_m > self.capture_range_m):
            raise ConfigError(
                f"far_hold_m={self.far_hold_m!r} > near_hold_m="
                f"{self.near_hold_m!r} > keep_out_radius_m={self.keep_out_radius_m!r} > "
                f"capture_range_m={self.capture_range_m!r} must decrease in that order")
        if self.phasing_alt_offset_km == 0.0:
            raise ConfigError("phasing_alt_offset_km=0.0 gives no phasing drift; "
                              "allowed: -100..100 km, not 0")


class ReturnParams(_Params):
    """Trans-Earth injection, cruise and Earth arrival.

    Attributes
    ----------
    tei_utc, earth_arrival_utc : str or None
        Overrides of the Mars departure and Earth arrival (UTC, ISO 8601), both or neither.
        Default None: the dates come from the architecture's Mars->Earth return window
        (:func:`msrsim.windows.return_window` over ``mars_to_earth`` of the architecture,
        exactly as ``msrsim run`` computes it): the lowest Mars-departure v∞ return that
        leaves after the capture is complete.
    entry_alt_km : float
        Entry interface altitude, km (125 km, the convention of FACTS.md §8 "EES entry").
    entry_fpa_deg : float
        Inertial flight-path angle target at the entry interface, deg. Default: read from
        the ``ees-uttr`` entry preset, which owns it (-25, an assumption there, chosen so
        that the passive EES meets both published figures, ~40 m/s touchdown and ~6 min
        from entry to landing; Stardust flew -8.2, FACTS.md §5).
    ees_release_days : float
        EES release before entry, days (~3 days, FACTS.md §3, §8).
    landing_lat_deg : float
        Latitude the approach plane must reach, deg (UTTR 40.4942 N, FACTS.md §4).
    """

    tei_utc: str | None = None
    earth_arrival_utc: str | None = None
    entry_alt_km: float = Field(125.0, ge=50.0, le=500.0)
    entry_fpa_deg: float = Field(default_factory=lambda: EES_UTTR["entry"]["fpa_deg"], ge=-60.0, lt=0.0)
    ees_release_days: float = Field(3.0, gt=0.0, le=60.0)
    landing_lat_deg: float = Field(40.4942, ge=-90.0, le=90.0)


def _ascent_defaults():
    return AscentTarget(), LaunchSite()


class MAVLaunchParams(_Params):
    """When and from where the MAV puts the OS in orbit (sets the OS's orbit node).

    Attributes
    ----------
    launch_utc : str or None
        Earliest MAV lift-off (UTC, ISO 8601). Default None: the lander's Mars arrival (the
        architecture's lander leg, the best transfer with the lowest arrival v∞, as
        ``msrsim run`` lists it) plus ``surface_stay_days``.
    surface_stay_days : float
        Lander arrival to MAV lift-off, days. ASSUMPTION 180 (landing, sample hand-over by
        the rover and helicopters, MAV checkout; the 2022 plan's figure is not in FACTS.md).
    timing : {"targeted", "as_given"}
        "targeted": lift off at the first time after ``launch_utc`` when the site passes
        under the plane that J2 will carry into the ERO's plane at the start of rendezvous
        (the way a lunar-orbit rendezvous ascent launches into the orbiter's plane); the
        node mismatch is then only what the ascent scatter adds. "as_given": lift off at
        ``launch_utc`` exactly.
    lat_deg, lon_deg : float
        Launch site, deg: the ascent model's :class:`msrsim.ascent.LaunchSite` default
        (Jezero, FACTS.md §4).
    ascending : bool
        Launch into the ascending (northbound) half of the orbit (the ascent model's
        :class:`msrsim.ascent.AscentTarget` default).
    """

    launch_utc: str | None = None
    surface_stay_days: float = Field(180.0, ge=0.0, le=3650.0)
    timing: Literal["targeted", "as_given"] = "targeted"
    lat_deg: float = Field(default_factory=lambda: _ascent_defaults()[1].lat_deg, ge=-89.0, le=89.0)
    lon_deg: float = Field(default_factory=lambda: _ascent_defaults()[1].lon_deg, ge=-360.0, le=360.0)
    ascending: bool = Field(default_factory=lambda: _ascent_defaults()[0].ascending)


class MarsOrbitConfig(_Params):
    """Everything ``msrsim rendezvous`` needs: the four parameter groups and the arrival.

    Attributes
    ----------
    mars_arrival_utc, earth_departure_utc : str or None
        Overrides of the ERO's Earth departure and Mars arrival (UTC), both or neither.
        Default None: the ERO Earth->Mars leg of the architecture (the best transfer that
        ``msrsim run`` reports for it with the lowest arrival v∞).
    """

    mars_arrival_utc: str | None = None
    earth_departure_utc: str | None = None
    os: OSParams = OSParams()
    ero: EROParams = EROParams()
    rendezvous: RendezvousParams = RendezvousParams()
    mav_launch: MAVLaunchParams = Field(default_factory=MAVLaunchParams)
    ret: ReturnParams = Field(ReturnParams(), alias="return")

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


def load_config(path: str | Path | None = None, data: dict | None = None) -> MarsOrbitConfig:
    """Read a :class:`MarsOrbitConfig` from a YAML file (or a dict).

    The file holds any of the top-level keys ``mars_arrival_utc``, ``earth_departure_utc``,
    ``os``, ``ero``, ``rendezvous``, ``return``; missing ones keep their defaults.

    Raises
    ------
    ConfigError
        Unreadable file, not a mapping, unknown key or invalid value (one line).
    """
    if data is None:
        if path is None:
            return MarsOrbitConfig()
        data = read_yaml(path)
        where = str(path)
    else:
        where = "config"
        if not isinstance(data, dict):
            raise ConfigError(f"config must be a mapping of sections, got {type(data).__name__}")
    # YAML reads an unquoted date as a date object; the dates are UTC strings here
    data = {k: (str(v) if k in ("mars_arrival_utc", "earth_departure_utc") and v is not None else v)
            for k, v in data.items()}
    return validate_model(MarsOrbitConfig, data, where)
