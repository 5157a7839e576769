"""Step ranges for ``breakpoints(start, stop)``: the arguments checked, and stairs found exactly."""

from __future__ import annotations

import math
import operator

from lrschedule.core.validation import Real

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator
    from typing import Any

__all__ = ["between", "multiples", "step_range"]


def step_range(start: Any, stop: Any) -> tuple[int, int]:
    """``breakpoints``' arguments as ints; a breakpoint is never below 1 (step 0 starts the run)."""
    return max(operator.index(start), 1), operator.index(stop)


def multiples(period: Real, start: int, stop: int, *, past: bool) -> Iterator[int]:
    """The distinct steps in ``[start, stop)`` at which a new multiple of ``period`` begins.

    With ``past=False``, the first step with ``step >= k * period`` for each ``k >= 1``
    (``ceil(k * period)``: where ``floor(step / period)`` grows, a staircase's new stair);
    with ``past=True``, the first step with ``step > k * period`` (``floor(k * period) + 1``:
    the step after a right-closed interval ends). Exact for float periods (``Fraction``).
    """
    start, stop = step_range(start, stop)
    if start >= stop:
        return
    from fractions import Fraction  # only here: it is slow to import

    exact = period if isinstance(period, int) else Fraction(period)
    if exact <= 1:  # every step begins a new multiple
        yield from range(start, stop)
        return
    if isinstance(exact, int):
        k = max(-((1 - start) // exact) if past else (start - 1) // exact + 1, 1)
        step = exact * k + 1 if past else exact * k
        while step < stop:
            yield step
            step += exact
        return
    k = max(math.ceil((start - 1) / exact) if past else math.floor((start - 1) / exact) + 1, 1)
    while True:
        step = math.floor(k * exact) + 1 if past else math.ceil(k * exact)
        if step >= stop:
            return
        yield step
        k += 1


def between(start: int, stop: int, cuts: Iterable[int]) -> Iterator[tuple[int, int]]:
    """The pieces ``(low, high)`` of ``[start, stop)`` between the increasing ``cuts``
    (repeated cuts, and those outside the range, are passed over)."""
    low = start
    for step in cuts:
        if step >= stop:
            break
        if step > low:
            yield low, step
            low = step
    yield low, stop
