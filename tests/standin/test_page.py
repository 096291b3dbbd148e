"""The HTML page of a guild: channels, threads, messages, embeds, images, ephemeral replies, escaping."""

from __future__ import annotations

import base64
import html
import io
import re
import struct
import zlib

import discord
import pytest
from discord import app_commands

from discord_standin.page import render_page
from discord_standin.server import FakeDiscord

from . import testbot
from .fixtures import ClientFactory, FakeTestBot

EXTERNAL_SRC_OR_HREF = re.compile(r"""(?:src|href|action|srcset)\s*=\s*["']?\s*(?:https?:)?//""", re.I)
DATA_URI = re.compile(r'src="data:(image/[a-z+.-]+);base64,([A-Za-z0-9+/=]+)"')


def tiny_png() -> bytes:
    """Return a valid 1x1 red PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


class HintView(discord.ui.View):
    """A persistent button that answers ephemerally."""

    def __init__(self) -> None:
        super().__init__(timeout=None)

    @discord.ui.button(label="Reveal", custom_id="hint:reveal", style=discord.ButtonStyle.primary)
    async def reveal(self, interaction: discord.Interaction, button: discord.ui.Button[HintView]) -> None:
        await interaction.response.send_message("The answer is **42**", ephemeral=True)


@app_commands.command(name="hint", description="Post a hint button")
async def hint(interaction: discord.Interaction) -> None:
    await interaction.response.send_message("Need a hint?", view=HintView())


def configure(bot: FakeTestBot) -> None:
    testbot.configure(bot)
    bot.tree.add_command(hint)
    bot.add_view(HintView())


@pytest.fixture
async def bot(discord_client_factory: ClientFactory, fake_discord: FakeDiscord) -> FakeTestBot:
    bot = await discord_client_factory(configure)
    await fake_discord.wait_for_commands_synced(["drill", "echo", "hint"])
    return bot


def page_of(fake: FakeDiscord) -> str:
    return render_page(fake, fake.default.guild.id, title="Drill <night> & day", subtitle='the "demo"')


def text_channel(bot: FakeTestBot, channel_id: int) -> discord.TextChannel:
    channel = bot.get_channel(channel_id)
    assert isinstance(channel, discord.TextChannel)
    return channel


def section(page: str, channel_id: int) -> str:
    """Return the HTML of one channel's <section>."""
    start = page.index(f'<section class="channel" id="c-{channel_id}">')
    return page[start : page.index("</section>", start)]


def assert_no_external_resources(page: str) -> None:
    assert EXTERNAL_SRC_OR_HREF.search(page) is None
    assert "url(" not in page and "@import" not in page and "<script" not in page.lower()
    assert "<link" not in page and "<iframe" not in page


async def test_document_shell_and_channel_list(fake_discord: FakeDiscord) -> None:
    """A full HTML document with escaped title, guild name and every text channel in the left column."""
    page = page_of(fake_discord)
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    assert '<meta charset="utf-8">' in page
    assert "<title>Drill &lt;night&gt; &amp; day</title>" in page
    assert "the &quot;demo&quot;" in page
    nav = page[page.index('<nav class="sidebar">') : page.index("</nav>")]
    d = fake_discord.default
    assert [f"#c-{c.id}" in nav for c in (d.general, d.prompts, d.mock)] == [True, True, True]
    assert nav.index("general") < nav.index("prompts") < nav.index("mock")
    anchors = [page.index(f'id="c-{c.id}"') for c in (d.general, d.prompts, d.mock)]
    assert anchors == sorted(anchors)
    assert "No messages yet." in section(page, d.mock.id)
    assert_no_external_resources(page)


async def test_markup_rendered_and_member_text_escaped(fake_discord: FakeDiscord) -> None:
    """Markdown is applied to escaped text: a member's <script>, quotes and ampersands never become HTML."""
    d = fake_discord.default
    d.bob.user.global_name = '<img src=x onerror="alert(1)">'
    fake_discord.seed_message(
        d.general,
        d.alice,
        '**bold** *it* _also_ __under__ ~~gone~~ <script>alert("pwn&go")</script>\n> quoted **q**\n- one\n- two',
        timestamp="2026-06-01T09:00:00+00:00",
    )
    fake_discord.seed_message(d.general, d.bob, "snake_case_name stays & so does 'this'")
    page = page_of(fake_discord)
    general = section(page, d.general.id)
    assert "<strong>bold</strong>" in general and "<em>it</em>" in general and "<em>also</em>" in general
    assert "<u>under</u>" in general and "<s>gone</s>" in general
    assert "<blockquote>quoted <strong>q</strong></blockquote>" in general
    assert "<ul><li>one</li><li>two</li></ul>" in general
    assert "&lt;script&gt;alert(&quot;pwn&amp;go&quot;)&lt;/script&gt;" in general
    assert "<script" not in page.lower()
    assert "snake_case_name stays &amp; so does &#x27;this&#x27;" in general
    assert "<img src=x" not in page and "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in general
    assert '<span class="author">alice</span>' in general
    assert "2026-06-01 09:00" in general
    assert_no_external_resources(page)


