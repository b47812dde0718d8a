"""What a question asks for, read from its words rather than matched against facts.

* the kind of answer: an amount ("how much"), a count ("how many shares"), a date
  ("when"), a person ("who is X's CEO"), who said or reported something, names ("which
  companies"), what someone said ("what did X say"), a reason ("why"), a meaning ("what
  is X"), advice ("how do I"), the bot's opinion ("should Google leave?") or a ranking
  ("is Google a bigger customer than OpenAI?");
* whose role, strategy or customers it asks about ("Meta's CEO" is not Scale's), who it
  says spoke, who a yes/no question says acts, what they do and to which company;
* which words only say *when* it asks about ("after the Meta deal").

The fact index compares these with what each fact can answer.
"""

from __future__ import annotations

import itertools

from bot.normalise import FILLER, STOPWORDS, stem

OFFICERS = frozenset("ceo cfo cto coo cmo cio cro cso cpo".split())
"""Roles a company has one holder of: Scale's CEO is not its CFO."""
ROLES = frozenset(
    "ceo cfo cto coo cmo cio cro cso cpo vp svp evp founder cofounder boss chief head "
    "president chair chairman owner spokesperson spokesman spokeswoman author reporter "
    "journalist writer leader".split()
)
"""Roles someone holds; the acronyms among them are words, not typos ("cto")."""
_RECEIVING = frozenset(stem(word) for word in "get got receive accept raise secure land".split())
"""Verbs whose subject is given to: in "did scale get 14.3b from meta", Meta acts."""
_OWNED = frozenset(
    stem(word) for word in [*ROLES, "strategy", "customer", "team", "staff", "employees"]
)
"""Things a question says are someone's: "Meta's CEO", "Google's strategy", "Google's
customers". A fact that names them only as someone else's does not answer."""
_NOW = frozenset("now currently current today anymore".split())
_LEADING = frozenset(
    "run runs running lead leads leading head heads heading spearhead spearheads "
    "spearheading".split()
)
_DESCRIBING = frozenset(stem(word) for word in "ai genai data big other".split())
_COMPARATIVES = frozenset(
    "bigger larger smaller better worse more less higher lower richer stronger".split()
)
_SUPERLATIVES = frozenset("biggest largest top".split())
_SIZES = frozenset("big large huge substantial sizable sizeable hefty massive".split())
_HOLDINGS = frozenset("stake share chunk slice piece check cheque investment payment sum".split())
_ONE_OF_A_GROUP = frozenset("customer client partner investor backer".split())
_OBJECTS = frozenset("them us me him her it you".split())
_AUTHORING = frozenset("wrote written authored".split())
"""With "who", these ask for a person as much as a role does: "who wrote the report"."""
_TAKING_ON = frozenset(
    "get got take took hire hired bring brought poach poached grab grabbed land landed nab "
    "nabbed lure lured recruit recruited snag snagged".split()
)
"""With "who" and "from", these ask whom one company took on from another: "who did meta
get from scale", "who did meta bring over from scale"."""
_HOW_DO_I = (["how", "do", "i"], ["how", "can", "i"], ["how", "should", "i"])
_GROUPS = frozenset(
    "companies company firms agencies startups customers clients carmakers automakers labs "
    "providers vendors cos competitors rivals investors backers firm agency startup "
    "customer client lab provider vendor competitor rival investor backer analysts analyst "
    "entities departments".split()
)
"""With "which" (or "list", "name"), these ask for names: "which self-driving companies
use scale"."""
GROUP_STEMS = frozenset(stem(word) for word in _GROUPS)
_SAYING = frozenset("say said says saying comment commented statement".split())
"""What someone said: "what did wang say" asks for words a fact may not report (but not
"what does this say about big tech")."""
_SAYING_STEMS = frozenset(stem(word) for word in _SAYING)
_TELLING = frozenset(
    "say said says saying report reported reports reporting broke claims claimed source".split()
)
"""With "who", these ask who the news came from ("who said google is pulling back"), which
only a fact about a source or a speaker answers."""
_TELLING_STEMS = frozenset(stem(word) for word in _TELLING)
_ACCORDING_TO_WHOM = (["according", "to", "who"], ["according", "to", "whom"])
_PAST = (["did"], ["has"], ["have"])
_UNITS = frozenset("billion billions million millions percent dollars bucks usd".split())
"""After "how many", these ask for an amount; anything else asks for a count ("how many
shares"), which a fact with only a sum and a stake does not give."""
_YOUR_VIEW = frozenset({("you", "think"), ("your", "opinion"), ("your", "take")})
"""Asking the bot's opinion ("what do you think about the deal"), not the sources'."""
_AUXILIARIES = frozenset(
    stem(w)
    for w in "did does do is are was were has have will would isnt arent wasnt werent doesnt "
    "dont didnt hasnt havent wont".split()
)
_PASSIVE = frozenset({"by"})
_INTENDING = frozenset(stem(word) for word in "plan intend want hope expect".split())
_EXCLUDING = stem("excluding")
_PAYING = frozenset(stem(word) for word in "pay invest spend buy".split())
_CAN_I = (["can", "i"], ["could", "i"], ["should", "i"])
"""Questions about what the asker may do ("can i buy shares of scale"), not about facts."""
_SHOULD_WE = frozenset({("should", "we"), ("should", "i"), ("do", "we"), ("should", "our")})
"""Anywhere in a message, these ask what the asker should do: "we use scale, should we
switch vendors?"."""
_WHAT = (["what"], ["whats"], ["wats"])  # "wat", "wut" are read as "what" already
_NOT_A_TERM = frozenset("happening planning next new latest".split())
"""Words that make "what is X" ask what X is up to, not what X means."""
_KINDS = frozenset("kind kinds type types sort sorts".split())
_IN_DETAIL = frozenset("exactly specifically precisely concretely".split())
"""With "how", these ask for the way something is done, in detail: "how will scale protect
customer data exactly" (but "how much exactly" asks an amount)."""
_HOW_TOLD = frozenset("in for like please briefly quickly simply".split())
"""Words that start saying how to explain something, after the thing to explain."""
_JOINTS = frozenset({"and", "or", "plus"})
_RELATIVE_TIMES = frozenset("before after".split())
_SINCE = frozenset(stem(word) for word in "after since following before despite".split())
_BEFORE = stem("before")
_REGARDING = frozenset("to on about over".split())
"""Before an event, these say what something was a reaction to: "how did openai respond *to
the meta investment*"."""
_REACTING = frozenset({"react"})
"""aliases.yaml's word for reacting, handling, responding: "how is microsoft handling the
meta deal"."""
_ARTICLES = frozenset("the a an all".split())
_MOVES = frozenset(stem(word) for word in "reduce join invest buy".split())
"""Verbs whose object matters: leaving Scale is not leaving Meta (aliases.yaml reads
"leave" as "reduce")."""
_MOVED = {"left": stem("reduce")}
"""Past forms that aliases.yaml leaves alone ("what's left") but that move someone when a
company follows: "wang left meta"."""
_LINKING = frozenset("in into to with from for on at".split())
_EVENTS = frozenset(stem(word) for word in "deal invest news announcement stake buy".split())
NOW = "(now)"
"""Added to the words of a question that asks who holds a role now ("who runs scale now"):
no text contains it, so no fact knows it and it works as a qualifier (aliases.yaml)."""
STILL = "(still)"
"""Added to the words of a question (or phrasing) that asks whether something goes on: "is
google still a scale customer" is for a fact that says what changed, which knows it from a
phrasing that asks so ("is google still working with scale"), not for the list of Scale's
customers."""
_SUM_WORDS = "dollar dollars figure number terms price value".split()
_AMOUNT_WORDS = frozenset(
    ["amount", "sum", "total", "percentage", "percent", "cost", "size", *_SUM_WORDS]
)
SUM_WORDS = frozenset(stem(word) for word in _SUM_WORDS)
"""Words any fact with a sum speaks of ("the dollar figure", "the price meta paid"); the
price of a share is another thing (aliases.yaml: "unitprice"), as are a company's prices
(normalise.py: "pricelist")."""


