"""Which way a span's comparisons, changes and contrasts go: each only as its note has them
(one side ahead, a size "lower than", a rise or fall, "always", two findings its note sets
against each other). Part of what faithful.py holds a span to."""

from __future__ import annotations

import re
from collections.abc import Iterator

from .wording import STOP, content, split_sentences

# which way a comparison goes: a span may say one side won only where its note does
# (the 1.5B turned "LoRA matches full fine-tuning" into "LoRA outperforms full fine-tuning")
AHEAD = re.compile(r"\b(?:outperform\w*|surpass\w*|beat|beats|beaten|superior|better)\b", re.I)
BEHIND = re.compile(
    r"\b(?:underperform(?:s|ed|ing)?|inferior|worse|falls? behind|fell behind|falls? short|"
    r"fell short|lags?|lagged|trails?|trailed)\b",
    re.I,
)
# ("exceeds" and "best" are left out: notes use them of other things, "the dataset exceeds the
# adapter's capacity", "the best learning rate", which once let "outperforms" through)
GENERIC = content("other others one ones")  # "far worse than others": no thing of its own


def unsaid_comparison(text: str, source: str) -> str:
    """The word by which ``text`` says one side is ahead (or behind) where no sentence of
    ``source`` says so of the same thing, or ''. The thing is what follows the word in its
    clause ("outperformed ChatGPT"): the 1.5B wrote "each model outperformed ChatGPT" of a note
    whose only "better" was of "better-pretrained bases", and "LoRA falls behind when the
    learning rate is about 10x" of a note where it falls behind when the data exceeds its
    capacity. A comparison that ends its clause needs only the word. The thing is looked for
    after the source's word: "a 4K model with retrieval outperformed a 16K-window model", of
    a note where the 4K model matched the 16K one and another model "beat GPT-3.5-turbo-16k"."""
    sentences = split_sentences(source)
    for side in (AHEAD, BEHIND):
        for said in side.finditer(text):
            clause = re.split(r"[.;:,!?]", text[said.end() :], maxsplit=1)[0]
            thing = content(" ".join(clause.split()[:4])) - GENERIC
            if not any(
                not thing or thing & content(s[ahead.end() :])
                for s in sentences
                for ahead in side.finditer(s)
            ):
                return said.group(0)
    return ""


# which way a quantity moves: a span may say something rises (or falls) only where its note
# says so of the same thing (dev12 q088 wrote "test cross-entropy grows as a power law" of a
# note where it falls and only data and budgets grow; a make run line had Sclar et al.'s format
# "sensitivity increasing with model size" of a note where it persists)
RISES = re.compile(
    r"\b(?:increas\w*|ris(?:e|es|ing)|rose|risen|grow(?:s|n|ing)?|grew|climb\w*|"
    r"rais(?:e|es|ed|ing)|boost\w*)\b",
    re.I,
)
FALLS = re.compile(
    r"\b(?:decreas\w*|declin\w*|fall(?:s|ing|en)?|fell|drop(?:s|ped|ping)?|shr[iau]nk\w*|"
    r"diminish\w*|reduc\w*|cut|cuts|cutting|halv\w*|lower(?:s|ed|ing)|erod\w*|erosion|degrad\w*)\b",
    re.I,
)
TREND_NEAR = 4  # the words of a span's clause on each side of its word: what moves, and how
NOTE_NEAR = 8  # the words on each side of the note's word that may name the same things
ROOT = 5  # letters two words must share at their start to count as one ("harmful", "harmfulness")


def _roots(words: list[str]) -> set[str]:
    return {w[:ROOT] for w in content(" ".join(words))}


CONDITION = re.compile(r"(?:as|when|while|once|if)", re.I)


def _along(lead: list[str], source: str) -> bool:
    """Whether ``lead``, the words before a rise or fall that ends its sentence, makes it a
    clause of the axis a finding is measured along ("loss keeps falling when parameters, data
    and compute grow", of a note where loss falls "in parameters, data and compute"): a
    "when", "as" or the like, then only things ``source`` names."""
    marks = [i for i, word in enumerate(lead) if CONDITION.fullmatch(word)]
    axis = _roots(lead[marks[-1] + 1 :]) if marks else set()
    return bool(axis) and axis <= _roots(source.split())


def unsaid_trend(text: str, source: str) -> str:
    """The word by which ``text`` says something rises or falls where no sentence of ``source``
    says so of the same thing, or ''. The thing is what the span's clause names after its word
    (what is changed: "reduced sycophancy", "grows as a power law"), else before it (what
    changes: "accuracy fell"); the note must name it within a few words either side of a word
    of the same direction, so "harmfulness was raised by fine-tuning" holds for a note's
    "fine-tuning raised harmfulness"."""
    sentences = [s.split() for s in split_sentences(source)]
    for side in (RISES, FALLS):
        for said in side.finditer(text):
            before = re.split(r"[.;:,!?]", text[: said.start()])[-1].split()[-TREND_NEAR:]
            after = re.split(r"[.;:,!?]", text[said.end() :], maxsplit=1)[0].split()[:TREND_NEAR]
            changed = _roots(after)
            thing = changed or _roots(before)
            if not changed and _along(text[: said.start()].split()[-NOTE_NEAR:], source):
                continue
            if not any(
                not thing or thing & _roots(words[max(0, i - NOTE_NEAR) : i + 1 + NOTE_NEAR])
                for words in sentences
                for i, word in enumerate(words)
                if side.search(word)
            ):
                return said.group(0)
    return ""


