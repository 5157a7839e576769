"""Two schedules side by side: where they part, by how much, and the budget between them.

:func:`compare` answers what changes when a run switches from schedule ``a`` to ``b`` (an
edit such as :class:`~lrschedule.CoolDown`, or any other schedule): the first step at
which their rates differ, the largest difference ``|b(t) - a(t)|`` and its first step,
and the difference of the areas ``sum(b(t)) - sum(a(t))`` (the learning-rate budget, by
:mod:`~lrschedule.analysis.areas`).

How it is found
---------------
A run of at most :data:`EVERY_STEP` steps is compared at every step (vectorized): the
figures are exact. A longer run is not walked step by step. Its steps are cut into pieces
at both schedules' breakpoints and the starts of their monotone runs (the analysis
protocol), where a new formula may start and an edit takes over. In each piece, in order,
the rates are compared at the first and last 64 steps and 64 steps evenly spaced between;
the first difference is the first sampled step that differs, or, when the first sample to
differ is past a sample that agrees, found by bisection between the two (the step after
which they stay apart, as an edit does). Two pieces of smooth formulas that agree on 64
consecutive steps are the same formula, so for the library's schedules and their edits the
step found is the first one; :attr:`Comparison.exact` is ``False`` to say that not every
step was looked at. The largest difference of a long run is the largest at the pieces' ends
and 4,097 evenly spaced steps, refined by a ternary search between the neighbours of the
best one.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import islice
from typing import Any

from lrschedule.analysis.areas import area_and_method
from lrschedule.analysis.evaluation import blocks, check_total, values
from lrschedule.analysis.grid import even_steps
from lrschedule.analysis.pieces import breakpoints, monotone_runs
from lrschedule.analysis.summary import rate_text

__all__ = ["EVERY_STEP", "Comparison", "compare"]

#: Runs up to this many steps are compared at every step.
EVERY_STEP = 1 << 22
_EDGE = 64  # steps compared at each end of a long piece, and between them
_SHORT = 4096  # pieces up to this long are compared at every step
_MAX_PIECES = 1 << 17  # piece ends read for the largest difference of a long run


@dataclass(frozen=True)
class Comparison:
    """What changes from schedule ``a`` to schedule ``b`` over ``total_steps`` updates.

    Attributes:
        first: The schedule ``a``.
        second: The schedule ``b``.
        total_steps: ``N``: steps 0 to ``N - 1`` are compared.
        first_difference: The first step with ``b(t) != a(t)``, or ``None`` if none.
        largest_difference: The largest ``|b(t) - a(t)|`` (0.0 when they never differ).
        largest_at: The first step with the largest difference (``None`` if none).
        area_first: ``sum(a(t) for t in range(N))``; ``area_second`` the same for ``b``.
        area_difference: ``area_second - area_first``.
        area_methods: How each area was computed (see :mod:`lrschedule.analysis.areas`).
        exact: Whether every step was compared (see the module documentation).
    """

    first: Any
    second: Any
    total_steps: int
    first_difference: int | None
    largest_difference: float
    largest_at: int | None
    area_first: float
    area_second: float
    area_difference: float
    area_methods: tuple[str, str]
    exact: bool

    def as_dict(self) -> dict[str, Any]:
        """The figures as JSON-ready values (the schedules as their ``repr``)."""
        return {
            "first": repr(self.first),
            "second": repr(self.second),
            "total_steps": self.total_steps,
            "first_difference": self.first_difference,
            "largest_difference": self.largest_difference,
            "largest_at": self.largest_at,
            "area_first": self.area_first,
            "area_second": self.area_second,
            "area_difference": self.area_difference,
            "area_methods": list(self.area_methods),
            "exact": self.exact,
        }

    def lines(self) -> list[str]:
        """The report as ``lrschedule describe A --compare B`` prints it."""
        last = self.total_steps - 1
        how = "every step compared" if self.exact else "pieces and bisection"
        if self.first_difference is None:
            first = f"none: equal at every step ({how})"
            largest = "0"
        else:
            step = self.first_difference
            first = (
                f"step {step:,}: {rate_text(self.first(step))} -> "
                f"{rate_text(self.second(step))} ({how})"
            )
            at = self.largest_at if self.largest_at is not None else 0
            largest = f"{rate_text(self.largest_difference)} at step {at:,}"
        methods = self.area_methods
        method = methods[0] if methods[0] == methods[1] else " / ".join(methods)
        rows = [
            ("first", repr(self.first)),
            ("second", repr(self.second)),
            ("steps", f"{self.total_steps:,} updates (steps 0 to {last:,})"),
            ("first difference", first),
            ("largest difference", largest),
            ("area", f"{rate_text(self.area_first)} -> {rate_text(self.area_second)} ({method})"),
            ("area difference", f"{self.area_difference:+.10g}"),
        ]
        width = max(len(key) for key, _ in rows)
        return [f"{key + ':':<{width + 1}} {value}" for key, value in rows]

    def __str__(self) -> str:
        return "\n".join(self.lines())


def compare(
    first: Callable[[Any], Any], second: Callable[[Any], Any], total_steps: int
) -> Comparison:
    """Compare two schedules over steps 0 to ``total_steps - 1`` (see the module docstring).

    Example:
        >>> from lrschedule import Constant
        >>> from lrschedule.schedules.edits import CoolDown
        >>> result = compare(Constant(0.1), CoolDown(Constant(0.1), 8, 2), 10)
        >>> result.first_difference, result.largest_difference, result.largest_at
        (9, 0.05, 9)
    """
    total = check_total(total_steps)
    area_a, method_a = area_and_method(first, total)
    area_b, method_b = area_and_method(second, total)
    if total <= EVERY_STEP:
        start, largest, at = _every_step(first, second, total)
        exact = True
    else:
        start = _first_by_pieces(first, second, total)
        largest, at = (0.0, None) if start is None else _largest_sampled(first, second, total)
        exact = False
    return Comparison(
        first=first,
        second=second,
        total_steps=total,
        first_difference=start,
        largest_difference=largest,
        largest_at=at,
        area_first=area_a,
        area_second=area_b,
        area_difference=area_b - area_a,
        area_methods=(method_a, method_b),
        exact=exact,
    )


def _every_step(a: Any, b: Any, total: int) -> tuple[int | None, float, int | None]:
    first: int | None = None
    largest, at = 0.0, None
    for (low, left), (_, right) in zip(blocks(a, 0, total), blocks(b, 0, total), strict=True):
        if isinstance(left, list) or isinstance(right, list):
            pairs = zip(list(left), list(right), strict=True)
            differ = [index for index, (x, y) in enumerate(pairs) if x != y]
            gaps = [abs(float(y) - float(x)) for x, y in zip(left, right, strict=True)]
        else:
            differ = (left != right).nonzero()[0].tolist()
            gaps = abs(right - left).tolist() if differ else []
        if not differ:
            continue
        if first is None:
            first = low + differ[0]
        best = max(differ, key=lambda index: (gaps[index], -index))
        if at is None or gaps[best] > largest:
            largest, at = gaps[best], low + best
    return first, largest, at


def _cuts(a: Any, b: Any, total: int) -> Iterator[int]:
    """Both schedules' breakpoints and monotone-run starts in ``[1, total)``, each once."""
    streams = [breakpoints(a, 1, total), breakpoints(b, 1, total)]
    for schedule in (a, b):
        runs = monotone_runs(schedule, 0, total)
        if runs is not None:
            streams.append(low for low, _ in runs if low > 0)
    last = None
    for step in heapq.merge(*streams):
        if step != last:
            yield step
            last = step


