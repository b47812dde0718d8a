"""Errors whose message is written for the person who caused them, one line each."""

from __future__ import annotations

from bot.models import Fact, Source


class BadInput(Exception):
    """The request cannot be carried out as given; ``str(error)`` says why, for the user."""


class FactNotFound(BadInput):
    def __init__(self, fact_id: str, did_you_mean: list[str]) -> None:
        self.fact_id = fact_id
        self.did_you_mean = did_you_mean
        hint = ""
        if did_you_mean:
            hint = " Did you mean " + " or ".join(f"`{f}`" for f in did_you_mean) + "?"
        shown = fact_id if len(fact_id) <= 64 else fact_id[:63] + "…"  # ids are at most 64
        super().__init__(f"There is no fact `{shown}`.{hint}")


class StorageError(BadInput):
    """The database cannot be used; the message says which file and what to do."""


class ChangedMeanwhile(BadInput):
    """A change was based on a version of a fact or source that someone else has changed
    since (another moderator, another process); nothing was written. ``current`` is what
    is stored now."""

    def __init__(self, what: str, current: Fact | Source | None = None) -> None:
        self.current = current
        now = ""
        if isinstance(current, Fact) and current.removed:
            now = "; it is removed now (`fact restore` brings it back)"
        elif isinstance(current, Fact):
            now = f"; it now says: {current.answer}"
        super().__init__(f"{what} was changed meanwhile, so I saved nothing{now}. Try again.")


class SourceRemovedMeanwhile(ChangedMeanwhile):
    """A fact would cite a source that another process removed since this one last looked;
    nothing was written. ``current`` is the source as stored now."""

    def __init__(self, source: Source) -> None:
        self.current = source
        BadInput.__init__(
            self,
            f"`{source.id}` was removed meanwhile, so I saved nothing: "
            f"`source restore id: {source.id}` first.",
        )
