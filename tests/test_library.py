"""The library's lookups (a fact by id, a phrasing said word for word) follow every change
at once, through guilds' own versions, removals and the shipped pack switch."""

from __future__ import annotations

import pytest

from bot import library as library_module
from bot.library import Library
from bot.models import GLOBAL, Fact, SentenceRef

CITE = (SentenceRef(source_id="handbook", sentence_id="s1"),)


def _fact(fact_id: str, *questions: str, guild: int = GLOBAL, removed: bool = False) -> Fact:
    return Fact(
        id=fact_id, answer="A.", questions=questions, cites=CITE, guild_id=guild, removed=removed
    )


def test_a_guilds_own_version_replaces_the_shipped_one_for_it_alone() -> None:
    library = Library()
    library.load([_fact("parking", "Where do I park?")], [], {}, set())
    assert library.said(5, "where do i park") == ["parking"]

    library.put(_fact("parking", "Which lot is mine?", guild=5))
    assert library.said(5, "where do i park") == []
    assert library.said(5, "which lot is mine") == ["parking"]
    assert library.said(6, "Where do I park?!") == ["parking"]  # case and punctuation aside
    assert library.visible_fact(5, "parking") == library.get(5, "parking")

    library.put(_fact("parking", "Which lot is mine?", guild=5, removed=True))
    assert library.said(5, "which lot is mine") == []
    assert library.visible_fact(5, "parking") is None  # a removed own row hides the shipped
    assert library.visible_fact(6, "parking") == library.get(GLOBAL, "parking")


def test_an_edit_takes_the_old_phrasings_out_and_the_new_ones_in() -> None:
    library = Library()
    library.load([], [], {}, set())
    library.put(_fact("wifi", "What is the wifi password?", guild=5))
    assert library.said(5, "what is the wifi password") == ["wifi"]
    library.put(_fact("wifi", "How do I get online?", guild=5))
    assert library.said(5, "what is the wifi password") == []
    assert library.said(5, "how do i get online") == ["wifi"]
    assert library.phrasing_count(5) == 1


def test_a_guild_that_switched_the_pack_off_finds_none_of_it() -> None:
    library = Library()
    library.load([_fact("parking", "Where do I park?")], [], {}, set())
    library.switch_shipped_pack(5, on=False)
    assert library.said(5, "where do i park") == []
    assert library.visible_fact(5, "parking") is None
    library.switch_shipped_pack(5, on=True)
    assert library.said(5, "where do i park") == ["parking"]


def test_phrasings_whose_digests_collide_are_told_apart(monkeypatch: pytest.MonkeyPatch) -> None:
    """Phrasings are looked up by a short digest of their words; two different ones that
    share it must not answer for each other."""
    monkeypatch.setattr(library_module, "_digest", lambda key: 7)  # every key collides
    library = Library()
    library.load([_fact("parking", "Where do I park?")], [], {}, set())
    library.put(_fact("wifi", "What is the wifi password?", guild=5))
    assert library.said(5, "where do i park") == ["parking"]
    assert library.said(5, "what is the wifi password") == ["wifi"]
    assert library.said(5, "where is lunch") == []