def answer_kind(words: list[str]) -> str | None:
    """The kind of answer a question (its words as typed) asks for, if a particular one."""
    pairs = set(itertools.pairwise(words))
    if _compares(words):
        return "comparison"
    counted = next((b for a, b in itertools.pairwise(words) if a == "many"), "")
    if ("how", "many") in pairs and counted not in STOPWORDS | _UNITS:
        return "count"
    amount_words = _AMOUNT_WORDS & set(words) - _used_as_verbs(words)
    if {("how", "much"), ("how", "many")} & pairs or amount_words or _asks_size(words):
        return "amount"
    if words[:1] == ["when"] or {("what", "year"), ("what", "date"), ("how", "long")} & pairs:
        # "when did openai leave, before or after meta?" offers its answer: what came
        # first, not a date.
        offered = _RELATIVE_TIMES & set(words[2:]) or "with the deal" in " ".join(words)
        return "order" if offered else "date"
    asks_who = words[:1] in (["who"], ["whos"])
    named_role = (asks_who or "name" in words[1:]) and bool((ROLES | _LEADING) & set(words))
    if named_role or (asks_who and (bool(_AUTHORING & set(words)) or _takes_on_from(words))):
        return "person"
    if (asks_who and _TELLING & set(words)) or words[:3] in _ACCORDING_TO_WHOM:
        return "source"
    # "who are the analysts watching scale" as much as "which analysts…"
    asks_names = (
        words[:1] in (["which"], ["list"], ["name"])
        or (asks_who and words[1:3] in (["are", "the"], ["were", "the"]))
        or ("names", "of") in pairs  # "what are the names of the analysts…"
    )
    # Not "list scale's other kinds of clients", which asks for kinds.
    if asks_names and _GROUPS & set(words) and not _KINDS & set(words):
        return "names"
    past = words[:1] in (["did"], ["has"]) or (words[:1] == ["what"] and words[1:2] in _PAST)
    if past and _SAYING & set(words):
        return "statement"
    if words[:1] in (["why"], ["whys"]) or words[:2] == ["how", "come"]:
        return "reason"
    if words[:1] == ["how"] and (_IN_DETAIL & set(words) or ("what", "steps") in pairs):
        return "method"
    asks_advice = bool(_SHOULD_WE & pairs)
    if words[:2] == ["how", "to"] or words[:2] in _CAN_I or words[:3] in _HOW_DO_I or asks_advice:
        return "how-to"
    if words[:1] == ["should"] or _YOUR_VIEW & pairs:
        return "opinion"
    return None