async def test_mentions_timestamps_and_code(fake_discord: FakeDiscord) -> None:
    """Member, role and channel mentions, <t:…:F> timestamps and code blocks render like Discord."""
    d = fake_discord.default
    stamp = 1780304400  # 2026-06-01 09:00:00 UTC, a Monday
    fake_discord.seed_message(
        d.general,
        d.alice,
        f"ping <@{d.bob.id}> and <@!{d.carol.id}>, role <@&{d.member_role.id}>, see <#{d.prompts.id}> "
        f"by <t:{stamp}:F> (<t:{stamp}:t>, <t:{stamp}:d>, <t:{stamp}:R>) <:pepe:1234>",
    )
    fake_discord.seed_message(d.general, d.bob, "```python\nif a < b and c:\n    print(**x)\n```\nthen `<@1>` inline")
    general = section(page_of(fake_discord), d.general.id)
    assert '<span class="mention">@bob</span>' in general and '<span class="mention">@carol</span>' in general
    assert '<span class="mention role">@Member</span>' in general
    assert '<span class="mention">#prompts</span>' in general
    assert "Monday, 1 June 2026 09:00 UTC" in general
    assert "09:00 UTC" in general and "2026-06-01" in general
    assert ":pepe:" in general and "&lt;:pepe:1234&gt;" not in general
    code = re.search(r'<pre class="code"><span class="lang">python</span><code>(.*?)</code></pre>', general, re.S)
    assert code is not None
    assert code.group(1) == "if a &lt; b and c:\n    print(**x)"
    assert '<code class="ic">&lt;@1&gt;</code>' in general


async def test_embed_fields_and_attachment_image(fake_discord: FakeDiscord, bot: FakeTestBot) -> None:
    """An embed's colour, author, fields, footer and attachment:// image (as a PNG data URI) are shown."""
    d = fake_discord.default
    png = tiny_png()
    embed = discord.Embed(title="Weekly *scores*", description="Top of the **week**", colour=0x3BA55C)
    embed.set_author(name="drill <stats>")
    embed.add_field(name="Streak", value="7 days", inline=True)
    embed.add_field(name="Best", value=f"<@{d.alice.id}>", inline=True)
    embed.set_footer(text="see you tomorrow")
    embed.set_image(url="attachment://chart.png")
    channel = text_channel(bot, d.general.id)
    await channel.send(embed=embed, file=discord.File(io.BytesIO(png), "chart.png"))
    page = page_of(fake_discord)
    general = section(page, d.general.id)
    assert "border-left-color:#3ba55c" in general
    assert "drill &lt;stats&gt;" in general
    assert "Weekly <em>scores</em>" in general and "Top of the <strong>week</strong>" in general
    assert '<div class="e-fname">Streak</div>' in general and "7 days" in general
    assert '<span class="mention">@alice</span>' in general
    assert "see you tomorrow" in general
    assert '<span class="bot-tag">BOT</span>' in general
    images = DATA_URI.findall(general)
    assert len(images) == 1  # shown in the embed, not repeated as a loose attachment
    mime, payload = images[0]
    assert mime == "image/png"
    decoded = base64.b64decode(payload)
    assert decoded.startswith(b"\x89PNG") and decoded == png
    assert "attachment://" not in page
    assert_no_external_resources(page)


async def test_loose_attachments_and_missing_images(fake_discord: FakeDiscord) -> None:
    """Image attachments are inline data URIs; other files are named boxes; images without bytes are placeholders."""
    d = fake_discord.default
    png = tiny_png()
    await d.alice.say(d.general, "my chart", files=[("mine.png", png), ("notes.csv", b"a,b\n")])
    fake_discord.seed_message(
        d.general,
        fake_discord.world.bot,
        "",
        embeds=[
            {
                "title": "Elsewhere",
                "url": "https://example.com/article",
                "image": {"url": "https://example.com/pics/far-away.png"},
                "thumbnail": {"url": "attachment://never-uploaded.png"},
                "author": {"name": "ext", "icon_url": "https://example.com/icon.png"},
            }
        ],
    )
    fake_discord.seed_message(
        d.general, d.bob, "read [the docs](https://example.com/docs?a=1&b=2) and <https://x.test/y>"
    )
    page = page_of(fake_discord)
    general = section(page, d.general.id)
    images = DATA_URI.findall(general)
    assert [m for m, _ in images] == ["image/png"] and base64.b64decode(images[0][1]) == png
    assert "notes.csv" in general
    assert "far-away.png" in general and "never-uploaded.png" in general
    assert general.count('class="placeholder') == 3
    link = '<span class="link">the docs</span> <span class="url">(https://example.com/docs?a=1&amp;b=2)</span>'
    assert link in general and '<span class="url">https://x.test/y</span>' in general
    assert_no_external_resources(page)


