"""Every command that writes files answers an impossible output path, and the bad inputs the
review listed, with one line naming the field or path and exit status 2 (no traceback)."""

from __future__ import annotations

import pytest

from msrsim.cli import main

IMPOSSIBLE = "/proc/msrsim-no-such-dir/out"  # /proc refuses new directories, even for root


def _one_line_error(capsys, rc, *must_contain):
    err = capsys.readouterr().err
    assert rc == 2, err
    assert err.startswith("msrsim: error: ") and err.count("\n") == 1, err
    assert "Traceback" not in err
    for s in must_contain:
        assert s in err, err
    return err


@pytest.mark.parametrize("argv", [
    ["windows", "--depart", "2028-10-01:2028-10-10", "--arrive", "2029-06-01:2029-06-10"],
    ["entry", "--preset", "ees-uttr", "--trials", "2", "--no-plots"],
    ["ascent", "--trials", "2"],
    ["rendezvous"],
    ["run", "--trials", "2"],
], ids=lambda a: a[0])
def test_unwritable_out_is_one_line_naming_the_path(argv, capsys):
    rc = main([*argv, "--out", IMPOSSIBLE])
    _one_line_error(capsys, rc, "/proc/msrsim-no-such-dir")


def test_custody_ledger_in_an_impossible_place(capsys):
    rc = main(["custody", "init", "--db", f"{IMPOSSIBLE}/custody.sqlite"])
    _one_line_error(capsys, rc, "/proc/msrsim-no-such-dir")


def test_entry_missing_config_file(tmp_path, capsys):
    missing = tmp_path / "nope.yaml"
    rc = main(["entry", "--config", str(missing), "--trials", "0", "--no-plots"])
    _one_line_error(capsys, rc, str(missing), "does not exist")


@pytest.mark.parametrize("argv, field", [
    (["--preset", "saturn"], "--preset='saturn' unknown; allowed:"),
    (["--target", "nowhere"], "--target='nowhere' unknown; allowed:"),
    (["--launch-utc", "2030-13-45"], "launch_epoch_utc='2030-13-45'"),
])
def test_ascent_bad_preset_target_and_epoch(argv, field, capsys):
    rc = main(["ascent", *argv, "--trials", "0", "--no-figures"])
    _one_line_error(capsys, rc, field)


def test_rendezvous_missing_and_malformed_yaml(tmp_path, capsys):
    missing = tmp_path / "nope.yaml"
    _one_line_error(capsys, main(["rendezvous", "--config", str(missing)]), str(missing), "does not exist")
    bad = tmp_path / "bad.yaml"
    bad.write_text("ero: [1\n")
    _one_line_error(capsys, main(["rendezvous", "--config", str(bad)]), "malformed YAML", "line")


def test_custody_log_unknown_tube_and_bad_limit(tmp_path, capsys):
    db = str(tmp_path / "c.sqlite")
    assert main(["custody", "init", "--db", db]) == 0
    capsys.readouterr()
    _one_line_error(capsys, main(["custody", "log", "--db", db, "--tube", "Atlantis"]), "sample='Atlantis'")
    for bad in ("0", "-4"):
        _one_line_error(capsys, main(["custody", "log", "--db", db, "--limit", bad]), "--limit")


def test_run_conflicting_and_bad_options(tmp_path, capsys):
    cfg = tmp_path / "arch.yaml"
    cfg.write_text("name: x\n")
    _one_line_error(capsys, main(["run", "--preset", "tianwen3", "--config", str(cfg)]),
                    "--preset and --config")
    missing = tmp_path / "nope.bsp"
    _one_line_error(capsys, main(["run", "--ephemeris", str(missing), "--trials", "2"]), str(missing))
    _one_line_error(capsys, main(["run", "--trials", "-3"]), "--trials")
