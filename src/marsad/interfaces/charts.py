"""Server-rendered SVG charts for the web UI: plain strings, no library, nothing fetched.

Every label passes :func:`xml.sax.saxutils.escape` (text and attributes), so a store's text
cannot become markup; the UI shows a chart through ``<img>``, where an SVG runs no script at
all. Days run left to right (the convention of a time axis, in Arabic print too); dates and
numbers are isolated left-to-right runs inside the right-to-left labels.

- :func:`stacked_days`: a value per day split by series (articles per day per outlet).
- :func:`day_bars`: one value per day or month (mentions of an entity over time).
"""
from __future__ import annotations

import datetime as dt
from xml.sax.saxutils import escape, quoteattr

# Okabe-Ito: told apart with the common colour-vision deficiencies; the last is "others".
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#999999")
MAX_SERIES = len(PALETTE) - 1
MAX_BARS = 120  # days shown; a longer span is drawn by week or by month
FONT = "Noto Naskh Arabic, Noto Sans Arabic, DejaVu Sans, sans-serif"
INK, MUTED, GRID = "#1d232a", "#5f6b76", "#dcd8cf"


def _text(x: float, y: float, s: str, size: int = 12, anchor: str = "middle", fill: str = MUTED,
          ltr: bool = False) -> str:
    direction = ' direction="ltr" unicode-bidi="isolate"' if ltr else ' direction="rtl"'
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" fill="{fill}"'
            f'{direction}>{escape(s)}</text>')


def _svg(width: int, height: int, title: str, body: list[str]) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" role="img" aria-label={quoteattr(title)} font-family="{FONT}">'
            f'<title>{escape(title)}</title><rect width="100%" height="100%" fill="#ffffff"/>'
            + "".join(body) + "</svg>")


def _bucket(day: str, span: str) -> str:
    if span == "day":
        return day
    if span == "month":
        return day[:7]
    d = dt.date.fromisoformat(day)
    return (d - dt.timedelta(days=d.weekday())).isoformat()  # the Monday of its week


def buckets(first: str, last: str) -> tuple[str, list[str]]:
    """The span (day, week or month) and every bucket from `first` to `last` (ISO days), at most
    MAX_BARS of them."""
    a, b = dt.date.fromisoformat(first), dt.date.fromisoformat(last)
    days = (b - a).days + 1
    span = "day" if days <= MAX_BARS else "week" if days <= MAX_BARS * 7 else "month"
    out: list[str] = []
    if span == "month":
        y, m = a.year, a.month
        while (y, m) <= (b.year, b.month):
            out.append(f"{y:04d}-{m:02d}")
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    else:
        d = dt.date.fromisoformat(_bucket(first, span))
        while d <= b:
            out.append(d.isoformat())
            d += dt.timedelta(days=1 if span == "day" else 7)
    return span, out[-MAX_BARS:]


def _ticks(labels: list[str], every: int) -> list[int]:
    """Every `every`-th label and the last, without one too close before the last."""
    last = len(labels) - 1
    return [i for i in range(len(labels)) if (i % every == 0 and last - i >= every) or i == last]


def stacked_days(counts: list[tuple[str, str, int]], title: str, width: int = 720, height: int = 260,
                 other: str = "أخرى", legend: bool = True, palette: tuple[str, ...] = PALETTE) -> str:
    """Stacked bars: ``counts`` is (ISO day, series name, value); the MAX_SERIES largest series
    get a colour each, the rest are summed as `other`."""
    counts = [(d, s if s is not None else "؟", int(n)) for d, s, n in counts if d and len(d) >= 10]
    if not counts:
        return _svg(width, 60, title, [_text(width / 2, 35, "لا تواريخ", 14)])
    totals: dict[str, int] = {}
    for _, s, n in counts:
        totals[s] = totals.get(s, 0) + n
    named = sorted(totals, key=lambda s: (-totals[s], s))[:MAX_SERIES]
    if len(totals) > MAX_SERIES + 1:
        series = named + [other]
    else:
        series = sorted(totals, key=lambda s: (-totals[s], s))
    span, keys = buckets(min(d for d, _, _ in counts), max(d for d, _, _ in counts))
    grid: dict[str, dict[str, int]] = {k: {} for k in keys}
    for d, s, n in counts:
        k = _bucket(d[:10], span)
        if k in grid:
            name = s if s in series else other
            grid[k][name] = grid[k].get(name, 0) + n
    top = max(sum(v.values()) for v in grid.values()) or 1
    legend_rows = (len(series) + 3) // 4 if legend else 0
    left, right, top_pad, bottom = 40, 12, 14, 26 + (14 + 22 * legend_rows if legend_rows else 0)
    plot_w, plot_h = width - left - right, height - top_pad - bottom
    bw = plot_w / len(keys)
    body = []
    for value in sorted({0, top // 2, top}):  # grid lines at whole values
        y = top_pad + plot_h * (1 - value / top)
        body.append(f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" stroke="{GRID}"/>')
        body.append(_text(left - 6, y + 4, str(value), 11, "end", ltr=True))
    for i, k in enumerate(keys):
        y = top_pad + plot_h
        for j, s in enumerate(series):
            n = grid[k].get(s, 0)
            if not n:
                continue
            h = plot_h * n / top
            y -= h
            body.append(f'<rect class="bar" x="{left + i * bw + bw * 0.1:.1f}" y="{y:.1f}" width="{max(bw * 0.8, 1):.1f}" '
                        f'height="{h:.1f}" fill="{palette[j if s != other else -1]}">'
                        f'<title>{escape(f"{k} — {s}: {n}")}</title></rect>')
    every = max(1, round(len(keys) / 6))
    for i in _ticks(keys, every):
        x = min(max(left + (i + 0.5) * bw, left + 30), width - right - 30)  # a label never runs off the edge
        body.append(_text(x, top_pad + plot_h + 16, keys[i], 11, ltr=True))
    for j, s in enumerate(series if legend else []):  # legend, right to left as the page reads
        row, col = divmod(j, 4)
        x = width - right - col * (plot_w / 4)
        y = top_pad + plot_h + 34 + row * 22
        body.append(f'<rect x="{x - 12:.1f}" y="{y - 10:.1f}" width="12" height="12" fill="{palette[j if s != other else -1]}"/>')
        n = totals.get(s, sum(v for k2, v in totals.items() if k2 not in named))
        body.append(_text(x - 18, y, f"{s}: {n}", 12, "start", INK))  # rtl: starts at x, runs left
    return _svg(width, height, title, body)


def day_bars(counts: list[tuple[str, int]], title: str, width: int = 720, height: int = 180,
             color: str = PALETTE[0], series: str = "") -> str:
    """Bars of one value per ISO day (by week or month over a long span); `series` names the
    value in each bar's tooltip."""
    return stacked_days([(d, series, n) for d, n in counts], title, width, height, legend=False,
                        palette=(color,) * len(PALETTE))
