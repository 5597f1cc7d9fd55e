"""Chunked campaign runs: identity across chunking and back ends, resume, sweeps, bad input.

The reference for every identity check is the single-call path of the campaign Monte Carlo
(one :func:`simulate_trials` over all trials, :func:`trial_table_arrow` written by
``pyarrow.parquet.write_table`` and :func:`summarise` dumped as ``results.json``), which
shares no chunking, merging or writing code with the runner: the runner's outputs must
match it byte for byte. Trial counts cross the 1,024-trial random-number block boundary.
"""

from __future__ import annotations

import dataclasses
import errno
import hashlib
import json
import os
import pickle
import signal
import subprocess
import sys
import time
import warnings

import numpy as np
import pyarrow.parquet as pq
import pytest
import yaml

from msrsim.campaign.architecture import architecture_from_dict, load_architecture
from msrsim.campaign.engine import simulate_trials
from msrsim.campaign.montecarlo import summarise, trial_table_arrow
from msrsim.campaign.runner import (
    ChunkWriteError,
    RunInterrupted,
    open_backend,
    run_chunked,
)
from msrsim.campaign.sweep import parse_vary, plan_key, run_sweep, sweep_variants
from msrsim.errors import ConfigError

N = 1100  # crosses the 1,024-trial block boundary


def _small_arch_dict() -> dict:
    """baseline_2022 with one opportunity per leg (cheaper plan) and short slips (more successes)."""
    d = load_architecture("baseline_2022").model_dump(mode="json")
    d["name"] = "test_small"
    d["schedule"]["max_later_opportunities"] = 0
    d["schedule"]["ero"]["median_days"] = 20.0
    d["schedule"]["lander"]["median_days"] = 20.0
    return d


@pytest.fixture(scope="module")
def plan():
    from msrsim.campaign.plan import build_plan

    return build_plan(architecture_from_dict(_small_arch_dict()), seed=1)


def _sha(path) -> str:
    with open(path, "rb") as fh:
        return hashlib.sha256(fh.read()).hexdigest()


@pytest.fixture(scope="module")
def reference(plan, tmp_path_factory):
    """SHA-256 of trials.parquet and results.json written by the single-call path."""
    d = tmp_path_factory.mktemp("reference")
    tab = simulate_trials(plan, 0, N)
    pq.write_table(trial_table_arrow(tab, plan), d / "trials.parquet")
    with open(d / "results.json", "w", encoding="utf-8") as fh:
        json.dump(summarise(plan, tab), fh, indent=2)
    return {"trials": _sha(d / "trials.parquet"), "results": _sha(d / "results.json"), "table": tab}


def _hashes(out) -> dict:
    return {
        "trials": _sha(os.path.join(out, "trials.parquet")),
        "results": _sha(os.path.join(out, "results.json")),
    }


def _same(out, reference) -> None:
    assert _hashes(out) == {"trials": reference["trials"], "results": reference["results"]}


def test_identical_bytes_for_chunk_sizes_and_local_workers(plan, reference, tmp_path):
    tab = reference["table"]
    ok = tab["outcome_code"] == 0
    assert 0 < ok.sum() < N  # the comparison covers successes and failures
    for name, kw in {
        "chunk1000": {"chunk_size": 1000},
        "chunk997": {"chunk_size": 997},
        "workers2": {"chunk_size": 300, "workers": 2},
    }.items():
        res = run_chunked(plan, N, str(tmp_path / name), **kw)
        _same(tmp_path / name, reference)
        assert res.summary["trials"] == N
        np.testing.assert_array_equal(res.trials["outcome_code"], tab["outcome_code"])


def test_dask_local_cluster_identical_when_a_worker_is_killed(plan, reference, tmp_path):
    from dask.distributed import Client, LocalCluster

    with (
        LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster,
        Client(cluster) as client,
    ):
        pids = list(client.run(os.getpid).values())
        killed = []

        def progress(done, total):
            if done and not killed:  # first chunk in: SIGKILL a worker with chunks still running
                os.kill(pids[0], signal.SIGKILL)
                killed.append(pids[0])

        run_chunked(plan, N, str(tmp_path / "dask"), chunk_size=100, scheduler=client, progress=progress)
    assert killed
    _same(tmp_path / "dask", reference)


