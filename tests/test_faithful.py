"""What a model-written span may say beyond its notes (faithful.py, directions.py), on
sentences the 1.5B wrote in dev runs and suite lines."""

from __future__ import annotations

from inquirer.directions import (
    crossed_trend,
    fused_contrast,
    moved_against,
    unsaid_always,
    unsaid_comparison,
    unsaid_contrast,
    unsaid_size,
    unsaid_trend,
)
from inquirer.faithful import (
    added_tail,
    added_words,
    departure,
    miscased,
    misspelt,
    only_setup,
    unsaid_negation,
    unsaid_proportion,
)

LORA = (
    "LoRA matches full fine-tuning on the target domain while forgetting less of what the base "
    "model could do outside it."
)
CAI = (
    "Constitutional AI trains a harmless assistant from natural-language principles; its "
    "preference model makes the result more harmless than RLHF at comparable helpfulness."
)


def test_a_comparison_its_note_does_not_make_is_named() -> None:
    assert unsaid_comparison("LoRA outperforms full fine-tuning on the domain.", LORA) == (
        "outperforms"
    )
    assert unsaid_comparison("Full fine-tuning falls behind LoRA.", LORA) == "falls behind"
    better = f"{LORA} On some tasks it does better than full fine-tuning."
    assert unsaid_comparison("LoRA does better than full fine-tuning.", better) == ""
    assert unsaid_comparison("On chat, LoRA does better.", better) == ""  # it ends its clause
    assert unsaid_comparison("LoRA keeps pace with full fine-tuning.", LORA) == ""


def test_a_comparison_counts_only_where_the_note_makes_it_of_the_same_thing() -> None:
    tulu = (
        "The best model averaged 87% of ChatGPT's performance. Larger and better-pretrained "
        "bases gave the biggest improvements."
    )
    assert unsaid_comparison("Each model outperformed ChatGPT, by a margin.", tulu) == (
        "outperformed"
    )
    regret = (
        "LoRA matches full fine-tuning when the learning rate is about 10x the full fine-tuning "
        "optimum. LoRA falls behind when the dataset exceeds the adapter's capacity."
    )
    wrong = "LoRA falls behind when the learning rate is about 10x the optimum."
    assert unsaid_comparison(wrong, regret) == "falls behind"
    assert unsaid_comparison("LoRA falls behind once the dataset is large.", regret) == ""
    # "strategic underperformance" names a behaviour; it compares nothing
    assert unsaid_comparison("Models may sandbag by strategic underperformance.", LORA) == ""


def test_a_negation_its_note_does_not_make_is_named() -> None:
    assert unsaid_negation("The assistant did not harm any participants.", CAI) == "not"
    assert unsaid_negation("The assistant never refused.", CAI) == "never"
    assert unsaid_negation("LoRA forgets less.", LORA) == ""
    assert unsaid_negation("It is not harmful.", f"{CAI} It is not evasive.") == ""


def test_words_of_its_own_count_only_past_the_share_allowed() -> None:
    wrong = "LoRA leads to faster inference and cheaper serving on every device."
    assert added_words(wrong, LORA, 0.4) == [
        "cheaper", "device", "every", "faster", "inference", "lead", "serv"
    ]  # fmt: skip
    assert (
        added_words("LoRA keeps pace with full fine-tuning on the target domain.", LORA, 0.4) == []
    )
    # joining words ("both", "whereas", "trade-off") are not claims of the span's own
    assert added_words("Both LoRA and full fine-tuning show a trade-off.", LORA, 0.0) == []


def test_a_clause_tacked_on_after_the_finding_is_caught_by_its_own_words() -> None:
    cai = f"{CAI} Crowdworkers compared the assistants."
    tacked = (
        "Constitutional AI was more harmless than RLHF, and the assistant did not harm any "
        "participants."
    )
    assert added_tail(tacked, cai) == ["any", "harm", "participant"]
    # the same finding closed by a clause its note does say
    kept = "Constitutional AI trains from principles, with comparable helpfulness to RLHF."
    assert added_tail(kept, cai) == []
    assert added_tail("LoRA matches full fine-tuning on the target domain.", LORA) == []


