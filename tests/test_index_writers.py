"""One writer at a time, and a lexical table that cannot stay out of step with the store:
the writer lock (index_lock.py) and the repair of rows two writers or a crash left behind."""

from __future__ import annotations

import os
import random
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import FakeEmbedder, write_note
from inquirer.config import Settings
from inquirer.errors import StoreError
from inquirer.index_lock import writing
from inquirer.lexical import LexicalIndex
from inquirer.services import build_indexer, lexical_path
from inquirer.store import Store

HOLD = """
import sys, time
from pathlib import Path
from inquirer.index_lock import writing
with writing(Path(sys.argv[1]), wait=0):
    print("held", flush=True)
    time.sleep(float(sys.argv[2]))
"""


def hold(lock: Path, seconds: float) -> subprocess.Popen[str]:
    """Another process holding the writer lock for ``seconds``."""
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(lock), str(seconds)], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == "held"
    return proc


WORDS = ("apple", "birch", "cedar", "delta")


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    root = tmp_path / "corpus"
    for i, word in enumerate(WORDS):
        write_note(root, f"note-{i}", summary=f"The {word} study measured calibration drift.")
    return root


def test_a_second_writer_waits_for_the_first_and_says_so(settings: Settings, corpus: Path) -> None:
    indexer = build_indexer(settings, FakeEmbedder())
    assert indexer.lock is not None
    holder = hold(indexer.lock, 1.5)
    heard: list[str] = []
    start = time.perf_counter()
    report = indexer.run([corpus], on_wait=heard.append)
    waited = time.perf_counter() - start
    holder.wait(timeout=30)
    assert report.added == 4
    assert waited >= 0.5  # it ran only once the other writer let go
    assert len(heard) == 1 and "another run is writing this index" in heard[0]


def test_a_writer_that_waits_too_long_gets_a_clear_error(settings: Settings, corpus: Path) -> None:
    indexer = build_indexer(settings.model_copy(update={"index_lock_wait": 0.3}), FakeEmbedder())
    assert indexer.lock is not None
    holder = hold(indexer.lock, 5)
    try:
        with pytest.raises(StoreError, match="still writing this index") as info:
            indexer.run([corpus])
        assert "index_lock_wait" in (info.value.hint or "")
    finally:
        holder.kill()
        holder.wait()
    assert indexer.run([corpus]).added == 4  # a killed holder leaves no lock behind


