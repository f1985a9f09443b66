"""Composing a line: the shape code decides (angles.py) and the checks every model span passes
before a reader sees it (composer.py), with a FakeLLM on a real store and the fake embedder.
The real model is in test_ask_e2e.py."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from conftest import FakeLLM, fake_retriever, write_note
from inquirer import angles
from inquirer.composer import Composer
from inquirer.config import Settings
from inquirer.framing import answer_sentence
from inquirer.insight import INSIGHT_LEAD, insight_sentence
from inquirer.next_lines import propose
from inquirer.reading import read_line
from inquirer.restatement import ANSWERS
from inquirer.retrieval import Retriever
from inquirer.types import Evidence, Note, ReadNote, SourceEntry, Step

QUESTION = "Does RLHF hurt the calibration of model probabilities?"
SUMMARIES = {
    "rlhf-calibration": "No, to a point: RLHF raises the expected calibration error of token "
    "probabilities from 0.02 to 0.11 on the same questions.",
    "verbal-confidence": "Confidence a model states in words is better calibrated after RLHF "
    "than its token probabilities are.",
    "temperature-scaling": "Temperature scaling fitted on held-out data repairs most of the "
    "calibration error that tuning adds.",
    "scale-calibration": "Larger pretrained models are better calibrated on multiple choice "
    "questions than smaller ones.",
}


@pytest.fixture
def retriever(settings: Settings, tmp_path: Path) -> Retriever:
    root = tmp_path / "corpus"
    titles = {
        "rlhf-calibration": "Does RLHF hurt the calibration of model probabilities?",
        "verbal-confidence": "Is confidence stated in words better calibrated?",
        "temperature-scaling": "Can temperature scaling repair calibration after tuning?",
        "scale-calibration": "Are larger models better calibrated?",
    }
    for note_id, summary in SUMMARIES.items():
        write_note(
            root,
            note_id,
            title=titles[note_id],
            summary=summary,
            body=f"{summary} The study measured it on several benchmarks with care.",
        )
    retriever: Retriever = fake_retriever(settings, root)
    return retriever


def evidence(retriever: Retriever, ids: tuple[str, ...] = tuple(SUMMARIES)) -> Evidence:
    notes = [retriever.read(i) for i in ids]
    read = tuple(ReadNote(n, True, "", k + 1) for k, n in enumerate(notes) if n is not None)
    return Evidence(QUESTION, read, ())


def note(note_id: str, links: tuple[str, ...] = ()) -> Note:
    return Note(note_id, f"{note_id}?", "A claim.", "", "", "", related=links)


# -- the shape -----------------------------------------------------------------------------------


def test_paragraphs_hold_the_notes_most_alike_and_keep_the_best_first() -> None:
    notes = [note(n) for n in "abcdef"]
    # a~d, b~e, c~f: pairs by likeness, not by rank
    vectors = np.eye(6)
    for i, j in ((0, 3), (1, 4), (2, 5)):
        vectors[i, j] = vectors[j, i] = 0.9
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    sims = angles.similarity(notes, vectors)
    read = [ReadNote(n, True, "", k) for k, n in enumerate(notes)]
    assert angles.groups(read, sims) == [[0, 3], [1, 4], [2, 5]]


def test_a_link_between_two_notes_draws_them_together() -> None:
    notes = [note("a", ("d",)), note("b"), note("c"), note("d")]
    sims = angles.similarity(notes, np.eye(4))
    read = [ReadNote(n, True, "", k) for k, n in enumerate(notes)]
    assert angles.groups(read, sims)[0] == [0, 3]


def test_three_to_five_paragraphs_as_the_notes_allow() -> None:
    assert [angles.paragraph_count(n) for n in (1, 2, 3, 4, 6, 7, 10, 14)] == [
        1,
        2,
        3,
        3,
        3,
        3,
        4,
        5,
    ]


def test_an_answer_is_settled_only_by_the_notes_own_words() -> None:
    asks = Note("a", QUESTION, "No, to a point: it rises.", "", "", "")
    agrees = Note("b", "Does RLHF hurt model calibration of probabilities?", "No.", "", "", "")
    other = Note("c", "Is stated confidence calibrated?", "Yes: it is.", "", "", "")
    assert angles.settled_answer(QUESTION, [asks, other]) == ("no, to a point", ("a",))
    assert angles.settled_answer(QUESTION, [asks, agrees]) == ("no", ("a", "b"))
    disagrees = Note("d", QUESTION, "Yes, largely: it falls.", "", "", "")
    assert angles.settled_answer(QUESTION, [asks, disagrees]) == ("", ("a", "d"))
    assert angles.settled_answer(QUESTION, [other]) == ("", ())  # another question's answer
    either = "Does tuning on an assistant's outputs transfer its capability or only its tone?"
    tone = Note("e", either, "Mostly the tone. Imitation copied style.", "", "", "")
    assert angles.settled_answer(either, [tone]) == ("mostly the tone", ("e",))


def test_a_lead_lowers_the_first_word_unless_it_is_a_name() -> None:
    proper = angles.proper_words([Note("a", "t?", "Scores of Llama rose.", "", "", "")])
    assert (
        angles.joined("Close to this,", "Models drift.", proper) == "Close to this, models drift."
    )
    assert (
        angles.joined("Close to this,", "Llama drifts.", proper) == "Close to this, Llama drifts."
    )
    assert angles.joined("Close to this,", "DPO drifts.", proper) == "Close to this, DPO drifts."
    # a name that owns what follows keeps its capital (q058 read "Close to this, anthropic's")
    assert angles.joined("So,", "Llama's scores drift.", proper) == "So, Llama's scores drift."
    assert angles.joined("", "Models drift.", proper) == "Models drift."
    proper.add("A")  # a note that writes "(A)" mid-sentence
    assert angles.joined("So,", "A model drifts.", proper) == "So, a model drifts."
    # a name of several capitalised words keeps its capital; a sentence's "The" does not
    assert angles.joined("So,", "Direct Preference Optimization drifts.", proper).startswith(
        "So, Direct Preference"
    )
    assert angles.joined("So,", "The Llama model drifts.", proper) == "So, the Llama model drifts."
    assert angles.joined("So,", "A Llama model drifts.", proper) == "So, a Llama model drifts."
    assert angles.joined("So,", "The study drifts.", {*proper, "The"}) == "So, the study drifts."
    assert angles.joined("Close to this,", "Qi et al. found it.", proper).endswith(
        " Qi et al. found it."
    )
    assert (
        angles.joined("So,", "Kung and Peng (2023) saw it.", proper)
        == "So, Kung and Peng (2023) saw it."
    )
    assert angles.lead_for(0, 0, 3, far=True) == ""  # the first paragraph never opens lateral
    assert angles.lead_for(2, 0, 3, far=True) == angles.LATERAL
    assert angles.lead_for(1, 1, 3, far=False) in angles.WITHIN


# -- the checks on each span ---------------------------------------------------------------------


def restated(*texts: str) -> dict[str, list[dict[str, object]]]:
    return {"RestatedOut": [{"text": t} for t in texts]}


def one_note(
    settings: Settings, tmp_path: Path, note_id: str, title: str, summary: str, question: str
) -> tuple[Retriever, Evidence]:
    """A retriever over one note written for the test, and the evidence of reading it."""
    root = tmp_path / "notes"
    write_note(root, note_id, title=title, summary=summary)
    retriever = fake_retriever(settings, root)
    note = retriever.read(note_id)
    assert note is not None
    return retriever, Evidence(question, (ReadNote(note, True, "", 1),), ())


def opener_shapes(llm: FakeLLM) -> list[str]:
    """The pattern each restatement's schema held its text to ('' for none), in call order."""
    return [
        s.model_json_schema()["properties"]["text"].get("pattern", "")
        for s in llm.schemas
        if s.__name__ == "RestatedOut"
    ]


