"""The campaign Monte Carlo: coupled trials against the nominal chain, probability laws,
cascades, determinism under chunking, and bad input.

Plans are built once per module with ``schedule.max_later_opportunities`` as small as each
test allows (building a plan analyses the launch windows of every opportunity).
"""

from __future__ import annotations

import dataclasses
import json
import math

import numpy as np
import pytest

from msrsim.campaign.architecture import architecture_from_dict, load_architecture
from msrsim.campaign.engine import CAUSE_CODE, CAUSES, RISK_EVENTS, simulate_trials
from msrsim.campaign.montecarlo import run_trials, summarise, trial_table_arrow, wilson_interval
from msrsim.campaign.plan import build_plan
from msrsim.campaign.preview import preview_campaign
from msrsim.ephemeris import conjunction_blackout
from msrsim.errors import ConfigError
from msrsim.rng import BLOCK_TRIALS, normals, uniforms
from msrsim.timescales import tdb_to_utc, utc_to_tdb

DAY = 86400.0


def _quiet(arch, *, risk=False, dispersions=False, slips=False, later=0):
    """The architecture with risk/dispersion/slip switches and later opportunities set."""
    return arch.model_copy(
        update={
            "risk": arch.risk.model_copy(update={"enabled": risk}),
            "monte_carlo": arch.monte_carlo.model_copy(
                update={"dispersions": dispersions, "schedule_slips": slips}
            ),
            "schedule": arch.schedule.model_copy(update={"max_later_opportunities": later}),
        }
    )


@pytest.fixture(scope="module")
def nominal_plan():
    """Baseline with every failure probability off, no dispersion, no slip, one opportunity."""
    return build_plan(_quiet(load_architecture("baseline_2022")), seed=7)


def _with(plan, **sections):
    """The plan with architecture sections replaced (the plan's tables do not depend on them)."""
    arch = plan.architecture
    upd = {}
    for k, v in sections.items():
        sec = getattr(arch, k)
        flat = {f: (getattr(sec, f).model_copy(update=x) if isinstance(x, dict) else x) for f, x in v.items()}
        upd[k] = sec.model_copy(update=flat)
    return dataclasses.replace(plan, architecture=arch.model_copy(update=upd))


# ---------------------------------------------------------------- nominal chain


def test_quiet_trials_equal_the_nominal_chain(nominal_plan):
    """Failure probabilities 0 and dispersions off: every trial is the preview's chain."""
    tab = simulate_trials(nominal_plan, 0, 6)
    assert np.all(tab["outcome_code"] == 0)
    pv = preview_campaign(nominal_plan.architecture, trials=0, windows=nominal_plan.windows[0])
    ev = dict(pv.events)
    pairs = {
        "ero_launch_tdb_s": "ERO launch",
        "lander_launch_tdb_s": "SRL launch",
        "ero_mars_arrival_tdb_s": "ERO Mars orbit insertion",
        "lander_landing_tdb_s": "SRL entry and landing at Jezero",
        "mav_launch_tdb_s": "MAV launch (OS in orbit)",
        "capture_tdb_s": "OS captured and contained",
        "tei_tdb_s": "trans-Earth injection",
        "earth_entry_tdb_s": "EES entry and landing at UTTR",
    }
    for col, name in pairs.items():
        # every trial identical, and equal to the independently chained preview within 1 s
        assert np.ptp(tab[col]) == 0.0, col
        assert abs(tab[col][0] - ev[name]) < 1.0, (col, tdb_to_utc(tab[col][0]), tdb_to_utc(ev[name]))
    # the phases' own numbers: SRL and EES entry speeds, delivered orbit
    assert tab["lander_entry_speed_m_s"][0] == pytest.approx(pv.srl_entry.config.entry.speed_m_s, abs=1e-6)
    assert tab["ees_entry_speed_m_s"][0] == pytest.approx(pv.ees_entry.config.entry.speed_m_s, abs=0.5)
    assert tab["mav_periapsis_alt_km"][0] == pytest.approx(pv.ascent_orbit["periapsis_alt_km"], abs=1e-6)
    assert tab["tubes_returned"][0] == pv.selection.mask.sum()
    assert tab["value_returned"][0] == pytest.approx(pv.selection.value, abs=1e-9)


