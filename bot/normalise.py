"""Turns what people type into comparable tokens.

"How much did FB pay? $14,3 bn?!" and "how much did meta invest 14.3 billion" both become
``how much did meta invest 14.3b``: case, curly quotes, zero-width characters, possessives,
number formats and aliases are all flattened the same way for questions and for the
phrasings they are compared with.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from functools import lru_cache

import snowballstemmer
from spellchecker import SpellChecker
from text_to_num import alpha2digit

_STEMMER = snowballstemmer.stemmer("english")


def is_number(token: str) -> bool:
    """A number token: "14.3b", "49%", "2025", or a bound like ">10b" ("over 10 billion")."""
    return token.lstrip("<>")[:1].isdigit()


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """ "planning", "planned" and "plans" all become "plan"; numbers stay as they are."""
    return word if is_number(word) else _STEMMER.stemWord(word)


_FILLER = """
    hey hi hello yo bot factbot please pls plz really actually just exactly lol thanks thx
    thank w tho rn ya all now again like right true correct sorry dumb
    stupid silly q quick wondering curious guys folks anybody remind tbh ngl idk imo btw fyi
    afaik iirc honestly basically wait apparently seriously literally even fr frfr lowkey
    highkey bruh bro brah dude fam deadass nah cap wtf omg lmao lmfao rofl smh istg yall
    sheesh wild kinda sorta yeah yea yep legit recently lately currently today yesterday
    kindly briefly perhaps possibly similarly likewise huh eh hmm innit ty tysm cheers
    ballpark spoiler tia lmk asap eod inc corp corporation ltd llc plc completely entirely
    totally altogether confirm people
""".split()
FILLER = frozenset(_FILLER) | {stem(w) for w in _FILLER}
"""Chat filler that says nothing about which question is asked; dropped before matching."""
_UNIT_NAMES = "billion billions million millions thousand percent".split()
_STOPWORDS = """
    a an the is are was were be been being am do does did doing done of in on at to for with
    by from about as into onto and or but if so than then that this these those it its i me
    my we our us you your he him his she her they them their what which who whom whose when
    where why how can could would should will shall may might must has have had any some
    there here tell know s t don im ive id still also get got go going gonna wanna want much
    many anyone someone something thing things up out there whats whether hows whos wheres
    whys isnt doesnt didnt one ones very quite amount sum total say says said saying wot 0
    1 2 3 4 5 6 7 8 9 money cash dollars bucks around roughly approximately approx
    almost nearly stuff situation happen happens happening happened latest x too anything
    whole according d status name explain describe official officially not no nope re
    regarding wrt trying remember recall made make makes making n arent wasnt werent hasnt
    havent hadnt wont cant couldnt shouldnt wouldnt dont ll m ve usd anymore went outline
    amid amidst because given article articles
    clarify understand include includes included including both yet each over itself
    themselves himself herself
