"""What a sandboxed query can end in, besides a result: each message is written for the member."""

from __future__ import annotations


class SandboxError(Exception):
    """A query gave no result; ``str(error)`` tells the member why."""


class SqlRefused(SandboxError):
    """The query was not run: it is not one statement that only reads, or is too long, or is unreadable."""


class SqlFailed(SandboxError):
    """The query ran and failed, or was stopped by a limit."""


class SandboxBusy(SandboxError):
    """The query was not run to keep the runner fair: the member should try again later."""
