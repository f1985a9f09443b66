"""Numbers as a reader reads them: another form of the note's number is supported, a changed
number is not (quantities.py, through facts.missing_numbers)."""

from __future__ import annotations

import pytest

from inquirer.facts import missing_entities, missing_numbers
from inquirer.quantities import read


@pytest.mark.parametrize(
    ("sentence", "note"),
    [
        ("Over 28,000 players signed up.", "The league had 30,811 players."),  # a bound
        ("More than 50% of answers were wrong.", "93% of answers were wrong."),
        ("It was released before 2016.", "It was released in 2015."),  # a year's bound
        ("It began in the 1990s.", "It began in 1994."),  # a decade
        ("The panel had 15 members.", "The panel had fifteen members."),  # words and digits
        ("The panel had fifteen members.", "The panel had 15 members."),
        ("They trained twenty-five models.", "They trained 25 models."),
        ("A dozen raters took part.", "12 raters took part."),
        ("About 28,000 people came.", "28,211 people came."),  # rounding
        ("The constant is 3.1.", "The constant is 3.14."),
        ("About 45% agreed.", "43% agreed."),  # an approximation
        ("50% of users left.", "Half of users left."),  # a share given in words
        ("25% of runs failed.", "One in four runs failed."),
        ("5% of cases were affected.", "5-10% of cases were affected."),  # a range of shares
        ("Accuracy was 43%.", "Accuracy was 0.43."),  # a decimal as a share
        ("A 70 billion parameter model.", "Llama-2-70B was used."),  # shorthand spelt out
        ("Drops of up to 13 points.", "Accuracy fell by up to 13%."),
        ("It used under a billion parameters.", "A 770M-parameter checker."),
    ],
)
def test_another_form_of_the_notes_number_is_supported(sentence: str, note: str) -> None:
    assert missing_numbers(sentence, [note]) == []


@pytest.mark.parametrize(
    ("sentence", "note", "missing"),
    [
        ("LIMA won 63% of comparisons.", "LIMA won 43% of comparisons.", ["63%"]),
        ("Over 50% of answers were wrong.", "43% of answers were wrong.", ["50%"]),  # bound fails
        ("It was released in 2000.", "It was released in 2015.", ["2000"]),  # no rounding years
        ("It was released after 2016.", "It was released in 2015.", ["2016"]),
        ("40% agreed.", "43% agreed.", ["40%"]),  # a small number is not rounded
        ("Nearly 50% agreed.", "43% agreed.", ["50%"]),  # too far for an approximation
        ("Models lost up to 13 points.", "Two models lost 2 points.", ["13"]),  # not the maximum
        ("It improved by 2%.", "It improved by 0.5%.", ["2%"]),  # 'by' bounds only a year
        ("It improved by 2%.", "PaLM 2 improved it.", ["2%"]),  # a share needs a share
        ("They tried ten and twelve layers.", "They tried 22 layers.", ["ten", "twelve"]),
    ],
)
def test_a_changed_number_is_still_missing(sentence: str, note: str, missing: list[str]) -> None:
    assert missing_numbers(sentence, [note]) == missing


def test_quantities_carry_their_qualifier_share_and_precision() -> None:
    over, year, share = read("over 28,000 players before 2016 and about 45% of them")
    assert (over.value, over.relation, over.precision) == (28_000, ">=", 1_000)
    assert (year.value, year.relation, year.year) == (2016, "<=", True)
    assert (share.value, share.relation, share.share) == (45, "~", True)
    assert [q.value for q in read("two studies agree on two thirds; one model")] == []


def test_a_name_is_found_whatever_its_accents() -> None:
    note = "He smuggled drugs for the Medellín Cartel."
    # the opening capital names nothing; 'Seal' is missing, 'Medellin Cartel' is not
    assert missing_entities("Barry Seal worked for the Medellin Cartel.", [note]) == ["Seal"]
    assert missing_entities("He worked for the MEDELLÍN cartel.", [note]) == []


def test_a_name_spelt_out_before_the_acronym_the_note_uses_is_found() -> None:
    note = "DPO matched or beat PPO-based RLHF on sentiment control."
    spelt = "DPO replaces Reinforcement Learning from Human Feedback (RLHF) with a classifier."
    assert missing_entities(spelt, [note]) == []
    unknown = "DPO replaces Proximal Policy Optimization (PPO2) with a classifier."
    assert missing_entities(unknown, [note]) == ["Proximal", "Policy", "Optimization", "PPO2"]


def test_exact_numbers_take_another_spelling_but_no_rounding_or_bound() -> None:
    # what a line restating its notes may write: the note's number, in words or digits
    assert missing_numbers("The panel had fifteen members.", ["It had 15."], exact=True) == []
    assert missing_numbers("Accuracy was 43%.", ["Accuracy was 0.43."], exact=True) == []
    # the 1.5B's "exponents of around 0.096" of a note whose exponents are 0.076, 0.095, 0.050
    kaplan = ["exponents of about 0.076, 0.095 and 0.050"]
    assert missing_numbers("exponents of around 0.096", kaplan) == []  # a claim may round
    assert missing_numbers("exponents of around 0.096", kaplan, exact=True) == ["0.096"]
    assert missing_numbers("Over 28,000 came.", ["30,811 came."], exact=True) == ["28,000"]
