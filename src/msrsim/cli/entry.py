"""``msrsim entry``: atmospheric entry of the lander at Jezero or the EES at Utah."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from ._app import app, emit_json, make_console


@app.command("entry")
def entry_command(
    preset: str = typer.Option("srl-jezero", help="Preset: srl-jezero or ees-uttr."),
    config: Path = typer.Option(None, help="YAML file; its keys override the preset's."),
    trials: int = typer.Option(1000, min=0, help="Monte Carlo trials (0: nominal only)."),
    seed: int = typer.Option(1, help="Random seed."),
    json_out: bool = typer.Option(False, "--json", help="Print a JSON summary only."),
    out: Path = typer.Option(Path("out"), help="Folder for figures and the per-trial results file."),
    plots: bool = typer.Option(True, help="Write figures."),
):
    """Fly the entry: peak g, heating, parachute, landing point; Monte Carlo landing ellipse."""
    import numpy as np

    from ..entry import load_config, load_preset, run_entry

    cfg = load_config(config, base=preset) if config else load_preset(preset)
    res = run_entry(cfg, trials=trials, seed=seed, history=True)
    out.mkdir(parents=True, exist_ok=True)
    tag = cfg.name
    results_file = out / f"entry_{tag}_trials.npz"
    np.savez_compressed(results_file, **{k: np.asarray(v) for k, v in res.trials.items()})
    summary = res.summary(seed=seed)
    summary["results_file"] = str(results_file)
    figs = []
    if plots:
        figs = _figures(res, out)
    summary["figures"] = [str(f) for f in figs]
    if json_out:
        emit_json(summary)
        return 0
    t = Table(title=f"msrsim entry: {tag} ({summary['statistics']}, {trials} trials, seed {seed})")
    t.add_column("quantity")
    t.add_column("value", justify="right")
    rows = [
        ("peak deceleration", f"{summary['peak_g']:.2f} g"),
        ("peak heat flux", f"{summary['peak_heat_flux_w_cm2']:.1f} W/cm²"),
        ("heat load", f"{summary['heat_load_j_cm2']:.0f} J/cm²"),
        ("peak dynamic pressure", f"{summary['peak_qdyn_pa'] / 1e3:.2f} kPa"),
        ("impact / touchdown speed", f"{summary['impact_speed_m_s']:.1f} m/s"),
        ("entry to landing", f"{summary['entry_to_landing_s']:.0f} s"),
        ("landing (mean)", f"{summary['landing_lat_deg']:.4f}°, {summary['landing_lon_deg']:.4f}°"),
    ]
    if summary["deploy_mach"] is not None:
        rows.append(("parachute deploy (nominal)", f"Mach {summary['deploy_mach']:.2f} at "
                     f"{summary['deploy_alt_m'] / 1e3:.1f} km"))
    if summary["ellipse99_major_km"] is not None:
        e99 = f"{summary['ellipse99_major_km']:.1f} × {summary['ellipse99_minor_km']:.1f} km"
        e3s = f"{summary['ellipse3s_major_km']:.1f} × {summary['ellipse3s_minor_km']:.1f} km"
        rows += [("99 % ellipse", e99), ("3σ ellipse", e3s),
                 ("centre offset from target", f"{summary['centre_offset_km']:.2f} km")]
        if summary["p_within_radius"] is not None:
            rows.append((f"P(within {summary['radius_km']:g} km)", f"{summary['p_within_radius']:.4f}"))
        if summary["p_inside_zone"] is not None:
            rows.append(("P(inside zone)", f"{summary['p_inside_zone']:.4f}"))
    rows.append(("skip-outs", str(summary["n_skip_out"])))
    for r in rows:
        t.add_row(*r)
    con = make_console()
    con.print(t)
    con.print(f"per-trial results: {results_file}")
    for f in figs:
        con.print(f"figure: {f}")
    return 0


def _figures(res, out: Path) -> list[Path]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    tag = res.config.name
    h = res.history
    paths = []
    fig, ax = plt.subplots(figsize=(6, 4.5))
    ax.plot(h["speed_m_s"] / 1e3, h["alt_m"] / 1e3)
    ax.set_xlabel("atmosphere-relative speed (km/s)")
    ax.set_ylabel("altitude (km)")
    ax.set_title(f"{tag}: altitude vs velocity (nominal)")
    ax.grid(alpha=0.3)
    p = out / f"entry_{tag}_alt_vel.png"
    fig.savefig(p, dpi=110, bbox_inches="tight")
    plt.close(fig)
    paths.append(p)
    fig, ax = plt.subplots(figsize=(6, 4.5))
    ax.plot(h["t_s"], h["g"], color="C0", label="deceleration (g)")
    ax.set_xlabel("time from entry interface (s)")
    ax.set_ylabel("deceleration (Earth g)", color="C0")
    ax2 = ax.twinx()
    ax2.plot(h["t_s"], h["heat_w_cm2"], color="C3", label="heat flux")
    ax2.set_ylabel("stagnation heat flux (W/cm²)", color="C3")
    ax.set_title(f"{tag}: deceleration and heating (nominal)")
    p = out / f"entry_{tag}_g_heat.png"
    fig.savefig(p, dpi=110, bbox_inches="tight")
    plt.close(fig)
    paths.append(p)
    tr = res.trials
    if res.ellipse.get("ellipse99_major_km"):
        cfg = res.config
        fig, ax = plt.subplots(figsize=(6.5, 5.5))
        ax.scatter(tr["landing_lon_deg"], tr["landing_lat_deg"], s=2, alpha=0.3, label="trials")
        e = res.ellipse
        lat0, lon0 = np.radians(e["centre_lat_deg"]), e["centre_lon_deg"]
        w, vec = np.linalg.eigh(e["cov_en_km2"])
        th = np.linspace(0, 2 * np.pi, 200)
        r_km = res.config.planet == "mars" and 3396.19 or 6378.137
        for k, lab, ls in ((np.sqrt(9.2103), "99 %", "-"), (3.0, "3σ", "--")):
            pts = vec @ (k * np.sqrt(np.maximum(w, 0))[:, None] * np.vstack([np.cos(th), np.sin(th)]))
            ax.plot(lon0 + np.degrees(pts[0] / (r_km * np.cos(lat0))), e["centre_lat_deg"]
                    + np.degrees(pts[1] / r_km), "k" + ls, lw=1, label=f"{lab} ellipse")
        ax.plot(cfg.target.lon_deg, cfg.target.lat_deg, "r*", ms=12, label=cfg.target.name)
        if cfg.target.polygon_lat_lon_deg:
            poly = np.array(cfg.target.polygon_lat_lon_deg + [cfg.target.polygon_lat_lon_deg[0]])
            ax.plot(poly[:, 1], poly[:, 0], "g-", lw=1.5, label=cfg.target.polygon_name)
        if cfg.target.radius_km:
            rr = cfg.target.radius_km
            clat = np.cos(np.radians(cfg.target.lat_deg))
            ax.plot(cfg.target.lon_deg + np.degrees(rr * np.cos(th) / (r_km * clat)),
                    cfg.target.lat_deg + np.degrees(rr * np.sin(th) / r_km), "r:", lw=1,
                    label=f"{rr:g} km of target")
        ax.set_xlabel("longitude (deg E)")
        ax.set_ylabel("planetodetic latitude (deg)")
        ax.set_title(f"{tag}: landing scatter ({len(tr['status'])} trials)")
        ax.set_aspect(1.0 / np.cos(np.radians(cfg.target.lat_deg)))
        ax.legend(fontsize=7, loc="best")
        ax.grid(alpha=0.3)
        p = out / f"entry_{tag}_landing.png"
        fig.savefig(p, dpi=110, bbox_inches="tight")
        plt.close(fig)
        paths.append(p)
    return paths
