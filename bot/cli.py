"""The `drillbot` command: run the bot, apply migrations, check question files."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Sequence

import discord
from pydantic import ValidationError

from bot.config import Settings


def load_settings() -> Settings:
    """Read settings, turning a bad value into a one-line error and exit code 2."""
    try:
        return Settings()
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']).upper() or 'settings'}: {err['msg']}" for err in exc.errors()
        )
        print(f"drillbot: error: bad configuration: {problems}", file=sys.stderr)
        raise SystemExit(2) from None


def setup_logging(level: str) -> None:
    """Log to stderr at ``level`` in discord.py's format."""
    discord.utils.setup_logging(level=getattr(logging, level), root=True)


def _cmd_run(_args: argparse.Namespace) -> int:
    from bot.app import run

    settings = load_settings()
    setup_logging(settings.log_level)
    return asyncio.run(run(settings))


def _cmd_migrate(_args: argparse.Namespace) -> int:
    from bot.migrate import upgrade_head

    settings = load_settings()
    setup_logging(settings.log_level)
    asyncio.run(upgrade_head(settings.database_url))
    print("drillbot: database is at the latest revision")
    return 0


def _cmd_questions_check(args: argparse.Namespace) -> int:
    from pathlib import Path

    from bot.services.questions.content import check_path
    from bot.services.questions.loader import SHIPPED_DIR, format_report

    path = Path(args.path) if args.path else SHIPPED_DIR
    errors = check_path(path)
    if errors:
        print(format_report(errors))
        print(f"drillbot: {len(errors)} problem(s) in {path}", file=sys.stderr)
        return 1
    print(f"drillbot: {path} is valid")
    return 0


def _cmd_questions_counts(args: argparse.Namespace) -> int:
    from bot.services.questions.counts import counts_markdown, format_file, with_counts
    from bot.services.questions.loader import SHIPPED_DIR, QuestionFileError, load_directory

    try:
        questions = load_directory(SHIPPED_DIR)
    except QuestionFileError as exc:
        print(exc, file=sys.stderr)
        return 1
    if not args.write:
        print(counts_markdown(questions))
        return 0
    path = format_file(SHIPPED_DIR)
    path.write_text(with_counts(path.read_text(encoding="utf-8"), questions), encoding="utf-8")
    print(f"drillbot: counts written to {path}")
    return 0


def _cmd_demo(args: argparse.Namespace) -> int:
    from pathlib import Path

    from demo.program import main as demo_main

    setup_logging("WARNING")
    return demo_main(Path(args.out), keep=args.keep)


def build_parser() -> argparse.ArgumentParser:
    """Describe the command line."""
    parser = argparse.ArgumentParser(prog="drillbot", description="Interview-prep program bot for Discord.")
    sub = parser.add_subparsers(dest="command")
    run = sub.add_parser("run", help="apply migrations, then connect to Discord (the default)")
    run.set_defaults(func=_cmd_run)
    migrate = sub.add_parser("migrate", help="apply pending database migrations and exit")
    migrate.set_defaults(func=_cmd_migrate)
    demo = sub.add_parser("demo", help="try drillbot without Discord: the real bot against a local stand-in")
    demo.add_argument("--keep", action="store_true", help="leave the stand-in and the bot running (Ctrl-C stops)")
    demo.add_argument("--out", default="drillbot-demo", help="where to write index.html (default ./drillbot-demo)")
    demo.set_defaults(func=_cmd_demo)
    questions = sub.add_parser("questions", help="work with question files")
    qsub = questions.add_subparsers(dest="questions_command", required=True)
    check = qsub.add_parser("check", help="validate question files (the shipped bank by default)")
    check.add_argument("path", nargs="?", help="a question file or a directory of category files")
    check.set_defaults(func=_cmd_questions_check)
    counts = qsub.add_parser("counts", help="count the shipped questions per category, round, track and difficulty")
    counts.add_argument("--write", action="store_true", help="write the counts into questions/FORMAT.md")
    counts.set_defaults(func=_cmd_questions_counts)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line and return its exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    func = getattr(args, "func", _cmd_run)
    return int(func(args))


if __name__ == "__main__":
    raise SystemExit(main())
