"""Discord's documented request limits that its OpenAPI spec leaves out or states more loosely.

Pure functions over parsed JSON bodies, usable without the spec file. Each check appends
``(json path, message)`` pairs; :func:`check_limits` picks the checks by route.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator
from typing import Any

Errors = list[tuple[str, str]]

MAX_CONTENT = 2000
MAX_EMBEDS = 10
MAX_EMBED_TOTAL = 6000
MAX_ACTION_ROWS = 5
MAX_MODAL_COMPONENTS = 5
MAX_V2_COMPONENTS = 40
MAX_COMMANDS = {1: 100, 2: 15, 3: 15}  # per application (global) or per guild, by command type
COMPONENTS_V2_FLAG = 1 << 15
SELECT_TYPES = frozenset({3, 5, 6, 7, 8})
COMMAND_NAME_RE = re.compile(r"^[-_\w]{1,32}$")

_EMBED_TEXT = (("title", 256), ("description", 4096))
_MESSAGE_PAYLOAD_KEYS = ("content", "embeds", "sticker_ids", "components", "attachments", "poll")


def _too_long(errors: Errors, path: str, value: Any, limit: int) -> int:
    """Record ``value`` if it is a string over ``limit`` characters; return its length."""
    if not isinstance(value, str):
        return 0
    if len(value) > limit:
        errors.append((path, f"must be {limit} or fewer in length ({len(value)} given)"))
    return len(value)


def _too_many(errors: Errors, path: str, items: Any, limit: int, what: str) -> list[Any]:
    """Record ``items`` if it is a list longer than ``limit``; return it (or [] if not a list)."""
    if not isinstance(items, list):
        return []
    if len(items) > limit:
        errors.append((path, f"at most {limit} {what} allowed ({len(items)} given)"))
    return items


def _dicts(items: Iterable[Any]) -> Iterator[tuple[int, dict[str, Any]]]:
    return ((i, item) for i, item in enumerate(items) if isinstance(item, dict))


def _embed_text(errors: Errors, path: str, embed: dict[str, Any]) -> int:
    """Check one embed's text limits; return how many characters count towards the 6,000 total."""
    total = sum(_too_long(errors, f"{path}.{key}", embed.get(key), limit) for key, limit in _EMBED_TEXT)
    for i, fld in _dicts(_too_many(errors, f"{path}.fields", embed.get("fields"), 25, "fields")):
        total += _too_long(errors, f"{path}.fields[{i}].name", fld.get("name"), 256)
        total += _too_long(errors, f"{path}.fields[{i}].value", fld.get("value"), 1024)
    for key, sub, limit in (("footer", "text", 2048), ("author", "name", 256)):
        if isinstance(embed.get(key), dict):
            total += _too_long(errors, f"{path}.{key}.{sub}", embed[key].get(sub), limit)
    return total


def _listed(path: str, items: Any) -> list[tuple[str, dict[str, Any]]]:
    return [(f"{path}[{i}]", c) for i, c in _dicts(items if isinstance(items, list) else [])]


def check_components(errors: Errors, components: list[tuple[str, dict[str, Any]]]) -> int:
    """Check (path, component) pairs and everything nested in them; return the component count."""
    count = 0
    for here, comp in components:
        kind = comp.get("type")
        count += 1
        _too_long(errors, f"{here}.custom_id", comp.get("custom_id"), 100)
        if kind == 1:
            children = [c for c in comp.get("components") or [] if isinstance(c, dict)]
            if sum(c.get("type") == 2 for c in children) > 5:
                errors.append((f"{here}.components", "at most 5 buttons per action row"))
            if len(children) > 1 and any(c.get("type") in SELECT_TYPES for c in children):
                errors.append((f"{here}.components", "a select menu must be alone in its action row"))
        elif kind == 2:
            _too_long(errors, f"{here}.label", comp.get("label"), 80)
        elif kind in SELECT_TYPES:
            _too_many(errors, f"{here}.options", comp.get("options"), 25, "options")
        elif kind == 4:
            max_length = comp.get("max_length")
            if isinstance(max_length, int) and max_length > 4000:
                errors.append((f"{here}.max_length", f"must be 4000 or less ({max_length} given)"))
            _too_long(errors, f"{here}.value", comp.get("value"), 4000)
        nested = _listed(f"{here}.components", comp.get("components"))
        nested += [(f"{here}.{k}", comp[k]) for k in ("accessory", "component") if isinstance(comp.get(k), dict)]
        count += check_components(errors, nested)
    return count