def test_baseline_nominal_timeline_matches_the_published_plan(nominal_plan):
    """NASA 2022-07-27 / PIA25892 (FACTS.md §2, §8): ERO launch 2027 and in Mars orbit 2029
    (the solved electric cruise), SRL launch 2028, samples on Earth 2033."""
    tab = simulate_trials(nominal_plan, 0, 1)
    year = {
        k: int(tdb_to_utc(tab[k][0], "date")[:4])
        for k in ("ero_launch_tdb_s", "ero_mars_arrival_tdb_s", "lander_launch_tdb_s", "earth_landing_tdb_s")
    }
    assert year == {"ero_launch_tdb_s": 2027, "ero_mars_arrival_tdb_s": 2029, "lander_launch_tdb_s": 2028,
                    "earth_landing_tdb_s": 2033}


def test_tianwen3_returns_in_2031():
    """Tianwen-3: samples on Earth July 2031 (Planetary Society 2022; SpaceNews 2026, FACTS §9)."""
    plan = build_plan(_quiet(load_architecture("tianwen3")), seed=1)
    tab = simulate_trials(plan, 0, 1)
    assert tab["outcome_code"][0] == 0, CAUSES[tab["outcome_code"][0]]
    assert tdb_to_utc(tab["earth_landing_tdb_s"][0], "date")[:4] == "2031"


# ---------------------------------------------------------------- probability laws

P_EACH = 0.04


def test_constant_failure_probabilities_multiply(nominal_plan):
    """Only fixed failure probabilities, no spread, no dispersion: P(success) = product."""
    risk = {
        name: {"p": P_EACH}
        for name in ("launch", "cruise", "orbit_insertion", "edl", "mav_motor", "rendezvous", "earth_entry")
    }
    arch = nominal_plan.architecture
    r = arch.risk.model_copy(
        update={"enabled": True, **{k: getattr(arch.risk, k).model_copy(update=v) for k, v in risk.items()}}
    )
    plan = dataclasses.replace(nominal_plan, architecture=arch.model_copy(update={"risk": r}))
    n = 3000
    tab = simulate_trials(plan, 0, n)
    expected = (1 - P_EACH) ** len(RISK_EVENTS)  # 11 events, each once per trial
    se = math.sqrt(expected * (1 - expected) / n)
    assert abs(np.mean(tab["outcome_code"] == 0) - expected) < 3 * se


@pytest.mark.parametrize(
    "prior, cause",
    [("edl", "lander EDL"), ("rendezvous", "rendezvous and capture"), ("earth_entry", "Earth entry")],
)
def test_one_failure_mode_gives_its_own_cause(nominal_plan, prior, cause):
    p = 0.2
    arch = nominal_plan.architecture
    r = arch.risk.model_copy(
        update={
            "enabled": True,
            **{
                k: getattr(arch.risk, k).model_copy(update={"p": p if k == prior else 0.0})
                for k in arch.risk.names()
            },
        }
    )
    plan = dataclasses.replace(nominal_plan, architecture=arch.model_copy(update={"risk": r}))
    n = 2000
    code = simulate_trials(plan, 0, n)["outcome_code"]
    assert set(np.unique(code)) <= {0, CAUSE_CODE[cause]}
    assert abs(np.mean(code == CAUSE_CODE[cause]) - p) < 3 * math.sqrt(p * (1 - p) / n)


def test_beta_prior_draws_follow_the_record(nominal_plan):
    """Epistemic draws of a Beta(f+1, s+1) prior have its mean (launch record 20/22: 3/24)."""
    plan = _with(nominal_plan, risk={"enabled": True})
    tab = simulate_trials(plan, 0, 4000)
    assert np.mean(tab["p_launch"]) == pytest.approx(3 / 24, abs=3 * math.sqrt(3 * 21 / (24**2 * 25) / 4000))


# ---------------------------------------------------------------- cascades


