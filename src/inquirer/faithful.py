"""Whether a span the model wrote says only what its notes say: no misspelt name, negation,
comparison, change or connective they lack (the directions in directions.py), and not many
words of its own. Shared by the restatements, the insight and revision."""

from __future__ import annotations

import re
from collections.abc import Callable
from difflib import SequenceMatcher

from .directions import (
    AHEAD,
    BEHIND,
    FALLS,
    RISES,
    crossed_trend,
    fused_contrast,
    moved_against,
    unsaid_always,
    unsaid_comparison,
    unsaid_contrast,
    unsaid_size,
    unsaid_trend,
)
from .wording import STOP, content, split_sentences, stem, tokens

CONNECTIVE = re.compile(  # words that relate two findings
    r"\b(?:"
    r"aligns with|in line with|consistent with|consistently with|which shows|"
    r"which suggests|which means|which confirms|this shows|this suggests|this confirms|"
    r"confirms the claim|confirms the finding|contradicts the claim|"
    r"contradicts the finding|contradicts the view|because|as demonstrated by|"
    r"as evidenced by|as shown by|as seen in|supports the claim|supporting the claim|"
    r"similarly|likewise|therefore|thus|hence"
    r")\b",
    re.IGNORECASE,
)

REPORTS = (  # verbs by which a sentence names its source: "<note id> found that …"
    r"(?:found|finds|find|shows?|showed|reports?|reported|suggests?|suggested|argues?|argued|"
    r"demonstrates?|demonstrated|notes?|noted|states?|stated|says|said|concludes?|concluded)"
)
NEGATION = re.compile(r"\b(?:not|no|never|cannot|without|neither|nor)\b|n't\b", re.I)
JOINING = content(  # words that join or report findings, which a span may add
    "tension trade-off trade cost limit limits alike same shared share common pattern mechanism "
    "effect effects together both differ different difference depends depend conditions holds "
    "hold whereas while unlike like similar similarly contrast gap side sides point points way "
    "ways kind account explain explains found finds study studies report reported reports "
    "showed shows demonstrated result results using used across various"
)


def added_words(text: str, source: str, most: float) -> list[str]:
    """The content words of ``text`` that ``source`` lacks, when they are more than ``most`` of
    them (words that only join or report findings aside); [] otherwise. Of the 96 body
    sentences of the dev runs, those with the largest share were the ones that misstated their
    note ("LoRA … leading to … faster inference", where its note says no added latency)."""
    own = content(text)
    novel = sorted(own - content(source) - JOINING)
    return novel if own and len(novel) / len(own) > most else []


# a clause a small model tacks on after the finding: ", and the assistant did not harm any
# participants" (dev runs, of a note that says nothing of participants)
TAIL = re.compile(
    r",\s+(?:and|while|with|by|which|thereby|but|leading|resulting|making|allowing)\b"
)
TAIL_NOVEL = 0.5


# a word near one of its note's that is neither that word nor a form of it: a token the model
# was kept from copying and swapped mid-word ("fine-turing" of "fine-tuning", "text-davinci-0003"
# of "text-davinci-003"), or two of the note's words run together ("harmlessrequests")
NEAR_MISS = 0.8  # SequenceMatcher ratio to the note's word
SAME_ENDS = (
    3  # letters a misspelling shares at each end with its word (derivations differ at the end)
)
JOINED_PART = 4  # the least letters of each part of two words run together


def misspelt(text: str, source: str) -> list[str]:
    """The words of ``text`` that misspell a word of ``source`` or run two of its words
    together; [] when none does."""
    known = {t.removesuffix("'s") for t in tokens(source)}
    stems = {stem(w) for w in known}
    out = []
    for word in dict.fromkeys(t.removesuffix("'s") for t in tokens(text)):
        if len(word) < 5 or word in known or stem(word) in stems or not word[0].isalpha():
            continue
        # a number's digits may change at its end ("text-davinci-03"): only its start must match
        numeric = any(c.isdigit() for c in word)
        near = any(
            w[:SAME_ENDS] == word[:SAME_ENDS]
            and (numeric or w[-SAME_ENDS:] == word[-SAME_ENDS:])
            and SequenceMatcher(None, w, word).ratio() >= NEAR_MISS
            for w in known
            if abs(len(w) - len(word)) <= 2
        )
        joined = "-" not in word and any(
            word[:i] in known and word[i:] in known and not {word[:i], word[i:]} & STOP
            for i in range(JOINED_PART, len(word) - JOINED_PART + 1)
        )
        if near or joined:
            out.append(word)
    return out


