"""The campaign Monte Carlo: chunks of trials, the trial table, the summary, sensitivities.

:func:`run_campaign` builds the once-per-run plan, runs the trials in chunks (each chunk a
call of :func:`msrsim.campaign.engine.simulate_trials`; the result does not depend on the
chunk size), and summarises: P(success) with its binomial interval, the return-date
distribution, failure causes, tubes and science value returned, each tube's chance to
reach Earth, percentile dates per milestone and a sensitivity tornado computed with
common random numbers. :func:`write_outputs` writes ``trials.parquet`` (pyarrow) and
``results.json``; :func:`record_custody` appends one trial's tube-by-tube custody to a
ledger.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from ..constants import SECONDS_PER_DAY
from ..errors import ConfigError
from ..timescales import tdb_to_utc
from .architecture import Architecture, load_architecture
from .engine import CAUSES, simulate_trials
from .plan import CampaignPlan, build_plan

#: Milestones of the timeline table: (column, label), in campaign order.
MILESTONES = (
    ("ero_launch_tdb_s", "ERO launch"),
    ("lander_launch_tdb_s", "SRL launch"),
    ("ero_mars_arrival_tdb_s", "ERO Mars orbit insertion"),
    ("lander_landing_tdb_s", "SRL landing at Jezero"),
    ("tubes_loaded_tdb_s", "tubes loaded in the OS"),
    ("ero_working_orbit_tdb_s", "ERO in its working orbit"),
    ("mav_launch_tdb_s", "MAV launch (OS in orbit)"),
    ("capture_tdb_s", "OS captured and contained"),
    ("tei_tdb_s", "trans-Earth injection"),
    ("ees_release_tdb_s", "EES release"),
    ("earth_landing_tdb_s", "samples land at UTTR"),
)

#: Default number of trials of ``msrsim run``.
DEFAULT_TRIALS = 2000


@dataclass
class CampaignResult:
    """A finished campaign Monte Carlo.

    Attributes
    ----------
    plan : CampaignPlan
    trials : dict of numpy.ndarray
        The trial table (engine columns, in trial order).
    summary : dict
        ``results.json`` content.
    """

    plan: CampaignPlan
    trials: dict
    summary: dict = field(default_factory=dict)

    @property
    def architecture(self) -> Architecture:
        """The architecture run."""
        return self.plan.architecture


def _check_trials(trials, chunk_size) -> tuple[int, int]:
    if isinstance(trials, bool) or not isinstance(trials, int | np.integer) or not 1 <= trials <= 10_000_000:
        raise ConfigError(f"trials={trials!r} must be an integer in 1..10000000")
    if chunk_size is None:
        chunk_size = 5000
    if isinstance(chunk_size, bool) or not isinstance(chunk_size, int | np.integer) or chunk_size < 1:
        raise ConfigError(f"chunk_size={chunk_size!r} must be a positive integer")
    return int(trials), int(chunk_size)


def chunk_bounds(trials: int, chunk_size: int) -> list[tuple[int, int]]:
    """``[(start, stop), ...]`` covering ``0..trials`` in chunks of ``chunk_size``."""
    return [(s, min(s + chunk_size, trials)) for s in range(0, trials, chunk_size)]


def concat_chunks(parts: list[dict]) -> dict:
    """Concatenate chunk tables (in trial order) column by column."""
    if len(parts) == 1:
        return parts[0]
    return {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}


def run_trials(
    plan: CampaignPlan, trials: int, chunk_size: int | None = None, progress=None, bounds: list | None = None
) -> dict:
    """Run every trial of a plan in chunks and return the trial table in trial order.

    Parameters
    ----------
    plan : CampaignPlan
    trials : int
    chunk_size : int, optional
        Trials per chunk (default 5,000); the table does not depend on it.
    progress : callable, optional
        Called with the number of trials finished after each chunk.
    bounds : list of (start, stop), optional
        Explicit chunks (uneven ones, for tests); must cover ``0..trials`` in order.
    """
    trials, chunk_size = _check_trials(trials, chunk_size)
    bounds = bounds or chunk_bounds(trials, chunk_size)
    if (
        bounds[0][0] != 0
        or bounds[-1][1] != trials
        or any(a[1] != b[0] for a, b in zip(bounds, bounds[1:], strict=False))
    ):
        raise ConfigError(f"chunks {bounds!r} do not cover trials 0..{trials} in order")
    parts = []
    done = 0
    for start, stop in bounds:
        parts.append(simulate_trials(plan, start, stop))
        done += stop - start
        if progress is not None:
            progress(done)
    return concat_chunks(parts)


def wilson_interval(k: int, n: int, z: float = 1.959963984540054) -> tuple[float, float]:
    """Wilson score interval of a binomial proportion (95 % by default)."""
    if n == 0:
        return (0.0, 1.0)
    p = k / n
    d = 1 + z * z / n
    c = (p + z * z / (2 * n)) / d
    h = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / d
    return (max(0.0, c - h), min(1.0, c + h))


def _utc(t) -> str | None:
    t = float(t)
    return tdb_to_utc(t, "date") if math.isfinite(t) else None


def summarise(plan: CampaignPlan, tab: dict, sensitivity: dict | None = None) -> dict:
    """``results.json`` of a trial table.

    Parameters
    ----------
    plan : CampaignPlan
    tab : dict of numpy.ndarray
        The trial table.
    sensitivity : dict, optional
        Output of :func:`sensitivity_tornado`.

    Returns
    -------
    dict
        ``p_success``, ``p_success_ci95``, ``median_return_utc``, ``return_utc_p10``,
        ``return_utc_p90`` (over successful trials), ``p_return_by_year`` (year ->
        cumulative probability over all trials), ``failure_causes`` (cause -> probability),
        ``tubes_returned_mean``, ``value_returned_mean`` (over all trials),
        ``p_tube_returned`` (tube id -> probability), ``milestones`` (percentile dates),
        ``trials``, ``seed``, ``architecture`` and ``sensitivity``.
    """
    arch = plan.architecture
    n = int(tab["trial"].size)
    code = tab["outcome_code"]
    ok = code == 0
    k = int(ok.sum())
    t_ret = tab["earth_landing_tdb_s"][ok]
    pct = (lambda q: _utc(np.percentile(t_ret, q))) if k else (lambda q: None)
    years = {}
    if n:
        ret_year = np.array([int(s[:4]) for s in tdb_to_utc(t_ret, "date")]) if k else np.zeros(0, int)
        # from the year before the first return (probability 0 there) to the last return
        first = (
            (int(ret_year.min()) - 1)
            if k
            else int(tdb_to_utc(plan.ero_opportunities[0].planned_departure_tdb_s, "date")[:4]) + 2
        )
        last = int(ret_year.max()) if k else first
        for y in range(first, max(last, first) + 1):
            years[str(y)] = round(float(np.sum(ret_year <= y)) / n, 6)
    causes = {}
    for c, name in enumerate(CAUSES):
        if c == 0:
            continue
        m = int(np.sum(code == c))
        if m:
            causes[name] = round(m / n, 6)
    causes = dict(sorted(causes.items(), key=lambda kv: -kv[1]))
    cat = plan.catalogue
    bits = tab["tubes_mask"].astype(np.uint64)
    p_tube = {}
    for i, tube in enumerate(cat):
        if not tube.filled:
            continue
        p_tube[tube.tube_id] = round(float(np.mean((bits >> np.uint64(i)) & np.uint64(1))), 6)
    milestones = []
    for key, label in MILESTONES:
        v = tab[key]
        v = v[np.isfinite(v)]
        row = {"milestone": label, "column": key, "p_reached": round(v.size / n, 6) if n else 0.0}
        if v.size:
            row.update(
                {
                    "p10_utc": _utc(np.percentile(v, 10)),
                    "p50_utc": _utc(np.percentile(v, 50)),
                    "p90_utc": _utc(np.percentile(v, 90)),
                }
            )
        milestones.append(row)
    lo, hi = wilson_interval(k, n)
    s_tubes = [t for t in cat if t.potential_biosignature]
    out = {
        "architecture": arch.name,
        "title": arch.title,
        "source": arch.source,
        "trials": n,
        "seed": plan.seed,
        "p_success": round(k / n, 6) if n else 0.0,
        "p_success_ci95": [round(lo, 6), round(hi, 6)],
        "median_return_utc": pct(50),
        "return_utc_p10": pct(10),
        "return_utc_p90": pct(90),
        "return_date_basis": "successful trials",
        "p_return_by_year": years,
        "failure_causes": causes,
        "tubes_returned_mean": round(float(np.mean(tab["tubes_returned"])), 4) if n else 0.0,
        "value_returned_mean": round(float(np.mean(tab["value_returned"])), 4) if n else 0.0,
        "tubes_returned_mean_if_success": round(float(np.mean(tab["tubes_returned"][ok])), 4) if k else None,
        "p_tube_returned": p_tube,
        "biosignature_tubes": {t.tube_id: t.name for t in s_tubes},
        "milestones": milestones,
        "ero_cruise": _ero_cruise_summary(arch, plan.ero_cruise),
        "sensitivity": sensitivity or {},
    }
    return out


def _ero_cruise_summary(arch, notes: list) -> dict:
    """``results.json``'s ``ero_cruise``: the cruise flown (resolved from the ``ero.cruise``
    setting per opportunity), the setting, the arrival policy and the per-opportunity notes.

    ``model`` is the one model every opportunity flies (``"electric"`` or ``"ballistic"``),
    or ``"mixed"`` (``models`` then lists them in opportunity order, once each).
    """
    models = list(dict.fromkeys(n["cruise_model"] for n in notes))
    return {
        "model": models[0] if len(models) == 1 else ("mixed" if models else arch.ero.cruise_model),
        "models": models,
        "setting": arch.ero.cruise,
        "arrival_policy": arch.ero.cruise_arrival if arch.ero.cruise_model == "electric" else None,
        "opportunities": notes,
    }


# ---------------------------------------------------------------- sensitivity (tornado)


def _beta_quantile(prior, q: float) -> float:
    from scipy.special import betaincinv

    return float(betaincinv(prior.alpha, prior.beta, q))


def sensitivity_cases(arch: Architecture) -> list[tuple[str, str, Architecture, Architecture]]:
    """(label, basis, low architecture, high architecture) for each risk and design parameter.

    Risk priors: the prior's 10th and 90th percentile as a fixed probability. Slips: the
    median halved and doubled. Design parameters: the ranges named in each label (their
    sources: FACTS.md rows quoted in :mod:`msrsim.campaign.model`).
    """
    cases = []
    risk = arch.risk
    for name in type(risk).names():
        prior = getattr(risk, name)
        if prior.p is not None:
            lo = hi = prior.p
            basis = "fixed p (no prior spread)"
        else:
            lo, hi = _beta_quantile(prior, 0.1), _beta_quantile(prior, 0.9)
            basis = "Beta prior P10-P90"

        def with_p(p, name=name):
            return arch.model_copy(
                update={
                    "risk": risk.model_copy(update={name: getattr(risk, name).model_copy(update={"p": p})})
                }
            )

        cases.append((f"risk.{name}", basis, with_p(lo), with_p(hi)))

    def upd(section: str, field_: str, lo, hi, basis: str):
        sec = getattr(arch, section)
        cases.append(
            (
                f"{section}.{field_}",
                basis,
                arch.model_copy(update={section: sec.model_copy(update={field_: lo})}),
                arch.model_copy(update={section: sec.model_copy(update={field_: hi})}),
            )
        )

    sch = arch.schedule
    for elem in ("ero", "lander"):
        spec = getattr(sch, elem)
        cases.append(
            (
                f"schedule.{elem}.median_days",
                "median slip x0.5 / x2",
                arch.model_copy(
                    update={
                        "schedule": sch.model_copy(
                            update={elem: spec.model_copy(update={"median_days": spec.median_days * 0.5})}
                        )
                    }
                ),
                arch.model_copy(
                    update={
                        "schedule": sch.model_copy(
                            update={elem: spec.model_copy(update={"median_days": spec.median_days * 2.0})}
                        )
                    }
                ),
            )
        )
    s = arch.surface
    upd("surface", "global_storm_per_mars_year", 0.2, 0.5, "storm frequency 1 in 5 to 1 in 2 Mars years")
    upd(
        "surface",
        "rover_drive_m_per_driving_sol",
        s.rover_drive_m_per_driving_sol * 0.5,
        s.rover_drive_m_per_driving_sol * 2.0,
        "rover drive x0.5 / x2",
    )
    upd("surface", "rover_loss_per_sol", 0.0, s.rover_loss_per_sol * 5.0, "rover loss 0 / x5 per sol")
    if s.helicopters:
        upd("surface", "helicopter_flight_success", 0.95, 0.995, "helicopter flight success 0.95-0.995")
    lander = arch.lander
    if lander.power == "solar":
        upd("lander", "dust_loss_per_sol", 0.0005, 0.02, "dust loss 0.05-2 %/sol (FACTS.md §9)")
        upd(
            "lander",
            "survival_power_fraction",
            lander.survival_power_fraction * 0.6,
            min(0.95, lander.survival_power_fraction * 1.4),
            "survival power x0.6 / x1.4",
        )
    upd(
        "ero",
        "max_mars_stay_days",
        arch.ero.max_mars_stay_days * 0.8,
        arch.ero.max_mars_stay_days * 1.2,
        "ERO stay limit x0.8 / x1.2",
    )
    upd(
        "mav",
        "max_os_wait_days",
        arch.mav.max_os_wait_days * 0.5,
        arch.mav.max_os_wait_days * 1.5,
        "OS wait allowance x0.5 / x1.5",
    )
    return cases


def sensitivity_tornado(plan: CampaignPlan, trials: int, base: dict | None = None) -> dict:
    """P(success) and median return date at each parameter's low and high value.

    Every case reruns the same trial indices with the same seed (common random numbers:
    each trial keeps its draws, so a difference between cases is the parameter's effect,
    not sampling noise). The once-per-run tables are shared; parameters that change the
    plan itself (legs, vehicles) are not varied here.

    Parameters
    ----------
    plan : CampaignPlan
    trials : int
        Trials per case.
    base : dict, optional
        The base case's trial table on the same trials (recomputed if absent).

    Returns
    -------
    dict
        ``trials``, ``base`` (P(success), median return) and ``parameters``: a list sorted by
        the swing in P(success), each with ``parameter``, ``basis``, ``low``/``high``
        P(success) and median return (UTC date), and the swings.
    """
    from dataclasses import replace

    from .engine import PhysicsMemo

    memo = PhysicsMemo()  # physics of a trial is reused wherever its inputs did not change
    base_memo = simulate_trials(plan, 0, trials, memo=memo)
    if base is None:
        base = base_memo

    def stats(tab):
        ok = tab["outcome_code"] == 0
        p = float(np.mean(ok))
        med = float(np.median(tab["earth_landing_tdb_s"][ok])) if ok.any() else float("nan")
        return p, med

    p0, m0 = stats(base)
    rows = []
    for label, basis, lo_arch, hi_arch in sensitivity_cases(plan.architecture):
        res = []
        for a in (lo_arch, hi_arch):
            tab = simulate_trials(replace(plan, architecture=a), 0, trials, memo=memo)
            res.append(stats(tab))
        (pl, ml), (ph, mh) = res
        swing_days = (abs(mh - ml) / SECONDS_PER_DAY) if math.isfinite(mh) and math.isfinite(ml) else None
        rows.append(
            {
                "parameter": label,
                "basis": basis,
                "p_success_low": round(pl, 6),
                "p_success_high": round(ph, 6),
                "median_return_low_utc": _utc(ml),
                "median_return_high_utc": _utc(mh),
                "p_success_swing": round(abs(ph - pl), 6),
                "median_return_swing_days": None if swing_days is None else round(swing_days, 1),
            }
        )
    rows.sort(key=lambda r: -r["p_success_swing"])
    return {
        "trials": trials,
        "method": "common random numbers (same seed and trial indices per case)",
        "base": {"p_success": round(p0, 6), "median_return_utc": _utc(m0)},
        "parameters": rows,
    }


def run_campaign(
    architecture=None,
    *,
    trials: int = DEFAULT_TRIALS,
    seed: int = 1,
    chunk_size: int | None = None,
    sensitivity_trials: int | None = 500,
    windows=None,
    ephemeris_path: str | None = None,
    progress=None,
    plan: CampaignPlan | None = None,
    bounds: list | None = None,
) -> CampaignResult:
    """Run the campaign Monte Carlo of an architecture.

    Parameters
    ----------
    architecture : Architecture or str, optional
        Architecture or preset name/YAML path (default ``baseline_2022``).
    trials : int
        Monte Carlo trials (1..10,000,000).
    seed : int
        Run seed; the same seed gives the same table however the trials are chunked.
    chunk_size : int, optional
        Trials per chunk (default 5,000).
    sensitivity_trials : int or None
        Trials per case of the sensitivity tornado (capped at ``trials``; None or 0: none).
    windows : list of LegResult, optional
        Precomputed launch windows of the architecture.
    ephemeris_path : str, optional
        SPK kernel instead of DE421.
    progress : callable, optional
        Called with the number of trials done after each chunk.
    plan : CampaignPlan, optional
        A prebuilt plan of the same architecture and seed.
    bounds : list of (start, stop), optional
        Explicit chunk boundaries.

    Returns
    -------
    CampaignResult
    """
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or not 0 <= seed < 2**63:
        raise ConfigError(f"seed={seed!r} must be an integer in 0..2**63-1")
    _check_trials(trials, chunk_size)
    arch = architecture if isinstance(architecture, Architecture) else load_architecture(architecture)
    if plan is None:
        plan = build_plan(arch, seed=int(seed), windows=windows, ephemeris_path=ephemeris_path)
    tab = run_trials(plan, int(trials), chunk_size, progress, bounds)
    sens = None
    if sensitivity_trials:
        ns = min(int(sensitivity_trials), int(trials))
        sens = sensitivity_tornado(plan, ns, {k: v[:ns] for k, v in tab.items()})
    return CampaignResult(plan, tab, summarise(plan, tab, sens))


# ---------------------------------------------------------------- files


def trial_table_arrow(tab: dict, plan: CampaignPlan):
    """The trial table as a pyarrow Table: outcome names and UTC milestone columns added."""
    import pyarrow as pa

    cols = {"trial": tab["trial"], "outcome": np.array(CAUSES, dtype=object)[tab["outcome_code"]]}
    for k, v in tab.items():
        if k == "trial":
            continue
        cols[k] = v
        if k.endswith("_tdb_s"):
            utc = np.full(v.shape, None, dtype=object)
            fin = np.isfinite(v)
            if fin.any():
                utc[fin] = tdb_to_utc(v[fin], "minutes")
            cols[k[:-6] + "_utc"] = utc
    table = pa.table({k: pa.array(v) for k, v in cols.items()})
    meta = {
        b"msrsim.architecture": plan.architecture.name.encode(),
        b"msrsim.seed": str(plan.seed).encode(),
        b"msrsim.catalogue_tube_ids": ",".join(t.tube_id for t in plan.catalogue).encode(),
    }
    return table.replace_schema_metadata(meta)


def write_outputs(result: CampaignResult, out_dir) -> dict:
    """Write ``trials.parquet`` and ``results.json`` under ``out_dir``; return their paths."""
    import json
    import os

    import pyarrow.parquet as pq

    os.makedirs(out_dir, exist_ok=True)
    paths = {
        "trials": os.path.join(out_dir, "trials.parquet"),
        "results": os.path.join(out_dir, "results.json"),
    }
    tmp = paths["trials"] + ".tmp"
    pq.write_table(trial_table_arrow(result.trials, result.plan), tmp)
    os.replace(tmp, paths["trials"])
    tmp = paths["results"] + ".tmp"
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(result.summary, fh, indent=2)
    os.replace(tmp, paths["results"])
    return paths


def record_custody(result: CampaignResult, ledger_path, trial: int | None = None) -> dict:
    """Append the tube-by-tube custody of one trial to a ledger (created with the real history).

    Parameters
    ----------
    result : CampaignResult
    ledger_path : str or Path
        Ledger file; created and seeded with the real history if it does not exist.
    trial : int, optional
        Trial index (default: the first successful trial).

    Returns
    -------
    dict
        ``trial``, ``run`` label, ``events`` appended and the ledger's ``head`` hash.
    """
    from pathlib import Path

    from ..samples.custody import CustodyEvent, Ledger, init_ledger
    from ..surface.operations import SOL_S

    tab = result.trials
    ok = np.flatnonzero(tab["outcome_code"] == 0)
    if trial is None:
        if not ok.size:
            return {"trial": None, "events": 0, "note": "no successful trial to record"}
        trial = int(tab["trial"][ok[0]])
    idx = np.flatnonzero(tab["trial"] == trial)
    if not idx.size:
        raise ConfigError(f"trial={trial!r} is not in this run (0..{int(tab['trial'].size) - 1})")
    i = int(idx[0])
    p = Path(ledger_path)
    led = Ledger(p) if p.exists() else init_ledger(p)[0]
    run = f"{result.architecture.name} seed {result.plan.seed} trial {trial}"
    cat = result.plan.catalogue
    bits = int(tab["tubes_mask"][i])
    success = int(tab["outcome_code"][i]) == 0
    t_rover = tab["rover_arrival_tdb_s"][i]
    t_loaded = tab["tubes_loaded_tdb_s"][i]
    t_mav, t_cap, t_land = tab["mav_launch_tdb_s"][i], tab["capture_tdb_s"][i], tab["earth_landing_tdb_s"][i]
    events = []
    history = led.custody_state(run="")  # tubes with a real custody history to continue
    undated = []
    order = {
        int(t): k for k, t in enumerate(np.concatenate([result.plan.rover_order, result.plan.depot_order]))
    }
    for j, tube in enumerate(cat):
        if not (bits >> j) & 1:
            continue
        if tube.tube_id not in history:
            undated.append(tube.tube_id)
            continue
        k = order.get(j, 0)
        # per-tube hand-over times: one tube per sol from the rover's arrival (rover tubes) or
        # just before the last tube was loaded (depot tubes); the table keeps only counts
        t_hand = (
            (t_rover + k * SOL_S) if tube.location == "rover" and math.isfinite(t_rover) else t_loaded - SOL_S
        )
        t_hand = min(t_hand, t_loaded - 0.5 * SOL_S)
        det = {"trial": trial, "time_basis": "simulated; hand-over at one tube per sol"}
        if tube.location == "depot":
            events.append(
                CustodyEvent(
                    tube.tube_id,
                    "picked_up",
                    t_hand - 0.25 * SOL_S,
                    "helicopter",
                    "Sample Recovery Helicopter",
                    "simulated",
                    run,
                    det,
                )
            )
        events.append(
            CustodyEvent(
                tube.tube_id, "handed_to_lander", t_hand, "SRL", "Sample Transfer Arm", "simulated", run, det
            )
        )
        events.append(
            CustodyEvent(
                tube.tube_id, "loaded_into_os", t_hand + 0.1 * SOL_S, "OS", "SRL", "simulated", run, det
            )
        )
        events.append(
            CustodyEvent(tube.tube_id, "launched", t_mav, "Mars orbit", "MAV", "simulated", run, det)
        )
        if success:
            events.append(CustodyEvent(tube.tube_id, "captured", t_cap, "ERO", "ERO", "simulated", run, det))
            events.append(
                CustodyEvent(tube.tube_id, "contained", t_cap + 60.0, "ERO", "CCRS", "simulated", run, det)
            )
            events.append(CustodyEvent(tube.tube_id, "landed", t_land, "UTTR", "EES", "simulated", run, det))
    events.sort(key=lambda e: (e.t_tdb_s, e.tube_id))
    with led:
        led.append_many(events)
        rep = led.verify()
    return {
        "trial": trial,
        "run": run,
        "events": len(events),
        "ledger": str(p),
        "verified": bool(rep.ok),
        "head": rep.head_hash,
        "tubes_without_history": undated,
    }
