"""RequestValidator: real discord.py 2.7.1 bodies pass, planted violations fail with readable errors."""

from __future__ import annotations

import copy
import datetime
import json
from pathlib import Path
from typing import Any

import discord
import pytest
from discord import app_commands
from discord.http import handle_message_parameters
from discord.webhook.async_ import interaction_message_response_params, interaction_response_params

from discord_standin import validation
from discord_standin.validation import (
    SPEC_PATH,
    UNKNOWN_ROUTE,
    RequestValidator,
    load_spec,
)
from tests.standin.sample_payloads import (
    CapturingHTTP,
    CapturingWebhooks,
    CardView,
    Sent,
    a_file,
    a_message,
    a_modal,
    a_view,
    an_embed,
    commands,
    mentions,
)


@pytest.fixture(scope="module")
def validator() -> RequestValidator:
    return RequestValidator()


def rejected(checker: RequestValidator, sent: Sent) -> dict[str, list[str]]:
    """Map each rejected request to its errors (empty when everything passed)."""
    out = {}
    for method, path, body in sent:
        errors = checker.validate(method, path, body)
        if errors:
            out[f"{method} {path} {json.dumps(body)[:300]}"] = errors
    return out


# --- real discord.py bodies pass ----------------------------------------------------------------


async def test_message_bodies_pass(validator: RequestValidator) -> None:
    http = CapturingHTTP()
    reference = discord.MessageReference(message_id=11, channel_id=12, guild_id=13, fail_if_not_exists=False)
    params = handle_message_parameters(
        content="Today's prompt",
        embed=an_embed(),
        view=a_view(),
        allowed_mentions=mentions(),
        message_reference=reference.to_message_reference_dict(),  # what Messageable.send passes
        nonce=123,
        flags=discord.MessageFlags(suppress_notifications=True),
        stickers=[1, 2],
        mention_author=True,
    )
    await http.send_message(1, params=params)
    with handle_message_parameters(content="notes attached", file=a_file()) as params:
        await http.send_message(1, params=params)
    await http.send_message(1, params=handle_message_parameters(view=CardView()))
    await http.send_message(1, params=handle_message_parameters(embeds=[an_embed()] * 3))
    clear = handle_message_parameters(content=None, embeds=[], view=None, attachments=[])
    await http.edit_message(1, 2, params=clear)
    with handle_message_parameters(content="edited", embed=None, view=a_view(), attachments=[a_file()]) as params:
        await http.edit_message(1, 2, params=params)
    forum = handle_message_parameters(
        content="Week 3", channel_payload={"name": "Week 3", "auto_archive_duration": 1440}
    )
    await http.start_thread_in_forum(1, params=forum)
    forward = discord.MessageReference(
        message_id=5, channel_id=6, guild_id=7, type=discord.MessageReferenceType.forward
    )
    await http.send_message(2, params=handle_message_parameters(message_reference=forward.to_message_reference_dict()))
    poll = discord.Poll(question="Best slot?", duration=datetime.timedelta(hours=24))
    poll.add_answer(text="Monday", emoji="📅").add_answer(text="Tuesday")
    await http.send_message(2, params=handle_message_parameters(content="Vote", poll=poll))
    assert len(http.sent) == 9
    assert rejected(validator, http.sent) == {}