""".split()
_NUMBER_WORDS = frozenset(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy "
    "eighty ninety hundred thousand million billion".split()
)
UNIT_NAMES = frozenset(_UNIT_NAMES)
_BOUND_WORDS = frozenset("under below above north south upwards shy least since".split())
"""Words that make a bound of an amount ("north of 10 billion") or say when ("since")."""
COMMON_WORDS = (
    frozenset(_FILLER)
    | frozenset(_STOPWORDS)
    | frozenset(_UNIT_NAMES)
    | _NUMBER_WORDS
    | _BOUND_WORDS
)
"""The chat words, units, numbers and bounds above as they are spelt, for telling a typo
of one ("somtehing", "billoin", "fourteyn", "notrh") from a word nobody knows."""
STOPWORDS = FILLER | frozenset(_STOPWORDS) | {stem(w) for w in _STOPWORDS}
"""Words that carry no topic (filler included): they count for resemblance, not coverage."""

_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))
_QUOTES = str.maketrans({"‘": "'", "’": "'", "ʼ": "'", "`": "'", "“": '"', "”": '"'})
_UNITS = {
    "billion": ("b", 1e9), "billions": ("b", 1e9), "bn": ("b", 1e9), "bln": ("b", 1e9),
    "b": ("b", 1e9), "bil": ("b", 1e9), "thousand million": ("b", 1e9), "mrd": ("b", 1e9),
    "million": ("m", 1e6), "millions": ("m", 1e6), "mn": ("m", 1e6), "mln": ("m", 1e6),
    "mm": ("m", 1e6), "mil": ("m", 1e6), "m": ("m", 1e6), "mio": ("m", 1e6),
    "thousand": ("k", 1e3), "k": ("k", 1e3),
    "trillion": ("t", 1e12), "tn": ("t", 1e12),
    "%": ("%", 1.0), "percent": ("%", 1.0), "per cent": ("%", 1.0), "pct": ("%", 1.0),
    "pc": ("%", 1.0),
}  # fmt: skip
_UNIT_LETTERS = frozenset(letter for letter, _ in _UNITS.values())
_SPELT_OUT = re.compile(r"\b(?:a i|c [efot] o)\b")
"""Acronyms spelt out letter by letter, as speech-to-text writes them: "scale a i's c e o"."""
_NUMBER = re.compile(
    r"(?:\$|usd\s*)?(?<![\w.])(?P<num>\d+(?:[.,]\d+)*)\s*-?\s*"
    r"(?P<unit>trillion|tn|billions|billion|bln|bn|bil|b|thousand million|mrd"
    r"|millions|million|mln|mn|mio|mil|mm|m"
    r"|thousand|k"
    r"|%|percent|per cent|pct|pc)?"
    r"(?![a-z0-9])"
)
_TOKEN = re.compile(r"[<>]?\d+(?:\.\d+)?[bmk%]?|[a-z]+")
_MORE_THAN = re.compile(
    r"\b(?:over|more than|above|at least|greater than|upwards of|north of)"
    r"\s+(\d+(?:\.\d+)?[bmk%]?)(?!\w)"
)
_LESS_THAN = re.compile(
    r"\b(?:under|less than|below|at most|fewer than|south of|shy of|short of)"
    r"\s+(\d+(?:\.\d+)?[bmk%]?)(?!\w)"
)
_A_SCALE = re.compile(
    r"\b(over|more than|above|upwards of|north of|under|less than|below|south of|shy of) "
    r"an? (billion|million)\b"
)
"""A bound of "a billion" names an amount, as "a billion-dollar question" does not."""
_FRACTION = re.compile(r"\b(?:an?|one) (quarter|third|fifth|tenth) of\b")
_FRACTIONS = {"quarter": "25%", "third": "33%", "fifth": "20%", "tenth": "10%"}
_PART_OF_A_UNIT = re.compile(
    r"\b(?:(?:an?|one) (quarter|third|fifth|tenth) of|(half)) an? (billion|million)\b"
)
"""An amount as a part of a billion or million: "a fifth of a billion" is 200 million."""
_PARTS = {"quarter": 0.25, "third": 0.33, "fifth": 0.2, "tenth": 0.1, "half": 0.5}
_DIGITS_THEN_WORD = re.compile(
    r"(?<![\d.])\b(\d+) (?:point (\d+)|(hundred|thousand(?! million)))\b"
)
"""Digits a word goes on with: "14 point 3 billion", "2 hundred million"."""
_AND_A_HALF = re.compile(rf"\b(\d+|{'|'.join(sorted(_NUMBER_WORDS))}) and a half\b")
"""A number and a half: "14 and a half billion", "fourteen and a half"."""
_MAGNITUDE = re.compile(r"\b(tens|hundreds) of (billions|millions)\b")
_EITHER_AMOUNT = re.compile(r"(?<![\w.])(\d+(?:\.\d+)?)\s+or\s+(\d+(?:\.\d+)?)([bm%])(?!\w)")
_RANGE = re.compile(
    r"(?:\bbetween\s+(\d+(?:\.\d+)?)[bm%]?\s+and"
    r"|(?<![\w.<>])(\d+(?:\.\d+)?)[bm%]?\s+to)"
    r"\s*(\d+(?:\.\d+)?)([bm%])(?!\w)"
)
"""A range of amounts: "between 10 and 20 billion", "10-20 billion", "10 to 20 billion"."""
_DASHED_RANGE = re.compile(
    r"(?<![\w.])(\d+(?:\.\d+)?)\s*[-–]\s*"
    r"(?=\d+(?:\.\d+)?\s*(?:billions?|bn|bil|b|millions?|mn|mil|m|%|percent)(?![a-z]))"
)


def _number_value(digits: str) -> float:
    # "14,300,000" groups thousands; "14,3" is a decimal comma (as typed in much of Europe).
    if re.fullmatch(r"\d{1,3}(,\d{3})+(\.\d+)?", digits):
        return float(digits.replace(",", ""))
    return float(digits.replace(",", ".", 1).replace(",", ""))


def _digits_then_word(match: re.Match[str]) -> str:
    digits, decimals, scale = match.groups()
    if decimals:
        return f"{digits}.{decimals}"
    return str(int(digits) * (100 if scale == "hundred" else 1000))


def _canonical_number(match: re.Match[str]) -> str:
    try:
        value = _number_value(match["num"])
    except ValueError:
        return match[0]
    suffix, scale = _UNITS.get(match["unit"] or "", ("", 1.0))
    if suffix == "%":
        return f" {value:g}% "
    value *= scale
    for letter, size in (("b", 1e9), ("m", 1e6)):
        if value >= size:
            return f" {round(value / size, 3):g}{letter} "
    return f" {value:g} "


_CHAT_SPELLINGS = {
    "u": "you", "ur": "your", "r": "are", "y": "why", "hw": "how", "wht": "what",
    "wat": "what", "wut": "what", "whr": "where", "wen": "when", "wher": "where",
    "ppl": "people", "abt": "about", "bc": "because", "cuz": "because", "coz": "because",
    "da": "the", "dat": "that", "dis": "this", "dey": "they", "thru": "through",
    "shud": "should", "shld": "should", "cud": "could", "wud": "would", "wld": "would",
    "hav": "have", "dz": "does", "duz": "does", "gna": "gonna", "bout": "about", "ws": "was",
    "cust": "customer", "custs": "customers", "okk": "ok", "okkk": "ok", "okey": "ok",
    "bak": "back", "planed": "planned", "finna": "gonna",
}  # fmt: skip
"""How chat spells some short words, so that "hw much" asks an amount as "how much" does."""
_STARTING = re.compile(
    r"\b(?:start|started|starting|starts|begin|began|begun) (?:to (?=\w)|(?=\w+ing\b))"
    r"|\b(?:agree|agreed|agrees|agreeing) to (?=\w)|\b(?:going|moving) forward,"
)
"""Starting or agreeing to do something is doing it ("what did google start doing", "what
did meta agree to pay"); "going forward, …" says no more than the question does."""
_WHAT_HAS_BEEN_DONE = re.compile(r"\bwhat (?:have|has|had) (?!been\b)((?:[\w']+ ){1,5}?)done\b")
"""What someone has done is what they did: "what have openai and google done about scale"
reads as "what did openai and google do about scale"."""
_WHAT_CAUSED = re.compile(
    r"\bwhat (?:caused|led|prompted|drove|triggered|motivated|spurred|sparked|pushed|forced)\b"
    r"(?: ((?:[\w']+ ){1,4}?)to (?=\w))?"
)
"""What caused something asks why it happened: "what led wang to leave scale" asks why
Wang left."""
_WHAT_IT_LED_TO = re.compile(
    r"\bwhat did (.{1,40}?) (?:lead|cause|push|force|prompt|drive) (\w+) to do\b"
)
"""What one thing led another to do: "what did the deal lead google to do" asks what Google
did after it."""
_MENTION = re.compile(r"<[@#][!&]?\d+>|@\w+")
_SCALE_WORD = re.compile(r"\b(?:hundred|thousand|million|billion)s?\b")
_MASK = "\u2063"  # invisible separator: text2num leaves a word with it alone


def _spelt_out_numbers(text: str) -> str:
    """ "fifteen billion" -> "15000000000", but "how many billions" and "a billion-dollar
    question" name no amount: a scale word counts only after a number word."""

    def masked(match: re.Match[str]) -> str:
        before = text[: match.start()].split()[-2:]
        # text2num reads "fourteen point three billion" as "14.3 1000000000": left as a
        # word, the scale joins "14.3" in the digits pass instead.
        decimal = before[:1] == ["point"]
        if before and before[-1].strip("-") in _NUMBER_WORDS and not decimal:
            return match[0]
        return match[0][0] + _MASK + match[0][1:]

    return alpha2digit(_SCALE_WORD.sub(masked, text), "en").replace(_MASK, "")


def alternatives(tokens: list[str]) -> list[frozenset[str]]:
    """What a question offers as alternatives, of which one is enough: amounts ("was it
    49% or 51%"), names ("did wang go to meta or google") or other words ("are scale's
    customers calm or rattled"). Tokens are normalised."""
    offered = []
    for a, joint, b in zip(tokens, tokens[1:], tokens[2:], strict=False):
        amounts = is_number(a) + is_number(b)
        # Two amounts, or two words; "49% or more" offers nothing to choose from.
        if joint == "or" and (amounts == 2 or (amounts == 0 and not {a, b} & STOPWORDS)):
            offered.append(frozenset({a, b}))
    return offered


def counting(tokens: list[str]) -> frozenset[str]:
    """Numbers without a unit that count the thing after them: "200" in "200 deals", not
    in "google 200?" or "was it 200 for google". Tokens are normalised."""
    return frozenset(
        a
        for a, b in itertools.pairwise(tokens)
        if is_number(a) and not split_number(a)[1] and b not in STOPWORDS
    )


def clean(text: str) -> str:
    """Unicode-normalised, case-folded text with one kind of quote and no invisible marks."""
    text = unicodedata.normalize("NFKC", text).translate(_ZERO_WIDTH).translate(_QUOTES)
    return text.casefold()


def surface_tokens(text: str) -> list[str]:
    """Words as typed (lower-cased, numbers in one form), before stemming."""
    return list(_surface_tokens(text))


@lru_cache(maxsize=16384)
def _surface_tokens(text: str) -> tuple[str, ...]:
    # The knowledge base's phrasings and aliases are read several times at start-up.
    text = clean(text)
    text = _MENTION.sub(" ", text)  # "@everyone", "<@123>": who is addressed, not what
    text = re.sub(r"(?<=[a-z])\$(?=[a-z])", "s", text)  # "micro$oft"
    text = re.sub(r"(?<![\w$])\$(?=[a-z]{1,5}\b)", "", text)  # a ticker: "$msft", "$meta"
    text = re.sub(r"~~.*?~~", " ", text)  # struck out in Discord markdown: taken back
    text = re.sub(r"n't\b", "nt", text)  # "isn't" is one word, as "isnt" is
    text = re.sub(r"\s[&+]\s", " and ", text)  # "google & msft": the word, for who is listed
    text = _STARTING.sub("", text)
    text = _WHAT_IT_LED_TO.sub(r"what did \2 do after \1", text)
    text = _WHAT_HAS_BEEN_DONE.sub(r"what did \1 do", text)
    text = _WHAT_CAUSED.sub(lambda m: f"why did {m[1] or ''}", text)
    text = re.sub(r"\b(?:[a-z]\.){2,}", lambda m: m[0].replace(".", ""), text)  # "c.e.o."
    text = _SPELT_OUT.sub(lambda m: m[0].replace(" ", ""), text)  # "c e o", as dictated
    text = re.sub(r"'s\b", "", text)
    text = _PART_OF_A_UNIT.sub(lambda m: f" {_PARTS[m[1] or m[2]]:g} {m[3]} ", text)
    text = _DIGITS_THEN_WORD.sub(_digits_then_word, text)
    # "14 and a half billion" is 14.5 billion, not 14 billion and half of something.
    text = _AND_A_HALF.sub(lambda m: f"{m[1]}.5" if m[1].isdigit() else f"{m[1]} point five", text)
    text = re.sub(r"\bhalf\b", " 50% ", text)
    text = _FRACTION.sub(lambda m: f" {_FRACTIONS[m[1]]} of", text)  # "a quarter of scale"
    text = _A_SCALE.sub(r"\1 1 \2", text)
    # "tens of billions": from 10 billion up to 100.
    text = _MAGNITUDE.sub(
        lambda m: (
            f" over {10 if m[1] == 'tens' else 100} {m[2][:-1]} "
            f"under {100 if m[1] == 'tens' else 1000} {m[2][:-1]} "
        ),
        text,
    )
    text = re.sub(r"\bprices\b", "pricelist", text)  # what a company charges, not a price paid
    text = re.sub(r"\b(\d+(?:\.\d+)?) out of (?:100|a hundred)\b", r" \1% ", text)
    # "0.49 of scale" is 49% of it.
    text = re.sub(
        r"(?<![\d.])0?\.(\d{1,2})\s+of\b", lambda m: f" {int(m[1].ljust(2, '0'))}% of", text
    )
    text = _DASHED_RANGE.sub(r" between \1 and ", text)  # "10-20 billion"
    text = re.sub(r"(?<![\w.])(\d+(?:\.\d+)?)\s*-?ish\b", r"\1", text)  # "14ish billion"
    text = re.sub(r"(?<![\w.])(\d+(?:\.\d+)?)\+", r" over \1", text)  # "14+ billion"
    # Digits first, so that "14.3 billion" is not read as "14.3" and a spelt-out billion;
    # then "fifteen billion" and "two hundred million" become digits too.
    text = _NUMBER.sub(_canonical_number, text)
    text = _NUMBER.sub(_canonical_number, _spelt_out_numbers(text))
    # "over 10 billion" is any amount above it: ">10b".
    text = _LESS_THAN.sub(r" <\1 ", _MORE_THAN.sub(r" >\1 ", text))
    text = _EITHER_AMOUNT.sub(r"\1\3 or \2\3", text)  # "14.3 or 13.4b": both billions
    # Within a range: above the first amount and below the second, in the second's unit.
    text = _RANGE.sub(lambda m: f" >{m[1] or m[2]}{m[4]} <{m[3]}{m[4]} ", text)
    text = re.sub(r"(?<![\d.])%", " percent ", text)  # "what % does meta own"
    text = re.sub(r"\$(?!\s*\d)", " amount ", text)  # "meta $?" asks for a sum
    return tuple(_CHAT_SPELLINGS.get(token, token) for token in _TOKEN.findall(text))


def basic_tokens(text: str) -> list[str]:
    return [stem(token) for token in surface_tokens(text)]


def _phrase_variants(
    synonyms: Mapping[str, Iterable[str]],
) -> Iterator[tuple[str, str, tuple[str, ...], tuple[str, ...]]]:
    """Each alias written as a phrase (not a split "put ... into" verb): its canonical word,
    the variant, and both as normalised tokens; a variant that reads as its canonical word
    is left out."""
    for canonical, variants in synonyms.items():
        target = tuple(basic_tokens(canonical))
        for variant in (canonical, *variants):
            key = tuple(basic_tokens(variant)) if "..." not in variant else ()
            if key and key != target:
                yield canonical, variant, key, target


def clashing_aliases(synonyms: Mapping[str, Iterable[str]]) -> list[str]:
    """Variants of two canonical words that read the same once normalised ("position" and
    "positive" are both "posit"): only one of the two could ever apply."""
    seen: dict[tuple[str, ...], tuple[str, str]] = {}
    clashes = []
    for canonical, variant, key, _ in _phrase_variants(synonyms):
        first = seen.setdefault(key, (canonical, variant))
        if first[0] != canonical:
            clashes.append(f"{variant!r} ({canonical}) reads as {first[1]!r} ({first[0]}) does")
    return clashes


class Normaliser:
    """Maps every alias (one word or several) to its canonical word.

    A variant written with "..." is a verb whose particle may come a few words later:
    "put ... into" reads "meta put how much into scale" as investing, and "move ... away"
    reads "google moving its business away"."""

    MAX_GAP = 3
    """How many words may stand between a verb and its particle."""

    def __init__(self, synonyms: Mapping[str, Iterable[str]], names: Iterable[str] = ()) -> None:
        """`names` are the canonical words that name a company or person."""
        self._names = {tuple(basic_tokens(name)) for name in names}
        self._phrases: dict[tuple[str, ...], tuple[str, ...]] = {}
        self._split: dict[str, list[tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]]] = {}
        for _, _, key, target in _phrase_variants(synonyms):
            self._phrases[key] = target
        # "put on table", "what does article say": chat drops articles that aliases spell
        # out. A phrase left with fewer than three words is too loose to read so ("the
        # startup" is Scale, "startup" any startup; "the report mentions" is a frame, "what
        # report mentioned" a question), and a phrase that is an alias of its own stays one.
        for key, target in list(self._phrases.items()):
            bare = tuple(t for t in key if t not in _ARTICLES)
            if len(bare) > 2 and bare != key and bare != target:
                self._phrases.setdefault(bare, target)
        for canonical, variants in synonyms.items():
            for variant in variants:
                if "..." in variant:
                    verb, particle = (tuple(basic_tokens(part)) for part in variant.split("...", 1))
                    target = tuple(basic_tokens(canonical))
                    self._split.setdefault(verb[0], []).append((verb, particle, target))
        self._longest = max((len(k) for k in self._phrases), default=1)
        self.words = frozenset(
            w for pair in self._phrases.items() for phrase in pair for w in phrase
        ) | frozenset(
            w for forms in self._split.values() for form in forms for part in form for w in part
        )
        """Every word an alias is made of or maps to."""

    def canonical(self, tokens: list[str]) -> list[str]:
        tokens = self._join_split_verbs(tokens)
        out: list[str] = []
        i = 0
        while i < len(tokens):
            for size in range(min(self._longest, len(tokens) - i), 0, -1):
                target = self._phrases.get(tuple(tokens[i : i + size]))
                if target is not None:
                    if target in self._names and out and out[-1] in _ARTICLES:
                        out.pop()  # "the search giant" is Google, as "search giant" is
                    out.extend(target)
                    i += size
                    break
            else:
                out.append(tokens[i])
                i += 1
        return out

    def _join_split_verbs(self, tokens: list[str]) -> list[str]:
        """ "put how much into" -> the canonical verb, then "how much"; the particle goes."""
        out = list(tokens)
        i = 0
        while i < len(out):
            for verb, particle, target in self._split.get(out[i], ()):
                after = i + len(verb)
                if tuple(out[i:after]) != verb:
                    continue
                for gap in range(1, self.MAX_GAP + 1):
                    start = after + gap
                    if tuple(out[start : start + len(particle)]) == particle:
                        out[start : start + len(particle)] = []
                        out[i:after] = list(target)
                        break
                else:
                    continue
                break
            i += 1
        return out

    def tokens(self, text: str) -> list[str]:
        return self.canonical(basic_tokens(text))


