"""`factbot bench scale`: FactBot on knowledge bases of thousands of facts, beside a plain
anchor (BM25 candidates over every phrasing, the top 50 re-ranked with rapidfuzz), on the
same data, on the same machine, in the same run.

The knowledge is synthetic but worded by people: fact *j* is CLINC150 intent ``j % 150``
about one made-up name ("kalomi"), with 5 of that intent's train utterances as its
phrasings ("what's my balance for kalomi"). A question is a test utterance of the intent
about the name; out-of-scope questions are CLINC150's. Many facts share an intent, so
the name is what tells them apart, as product or team names do in a real handbook.
"""

from __future__ import annotations

import csv
import math
import random
import resource
import statistics
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from rapidfuzz import fuzz, utils
from scipy import sparse

from bot import bench, bulk
from bot.engine import Engine
from bot.matcher.text import words

GUILD = 4242
PHRASINGS = 5
QUESTIONS = 400
SYLLABLES = [c + v for c in "bdfgklmnprstvz" for v in "aeiou"]
TEMPLATES = ("{u} for {e}", "{e}: {u}", "{u} ({e})", "about {e}, {u}", "{u}, {e}")


@dataclass(frozen=True)
class Knowledge:
    facts: dict[str, list[str]]
    """fact id -> its phrasings"""
    questions: list[tuple[str, str | None]]
    """(question, the fact that answers it, or None)"""


def names(n: int, rng: random.Random) -> list[str]:
    made: set[str] = set()
    while len(made) < n:
        made.add("".join(rng.choice(SYLLABLES) for _ in range(3)))
    return sorted(made)


