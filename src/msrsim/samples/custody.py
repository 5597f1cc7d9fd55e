"""Tamper-evident chain of custody for every tube: an append-only, hash-chained SQLite ledger.

Each event row carries ``hash = SHA-256(canonical JSON of the event, its sequence number
and the previous event's hash)``. Editing, deleting, inserting or reordering any event
breaks the chain at that event, and :meth:`Ledger.verify` names the first broken link.
Removing events from the *end* leaves a valid shorter chain: keep the head hash that
:meth:`Ledger.verify` reports somewhere else and pass it back as ``expect_head``.

Durability: WAL journal, ``synchronous=FULL``, each :meth:`Ledger.append_many` is one
``BEGIN IMMEDIATE`` transaction, so a writer killed at any instant leaves every committed
batch and nothing of the interrupted one; readers never block the writer. SQLite triggers
refuse UPDATE and DELETE on events (the hash chain catches whoever drops them).

Event kinds follow the custody order of a sample return; each tube's stream (real
history, or one simulated run) must follow the legal transitions in :data:`TRANSITIONS`.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import ConfigError, DataError
from ..marstime import perseverance_clock
from ..timescales import tdb_to_utc
from .catalogue import load_catalogue

FORMAT = "msrsim-custody-1"
GENESIS_HASH = "0" * 64
DEFAULT_PATH = Path("out") / "custody.sqlite"
ENV_PATH = "MSRSIM_CUSTODY_DB"

KINDS = ("cored", "sealed", "deposited", "picked_up", "handed_to_lander", "loaded_into_os", "launched",
         "captured", "contained", "landed", "received", "lost")
# Legal predecessors of each kind within one tube's stream (None: the stream's first event)
TRANSITIONS: dict[str, tuple[str | None, ...]] = {
    "cored": (None,),
    "sealed": (None, "cored"),
    "deposited": ("sealed", "cored"),
    "picked_up": ("deposited",),
    "handed_to_lander": ("sealed", "cored", "picked_up"),
    "loaded_into_os": ("handed_to_lander",),
    "launched": ("loaded_into_os",),
    "captured": ("launched",),
    "contained": ("captured",),
    "landed": ("contained",),
    "received": ("landed",),
    "lost": (None, "cored", "sealed", "deposited", "picked_up", "handed_to_lander", "loaded_into_os",
             "launched", "captured", "contained", "landed"),
}
ORIGINS = ("actual", "simulated")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS events (
    seq INTEGER PRIMARY KEY,
    tube_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    t_tdb_s REAL NOT NULL,
    utc TEXT NOT NULL,
    location TEXT NOT NULL,
    actor TEXT NOT NULL,
    origin TEXT NOT NULL,
    run TEXT NOT NULL,
    details TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS events_tube ON events (tube_id, run);
CREATE TRIGGER IF NOT EXISTS events_no_update BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, 'custody ledger is append-only: UPDATE refused'); END;
CREATE TRIGGER IF NOT EXISTS events_no_delete BEFORE DELETE ON events
BEGIN SELECT RAISE(ABORT, 'custody ledger is append-only: DELETE refused'); END;
"""
_COLS = "seq, tube_id, kind, t_tdb_s, utc, location, actor, origin, run, details, prev_hash, hash"