_ARTICLES = frozenset({"the"})
"""Articles an alias may spell out and chat leaves out."""
OPENERS = frozenset(
    "ok okay k kk alright oh ah hmm hm um umm uh uhh so well anyway hey hi hello yo bot "
    "factbot guys "
    "folks quick question lol lmao haha thanks thx ty confirm but and then also btw "
    "additionally next please pls plz kindly basically wait ayo ayy greetings".split()
)
NEXT_QUESTION = (
    "one more",
    "one more thing",
    "one more question",
    "another question",
    "another one",
    "follow up",
    "follow-up",
    "followup",
)
"""Phrases that say another question comes ("one more: …"), and nothing of it."""
_NEXT_QUESTION_TOKENS = [surface_tokens(phrase) for phrase in NEXT_QUESTION]
_CHATTER = OPENERS | FILLER | {t for phrase in _NEXT_QUESTION_TOKENS for t in phrase}
"""Words that alone make no clause of a message: "anyway", "like", "one more"."""


_LOOKING_UP_PHRASES = (
    "can you check", "can you double-check", "can you double check", "could you check",
    "can you look up", "give me", "show me", "gimme",
)  # fmt: skip
"""Requests to look something up, which say whom it is for at the end."""
_OPENING_PHRASES = sorted(  # longest first: "would you be able to" before "would you"
    (
        surface_tokens(phrase)
        for phrase in (
            *NEXT_QUESTION,
            "can you tell me",
            "could you tell me",
            "can u tell me",
            "tell me",
            "do you know",
            "does anyone know",
            "anyone know",
            "i was wondering",
            "i wonder",
            "is it true that",
            "is it true",
            "i heard that",
            "i heard",
            "i read that",
            "someone said",
            "any idea",
            "quote",
            "state",
            # Asking the bot what it knows: "would you happen to know…", "what do you know
            # about…", "can you check…"
            "would you happen to know",
            "do you happen to know",
            "any chance you know",
            "what do you know about",
            "what do you have on",
            "do you have anything on",
            "you got anything on",
            "got anything on",
            *_LOOKING_UP_PHRASES,
            "info on",
            "catch me up on",
            "the gist of",
            "gist of",
            "quick summary of",
            "a quick summary of",
            "summary of",
            "a summary of",
            "overview of",
            "an overview of",
            "a quick overview of",
            "fill me in on",
            "where do things stand with",
            "where do things stand between",
            "info about",
            "any info on",
            "details on",
            "details about",
            "summarize",
            "summarise",
            "sum up",
            "recap",
            # Polite frames: "could you please tell me…", "I'd like to know…"
            "could you",
            "can you",
            "would you",
            "can someone",
            "could someone",
            "can anyone",
            "could anyone",
            "can somebody",
            "could somebody",
            "would you be able to",
            "would you mind telling me",
            "would you mind",
            "may i ask",
            "i'd like to know",
            "i would like to know",
            "i'd like to understand",
            "i would like to understand",
            "i'd be grateful if you could",
            "i would be grateful if you could",
            "i'd appreciate knowing",
            "i would appreciate knowing",
            "i'm interested in",
            "i am interested in",
            "please let me know",
            "let me know",
            "i was hoping you could tell me",
            "i was hoping you could",
            "would be nice to know",
            "would be great to know",
            "it would be good to know",
            "would love to know",
            "i'd love to know",
            "curious to know",
            "need to know",
            "i need to know",
            "lmk",
            # The question before, about someone else: "same for google?"
            "same for",
            "same with",
            "same question for",
            "same goes for",
            # Asking for the sentence itself: "quote the line about…", "where does it say…"
            "quote the line about",
            "quote the part about",
            "quote the sentence about",
            "which sentence says",
            "which line says",
            "which line talks about",
            "which sentence talks about",
            "show me the line with",
            "show me the line about",
            "show me where it says",
            "where does it say",
            "where does the article say",
            "cite the sentence about",
            "cite the line about",
            "cite your source on",
            "what did the article say about",
            "what did the table say about",
            "what does the table say about",
            "what did the quick reference table say about",
            "what does the quick reference table say about",
        )
    ),
    key=len,
    reverse=True,
)


