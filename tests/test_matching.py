"""The engine answers paraphrases, typos and aliases, and abstains instead of guessing."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.engine import Engine
from bot.models import GLOBAL


@pytest.mark.parametrize(
    ("question", "fact_id"),
    [
        ("How much did Meta pay?", "meta-investment"),
        ("meta stake?", "meta-investment"),
        ("how much did FB put into scale", "meta-investment"),
        ("did meta pay $14.3B", "meta-investment"),
        ("did meta pay 14,3 bn", "meta-investment"),
        ("how much did mtea pay for scael", "meta-investment"),
        ("how much did meta pya for scale", "meta-investment"),
        ("meta paid 14.3?", "meta-investment"),
        ("did wang go to meta or google", "scale-ceo-joins-meta"),
        ("was the google report from reuters or bloomberg", "reuters-report"),
        ("are scale's customers calm or rattled", "customers-unsettled"),
        ("did meta buy 49% or more of scale", "meta-investment"),
        ("what is the $200m figrue", "google-planned-spend"),
        ("what caused google to reconsider scale", "google-pulling-back"),
        ("did meta pay between 10 and 20 billion", "meta-investment"),
        ("is google still a scale customer", "google-pulling-back"),
        ("is microsoft still a scale customer", "microsoft-reevaluating"),
        ("how much did the buyer pay", "meta-investment"),
        ("is the search company leaving scale", "google-pulling-back"),
        ("what did the meta deal lead google to do", "google-pulling-back"),
        ("google's 2025 budget for scale", "google-planned-spend"),
        ("who's scale's ceo", "scale-ceo-joins-meta"),
        ("where did alex wang go", "scale-ceo-joins-meta"),
        ("is msft dropping scale", "microsoft-reevaluating"),
        ("why is data labelling important", "why-annotation-matters"),
        ("google 200m?", "google-planned-spend"),
        ("does scale work w the govt", "other-clients"),
        ("meta put in 14 billion right?", "meta-investment"),
        ("does meta own about half of scale", "meta-investment"),
        ("what did zuckerberg's company shell out for scale", "meta-investment"),
        ("is google walking away from scale ai", "google-pulling-back"),
        ("what's the wider trend with tech giants and ai startups", "tech-reassessing-ai-startups"),
        ("whats scale ai", "what-scale-does"),
        ("was the meta stake around 14 billion", "meta-investment"),
        ("whats the dollar figure on the meta scale deal", "meta-investment"),
        ("how much did zuck pay for scale", "meta-investment"),
        ("is ms rethinking scale", "microsoft-reevaluating"),
        ("did alexandr wang move to meta", "scale-ceo-joins-meta"),
        ("which big companies use scale ai", "largest-customers"),
        ("ok so who is scale's ceo", "scale-ceo-joins-meta"),
        ("sorry if dumb q but how much did meta invest", "meta-investment"),
        ("did microsoft change its mind about scale", "microsoft-reevaluating"),
        ("is scale ok after the meta deal", "spokesperson-reassurance"),
        ("did meta really pay fourteen billion", "meta-investment"),
        ("two hundred million from google?", "google-planned-spend"),
        ("Couuld you tell me what Scale AI does?", "what-scale-does"),  # a typo in an opener
        ("soeone in slack said meta paid 15b, what's the real number?", "meta-investment"),
        ("did meta pay less than 20 biillion", "meta-investment"),  # and in a bound's unit
        ("what did meta get for 14.3 billon", "meta-investment"),  # "billon" is an alloy
        ("when did google start pulling back, after the meta deal?", "google-pulling-back"),
        ("is google's 200m for this year or next", "google-planned-spend"),
        ("has microsoft made up its mind about scale yet", "microsoft-reevaluating"),
        ("what happened to scale a i's c e o", "scale-ceo-joins-meta"),  # dictated
        ("scale's response to the fallout?", "spokesperson-reassurance"),  # Scale reacts
        ("what's scale ai's whole thing", "what-scale-does"),
        ("is google bailing on scale", "google-pulling-back"),
        ("what is scalle ai", "what-scale-does"),
        ("did meta spend over 10 billion on scale", "meta-investment"),
        ("did meta get less than half of scale", "meta-investment"),
        ("is scale owned by meta", "meta-investment"),
        ("did meta invest billions in scle ai", "meta-investment"),
        ("whos runing meta's superintelligence effort", "scale-ceo-joins-meta"),
        ("what did google do after meta invested", "google-pulling-back"),
        ("who is the ceo of scale", "scale-ceo-joins-meta"),
        ("meta pumped how much into scale", "meta-investment"),
        ("is google moving its business away from scale", "google-pulling-back"),
        ("who said google was pulling back", "reuters-report"),
        ("according to who is google pulling back", "reuters-report"),
        ("are google and scale breaking up", "google-pulling-back"),
        ("hwo is scale's ceo", "scale-ceo-joins-meta"),
        ("lowkey how much did zuck pay for scale tho", "meta-investment"),
        ("wang dipped to meta fr?", "scale-ceo-joins-meta"),
        ("give me scale's response", "spokesperson-reassurance"),
        ("meta $?", "meta-investment"),
        ("hw mch did meta py for scale", "meta-investment"),
        ("is googel pulling bak from scale", "google-pulling-back"),
        ("new to the team, can someone explain what scale ai does", "what-scale-does"),
        ("who did meta get from scale", "scale-ceo-joins-meta"),
        ("google had 200,000,000 planed for scale?", "google-planned-spend"),
        ("was google finna spend 200m with scale", "google-planned-spend"),
        ("scl's bggest custmrs?", "largest-customers"),
        ("what does 'solid footing' refer to", "spokesperson-reassurance"),
        ("Would you be able to confirm the amount Meta paid?", "meta-investment"),
        (
            "I'd be grateful if you could explain Google's response to the deal",
            "google-pulling-back",
        ),
        ("isn't wang at meta now?", "scale-ceo-joins-meta"),
        ("how big a cheque did meta write", "meta-investment"),
        (
            "my manager keeps talking about the meta scale thing and i have no idea, "
            "how much did they invest",
            "meta-investment",
        ),
        ("info on meta's stake pls", "meta-investment"),
        ("fourteen point three billion, was that meta?", "meta-investment"),
        ("googel reducing collab with scale ai", "google-pulling-back"),
        ("explain scale ai in one line", "what-scale-does"),
        ("who's scale's biggest customer", "largest-customers"),
        ("what had openai previously opted to do", "openai-diversified"),
        ("why is annotation imperative", "why-annotation-matters"),
        ("which customers are mentioned as largest", "largest-customers"),
        ("who did meta bring aboard from scale", "scale-ceo-joins-meta"),
        ("what is microsoft doing similarly", "microsoft-reevaluating"),
        ("how did scale highlight its resilience amid market fluctuations", "reaffirmed-strategy"),
        ("satya's company and scale, what's up", "microsoft-reevaluating"),
        ("what's alexandr wang's new gig", "scale-ceo-joins-meta"),
        ("scale's key accounts?", "largest-customers"),
        ("is google leaving scale because of meta", "google-pulling-back"),
        ("which company is rethinking scale besides google", "microsoft-reevaluating"),
        ("who spoke for scale", "spokesperson-reassurance"),
        ("is it 49 or 51 percent that meta owns", "meta-investment"),
        ("has google soured on scale", "google-pulling-back"),
        ("what happened to scale's leadership", "scale-ceo-joins-meta"),
        ("isn't meta the majority owner of scale now", "meta-investment"),
        ("scale's customers aren't happy huh", "customers-unsettled"),
        ("does microsoft buy from scale", "largest-customers"),
        ("what did meta get in return for the money", "meta-investment"),
        ("how big a share of scale did 14.3 billion buy", "meta-investment"),
        ("what shouldn't companies' growth cost them", "partnerships-and-trust"),
        ("did mta hire scales boss", "scale-ceo-joins-meta"),
        ("how much is metf's piece of scale", "meta-investment"),
        ("ogenai still collaborating with scale?", "openai-diversified"),
        ("how much cash did fb put into sale ai", "meta-investment"),
        ("did meta invest fourteyn billion in scale", "meta-investment"),
        ("FAANG rethinking ai startup bets?", "tech-reassessing-ai-startups"),
        ("google scale cutback?", "google-pulling-back"),
        ("who r scale's whales", "largest-customers"),
        ("What was the value of Google's intended expenditure with Scale?", "google-planned-spend"),
        ("Is Google exploring alternative suppliers?", "google-pulling-back"),
        ("Does OpenAI intend to continue working with Scale?", "openai-diversified"),
        ("What are market observers monitoring?", "investors-watching"),
        ("is google withdrawing from scale", "google-pulling-back"),
        ("how much funding did meta provide scale", "meta-investment"),
        ("is microsoft thinking again about scale", "microsoft-reevaluating"),
        ("what price did meta pay for scale", "meta-investment"),
        ("scale's strategy after meta", "reaffirmed-strategy"),
        ("what does the article say about microsoft", "microsoft-reevaluating"),
        ("my linkedin feed says meta invested in scale, how much?", "meta-investment"),
        ("show me what meta paid", "meta-investment"),
        ("wasn't it like 15b? how much did meta actually pay", "meta-investment"),
        ("how much did meta put on the table", "meta-investment"),
        ("would you happen to know meta's stake in scale", "meta-investment"),
        ("what do you know about openai and scale?", "openai-diversified"),
        ("what site has more on this", "read-more"),
        ("list the pros and cons of meta's investment", "double-edged-sword"),
        ("does the article mention openai's cfo", "openai-diversified"),
        ("google's reaction to meta buying scale stake", "google-pulling-back"),
        ("who are scale's biggest customers\n\nasking for a friend", "largest-customers"),
    ],
)
def test_paraphrases_typos_aliases_and_numbers_find_the_fact(
    asking_engine: Engine, question: str, fact_id: str
) -> None:
    answer = asking_engine.ask(question)
    assert (answer.answered, answer.fact_id) == (True, fact_id)


@pytest.mark.parametrize(
    "question",
    [
        "hi",
        "what's the weather",
        "how much did Amazon pay?",
        "did microsoft invest $14.3 billion?",
        "did meta pay $20 billion for scale",
        "did meta pay 15 billion for scale",
        "did meta pay fifteen billion",
        "did meta buy scale ai outright",
        "did meta buy 60% of scale",
        "who is scale's new ceo",
        "what's openai's cfo's name",
        "when will google stop using scale",
        "how much did google pay scale last year",
        "who is google's ceo",
        "who is meta's ceo",
        "who is the ceo of meta",
        "who is the scale spokesperson",
        "who wrote the reuters report",
        "what is data annotation",
        "what is superintelligence",
        "how do i train a model",
        "what is the price of a scale ai share",
        "what's meta's stock price",
        "can i buy shares of scale",
        "which self driving car companies use scale",
        "who are google's customers",
        "ok thanks bot",
        "what's the meaning of bellwether",
        "how much did facebook pay for giphy",
        "why did openai leave scale",
        "did meta pay more than 20 billion",
        "what did wang say",
        "what did meta say about the deal",
        "who is scale's acting ceo",
        "how many shares did meta buy",
        "how much did meta pay per share",
        "what do you think about the deal",
        "should google leave scale",
        "did scale invest in meta",
        "is scale hiring",
        "Scale AI revenue?",
        "when was scale founded",
        "what did google pay for scale",
        "is google investing in scale",
        "did regulators look at the meta deal",
        "who said amazon was pulling back",
        "how much is a scale ai share",
        "who runs scale now",
        "who is scale's cmo",
        "does scale work with the military in china",
        "what stake does google have in scale",
        "did wang leave meta",
        "is meta done with scale",  # Wang left Scale; Meta did not
        "which executive joined scale",  # Scale's CEO joined Meta
        "did openai's cfo leave the company",  # OpenAI moved work away; its CFO spoke
        "how long was wang ceo of scale",
        "Google To Acquire Scale AI?",  # a headline: Google is cutting back, not buying
        "according to bloomberg, is google pulling back from scale",  # not the article's
        "according to reuters, how much did meta pay",  # Reuters reported Google's plans
        "when did openai leave scale",  # a date no fact gives
        "did google join meta",  # Google is moving to Scale's competitors
        "is openai a bigger customer than google",  # no fact ranks them
        "which competitors is google talking to",
        "bruh google paid HOW much for scale",
        "explain superintelligence",
        "didn't meta pay 14.3 million?",
        "someone on my team said scale is hiring a new ceo, who is it",
        "we were talking about google, who is their ceo",
        "did google invest in scale's competitors",
        "we use scale, should we switch vendors?",
        "name scale's investors",
        "what does 'bellwether' mean",
        "May I ask who succeeded Alexandr Wang as CEO?",
        "did the government invest in scale",
        "wang left meta?",
        "how much did scale pay meta",
        "is google scale's only customer",
        "is openai scale's largest customer",
        "who spearheads google's strategy",
        "which governmental entities use scale",
        "did meta buy 51 or 60 percent of scale",
        "what is scale's market share",
        "is scale ai for sale",
        "what does openai do",
        "summarize the article",
        "did scale's cfo depart for meta",
        "is this good for meta's stock",
        "did meta actually pay 20 billion",
        "we compete with scale; what are their prices?",
        "what's the price of scale ai stock",
        "what is the price of a scale share",
        "how much a share did meta pay",
        "what did amazon mean by 'solid footing'",
        "is google a bigger customer than openai",
        "who's bigger as a scale customer, google or microsoft",
        "who is scale's current ceo",
        "scale ai, who's the ceo now?",
        "google's 2024 budget for scale",
        "did wang go to google or microsoft",
        "is google moving to labelbox",
        "did google plan 200 deals",
        "did meta buy 14.3 shares",
        "what caused microsoft to invest in scale",
        "did meta pay between 20 and 30 billion",
        "asdf qwerty",
    ],
)
def test_out_of_scope_questions_are_not_answered(asking_engine: Engine, question: str) -> None:
    """Greetings, nonsense and traps get no fact, never a wrong one."""
    answer = asking_engine.ask(question)
    assert not answer.answered
    assert answer.answer is None
    assert answer.citations == ()


async def test_a_fact_that_defines_a_term_answers_what_it_is(engine: Engine) -> None:
    """A "what is X?" question wants X's meaning: no shipped fact gives it, a moderator's can."""
    assert not engine.ask("what is data annotation?").answered
    await engine.add_fact(
        GLOBAL,
        question="What is data annotation?",
        answer="Labelling data so that models can learn from it.",
        cite="s7",
        actor="mod",
        fact_id="annotation-meaning",
    )
    assert engine.ask("whats data annotation").fact_id == "annotation-meaning"


def test_naming_a_company_with_one_fact_about_it_gets_that_fact(engine: Engine) -> None:
    """Microsoft is the subject of one fact (the list of customers only mentions it)."""
    assert engine.ask("what about microsoft?").fact_id == "microsoft-reevaluating"
    assert not engine.ask("what should microsoft do?").answered


def test_a_vague_question_is_asked_back_with_the_nearest_facts(engine: Engine) -> None:
    """Naming a company several facts involve, none of them its headline, gets suggestions,
    not a guess: Meta's investment and Wang's move are both news about Meta."""
    answer = engine.ask("what about meta?")
    assert not answer.answered
    assert answer.ambiguous
    assert {s.fact_id for s in answer.suggestions} == {"meta-investment", "scale-ceo-joins-meta"}


@pytest.mark.parametrize(
    ("question", "fact_id"),
    [
        ("what about google?", "google-pulling-back"),
        ("tell me about google and scale", "google-pulling-back"),
        ("google & scale 💔?", "google-pulling-back"),
        ("GOOG scale status after meta", "google-pulling-back"),  # when it asks about
        ("what's the news with meta and scale", "meta-investment"),
        ("meta money in scale ai?", "meta-investment"),  # its headline has an amount
        ("tell me about scale ai", "what-scale-does"),
    ],
)
def test_a_vague_question_gets_the_headline_its_phrasings_make(
    engine: Engine, question: str, fact_id: str
) -> None:
    """A fact with a phrasing that only names a company ("what is google doing now") is the
    headline about it, for questions that ask nothing in particular."""
    assert engine.ask(question).fact_id == fact_id


@pytest.mark.parametrize(
    "question",
    [
        "what about amazon?",
        "what should google do?",
        "what does the search giant do",  # what Google is: no fact says
        "what's openai's whole thing",
        "why did meta want scale",
        "msft bag in scale?",
    ],
)
def test_asking_something_of_a_company_is_not_a_headline_question(
    engine: Engine, question: str
) -> None:
    assert not engine.ask(question).answered


def test_an_answer_quotes_its_sentence_verbatim(engine: Engine) -> None:
    answer = engine.ask("how much did meta pay")
    (citation,) = answer.citations
    assert citation.source_id == "scale-meta-article"
    assert citation.sentence_id == "s4"
    assert citation.text.startswith("However, following Meta’s significant investment of $14.3")


@settings(max_examples=200, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(question=st.text(max_size=200))
def test_any_text_gets_an_answer_with_citations_or_none(engine: Engine, question: str) -> None:
    """Whatever is typed, the engine does not fail, and answers always cite."""
    answer = engine.ask(question)
    assert 0 <= answer.confidence <= 100
    assert bool(answer.citations) == answer.answered


def test_a_follow_up_part_means_the_company_named_before(engine: Engine) -> None:
    """In "... and is it pulling out", "it" is Google: one answer citing both facts."""
    answer = engine.ask("how much was google spending and is it pulling out")
    assert answer.fact_id == "google-planned-spend+google-pulling-back"
    assert [c.sentence_id for c in answer.citations] == ["s3", "s4", "s5"]


@pytest.mark.parametrize(
    "listed",
    [
        "meta's stake and wang's new job",
        "meta stake + google budget",
        "meta's stake, google's budget",
    ],
)
def test_things_listed_get_a_fact_each_even_when_one_fact_mentions_both(
    engine: Engine, listed: str
) -> None:
    """One fact (Wang's move) mentions Meta's stake too; a fact for each is the surer answer."""
    answer = engine.ask(listed)
    assert answer.fact_id is not None
    assert answer.fact_id.startswith("meta-investment+")


def test_questions_on_lines_of_their_own_get_one_answer_each(engine: Engine) -> None:
    answer = engine.ask("how much did meta pay\nwhere did wang go")
    assert answer.fact_id == "meta-investment+scale-ceo-joins-meta"
    assert answer.question == "how much did meta pay where did wang go"


def test_a_follow_up_part_about_that_means_what_the_part_before_asked(engine: Engine) -> None:
    """In "... and why does that matter", "that" is Scale staying independent."""
    answer = engine.ask("will scale stay independent and why does that matter")
    assert answer.fact_id == "customer-data-and-independence+data-privacy"
    assert [c.sentence_id for c in answer.citations] == ["s13", "s14"]


def test_an_acronym_is_not_taken_for_a_typo(engine: Engine) -> None:
    """ "cto" is not "to" misspelt: Scale's CTO is someone the sources never name."""
    answer = engine.ask("who is scale's cto")
    assert not answer.answered
    assert not answer.ambiguous


def test_a_phrasing_left_out_is_put_back(engine: Engine) -> None:
    """scripts/leave_one_out.py asks each phrasing without it, then restores the fact."""
    (bellwether,) = [v.fact for v in engine.facts(GLOBAL) if v.fact.id == "bellwether"]
    with engine.phrasing_left_out(bellwether, "big picture for ai?"):
        assert not engine.ask("big picture for ai?").answered
    assert engine.ask("big picture for ai?").fact_id == "bellwether"


def test_what_a_long_message_says_first_binds_only_what_the_question_points_back_at(
    engine: Engine,
) -> None:
    index = engine._index
    # The question names its own company and asks no amount: the scene is context.
    query = index.focused("but what did google do", "meta paid 14.3b")
    assert (query.entities, query.numbers) == ({"googl"}, set())
    # "they" and "is that" point back at the scene's company and amount.
    query = index.focused("how much did they invest in scale", "our team uses microsoft")
    assert "microsoft" in query.entities
    assert index.focused("is that right", "i heard 15b").numbers == {"15b"}


def test_a_question_that_turns_away_from_the_scene_asks_about_its_own_company(
    engine: Engine,
) -> None:
    """After "but", Google's pulling back is what was said; Microsoft is what is asked."""
    answer = engine.ask("google's pulling back, but what about microsoft?")
    assert answer.fact_id == "microsoft-reevaluating"
    assert not engine.ask("google's pulling back, but what about apple?").answered


def test_two_things_listed_get_one_answer_each(engine: Engine) -> None:
    answer = engine.ask("meta stake and google budget?")
    assert answer.fact_id == "meta-investment+google-planned-spend"
    assert not engine.ask("amazon stake and google budget?").answered


def test_two_companies_side_by_side_get_a_fact_each(engine: Engine) -> None:
    """No one fact says what Google and Microsoft are both doing; one each does."""
    answer = engine.ask("are google and microsoft pulling back from scale")
    assert answer.fact_id == "google-pulling-back+microsoft-reevaluating"
    assert {c.sentence_id for c in answer.citations} == {"s4", "s5", "s6"}
    # Amazon has no fact, so neither half is answered alone.
    assert not engine.ask("are google and amazon pulling back from scale").answered


def test_three_companies_listed_get_a_fact_each(engine: Engine) -> None:
    answer = engine.ask("how did google, microsoft and openai each react")
    assert sorted(answer.fact_id.split("+")) == [
        "google-pulling-back",
        "microsoft-reevaluating",
        "openai-diversified",
    ]
    assert engine.ask("google & msft reactions?").fact_id == (
        "google-pulling-back+microsoft-reevaluating"
    )


@pytest.mark.parametrize(
    ("question", "fact_id"),
    [
        # "they" are the customers the first part asked about, not Scale.
        (
            "who are scale's main customers and are they nervous",
            "largest-customers+customers-unsettled",
        ),
        # "that" is Scale's independence; Meta only sets the scene.
        (
            "will scale stay independent from meta and why is that important",
            "customer-data-and-independence+data-privacy",
        ),
        (
            "1) how much did meta pay 2) where did alexandr wang go",
            "meta-investment+scale-ceo-joins-meta",
        ),
    ],
)
def test_each_part_of_a_message_gets_its_own_fact(
    engine: Engine, question: str, fact_id: str
) -> None:
    assert engine.ask(question).fact_id == fact_id


@pytest.mark.parametrize(
    "question",
    [
        "is meta's investment bigger than google's planned spend",
        "compare what meta paid with what google planned to spend",
        "meta's 14.3b vs google's 200m",
    ],
)
def test_two_amounts_compared_get_both_facts(engine: Engine, question: str) -> None:
    """The bot does not compare; it gives both amounts, each with its sentence."""
    assert engine.ask(question).fact_id == "meta-investment+google-planned-spend"


def test_a_question_joined_to_one_no_fact_answers_is_not_half_answered(engine: Engine) -> None:
    """Meta's stake would pass for an answer about Scale's valuation too; it is offered."""
    answer = engine.ask("how much did meta pay and what's scale's valuation now")
    assert not answer.answered
    assert answer.suggestions[0].fact_id == "meta-investment"
    # Two facts that might answer the second part are no reason to doubt the first.
    assert engine.ask("who invested in scale and how much").fact_id == "meta-investment"


def test_a_fact_about_each_company_beats_one_that_lists_both(engine: Engine) -> None:
    """Scale's customers include Google and OpenAI, but that is not what they are doing."""
    answer = engine.ask("what are google and openai doing about scale")
    assert answer.fact_id == "google-pulling-back+openai-diversified"
    # One fact answers for both at once, so it is the answer.
    assert engine.ask("are google and openai scale customers").fact_id == "largest-customers"


@pytest.mark.parametrize(
    "framed",
    [
        "can you tell me what scale ai does",
        "quick question: what does scale ai do",
        "honestly what does scale ai do",
        "do you know what scale ai does",
        "tldr what does scale ai do",
        "what does scale ai do, according to the article",
        "hey, quick question: can you tell me what scale ai does",
        "how does article describe scale ai",
        "i work at amazon what does scale ai do",
        "what does scale ai do, thx",
    ],
)
def test_how_people_frame_a_question_does_not_change_it(asking_engine: Engine, framed: str) -> None:
    """Openers and asides around a question leave the question itself."""
    assert asking_engine.ask(framed).fact_id == "what-scale-does"


@pytest.mark.parametrize(
    ("question", "fact_id"),
    [
        ("did scale reassure its customers in the article?", "spokesperson-reassurance"),
        ("did meta take a minority stake in the article?", "meta-investment"),
    ],
)
def test_saying_where_it_was_read_does_not_change_a_question(
    asking_engine: Engine, question: str, fact_id: str
) -> None:
    assert asking_engine.ask(question).fact_id == fact_id


@pytest.mark.parametrize(
    ("question", "fact_id"),
    [
        # "he", "she": the sentence before says who.
        (
            "alexandr wang's name is all over my feed. what's the story with him, where is he now?",
            "scale-ceo-joins-meta",
        ),
        ("openai's cfo was on a podcast. what did she say about scale?", "openai-diversified"),
        # "who did it get from scale" asks for a person, so a part of its own.
        (
            "how much did meta invest and who did it get from scale",
            "meta-investment+scale-ceo-joins-meta",
        ),
        # "size" asks an amount, and "meta's stake size" is still one of two things listed.
        ("meta's stake size and google's reaction", "meta-investment+google-pulling-back"),
        # What they have done is what they did; "each" and "both" ask of every one listed.
        ("what have openai and google done about scale", "openai-diversified+google-pulling-back"),
        (
            "what are google and microsoft each doing about scale",
            "google-pulling-back+microsoft-reevaluating",
        ),
        (
            "what are google and microsoft both doing about scale",
            "google-pulling-back+microsoft-reevaluating",
        ),
    ],
)
def test_what_a_message_refers_to_is_read_with_it(
    asking_engine: Engine, question: str, fact_id: str | None
) -> None:
    answer = asking_engine.ask(question)
    assert (answer.fact_id if answer.answered else None) == fact_id
