"""The CLI front: usage errors are one line with exit code 2, help exits 0."""

import subprocess
import sys

from msrsim.cli import main


def test_unknown_command_is_one_line_exit_2(capsys):
    assert main(["no-such-command"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("msrsim: error:") and err.count("\n") == 1


def test_unknown_option_is_one_line_exit_2(capsys):
    assert main(["samples", "list", "--bogus"]) == 2
    err = capsys.readouterr().err
    assert "--bogus" in err and err.count("\n") == 1 and "Traceback" not in err


def test_help_exits_0(capsys):
    assert main(["--help"]) == 0
    assert "Usage" in capsys.readouterr().out
    assert main([]) == 0


def test_help_loads_no_heavy_module():
    # Every command module is imported for --help; models, kernels and plotting load inside
    # the command bodies, so that the help and usage errors stay fast.
    heavy = ("numba", "scipy", "matplotlib", "pyarrow", "dask", "pymsis")
    code = ("import sys\nfrom msrsim.cli import main\nrc = main(['--help'])\n"
            f"print('LOADED', ','.join(m for m in {heavy!r} if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "LOADED", out.stdout[-300:]
