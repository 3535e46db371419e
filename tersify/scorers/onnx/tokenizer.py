"""The model's tokenizer: cased byte-level BPE over whitespace-delimited words, with offsets.

Used by both training (torch) and the runtime (no torch), so it depends only on
``tokenizers`` and numpy.

Pre-tokenization keeps each word together with the whitespace before it (``"\\n    def"``
is one pre-token): BPE then learns pieces such as ``ĠĠĠĠ`` (indentation) and ``Ċ`` (line
break), so the model sees line structure and indentation, and no merge ever crosses a
word boundary. Every token therefore belongs to at most one word of
:func:`tersify.text.segment.segment`, which makes the token -> word map a single
``searchsorted``.

Word scores come from subword scores by the **mean** over the word's tokens. Training
gives every token of a word that word's label, so each token is an estimate of the same
decision and the mean is the least noisy combination; ``max`` would keep a word as soon as
any one of its pieces leans to keep (long words, which split into more pieces, would be
kept more often), and ``first`` would throw away the evidence of the other pieces.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import chain
from pathlib import Path

import numpy as np
from tokenizers import Regex, Tokenizer, decoders, models, pre_tokenizers, trainers

from tersify.errors import TersifyError
from tersify.text.segment import Words

PAD, UNK = "<pad>", "<unk>"
PAD_ID = 0
CHUNK_CHARS = 1 << 16  # characters per piece when a long text is tokenized in parallel
# Texts of at most this many words are encoded word by word through a cache (tool outputs
# repeat their words); longer ones go to the Rust tokenizer whole, in parallel.
CACHED_WORDS_MAX = 20_000
CACHE_ENTRIES_MAX = 1 << 16  # pre-tokens remembered per tokenizer; the cache empties when full
# Characters that str.isspace() (and so segment()) counts as whitespace but the tokenizer's
# regex \s does not: texts holding them take the whole-text path.
_SPACE_MISMATCH = re.compile("[\x1c-\x1f]")
# A word is its leading whitespace plus a run of non-whitespace; trailing whitespace of
# the text is left as its own pre-token.
_WORD_WITH_LEADING_SPACE = r"\s*\S+"
# Lone surrogates (undecodable bytes carried by surrogateescape) cannot be encoded by the
# Rust tokenizer; each becomes U+FFFD, one code point for one, so offsets do not move.
_SURROGATES = re.compile("[\ud800-\udfff]")


def new_tokenizer() -> Tokenizer:
    tok = Tokenizer(models.BPE(unk_token=UNK))
    tok.pre_tokenizer = pre_tokenizers.Sequence(
        [
            pre_tokenizers.Split(Regex(_WORD_WITH_LEADING_SPACE), behavior="isolated"),
            pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False),
        ]
    )
    tok.decoder = decoders.ByteLevel()
    return tok


def train_tokenizer(texts: Iterable[str], vocab_size: int = 8192, min_frequency: int = 2) -> Tokenizer:
    """Train the BPE on ``texts`` (deterministic for the same texts and settings)."""
    tok = new_tokenizer()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        min_frequency=min_frequency,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        special_tokens=[PAD, UNK],
        show_progress=False,
    )
    tok.train_from_iterator((safe_text(t) for t in texts), trainer)
    return tok


def safe_text(text: str) -> str:
    """``text`` with lone surrogates replaced one for one (same code-point offsets)."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return _SURROGATES.sub("\ufffd", text)


@dataclass(frozen=True)
class Encoding:
    """Token ids of a whole text and, per token, the index of its word (-1: whitespace only)."""

    ids: np.ndarray  # int64 [T]
    word_of_token: np.ndarray  # int64 [T]
    # Pre-tokens that went through the BPE model (not remembered from an earlier text);
    # a text encoded whole counts all of its words.
    new_pieces: int = 0


