"""The framing of a line: "This explores …", one sentence of the model's on what the question asks
and where its tension lies (checked), then code's sentence on what the corpus answers. The
framing frames; it reports no finding, so a name or number of the notes that the question lacks
fails it (the 1.5B credited one note's author with another note's figure here, where no
verifier looks)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Protocol

from pydantic import BaseModel, Field

from . import prompts
from .checks import finish, foreign_script, leaks, overlap, prompt_texts
from .compose_prompt import MIN_SPAN, SEED
from .reading import META
from .types import Note, Step
from .wording import ANSWER_WORD, split_sentences, stem, tokens

FRAMING_LEAD = "This explores"
NEAR = f"{FRAMING_LEAD} what the corpus holds near this question."
UNANSWERED = "The corpus holds too little to answer this directly."
NEARBY = "What it holds nearby follows; it bears on the question without settling it."
# no note was found relevant: the line shows none (it showed notes on probing, MMLU's label
# errors and AlpaGasus below a question on Whisper, with nothing to say why they were near)
NOTHING = f"{FRAMING_LEAD} whether the corpus can answer this question."
NOTHING_NEAR = "Nothing it holds comes close enough to the question to show here."
# no note asks it: the line claims no yes or no, and says why in words that are true whatever the
# notes imply (dev8 q002 said "no single yes or no" where a note on forgetting answers it)
UNSETTLED = (
    "No note in the corpus asks it in these words, so no yes or no is given here; "
    "the question is shown from several sides."
)
SPLIT = (
    "Where the corpus asks this directly, its answers differ; "
    "the question is shown from several sides."
)
IN_PARTS = "The corpus answers it in parts, from several sides."  # a question not asked yes / no
POLAR = re.compile(
    r"^(?:do|does|did|is|are|was|were|can|could|should|would|will|has|have|had|must|may|might)\b",
    re.I,
)
FALLBACK = "the question through the studies that bear on it."  # when no try passes
TRIES = 2
# a framing's clause that goes on to claim what the notes show: "…, showing that while
# instruction tuning can teach a model the task, it does not …" (the README's question, whose
# notes answer "mostly the format"), "…, highlighting how these models differ in …" (of a corpus
# that holds no such difference). The framing frames; the sentence ends before the clause.
CLAIMING = re.compile(
    r",\s+(?:(?:by|through|while|and)\s+)?(?:showing|highlighting|examining|indicating|"
    r"suggesting|revealing|demonstrating|emphasi[sz]ing|arguing|finding|noting|concluding|"
    r"underscoring|illustrating)\b.*$",
    re.I,
)
# a framing's clause on how it goes about it: "… in vision-language models by comparing the
# performance of reverse-trained models with standard training models on tasks such as linking
# faces to names" (suite q042, of notes that compare no such thing), "…, by analyzing the results
# of various studies": 6 of the 71 framings of the committed runs since 2026-12-04, each a claim
# about studies the line does not have
BY_METHOD = re.compile(
    r",?\s+(?:by|through)\s+(?:comparing|contrasting|analy[sz]ing|investigating|examining|"
    r"studying|assessing|evaluating|exploring|looking at|reviewing|considering|discussing|"
    r"identifying)\b.*$",
    re.I,
)
EVIDENCED = re.compile(
    r",?\s+(?:as|which is|that is|this is)?\s*(?:evidenced|shown|demonstrated|supported|"
    r"suggested|highlighted|indicated|revealed)\s+by\s+(?:the\s+|various\s+|several\s+)*"
    r"(?:findings|studies|study|evidence|research|notes|results|papers|literature)\b.*$",
    re.I,
)


class FramingOut(BaseModel):
    text: str = Field(min_length=MIN_SPAN, max_length=360)


class Drafting(Protocol):
    """What the framing needs of the line in the making (composer.Draft)."""

    @property
    def question(self) -> str: ...
    @property
    def notes(self) -> Sequence[Note]: ...
    @property
    def proper(self) -> set[str]: ...
    @property
    def steps(self) -> list[Step]: ...

    framing_text: str

    def ask(
        self, task: str, schema: type[BaseModel], max_tokens: int, sample: int = 0
    ) -> BaseModel | None: ...

    def framing_fault(self, framing: str) -> str: ...


def answer_sentence(answer: str, question: str = "", asked: bool = False) -> str:
    """What the framing of a line the corpus answers says of the answer: the notes' own yes /
    no; that the notes asking it (``asked``) differ; or that no note asks it (for a question
    that asks "which" or "how", that the corpus answers it in parts)."""
    if answer:
        # "its answer is no, to a point", but "its answer is: they collapse"
        joined = " " if ANSWER_WORD.search(answer) else ": "
        return f"Where the corpus asks this directly, its answer is{joined}{answer}."
    if asked:
        return SPLIT
    return UNSETTLED if POLAR.match(question.strip()) else IN_PARTS


def unanswered(question: str, absent: Sequence[str], nearby: bool) -> str:
    """The framing of a line the corpus does not answer: that it does not, the question's words
    no note mentions (as the question writes them), and whether notes near it follow."""
    named = [_as_asked(word, question) for word in absent]
    missing = ""
    if named:
        quoted = [f"“{w}”" for w in named]
        listed = quoted[0] if len(quoted) == 1 else f"{', '.join(quoted[:-1])} or {quoted[-1]}"
        missing = f" No note in it mentions {listed}."
    if nearby:
        return f"{NEAR} {UNANSWERED}{missing} {NEARBY}"
    return f"{NOTHING} {UNANSWERED}{missing} {NOTHING_NEAR}"


def _as_asked(word: str, question: str) -> str:
    """``word`` (a search term, lower case) as ``question`` writes it: "whisper" -> "Whisper"."""
    found = re.search(rf"(?i)\b{re.escape(word)}\b", question)
    return found.group(0) if found else word


def write(draft: Drafting, answer: str) -> str:
    """The framing of ``draft``, closed by ``answer`` (answer_sentence); it becomes the draft's
    ``framing_text``, and each try set aside joins its steps with the reason."""
    task = prompts.load("compose_framing")
    text = ""
    for attempt in range(TRIES):
        out = draft.ask(task, FramingOut, 140, sample=SEED + attempt if attempt else 0)
        text = framed(str(getattr(out, "text", "")), draft.question)
        why = problem(text, draft)
        if not why:
            break
        draft.steps.append(Step("compose", f"framing set aside ({why}): {text}"))
        task = f"{prompts.load('compose_framing')}\n\nYour last sentence {why}; write it again."
        text = ""
    text = text or FALLBACK
    draft.framing_text = f"{FRAMING_LEAD} {text[0].lower()}{text[1:]} {answer}"
    return draft.framing_text


def framed(raw: str, question: str) -> str:
    """The model's framing cut to one sentence, with echoes of the lead and question removed:
    past one sentence a small model goes on to claims that no note makes."""
    text = finish(raw)
    text = split_sentences(text)[0] if text else ""
    for echo in (FRAMING_LEAD, question, FRAMING_LEAD):  # small models echo both
        if text.lower().startswith(echo.lower()):
            text = text[len(echo) :].lstrip(" ,:?")
    text = re.sub(rf"\s*\b{FRAMING_LEAD}\b\s*", " ", text).strip()
    # "…, as evidenced by the findings of various studies on …", "…, showing that …", "… by
    # comparing …": the framing frames; a clause that vouches for it, claims a finding or says
    # how studies went about it is cut
    cut = EVIDENCED.search(text) or CLAIMING.search(text) or BY_METHOD.search(text)
    if not cut:
        return text
    kept = re.sub(r"(?:[\s,;]+(?:by|through|while|and|with|of))+$", "", text[: cut.start()])
    return f"{kept.rstrip(' ,;')}."


def problem(text: str, draft: Drafting) -> str:
    """Why a framing sentence fails, or ''."""
    if not text:
        return "was empty"
    asked = {stem(t) for t in tokens(draft.question)}
    reported = sorted(
        w
        for w in set(re.findall(r"\d[\d.,]*\d|[\w'-]+", text))
        if (any(c.isdigit() for c in w) or w in draft.proper) and stem(w.lower()) not in asked
    )
    if reported:
        return f"reports findings ({', '.join(reported)}) instead of framing the question"
    if any(overlap(text, n.summary) >= 0.8 for n in draft.notes):
        return "copies a note"
    if foreign_script(text, draft.question) or leaks(text, prompt_texts()) or META.search(text):
        return "is not about the subject"
    if draft.framing_fault(f"{FRAMING_LEAD} {text}"):
        return "reads badly"
    return ""
