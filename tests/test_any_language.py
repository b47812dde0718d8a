"""A team may ask and curate in any language: words of every script are read as words.

Until these, a question with no a-z word in it ("Где парковка?", "पार्किंग कहाँ है?") was
refused as not being a question in words, and so was every such phrasing in an import.
"""

from __future__ import annotations

import pytest

from bot.bulk import parse_csv
from bot.engine import Engine
from bot.errors import BadInput
from bot.matcher.text import fold, said_key, words
from bot.sentences import split_sentences
from tests.conftest import CommandRunner, DiscordHarness

RUSSIAN = """fact_id,question,answer
parking,где парковка,Сотрудники паркуются на стоянке B за зданием.
parking,где можно поставить машину,
parking,есть ли парковка у офиса,
lunch,когда обед,Обед в полдень по вторникам и четвергам.
lunch,во сколько обед,
lunch,кормят ли нас обедом,
wifi,какой пароль от вайфая,Пароль от гостевого wifi на холодильнике.
wifi,как подключиться к wifi,
wifi,пароль от интернета,
vacation,сколько дней отпуска,У всех 28 дней оплачиваемого отпуска в год.
vacation,какой у нас отпуск,
vacation,сколько дней отдыха в году,
payday,когда зарплата,Зарплата приходит в последний рабочий день месяца.
payday,в какой день платят,
payday,когда получка,
none,какой курс доллара,
none,что нового в мире,
none,расскажи анекдот,
none,как дела,
none,сколько время,
"""

HINDI = """fact_id,question,answer
parking,पार्किंग कहाँ है,कर्मचारी इमारत के पीछे पार्क करते हैं।
parking,गाड़ी कहाँ खड़ी करें,
lunch,दोपहर का खाना कब है,दोपहर का खाना बारह बजे है।
lunch,लंच कितने बजे है,
wifi,वाईफाई का पासवर्ड क्या है,पासवर्ड फ्रिज पर लिखा है।
wifi,इंटरनेट से कैसे जुड़ें,
"""


@pytest.mark.parametrize(
    ("said", "read"),
    [
        ("Где парковка?", ["где", "парковка"]),
        ("Πού είναι το πάρκινγκ;", ["που", "ειναι", "το", "παρκινγκ"]),
        ("איפה החניה?", ["איפה", "החניה"]),
        ("पार्किंग कहाँ है?", ["पारकिंग", "कहाँ", "है"]),  # vowel signs stay in their word
        ("駐車場はどこ？", ["駐車場はとこ"]),  # no spaces: one run, matched by its n-grams
        ("Wo ist der Parkplatz?", ["wo", "ist", "der", "parkplatz"]),
        ("What's $14.3B?", ["what's", "$", "14.3b"]),
    ],
)
def test_words_of_any_script(said: str, read: list[str]) -> None:
    assert words(fold(said)) == read


@pytest.mark.parametrize(
    "document",
    [
        ["पार्किंग पीछे है।", "खाना बारह बजे है।"],  # the danda ends a sentence
        ["أين الموقف؟", "خلف المبنى."],
        ["Πού είναι;", "Πίσω από το κτίριο."],
        ["駐車場はビルの裏にあります。", "昼食は正午です。"],
        ["Парковка за зданием.", "См. стр. 5."],  # "См." and "стр." end nothing
        ["Meta paid $14.3B.", "Scale’s CEO left — see “superintelligence.”"],
        ["Mr. Smith met Dr. Ivanov in Москва.", "He left."],  # English that names a city
    ],
)
def test_a_document_splits_into_sentences_as_its_script_ends_them(document: list[str]) -> None:
    assert split_sentences(" ".join(document)) == document


def test_a_phrasing_said_again_is_found_whatever_punctuation_its_script_uses() -> None:
    """The lookup of phrasings said word for word (past a few thousand phrasings the only
    one): "¿Dónde aparco?" repeats "donde aparco"."""
    assert said_key("¿Dónde aparco?") == said_key("donde aparco")
    assert said_key("«Где парковка?»") == said_key("где парковка")
    assert said_key("駐車場はどこですか。") == said_key("駐車場はどこですか")


def test_arabic_and_greek_question_marks_are_question_marks() -> None:
    assert fold("أين موقف السيارات؟").endswith("?")
    assert fold("Πού είναι\u037e").endswith("?")


