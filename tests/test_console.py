"""How progress shows where stderr is a log file rather than a terminal."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from inquirer import console


def test_progress_without_a_terminal_is_a_line_at_each_tenth(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    log = io.StringIO()
    monkeypatch.setattr(console, "err", Console(file=log, force_terminal=False, width=200))
    with console.progress_bar("claims") as update:
        for done in range(0, 25):
            update(done, 24)
    lines = log.getvalue().splitlines()
    assert lines[0] == "claims: 0 of 24" and lines[-1] == "claims: 24 of 24"
    assert len(lines) == 11  # 0, then each tenth of 24
    assert all(line.startswith("claims: ") for line in lines)


def test_progress_on_a_terminal_draws_a_bar_and_prints_no_lines(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    screen = io.StringIO()
    monkeypatch.setattr(console, "err", Console(file=screen, force_terminal=True, width=100))
    with console.progress_bar("claims") as update:
        update(3, 24)
    assert "claims: 3 of 24" not in screen.getvalue() and "3/24" in screen.getvalue()
