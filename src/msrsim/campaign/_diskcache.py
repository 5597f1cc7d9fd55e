"""On-disk cache of the campaign plan's expensive, deterministic solves.

A solve (the MAV's guidance design, the ERO's low-thrust cruise of one opportunity) is
stored as a JSON file named by a hash of its inputs and of the source files of the
package that computes it, so a change of either solves afresh. The folder is
``$MSRSIM_CACHE_DIR``, default ``msrsim`` beside the numba cache (``$NUMBA_CACHE_DIR``,
else ``~/.cache``). An unreadable or unwritable cache only costs the solve.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterable
from pathlib import Path

#: The msrsim package folder (sources named relative to it).
PACKAGE_DIR = Path(__file__).resolve().parent.parent


def cache_dir() -> Path:
    """The cache folder (``$MSRSIM_CACHE_DIR``, else ``msrsim`` beside the numba cache)."""
    root = os.environ.get("MSRSIM_CACHE_DIR") or os.path.join(
        os.environ.get("NUMBA_CACHE_DIR") or os.path.join(os.path.expanduser("~"), ".cache"), "msrsim"
    )
    return Path(root)


def cache_path(kind: str, key: str, sources: Iterable[Path]) -> Path:
    """File of one cached solve: ``<kind>_<hash>.json``, the hash over ``key`` (the inputs,
    as text) and the bytes of every file in ``sources`` (in the order given)."""
    h = hashlib.sha256(key.encode())
    for f in sources:
        h.update(Path(f).read_bytes())
    return cache_dir() / f"{kind}_{h.hexdigest()[:24]}.json"


def package_sources(*patterns: str) -> list[Path]:
    """Source files of msrsim matching glob ``patterns`` (relative to the package), sorted
    within each pattern."""
    out: list[Path] = []
    for pat in patterns:
        out += sorted(PACKAGE_DIR.glob(pat))
    return out


def read_cached(path: Path, parse: Callable[[str], object]):
    """``parse(text)`` of the cached file, or None if absent or unreadable."""
    if not path.is_file():
        return None
    try:
        return parse(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def write_cached(path: Path, text: str) -> None:
    """Store ``text`` atomically (a temporary file renamed into place); errors are ignored."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    except OSError:
        pass  # an unwritable cache only costs the next run the solve