def knowledge(n: int, data: dict[str, list[list[str]]], seed: int = 0) -> Knowledge:
    rng = random.Random(seed)
    train: dict[str, list[str]] = {}
    test: dict[str, list[str]] = {}
    for text, intent in data["train"]:
        train.setdefault(intent, []).append(text)
    for text, intent in data["test"]:
        test.setdefault(intent, []).append(text)
    intents = sorted(train)
    facts: dict[str, list[str]] = {}
    about: dict[str, tuple[str, str]] = {}
    for j, name in enumerate(names(n, rng)):
        intent = intents[j % len(intents)]
        fact_id = f"{bench.fact_id(intent)}-{name}"
        picked = rng.sample(train[intent], PHRASINGS)
        facts[fact_id] = [rng.choice(TEMPLATES).format(u=u.rstrip("?"), e=name) for u in picked]
        about[fact_id] = (intent, name)
    asked = rng.sample(sorted(facts), min(QUESTIONS, len(facts)))
    questions: list[tuple[str, str | None]] = []
    for fact_id in asked:
        intent, name = about[fact_id]
        questions.append((f"{rng.choice(test[intent]).rstrip('?')} for {name}", fact_id))
    oos = [text for text, _ in data["oos_test"]]
    questions += [(q, None) for q in rng.sample(oos, QUESTIONS // 4)]
    return Knowledge(facts, questions)


def write_csv(kb: Knowledge, path: Path) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        out = csv.writer(f)
        out.writerow(bulk.HEADER)
        for fact_id, phrasings in kb.facts.items():
            for i, phrasing in enumerate(phrasings):
                out.writerow([fact_id, phrasing, f"The answer about {fact_id}." if i == 0 else ""])


# -- the anchor --------------------------------------------------------------------------


class Anchor:
    """BM25 (k1 1.2, b 0.75) over every phrasing's words; the 50 best phrasings re-ranked
    by rapidfuzz token-sort ratio; the best one's fact, if it scores at least ``cut``."""

    def __init__(self, facts: dict[str, list[str]], cut: float = 60.0) -> None:
        self.texts = [utils.default_process(p) for ps in facts.values() for p in ps]
        self.owners = [f for f, ps in facts.items() for _ in ps]
        self.cut = cut
        counted = [Counter(words(t)) for t in self.texts]
        vocabulary: dict[str, int] = {}
        rows, cols, tf = [], [], []
        for row, counts in enumerate(counted):
            for word, count in counts.items():
                rows.append(row)
                cols.append(vocabulary.setdefault(word, len(vocabulary)))
                tf.append(count)
        lengths = np.array([sum(c.values()) for c in counted], dtype=np.float64)
        tf_array = np.array(tf, dtype=np.float64)
        k1, b = 1.2, 0.75
        norm = k1 * (1 - b + b * lengths[rows] / lengths.mean())
        df = np.bincount(cols, minlength=len(vocabulary))
        idf = np.log(1 + (len(counted) - df + 0.5) / (df + 0.5))
        weights = idf[cols] * tf_array * (k1 + 1) / (tf_array + norm)
        self.vocabulary = vocabulary
        # Words by row: a question's scores are the sum of its words' columns.
        self.by_word = sparse.csc_matrix(
            (weights, (rows, cols)), shape=(len(counted), len(vocabulary))
        )

    def ask(self, question: str) -> tuple[str | None, str | None]:
        """The fact it answers with (None: it abstains), and the fact it ranks first."""
        processed = utils.default_process(question)
        columns = [self.vocabulary[w] for w in set(words(processed)) if w in self.vocabulary]
        if not columns:
            return None, None
        scores = np.asarray(self.by_word[:, columns].sum(axis=1)).ravel()
        top = np.argpartition(-scores, min(50, len(scores) - 1))[:50]
        best = max(top, key=lambda i: fuzz.token_sort_ratio(processed, self.texts[i]))
        if fuzz.token_sort_ratio(processed, self.texts[best]) < self.cut:
            return None, self.owners[best]
        return self.owners[best], self.owners[best]


# -- measuring ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Measured:
    name: str
    facts: int
    right: float
    """In-scope questions answered with the right fact (%)."""
    first: float
    """In-scope questions whose right fact is ranked first, answered or not (%)."""
    abstained: float
    """Out-of-scope questions not answered (%)."""
    p50_ms: float
    p99_ms: float
    build_seconds: float
    open_seconds: float = math.nan
    add_ms: float = math.nan
    edit_ms: float = math.nan
    rss_mib: float = math.nan


Ask = Callable[[str], tuple[str | None, str | None]]


def _timed(ask: Ask, kb: Knowledge) -> tuple[float, float, float, float, float]:
    times, right, first, abstained = [], 0, 0, 0
    for question, expected in kb.questions:
        started = time.perf_counter()
        got, top = ask(question)
        times.append(1000 * (time.perf_counter() - started))
        right += expected is not None and got == expected
        first += expected is not None and top == expected
        abstained += expected is None and got is None
    in_scope = sum(e is not None for _, e in kb.questions)
    out = len(kb.questions) - in_scope
    times.sort()
    p99 = times[min(len(times) - 1, int(0.99 * len(times)))]
    return (
        100 * right / in_scope,
        100 * first / in_scope,
        100 * abstained / max(out, 1),
        statistics.median(times),
        p99,
    )


def _rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def measure_factbot(kb: Knowledge, folder: Path) -> Measured:
    db, cache = folder / "scale.sqlite3", folder / "cache"
    faq = folder / "scale.csv"
    write_csv(kb, faq)
    started = time.perf_counter()
    async with await Engine.open(
        db, cache_dir=cache, shipped_pack=False, answering=False
    ) as engine:
        await engine.curator.switch_shipped_pack(GUILD, False, "bench")
        await engine.curator.import_bundle(GUILD, bulk.read_csv(faq), actor="bench")
        await engine.ready(GUILD)  # learns the whole knowledge base: the first open
    build = time.perf_counter() - started

    started = time.perf_counter()
    async with await Engine.open(db, cache_dir=cache, shipped_pack=False) as engine:
        await engine.ready(GUILD)
        opened = time.perf_counter() - started

        def ask(question: str) -> tuple[str | None, str | None]:
            why = engine.explain(question, GUILD)
            top = why.candidates[0].fact.id if why.candidates else None
            return (why.answer.fact_id if why.answer.answered else None), top

        right, first, abstained, p50, p99 = _timed(ask, kb)
        source = engine.library.sources(GUILD)[0]
        adds, edits = [], []
        for i in range(20):
            started = time.perf_counter()
            await engine.curator.add_fact(
                GUILD,
                question=f"where is room {i} of the annex",
                answer=f"Room {i} is upstairs.",
                cite=f"{source.id}:s1",
                actor="bench",
                fact_id=f"annex-room-{i}",
            )
            adds.append(1000 * (time.perf_counter() - started))
            started = time.perf_counter()
            await engine.curator.edit_fact(
                GUILD, f"annex-room-{i}", actor="bench", answer=f"Room {i} is downstairs."
            )
            edits.append(1000 * (time.perf_counter() - started))
    return Measured(
        "FactBot",
        len(kb.facts),
        right,
        first,
        abstained,
        p50,
        p99,
        build,
        opened,
        statistics.median(adds),
        statistics.median(edits),
        _rss_mib(),
    )


def measure_anchor(kb: Knowledge) -> Measured:
    started = time.perf_counter()
    anchor = Anchor(kb.facts)
    build = time.perf_counter() - started
    right, first, abstained, p50, p99 = _timed(anchor.ask, kb)
    return Measured(
        "BM25 + rapidfuzz anchor", len(kb.facts), right, first, abstained, p50, p99, build
    )


async def run(sizes: Sequence[int], data_path: Path | None = None) -> list[Measured]:
    data = bench.load(data_path)
    results = []
    for n in sizes:
        kb = knowledge(n, data)
        results.append(measure_anchor(kb))
        with tempfile.TemporaryDirectory(prefix="factbot-scale-") as folder:
            results.append(await measure_factbot(kb, Path(folder)))
        print(render(results[-2:]), end="\n\n", flush=True)
    return results


def render(results: Sequence[Measured]) -> str:
    lines = [
        "| facts | method | in-scope right (ranked first) | out-of-scope abstained "
        "| ask p50 / p99 | build | open | add / edit one fact | peak RSS |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for m in results:
        lines.append(
            f"| {m.facts:,} | {m.name} | {m.right:.1f} % ({m.first:.1f} %) | {m.abstained:.1f} % "
            f"| {m.p50_ms:.2f} / {m.p99_ms:.2f} ms | {m.build_seconds:.1f} s "
            f"| {_or_dash(m.open_seconds, '{:.2f} s')} "
            f"| {_or_dash(m.add_ms, '{:.1f}')} / {_or_dash(m.edit_ms, '{:.1f} ms')} "
            f"| {_or_dash(m.rss_mib, '{:.0f} MiB')} |"
        )
    return "\n".join(lines)


def _or_dash(value: float, form: str) -> str:
    return "–" if math.isnan(value) else form.format(value)
