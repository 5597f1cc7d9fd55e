"""Everything a campaign Monte Carlo computes once per run, before any trial.

:func:`build_plan` turns an :class:`~msrsim.campaign.architecture.Architecture` into a
:class:`CampaignPlan`: the table of launch opportunities of every leg (the architecture's
own and the next ``max_later_opportunities``, each shifted by the synodic period and
analysed by the windows module), the ERO's outbound cruise for each of its opportunities
(the solved solar-electric cruise of an electric ERO, its arrival chosen by
``ero.cruise_arrival``, cached on disk, or the ballistic leg; ``ero_cruise`` says which and
why, ``ero_cruise_solutions`` holds the solved cruises) and its Mars phase, the prepared entry cases, the
designed MAV ascent, the sample value model and daily tables of solar conjunctions,
heliocentric distance and Mars years. The plan is plain data (numpy
arrays, pydantic models, dataclasses), so it can be pickled to Dask workers.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..ascent.guidance import design_guidance
from ..ascent.montecarlo import ASCENT_NORMALS, fly_trials
from ..ascent.params import AscentTarget, GuidanceParams, MAVParams, make_config
from ..bodies import MARS
from ..constants import SECONDS_PER_DAY
from ..entry import load_preset
from ..entry.run import prepare_entry
from ..ephemeris import conjunction_blackout
from ..errors import ConfigError
from ..marsorbit.params import MarsOrbitConfig
from ..marstime import heliocentric_distance_au, mars_year, solar_longitude_deg
from ..samples.catalogue import load_catalogue
from ..samples.select import _rule_groups
from ..samples.value import SelectionConfig, ValueModel
from ..timescales import parse_date_range, tdb_to_utc
from ..windows import entry_speed_km_s
from ._diskcache import cache_path, package_sources, read_cached, write_cached
from .architecture import Architecture, analyse_windows
from .mission import _ero_leg, plan_mars_orbit_phase, planned_cruise

#: Entry interface altitude of both planets' entry speeds, km (FACTS.md §5 MSL, §8 EES).
ENTRY_INTERFACE_ALT_KM = 125.0
#: Extra days searched on each side of a shifted departure range (the next opportunity
#: drifts by up to a few weeks from an exact synodic period: Mars's orbit is eccentric).
_SHIFT_MARGIN_DAYS = 30.0


@dataclass(frozen=True)
class Opportunity:
    """One launch opportunity of an outbound leg (epochs TDB s, speeds km/s).

    ``planned_*`` is the transfer the element flies when it is ready in time (the lowest
    arrival v∞ of the opportunity's best transfers, as the preview chooses);
    ``period_*`` are the launch-period days, each with its minimum-C3 transfer.
    """

    index: int
    planned_departure_tdb_s: float
    planned_arrival_tdb_s: float
    planned_vinf_arrival_km_s: float
    period_departure_tdb_s: np.ndarray
    period_arrival_tdb_s: np.ndarray
    period_vinf_arrival_km_s: np.ndarray
    close_tdb_s: float
    planned_type: str = ""


@dataclass(frozen=True)
class ReturnOpportunity:
    """One Mars→Earth return window: candidate departures sorted by epoch.

    ``best_after[i]`` is the candidate with the lowest Mars-departure v∞ among candidates
    ``i..`` (the return a waiting ERO takes when it is ready by candidate ``i``).
    """

    index: int
    departure_tdb_s: np.ndarray
    arrival_tdb_s: np.ndarray
    vinf_departure_km_s: np.ndarray
    vinf_arrival_km_s: np.ndarray
    best_after: np.ndarray


@dataclass(frozen=True)
class EROPhase:
    """The ERO's Mars phase at one of its opportunities (nominal plan)."""

    index: int
    arrival_to_working_orbit_s: float
    final_node_deg: float
    mass_at_rendezvous_kg: float
    ep_thrust_n: float
    summary: dict = field(repr=False)


@dataclass
class CampaignPlan:
    """Once-per-run tables and prepared models of a campaign (see :func:`build_plan`)."""

    architecture: Architecture
    seed: int
    ero_leg: int
    lander_leg: int
    ero_opportunities: list
    lander_opportunities: list
    return_opportunities: list
    ero_phases: list
    mars_orbit_config: MarsOrbitConfig
    srl_entry: list
    ees_entry: list
    ascent_config: object
    ascent_guidance: object
    ascent_nominal: dict
    value_model: ValueModel
    rover_order: np.ndarray
    depot_order: np.ndarray
    day_grid_tdb_s: np.ndarray
    blackout: np.ndarray
    sun_distance_au: np.ndarray
    mars_year_float: np.ndarray
    selection_groups: tuple = ()
    ero_cruise: list = field(default_factory=list)
    ero_cruise_solutions: list = field(repr=False, default_factory=list)
    windows: list = field(repr=False, default_factory=list)
    selection_cache: dict = field(repr=False, default_factory=dict)

    @property
    def catalogue(self):
        """The sample catalogue of the value model."""
        return self.value_model.catalogue


def _shifted(arch: Architecture, days: float) -> Architecture:
    """The architecture with every leg's date ranges moved by ``days`` (widened outbound)."""
    if days == 0.0:
        return arch

    def move(text: str, name: str, margin: float) -> str:
        t0, t1 = parse_date_range(text, name)
        t0 += (days - margin) * SECONDS_PER_DAY
        t1 += (days + margin) * SECONDS_PER_DAY
        return f"{tdb_to_utc(t0, 'date')}:{tdb_to_utc(t1, 'date')}"

    legs = []
    for k, leg in enumerate(arch.earth_to_mars):
        upd = {
            "depart_range_utc": move(
                leg.depart_range_utc, f"earth_to_mars.{k}.depart_range_utc", _SHIFT_MARGIN_DAYS
            ),
            "arrive_range_utc": move(
                leg.arrive_range_utc, f"earth_to_mars.{k}.arrive_range_utc", _SHIFT_MARGIN_DAYS
            ),
        }
        if leg.arrival_utc is not None:
            upd["arrival_utc"] = None
        legs.append(leg.model_copy(update=upd))
    ret = arch.mars_to_earth
    ret = ret.model_copy(
        update={
            "depart_range_utc": move(ret.depart_range_utc, "mars_to_earth.depart_range_utc", 0.0),
            "arrive_range_utc": move(ret.arrive_range_utc, "mars_to_earth.arrive_range_utc", 0.0),
        }
    )
    return arch.model_copy(update={"earth_to_mars": legs, "mars_to_earth": ret, "earth_return_year": None})


def _leg_indices(arch: Architecture) -> tuple[int, int]:
    """The return vehicle's (ERO's) outbound leg and the lander's leg (the first other one)."""
    k_ero, _ = _ero_leg(arch)
    others = [k for k in range(len(arch.earth_to_mars)) if k != k_ero]
    if not others:
        raise ConfigError(
            f"architecture {arch.name!r} has no lander leg (a second earth_to_mars leg "
            "flown by another vehicle); the campaign needs one"
        )
    return k_ero, others[0]


def _outbound(j: int, leg_result) -> Opportunity | None:
    transfers = leg_result.transfers
    lp = leg_result.launch_period
    if not transfers:
        return None
    best = min(transfers, key=lambda t: t.vinf_arrival_km_s)
    if lp is not None:
        dep, arr, vinf = (
            np.asarray(lp.departure_tdb_s, float),
            np.asarray(lp.arrival_tdb_s, float),
            np.asarray(lp.vinf_arrival_km_s, float),
        )
        close = float(lp.close_tdb_s)
    else:
        dep = arr = vinf = np.zeros(0)
        close = float(best.departure_tdb_s)
    close = max(close, float(best.departure_tdb_s))
    return Opportunity(
        j,
        float(best.departure_tdb_s),
        float(best.arrival_tdb_s),
        float(best.vinf_arrival_km_s),
        dep,
        arr,
        vinf,
        close,
        best.type,
    )


def _return(j: int, rw) -> ReturnOpportunity:
    g = rw.grid
    vd = np.where(rw.feasible, g.vinf_depart_km_s, np.inf)
    jbest = np.argmin(vd, axis=1)
    rows = np.arange(vd.shape[0])
    has = np.isfinite(vd[rows, jbest])
    dep = list(g.depart_tdb_s[has])
    arr = list(g.arrive_tdb_s[jbest[has]])
    vdep = list(vd[rows, jbest][has])
    varr = list(g.vinf_arrive_km_s[rows, jbest][has])
    for t in rw.transfers:  # the refined optima (what the nominal chain flies)
        dep.append(t.departure_tdb_s)
        arr.append(t.arrival_tdb_s)
        vdep.append(t.vinf_departure_km_s)
        varr.append(t.vinf_arrival_km_s)
    dep, arr, vdep, varr = (np.asarray(x, dtype=float) for x in (dep, arr, vdep, varr))
    order = np.lexsort((vdep, dep))
    dep, arr, vdep, varr = dep[order], arr[order], vdep[order], varr[order]
    best_after = np.empty(dep.size, dtype=np.int64)
    k = dep.size - 1
    for i in range(dep.size - 1, -1, -1):  # suffix argmin (one pass per window, not per trial)
        if vdep[i] <= vdep[k]:
            k = i
        best_after[i] = k
    return ReturnOpportunity(j, dep, arr, vdep, varr, best_after)


def _with_entry_speed(cfg, speed_m_s: float):
    """The entry case with an inertial entry speed, m/s."""
    entry = cfg.entry.model_validate(
        {**cfg.entry.model_dump(), "speed_m_s": float(speed_m_s), "inertial": True}
    )
    return cfg.model_copy(update={"entry": entry})


def _with_cruise(op: Opportunity, cruise) -> Opportunity:
    """The opportunity flown with the electric cruise: the planned launch arrives when the
    cruise does; later days of the launch period fly the same cruise shifted by their delay
    (the cruise is solved once per opportunity)."""
    tof = float(cruise.arrive_tdb_s) - op.planned_departure_tdb_s
    vinf = float(np.linalg.norm(cruise.arrival_vinf_km_s))
    dep = op.period_departure_tdb_s
    return Opportunity(
        op.index,
        op.planned_departure_tdb_s,
        float(cruise.arrive_tdb_s),
        vinf,
        dep,
        dep + tof,
        np.full(dep.shape, vinf),
        op.close_tdb_s,
        "electric",
    )


def _mars_year_float(t):
    """Mars year plus the fraction of it by solar longitude (monotone in time)."""
    return mars_year(t) + solar_longitude_deg(t) / 360.0


def _design_cache_path(cfg) -> Path:
    """File of a cached ascent design: keyed by the config and the ascent package's code."""
    return cache_path("ascent_design", cfg.model_dump_json(), package_sources("ascent/*.py"))


@functools.lru_cache(maxsize=4)
def designed_ascent(preset: str):
    """The MAV preset's ascent config, designed guidance and nominal delivered orbit.

    The design is a multi-start optimisation of several seconds that depends on the preset
    only; it is cached in memory and on disk (``$MSRSIM_CACHE_DIR``, default beside the numba
    cache), keyed by the configuration and the source of the ascent package, so a change of
    either designs afresh.
    """
    mav = MAVParams.harris() if preset == "harris" else MAVParams.mav_sim()
    target = AscentTarget.harris() if preset == "harris" else AscentTarget.mav_sim()
    cfg = make_config({"mav": mav.model_dump(), "target": target.model_dump()})
    path = _design_cache_path(cfg)
    guidance = read_cached(path, GuidanceParams.model_validate_json)
    if guidance is None:
        guidance = design_guidance(cfg).guidance
        write_cached(path, guidance.model_dump_json())
    nominal = fly_trials(cfg, guidance, np.zeros((1, ASCENT_NORMALS)), np.array([cfg.launch_tdb_s]))
    return cfg, guidance, {k: np.asarray(v)[0] for k, v in nominal.items()}


def build_plan(
    arch: Architecture, seed: int = 1, windows=None, ephemeris_path: str | None = None
) -> CampaignPlan:
    """Compute every once-per-run table of a campaign Monte Carlo.

    Parameters
    ----------
    arch : Architecture
    seed : int
        Run seed (recorded; the plan itself draws no random numbers).
    windows : list of LegResult, optional
        Precomputed :func:`analyse_windows` of ``arch`` (opportunity 0).
    ephemeris_path : str, optional
        SPK kernel instead of DE421.

    Returns
    -------
    CampaignPlan
    """
    k_ero, k_lander = _leg_indices(arch)
    n_opp = arch.schedule.max_later_opportunities + 1
    synodic = arch.schedule.synodic_period_days
    ero_ops, lander_ops, ret_ops, ero_phases = [], [], [], []
    cruise_notes: list = []
    cruises: list = []
    wins = []
    # the EES entry case owns the Earth-entry flight-path angle; the approach targets it
    ees_cfg = load_preset(arch.ees.entry_preset)
    mo_cfg = MarsOrbitConfig()
    mo_cfg = mo_cfg.model_copy(
        update={"ret": mo_cfg.ret.model_copy(update={"entry_fpa_deg": ees_cfg.entry.fpa_deg})}
    )
    if arch.ero.ep_engine_count is not None:
        mo_cfg = mo_cfg.model_copy(
            update={"ero": mo_cfg.ero.model_copy(update={"ep_engine_count": arch.ero.ep_engine_count})}
        )
    for j in range(n_opp):
        arch_j = _shifted(arch, j * synodic)
        w = windows if (j == 0 and windows is not None) else analyse_windows(arch_j, ephemeris_path)
        wins.append(w)
        ero_ops.append(_outbound(j, w[k_ero]))
        lander_ops.append(_outbound(j, w[k_lander]))
        ret_ops.append(_return(j, w[-1].return_window))
        if ero_ops[-1] is None:
            ero_phases.append(None)
            cruises.append(None)
            continue
        # the outbound cruise: the solved solar-electric one (cached on disk) or the ballistic leg
        cruise, note = planned_cruise(arch_j, mo_cfg.ero, ero_ops[-1].planned_departure_tdb_s, j,
                                      ephemeris_path, mars_orbit_config=mo_cfg, return_opportunities=ret_ops,
                                      lander_arrival_tdb_s=(None if lander_ops[0] is None
                                                            else lander_ops[0].planned_arrival_tdb_s))
        cruise_notes.append(note)
        cruises.append(cruise)
        if cruise is not None:
            ero_ops[-1] = _with_cruise(ero_ops[-1], cruise)
        mp = plan_mars_orbit_phase(mo_cfg, arch_j, w, ephemeris_path, cruise=cruise)
        e = mp.epochs_tdb_s
        if arch.ero.propulsion == "chemical":
            # no spiral: the insertion burn and trims put the orbiter in its working orbit; its
            # manoeuvres are then chemical (insertion-module thrust)
            phase = EROPhase(
                j,
                float(mp.moi.burn_duration_s) + arch.ero.chemical_trim_days * SECONDS_PER_DAY,
                float(mp.spiral.final_raan_deg),
                float(mp.moi.mass_after_kg),
                float(mo_cfg.ero.oim_thrust_n),
                mp.summary,
            )
        else:
            phase = EROPhase(
                j,
                float(e["spiral_end"] - e["mars_arrival"]),
                float(mp.spiral.final_raan_deg),
                float(mp.spiral.mass_after_kg),
                float(mp.spiral.thrust_n),
                mp.summary,
            )
        ero_phases.append(phase)
    if ero_ops[0] is None or lander_ops[0] is None:
        raise ConfigError(f"architecture {arch.name!r}: a leg has no transfer in its date ranges; widen them")
    # entry cases: the entry point of each opportunity is targeted for its own planned entry
    # speed (navigation targets the entry interface of the transfer actually flown); the
    # guidance absorbs the smaller speed differences between days of a launch period
    srl_cfg = load_preset(arch.lander.entry_preset)
    srl = [
        None
        if op is None
        else prepare_entry(
            _with_entry_speed(srl_cfg, float(vinf_to_entry_speed_m_s(op.planned_vinf_arrival_km_s, "mars")))
        )
        for op in lander_ops
    ]
    ees = [
        None
        if r.departure_tdb_s.size == 0
        else prepare_entry(
            _with_entry_speed(
                ees_cfg, float(vinf_to_entry_speed_m_s(r.vinf_arrival_km_s[r.best_after[0]], "earth"))
            )
        )
        for r in ret_ops
    ]
    # the MAV ascent, designed once (the lift-off epoch only turns the orbit's node)
    asc_cfg, guidance, nominal = designed_ascent(arch.mav.preset)
    # samples: the value model and the order in which tubes reach the lander
    cat = load_catalogue()
    vm = ValueModel(cat)
    loc = np.array([t.location for t in cat])
    filled = vm.eligible
    rover = np.flatnonzero(filled & (loc == "rover"))
    depot = np.flatnonzero(filled & (loc == "depot"))
    rover = rover[np.argsort(-vm.individual[rover], kind="stable")]
    depot = depot[np.argsort(-vm.individual[depot], kind="stable")]
    # daily tables over the campaign span
    t0 = min(o.planned_departure_tdb_s for o in ero_ops + lander_ops if o is not None) - 30 * SECONDS_PER_DAY
    t1 = max(float(r.arrival_tdb_s.max()) for r in ret_ops if r.arrival_tdb_s.size) + 400 * SECONDS_PER_DAY
    # whole days past J2000, so that every table built for the campaign lines up
    days = SECONDS_PER_DAY * np.arange(np.floor(t0 / SECONDS_PER_DAY), np.ceil(t1 / SECONDS_PER_DAY) + 1)
    return CampaignPlan(
        architecture=arch,
        seed=int(seed),
        ero_leg=k_ero,
        lander_leg=k_lander,
        ero_opportunities=ero_ops,
        lander_opportunities=lander_ops,
        return_opportunities=ret_ops,
        ero_phases=ero_phases,
        mars_orbit_config=mo_cfg,
        srl_entry=srl,
        ees_entry=ees,
        ascent_config=asc_cfg,
        ascent_guidance=guidance,
        ascent_nominal=nominal,
        ero_cruise=cruise_notes,
        ero_cruise_solutions=cruises,
        value_model=vm,
        selection_groups=_rule_groups(cat, SelectionConfig().rules),
        rover_order=rover,
        depot_order=depot,
        day_grid_tdb_s=days,
        blackout=conjunction_blackout(days, ephemeris_path=ephemeris_path),
        sun_distance_au=np.asarray(heliocentric_distance_au(days), dtype=float),
        mars_year_float=np.asarray(_mars_year_float(days), dtype=float),
        windows=wins,
    )


def mars_radius_km() -> float:
    """Mars equatorial radius, km (entry-speed and geometry helpers)."""
    return MARS.r_eq_m * 1e-3


def vinf_to_entry_speed_m_s(vinf_km_s, body: str) -> np.ndarray:
    """Inertial speed at the 125 km entry interface from the arrival v∞ (vis-viva), m/s."""
    from ..constants import GM_MARS_KM3_S2

    if body == "mars":
        return 1e3 * np.asarray(
            entry_speed_km_s(vinf_km_s, ENTRY_INTERFACE_ALT_KM, GM_MARS_KM3_S2, mars_radius_km()), dtype=float
        )
    return 1e3 * np.asarray(entry_speed_km_s(vinf_km_s, ENTRY_INTERFACE_ALT_KM), dtype=float)
