"""Checks that need no model: does every number and named entity of a sentence appear in the
notes it cites? A number the notes never state is the commonest way a cited sentence goes
wrong (43% becomes 63%, 88% becomes 98%), and a name the notes never mention (a model, a
benchmark, a dataset) usually means a claim borrowed from another note. Pure functions."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from . import quantities

APOSTROPHES = "'\u2019"
TOKEN = re.compile(rf"[^\W_]+(?:[-.{APOSTROPHES}/][^\W_]+)*")
ALNUM = re.compile(r"[^\W_]+")


def numbers(text: str) -> set[str]:
    """Every number in ``text``, canonical (quantities.py reads them): digits with commas and
    decimals, number words from 'two' up ('a thousand', 'twenty-five'); 'one' is too often a
    pronoun to count."""
    return {q.key for q in quantities.read(text)}


def missing_numbers(sentence: str, documents: Iterable[str], *, exact: bool = False) -> list[str]:
    """The numbers of ``sentence`` that none of ``documents`` bears out, as the sentence
    writes them. A number is borne
    out by the same value in any spelling, or by the value its rounding, bound ('over
    28,000') or approximation ('about 45%') allows; a share ('2%') only by a share — the
    1.5B wrote "outperformed the SFT baseline by 2% and 3%" of a note whose 2 and 3 stood for
    other things ("PaLM 2"); two such claims of evals/claims.jsonl are labelled
    not_enough_info, and no supported one has a share its note lacks. With ``exact`` only the
    same value bears a number out (the composer's restatements: "exponents of around 0.096" was
    written of a note whose exponent is 0.095)."""
    missing = {q.text: q.value for q in quantities.unsupported(sentence, documents, exact=exact)}
    return sorted(missing, key=lambda k: missing[k])


def entities(sentence: str) -> list[str]:
    """Tokens that name something: with a capital letter after the first character (PaLM,
    AlpacaEval), letters mixed with digits (GPT-4, 70B), or capitalized anywhere but at the
    start of the sentence (Llama, Anthropic)."""
    out: list[str] = []
    for position, match in enumerate(TOKEN.finditer(sentence)):
        token = re.sub(rf"[{APOSTROPHES}]s$", "", match.group(0)).strip("." + APOSTROPHES)
        if not token or not any(ch.isalpha() for ch in token):
            continue
        inner_capital = any(ch.isupper() for ch in token[1:])
        mixed = any(ch.isdigit() for ch in token)
        capitalized = token[0].isupper() and position > 0
        if inner_capital or mixed or capitalized:
            out.append(token)
    return list(dict.fromkeys(out))


def missing_entities(sentence: str, documents: Iterable[str]) -> list[str]:
    """The named things of ``sentence`` that no document mentions. A name counts as mentioned
    when the document has it whole (any case) or has every letter-and-digit piece of it as a
    word ('Llama-2-70B' is found in '... Llama 2 70B ...'); plain lower-case pieces are
    not names ('GSM8K-style' needs only 'GSM8K'). Accents do not count ('Medellin' is
    'Medellín')."""
    text = _folded(" ".join(documents))
    words = set(ALNUM.findall(text))
    spelt = _spelt_out(sentence, words)
    missing = []
    for name in entities(sentence):
        if name in spelt:
            continue
        lowered = _folded(name)
        pieces = [_folded(p) for p in ALNUM.findall(name) if not p.islower() or p == name]
        if lowered in text or all(p in words or _plural(p) in words for p in pieces):
            continue
        missing.append(name)
    return missing


SPELT_OUT = re.compile(
    r"((?:[A-Z][\w-]*\s+(?:(?:from|of|for|and|to|with|on|in)\s+)?)+)\(([A-Z][\w-]*)\)"
)


def _spelt_out(sentence: str, words: set[str]) -> set[str]:
    """The words of the sentence that spell out an acronym the documents use ('Reinforcement
    Learning from Human Feedback (RLHF)' of a note that says 'RLHF'): the acronym names the
    thing, and the note need not spell it out."""
    out: set[str] = set()
    for match in SPELT_OUT.finditer(sentence):
        if _folded(match.group(2)) in words:
            out |= set(match.group(1).split())
    return out


def _folded(text: str) -> str:
    """``text`` in lower case without accents."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _plural(word: str) -> str:
    return word[:-1] if word.endswith("s") and len(word) > 3 else word + "s"
