"""One nominal ascent with its time history (for figures and inspection)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from . import _dynamics as K
from .core import (
    delivered_orbit,
    kernel_inputs,
    launch_rotation_angle_rad,
    nominal_row,
    run_single_history,
)
from .params import AscentConfig, GuidanceParams


@dataclass(frozen=True)
class AscentHistory:
    """Time history of one ascent (arrays over integration steps, SI units).

    Attributes
    ----------
    t_s, alt_m, speed_rel_m_s, speed_inertial_m_s, dynamic_pressure_pa, accel_m_s2,
    mass_kg, alpha_rad : numpy.ndarray
    phase : numpy.ndarray of int
        0 unpowered, 1 SRM1, 2 SRM2.
    orbit : dict
        Delivered orbit, Δv budget and flight-load maxima (scalars; see
        :func:`~msrsim.ascent.core.delivered_orbit`).
    r_m, v_m_s : numpy.ndarray, shape (n, 3)
        Position and velocity in the integrator's Mars-centred inertial frame (Mars equator,
        x through the prime meridian at ejection), m and m/s.
    body_axis : numpy.ndarray, shape (n, 3)
        Vehicle axis (unit; the thrust direction without nozzle misalignment) in powered
        flight, zeros when unpowered.
    thrust_n : numpy.ndarray
        Thrust, N.
    axial_accel_m_s2 : numpy.ndarray
        Sensed acceleration along the body axis (thrust and drag), m/s^2; 0 when unpowered.

    Every row is the state at the start of an integration step, where the kernel also
    takes its load maxima.
    """

    t_s: np.ndarray
    alt_m: np.ndarray
    speed_rel_m_s: np.ndarray
    speed_inertial_m_s: np.ndarray
    dynamic_pressure_pa: np.ndarray
    accel_m_s2: np.ndarray
    mass_kg: np.ndarray
    alpha_rad: np.ndarray
    phase: np.ndarray
    orbit: dict
    r_m: np.ndarray = field(default=None, repr=False)
    v_m_s: np.ndarray = field(default=None, repr=False)
    body_axis: np.ndarray = field(default=None, repr=False)
    thrust_n: np.ndarray = field(default=None, repr=False)
    axial_accel_m_s2: np.ndarray = field(default=None, repr=False)


def fly_nominal(cfg: AscentConfig, guidance: GuidanceParams) -> AscentHistory:
    """Fly the undispersed ascent and record its history.

    Parameters
    ----------
    cfg : AscentConfig
    guidance : GuidanceParams
    """
    inputs = kernel_inputs(cfg)
    out, h = run_single_history(nominal_row(cfg, guidance), inputs)
    orb = delivered_orbit(out[None, :], cfg.target.min_periapsis_alt_km, cfg.target,
                          launch_rotation_angle_rad(cfg), mav=cfg.mav)
    orb1 = {k: v[0].item() for k, v in orb.items()}
    return AscentHistory(h[:, K.H_T], h[:, K.H_ALT], h[:, K.H_VREL], h[:, K.H_VIN], h[:, K.H_Q],
                         h[:, K.H_ACC], h[:, K.H_MASS], h[:, K.H_ALPHA],
                         h[:, K.H_MODE].astype(int), orb1,
                         h[:, K.H_R0:K.H_R0 + 3].copy(), h[:, K.H_V0:K.H_V0 + 3].copy(),
                         h[:, K.H_B0:K.H_B0 + 3].copy(), h[:, K.H_THRUST], h[:, K.H_AXIAL])
