"""A grounding checker of the project's own, measured against the judge model: the MiniLM that
the embedding package ships, fine-tuned as a cross-encoder on labelled (evidence, claim) pairs
from the train parts of the external sets (evals/external.py), never on a dev or test pair. It
reads the pair together and gives one score, the probability that the evidence supports the
claim, in milliseconds where the language-model judge takes seconds.

It is not in the verifier's panel: trained on HaluEval's pairs it learns their style (a short
answer is a right one) and ranks the project's own claims worse than chance (README,
Benchmarks). ``benchmarks/train_checker.py`` trains one; ``benchmarks/verifier_eval.py
--checker`` measures it.

The encoder is read the way it was trained to be read, by the mean of its token vectors (its
first token was never trained, and a classifier on it barely learns); one linear layer on that
mean gives the score. A trained checker is a folder: the encoder and tokenizer as
transformers writes them, ``head.pt`` (the linear layer) and ``checker.json`` (how it was
trained).
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from ..embeddings import resolve_model_path
from ..errors import EmbeddingError

SEED = 25
BASE = "all-MiniLM-L6-v2"
ABOUT = "checker.json"
HEAD = "head.pt"


@dataclass(frozen=True)
class TrainingPair:
    evidence: str
    claim: str
    supported: bool


@dataclass(frozen=True)
class Recipe:
    """How a checker is trained; written beside it, so that a folder says what it is."""

    epochs: int = 1
    batch_size: int = 16
    learning_rate: float = 1e-4  # the encoder's
    head_learning_rate: float = 1e-3  # the new linear layer's
    max_length: int = 320  # tokens of evidence and claim together; the evidence is cut first
    seed: int = SEED


def base_dir() -> Path:
    """The packaged MiniLM's folder (no hub is asked)."""
    return Path(resolve_model_path(BASE))


def _pooled(encoder: Any, encoded: Any) -> Any:
    """The mean of the token vectors, padding left out."""
    hidden = encoder(**encoded).last_hidden_state
    mask = encoded["attention_mask"].unsqueeze(-1).to(hidden.dtype)
    return (hidden * mask).sum(1) / mask.sum(1)


def train(
    pairs: Sequence[TrainingPair],
    out: Path,
    recipe: Recipe = Recipe(),
    on_progress: Callable[[int, int, float], None] | None = None,
) -> Path:
    """Fine-tune the packaged MiniLM on ``pairs`` into ``out``, written whole and then moved
    into place, so an interrupted run leaves no half model. ``on_progress(step, steps, loss)``
    is told after every step."""
    import torch
    from transformers import AutoModel, AutoTokenizer

    if not pairs:
        raise EmbeddingError("no training pairs", hint="the train parts of the external sets")
    rng = random.Random(recipe.seed)
    chosen = list(pairs)
    torch.manual_seed(recipe.seed)
    tokenizer: Any = AutoTokenizer.from_pretrained(str(base_dir()))
    encoder: Any = AutoModel.from_pretrained(str(base_dir()))
    head = torch.nn.Linear(encoder.config.hidden_size, 1)
    encoder.train()
    optimizer = torch.optim.AdamW(
        [
            {"params": encoder.parameters(), "lr": recipe.learning_rate},
            {"params": head.parameters(), "lr": recipe.head_learning_rate},
        ],
        weight_decay=0.01,
    )
    per_epoch = (len(chosen) + recipe.batch_size - 1) // recipe.batch_size
    steps = recipe.epochs * per_epoch
    warmup = max(1, steps // 10)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: min(1.0, (s + 1) / warmup) * max(0.0, (steps - s) / steps)
    )
    weights = [*encoder.parameters(), *head.parameters()]
    step = 0
    for _ in range(recipe.epochs):
        rng.shuffle(chosen)
        for start in range(0, len(chosen), recipe.batch_size):
            batch = chosen[start : start + recipe.batch_size]
            encoded = _encode(tokenizer, batch, recipe.max_length)
            labels = torch.tensor([float(p.supported) for p in batch])
            logits = head(_pooled(encoder, encoded)).squeeze(-1)
            loss = torch.nn.functional.binary_cross_entropy_with_logits(logits, labels)
            loss.backward()  # type: ignore[no-untyped-call]
            torch.nn.utils.clip_grad_norm_(weights, 1.0)
            optimizer.step()
            schedule.step()
            optimizer.zero_grad()
            step += 1
            if on_progress is not None:
                on_progress(step, steps, float(loss.item()))
    staging = out.with_name(out.name + ".partial")
    staging.mkdir(parents=True, exist_ok=True)
    encoder.save_pretrained(str(staging))
    tokenizer.save_pretrained(str(staging))
    torch.save(head.state_dict(), staging / HEAD)
    about = {
        "base": BASE,
        "recipe": asdict(recipe),
        "pairs": len(chosen),
        "trained": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    (staging / ABOUT).write_text(json.dumps(about, indent=2) + "\n", encoding="utf-8")
    if out.exists():
        for child in out.iterdir():
            child.unlink()
        out.rmdir()
    staging.rename(out)
    return out


def _encode(tokenizer: Any, pairs: Sequence[Any], max_length: int) -> Any:
    return tokenizer(
        [p.evidence for p in pairs],
        [p.claim for p in pairs],
        truncation="longest_first",  # the evidence, being longer, is what is cut
        max_length=max_length,
        padding=True,
        return_tensors="pt",
    )


class Checker:
    """A trained checker, loaded from its folder: ``support(evidence, claim)`` is the
    probability that the evidence supports the claim."""

    def __init__(self, folder: Path) -> None:
        import torch
        from transformers import AutoModel, AutoTokenizer

        about = folder / ABOUT
        if not about.is_file() or not (folder / HEAD).is_file():
            raise EmbeddingError(
                f"{folder} holds no trained checker",
                hint="train one with benchmarks/train_checker.py",
            )
        self.about = json.loads(about.read_text(encoding="utf-8"))
        self.max_length = int(self.about["recipe"]["max_length"])
        self.tokenizer: Any = AutoTokenizer.from_pretrained(str(folder))
        self.encoder: Any = AutoModel.from_pretrained(str(folder)).eval()
        self.head = torch.nn.Linear(self.encoder.config.hidden_size, 1)
        self.head.load_state_dict(torch.load(folder / HEAD, weights_only=True))
        self.head.eval()

    def support(self, evidence: str, claim: str) -> float:
        return self.supports([TrainingPair(evidence, claim, True)])[0]

    def supports(self, pairs: Sequence[TrainingPair], batch_size: int = 32) -> list[float]:
        import torch

        out: list[float] = []
        with torch.no_grad():
            for start in range(0, len(pairs), batch_size):
                batch = pairs[start : start + batch_size]
                encoded = _encode(self.tokenizer, batch, self.max_length)
                logits = self.head(_pooled(self.encoder, encoded)).squeeze(-1)
                out += [float(p) for p in torch.sigmoid(logits)]
        return out
