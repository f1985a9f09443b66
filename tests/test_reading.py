"""The reading pass: each check on a bad example from a real line (evals/reports/2026-12-01-suite-
local-qwen2.5-coder-1.5b/agent/lines) and on a good one it must not flag."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import pytest

from inquirer.reading import Reading, read_line
from inquirer.types import Evidence, Line, Note, Paragraph, Sentence
from inquirer.wording import answer_lead, polarity

Body = Sequence[Sequence[str]]


def note(nid: str, title: str, summary: str, body: str = "") -> Note:
    return Note(id=nid, title=title, summary=summary, body=body, path="x.md", fingerprint="0")


def make_line(
    question: str,
    body: Body,
    *,
    framing: str = "This explores the question.",
    insight: str = "",
    next_lines: Sequence[str] = (),
) -> Line:
    paragraphs = tuple(Paragraph(tuple(Sentence(t, ("n1",)) for t in p)) for p in body)
    evidence = Evidence(question, (), ())
    return Line(
        question, framing, paragraphs, insight, (), tuple(next_lines), True, "m", "", evidence
    )


def run(line: Line, *notes: Note, titles: Sequence[str] = ()) -> Reading:
    return read_line(line, {n.id: n for n in notes}, titles=titles)


Q = "Can a 65B model be fine-tuned on one GPU without losing quality?"
QLORA = note(
    "n1",
    "t",
    "Yes. QLoRA backpropagates through a frozen 4-bit quantised model into LoRA adapters, which "
    "makes it possible to fine-tune a 65B model on a single 48GB GPU while preserving 16-bit "
    "fine-tuning performance. A 9K-example high-quality dataset beat a 450K-example one.",
)
TOOLFORMER = note(
    "n1",
    "t",
    "Yes, from a handful of demonstrations per tool. Toolformer, based on GPT-J (6.7B), after "
    "fine-tuning used a calculator, QA system, search, translator and calendar zero-shot, often "
    "rivalling much larger models such as GPT-3 without losing language-modelling ability.",
)
FORMAT = note(
    "n1",
    "t",
    "Mostly the format. Kung and Peng (2023) found that T5 models instruction-tuned on stripped-"
    "down task definitions perform about as well as models tuned on the correct instructions.",
)
SAFETY = note("n1", "t", "Little. Bianchi et al. (2023) found open models unsafe.")
REST = note("n1", "t", "Yes: ReST-EM beat human data because harder problems were kept.")
TASKS = "What drives generalisation: the number of tasks, the number of examples per task?"
ALIGNS = "RL-trained models check and backtrack, which aligns with the claim LLMs cannot."
REPEATS = "Instruction tuning adjusts style, while safety training is shallow and may fail to last."

# note, question, bad body (from a real line), what it must show, good body
CASES = [
    pytest.param(
        QLORA,
        Q,
        [[QLORA.summary.split(". ")[1] + "."]],
        [("copied", 0, 0, "30 of 30 words")],
        [["LoRA adapters on a 4-bit frozen base let QLoRA tune a 65B model within one 48GB GPU."]],
        id="copied",
    ),
    pytest.param(
        FORMAT,
        "q",
        [["Mostly the format. Kung and Peng (2023) saw bare definitions do about as well."]],
        [("fragment", 0, 0, "opens with a note's own answer words ('Mostly the format.')")],
        [["T5 models instruction-tuned on stripped-down task definitions held up nearly as well."]],
        id="fragment-answer-words-then-clause-after-that",
    ),
    pytest.param(
        SAFETY,
        "q",
        [["Little. A 3% mix of safety data made LLaMA far safer."]],
        [("fragment", 0, 0, "opens with a note's own answer words ('Little.')")],
        [["A 3% mix of safety data made LLaMA far safer, though too much caused over-refusal."]],
        id="fragment-little",
    ),
    pytest.param(
        TOOLFORMER,
        "q",
        [["Search, translator, and calendar zero-shot, often rivalling much larger models."]],
        [("copied", 0, 0, "10 of 10 words"), ("fragment", 0, 0, "opens mid-sentence")],
        [["Toolformer, based on GPT-J (6.7B), learned to call a calendar from a few examples."]],
        id="fragment-mid-sentence-then-copy-from-sentence-start",
    ),
    pytest.param(
        QLORA,
        "q",
        [["This shows cheap tuning helps.", "Calibration error by about half"]],
        [
            ("connective", 0, 0, "'This shows'"),
            ("fragment", 0, 0, "opens a paragraph with 'This'"),
            ("fragment", 0, 1, "not a whole sentence (no closing stop)"),
        ],
        [["QLoRA made tuning a 65B model cheap.", "This let the authors train 1,000 models."]],
        id="fragment-dangling-this-and-no-stop",
    ),
    pytest.param(
        QLORA,
        "Does RLVR expand reasoning?",
        [["The notes support that RLVR with verifiable rewards does not expand reasoning."]],
        [("meta", 0, 0, "speaks of the notes"), ("misstated", 0, 0, "it says 'not'")],
        [["RLVR narrowed what models reach: base models sampled every solution by k=256."]],
        id="meta",
    ),
    pytest.param(
        REST,
        "q",
        [[ALIGNS, "Chain-of-thought only helps large models, as evidenced by Inverse Scaling."]],
        [
            ("connective", 0, 0, "'aligns with' relates findings in a way no cited note states"),
            ("misstated", 0, 0, "it says 'cannot' where the note does not"),
            ("connective", 0, 1, "'as evidenced by'"),
        ],
        [["ReST-EM gained on MATH because it kept the harder problems."]],  # as the note says
        id="connective",
    ),
    pytest.param(
        REST,
        TASKS,
        [
            [
                "The number of tasks drives zero-shot generalisation.",
                "The number of examples per task does not significantly impact it.",
            ],
            ["The number of examples per task is another important factor."],
        ],
        [
            ("repeated_opener", 0, 1, "opens with the question's own words again"),
            ("misstated", 0, 1, "it says 'not' where the note does not"),
            ("repeated_opener", 1, 0, "opens with the question's own words again"),
            ("repeated_opener", 1, 0, "opens as paragraph 1 does"),
        ],
        [
            ["Tk-Instruct, trained on 1,600 tasks, generalised best to unseen ones."],
            ["Beyond a few dozen examples per task, more examples barely moved held-out scores."],
        ],
        id="repeated-opener",
    ),
    pytest.param(
        REST,
        "Does safety training survive later fine-tuning?",
        [[REPEATS], ["Safety training is shallow, which could imply that it may fail to last."]],
        [
            ("repeated_point", 1, 0, "makes a point paragraph 1 made"),
        ],
        [[REPEATS], ["A hundred harmful examples undid Llama-2-Chat's refusals."]],
        id="repeated-point",
    ),
]


@pytest.mark.parametrize(("source", "question", "bad", "expected", "good"), CASES)
def test_body_checks(
    source: Note, question: str, bad: Body, expected: list[tuple[str, int, int, str]], good: Body
) -> None:
    reading = run(make_line(question, bad), source)
    found = sorted((f.kind, f.paragraph, f.index, f.detail) for f in reading.findings)
    expected = sorted(expected)
    assert [f[:3] for f in found] == [e[:3] for e in expected]
    assert all(f[3].startswith(e[3]) for f, e in zip(found, expected, strict=True))
    assert run(make_line(question, good), source).findings == ()


@pytest.mark.parametrize(
    ("summary", "lead", "sign"),
    [
        ("Yes, to a point: STaR keeps good rationales.", "Yes, to a point:", "yes"),
        ("Little. Bianchi et al. (2023) found open models unsafe.", "Little.", "no"),
        ("Mostly the format. Kung and Peng (2023) agree.", "Mostly the format.", ""),
        ("On GSM8K, roughly yes: outcomes sufficed.", "On GSM8K, roughly yes:", "yes"),
        ("Qi et al. (2024) show that ten harmful examples undo safety tuning.", "", ""),
        ("GPT-4 judges favour longer answers. Zheng et al. measured it.", "", ""),
        # answers with no answer word: a few words alone, a degree, a reason
        ("Retrieval. Ovadia et al. (2024) compared it with fine-tuning.", "Retrieval.", ""),
        ("Finding it: on BIG-Bench Mistake, LLMs located mistakes poorly.", "Finding it:", ""),
        ("To a surprising degree. BERT recalled facts.", "To a surprising degree.", ""),
        (
            "Because of a granularity mismatch: NLI was trained on sentences.",
            "Because of a granularity mismatch:",
            "",
        ),
        ("Chua et al. (2025) trained models on unbiased answers.", "", ""),
    ],
)
def test_answer_lead_and_polarity(summary: str, lead: str, sign: str) -> None:
    assert (answer_lead(summary), polarity(answer_lead(summary))) == (lead, sign)


def test_copied_share_counts_only_runs_of_eight_words() -> None:
    source = note("n1", "T", "S.", "Training on recovery examples made alignment more robust.")
    body = [
        "In short, training on recovery examples made alignment more robust overall.",  # 8 of 11
        "Prefilling attacks still worked against the base model in every trial.",  # 0 of 11
    ]
    reading = run(make_line("q", [body]), source)
    assert (reading.body_words, reading.copied) == (22, round(8 / 22, 4))
    assert [(f.kind, f.index) for f in reading.findings] == [("copied", 0)]
    seven = ["Plainly, training on recovery examples made alignment more sturdy."]
    assert run(make_line("q", [seven]), source).copied == 0.0
    # a closer look sees the seven words it follows its note in: 7 of 9 in runs of 5+
    assert run(make_line("q", [seven]), source).copied_close == round(7 / 9, 4)


def test_insight_that_restates_the_body_or_a_note() -> None:
    said = "Models check and backtrack on their own, which aligns with the claim they cannot."
    real = make_line("q", [[said]], insight="The thing you didn't know you wanted to know: " + said)
    assert [f.kind for f in run(real, REST).findings if f.part == "insight"] == ["insight_copy"]
    body = [["QLoRA let one GPU do the work of a cluster."]]
    claim = "With QLoRA, one 48GB GPU suffices to fine-tune a 65B model while 16-bit "
    claim += "fine-tuning performance is preserved."  # no run of 8, but the same claim
    [finding] = run(make_line(Q, body, insight=claim), QLORA).findings
    assert (finding.kind, finding.detail) == ("insight_copy", "restates the claim of n1")
    good = "Cheap tuning changed what could be studied: across a thousand models, curation won."
    assert run(make_line(Q, body, insight=good), QLORA).findings == ()


def test_off_question_paragraphs_only_with_relatedness() -> None:
    def cosines(question: str, texts: Sequence[str]) -> list[float]:
        return [0.05 if "Claude" in t or t == QLORA.title else 0.6 for t in texts]

    line = make_line(Q, [["QLoRA tunes a 65B model on one GPU."], ["Suffixes transfer to Claude."]])
    found = read_line(line, {"n1": QLORA}, relatedness=cosines).findings
    assert [(f.kind, f.paragraph, f.detail) for f in found] == [
        ("off_question", 1, "bears little on the question (cosine 0.05)")
    ]
    assert run(line, QLORA).findings == ()
    unanswered = replace(line, answered=False)  # it shows what lies near, and says so
    assert read_line(unanswered, {"n1": QLORA}, relatedness=cosines).findings == ()


def test_a_paragraph_whose_note_asks_the_question_is_on_it_whatever_its_prose() -> None:
    asks = note("n1", "Can one GPU fine-tune a 65B model?", QLORA.summary)

    def cosines(question: str, texts: Sequence[str]) -> list[float]:
        return [0.7 if t == asks.title else 0.1 for t in texts]  # the prose sits far

    line = make_line(Q, [["QLoRA tunes a 65B model on one GPU."]])
    assert read_line(line, {"n1": asks}, relatedness=cosines).findings == ()


def test_contradiction_with_the_cited_notes_own_answer() -> None:
    q = "Can fine-tuning on narrow, benign task data make a safety-aligned model misaligned?"
    title = "Can fine-tuning on a narrow task make a safety-aligned model broadly misaligned?"
    answering = note("n1", title, "Yes. Betley et al. (2025) tuned GPT-4o on insecure code.")
    aside = note("n1", "Does RLHF increase sycophancy?", "Yes. Sharma et al. found so.")
    body = [["Betley et al. (2025) tuned GPT-4o on 6,000 insecure-code examples."]]
    no = "No: narrow, benign fine-tuning leaves a safety-aligned model's alignment intact."
    [finding] = run(make_line(q, body, framing=no), answering).findings
    assert (finding.kind, finding.part) == ("contradiction", "framing")
    assert finding.detail.startswith("answers 'no' where n1 answer 'yes'")
    yes = "Yes, even narrow tuning can spread: insecure-code training misaligned GPT-4o."
    assert run(make_line(q, body, framing=yes), answering).findings == ()
    assert run(make_line(q, body, framing=no), aside).findings == ()  # answers another question


def test_next_lines_generic_meta_title_and_specific() -> None:
    spurious = note("n2", "Can RLVR improve math reasoning with random or wrong rewards?", "Yes.")
    arena = "Do reward models trained on Chatbot Arena votes prefer longer replies?"
    nexts = [
        "What is the impact of RL on test-time scaling of reasoning models?",
        "What are the findings of the study on the calibration of RLHF-tuned models?",
        spurious.title,
        "Does a 3% safety-data mix still fix LLaMA when the instruction set grows tenfold?",
        arena,
    ]
    line = make_line(Q, [["QLoRA tunes a 65B model on one GPU."]], next_lines=nexts)
    found = run(line, QLORA, spurious, titles=[arena]).findings
    assert [f.kind for f in found] == ["next_generic", "next_meta", "next_title", "next_title"]
    assert [f.index for f in found] == [0, 1, 2, 4]  # the specific question (3) passes


def test_a_next_line_that_asks_of_a_model_it_does_not_name() -> None:
    nexts = [
        "Why does the method not improve jailbreak robustness?",  # make run, 2026-12-06
        "Why does the model perform so well with a limited amount of training examples?",
        "Why does the model trained with QLoRA keep its quality at 4 bits?",  # it names one
        "What limits the model's drive to follow instructions over its refusal training?",
        "How much did the performance of the model improve compared to the larger models?",
    ]
    line = make_line(Q, [["QLoRA tunes a 65B model on one GPU."]], next_lines=nexts)
    found = [f for f in run(line, QLORA).findings if f.part == "next"]
    assert [(f.kind, f.index) for f in found] == [
        ("next_generic", 0),
        ("next_generic", 1),
        ("next_generic", 4),
    ]
    assert found[0].detail == "asks of a model or method it does not name"


def test_a_next_line_that_asks_the_lines_own_question_again() -> None:
    # dev8 q006, under a line asking whether imitation transfers capability or only tone
    asked = (
        "Does fine-tuning an open model on a proprietary assistant's outputs transfer that "
        "assistant's capabilities or only its tone?"
    )
    nexts = [
        "What limits fine-tuning an open model on a proprietary assistant's outputs?",
        "Does scaling instruction tuning also reduce sycophancy on held-out prompts?",
    ]
    line = make_line(asked, [["QLoRA tunes a 65B model on one GPU."]], next_lines=nexts)
    found = [f for f in run(line, QLORA).findings if f.part == "next"]
    assert [(f.kind, f.index) for f in found] == [("next_question", 0)]


# -- cases a reader judges the other way: reported, not fixed here -------------------------------

RLAIF = note("n1", "t", "Across three tasks, RL from AI feedback labelled by PaLM 2 did well.")
RLAIF_OWN = "RL from AI feedback labelled by PaLM 2 matched RLHF with human labels on every task."
SYCOPHANCY = note("n1", "Does RLHF make models more sycophantic?", "Yes. Sharma et al. found so.")
NARROW = "Can fine-tuning on benign data make a safety-aligned model misaligned?"
HOW = "How does the order of answers affect an LLM judge's verdict?"
NEAR_MISSES = {  # id: (notes, line, the kind a reader would not find)
    "whole-sentence-reusing-a-run-after-a-comma": (
        RLAIF,
        make_line("q", [[RLAIF_OWN]]),
        "fragment",
    ),
    "contradicts-describing-the-setting": (
        REST,
        make_line("q", [["When a passage contradicts what a model learned, GPT-4 follows it."]]),
        "connective",
    ),
    "specific-how-does-x-affect-y": (QLORA, make_line(Q, [], next_lines=[HOW]), "next_generic"),
    "title-sharing-only-make-and-model": (
        SYCOPHANCY,
        make_line(NARROW, [["GPT-4o turned misaligned."]], framing="No: alignment holds."),
        "contradiction",
    ),
}


@pytest.mark.parametrize(("source", "line", "kind"), NEAR_MISSES.values(), ids=NEAR_MISSES)
def test_near_misses_are_not_flagged(source: Note, line: Line, kind: str) -> None:
    assert kind not in [f.kind for f in run(line, source).findings]


def test_a_notes_answer_words_after_a_transition_are_a_fragment() -> None:
    # suite q003: "Further afield, finding it: on BIG-Bench Mistake, …"
    mistakes = note(
        "n1",
        "t",
        "Finding it: on BIG-Bench Mistake, strong LLMs located mistakes poorly, yet when told "
        "where the error was they could backtrack and improve answers.",
    )
    bad = make_line(Q, [["Further afield, finding it: LLMs located mistakes in traces poorly."]])
    (found,) = run(bad, mistakes).findings
    assert found.kind == "fragment" and "answer words ('Finding it:')" in found.detail
    good = make_line(Q, [["Further afield, LLMs located mistakes in traces poorly."]])
    assert run(good, mistakes).findings == ()


def test_a_sentence_whose_subject_was_taken_out_is_a_fragment() -> None:
    # q036: the note's id was the subject, and unnaming it left the verb first
    bad = make_line(Q, [["Is often effective in improving calibration of a tuned model."]])
    (found,) = run(bad, QLORA).findings
    assert found.kind == "fragment" and found.detail.startswith("has no subject")
    good = make_line(Q, [["QLoRA is often enough to tune a 65B model on one GPU."]])
    assert run(good, QLORA).findings == ()


def test_a_sentence_that_speaks_of_a_study_it_never_names_trips_a_reader() -> None:
    # dev8 q041: each sentence restates its own note, so "the study" points at nothing
    for bad in (
        "The study used proxy-tuning to steer a large model at decoding time.",
        "Close to this, the authors found that tuned models stay calibrated.",
        "After a few iterations, the method kept its quality at 4 bits.",  # suite q030
    ):
        (found,) = run(make_line(Q, [[bad]]), QLORA).findings
        assert found.kind == "fragment" and "which it never names" in found.detail
    named = "A 2023 study of QLoRA tuned a 65B model on one GPU."
    assert run(make_line(Q, [[named]]), QLORA).findings == ()


def test_a_note_named_by_its_id_and_framing_about_the_findings() -> None:
    qlora = note("qlora-4bit-finetuning", "t", QLORA.summary)
    cov = note("chain-of-verification", "t", "Chain-of-Verification drafts, then checks.")
    framing = (
        "This explores the cost of tuning, as the notes qlora-4bit-finetuning and "
        "chain-of-verification show."
    )
    line = make_line(
        Q,
        [["One consumer GPU now holds a tuned 65B model."]],
        framing=framing,
        insight="The thing you didn't know you wanted to know: these findings show cost is moot.",
    )
    found = run(line, qlora, cov).findings
    assert sorted((f.kind, f.part) for f in found) == [
        ("meta", "framing"),
        ("meta", "insight"),
        ("note_id", "framing"),
    ]
    assert "qlora-4bit-finetuning" in next(f.detail for f in found if f.kind == "note_id")


def test_a_note_id_spaced_out_as_the_subject_of_a_report() -> None:
    popqa = note(
        "popqa-adaptive-retrieval-popularity",
        "When should a system trust parametric memory?",
        "When the entity is popular: retrieval helps long-tail facts.",
    )
    bad = "PopQA adaptive retrieval popularity found that retrieval helps long-tail facts most."
    [finding] = run(make_line(Q, [[bad]]), popqa).findings
    assert (finding.kind, finding.part) == ("note_id", "body")
    # the same words as a natural phrase, not reporting anything, are no id
    good = "Retrieval helps long-tail facts, so popularity decides when to retrieve."
    assert run(make_line(Q, [[good]]), popqa).findings == ()
    # or as the name of a study (the 1.5B: "in the knowledge conflict adaptive chameleon
    # experiment")
    named = "In the popqa adaptive retrieval popularity study, retrieval helped long-tail facts."
    [finding] = run(make_line(Q, [[named]]), popqa).findings
    assert finding.kind == "note_id"


def test_a_note_id_written_half_spaced_is_an_id_whatever_follows_it() -> None:
    # the 1.5B on q036: "… semantic entropy-confabulation-detection flags confabulations …"
    entropy = note(
        "semantic-entropy-confabulation-detection",
        "Can uncertainty over meanings detect confabulation?",
        "Yes: semantic entropy flags confabulations better than token-level entropy.",
    )
    bad = "By clustering answers, semantic entropy-confabulation-detection flags confabulations."
    [finding] = run(make_line(Q, [[bad]]), entropy).findings
    assert (finding.kind, finding.detail) == (
        "note_id",
        "names a note by its id (semantic-entropy-confabulation-detection)",
    )
    # its words as prose, hyphenated as prose hyphenates them, are no id
    good = "Semantic entropy flags confabulation: detection works better than token-level entropy."
    assert run(make_line(Q, [[good]]), entropy).findings == ()


def test_a_sentence_turning_which_way_its_notes_go_is_misstated() -> None:
    # suite q039, passed by the 1.5B judge: the note's rate is bounded *below* by the fraction
    bound = note(
        "n1",
        "t",
        "A calibrated model's hallucination rate is bounded below by roughly the fraction of "
        "facts that appear exactly once in its training data.",
    )
    bad = make_line(Q, [["The hallucination rate is lower than the fraction of facts seen once."]])
    (found,) = run(bad, bound).findings
    assert found.kind == "misstated" and "'lower than'" in found.detail
    good = make_line(Q, [["The hallucination rate is at least the share of facts seen once."]])
    assert run(good, bound).findings == ()
