"""The /feedback mine trend chart: one small line chart per dimension, scores 1-5 over time.

Same house style as the heat map: an opaque slate card so it reads the same on Discord's light and
dark themes, Pillow's built-in font, and nothing told by colour alone: every panel is named, shows
its latest score as a number, and marks each day that brought feedback with a dot.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping, Sequence

from PIL import Image, ImageDraw

from bot.render.heatmap import CARD, CARD_BORDER, MONTHS, SUBTLE_TEXT, TEXT, _drawable, _fit, _font, encode

RGB = tuple[int, int, int]
LINE: RGB = (0x2F, 0xC4, 0xB2)
GRID: RGB = (0x5D, 0x64, 0x74)
PAD = 28
TITLE_SIZE = 30
LABEL_SIZE = 20
NAME_WIDTH = 190
VALUE_WIDTH = 70
PANEL_HEIGHT = 96
PANEL_GAP = 30
WIDTH = 900
DOT = 6

Series = Sequence[tuple[dt.date, float]]


def _day(day: dt.date) -> str:
    return f"{day.day} {MONTHS[day.month - 1]}"


def _top(title: bool) -> int:
    return PAD + (TITLE_SIZE + 18 if title else 0)


@functools.lru_cache(maxsize=8)
def _base(labels: tuple[tuple[str, str], ...], title: bool) -> Image.Image:
    """Return the card without the title and the data: border, panel names, grid lines, score labels."""
    top = _top(title)
    height = top + len(labels) * (PANEL_HEIGHT + PANEL_GAP) - PANEL_GAP + LABEL_SIZE + 16 + PAD
    image = Image.new("RGB", (WIDTH, height), CARD)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, WIDTH - 1, height - 1), outline=CARD_BORDER, width=2)
    label = _font(LABEL_SIZE)
    left, right = PAD + NAME_WIDTH, WIDTH - PAD - VALUE_WIDTH
    for index, (_name, text) in enumerate(labels):
        y0 = top + index * (PANEL_HEIGHT + PANEL_GAP)
        y1 = y0 + PANEL_HEIGHT
        draw.text((PAD, (y0 + y1) / 2), _fit(text, label, NAME_WIDTH - 12), font=label, fill=TEXT, anchor="lm")
        for score in (1, 3, 5):
            y = y1 - (score - 1) / 4 * (y1 - y0)
            draw.line([(left, y), (right, y)], fill=GRID, width=1)
            draw.text((left - 8, y), str(score), font=_font(LABEL_SIZE - 4), fill=SUBTLE_TEXT, anchor="rm")
    return image


def render_trend(series: Mapping[str, Series], labels: Mapping[str, str], *, title: str | None = None) -> bytes:
    """Draw one panel per dimension (in ``labels`` order): the mean score per day, 1 at the bottom, 5 at the top."""
    names = list(labels)
    top = _top(bool(title))
    image = _base(tuple(labels.items()), bool(title)).copy()
    draw = ImageDraw.Draw(image)
    label, title_font = _font(LABEL_SIZE), _font(TITLE_SIZE)
    if title:
        text = _fit(_drawable(title, TITLE_SIZE), title_font, WIDTH - 2 * PAD)
        draw.text((PAD, PAD), text, font=title_font, fill=TEXT, anchor="lt")
    days = sorted({day for name in names for day, _ in series.get(name, ())})
    left, right = PAD + NAME_WIDTH, WIDTH - PAD - VALUE_WIDTH

    def x_of(day: dt.date) -> float:
        if len(days) < 2:
            return (left + right) / 2
        return left + (right - left) * (day - days[0]).days / max(1, (days[-1] - days[0]).days)

    for index, name in enumerate(names):
        y0 = top + index * (PANEL_HEIGHT + PANEL_GAP)
        y1 = y0 + PANEL_HEIGHT

        def y_of(score: float, y0: int = y0, y1: int = y1) -> float:
            return y1 - (score - 1) / 4 * (y1 - y0)

        points = [(x_of(day), y_of(score)) for day, score in series.get(name, ())]
        if len(points) > 1:
            draw.line(points, fill=LINE, width=4, joint="curve")
        for x, y in points:
            draw.ellipse((x - DOT, y - DOT, x + DOT, y + DOT), fill=LINE, outline=TEXT, width=2)
        latest = series.get(name, ())
        value = f"{latest[-1][1]:.1f}" if latest else "–"
        draw.text((WIDTH - PAD, (y0 + y1) / 2), value, font=label, fill=TEXT, anchor="rm")
    if days:
        bottom = top + len(names) * (PANEL_HEIGHT + PANEL_GAP) - PANEL_GAP + 10
        draw.text((left, bottom), _day(days[0]), font=label, fill=SUBTLE_TEXT, anchor="lt")
        if len(days) > 1:
            draw.text((right, bottom), _day(days[-1]), font=label, fill=SUBTLE_TEXT, anchor="rt")
    return encode(image)


def trend_alt_text(series: Mapping[str, Series], labels: Mapping[str, str]) -> str:
    """Describe the chart in words for screen readers (at most 1024 characters)."""
    parts = []
    for name, text in labels.items():
        points = series.get(name, ())
        if points:
            parts.append(f"{text} {points[0][1]:.1f} → {points[-1][1]:.1f}")
    if not parts:
        return "Feedback trend: no feedback yet."
    return ("Feedback trend per dimension, first to latest day: " + "; ".join(parts) + ".")[:1024]
