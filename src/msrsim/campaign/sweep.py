"""Architecture sweeps: the campaign Monte Carlo over a Cartesian grid of architecture variants.

A sweep varies fields of an architecture by their YAML path (``surface.helicopters``,
``risk.edl.p``, ``earth_to_mars.SRL.c3_max_km2_s2``: a leg may be named by its index or its
vehicle) over listed values (``PATH=V1,V2,...``, each value read as YAML) or an even
range (``PATH=LO:HI:N``, N values from LO to HI inclusive). Every variant runs as a
chunked run of :mod:`msrsim.campaign.runner` in ``OUT/variants/vNNN/`` on one shared back
end, so a sweep resumes variant by variant and chunk by chunk.

Common random numbers: every variant uses the sweep's seed, so trial ``i`` of every variant
draws the same numbers in every phase (:mod:`msrsim.rng`); a difference between
variants is the effect of the varied fields, not sampling noise.

Variants that differ only in fields the trial function reads (risk priors, slips, surface
operations, lander power, OS capacity, ERO stay, OS wait, Monte Carlo switches) share one
plan; a variant that changes a leg, an entry case, the MAV preset or the opportunity count
gets its own :func:`~msrsim.campaign.plan.build_plan` (tens of seconds each).
"""

from __future__ import annotations

import itertools
import json
import math
import os
from dataclasses import dataclass, field

import numpy as np
import yaml

from .. import __version__
from ..constants import SECONDS_PER_DAY
from ..errors import ConfigError
from .architecture import Architecture, architecture_from_dict
from .runner import (
    SUMMARY_COLUMNS,
    RunSpec,
    _digest,
    _write_json_atomic,
    first_difference,
    run_batch,
    slim_plan,
)

#: Architecture fields that :func:`~msrsim.campaign.plan.build_plan` reads (a variant
#: changing one of them needs its own plan); every other field is read per trial.
PLAN_FIELDS = (
    "earth_to_mars",
    "mars_to_earth",
    "schedule.max_later_opportunities",
    "schedule.synodic_period_days",
    "lander.entry_preset",
    "ees.entry_preset",
    "mav.preset",
    # the ERO's cruise (solved per opportunity) and its Mars phase (EROPhase) are planned
    "ero.propulsion",
    "ero.cruise",
    "ero.cruise_arrival",
    "ero.ep_engine_count",
    "ero.chemical_trim_days",
)
#: Statement written into ``sweep.parquet`` and ``sweep.json``.
COMMON_RANDOM_NUMBERS = (
    "common random numbers: every variant runs with the same seed, so trial i draws the same random "
    "numbers in every phase of every variant; differences between variants are the varied fields' "
    "effect, not sampling noise"
)
_MAX_VARIANTS = 10_000


@dataclass(frozen=True)
class Vary:
    """One varied field: its YAML path and its values."""

    path: str
    values: tuple


def parse_vary(text: str) -> Vary:
    """Parse ``PATH=V1,V2,...`` or ``PATH=LO:HI:N``.

    Parameters
    ----------
    text : str
        The ``--vary`` argument. Values are read as YAML scalars (``2``, ``0.5``, ``rtg``,
        ``true``); ``LO:HI:N`` gives N evenly spaced floats from LO to HI inclusive
        (integers when LO and HI are integers and the steps are whole). A value holding a
        colon that is not a range (a date range ``2028-06-01:2029-02-28``) is a listed value.

    Raises
    ------
    ConfigError
        No ``=``, an empty path or value list, or an empty or malformed range.
    """
    if "=" not in text:
        raise ConfigError(f"--vary={text!r} must be PATH=V1,V2,... or PATH=LO:HI:N")
    path, _, rhs = text.partition("=")
    path = path.strip()
    if not path:
        raise ConfigError(f"--vary={text!r} has no field path before '='")
    parts = rhs.split(":")
    if len(parts) == 3 and "," not in rhs:
        try:
            lo, hi = float(parts[0]), float(parts[1])
            n = int(parts[2])
        except ValueError:
            lo = hi = None
            n = 0
        if lo is not None:
            if n < 1 or not (math.isfinite(lo) and math.isfinite(hi)) or (n == 1 and lo != hi):
                raise ConfigError(
                    f"--vary={text!r}: the range {rhs!r} is empty; LO:HI:N needs N >= 1 values "
                    "(N = 1 only with LO = HI)"
                )
            vals = np.linspace(lo, hi, n) if n > 1 else np.array([lo])
            ints = all(p.strip().lstrip("+-").isdigit() for p in parts[:2]) and np.all(vals == np.round(vals))
            values = tuple(int(v) for v in vals) if ints else tuple(float(v) for v in vals)
            return Vary(path, values)
    items = [v.strip() for v in rhs.split(",")]
    if not rhs.strip() or any(not v for v in items):
        raise ConfigError(f"--vary={text!r}: the value list {rhs!r} is empty or has an empty item")
    values = []
    for v in items:
        try:
            values.append(yaml.safe_load(v))
        except yaml.YAMLError:
            values.append(v)
    if len(set(map(json.dumps, values))) != len(values):
        raise ConfigError(f"--vary={text!r} lists a value twice")
    return Vary(path, tuple(values))


