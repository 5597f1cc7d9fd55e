"""The shared YAML reader and the one-line translation of pydantic validation errors."""

from __future__ import annotations

import math
from typing import Literal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from msrsim.config import ConfigModel, read_yaml, validate_model, validation_error_line
from msrsim.errors import ConfigError


class _Stage(BaseModel):
    model_config = ConfigDict(extra="forbid")
    propellant_kg: float = Field(100.0, gt=0.0)
    isp_s: float = Field(290.0, ge=150.0, le=350.0)


class _Vehicle(BaseModel):
    model_config = ConfigDict(extra="forbid")
    gross_mass_kg: float = Field(400.0, gt=0.0)
    guidance: Literal["open", "closed"] = "open"
    stages: list[_Stage] = Field(default_factory=lambda: [_Stage()], min_length=1)
    name: str

    @field_validator("name")
    @classmethod
    def _short(cls, v):
        if len(v) > 8:
            raise ValueError(f"name={v!r} is longer than 8 characters")
        return v

    @model_validator(mode="after")
    def _two_stages_for_closed_loop(self):
        if self.guidance == "closed" and len(self.stages) < 2:
            raise ValueError(f"guidance='closed' needs two stages, got {len(self.stages)}")
        return self


class _Case(BaseModel):
    model_config = ConfigDict(extra="forbid")
    mav: _Vehicle
    note: str = ""


def _line(data, where="case.yaml"):
    with pytest.raises(ValidationError) as info:
        _Case.model_validate(data)
    line = validation_error_line(info.value, where, _Case)
    assert "\n" not in line
    return line


def test_range_error_names_path_bound_and_value():
    assert _line({"mav": {"name": "m", "gross_mass_kg": -5}}) == \
        "case.yaml: 'mav.gross_mass_kg' must be > 0 (got -5)"
    assert _line({"mav": {"name": "m", "stages": [{"isp_s": 400.0}]}}) == \
        "case.yaml: 'mav.stages.0.isp_s' must be <= 350 (got 400.0)"


def test_unknown_key_lists_the_fields_of_its_own_section():
    assert _line({"mav": {"name": "m", "colour": "red"}}) == (
        "case.yaml: 'mav.colour' is not a known field; allowed: gross_mass_kg, guidance, stages, name")
    # inside a list of sub-models the index is skipped when looking up the section
    assert _line({"mav": {"name": "m", "stages": [{"thrust": 1}]}}).endswith(
        "'mav.stages.0.thrust' is not a known field; allowed: propellant_kg, isp_s")
    assert _line({"mavv": {}}).startswith("case.yaml: 'mavv' is not a known field; allowed: mav, note")


def test_other_kinds_of_error():
    assert _line({"mav": {}}) == "case.yaml: 'mav.name' is required"
    assert _line({"mav": {"name": "m", "guidance": "magic"}}) == \
        "case.yaml: 'mav.guidance' must be 'open' or 'closed' (got 'magic')"
    assert _line({"mav": {"name": "m", "stages": []}}) == \
        "case.yaml: 'mav.stages' must have at least 1 item after validation, not 0"
    assert _line({"mav": {"name": "m", "gross_mass_kg": "heavy"}}, where="") == \
        "'mav.gross_mass_kg' must be a valid number, unable to parse string as a number (got 'heavy')"
    # a validator's own message already names the field and value: prefixed by its section
    assert _line({"mav": {"name": "very long name"}}) == \
        "case.yaml: mav.name='very long name' is longer than 8 characters"
    # a model validator's message names a field of its section: prefixed by the section
    assert _line({"mav": {"name": "m", "guidance": "closed"}}) == \
        "case.yaml: mav.guidance='closed' needs two stages, got 1"
    # more than one error: the first, and a count of the others
    assert _line({"mav": {"name": "m", "gross_mass_kg": -1, "guidance": "x"}}).endswith(
        "(got -1); 1 more error(s)")


@settings(max_examples=40, deadline=None)
@given(st.floats(allow_nan=True, allow_infinity=True))
def test_every_rejected_isp_is_one_line_with_path_and_value(isp):
    data = {"mav": {"name": "m", "stages": [{"isp_s": isp}]}}
    if math.isfinite(isp) and 150.0 <= isp <= 350.0:
        assert _Case.model_validate(data).mav.stages[0].isp_s == isp
    else:
        line = _line(data)
        assert "'mav.stages.0.isp_s' must be" in line and f"(got {isp!r})" in line


