"""Entry presets ``srl-jezero`` and ``ees-uttr`` with their sources and stated assumptions.

Numbers with a FACTS.md row cite it; every other number is an assumption, said so beside it.
"""

from __future__ import annotations

from pathlib import Path

from ..config import read_yaml
from ..errors import ConfigError
from .model import EntryConfig, make_config

# Approximate ground boundary of the UTTR South Range (Great Salt Lake Desert, Utah), traced
# by hand from public maps to within ~10 km; it contains the range reference point 40.4942 N
# 113.6367 W and the Stardust touchdown 40.365 N 113.521 W (FACTS.md §4). Not for operations.
UTTR_POLYGON_LAT_LON_DEG = [
    (41.00, -114.05), (41.00, -113.20), (40.75, -112.95), (40.25, -112.95),
    (40.05, -113.25), (40.05, -113.85), (40.40, -114.05),
]

SRL_JEZERO = {
    "name": "srl-jezero",
    "planet": "mars",
    "vehicle": {
        "mass_kg": 4000.0,  # ASSUMPTION: entry mass (open); 2,275 kg landed (FACTS §3) + shell/propellant
        "diameter_m": 4.5,  # Mars 2020-heritage 70 deg sphere-cone aeroshell (issue 5; MSL/M2020 4.5 m)
        "cd": 1.45,  # MSL at trim (FACTS §6)
        "lift_to_drag": 0.24,  # MSL (FACTS §5)
        "nose_radius_m": 1.125,  # 70 deg sphere-cone, Rn = D/4 (MSL aeroshell geometry; assumption)
        "bank_deg": 60.0,  # ASSUMPTION: reference bank (vertical L/D 0.12 about which guidance steers)
        # MSL/Mars 2020 entry terminal point controller (Mendeck & Craig, AIAA 2011-6639);
        # its settings are the ApolloGuidance defaults (model.py, each with its source)
        "guidance": "apollo",
        "deadband_s": 6.0,  # bank-reversal mode only. ASSUMPTION: 6 s x speed (30 km at 5 km/s)
        "parachute": {"mach_deploy": 1.7,  # ASSUMPTION: MSL/M2020-class Mach trigger
                      "diameter_m": 21.5,  # M2020 DGB nominal diameter (NASA/JPL); assumption here
                      "cd": 0.6},  # ASSUMPTION: supersonic/subsonic DGB average
        "powered_descent": {"start_alt_agl_m": 1600.0,  # ASSUMPTION: MSL-like backshell separation
                            "touchdown_speed_m_s": 0.75},  # ASSUMPTION: sky-crane touchdown speed
    },
    "entry": {
        "alt_m": 125e3,  # MSL entry interface (FACTS §5)
        "speed_m_s": 5400.0,  # Mars 2020 entry ~5.4 km/s (FACTS §5), taken as inertial
        "fpa_deg": -15.5,  # MSL (FACTS §5)
        "azimuth_deg": 90.0,  # ASSUMPTION: eastward approach
        "inertial": True,
    },
    "target": {"lat_deg": 18.4447, "lon_deg": 77.4508,  # Perseverance landing site (FACTS §4)
               "name": "Perseverance landing site", "radius_km": 10.0},  # ASSUMPTION: reach radius
    "ground_alt_m": -2600.0,  # ASSUMPTION: Jezero floor ~ -2.6 km (MOLA); areoid-ellipsoid offset ignored
    "atmosphere": {"f107_sfu": 130.0,  # ASSUMPTION: moderate solar activity
                   # ASSUMPTION: simple westerly wind profile (alt km, east m/s, north m/s)
                   "wind_alt_km_east_north_m_s": [[-5, 5, 0], [10, 15, 2], [40, 30, 5], [80, 40, 5],
                                                  [150, 40, 5]]},
    "dispersions": {  # 1-sigma; ASSUMPTIONS of MSL/Mars 2020 class, none from a flight document:
        "fpa_deg": 0.05,  # 3-sigma 0.15 deg: inside the +-0.1-0.2 deg 3-sigma entry-FPA delivery class
        "azimuth_deg": 0.02, "speed_m_s": 0.5,  # small next to the FPA error at entry
        "downrange_km": 1.0, "crossrange_km": 0.5,  # entry-point delivery error
        "nav_downrange_km": 0.4, "nav_crossrange_km": 0.4,  # on-board knowledge error at entry
        "mass_frac": 0.003,  # mass known to a few kg
        "cd_frac": 0.03,  # 3-sigma ~9 %: hypersonic aero-database class uncertainty
        "lift_to_drag_frac": 0.05,  # 3-sigma 15 % of L/D 0.24 (+-0.036)
        "density_frac": 0.10,  # log-normal, 3-sigma ~ -26/+35 %: the 10-35 % Mars density band
        "wind_frac": 0.5,  # scale of the assumed wind profile
    },
    "sources": {"landed mass": "JPL 2022 (FACTS §3)", "entry": "MSL AAS 13-420; Mars 2020 (FACTS §5)",
                "aero": "FACTS §6 drag coefficients", "site": "FACTS §4"},
}