def test_a_restatement_copied_from_its_note_is_asked_again_then_kept_as_the_least_copied(
    retriever: Retriever,
) -> None:
    copy = SUMMARIES["rlhf-calibration"].split(": ", 1)[1]
    copy = copy[0].upper() + copy[1:]
    less = (
        "After tuning, RLHF raises the expected calibration error of token probabilities: "
        "0.02 went to 0.11."
    )
    more = f"In this study, {copy[0].lower()}{copy[1:]}"
    llm = FakeLLM(restated(copy, less, more))
    line = Composer(llm, retriever).compose(evidence(retriever))
    said = [s.text for p in line.body for s in p.sentences]
    asks = [m for name, m in llm.history if name == "RestatedOut"]
    retry = asks[1][-1]["content"].split("Your last try", 1)[1]
    assert "set aside: it copies" in retry and copy not in retry  # the reason, not its words
    assert len(asks) >= 3  # three tries for the first note
    assert said[0] == less  # faithful, if not reworded: kept, and the verdict names it
    shapes = opener_shapes(llm)
    assert shapes[0] == "" and all(p.startswith("^(?:After|In|") for p in shapes[1:3])
    assert all(SUMMARIES["rlhf-calibration"] not in s for s in said)  # never the summary


def test_a_restatement_that_fails_every_try_is_left_out(retriever: Retriever) -> None:
    wrong = "Tuning raised the error to 0.35 on every question asked."
    llm = FakeLLM(restated(wrong, wrong, wrong))
    unanswered = evidence(retriever, ("verbal-confidence", "temperature-scaling"))
    line = Composer(llm, retriever).compose(unanswered)
    assert "verbal-confidence" not in [c for p in line.body for c in p.cites]
    assert any(s.detail.startswith("left out") for s in line.evidence.trace)


def test_the_note_whose_answer_the_framing_gives_stays_in_its_own_words(
    retriever: Retriever,
) -> None:
    # suite q030: "its answer is not reliably", and every try at that note was set aside
    wrong = "Tuning raised the error to 0.35 on every question asked."
    llm = FakeLLM(restated(wrong, wrong, wrong))
    line = Composer(llm, retriever).compose(evidence(retriever))
    assert "its answer is no, to a point." in line.framing
    first = line.body[0].sentences[0]
    assert first.cites == ("rlhf-calibration",)
    assert first.text == (
        "RLHF raises the expected calibration error of token probabilities from 0.02 to 0.11 "
        "on the same questions."
    )
    assert any(s.detail.startswith(ANSWERS) for s in line.evidence.trace)


def test_a_restatement_that_opens_with_the_notes_answer_words_is_refused(
    retriever: Retriever,
) -> None:
    fixed = "RLHF raised the calibration error of token probabilities in this study."
    llm = FakeLLM(restated("No, to a point: tuning raises error a lot.", fixed))
    line = Composer(llm, retriever).compose(evidence(retriever))
    assert line.body[0].sentences[0].text == fixed


def test_a_restatement_naming_a_note_or_a_number_it_lacks_is_refused(
    retriever: Retriever,
) -> None:
    fixed = "RLHF raised the calibration error of token probabilities in this study."
    llm = FakeLLM(
        restated(
            "As rlhf-calibration reports, tuning raised the error a great deal.",
            "Tuning raised the error to 0.35 on every question asked.",
            "Tuning halved the error in 2019 on every question asked.",
        )
    )
    line = Composer(llm, retriever).compose(evidence(retriever))
    refused = [s.text for p in line.body for s in p.sentences]
    assert not any("rlhf-calibration" in t or "0.35" in t or "2019" in t for t in refused)
    llm = FakeLLM(restated("Tuning raised the error to 0.35 on every question.", fixed))
    line = Composer(llm, retriever).compose(evidence(retriever))
    assert line.body[0].sentences[0].text == fixed


def test_the_answer_comes_from_the_notes_that_ask_the_question(retriever: Retriever) -> None:
    line = Composer(FakeLLM(), retriever).compose(evidence(retriever))
    assert "its answer is no, to a point." in line.framing
    assert line.body[0].cites[0] == "rlhf-calibration"  # the answering note leads
    unsettled = evidence(retriever, ("verbal-confidence", "temperature-scaling"))
    line = Composer(FakeLLM(), retriever).compose(unsettled)
    assert "No note in the corpus asks it in these words" in line.framing


def test_an_insight_that_restates_the_body_is_dropped_not_shown(retriever: Retriever) -> None:
    pair = evidence(retriever, ("rlhf-calibration", "temperature-scaling"))
    first = Composer(FakeLLM(), retriever).compose(pair).body[0].sentences[0].text
    llm = FakeLLM({"InsightOut": [{"text": first}] * 3})
    line = Composer(llm, retriever).compose(pair)
    assert line.insight == ""
    good = "What tuning raises in expected error, held-out scaling repairs."
    llm = FakeLLM({"InsightOut": [{"text": first}, {"text": good}]})
    line = Composer(llm, retriever).compose(pair)
    assert line.insight == f"{INSIGHT_LEAD} {good}"


