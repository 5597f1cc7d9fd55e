"""Time scales: UTC calendar dates at the edges, TDB seconds past J2000 inside.

Conversions go through ERFA (pyerfa), which carries the leap-second table; nothing here
hand-writes one. Dates after the last known leap second are treated with the last known
TAI-UTC offset (ERFA's "dubious year" warning is silenced for them on purpose: no future
leap second is announced and msrsim plans years ahead).
"""

from __future__ import annotations

import calendar
import re
import warnings
from collections.abc import Iterable

import erfa
import numpy as np

from .constants import J2000_JD, SECONDS_PER_DAY
from .errors import ConfigError

_DATE_RE = re.compile(
    r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2}(?:\.\d*)?))?)?\s*(?:Z|UTC)?\s*$"
)


def _quiet():
    ctx = warnings.catch_warnings()
    ctx.__enter__()
    warnings.simplefilter("ignore", erfa.ErfaWarning)
    return ctx


def parse_utc(text: str, name: str = "date") -> tuple[int, int, int, int, int, float]:
    """Parse an ISO-8601 UTC date ``YYYY-MM-DD[THH:MM[:SS.s]]`` into its fields.

    Parameters
    ----------
    text : str
        Date text.
    name : str
        Name of the argument, used in the error message.

    Returns
    -------
    tuple
        ``(year, month, day, hour, minute, second)``.

    Raises
    ------
    ConfigError
        If the text is not a valid calendar date.
    """
    m = _DATE_RE.match(str(text))
    if not m:
        raise ConfigError(
            f"{name}={text!r} is not a date; expected YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS] (UTC)"
        )
    y, mo, d = int(m.group(1)), int(m.group(2)), int(m.group(3))
    hh = int(m.group(4) or 0)
    mi = int(m.group(5) or 0)
    ss = float(m.group(6) or 0.0)
    if not (1 <= mo <= 12) or not (1 <= d <= 31) or hh > 23 or mi > 59 or ss >= 61:
        raise ConfigError(f"{name}={text!r} has a field out of range; expected a valid UTC date")
    if d > calendar.monthrange(y, mo)[1]:
        raise ConfigError(f"{name}={text!r}: day {d} does not exist in {y}-{mo:02d}")
    return y, mo, d, hh, mi, ss


def utc_to_tdb(dates: str | Iterable[str], name: str = "date") -> float | np.ndarray:
    """Convert UTC calendar date(s) to TDB seconds past J2000.

    Parameters
    ----------
    dates : str or iterable of str
        ISO dates ``YYYY-MM-DD[THH:MM[:SS]]`` in UTC.
    name : str
        Argument name for error messages.

    Returns
    -------
    float or numpy.ndarray
        TDB seconds past J2000 (2000-01-01 12:00 TDB), same shape as the input.
    """
    scalar = isinstance(dates, str)
    items = [dates] if scalar else list(dates)
    fields = np.array([parse_utc(s, name) for s in items], dtype=float).reshape(-1, 6)
    ctx = _quiet()
    try:
        u1, u2 = erfa.dtf2d(
            "UTC",
            fields[:, 0].astype(np.int32),
            fields[:, 1].astype(np.int32),
            fields[:, 2].astype(np.int32),
            fields[:, 3].astype(np.int32),
            fields[:, 4].astype(np.int32),
            fields[:, 5],
        )
        out = _utc_jd_to_tdb_s(u1, u2)
    finally:
        ctx.__exit__(None, None, None)
    return float(out[0]) if scalar else out


def _utc_jd_to_tdb_s(u1: np.ndarray, u2: np.ndarray) -> np.ndarray:
    a1, a2 = erfa.utctai(u1, u2)
    t1, t2 = erfa.taitt(a1, a2)
    # TDB-TT at the geocentre (periodic terms, |TDB-TT| < 1.7 ms)
    dtdb_s = erfa.dtdb(t1, t2, 0.0, 0.0, 0.0, 0.0)
    return ((t1 - J2000_JD) + t2) * SECONDS_PER_DAY + dtdb_s


def jd_utc_to_tdb(jd_utc: np.ndarray | float) -> np.ndarray | float:
    """Convert UTC Julian dates (quasi-JD as ERFA defines it) to TDB seconds past J2000.

    Parameters
    ----------
    jd_utc : float or array
        UTC Julian date, days.

    Returns
    -------
    float or numpy.ndarray
        TDB seconds past J2000.
    """
    jd = np.asarray(jd_utc, dtype=float)
    ctx = _quiet()
    try:
        out = _utc_jd_to_tdb_s(np.floor(jd - 0.5) + 0.5, jd - (np.floor(jd - 0.5) + 0.5))
    finally:
        ctx.__exit__(None, None, None)
    return float(out) if out.ndim == 0 else out


