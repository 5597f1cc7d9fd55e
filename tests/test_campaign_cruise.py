"""The ERO's outbound cruise in the campaign: the solved solar-electric cruise for an
electric ERO (the default), the ballistic leg for a chemical one, and an honest fallback
when an opportunity has no low-thrust solution.

Plans are built with one opportunity (``schedule.max_later_opportunities: 0``); the solved
cruises are cached on disk (``msrsim.campaign._diskcache``), so only a cold cache solves.
"""

from __future__ import annotations

import numpy as np
import pytest

from msrsim.campaign.architecture import architecture_from_dict, load_architecture
from msrsim.campaign.engine import CAUSES, simulate_trials
from msrsim.campaign.plan import build_plan
from msrsim.errors import ConfigError
from msrsim.timescales import parse_date_range, tdb_to_utc


def _one_opportunity(arch, **ero):
    upd = {"schedule": arch.schedule.model_copy(update={"max_later_opportunities": 0})}
    if ero:
        upd["ero"] = arch.ero.model_copy(update=ero)
    return arch.model_copy(update=upd)


@pytest.fixture(scope="module")
def baseline_plan():
    return build_plan(_one_opportunity(load_architecture("baseline_2022")), seed=1)


def test_default_baseline_ero_leg_is_the_low_thrust_solution(baseline_plan):
    """The 2022 baseline's ERO (electric, default cruise ``auto``) flies the cruise that an
    independent, fresh call of ero_opportunity_cruise finds for the same launch and arrival
    window: the same arrival epoch, xenon, arrival v∞ and mass at Mars (the plan's copy may
    come from the disk cache, so this also checks its round trip). The ballistic leg of the
    same launch arrives 2029-04-23 with v∞ ~7.6 km/s; the cruise arrives later and slower."""
    from msrsim.lowthrust import ero as ero_mod
    from msrsim.marsorbit.params import EROParams

    plan = baseline_plan
    arch = plan.architecture
    assert arch.ero.cruise == "auto" and arch.ero.cruise_model == "electric"
    assert plan.mars_orbit_config.ero.ep_engine_count == EROParams().ep_engine_count == 4
    op = plan.ero_opportunities[0]
    window = parse_date_range(arch.earth_to_mars[plan.ero_leg].arrive_range_utc, "arrive")
    ero_mod._OPPORTUNITY_CACHE.clear()  # a fresh solve, not the plan's in-memory result
    ero_mod._SEARCH_CACHE.clear()
    ref = ero_mod.ero_opportunity_cruise(op.planned_departure_tdb_s, window, EROParams())
    assert ref.feasible
    note, summ = plan.ero_cruise[0], plan.ero_phases[0].summary
    # the default arrival policy keeps the largest-mass arrival here: it is ready (2031-02-08)
    # long before the return it would fly (window 0's best departure, 2033-01-28)
    assert arch.ero.cruise_arrival == "earliest_return" == note["arrival_policy"]
    assert note["max_mass_arrival_utc"] == note["arrival_utc"]
    assert note["ready_utc"] < note["return_departure_utc"]
    assert plan.ero_cruise_solutions[0].arrive_tdb_s == ref.arrive_tdb_s
    assert note["cruise_model"] == "electric" and op.planned_type == "electric"
    assert op.planned_arrival_tdb_s == ref.arrive_tdb_s  # the same epoch (s)
    assert note["arrival_utc"] == tdb_to_utc(ref.arrive_tdb_s, "date")
    assert summ["cruise_xenon_kg"] == pytest.approx(ref.xenon_kg, abs=1e-6)
    assert summ["arrival_vinf_km_s"] == pytest.approx(np.linalg.norm(ref.arrival_vinf_km_s), abs=1e-9)
    assert plan.ero_phases[0].summary["cruise_model"].startswith("electric")
    # the ballistic leg of the same launch, for contrast: the cruise removes most of its v∞
    assert summ["arrival_vinf_ballistic_km_s"] > 5.0 > 2.0 > summ["arrival_vinf_km_s"]
    # the published milestone: the ERO is in Mars orbit in 2029 (PIA25892, FACTS.md §8)
    assert tdb_to_utc(op.planned_arrival_tdb_s, "date")[:4] == "2029"