def test_an_insight_not_asked_is_none_and_the_verdict_says_why(
    retriever: Retriever, settings: Settings
) -> None:
    from inquirer.pipeline import asks_insight
    from inquirer.verifier import part_failures

    pair = evidence(retriever, ("rlhf-calibration", "temperature-scaling"))
    llm = FakeLLM()
    line = Composer(llm, retriever, insight=False).compose(pair)
    assert line.insight == "" and "InsightOut" not in [name for name, _ in llm.history]
    failures = [f.detail for f in part_failures(line)]
    assert f"the line has no insight: not asked of {llm.model}, whose insights conflated" in (
        " ".join(failures)
    )
    # asked, and every try refused: the verdict counts the tries
    first = Composer(FakeLLM(), retriever).compose(pair).body[0].sentences[0].text
    line = Composer(FakeLLM({"InsightOut": [{"text": first}] * 3}), retriever).compose(pair)
    assert "the line has no insight: none of 3 tries passed the checks" in [
        f.detail for f in part_failures(line)
    ]
    # 'auto' asks every model but the embedded ones
    auto, on, off = (
        settings.model_copy(update={"compose_insight": v}) for v in ("auto", "on", "off")
    )
    assert not asks_insight(auto, "local/qwen2.5-coder-1.5b") and asks_insight(auto, "openai/x")
    assert asks_insight(on, "local/qwen2.5-coder-1.5b") and not asks_insight(off, "openai/x")


def test_every_step_opens_with_the_same_prompt(retriever: Retriever) -> None:
    llm = FakeLLM()
    Composer(llm, retriever).compose(evidence(retriever))
    # (next lines are asked one unused note at a time, from a prompt of their own)
    shared = [m for name, m in llm.history if name not in ("Judgement", "NextOut")]
    users = [m[-1]["content"] for m in shared]
    systems = {m[0]["content"] for m in shared}
    head = users[0].split("Task:", 1)[0]
    assert len(users) >= 5 and len(systems) == 1
    assert all(u.startswith(head) for u in users)


def test_a_composed_line_passes_the_reading_pass(retriever: Retriever) -> None:
    ev = evidence(retriever)
    line = Composer(FakeLLM(), retriever).compose(ev)
    notes = {r.note.id: r.note for r in ev.read}
    body = [f for f in read_line(line, notes).findings if f.part in ("body", "insight", "framing")]
    assert body == []
    assert sum(len(p.cites) >= 2 for p in line.body) >= 1  # findings joined in a paragraph


