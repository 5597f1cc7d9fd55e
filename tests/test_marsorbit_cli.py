"""Parameter objects, YAML config, rendezvous plan and the ``msrsim rendezvous`` command."""

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from msrsim.cli import main
from msrsim.errors import ConfigError
from msrsim.marsorbit.params import EROParams, OSParams, RendezvousParams, load_config
from msrsim.marsorbit.rendezvous import node_rate_rad_s, plan_rendezvous, plane_change_trade


def test_os_defaults_give_the_facts_area_to_mass():
    # 30 cm sphere of 12-16 kg -> A/m 0.0045-0.006 m^2/kg (FACTS.md §8)
    assert 0.0045 <= OSParams().area_to_mass_m2_kg <= 0.006
    assert abs(OSParams(mass_kg=12).area_to_mass_m2_kg - 0.00589) < 1e-4


@pytest.mark.parametrize("cls, kw, field", [
    (OSParams, {"mass_kg": -3.0}, "mass_kg"),
    (OSParams, {"periapsis_alt_km": 400.0, "apoapsis_alt_km": 300.0}, "apoapsis_alt_km"),
    (EROParams, {"ep_isp_s": 0.0}, "ep_isp_s"),
    (EROParams, {"warp_drive": True}, "warp_drive"),
    (RendezvousParams, {"near_hold_m": 5000.0}, "near_hold_m"),
    (RendezvousParams, {"plane_strategy": "teleport"}, "plane_strategy"),
])
def test_bad_parameters_are_one_line_config_errors(cls, kw, field):
    with pytest.raises(ConfigError) as exc:
        cls(**kw)
    msg = str(exc.value)
    assert field in msg and "\n" not in msg


@settings(max_examples=25, deadline=None)
@given(st.floats(allow_nan=True, allow_infinity=True))
def test_os_mass_validator_accepts_only_the_documented_range(m):
    if np.isfinite(m) and 0.5 < m <= 100.0:
        assert OSParams(mass_kg=m).mass_kg == m
    else:
        with pytest.raises(ConfigError, match="mass_kg"):
            OSParams(mass_kg=m)


def test_yaml_config_loads_and_rejects_unknown_keys(tmp_path):
    f = tmp_path / "c.yaml"
    f.write_text("os:\n  mass_kg: 12\nrendezvous:\n  phase_angle_deg: 90\n")
    cfg = load_config(f)
    assert cfg.os.mass_kg == 12 and cfg.rendezvous.phase_angle_deg == 90
    f.write_text("orbitter:\n  x: 1\n")
    with pytest.raises(ConfigError, match="orbitter"):
        load_config(f)


def test_node_drift_trade_closes_the_gap():
    # wait x relative J2 node rate = the node difference (rates: Vallado §9.6)
    off = np.array([-100.0, 50.0, 200.0])
    wait, dv = plane_change_trade(343.0, 25.0, 3.0, off)
    rel = node_rate_rad_s(343.0 + off, 25.0) - node_rate_rad_s(343.0, 25.0)
    moved = np.degrees(np.abs(rel) * wait * 86400)
    want = np.where(rel > 0, 3.0, 357.0)
    np.testing.assert_allclose(moved, want, rtol=1e-9)
    assert np.all(dv > 0)


def test_rendezvous_plan_respects_keep_out_and_sums():
    res = plan_rendezvous(OSParams(), EROParams(), RendezvousParams(), 2900.0, 0.4, delta_raan_deg=2.0)
    assert res.keep_out_ok and res.passively_safe
    assert abs(res.dv_total_m_s - sum(p[1] for p in res.phases)) < 1e-9
    assert res.min_range_outside_final_m > RendezvousParams().keep_out_radius_m
    pay = plan_rendezvous(OSParams(), EROParams(), RendezvousParams(plane_strategy="dv"), 2900.0, 0.4, 2.0)
    drift = plan_rendezvous(OSParams(), EROParams(), RendezvousParams(plane_strategy="drift"), 2900.0, 0.4,
                            2.0)
    # the trade: waiting costs time, paying costs Δv
    assert drift.dv_total_m_s < pay.dv_total_m_s and drift.duration_days > pay.duration_days


