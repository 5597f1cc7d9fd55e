"""Entry configuration (pydantic), the batch runner, landing ellipses and zones."""

from __future__ import annotations

import math
from typing import Literal

import numpy as np
from pydantic import ConfigDict, Field, field_validator, model_validator

from ..bodies import EARTH, MARS
from ..config import ConfigModel, validate_model

_STRICT = ConfigDict(extra="forbid", frozen=True)


class Parachute(ConfigModel):
    """Parachute deployed on a Mach trigger; then descent to the powered-descent altitude."""

    model_config = _STRICT
    mach_deploy: float = Field(gt=0.0, le=5.0)
    diameter_m: float = Field(gt=0.0, le=100.0)
    cd: float = Field(gt=0.0, le=3.0)


class PoweredDescent(ConfigModel):
    """Terminal powered descent from ``start_alt_agl_m`` (constant deceleration to touchdown)."""

    model_config = _STRICT
    start_alt_agl_m: float = Field(gt=0.0, le=20e3)
    touchdown_speed_m_s: float = Field(ge=0.0, le=10.0)


class ApolloGuidance(ConfigModel):
    """Settings of the MSL/Apollo entry terminal point controller (``guidance: apollo``).

    Defaults follow MSL where a published figure exists (cited); the rest are stated
    assumptions of MSL class. ``guidance_period_s`` (2 s) is an assumption: the Apollo
    command module's entry guidance is recalled (unverified) to have run on a 2 s cycle and
    MSL's may have run faster; integrator steps end on every guidance tick, so a shorter
    period costs run time roughly in proportion (1 s: ~1.7x the 2 s cost).
    """

    model_config = _STRICT
    # ASSUMPTION: Apollo final-phase over-control gain of the range error (MSL tuned its own)
    overcontrol_gain: float = Field(default=4.0, ge=0.0, le=50.0)
    # MSL: range control starts when the sensed drag exceeds 0.2 Earth g = 1.96 m/s^2
    # (Mendeck & Craig, AIAA 2011-6639, as summarised by Zheng, Cui & Tian, AIAA 2015-2398)
    range_control_drag_m_s2: float = Field(default=1.96, gt=0.0, le=100.0)
    # MSL: range control hands over to heading alignment at ~1100 m/s (Mendeck & Craig 2011)
    heading_alignment_speed_m_s: float = Field(default=1100.0, ge=0.0, le=20e3)
    bank_rate_deg_s: float = Field(default=20.0, gt=0.0, le=360.0)  # ASSUMPTION: MSL-class RCS
    bank_accel_deg_s2: float = Field(default=5.0, gt=0.0, le=360.0)  # ASSUMPTION: MSL-class RCS
    guidance_period_s: float = Field(default=2.0, ge=0.1, le=10.0)  # ASSUMPTION (see docstring)
    heading_alignment_bank_max_deg: float = Field(default=30.0, ge=0.0, le=90.0)  # ASSUMPTION
    heading_alignment_gain: float = Field(default=10.0, ge=0.0, le=100.0)  # ASSUMPTION: deg/deg
    # crossrange corridor for bank reversals, [speed m/s, half-width km] rows (ASSUMPTION:
    # narrowing with speed as in Apollo/MSL; MSL tuned its own deadbands)
    corridor_km: list[tuple[float, float]] = [(1000.0, 1.0), (3000.0, 4.0), (6000.0, 12.0)]

    @field_validator("corridor_km")
    @classmethod
    def _corr(cls, v):
        sp = np.array([r[0] for r in v], float)
        km = np.array([r[1] for r in v], float)
        if sp.size < 1 or np.any(np.diff(sp) <= 0) or np.any(km <= 0) or not np.all(np.isfinite(km)):
            raise ValueError("corridor_km needs rows [speed m/s, km > 0] with strictly increasing speeds")
        return v


