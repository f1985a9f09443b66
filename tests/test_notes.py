from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import ALIAS_BOMB, note_text, write_note
from inquirer.errors import EmptyNoteError, NoteError
from inquirer.notes import (
    fingerprint,
    hashtags,
    parse_bytes,
    read_note,
    slugify,
    wiki_links,
)


def test_front_matter_note_is_parsed(tmp_path: Path) -> None:
    path = write_note(
        tmp_path,
        "lost-in-the-middle",
        title="Do models use the middle of a long context?",
        summary="Less than the ends: accuracy is U-shaped in the position of the answer.",
        related=["self-rag-reflection-tokens", "rag-basics"],
        body="Liu et al. measured it; see [[rag-basics]] and "
        "[[Self RAG Reflection Tokens|Self-RAG]].",
    )
    note = read_note(path)
    assert note.id == "lost-in-the-middle"
    assert note.title == "Do models use the middle of a long context?"
    assert note.summary.startswith("Less than the ends")
    assert note.related == ("self-rag-reflection-tokens", "rag-basics")
    assert note.wiki_links == ("rag-basics", "self-rag-reflection-tokens")
    assert note.links == ("self-rag-reflection-tokens", "rag-basics")
    assert note.source is not None and note.source.year == 2024
    assert note.fingerprint == fingerprint(path.read_bytes())


def test_plain_markdown_vault_note() -> None:
    text = "# Sleeper agents\n\nBackdoors survive #safety training. See [[Alignment Faking]].\n"
    note = parse_bytes("/vault/Sleeper Agents.md", text.encode())
    assert note.id == "sleeper-agents"
    assert note.title == "Sleeper agents"
    assert note.summary == "Backdoors survive #safety training. See [[Alignment Faking]]."
    assert note.tags == ("safety",)
    assert note.wiki_links == ("alignment-faking",)


def test_plain_markdown_without_heading_uses_file_name() -> None:
    note = parse_bytes("/vault/reward-hacking.md", b"First paragraph here.\n\nSecond.")
    assert note.title == "reward-hacking"
    assert note.summary == "First paragraph here."


def test_summary_defaults_to_first_paragraph_and_hashtags_merge() -> None:
    text = "---\nid: a-note\ntitle: Why?\ntags: [one]\n---\nOpening claim #two.\n\nMore.\n"
    note = parse_bytes("/c/a-note.md", text.encode())
    assert note.summary == "Opening claim #two."
    assert note.tags == ("one", "two")


def test_links_and_tags_in_code_are_ignored() -> None:
    body = "Real [[target-one]].\n\n```\n[[not-a-link]] #nottag\n```\n`[[inline]]` and #realtag"
    assert wiki_links(body) == ("target-one",)
    assert hashtags(body) == ("realtag",)
    assert hashtags("# Heading\n\ntext with C# and url.com/#frag") == ()


def test_slugify() -> None:
    assert slugify("Émergent  Misalignment!") == "emergent-misalignment"


def test_fingerprint_changes_with_content(tmp_path: Path) -> None:
    a = parse_bytes("/c/x.md", note_text("x").encode())
    b = parse_bytes("/c/x.md", note_text("x", summary="Another claim.").encode())
    assert a.fingerprint != b.fingerprint
    assert a.fingerprint == parse_bytes("/c/x.md", note_text("x").encode()).fingerprint


def test_crlf_and_bom_are_normalised() -> None:
    raw = "\ufeff" + note_text("x").replace("\n", "\r\n")
    assert parse_bytes("/c/x.md", raw.encode()).id == "x"


@pytest.mark.parametrize(
    ("data", "message", "line"),
    [
        (b"---\nid: x\ntitle: [unclosed\n---\nbody", "sequence that starts on line 3", 4),
        (b"---\nid: x\ntitle: a: b\n---\nbody", "mapping values are not allowed", 3),
        (b"---\nid: x\ntitle: Why?\nbody without end", "never closed", 1),
        (b"---\nid: x\nsummary: no title\n---\nbody", "missing 'title'", 2),
        (b"---\n- a\n- b\n---\nbody", "must be a mapping", 2),
        (b"---\nid: x\ntitle: T?\nsource: {year: soon}\n---\nb", "source.year", 4),
        (b"line one\nline two \xff\xfe bad", "not valid UTF-8", 2),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00", "binary file", None),
    ],
)
def test_bad_notes_name_the_problem_and_line(data: bytes, message: str, line: int | None) -> None:
    with pytest.raises(NoteError) as info:
        parse_bytes("/c/bad.md", data)
    assert message in info.value.problem
    assert info.value.line == line
    assert "/c/bad.md" in str(info.value)


def test_oversized_note_is_refused() -> None:
    with pytest.raises(NoteError, match="over the 100-byte limit"):
        parse_bytes("/c/big.md", b"x" * 101, max_bytes=100)