# a name's letters as written, its case kept: "LLaMA", "GPT-4o", "RLHF"
CASED = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:[-.][A-Za-z0-9]+)*")


def _a_name(word: str) -> bool:
    """Whether ``word``'s case is part of it: capitals after its first letter, and small
    letters ("LLaMA", "PaLM", "ChatGPT", "GPT-4o"). An acronym in capitals only is left out:
    the notes' "MATH", "DROP" and "SAFE" are also words a sentence may use; so is a title's
    "Inference-Time", each part capitalised."""
    letters = [c for c in word if c.isalpha()]
    titled = all(p[:1].isupper() and p[1:] == p[1:].lower() for p in re.split(r"[-.]", word))
    return (
        any(c.isupper() for c in letters[1:]) and any(c.islower() for c in letters) and not titled
    )


def miscased(text: str, source: str) -> list[str]:
    """The names of ``source`` that ``text`` writes in a case the source never does ("LLAMA's"
    and "Llama" of a note's "LLaMA", "QLora" of "QLoRA"); a capital that only opens a sentence
    is no fault, nor is a name written small, which is also a word. [] when none is. Over
    the 1,512 cited body sentences of the committed runs it found 22, all of them garbled
    names ("LORA", "Lora", "QLORA", "LLAMA", "PRoRL", "Big-Bench" for "BIG-Bench")."""
    forms: dict[str, set[str]] = {}
    for word in CASED.findall(source):
        forms.setdefault(word.lower(), set()).add(word)
    out = []
    for word in dict.fromkeys(CASED.findall(text)):
        known = forms.get(word.lower(), set())
        if word == word.lower():  # "quality" of a note naming the QuALITY set: a word
            continue
        if word in known or not any(_a_name(k) for k in known):
            continue
        if any(word == k[:1].upper() + k[1:] for k in known):
            continue
        out.append(word)
    return out


def added_tail(text: str, source: str) -> list[str]:
    """The content words of ``text``'s closing clause that ``source`` lacks, when they are half
    of that clause's or more; [] otherwise. Of the 5 dev-run restatements this finds, 3 had
    tacked an invention on ("…, leading to lower GPU memory usage and faster inference", of a
    note that says LoRA adds no latency); the other 2 reworded their note faithfully, and are
    only asked for once more."""
    tails = list(TAIL.finditer(text))
    if not tails:
        return []
    own = content(text[tails[-1].start() :]) - JOINING
    novel = sorted(own - content(source))
    return novel if len(own) >= 2 and len(novel) / len(own) >= TAIL_NOVEL else []


def unsaid_negation(text: str, source: str) -> str:
    """The negation ``text`` makes where ``source`` makes none, or ''."""
    negation = NEGATION.search(text)
    return negation.group(0) if negation and not NEGATION.search(source) else ""


# what a sentence that reports a result says: a reporting verb (not "says", which a prompt
# does too), a comparison, a change, or a verb of outcome. A summary's first sentence with none
# of them tells how a study was done ("Hubinger et al. (2024) trained backdoored 'sleeper
# agent' models, …"; "Anthropic's 'defection probes' are linear classifiers on …")
RESULT = re.compile(
    r"\b(?:found|finds?|shows?|showed|shown|reports?|reported|suggest\w*|argu\w*|demonstrat\w*|"
    r"conclud\w*|match\w*|perform\w*|reach\w*|surviv\w*|fail\w*|predict\w*|"
    r"improv\w*|hurt\w*|harm\w*|help\w*|comparabl\w*|equivalent|tend\w*|persist\w*|"
    r"remain\w*|transfer\w*|generali[sz]\w*|caus\w*|lead\w*|led|exceed\w*|possible|"
    r"enough|suffic\w*|only|worse|better|more|less|fewer|same|prefer\w*|estimat\w*|"
    r"drift\w*|behav\w*|\w+er than)\b|\d%",
    re.I,
)


def only_setup(text: str, claim: str) -> bool:
    """Whether ``text``, written to restate a note's ``claim`` (its summary without the answer
    words), says only how the study was done: the claim's first sentence reports no result,
    a later one does, and ``text`` has none of the later sentences' own words. Of the 300
    single-cited body sentences of the dev runs it names 12, all method descriptions (T0,
    ActAdd, proxy-tuning, the defection probes), which left out what the question turned on."""
    sentences = split_sentences(claim)
    if len(sentences) < 2 or any(
        side.search(sentences[0]) for side in (RESULT, AHEAD, BEHIND, RISES, FALLS)
    ):
        return False
    later = content(" ".join(sentences[1:])) - content(sentences[0])
    return bool(later) and not content(text) & later


