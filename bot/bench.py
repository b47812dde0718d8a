"""``factbot bench clinc150``: answer quality on a public intent data set (CLINC150).

One fact per intent is added through the moderator path (``add_source``, ``add_fact``,
``add_phrasing``) in a guild that has the shipped pack switched off, with K phrasings per
fact from the train split and the train split's out-of-scope questions marked as such.
The answer cut-off is tuned on the val split only; test is reported once, beside a
TF-IDF baseline (character 2-5-grams, cosine to the nearest phrasing, its cut-off tuned on
val the same way) measured in the same run, and the paper's Table 2.
"""

from __future__ import annotations

import json
import random
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path

import numpy as np

from bot.engine import Engine

GUILD = 150
PAPER = [  # Larson et al. 2019, Table 2, "Full", oos-threshold: (in-scope acc, oos recall)
    ("BERT (paper)", 96.2, 52.3),
    ("SVM (paper)", 88.2, 18.0),
    ("Rasa (paper)", 90.9, 31.2),
    ("DialogFlow (paper)", 90.8, 26.7),
]


@dataclass(frozen=True)
class Result:
    name: str
    right: float
    abstained: float
    wrong: int
    build_seconds: float = float("nan")
    p50_ms: float = float("nan")
    p99_ms: float = float("nan")


def load(path: Path | None = None) -> dict[str, list[list[str]]]:
    if path is None:
        packaged = resources.files("bot").joinpath("benchmarks_data/clinc150/data_full.json")
        path = (
            Path(str(packaged))
            if packaged.is_file()
            else Path(__file__).parents[1] / "benchmarks/clinc150/data_full.json"
        )
    data: dict[str, list[list[str]]] = json.loads(Path(path).read_text(encoding="utf-8"))
    return data


def shots(data: dict[str, list[list[str]]], k: int, seed: int = 0) -> dict[str, list[str]]:
    by_intent: dict[str, list[str]] = {}
    for text, intent in data["train"]:
        by_intent.setdefault(intent, []).append(text)
    rng = random.Random(seed)
    return {i: rng.sample(ts, min(k, len(ts))) for i, ts in sorted(by_intent.items())}


def fact_id(intent: str) -> str:
    return intent.replace("_", "-")


Predict = Callable[[str], tuple[str | None, float]]


def _score(items: Sequence[tuple[str, str]], got: Sequence[tuple[str | None, float]], cut: float):
    right = abstained = wrong = ins = oos = 0
    for (_, gold), (fact, confidence) in zip(items, got, strict=True):
        answered = fact is not None and confidence >= cut
        if gold == "oos":
            oos += 1
            abstained += not answered
            wrong += answered
        else:
            ins += 1
            right += answered and fact == fact_id(gold)
            wrong += answered and fact != fact_id(gold)
    return 100 * right / ins, 100 * abstained / oos, wrong


def _tuned(val_items, val_got) -> float:
    """The cut-off that maximises in-scope accuracy plus out-of-scope abstention on val."""
    cuts = sorted({c for _, c in val_got} | {101.0})
    return max(cuts, key=lambda c: sum(_score(val_items, val_got, c)[:2]))


async def build(engine: Engine, train: dict[str, list[str]], oos: Sequence[str]) -> float:
    started = time.perf_counter()
    await engine.curator.switch_shipped_pack(GUILD, False, "bench")
    text = " ".join(f"This is the answer for {i.replace('_', ' ')}." for i in train)
    source = await engine.curator.add_source(
        GUILD, title="CLINC150 answers", text=text, actor="bench"
    )
    for n, (intent, questions) in enumerate(train.items(), start=1):
        fact = await engine.curator.add_fact(
            GUILD,
            question=questions[0],
            answer=f"This is the answer for {intent.replace('_', ' ')}.",
            cite=f"{source.id}:s{n}",
            actor="bench",
            fact_id=fact_id(intent),
        )
        for question in questions[1:]:
            try:
                await engine.curator.add_phrasing(GUILD, fact.id, question, "bench")
            except Exception:  # a phrasing repeated in the data set (case-insensitive)
                continue
    for question in oos:
        try:
            await engine.curator.mark_out_of_scope(GUILD, question, "bench")
        except Exception:
            continue
    await engine.ready(GUILD)
    return time.perf_counter() - started


def _factbot(engine: Engine) -> Predict:
    def predict(question: str) -> tuple[str | None, float]:
        why = engine.explain(question, GUILD)
        best = next((j for j in why.candidates if not j.blocked_by), None)
        return (best.fact.id, best.percent) if best else (None, 0.0)

    return predict


def _tfidf(train: dict[str, list[str]]) -> Predict:
    from sklearn.feature_extraction.text import TfidfVectorizer

    texts = [q for qs in train.values() for q in qs]
    owners = [fact_id(i) for i, qs in train.items() for _ in qs]
    vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True)
    matrix = vectorizer.fit_transform(texts)

    def predict(question: str) -> tuple[str | None, float]:
        similarity = (vectorizer.transform([question]) @ matrix.T).toarray()[0]
        best = int(similarity.argmax())
        return owners[best], 100 * float(similarity[best])

    return predict


async def run(k: int, data_path: Path | None = None) -> list[Result]:
    data = load(data_path)
    train = shots(data, k)
    val = [(t, i) for t, i in data["val"] + data["oos_val"]]
    test = [(t, i) for t, i in data["test"] + data["oos_test"]]
    results = []
    with tempfile.TemporaryDirectory() as folder:
        engine = await Engine.open(Path(folder) / "bench.sqlite3", cache_dir=Path(folder))
        try:
            seconds = await build(engine, train, [t for t, _ in data["oos_train"]])
            predict = _factbot(engine)
            val_got = [predict(q) for q, _ in val]
            cut = _tuned(val, val_got)
            timings, test_got = [], []
            for q, _ in test:
                started = time.perf_counter()
                engine.ask(q, GUILD)
                timings.append(1000 * (time.perf_counter() - started))
                test_got.append(predict(q))
            engine.policy = replace(engine.policy, answer=cut)
            results.append(
                Result(
                    f"FactBot (cut-off {cut:.0f}% from val)",
                    *_score(test, test_got, cut),
                    seconds,
                    float(np.percentile(timings, 50)),
                    float(np.percentile(timings, 99)),
                )
            )
        finally:
            await engine.close()
    baseline = _tfidf(train)
    val_got = [baseline(q) for q, _ in val]
    cut = _tuned(val, val_got)
    results.append(
        Result(
            "TF-IDF char 2-5, nearest phrasing", *_score(test, [baseline(q) for q, _ in test], cut)
        )
    )
    return results


def render(k: int, results: Sequence[Result]) -> str:
    lines = [
        f"CLINC150 test, {k} phrasings per fact (150 facts; 4,500 in-scope, 1,000 out-of-scope)",
        "",
        "| method | in-scope answered right | out-of-scope abstained | wrong answers "
        "| build | ask p50 / p99 |",
        "|---|---|---|---|---|---|",
    ]
    for r in results:
        build = f"{r.build_seconds:.1f} s" if r.build_seconds == r.build_seconds else "–"
        ask = f"{r.p50_ms:.2f} / {r.p99_ms:.2f} ms" if r.p50_ms == r.p50_ms else "–"
        lines.append(
            f"| {r.name} | {r.right:.1f} % | {r.abstained:.1f} % | {r.wrong} | {build} | {ask} |"
        )
    for name, right, abstained in PAPER:
        lines.append(f"| {name}, 100 per intent | {right} % | {abstained} % | – | – | – |")
    return "\n".join(lines)