def _seconds(work: Callable[[], object]) -> float:
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("[" * 999_000, id="bracket-run"),  # was quadratic in the '[' run
        pytest.param("[[a|" * 200_000, id="alias-run"),
        pytest.param("[[a#" * 200_000, id="section-run"),
        pytest.param("# x" + " " * 10_000 + "y\nbody\n", id="padded-heading"),  # was cubic
        pytest.param(("#" + " " * 1_000 + "\n") * 900, id="blank-headings"),
        pytest.param("#a-" * 300_000, id="hashtag-run"),
        pytest.param("~~~\n" + "```\n" * 200_000, id="fences"),
        pytest.param(("\n" + " " * 1_000 + "x") * 900, id="spaced-paragraphs"),
    ],
)
def test_pathological_text_is_parsed_in_linear_time(text: str) -> None:
    # a hang guard, not a benchmark: each takes milliseconds, the old patterns took hours
    assert _seconds(lambda: parse_bytes("/c/x.md", text.encode())) < 2.0


def test_heading_closing_hashes_need_a_space() -> None:
    assert parse_bytes("/c/x.md", b"# Title ##\nbody").title == "Title"
    assert parse_bytes("/c/x.md", b"# Why C#?\nbody").title == "Why C#?"
    assert parse_bytes("/c/x.md", b"# ##\nbody").title == "x"  # nothing left: the file name


def test_wiki_links_hold_no_brackets() -> None:
    body = "[[A b|alias]], [[c#part]], [[d#part|x]], [[[e]]] and [[f [g]]"
    assert wiki_links(body) == ("a-b", "c", "d", "e")


def test_yaml_alias_bomb_is_one_clear_problem() -> None:
    with pytest.raises(NoteError) as info:
        parse_bytes("/c/bomb.md", ALIAS_BOMB.encode())
    assert "anchor '&a'" in info.value.problem and "write the value out" in info.value.problem
    assert info.value.line == 3


@pytest.mark.parametrize(
    ("front", "message", "line"),
    [
        ("id: x\ntitle: T?\nlinks: *x", "alias '*x'", 4),
        ("id: x\ntitle: T?\nsource: {year: 99999999999999999999999}", "not a year from", 4),
        ("id: x\ntitle: T?\nsource:\n  title: S\n  year: 999", "'source.year' is 999", 6),
        ("id: x\ntitle: T?\nsource: {year: true}", "not true (a yes/no value)", 4),
        ("id: false\ntitle: T?", "'id' must be text, not false", 2),
        ('id: "a\\nb"\ntitle: T?', "control character U+000A", 2),
        ('id: "a\\0b"\ntitle: T?', "control character U+0000", 2),
        ("id: " + "x" * 300 + "\ntitle: T?", "an id has at most 255", 2),
        ("id: x\ntitle: [a, b]", "'title' must be text, not a list", 3),
        ("id: x\ntitle: T?\nsummary: {a: b}", "'summary' must be text, not a mapping", 4),
        ('id: x\ntitle: "T\\e[31m?"', "'title' contains the control character U+001B", 3),
        ("id: x\ntitle: T?\ntags: [ok, [nested]]", "'tags' must be text, not a list", 4),
        ("id: x\ntitle: T?\nsource: {authors: {a: b}}", "'source.authors' must be text", 4),
        ("id: x\ntitle: T?\ndate: 2024-13-45", "month must be in 1..12", 1),
        ("id: x\ntitle: T?\nn: " + "9" * 5000, "put the value in quotes", 1),
        ("id: x\ntitle: T?\nsummary: " + "s" * 70_000, "over the 65,536-character limit", 1),
    ],
    ids=lambda value: value[:40] if isinstance(value, str) else None,
)
def test_front_matter_fields_are_checked_at_parse_time(front: str, message: str, line: int) -> None:
    with pytest.raises(NoteError) as info:
        parse_bytes("/c/bad.md", f"---\n{front}\n---\nbody\n".encode())
    assert message in info.value.problem
    assert info.value.line == line


def test_whole_numbers_are_taken_as_text_where_text_is_due() -> None:
    note = parse_bytes("/c/z.md", b"---\nid: 202401011230\ntitle: 1984\ntags: [2024]\n---\nb")
    assert (note.id, note.title, note.tags) == ("202401011230", "1984", ("2024",))


@pytest.mark.parametrize(("data", "message"), [(b"", "empty file;"), (b" \n\t\n", "whitespace")])
def test_empty_files_are_reported(data: bytes, message: str) -> None:
    with pytest.raises(EmptyNoteError, match=message):
        parse_bytes("/c/empty.md", data)


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-32"])
def test_utf16_and_utf32_with_a_byte_order_mark_are_decoded(encoding: str) -> None:
    text = "\ufeff" + note_text("wide", title="Does Ünïcödé survive?")
    note = parse_bytes("/c/wide.md", text.replace("\n", "\r\n").encode(encoding))
    assert (note.id, note.title) == ("wide", "Does Ünïcödé survive?")
    assert note.body.startswith("Body of wide.")


def test_broken_utf16_is_named_as_utf16() -> None:
    with pytest.raises(NoteError, match=r"not valid UTF-16 .*re-save the file as UTF-8"):
        parse_bytes("/c/wide.md", b"\xff\xfea\x00\x00\xd8")
