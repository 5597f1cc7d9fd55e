"""Run an entry case: nominal targeting, the Monte Carlo batch, terminal phases, ellipses."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from .. import rng as rng_policy
from ..errors import ConfigError
from . import _kernel as K
from .guidance import build_apollo_table
from .model import EntryConfig, _dest, _local_offsets_km, _Prepared
from .terminal import terminal_descent

G0 = 9.80665

STATUS_NAMES = {K.STATUS_LANDED: "landed", K.STATUS_SKIP: "skip-out", K.STATUS_TIMEOUT: "timeout"}


@dataclass
class EntryResult:
    """Per-trial results (arrays over trials, SI units; angles in degrees for places).

    Attributes
    ----------
    config : EntryConfig
    trials : dict of numpy.ndarray
        ``status`` (0 landed, 1 skip-out, 2 timeout), ``peak_g``, ``peak_heat_flux_w_cm2``,
        ``peak_radiative_w_cm2``, ``heat_load_j_cm2``, ``peak_qdyn_pa``, ``deploy_mach``,
        ``deploy_qdyn_pa``, ``deploy_alt_m``, ``deploy_time_s``, ``landing_lat_deg``,
        ``landing_lon_deg``, ``impact_speed_m_s``, ``entry_to_landing_s``,
        ``powered_descent_dv_m_s`` and the dispersed inputs.
    nominal : dict
        The undispersed trajectory's scalars (same keys).
    entry_lat_deg, entry_lon_deg : float
        Entry-interface place used (targeted so that the nominal lands on the target).
    history : dict of numpy.ndarray, optional
        Time histories of the nominal trajectory (t_s, alt_m, speed_m_s, g, heat_w_cm2,
        qdyn_pa, lat_deg, lon_deg, mach).
    ellipse : dict
        Landing dispersion statistics (see :func:`landing_ellipse`).
    guidance_table : dict, optional
        The apollo guidance reference and influence coefficients versus planet-relative
        speed (``guidance: apollo`` only).
    """

    config: EntryConfig
    trials: dict
    nominal: dict
    entry_lat_deg: float
    entry_lon_deg: float
    history: dict | None = None
    ellipse: dict = field(default_factory=dict)
    guidance_table: dict | None = None

    def summary(self, seed: int | None = None) -> dict:
        """JSON-ready summary: means over landed trials (nominal values with no trials).

        Parameters
        ----------
        seed : int, optional
            Seed the trials were drawn with, recorded in the summary.

        Returns
        -------
        dict
            ``peak_g``, ``peak_heat_flux_w_cm2`` (W/cm^2), ``heat_load_j_cm2``,
            ``peak_qdyn_pa``, ``impact_speed_m_s``, ``entry_to_landing_s``, landing centre
            (deg), 99 % and 3-sigma ellipse axes (km), zone probabilities and the nominal's
            scalars; non-finite values become None.
        """
        cfg, nom, tr, ell = self.config, self.nominal, self.trials, self.ellipse
        trials = int(np.size(tr.get("status", []))) if tr else 0
        landed = tr["status"] == 0 if trials else np.array([], bool)

        def mean_or_nom(key):
            if trials and np.any(landed) and np.all(np.isfinite(tr[key][landed])):
                return float(np.mean(tr[key][landed]))
            return nom[key]

        def clean(v):
            return None if isinstance(v, float) and not np.isfinite(v) else v

        out = {
            "preset": cfg.name,
            "trials": trials,
            "seed": seed,
            "n_landed": int(landed.sum()) if trials else int(nom["status"] == 0),
            "n_skip_out": int(np.sum(tr["status"] == 1)) if trials else int(nom["status"] == 1),
            "peak_g": mean_or_nom("peak_g"),
            "peak_heat_flux_w_cm2": mean_or_nom("peak_heat_flux_w_cm2"),
            "heat_load_j_cm2": mean_or_nom("heat_load_j_cm2"),
            "peak_qdyn_pa": mean_or_nom("peak_qdyn_pa"),
            "impact_speed_m_s": mean_or_nom("impact_speed_m_s"),
            "entry_to_landing_s": mean_or_nom("entry_to_landing_s"),
            "landing_lat_deg": ell.get("centre_lat_deg", nom["landing_lat_deg"]),
            "landing_lon_deg": ell.get("centre_lon_deg", nom["landing_lon_deg"]),
            "ellipse99_major_km": ell.get("ellipse99_major_km"),
            "ellipse99_minor_km": ell.get("ellipse99_minor_km"),
            "ellipse3s_major_km": ell.get("ellipse3s_major_km"),
            "ellipse3s_minor_km": ell.get("ellipse3s_minor_km"),
            "centre_offset_km": ell.get("centre_offset_km"),
            "p_within_radius": ell.get("p_within_radius"),
            "radius_km": cfg.target.radius_km,
            "p_inside_zone": ell.get("p_inside_zone"),
            "deploy_mach": clean(nom["deploy_mach"]),
            "deploy_alt_m": clean(nom["deploy_alt_m"]),
            "nominal": {k: clean(v) for k, v in nom.items()},
            "entry_lat_deg": self.entry_lat_deg,
            "entry_lon_deg": self.entry_lon_deg,
            "statistics": "mean over landed trials" if trials else "nominal",
        }
        return {k: clean(v) for k, v in out.items()}


_SCALAR_KEYS = ("status", "peak_g", "peak_g_speed_m_s", "peak_heat_flux_w_cm2", "peak_radiative_w_cm2",
                "heat_load_j_cm2", "peak_qdyn_pa", "deploy_time_s", "deploy_mach", "deploy_qdyn_pa",
                "deploy_alt_m", "landing_lat_deg", "landing_lon_deg", "impact_speed_m_s",
                "entry_to_landing_s", "powered_descent_dv_m_s", "bank_reversals",
                "range_control_start_s", "heading_alignment_start_s", "max_bank_rate_deg_s", "steps")


def _scalars(cfg, out, body):
    lat, lon, speed, t, dv = terminal_descent(cfg, out, body)
    landed = out[:, K.O_STATUS] == K.STATUS_LANDED
    nan = np.where(landed, 1.0, np.nan)
    return {
        "status": out[:, K.O_STATUS].astype(np.int8),
        "peak_g": out[:, K.O_PEAK_G],
        "peak_g_speed_m_s": out[:, K.O_V_PEAK_G],
        "peak_heat_flux_w_cm2": out[:, K.O_PEAK_HEAT] / 1e4,
        "peak_radiative_w_cm2": out[:, K.O_PEAK_HEAT_RAD] / 1e4,
        "heat_load_j_cm2": out[:, K.O_HEAT_LOAD] / 1e4,
        "peak_qdyn_pa": out[:, K.O_PEAK_QDYN],
        "deploy_time_s": out[:, K.O_DEPLOY_T],
        "deploy_mach": out[:, K.O_DEPLOY_MACH],
        "deploy_qdyn_pa": out[:, K.O_DEPLOY_QDYN],
        "deploy_alt_m": out[:, K.O_DEPLOY_ALT],
        "landing_lat_deg": np.degrees(lat) * nan,
        "landing_lon_deg": ((np.degrees(lon) + 180.0) % 360.0 - 180.0) * nan,
        "impact_speed_m_s": speed * nan,
        "entry_to_landing_s": t * nan,
        "powered_descent_dv_m_s": dv * nan,
        "bank_reversals": out[:, K.O_N_REVERSALS].astype(np.int32),
        "range_control_start_s": out[:, K.O_T_RANGE_CONTROL],
        "heading_alignment_start_s": out[:, K.O_T_HEADING_ALIGN],
        "max_bank_rate_deg_s": np.degrees(out[:, K.O_MAX_BANK_RATE]),
        "steps": out[:, K.O_N_STEPS].astype(np.int32),
    }


def _target_entry(prep: _Prepared, cfg: EntryConfig):
    """Entry-interface place (rad) whose nominal trajectory lands on the target."""
    e = cfg.entry
    if e.lat_deg is not None and e.lon_deg is not None:
        return math.radians(e.lat_deg), math.radians(e.lon_deg)
    if (e.lat_deg is None) != (e.lon_deg is None):
        raise ConfigError("entry.lat_deg and entry.lon_deg must be given together (or both left "
                          "out to target the entry point at the landing target)")
    body = prep.body
    tlat, tlon = math.radians(cfg.target.lat_deg), math.radians(cfg.target.lon_deg)
    az = math.radians(e.azimuth_deg)
    rng = 600e3 / body.r_eq_m  # first guess of the entry-to-landing range angle
    lat0, lon0 = _dest(tlat, tlon, az + math.pi, rng)
    # Newton iteration on the entry place: the 2x2 sensitivity of the landing point (east,
    # north) to the entry place comes from two neighbours flown in the same batch (lateral
    # guidance makes the crossrange sensitivity much smaller than one)
    d_m = 300.0
    best = (math.inf, lat0, lon0)
    for _ in range(12):
        la = np.array([lat0, lat0 + d_m / body.r_eq_m, lat0])
        lo = np.array([lon0, lon0, lon0 + d_m / (body.r_eq_m * math.cos(lat0))])
        Y0 = prep.initial_states(la, lo, np.full(3, e.alt_m), np.full(3, e.speed_m_s),
                                 np.full(3, math.radians(e.fpa_deg)), np.full(3, az))
        out, _, _ = prep.run(Y0, prep.params(3))
        if out[0, K.O_STATUS] != K.STATUS_LANDED:
            raise ConfigError(f"nominal trajectory of {cfg.name!r} does not land "
                              f"({STATUS_NAMES[int(out[0, K.O_STATUS])]}); check entry.fpa_deg")
        lat, lon, *_ = terminal_descent(cfg, out, body)
        de, dn = _local_offsets_km(lat, lon, tlat, tlon, body.r_eq_m)
        miss = math.hypot(de[0], dn[0])
        if miss < best[0]:
            best = (miss, lat0, lon0)
        if miss < 1e-3:
            break
        J = np.array([[de[2] - de[0], de[1] - de[0]], [dn[2] - dn[0], dn[1] - dn[0]]]) * 1e3 / d_m
        if np.all(out[:, K.O_STATUS] == K.STATUS_LANDED) and abs(np.linalg.det(J)) > 1e-3:
            step_e, step_n = np.linalg.solve(J, -1e3 * np.array([de[0], dn[0]]))
        else:  # plain translation by minus the miss
            step_e, step_n = -1e3 * de[0], -1e3 * dn[0]
        lat0 += step_n / body.r_eq_m
        lon0 += step_e / (body.r_eq_m * math.cos(lat0))
    _, lat0, lon0 = best
    return lat0, lon0


@dataclass
class PreparedEntry:
    """An entry case ready to fly batches: compiled model, targeted entry place, guidance.

    Built once by :func:`prepare_entry`; :func:`fly_entry_trials` then flies any number of
    per-trial entry states against it.

    Attributes
    ----------
    config : EntryConfig
    prepared : object
        The compiled model inputs (planet, vehicle, atmosphere tables).
    entry_lat_rad, entry_lon_rad : float
        Entry-interface place whose nominal trajectory lands on the target.
    guidance_table : numpy.ndarray or None
        Apollo reference table (``guidance: apollo`` only).
    """

    config: EntryConfig
    prepared: object
    entry_lat_rad: float
    entry_lon_rad: float
    guidance_table: np.ndarray | None = None


def prepare_entry(cfg: EntryConfig, atmosphere=None) -> PreparedEntry:
    """Target the nominal trajectory on the landing target and build the guidance table.

    Parameters
    ----------
    cfg : EntryConfig
    atmosphere : Atmosphere, optional
        Overrides the configured atmosphere.
    """
    prep = _Prepared(cfg, atmosphere)
    lat0, lon0 = _target_entry(prep, cfg)
    gtab = None
    if cfg.vehicle.guidance == "apollo":
        gtab = build_apollo_table(prep, cfg, lat0, lon0)
        prep.install_guidance(gtab, cfg.vehicle.apollo.overcontrol_gain)
    return PreparedEntry(cfg, prep, lat0, lon0, gtab)


#: Standard-normal columns one entry trial consumes (see :func:`fly_entry_trials`).
ENTRY_NORMALS = 12


def fly_entry_trials(pe: PreparedEntry, normals, speed_m_s, fpa_deg, azimuth_deg,
                     epoch_tdb_s=None, history: bool = False):
    """Fly per-trial entry states with the case's dispersions, in one compiled batch.

    Parameters
    ----------
    pe : PreparedEntry
    normals : array_like, shape (n, ENTRY_NORMALS)
        Standard normals of each trial (all zero: the undispersed trajectory of that
        state). Columns: 0 flight-path angle, 1 azimuth, 2 speed, 3 downrange and 4
        crossrange delivery, 5 mass, 6 drag coefficient, 7 L/D, 8 density, 9 wind, 10-11
        navigation knowledge (downrange, crossrange).
    speed_m_s, fpa_deg, azimuth_deg : array_like, shape (n,)
        Each trial's entry speed (m/s, inertial or relative as the case says), flight-path
        angle (deg, negative down) and azimuth (deg from north) at the entry interface,
        before dispersion.
    epoch_tdb_s : array_like, shape (n,), optional
        Entry epoch, TDB s past J2000. The entry model works in the planet-fixed frame with
        a time-independent atmosphere, so the epoch is carried into the result only.
    history : bool
        Record the first trial's time history.

    Returns
    -------
    trials : dict of numpy.ndarray
        As :attr:`EntryResult.trials` (``status``, ``peak_g``, ``landing_lat_deg`` ...,
        plus the dispersed inputs and ``epoch_tdb_s``).
    history : dict or None
    """
    cfg, prep = pe.config, pe.prepared
    body = prep.body
    z = np.asarray(normals, dtype=float)
    n = z.shape[0]
    if z.ndim != 2 or z.shape[1] != ENTRY_NORMALS:
        raise ConfigError(f"normals has shape {z.shape}; expected (n, {ENTRY_NORMALS})")
    speed0 = np.broadcast_to(np.asarray(speed_m_s, dtype=float), (n,))
    fpa0 = np.broadcast_to(np.asarray(fpa_deg, dtype=float), (n,))
    az0 = np.broadcast_to(np.asarray(azimuth_deg, dtype=float), (n,))
    for name, v in (("speed_m_s", speed0), ("fpa_deg", fpa0), ("azimuth_deg", az0)):
        if not np.all(np.isfinite(v)):
            raise ConfigError(f"{name} must be finite for every trial (got {v[~np.isfinite(v)][0]!r})")
    if np.any(speed0 <= 0.0):
        raise ConfigError(f"speed_m_s must be > 0 (got {speed0[speed0 <= 0.0][0]!r})")
    d = cfg.dispersions
    lat0, lon0 = pe.entry_lat_rad, pe.entry_lon_rad
    az = np.radians(az0) + np.radians(d.azimuth_deg) * z[:, 1]
    # delivery error: along/cross-track offsets of the entry point
    dr = d.downrange_km * 1e3 * z[:, 3] / body.r_eq_m
    cr = d.crossrange_km * 1e3 * z[:, 4] / body.r_eq_m
    a0 = np.radians(az0)
    la, lo = _dest(np.full(n, lat0), np.full(n, lon0), a0, dr)
    la, lo = _dest(la, lo, a0 + math.pi / 2, cr)
    speed = speed0 + d.speed_m_s * z[:, 2]
    fpa = np.radians(fpa0 + d.fpa_deg * z[:, 0])
    fpa = np.minimum(fpa, -1e-6)
    Y0 = prep.initial_states(la, lo, np.full(n, cfg.entry.alt_m), speed, fpa, az)
    v = cfg.vehicle
    mass = v.mass_kg * np.maximum(1.0 + d.mass_frac * z[:, 5], 0.5)
    cd = np.maximum(1.0 + d.cd_frac * z[:, 6], 0.5)
    ld = v.lift_to_drag * np.maximum(1.0 + d.lift_to_drag_frac * z[:, 7], 0.0)
    rho = np.exp(np.log1p(d.density_frac) * z[:, 8]) if d.density_frac else np.ones(n)
    wind = 1.0 + d.wind_frac * z[:, 9]
    P = prep.params(n, mass, cd, ld, rho, wind)
    if d.nav_downrange_km or d.nav_crossrange_km:
        # navigation knowledge error: the guidance believes the target displaced by it
        t = cfg.target
        tla, tlo = _dest(np.full(n, math.radians(t.lat_deg)), np.full(n, math.radians(t.lon_deg)),
                         a0, d.nav_downrange_km * 1e3 * z[:, 10] / body.r_eq_m)
        tla, tlo = _dest(tla, tlo, a0 + math.pi / 2, d.nav_crossrange_km * 1e3 * z[:, 11] / body.r_eq_m)
        dispersed = np.any(z[:, 10:12] != 0.0, axis=1)
        P[dispersed, K.P_TX:K.P_TZ + 1] = prep.target_vectors(tla, tlo)[dispersed]
    out, hist, cnt = prep.run(Y0, P, n_hist=1 if history else 0)
    tr = _scalars(cfg, out, body)
    tr.update({"fpa_deg": np.degrees(fpa), "speed_m_s_in": speed, "mass_kg": mass,
               "cd_scale": cd, "density_scale": rho, "wind_scale": wind, "lift_to_drag": ld})
    if epoch_tdb_s is not None:
        tr["epoch_tdb_s"] = np.broadcast_to(np.asarray(epoch_tdb_s, dtype=float), (n,)).copy()
    h = None
    if history:
        m = int(cnt[0])
        hh = hist[0, :m]
        h = {"t_s": hh[:, K.H_T], "alt_m": hh[:, K.H_ALT], "speed_m_s": hh[:, K.H_VREL],
             "g": hh[:, K.H_G], "heat_w_cm2": hh[:, K.H_HEAT] / 1e4, "qdyn_pa": hh[:, K.H_QDYN],
             "lat_deg": np.degrees(hh[:, K.H_LAT]), "lon_deg": np.degrees(hh[:, K.H_LON]),
             "mach": hh[:, K.H_MACH], "bank_deg": np.degrees(hh[:, K.H_BANK]),
             "planet_speed_m_s": hh[:, K.H_V], "drag_m_s2": hh[:, K.H_DRAG],
             "alt_rate_m_s": hh[:, K.H_RDOT], "range_to_go_m": hh[:, K.H_RANGE],
             "guidance_phase": hh[:, K.H_GPHASE].astype(np.int8)}
    return tr, h


def run_entry(cfg: EntryConfig, trials: int = 0, seed: int = 1, history: bool = False,
              atmosphere=None, rng: np.random.Generator | None = None) -> EntryResult:
    """Run the nominal trajectory and ``trials`` dispersed ones in one compiled batch.

    Parameters
    ----------
    cfg : EntryConfig
        The case (see :mod:`msrsim.entry.presets`).
    trials : int
        Number of Monte Carlo trials (0: nominal only).
    seed : int
        Random seed; the trials' normals are the "entry" stream of :mod:`msrsim.rng`, so
        trial ``k`` draws the same dispersions however many trials are flown.
    history : bool
        Record the nominal trajectory's time history.
    atmosphere : Atmosphere, optional
        Overrides the configured atmosphere.
    rng : numpy.random.Generator, optional
        Draw the trials' normals from this generator instead of ``seed`` (callers that own
        a random-number policy, e.g. the campaign, give each phase its own stream).
    """
    if not isinstance(trials, int | np.integer) or trials < 0 or trials > 10_000_000:
        raise ConfigError(f"trials={trials!r} must be an integer in 0..10000000")
    pe = prepare_entry(cfg, atmosphere)
    e = cfg.entry
    if rng is not None:
        z = rng.standard_normal((trials, ENTRY_NORMALS))
    else:
        z = _normals(seed, trials, ENTRY_NORMALS)
    z = np.vstack([np.zeros((1, ENTRY_NORMALS)), z])  # row 0 is the nominal
    n = trials + 1
    res, h = fly_entry_trials(pe, z, np.full(n, e.speed_m_s), np.full(n, e.fpa_deg),
                              np.full(n, e.azimuth_deg), history=history)
    nominal = {k: (a[0].item() if hasattr(a[0], "item") else a[0]) for k, a in res.items()
               if k in _SCALAR_KEYS}
    tr = {k: a[1:] for k, a in res.items()}
    r = EntryResult(cfg, tr, nominal, math.degrees(pe.entry_lat_rad), math.degrees(pe.entry_lon_rad), h)
    gtab = pe.guidance_table
    if gtab is not None:
        r.guidance_table = {"speed_m_s": gtab[:, K.G_V], "range_to_go_m": gtab[:, K.G_R],
                            "drag_m_s2": gtab[:, K.G_D], "alt_rate_m_s": gtab[:, K.G_HD],
                            "f1_dr_ddrag_s2": gtab[:, K.G_F1], "f2_dr_drdot_s": gtab[:, K.G_F2],
                            "f3_dr_dld_m": gtab[:, K.G_F3]}
    if trials >= 3:
        r.ellipse = landing_ellipse(tr["landing_lat_deg"], tr["landing_lon_deg"], cfg.entry.azimuth_deg,
                                    body_radius_m(pe), cfg)
    return r


def body_radius_m(pe: PreparedEntry) -> float:
    """Equatorial radius of the entry case's planet, m."""
    return float(pe.prepared.body.r_eq_m)


