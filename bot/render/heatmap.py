"""The /streak heat map: a contribution-calendar PNG of recent prompt days, and its alt text.

Columns are Monday-start weeks (oldest left, the week holding ``end`` rightmost), rows Mon..Sun.
The picture sits on an opaque slate card so it reads the same on Discord's light and dark themes,
and no state is told by colour alone: answered cells are solid teal, frozen ones ice-blue with a
snowflake, missed ones orange with a cross, the open prompt a bright ring, days without a prompt
a faint outline.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal, get_args

from PIL import Image, ImageDraw, ImageFont

DayStatus = Literal["answered", "frozen", "missed", "open", "none"]
"""``open``: today's prompt, still answerable; ``none``: no prompt that day."""

STATUSES: frozenset[str] = frozenset(get_args(DayStatus))
MAX_WEEKS = 53
ALT_TEXT_LIMIT = 1024

RGB = tuple[int, int, int]
CARD: RGB = (0x43, 0x49, 0x56)
CARD_BORDER: RGB = (0x5D, 0x64, 0x74)
TEXT: RGB = (0xF2, 0xF4, 0xF8)
SUBTLE_TEXT: RGB = (0xC9, 0xCE, 0xD8)
FILL: Mapping[str, RGB] = {
    "answered": (0x2F, 0xC4, 0xB2),
    "frozen": (0xCF, 0xE8, 0xFF),
    "missed": (0xD0, 0x7A, 0x45),
    "open": CARD,
    "none": CARD,
}
"""Each status's cell fill (marks are drawn over it; see ``MARK``)."""
MARK: Mapping[str, RGB] = {
    "frozen": (0x2F, 0x6A, 0xA8),
    "missed": (0x3E, 0x1D, 0x0B),
    "open": TEXT,
    "none": (0x70, 0x78, 0x88),
}
"""The colour of each status's mark: snowflake, cross, or outline."""

PAD = 28
CELL = 44
GAP = 8
PITCH = CELL + GAP
RADIUS = 8
TITLE_SIZE = 32
LABEL_SIZE = 22
SWATCH = 26
MIN_WIDTH = 520
WEEKDAY_LABELS = {0: "Mon", 2: "Wed", 4: "Fri"}
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
LEGEND: tuple[tuple[str, str], ...] = (
    ("answered", "answered"),
    ("frozen", "freeze"),
    ("missed", "missed"),
    ("none", "no prompt"),
)
OPEN_LEGEND = ("open", "open today")


Font = ImageFont.FreeTypeFont | ImageFont.ImageFont


@functools.lru_cache(maxsize=4)
def _font(size: int) -> Font:
    """Return Pillow's built-in font at a pixel size (no font files needed)."""
    return ImageFont.load_default(size=size)


@functools.lru_cache(maxsize=512)
def _has_glyph(size: int, char: str) -> bool:
    """Tell whether the built-in font draws a character rather than its missing-glyph box."""
    font = _font(size)
    return char.isspace() or bytes(font.getmask(char)) != bytes(font.getmask("\U0010fffd"))


def _drawable(text: str, size: int) -> str:
    """Fold accents away and drop characters the built-in font cannot draw (emoji, CJK...)."""
    folded = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return " ".join("".join(c for c in folded if _has_glyph(size, c)).split())


def _fit(text: str, font: Font, width: float) -> str:
    """Shorten text with an ellipsis until it fits a width in pixels."""
    if font.getlength(text) <= width:
        return text
    while text and font.getlength(text + "…") > width:
        text = text[:-1]
    return text.rstrip() + "…"


def window_start(end: dt.date, weeks: int) -> dt.date:
    """Return the Monday that opens the oldest column of a map ending at ``end``."""
    if not 1 <= weeks <= MAX_WEEKS:
        raise ValueError(f"weeks must be between 1 and {MAX_WEEKS}, not {weeks}")
    return end - dt.timedelta(days=end.weekday(), weeks=weeks - 1)


