"""Which part of a chat message is the question: how a message opens, signs off and
frames what it asks are not what it asks.

"hey, quick q: my boss wants to know if scale is ok (asking for a report), thx" asks "scale
is ok". The message is read as text here, before it is split into words (bot/normalise.py),
because openers, frames and sign-offs are found by where they stand.
"""

from __future__ import annotations

import re

from bot.normalise import NEXT_QUESTION, OPENERS, basic_tokens, content_words, starts_a_question
from bot.sentences import split_sentences

_SENTENCE_THEN_MORE = re.compile(r"[.!?]\s+\S")
_LEANING = frozenset("he him his she her".split())
"""Words by which a question leans on someone the sentences before it name: "i keep seeing
wang's name everywhere. where did he end up"."""
_THEY = frozenset("they them their".split())
"""The same, among a question's first three words: "scale must be under pressure. are they
cutting jobs". Later, they mostly point at what the question says itself ("are tech giants
rethinking their ai bets"): read anywhere, a sentence of context before the dev questions
changed 84 of their 7,372 answers (177 with "this" and "that" too), against 27 so."""

_PREAMBLE = (
    r"(?:(?:a|one|another|this (?:is|may be|might be)(?: a)?|(?:i )?(?:have|got) a) )?"
    r"(?:(?:total|complete|real|super|very|really|kinda|probably) )?"
    r"(?:(?:dumb|stupid|silly|quick|random|simple|basic|naive|noob|newbie|honest|small)"
    r"(?:ish)? )?(?:question|q)(?: maybe| probably)?(?: for (?:you|u|the bot|factbot))?"
    r"|sorry if (?:this|it) (?:was|has been|is|got) (?:already )?(?:asked|answered|covered)"
    r"(?: already| before)?"
    r"|sorry (?:for|about) the (?:dumb|stupid|silly|basic|noob) question"
    r"|(?:newbie|noob|new) here|new (?:to|on) (?:the|this|our) (?:team|channel|server|company)"
    r"|not sure (?:if|whether) this is the right (?:channel|place)"
    r"|(?:good )?(?:morning|afternoon|evening)(?: all| everyone| team| folks| guys)?|gm"
    r"|(?:just |only )?(?:curious|wondering)|out of curiosity|real quick"
    r"|i (?:was|am|'m) (?:just )?wondering|i wonder"
    r"|(?:(?:can|could|would|does|do) )?(?:you|u|anyone|anybody|someone|somebody|any of you)"
    r" (?:here )?(?:please |pls )?(?:tell me|know)"
    r"|(?:i'?d like|i would like|i want|i wanted|i need|we need|i'?d love) to know"
    r"|(?:i )?wanna know|any idea"
    r"|(?:lemme|let me) ask(?: (?:you|u|y'?all))?(?: (?:something|a question|this))?"
    r"|(?:i )?(?:wanted|want|meant|forgot) to ask(?: (?:you|u|y'?all))?(?: (?:something|this))?"
    r"|(?:one |another |a )(?:quick |small |last |other )?thing|(?:quick|small|last) thing"
    r"|i mean|sorry to (?:bother|bug|disturb|interrupt|pester)(?: (?:you|u|y'?all|everyone))?"
    r"|(?:a )?quick one|(?:a )?(?:question|q) for (?:the bot|factbot|you|u)|hiya|howdy|heya"
    r"|(?:(?:i |we )?need|pls|please) (?:some )?help|help(?: me)?(?: (?:pls|please))?"
)
"""What a message says of itself before it asks: "dumb question, but", "i have a
question:", "sorry if this was asked already,", "newbie here,"."""
_OPENING = re.compile(
    r"^(?:\s*(?:(?:<@!?\d+>|@\w+)|[\U0001F000-\U0001FAFF\u2600-\u27BF\uFE0F\u200D]+"
    # The phrases first: "quick one" before "quick".
    + rf"|(?:{_PREAMBLE})\b"
    + r"|(?:"
    + "|".join(sorted(OPENERS | {"q", "qq", *NEXT_QUESTION}, key=len, reverse=True))
    + r")(?:\s+(?:there|all|team|everyone|y'?all))?\b"
    + r")[\s,.:;!-]*(?:but\b)?[\s,.:;!-]*)+(?=\S+\s+\S)",
    re.IGNORECASE,
)
"""What a message opens with before it says anything ("hey, ", "quick q: ", "@factbot can
you tell me"): the frames and forms read at a message's start come after it."""
_CHATTER_ASIDE = re.compile(
    r"\s*\((?:asking|for (?:my|our|a|the)|sorry|just|not sure|if|again|lol|lmao|haha|thanks"
    r"|thx|ty|pls|please|i think|iirc|afaik|btw|fyi|newbie|noob|dumb|need it|context|curious)"
    r"\b[^()]*\)",
    re.IGNORECASE,
)
"""An aside in brackets that says why or how it is asked ("(asking for a report)", "(sorry
if dumb)"); an aside with content ("meta (facebook)") stays."""
_SIGN_OFF = re.compile(
    r"(?P<end>[?!.]?)(?:[\s,;:-]*\b(?:thx|thanks|thank you|ty|tysm|cheers|pls|please|plz|"
    r"lol|lmao|haha|much appreciated|appreciate it|thanks in advance|any ideas?|anyone know"
    r"|does anyone know|anybody know|if you know|if anyone knows|if you can)\b[\s.!?]*)+$",
    re.IGNORECASE,
)
"""How a message signs off ("…, thx", "…? thanks!"): a clause that asks nothing."""
_WHERE_READ = re.compile(
    r"\s*,?\s*\b(?:in|from|according to|per|based on) (?:the|this|that) "
    r"(?:article|piece|story|text)\b(?=[\s?.!]*$)",
    re.IGNORECASE,
)
"""Where what is asked was read, said last: "did scale reassure its customers in the
article?" asks whether Scale reassured them."""


