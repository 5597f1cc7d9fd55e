"""First-run compilation of the ascent kernel in a second process.

On a machine whose numba cache has never held it, ``msrsim run`` spends ~40 s of one core
compiling the ascent kernel, late in the plan, while the other core idles. The windows
and the ERO cruise solves that come first take longer than that, so a spawned process
started with the run compiles it (into the same on-disk cache) meanwhile; when the plan
reaches the ascent, numba loads the cached kernel instead of compiling it. Outputs are
byte-identical to a run without it (checked on fresh clones). Nothing the run needs is
computed twice, nothing is printed, and a run whose cache already holds the kernel starts
no process. ``MSRSIM_NO_WARMUP=1`` switches it off.

The entry kernel (~25 s more) is deliberately not compiled here: a fresh-clone run whose
entry kernel came from such a helper's cache differed from one that compiled it itself
by 1e-9 (SRL) to 1e-3 (EES peak g) relative, with the same compiled signatures; until
that is understood, the run compiles it itself.
"""

from __future__ import annotations

import glob
import os
from pathlib import Path


def _index_glob() -> str:
    """Name pattern of numba's index file for the batched ascent kernel of this source."""
    from ..ascent import _dynamics as K

    return f"*_dynamics.fly_batch-{K.fly_batch.py_func.__code__.co_firstlineno}.py*.nbi"


def ascent_kernel_cached(cache_dir: str | None = None) -> bool:
    """True if numba's cache already holds an index for the batched ascent kernel.

    Parameters
    ----------
    cache_dir : str, optional
        numba's cache folder (default: ``NUMBA_CACHE_DIR``, else the package's
        ``__pycache__``, where numba writes without it).
    """
    if cache_dir is None:
        cache_dir = os.environ.get("NUMBA_CACHE_DIR") or str(
            Path(__file__).resolve().parents[1] / "ascent" / "__pycache__")
    return bool(glob.glob(os.path.join(cache_dir, "**", _index_glob()), recursive=True))


def _compile_ascent() -> None:
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C belongs to the run, not to this helper
    from ..ascent.core import kernel_inputs, nominal_row, run_batch
    from ..ascent.params import AscentConfig, GuidanceParams

    cfg = AscentConfig()
    run_batch(nominal_row(cfg, GuidanceParams()), kernel_inputs(cfg))


def start_kernel_warmup():
    """Start compiling the ascent kernel in a spawned process on a cold cache.

    Returns the (daemon) process, or None when the cache already holds the kernel or
    ``MSRSIM_NO_WARMUP`` is set. The caller never waits for it.
    """
    if os.environ.get("MSRSIM_NO_WARMUP") or ascent_kernel_cached():
        return None
    import multiprocessing

    proc = multiprocessing.get_context("spawn").Process(target=_compile_ascent, daemon=True,
                                                        name="msrsim-ascent-compile")
    proc.start()
    return proc