def test_capture_after_the_window_returns_one_window_later(nominal_plan):
    """The return leg's window closes before the nominal capture: the ERO takes the next one,
    one synodic period (~780 d, FACTS.md §5) later, with its own transfer. The ERO flies its
    largest-mass arrival (``cruise_arrival: max_mass``): the default policy would choose an
    earlier arrival that makes this early window (what it is for), and this test is about
    the engine's rule for a capture after the window."""
    base = load_architecture("baseline_2022")
    data = base.model_dump()
    data["ero"] = {**data["ero"], "cruise_arrival": "max_mass"}
    data["mars_to_earth"] = {
        **data["mars_to_earth"],
        "depart_range_utc": "2030-05-01:2030-09-01",
        "arrive_range_utc": "2030-12-01:2031-12-31",
    }
    data["earth_return_year"] = None
    arch = _quiet(architecture_from_dict(data), later=1)
    plan = build_plan(arch, seed=1)
    tab = simulate_trials(plan, 0, 1)
    assert tab["outcome_code"][0] == 0, CAUSES[tab["outcome_code"][0]]
    assert tab["capture_tdb_s"][0] > plan.return_opportunities[0].departure_tdb_s[-1]
    assert tab["return_opportunity"][0] == 1
    r0, r1 = plan.return_opportunities[0], plan.return_opportunities[1]
    best0 = r0.departure_tdb_s[r0.best_after[0]]
    gap_days = (tab["tei_tdb_s"][0] - best0) / DAY
    assert abs(gap_days - 779.94) < 60.0, gap_days
    assert r1.departure_tdb_s.size > 0


def test_solar_lander_in_a_global_storm_loses_power_rtg_does_not(nominal_plan):
    """A global storm at landing (5 % sunlight, FACTS §10) is below a solar lander's survival
    power: cause 'lander power'; the same trials with an RTG lander do not fail."""
    storm = {"global_storm_per_mars_year": 1.0, "storm_onset_ls_deg": (180.0, 185.0)}
    mc = {"dispersions": True}
    solar = _with(nominal_plan, surface=storm, monte_carlo=mc, lander={"power": "solar"})
    rtg = _with(nominal_plan, surface=storm, monte_carlo=mc, lander={"power": "rtg"})
    n = 64
    a, b = simulate_trials(solar, 0, n), simulate_trials(rtg, 0, n)
    landed = np.isfinite(a["lander_landing_tdb_s"])
    # the landing (2029-10-10) falls in the storm window (Ls 180-185 + 21-sol peak) of MY 40
    assert np.all(a["outcome_code"][landed] == CAUSE_CODE["lander power"])
    assert not np.any(b["outcome_code"] == CAUSE_CODE["lander power"])
    assert np.all(a["lander_min_power_fraction"][landed] < solar.architecture.lander.survival_power_fraction)


def test_late_lander_is_an_outcome_not_an_error():
    """A lander that arrives after the ERO must leave ends the trial (reported, no exception).

    The ballistic ERO leg arrives 2029-04-23, the lander lands 2029-10-10: a 100-day stay
    limit makes it late. (The electric cruise arrives 2029-12-26, after the landing.)
    """
    a = load_architecture("baseline_2022")
    a = _quiet(a.model_copy(update={"ero": a.ero.model_copy(update={"cruise": "ballistic"})}))
    plan = _with(build_plan(a, seed=7), ero={"max_mars_stay_days": 100.0})
    note = plan.ero_cruise[0]
    assert note["cruise_model"] == "ballistic" and "ero.cruise: ballistic" in note["note"]
    tab = simulate_trials(plan, 0, 3)
    assert np.all(tab["outcome_code"] == CAUSE_CODE["lander after ERO departure"])
    assert np.all(np.isnan(tab["earth_landing_tdb_s"])) and np.all(tab["tubes_returned"] == 0)


@pytest.fixture(scope="module")
def two_opportunity_plan():
    """Baseline, quiet, with the next launch opportunity of each leg (slips switched on per test)."""
    return build_plan(_quiet(load_architecture("baseline_2022"), later=1), seed=1)


