"""Histograms drawn as SVG text we write ourselves (no plotting library, byte-identical on
every run), and the card's `images/` files made from them."""

from __future__ import annotations

import math
from pathlib import Path

from builder.output.histograms import Histogram, dataset_histograms
from builder.output.layout import IMAGES_DIR


def escape(text: str) -> str:
    """`&`, `<` and `>` as XML entities (what `xml.sax.saxutils.escape` does, without its
    import of urllib, http and ssl)."""
    return text.replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;")


WIDTH, HEIGHT = 600, 260
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 46, 44
BAR, OPEN_BAR, GRID, INK, MUTED = "#4c78a8", "#9ecae9", "#e3e3e3", "#222222", "#666666"
FONT = "font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\""


def number(x: float) -> str:
    """A short, stable label: integers without a point, others with up to 4 decimals."""
    if x == int(x):
        return str(int(x))
    return f"{x:.4f}".rstrip("0").rstrip(".")


def _ticks(top: int) -> list[int]:
    """Round y-axis ticks from 0 to at least `top` (about four of them)."""
    if top <= 0:
        return [0, 1]
    raw = max(1.0, top / 4)
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if raw <= m * power)
    return list(range(0, math.ceil(top / step) * step + 1, step))


def _bin_label(h: Histogram, i: int) -> str:
    if h.open_last and i == len(h.counts) - 1:
        return f"≥ {number(h.edges[-1])}"
    right = "]" if i == len(h.edges) - 2 else ")"
    return f"[{number(h.edges[i])}, {number(h.edges[i + 1])}{right}"


def svg_histogram(h: Histogram, *, standalone: bool = True) -> str:
    """The histogram as an SVG document (`standalone`) or an element to inline in HTML."""
    ticks = _ticks(max(h.counts))
    ymax = ticks[-1] or 1
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    bar_w = plot_w / len(h.counts)
    base = TOP + plot_h
    title = f"{h.metric.title}: {h.config}"
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{escape(title)}" '
        f'class="histogram">' if standalone else
        f'<svg viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{escape(title)}" '
        f'class="histogram">',
        f"<title>{escape(title)}</title>",
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="#ffffff"/>',
        f'<text x="{LEFT}" y="18" {FONT} font-size="14" font-weight="bold" '
        f'fill="{INK}">{escape(title)}</text>',
        f'<text x="{LEFT}" y="34" {FONT} font-size="11" fill="{MUTED}">'
        f"n = {h.total}, median = {number(h.median)}"
        f"{', last bar: the tail above the 99th percentile' if h.open_last else ''}</text>",
    ]
    for t in ticks:
        y = base - plot_h * t / ymax
        out.append(f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" '
                   f'stroke="{GRID}" stroke-width="1"/>')
        out.append(f'<text x="{LEFT - 6}" y="{y + 4:.1f}" {FONT} font-size="10" '
                   f'fill="{MUTED}" text-anchor="end">{t}</text>')
    for i, count in enumerate(h.counts):
        height = max(plot_h * count / ymax, 1.5 if count else 0)  # one row stays visible
        x = LEFT + i * bar_w
        fill = OPEN_BAR if h.open_last and i == len(h.counts) - 1 else BAR
        out.append(f'<rect x="{x + 0.5:.1f}" y="{base - height:.1f}" width="{bar_w - 1:.1f}" '
                   f'height="{height:.1f}" fill="{fill}"><title>{escape(_bin_label(h, i))}: '
                   f"{count}</title></rect>")
    out.append(f'<line x1="{LEFT}" y1="{base}" x2="{WIDTH - RIGHT}" y2="{base}" '
               f'stroke="{INK}" stroke-width="1"/>')
    every = max(1, math.ceil(48 / bar_w))
    closed = len(h.edges)
    for i in range(0, closed, every):
        if h.open_last and i == closed - 1:
            continue  # the open bar carries its own label
        x = LEFT + i * bar_w
        out.append(f'<text x="{x:.1f}" y="{base + 15}" {FONT} font-size="10" fill="{MUTED}" '
                   f'text-anchor="middle">{number(h.edges[i])}</text>')
    if h.open_last:
        x = LEFT + (len(h.counts) - 0.5) * bar_w
        out.append(f'<text x="{x:.1f}" y="{base + 15}" {FONT} font-size="10" fill="{MUTED}" '
                   f'text-anchor="middle">≥{number(h.edges[-1])}</text>')
    out.append(f'<text x="{LEFT + plot_w / 2:.1f}" y="{HEIGHT - 8}" {FONT} font-size="11" '
               f'fill="{INK}" text-anchor="middle">{escape(h.metric.xlabel)}</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def image_path(h: Histogram) -> str:
    return f"{IMAGES_DIR}/{h.name}.svg"


def write_card_images(root: Path, histograms: list[Histogram]) -> list[dict]:
    """Write each histogram as `images/<config>-<metric>.svg` under `root`; return
    `{path, title, config}` for the card, in the histograms' order."""
    images = []
    for h in histograms:
        rel = image_path(h)
        path = Path(root) / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(svg_histogram(h), encoding="utf-8", newline="\n")
        images.append({"path": rel, "title": f"{h.metric.title}: {h.config}",
                       "config": h.config})
    return images


def card_images(root: Path, paths: list[str]) -> list[dict]:
    """The histograms of the Parquet files among `paths`, written under `root/images/`."""
    return write_card_images(root, dataset_histograms(root, paths))