class WordTokenizer:
    """A trained tokenizer plus the token -> word map the scorers need."""

    def __init__(self, tokenizer: Tokenizer):
        self.tokenizer = tokenizer
        self.tokenizer.no_padding()
        self.tokenizer.no_truncation()
        self.vocab_size = tokenizer.get_vocab_size()
        self._bpe = tokenizer.model  # the BPE model alone (each .model access builds a new wrapper)
        # pre-token (a word with the whitespace before it) -> (token ids, how many of them
        # cover only that whitespace). Pre-tokens never share a BPE merge, so encoding
        # one alone gives exactly its tokens in the whole text.
        self._cache: dict[str, tuple[tuple[int, ...], int]] = {}

    @classmethod
    def load(cls, path: str | Path) -> WordTokenizer:
        path = Path(path)
        if not path.is_file():
            raise TersifyError(f"tokenizer file not found: {path}")
        try:
            return cls(Tokenizer.from_file(str(path)))
        except Exception as exc:  # the Rust side raises plain Exceptions on bad JSON
            raise TersifyError(f"cannot load tokenizer {path}: {str(exc).splitlines()[0][:200]}") from exc

    def clear_cache(self) -> None:
        """Forget the remembered pre-tokens (benchmarks measure cold passes with it)."""
        self._cache.clear()

    def save(self, path: str | Path) -> None:
        self.tokenizer.save(str(path))

    def encode(self, words: Words, chunk_chars: int = CHUNK_CHARS) -> Encoding:
        """Tokenize the whole text of ``words`` (never truncated) and map tokens to words.

        Texts of up to :data:`CACHED_WORDS_MAX` words are encoded pre-token by pre-token
        through a cache. Longer texts are cut at line ends into pieces of about
        ``chunk_chars`` that the Rust tokenizer encodes in parallel. A cut is placed at the
        end of a line's last word, so the next piece starts with the whitespace (and line
        break) that belongs to the next pre-token anyway. Either way the tokens are exactly
        those of one whole-text encode (tested).
        """
        if len(words) == 0:
            empty = np.zeros(0, dtype=np.int64)
            return Encoding(empty, empty)
        text = safe_text(words.text)
        if len(words) <= CACHED_WORDS_MAX and not _SPACE_MISMATCH.search(text):
            return self._encode_cached(words, text)
        cuts = _cut_points(words, chunk_chars)
        bounds = [0, *cuts.tolist(), len(text)]
        pieces = [text[a:b] for a, b in zip(bounds[:-1], bounds[1:], strict=True)]
        encs = self.tokenizer.encode_batch(pieces, add_special_tokens=False) if len(pieces) > 1 else [
            self.tokenizer.encode(text, add_special_tokens=False)]
        ids = np.concatenate([np.asarray(e.ids, dtype=np.int64) for e in encs])
        ends = np.concatenate([np.asarray(e.offsets, dtype=np.int64).reshape(-1, 2)[:, 1] + start
                               for e, start in zip(encs, bounds[:-1], strict=True)])
        return Encoding(ids, token_words(words, ends), new_pieces=len(words))

    def _encode_cached(self, words: Words, text: str) -> Encoding:
        ends = words.ends.tolist()
        pieces = [text[a:b] for a, b in zip([0, *ends[:-1]], ends, strict=True)]
        if ends[-1] < len(text):
            pieces.append(text[ends[-1]:])  # trailing whitespace: a pre-token of its own
        distinct = list(dict.fromkeys(pieces))
        index = {p: i for i, p in enumerate(distinct)}
        piece_ids = np.fromiter(map(index.__getitem__, pieces), dtype=np.int64, count=len(pieces))
        # Looked up once into a local list: another thread may empty the shared cache.
        cache = self._cache
        entries = [cache.get(p) for p in distinct]
        missing = [i for i, e in enumerate(entries) if e is None]
        if missing:
            new = {distinct[i]: self._tokenize_piece(distinct[i]) for i in missing}
            if len(cache) + len(new) > CACHE_ENTRIES_MAX:
                cache.clear()
            cache.update(new)
            for i in missing:
                entries[i] = new[distinct[i]]
        # The tokens of the distinct pieces, end to end, then gathered for every piece.
        token_lists = [e[0] for e in entries]
        flat = np.fromiter(chain.from_iterable(token_lists), dtype=np.int64)
        distinct_counts = np.fromiter(map(len, token_lists), dtype=np.int64, count=len(entries))
        distinct_leads = np.fromiter([e[1] for e in entries], dtype=np.int64, count=len(entries))
        counts = distinct_counts[piece_ids]
        # Token k of piece j belongs to word j unless it is one of the piece's leading
        # whitespace tokens (or the piece is the trailing whitespace).
        owner = np.repeat(np.arange(len(pieces), dtype=np.int64), counts)
        position = np.arange(owner.shape[0], dtype=np.int64) - np.repeat(np.cumsum(counts) - counts, counts)
        owner_piece = piece_ids[owner]
        ids = flat[(np.cumsum(distinct_counts) - distinct_counts)[owner_piece] + position]
        in_word = (position >= distinct_leads[owner_piece]) & (owner < len(words))
        return Encoding(ids, np.where(in_word, owner, -1), new_pieces=len(missing))

    def _tokenize_piece(self, piece: str) -> tuple[tuple[int, ...], int]:
        """A pre-token's ids and how many of them cover only its leading whitespace.

        What the pipeline does to one pre-token, without its per-call overhead: the
        byte-level map (one character per UTF-8 byte), then the BPE model.
        """
        tokens = self._bpe.tokenize(piece.encode("utf-8").decode("latin-1").translate(_BYTE_LEVEL))
        ids = tuple([t.id for t in tokens])
        whitespace = len(piece) - len(piece.lstrip())
        if not whitespace:
            return ids, 0
        if not piece.isascii():
            whitespace = len(piece[:whitespace].encode("utf-8"))  # in bytes, as the tokens count
        lead, end = 0, 0
        for t in tokens:  # a mapped character is one byte of the piece
            end += len(t.value)
            if end > whitespace:
                break
            lead += 1
        return ids, lead