async def test_interaction_bodies_pass(validator: RequestValidator) -> None:
    hooks = CapturingWebhooks()
    send = interaction_message_response_params

    async def respond(params: Any) -> None:
        await hooks.create_interaction_response(1, "tok-en", session=None, params=params)  # type: ignore[arg-type]

    ephemeral = discord.MessageFlags(ephemeral=True)
    await respond(
        send(type=4, content="hi", embed=an_embed(), view=a_view(), flags=ephemeral, allowed_mentions=mentions())
    )
    await respond(send(type=4, content="file", file=a_file()))
    await respond(send(type=4, view=CardView()))
    await respond(interaction_response_params(5, {"flags": 64}))  # defer(ephemeral=True)
    await respond(interaction_response_params(5))  # defer()
    await respond(interaction_response_params(6))  # defer() on a component
    await respond(send(type=7, content="updated", view=a_view(), attachments=[], embeds=[]))  # edit_message
    await respond(send(type=7, view=None))
    await respond(interaction_response_params(9, a_modal()))  # send_modal
    choices = [app_commands.Choice(name=f"Q{n}", value=f"q{n}").to_dict() for n in range(25)]
    await respond(interaction_response_params(8, {"choices": choices}))  # autocomplete
    assert len(hooks.sent) == 10
    assert rejected(validator, hooks.sent) == {}


async def test_webhook_and_followup_bodies_pass(validator: RequestValidator) -> None:
    hooks = CapturingWebhooks()

    def parts(params: Any) -> dict[str, Any]:
        return {"payload": params.payload, "multipart": params.multipart, "files": params.files}

    full = handle_message_parameters(
        content="follow-up", username="drillbot", avatar_url="https://example.com/a.png", embeds=[an_embed()]
    )
    await hooks.execute_webhook(1, "tok", session=None, wait=True, **parts(full))  # type: ignore[arg-type]
    with handle_message_parameters(content="file", file=a_file(), view=a_view()) as params:
        await hooks.execute_webhook(1, "tok", session=None, wait=True, **parts(params))  # type: ignore[arg-type]
    edit = handle_message_parameters(content="edited", embeds=[], view=a_view(), attachments=[])
    await hooks.edit_webhook_message(1, "tok", "@original", session=None, **parts(edit))  # type: ignore[arg-type]
    await hooks.edit_webhook_message(1, "tok", 55, session=None, **parts(edit))  # type: ignore[arg-type]
    await hooks.edit_original_interaction_response(1, "tok", session=None, **parts(edit))  # type: ignore[arg-type]
    assert len(hooks.sent) == 5
    assert rejected(validator, hooks.sent) == {}


async def test_command_bodies_pass(validator: RequestValidator) -> None:
    http = CapturingHTTP()
    cmds = commands()
    await http.bulk_upsert_global_commands(1, cmds)
    await http.bulk_upsert_guild_commands(1, 2, cmds)
    await http.bulk_upsert_guild_commands(1, 2, [])
    await http.upsert_global_command(1, cmds[0])  # type: ignore[arg-type]
    await http.upsert_guild_command(1, 2, cmds[1])
    await http.edit_global_command(1, 3, {"description": "New text"})
    assert rejected(validator, http.sent) == {}


async def test_guild_admin_bodies_pass(validator: RequestValidator) -> None:
    http = CapturingHTTP()
    allow, deny = discord.PermissionOverwrite(view_channel=True, send_messages=False).pair()
    await http.start_private_message(5)
    await http.delete_messages(1, [2, 3])
    await http.edit_member(1, 2, roles=(3, 4), nick="ada")
    await http.create_role(1, name="Streak 7", permissions="0", color=0x123456, hoist=True, mentionable=False)
    await http.edit_role(1, 2, name="Streak 8", permissions=discord.Permissions(send_messages=True).value)
    await http.move_role_position(1, [{"id": 2, "position": 3}])
    await http.edit_channel_permissions(1, 2, str(allow.value), str(deny.value), 0)
    overwrite = {"allow": allow.value, "deny": deny.value, "id": 9, "type": 0}
    await http.create_channel(1, 0, name="room-1", parent_id=8, topic="Mock", permission_overwrites=[overwrite])
    await http.start_thread_without_message(1, name="pair", auto_archive_duration=1440, type=12, invitable=False)
    await http.start_thread_with_message(1, 2, name="notes", auto_archive_duration=60)
    await http.pin_message(1, 2)
    await http.add_role(1, 2, 3)
    assert rejected(validator, http.sent) == {}


# --- planted violations fail ---------------------------------------------------------------------


