"""The widgets of the conversation: one Exchange per question (its steps, the text as it
streams, then the finished line with a badge per paragraph and its next lines), the side panel
(sources, verification) and the status bar. Lines are shown from their JSON form, so a line
reopened from the history looks exactly as it did when it was made."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from rich.markup import escape
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Collapsible, Markdown, OptionList, Static, TabbedContent, TabPane
from textual.widgets.option_list import Option

if TYPE_CHECKING:
    from textual.widgets._markdown import MarkdownStream

    from ..pipeline import Event

# the worst label of a paragraph's sentences decides its badge
BADGES = {
    "unsupported": ("✗", "unsupported"),
    "partial": ("~", "partial"),
    "supported": ("✓", "supported"),
    "uncited": ("·", "uncited"),
    "unverified": ("?", "unverified"),
}
STEP_WORDS = {"retrieved": "searching", "reading": "reading", "drafting": "writing"}


def checks_of(data: dict[str, Any]) -> list[dict[str, Any]]:
    verification = data.get("verification") or {}
    return list(verification.get("sentences") or [])


def paragraph_label(data: dict[str, Any], paragraph: int) -> str:
    labels = {c["label"] for c in checks_of(data) if c["paragraph"] == paragraph}
    for label in ("unsupported", "partial", "uncited", "supported"):
        if label in labels:
            return label
    return "unverified"


def titles_of(data: dict[str, Any]) -> dict[str, str]:
    return {s["id"]: s["title"] for s in data["sources"]}


def paragraph_markdown(data: dict[str, Any], paragraph: int) -> str:
    """A body paragraph with each claim's citations as links: note:<id>#<paragraph>.<sentence>."""
    titles = titles_of(data)
    out = []
    for index, sentence in enumerate(data["body"][paragraph]["sentences"]):
        links = ", ".join(
            f"[{_link_text(titles.get(c, c))}](note:{c}#{paragraph}.{index})"
            for c in sentence["cites"]
        )
        out.append(f"{_md(sentence['text'])} {links}".strip())
    return " ".join(out)


def sources_markdown(data: dict[str, Any]) -> str:
    out = [f"**Sources · {len(data['sources'])} notes**", ""]
    for source in data["sources"]:
        out.append(
            f"- [{_link_text(source['title'])}](note:{source['id']}) — {_md(source['summary'])}"
        )
    return "\n".join(out)


def verification_markdown(data: dict[str, Any]) -> str:
    """The verifier's details: the verdict, then each sentence with its label and support."""
    from ..render import verification_lines

    out = ["**Verification**", "", *verification_lines(data)]
    checks = checks_of(data)
    if checks:
        out += ["", "**Every sentence**", ""]
        for check in checks:
            support = "" if check["support"] is None else f" P={check['support']:.2f}"
            problems = f" — {'; '.join(check['problems'])}" if check["problems"] else ""
            symbol = BADGES.get(check["label"], ("?", ""))[0]
            where = f"¶{check['paragraph'] + 1}.{check['index'] + 1}"
            out.append(f"- {symbol} {where} {check['label']}{support}{problems}")
    nexts = (data.get("verification") or {}).get("next_lines") or []
    if nexts:
        out += ["", "**Next lines**", ""]
        for n in nexts:
            marks = [] if n["answerable"] else ["few notes answer it"]
            marks += [] if n["novel"] else ["repeats an earlier question"]
            out.append(f"- {_md(n['question'])}" + (f" — {', '.join(marks)}" if marks else " ✓"))
    return "\n".join(out)


def _md(text: str) -> str:
    """Plain text made safe inside Markdown (no accidental emphasis or links)."""
    for ch in "\\`*_[]<>":
        text = text.replace(ch, "\\" + ch)
    return text


def _link_text(text: str) -> str:
    return _md(text).replace("\n", " ")


class OpenCitations(Message):
    """The user chose a paragraph: show its citations to pick one."""

    def __init__(self, data: dict[str, Any], paragraph: int) -> None:
        super().__init__()
        self.data = data
        self.paragraph = paragraph


class AskNext(Message):
    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question


class Badge(Static):
    def __init__(self, label: str) -> None:
        symbol, name = BADGES[label]
        super().__init__(symbol, classes=f"badge {name}")
        self.tooltip = name
        self.label = label


class ParagraphView(Horizontal, can_focus=True):
    """A body paragraph with its verification badge; Enter lists its citations."""

    BINDINGS = [Binding("enter", "citations", "Citations")]

    def __init__(self, data: dict[str, Any], paragraph: int) -> None:
        super().__init__(classes="paragraph")
        self.data = data
        self.paragraph = paragraph

    def compose(self) -> ComposeResult:
        yield Badge(paragraph_label(self.data, self.paragraph))
        yield Markdown(paragraph_markdown(self.data, self.paragraph), open_links=False)

    def action_citations(self) -> None:
        self.post_message(OpenCitations(self.data, self.paragraph))


class NextLines(OptionList):
    """The next inquiring lines, numbered; Enter, a click or the number asks one."""

    BINDINGS = [Binding(str(n), f"pick({n})", show=False) for n in range(1, 6)]

    def __init__(self, questions: list[str]) -> None:
        super().__init__(
            *(Option(f"{i}. {escape(q)}", id=str(i)) for i, q in enumerate(questions, 1)),
            classes="next-lines",
        )
        self.questions = questions

    def action_pick(self, number: int) -> None:
        if number <= len(self.questions):
            self.post_message(AskNext(self.questions[number - 1]))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.post_message(AskNext(self.questions[event.option_index]))


