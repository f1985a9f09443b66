"""Judges of support: given a document (the text of one or more notes) and a claim, how likely
is it that the document supports the claim? Three kinds, pluggable and combinable:

- ``LLMJudge``: a language model through litellm, one (document, claim) pair per call, with
  structured output ``{"supported": bool}``. Where the provider reports log probabilities
  (llama.cpp, OpenAI) the answer is the probability of ``true`` against ``false`` at the
  verdict token, which ranks claims far better than the bare verdict of a small model
  (DESIGN.md); otherwise the verdict itself, 1 or 0.
- ``NLIJudge``: an NLI cross-encoder (sentence-transformers), the entailment probability.
- ``FactCheckJudge``: a fact-checking model served through litellm that answers Yes or No to
  "Document: … Claim: …" (e.g. ``ollama/bespoke-minicheck``).

``Panel`` combines them: the support of a claim is the mean of its judges' probabilities, and
it remembers every answer, so that re-verifying a revised line asks only about what changed.
"""

from __future__ import annotations

import hashlib
import math
import threading
from collections.abc import Sequence
from typing import Protocol

from pydantic import BaseModel

from . import prompts
from .embeddings import NLIScorer
from .errors import LLMError
from .llm import LLM, TokenChoice

# Thresholds on P(true): below them, a claim is unsupported (benchmarks/verifier_eval.py; README,
# Benchmarks). The 1.5B's was chosen with the number check and names as a veto on the dev halves
# of four sets (the project's claims, the line sentences, HaluEval, Falke), each weighted alike,
# as the best mean balanced accuracy that flags at most 1 supported claim in 10. The 0.5B's was
# chosen on the dev half of evals/claims.jsonl alone.
CALIBRATED = {
    "llm:local/qwen2.5-coder-1.5b": 0.18,
    "llm:local/qwen2.5-coder-0.5b": 0.78,
}
UNCALIBRATED = 0.5


class Judge(Protocol):
    name: str

    def support(self, document: str, claim: str) -> float:
        """The probability, 0 to 1, that ``document`` supports ``claim``."""
        ...


class ClaimVerdict(BaseModel):
    supported: bool


def verdict_probability(tokens: Sequence[TokenChoice]) -> float | None:
    """P(true) / (P(true) + P(false)) at the first token that reads true or false, from the
    alternatives the model weighed there; None when no such token or no alternatives."""
    for token in tokens:
        if token.token.strip().lower() not in ("true", "false"):
            continue
        weights = {"true": 0.0, "false": 0.0}
        for text, logprob in token.top or ((token.token, token.logprob),):
            key = text.strip().lower()
            if key in weights:
                weights[key] += math.exp(logprob)
        total = weights["true"] + weights["false"]
        return weights["true"] / total if total > 0 else None
    return None


class LLMJudge:
    """A language model as judge, in a fresh context for every pair (prompts/verify_claim.md)."""

    def __init__(self, llm: LLM) -> None:
        self.llm = llm
        self.name = f"llm:{llm.model}"

    def verdict(self, document: str, claim: str) -> tuple[bool, float | None]:
        """The model's verdict, and the probability of ``true`` where the provider tells it."""
        rendered = prompts.render("verify_claim", document=document, claim=claim)
        verdict, done = self.llm.structured(
            prompts.split(rendered), ClaimVerdict, max_tokens=16, logprobs=5
        )
        return verdict.supported, verdict_probability(done.tokens)

    def support(self, document: str, claim: str) -> float:
        supported, probability = self.verdict(document, claim)
        return probability if probability is not None else float(supported)


class NLIJudge:
    """An NLI cross-encoder: the document is the premise, the claim the hypothesis."""

    def __init__(self, scorer: NLIScorer) -> None:
        self.scorer = scorer
        self.name = f"nli:{scorer.model_id}"

    def support(self, document: str, claim: str) -> float:
        return self.scorer.entailment([(document, claim)])[0]


class FactCheckJudge:
    """A fact-checking model that answers Yes or No (prompts/verify_factcheck.md)."""

    def __init__(self, llm: LLM) -> None:
        self.llm = llm
        self.name = f"factcheck:{llm.model}"

    def support(self, document: str, claim: str) -> float:
        rendered = prompts.render("verify_factcheck", document=document, claim=claim)
        done = self.llm.complete(prompts.split(rendered), max_tokens=4)
        answer = done.text.strip().strip(".!\"'").lower()
        if answer.startswith("yes"):
            return 1.0
        if answer.startswith("no"):
            return 0.0
        raise LLMError(
            f"{self.llm.model} answered {done.text.strip()[:40]!r}, not Yes or No",
            hint="the fact-check judge needs a model trained to answer Yes/No, such as "
            "bespoke-minicheck",
        )


class Panel:
    """Judges combined: the mean of their probabilities. Answers are remembered by (judge,
    document, claim), so a sentence asked about twice costs one call."""

    def __init__(self, judges: Sequence[Judge]) -> None:
        if not judges:
            raise ValueError("a panel needs at least one judge")
        self.judges = tuple(judges)
        self.calls = 0
        self._memory: dict[tuple[str, str, str], float] = {}
        self._lock = threading.Lock()

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(judge.name for judge in self.judges)

    def threshold(self) -> float:
        """The calibrated threshold of a lone judge that has one, else ``UNCALIBRATED``."""
        if len(self.judges) == 1:
            return CALIBRATED.get(self.judges[0].name, UNCALIBRATED)
        return UNCALIBRATED

    def scores(self, document: str, claim: str) -> dict[str, float]:
        """Each judge's probability for the pair."""
        digest = hashlib.sha256(document.encode()).hexdigest()
        out: dict[str, float] = {}
        for judge in self.judges:
            key = (judge.name, digest, claim)
            with self._lock:
                known = self._memory.get(key)
            if known is None:
                known = judge.support(document, claim)
                with self._lock:
                    self._memory[key] = known
                    self.calls += 1
            out[judge.name] = known
        return out

    def support(self, document: str, claim: str) -> float:
        scores = self.scores(document, claim)
        return sum(scores.values()) / len(scores)