_TAKEN_BACK = re.compile(
    r"[\s,.;:!?-]*\b(?:wait,? no|scratch that|never ?mind|nvm|sorry,? i meant|"
    r"actually,? no|no wait)\b[\s,.;:!?-]*(?=\w+\W+\w)",
    re.IGNORECASE,
)
"""Where a message takes back what it asked first and asks again (at least two words on)."""


_PLATFORM = (
    r"(?:a |an |the |my )?(?:twitter|x|reddit|linkedin|youtube|tiktok|hacker news|hn|slack|"
    r"discord|teams|podcast|news|newsletter|feed|timeline|tweet|blog|forum|tv|radio|cnbc|"
    r"bloomberg|wsj|video|group chat|chat)(?: feed| post| thread| video| channel)?"
)
_HEARD_ON = re.compile(
    r"^\s*(?:"
    # "i read on twitter that…", "saw on reddit…", "heard on a podcast that…"
    rf"(?:i )?(?:read|saw|seen|heard|noticed)(?: (?:it|this|something))?(?: on| in| from)? "
    rf"{_PLATFORM}"
    # "someone in slack said…", "my linkedin feed says…", "a newsletter said…"
    rf"|(?:(?:someone|somebody|people|a friend|a coworker|my coworker|folks) (?:on|in) )?"
    rf"(?:i saw )?{_PLATFORM} (?:says|said|claims|claimed|mentioned|is saying|are saying)"
    r")(?: something about| that)?,?\s*(?=\w+\W+\w)",
    re.IGNORECASE,
)
"""Where a question was heard: the place says nothing about what is asked ("i read on
twitter that meta paid 14.3b, is that right?")."""
_ASKED_FOR_SOMEONE = re.compile(
    r"^\s*(?:"
    # "our legal team is asking whether…", "my boss wants to know if…"
    r"(?:my|our|a) (?:[\w-]+ ){1,3}(?:wants to know|want to know|is asking|are asking|"
    r"was asking|were asking|asked|asks|is wondering|wonders)(?: me| us)?(?: about)?"
    r"(?: whether| if)?"
    # "i work at amazon, …", "i'm from nvidia's partnerships team; …": the asker's employer
    r"|(?:i|we)(?: work|'m| am|'re| are)(?: working)? (?:at|for|from) [^,;:.?!]{1,40}[,;:.]"
    r"|we(?:'re| are) (?:a|an) [\w.-]+ (?:shop|company|team)(?: but [^,;:.?!]{1,30})?[,;:.]"
    # "for our board deck i need…"
    r"|for (?:my|our|a|the) (?:[\w-]+ ){0,2}[\w-]+,? (?:i|we) need"
    # "for my story, …", "for my class: …"
    r"|for (?:my|our|a|the) (?:story|article|piece|class|report|thesis|newsletter|deck|memo)"
    r"\s*[,:;-]"
    # "quick sanity check for a memo: …"
    r"|(?:quick )?(?:sanity check|question)(?: for (?:a|my|our) [\w-]+)?:"
    # "2 questions: …", "a couple of things -"
    r"|(?:(?:\d+|two|three|a couple(?: of)?|a few|some) )?(?:quick )?(?:questions|qs|things)"
    r"(?: for (?:you|u))?\s*[:;,-]"
    r")\s*(?=\w+\W+\w)",
    re.IGNORECASE,
)
"""Who the question is asked for: a frame that says nothing about what is asked."""
_WHY_ASKED = re.compile(
    r"(?:[,;:.!?]|\s[-–—])\s*"  # after the question: "…, asking for a client"
    r"(?:(?:(?:i'?m|we'?re|i am|we are)\s+)?(?:asking|asked)\s+"
    r"(?:for|because|since|as|on behalf of)|for context)\b.*$",
    re.IGNORECASE,
)
"""Why or for whom a question is asked, said after it: "does scale work with hospitals,
asking for a healthcare client"."""


