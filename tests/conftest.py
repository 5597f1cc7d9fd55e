"""Test-suite settings.

Hypothesis runs derandomised: the property tests draw the same examples on every run, so
CI is reproducible. ``HYPOTHESIS_PROFILE=explore make test`` draws fresh examples.
"""

import importlib
import os

import pytest
from hypothesis import settings

settings.register_profile("ci", derandomize=True, deadline=None)
settings.register_profile("explore", derandomize=False, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def pytest_configure(config):
    config.addinivalue_line("markers", "validation: compares with published data not used to set a parameter")
    config.addinivalue_line("markers", "calibration: compares with published data used to set a parameter")


def require_peer(module: str):
    """Import a peer library that a cross-check compares msrsim with.

    Under ``make test`` (``MSRSIM_REQUIRE_PEERS=1``) a missing peer fails the test with the
    install command; elsewhere (a bare ``pytest`` without the test extras) it skips.
    """
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        if os.environ.get("MSRSIM_REQUIRE_PEERS") == "1":
            pytest.fail(f"peer {module!r} is missing ({exc}); install the test extras: "
                        "pip install -e '.[test]'", pytrace=False)
        pytest.skip(f"peer {module!r} not installed (install the test extras to run this check)",
                    allow_module_level=True)
