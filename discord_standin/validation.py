"""Decide whether Discord would accept a REST request body.

Two layers: the operation's JSON schema from Discord's OpenAPI spec (Draft 2020-12), then the
documented limits the spec leaves out or states more loosely (message content 2,000 characters,
6,000 characters of embed text, 5 action rows, 5 components in a modal, command naming rules...).
Only the body is checked, never the query string (discord.py sends ``wait=1``, ``with_response=1``).
"""

from __future__ import annotations

import functools
import json
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from jsonschema import Draft202012Validator  # type: ignore[import-untyped]
from jsonschema.exceptions import ValidationError  # type: ignore[import-untyped]
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from .limits import check_limits, route_shape
from .routes import API

SPEC_PATH = Path(__file__).resolve().parent / "discord-api-spec" / "openapi.json"  # kept beside the fake (MIT)
UNKNOWN_ROUTE = "unknown route"

_SPEC_URI = "urn:discord:openapi"
_SNOWFLAKE_REF = "#/components/schemas/SnowflakeType"
_MAX_REPR = 80
_INT_ID = {"type": "integer", "minimum": 0}
_DECIMAL_STRING = {"type": "string", "pattern": "^[0-9]+$"}
_C = "components/schemas/"
_CONST_KEYS = {"const", "title", "description"}


def _op(template: str, method: str) -> str:
    """Return the JSON pointer (without leading slash) of an operation's JSON request body schema."""
    return f"paths/{_escape(template)}/{method}/requestBody/content/application~1json/schema"


def _escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


# Spec quirks relaxed so that bodies the real discord.py 2.7.1 sends pass; each entry widens one
# field (JSON pointer) to also accept the alternative, everything else stays as strict as the spec.
# 1. The spec types snowflakes as decimal strings only, but Discord's JSON parser accepts integers
#    and discord.py puts raw ``int`` ids into exactly these fields.
# 2. The spec types permission bit sets as integers, but Discord documents them as strings (and
#    takes both); discord.py sends ``str(permissions.value)`` in these fields.
# 3. One enum the spec has not caught up with (message forwards), marked where it occurs.
_RELAXATIONS: tuple[tuple[str, dict[str, Any]], ...] = (
    # message_reference: Message.to_reference() / MessageReference.to_dict() ids are ints
    (f"{_C}MessageReferenceRequest/properties/message_id", _INT_ID),
    (f"{_C}MessageReferenceRequest/properties/channel_id/oneOf/1", _INT_ID),
    (f"{_C}MessageReferenceRequest/properties/guild_id/oneOf/1", _INT_ID),
    # message_reference.type: the spec's MessageReferenceType lists DEFAULT (0) only; Discord documents
    # FORWARD (1), which Message.forward() sends
    (f"{_C}MessageReferenceRequest/properties/type/oneOf/1", {"type": "integer", "enum": [1]}),
    # allowed_mentions: AllowedMentions.to_dict() lists user and role ids as ints
    (f"{_C}MessageAllowedMentionsRequest/properties/users/items/oneOf/1", _INT_ID),
    (f"{_C}MessageAllowedMentionsRequest/properties/roles/items/oneOf/1", _INT_ID),
    # sticker_ids: handle_message_parameters(stickers=...) passes the int ids through
    (f"{_C}MessageCreateRequest/properties/sticker_ids/items", _INT_ID),
    # attachments[].id: File.to_dict(index) sends the upload index, Attachment.to_dict() an int id
    (f"{_C}MessageAttachmentRequest/properties/id", _INT_ID),
    # default_values[].id: SelectDefaultValue.to_dict() sends an int id
    (f"{_C}UserSelectDefaultValue/properties/id", _INT_ID),
    (f"{_C}RoleSelectDefaultValue/properties/id", _INT_ID),
    (f"{_C}ChannelSelectDefaultValue/properties/id", _INT_ID),
    # recipient_id: HTTPClient.start_private_message(user_id) (User.create_dm)
    (f"{_C}CreatePrivateChannelRequest/properties/recipient_id/oneOf/1", _INT_ID),
    # messages: HTTPClient.delete_messages(channel_id, message_ids) (TextChannel.delete_messages)
    (_op("/channels/{channel_id}/messages/bulk-delete", "post") + "/properties/messages/items", _INT_ID),
    # roles: Member.edit(roles=...) / add_roles() send tuple(r.id for r in roles)
    (_op("/guilds/{guild_id}/members/{user_id}", "patch") + "/properties/roles/items/oneOf/1", _INT_ID),
    # id: Guild.edit_role_positions() / Role.edit(position=...) send {"id": role.id, ...}
    (f"{_C}UpdateRolePositionsRequest/properties/id/oneOf/1", _INT_ID),
    # parent_id / permission_overwrites[].id: Guild.create_text_channel(category=..., overwrites=...)
    (f"{_C}CreateGuildChannelRequest/properties/parent_id/oneOf/1", _INT_ID),
    (f"{_C}ChannelPermissionOverwriteRequest/properties/id", _INT_ID),
    # permissions: Guild.create_role() sends str(permissions.value)
    (f"{_C}CreateRoleRequest/properties/permissions", _DECIMAL_STRING),
    (f"{_C}UpdateRoleRequestPartial/properties/permissions", _DECIMAL_STRING),
    # allow / deny: GuildChannel.set_permissions() sends str(allow.value), str(deny.value)
    (_op("/channels/{channel_id}/permissions/{overwrite_id}", "put") + "/properties/allow", _DECIMAL_STRING),
    (_op("/channels/{channel_id}/permissions/{overwrite_id}", "put") + "/properties/deny", _DECIMAL_STRING),
)


