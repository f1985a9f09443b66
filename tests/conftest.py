"""Shared fixtures: note writers, isolated settings, a fake embedder for logic tests and the
real bundled embedding model for end-to-end tests."""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
import textwrap
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest

from inquirer.config import Settings, load_settings

REPO = Path(__file__).resolve().parents[1]


def note_text(
    note_id: str,
    *,
    title: str | None = None,
    summary: str = "A claim stated in one sentence.",
    body: str | None = None,
    related: Sequence[str] = (),
    tags: Sequence[str] = ("testing",),
) -> str:
    body = body if body is not None else f"Body of {note_id}. " + "Words fill the body. " * 30
    return (
        "---\n"
        f"id: {note_id}\n"
        f"title: {json.dumps(title or 'What does ' + note_id + ' say?')}\n"
        f"summary: {json.dumps(summary)}\n"
        f"tags: [{', '.join(tags)}]\n"
        "source:\n"
        "  title: A Paper\n"
        "  authors: A. Author\n"
        "  year: 2024\n"
        "  url: https://example.org/paper\n"
        f"related: [{', '.join(related)}]\n"
        "---\n"
        f"{textwrap.dedent(body).strip()}\n"
    )


def write_note(folder: Path, note_id: str, **kwargs: Any) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{note_id}.md"
    path.write_text(note_text(note_id, **kwargs), encoding="utf-8")
    return path


ALIAS_BOMB = "\n".join(
    [
        "---",
        "id: alias-bomb",
        'a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]',
        *(
            f"{name}: &{name} [{', '.join([f'*{prev}'] * 9)}]"
            for prev, name in zip("abcdefgh", "bcdefghi", strict=True)
        ),
        "title: *i",  # 9**9 strings, some 21 GB once made text
        "---",
        "body",
    ]
)


@dataclass(frozen=True)
class Hostile:
    """A corpus built to break a reader: which notes must load, and which files must be
    reported (by file name, with a piece of the message each must get)."""

    root: Path
    good: frozenset[str]
    bad: dict[str, str]


