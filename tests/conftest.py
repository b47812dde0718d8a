"""Shared fixtures: every test gets its own database, seeded from the shipped knowledge."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from unittest import mock

import discord
import discord.ext.test as dpytest
import pytest
import pytest_asyncio
from discord.ext import commands
from discord.ext.test import backend, factories, runner

from bot.config import Settings
from bot.discord_bot import FactBot, create_bot
from bot.engine import Engine
from bot.knowledge import default_root


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "factbot.sqlite3"


POSTGRES = os.environ.get("FACTBOT_TEST_POSTGRES", "")
"""A PostgreSQL server's URL for the PostgreSQL backend's tests (`.ci/run` starts one);
each test gets a schema of its own there, dropped afterwards."""


@contextlib.asynccontextmanager
async def postgres_schema() -> AsyncIterator[str]:
    """The URL of a new, empty schema on the test server, dropped afterwards."""
    if not POSTGRES:
        pytest.skip("FACTBOT_TEST_POSTGRES is not set (`.ci/run` starts a server and sets it)")
    import asyncpg

    schema = f"test_{uuid.uuid4().hex[:16]}"
    admin = await asyncpg.connect(POSTGRES)
    try:
        await admin.execute(f"CREATE SCHEMA {schema}")
        # asyncpg passes the URL's other parameters to the server as settings.
        yield f"{POSTGRES}{'&' if '?' in POSTGRES else '?'}search_path={schema}"
    finally:
        await admin.execute(f"DROP SCHEMA {schema} CASCADE")
        await admin.close()


@pytest.fixture
async def postgres() -> AsyncIterator[str]:
    async with postgres_schema() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
async def database(request: pytest.FixtureRequest, db_path: Path) -> AsyncIterator[Path | str]:
    """Where a store or engine test keeps its data: each such test runs on both backends."""
    if request.param == "sqlite":
        yield db_path
    else:
        async with postgres_schema() as url:
            yield url


@pytest.fixture
async def engine(database: Path | str) -> AsyncIterator[Engine]:
    engine = await Engine.open(database)
    yield engine
    await engine.close()


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def asking_engine(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Engine]:
    """One engine per module for the many tests that only ask it questions: opening one
    (seeding a database, reading every phrasing) takes longer than such a test. A test
    that adds or changes facts takes `engine`, its own."""
    engine = await Engine.open(tmp_path_factory.mktemp("asking") / "factbot.sqlite3")
    yield engine
    await engine.close()


CommandRunner = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture(scope="session", autouse=True)
def _one_blas_thread() -> Iterator[None]:
    """Each test worker's numpy does its sums in one thread, and so do the `factbot`
    processes the tests start. Two workers share the machine's two cores, and BLAS threads
    spinning for them made the sentence encoder ten times slower (the CLINC150 slice: 30 s
    alone, 350 s beside another worker; a chat's first fit past its two-second wait)."""
    from threadpoolctl import threadpool_limits

    with (
        mock.patch.dict(os.environ, {"OPENBLAS_NUM_THREADS": "1"}),
        threadpool_limits(limits=1, user_api="blas"),
    ):
        yield


@pytest.fixture
def factbot(tmp_path: Path, db_path: Path) -> CommandRunner:
    """Run `python -m bot ...` in an empty folder with its own database and no token."""
    env = {k: v for k, v in os.environ.items() if k not in {"DISCORD_TOKEN", "FACTBOT_DB"}}
    env["FACTBOT_DB"] = str(db_path)

    def run(*args: str, stdin: str | bytes = "") -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [sys.executable, "-m", "bot", *args],
            input=stdin.encode() if isinstance(stdin, str) else stdin,
            capture_output=True,
            cwd=tmp_path,
            env=env,
            timeout=300,  # against a hang: a first fit on a busy CI machine takes a minute
        )
        return subprocess.CompletedProcess(
            done.args, done.returncode, done.stdout.decode(), done.stderr.decode()
        )

    return run


