"""Options that take numbers are refused, with the option and its range named, before any
model, store or file is touched."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from inquirer.cli import cli
from inquirer.cli_search import parse_years


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("nan", "'nan' is not a number in the range 0<=x<=1"),
        ("inf", "inf is not in the range 0<=x<=1"),
        ("-0.5", "-0.5 is not in the range 0<=x<=1"),
        ("1.5", "1.5 is not in the range 0<=x<=1"),
    ],
)
def test_search_refuses_a_diversity_out_of_range(home: Path, value: str, message: str) -> None:
    code, output = _run("search", "calibration", "--diversity", value)
    assert code == 2
    assert "Invalid value for '--diversity'" in output and message in output


@pytest.mark.parametrize(
    "value", ["99999999999999999999", "999", "2020-99999999999999999999", "-20240"]
)
def test_search_refuses_years_out_of_range(home: Path, value: str) -> None:
    code, output = _run("search", "calibration", "--year", value)
    assert code == 1
    assert "--year" in output and "out of range" in output and "from 1000 to 2100" in output
    assert "Traceback" not in output


def test_years_in_range_are_kept() -> None:
    assert parse_years("1000-2100") == (1000, 2100)
    assert parse_years("-2019") == (None, 2019)


@pytest.mark.parametrize(
    "option", ["--min-citation-recall", "--min-citation-precision", "--min-supported"]
)
def test_batch_refuses_a_threshold_that_is_no_number(
    home: Path, tmp_path: Path, option: str
) -> None:
    questions = tmp_path / "questions.txt"
    questions.write_text("Why?\n")
    code, output = _run("batch", str(questions), "--out", str(tmp_path / "out"), option, "nan")
    assert code == 2
    assert f"Invalid value for '{option}'" in output and "is not a number" in output
    assert not (tmp_path / "out").exists()
