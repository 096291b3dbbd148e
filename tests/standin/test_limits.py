"""The documented limits layer (limits.py): alone, without the spec, and through RequestValidator."""

from __future__ import annotations

from typing import Any

import pytest

from discord_standin.limits import check_limits, route_shape
from discord_standin.validation import RequestValidator


@pytest.fixture(scope="module")
def validator() -> RequestValidator:
    return RequestValidator()


def _row(*components: dict[str, Any]) -> dict[str, Any]:
    return {"type": 1, "components": list(components)}


BUTTON: dict[str, Any] = {"type": 2, "style": 1, "custom_id": "b", "label": "Go"}
SELECT: dict[str, Any] = {"type": 3, "custom_id": "s", "options": [{"label": "a", "value": "a"}]}
TEXT_INPUT: dict[str, Any] = {"type": 4, "custom_id": "t", "style": 1, "label": "Text"}


def _cmd(**fields: Any) -> dict[str, Any]:
    return {"name": "prompt", "description": "Post a prompt", "type": 1} | fields


def _opt(name: str, **fields: Any) -> dict[str, Any]:
    return {"type": 3, "name": name, "description": "An option"} | fields


MSG = ("POST", "/channels/1/messages")
CALLBACK = ("POST", "/interactions/1/tok/callback")
BULK = ("PUT", "/applications/1/guilds/2/commands")
PLANTED: list[tuple[tuple[str, str], Any, str, str]] = [
    (MSG, {"embeds": [{"title": "e"}] * 11}, "$.embeds", "10"),
    (MSG, {"embeds": [{"title": "t" * 257}]}, "$.embeds[0].title", "256"),
    (MSG, {"embeds": [{"description": "d" * 4097}]}, "$.embeds[0].description", "4096"),
    (MSG, {"embeds": [{"fields": [{"name": "n", "value": "v"}] * 26}]}, "$.embeds[0].fields", "25"),
    (MSG, {"embeds": [{"fields": [{"name": "n" * 257, "value": "v"}]}]}, "$.embeds[0].fields[0].name", "256"),
    (MSG, {"embeds": [{"fields": [{"name": "n", "value": "v" * 1025}]}]}, "$.embeds[0].fields[0].value", "1024"),
    (MSG, {"embeds": [{"footer": {"text": "f" * 2049}}]}, "$.embeds[0].footer.text", "2048"),
    (MSG, {"embeds": [{"author": {"name": "a" * 257}}]}, "$.embeds[0].author.name", "256"),
    (MSG, {"content": "x", "components": [_row(BUTTON)] * 6}, "$.components", "5"),
    (MSG, {"content": "x", "components": [_row(*[BUTTON] * 6)]}, "$.components[0].components", "5"),
    (MSG, {"content": "x", "components": [_row(BUTTON, SELECT)]}, "$.components[0].components", "alone"),
    (MSG, {"content": "x", "components": [_row(SELECT | {"options": SELECT["options"] * 26})]}, "", "25"),
    (MSG, {"content": "x", "components": [_row(BUTTON | {"label": "l" * 81})]}, "", "80"),
    (MSG, {"content": "x", "components": [BUTTON]}, "$.components", "action rows"),
    (MSG, {"content": "x", "allowed_mentions": {"parse": ["users"], "users": ["1"]}}, "", "exclusive"),
    (MSG, {"content": "x", "flags": 1 << 15, "components": [{"type": 10, "content": "v2"}]}, "$", "IS_COMPONENTS_V2"),
    (MSG, {"tts": False}, "$", "empty message"),
    (CALLBACK, {"type": 9, "data": {"custom_id": "m", "title": "t" * 46, "components": [_row(TEXT_INPUT)]}}, "", "45"),
    (
        CALLBACK,
        {"type": 9, "data": {"custom_id": "m", "title": "t", "components": [_row(TEXT_INPUT | {"max_length": 4001})]}},
        "",
        "4000",
    ),
    (
        CALLBACK,
        {"type": 9, "data": {"custom_id": "m", "title": "t", "components": [_row(TEXT_INPUT | {"value": "v" * 4001})]}},
        "",
        "4000",
    ),
    (CALLBACK, {"type": 8, "data": {"choices": [{"name": "a", "value": "a"}] * 26}}, "$.data.choices", "25"),
    (BULK, [_cmd(name="Prompt")], "$[0].name", "lowercase"),
    (BULK, [_cmd(name="two words")], "$[0].name", "lowercase"),
    (BULK, [_cmd(description="")], "$[0].description", "1-100"),
    (BULK, [_cmd(description="d" * 101)], "$[0].description", "100"),
    (BULK, [_cmd(options=[_opt(f"o{n}") for n in range(26)])], "$[0].options", "25"),
    (BULK, [_cmd(options=[_opt("o", choices=[{"name": "c", "value": "c"}] * 26)])], "$[0].options[0].choices", "25"),
    (BULK, [_cmd(options=[_opt("a"), _opt("a")])], "$[0].options", "duplicate"),
    (BULK, [_cmd(options=[_opt("a"), _opt("b", required=True)])], "$[0].options[1].required", "before"),
    (BULK, [_cmd(options=[{"type": 1, "name": "sub", "description": "d", "options": [_opt("Bad")]}])], "", "lowercase"),
    (BULK, [_cmd(), _cmd()], "$", "duplicate command name"),
    (BULK, [_cmd(name=f"c{n}") for n in range(101)], "$", "100"),
    (BULK, [{"name": "Report", "type": 3, "description": "no"}], "$[0].description", "context menu"),
    (("POST", "/applications/1/commands"), _cmd(name="UPPER"), "$.name", "lowercase"),
    (("PATCH", "/applications/1/commands/3"), {"name": "Bad Name"}, "$.name", "lowercase"),
    (("POST", "/channels/1/threads"), {"name": "t", "message": {"content": "x" * 2001}}, "$.message.content", "2000"),
]


