"""One error hierarchy. Each edge (CLI, TUI, batch) turns these into a clean message."""

from __future__ import annotations


class InquirerError(Exception):
    """Base of every error inquirer raises on purpose.

    ``hint`` tells the user how to fix the problem; ``exit_code`` is what the CLI exits with.
    """

    exit_code = 1

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message if not self.hint else f"{self.message}\n  hint: {self.hint}"


class ConfigError(InquirerError):
    """A setting or the config file is invalid."""

    exit_code = 2


class CorpusError(InquirerError):
    """A corpus path is missing or a note cannot be used."""

    exit_code = 3


class NoteError(CorpusError):
    """One note file is malformed. ``line`` is 1-based where known."""

    def __init__(self, path: str, message: str, *, line: int | None = None) -> None:
        where = f"{path}:{line}" if line else path
        super().__init__(f"{where}: {message}")
        self.path = path
        self.line = line
        self.problem = message


class EmptyNoteError(NoteError):
    """A note file holds no text, or only whitespace. Nothing is wrong in it, but there is no
    note to index: it is reported (as a warning where problems have a severity) and skipped."""


class StoreError(InquirerError):
    """The vector store is unreachable, or holds an index that cannot be used as it is."""

    exit_code = 4


class EmbeddingError(InquirerError):
    """The embedding model cannot be loaded or run."""

    exit_code = 5


class LLMError(InquirerError):
    """A language model call failed. ``retryable`` says whether trying again can help
    (a timeout, an unreachable or overloaded server, malformed output) or not (a bad model
    name, a refused key, a request the model cannot take)."""

    exit_code = 6

    def __init__(self, message: str, *, hint: str | None = None, retryable: bool = False) -> None:
        super().__init__(message, hint=hint)
        self.retryable = retryable


class UnfitOutput(LLMError):
    """The model's output does not fit the form it was asked for: cut off at its token limit,
    or not what the schema allows (the model client's check, or the model server's own parse of
    its constrained output). A failed try of that one step, which the caller may take again or
    do without; never by itself the end of a line."""

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message, hint=hint, retryable=True)


class Cancelled(BaseException):
    """The user cancelled a line while it was being made (Esc in the TUI).

    Raised from an event callback, it unwinds the pipeline at once. It derives from
    BaseException, as KeyboardInterrupt does, so that no ``except Exception`` on the way (a
    model call's error handling, say) can mistake it for a failure and retry.
    """
