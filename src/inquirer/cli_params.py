"""Click parameter types that the commands share."""

from __future__ import annotations

import math
from typing import Any

import click


class Share(click.FloatRange):
    """A number from ``low`` to ``high``, both included, that is a number: click's FloatRange
    lets ``nan`` through, since nan compares false with every bound. Out of range, ``inf``
    included, it fails as a FloatRange does, naming the option and the range."""

    def __init__(self, low: float = 0.0, high: float = 1.0) -> None:
        super().__init__(low, high)

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        number = super().convert(value, param, ctx)
        if math.isnan(number):
            self.fail(f"{value!r} is not a number in the range {self.min}<=x<={self.max}.")
        return number
