"""The report in a real browser: headless Chromium (Debian's ``chromium`` package; .ci/run
installs it) loads report.html with no script error and no request of any kind, every
figure draws, and the screenshot is not blank (kept under out/ as a test artefact)."""

from __future__ import annotations

import os
import re

import numpy as np
import pytest

from report_support import open_in_chromium, small_run
from test_report import FIGURES, SECTIONS

ARTEFACTS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "out", "test-artefacts")


def _body_attrs(dom: str) -> dict:
    body = re.search(r"<body([^>]*)>", dom).group(1)
    return dict(re.findall(r'data-([\w-]+)="([^"]*)"', body))


def test_request_detector_sees_a_page_request(tmp_path):
    """Control: a page that asks for an image on the loopback discard port is caught."""
    page = tmp_path / "fetching.html"
    page.write_text('<!DOCTYPE html><html><body><img src="http://127.0.0.1:9/probe.png"></body></html>')
    seen = open_in_chromium(str(page))
    assert any(u.startswith("http://127.0.0.1:9/") for u in seen["requests"]), seen["requests"]


def test_report_loads_offline_and_draws_every_figure():
    _, out = small_run()
    os.makedirs(ARTEFACTS, exist_ok=True)
    shot = os.path.join(ARTEFACTS, "report.png")
    if os.path.exists(shot):
        os.remove(shot)
    seen = open_in_chromium(os.path.join(out, "report.html"), screenshot=shot)
    assert seen["requests"] == []
    assert not [ln for ln in seen["console"] if "report.html" in ln], seen["console"]
    attrs = _body_attrs(seen["dom"])
    assert attrs["errors"] == "0"
    assert int(attrs["figures"]) == len(FIGURES)
    assert attrs["figures-drawn"] == attrs["figures"]
    # opens in under 3 s in this browser (load event after navigation start)
    assert int(attrs["load-ms"]) < 3000
    for sid in SECTIONS:
        assert f'id="{sid}"' in seen["dom"]
    # the screenshot is a page, not a blank: many non-white pixels, several colours
    import matplotlib.image as mpimg

    img = mpimg.imread(shot)[..., :3]
    non_white = np.mean(np.any(img < 0.94, axis=-1))
    assert non_white > 0.02
    assert len(np.unique((img[::7, ::7] * 15).astype(int).reshape(-1, 3), axis=0)) > 20


@pytest.mark.slow
def test_report_of_10000_trials_is_small_and_fast(tmp_path):
    """10,000 trials: under 10 MB (scatters thinned, the fact stated) and loads in under 3 s."""
    from dataclasses import replace

    from msrsim.campaign.montecarlo import run_campaign
    from msrsim.report import write_report
    from report_support import small_plan

    plan = replace(small_plan(), selection_cache={})
    res = run_campaign(plan.architecture, trials=10_000, seed=3, sensitivity_trials=0, plan=plan)
    paths = write_report(res, str(tmp_path))
    assert paths["bytes"] < 10 * 1024 * 1024
    with open(paths["report"], encoding="utf-8") as fh:
        text = fh.read()
    assert "drawn (random subset)" in text
    attrs = _body_attrs(open_in_chromium(paths["report"])["dom"])
    assert attrs["errors"] == "0" and attrs["figures-drawn"] == attrs["figures"]
    assert int(attrs["load-ms"]) < 3000
