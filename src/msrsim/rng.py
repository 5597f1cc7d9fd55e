"""msrsim's one random-number policy: a stream per (seed, phase, block of trials).

Every random number of a campaign trial, and of each phase model's own Monte Carlo, comes
from :func:`normals` or :func:`uniforms`.
Trials are grouped into fixed blocks of :data:`BLOCK_TRIALS` consecutive trial indices;
block ``b`` of phase ``p`` is drawn from ``numpy.random.SeedSequence(seed,
spawn_key=(phase_key(p), b))`` as one ``(BLOCK_TRIALS, k)`` array, and a run over trials
``start..stop`` slices the blocks it overlaps. Hence

* a trial's numbers depend only on (seed, trial index, phase), never on how the trials are
  chunked, on the number of workers or on the order in which chunks finish;
* two phases never share a stream (their spawn keys differ), so the SRL and EES entry
  dispersions, say, are independent;
* adding a phase, or a column to a phase, leaves every other phase's draws unchanged
  (a phase's column count is part of its key only through the slice it takes).

This follows numpy's guidance on parallel streams (``SeedSequence`` spawn keys; FACTS.md
§10, "Monte Carlo seeding practice").
"""

from __future__ import annotations

import hashlib

import numpy as np

#: Trials per random-number block (fixed: changing it changes every draw).
BLOCK_TRIALS = 1024


def phase_key(phase: str) -> int:
    """Stable 32-bit integer key of a phase name (first 4 bytes of its SHA-256)."""
    return int.from_bytes(hashlib.sha256(phase.encode("utf-8")).digest()[:4], "little")


def _blocks(seed: int, phase: str, start: int, stop: int, k: int, kind: str) -> np.ndarray:
    if not 0 <= start <= stop:
        raise ValueError(f"trial range {start}..{stop} is not a valid range")
    n = stop - start
    if n == 0:
        return np.zeros((0, k))
    b0, b1 = start // BLOCK_TRIALS, (stop - 1) // BLOCK_TRIALS
    key = phase_key(phase)
    parts = []
    for b in range(b0, b1 + 1):
        gen = np.random.Generator(np.random.PCG64(np.random.SeedSequence(int(seed), spawn_key=(key, b))))
        block = gen.standard_normal((BLOCK_TRIALS, k)) if kind == "normal" else gen.random((BLOCK_TRIALS, k))
        parts.append(block)
    arr = np.concatenate(parts) if len(parts) > 1 else parts[0]
    off = start - b0 * BLOCK_TRIALS
    return arr[off : off + n]


def normals(seed: int, phase: str, start: int, stop: int, k: int) -> np.ndarray:
    """Standard normals of trials ``start..stop-1`` for one phase, shape ``(stop-start, k)``.

    Parameters
    ----------
    seed : int
        Run seed.
    phase : str
        Phase (stream) name; every phase uses its own.
    start, stop : int
        Trial index range (global trial numbers, not chunk-local).
    k : int
        Columns per trial.
    """
    return _blocks(seed, phase, start, stop, k, "normal")


def uniforms(seed: int, phase: str, start: int, stop: int, k: int) -> np.ndarray:
    """Uniform [0, 1) numbers of trials ``start..stop-1`` for one phase, shape ``(n, k)``.

    Parameters as :func:`normals`.
    """
    return _blocks(seed, phase, start, stop, k, "uniform")