@pytest.fixture
def knowledge_copy(tmp_path: Path) -> Path:
    """A scratch copy of the shipped knowledge base, for tests that change it."""
    root = tmp_path / "knowledge"
    shutil.copytree(default_root(), root, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    return root


# -- Discord: the real bot, driven by dpytest ---------------------------------------------


@dataclass
class DiscordHarness:
    """Guilds with a channel each, their members and moderators, and a way to talk."""

    bot: FactBot
    guilds: list[discord.Guild]
    moderator_roles: list[discord.Role]
    members: dict[tuple[int, str], discord.Member]
    said: discord.Message | None = None
    """The last message :meth:`say` sent."""

    def member(self, guild: int, role: str = "member", name: str | None = None) -> discord.Member:
        """The member called ``name`` (default: the role's name), created on first use."""
        name = name or role
        if (guild, name) not in self.members:
            user = backend.make_user(name, f"{len(self.members) + 1:04}")
            member = backend.make_member(user, self.guilds[guild])
            if role == "moderator":
                member = backend.update_member(member, roles=[self.moderator_roles[guild]])
            self.members[(guild, name)] = member
        return self.members[(guild, name)]

    def channel(self, guild: int) -> discord.TextChannel:
        return self.guilds[guild].text_channels[0]

    async def say(
        self,
        content: str,
        *,
        guild: int = 0,
        role: str = "member",
        name: str | None = None,
        files: Mapping[str, bytes] | None = None,
        channel: discord.abc.Messageable | None = None,
        reply_to: discord.Message | None = None,
    ) -> list[Sent]:
        """Send a message as that person (in the guild's channel, or ``channel``), with
        ``files`` attached (name -> content), in reply to ``reply_to``; return what the
        bot sent back."""
        content = content.replace("@FactBot", f"<@{self.bot.user.id}>")  # type: ignore[union-attr]
        files = files or {}

        async def read(attachment: discord.Attachment, **_: object) -> bytes:
            return files[attachment.filename]  # dpytest attaches names, not content

        def as_reply(*args: Any, **kwargs: Any) -> dict[str, Any]:
            data = make_message_dict(*args, **kwargs)
            if reply_to is not None:  # dpytest cannot send a reply: as Discord sends one
                data["type"] = discord.MessageType.reply.value
                data["message_reference"] = {
                    "message_id": reply_to.id,
                    "channel_id": reply_to.channel.id,
                    "guild_id": reply_to.guild.id if reply_to.guild else None,
                }
                data["referenced_message"] = factories.dict_from_message(reply_to)
            return data

        make_message_dict = factories.make_message_dict
        # The bot's error handler has already replied to a failed command; dpytest re-raises.
        with (
            contextlib.suppress(commands.CommandError),
            mock.patch.object(discord.Attachment, "read", read),
            mock.patch.object(factories, "make_message_dict", as_reply),
        ):
            self.said = await dpytest.message(
                content,
                channel=channel or self.channel(guild),  # type: ignore[arg-type]
                member=self.member(guild, role, name),
                attachments=list(files),
            )
        return self.sent()

    def forum(self, guild: int, name: str = "help") -> discord.ForumChannel:
        """A new forum channel (dpytest makes text channels only)."""
        data = factories.make_channel_dict(
            discord.ChannelType.forum.value, name=name, guild_id=self.guilds[guild].id, position=9
        )
        backend.get_state().parse_channel_create(data)  # type: ignore[arg-type]
        forum = self.guilds[guild].get_channel(data["id"])
        assert isinstance(forum, discord.ForumChannel)
        return forum

    def thread(
        self, parent: discord.abc.GuildChannel, name: str, *, id_num: int | None = None
    ) -> discord.Thread:
        """A new public thread in ``parent`` (a forum's post, when ``parent`` is a forum)."""
        thread_id = id_num or factories.make_id()
        data = _thread_payload(thread_id, parent, self.member(0).id, name)
        backend.get_state().parse_thread_create({**data, "newly_created": True})  # type: ignore[typeddict-item]
        thread = parent.guild.get_thread(thread_id)
        assert thread is not None
        return thread

    async def post(
        self, forum: discord.ForumChannel, title: str, content: str, *, role: str = "member"
    ) -> list[Sent]:
        """A member opens a post in a forum: a thread titled ``title`` whose first message,
        sharing the thread's id as on Discord, says ``content``; what the bot sent back."""
        thread = self.thread(forum, title)
        member = self.member(self.guilds.index(forum.guild), role)
        self.said = backend.make_message(content, member, thread, id_num=thread.id)
        await dpytest.run_all_events()
        return self.sent()

    async def retitle(self, thread: discord.Thread, name: str) -> list[Sent]:
        """Its owner renames a thread (a forum post's title); what the bot sent anew."""
        assert thread.parent is not None
        data = _thread_payload(thread.id, thread.parent, thread.owner_id, name)
        backend.get_state().parse_thread_update(data)  # type: ignore[arg-type]
        await dpytest.run_all_events()
        return self.sent()

    async def edit(self, message: discord.Message, content: str) -> list[Sent]:
        """Its author edits a message (Discord sends the whole message again); what the
        bot sent anew."""
        data = factories.dict_from_message(message)
        data["content"] = content.replace("@FactBot", f"<@{self.bot.user.id}>")  # type: ignore[union-attr]
        data["edited_timestamp"] = discord.utils.utcnow().isoformat()
        data["channel_id"] = message.channel.id
        if message.guild is not None:
            data["guild_id"] = message.guild.id
        backend.get_state().parse_message_update(data)  # type: ignore[arg-type]
        await dpytest.run_all_events()
        return self.sent()

    @staticmethod
    async def delete(message: discord.Message) -> None:
        """Its author deletes a message."""
        backend.delete_message(message)
        await dpytest.run_all_events()

    @staticmethod
    async def now_reads(sent: Sent) -> Sent | None:
        """What a message the bot sent shows now, after any edits; None once deleted."""
        try:
            return Sent(await sent.message.channel.fetch_message(sent.message.id))
        except discord.NotFound:
            return None

    @staticmethod
    def sent() -> list[Sent]:
        replies = []
        while not runner.sent_queue.empty():
            replies.append(Sent(runner.sent_queue.get_nowait()))
        return replies

    async def react(self, message: discord.Message, emoji: str, *, guild: int, role: str) -> None:
        """A member adds a reaction (dpytest's own helper predates discord.py 2.4's payload)."""
        data = {
            "message_id": message.id,
            "channel_id": message.channel.id,
            "guild_id": self.guilds[guild].id,
            "user_id": self.member(guild, role).id,
            "burst": False,
            "type": 0,
        }
        event = discord.RawReactionActionEvent(
            data,
            discord.PartialEmoji(name=emoji),
            "REACTION_ADD",  # type: ignore[arg-type]
        )
        self.bot.dispatch("raw_reaction_add", event)
        await dpytest.run_all_events()


@dataclass
class Sent:
    """One message the bot sent: its text and embed, flattened for assertions."""

    message: discord.Message

    def __post_init__(self) -> None:
        within_discord_limits(self.message.content, self.message.embeds)

    @property
    def embed(self) -> discord.Embed | None:
        return self.message.embeds[0] if self.message.embeds else None

    @property
    def text(self) -> str:
        parts = [self.message.content or ""]
        if self.embed is not None:
            embed = self.embed
            parts += [embed.title or "", embed.description or ""]
            parts += [f"{f.name}\n{f.value}" for f in embed.fields]
            parts.append(embed.footer.text or "")
        return "\n".join(p for p in parts if p)


def _thread_payload(
    thread_id: int, parent: discord.abc.GuildChannel, owner_id: int, name: str
) -> dict[str, Any]:
    """A public thread as Discord sends it (dpytest makes no threads)."""
    return {
        "id": thread_id,
        "guild_id": parent.guild.id,
        "parent_id": parent.id,
        "owner_id": owner_id,
        "name": name,
        "type": discord.ChannelType.public_thread.value,
        "message_count": 0,
        "member_count": 1,
        "rate_limit_per_user": 0,
        "thread_metadata": {
            "archived": False,
            "auto_archive_duration": 1440,
            "archive_timestamp": discord.utils.utcnow().isoformat(),
            "locked": False,
        },
    }


def within_discord_limits(content: str | None, embeds: Sequence[discord.Embed] = ()) -> None:
    """Fails on what Discord itself would refuse (dpytest sends it all): the whole message
    is refused, and the member sees nothing."""
    assert len(content or "") <= 2000, f"message of {len(content or '')} characters"
    for embed in embeds:
        assert len(embed) <= 6000, f"embed of {len(embed)} characters"
        assert len(embed.title or "") <= 256
        assert len(embed.description or "") <= 4096
        assert len(embed.fields) <= 25, f"embed of {len(embed.fields)} fields"
        assert all(len(f.name or "") <= 256 and len(f.value or "") <= 1024 for f in embed.fields)
        assert len(embed.footer.text or "") <= 2048


def discord_settings(database: Path | str, **overrides: object) -> Settings:
    """Settings for a test bot; conversations ask more often than a person would."""
    fields: dict[str, object] = {"ask_cooldown_rate": 1000, **overrides}
    return Settings(_env_file=None, factbot_db=database, **fields)  # type: ignore[call-arg]


async def start_bot(
    settings: Settings, guilds: tuple[str, ...] = ("Alpha", "Beta")
) -> DiscordHarness:
    """The real bot, set up as `factbot run` would but without connecting."""
    bot = create_bot(settings, intents=discord.Intents.all())
    await bot._async_setup_hook()
    await bot.setup_hook()
    dpytest.configure(bot, guilds=list(guilds), members=0)
    _refuse_what_discord_refuses(bot)
    made = dpytest.get_config().guilds
    roles = [
        backend.make_role(
            "Moderators", g, permissions=discord.Permissions(manage_messages=True).value
        )
        for g in made
    ]
    return DiscordHarness(bot, list(made), roles, {})


AS_SENT: dict[int, dict[str, Any]] = {}
"""What dpytest keeps of no message the bot sent: its buttons (``components``, what a
member clicks) and what it replies to (``message_reference``), as Discord was sent them."""


def _refuse_what_discord_refuses(bot: FactBot) -> None:
    """Discord refuses a reply from a bot that may not read the channel's history, and an
    edit of a deleted message; dpytest does both. Make its fake HTTP refuse them too, and
    add the bot's reactions with the payload discord.py 2.4+ reads."""
    http = bot._connection.http
    send = http.send_message

    async def send_message(channel_id: int, *, params: Any) -> Any:
        channel = bot.get_channel(channel_id)  # dpytest reads its caller's `channel`
        replying = bool((params.payload or {}).get("message_reference"))
        if (
            replying
            and isinstance(channel, discord.abc.GuildChannel)
            and not channel.permissions_for(channel.guild.me).read_message_history
        ):
            message = "Cannot reply without permission to read message history"
            raise discord.Forbidden(
                backend.FakeRequest(403, "Forbidden"), {"code": 160002, "message": message}
            )
        sent = await send(channel_id, params=params)
        payload = params.payload or {}
        AS_SENT[int(sent["id"])] = {
            "components": payload.get("components") or [],
            **({"message_reference": payload["message_reference"]} if replying else {}),
        }
        return sent

    http.send_message = send_message  # type: ignore[method-assign]
    edit = http.edit_message

    async def edit_message(channel_id: int, message_id: int, **fields: Any) -> Any:
        self = bot._connection._get_message(message_id)  # dpytest reads its caller's `self`
        if self is None:  # deleted: dpytest would edit it all the same
            raise discord.NotFound(backend.FakeRequest(404, "Not Found"), "Unknown Message")
        payload = fields["params"].payload if "params" in fields else fields
        if "components" in (payload or {}):
            AS_SENT.setdefault(message_id, {})["components"] = payload["components"] or []
        return await edit(channel_id, message_id, **fields)

    http.edit_message = edit_message  # type: ignore[method-assign]

    async def add_reaction(channel_id: int, message_id: int, emoji: str) -> None:
        # dpytest's own payload predates discord.py 2.4's (no reaction type): as Discord's.
        channel = bot.get_channel(channel_id)
        data: dict[str, Any] = {
            "message_id": message_id,
            "channel_id": channel_id,
            "user_id": bot.user.id,  # type: ignore[union-attr]
            "emoji": {"id": None, "name": emoji},
            "burst": False,
            "type": 0,
        }
        if isinstance(channel, discord.abc.GuildChannel | discord.Thread):
            data["guild_id"] = channel.guild.id
        bot._connection.parse_message_reaction_add(data)  # type: ignore[arg-type]

    http.add_reaction = add_reaction  # type: ignore[method-assign]


@contextlib.asynccontextmanager
async def running_bot(settings: Settings) -> AsyncIterator[DiscordHarness]:
    harness = await start_bot(settings)
    try:
        yield harness
    finally:
        await dpytest.empty_queue()
        # dpytest's fake gateway cannot be closed; the bot still closes its engine.
        with contextlib.suppress(AttributeError):
            await harness.bot.close()


@pytest.fixture
async def discord_bot(db_path: Path) -> AsyncIterator[DiscordHarness]:
    async with running_bot(discord_settings(db_path)) as harness:
        yield harness
