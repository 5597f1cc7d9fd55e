"""Campaign Monte Carlo at scale: trials/s, scaling with trials, workers, Dask, sweeps, memory.

Run: .venv/bin/python benchmarks/bench_campaign_scale.py [--sizes 1000,10000,100000]
     [--scale-trials 100000] [--million] [--skip-dask] [--skip-sweep]

The default preset's plan is built once (timed) and pickled; every measurement then runs
in a fresh Python process (so that its peak resident memory is its own), loading the plan
and calling :func:`msrsim.campaign.runner.run_chunked` (no sensitivity tornado):

* trials/s and peak memory for each size of ``--sizes`` with 1 worker (this process);
* ``--scale-trials`` trials with 1 worker, 2 local processes and a 2-worker Dask
  LocalCluster: wall time, speed-up from 1 to 2 workers (target >= 1.7x on 2 cores), and
  the Dask overhead against local processes;
* a 20-variant sweep (surface.helicopters x risk.edl.p, one shared plan) at 2,000 trials each;
* ``--million``: peak memory of a 1,000,000-trial run with 2 workers (bounded by the chunk
  size and the summary columns, not by the full trial table).

Peer: the single-process, single-chunk path (one ``simulate_trials`` call over all the
trials, then the trial table in memory), measured at the smallest sizes in the same run.
Peak memory counts the parent process and, for local processes, the largest worker.
Timings on a shared machine are noisy: each figure is one run.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

_CHILD = r"""
import json, os, pickle, resource, sys, time
spec = json.loads(sys.argv[1])
if __name__ == "__main__":
    from msrsim.campaign.runner import open_backend, run_chunked
    with open(spec["plan"], "rb") as fh:
        plan = pickle.load(fh)
    t0 = time.perf_counter()
    if spec["mode"] == "single_call":
        from msrsim.campaign.engine import simulate_trials
        simulate_trials(plan, 0, spec["trials"])
    elif spec["mode"] == "sweep":
        import dataclasses
        from msrsim.campaign.sweep import parse_vary, run_sweep
        varies = [parse_vary(v) for v in spec["vary"]]
        backend = open_backend(spec["workers"])
        run_sweep(plan.architecture, varies, spec["trials"], spec["out"], backend=backend,
                  chunk_size=spec["chunk"], figure=False,
                  build=lambda arch, seed: dataclasses.replace(plan, architecture=arch, seed=seed))
    else:
        cluster = client = None
        scheduler = None
        if spec["mode"] == "dask":
            from dask.distributed import Client, LocalCluster
            cluster = LocalCluster(n_workers=spec["workers"], threads_per_worker=1, processes=True,
                                   dashboard_address=None)
            client = scheduler = Client(cluster)
        run_chunked(plan, spec["trials"], spec["out"], chunk_size=spec["chunk"], workers=spec["workers"],
                    scheduler=scheduler)
        if client is not None:
            client.close(); cluster.close()
    wall = time.perf_counter() - t0
    me = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024.0
    print(json.dumps({"wall_s": wall, "peak_rss_mib": me, "peak_child_rss_mib": kids}))
