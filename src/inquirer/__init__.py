"""inquirer: answers questions from a corpus of research notes with cited inquiring lines."""

from __future__ import annotations

__version__ = "0.1.0"
