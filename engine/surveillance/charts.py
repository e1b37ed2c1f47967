"""Trend charts as server-side SVG: no script, no CDN, readable on a phone (scales to its width).

The weekly counts as a line, the expected band (expected count to alert threshold) shaded, alert
weeks as red dots, hidden small cells as a grey tick over 1-4 (``"< 5"``) or a gap (``"–"``).
"""

from __future__ import annotations

from html import escape

from engine.surveillance.dashboard import Point
from engine.surveillance.privacy import PRIMARY, SMALL

WIDTH, HEIGHT = 360, 180
LEFT, RIGHT, TOP, BOTTOM = 30, 8, 22, 24


def trend_svg(points: list[Point], title: str) -> str:
    """One chart; ``title`` is plain text (escaped here)."""
    peak = max([p.value or 0 for p in points] + [p.threshold or 0 for p in points] + [SMALL])
    peak = max(SMALL, int(peak * 1.1) + 1)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = plot_w / max(1, len(points) - 1)

    def x(i: int) -> float:
        return round(LEFT + i * step, 1)

    def y(v: float) -> float:
        return round(TOP + plot_h - v / peak * plot_h, 1)

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" '
             f'role="img" aria-label="{escape(title)}" class="trend">',
             f'<text x="{LEFT}" y="14" font-size="11" font-weight="bold">{escape(title)}</text>']
    band = [(i, p) for i, p in enumerate(points) if p.expected is not None and p.threshold is not None]
    if band:
        upper = " ".join(f"{x(i)},{y(p.threshold)}" for i, p in band)
        lower = " ".join(f"{x(i)},{y(p.expected)}" for i, p in reversed(band))
        parts.append(f'<polygon points="{upper} {lower}" fill="#cfe3f5" stroke="none"><title>expected to alert '
                     f'threshold</title></polygon>')
    for tick in range(0, peak + 1, max(1, peak // 4)):
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(tick)}" y2="{y(tick)}" stroke="#eee"/>'
                     f'<text x="{LEFT - 3}" y="{y(tick) + 3}" font-size="9" text-anchor="end">{tick}</text>')
    run: list[str] = []
    for i, p in enumerate(points + [None]):  # type: ignore[list-item]
        if p is not None and p.value is not None:
            run.append(f"{x(i)},{y(p.value)}")
            continue
        if len(run) > 1:
            parts.append(f'<polyline points="{" ".join(run)}" fill="none" stroke="#1f4e79" stroke-width="1.6"/>')
        run = []
        if p is not None and p.text == PRIMARY:
            parts.append(f'<line x1="{x(i)}" x2="{x(i)}" y1="{y(1)}" y2="{y(SMALL - 1)}" stroke="#999" '
                         f'stroke-width="2"><title>{escape(p.week)}: &lt; 5</title></line>')
    for i, p in enumerate(points):
        if p.alert:
            parts.append(f'<circle cx="{x(i)}" cy="{y(p.value or 0)}" r="3.5" fill="#c0392b" class="alert">'
                         f'<title>{escape(p.week)}: {escape(p.text)} (alert)</title></circle>')
    for i, p in enumerate(points):
        if i % 13 == 0 or i == len(points) - 1:
            anchor = "end" if i == len(points) - 1 else "start" if i == 0 else "middle"
            parts.append(f'<text x="{x(i)}" y="{HEIGHT - 8}" font-size="9" text-anchor="{anchor}">'
                         f'{escape(p.week[2:])}</text>')
    parts.append("</svg>")
    return "".join(parts)
