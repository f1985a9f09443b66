"""Click parameter types that the commands share."""

from __future__ import annotations

import math
from typing import Any

import click


class Share(click.FloatRange):
    """A share: a number from 0 to 1, both included. click's FloatRange alone lets ``nan``
    through, as nan compares false with every bound; this refuses it in the words click uses
    for a number out of range (``inf`` among them), naming the option and the range."""

    def __init__(self) -> None:
        super().__init__(0, 1)  # as ints, so that the range reads 0<=x<=1

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        number = super().convert(value, param, ctx)
        if math.isnan(number):
            self.fail(f"{value!r} is not a number in the range 0<=x<=1.", param, ctx)
        return number
