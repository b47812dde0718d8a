"""The ``factbot`` command: a thin adapter from the shell to the engine.

Exit codes: 0 success (a question the bot cannot answer is still a success), 2 usage or
bad input with a one-line reason on stderr, 1 unexpected failure.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import logging
import os
import sys
import threading
from collections.abc import Sequence
from pathlib import Path

from pydantic import ValidationError

from bot.config import Settings, database_location
from bot.curation import MAX_QUESTION_LENGTH
from bot.engine import Engine, check_question
from bot.errors import BadInput
from bot.knowledge import KnowledgeError
from bot.matcher.index_files import allow_open_files
from bot.models import GLOBAL, Answer
from bot.rendering import (
    NOT_ANSWERED,
    answer_json,
    answer_text,
    counted,
    explanation_text,
    render_scores,
    render_sweep,
)
from bot.store import Store
from bot.training import child_processes, fitting, stop_fitting_processes

log = logging.getLogger("factbot")

CONSOLE_GUILD = 1
"""The server `factbot chat` talks in by default: what it adds stays out of every real
server (and out of the global, shipped facts)."""

BENCH_SHOTS = [5, 10, 100]
BENCH_FACTS = [1000, 10000]
"""What `bench` runs without --shots / --facts (no argparse default: the other suite
refuses each option, so it must see whether it was given)."""


def _database_argument(text: str) -> Path | str:
    try:
        return database_location(text)
    except ValueError as error:  # argparse would say only "invalid value"
        raise argparse.ArgumentTypeError(str(error)) from None


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--db",
        type=_database_argument,
        metavar="PATH|URL",
        help="a SQLite file or a postgresql:// URL (default: $FACTBOT_DB, else a file in"
        " your user data folder)",
    )
    common.add_argument("-v", "--verbose", action="store_true", help="log what happens")

    parser = argparse.ArgumentParser(
        prog="factbot", description="Answers questions from curated, cited facts."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    ask = commands.add_parser("ask", parents=[common], help="answer one question")
    ask.add_argument("question", nargs="?", help="the question (omit with --batch)")
    ask.add_argument("--json", action="store_true", help="print one JSON object per answer")
    ask.add_argument("--batch", action="store_true", help="answer each line of stdin, in order")
    _guild_option(ask, "ask as a member of this server", default=GLOBAL)
    ask.add_argument(
        "--why", action="store_true", help="show how the question was read and each candidate"
    )
    ask.set_defaults(handler=_ask)

    chat = commands.add_parser("chat", parents=[common], help="talk to the bot in the console")
    chat.add_argument(
        "--record", type=Path, metavar="FILE", help="save the conversation as a transcript"
    )
    _guild_option(
        chat,
        "talk as a moderator of this server (default: a console server of its own)",
        default=CONSOLE_GUILD,
    )
    chat.set_defaults(handler=_chat)

    replay = commands.add_parser(
        "replay", parents=[common], help="check transcripts against the knowledge base"
    )
    replay.add_argument("files", nargs="+", type=Path, metavar="FILE", help="transcript YAML")
    _guild_option(
        replay,
        "your Discord server's id, so its own facts count (default: a fresh server)",
        default=CONSOLE_GUILD,
    )
    replay.set_defaults(handler=_replay)

    evaluate = commands.add_parser(
        "eval", parents=[common], help="score answer quality on a labelled question file"
    )
    evaluate.add_argument("file", type=Path, help="labelled questions (see README)")
    evaluate.add_argument("--json", action="store_true", help="print the scores as JSON")
    evaluate.add_argument(
        "--sweep", action="store_true", help="score every cut-off from 10 to 90 (tuning)"
    )
    evaluate.add_argument("--why", action="store_true", help="explain every question it got wrong")
    _guild_option(evaluate, "ask as a member of this server", default=GLOBAL)
    evaluate.set_defaults(handler=_eval)

    bench = commands.add_parser(
        "bench", parents=[common], help="measure answer quality (clinc150) or scale (scale)"
    )
    bench.add_argument("suite", choices=["clinc150", "scale"], help="the benchmark to run")
    bench.add_argument(
        "--shots", type=int, nargs="+", metavar="K",
        help=f"phrasings per fact (clinc150, default: {' '.join(map(str, BENCH_SHOTS))}; "
        "scale: one K, default: 5)",
    )  # fmt: skip
    bench.add_argument(
        "--facts", type=int, nargs="+", metavar="N",
        help=f"scale: knowledge base sizes (default: {' '.join(map(str, BENCH_FACTS))})",
    )  # fmt: skip
    bench.add_argument("--data", type=Path, help="another copy of CLINC150's data_full.json")
    bench.set_defaults(handler=_bench)

    importing = commands.add_parser(
        "import",
        parents=[common],
        help="add a CSV FAQ or a pack (a folder or its .zip) to a server",
    )
    importing.add_argument(
        "path",
        type=Path,
        metavar="PATH",
        help="a .csv (fact_id,question,answer), a pack folder or its .zip",
    )
    where = importing.add_mutually_exclusive_group(required=True)
    where.add_argument("--guild", type=_server_id, metavar="ID", help="the server it is for")
    where.add_argument(
        "--global",
        dest="everywhere",
        action="store_true",
        help="for every server and direct message, beside the shipped pack",
    )
    importing.set_defaults(handler=_import)

    export = commands.add_parser(
        "export", parents=[common], help="write a server's facts as a pack"
    )
    export.add_argument(
        "path", type=Path, metavar="PATH", help="a new or empty folder, or a new .zip file"
    )
    _guild_option(export, "the server whose facts to write")
    export.set_defaults(handler=_export)

    backup = commands.add_parser(
        "backup", parents=[common], help="copy the database, safely while the bot runs"
    )
    backup.add_argument("path", type=Path, metavar="PATH", help="a new file for the copy")
    backup.set_defaults(handler=_backup)

    restore = commands.add_parser(
        "restore", parents=[common], help="put a backup back in place of the database"
    )
    restore.add_argument("path", type=Path, metavar="PATH", help="a file `factbot backup` wrote")
    restore.set_defaults(handler=_restore)

    run = commands.add_parser("run", parents=[common], help="run the Discord bot")
    run.set_defaults(handler=_run)
    return parser


def _guild_option(parser: argparse.ArgumentParser, help: str, default: int | None = None) -> None:
    """``--guild ID``: required when there is no sensible default."""
    parser.add_argument(
        "--guild",
        type=_server_id,
        default=default,
        required=default is None,
        metavar="ID",
        help=help,
    )


_LARGEST_ID = 2**63 - 1
"""Discord's ids are 64-bit and never negative; the store keeps them as signed 64-bit."""


