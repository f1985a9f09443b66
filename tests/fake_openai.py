"""An OpenAI-compatible chat server on a loopback port that answers every request with JSON
built from the request's own schema: for subprocess tests of the real CLI, litellm and HTTP
path at the speed of logic tests. It is not a model; lines it makes say nothing."""

from __future__ import annotations

import itertools
import json
import re
import threading
import time
from collections.abc import Iterator, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from inquirer.next_lines import DANGLING
from inquirer.wording import content

WORDS = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "theta", "kappa", "sigma"]
# sentences that differ in more than their names, so that a fake line does not repeat itself to
# the reading pass (reading.py) the way no real line should
SAYINGS = [
    "The {} result limits what the {} account predicts.",
    "Measurements of {} drift once {} data is added.",
    "A survey of {} methods found {} training unhelpful.",
    "Larger {} models close most of the {} gap.",
    "Replications of {} disagree about its {} cost.",
    "Ablating {} leaves the {} benchmark nearly unchanged.",
    "Experiments pairing {} with {} doubled the error rate.",
]


class Instance:
    """Builds a value that fits a JSON schema; strings differ from call to call. Fields named
    ``question(s)`` take their text in turn from ``questions`` where given; a ``verdict`` is
    always its first choice (the agent's "yes"), other choices (cited ids) take turns."""

    def __init__(self, questions: Sequence[str] = ()) -> None:
        self.counter = itertools.count()
        self.questions = itertools.cycle(questions) if questions else None
        self.follow = list(questions)
        self.turn = 0

    def next_line(self, finding: str, opener: str) -> str:
        """A next line opened as asked: the next of ``questions`` that shares two content
        words with ``finding`` (its own opener swapped for ``opener``), else the finding's
        first words."""
        if self.follow:  # and three words of the finding's own, so that it opens from it
            question = self.follow[self.turn % len(self.follow)]
            self.turn += 1
            body = re.sub(r"^\w+\s+(?:(?:does|do|is|are)\s+)?", "", question, flags=re.I)
            own = [w for w in re.findall(r"[a-z][a-z-]{3,}", finding.lower()) if content(w)]
            return f"{opener} {body.rstrip('?')}, as with {' '.join(own[-3:])}?"
        words = re.findall(r"[a-z][a-z-]+", finding.lower())[:9]
        while words and words[-1] in DANGLING:  # a question cut mid-phrase is refused
            words.pop()
        return f"{opener} {' '.join(words)}?"

    def build(self, schema: dict[str, Any], defs: dict[str, Any], name: str = "") -> Any:
        if "$ref" in schema:
            return self.build(defs[schema["$ref"].rsplit("/", 1)[-1]], defs, name)
        if "const" in schema:
            return schema["const"]
        if "enum" in schema:
            if name == "verdict":
                return schema["enum"][0]
            return schema["enum"][next(self.counter) % len(schema["enum"])]
        for key in ("anyOf", "oneOf", "allOf"):
            if key in schema:
                options = [s for s in schema[key] if s.get("type") != "null"] or schema[key]
                return self.build(options[0], defs, name)
        kind = schema.get("type")
        if kind == "object":
            props = schema.get("properties", {})
            return {k: self.build(v, defs, k) for k, v in props.items()}
        if kind == "array":
            count = max(schema.get("minItems", 1), 1)
            count = min(count + 1, schema.get("maxItems", count + 1))
            return [self.build(schema.get("items", {}), defs, name) for _ in range(count)]
        if kind == "boolean":
            return True
        if kind in ("integer", "number"):
            return schema.get("minimum", 1)
        return self.text(name, schema)

    def text(self, name: str, schema: dict[str, Any]) -> str:
        n = next(self.counter)
        word, other = WORDS[n % len(WORDS)], WORDS[(n // len(WORDS) + 3) % len(WORDS)]
        if name in ("question", "questions"):
            text = (
                next(self.questions)
                if self.questions
                else f"How does the {word} finding bear on {other} training?"
            )
        elif name == "queries":
            text = f"{word} {other}"
        else:
            text = SAYINGS[n % len(SAYINGS)].format(word, other)
        low, high = schema.get("minLength", 0), schema.get("maxLength", 400)
        return text.ljust(low, "x")[:high]


class FakeOpenAI:
    """Start with ``with FakeOpenAI(delay=0.1) as server: ... server.api_base``."""

    def __init__(self, delay: float = 0.0, questions: Sequence[str] = ()) -> None:
        self.delay = delay
        self.requests = 0
        self.instance = Instance(questions)
        self._lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                with fake._lock:
                    fake.requests += 1
                    content = fake.reply(body)
                time.sleep(fake.delay)
                if body.get("stream"):
                    self._stream(content)
                else:
                    self._send(content)

            def _send(self, content: str) -> None:
                payload = {
                    "id": "fake",
                    "object": "chat.completion",
                    "created": int(time.time()),
                    "model": "fake",
                    "choices": [
                        {
                            "index": 0,
                            "message": {"role": "assistant", "content": content},
                            "finish_reason": "stop",
                        }
                    ],
                    "usage": {"prompt_tokens": 50, "completion_tokens": 20, "total_tokens": 70},
                }
                data = json.dumps(payload).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _stream(self, content: str) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.end_headers()
                for chunk in _chunks(content):
                    self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
                self.wfile.write(b"data: [DONE]\n\n")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.api_base = f"http://127.0.0.1:{self.server.server_address[1]}/v1"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def reply(self, body: dict[str, Any]) -> str:
        fmt = body.get("response_format") or {}
        schema = (fmt.get("json_schema") or {}).get("schema")
        if not schema:
            return "A plain answer."
        asked = str((body.get("messages") or [{}])[-1].get("content", ""))
        said = re.search(r" says: (.*)$", asked, re.M)
        if said and set(schema.get("properties", {})) == {"text"}:  # a note to restate
            return json.dumps({"text": restated(said.group(1), schema["properties"]["text"])})
        finding = re.search(r"^Finding: (.*)$", asked, re.M)
        opener = re.search(r'Open with "([^"]+)"', asked)
        if finding and opener and set(schema.get("properties", {})) == {"question"}:  # next line
            asked_for = self.instance.next_line(finding.group(1), opener.group(1))
            return json.dumps({"question": asked_for})
        found = re.findall(r"^[AB]: (.*)$", asked, re.M)
        if len(found) == 2 and set(schema.get("properties", {})) == {"text"}:  # an insight
            a, b = (next(w for w in re.findall(r"[A-Za-z]+", f) if len(w) > 4) for f in found)
            return json.dumps({"text": f"{a.capitalize()} and {b.lower()} point the same way."})
        return json.dumps(self.instance.build(schema, schema.get("$defs", {})))

    def __enter__(self) -> FakeOpenAI:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def restated(claim: str, field: dict[str, Any]) -> str:
    """The note's claim in its own words, never 8 in a row (faithful, and no copy), opened as
    the field's pattern asks when it asks."""
    words = claim.rstrip(".").split()
    text = " and ".join(" ".join(words[k : k + 7]) for k in range(0, len(words), 7)) + "."
    if field.get("pattern"):
        text = f"In short, {text[0].lower()}{text[1:]}"
    return text[0].upper() + text[1:]


def _chunks(content: str) -> Iterator[dict[str, Any]]:
    base = {"id": "fake", "object": "chat.completion.chunk", "created": 0, "model": "fake"}
    for start in range(0, len(content), 40):
        delta = {"role": "assistant", "content": content[start : start + 40]}
        yield {**base, "choices": [{"index": 0, "delta": delta, "finish_reason": None}]}
    yield {**base, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}
    yield {
        **base,
        "choices": [],
        "usage": {"prompt_tokens": 50, "completion_tokens": 20, "total_tokens": 70},
    }
