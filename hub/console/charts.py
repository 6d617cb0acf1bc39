"""The dashboard's charts: SVG drawn on the server and embedded as images (printable, no
script, nothing fetched from elsewhere). Each chart's figures are also given as a table for
screen readers.

Drawn here rather than by a charting package: pygal, the maintained Python SVG library,
installs a legacy import hook in `sys.meta_path` at import time (an ImportWarning on every
later import); two bar-chart shapes do not justify that."""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence
from xml.sax.saxutils import escape

COLOURS = ("#0a4d9c", "#b3261e", "#146c2e", "#7a5200", "#6f42c1", "#57606a")
FONT = "font-family=\"'Noto Sans CJK SC','Microsoft YaHei',sans-serif\""
WIDTH, HEIGHT = 640, 320


def stacked_bars(title: str, labels: Sequence[str], series: Mapping[str, Sequence[int]]) -> str:
    """Vertical bars, one per label, stacked by series, with a legend below."""
    top, bottom, left = 40, 70, 50
    plot_height = HEIGHT - top - bottom
    totals = [sum(values[i] for values in series.values()) for i in range(len(labels))]
    scale = plot_height / max(max(totals, default=0), 1)
    slot = (WIDTH - left - 20) / max(len(labels), 1)
    parts = [_title(title), _axis(left, top + plot_height, WIDTH - 20)]
    for i, label in enumerate(labels):
        x, base = left + i * slot + slot * 0.15, float(top + plot_height)
        for colour, values in zip(COLOURS * 3, series.values(), strict=False):
            height = values[i] * scale
            base -= height
            parts.append(_rect(x, base, slot * 0.7, height, colour))
        parts.append(_text(x + slot * 0.35, top + plot_height + 16, label, anchor="middle"))
        parts.append(_text(x + slot * 0.35, base - 4, str(totals[i]), anchor="middle"))
    parts += _legend(list(series), HEIGHT - 30)
    return _image(parts)


def bars(title: str, values: Mapping[str, float], *, row_height: float | None = None) -> str:
    """Horizontal bars, one per label, in the order given. With `row_height` the chart grows
    to fit every row (a ranking of forty agencies) instead of squeezing them."""
    top, left = 36, 190
    height = HEIGHT if row_height is None else int(top + row_height * len(values) + 10)
    row = row_height or min(26.0, (HEIGHT - top - 10) / max(len(values), 1))
    scale = (WIDTH - left - 60) / max(max(values.values(), default=0), 1)
    parts = [_title(title)]
    for i, (label, value) in enumerate(values.items()):
        y = top + i * row
        parts.append(_text(left - 8, y + row * 0.65, label, anchor="end"))
        parts.append(_rect(left, y + row * 0.15, value * scale, row * 0.7, COLOURS[0]))
        parts.append(_text(left + value * scale + 6, y + row * 0.65, f"{value:g}"))
    return _image(parts, height)


def lines(title: str, labels: Sequence[str], series: Mapping[str, Sequence[float | None]],
          top_value: float = 100) -> str:  # fmt: skip
    """A line per series over the labels (quarters), 0..top_value, gaps where None."""
    top, bottom, left = 40, 70, 50
    plot_height = HEIGHT - top - bottom
    slot = (WIDTH - left - 40) / max(len(labels) - 1, 1)
    parts = [_title(title), _axis(left, top + plot_height, WIDTH - 20)]
    for tick in (0, top_value / 2, top_value):
        y = top + plot_height - tick / top_value * plot_height
        parts.append(_text(left - 6, y + 4, f"{tick:g}", anchor="end", size=11))
    for i, label in enumerate(labels):
        parts.append(_text(left + i * slot, top + plot_height + 16, label, anchor="middle"))
    for colour, values in zip(COLOURS * 3, series.values(), strict=False):
        points = [
            (left + i * slot, top + plot_height - v / top_value * plot_height)
            for i, v in enumerate(values)
            if v is not None
        ]
        if len(points) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
            parts.append(
                f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>'
            )
        parts += [f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}"/>' for x, y in points]
    parts += _legend(list(series), HEIGHT - 30)
    return _image(parts)


def _title(text: str) -> str:
    return _text(WIDTH / 2, 22, text, anchor="middle", size=16)


def _axis(x: float, y: float, end: float) -> str:
    return f'<line x1="{x}" y1="{y}" x2="{end}" y2="{y}" stroke="#57606a"/>'


def _legend(names: list[str], y: float) -> list[str]:
    parts, x = [], 50.0
    for colour, name in zip(COLOURS * 3, names, strict=False):
        parts.append(_rect(x, y - 10, 12, 12, colour))
        parts.append(_text(x + 16, y, name))
        x += 24 + 14 * len(name)
    return parts


def _rect(x: float, y: float, width: float, height: float, colour: str) -> str:
    return (
        f'<rect x="{x:.1f}" y="{y:.1f}" width="{width:.1f}" height="{height:.1f}" fill="{colour}"/>'
    )


def _text(x: float, y: float, text: str, *, anchor: str = "start", size: int = 13) -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" {FONT} '
        f'fill="#1f2328">{escape(text)}</text>'
    )


def _image(parts: list[str], height: int = HEIGHT) -> str:
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
        f'viewBox="0 0 {WIDTH} {height}"><rect width="100%" height="100%" fill="white"/>'
        + "".join(parts)
        + "</svg>"
    )
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()
