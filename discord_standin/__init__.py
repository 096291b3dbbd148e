"""A wire-level fake of Discord (REST under /api/v10 and the gateway) for the unmodified discord.py."""

from .actors import Actor
from .builder import BOT_PERMISSIONS, EVERYONE_PERMISSIONS, DefaultWorld
from .interactions import InteractionFailed, InteractionSession
from .options import CommandNotAvailable
from .permissions import P
from .replies import Modal, Reply
from .server import FakeDiscord, Violation
from .world import Channel, Guild, Message, Overwrite, Role, User

__all__ = [
    "BOT_PERMISSIONS",
    "EVERYONE_PERMISSIONS",
    "Actor",
    "Channel",
    "CommandNotAvailable",
    "DefaultWorld",
    "FakeDiscord",
    "Guild",
    "InteractionFailed",
    "InteractionSession",
    "Message",
    "Modal",
    "Overwrite",
    "P",
    "Reply",
    "Role",
    "User",
    "Violation",
]
