"""Write an architecture as a complete, commented, editable YAML file (``msrsim init``).

:func:`to_commented_yaml` lists every section and field of an
:class:`~msrsim.campaign.architecture.Architecture` in schema order, each preceded by a
comment made of its pydantic ``Field`` description (or, for the few fields without one,
a short text kept here), its allowed values and its default. Comments of the YAML the
architecture came from (a preset's sources beside each date) are carried over to the
same fields. The text loads back with :func:`~msrsim.campaign.architecture.load_architecture`
to a model equal (``==``) to the one written; :func:`write_architecture_yaml` checks that
before it writes.
"""

from __future__ import annotations

import inspect
import json
import math
import os
import re
import textwrap
import typing
from dataclasses import dataclass, field
from importlib import resources

import yaml
from pydantic import BaseModel
from pydantic_core import PydanticUndefined

from ..errors import ConfigError, MsrsimError
from .architecture import (
    DEFAULT_PRESET,
    Architecture,
    architecture_from_dict,
    list_presets,
    load_architecture,
)
from .model import RiskPrior

INDENT = "  "
WIDTH = 92  # characters of a comment line, indentation included

# Descriptions of fields whose pydantic Field carries none (a Field description wins).
_FALLBACK = {
    ("Architecture", "name"): "identifier of the architecture: letters, digits, '_' and '-'",
    ("Architecture", "title"): "one-line title, shown by `msrsim presets` and in reports",
    ("Architecture", "description"): "free text",
    ("Architecture", "earth_return_year"): (
        "published year the samples reach Earth; must lie inside mars_to_earth.arrive_range_utc "
        "(null: none published)"
    ),
    ("Architecture", "earth_to_mars"): (
        "the Earth->Mars legs, one per spacecraft: the leg flown by mars_to_earth.vehicle is "
        "the orbiter's, the first other leg the lander's"
    ),
    ("Architecture", "mars_to_earth"): "the Mars->Earth leg that brings the samples home",
    ("OutboundLeg", "from_body"): "departure body",
    ("OutboundLeg", "to_body"): "arrival body",
    ("OutboundLeg", "step_days"): "porkchop grid spacing on both axes, days",
    ("OutboundLeg", "c3_max_km2_s2"): (
        "launch vehicle's C3 capability, km^2/s^2: sizes the launch period "
        "(null: the period is sized by launch_period_days)"
    ),
    ("OutboundLeg", "launch_period_days"): (
        "launch period, days, used when c3_max_km2_s2 is null: the C3 that keeps it open "
        "this long is found"
    ),
    ("OutboundLeg", "dla_min_deg"): "lowest declination of the launch asymptote allowed, deg",
    ("OutboundLeg", "dla_max_deg"): "highest declination of the launch asymptote allowed, deg",
    ("OutboundLeg", "vinf_arrival_max_km_s"): "largest arrival v-infinity allowed, km/s (null: no limit)",
    ("OutboundLeg", "note"): "free text",
    ("ReturnLeg", "vehicle"): "spacecraft flying the return; it must also fly an earth_to_mars leg",
    ("ReturnLeg", "step_days"): "porkchop grid spacing on both axes, days",
    ("ReturnLeg", "vinf_departure_max_km_s"): "largest Mars departure v-infinity, km/s (null: no limit)",
    ("ReturnLeg", "entry_speed_max_km_s"): (
        "largest Earth entry speed at entry_alt_km, km/s (null: no limit)"
    ),
    ("ReturnLeg", "entry_alt_km"): "altitude of the Earth entry interface, km",
    ("ReturnLeg", "note"): "free text",
    ("RiskModel", "enabled"): "false: every prior off (physics and schedule still act)",
    ("RiskModel", "launch"): "failure of each Earth launch",
    ("RiskModel", "cruise"): "failure in each interplanetary cruise (outbound legs and the return)",
    ("RiskModel", "orbit_insertion"): "failure of the ERO's Mars orbit insertion",
    ("RiskModel", "edl"): "failure of the lander's entry, descent and landing",
    ("RiskModel", "mav_motor"): "failure of each of the MAV's two solid motors",
    ("RiskModel", "rendezvous"): "failure of the autonomous rendezvous and capture of the OS",
    ("RiskModel", "earth_entry"): "loss of the samples in the EES's Earth entry",
    ("RiskPrior", "source"): "the record or assumption behind the prior",
    ("ScheduleModel", "ero"): "development slip of the Earth Return Orbiter",
    ("ScheduleModel", "lander"): "development slip of the lander",
}
_HEADER_END = "# `msrsim run --config THIS_FILE`. Unknown or mistyped fields are rejected."
_NOTES_MARK = "# ---- notes of the source ----"
_BOUND_SYMBOLS = {"gt": ">", "ge": ">=", "lt": "<", "le": "<="}