def _takes_on_from(words: list[str]) -> bool:
    """ "who did meta get from scale", "who did meta bring over from scale": someone taken on
    from a company; not "who did google get its data from", which asks for a supplier."""
    return any(
        word in _TAKING_ON and "from" in words[i + 1 : i + 3] for i, word in enumerate(words)
    )


def _asks_size(words: list[str]) -> bool:
    """ "how big was meta's stake", "how large a stake", "how substantial was the
    investment": a size, so an amount; but "how big (of) a deal is this" asks how much it
    matters, and "how big a role does scale play" how much it does."""
    for i, (a, b) in enumerate(itertools.pairwise(words)):
        if a == "how" and b in _SIZES:
            following = words[i + 2 :]
            if following[:1] == ["of"]:
                following = following[1:]
            if following[:1] in (["a"], ["an"]):
                return len(following) > 1 and following[1] in _HOLDINGS
            return True
    return False


def _used_as_verbs(words: list[str]) -> set[str]:
    """Amount words used as verbs: "cost" in "what shouldn't growth cost them"."""
    return {a for a, b in itertools.pairwise(words) if a == "cost" and b in _OBJECTS}


def asks_who_now(words: list[str]) -> bool:
    """Whether a question asks who holds a role *now* ("who runs scale now", "who is
    scale's ceo currently"): a fact about who held it before does not answer."""
    who = next((i for i, word in enumerate(words) if word in ("who", "whos")), None)
    if who is None:
        return False
    # "who was scale's ceo and where is he now" asks where he is now, not who is CEO now.
    after = words[who:]
    asked = after[: after.index("and")] if "and" in after else after
    before = words[:who]  # "scale ai, who's the ceo now?"
    # "now that the deal is done" says why, not when.
    said = {w for w, following in itertools.pairwise([*before, *asked, ""]) if following != "that"}
    return bool(_NOW & said) and bool((ROLES | _LEADING) & set(words))


