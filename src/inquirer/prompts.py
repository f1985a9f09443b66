"""Prompts are files in prompts/, one each, with ``{{ name }}`` placeholders. Rendering checks
the variables both ways: a placeholder without a value, or a value without a placeholder, is an
error, so a prompt and its caller cannot drift apart silently."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from .errors import InquirerError

PLACEHOLDER = re.compile(r"\{\{\s*([a-z_][a-z0-9_]*)\s*\}\}")


def prompts_dir() -> Path:
    """prompts/ at the top of the project (or installed beside the package)."""
    here = Path(__file__).resolve()
    for candidate in (here.parents[2] / "prompts", here.parent / "prompts"):
        if candidate.is_dir():
            return candidate
    raise InquirerError("the prompts folder is missing", hint="reinstall inquirer")


@cache
def load(name: str) -> str:
    path = prompts_dir() / f"{name}.md"
    if not path.is_file():
        raise InquirerError(f"no prompt named '{name}' in {path.parent}")
    return path.read_text(encoding="utf-8")


def variables(name: str) -> set[str]:
    return set(PLACEHOLDER.findall(load(name)))


def render(name: str, **values: str) -> str:
    text = load(name)
    wanted = variables(name)
    missing, extra = wanted - set(values), set(values) - wanted
    if missing or extra:
        raise InquirerError(
            f"prompt '{name}': "
            + "; ".join(
                part
                for part in (
                    f"no value for {sorted(missing)}" if missing else "",
                    f"no placeholder for {sorted(extra)}" if extra else "",
                )
                if part
            )
        )
    return PLACEHOLDER.sub(lambda m: values[m.group(1)], text)


def split(rendered: str) -> list[dict[str, str]]:
    """A rendered prompt as chat messages: the text above a line '---user---' is the system
    message, the rest the user message."""
    system, sep, user = rendered.partition("\n---user---\n")
    if not sep:
        return [{"role": "user", "content": rendered.strip()}]
    return [
        {"role": "system", "content": system.strip()},
        {"role": "user", "content": user.strip()},
    ]
