"""Telegram-aware cleaning: RawPost -> Post through small named steps (DESIGN.md cleaning rules).

Each step takes a `Draft` and returns a new one plus how many things it removed; the
`Cleaner` runs them in order and adds the removals to the build's counters.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from difflib import SequenceMatcher

from builder.pipeline.step import BatchStep
from builder.records import Doc, Post, RawPost, Reaction, evolve, make
from builder.text.telegram import (
    ELISION,
    HASHTAG,
    HASHTAG_SIGN,
    clean_channel_name,
    collapse_whitespace,
    drop_leading_bullet,
    find_urls,
    has_word_chars,
    hashtags_outside_urls,
    is_arrow_or_symbol_only,
    keycap_digits,
    keycap_list_number,
    may_hold_url,
    parse_reactions_line,
    remove_urls,
    strip_emoji,
)

NOTICES = frozenset(
    s.casefold()
    for s in (
        "Read in full",
        "Learn more",
        "VIEW IN TELEGRAM",
        "Please open Telegram to view this post",
        "Media is too big",
        "***",
        "Show more",
    )
)


@dataclass(frozen=True)
class Draft:
    lines: tuple[str, ...]
    hashtags: tuple[str, ...] = ()
    urls: tuple[str, ...] = ()
    reactions: tuple[Reaction, ...] = ()


_new = object.__new__


def _unique(items) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))


_NOTICE_MAX = max(len(n) for n in NOTICES) + 16


def _notice_key(line: str) -> str:
    if len(line) > _NOTICE_MAX:  # notices are short; skip the work for prose lines
        return ""
    return collapse_whitespace(strip_emoji(line)).casefold()


class ExtractReactions:
    """Rule 4: the reactions line (`👍8❤3👏2`) that closes a post becomes `reactions`.
    Runs only on plain-text web-view copies (see `WEB_COPY_FORMATS`): the other formats give
    reactions as fields, so their last line is the author's (`☎️ 112`, `⭐ 4.5`)."""

    name = "reactions_line"

    def apply(self, d: Draft) -> tuple[Draft, int]:
        if not d.lines:
            return d, 0
        parsed = parse_reactions_line(d.lines[-1])
        if parsed is None:
            return d, 0
        reactions = d.reactions + tuple(Reaction(e, c) for e, c in parsed)
        return evolve(d, lines=d.lines[:-1], reactions=reactions), 1


class SplitElisions:
    """Rule 3: elision markers (`<...>`, `[...]`) are removed; a line is split where one sat."""

    name = "elision_markers"

    def apply(self, d: Draft) -> tuple[Draft, int]:
        out: list[str] = []
        removed = 0
        for line in d.lines:
            if "<" not in line and "[" not in line:
                out.append(line)
                continue
            parts = ELISION.split(line)
            removed += len(parts) - 1
            out.extend(p for p in parts if p.strip())
        if not removed:  # no marker: every line as it was
            return d, 0
        return evolve(d, lines=tuple(out)), removed


class DropNotices:
    """Rule 3: notice lines such as `Read in full` or `VIEW IN TELEGRAM` are dropped."""

    name = "notice_lines"

    def apply(self, d: Draft) -> tuple[Draft, int]:
        if not d.lines or min(map(len, d.lines)) > _NOTICE_MAX:  # every line too long
            return d, 0
        kept = tuple(line for line in d.lines
                     if len(line) > _NOTICE_MAX or _notice_key(line) not in NOTICES)
        if len(kept) == len(d.lines):
            return d, 0
        return evolve(d, lines=kept), len(d.lines) - len(kept)


class ExtractUrls:
    """Rule 6: every URL goes to `urls`; a URL-only line (emoji, arrows and hashtags aside:
    its tags go to `hashtags`) is dropped, a URL inside running text stays in the text
    (cutting it out would break the sentence)."""

    name = "url_lines"

    def apply(self, d: Draft) -> tuple[Draft, int]:
        kept: list[str] = []
        urls = list(d.urls)
        tags: list[str] = []
        dropped = 0
        any_found = False
        for line in d.lines:
            found = find_urls(line)
            if not found:
                kept.append(line)
                continue
            any_found = True
            urls.extend(found)
            rest = remove_urls(line)
            line_tags = HASHTAG.findall(rest) if "#" in rest else []
            if is_arrow_or_symbol_only(HASHTAG.sub("", rest) if line_tags else rest):
                dropped += 1
                tags += line_tags
            else:
                kept.append(line)
        if not any_found and not d.urls:  # no link anywhere
            return d, 0
        urls = _unique(urls)
        if not dropped and urls == d.urls:  # lines and links as they were
            return d, 0
        hashtags = _unique([*d.hashtags, *tags]) if tags else d.hashtags
        return evolve(d, lines=tuple(kept), urls=urls, hashtags=hashtags), dropped