_KILLABLE = """
import pickle, sys, time
from msrsim.campaign.runner import run_chunked
if __name__ == "__main__":
    with open(sys.argv[1], "rb") as fh:
        plan = pickle.load(fh)
    run_chunked(plan, int(sys.argv[3]), sys.argv[2], chunk_size=100, progress=lambda d, t: time.sleep(0.4))
"""


def test_killed_run_resumes_to_identical_outputs_and_drops_bad_chunks(plan, reference, tmp_path):
    plan_file = tmp_path / "plan.pkl"
    plan_file.write_bytes(pickle.dumps(dataclasses.replace(plan, windows=[])))
    script = tmp_path / "run.py"
    script.write_text(_KILLABLE)
    out = tmp_path / "out"
    proc = subprocess.Popen([sys.executable, str(script), str(plan_file), str(out), str(N)])
    chunks = out / "chunks"
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        done = sorted(p for p in chunks.glob("chunk_*.parquet")) if chunks.exists() else []
        if len(done) >= 4:
            break
        assert proc.poll() is None, "the run ended before it could be killed"
        time.sleep(0.1)
    proc.send_signal(signal.SIGKILL)
    proc.wait(30)
    assert not (out / "trials.parquet").exists()
    done = sorted(chunks.glob("chunk_*.parquet"))
    assert 4 <= len(done) < 11
    # damage: a truncated chunk, a chunk with one flipped byte, a temporary file of a dead writer
    data = done[0].read_bytes()
    done[0].write_bytes(data[: len(data) // 2])
    data = bytearray(done[1].read_bytes())
    data[len(data) // 3] ^= 0xFF
    done[1].write_bytes(bytes(data))
    (chunks / ".tmp-0000000900-dead.parquet").write_bytes(b"PAR1 half")
    res = run_chunked(plan, N, str(out), chunk_size=100, resume=True)
    _same(out, reference)
    assert res.summary["trials"] == N
    assert not list(chunks.glob(".tmp-*"))
    assert len(list(chunks.glob("chunk_*.parquet"))) == 11


def test_ctrl_c_keeps_chunks_and_resume_completes(plan, reference, tmp_path):
    out = str(tmp_path / "out")
    calls = []
    # a user's terminal process has Python's default SIGINT handler. A suite started as a
    # background job of a non-interactive shell (`make test &` in a script) inherits
    # SIGINT ignored, Python then installs no handler, and the real signal below would be
    # ignored: the test sets the default handler, and says what it found
    found = signal.signal(signal.SIGINT, signal.default_int_handler)
    if found is not signal.default_int_handler:
        warnings.warn(f"SIGINT handler before this test was {found!r}; reset to the default",
                      stacklevel=1)

    def progress(done, total):
        calls.append(done)
        if len(calls) == 3:  # two chunks written: a real SIGINT, as a terminal's Ctrl-C sends
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(5)

    with pytest.raises(RunInterrupted) as info:
        run_chunked(plan, N, out, chunk_size=200, workers=2, progress=progress)
    assert "--resume" in info.value.message and "\n" not in info.value.message
    saved = list((tmp_path / "out" / "chunks").glob("chunk_*.parquet"))
    assert 2 <= len(saved) < 6 and info.value.chunks_done == len(saved)
    with pytest.raises(ConfigError, match="unfinished run"):
        run_chunked(plan, N, out, chunk_size=200)  # forgetting --resume does not discard the work
    run_chunked(plan, N, out, chunk_size=200, resume=True)
    _same(out, reference)


def test_full_disk_mid_write_then_resume(plan, reference, tmp_path, monkeypatch):
    import msrsim.campaign.runner as runner

    real = os.fsync
    calls = []

    def fsync(fd):
        calls.append(fd)
        if len(calls) == 3:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(fd)

    monkeypatch.setattr(runner.os, "fsync", fsync)
    out = tmp_path / "out"
    with pytest.raises(ChunkWriteError, match="No space left on device.*--resume") as info:
        run_chunked(plan, N, str(out), chunk_size=400)
    assert "\n" not in str(info.value)
    assert not list((out / "chunks").glob(".tmp-*"))
    assert len(list((out / "chunks").glob("chunk_*.parquet"))) == 2
    monkeypatch.setattr(runner.os, "fsync", real)
    run_chunked(plan, N, str(out), chunk_size=400, resume=True)
    _same(out, reference)


def test_resume_refuses_another_seed_configuration_or_chunk_size(plan, tmp_path):
    out = str(tmp_path / "out")
    run_chunked(plan, 60, out, chunk_size=30)
    with pytest.raises(ConfigError, match=r"seed: saved 1, now 2"):
        run_chunked(dataclasses.replace(plan, seed=2), 60, out, chunk_size=30, resume=True)
    other = plan.architecture.model_copy(
        update={"surface": plan.architecture.surface.model_copy(update={"helicopters": 1})}
    )
    with pytest.raises(ConfigError, match=r"architecture\.surface\.helicopters: saved 2, now 1"):
        run_chunked(dataclasses.replace(plan, architecture=other), 60, out, chunk_size=30, resume=True)
    with pytest.raises(ConfigError, match=r"chunk_size: saved 30, now 20"):
        run_chunked(plan, 60, out, chunk_size=20, resume=True)
    # a finished run is simply run again without --resume
    before = _hashes(out)
    run_chunked(plan, 60, out, chunk_size=20)
    assert _hashes(out) == before


def test_bad_backend_input_is_one_line(tmp_path):
    with pytest.raises(ConfigError, match=r"--workers=-1 must be an integer >= 0"):
        open_backend(workers=-1)
    t0 = time.monotonic()
    with pytest.raises(ConfigError, match=r"--scheduler='tcp://127\.0\.0\.1:9': no Dask scheduler answered"):
        open_backend(scheduler="tcp://127.0.0.1:9")
    assert time.monotonic() - t0 < 10.0


def test_vary_parsing_and_bad_paths():
    assert parse_vary("surface.helicopters=0,1,2").values == (0, 1, 2)
    assert parse_vary("risk.edl.p=0.05:0.25:5").values == pytest.approx((0.05, 0.1, 0.15, 0.2, 0.25))
    assert parse_vary("surface.helicopters=0:4:3").values == (0, 2, 4)
    assert parse_vary("lander.power=solar,rtg").values == ("solar", "rtg")
    dates = parse_vary("earth_to_mars.SRL.depart_range_utc=2028-06-01:2029-02-28")
    assert dates.values == ("2028-06-01:2029-02-28",)
    for bad, msg in (
        ("surface.helicopters=1:0:0", "is empty"),
        ("surface.helicopters=", "empty"),
        ("surface.helicopters", "PATH=V1"),
        ("=1,2", "no field path"),
        ("surface.helicopters=1,1", "twice"),
    ):
        with pytest.raises(ConfigError, match=msg):
            parse_vary(bad)
    base = load_architecture("baseline_2022")
    for bad, msg in (
        ("mav.payload_kg=1,2", r"'mav\.payload_kg' does not exist.*allowed: preset, max_os_wait_days"),
        ("earth_to_mars.MAV.step_days=1,2", "vehicles: ero, srl"),
        ("earth_to_mars.5.step_days=1", r"outside 0\.\.1"),
        ("surface.helicopters.count=1", "below a value"),
        ("surface.helicopters=-1,2", r"'surface\.helicopters' must be >= 0 \(got -1\)"),
    ):
        with pytest.raises(ConfigError, match=msg):
            sweep_variants(base, [parse_vary(bad)])
    variants = sweep_variants(base, [parse_vary("earth_to_mars.srl.c3_max_km2_s2=12,14")])
    assert [a.earth_to_mars[1].c3_max_km2_s2 for _, a in variants] == [12, 14]
    assert plan_key(variants[0][1]) != plan_key(variants[1][1])  # a leg change needs its own plan
    eng = sweep_variants(base, [parse_vary("surface.helicopters=0,2"), parse_vary("risk.edl.p=0.1,0.2")])
    assert len(eng) == 4 and len({plan_key(a) for _, a in eng}) == 1


def test_plan_fields_cover_what_build_plan_reads():
    """Every ``arch.<section>.<field>`` that build_plan and the ERO cruise/Mars-phase planning
    read (found in their source) is in PLAN_FIELDS, so a sweep over it builds its own plan;
    the ERO's cruise fields each give their own plan key, and an engine-only field does not."""
    import inspect
    import re

    from msrsim.campaign import mission, plan
    from msrsim.campaign.architecture import Architecture
    from msrsim.campaign.sweep import PLAN_FIELDS

    src = inspect.getsource(plan) + inspect.getsource(mission)
    read = set(re.findall(r"\barch(?:_j)?\.([a-z_]+)\.([a-z_]+)\b", src))
    covered = {tuple(f.split(".")[:2]) for f in PLAN_FIELDS if "." in f} | {(f, "") for f in PLAN_FIELDS}
    fields = Architecture.model_fields
    missing = []
    for section, name in read:
        model = fields[section].annotation if section in fields else None
        if model is None or not hasattr(model, "model_fields") or name not in model.model_fields:
            continue  # a method or property (cruise_model: derived from cruise and propulsion)
        if (section, name) not in covered and (section, "") not in covered:
            missing.append(f"{section}.{name}")
    assert not missing, missing
    assert {"ero.cruise", "ero.propulsion", "ero.ep_engine_count", "ero.cruise_arrival"} <= set(PLAN_FIELDS)
    base = load_architecture("baseline_2022")
    for path, values in (("ero.cruise", "auto,ballistic"), ("ero.propulsion", "electric,chemical"),
                         ("ero.ep_engine_count", "2,4"), ("ero.cruise_arrival", "max_mass,earliest_return"),
                         ("ero.chemical_trim_days", "20,30")):
        pair = sweep_variants(base, [parse_vary(f"{path}={values}")])
        assert plan_key(pair[0][1]) != plan_key(pair[1][1]), path
    same = sweep_variants(base, [parse_vary("ero.max_mars_stay_days=1200,1500")])
    assert plan_key(same[0][1]) == plan_key(same[1][1])


def test_sweep_common_random_numbers_and_point_by_point_resume(plan, tmp_path):
    base = plan.architecture
    varies = [parse_vary("surface.helicopters=0,2"), parse_vary("risk.edl.p=0.0,0.5")]
    built = []

    def build(arch, seed):
        built.append(arch)
        return dataclasses.replace(plan, architecture=arch, seed=seed)

    out = str(tmp_path / "sweep")
    backend = open_backend(1)
    n = 300
    res = run_sweep(base, varies, n, out, backend=backend, chunk_size=128, build=build)
    assert len(built) == 1  # engine-only fields: one plan for the four variants
    table = pq.read_table(os.path.join(out, "sweep.parquet"))
    assert table.num_rows == 4
    assert b"common random numbers" in table.schema.metadata[b"msrsim.common_random_numbers"]
    rows = table.to_pylist()
    for (values, arch), row in zip(sweep_variants(base, varies), rows, strict=True):
        assert (row["surface.helicopters"], row["risk.edl.p"]) == values
        direct = simulate_trials(dataclasses.replace(plan, architecture=arch, selection_cache={}), 0, n)
        assert row["p_success"] == pytest.approx(np.mean(direct["outcome_code"] == 0), abs=1e-6)
    # common random numbers: the slips and the epistemic priors of trial i are the same in
    # every variant; with EDL p = 0.5 exactly the trials whose EDL draw is below 0.5 fail it
    tabs = [pq.read_table(os.path.join(out, "variants", f"v{i:03d}", "trials.parquet")) for i in range(4)]
    for t in tabs[1:]:
        assert t.column("ero_slip_days").equals(tabs[0].column("ero_slip_days"))
        assert t.column("p_launch").equals(tabs[0].column("p_launch"))
    edl0 = np.asarray(tabs[0].column("outcome").to_pylist()) == "lander EDL"
    edl1 = np.asarray(tabs[1].column("outcome").to_pylist()) == "lander EDL"
    assert not edl0.any() and edl1.any()
    # an EDL failure with p = 0.5 is a trial that, with p = 0, failed no earlier (same draws up to EDL)
    t_fail0 = tabs[0].column("failure_tdb_s").to_numpy()
    t_fail1 = tabs[1].column("failure_tdb_s").to_numpy()
    assert not np.any((t_fail0 < t_fail1)[edl1])
    # about half of the landers reaching EDL fail it (binomial, n ~ 100: 0.5 +- 0.15 is > 3 sigma)
    landed1 = np.isfinite(tabs[1].column("lander_landing_tdb_s").to_numpy())
    assert 0.35 < edl1.sum() / (edl1.sum() + landed1.sum()) < 0.65
    assert os.path.isfile(os.path.join(out, "sweep.png"))
    # resume: one variant lost its outputs and a chunk; only that is recomputed
    before = _sha(os.path.join(out, "sweep.parquet"))
    v2 = os.path.join(out, "variants", "v002")
    os.remove(os.path.join(v2, "results.json"))
    os.remove(os.path.join(v2, "chunks", "complete.json"))
    chunk_files = sorted(p for p in os.listdir(os.path.join(v2, "chunks")) if p.startswith("chunk_"))
    os.remove(os.path.join(v2, "chunks", chunk_files[1]))
    ran = []
    run_sweep(
        base,
        varies,
        n,
        out,
        backend=backend,
        chunk_size=128,
        build=build,
        resume=True,
        progress=lambda done, total: ran.append(done),
    )
    assert ran[0] == 4 * n - 128 and ran[-1] == 4 * n
    assert _sha(os.path.join(out, "sweep.parquet")) == before
    assert res.rows[0]["variant"] == "v000"
    with pytest.raises(ConfigError, match=r"seed: saved 1, now 3"):
        run_sweep(base, varies, n, out, backend=backend, chunk_size=128, build=build, resume=True, seed=3)


def test_cli_run_and_sweep(plan, tmp_path, monkeypatch, capsys):
    import msrsim.campaign.architecture as architecture
    import msrsim.campaign.plan as plan_module
    import msrsim.campaign.runner as runner
    from msrsim.cli import main

    # the launch windows and the plan of this architecture are already computed (fixture)
    monkeypatch.setattr(architecture, "analyse_windows", lambda arch, eph=None: plan.windows[0])
    monkeypatch.setattr(
        plan_module,
        "build_plan",
        lambda arch, seed=1, windows=None, ephemeris_path=None: dataclasses.replace(
            plan, architecture=arch, seed=seed
        ),
    )
    cfg = tmp_path / "small.yaml"
    cfg.write_text(yaml.safe_dump(_small_arch_dict(), sort_keys=False))
    out = tmp_path / "run"
    args = [
        "run",
        "--config",
        str(cfg),
        "--trials",
        "300",
        "--chunk-size",
        "128",
        "--sensitivity-trials",
        "0",
        "--out",
        str(out),
        "--json",
    ]
    assert main(args) == 0
    printed = json.loads(capsys.readouterr().out)
    with open(out / "results.json", encoding="utf-8") as fh:
        assert printed == json.load(fh)
    assert printed["trials"] == 300 and (out / "report.html").is_file()

    def interrupted(*a, **k):
        raise RunInterrupted(
            "interrupted: 1 of 3 chunks are saved; rerun the same command with --resume", 1, 3
        )

    monkeypatch.setattr(runner, "run_chunked", interrupted)
    assert main(args[:-1] + ["--quiet"]) == 130
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--resume" in err[0]
    assert (
        main(
            [
                "sweep",
                "--config",
                str(cfg),
                "--vary",
                "surface.helicopters=1,2",
                "--trials",
                "50",
                "--out",
                str(tmp_path / "sw"),
                "--json",
            ]
        )
        == 0
    )
    sw = json.loads(capsys.readouterr().out)
    assert [r["surface.helicopters"] for r in sw["rows"]] == [1, 2] and "common random numbers" in sw[
        "method"
    ]
    assert (
        main(["sweep", "--config", str(cfg), "--vary", "mav.payload_kg=1,2", "--out", str(tmp_path / "x")])
        == 2
    )
    assert "'mav.payload_kg' does not exist" in capsys.readouterr().err
