"""Tube records (samples/describe.py) and rule overrides of the return-set selection."""

from __future__ import annotations

from datetime import date

import pytest

from msrsim.errors import ConfigError
from msrsim.samples.catalogue import load_catalogue
from msrsim.samples.describe import describe_tube, pair_partner
from msrsim.samples.value import SelectionConfig, override_rules, selection_config_from_dict

# Starts of Mars Years 36-38 (Ls = 0, Clancy et al. 2000 count; the Mars Climate Database
# and Planetary Society calendars list 2021-02-07, 2022-12-26 and 2024-11-12).
MY_STARTS = {36: date(2021, 2, 7), 37: date(2022, 12, 26), 38: date(2024, 11, 12)}
MARS_YEAR_DAYS = 686.97  # Mars sidereal orbital period, days (NASA Mars fact sheet)


def test_pairs_are_symmetric_and_the_rochette_pair_is_montdenier_and_montagnac():
    cat = load_catalogue()
    # The first two cores, Montdenier (sample 2) and Montagnac (sample 3), came from one rock,
    # Rochette (NASA/JPL, September 2021).
    assert describe_tube("S02")["pair_partner"] == "S03"
    assert describe_tube("Montagnac")["pair_partner"] == "S02"
    for t in cat:
        p = pair_partner(t, cat)
        if t.pair_group:
            assert p is not None and p.tube_id != t.tube_id and pair_partner(p, cat).tube_id == t.tube_id
        else:
            assert p is None
    # witness tubes are not pairs
    assert describe_tube("W1")["pair_partner"] is None


def test_sealing_season_agrees_with_the_published_mars_year_calendar():
    checked = 0
    for t in load_catalogue().filled():
        rec = describe_tube(t.tube_id)
        if t.sealed_sol is None:
            assert rec["sealed_ls_deg"] is None and rec["sealed_mars_year"] is None
            continue
        sealed = date.fromisoformat(t.sealed_date_utc[:10])
        year = max(y for y, start in MY_STARTS.items() if start <= sealed)
        if min(abs((sealed - start).days) for start in MY_STARTS.values()) < 3:
            continue  # too close to a year boundary for a date to decide
        assert rec["sealed_mars_year"] == year, (t.tube_id, t.sealed_date_utc)
        # Ls runs 0 -> 360 through the year, off the uniform rate by at most the equation of
        # centre swing of Mars's orbit (e = 0.0934: +-10.7 deg about a +-10.7 deg offset)
        uniform = 360.0 * (sealed - MY_STARTS[year]).days / MARS_YEAR_DAYS
        assert 0.0 <= rec["sealed_ls_deg"] < 360.0
        assert abs(rec["sealed_ls_deg"] - uniform) < 25.0, (t.tube_id, rec["sealed_ls_deg"], uniform)
        checked += 1
    assert checked >= 30


def test_unknown_tube_is_a_one_line_error():
    with pytest.raises(ConfigError, match="is unknown") as info:
        describe_tube("Atlantis")
    assert "\n" not in str(info.value)


def test_override_rules_replaces_and_appends():
    base = selection_config_from_dict({"rules": {"capacity": 20, "required": ["S25"], "max_depot": 4}})
    cfg = override_rules(base, capacity=12, require=["S24"], exclude=["W3"])
    assert cfg.rules.capacity == 12
    assert cfg.rules.required == ("S25", "S24") and cfg.rules.excluded == ("W3",)
    assert cfg.rules.max_depot == 4 and cfg.rules.min_witness == base.rules.min_witness  # kept
    assert cfg.weights == base.weights
    assert override_rules(SelectionConfig()) == SelectionConfig()
    with pytest.raises(ConfigError, match=r"^options: 'rules.capacity' must be >= 1 \(got 0\)$"):
        override_rules(base, capacity=0)
    with pytest.raises(ConfigError, match="both required and excluded"):
        override_rules(base, exclude=["S25"])
