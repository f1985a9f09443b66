"""Messages that worker threads post to the app: the pipeline's events and the outcome of
each piece of background work. Posting a message is safe from any thread."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.message import Message

if TYPE_CHECKING:
    from ..pipeline import Event
    from ..session import CorpusInfo


class Progress(Message):
    """An event of the line being made for exchange ``exchange``."""

    def __init__(self, exchange: int, event: Event) -> None:
        super().__init__()
        self.exchange = exchange
        self.event = event


class LineReady(Message):
    def __init__(self, exchange: int, data: dict[str, Any]) -> None:
        super().__init__()
        self.exchange = exchange
        self.data = data


class LineStopped(Message):
    """The line was not made: cancelled, or an error with how to fix it."""

    def __init__(self, exchange: int, message: str, hint: str = "", *, cancelled: bool) -> None:
        super().__init__()
        self.exchange = exchange
        self.message = message
        self.hint = hint
        self.cancelled = cancelled


class CorpusRead(Message):
    """The session's corpus as it now stands (after loading, indexing or a switch)."""

    def __init__(self, info: CorpusInfo) -> None:
        super().__init__()
        self.info = info


class Busy(Message):
    """Background work other than a line started (``label``) or ended (``label`` empty)."""

    def __init__(self, label: str) -> None:
        super().__init__()
        self.label = label