"""


def _run(spec: dict) -> dict:
    env = dict(os.environ)
    env.setdefault("NUMBA_CACHE_DIR", os.path.join(os.getcwd(), ".numba_cache"))
    with tempfile.TemporaryDirectory() as d:
        script = os.path.join(d, "child.py")
        with open(script, "w") as fh:
            fh.write(_CHILD)
        spec = dict(spec, out=os.path.join(d, "out"))
        t0 = time.perf_counter()
        res = subprocess.run(
            [sys.executable, script, json.dumps(spec)], capture_output=True, text=True, env=env
        )
        if res.returncode:
            raise RuntimeError(res.stderr[-2000:])
        out = json.loads(res.stdout.strip().splitlines()[-1])
        out["process_s"] = time.perf_counter() - t0
        return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="1000,10000,100000")
    ap.add_argument("--scale-trials", type=int, default=100_000)
    ap.add_argument("--chunk-size", type=int, default=5000)
    ap.add_argument("--million", action="store_true")
    ap.add_argument("--skip-dask", action="store_true")
    ap.add_argument("--skip-sweep", action="store_true")
    ap.add_argument("--json", default=None, help="also write the figures to this JSON file")
    args = ap.parse_args()
    import pickle

    from msrsim.campaign.architecture import load_architecture
    from msrsim.campaign.plan import build_plan
    from msrsim.campaign.runner import slim_plan

    t0 = time.perf_counter()
    plan = build_plan(load_architecture("baseline_2022"), seed=1)
    plan_s = time.perf_counter() - t0
    report = {
        "machine": f"{os.cpu_count()} cores, shared and loaded (noisy)",
        "plan_build_s": round(plan_s, 1),
    }
    print(
        f"plan of baseline_2022 built in {plan_s:.1f} s (once per run; pickled "
        f"{len(pickle.dumps(plan)):,} B, "
        f"sent to workers without porkchop grids: {len(pickle.dumps(slim_plan(plan))):,} B)"
    )
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "plan.pkl")
        with open(path, "wb") as fh:
            pickle.dump(slim_plan(plan), fh)
        chunk = args.chunk_size
        rows = []
        print(f"\n{'run':<34}{'trials':>10}{'wall s':>10}{'trials/s':>11}{'peak MiB':>10}{'worker MiB':>11}")

        def show(label, n, r):
            rate = n / r["wall_s"]
            rows.append(
                {
                    "run": label,
                    "trials": n,
                    **{k: round(v, 2) for k, v in r.items()},
                    "trials_per_s": round(rate, 1),
                }
            )
            print(
                f"{label:<34}{n:>10,}{r['wall_s']:>10.1f}{rate:>11,.0f}{r['peak_rss_mib']:>10.0f}"
                f"{r['peak_child_rss_mib']:>11.0f}"
            )
            return r

        sizes = [int(s) for s in args.sizes.split(",") if s]
        by_size = {}
        for n in sizes:
            if n <= 10_000:
                show(
                    "peer: one simulate_trials call",
                    n,
                    _run({"mode": "single_call", "plan": path, "trials": n}),
                )
            by_size[n] = show(
                "runner, 1 worker",
                n,
                _run({"mode": "local", "plan": path, "trials": n, "workers": 1, "chunk": chunk}),
            )
        n = args.scale_trials
        one = by_size.get(n) or show(
            "runner, 1 worker",
            n,
            _run({"mode": "local", "plan": path, "trials": n, "workers": 1, "chunk": chunk}),
        )
        two = show(
            "runner, 2 local processes",
            n,
            _run({"mode": "local", "plan": path, "trials": n, "workers": 2, "chunk": chunk}),
        )
        report["speedup_1_to_2_workers"] = round(one["wall_s"] / two["wall_s"], 2)
        print(f"  speed-up 1 -> 2 local processes: {report['speedup_1_to_2_workers']:.2f}x (target >= 1.7x)")
        if not args.skip_dask:
            dk = show(
                "runner, Dask LocalCluster 2 workers",
                n,
                _run({"mode": "dask", "plan": path, "trials": n, "workers": 2, "chunk": chunk}),
            )
            report["dask_overhead_vs_local"] = round(dk["wall_s"] / two["wall_s"], 2)
            print(f"  Dask LocalCluster / local processes wall time: {report['dask_overhead_vs_local']:.2f}")
        if not args.skip_sweep:
            vary = ["surface.helicopters=0,1,2,3,4", "risk.edl.p=0.05,0.1,0.15,0.2"]
            sw = show(
                "sweep 20 variants x 2,000, 2 procs",
                40_000,
                _run(
                    {
                        "mode": "sweep",
                        "plan": path,
                        "trials": 2000,
                        "workers": 2,
                        "chunk": chunk,
                        "vary": vary,
                    }
                ),
            )
            report["sweep_s_per_variant"] = round(sw["wall_s"] / 20, 2)
            print(f"  sweep: {sw['wall_s']:.1f} s, {sw['wall_s'] / 20:.2f} s per variant")
        if args.million:
            show(
                "runner, 2 local processes",
                1_000_000,
                _run({"mode": "local", "plan": path, "trials": 1_000_000, "workers": 2, "chunk": chunk}),
            )
        report["rows"] = rows
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(report, fh, indent=2)


if __name__ == "__main__":
    main()
