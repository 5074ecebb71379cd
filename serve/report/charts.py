"""Charts as inline SVG, drawn in Python: horizontal bars and a heat map. No script and no external file, so the
report opens offline; the text takes the page's CJK font list. Coordinates are rounded, so output is stable."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from html import escape

FONT_PX = 12
ROW_PX = 22
BAR_PX = 14
MAX_LABEL_PX = 260


def text_width(text: str) -> float:
    """Approximate width in pixels: wide (CJK, full-width) characters 1 em, others 0.6 em."""
    return sum(FONT_PX if unicodedata.east_asian_width(c) in "WF" else 0.6 * FONT_PX for c in text)


def fit(text: str, limit: float = MAX_LABEL_PX) -> str:
    """The text, cut with an ellipsis where it would be wider than `limit` pixels."""
    if text_width(text) <= limit:
        return text
    while text and text_width(text + "…") > limit:
        text = text[:-1]
    return text + "…"


def percent(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.1f}%"


def _svg(width: float, height: float, label: str, body: list[str]) -> str:
    return (f'<svg class="chart" width="{width:.0f}" height="{height:.0f}" viewBox="0 0 {width:.0f} {height:.0f}" '
            f'role="img" aria-label="{escape(label)}">' + "".join(body) + "</svg>")


def bar_chart(rows: Sequence[tuple[str, float, str]], label: str, color: str = "#2b6cb0", width: int = 760) -> str:
    """Horizontal bars: (label, value ≥ 0, value as shown) per row, longest bar = largest value."""
    label_px = min(max((text_width(r[0]) for r in rows), default=0), MAX_LABEL_PX) + 10
    value_px = max((text_width(r[2]) for r in rows), default=0) + 8
    scale = max((r[1] for r in rows), default=0) or 1
    area = width - label_px - value_px
    body = []
    for i, (name, value, shown) in enumerate(rows):
        y = i * ROW_PX
        length = area * value / scale
        body.append(
            f'<g><title>{escape(name)}：{escape(shown)}</title>'
            f'<text x="{label_px - 6:.1f}" y="{y + 15:.1f}" text-anchor="end">{escape(fit(name))}</text>'
            f'<rect x="{label_px:.1f}" y="{y + 4:.1f}" width="{length:.1f}" height="{BAR_PX}" fill="{color}"/>'
            f'<text x="{label_px + length + 4:.1f}" y="{y + 15:.1f}">{escape(shown)}</text></g>')
    return _svg(width, max(len(rows), 1) * ROW_PX + 4, label, body)


def _heat_colour(value: float) -> str:
    """White (0) to dark red (1)."""
    value = min(max(value, 0.0), 1.0)
    low, high = (255, 255, 255), (165, 15, 21)
    return "#" + "".join(f"{round(a + (b - a) * value):02x}" for a, b in zip(low, high))


def heat_map(rows: Sequence[str], columns: Sequence[str], values: Sequence[Sequence[float | None]], label: str) -> str:
    """A grid of shares (0–1) with rows × columns labels; None cells are grey."""
    label_px = min(max((text_width(r) for r in rows), default=0), MAX_LABEL_PX) + 10
    cell_w, cell_h, head_h = 96, ROW_PX, 28
    body = [f'<text x="{label_px + j * cell_w + cell_w / 2:.1f}" y="18" text-anchor="middle">{escape(name)}</text>'
            for j, name in enumerate(columns)]
    for i, (name, line) in enumerate(zip(rows, values)):
        y = head_h + i * cell_h
        body.append(f'<text x="{label_px - 6:.1f}" y="{y + 15:.1f}" text-anchor="end">{escape(fit(name))}</text>')
        for j, value in enumerate(line):
            x = label_px + j * cell_w
            fill = "#e2e8f0" if value is None else _heat_colour(value)
            ink = "#ffffff" if value is not None and value > 0.6 else "#1a202c"
            body.append(
                f'<g><title>{escape(name)} · {escape(columns[j])}：{percent(value)}</title>'
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{cell_w - 2}" height="{cell_h - 2}" fill="{fill}"/>'
                f'<text x="{x + cell_w / 2 - 1:.1f}" y="{y + 15:.1f}" text-anchor="middle" fill="{ink}">'
                f'{percent(value)}</text></g>')
    return _svg(label_px + len(columns) * cell_w + 4, head_h + max(len(rows), 1) * cell_h + 4, label, body)
