"""Line -> Verdict: the external verifier pass (FORMAT.md, Verification).

Every body sentence is checked against the notes it cites: the numbers and names it states must
appear in them (facts.py), and a panel of judges (judges.py) gives the probability that the
cited notes, read together, support it; ``Rule`` turns both into supported / partial /
unsupported. From the labels come ALCE citation recall and precision. Then the line as a whole:
cited ids exist and were read, sources are exactly the cited notes with their own summaries,
every part of FORMAT.md is there, and next lines are novel and answerable. Revision is
revise.py's job.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, replace

from .checks import words
from .facts import missing_entities, missing_numbers
from .faithful import unsaid_relation
from .framing import FRAMING_LEAD
from .insight import INSIGHT_LEAD, KEPT, NOT_ASKED, TRIED
from .judges import Panel
from .reading import Relatedness, read_line
from .types import Failure, Line, NextCheck, Note, Sentence, SentenceCheck, Verdict

EXCERPT_WORDS = 120  # body words a judge sees beside a note's claim
SENTENCE_BREAK = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9(\[])")


def excerpt(body: str, claim: str, limit: int = EXCERPT_WORDS) -> str:
    """The body sentences that share the most words with ``claim`` (numbers count double),
    up to ``limit`` words, in the body's own order."""
    return " ".join(supporting_sentences(body, claim, limit))


def supporting_sentences(body: str, claim: str, limit: int = EXCERPT_WORDS) -> list[str]:
    """The sentences of ``body`` a judge reads for ``claim`` (see excerpt), in order; the TUI
    highlights them when it shows a cited note."""
    wanted = {w for w in words(claim) if len(w) > 3 or w.isdigit()}
    sentences = split_sentences(body)

    def weight(sentence: str) -> int:
        shared = wanted & set(words(sentence))
        return sum(2 if w.isdigit() else 1 for w in shared)

    ranked = sorted(range(len(sentences)), key=lambda i: (-weight(sentences[i]), i))
    chosen: list[int] = []
    count = 0
    for i in ranked:
        size = len(sentences[i].split())
        if weight(sentences[i]) == 0 or (chosen and count + size > limit):
            continue
        chosen.append(i)
        count += size
    return [sentences[i] for i in sorted(chosen)]


def split_sentences(text: str) -> list[str]:
    """``text`` in sentences, whitespace made single."""
    return [s for s in SENTENCE_BREAK.split(" ".join(text.split())) if s]


def note_document(note: Note, claim: str | None = None) -> str:
    """A note as a judge reads it: its claim (the summary), then its whole body or, given the
    claim to check, the body sentences that bear on it — a judge model reads a short document
    several times faster (DESIGN.md: prompt processing dominates a judge call)."""
    body = note.body if claim is None else excerpt(note.body, claim)
    source = ""
    if note.source is not None:
        parts = [note.source.title, note.source.authors, str(note.source.year or "")]
        source = "\n\nSource: " + ", ".join(p for p in parts if p)
    return f"{note.summary}\n\n{body}{source}".replace("\n\n\n\n", "\n\n")


def joint_document(notes: Sequence[Note], claim: str) -> str:
    """Several cited notes as one document, each introduced by its id."""
    if len(notes) == 1:
        return note_document(notes[0], claim)
    return "\n\n".join(f"[{n.id}]\n{note_document(n, claim)}" for n in notes)


@dataclass(frozen=True)
class Rule:
    """How checks and judges combine into a sentence's label (README, Verification):

    - unsupported: a number of the sentence appears in none of its cited notes; or it relates,
      negates or compares where none of them does ("because", "which aligns with", "not",
      "outperformed"; faithful.unsaid_relation); or the judges' mean probability of support for
      the cited notes together is below ``threshold``;
    - partial: the judges support it, but a name of the sentence (a model, benchmark, dataset)
      appears in none of its cited notes, or their probability is below ``confident``;
    - supported: otherwise.
    """

    threshold: float = 0.5
    confident: float = 0.5
    names_veto: bool = False  # names missing make a sentence unsupported, not partial


