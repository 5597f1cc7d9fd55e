"""Several campaign runs side by side: ``compare.html`` and ``compare.json``.

A run is either a finished run directory (``results.json``, ``trials.parquet`` and, when
the report was written, ``nominal.json``) or a :class:`~msrsim.campaign.montecarlo.
CampaignResult` just computed. :func:`compare_runs` tabulates P(success), return-date
percentiles, failure causes, tubes and value returned, the nominal Δv and mass budget and
surface days; :func:`write_compare` writes the table and the overlaid P(samples on Earth
by date) curves.
"""

from __future__ import annotations

import json
import math
import os

import numpy as np

from ..errors import ConfigError
from . import figures as F
from .html import esc, figure, page, table
from .svg import figure_svg

#: Trial-table columns a comparison reads.
_COLUMNS = ("outcome_code", "earth_landing_tdb_s", "surface_days", "rendezvous_dv_m_s", "tubes_returned")


def load_run_dir(path: str) -> dict:
    """A finished run directory as a comparison entry.

    Raises
    ------
    ConfigError
        No ``results.json`` or ``trials.parquet`` there, or unreadable files.
    """
    import pyarrow.parquet as pq

    res_path = os.path.join(path, "results.json")
    tab_path = os.path.join(path, "trials.parquet")
    for p in (res_path, tab_path):
        if not os.path.isfile(p):
            raise ConfigError(f"run directory {path!r} has no {os.path.basename(p)}; "
                              f"write one with: msrsim run --out {path}")
    try:
        with open(res_path, encoding="utf-8") as fh:
            summary = json.load(fh)
        names = pq.read_schema(tab_path).names
        cols = [c for c in _COLUMNS if c in names]
        t = pq.read_table(tab_path, columns=cols)
        trials = {c: t.column(c).to_numpy(zero_copy_only=False) for c in cols}
    except (OSError, ValueError) as exc:
        raise ConfigError(f"run directory {path!r}: cannot read its results: {exc}") from None
    nominal = None
    nom_path = os.path.join(path, "nominal.json")
    if os.path.isfile(nom_path):
        with open(nom_path, encoding="utf-8") as fh:
            nominal = json.load(fh)
    return {"label": summary.get("architecture", os.path.basename(os.path.normpath(path))),
            "source": f"run directory {path}", "summary": summary, "trials": trials, "nominal": nominal}


def result_entry(result, source: str) -> dict:
    """A just-computed campaign as a comparison entry (its nominal trial included)."""
    from .campaign import nominal_numbers, nominal_trial

    return {"label": result.architecture.name, "source": source, "summary": result.summary,
            "trials": {c: np.asarray(result.trials[c]) for c in _COLUMNS},
            "nominal": nominal_numbers(result.plan, nominal_trial(result.plan))}


def _median(x) -> float | None:
    x = np.asarray(x, dtype=float)
    x = x[np.isfinite(x)]
    return round(float(np.median(x)), 3) if x.size else None


def compare_runs(entries: list[dict]) -> dict:
    """``compare.json``: one row per run, every number from its results.json or trial table.

    Parameters
    ----------
    entries : list of dict
        From :func:`load_run_dir` or :func:`result_entry`.
    """
    if len(entries) < 2:
        raise ConfigError(f"compare needs at least two runs (got {len(entries)}); give two or more "
                          "preset names, architecture files or run directories")
    rows = []
    for e in entries:
        s, tab, nom = e["summary"], e["trials"], e["nominal"] or {}
        ok = np.asarray(tab["outcome_code"]) == 0
        rows.append({
            "label": e["label"],
            "source": e["source"],
            "architecture": s.get("architecture"),
            "title": s.get("title"),
            "trials": s["trials"],
            "seed": s["seed"],
            "p_success": s["p_success"],
            "p_success_ci95": s["p_success_ci95"],
            "return_utc_p10": s["return_utc_p10"],
            "median_return_utc": s["median_return_utc"],
            "return_utc_p90": s["return_utc_p90"],
            "failure_causes": s["failure_causes"],
            "tubes_returned_mean": s["tubes_returned_mean"],
            "value_returned_mean": s["value_returned_mean"],
            "tubes_returned_mean_if_success": s.get("tubes_returned_mean_if_success"),
            "surface_days_median_success": _median(np.asarray(tab["surface_days"], float)[ok]),
            "rendezvous_dv_m_s_median_success": _median(np.asarray(tab["rendezvous_dv_m_s"], float)[ok]),
            "nominal_surface_days": nom.get("surface_days"),
            "nominal_ero_mars_phase_dv_m_s": nom.get("ero_mars_phase_dv_m_s"),
            "nominal_ero_spiral_xenon_kg": nom.get("ero_spiral_xenon_kg"),
            "nominal_ero_mass_at_tei_kg": nom.get("ero_mass_at_tei_kg"),
            "nominal_mav_dv_m_s": nom.get("mav_dv_total_m_s"),
        })
    return {"runs": rows,
            "notes": ("return dates over successful trials; medians of surface days and rendezvous Δv over "
                      "successful trials; nominal_* from each run's nominal trial (no dispersion, slip or "
                      "failure), null where a run directory has no nominal.json. No propellant capacity is "
                      "modelled, so the ERO's mass at trans-Earth injection stands for its margin.")}


