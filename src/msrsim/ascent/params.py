"""Validated parameter objects of the MAV ascent: vehicle, launch site, target, dispersions.

Every number carries its source (``shared/reference/FACTS.md`` section) or is marked as an
assumption. Motor-level MAV data are published only in two open research codes that
disagree (FACTS.md §8, confidence L–M): treat the presets as plausible vehicles, not as the
flight design.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Literal

from pydantic import ConfigDict, field_validator, model_validator

from ..config import ConfigModel, read_yaml, validate_model
from ..constants import G0_M_S2
from ..errors import ConfigError


def _check_range(name: str, value: float, lo: float, hi: float, unit: str, lo_open=False) -> float:
    v = float(value)
    ok = math.isfinite(v) and (v > lo if lo_open else v >= lo) and v <= hi
    if not ok:
        lo_s = f"> {lo:g}" if lo_open else f">= {lo:g}"
        raise ValueError(f"{name}={value!r} outside the allowed range ({lo_s} and <= {hi:g} {unit})")
    return v


def range_validator(ranges: dict):
    """One pydantic validator checking each named field against ``(lo, hi, unit[, lo_open])``.

    ``None`` passes (optional fields); anything else must be finite and inside the range, or
    the error names the field, the value and the range.
    """

    def check(cls, v, info):
        if v is None:
            return None
        lo, hi, unit, *rest = ranges[info.field_name]
        return _check_range(info.field_name, v, lo, hi, unit, lo_open=bool(rest and rest[0]))

    return field_validator(*ranges)(classmethod(check))


class _Model(ConfigModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# Drag coefficient of a slender cone-cylinder vs Mach number (zero lift, power-on base).
# ASSUMPTION (confidence L): generic sounding-rocket shape with fineness ~6, subsonic 0.30,
# transonic peak 0.60 near Mach 1.1, falling to ~0.30 hypersonic; the MAV's own
# aerodynamic database is not published. Scale with ``cd_scale`` for trades.
_DEFAULT_CD_MACH = (0.0, 0.8, 1.05, 1.2, 2.0, 3.0, 5.0, 10.0)
_DEFAULT_CD = (0.30, 0.32, 0.60, 0.58, 0.45, 0.38, 0.32, 0.30)


class MotorStage(_Model):
    """One solid-motor stage.

    Parameters
    ----------
    propellant_kg : float
        Propellant burnt, kg.
    inert_kg : float
        Mass dropped with the stage after burnout (motor case, nozzle, structure), kg. For
        the upper stage this is the mass that stays with the OS adapter and is not payload.
    isp_s : float
        Vacuum specific impulse, s.
    burn_time_s : float
        Action time, s. The mean thrust is ``propellant_kg * isp_s * g0 / burn_time_s``.
    thrust_profile : list of (float, float), optional
        Thrust shape as (fraction of burn time, thrust / mean thrust) pairs from 0 to 1,
        renormalised to unit mean; default flat (only mean thrusts are published).
    """

    propellant_kg: float
    inert_kg: float
    isp_s: float
    burn_time_s: float
    thrust_profile: list[tuple[float, float]] | None = None

    # allowed ranges (low, high, unit[, low excluded]) of the scalar fields
    _check_ranges = range_validator({
        "propellant_kg": (0.0, 1e5, "kg", True),
        "inert_kg": (0.0, 1e5, "kg"),
        "isp_s": (50.0, 500.0, "s (solid motors ~250-300 s)"),
        "burn_time_s": (0.5, 2000.0, "s"),
    })

    @field_validator("thrust_profile")
    @classmethod
    def _profile(cls, v):
        if v is None:
            return v
        if len(v) < 2:
            raise ValueError(f"thrust_profile={v!r} needs at least 2 (fraction, thrust) points")
        xs = [p[0] for p in v]
        ys = [p[1] for p in v]
        rising = all(b > a for a, b in zip(xs, xs[1:], strict=False))
        if abs(xs[0]) > 1e-9 or abs(xs[-1] - 1.0) > 1e-9 or not rising:
            raise ValueError(f"thrust_profile fractions {xs!r} must rise strictly from 0 to 1")
        if any((not math.isfinite(y)) or y < 0 for y in ys) or max(ys) <= 0:
            raise ValueError(f"thrust_profile thrust values {ys!r} must be finite, >= 0, not all 0")
        return v

    @property
    def mean_thrust_n(self) -> float:
        """Mean thrust, N."""
        return self.propellant_kg * self.isp_s * G0_M_S2 / self.burn_time_s

    def profile_table(self):
        """(k, 2) array of (burn fraction, thrust / mean thrust), unit mean."""
        import numpy as np

        if self.thrust_profile is None:
            return np.array([[0.0, 1.0], [1.0, 1.0]])
        tab = np.array(self.thrust_profile, dtype=float)
        mean = np.trapezoid(tab[:, 1], tab[:, 0])
        tab[:, 1] /= mean
        return tab


class MAVParams(_Model):
    """Two-stage solid Mars Ascent Vehicle.

    Default numbers: M. W. Harris's open MAV ascent-guidance code (GitHub
    profmattharris/MAV, FACTS.md §8, confidence L–M): lift-off 393.79 kg, payload 16 kg
    (OS + adapter); SRM1 215.619 kg of propellant in 76 s at 7925.77 N mean thrust
    (Isp 284.9 s derived, inert 60.36 kg = 393.79 - 215.619 - 117.809); SRM2 54.467 kg in
    24.45 s giving 1696 m/s from 117.809 kg at ignition (Isp 278.7 s derived; stage inert
    47.342 kg). :meth:`mav_sim` gives the TU Delft MAV_sim alternative, which is the
    vehicle of the default :class:`AscentConfig` (the Harris vehicle cannot reach its own
    343 km target in this model with drag; see :class:`AscentTarget`).

    Parameters
    ----------
    name : str
    payload_kg : float
        OS and its adapter, separated at SRM2 burnout, kg (FACTS.md §3: ~16 kg).
    srm1, srm2 : MotorStage
        First (steerable nozzle) and second (spin-stabilised) stage.
    reference_area_m2 : float
        Drag reference area, m² (FACTS.md §3: ~0.5 m diameter → 0.196 m²).
    cd_mach, cd_values : list of float
        Drag coefficient table vs Mach number (assumption, see ``_DEFAULT_CD``).
    ejection_speed_m_s : float
        Upward speed given by the lander's launch system before ignition, m/s. ASSUMPTION
        (FACTS.md §3 says only "ejected upward"): 3 m/s.
    ignition_delay_s : float
        Time from ejection to SRM1 ignition, s. ASSUMPTION: 0.5 s.
    max_axial_g : float
        Structural limit on the sensed acceleration along the body axis (MAV_sim: 15 g,
        FACTS.md §8), g0 units. Steering cannot change it (thrust over mass), so it is a
        vehicle check: reported, and flagged by ``limits_ok`` of the design and the Monte
        Carlo.
    max_alpha_deg : float
        Angle-of-attack limit (MAV_sim: 4°, FACTS.md §8), deg: enforced by the steering's
        α limiter (:attr:`GuidanceParams.alpha_limiter`) where the dynamic pressure exceeds
        ``alpha_limit_q_pa``, and reported.
    alpha_limit_q_pa : float
        Dynamic pressure above which ``max_alpha_deg`` applies, Pa. ASSUMPTION (MAV_sim gives
        the 4° without a q range): 50 Pa, reached ~3 s after ignition at Jezero; below it
        the limiter lets α grow as q·α ≤ ``alpha_limit_q_pa`` · ``max_alpha_deg``
        (200 Pa·deg by default), a continuous envelope that frees the steering only where
        the aerodynamic load is negligible (the first seconds and the thin upper air).
    srm2_spin_rpm : float
        SRM2 spin rate, rpm (FACTS.md §3: SRM2 tested at 200 rpm).
    srm2_spin_gyration_m : float
        Radius of gyration of the spinning SRM2 stack (SRM2, adapter, OS) about its spin
        axis, m. ASSUMPTION: 0.175 m, a uniform cylinder of the MAV's 0.5 m diameter
        (FACTS.md §3: 0.25/√2); a thick propellant annulus in a case at the outer radius
        gives about the same.
    srm2_thrust_arm_m : float
        Distance from the SRM2 nozzle throat to the stack's centre of mass, m: the lever
        arm of a thrust misalignment. ASSUMPTION: 0.5 m, half of a ~1 m SRM2 + OS stack of
        the 2.8-3.0 m MAV (FACTS.md §3).
    """

    name: str = "harris-2019"
    payload_kg: float = 16.0  # Harris code / FACTS.md §3, §8
    srm1: MotorStage = MotorStage(propellant_kg=215.619, inert_kg=60.362,  # Harris code, §8
                                  isp_s=7925.77 / (215.619 / 76.0) / G0_M_S2, burn_time_s=76.0)
    srm2: MotorStage = MotorStage(propellant_kg=54.467, inert_kg=1.208 + 31.838 + 14.296,  # §8
                                  isp_s=278.71, burn_time_s=24.45)
    reference_area_m2: float = math.pi * 0.25**2  # 0.5 m diameter, FACTS.md §3
    cd_mach: list[float] = list(_DEFAULT_CD_MACH)
    cd_values: list[float] = list(_DEFAULT_CD)
    ejection_speed_m_s: float = 3.0  # assumption
    ignition_delay_s: float = 0.5  # assumption
    max_axial_g: float = 15.0  # MAV_sim, FACTS.md §8
    max_alpha_deg: float = 4.0  # MAV_sim, FACTS.md §8
    alpha_limit_q_pa: float = 50.0  # assumption, see the docstring
    srm2_spin_rpm: float = 200.0  # FACTS.md §3 (SRM2 tested at 200 rpm)
    srm2_spin_gyration_m: float = 0.25 / math.sqrt(2.0)  # assumption: 0.5 m cylinder, FACTS.md §3
    srm2_thrust_arm_m: float = 0.5  # assumption, see the docstring

    # allowed ranges (low, high, unit[, low excluded]) of the scalar fields
    _check_ranges = range_validator({
        "srm2_spin_rpm": (0.0, 1e4, "rpm", True),
        "payload_kg": (0.0, 1e4, "kg"),
        "reference_area_m2": (0.0, 100.0, "m^2", True),
        "ejection_speed_m_s": (0.0, 50.0, "m/s", True),
        "ignition_delay_s": (0.0, 5.0, "s"),
        "max_axial_g": (0.0, 1e3, "g0", True),
        "max_alpha_deg": (0.0, 90.0, "deg", True),
        "alpha_limit_q_pa": (0.0, 1e6, "Pa", True),
    })

    @field_validator("srm2_spin_gyration_m", "srm2_thrust_arm_m")
    @classmethod
    def _len(cls, v, info):
        return _check_range(info.field_name, v, 0.0, 10.0, "m", lo_open=True)

    @property
    def srm2_coning_factor(self) -> float:
        """Mean SRM2 thrust-direction offset per radian of thrust misalignment (spinning stage).

        A misalignment δ gives a body-fixed transverse torque M = F·l·δ (F: SRM2 mean thrust,
        l: :attr:`srm2_thrust_arm_m`). In inertial space it turns with the spin ω, so the
        angular momentum H = I_s·ω does not walk away: dH/dt = M·e^{iωt} makes it trace a
        circle of radius M/ω through its initial direction, whose centre lies M/(I_s ω²)
        (rad) off it. The body axis nutates about H, the lateral thrust F·δ turns with the
        spin, and both average out over the burn (22.5 s at 200 rpm: 75 revolutions, and
        ~15 nutation cycles), leaving the thrust, on average, along the circle's centre:
        an offset of M/(I_s ω²) = k·δ with k = F·l / (m k_s² ω²), evaluated at the stack's
        mean mass in the burn. The lateral impulse left by the last partial revolution is
        at most 2·F·δ/(m·ω) (~1.5 cm/s for 0.3°), neglected.
        """
        m_ign = self.liftoff_mass_kg - self.srm1.propellant_kg - self.srm1.inert_kg
        m_mean = m_ign - 0.5 * self.srm2.propellant_kg
        w = self.srm2_spin_rpm * 2.0 * math.pi / 60.0
        return (self.srm2.mean_thrust_n * self.srm2_thrust_arm_m
                / (m_mean * self.srm2_spin_gyration_m**2 * w * w))

    @model_validator(mode="after")
    def _cd_table(self):
        m, c = self.cd_mach, self.cd_values
        if len(m) != len(c) or len(m) < 1:
            raise ValueError(f"cd_mach ({len(m)} values) and cd_values ({len(c)}) must have equal, "
                             "non-zero length")
        if any(b <= a for a, b in zip(m, m[1:], strict=False)) or m[0] < 0:
            raise ValueError(f"cd_mach={m!r} must be >= 0 and strictly increasing")
        if any((not math.isfinite(x)) or x < 0 or x > 5 for x in c):
            raise ValueError(f"cd_values={c!r} must each lie in 0..5")
        return self

    @property
    def liftoff_mass_kg(self) -> float:
        """Total mass at ejection, kg."""
        return (self.srm1.propellant_kg + self.srm1.inert_kg + self.srm2.propellant_kg
                + self.srm2.inert_kg + self.payload_kg)

    @property
    def ideal_dv_m_s(self) -> float:
        """Rocket-equation Δv of both stages in vacuum, m/s."""
        m0 = self.liftoff_mass_kg
        m1 = m0 - self.srm1.propellant_kg
        m2 = m1 - self.srm1.inert_kg
        m3 = m2 - self.srm2.propellant_kg
        return G0_M_S2 * (self.srm1.isp_s * math.log(m0 / m1) + self.srm2.isp_s * math.log(m2 / m3))

    def cd_table(self):
        """(k, 2) array of (Mach, CD)."""
        import numpy as np

        return np.column_stack([np.asarray(self.cd_mach, float), np.asarray(self.cd_values, float)])

    @classmethod
    def harris(cls) -> MAVParams:
        """Harris open MAV code vehicle (the default; FACTS.md §8, L–M)."""
        return cls()

    @classmethod
    def mav_sim(cls) -> MAVParams:
        """TU Delft MAV_sim vehicle (FACTS.md §8, confidence L).

        Stage masses 370 kg (lift-off) and 95 kg (second stage at ignition); SRM1 11.5 kN,
        Isp 291 s, 54.5 s; SRM2 4.5 kN, Isp 282 s, 22.5 s. Propellant follows from thrust ×
        burn time / (Isp g0): 219.6 kg and 36.6 kg. Payload 16 kg is an ASSUMPTION (FACTS.md
        §3 value; the thesis payload is not in FACTS.md).
        """
        p1 = 11.5e3 * 54.5 / (291.0 * G0_M_S2)
        p2 = 4.5e3 * 22.5 / (282.0 * G0_M_S2)
        payload = 16.0
        return cls(name="mav-sim-2022", payload_kg=payload,
                   srm1=MotorStage(propellant_kg=p1, inert_kg=370.0 - p1 - 95.0, isp_s=291.0,
                                   burn_time_s=54.5),
                   srm2=MotorStage(propellant_kg=p2, inert_kg=95.0 - p2 - payload, isp_s=282.0,
                                   burn_time_s=22.5))


class LaunchSite(_Model):
    """Where the MAV lifts off.

    Defaults: Perseverance landing site (Octavia E. Butler Landing) in Jezero crater,
    18.4447° N, 77.4508° E (FACTS.md §4); elevation -2550 m (TU Delft MAV_sim pad altitude,
    FACTS.md §8), used here as height above the IAU 2015 ellipsoid (an approximation: the
    MOLA areoid and the ellipsoid differ by up to ~1-2 km).
    """

    lat_deg: float = 18.4447  # FACTS.md §4
    lon_deg: float = 77.4508  # FACTS.md §4
    elevation_m: float = -2550.0  # FACTS.md §8 (MAV_sim)

    # allowed ranges (low, high, unit[, low excluded]) of the scalar fields
    _check_ranges = range_validator({
        "lat_deg": (-89.0, 89.0, "deg"),
        "lon_deg": (-360.0, 360.0, "deg"),
        "elevation_m": (-9000.0, 25000.0, "m"),
    })


class AscentTarget(_Model):
    """Target orbit of the ascent (the real one is not published, FACTS.md §3, §8).

    Altitudes are above the Mars equatorial radius (3396.19 km, FACTS.md §6).

    Default: 300 km circular at 25°, the TU Delft MAV_sim target (FACTS.md §8), flown by
    the default vehicle of the same study (:meth:`MAVParams.mav_sim`), which reaches it
    with ~2.4 kg of payload margin in this model (maximum payload ~18.4 kg).
    :meth:`harris` gives Harris's 343 km × 25°. Why not Harris's as the default: with
    drag, J2, the oblate planet and the Jezero pad, the Harris vehicle (16 kg payload)
    cannot reach it even with optimised steering: its best orbit is 286 × 328 km, 13.5 m/s
    short (the largest payload that reaches it is ~11 kg); it also falls 2.7 m/s short of
    300 km (290 × 298 km). See the README and ``tests/test_ascent.py``. ``min_periapsis_alt_km``
    defines a successful delivery in the Monte Carlo. ASSUMPTION: 250 km, an orbit that
    survives for years at mean solar activity and is well above the ERO's search
    altitude floor.
    """

    periapsis_alt_km: float = 300.0  # MAV_sim, FACTS.md §8
    apoapsis_alt_km: float = 300.0  # MAV_sim, FACTS.md §8
    inclination_deg: float = 25.0  # Harris code and MAV_sim, FACTS.md §8
    min_periapsis_alt_km: float = 250.0  # assumption
    ascending: bool = True

    @field_validator("periapsis_alt_km", "apoapsis_alt_km", "min_periapsis_alt_km")
    @classmethod
    def _alt(cls, v, info):
        return _check_range(info.field_name, v, 80.0, 20000.0, "km")

    @field_validator("inclination_deg")
    @classmethod
    def _inc(cls, v):
        return _check_range("inclination_deg", v, 0.0, 180.0, "deg")

    @model_validator(mode="after")
    def _order(self):
        if self.apoapsis_alt_km < self.periapsis_alt_km:
            raise ValueError(f"apoapsis_alt_km={self.apoapsis_alt_km!r} is below periapsis_alt_km="
                             f"{self.periapsis_alt_km!r}; allowed: apoapsis >= periapsis")
        return self

    @classmethod
    def mav_sim(cls) -> AscentTarget:
        """300 km circular at 25° (MAV_sim, FACTS.md §8): the default."""
        return cls()

    @classmethod
    def harris(cls) -> AscentTarget:
        """Harris's target: 343 km circular at 25° (FACTS.md §8).

        Harris's code measures altitude above a spherical Mars of radius 3389.5 km (the
        mean radius), so its orbit radius 3732.5 km is 336.31 km above the equatorial
        radius used here.
        """
        h = 3389.5 + 343.0 - 3396.19  # km above R_eq: Harris code's R and target, FACTS.md §6, §8
        return cls(periapsis_alt_km=h, apoapsis_alt_km=h, inclination_deg=25.0)


class AscentDispersions(_Model):
    """One-sigma dispersions of the ascent Monte Carlo (all independent, Gaussian).

    From MAV_sim (FACTS.md §8, confidence L): pad altitude 50 m, density 35 %, thrust
    misalignment 0.3° (per axis, both stages), payload 0.25 kg. The rest are ASSUMPTIONS
    typical of small solid motors and spin-stabilised upper stages (not published for the
    MAV): mean thrust 1.5 % (burn time scaled inversely, total impulse kept), Isp 0.5 %,
    propellant mass 0.3 %, inert mass 1 %, ignition attitude 1° per axis (the MAV is in
    free flight after ejection), SRM2 tip-off 0.5° per axis (separation and spin-up),
    SRM2 pointing 0.25° per axis (attitude knowledge/control before spin-up).

    ``misalignment_model`` says what a thrust misalignment does:

    * ``"controlled"`` (default): on the TVC-steered SRM1 the attitude loop cancels the
      misalignment torque: the nozzle deflects until the thrust passes through the centre
      of mass, so the vehicle flies its commanded attitude up to a residual pointing error
      (``attitude_control_error_deg`` per axis, held for the burn: the IMU's alignment and
      the loop's steady error; a constant bias is the conservative reading) and loses
      thrust as cos δ of the misalignment δ. On the spinning SRM2 the lateral thrust turns
      with the spin and averages out; what remains is the angular-momentum walk's mean
      offset, ``MAVParams.srm2_coning_factor`` · δ per axis, in a direction set by the
      (random) spin phase at ignition.
    * ``"uncontrolled"``: the misalignment tilts the thrust off the body axis of SRM1 and
      off the SRM2 attitude for the whole burn (the previous model, for comparison).
    """

    pad_altitude_m: float = 50.0  # MAV_sim, FACTS.md §8
    density_frac: float = 0.35  # MAV_sim, FACTS.md §8
    thrust_misalignment_deg: float = 0.3  # MAV_sim, FACTS.md §8
    payload_kg: float = 0.25  # MAV_sim, FACTS.md §8
    thrust_frac: float = 0.015  # assumption
    isp_frac: float = 0.005  # assumption
    propellant_frac: float = 0.003  # assumption
    inert_frac: float = 0.01  # assumption
    ignition_attitude_deg: float = 1.0  # assumption
    tipoff_deg: float = 0.5  # assumption
    srm2_pointing_deg: float = 0.25  # assumption
    attitude_control_error_deg: float = 0.15  # assumption: SRM1 residual pointing, see above
    misalignment_model: Literal["controlled", "uncontrolled"] = "controlled"

    @field_validator("*")
    @classmethod
    def _nonneg(cls, v, info):
        if info.field_name == "misalignment_model":
            return v
        hi = 0.9 if info.field_name.endswith("_frac") else 1e4
        return _check_range(info.field_name, v, 0.0, hi, "(1-sigma)")

    @classmethod
    def sigma_fields(cls) -> list[str]:
        """Names of the 1-sigma fields (all but ``misalignment_model``)."""
        return [k for k in cls.model_fields if k != "misalignment_model"]

    @classmethod
    def none(cls) -> AscentDispersions:
        """All dispersions zero (every trial is the nominal flight)."""
        return cls(**{k: 0.0 for k in cls.sigma_fields()})


# GuidanceParams' scalar settings: allowed (low, high, unit); None passes where optional
_GUIDANCE_RANGES = {
    "srm2_lead_s": (0.0, 3600.0, "s"),
    "coast_s": (0.0, 20000.0, "s"),
    "srm1_closed_loop_start_s": (0.0, 2000.0, "s"),
    "guidance_rate_hz": (0.01, 100.0, "Hz"),
    "srm1_apoapsis_km": (50.0, 20000.0, "km"),
    "srm1_max_correction_deg": (0.0, 60.0, "deg"),
    "alpha_limiter_q_margin": (1.0, 100.0, ""),
}


class GuidanceParams(_Model):
    """Open-loop ascent steering and staging (what :func:`design_guidance` optimises).

    Parameters
    ----------
    azimuth_deg : float
        Launch azimuth (clockwise from north) of the trajectory plane at the site, deg.
    vertical_rise_s : float
        Vertical flight after ignition before pitch-over, s.
    pitchover_s : float
        Duration of the linear pitch-over, s.
    pitch_kick_deg : float
        Thrust elevation above the local horizontal at the end of the pitch-over, deg.
    pitch_end_deg : float
        Thrust elevation at SRM1's nominal burnout, deg.
    pitch_nodes_deg : list of float
        Thrust elevations at interior nodes equally spaced in time between the end of the
        pitch-over and SRM1's nominal burnout (at most 8), deg. The tangent of the elevation
        is interpolated linearly in time through kick, nodes and end value: with no node
        (the default) this is the linear-tangent law, the vacuum flat-planet optimum; nodes
        let the optimiser shape the programme for drag, gravity and the coast arc.
    srm2_lead_s : float
        SRM2 ignites this long before the apoapsis predicted after SRM1 jettison, s (an
        onboard timer set from the navigated state); the resulting coast is reported.
    coast_s : float, optional
        Fixed coast from SRM1 burnout to SRM2 ignition, s; used instead of
        ``srm2_lead_s`` when ``srm2_trigger`` is "timer".
    srm2_trigger : {"apoapsis", "timer"}
    srm2_pitch_deg, srm2_yaw_deg : float
        SRM2 thrust direction at ignition: elevation above the local horizontal and angle
        out of the current orbit plane (toward the orbit normal), deg; held fixed in
        inertial space through the burn. With ``srm2_attitude="target"`` the pitch is a bias
        added to the on-board solution.
    srm2_attitude : {"fixed", "target"}
        "fixed" (the default): the SRM2 pitch is ``srm2_pitch_deg`` (open loop). "target"
        (closed loop): at ignition the flight computer predicts, from its navigated state
        and the stage's nominal Δv as one impulse, the pitch that minimises the Δv still
        needed to reach the target orbit, and adds ``srm2_pitch_deg``. This is the energy
        management of a fixed-impulse solid stage (as GEM-style): excess energy from SRM1
        is burnt off by tilting the thrust out of the horizontal, and SRM1's flight-path
        errors are nulled.
    srm1_closed_loop : bool
        Closed-loop SRM1 guidance (default off; :func:`~msrsim.ascent.guidance.close_loop`
        switches it on for a designed steering): from ``srm1_closed_loop_start_s`` after
        ignition to 2 s before nominal burnout, ``guidance_rate_hz`` times a second, the
        flight computer predicts the apoapsis after burnout from its navigated state (the
        remaining Δv of the nominal motor along the programme's mean remaining elevation,
        plus a correction, and gravity, as constant accelerations; then two-body) and sets
        the correction (Newton, at most ``srm1_max_correction_deg``) that puts it at
        ``srm1_apoapsis_km``. The programme stays the open-loop reference, so the nominal
        flight is (nearly) unchanged, but SRM1's energy errors move into the speed at
        apoapsis, where the SRM2 energy management handles them. The α limiter still
        applies. Measured on the default vehicle (10,000 trials): it narrows the SRM2
        ignition-altitude and inclination scatter but hardly the periapsis, which is set by
        the stage's fixed-impulse energy errors (see the README).
    srm1_closed_loop_start_s : float
        Time after SRM1 ignition at which the loop engages, s. ASSUMPTION: 25 s, after
        maximum dynamic pressure and the α-limited dense air (q falls below ~200 Pa there
        on the default ascent from Jezero).
    guidance_rate_hz : float
        Guidance update rate of the loop, Hz. ASSUMPTION: 2.5 Hz (a few per second).
    srm1_apoapsis_km : float, optional
        Apoapsis altitude (above R_eq) the loop aims at, km; default (None): the target's
        apoapsis altitude.
    srm1_max_correction_deg : float
        Largest pitch correction of the loop, deg. ASSUMPTION: 15°.
    alpha_limiter : bool
        Angle-of-attack limiter in the SRM1 steering (default on). The programme gives the
        commanded attitude; the flight computer turns it towards the relative wind so that
        α ≤ ``MAVParams.max_alpha_deg`` wherever its dynamic pressure (navigated relative
        speed, nominal model density) exceeds ``MAVParams.alpha_limit_q_pa``, and
        q·α ≤ their product below that. In the dense air the vehicle thus flies a gravity
        turn with at most ±4° of shaping; it steers freely only at low q. Off: the
        programme is flown as commanded (the unconstrained design, for comparison).
    alpha_limiter_q_margin : float
        The limiter multiplies its dynamic pressure by this factor (>= 1), since the true
        air may be denser than its model. ASSUMPTION: 2.0, which covers a +3σ density error
        of MAV_sim's 35 % 1σ dispersion (FACTS.md §8: 1 + 3 × 0.35 ≈ 2), so that dispersed
        trials also keep α ≤ 4° where their true q exceeds the threshold. 1: the nominal
        flight just meets the limit.
    """

    azimuth_deg: float = 72.0
    vertical_rise_s: float = 2.0
    pitchover_s: float = 6.0
    pitch_kick_deg: float = 75.0
    pitch_end_deg: float = 20.0
    pitch_nodes_deg: list[float] = []
    srm2_lead_s: float = 12.0
    coast_s: float | None = None
    srm2_trigger: Literal["apoapsis", "timer"] = "apoapsis"
    srm2_pitch_deg: float = 0.0
    srm2_yaw_deg: float = 0.0
    srm2_attitude: Literal["fixed", "target"] = "fixed"
    srm1_closed_loop: bool = False
    srm1_closed_loop_start_s: float = 25.0  # assumption, see the docstring
    guidance_rate_hz: float = 2.5  # assumption
    srm1_apoapsis_km: float | None = None
    srm1_max_correction_deg: float = 15.0  # assumption
    alpha_limiter: bool = True
    alpha_limiter_q_margin: float = 2.0  # assumption: +3 sigma of MAV_sim's density, FACTS.md §8

    @field_validator("azimuth_deg")
    @classmethod
    def _az(cls, v):
        return _check_range("azimuth_deg", v, -360.0, 360.0, "deg")

    @field_validator("vertical_rise_s", "pitchover_s")
    @classmethod
    def _dur(cls, v, info):
        return _check_range(info.field_name, v, 0.0, 60.0, "s")

    @field_validator("pitch_kick_deg", "pitch_end_deg")
    @classmethod
    def _pitch(cls, v, info):
        return _check_range(info.field_name, v, -30.0, 89.9, "deg")

    @field_validator("pitch_nodes_deg")
    @classmethod
    def _nodes(cls, v):
        if len(v) > 8:
            raise ValueError(f"pitch_nodes_deg has {len(v)} values; allowed: at most 8")
        return [_check_range("pitch_nodes_deg", x, -30.0, 89.9, "deg") for x in v]

    _check_ranges = range_validator(_GUIDANCE_RANGES)

    @field_validator("srm2_pitch_deg", "srm2_yaw_deg")
    @classmethod
    def _p2(cls, v, info):
        return _check_range(info.field_name, v, -90.0, 90.0, "deg")

    @model_validator(mode="after")
    def _timer(self):
        if self.srm2_trigger == "timer" and self.coast_s is None:
            raise ValueError("srm2_trigger='timer' needs coast_s (s); allowed: a value >= 0")
        return self


class IntegratorSettings(_Model):
    """Fixed RK4 step sizes, s (the step-convergence tests show their error).

    ``dt_burn_s`` is the SRM1 step after its first 8 s (graded down to 1/8 of it at
    ignition) and a fifth of the SRM2 step; ``dt_coast_s`` the coast step below 150 km
    (ten times longer above). The defaults put every dispersed trial within 10 m of its 8x
    finer solution (measured max 5.2 m over 1,000 trials).
    """

    dt_burn_s: float = 1.0
    dt_coast_s: float = 4.0

    @field_validator("dt_burn_s", "dt_coast_s")
    @classmethod
    def _dt(cls, v, info):
        return _check_range(info.field_name, v, 1e-4, 30.0, "s", lo_open=True)


class AscentConfig(_Model):
    """Everything an ascent study needs; loadable from YAML with :func:`load_ascent_config`.

    Defaults: the MAV_sim vehicle (:meth:`MAVParams.mav_sim`) to its own 300 km × 25°
    target (FACTS.md §8), from Jezero. ``launch_epoch_utc`` (UTC, ISO 8601) is the lift-off
    time; it fixes the orientation of Mars at lift-off and so the node of the delivered
    orbit in the Mars equator-and-IAU-node frame (``raan_deg``). ASSUMPTION: 2030-06-01
    00:00 UTC, in the MAV campaign of the July 2022 baseline (ERO in Mars orbit 2029,
    samples at Earth 2033, FACTS.md §2); set it for any real study, since the node moves
    360° per sol with the lift-off time. Models and callers that already hold the epoch in
    TDB seconds past J2000 set ``launch_epoch_tdb_s`` instead (no UTC string on the way);
    giving both is an error.
    """

    mav: MAVParams = MAVParams.mav_sim()
    site: LaunchSite = LaunchSite()
    target: AscentTarget = AscentTarget()
    dispersions: AscentDispersions = AscentDispersions()
    guidance: GuidanceParams | None = None
    integrator: IntegratorSettings = IntegratorSettings()
    launch_epoch_utc: str = "2030-06-01T00:00:00"  # assumption, see the docstring
    launch_epoch_tdb_s: float | None = None  # overrides launch_epoch_utc when set

    @field_validator("launch_epoch_tdb_s")
    @classmethod
    def _epoch_tdb(cls, v):
        # DE421 and the IAU rotation model are used within a few centuries of J2000
        if v is not None:
            _check_range("launch_epoch_tdb_s", v, -1e10, 1e10, "s TDB past J2000")
        return v

    @model_validator(mode="after")
    def _one_epoch(self):
        if self.launch_epoch_tdb_s is not None and "launch_epoch_utc" in self.model_fields_set:
            raise ValueError(f"launch_epoch_utc={self.launch_epoch_utc!r} and launch_epoch_tdb_s="
                             f"{self.launch_epoch_tdb_s!r} both given; allowed: one of them")
        return self

    @field_validator("launch_epoch_utc")
    @classmethod
    def _epoch(cls, v):
        from ..errors import MsrsimError
        from ..timescales import utc_to_tdb

        try:
            utc_to_tdb(v, "launch_epoch_utc")
        except MsrsimError as exc:
            raise ValueError(str(exc)) from None
        return v

    @property
    def launch_tdb_s(self) -> float:
        """Lift-off (ejection) epoch, TDB seconds past J2000 (``launch_epoch_tdb_s`` when
        set, else ``launch_epoch_utc`` converted)."""
        if self.launch_epoch_tdb_s is not None:
            return float(self.launch_epoch_tdb_s)
        from ..timescales import utc_to_tdb

        return float(utc_to_tdb(self.launch_epoch_utc, "launch_epoch_utc"))

    @property
    def launch_utc(self) -> str:
        """Lift-off epoch as a UTC string (for reports): ``launch_epoch_utc`` or the UTC of
        ``launch_epoch_tdb_s``."""
        if self.launch_epoch_tdb_s is None:
            return self.launch_epoch_utc
        from ..timescales import tdb_to_utc

        return tdb_to_utc(self.launch_epoch_tdb_s, "seconds")


_PRESETS = {"harris": MAVParams.harris, "mav_sim": MAVParams.mav_sim}


def make_config(data: dict | None = None, where: str = "") -> AscentConfig:
    """Build an :class:`AscentConfig` from a plain dict, raising one-line ConfigErrors.

    ``mav: {preset: mav_sim, ...overrides}`` starts from a named vehicle preset
    ("harris" or "mav_sim"). ``where`` names the source at the start of messages.
    """
    data = dict(data or {})
    mav = data.get("mav")
    if isinstance(mav, dict) and "preset" in mav:
        mav = dict(mav)
        name = mav.pop("preset")
        if name not in _PRESETS:
            at = f"{where}: " if where else ""
            raise ConfigError(f"{at}mav.preset={name!r} unknown; allowed: {', '.join(_PRESETS)}")
        base = _PRESETS[name]().model_dump()
        base.update(mav)
        data["mav"] = base
    return validate_model(AscentConfig, data, where)


def load_ascent_config(path: str | Path) -> AscentConfig:
    """Load an :class:`AscentConfig` from a YAML file (an ``ascent:`` section or the top level).

    Parameters
    ----------
    path : str or Path
        YAML file.
    """
    data = read_yaml(path)
    if "ascent" in data and isinstance(data["ascent"], dict):
        data = data["ascent"]
    return make_config(data, where=str(path))
