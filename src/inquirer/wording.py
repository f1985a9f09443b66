"""The words of a text as the reading pass compares them (reading.py): tokens that keep
hyphenated terms whole, crude stems, content words, sentences, runs of words copied from a
source, and the answer words a note's summary opens with ("Yes, to a point:", "Little.").
Pure functions."""

from __future__ import annotations

import re
from collections.abc import Sequence

from .types import Note

APOSTROPHE = "\u2019"
TOKEN = re.compile(r"[^\W_]+(?:[-'\u2019][^\W_]+)*")
# the answer words a note's summary opens with: "Yes.", "Yes, to a point:", "Mostly the
# format.", "Little.", "In one systematic study, yes." (short, and closed by . or :)
LEAD = re.compile(r"^([^.:;()]{1,60}?[.:;])(?:\s|$)")
ANSWER_WORD = re.compile(
    r"\b(?:yes|no|not|partly|largely|mostly|little|often|rarely|barely|hardly|both|"
    r"sometimes|apparently|possibly|only|far|very|fairly|poorly|easily)\b",
    re.IGNORECASE,
)
NEGATIVE = re.compile(
    r"^(?:[^,]{0,40},\s*)?(?:no\b|not\b|little\b|very little\b|often not\b|rarely\b|"
    r"barely\b|hardly\b|poorly\b|apparently not\b)",
    re.IGNORECASE,
)
POSITIVE = re.compile(
    r"^(?:[^,]{0,40},\s*)?(?:(?:largely|often|apparently|roughly|mostly)\s+)?yes\b",
    re.IGNORECASE,
)
SENTENCE_BREAK = re.compile(r"[.!?][\"')\]]*\s+(?=[A-Z0-9(\"])")
ABBREVIATIONS = (" al", "e.g", "i.e", " vs", " cf", " Fig")  # a full stop that ends no sentence


def wordset(text: str) -> frozenset[str]:
    """The words of ``text``, for word lists written as one string."""
    return frozenset(text.split())


STOP = wordset(
    "a an the of in on for to and or but is are was were be been by with as at from that this "
    "these those it its their they them than then so do does did can could may might will "
    "would should what which who how when where why whether not no yes more most less very "
    "only also into over under about between after before while"
)


def tokens(text: str) -> list[str]:
    """Lower-case words; "input-output" and "model's" stay one word."""
    return [t.lower().replace(APOSTROPHE, "'") for t in TOKEN.findall(text)]


def stem(word: str) -> str:
    for suffix in ("ing", "es", "ed", "s"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def content(text: str) -> set[str]:
    """The stems of the words that carry content (no stop words, none under 3 letters), a
    possessive's "'s" cut ("URIAL's" is URIAL)."""
    words = (t.removesuffix("'s").removesuffix("\u2019s") for t in tokens(text))
    return {stem(t) for t in words if t not in STOP and len(t) > 2}


def content_overlap(a: str, b: str) -> float:
    """Shared content words over the smaller set (1.0: one says nothing the other does not)."""
    wa, wb = content(a), content(b)
    return len(wa & wb) / max(1, min(len(wa), len(wb)))


def split_sentences(text: str) -> list[str]:
    """``text`` in sentences; a stop after "et al", "e.g", "vs" and the like ends none."""
    flat = " ".join(text.split())
    out, start = [], 0
    for match in SENTENCE_BREAK.finditer(flat):
        if flat[max(0, match.start() - 5) : match.start()].endswith(ABBREVIATIONS):
            continue
        out.append(flat[start : match.end()].strip())
        start = match.end()
    if flat[start:].strip():
        out.append(flat[start:].strip())
    return out


def note_sentences(note: Note) -> list[str]:
    """A note's title, then the sentences of its summary and its body."""
    return [note.title, *split_sentences(note.summary), *split_sentences(note.body)]


def grams(words: Sequence[str], n: int) -> set[tuple[str, ...]]:
    """Every run of ``n`` words in a row."""
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}


def copied_mask(words: Sequence[str], source: set[tuple[str, ...]], n: int) -> list[bool]:
    """For each word, whether it sits inside a run of ``n`` words found in ``source``."""
    mask = [False] * len(words)
    for i in range(len(words) - n + 1):
        if tuple(words[i : i + n]) in source:
            for j in range(i, i + n):
                mask[j] = True
    return mask


# an answer with no answer word: a few words alone ("Retrieval.", "They collapse.", "Finding
# it:" of "Is the bottleneck finding the mistake or fixing it?"), a degree ("To a surprising
# degree.") or a reason ("Because of a granularity mismatch:")
SHORT_ANSWER = 3
ANSWER_OPENER = re.compile(r"^(?:to an?|because)\b", re.IGNORECASE)


def answer_lead(summary: str) -> str:
    """The answer words a summary opens with ("Yes, to a point:", "Little.", "Retrieval."), or
    '' (a lead that names a study, "Chua et al.", is none)."""
    match = LEAD.match(" ".join(summary.split()))
    if not match:
        return ""
    lead = match.group(1)
    if len(lead.split()) > 7 or "et al" in lead:
        return ""
    if ANSWER_WORD.search(lead) or ANSWER_OPENER.match(lead):
        return lead
    return lead if len(lead.split()) <= SHORT_ANSWER else ""


def without_answer(summary: str) -> str:
    """A note's summary without the answer words it opens with: its finding alone."""
    return summary[len(answer_lead(summary)) :].strip()


def in_own_words(note: Note) -> str:
    """The first sentence of ``note``'s finding (its summary without the answer words), as a
    sentence of its own: what the line shows of a note it cannot do without when no reworded
    sentence of it holds."""
    first = (split_sentences(without_answer(note.summary)) or [note.summary.strip()])[0]
    return first[:1].upper() + first[1:]


def polarity(text: str) -> str:
    """'yes', 'no' or '' for an answer's opening words."""
    text = text.strip()
    if POSITIVE.match(text):
        return "yes"
    if NEGATIVE.match(text):
        return "no"
    return ""


def same_question(title: str, question: str) -> bool:
    """Whether a note's title asks the line's question (most of its words, three at least)."""
    shared = content(title) & content(question)
    return len(shared) >= 3 and content_overlap(title, question) >= 0.6
