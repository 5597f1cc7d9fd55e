"""Custody ledger: seeded history, tamper detection, crash safety, transitions, CLI."""

import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from msrsim.cli import main
from msrsim.errors import ConfigError
from msrsim.marstime import perseverance_clock
from msrsim.samples.custody import KINDS, CustodyEvent, Ledger, init_ledger


@pytest.fixture()
def seeded(tmp_path):
    led, notes = init_ledger(tmp_path / "c.sqlite")
    yield led, notes
    led.close()


def _raw(path):
    con = sqlite3.connect(str(path), isolation_level=None)
    con.execute("DROP TRIGGER events_no_update")
    con.execute("DROP TRIGGER events_no_delete")
    return con


def test_seeded_history_matches_the_catalogue(seeded):
    led, notes = seeded
    rep = led.verify()
    assert rep.ok and rep.problem == ""
    evs = led.events()
    # 31 sealed tubes (33 filled minus Bell Island unsealed, minus inferred sample 30),
    # 10 depot drops (PIA25682), cored events where coring and sealing sols differ or unsealed
    assert sum(e["kind"] == "sealed" for e in evs) == 31
    dep = [e for e in evs if e["kind"] == "deposited"]
    assert len(dep) == 10 and all(e["location"] == "Three Forks depot" for e in dep)
    malay = [e for e in dep if e["tube_id"] == "S07"][0]
    assert malay["utc"].startswith("2022-12-21") and malay["details"]["sol"] == 653  # NASA: sol 653
    w3 = [e for e in dep if e["tube_id"] == "W3"][0]
    assert w3["utc"].startswith("2023-01-28")  # NASA: last drop sol 690, 2023-01-28
    assert [e["kind"] for e in led.events(tube_id="S29")] == ["cored"]  # Bell Island unsealed
    assert any("S30" in n for n in notes)
    times = [e["t_tdb_s"] for e in evs]
    assert times == sorted(times)
    assert all(e["origin"] == "actual" and e["run"] == "" for e in evs)


def test_append_only_triggers(seeded):
    led, _ = seeded
    con = sqlite3.connect(str(led.path))
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        con.execute("UPDATE events SET location='x' WHERE seq=3")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        con.execute("DELETE FROM events WHERE seq=3")
    con.close()


def test_detects_modified_event(seeded):
    led, _ = seeded
    con = _raw(led.path)
    con.execute("UPDATE events SET location='Jezero rim' WHERE seq=10")
    rep = led.verify()
    assert not rep.ok and rep.first_broken_seq == 10 and "modified" in rep.problem
    assert rep.n_events == 9


def test_detects_modified_time_and_details(seeded):
    led, _ = seeded
    con = _raw(led.path)
    con.execute("UPDATE events SET t_tdb_s = t_tdb_s + 1e-6 WHERE seq=20")
    assert led.verify().first_broken_seq == 20
    con.execute("UPDATE events SET t_tdb_s = t_tdb_s - 1e-6 WHERE seq=20")
    con.execute("UPDATE events SET details = replace(details, '\"sol\":', '\"sol\": ') WHERE seq=5")
    # whitespace in the stored JSON is not content: the hash covers the canonical form
    assert led.verify().ok
    con.execute("UPDATE events SET details = replace(details, 'NASA', 'ESA') WHERE seq=6")
    assert led.verify().first_broken_seq == 6


def test_detects_deleted_event(seeded):
    led, _ = seeded
    con = _raw(led.path)
    con.execute("DELETE FROM events WHERE seq=12")
    rep = led.verify()
    assert not rep.ok and rep.first_broken_seq == 12 and "missing" in rep.problem


def test_detects_deleted_and_renumbered(seeded):
    led, _ = seeded
    con = _raw(led.path)
    con.execute("DELETE FROM events WHERE seq=12")
    con.execute("UPDATE events SET seq = seq - 1 WHERE seq > 12")
    rep = led.verify()
    assert not rep.ok and rep.first_broken_seq == 12