def _statuses(days: Mapping[dt.date, str], *, end: dt.date, weeks: int) -> dict[dt.date, str]:
    """Return every day of the window up to ``end`` with its status; absent days are ``none``."""
    start = window_start(end, weeks)
    window = {start + dt.timedelta(days=i): "none" for i in range((end - start).days + 1)}
    for day, status in days.items():
        if status not in STATUSES:
            raise ValueError(f"unknown day status {status!r} for {day}")
        if day in window:
            window[day] = status
    return window


@dataclass(frozen=True)
class Layout:
    """Where everything goes on a map of ``weeks`` columns, in pixels."""

    weeks: int
    title: str | None
    width: int
    height: int
    grid_left: int
    grid_top: int
    legend_top: int

    @classmethod
    def build(cls, weeks: int, title: str | None, legend: tuple[tuple[str, str], ...]) -> Layout:
        """Measure the labels and lay out title, month row, grid and legend."""
        label = _font(LABEL_SIZE)
        label_w = max(label.getlength(s) for s in WEEKDAY_LABELS.values())
        grid_left = PAD + round(label_w) + 12
        width = max(grid_left + weeks * PITCH - GAP + PAD, MIN_WIDTH)
        top = PAD + (TITLE_SIZE + 18 if title else 0)
        grid_top = top + LABEL_SIZE + 12
        legend_top = grid_top + 7 * PITCH - GAP + 26
        rows = len(_legend_rows(legend, grid_left, width - PAD))
        height = legend_top + rows * SWATCH + (rows - 1) * 12 + PAD
        return cls(weeks, title, width, height, grid_left, grid_top, legend_top)

    def cell(self, column: int, row: int) -> tuple[int, int, int, int]:
        """Return the box of the cell for a week column and weekday row."""
        x = self.grid_left + column * PITCH
        y = self.grid_top + row * PITCH
        return (x, y, x + CELL - 1, y + CELL - 1)


def _legend_rows(legend: tuple[tuple[str, str], ...], left: int, right: int) -> list[list[tuple[str, str, int]]]:
    """Place legend entries left to right, wrapping to a new row when one would overflow."""
    font = _font(LABEL_SIZE)
    rows: list[list[tuple[str, str, int]]] = [[]]
    x = left
    for status, text in legend:
        w = SWATCH + 10 + round(font.getlength(text))
        if rows[-1] and x + w > right:
            rows.append([])
            x = left
        rows[-1].append((status, text, x))
        x += w + 26
    return rows


def _title_text(title: str | None) -> str | None:
    """Return the title as it can be drawn, or None when nothing drawable is left."""
    return (_drawable(title, TITLE_SIZE) or None) if title else None


def _legend(with_open: bool) -> tuple[tuple[str, str], ...]:
    """Return the legend entries, with the open prompt only when the map shows one."""
    return (*LEGEND, OPEN_LEGEND) if with_open else LEGEND


