"""How like a question is to each fact's nearest example: one of the two things its chance
is made of (bot/matcher/model.py, ``NEW_QUESTIONS``)."""

from __future__ import annotations

import numpy as np

from bot.matcher import NONE, Example, Matcher
from bot.matcher.matcher import nearest_likeness


def test_a_fact_is_as_like_a_question_as_its_nearest_example() -> None:
    examples = np.array([[1.0, 0.0], [0.6, 0.8], [0.0, 1.0]], np.float32)
    columns = np.array([0, 0, 1])  # label 2 has no example
    questions = np.array([[0.8, 0.6], [0.0, 1.0]], np.float32)
    likeness = nearest_likeness(questions, examples, columns, width=3)
    assert np.allclose(likeness, [[0.96, 0.6, 0.0], [0.8, 1.0, 0.0]])


LUNCH = ["when is lunch", "what time do we eat lunch", "lunch hour?", "when can i go for lunch"]
PARKING = ["where do visitors park", "parking for guests", "where can my visitor leave the car"]
WIFI = ["what is the wifi password", "how do i get online", "wifi login?", "guest network name"]
PRINTER = ["where is the printer", "how do i print", "printer is broken", "who fixes the printer"]
KEYS = ["who has the office keys", "i lost my key", "where do i get a key", "spare keys?"]
PAYDAY = ["when do we get paid", "which day is payday", "when is the salary paid"]
ELSEWHERE = ["what is the weather like", "tell me a joke", "who won the match last night"]


def _examples(facts: dict[str, list[str]]) -> list[Example]:
    return [Example(q, fact) for fact, qs in facts.items() for q in qs] + [
        Example(q, NONE) for q in ELSEWHERE
    ]


def test_a_fact_learned_quickly_is_as_sure_of_its_own_phrasing_as_one_fitted() -> None:
    facts = {"lunch": LUNCH, "parking": PARKING, "wifi": WIFI, "printer": PRINTER, "keys": KEYS}
    matcher = Matcher().fit(_examples(facts))
    matcher.rank([matcher.read("when is lunch")])  # works out which example is whose
    quick = matcher.learned(_examples({**facts, "payday": PAYDAY}))
    assert quick is not None
    asked = quick.read("which day is payday")
    likeness = quick.likeness(quick.featurizer_.transform([asked]).embedded)
    assert likeness is not None
    columns = {str(label): n for n, label in enumerate(quick.classes_)}
    assert likeness[0, columns["payday"]] > 0.99  # its own phrasing, word for word
    assert likeness[0, columns["lunch"]] < 0.9
    (best, *_), *_ = quick.rank([asked])
    assert best.fact_id == "payday"


def test_with_one_phrasing_a_fact_a_question_unlike_it_is_not_answered_with_it() -> None:
    """Too few phrasings to cross-validate (every fact added from chat starts so): the
    chance comes from the fact's score, and a question sharing only "how much" with a
    fact's one phrasing scored 74 % for it until its likeness counted."""
    facts = {
        "vacation": ["How many vacation days do I get?"],
        "wifi": ["What is the wifi password?"],
        "payday": ["when do we get paid"],
        "printer": ["where is the printer"],
    }
    matcher = Matcher().fit(_examples(facts))
    assert matcher.chances_.from_score_

    def best(question: str) -> tuple[str, float]:
        (first, *_), *_ = matcher.rank([matcher.read(question)])
        return first.fact_id, first.chance

    for question, fact in [
        ("how many days of vacation do i have", "vacation"),
        ("what is the password for the guest network", "wifi"),
        ("where do i print", "printer"),
    ]:
        assert best(question)[0] == fact
        assert best(question)[1] >= 0.5, question
    assert best("how much does the CEO earn")[1] < 0.5
