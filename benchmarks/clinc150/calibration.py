"""Fit ``NEW_QUESTIONS``, ``ONE_PHRASING`` and ``ONE_PHRASING_SHORTFALL``
(bot/matcher/model.py), and the retrieval
matcher's ``ONE_PHRASING`` (bot/matcher/retrieval.py): how the chance a matcher learns
from a knowledge base's own phrasings maps to how often new questions are answered right,
and how a fact's score does where there are too few phrasings to learn it.

For 5, 10, 30 and 100 phrasings per intent, the matcher is fitted on what the bench's
moderator path would store (as ``embedding_bound.py`` does), with the mapping switched off,
and asked CLINC150's val questions (in scope and out of scope). A logistic regression on
the log-odds of each best fact's chance, pooled over the four sizes, says how often such an
answer is right; then, that map held, the weight of how much less like that fact's nearest
example the question is than the phrasings are to each other (``Chances.shortfall``): the
one with which the bench's cut-off rule does best on val.

For knowledge bases too thin to cross-validate, 8, 30, 75 and 150 intents (drawn twice) get
one phrasing each and no out-of-scope questions but the small talk every matcher learns;
a logistic regression on each val question's best score says how often it is right;
then the likeness bar and weight with which answering at 50 % serves val best. Out
of scope there are val's out-of-scope questions and up to 300 val questions of the intents
not drawn.

The retrieval matcher (past 400 facts) gets the same at one phrasing a fact, from its
three readings of the best fact (score, lead over the next fact, lead over the nearest
out-of-scope question), on CLINC150's own intents and on knowledge bases of 1,000 and
3,000 facts made as ``factbot bench scale`` makes them, from train and val.

In every fit out-of-scope questions weigh as much as they do in CLINC150's test split
(1,000 of 5,500; val has 100 of 3,100): how often an answer is right depends on how many
questions have no right answer at all.

Test is never read. Prints the fitted pairs and, per size, what answering at 50 % gives
before and after::

    python benchmarks/clinc150/calibration.py
"""

from __future__ import annotations

import argparse
import random

import numpy as np
from embedding_bound import examples, remembered
from sklearn.linear_model import LogisticRegression

from bot import bench, bench_scale
from bot.matcher import model, retrieval
from bot.matcher.matcher import Example, Matcher
from bot.matcher.retrieval import RetrievalMatcher
from bot.training import small_talk

SHOTS = (5, 10, 30, 100)
INTENTS = (8, 30, 75, 150)
OUT_OF_SCOPE_SHARE = 1000 / 5500


def log_odds(percent: np.ndarray) -> np.ndarray:
    p = np.clip(percent / 100, 1e-4, 1 - 1e-4)
    return np.log(p / (1 - p))


def at_half(chance: np.ndarray, right: np.ndarray, in_scope: np.ndarray) -> str:
    answered = chance >= 50
    return (
        f"{100 * (answered & right).sum() / in_scope.sum():.1f} % right, "
        f"{100 * (answered & ~right & in_scope).sum() / in_scope.sum():.1f} % wrong, "
        f"{100 * (~answered & ~in_scope).sum() / (~in_scope).sum():.1f} % out of scope "
        f"abstained; answered at {chance[answered].mean():.1f} % on average, "
        f"right {100 * right[answered].mean():.1f} %"
    )


def best_utility(logits: np.ndarray, right: np.ndarray, in_scope: np.ndarray) -> float:
    """The bench's utility on these questions at the cut-off that serves it best
    (``bench._tuned``): in-scope answered right less answered wrong, plus out-of-scope
    abstained on, in percent."""
    best = -np.inf
    for cut in np.unique(logits):
        answered = logits >= cut
        best = max(
            best,
            100 * (answered & right)[in_scope].mean()
            - 100 * (answered & ~right)[in_scope].mean()
            + 100 * (~answered)[~in_scope].mean(),
        )
    return float(best)


def weighed(in_scope: np.ndarray) -> np.ndarray:
    """Weights that give out-of-scope questions their share of the test split."""
    share = np.where(in_scope, 1 - OUT_OF_SCOPE_SHARE, OUT_OF_SCOPE_SHARE)
    return share / np.where(in_scope, in_scope.sum(), (~in_scope).sum())


