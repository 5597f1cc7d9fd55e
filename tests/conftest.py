"""Test-suite settings.

Hypothesis runs derandomised: the property tests draw the same examples on every run, so
CI is reproducible. ``HYPOTHESIS_PROFILE=explore make test`` draws fresh examples.
"""

import os

from hypothesis import settings

settings.register_profile("ci", derandomize=True, deadline=None)
settings.register_profile("explore", derandomize=False, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def pytest_configure(config):
    config.addinivalue_line("markers", "validation: compares with published data not used to set a parameter")
    config.addinivalue_line("markers", "calibration: compares with published data used to set a parameter")
