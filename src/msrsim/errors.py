"""Typed exception hierarchy.

Every error raised on bad input is one of these, with a one-line message that names the
field, the offending value and what is allowed. The CLI turns them into exit code 2.
"""

from __future__ import annotations


class MsrsimError(Exception):
    """Base class of every error msrsim raises on purpose."""


class ConfigError(MsrsimError, ValueError):
    """A parameter, option or configuration file is invalid."""


class EphemerisRangeError(MsrsimError, ValueError):
    """An epoch lies outside the span covered by the loaded ephemeris."""


class NoSolutionError(MsrsimError, ArithmeticError):
    """A solver found no solution for the requested problem (e.g. Lambert revolutions)."""


class DataError(MsrsimError, ValueError):
    """A data file (density table, sample catalogue, ledger) is malformed or corrupt."""


def check_finite_positive(name: str, value: float, unit: str = "") -> float:
    """Return ``value`` as float if it is finite and > 0, else raise :class:`ConfigError`.

    Parameters
    ----------
    name : str
        Field name used in the error message.
    value : float
        Value to check.
    unit : str, optional
        Unit shown in the error message.
    """
    import math

    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ConfigError(f"{name}={value!r} is not a number; expected a positive value"
                          f"{' in ' + unit if unit else ''}") from None
    if not math.isfinite(v) or v <= 0.0:
        raise ConfigError(f"{name}={value!r} must be finite and > 0"
                          f"{' ' + unit if unit else ''}")
    return v
