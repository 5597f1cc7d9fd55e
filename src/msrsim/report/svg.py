"""Matplotlib figures as inline SVG text, and the small helpers every report figure shares.

Figures are drawn with matplotlib's object API (no pyplot state) and written as SVG with
text kept as text (``svg.fonttype = "none"``: the browser's own fonts, nothing embedded or
fetched) and element ids salted per figure, so that many figures can live in one page
without two clip paths sharing an id.
"""

from __future__ import annotations

import io
import re

import numpy as np

from ..timescales import tdb_to_jd_utc

#: JD of 1970-01-01T00:00 UTC, matplotlib's default date epoch.
_UNIX_EPOCH_JD = 2440587.5

#: Most points a scatter figure draws; more trials are thinned to this many (stated on the
#: figure), which keeps a 10,000-trial report small.
MAX_SCATTER_POINTS = 2000


def new_figure(width_in: float = 8.0, height_in: float = 4.5, **subplots):
    """A matplotlib Figure (no pyplot) and its axes.

    Parameters
    ----------
    width_in, height_in : float
        Size, inches (drawn at 96 px per inch in the page).
    **subplots
        Passed to :meth:`matplotlib.figure.Figure.subplots` (``nrows``, ``ncols``...).
    """
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width_in, height_in), dpi=96, layout="constrained")
    return fig, fig.subplots(**subplots)


def tip(fig, artist, text: str) -> None:
    """Attach a hover text to an artist (an SVG ``<title>``, shown by the browser on hover)."""
    tips = fig.__dict__.setdefault("_msrsim_tips", [])
    artist.set_gid(f"tip{len(tips)}")
    tips.append(text)


def figure_svg(fig, name: str) -> str:
    """The figure as an ``<svg>`` element (no XML prolog, no DOCTYPE, ids unique to ``name``).

    Parameters
    ----------
    fig : matplotlib.figure.Figure
    name : str
        Figure name; salts the element ids and becomes the element's ``id``.
    """
    import matplotlib

    buf = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": name, "svg.image_inline": True}):
        fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None})
    text = buf.getvalue()
    start = text.find("<svg")
    text = text[start:]
    # matplotlib's RDF metadata block names outside vocabularies; the page has no use for it
    text = re.sub(r"<metadata>.*?</metadata>", "", text, flags=re.S)
    # one id space per page: prefix every id and its references with the figure's name
    text = re.sub(r'id="([^"]+)"', lambda m: f'id="{name}-{m.group(1)}"', text)
    text = re.sub(r'url\(#([^)]+)\)', lambda m: f"url(#{name}-{m.group(1)})", text)
    text = re.sub(r'href="#([^"]+)"', lambda m: f'href="#{name}-{m.group(1)}"', text)
    for k, t in enumerate(fig.__dict__.get("_msrsim_tips", [])):
        t = t.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        gid = f'<g id="{name}-tip{k}"'
        text = text.replace(gid + ">", gid + f' class="tip"><title>{t}</title>', 1)
    text = text.replace("<svg ", f'<svg id="fig-{name}" class="figure" role="img" ', 1)
    # responsive: the viewBox keeps the aspect ratio, CSS sets the width
    text = re.sub(r'(<svg[^>]*?) width="[^"]+" height="[^"]+"', r"\1", text, count=1)
    return text


def mdate(t_tdb_s) -> np.ndarray:
    """Matplotlib date numbers (days since 1970-01-01 UTC) of TDB epochs."""
    return np.asarray(tdb_to_jd_utc(np.asarray(t_tdb_s, dtype=float))) - _UNIX_EPOCH_JD


def date_axis(ax, axis: str = "x") -> None:
    """Calendar-date ticks (UTC) on one axis."""
    import matplotlib.dates as mdates

    loc = mdates.AutoDateLocator(minticks=3, maxticks=8)
    fmt = mdates.ConciseDateFormatter(loc)
    a = ax.xaxis if axis == "x" else ax.yaxis
    a.set_major_locator(loc)
    a.set_major_formatter(fmt)


def thin(n: int, cap: int = MAX_SCATTER_POINTS, seed: int = 0) -> np.ndarray:
    """Indices of at most ``cap`` of ``n`` points, a fixed random subset in trial order."""
    if n <= cap:
        return np.arange(n)
    return np.sort(np.random.default_rng(seed).choice(n, size=cap, replace=False))


def ellipse99(x, y) -> tuple[np.ndarray, np.ndarray] | None:
    """The 99 % ellipse of a 2-D Gaussian fitted to points, as a closed outline.

    Semi-axes ``sqrt(chi2_2(0.99)) * sqrt(eigenvalue)`` of the sample covariance (the
    convention of :func:`msrsim.entry.run.landing_ellipse`); None with fewer than 3 points.
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    ok = np.isfinite(x) & np.isfinite(y)
    if ok.sum() < 3:
        return None
    pts = np.vstack([x[ok], y[ok]])
    w, vec = np.linalg.eigh(np.cov(pts))
    k99 = np.sqrt(9.210340371976182)  # chi-square, 2 degrees of freedom, 0.99
    th = np.linspace(0.0, 2 * np.pi, 121)
    circle = np.vstack([np.cos(th), np.sin(th)]) * (k99 * np.sqrt(np.maximum(w, 0.0)))[:, None]
    out = vec @ circle + pts.mean(axis=1)[:, None]
    return out[0], out[1]