@dataclass(frozen=True)
class CustodyEvent:
    """One custody event.

    Parameters
    ----------
    tube_id : str
        Tube identifier (catalogue ``tube_id``, e.g. ``S25``).
    kind : str
        One of :data:`KINDS`.
    t_tdb_s : float
        Epoch, TDB seconds past J2000.
    location : str
        Where the tube is after the event (``rover``, ``Three Forks depot``, ``OS``...).
    actor : str
        Who holds or acts on it (``Perseverance``, ``SRL``, ``MAV``, ``ERO``, ``EES``...).
    origin : str
        ``actual`` (real history) or ``simulated``.
    run : str
        Simulated run / trial label; empty for actual history.
    details : dict
        Free JSON-serialisable details (sol, source, time basis...).
    """

    tube_id: str
    kind: str
    t_tdb_s: float
    location: str
    actor: str
    origin: str = "simulated"
    run: str = ""
    details: dict = field(default_factory=dict)

    def validated(self) -> CustodyEvent:
        if not isinstance(self.tube_id, str) or not self.tube_id.strip():
            raise ConfigError(f"tube_id={self.tube_id!r} must be a non-empty string")
        if self.kind not in KINDS:
            raise ConfigError(f"kind={self.kind!r} is unknown; allowed: {', '.join(KINDS)}")
        if self.origin not in ORIGINS:
            raise ConfigError(f"origin={self.origin!r} is unknown; allowed: {', '.join(ORIGINS)}")
        try:
            t = float(self.t_tdb_s)
        except (TypeError, ValueError):
            raise ConfigError(f"t_tdb_s={self.t_tdb_s!r} is not a number of TDB seconds") from None
        if not math.isfinite(t):
            raise ConfigError(f"t_tdb_s={self.t_tdb_s!r} must be finite (TDB seconds past J2000)")
        if self.origin == "actual" and self.run:
            raise ConfigError(f"run={self.run!r}: actual history has no run label")
        if not isinstance(self.details, dict):
            raise ConfigError(f"details={self.details!r} must be a JSON object (dict)")
        return self


def _canonical(obj) -> str:
    try:
        return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"details are not plain JSON: {exc}") from None


def event_hash(seq: int, e: dict, prev_hash: str) -> str:
    """SHA-256 (hex) of an event's canonical JSON including ``seq`` and ``prev_hash``.

    Parameters
    ----------
    seq : int
        Position of the event in the ledger (1-based).
    e : dict
        Event fields ``tube_id, kind, t_tdb_s, utc, location, actor, origin, run, details``
        (``details`` as a dict).
    prev_hash : str
        Hash of event ``seq - 1`` (:data:`GENESIS_HASH` for the first).
    """
    body = {k: e[k] for k in ("tube_id", "kind", "t_tdb_s", "utc", "location", "actor", "origin", "run",
                              "details")}
    body["seq"] = int(seq)
    body["prev_hash"] = prev_hash
    body["format"] = FORMAT
    return hashlib.sha256(_canonical(body).encode("utf-8")).hexdigest()


@dataclass
class VerifyReport:
    """Outcome of :meth:`Ledger.verify`.

    Attributes
    ----------
    ok : bool
        Chain intact (and head as expected, and every stream legal when checked).
    n_events : int
    head_hash : str
        Hash of the last event (:data:`GENESIS_HASH` when empty): record it elsewhere.
    first_broken_seq : int or None
        First event whose link fails.
    problem : str
        One line saying what is wrong ("" when ok).
    transition_problems : list of str
        Illegal custody transitions (a valid chain can still record an illegal story).
    """

    ok: bool
    n_events: int
    head_hash: str
    first_broken_seq: int | None = None
    problem: str = ""
    transition_problems: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"ok": self.ok, "n_events": self.n_events, "head_hash": self.head_hash,
                "first_broken_seq": self.first_broken_seq, "problem": self.problem,
                "transition_problems": list(self.transition_problems)}


def default_path() -> Path:
    """Ledger path: ``$MSRSIM_CUSTODY_DB`` if set, else ``out/custody.sqlite``."""
    env = os.environ.get(ENV_PATH)
    return Path(env) if env else DEFAULT_PATH


