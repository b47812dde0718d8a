"""The shipped knowledge base is valid, and the loader names every problem it finds."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.knowledge import KnowledgeError, load_knowledge

FACTS_FILE = "facts/scale-meta-article.yaml"


def _edit_facts(root: Path, change) -> None:  # type: ignore[no-untyped-def]
    path = root / FACTS_FILE
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data["facts"])
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


def test_shipped_knowledge_loads_with_enough_curated_facts() -> None:
    """Every fact has an answer, at least five chat phrasings and a citation."""
    knowledge = load_knowledge()
    assert len(knowledge.facts) >= 20
    for fact in knowledge.facts:
        assert len(fact.questions) >= 5, fact.id
        assert fact.cites, fact.id


def test_each_shipped_fact_leads_with_a_question_fit_to_show() -> None:
    """The first phrasing is what suggestions and `!facts` show, so it reads as a question
    (curators add chat phrasings below it)."""
    for fact in load_knowledge().facts:
        shown = fact.canonical_question
        assert shown[0].isupper(), fact.id
        assert shown.endswith("?"), fact.id


def test_every_cited_sentence_is_verbatim_in_the_article() -> None:
    """Citations quote the document's own words, character for character."""
    knowledge = load_knowledge()
    article = (Path(__file__).parents[1] / "knowledge/sources/scale-meta-article.txt").read_text(
        encoding="utf-8"
    )
    sources = {s.id: s for s in knowledge.sources}
    for fact in knowledge.facts:
        for ref in fact.cites:
            sentence = sources[ref.source_id].sentence(ref.sentence_id)
            assert sentence is not None
            assert sentence.text in article, f"{fact.id} cites {ref}"


def test_every_article_sentence_is_cited_by_some_fact() -> None:
    """The curated facts cover every claim the article makes."""
    knowledge = load_knowledge()
    cited = {ref.sentence_id for fact in knowledge.facts for ref in fact.cites}
    (article,) = knowledge.sources
    assert {s.id for s in article.sentences} - cited == set()


def test_missing_cited_sentence_names_file_and_fact(knowledge_copy: Path) -> None:
    """A fact citing a sentence the source lacks is a load error naming both."""
    _edit_facts(knowledge_copy, lambda facts: facts[0].update(cite=["s99"]))
    with pytest.raises(KnowledgeError) as error:
        load_knowledge(knowledge_copy)
    assert error.value.problems == [
        f"knowledge/{FACTS_FILE}: fact 'meta-investment': cites s99, "
        "which is not a sentence of scale-meta-article"
    ]


def test_all_problems_are_reported_together(knowledge_copy: Path) -> None:
    """Duplicate ids, empty answers and empty phrasings are each named, in one error."""

    def spoil(facts: list[dict]) -> None:
        facts[1]["id"] = facts[0]["id"]
        facts[2]["answer"] = "  "
        facts[3]["questions"].append("")

    _edit_facts(knowledge_copy, spoil)
    with pytest.raises(KnowledgeError) as error:
        load_knowledge(knowledge_copy)
    problems = "\n".join(error.value.problems)
    assert "fact 'meta-investment': duplicate fact id" in problems
    assert "fact 'google-planned-spend': answer: String should have at least 1 character" in (
        problems
    )
    assert "fact 'reuters-report': questions." in problems
    assert len(error.value.problems) == 3


def test_sentence_not_in_the_document_is_refused(knowledge_copy: Path) -> None:
    """A source's sentences must be the document's words, not a paraphrase."""
    path = knowledge_copy / "sources/scale-meta-article.yaml"
    text = path.read_text(encoding="utf-8").replace("$14.3 billion", "$15 billion", 1)
    path.write_text(text, encoding="utf-8")
    with pytest.raises(KnowledgeError, match="sentence s4 is not verbatim"):
        load_knowledge(knowledge_copy)


def test_one_variant_of_two_words_is_refused(knowledge_copy: Path) -> None:
    """A spelling listed under two canonical words could only ever mean one of them."""
    path = knowledge_copy / "aliases.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["words"]["react"].append("investment")
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(KnowledgeError) as error:
        load_knowledge(knowledge_copy)
    assert error.value.problems == [
        "knowledge/aliases.yaml: 'investment' is listed under both invest and react"
    ]


def test_labelled_questions_for_facts_that_are_gone_are_refused(knowledge_copy: Path) -> None:
    """questions.yaml names facts by id: one renamed since is a typo the loader names."""
    _edit_facts(knowledge_copy, lambda facts: facts[0].update(id="meta-stake"))
    with pytest.raises(KnowledgeError) as error:
        load_knowledge(knowledge_copy)
    assert error.value.problems == ["knowledge/questions.yaml: unknown fact 'meta-investment'"]


def test_a_pack_kept_in_the_cache_is_read_again_once_its_files_change(
    knowledge_copy: Path, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    first = load_knowledge(knowledge_copy, cache_dir=cache)
    assert load_knowledge(knowledge_copy, cache_dir=cache) == first
    _edit_facts(knowledge_copy, lambda facts: facts[0].update(answer="Meta paid a lot."))
    changed = load_knowledge(knowledge_copy, cache_dir=cache)
    assert changed.facts[0].answer == "Meta paid a lot."
    # A damaged cache file is read past: the pack is parsed again.
    for kept in cache.iterdir():
        kept.write_bytes(b"not a pickle")
    assert load_knowledge(knowledge_copy, cache_dir=cache) == changed


def test_a_broken_pack_is_refused_whatever_the_cache_holds(
    knowledge_copy: Path, tmp_path: Path
) -> None:
    load_knowledge(knowledge_copy, cache_dir=tmp_path / "cache")
    _edit_facts(knowledge_copy, lambda facts: facts[0].update(cite=["s99"]))
    with pytest.raises(KnowledgeError):
        load_knowledge(knowledge_copy, cache_dir=tmp_path / "cache")
