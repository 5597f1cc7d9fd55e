"""``msrsim windows`` and ``msrsim run``; the architecture presets and their validation."""

from __future__ import annotations

import json

import pytest

from msrsim.campaign.architecture import architecture_from_dict, list_presets, load_architecture
from msrsim.cli import main
from msrsim.errors import ConfigError

KEYS = {"type", "departure_utc", "arrival_utc", "tof_days", "c3_km2_s2", "dla_deg", "rla_deg",
        "vinf_departure_km_s", "vinf_arrival_km_s"}


def test_windows_json_has_the_promised_keys_and_handbook_values(tmp_path, capsys):
    rc = main(["windows", "--from", "earth", "--to", "mars", "--depart", "2028-09-01:2029-03-01",
               "--arrive", "2029-06-01:2030-06-01", "--step-days", "2", "--json", "--out", str(tmp_path)])
    assert rc == 0
    data = json.loads(capsys.readouterr().out)
    assert [d["type"] for d in data] == ["I", "II"]
    assert all(set(d) == KEYS for d in data)
    # FACTS.md §5 (NASA/TM-2010-216764): Type I 9.048, Type II 8.928 km^2/s^2 (1.5 %)
    assert data[0]["c3_km2_s2"] == pytest.approx(9.048, rel=0.015)
    assert data[1]["c3_km2_s2"] == pytest.approx(8.928, rel=0.015)
    assert data[0]["departure_utc"].startswith("2028-12-1")
    assert (tmp_path / "porkchop_earth_mars.png").stat().st_size > 10_000


def test_windows_table(tmp_path, capsys):
    rc = main(["windows", "--depart", "2028-10-01:2029-01-31", "--arrive", "2029-06-01:2029-12-31",
               "--step-days", "3", "--no-plot", "--out", str(tmp_path)])
    assert rc == 0
    out = capsys.readouterr().out
    assert "best transfers" in out and "II" in out
    assert not (tmp_path / "porkchop_earth_mars.png").exists()


@pytest.mark.parametrize(
    "args, match",
    [
        (["--depart", "2029-03-01:2028-09-01"], "--depart='2029-03-01:2028-09-01' is reversed"),
        (["--depart", "2028-13-01:2029-03-01"], "--depart"),
        (["--depart", "yesterday"], "--depart='yesterday' is not a date range"),
        (["--from", "pluto"], "--from='pluto' is unknown"),
        (["--to", "earth"], "--to='earth' equals --from"),
        (["--depart", "1850-01-01:1850-03-01"], "outside the DE421 ephemeris span"),
        (["--step-days", "0"], "--step-days=0"),
        (["--step-days", "-2"], "--step-days=-2"),
        (["--objective", "dv"], "objective='dv'"),
    ],
)
def test_windows_bad_input_exits_2_with_one_line(args, match, tmp_path, capsys):
    base = {"--from": "earth", "--to": "mars", "--depart": "2028-10-01:2029-01-31",
            "--arrive": "2029-06-01:2029-12-31", "--step-days": "5"}
    for k, v in zip(args[::2], args[1::2], strict=True):
        base[k] = v
    argv = ["windows", "--no-plot", "--out", str(tmp_path)] + [x for kv in base.items() for x in kv]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("msrsim: error: ") and err.count("\n") == 1
    assert match in err
    assert "Traceback" not in err


def test_run_writes_figures_and_summary(tmp_path, capsys):
    rc = main(["run", "--preset", "tianwen3", "--windows-only", "--out", str(tmp_path), "--json"])
    assert rc == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary == json.loads((tmp_path / "summary.json").read_text())
    assert (tmp_path / "summary.md").read_text().startswith("# Tianwen-3")
    legs = summary["legs"]
    assert len(legs) == 3 and legs[-1]["from"] == "mars"
    for leg in legs:
        assert (tmp_path / leg["figure"].split("/")[-1]).stat().st_size > 10_000
    # outbound: the 2028/29 opportunity (FACTS.md §5, lowest C3 8.928) and a 20-day period
    lp = legs[0]["launch_period"]
    assert lp["duration_days"] >= 20 and lp["c3_max_km2_s2"] < 10.5
    # return: Earth arrival in July 2031 (FACTS.md §9) with an entry speed
    ret = [t for t in legs[-1]["best_transfers"] if t["type"] == "I"][0]
    assert ret["arrival_utc"].startswith("2031-07") and 11.0 < ret["entry_speed_km_s"] < 13.0


def test_default_preset_is_the_2022_baseline_returning_in_2033():
    arch = load_architecture()
    assert arch.name == "baseline_2022" and arch.earth_return_year == 2033  # FACTS.md §2
    assert [leg.vehicle for leg in arch.earth_to_mars] == ["ERO", "SRL"]
    assert set(list_presets()) >= {"baseline_2022", "concept_2020", "options_2025", "tianwen3"}
    for name in list_presets():
        assert load_architecture(name).name == name


def _arch(**changes):
    base = {"name": "t", "title": "t", "source": "test",
            "earth_to_mars": [{"vehicle": "SRL", "depart_range_utc": "2028-10-01:2029-01-31",
                               "arrive_range_utc": "2029-06-01:2029-12-31"}],
            "mars_to_earth": {"depart_range_utc": "2030-07-01:2031-01-31",
                              "arrive_range_utc": "2031-05-01:2031-10-31"}}
    base.update(changes)
    return base


@pytest.mark.parametrize(
    "changes, match",
    [
        ({"colour": "red"}, "'colour' is not a known field; allowed: name, title, source"),
        ({"earth_to_mars": []}, "'earth_to_mars' must have at least 1 item"),
        ({"earth_return_year": 2040}, "earth_return_year=2040 lies outside"),
        ({"earth_to_mars": [{"vehicle": "SRL", "depart_range_utc": "2029-01-31:2028-10-01",
                             "arrive_range_utc": "2029-06-01:2029-12-31"}]}, "reversed"),
        ({"earth_to_mars": [{"vehicle": "SRL", "depart_range_utc": "2028-10-01:2029-01-31",
                             "arrive_range_utc": "2029-06-01:2029-12-31", "step_days": 0}]},
         "earth_to_mars.0.step_days"),
        ({"earth_to_mars": [{"vehicle": "SRL", "depart_range_utc": "2028-10-01:2029-01-31",
                             "arrive_range_utc": "2029-06-01:2029-12-31", "dla_min_deg": 30,
                             "dla_max_deg": 10}]}, "dla_min_deg=30.0 must be below"),
    ],
)
def test_architecture_validation_is_one_line(changes, match):
    with pytest.raises(ConfigError, match=match) as info:
        architecture_from_dict(_arch(**changes))
    assert "\n" not in str(info.value)


def test_run_bad_preset_and_bad_config_exit_2(tmp_path, capsys):
    assert main(["run", "--preset", "nope", "--out", str(tmp_path)]) == 2
    assert "preset='nope' is unknown; allowed: baseline_2022" in capsys.readouterr().err
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: [unclosed\n")
    assert main(["run", "--config", str(bad), "--out", str(tmp_path)]) == 2
    assert "malformed YAML" in capsys.readouterr().err
    assert main(["run", "--config", str(tmp_path / "missing.yaml"), "--out", str(tmp_path)]) == 2
    assert "does not exist" in capsys.readouterr().err
