"""The campaign report: ``report.html`` of a finished campaign Monte Carlo.

:func:`write_report` takes a :class:`~msrsim.campaign.montecarlo.CampaignResult` (its plan,
trial table and ``results.json`` summary) and writes one self-contained HTML file with the
headline, the milestone timeline, the return-date distribution, failure causes and the
sensitivity tornado, every leg's porkchop, the SRL and EES landing scatters, the MAV ascent
and delivered orbits, the ERO's Mars phase and rendezvous approach, the sample manifest and
the inputs. Headline numbers are printed from the summary itself (the numbers of
``results.json``); figures are drawn from the trial table. It also writes ``nominal.json``
(the nominal trial's epochs and Δv budget), which ``msrsim compare`` reads.
"""

from __future__ import annotations

import json
import math
import os
import platform
from dataclasses import replace

import numpy as np

from ..errors import ConfigError
from ..timescales import tdb_to_utc
from . import figures as F
from .html import esc, figure, num, page, table
from .svg import MAX_SCATTER_POINTS, figure_svg

#: Perseverance's landing place, Octavia E. Butler Landing, deg (FACTS.md §4).
PERSEVERANCE_LANDING_LAT_LON_DEG = (18.4447, 77.4508)
#: UTTR reference point (range centre), deg, WGS-84 (FACTS.md §4).
UTTR_CENTRE_LAT_LON_DEG = (40.4942, -113.6367)

#: Packages whose versions the report records.
_VERSIONED = ("msrsim", "numpy", "scipy", "numba", "pydantic", "matplotlib", "pyarrow", "pyerfa",
              "jplephem", "de421", "pymsis", "pyyaml")


def software_versions() -> dict:
    """Python and package versions of this run (``"missing"`` where a package is absent)."""
    from importlib.metadata import PackageNotFoundError, version

    out = {"python": platform.python_version(), "platform": platform.platform(terse=True)}
    for name in _VERSIONED:
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = "missing"
    return out


def nominal_trial(plan) -> dict:
    """The nominal trial of a plan: the trial function with no dispersion, slip or failure.

    Returns
    -------
    dict
        Trial-table row (scalars) of :func:`msrsim.campaign.engine.simulate_trials`.
    """
    from ..campaign.engine import simulate_trials

    arch = plan.architecture
    nom = arch.model_copy(update={
        "monte_carlo": arch.monte_carlo.model_copy(update={"dispersions": False, "schedule_slips": False}),
        "risk": arch.risk.model_copy(update={"enabled": False}),
    })
    row = simulate_trials(replace(plan, architecture=nom, selection_cache={}), 0, 1)
    return {k: np.asarray(v)[0].item() for k, v in row.items()}


def _pct(x) -> str:
    return "—" if x is None else f"{100 * float(x):.1f} %"


def _utc(t) -> str:
    t = float(t)
    return tdb_to_utc(t, "date") if math.isfinite(t) else "—"


def _headline(s: dict) -> str:
    lo, hi = s["p_success_ci95"]
    causes = list(s["failure_causes"].items())[:3]
    cards = [
        (num("p_success", s["p_success"], _pct(s["p_success"])),
         "P(samples on Earth) — 95 % Wilson interval "
         + num("p_success_ci95.0", lo, _pct(lo)) + " – " + num("p_success_ci95.1", hi, _pct(hi))),
        (num("median_return_utc", s["median_return_utc"], s["median_return_utc"] or "—"),
         "median return date (successful trials)"),
        (num("return_utc_p10", s["return_utc_p10"], s["return_utc_p10"] or "—") + " – "
         + num("return_utc_p90", s["return_utc_p90"], s["return_utc_p90"] or "—"),
         "P10 – P90 return date"),
        (num("tubes_returned_mean", s["tubes_returned_mean"], f"{s['tubes_returned_mean']:.2f}"),
         "tubes returned per trial (mean over all trials)"),
    ]
    html = '<div class="cards">' + "".join(
        f'<div class="card"><div class="big">{big}</div><div class="lbl">{lbl}</div></div>'
        for big, lbl in cards
    ) + "</div>"
    rows = [[i + 1, esc(c), num(f"failure_causes.{c}", p, _pct(p))] for i, (c, p) in enumerate(causes)]
    html += "<p><b>Top failure causes</b></p>" + (
        table(["#", "cause", "probability"], rows, numeric={2}) if rows else "<p>No trial failed.</p>")
    return html


