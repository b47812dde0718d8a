"""Sentence vectors from all-MiniLM-L6-v2, computed with numpy alone.

A contextual encoder reads "how do I freeze my card" as one request rather than four
words, which a word-vector average cannot: on CLINC150 with ten phrasings a fact it lifts
the questions answered right from 70 to 80 %, with fewer wrong answers (docs/matching.md).

The model is a 6-layer BERT (hidden size 384, 12 heads); its sentence vector is the mean of
its last hidden states over the text's tokens, unit length, as sentence-transformers pools
it. The weights ship inside the package as int8 with a scale per output column
(``scripts/build_sentence_encoder.py``), are widened once per process, and nothing is
downloaded. The tokenizer is BERT's uncased one: accents stripped, punctuation split off,
then WordPiece. No torch, no onnxruntime: a question takes 5-12 ms on this project's 2-core machine.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import unicodedata
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

import numpy as np

from bot.cache_files import written_whole

LAYERS, HEADS, WIDTH = 6, 12, 384
MAX_TOKENS = 64
"""Longer texts are cut: a question is far shorter, and attention grows as its square."""
MAX_WORD = 100
"""A longer word is one unknown token, as in BERT's WordPiece."""
FOLDER = "sentence_encoder"
SMALL_TALK = Path(str(resources.files("bot.matcher"))) / FOLDER / "small_talk.npz"
"""The vectors of the small talk every matcher learns, worked out ahead."""
WEIGHTS = ("words.npy", "word_scale.npy", "small.npz", "qkv.npy", "out.npy", "up.npy", "down.npy")

log = logging.getLogger(__name__)


@cache
def vocabulary() -> dict[str, int]:
    """The model's word pieces ("card", "##s", "[CLS]"), each with its row."""
    pieces = (resources.files("bot.matcher") / FOLDER / "vocab.txt").read_text("utf-8")
    names = pieces.split()
    return dict(zip(names, range(len(names)), strict=True))


@cache
def english_words() -> frozenset[str]:
    """Words of English as the model knew them: the word pieces that are whole words of
    letters ("garage", "card", "decrease"). About 22,000, names included."""
    return frozenset(p for p in vocabulary() if p.isalpha())


def word_pieces(word: str, pieces: dict[str, int]) -> list[int]:
    """WordPiece, greedy longest match first, as BERT splits a word; [] if it cannot."""
    found, start = [], 0
    while start < len(word):
        end = len(word)
        while end > start:
            piece = word[start:end] if start == 0 else "##" + word[start:end]
            if piece in pieces:
                found.append(pieces[piece])
                break
            end -= 1
        else:
            return []
        start = end
    return found


def _part(name: str) -> np.ndarray:
    with resources.as_file(resources.files("bot.matcher") / FOLDER / name) as path:
        return np.load(path, mmap_mode="r")


def _splits_off(char: str) -> bool:
    """Punctuation (BERT counts every ASCII non-alphanumeric symbol) and CJK ideographs
    are tokens of their own."""
    code = ord(char)
    if 33 <= code <= 47 or 58 <= code <= 64 or 91 <= code <= 96 or 123 <= code <= 126:
        return True
    return unicodedata.category(char).startswith("P") or 0x4E00 <= code <= 0x9FFF


def basic_tokens(text: str) -> list[str]:
    """BERT's uncased basic tokenizer: lower case, no accents, punctuation split off."""
    text = "".join(
        " " if c.isspace() else c for c in text if c.isspace() or unicodedata.category(c)[0] != "C"
    )
    text = unicodedata.normalize("NFD", text.lower())
    text = "".join(c for c in text if unicodedata.category(c) != "Mn")
    tokens: list[str] = []
    for word in text.split():
        current = ""
        for char in word:
            if _splits_off(char):
                tokens += [current, char] if current else [char]
                current = ""
            else:
                current += char
        if current:
            tokens.append(current)
    return tokens


def _erf(x: np.ndarray) -> np.ndarray:
    """The error function to 1.5e-7 (Abramowitz & Stegun 7.1.26): scipy.special would
    add a fifth to the start-up of ``factbot ask`` for this one function."""
    sign = np.sign(x)
    x = np.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * x)
    poly = t * (
        0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))
    )
    return sign * (1.0 - poly * np.exp(-x * x))


