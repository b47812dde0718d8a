"""Fit ``NEW_QUESTIONS`` (bot/matcher/model.py): how the chance a matcher learns from a
knowledge base's own phrasings maps to how often new questions are answered right.

For 5, 10, 30 and 100 phrasings per intent, the matcher is fitted on what the bench's
moderator path would store (as ``embedding_bound.py`` does), with the mapping switched off,
and asked CLINC150's val questions (in scope and out of scope). A logistic regression on
the log-odds of each best fact's chance, pooled over the four sizes, says how often such an
answer is right. Test is never read. Prints the fitted pair and, per size, what answering
at 50 % gives before and after::

    python benchmarks/clinc150/calibration.py
"""

from __future__ import annotations

import numpy as np
from embedding_bound import examples, predictions
from sklearn.linear_model import LogisticRegression

from bot import bench
from bot.matcher import model
from bot.matcher.matcher import Matcher

SHOTS = (5, 10, 30, 100)


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


def main() -> None:
    model.NEW_QUESTIONS = (1.0, 0.0)  # the chance as the phrasings alone would have it
    data = bench.load()
    val = [(t, i) for t, i in data["val"] + data["oos_val"]]
    in_scope = np.array([i != "oos" for _, i in val])
    found = {}
    for k in SHOTS:
        got = predictions(Matcher().fit(examples(data, k)), val)
        chance = np.array([c for _, c in got])
        right = np.array([f == bench.fact_id(i) for (f, _), (_, i) in zip(got, val, strict=True)])
        found[k] = chance, right
    x = np.concatenate([log_odds(c) for c, _ in found.values()])
    y = np.concatenate([r for _, r in found.values()])
    fitted = LogisticRegression(C=100.0).fit(x[:, None], y)
    slope, intercept = float(fitted.coef_[0, 0]), float(fitted.intercept_[0])
    print(f"NEW_QUESTIONS = ({slope:.3f}, {intercept:.3f})")
    for k, (chance, right) in found.items():
        mapped = 100 / (1 + np.exp(-(slope * log_odds(chance) + intercept)))
        print(f"K = {k}, CLINC150 val, answering at 50 %:")
        print(f"  phrasings' chance: {at_half(chance, right, in_scope)}")
        print(f"  mapped:            {at_half(mapped, right, in_scope)}")


if __name__ == "__main__":
    main()
