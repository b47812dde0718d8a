"""Suggestions as buttons: when the bot is not sure ("Did you mean: …"), each fact it
suggests is a button that asks that fact's question, so nobody copies `!ask …` by hand
(on a phone, least of all). The buttons keep working after a restart: what a button does
is in its id."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import discord

from bot.models import Answer
from bot.replies import clip

if TYPE_CHECKING:
    from bot.discord_bot.client import FactBot

LABEL_LIMIT = 80
"""Discord's limit for a button's label."""
CUSTOM_ID = "factbot:ask:{asked_by}:{fact_id}"


class AskSuggested(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"factbot:ask:(?P<asked_by>[0-9]+):(?P<fact_id>[a-z0-9][a-z0-9-]{0,63})",
):
    """A suggested fact's button. Who asked is in its id: their click turns the bot's
    "not sure" into the answer for all to see; anyone else's click answers only them."""

    def __init__(self, asked_by: int, fact_id: str, label: str) -> None:
        super().__init__(
            discord.ui.Button(
                label=clip(label, LABEL_LIMIT),
                style=discord.ButtonStyle.secondary,
                custom_id=CUSTOM_ID.format(asked_by=asked_by, fact_id=fact_id),
            )
        )
        self.asked_by = asked_by
        self.fact_id = fact_id

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction,
        item: discord.ui.Button[Any],  # type: ignore[override]
        match: re.Match[str],
        /,
    ) -> AskSuggested:
        return cls(int(match["asked_by"]), match["fact_id"], item.label or "")

    async def callback(self, interaction: discord.Interaction[FactBot]) -> None:  # type: ignore[override]
        asking = interaction.client.get_cog("Asking")
        await asking.ask_suggested(interaction, self.asked_by, self.fact_id)  # type: ignore[union-attr]


def suggestion_buttons(answer: Answer, asked_by: int) -> discord.ui.View | None:
    """A button for each fact the bot suggests instead of an answer, if it suggests any."""
    if answer.answered or not answer.suggestions:
        return None
    view = discord.ui.View(timeout=None)
    for suggestion in answer.suggestions[:25]:
        view.add_item(AskSuggested(asked_by, suggestion.fact_id, suggestion.question))
    return view
