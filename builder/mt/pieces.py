"""Marian source pieces, token ids and decoded texts at SentencePiece's speed, the same as
`MarianTokenizer` gives them.

`MarianTokenizer` is a Python tokenizer: encoding a sentence costs ~100-200 us of Python
(splitting on added tokens, one SentencePiece call, a dictionary lookup per piece through
several layers), decoding about as much. On a GPU that translates thousands of sentences a
second that is most of the time. `MarianPieces` does the same work in bulk: one batched
SentencePiece call for many texts, memoised piece <-> id maps, batched decoding.

It is exact by construction where it applies and falls back to the tokenizer where it
might not be: a text holding an added token's string (`</s>`, `<unk>`, ...), a decoded
row holding a special token, or a tokenizer whose behaviour the fast path does not match
on a probe set at load time (a future transformers version, a model with unusual settings)
goes through `MarianTokenizer` itself. `tests/mt/test_pieces.py` holds both paths equal on
a varied corpus.
"""

from __future__ import annotations

import logging
import re

log = logging.getLogger(__name__)

SPIECE_UNDERLINE = "\u2581"

# texts the load-time check compares both paths on (the kinds of text the builder feeds it)
PROBES = (
    "The Ministry of Foreign Affairs said on 12 March that 1,200 people were evacuated.",
    "  leading and trailing spaces  ",
    "tabs\tand\nnewlines and  double  spaces",
    "Кириллица и «кавычки» — тире, № 5",
    "中文文本，日本語のテキスト。",
    "emoji 😀 and symbols ©®™ ½ x² € ₽",
    "",
    "a",
    "e\u0301 combining, NBSP\u00a0here, zero\u200bwidth",
    ">> not a code",
    "ends with <<",
)


