"""The screens over the conversation: a cited note, the citations of a paragraph, the
history, help, export, and a prompt for switching model or corpus."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.markup import escape
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Footer, Input, Markdown, OptionList, Static
from textual.widgets.option_list import Option

from .widgets import BADGES, titles_of

if TYPE_CHECKING:
    from ..history import History
    from ..types import Note


COLORS = {"supported": "$success", "partial": "$warning", "unsupported": "$error"}


class FollowLink(Message):
    def __init__(self, note_id: str) -> None:
        super().__init__()
        self.note_id = note_id


def highlighted_body(note: Note, claims: list[str]) -> Text:
    """The note's body, paragraph by paragraph, with the sentences that support the claims
    (those a judge reads for them) highlighted."""
    from ..verifier import split_sentences, supporting_sentences

    support = {s for claim in claims for s in supporting_sentences(note.body, claim)}
    out = Text()
    for paragraph in (p for p in note.body.split("\n\n") if p.strip()):
        for sentence in split_sentences(paragraph):
            style = "reverse" if sentence in support else ""
            out.append(sentence, style=style)
            out.append(" ")
        out.append("\n\n")
    out.rstrip()
    return out


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


class NoteScreen(Screen[None]):
    """A note in full: its claim, source and body with the cited sentence's support
    highlighted, and its links to follow."""

    BINDINGS = [Binding("escape", "app.pop_screen", "Back")]

    def __init__(self, note: Note, claims: list[dict[str, Any]], links: dict[str, str]) -> None:
        super().__init__(classes="note-screen")
        self.note = note
        self.claims = claims
        self.links = links

    def compose(self) -> ComposeResult:
        note = self.note
        with VerticalScroll(id="note"):
            yield Static(f"[b]{escape(note.title)}[/b]  [dim]{escape(note.id)}[/]", id="title")
            yield Static(escape(note.summary), id="summary")
            if note.source is not None:
                src = note.source
                parts = [src.title, src.authors, str(src.year or ""), src.url]
                yield Static("Source: " + escape(" · ".join(p for p in parts if p)), classes="meta")
            if note.tags:
                yield Static("Tags: " + escape(", ".join(note.tags)), classes="meta")
            if self.claims:
                yield Static("[b]Cited for[/b]", classes="section")
                for claim in self.claims:
                    yield Static(_claim_line(claim), classes="claim")
            yield Static("[b]Note[/b]", classes="section")
            focus = [c["text"] for c in self.claims if c.get("focus")]
            claims = focus or [c["text"] for c in self.claims]
            yield Static(highlighted_body(note, claims), id="body")
            yield Static(f"[b]Links · {len(self.links)}[/b]", classes="section")
            if self.links:
                yield OptionList(
                    *(
                        Option(f"{escape(title)}  [dim]{escape(i)}[/]", id=i)
                        for i, title in self.links.items()
                    ),
                    id="links",
                )
            else:
                yield Static("[dim]This note links to no other note.[/]")
        yield Footer()

    def on_mount(self) -> None:
        links = self.query("#links")
        if links:
            links.first().focus(scroll_visible=False)  # the note is read from its top

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id is not None:
            self.post_message(FollowLink(event.option.id))


def _claim_line(claim: dict[str, Any]) -> str:
    label = claim.get("label")
    mark = ""
    if label:
        symbol, name = BADGES.get(label, ("?", label))
        support = "" if claim.get("support") is None else f" P={claim['support']:.2f}"
        color = COLORS.get(label, "$text-muted")
        mark = f"[{color}]{symbol} {name}{support}[/] "
    pointer = "▸ " if claim.get("focus") else "  "
    return f"{pointer}{mark}{escape(claim['text'])}"


class CitationPicker(ModalScreen[tuple[str, int] | None]):
    """The citations of one paragraph: each sentence with the notes it cites."""

    BINDINGS = [Binding("escape", "dismiss_none", "Close")]

    def __init__(self, data: dict[str, Any], paragraph: int) -> None:
        super().__init__()
        self.data = data
        self.paragraph = paragraph

    def compose(self) -> ComposeResult:
        titles = titles_of(self.data)
        options = []
        for index, sentence in enumerate(self.data["body"][self.paragraph]["sentences"]):
            for note_id in sentence["cites"]:
                text = sentence["text"]
                short = text if len(text) <= 70 else text[:69] + "…"
                title = escape(titles.get(note_id, note_id))
                options.append(
                    Option(f"[b]{title}[/b]\n  {escape(short)}", id=f"{index}:{note_id}")
                )
        with Vertical(classes="dialog"):
            yield Static(f"[b]Citations of paragraph {self.paragraph + 1}[/b]")
            yield OptionList(*options, id="citations")

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        index, _, note_id = (event.option.id or "").partition(":")
        self.dismiss((note_id, int(index)))

    def action_dismiss_none(self) -> None:
        self.dismiss(None)


class HistoryScreen(Screen[str | None]):
    """Every line made before, newest first; type to filter, Enter reopens one."""

    BINDINGS = [Binding("escape", "dismiss_none", "Back")]

    def __init__(self, history: History) -> None:
        super().__init__()
        self.history = history

    def compose(self) -> ComposeResult:
        yield Static(f"[b]History[/b] · {len(self.history)} lines", id="history-title")
        yield Input(placeholder="filter by words of the question", id="filter")
        yield DataTable(id="lines", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("created", "verification", "question")
        self.fill("")
        table.focus()

    def fill(self, contains: str) -> None:
        table = self.query_one(DataTable)
        table.clear()
        for entry in self.history.entries(contains):
            created = entry.created[:16].replace("T", " ")
            table.add_row(created, entry.status, entry.question, key=entry.id)
        if not table.row_count:
            self.notify("no line matches" if contains else "no lines yet: ask a question first")

    def on_input_changed(self, event: Input.Changed) -> None:
        self.fill(event.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.query_one(DataTable).focus()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.dismiss(event.row_key.value)

    def action_dismiss_none(self) -> None:
        self.dismiss(None)


class ExportScreen(ModalScreen[Path | None]):
    """Export a line: the file's extension picks the form (.md or .json)."""

    BINDINGS = [Binding("escape", "dismiss_none", "Cancel")]

    def __init__(self, data: dict[str, Any], default: Path) -> None:
        super().__init__()
        self.data = data
        self.default = default

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static("[b]Export the line[/b] — a path ending in .md or .json")
            yield Input(value=str(self.default), id="path")
            yield Static("", id="problem")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        path = Path(event.value.strip()).expanduser()
        try:
            write_line(self.data, path)
        except ValueError as exc:
            self.query_one("#problem", Static).update(f"[red]{escape(str(exc))}[/]")
            return
        self.dismiss(path)

    def action_dismiss_none(self) -> None:
        self.dismiss(None)