class Verifier:
    """Checks a line against the notes it cites. ``panel`` may be None: then only the checks
    that need no model run, and sentences the numbers do not fail are labelled partial."""

    def __init__(
        self,
        panel: Panel | None,
        *,
        rule: Rule | None = None,
        followups: Callable[[str, Sequence[str]], list[NextCheck]] | None = None,
        relatedness: Relatedness | None = None,
        titles: Callable[[], Sequence[str]] | None = None,
        reading_fails: bool = True,
    ) -> None:
        self.panel = panel
        self.rule = rule or Rule()
        self.followups = followups
        self.relatedness = relatedness
        self.titles = titles  # every note title in the corpus, for the next lines' check
        self.reading_fails = reading_fails  # False: reading findings are listed, not failures

    def verify(
        self,
        line: Line,
        notes: Mapping[str, Note],
        read: Collection[str],
        on_check: Callable[[SentenceCheck], None] | None = None,
    ) -> Verdict:
        """The verdict on ``line``. ``notes`` holds the notes as they are now (every cited id
        that exists); ``read`` the ids the agent read when it wrote the line. ``on_check`` hears
        of each sentence as soon as it is judged."""
        start = time.perf_counter()
        failures = [*self._citation_failures(line, notes, read), *part_failures(line)]
        failures += self._source_failures(line, notes)
        sentences = []
        for p, paragraph in enumerate(line.body):
            for i, sentence in enumerate(paragraph.sentences):
                check = self._sentence(p, i, sentence, notes)
                sentences.append(check)
                if on_check is not None:
                    on_check(check)
                failures += [
                    Failure("number", f"paragraph {p + 1}, sentence {i + 1}: {problem}")
                    for problem in check.problems
                    if problem.startswith("number")
                ]
        next_checks = (
            tuple(self.followups(line.question, line.next_lines)) if self.followups else ()
        )
        failures += [
            Failure(
                "next_line",
                f"{c.question!r} is {'' if c.novel else 'not novel'}"
                f"{'' if c.novel or c.answerable else ' and '}"
                f"{'' if c.answerable else 'not answerable from the corpus'}",
            )
            for c in next_checks
            if not (c.novel and c.answerable)
        ]
        unsupported = any(s.label == "unsupported" for s in sentences)
        reading = read_line(
            line,
            notes,
            titles=self.titles() if self.titles else (),
            relatedness=self.relatedness,
        )
        return Verdict(
            status="failed"
            if failures or unsupported or (reading.findings and self.reading_fails)
            else "passed",
            sentences=tuple(sentences),
            citation_recall=citation_recall(sentences),
            citation_precision=citation_precision(sentences),
            failures=tuple(failures),
            next_lines=next_checks,
            judges=self.panel.names if self.panel else (),
            seconds=round(time.perf_counter() - start, 3),
            reading=reading.findings,
            copied=reading.copied,
        )

    # -- one sentence ---------------------------------------------------------------------------

    def check(self, sentence: Sentence, notes: Mapping[str, Note]) -> SentenceCheck:
        """One sentence against the notes it cites, as a line's sentence would be judged (the
        eval suite scores the verifier on labelled claims this way)."""
        return self._sentence(0, 0, sentence, notes)

    def _sentence(
        self, paragraph: int, index: int, sentence: Sentence, notes: Mapping[str, Note]
    ) -> SentenceCheck:
        base = SentenceCheck(paragraph, index, sentence.text, sentence.cites, "uncited", None)
        cited = [notes[c] for c in sentence.cites if c in notes]
        if not sentence.cites:
            return base
        if not cited:
            return replace(base, label="unsupported", problems=("cites no note that exists",))
        full = [note_document(n) for n in cited]
        problems = [
            f"number {v} appears in no cited note" for v in missing_numbers(sentence.text, full)
        ]
        # measured on the dev halves from cached judge answers (benchmarks/verifier_eval.py):
        # mean balanced accuracy 0.704 -> 0.708; line sentences (test) 0.667 -> 0.750
        relation = unsaid_relation(sentence.text, "\n\n".join(full))
        if relation:
            problems.append(f"{relation!r}: no cited note says so")
        names = [
            f"name {n!r} appears in no cited note" for n in missing_entities(sentence.text, full)
        ]
        if self.panel is None or problems:  # what no cited note states: no judge needed
            label = "unsupported" if problems else "partial"
            return replace(base, label=label, problems=tuple(problems + names))
        scores = self.panel.scores(joint_document(cited, sentence.text), sentence.text)
        support = sum(scores.values()) / len(scores)
        if support < self.rule.threshold or (names and self.rule.names_veto):
            label = "unsupported"
        elif names or support < self.rule.confident:
            label = "partial"
        else:
            label = "supported"
        if support < self.rule.threshold:
            problems.append(
                f"the judges give support {support:.2f} (below {self.rule.threshold:.2f})"
            )
        imprecise = self._imprecise(cited, sentence.text) if label == "supported" else ()
        return replace(
            base,
            label=label,
            support=round(support, 4),
            problems=tuple(problems + names),
            imprecise=imprecise,
            scores={k: round(v, 4) for k, v in scores.items()},
        )

    def _imprecise(self, cited: Sequence[Note], claim: str) -> tuple[str, ...]:
        """ALCE: a citation is imprecise when its note alone does not support the sentence and
        the other cited notes without it still do."""
        if len(cited) < 2 or self.panel is None:
            return ()
        out = []
        for note in cited:
            if self.panel.support(joint_document([note], claim), claim) >= self.rule.threshold:
                continue
            rest = [n for n in cited if n.id != note.id]
            if self.panel.support(joint_document(rest, claim), claim) >= self.rule.threshold:
                out.append(note.id)
        return tuple(out)

    # -- the line as a whole --------------------------------------------------------------------

    @staticmethod
    def _citation_failures(
        line: Line, notes: Mapping[str, Note], read: Collection[str]
    ) -> list[Failure]:
        cited = dict.fromkeys(c for p in line.body for c in p.cites)
        out = [
            Failure("unknown_note", f"cited note '{c}' does not exist")
            for c in cited
            if c not in notes
        ]
        out += [
            Failure("unread_note", f"cited note '{c}' was not read when the line was written")
            for c in cited
            if c in notes and c not in read
        ]
        return out

    @staticmethod
    def _source_failures(line: Line, notes: Mapping[str, Note]) -> list[Failure]:
        out = []
        cited = list(dict.fromkeys(c for p in line.body for c in p.cites))
        listed = [s.note_id for s in line.sources]
        if listed != [c for c in cited if c in notes]:
            out.append(
                Failure(
                    "sources",
                    "the sources are not exactly the cited notes in order of first citation",
                )
            )
        for source in line.sources:
            note = notes.get(source.note_id)
            if note is not None and source.summary != note.summary:
                out.append(
                    Failure(
                        "summary", f"the summary of '{source.note_id}' differs from the note's own"
                    )
                )
        return out