_LOOKING_UP = [surface_tokens(phrase) for phrase in _LOOKING_UP_PHRASES]


def without_openers(surface: list[str]) -> list[str]:
    """A message without the words people open it with: "ok so can you tell me who is
    scale's ceo" asks "who is scale's ceo", and "ok thanks" asks nothing (not whether
    Scale is ok). A request to look something up ("can you check meta's stake for me")
    loses its closing "for me" too; "can you tell me what this means for us" keeps it."""
    start = 0
    looks_up = False
    while start < len(surface):
        if surface[start] in OPENERS:
            start += 1
            continue
        phrase = next((p for p in _OPENING_PHRASES if surface[start : start + len(p)] == p), None)
        # "tell me" alone is a request still; "one more" alone asks nothing, as "ok" does.
        ends = phrase is not None and start + len(phrase) == len(surface)
        if phrase is None or (ends and phrase not in _NEXT_QUESTION_TOKENS):
            break
        looks_up = looks_up or phrase in _LOOKING_UP
        start += len(phrase)
    asked = surface[start:]
    if looks_up and asked[-2:] in (["for", "me"], ["for", "us"]) and len(asked) > 2:
        asked = asked[:-2]
    return asked


def without_filler(tokens: Iterable[str]) -> list[str]:
    return [t for t in tokens if t not in FILLER]


