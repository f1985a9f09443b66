"""Checks that need no model: does every number and named entity of a sentence appear in the
notes it cites? A number the notes never state is the commonest way a cited sentence goes
wrong (43% becomes 63%, 88% becomes 98%), and a name the notes never mention (a model, a
benchmark, a dataset) usually means a claim borrowed from another note. Pure functions."""

from __future__ import annotations

import re
from collections.abc import Iterable

UNITS = {
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
# after a number word: a fraction ("two thirds"), or the line counting its own evidence ("two
# studies agree"), which is no fact a note must state
NOT_FACTS = [
    "thirds",
    "quarters",
    "fifths",
    "tenths",
    "notes",
    "studies",
    "papers",
    "findings",
    "sources",
    "works",
    "results",
    "lines",
    "angles",
    "sides",
    "views",
    "perspectives",
    "ways",
    "accounts",
]
SCALES = {"hundred": 100, "thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000}
SUFFIXES = {"k": 1_000, "m": 1_000_000, "b": 1_000_000_000}
NUMBER = re.compile(r"(?<![\w.])(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?")
WORD_NUMBER = re.compile(
    r"\b(a|an|one|" + "|".join(UNITS) + r")[\s-]+(" + "|".join(SCALES) + r")\b"
    r"|\b(" + "|".join(UNITS) + r")\b(?![\s-]+(?:" + "|".join(NOT_FACTS) + r")\b)",
    re.IGNORECASE,
)
# a number given as a share: it is supported only by the same share, not by the same digits
# elsewhere (the 1.5B wrote "outperformed the SFT baseline by 2% and 3%" of a note whose 2 and 3
# stood for other things, "PaLM 2"; two such claims of evals/claims.jsonl are labelled
# not_enough_info, and no supported one has a share its note lacks)
PERCENT = re.compile(
    r"(?<![\w.])(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)\s*(?:%|percent\b|per cent\b)",
    re.IGNORECASE,
)
APOSTROPHES = "'\u2019"
DIGIT_SCALE = re.compile(r"(\d+(?:\.\d+)?)\s+(" + "|".join(SCALES) + r")\b", re.IGNORECASE)
TOKEN = re.compile(rf"[^\W_]+(?:[-.{APOSTROPHES}/][^\W_]+)*")
ALNUM = re.compile(r"[^\W_]+")


def _value(text: str) -> str:
    """A canonical form for a number, so that '1,000', '1000' and '1000.0' compare equal."""
    number = float(text.replace(",", ""))
    return f"{number:g}" if number < 1e15 else text


def numbers(text: str) -> set[str]:
    """Every number in ``text``, canonical: digits (with commas and decimals) and number words
    from 'two' up ('a thousand', 'three hundred'); 'one' is too often a pronoun to count."""
    found = {_value(m.group(0)) for m in NUMBER.finditer(text)}
    for match in WORD_NUMBER.finditer(text):
        unit, scale, alone = match.groups()
        if alone:
            found.add(_value(str(UNITS[alone.lower()])))
            continue
        base = UNITS.get(unit.lower(), 1)
        found.add(_value(str(base * SCALES[scale.lower()])))
    for match in DIGIT_SCALE.finditer(text):  # '70 billion'
        found.add(_value(str(float(match.group(1)) * SCALES[match.group(2).lower()])))
    return found


def expanded_numbers(text: str) -> set[str]:
    """``numbers`` plus what a note's shorthand stands for: '70B' is also 70 billion, '32K'
    also 32,000 — so that a sentence may spell out what the note abbreviates."""
    found = numbers(text)
    for match in re.finditer(r"(?<![\w.])(\d+(?:\.\d+)?)([kKmMbB])\b", text):
        found.add(_value(str(float(match.group(1)) * SUFFIXES[match.group(2).lower()])))
    return found


def percents(text: str) -> set[str]:
    """The numbers ``text`` gives as shares ("43%", "12 percent")."""
    return {_value(m.group(1)) for m in PERCENT.finditer(text)}


def missing_numbers(sentence: str, documents: Iterable[str]) -> list[str]:
    """The numbers of ``sentence`` that none of ``documents`` states; a share ("2%") counts
    as stated only where a document gives the same share."""
    stated: set[str] = set()
    shares: set[str] = set()
    for document in documents:
        stated |= expanded_numbers(document)
        shares |= percents(document)
    missing = (numbers(sentence) - stated) | (percents(sentence) - shares)
    return sorted(missing, key=lambda v: float(v))


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
    not names ('GSM8K-style' needs only 'GSM8K')."""
    text = " ".join(documents).lower()
    words = set(ALNUM.findall(text))
    missing = []
    for name in entities(sentence):
        lowered = name.lower()
        pieces = [p.lower() for p in ALNUM.findall(name) if not p.islower() or p == name]
        if lowered in text or all(p in words or _plural(p) in words for p in pieces):
            continue
        missing.append(name)
    return missing


def _plural(word: str) -> str:
    return word[:-1] if word.endswith("s") and len(word) > 3 else word + "s"
