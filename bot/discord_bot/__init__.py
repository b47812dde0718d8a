"""The Discord adapter: a thin layer of discord.py around the engine.

``create_bot`` builds the bot without connecting (tests drive it with dpytest);
``run_bot`` connects it with the configured token.
"""

from bot.discord_bot.client import FactBot, create_bot, run_bot

__all__ = ["FactBot", "create_bot", "run_bot"]