@pytest.fixture
def near_enough(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every note counts as close to the question (the fake embedder's bags of words are far
    apart): what is left to decide is the check a test is about."""
    from inquirer import next_lines

    monkeypatch.setattr(next_lines, "NOTE_NEAR", -1.0)


@pytest.mark.usefixtures("near_enough")
def test_next_lines_never_fall_back_to_note_titles(retriever: Retriever) -> None:
    from inquirer.next_lines import OPENERS

    # each call's opener, then a note's title: a question already, and never a next line
    title = "larger models better calibrated"
    llm = FakeLLM({"NextOut": [{"question": f"{o} {title}?"} for o in OPENERS]})
    steps: list[Step] = []
    ev = evidence(retriever, ("rlhf-calibration", "verbal-confidence", "scale-calibration"))
    out = propose(llm, retriever, QUESTION, ev, [], steps)
    assert out == []
    calls = [name for name, _ in llm.history].count("NextOut")  # one call a note
    assert calls >= 3 and steps[0].detail.count("(restates a note's title)") == calls


def test_an_insight_must_join_two_paragraphs_and_not_echo_the_question(
    retriever: Retriever,
) -> None:
    echo = "RLHF does hurt the calibration of model probabilities, as asked."
    alone = "RLHF raises expected token costs, a pattern of its own."  # one paragraph's words
    joined = "What tuning raises in expected error, held-out scaling repairs."
    llm = FakeLLM({"InsightOut": [{"text": echo}, {"text": alone}, {"text": joined}]})
    line = Composer(llm, retriever).compose(
        evidence(retriever, ("rlhf-calibration", "temperature-scaling"))
    )
    assert line.insight == f"{INSIGHT_LEAD} {joined}"
    asks = [m[-1]["content"] for name, m in llm.history if name == "InsightOut"]
    assert "question's own words" in asks[1] and "one finding" in asks[2]


def test_a_restatement_that_adds_a_negation_its_note_lacks_is_refused(
    retriever: Retriever,
) -> None:
    turned = "Temperature scaling never repairs the calibration error that tuning adds."
    fixed = "Fitted on held-out data, temperature scaling undoes most calibration error."
    ev = evidence(retriever, ("temperature-scaling", "verbal-confidence"))
    line = Composer(FakeLLM(restated(turned, fixed)), retriever).compose(ev)
    said = [s.text for p in line.body for s in p.sentences]
    assert turned not in said and fixed in said


def test_what_composing_set_aside_is_in_the_trace(retriever: Retriever) -> None:
    wrong = "Tuning raised the error to 0.35 on every question asked."
    llm = FakeLLM(restated(wrong, wrong, wrong) | {"InsightOut": [{"text": "Short; and so."}] * 3})
    line = Composer(llm, retriever).compose(evidence(retriever))
    composed = [s for s in line.evidence.trace if s.kind == "compose"]
    left = [s for s in composed if s.note_id == "rlhf-calibration"]
    # the note the framing's answer rests on stays in its own words, and the trace says why
    assert left and "(it gives 0.35, which the note does not)" in left[0].detail
    assert sum("insight, try" in s.detail for s in composed) == 3
    assert any(s.detail.startswith("next lines: ") for s in composed)


def test_the_questions_subject_pinned_on_findings_that_do_not_speak_of_it_is_refused(
    settings: Settings, tmp_path: Path
) -> None:
    # notes on dense scaling, asked about mixture-of-experts: the subject is the question's alone
    root = tmp_path / "scaling"
    for note_id, summary in (
        ("kaplan-laws", "Loss falls as a power law in parameters, data and compute."),
        ("chinchilla", "Compute-optimal training scales parameters and tokens equally."),
    ):
        write_note(root, note_id, title=f"What does {note_id} show?", summary=summary)
    retriever = fake_retriever(settings, root)
    question = "Do mixture-of-experts models follow different scaling laws from dense models?"
    notes = [retriever.read(i) for i in ("kaplan-laws", "chinchilla")]
    ev = Evidence(question, tuple(ReadNote(n, True, "", 1) for n in notes if n), ())
    pinned = "Mixture-of-experts models lose less as parameters, data and compute grow."
    fixed = "Loss keeps falling as a power law when parameters, data and compute grow."
    insight = "Mixture-of-experts models scale like dense ones once tokens match parameters."
    llm = FakeLLM(restated(pinned, fixed) | {"InsightOut": [{"text": insight}] * 3})
    line = Composer(llm, retriever).compose(ev)
    said = [s.text for p in line.body for s in p.sentences]
    assert pinned not in said and fixed in said and line.insight == ""
    asks = [m[-1]["content"] for name, m in llm.history if name == "RestatedOut"]
    assert "it speaks of mixture-of-expert" in asks[1] and "none of the notes do" in asks[1]
    reasons = " ".join(s.detail for s in line.evidence.trace if s.kind == "compose")
    assert "which no paragraph or note does" in reasons


def test_an_opening_note_id_that_reports_is_cut_down_to_its_clause() -> None:
    from inquirer.restatement import without_reporter

    said = "RLHF hurts calibration found that tuned models are overconfident."
    assert without_reporter(said, "rlhf-hurts-calibration") == "Tuned models are overconfident."
    said = "The rlhf-hurts-calibration study shows that errors rise."
    assert without_reporter(said, "rlhf-hurts-calibration") == "Errors rise."
    kept = "RLHF hurts calibration in most settings tested."  # no report: nothing is cut
    assert without_reporter(kept, "rlhf-hurts-calibration") == kept


def test_a_framing_that_reports_a_finding_is_written_again(retriever: Retriever) -> None:
    # "0.11" and "RLHF" are the question's or a note's; the tuned-error figure is a finding
    reported = "whether tuning raises the error from 0.02 to 0.11, as one study measured."
    framed = "how far preference tuning bends what a model believes against what it says."
    llm = FakeLLM({"FramingOut": [{"text": reported}, {"text": framed}]})
    line = Composer(llm, retriever).compose(evidence(retriever))
    assert line.framing.startswith(f"This explores {framed}")
    assert any("reports findings (0.02, 0.11)" in s.detail for s in line.evidence.trace)
    llm = FakeLLM({"FramingOut": [{"text": reported}] * 2})
    line = Composer(llm, retriever).compose(evidence(retriever))
    assert "0.11" not in line.framing
    assert line.framing.startswith(
        "This explores the question through the studies that bear on it."
    )


def test_a_restatement_that_turns_a_comparison_its_note_lacks_is_refused(
    retriever: Retriever,
) -> None:
    # the note says RLHF raises the error; it says nothing is better or worse than another
    fixed = "RLHF raised the calibration error of token probabilities in this study."
    llm = FakeLLM(restated("RLHF outperforms plain pretraining on calibration error.", fixed))
    line = Composer(llm, retriever).compose(evidence(retriever))
    assert line.body[0].sentences[0].text == fixed
    assert any("a comparison its note does not make" in str(c) for c in llm.history)


def test_a_note_that_exceeds_or_has_a_best_compares_nothing(
    tmp_path: Path, settings: Settings
) -> None:
    summary = (
        "LoRA matches full fine-tuning when adapters go on all layers, with the best learning "
        "rate ten times higher, and falls behind when the dataset exceeds its capacity."
    )
    title = "When does LoRA match full fine-tuning?"
    question = "Does LoRA match full fine-tuning?"
    retriever, ev = one_note(settings, tmp_path, "lora-regret", title, summary, question)
    fixed = "With adapters on every layer, LoRA keeps pace with full fine-tuning."
    llm = FakeLLM(
        restated("LoRA outperforms full fine-tuning when adapters go on all layers.", fixed)
    )
    line = Composer(llm, retriever).compose(ev)
    assert line.body[0].sentences[0].text == fixed
    assert any("'outperforms', a comparison its note" in str(c) for c in llm.history)


def test_next_lines_are_held_to_question_openers_that_are_not_templates() -> None:
    import pydantic

    from inquirer.next_lines import OPENERS, next_schema

    for opener in OPENERS:
        item = next_schema(opener).model_json_schema()["properties"]["question"]
        assert "pattern" in item  # the model's grammar carries it, not only the check after
    why = next_schema("Why does")
    good = "Why does LoRA forget less than full fine-tuning on code?"
    assert why(question=good).question == good
    for refused in (
        "What is the effect of LoRA rank on forgetting?",  # a template, not the opener asked
        "Why does LoRA forget less than full fine-tuning",  # no question mark
        "Why does LoRA forget? Less than full fine-tuning?",  # two questions
        "Why does " + "LoRA forget less " * 10 + "?",  # past the length the grammar allows
    ):
        with pytest.raises(pydantic.ValidationError):
            why(question=refused)


def test_a_question_not_asked_yes_or_no_is_answered_in_parts() -> None:
    from inquirer.framing import IN_PARTS, SPLIT, UNSETTLED, answer_sentence

    assert answer_sentence("", "Does RLHF hurt calibration?") == UNSETTLED
    which = "Which interventions reduce sycophancy, and how do they compare?"
    assert answer_sentence("", which) == IN_PARTS
    # notes that ask it and answer it both ways: said so, not that no note answers it
    assert answer_sentence("", "Does RLHF hurt calibration?", asked=True) == SPLIT
    assert "no yes or no" in UNSETTLED and "No note in the corpus asks it" in UNSETTLED


def test_next_lines_that_name_a_note_by_its_id_are_refused(retriever: Retriever) -> None:
    proposals = [
        "What explains the verbal-confidence method's better confidence?",
        "How much does temperature scaling fitted on held-out data repair after RLHF?",
        "What limits larger pretrained models on multiple choice questions?",
    ]
    llm = FakeLLM({"NextOut": [{"question": q} for q in proposals]})
    steps: list[Step] = []
    cited = [SourceEntry("rlhf-calibration", QUESTION, SUMMARIES["rlhf-calibration"])]
    out = propose(llm, retriever, QUESTION, evidence(retriever), cited, steps)
    assert proposals[0] not in out
    asked = [" ".join(t["content"] for t in m) for name, m in llm.history if name == "NextOut"]
    assert all("rlhf-calibration" not in a for a in asked)  # the notes are shown without ids
    assert "names a note by its id (verbal-confidence)" in steps[0].detail


@pytest.mark.usefixtures("near_enough")
def test_next_lines_that_reopen_one_question_or_open_from_no_note_are_set_aside(
    retriever: Retriever, monkeypatch: pytest.MonkeyPatch
) -> None:
    from inquirer import followups
    from inquirer.types import NextCheck

    # dev8 q002: "Why does / Does / When does LoRA perform better than full fine-tuning for …?"
    same = [
        "What explains temperature scaling fitted on held-out data repairing tuned models?",
        "How much does temperature scaling fitted on held-out data help larger pretrained models?",
        "What limits calibration work?",  # make run: it opens from no note
    ]
    # every proposal novel and answerable: what is left to decide is the repetition
    monkeypatch.setattr(
        followups,
        "assess",
        lambda retriever, question, qs: [NextCheck(q, True, True) for q in qs],
    )
    from inquirer import next_lines

    order = ("temperature-scaling", "scale-calibration", "verbal-confidence")
    ev = evidence(retriever, order)
    pool = [(r.note.title, r.note.summary) for r in ev.read]
    monkeypatch.setattr(next_lines, "candidates", lambda *_: pool)  # asked in this order
    llm = FakeLLM({"NextOut": [{"question": q} for q in same]})
    steps: list[Step] = []
    out = propose(llm, retriever, QUESTION, ev, [], steps)
    assert out == [same[0]]
    assert f"{same[1]!r} (repeats an earlier one's words)" in steps[0].detail
    assert f"{same[2]!r} (opens from none of the notes)" in steps[0].detail


def two_notes_asked_in_order(retriever: Retriever, monkeypatch: pytest.MonkeyPatch) -> Evidence:
    """Evidence of two notes, asked for next lines in this order, every proposal novel and
    answerable: what is left to decide is each note's tries."""
    from inquirer import followups, next_lines
    from inquirer.types import NextCheck

    monkeypatch.setattr(
        followups,
        "assess",
        lambda retriever, question, qs: [NextCheck(q, True, True) for q in qs],
    )
    ev = evidence(retriever, ("temperature-scaling", "scale-calibration"))
    pool = [(r.note.title, r.note.summary) for r in ev.read]
    monkeypatch.setattr(next_lines, "candidates", lambda *_: pool)
    return ev


@pytest.mark.usefixtures("near_enough")
def test_a_next_line_cut_short_is_asked_once_more_shorter(
    retriever: Retriever, monkeypatch: pytest.MonkeyPatch
) -> None:
    from inquirer import next_lines

    ev = two_notes_asked_in_order(retriever, monkeypatch)
    # suite q001: the grammar closed a long question with "?" at its limit, mid-phrase
    cut = "What explains temperature scaling fitted on held-out data repairing tuned models and?"
    short = "How much does size change calibration on multiple choice questions?"
    again = "What explains held-out temperature scaling repairing tuned models?"
    llm = FakeLLM({"NextOut": [{"question": q} for q in (cut, again, short)]})
    steps: list[Step] = []
    out = propose(llm, retriever, QUESTION, ev, [], steps)
    assert out == [again, short]  # the second try of the first note, then the second note
    asks = [m[-1]["content"] for name, m in llm.history if name == "NextOut"]
    assert len(asks) == 3
    assert next_lines.TOO_LONG in asks[1] and next_lines.TOO_LONG not in asks[0] + asks[2]
    assert f"{cut!r} (cut short)" in steps[0].detail


def test_more_notes_are_asked_while_fewer_than_three_next_lines_are_kept(
    retriever: Retriever, monkeypatch: pytest.MonkeyPatch
) -> None:
    from inquirer import followups, next_lines
    from inquirer.types import NextCheck

    ev = evidence(retriever, ("temperature-scaling",))
    asked = next_lines.ASKED + next_lines.MORE + 2
    pool = [(f"Note {k}?", f"Finding {k} of the corpus.") for k in range(asked)]
    monkeypatch.setattr(next_lines, "candidates", lambda *_: pool)
    monkeypatch.setattr(next_lines, "refusal", lambda q, **_: "")
    topics = [f"subject{k} across tasks" for k in range(asked)]
    qs = [f"{next_lines.OPENERS[k % 4]} {t}?" for k, t in enumerate(topics)]
    # suite q039: 1 of 8 kept, the others answered by too few notes; here the first 8 keep 2
    answerable = {qs[2], qs[5], qs[9], qs[10], qs[11]}
    monkeypatch.setattr(
        followups,
        "assess",
        lambda retriever, question, got: [NextCheck(q, q in answerable, True) for q in got],
    )
    llm = FakeLLM({"NextOut": [{"question": q} for q in qs]})
    steps: list[Step] = []
    out = propose(llm, retriever, QUESTION, ev, [], steps)
    # asked past the first 8 until a third was kept, and no further
    assert out == [qs[2], qs[5], qs[9]]
    assert len([name for name, _m in llm.history if name == "NextOut"]) == 10
    # a line with 3 kept from its first 8 notes asks no more
    answerable |= {qs[7]}
    llm = FakeLLM({"NextOut": [{"question": q} for q in qs]})
    assert propose(llm, retriever, QUESTION, ev, []) == [qs[2], qs[5], qs[7]]
    assert len([name for name, _m in llm.history if name == "NextOut"]) == next_lines.ASKED


@pytest.mark.usefixtures("near_enough")
def test_a_next_line_that_does_not_fit_its_form_is_skipped_for_the_next_note(
    retriever: Retriever, monkeypatch: pytest.MonkeyPatch
) -> None:
    from inquirer.errors import UnfitOutput

    ev = two_notes_asked_in_order(retriever, monkeypatch)
    short = "How much does size change calibration on multiple choice questions?"

    class Unparsed(FakeLLM):
        def structured(self, messages: Any, schema: Any, **kwargs: Any) -> Any:
            if schema.__name__ == "NextOut" and "held-out data" in messages[-1]["content"]:
                raise UnfitOutput("local/m returned output that does not fit its form")
            return super().structured(messages, schema, **kwargs)

    llm = Unparsed({"NextOut": [{"question": short}]})
    steps: list[Step] = []
    assert propose(llm, retriever, QUESTION, ev, [], steps) == [short]
    assert steps[0].detail.endswith("1 did not fit its form")


def test_next_lines_open_from_notes_near_the_question_closest_first(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from inquirer import followups, next_lines

    # dev9 q002, on LoRA: next lines on judges' position bias and RLVR, from far notes
    far = "Position bias of judges grows with longer answers in chess puzzles."
    root = tmp_path / "near"
    write_note(root, "judge-bias", title="Does answer length sway a grader?", summary=far)
    for note_id, summary in SUMMARIES.items():
        write_note(root, note_id, title=f"{summary[:40]}?", summary=summary)
    retriever = fake_retriever(settings, root)
    ev = evidence(retriever, ("temperature-scaling", "scale-calibration"))
    ev = Evidence(ev.question, ev.read, ev.trace, ("judge-bias",))
    pool = next_lines.candidates(retriever, QUESTION, ev, [])
    assert pool and far not in [summary for _title, summary in pool]
    closest = followups.closeness(retriever, QUESTION, [f"{t} {s}" for t, s in pool])
    assert closest == sorted(closest, reverse=True)
    # a note the line cited is asked after every relevant one it did not cite, whatever its
    # closeness, and before the close notes the agent did not find relevant
    cited = [SourceEntry("scale-calibration", "", SUMMARIES["scale-calibration"])]
    monkeypatch.setattr(next_lines, "NOTE_NEAR", -1.0)  # every note close enough
    asked = [s for _t, s in next_lines.candidates(retriever, QUESTION, ev, cited)]
    assert asked.index(SUMMARIES["scale-calibration"]) == 1
    assert asked[0] == SUMMARIES["temperature-scaling"]
    assert asked[2:] and SUMMARIES["temperature-scaling"] not in asked[2:]


def test_next_lines_open_from_further_hits_only_after_the_cited_notes(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from inquirer import next_lines

    root = tmp_path / "further"
    for note_id, summary in SUMMARIES.items():
        write_note(root, note_id, title=f"{summary[:40]}?", summary=summary)
    retriever = fake_retriever(settings, root)
    monkeypatch.setattr(next_lines, "NOTE_NEAR", -1.0)  # every note close enough
    ev = evidence(retriever, ("temperature-scaling",))
    ev = Evidence(ev.question, ev.read, ev.trace, ())
    cited = [SourceEntry("scale-calibration", "", SUMMARIES["scale-calibration"])]
    whole = [s for _t, s in next_lines.candidates(retriever, QUESTION, ev, cited)]
    # the question's own top hits: with only the first counted, the rest are further notes,
    # asked after the cited one and the close one (dev11 q006: asked first, they displaced
    # the line's own)
    top = retriever.search(QUESTION, 1)[0].note_id
    monkeypatch.setattr(next_lines, "ASKED", 1)
    pool = [s for _t, s in next_lines.candidates(retriever, QUESTION, ev, cited)]
    assert sorted(pool) == sorted(whole)  # the same notes, in another order
    assert pool[:2] == [SUMMARIES["temperature-scaling"], SUMMARIES["scale-calibration"]]
    close = {top} - {"temperature-scaling", "scale-calibration"}
    assert [SUMMARIES[i] for i in close] == pool[2 : 2 + len(close)]
    assert pool[2 + len(close) :]  # then the further ones


def test_an_opening_the_study_found_that_is_cut_to_its_clause() -> None:
    from inquirer.restatement import without_reporter

    cut = without_reporter("The study found that retrieval helps rare facts.", "popqa")
    assert cut == "Retrieval helps rare facts."
    kept = "The study of rare facts shows retrieval helps."
    assert without_reporter(kept, "popqa") == kept
    # the 0.5B opens with the id as a label, or as "The note <id> found that"
    labelled = "rlhf-hurts-calibration: the GPT-4 report shows worse calibration."
    assert without_reporter(labelled, "rlhf-hurts-calibration").startswith("The GPT-4 report")
    noted = "The note rlhf-hurts-calibration found that tuning raises the error."
    assert without_reporter(noted, "rlhf-hurts-calibration") == "Tuning raises the error."


def test_a_next_line_cut_off_at_its_length_limit_is_refused() -> None:
    from inquirer.next_lines import cut_short

    assert cut_short("Why is the pre-trained model calibrated while the post-?")
    assert cut_short("Does LoRA keep pace with full fine-tuning and?")
    assert cut_short("Does this step on synthetic data depend on the opinion significantly, b?")
    assert not cut_short("Does the effect hold for model size C?")
    assert not cut_short("What limits it?")
    assert not cut_short("Does FormatSpread also help in evaluating LLMs?")
    # make run, 2026-12-05: the grammar closed it at its 140 characters, mid-word
    cut = (
        "Does DPO-trained models drift toward answers much longer than those in the preference "
        "data, which Park et al. link to out-of-distribution bootstr?"
    )
    assert cut_short(cut) and not cut_short(cut[:100] + "?")


def test_a_next_line_presuming_a_comparison_or_negation_its_note_lacks_is_refused() -> None:
    from inquirer.next_lines import refusal

    # dev11 q006: the note says the 1.3B InstructGPT was preferred to the 175B GPT-3
    claim = "Outputs of the 1.3B InstructGPT model were preferred to those of the 175B GPT-3."
    wrong = "Why does the 175B InstructGPT outperform the 1.3B InstructGPT model?"
    assert refusal(wrong, QUESTION, [], [], claim) == (
        "presumes 'outperform', which its note does not say"
    )
    right = "What explains labellers preferring the 1.3B InstructGPT model to the 175B GPT-3?"
    assert refusal(right, QUESTION, [], [], claim) == ""
    assert refusal("Why does GPT-3 175B not follow instructions?", QUESTION, [], [], claim) == (
        "presumes 'not', which its note does not say"
    )


def test_an_insight_is_cut_to_its_first_sentence_without_a_reporting_opener() -> None:
    raw = "The findings suggest that tuning trades calibration for reach. The study also shows"
    assert insight_sentence(raw, QUESTION, []) == "Tuning trades calibration for reach."
    said = "The thing you didn't know you wanted to know: rare facts defeat retrieval and tuning."
    assert insight_sentence(said, QUESTION, []) == "Rare facts defeat retrieval and tuning."
    assert insight_sentence("Both results point to a cause.", QUESTION, []) == ""  # nothing left
    assert insight_sentence("A larger model shows that gap closing.", QUESTION, []) == (
        "A larger model shows that gap closing."  # "A" opens a subject here, not a report
    )
    assert insight_sentence("the effect of tuning, which", QUESTION, []) == ""
    named = "A link between entity popularity and retrieval, and a tension between the two."
    assert insight_sentence(named, QUESTION, []) == ""  # a relation named, none stated
    stated = "A tension between speed and accuracy limits how far retrieval helps."
    assert insight_sentence(stated, QUESTION, []) == stated


def test_a_framing_that_vouches_by_the_studies_ends_before_that_clause(
    retriever: Retriever,
) -> None:
    vouched = (
        "how far tuning bends what a model believes, as evidenced by the findings of various "
        "studies on calibration."
    )
    llm = FakeLLM({"FramingOut": [{"text": vouched}]})
    line = Composer(llm, retriever).compose(evidence(retriever))
    assert line.framing.startswith("This explores how far tuning bends what a model believes. ")


@pytest.mark.parametrize(
    ("framed", "kept"),
    [
        (  # the README's question, whose notes answer "mostly the format"
            "the tension between the task and the output format in instruction tuning, showing "
            "that while instruction tuning can teach a model the task, it does not necessarily "
            "teach the model the output format.",
            "the tension between the task and the output format in instruction tuning.",
        ),
        (
            "how far tuning bends calibration without retraining, by examining the effectiveness "
            "of various methods.",
            "how far tuning bends calibration without retraining.",
        ),
        (  # suite q042: how studies went about it, which no note did
            "the reversal curse in vision-language models by comparing the performance of "
            "reverse-trained models with standard training models on linking faces to names.",
            "the reversal curse in vision-language models.",
        ),
        (  # a noun is no claiming clause
            "the finding that tuning bends calibration, and what repairs it.",
            "the finding that tuning bends calibration, and what repairs it.",
        ),
    ],
)
def test_a_framing_that_goes_on_to_claim_a_finding_ends_before_that_clause(
    retriever: Retriever, framed: str, kept: str
) -> None:
    llm = FakeLLM({"FramingOut": [{"text": framed}]})
    line = Composer(llm, retriever).compose(evidence(retriever))
    assert line.framing.startswith(f"This explores {kept} ")


def test_an_insight_joins_the_two_findings_it_is_given_and_compares_only_as_they_do(
    retriever: Retriever,
) -> None:
    ahead = "Held-out scaling outperforms what tuning raises in expected error."
    joined = "What tuning raises in expected error, held-out scaling repairs."
    llm = FakeLLM({"InsightOut": [{"text": ahead}, {"text": joined}]})
    ev = evidence(retriever, ("rlhf-calibration", "temperature-scaling"))  # neither compares
    line = Composer(llm, retriever).compose(ev)
    assert line.insight == f"{INSIGHT_LEAD} {joined}"
    asks = [m[-1]["content"] for name, m in llm.history if name == "InsightOut"]
    assert "a comparison no note of the two makes" in asks[1]
    said = [" ".join(s.text for s in p.sentences) for p in line.body]
    shown = [t for t in said if f"A: {t}" in asks[0] or f"B: {t}" in asks[0]]
    assert len(shown) == 2  # two paragraphs, each whole, side by side


def test_an_insight_that_adds_what_neither_finding_says_is_refused(retriever: Retriever) -> None:
    # the 1.5B's insight of a real line: a cost no note mentions
    invented = (
        "Tuning raises costs, while held-out scaling needs compute resources and more servers."
    )
    joined = "What tuning raises in expected error, held-out scaling repairs."
    llm = FakeLLM({"InsightOut": [{"text": invented}, {"text": joined}]})
    ev = evidence(retriever, ("rlhf-calibration", "temperature-scaling"))
    line = Composer(llm, retriever).compose(ev)
    assert line.insight == f"{INSIGHT_LEAD} {joined}"
    asks = [m[-1]["content"] for name, m in llm.history if name == "InsightOut"]
    assert "it adds what neither finding says (comput" in asks[1]


def test_an_insight_with_numbers_or_saying_who_found_what_is_refused(
    retriever: Retriever,
) -> None:
    numbers = "Tuning adds 0.11 where scaling takes it away."
    reported = "Kadavath et al. found that tuning raises what held-out scaling repairs."
    joined = "What tuning raises in expected error, held-out scaling repairs."
    llm = FakeLLM({"InsightOut": [{"text": numbers}, {"text": reported}, {"text": joined}]})
    ev = evidence(retriever, ("rlhf-calibration", "temperature-scaling"))
    line = Composer(llm, retriever).compose(ev)
    assert line.insight == f"{INSIGHT_LEAD} {joined}"
    asks = [m[-1]["content"] for name, m in llm.history if name == "InsightOut"]
    assert "it gives numbers" in asks[1] and "who found what" in asks[2]


def test_a_restatement_that_says_what_its_note_does_not_is_refused(retriever: Retriever) -> None:
    # the 1.5B on LoRA, whose note says it adds no inference latency
    added = "Temperature scaling speeds up inference and saves memory on every device."
    fixed = "Fitted on held-out data, temperature scaling undoes most calibration error."
    ev = evidence(retriever, ("temperature-scaling", "verbal-confidence"))
    llm = FakeLLM(restated(added, fixed))
    line = Composer(llm, retriever).compose(ev)
    said = [s.text for p in line.body for s in p.sentences]
    assert added not in said and fixed in said
    asks = [m[-1]["content"] for name, m in llm.history if name == "RestatedOut"]
    assert "it says what its note does not (device" in asks[1]


def test_a_forced_opening_filled_with_nothing_is_asked_for_again(retriever: Retriever) -> None:
    copy = SUMMARIES["rlhf-calibration"].split(": ", 1)[1]
    filler = f"In a study, {copy[0].lower()}{copy[1:]}"  # the 1.5B under a forced "In"
    fixed = "After RLHF, token probabilities drift: their calibration error went 0.02 to 0.11."
    llm = FakeLLM(restated(copy[0].upper() + copy[1:], filler, fixed))
    line = Composer(llm, retriever).compose(evidence(retriever))
    assert line.body[0].sentences[0].text == fixed
    asks = [m[-1]["content"] for name, m in llm.history if name == "RestatedOut"]
    assert "it opens with 'In a study,', which says nothing" in asks[2]


def test_a_near_verbatim_copy_is_left_out_after_a_paragraphs_first_finding(
    retriever: Retriever,
) -> None:
    fixed = "RLHF raised the calibration error of token probabilities in this study."
    copy = SUMMARIES["temperature-scaling"]  # the paragraph's second note, copied every try
    tries = [copy, f"After all, {copy[0].lower()}{copy[1:]}", f"When all is said, {copy.lower()}"]
    line = Composer(FakeLLM(restated(fixed, *tries)), retriever).compose(evidence(retriever))
    assert line.body[0].cites == ("rlhf-calibration",)
    trace = [s.detail for s in line.evidence.trace if s.note_id == "temperature-scaling"]
    assert any(d.startswith("left out: a copy of its note") for d in trace)
    # a paragraph's first finding, its best-ranked note, stays even as a copy (the verdict
    # names it): the line's central note is not lost
    first = SUMMARIES["rlhf-calibration"].split(": ", 1)[1]
    first = first[0].upper() + first[1:]
    tries = [first, f"After all, {first[0].lower()}{first[1:]}", f"When all is said, {first}"]
    line = Composer(FakeLLM(restated(*tries)), retriever).compose(evidence(retriever))
    assert line.body[0].cites[0] == "rlhf-calibration"


def test_a_near_verbatim_copy_of_one_of_the_lines_two_best_notes_stays(
    retriever: Retriever,
) -> None:
    from inquirer.composer import Draft
    from inquirer.types import Sentence

    ev = evidence(retriever)  # ranked: rlhf-calibration, verbal-confidence, temperature-, scale-
    draft = Draft(Composer(FakeLLM(), retriever), QUESTION, ev.read, ev)
    order = ("temperature-scaling", "verbal-confidence", "scale-calibration")
    sentences = [Sentence(SUMMARIES[i], (i,)) for i in order]
    draft.verbatim = {s.text: 0.95 for s in sentences}
    kept = [s.cites[0] for s in draft.without_verbatim(sentences)]
    # the first stays as the paragraph's first, the second as the line's second-best note
    assert kept == ["temperature-scaling", "verbal-confidence"]


def test_an_insight_that_restates_the_question_as_its_answer_is_refused(
    retriever: Retriever,
) -> None:
    # most of the question's words, with findings tacked on: the shape of the 1.5B's verdicts
    verdict = "RLHF does hurt the calibration of model probabilities, as held-out scaling repairs."
    joined = "What tuning raises in expected error, held-out scaling repairs."
    llm = FakeLLM({"InsightOut": [{"text": verdict}, {"text": joined}]})
    ev = evidence(retriever, ("rlhf-calibration", "temperature-scaling"))
    line = Composer(llm, retriever).compose(ev)
    assert line.insight == f"{INSIGHT_LEAD} {joined}"
    asks = [m[-1]["content"] for name, m in llm.history if name == "InsightOut"]
    assert "question's own words" in asks[1]


def test_a_span_cut_off_mid_form_is_a_failed_try_not_the_end_of_the_line(
    retriever: Retriever,
) -> None:
    from inquirer.errors import UnfitOutput

    joined = "What tuning raises in expected error, held-out scaling repairs."

    class CutOff(FakeLLM):
        cut = False

        def structured(self, messages: Any, schema: Any, **kwargs: Any) -> Any:
            if schema.__name__ == "InsightOut" and not self.cut:
                self.cut = True
                raise UnfitOutput(
                    "local/m returned output that does not fit InsightOut (cut off at "
                    "max_tokens): Unterminated string"
                )
            return super().structured(messages, schema, **kwargs)

    llm = CutOff({"InsightOut": [{"text": joined}]})
    line = Composer(llm, retriever).compose(
        evidence(retriever, ("rlhf-calibration", "temperature-scaling"))
    )
    assert line.insight == f"{INSIGHT_LEAD} {joined}"
    assert any("did not fit its form" in s.detail for s in line.evidence.trace)


def test_a_restatement_misspelling_its_note_or_naming_another_notes_model_is_refused(
    tmp_path: Path, settings: Settings
) -> None:
    # what a try kept from copying wrote in a dev run: a word swapped mid-way, and a name taken
    # from a neighbouring note
    root = tmp_path / "notes"
    write_note(
        root,
        "lora",
        title="Does LoRA match full fine-tuning?",
        summary="LoRA matches full fine-tuning when adapters go on all layers.",
    )
    write_note(
        root,
        "proxy",
        title="Can decoding-time tuning steer a large model?",
        summary="Proxy-tuning steered a large LLaMA model with small proxies.",
    )
    retriever = fake_retriever(settings, root)
    notes = [retriever.read(i) for i in ("lora", "proxy")]
    read = tuple(ReadNote(n, True, "", k + 1) for k, n in enumerate(notes) if n is not None)
    misspelt = "With adapters on all layers, LoRA keeps up with full fine-turing."
    named = "With adapters on all layers, LLaMA under LoRA keeps up with full tuning."
    fixed = "With adapters on every layer, LoRA keeps up with full fine-tuning."
    llm = FakeLLM(restated(misspelt, named, fixed))
    line = Composer(llm, retriever).compose(Evidence("Does LoRA match full fine-tuning?", read, ()))
    assert line.body[0].sentences[0].text == fixed
    asks = [m[-1]["content"] for name, m in llm.history if name == "RestatedOut"]
    assert "it misspells fine-turing" in asks[1]
    assert "it names LLaMA, which its note does not" in asks[2]


def test_forced_openers_skip_those_the_line_already_opens_with(retriever: Retriever) -> None:
    copy = SUMMARIES["rlhf-calibration"].split(": ", 1)[1]
    copy = copy[0].upper() + copy[1:]
    reworded = "After RLHF, token probabilities drift: their calibration error went 0.02 to 0.11."
    second = SUMMARIES["temperature-scaling"]  # the next note restated, copied as well
    fixed = "In practice, scaling the temperature on held-out data undoes the error tuning adds."
    llm = FakeLLM(restated(copy, reworded, second, fixed))
    line = Composer(llm, retriever).compose(evidence(retriever))
    assert [s.text for s in line.body[0].sentences][:1] == [reworded]
    shapes = opener_shapes(llm)
    # the second note's forced opener may not be "After", which the first sentence opens with
    assert shapes[1].startswith("^(?:After|") and shapes[3].startswith("^(?:In|")


def test_a_forced_opener_is_never_the_one_its_note_opens_with(
    tmp_path: Path, settings: Settings
) -> None:
    root = tmp_path / "notes"
    summary = "After RLHF, confidence stated in words stays calibrated while token odds drift."
    write_note(root, "verbal", title="Is stated confidence calibrated?", summary=summary)
    retriever = fake_retriever(settings, root)
    note = retriever.read("verbal")
    assert note is not None
    ev = Evidence("Is stated confidence calibrated?", (ReadNote(note, True, "", 1),), ())
    llm = FakeLLM(restated(summary))  # a copy: the next try is held to an opener
    Composer(llm, retriever).compose(ev)
    shapes = opener_shapes(llm)
    assert shapes[1] and "After" not in shapes[1] and "(?:In|" in shapes[1]


def test_a_restatement_of_the_setup_alone_is_asked_for_its_result(
    settings: Settings, tmp_path: Path
) -> None:
    # dev q058: both central notes were restated by how their studies were done
    summary = (
        "Hubinger et al. (2024) trained backdoored sleeper agent models that write exploitable "
        "code when the prompt says the year is 2024. These backdoors survived supervised "
        "fine-tuning, RL and adversarial training."
    )
    title = "Does safety training remove a backdoor?"
    question = "Can safety training remove a backdoor?"
    retriever, ev = one_note(settings, tmp_path, "sleeper-agents", title, summary, question)
    setup = "Hubinger et al. (2024) trained sleeper agent models that write exploitable code."
    found = "Hubinger et al. (2024) saw the backdoors outlast supervised fine-tuning and RL."
    llm = FakeLLM(restated(setup, found))
    line = Composer(llm, retriever).compose(ev)
    said = [s.text for p in line.body for s in p.sentences]
    assert found in said and setup not in said
    asks = [m[-1]["content"] for name, m in llm.history if name == "RestatedOut"]
    assert "how the study was done, not what it found" in asks[1]
    # when no try gives the result, the faithful setup stays rather than nothing
    llm = FakeLLM(restated(setup, setup, setup))
    line = Composer(llm, retriever).compose(ev)
    assert [s.text for p in line.body for s in p.sentences] == [setup]


def test_an_answer_with_no_answer_word_is_given_after_a_colon() -> None:
    assert answer_sentence("no, to a point") == (
        "Where the corpus asks this directly, its answer is no, to a point."
    )
    assert answer_sentence("they collapse") == (
        "Where the corpus asks this directly, its answer is: they collapse."
    )


def test_a_long_finding_is_restated_from_its_first_sentence_and_the_one_nearest_the_question(
    settings: Settings, tmp_path: Path
) -> None:
    # suite q005 restated Tk-Instruct's lead over InstructGPT, not what the question asked
    summary = (
        "Wang et al. built a benchmark of 1,616 tasks with written instructions. Their model "
        "beat a larger one by 9% on held-out tasks. Generalisation grew with the number of "
        "training tasks and model size, not with instances per task."
    )
    question = "Does generalisation grow with the number of training tasks or instances per task?"
    retriever, ev = one_note(settings, tmp_path, "tk", "What drives it?", summary, question)
    llm = FakeLLM()
    Composer(llm, retriever).compose(ev)
    asked = next(m[-1]["content"] for name, m in llm.history if name == "RestatedOut")
    said = asked.split(" says: ", 1)[1].splitlines()[0]
    assert said == (
        "Wang et al. built a benchmark of 1,616 tasks with written instructions. Generalisation "
        "grew with the number of training tasks and model size, not with instances per task."
    )
