"""The /streak heat map: a PNG of the right size and colours, blank future days, honest alt text."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from PIL import Image

from bot.render.heatmap import (
    CARD,
    FILL,
    MARK,
    PITCH,
    Layout,
    _legend,
    _title_text,
    heatmap_alt_text,
    render_heatmap,
    window_start,
)

END = dt.date(2025, 4, 30)  # a Wednesday: Thursday to Sunday of the last column lie after it
START = window_start(END, 12)


def cell_box(
    day: dt.date, *, end: dt.date, weeks: int = 12, title: str | None = None, legend_open: bool = False
) -> tuple[int, int, int, int] | None:
    """Return the pixel box of a day's cell in ``render_heatmap``'s image, or None outside the window."""
    start = window_start(end, weeks)
    if not start <= day <= end:
        return None
    layout = Layout.build(weeks, _title_text(title), _legend(legend_open))
    return layout.cell((day - start).days // 7, day.weekday())


def open_png(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    assert image.format == "PNG"
    image.load()
    return image.convert("RGB")


def centre(box: tuple[int, int, int, int] | None) -> tuple[int, int]:
    assert box is not None
    x0, y0, x1, y1 = box
    return (x0 + x1) // 2, (y0 + y1) // 2


def sample_days() -> dict[dt.date, str]:
    return {
        START: "answered",
        START + dt.timedelta(days=1): "missed",
        START + dt.timedelta(days=2): "frozen",
        START + dt.timedelta(days=8): "answered",
        END - dt.timedelta(days=1): "missed",
    }


def test_output_is_png_of_expected_size() -> None:
    """The renderer returns a PNG about 700-900 px wide, small enough to post."""
    data = render_heatmap(sample_days(), end=END, title="Ada · last 12 weeks")
    image = open_png(data)
    assert 700 <= image.width <= 900
    assert 400 <= image.height <= 700
    assert len(data) < 60_000


def test_answered_cell_is_filled_with_the_answered_colour() -> None:
    """The centre of an answered day's cell is the answered fill."""
    image = open_png(render_heatmap(sample_days(), end=END, title="Ada"))
    assert image.getpixel(centre(cell_box(START, end=END, title="Ada"))) == FILL["answered"]


def test_missed_cell_is_orange_with_a_cross() -> None:
    """A missed day's cell is the missed fill, crossed at its centre by the mark."""
    image = open_png(render_heatmap(sample_days(), end=END))
    box = cell_box(START + dt.timedelta(days=1), end=END)
    cx, cy = centre(box)
    assert image.getpixel((cx, cy)) == MARK["missed"]
    assert image.getpixel((cx + 12, cy)) == FILL["missed"]  # beside the cross, off both diagonals


def test_frozen_cell_is_ice_blue() -> None:
    """A frozen day's cell is filled ice-blue next to its snowflake."""
    image = open_png(render_heatmap(sample_days(), end=END))
    box = cell_box(START + dt.timedelta(days=2), end=END)
    assert box is not None
    x0, y0, _x1, _y1 = box
    assert image.getpixel((x0 + 6, y0 + 6)) == FILL["frozen"]


def test_days_after_end_are_blank() -> None:
    """Cells for days after ``end`` in the last column are not drawn: the card shows through."""
    days = sample_days() | {END + dt.timedelta(days=2): "answered"}
    image = open_png(render_heatmap(days, end=END))
    end_box = cell_box(END, end=END)
    assert end_box is not None
    x0, y0, x1, y1 = end_box
    for later in range(1, 7 - END.weekday()):
        y_offset = later * PITCH
        region = image.crop((x0, y0 + y_offset, x1 + 1, y1 + 1 + y_offset))
        assert region.getcolors() == [(region.width * region.height, CARD)]
    assert cell_box(END + dt.timedelta(days=1), end=END) is None


def test_absent_day_gets_a_faint_outline() -> None:
    """A day missing from the mapping is drawn as an outlined 'no prompt' cell."""
    image = open_png(render_heatmap({}, end=END))
    box = cell_box(START + dt.timedelta(days=3), end=END)
    assert box is not None
    x0, y0, x1, y1 = box
    assert image.getpixel(((x0 + x1) // 2, y0)) == MARK["none"]
    assert image.getpixel(((x0 + x1) // 2, (y0 + y1) // 2)) == CARD


def test_alt_text_counts_each_status() -> None:
    """The alt text counts prompt days, answered, frozen and missed days inside the window."""
    days = sample_days() | {
        START - dt.timedelta(days=1): "answered",  # before the window
        END + dt.timedelta(days=1): "missed",  # after end
        END: "open",
    }
    text = heatmap_alt_text(days, end=END)
    assert "last 12 weeks" in text
    assert "6 prompt days" in text
    assert "2 answered" in text
    assert "1 kept by a freeze" in text
    assert "2 missed" in text
    assert "1 still open" in text
    assert len(text) <= 1024


def test_empty_mapping_renders_and_describes() -> None:
    """A member with no prompt days gets a picture and alt text saying so."""
    image = open_png(render_heatmap({}, end=END))
    assert image.width > 0
    assert "no prompt days" in heatmap_alt_text({}, end=END)


def test_title_without_drawable_characters_is_dropped() -> None:
    """A title made only of glyphs the built-in font lacks renders like no title at all."""
    assert render_heatmap({}, end=END, title="🚀🚀") == render_heatmap({}, end=END)


def test_long_title_keeps_the_image_width() -> None:
    """An overlong title is cut short rather than widening the image."""
    assert open_png(render_heatmap({}, end=END, title="x" * 500)).width == open_png(render_heatmap({}, end=END)).width


def test_unknown_status_is_rejected() -> None:
    """A status outside DayStatus is a caller bug and raises."""
    with pytest.raises(ValueError, match="unknown day status"):
        render_heatmap({END: "skipped"}, end=END)