def _check_allowed_mentions(errors: Errors, path: str, mentions: Any) -> None:
    if not isinstance(mentions, dict):
        return
    parse = mentions.get("parse")
    parse = parse if isinstance(parse, list) else []
    for kind in ("users", "roles"):
        ids = _too_many(errors, f"{path}.{kind}", mentions.get(kind), 100, "ids")
        if ids and kind in parse:
            errors.append((f"{path}.{kind}", f"parse {kind!r} and an explicit {kind} list are mutually exclusive"))


def check_message(errors: Errors, path: str, msg: Any, *, creating: bool = False) -> None:
    """Check a message-shaped body: create/edit, webhook execute/edit, interaction callback data."""
    if not isinstance(msg, dict):
        return
    _too_long(errors, f"{path}.content", msg.get("content"), MAX_CONTENT)
    embeds = _too_many(errors, f"{path}.embeds", msg.get("embeds"), MAX_EMBEDS, "embeds")
    total = sum(_embed_text(errors, f"{path}.embeds[{i}]", e) for i, e in _dicts(embeds))
    if total > MAX_EMBED_TOTAL:
        errors.append((f"{path}.embeds", f"embed text totals {total} characters; the limit is {MAX_EMBED_TOTAL}"))
    flags = msg.get("flags")
    flags = flags if isinstance(flags, int) else 0
    components = msg.get("components") if isinstance(msg.get("components"), list) else []
    listed = _listed(f"{path}.components", components)
    if flags & COMPONENTS_V2_FLAG:
        if msg.get("content") or msg.get("embeds"):
            errors.append((path, "content and embeds cannot be sent with the IS_COMPONENTS_V2 flag"))
        if check_components(errors, listed) > MAX_V2_COMPONENTS:
            errors.append((f"{path}.components", f"at most {MAX_V2_COMPONENTS} components in all"))
    else:
        _too_many(errors, f"{path}.components", components, MAX_ACTION_ROWS, "action rows")
        if any(c.get("type") != 1 for _, c in listed):
            errors.append((f"{path}.components", "top-level components must be action rows (no IS_COMPONENTS_V2)"))
        check_components(errors, listed)
    _check_allowed_mentions(errors, f"{path}.allowed_mentions", msg.get("allowed_mentions"))
    reference = msg.get("message_reference")
    forward = isinstance(reference, dict) and reference.get("type") == 1  # a forward carries no content of its own
    if creating and not forward and not any(msg.get(key) for key in _MESSAGE_PAYLOAD_KEYS):
        errors.append((path, "cannot send an empty message"))


def check_modal(errors: Errors, path: str, modal: Any) -> None:
    """Check a modal (interaction callback type 9 data)."""
    if not isinstance(modal, dict):
        return
    _too_long(errors, f"{path}.title", modal.get("title"), 45)
    _too_long(errors, f"{path}.custom_id", modal.get("custom_id"), 100)
    components = modal.get("components")
    _too_many(errors, f"{path}.components", components, MAX_MODAL_COMPONENTS, "components")
    check_components(errors, _listed(f"{path}.components", components))


def _check_name(errors: Errors, path: str, name: Any, *, chat_input: bool) -> None:
    if not isinstance(name, str):
        return
    if not chat_input:
        if not 1 <= len(name) <= 32:
            errors.append((path, f"must be 1-32 characters ({len(name)} given)"))
    elif not COMMAND_NAME_RE.fullmatch(name) or name != name.lower():
        errors.append((path, f"{name[:40]!r} must be 1-32 lowercase letters, digits, '-' or '_'"))


def _check_names(errors: Errors, path: str, item: dict[str, Any], *, chat_input: bool) -> None:
    _check_name(errors, f"{path}.name", item.get("name"), chat_input=chat_input)
    localized = item.get("name_localizations")
    for locale, text in localized.items() if isinstance(localized, dict) else ():
        _check_name(errors, f"{path}.name_localizations.{locale}", text, chat_input=chat_input)


def _check_description(errors: Errors, path: str, text: Any) -> None:
    if not isinstance(text, str):
        errors.append((path, "a description of 1-100 characters is required"))
    elif not 1 <= len(text) <= 100:
        errors.append((path, f"must be 1-100 characters ({len(text)} given)"))


