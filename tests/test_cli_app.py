"""The CLI front: usage errors are one line with exit code 2, help exits 0."""

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