def unsaid_relation(claim: str, evidence: str) -> str:
    """How ``claim`` relates, negates or compares where ``evidence`` does not, or '': a
    connective ("because", "which aligns with") the evidence never uses, a negation where it
    makes none, or one side ahead where it puts none ahead. Of the line sentences labelled by
    hand (evals/line_claims.jsonl), the unsupported ones invent a cause or an agreement ("…,
    which aligns with the claim that LLMs cannot self-correct")."""
    connective = CONNECTIVE.search(claim)
    if connective and connective.group(0).lower() not in evidence.lower():
        return connective.group(0)
    return unsaid_negation(claim, evidence) or unsaid_comparison(claim, evidence)


# a restatement rewords, so it may bring more words of its own: at 0.4 the three dev-run
# sentences above it all misstated their notes, while "LoRA keeps pace with full fine-tuning"
# (of "matches", 0.38) passes
RESTATED_NOVEL = 0.4


# "90 comparisons out of 89": two numbers set in a proportion, which their note must set so too
PROPORTION = re.compile(r"\b(\d[\d,.]*)\s+(?:[a-z-]+\s+){0,2}out of\s+(\d[\d,.]*)", re.I)


def unsaid_proportion(text: str, note: str) -> str:
    """The "N … out of M" of ``text`` that ``note`` does not state as N of M, or ''."""
    for match in PROPORTION.finditer(text):
        n, m = (re.escape(g.rstrip(".,")) for g in match.groups())
        if not re.search(rf"\b{n}\b[^.;]{{0,40}}\b(?:out of|of)\s+(?:the\s+)?{m}\b", note):
            return match.group(0)
    return ""


# what a span may not say that its note does not, and how the refusal names it
NOTE_CHECKS: tuple[tuple[Callable[[str, str], str | bool], str], ...] = (
    (unsaid_negation, "it says {!r} where the note does not"),
    (unsaid_comparison, "it says {!r}, a comparison its note does not make"),
    (unsaid_trend, "it says {!r}, a change its note does not give of the same thing"),
    (crossed_trend, "it says {!r} in the setting where its note has it go the other way"),
    (moved_against, "it says {!r} of what its note moves the other way"),
    (unsaid_size, "it says {!r}, a comparison its note does not make"),
    (unsaid_always, "it says {!r}, where its note does not say the finding always held"),
    (unsaid_contrast, "it sets its finding against another by {!r}, which its note does not"),
    (fused_contrast, "it joins into one claim two findings its note sets against each other"),
    (unsaid_proportion, "it says {!r}, which its note does not"),
)


def misstated(text: str, notes: str) -> str:
    """Why ``text`` says which way something goes (a negation, comparison, change, contrast,
    "always", a proportion) where ``notes``, the text of the notes it cites, do not, or ''.
    The reading pass's check of every body sentence: the composer holds its restatements to
    it, and a sentence another system wrote, or one the judge passed, is read the same way."""
    for check, why in NOTE_CHECKS:
        found = check(text, notes)
        if found:
            return why.format(found)
    return ""


def departure(text: str, note: str, context: str = "") -> str:
    """Why ``text``, written to say what ``note`` (a note's title, claim and body) says, says
    something else, or '': a misspelt word, a negation, comparison, trend or connective the
    note does not make, too many words of its own or a closing clause of them. ``context``
    holds words it may use besides the note's (the question's). Shared by the composer's
    restatements and the sentences revision rewrites (dev10 q070's rewrite added "as evidenced
    by the Alpaca model's performance" to a note that says nothing of Alpaca)."""
    typos = misspelt(text, f"{note} {context}") + miscased(text, f"{note} {context}")
    if typos:
        return f"it misspells {', '.join(typos)}"
    turned = misstated(text, note)
    if turned:
        return turned
    connective = CONNECTIVE.search(text)
    if connective and connective.group(0).lower() not in note.lower():
        return f"it relates findings by {connective.group(0)!r}, which its note does not"
    novel = added_words(text, f"{note} {context}", RESTATED_NOVEL)
    if novel:
        return f"it says what its note does not ({', '.join(novel[:5])})"
    tacked = added_tail(text, f"{note} {context}")
    if tacked:
        return f"its closing clause says what its note does not ({', '.join(tacked[:5])})"
    return ""