def test_cli_rendezvous_json(capsys, tmp_path):
    rc = main(["rendezvous", "--json", "--preset", "baseline_2022", "--out", str(tmp_path)])
    assert rc == 0
    out = json.loads(capsys.readouterr().out)
    # the same legs as `msrsim run` for the same preset: Mars departure date, departure
    # v∞ and Earth entry speed of the return window's best (lowest departure v∞) transfer
    argv = ["run", "--windows-only", "--json", "--preset", "baseline_2022", "--out", str(tmp_path / "run")]
    assert main(argv) == 0
    run = json.loads(capsys.readouterr().out)
    back = min(run["legs"][-1]["best_transfers"], key=lambda t: t["vinf_departure_km_s"])
    assert out["dates_utc"]["tei"][:16] == back["departure_utc"][:16]
    assert abs(out["tei_vinf_km_s"] - back["vinf_departure_km_s"]) < 1e-3  # km/s (run rounds to 1e-4)
    assert abs(out["earth_entry_speed_km_s"] - back["entry_speed_km_s"]) < 1e-3
    ero = min(run["legs"][0]["best_transfers"], key=lambda t: t["vinf_arrival_km_s"])
    assert out["dates_utc"]["mars_arrival"][:16] == ero["arrival_utc"][:16]
    assert out["dates_utc"]["earth_departure"][:16] == ero["departure_utc"][:16]
    # every phase has a date, in order
    order = ["earth_departure", "mars_arrival", "moi_end", "rendezvous_start", "capture_complete",
             "tei", "ees_release", "earth_arrival"]
    stamps = [out["dates_utc"][k] for k in order]
    assert stamps == sorted(stamps)
    for key in ("dv_total_m_s", "duration_days", "spiral_days", "tei_dv_m_s", "earth_entry_speed_km_s"):
        assert key in out and np.isfinite(out[key])
    # FACTS.md §8: Earth arrival v∞ 4.5-5.4 km/s in the 2028-31 returns -> 11.9-12.3 km/s;
    # the baseline's 2033 Type I return arrives slower (v∞ 4.06 km/s in `msrsim run`)
    assert 11.6 < out["earth_entry_speed_km_s"] < 12.4
    # spiral simulated vs Edelbaum: an elliptic start with coasting costs at least Edelbaum
    assert out["spiral_dv_m_s"] >= 0.99 * out["spiral_edelbaum_dv_m_s"]
    assert len(out["figures"]) == 3 and all((tmp_path / f.split("/")[-1]).exists() for f in out["figures"])


def test_cli_unknown_preset_exits_2(capsys):
    rc = main(["rendezvous", "--preset", "apollo_1969", "--json"])
    err = capsys.readouterr().err
    assert rc == 2 and "apollo_1969" in err and err.count("\n") == 1


def test_cli_bad_config_exits_2(capsys, tmp_path):
    f = tmp_path / "bad.yaml"
    f.write_text("ero:\n  ep_thrust_per_engine_n: -1\n")
    rc = main(["rendezvous", "--config", str(f), "--json"])
    err = capsys.readouterr().err
    assert rc == 2
    assert err.startswith("msrsim: error:") and "ep_thrust_per_engine_n" in err and err.count("\n") == 1


