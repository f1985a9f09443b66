"""How progress shows where stderr is a log file rather than a terminal."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from inquirer import console


def progress(monkeypatch: pytest.MonkeyPatch, *, terminal: bool, steps: list[int]) -> str:
    """What console.progress_bar("claims") writes to stderr for ``steps`` done of 24."""
    screen = io.StringIO()
    monkeypatch.setattr(console, "err", Console(file=screen, force_terminal=terminal, width=200))
    with console.progress_bar("claims") as update:
        for done in steps:
            update(done, 24)
    return screen.getvalue()


def test_progress_without_a_terminal_is_a_line_at_each_tenth(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    lines = progress(monkeypatch, terminal=False, steps=list(range(25))).splitlines()
    assert lines[0] == "claims: 0 of 24" and lines[-1] == "claims: 24 of 24"
    assert len(lines) == 11  # 0, then each tenth of 24
    assert all(line.startswith("claims: ") for line in lines)


def test_progress_on_a_terminal_draws_a_bar_and_prints_no_lines(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    drawn = progress(monkeypatch, terminal=True, steps=[3])
    assert "claims: 3 of 24" not in drawn and "3/24" in drawn
