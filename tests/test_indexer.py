"""Indexer logic against a real embedded Chroma store, with a fake embedder for speed."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from conftest import FakeEmbedder, hostile_corpus, note_text, write_note
from inquirer.config import Settings
from inquirer.indexer import Indexer
from inquirer.lexical import LexicalIndex
from inquirer.retrieval import MODES, Retriever, SearchOptions
from inquirer.services import build_indexer, lexical_path
from inquirer.store import Store


def _indexer(
    settings: Settings, embedder: FakeEmbedder, chunk_words: int = 160, write_chunks: int = 256
) -> Indexer:
    return Indexer(
        Store.open(settings),
        embedder,
        chunk_words=chunk_words,
        max_bytes=1_000_000,
        write_chunks=write_chunks,
    )


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    root = tmp_path / "corpus"
    for i in range(12):
        write_note(root, f"note-{i:02d}", summary=f"Claim number {i} about topic {i % 3}.")
    return root


def _note_ids(store: Store) -> set[str]:
    return set(store.versions())


def test_first_run_adds_then_nothing_changes(
    settings: Settings, corpus: Path, fake_embedder: FakeEmbedder
) -> None:
    report = _indexer(settings, fake_embedder).run([corpus])
    assert (report.added, report.updated, report.removed, report.unchanged) == (12, 0, 0, 0)
    assert report.errors == 0
    progress: list[tuple[int, int]] = []
    again = FakeEmbedder()
    report = _indexer(settings, again).run(
        [corpus], on_progress=lambda d, t: progress.append((d, t))
    )
    assert (report.added, report.updated, report.removed, report.unchanged) == (0, 0, 0, 12)
    assert again.calls == []  # nothing re-embedded
    assert again.dimension_reads == 0  # and the model was never needed
    assert progress == [(0, 0)]


def test_notes_are_embedded_and_written_in_groups_of_the_set_size(
    settings: Settings, corpus: Path, fake_embedder: FakeEmbedder
) -> None:
    progress: list[tuple[int, int]] = []
    report = _indexer(settings, fake_embedder, write_chunks=5).run(
        [corpus], on_progress=lambda d, t: progress.append((d, t))
    )
    assert report.added == 12 and report.chunks_written == 24
    # two chunks a note, whole notes to a group: a group closes at the note that brings it to
    # 5 chunks or more, so 3 notes (6 chunks) each
    assert [len(call) for call in fake_embedder.calls] == [6, 6, 6, 6]
    assert [done for done, _ in progress[-4:]] == [3, 6, 9, 12]
    assert _note_ids(Store.open(settings)) == {f"note-{i:02d}" for i in range(12)}


def test_changed_note_is_replaced_and_deleted_note_removed(
    settings: Settings, corpus: Path, fake_embedder: FakeEmbedder
) -> None:
    indexer = _indexer(settings, fake_embedder)
    indexer.run([corpus])
    write_note(corpus, "note-03", summary="A revised claim.")
    (corpus / "note-07.md").unlink()
    write_note(corpus, "note-new", summary="A new claim.")
    report = indexer.run([corpus])
    assert (report.added, report.updated, report.removed, report.unchanged) == (1, 1, 1, 10)
    versions = indexer.store.versions()
    assert "note-07" not in versions
    assert len(versions["note-03"]) == 1  # the old version is gone
    note_id, _, _ = indexer.store.query(
        fake_embedder.embed(["What does note-03 say? A revised claim."])[0].tolist(), 1
    )[0]
    assert note_id == "note-03"
    [(note, _)] = indexer.store.fetch(indexer.store.versions()["note-03"])
    assert note.summary == "A revised claim."


def test_broken_file_keeps_its_indexed_version(
    settings: Settings, corpus: Path, fake_embedder: FakeEmbedder
) -> None:
    indexer = _indexer(settings, fake_embedder)
    indexer.run([corpus])
    (corpus / "note-05.md").write_text("---\nid: note-05\ntitle: [broken\n---\n")
    report = indexer.run([corpus])
    assert report.errors == 1 and report.kept == 1 and report.removed == 0
    assert "note-05.md:4: error: malformed front matter" in str(report.problems[0])
    assert "note-05" in _note_ids(indexer.store)
    write_note(corpus, "note-05", summary="Repaired.")
    report = indexer.run([corpus])
    assert (report.updated, report.errors, report.kept) == (1, 0, 0)


def test_bad_files_are_skipped_not_fatal(
    settings: Settings, corpus: Path, fake_embedder: FakeEmbedder
) -> None:
    (corpus / "binary.md").write_bytes(b"\x00\x01\x02")
    (corpus / "latin.md").write_bytes("---\nid: latin\ntitle: Caf\xe9?\n---\n".encode("latin-1"))
    write_note(corpus / "sub", "note-01", summary="A second note claiming the same id.")
    report = _indexer(settings, fake_embedder).run([corpus])
    assert report.added == 12 and report.errors == 3
    messages = "\n".join(str(p) for p in report.problems)
    assert "binary.md: error: binary file" in messages
    assert "latin.md:3: error: not valid UTF-8" in messages
    assert "duplicate id 'note-01'" in messages


def test_model_change_forces_a_rebuild(
    settings: Settings, corpus: Path, fake_embedder: FakeEmbedder
) -> None:
    _indexer(settings, fake_embedder).run([corpus])
    report = _indexer(settings, FakeEmbedder("another-model", 32)).run([corpus])
    assert report.rebuilt is not None and "embedding_model 'fake-bow' -> 'another-model'" in (
        report.rebuilt
    )
    assert report.added == 12
    spec = Store.open(settings).spec()
    assert spec is not None and (spec.embedding_model, spec.dimension) == ("another-model", 32)


def test_chunking_change_forces_a_rebuild(
    settings: Settings, corpus: Path, fake_embedder: FakeEmbedder
) -> None:
    _indexer(settings, fake_embedder).run([corpus])
    report = _indexer(settings, fake_embedder, chunk_words=50).run([corpus])
    assert report.rebuilt is not None and "chunk_words" in report.rebuilt


def test_long_bodies_are_chunked_with_the_claim_first(
    settings: Settings, tmp_path: Path, fake_embedder: FakeEmbedder
) -> None:
    root = tmp_path / "c"
    body = "\n\n".join(f"Paragraph {i} " + "word " * 70 for i in range(6))
    write_note(root, "long-note", summary="The claim.", body=body, related=["x", "y"])
    indexer = _indexer(settings, fake_embedder)
    indexer.run([root])
    texts = fake_embedder.calls[0]
    assert texts[0] == "What does long-note say?\nThe claim."
    assert len(texts) == 1 + 3  # six 72-word paragraphs packed two per 160-word window
    assert all(t.startswith("What does long-note say?\n") for t in texts)
    [version] = indexer.store.versions()["long-note"]
    assert version.complete and version.count == 4


def test_other_roots_are_left_alone(
    settings: Settings, tmp_path: Path, fake_embedder: FakeEmbedder
) -> None:
    first, second = tmp_path / "one", tmp_path / "two"
    write_note(first, "from-one")
    write_note(second, "from-two")
    indexer = _indexer(settings, fake_embedder)
    indexer.run([first])
    report = indexer.run([second])
    assert report.added == 1 and report.removed == 0
    assert _note_ids(indexer.store) == {"from-one", "from-two"}


def test_an_incomplete_version_is_repaired(
    settings: Settings, corpus: Path, fake_embedder: FakeEmbedder
) -> None:
    indexer = _indexer(settings, fake_embedder)
    indexer.run([corpus])
    [version] = indexer.store.versions()["note-02"]
    indexer.store.require().delete(ids=[version.chunk_ids()[-1]])  # as if half-written
    report = indexer.run([corpus])
    assert report.updated == 1
    [repaired] = indexer.store.versions()["note-02"]
    assert repaired.complete


def test_files_the_walk_skips_are_warned_about_and_leave_the_index(
    settings: Settings, corpus: Path, tmp_path: Path, fake_embedder: FakeEmbedder
) -> None:
    indexer = _indexer(settings, fake_embedder)
    indexer.run([corpus])
    outside = write_note(tmp_path / "elsewhere", "note-04", summary="Not this corpus's.")
    (corpus / "note-04.md").unlink()
    (corpus / "note-04.md").symlink_to(outside)  # now a link out of the corpus
    (corpus / "note-06.md").write_text("\n  \n")  # emptied, perhaps by a crashed editor
    report = indexer.run([corpus])
    assert report.errors == 0  # both are warnings
    messages = "\n".join(str(p) for p in report.problems)
    assert "note-04.md: warning: symlink to a file outside the corpus" in messages
    assert "note-06.md: warning: empty file (only whitespace); skipped" in messages
    assert (report.removed, report.kept) == (1, 1)
    assert "note-04" not in _note_ids(indexer.store)  # what it held is no note of ours now
    assert "note-06" in _note_ids(indexer.store)  # an emptied file keeps what was indexed


def test_a_long_paragraph_is_cut_into_windows_in_linear_time() -> None:
    from inquirer.chunking import chunk_note
    from inquirer.notes import parse_bytes

    note = parse_bytes("/c/long.md", note_text("long", body="word " * 190_000).encode())
    start = time.perf_counter()
    chunks = chunk_note(note, "0" * 16, 160)
    assert time.perf_counter() - start < 2  # a hang guard: it was quadratic in the words
    assert len(chunks) == 1 + 190_000 // 160 + 1
    assert all(len(c.text.split("\n", 1)[1].split()) <= 160 for c in chunks[1:])


def test_a_hostile_corpus_is_indexed_and_every_bad_file_named_each_run(
    settings: Settings, tmp_path: Path
) -> None:
    hostile = hostile_corpus(tmp_path)
    indexer = build_indexer(settings, FakeEmbedder())
    start = time.perf_counter()
    first = indexer.run([hostile.root])
    assert time.perf_counter() - start < 60  # a hang guard, not a benchmark
    assert first.added == len(hostile.good)
    assert _note_ids(indexer.store) == hostile.good
    reported = {Path(p.path).name: p.message for p in first.problems}
    assert set(reported) == set(hostile.bad)
    for name, message in hostile.bad.items():
        assert message in reported[name], name
    retriever = Retriever(
        indexer.store,
        indexer.embedder,
        chunk_words=settings.chunk_words,
        lexical=LexicalIndex(lexical_path(settings)),
    )
    for mode in MODES:
        hits = retriever.search("zymurgy fermentation", 3, SearchOptions(mode=mode))
        assert hits[0].note_id == "good-alpha", mode
    assert retriever.note_ids() == sorted(hostile.good)
    second = indexer.run([hostile.root])
    assert (second.added, second.updated, second.removed) == (0, 0, 0)
    assert second.unchanged == len(hostile.good)
    assert [str(p) for p in second.problems] == [str(p) for p in first.problems]