def _container_step(node, seg: str, where: str):
    """The index or key ``seg`` names in ``node`` (a list by index or vehicle, or a mapping)."""
    if isinstance(node, list):
        if seg.lstrip("-").isdigit():
            k = int(seg)
            if not 0 <= k < len(node):
                raise ConfigError(f"--vary path {where!r}: index {k} is outside 0..{len(node) - 1}")
            return k
        names = [str(item.get("vehicle", "")).lower() for item in node if isinstance(item, dict)]
        if seg.lower() in names:
            return names.index(seg.lower())
        raise ConfigError(
            f"--vary path {where!r}: {seg!r} is neither an index nor a vehicle of this list "
            f"(vehicles: {', '.join(n for n in names if n) or 'none'})"
        )
    if isinstance(node, dict):
        if seg not in node:
            raise ConfigError(
                f"--vary path {where!r} does not exist in the architecture: no field {seg!r}; "
                f"allowed: {', '.join(node)}"
            )
        return seg
    raise ConfigError(f"--vary path {where!r}: {seg!r} goes below a value, which has no fields")


def set_path(data: dict, path: str, value) -> dict:
    """A deep copy of the architecture mapping ``data`` with the field at ``path`` set.

    Raises
    ------
    ConfigError
        The path does not exist in the architecture.
    """
    out = json.loads(json.dumps(data))
    segs = path.split(".")
    node = out
    for i, seg in enumerate(segs):
        key = _container_step(node, seg, path)
        if i == len(segs) - 1:
            node[key] = list(value) if isinstance(value, tuple) else value
        else:
            node = node[key]
    return out


def sweep_variants(base: Architecture, varies: list[Vary]) -> list[tuple[tuple, Architecture]]:
    """The Cartesian grid of variants, in ``itertools.product`` order of the ``varies``.

    Returns
    -------
    list of (values, Architecture)

    Raises
    ------
    ConfigError
        No ``--vary``, a path given twice, a path not in the model, too many variants, or a
        value the architecture rejects (named with the variant's values).
    """
    if not varies:
        raise ConfigError("a sweep needs at least one --vary PATH=VALUES")
    paths = [v.path for v in varies]
    if len(set(paths)) != len(paths):
        raise ConfigError(f"--vary paths {paths!r} name a field twice")
    n = math.prod(len(v.values) for v in varies)
    if n > _MAX_VARIANTS:
        raise ConfigError(f"the sweep has {n} variants; at most {_MAX_VARIANTS} are allowed")
    data = base.model_dump(mode="json")
    for v in varies:  # a wrong path is named once, before any variant is built
        set_path(data, v.path, v.values[0])
    out = []
    for values in itertools.product(*(v.values for v in varies)):
        d = data
        for v, x in zip(varies, values, strict=True):
            d = set_path(d, v.path, x)
        label = ", ".join(f"{v.path}={x!r}" for v, x in zip(varies, values, strict=True))
        out.append((values, architecture_from_dict(d, f"sweep variant {label}")))
    return out


def plan_key(arch: Architecture) -> str:
    """Digest of the fields :func:`~msrsim.campaign.plan.build_plan` reads (:data:`PLAN_FIELDS`)."""
    data = arch.model_dump(mode="json")
    picked = {}
    for path in PLAN_FIELDS:
        node = data
        for seg in path.split("."):
            node = node[seg]
        picked[path] = node
    return _digest(picked)


@dataclass
class SweepResult:
    """A finished sweep: one row per variant, and where its files are."""

    varies: list
    rows: list
    table_path: str
    figure_path: str | None
    json_path: str
    specs: list = field(repr=False, default_factory=list)


def _row(values, varies, spec) -> dict:
    s = spec.result.summary
    tab = spec.result.trials
    ok = tab["outcome_code"] == 0
    med = float(np.median(tab["earth_landing_tdb_s"][ok])) if ok.any() else float("nan")
    row = {v.path: x for v, x in zip(varies, values, strict=True)}
    causes = s["failure_causes"]
    row.update(
        {
            "variant": os.path.basename(spec.out_dir),
            "trials": s["trials"],
            "p_success": s["p_success"],
            "p_success_ci95_low": s["p_success_ci95"][0],
            "p_success_ci95_high": s["p_success_ci95"][1],
            "median_return_utc": s["median_return_utc"],
            "median_return_tdb_s": med,
            "median_return_year": 2000.0 + (med + 43200.0) / (365.25 * SECONDS_PER_DAY)
            if math.isfinite(med)
            else float("nan"),
            "return_utc_p10": s["return_utc_p10"],
            "return_utc_p90": s["return_utc_p90"],
            "tubes_returned_mean": s["tubes_returned_mean"],
            "value_returned_mean": s["value_returned_mean"],
            "top_failure_cause": next(iter(causes), None),
            "top_failure_p": next(iter(causes.values()), 0.0),
        }
    )
    return row


