"""A working session, headless: what the TUI drives and shows, without importing any UI.

It owns the pipeline (built on first use, rebuilt when the model or corpus is switched), reads
notes for the citation view, reports the corpus's state, re-indexes, and remembers every
finished line in the history. The TUI calls in from worker threads: lines, indexing and switches
take turns (one work lock); reading a note or the corpus's state does not wait for them.
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import local_model
from .config import Settings
from .errors import Cancelled, ConfigError, CorpusError, InquirerError, LLMError
from .history import History
from .llm import Usage

if TYPE_CHECKING:
    from .embeddings import Embedder
    from .index_lock import OnWait
    from .indexer import Indexer, IndexReport, ProgressFn
    from .pipeline import OnEvent, Pipeline
    from .types import Note

PipelineFactory = Callable[[Settings, "str | None"], "Pipeline"]
IndexerFactory = Callable[[Settings, "Embedder | None"], "Indexer"]


@dataclass(frozen=True)
class CorpusInfo:
    """The corpus as the status bar shows it."""

    notes: int | None  # None when it cannot be read (no index yet, server down)
    indexed: datetime | None  # when the index last changed
    where: str  # the folders indexed
    problem: str = ""  # why ``notes`` is None, with how to fix it


def default_pipeline(settings: Settings, model: str | None) -> Pipeline:
    from .pipeline import build_pipeline

    return build_pipeline(settings, model=model)


def default_indexer(settings: Settings, embedder: Embedder | None) -> Indexer:
    from .services import build_indexer

    return build_indexer(settings, embedder)


def installed_models() -> list[str]:
    """The local models installed here, strongest first."""
    return [local_model.PREFIX + m.name for m in local_model.MODELS.values() if m.installed()]


def collection_for(folder: Path) -> str:
    """A collection of its own for each corpus folder, so switching back costs nothing."""
    stem = re.sub(r"[^a-z0-9]+", "-", folder.name.lower()).strip("-")[:30] or "notes"
    digest = hashlib.sha256(str(folder).encode()).hexdigest()[:8]
    return f"notes-{stem}-{digest}"


class Session:
    def __init__(
        self,
        settings: Settings,
        *,
        make_pipeline: PipelineFactory = default_pipeline,
        make_indexer: IndexerFactory = default_indexer,
        history: History | None = None,
    ) -> None:
        self.settings = settings
        self._make_pipeline = make_pipeline
        self._make_indexer = make_indexer
        self.history = history or History(settings.home_dir / "history.sqlite")
        self._model: str | None = None
        self._pipeline: Pipeline | None = None
        self._spent = Usage()  # what pipelines that were replaced had spent
        self._work = threading.RLock()  # a line, an index run or a switch at a time
        self._build = threading.Lock()  # the pipeline is built once

    # -- what the status bar shows -------------------------------------------------------------

    @property
    def model(self) -> str:
        """The answering model's name (known before anything heavy is loaded)."""
        if self._pipeline is not None:
            return str(self._pipeline.llm.model)
        chosen = self._model or self.settings.model
        if chosen:
            return chosen
        try:
            return local_model.best_installed()
        except LLMError:
            return "no local model"

    @property
    def loaded(self) -> bool:
        return self._pipeline is not None

    def usage(self) -> Usage:
        """Tokens spent in this session, by every model it used."""
        current = self._pipeline.usage() if self._pipeline is not None else Usage()
        return self._spent + current

    def corpus(self) -> CorpusInfo:
        where = ", ".join(str(p) for p in self.settings.corpus_paths)
        try:
            retriever = self.pipeline().retriever
            count = retriever.note_count()
        except InquirerError as exc:
            return CorpusInfo(None, None, where, str(exc))
        indexed = None
        lexical = retriever.lexical
        if lexical is not None and lexical.path.exists():
            indexed = datetime.fromtimestamp(lexical.path.stat().st_mtime, tz=UTC)
        return CorpusInfo(count, indexed, where)

    # -- the work ----------------------------------------------------------------------------

    def pipeline(self) -> Pipeline:
        """The pipeline, built on first use (this loads the heavy libraries: seconds)."""
        with self._build:
            if self._pipeline is None:
                self._pipeline = self._make_pipeline(self.settings, self._model)
            return self._pipeline

    def ask(
        self, question: str, on_event: OnEvent, cancel: threading.Event | None = None
    ) -> dict[str, Any]:
        """A line for ``question`` in its JSON form, remembered in the history. When
        ``cancel`` is set, the next event raises Cancelled and the line is abandoned."""
        from .render import to_json

        def guarded(event: Any) -> None:
            if cancel is not None and cancel.is_set():
                raise Cancelled
            on_event(event)

        with self._work:
            if cancel is not None and cancel.is_set():
                raise Cancelled
            line = self.pipeline().ask(question, guarded)
        data = to_json(line)
        self.history.add(data)
        return data

    def read(self, note_id: str) -> Note | None:
        return self.pipeline().retriever.read(note_id)

    def titles(self, note_ids: tuple[str, ...] | list[str]) -> dict[str, str]:
        """Each id's title, in order; an id the index does not hold is marked so."""
        cards = self.pipeline().retriever.cards(list(note_ids))
        return {i: cards[i].hit.title if i in cards else "(not in the index)" for i in note_ids}

    def reindex(
        self, on_progress: ProgressFn | None = None, on_wait: OnWait | None = None
    ) -> IndexReport:
        """Bring the index in step with the corpus folders (only changed notes are embedded);
        ``on_wait`` hears when another run is writing the index and this one waits."""
        from .corpus import resolve_roots

        with self._work:
            roots = resolve_roots(self.settings.corpus_paths)
            pipeline = self.pipeline()
            indexer = self._make_indexer(self.settings, pipeline.retriever.embedder)
            return indexer.run(roots, on_progress=on_progress, on_wait=on_wait)

    def switch_model(self, model: str) -> None:
        """Answer with ``model`` from the next line on (checked when the next line is made)."""
        model = model.strip()
        if not model:
            raise ConfigError(
                "no model given", hint="name one: local/qwen2.5-coder-1.5b or ollama/qwen2.5"
            )
        if local_model.is_local(model):
            local_model.lookup(model)  # unknown or not installed: an error that says what to do
        self._model = model  # a line being made keeps the pipeline it started with
        self._retire()

    def switch_corpus(
        self,
        folder: Path,
        on_progress: ProgressFn | None = None,
        on_wait: OnWait | None = None,
    ) -> IndexReport:
        """Work on the notes under ``folder`` from now on, in a collection of its own; it is
        indexed at once (incrementally: a corpus indexed before costs only its changes)."""
        folder = folder.expanduser().resolve()
        if not folder.is_dir():
            raise CorpusError(
                f"{folder} is not a folder", hint="give the folder that holds the .md notes"
            )
        if not any(folder.rglob("*.md")):
            raise CorpusError(f"{folder} holds no .md notes", hint="see CORPUS.md for the format")
        update = {"corpus_paths": [folder], "collection": collection_for(folder)}
        with self._work:
            embedder = self._pipeline.retriever.embedder if self._pipeline else None
            settings = self.settings.model_copy(update=update)
            indexer = self._make_indexer(settings, embedder)
            report = indexer.run([folder], on_progress=on_progress, on_wait=on_wait)
            self.settings = settings
            self._retire()
            return report

    def _retire(self) -> None:
        with self._build:
            if self._pipeline is None:
                return
            self._spent = self._spent + self._pipeline.usage()
            self._pipeline = None
