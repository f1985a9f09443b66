"""SVG snapshots of the main screens at 80x24 and at a wide size (pytest-textual-snapshot).
After a deliberate change of the look, review the new screens and run
``pytest tests/tui/test_snapshots.py --snapshot-update``."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input
from tui_fakes import QUESTION, indexed_settings, make_session, write_corpus

from inquirer.config import Settings
from inquirer.history import History
from inquirer.tui.app import InquirerApp, build_app
from inquirer.tui.widgets import ParagraphView

Snap = Callable[..., bool]
WIDE = (160, 48)
SMALL = (80, 24)


@pytest.fixture
def app(settings: Settings, tmp_path: Path) -> InquirerApp:
    indexed = indexed_settings(settings, write_corpus(tmp_path / "corpus"))
    return build_app(make_session(indexed), clock=lambda: 0.0)


async def settle(pilot: Pilot[None]) -> None:
    for field in pilot.app.query(Input):
        field.cursor_blink = False  # a blinking cursor would make every snapshot differ
    for _ in range(3):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
    # then until the layout stops changing: Markdown fills in after it mounts, later on a busy
    # machine, and the scroll bar's thumb shows the difference
    conversation = pilot.app.screen_stack[0].query_one("#conversation")
    seen, same = None, 0
    for _ in range(200):
        now = (conversation.virtual_size, conversation.scroll_y, pilot.app.screen.size)
        same = same + 1 if now == seen else 0
        if same == 5:
            break
        seen = now
        await pilot.pause(0.02)


async def asked(pilot: Pilot[None]) -> None:
    await settle(pilot)
    pilot.app.query_one("#ask", Input).value = QUESTION
    await pilot.press("enter")
    await settle(pilot)


async def note_open(pilot: Pilot[None]) -> None:
    await asked(pilot)
    pilot.app.query(ParagraphView).first().focus()
    await pilot.press("enter", "enter")
    await settle(pilot)


async def help_open(pilot: Pilot[None]) -> None:
    await settle(pilot)
    await pilot.press("f1")
    await pilot.pause()


@pytest.mark.parametrize("size", [SMALL, WIDE], ids=["80x24", "wide"])
@pytest.mark.parametrize(
    "run_before", [settle, asked, note_open, help_open], ids=["start", "line", "note", "help"]
)
def test_screens(
    snap_compare: Snap,
    app: InquirerApp,
    size: tuple[int, int],
    run_before: Callable[[Pilot[None]], Awaitable[None]],
) -> None:
    assert snap_compare(app, terminal_size=size, run_before=run_before)


def test_history_screen(snap_compare: Snap, settings: Settings, tmp_path: Path) -> None:
    indexed = indexed_settings(settings, write_corpus(tmp_path / "corpus"))
    history = History(tmp_path / "history.sqlite")
    session = make_session(indexed, history=History(tmp_path / "scratch.sqlite"))
    data: dict[str, Any] = session.ask(QUESTION, lambda _event: None)
    for n, question in enumerate([QUESTION, "Does temperature scaling fix calibration?"]):
        history.add(
            data | {"id": f"line-{n}", "question": question, "created": f"2026-11-2{n}T09:30"}
        )
    app = build_app(make_session(indexed, history=history), clock=lambda: 0.0)

    async def open_history(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await pilot.press("ctrl+r")
        await pilot.pause()

    assert snap_compare(app, terminal_size=(100, 24), run_before=open_history)
