"""``msrsim ascent``: design the MAV ascent, fly the Monte Carlo, report the delivered orbit."""

from __future__ import annotations

from pathlib import Path

import typer

from ._app import app, emit_json


@app.command("ascent")
def ascent(
    trials: int = typer.Option(1000, "--trials", help="Monte Carlo trials (0: nominal only)."),
    seed: int = typer.Option(0, "--seed", help="Random seed (same seed, same result)."),
    config: Path = typer.Option(None, "--config", help="YAML file with mav/site/target/"
                                "dispersions/guidance sections (or an 'ascent:' section)."),
    preset: str = typer.Option(None, "--preset", help="MAV preset: harris (default) or mav_sim."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON only."),
    out: Path = typer.Option(Path("out"), "--out", help="Directory for the figures."),
    figures: bool = typer.Option(True, "--figures/--no-figures", help="Write the figures."),
) -> None:
    """Design the MAV ascent to the target orbit, then fly dispersed trials.

    Prints the nominal delivered orbit, the Δv budget (gravity, drag, steering losses and
    rotation benefit), the Monte Carlo orbit scatter, P(periapsis above the minimum) and the
    OS orbit lifetime; writes ascent_profile.png and ascent_scatter.png under --out.
    """
    import numpy as np

    from ..ascent.params import load_ascent_config, make_config
    from ..errors import ConfigError

    if trials < 0 or trials > 1_000_000:
        raise ConfigError(f"--trials={trials} outside the allowed range 0..1000000")
    cfg = load_ascent_config(config) if config is not None else make_config({})
    if preset is not None:
        if preset not in ("harris", "mav_sim"):
            raise ConfigError(f"--preset={preset!r} unknown; allowed: harris, mav_sim")
        data = cfg.model_dump()
        data["mav"] = {"preset": preset}
        cfg = make_config(data)

    from ..ascent.flight import fly_nominal
    from ..ascent.guidance import design_guidance

    if cfg.guidance is None:
        design = design_guidance(cfg)
        guidance, converged = design.guidance, design.converged
    else:
        guidance, converged = cfg.guidance, None
    hist = fly_nominal(cfg, guidance)
    nom = hist.orbit
    mc = None
    if trials > 0:
        from ..ascent.montecarlo import run_monte_carlo

        mc = run_monte_carlo(cfg, guidance, trials, seed)
    lifetime = None
    if nom["periapsis_alt_km"] > 100.0 and np.isfinite(nom["apoapsis_alt_km"]):
        from ..marsorbit.lifetime import os_lifetime_days

        lifetime = float(os_lifetime_days(nom["periapsis_alt_km"], nom["apoapsis_alt_km"],
                                          nom["inclination_deg"]))
    else:
        lifetime = 0.0
    fig_paths = []
    if figures:
        from ..ascent.figures import plot_profile, plot_scatter

        fig_paths.append(str(plot_profile(hist, out / "ascent_profile.png")))
        if mc is not None:
            fig_paths.append(str(plot_scatter(mc.orbits, cfg.target.min_periapsis_alt_km,
                                              out / "ascent_scatter.png")))

    def fin(x):
        return float(x) if np.isfinite(x) else None

    keys = ("periapsis_alt_km", "apoapsis_alt_km", "inclination_deg", "a_km", "e", "raan_deg",
            "dv_total_m_s", "dv_ideal_m_s", "dv_gravity_loss_m_s", "dv_drag_loss_m_s",
            "dv_steering_loss_m_s", "dv_rotation_benefit_m_s", "dv_other_m_s", "shortfall_m_s",
            "max_q_pa", "max_axial_g", "max_alpha_deg", "coast_s", "flight_time_s")
    result = {k: fin(nom[k]) for k in keys}
    result.update({
        "mav": cfg.mav.name,
        "target": cfg.target.model_dump(),
        "reached_target": converged,
        "orbit_ok": bool(nom["orbit_ok"]),
        "p_orbit_ok": mc.p_orbit_ok if mc is not None else float(nom["orbit_ok"]),
        "os_lifetime_days": lifetime,
        "guidance": guidance.model_dump(),
        "trials": trials,
        "seed": seed,
        "monte_carlo": mc.summary() if mc is not None else None,
        "figures": fig_paths,
    })
    if as_json:
        emit_json(result)
        return
    from rich.console import Console
    from rich.table import Table

    con = Console()
    t = Table(title=f"MAV ascent ({cfg.mav.name}) to {cfg.target.periapsis_alt_km:g} x "
                    f"{cfg.target.apoapsis_alt_km:g} km, {cfg.target.inclination_deg:g} deg")
    t.add_column("quantity")
    t.add_column("nominal", justify="right")
    for k, label in (("periapsis_alt_km", "periapsis altitude (km)"),
                     ("apoapsis_alt_km", "apoapsis altitude (km)"),
                     ("inclination_deg", "inclination (deg)"),
                     ("dv_total_m_s", "Δv total (m/s)"), ("dv_ideal_m_s", "  orbital speed (m/s)"),
                     ("dv_gravity_loss_m_s", "  + gravity loss"), ("dv_drag_loss_m_s", "  + drag loss"),
                     ("dv_steering_loss_m_s", "  + steering loss"),
                     ("dv_rotation_benefit_m_s", "  − rotation benefit"),
                     ("dv_other_m_s", "  + other (ejection, centrifugal)"),
                     ("shortfall_m_s", "shortfall to min. periapsis (m/s)"),
                     ("max_q_pa", "max dynamic pressure (Pa)"), ("max_axial_g", "max acceleration (g)"),
                     ("max_alpha_deg", "max angle of attack (deg)"), ("coast_s", "coast (s)")):
        v = result[k]
        t.add_row(label, "—" if v is None else f"{v:,.2f}")
    t.add_row("OS lifetime (days)", f"{lifetime:,.0f}")
    con.print(t)
    if converged is False:
        con.print("[yellow]target orbit not reached: best orbit shown[/yellow]")
    if mc is not None:
        m = Table(title=f"Monte Carlo, {trials} trials, seed {seed}")
        for c in ("quantity", "mean", "1-sigma", "1 %", "99 %"):
            m.add_column(c, justify="right" if c != "quantity" else "left")
        for k, s in mc.summary().items():
            m.add_row(k, *(f"{s[x]:,.3f}" for x in ("mean", "std", "p01", "p99")))
        con.print(m)
        con.print(f"P(periapsis >= {cfg.target.min_periapsis_alt_km:g} km) = {mc.p_orbit_ok:.4f}")
    for p in fig_paths:
        con.print(f"wrote {p}")
