from bot.cli import command

raise SystemExit(command())