def check(checker: RequestValidator, method: str, path: str, body: Any, where: str, *words: str) -> list[str]:
    errors = checker.validate(method, path, body)
    assert errors, f"{method} {path} was accepted"
    assert any(e.startswith(f"{where}: ") and all(w in e for w in words) for e in errors), errors
    return errors


def test_content_over_2000_fails(validator: RequestValidator) -> None:
    body = a_message() | {"content": "x" * 2000}
    assert validator.validate("POST", "/channels/1/messages", body) == []
    body["content"] += "x"
    assert check(validator, "POST", "/channels/1/messages", body, "$.content", "2000", "2001") == [
        "$.content: must be 2000 or fewer in length (2001 given)"
    ]
    check(validator, "PATCH", "/webhooks/1/tok/messages/@original", body, "$.content", "2000")
    callback = {"type": 4, "data": body}
    check(validator, "POST", "/interactions/1/tok/callback", callback, "$.data.content", "2000")


def test_embed_text_over_6000_fails(validator: RequestValidator) -> None:
    body: dict[str, Any] = {"embeds": [{"title": "t" * 256, "description": "d" * 4096}, {"description": "d" * 1648}]}
    assert validator.validate("POST", "/channels/1/messages", body) == []  # exactly 6,000
    body["embeds"][1]["fields"] = [{"name": "n", "value": ""}]
    check(validator, "POST", "/channels/1/messages", body, "$.embeds", "6001", "6000")


def test_modal_with_six_components_fails(validator: RequestValidator) -> None:
    modal = a_modal()
    assert len(modal["components"]) == 5
    modal["components"].append({"type": 10, "content": "one too many"})
    check(validator, "POST", "/interactions/1/tok/callback", {"type": 9, "data": modal}, "$.data.components", "5")


def test_button_custom_id_over_100_fails(validator: RequestValidator) -> None:
    body = a_message()
    body["components"][0]["components"][0]["custom_id"] = "c" * 100
    assert validator.validate("POST", "/channels/1/messages", body) == []
    body["components"][0]["components"][0]["custom_id"] = "c" * 101
    check(validator, "POST", "/channels/1/messages", body, "$.components[0].components[0].custom_id", "100")


def test_command_name_over_32_fails(validator: RequestValidator) -> None:
    cmds = commands()
    cmds[0]["name"] = "n" * 33
    check(validator, "PUT", "/applications/1/commands", cmds, "$[0].name", "32")
    check(validator, "POST", "/applications/1/guilds/2/commands", cmds[0], "$.name", "32")


def test_schema_type_violation_fails(validator: RequestValidator) -> None:
    errors = check(validator, "POST", "/channels/1/messages", a_message() | {"tts": "yes"}, "$.tts", "boolean")
    assert errors == ["$.tts: 'yes' is not of type 'boolean', 'null'"]


def test_union_errors_point_into_the_meant_branch(validator: RequestValidator) -> None:
    errors = validator.validate("POST", "/interactions/1/tok/callback", {"type": 4, "data": {"tts": "no"}})
    assert errors == ["$.data.tts: 'no' is not of type 'boolean', 'null'"]
    errors = validator.validate("POST", "/interactions/1/tok/callback", {"type": 99})
    assert errors == ["$: matches none of the 7 allowed shapes (type 99)"]


# --- routes, queries, bodies --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/channels/123/messages", {"content": "hi"}),
        ("POST", "/interactions/456/tok-en/callback", {"type": 6}),
        ("PATCH", "/webhooks/789/tok/messages/@original", {"content": "hi"}),
        ("PATCH", "/webhooks/789/tok/messages/%40original", {"content": "hi"}),
        ("PATCH", "/webhooks/789/tok/messages/12", {"content": "hi"}),
        ("PUT", "/applications/1/guilds/2/commands", []),
        ("POST", "/webhooks/789/tok?wait=1&with_components=1", {"content": "hi"}),
        ("POST", "/interactions/456/tok/callback?with_response=1", {"type": 5, "data": {"flags": 64}}),
        ("POST", "/api/v10/channels/123/messages", {"content": "hi"}),
        ("PUT", "/channels/1/messages/pins/2", None),
        ("POST", "/channels/1/typing", None),
        ("GET", "/channels/1/messages", None),
        ("PATCH", "/guilds/1/members/@me", {"nick": "bot"}),
    ],
)
def test_known_routes_accept_valid_bodies(validator: RequestValidator, method: str, path: str, body: Any) -> None:
    assert validator.validate(method, path, body) == []


