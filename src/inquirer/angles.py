"""The shape of a line, decided by code: which notes share a paragraph, in what order the
paragraphs come, what yes / no the notes themselves settle, and the words that lead from one
finding to the next.

A small model cannot tell which way a note bears on an abstract question (asked yes / no for ten
notes that each answer "no", the 1.5B said "yes" every time), so nothing here rests on a model's
verdict: notes are grouped by what they share (their embeddings and their links), an answer is
stated only where the notes' own opening words give it, and the transitions claim nothing about
how two findings relate beyond that they are neighbours.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Sequence

import numpy as np

from .types import Note, ReadNote
from .wording import STOP, answer_lead, polarity, same_question

MAX_PARAGRAPHS = 5
MIN_PARAGRAPHS = 3
PER_PARAGRAPH = 3  # findings a paragraph aims at
LINK_BONUS = 0.1  # a link between two notes counts as this much more cosine
# leads for a second or third finding inside a paragraph: they say only that the findings are
# neighbours, never that one supports, explains or contradicts the other
WITHIN = ("Close to this,", "On a neighbouring question,", "Seen from another side,")
# a last paragraph far from the question (its best cosine below FAR) opens lateral
LATERAL = "Further afield,"
FAR = 0.45


def settled_answer(question: str, notes: Sequence[Note]) -> tuple[str, tuple[str, ...]]:
    """What the notes asking ``question`` answer in their own opening words, with their ids:
    their shared yes / no (in the one note's own words, "yes, to a point", when only one note
    answers), or the one answering note's words when they are no yes or no ("mostly the
    tone"); ('', ids) when the notes asking it disagree, ('', ()) when none asks it."""
    leads = {
        n.id: answer_lead(n.summary)
        for n in notes
        if answer_lead(n.summary) and same_question(n.title, question)
    }
    if not leads:
        return "", ()
    said = {polarity(lead) for lead in leads.values()}
    if len(leads) == 1:
        return _spoken(next(iter(leads.values()))), tuple(leads)
    if len(said) == 1 and "" not in said:
        return said.pop(), tuple(leads)
    return "", tuple(leads)


def _spoken(lead: str) -> str:
    """A summary's answer words as part of a sentence: "Mostly the tone." -> "mostly the tone"."""
    words = lead.strip().rstrip(".:;").strip()
    first = words.split(" ", 1)[0]
    keep = any(c.isupper() for c in first[1:])
    return words if keep else words[:1].lower() + words[1:]


def paragraph_count(notes: int) -> int:
    """3-5 paragraphs of about three findings each; fewer only when there are fewer notes. (At
    two findings a paragraph the dev runs' paragraphs held 42 words on average, a note apiece
    rather than a point argued from several.)"""
    if notes <= MIN_PARAGRAPHS:
        return notes
    return max(MIN_PARAGRAPHS, min(MAX_PARAGRAPHS, math.ceil(notes / PER_PARAGRAPH)))


def similarity(notes: Sequence[Note], vectors: np.ndarray) -> np.ndarray:
    """Cosine between every two notes' (normalised) vectors, raised where one links the other."""
    sims = np.asarray(vectors @ vectors.T, dtype=float)
    for i, a in enumerate(notes):
        for j, b in enumerate(notes):
            if i != j and (b.id in a.links or a.id in b.links):
                sims[i, j] += LINK_BONUS
    return sims


def groups(notes: Sequence[ReadNote], sims: np.ndarray) -> list[list[int]]:
    """Indexes of ``notes`` (best first) dealt into paragraphs: each paragraph is seeded by the
    best-ranked note not yet placed and filled with the notes most like it, so that a paragraph
    holds findings that share something; paragraphs keep the order of their seeds."""
    count = paragraph_count(len(notes))
    if count == 0:
        return []
    sizes = [len(notes) // count + (1 if k < len(notes) % count else 0) for k in range(count)]
    left = list(range(len(notes)))
    out: list[list[int]] = []
    for size in sizes:
        seed = left.pop(0)
        group = [seed]
        while len(group) < size and left:
            best = max(left, key=lambda j: float(np.mean([sims[g, j] for g in group])))
            left.remove(best)
            group.append(best)
        out.append(group)
    return out


def lead_for(paragraph: int, position: int, count: int, far: bool) -> str:
    """The words that open a finding: none for a paragraph's first finding (the last paragraph
    opens lateral when it is far from the question), a neighbour's lead for the others."""
    if position == 0:
        return LATERAL if far and paragraph == count - 1 and count >= MIN_PARAGRAPHS else ""
    return WITHIN[(paragraph + position - 1) % len(WITHIN)]


def joined(lead: str, sentence: str, proper: set[str]) -> str:
    """``sentence`` after ``lead``; its first word lower-cased unless it is a name (a word the
    notes capitalise mid-sentence, or one with capitals inside it, as in "GPT-4" or "DPO")."""
    if not lead:
        return sentence
    first = sentence.split(" ", 1)[0]
    # "Qi et al.", "Kung and Peng", and a name of several capitalised words ("Direct Preference
    # Optimization", "Constitutional AI") that opens the sentence
    named = re.match(r"\S+ (?:et al\b|and [A-Z]|\()", sentence) or (
        first.lower() not in STOP and re.match(r"\S+ [A-Z][\w-]*\b", sentence)
    )
    # "A" opens a sentence and names nothing; nor does a "The" a note's body puts after a line
    # break or a heading (proper_words then takes it for a name)
    bare = first.removesuffix("'s").rstrip(",;:")  # "Anthropic's defection probes"
    name = bare in proper and len(bare) > 1 and bare.lower() not in STOP
    keep = name or any(c.isupper() for c in first[1:]) or first == "I" or named
    head = first if keep else first[0].lower() + first[1:]
    return f"{lead} {head}{sentence[len(first) :]}"


def unled(sentence: str) -> str:
    """``sentence`` without a within-paragraph lead, for when it comes to open a paragraph (the
    sentence before it was dropped): "Close to this, work on …" -> "Work on …"."""
    for lead in WITHIN:
        if sentence.startswith(f"{lead} "):
            rest = sentence[len(lead) + 1 :]
            return rest[:1].upper() + rest[1:]
    return sentence


def proper_words(notes: Sequence[Note]) -> set[str]:
    """Words the notes capitalise other than at the start of a sentence: names."""
    out: set[str] = set()
    for note in notes:
        for text in (note.summary, note.body, note.title):
            words = text.split()
            for before, word in itertools.pairwise(words):
                bare = word.strip("\"'()[],;:")
                if bare[:1].isupper() and not before.endswith((".", "!", "?", ":")):
                    out.add(bare)
    return out
