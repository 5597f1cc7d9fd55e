"""Architecture presets, `msrsim presets` and `msrsim init` (commented YAML that loads back)."""

from __future__ import annotations

import json

import pytest
import yaml

from msrsim.campaign.architecture import (
    analyse_windows,
    architecture_from_dict,
    list_presets,
    load_architecture,
)
from msrsim.campaign.model import RiskPrior
from msrsim.campaign.yaml_out import check_round_trip, source_comments, to_commented_yaml
from msrsim.cli import main
from msrsim.timescales import parse_date_range, tdb_to_utc

ALL_PRESETS = ["baseline_2022", "commercial_2025", "concept_2020", "options_2025", "skycrane_2025",
               "tianwen3"]
NEW_2025 = ["skycrane_2025", "commercial_2025"]


def _paths(obj, prefix=()):
    """Every leaf path of a nested dict/list (a tuple of keys and indices)."""
    if isinstance(obj, dict):
        return {p for k, v in obj.items() for p in _paths(v, prefix + (k,))}
    if isinstance(obj, list) and obj and isinstance(obj[0], dict):
        return {p for i, v in enumerate(obj) for p in _paths(v, prefix + (i,))}
    return {prefix}


def _key_lines(text):
    """Line number of every mapping key in a YAML text."""
    lines = []

    def walk(node):
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                lines.append(key.start_mark.line)
                walk(value)
        elif isinstance(node, yaml.SequenceNode):
            for item in node.value:
                walk(item)

    walk(yaml.compose(text, Loader=yaml.SafeLoader))
    return lines


def test_the_six_presets_are_shipped():
    assert list_presets() == ALL_PRESETS


@pytest.mark.parametrize("name", ALL_PRESETS)
def test_init_writes_every_field_with_a_comment_and_loads_back_equal(name, tmp_path, capsys):
    path = tmp_path / f"{name}.yaml"
    assert main(["init", str(path), "--preset", name]) == 0
    assert "wrote" in capsys.readouterr().out
    text = path.read_text(encoding="utf-8")
    original = load_architecture(name)
    assert load_architecture(str(path)) == original  # the invariant `init` promises
    # complete: every leaf of the whole model (defaults included) is written out
    assert _paths(yaml.safe_load(text)) == _paths(original.model_dump(mode="json"))
    # commented: every key, sections and list items included, has a comment line above it
    lines = text.splitlines()
    uncommented = [lines[k] for k in _key_lines(text) if not lines[k - 1].lstrip().startswith("#")]
    assert uncommented == []


def test_init_keeps_the_preset_source_comments(tmp_path):
    path = tmp_path / "b.yaml"
    assert main(["init", str(path), "--preset", "baseline_2022"]) == 0
    text = path.read_text(encoding="utf-8")
    # the date's source stays beside the date, the field's description above it
    assert 'depart_range_utc: "2027-08-01:2027-11-30"  # "fall 2027" (NASA 2022-07-27)' in text
    assert "# Departure search range YYYY-MM-DD:YYYY-MM-DD (UTC) [required]" in text
    assert "helicopters: 2  # two Sample Recovery Helicopters" in text
    # a section default shown in context: the EDL prior's default is the FACTS §9 record
    assert "[> 0, <= 1000000; default 2.0]" in text


def test_init_from_an_init_file_keeps_edits_and_repeats_no_comment(tmp_path):
    first, second = tmp_path / "a.yaml", tmp_path / "b.yaml"
    assert main(["init", str(first), "--preset", "concept_2020"]) == 0
    text = first.read_text(encoding="utf-8").replace("  helicopters: 0\n", "  helicopters: 1  # my edit\n")
    first.write_text(text, encoding="utf-8")
    assert main(["init", str(second), "--preset", str(first)]) == 0
    again = second.read_text(encoding="utf-8")
    assert load_architecture(str(second)).surface.helicopters == 1
    # the same text apart from the line naming the origin: no comment doubled, the edit's kept
    differ = [(a, b) for a, b in zip(text.splitlines(), again.splitlines(), strict=True) if a != b]
    assert len(differ) == 1 and "from a.yaml" in differ[0][1]


def test_writer_round_trips_awkward_values():
    base = load_architecture("baseline_2022").model_dump(mode="json")
    base.update(
        title="on",  # a YAML 1.1 boolean word
        description="a: b # not a comment; 'quotes' \"double\" and unicode → §9 — end",
        earth_return_year=None,
    )
    base["earth_to_mars"][0]["note"] = "- starts like a list item " + "word " * 30 + "end"
    base["earth_to_mars"][1]["c3_max_km2_s2"] = 12.5
    base["risk"]["edl"] = {"alpha": 1.0, "beta": 1.0, "p": 1e-06, "source": "null"}
    base["surface"]["rover_loss_per_sol"] = 1.5e-07
    base["surface"]["storm_onset_ls_deg"] = [0.0, 360.0]
    base["surface"]["global_storm_per_mars_year"] = 1.0 / 7.0
    arch = architecture_from_dict(base)
    text = to_commented_yaml(arch)
    check_round_trip(arch, text)  # raises unless equal
    assert architecture_from_dict(yaml.safe_load(text)) == arch


