"""One writer at a time: the lock every run that writes an index holds.

`index`, the TUI's /index and batch write-back all write through Indexer.run, which holds this
lock from its first look at the store to its last delete. Two writers at once once left a
duplicate BM25 row that served superseded text, and two first builds raced to create the same
collection. The lock is an OS file lock (fcntl / LockFileEx through filelock): the kernel
releases it when its holder dies, so a killed run never leaves the index locked. Readers take no
lock: the store always holds whole note versions (store.py), so a search sees the last
consistent state.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

from .errors import StoreError

OnWait = Callable[[str], None]


@contextmanager
def writing(path: Path, *, wait: float, on_wait: OnWait | None = None) -> Iterator[None]:
    """Hold the index's writer lock at ``path``; when another run holds it, say so through
    ``on_wait`` and wait up to ``wait`` seconds for it (0: do not wait)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        lock = FileLock(path)
        try:
            lock.acquire(timeout=0)
        except Timeout:
            if on_wait is not None and wait > 0:
                on_wait(
                    f"another run is writing this index; waiting up to {wait:.0f} s for it "
                    f"to finish (lock {path})"
                )
            lock.acquire(timeout=wait)
    except Timeout:
        raise StoreError(
            f"another run is still writing this index after {wait:.0f} s (lock {path})",
            hint="let that run finish, or stop it, then run this again "
            "(index_lock_wait sets how long to wait)",
        ) from None
    except OSError as exc:
        raise StoreError(
            f"cannot take the index's writer lock {path}: {exc.strerror or exc}",
            hint="indexing needs a writable INQUIRER_HOME; searching does not",
        ) from exc
    try:
        yield
    finally:
        lock.release()
