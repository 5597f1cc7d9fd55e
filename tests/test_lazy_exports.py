"""Every name a package exports, lazily or not, resolves to something.

Packages keep heavy modules out of ``import`` with a ``_LAZY`` table and a module
``__getattr__`` (DESIGN.md §Style 8); a name in the table whose module lacks it would only
fail when a user asks for it. This walks every package of msrsim.
"""

from __future__ import annotations

import importlib
import pkgutil

import pytest

import msrsim


def _packages() -> list[str]:
    names = ["msrsim"]
    for info in pkgutil.walk_packages(msrsim.__path__, "msrsim."):
        if info.ispkg:
            names.append(info.name)
    return sorted(names)


PACKAGES = _packages()


def test_the_walk_finds_the_lazy_namespaces():
    lazy = [p for p in PACKAGES if hasattr(importlib.import_module(p), "_LAZY")]
    assert {"msrsim", "msrsim.marsorbit", "msrsim.campaign", "msrsim.ascent", "msrsim.entry"} <= set(lazy)


@pytest.mark.parametrize("package", PACKAGES)
def test_every_exported_name_resolves(package):
    mod = importlib.import_module(package)
    lazy = getattr(mod, "_LAZY", {})
    names = sorted(set(getattr(mod, "__all__", ())) | set(lazy))
    missing = []
    for name in names:
        try:
            value = getattr(mod, name)
        except (AttributeError, ImportError) as exc:
            missing.append(f"{name} ({type(exc).__name__}: {exc})")
            continue
        if value is None:
            missing.append(f"{name} (None)")
    assert not missing, f"{package} exports names that resolve to nothing: {missing}"
    # every lazy name is also listed in __all__, so that `from package import *` and the
    # documentation see it
    if lazy and hasattr(mod, "__all__"):
        assert set(lazy) <= set(mod.__all__), sorted(set(lazy) - set(mod.__all__))


@pytest.mark.parametrize("package", PACKAGES)
def test_unknown_names_raise_attribute_error(package):
    mod = importlib.import_module(package)
    with pytest.raises(AttributeError):
        mod.no_such_name_here  # noqa: B018
