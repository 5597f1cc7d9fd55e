"""Cold vs warm wall time of ``msrsim windows``: compiled kernels are cached on disk.

Cold: an empty NUMBA_CACHE_DIR (everything compiles). Warm: the same cache dir again, so
a second process loads the compiled kernels. Run: .venv/bin/python benchmarks/bench_cli_windows.py
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time

ARGS = ["windows", "--from", "earth", "--to", "mars", "--depart", "2028-09-01:2029-03-01",
        "--arrive", "2029-06-01:2030-06-01", "--json"]


def timed(env: dict, out: str) -> float:
    exe = os.path.join(os.path.dirname(sys.executable), "msrsim")
    t0 = time.perf_counter()
    subprocess.run([exe, *ARGS, "--out", out], env=env, check=True, capture_output=True)
    return time.perf_counter() - t0


def main() -> None:
    cache = tempfile.mkdtemp(prefix="msrsim-numba-")
    out = tempfile.mkdtemp(prefix="msrsim-out-")
    env = {**os.environ, "NUMBA_CACHE_DIR": cache, "MPLBACKEND": "Agg"}
    try:
        cold = timed(env, out)
        warm = sorted(timed(env, out) for _ in range(3))[1]
    finally:
        shutil.rmtree(cache, ignore_errors=True)
        shutil.rmtree(out, ignore_errors=True)
    print(f"msrsim windows (182x366 grid + refinement + porkchop PNG): cold {cold:.2f} s, warm {warm:.2f} s")
    print(f"ratio cold/warm: {cold / warm:.1f}x (no peer: the second process reuses the on-disk cache)")


if __name__ == "__main__":
    main()
