"""Messages said straight to the bot that ask nothing a fact answers: thanks, a greeting,
"what can you do?". A member who writes "@FactBot hi" deserves a reply in kind, not "I
don't know that one". The matcher already learns such chat as out of scope
(``matcher/small_talk.txt``); this only chooses the words of the reply when no fact
answers."""

from __future__ import annotations

from enum import Enum
from functools import cache

from bot.matcher.text import wording


class Chatter(Enum):
    THANKS = "thanks"
    HELLO = "hello"
    """A greeting, or a question about the bot itself: it introduces itself."""


_THANKS = """
thanks | thank you | thank u | thx | thnx | ty | tysm | ta | cheers | thanks a lot
| thanks so much | thank you so much | thank you very much | many thanks | much appreciated
| appreciate it | appreciated | great thanks | ok thanks | okay thanks | ok thank you
| okay thank you | perfect thanks | awesome thanks | nice thanks | cool thanks | good bot
| nice one | helpful
| gracias | muchas gracias | obrigado | obrigada | valeu | merci | merci beaucoup | danke
| danke schön | vielen dank | grazie | grazie mille | bedankt | dank je wel | dzięki
| dziękuję | спасибо | большое спасибо | дякую | teşekkürler | teşekkür ederim | sağ ol
| شكرا | شكرا جزيلا | धन्यवाद | शुक्रिया | ありがとう | ありがとうございます | 감사합니다
| 고마워요 | 谢谢 | terima kasih | cảm ơn
"""
_HELLO = """
hi | hello | hey | hiya | heya | yo | howdy | sup | what's up | wassup | good morning
| good afternoon | good evening | gm | hi there | hello there | hey there | help | help me
| can you help | can you help me | i need help | who are you | what are you | what can you do
| what do you do | what do you know | what can i ask | what can i ask you | how do you work
| how does this work | how do i use you | are you a bot | are you there | are you alive
| is this thing on | test | testing | ping
| hola | olá | oi | bonjour | salut | hallo | guten morgen | ciao | buongiorno | hoi | cześć
| dzień dobry | привет | здравствуйте | привіт | merhaba | günaydın | مرحبا | السلام عليكم
| नमस्ते | こんにちは | おはよう | 안녕하세요 | 你好 | halo | xin chào
"""


@cache
def _said() -> dict[str, Chatter]:
    """Each listed wording as a message is compared ("olá" is "ola", "schön" "schon"),
    worked out on the first message said to the bot rather than at import."""
    return {
        wording(said): kind
        for kind, listed in ((Chatter.THANKS, _THANKS), (Chatter.HELLO, _HELLO))
        for said in listed.split("|")
    }


_ADDRESSED = ("factbot", "bot", "everyone", "all", "guys", "folks", "again")
"""Words a greeting or a thanks may end on that change nothing: "thanks bot", "hi all"."""


def chatter(text: str) -> Chatter | None:
    """Whether the message is thanks or a greeting (punctuation, case and emoji aside)."""
    said = wording(text)
    for word in _ADDRESSED:
        said = said.removesuffix(f" {word}")
    return _said().get(said)