@pytest.mark.slow
@pytest.mark.parametrize("attempt", [1, 2])
def test_two_index_commands_at_once_on_a_new_home_build_each_note_once(
    tmp_path: Path, corpus: Path, attempt: int
) -> None:
    # the real command, twice at once on a fresh home: the second once crashed on "collection
    # already exists" (and, while opening the folder, on Chroma's half-made tables)
    for i in range(4, 20):
        write_note(corpus, f"note-{i}", summary=f"Claim number {i} about calibration.")
    home = tmp_path / "home"
    env = {k: v for k, v in os.environ.items() if not k.startswith("INQUIRER_")}
    runs = [
        subprocess.Popen(
            [sys.executable, "-m", "inquirer", "index", str(corpus)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env | {"INQUIRER_HOME": str(home)},
        )
        for _ in range(2)
    ]
    outs = [run.communicate(timeout=300) for run in runs]
    assert [run.returncode for run in runs] == [0, 0], [err[-2000:] for _, err in outs]
    said = " ".join(out + err for out, err in outs)
    assert "20 added" in said and "20 unchanged" in said
    lexical = LexicalIndex(home / "index" / "lexical-inquirer-notes.sqlite")
    assert lexical.count() == 20
    assert lexical._db.execute("SELECT count(*) FROM notes").fetchone()[0] == 20


def test_a_lock_that_cannot_be_made_is_a_clear_error(tmp_path: Path) -> None:
    blocked = tmp_path / "index"
    blocked.write_text("a file where the index folder should be")
    with (
        pytest.raises(StoreError, match="writer lock") as info,
        writing(blocked / "x.lock", wait=0),
    ):
        pass
    assert "writable" in (info.value.hint or "")


def test_a_duplicate_lexical_row_is_repaired_and_never_served(
    settings: Settings, corpus: Path
) -> None:
    indexer = build_indexer(settings, FakeEmbedder())
    indexer.run([corpus])
    store, lexical = Store.open(settings), LexicalIndex(lexical_path(settings))
    # what two writers once left: one version added twice, the card pointing at one row
    stored = {v.version: v for vs in store.versions().values() for v in vs}
    version = next(v for v in stored.values() if v.note_id == "note-1")
    note, key = store.fetch([version])[0]
    lexical.add([(note, key, version.count)])
    assert lexical._db.execute("SELECT count(*) FROM notes").fetchone()[0] == 5
    write_note(corpus, "note-1", summary="The birch study measured retrieval.")
    report = build_indexer(settings, FakeEmbedder()).run([corpus])
    assert report.updated == 1
    assert lexical._db.execute("SELECT count(*) FROM notes").fetchone()[0] == 4
    # only the new text is served: before the repair the orphan row answered "birch" too
    assert [h.summary for h in lexical.search("birch", 10)] == [
        "The birch study measured retrieval."
    ]


def test_a_card_without_its_text_row_is_added_again(settings: Settings, corpus: Path) -> None:
    build_indexer(settings, FakeEmbedder()).run([corpus])
    lexical = LexicalIndex(lexical_path(settings))
    with lexical._db:
        lexical._db.execute(
            "DELETE FROM notes WHERE rowid = (SELECT text_row FROM cards WHERE note_id = ?)",
            ("note-2",),
        )
    assert lexical.search("cedar", 10) == []
    report = build_indexer(settings, FakeEmbedder()).run([corpus])
    assert report.unchanged == 4  # nothing embedded again
    assert [h.note_id for h in lexical.search("cedar", 10)] == ["note-2"]


def test_a_read_only_index_is_searched_through_a_copy_and_left_untouched(
    settings: Settings, corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from inquirer import services

    build_indexer(settings, FakeEmbedder()).run([corpus])
    before = {p: p.read_bytes() for p in settings.index_dir.rglob("*") if p.is_file()}
    assert services.writable(settings.index_dir)
    # as on a read-only mount: Chroma and SQLite's WAL would write on opening
    monkeypatch.setattr(services, "writable", lambda folder: False)
    retriever = services.build_retriever(settings, FakeEmbedder())
    assert retriever.search("cedar", 2)[0].note_id == "note-2"
    assert retriever.lexical is not None
    assert not retriever.lexical.path.is_relative_to(settings.index_dir)
    after = {p: p.read_bytes() for p in settings.index_dir.rglob("*") if p.is_file()}
    assert after == before


@pytest.mark.parametrize("offset", [0.25, 0.5, 0.9])
def test_a_damaged_store_file_is_a_clear_error_not_a_traceback(
    settings: Settings, corpus: Path, offset: float
) -> None:
    from inquirer import services

    for i in range(4, 60):
        write_note(corpus, f"note-{i}", summary=f"Claim number {i} about calibration drift.")
    build_indexer(settings, FakeEmbedder()).run([corpus])
    store_file = settings.index_dir / "chroma.sqlite3"
    data = bytearray(store_file.read_bytes())
    start = int(len(data) * offset)
    data[start : start + 40_000] = random.Random(7).randbytes(min(40_000, len(data) - start))
    store_file.write_bytes(bytes(data))
    write_note(corpus, "note-1", summary="The birch study measured retrieval.")
    for act in (
        lambda: services.build_retriever(settings, FakeEmbedder()).search("birch", 3),
        lambda: build_indexer(settings, FakeEmbedder()).run([corpus]),
    ):
        try:
            act()
        except StoreError as exc:
            assert str(settings.index_dir) in exc.message
            assert exc.hint


def test_a_search_of_an_index_that_holds_no_notes_says_so(settings: Settings) -> None:
    from inquirer import services
    from inquirer.store_schema import IndexSpec

    # what a search sees while a first build has made its collection but written nothing yet
    Store.open(settings).create(IndexSpec("fake-bow", 64, settings.chunk_words))
    with pytest.raises(StoreError, match="holds no notes yet") as info:
        services.build_retriever(settings, FakeEmbedder()).search("calibration", 3)
    assert "inquirer index" in (info.value.hint or "")


def test_a_year_sqlite_cannot_hold_from_an_older_store_is_dropped_not_fatal(
    settings: Settings,
) -> None:
    from inquirer.types import Note, Source

    lexical = LexicalIndex(lexical_path(settings))
    note = Note("huge", "Huge?", "A claim.", "", "huge.md", "f", source=Source("", year=10**23))
    lexical.add([(note, "v1", 1)])  # once an OverflowError that every later run hit again
    assert lexical.cards(["huge"])["huge"].year is None