def write_line(data: dict[str, Any], path: Path) -> None:
    """Write a line as Markdown or JSON, whole or not at all. ValueError says what is wrong."""
    from ..console import write_atomic
    from ..render import markdown

    if path.suffix not in (".md", ".json"):
        raise ValueError(f"{path.name}: end the name in .md (Markdown) or .json")
    if not path.parent.is_dir():
        raise ValueError(f"{path.parent} is not a folder: create it or choose another")
    if path.suffix == ".md":
        text = markdown(data)
    else:
        text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    try:
        write_atomic(path, text)
    except OSError as exc:
        raise ValueError(f"cannot write {path}: {exc.strerror or exc}") from exc


class PromptScreen(ModalScreen[str | None]):
    """Ask for one value (a model, a folder), with choices to pick from where there are some."""

    BINDINGS = [Binding("escape", "dismiss_none", "Cancel")]

    def __init__(self, title: str, value: str = "", choices: list[str] | None = None) -> None:
        super().__init__()
        self.title_text = title
        self.value = value
        self.choices = choices or []

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(f"[b]{escape(self.title_text)}[/b]")
            if self.choices:
                yield OptionList(*(Option(escape(c), id=c) for c in self.choices), id="choices")
            yield Input(value=self.value, id="value")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value.strip() or None)

    def action_dismiss_none(self) -> None:
        self.dismiss(None)


HELP = """\
# inquirer — keys

| key | what it does |
|---|---|
| Enter | ask the question typed (a number 1-5 asks that next line) |
| 1-5 | ask a next inquiring line of the current line (outside the input) |
| Esc | cancel the line being made; close a screen |
| Tab / Shift+Tab | move between the input, paragraphs, next lines and the side panel |
| Enter on a paragraph | list its citations; choose one to open the note |
| click a citation | open the note, its support highlighted |
| Ctrl+B | show or hide the side panel (sources, verification) |
| Ctrl+R | history: reopen a past line |
| Ctrl+S | export the current line to Markdown or JSON |
| Ctrl+P | command palette: re-index, switch model, switch corpus, … |
| F1 | this help |
| Ctrl+Q | quit |

# Commands in the input

| command | what it does |
|---|---|
| /index | bring the index in step with the corpus (only changed notes) |
| /model NAME | answer with another model (local/… or a litellm model string) |
| /corpus FOLDER | work on another folder of notes (indexed at once) |
| /history | the history screen |
| /export PATH | export the current line (.md or .json) |
| /help | this help |
| /quit | quit |
"""


class HelpScreen(ModalScreen[None]):
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Close"),
        Binding("f1", "app.pop_screen", "Close", show=False),
    ]

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog help"):
            yield Markdown(HELP)
