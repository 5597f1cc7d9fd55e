"""One ``__getattr__`` for packages whose public names load on first use (PEP 562).

Importing a package then costs nothing beyond its own ``__init__``; the first access to a
name imports its module (compiled kernels, scipy, matplotlib stay unloaded until used).
"""

from __future__ import annotations

import importlib


def lazy_getattr(package: str, table: dict, namespace: dict):
    """A module-level ``__getattr__`` resolving the names of ``table`` on first use.

    Parameters
    ----------
    package : str
        The package's ``__name__``.
    table : dict
        Public name -> module (``"run"``, ``".run"`` or an absolute ``"msrsim.x"``) or
        ``(module, attribute)``.
    namespace : dict
        The package's ``globals()``: a resolved name is stored there, so it resolves once.
    """

    def __getattr__(name: str):
        target = table.get(name)
        if target is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        mod, attr = target if isinstance(target, tuple) else (target, name)
        if not mod.startswith(".") and not mod.startswith("msrsim"):
            mod = "." + mod
        value = getattr(importlib.import_module(mod, package), attr)
        namespace[name] = value
        return value

    return __getattr__
