"""An index interrupted at any point is completed by the next run and equals a clean build.

Real parts throughout: the `inquirer` command in a subprocess, the bundled embedding model and
an embedded Chroma store.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from cli_support import sigint_as_at_a_terminal
from inquirer.synthetic import write_corpus

pytestmark = pytest.mark.slow
NOTES = 150

DUMP = """
import json, sys
from pathlib import Path
from inquirer.config import load_settings
from inquirer.store import Store
store = Store.open(load_settings(home=Path(sys.argv[1])).settings)
got = store.require().get(include=["documents", "metadatas", "embeddings"])
versions = store.versions()
print(json.dumps({
    "ids": got["ids"], "documents": got["documents"], "metadatas": got["metadatas"],
    "embeddings": [list(map(float, e)) for e in got["embeddings"]],
    "incomplete": [v.note_id for vs in versions.values() for v in vs if not v.complete],
    "versions_per_note": max((len(vs) for vs in versions.values()), default=0),
}))
"""


def _env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("INQUIRER_")}
    env["INQUIRER_HOME"] = str(home)
    env["INQUIRER_EMBEDDING_BATCH_SIZE"] = "32"
    # small write groups: several of them in a corpus small enough to index in seconds
    env["INQUIRER_INDEX_WRITE_CHUNKS"] = "32"
    return env


def _index(home: Path, corpus: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "inquirer", "index", str(corpus)],
        env=_env(home),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def _dump(home: Path) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, "-c", DUMP, str(home)],
        env=_env(home),
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    return json.loads(out.stdout)  # type: ignore[no-any-return]


def _by_id(dump: dict[str, Any]) -> dict[str, tuple[str, dict[str, Any], list[float]]]:
    return {
        cid: (doc, meta, emb)
        for cid, doc, meta, emb in zip(
            dump["ids"], dump["documents"], dump["metadatas"], dump["embeddings"], strict=True
        )
    }


def _assert_same_store(got: dict[str, Any], want: dict[str, Any]) -> None:
    a, b = _by_id(got), _by_id(want)
    assert set(a) == set(b)
    for cid, (doc, meta, emb) in b.items():
        assert a[cid][0] == doc
        assert a[cid][1] == meta
        assert np.allclose(a[cid][2], emb, atol=1e-5)


def _interrupt_midway(home: Path, corpus: Path, sig: int, writes_before: int) -> int:
    """Start an index, wait until it has written some groups, then send ``sig``."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "inquirer", "-v", "index", str(corpus)],
        env=_env(home),
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
        preexec_fn=sigint_as_at_a_terminal,
    )
    assert proc.stderr is not None
    seen = 0
    for line in proc.stderr:
        if "writing" in line and "chunks" in line:
            seen += 1
            if seen == writes_before:
                time.sleep(0.3)  # land somewhere inside the next embed or write
                proc.send_signal(sig)
                break
    rest = proc.stderr.read()
    code = proc.wait(timeout=120)
    assert seen == writes_before, f"the index finished before it could be interrupted: {rest}"
    assert code in (-signal.SIGKILL, 130), f"exit {code} after signal {sig}; stderr: {rest[-3000:]}"
    return code


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_corpus(tmp_path_factory.mktemp("corpus"), NOTES, seed=7) / "notes"


@pytest.fixture(scope="module")
def clean_build(synthetic: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    home = tmp_path_factory.mktemp("clean")
    result = _index(home, synthetic)
    assert result.returncode == 0, result.stderr
    assert f"{NOTES} added" in result.stderr
    return _dump(home)


@pytest.mark.parametrize(("sig", "writes"), [(signal.SIGKILL, 2), (signal.SIGINT, 1)])
def test_interrupted_index_is_completed_by_the_next_run(
    synthetic: Path, clean_build: dict[str, Any], tmp_path: Path, sig: int, writes: int
) -> None:
    home = tmp_path / "home"
    code = _interrupt_midway(home, synthetic, sig, writes)
    assert code in (-signal.SIGKILL, 130)
    partial = _dump(home)
    # what was written is whole notes only: nothing half-written is ever served
    assert partial["incomplete"] == []
    assert 0 < len({m["note_id"] for m in partial["metadatas"]}) < NOTES
    result = _index(home, synthetic)
    assert result.returncode == 0, result.stderr
    assert " 0 errors" in result.stderr
    _assert_same_store(_dump(home), clean_build)