@dataclass
class LoadedSpec:
    """Discord's OpenAPI document with its schema registry, route table and validator cache."""

    document: dict[str, Any]
    registry: Registry[Any]
    routes: list[tuple[re.Pattern[str], str]]
    _validators: dict[tuple[str, str], Draft202012Validator | None] = field(default_factory=dict)

    def match(self, method: str, path: str) -> tuple[str, dict[str, Any]] | None:
        """Return the path template and operation serving ``method path``, or None."""
        for pattern, template in self.routes:
            operation = self.document["paths"][template].get(method.lower())
            if isinstance(operation, dict) and pattern.fullmatch(path):
                return template, operation
        return None

    def validator(self, template: str, method: str) -> Draft202012Validator | None:
        """Return the (cached) validator for an operation's JSON request body, None if it takes none."""
        key = (template, method.lower())
        if key not in self._validators:
            operation = self.document["paths"][template][key[1]]
            content = operation.get("requestBody", {}).get("content", {})
            ref = f"{_SPEC_URI}#/{_op(template, key[1])}"
            self._validators[key] = (
                Draft202012Validator({"$ref": ref}, registry=self.registry) if "application/json" in content else None
            )
        return self._validators[key]


def _compile_routes(document: dict[str, Any]) -> list[tuple[re.Pattern[str], str]]:
    """Turn path templates into regexes, most specific (most literal segments) first."""
    compiled = []
    for template, item in document["paths"].items():
        params = {p["name"]: p.get("schema", {}) for p in item.get("parameters", []) if p.get("in") == "path"}
        parts, rank = [], []
        for segment in template.strip("/").split("/"):
            name = segment[1:-1] if segment.startswith("{") and segment.endswith("}") else None
            if name is None:
                parts.append(re.escape(segment))
            else:
                parts.append(r"[0-9]+" if params.get(name, {}).get("$ref") == _SNOWFLAKE_REF else r"[^/]+")
            rank.append(name is not None)
        compiled.append((tuple(rank), re.compile("/" + "/".join(parts)), template))
    compiled.sort(key=lambda entry: (sum(entry[0]), entry[0]))
    return [(pattern, template) for _, pattern, template in compiled]


def _relax(document: dict[str, Any]) -> None:
    for pointer, alternative in _RELAXATIONS:
        *parents, last = [t.replace("~1", "/").replace("~0", "~") for t in pointer.split("/")]
        node: Any = document
        for token in parents:
            node = node[int(token)] if isinstance(node, list) else node[token]
        key: Any = int(last) if isinstance(node, list) else last
        node[key] = {"anyOf": [node[key], alternative]}


