"""Whether a span the model wrote says only what its notes say: no negation or comparison
they lack, and not many words of its own. Shared by the restatements and the insight."""

from __future__ import annotations

import re
from difflib import SequenceMatcher

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
    negation = unsaid_negation(text, note)
    if negation:
        return f"it says {negation!r} where the note does not"
    compared = unsaid_comparison(text, note)
    if compared:
        return f"it says {compared!r}, a comparison its note does not make"
    trend = unsaid_trend(text, note)
    if trend:
        return f"it says {trend!r}, a change its note does not give of the same thing"
    proportion = unsaid_proportion(text, note)
    if proportion:
        return f"it says {proportion!r}, which its note does not"
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
