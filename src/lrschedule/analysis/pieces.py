"""What a schedule says of its pieces, and the exact searches they allow.

The schedule is asked through the analysis protocol of
:class:`~lrschedule.core.contract.LearningRateSchedule` (``breakpoints``,
``monotone_pieces``, ``smooth_pieces``), looked up by name, so that any callable may
answer, or not. On a run where the rate is monotone, the extremes lie at its ends and the
first step below a value is found by bisection on whole steps: about ``log2(N)``
evaluations. A schedule that does not know its monotone runs is scanned step by step.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import chain, islice
from typing import Any

from lrschedule.analysis.evaluation import blocks, check_total, numpy_if_worth, rate, values

__all__ = [
    "MAX_PIECES",
    "SCAN_STEPS",
    "breakpoints",
    "extremes",
    "first_below",
    "first_below_many",
    "monotone_runs",
    "smooth_runs",
    "with_ends",
]

Runs = Iterator[tuple[int, int]]

#: The most pieces (stairs, restarts, cycles, phases) one figure walks, at about a
#: microsecond and a few dozen calls each: past this many the schedule is scanned step by
#: step where that is cheap (below), or refused rather than walked for minutes.
MAX_PIECES = 1 << 16
#: Runs up to this many steps whose pieces are short (fewer than :data:`_DENSE` steps
#: each on average) or too many to walk are read at every step instead, in NumPy blocks:
#: as exact, and a few calls per block rather than per piece.
SCAN_STEPS = 1 << 22
_DENSE = 64


def breakpoints(schedule: Any, start: int, stop: int) -> Iterator[int]:
    """The schedule's breakpoints in ``[start, stop)``; none when it has no such method."""
    method = getattr(schedule, "breakpoints", None)
    if method is None:
        return iter(())
    return iter(method(start, stop))


def monotone_runs(schedule: Any, start: int, stop: int) -> Runs | None:
    """Runs covering ``[start, stop)`` on which the rate is monotone, or ``None``: unknown,
    or better read at every step (see :data:`SCAN_STEPS`)."""
    return _runs(schedule, "monotone_pieces", start, stop)


def smooth_runs(schedule: Any, start: int, stop: int) -> Runs | None:
    """Runs covering ``[start, stop)`` on which the rate is monotone and smooth, or
    ``None``: unknown, or better read at every step (see :data:`SCAN_STEPS`)."""
    return _runs(schedule, "smooth_pieces", start, stop)