def one_phrasing(data: dict[str, list[list[str]]]) -> None:
    found = []  # per knowledge base: (its facts, best scores, right, in scope, likeness)
    model.ONE_PHRASING_SHORTFALL = (0.0, 0.0)  # facts ranked by their score alone
    for seed in (0, 1):
        shots = bench.shots(data, 1, seed=seed)
        for n in INTENTS:
            drawn = set(random.Random(seed).sample(sorted(shots), n))
            taught = [Example(shots[i][0], bench.fact_id(i)) for i in sorted(drawn)]
            taught += [  # as the bench's moderator path gives them
                Example(bench.neutral_answer(number), bench.fact_id(i), answer=True)
                for number, i in enumerate(sorted(drawn), start=1)
            ]
            matcher = Matcher().fit(taught + [Example(q, model.NONE) for q in small_talk()])
            asked = [(t, i) for t, i in data["val"] if i in drawn] + data["oos_val"]
            asked += [(t, "oos") for t, i in data["val"] if i not in drawn][:300]
            read = [matcher.read(t) for t, _ in asked]
            best = [r[0] for r in matcher.rank(read, limit=1)]
            right = [c.fact_id == bench.fact_id(i) for c, (_, i) in zip(best, asked, strict=True)]
            in_scope = np.array([i != "oos" for _, i in asked])
            scores = np.array([c.score for c in best])
            likeness = np.array([c.likeness for c in best])
            name = f"{n} facts (draw {seed + 1})"
            found.append((name, scores, np.array(right), in_scope, likeness))
    weights = [weighed(in_scope) for *_, in_scope, _ in found]
    x = np.concatenate([scores for _, scores, *_ in found])
    y = np.concatenate([right for _, _, right, *_ in found])
    fitted = LogisticRegression(C=100.0).fit(x[:, None], y, sample_weight=np.concatenate(weights))
    slope, intercept = float(fitted.coef_[0, 0]), float(fitted.intercept_[0])
    print(f"ONE_PHRASING = ({slope:.3f}, {intercept:.3f})")

    def logits(scores: np.ndarray, likeness: np.ndarray, bar: float, weight: float):
        return slope * scores + intercept + weight * np.minimum(likeness - bar, 0.0)

    # Then, that map held, the likeness bar and the shortfall's weight: the pair with which
    # answering at 50 % (what a server gets out of the box) serves val best, summed over
    # the knowledge bases. Picked at the bench's tuned cut-off instead, the sum kept rising
    # until the likeness alone decided (bar 0.6 and up, weight 30 and up), and at 50 % the
    # chances fell far under how often answers were right.
    def at_50(bar: float, weight: float) -> float:
        total = 0.0
        for _, scores, right, in_scope, likeness in found:
            answered = logits(scores, likeness, bar, weight) >= 0
            total += (
                100 * (answered & right)[in_scope].mean()
                - 100 * (answered & ~right)[in_scope].mean()
                + 100 * (~answered)[~in_scope].mean()
            )
        return total

    utilities = {
        (round(float(bar), 2), float(weight)): at_50(bar, weight)
        for bar in np.arange(0.30, 0.651, 0.05)
        for weight in np.arange(0.0, 30.01, 1.0)
    }
    best = max(utilities.values())
    bar, weight = min(
        (pair for pair, u in utilities.items() if u >= best - bench.NOISE), key=lambda p: p[1]
    )
    print(f"  val utility at 50 %, summed: score alone {at_50(0.0, 0.0):.1f}, with {best:.1f}")
    print(f"ONE_PHRASING_SHORTFALL = ({bar:.2f}, {weight:.1f})")
    for name, scores, right, in_scope, likeness in found:
        for label, pair in (("score alone", (0.0, 0.0)), ("with likeness", (bar, weight))):
            chance = 100 / (1 + np.exp(-logits(scores, likeness, *pair)))
            print(
                f"  {name}, one phrasing each, {label}, at 50 %: {at_half(chance, right, in_scope)}"
            )


