"""The area under the curve, ``sum(schedule(t) for t in range(N))``, by the best method known.

1. **Closed form**: the schedule's own ``area(steps, area_of)`` (the analysis protocol of
   :class:`~lrschedule.core.contract.LearningRateSchedule`); a composite adds up its
   children's areas through ``area_of``, each by whatever method it has, and the method
   reported is the least exact one used.
2. **Piecewise Euler-Maclaurin sum**, for a run longer than ``2**20`` steps of a schedule
   that names its smooth pieces (``smooth_pieces``): see :func:`piecewise_sum`.
3. **Every step** otherwise, in vectorized blocks.

The methods and their accuracy are described in :mod:`lrschedule.analysis`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from itertools import pairwise
from typing import Any

from lrschedule.analysis.evaluation import (
    EVERY_STEP_SUM,
    check_total,
    float_values,
    sum_steps,
    values,
)
from lrschedule.analysis.pieces import smooth_runs, with_ends

__all__ = ["CLOSED", "EVERY", "PIECEWISE", "area", "area_and_method", "piecewise_sum"]

CLOSED, PIECEWISE, EVERY = "closed form", "piecewise Euler-Maclaurin sum", "sum of every step"
_RANK = {CLOSED: 0, PIECEWISE: 1, EVERY: 2}  # the least exact method is the largest

_SHORT = 4096  # pieces up to this long are summed step by step
_EDGE = 64  # steps summed one by one at each end of a long piece


def area(schedule: Callable[[Any], Any], total_steps: int) -> float:
    """The total learning-rate budget of ``total_steps`` updates: ``sum(schedule(t))``.

    .. math:: A = \\sum_{t=0}^{N-1} \\eta(t)

    A closed form for Keras's six schedules, a piecewise Euler-Maclaurin sum for other
    schedules with monotone pieces, the sum of every step otherwise (see the module
    documentation for the methods and their accuracy).

    Example:
        >>> from lrschedule import ExponentialDecay
        >>> from lrschedule.analysis import area
        >>> area(ExponentialDecay(1.0, 10, 0.5, staircase=True), 30)  # 10 * (1 + 0.5 + 0.25)
        17.5
    """
    value, _ = area_and_method(schedule, check_total(total_steps))
    return value


def area_and_method(schedule: Any, total: int) -> tuple[float, str]:
    """The area over steps ``0 .. total - 1`` and the name of the method used."""
    if total <= 0:
        return 0.0, CLOSED
    closed = getattr(schedule, "area", None)
    if closed is not None:
        used: list[str] = []

        def area_of(child: Any, steps: int) -> float:
            value, method = area_and_method(child, steps)
            used.append(method)
            return value

        result = closed(total, area_of)
        if result is not None:
            return float(result), max(used, key=_RANK.__getitem__, default=CLOSED)
    if total > EVERY_STEP_SUM:
        runs = smooth_runs(schedule, 0, total)
        if runs is not None:
            return piecewise_sum(schedule, runs, total), PIECEWISE
    return sum_steps(schedule, 0, total), EVERY


# ---------------------------------------------------------------------------- piecewise sums
def _gauss_legendre(order: int) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """Nodes and weights of the ``order``-point Gauss-Legendre rule on [-1, 1]."""
    nodes, weights = [], []
    for index in range(1, order + 1):
        x = math.cos(math.pi * (index - 0.25) / (order + 0.5))
        for _ in range(100):
            p0, p1 = 1.0, x
            for degree in range(2, order + 1):
                p0, p1 = p1, ((2 * degree - 1) * x * p1 - (degree - 1) * p0) / degree
            derivative = order * (x * p1 - p0) / (x * x - 1.0)
            step = p1 / derivative
            x -= step
            if abs(step) < 1e-16:
                break
        p0, p1 = 1.0, x
        for degree in range(2, order + 1):
            p0, p1 = p1, ((2 * degree - 1) * x * p1 - (degree - 1) * p0) / degree
        derivative = order * (x * p1 - p0) / (x * x - 1.0)
        nodes.append(x)
        weights.append(2.0 / ((1.0 - x * x) * derivative * derivative))
    return tuple(nodes), tuple(weights)


_NODES, _WEIGHTS = _gauss_legendre(16)


def _graded(low: float, high: float) -> list[float]:
    """Interval ends from ``low`` to ``high``, doubling in length away from both ends."""
    left, right = [low], [high]
    width = float(_EDGE)
    while left[-1] + width < right[-1] - width:
        left.append(left[-1] + width)
        right.append(right[-1] - width)
        width *= 2.0
    return left + right[::-1]


def _integral(schedule: Any, low: float, high: float) -> float:
    ends = _graded(low, high)
    points, weights = [], []
    for a, b in pairwise(ends):
        half, middle = (b - a) / 2.0, (a + b) / 2.0
        for node, weight in zip(_NODES, _WEIGHTS, strict=True):
            points.append(middle + half * node)
            weights.append(half * weight)
    found = float_values(schedule, points)
    return math.fsum(w * v for w, v in zip(weights, found, strict=True))


def _long_piece_sum(schedule: Any, a: int, b: int) -> float:
    """``sum(schedule(t) for t in range(a, b))`` for a long smooth piece (Euler-Maclaurin)."""
    c, d = a + _EDGE, b - _EDGE - 1
    near = [c - 2, c - 1, c, c + 1, c + 2, d - 2, d - 1, d, d + 1, d + 2]
    f = values(schedule, near)
    slope_c = (f[0] - 8 * f[1] + 8 * f[3] - f[4]) / 12.0
    slope_d = (f[5] - 8 * f[6] + 8 * f[8] - f[9]) / 12.0
    third_c = (-f[0] + 2 * f[1] - 2 * f[3] + f[4]) / 2.0
    third_d = (-f[5] + 2 * f[6] - 2 * f[8] + f[9]) / 2.0
    middle = (
        _integral(schedule, c, d)
        + (f[2] + f[7]) / 2.0
        + (slope_d - slope_c) / 12.0
        - (third_d - third_c) / 720.0
    )
    edges = math.fsum(values(schedule, [*range(a, c), *range(d + 1, b)]))
    return middle + edges


def piecewise_sum(schedule: Any, pieces: Iterable[tuple[int, int]], total: int) -> float:
    """The area over ``[0, total)``, smooth piece by smooth piece.

    A piece with equal ends is constant (it is monotone): its length times its value. A
    short one is summed step by step (consecutive short pieces together); a long one by
    the Euler-Maclaurin formula (:func:`_long_piece_sum`).
    """
    terms = []
    run_start = None  # a run of consecutive short pieces, summed step by step
    for a, b, first, last in with_ends(schedule, pieces):
        if b - a <= _SHORT and first != last:
            if run_start is None:
                run_start = a
            continue
        if run_start is not None:
            terms.append(sum_steps(schedule, run_start, a))
            run_start = None
        terms.append((b - a) * first if first == last else _long_piece_sum(schedule, a, b))
    if run_start is not None:
        terms.append(sum_steps(schedule, run_start, total))
    return math.fsum(terms)