def test_a_word_swapped_mid_way_or_two_words_run_together_is_a_misspelling() -> None:
    # what a try kept from copying its note wrote in a dev run
    note = (
        "LoRA matches full fine-tuning's sample efficiency. Alpaca won 90 comparisons to "
        "text-davinci-003's 89, and adding the direction makes models refuse harmless requests; "
        "the circuit was checked for minimality, and calibration held."
    )
    said = "LoRA matches full fine-turing against text-davinci-03 and refuses harmlessrequests."
    assert misspelt(said, note) == ["fine-turing", "text-davinci-03", "harmlessrequests"]
    # another form of a note's word, or a word of its own, is no misspelling
    fine = "Calibrated models match fine-tuned ones; minimal circuits were demonstrated."
    assert misspelt(fine, note) == []


def test_a_name_written_in_a_case_its_note_never_uses_is_a_misspelling() -> None:
    note = "LLaMA and PaLM were tuned with RLHF; the llama-index tool and Llama 2 were not."
    # a make run wrote "LLAMA's"; "Palm" and "Gpt-4o" would be as wrong
    assert miscased("LLAMA's answers, Palm's and Gpt-4o's drift.", f"{note} GPT-4o") == [
        "LLAMA",
        "Palm",
        "Gpt-4o",
    ]
    # the note's own forms, a sentence-opening capital, ordinary words, and an acronym's
    # letters used as a word ("Rlhf" is left to other checks: "MATH" is also "math") pass
    fine = "Llama 2 and LLaMA drift. Were PaLM and the llama-index tool tuned? The tool was."
    assert miscased(f"{fine} Rlhf.", note) == []
    assert departure("LLAMA was tuned with RLHF.", note) == "it misspells LLAMA"


def test_a_comparison_must_be_of_what_follows_the_notes_own_word() -> None:
    note = (
        "A 4K-window model with simple retrieval matched a 16K-window model, and the "
        "retrieval-augmented Llama2-70B beat GPT-3.5-turbo-16k on average."
    )
    wrong = "A 4K-window model with retrieval outperformed a 16K-window model."
    assert unsaid_comparison(wrong, note) == "outperformed"
    assert unsaid_comparison("Retrieval-augmented Llama2-70B beat GPT-3.5-turbo-16k.", note) == ""


def test_two_numbers_set_in_a_proportion_their_note_does_not_set_are_named() -> None:
    alpaca = "Alpaca won 90 comparisons to text-davinci-003's 89."
    said = "Alpaca won 90 comparisons out of 89 against text-davinci-003."
    assert unsaid_proportion(said, alpaca) == "90 comparisons out of 89"
    assert unsaid_proportion("6 out of 10 models failed.", "In all, 6 of the 10 failed.") == ""
    assert departure(said, alpaca) == "it says '90 comparisons out of 89', which its note does not"


KAPLAN = (
    "Kaplan et al. (2020) found that test cross-entropy falls as a power law in non-embedding "
    "parameters, dataset size and training compute. Overfitting depends on the ratio N^0.74/D, "
    "so data need grow only sublinearly with model size."
)
QI = (
    "Benign fine-tuning also raised harmfulness noticeably. Mixing safety data into fine-tuning "
    "reduced but did not eliminate the effect."
)


def test_a_rise_or_fall_its_note_gives_of_another_thing_is_named() -> None:
    # dev12 q088, of a note where cross-entropy falls and only data grow
    grows = "Kaplan et al. (2020) found that test cross-entropy grows as a power law."
    assert unsaid_trend(grows, KAPLAN) == "grows"
    assert departure(grows, KAPLAN) == (
        "it says 'grows', a change its note does not give of the same thing"
    )
    assert unsaid_trend("Test cross-entropy decreases as a power law.", KAPLAN) == ""
    assert unsaid_trend("Data need grow only sublinearly with model size.", KAPLAN) == ""
    # dev11 q058: what was reduced is not what the note says was
    reduced = "Qi et al. (2023) found that fine-tuning reduced its ability to answer harmful ones."
    assert unsaid_trend(reduced, QI) == "reduced"
    # a make run line: the note says the sensitivity persists, and nothing of it rising
    sclar = "Sensitivity to formatting persists with larger models and instruction tuning."
    assert unsaid_trend("Sensitivity to formatting increases with model size.", sclar) == (
        "increases"
    )