class ExtractHashtags:
    """Rule 5: hashtag-only lines are dropped (tags kept); inline tags lose their `#`."""

    name = "hashtag_lines"

    def apply(self, d: Draft) -> tuple[Draft, int]:
        kept: list[str] = []
        tags = list(d.hashtags)
        dropped = 0
        changed = False
        done: dict[str, tuple[list[str], str | None]] = {}  # a line met again: read once
        for line in d.lines:
            if "#" not in line:
                kept.append(line)
                continue
            read = done.get(line)
            if read is None:
                read = done[line] = _hashtag_line(line)
            found, out = read
            if not found:
                kept.append(line)
                continue
            tags.extend(found)
            changed = True
            if out is None:
                dropped += 1
            else:
                kept.append(out)
        if not changed and not d.hashtags:  # no hashtag anywhere
            return d, 0
        tags = _unique(tags)
        if not changed and tags == d.hashtags:  # no hashtag in the lines
            return d, 0
        return evolve(d, lines=tuple(kept), hashtags=tags), dropped


def _hashtag_line(line: str) -> tuple[list[str], str | None]:
    """A line's hashtags (not those inside a link), and the line as kept: without their
    `#`, or None where nothing but symbols is left without them (the line is dropped)."""
    found = HASHTAG.findall(line)
    outside = None  # the matches, where a `#` inside a link is not one
    if found and may_hold_url(line):
        matches = hashtags_outside_urls(line)
        if len(matches) < len(found):  # `…/Mercury_(planet)#Orbit`
            outside, found = matches, [m.group(1) for m in matches]
    if not found:
        return found, line
    rest = HASHTAG.sub("", line) if outside is None else _cut(line, outside, 0)
    if is_arrow_or_symbol_only(rest):
        return found, None
    return found, (HASHTAG_SIGN.sub("", line) if outside is None else _cut(line, outside, 1))


def _cut(line: str, tags: list, keep_word: int) -> str:
    """The line without each hashtag match (`keep_word` 0) or without its `#` only (1)."""
    parts, at = [], 0
    for m in tags:
        parts.append(line[at : m.start()])
        if keep_word:
            parts.append(m.group(1))
        at = m.end()
    parts.append(line[at:])
    return "".join(parts)


class StripSymbols:
    """Rule 7: emoji, flags, joiners, leading bullets go; whitespace collapses; NFC.

    A removed symbol never glues its neighbours into one token; keycap digits that open a
    line become its list number (`1️⃣10 sets` -> `1. 10 sets`), and inside a line the number
    they write (`turned 4️⃣ years` -> `turned 4 years`): a number is never lost. Lines left
    with no letter or digit (emoji-only, arrow-only) are dropped; the count is of lines
    dropped.
    """

    name = "emoji_and_symbol_lines"

    def apply(self, d: Draft) -> tuple[Draft, int]:
        if len(d.lines) == 1:
            text = _strip_line(d.lines[0])
            kept = [text] if text else []
        else:
            # a line met again in the post (the web view's doubled body) is cleaned once
            done: dict[str, str] = {}
            kept = []
            for line in d.lines:
                text = done.get(line)
                if text is None:
                    text = done[line] = _strip_line(line)
                if text:
                    kept.append(text)
        lines = tuple(kept)
        if lines == d.lines:
            return d, 0
        return evolve(d, lines=lines), len(d.lines) - len(kept)


def _strip_line(line: str) -> str:
    """A line as `StripSymbols` keeps it, "" where it is dropped (no letter or digit left).
    An ASCII line holds no emoji, keycap or bullet (all outside ASCII) and is NFC already."""
    if not line.isascii():
        line = unicodedata.normalize("NFC", line)
        if "\u20e3" in line or "\U0001F51F" in line:  # (what the keycap rules look for)
            line = keycap_digits(keycap_list_number(line))
        line = drop_leading_bullet(drop_leading_bullet(strip_emoji(line)))
    text = collapse_whitespace(line)
    return text if has_word_chars(text) else ""