def _slipping(plan, slipped: str, **sections):
    """The plan with one element slipping ~400 d (past its launch period) and the other on time."""
    sched = plan.architecture.schedule
    late = {"median_days": 400.0, "sigma": 0.01, "reserve_days": 0.0}
    on_time = {"median_days": 0.0, "sigma": 0.0}
    return _with(
        plan,
        monte_carlo={"schedule_slips": True},
        schedule={
            "lander": sched.lander.model_copy(update=late if slipped == "lander" else on_time),
            "ero": sched.ero.model_copy(update=late if slipped == "ero" else on_time),
        },
        **sections,
    )


def test_slip_moves_the_launch_to_the_next_opportunity(two_opportunity_plan):
    """A slip past the launch period launches ~26 months later (FACTS §9)."""
    plan = _slipping(two_opportunity_plan, "lander")
    tab = simulate_trials(plan, 0, 4)
    assert np.all(tab["lander_opportunity"] == 1)
    dt = (tab["lander_launch_tdb_s"] - plan.lander_opportunities[0].planned_departure_tdb_s) / DAY
    assert np.all(np.abs(dt - 779.94) < 90.0), dt


def test_slipped_ero_keeps_the_earliest_return(two_opportunity_plan):
    """The ERO slips to its next launch (2029-08-20), the lander is on time (an RTG lander, so
    that surface power does not decide). ``ero.cruise_arrival: earliest_return`` (default)
    picks an arrival no later than the largest-mass one whose Mars chain (insertion, spiral,
    rendezvous) is ready for the return that the earliest feasible arrival makes (window 0's
    2033-01-28 departure); ``max_mass`` reproduces the previous choice (measured before the
    policy existed: 2032-03-20, 5082.2 kg after MOI, a 2.6-year cruise). The independent check
    is the Monte Carlo trial itself (its own capture epoch and return assignment): home in
    2033 (return window 0) against 2035 (window 1) for max_mass."""
    er = two_opportunity_plan
    mm = build_plan(_with(er, ero={"cruise_arrival": "max_mass"}).architecture, seed=1)
    n_er, n_mm = er.ero_cruise[1], mm.ero_cruise[1]
    assert (n_er["arrival_policy"], n_mm["arrival_policy"]) == ("earliest_return", "max_mass")
    assert n_mm["arrival_utc"] == "2032-03-20" and n_mm["mass_after_moi_kg"] == pytest.approx(5082.2, abs=1.0)
    assert n_er["max_mass_arrival_utc"] == n_mm["arrival_utc"]
    t_er, t_mm = (float(utc_to_tdb(n["arrival_utc"])) for n in (n_er, n_mm))
    assert t_er <= t_mm and n_er["mass_after_moi_kg"] <= n_mm["mass_after_moi_kg"]
    deadline = float(utc_to_tdb(n_er["return_departure_utc"]))
    r0 = er.return_opportunities[0]
    assert deadline == pytest.approx(float(r0.departure_tdb_s[r0.best_after[0]]), abs=DAY)  # window 0's best
    # the plan's own chain for the chosen cruise: working orbit + nominal rendezvous by D
    ph = er.ero_phases[1]
    ready = er.ero_opportunities[1].planned_arrival_tdb_s + ph.arrival_to_working_orbit_s
    assert ready + ph.summary["rendezvous_days"] * DAY <= deadline + DAY
    tabs = {}
    for name, plan in (("er", er), ("mm", mm)):
        tab = simulate_trials(_slipping(plan, "ero", lander={"power": "rtg"}), 0, 2)
        assert np.all(tab["ero_opportunity"] == 1) and np.all(tab["lander_opportunity"] == 0)
        assert np.all(tab["outcome_code"] == 0), [CAUSES[c] for c in tab["outcome_code"]]
        tabs[name] = tab
    assert np.all(tabs["er"]["return_opportunity"] == 0) and np.all(tabs["mm"]["return_opportunity"] == 1)
    assert np.all(tabs["er"]["capture_tdb_s"] <= deadline)
    assert np.all(tabs["mm"]["capture_tdb_s"] > r0.departure_tdb_s[-1])  # after window 0 closes
    years = {k: {tdb_to_utc(t, "date")[:4] for t in v["earth_landing_tdb_s"]} for k, v in tabs.items()}
    assert years == {"er": {"2033"}, "mm": {"2035"}}


