"""msrsim compare: the side-by-side table's numbers are each run's own, the page opens
offline in Chromium, and bad input is a one-line error with exit 2."""

from __future__ import annotations

import json
import os

import numpy as np
import pyarrow.parquet as pq
import pytest

from msrsim.cli import main
from report_support import open_in_chromium, results_json, small_run


@pytest.fixture(scope="module")
def two_runs():
    (_, d1), (res2, d2) = small_run(seed=1), small_run(seed=2, sensitivity_trials=0, report=False)
    return d1, d2, res2


def test_compare_two_run_directories(two_runs, tmp_path):
    d1, d2, _ = two_runs
    out = tmp_path / "cmp"
    assert main(["compare", d1, d2, "--out", str(out)]) == 0
    data = json.loads((out / "compare.json").read_text())
    assert [r["seed"] for r in data["runs"]] == [1, 2]
    # the same architecture twice: labels kept apart
    assert len({r["label"] for r in data["runs"]}) == 2
    for row, d in zip(data["runs"], (d1, d2), strict=True):
        res = results_json(d)
        for k in ("p_success", "p_success_ci95", "median_return_utc", "return_utc_p10", "return_utc_p90",
                  "failure_causes", "tubes_returned_mean", "value_returned_mean", "trials"):
            assert row[k] == res[k], k
        # medians recomputed from the trial table here
        t = pq.read_table(os.path.join(d, "trials.parquet"), columns=["outcome", "surface_days"]).to_pydict()
        ok = np.array(t["outcome"]) == "success"
        assert row["surface_days_median_success"] == pytest.approx(
            float(np.median(np.array(t["surface_days"])[ok])), abs=1e-3)
    # nominal numbers only where the run directory has nominal.json (the report wrote it)
    assert data["runs"][0]["nominal_ero_mars_phase_dv_m_s"] is not None
    assert data["runs"][1]["nominal_ero_mars_phase_dv_m_s"] is None
    html = (out / "compare.html").read_text()
    assert 'id="fig-curves"' in html
    seen = open_in_chromium(str(out / "compare.html"))
    assert seen["requests"] == []
    assert 'data-errors="0"' in seen["dom"] and 'data-figures="1" data-figures-drawn="1"' in seen["dom"]


def test_compare_a_computed_result_with_a_run_directory(two_runs, tmp_path):
    """A campaign computed in this process (with its nominal trial) beside a finished run."""
    from msrsim.report.compare import load_run_dir, result_entry, write_compare

    d1, _, res2 = two_runs
    paths = write_compare([load_run_dir(d1), result_entry(res2, "seed 2")], str(tmp_path))
    data = json.loads(open(paths["json"]).read())
    assert data["runs"][1]["p_success"] == res2.summary["p_success"]
    # both runs share the plan: the nominal trial (no randomness) is the same
    assert data["runs"][1]["nominal_ero_mars_phase_dv_m_s"] == pytest.approx(
        data["runs"][0]["nominal_ero_mars_phase_dv_m_s"])
    assert data["runs"][1]["nominal_surface_days"] == pytest.approx(data["runs"][0]["nominal_surface_days"])


def _one_line_error(capsys, argv):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("msrsim: error:")
    return err


def test_compare_bad_input(capsys, tmp_path, two_runs):
    d1, _, _ = two_runs
    assert "at least two runs" in _one_line_error(capsys, ["compare", "baseline_2022"])
    assert "preset='nosuch' is unknown" in _one_line_error(capsys, ["compare", "baseline_2022", "nosuch"])
    empty = tmp_path / "empty"
    empty.mkdir()
    assert "has no results.json" in _one_line_error(capsys, ["compare", d1, str(empty)])
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert "cannot write the comparison" in _one_line_error(
        capsys, ["compare", d1, d1, "--out", str(blocker / "sub")])


@pytest.mark.slow
def test_compare_runs_an_architecture_file_like_msrsim_run(two_runs, tmp_path):
    """An architecture file run by compare with the same trials and seed gives the run's own
    numbers (the run directory beside it), and leaves its files in OUT/<name>/."""
    import yaml

    from report_support import TRIALS, small_architecture

    d1, _, _ = two_runs
    cfg = tmp_path / "arch.yaml"
    cfg.write_text(yaml.safe_dump(small_architecture().model_dump(mode="json"), sort_keys=False))
    out = tmp_path / "cmp"
    assert main(["compare", str(cfg), d1, "--trials", str(TRIALS), "--seed", "1", "--out", str(out)]) == 0
    data = json.loads((out / "compare.json").read_text())
    here, there = data["runs"]
    for k in ("p_success", "p_success_ci95", "median_return_utc", "failure_causes", "tubes_returned_mean"):
        assert here[k] == there[k], k
    assert here["nominal_ero_mars_phase_dv_m_s"] == pytest.approx(there["nominal_ero_mars_phase_dv_m_s"])
    for name in ("results.json", "trials.parquet", "nominal.json"):
        assert (out / "baseline_2022" / name).exists(), name