def _compares(words: list[str]) -> bool:
    """ "is google a bigger customer than openai", "who's bigger, google or microsoft", "is
    openai scale's largest customer": a ranking the sources do not make (they name three
    largest customers, which answer "who is scale's biggest customer"). Not "more than 10
    billion", which is a bound, nor "one of scale's largest customers" or "a top client"."""
    confirming = words[:1] in (["is"], ["was"], ["isnt"])
    for i, word in enumerate(words):
        following = words[i + 1 : i + 2]
        if (
            confirming
            and word in _SUPERLATIVES
            and following
            and following[0] in _ONE_OF_A_GROUP
            and words[i - 1 : i] not in (["a"], ["an"])
        ):
            return True
        if word not in _COMPARATIVES:
            continue
        after = words[i + 1 : i + 4]
        if "than" in after:
            following = words[i + 2 + after.index("than") : i + 3 + after.index("than")]
            if not following or not following[0][:1].isdigit():
                return True
        elif "or" in words[i + 1 :] and words[:1] in (["who"], ["whos"], ["which"]):
            return True
    return False


def term_asked(words: list[str]) -> list[str]:
    """What "what is X?" asks the meaning of ("superintelligence", "a large language
    model"), as do "define X", "meaning of X" and "what does X mean"; empty for any other
    question, "what is google doing" and "what is the trend" included."""
    words = [w for w in words if w not in FILLER]  # "what is google even"
    if words[-2:] in (["whole", "thing"], ["whole", "deal"], ["good", "at"]):
        words = words[:-2]  # "what's scale's whole thing", "what is scale ai good at"
    for telling in (["explain"], ["describe"], ["tell", "me"]):
        # "explain what scale ai does", "tell me what openai is": the question inside.
        if words[: len(telling)] == telling and words[len(telling) :][:1] in _WHAT:
            return term_asked(words[len(telling) :])
    if words[:1] in (["define"], ["explain"], ["describe"]):
        # "explain scale ai in one line", "define bellwether for me": how, not what.
        rest = list(itertools.takewhile(lambda w: w not in _HOW_TOLD, words[1:]))
    elif "meaning" in words[:-2] and words[words.index("meaning") + 1] == "of":
        rest = words[words.index("meaning") + 2 :]
    elif words[:1] in _WHAT and words[-1:] in (["mean"], ["do"]):
        # "what does openai do" asks what a company is, as "what is openai" does; not "what
        # is openai doing", which asks about now.
        rest = words[2:-1] if words[1:2] in (["does"], ["do"]) else []
    elif words[:1] in _WHAT and words[-1:] == ["does"]:
        rest = words[1:-1]  # "what scale ai does"
    elif words[:1] in _WHAT:
        rest = words[2:] if words[1:2] in (["is"], ["are"]) else words[1:]
    else:
        return []
    if rest[:1] in (["a"], ["an"]):
        rest = rest[1:]
    if not 1 <= len(rest) <= 3 or (STOPWORDS | _NOT_A_TERM) & set(rest):
        return []
    if len(rest) > 1 and rest[-1].endswith("ing") and rest[-2].endswith("s"):
        return []  # "what are analysts watching": what they do, not a term
    return rest


def described(words: list[str]) -> list[str]:
    """Whom "what does the search giant do" asks what they do, by a description that may
    name a company ("the search giant") or not ("the startup"); empty for other questions."""
    if (
        words[:1] in _WHAT
        and words[1:3] in (["does", "the"], ["do", "the"])
        and words[-1:] == ["do"]
    ):
        return words[3:-1]
    return []


def role_pairs(tokens: list[str], organisations: frozenset[str]) -> frozenset[tuple[str, str]]:
    """(organisation, role) for "scale ceo" (from "Scale's CEO") and "ceo of scale"; the
    same for an organisation's strategy and customers. Tokens are normalised."""
    pairs = set()
    for i, token in enumerate(tokens):
        if token not in _OWNED:
            continue
        # "Meta's AI strategy", "Scale's biggest customers": one describing word between.
        gap = 1 if i > 1 and tokens[i - 1] in _DESCRIBING else 0
        before = tokens[i - 1 - gap] if i > gap else ""
        after = [t for t in tokens[i + 1 : i + 4] if t not in _ARTICLES]
        # "openai is a customer of scale" (from "openai buys from scale"): Scale's customer.
        if after[:1] == ["of"] and after[1:2] and after[1] in organisations:
            pairs.add((after[1], token))
        elif before in organisations:
            pairs.add((before, token))
    return frozenset(pairs)


def claim_told(tokens: list[str]) -> set[int]:
    """Where the claim is in "who said google is pulling back": any source that reported on
    Google answers it, whatever words the claim uses. Tokens are normalised."""
    told = next((i for i, t in enumerate(tokens) if t in _TELLING_STEMS), None)
    return set() if told is None else set(range(told + 1, len(tokens)))


