"""The TUI end to end with the real parts: notes from the bundled corpus, the bundled
embedding model, embedded Chroma, and the embedded 0.5B model composing and judging."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from textual.widgets import Input, OptionList

from conftest import REPO
from inquirer.config import Settings
from inquirer.notes import read_note
from inquirer.session import Session
from inquirer.tui.app import build_app
from inquirer.tui.screens import NoteScreen
from inquirer.tui.widgets import Exchange, LineView, ParagraphView

pytestmark = pytest.mark.slow
MODEL = "local/qwen2.5-coder-0.5b"
NOTES = [
    "rlhf-hurts-calibration",
    "temperature-scaling-calibration",
    "verbalized-confidence-calibration",
    "verbalized-confidence-overconfidence",
    "calibrated-models-must-hallucinate",
    "binary-reward-calibration-brier",
]


async def test_a_line_from_the_local_model_in_the_tui(settings: Settings, tmp_path: Path) -> None:
    root = tmp_path / "corpus"
    root.mkdir()
    for note in NOTES:
        shutil.copy(REPO / "corpus" / "notes" / f"{note}.md", root)
    settings = settings.model_copy(
        update={
            "corpus_paths": [root],
            "model": MODEL,
            "verify_model": MODEL,
            "agent_searches": 1,  # the smallest budget that makes a whole line
            "agent_reads": 2,  # (cli_support.TINY_BUDGET)
        }
    )
    session = Session(settings)
    session.reindex()  # the real embedder into embedded Chroma
    app = build_app(session)
    async with app.run_test(size=(120, 40)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert f"{len(NOTES)} notes" in str(app.main.query_one("#status").render())
        app.query_one("#ask", Input).value = "Does RLHF hurt the calibration of language models?"
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        exchange = app.query_one(Exchange)
        assert exchange.finished and exchange.data is not None, app._notifications
        data = exchange.data
        view = exchange.query_one(LineView)
        paragraphs = list(view.query(ParagraphView))
        # two notes read make two paragraphs at most (one restatement a note); a short body
        # is named in the verdict
        assert len(paragraphs) == len(data["body"]) >= 1
        verdict = data["verification"]
        if len(paragraphs) < 3:
            assert any("the body has" in f["detail"] for f in verdict["failures"])
        assert verdict["status"] in ("passed", "failed")
        assert verdict["judges"] == [f"llm:{MODEL}"]
        worst = ["unsupported", "partial", "uncited", "supported"]
        for paragraph in paragraphs:  # the badges show the real verdict
            labels = {
                c["label"] for c in verdict["sentences"] if c["paragraph"] == paragraph.paragraph
            }
            expected = next(label for label in worst if label in labels)
            assert paragraph.query_one(".badge").has_class(expected)
        sources = app.query_one("#sources", OptionList)
        assert sources.option_count == len(data["sources"]) >= 1
        assert [e.id for e in session.history.entries()] == [data["id"]]
        sources.focus()
        sources.highlighted = 0
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, NoteScreen)
        assert screen.note.id == data["sources"][0]["id"]
        on_disk = read_note(root / f"{screen.note.id}.md")
        assert (screen.note.summary, screen.note.body) == (on_disk.summary, on_disk.body)
        usage = session.usage()
        assert usage.completion_tokens > 0