def _server_id(text: str) -> int:
    """A server's id as typed after ``--guild`` (0: a direct message)."""
    try:
        value = int(text)
    except ValueError:
        value = -1
    if not 0 <= value <= _LARGEST_ID:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a server id (in Discord: right-click the server, Copy Server ID)"
        )
    return value


def command() -> int:
    """The ``factbot`` command itself (started by :mod:`bot.__main__`; tests call
    :func:`main`, in a process that goes on). Once it is done, the process ends without
    Python's teardown, which would free every object the command made one by one and
    collect once more (20-30 ms of `factbot ask`, a tenth of its time), unless something is
    left that the teardown would finish."""
    code = main()
    if fitting():
        # It ended (answered, interrupted, or the bot was stopped) in the middle of a fit
        # nobody will use now. Python would wait at exit for the rest of it (5 s for the
        # shipped pack, 40 s at 15,000 phrasings), and a thread still inside scikit-learn's
        # compiled code as Python shuts down can crash the process. Leave at once: what
        # matters is written (the store commits each change, the cache writes whole files).
        stop_fitting_processes()
        _flushed()
    elif not (_flushed() and _nothing_left_to_finish()):
        return code
    logging.shutdown()
    os._exit(code)


def _flushed() -> bool:
    """Whether what the command wrote is out; if not, Python's own exit reports why."""
    try:
        for stream in (sys.stdout, sys.stderr):
            if stream is not None:  # None: the stream was closed before Python started
                stream.flush()
    except (OSError, ValueError):
        return False
    return True


