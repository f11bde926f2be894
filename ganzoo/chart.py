"""Line charts drawn with Pillow, for the loss plot every run writes.

matplotlib draws nicer charts, but it holds about 37 MiB once imported and took about 0.2 s a run to draw
this plot, and a run's loss plot needs only lines, round-valued ticks, a title and a legend. Suites' comparison plots
(``ganzoo.bench.plots``) still use matplotlib.
"""

from __future__ import annotations

import io
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from ganzoo.trainer.atomic import atomic_write

# matplotlib's default colour cycle (tab10), so the loss plot looks like the suites' plots
PALETTE = (
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#7f7f7f",
    "#bcbd22",
    "#17becf",
)
PANEL_SIZE = (600, 400)  # pixels, as matplotlib's 6 x 4 inch panel at 100 dpi
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 70, 15, 30, 45
GRID, FRAME, TEXT = "#e0e0e0", "#000000", "#000000"
Font = ImageFont.FreeTypeFont | ImageFont.ImageFont  # FreeType, which Pillow's wheels include, draws the anchors


@dataclass(frozen=True)
class Panel:
    """One chart: named series of (x, y) points, a title and an x-axis label."""

    title: str
    series: Mapping[str, Sequence[tuple[float, float]]]
    x_label: str = "step"


def nice_ticks(low: float, high: float, count: int = 6) -> list[float]:
    """About ``count`` round tick values (1, 2 or 5 times a power of ten apart) within [low, high]."""
    if not high > low:
        low, high = low - 0.5, low + 0.5
    raw = (high - low) / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw * (1 - 1e-9))
    first = math.ceil(low / step - 1e-9)
    last = math.floor(high / step + 1e-9)
    return [k * step for k in range(first, last + 1)]


def tick_label(value: float, ticks: Sequence[float]) -> str:
    """``value`` with as many decimals as the tick spacing needs (scientific notation for extreme scales)."""
    spacing = ticks[1] - ticks[0] if len(ticks) > 1 else abs(value) or 1.0
    if abs(value) >= 1e6 or spacing < 1e-4:
        return f"{value:.3g}"
    decimals = max(0, -math.floor(math.log10(spacing) + 1e-9))
    return f"{value:.{decimals}f}"


def save_line_charts(panels: Sequence[Panel], path: Path) -> None:
    """Draw ``panels`` side by side into one PNG at ``path``, written atomically."""
    width, height = PANEL_SIZE
    image = Image.new("RGB", (width * len(panels), height), "white")
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=12)
    for index, panel in enumerate(panels):
        _draw_panel(draw, font, panel, index * width)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    atomic_write(path, lambda handle: handle.write(buffer.getvalue()))


def _draw_panel(draw: ImageDraw.ImageDraw, font: Font, panel: Panel, x0: int) -> None:
    width, height = PANEL_SIZE
    left, right, top, bottom = x0 + MARGIN_LEFT, x0 + width - MARGIN_RIGHT, MARGIN_TOP, height - MARGIN_BOTTOM
    points = [point for series in panel.series.values() for point in series]
    xs, ys = [x for x, _ in points], [y for _, y in points]
    x_ticks = nice_ticks(min(xs), max(xs))
    pad = (max(ys) - min(ys)) * 0.05
    y_ticks = nice_ticks(min(ys) - pad, max(ys) + pad)
    x_low, x_high = min(min(xs), x_ticks[0]), max(max(xs), x_ticks[-1])
    y_low, y_high = min(min(ys) - pad, y_ticks[0]), max(max(ys) + pad, y_ticks[-1])

    def place(x: float, y: float) -> tuple[float, float]:
        return (
            left + (x - x_low) / (x_high - x_low) * (right - left),
            bottom - (y - y_low) / (y_high - y_low) * (bottom - top),
        )

    for tick in x_ticks:
        px = place(tick, y_low)[0]
        draw.line([(px, top), (px, bottom)], fill=GRID)
        draw.text((px, bottom + 5), tick_label(tick, x_ticks), fill=TEXT, font=font, anchor="mt")
    for tick in y_ticks:
        py = place(x_low, tick)[1]
        draw.line([(left, py), (right, py)], fill=GRID)
        draw.text((left - 6, py), tick_label(tick, y_ticks), fill=TEXT, font=font, anchor="rm")
    draw.rectangle([left, top, right, bottom], outline=FRAME)
    draw.text(((left + right) / 2, top / 2), panel.title, fill=TEXT, font=font, anchor="mm")
    draw.text(((left + right) / 2, height - 8), panel.x_label, fill=TEXT, font=font, anchor="mb")
    colours = {name: PALETTE[index % len(PALETTE)] for index, name in enumerate(panel.series)}
    for name, series in panel.series.items():
        pixels = [place(x, y) for x, y in series]
        if len(pixels) == 1:
            (px, py), r = pixels[0], 2
            draw.ellipse([px - r, py - r, px + r, py + r], fill=colours[name])
        else:
            draw.line(pixels, fill=colours[name], width=2, joint="curve")
    _legend(draw, font, colours, right, top)


def _legend(draw: ImageDraw.ImageDraw, font: Font, colours: Mapping[str, str], right: int, top: int) -> None:
    """Series names with their colours, in a box in the panel's top-right corner."""
    row, swatch, gap = 16, 20, 6
    text_width = max(draw.textlength(name, font=font) for name in colours)
    box_right, box_top = right - 8, top + 8
    box_left = box_right - (gap + swatch + gap + text_width + gap)
    draw.rectangle([box_left, box_top, box_right, box_top + gap + row * len(colours)], fill="white", outline="#b0b0b0")
    for index, (name, colour) in enumerate(colours.items()):
        y = box_top + gap + row * index + row / 2
        draw.line([(box_left + gap, y), (box_left + gap + swatch, y)], fill=colour, width=2)
        draw.text((box_left + 2 * gap + swatch, y), name, fill=TEXT, font=font, anchor="lm")