EES_UTTR = {
    "name": "ees-uttr",
    "planet": "earth",
    "vehicle": {
        # ASSUMPTION (open, FACTS §3): chosen with fpa_deg so that both published figures hold,
        # ~40 m/s at touchdown and ~6 min from entry to landing (PIA25986): 95 kg -> 40.5 m/s
        # and 358 s. With the earlier -10 deg entry no mass meets both (85 kg: 38 m/s, 453 s;
        # the subsonic free fall from ~25 km alone takes ~330 s at a 40 m/s touchdown).
        "mass_kg": 95.0,
        "diameter_m": 1.25,  # FACTS §3/§8
        # 60 deg sphere-cone: 1.47-1.5 hypersonic (FACTS §6); transonic/subsonic values ASSUMED
        "cd_mach": [[0.0, 0.85], [0.8, 0.95], [1.2, 1.25], [2.0, 1.40], [5.0, 1.47], [40.0, 1.47]],
        "lift_to_drag": 0.0,  # passive, ballistic (FACTS §8)
        "nose_radius_m": 0.3125,  # ASSUMPTION: Rn = D/4 (Stardust 0.22 m on 0.81 m, FACTS §5)
    },
    "entry": {
        "alt_m": 125e3,
        "speed_m_s": 12000.0,  # 11.9-12.3 km/s at 125 km for the 2028-31 returns (FACTS §8)
        # ASSUMPTION (open): a steep passive-capsule entry, chosen with mass_kg to meet ~6 min
        # (see mass_kg); implies ~144 g peak deceleration and ~1.25 kW/cm^2 peak heating
        # (Stardust class, FACTS §5) and a small footprint; -8.2 deg was Stardust's
        "fpa_deg": -25.0,
        "azimuth_deg": 120.0,  # ASSUMPTION: approach from the north-west, as Stardust
        "inertial": True,
    },
    "target": {"lat_deg": 40.4942, "lon_deg": -113.6367,  # UTTR reference point (FACTS §4)
               "name": "UTTR range centre", "radius_km": 30.0,
               "polygon_lat_lon_deg": UTTR_POLYGON_LAT_LON_DEG, "polygon_name": "UTTR (approx.)"},
    "ground_alt_m": 1300.0,  # ASSUMPTION: Great Salt Lake Desert floor ~1.3 km
    "atmosphere": {"f107_sfu": 150.0, "f107a_sfu": 150.0, "ap": 15.0,  # ASSUMPTION: moderate-high
                   # ASSUMPTION: mid-latitude westerlies with a jet near 11 km
                   "wind_alt_km_east_north_m_s": [[0, 5, 0], [5, 15, 0], [11, 40, 5], [20, 15, 0],
                                                  [60, 30, 0], [100, 20, 0], [190, 20, 0]]},
    "dispersions": {  # ASSUMPTIONS: 1-sigma delivery and knowledge errors
        "fpa_deg": 0.08, "azimuth_deg": 0.02, "speed_m_s": 1.0, "downrange_km": 1.0,
        "crossrange_km": 0.5, "mass_frac": 0.01, "cd_frac": 0.05, "density_frac": 0.10,
        "wind_frac": 0.5,
    },
    "sources": {"EES": "PIA25986; Corliss et al. 2019 (FACTS §3, §8)",
                "entry speed": "FACTS §8 Lambert check", "UTTR": "FACTS §4; polygon approximate"},
}

PRESETS = {"srl-jezero": SRL_JEZERO, "ees-uttr": EES_UTTR}


def load_preset(name: str) -> EntryConfig:
    """The preset ``name`` as a validated :class:`EntryConfig`."""
    if name not in PRESETS:
        raise ConfigError(f"preset={name!r} unknown; allowed: {', '.join(PRESETS)}")
    return make_config(PRESETS[name])


def load_config(path: str | Path, base: str | None = None) -> EntryConfig:
    """Read a YAML case; with ``base`` (a preset name), the file's keys override the preset's.

    Nested mappings merge key by key, so a file may hold only what it changes.
    """
    data = read_yaml(path)
    name = base or data.pop("preset", None)
    if name and name not in PRESETS:
        raise ConfigError(f"preset={name!r} unknown; allowed: {', '.join(PRESETS)}")
    merged = _merge(PRESETS[name], data) if name else data
    return make_config(merged, where=str(path))


def _merge(a: dict, b: dict) -> dict:
    out = dict(a)
    for k, v in b.items():
        out[k] = _merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out