def _pieces(a: Any, b: Any, total: int) -> Iterator[tuple[int, int]]:
    low = 0
    for step in _cuts(a, b, total):
        yield low, step
        low = step
    yield low, total


def _differs(a: Any, b: Any, steps: list[int]) -> list[bool]:
    left, right = values(a, steps), values(b, steps)
    return [x != y for x, y in zip(left, right, strict=True)]


def _first_by_pieces(a: Any, b: Any, total: int) -> int | None:
    for low, high in _pieces(a, b, total):
        if high - low <= _SHORT:
            steps = list(range(low, high))
        else:
            middle = [step for step in even_steps(high - low, _EDGE + 2) if step >= _EDGE]
            inner = [low + step for step in middle if low + step < high - _EDGE]
            steps = [*range(low, low + _EDGE), *inner, *range(high - _EDGE, high)]
        flags = _differs(a, b, steps)
        if not any(flags):
            continue
        index = flags.index(True)
        found = steps[index]
        if index == 0 or steps[index - 1] == found - 1:
            return found
        agree = steps[index - 1]  # bisect: a(agree) == b(agree), a(found) != b(found)
        while found - agree > 1:
            middle_step = (agree + found) // 2
            if _differs(a, b, [middle_step])[0]:
                found = middle_step
            else:
                agree = middle_step
        return found
    return None


def _gap(a: Any, b: Any, step: int) -> float:
    return abs(float(b(step)) - float(a(step)))


def _largest_sampled(a: Any, b: Any, total: int) -> tuple[float, int]:
    ends: list[int] = []
    for low, high in islice(_pieces(a, b, total), _MAX_PIECES):
        ends.extend((low, high - 1))
    steps = sorted({*ends, *even_steps(total, 4097)})
    left, right = values(a, steps), values(b, steps)
    gaps = [abs(y - x) for x, y in zip(left, right, strict=True)]
    best = max(range(len(steps)), key=lambda index: (gaps[index], -index))
    low = steps[best - 1] if best > 0 else steps[best]
    high = steps[best + 1] if best + 1 < len(steps) else steps[best]
    while high - low > 2:  # ternary search for a local maximum between the neighbours
        one, two = low + (high - low) // 3, high - (high - low) // 3
        if _gap(a, b, one) < _gap(a, b, two):
            low = one
        else:
            high = two
    found = max(range(low, high + 1), key=lambda step: (_gap(a, b, step), -step))
    if _gap(a, b, found) < gaps[best]:
        return gaps[best], steps[best]
    return _gap(a, b, found), found
