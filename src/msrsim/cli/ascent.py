"""``msrsim ascent``: design the MAV ascent, fly the Monte Carlo, report the delivered orbit."""

from __future__ import annotations

from pathlib import Path

import typer

from ._app import app, emit_json, make_console


@app.command("ascent")
def ascent(
    trials: int = typer.Option(1000, "--trials", help="Monte Carlo trials (0: nominal only)."),
    seed: int = typer.Option(0, "--seed", help="Random seed (same seed, same result)."),
    config: Path = typer.Option(None, "--config", help="YAML file with mav/site/target/"
                                "dispersions/guidance sections (or an 'ascent:' section)."),
    preset: str = typer.Option(None, "--preset", help="MAV preset: mav_sim (default) or harris."),
    target: str = typer.Option(None, "--target", help="Target preset: mav_sim (300 km x 25 deg, "
                               "default) or harris (343 km x 25 deg above Harris's 3389.5 km)."),
    launch_utc: str = typer.Option(None, "--launch-utc", help="Lift-off epoch, UTC ISO 8601 "
                                   "(sets the orbit node raan_deg; default 2030-06-01T00:00)."),
    sensitivity: bool = typer.Option(False, "--sensitivity", help="Also fly each dispersion "
                                     "source alone and tabulate the orbit scatter it causes."),
    max_payload: bool = typer.Option(False, "--max-payload", help="Also find the largest "
                                     "payload that still reaches the target."),
    alpha_limit: bool = typer.Option(None, "--alpha-limit/--no-alpha-limit", help="Steer with "
                                     "the angle-of-attack limiter (the default unless the config's "
                                     "guidance says otherwise) or fly the programme unconstrained "
                                     "(for comparison)."),
    closed_loop: bool = typer.Option(False, "--closed-loop/--open-loop", help="Fly the designed "
                                     "steering with closed-loop guidance: SRM1 apoapsis loop in the "
                                     "late burn and the SRM2 energy-management attitude law (same "
                                     "nominal). Default: open loop."),
    misalignment: str = typer.Option(None, "--misalignment", help="Thrust-misalignment model: "
                                     "controlled (SRM1 TVC trims it, SRM2 spin averages it; the "
                                     "default) or uncontrolled (a fixed thrust tilt, for comparison)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON only."),
    out: Path = typer.Option(Path("out"), "--out", help="Directory for the figures."),
    figures: bool = typer.Option(True, "--figures/--no-figures", help="Write the figures."),
) -> None:
    """Design the MAV ascent to the target orbit, then fly dispersed trials.

    Prints the nominal delivered orbit (RAAN in the Mars equator-and-IAU-node frame of the
    launch epoch), the Δv budget (gravity loss by phase, drag, steering, rotation benefit),
    the flight loads against the vehicle's limits (α at high q, q·α, max q, axial g), the
    Monte Carlo orbit and load scatter, P(periapsis above the minimum) and the OS orbit lifetime;
    writes ascent_profile.png and ascent_scatter.png under --out.
    """
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
    if target is not None:
        from ..ascent.params import AscentTarget

        presets = {"mav_sim": AscentTarget.mav_sim, "harris": AscentTarget.harris}
        if target not in presets:
            raise ConfigError(f"--target={target!r} unknown; allowed: mav_sim, harris")
        cfg = cfg.model_copy(update={"target": presets[target]()})
    if misalignment is not None:
        if misalignment not in ("controlled", "uncontrolled"):
            raise ConfigError(f"--misalignment={misalignment!r} unknown; allowed: controlled, "
                              "uncontrolled")
        cfg = cfg.model_copy(update={"dispersions": cfg.dispersions.model_copy(
            update={"misalignment_model": misalignment})})
    if launch_utc is not None:
        data = cfg.model_dump()
        data["launch_epoch_utc"] = launch_utc
        cfg = make_config(data)

    if figures:  # an impossible --out fails now, not after the design (one-line OS error)
        out.mkdir(parents=True, exist_ok=True)
    from ..ascent.study import study_ascent

    study = study_ascent(cfg, trials=trials, seed=seed, sensitivity=sensitivity,
                         max_payload=max_payload, alpha_limit=alpha_limit, closed_loop=closed_loop)
    cfg = study.cfg
    nom = study.nominal
    mc = study.monte_carlo
    sens = study.sensitivity
    lifetime = study.os_lifetime_days
    payload_max = study.payload_max_kg
    converged = study.converged
    fig_paths = []
    if figures:
        from ..ascent.figures import plot_profile, plot_scatter

        fig_paths.append(str(plot_profile(study.history, out / "ascent_profile.png")))
        if mc is not None:
            fig_paths.append(str(plot_scatter(mc.orbits, cfg.target.min_periapsis_alt_km,
                                              out / "ascent_scatter.png")))
    result = study.summary()
    result["figures"] = fig_paths
    if as_json:
        emit_json(result)
        return
    from rich.table import Table

    con = make_console()
    t = Table(title=f"MAV ascent ({cfg.mav.name}) to {cfg.target.periapsis_alt_km:g} x "
                    f"{cfg.target.apoapsis_alt_km:g} km, {cfg.target.inclination_deg:g} deg")
    t.add_column("quantity")
    t.add_column("nominal", justify="right")
    for k, label in (("periapsis_alt_km", "periapsis altitude (km)"),
                     ("apoapsis_alt_km", "apoapsis altitude (km)"),
                     ("inclination_deg", "inclination (deg)"),
                     ("raan_deg", "RAAN, Mars equator / IAU node (deg)"),
                     ("target_dv_m_s", "Δv lacking for the target (m/s)"),
                     ("dv_total_m_s", "Δv total (m/s)"), ("dv_ideal_m_s", "  orbital speed (m/s)"),
                     ("dv_gravity_loss_m_s", "  + gravity loss"),
                     ("dv_gravity_loss_srm1_m_s", "      during SRM1 burn"),
                     ("dv_gravity_loss_coast_m_s", "      during coast (climb)"),
                     ("dv_gravity_loss_srm2_m_s", "      during SRM2 burn"),
                     ("dv_drag_loss_m_s", "  + drag loss"),
                     ("dv_steering_loss_m_s", "  + steering loss"),
                     ("dv_rotation_benefit_m_s", "  − rotation benefit"),
                     ("dv_other_m_s", "  + other (ejection, centrifugal)"),
                     ("shortfall_m_s", "shortfall to min. periapsis (m/s)"),
                     ("max_q_pa", "max dynamic pressure (Pa)"),
                     ("max_axial_g", f"max axial acceleration (g; limit {cfg.mav.max_axial_g:g})"),
                     ("max_alpha_deg_high_q", f"max angle of attack at q > {cfg.mav.alpha_limit_q_pa:g}"
                                              f" Pa (deg; limit {cfg.mav.max_alpha_deg:g})"),
                     ("max_q_alpha_pa_deg", "max q·α (Pa·deg)"),
                     ("max_alpha_deg", "max angle of attack, SRM1, any q (deg)"),
                     ("coast_s", "coast (s)")):
        v = result[k]
        t.add_row(label, "—" if v is None else f"{v:,.2f}")
    t.add_row("OS lifetime (days)", f"{lifetime:,.0f}")
    if payload_max is not None:
        t.add_row("max payload to target (kg)", f"{payload_max:,.2f}")
    con.print(t)
    if converged is False:
        con.print("[yellow]target orbit not reached: best orbit shown[/yellow]")
    if not nom["limits_ok"]:
        con.print("[yellow]nominal flight exceeds the angle-of-attack or axial-acceleration "
                  "limit[/yellow]")
    if mc is not None:
        m = Table(title=f"Monte Carlo, {trials} trials, seed {seed}")
        for c in ("quantity", "mean", "1-sigma", "1 %", "99 %"):
            m.add_column(c, justify="right" if c != "quantity" else "left")
        for k, s in mc.summary().items():
            m.add_row(k, *(f"{s[x]:,.3f}" for x in ("mean", "std", "p01", "p99")))
        con.print(m)
        con.print(f"P(periapsis >= {cfg.target.min_periapsis_alt_km:g} km) = {mc.p_orbit_ok:.4f}; "
                  f"P(within α and axial-g limits) = {mc.p_within_limits:.4f}")
    if sens is not None:
        st = Table(title="Dispersion sensitivity (each source alone)")
        for c in ("source", "1-sigma", "periapsis σ (km)", "periapsis shift (km)", "apoapsis σ (km)",
                  "incl. σ (deg)", "P(ok)"):
            st.add_column(c, justify="left" if c == "source" else "right")
        for k, v in sens.items():
            if k == "rss_of_sources":
                st.add_row("RSS of sources", "", f"{v['periapsis_std_km']:.1f}", "",
                           f"{v['apoapsis_std_km']:.1f}", "", "")
                continue
            sig = "" if v["sigma"] is None else f"{v['sigma']:g} {v['unit']}"
            st.add_row(k, sig, f"{v['periapsis_std_km']:.1f}", f"{v['periapsis_mean_shift_km']:+.1f}",
                       f"{v['apoapsis_std_km']:.1f}", f"{v['inclination_std_deg']:.3f}",
                       f"{v['p_orbit_ok']:.3f}")
        con.print(st)
    for p in fig_paths:
        con.print(f"wrote {p}")