def test_detects_reordered_events(seeded):
    led, _ = seeded
    con = _raw(led.path)
    cols = "tube_id, kind, t_tdb_s, utc, location, actor, origin, run, details, prev_hash, hash"
    a = con.execute(f"SELECT {cols} FROM events WHERE seq=15").fetchone()
    b = con.execute(f"SELECT {cols} FROM events WHERE seq=16").fetchone()
    sets = ", ".join(f"{c}=?" for c in cols.split(", "))
    con.execute(f"UPDATE events SET {sets} WHERE seq=15", b)
    con.execute(f"UPDATE events SET {sets} WHERE seq=16", a)
    rep = led.verify()
    assert not rep.ok and rep.first_broken_seq == 15


def test_truncation_needs_the_recorded_head(seeded):
    led, _ = seeded
    head = led.verify().head_hash
    con = _raw(led.path)
    con.execute("DELETE FROM events WHERE seq=(SELECT MAX(seq) FROM events)")
    assert led.verify().ok  # a shorter chain is still a chain...
    rep = led.verify(expect_head=head)
    assert not rep.ok and "removed from the end" in rep.problem  # ...but not the recorded one


def _campaign(run, t0):
    day = 86400.0
    steps = [("picked_up", "SRL lander deck", "Perseverance"), ("handed_to_lander", "SRL", "SRL arm"),
             ("loaded_into_os", "OS", "SRL"), ("launched", "MAV", "MAV"), ("captured", "ERO", "ERO"),
             ("contained", "EES", "ERO"), ("landed", "UTTR", "EES"),
             ("received", "SRF", "receiving facility")]
    return [CustodyEvent("S07", k, t0 + i * 30 * day, loc, actor, "simulated", run, {"trial": 1})
            for i, (k, loc, actor) in enumerate(steps)]


def test_simulated_campaign_appends_in_one_transaction(seeded):
    led, _ = seeded
    n0 = len(led)
    t0 = perseverance_clock().to_tdb(3000)
    seqs = led.append_many(_campaign("trial-1", t0) + _campaign("trial-2", t0 + 86400))
    assert seqs == list(range(n0 + 1, n0 + 17))
    assert led.verify().ok
    assert led.custody_state("trial-1")["S07"]["kind"] == "received"
    assert led.custody_state()["S07"]["kind"] == "deposited"  # real history unchanged


def test_illegal_transition_refused_and_batch_is_atomic(seeded):
    led, _ = seeded
    n0 = len(led)
    t0 = perseverance_clock().to_tdb(3000)
    good = _campaign("trial-9", t0)[:2]
    bad = CustodyEvent("S03", "launched", t0, "MAV", "MAV", "simulated", "trial-9")  # S03 was only sealed
    with pytest.raises(ConfigError, match="kind='launched' for tube S03 run trial-9 cannot follow sealed"):
        led.append_many(good + [bad])
    assert len(led) == n0  # nothing of the batch was written
    with pytest.raises(ConfigError, match="earlier than its previous event"):
        led.append(CustodyEvent("S07", "picked_up", 0.0, "x", "y", "simulated", "trial-9"))


def test_verify_flags_illegal_story_written_around_the_checks(seeded):
    led, _ = seeded
    t = perseverance_clock().to_tdb(3000)
    bad = CustodyEvent("S03", "received", t, "SRF", "x", "simulated", "r")
    led.append_many([bad], check_transitions=False)
    rep = led.verify()
    assert not rep.ok and rep.first_broken_seq is None and "illegal custody transition" in rep.problem


@settings(max_examples=25, deadline=None)
@given(kind=st.text(max_size=12).filter(lambda k: k not in KINDS),
       t=st.sampled_from([float("nan"), float("inf"), "soon"]))
