"""Server mode end to end: a real `chroma run` on localhost, index and search through the CLI,
and a second machine (another home, no corpus) searching the same server."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import write_note
from inquirer.cli import cli

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def chroma_server(tmp_path: Path) -> Iterator[int]:
    chroma = shutil.which("chroma") or str(Path(sys.executable).with_name("chroma"))
    port = _free_port()
    log = (tmp_path / "chroma.log").open("w")
    server = subprocess.Popen(
        [chroma, "run", "--path", str(tmp_path / "chroma-data"), "--port", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"http://localhost:{port}/api/v2/heartbeat", timeout=1)
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError((tmp_path / "chroma.log").read_text()) from None
                time.sleep(0.2)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


def test_index_and_search_against_a_chroma_server(
    chroma_server: int, home: Path, tmp_path: Path
) -> None:
    corpus = tmp_path / "notes"
    write_note(
        corpus,
        "reward-hacking",
        title="Why do policies exploit learned rewards?",
        summary="Optimising a proxy reward past a point lowers the true objective.",
    )
    write_note(
        corpus,
        "lost-in-the-middle",
        title="Do models use the middle of a context?",
        summary="Accuracy is highest when the answer is at the start or the end.",
    )
    server_env = {"INQUIRER_STORE_MODE": "server", "INQUIRER_SERVER_PORT": str(chroma_server)}
    runner = CliRunner()
    first = {**server_env, "INQUIRER_HOME": str(tmp_path / "machine-a")}
    result = runner.invoke(cli, ["index", str(corpus)], env=first)
    assert result.exit_code == 0, result.output
    assert "2 added" in result.output
    assert not (tmp_path / "machine-a" / "index").exists()  # the vectors live on the server
    found = runner.invoke(cli, ["search", "proxy reward", "--json", "-k", "1"], env=first)
    assert json.loads(found.stdout)[0]["id"] == "reward-hacking"

    # another machine: its own home, no corpus, the same server
    second = {**server_env, "INQUIRER_HOME": str(tmp_path / "machine-b")}
    found = runner.invoke(cli, ["search", "middle of the context", "--json", "-k", "1"], env=second)
    assert found.exit_code == 0, found.stderr
    assert json.loads(found.stdout)[0]["id"] == "lost-in-the-middle"


def test_an_unreachable_server_is_reported(home: Path, tmp_path: Path) -> None:
    env = {
        "INQUIRER_STORE_MODE": "server",
        "INQUIRER_SERVER_PORT": str(_free_port()),
        "INQUIRER_HOME": str(tmp_path / "home"),
    }
    result = CliRunner().invoke(cli, ["search", "anything"], env=env)
    assert result.exit_code == 4
    assert "cannot open Chroma server at localhost" in result.stderr
    assert "chroma run --path" in result.stderr