def _flatten_const_unions(node: Any) -> None:
    """Rewrite enum-like ``oneOf: [{const: a, title: ...}, ...]`` as ``enum: [a, ...]`` (same meaning, faster)."""
    if isinstance(node, list):
        for item in node:
            _flatten_const_unions(item)
    elif isinstance(node, dict):
        branches = node.get("oneOf")
        if isinstance(branches, list) and all(
            isinstance(b, dict) and "const" in b and b.keys() <= _CONST_KEYS for b in branches
        ):
            values = [b["const"] for b in branches]
            if len({json.dumps(v) for v in values}) == len(values):  # distinct, so "exactly one" == "any"
                del node["oneOf"]
                node["enum"] = values
        for value in node.values():
            _flatten_const_unions(value)


@functools.cache
def load_spec(path: Path) -> LoadedSpec:
    """Parse the spec at ``path`` once per process and build its registry; a missing spec is an error."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise FileNotFoundError(
            f"Discord's OpenAPI spec is missing at {path}: every request body is checked "
            "against it, so the tests cannot run without it"
        ) from None
    _relax(document)
    _flatten_const_unions(document)
    registry: Registry[Any] = Registry().with_resource(_SPEC_URI, DRAFT202012.create_resource(document))
    return LoadedSpec(document, registry, _compile_routes(document))


# --- schema errors, made readable -------------------------------------------------------------


def _message(error: ValidationError) -> str:
    """Phrase a schema error without dumping a long instance into it."""
    value, limit = error.instance, error.validator_value
    if error.validator in ("maxLength", "minLength", "maxItems", "minItems") and hasattr(value, "__len__"):
        what = "in length" if error.validator.endswith("Length") else "items"
        bound = "or fewer" if error.validator.startswith("max") else "or more"
        return f"must be {limit} {bound} {what} ({len(value)} given)"
    shown = repr(value)
    if len(shown) > _MAX_REPR and error.message.startswith(shown):
        return shown[: _MAX_REPR - 3] + "..." + error.message[len(shown) :]
    return error.message


def _rejected_branch(errors: list[ValidationError]) -> bool:
    """Tell whether a union branch failed on the instance's type or its ``type`` discriminator."""
    for error in errors:
        if not error.relative_path and error.validator == "type":
            return True
        if list(error.relative_path) == ["type"] and error.validator in ("enum", "const"):
            return True
    return False


def _explain(error: ValidationError) -> Iterator[tuple[str, str, str]]:
    """Yield (json path, message, keyword), descending a oneOf/anyOf into the branch that was meant."""
    if not error.context:
        yield error.json_path, _message(error), error.validator
        return
    branches: dict[Any, list[ValidationError]] = defaultdict(list)
    for sub in error.context:
        branches[sub.relative_schema_path[0]].append(sub)
    meant = [errs for errs in branches.values() if not _rejected_branch(errs)]
    if not meant:
        kind = error.instance.get("type") if isinstance(error.instance, dict) else type(error.instance).__name__
        yield error.json_path, f"matches none of the {len(branches)} allowed shapes (type {kind!r})", "anyOf"
        return
    for sub in min(meant, key=len):
        yield from _explain(sub)


# --- the public entry point ---------------------------------------------------------------------

_BODY_REQUIRED = {"message-create", "callback", "command", "command-list"}
_BOUNDS = {"maxLength", "maxItems", "maximum"}


class RequestValidator:
    """Check request bodies the way Discord would: spec schema first, then documented limits."""

    def __init__(self, spec_path: Path = SPEC_PATH) -> None:
        self._spec = load_spec(spec_path.resolve())

    def validate(self, method: str, path: str, body: Any) -> list[str]:
        """Return readable reasons Discord would reject ``body`` on ``method path``; empty if none."""
        path = unquote(path.split("?", 1)[0].removeprefix(API))
        found: list[tuple[str, str, str]] = []
        route = self._spec.match(method, path)
        if route is None:
            return [UNKNOWN_ROUTE]
        validator = self._spec.validator(route[0], method)
        if validator is not None and body is not None:
            for error in validator.iter_errors(body):
                found.extend(_explain(error))
        if body is None:
            return ["$: a request body is required"] if route_shape(method, path) in _BODY_REQUIRED else []
        limits = check_limits(method, path, body)
        # Where the documented limit is stricter than the spec's bound on the same field, say only the limit.
        limited = {p for p, _ in limits}
        kept = [(p, msg) for p, msg, keyword in found if not (p in limited and keyword in _BOUNDS)]
        return [f"{p}: {msg}" for p, msg in dict.fromkeys(kept + limits)]
