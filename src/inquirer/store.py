"""The vector store: the only module that imports chromadb (what it keeps for each chunk, and
the spec of its vectors, are store_schema.py's).

Each note is stored as its chunks, named as chunking.py says, so the ids alone tell which
complete versions of which notes the store holds. A note's chunks are always written
in one upsert, together with other whole notes, so an interrupted index never leaves half a note;
a new version is written before the old one is deleted, so search always sees a whole version.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Concatenate, ParamSpec, TypeVar

from filelock import FileLock

from .chunking import parse_chunk_id
from .errors import StoreError
from .store_schema import (
    IndexSpec,
    StoredVersion,
    chunk_metadata,
    list_field,
    where_clause,
)
from .types import Chunk, Filters, Note, Source

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    from .config import Settings

log = logging.getLogger(__name__)
P = ParamSpec("P")
R = TypeVar("R")

OPEN_LOCK = "open.lock"  # held while a process opens the folder (see _persistent)
GET_BATCH = 2000  # ids per get: SQLite caps the variables of one query


def _persistent(chromadb: Any, path: Path, chroma_settings: Any) -> Any:
    """An embedded client on ``path``, opened by one process at a time. Two runs that open a new
    folder at once race to make Chroma's tables: the loser failed ("table collections already
    exists", then a half-made client). Where no lock file can be made (a read-only folder), the
    folder is opened as it is: nothing there can be creating it."""
    try:
        lock: Any = FileLock(path / OPEN_LOCK, timeout=120)
        lock.acquire()
    except OSError:
        lock = None
    try:
        return chromadb.PersistentClient(path=str(path), settings=chroma_settings)
    finally:
        if lock is not None:
            lock.release()


def _client(settings: Settings) -> Any:
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    try:
        if settings.store_mode == "server":
            return chromadb.HttpClient(
                host=settings.server_host, port=settings.server_port, settings=chroma_settings
            )
        path = settings.index_dir
        path.mkdir(parents=True, exist_ok=True)
        return _persistent(chromadb, path, chroma_settings)
    except Exception as exc:
        where = (
            f"Chroma server at {settings.server_host}:{settings.server_port}"
            if settings.store_mode == "server"
            else f"the index at {settings.index_dir}"
        )
        hint = (
            "start one with 'chroma run --path DIR' or set store_mode = \"embedded\""
            if settings.store_mode == "server"
            else "check the folder is writable, or remove it and run 'inquirer index' again"
        )
        raise StoreError(f"cannot open {where}: {exc}", hint=hint) from exc


def _told(method: Callable[Concatenate[Store, P], R]) -> Callable[Concatenate[Store, P], R]:
    """A Chroma failure inside ``method`` as a StoreError that names the index and the fix.
    A damaged chroma.sqlite3 opens, then fails on a query or an upsert deep in Chroma."""

    def told(self: Store, /, *args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return method(self, *args, **kwargs)
        except StoreError:
            raise
        except Exception as exc:
            raise StoreError(
                f"the index at {self.description} failed: {type(exc).__name__}: {exc}",
                hint=self.damage_hint,
            ) from exc

    told.__name__, told.__doc__ = method.__name__, method.__doc__
    return told


class Store:
    """A Chroma collection of note chunks, with the IndexSpec it was built with."""

    def __init__(self, client: Any, name: str, description: str, damage_hint: str = "") -> None:
        self._client = client
        self._name = name
        self.description = description
        self.damage_hint = damage_hint or "run 'inquirer index --rebuild'"
        self._collection: Any = None

    @classmethod
    def open(cls, settings: Settings) -> Store:
        if settings.store_mode == "server":
            where = f"chroma server {settings.server_host}:{settings.server_port}"
            hint = "check the server's log; 'inquirer index --rebuild' builds it again"
        else:
            where = str(settings.index_dir)
            hint = (
                f"its files may be damaged: remove the folder {settings.index_dir} and run "
                "'inquirer index', which builds it again from the notes"
            )
        return cls(_client(settings), settings.collection, where, hint)

    # -- the collection and its spec -------------------------------------------------------

    def _existing(self) -> Any:
        if self._collection is None:
            try:
                names = {getattr(c, "name", c) for c in self._client.list_collections()}
                if self._name in names:
                    self._collection = self._client.get_collection(self._name)
            except Exception as exc:
                raise StoreError(f"cannot read the index at {self.description}: {exc}") from exc
        return self._collection

    @_told
    def spec(self) -> IndexSpec | None:
        """The spec the index was built with, or None when there is no index yet."""
        collection = self._existing()
        return None if collection is None else IndexSpec.from_metadata(collection.metadata)

    @_told
    def create(self, spec: IndexSpec, *, replace: bool = False) -> None:
        """Create the collection for ``spec``; with ``replace``, drop what was there first."""
        if replace and self._existing() is not None:
            self._client.delete_collection(self._name)
            self._collection = None
        self._collection = self._client.create_collection(
            self._name,
            metadata=spec.as_metadata(),
            configuration={"hnsw": {"space": "cosine"}},
            embedding_function=None,
        )

    def require(self, spec: IndexSpec | None = None) -> Any:
        """The collection, checked against ``spec`` (for reading): a clear error otherwise."""
        collection = self._existing()
        if collection is None:
            raise StoreError(
                f"no index yet at {self.description}",
                hint="run 'inquirer index' first (if one is running, search when it finishes)",
            )
        stored = IndexSpec.from_metadata(collection.metadata)
        if stored is None:
            raise StoreError(
                f"the index at {self.description} was not built by inquirer",
                hint="run 'inquirer index --rebuild'",
            )
        if spec is not None and spec.differences(stored):
            raise StoreError(
                f"the index was built with {stored.embedding_model} "
                f"(schema {stored.schema}), not the current settings: "
                + "; ".join(spec.differences(stored)),
                hint="run 'inquirer index' to rebuild it with the current settings",
            )
        return collection

    # -- reading ----------------------------------------------------------------------------

    @_told
    def versions(self) -> dict[str, list[StoredVersion]]:
        """Every stored note version, from the chunk ids alone (no metadata is read)."""
        collection = self.require()
        ids: list[str] = collection.get(include=[])["ids"]
        found: dict[tuple[str, str, int], set[int]] = {}
        for raw in ids:
            parsed = parse_chunk_id(raw)
            if parsed is None:
                log.warning("ignoring a chunk with a foreign id: %s", raw)
                continue
            key = (parsed.note_id, parsed.version, parsed.count)
            found.setdefault(key, set()).add(parsed.index)
        out: dict[str, list[StoredVersion]] = {}
        for (note_id, version, count), present in found.items():
            out.setdefault(note_id, []).append(
                StoredVersion(note_id, version, count, frozenset(present))
            )
        return out

    @_told
    def paths(self, versions: Iterable[StoredVersion]) -> dict[str, str]:
        """The file path each version was indexed from, keyed by version."""
        first = {v.version: v.chunk_ids()[0] for v in versions if v.present}
        if not first:
            return {}
        got = self._get(list(first.values()), ["metadatas"])
        return {str(m["version"]): str(m["path"]) for m in got["metadatas"] if m and "version" in m}

    def _get(self, ids: Sequence[str], include: list[Any]) -> dict[str, list[Any]]:
        """``get`` by ids in slices: one call with tens of thousands of ids exceeds SQLite's
        limit on query variables."""
        out: dict[str, list[Any]] = {"ids": [], **{key: [] for key in include}}
        for start in range(0, len(ids), GET_BATCH):
            got = self.require().get(ids=list(ids[start : start + GET_BATCH]), include=include)
            out["ids"] += got["ids"]
            for key in include:
                out[key] += got[key] or []
        return out

    @_told
    def fetch(self, versions: Sequence[StoredVersion]) -> list[tuple[Note, str]]:
        """Rebuild (note, version) from what the store holds: claim, tags, and the body's text."""
        ids = [cid for v in versions for cid in v.chunk_ids()]
        if not ids:
            return []
        got = self._get(ids, ["documents", "metadatas"])
        parts: dict[str, dict[int, tuple[str, dict[str, Any]]]] = {}
        for doc, meta in zip(got["documents"], got["metadatas"], strict=True):
            parts.setdefault(str(meta["version"]), {})[int(meta["chunk_index"])] = (doc, meta)
        out = []
        for version, chunks in parts.items():
            meta = chunks[0][1] if 0 in chunks else next(iter(chunks.values()))[1]
            body = "\n\n".join(chunks[i][0].split("\n", 1)[-1] for i in sorted(chunks) if i > 0)
            note = Note(
                id=str(meta["note_id"]),
                title=str(meta["title"]),
                summary=str(meta["summary"]),
                body=body,
                path=str(meta["path"]),
                fingerprint=str(meta["fingerprint"]),
                tags=list_field(meta, "tags"),
                related=list_field(meta, "links"),
                source=Source(title="", year=int(meta["year"])) if "year" in meta else None,
            )
            out.append((note, version))
        return out

    @_told
    def count(self) -> int:
        return int(self.require().count())

    @_told
    def query(
        self, vector: Sequence[float], k: int, *, filters: Filters | None = None
    ) -> list[tuple[str, float, int]]:
        """The ``k`` nearest notes to a query vector as (note id, cosine, best chunk index).

        Chunk hits are collapsed to notes from their ids alone: reading metadata for every
        candidate chunk costs several times the vector search, so details are read later,
        for the few notes that are shown (the cards in lexical.py).
        """
        got = self.require().query(
            query_embeddings=[[float(x) for x in vector]],
            n_results=max(k * 4, k + 10),  # fewer come back from a smaller collection
            where=where_clause(filters),
            include=["distances"],
        )
        best: dict[str, tuple[str, float, int]] = {}
        for raw, distance in zip(got["ids"][0], got["distances"][0], strict=True):
            parsed = parse_chunk_id(raw)
            if parsed is None:
                continue
            score = 1.0 - float(distance)
            previous = best.get(parsed.note_id)
            if previous is None or previous[1] < score:
                best[parsed.note_id] = (parsed.note_id, score, parsed.index)
        return sorted(best.values(), key=lambda item: -item[1])[:k]

    @_told
    def vectors(self, chunk_ids: Sequence[str]) -> dict[str, tuple[float, ...]]:
        """The stored vectors of the given chunks (ids the store does not hold are left out)."""
        if not chunk_ids:
            return {}
        got = self.require().get(ids=list(chunk_ids), include=["embeddings"])
        return {
            str(i): tuple(float(x) for x in v)
            for i, v in zip(got["ids"], got["embeddings"], strict=True)
        }

    # -- writing ----------------------------------------------------------------------------

    @_told
    def write(
        self,
        items: Sequence[tuple[Note, str, Sequence[Chunk]]],
        vectors: npt.NDArray[np.float32],
    ) -> None:
        """Upsert whole notes (note, version, chunks) in one call; vectors in chunk order."""
        ids: list[str] = []
        documents: list[str] = []
        metadatas: list[dict[str, Any]] = []
        for note, version, chunks in items:
            for chunk in chunks:
                ids.append(chunk.id)
                documents.append(chunk.text)
                metadatas.append(chunk_metadata(note, version, chunk, len(chunks)))
        if len(ids) != len(vectors):
            raise StoreError(f"{len(ids)} chunks but {len(vectors)} vectors")
        if ids:
            self.require().upsert(
                ids=ids, embeddings=vectors, documents=documents, metadatas=metadatas
            )

    @_told
    def delete(self, versions: Iterable[StoredVersion]) -> None:
        ids = [cid for v in versions for cid in v.chunk_ids()]
        if ids:
            self.require().delete(ids=ids)