def test_mars_phase_dates_agree_with_the_windows_analysis_of_the_preset():
    # The Mars->Earth leg and the ERO's Earth->Mars leg come from the launch-windows
    # module, computed exactly as `msrsim run` does (architecture.analyse_windows): the
    # same TEI date, departure v∞ and Earth entry speed as the return window's best
    # transfer, and the Mars arrival of the ERO leg's lowest-arrival-v∞ best transfer.
    from msrsim.campaign.architecture import analyse_windows, load_architecture
    from msrsim.campaign.mission import plan_mars_orbit_phase

    arch = load_architecture("baseline_2022")
    legs = analyse_windows(arch)
    rw = legs[-1].return_window
    best = min(rw.transfers, key=lambda t: t.vinf_departure_km_s)
    v_entry = rw.transfer_entry_speed_km_s[rw.transfers.index(best)]
    out = min(legs[0].transfers, key=lambda t: t.vinf_arrival_km_s)
    res = plan_mars_orbit_phase(architecture="baseline_2022")  # computes its own windows
    s = res.summary
    assert abs(res.epochs_tdb_s["tei"] - best.departure_tdb_s) < 60.0  # s
    assert abs(res.epochs_tdb_s["earth_arrival"] - best.arrival_tdb_s) < 60.0
    assert abs(s["tei_vinf_km_s"] - best.vinf_departure_km_s) < 1e-6  # km/s
    assert abs(s["earth_vinf_km_s"] - best.vinf_arrival_km_s) < 1e-6
    assert abs(s["earth_entry_speed_km_s"] - v_entry) < 1e-6
    assert abs(res.epochs_tdb_s["mars_arrival"] - out.arrival_tdb_s) < 60.0
    assert abs(s["arrival_vinf_ballistic_km_s"] - out.vinf_arrival_km_s) < 1e-6
    # the 2022 baseline: samples on Earth in 2033 (FACTS.md §2)
    from msrsim.timescales import tdb_to_utc

    assert tdb_to_utc(res.epochs_tdb_s["earth_arrival"], "date").startswith("2033")
    # timeline plausibility against the published milestones of the 2022 plan (PIA25892,
    # FACTS.md §8, H): ERO launch 2027, in Mars orbit 2029, ~3 years from launch to the
    # end of capture ("~3": we allow +-0.5 year)
    assert tdb_to_utc(res.epochs_tdb_s["earth_departure"], "date").startswith("2027")
    assert tdb_to_utc(res.epochs_tdb_s["moi_end"], "date").startswith("2029")
    assert 2.5 < s["launch_to_capture_years"] < 3.5
    # the node difference at rendezvous comes from the chain; a targeted MAV launch removes it
    assert s["delta_raan_source"] == "chain" and abs(s["delta_raan_deg"]) < 1e-6
    assert res.epochs_tdb_s["mav_launch"] <= res.epochs_tdb_s["rendezvous_start"]
    assert res.epochs_tdb_s["tei"] >= res.epochs_tdb_s["capture_complete"]


def test_date_overrides_must_come_in_pairs():
    from msrsim.campaign.mission import plan_mars_orbit_phase
    from msrsim.marsorbit.params import MarsOrbitConfig, ReturnParams

    with pytest.raises(ConfigError, match="tei_utc"):
        plan_mars_orbit_phase(MarsOrbitConfig(ret=ReturnParams(tei_utc="2033-01-27")))


# --- node difference from the chain (MAV launch -> J2 drift -> ERO spiral-end node) ------

def _chain(timing, t0, spiral_end, ero_node=40.0):
    from msrsim.marsorbit.nodes import node_chain
    from msrsim.marsorbit.params import MAVLaunchParams

    return node_chain(MAVLaunchParams(timing=timing), OSParams(), ero_node, spiral_end, 353.0, t0)


def test_launch_node_puts_the_site_under_the_orbit():
    # Independent check of the ground-track geometry: the orbit with the returned node,
    # inclination 25 deg, at the argument of latitude where it reaches the site latitude,
    # points at the site's inertial direction (IAU 2015 W0 = 176.049863 deg, W1 =
    # 350.891982443297 deg/day, Archinal et al. 2018) and moves northward (ascending).
    from msrsim.bodies import MARS
    from msrsim.kernels.elements import elements_to_rv
    from msrsim.marsorbit.nodes import launch_node_rad

    lat, lon, inc = 18.4447, 77.4508, 25.0  # Jezero (FACTS.md §4), ascent target (FACTS.md §8)
    for t in (0.0, 9.5e8, 9.5e8 + 12345.0):
        om = launch_node_rad(t, lat, lon, inc, True)
        u = np.arcsin(np.sin(np.radians(lat)) / np.sin(np.radians(inc)))
        r, v = elements_to_rv(MARS.r_eq_m + 343e3, 0.0, np.radians(inc), om, 0.0, u, MARS.mu_m3_s2)
        w = np.radians(176.049863 + 350.891982443297 * t / 86400.0)
        site_ra = (w + np.radians(lon)) % (2 * np.pi)
        assert abs(np.degrees(np.arcsin(r[2] / np.linalg.norm(r))) - lat) < 1e-9
        assert abs(((np.arctan2(r[1], r[0]) - site_ra + np.pi) % (2 * np.pi)) - np.pi) < 1e-9
        assert v[2] > 0


