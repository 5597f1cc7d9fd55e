"""The shipped architecture presets at a glance (``msrsim presets``)."""

from __future__ import annotations

from .architecture import Architecture, list_presets, load_architecture


def preset_summary(arch: Architecture) -> dict:
    """One preset's identity and the choices that tell presets apart.

    Parameters
    ----------
    arch : Architecture
        A loaded architecture.

    Returns
    -------
    dict
        ``name``, ``title``, ``source``, ``earth_return_year`` (None when not published),
        ``description``, ``vehicles`` (outbound legs in order), ``lander_power``,
        ``helicopters``, ``mav`` (ascent model preset) and ``os_capacity`` (tubes).
    """
    return {
        "name": arch.name,
        "title": arch.title,
        "source": arch.source,
        "earth_return_year": arch.earth_return_year,
        "description": arch.description,
        "vehicles": [leg.vehicle for leg in arch.earth_to_mars],
        "lander_power": arch.lander.power,
        "helicopters": arch.surface.helicopters,
        "mav": arch.mav.preset,
        "os_capacity": arch.orbiting_sample.capacity,
    }


def preset_catalogue() -> list[dict]:
    """:func:`preset_summary` of every shipped preset, sorted by name."""
    return [preset_summary(load_architecture(name)) for name in list_presets()]