@pytest.mark.parametrize(
    ("faq", "asked"),
    [
        (
            RUSSIAN,
            {
                "где мне припарковаться?": "parking",
                "можно ли парковать машину возле офиса": "parking",
                "во сколько у нас обед?": "lunch",
                "будет ли обед сегодня": "lunch",
                "какой пароль wifi?": "wifi",
                "не могу подключиться к интернету": "wifi",
                "сколько у меня дней отпуска": "vacation",
                "сколько отпускных дней в году": "vacation",
                "когда придет зарплата?": "payday",
                "в какой день зарплата": "payday",
                "какая сегодня погода": None,
                "кто выиграл матч": None,
                "как приготовить борщ": None,
                "сколько стоит биткоин": None,
            },
        ),
        (
            HINDI,
            {
                "पार्किंग किधर है": "parking",
                "गाड़ी कहाँ लगाएँ": "parking",
                "लंच कब है": "lunch",
                "वाईफाई पासवर्ड बताओ": "wifi",
            },
        ),
    ],
    ids=["russian", "hindi"],
)
async def test_a_faq_in_another_language_answers_its_own_questions(
    engine: Engine, faq: str, asked: dict[str, str | None]
) -> None:
    guild = 7
    await engine.curator.import_bundle(guild, parse_csv("faq.csv", faq), actor="t")
    await engine.ready(guild)
    got = {}
    for question in asked:
        answer = engine.ask(question, guild)
        got[question] = answer.fact_id if answer.answered else None
    assert got == asked


async def test_a_fact_asked_in_another_script_gets_a_numbered_id(engine: Engine) -> None:
    guild = 7
    source = await engine.curator.add_source(
        guild, title="Офис", text="Парковка за зданием. Обед в полдень.", actor="t"
    )
    assert source.id == "source"
    parking = await engine.curator.add_fact(
        guild, question="Где парковка?", answer="За зданием.", cite="source:s1", actor="t"
    )
    lunch = await engine.curator.add_fact(
        guild, question="Когда обед?", answer="В полдень.", cite="source:s2", actor="t"
    )
    assert (parking.id, lunch.id) == ("fact-1", "fact-2")
    with pytest.raises(BadInput, match="`fact-1` already answers that"):
        await engine.curator.add_fact(
            guild, question="где парковка", answer="Там.", cite="source:s1", actor="t"
        )
    assert engine.ask("где парковка?", guild).fact_id == "fact-1"


def test_the_command_line_takes_a_question_in_any_script(factbot: CommandRunner) -> None:
    result = factbot("ask", "Где парковка?")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("I don't know that one.")


async def test_a_server_curates_and_asks_in_russian_through_discord(
    discord_bot: DiscordHarness,
) -> None:
    async def said(content: str, role: str = "moderator") -> str:
        (reply,) = await discord_bot.say(content, role=role)
        return reply.text

    registered = await said("!source add title: Офис text: Парковка за зданием. Обед в полдень.")
    assert registered.startswith("Registered `source` with 2 sentences")
    added = await said("!fact add question: Где парковка? answer: За зданием. cite: source:s1")
    assert added.startswith("Added `fact-1`")
    answer = await said("!ask где парковка?", role="member")
    assert "За зданием." in answer
    assert "> Парковка за зданием." in answer


async def test_chat_in_another_language_is_not_answered_with_a_fact(engine: Engine) -> None:
    """Greetings and thanks in the team's language are learned as out of scope, as English
    ones are, before moderators have marked anything."""
    guild = 7
    faq = "\n".join(line for line in RUSSIAN.splitlines() if not line.startswith("none,"))
    await engine.curator.import_bundle(guild, parse_csv("faq.csv", faq), actor="t")
    await engine.ready(guild)
    for chat in ("привет!", "спасибо большое", "ок", "понял, спасибо"):
        assert not engine.ask(chat, guild).answered, chat
    assert engine.ask("когда придет зарплата?", guild).fact_id == "payday"


async def test_thanks_and_greetings_in_other_languages_get_a_reply_in_kind(
    discord_bot: DiscordHarness,
) -> None:
    for thanks in ("@FactBot спасибо!", "@FactBot merci beaucoup", "@FactBot ありがとう"):
        (reply,) = await discord_bot.say(thanks)
        assert reply.text == "You're welcome!", thanks
    for hello in ("@FactBot привет", "@FactBot olá", "@FactBot नमस्ते"):
        (reply,) = await discord_bot.say(hello)
        assert reply.text.startswith("Hi! I answer questions from this server's facts"), hello