class Undouble:
    """Rule 2: the web view repeats a post's body (the link-preview card); keep one copy.
    Runs only on plain-text web-view copies (see `WEB_COPY_FORMATS`).

    A post is its lead line (which the copy leaves out; it may have been dropped as emoji
    only) and its body twice: the second copy is a tail that re-aligns with the lines before
    it (all of them, or all but the lead) on more than half of each copy. Only lines of that
    tail that match a line of the first copy are dropped, so a line that occurs once (say, a
    sentence cut from the first copy) is kept, in place, and a post that is not doubled keeps
    a line it repeats (`a / b / a`).
    """

    name = "doubled_body_lines"

    def apply(self, d: Draft) -> tuple[Draft, int]:
        lines = d.lines
        n = len(lines)
        if n < 2 or len(set(lines)) == n:
            return d, 0
        # each line as a small integer (equal lines, equal numbers): the counts below are
        # list slots, and the matcher compares integers (the same blocks as for the lines)
        index: dict[str, int] = {}
        ids = [index.setdefault(line, len(index)) for line in lines]
        total = [0] * len(index)
        for v in ids:
            total[v] += 1
        best: tuple[int, int, int, SequenceMatcher] | None = None
        for lead in (0, 1):
            # `matched` cannot exceed the shorter copy, at most (n - lead) // 2 lines: a lead
            # whose every split is that short cannot beat the best one (same result)
            if best is not None and best[0] >= (n - lead) // 2:
                break
            # the lines of the two copies as multisets: `common`, the lines they share,
            # bounds what the matcher can match (a long post of one line repeated between
            # others took minutes of matchers that could not pass)
            left = [0] * len(index)  # lines[lead:j] (a line seen before j: `left` above 0)
            right = total.copy()  # lines[j:]
            if lead:
                right[ids[0]] -= 1
            common = 0
            for j in range(lead, n):
                if best is not None and n - j <= best[0]:
                    break  # every later split's second copy is too short to beat the best
                v = ids[j]
                seen, rest = left[v], right[v]
                if seen:
                    # `matched` cannot exceed the shorter copy nor the lines they share:
                    # skip a split that could not pass the half-of-each-copy test or beat
                    # the best one (same result, fewer matchers)
                    a, b = j - lead, n - j
                    shorter, longer = (a, b) if a <= b else (b, a)
                    bound = common if common < shorter else shorter
                    if 2 * bound > longer and (best is None or bound > best[0]):
                        first, second = ids[lead:j], ids[j:]
                        if first[-b:] == second or first[:b] == second:
                            # the second copy whole within the first (the web view's
                            # doubling): its one block matches all of it and the post
                            # keeps the lines before j (what the matcher gives, without it)
                            matcher, matched = None, b
                        else:
                            matcher = SequenceMatcher(None, first, second, autojunk=False)
                            matched = sum(block.size for block in matcher.get_matching_blocks())
                        if 2 * matched > longer and (best is None or matched > best[0]):
                            best = (matched, lead, j, matcher)
                # line j moves from the second copy to the first: min(seen, rest) becomes
                # min(seen + 1, rest - 1)
                left[v] = seen + 1
                right[v] = rest - 1
                if seen <= rest - 2:
                    common += 1
                elif seen >= rest:
                    common -= 1
        if best is None:
            return d, 0
        matched, lead, j, matcher = best
        if matcher is None:
            return evolve(d, lines=lines[:j]), matched
        first, second = lines[lead:j], lines[j:]
        out: list[str] = list(lines[:lead])
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            out.extend(first[i1:i2])
            if tag in ("insert", "replace"):
                out.extend(second[j1:j2])
        return evolve(d, lines=tuple(out)), matched


DEFAULT_STEPS = (
    ExtractReactions(),
    SplitElisions(),
    DropNotices(),
    ExtractUrls(),
    ExtractHashtags(),
    StripSymbols(),
    Undouble(),
)

# Formats whose posts may carry the web view's doubled body and its reactions line: only the
# plain-text copy of a channel's web view. JSON, HTML, t.me/s and JSON lines hold each text
# once and give reactions as fields (a last line such as `☎️ 112` is the author's text).
WEB_COPY_FORMATS = frozenset({"telegram-text"})
WEB_COPY_STEPS = (ExtractReactions, Undouble)