def test_source_comments_attach_to_their_field():
    notes = source_comments(
        "# head\nname: x  # trailing\nlegs:\n  # above\n  - a: 1  # one\n    b: '2' # two\n"
    )
    assert notes.header == ["head"]
    assert notes.trailing[("name",)] == "trailing"
    assert notes.above[("legs", 0, "a")] == ["above"]
    assert notes.trailing[("legs", 0, "a")] == "one" and notes.trailing[("legs", 0, "b")] == "two"


@pytest.mark.parametrize("name", NEW_2025)
def test_january_2025_options_return_2035_to_2039_with_rtg_and_no_helicopters(name):
    # NASA release 2025-01-07 (FACTS.md §2, §8, §10): return 2035-2039, radioisotope power,
    # no helicopters, OS of 30 tubes, ERO launch ~2030
    arch = load_architecture(name)
    assert 2035 <= arch.earth_return_year <= 2039
    t0, t1 = parse_date_range(arch.mars_to_earth.arrive_range_utc, "arrive_range_utc")
    assert 2035 <= int(tdb_to_utc(t0, "date")[:4]) <= int(tdb_to_utc(t1, "date")[:4]) <= 2039
    assert arch.lander.power == "rtg" and arch.surface.helicopters == 0
    assert arch.orbiting_sample.capacity == 30
    ero = next(leg for leg in arch.earth_to_mars if leg.vehicle == arch.mars_to_earth.vehicle)
    assert ero.depart_range_utc.startswith("2030")
    # the EDL priors are the FACTS.md §9 records as Beta(f + 1, s + 1)
    record = {"skycrane_2025": (6, 6), "commercial_2025": (8, 11)}[name]  # NASA since 2000; all agencies
    expected = RiskPrior.from_record(*record, source="")
    assert (arch.risk.edl.alpha, arch.risk.edl.beta) == (expected.alpha, expected.beta)


def test_2025_option_windows_have_transfers_launch_periods_and_a_2035_return():
    sky, com = load_architecture("skycrane_2025"), load_architecture("commercial_2025")
    # the two options fly the same legs (the lander option does not change the windows)
    assert sky.earth_to_mars == com.earth_to_mars and sky.mars_to_earth == com.mars_to_earth
    results = analyse_windows(sky)
    assert len(results) == 3
    for r in results[:-1]:
        assert r.problem == "" and r.launch_period is not None and len(r.transfers) == 2
        # the 2030/31 ballistic opportunity opens in early 2031; its minimum C3 is a
        # ballistic one (8-10 km^2/s^2 like 2026 and 2028, FACTS.md §5)
        assert tdb_to_utc(r.launch_period.open_tdb_s, "date")[:7] in ("2031-01", "2031-02", "2031-03")
        assert 7.0 < min(t.c3_km2_s2 for t in r.transfers) < 10.0
    ret = results[-1]
    assert ret.return_window is not None and ret.transfers
    for t in ret.transfers:
        assert 2035 <= int(tdb_to_utc(t.arrival_tdb_s, "date")[:4]) <= 2039  # FACTS.md §2


def test_presets_json_lists_all_six_with_source(capsys):
    assert main(["presets", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)["presets"]
    assert [r["name"] for r in rows] == ALL_PRESETS
    for r in rows:
        arch = load_architecture(r["name"])
        assert r["source"] and r["source"] == arch.source and r["title"] == arch.title
        assert r["earth_return_year"] == arch.earth_return_year
    by_name = {r["name"]: r for r in rows}
    assert by_name["baseline_2022"]["earth_return_year"] == 2033  # FACTS.md §2
    assert by_name["tianwen3"]["earth_return_year"] == 2031  # FACTS.md §9
    assert main(["presets"]) == 0
    table = capsys.readouterr().out
    assert all(name in table for name in ALL_PRESETS)


def test_init_unknown_preset_is_one_line_exit_2(tmp_path, capsys):
    path = tmp_path / "x.yaml"
    assert main(["init", str(path), "--preset", "nope"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert "preset='nope' is unknown; allowed: " + ", ".join(ALL_PRESETS) in err
    assert not path.exists()


def test_init_refuses_to_overwrite_without_force(tmp_path, capsys):
    path = tmp_path / "mine.yaml"
    path.write_text("keep me\n")
    assert main(["init", str(path), "--preset", "tianwen3"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "already exists; pass --force" in err and str(path) in err
    assert path.read_text() == "keep me\n"
    assert main(["init", str(path), "--preset", "tianwen3", "--force"]) == 0
    assert load_architecture(str(path)) == load_architecture("tianwen3")
    assert main(["init", str(tmp_path), "--preset", "tianwen3", "--force"]) == 2  # a directory
    assert "is a directory" in capsys.readouterr().err