def content_words(tokens: Iterable[str]) -> list[str]:
    return [t for t in tokens if t not in STOPWORDS]


def split_number(token: str) -> tuple[str, str]:
    """A number token's digits and unit letter: "14.3b" -> ("14.3", "b"), "2025" -> ("2025", "")."""
    unit = token[-1] if token[-1] in _UNIT_LETTERS else ""
    return token[: len(token) - len(unit)], unit


_SCALES = {"k": 1e3, "m": 1e6, "b": 1e9}


def roughly(asked: str, known: str) -> bool:
    """Whether a number in a question is the fact's number, rounded as people round:
    "14 billion" and "14.3b", "half" (50%) and 49%, "over 10 billion" and 14.3b; but not
    "15 billion", "10 billion" or "more than half"."""
    if asked == known:
        return True
    asked_digits, asked_unit = split_number(asked.lstrip("<>"))
    known_digits, known_unit = split_number(known)
    if asked[:1] in ("<", ">") and {asked_unit, known_unit} <= _SCALES.keys():
        # A bound holds across units: "under a billion" and $200 million.
        bound = float(asked_digits) * _SCALES[asked_unit]
        value = float(known_digits) * _SCALES[known_unit]
        return value > bound if asked.startswith(">") else value < bound
    # A number typed without its unit ("meta paid 14.3?", "google 200?") is the fact's
    # number in whatever unit the fact gives it.
    if asked_unit != known_unit and asked_unit:
        return False
    if asked.startswith(">"):
        return float(known_digits) > float(asked_digits)
    if asked.startswith("<"):
        return float(known_digits) < float(asked_digits)
    if "." in asked_digits:
        places = len(asked_digits.split(".")[1])
    else:
        places = len(asked_digits.rstrip("0")) - len(asked_digits)  # 50 -> -1: tens
    value, exact = float(asked_digits), float(known_digits)
    return round(exact, places) == value and abs(value - exact) <= 0.05 * exact