def crossed_trend(text: str, source: str) -> str:
    """The word by which ``text`` says something rises (or falls) where ``source`` says the
    same thing both rises and falls, and ``text``'s clause shares more words with the sentence
    where it goes the other way, or ''. Of a note where scaling and instruction tuning increased
    sycophancy without RLHF and synthetic data reduced it, "PaLM models with synthetic data
    reduced sycophancy on opinion questions without RLHF" (a suite line) joins the first
    finding's setting to the second's direction."""
    sentences = split_sentences(source)

    def going(side: re.Pattern[str], thing: set[str]) -> list[set[str]]:
        """The root sets of the sentences where ``side`` moves ``thing``."""
        found = []
        for sentence in sentences:
            words = sentence.split()
            if any(
                side.search(word)
                and thing & _roots(words[max(0, i - NOTE_NEAR) : i + 1 + NOTE_NEAR])
                for i, word in enumerate(words)
            ):
                found.append(_roots(words))
        return found

    for side, other in ((RISES, FALLS), (FALLS, RISES)):
        for said in side.finditer(text):
            start = max(text.rfind(mark, 0, said.start()) for mark in ",;:.") + 1
            ends = [i for i in (text.find(m, said.end()) for m in ",;:") if i >= 0]
            clause = text[start : min(ends, default=len(text))]
            after = re.split(r"[.;:,!?]", text[said.end() :], maxsplit=1)[0].split()[:TREND_NEAR]
            thing = _roots(after)
            if not thing:
                continue
            words = _roots(clause.split()) - {said.group(0).lower()[:ROOT]}
            same, opposite = going(side, thing), going(other, thing)
            if (
                same
                and opposite
                and max(len(words & s) for s in opposite) > max(len(words & s) for s in same)
            ):
                return said.group(0)
    return ""


# a verb that moves a thing (suite q031: "… reduces out-of-distribution generalization by
# 4-7%", of a note where training "improves out-of-distribution generalization by 4-7%"):
# what the span's verb moves must be moved the same way by some verb of its note right before
# it. "Improves" raises what it governs here, though not among the trends above (where
# "improves accuracy" and "cuts error" would read as opposite changes of one thing).
BETTERS = re.compile(r"\b(?:improv\w*|enhanc\w*)\b", re.I)
GOVERNS = 3  # words before a note's thing in which its verb is looked for
# a thing's error or cost goes the other way to the thing ("improving calibration", of a note
# "cutting expected calibration error")
INVERSE = frozenset({"error", "errors", "loss", "gap", "cost", "costs"})
UNSAID = frozenset({"without", "not", "no", "never"})


def _way(word: str) -> str:
    if FALLS.fullmatch(word):
        return "down"
    return "up" if RISES.fullmatch(word) or BETTERS.fullmatch(word) else ""


def moved_against(text: str, source: str) -> str:
    """The verb by which ``text`` moves a thing one way where every verb of ``source`` right
    before that thing moves it the other, or ''. A verb after "without" or "not" moves
    nothing ("without increasing inference cost", of "cutting inference cost")."""
    said: list[str] = re.findall(r"[\w%.'-]+", text)
    held: list[str] = re.findall(r"[\w%.'-]+", source)
    for i, word in enumerate(said):
        way = _way(word)
        if not way or (i and said[i - 1].lower() in UNSAID):
            continue
        at = next(
            (k for k in range(i + 1, min(i + 4, len(said))) if said[k].lower() not in STOP), 0
        )
        root = said[at].lower()[:ROOT] if at else ""
        if len(root) < 4 or (at + 1 < len(said) and said[at + 1].lower() in INVERSE):
            continue  # "cut calibration error" moves the error, not the calibration
        ways = set()
        for j, other in enumerate(held):
            after = held[j + 1].lower() if j + 1 < len(held) else ""
            if other.lower()[:ROOT] != root or after in INVERSE:
                continue
            governing = [_way(w) for w in held[max(0, j - GOVERNS) : j] if _way(w)]
            if governing:
                ways.add(governing[-1])
        if ways and way not in ways:
            return word
    return ""


# "X is lower than Y": a comparison of size a span may make only where its note uses the same
# word (dev runs: "the hallucination rate is lower than the fraction of facts seen once", of a
# note where the rate is bounded *below* by that fraction; "resolved only 1.96% of issues, which
# is significantly lower than the human performance", of a note that gives no human figure).
# Before a number it is a quantity ("more than 99%", "lower than the 78.24% of humans"), which
# the quantity checks read; a note's "more slowly than" may be said "slower than".
COMPARED = re.compile(
    r"\b(higher|more|greater|larger|bigger|longer|faster|stronger|lower|less|fewer|smaller|"
    r"shorter|slower|weaker)\s+than\b(?!\s+(?:the\s+|about\s+|roughly\s+)?[\d$])",
    re.I,
)
# a note's comparison: the word before "than", or ending its clause ("cheaper and stronger."),
# not one that names a thing ("no such lower bound")
SAID_COMPARED = re.compile(r"\b(\w+)(?=\s+than\b|\s*[.,;:)]|\s+(?:and|or)\b|\s*$)", re.I)
ADVERB_COMPARED = re.compile(r"\b(?:more|less)\s+\w+ly\s+than\b", re.I)