def _draw_cell(draw: ImageDraw.ImageDraw, box: tuple[int, int, int, int], status: str) -> None:
    """Draw one day: a filled or outlined rounded square with its status mark."""
    x0, y0, x1, y1 = box
    size = x1 - x0 + 1
    radius = max(3, size * RADIUS // CELL)
    if status in ("none", "open"):
        width = 2 if status == "none" else max(3, size // 12)
        draw.rounded_rectangle(box, radius, fill=FILL[status], outline=MARK[status], width=width)
        return
    draw.rounded_rectangle(box, radius, fill=FILL[status])
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    if status == "missed":
        arm = size * 0.2
        width = max(2, round(size / 11))
        draw.line([(cx - arm, cy - arm), (cx + arm, cy + arm)], fill=MARK[status], width=width)
        draw.line([(cx - arm, cy + arm), (cx + arm, cy - arm)], fill=MARK[status], width=width)
    elif status == "frozen":
        _snowflake(draw, cx, cy, size * 0.3, MARK[status], max(2, round(size / 16)))


def _snowflake(draw: ImageDraw.ImageDraw, cx: float, cy: float, arm: float, colour: RGB, width: int) -> None:
    """Draw a six-armed snowflake: three crossing strokes with a small V at each tip."""
    # (dx, dy) unit vectors of the six arms, 60 degrees apart, first one straight up.
    arms = ((0.0, -1.0), (0.866, -0.5), (0.866, 0.5), (0.0, 1.0), (-0.866, 0.5), (-0.866, -0.5))
    for dx, dy in arms[:3]:
        draw.line([(cx - dx * arm, cy - dy * arm), (cx + dx * arm, cy + dy * arm)], fill=colour, width=width)
    twig = arm * 0.42
    for i, (dx, dy) in enumerate(arms):
        bx, by = cx + dx * arm * 0.6, cy + dy * arm * 0.6
        for lx, ly in (arms[(i + 1) % 6], arms[(i - 1) % 6]):
            # Bend each twig halfway between its arm and the neighbouring arm.
            tx, ty = (dx + lx) / 2, (dy + ly) / 2
            draw.line([(bx, by), (bx + tx * twig, by + ty * twig)], fill=colour, width=width)


def _month_labels(start: dt.date, end: dt.date, weeks: int) -> list[tuple[int, str]]:
    """Return (column, month) for each column where a month begins; the first column names its own."""
    labels: list[tuple[int, str]] = []
    for column in range(weeks):
        monday = start + dt.timedelta(weeks=column)
        firsts = [monday + dt.timedelta(days=i) for i in range(7) if (monday + dt.timedelta(days=i)).day == 1]
        if firsts and firsts[0] <= end:
            labels.append((column, MONTHS[firsts[0].month - 1]))
        elif column == 0:
            labels.append((column, MONTHS[monday.month - 1]))
    return labels


@functools.lru_cache(maxsize=16)
def _tile(status: str, size: int) -> Image.Image:
    """Return one day's cell drawn on the card, ``size`` pixels square (drawn once, then pasted)."""
    tile = Image.new("RGB", (size, size), CARD)
    _draw_cell(ImageDraw.Draw(tile), (0, 0, size - 1, size - 1), status)
    return tile


@functools.lru_cache(maxsize=8)
def _base(start: dt.date, end: dt.date, weeks: int, title: bool, legend: tuple[tuple[str, str], ...]) -> Image.Image:
    """Return the card without the title and the days: border, month and weekday labels, legend.

    Every member's map of the same window shares it, so a burst of /streak draws it once.
    """
    layout = Layout.build(weeks, "T" if title else None, legend)
    image = Image.new("RGB", (layout.width, layout.height), CARD)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, layout.width - 1, layout.height - 1), outline=CARD_BORDER, width=2)
    label = _font(LABEL_SIZE)
    # Month labels, kept from the right so a later month wins when two would overlap.
    right_limit = float(layout.width - PAD)
    for column, month in reversed(_month_labels(start, end, weeks)):
        x = layout.cell(column, 0)[0]
        if x + label.getlength(month) <= right_limit:
            draw.text((x, layout.grid_top - 12), month, font=label, fill=SUBTLE_TEXT, anchor="ls")
            right_limit = x - 10
    for row, name in WEEKDAY_LABELS.items():
        _x0, y0, _x1, y1 = layout.cell(0, row)
        draw.text((layout.grid_left - 12, (y0 + y1) / 2), name, font=label, fill=SUBTLE_TEXT, anchor="rm")
    for i, row_items in enumerate(_legend_rows(legend, layout.grid_left, layout.width - PAD)):
        y = layout.legend_top + i * (SWATCH + 12)
        for status, text, x in row_items:
            image.paste(_tile(status, SWATCH), (x, y))
            draw.text((x + SWATCH + 10, y + SWATCH / 2), text, font=label, fill=TEXT, anchor="lm")
    return image


