from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from pytest import MonkeyPatch

from conftest import REPO, hostile_corpus, note_text, write_note
from inquirer.cli import cli
from inquirer.corpus import Problem, check, load, resolve_roots
from inquirer.errors import CorpusError, NoteError
from inquirer.notes import read_bytes


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


def _messages(problems: list[Problem]) -> dict[str, str]:
    """Each problem by the name of its file: ``name: severity: message``."""
    return {Path(p.path).name: f"{p.severity}: {p.message}" for p in problems}


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_is_reported_and_never_opened(tmp_path: Path) -> None:
    write_note(tmp_path, "good-one")
    os.mkfifo(tmp_path / "pipe.md")  # reading it would wait for a writer forever
    corpus = load([tmp_path])
    assert set(corpus.notes) == {"good-one"}
    assert _messages(corpus.problems) == {"pipe.md": "error: not a regular file (a FIFO); skipped"}
    with pytest.raises(NoteError, match="a FIFO"):  # nor when a FIFO is asked for by name
        read_bytes(tmp_path / "pipe.md", max_bytes=100)


def test_links_out_of_the_corpus_are_reported_not_followed(tmp_path: Path) -> None:
    root, outside = tmp_path / "notes", tmp_path / "elsewhere"
    write_note(root, "good-one")
    write_note(outside, "secret")
    write_note(outside / "folder", "in-folder")
    (root / "secret.md").symlink_to(outside / "secret.md")
    (root / "linked").symlink_to(outside / "folder")
    corpus = load([root])
    assert set(corpus.notes) == {"good-one"}
    fix = "skipped (set follow_outside_links to read it)"
    assert _messages(corpus.problems) == {
        "secret.md": f"warning: symlink to a file outside the corpus ({outside}/secret.md); {fix}",
        "linked": f"warning: symlink to a folder outside the corpus ({outside}/folder); {fix}",
    }
    followed = load([root], follow_outside_links=True)
    assert set(followed.notes) == {"good-one", "secret", "in-folder"}
    assert followed.notes["in-folder"].path == str(root / "linked" / "in-folder.md")
    assert followed.problems == []


def test_links_inside_the_corpus_read_each_file_once(tmp_path: Path) -> None:
    write_note(tmp_path / "sub", "real-note")
    (tmp_path / "a-link.md").symlink_to(tmp_path / "sub" / "real-note.md")
    (tmp_path / "kept.txt").write_text(note_text("from-text-file"))
    (tmp_path / "text-link.md").symlink_to(tmp_path / "kept.txt")  # its target is no note file
    (tmp_path / "sub-again").symlink_to(tmp_path / "sub")
    (tmp_path / "dangling.md").symlink_to(tmp_path / "nowhere.md")
    corpus = load([tmp_path])
    assert set(corpus.notes) == {"real-note", "from-text-file"}
    assert corpus.notes["real-note"].path == str(tmp_path / "sub" / "real-note.md")
    messages = _messages(corpus.problems)
    assert messages["a-link.md"].startswith("warning: the same file as ")
    assert messages["sub-again"].startswith("warning: symlink to a folder inside the corpus")
    assert messages["dangling.md"] == "error: broken symlink (it leads nowhere); skipped"
    assert len(messages) == 3


def test_a_loop_of_folder_links_ends(tmp_path: Path) -> None:
    root, outside = tmp_path / "notes", tmp_path / "out"
    write_note(root, "good-one")
    write_note(outside, "out-note")
    (root / "out").symlink_to(outside)
    (outside / "back").symlink_to(tmp_path)  # out/back/notes/out/back/... without end
    corpus = load([root], follow_outside_links=True)
    assert set(corpus.notes) == {"good-one", "out-note"}
    assert corpus.notes["out-note"].path == str(root / "out" / "out-note.md")  # the shortest way
    assert all(p.severity == "warning" for p in corpus.problems)


def test_the_cli_reads_the_setting(tmp_path: Path, home: Path, monkeypatch: MonkeyPatch) -> None:
    root, outside = tmp_path / "notes", tmp_path / "elsewhere"
    for note_id in ("a-note", "b-note"):
        write_note(root, note_id, related=["a-note", "b-note", "secret"])
    write_note(outside, "secret", related=["a-note", "b-note"])
    (root / "secret.md").symlink_to(outside / "secret.md")
    code, output = _run("corpus", "check", str(root))
    assert code == 1  # a link not followed is only a warning, but the ids it held are missing
    assert "set follow_outside_links to read it" in output
    assert "related note 'secret' does not exist" in output
    monkeypatch.setenv("INQUIRER_FOLLOW_OUTSIDE_LINKS", "true")
    code, output = _run("corpus", "check", "--strict", str(root))
    assert code == 0, output
    assert "3 files checked: 0 errors, 0 warnings" in output


def test_thousands_of_dangling_links_are_reported_in_one_reading(tmp_path: Path) -> None:
    body = "".join(f"See [[Missing {i}]].\n" for i in range(40_000))  # ~900 KB
    related = [f"gone-{i}" for i in range(4_000)]
    write_note(tmp_path, "many-links", related=related, body=body)
    start = time.perf_counter()
    problems = check(load([tmp_path]))
    assert time.perf_counter() - start < 10  # one pass per note: it was quadratic (hours)
    lines = {p.message: p.line for p in problems}
    assert lines["related note 'gone-3999' does not exist"] == 11
    assert lines["wiki link [[missing-39999]] leads nowhere"] == 13 + 39_999


def test_a_hostile_corpus_is_checked_quickly_and_every_bad_file_named(tmp_path: Path) -> None:
    hostile = hostile_corpus(tmp_path)
    start = time.perf_counter()
    corpus = load(resolve_roots([hostile.root]))
    problems = check(corpus)
    assert time.perf_counter() - start < 10  # a hang guard; each part takes milliseconds
    assert set(corpus.notes) == hostile.good
    reported = {Path(p.path).name: p.message for p in problems}
    for name, message in hostile.bad.items():
        assert message in reported.get(name, ""), name
    loading = {Path(p.path).name for p in corpus.problems}
    assert loading == set(hostile.bad)  # and nothing else failed to load
    assert corpus.notes["padded-heading"].title == "x" + " " * 10_000 + "y"
    assert corpus.notes["wide"].summary == "A claim stated in one sentence."


def test_the_cli_checks_a_hostile_corpus_without_a_traceback(tmp_path: Path, home: Path) -> None:
    hostile = hostile_corpus(tmp_path)
    code, output = _run("corpus", "check", str(hostile.root))
    assert code == 1 and "Traceback" not in output
    for name in hostile.bad:
        assert f"/{name}:" in output, name
    unread = {"pipe.md", "secret.md", "etc-passwd.md", "linked-folder"}  # FIFOs, links
    read = len(hostile.good) + len(set(hostile.bad) - unread)
    assert f"{read} files checked" in output
