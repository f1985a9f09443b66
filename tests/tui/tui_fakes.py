"""A session for TUI tests: a real Chroma store and note table filled with the fake embedder,
a FakeLLM that composes, and a fixed judge — fast and the same on every run."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from conftest import FakeEmbedder, FakeLLM, write_note
from inquirer.agent import Budget
from inquirer.config import Settings
from inquirer.embeddings import Embedder
from inquirer.history import History
from inquirer.indexer import Indexer
from inquirer.judges import Panel
from inquirer.lexical import LexicalIndex
from inquirer.pipeline import Pipeline
from inquirer.retrieval import Retriever
from inquirer.services import build_indexer, lexical_path
from inquirer.session import CorpusInfo, Session
from inquirer.verifier import Rule, Verifier

QUESTION = "Does RLHF hurt the calibration of model probabilities?"
NEXT = [
    "Does temperature scaling repair calibration after tuning?",
    "Which calibration repair survives a change of domain?",
    "Do larger models keep their calibration under RLHF?",
]
INDEXED = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)


def write_corpus(root: Path) -> Path:
    write_note(
        root,
        "rlhf-calibration",
        title="Does RLHF hurt model calibration?",
        summary="RLHF raises the calibration error of model probabilities.",
        body="RLHF raises the expected calibration error of token probabilities from 0.03 to "
        "0.12 on the benchmark. The tuned model is overconfident on hard questions. "
        "Pretrained models were well calibrated before tuning.",
        related=["verbal-confidence", "temperature-scaling"],
    )
    write_note(
        root,
        "verbal-confidence",
        title="Is stated confidence better calibrated?",
        summary="Confidence stated in words is better calibrated after RLHF.",
        body="Asking the tuned model to state its confidence in words gives calibration error "
        "close to the pretrained model's. Verbal confidence recovers what the token "
        "probabilities lost.",
    )
    write_note(
        root,
        "temperature-scaling",
        title="Does temperature scaling fix calibration?",
        summary="Temperature scaling repairs most calibration error of a model.",
        body="A single temperature fitted on held-out data repairs most calibration error. "
        "It does not change which answer the model ranks first.",
    )
    write_note(
        root,
        "scale-calibration",
        title="Does RLHF calibration change with scale?",
        summary="Larger models keep calibration better under RLHF.",
    )
    write_note(
        root,
        "sourdough",
        title="How long should bread dough rise?",
        summary="Dough rises until it doubles.",
        tags=["baking"],
    )
    return root


class FixedJudge:
    """Support by phrase: sentences that say "repairs" are weakly supported (partial)."""

    name = "fixed"

    def support(self, document: str, claim: str) -> float:
        return 0.3 if "repairs" in claim else 0.95


class GatedLLM(FakeLLM):
    """A FakeLLM that waits at ``gate_at`` (a schema name) until ``gate`` is set."""

    def __init__(self, gate_at: str = "", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.gate_at = gate_at
        self.gate = threading.Event()
        self.waiting = threading.Event()
        self.fail: BaseException | None = None

    def structured(self, messages: Any, schema: Any, **kwargs: Any) -> Any:
        if self.fail is not None:
            raise self.fail
        if schema.__name__ == self.gate_at:
            self.waiting.set()
            self.gate.wait(timeout=30)
        return super().structured(messages, schema, **kwargs)


def replies() -> dict[str, list[dict[str, Any]]]:
    return {}  # the next lines are fixed (make_session): every other reply is the default


class FakeSession(Session):
    """A Session whose corpus reads the same on every run, wherever the test's folder is (for
    snapshots)."""

    def corpus(self) -> CorpusInfo:
        info = super().corpus()
        names = ", ".join(p.name for p in self.settings.corpus_paths)
        return replace(info, indexed=INDEXED if info.indexed else None, where=names)


def make_session(
    settings: Settings, llm: FakeLLM | None = None, history: History | None = None
) -> FakeSession:
    """A session on ``settings`` whose pipeline uses ``llm`` (a fresh FakeLLM by default)."""
    model = llm or FakeLLM(replies())

    def make_pipeline(s: Settings, _model: str | None) -> Pipeline:
        retriever = Retriever(
            build_indexer(s, FakeEmbedder()).store,
            FakeEmbedder(),
            chunk_words=s.chunk_words,
            lexical=LexicalIndex(lexical_path(s)),
        )
        verifier = Verifier(Panel([FixedJudge()]), rule=Rule(threshold=0.1, confident=0.5))
        pipeline = Pipeline(
            model, retriever, budget=Budget(judge="model", min_similarity=0.5), verifier=verifier
        )
        # the fake embedder's similarities are too low for the answerable check: fixed next lines
        pipeline.composer.next_lines = lambda *_: list(NEXT)  # type: ignore[method-assign]
        return pipeline

    def make_indexer(s: Settings, embedder: Embedder | None) -> Indexer:
        return build_indexer(s, FakeEmbedder())

    return FakeSession(
        settings, make_pipeline=make_pipeline, make_indexer=make_indexer, history=history
    )


def indexed_settings(settings: Settings, root: Path) -> Settings:
    """``settings`` with ``root`` as the corpus, indexed with the fake embedder."""
    settings = settings.model_copy(update={"corpus_paths": [root]})
    build_indexer(settings, FakeEmbedder()).run([root])
    return settings