def _check_options(errors: Errors, path: str, options: Any) -> None:
    """Check one level of command options, then any subcommand levels below it."""
    options = _too_many(errors, path, options, 25, "options")
    for name, n in Counter(o.get("name") for _, o in _dicts(options)).items():
        if n > 1:
            errors.append((path, f"duplicate option name {name!r}"))
    seen_optional = False
    for i, opt in _dicts(options):
        here = f"{path}[{i}]"
        _check_names(errors, here, opt, chat_input=True)
        _check_description(errors, f"{here}.description", opt.get("description"))
        _too_many(errors, f"{here}.choices", opt.get("choices"), 25, "choices")
        if opt.get("type") in (1, 2):  # subcommand, subcommand group
            _check_options(errors, f"{here}.options", opt.get("options"))
        elif not opt.get("required"):
            seen_optional = True
        elif seen_optional:
            errors.append((f"{here}.required", "required options must come before optional ones"))


def check_command(errors: Errors, path: str, cmd: Any, *, partial: bool = False) -> None:
    """Check one application command (``partial`` for a PATCH, where fields may be absent)."""
    if not isinstance(cmd, dict):
        return
    chat_input = cmd.get("type") in (None, 1)
    if not partial or "name" in cmd:
        _check_names(errors, path, cmd, chat_input=chat_input)
    if chat_input and (not partial or "description" in cmd):
        _check_description(errors, f"{path}.description", cmd.get("description"))
    elif not chat_input and cmd.get("description"):
        errors.append((f"{path}.description", "context menu commands take no description"))
    if "options" in cmd:
        _check_options(errors, f"{path}.options", cmd.get("options"))


def check_command_list(errors: Errors, path: str, cmds: Any) -> None:
    """Check a bulk-overwrite command list as a whole, then each command in it."""
    if not isinstance(cmds, list):
        return
    for kind, n in Counter(c.get("type") or 1 for _, c in _dicts(cmds)).items():
        limit = MAX_COMMANDS.get(kind, 100)
        if n > limit:
            errors.append((path, f"at most {limit} commands of type {kind} allowed ({n} given)"))
    for (kind, name), n in Counter((c.get("type") or 1, c.get("name")) for _, c in _dicts(cmds)).items():
        if n > 1:
            errors.append((path, f"duplicate command name {name!r} (type {kind})"))
    for i, cmd in _dicts(cmds):
        check_command(errors, f"{path}[{i}]", cmd)


ROUTE_SHAPES: tuple[tuple[str, re.Pattern[str], str], ...] = tuple(
    (method, re.compile(pattern), shape)
    for method, pattern, shape in (
        ("POST", r"/channels/\d+/messages", "message-create"),
        ("PATCH", r"/channels/\d+/messages/\d+", "message"),
        ("POST", r"/webhooks/\d+/[^/]+", "message-create"),  # execute webhook, interaction followup
        ("PATCH", r"/webhooks/\d+/[^/]+/messages/(?:\d+|@original)", "message"),
        ("POST", r"/interactions/\d+/[^/]+/callback", "callback"),
        ("POST", r"/channels/\d+/threads", "thread"),  # a forum post carries a "message"
        ("PUT", r"/applications/\d+(?:/guilds/\d+)?/commands", "command-list"),
        ("POST", r"/applications/\d+(?:/guilds/\d+)?/commands", "command"),
        ("PATCH", r"/applications/\d+(?:/guilds/\d+)?/commands/\d+", "command-patch"),
    )
)


def route_shape(method: str, path: str) -> str | None:
    """Return which body shape ``method path`` takes ("message", "callback", ...), or None."""
    return next((s for m, p, s in ROUTE_SHAPES if m == method.upper() and p.fullmatch(path)), None)


def check_limits(method: str, path: str, body: Any) -> Errors:
    """Return (json path, message) for each documented limit ``body`` breaks on this route."""
    shape = route_shape(method, path)
    errors: Errors = []
    if shape in ("message-create", "message"):
        check_message(errors, "$", body, creating=shape == "message-create")
    elif shape == "thread" and isinstance(body, dict) and "message" in body:
        check_message(errors, "$.message", body["message"], creating=True)
    elif shape == "callback" and isinstance(body, dict):
        kind, data = body.get("type"), body.get("data")
        if kind in (4, 7):  # channel message, update message
            check_message(errors, "$.data", data)
        elif kind == 9:
            check_modal(errors, "$.data", data)
        elif kind == 8 and isinstance(data, dict):
            _too_many(errors, "$.data.choices", data.get("choices"), 25, "choices")
    elif shape == "command-list":
        check_command_list(errors, "$", body)
    elif shape in ("command", "command-patch"):
        check_command(errors, "$", body, partial=shape == "command-patch")
    return errors
