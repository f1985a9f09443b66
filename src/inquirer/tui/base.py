"""What every part of the TUI app stands on: the session, the state of the lines being made, the
status bar, the corpus as loaded, and running slow work in a worker thread whose errors become
notifications (app.py builds the app on it; upkeep.py adds indexing and switching)."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from rich.markup import escape
from textual import work
from textual.app import App
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Static

from ..errors import InquirerError
from .messages import Busy, CorpusRead
from .widgets import StatusBar

if TYPE_CHECKING:
    from ..session import CorpusInfo, Session

log = logging.getLogger(__name__)

WELCOME = (
    "[b]inquirer[/b] — ask a question; the answer is an inquiring line built from your notes, "
    "every claim cited and checked.\n"
    "[dim]F1 help · Ctrl+P commands · Ctrl+R history · / for commands in the input[/]"
)


class Base(App[None]):
    """The app's state and the plumbing its parts share."""

    def __init__(self, session: Session, *, clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__()
        self.session = session
        self.clock = clock
        self.corpus_info: CorpusInfo | None = None
        self.current: dict[str, Any] | None = None  # the line the side panel shows
        self._count = 0
        self._lines: dict[int, tuple[threading.Event, float]] = {}
        self._last_seconds: float | None = None
        self._busy = "loading the models"
        self._side_set = False  # the user chose to show or hide the side panel
        self._threads = threading.Lock()  # held while a thread makes a line

    @property
    def main(self) -> Screen[Any]:
        """The conversation's screen: others come and go over it; its widgets are found here."""
        return self.screen_stack[0]

    # -- the status bar ------------------------------------------------------------------------

    def refresh_status(self) -> None:
        parts = [escape(self.session.model.removeprefix("local/"))]
        info = self.corpus_info
        if info is None:
            parts.append("corpus …")
        elif info.notes is None:
            parts.append("[red]no index[/]")
        else:
            when = info.indexed.astimezone().strftime("%d %b %H:%M") if info.indexed else "?"
            parts.append(f"{info.notes} notes ({when})")
        if self._lines:
            started = min(start for _, start in self._lines.values())
            parts.append(f"[b]working[/b] {self.clock() - started:.0f} s")
        elif self._last_seconds is not None:
            parts.append(f"last line {self._last_seconds:.1f} s")
        if self._busy:
            parts.append(f"[b]{escape(self._busy)}…[/b]")
        usage = self.session.usage()
        tokens = usage.prompt_tokens + usage.completion_tokens
        parts.append(f"{tokens / 1000:.1f}k tokens" if tokens >= 10_000 else f"{tokens} tokens")
        for bar in self.main.query(StatusBar):  # none while the app starts or stops
            bar.update(" │ ".join(parts))

    # -- loading and background work ------------------------------------------------------------

    @work(thread=True, group="load", exit_on_error=False)
    def load(self) -> None:
        """Import the heavy libraries and open the index, off the UI thread."""
        self._guard("loading", self._load)

    def _load(self) -> None:
        # building the pipeline imports the heavy libraries; a failure (no index, a server
        # that is down, no model) comes back as the corpus's problem, with its fix
        self.post_message(CorpusRead(self.session.corpus()))

    def _guard(self, what: str, job: Callable[[], None]) -> None:
        """Run ``job``; its errors become notifications, never a traceback on the screen."""
        try:
            job()
        except InquirerError as exc:
            self.call_from_thread(self.alert, f"{what} failed", exc.message, exc.hint)
        except Exception as exc:
            log.exception("%s failed", what)
            self.call_from_thread(
                self.alert, f"{what} failed", f"unexpected error: {exc}", log_hint()
            )
        finally:
            self.post_message(Busy(""))

    def alert(self, title: str, message: str, hint: str | None = None) -> None:
        text = escape(message) + (f"\n[b]fix:[/b] {escape(hint)}" if hint else "")
        self.notify(text, title=title, severity="error", timeout=12)

    def on_corpus_read(self, message: CorpusRead) -> None:
        self.corpus_info = info = message.info
        welcome = self.main.query("#welcome")
        if info.notes is None:
            self.alert("not ready", info.problem)
        elif info.notes == 0:
            self.alert("the index is empty", "no notes are indexed", "type /index to index them")
        if welcome and info.notes:
            welcome.first(Static).update(
                WELCOME + f"\n[dim]{info.notes} notes from {escape(info.where)}.[/]"
            )
        self.refresh_status()

    def on_busy(self, message: Busy) -> None:
        self._busy = message.label
        self.refresh_status()

    def _conversation(self) -> VerticalScroll:
        return self.main.query_one("#conversation", VerticalScroll)


def log_hint() -> str:
    return "the full error is in tui.log under INQUIRER_HOME"