class Vehicle(ConfigModel):
    """Entry vehicle. ``cd`` is a constant, or ``cd_mach`` a table of [Mach, CD] rows.

    ``guidance``: ``none`` (constant bank ``bank_deg``), ``bank-reversal`` (constant bank
    magnitude, instantaneous reversals when the target leaves a deadband of ``deadband_s``
    times the speed; ``lateral`` is an alias) or ``apollo`` (the MSL entry terminal point
    controller about a reference flown at ``bank_deg``; see :class:`ApolloGuidance`).
    """

    model_config = _STRICT
    mass_kg: float = Field(gt=0.0, le=1e5)
    diameter_m: float = Field(gt=0.0, le=50.0)
    cd: float | None = Field(default=None, gt=0.0, le=5.0)
    cd_mach: list[tuple[float, float]] | None = None
    lift_to_drag: float = Field(default=0.0, ge=0.0, le=1.0)
    nose_radius_m: float = Field(gt=0.0, le=20.0)
    bank_deg: float = Field(default=0.0, ge=-180.0, le=180.0)
    guidance: Literal["none", "lateral", "bank-reversal", "apollo"] = "none"
    deadband_s: float = Field(default=10.0, gt=0.0)
    apollo: ApolloGuidance = ApolloGuidance()
    parachute: Parachute | None = None
    powered_descent: PoweredDescent | None = None

    @model_validator(mode="after")
    def _cd_given(self):
        if (self.cd is None) == (self.cd_mach is None):
            raise ValueError("give exactly one of cd (constant) or cd_mach (table of [Mach, CD])")
        if self.cd_mach is not None:
            m = np.array([r[0] for r in self.cd_mach])
            c = np.array([r[1] for r in self.cd_mach])
            if m.size < 2 or np.any(np.diff(m) <= 0) or np.any(m < 0):
                raise ValueError("cd_mach Mach values must be >= 0 and strictly increasing")
            if np.any(~np.isfinite(c)) or np.any(c <= 0) or np.any(c > 5):
                raise ValueError("cd_mach CD values must be in (0, 5]")
        return self

    @property
    def area_m2(self) -> float:
        """Reference area, m^2."""
        return math.pi * self.diameter_m ** 2 / 4.0

    def mach_table(self) -> tuple[np.ndarray, np.ndarray]:
        """(Mach, CD) arrays for the kernel."""
        if self.cd_mach is None:
            return np.array([0.0, 1.0]), np.array([self.cd, self.cd])
        return (np.array([r[0] for r in self.cd_mach], float),
                np.array([r[1] for r in self.cd_mach], float))


class EntryState(ConfigModel):
    """Entry interface state relative to the rotating planet (planetodetic place)."""

    model_config = _STRICT
    alt_m: float = Field(gt=0.0, le=1e6)
    speed_m_s: float = Field(gt=0.0, le=20e3)
    fpa_deg: float = Field(ge=-90.0, le=0.0)
    azimuth_deg: float = Field(ge=-360.0, le=360.0)
    lat_deg: float | None = Field(default=None, ge=-90.0, le=90.0)
    lon_deg: float | None = Field(default=None, ge=-360.0, le=360.0)
    inertial: bool = False  # speed/fpa/azimuth describe the inertial velocity (converted)


class Dispersions(ConfigModel):
    """One-sigma dispersions of the Monte Carlo (Gaussian; fractions are relative)."""

    model_config = _STRICT
    fpa_deg: float = Field(default=0.0, ge=0.0)
    azimuth_deg: float = Field(default=0.0, ge=0.0)
    speed_m_s: float = Field(default=0.0, ge=0.0)
    downrange_km: float = Field(default=0.0, ge=0.0)
    crossrange_km: float = Field(default=0.0, ge=0.0)
    mass_frac: float = Field(default=0.0, ge=0.0, le=0.3)
    cd_frac: float = Field(default=0.0, ge=0.0, le=0.3)
    lift_to_drag_frac: float = Field(default=0.0, ge=0.0, le=0.5)
    density_frac: float = Field(default=0.0, ge=0.0, le=0.5)
    wind_frac: float = Field(default=0.0, ge=0.0, le=2.0)
    # navigation knowledge error (the guidance steers toward a target displaced by it)
    nav_downrange_km: float = Field(default=0.0, ge=0.0)
    nav_crossrange_km: float = Field(default=0.0, ge=0.0)