def _no_insight(line: Line) -> str:
    """Why ``line`` has no insight, as its trace tells."""
    steps = [s.detail for s in line.evidence.trace if s.kind == "compose"]
    told = next((d for d in steps if d.startswith(NOT_ASKED)), "")
    if told:
        return told.removeprefix("insight: ")
    if any(d.startswith(KEPT) for d in steps):
        return "revision dropped it (the changes say why)"
    failed = sum(d.startswith(TRIED) for d in steps)
    if failed:
        return f"none of {failed} tries passed the checks"
    return "there were not two findings to join"


def part_failures(line: Line) -> list[Failure]:
    """Every part FORMAT.md requires, present and in its form."""
    out = []
    if not line.question.strip():
        out.append(Failure("part", "the question is missing"))
    if not line.framing.startswith(FRAMING_LEAD):
        out.append(Failure("part", f"the framing does not open with '{FRAMING_LEAD} …'"))
    if not 3 <= len(line.body) <= 5:
        out.append(Failure("part", f"the body has {len(line.body)} paragraphs, not 3 to 5"))
    if not line.insight.strip():
        out.append(Failure("part", f"the line has no insight: {_no_insight(line)}"))
    elif not line.insight.startswith(INSIGHT_LEAD) or len(line.insight) <= len(INSIGHT_LEAD) + 3:
        out.append(Failure("part", f"the insight does not begin '{INSIGHT_LEAD}' and go on"))
    if not line.sources:
        out.append(Failure("part", "there are no sources"))
    if not 3 <= len(line.next_lines) <= 5:
        out.append(Failure("part", f"there are {len(line.next_lines)} next lines, not 3 to 5"))
    return out


def citation_recall(sentences: Sequence[SentenceCheck]) -> float | None:
    """ALCE citation recall: the share of sentences fully supported by their cited notes."""
    if not sentences:
        return None
    return round(sum(s.label == "supported" for s in sentences) / len(sentences), 4)


def citation_precision(sentences: Sequence[SentenceCheck]) -> float | None:
    """ALCE citation precision: the share of citations that contribute support — a citation
    of a sentence that is not supported contributes none."""
    total = sum(len(s.cites) for s in sentences)
    if not total:
        return None
    precise = sum(len(s.cites) - len(s.imprecise) for s in sentences if s.label == "supported")
    return round(precise / total, 4)
