"""The inquirer TUI: terminal chat over the corpus.

Built by ``build_app(session)``. Everything slow (loading the models, making a line, reading
a note, indexing) runs in worker threads that post messages back; the screen paints before any
heavy library is imported and stays responsive while a line is made. Errors become
notifications that say how to fix them; unexpected ones are logged in full to INQUIRER_HOME.
The app stands on base.py (session, status bar, worker guard) and upkeep.py (indexing and
switching model or corpus); here are the layout, asking, citations and notes, history, export
and the commands.
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

from textual import on, work
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Input, Markdown, OptionList, Static

from ..errors import Cancelled, InquirerError
from .base import WELCOME, log_hint
from .messages import LineReady, LineStopped, Progress
from .screens import (
    CitationPicker,
    ExportScreen,
    FollowLink,
    HelpScreen,
    HistoryScreen,
    NoteScreen,
    claims_for,
)
from .upkeep import Upkeep
from .widgets import AskNext, Exchange, LineView, OpenCitations, SidePanel, StatusBar

if TYPE_CHECKING:
    from ..session import Session

log = logging.getLogger(__name__)

WIDE = 110  # from this width on, the side panel shows by default


class InquirerApp(Upkeep):
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

    # -- layout ------------------------------------------------------------------------------

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
            self.post_message(LineStopped(number, message, log_hint(), cancelled=False))
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