_CLAUSE_BREAK = re.compile(
    r"\s*[,:;]\s*|\s+[-–—]+\s+"
    # Chat leaves the comma out: "i work at amazon how much did meta pay". A question word
    # starts a clause only before the verb that asks: "google paid HOW much" asks in place.
    r"|\s+(?=(?:how(?:\s+(?:much|many)(?:\s+\w+)?)?|what|who|where|when|why)\s+"
    r"(?:did|does|do|is|was|are|were|will|would|can|could|has|have|had)\b)",
    re.IGNORECASE,
)
_FILLER_ASIDE = re.compile(
    r"\s*,\s*(?:like|you know|um+|uh+|i mean|basically|honestly|tbh|idk)\s*,\s*", re.IGNORECASE
)
"""Chat filler set off by commas within a question: "how much did meta, like, pay"."""
_QUESTION_BREAK = re.compile(r"\s*[?;]\s*")
_JOINING = r"\s+(?:and also|and|&|\+|plus)\s+"
_AND = re.compile(_JOINING, re.IGNORECASE)
LISTING = re.compile(rf"\s*,\s*(?:and\s+)?|{_JOINING}", re.IGNORECASE)
"""What joins two things listed: "meta's stake and wang's new job", "meta stake + google
budget", "meta's stake, google's budget"."""
_ASKING = frozenset(
    "who whom whose what which when where why how is are was were do does did will would "
    "can could should has have had isnt arent wasnt werent doesnt dont didnt hasnt havent "
    "wont cant whether".split()
)


