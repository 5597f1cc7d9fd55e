"""One YAML reader and one translation of pydantic validation errors for every parameter object.

Every parameter package (campaign architecture, entry, ascent, Mars orbit, sample
selection) reads its files with :func:`read_yaml` and turns a pydantic
``ValidationError`` into one line with :func:`validation_error_line`, so that every bad
input reads the same way (DESIGN.md, "campaign engine")::

    preset baseline_2022: 'earth_to_mars.0.step_days' must be > 0 (got 0)
    my.yaml: 'mav.colour' is not a known field; allowed: gross_mass_kg, srm1, srm2
"""

from __future__ import annotations

import contextvars
import re
import typing
from pathlib import Path

import yaml
from pydantic import BaseModel, ValidationError

from .errors import ConfigError

# pydantic error types whose bound sits in ``ctx`` under the same key as the symbol
_BOUNDS = {"greater_than": ("gt", ">"), "greater_than_equal": ("ge", ">="),
           "less_than": ("lt", "<"), "less_than_equal": ("le", "<=")}
_MESSAGE_PREFIXES = ("Value error, ", "Assertion failed, ")
_PHRASES = (("Input should be", "must be"), ("List should have", "must have"),
            ("String should have", "must have"), ("Tuple should have", "must have"),
            ("Dictionary should have", "must have"))
_NAMED = re.compile(r"[A-Za-z_]\w*=")  # a message that starts with ``name=``
_MAX_SHOWN = 60  # characters of a rejected value shown in a message
# How many parameter objects are being validated around the current one: a sub-model
# validated inside its parent leaves the message to the parent, which knows the whole path.
_DEPTH = contextvars.ContextVar("msrsim_config_depth", default=0)


class ConfigModel(BaseModel):
    """Base of parameter objects whose construction raises one-line ConfigErrors.

    ``Params(mass_kg=-3)`` raises ``ConfigError("Params: 'mass_kg' must be > 0 (got -3)")``;
    inside a parent model the error keeps its whole path (``'os.mass_kg'``).
    """

    def __init__(self, **data):
        depth = _DEPTH.get()
        token = _DEPTH.set(depth + 1)
        try:
            super().__init__(**data)
        except ValidationError as exc:
            if depth:
                raise
            raise ConfigError(validation_error_line(exc, type(self).__name__, type(self))) from None
        finally:
            _DEPTH.reset(token)


_M = typing.TypeVar("_M", bound=BaseModel)


def validate_model(model: type[_M], data, where: str = "") -> _M:
    """Validate ``data`` (a mapping) as ``model``; a bad value raises a one-line ConfigError.

    Parameters
    ----------
    model : pydantic.BaseModel subclass
        The parameter object.
    data : dict
        Parsed YAML/JSON or keyword values.
    where : str
        Source named at the start of the message (a file, a preset); empty for none.
    """
    token = _DEPTH.set(_DEPTH.get() + 1)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(validation_error_line(exc, where, model)) from None
    finally:
        _DEPTH.reset(token)


def read_yaml(path: str | Path | None = None, *, text: str | None = None, where: str | None = None) -> dict:
    """Parse a YAML mapping from a file or from text, with one-line errors.

    Parameters
    ----------
    path : str or Path, optional
        File to read (UTF-8). Ignored when ``text`` is given.
    text : str, optional
        YAML text already in memory (a packaged preset, a test case).
    where : str, optional
        Name of the source shown in messages; default the path, or ``"YAML text"``.

    Returns
    -------
    dict
        The top-level mapping; an empty document gives ``{}``.

    Raises
    ------
    ConfigError
        Missing or unreadable file, malformed YAML (with its line) or a top level that is
        not a mapping.
    """
    if text is None:
        if path is None:
            raise ConfigError("read_yaml needs a path or text; got neither")
        p = Path(path)
        where = where or str(p)
        if not p.is_file():
            raise ConfigError(f"config file {str(p)!r} does not exist; give the path of a YAML file")
        try:
            text = p.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            reason = getattr(exc, "strerror", None) or type(exc).__name__
            raise ConfigError(f"config file {str(p)!r} cannot be read: {reason}") from None
    where = where or "YAML text"
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None)
        why = f" ({problem})" if problem else ""
        raise ConfigError(f"{where}: malformed YAML{at}{why}; fix the syntax") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"{where}: expected a mapping of fields at the top level, got "
                          f"{type(data).__name__}")
    return data


