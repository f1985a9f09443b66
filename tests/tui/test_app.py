"""Pilot tests of every interaction of the TUI, on a real store with the fake embedder and a
FakeLLM (tui_fakes). They wait on workers, never on the clock. The real model is in
test_tui_e2e.py."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Collapsible, Input, Markdown, OptionList
from tui_fakes import (
    NEXT,
    QUESTION,
    GatedLLM,
    indexed_settings,
    make_session,
    replies,
    write_corpus,
)

from conftest import write_note
from inquirer.config import Settings
from inquirer.errors import LLMError
from inquirer.session import Session
from inquirer.tui.app import InquirerApp, build_app
from inquirer.tui.screens import (
    CitationPicker,
    ExportScreen,
    HelpScreen,
    HistoryScreen,
    NoteScreen,
    PromptScreen,
    highlighted_body,
)
from inquirer.tui.widgets import Exchange, LineView, NextLines, ParagraphView, SidePanel


@pytest.fixture
def indexed(settings: Settings, tmp_path: Path) -> Settings:
    return indexed_settings(settings, write_corpus(tmp_path / "corpus"))


def app_for(session: Session) -> InquirerApp:
    return build_app(session, clock=lambda: 0.0)


async def settle(pilot: Pilot[None]) -> None:
    """Let every worker finish and every message they posted be handled."""
    for _ in range(3):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


async def ask(pilot: Pilot[None], question: str = QUESTION) -> None:
    pilot.app.query_one("#ask", Input).value = question
    await pilot.press("enter")
    await settle(pilot)


def notices(app: InquirerApp) -> str:
    return "\n".join(str(n.message) for n in app._notifications)


async def test_the_screen_paints_and_takes_input_while_the_models_load(indexed: Settings) -> None:
    llm = GatedLLM(replies=replies())
    loading = {"go": False}

    def slow(settings: Settings, model: str | None) -> Any:
        llm.waiting.set()
        llm.gate.wait(timeout=30)
        loading["go"] = True
        return make_session(indexed, llm)._make_pipeline(settings, model)

    session = make_session(indexed, llm)
    session._make_pipeline = slow
    app = app_for(session)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert not loading["go"]  # the models are still loading
        assert "loading the models" in str(app.main.query_one("#status").render())
        assert isinstance(app.focused, Input)
        await pilot.press(*"calibration")  # typing works meanwhile
        assert app.query_one("#ask", Input).value == "calibration"
        llm.gate.set()
        await settle(pilot)
        status = str(app.main.query_one("#status").render())
        assert "5 notes" in status and "loading" not in status


async def test_a_question_becomes_a_line_with_steps_badges_and_next_lines(
    indexed: Settings,
) -> None:
    session = make_session(indexed)
    app = app_for(session)
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        await ask(pilot)
        exchange = app.query_one(Exchange)
        assert exchange.finished and exchange.data is not None
        steps = exchange.query_one(Collapsible)
        assert steps.collapsed and "steps" in steps.title  # live steps, folded when done
        log = str(exchange.query_one(".step-log").render())
        assert "search:" in log and "sentence 1/" in log  # agent steps and verifier checks
        assert not exchange.query(".draft")  # the streamed draft gave way to the line
        view = exchange.query_one(LineView)
        paragraphs = list(view.query(ParagraphView))
        assert len(paragraphs) == len(exchange.data["body"])
        checks = exchange.data["verification"]["sentences"]
        for paragraph in paragraphs:  # each badge is the worst label of its sentences
            labels = {c["label"] for c in checks if c["paragraph"] == paragraph.paragraph}
            badge = paragraph.query_one(".badge")
            expected = "partial" if "partial" in labels else "supported"
            assert badge.has_class(expected), (labels, badge.classes)
        assert any(p.query_one(".badge").has_class("partial") for p in paragraphs)
        assert view.query_one(NextLines).questions == NEXT
        assert [e.question for e in session.history.entries()] == [QUESTION]
        status = str(app.main.query_one("#status").render())
        assert "tokens" in status and " 0 tokens" not in status


async def test_the_text_streams_before_the_line_is_finished(indexed: Settings) -> None:
    llm = GatedLLM("InsightOut", replies=replies())  # stops before the closing insight
    app = app_for(make_session(indexed, llm))
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        app.query_one("#ask", Input).value = QUESTION
        await pilot.press("enter")
        for _ in range(200):  # the worker waits at the gate: poll the UI meanwhile
            await pilot.pause(0.02)
            draft = app.query(".draft")
            if llm.waiting.is_set() and draft and "explores" in draft.first(Markdown).source:
                break
        exchange = app.query_one(Exchange)
        assert not exchange.finished
        assert "This explores" in exchange.query_one(".draft", Markdown).source
        assert "composing" in exchange.query_one(Collapsible).title or "writing" in (
            exchange.query_one(Collapsible).title
        )
        llm.gate.set()
        await settle(pilot)
        assert exchange.finished and exchange.query(LineView)


async def test_esc_cancels_the_line_and_the_app_goes_on(indexed: Settings) -> None:
    llm = GatedLLM("InsightOut", replies=replies())
    session = make_session(indexed, llm)
    app = app_for(session)
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        app.query_one("#ask", Input).value = QUESTION
        await pilot.press("enter")
        while not llm.waiting.is_set():
            await pilot.pause(0.02)
        await pilot.press("escape")
        await pilot.pause()
        exchange = app.query_one(Exchange)
        assert exchange.finished and "cancelled" in str(exchange.query_one(".state").render())
        assert isinstance(app.focused, Input)  # the input is free at once
        llm.gate.set()  # the model call in flight returns; the next event stops the line
        await settle(pilot)
        assert not exchange.query(LineView) and len(session.history) == 0
        llm.gate_at = ""
        await ask(pilot, "Does temperature scaling fix calibration?")
        assert len(app.query(LineView)) == 1 and len(session.history) == 1


async def test_notes_open_while_a_line_is_being_made(indexed: Settings) -> None:
    llm = GatedLLM("InsightOut", replies=replies())
    app = app_for(make_session(indexed, llm))
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        app.query_one("#ask", Input).value = QUESTION
        await pilot.press("enter")
        while not llm.waiting.is_set():
            await pilot.pause(0.02)
        worker = app.open_note("temperature-scaling", None, None)
        await app.workers.wait_for_complete([worker])  # not the line: it is still at the gate
        await pilot.pause()
        assert isinstance(app.screen, NoteScreen) and not app.query_one(Exchange).finished
        await pilot.press("escape")
        llm.gate.set()
        await settle(pilot)
        assert app.query_one(Exchange).finished


async def test_a_citation_opens_its_note_with_the_support_highlighted(indexed: Settings) -> None:
    app = app_for(make_session(indexed))
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        await ask(pilot)
        first = app.query(ParagraphView).first()
        first.focus()
        await pilot.press("enter")  # a paragraph lists its citations
        assert isinstance(app.screen, CitationPicker)
        await pilot.press("enter")  # the first: sentence 1, its first note
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, NoteScreen)
        data = app.query_one(Exchange).data
        assert data is not None
        sentence = data["body"][0]["sentences"][0]
        assert screen.note.id == sentence["cites"][0]
        focused = [c for c in screen.claims if c["focus"]]
        assert [c["text"] for c in focused] == [sentence["text"]]
        assert focused[0]["label"] == "supported"
        await pilot.press("escape")
        assert not isinstance(app.screen, NoteScreen)


def test_the_sentences_a_judge_reads_for_a_claim_are_highlighted(settings: Settings) -> None:
    from inquirer.notes import read_note

    root = write_corpus(settings.home_dir / "corpus")
    note = read_note(root / "rlhf-calibration.md")
    body = highlighted_body(note, ["RLHF raises calibration error from 0.03 to 0.12."])
    marked = [body.plain[s.start : s.end] for s in body.spans if s.style == "reverse"]
    assert marked == [
        "RLHF raises the expected calibration error of token probabilities from 0.03 to 0.12 "
        "on the benchmark."
    ]
    assert body.plain.startswith(marked[0]) and "Pretrained models" in body.plain


async def test_clicking_a_citation_link_opens_the_note_of_that_sentence(
    indexed: Settings,
) -> None:
    app = app_for(make_session(indexed))
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        await ask(pilot)
        paragraph = app.query(ParagraphView).first()
        markdown = paragraph.query_one(Markdown)
        note_id = paragraph.data["body"][0]["sentences"][1]["cites"][0]
        assert f"(note:{note_id}#0.1)" in markdown.source  # the links the Markdown holds
        markdown.post_message(Markdown.LinkClicked(markdown, f"note:{note_id}#0.1"))
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, NoteScreen) and screen.note.id == note_id
        text = paragraph.data["body"][0]["sentences"][1]["text"]
        assert [c["text"] for c in screen.claims if c["focus"]] == [text]


async def test_a_note_s_links_can_be_followed(indexed: Settings) -> None:
    app = app_for(make_session(indexed))
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        app.open_note("rlhf-calibration", None, None)
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, NoteScreen)
        assert list(screen.links) == ["verbal-confidence", "temperature-scaling"]
        assert screen.links["verbal-confidence"] == "Is stated confidence better calibrated?"
        await pilot.press("enter")  # the links list has focus: follow the first
        await settle(pilot)
        assert isinstance(app.screen, NoteScreen) and app.screen.note.id == "verbal-confidence"
        await pilot.press("escape")
        assert app.screen is screen  # back to the note it came from


async def test_the_side_panel_lists_sources_and_the_verifier_s_details(
    indexed: Settings,
) -> None:
    app = app_for(make_session(indexed))
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        side = app.query_one(SidePanel)
        assert side.display  # wide: shown
        await ask(pilot)
        data = app.current
        assert data is not None
        sources = app.query_one("#sources", OptionList)
        assert [sources.get_option_at_index(i).id for i in range(sources.option_count)] == [
            s["id"] for s in data["sources"]
        ]
        details = app.query_one("#verification", Markdown).source
        assert "Every sentence" in details and "partial" in details and "P=0.30" in details
        sources.focus()
        sources.highlighted = 1
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, NoteScreen)
        assert app.screen.note.id == data["sources"][1]["id"]
        await pilot.press("escape")
        await pilot.press("ctrl+b")
        assert not side.display


async def test_the_side_panel_is_hidden_on_a_narrow_terminal(indexed: Settings) -> None:
    app = app_for(make_session(indexed))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert not app.query_one(SidePanel).display
        await pilot.press("ctrl+b")
        assert app.query_one(SidePanel).display


@pytest.mark.parametrize("how", ["key", "typed", "option", "click"])
async def test_a_next_line_is_asked_by_key_number_choice_or_click(
    indexed: Settings, how: str
) -> None:
    app = app_for(make_session(indexed))
    async with app.run_test(size=(100, 80)) as pilot:
        await settle(pilot)
        await ask(pilot)
        if how == "key":
            app.query_one(ParagraphView).focus()  # outside the input a digit asks
            await pilot.press("2")
        elif how == "typed":
            await pilot.press("2", "enter")  # in the input: the number and Enter
        elif how == "option":
            options = app.query_one(NextLines)
            options.focus()
            options.highlighted = 1
            await pilot.press("enter")
        else:
            await pilot.pause()  # the line has been scrolled to its start: bring them in view
            app.query_one(NextLines).scroll_visible(animate=False)
            await pilot.pause()
            assert await pilot.click(NextLines, offset=(4, 1))  # the second line, one row each
        await settle(pilot)
        exchanges = list(app.query(Exchange))
        assert [e.question for e in exchanges] == [QUESTION, NEXT[1]]
        assert exchanges[1].finished and exchanges[1].query(LineView)


async def test_a_next_line_number_without_a_line_is_explained(indexed: Settings) -> None:
    app = app_for(make_session(indexed))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("3", "enter")
        assert "no line yet" in notices(app) and not app.query(Exchange)


async def test_history_survives_a_restart_and_reopens_a_line(indexed: Settings) -> None:
    async with app_for(make_session(indexed)).run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        await ask(pilot)
        await ask(pilot, "Does temperature scaling fix calibration?")
    app = app_for(make_session(indexed))  # a new process: only the history file remains
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+r")
        screen = app.screen
        assert isinstance(screen, HistoryScreen)
        table = screen.query_one("#lines")
        assert table.row_count == 2  # type: ignore[attr-defined]
        screen.query_one("#filter", Input).value = "temperature"
        await pilot.pause()
        assert table.row_count == 1  # type: ignore[attr-defined]
        table.focus()
        await pilot.press("enter")
        await settle(pilot)
        exchange = app.query_one(Exchange)
        assert (
            exchange.reopened and exchange.question == "Does temperature scaling fix calibration?"
        )
        assert exchange.query(LineView) and app.current is not None
        assert app.current["question"] == exchange.question


async def test_export_writes_markdown_or_json_and_refuses_a_bad_name(
    indexed: Settings, tmp_path: Path
) -> None:
    app = app_for(make_session(indexed))
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+s")
        assert "nothing to export" in "\n".join(str(n.title) for n in app._notifications)
        await ask(pilot)
        md = tmp_path / "line.md"
        await ask(pilot, f"/export {md}")
        assert md.read_text().startswith("---\n") and "# INQUIRING LINE" in md.read_text()
        await pilot.press("ctrl+s")
        assert isinstance(app.screen, ExportScreen)
        field = app.screen.query_one("#path", Input)
        field.value = str(tmp_path / "line.txt")
        field.focus()
        await pilot.press("enter")
        assert isinstance(app.screen, ExportScreen)  # refused, with the reason in place
        assert ".md" in str(app.screen.query_one("#problem").render())
        field.value = str(tmp_path / "line.json")
        await pilot.press("enter")
        assert not isinstance(app.screen, ExportScreen)
        data = json.loads((tmp_path / "line.json").read_text())
        assert data["question"] == QUESTION and data["verification"]["status"] == "passed"


async def test_reindex_and_switch_corpus_update_the_status(
    indexed: Settings, tmp_path: Path
) -> None:
    app = app_for(make_session(indexed))
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        write_note(indexed.corpus_paths[0], "new-note", summary="A new claim.")
        await ask(pilot, "/index")
        assert "1 added" in notices(app)
        assert "6 notes" in str(app.main.query_one("#status").render())
        other = tmp_path / "other"
        write_note(other, "alone", summary="The only note here.")
        await ask(pilot, f"/corpus {other}")
        assert "1 notes" in str(app.main.query_one("#status").render())
        await ask(pilot, f"/corpus {tmp_path / 'missing'}")
        assert "is not a folder" in notices(app)


async def test_switch_model_through_the_prompt_and_refuse_an_unknown_one(
    indexed: Settings,
) -> None:
    session = make_session(indexed)
    app = app_for(session)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await ask(pilot, "/model local/no-such-model")
        assert "unknown local model" in notices(app)
        app.action_switch_model()
        await pilot.pause()
        assert isinstance(app.screen, PromptScreen)
        app.screen.query_one(Input).value = "ollama/qwen2.5"
        await pilot.press("enter")
        assert session.model == "ollama/qwen2.5"
        assert "ollama/qwen2.5" in str(app.main.query_one("#status").render())


async def test_commands_and_help(indexed: Settings) -> None:
    app = app_for(make_session(indexed))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        titles = {c.title for c in app.get_system_commands(app.screen)}
        assert {"Re-index the corpus", "Switch model", "Switch corpus", "History"} <= titles
        await ask(pilot, "/nonsense")
        assert "/nonsense is not a command" in notices(app)
        await pilot.press("f1")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)


async def test_no_index_is_a_notification_that_says_how_to_fix_it(settings: Settings) -> None:
    app = app_for(make_session(settings))  # nothing indexed in this home
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert "no index yet" in notices(app) and "inquirer index" in notices(app)
        assert "no index" in str(app.main.query_one("#status").render())
        await ask(pilot)
        exchange = app.query_one(Exchange)
        assert exchange.finished and "no index yet" in str(exchange.query_one(".state").render())
        assert app.is_running


async def test_a_chroma_server_that_is_down_is_a_notification(settings: Settings) -> None:
    import socket

    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    down = settings.model_copy(
        update={"store_mode": "server", "server_host": "127.0.0.1", "server_port": port}
    )
    app = app_for(make_session(down))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert f"127.0.0.1:{port}" in notices(app) and "chroma run" in notices(app)
        assert "no index" in str(app.main.query_one("#status").render()) and app.is_running


@pytest.mark.parametrize(
    "error, shown",
    [
        (LLMError("the model server is down", hint="start it"), "the model server is down"),
        (RuntimeError("boom"), "tui.log"),  # unexpected: logged in full, never a traceback
    ],
)
async def test_errors_while_making_a_line_are_notifications(
    indexed: Settings, error: BaseException, shown: str
) -> None:
    llm = GatedLLM(replies=replies())
    llm.fail = error
    app = app_for(make_session(indexed, llm))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await ask(pilot)
        assert shown in notices(app) and app.is_running
        llm.fail = None
        await ask(pilot)  # and the next question works
        assert app.query(LineView)
