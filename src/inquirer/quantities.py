"""Numbers as a reader reads them. A sentence may state a note's number in another form: in
words ("fifteen", "twenty-five", "a dozen"), rounded ("28,000" of 28,211), bounded ("over
28,000" of 30,811, "before 2016" of 2015), approximate ("about 45%" of 43%), or as a share
the note gives as a fraction ("50%" of "half"). Each of these is the note's number; a changed
number ("63%" of 43%, "over 50%" of 43%, "2000" of 2015) is not. Pure functions.

``read`` finds the quantities of a text, each with how it is qualified; ``supports`` says
whether a stated quantity (a note's) bears out a claimed one (a sentence's)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from .number_words import (
    FRACTIONS,
    NOT_FACTS,
    ORDINAL,
    ORDINALS,
    SCALES,
    SUFFIXES,
    TENS,
    UNITS,
)

Relation = Literal["=", "~", ">=", "<=", "max"]

# the words before a number that qualify it, longest first where one contains another
QUALIFIERS: tuple[tuple[str, Relation], ...] = (
    ("no more than", "<="),
    ("no fewer than", ">="),
    ("more than", ">="),
    ("greater than", ">="),
    ("higher than", ">="),
    ("larger than", ">="),
    ("at least", ">="),
    ("upwards of", ">="),
    ("in excess of", ">="),
    ("exceeding", ">="),
    ("exceeded", ">="),
    ("exceeds", ">="),
    ("over", ">="),
    ("above", ">="),
    ("beyond", ">="),
    ("after", ">="),
    ("since", ">="),
    ("later than", ">="),
    ("less than", "<="),
    ("fewer than", "<="),
    ("lower than", "<="),
    ("smaller than", "<="),
    ("at most", "<="),
    ("up to", "max"),
    ("as many as", "max"),
    ("as much as", "max"),
    ("under", "<="),
    ("below", "<="),
    ("before", "<="),
    ("prior to", "<="),
    ("earlier than", "<="),
    ("by", "<="),
    ("approximately", "~"),
    ("approx.", "~"),
    ("roughly", "~"),
    ("around", "~"),
    ("about", "~"),
    ("nearly", "~"),
    ("almost", "~"),
    ("close to", "~"),
    ("some", "~"),
    ("an estimated", "~"),
    ("estimated", "~"),
    ("circa", "~"),
    ("~", "~"),
)
TEMPORAL = {"after", "since", "later than", "before", "prior to", "earlier than", "by"}
ROUNDING = 0.03  # a plain round number may differ from the note's by this share ("28,000")
APPROXIMATE = 0.10  # "about", "nearly": this share either side
BOUND = 2.0  # "over", "under": the note's number lies within this factor of the bound
# "up to 13" names the largest value: the note's lies at most APPROXIMATE below it

AFTER_SCALE = "(?:" + "|".join(f"(?<={s})" for s in SCALES) + ")"
DIGITS = r"\d{1,3}(?:,\d{3})+|\d+"
WORD = "|".join([*UNITS, *TENS, *SCALES, "dozen"])
NUMBER = re.compile(
    rf"(?<![\w.])(?P<digits>(?:{DIGITS})(?:\.\d+)?|\.\d+)"
    rf"(?P<decade>s\b)?"
    rf"(?:(?P<suffix>[kKmMbBtT])\b)?"
    rf"(?:\s+(?P<scale>{'|'.join(SCALES)})s?\b)?"
    rf"(?P<plus>\+)?"
    rf"(?P<share>\s*(?:%|percent\b|per cent\b))?"
    rf"|\b(?P<words>(?:(?:a|an)[\s-]+)?(?:{WORD})(?:(?:[\s-]+|{AFTER_SCALE}\s+and\s+)(?:{WORD}))*)\b"
    rf"(?P<wordshare>\s*(?:%|percent\b|per cent\b))?",
    re.IGNORECASE,
)
FRACTION = re.compile(
    r"\b(" + "|".join(sorted(FRACTIONS, key=len, reverse=True)) + r")\b"
    r"|\b(?:one|1) in (\d+|" + "|".join([*UNITS, *TENS]) + r")\b",
    re.IGNORECASE,
)
RANGE_SHARE = re.compile(
    rf"({DIGITS}|\d+\.\d+)\s*(?:-|\u2013|\u2014|to)\s*({DIGITS}|\d+\.\d+)\s*(?:%|percent\b)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Quantity:
    """One number of a text: its value, whether it is a share (a percentage), a year or a
    decade, how the text qualifies it, and the unit of its last significant digit."""

    text: str
    value: float
    share: bool = False
    relation: Relation = "="
    precision: float = 1.0
    year: bool = False
    decade: bool = False

    @property
    def key(self) -> str:
        """A canonical form, so that '1,000', '1000' and '1000.0' compare equal."""
        return f"{self.value:g}"


def _words_value(text: str) -> float | None:
    """The value of number words ('twenty-five', 'a thousand', 'three hundred and two')."""
    total = 0.0
    current = 0.0
    seen = False
    for word in re.split(r"[\s-]+", text.lower()):
        if word in ("and", "a", "an", ""):  # 'a' counts as one only before a scale
            continue
        if word in UNITS:
            current += UNITS[word]
            seen = True
        elif word in TENS:
            current += TENS[word]
            seen = True
        elif word == "dozen":
            current = max(current, 1.0) * 12
            seen = True
        elif word == "hundred":
            current = max(current, 1.0) * 100
            seen = True
        elif word in SCALES:
            total += max(current, 1.0) * SCALES[word]
            current = 0.0
            seen = True
    return total + current if seen else None


def _qualifier(before: str, year: bool) -> Relation:
    """How the words just before a number qualify it; the words of time ('before', 'since',
    'by') qualify only a year ('improved by 2%' states a change, not a bound)."""
    tail = " " + " ".join(before.lower().split()[-3:])
    for phrase, relation in QUALIFIERS:
        if tail.endswith(("~" if phrase == "~" else " ") + phrase.lstrip("~")):
            if phrase in TEMPORAL and not year:
                return "="
            return relation
    return "="


def _digits_precision(digits: str) -> float:
    """The unit of the last significant digit of a number written in digits: '3.14' 0.01,
    '28,000' 1,000, '43' 1."""
    plain = digits.replace(",", "")
    if "." in plain:
        return 10.0 ** -len(plain.split(".")[1])
    stripped = plain.rstrip("0")
    zeros = len(plain) - len(stripped) if stripped else 0
    return 10.0**zeros if int(plain or "0") >= 100 else 1.0


def read(text: str) -> list[Quantity]:
    """Every quantity of ``text``, in order, with how the words before it qualify it. 'one'
    alone is too often a pronoun to count, and a number word counting the line's own evidence
    ('two studies') or a fraction ('two thirds') is no quantity."""
    out: list[Quantity] = []
    for match in NUMBER.finditer(text):
        before = text[: match.start()]
        if match.group("digits"):
            out.append(_digits_quantity(match, before))
            continue
        words = match.group("words")
        following = text[match.end() :].split()
        next_word = following[0].lower().strip(".,;:") if following else ""
        lowered = words.lower().strip()
        value = _words_value(words)
        if next_word in NOT_FACTS or lowered in ("one", "hundred") or value is None:
            continue
        out.append(
            Quantity(
                words.strip(),
                value,
                share=bool(match.group("wordshare")),
                relation=_qualifier(before, year=False),
                precision=1.0 if value < 100 else 10.0 ** (len(str(int(value))) - 2),
            )
        )
    return out


def _digits_quantity(match: re.Match[str], before: str) -> Quantity:
    """A number written in digits, with its suffix ('70B'), scale ('1.5 million'), '+', or
    '%'."""
    digits = match.group("digits")
    value = float(digits.replace(",", ""))
    precision = _digits_precision(digits)
    share = bool(match.group("share"))
    for multiplier in (
        SUFFIXES[match.group("suffix").lower()] if match.group("suffix") and not share else 1,
        SCALES[match.group("scale").lower()] if match.group("scale") else 1,
    ):
        value *= multiplier
        precision *= multiplier
    year = (
        re.fullmatch(r"\d{4}", digits) is not None
        and 1500 <= value <= 2100
        and not share
        and not match.group("scale")
    )
    relation = ">=" if match.group("plus") else _qualifier(before, year=year)
    return Quantity(
        match.group(0).strip(),
        value,
        share=share,
        relation=relation,
        precision=precision,
        year=year,
        decade=bool(match.group("decade")) and year,
    )


def stated(documents: Iterable[str]) -> list[Quantity]:
    """What ``documents`` state, as numbers a sentence may restate: every quantity (bounds
    and approximations of a note count as its numbers), each digit of a compound read also
    alone ('70B' is 70 and 70 billion), shares given in words ('half', 'one in four') or
    as ranges ('5-10%'), ordinals spelt out ('eighth' states 8), and decimals below 1 also
    as shares (0.43 is 43%)."""
    out: list[Quantity] = []
    for document in documents:
        for quantity in read(document):
            out.append(quantity)
            raw = re.match(r"[\d,.]+", quantity.text)
            if raw and raw.group(0).strip(",."):
                plain = float(raw.group(0).strip(",.").replace(",", "") or 0)
                if plain != quantity.value or quantity.share:
                    out.append(Quantity(raw.group(0), plain, precision=quantity.precision))
            if not quantity.share and 0 < quantity.value < 1:
                out.append(Quantity(quantity.text, quantity.value * 100, share=True))
        for match in FRACTION.finditer(document):
            if match.group(1):
                share = FRACTIONS[match.group(1).lower()]
            else:
                count = match.group(2).lower()
                denominator = float(count) if count.isdigit() else UNITS.get(count, TENS.get(count))
                if not denominator:
                    continue
                share = 100 / float(denominator)
            out.append(Quantity(match.group(0), share, share=True))
        for match in ORDINAL.finditer(document):
            out.append(Quantity(match.group(0), float(ORDINALS[match.group(1).lower()])))
        for match in RANGE_SHARE.finditer(document):
            low = float(match.group(1).replace(",", ""))
            out.append(Quantity(match.group(1), low, share=True))
    return out


def _rounds_to(value: float, claimed: Quantity) -> bool:
    """Whether ``value`` rounded at the claimed number's precision is the claimed number."""
    if claimed.year or claimed.precision <= 0 or claimed.value == 0:
        return False
    rounded = round(value / claimed.precision) * claimed.precision
    if abs(rounded - claimed.value) > claimed.precision * 1e-6:
        return False
    tolerance = ROUNDING if claimed.precision >= 1 else APPROXIMATE / 2
    return abs(value - claimed.value) / abs(claimed.value) <= tolerance