class Ledger:
    """A custody ledger in one SQLite file.

    Parameters
    ----------
    path : str or Path, optional
        Database file (default :func:`default_path`).
    create : bool
        Create the file (and parent folder) if missing; otherwise a missing file is a
        :class:`ConfigError`.

    Examples
    --------
    >>> with Ledger("out/custody.sqlite", create=True) as led:   # doctest: +SKIP
    ...     led.append_many(events)
    ...     report = led.verify()
    """

    def __init__(self, path: str | Path | None = None, create: bool = False):
        self.path = Path(path) if path is not None else default_path()
        if not self.path.exists():
            if not create:
                raise ConfigError(f"db={str(self.path)!r} does not exist; run `msrsim custody init` first")
            self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._con = sqlite3.connect(str(self.path), timeout=30.0, isolation_level=None)
            self._con.execute("PRAGMA journal_mode=WAL")
            self._con.execute("PRAGMA synchronous=FULL")
            fmt = None
            has_meta = self._con.execute(
                "SELECT 1 FROM sqlite_master WHERE type='table' AND name='meta'").fetchone()
            if has_meta:
                row = self._con.execute("SELECT value FROM meta WHERE key='format'").fetchone()
                fmt = row[0] if row else None
            if fmt is None:
                if not create and has_meta:
                    raise DataError(f"db={str(self.path)!r} is not an msrsim custody ledger")
                self._con.executescript(_SCHEMA)
                self._con.execute("INSERT OR IGNORE INTO meta VALUES ('format', ?)", (FORMAT,))
            elif fmt != FORMAT:
                raise DataError(f"db={str(self.path)!r} has ledger format {fmt!r}; expected {FORMAT!r}")
        except sqlite3.DatabaseError as exc:
            raise DataError(f"db={str(self.path)!r} is not a readable SQLite ledger: {exc}") from None

    # context manager -------------------------------------------------------------------
    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection."""
        self._con.close()

    # writing ------------------------------------------------------------------------------
    def append(self, event: CustodyEvent) -> int:
        """Append one event; returns its sequence number."""
        return self.append_many([event])[0]

    def append_many(self, events: Iterable[CustodyEvent], check_transitions: bool = True) -> list[int]:
        """Append many events in one transaction (all or none), chaining their hashes.

        Parameters
        ----------
        events : iterable of CustodyEvent
            In chronological order per tube.
        check_transitions : bool
            Refuse an event that breaks its tube's custody order (:data:`TRANSITIONS`).

        Returns
        -------
        list of int
            Sequence numbers assigned.

        Raises
        ------
        ConfigError
            Invalid event or illegal transition (nothing is written).
        """
        evs = [e.validated() for e in events]
        if not evs:
            return []
        utcs = tdb_to_utc([e.t_tdb_s for e in evs], "seconds")
        con = self._con
        con.execute("BEGIN IMMEDIATE")
        try:
            head = con.execute("SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1").fetchone()
            seq, prev = (head[0], head[1]) if head else (0, GENESIS_HASH)
            if check_transitions:
                self._check_transitions(evs)
            rows = []
            for e, utc in zip(evs, utcs, strict=True):
                seq += 1
                d = {"tube_id": e.tube_id, "kind": e.kind, "t_tdb_s": float(e.t_tdb_s), "utc": utc,
                     "location": e.location, "actor": e.actor, "origin": e.origin, "run": e.run,
                     "details": e.details}
                h = event_hash(seq, d, prev)
                rows.append((seq, e.tube_id, e.kind, float(e.t_tdb_s), utc, e.location, e.actor, e.origin,
                             e.run, _canonical(e.details), prev, h))
                prev = h
            con.executemany(f"INSERT INTO events ({_COLS}) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", rows)
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        return [r[0] for r in rows]

    def _last_states(self, keys: set[tuple[str, str]]) -> dict[tuple[str, str], tuple[str, float]]:
        out = {}
        for tube, run in keys:
            row = self._con.execute(
                "SELECT kind, t_tdb_s FROM events WHERE tube_id=? AND run=? ORDER BY seq DESC LIMIT 1",
                (tube, run)).fetchone()
            if row is None and run:
                row = self._con.execute(
                    "SELECT kind, t_tdb_s FROM events WHERE tube_id=? AND run='' ORDER BY seq DESC LIMIT 1",
                    (tube,)).fetchone()
            if row is not None:
                out[(tube, run)] = (row[0], row[1])
        return out

    def _check_transitions(self, evs: list[CustodyEvent]) -> None:
        state = self._last_states({(e.tube_id, e.run) for e in evs})
        for e in evs:
            key = (e.tube_id, e.run)
            last = state.get(key)
            prev_kind = last[0] if last else None
            if prev_kind not in TRANSITIONS[e.kind]:
                allowed = " or ".join("start" if k is None else k for k in TRANSITIONS[e.kind])
                raise ConfigError(f"kind={e.kind!r} for tube {e.tube_id}{' run ' + e.run if e.run else ''} "
                                  f"cannot follow {prev_kind or 'nothing'}; it must follow {allowed}")
            if last and e.t_tdb_s < last[1]:
                raise ConfigError(f"t_tdb_s={e.t_tdb_s!r} for tube {e.tube_id} {e.kind} is earlier than its "
                                  f"previous event ({last[1]!r}); events must be chronological per tube")
            state[key] = (e.kind, e.t_tdb_s)

    # reading ------------------------------------------------------------------------------
    def __len__(self) -> int:
        return int(self._con.execute("SELECT COUNT(*) FROM events").fetchone()[0])

    def events(self, tube_id: str | None = None, run: str | None = None,
               limit: int | None = None) -> list[dict]:
        """Events in ledger order as dicts (the stable ``custody log --json`` records).

        Parameters
        ----------
        tube_id : str, optional
        run : str, optional
            ``""`` for actual history only.
        limit : int, optional
            Return only the last ``limit`` matching events.
        """
        where, args = [], []
        if tube_id is not None:
            where.append("tube_id=?")
            args.append(tube_id)
        if run is not None:
            where.append("run=?")
            args.append(run)
        sql = f"SELECT {_COLS} FROM events" + (" WHERE " + " AND ".join(where) if where else "")
        sql += " ORDER BY seq"
        if limit is not None:
            inner = sql[: -len(" ORDER BY seq")]
            sql = f"SELECT * FROM ({inner} ORDER BY seq DESC LIMIT {int(limit)}) ORDER BY seq"
        keys = _COLS.split(", ")
        out = []
        for row in self._con.execute(sql, args):
            d = dict(zip(keys, row, strict=True))
            d["details"] = json.loads(d["details"])
            out.append(d)
        return out

    def custody_state(self, run: str = "") -> dict[str, dict]:
        """Latest event of every tube in a stream (actual history by default)."""
        state: dict[str, dict] = {}
        for e in self.events(run=""):
            state[e["tube_id"]] = e
        if run:
            for e in self.events(run=run):
                state[e["tube_id"]] = e
        return state

    def verify(self, expect_head: str | None = None, check_transitions: bool = True) -> VerifyReport:
        """Recompute the hash chain and report the first broken link.

        Parameters
        ----------
        expect_head : str, optional
            Head hash recorded earlier; a different head means events were removed from
            the end, appended, or the ledger was replaced.
        check_transitions : bool
            Also replay every tube's stream through :data:`TRANSITIONS`.
        """
        prev = GENESIS_HASH
        n = 0
        keys = _COLS.split(", ")
        state: dict[tuple[str, str], str] = {}
        tproblems: list[str] = []
        cur = self._con.execute(f"SELECT {_COLS} FROM events ORDER BY seq")
        for row in cur:
            d = dict(zip(keys, row, strict=True))
            n += 1
            seq = d["seq"]
            if seq != n:
                return VerifyReport(False, n - 1, prev, n,
                                    f"event {n} is missing (next stored is {seq}): deleted or renumbered")
            if d["prev_hash"] != prev:
                return VerifyReport(False, n - 1, prev, seq,
                                    f"event {seq}: prev_hash does not match the hash of event {seq - 1} "
                                    f"(an event before it was changed, removed or reordered)")
            try:
                d["details"] = json.loads(d["details"])
            except json.JSONDecodeError:
                return VerifyReport(False, n - 1, prev, seq,
                                    f"event {seq}: details are not valid JSON (modified)")
            if not isinstance(d["t_tdb_s"], float) or event_hash(seq, d, prev) != d["hash"]:
                return VerifyReport(False, n - 1, prev, seq,
                                    f"event {seq} ({d['tube_id']} {d['kind']}): content does not match "
                                    f"its hash (modified)")
            prev = d["hash"]
            if check_transitions:
                key = (d["tube_id"], d["run"])
                last = state.get(key, state.get((d["tube_id"], "")) if d["run"] else None)
                if d["kind"] not in TRANSITIONS or last not in TRANSITIONS[d["kind"]]:
                    tproblems.append(f"event {seq}: {d['tube_id']} {d['kind']} after {last or 'nothing'}")
                state[key] = d["kind"]
        rep = VerifyReport(True, n, prev, transition_problems=tproblems)
        if expect_head is not None and expect_head != prev:
            rep.ok = False
            rep.first_broken_seq = n + 1 if n else 1
            rep.problem = (f"head hash {prev[:16]}... differs from the expected {expect_head[:16]}...: "
                           f"events were removed from the end, added, or the ledger was replaced")
        elif tproblems:
            rep.ok = False
            rep.problem = f"{len(tproblems)} illegal custody transition(s), first: {tproblems[0]}"
        return rep


def history_events(catalogue=None) -> tuple[list[CustodyEvent], list[str]]:
    """The real custody history to date, from the catalogue.

    Coring and sealing on their published sols, the ten depot drops at Three Forks
    (sol 653 first, sol 690 last; drops whose sol is unpublished are dated at the end of
    the depot campaign, sol 690, and say so in ``details``). Times are local noon of the
    sol at Jezero unless stated, because the sources give sols, not times.

    Returns
    -------
    (list of CustodyEvent, list of str)
        Events in chronological order, and notes on tubes that could not be dated.
    """
    cat = catalogue or load_catalogue()
    clock = perseverance_clock()
    raw, skipped = [], []
    for t in cat.filled():
        src = {"source": "perseverance_samples_source.csv (NASA/JPL, PDS)", "confidence": t.confidence,
               "time_basis": "local mean noon of the published sol"}
        if t.coring_sol is not None and (t.sealed is False or (t.sealed_sol is not None
                                                             and t.coring_sol != t.sealed_sol)):
            raw.append((t.coring_sol, 0, t, "cored", "rover", {**src, "sol": t.coring_sol}))
        if t.sealed and t.sealed_sol is not None:
            raw.append((t.sealed_sol, 1, t, "sealed", "rover", {**src, "sol": t.sealed_sol}))
        elif t.sealed is None or (t.sealed and t.sealed_sol is None):
            skipped.append(f"{t.tube_id} {t.name!r}: no published sol; no event recorded")
            continue
        if t.location == "depot":
            lo, hi = t.depot_drop_sol_min, t.depot_drop_sol_max
            det = {**src, "sol": hi}
            if lo != hi:
                det.update(sol_min=lo, sol_max=hi,
                           time_basis="drop sol unpublished: dated at the end of the depot campaign (sol "
                                      f"{hi}); true drop in sols {lo}-{hi}")
            raw.append((hi, 2, t, "deposited", "Three Forks depot", det))
    raw.sort(key=lambda r: (r[0], r[1], r[2].tube_id))
    sols = [r[0] for r in raw]
    times = clock.to_tdb(sols, 12.0) if sols else []
    events = [CustodyEvent(t.tube_id, kind, float(tt), loc, "Perseverance", "actual", "", det)
              for (_, _, t, kind, loc, det), tt in zip(raw, times, strict=True)]
    return events, skipped


def init_ledger(path: str | Path | None = None, force: bool = False,
                seed: bool = True) -> tuple[Ledger, list[str]]:
    """Create a ledger seeded with the real history.

    Parameters
    ----------
    path : str or Path, optional
        Default :func:`default_path`.
    force : bool
        Replace an existing ledger file (its events are lost).
    seed : bool
        Write the real history (:func:`history_events`).

    Returns
    -------
    (Ledger, list of str)
        Open ledger and notes on tubes not seeded.
    """
    p = Path(path) if path is not None else default_path()
    if p.exists():
        if not force:
            raise ConfigError(f"db={str(p)!r} already exists; pass --force to replace it")
        for suffix in ("", "-wal", "-shm"):
            q = Path(str(p) + suffix)
            if q.exists():
                q.unlink()
    led = Ledger(p, create=True)
    notes: list[str] = []
    if seed:
        evs, notes = history_events()
        led.append_many(evs)
    return led, notes