@dataclass
class SourceComments:
    """Comments of a YAML text, attached to the field paths they stand beside.

    ``header`` holds the comment lines before the first key; ``above[path]`` the comment
    lines directly above a key, ``trailing[path]`` the comment after its value on the same
    line. A path is a tuple of keys and list indices, e.g. ``("earth_to_mars", 0, "step_days")``.
    """

    header: list[str] = field(default_factory=list)
    above: dict[tuple, list[str]] = field(default_factory=dict)
    trailing: dict[tuple, str] = field(default_factory=dict)


def source_comments(text: str) -> SourceComments:
    """Collect the comments of a YAML text by the field path they belong to.

    Parameters
    ----------
    text : str
        YAML text (a preset or a user's architecture file).

    Returns
    -------
    SourceComments
        Header, above-key and trailing comments; empty when the text is not YAML.
    """
    lines = text.splitlines()
    out = SourceComments()
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return out
    # the header: the first block of comment lines, ended by a blank line or the first key
    header_end = 0
    for line_no, line in enumerate(lines):
        s = line.strip()
        if s.startswith("#"):
            out.header.append(_comment_text(s))
            header_end = line_no + 1
        elif s or out.header:
            break

    def comment_after(line_no: int, column: int) -> str | None:
        m = re.match(r"\s+#\s?(.*)$", lines[line_no][column:])
        return m.group(1).rstrip() if m else None

    def walk(node, path: tuple) -> None:
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                p = path + (key.value,)
                ln = key.start_mark.line
                above = []
                k = ln - 1
                while k >= header_end and lines[k].strip().startswith("#"):
                    above.insert(0, _comment_text(lines[k].strip()))
                    k -= 1
                if above:
                    out.above[p] = above
                if isinstance(value, yaml.ScalarNode) and value.style in ("|", ">"):
                    trail = None
                elif isinstance(value, yaml.ScalarNode):  # after the value, on its last line
                    trail = comment_after(value.end_mark.line, value.end_mark.column)
                elif isinstance(value, yaml.SequenceNode | yaml.MappingNode) and (
                    value.start_mark.line == ln and value.flow_style
                ):
                    trail = comment_after(value.end_mark.line, value.end_mark.column)
                else:  # a block section under the key: a comment after the colon
                    m = re.match(r"\s*:\s+#\s?(.*)$", lines[ln][key.end_mark.column:])
                    trail = m.group(1).rstrip() if m else None
                if trail:
                    out.trailing[p] = trail
                walk(value, p)
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                walk(item, path + (i,))

    if root is not None:
        walk(root, ())
    return out


def _comment_text(stripped_line: str) -> str:
    return re.sub(r"^#\s?", "", stripped_line).rstrip()


# ------------------------------------------------------------------ scalars


def _float(v: float) -> str:
    if math.isnan(v):
        return ".nan"
    if math.isinf(v):
        return ".inf" if v > 0 else "-.inf"
    r = repr(float(v))
    if "e" in r:  # YAML 1.1 floats need a '.' in the mantissa and a signed exponent
        mant, exp = r.split("e")
        if "." not in mant:
            mant += ".0"
        if exp[0] not in "+-":
            exp = "+" + exp
        r = f"{mant}e{exp}"
    return r


def _loads_back(fragment: str, value, indent: str = "") -> bool:
    try:
        return yaml.safe_load(f"{indent}k: {fragment}\n") == {"k": value}
    except yaml.YAMLError:
        return False


def _quoted(s: str) -> str:
    q = json.dumps(s, ensure_ascii=False)
    return q if _loads_back(q, s) else json.dumps(s)


def _string(s: str, indent: str) -> str:
    """A YAML string that loads back to ``s``: plain when safe, folded when long, else quoted."""
    if re.fullmatch(r"[A-Za-z][A-Za-z0-9_.\-]*", s) and _loads_back(s, s):
        return s
    width = max(40, WIDTH - len(indent) - len(INDENT))
    if len(s) > width and "\n" not in s and "  " not in s and s == s.strip() and s.isprintable():
        body = textwrap.wrap(s, width, break_long_words=False, break_on_hyphens=False)
        sub = indent + INDENT
        block = ">-\n" + "\n".join(sub + line for line in body)
        try:
            if yaml.safe_load(f"{indent}k: {block}\n") == {"k": s}:
                return block
        except yaml.YAMLError:
            pass
    return _quoted(s)


def _scalar(v, indent: str) -> str:
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return _float(v)
    if isinstance(v, str):
        return _string(v, indent)
    if isinstance(v, list | tuple):
        return "[" + ", ".join(_scalar(x, indent) for x in v) + "]"
    raise ConfigError(f"cannot write a value of type {type(v).__name__} to YAML: {v!r}")


# ------------------------------------------------------------------ comments


