"""The one exception services raise when a request cannot be carried out: its text is for the user."""

from __future__ import annotations


class Refused(Exception):
    """A request the bot cannot carry out, with the reason as the user should read it.

    The command tree's error handler shows the text ephemerally; nothing was changed.
    """