def _milestone_table(s: dict, nominal: dict) -> str:
    rows = []
    for m in s["milestones"]:
        k = m["column"]
        rows.append([esc(m["milestone"]), _utc(nominal.get(k, math.nan)),
                     num(f"milestones.{k}.p10_utc", m.get("p10_utc"), m.get("p10_utc") or "—"),
                     num(f"milestones.{k}.p50_utc", m.get("p50_utc"), m.get("p50_utc") or "—"),
                     num(f"milestones.{k}.p90_utc", m.get("p90_utc"), m.get("p90_utc") or "—"),
                     num(f"milestones.{k}.p_reached", m["p_reached"], _pct(m["p_reached"]))])
    return table(["milestone", "nominal (UTC)", "P10", "median", "P90", "reached"], rows, numeric={5})


def _manifest(plan, s: dict, nominal_mask: int) -> str:
    rows = []
    flags = []
    for i, t in enumerate(plan.catalogue):
        p = s["p_tube_returned"].get(t.tube_id)
        in_nominal = bool((int(nominal_mask) >> i) & 1)
        flags.append(bool(t.potential_biosignature))
        rows.append([t.tube_id, t.name, t.category, t.geologic_unit or "—", t.location, t.status,
                     "yes" if in_nominal else "no",
                     num(f"p_tube_returned.{t.tube_id}", p, _pct(p)) if p is not None else "—",
                     "POTENTIAL BIOSIGNATURE" if t.potential_biosignature else ""])
    note = ("<p class=\"note\">P(reaches Earth): the fraction of all trials whose returned set holds the "
            "tube. Nominal return set: the tubes the nominal trial (no dispersion, slip or failure) "
            "loads into the OS. The potential-biosignature flag is Sapphire Canyon (Cheyava Falls), "
            "Hurowitz et al., Nature 2025 (FACTS.md §7).</p>")
    return note + table(["tube", "name", "type", "unit", "location", "status", "nominal return set",
                         "P(reaches Earth)", "flag"], rows, numeric={7},
                        row_class=lambda i: "flag" if flags[i] else "")


def _percentile_epochs(tab: dict, key: str) -> dict:
    v = np.asarray(tab[key], dtype=float)
    v = v[np.isfinite(v)]
    if not v.size:
        return {}
    return {f"p{q}_tdb_s": float(np.percentile(v, q)) for q in (10, 50, 90)}


def _places_srl(plan, target) -> dict:
    arch = plan.architecture
    r_km = float(plan.srl_entry[0].prepared.body.r_eq_m) / 1e3
    per_deg_lon = r_km * math.cos(math.radians(target.lat_deg)) * math.pi / 180.0
    sfc = arch.surface
    return {
        "Perseverance landing site (Octavia E. Butler Landing, FACTS.md §4)":
            (*PERSEVERANCE_LANDING_LAT_LON_DEG, "^"),
        f"Perseverance's hand-over point (model: {sfc.rover_standoff_km:g} km west of target)":
            (target.lat_deg, target.lon_deg - sfc.rover_standoff_km / per_deg_lon, "v"),
        f"Three Forks depot (model: {sfc.depot_offset_km:g} km east of target)":
            (target.lat_deg, target.lon_deg + sfc.depot_offset_km / per_deg_lon, "s"),
    }


def nominal_numbers(plan, nominal: dict) -> dict:
    """The nominal trial's epochs (UTC) and Δv/mass budget (``nominal.json``)."""
    ph = plan.ero_phases[0]
    mo = ph.summary if ph is not None else {}
    asc = plan.ascent_nominal
    out = {
        "architecture": plan.architecture.name,
        "basis": "nominal trial: the trial function with no dispersion, slip or failure",
        "success": int(nominal["outcome_code"]) == 0,
        "epochs_utc": {k[:-6]: (tdb_to_utc(v, "minutes") if math.isfinite(v) else None)
                       for k, v in nominal.items() if k.endswith("_tdb_s")},
        "surface_days": nominal.get("surface_days"),
        "tubes_returned": nominal.get("tubes_returned"),
        "value_returned": nominal.get("value_returned"),
        "ero_mars_phase_dv_m_s": mo.get("dv_total_m_s"),
        "ero_moi_dv_m_s": mo.get("moi_dv_m_s"),
        "ero_spiral_dv_m_s": mo.get("spiral_dv_m_s"),
        "ero_rendezvous_dv_m_s": nominal.get("rendezvous_dv_m_s"),
        "ero_tei_dv_m_s": mo.get("tei_dv_m_s"),
        "ero_moi_propellant_kg": mo.get("moi_propellant_kg"),
        "ero_spiral_xenon_kg": mo.get("spiral_xenon_kg"),
        "ero_tei_propellant_kg": mo.get("tei_propellant_kg"),
        "ero_mass_at_tei_kg": mo.get("mass_at_tei_kg"),
        "mav_dv_total_m_s": float(asc["dv_total_m_s"]) if "dv_total_m_s" in asc else None,
        "mav_periapsis_alt_km": float(asc["periapsis_alt_km"]),
        "mav_apoapsis_alt_km": float(asc["apoapsis_alt_km"]),
    }
    return {k: _clean(v) for k, v in out.items()}