def _nothing_left_to_finish() -> bool:
    """Whether Python's exit would only tidy up: no thread it would wait for, nor child
    process it would stop (daemon threads it stops where they stand)."""
    others = [t for t in threading.enumerate() if t is not threading.main_thread()]
    return all(t.daemon for t in others) and not child_processes()


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    allow_open_files()
    try:
        settings = _settings()
        if args.db is not None:
            settings = settings.model_copy(update={"factbot_db": args.db})
        code = asyncio.run(args.handler(args, settings))
        sys.stdout.flush()  # a reader gone away shows here, not in Python's flush at exit
        return code
    except BadInput as error:
        print(f"factbot: {error}", file=sys.stderr)
        return 2
    except KnowledgeError as error:
        print(f"factbot: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (`factbot eval … | head`): stop quietly, as other tools do.
        # Python flushes stdout again on exit, so point it somewhere that stays open.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except Exception as error:
        log.debug("unexpected failure", exc_info=True)
        print(f"factbot: unexpected error: {error!r} (run with -v for details)", file=sys.stderr)
        if args.verbose:
            raise
        return 1


def _settings() -> Settings:
    try:
        return Settings()
    except ValidationError as error:
        problem = error.errors()[0]
        name = ".".join(str(p) for p in problem["loc"]).upper()
        message = problem["msg"].removeprefix("Value error, ")
        raise BadInput(
            f"bad setting {name}: {message}" if name else f"bad settings: {message}"
        ) from None


async def _open(settings: Settings, *, answering: bool = True) -> Engine:
    return await Engine.for_settings(settings, answering=answering)


async def _ask(args: argparse.Namespace, settings: Settings) -> int:
    if args.batch == (args.question is not None):
        raise BadInput("give one QUESTION, or --batch to read questions from stdin")
    if args.why and (args.json or args.batch):
        raise BadInput("--why explains one question in words: use it without --json and --batch")
    render = answer_json if args.json else answer_text
    if not args.batch:
        question = check_question(args.question, keep_lines=True)
        async with await _open(settings) as engine:
            await engine.ready(args.guild)
            if args.why:
                print(explanation_text(engine.explain(question, args.guild)))
            else:
                print(render(engine.ask(question, args.guild)))
        return 0
    async with await _open(settings) as engine:
        await engine.ready(args.guild)
        out = []
        for number, raw in enumerate(sys.stdin.buffer, start=1):
            question, problem = _batch_line(raw, number)
            answer = (
                engine.ask(question, args.guild)
                if question and not problem
                else Answer(question=question, answered=False, confidence=0.0)
            )
            if problem is None:
                out.append(render(answer))
            elif args.json:
                out.append(json.dumps({**json.loads(render(answer)), "error": problem}))
            else:
                out.append(f"{NOT_ANSWERED} ({problem})")
    sys.stdout.write(("\n" if args.json else "\n\n").join(out) + ("\n" if out else ""))
    return 0


def _batch_line(raw: bytes, number: int) -> tuple[str, str | None]:
    """A line of `--batch` input as a question, or what is wrong with it: one bad line
    never stops the others, and no line costs more than a bounded amount of work."""
    try:
        text = raw.decode("utf-8").strip()
    except UnicodeDecodeError as error:
        lossy = raw[:MAX_QUESTION_LENGTH].decode("utf-8", "replace").strip()
        return lossy, f"line {number} is not UTF-8 text (byte {error.start + 1})"
    if not text:
        return "", None
    try:
        return check_question(text, keep_lines=True), None
    except BadInput as error:
        return text[:MAX_QUESTION_LENGTH], f"line {number}: {error}"


async def _chat(args: argparse.Namespace, settings: Settings) -> int:
    """A console conversation; as in Discord, `!fact …` commands work too (as moderator)."""
    # Imported here, as in every handler but ask's: `factbot ask` starts faster without.
    from bot.chat_commands import MENTION, Interpreter, Speaker
    from bot.transcripts import Transcript, Turn, dump_transcript, expectation_of

    async with await _open(settings) as engine:
        interpreter = Interpreter(engine, settings.command_prefix, settings.channel_threshold)
        speaker = Speaker(args.guild, moderator=True, name="console")
        turns: list[Turn] = []
        print("Ask me about the facts I know. An empty line or Ctrl-D ends the chat.")
        while True:
            try:
                line = (await asyncio.to_thread(input, "you> ")).strip()
            except EOFError:
                print()
                break
            if not line:
                break
            prefix = settings.command_prefix
            said = line if line.startswith((prefix, MENTION)) else f"{prefix}ask {line}"
            reply = await interpreter.handle(said, speaker)
            # An answer as `factbot ask` shows it; anything else in the bot's words in Discord.
            answered = reply is not None and reply.answer is not None and reply.answer.answered
            text = answer_text(reply.answer) if answered else reply.text if reply else ""
            print("bot> " + text.replace("\n", "\n     "))
            turns.append(Turn(say=said, role="moderator", expect=expectation_of(reply)))
    if args.record and turns:
        transcript = Transcript(
            title=f"Recorded with factbot chat: {args.record.stem}", turns=turns
        )
        args.record.write_text(dump_transcript(transcript), encoding="utf-8")
        print(f"Saved {len(turns)} turns to {args.record}")
    return 0


async def _replay(args: argparse.Namespace, settings: Settings) -> int:
    """Exit 0 when every turn passes, 1 when any fails, 2 for a file that cannot be read."""
    from bot.transcripts import failure, load_transcript, replay

    transcripts = [(path, load_transcript(path)) for path in args.files]
    failed = 0
    for path, transcript in transcripts:
        results = await replay(transcript, settings.factbot_db, first_guild_id=args.guild)
        for result in results:
            if result.passed:
                print(f"PASS {path} turn {result.number}: {result.turn.say}")
            else:
                failed += 1
                print(
                    "FAIL "
                    + failure(path, result.number, result.turn, result.problems, result.seen)
                )
    total = sum(len(t.turns) for _, t in transcripts)
    print(f"{total - failed} passed, {failed} failed")
    return 1 if failed else 0


async def _eval(args: argparse.Namespace, settings: Settings) -> int:
    from bot.evaluation import evaluate, load_labelled, sweep

    if args.json and (args.sweep or args.why):
        raise BadInput("--json prints the scores alone: use it without --sweep and --why")
    labelled = load_labelled(args.file)
    async with await _open(settings) as engine:
        await engine.ready(args.guild)
        if args.sweep:
            print(render_sweep(sweep(engine, labelled, range(10, 91, 5))))
            return 0
        scores = evaluate(engine, labelled)
        if args.why:
            for outcome in scores[0].outcomes:
                if not outcome.right:
                    print(explanation_text(engine.explain(outcome.question, args.guild)))
                    print(f"  expected: {outcome.expected or 'no answer'}\n")
    if args.json:
        print(json.dumps({s.name: s.summary() for s in scores}, ensure_ascii=False, indent=2))
    else:
        print(render_scores(args.file.name, scores))
    return 0


async def _bench(args: argparse.Namespace, settings: Settings) -> int:
    from bot import bench

    # Each suite's option is refused by the other, not ignored: a run can take an hour.
    if args.suite == "scale":
        from bot import bench_scale

        facts = args.facts or BENCH_FACTS
        if any(not 10 <= n <= 200_000 for n in facts):
            raise BadInput("--facts takes 10 to 200,000 facts")
        phrasings = args.shots or [bench_scale.PHRASINGS]
        if len(phrasings) != 1 or not 1 <= phrasings[0] <= 10:
            raise BadInput("`bench scale` takes one --shots K, 1 to 10 phrasings per fact")
        await bench_scale.run(facts, args.data, phrasings=phrasings[0])
        return 0
    if args.facts is not None:
        raise BadInput("--facts is for `bench scale`; `bench clinc150` takes --shots")
    shots = args.shots or BENCH_SHOTS
    if any(not 1 <= k <= 100 for k in shots):
        raise BadInput("--shots takes 1 to 100 phrasings per fact")
    for k in shots:
        print(bench.render(k, await bench.run(k, args.data)), end="\n\n", flush=True)
    return 0


async def _import(args: argparse.Namespace, settings: Settings) -> int:
    from tqdm import tqdm

    from bot import bulk

    # The whole file is read and checked before the database is opened: a bad row leaves
    # nothing behind.
    bundle = bulk.read(args.path)
    async with await _open(settings, answering=False) as engine:
        with tqdm(total=bundle.phrasings, unit=" phrasings", disable=None, file=sys.stderr) as bar:
            report = await engine.curator.import_bundle(
                GLOBAL if args.everywhere else args.guild,
                bundle,
                actor=f"import {bundle.name}",
                progress=bar.update,
                everywhere=args.everywhere,
            )
    print(f"{bundle.name}: {report}")
    return 0


async def _export(args: argparse.Namespace, settings: Settings) -> int:
    from bot import bulk

    async with await _open(settings, answering=False) as engine:
        facts, sources, out_of_scope = engine.own_knowledge(args.guild)
        if not facts:
            raise BadInput(f"server {args.guild} has no facts of its own to export.")
        if args.path.suffix.lower() == ".zip":
            if args.path.exists():
                raise BadInput(f"{args.path}: already there; give a new file name.")
            args.path.write_bytes(bulk.zipped_pack(sources, facts, out_of_scope))
        else:
            bulk.write_pack(args.path, sources, facts, out_of_scope)
    print(
        f"{counted(len(facts), 'fact')}, {counted(len(sources), 'source')}, "
        f"{counted(len(out_of_scope), 'out-of-scope question')} written to {args.path}"
    )
    return 0


def _sqlite_file(database: Path | str, command: str) -> Path:
    if isinstance(database, str):
        raise BadInput(
            f"`factbot {command}` copies SQLite files: back up PostgreSQL with pg_dump"
            " (and restore with pg_restore)."
        )
    return database


def _must_be_file(path: Path, missing: str) -> None:
    if not path.is_file():
        raise BadInput(f"{path}: {missing}")


def _must_be_new(path: Path) -> None:
    if path.exists():
        raise BadInput(f"{path} exists: give the backup a new file.")
    if not path.parent.is_dir():
        raise BadInput(f"{path.parent}: no such folder to back up into.")


async def _backup(args: argparse.Namespace, settings: Settings) -> int:
    from bot.store.sqlite import copy_database

    source = _sqlite_file(settings.factbot_db, "backup")
    _must_be_file(source, "there is no database to back up yet.")
    _must_be_new(args.path)
    await (await Store.open(source)).close()  # FactBot's own, and one this version knows
    await asyncio.to_thread(copy_database, source, args.path)
    print(f"backed up {source} to {args.path}")
    return 0


async def _restore(args: argparse.Namespace, settings: Settings) -> int:
    from bot.store.sqlite import check_backup, copy_database, keep_aside

    target = _sqlite_file(settings.factbot_db, "restore")
    _must_be_file(args.path, "no such backup file.")
    check_backup(args.path)
    # What was written since the backup would be gone: the database as it was is kept
    # beside it, so that restoring the wrong file loses nothing either.
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    kept = target.with_name(f"{target.name}.before-restore-{stamp}")
    _must_be_new(kept)
    was_kept = target.is_file() and await asyncio.to_thread(keep_aside, target, kept)
    await asyncio.to_thread(copy_database, args.path, target)
    print(f"restored {settings.factbot_db} from {args.path}")
    if was_kept:
        print(f"the database as it was is kept in {kept} (`factbot restore {kept}` puts it back)")
    return 0


async def _run(args: argparse.Namespace, settings: Settings) -> int:
    if settings.discord_token is None or not settings.discord_token.get_secret_value():
        raise BadInput(
            "DISCORD_TOKEN is not set: put DISCORD_TOKEN=<your bot token> in .env "
            "or the environment (see README, 'Running the Discord bot')"
        )
    from bot.discord_bot import run_bot  # discord.py is imported only when needed

    await run_bot(settings)
    return 0