async def test_threads_under_their_messages(fake_discord: FakeDiscord, bot: FakeTestBot) -> None:
    """A thread sits right under its starter message, indented with its own messages; private ones are marked."""
    d = fake_discord.default
    channel = text_channel(bot, d.general.id)
    starter = await channel.send("Today's prompt: explain L1 vs L2")
    thread = await starter.create_thread(name="prompt-discussion")
    await thread.send("Share your answers here")
    await d.alice.say(fake_discord.world.channel(thread.id), "L1 gives sparse weights")
    gone = await channel.send("oops, wrong channel")
    await gone.delete()
    await channel.send("Tomorrow: bias vs variance")
    private = fake_discord.add_thread(d.general, "mock-interview-alice", private=True, owner=d.alice)
    fake_discord.seed_message(private, d.alice, "just for us")
    page = page_of(fake_discord)
    general = section(page, d.general.id)
    order = [
        "Today&#x27;s prompt: explain L1 vs L2",
        f'<div class="thread" id="c-{thread.id}">',
        "prompt-discussion",
        "Share your answers here",
        "L1 gives sparse weights",
        "Tomorrow: bias vs variance",
        f'<div class="thread private" id="c-{private.id}">',
        "mock-interview-alice",
        "just for us",
    ]
    positions = [general.index(s) for s in order]
    assert positions == sorted(positions)
    private_html = general[general.index(f'id="c-{private.id}"') :]
    assert "Private thread" in private_html
    assert "Private thread" not in general[general.index(f'id="c-{thread.id}"') : general.index("Tomorrow")]
    assert "oops, wrong channel" not in page
    nav = page[: page.index("</nav>")]
    assert f'href="#c-{thread.id}"' in nav and f'href="#c-{private.id}"' in nav


async def test_ephemeral_replies_show_who_can_see_them(fake_discord: FakeDiscord, bot: FakeTestBot) -> None:
    """Ephemeral answers appear in their channel in time order, marked for their member, with what they did."""
    d = fake_discord.default
    await d.alice.slash("echo", text="public", channel=d.prompts)
    secret = await d.alice.slash("echo", text="secret", ephemeral=True, channel=d.prompts)
    assert secret.ephemeral
    offer = await d.bob.slash("hint", channel=d.prompts)
    revealed = await d.bob.press(offer, "Reveal")
    assert revealed.ephemeral
    today = await d.alice.slash("drill today", channel=d.prompts)
    modal = await d.alice.press(today, "Answer")
    done = await d.alice.submit_modal(modal, {"Answer": "L1 <is> sparse", "answer_level": ["hard"]})
    assert done.ephemeral
    prompts = section(page_of(fake_discord), d.prompts.id)
    order = [
        "alice used /echo",
        "public ratio=0.5",
        "alice used /echo",
        "secret ratio=0.5",
        "Only alice can see this",
        "bob used /hint",
        "Need a hint?",
        "bob pressed Reveal",
        "The answer is <strong>42</strong>",
        "Only bob can see this",
        "alice used /drill today",
        "alice submitted Your answer",
        "stored &#x27;L1 &lt;is&gt; sparse&#x27; at hard",
        "Only alice can see this",
    ]
    cursor = 0
    for piece in order:
        cursor = prompts.index(piece, cursor) + len(piece)
    assert prompts.count("can see this") == 3
    assert prompts.count('class="msg ephemeral"') == 3
    assert '<span class="btn primary">Reveal</span>' in prompts
    assert '<span class="select">Pick levels<span class="caret">▾</span></span>' in prompts
    assert "<button" not in prompts


async def test_direct_messages_section(fake_discord: FakeDiscord, bot: FakeTestBot) -> None:
    """The bot's DMs with guild members follow the channels."""
    d = fake_discord.default
    user = await bot.fetch_user(d.alice.id)
    await user.send("Your streak is **3** days")
    page = page_of(fake_discord)
    assert page.index(f'id="c-{d.mock.id}"') < page.index('id="direct-messages"')
    dms = page[page.index('id="direct-messages"') :]
    assert "Your streak is <strong>3</strong> days" in dms
    assert f'href="#c-{d.alice.dm_channel.id}"' in page


async def test_no_dm_section_without_dms(fake_discord: FakeDiscord) -> None:
    """No DM section when the bot has no DM with a member."""
    page = page_of(fake_discord)
    assert 'id="direct-messages"' not in page
    assert html.escape(fake_discord.default.guild.name) in page
