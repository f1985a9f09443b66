"""The words numbers are written in: units, tens and scales ("twenty-five", "a dozen", "3B"),
fractions ("half"), ordinals ("tenth"), and the words that look like numbers but state no fact
("one of", "a single"). The vocabulary quantities.py reads numbers with."""

from __future__ import annotations

import re

UNITS = {
    "one": 1,
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
}
TENS = {
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
SCALES = {
    "hundred": 100,
    "thousand": 1_000,
    "million": 1_000_000,
    "billion": 1_000_000_000,
    "trillion": 1_000_000_000_000,
}
SUFFIXES = {"k": 1_000, "m": 1_000_000, "b": 1_000_000_000, "t": 1_000_000_000_000}
# after a number word: a fraction ("two thirds"), or the line counting its own evidence ("two
# studies agree"), which is no fact a note must state
NOT_FACTS = {
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
}
# shares a note may give in words, as percentages
FRACTIONS = {
    "half": 50.0,
    "a third": 100 / 3,
    "one third": 100 / 3,
    "two thirds": 200 / 3,
    "two-thirds": 200 / 3,
    "a quarter": 25.0,
    "one quarter": 25.0,
    "three quarters": 75.0,
    "three-quarters": 75.0,
    "a fifth": 20.0,
    "a tenth": 10.0,
}
# ordinals a note may spell out ("Mahler's Eighth Symphony" states the 8 of "Symphony No. 8")
ORDINALS = {
    "first": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "fifth": 5,
    "sixth": 6,
    "seventh": 7,
    "eighth": 8,
    "ninth": 9,
    "tenth": 10,
    "eleventh": 11,
    "twelfth": 12,
}
ORDINAL = re.compile(r"\b(" + "|".join(ORDINALS) + r")\b", re.IGNORECASE)