def test_a_rise_given_of_the_same_thing_holds_in_either_voice() -> None:
    assert unsaid_trend("Harmfulness was raised by benign fine-tuning.", QI) == ""
    assert unsaid_trend("Safety data reduced the effect.", QI) == ""
    assert unsaid_trend("It grew.", "Accuracy grew with scale.") == ""


def test_a_rise_that_names_the_axis_its_note_measures_along_holds() -> None:
    along = (
        "Test cross-entropy keeps falling as parameters, dataset size and training compute grow."
    )
    assert unsaid_trend(along, KAPLAN) == ""
    assert unsaid_trend("Test cross-entropy keeps falling as the learning rate grows.", KAPLAN) == (
        "grows"
    )


SLEEPER = (
    "Hubinger et al. (2024) trained backdoored sleeper agent models, for example ones that write "
    "exploitable code when the prompt says the year is 2024. These backdoors survived supervised "
    "fine-tuning, RL and adversarial training."
)


def test_a_restatement_of_how_a_study_was_done_and_not_what_it_found_is_named() -> None:
    # dev q058: the line's central note restated by its setup, its finding left out
    setup = "Hubinger et al. (2024) trained backdoored models that write exploitable code in 2024."
    assert only_setup(setup, SLEEPER)
    found = "Hubinger et al. (2024) report backdoors that survived adversarial training."
    assert not only_setup(found, SLEEPER)


def test_a_first_sentence_that_reports_a_result_is_not_setup() -> None:
    kung = (
        "Kung and Peng (2023) found that T5 models tuned on wrong mappings perform as well. "
        "A random baseline reached 42.6% exact match."
    )
    assert not only_setup("Kung and Peng (2023) found that T5 models do as well.", kung)
    longer = "DPO-trained models drift toward longer answers. Park et al. link it to bootstrapping."
    assert not only_setup("DPO-trained models drift toward longer answers.", longer)
    assert not only_setup("A method with one sentence.", "Alpaca fine-tuned LLaMA 7B on 52K demos.")


# the notes behind sentences of the suite's lines that the 1.5B judge passed
SINGLETONS = (
    "For arbitrary facts, a calibrated model's hallucination rate is bounded below by roughly "
    "the fraction of such facts that appear exactly once in its training data. Facts that "
    "follow systematic rules carry no such lower bound."
)
DISTILLED = (
    "Distillation from R1 reached 72.6% on AIME 2024, whereas large-scale RL on the same base "
    "reached 47.0%. Distillation was both cheaper and stronger."
)
SLOWLY = "Examples introducing unknown facts are fitted much more slowly than known ones."


def test_a_size_compared_with_a_word_its_note_never_compares_with_is_named() -> None:
    wrong = "The hallucination rate is lower than the fraction of facts seen once."
    assert unsaid_size(wrong, SINGLETONS) == "lower than"  # "lower bound" compares nothing
    assert unsaid_size("Distillation was stronger than large-scale RL.", DISTILLED) == ""
    assert unsaid_size("Unknown facts are fitted slower than known ones.", SLOWLY) == ""
    # before a number it is a quantity, which the quantity checks read
    assert unsaid_size("Agents completed less than the 78.24% of humans.", SINGLETONS) == ""
    assert departure(wrong, SINGLETONS).startswith("it says 'lower than'")


def test_a_finding_said_to_hold_always_where_its_note_says_usually_is_named() -> None:
    usually = "Stated confidences were usually better calibrated than token probabilities."
    wrong = "Models consistently stated better calibrated confidences."
    assert unsaid_always(wrong, usually) == "consistently"
    assert unsaid_always("Stated confidences were not always better calibrated.", usually) == ""
    held = "Long-response data consistently beat LIMA's hand-curated set."
    assert unsaid_always("Long responses consistently beat the curated set.", held) == ""


