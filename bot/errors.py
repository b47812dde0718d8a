"""Errors whose message is written for the person who caused them, one line each."""

from __future__ import annotations


class BadInput(Exception):
    """The request cannot be carried out as given; ``str(error)`` says why, for the user."""


class FactNotFound(BadInput):
    def __init__(self, fact_id: str, did_you_mean: list[str]) -> None:
        self.fact_id = fact_id
        self.did_you_mean = did_you_mean
        hint = ""
        if did_you_mean:
            hint = " Did you mean " + " or ".join(f"`{f}`" for f in did_you_mean) + "?"
        super().__init__(f"There is no fact `{fact_id}`.{hint}")


class StorageError(BadInput):
    """The database cannot be used; the message says which file and what to do."""