def _f(x, fmt: str) -> str:
    return "—" if x is None or (isinstance(x, float) and not math.isfinite(x)) else format(x, fmt)


def render_compare(entries: list[dict], data: dict) -> str:
    """HTML text of the comparison."""
    runs = data["runs"]
    head = [""] + [r["label"] for r in runs]

    def line(name, fn):
        return [name] + [fn(r) for r in runs]

    def pct(x):
        return _f(None if x is None else 100 * x, ".1f") + " %"

    def causes(r):
        top = list(r["failure_causes"].items())[:3]
        return "; ".join(f"{c} {100 * p:.1f} %" for c, p in top) or "none"

    rows = [
        line("source", lambda r: r["source"]),
        line("trials · seed", lambda r: f"{r['trials']:,} · {r['seed']}"),
        line("P(success)", lambda r: f'<span class="num" data-key="{esc(r["label"])}.p_success" '
             f'data-value="{r["p_success"]}">{pct(r["p_success"])}</span>'),
        line("95 % interval", lambda r: f"{pct(r['p_success_ci95'][0])} – {pct(r['p_success_ci95'][1])}"),
        line("return P10", lambda r: r["return_utc_p10"] or "—"),
        line("return median", lambda r: r["median_return_utc"] or "—"),
        line("return P90", lambda r: r["return_utc_p90"] or "—"),
        line("top failure causes", causes),
        line("tubes returned (mean, all trials)", lambda r: _f(r["tubes_returned_mean"], ".2f")),
        line("tubes returned (mean, successes)", lambda r: _f(r["tubes_returned_mean_if_success"], ".2f")),
        line("science value returned (mean)", lambda r: _f(r["value_returned_mean"], ".3f")),
        line("surface days, median of successes", lambda r: _f(r["surface_days_median_success"], ".0f")),
        line("surface days, nominal", lambda r: _f(r["nominal_surface_days"], ".0f")),
        line("ERO Mars-phase Δv, nominal (m/s)", lambda r: _f(r["nominal_ero_mars_phase_dv_m_s"], ".0f")),
        line("rendezvous Δv, median (m/s)", lambda r: _f(r["rendezvous_dv_m_s_median_success"], ".1f")),
        line("ERO spiral xenon, nominal (kg)", lambda r: _f(r["nominal_ero_spiral_xenon_kg"], ".0f")),
        line("ERO mass at TEI, nominal (kg)", lambda r: _f(r["nominal_ero_mass_at_tei_kg"], ".0f")),
        line("MAV Δv budget, nominal (m/s)", lambda r: _f(r["nominal_mav_dv_m_s"], ".0f")),
    ]
    curves = {}
    for e in entries:
        tab = e["trials"]
        ok = np.asarray(tab["outcome_code"]) == 0
        t = np.sort(np.asarray(tab["earth_landing_tdb_s"], dtype=float)[ok])
        curves[e["label"]] = (t, int(np.asarray(tab["outcome_code"]).size))
    svg = figure_svg(F.return_curves(curves), "curves")
    sections = [
        ("table", "Side by side", table(head, rows) + f"<p class=\"note\">{esc(data['notes'])}</p>"),
        ("curves", "P(samples on Earth by date)", figure(
            svg, "Each curve: the fraction of that run's trials whose samples have landed by the date; "
                 "it levels off at the run's P(success).")),
    ]
    return page("msrsim comparison: " + " vs ".join(r["label"] for r in runs),
                [f"{len(runs)} runs"], sections)


def write_compare(entries: list[dict], out_dir) -> dict:
    """Write ``compare.html`` and ``compare.json`` under ``out_dir``; return their paths.

    Raises
    ------
    ConfigError
        Fewer than two runs, or ``out_dir`` cannot be written.
    """
    data = compare_runs(entries)
    # labels must be unique: the same architecture twice gets its seed or position
    seen: dict = {}
    for e, r in zip(entries, data["runs"], strict=True):
        k = seen.setdefault(r["label"], 0)
        seen[r["label"]] = k + 1
        if k:
            r["label"] = e["label"] = f"{r['label']} ({k + 1})"
    text = render_compare(entries, data)
    paths = {"html": os.path.join(out_dir, "compare.html"), "json": os.path.join(out_dir, "compare.json")}
    try:
        os.makedirs(out_dir, exist_ok=True)
        with open(paths["html"], "w", encoding="utf-8") as fh:
            fh.write(text)
        with open(paths["json"], "w", encoding="utf-8") as fh:
            json.dump(data, fh, indent=2)
    except OSError as exc:
        raise ConfigError(
            f"--out={str(out_dir)!r}: cannot write the comparison: {exc.strerror or exc}") from None
    return paths