RLVR = (
    "RLVR-trained models beat their base models at pass@1, but the base models reach higher "
    "pass@k, so RLVR improves sampling efficiency while narrowing coverage. Distillation from "
    "a stronger teacher, by contrast, added new reasoning patterns."
)


def test_a_clause_joining_both_sides_of_a_contrast_its_note_draws_is_named() -> None:
    fused = (
        "RLVR-trained models improve sampling efficiency and narrow coverage by adding new "
        "reasoning patterns through distillation from a stronger teacher."
    )
    assert fused_contrast(fused, RLVR)
    assert departure(fused, RLVR).startswith("it joins into one claim")
    apart = "RLVR narrows coverage, while distillation from a teacher added new patterns."
    assert not fused_contrast(apart, RLVR)  # it keeps the contrast
    one_side = "RLVR improves sampling efficiency while narrowing coverage."
    assert not fused_contrast(one_side, RLVR)
    rare = (
        "QA accuracy rises with the number of pretraining documents mentioning the entities, "
        "whereas retrieval augmentation reduces this dependence."
    )
    own_clauses = (
        "More pretraining documents mentioning the entities lead to higher QA accuracy, with "
        "retrieval augmentation reducing this dependence."
    )
    assert not fused_contrast(own_clauses, rare)  # each side in a clause of its own


SYCOPHANCY = (
    "In PaLM models up to 540B parameters, both scaling and instruction tuning increased "
    "sycophancy on opinion questions without any RLHF. A lightweight fine-tuning step on "
    "synthetic data significantly reduced sycophancy on held-out prompts."
)


def test_a_change_set_in_the_setting_where_its_note_has_it_go_the_other_way_is_named() -> None:
    wrong = "PaLM models with synthetic data reduced sycophancy on opinion questions without RLHF."
    assert crossed_trend(wrong, SYCOPHANCY) == "reduced"
    right = "A fine-tuning step on synthetic data reduced sycophancy on held-out prompts."
    assert crossed_trend(right, SYCOPHANCY) == ""
    assert crossed_trend("Scaling increased sycophancy without any RLHF.", SYCOPHANCY) == ""
    assert departure(wrong, SYCOPHANCY).startswith("it says 'reduced' in the setting")


def test_a_finding_set_against_another_its_note_does_not_name_is_named() -> None:
    fell = (
        "Not reliably: when GPT-3.5 and GPT-4 were asked to revise their answers with no "
        "feedback, accuracy fell on GSM8K."
    )
    wrong = "In contrast, GPT-3.5 and GPT-4 demonstrated robust self-correction on GSM8K."
    assert unsaid_contrast(wrong, fell) == "In contrast"
    assert unsaid_contrast("Close to this, however, accuracy fell on GSM8K.", fell) == "however"
    assert departure(wrong, fell).startswith("it sets its finding against another")
    # mid-sentence it may join two clauses its note sets apart in words of its own
    memory = "Models adopt a coherent passage, but with supporting evidence they keep their own."
    joined = "Models adopt a coherent passage; however, with supporting evidence they keep theirs."
    assert unsaid_contrast(joined, memory) == ""


def test_a_verb_moving_a_thing_the_way_its_note_does_not_is_named() -> None:
    # suite q031: the note's training with swapped passages improves generalisation
    swapped = (
        "Models often output the memorized answer; training with substituted passages reduces "
        "this and improves out-of-distribution generalization by 4-7%."
    )
    wrong = "Relying on memory reduces out-of-distribution generalization by 4-7%."
    assert moved_against(wrong, swapped) == "reduces"
    assert moved_against("Training improves out-of-distribution generalization.", swapped) == ""
    assert departure(wrong, swapped).startswith("it says 'reduces' of what its note moves")
    # an error goes the other way to what it is the error of, and "without" moves nothing
    rlcr = "RLCR cut calibration error sharply, without increasing inference cost."
    assert moved_against("RLCR improved calibration.", rlcr) == ""
    assert moved_against("It cut calibration error without increasing its cost.", rlcr) == ""
