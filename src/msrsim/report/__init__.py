"""Reports a person reads in a browser: the campaign report and the comparison of runs.

Both are single HTML files that open offline (figures inline as SVG, no request of any
kind). :func:`write_report` writes ``report.html`` of a campaign run;
:func:`write_compare` writes ``compare.html`` and ``compare.json`` of several runs.
"""

from __future__ import annotations

from .._lazy import lazy_getattr

__all__ = ["render_report", "write_compare", "write_report"]

_LAZY = {
    "render_report": ("campaign", "render_report"),
    "write_report": ("campaign", "write_report"),
    "write_compare": ("compare", "write_compare"),
}


__getattr__ = lazy_getattr(__name__, _LAZY, globals())