# ---------------------------------------------------------------- determinism


def test_same_seed_same_table_however_chunked(nominal_plan, tmp_path):
    """1 chunk vs 7 uneven chunks, one of them across the 1,024-trial block boundary."""
    plan = _with(nominal_plan, risk={"enabled": True}, monte_carlo={"dispersions": True})
    n = 1100
    one = run_trials(plan, n, chunk_size=n)
    bounds = [(0, 3), (3, 250), (250, 251), (251, 700), (700, 1020), (1020, 1030), (1030, 1100)]
    seven = run_trials(plan, n, bounds=bounds)
    assert one.keys() == seven.keys()
    for k in one:
        assert np.array_equal(one[k], seven[k], equal_nan=True), k
    # the files themselves: same Parquet bytes (NaN-safe, unlike Table.equals)
    import pyarrow.parquet as pq

    pq.write_table(trial_table_arrow(one, plan), tmp_path / "one.parquet")
    pq.write_table(trial_table_arrow(seven, plan), tmp_path / "seven.parquet")
    assert (tmp_path / "one.parquet").read_bytes() == (tmp_path / "seven.parquet").read_bytes()
    assert json.dumps(summarise(plan, one)) == json.dumps(summarise(plan, seven))


def test_rng_streams_depend_on_trial_and_phase_only():
    a = normals(5, "srl.entry", 1000, 1100, 3)
    b = normals(5, "srl.entry", 0, 2048, 3)[1000:1100]
    assert np.array_equal(a, b)
    c = normals(5, "ees.entry", 1000, 1100, 3)
    assert not np.any(a == c)  # two phases never share draws
    u = uniforms(5, "x", 0, BLOCK_TRIALS + 1, 1)
    assert u.shape == (BLOCK_TRIALS + 1, 1) and np.all((u >= 0) & (u < 1))


def test_wilson_interval_reference_values():
    """Wilson 95 % interval of 81/263 (Newcombe 1998, Stat Med 17:857, Table I: 0.2553-0.3662)."""
    lo, hi = wilson_interval(81, 263)
    assert lo == pytest.approx(0.2553, abs=5e-4) and hi == pytest.approx(0.3662, abs=5e-4)


def test_conjunctions_match_the_published_moratoria():
    """Sun-Earth-Mars < 2 deg spans in FACTS.md §9 (matches NASA's 2019/21/23 moratoria)."""
    for start, end in (("2028-03-12", "2028-03-30"), ("2030-05-17", "2030-06-02")):
        t0, t1 = utc_to_tdb(start), utc_to_tdb(end)
        days = np.arange(t0 - 10 * DAY, t1 + 10 * DAY, DAY)
        flag = conjunction_blackout(days)
        on = days[flag]
        assert abs(on[0] - t0) <= 1.5 * DAY and abs(on[-1] - t1) <= 1.5 * DAY


# ---------------------------------------------------------------- bad input


def test_bad_beta_prior_is_a_one_line_error():
    data = load_architecture("baseline_2022").model_dump()
    data["risk"]["edl"] = {"alpha": 0.0, "beta": 5.0}
    with pytest.raises(ConfigError) as ei:
        architecture_from_dict(data, "file.yaml")
    msg = str(ei.value)
    assert "risk.edl.alpha" in msg and "\n" not in msg


def test_unknown_field_in_a_section():
    data = load_architecture("baseline_2022").model_dump()
    data["surface"]["helicopter_count"] = 3
    with pytest.raises(ConfigError, match="surface.helicopter_count"):
        architecture_from_dict(data, "file.yaml")