def coordinated(tokens: list[str], organisations: frozenset[str]) -> tuple[str, ...]:
    """The companies or people listed side by side ("google and microsoft", "google, msft
    and openai", the commas gone from the tokens), if any. Tokens are normalised."""
    for start, token in enumerate(tokens):
        if token not in organisations:
            continue
        listed, joined, i = [token], False, start + 1
        while i < len(tokens):
            if tokens[i] in organisations:
                listed.append(tokens[i])
                i += 1
            elif tokens[i] in _JOINTS and tokens[i + 1 : i + 2] and tokens[i + 1] in organisations:
                listed.append(tokens[i + 1])
                joined, i = True, i + 2
            else:
                break
        if joined:
            return tuple(listed) if len(set(listed)) == len(listed) else ()
    return ()


def group_owners(tokens: list[str], organisations: frozenset[str]) -> frozenset[str]:
    """Whose group a text names without naming its members: Scale in "talking to Scale's
    competitors". Tokens are normalised."""
    return frozenset(
        name
        for name, following in itertools.pairwise(tokens)
        if name in organisations and following in GROUP_STEMS
    )


def saying_when(tokens: list[str], organisations: frozenset[str]) -> set[int]:
    """Where a question says when it asks about rather than what: "after the Meta deal",
    "since meta invested", or what it asks about a reaction to: "how did OpenAI respond to
    the Meta investment". Any fact about that time may answer it. Tokens are normalised."""
    positions: set[int] = set()
    for i, token in enumerate(tokens):
        if token not in _SINCE | _REGARDING | _REACTING or (token in _REGARDING and i == 0):
            continue
        rest = [j for j in range(i + 1, min(i + 5, len(tokens))) if tokens[j] not in _ARTICLES]
        phrase = set() if token in _REACTING else {i}
        if rest[:1] and tokens[rest[0]] in organisations:
            phrase.add(rest.pop(0))
        if rest[:1] and tokens[rest[0]] in _EVENTS:
            positions |= phrase | {rest[0]}
        elif len(phrase) == 2 and not rest and token in _SINCE - {_BEFORE}:
            positions |= phrase  # "scale's strategy after meta": after Meta's deal
    return positions


def set_aside(tokens: list[str], organisations: frozenset[str]) -> set[int]:
    """Where a question sets a company aside: "besides google" in "which company is
    rethinking scale besides google" asks about another one. Tokens are normalised."""
    positions: set[int] = set()
    for i, token in enumerate(tokens):
        named = i + 2 if tokens[i : i + 2] == ["other", "than"] else i + 1
        if token not in ("other", _EXCLUDING) or named >= len(tokens):
            continue
        # aliases.yaml reads "besides", "except" and "apart from" as "other", which also
        # says "other google products": Google is set aside only if no noun follows.
        following = tokens[named + 1 : named + 2]
        if tokens[named] in organisations and (not following or following[0] in STOPWORDS):
            positions |= set(range(i, named + 1))
    return positions


def speaker(tokens: list[str], organisations: frozenset[str]) -> str | None:
    """Who a question says spoke: Meta in "what did meta say about the deal"; the nearest
    organisation before the saying. Tokens are normalised."""
    for i, token in enumerate(tokens):
        if token in _SAYING_STEMS:
            named = [t for t in tokens[max(0, i - 3) : i] if t in organisations]
            if named:
                return named[-1]
    return None


def _after_auxiliary(tokens: list[str], window: int | None = None) -> list[str]:
    """The words after a yes/no question's opening auxiliary ("did", "is"…), articles left
    out, looking `window` words on; empty for any other question."""
    if not tokens[:1] or tokens[0] not in _AUXILIARIES:
        return []
    end = None if window is None else 1 + window
    return [t for t in tokens[1:end] if t not in _ARTICLES]


def moving_officer(tokens: list[str], organisations: frozenset[str]) -> tuple[str, str] | None:
    """Whose officer a yes/no question says moves: ("openai", "cfo") in "did openai's cfo
    leave the company", ("scale", "ceo") in "did scale's ceo join meta". Tokens are
    normalised."""
    rest = _after_auxiliary(tokens, window=4)
    if len(rest) < 3 or rest[0] not in organisations or rest[1] not in OFFICERS:
        return None
    return (rest[0], rest[1]) if _MOVED.get(rest[2], rest[2]) in _MOVES else None