def hostile_corpus(tmp_path: Path) -> Hostile:
    """Good notes mixed with every hostile file a corpus probe found: a FIFO, a YAML alias
    bomb, a 999,000-character line of '[', a heading padded with 10,000 spaces, a year past
    SQLite's integers, symlinks out of the corpus (to a file, to /etc/passwd, to a folder),
    a UTF-16 note, empty and blank files, an id with a newline and an id that is ``false``."""
    root, outside = tmp_path / "hostile", tmp_path / "outside"
    write_note(root, "good-alpha", summary="Zymurgy is the study of fermentation.")
    write_note(root, "good-beta", related=["good-alpha"])
    write_note(root / "sub", "good-gamma", related=["good-alpha", "good-beta"])
    brackets = write_note(root, "brackets", body="[" * 999_000)  # quadratic for link patterns
    assert brackets.stat().st_size < 1_000_000  # under max_note_bytes: it must be parsed
    (root / "padded-heading.md").write_text("# x" + " " * 10_000 + "y\nbody\n")  # was cubic
    (root / "wide.md").write_bytes(note_text("wide").encode("utf-16"))
    bad = {
        "alias-bomb.md": "YAML anchor '&a'",
        "huge-year.md": "'source.year' is 99999999999999999999999, not a year from 1000",
        "secret.md": "symlink to a file outside the corpus",
        "etc-passwd.md": "symlink to a file outside the corpus",
        "linked-folder": "symlink to a folder outside the corpus",
        "empty.md": "empty file; skipped",
        "blank.md": "empty file (only whitespace); skipped",
        "newline-id.md": "'id' contains the control character U+000A",
        "false-id.md": "'id' must be text, not false",
    }
    (root / "alias-bomb.md").write_text(ALIAS_BOMB)
    year = note_text("huge-year").replace("year: 2024", "year: 99999999999999999999999")
    (root / "huge-year.md").write_text(year)
    write_note(outside, "secret", summary="Outside the corpus: never to be read.")
    (root / "secret.md").symlink_to(outside / "secret.md")
    (root / "etc-passwd.md").symlink_to("/etc/passwd")
    write_note(outside / "folder", "in-folder")
    (root / "linked-folder").symlink_to(outside / "folder")
    (root / "empty.md").write_bytes(b"")
    (root / "blank.md").write_text("  \n\t\n\n")
    (root / "newline-id.md").write_text(note_text("x").replace("id: x", 'id: "bad\\nid"'))
    (root / "false-id.md").write_text(note_text("x").replace("id: x", "id: false"))
    if hasattr(os, "mkfifo"):
        os.mkfifo(root / "pipe.md")  # reading it would wait for a writer forever
        bad["pipe.md"] = "not a regular file (a FIFO); skipped"
    good = {"good-alpha", "good-beta", "good-gamma", "brackets", "padded-heading", "wide"}
    return Hostile(root, frozenset(good), bad)


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An isolated INQUIRER_HOME; no INQUIRER_* variable leaks in from the caller."""
    for key in list(os.environ):
        if key.startswith("INQUIRER_"):
            monkeypatch.delenv(key)
    path = tmp_path / "home"
    monkeypatch.setenv("INQUIRER_HOME", str(path))
    return path


@pytest.fixture
def settings(home: Path) -> Settings:
    return load_settings().settings


class FakeEmbedder:
    """Deterministic bag-of-words vectors: fast, for unit tests of indexing logic only."""

    def __init__(self, model_id: str = "fake-bow", dimension: int = 64) -> None:
        self._model_id = model_id
        self._dimension = dimension
        self.calls: list[list[str]] = []
        self.dimension_reads = 0  # a real model must load to answer this

    @property
    def model_id(self) -> str:
        return self._model_id

    @property
    def dimension(self) -> int:
        self.dimension_reads += 1
        return self._dimension

    def embed(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        self.calls.append(list(texts))
        out = np.zeros((len(texts), self._dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in re.findall(r"\w+", text.lower()):
                digest = hashlib.blake2b(word.encode(), digest_size=4).digest()
                out[row, int.from_bytes(digest, "little") % self._dimension] += 1.0
            norm = float(np.linalg.norm(out[row])) or 1.0
            out[row] /= norm
        return out


@pytest.fixture
def fake_embedder() -> FakeEmbedder:
    return FakeEmbedder()


@pytest.fixture(scope="session")
def real_embedder() -> Iterator[Any]:
    """The bundled all-MiniLM-L6-v2, loaded once per test session."""
    from inquirer.embeddings import SentenceTransformerEmbedder

    yield SentenceTransformerEmbedder("all-MiniLM-L6-v2")


WORDS = [
    "alpha",
    "beta",
    "gamma",
    "delta",
    "epsilon",
    "zeta",
    "eta",
    "theta",
    "iota",
    "kappa",
    "lambda",
    "mu",
    "nu",
    "xi",
]


# paragraphs open apart and make points of their own, as the reading pass asks
CLAIMS = (
    "Evidence from tuned models points one way on this.",
    "Work on small models limits how far the effect reaches.",
    "Measurement under shift shows a gap in accuracy.",
    "Experience with deployed systems suggests tuning matters more.",
    "Testing across sizes found no change in the effect.",
    "Surveys of practitioners doubt the effect holds at scale.",
    "Replication in other labs narrowed that gap somewhat.",
)


class FakeLLM:
    """A model for unit tests of logic: each structured call takes the next reply queued for
    its schema (by class name), or the schema's default reply; every call is kept in
    ``history`` as (schema name, messages). Replies are validated like the real thing."""

    model = "fake/model"

    def __init__(self, replies: dict[str, list[dict[str, Any]]] | None = None) -> None:
        from inquirer.llm import Usage

        self.replies = {name: list(queue) for name, queue in (replies or {}).items()}
        self.history: list[tuple[str, list[dict[str, str]]]] = []
        self.schemas: list[Any] = []  # the schema of each call, in order
        self.usage = Usage()
        self.paragraphs = 0

    def default(self, name: str, schema: Any, messages: Any) -> dict[str, Any]:
        if name == "Plan":
            return {"queries": []}
        if name == "Judgement":
            return {"verdict": "yes", "reason": "It bears on the question."}
        if name == "FramingOut":
            return {"text": "what the question asks and why it is contested."}
        if name == "RestatedOut":
            claim = CLAIMS[self.paragraphs % len(CLAIMS)]
            self.paragraphs += 1
            said = re.search(r" says: (.*)$", messages[-1]["content"], re.M)
            if said:  # the note's claim in its own words, never 8 in a row: faithful, reworded
                words = said.group(1).rstrip(".").split()
                runs = [" ".join(words[k : k + 7]) for k in range(0, len(words), 7)]
                claim = " and ".join(runs) + "."
                claim = claim[0].upper() + claim[1:]
            if schema.model_json_schema()["properties"]["text"].get("pattern"):  # an opener
                return {"text": f"In short, {claim[0].lower()}{claim[1:]}"}
            return {"text": claim}
        if name == "InsightOut":  # a word of each finding it is given, joined
            task = messages[-1]["content"]
            found = re.findall(r"^[AB]: (.*)$", task, re.M)
            if len(found) < 2:
                return {
                    "text": "Tuned, small and deployed systems all show the effect under shift."
                }
            a, b = (next(w for w in re.findall(r"[A-Za-z]+", f) if len(w) > 4) for f in found)
            return {"text": f"{a.capitalize()} and {b.lower()} point the same way on this effect."}
        if name == "NextOut":  # the opener asked for, then the finding's first words
            task = messages[-1]["content"]
            opener = re.search(r'Open with "([^"]+)"', task)
            finding = re.search(r"^Finding: (.*)$", task, re.M)
            found = re.findall(r"[a-z][a-z-]+", finding.group(1).lower()) if finding else []
            start = opener.group(1) if opener else "Why does"
            return {"question": f"{start} {' '.join(found[:9])}?"}
        if name == "ClaimVerdict":
            return {"supported": True}
        if name == "RevisedOut":
            return {"text": "", "cites": []}
        raise AssertionError(f"no default reply for {name}")

    def structured(
        self,
        messages: Any,
        schema: Any,
        *,
        max_tokens: int,
        on_partial: Any = None,
        logprobs: int = 0,
        sample: int = 0,
    ) -> Any:
        from inquirer.llm import Completion

        name = schema.__name__
        self.history.append((name, list(messages)))
        self.schemas.append(schema)
        queue = self.replies.get(name)
        reply = queue.pop(0) if queue else self.default(name, schema, messages)
        if on_partial is not None:  # stream it in three pieces, as a model would in many
            text = json.dumps(reply)
            for end in (len(text) // 3, 2 * len(text) // 3, len(text)):
                on_partial(text[:end])
        self.usage.add(10, 10, 0.001)
        return schema.model_validate(reply), Completion(json.dumps(reply), 10, 10, 0.001)

    def complete(self, messages: Any, *, max_tokens: int) -> Any:
        raise AssertionError("inquirer drives the model with structured calls")

    def stream(self, messages: Any, *, max_tokens: int, on_text: Any) -> Any:
        raise AssertionError("inquirer drives the model with structured calls")


def fake_retriever(settings: Settings, root: Path) -> Any:
    """Index ``root`` with the fake embedder into a real store and note table; its retriever."""
    from inquirer.lexical import LexicalIndex
    from inquirer.retrieval import Retriever
    from inquirer.services import build_indexer, lexical_path

    indexer = build_indexer(settings, FakeEmbedder())
    indexer.run([root])
    return Retriever(
        indexer.store,
        indexer.embedder,
        chunk_words=settings.chunk_words,
        lexical=LexicalIndex(lexical_path(settings)),
    )


@pytest.fixture(scope="session")
def bundled_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An INQUIRER_HOME with the bundled corpus indexed by the real embedding model, made once
    per test session for the end-to-end tests that only read it (the local model's files are
    unpacked into it once, too)."""
    home = tmp_path_factory.mktemp("bundled-home")
    env = {k: v for k, v in os.environ.items() if not k.startswith("INQUIRER_")}
    env["INQUIRER_HOME"] = str(home)
    done = subprocess.run(
        [sys.executable, "-m", "inquirer", "index", str(REPO / "corpus")],
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return home