def test_event_validator(kind, t):
    with pytest.raises(ConfigError, match="kind="):
        CustodyEvent("S01", kind, 0.0, "rover", "P").validated()
    with pytest.raises(ConfigError, match="t_tdb_s="):
        CustodyEvent("S01", "sealed", t, "rover", "P").validated()


def test_reader_is_not_blocked_by_an_open_write(tmp_path):
    led, _ = init_ledger(tmp_path / "c.sqlite")
    n = len(led)
    writer = sqlite3.connect(str(led.path), isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("INSERT INTO meta VALUES ('pending', 'x')")
    reader = Ledger(led.path)  # WAL: opens and reads while the write transaction is open
    assert len(reader) == n and reader.verify().ok
    writer.execute("ROLLBACK")
    reader.close()
    led.close()


_WRITER = textwrap.dedent("""
    import sys
    from msrsim.samples.custody import CustodyEvent, Ledger
    led = Ledger(sys.argv[1], create=True)
    k = 0
    while True:
        evs = []
        for i in range(40):
            k += 1
            evs.append(CustodyEvent(f"T{k}", "sealed", float(k), "rover", "writer", "simulated", "crash",
                                    {"pad": "x" * 200}))
        led.append_many(evs)
        print(len(led), flush=True)
""")


def test_killed_writer_leaves_a_valid_ledger(tmp_path):
    db = tmp_path / "crash.sqlite"
    proc = subprocess.Popen([sys.executable, "-c", _WRITER, str(db)], stdout=subprocess.PIPE, text=True)
    committed = []
    try:
        deadline = time.time() + 60
        while len(committed) < 5 and time.time() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            committed.append(int(line))
        time.sleep(0.05)  # let it get into the middle of another batch
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
        proc.stdout.close()
    assert len(committed) >= 5
    with Ledger(db) as led:
        rep = led.verify()
        assert rep.ok, rep.problem
        # every reported commit survived, and only whole batches exist
        assert rep.n_events >= committed[-1]
        assert rep.n_events % 40 == 0


def test_cli_init_verify_log_status(tmp_path, capsys):
    db = str(tmp_path / "l.sqlite")
    assert main(["custody", "init", "--db", db, "--json"]) == 0
    init = json.loads(capsys.readouterr().out)
    assert init["n_events"] > 40 and len(init["head_hash"]) == 64
    assert main(["custody", "verify", "--db", db, "--json", "--expect-head", init["head_hash"]]) == 0
    v = json.loads(capsys.readouterr().out)
    assert v["ok"] and v["first_broken_seq"] is None
    for key in ("ok", "n_events", "head_hash", "first_broken_seq", "problem", "transition_problems", "db"):
        assert key in v
    assert main(["custody", "log", "--db", db, "--tube", "Malay", "--json"]) == 0
    log = json.loads(capsys.readouterr().out)
    assert [e["kind"] for e in log["events"]] == ["sealed", "deposited"]
    assert main(["custody", "status", "--db", db, "--json"]) == 0
    st_ = json.loads(capsys.readouterr().out)
    assert st_["count"] == 32


def test_cli_verify_broken_exit_1_and_errors_exit_2(tmp_path, capsys):
    db = tmp_path / "l.sqlite"
    init_ledger(db)[0].close()
    con = _raw(db)
    con.execute("UPDATE events SET actor='someone else' WHERE seq=7")
    con.close()
    assert main(["custody", "verify", "--db", str(db)]) == 1
    err = capsys.readouterr().err
    assert "BROKEN at event 7" in err and err.count("\n") == 1
    assert main(["custody", "init", "--db", str(db)]) == 2  # exists, no --force
    assert "already exists; pass --force" in capsys.readouterr().err
    assert main(["custody", "verify", "--db", str(tmp_path / "missing.sqlite")]) == 2
    assert "does not exist" in capsys.readouterr().err
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"this is not sqlite" * 100)
    assert main(["custody", "verify", "--db", str(junk)]) == 2
    assert "not a readable SQLite ledger" in capsys.readouterr().err
