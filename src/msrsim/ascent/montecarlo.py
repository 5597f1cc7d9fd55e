"""Ascent Monte Carlo: dispersed trials flown in one batched compiled call."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .. import rng as rng_policy
from ..errors import ConfigError
from . import _dynamics as K
from .core import (
    delivered_orbit,
    kernel_inputs,
    launch_rotation_angle_rad,
    nominal_row,
    run_batch,
)
from .params import AscentConfig, AscentDispersions, GuidanceParams

# standard-normal columns one trial consumes, in this order: 17 for the vehicle and flight
# (see _rows_from_normals), 3 for the inert masses and payload, 2 for the SRM1
# attitude-control error
_BLOCKS = (17, 3, 2)
ASCENT_NORMALS = sum(_BLOCKS)


def seeded_normals(seed: int, n_trials: int) -> np.ndarray:
    """The (n_trials, ASCENT_NORMALS) normals of an ascent Monte Carlo with an integer seed:
    the "ascent" stream of :mod:`msrsim.rng`, the package's one random-number policy."""
    return rng_policy.normals(int(seed), "ascent", 0, int(n_trials), ASCENT_NORMALS)


def draw_normals(rng: np.random.Generator, n_trials: int) -> np.ndarray:
    """The (n_trials, ASCENT_NORMALS) standard normals of ``n_trials`` trials from ``rng``.

    Drawn block by block ((n, 17), then (n, 3), then (n, 2)), the order the ascent Monte
    Carlo has always used, so a seed gives the same trials as before the columns were
    exposed.
    """
    return np.hstack([rng.standard_normal((int(n_trials), k)) for k in _BLOCKS])


