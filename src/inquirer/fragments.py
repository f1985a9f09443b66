"""Whether a sentence of a line reads as a fragment (reading.py's ``fragment`` check): it opens
mid-sentence (its opening words continue a note's sentence), opens with a note's own answer
words ("Yes, to a point:", "Little."), points at nothing before it, or is not a whole sentence.
The composer and revision ask it of each sentence they keep."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from .types import Note
from .wording import ANSWER_WORD, TOKEN, answer_lead, note_sentences, tokens, wordset

OPENING = 6  # words of a sentence's opening looked for in the middle of a note's sentence
DASHES = ("\u2014", "\u2013", " -")  # em dash, en dash, a spaced hyphen
SENTENCE_END = re.compile(r"[.!?][\"')\]]*$")
# "The study used proxy-tuning …" (dev8 q041), "After a few iterations, the method outperformed
# fine-tuning" (suite q030), after a code-written lead or not
# ("The study by Zhao et al." and "the authors of the CoT-Control suite" name it)
UNNAMED_STUDY = re.compile(
    r"^(?:[A-Z][a-z]+(?:\s+[a-z]+){0,4},\s+)?((?i:the|this|that|these)\s+"
    r"(?:study|studies|paper|work|authors|researchers|experiments?|method|approach|technique|"
    r"framework|model|models))\b"
    r"(?!\s+(?:by|of|from|behind|in)\s)"
)
DANGLING = re.compile(r"^(?:it|they|this|these|those|which|and|but|or|so|while|whereas)\b", re.I)
# a sentence that opens with its verb: the composer took its subject (a note id) out of it
SUBJECTLESS = re.compile(
    r"^(?:is|are|was|were|can|could|may|might|must|should|would|will|has|have|had|does|do|"
    r"did|shows?|finds?|found|suggests?|indicates?|reports?|argues?|demonstrates?|highlights?|"
    r"mentions?|claims?|states?|proposes?)\b",
    re.IGNORECASE,
)
# name particles a sentence may open with in lower case ("van der Weij et al. found …")
PARTICLES = wordset("van von de der di da du le la del den ten")
CONJUNCTIONS = wordset(
    "and but while whereas because so yet although though since however also thus that"
)
OPENING_PHRASE = wordset(  # first words of a phrase that opens a sentence before its clause
    "across applied on in with for under after unlike like compared when while although though "
    "because since given using at by from over among beyond despite as if once without within "
    "through before during"
)


def fragment(text: str, notes: Iterable[Note], *, first_in_paragraph: bool) -> str:
    """Why ``text`` reads as a fragment, or ''."""
    stripped = text.strip()
    if len(tokens(stripped)) < 4:
        return "not a whole sentence (too short)"
    first = stripped.split()[0]
    if first.islower() and first not in PARTICLES and not any(ch.isdigit() for ch in first):
        return "not a whole sentence (opens in lower case)"
    if not SENTENCE_END.search(stripped):
        return "not a whole sentence (no closing stop)"
    if SUBJECTLESS.match(stripped) and not stripped.endswith("?"):
        return f"has no subject: it opens with the verb {first!r}"
    notes = list(notes)
    for note in notes:
        lead = answer_lead(note.summary)
        if lead and stripped.lower().startswith(lead.lower().rstrip(".:;")):
            return f"opens with a note's own answer words ({lead!r})"
        if lead and re.search(rf"[,;:]\s+{re.escape(lead)}(?:\s|$)", stripped, re.IGNORECASE):
            return f"opens a clause with a note's own answer words ({lead!r})"
    # answer words of its own: in prose only words such as yes or mostly count, since a short
    # clause before a colon ("RLVR narrowed what models reach: …") is no answer
    opener = answer_lead(stripped)
    if opener and len(opener.split()) <= 4 and ANSWER_WORD.search(opener):
        return f"opens with answer words ({opener!r})"
    if first_in_paragraph and DANGLING.match(stripped):
        return f"opens a paragraph with {stripped.split()[0]!r}, which points at nothing before it"
    unnamed = UNNAMED_STUDY.match(stripped)
    if unnamed:  # each sentence restates its own note: no study was named before it
        return f"speaks of {unnamed.group(1)!r}, which it never names"
    opening = tokens(stripped)[:OPENING]
    if len(opening) == OPENING:
        for note in notes:
            for sentence in note_sentences(note):
                where = find_run(tokens(sentence), opening)
                if where > 0 and not _clause_start(sentence, where):
                    return "opens mid-sentence: its first words continue a note's sentence"
    return ""


def find_run(haystack: Sequence[str], run: Sequence[str]) -> int:
    n = len(run)
    for i in range(len(haystack) - n + 1):
        if haystack[i] == run[0] and list(haystack[i : i + n]) == list(run):
            return i
    return -1


def _clause_start(sentence: str, index: int) -> bool:
    """Whether the ``index``-th word of ``sentence`` opens a clause of its own: after a colon,
    semicolon, dash or conjunction, or after the comma that closes an opening phrase ("Across
    three tasks, X did Y"). Copying from there is copying, not a fragment — unless the clause
    opens with a pronoun, which then points at nothing."""
    matches = list(TOKEN.finditer(sentence))
    if index >= len(matches) or DANGLING.match(matches[index].group(0)):
        return False
    before = sentence[: matches[index].start()].rstrip()
    if before.endswith((":", ";", *DASHES)):
        return True
    if matches[index - 1].group(0).lower() in CONJUNCTIONS:
        return True
    return before.endswith(",") and matches[0].group(0).lower() in OPENING_PHRASE