def _clean(v):
    """JSON-ready value: numpy scalars as Python numbers, NaN as None."""
    if isinstance(v, dict):
        return {k: _clean(x) for k, x in v.items()}
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, float) and not math.isfinite(v):
        return None
    return v


def render_report(result) -> tuple[str, dict]:
    """HTML text of a campaign's report and the ``nominal.json`` content.

    Parameters
    ----------
    result : msrsim.campaign.montecarlo.CampaignResult

    Returns
    -------
    (str, dict)
    """
    import yaml

    from ..ascent.flight import fly_nominal
    from ..campaign.engine import CAUSES
    from ..marsorbit.rendezvous import plan_rendezvous

    plan, tab, s = result.plan, result.trials, result.summary
    arch = plan.architecture
    n = int(tab["trial"].size)
    ok = np.asarray(tab["outcome_code"]) == 0
    nominal = nominal_trial(plan)
    sections = []

    # ---- headline
    sections.append(("headline", "Headline", _headline(s) + (
        f"<p class=\"note\">{n:,} trials, seed {s['seed']}; architecture <b>{esc(arch.name)}</b> "
        f"({esc(arch.title)}), source: {esc(arch.source)}. Nominal trial outcome: "
        f"{esc(CAUSES[int(nominal['outcome_code'])])}.</p>")))

    # ---- timeline
    ms = [dict(m, **_percentile_epochs(tab, m["column"])) for m in s["milestones"]]
    svg = figure_svg(F.gantt(ms, nominal, n), "gantt")
    sections.append(("timeline", "Campaign timeline", figure(
        svg, "Bars: P10–P90 over the trials that reached each milestone; tick: median; diamond: the "
        "nominal trial.") + _milestone_table(s, nominal)))

    # ---- return dates
    t_ret = np.asarray(tab["earth_landing_tdb_s"], dtype=float)[ok]
    years = "".join(
        f"<tr><td>{esc(y)}</td><td class=\"r\">{num(f'p_return_by_year.{y}', p, _pct(p))}</td></tr>"
        for y, p in s["p_return_by_year"].items())
    sections.append(("returns", "Return-date distribution", figure(
        figure_svg(F.return_dates(t_ret, n), "returns"),
        "Top: Earth landing dates of the successful trials. Bottom: P(samples on Earth by date) over "
        "all trials; it levels off at P(success).")
        + f"<table><thead><tr><th>year</th><th>P(samples on Earth by the end of it)</th></tr></thead>"
          f"<tbody>{years}</tbody></table>"))

    # ---- failures and tornado
    sens = s.get("sensitivity") or {}
    sections.append(("failures", "Failure causes and sensitivities", '<div class="figs">' + figure(
        figure_svg(F.pareto(s["failure_causes"]), "pareto"),
        "Where the failed trials ended (first failure of each trial).") + figure(
        figure_svg(F.tornado(sens), "tornado"),
        "P(success) at each parameter's low and high value, every case on the same trials and seed.")
        + "</div>"))

    # ---- porkchops
    legs = plan.windows[0] if plan.windows else []
    figs = []
    for k, leg in enumerate(legs):
        if k == plan.ero_leg:
            op = plan.ero_opportunities[0]
            chosen = (op.planned_departure_tdb_s, op.planned_arrival_tdb_s)
        elif k == plan.lander_leg:
            op = plan.lander_opportunities[0]
            chosen = (op.planned_departure_tdb_s, op.planned_arrival_tdb_s)
        elif leg.return_window is not None and math.isfinite(nominal["tei_tdb_s"]):
            chosen = (nominal["tei_tdb_s"], nominal["earth_entry_tdb_s"])
        else:
            chosen = None
        title = f"{leg.vehicle}: {leg.grid.from_body.capitalize()} → {leg.grid.to_body.capitalize()}"
        lp = leg.launch_period
        cap = f"{esc(title)}. Star: the transfer the nominal trial flies."
        if lp is not None:
            cap += (f" Launch period {tdb_to_utc(lp.open_tdb_s, 'date')} – "
                    f"{tdb_to_utc(lp.close_tdb_s, 'date')} ({lp.duration_days:.0f} d), "
                    f"C3 ≤ {lp.c3_max_km2_s2:.2f} km²/s².")
        figs.append(figure(figure_svg(F.porkchop(leg, chosen, title), f"porkchop{k + 1}"), cap))
    sections.append(("porkchops", "Launch windows", '<div class="figs">' + "".join(figs) + "</div>"))

    # ---- landings
    tgt = plan.srl_entry[0].config.target
    r_km = float(plan.srl_entry[0].prepared.body.r_eq_m) / 1e3
    lat, lon = np.asarray(tab["landing_lat_deg"], float), np.asarray(tab["landing_lon_deg"], float)
    landed = np.isfinite(lat) & np.isfinite(lon)
    srl = F.srl_landing(lat[landed], lon[landed], (tgt.lat_deg, tgt.lon_deg), _places_srl(plan, tgt), r_km, n)
    c2 = next(p for p in plan.ees_entry if p is not None).config
    elat = np.asarray(tab["earth_landing_lat_deg"], float)
    elon = np.asarray(tab["earth_landing_lon_deg"], float)
    e_ok = np.isfinite(elat) & np.isfinite(elon)
    ees = F.ees_landing(elat[e_ok], elon[e_ok], np.asarray(tab["in_uttr"], bool)[e_ok],
                        c2.target.polygon_lat_lon_deg, UTTR_CENTRE_LAT_LON_DEG, n)
    thin_note = (f"Scatters draw at most {MAX_SCATTER_POINTS:,} points (a fixed random subset); ellipses "
                 "and counts use every trial.")
    sections.append(("landings", "Landing scatters", '<div class="figs">' + figure(
        figure_svg(srl, "srl"), f"SRL landings at Jezero (target {tgt.lat_deg:.4f}° N, {tgt.lon_deg:.4f}° E, "
        "Mars 2000 areocentric), km from the target, with the 99 % ellipse.") + figure(
        figure_svg(ees, "ees"), "EES landings at the Utah Test and Training Range (WGS-84) with the range "
        "outline of the entry case.") + f"</div><p class=\"note\">{thin_note}</p>"))

    # ---- MAV ascent
    hist = fly_nominal(plan.ascent_config, plan.ascent_guidance)
    nom_asc = plan.ascent_nominal
    mo = plan.mars_orbit_config
    orbits = F.delivered_orbits(tab["mav_periapsis_alt_km"], tab["mav_apoapsis_alt_km"],
                                tab["os_lifetime_days"], tab["os_wait_days"], mo.os.reentry_alt_km,
                                (float(nom_asc["periapsis_alt_km"]), float(nom_asc["apoapsis_alt_km"])))
    sections.append(("ascent", "MAV ascent and the OS orbit", figure(
        figure_svg(F.ascent_profile(hist), "ascent"),
        f"Nominal ascent ({esc(arch.mav.preset)} vehicle): delivered orbit "
        f"{float(nom_asc['periapsis_alt_km']):.0f} × {float(nom_asc['apoapsis_alt_km']):.0f} km, "
        f"{float(nom_asc['inclination_deg']):.2f}°.") + figure(
        figure_svg(orbits, "orbits"),
        "Left: delivered orbits of the trials that flew the MAV (dotted: re-entry altitude). Right: the "
        "OS's wait from lift-off to capture and its drag lifetime.")))

    # ---- ERO Mars phase and rendezvous
    ph = plan.ero_phases[0]
    ep = [nominal[k] for k in ("ero_mars_arrival_tdb_s", "ero_working_orbit_tdb_s", "rendezvous_start_tdb_s",
                               "capture_tdb_s", "tei_tdb_s")]
    names = ("orbit insertion and ion-engine spiral", "working orbit, waiting for the OS",
             "rendezvous and capture", "wait for the return window")
    phases = [(name, ep[i], ep[i + 1]) for i, name in enumerate(names)]
    ero_html = figure(figure_svg(F.ero_timeline(phases, {
        "SRL lands": nominal["lander_landing_tdb_s"], "MAV launch": nominal["mav_launch_tdb_s"]}), "ero"),
        "The ERO at Mars in the nominal trial, from arrival to trans-Earth injection.")
    stay = np.asarray(tab["ero_mars_stay_days"], dtype=float)[ok]
    if stay.size:
        ero_html += (f"<p class=\"note\">ERO stay at Mars over the successful trials: P10 "
                     f"{np.percentile(stay, 10):.0f} d, median {np.percentile(stay, 50):.0f} d, P90 "
                     f"{np.percentile(stay, 90):.0f} d.</p>")
    if ph is not None:
        rv = plan_rendezvous(mo.os, mo.ero, mo.rendezvous, ph.mass_at_rendezvous_kg, ph.ep_thrust_n,
                             delta_raan_deg=ph.summary.get("delta_raan_deg", 0.0))
        r = mo.rendezvous
        traj = rv.trajectory_hill_m
        sgn = float(np.sign(traj[-1, 1]) or -1.0)
        ero_html += figure(figure_svg(F.hill_approach(traj, r.keep_out_radius_m, {
            f"far hold ({r.far_hold_m:.0f} m)": sgn * r.far_hold_m,
            f"near hold ({r.near_hold_m:.0f} m)": sgn * r.near_hold_m}), "hill"),
            f"Terminal approach in the OS's Hill frame (x radial, y along-track): CW transfer to the far "
            f"hold, V-bar hop, straight-line V-bar approach at {r.approach_speed_m_s:g} m/s. Rendezvous "
            f"Δv {rv.dv_total_m_s:.1f} m/s over {rv.duration_days:.1f} d (plan strategy "
            f"{esc(rv.plane_strategy)}).")
    sections.append(("ero", "ERO at Mars and the rendezvous", ero_html))

    # ---- samples
    sections.append(("samples", "Sample manifest", _manifest(plan, s, int(nominal["tubes_mask"]))))

    # ---- inputs
    arch_yaml = yaml.safe_dump(arch.model_dump(mode="json"), sort_keys=False, allow_unicode=True)
    vers = software_versions()
    run_info = {"trials": n, "seed": s["seed"], "architecture": arch.name,
                "sensitivity_trials": sens.get("trials", 0)}
    sections.append(("inputs", "Inputs and software", (
        "<p>Architecture as run (every field, defaults included):</p>"
        f"<pre id=\"inputs-yaml\">{esc(arch_yaml)}</pre>"
        f"<p>Run: <code>{esc(json.dumps(run_info))}</code>. To reproduce: save the YAML above as "
        f"<code>arch.yaml</code> and run <code>msrsim run --config arch.yaml --trials {n} --seed "
        f"{s['seed']} --sensitivity-trials {sens.get('trials', 0)}</code>.</p>"
        + table(["software", "version"], [[k, v] for k, v in vers.items()]))))

    subtitle = [esc(arch.title) + f" — <code>{esc(arch.name)}</code>", "Source: " + esc(arch.source),
                f"{n:,} trials · seed {s['seed']} · msrsim {esc(vers['msrsim'])}"]
    html = page(f"msrsim campaign report: {arch.name}", subtitle, sections)
    return html, nominal_numbers(plan, nominal)