def _first_paragraph(doc: str | None) -> str:
    if not doc:
        return ""
    para = inspect.cleandoc(doc).split("\n\n")[0]
    return " ".join(para.split())


def _bounds(info) -> list[str]:
    out = []
    for meta in info.metadata:
        for key, symbol in _BOUND_SYMBOLS.items():
            val = getattr(meta, key, None)
            if val is not None:
                out.append(f"{symbol} {_num(val)}")
        if getattr(meta, "min_length", None) is not None:
            out.append(f"length >= {meta.min_length}")
        if getattr(meta, "max_length", None) is not None:
            out.append(f"length <= {meta.max_length}")
        if getattr(meta, "pattern", None):
            out.append(f"pattern {meta.pattern}")
    return out


def _num(v) -> str:
    if isinstance(v, int | float) and not isinstance(v, bool):
        return str(int(v)) if float(v).is_integer() and abs(v) < 1e9 else f"{v:g}"
    return str(v)


_NO_DEFAULT = object()


def _field_default(model: type[BaseModel], name: str, section_default):
    """Default of a field in context: from the parent's default section when there is one
    (``risk.edl.alpha`` defaults to the FACTS record, not to RiskPrior's 1.0), else the
    field's own default or factory."""
    if section_default is not None:
        return getattr(section_default, name)
    info = model.model_fields[name]
    if info.default_factory is not None:
        return info.default_factory()
    if info.default is PydanticUndefined:
        return _NO_DEFAULT
    return info.default


def _allowed(info, default=_NO_DEFAULT) -> str:
    """Allowed values and the default of a scalar field, e.g. ``[> 0, <= 30; default 1.0]``."""
    ann = info.annotation
    args = typing.get_args(ann)
    parts = []
    literals = [a for a in ([ann] + list(args)) if typing.get_origin(a) is typing.Literal]
    for lit in literals:
        parts.append("one of " + ", ".join(str(x) for x in typing.get_args(lit)))
    parts += _bounds(info)
    if type(None) in args:
        parts.append("or null")
    text = ", ".join(parts)
    if info.is_required():
        text += ("; " if text else "") + "required"
    elif default is not _NO_DEFAULT:
        shown = _scalar(default, "")
        if "\n" not in shown and len(shown) <= 40:
            text += ("; " if text else "") + f"default {shown}"
    return f"[{text}]" if text else ""


def _join(desc: str, doc: str) -> str:
    if desc and doc and desc.rstrip(".").lower() != doc.rstrip(".").lower():
        return f"{desc.rstrip('.')}. {doc}"
    return desc or doc


def _field_comment(model: type[BaseModel], name: str, value, default=_NO_DEFAULT) -> str:
    info = model.model_fields[name]
    desc = info.description or _FALLBACK.get((model.__name__, name), "")
    if isinstance(value, BaseModel):
        desc = _join(desc, _first_paragraph(type(value).__doc__))
        if isinstance(value, RiskPrior):
            desc += " Mean P(failure) = alpha / (alpha + beta), or p."
        return desc
    if isinstance(value, list) and value and isinstance(value[0], BaseModel):
        doc = _first_paragraph(type(value[0]).__doc__)
        return _join(desc, f"Each item is {doc[:1].lower()}{doc[1:]}" if doc else "")
    extra = _allowed(info, default)
    return f"{desc} {extra}".strip()


def _comment_lines(text: str, indent: str) -> list[str]:
    if not text:
        return []
    width = max(40, WIDTH - len(indent) - 2)
    return [f"{indent}# {line}" for line in textwrap.wrap(text, width, break_long_words=False,
                                                            break_on_hyphens=False)]


# ------------------------------------------------------------------ writer


def _emit_model(obj: BaseModel, indent: str, path: tuple, notes: SourceComments, out: list[str],
                first_prefix: str | None = None, section_default: BaseModel | None = None) -> None:
    """Append the lines of a model's fields; ``first_prefix`` replaces the indentation of the
    first key line (``"  - "`` for a list item); ``section_default`` is the default of this
    section in its parent (None: the model's own field defaults)."""
    model = type(obj)
    for k, name in enumerate(model.model_fields):
        value = getattr(obj, name)
        default = _field_default(model, name, section_default)
        p = path + (name,)
        top = not path
        if top and k and isinstance(value, BaseModel | list):
            out.append("")
        generated = _comment_lines(_field_comment(model, name, value, default), indent)
        above = list(notes.above.get(p, []))
        own = [line[len(indent) + 2:] for line in generated]
        if own and above[-len(own):] == own:  # a file written by init: its own comment once
            above = above[:-len(own)]
        out += [f"{indent}# {line}" if line else f"{indent}#" for line in above]
        out += generated
        lead = first_prefix if (k == 0 and first_prefix is not None) else indent
        trail = f"  # {notes.trailing[p]}" if p in notes.trailing else ""
        if isinstance(value, BaseModel):
            out.append(f"{lead}{name}:{trail}")
            sub_default = default if isinstance(default, BaseModel) else None
            _emit_model(value, indent + INDENT, p, notes, out, section_default=sub_default)
        elif isinstance(value, list) and value and all(isinstance(x, BaseModel) for x in value):
            out.append(f"{lead}{name}:{trail}")
            for i, item in enumerate(value):
                sub = indent + INDENT + INDENT
                _emit_model(item, sub, p + (i,), notes, out, first_prefix=indent + INDENT + "- ")
        elif isinstance(value, dict):
            out.append(f"{lead}{name}:{trail}" if value else f"{lead}{name}: {{}}{trail}")
            for key, v in value.items():
                out.append(f"{indent}{INDENT}{_scalar(str(key), indent)}: {_scalar(v, indent + INDENT)}")
        else:
            out.append(f"{lead}{name}: {_scalar(value, indent)}{trail}")