def _rows_from_normals(cfg: AscentConfig, guidance: GuidanceParams, z: np.ndarray,
                       disp: AscentDispersions | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Kernel rows (n, N_PARAM) from standard normals ``z`` (n, ASCENT_NORMALS), and a mask
    of the rows whose dispersed SRM1 propellant or inert mass is physical (> 0, >= 0)."""
    d = disp or cfg.dispersions
    n = z.shape[0]
    P = np.repeat(nominal_row(cfg, guidance)[None, :], n, axis=0)
    deg = math.radians(1.0)
    mav = cfg.mav
    P[:, K.I_ALT] += d.pad_altitude_m * z[:, 0]
    P[:, K.I_RHO_SCALE] = np.maximum(0.05, 1.0 + d.density_frac * z[:, 1])
    mis1 = d.thrust_misalignment_deg * deg * z[:, 2:4]  # SRM1 misalignment, rad per axis
    mis2 = d.thrust_misalignment_deg * deg * z[:, [4, 7]]  # SRM2 misalignment, rad per axis
    controlled = d.misalignment_model == "controlled"
    if controlled:
        # see AscentDispersions: the SRM1 attitude loop trims the misalignment out (cos δ
        # thrust loss, applied through Isp at unchanged mass flow); the SRM2 spin averages
        # its lateral thrust, leaving the angular-momentum walk's mean offset k·δ
        P[:, K.I_ISP1] *= np.cos(np.hypot(mis1[:, 0], mis1[:, 1]))
        mis2 = mav.srm2_coning_factor * mis2
    else:
        P[:, K.I_MIS1_1] = mis1[:, 0]
        P[:, K.I_MIS1_2] = mis1[:, 1]
    # SRM2: misalignment (or its coning offset), tip-off and attitude pointing add per axis
    P[:, K.I_ERR2_1] = mis2[:, 0] + deg * (d.tipoff_deg * z[:, 5] + d.srm2_pointing_deg * z[:, 6])
    P[:, K.I_ERR2_2] = mis2[:, 1] + deg * (d.tipoff_deg * z[:, 8] + d.srm2_pointing_deg * z[:, 9])
    P[:, K.I_IGN_E1] = d.ignition_attitude_deg * deg * z[:, 10]
    P[:, K.I_IGN_E2] = d.ignition_attitude_deg * deg * z[:, 11]
    # thrust level: burn time scales inversely (total impulse kept)
    kf1 = np.maximum(0.5, 1.0 + d.thrust_frac * z[:, 12])
    kf2 = np.maximum(0.5, 1.0 + d.thrust_frac * z[:, 13])
    P[:, K.I_TB1] = mav.srm1.burn_time_s / kf1
    P[:, K.I_TB2] = mav.srm2.burn_time_s / kf2
    P[:, K.I_ISP1] *= np.maximum(0.5, 1.0 + d.isp_frac * z[:, 14])
    P[:, K.I_ISP2] *= np.maximum(0.5, 1.0 + d.isp_frac * z[:, 15])
    # masses: payload, propellant (both stages, one draw: same casting lot) and inert
    dprop = d.propellant_frac * z[:, 16]
    dp1 = mav.srm1.propellant_kg * dprop
    dp2 = mav.srm2.propellant_kg * dprop
    P[:, K.I_PROP1] += dp1
    P[:, K.I_PROP2] += dp2
    P[:, K.I_M0] += dp1 + dp2
    # inert masses and payload (second block, so the first block's meaning never changes)
    dinert1 = mav.srm1.inert_kg * d.inert_frac * z[:, 17]
    dinert2 = mav.srm2.inert_kg * d.inert_frac * z[:, 18]
    dpay = d.payload_kg * z[:, 19]
    P[:, K.I_DROP1] += dinert1
    P[:, K.I_M0] += dinert1 + dinert2 + dpay
    # third block: SRM1 residual pointing error of the attitude loop (controlled model)
    if controlled:
        P[:, K.I_MIS1_1] = d.attitude_control_error_deg * deg * z[:, 20]
        P[:, K.I_MIS1_2] = d.attitude_control_error_deg * deg * z[:, 21]
    valid = (P[:, K.I_PROP1] > 0) & (P[:, K.I_DROP1] >= 0) & (P[:, K.I_PROP2] > 0)
    mass_after1 = P[:, K.I_M0] - P[:, K.I_PROP1] - P[:, K.I_DROP1]
    valid &= mass_after1 - P[:, K.I_PROP2] > 0
    return P, valid


def _check_normals(normals, n_trials: int | None = None) -> np.ndarray:
    z = np.asarray(normals, dtype=float)
    if z.ndim != 2 or z.shape[1] != ASCENT_NORMALS:
        raise ConfigError(f"normals has shape {z.shape}; allowed: (n_trials, {ASCENT_NORMALS})")
    if n_trials is not None and z.shape[0] != int(n_trials):
        raise ConfigError(f"normals has {z.shape[0]} rows for n_trials={n_trials}; allowed: equal")
    if not np.all(np.isfinite(z)):
        raise ConfigError("normals must be finite (got a NaN or inf)")
    return z


def dispersed_rows(cfg: AscentConfig, guidance: GuidanceParams, n_trials: int,
                   rng: np.random.Generator | None = None, disp: AscentDispersions | None = None,
                   *, normals: np.ndarray | None = None) -> np.ndarray:
    """Kernel parameter matrix (n_trials, N_PARAM) with the dispersions of ``disp`` applied.

    Parameters
    ----------
    cfg : AscentConfig
    guidance : GuidanceParams
    n_trials : int
    rng : numpy.random.Generator, optional
        Source of the standard normals when ``normals`` is not given: drawn by
        :func:`draw_normals` (a fixed block order, so a seed gives the same trials
        whatever else changes).
    disp : AscentDispersions, optional
        1-sigma dispersions; default ``cfg.dispersions``. ``disp.misalignment_model``
        selects how a thrust misalignment acts (see :class:`AscentDispersions`).
    normals : numpy.ndarray, shape (n_trials, ASCENT_NORMALS), optional
        The trials' standard normals (a caller that derives its own random streams).
        Columns: 0 pad altitude, 1 density, 2-3 SRM1 misalignment, 4 and 7 SRM2
        misalignment, 5 and 8 SRM2 tip-off, 6 and 9 SRM2 pointing, 10-11 ignition
        attitude, 12-13 thrust level (SRM1, SRM2), 14-15 Isp, 16 propellant (both stages),
        17-18 inert mass (SRM1, SRM2), 19 payload, 20-21 SRM1 attitude-control error.

    Raises
    ------
    ConfigError
        If a row's dispersed SRM1 propellant or inert mass is not physical (use
        :func:`fly_trials` to record such a trial as failed instead).
    """
    if normals is None:
        if rng is None:
            raise ConfigError("dispersed_rows needs rng or normals")
        z = draw_normals(rng, n_trials)
    else:
        z = _check_normals(normals, n_trials)
    P, valid = _rows_from_normals(cfg, guidance, z, disp)
    if not np.all(valid):
        raise ConfigError("dispersions drew a non-positive propellant or inert mass; "
                          "reduce propellant_frac / inert_frac")
    return P


# per-trial arrays returned by fly_trials (besides those of delivered_orbit)
_TRIAL_KEYS = ("periapsis_alt_km", "apoapsis_alt_km", "inclination_deg", "raan_deg",
               "raan_fixed_deg", "argp_deg", "a_km", "e", "orbit_ok", "limits_ok",
               "dv_total_m_s", "shortfall_m_s", "impact", "flight_time_s", "max_q_pa",
               "max_axial_g", "max_alpha_deg_high_q", "max_q_alpha_pa_deg")


def fly_trials(cfg: AscentConfig, guidance: GuidanceParams, normals: np.ndarray,
               launch_tdb_s) -> dict:
    """Fly one dispersed ascent per row of ``normals``, each from its own lift-off epoch.

    One batched compiled call; a trial that does not reach orbit is an outcome, never an
    exception. Rows of zeros fly the nominal ascent exactly.

    Parameters
    ----------
    cfg : AscentConfig
        Vehicle, site, target, dispersions (1-sigma) and integrator (its launch epoch is
        not used: ``launch_tdb_s`` gives each trial's).
    guidance : GuidanceParams
        Steering flown by every trial (usually from :func:`design_guidance`).
    normals : numpy.ndarray, shape (n, ASCENT_NORMALS)
        Standard normals of each trial (column meaning: :func:`dispersed_rows`).
    launch_tdb_s : float or numpy.ndarray, shape (n,)
        Lift-off epoch of each trial, TDB seconds past J2000. It only sets the orientation
        of Mars at lift-off, i.e. the node ``raan_deg`` in the Mars equator-and-IAU-node
        frame (the atmosphere model does not depend on the date).

    Returns
    -------
    dict of numpy.ndarray, shape (n,)
        ``periapsis_alt_km``, ``apoapsis_alt_km`` (km above the equatorial radius),
        ``inclination_deg``, ``raan_deg``, ``raan_fixed_deg``, ``argp_deg``, ``a_km``,
        ``e``, ``dv_total_m_s``, ``shortfall_m_s`` (m/s still needed to raise periapsis to
        the target's minimum), ``flight_time_s``, ``max_q_pa``, ``max_axial_g``,
        ``max_alpha_deg_high_q``, ``max_q_alpha_pa_deg``, and the masks ``orbit_ok``
        (bound orbit, no impact, periapsis above ``cfg.target.min_periapsis_alt_km``),
        ``limits_ok`` (α and axial-g limits kept), ``impact`` and ``valid`` (the dispersed
        vehicle is physical). Orbit fields of a trial that impacts are those of its
        (sub-orbital) arc at the ground; an unbound trial has ``apoapsis_alt_km``,
        ``a_km`` and ``shortfall_m_s`` NaN; every field of a non-physical vehicle (``valid`` False) is NaN,
        with ``orbit_ok`` and ``limits_ok`` False.
    """
    z = _check_normals(normals)
    n = z.shape[0]
    t = np.asarray(launch_tdb_s, dtype=float)
    if t.ndim > 1 or (t.ndim == 1 and t.shape[0] != n):
        raise ConfigError(f"launch_tdb_s has shape {t.shape} for {n} trials; allowed: () or ({n},)")
    t = np.broadcast_to(t, (n,))
    w = launch_rotation_angle_rad(launch_tdb_s=t)
    P, valid = _rows_from_normals(cfg, guidance, z)
    if not np.all(valid):
        P[~valid] = nominal_row(cfg, guidance)  # flown, then blanked below
    out = run_batch(P, kernel_inputs(cfg))
    orb = delivered_orbit(out, cfg.target.min_periapsis_alt_km, None, w, mav=cfg.mav)
    res = {k: np.array(orb[k], dtype=float) for k in _TRIAL_KEYS}
    bound = np.isfinite(res["apoapsis_alt_km"])
    for k in ("apoapsis_alt_km", "a_km", "shortfall_m_s"):
        res[k][~bound] = np.nan
    res["orbit_ok"] = orb["orbit_ok"] & bound & valid
    res["limits_ok"] = orb["limits_ok"] & valid
    res["impact"] = orb["impact"] & valid
    res["valid"] = valid
    for v in res.values():
        if v.dtype.kind == "f":
            v[~valid] = np.nan
    return res


@dataclass(frozen=True)
class AscentMonteCarlo:
    """Result of :func:`run_monte_carlo`.

    Attributes
    ----------
    orbits : dict of numpy.ndarray
        Per-trial delivered orbit and Δv budget (keys of
        :func:`~msrsim.ascent.core.delivered_orbit`).
    p_orbit_ok : float
        Fraction of trials with periapsis above the target's ``min_periapsis_alt_km``.
    n_trials : int
    seed : int
    p_within_limits : float
        Fraction of trials within the vehicle's α (at q above the threshold) and axial
        acceleration limits (``orbits["limits_ok"]``).
    """

    orbits: dict
    p_orbit_ok: float
    n_trials: int
    seed: int
    p_within_limits: float | None = None

    def summary(self) -> dict:
        """Mean, standard deviation and 1st/99th percentiles of the main orbit quantities and
        of the flight-load maxima (plus their largest value, ``max``, for the loads)."""
        res = {}
        for k in ("a_km", "e", "inclination_deg", "raan_deg", "periapsis_alt_km", "apoapsis_alt_km",
                  "shortfall_m_s", "target_dv_m_s", "max_alpha_deg_high_q", "max_q_alpha_pa_deg",
                  "max_q_pa", "max_axial_g"):
            if k not in self.orbits:
                continue
            x = self.orbits[k]
            x = x[np.isfinite(x)]
            if k == "raan_deg" and x.size:
                # an angle: unwrap around the circular mean before the statistics
                c = math.degrees(math.atan2(np.mean(np.sin(np.radians(x))),
                                            np.mean(np.cos(np.radians(x)))))
                x = c + (x - c + 180.0) % 360.0 - 180.0
            if x.size == 0:
                continue
            res[k] = {"mean": float(x.mean()), "std": float(x.std()),
                      "p01": float(np.percentile(x, 1)), "p99": float(np.percentile(x, 99))}
            if k.startswith("max_"):
                res[k]["max"] = float(x.max())
            if k == "raan_deg":
                for q in ("mean", "p01", "p99"):
                    res[k][q] = float(res[k][q] % 360.0)
        return res


def run_monte_carlo(cfg: AscentConfig, guidance: GuidanceParams, n_trials: int = 1000,
                    seed: int = 0) -> AscentMonteCarlo:
    """Fly ``n_trials`` dispersed ascents (one batched call) and collect the delivered orbits.

    Parameters
    ----------
    cfg : AscentConfig
        Vehicle, site, target, dispersions (1-sigma) and integrator.
    guidance : GuidanceParams
        Steering flown by every trial (usually from :func:`design_guidance`).
    n_trials : int
        Number of trials (>= 1).
    seed : int
        Seed; the trials' normals are the "ascent" stream of :mod:`msrsim.rng` (trial ``i``
        draws the same numbers however many trials are flown).
    """
    if int(n_trials) < 1 or int(n_trials) > 10_000_000:
        raise ConfigError(f"n_trials={n_trials!r} outside the allowed range 1..10000000")
    P = dispersed_rows(cfg, guidance, int(n_trials), normals=seeded_normals(seed, int(n_trials)))
    out = run_batch(P, kernel_inputs(cfg))
    orb = delivered_orbit(out, cfg.target.min_periapsis_alt_km, cfg.target,
                          launch_rotation_angle_rad(cfg), mav=cfg.mav)
    return AscentMonteCarlo(orb, float(np.mean(orb["orbit_ok"])), int(n_trials), int(seed),
                            float(np.mean(orb["limits_ok"])))


# unit of each 1-sigma dispersion (AscentDispersions field order)
DISPERSION_UNITS = {
    "pad_altitude_m": "m", "density_frac": "fraction", "thrust_misalignment_deg": "deg per axis",
    "payload_kg": "kg", "thrust_frac": "fraction", "isp_frac": "fraction",
    "propellant_frac": "fraction", "inert_frac": "fraction", "ignition_attitude_deg": "deg per axis",
    "tipoff_deg": "deg per axis", "srm2_pointing_deg": "deg per axis",
    "attitude_control_error_deg": "deg per axis",
}


def dispersion_sensitivity(cfg: AscentConfig, guidance: GuidanceParams, n_trials: int = 1000,
                           seed: int = 0) -> dict:
    """Delivered-orbit scatter caused by each dispersion source alone, and by all together.

    For every non-zero field of ``cfg.dispersions`` a Monte Carlo with only that source
    switched on is flown (same seed, so the sources share their random draws); all of them
    go through the integrator in one batched call.

    Parameters
    ----------
    cfg : AscentConfig
    guidance : GuidanceParams
    n_trials : int
        Trials per source (>= 2).
    seed : int

    Returns
    -------
    dict
        ``{source: {"sigma": value, "unit": str, "periapsis_std_km", "apoapsis_std_km",
        "periapsis_mean_shift_km", "inclination_std_deg", "p_orbit_ok"}}`` with a final
        ``"all"`` entry (every source at once) and ``"rss_of_sources"`` (root sum square of
        the single-source periapsis and apoapsis standard deviations: close to "all" when
        the response is linear).
    """
    n = int(n_trials)
    if n < 2 or n > 1_000_000:
        raise ConfigError(f"n_trials={n_trials!r} outside the allowed range 2..1000000")
    d_all = cfg.dispersions
    sources = [k for k in type(d_all).sigma_fields() if getattr(d_all, k) > 0.0]
    blocks = []
    for k in sources:
        d1 = AscentDispersions.none().model_copy(update={k: getattr(d_all, k),
                                                        "misalignment_model": d_all.misalignment_model})
        blocks.append(dispersed_rows(cfg, guidance, n, disp=d1, normals=seeded_normals(seed, n)))
    blocks.append(dispersed_rows(cfg, guidance, n, disp=d_all, normals=seeded_normals(seed, n)))
    out = run_batch(np.vstack(blocks), kernel_inputs(cfg))
    orb = delivered_orbit(out, cfg.target.min_periapsis_alt_km)
    nom = delivered_orbit(run_batch(nominal_row(cfg, guidance)[None, :], kernel_inputs(cfg)),
                          cfg.target.min_periapsis_alt_km)
    hp0 = float(nom["periapsis_alt_km"][0])
    res = {}
    for j, k in enumerate([*sources, "all"]):
        sl = slice(j * n, (j + 1) * n)
        hp = orb["periapsis_alt_km"][sl]
        ha = orb["apoapsis_alt_km"][sl]
        ha = ha[np.isfinite(ha)]
        res[k] = {
            "sigma": None if k == "all" else float(getattr(d_all, k)),
            "unit": None if k == "all" else DISPERSION_UNITS.get(k, ""),
            "periapsis_std_km": float(np.std(hp)),
            "periapsis_mean_shift_km": float(np.mean(hp) - hp0),
            "apoapsis_std_km": float(np.std(ha)) if ha.size else float("inf"),
            "inclination_std_deg": float(np.std(orb["inclination_deg"][sl])),
            "p_orbit_ok": float(np.mean(orb["orbit_ok"][sl])),
        }
    res["rss_of_sources"] = {
        "periapsis_std_km": float(math.sqrt(sum(res[k]["periapsis_std_km"] ** 2 for k in sources))),
        "apoapsis_std_km": float(math.sqrt(sum(res[k]["apoapsis_std_km"] ** 2 for k in sources))),
    }
    return res
