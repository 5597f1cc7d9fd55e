"""Campaign Monte Carlo: whole-process time of ``msrsim run --trials 10000`` (cold and warm),
the time of each phase, trials per second, and scaling from 1,000 to 100,000 trials.

Peer figure from the same run: the phase models' own uncoupled Monte Carlos (the campaign
preview: SRL entry, ascent and EES entry each flown for the same number of trials, with
no coupling, no surface operations, no risk) — what the coupled engine adds on top of
the physics it cannot avoid.

Usage: ``python benchmarks/bench_campaign.py [--quick]`` (``--quick``: 10,000 trials only,
no cold run, no 100,000-trial point).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

QUICK = "--quick" in sys.argv
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
MSRSIM = os.path.join(os.path.dirname(sys.executable), "msrsim")


def whole_process(trials: int, cache_dir: str) -> float:
    out = tempfile.mkdtemp(prefix="bench_campaign_")
    env = {**os.environ, "NUMBA_CACHE_DIR": cache_dir, "MPLBACKEND": "Agg"}
    t0 = time.perf_counter()
    subprocess.run(
        [MSRSIM, "run", "--trials", str(trials), "--out", out, "--quiet"],
        check=True,
        env=env,
        stdout=subprocess.DEVNULL,
    )
    dt = time.perf_counter() - t0
    shutil.rmtree(out, ignore_errors=True)
    return dt


def in_process(trials_list):
    """Plan once, then the coupled trials at each size: time, trials/s, peak RSS, phases."""
    code = f"""
import json, resource, time
from msrsim.campaign.architecture import load_architecture
from msrsim.campaign.plan import build_plan
from msrsim.campaign.engine import simulate_trials
from msrsim.campaign.montecarlo import run_trials
t0 = time.perf_counter(); plan = build_plan(load_architecture()); t_plan = time.perf_counter() - t0
simulate_trials(plan, 0, 64)
rows = []
for n in {trials_list!r}:
    tim = {{}}
    t0 = time.perf_counter()
    parts = [simulate_trials(plan, s, min(s + 5000, n), tim) for s in range(0, n, 5000)]
    dt = time.perf_counter() - t0
    rows.append({{"trials": n, "seconds": dt, "trials_per_s": n / dt, "phases": tim,
                 "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}})
print(json.dumps({{"plan_s": t_plan, "rows": rows}}))
"""
    res = subprocess.run(
        [sys.executable, "-c", code],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, "MPLBACKEND": "Agg"},
    )
    return json.loads(res.stdout.strip().splitlines()[-1])


def uncoupled(trials: int) -> float:
    """The phase models' own Monte Carlos for the same number of trials (preview path)."""
    code = f"""
import time
from msrsim.campaign.preview import preview_campaign
preview_campaign(trials=16)
t0 = time.perf_counter(); preview_campaign(trials={trials}); print(time.perf_counter() - t0)
"""
    res = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    return float(res.stdout.strip().splitlines()[-1])


def main() -> None:
    cache = os.environ.get("NUMBA_CACHE_DIR", os.path.join(ROOT, ".numba_cache"))
    print("machine load (1-min average):", os.getloadavg()[0])
    if not QUICK:
        cold_cache = tempfile.mkdtemp(prefix="bench_numba_")
        print(
            f"msrsim run --trials 10000, cold (empty numba cache): {whole_process(10_000, cold_cache):6.1f} s"
            "   (target <= 60 s)"
        )
        shutil.rmtree(cold_cache, ignore_errors=True)
    whole_process(200, cache)  # make sure the cache is warm
    warm = whole_process(10_000, cache)
    print(f"msrsim run --trials 10000, warm whole process:        {warm:6.1f} s   (target <= 20 s)")
    sizes = [10_000] if QUICK else [1_000, 10_000, 100_000]
    ip = in_process(sizes)
    print(
        f"plan (windows of every opportunity, ERO phases, entry targeting, ascent design): "
        f"{ip['plan_s']:.1f} s"
    )
    for r in ip["rows"]:
        print(
            f"  {r['trials']:>7,} trials: {r['seconds']:7.2f} s  {r['trials_per_s']:9,.0f} trials/s  "
            f"peak RSS {r['peak_rss_mb']:7.0f} MB"
        )
    phases = ip["rows"][-1 if QUICK else 1]["phases"]
    print("time per phase, 10,000 trials (s):")
    for k, v in sorted(phases.items(), key=lambda kv: -kv[1]):
        print(f"  {k:28s} {v:7.3f}")
    ours = [r for r in ip["rows"] if r["trials"] == 10_000][0]["seconds"]
    peer = uncoupled(10_000)
    print(
        f"coupled campaign trials (10,000): {ours:.2f} s; uncoupled phase Monte Carlos (preview, 10,000 "
        f"per phase): {peer:.2f} s; ratio {ours / peer:.2f}"
    )


if __name__ == "__main__":
    main()