def to_commented_yaml(arch: Architecture, notes: SourceComments | None = None, origin: str = "") -> str:
    """The whole architecture as commented YAML: every section and field, in schema order.

    Parameters
    ----------
    arch : Architecture
        The architecture to write.
    notes : SourceComments, optional
        Comments of the YAML it came from (see :func:`source_comments`), carried over to the
        same fields.
    origin : str, optional
        Where it came from (``"preset baseline_2022"``), named in the header.

    Returns
    -------
    str
        YAML text that :func:`~msrsim.campaign.architecture.load_architecture` reads back to
        a model equal to ``arch``.
    """
    notes = notes or SourceComments()
    out = [
        f"# msrsim campaign architecture: {arch.title}",
        f"# Written by `msrsim init`{' from ' + origin if origin else ''}. Every field is listed with its",
        "# description, allowed values [in brackets] and default; edit any of them and run it with",
        _HEADER_END,
    ]
    header = list(notes.header)
    if _HEADER_END[2:] in header:  # a file written by init: drop its own header
        header = header[header.index(_HEADER_END[2:]) + 1:]
        while header and header[0] in ("", _NOTES_MARK[2:]):
            header.pop(0)
    if header:
        out += ["#", _NOTES_MARK]
        out += [f"# {line}" if line else "#" for line in header]
    out.append("")
    _emit_model(arch, "", (), notes, out)
    return "\n".join(out) + "\n"


def preset_yaml_text(name: str) -> str:
    """The YAML text of a shipped preset (with its comments)."""
    presets = list_presets()
    if name not in presets:
        raise ConfigError(f"preset={name!r} is unknown; allowed: {', '.join(presets)}")
    return (resources.files("msrsim.campaign") / "presets" / f"{name}.yaml").read_text(encoding="utf-8")


def architecture_yaml(name_or_path: str | None = None) -> tuple[Architecture, str]:
    """Load a preset or YAML file and write it back as complete commented YAML.

    Parameters
    ----------
    name_or_path : str, optional
        Preset name or YAML path (default ``baseline_2022``), as for
        :func:`~msrsim.campaign.architecture.load_architecture`.

    Returns
    -------
    (Architecture, str)
        The model and its commented YAML text.

    Raises
    ------
    ConfigError
        Unknown preset, unreadable or invalid file.
    """
    arch = load_architecture(name_or_path)
    name = str(name_or_path or DEFAULT_PRESET)
    if os.path.sep in name or name.endswith((".yaml", ".yml")) or os.path.isfile(name):
        with open(name, encoding="utf-8") as fh:  # load_architecture has read it already
            text = fh.read()
        origin = os.path.basename(name)
    else:
        text, origin = preset_yaml_text(name), f"preset {name}"
    out = to_commented_yaml(arch, source_comments(text), origin)
    check_round_trip(arch, out)
    return arch, out


def check_round_trip(arch: Architecture, text: str) -> None:
    """Raise :class:`~msrsim.errors.MsrsimError` unless ``text`` loads back to ``arch``."""
    back = architecture_from_dict(yaml.safe_load(text), "written YAML")
    if back != arch:
        diff = [k for k in Architecture.model_fields if getattr(back, k) != getattr(arch, k)]
        raise MsrsimError(f"the written YAML does not load back to the same architecture "
                          f"(sections differ: {', '.join(diff)}); please report this")


def write_new_file(path: str, text: str, force: bool = False) -> str:
    """Write ``text`` to ``path``; an existing file is kept unless ``force``.

    Raises
    ------
    ConfigError
        ``path`` exists and ``force`` is false, or ``path`` is a directory.
    """
    if os.path.isdir(path):
        raise ConfigError(f"FILE={path!r} is a directory; give the path of a YAML file to write")
    if os.path.exists(path) and not force:
        raise ConfigError(f"FILE={path!r} already exists; pass --force to overwrite it "
                          "or choose another path")
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(text)
    return path