def test_chemical_ero_keeps_the_ballistic_leg():
    """Tianwen-3's chemical orbiter has no ion engines: its ``auto`` cruise is the ballistic
    leg (arrival = the leg's ballistic transfer), and asking for an electric one is refused."""
    arch = _one_opportunity(load_architecture("tianwen3"))
    assert arch.ero.propulsion == "chemical" and arch.ero.cruise_model == "ballistic"
    plan = build_plan(arch, seed=1)
    note = plan.ero_cruise[0]
    assert note["cruise_model"] == "ballistic" and "chemical ERO" in note["note"]
    op = plan.ero_opportunities[0]
    assert op.planned_type != "electric"
    best = min(plan.windows[0][plan.ero_leg].transfers, key=lambda t: t.vinf_arrival_km_s)
    assert op.planned_arrival_tdb_s == best.arrival_tdb_s
    assert plan.ero_phases[0].summary["cruise_model"].startswith("ballistic")
    d = arch.model_dump(mode="json")
    d["ero"]["cruise"] = "electric"
    with pytest.raises(ConfigError) as exc:
        architecture_from_dict(d)
    msg = str(exc.value)
    assert "cruise='electric'" in msg and "propulsion='electric'" in msg and "\n" not in msg


def test_opportunity_without_low_thrust_solution_flies_the_ballistic_leg():
    """An arrival window the engines cannot reach (2027-08-01 launch, Mars arrival
    2029-01-01..10: the first feasible 4-engine arrival is in May 2029) keeps the ballistic
    leg, says why per opportunity, and its trials end in causes, never NaN or an exception."""
    a = load_architecture("baseline_2022")
    legs = list(a.earth_to_mars)
    legs[0] = legs[0].model_copy(update={"arrive_range_utc": "2029-01-01:2029-01-10"})
    a = _one_opportunity(a.model_copy(update={"earth_to_mars": legs}))
    plan = build_plan(a, seed=1)
    note = plan.ero_cruise[0]
    assert note["cruise_model"] == "ballistic", note
    assert "no solar-electric cruise from 2027-08-01" in note["note"] and "2029-01-10" in note["note"]
    assert "ballistic leg" in note["note"] and note["engines"] == 4
    op = plan.ero_opportunities[0]
    assert op.planned_type != "electric"
    best = min(plan.windows[0][plan.ero_leg].transfers, key=lambda t: t.vinf_arrival_km_s)
    assert op.planned_arrival_tdb_s == best.arrival_tdb_s
    assert plan.ero_phases[0].summary["cruise_model"].startswith("ballistic")
    tab = simulate_trials(plan, 0, 256)
    assert np.all((tab["outcome_code"] >= 0) & (tab["outcome_code"] < len(CAUSES)))
    launched = np.isfinite(tab["ero_launch_tdb_s"])
    assert launched.any()
    ok = tab["outcome_code"] == 0
    assert np.all(np.isfinite(tab["earth_landing_tdb_s"][ok]))


def test_results_json_ero_cruise_says_the_model_flown(baseline_plan):
    """``results.json`` → ``ero_cruise.model`` is the resolved cruise (``electric`` for the
    baseline's ``auto`` setting, which is written as ``setting``), ``mixed`` when the
    opportunities differ; a chemical ERO's is ``ballistic`` with no arrival policy."""
    from msrsim.campaign.montecarlo import _ero_cruise_summary, run_campaign

    plan = baseline_plan
    res = run_campaign(plan.architecture, trials=32, seed=1, sensitivity_trials=0, plan=plan)
    ec = res.summary["ero_cruise"]
    assert ec["setting"] == "auto" and ec["model"] == "electric" and ec["models"] == ["electric"]
    assert ec["arrival_policy"] == "earliest_return" and ec["opportunities"] == baseline_plan.ero_cruise
    notes = [{"cruise_model": "electric"}, {"cruise_model": "ballistic"}, {"cruise_model": "electric"}]
    mixed = _ero_cruise_summary(baseline_plan.architecture, notes)
    assert mixed["model"] == "mixed" and mixed["models"] == ["electric", "ballistic"]
    chem = load_architecture("tianwen3")
    out = _ero_cruise_summary(chem, [{"cruise_model": "ballistic"}])
    assert (out["model"], out["setting"], out["arrival_policy"]) == ("ballistic", "auto", None)


def test_cruise_arrival_is_validated():
    """A bad ``ero.cruise_arrival`` is a one-line error naming the field and what is allowed."""
    d = load_architecture("baseline_2022").model_dump(mode="json")
    d["ero"]["cruise_arrival"] = "latest"
    with pytest.raises(ConfigError) as exc:
        architecture_from_dict(d)
    msg = str(exc.value)
    assert "cruise_arrival" in msg and "earliest_return" in msg and "max_mass" in msg and "\n" not in msg
