"""One nominal ascent with its time history (for figures and inspection)."""

from __future__ import annotations

from dataclasses import dataclass

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
        Delivered orbit and Δv budget (scalars).
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
                          launch_rotation_angle_rad(cfg))
    orb1 = {k: v[0].item() for k, v in orb.items()}
    return AscentHistory(h[:, K.H_T], h[:, K.H_ALT], h[:, K.H_VREL], h[:, K.H_VIN], h[:, K.H_Q],
                         h[:, K.H_ACC], h[:, K.H_MASS], h[:, K.H_ALPHA],
                         h[:, K.H_MODE].astype(int), orb1)
