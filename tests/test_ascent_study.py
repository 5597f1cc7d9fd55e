"""The ascent study object behind ``msrsim ascent``: the CLI prints what the study returns,
and the study returns what the physics functions give when chained by hand."""

from __future__ import annotations

import json

import numpy as np
import pytest
import yaml

from msrsim.ascent.flight import fly_nominal
from msrsim.ascent.guidance import design_guidance
from msrsim.ascent.montecarlo import run_monte_carlo
from msrsim.ascent.params import AscentConfig, make_config
from msrsim.ascent.study import study_ascent
from msrsim.errors import ConfigError
from msrsim.marsorbit.lifetime import os_lifetime_days

# the keys of `msrsim ascent --json`, in order (the command's documented output)
CLI_KEYS = [
    "periapsis_alt_km", "apoapsis_alt_km", "inclination_deg", "a_km", "e", "raan_deg",
    "raan_fixed_deg", "argp_deg", "dv_total_m_s", "dv_ideal_m_s", "dv_gravity_loss_m_s",
    "dv_gravity_loss_srm1_m_s", "dv_gravity_loss_coast_m_s", "dv_gravity_loss_srm2_m_s",
    "dv_drag_loss_m_s", "dv_steering_loss_m_s", "dv_steering_loss_srm1_m_s",
    "dv_steering_loss_srm2_m_s", "dv_rotation_benefit_m_s", "dv_other_m_s", "shortfall_m_s",
    "target_dv_m_s", "max_q_pa", "max_axial_g", "max_accel_g", "max_alpha_deg",
    "max_alpha_deg_high_q", "max_q_alpha_pa_deg", "coast_s", "flight_time_s",
    "srm1_burnout_alt_km", "srm1_burnout_speed_m_s", "srm2_ignition_alt_km",
    "mav", "payload_kg", "payload_max_kg", "target", "launch_epoch_utc", "t_launch_tdb_s",
    "mars_rotation_angle_deg", "reached_target", "orbit_ok", "limits", "within_limits",
    "p_within_limits", "p_orbit_ok", "os_lifetime_days", "guidance", "closed_loop",
    "misalignment_model", "trials", "seed", "monte_carlo", "sensitivity", "figures"]


@pytest.fixture(scope="module")
def designed():
    cfg = AscentConfig()
    return cfg, design_guidance(cfg).guidance


def test_cli_prints_the_study_chained_by_hand(designed, tmp_path, capsys):
    from msrsim.cli import main

    cfg, g = designed
    path = tmp_path / "ascent.yaml"
    path.write_text(yaml.safe_dump({"ascent": {"guidance": g.model_dump(),
                                               "launch_epoch_utc": "2031-02-03T04:05:06"}}))
    rc = main(["ascent", "--config", str(path), "--trials", "30", "--seed", "4", "--json",
               "--no-figures"])
    assert rc == 0
    data = json.loads(capsys.readouterr().out)
    assert list(data) == CLI_KEYS
    c = make_config({"guidance": g.model_dump(), "launch_epoch_utc": "2031-02-03T04:05:06"})
    nom = fly_nominal(c, g).orbit
    for k in ("periapsis_alt_km", "apoapsis_alt_km", "inclination_deg", "raan_deg",
              "dv_total_m_s", "max_alpha_deg_high_q"):
        assert data[k] == nom[k], k
    mc = run_monte_carlo(c, g, 30, seed=4)
    assert data["monte_carlo"] == json.loads(json.dumps(mc.summary()))
    assert data["p_orbit_ok"] == mc.p_orbit_ok and data["trials"] == 30
    life = float(os_lifetime_days(nom["periapsis_alt_km"], nom["apoapsis_alt_km"],
                                  nom["inclination_deg"]))
    assert data["os_lifetime_days"] == life and life > 0.0
    assert data["launch_epoch_utc"] == "2031-02-03T04:05:06" and data["reached_target"] is None
    assert data["figures"] == [] and data["sensitivity"] is None


def test_study_summary_and_its_errors(designed):
    cfg, g = designed
    c = cfg.model_copy(update={"guidance": g})
    s = study_ascent(c, trials=0)
    out = s.summary()
    assert s.monte_carlo is None and out["monte_carlo"] is None
    assert out["p_orbit_ok"] == float(s.nominal["orbit_ok"])
    # an orbit below 100 km periapsis has no lifetime: 0 days, not an exception
    low = study_ascent(c.model_copy(update={"mav": c.mav.model_copy(update={"payload_kg": 60.0})}),
                       trials=0)
    assert low.nominal["periapsis_alt_km"] < 100.0 and low.os_lifetime_days == 0.0
    with pytest.raises(ConfigError, match="max_payload"):
        study_ascent(c, trials=0, max_payload=True)
    with pytest.raises(ConfigError, match="trials=-1"):
        study_ascent(c, trials=-1)
    assert np.isfinite(out["dv_total_m_s"])