def test_cli_run_bad_input_exit_2(tmp_path):
    from msrsim.cli import main

    bad = tmp_path / "bad.yaml"
    bad.write_text("name: [unclosed\n")
    for argv in (
        ["run", "--preset", "nope"],
        ["run", "--trials", "-5"],
        ["run", "--config", str(bad)],
        ["run", "--preset", "baseline_2022", "--config", str(bad)],
    ):
        assert main(argv + ["--out", str(tmp_path / "o")]) == 2, argv


def test_physics_memo_reuse_is_exact(nominal_plan):
    """A sensitivity case run through the memo equals the same case computed from scratch."""
    from msrsim.campaign.engine import PhysicsMemo

    base = _with(nominal_plan, risk={"enabled": True}, monte_carlo={"dispersions": True})
    memo = PhysicsMemo()
    simulate_trials(base, 0, 300, memo=memo)
    case = _with(
        base, surface={"global_storm_per_mars_year": 0.6}, risk={"enabled": True, "edl": {"p": 0.05}}
    )
    a = simulate_trials(case, 0, 300, memo=memo)
    b = simulate_trials(case, 0, 300)
    for k in a:
        assert np.array_equal(a[k], b[k], equal_nan=True), k


def test_sensitivity_tornado_moves_p_success_the_right_way(nominal_plan):
    """Higher failure priors lower P(success); the tornado is sorted by swing."""
    from msrsim.campaign.montecarlo import sensitivity_tornado

    plan = _with(nominal_plan, risk={"enabled": True}, monte_carlo={"dispersions": True})
    res = sensitivity_tornado(plan, 200)
    rows = {r["parameter"]: r for r in res["parameters"]}
    for name in ("risk.launch", "risk.edl", "risk.rendezvous"):
        assert rows[name]["p_success_high"] < rows[name]["p_success_low"], name
    swings = [r["p_success_swing"] for r in res["parameters"]]
    assert swings == sorted(swings, reverse=True)


def test_electric_ero_cruise_drives_the_mars_phase():
    """An electric ERO (the default cruise ``auto``) flies msrsim.lowthrust's solved cruise:
    the trial's ERO arrives when the cruise does, and the insertion sees the cruise's arrival
    v-infinity."""
    a = _quiet(load_architecture("skycrane_2025"))
    assert a.ero.cruise == "auto" and a.ero.cruise_model == "electric"
    plan = build_plan(a, seed=1)
    note = plan.ero_cruise[0]
    assert note["cruise_model"] == "electric", note
    assert plan.ero_opportunities[0].planned_type == "electric"
    tab = simulate_trials(plan, 0, 1)
    assert tab["outcome_code"][0] == 0, CAUSES[tab["outcome_code"][0]]
    assert tdb_to_utc(tab["ero_mars_arrival_tdb_s"][0], "date") == note["arrival_utc"]
    summ = plan.ero_phases[0].summary
    assert summ["cruise_model"].startswith("electric")
    assert summ["arrival_vinf_km_s"] == pytest.approx(note["arrival_vinf_km_s"], abs=1e-4)
    assert summ["cruise_xenon_kg"] == pytest.approx(note["xenon_kg"], abs=0.05)


def test_ero_engine_count_reaches_the_mars_phase(nominal_plan):
    """ero.ep_engine_count feeds the ERO model (default 4): fewer engines mean less spiral
    thrust, a longer spiral down to the working orbit, and a cruise that removes less of the
    arrival v-infinity (a larger insertion)."""
    a = nominal_plan.architecture
    two = build_plan(a.model_copy(update={"ero": a.ero.model_copy(update={"ep_engine_count": 2})}), seed=7)
    two_p, four_p = two.ero_phases[0], nominal_plan.ero_phases[0]
    assert nominal_plan.mars_orbit_config.ero.ep_engine_count == 4
    assert two.mars_orbit_config.ero.ep_engine_count == 2
    assert two.ero_cruise[0]["cruise_model"] == "electric" and two.ero_cruise[0]["engines"] == 2
    assert four_p.ep_thrust_n > two_p.ep_thrust_n
    assert four_p.summary["spiral_days"] < two_p.summary["spiral_days"]
    assert four_p.summary["arrival_vinf_km_s"] < two_p.summary["arrival_vinf_km_s"]
