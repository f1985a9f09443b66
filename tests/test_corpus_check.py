from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import REPO, write_note
from inquirer.cli import cli
from inquirer.corpus import check, load, resolve_roots
from inquirer.errors import CorpusError


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


@pytest.fixture
def messy(tmp_path: Path) -> Path:
    """A corpus with one of every problem the checker knows, and two good notes."""
    root = tmp_path / "notes"
    write_note(root, "good-one", related=["good-two", "sub-note"])
    write_note(
        root, "good-two", related=["good-one"], body="See [[good-one]] and [[sub-note]]. " * 40
    )
    write_note(root / "sub", "sub-note", related=["good-one", "good-two"])
    (root / "broken-yaml.md").write_text("---\nid: broken-yaml\ntitle: [oops\n---\nbody\n")
    (root / "no-title.md").write_text("---\nid: no-title\nsummary: s\n---\nbody\n")
    write_note(root, "dup-a", title="Same title?", related=["good-one", "good-two"])
    write_note(root, "dup-b", title="Same title?", related=["good-one", "good-two"])
    copy = (root / "dup-a.md").read_text().replace("Same title?", "Other title?")
    (root / "zz-dup-a-copy.md").write_text(copy)
    write_note(root, "dangling", related=["good-one", "no-such-note"], body="See [[Missing Link]].")
    (root / "latin1.md").write_bytes("---\nid: latin1\ntitle: Café?\n---\n".encode("latin-1"))
    (root / "image.md").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    (root / "huge.md").write_text("x" * 2_000_001)
    (root / ".obsidian").mkdir()
    (root / ".obsidian" / "workspace.md").write_text("---\n: not a note\n")
    return root


def test_check_reports_every_problem_with_file_and_line(messy: Path) -> None:
    corpus = load(resolve_roots([messy]))
    problems = [str(p) for p in check(corpus)]
    text = "\n".join(problems)
    assert "broken-yaml.md:4: error: malformed front matter" in text
    assert "no-title.md:2: error: missing 'title'" in text
    assert "dup-b.md:3: error: duplicate title 'Same title?'" in text
    assert "zz-dup-a-copy.md:2: error: duplicate id 'dup-a'" in text
    assert "dangling.md:11: error: related note 'no-such-note' does not exist" in text
    assert "dangling.md:13: error: wiki link [[missing-link]] leads nowhere" in text
    assert "latin1.md:3: error: not valid UTF-8" in text
    assert "image.md: error: binary file" in text
    assert "huge.md: error: file is 2,000,001 bytes" in text
    assert ".obsidian" not in text
    # one bad file never stops the check of the others: the good notes were all loaded
    assert {"good-one", "good-two", "sub-note", "dangling", "dup-a", "dup-b"} <= set(corpus.notes)
    assert not [p for p in problems if "good-" in p.split(":")[0]]


def test_cli_check_exits_non_zero_on_errors(messy: Path, home: Path) -> None:
    code, output = _run("corpus", "check", str(messy))
    assert code == 1
    assert "errors" in output and "failed" in output


def test_cli_check_passes_a_clean_corpus(tmp_path: Path, home: Path) -> None:
    write_note(tmp_path, "a-note", related=["b-note", "c-note"])
    write_note(tmp_path, "b-note", related=["a-note", "c-note"])
    write_note(tmp_path, "c-note", related=["a-note", "b-note"])
    code, output = _run("corpus", "check", "--strict", str(tmp_path))
    assert code == 0, output
    assert "3 files checked: 0 errors, 0 warnings" in output


def test_strict_turns_format_departures_into_errors(tmp_path: Path, home: Path) -> None:
    write_note(tmp_path, "short", title="Not a question", body="Too short.", related=["other"])
    write_note(tmp_path, "other", related=["short"])
    code, output = _run("corpus", "check", str(tmp_path))
    assert code == 0
    assert "warning: title is not a question" in output
    code, output = _run("corpus", "check", "--strict", str(tmp_path))
    assert code == 1
    assert "error: body has 2 words" in output
    assert "error: links to 1 note(s)" in output


def test_missing_corpus_path_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(CorpusError, match="does not exist"):
        resolve_roots([tmp_path / "nope"])


def test_bundled_corpus_passes_the_strict_check(home: Path) -> None:
    code, output = _run("corpus", "check", "--strict", str(REPO / "corpus"))
    assert code == 0, output
    count = int(output.strip().splitlines()[-1].split()[0])
    assert count >= 200


def test_bundled_corpus_links_lead_everywhere() -> None:
    notes = load(resolve_roots([REPO / "corpus"])).notes
    incoming = {target for note in notes.values() for target in note.links}
    assert set(notes) - incoming == set(), "notes no link leads to"
    start = next(iter(notes))
    seen, todo = {start}, [start]
    while todo:
        for target in notes[todo.pop()].links:
            if target not in seen:
                seen.add(target)
                todo.append(target)
    assert len(seen) >= 0.95 * len(notes)