def _normals(seed: int, n: int, k: int) -> np.ndarray:
    """(n, k) standard normals of an entry Monte Carlo: the "entry" stream of :mod:`msrsim.rng`
    (trial ``i`` draws the same numbers however many trials are flown)."""
    return rng_policy.normals(seed, "entry", 0, n, k)


def point_in_polygon(lat_deg, lon_deg, poly_lat_lon_deg) -> np.ndarray:
    """Even-odd rule test of points against a lat/lon polygon (small regions), bool array."""
    poly = np.asarray(poly_lat_lon_deg, dtype=float)
    y = np.asarray(lat_deg, dtype=float)[..., None]
    x = np.asarray(lon_deg, dtype=float)[..., None]
    y1, x1 = poly[:, 0], poly[:, 1]
    y2, x2 = np.roll(y1, -1), np.roll(x1, -1)
    with np.errstate(divide="ignore", invalid="ignore"):
        cross = ((y1 > y) != (y2 > y)) & (x < (x2 - x1) * (y - y1) / (y2 - y1) + x1)
    return (np.sum(cross, axis=-1) % 2) == 1


def landing_ellipse(lat_deg, lon_deg, azimuth_deg: float, r_m: float, cfg: EntryConfig | None = None) -> dict:
    """Landing dispersion ellipse in the along/cross-track frame.

    Points are mapped to a local tangent plane (east, north, km) at their mean; the 2x2
    covariance gives the Gaussian 3-sigma ellipse (semi-axes 3 sqrt(eigenvalue)) and the
    99 % ellipse (semi-axes sqrt(chi2_2(0.99) = 9.2103) sqrt(eigenvalue)). Reported axes are
    full lengths (like the 7.7 x 6.6 km Mars 2020 ellipse). Trials that did not land are
    excluded and counted.

    Returns
    -------
    dict
        ``n_landed``, ``n_failed``, ``along_track_1sigma_km``, ``cross_track_1sigma_km``,
        ``ellipse99_major_km``, ``ellipse99_minor_km``, ``ellipse3s_major_km``,
        ``ellipse3s_minor_km``, ``major_axis_azimuth_deg``, ``centre_lat_deg``,
        ``centre_lon_deg``, ``centre_offset_km`` (from the target), ``contained99`` (fraction
        of points inside the 99 % ellipse), and zone probabilities when ``cfg`` has them.
    """
    lat = np.radians(np.asarray(lat_deg, dtype=float))
    lon = np.radians(np.asarray(lon_deg, dtype=float))
    ok = np.isfinite(lat) & np.isfinite(lon)
    res: dict = {"n_landed": int(ok.sum()), "n_failed": int((~ok).sum())}
    if ok.sum() < 3:
        return res
    la, lo = lat[ok], lon[ok]
    c_lat = float(np.mean(la))
    c_lon = float(np.arctan2(np.mean(np.sin(lo)), np.mean(np.cos(lo))))
    e, n = _local_offsets_km(la, lo, c_lat, c_lon, r_m)
    az = math.radians(azimuth_deg)
    along = e * math.sin(az) + n * math.cos(az)
    cross = e * math.cos(az) - n * math.sin(az)
    cov = np.cov(np.vstack([e, n]))
    w, vec = np.linalg.eigh(cov)
    w = np.maximum(w, 0.0)
    k99 = math.sqrt(9.210340371976182)  # chi-square, 2 dof, 0.99
    maj = vec[:, 1]
    inv = np.linalg.pinv(cov)
    d2 = np.einsum("ij,ji->i", np.vstack([e, n]).T, inv @ np.vstack([e, n]))
    res.update({
        "along_track_1sigma_km": float(np.std(along, ddof=1)),
        "cross_track_1sigma_km": float(np.std(cross, ddof=1)),
        "ellipse99_major_km": float(2 * k99 * math.sqrt(w[1])),
        "ellipse99_minor_km": float(2 * k99 * math.sqrt(w[0])),
        "ellipse3s_major_km": float(6 * math.sqrt(w[1])),
        "ellipse3s_minor_km": float(6 * math.sqrt(w[0])),
        "major_axis_azimuth_deg": float(math.degrees(math.atan2(maj[0], maj[1])) % 180.0),
        "centre_lat_deg": math.degrees(c_lat),
        "centre_lon_deg": (math.degrees(c_lon) + 180.0) % 360.0 - 180.0,
        "contained99": float(np.mean(d2 <= 9.210340371976182)),
        "cov_en_km2": cov,
    })
    if cfg is not None:
        t = cfg.target
        tlat, tlon = math.radians(t.lat_deg), math.radians(t.lon_deg)
        de, dn = _local_offsets_km(c_lat, c_lon, tlat, tlon, r_m)
        res["centre_offset_km"] = float(math.hypot(de, dn))
        n_all = len(lat)
        if t.radius_km is not None:
            pe, pn = _local_offsets_km(la, lo, tlat, tlon, r_m)
            res["p_within_radius"] = float(np.sum(np.hypot(pe, pn) <= t.radius_km) / n_all)
            res["radius_km"] = t.radius_km
        if t.polygon_lat_lon_deg is not None:
            inside = point_in_polygon(np.degrees(la), np.degrees(lo), t.polygon_lat_lon_deg)
            res["p_inside_zone"] = float(np.sum(inside) / n_all)
            res["zone"] = t.polygon_name
    return res