def _blends(fg: RGB, bg: RGB, steps: int = 16) -> list[RGB]:
    """Return the shades between a colour and its background (anti-aliased edges and text)."""
    return [tuple(round(b + (f - b) * i / steps) for f, b in zip(fg, bg, strict=True)) for i in range(steps + 1)]  # type: ignore[misc]


@functools.cache
def _palette() -> Image.Image:
    """Return the cards' fixed palette: their colours, and the shades their edges blend through.

    Mapping to it (no dithering) costs under a millisecond and makes the PNG a third the size to
    encode; every colour the cards draw is in it exactly.
    """
    pairs = [(TEXT, CARD), (SUBTLE_TEXT, CARD), (CARD_BORDER, CARD), (MARK["open"], CARD), (MARK["none"], CARD)]
    pairs += [(FILL[s], CARD) for s in ("answered", "frozen", "missed")]
    pairs += [(MARK[s], FILL[s]) for s in ("frozen", "missed")]
    colours = list(dict.fromkeys(c for fg, bg in pairs for c in _blends(fg, bg)))[:256]
    palette = Image.new("P", (1, 1))
    palette.putpalette([v for c in colours for v in c] + [0, 0, 0] * (256 - len(colours)))
    return palette


def render_heatmap(days: Mapping[dt.date, str], *, end: dt.date, weeks: int = 12, title: str | None = None) -> bytes:
    """Draw a member's prompt days as a PNG heat map of the ``weeks`` weeks ending at ``end``.

    ``days`` maps dates to a ``DayStatus``; dates it leaves out count as ``none`` and days after
    ``end`` stay blank. A title is drawn when given, with characters the built-in font lacks left out.
    """
    statuses = _statuses(days, end=end, weeks=weeks)
    start = window_start(end, weeks)
    legend = _legend("open" in statuses.values())
    layout = Layout.build(weeks, _title_text(title), legend)
    image = _base(start, end, weeks, layout.title is not None, legend).copy()
    if layout.title:
        title_font = _font(TITLE_SIZE)
        text = _fit(layout.title, title_font, layout.width - 2 * PAD)
        ImageDraw.Draw(image).text((PAD, PAD), text, font=title_font, fill=TEXT, anchor="lt")
    for day, status in statuses.items():
        image.paste(_tile(status, CELL), layout.cell((day - start).days // 7, day.weekday())[:2])
    return encode(image)


def encode(image: Image.Image) -> bytes:
    """Encode a card (heat map or trend chart) as a PNG in the cards' fixed palette."""
    out = io.BytesIO()
    image.quantize(palette=_palette(), dither=Image.Dither.NONE).save(out, format="PNG", compress_level=1)
    return out.getvalue()


def _short_date(day: dt.date, *, year: bool) -> str:
    """Format a date as '3 Feb' or '3 Feb 2025', whatever the locale."""
    text = f"{day.day} {MONTHS[day.month - 1]}"
    return f"{text} {day.year}" if year else text


def heatmap_alt_text(days: Mapping[dt.date, str], *, end: dt.date, weeks: int = 12) -> str:
    """Describe the heat map in words for screen readers (at most 1024 characters)."""
    statuses = list(_statuses(days, end=end, weeks=weeks).values())
    start = window_start(end, weeks)
    span = f"{_short_date(start, year=start.year != end.year)} to {_short_date(end, year=True)}"
    weeks_text = "week" if weeks == 1 else f"{weeks} weeks"
    head = f"Heat map of the last {weeks_text} ({span})"
    counts = {status: statuses.count(status) for status in STATUSES}
    prompt_days = len(statuses) - counts["none"]
    if not prompt_days:
        return f"{head}: no prompt days."
    parts = [
        f"{prompt_days} prompt day{'s' if prompt_days != 1 else ''}",
        f"{counts['answered']} answered",
        f"{counts['frozen']} kept by a freeze",
        f"{counts['missed']} missed",
    ]
    if counts["open"]:
        parts.append(f"{counts['open']} still open")
    return f"{head}: {', '.join(parts)}."[:ALT_TEXT_LIMIT]