def retrieval_one_phrasing(data: dict[str, list[list[str]]]) -> None:
    """The retrieval matcher's (past 400 facts) ``ONE_PHRASING``: on CLINC150's own intents
    (75 and 150) and on knowledge bases made as ``factbot bench scale`` makes them (1,000
    and 3,000 facts, many sharing an intent), from train and val only, one phrasing a
    fact, twice each. Each is weighed alike, its out-of-scope questions as in the test
    split."""
    found = []  # per knowledge base: (its name, features, right, in scope)

    def asked(
        matcher: RetrievalMatcher, questions: list[tuple[str, str | None]], seed: int
    ) -> None:
        x, right = [], []
        for question, fact in questions:
            evidence = matcher.evidence(matcher.read(question))
            x.append(evidence[1] if evidence else np.zeros(3, np.float32))
            right.append(evidence is not None and evidence[0] == fact)
        in_scope = np.array([fact is not None for _, fact in questions])
        name = f"{len(matcher.facts_)} facts (draw {seed + 1})"
        found.append((name, np.array(x), np.array(right), in_scope))

    small = [Example(q, model.NONE) for q in small_talk()]
    for seed in (0, 1):
        shots = bench.shots(data, 1, seed=seed)
        for n in (75, 150):
            drawn = set(random.Random(seed).sample(sorted(shots), n))
            taught = [Example(shots[i][0], bench.fact_id(i)) for i in sorted(drawn)]
            questions = [(t, bench.fact_id(i) if i in drawn else None) for t, i in data["val"]]
            questions += [(t, None) for t, _ in data["oos_val"]]
            asked(RetrievalMatcher().fit(taught + small), questions, seed)
        as_test = {**data, "test": data["val"], "oos_test": data["oos_val"]}
        for n in (1000, 3000):
            kb = bench_scale.knowledge(n, as_test, seed=seed, phrasings=1)
            taught = [Example(q, fact) for fact, qs in kb.facts.items() for q in qs]
            asked(RetrievalMatcher().fit(taught + small), kb.questions, seed)
    weights = np.concatenate([weighed(in_scope) for *_, in_scope in found])
    x = np.concatenate([features for _, features, _, _ in found])
    y = np.concatenate([right for _, _, right, _ in found])
    fitted = LogisticRegression(C=100.0).fit(x, y, sample_weight=weights)
    slope, intercept = fitted.coef_[0], float(fitted.intercept_[0])
    print(f"retrieval.ONE_PHRASING = ({[round(float(v), 3) for v in slope]}, {intercept:.3f})")
    for name, features, right, in_scope in found:
        for label, (w, b) in (("shipped", retrieval.ONE_PHRASING), ("fitted", (slope, intercept))):
            chance = 100 / (1 + np.exp(-(features @ w + b)))
            print(f"  {name}, one phrasing each, {label}: {at_half(chance, right, in_scope)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--matcher", choices=["both", "learned", "retrieval"], default="both", help="fit whose"
    )
    args = parser.parse_args()
    data = bench.load()
    if args.matcher != "learned":
        retrieval_one_phrasing(data)
    if args.matcher == "retrieval":
        return
    remembered()
    one_phrasing(data)
    model.NEW_QUESTIONS = (1.0, 0.0, 0.0)  # the chance as the phrasings alone would have it
    val = [(t, i) for t, i in data["val"] + data["oos_val"]]
    in_scope = np.array([i != "oos" for _, i in val])
    found = {}
    for k in SHOTS:
        chance, right, shortfall = asked(Matcher().fit(examples(data, k)), val)
        found[k] = np.stack([log_odds(chance), shortfall], axis=1), right
    x = np.concatenate([x for x, _ in found.values()])
    y = np.concatenate([r for _, r in found.values()])
    weights = np.concatenate([weighed(in_scope) for _ in found])
    fitted = LogisticRegression(C=100.0).fit(x[:, :1], y, sample_weight=weights)
    slope, intercept = float(fitted.coef_[0, 0]), float(fitted.intercept_[0])
    # Then the shortfall's weight, the map above held: a question as like its fact's
    # phrasings as they are to each other keeps the chance it had without the likeness.
    # Fitted freely, the three together put 60 % where the map says 26 % and let the
    # shortfall pull out-of-scope questions down: right on CLINC150, whose out-of-scope
    # questions are unlike every phrasing, but the shipped article's traps ("did meta buy
    # all of scale") and a Russian FAQ read by an English encoder fall short of nothing.
    # The weight is one that serves val best as the bench tunes a cut-off (its utility,
    # summed over the sizes): fitted to the log-loss it came out at 1.6, which keeps the
    # chances calibrated but hardly reorders them.
    base = {k: slope * x[:, 0] + intercept for k, (x, _) in found.items()}
    utilities = {
        weight: sum(
            best_utility(base[k] + weight * x[:, 1], right, in_scope)
            for k, (x, right) in found.items()
        )
        for weight in np.arange(0.0, 30.01, 1.0)
    }
    for weight, utility in utilities.items():
        print(f"  shortfall weight {weight:4.1f}: val utility summed over K {utility:.1f}")
    # The plateau is wide (12 to 22 within a point on 2026-12-06): the smallest weight
    # within the bench's noise of the best, as the bench picks the most cautious cut-off.
    best = max(utilities.values())
    likeness = float(min(w for w, u in utilities.items() if u >= best - bench.NOISE))
    coef = np.array([slope, likeness])
    print(f"NEW_QUESTIONS = ({slope:.3f}, {likeness:.3f}, {intercept:.3f})")
    for k, (x, right) in found.items():
        chance = 100 / (1 + np.exp(-x[:, 0]))
        mapped = 100 / (1 + np.exp(-(x @ coef + intercept)))
        print(f"K = {k}, CLINC150 val, answering at 50 %:")
        print(f"  phrasings' chance: {at_half(chance, right, in_scope)}")
        print(f"  mapped:            {at_half(mapped, right, in_scope)}")


def asked(
    matcher: Matcher, questions: list[tuple[str, str]]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each question's best fact's chance (%), whether that fact is right, and how much
    less like that fact's nearest example it is than the knowledge base's phrasings are
    to their own fact's (:meth:`Chances.shortfall`)."""
    read = [matcher.read(t) for t, _ in questions]
    best = [r[0] for r in matcher.rank(read, limit=1)]
    likeness = matcher.likeness(matcher.featurizer_.transform(read).embedded)
    assert likeness is not None, "the calibration is of a matcher that reads meaning"
    columns = np.searchsorted(matcher.classes_, [c.fact_id for c in best])
    right = [c.fact_id == bench.fact_id(i) for c, (_, i) in zip(best, questions, strict=True)]
    return (
        np.array([100 * c.chance for c in best]),
        np.array(right),
        matcher.chances_.shortfall(likeness[np.arange(len(best)), columns]),
    )


if __name__ == "__main__":
    main()