def _norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    variance = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(variance + 1e-12) * weight + bias


@dataclass(frozen=True)
class _Layer:
    """One transformer layer, its matrices laid out for ``x @ W``."""

    qkv: np.ndarray
    """Query, key and value side by side: one product instead of three."""
    out: np.ndarray
    up: np.ndarray
    down: np.ndarray
    biases: dict[str, np.ndarray]


_WIDENED = threading.Lock()
"""Fitting threads and the event loop may both ask for the encoder first."""


class SentenceEncoder:
    """all-MiniLM-L6-v2: texts in, unit-length 384-dimensional vectors out."""

    def __init__(self, folder: Path | None = None) -> None:
        self.vocab = vocabulary()
        self.unknown, self.start, self.end = (self.vocab[t] for t in ("[UNK]", "[CLS]", "[SEP]"))
        # Word vectors stay int8 and mapped: a text needs a few dozen of 30,522 rows.
        self.words, self.word_scale = _part("words.npy"), _part("word_scale.npy")
        small = np.load(resources.files("bot.matcher") / FOLDER / "small.npz")
        self.small = {name: small[name] for name in small.files}
        biases = {
            name.removeprefix("layer_"): values
            for name, values in self.small.items()
            if name.startswith("layer_")
        }
        widened = _widened(self.small, folder)
        self.layers = [
            _Layer(
                *(widened[kind][i] for kind in _KINDS),
                biases={name: values[i] for name, values in biases.items()},
            )
            for i in range(LAYERS)
        ]

    def token_ids(self, text: str) -> list[int]:
        """[CLS], the text's word pieces, [SEP]: as BERT's uncased tokenizer gives them."""
        ids = [self.start]
        for token in basic_tokens(text):
            found = word_pieces(token, self.vocab) if len(token) <= MAX_WORD else []
            ids += found or [self.unknown]
        return [*ids[: MAX_TOKENS - 1], self.end]

    def _forward(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        batch, length = ids.shape
        small = self.small
        embedded = self.words[ids].astype(np.float32) * self.word_scale[ids][..., None]
        x = embedded + small["positions"][:length] + small["token_type"]
        x = _norm(x, small["norm_weight"], small["norm_bias"])
        padding = ((mask - 1.0) * 1e9)[:, None, None, :]
        scale = np.float32(1 / np.sqrt(WIDTH // HEADS))
        for layer in self.layers:
            b = layer.biases
            qkv = (x @ layer.qkv + b["qkv"]).reshape(batch, length, 3, HEADS, -1)
            q, k, v = qkv.transpose(2, 0, 3, 1, 4)
            scores = q @ k.transpose(0, 1, 3, 2) * scale + padding
            scores = np.exp(scores - scores.max(-1, keepdims=True))
            scores /= scores.sum(-1, keepdims=True)
            attended = (scores @ v).transpose(0, 2, 1, 3).reshape(batch, length, WIDTH)
            x = _norm(x + attended @ layer.out + b["out"], b["norm1_weight"], b["norm1_bias"])
            h = x @ layer.up + b["up"]
            h = 0.5 * h * (1.0 + _erf(h * np.float32(1 / np.sqrt(2.0))))  # exact GELU
            x = _norm(x + h @ layer.down + b["down"], b["norm2_weight"], b["norm2_bias"])
        pooled = (x * mask[:, :, None]).sum(1) / mask.sum(1, keepdims=True)
        return pooled / np.linalg.norm(pooled, axis=1, keepdims=True)

    def encode(self, texts: Sequence[str], batch: int = 64) -> np.ndarray:
        """One unit-length row per text (float32). Texts of about one length are batched
        together, so that little of a batch is padding."""
        if not texts:
            return np.zeros((0, WIDTH), np.float32)
        ids = [self.token_ids(t) for t in texts]
        order = np.argsort([len(i) for i in ids], kind="stable")
        vectors = np.zeros((len(texts), WIDTH), np.float32)
        for first in range(0, len(order), batch):
            rows = order[first : first + batch]
            length = max(len(ids[r]) for r in rows)
            padded = np.zeros((len(rows), length), np.int64)
            mask = np.zeros((len(rows), length), np.float32)
            for n, r in enumerate(rows):
                padded[n, : len(ids[r])], mask[n, : len(ids[r])] = ids[r], 1.0
            vectors[rows] = self._forward(padded, mask)
        return vectors


def encoded(texts: Sequence[str]) -> np.ndarray:
    """Texts' vectors, the last few thousand remembered: a question is often read more
    than once (asked, then explained, or asked again), and a phrasing is encoded as it is
    added (:func:`remember`), before the matcher learns it."""
    found = _recalled(texts)
    todo = list(dict.fromkeys(t for t in texts if t not in found))
    if todo:
        # Copied row by row: a remembered vector must not keep its whole batch alive.
        fresh = {t: row.copy() for t, row in zip(todo, encoder().encode(todo), strict=True)}
        with _REMEMBERED_LOCK:
            for text, vector in fresh.items():
                vector.flags.writeable = False  # shared by everyone who reads it
                _REMEMBERED[text] = vector
            while len(_REMEMBERED) > REMEMBERED:
                _REMEMBERED.popitem(last=False)
        found.update(fresh)
    if not texts:
        return np.zeros((0, WIDTH), np.float32)
    return np.stack([found[t] for t in texts])


def _recalled(texts: Sequence[str]) -> dict[str, np.ndarray]:
    """The remembered vectors of these texts, each now the most recently read."""
    with _REMEMBERED_LOCK:
        found = {t: _REMEMBERED[t] for t in texts if t in _REMEMBERED}
        for text in found:
            _REMEMBERED.move_to_end(text)
    return found


def remember(texts: Sequence[str]) -> None:
    """Encode texts about to be learned now, so that learning them later finds them."""
    encoded(texts)


REMEMBERED = 4096
"""Texts whose vectors :func:`encoded` keeps (6 MB), the least recently read dropped first."""
_REMEMBERED: OrderedDict[str, np.ndarray] = OrderedDict()
_REMEMBERED_LOCK = threading.Lock()
"""The event loop reads questions while a worker thread encodes new phrasings."""


def encode_many(texts: Sequence[str]) -> np.ndarray:
    """:meth:`SentenceEncoder.encode` for a fit's thousands of texts: those a knowledge
    pack shipped vectors for (:func:`known_ahead`), and those remembered (:func:`encoded`),
    are looked up, not encoded again (the shipped pack's 8,000 examples take a minute to
    encode on one core)."""
    known = _worked_out_ahead(texts)
    todo = list(dict.fromkeys(t for t in texts if t not in known))
    found = _recalled(todo)  # a phrasing encoded as it was added, say
    todo = [t for t in todo if t not in found]
    found.update(zip(todo, encoder().encode(todo), strict=True))
    vectors = np.zeros((len(texts), WIDTH), np.float32)
    for row, text in enumerate(texts):
        vectors[row] = found[text] if text in found else known[text]
    return vectors


_AHEAD: list[Path] = [SMALL_TALK] if SMALL_TALK.exists() else []
"""Files of vectors worked out ahead that :func:`encode_many` has not read yet."""
_KNOWN: dict[str, np.ndarray] = {}
_AHEAD_LOCK = threading.Lock()


def known_ahead(path: Path) -> None:
    """Vectors a knowledge pack ships for its own texts (``scripts/encode_ahead.py``), read
    on the first fit, not now: answering one question never needs them."""
    with _AHEAD_LOCK:
        if path not in _AHEAD:
            _AHEAD.append(path)


def _worked_out_ahead(texts: Sequence[str]) -> dict[str, np.ndarray]:
    """The vectors known ahead, read from the files in the order they were named until
    every text is known: a team's small fit needs the small talk's, not the pack's 5 MB."""
    with _AHEAD_LOCK:
        while _AHEAD and any(text not in _KNOWN for text in texts):
            path = _AHEAD.pop(0)
            try:
                with np.load(path) as stored:
                    if str(stored["encoder"]) != weights_digest():
                        log.warning("%s was encoded by other weights: not used", path)
                        continue
                    _KNOWN.update(zip(stored["texts"].tolist(), stored["vectors"], strict=True))
            except (OSError, ValueError, KeyError) as error:
                log.warning("cannot read %s (%s): encoding its texts instead", path, error)
        return _KNOWN


@cache
def weights_digest() -> str:
    """Names the shipped weights: vectors encoded by others are of no use."""
    digest = hashlib.sha256()
    for name in WEIGHTS:
        digest.update((resources.files("bot.matcher") / FOLDER / name).read_bytes())
    return digest.hexdigest()[:16]


_FOLDER: list[Path] = []
"""Where the process keeps its widened weights, if it was told before it loaded them
(:func:`load_soon`)."""


@cache
def _shared() -> SentenceEncoder:
    return SentenceEncoder(_FOLDER[0] if _FOLDER else None)


def encoder() -> SentenceEncoder:
    """The process's one encoder, loaded on first use (about 10 ms with its weights kept
    widened in the cache folder, 30 ms widening them)."""
    with _WIDENED:
        return _shared()


def load_soon(folder: Path | None = None) -> None:
    """Start loading the encoder in a thread of its own, its widened weights kept in (or
    read from) ``folder``: it overlaps with opening the database and the matcher, and the
    first question waits less for it."""
    if folder is not None and not _FOLDER:
        _FOLDER.append(folder)
    threading.Thread(target=encoder, name="factbot-encoder", daemon=True).start()


_KINDS = ("qkv", "out", "up", "down")
WIDENED_FORMAT = "factbot-encoder-1"
"""How the widened weights are kept: one float32 array, each layer's matrices in turn."""


def _widened(small: dict[str, np.ndarray], folder: Path | None) -> dict[str, list[np.ndarray]]:
    """Each kind of layer matrix, float32, one per layer. Widening the 10.6 million int8
    weights is most of loading the encoder (20 of 30 ms, on the critical path of `factbot
    ask`), so they are widened once and kept in the cache folder (42 MB), then mapped:
    a later start reads them in under a millisecond."""
    stacked = {kind: _part(f"{kind}.npy") for kind in _KINDS}
    shapes = [(kind, stacked[kind].shape[1:]) for _ in range(LAYERS) for kind in _KINDS]
    size = sum(rows * columns for _, (rows, columns) in shapes)
    path = None if folder is None else folder / f"{WIDENED_FORMAT}-{_shipped_key()}.npy"
    flat = _read_widened(path, size)
    widen = flat is None
    if flat is None:
        flat = np.empty(size, np.float32)
    layers: dict[str, list[np.ndarray]] = {kind: [] for kind in _KINDS}
    start = 0
    for kind, (rows, columns) in shapes:
        matrix = flat[start : start + rows * columns].reshape(rows, columns)
        if widen:
            i = len(layers[kind])
            np.multiply(stacked[kind][i], small[f"{kind}_scale"][i], out=matrix)
        layers[kind].append(matrix)
        start += rows * columns
    if widen and path is not None:
        _keep_widened(path, flat)
    return layers


def _shipped_key() -> str:
    """Names the shipped weights cheaply (sizes and times, not 22 MB of contents): a new
    install is widened again."""
    key = hashlib.sha256()
    for name in WEIGHTS:
        with resources.as_file(resources.files("bot.matcher") / FOLDER / name) as path:
            stat = path.stat()
        key.update(f"{name} {stat.st_size} {stat.st_mtime_ns};".encode())
    return key.hexdigest()[:16]


def _read_widened(path: Path | None, size: int) -> np.ndarray | None:
    if path is None:
        return None
    try:
        flat = np.load(path, mmap_mode="r")
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as error:
        log.warning("cannot read %s (%s): widening the weights again", path, error)
        return None
    return flat if flat.shape == (size,) and flat.dtype == np.float32 else None


def _keep_widened(path: Path, flat: np.ndarray) -> None:
    """Keep the widened weights at ``path`` and remove those of weights installed before
    (a process still using them keeps its mapping)."""
    try:
        with written_whole(path) as partial, partial.open("wb") as f:
            np.save(f, flat)
    except OSError as error:
        log.warning("cannot keep the widened weights in %s (%s)", path.parent, error)
        return
    for other in path.parent.glob(f"{WIDENED_FORMAT}-*.npy"):
        if other != path:
            other.unlink(missing_ok=True)
