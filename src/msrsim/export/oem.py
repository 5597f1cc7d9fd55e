"""CCSDS Orbit Ephemeris Messages (OEM, CCSDS 502.0-B-3), KVN text.

:func:`oem_text` writes one message of one or more segments: the header
(``CCSDS_OEM_VERS``, ``CREATION_DATE``, ``ORIGINATOR``), then per segment the metadata
block in the order the standard gives (``OBJECT_NAME``, ``OBJECT_ID``, ``CENTER_NAME``,
``REF_FRAME``, ``TIME_SYSTEM``, ``START_TIME``, ``USEABLE_START_TIME``,
``USEABLE_STOP_TIME``, ``STOP_TIME``, ``INTERPOLATION``, ``INTERPOLATION_DEGREE``) and the
data lines ``epoch x y z vx vy vz`` in km and km/s. Epochs are calendar dates in the
segment's time system (TDB here, so no leap seconds enter); no tab characters.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import erfa
import numpy as np

from ..errors import ConfigError

#: J2000 as a Julian date (TDB).
_J2000_JD = 2451545.0
_INTERPOLATIONS = ("HERMITE", "LAGRANGE", "LINEAR")


@dataclass(frozen=True)
class OEMSegment:
    """One OEM segment: an object's states about one centre in one frame.

    Attributes
    ----------
    object_name, object_id : str
    center_name : str
        ``SUN``, ``MARS``, ``EARTH``...
    ref_frame : str
        ``ICRF``, ``EME2000``...
    epochs_tdb_s : numpy.ndarray, shape (n,)
        Strictly increasing epochs, TDB seconds past J2000.
    r_km, v_km_s : numpy.ndarray, shape (n, 3)
    interpolation : str
        ``HERMITE``, ``LAGRANGE`` or ``LINEAR``.
    interpolation_degree : int
    comments : tuple of str
        Lines written as ``COMMENT`` before the data.
    """

    object_name: str
    object_id: str
    center_name: str
    ref_frame: str
    epochs_tdb_s: np.ndarray
    r_km: np.ndarray
    v_km_s: np.ndarray
    interpolation: str = "HERMITE"
    interpolation_degree: int = 7
    comments: tuple = field(default_factory=tuple)


def tdb_calendar(t_tdb_s, decimals: int = 6) -> list[str]:
    """ISO calendar strings (``YYYY-MM-DDThh:mm:ss.ffffff``) of TDB epochs, in TDB."""
    t = np.atleast_1d(np.asarray(t_tdb_s, dtype=float))
    day = np.floor(t / 86400.0)
    frac = t / 86400.0 - day
    iy, im, iday, ihmsf = erfa.d2dtf("TDB", decimals, _J2000_JD + day, frac)
    return [f"{y:04d}-{m:02d}-{d:02d}T{h[0]:02d}:{h[1]:02d}:{h[2]:02d}.{h[3]:0{decimals}d}"
            for y, m, d, h in zip(iy, im, iday, ihmsf, strict=True)]


def _check(seg: OEMSegment) -> None:
    t = np.asarray(seg.epochs_tdb_s, dtype=float)
    r = np.asarray(seg.r_km, dtype=float)
    v = np.asarray(seg.v_km_s, dtype=float)
    name = seg.object_name
    if t.ndim != 1 or t.size < 2:
        raise ConfigError(f"OEM segment {name!r}: needs at least 2 epochs (got {t.size})")
    if r.shape != (t.size, 3) or v.shape != (t.size, 3):
        raise ConfigError(f"OEM segment {name!r}: r_km {r.shape} and v_km_s {v.shape} must be ({t.size}, 3)")
    if not (np.all(np.isfinite(t)) and np.all(np.isfinite(r)) and np.all(np.isfinite(v))):
        raise ConfigError(f"OEM segment {name!r}: epochs and states must be finite")
    if not np.all(np.diff(t) > 0):
        raise ConfigError(f"OEM segment {name!r}: epochs must increase strictly")
    if seg.interpolation not in _INTERPOLATIONS:
        raise ConfigError(f"OEM segment {name!r}: interpolation={seg.interpolation!r}; "
                          f"allowed: {', '.join(_INTERPOLATIONS)}")
    for key in ("object_name", "object_id", "center_name", "ref_frame"):
        val = getattr(seg, key)
        if not val or "\t" in val or "\n" in val:
            raise ConfigError(f"OEM segment {name!r}: {key}={val!r} must be one line of text without tabs")


def oem_text(segments, creation_date_utc: str, originator: str = "MSRSIM", comments=()) -> str:
    """The KVN text of an OEM holding ``segments``.

    Parameters
    ----------
    segments : sequence of OEMSegment
    creation_date_utc : str
        ``CREATION_DATE`` (UTC, ISO).
    originator : str
    comments : sequence of str
        Header ``COMMENT`` lines.
    """
    if not segments:
        raise ConfigError("an OEM needs at least one segment")
    lines = ["CCSDS_OEM_VERS = 3.0"]
    lines += [f"COMMENT {c}" for c in comments]
    lines += [f"CREATION_DATE = {creation_date_utc}", f"ORIGINATOR = {originator}"]
    for seg in segments:
        _check(seg)
        t = np.asarray(seg.epochs_tdb_s, dtype=float)
        ep = tdb_calendar(t)
        lines += [
            "",
            "META_START",
            f"OBJECT_NAME = {seg.object_name}",
            f"OBJECT_ID = {seg.object_id}",
            f"CENTER_NAME = {seg.center_name}",
            f"REF_FRAME = {seg.ref_frame}",
            "TIME_SYSTEM = TDB",
            f"START_TIME = {ep[0]}",
            f"USEABLE_START_TIME = {ep[0]}",
            f"USEABLE_STOP_TIME = {ep[-1]}",
            f"STOP_TIME = {ep[-1]}",
            f"INTERPOLATION = {seg.interpolation}",
            f"INTERPOLATION_DEGREE = {int(seg.interpolation_degree)}",
            "META_STOP",
            "",
        ]
        lines += [f"COMMENT {c}" for c in seg.comments]
        r = np.asarray(seg.r_km, dtype=float)
        v = np.asarray(seg.v_km_s, dtype=float)
        for k in range(t.size):
            lines.append(f"{ep[k]} {r[k, 0]:.6f} {r[k, 1]:.6f} {r[k, 2]:.6f} "
                         f"{v[k, 0]:.9f} {v[k, 1]:.9f} {v[k, 2]:.9f}")
    return "\n".join(lines) + "\n"


def sample_epochs(t0_tdb_s: float, t1_tdb_s: float, step_s: float) -> np.ndarray:
    """Epochs from ``t0`` to ``t1`` inclusive, about ``step_s`` apart (equal steps), TDB s."""
    if not (math.isfinite(t0_tdb_s) and math.isfinite(t1_tdb_s)) or t1_tdb_s <= t0_tdb_s:
        raise ConfigError(f"sample span {t0_tdb_s!r}..{t1_tdb_s!r} s must be finite and increasing")
    n = max(2, int(math.ceil((t1_tdb_s - t0_tdb_s) / step_s)) + 1)
    return np.linspace(t0_tdb_s, t1_tdb_s, n)