def _sweep_table(rows: list, varies: list, manifest: dict):
    import pyarrow as pa

    cols = {}
    for name in rows[0]:
        vals = [r[name] for r in rows]
        if name in {v.path for v in varies} and not all(
            isinstance(x, int | float) and not isinstance(x, bool) for x in vals
        ):
            vals = [x if isinstance(x, str) else json.dumps(x) for x in vals]
        cols[name] = pa.array(vals)
    meta = {
        b"msrsim.common_random_numbers": COMMON_RANDOM_NUMBERS.encode(),
        b"msrsim.sweep": json.dumps(manifest["vary"]).encode(),
        b"msrsim.seed": str(manifest["seed"]).encode(),
        b"msrsim.architecture": manifest["base"]["name"].encode(),
    }
    return pa.table(cols).replace_schema_metadata(meta)


def run_sweep(
    base: Architecture,
    varies: list[Vary],
    trials: int,
    out_dir: str,
    *,
    backend,
    seed: int = 1,
    chunk_size: int = 5000,
    resume: bool = False,
    ephemeris_path: str | None = None,
    progress=None,
    build=None,
    figure: bool = True,
) -> SweepResult:
    """Run every variant of a sweep and write ``sweep.parquet``, ``sweep.json`` and a figure.

    Parameters
    ----------
    base : Architecture
        The architecture the variants start from.
    varies : list of Vary
        Varied fields (:func:`parse_vary`).
    trials : int
        Trials per variant.
    out_dir : str
        Output folder: ``variants/vNNN/`` (each a chunked run), ``sweep.parquet`` (one row per
        variant: the varied values, P(success) and its 95 % interval, return-date percentiles,
        tubes and value returned, the main failure cause), ``sweep.json`` and ``sweep.png``.
    backend : object
        :func:`msrsim.campaign.runner.open_backend` (kept open).
    seed : int
        Seed shared by every variant (common random numbers).
    chunk_size : int
        Trials per chunk.
    resume : bool
        Continue a sweep saved in ``out_dir`` (refused if its settings differ).
    ephemeris_path : str, optional
        SPK file instead of DE421.
    progress : callable, optional
        ``progress(trials_done, trials_total)`` over the whole sweep.
    build : callable, optional
        ``build(architecture, seed)`` returning a plan (default
        :func:`~msrsim.campaign.plan.build_plan`).
    figure : bool
        Draw ``sweep.png``.

    Returns
    -------
    SweepResult
    """
    import pyarrow.parquet as pq

    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or not 0 <= seed < 2**63:
        raise ConfigError(f"seed={seed!r} must be an integer in 0..2**63-1")
    variants = sweep_variants(base, varies)
    manifest = {
        "msrsim_version": __version__,
        "seed": int(seed),
        "trials": int(trials),
        "chunk_size": int(chunk_size),
        "ephemeris": ephemeris_path or "DE421",
        "vary": [[v.path, list(v.values)] for v in varies],
        "base": base.model_dump(mode="json"),
    }
    os.makedirs(out_dir, exist_ok=True)
    man_path = os.path.join(out_dir, "sweep_manifest.json")
    if os.path.isfile(man_path):
        with open(man_path, encoding="utf-8") as fh:
            saved = json.load(fh)
        diff = first_difference(saved, manifest)
        if diff and resume:
            raise ConfigError(
                f"--resume: the sweep saved in {out_dir!r} differs from this one ({diff}); "
                "rerun with the saved settings or use another --out"
            )
    _write_json_atomic(man_path, manifest)
    if build is None:
        from .plan import build_plan

        def build(arch, seed):
            return build_plan(arch, seed=seed, ephemeris_path=ephemeris_path)

    plans: dict = {}
    specs = []
    for i, (_, arch) in enumerate(variants):
        key = plan_key(arch)
        if key not in plans:
            plans[key] = slim_plan(build(arch, int(seed)))
        specs.append(
            RunSpec(
                os.path.join(out_dir, "variants", f"v{i:03d}"),
                key,
                arch,
                trials,
                chunk_size,
                0,
                ephemeris_path,
            )
        )
    run_batch(plans, specs, backend=backend, resume=resume, progress=progress, keep_columns=SUMMARY_COLUMNS)
    rows = [_row(values, varies, spec) for (values, _), spec in zip(variants, specs, strict=True)]
    table_path = os.path.join(out_dir, "sweep.parquet")
    tmp = table_path + ".tmp"
    pq.write_table(_sweep_table(rows, varies, manifest), tmp)
    os.replace(tmp, table_path)
    json_path = os.path.join(out_dir, "sweep.json")
    _write_json_atomic(
        json_path,
        {
            "architecture": base.name,
            "seed": int(seed),
            "trials_per_variant": int(trials),
            "variants": len(rows),
            "vary": manifest["vary"],
            "method": COMMON_RANDOM_NUMBERS,
            "rows": [
                {k: (None if isinstance(v, float) and not math.isfinite(v) else v) for k, v in r.items()}
                for r in rows
            ],
        },
    )
    fig = None
    if figure:
        from .sweep_figure import plot_sweep

        fig = plot_sweep(rows, varies, os.path.join(out_dir, "sweep.png"), f"{base.title}: sweep")
    return SweepResult(varies, rows, table_path, fig, json_path, specs)