def content_post_id(text: str) -> str:
    """A stable id from the cleaned text, for sources without message ids."""
    return "h" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


class Cleaner:
    """Runs the cleaning steps over raw posts and counts what each step removed."""

    def __init__(self, undouble: bool = True, counts: Counter | None = None):
        self.steps = tuple(s for s in DEFAULT_STEPS if undouble or not isinstance(s, Undouble))
        self._single_steps = tuple(s for s in self.steps if not isinstance(s, WEB_COPY_STEPS))
        self.counts: Counter = counts if counts is not None else Counter()

    @property
    def step_names(self) -> list[str]:
        return [s.name for s in self.steps]

    def clean(self, raw: RawPost) -> Post:
        draft = _new(Draft)  # (what `Draft(...)` makes, without the frozen `__init__`)
        draft.__dict__.update(lines=tuple(filter(str.strip, raw.lines)),
                              hashtags=raw.hashtags, urls=raw.urls, reactions=raw.reactions)
        counts = self.counts
        for step in self.steps if raw.format in WEB_COPY_FORMATS else self._single_steps:
            draft, removed = step.apply(draft)
            if removed:  # the manifest reads every rule's count, zero when absent
                counts[step.name] += removed
        text = "\n".join(draft.lines)
        return make(
            Post,
            post_id=raw.message_id if raw.message_id else content_post_id(text),
            position=raw.position,
            channel=clean_channel_name(raw.channel or ""),
            date=raw.date,
            date_is_local=raw.date_is_local,
            text=text,
            hashtags=draft.hashtags,
            urls=draft.urls,
            reactions=draft.reactions,
        )


def is_empty(post: Post) -> bool:
    return not has_word_chars(post.text)


REJECT_TEXT_CHARS = 2000


def raw_excerpt(raw: RawPost, limit: int = REJECT_TEXT_CHARS,
                scrub: Callable[[str], str] | None = None) -> str:
    """The raw text of a post (its first `limit` characters), for the rejects file: a post
    that cleaning emptied is written as it was read, so anyone can see what was dropped.
    `scrub` (the personal-data replacement) runs on the whole text before the cut, so that
    the cut never leaves part of an address that the whole would have had replaced."""
    text = "\n".join(raw.lines)
    return (scrub(text) if scrub is not None else text)[:limit]


class CleanPosts(BatchStep):
    """The pipeline step: every cleaning rule over each raw post (one manifest entry per rule).

    `keep_lines` keeps the raw lines on the record for steps that read them (alignment's
    leading emoji); the raw post itself is let go by `DropEmptyPosts`."""

    name = "clean"
    stage = "clean"

    def __init__(self, undouble: bool = True, keep_lines: bool = False):
        super().__init__()
        self.cleaner = Cleaner(undouble, self.counts)
        self.keep_lines = keep_lines

    def params(self) -> dict:
        return {"rules": self.cleaner.step_names}

    def describe(self) -> list[dict]:
        return [{"stage": self.stage, "name": n, "params": {}} for n in self.cleaner.step_names]

    def apply(self, doc: Doc) -> Doc:
        raw = doc.raw
        return evolve(doc, post=self.cleaner.clean(raw),
                       lines=raw.lines if self.keep_lines else ())

    def manifest_counts(self) -> dict[str, dict]:
        return {"clean": {name: self.counts[name] for name in self.cleaner.step_names}}

    def card_rows(self) -> list[dict]:
        return [{"stage": self.stage, "step": f"{name} removed", "count": self.counts[name]}
                for name in self.cleaner.step_names]


class DropEmptyPosts(BatchStep):
    """Drops a post that cleaning left without a word character (rejected with its raw
    text, passed through `scrub` first: the personal-data step's replacement, so that an
    e-mail address in a dropped link-only post does not reach the rejects file); lets the
    raw post go."""

    name = "drop_empty"
    stage = "clean"

    def __init__(self, scrub: Callable[[str], str] | None = None):
        super().__init__()
        self.scrub = scrub

    def apply(self, doc: Doc) -> Doc:
        if is_empty(doc.post):
            doc = self.drop_post(doc, "empty_after_cleaning",
                                 raw_excerpt(doc.raw, scrub=self.scrub))
        return evolve(doc, raw=None)