class Target(ConfigModel):
    """Landing target and the zone used for the landing probability."""

    model_config = _STRICT
    lat_deg: float = Field(ge=-90.0, le=90.0)
    lon_deg: float = Field(ge=-360.0, le=360.0)
    name: str = "target"
    radius_km: float | None = Field(default=None, gt=0.0)
    polygon_lat_lon_deg: list[tuple[float, float]] | None = None
    polygon_name: str = "zone"

    @field_validator("polygon_lat_lon_deg")
    @classmethod
    def _poly(cls, v):
        if v is not None and len(v) < 3:
            raise ValueError("a zone polygon needs at least 3 [lat, lon] vertices")
        return v


class Atmos(ConfigModel):
    """Atmosphere choice. Mars: the default model, or a user CSV table. Earth: US76 + MSIS."""

    model_config = _STRICT
    f107_sfu: float = Field(default=130.0, gt=0.0, le=400.0)
    f107a_sfu: float = Field(default=130.0, gt=0.0, le=400.0)
    ap: float = Field(default=15.0, ge=0.0, le=400.0)
    table_csv: str | None = None
    wind_alt_km_east_north_m_s: list[tuple[float, float, float]] | None = None


class EntryConfig(ConfigModel):
    """A complete entry case (preset or YAML ``--config``)."""

    model_config = _STRICT
    name: str
    planet: Literal["mars", "earth"]
    vehicle: Vehicle
    entry: EntryState
    target: Target
    ground_alt_m: float = Field(default=0.0, ge=-10e3, le=10e3)
    atmosphere: Atmos = Atmos()
    dispersions: Dispersions = Dispersions()
    rtol: float = Field(default=1e-6, gt=0.0, le=1e-3)
    dt_max_s: float = Field(default=10.0, gt=0.0, le=60.0)
    t_max_s: float = Field(default=3000.0, gt=0.0, le=1e5)
    sources: dict[str, str] = {}


def make_config(data: dict, where: str = "") -> EntryConfig:
    """Validate a dict into an :class:`EntryConfig`; errors become one-line ConfigError.

    Parameters
    ----------
    data : dict
        The case (see :class:`EntryConfig`).
    where : str
        Source named at the start of error messages (a file name); empty for none.
    """
    return validate_model(EntryConfig, data, where)


# --------------------------------------------------------------------------------------
def _planet(name):
    return MARS if name == "mars" else EARTH


def _atmosphere(cfg: EntryConfig):
    from ..atmosphere import EarthUS76MSIS, TableAtmosphere, mars_default

    a = cfg.atmosphere
    if a.table_csv:
        return TableAtmosphere.from_csv(a.table_csv, planet=cfg.planet)
    if cfg.planet == "mars":
        return mars_default(a.f107_sfu)
    return EarthUS76MSIS(f107_sfu=a.f107_sfu, f107a_sfu=a.f107a_sfu, ap=a.ap,
                         lat_rad=math.radians(cfg.target.lat_deg),
                         lon_rad=math.radians(cfg.target.lon_deg))


def _wind(cfg: EntryConfig, atm):
    rows = cfg.atmosphere.wind_alt_km_east_north_m_s
    from ..atmosphere import WindProfile

    prof = None
    if rows:
        r = np.array(rows, dtype=float)
        prof = WindProfile(r[:, 0] * 1e3, r[:, 1], r[:, 2])
    elif getattr(atm, "wind", None) is not None:
        prof = atm.wind
    if prof is None:
        return 0.0, 1.0, np.zeros(1), np.zeros(1)
    alt = np.arange(prof.alt_m[0], prof.alt_m[-1] + 1.0, 100.0)
    e, n = prof.at(alt)
    return float(alt[0]), 100.0, np.ascontiguousarray(e), np.ascontiguousarray(n)


def _dest(lat, lon, az, ang):
    """Great-circle destination (rad) from (lat, lon) along azimuth ``az`` by angle ``ang``."""
    la2 = np.arcsin(np.sin(lat) * np.cos(ang) + np.cos(lat) * np.sin(ang) * np.cos(az))
    lo2 = lon + np.arctan2(np.sin(az) * np.sin(ang) * np.cos(lat),
                           np.cos(ang) - np.sin(lat) * np.sin(la2))
    return la2, lo2


def _local_offsets_km(lat, lon, lat0, lon0, r_m):
    """East/north offsets (km) of points from (lat0, lon0), local tangent plane (rad in)."""
    dlon = (lon - lon0 + np.pi) % (2 * np.pi) - np.pi
    return (r_m * dlon * np.cos(lat0) / 1e3, r_m * (lat - lat0) / 1e3)


