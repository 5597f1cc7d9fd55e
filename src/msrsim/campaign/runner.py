"""Chunked, resumable campaign runs: one core, local processes or a Dask cluster.

:func:`run_chunked` runs the trials of a :class:`~msrsim.campaign.plan.CampaignPlan` in
chunks of global trial indices. Each chunk is one call of
:func:`msrsim.campaign.engine.simulate_trials`, whose random numbers depend only on (seed,
phase, trial index) (:mod:`msrsim.rng`), so the trial table does not depend on
the chunk size, the number of workers or the order in which chunks finish.

Where chunks run (:func:`open_backend`):

* ``workers=1``: in this process;
* ``workers=N``: ``N`` local processes (:class:`concurrent.futures.ProcessPoolExecutor`,
  spawned); ``workers=0``: one per core. The plan is sent to each process once (pool
  initialiser) and reused for every chunk that process runs;
* ``scheduler=ADDRESS`` (or a :class:`dask.distributed.Client`): the workers of an existing
  Dask scheduler. The plan is scattered to every worker once (``broadcast=True``) and each
  chunk is a future; a worker that dies mid-chunk has its chunk rerun elsewhere by Dask's
  scheduler (a chunk's result arrives once or not at all, never in part).

What survives an interruption: every finished chunk is written at once by this process
(the one that holds the futures, so Dask workers need no shared disk) to
``OUT/chunks/chunk_<start>-<stop>-<sha256>.parquet`` (a temporary name, then an atomic
rename; the name carries the first 16 hex digits of the file's SHA-256), beside
``manifest.json`` (the run's full architecture, seed, trials, chunk size, sensitivity
trials, ephemeris and msrsim version). ``resume=True`` keeps every chunk whose bytes
match its name and whose rows are the chunk's trials of this run, deletes the rest
(truncated or corrupt files, temporary files of a killed writer) and runs only the
missing chunks; a manifest that differs from the run is refused with a one-line
:class:`~msrsim.errors.ConfigError` naming the first difference.

The merge streams the chunks in trial order into ``trials.parquet`` in row groups of
:data:`ROW_GROUP_TRIALS` trials (fixed, so the file's bytes do not depend on the chunk
size either) and keeps in memory only the columns the summary needs
(:data:`SUMMARY_COLUMNS`, ~130 bytes per trial), then writes ``results.json`` with
:func:`msrsim.campaign.montecarlo.summarise`.

Compiled kernels: each worker process compiles a numba kernel at most once and loads it
from the on-disk cache when one exists; point ``NUMBA_CACHE_DIR`` at a writable folder
in the environment of every worker (``dask worker`` inherits its shell's environment).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import pickle
import re
import signal
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import numpy as np

from .. import __version__
from ..errors import ConfigError, MsrsimError
from .architecture import Architecture
from .engine import simulate_trials
from .montecarlo import (
    MILESTONES,
    CampaignResult,
    chunk_bounds,
    concat_chunks,
    sensitivity_tornado,
    summarise,
    trial_table_arrow,
)
from .plan import CampaignPlan

#: Version of the chunk folder's layout (part of the manifest).
CHUNK_FORMAT = 1
#: Trials per row group of the merged ``trials.parquet`` (independent of the chunk size).
ROW_GROUP_TRIALS = 65_536
#: Default trials per chunk.
DEFAULT_CHUNK_SIZE = 5000
#: Columns of the trial table kept in memory for the summary and the custody record.
SUMMARY_COLUMNS = (
    "trial",
    "outcome_code",
    "tubes_mask",
    "tubes_returned",
    "value_returned",
    "rover_arrival_tdb_s",
    *(key for key, _ in MILESTONES),
)
#: Columns the campaign report (:mod:`msrsim.report`) reads besides :data:`SUMMARY_COLUMNS`.
REPORT_COLUMNS = (
    *SUMMARY_COLUMNS,
    "landing_lat_deg",
    "landing_lon_deg",
    "earth_landing_lat_deg",
    "earth_landing_lon_deg",
    "in_uttr",
    "mav_periapsis_alt_km",
    "mav_apoapsis_alt_km",
    "os_lifetime_days",
    "os_wait_days",
    "ero_mars_stay_days",
    "surface_days",
    "rendezvous_dv_m_s",
)
_CHUNK_NAME = re.compile(r"^chunk_(\d{10})-(\d{10})-([0-9a-f]{16})\.parquet$")
_MANIFEST = "manifest.json"
_COMPLETE = "complete.json"
_TMP_PREFIX = ".tmp-"


class RunInterrupted(KeyboardInterrupt):
    """Ctrl-C during a chunked run: finished chunks are kept; ``message`` says how to resume."""

    def __init__(self, message: str, chunks_done: int, chunks_total: int):
        super().__init__(message)
        self.message = message
        self.chunks_done = chunks_done
        self.chunks_total = chunks_total


class ChunkWriteError(MsrsimError, OSError):
    """A finished chunk could not be written (full disk, lost mount): the run stops."""


# ---------------------------------------------------------------- manifest


def run_manifest(
    architecture: Architecture,
    seed: int,
    trials: int,
    chunk_size: int,
    sensitivity_trials: int = 0,
    ephemeris: str | None = None,
) -> dict:
    """The configuration a chunk folder belongs to (written as ``chunks/manifest.json``).

    Parameters
    ----------
    architecture : Architecture
        The full architecture run (every field, defaults included).
    seed : int
        Run seed.
    trials : int
        Trials of the run.
    chunk_size : int
        Trials per chunk.
    sensitivity_trials : int
        Trials per case of the sensitivity tornado (0: none).
    ephemeris : str, optional
        SPK file used instead of DE421.

    Returns
    -------
    dict
        JSON-ready mapping, compared key by key when a run is resumed.
    """
    return {
        "format": CHUNK_FORMAT,
        "msrsim_version": __version__,
        "seed": int(seed),
        "trials": int(trials),
        "chunk_size": int(chunk_size),
        "sensitivity_trials": int(sensitivity_trials),
        "ephemeris": ephemeris or "DE421",
        "architecture": architecture.model_dump(mode="json"),
    }


def manifest_fingerprint(manifest: dict) -> str:
    """First 16 hex digits of the SHA-256 of the manifest's canonical JSON."""
    text = json.dumps(manifest, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _short(value) -> str:
    text = json.dumps(value) if not isinstance(value, str) else repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def first_difference(saved, now, path: str = "") -> str | None:
    """``'path: saved X, now Y'`` for the first field where two manifests differ, else None."""
    if isinstance(saved, dict) and isinstance(now, dict):
        for key in list(saved) + [k for k in now if k not in saved]:
            sub = f"{path}.{key}" if path else str(key)
            if key not in now:
                return f"{sub}: saved {_short(saved[key])}, now absent"
            if key not in saved:
                return f"{sub}: saved absent, now {_short(now[key])}"
            diff = first_difference(saved[key], now[key], sub)
            if diff:
                return diff
        return None
    if isinstance(saved, list) and isinstance(now, list):
        if len(saved) != len(now):
            return f"{path}: saved {len(saved)} entries, now {len(now)}"
        for k, (a, b) in enumerate(zip(saved, now, strict=True)):
            diff = first_difference(a, b, f"{path}.{k}")
            if diff:
                return diff
        return None
    if saved != now:
        return f"{path}: saved {_short(saved)}, now {_short(now)}"
    return None


def _write_json_atomic(path: str, obj) -> None:
    tmp = f"{os.path.join(os.path.dirname(path), _TMP_PREFIX)}{uuid.uuid4().hex}.json"
    try:
        with open(tmp, "w", encoding="utf-8") as fh:
            json.dump(obj, fh, indent=2)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


# ---------------------------------------------------------------- chunk files


def _chunk_arrow(tab: dict, fingerprint: str, start: int, stop: int):
    import pyarrow as pa

    table = pa.table({k: pa.array(np.asarray(v)) for k, v in tab.items()})
    meta = {b"msrsim.run": fingerprint.encode(), b"msrsim.trials": f"{start}:{stop}".encode()}
    return table.replace_schema_metadata(meta)


class ChunkStore:
    """The ``chunks/`` folder of one run: verified chunk files and the manifest.

    Parameters
    ----------
    out_dir : str
        The run's output folder (chunks go to ``out_dir/chunks``).
    manifest : dict
        :func:`run_manifest` of the run.
    """

    def __init__(self, out_dir: str, manifest: dict):
        self.out_dir = str(out_dir)
        self.dir = os.path.join(self.out_dir, "chunks")
        self.manifest = manifest
        self.fingerprint = manifest_fingerprint(manifest)
        self.bounds = chunk_bounds(manifest["trials"], manifest["chunk_size"])
        self.files: dict[tuple[int, int], str] = {}
        self.discarded: list[str] = []

    # -- opening

    def open(self, resume: bool) -> ChunkStore:
        """Create or reopen the folder; with ``resume``, keep the verified chunks of this run.

        Raises
        ------
        ConfigError
            The folder holds another run (``resume``) or an unfinished run (no ``resume``).
        """
        man_path = os.path.join(self.dir, _MANIFEST)
        saved = None
        if os.path.isfile(man_path):
            try:
                with open(man_path, encoding="utf-8") as fh:
                    saved = json.load(fh)
            except (OSError, ValueError):
                saved = None  # an unreadable manifest holds nothing that can be trusted
        complete = os.path.isfile(os.path.join(self.dir, _COMPLETE))
        if saved is not None and not resume and not complete:
            n = sum(1 for f in os.listdir(self.dir) if _CHUNK_NAME.match(f))
            raise ConfigError(
                f"{self.dir!r} holds an unfinished run ({n} chunks saved); add --resume to continue it, "
                "or remove that folder to start again"
            )
        if saved is not None and resume:
            diff = first_difference(saved, self.manifest)
            if diff:
                raise ConfigError(
                    f"--resume: the run saved in {self.dir!r} differs from this one ({diff}); "
                    "rerun with the saved settings or use another --out"
                )
        os.makedirs(self.dir, exist_ok=True)
        keep = resume and saved is not None
        wanted = set(self.bounds)
        for name in sorted(os.listdir(self.dir)):
            path = os.path.join(self.dir, name)
            m = _CHUNK_NAME.match(name)
            if name.startswith(_TMP_PREFIX) or (m is not None and not keep):
                os.remove(path)
                continue
            if m is None:
                continue
            key = (int(m.group(1)), int(m.group(2)))
            if key in self.files or key not in wanted or self._load(path, *key) is None:
                self.discarded.append(name)
                os.remove(path)
                continue
            self.files[key] = path
        if not keep or complete:
            with_complete = os.path.join(self.dir, _COMPLETE)
            if os.path.exists(with_complete):
                os.remove(with_complete)
        _write_json_atomic(man_path, self.manifest)
        return self

    # -- chunks

    def missing(self) -> list[tuple[int, int]]:
        """Chunks not yet on disk, in trial order."""
        return [b for b in self.bounds if b not in self.files]

    def write(self, start: int, stop: int, tab: dict) -> str:
        """Write one finished chunk (temporary name, fsync, rename); return its path.

        Raises
        ------
        ChunkWriteError
            The file could not be written; the temporary file is removed.
        """
        import pyarrow as pa
        import pyarrow.parquet as pq

        tmp = os.path.join(self.dir, f"{_TMP_PREFIX}{start:010d}-{uuid.uuid4().hex}.parquet")
        try:
            sink = pa.BufferOutputStream()
            pq.write_table(_chunk_arrow(tab, self.fingerprint, start, stop), sink)
            data = sink.getvalue().to_pybytes()
            digest = hashlib.sha256(data).hexdigest()[:16]
            with open(tmp, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            path = os.path.join(self.dir, f"chunk_{start:010d}-{stop:010d}-{digest}.parquet")
            os.replace(tmp, path)
        except OSError as exc:
            raise ChunkWriteError(
                f"cannot write chunk {start}..{stop - 1} under {self.dir!r}: {exc.strerror or exc}; "
                "finished chunks are kept: free the space and rerun with --resume"
            ) from None
        finally:
            if os.path.exists(tmp):
                os.remove(tmp)
        self.files[(start, stop)] = path
        return path

    def _load(self, path: str, start: int, stop: int) -> dict | None:
        """The chunk's columns if the file is whole and belongs to this run, else None."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        m = _CHUNK_NAME.match(os.path.basename(path))
        try:
            with open(path, "rb") as fh:
                data = fh.read()
        except OSError:
            return None
        if m is None or hashlib.sha256(data).hexdigest()[:16] != m.group(3):
            return None
        try:
            table = pq.read_table(pa.BufferReader(data))
        except (OSError, ValueError, pa.ArrowException):
            return None
        meta = table.schema.metadata or {}
        if meta.get(b"msrsim.run") != self.fingerprint.encode() or table.num_rows != stop - start:
            return None
        tab = {name: table.column(name).to_numpy() for name in table.column_names}
        trial = tab.get("trial")
        if trial is None or not np.array_equal(trial, np.arange(start, stop)):
            return None
        return tab

    def read(self, start: int, stop: int) -> dict:
        """The verified columns of a finished chunk.

        Raises
        ------
        MsrsimError
            The file changed since it was written (it is deleted; rerun with ``--resume``).
        """
        path = self.files[(start, stop)]
        tab = self._load(path, start, stop)
        if tab is None:
            os.remove(path)
            del self.files[(start, stop)]
            raise MsrsimError(
                f"chunk file {path!r} is corrupt (its bytes no longer match its checksum); it was "
                "removed: rerun with --resume to recompute it"
            )
        return tab

    def mark_complete(self) -> None:
        """Record that the merged outputs were written."""
        _write_json_atomic(os.path.join(self.dir, _COMPLETE), {"fingerprint": self.fingerprint})


# ---------------------------------------------------------------- merge


def _arrow_schema(table):
    """The table's schema with columns that came out all-null typed as strings (UTC dates)."""
    import pyarrow as pa

    fields = [pa.field(f.name, pa.string()) if pa.types.is_null(f.type) else f for f in table.schema]
    return pa.schema(fields, metadata=table.schema.metadata)


def merge_chunks(
    store: ChunkStore,
    plan: CampaignPlan,
    sensitivity_trials: int = 0,
    keep_columns: tuple | None = SUMMARY_COLUMNS,
) -> CampaignResult:
    """Merge a complete chunk folder into ``trials.parquet`` and ``results.json``.

    Chunks are read in trial order; ``trials.parquet`` is written in row groups of
    :data:`ROW_GROUP_TRIALS` trials whatever the chunk size, so its bytes depend only on the
    run (architecture, seed, trials).

    Parameters
    ----------
    store : ChunkStore
        A store whose every chunk is on disk.
    plan : CampaignPlan
        The run's plan (for the UTC columns, the summary and the sensitivity tornado).
    sensitivity_trials : int
        Trials per case of the sensitivity tornado (capped at the run's trials; 0: none).
    keep_columns : tuple of str or None
        Trial-table columns kept in memory in the returned result (None: all).

    Returns
    -------
    CampaignResult
        ``trials`` holds ``keep_columns`` of every trial; ``summary`` is ``results.json``.
    """
    import pyarrow.parquet as pq

    out = store.out_dir
    trials_path = os.path.join(out, "trials.parquet")
    results_path = os.path.join(out, "results.json")
    tmp = os.path.join(out, f"{_TMP_PREFIX}trials-{uuid.uuid4().hex}.parquet")
    kept: dict[str, list] = {}
    buffer: list[dict] = []
    buffered = 0
    writer = None
    schema = None

    def flush(rows: int) -> None:
        nonlocal buffer, buffered, writer, schema
        tab = concat_chunks(buffer)
        head = {k: v[:rows] for k, v in tab.items()}
        rest = {k: v[rows:] for k, v in tab.items()}
        buffer, buffered = ([rest], buffered - rows) if buffered > rows else ([], 0)
        table = trial_table_arrow(head, plan)
        if schema is None:
            schema = _arrow_schema(table)
            writer = pq.ParquetWriter(tmp, schema)
        writer.write_table(table.cast(schema))

    try:
        for start, stop in store.bounds:
            tab = store.read(start, stop)
            for k, v in tab.items():
                if keep_columns is None or k in keep_columns:
                    kept.setdefault(k, []).append(v)
            buffer.append(tab)
            buffered += stop - start
            while buffered >= ROW_GROUP_TRIALS:
                flush(ROW_GROUP_TRIALS)
        if buffered:
            flush(buffered)
        writer.close()
        writer = None
        os.replace(tmp, trials_path)
    except OSError as exc:
        raise ConfigError(f"cannot write {trials_path!r}: {exc.strerror or exc}") from None
    finally:
        if writer is not None:
            writer.close()
        if os.path.exists(tmp):
            os.remove(tmp)
    table = {k: np.concatenate(v) for k, v in kept.items()}
    del kept, buffer
    trials = int(store.manifest["trials"])
    sens = None
    if sensitivity_trials:
        ns = min(int(sensitivity_trials), trials)
        base = {k: table[k][:ns] for k in ("trial", "outcome_code", "earth_landing_tdb_s")}
        sens = sensitivity_tornado(plan, ns, base)
    summary = summarise(plan, table, sens)
    try:
        _write_json_atomic(results_path, summary)
    except OSError as exc:
        raise ConfigError(f"cannot write {results_path!r}: {exc.strerror or exc}") from None
    store.mark_complete()
    return CampaignResult(plan, table, summary)


# ---------------------------------------------------------------- where chunks run


@dataclass(frozen=True)
class ChunkTask:
    """One chunk of one run: plan key, architecture variant (None: the plan's own), trials."""

    run: int
    plan_key: str
    variant: Architecture | None
    variant_key: str
    start: int
    stop: int


def _variant_plan(cache: dict, plan: CampaignPlan, plan_key: str, variant, variant_key: str):
    """The plan with a variant architecture (engine-only fields changed), cached per process.

    The copy gets its own selection cache: the OS capacity is a variant field.
    """
    if variant is None:
        return plan
    key = (plan_key, variant_key)
    hit = cache.get(key)
    if hit is None:
        hit = cache[key] = dataclasses.replace(plan, architecture=variant, selection_cache={})
    return hit


_WORKER_PLANS: dict = {}  # set once per pool process by its initialiser
_WORKER_VARIANTS: dict = {}


def _init_pool_worker(plans_blob: bytes) -> None:
    # Ctrl-C goes to the whole process group; the parent alone handles it
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _WORKER_PLANS.update(pickle.loads(plans_blob))


def _pool_chunk(plan_key, variant, variant_key, start, stop) -> dict:
    plan = _variant_plan(_WORKER_VARIANTS, _WORKER_PLANS[plan_key], plan_key, variant, variant_key)
    return simulate_trials(plan, start, stop)


def _dask_chunk(plan, plan_key, variant, variant_key, start, stop) -> dict:
    plan = _variant_plan(_WORKER_VARIANTS, plan, plan_key, variant, variant_key)
    return simulate_trials(plan, start, stop)


class _Serial:
    """Chunks in this process, in trial order."""

    description = "this process"

    def __init__(self):
        self._variants: dict = {}

    def run(self, plans: dict, tasks: list) -> Iterator[tuple[ChunkTask, dict]]:
        for t in tasks:
            plan = _variant_plan(self._variants, plans[t.plan_key], t.plan_key, t.variant, t.variant_key)
            yield t, simulate_trials(plan, t.start, t.stop)

    def abort(self) -> None:
        """Nothing runs in the background."""

    def close(self) -> None:
        self._variants.clear()


class _Pool:
    """Chunks on ``n`` spawned local processes; the plans reach each process once."""

    def __init__(self, n: int):
        self.n = n
        self.description = f"{n} local processes"
        self._pool = None

    def run(self, plans: dict, tasks: list) -> Iterator[tuple[ChunkTask, dict]]:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor, as_completed
        from concurrent.futures.process import BrokenProcessPool

        if not tasks:
            return
        self.close()
        self._pool = ProcessPoolExecutor(
            max_workers=min(self.n, len(tasks)),
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_init_pool_worker,
            initargs=(pickle.dumps(plans, protocol=pickle.HIGHEST_PROTOCOL),),
        )
        futures = {
            self._pool.submit(_pool_chunk, t.plan_key, t.variant, t.variant_key, t.start, t.stop): t
            for t in tasks
        }
        try:
            for fut in as_completed(futures):
                yield futures.pop(fut), fut.result()
        except BrokenProcessPool:
            raise MsrsimError(
                "a worker process died (killed or out of memory); finished chunks are kept: "
                "rerun with --resume"
            ) from None

    def abort(self) -> None:
        if self._pool is None:
            return
        procs = list(getattr(self._pool, "_processes", {}).values())
        self._pool.shutdown(wait=False, cancel_futures=True)
        for p in procs:  # running chunks are abandoned: their results would not be written
            if p.is_alive():
                p.terminate()
        self._pool = None

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


class _Dask:
    """Chunks as futures on a Dask scheduler's workers (plans scattered to each worker once)."""

    def __init__(self, scheduler, connect_timeout_s: float = 5.0):
        from dask.distributed import Client

        if isinstance(scheduler, Client):
            self.client, self._own = scheduler, False
        else:
            try:
                self.client = Client(str(scheduler), timeout=f"{connect_timeout_s}s", set_as_default=False)
            except (OSError, TimeoutError, ValueError) as exc:
                reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
                raise ConfigError(
                    f"--scheduler={scheduler!r}: no Dask scheduler answered within {connect_timeout_s:g} s "
                    f"({reason[:120]}); start one with 'dask scheduler' and give its tcp:// address"
                ) from None
            self._own = True
        self.description = f"Dask scheduler {self.client.scheduler.address}"
        self._futures: list = []

    def run(self, plans: dict, tasks: list) -> Iterator[tuple[ChunkTask, dict]]:
        from dask.distributed import as_completed

        if not tasks:
            return
        try:
            self.client.wait_for_workers(1, timeout=30)
        except TimeoutError:
            raise ConfigError(
                f"{self.description} has no workers after 30 s; start some with "
                f"'dask worker {self.client.scheduler.address}'"
            ) from None
        shared = {k: self.client.scatter(p, broadcast=True, hash=False) for k, p in plans.items()}
        tag = uuid.uuid4().hex[:8]
        futures = {}
        for t in tasks:
            fut = self.client.submit(
                _dask_chunk,
                shared[t.plan_key],
                t.plan_key,
                t.variant,
                t.variant_key,
                t.start,
                t.stop,
                key=f"msrsim-chunk-{tag}-{t.run}-{t.start}",
                pure=False,
            )
            futures[fut] = t
        self._futures = list(futures)
        for fut in as_completed(list(futures)):
            result = fut.result()
            yield futures.pop(fut), result
            fut.release()
        self._futures = []
        for f in shared.values():
            f.release()

    def abort(self) -> None:
        if self._futures:
            self.client.cancel(self._futures)
            self._futures = []

    def close(self) -> None:
        self.abort()
        if self._own:
            self.client.close()


def open_backend(workers: int = 1, scheduler=None):
    """Where chunks run: this process, local processes, or a Dask scheduler's workers.

    Parameters
    ----------
    workers : int
        Local processes (1: this process; 0: one per core). Ignored with ``scheduler``.
    scheduler : str or dask.distributed.Client, optional
        Address of a running Dask scheduler (``tcp://host:8786``) or a connected client.

    Returns
    -------
    object
        A backend with ``run(plans, tasks)``, ``abort()``, ``close()`` and ``description``.

    Raises
    ------
    ConfigError
        ``workers`` < 0, or no scheduler answers at ``scheduler`` within 5 s.
    """
    if scheduler is not None and not (isinstance(scheduler, str) and not scheduler.strip()):
        return _Dask(scheduler)
    if isinstance(workers, bool) or not isinstance(workers, int | np.integer) or workers < 0:
        raise ConfigError(f"--workers={workers!r} must be an integer >= 0 (0: one per core, 1: this process)")
    n = int(workers) or (os.cpu_count() or 1)
    return _Serial() if n == 1 else _Pool(n)


# ---------------------------------------------------------------- runs


def slim_plan(plan: CampaignPlan) -> CampaignPlan:
    """The plan without what the trials do not use (porkchop grids, selection cache)."""
    return dataclasses.replace(plan, windows=[], selection_cache={})


def _digest(obj) -> str:
    return hashlib.sha256(json.dumps(obj, sort_keys=True).encode("utf-8")).hexdigest()[:16]


@dataclass
class RunSpec:
    """One run of a batch (a single campaign, or one variant of a sweep).

    Attributes
    ----------
    out_dir : str
        Output folder (``chunks/``, ``trials.parquet``, ``results.json``).
    plan_key : str
        Key of the shared plan in the batch's plan table.
    variant : Architecture or None
        Architecture that replaces the plan's (engine-only fields changed), or None.
    trials, chunk_size, sensitivity_trials : int
    ephemeris : str or None
    """

    out_dir: str
    plan_key: str
    variant: Architecture | None
    trials: int
    chunk_size: int
    sensitivity_trials: int = 0
    ephemeris: str | None = None
    store: ChunkStore | None = field(default=None, repr=False)
    result: CampaignResult | None = field(default=None, repr=False)


def _check_size(name: str, value, lo: int, hi: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or not lo <= value <= hi:
        raise ConfigError(f"{name}={value!r} must be an integer in {lo}..{hi}")
    return int(value)


def run_batch(
    plans: dict,
    specs: list[RunSpec],
    *,
    backend,
    resume: bool = False,
    progress: Callable[[int, int], None] | None = None,
    on_run_done: Callable[[RunSpec], None] | None = None,
    keep_columns: tuple | None = SUMMARY_COLUMNS,
) -> list[RunSpec]:
    """Run several chunked runs that share plans on one backend; merge each as it completes.

    Parameters
    ----------
    plans : dict of str to CampaignPlan
        Shared plans (slimmed with :func:`slim_plan`), sent to each worker once.
    specs : list of RunSpec
        The runs; each merges into its ``out_dir`` as soon as its last chunk is written.
    backend : object
        :func:`open_backend`'s result (not closed here).
    resume : bool
        Keep each run's verified chunks and run only the missing ones.
    progress : callable, optional
        ``progress(trials_done, trials_total)`` after each chunk written (and once at start).
    on_run_done : callable, optional
        Called with each spec once its outputs are written.
    keep_columns : tuple of str or None
        Columns of each run's result kept in memory (None: all).

    Returns
    -------
    list of RunSpec
        The specs with ``store`` and ``result`` set.

    Raises
    ------
    RunInterrupted
        Ctrl-C: running chunks are abandoned, written ones stay.
    ConfigError
        A chunk folder belongs to another run, or an output cannot be written.
    """
    total = 0
    tasks = []
    for i, spec in enumerate(specs):
        _check_size("trials", spec.trials, 1, 10_000_000)
        _check_size("chunk_size", spec.chunk_size, 1, 10_000_000)
        base = plans[spec.plan_key]
        arch = spec.variant if spec.variant is not None else base.architecture
        man = run_manifest(
            arch, base.seed, spec.trials, spec.chunk_size, spec.sensitivity_trials, spec.ephemeris
        )
        spec.store = ChunkStore(spec.out_dir, man).open(resume)
        vkey = _digest(man["architecture"]) if spec.variant is not None else ""
        tasks += [ChunkTask(i, spec.plan_key, spec.variant, vkey, s, e) for s, e in spec.store.missing()]
        total += spec.trials
    done = total - sum(t.stop - t.start for t in tasks)
    variants: dict = {}

    def merge(spec: RunSpec) -> None:
        base = plans[spec.plan_key]
        vkey = _digest(spec.store.manifest["architecture"])
        plan = _variant_plan(variants, base, spec.plan_key, spec.variant, vkey)
        spec.result = merge_chunks(spec.store, plan, spec.sensitivity_trials, keep_columns)
        if on_run_done is not None:
            on_run_done(spec)

    if progress is not None:
        progress(done, total)
    chunks_total = sum(len(s.store.bounds) for s in specs)
    try:
        for spec in specs:
            if not spec.store.missing():
                merge(spec)
        for task, tab in backend.run(plans, tasks):
            spec = specs[task.run]
            spec.store.write(task.start, task.stop, tab)
            done += task.stop - task.start
            if progress is not None:
                progress(done, total)
            if not spec.store.missing():
                merge(spec)
    except KeyboardInterrupt:
        backend.abort()
        saved = sum(len(s.store.files) for s in specs)
        raise RunInterrupted(
            f"interrupted: {saved} of {chunks_total} chunks are saved; rerun the same command with "
            "--resume to continue",
            saved,
            chunks_total,
        ) from None
    except BaseException:
        backend.abort()
        raise
    return specs


def run_chunked(
    plan: CampaignPlan,
    trials: int,
    out_dir: str,
    *,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    workers: int = 1,
    scheduler=None,
    backend=None,
    resume: bool = False,
    sensitivity_trials: int = 0,
    ephemeris_path: str | None = None,
    progress: Callable[[int, int], None] | None = None,
    keep_columns: tuple | None = SUMMARY_COLUMNS,
) -> CampaignResult:
    """Run a campaign Monte Carlo in chunks, saving each chunk, and merge the outputs.

    The outputs (``trials.parquet``, ``results.json`` in ``out_dir``) are byte for byte the
    same for any chunk size, number of workers, back end and for a run resumed after an
    interruption.

    Parameters
    ----------
    plan : CampaignPlan
        :func:`msrsim.campaign.plan.build_plan` of the architecture and seed.
    trials : int
        Trials (1..10,000,000).
    out_dir : str
        Output folder; chunks go to ``out_dir/chunks``.
    chunk_size : int
        Trials per chunk (memory per worker grows with it; the outputs do not depend on it).
    workers : int
        Local processes (1: this process; 0: one per core).
    scheduler : str or dask.distributed.Client, optional
        A Dask scheduler's address (or client) instead of local processes.
    backend : object, optional
        An open :func:`open_backend` (kept open); overrides ``workers`` and ``scheduler``.
    resume : bool
        Continue the run saved in ``out_dir/chunks`` (refused if its configuration differs).
    sensitivity_trials : int
        Trials per case of the sensitivity tornado (0: none).
    ephemeris_path : str, optional
        SPK file the plan was built with (recorded in the manifest).
    progress : callable, optional
        ``progress(trials_done, trials_total)``.
    keep_columns : tuple of str or None
        Trial-table columns kept in ``result.trials`` (default :data:`SUMMARY_COLUMNS`;
        None: all, which costs ~0.5 kB per trial).

    Returns
    -------
    CampaignResult
    """
    _check_size("sensitivity_trials", sensitivity_trials, 0, 10_000_000)
    own = backend is None
    if own:
        backend = open_backend(workers, scheduler)
    try:
        spec = RunSpec(
            str(out_dir), "plan", None, trials, chunk_size, int(sensitivity_trials), ephemeris_path
        )
        run_batch(
            {"plan": slim_plan(plan)},
            [spec],
            backend=backend,
            resume=resume,
            progress=progress,
            keep_columns=keep_columns,
        )
    finally:
        if own:
            backend.close()
    result = spec.result
    result.plan = plan
    return result


__all__ = [
    "CHUNK_FORMAT",
    "DEFAULT_CHUNK_SIZE",
    "REPORT_COLUMNS",
    "ROW_GROUP_TRIALS",
    "SUMMARY_COLUMNS",
    "ChunkStore",
    "ChunkTask",
    "ChunkWriteError",
    "RunInterrupted",
    "RunSpec",
    "first_difference",
    "manifest_fingerprint",
    "merge_chunks",
    "open_backend",
    "run_batch",
    "run_chunked",
    "run_manifest",
    "slim_plan",
]
