"""Earth->Mars porkchop incl. DE421 look-ups: msrsim vs a Python loop over lamberthub.

200 x 200 (target <= 0.03 s) and 1000 x 1000 (target <= 0.7 s, with peak memory, measured
in a child process so the figure is the porkchop's own). Timings are noisy on a shared
machine; medians are reported. Run: .venv/bin/python benchmarks/bench_porkchop.py
"""

from __future__ import annotations

import resource
import statistics
import subprocess
import sys
import time

import numpy as np

MU_SUN_KM3_S2 = 1.32712440018e11  # IAU (FACTS.md §6)


def axes(n: int):
    from msrsim.timescales import utc_to_tdb

    td = np.linspace(utc_to_tdb("2028-09-01"), utc_to_tdb("2029-03-01"), n)
    ta = np.linspace(utc_to_tdb("2029-06-01"), utc_to_tdb("2030-06-01"), n)
    return td, ta


def ours(n: int, repeats: int) -> float:
    from msrsim.windows import porkchop

    td, ta = axes(n)
    porkchop("earth", "mars", td[:3], ta[:3])  # load the compiled kernel, read DE421
    runs = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        porkchop("earth", "mars", td, ta)
        runs.append(time.perf_counter() - t0)
    return statistics.median(runs)


def peer(n: int) -> float:
    from lamberthub import izzo2015

    from msrsim.ephemeris import planet_state

    td, ta = axes(n)
    izzo2015(MU_SUN_KM3_S2, np.array([1e8, 0, 0]), np.array([0, 1.5e8, 0]), 2e7)
    t0 = time.perf_counter()
    rd, vd = planet_state("earth", td)
    ra, va = planet_state("mars", ta)
    c3 = np.full((n, n), np.nan)
    for i in range(n):
        for j in range(n):
            tof = ta[j] - td[i]
            if tof <= 864000.0:
                continue
            prograde = True
            v1, v2 = izzo2015(MU_SUN_KM3_S2, rd[i], ra[j], tof, 0, prograde, True, 35, 1e-5, 1e-7)
            dv = v1 - vd[i]
            c3[i, j] = dv @ dv
    return time.perf_counter() - t0


def child_1000() -> None:
    import tracemalloc

    from msrsim.windows import porkchop

    t = ours(1000, 3)
    td, ta = axes(1000)
    tracemalloc.start()
    porkchop("earth", "mars", td, ta)
    peak_mb = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    print(f"{t} {peak_mb} {rss_mb}")


def main() -> None:
    t200 = ours(200, 15)
    try:
        p200 = peer(200)
    except ImportError:
        p200 = float("nan")
    print(f"200x200 msrsim porkchop (incl. DE421): {t200 * 1e3:.1f} ms (target <= 30 ms)")
    print(f"200x200 peer: Python loop over lamberthub izzo2015: {p200 * 1e3:.0f} ms")
    print(f"ratio peer/msrsim: {p200 / t200:.0f}x")
    res = subprocess.run([sys.executable, __file__, "--child-1000"], capture_output=True, text=True,
                         check=True)
    t1000, peak, rss = (float(x) for x in res.stdout.split())
    print(f"1000x1000 msrsim porkchop: {t1000:.3f} s (target <= 0.7 s); peak memory of the call "
          f"{peak:.0f} MiB (tracemalloc; the output arrays alone are 93.5 MiB), "
          f"process peak RSS {rss:.0f} MiB")


if __name__ == "__main__":
    if "--child-1000" in sys.argv:
        child_1000()
    else:
        main()