@pytest.mark.parametrize(("route", "body", "where", "word"), PLANTED)
def test_limit_layer_alone_catches(route: tuple[str, str], body: Any, where: str, word: str) -> None:
    errors = check_limits(*route, body)
    assert any(path.startswith(where) and word in message for path, message in errors), errors


@pytest.mark.parametrize(("route", "body", "where", "word"), PLANTED)
def test_validator_reports(
    validator: RequestValidator, route: tuple[str, str], body: Any, where: str, word: str
) -> None:
    errors = validator.validate(*route, body)
    assert any(e.startswith(where) and word in e for e in errors), errors
    assert all(e.startswith("$") for e in errors)


FINE: list[tuple[tuple[str, str], Any]] = [
    (MSG, {"content": "x" * 2000, "embeds": [{"title": "t" * 256, "description": "d" * 4096}]}),
    (MSG, {"content": "x", "components": [_row(*[BUTTON] * 5)] * 5}),
    (MSG, {"content": "x", "components": [_row(SELECT | {"options": SELECT["options"] * 25})]}),
    (MSG, {"flags": 1 << 15, "components": [{"type": 17, "components": [{"type": 10, "content": "v2"}] * 39}]}),
    (MSG, {"attachments": [{"id": 0, "filename": "a.txt"}]}),  # a file upload's payload_json
    (MSG, {"tts": False, "message_reference": {"type": 1, "message_id": 5, "channel_id": 6}}),  # Message.forward()
    (("PATCH", "/channels/1/messages/2"), {"content": None, "embeds": [], "components": []}),
    (CALLBACK, {"type": 9, "data": {"custom_id": "m", "title": "t" * 45, "components": [_row(TEXT_INPUT)] * 5}}),
    (CALLBACK, {"type": 6}),
    (BULK, [{"name": "Pair With", "type": 2}, {"name": "Pair With", "type": 3}, _cmd(name="pair-with")]),
    (BULK, [_cmd(name=f"c{n}") for n in range(100)]),
    (BULK, [_cmd(options=[_opt("a", required=True), _opt("b"), {"type": 1, "name": "s", "description": "d"}])]),
    (("PATCH", "/applications/1/commands/3"), {"description": "Only the description"}),
    (("POST", "/channels/1/threads"), {"name": "t", "type": 12}),
]


@pytest.mark.parametrize(("route", "body"), FINE)
def test_within_limits_passes(route: tuple[str, str], body: Any) -> None:
    assert check_limits(*route, body) == []


def test_route_shapes() -> None:
    assert route_shape("post", "/channels/1/messages") == "message-create"
    assert route_shape("PATCH", "/webhooks/1/tok/messages/@original") == "message"
    assert route_shape("POST", "/webhooks/1/tok") == "message-create"
    assert route_shape("POST", "/webhooks/1/tok/slack") is None
    assert route_shape("PUT", "/applications/1/guilds/2/commands") == "command-list"
    assert route_shape("GET", "/channels/1/messages") is None
