"""Figure of a sweep: P(success) and median return date against the varied fields."""

from __future__ import annotations

import json

import numpy as np


def _axis(values: list) -> tuple[np.ndarray, list | None]:
    """Positions of the values on an axis, and tick labels when they are not numbers."""
    if all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
        return np.asarray(values, dtype=float), None
    labels = [v if isinstance(v, str) else json.dumps(v) for v in values]
    return np.arange(len(values), dtype=float), labels


def plot_sweep(rows: list, varies: list, path: str, title: str) -> str:
    """Draw P(success) and the median return year against each varied field.

    One field: two line plots. Two fields: two heat maps (P(success), median return year)
    over the grid. More: one column of panels per field, every variant as a point.

    Parameters
    ----------
    rows : list of dict
        Sweep rows (:func:`msrsim.campaign.sweep.run_sweep`), in grid order.
    varies : list of Vary
        The varied fields.
    path : str
        PNG file to write.
    title : str
        Figure title.

    Returns
    -------
    str
        ``path``.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    p = np.array([r["p_success"] for r in rows], dtype=float)
    year = np.array([r["median_return_year"] for r in rows], dtype=float)
    if len(varies) == 2:
        a, b = varies
        xa, la = _axis(list(a.values))
        xb, lb = _axis(list(b.values))
        fig, axes = plt.subplots(1, 2, figsize=(11, 4.5), constrained_layout=True)
        for ax, z, name, cmap in ((axes[0], p, "P(success)", "viridis"),
                                  (axes[1], year, "median return (year, successful trials)", "magma")):
            grid = z.reshape(len(a.values), len(b.values))
            im = ax.imshow(np.ma.masked_invalid(grid), origin="lower", aspect="auto", cmap=cmap)
            ax.set_xticks(range(len(b.values)), lb or [f"{v:g}" for v in xb], rotation=30)
            ax.set_yticks(range(len(a.values)), la or [f"{v:g}" for v in xa])
            ax.set_xlabel(b.path)
            ax.set_ylabel(a.path)
            fig.colorbar(im, ax=ax, label=name)
            for (i, j), v in np.ndenumerate(grid):
                if np.isfinite(v):
                    ax.text(j, i, f"{v:.2f}" if z is p else f"{v:.1f}", ha="center", va="center",
                            fontsize=7, color="w")
    else:
        fig, axes = plt.subplots(2, len(varies), figsize=(4.5 * len(varies), 6.5), squeeze=False,
                                 constrained_layout=True)
        for k, v in enumerate(varies):
            x, labels = _axis([r[v.path] for r in rows])
            order = np.argsort(x, kind="stable")
            style = "o-" if len(varies) == 1 else "o"
            axes[0, k].plot(x[order], p[order], style)
            axes[1, k].plot(x[order], year[order], style, color="tab:red")
            axes[0, k].set_ylabel("P(success)")
            axes[1, k].set_ylabel("median return (year)")
            axes[1, k].set_xlabel(v.path)
            if labels is not None:
                for ax in axes[:, k]:
                    uniq = sorted(set(zip(x.tolist(), labels, strict=True)))
                    ax.set_xticks([u[0] for u in uniq], [u[1] for u in uniq], rotation=30)
            axes[0, k].set_ylim(-0.02, 1.02)
    fig.suptitle(f"{title} (common random numbers across variants)")
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