def validation_error_line(exc: ValidationError, where: str = "", model: type[BaseModel] | None = None) -> str:
    """One line naming the field path, what is allowed and the value, for the first error.

    Parameters
    ----------
    exc : pydantic.ValidationError
        The error pydantic raised.
    where : str
        Source shown first (a file name, a preset, a class name); empty for none.
    model : pydantic.BaseModel subclass, optional
        The model that was validated; with it, an unknown key lists the allowed fields.

    Returns
    -------
    str
        For example ``"my.yaml: 'mav.gross_mass_kg' must be > 0 (got -5)"``; further
        errors are counted at the end (``"; 2 more error(s)"``). An unknown key is named
        before any other error (a misspelt key also leaves its field missing).
    """
    errors = exc.errors(include_url=False)
    # a misspelt key also leaves its field missing: the unknown key is the one to name
    err = next((e for e in errors if e.get("type") == "extra_forbidden"), errors[0])
    loc = tuple(err.get("loc", ()))
    path = ".".join(str(p) for p in loc)
    value = err.get("input")
    kind = err.get("type", "")
    msg = str(err.get("msg", ""))
    for prefix in _MESSAGE_PREFIXES:
        msg = msg.removeprefix(prefix)
    shown = _shown(value)
    if kind == "extra_forbidden":
        allowed = _allowed_fields(model, loc[:-1]) if model is not None else None
        text = f"'{path}' is not a known field" + (f"; allowed: {', '.join(allowed)}" if allowed else "")
    elif kind == "missing":
        text = f"'{path}' is required"
    elif kind in _BOUNDS:
        key, symbol = _BOUNDS[kind]
        text = f"'{path}' must be {symbol} {_number((err.get('ctx') or {}).get(key))}{_got(shown)}"
    elif kind in ("value_error", "assertion_error"):
        # A model's own validator: its message usually starts with ``name=value``. A field
        # validator names its own field (the path's last part); a model validator names one
        # of the fields of the section at the path.
        last = str(loc[-1]) if loc else ""
        parent = ".".join(str(p) for p in loc[:-1])
        section = model is not None and _section_at(model, loc) is not None
        if not path:
            text = msg
        elif last and msg.startswith(f"{last}="):
            text = f"{parent}.{msg}" if parent else msg
        elif section and _NAMED.match(msg):
            text = f"{path}.{msg}"
        else:
            text = f"'{path}': {msg}" + ("" if shown is None or shown in msg else _got(shown))
    else:
        for old, new in _PHRASES:
            msg = msg.replace(old, new)
        text = (f"'{path}' " if path else "") + msg + _got(shown)
    more = f"; {len(errors) - 1} more error(s)" if len(errors) > 1 else ""
    return f"{where}: {text}{more}" if where else f"{text}{more}"


def _number(x) -> str:
    return f"{x:g}" if isinstance(x, int | float) else repr(x)


def _shown(value) -> str | None:
    if isinstance(value, dict | list | tuple | BaseModel):
        return None
    s = repr(value)
    return s if len(s) <= _MAX_SHOWN else s[:_MAX_SHOWN - 3] + "..."


def _got(shown: str | None) -> str:
    return "" if shown is None else f" (got {shown})"


def _allowed_fields(model: type[BaseModel], loc: tuple) -> list[str] | None:
    """Field names (aliases where set) of the sub-model that ``loc`` leads to."""
    cur = _section_at(model, loc)
    return None if cur is None else [f.alias or name for name, f in cur.model_fields.items()]


def _section_at(model: type[BaseModel], loc: tuple) -> type[BaseModel] | None:
    """The sub-model that ``loc`` leads to from ``model``, or None (a plain field)."""
    cur = model
    for part in loc:
        if isinstance(part, int):
            continue  # an index into a list of sub-models
        field = next((f for name, f in cur.model_fields.items() if part in (name, f.alias)), None)
        if field is None:
            return None
        cur = _model_in(field.annotation)
        if cur is None:
            return None
    return cur


def _model_in(annotation) -> type[BaseModel] | None:
    """The first pydantic model inside a field annotation (``X``, ``X | None``, ``list[X]``)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _model_in(arg)
        if found is not None:
            return found
    return None
