"""The reading pass: what a reader trips on in a finished line (FORMAT.md, "What a reader must
never trip on"), found by code. Pure functions over a Line and the notes it was made from.

Each check names a kind of defect and the text that shows it:

- ``fragment``: a sentence that opens mid-sentence (its opening words are a run copied from the
  middle of a note's sentence), that opens with a note's own answer words ("Yes, to a point:",
  "Mostly the format.", "Little."), or that is not a whole sentence;
- ``copied``: a sentence most of whose words sit in runs of ``RUN`` or more words copied from
  the notes (numbers and names may match; whole clauses may not);
- ``insight_copy``: an insight that restates a body sentence or a note instead of concluding;
- ``repeated_opener``: a paragraph that opens as another does, or a sentence that opens with
  the question's own words once a sentence already has;
- ``repeated_point``: a sentence that makes a point an earlier paragraph made;
- ``meta``: a sentence about "the notes" or "the evidence provided" instead of the subject;
- ``off_question``: a paragraph that does not bear on the question (needs an embedder), in a
  line that answers it (a line that says the corpus holds too little shows what lies near the
  question, on purpose);
- ``misstated``: a sentence that says which way something goes where its cited notes do not
  (a negation, a comparison or change of another thing, "lower than", "always", a contrast, two
  findings its note sets apart joined into one; faithful.misstated);
- ``connective``: a relation between findings ("aligns with", "because", "which shows") that
  the cited notes do not state themselves;
- ``contradiction``: a line whose stated yes / no answer is the opposite of what the cited notes
  that answer the question say in their own words;
- ``next_generic``, ``next_meta``, ``next_title``: next lines that are templates, talk about
  the notes, or restate a note's title.

The share of body words copied in runs is reported beside the findings (``Reading.copied``).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from .faithful import CONNECTIVE, misstated
from .fragments import find_run, fragment
from .types import Finding, Line, Note
from .wording import (
    answer_lead,
    content,
    content_overlap,
    copied_mask,
    grams,
    note_sentences,
    polarity,
    same_question,
    split_sentences,
    stem,
    tokens,
    wordset,
)

RUN = 8  # words in a row that count as copying
# a closer look at copying, reported beside it: a sentence kept from copying 8 words in a row can
# still follow its note in runs of 5-7 words with a word changed between them
CLOSE_RUN = 5
COPIED_SENTENCE = 0.5  # a sentence with at least this share of its words in copied runs
OFF_QUESTION = 0.2  # cosine between a paragraph and the question below which it is off it
SAME_POINT = 0.75  # content-word overlap between two sentences that make the same point

# a next line with this share of its content words in the line's question asks it again (dev8
# q006: "What limits fine-tuning an open model on a proprietary assistant's outputs?")
ECHOED = 0.75
META = re.compile(
    r"\b(?:the|these|both|two|three|this|that|each|other|several|all)\s+(?:notes?|sources)\b|"
    r"\bthe evidence (?:provided|presented|given|above|here)\b|\bthe notes?\b|"
    r"\b(?:these|both|two|three) findings\b|\bthe combination of (?:these|the)\b",
    re.IGNORECASE,
)
WIKI_LINK = re.compile(r"\[\[[^\]]*\]\]")
GENERIC_NEXT = re.compile(
    r"^(?:what (?:are|is) (?:some|the (?:role|impact|effect|relationship|significance|"
    r"importance|difference|implications?))\b|how (?:does|do|can|might) the (?:use|type|"
    r"size|amount|quality|choice|presence) of\b|what (?:other|additional|further)\b|"
    r"can you\b|how (?:effective|important|significant) (?:is|are)\b)",
    re.IGNORECASE,
)
# a next line that asks of "the model" or "the method" and names nothing it could be: make run
# (2026-12-06) "Why does the method not improve jailbreak robustness?", dev11 "Why does the model
# perform so well with a limited amount of training examples?"; 3 of the 336 next lines the
# committed runs and benchmarks made, each with no subject a reader could look up
UNNAMED_NEXT = re.compile(
    r"^(?:why (?:does|did|do)|what (?:limits|explains)|how much (?:does|did|do))\s+"
    r"(?:the\s+\w+\s+of\s+)?the\s+"  # "the ability of the model" (2026-12-06, 2 more)
    r"(?:method|model|models|approach|technique|system|algorithm|framework|authors|researchers)"
    r"\b(?!')",
    re.IGNORECASE,
)
META_NEXT = re.compile(
    r"\b(?:the|these|this|those)\s+(?:notes?|evidence|findings?|sources?|stud(?:y|ies)|"
    r"research|corpus|essay|line|papers?)\b",
    re.IGNORECASE,
)
REPORTING = wordset(
    "found finds find shows show showed shown suggests suggest suggested reports report reported "
    "argues argue argued demonstrates demonstrated notes noted says said states stated"
)
# nouns that make a spaced-out id a note's name: "in the knowledge conflict adaptive chameleon
# experiment" (the 1.5B, of note knowledge-conflict-adaptive-chameleon)
NAMING = wordset("study experiment paper method note work approach findings analysis")


@dataclass(frozen=True)
class Reading:
    """What the reading pass found in one line."""

    findings: tuple[Finding, ...]
    copied: float | None  # share of body words inside runs of RUN+ words copied from notes
    body_words: int
    copied_close: float | None = None  # the same share for runs of CLOSE_RUN+ words

    def count(self, kind: str) -> int:
        return sum(1 for f in self.findings if f.kind == kind)


Relatedness = Callable[[str, Sequence[str]], list[float]]


# -- the checks ----------------------------------------------------------------------------------


def read_line(
    line: Line,
    notes: Mapping[str, Note],
    *,
    titles: Iterable[str] = (),
    relatedness: Relatedness | None = None,
) -> Reading:
    """Every reading finding of ``line``. ``notes`` are the notes the line was made from (at
    least those it cites); ``titles`` more note titles a next line must not restate;
    ``relatedness`` gives the cosine of the question to each of some texts (off-question
    paragraphs are only looked for when it is given)."""
    findings: list[Finding] = []
    cited_notes = [notes[c] for p in line.body for c in p.cites if c in notes]
    every = list({n.id: n for n in [*cited_notes, *notes.values()]}.values())
    source = set()
    close: set[tuple[str, ...]] = set()
    for note in every:
        for said in note_sentences(note):
            source |= grams(tokens(said), RUN)
            close |= grams(tokens(said), CLOSE_RUN)

    question_words = [stem(t) for t in tokens(line.question)]
    opened_with_question = 0
    total = copied_total = close_total = 0
    earlier: list[tuple[int, str]] = []
    openers: dict[tuple[str, ...], int] = {}
    for p, paragraph in enumerate(line.body):
        for i, sentence in enumerate(paragraph.sentences):
            own = [notes[c] for c in sentence.cites if c in notes]
            add = _adder(findings, p, i, sentence.text)

            why = fragment(sentence.text, own or cited_notes, first_in_paragraph=i == 0)
            if why:
                add("fragment", why)
            words = tokens(sentence.text)
            mask = copied_mask(words, source, RUN)
            total += len(words)
            copied_total += sum(mask)
            close_total += sum(copied_mask(words, close, CLOSE_RUN))
            if words and sum(mask) / len(words) >= COPIED_SENTENCE:
                add("copied", f"{sum(mask)} of {len(words)} words copied in runs of {RUN}+")
            if META.search(sentence.text):
                add("meta", "speaks of the notes instead of the subject")
            turned = misstated(sentence.text, " ".join(_said(n) for n in own))
            if own and turned:
                add("misstated", turned)
            connective = CONNECTIVE.search(sentence.text)
            if connective and not any(
                CONNECTIVE.search(s) and connective.group(0).lower() in s.lower()
                for n in own
                for s in note_sentences(n)
            ):
                add(
                    "connective",
                    f"{connective.group(0)!r} relates findings in a way no cited note states",
                )
            stems = [stem(t) for t in words[:5]]
            if len(stems) >= 4 and find_run(question_words, stems[:4]) >= 0:
                opened_with_question += 1
                if opened_with_question > 1:
                    add("repeated_opener", "opens with the question's own words again")
            if i == 0:
                key = tuple(words[:3])
                if key in openers:
                    add("repeated_opener", f"opens as paragraph {openers[key] + 1} does")
                openers.setdefault(key, p)
            same = next(
                (
                    q
                    for q, text in earlier
                    if q != p and content_overlap(sentence.text, text) >= SAME_POINT
                ),
                None,
            )
            if same is not None:
                add("repeated_point", f"makes a point paragraph {same + 1} made")
        earlier += [(p, s.text) for s in paragraph.sentences]

    if relatedness is not None and line.body and line.answered:
        # a paragraph bears on the question through its prose or through the questions its
        # notes answer (their titles): restated findings alone can sit far from an abstract
        # question (dev5: PopQA's adaptive retrieval at 0.16 to "can a model's own uncertainty
        # decide when to retrieve"), while a note on another subject is far by both
        texts = [" ".join(s.text for s in p.sentences) for p in line.body]
        asks = [[notes[c].title for c in p.cites if c in notes] for p in line.body]
        cosines = relatedness(line.question, texts + [t for a in asks for t in a])
        at = len(texts)
        for p, text_cosine in enumerate(cosines[: len(texts)]):
            cosine = max([text_cosine, *cosines[at : at + len(asks[p])]])
            at += len(asks[p])
            if cosine < OFF_QUESTION:
                findings.append(
                    Finding(
                        "off_question",
                        "body",
                        p,
                        -1,
                        texts[p],
                        f"bears little on the question (cosine {cosine:.2f})",
                    )
                )

    findings += _insight(line, every, source)
    prose = {w for n in every for s in note_sentences(n) for w in tokens(WIKI_LINK.sub(" ", s))}
    findings += _outside_body(line, [i for i in notes if i not in prose])
    findings += _contradiction(line, cited_notes)
    findings += _next_lines(line, [*(n.title for n in every), *titles])
    return Reading(
        tuple(findings),
        round(copied_total / total, 4) if total else None,
        body_words=total,
        copied_close=round(close_total / total, 4) if total else None,
    )


def _said(note: Note) -> str:
    """All a note says: its title, summary and body."""
    return f"{note.title} {note.summary} {note.body}"


def _adder(findings: list[Finding], paragraph: int, index: int, text: str) -> Callable[..., None]:
    def add(kind: str, detail: str) -> None:
        findings.append(Finding(kind, "body", paragraph, index, text, detail))

    return add


def insight_text(insight: str) -> str:
    head, _, rest = insight.partition(":")
    return rest.strip() if head.lower().startswith("the thing you didn") else insight.strip()


def _outside_body(line: Line, ids: Sequence[str]) -> list[Finding]:
    """Framing and insight speaking of the notes; any part naming a note by one of ``ids``: a
    note's id is for citing ("orca-explanation-tuning" is no phrase). The caller leaves out ids
    that the notes use as words themselves ("chain-of-verification"); spaced out, an id is
    often a natural phrase ("synthetic data reduces sycophancy"), so it counts only as the
    subject of a report ("PopQA adaptive retrieval popularity found that …")."""
    out = []
    spaced = [i for i in ids if i.count("-") >= 2]
    parts = [("framing", -1, -1, line.framing), ("insight", -1, -1, line.insight)]
    for p, paragraph in enumerate(line.body):
        parts += [("body", p, i, s.text) for i, s in enumerate(paragraph.sentences)]
    parts += [("next", -1, k, q) for k, q in enumerate(line.next_lines)]
    for part, at, index, text in parts:
        if part in ("framing", "insight") and META.search(text):
            out.append(Finding("meta", part, at, index, text, "speaks of the notes"))
        words = tokens(text)
        named = [i for i in ids if i in words] + [
            i for i in spaced if _reported(words, i.split("-")) or _half_spaced(text, i)
        ]
        if named:
            detail = f"names a note by its id ({named[0]})"
            out.append(Finding("note_id", part, at, index, text, detail))
    return out


def _half_spaced(text: str, note_id: str) -> bool:
    """Whether ``text`` writes ``note_id`` with some of its hyphens and not others ("semantic
    entropy-confabulation-detection flags …"): no phrase is spelt so, whatever follows it."""
    parts = note_id.split("-")
    flat = tokens(text.replace("-", " "))
    if find_run(flat, parts) < 0:
        return False
    lowered = text.lower()
    joins = [f"{a}-{b}" in lowered for a, b in itertools.pairwise(parts)]
    return any(joins) and not all(joins)


def _reported(words: Sequence[str], run: Sequence[str]) -> bool:
    """Whether ``run`` stands in ``words`` as the subject of a reporting verb, or as the name
    of a study ("the … experiment")."""
    at = find_run(words, run)
    return at >= 0 and at + len(run) < len(words) and words[at + len(run)] in REPORTING | NAMING


def _insight(line: Line, notes: Sequence[Note], source: set[tuple[str, ...]]) -> list[Finding]:
    text = insight_text(line.insight)
    if not text:
        return []

    def found(detail: str) -> list[Finding]:
        return [Finding("insight_copy", "insight", -1, -1, text, detail)]

    said = [s.text for p in line.body for s in p.sentences]
    body_grams = set().union(*(grams(tokens(s), RUN) for s in said)) if said else set()
    words = tokens(text)
    mask = copied_mask(words, source | body_grams, RUN)
    if words and sum(mask) / len(words) >= COPIED_SENTENCE:
        return found(f"{sum(mask)} of {len(words)} words copied from the body or a note")
    for sentence in said:
        if content_overlap(text, sentence) >= SAME_POINT:
            return found(f"restates a body sentence: {sentence!r}")
    for note in notes:
        for sentence in split_sentences(note.summary):
            if content_overlap(text, sentence) >= SAME_POINT:
                return found(f"restates the claim of {note.id}")
    return []


def stated_answer(line: Line) -> str:
    """The yes / no the line states as its answer (framing and first paragraph), or ''."""
    texts = [line.framing, *(s.text for s in line.body[0].sentences[:1])] if line.body else []
    for text in texts:
        for sentence in split_sentences(text):
            match = re.search(
                r"\banswers?(?: is)?,?\s*(?:[^.]{0,60}?,\s*)?(yes|no)\b", sentence, re.I
            )
            if match:
                return match.group(1).lower()
            found = polarity(sentence)
            if found:
                return found
    return ""


def _contradiction(line: Line, cited: Sequence[Note]) -> list[Finding]:
    said = stated_answer(line)
    if not said:
        return []
    answers = {
        n.id: polarity(answer_lead(n.summary))
        for n in cited
        if answer_lead(n.summary) and same_question(n.title, line.question)
    }
    answers = {k: v for k, v in answers.items() if v}
    if answers and all(v != said for v in answers.values()):
        return [
            Finding(
                "contradiction",
                "framing",
                -1,
                -1,
                line.framing,
                f"answers {said!r} where {', '.join(sorted(answers))} answer "
                f"{'/'.join(sorted(set(answers.values())))!r} in their own words",
            )
        ]
    return []


def _next_lines(line: Line, titles: Sequence[str]) -> list[Finding]:
    out = []
    for k, question in enumerate(line.next_lines):
        kind, detail = next_problem(question, titles, asked=line.question)
        if kind:
            out.append(Finding(kind, "next", -1, k, question, detail))
    return out


def next_problem(question: str, titles: Sequence[str], asked: str = "") -> tuple[str, str]:
    """The kind of fault of a next line and why, or ('', ''). ``asked``: the line's question,
    which a next line may narrow but not ask again."""
    if GENERIC_NEXT.search(question):
        return "next_generic", "a template question"
    if META_NEXT.search(question):
        return "next_meta", "asks about the notes"
    if UNNAMED_NEXT.search(question) and not any(
        re.search(r"[A-Z0-9]", w) for w in question.split()[1:]
    ):
        return "next_generic", "asks of a model or method it does not name"
    plain = _plain(question)
    if any(plain == _plain(t) or content_overlap(question, t) >= 0.85 for t in titles):
        return "next_title", "restates a note's title"
    own = content(question)
    if asked and own and len(own & content(asked)) / len(own) >= ECHOED:
        return "next_question", "asks the line's own question again"
    return "", ""


def _plain(text: str) -> str:
    return " ".join(tokens(text))