def starts_a_question(clause: str) -> bool:
    surface = surface_tokens(clause)  # "what's", "isn't", "hw" as words
    # "name scale's top clients and say how they took the news": a request is a question.
    return any(surface[: len(r)] == r for r in _REQUESTS) or _opens_with_asking(surface)


_REQUESTS = [
    *_LOOKING_UP,
    *(surface_tokens(word) for word in "tell say explain describe name list".split()),
]
"""Requests to look something up or be told it, which start a question as "what" does."""


def _opens_with_asking(surface: list[str]) -> bool:
    # "would be great to know by eod" says how welcome an answer is; it asks nothing.
    return bool(surface) and surface[0] in _ASKING and surface[1:2] != ["be"]


@lru_cache(maxsize=4096)  # the matcher and the second opinion both read a message's clauses
def asking_clauses(text: str) -> tuple[str, str] | None:
    """A long message split into the clauses that ask and the ones that set the scene:
    "i was reading the news and saw meta did a deal with scale, anyway how much did meta
    pay" asks "how much did meta pay". None unless it has both."""
    text = _FILLER_ASIDE.sub(" ", text)
    clauses = [c.strip() for c in _CLAUSE_BREAK.split(text) if c.strip()]
    # "anyway" before "how much did meta pay" is no scene, nor is "like" within it.
    clauses = [c for c in clauses if any(t not in _CHATTER for t in surface_tokens(c))]
    if len(clauses) < 2:
        return None
    asking = [c for c in clauses if _opens_with_asking(without_openers(surface_tokens(c)))]
    scene = [c for c in clauses if c not in asking]
    if not asking or not scene:
        return None
    return " ".join(asking), " ".join(scene)