def the_question(text: str) -> str:
    """The question in a message that says something else first: "saw the news. how much
    did meta pay?" asks how much Meta paid. A statement the question leans on stays: in "I
    heard meta paid 14.3b. is that right?" the question names nothing by itself, and in
    "saw wang's name everywhere. where did he end up?" it points back at someone. A question
    taken back ("what's google's budget, wait no, what did meta pay") is dropped, as are
    how it opens and signs off ("hey, quick q:", "dumb question, but", "…, thx"), asides
    on why it is asked ("(asking for a report)"), whom it is asked for ("my boss wants to
    know if…", "i work at amazon, …") and where it was heard ("i read on twitter that…")."""
    *_, text = _TAKEN_BACK.split(text)
    text = _without_frames(_CHATTER_ASIDE.sub("", text).strip())
    if not _SENTENCE_THEN_MORE.search(text):
        return text
    sentences = split_sentences(text)
    # No sentence reads as a question: people set the scene first and ask last ("we use
    # scale at work. meta stake size").
    asked = [s for s in sentences if s.endswith("?") or starts_a_question(s)] or sentences[-1:]
    if len(asked) == len(sentences):
        return text
    if not any(content_words(basic_tokens(s)) for s in asked):
        return text
    # The frames of the sentence that asks: "we use scale. i read on twitter that…".
    question = _without_frames(" ".join(asked))
    tokens = basic_tokens(question)
    if _LEANING & set(tokens) or _THEY & set(tokens[:3]):
        return text  # the engine reads the rest as the scene (FactIndex.focused)
    return question


def _without_frames(text: str) -> str:
    """A message without how it opens and signs off, whom it is asked for, where it was
    heard and why it is asked."""
    text = _OPENING.sub("", text, count=1)
    text = _trimmed(_SIGN_OFF, text, by=r"\g<end>")
    text = _trimmed(_WHERE_READ, text)
    text = _ASKED_FOR_SOMEONE.sub("", text, count=1)
    text = _HEARD_ON.sub("", text, count=1)
    return _WHY_ASKED.sub("", text, count=1) or text


def _trimmed(pattern: re.Pattern[str], text: str, by: str = "") -> str:
    """The text without what the pattern finds, unless that leaves less than two words
    ("thanks!" alone is what the message says)."""
    trimmed = pattern.sub(by, text, count=1)
    return trimmed if len(trimmed.split()) > 1 else text
