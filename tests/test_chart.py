"""The loss plot's line charts (Pillow): round ticks inside the data's range, lines where the data says."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageColor

from ganzoo.chart import MARGIN_LEFT, MARGIN_TOP, PALETTE, PANEL_SIZE, Panel, nice_ticks, save_line_charts, tick_label


@pytest.mark.parametrize(
    "low, high", [(0.0, 1.0), (-2.1, 2.5), (3.0, 3.0), (1e-7, 3e-7), (0.0, 60000.0), (-1e9, -1e8), (0.37, 0.38)]
)
def test_ticks_are_round_evenly_spaced_and_inside_the_range(low: float, high: float) -> None:
    ticks = nice_ticks(low, high)
    assert 3 <= len(ticks) <= 13, ticks
    if high > low:
        assert low - 1e-12 <= ticks[0] and ticks[-1] <= high + 1e-12
    spacing = ticks[1] - ticks[0]
    assert all(math.isclose(b - a, spacing, rel_tol=1e-6) for a, b in zip(ticks, ticks[1:]))
    mantissa = spacing / 10 ** math.floor(math.log10(spacing))
    assert any(math.isclose(mantissa, m, rel_tol=1e-6) for m in (1, 2, 5)), spacing


def test_tick_labels_show_the_decimals_the_spacing_needs() -> None:
    assert [tick_label(t, [0.0, 0.2]) for t in (0.0, 0.4, 1.0)] == ["0.0", "0.4", "1.0"]
    assert tick_label(20000.0, [0.0, 10000.0]) == "20000"
    assert tick_label(2e-7, [1e-7, 2e-7]) == "2e-07"


def _pixels_of(image: np.ndarray, colour: str) -> tuple[np.ndarray, np.ndarray]:
    rows, columns = np.nonzero((image == np.array(ImageColor.getrgb(colour))).all(axis=2))
    return rows, columns


def test_each_series_is_drawn_in_its_colour_where_its_values_are(tmp_path: Path) -> None:
    rising = [(float(step), step / 100) for step in range(0, 101, 5)]
    falling = [(x, 1 - y) for x, y in rising]
    path = tmp_path / "chart.png"
    save_line_charts([Panel("one", {"rising": rising, "falling": falling}), Panel("two", {"flat": [(0, 1.0)]})], path)
    image = np.asarray(Image.open(path).convert("RGB"))
    assert image.shape == (PANEL_SIZE[1], 2 * PANEL_SIZE[0], 3)
    for colour, goes_up in ((PALETTE[0], True), (PALETTE[1], False)):
        rows, columns = _pixels_of(image[:, : PANEL_SIZE[0]], colour)
        early = rows[(columns > MARGIN_LEFT + 5) & (columns < MARGIN_LEFT + 100)].mean()
        late = rows[(columns > MARGIN_LEFT + 250) & (columns < MARGIN_LEFT + 350)].mean()
        assert (early > late) == goes_up  # screen rows grow downwards
        assert rows.min() >= MARGIN_TOP - 1
    rows, _ = _pixels_of(image[:, PANEL_SIZE[0] :], PALETTE[0])
    assert len(rows) > 0  # a single point and a zero-height range still draw