class _Prepared:
    """Everything the kernel needs that does not depend on the trial."""

    def __init__(self, cfg: EntryConfig, atm=None):
        from ..atmosphere import tabulate
        from . import _kernel as K

        self.cfg = cfg
        self.body = _planet(cfg.planet)
        atm = atm if atm is not None else _atmosphere(cfg)
        top = cfg.entry.alt_m + 60e3
        self.grid = tabulate(atm, alt_max_m=top, alt_min_m=min(-10e3, cfg.ground_alt_m - 2e3), step_m=100.0)
        self.wind = _wind(cfg, atm)
        self.mach_tab, self.cd_tab = cfg.vehicle.mach_table()
        v = cfg.vehicle
        S = np.zeros(K.N_S)
        S[K.S_MU] = self.body.mu_m3_s2
        S[K.S_REQ] = self.body.r_eq_m
        S[K.S_FLAT] = self.body.flattening
        S[K.S_J2] = self.body.j2
        S[K.S_OMEGA] = self.body.omega_rad_s
        # Sutton & Graves, NASA TR R-376 (1971), FACTS.md §6
        S[K.S_K_SG] = 1.9027e-4 if cfg.planet == "mars" else 1.7415e-4
        S[K.S_RAD_ON] = 1.0 if cfg.planet == "earth" else 0.0
        S[K.S_MACH_DEPLOY] = v.parachute.mach_deploy if v.parachute else 0.0
        S[K.S_ALT_GROUND] = cfg.ground_alt_m
        S[K.S_ALT_TERM_CHUTE] = v.powered_descent.start_alt_agl_m if v.powered_descent else 0.0
        S[K.S_RTOL] = cfg.rtol
        S[K.S_DT_MAX] = cfg.dt_max_s
        S[K.S_T_MAX] = cfg.t_max_s
        S[K.S_ALT_SKIP] = cfg.entry.alt_m + 20e3
        S[K.S_DEADBAND_S] = v.deadband_s
        S[K.S_GUIDE_MODE] = {"none": K.GUIDE_NONE, "lateral": K.GUIDE_REVERSAL,
                             "bank-reversal": K.GUIDE_REVERSAL, "apollo": K.GUIDE_APOLLO}[v.guidance]
        S[K.S_G0] = 9.80665  # standard gravity: g-loads in Earth g
        ap = v.apollo
        S[K.S_K_OVER] = 0.0  # reference mode until a guidance table is installed
        S[K.S_D_START] = ap.range_control_drag_m_s2
        S[K.S_V_HA] = ap.heading_alignment_speed_m_s
        S[K.S_BANK_RATE] = math.radians(ap.bank_rate_deg_s)
        S[K.S_BANK_ACC] = math.radians(ap.bank_accel_deg_s2)
        S[K.S_DT_GUIDE] = ap.guidance_period_s
        S[K.S_HA_BANK_MAX] = math.radians(ap.heading_alignment_bank_max_deg)
        S[K.S_HA_GAIN] = ap.heading_alignment_gain
        S[K.S_LD_NOM] = v.lift_to_drag if v.lift_to_drag > 0 else 1.0
        S[K.S_LDV_REF] = v.lift_to_drag * math.cos(math.radians(v.bank_deg))
        self.S = S
        self.G = self.corridor_table(np.array([r[0] for r in ap.corridor_km], float))

    def corridor_table(self, speed_m_s, cols=None):
        """Guidance table over ``speed_m_s`` (ascending) with the configured corridor column and,
        when given, the other columns ``cols`` (dict keyed by kernel column index)."""
        from . import _kernel as K

        ap = self.cfg.vehicle.apollo
        sp = np.array([r[0] for r in ap.corridor_km], float)
        km = np.array([r[1] for r in ap.corridor_km], float)
        G = np.zeros((len(speed_m_s), K.N_G))
        G[:, K.G_V] = speed_m_s
        G[:, K.G_CORR] = np.interp(speed_m_s, sp, km) * 1e3 / self.body.r_eq_m
        for c, col in (cols or {}).items():
            G[:, c] = col
        return np.ascontiguousarray(G)

    def install_guidance(self, G, gain):
        """Use the apollo guidance table ``G`` with over-control gain ``gain`` (0: reference mode)."""
        from . import _kernel as K

        self.G = np.ascontiguousarray(G)
        self.S[K.S_K_OVER] = gain

    def initial_states(self, lat, lon, alt, speed, fpa, az):
        """(n, 7) rotating-frame states from planetodetic place and velocity (rad).

        With ``entry.inertial`` the speed, flight-path angle and azimuth describe the inertial
        velocity and the planet's rotation is subtracted (v_rel = v_in - w x r).
        """
        from ..kernels.geodesy import geodetic_to_fixed_array

        b = self.body
        xyz = geodetic_to_fixed_array(lat, lon, alt, b.r_eq_m, b.flattening)
        sl, cl, so, co = np.sin(lat), np.cos(lat), np.sin(lon), np.cos(lon)
        ve = speed * np.cos(fpa) * np.sin(az)
        vn = speed * np.cos(fpa) * np.cos(az)
        vu = speed * np.sin(fpa)
        vx = -so * ve - sl * co * vn + cl * co * vu
        vy = co * ve - sl * so * vn + cl * so * vu
        vz = cl * vn + sl * vu
        n = np.broadcast(lat, speed, fpa).shape
        Y = np.zeros(n + (7,))
        Y[..., :3] = xyz
        Y[..., 3], Y[..., 4], Y[..., 5] = vx, vy, vz
        if self.cfg.entry.inertial:
            w = b.omega_rad_s
            Y[..., 3] += w * Y[..., 1]
            Y[..., 4] -= w * Y[..., 0]
        return np.ascontiguousarray(Y.reshape(-1, 7))

    def target_vectors(self, lat_rad, lon_rad):
        """(n, 3) geocentric unit vectors of ground points given by planetodetic lat/lon (rad)."""
        from ..kernels.geodesy import geodetic_to_fixed_array

        lat = np.atleast_1d(lat_rad)
        tv = geodetic_to_fixed_array(lat, np.atleast_1d(lon_rad), np.full(lat.shape, self.cfg.ground_alt_m),
                                     self.body.r_eq_m, self.body.flattening).reshape(-1, 3)
        return tv / np.linalg.norm(tv, axis=1)[:, None]

    def params(self, n, mass=None, cd_scale=None, ld=None, rho_scale=None, wind_scale=None):
        from . import _kernel as K

        v = self.cfg.vehicle
        P = np.zeros((n, K.N_P))
        P[:, K.P_MASS] = v.mass_kg if mass is None else mass
        P[:, K.P_AREA] = v.area_m2
        P[:, K.P_CD_SCALE] = 1.0 if cd_scale is None else cd_scale
        P[:, K.P_LD] = v.lift_to_drag if ld is None else ld
        P[:, K.P_BANK] = math.radians(v.bank_deg)
        P[:, K.P_RN] = v.nose_radius_m
        P[:, K.P_RHO_SCALE] = 1.0 if rho_scale is None else rho_scale
        P[:, K.P_WIND_SCALE] = 1.0 if wind_scale is None else wind_scale
        if v.parachute:
            P[:, K.P_CHUTE_CDA] = v.parachute.cd * math.pi * v.parachute.diameter_m ** 2 / 4.0
        # geocentric unit vector of the target on the ground (planetodetic latitude converted)
        tv = self.target_vectors(math.radians(self.cfg.target.lat_deg), math.radians(self.cfg.target.lon_deg))
        P[:, K.P_TX], P[:, K.P_TY], P[:, K.P_TZ] = tv[0]
        return P

    def run(self, Y0, P, n_hist=0, hist_samples=4000):
        from . import _kernel as K

        n = Y0.shape[0]
        out = np.zeros((n, K.N_O))
        hist = np.zeros((min(n_hist, n), hist_samples if n_hist else 1, K.N_H))
        cnt = np.zeros(n, dtype=np.int64)
        g = self.grid
        w = self.wind
        K.integrate_batch(np.ascontiguousarray(Y0), np.ascontiguousarray(P), self.S, g.alt0_m, g.dalt_m,
                          np.ascontiguousarray(g.log_rho), np.ascontiguousarray(g.sound_speed_m_s),
                          w[0], w[1], w[2], w[3], self.mach_tab, self.cd_tab, self.G, out, hist, cnt)
        return out, hist, cnt
