"""The /feedback mine trend chart: a PNG per dimension over time, whatever the data."""

from __future__ import annotations

import datetime as dt
import io

from PIL import Image

from bot.render.feedback_chart import render_trend, trend_alt_text
from bot.services.feedback import DIMENSION_LABELS

DAY = dt.date(2026, 6, 3)


def _image(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def test_one_panel_per_dimension_on_an_opaque_card() -> None:
    """Five panels of the same height; the card is opaque (it reads the same on light and dark themes)."""
    series = {d: [(DAY, 2.0), (DAY + dt.timedelta(days=7), 3.5)] for d in DIMENSION_LABELS}
    image = _image(render_trend(series, DIMENSION_LABELS, title="alice · feedback trend"))
    assert image.width == 900 and image.convert("RGBA").getextrema()[3] == (255, 255)  # no transparency
    taller = _image(render_trend(series, {**DIMENSION_LABELS, "extra": "Extra"}))
    assert taller.height > image.height
    assert image.getpixel((5, 5)) == image.getpixel((image.width - 5, image.height - 5))


def test_single_points_missing_series_and_undrawable_titles_render() -> None:
    """One day of feedback, a dimension without data and an emoji title still give a PNG and alt text."""
    series = {"communication": [(DAY, 4.0)]}
    data = render_trend(series, DIMENSION_LABELS, title="🎯 名前 · trend")
    assert data.startswith(b"\x89PNG")
    assert (
        trend_alt_text(series, DIMENSION_LABELS) == "Feedback trend per dimension, first to latest day: "
        "Communication 4.0 → 4.0."
    )
    assert trend_alt_text({}, DIMENSION_LABELS) == "Feedback trend: no feedback yet."
