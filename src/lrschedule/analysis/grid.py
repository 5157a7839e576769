"""The steps a plot draws: evenly spaced steps plus both sides of every breakpoint."""

from __future__ import annotations

from collections.abc import Callable
from itertools import islice
from typing import Any

from lrschedule.analysis.evaluation import check_total, values
from lrschedule.analysis.pieces import breakpoints

__all__ = ["curve", "even_steps"]


def even_steps(total_steps: int, count: int) -> list[int]:
    """``count`` steps evenly spaced from 0 to ``total_steps - 1``: ``(i * (N - 1)) //
    (count - 1)``, rounded down, repeats dropped, at most ``total_steps`` of them.

    >>> even_steps(1001, 5)
    [0, 250, 500, 750, 1000]
    >>> even_steps(3, 10)
    [0, 1, 2]
    """
    last = total_steps - 1
    count = min(count, total_steps)
    return sorted({(index * last) // max(count - 1, 1) for index in range(count)})


def curve(
    schedule: Callable[[Any], Any],
    total_steps: int,
    *,
    points: int = 1000,
    max_breakpoints: int = 20_000,
) -> tuple[list[int], list[float]]:
    """The steps a plot of ``total_steps`` steps draws, and the rates there.

    ``points`` evenly spaced steps from 0 to ``total_steps - 1``, plus ``b - 1`` and ``b``
    for every breakpoint ``b``, so that a stair or a restart shows as a vertical jump
    however long the run. Breakpoints are read lazily: when there are more than
    ``max_breakpoints`` (stairs closer than the plot can show), at most
    ``max_breakpoints // points`` (at least 1) are taken between each two evenly spaced
    steps, so the cost stays bounded.

    Returns:
        ``(steps, rates)``: increasing whole steps and the rates at them.

    Example:
        >>> from lrschedule import ExponentialDecay
        >>> from lrschedule.analysis import curve
        >>> steps, rates = curve(ExponentialDecay(1.0, 10**8, 0.5, staircase=True), 3 * 10**8,
        ...                      points=2)
        >>> steps
        [0, 99999999, 100000000, 199999999, 200000000, 299999999]
        >>> rates
        [1.0, 1.0, 0.5, 0.5, 0.25, 0.25]
    """
    total = check_total(total_steps)
    grid = even_steps(total, max(2, int(points)))
    last = total - 1
    found = list(islice(breakpoints(schedule, 1, total), max_breakpoints + 1))
    if len(found) > max_breakpoints:
        per_gap = max(1, max_breakpoints // len(grid))
        ends = [*grid[1:], last]
        found = []
        for low, high in zip(grid, ends, strict=True):
            found.extend(islice(breakpoints(schedule, low + 1, high + 1), per_gap))
    steps = sorted({*grid, *found, *(step - 1 for step in found)})
    return steps, values(schedule, steps)
