"""The self-contained HTML page: one file, styles and script inline, nothing fetched.

Every figure is inline SVG; the page has no ``src``/``href`` to any other place, no web
font and no external stylesheet, so it opens offline and prints. A short inline script
makes figures enlarge on click and records on ``<body>`` whether every figure drew and
whether any script error happened (read by the browser test).
"""

from __future__ import annotations

import html as _html

_CSS = """
:root { --fg:#1b1b1b; --muted:#5f6368; --line:#d0d7de; --bg:#ffffff; --accent:#1f77b4; }
* { box-sizing: border-box; }
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif;
       color: var(--fg); background: var(--bg); margin: 0; line-height: 1.4; }
header { padding: 1.2rem 2rem 0.6rem; border-bottom: 1px solid var(--line); }
header h1 { margin: 0 0 0.3rem; font-size: 1.5rem; }
header p { margin: 0.15rem 0; color: var(--muted); }
nav { padding: 0.4rem 2rem; font-size: 0.85rem; border-bottom: 1px solid var(--line); }
nav a { margin-right: 0.9rem; color: var(--accent); text-decoration: none; }
main { max-width: 1180px; margin: 0 auto; padding: 0 2rem 3rem; }
section { margin-top: 1.6rem; page-break-inside: avoid; }
h2 { font-size: 1.2rem; border-bottom: 1px solid var(--line); padding-bottom: 0.2rem; }
.cards { display: flex; flex-wrap: wrap; gap: 0.8rem; }
.card { border: 1px solid var(--line); border-radius: 6px; padding: 0.6rem 0.9rem; min-width: 12rem; }
.card .big { font-size: 1.5rem; font-weight: 600; }
.card .lbl { color: var(--muted); font-size: 0.8rem; }
.figs { display: flex; flex-wrap: wrap; gap: 1rem; }
figure { margin: 0.6rem 0; flex: 1 1 480px; max-width: 100%; }
figure svg.figure { width: 100%; height: auto; cursor: zoom-in; }
figure.zoom { flex-basis: 100%; }
svg .tip:hover { opacity: 0.7; }
figcaption { color: var(--muted); font-size: 0.85rem; }
table { border-collapse: collapse; font-size: 0.85rem; margin: 0.5rem 0; }
th, td { border: 1px solid var(--line); padding: 0.2rem 0.45rem; text-align: left; vertical-align: top; }
th { background: #f6f8fa; }
td.r { text-align: right; font-variant-numeric: tabular-nums; }
tr.flag td { background: #fff4e5; }
pre { background: #f6f8fa; border: 1px solid var(--line); padding: 0.6rem; overflow-x: auto;
      font-size: 0.78rem; }
.note { color: var(--muted); font-size: 0.85rem; }
@media print { nav { display: none; } figure svg.figure { cursor: auto; }
               main { max-width: none; padding: 0 1rem; } }
"""

_JS = """
(function () {
  var errors = [];
  window.addEventListener('error', function (e) { errors.push(String(e.message)); });
  document.addEventListener('click', function (e) {
    var svg = e.target.closest && e.target.closest('svg.figure');
    if (svg && svg.parentNode) { svg.parentNode.classList.toggle('zoom'); }
  });
  window.addEventListener('load', function () {
    var figs = document.querySelectorAll('svg.figure');
    var drawn = 0;
    for (var i = 0; i < figs.length; i++) {
      var b = figs[i].getBoundingClientRect();
      if (b.width > 10 && b.height > 10 && figs[i].querySelectorAll('path,use,image').length > 0) { drawn++; }
    }
    var t = performance.timing;
    document.body.setAttribute('data-figures', String(figs.length));
    document.body.setAttribute('data-figures-drawn', String(drawn));
    document.body.setAttribute('data-errors', String(errors.length));
    document.body.setAttribute('data-load-ms', String(Date.now() - t.navigationStart));
  });
})();
"""


def esc(text) -> str:
    """HTML-escaped text."""
    return _html.escape(str(text), quote=True)


def num(key: str, value, shown: str) -> str:
    """A number shown in the page, with the ``results.json`` key and raw value attached."""
    raw = "" if value is None else str(value)
    return f'<span class="num" data-key="{esc(key)}" data-value="{esc(raw)}">{esc(shown)}</span>'


def figure(svg: str, caption: str) -> str:
    """An inline SVG figure with its caption."""
    return f"<figure>{svg}<figcaption>{caption}</figcaption></figure>"


def table(header: list, rows: list, numeric: set | None = None, row_class=None) -> str:
    """A plain table; cells are escaped unless they are already HTML (``str`` starting with '<')."""
    numeric = numeric or set()
    head = "".join(f"<th>{esc(h)}</th>" for h in header)
    body = []
    for i, r in enumerate(rows):
        cls = f' class="{row_class(i)}"' if row_class and row_class(i) else ""
        cells = []
        for j, c in enumerate(r):
            text = c if isinstance(c, str) and c.startswith("<") else esc("" if c is None else c)
            cells.append(f'<td class="r">{text}</td>' if j in numeric else f"<td>{text}</td>")
        body.append(f"<tr{cls}>{''.join(cells)}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def page(title: str, subtitle: list, sections: list) -> str:
    """The whole HTML document.

    Parameters
    ----------
    title : str
    subtitle : list of str
        Lines under the title (HTML).
    sections : list of (id, heading, html)
    """
    nav = "".join(f'<a href="#{esc(sid)}">{esc(h)}</a>' for sid, h, _ in sections)
    body = "".join(f'<section id="{esc(sid)}"><h2>{esc(h)}</h2>{content}</section>'
                   for sid, h, content in sections)
    sub = "".join(f"<p>{s}</p>" for s in subtitle)
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        # forbid every fetch: the page is whole as it is
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
        "style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">"
        f"<title>{esc(title)}</title><style>{_CSS}</style></head>"
        f"<body><header><h1>{esc(title)}</h1>{sub}</header><nav>{nav}</nav>"
        f"<main>{body}</main><script>{_JS}</script></body></html>\n"
    )
