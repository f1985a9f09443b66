"""The inquirer TUI: terminal chat over the corpus.

Built by ``build_app(session)``. Everything slow (loading the models, making a line, reading
a note, indexing) runs in worker threads that post messages back; the screen paints before any
heavy library is imported and stays responsive while a line is made. Errors become
notifications that say how to fix them; unexpected ones are logged in full to INQUIRER_HOME.
"""

from __future__ import annotations

import logging
import sys
import threading
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.markup import escape
from textual import on, work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Input, Markdown, OptionList, Static

from ..errors import Cancelled, InquirerError
from .messages import Busy, CorpusRead, LineReady, LineStopped, Progress
from .screens import (
    CitationPicker,
    ExportScreen,
    FollowLink,
    HelpScreen,
    HistoryScreen,
    NoteScreen,
    PromptScreen,
)
from .widgets import AskNext, Exchange, LineView, OpenCitations, SidePanel, StatusBar

if TYPE_CHECKING:
    from ..index_lock import OnWait
    from ..indexer import IndexReport, ProgressFn
    from ..session import CorpusInfo, Session

log = logging.getLogger(__name__)

WELCOME = (
    "[b]inquirer[/b] — ask a question; the answer is an inquiring line built from your notes, "
    "every claim cited and checked.\n"
    "[dim]F1 help · Ctrl+P commands · Ctrl+R history · / for commands in the input[/]"
)
WIDE = 110  # from this width on, the side panel shows by default


