"""Perseverance tube catalogue: inventory counts, depot contents, dates, lookups, CLI."""

import json
from datetime import date

import pytest

from msrsim.cli import main
from msrsim.errors import ConfigError
from msrsim.samples import load_catalogue


@pytest.fixture(scope="module")
def cat():
    return load_catalogue()


def test_inventory_counts_from_facts(cat):
    c = cat.counts()
    # FACTS.md §3 (NASA): 43 tubes = 38 sample + 5 witness
    assert c["total"] == 43
    assert c["sample_tubes"] == 38 and c["witness_tubes"] == 5
    # FACTS.md §7 / PIA26643: 30 samples (30th inferred) + 3 witness tubes filled = 33
    assert c["filled"] == 33 and c["empty"] == 10
    assert sum(t.category == "witness" for t in cat.filled()) == 3
    assert all(t.location == "rover" for t in cat if not t.filled)


def test_depot_holds_ten_tubes_by_type(cat):
    # PIA25682 (FACTS.md §4) and perseverance_samples.csv: 10 tubes at Three Forks;
    # Roubion (atmosphere), Montdenier, Coulettes, Malay, Atsa (igneous), Skyland,
    # Bearwallow, Mageik (sedimentary), Crosswind Lake (regolith), Amalik witness
    depot = cat.filter(location="depot")
    assert len(depot) == 10
    assert cat.counts()["filled_depot_by_category"] == {
        "igneous": 4, "sedimentary": 3, "regolith": 1, "atmospheric": 1, "witness": 1}
    assert {t.name for t in depot} >= {"Roubion", "Malay", "Crosswind Lake", "Amalik witness tube"}
    # first drop sol 653 (Malay), last sol 690 (witness), the others inside that window
    assert cat.find("Malay").depot_drop_sol_min == cat.find("Malay").depot_drop_sol_max == 653
    assert cat.find("W3").depot_drop_sol_max == 690
    assert all(653 <= t.depot_drop_sol_min <= t.depot_drop_sol_max <= 690 for t in depot)


def test_each_depot_core_has_its_rover_twin(cat):
    # The depot strategy kept one of each pair on the rover (NASA 2022)
    for t in cat.filter(location="depot"):
        if t.pair_group and t.category in ("igneous", "sedimentary", "regolith"):
            twin = [u for u in cat if u.pair_group == t.pair_group and u is not t]
            assert len(twin) == 1 and twin[0].location == "rover", t.name


def test_sealing_dates_agree_with_the_source_within_a_day(cat):
    # Every sealed tube's Mars24 date (local noon of the sol) is within one day of the
    # date the reference table gives for that sol
    checked = 0
    for t in cat.filled():
        if t.sealed_sol is not None and t.source_sealed_date_utc:
            ours, theirs = date.fromisoformat(t.sealed_date_utc), date.fromisoformat(t.source_sealed_date_utc)
            d = abs((ours - theirs).days)
            assert d <= 1, (t.name, t.sealed_date_utc, t.source_sealed_date_utc)
            checked += 1
    assert checked == 31


def test_conflicts_resolved_or_flagged(cat):
    w1 = cat.find("W1")
    # NASA prints "Sol 160 (June 22, 2021)"; June 22 2021 is sol 120 (resolved)
    assert w1.sealed_sol == 120 and w1.sealed_date_utc in ("2021-06-21", "2021-06-22")
    assert "conflict" in cat.find("Lefroy Bay").flags  # sol 942 vs 949: left open, flagged
    assert "inferred" in cat.find("30").flags and cat.find("30").sealed is None
    bell = cat.find("Bell Island")  # FACTS.md §7: left unsealed on purpose
    assert bell.sealed is False and "unsealed" in bell.flags
    assert cat.find("Sapphire Canyon").potential_biosignature  # Hurowitz et al. 2025
    assert sum(t.potential_biosignature for t in cat) == 1


@pytest.mark.xfail(strict=True, reason="known gap: catalogue total 427 g vs published ~470-500 g "
                   "(FACTS.md §3); validation case returned_sample_mass")
def test_mass_estimate_is_in_the_published_range(cat):
    # FACTS.md §3: total returned ~470-500 g. The catalogue has 27 full cores at the nominal
    # ~15 g, one half core (7 g), a gas-only tube (0 g) and the inferred sample 30 (15 g).
    total = sum(t.est_mass_g for t in cat.filled())
    assert 470.0 <= total <= 500.0, total


def test_rock_core_mass_is_the_published_nominal(cat):
    # FACTS.md §3: ~15 g per sample; only the documented partial core differs
    cores = [t for t in cat.filled() if t.category in ("igneous", "sedimentary", "regolith", "unknown")]
    assert sorted({t.est_mass_g for t in cores}) == [7.0, 15.0]
    assert [t.name for t in cores if t.est_mass_g != 15.0] == [cat.find("26").name]


def test_lookup_by_id_number_and_name(cat):
    assert cat.find("S25").name == cat.find("25").name == cat.find("sapphire canyon").name
    with pytest.raises(ConfigError, match="sample='Sapphir Canyon' is unknown; did you mean Sapphire Canyon"):
        cat.find("Sapphir Canyon")


def test_filters(cat):
    assert len(cat.filter(category="witness", status="filled")) == 3
    assert {t.geologic_unit for t in cat.filter(unit="seitah")} == {"Seitah fm"}
    with pytest.raises(ConfigError, match="type='basalt' is unknown; allowed: igneous"):
        cat.filter(category="basalt")
    with pytest.raises(ConfigError, match="location='orbit'"):
        cat.filter(location="orbit")


def test_cli_list_json(capsys):
    assert main(["samples", "list", "--location", "depot", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["count"] == 10
    assert out["inventory"]["total"] == 43
    t = out["tubes"][0]
    for key in ("tube_id", "nasa_sample_no", "name", "category", "geologic_unit", "sealed_sol",
                "sealed_date_utc", "location", "sealed", "est_mass_g", "potential_biosignature",
                "confidence", "flags"):
        assert key in t


def test_cli_show_json(capsys):
    assert main(["samples", "show", "Montdenier", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["pair_partner"] == "S03" and out["location"] == "depot"
    # sealed sol 196 (2021-09-08): Mars Year 36 began 2021-02-07 and 37 on 2022-12-26
    # (tests/authorities/mars_time_perseverance.json)
    assert out["sealed_mars_year"] == 36


def test_cli_unknown_sample_exit_2(capsys):
    assert main(["samples", "show", "Atlantis"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("msrsim: error: sample='Atlantis' is unknown") and err.count("\n") == 1


def test_cli_bad_filter_exit_2(capsys):
    assert main(["samples", "list", "--type", "granite"]) == 2
    assert "type='granite' is unknown" in capsys.readouterr().err