def write_report(result, out_dir) -> dict:
    """Write ``report.html`` and ``nominal.json`` of a campaign run under ``out_dir``.

    Parameters
    ----------
    result : msrsim.campaign.montecarlo.CampaignResult
    out_dir : str or Path

    Returns
    -------
    dict
        ``report`` and ``nominal`` paths, and the report's size in bytes.
    """
    paths = {"report": os.path.join(out_dir, "report.html"), "nominal": os.path.join(out_dir, "nominal.json")}
    try:
        os.makedirs(out_dir, exist_ok=True)  # before drawing: a bad place fails at once
    except OSError as exc:
        raise ConfigError(f"out={str(out_dir)!r}: cannot write the report: {exc.strerror or exc}") from None
    text, nominal = render_report(result)
    try:
        with open(paths["report"], "w", encoding="utf-8") as fh:
            fh.write(text)
        with open(paths["nominal"], "w", encoding="utf-8") as fh:
            json.dump(nominal, fh, indent=2, allow_nan=False, default=_json_default)
    except OSError as exc:
        raise ConfigError(f"out={str(out_dir)!r}: cannot write the report: {exc.strerror or exc}") from None
    paths["bytes"] = len(text.encode("utf-8"))
    return paths


def _json_default(o):
    if isinstance(o, np.generic):
        return o.item()
    raise TypeError(f"not JSON serialisable: {type(o).__name__}")


__all__ = ["nominal_numbers", "nominal_trial", "render_report", "software_versions", "write_report"]
