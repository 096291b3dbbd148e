"""Reading a member's final answer as a number: the forms people write, and nothing else.

Understood: ``0.19``, ``19%``, ``1/6``, ``1 in 6``, ``1.2e-3``, ``≈ 0.19``, ``1,000`` (a thousands
separator) and ``0,19`` (a decimal comma, where it cannot be a thousands separator). Anything else
(ranges, units, words) is not a number: the answer is kept without a verdict. ``19`` for 0.19 is
read as 19, and is simply wrong.
"""

from __future__ import annotations

import math
import re

_APPROX = re.compile(r"^(?:≈|~|=|≃|≅)\s*")
_PLAIN = re.compile(r"^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$")
_THOUSANDS = re.compile(r"^[-+]?[1-9]\d{0,2}(?:,\d{3})+(?:\.\d+)?$")
_DECIMAL_COMMA = re.compile(r"^[-+]?\d+,\d+$")
_FRACTION = re.compile(r"^(\S+)\s*/\s*(\S+)$")
_ONE_IN = re.compile(r"^(\S+)\s+in\s+(\S+)$", re.IGNORECASE)
MINUS_SIGNS = str.maketrans({"−": "-", "–": "-", "\u2009": " ", "\u00a0": " "})


def parse_number(text: str) -> float | None:
    """Return the number ``text`` states, or None when it is not one plain number."""
    spec = _APPROX.sub("", text.translate(MINUS_SIGNS).strip()).strip()
    if not spec:
        return None
    if spec.endswith("%"):
        value = _scalar(spec[:-1].strip())
        return None if value is None else value / 100
    for pattern in (_ONE_IN, _FRACTION):
        match = pattern.match(spec)
        if match:
            top, bottom = _scalar(match[1]), _scalar(match[2])
            if top is None or bottom is None or bottom == 0:
                return None
            return top / bottom
    return _scalar(spec)


def _scalar(text: str) -> float | None:
    if _PLAIN.match(text):
        value = float(text)
    elif _THOUSANDS.match(text):
        value = float(text.replace(",", ""))
    elif _DECIMAL_COMMA.match(text):
        value = float(text.replace(",", "."))
    else:
        return None
    return value if math.isfinite(value) else None
