"""Shared by the report, compare and export tests: one small campaign run per test session,
and a headless Chromium that records every request a page makes.

The campaign is the July 2022 baseline restricted to its own launch opportunity and without
development slips (so that most trials fly every phase), 200 trials: building the plan is
the expensive part and happens once per session (``functools.lru_cache``).
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import subprocess
import tempfile
from dataclasses import replace

import pytest

TRIALS = 200
SENSITIVITY_TRIALS = 40

CHROMIUM_HOWTO = "install Debian's chromium package: apt-get install -y chromium"


def small_architecture(name: str = "baseline_2022"):
    """A preset with no later launch opportunity and no development slips."""
    from msrsim.campaign.architecture import load_architecture

    a = load_architecture(name)
    return a.model_copy(update={
        "schedule": a.schedule.model_copy(update={"max_later_opportunities": 0}),
        "monte_carlo": a.monte_carlo.model_copy(update={"schedule_slips": False}),
    })


@functools.cache
def small_plan(name: str = "baseline_2022"):
    from msrsim.campaign.plan import build_plan

    return build_plan(small_architecture(name), seed=1)


@functools.cache
def small_run(seed: int = 1, trials: int = TRIALS, sensitivity_trials: int = SENSITIVITY_TRIALS,
              report: bool = True):
    """(CampaignResult, run directory with trials.parquet, results.json and, with ``report``,
    report.html and nominal.json)."""
    from msrsim.campaign.montecarlo import run_campaign, write_outputs
    from msrsim.report import write_report

    plan = replace(small_plan(), seed=seed, selection_cache={})
    res = run_campaign(plan.architecture, trials=trials, seed=seed, sensitivity_trials=sensitivity_trials,
                       plan=plan)
    out = tempfile.mkdtemp(prefix=f"msrsim-run-s{seed}-n{trials}-")
    write_outputs(res, out)
    if report:
        write_report(res, out)
    return res, out


def results_json(out: str) -> dict:
    with open(os.path.join(out, "results.json"), encoding="utf-8") as fh:
        return json.load(fh)


def chromium() -> str:
    """Path of the chromium executable; fails under ``make test`` (MSRSIM_REQUIRE_PEERS=1) and
    skips elsewhere when it is missing, saying how to install it."""
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    if os.environ.get("MSRSIM_REQUIRE_PEERS") == "1":
        pytest.fail(f"headless Chromium is missing; {CHROMIUM_HOWTO}", pytrace=False)
    pytest.skip(f"headless Chromium is missing; {CHROMIUM_HOWTO}")


_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
          "--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars",
          "--disable-default-apps", "--no-default-browser-check")


def page_requests(netlog_path: str) -> list[str]:
    """URLs of the requests a page started, from a Chromium net log.

    The browser's own background requests (update checks, clock, accounts) carry the
    initiator ``"not an origin"``; every request a page starts carries the page's origin
    (``"null"`` for a file).
    """
    with open(netlog_path, encoding="utf-8") as fh:
        text = fh.read()
    try:
        log = json.loads(text)
    except json.JSONDecodeError:  # a log cut short when the browser exits: close it
        log = json.loads(text.rstrip().rstrip(",") + "]}")
    types = {v: k for k, v in log["constants"]["logEventTypes"].items()}
    urls = []
    for e in log["events"]:
        p = e.get("params") or {}
        # the start of each job names its URL and initiator (the end carries only net_error)
        start = types.get(e["type"]) == "URL_REQUEST_START_JOB" and "url" in p
        if start and p.get("initiator") != "not an origin":
            urls.append(p["url"])
    return urls


def open_in_chromium(html_path: str, screenshot: str | None = None, timeout_s: float = 120.0) -> dict:
    """Load a page in headless Chromium: its DOM after load, page requests, console lines.

    No virtual time: the page's own ``data-load-ms`` (load event minus navigation start) is
    wall-clock time.

    Returns
    -------
    dict
        ``dom`` (serialised DOM after the load event), ``requests`` (URLs the page
        requested), ``console`` (console-message lines of the browser log), ``screenshot``
        (path, when asked).
    """
    exe = chromium()
    with tempfile.TemporaryDirectory(prefix="msrsim-chromium-") as tmp:
        netlog = os.path.join(tmp, "netlog.json")
        url = "file://" + os.path.abspath(html_path)
        args = [exe, *_FLAGS, f"--user-data-dir={os.path.join(tmp, 'profile')}", f"--log-net-log={netlog}",
                "--enable-logging=stderr", "--v=0", "--dump-dom", url]
        run = subprocess.run(args, capture_output=True, text=True, timeout=timeout_s, check=False)
        out = {"dom": run.stdout, "requests": page_requests(netlog),
               "console": [ln for ln in run.stderr.splitlines() if "CONSOLE" in ln]}
        if screenshot:
            args = [exe, *_FLAGS, f"--user-data-dir={os.path.join(tmp, 'profile2')}",
                    "--window-size=1280,2400", f"--screenshot={os.path.abspath(screenshot)}", url]
            subprocess.run(args, capture_output=True, text=True, timeout=timeout_s, check=False)
            out["screenshot"] = screenshot
    return out