def _byte_level_table() -> dict[int, str]:
    """The byte-level pre-tokenizer's byte -> character map (GPT-2's ``bytes_to_unicode``)."""
    printable = [*range(ord("!"), ord("~") + 1), *range(ord("¡"), ord("¬") + 1), *range(ord("®"), ord("ÿ") + 1)]
    table, extra = {}, 0
    for b in range(256):
        if b in printable:
            table[b] = chr(b)
        else:
            table[b] = chr(256 + extra)
            extra += 1
    return table


_BYTE_LEVEL = _byte_level_table()


def _cut_points(words: Words, chunk_chars: int) -> np.ndarray:
    """Offsets (ends of the last word of a line) about ``chunk_chars`` apart."""
    if len(words.text) <= chunk_chars or len(words) < 2:
        return np.zeros(0, dtype=np.int64)
    line_ends = words.ends[:-1][words.lines[1:] != words.lines[:-1]]
    if line_ends.shape[0] == 0:
        return line_ends
    targets = np.arange(chunk_chars, len(words.text), chunk_chars)
    idx = np.searchsorted(line_ends, targets)
    return np.unique(line_ends[idx[idx < line_ends.shape[0]]])


def token_words(words: Words, token_ends: np.ndarray) -> np.ndarray:
    """The word each token belongs to: the one containing its last character, or -1."""
    last_char = token_ends - 1
    w = np.searchsorted(words.starts, last_char, side="right") - 1
    inside = (w >= 0) & (last_char < words.ends[np.maximum(w, 0)])
    return np.where(inside, w, -1).astype(np.int64)


def word_scores(token_scores: np.ndarray, word_of_token: np.ndarray, n_words: int) -> np.ndarray:
    """Mean token score per word (see module docstring); a word without tokens scores 1."""
    valid = word_of_token >= 0
    idx = word_of_token[valid]
    sums = np.bincount(idx, weights=token_scores[valid].astype(np.float64), minlength=n_words)
    counts = np.bincount(idx, minlength=n_words)
    out = np.ones(n_words, dtype=np.float32)
    has = counts > 0
    out[has] = (sums[has] / counts[has]).astype(np.float32)
    return out


__all__ = ["PAD_ID", "Encoding", "WordTokenizer", "new_tokenizer", "safe_text", "token_words", "train_tokenizer",
           "word_scores"]