def supports(stated_: Quantity, claimed: Quantity) -> bool:
    """Whether a note's quantity bears out a sentence's: the same value, or the value the
    sentence's rounding, bound or approximation allows. A share is borne out only by a share;
    a year only by a year."""
    if claimed.share and not stated_.share:
        return False
    if claimed.decade:
        return stated_.year and claimed.value <= stated_.value < claimed.value + 10
    if claimed.year and not stated_.year and stated_.value != claimed.value:
        return False
    if stated_.value == claimed.value:
        return True
    y, x = stated_.value, claimed.value
    if claimed.relation == "=":
        return _rounds_to(y, claimed)
    if claimed.relation == "~" and claimed.year:
        return abs(y - x) <= 1
    if claimed.relation == "~":
        return (x != 0 and abs(y - x) / abs(x) <= APPROXIMATE) or _rounds_to(y, claimed)
    if claimed.relation == "max":
        return x * (1 - APPROXIMATE) <= y <= x
    within = claimed.year or (x / BOUND <= y <= x * BOUND if x > 0 else False)
    if claimed.relation == ">=":
        return y >= x and within
    return y <= x and within


def unsupported(sentence: str, documents: Iterable[str], *, exact: bool = False) -> list[Quantity]:
    """The quantities of ``sentence`` that nothing in ``documents`` bears out; with ``exact``,
    only the same value bears a quantity out (in any spelling: a line restating its notes keeps
    their numbers as they are, where a claim from elsewhere may round them)."""
    notes = stated(documents)

    def borne(s: Quantity, q: Quantity) -> bool:
        if exact:
            return s.value == q.value and (s.share or not q.share)
        return supports(s, q)

    return [q for q in read(sentence) if not any(borne(s, q) for s in notes)]
