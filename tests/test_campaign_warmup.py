"""First-run kernel compilation in a second process (``msrsim.campaign._warmup``)."""

from __future__ import annotations

from msrsim.ascent import _dynamics as K
from msrsim.campaign import _warmup


def test_cold_cache_is_detected_and_a_warm_one_starts_nothing(tmp_path, monkeypatch):
    assert not _warmup.ascent_kernel_cached(str(tmp_path))
    line = K.fly_batch.py_func.__code__.co_firstlineno
    (tmp_path / "ascent_x").mkdir()
    stale = tmp_path / "ascent_x" / f"_dynamics.fly_batch-{line + 1}.py311.nbi"
    stale.write_bytes(b"")
    assert not _warmup.ascent_kernel_cached(str(tmp_path))  # another source's index
    (tmp_path / "ascent_x" / f"_dynamics.fly_batch-{line}.py311.nbi").write_bytes(b"")
    assert _warmup.ascent_kernel_cached(str(tmp_path))
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path))
    assert _warmup.start_kernel_warmup() is None  # warm: no process
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path / "empty"))
    monkeypatch.setenv("MSRSIM_NO_WARMUP", "1")
    assert _warmup.start_kernel_warmup() is None  # switched off
