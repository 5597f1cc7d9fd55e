"""The package front door: every exported name resolves, and importing is cheap."""

import subprocess
import sys

import msrsim


def test_every_exported_name_resolves():
    for name in msrsim.__all__:
        assert getattr(msrsim, name) is not None, name


def test_import_does_no_heavy_work():
    # DESIGN.md §Style 8: no work at import time; numba, scipy and matplotlib load on use.
    code = ("import sys, msrsim; "
            "print(','.join(m for m in ('numba', 'scipy', 'matplotlib', 'pymsis') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
