"""Evaluating a schedule on many steps: :func:`sample`, values as floats, blocks and their sums.

NumPy is used when it is installed and the work is large enough to be worth it; without
it every step is a Python call, exactly what ``schedule(step)`` gives.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable, Iterator, Sequence
from typing import Any

__all__ = [
    "BLOCK",
    "EVERY_STEP_SUM",
    "block_sum",
    "blocks",
    "call_array",
    "check_total",
    "float_values",
    "numpy_if_worth",
    "rate",
    "sample",
    "sum_steps",
    "values",
]

#: Steps evaluated per vectorized call: 1 MiB a float64 array, so that a formula's few
#: temporaries stay within a few MiB however long the run.
BLOCK = 1 << 17
#: Runs up to this many steps are summed step by step (beyond, piece by piece when the
#: schedule names its smooth pieces).
EVERY_STEP_SUM = 1 << 20
_NUMPY_FROM = 512  # evaluate this many steps or more with NumPy, when installed
_INT64_MAX = 2**63 - 1


def numpy_if_worth(size: int) -> Any:
    """NumPy when it is worth it (``size`` values to compute) and installed, else None.

    Fewer values are computed with Python numbers: exactly what ``schedule(step)`` gives.
    """
    if size < _NUMPY_FROM:
        return None
    numpy = sys.modules.get("numpy")
    if numpy is not None:
        return numpy
    try:
        import numpy
    except ImportError:
        return None
    return numpy


def check_total(total_steps: Any, name: str = "total_steps") -> int:
    """``total_steps`` as an ``int`` > 0 (anything with ``__index__``, not a ``bool``)."""
    if isinstance(total_steps, bool) or not isinstance(total_steps, int):
        index = getattr(total_steps, "__index__", None)
        if index is None or isinstance(total_steps, bool):
            raise TypeError(
                f"Argument `{name}` must be an int (a number of steps). "
                f"Received: {name}={total_steps!r} of type {type(total_steps).__name__}"
            )
        total_steps = index()
    if total_steps <= 0:
        raise ValueError(f"Argument `{name}` must be > 0. Received: {name}={total_steps!r}")
    return int(total_steps)


def call_array(schedule: Any, x: Any, numpy: Any) -> Any:
    """``schedule(x)`` as a float64 array of ``x``'s shape.

    A schedule that cannot take an array (a user's ``if step < ...``) is called step by
    step instead; a step it refuses then raises the error ``schedule(step)`` raises.
    """
    try:
        values = numpy.asarray(schedule(x), dtype=numpy.float64)
    except Exception:
        values = None
    if values is None:  # outside the handler: a refused step raises its own error alone
        values = numpy.array([float(schedule(step)) for step in x.ravel().tolist()])
        values = values.reshape(x.shape)
    if values.shape != x.shape:
        values = numpy.broadcast_to(values, x.shape).copy()
    return values


def sample(schedule: Callable[[Any], Any], steps: Any) -> Any:
    """The learning rates at ``steps``, in one vectorized call: a float64 NumPy array.

    Args:
        schedule: Any schedule (a library schedule, a subclass of
            :class:`~lrschedule.LearningRateSchedule`, or a Keras schedule). One that
            cannot take a NumPy array is evaluated step by step.
        steps: An ``int`` ``N``, meaning ``range(N)`` (steps ``0`` to ``N - 1``), or an
            array-like of non-negative integer or float steps (any shape).

    Returns:
        A ``numpy.ndarray`` of float64 with the shape of ``steps``.

    Raises:
        ImportError: NumPy is not installed.
        ValueError: A negative ``N``, or a negative, NaN or infinite step.
        TypeError: Steps that are neither integers nor floats.

    Example:
        >>> from lrschedule import ExponentialDecay, sample
        >>> sample(ExponentialDecay(1.0, 2, 0.5, staircase=True), 6).tolist()
        [1.0, 1.0, 0.5, 0.5, 0.25, 0.25]
        >>> sample(ExponentialDecay(1.0, 2, 0.5), [[0, 2], [4, 6]]).tolist()
        [[1.0, 0.5], [0.25, 0.125]]
    """
    try:
        import numpy
    except ImportError:
        raise ImportError(
            "lrschedule.sample returns a NumPy array: install NumPy "
            "(pip install 'lrschedule[numpy]')."
        ) from None
    if isinstance(steps, int) and not isinstance(steps, bool):
        if steps < 0:
            raise ValueError(f"Argument `steps` must be >= 0. Received: steps={steps!r}")
        x = numpy.arange(steps, dtype=numpy.int64)
    else:
        x = numpy.asarray(steps)
        if x.dtype.kind not in "iuf":
            raise TypeError(
                "Argument `steps` must be an int or an array of integer or float steps. "
                f"Received: steps of dtype {x.dtype}"
            )
    return call_array(schedule, x, numpy)


def rate(schedule: Any, step: int) -> float:
    """The rate at one step, as ``schedule(step)`` gives it."""
    return float(schedule(step))


def values(schedule: Any, steps: Sequence[int]) -> list[float]:
    """The rates at whole ``steps`` as Python floats (NumPy for many steps, if installed)."""
    numpy = numpy_if_worth(len(steps))
    if numpy is None or not steps or max(steps) > _INT64_MAX:
        return [float(schedule(step)) for step in steps]
    found: list[float] = call_array(
        schedule, numpy.asarray(steps, dtype=numpy.int64), numpy
    ).tolist()
    return found


def float_values(schedule: Any, points: Sequence[float]) -> list[float]:
    """The rates at fractional steps (for a quadrature): one array call when NumPy is there."""
    numpy = numpy_if_worth(max(len(points), _NUMPY_FROM))
    if numpy is None:
        return [float(schedule(float(point))) for point in points]
    found: list[float] = call_array(
        schedule, numpy.asarray(points, dtype=numpy.float64), numpy
    ).tolist()
    return found


def blocks(schedule: Any, start: int, stop: int) -> Iterator[tuple[int, Any]]:
    """``(first step, values)`` for consecutive blocks of ``[start, stop)``.

    The values are a float64 array with NumPy, a list of floats without.
    """
    numpy = numpy_if_worth(stop - start)
    for low in range(start, stop, BLOCK):
        high = min(low + BLOCK, stop)
        if numpy is not None and high - 1 <= _INT64_MAX:
            yield low, call_array(schedule, numpy.arange(low, high, dtype=numpy.int64), numpy)
        else:
            yield low, [float(schedule(step)) for step in range(low, high)]


def block_sum(block: Any) -> float:
    """The sum of one block of :func:`blocks` (pairwise with NumPy, ``math.fsum`` without)."""
    if isinstance(block, list):
        return math.fsum(block)
    return float(block.sum())


def sum_steps(schedule: Any, start: int, stop: int) -> float:
    """``sum(schedule(t) for t in range(start, stop))``, block by block."""
    return math.fsum(block_sum(block) for _, block in blocks(schedule, start, stop))