def unsaid_size(text: str, source: str) -> str:
    """The "lower than" (or the like) of ``text`` whose word ``source`` never uses, or ''."""
    said = {m.group(1).lower() for m in SAID_COMPARED.finditer(source)}
    for match in COMPARED.finditer(text):
        word = match.group(1).lower()
        if word in said:
            continue
        if word not in ("more", "less") and ADVERB_COMPARED.search(source):
            continue
        return match.group(0)
    return ""


# how often a finding held: a span may say it held always or consistently only where its note
# says so (dev runs: "ChatGPT, GPT-4 and Claude consistently output better calibrated
# confidence", of a note where they "usually" did). "Not always" hedges, and may stand;
# "consistent with" relates two findings (the connective checks read it).
ALWAYS = re.compile(
    r"(?<!not )(?<!n't )(?<!not a )\b(?:always|consistently|consistent(?!\s+with)|invariabl[ey]|"
    r"uniform(?:ly)?|universal(?:ly)?|in (?:all|every) (?:case|setting|task)s?|"
    r"without exception)\b",
    re.I,
)


def unsaid_always(text: str, source: str) -> str:
    """The word by which ``text`` says a finding always held where ``source`` does not, or ''."""
    said = {m.group(0).lower()[:6] for m in ALWAYS.finditer(source)}
    for match in ALWAYS.finditer(text):
        if match.group(0).lower()[:6] not in said:
            return match.group(0)
    return ""


# a note sets two findings against each other ("RLVR … narrows coverage. Distillation …, by
# contrast, added new reasoning patterns"); a span that takes both into one claim with no
# contrast of its own fuses them (dev runs: "RLVR-trained models improve sampling efficiency
# and narrow coverage by adding new reasoning patterns through distillation", and "retrieval
# augmentation can improve … by increasing the number of pretraining documents" of "accuracy
# rises with the number of pretraining documents …, whereas retrieval augmentation reduces
# this dependence")
CONTRAST = re.compile(
    r"\b(?:by contrast|in contrast|unlike|whereas|however|on the other hand|instead|but|"
    r"while|yet|rather than|not)\b",
    re.I,
)
SETS_APART = re.compile(
    r"\b(?:by contrast|in contrast|conversely|however|on the other hand)\b", re.I
)
WHEREAS = re.compile(r"\bwhereas\b", re.I)
FUSED_LEAST = 2  # words a span must take from each side of the contrast


def contrasts(source: str) -> Iterator[tuple[str, str]]:
    """The (one side, the other side) of each contrast ``source`` draws: a sentence that sets
    itself against the one before it, or a "whereas" clause against the rest of its sentence."""
    sentences = split_sentences(source)
    for i, sentence in enumerate(sentences):
        if i and SETS_APART.search(sentence):
            yield sentences[i - 1], sentence
        whereas = WHEREAS.search(sentence)
        if whereas:
            yield sentence[: whereas.start()], sentence[whereas.end() :]


def unsaid_contrast(text: str, source: str) -> str:
    """The words by which ``text`` sets its finding against another ("In contrast, GPT-3.5 …
    demonstrated robust self-correction", suite q030, of a note where accuracy fell) where
    ``source`` sets none so, or ''. A restatement says what one note found; what it stands
    against is for the line to say."""
    said = SETS_APART.search(text)
    if not said or said.group(0).lower() in source.lower():
        return ""
    # mid-sentence it may join two clauses the note sets apart in words of its own ("…; however,
    # when evidence supporting their memory is presented …", of a note's "but when")
    opens = not re.sub(r"^[^,]*,\s*", "", text[: said.start()]).strip() or re.match(
        r"\s+to\b", text[said.end() :]
    )
    return said.group(0) if opens or not CONTRAST.search(source) else ""


def fused_contrast(text: str, source: str) -> bool:
    """Whether a clause of ``text`` joins, with no contrast of its own, words ``source`` uses
    only on one side of a contrast it draws and words it uses only on the other. Each side in
    a clause of its own may stand ("accuracy rises with …, with retrieval augmentation reducing
    this dependence")."""
    if CONTRAST.search(text):
        return False
    clauses = [content(clause) for clause in re.split(r"[,;:]", text)]
    for one, other in contrasts(source):
        a, b = content(one), content(other)
        elsewhere = content(source.replace(one, " ").replace(other, " "))
        only_a, only_b = a - b - elsewhere, b - a - elsewhere
        if any(min(len(own & only_a), len(own & only_b)) >= FUSED_LEAST for own in clauses):
            return True
    return False