def _as_stated(tokens: list[str]) -> list[str]:
    """A headline's future as the move it states: "google to acquire scale?" is "google
    acquire scale"."""
    return tokens[:1] + tokens[2:] if tokens[1:2] == ["to"] else tokens


def yes_no_actor(tokens: list[str]) -> str | None:
    """The word a yes/no question names its actor with: "regulators" in "did the regulators
    look at the deal". Tokens are normalised."""
    return next(iter(_after_auxiliary(tokens)), None)


def states_a_move(tokens: list[str], names: frozenset[str]) -> bool:
    """Whether a question is a statement to be confirmed, of someone moving: "wang left
    meta?", "meta invested in google?", or asks who made a move: "which executive joined
    scale?". Tokens are normalised."""
    if tokens[:1] in (["who"], ["which"]):
        return any(_MOVED.get(token, token) in _MOVES for token in tokens[1:3])
    tokens = _as_stated(tokens)
    return len(tokens) > 2 and tokens[0] in names and _MOVED.get(tokens[1], tokens[1]) in _MOVES


def verb_objects(tokens: list[str], companies: frozenset[str]) -> frozenset[tuple[str, str]]:
    """(verb, company) for what is done to which company: ("reduc", "scale") in "did wang
    leave scale", ("join", "meta") in "wang joined meta"; ("join", "competitor") in
    "is google moving to scale's competitors". Tokens are normalised."""
    pairs = set()
    for i, token in enumerate(tokens):
        token = _MOVED.get(token, token)
        if token not in _MOVES:
            continue
        rest = [t for t in tokens[i + 1 : i + 4] if t not in _ARTICLES and t not in _LINKING]
        if rest[:1] and rest[0] in companies:
            # The officer or group, not the company it belongs to: "did meta poach scale's
            # ceo", "is google moving to scale's competitors".
            owned = rest[1:2] and (rest[1] in ROLES or rest[1] in GROUP_STEMS)
            pairs.add((token, rest[1] if owned else rest[0]))
    return frozenset(pairs)


def yes_no_verb(tokens: list[str], organisations: frozenset[str]) -> str | None:
    """What a yes/no question says its actor does: "invest" in "did google invest in
    scale's competitors" or "did the government invest in scale". Tokens are
    normalised."""
    rest = _after_auxiliary(tokens, window=5)
    if not rest and tokens[:1] and tokens[0] in organisations:
        rest = _as_stated(tokens) if tokens[1:2] == ["to"] else []
    if _PASSIVE & set(tokens) or len(rest) < 2 or rest[0] in STOPWORDS:
        return None
    verb = rest[1]
    if verb in _INTENDING and rest[2:3] == ["to"] and rest[3:4]:
        verb = rest[3]  # "does openai plan to keep working with scale": it keeps working
    if rest[0] in organisations and verb in _OWNED:
        return None  # "did scale's ceo join meta": the CEO acts
    return verb if verb not in STOPWORDS and verb not in organisations else None


def subject(tokens: list[str], organisations: frozenset[str]) -> str | None:
    """Who a yes/no question (or "how much did X pay") says acts: Scale in "did scale invest
    in meta" and "how much did scale pay meta"; nobody in "did scale's ceo join meta" (the
    CEO acts) or "is scale owned by meta" (Meta does). Tokens are normalised."""
    # "how much did scale pay meta" names its payer as "did scale pay meta" does; not "how
    # much did scale get", where Scale is paid.
    paying = tokens[:2] == ["how", "much"] and bool(_PAYING & set(tokens[3:6]))
    asked = tokens[2:] if paying else tokens
    rest = _after_auxiliary(asked, window=3)
    if _PASSIVE & set(tokens):
        return None
    if len(rest) > 1 and rest[0] in organisations and rest[1] in _RECEIVING:
        # "did scale get 14.3b from meta": Meta gave it.
        return next(
            (b for a, b in itertools.pairwise(asked) if a == "from" and b in organisations), None
        )
    if len(rest) > 1 and rest[0] in organisations and rest[1] not in _OWNED:
        return rest[0]
    # "scale's official response?", "google reactions": the company named reacts.
    named = [t for t in tokens if t in organisations]
    if len(named) == 1 and any(
        a in organisations and b in _REACTING for a, b in itertools.pairwise(tokens)
    ):
        return named[0]
    return None
