"""Batched single-revolution Lambert: msrsim (numba, one batched call) vs lamberthub izzo2015.

Prints the time per solve for both and the ratio. Run: .venv/bin/python benchmarks/bench_lambert.py
Timings on a shared machine are noisy; the median of several repeats is reported.
"""

from __future__ import annotations

import statistics
import time

import numpy as np

MU_SUN_KM3_S2 = 1.32712440018e11  # IAU (FACTS.md §6)
AU_KM = 1.495978707e8


def geometries(n: int, seed: int = 1):
    rng = np.random.default_rng(seed)
    r1 = rng.normal(size=(n, 3))
    r1 *= (rng.uniform(0.9, 1.1, n) * AU_KM / np.linalg.norm(r1, axis=1))[:, None]
    r2 = rng.normal(size=(n, 3))
    r2 *= (rng.uniform(1.3, 1.7, n) * AU_KM / np.linalg.norm(r2, axis=1))[:, None]
    tof = rng.uniform(120, 400, n) * 86400.0  # Earth-Mars-like transfers
    return r1, r2, tof


def main() -> None:
    from msrsim.kernels.lambert import lambert_batch

    n = 200_000
    r1, r2, tof = geometries(n)
    lambert_batch(r1[:10], r2[:10], tof[:10], MU_SUN_KM3_S2)  # load the compiled kernel
    runs = []
    for _ in range(7):
        t0 = time.perf_counter()
        _, _, ok = lambert_batch(r1, r2, tof, MU_SUN_KM3_S2)
        runs.append((time.perf_counter() - t0) / n)
    ours = statistics.median(runs)
    assert ok.all()
    try:
        from lamberthub import izzo2015
    except ImportError:
        print(f"msrsim lambert_batch: {ours * 1e6:.3f} us/solve; lamberthub not installed (no peer)")
        return
    m = 3000
    izzo2015(MU_SUN_KM3_S2, r1[0], r2[0], tof[0], 0, True, True, 35, 1e-5, 1e-7)  # numba warm-up
    peer_runs = []
    for _ in range(3):
        t0 = time.perf_counter()
        for k in range(m):
            izzo2015(MU_SUN_KM3_S2, r1[k], r2[k], tof[k], 0, True, True, 35, 1e-5, 1e-7)
        peer_runs.append((time.perf_counter() - t0) / m)
    peer = statistics.median(peer_runs)
    print(f"msrsim lambert_batch ({n} solves, one call): {ours * 1e6:.3f} us/solve (target <= 0.4)")
    print(f"peer lamberthub izzo2015 positional call:    {peer * 1e6:.3f} us/solve")
    print(f"ratio peer/msrsim: {peer / ours:.1f}x")


if __name__ == "__main__":
    main()
