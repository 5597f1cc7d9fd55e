"""The campaign report (report.html): its numbers are results.json's, it is whole by itself,
every section and figure is there, and its inputs reproduce the run."""

from __future__ import annotations

import html
import json
import os
import re

import numpy as np
import pytest

from report_support import TRIALS, results_json, small_run

SECTIONS = ("headline", "timeline", "returns", "failures", "porkchops", "landings", "ascent", "ero",
            "samples", "inputs")
FIGURES = ("gantt", "returns", "pareto", "tornado", "porkchop1", "porkchop2", "porkchop3", "srl", "ees",
           "ascent", "orbits", "ero", "hill")


@pytest.fixture(scope="module")
def run():
    res, out = small_run()
    with open(os.path.join(out, "report.html"), encoding="utf-8") as fh:
        text = fh.read()
    return res, out, text


def _lookup(results: dict, key: str):
    """Value of a report's data-key in results.json (dotted path; milestones by column)."""
    head, _, rest = key.partition(".")
    if head == "milestones":
        col, _, field = rest.rpartition(".")
        row = next(m for m in results["milestones"] if m["column"] == col)
        return row.get(field)
    if head == "p_success_ci95":
        return results[head][int(rest)]
    if head in ("failure_causes", "p_return_by_year", "p_tube_returned"):
        return results[head][rest]
    return results[key]


def test_report_numbers_are_the_results_json_numbers(run):
    _, out, text = run
    results = results_json(out)
    shown = re.findall(r'data-key="([^"]+)" data-value="([^"]*)"', text)
    keys = {html.unescape(k) for k, _ in shown}
    # the headline's numbers are all there
    for k in ("p_success", "p_success_ci95.0", "p_success_ci95.1", "median_return_utc", "return_utc_p10",
              "return_utc_p90", "tubes_returned_mean"):
        assert k in keys
    top3 = list(results["failure_causes"])[:3]
    assert {f"failure_causes.{c}" for c in top3} <= keys
    assert {f"p_tube_returned.{t}" for t in results["p_tube_returned"]} <= keys
    for k, v in shown:
        want = _lookup(results, html.unescape(k))
        got = html.unescape(v)
        if isinstance(want, float | int):
            assert float(got) == pytest.approx(want, abs=0.0), k
        else:
            assert got == ("" if want is None else str(want)), k


def test_report_success_matches_the_trial_table(run):
    """P(success) in the report equals the share of 'success' rows in trials.parquet."""
    import pyarrow.parquet as pq

    _, out, text = run
    outcome = pq.read_table(os.path.join(out, "trials.parquet"), columns=["outcome"]).column(0).to_pylist()
    assert len(outcome) == TRIALS
    p = float(re.search(r'data-key="p_success" data-value="([^"]+)"', text).group(1))
    assert p == pytest.approx(outcome.count("success") / TRIALS, abs=1e-9)


def test_report_has_every_section_and_figure(run):
    res, _, text = run
    for sid in SECTIONS:
        assert f'<section id="{sid}">' in text, sid
    for name in FIGURES:
        m = re.search(rf'<svg id="fig-{name}".*?</svg>', text, re.S)
        assert m, name
        assert len(re.findall(r"<path|<use", m.group(0))) > 5, name  # something drawn
    # the manifest lists every catalogued tube and flags Sapphire Canyon (FACTS.md §7)
    rows = re.findall(r"<tr[^>]*><td>(\w+)</td><td>", text.split('id="samples"')[1].split("</table>")[0])
    assert rows == [t.tube_id for t in res.plan.catalogue]
    flagged = re.findall(r'<tr class="flag"><td>(\w+)</td><td>([^<]+)</td>', text)
    assert flagged == [("S25", "Sapphire Canyon")]


def test_report_hover_values_are_the_results_json_values(run):
    """Hovering a Gantt bar shows the milestone's P10/median/P90 of results.json; a Pareto bar
    its probability."""
    _, out, text = run
    results = results_json(out)
    gantt = re.search(r'<svg id="fig-gantt".*?</svg>', text, re.S).group(0)
    tips = re.findall(r"<title>([^<]+)</title>", gantt)
    for m in results["milestones"]:
        if "p50_utc" in m:
            want = f"{m['milestone']}: P10 {m['p10_utc']}, median {m['p50_utc']}, P90 {m['p90_utc']}"
            assert any(t.startswith(html.escape(want, quote=False)) for t in tips), want
    pareto = re.search(r'<svg id="fig-pareto".*?</svg>', text, re.S).group(0)
    tips = re.findall(r"<title>([^<]+)</title>", pareto)
    assert len(tips) == len(results["failure_causes"])
    for (cause, p), t in zip(results["failure_causes"].items(), tips, strict=True):
        assert html.unescape(t) == f"{cause}: {100 * p:.2f} % of trials"


def test_report_is_self_contained(run):
    """No reference to any other place: no src/href out of the page, no url(), no @import."""
    _, _, text = run
    assert not re.search(r'\b(src|href)\s*=\s*"(?!#|data:)', text, re.I)
    assert not re.search(r"url\((?!#)", text)
    assert "@import" not in text
    # the only absolute URLs left are XML namespace names, which are never fetched
    for m in re.finditer(r"https?://[^\"'\s<>]+", text):
        before = text[max(0, m.start() - 30):m.start()]
        assert re.search(r'xmlns(:\w+)?="$', before), m.group(0)
    # a CSP that forbids every fetch is in the head
    assert "default-src 'none'" in text


def test_report_inputs_reproduce_the_architecture(run):
    """The YAML in the Inputs section validates back into the architecture that ran."""
    import yaml

    from msrsim.campaign.architecture import architecture_from_dict

    res, _, text = run
    m = re.search(r'<pre id="inputs-yaml">(.*?)</pre>', text, re.S)
    arch = architecture_from_dict(yaml.safe_load(html.unescape(m.group(1))), "report inputs")
    assert arch == res.architecture
    for pkg in ("numpy", "scipy", "numba", "matplotlib", "pyarrow"):
        assert f"<td>{pkg}</td>" in text


def test_nominal_json_is_the_nominal_trial(run):
    """nominal.json: the trial with no dispersion, slip or failure succeeds and its epochs are
    in campaign order."""
    res, out, _ = run
    with open(os.path.join(out, "nominal.json"), encoding="utf-8") as fh:
        nom = json.load(fh)
    assert nom["success"] is True
    ep = nom["epochs_utc"]
    order = ["ero_launch", "ero_mars_arrival", "ero_working_orbit", "rendezvous_start", "capture", "tei",
             "earth_entry", "earth_landing"]
    assert [ep[k] for k in order] == sorted(ep[k] for k in order)
    assert ep["lander_launch"] < ep["lander_landing"] < ep["mav_launch"] < ep["capture"]
    # the MAV's delivered orbit is the plan's designed ascent
    assert nom["mav_periapsis_alt_km"] == pytest.approx(float(res.plan.ascent_nominal["periapsis_alt_km"]))
    assert np.isfinite(nom["ero_mars_phase_dv_m_s"]) and nom["ero_mars_phase_dv_m_s"] > 0


def test_write_report_unwritable_directory_is_one_line_error(run, tmp_path):
    from msrsim.errors import ConfigError
    from msrsim.report import write_report

    res, _, _ = run
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(ConfigError) as exc:
        write_report(res, str(blocker / "sub"))
    assert "\n" not in str(exc.value) and "cannot write the report" in str(exc.value)