class MarianPieces:
    """Bulk encoding and decoding with a `MarianTokenizer`'s results."""

    def __init__(self, tokenizer, target_token: str | None = None):
        self.tok = tokenizer
        self._sp_in = tokenizer.spm_source
        # `MarianTokenizer._decode` decodes with the source model unless vocabularies are separate
        self._sp_out = tokenizer.spm_target if tokenizer.separate_vocabs else tokenizer.spm_source
        self._eos_id = tokenizer.eos_token_id
        self._eos = tokenizer.eos_token
        self._special_ids = set(tokenizer.all_special_ids)
        self._special_tokens = set(tokenizer.all_special_tokens)
        added = sorted(getattr(tokenizer.tokens_trie, "_tokens", ()) or (), key=len, reverse=True)
        self._added = re.compile("|".join(map(re.escape, added))) if added else None
        # piece -> id as `convert_tokens_to_ids` maps it (added tokens first, else the
        # vocabulary, else `<unk>`), and id -> piece as `convert_ids_to_tokens` (memoised)
        self._piece_id: dict[str, int] = dict(tokenizer.get_vocab())
        self._unk_id = tokenizer.unk_token_id
        self._id_piece: dict[int, str] = {}
        self._cleanup = bool(getattr(tokenizer, "clean_up_tokenization_spaces", False))
        self.fast = True
        probes = list(PROBES)
        if target_token:
            probes += [f"{target_token} {p}" for p in PROBES[:3]]
        self.fast = self._agrees(probes)
        if not self.fast:
            log.info("the tokenizer's fast path disagrees with MarianTokenizer on a probe: "
                     "tokenizing through MarianTokenizer")

    # --- encoding -----------------------------------------------------------------------

    def _plain(self, text: str) -> bool:
        """No added token's string anywhere in the text, so `MarianTokenizer` splits nothing
        off (it splits on added tokens before it looks for a language code)."""
        return self._added is None or self._added.search(text) is None

    @staticmethod
    def _split_code(text: str) -> tuple[list[str], str]:
        """`MarianTokenizer.remove_language_code`: a leading `>>xx<<` is a token of its own."""
        if text.startswith(">>") and (end := text.find("<<")) != -1:
            return [text[: end + 2]], text[end + 2 :]
        return [], text

    def _partition(self, texts: list[str]) -> tuple[list[tuple[int, list[str], str]], list[int]]:
        """(index, language code, rest) of each text the fast path takes; the others' indices."""
        fast, slow = [], []
        for i, text in enumerate(texts):
            if self._plain(text):
                code, rest = self._split_code(text)
                fast.append((i, code, rest))
            else:
                slow.append(i)
        return fast, slow

    def pieces(self, texts: list[str]) -> list[list[str]]:
        """Each text's pieces, without `</s>` (what `MarianTokenizer.tokenize` gives)."""
        if not self.fast:
            return [self.tok.tokenize(t) for t in texts]
        fast, slow = self._partition(texts)
        out: list[list[str]] = [[] for _ in texts]
        for i in slow:
            out[i] = self.tok.tokenize(texts[i])
        if fast:
            encoded = self._sp_in.encode([rest for _, _, rest in fast], out_type=str)
            for (i, code, _), pieces in zip(fast, encoded, strict=True):
                out[i] = code + pieces if code else pieces
        return out

    def source_tokens(self, texts: list[str]) -> list[list[str]]:
        """The model's input as pieces, `</s>` at the end (what CTranslate2 reads): each id's
        piece, as `convert_ids_to_tokens(ids)` gives it (a piece outside the vocabulary is
        `<unk>`)."""
        return [self._pieces_of(row) for row in self.ids(texts)]

    def ids(self, texts: list[str]) -> list[list[int]]:
        """Input ids with `</s>` (what `MarianTokenizer(texts)["input_ids"]` gives)."""
        if not self.fast:
            return self.tok(texts)["input_ids"] if texts else []
        get, unk, eos = self._piece_id.get, self._unk_id, self._eos_id
        return [[get(p, unk) for p in pieces] + [eos] for pieces in self.pieces(texts)]

    def count(self, texts: list[str]) -> list[int]:
        """Input lengths in tokens, `</s>` included (SentencePiece's ids: as many as its
        pieces, without making a string of each)."""
        if not self.fast:
            return [len(p) + 1 for p in self.pieces(texts)]
        fast, slow = self._partition(texts)
        out = [0] * len(texts)
        for i in slow:
            out[i] = len(self.tok.tokenize(texts[i])) + 1
        if fast:
            encoded = self._sp_in.encode([rest for _, _, rest in fast])
            for (i, code, _), ids in zip(fast, encoded, strict=True):
                out[i] = len(code) + len(ids) + 1
        return out

    # --- decoding -----------------------------------------------------------------------

    def _pieces_of(self, ids, skip: set[int] | frozenset = frozenset()) -> list[str]:
        """`convert_ids_to_tokens` of each id not in `skip` (memoised per id)."""
        known, out = self._id_piece, []
        for i in ids:
            if i in skip:
                continue
            piece = known.get(i)
            if piece is None:
                piece = known[i] = self.tok.convert_ids_to_tokens(i)
            out.append(piece)
        return out

    def decode_ids(self, rows: list[list[int]]) -> list[str]:
        """`MarianTokenizer.decode(row, skip_special_tokens=True)` for each row."""
        if not self.fast:
            return [self.tok.decode(r, skip_special_tokens=True) for r in rows]
        return self._decode_pieces([self._pieces_of(row, self._special_ids) for row in rows], rows)

    def decode_pieces(self, rows: list[list[str]]) -> list[str]:
        """What decoding the pieces' ids gives (a piece outside the vocabulary is `<unk>`,
        which is skipped as a special token)."""
        if not self.fast:
            return [self.tok.decode(self.tok.convert_tokens_to_ids(r), skip_special_tokens=True)
                    for r in rows]
        get, unk = self._piece_id.get, self._unk_id
        return self._decode_pieces(
            [self._pieces_of([get(p, unk) for p in row], self._special_ids) for row in rows], rows)

    def _decode_pieces(self, kept: list[list[str]], rows: list) -> list[str]:
        out: list[str | None] = [None] * len(kept)
        at, batch = [], []
        for i, pieces in enumerate(kept):
            if not pieces:  # nothing to decode (SentencePiece 0.2.2 cannot type an empty row)
                out[i] = ""
            elif self._special_tokens.intersection(pieces):
                row = rows[i]
                ids = row if not row or not isinstance(row[0], str) else self.tok.convert_tokens_to_ids(row)
                out[i] = self.tok.decode(ids, skip_special_tokens=True)
            else:
                at.append(i)
                batch.append(pieces)
        if batch:
            for i, text in zip(at, self._sp_out.decode_pieces(batch), strict=True):
                text = text.replace(SPIECE_UNDERLINE, " ").strip()
                out[i] = self.tok.clean_up_tokenization(text) if self._cleanup else text
        return out  # type: ignore[return-value]

    # --- the load-time check ------------------------------------------------------------

    def _agrees(self, probes: list[str]) -> bool:
        try:
            tok = self.tok
            want_ids = tok(probes)["input_ids"]
            if self.ids(probes) != want_ids:
                return False
            back = [tok.decode(r, skip_special_tokens=True) for r in want_ids]
            pieces = [tok.convert_ids_to_tokens(r) for r in want_ids]
            return self.decode_ids(want_ids) == back and self.decode_pieces(pieces) == back
        except Exception as err:  # noqa: BLE001 - any surprise means: use the tokenizer
            log.debug("fast tokenizer path check failed: %s", err)
            return False