def tdb_to_jd_utc(t_tdb_s: np.ndarray | float) -> np.ndarray | float:
    """Convert TDB seconds past J2000 to UTC Julian dates (days).

    Parameters
    ----------
    t_tdb_s : float or array
        TDB seconds past J2000.
    """
    t = np.asarray(t_tdb_s, dtype=float)
    u1, u2 = _tdb_to_utc_jd(t.ravel())
    out = (u1 + u2).reshape(t.shape)
    return float(out) if out.ndim == 0 else out


def _tdb_to_utc_jd(t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    t = np.atleast_1d(t)
    days = np.floor(t / SECONDS_PER_DAY)
    frac = (t - days * SECONDS_PER_DAY) / SECONDS_PER_DAY
    d1 = J2000_JD + days
    # TT = TDB - (TDB-TT); the difference varies so slowly that one evaluation suffices
    ctx = _quiet()
    try:
        dtdb_s = erfa.dtdb(d1, frac, 0.0, 0.0, 0.0, 0.0)
        tt2 = frac - dtdb_s / SECONDS_PER_DAY
        a1, a2 = erfa.tttai(d1, tt2)
        u1, u2 = erfa.taiutc(a1, a2)
    finally:
        ctx.__exit__(None, None, None)
    return u1, u2


def tdb_to_utc(t_tdb_s: np.ndarray | float, precision: str = "seconds") -> str | list[str]:
    """Format TDB seconds past J2000 as UTC ISO strings.

    Parameters
    ----------
    t_tdb_s : float or array
        TDB seconds past J2000.
    precision : {"date", "minutes", "seconds"}
        How much of the time of day to print.

    Returns
    -------
    str or list of str
        ``YYYY-MM-DD``, ``YYYY-MM-DDTHH:MM`` or ``YYYY-MM-DDTHH:MM:SS`` (UTC).
    """
    arr = np.asarray(t_tdb_s, dtype=float)
    scalar = arr.ndim == 0
    if not np.all(np.isfinite(arr)):
        raise ConfigError(f"t_tdb_s contains a non-finite value: {arr!r}")
    u1, u2 = _tdb_to_utc_jd(arr.ravel())
    ndp = {"date": 0, "minutes": 0, "seconds": 0}.get(precision)
    if ndp is None:
        raise ConfigError(f"precision={precision!r}; allowed: date, minutes, seconds")
    ctx = _quiet()
    try:
        if precision == "date":
            # Round to the nearest day, not truncate
            y, mo, d, _ = erfa.d2dtf("UTC", 0, u1, u2 + 0.5)
            out = [f"{a:04d}-{b:02d}-{c:02d}" for a, b, c in zip(y, mo, d, strict=True)]
        else:
            y, mo, d, hmsf = erfa.d2dtf("UTC", 0, u1, u2)
            out = []
            for a, b, c, h in zip(y, mo, d, hmsf, strict=True):
                if precision == "minutes":
                    out.append(f"{a:04d}-{b:02d}-{c:02d}T{h[0]:02d}:{h[1]:02d}")
                else:
                    out.append(f"{a:04d}-{b:02d}-{c:02d}T{h[0]:02d}:{h[1]:02d}:{h[2]:02d}")
    finally:
        ctx.__exit__(None, None, None)
    return out[0] if scalar else out


def parse_date_range(text: str, name: str) -> tuple[float, float]:
    """Parse ``START:END`` (UTC dates) into TDB seconds past J2000.

    Parameters
    ----------
    text : str
        ``YYYY-MM-DD:YYYY-MM-DD``.
    name : str
        Argument name for error messages (e.g. ``--depart``).

    Returns
    -------
    tuple of float
        ``(start_tdb_s, end_tdb_s)`` with start < end.
    """
    parts = str(text).split(":")
    # allow times with colons: split on the separator that leaves two valid dates
    candidates = []
    for i in range(1, len(parts)):
        candidates.append((":".join(parts[:i]), ":".join(parts[i:])))
    for a, b in candidates:
        if _DATE_RE.match(a) and _DATE_RE.match(b):
            t0 = utc_to_tdb(a, name)
            t1 = utc_to_tdb(b, name)
            if not t1 > t0:
                raise ConfigError(
                    f"{name}={text!r} is reversed or empty; expected START:END with START before END"
                )
            return float(t0), float(t1)
    raise ConfigError(f"{name}={text!r} is not a date range; expected YYYY-MM-DD:YYYY-MM-DD (UTC)")