def test_targeted_mav_launch_closes_the_node_gap_within_a_sol():
    t0, end = 9.6e8, 9.6e8 + 100 * 86400.0
    c = _chain("targeted", t0, end)
    assert abs(c.delta_raan_deg) < 1e-6
    assert 0.0 <= c.mav_launch_tdb_s - t0 < 88775.244  # within one sol (FACTS.md §4)
    # lift-off after the spiral has ended: the rendezvous starts at lift-off
    late = _chain("targeted", end + 5 * 86400.0, end)
    assert abs(late.delta_raan_deg) < 1e-6 and late.rendezvous_start_tdb_s == late.mav_launch_tdb_s


def test_untargeted_node_gap_grows_at_the_site_rate_minus_the_os_node_rate():
    # Shifting an untargeted lift-off by dt changes the node difference by (W1 - OS node
    # rate) dt: the site's inertial rate (IAU W1) less the J2 node rate (Vallado §9.6).
    from msrsim.marsorbit.nodes import node_rate_rad_s

    t0, end = 9.6e8, 9.6e8 + 100 * 86400.0
    dt = 600.0
    a = _chain("as_given", t0, end)
    b = _chain("as_given", t0 + dt, end)
    os_alt_km = OSParams().periapsis_alt_km  # the OS orbit the chain uses (ascent target)
    rate = 350.891982443297 / 86400.0 - np.degrees(node_rate_rad_s(os_alt_km, 25.0))  # deg/s
    d = (b.delta_raan_deg - a.delta_raan_deg + 180.0) % 360.0 - 180.0
    assert abs(d - rate * dt) < 1e-9
    # and the OS node at rendezvous is its launch node drifted at the J2 rate
    drift = np.degrees(node_rate_rad_s(os_alt_km, 25.0)) * (end - t0)
    assert abs(((a.os_node_at_rendezvous_deg - a.os_node_at_launch_deg - drift) + 180) % 360 - 180) < 1e-9


def test_override_node_difference_is_used():
    res = plan_rendezvous(OSParams(), EROParams(), RendezvousParams(delta_raan_deg=3.0), 2900.0, 0.4,
                          delta_raan_deg=0.0)
    assert res.delta_raan_deg == 3.0
    with pytest.raises(ConfigError, match="delta_raan_deg"):
        plan_rendezvous(OSParams(), EROParams(), RendezvousParams(), 2900.0, 0.4)


def test_ees_entry_flight_path_angle_has_one_owner():
    # The ees-uttr entry preset owns the EES entry flight-path angle; the Earth-arrival
    # targeting (ReturnParams, earth_arrival) reads it instead of keeping its own copy.
    import inspect

    from msrsim.entry.presets import EES_UTTR, load_preset
    from msrsim.marsorbit.departure import earth_arrival
    from msrsim.marsorbit.params import MarsOrbitConfig, ReturnParams

    fpa = load_preset("ees-uttr").entry.fpa_deg
    assert ReturnParams().entry_fpa_deg == fpa
    assert MarsOrbitConfig().ret.entry_fpa_deg == fpa
    assert inspect.signature(earth_arrival).parameters["entry_fpa_deg"].default == fpa
    # an edited preset value is what a fresh ReturnParams gets (read, not copied)
    saved = EES_UTTR["entry"]["fpa_deg"]
    try:
        EES_UTTR["entry"]["fpa_deg"] = -12.5
        assert ReturnParams().entry_fpa_deg == -12.5
    finally:
        EES_UTTR["entry"]["fpa_deg"] = saved
