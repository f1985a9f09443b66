"""The verifier's logic on fakes: the checks that need no model, the judges' plumbing, the rule
that combines them, ALCE recall and precision, the line's hard checks, and the one revision."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from conftest import FakeLLM
from inquirer import saved
from inquirer.errors import InquirerError, LLMError
from inquirer.facts import entities, missing_entities, missing_numbers, numbers
from inquirer.framing import FRAMING_LEAD
from inquirer.insight import INSIGHT_LEAD
from inquirer.judges import FactCheckJudge, LLMJudge, Panel, verdict_probability
from inquirer.llm import LiteLLM, LLMConfig, TokenChoice, _litellm
from inquirer.render import render, to_json
from inquirer.revise import Reviser
from inquirer.types import (
    Evidence,
    Line,
    NextCheck,
    Note,
    Paragraph,
    ReadNote,
    Sentence,
    SourceEntry,
    Verdict,
)
from inquirer.verifier import Rule, Verifier, citation_precision, excerpt

# -- checks without a model ----------------------------------------------------------------------


def test_numbers_are_compared_by_value_in_any_spelling() -> None:
    assert numbers("1,000 pairs, 43% of cases, 2.50 points") == {"1000", "43", "2.5"}
    assert numbers("a thousand examples and three hundred prompts") == {"1000", "300"}
    assert numbers("seven models") == {"7"}
    assert numbers("about two thirds of answers; one model") == set()  # fractions, pronouns
    assert numbers("Two studies agree, from three angles") == set()  # the line's own evidence


def test_a_number_no_cited_note_states_is_missing() -> None:
    note = "Raters preferred LIMA in 43% of comparisons with GPT-4, using 1,000 examples."
    assert missing_numbers("LIMA won 43% of comparisons from a thousand examples.", [note]) == []
    assert missing_numbers("LIMA won 63% of comparisons.", [note]) == ["63%"]
    assert missing_numbers("A 70 billion parameter model.", ["Llama-2-70B was used."]) == []


def test_a_share_is_stated_only_by_the_same_share() -> None:
    note = "RL from AI feedback labelled by PaLM 2 was preferred over SFT 71% of the time."
    # the 1.5B's sentence: its 2 and 3 are nowhere shares in the note
    wrong = "RLAIF outperformed the SFT baseline by 2% and 3 percent."
    assert missing_numbers(wrong, [note, "3 tasks"]) == ["2%", "3 percent"]
    assert missing_numbers("Raters preferred it 71 percent of the time.", [note]) == []
    assert missing_numbers("PaLM 2 labelled 71% of pairs.", [note]) == []


def test_names_are_the_capitalized_mixed_and_numbered_tokens() -> None:
    found = entities("Swapping answers changed GPT-4's verdict on MT-Bench, as Zheng found.")
    assert found == ["GPT-4", "MT-Bench", "Zheng"]
    assert entities("Models improve with scale.") == []  # a capital that only starts a sentence


def test_a_name_no_cited_note_mentions_is_missing() -> None:
    note = "Llama 2 70B reached 88% on GSM8K after tuning on PaLM outputs."
    assert missing_entities("Llama-2-70B did well on GSM8K-style problems.", [note]) == []
    assert missing_entities("They tuned Mistral on GSM8K.", [note]) == ["Mistral"]


def test_an_excerpt_keeps_the_body_sentences_that_bear_on_the_claim() -> None:
    body = (
        "The study used 500 prompts. Raters compared answers blind. "
        "Accuracy rose to 71% with retrieval. The code is public."
    )
    out = excerpt(body, "Retrieval raised accuracy to 71%.", limit=12)
    assert out == "Accuracy rose to 71% with retrieval."


# -- judges --------------------------------------------------------------------------------------


def test_the_probability_of_true_is_read_at_the_verdict_token() -> None:
    tokens = [
        TokenChoice('{"', -0.1),
        TokenChoice("supported", -0.1),
        TokenChoice(" false", -0.3, ((" false", -0.3), (" true", -1.6), (" maybe", -3.0))),
    ]
    p = verdict_probability(tokens)
    assert p is not None and abs(p - 0.2142) < 1e-3
    assert verdict_probability([TokenChoice("x", -0.1)]) is None


def test_the_llm_judge_falls_back_to_the_verdict_without_log_probabilities() -> None:
    llm = FakeLLM({"ClaimVerdict": [{"supported": False}, {"supported": True}]})
    judge = LLMJudge(llm)
    assert judge.support("Document.", "Claim.") == 0.0
    assert judge.support("Document.", "Claim.") == 1.0
    name, messages = llm.history[0]
    assert name == "ClaimVerdict" and "Document: Document." in messages[-1]["content"]


def test_the_fact_check_judge_reads_yes_and_no_through_litellm() -> None:
    litellm = _litellm()

    def model(answer: str) -> LiteLLM:
        def completion(**kwargs: Any) -> Any:
            assert kwargs["messages"][-1]["content"].startswith("Document: ")
            return litellm.completion(**kwargs, mock_response=answer)

        return LiteLLM(LLMConfig("ollama/bespoke-minicheck", retries=0), completion=completion)

    assert FactCheckJudge(model("Yes")).support("D.", "C.") == 1.0
    assert FactCheckJudge(model("No.")).support("D.", "C.") == 0.0
    with pytest.raises(LLMError, match="not Yes or No"):
        FactCheckJudge(model("Perhaps")).support("D.", "C.")


class FixedJudge:
    """Support by the first phrase of ``table`` found in the claim (documents are recorded)."""

    def __init__(self, name: str, table: dict[str, float], default: float = 0.9) -> None:
        self.name = name
        self.table = table
        self.default = default
        self.seen: list[tuple[str, str]] = []

    def support(self, document: str, claim: str) -> float:
        self.seen.append((document, claim))
        for phrase, p in self.table.items():
            if phrase in claim:
                return p
        return self.default


def test_a_panel_takes_the_mean_and_asks_each_pair_once() -> None:
    a, b = FixedJudge("a", {}, 0.9), FixedJudge("b", {}, 0.3)
    panel = Panel([a, b])
    assert panel.support("doc", "claim") == pytest.approx(0.6)
    assert panel.support("doc", "claim") == pytest.approx(0.6)
    assert len(a.seen) == 1 and panel.calls == 2
    with pytest.raises(ValueError):
        Panel([])


# -- the verifier --------------------------------------------------------------------------------


def note(note_id: str, summary: str, body: str = "") -> Note:
    return Note(note_id, f"What about {note_id}?", summary, body or summary, "", f"fp-{note_id}")


NOTES = {
    "lima-note": note("lima-note", "LIMA used 1,000 examples and matched GPT-4 in 43% of cases."),
    "urial-note": note("urial-note", "URIAL aligned base models with three in-context examples."),
    "other-note": note("other-note", "Style imitation fools raters."),
}


def make_line(sentences: Sequence[Sequence[Sentence]], **changes: Any) -> Line:
    body = tuple(Paragraph(tuple(p)) for p in sentences)
    cited = dict.fromkeys(c for p in body for c in p.cites)
    evidence = Evidence("q?", tuple(ReadNote(n, True, "", 1) for n in NOTES.values()), ())
    line = Line(
        question="Does alignment teach format?",
        framing=f"{FRAMING_LEAD} whether alignment teaches format or knowledge.",
        body=body,
        insight=f"{INSIGHT_LEAD} Format is cheap to teach.",
        sources=tuple(
            SourceEntry(c, NOTES[c].title, NOTES[c].summary) for c in cited if c in NOTES
        ),
        next_lines=("What is URIAL?", "Why do raters prefer style?", "How much data is enough?"),
        answered=True,
        model="fake/model",
        created="2026-11-23T00:00:00+00:00",
        evidence=evidence,
    )
    return replace(line, **changes)


GOOD = [
    [Sentence("LIMA matched GPT-4 in 43% of cases.", ("lima-note",))],
    [Sentence("URIAL aligned base models in context.", ("urial-note",))],
    [Sentence("Alignment can be shallow.", ("lima-note", "urial-note"))],
]


def verifier(judge: FixedJudge, **rule: Any) -> Verifier:
    return Verifier(
        Panel([judge]),
        rule=Rule(**{"threshold": 0.5, "confident": 0.7, **rule}),
        followups=lambda q, lines: [NextCheck(x, True, True) for x in lines],
    )


def test_a_supported_line_passes_with_full_recall_and_precision() -> None:
    verdict = verifier(FixedJudge("j", {})).verify(make_line(GOOD), NOTES, NOTES.keys())
    assert verdict.status == "passed" and not verdict.failures
    assert [s.label for s in verdict.sentences] == ["supported"] * 3
    assert verdict.citation_recall == 1.0 and verdict.citation_precision == 1.0
    assert verdict.judges == ("j",)


def test_reading_findings_fail_the_verdict_or_are_only_listed() -> None:
    copied = [*GOOD, [Sentence("Style imitation fools raters.", ("other-note",))]]
    line = make_line(copied, insight=f"{INSIGHT_LEAD} Style imitation fools raters.")
    verdict = verifier(FixedJudge("j", {})).verify(line, NOTES, NOTES.keys())
    assert verdict.status == "failed" and not verdict.failures
    assert [f.kind for f in verdict.reading] == ["insight_copy"]
    assert "1 reading problems" in verdict.describe()
    listed = verifier(FixedJudge("j", {}))
    listed.reading_fails = False  # the setting verify_reading = "report"
    again = listed.verify(line, NOTES, NOTES.keys())
    assert again.status == "passed" and again.reading == verdict.reading
    # a next line that restates the title of a note the line never read is found too
    listed.titles = lambda: ["Does alignment teach format or knowledge?"]
    titled = make_line(GOOD, next_lines=("Does alignment teach format or knowledge?",))
    assert [f.kind for f in listed.verify(titled, NOTES, NOTES.keys()).reading] == ["next_title"]


def test_each_sentence_gets_the_label_the_rule_gives() -> None:
    line = make_line(
        [
            [
                Sentence("LIMA matched GPT-4 in 63% of cases.", ("lima-note",))
            ],  # a number not stated
            [Sentence("URIAL needs reward models.", ("urial-note",))],  # the judge says no
            [
                Sentence("Base models were aligned by Mistral.", ("urial-note",))
            ],  # a name not mentioned
            [Sentence("URIAL is probably fine.", ("urial-note",)), Sentence("No citation.", ())],
        ]
    )
    judge = FixedJudge("j", {"reward models": 0.1, "probably": 0.6})
    verdict = verifier(judge).verify(line, NOTES, NOTES.keys())
    labels = [s.label for s in verdict.sentences]
    assert labels == ["unsupported", "unsupported", "partial", "partial", "uncited"]
    assert verdict.status == "failed"
    assert "number 63% appears in no cited note" in verdict.sentences[0].problems
    assert any(f.kind == "number" for f in verdict.failures)
    assert "Mistral" in verdict.sentences[2].problems[0]
    vetoed = verifier(judge, names_veto=True).verify(line, NOTES, NOTES.keys())
    assert vetoed.sentences[2].label == "unsupported"


def test_a_relation_no_cited_note_states_is_unsupported_without_asking_the_judge() -> None:
    from inquirer.faithful import unsaid_relation

    # evals/line_claims.jsonl l021 and l035, and what their notes do say
    judge = FixedJudge("j", {})
    because = Sentence("URIAL aligned base models because raters prefer style.", ("urial-note",))
    check = verifier(judge).check(because, NOTES)
    assert check.label == "unsupported" and check.support is None and judge.seen == []
    assert "'because': no cited note says so" in check.problems
    note = "Reasoning models trained with RL check their work and backtrack."
    joined = f"{note[:-1]}, which aligns with the claim that LLMs cannot self-correct."
    assert unsaid_relation(joined, note) == "aligns with"
    assert unsaid_relation("URIAL did not need tuning.", "URIAL aligned base models.") == "not"
    assert unsaid_relation("URIAL outperformed tuning.", "URIAL matched tuning.") == "outperformed"
    # the same relation stated by the note is no problem, nor a plain restatement
    stated = "Jailbreaks succeed because the drive to follow instructions wins."
    assert unsaid_relation(stated, f"{stated} Refusal training loses.") == ""
    assert verifier(judge).check(GOOD[1][0], NOTES).label == "supported"


def test_the_judge_reads_the_cited_notes_together() -> None:
    judge = FixedJudge("j", {})
    verifier(judge).verify(make_line(GOOD), NOTES, NOTES.keys())
    joint = next(d for d, c in judge.seen if c == "Alignment can be shallow.")
    assert "[lima-note]" in joint and "[urial-note]" in joint and "URIAL aligned" in joint


def test_alce_precision_counts_a_citation_that_adds_nothing_as_imprecise() -> None:
    line = make_line(
        [[Sentence("LIMA matched GPT-4 with few examples.", ("lima-note", "other-note"))]]
    )

    class ByDocument(FixedJudge):
        def support(self, document: str, claim: str) -> float:
            return 0.9 if "LIMA used" in document else 0.1

    verdict = verifier(ByDocument("j", {})).verify(line, NOTES, NOTES.keys())
    (check,) = verdict.sentences
    assert check.label == "supported" and check.imprecise == ("other-note",)
    assert verdict.citation_recall == 1.0 and verdict.citation_precision == 0.5
    assert citation_precision([]) is None


def test_hard_checks_of_the_line_as_a_whole() -> None:
    line = make_line(
        [[Sentence("A claim.", ("ghost",))], [Sentence("Another.", ("urial-note",))]],
        framing="It explores things.",
        insight="No lead.",
        next_lines=("Only one?",),
        sources=(SourceEntry("urial-note", "t", "A rewritten summary."),),
    )
    verdict = verifier(FixedJudge("j", {})).verify(line, NOTES, {"lima-note"})
    kinds = {f.kind for f in verdict.failures}
    assert {"unknown_note", "unread_note", "summary", "part"} <= kinds
    details = " ".join(f.detail for f in verdict.failures)
    assert "'ghost' does not exist" in details and "'urial-note' was not read" in details
    assert "framing" in details and "2 paragraphs" in details and "1 next lines" in details
    assert verdict.status == "failed"


def test_next_lines_that_fail_their_checks_are_failures() -> None:
    v = Verifier(
        Panel([FixedJudge("j", {})]),
        followups=lambda q, lines: [NextCheck(x, x != "What is URIAL?", True) for x in lines],
    )
    verdict = v.verify(make_line(GOOD), NOTES, NOTES.keys())
    assert [f.detail for f in verdict.failures if f.kind == "next_line"] == [
        "'What is URIAL?' is not answerable from the corpus"
    ]


def test_without_judges_only_the_model_free_checks_run() -> None:
    verdict = Verifier(None).verify(make_line(GOOD), NOTES, NOTES.keys())
    assert [s.label for s in verdict.sentences] == ["partial"] * 3 and verdict.status == "passed"


# -- revision ------------------------------------------------------------------------------------


def test_revision_rewrites_or_drops_unsupported_sentences_and_rebuilds_sources() -> None:
    line = make_line(
        [
            [Sentence("LIMA matched GPT-4 in 63% of cases.", ("lima-note",))],
            [Sentence("URIAL needs reward models.", ("urial-note",))],
            [Sentence("URIAL aligned base models in context.", ("urial-note",))],
        ]
    )
    check = verifier(FixedJudge("j", {"reward models": 0.1}))
    verdict = check.verify(line, NOTES, NOTES.keys())
    llm = FakeLLM(
        {
            "RevisedOut": [
                {"text": "LIMA matched GPT-4 in 43% of cases.", "cites": ["lima-note"]},
                {"text": "URIAL needs 12 reward models.", "cites": ["urial-note"]},  # a new number
            ]
        }
    )
    revised, changes = Reviser(llm).revise(line, verdict, NOTES)
    assert [(c.before, c.after) for c in changes] == [
        ("LIMA matched GPT-4 in 63% of cases.", "LIMA matched GPT-4 in 43% of cases."),
        ("URIAL needs reward models.", ""),
    ]
    assert "number 63% appears in no cited note" in changes[0].reason
    assert [[s.text for s in p.sentences] for p in revised.body] == [
        ["LIMA matched GPT-4 in 43% of cases."],
        ["URIAL aligned base models in context."],
    ]
    assert [s.note_id for s in revised.sources] == ["lima-note", "urial-note"]
    prompt = llm.history[0][1][-1]["content"]
    assert "number 63% appears in no cited note" in prompt and "lima-note:" in prompt
    again = check.verify(revised, NOTES, NOTES.keys())
    assert [s.label for s in again.sentences] == ["supported", "supported"]


def test_a_rewrite_that_wraps_the_claim_in_talk_of_the_notes_is_dropped() -> None:
    line = make_line(
        [
            [Sentence("URIAL needs reward models.", ("urial-note",))],
            [Sentence("URIAL aligned base models in context.", ("urial-note",))],
        ]
    )
    check = verifier(FixedJudge("j", {"reward models": 0.1}))
    verdict = check.verify(line, NOTES, NOTES.keys())
    wrapped = [
        {"text": "The notes support that URIAL needs reward models.", "cites": ["urial-note"]},
        {"text": "URIAL, as the notes describe, needs reward models.", "cites": ["urial-note"]},
    ]
    # make run, 2026-12-05: the rewrite was the same claim without the lead code had given it
    line = make_line(
        [
            [
                Sentence("URIAL aligned base models in context.", ("urial-note",)),
                Sentence("Close to this, URIAL needs reward models.", ("urial-note",)),
            ],
        ]
    )
    verdict = check.verify(line, NOTES, NOTES.keys())
    llm = FakeLLM({"RevisedOut": [{"text": "URIAL needs reward models.", "cites": ["urial-note"]}]})
    revised, changes = Reviser(llm).revise(line, verdict, NOTES)
    assert [(c.before, c.after) for c in changes] == [
        ("Close to this, URIAL needs reward models.", "")
    ]
    assert [[s.text for s in p.sentences] for p in revised.body] == [
        ["URIAL aligned base models in context."]
    ]
    line = make_line(
        [
            [Sentence("URIAL needs reward models.", ("urial-note",))],
            [Sentence("URIAL aligned base models in context.", ("urial-note",))],
        ]
    )
    verdict = check.verify(line, NOTES, NOTES.keys())
    for answer in wrapped:
        llm = FakeLLM({"RevisedOut": [answer]})
        revised, changes = Reviser(llm).revise(line, verdict, NOTES)
        assert [(c.before, c.after) for c in changes] == [("URIAL needs reward models.", "")]
        assert [[s.text for s in p.sentences] for p in revised.body] == [
            ["URIAL aligned base models in context."]
        ]


def test_revision_drops_what_the_reading_pass_trips_on_and_keeps_a_faithful_copy() -> None:
    copy = "LIMA used 1,000 examples and matched GPT-4 in 43% of cases."  # the note's own words
    line = make_line(
        [
            [Sentence(copy, ("lima-note",))],
            [
                Sentence("URIAL aligned base models in context.", ("urial-note",)),
                Sentence("The notes say alignment can be shallow.", ("urial-note",)),
            ],
            [Sentence("Style imitation fools raters, which shows alignment.", ("other-note",))],
        ],
        insight=f"{INSIGHT_LEAD} URIAL aligned base models in context.",
        next_lines=("What is the role of style?", "Why do raters prefer style?", "What is URIAL?"),
    )
    check = verifier(FixedJudge("j", {}))
    verdict = check.verify(line, NOTES, NOTES.keys())
    kinds = {f.kind for f in verdict.reading}
    assert {"copied", "meta", "connective", "insight_copy", "next_generic"} <= kinds
    revised, changes = Reviser(FakeLLM()).revise(line, verdict, NOTES)
    body = [[s.text for s in p.sentences] for p in revised.body]
    assert body == [[copy], ["URIAL aligned base models in context."]]
    assert [s.note_id for s in revised.sources] == ["lima-note", "urial-note"]
    assert revised.insight == "" and revised.next_lines == line.next_lines[1:]
    reasons = " | ".join(c.reason for c in changes)
    assert "dropped: speaks of the notes" in reasons and "insight dropped" in reasons
    assert "next line dropped: a template question" in reasons
    again = check.verify(revised, NOTES, NOTES.keys())
    assert {f.kind for f in again.reading} == {"copied"}  # shown, not hidden


# -- the pipeline's verified step and rendering --------------------------------------------------


def pipeline_with(judge: Any, reviser: Reviser | None = None) -> Any:
    from inquirer.pipeline import Pipeline

    p = Pipeline.__new__(Pipeline)  # only the verified step: no agent, composer or retriever
    p.verifier = Verifier(
        Panel([judge]), followups=lambda q, lines: [NextCheck(x, True, True) for x in lines]
    )
    p.reviser = reviser
    return p


def test_a_failed_line_is_revised_once_then_shown_with_its_final_verdict() -> None:
    line = make_line([*GOOD, [Sentence("URIAL needs reward models.", ("urial-note",))]])
    rewrite = "URIAL aligned base models with a reward model."
    llm = FakeLLM({"RevisedOut": [{"text": rewrite, "cites": ["urial-note"]}]})
    judge = FixedJudge("j", {"reward model": 0.1})  # the rewrite fails too
    events: list[Any] = []
    out = pipeline_with(judge, Reviser(llm)).verified(line, events.append)
    assert out.verdict.status == "failed"  # still failing: shown as failed, never hidden
    assert out.verdict.changes[0].after == rewrite
    kinds = [e.kind for e in events]
    assert kinds == ["verifying"] * 6 + ["verified"]  # start, 4 sentences, revising
    assert (
        events[4].message == "sentence 4/4: unsupported (the judges give support 0.10 (below 0.50))"
    )
    assert events[4].data["check"].label == "unsupported"
    assert "1 revised" in events[-1].message


def test_an_unreachable_judge_leaves_the_verdict_not_run_with_the_reason() -> None:
    class Down:
        name = "llm:down"

        def support(self, document: str, claim: str) -> float:
            raise LLMError("local/x: APIConnectionError: refused", retryable=True)

    out = pipeline_with(Down()).verified(make_line(GOOD), lambda e: None)
    assert out.verdict.status == "not run" and "refused" in out.verdict.reason
    md = render(out, "md")
    assert 'verification: "not run: the judge could not be reached' in md
    assert "Not run: the judge could not be reached" in md and "passed" not in md.lower()


def test_every_form_carries_the_verdict() -> None:
    judge = FixedJudge("j", {"reward models": 0.1})
    line = make_line([*GOOD, [Sentence("URIAL needs reward models.", ("urial-note",))]])
    verdict = verifier(judge).verify(line, NOTES, NOTES.keys())
    line = replace(line, verdict=verdict)
    data = to_json(line)
    assert data["verification"]["status"] == "failed"
    assert [s["label"] for s in data["verification"]["sentences"]][-1] == "unsupported"
    md = render(line, "md")
    assert "## Verification" in md and "**FAILED**" in md
    assert "unsupported: “URIAL needs reward models.”" in md
    text = render(line, "text")
    assert "FAILED — failed: 3/4 sentences supported" in text and "**" not in text


# -- saved lines ---------------------------------------------------------------------------------


def test_a_saved_line_is_checked_field_by_field(tmp_path: Path) -> None:
    path = tmp_path / "line.json"
    path.write_text("{not json")
    with pytest.raises(InquirerError, match=r"not JSON \(line 1"):
        saved.load(path)
    path.write_text(json.dumps({"question": "q?", "body": "text"}))
    with pytest.raises(InquirerError, match=r"not a saved inquiring line.*framing: Field required"):
        saved.load(path)
    with pytest.raises(InquirerError, match="no such file"):
        saved.load(tmp_path / "missing.json")


def test_a_saved_line_round_trips_and_reports_rot(tmp_path: Path) -> None:
    line = make_line(GOOD)
    path = tmp_path / "line.json"
    path.write_text(json.dumps(to_json(line)))
    data = saved.load(path)
    assert saved.cited(data) == ["lima-note", "urial-note"]
    rebuilt = saved.rebuild(data, NOTES)
    assert rebuilt.body == line.body and rebuilt.sources == line.sources
    changed_note = replace(NOTES["urial-note"], fingerprint="fp-new")
    changed, unknown = saved.rot(data, {**NOTES, "urial-note": changed_note})
    assert [(r.note_id, r.then, r.now) for r in changed] == [
        ("urial-note", "fp-urial-note", "fp-new")
    ]
    assert unknown == []
    assert Verdict("not run", reason="x").describe() == "not run: x"


# -- wiring from settings ------------------------------------------------------------------------


def test_settings_choose_the_judges_and_the_calibrated_threshold(settings: Any) -> None:
    from inquirer.config import Settings
    from inquirer.errors import ConfigError
    from inquirer.judges import CALIBRATED
    from inquirer.local_model import best_installed
    from inquirer.services import build_verifier, judge_model

    answering = FakeLLM()
    answering.model = "local/qwen2.5-coder-0.5b"

    def built(**changes: Any) -> Verifier | None:
        changed: Settings = settings.model_copy(update=changes)
        return build_verifier(changed, answering, retriever=None)  # type: ignore[arg-type]

    judge = best_installed()
    verifier = built()
    assert verifier is not None and verifier.panel is not None
    assert verifier.panel.names == (f"llm:{judge}",)
    assert verifier.rule.threshold == CALIBRATED[f"llm:{judge}"] == verifier.rule.confident
    assert verifier.rule.names_veto  # a name no cited note mentions fails the sentence
    chosen = built(verify_threshold=0.3, verify_confident=0.6, verify_names="partial")
    assert chosen is not None and (chosen.rule.threshold, chosen.rule.confident) == (0.3, 0.6)
    assert not chosen.rule.names_veto
    assert built(verify=False) is None
    with pytest.raises(ConfigError, match="nli_model is not set"):
        built(verify_judges=["llm", "nli"])
    with pytest.raises(ConfigError, match="factcheck_model is not set"):
        built(verify_judges=["factcheck"])
    assert judge_model(settings, "openai/gpt-4o-mini") == "openai/gpt-4o-mini"
    assert judge_model(settings.model_copy(update={"verify_model": "ollama/x"}), "y") == "ollama/x"


def test_the_claims_set_splits_by_rule_and_scores_balanced_accuracy() -> None:
    from conftest import REPO
    from inquirer.evals.claims import auc, best_threshold, load_claims, score

    claims = load_claims(REPO / "evals" / "claims.jsonl")
    dev = [c for c in claims if c.split == "dev"]
    assert len(claims) == 168 and len(dev) == 87
    assert {c.kind for c in dev} == {c.kind for c in claims if c.split == "test"}
    four = claims[:2] + [c for c in claims if not c.supported][:2]
    assert [c.supported for c in four] == [True, True, False, False]
    s = score(four, [False, True, True, False])  # one of each error
    assert (s.tp, s.fn, s.fp, s.tn) == (1, 1, 1, 1) and s.balanced_accuracy == 0.5
    assert auc(four, [0.9, 0.8, 0.1, 0.8]) == 0.875
    assert best_threshold(four, [0.9, 0.8, 0.1, 0.2]) == 0.8  # flags both unsupported only


def test_a_sentence_that_comes_to_open_its_paragraph_loses_its_within_paragraph_lead() -> None:
    line = make_line(
        [
            [
                Sentence(
                    "LIMA used 1,000 examples and matched GPT-4 in 43% of cases.", ("lima-note",)
                )
            ],
            [
                Sentence("The notes say alignment can be shallow.", ("urial-note",)),
                Sentence("Close to this, URIAL aligned base models in context.", ("urial-note",)),
            ],
        ]
    )
    verdict = verifier(FixedJudge("j", {})).verify(line, NOTES, NOTES.keys())
    revised, changes = Reviser(FakeLLM()).revise(line, verdict, NOTES)
    assert [s.text for s in revised.body[1].sentences] == ["URIAL aligned base models in context."]
    lead = [c for c in changes if c.reason.startswith("lead dropped")]
    assert [(c.paragraph, c.index) for c in lead] == [(1, 1)]


def test_an_insight_drawing_on_a_finding_revision_dropped_goes_with_it() -> None:
    line = make_line(
        [
            [
                Sentence(
                    "LIMA used 1,000 examples and matched GPT-4 in 43% of cases.", ("lima-note",)
                )
            ],
            [Sentence("The notes say URIAL aligns base models in context.", ("urial-note",))],
        ],
        insight=f"{INSIGHT_LEAD} Few examples and URIAL's in-context aligning teach one style.",
    )
    verdict = verifier(FixedJudge("j", {})).verify(line, NOTES, NOTES.keys())
    revised, changes = Reviser(FakeLLM()).revise(line, verdict, NOTES)
    assert len(revised.body) == 1 and revised.insight == ""
    assert any("drew on findings revision dropped (align, urial)" in c.reason for c in changes)


@pytest.mark.parametrize(
    "rewrite",
    [
        "URIAL needs no reward model.",  # a negation its note does not make
        "URIAL aligned base models, as evidenced by the Alpaca model's performance.",
        "URIAL outperformed reward models with three in-context examples.",
        # cut off at the length limit mid-word (dev11 q070: "…, and the judges' G.")
        "Three in-context examples sufficed for URIAL, " + "and more " * 23 + "and G.",
    ],
)
def test_a_rewrite_that_says_what_its_note_does_not_is_dropped(rewrite: str) -> None:
    line = make_line([*GOOD, [Sentence("URIAL needs reward models.", ("urial-note",))]])
    llm = FakeLLM({"RevisedOut": [{"text": rewrite, "cites": ["urial-note"]}]})
    out = pipeline_with(FixedJudge("j", {"reward models": 0.1}), Reviser(llm)).verified(
        line, lambda e: None
    )
    assert out.verdict.changes[0].after == ""  # dropped, not shown
    assert rewrite not in [s.text for p in out.body for s in p.sentences]


def test_revision_keeps_the_note_whose_answer_the_framing_gives() -> None:
    # suite q030: revision dropped the only sentence of the note whose "Not reliably" the
    # framing gave as the corpus's answer
    asks = Note(
        "asks-note",
        "Does alignment teach format?",
        "Mostly the format: URIAL matched tuned models with three in-context examples.",
        "URIAL matched tuned models with three in-context examples.",
        "",
        "fp-asks",
    )
    notes = {**NOTES, "asks-note": asks}
    line = make_line(
        [
            [Sentence("Alignment teaches only knowledge, never format.", ("asks-note",))],
            [Sentence("URIAL aligned base models in context.", ("urial-note",))],
        ],
        framing="This explores the question. Where the corpus asks this directly, its answer "
        "is mostly the format.",
    )
    verdict = verifier(FixedJudge("j", {"never format": 0.1})).verify(line, notes, notes.keys())
    revised, changes = Reviser(FakeLLM()).revise(line, verdict, notes)
    restored = "URIAL matched tuned models with three in-context examples."
    assert [[s.text for s in p.sentences] for p in revised.body] == [
        [restored, "URIAL aligned base models in context."]
    ]
    assert revised.body[0].sentences[0].cites == ("asks-note",)
    assert any(c.after == restored and c.reason.startswith("restored") for c in changes)
    assert revised.sources[0].note_id == "asks-note"
