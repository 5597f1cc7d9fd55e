"""Mars-orbit operations: the OS in orbit, ERO arrival and spiral, rendezvous, departure.

Public entry points (imported lazily so that importing the package compiles nothing):
:func:`os_lifetime_days`, :func:`os_orbit_decay`, the
parameter objects :class:`OSParams`, :class:`EROParams`, :class:`RendezvousParams`,
:class:`ReturnParams`, :class:`MarsOrbitConfig` and :func:`load_config`.
"""

from __future__ import annotations

from .._lazy import lazy_getattr

_LAZY = {
    "os_lifetime_days": "lifetime",
    "os_orbit_decay": "lifetime",
    "DecayResult": "lifetime",
    "OSParams": "params",
    "EROParams": "params",
    "RendezvousParams": "params",
    "ReturnParams": "params",
    "MarsOrbitConfig": "params",
    "MAVLaunchParams": "params",
    "node_chain": "nodes",
    "launch_node_rad": "nodes",
    "load_config": "params",
    "mars_orbit_insertion": "arrival",
    "spiral_down": "arrival",
    "plane_change_trade": "rendezvous",
    "plan_rendezvous": "rendezvous",
    "trans_earth_injection": "departure",
    "earth_arrival": "departure",
}

__all__ = list(_LAZY)


__getattr__ = lazy_getattr(__name__, _LAZY, globals())
