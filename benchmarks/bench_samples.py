"""Benchmarks for the samples part: Mars24 time, return-set selection, custody ledger.

Run: .venv/bin/python benchmarks/bench_samples.py
Peers measured in the same run: the PyPI ``marstime`` package (a Mars24 implementation)
for Mars time; exhaustive enumeration of every full loading for the selection.
Timings are medians of a few repeats on a shared machine: noisy.
"""

from __future__ import annotations

import itertools
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np


def _median_s(fn, repeat=5):
    out = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return statistics.median(out)


def bench_marstime(n=200_000):
    from msrsim import marstime as mt

    d = np.linspace(-3650.0, 14600.0, n)
    t = d * 86400.0

    def ours():
        mt.solar_longitude_deg(t)
        mt.mars_sol_date(t)
        mt.local_true_solar_time_h(t, 77.4508)

    ours_s = _median_s(ours)
    try:
        import marstime as peer
    except ImportError:
        print(f"Mars24 Ls+MSD+LTST, {n} epochs: msrsim {ours_s * 1e3:.1f} ms; peer marstime not installed")
        return

    def theirs():
        peer.Mars_Ls(d)
        peer.Mars_Solar_Date(d)
        peer.Local_True_Solar_Time(360 - 77.4508, d)

    peer_s = _median_s(theirs)
    dls = np.abs((mt.solar_longitude_deg(t) - peer.Mars_Ls(d) + 180) % 360 - 180).max()
    print(f"Mars24 Ls+MSD+LTST, {n} epochs: msrsim {ours_s * 1e3:.1f} ms, marstime {peer_s * 1e3:.1f} ms, "
          f"ratio peer/ours {peer_s / ours_s:.2f}; max |dLs| {dls:.4f} deg")


def bench_selection():
    from msrsim.samples import load_catalogue
    from msrsim.samples.select import select_return_set
    from msrsim.samples.value import SelectionConfig, ValueModel

    cat = load_catalogue()
    cfg = SelectionConfig()
    milp_s = _median_s(lambda: select_return_set(cfg, explain=False, curve=False))
    full_s = _median_s(lambda: select_return_set(cfg), repeat=3)
    sel = select_return_set(cfg, explain=False, curve=False)

    # Peer: enumerate every loading of exactly `capacity` filled tubes (all values are
    # positive, so the optimum fills the OS), score them in one batched call
    filled = np.flatnonzero([t.filled for t in cat])
    cap = cfg.rules.capacity
    model = ValueModel(cat, cfg.weights)
    is_w = np.array([t.category == "witness" for t in cat])
    is_r = np.array([t.category == "regolith" for t in cat])

    def brute():
        combos = np.array(list(itertools.combinations(filled, cap)))
        masks = np.zeros((len(combos), len(cat)), dtype=bool)
        np.put_along_axis(masks, combos, True, axis=1)
        ok = (masks & is_w).sum(1) >= cfg.rules.min_witness
        ok &= (masks & is_r).sum(1) >= cfg.rules.min_regolith
        return model.score(masks[ok]).max(), len(combos)

    brute_s = _median_s(brute, repeat=3)
    best, n_sets = brute()
    print(f"OS loading ({cap} of {len(filled)} filled tubes): MILP {milp_s * 1e3:.1f} ms "
          f"(with per-tube explanations and value curve {full_s * 1e3:.0f} ms); brute force over {n_sets} "
          f"sets {brute_s * 1e3:.1f} ms, ratio brute/MILP {brute_s / milp_s:.2f}; "
          f"values {sel.value:.6f} vs {best:.6f}")
    print("  (brute force is only possible because 33 choose 30 is small; at 40 of 80 tubes it is 1e23 sets)")


def bench_ledger(n=20_000):
    from msrsim.samples.custody import CustodyEvent, Ledger

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.sqlite"
        evs = [CustodyEvent(f"T{i}", "sealed", float(i), "rover", "bench", "simulated", "b", {"i": i})
               for i in range(n)]
        with Ledger(path, create=True) as led:
            t0 = time.perf_counter()
            led.append_many(evs)
            w = time.perf_counter() - t0
            t0 = time.perf_counter()
            rep = led.verify()
            v = time.perf_counter() - t0
        assert rep.ok
        print(f"custody ledger: append {n} events in one transaction {w:.2f} s ({n / w:,.0f} events/s); "
              f"verify {v:.2f} s ({n / v:,.0f} events/s); no peer (stdlib SQLite + SHA-256)")


if __name__ == "__main__":
    bench_marstime()
    bench_selection()
    bench_ledger()