class InquirerApp(App[None]):
    CSS_PATH = "app.tcss"
    TITLE = "inquirer"
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", show=False),
        Binding("f1", "help", "Help"),
        Binding("ctrl+b", "toggle_side", "Side panel"),
        Binding("ctrl+r", "history", "History"),
        Binding("ctrl+s", "export", "Export"),
        *(Binding(str(n), f"ask_next({n})", show=False) for n in range(1, 6)),
    ]

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

    # -- layout ------------------------------------------------------------------------------

    @property
    def main(self) -> Screen[Any]:
        """The conversation's screen: others come and go over it; its widgets are found here."""
        return self.screen_stack[0]

    def compose(self) -> ComposeResult:
        with Horizontal(id="main"):
            with VerticalScroll(id="conversation"):
                yield Static(WELCOME, id="welcome")
            yield SidePanel()
        yield Input(
            placeholder="Ask a question — or 1-5 for a next line, /help for commands", id="ask"
        )
        yield StatusBar()
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#ask", Input).focus()
        self.main.query_one("#conversation", VerticalScroll).anchor()
        self._fit_side(self.size.width)
        self.refresh_status()
        self.set_interval(0.5, self.refresh_status)
        self.load()

    @property
    def unfinished(self) -> bool:
        """Lines were being made when the app stopped (their threads still end their step)."""
        return self._threads.locked()

    def on_unmount(self) -> None:
        """Quitting stops the lines being made (at their next step) so the app can exit."""
        for cancel, _ in self._lines.values():
            cancel.set()

    def on_resize(self, event: Any) -> None:
        if not self._side_set:
            self._fit_side(event.size.width)

    def _fit_side(self, width: int) -> None:
        self.main.query_one(SidePanel).display = width >= WIDE

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
                self.alert, f"{what} failed", f"unexpected error: {exc}", _log_hint()
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

    # -- asking ----------------------------------------------------------------------------------

    @on(Input.Submitted, "#ask")
    async def submitted(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        event.input.clear()
        if not text:
            return
        if text.startswith("/"):
            await self.command(text)
        elif text.isdigit():
            self.action_ask_next(int(text))
        else:
            await self.ask(text)

    async def ask(self, question: str) -> None:
        if not any(ch.isalnum() for ch in question):
            self.alert("not a question", f"{question[:40]!r} has no words", "ask in words")
            return
        self._count += 1
        number = self._count
        exchange = Exchange(number, question)
        await self._conversation().mount(exchange)
        self._conversation().anchor()
        cancel = threading.Event()
        self._lines[number] = (cancel, self.clock())
        self.make_line(number, question, cancel)
        self.refresh_status()

    @work(thread=True, group="ask", exit_on_error=False)
    def make_line(self, number: int, question: str, cancel: threading.Event) -> None:
        def on_event(event: Any) -> None:
            self.post_message(Progress(number, event))

        try:
            with self._threads:
                data = self.session.ask(question, on_event, cancel)
        except Cancelled:
            self.post_message(LineStopped(number, "cancelled", cancelled=True))
        except InquirerError as exc:
            self.post_message(LineStopped(number, exc.message, exc.hint or "", cancelled=False))
        except Exception as exc:
            log.exception("making a line failed")
            message = f"unexpected error: {exc}"
            self.post_message(LineStopped(number, message, _log_hint(), cancelled=False))
        else:
            self.post_message(LineReady(number, data))

    def _exchange(self, number: int) -> Exchange | None:
        found = self.main.query(f"#exchange-{number}")
        return found.first(Exchange) if found else None

    async def on_progress(self, message: Progress) -> None:
        exchange = self._exchange(message.exchange)
        if exchange is not None and not exchange.finished:
            await exchange.show(message.event)

    async def on_line_ready(self, message: LineReady) -> None:
        _, started = self._lines.pop(message.exchange, (None, self.clock()))
        self._last_seconds = self.clock() - started
        exchange = self._exchange(message.exchange)
        if exchange is not None and not exchange.finished:
            last = not self._lines
            if last:  # show the line from its start, to be read down: stop following the end
                self._conversation().anchor(False)
            await exchange.finish(message.data, self._last_seconds)
            self.show_line(message.data)
            if last:
                view = exchange.query_one(LineView)
                view.keep_in_view(lambda: self._show_start(view))
        self.refresh_status()

    async def on_line_stopped(self, message: LineStopped) -> None:
        self._lines.pop(message.exchange, None)
        exchange = self._exchange(message.exchange)
        if exchange is not None and not exchange.finished:
            await exchange.stop(message.message, cancelled=message.cancelled)
        if not message.cancelled:
            self.alert("no line", message.message, message.hint)
        self.refresh_status()

    def _show_start(self, view: LineView) -> None:
        """Scroll the conversation to the start of ``view``, within the content's bounds (a
        conversation that followed its end may sit at a negative offset)."""
        conversation = self._conversation()
        conversation.scroll_to_widget(view, top=True, animate=False)
        y = max(0, min(conversation.scroll_y, conversation.max_scroll_y))
        conversation.scroll_to(y=y, animate=False, force=True, immediate=True)

    def show_line(self, data: dict[str, Any]) -> None:
        self.current = data
        self.main.query_one(SidePanel).show(data)

    def action_cancel(self) -> None:
        """Esc: cancel every line being made (each stops at its next step)."""
        if not self._lines:
            self.main.query_one("#ask", Input).focus()
            return
        for number, (cancel, _) in list(self._lines.items()):
            cancel.set()
            exchange = self._exchange(number)
            if exchange is not None and not exchange.finished:
                self.run_worker(exchange.stop("cancelled", cancelled=True))
        self._lines.clear()
        self.notify("cancelled: the model stops at its next step", timeout=4)
        self.refresh_status()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # digits typed into the input are the input's
        return not (action == "ask_next" and isinstance(self.focused, Input))

    def action_ask_next(self, number: int) -> None:
        questions = list(self.current["next_lines"]) if self.current else []
        if not 1 <= number <= len(questions):
            self.alert(
                "no such next line",
                f"the current line has {len(questions)} next lines" if questions else "no line yet",
                "ask a question first" if not questions else f"choose 1-{len(questions)}",
            )
            return
        self.run_worker(self.ask(questions[number - 1]))

    async def on_ask_next(self, message: AskNext) -> None:
        await self.ask(message.question)

    # -- citations and notes ---------------------------------------------------------------------

    def on_open_citations(self, message: OpenCitations) -> None:
        def chosen(choice: tuple[str, int] | None) -> None:
            if choice is not None:
                note_id, sentence = choice
                self.open_note(note_id, message.data, (message.paragraph, sentence))

        self.push_screen(CitationPicker(message.data, message.paragraph), chosen)

    @on(Markdown.LinkClicked)
    def link_clicked(self, event: Markdown.LinkClicked) -> None:
        event.stop()
        href = event.href
        if not href.startswith("note:"):
            self.open_url(href)
            return
        note_id, _, anchor = href.removeprefix("note:").partition("#")
        data = next((a.data for a in event.markdown.ancestors if isinstance(a, LineView)), None)
        where = None
        if anchor:
            paragraph, _, sentence = anchor.partition(".")
            where = (int(paragraph), int(sentence))
        self.open_note(note_id, data, where)

    @on(OptionList.OptionSelected, "#sources")
    def source_chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id is not None:
            self.open_note(event.option.id, self.current, None)

    def on_follow_link(self, message: FollowLink) -> None:
        self.open_note(message.note_id, None, None)

    @work(thread=True, group="note", exit_on_error=False)
    def open_note(
        self, note_id: str, data: dict[str, Any] | None, where: tuple[int, int] | None
    ) -> None:
        def job() -> None:
            note = self.session.read(note_id)
            if note is None:
                raise InquirerError(
                    f"the note {note_id} is not in the index",
                    hint="it was removed or renamed since: type /index to bring the index "
                    "up to date",
                )
            links = self.session.titles(note.links)
            screen = NoteScreen(note, claims_for(data, note_id, where), links)
            self.call_from_thread(self.push_screen, screen)

        self._guard("opening the note", job)

    # -- history, export, commands ---------------------------------------------------------------

    def action_history(self) -> None:
        async def reopen(line_id: str | None) -> None:
            data = self.session.history.get(line_id) if line_id else None
            if data is None:
                return
            self._count += 1
            exchange = Exchange(self._count, data["question"], reopened=True)
            await self._conversation().mount(exchange)
            await exchange.finish(data, 0.0)
            exchange.scroll_visible(top=True)
            self.show_line(data)

        self.push_screen(HistoryScreen(self.session.history), reopen)

    def action_export(self, path: str = "") -> None:
        if self.current is None:
            self.alert("nothing to export", "no line yet", "ask a question or reopen one (Ctrl+R)")
            return
        data = self.current
        if path:
            from .screens import write_line

            try:
                write_line(data, Path(path).expanduser())
            except ValueError as exc:
                self.alert("export failed", str(exc))
                return
            self.notify(f"wrote {path}", title="exported")
            return
        default = Path.cwd() / f"line-{data['id']}.md"

        def done(written: Path | None) -> None:
            if written is not None:
                self.notify(f"wrote {written}", title="exported")

        self.push_screen(ExportScreen(data, default), done)

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def action_toggle_side(self) -> None:
        side = self.main.query_one(SidePanel)
        side.display = not side.display
        self._side_set = True

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

    async def command(self, text: str) -> None:
        name, _, argument = text[1:].partition(" ")
        argument = argument.strip()
        commands: dict[str, Callable[[], Any]] = {
            "help": self.action_help,
            "history": self.action_history,
            "index": self.action_reindex,
            "model": lambda: self.action_switch_model(argument),
            "corpus": lambda: self.action_switch_corpus(argument),
            "export": lambda: self.action_export(argument),
            "quit": self.exit,
        }
        action = commands.get(name.lower())
        if action is None:
            known = ", ".join("/" + c for c in commands)
            self.alert("unknown command", f"/{name} is not a command", f"use one of {known}")
            return
        action()

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand(
            "Re-index the corpus", "embed new and changed notes", self.action_reindex
        )
        yield SystemCommand("Switch model", "answer with another model", self.action_switch_model)
        yield SystemCommand(
            "Switch corpus", "work on another folder of notes", self.action_switch_corpus
        )
        yield SystemCommand("History", "reopen a past line", self.action_history)
        yield SystemCommand(
            "Export line", "write the current line to .md or .json", self.action_export
        )
        yield SystemCommand(
            "Side panel", "show or hide sources and verification", self.action_toggle_side
        )
        yield SystemCommand("Help", "keys and commands", self.action_help)

    def _conversation(self) -> VerticalScroll:
        return self.main.query_one("#conversation", VerticalScroll)


def claims_for(
    data: dict[str, Any] | None, note_id: str, where: tuple[int, int] | None
) -> list[dict[str, Any]]:
    """The sentences of ``data`` that cite ``note_id``, each with its verdict where there is
    one; the one at ``where`` (paragraph, sentence) marked as the focus."""
    if data is None:
        return []
    checks = {
        (c["paragraph"], c["index"]): c
        for c in (data.get("verification") or {}).get("sentences") or []
    }
    out = []
    for p, paragraph in enumerate(data["body"]):
        for s, sentence in enumerate(paragraph["sentences"]):
            if note_id not in sentence["cites"]:
                continue
            check = checks.get((p, s), {})
            out.append(
                {
                    "text": sentence["text"],
                    "label": check.get("label"),
                    "support": check.get("support"),
                    "focus": where == (p, s),
                }
            )
    return out


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


def _log_hint() -> str:
    return "the full error is in tui.log under INQUIRER_HOME"


def build_app(session: Session, *, clock: Callable[[], float] = time.monotonic) -> InquirerApp:
    return InquirerApp(session, clock=clock)


def run(session: Session) -> None:
    """Run the TUI at the terminal. Diagnostics go to tui.log under INQUIRER_HOME: the
    terminal is the app's."""
    path = session.settings.home_dir / "tui.log"
    path.parent.mkdir(parents=True, exist_ok=True)
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    log.info("tui started %s", datetime.now(UTC).isoformat())
    app = build_app(session)
    app.run()
    if app.unfinished:
        print(  # the screen is the terminal's again
            "stopping the line being made: the model call under way finishes first…",
            file=sys.stderr,
        )