class _Orbit(ConfigModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    periapsis_alt_km: float = Field(300.0, gt=0.0)
    apoapsis_alt_km: float = Field(300.0, gt=0.0)

    def model_post_init(self, _ctx):
        if self.apoapsis_alt_km < self.periapsis_alt_km:
            raise ConfigError(f"apoapsis_alt_km={self.apoapsis_alt_km!r} is below periapsis_alt_km="
                              f"{self.periapsis_alt_km!r}")


class _Mission(ConfigModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    os: _Orbit = _Orbit()


def test_config_model_errors_keep_the_whole_path():
    # built directly: the class is named; built inside a parent: the path from the parent
    with pytest.raises(ConfigError, match=r"^_Orbit: 'apoapsis_alt_km' must be > 0 \(got -1\)$"):
        _Orbit(apoapsis_alt_km=-1)
    with pytest.raises(ConfigError, match=r"^_Mission: 'os.apoapsis_alt_km' must be > 0 \(got -1\)$"):
        _Mission(os={"apoapsis_alt_km": -1})
    with pytest.raises(ConfigError, match=r"^m.yaml: 'os.apoapsis_alt_km' must be > 0 \(got -1\)$"):
        validate_model(_Mission, {"os": {"apoapsis_alt_km": -1}}, "m.yaml")
    # a cross-field check of the sub-model is prefixed by its section
    with pytest.raises(ConfigError, match=r"^m.yaml: os.apoapsis_alt_km=200.0 is below periapsis_alt_km=300"):
        validate_model(_Mission, {"os": {"apoapsis_alt_km": 200}}, "m.yaml")
    with pytest.raises(ConfigError, match=r"^_Orbit: apoapsis_alt_km=200.0 is below"):
        _Orbit(apoapsis_alt_km=200.0)
    assert validate_model(_Mission, {"os": {"apoapsis_alt_km": 400}}).os.apoapsis_alt_km == 400


def test_read_yaml_text_file_and_empty(tmp_path):
    assert read_yaml(text="a: 1\nb: [1, 2]\n") == {"a": 1, "b": [1, 2]}
    assert read_yaml(text="") == {}
    f = tmp_path / "c.yaml"
    f.write_text("# only a comment\n")
    assert read_yaml(f) == {}
    f.write_text("os:\n  mass_kg: 12\n")
    assert read_yaml(str(f)) == {"os": {"mass_kg": 12}}


@pytest.mark.parametrize("text, line", [
    ("a: 1\nb: [1, 2\n", 3),         # the parser notices the unclosed list at the end
    ("a: 1\n  b: 2\n", 2),           # bad indentation
    ("a: 1\nb: 'open\nc: 3\n", 4),   # unterminated quote
])
def test_malformed_yaml_names_its_line(text, line):
    with pytest.raises(ConfigError) as info:
        read_yaml(text=text, where="case.yaml")
    msg = str(info.value)
    assert msg.startswith(f"case.yaml: malformed YAML at line {line}, column ")
    assert msg.endswith("; fix the syntax") and "\n" not in msg


def test_missing_file_and_non_mapping(tmp_path):
    missing = tmp_path / "nope.yaml"
    with pytest.raises(ConfigError, match=r"config file '.*nope.yaml' does not exist") as info:
        read_yaml(missing)
    assert "\n" not in str(info.value)
    with pytest.raises(ConfigError, match="c.yaml: expected a mapping of fields at the top level, got list"):
        read_yaml(text="- 1\n- 2\n", where="c.yaml")
    with pytest.raises(ConfigError, match="needs a path or text"):
        read_yaml()


# ---------------------------------------------------------------- every parameter package
def _loaders():
    from msrsim.ascent.params import load_ascent_config
    from msrsim.ascent.params import make_config as ascent_config
    from msrsim.campaign.architecture import architecture_from_dict, load_architecture
    from msrsim.entry.model import make_config as entry_config
    from msrsim.entry.presets import load_config as load_entry_config
    from msrsim.marsorbit.params import load_config as load_orbit_config
    from msrsim.samples.value import load_selection_config, selection_config_from_dict

    # (name, from a mapping, from a file, a valid nested section to misspell a key in)
    return [
        ("architecture", architecture_from_dict, load_architecture, None),
        ("entry", entry_config, lambda p: load_entry_config(p, base="ees-uttr"), "vehicle"),
        ("ascent", ascent_config, load_ascent_config, "site"),
        ("mars orbit", lambda d: load_orbit_config(data=d), load_orbit_config, "os"),
        ("selection", selection_config_from_dict, load_selection_config, "weights"),
    ]


_CASES = pytest.mark.parametrize("name, from_dict, from_file, section", _loaders(),
                                 ids=[case[0] for case in _loaders()])


@_CASES
def test_every_parameter_package_reports_unknown_keys_alike(name, from_dict, from_file, section):
    with pytest.raises(ConfigError) as info:
        from_dict({"colour": "red"})
    msg = str(info.value)
    assert "'colour' is not a known field; allowed: " in msg and "\n" not in msg, msg
    if section is not None:
        with pytest.raises(ConfigError) as info:
            from_dict({section: {"colour": "red"}})
        msg = str(info.value)
        assert f"'{section}.colour' is not a known field; allowed: " in msg and "\n" not in msg, msg


@_CASES
def test_every_parameter_file_reader_reports_yaml_problems_alike(tmp_path, name, from_dict, from_file,
                                                                 section):
    bad = tmp_path / "bad.yaml"
    bad.write_text("a: 1\nb: [1, 2\n")
    with pytest.raises(ConfigError) as info:
        from_file(bad)
    msg = str(info.value)
    assert f"{bad}: malformed YAML at line 3, column 1" in msg and msg.endswith("fix the syntax"), msg
    with pytest.raises(ConfigError) as info:
        from_file(tmp_path / "missing.yaml")
    assert "missing.yaml' does not exist" in str(info.value)
    bad.write_text("- 1\n- 2\n")
    with pytest.raises(ConfigError, match="expected a mapping"):
        from_file(bad)


def test_parameter_objects_built_directly_raise_one_line_config_errors():
    from msrsim.entry.model import EntryConfig, Vehicle
    from msrsim.samples.value import SelectionRules

    with pytest.raises(ConfigError, match=r"^Vehicle: 'mass_kg' must be > 0 \(got -5\)$"):
        Vehicle(mass_kg=-5, diameter_m=1.0, cd=1.0, nose_radius_m=0.25)
    with pytest.raises(ConfigError, match=r"^SelectionRules: 'capacity' must be <= 43 \(got 50\)$"):
        SelectionRules(capacity=50)
    with pytest.raises(ConfigError, match=r"^EntryConfig: 'colour' is not a known field; allowed: name, "):
        EntryConfig(colour="red")
