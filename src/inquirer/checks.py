"""Checks on what a model wrote, applied to every sentence before a user sees it: cut back
to whole sentences, strip narration about "the notes", and drop repeats, prompt leaks and
tokens of another script. Also reads sentences out of a paragraph's JSON as it streams."""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Sequence

from . import prompts
from .wording import grams

PROMPTS = (
    "agent_plan",
    "agent_judge",
    "compose_framing",
    "compose_restate",
    "compose",
    "compose_insight",
    "compose_next",
    "verify_revise",
)


NOTES = r"(?:both |these |the |two )?notes?(?:\s+[\w-]+(?:\s+and\s+[\w-]+)?)?"
VERBS = r"(?:also\s+)?(?:suggest|show|indicate|note|say|state|argue|find|report|add|support)s?"
META = (  # narration about "the notes" instead of the claims: cut it, keep the claim
    re.compile(rf"^{NOTES},\s*(?:taken together|together|combined),\s*", re.IGNORECASE),
    re.compile(r"^(?:taken together|together|combined|in summary),\s*", re.IGNORECASE),
    re.compile(rf"^according to {NOTES},\s*", re.IGNORECASE),
    re.compile(rf"\b{NOTES}\s+{VERBS}\s+(?:that\s+)?", re.IGNORECASE),
    re.compile(rf"^{VERBS}\s+(?:that\s+)?", re.IGNORECASE),  # left after the first cut
)
# a full stop that ends a sentence (not one of "et al.", "e.g.", "i.e.", "vs.", "cf.")
SENTENCE_END = re.compile(
    r"(?<!\bal)(?<!\be\.g)(?<!\bi\.e)(?<!\bvs)(?<!\bcf)[.!?][\"')\]]*(?=\s|$)"
)
WORD = re.compile(r"[^\W_]+")


def finish(text: str) -> str:
    """Cut back to the last full sentence (a step cut off at its length limit runs on)."""
    text = " ".join(text.split())
    ends = [m.end() for m in SENTENCE_END.finditer(text)]
    return text[: ends[-1]] if ends else ""


def foreign_script(text: str, allowed: str) -> bool:
    """True when ``text`` has letters of a script that ``allowed`` (the question) has not:
    a small model sometimes leaks a token of another script."""

    def scripts(s: str) -> set[str]:
        return {
            unicodedata.name(ch, "?").split()[0] for ch in s if ch.isalpha() and ord(ch) > 0x24F
        }

    return bool(scripts(text) - scripts(allowed))


def words(text: str) -> list[str]:
    return WORD.findall(text.lower())


def overlap(a: str, b: str) -> float:
    wa, wb = set(words(a)), set(words(b))
    return len(wa & wb) / max(1, min(len(wa), len(wb)))


def leaks(text: str, secret_texts: Sequence[str], run: int = 8) -> bool:
    """True when ``text`` repeats ``run`` consecutive words of any of ``secret_texts``."""
    mine = grams(words(text), run)
    return any(mine & grams(words(secret), run) for secret in secret_texts)


def clean_sentence(text: str, *, question: str, earlier: Sequence[str]) -> str:
    """The sentence as it may be shown, or '' when it must be dropped: meta-narration
    stripped, cut back to a full sentence, and dropped if it is a repetition, leaks a
    prompt, or strays into another script."""
    for pattern in META:
        text = pattern.sub("", text.strip())
    text = finish(text)
    if text and text[0].islower():
        text = text[0].upper() + text[1:]
    if len(words(text)) < 4:
        return ""
    if any(overlap(text, e) >= 0.8 for e in earlier):
        return ""
    if foreign_script(text, question) or leaks(text, prompt_texts()):
        return ""
    return text


CLOSED_SENTENCE = re.compile(
    r'\{\s*"text"\s*:\s*("(?:[^"\\]|\\.)*")\s*,\s*"cites"\s*:\s*\[([^\]]*)\]\s*\}'
)


def closed_sentences(partial_json: str) -> list[tuple[str, list[str]]]:
    """The sentence objects already complete in a paragraph's JSON as it streams."""
    out = []
    for text, cites in CLOSED_SENTENCE.findall(partial_json):
        try:
            out.append((str(json.loads(text)), [str(c) for c in json.loads(f"[{cites}]")]))
        except json.JSONDecodeError:
            break
    return out


def prompt_texts() -> list[str]:
    return [prompts.load(name) for name in PROMPTS]