_BULLET = re.compile(r"^(?:[-*•·>]|\d{1,2}[.)])\s+")
"""What starts a line of a list or a quote: "- ", "* ", "1. ", "> "."""
_NUMBERED = re.compile(r"\s+(?=\d{1,2}\)\s+[a-z])", re.IGNORECASE)
"""Where a list numbered on one line goes on: "1) how much did meta pay 2) where…"."""


_WRAPPED = re.compile(
    r"^\s*(\*\*|__|\*|_|`+|\"|“)"  # the mark that opens it…
    r"(?P<line>(?:(?!\1|[“”]).)+)"  # …none inside…
    r"(?:\1|”)\s*(?P<end>[?!.]*)\s*$"  # …and the same mark closing it
)
"""A line set in bold, code or quotes as a whole: "**how much did meta pay**"."""


def one_line(message: str) -> str:
    """A message's lines as one: a line that ends without punctuation ends a clause, so a
    list of questions ("- how much did meta pay", "- where did wang go") stays a list, as
    do two questions set apart by " / "."""
    lines = [
        _BULLET.sub("", " ".join(line.split()))
        for text in message.splitlines()
        for line in _NUMBERED.split(_WRAPPED.sub(r"\g<line>\g<end>", text))
    ]
    lines = [line for line in lines if line]
    text = " ".join(
        line if line[-1] in ".?!;:," or i == len(lines) - 1 else f"{line};"
        for i, line in enumerate(lines)
    )
    return text.replace(" / ", "; ")


def split_question(text: str) -> list[str]:
    """ "how much did meta pay and who is scale's ceo?" -> its two questions."""
    return [part for joined in joined_questions(text) for part in joined]


def joined_questions(text: str) -> list[list[str]]:
    """The questions of each sentence of a message: "how much did meta pay and who is
    scale's ceo? thanks" -> [["how much did meta pay", "who is scale's ceo"]].

    An "and" only splits when a new question follows it, so "the trend with tech giants
    and ai startups" stays one question.
    """
    sentences = []
    for sentence in _QUESTION_BREAK.split(text):
        clauses: list[str] = []
        for clause in _AND.split(sentence):
            if clauses and not starts_a_question(clause):
                clauses[-1] += f" and {clause}"
            else:
                clauses.append(clause)
        if clauses := [clause for clause in clauses if len(clause.split()) >= 2]:
            sentences.append(clauses)
    return sentences


@lru_cache(maxsize=1)
def _english() -> SpellChecker:
    return SpellChecker(language="en", distance=1)


def is_english_word(word: str) -> bool:
    """Whether a dictionary knows the word, so it is not taken for a typo ("charge" is not
    a misspelt "change"). The dictionary is loaded on first use only."""
    return word in _english()


def english_frequency(word: str) -> int:
    """How often the dictionary's corpus uses the word (0 if it does not know it)."""
    return _english().word_frequency[word]


def english_spelling(word: str) -> str | None:
    """The dictionary's likeliest word one slip away ("runing" -> "running"), if any."""
    return _english().correction(word)