@pytest.mark.parametrize(
    ("method", "path"),
    [("POST", "/channels/abc/messages"), ("DELETE", "/channels/1/messages"), ("POST", "/nope"), ("GET", "/")],
)
def test_unknown_routes(validator: RequestValidator, method: str, path: str) -> None:
    assert validator.validate(method, path, {}) == [UNKNOWN_ROUTE]


def test_missing_body_where_one_is_needed(validator: RequestValidator) -> None:
    assert validator.validate("POST", "/channels/1/messages", None) == ["$: a request body is required"]
    assert validator.validate("POST", "/interactions/1/tok/callback", None) == ["$: a request body is required"]


def test_relaxations_are_narrow(validator: RequestValidator) -> None:
    ok = {"content": "x", "message_reference": {"message_id": 11}, "sticker_ids": ["1", 2]}
    assert validator.validate("POST", "/channels/1/messages", ok) == []
    bad_ref = {"content": "x", "message_reference": {"message_id": "eleven"}}
    check(validator, "POST", "/channels/1/messages", bad_ref, "$.message_reference.message_id", "match")
    check(validator, "POST", "/guilds/1/roles", {"permissions": "lots"}, "$.permissions", "match")
    check(validator, "POST", "/guilds/1/roles", {"permissions": True}, "$.permissions")
    check(validator, "PATCH", "/guilds/1/members/2", {"channel_id": 5}, "$.channel_id")  # not relaxed: a string


def test_every_relaxation_is_applied(validator: RequestValidator) -> None:
    spec = load_spec(SPEC_PATH.resolve())
    for pointer, alternative in validation._RELAXATIONS:
        node: Any = spec.document
        for token in pointer.replace("~1", "\x00").split("/"):
            token = token.replace("\x00", "/")
            node = node[int(token)] if isinstance(node, list) else node[token]
        assert node["anyOf"][1] == alternative, pointer


# --- loading ------------------------------------------------------------------------------------


def test_spec_is_loaded_once_per_process(validator: RequestValidator) -> None:
    path = SPEC_PATH.resolve()
    assert load_spec(path) is load_spec(path)
    assert RequestValidator()._spec is RequestValidator(path)._spec
    spec = load_spec(path)
    assert spec.validator("/channels/{channel_id}/messages", "POST") is spec.validator(
        "/channels/{channel_id}/messages", "post"
    )


def test_the_spec_ships_beside_the_fake_with_its_licence() -> None:
    """A fresh clone validates every body: the spec (and its MIT licence) sit beside the fake Discord."""
    assert Path(validation.__file__).resolve().parent / "discord-api-spec" / "openapi.json" == SPEC_PATH
    assert SPEC_PATH.is_file() and (SPEC_PATH.parent / "LICENSE").read_text().startswith("MIT License")


def test_a_missing_spec_fails_instead_of_skipping(tmp_path: Path) -> None:
    """Without the spec the fake cannot tell a body Discord would reject: that is an error, not a skip."""
    with pytest.raises(FileNotFoundError, match="OpenAPI spec is missing"):
        RequestValidator(tmp_path / "openapi.json")


def test_validating_does_not_mutate_the_body(validator: RequestValidator) -> None:
    body = a_message()
    before = copy.deepcopy(body)
    validator.validate("POST", "/channels/1/messages", body)
    assert body == before