def _runs(schedule: Any, name: str, start: int, stop: int) -> Runs | None:
    """The schedule's runs, unless a scan of every step is cheaper (``None``); a schedule
    with more than :data:`MAX_PIECES` pieces that cannot be scanned is refused."""
    most = min(MAX_PIECES, (stop - start) // _DENSE + 1)
    method = getattr(schedule, "restart_count", None)
    count = before = None  # said before any cycle is walked
    if method is not None:
        count = method(stop)
        if count is not None and count > most and start > 0:
            before = method(start)
    if count is not None and count - (before or 0) > most and _scannable(start, stop):
        return None
    if count is not None and count > MAX_PIECES:
        _too_many(schedule, stop)
    runs = _answer(schedule, name, start, stop)
    if runs is None or stop - start > SCAN_STEPS:
        return runs
    head = list(islice(runs, most + 1))
    if len(head) <= most:
        return iter(head)
    return None if _scannable(start, stop) else chain(head, runs)


def _scannable(start: int, stop: int) -> bool:
    """Whether ``[start, stop)`` is read at every step rather than walked: NumPy is
    installed (asked only now: a run of few pieces never imports it) and it is short."""
    return stop - start <= SCAN_STEPS and numpy_if_worth(stop - start) is not None


def _too_many(schedule: Any, stop: int) -> None:
    raise ValueError(
        f"{type(schedule).__name__} has more than {MAX_PIECES:,} pieces (stairs, restarts, "
        f"cycles or phases) before step {stop:,}: too many to walk one by one. Use fewer "
        f"steps (up to {SCAN_STEPS:,} are read at every step when NumPy is installed)."
    )


def _answer(schedule: Any, name: str, start: int, stop: int) -> Runs | None:
    method = getattr(schedule, name, None)
    if method is None:
        return None
    runs = method(start, stop)
    return None if runs is None else iter(runs)


def with_ends(
    schedule: Any, runs: Iterable[tuple[int, int]]
) -> Iterator[tuple[int, int, float, float]]:
    """``(a, b, f(a), f(b - 1))`` for each run, evaluated in batches.

    Raises:
        ValueError: There are more than :data:`MAX_PIECES` runs.
    """
    iterator = iter(runs)
    walked = 0
    while True:
        batch = list(islice(iterator, 4096))
        if not batch:
            return
        walked += len(batch)
        if walked > MAX_PIECES:
            _too_many(schedule, batch[-1][1])
        steps = [a for a, _ in batch] + [b - 1 for _, b in batch]
        found = values(schedule, steps)
        half = len(batch)
        for index, (a, b) in enumerate(batch):
            yield a, b, found[index], found[half + index]


def _bisect(low: int, high: int, test: Callable[[int], bool]) -> int:
    """The first step in ``[low, high]`` where ``test`` holds, given it holds at ``high`` and
    from some step on (a monotone predicate)."""
    while low < high:
        middle = (low + high) // 2
        if test(middle):
            high = middle
        else:
            low = middle + 1
    return low


# ---------------------------------------------------------------------------- first below
def first_below(
    schedule: Callable[[Any], Any], value: float, total_steps: int, *, start: int = 0
) -> int | None:
    """The first step in ``[start, total_steps)`` at which the rate is below ``value``.

    Exact for schedules that are monotone between breakpoints (every library schedule):
    the ends of each monotone run are compared with ``value``, and the crossing is found
    by bisection in the first run that dips below it. Other schedules are scanned step
    by step.

    Args:
        schedule: The schedule.
        value: The learning rate to fall below (strictly).
        total_steps: The number of steps of the run (steps ``0`` to ``total_steps - 1``).
        start: The first step considered.

    Returns:
        The step, or ``None`` if the rate never falls below ``value`` in the range.

    Example:
        >>> from lrschedule import CosineDecay
        >>> from lrschedule.analysis import first_below
        >>> first_below(CosineDecay(1.0, 1000), 0.5, 2000)  # past the middle
        501
    """
    total = check_total(total_steps)
    (found,) = first_below_many(schedule, [float(value)], max(int(start), 0), total)
    return found


def first_below_many(
    schedule: Any, thresholds: Sequence[float], start: int, total: int
) -> list[int | None]:
    """For each threshold, the first step in ``[start, total)`` with a rate below it."""
    found: list[int | None] = [None] * len(thresholds)
    if start >= total or not thresholds:
        return found
    pending = set(range(len(thresholds)))
    runs = monotone_runs(schedule, start, total)
    if runs is None:
        for low, block in blocks(schedule, start, total):
            for index in sorted(pending):
                hit = _first_index_below(block, thresholds[index])
                if hit is not None:
                    found[index] = low + hit
                    pending.discard(index)
            if not pending:
                break
        return found
    for a, b, first, last in with_ends(schedule, runs):
        for index in sorted(pending):
            limit = thresholds[index]
            if first < limit:
                found[index] = a
            elif last < limit:  # a decreasing run that crosses the threshold
                found[index] = _first_under(schedule, a + 1, b - 1, limit)
            else:
                continue
            pending.discard(index)
        if not pending:
            break
    return found


def _first_under(schedule: Any, low: int, high: int, limit: float) -> int:
    return _bisect(low, high, lambda step: rate(schedule, step) < limit)


def _first_index_below(block: Any, limit: float) -> int | None:
    if isinstance(block, list):
        return next((index for index, value in enumerate(block) if value < limit), None)
    hits = (block < limit).nonzero()[0]
    return int(hits[0]) if hits.size else None


# ---------------------------------------------------------------------------- extremes
def extremes(schedule: Any, total: int) -> tuple[float, int, float, int] | None:
    """``(peak, its first step, minimum, its first step)`` from the monotone runs, or None."""
    runs = monotone_runs(schedule, 0, total)
    if runs is None:
        return None
    peak, peak_step = -math.inf, 0
    low, low_step = math.inf, 0
    for a, b, first, last in with_ends(schedule, runs):
        if first >= last:
            if first > peak:
                peak, peak_step = first, a
            if last < low:  # the first step of the run that reaches `last`
                low = last
                low_step = a if first == last else _first_at_most(schedule, a, b, last)
        else:
            if last > peak:
                peak, peak_step = last, _first_at_least(schedule, a, b, last)
            if first < low:
                low, low_step = first, a
    return peak, peak_step, low, low_step


def _first_at_least(schedule: Any, a: int, b: int, value: float) -> int:
    return _bisect(a, b - 1, lambda step: rate(schedule, step) >= value)


def _first_at_most(schedule: Any, a: int, b: int, value: float) -> int:
    return _bisect(a, b - 1, lambda step: rate(schedule, step) <= value)