class LineView(Vertical):
    """A finished inquiring line, every part of FORMAT.md in order."""

    def __init__(self, data: dict[str, Any]) -> None:
        super().__init__(classes="line")
        self.data = data
        self._keep: Callable[[], None] | None = None
        self._until = 0.0

    def keep_in_view(self, scroll: Callable[[], None], seconds: float = 2.0) -> None:
        """Call ``scroll`` now and again each time the line grows in the next ``seconds``: its
        Markdown fills in after it mounts, which moves what the scroll was aimed at."""
        self._keep, self._until = scroll, time.monotonic() + seconds
        self.call_after_refresh(scroll)

    def on_resize(self) -> None:
        if self._keep is not None and time.monotonic() < self._until:
            self.call_after_refresh(self._keep)

    def compose(self) -> ComposeResult:
        data = self.data
        head = f"## INQUIRING LINE\n\n**{_md(data['question'])}**\n\n{_md(data['framing'])}"
        yield Markdown(head, open_links=False, classes="framing")
        for index in range(len(data["body"])):
            yield ParagraphView(data, index)
        yield Markdown(_md(data["insight"]), open_links=False, classes="insight")
        yield Markdown(sources_markdown(data), open_links=False, classes="sources")
        yield Static("[b]Next inquiring lines[/b]", classes="next-title")
        yield NextLines(list(data["next_lines"]))
        verification = data.get("verification") or {"status": "not run"}
        status = verification["status"]
        summary = verification.get("summary") or f"not run: {verification.get('reason', '')}"
        yield Static(
            f"verification {escape(summary)}",
            classes=f"verdict {status.replace(' ', '-')}",
        )


class Exchange(Vertical):
    """One question and what became of it: live steps, streamed text, then the line."""

    def __init__(self, number: int, question: str, *, reopened: bool = False) -> None:
        super().__init__(id=f"exchange-{number}", classes="exchange")
        self.number = number
        self.question = question
        self.reopened = reopened
        self.finished = False
        self.data: dict[str, Any] | None = None
        self._stream: MarkdownStream | None = None
        self._checked: dict[str, int] = {}
        self._log: list[str] = []

    def compose(self) -> ComposeResult:
        mark = " [dim](reopened from history)[/]" if self.reopened else ""
        yield Static(f"[b]▶[/b] {escape(self.question)}{mark}", classes="question")
        if not self.reopened:
            with Collapsible(title="waiting for the models…", collapsed=False, classes="steps"):
                yield Static("", classes="step-log")
            yield Markdown("", open_links=False, classes="draft")
            yield Static("", classes="state")

    async def show(self, event: Event) -> None:
        """One pipeline event: a step, a piece of text, or a verifier check."""
        if event.kind == "token":
            if self._stream is None:
                self._stream = Markdown.get_stream(self.query_one(".draft", Markdown))
            await self._stream.write(event.message)
            return
        if event.kind in ("done", "failed"):
            return
        check = event.data.get("check")
        if check is not None:
            self._checked[check.label] = self._checked.get(check.label, 0) + 1
            counts = ", ".join(f"{n} {label}" for label, n in self._checked.items())
            self.query_one(".state", Static).update(f"verifying · {counts}")
        self._log.append(escape(f"· {event.message}"))
        self.query_one(".step-log", Static).update("\n".join(self._log))
        self.query_one(Collapsible.Contents).scroll_end(animate=False)  # the newest in view
        word = STEP_WORDS.get(event.kind, event.kind)
        self.query_one(Collapsible).title = f"{word} · {event.message}"[:100]

    async def finish(self, data: dict[str, Any], seconds: float) -> None:
        self.finished = True
        self.data = data
        await self._stop_stream()
        if not self.reopened:
            await self.query_one(".draft", Markdown).remove()
            steps = self.query_one(Collapsible)
            steps.title = f"{len(self._log)} steps · {seconds:.1f} s"
            steps.collapsed = True
            self.query_one(".state", Static).display = False
        await self.mount(LineView(data))

    async def stop(self, message: str, *, cancelled: bool) -> None:
        self.finished = True
        await self._stop_stream()
        state = self.query_one(".state", Static)
        state.update(escape(message))
        state.set_class(cancelled, "cancelled")
        state.set_class(not cancelled, "error")
        steps = self.query_one(Collapsible)
        steps.title = "cancelled" if cancelled else "stopped"

    async def _stop_stream(self) -> None:
        if self._stream is not None:
            await self._stream.stop()
            self._stream = None


class SidePanel(Vertical):
    """The current line's sources (Enter opens one) and the verifier's details."""

    def __init__(self) -> None:
        super().__init__(id="side")
        self.data: dict[str, Any] | None = None

    def compose(self) -> ComposeResult:
        with TabbedContent():
            with TabPane("Sources", id="sources-tab"):
                yield OptionList(id="sources")
            with TabPane("Verification", id="verification-tab"), VerticalScroll():
                yield Markdown("No line yet.", id="verification", open_links=False)

    def show(self, data: dict[str, Any]) -> None:
        self.data = data
        sources = self.query_one("#sources", OptionList)
        sources.clear_options()
        sources.add_options(
            Option(f"[b]{escape(s['title'])}[/b]\n[dim]{escape(s['id'])}[/]", id=s["id"])
            for s in data["sources"]
        )
        self.query_one("#verification", Markdown).update(verification_markdown(data))


class StatusBar(Static):
    """model │ corpus │ work │ tokens"""

    def __init__(self) -> None:
        super().__init__(id="status")
