"""Walk a corpus, diff it against the store by content, embed what changed, drop what went.

Unchanged files are recognised by the hash of their path and bytes alone, so a no-change run
reads and hashes files but parses none. New versions are written (whole notes per upsert)
before stale ones are deleted, so an interrupt at any point leaves a store that serves whole
notes and that the next run completes. A file that fails to parse keeps its previously
indexed version: bad input never costs the user what was already indexed.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .chunking import chunk_note, note_version
from .corpus import Problem, duplicate_problem, note_files, parse_file, read_file
from .embeddings import Embedder
from .errors import StoreError
from .index_lock import OnWait, writing
from .lexical import LexicalIndex
from .store import Store
from .store_schema import SCHEMA_VERSION, IndexSpec, StoredVersion
from .types import Chunk, Note

log = logging.getLogger(__name__)

ProgressFn = Callable[[int, int], None]


@dataclass
class IndexReport:
    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    kept: int = 0
    problems: list[Problem] = field(default_factory=list)
    rebuilt: str | None = None
    seconds: float = 0.0
    chunks_written: int = 0

    @property
    def errors(self) -> int:
        """Problems that are errors; warnings (an empty file, a link not followed) are not."""
        return sum(1 for p in self.problems if p.severity == "error")


@dataclass
class _Plan:
    """What a scan found: notes to write, versions to keep, problems met."""

    to_write: list[tuple[Note, str]] = field(default_factory=list)
    keep: set[str] = field(default_factory=set)
    bad_paths: set[str] = field(default_factory=set)
    seen_ids: dict[str, str] = field(default_factory=dict)


def _scan(
    roots: Sequence[Path],
    complete: dict[str, StoredVersion],
    max_bytes: int,
    report: IndexReport,
    *,
    follow_outside_links: bool = False,
) -> _Plan:
    """Read every note file; parse those the store does not hold as they are now. What the
    walk skipped (links it may not follow, FIFOs) is reported and, unlike a file that fails
    to parse, keeps nothing indexed from before: it is no note of this corpus now."""
    plan = _Plan()
    changed: list[tuple[str, bytes, str]] = []
    files = note_files(roots, follow_outside_links=follow_outside_links)
    report.problems.extend(files.skipped)
    for path in files.paths:
        name = str(path)
        data = read_file(path, max_bytes)
        if isinstance(data, Problem):
            report.problems.append(data)
            plan.bad_paths.add(name)
            continue
        version = note_version(name, data)
        stored = complete.get(version)
        if stored is not None:
            plan.keep.add(version)
            plan.seen_ids[stored.note_id] = name
            report.unchanged += 1
        else:
            changed.append((name, data, version))
    for name, data, version in changed:
        parsed = parse_file(name, data, max_bytes)
        if not isinstance(parsed, Problem) and parsed[0].id in plan.seen_ids:
            parsed = duplicate_problem(parsed[0], plan.seen_ids[parsed[0].id])
        if isinstance(parsed, Problem):
            report.problems.append(parsed)
            plan.bad_paths.add(name)
            continue
        note = parsed[0]
        plan.seen_ids[note.id] = name
        plan.to_write.append((note, version))
    return plan


def _groups(
    items: Sequence[tuple[Note, str]], chunk_words: int, write_chunks: int
) -> Iterator[list[tuple[Note, str, list[Chunk]]]]:
    group: list[tuple[Note, str, list[Chunk]]] = []
    size = 0
    for note, version in items:
        chunks = chunk_note(note, version, chunk_words)
        group.append((note, version, chunks))
        size += len(chunks)
        if size >= write_chunks:
            yield group
            group, size = [], 0
    if group:
        yield group


def _under(path: str, roots: Sequence[Path]) -> bool:
    candidate = Path(path)
    return any(candidate == root or root in candidate.parents for root in roots)


class Indexer:
    """Brings a store in step with the notes under some roots."""

    def __init__(
        self,
        store: Store,
        embedder: Embedder,
        *,
        chunk_words: int,
        write_chunks: int,
        max_bytes: int,
        lexical: LexicalIndex | None = None,
        lock: Path | None = None,
        lock_wait: float = 600.0,
        follow_outside_links: bool = False,
    ) -> None:
        self.store = store
        self.lock = lock  # the writer lock (index_lock.py); None only in unit tests
        self.lock_wait = lock_wait
        self.lexical = lexical
        self.embedder = embedder
        self.chunk_words = chunk_words
        self.write_chunks = write_chunks
        self.max_bytes = max_bytes
        self.follow_outside_links = follow_outside_links

    def spec(self) -> IndexSpec:
        return IndexSpec(self.embedder.model_id, self.embedder.dimension, self.chunk_words)

    def _prepare(self, rebuild: bool, report: IndexReport) -> IndexSpec:
        """Make sure the collection matches the settings; rebuild it (and say why) if not.

        When the model and chunking are unchanged the model is not loaded here, so a run with
        nothing to embed never pays for loading it.
        """
        stored = self.store.spec()
        same = stored is not None and (
            (stored.embedding_model, stored.chunk_words, stored.schema)
            == (self.embedder.model_id, self.chunk_words, SCHEMA_VERSION)
        )
        if stored is not None and same and not rebuild:
            return stored
        spec = self.spec()
        if stored is None:
            self.store.create(spec)
        else:
            report.rebuilt = (
                "asked for with --rebuild"
                if rebuild
                else "settings changed: " + "; ".join(spec.differences(stored))
            )
            log.warning("rebuilding the index: %s", report.rebuilt)
            self.store.create(spec, replace=True)
        return spec

    def run(
        self,
        roots: Sequence[Path],
        *,
        rebuild: bool = False,
        on_progress: ProgressFn | None = None,
        on_wait: OnWait | None = None,
    ) -> IndexReport:
        """Bring the store in step with ``roots``, holding the writer lock throughout;
        ``on_wait`` hears when another run holds it."""
        locked = (
            writing(self.lock, wait=self.lock_wait, on_wait=on_wait)
            if self.lock is not None
            else nullcontext()
        )
        with locked:
            return self._run(roots, rebuild, on_progress)

    def _run(
        self, roots: Sequence[Path], rebuild: bool, on_progress: ProgressFn | None
    ) -> IndexReport:
        start = time.perf_counter()
        report = IndexReport()
        spec = self._prepare(rebuild, report)
        stored = self.store.versions()
        complete = {v.version: v for vs in stored.values() for v in vs if v.complete}
        self._reconcile_lexical(complete, rebuilt=report.rebuilt is not None)
        plan = _scan(
            roots,
            complete,
            self.max_bytes,
            report,
            follow_outside_links=self.follow_outside_links,
        )
        existing = set(stored)
        total = len(plan.to_write)
        if on_progress:
            on_progress(0, total)
        if plan.to_write and self.embedder.dimension != spec.dimension:
            raise StoreError(
                f"'{self.embedder.model_id}' now gives {self.embedder.dimension}-dimensional "
                f"vectors but the index holds {spec.dimension}-dimensional ones",
                hint="run 'inquirer index --rebuild'",
            )
        self._write(plan.to_write, total, on_progress, report)
        for note, _ in plan.to_write:
            if note.id in existing:
                report.updated += 1
            else:
                report.added += 1
        self._remove_stale(stored, plan, roots, report)
        report.seconds = time.perf_counter() - start
        return report

    def _write(
        self,
        items: Sequence[tuple[Note, str]],
        total: int,
        on_progress: ProgressFn | None,
        report: IndexReport,
    ) -> None:
        """Embed group n+1 while group n is written to the store."""
        done = 0
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="store-writer") as writer:
            pending: Future[None] | None = None
            for group in _groups(items, self.chunk_words, self.write_chunks):
                vectors = self.embedder.embed([c.text for _, _, cs in group for c in cs])
                if pending is not None:
                    pending.result()
                pending = writer.submit(self._commit, group, vectors)
                report.chunks_written += len(vectors)
                done += len(group)
                log.info("embedded %d/%d notes; writing %d chunks", done, total, len(vectors))
                if on_progress:
                    on_progress(done, total)
            if pending is not None:
                pending.result()

    def _commit(self, group: Sequence[tuple[Note, str, Sequence[Chunk]]], vectors: Any) -> None:
        """Vectors first, then the lexical rows: a crash between leaves what reconcile mends."""
        self.store.write(group, vectors)
        if self.lexical is not None:
            self.lexical.add((note, version, len(chunks)) for note, version, chunks in group)

    def _reconcile_lexical(self, complete: dict[str, StoredVersion], *, rebuilt: bool) -> None:
        if self.lexical is not None:
            reconcile_lexical(self.store, self.lexical, complete, clear=rebuilt)

    def _remove_stale(
        self,
        stored: dict[str, list[StoredVersion]],
        plan: _Plan,
        roots: Sequence[Path],
        report: IndexReport,
    ) -> None:
        written = {version for _, version in plan.to_write}
        candidates = [
            v
            for versions in stored.values()
            for v in versions
            if v.version not in plan.keep and v.version not in written
        ]
        paths = self.store.paths(candidates)
        stale: list[StoredVersion] = []
        for version in candidates:
            path = paths.get(version.version)
            if not version.complete:
                stale.append(version)
            elif path in plan.bad_paths:
                report.kept += 1  # the file is broken now: keep what was indexed from it
            elif path is not None and not _under(path, roots):
                continue  # indexed from another corpus root: not ours to remove
            else:
                stale.append(version)
        self.store.delete(stale)
        if self.lexical is not None:
            self.lexical.delete(v.version for v in stale)
        current = {note.id for note, _ in plan.to_write} | set(plan.seen_ids)
        report.removed = len({v.note_id for v in stale if v.complete and v.note_id not in current})


def reconcile_lexical(
    store: Store,
    lexical: LexicalIndex,
    complete: dict[str, StoredVersion] | None = None,
    *,
    clear: bool = False,
) -> int:
    """Bring the lexical index in step with the store's whole versions (after a crash, an
    upgrade, a rebuild, or on a machine that shares a Chroma server), embedding nothing.
    Returns how many note versions were added."""
    if complete is None:
        complete = {v.version: v for vs in store.versions().values() for v in vs if v.complete}
    if clear:
        lexical.clear()
    elif removed := lexical.repair():
        log.warning("removed %d lexical rows that disagreed with the store", removed)
    present = lexical.versions()
    extra = present - set(complete)
    missing = [v for key, v in complete.items() if key not in present]
    if extra:
        lexical.delete(extra)
    if missing:
        log.info("adding %d note versions to the lexical index", len(missing))
        counts = {v.version: v.count for v in missing}
        lexical.add((note, version, counts[version]) for note, version in store.fetch(missing))
    return len(missing)
