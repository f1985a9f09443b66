"""The app's upkeep of its corpus and model: re-indexing, switching the answering model, and
switching to another folder of notes, each index run in a worker thread with its progress in
the status bar and its summary as a notification."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from textual import work

from ..errors import InquirerError
from .base import Base
from .messages import Busy, CorpusRead
from .screens import PromptScreen

if TYPE_CHECKING:
    from ..index_lock import OnWait
    from ..indexer import IndexReport, ProgressFn


class Upkeep(Base):
    """Re-indexing and switching, as actions of the app (keys, commands and the palette)."""

    def action_reindex(self) -> None:
        self.post_message(Busy("indexing"))
        self.reindex()

    @work(thread=True, group="index", exit_on_error=False)
    def reindex(self) -> None:
        self._index("indexing", "indexed", self.session.reindex)

    def action_switch_model(self, model: str = "") -> None:
        if model:
            self._switch_model(model)
            return
        from ..session import installed_models

        def chosen(value: str | None) -> None:
            if value:
                self._switch_model(value)

        title = "Answer with which model? (local/… or a litellm model string)"
        self.push_screen(PromptScreen(title, self.session.model, installed_models()), chosen)

    def _switch_model(self, model: str) -> None:
        try:
            self.session.switch_model(model)
        except InquirerError as exc:
            self.alert("cannot switch model", exc.message, exc.hint)
            return
        self.notify(f"the next line comes from {model}", title="model switched")
        self.refresh_status()

    def action_switch_corpus(self, folder: str = "") -> None:
        if folder:
            self._switch_corpus(folder)
            return

        def chosen(value: str | None) -> None:
            if value:
                self._switch_corpus(value)

        where = str(self.session.settings.corpus_paths[0])
        self.push_screen(PromptScreen("Which folder of notes?", where), chosen)

    def _switch_corpus(self, folder: str) -> None:
        self.post_message(Busy("switching corpus"))
        self.switch_corpus(folder)

    @work(thread=True, group="index", exit_on_error=False)
    def switch_corpus(self, folder: str) -> None:
        def run(progress: ProgressFn, wait: OnWait) -> IndexReport:
            return self.session.switch_corpus(Path(folder), progress, wait)

        self._index("switching corpus", f"corpus {folder}", run)

    def _index(
        self, what: str, title: str, run: Callable[[ProgressFn, OnWait], IndexReport]
    ) -> None:
        """An index run in this worker thread: progress in the status bar, the summary as a
        notification, then the corpus as it now stands."""

        def job() -> None:
            def progress(done: int, total: int) -> None:
                self.post_message(Busy(f"indexing {done}/{total}"))

            def wait(message: str) -> None:
                self.post_message(Busy("waiting for another index run"))
                self.call_from_thread(self.notify, message, title=what, timeout=8)

            report = run(progress, wait)
            self.call_from_thread(self.notify, index_summary(report), title=title)
            self.post_message(CorpusRead(self.session.corpus()))

        self._guard(what, job)


def index_summary(report: IndexReport) -> str:
    parts = [
        f"{report.added} added",
        f"{report.updated} updated",
        f"{report.removed} removed",
        f"{report.unchanged} unchanged",
    ]
    if report.errors:
        parts.append(f"{report.errors} notes with errors (run 'inquirer corpus check')")
    return ", ".join(parts) + f" in {report.seconds:.1f} s"
