"""Look at a schedule before training with it: values, key figures, the area under the curve.

* :func:`sample` evaluates a schedule on many steps at once and returns a NumPy array.
* :func:`describe` summarises a run of ``total_steps`` updates (steps ``0`` to
  ``total_steps - 1``) in a :class:`Description`: the learning rate at the start and at
  the end, the peak and the minimum with the first step that reaches each, the mean, the
  area under the curve, the steps at which the rate first falls below 50 %, 10 % and 1 %
  of the peak, and the breakpoints (stairs, restarts, boundaries, phase changes).
* :func:`area` is the total learning-rate budget of the run,

  .. math:: A = \\sum_{t=0}^{N-1} \\eta(t)

  the sum of the rates the ``N`` optimizer updates use (``sum(schedule(t) for t in
  range(N))``); the mean rate is ``A / N``. It is a sum over whole steps, not an integral,
  so a stair of ``k`` steps at rate ``v`` contributes exactly ``k * v``.
* :func:`first_below` finds the first step at which the rate is below a value.
* :func:`curve` chooses the steps a plot draws: evenly spaced points plus both sides of
  every breakpoint, so that no stair or restart is missed however long the run.

How the figures are computed
----------------------------
**Monotone pieces.** Every schedule of the library is monotone between consecutive
breakpoints (a composite is when its children are; the exception is
``CyclicalLearningRate(mode="exp_range")``, whose triangles ``gamma**t`` bends). For such
a schedule the extremes lie at the ends of a piece, and the first step below a value is
found by comparing the ends of each piece and bisecting, on whole steps, inside the one
piece where the crossing happens: about ``log2(N)`` evaluations. Keras's decays without
stairs are monotone over the whole run, so their figures cost the same for ``10**12``
steps as for ten; otherwise the cost is two evaluations per piece (about a second per
million stairs or restarts). A user's class declares monotone, smooth pieces with a class
attribute ``_monotone_pieces = True``.

**Closed forms.** The area of Keras's six schedules is a closed form: geometric series for
``ExponentialDecay`` (stairs of ``decay_steps`` steps at ``r**k``, or ``sum(q**t) =
expm1(N log q) / expm1(log q)`` with ``q = decay_rate ** (1 / decay_steps)``); the digamma
difference ``psi(x + N) - psi(x) = sum(1 / (x + t))`` for ``InverseTimeDecay`` (by its
asymptotic series with Bernoulli numbers past 4,096 terms); a count of steps per value
for ``PiecewiseConstantDecay``; the sum of cosines over an arithmetic progression,
``sum(cos(a + j d), j < M) = sin(M d / 2) cos(a + (M - 1) d / 2) / sin(d / 2)``, for
``CosineDecay`` and each cycle of ``CosineDecayRestarts`` (equal cycles: a geometric
series in ``m_mul`` over the cycles); the Euler-Maclaurin formula with the polynomial's
exact derivatives for ``PolynomialDecay`` (its last 64 terms, where the derivatives grow,
added one by one). ``Constant``, ``Scale``, ``Join`` and ``Warmup`` add up their parts
(a ``Join`` child over its own span, a warmup ramp by its own closed form). Each is
accurate to a few units in the last place of a float. Stairs of a fractional number of
steps and ``PolynomialDecay(cycle=True)`` use the piecewise sums below.

**Piecewise sums.** Other schedules with monotone pieces are summed piece by piece. A
piece whose two ends are equal is constant (it is monotone): its length times its value.
A piece of at most 4,096 steps is summed step by step. A longer one is summed step by
step over its first and last 64 steps and, in between, by the Euler-Maclaurin formula:
the integral of the schedule evaluated at fractional steps (Gauss-Legendre, 16 nodes per
interval, on intervals that double in length away from the ends of the piece), plus the
end corrections ``(f(c) + f(d)) / 2 + (f'(d) - f'(c)) / 12 - (f'''(d) - f'''(c)) / 720``
with derivatives from central differences of whole steps. Its relative error is below
``1e-12`` for smooth pieces. Runs of at most ``2**20`` steps are summed step by step.

**Every step.** Anything else (a user's schedule that does not declare its pieces, a
``Clip``, whose pieces bend where a bound starts to hold) is evaluated at every step, in
vectorized blocks of ``2**20`` steps when NumPy is installed, each block added pairwise
and the blocks with ``math.fsum``. This is the definition, so it is exact too, but its
cost grows with the run: about a second per ``10**8`` steps.

Which method gave the area is reported in :attr:`Description.area_method`.

NumPy is used when it is installed and the work is large; :func:`sample` needs it, the
rest works without it (``describe`` then evaluates Python numbers one by one).
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from fractions import Fraction
from itertools import islice, pairwise
from typing import Any

from lrschedule.core.contract import LearningRateSchedule
from lrschedule.schedules import (
    Clip,
    Constant,
    CosineDecay,
    CosineDecayRestarts,
    CyclicalLearningRate,
    ExponentialDecay,
    InverseTimeDecay,
    Join,
    PiecewiseConstantDecay,
    PolynomialDecay,
    Scale,
    Warmup,
)
from lrschedule.schedules.base import Schedule as FrozenSchedule

__all__ = [
    "DEFAULT_FRACTIONS",
    "Description",
    "area",
    "curve",
    "describe",
    "first_below",
    "sample",
]

#: The fractions of the peak :func:`describe` reports first crossings for (50 %, 10 %, 1 %).
DEFAULT_FRACTIONS = (0.5, 0.1, 0.01)

_BLOCK = 1 << 20  # steps evaluated per vectorized call
_SHORT = 4096  # pieces up to this long are summed step by step
_EDGE = 64  # steps summed one by one at each end of a long piece
_NUMPY_FROM = 512  # evaluate this many steps or more with NumPy, when installed
_INT64_MAX = 2**63 - 1


# ---------------------------------------------------------------------------- evaluation
def _numpy(size: int) -> Any:
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


def _check_total(total_steps: Any, name: str = "total_steps") -> int:
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


def _call_array(schedule: Any, x: Any, numpy: Any) -> Any:
    """``schedule(x)`` as a float64 array of ``x``'s shape; a schedule that cannot take an
    array (a user's ``if step < ...``) is called step by step instead."""
    if isinstance(schedule, FrozenSchedule):
        values = schedule(x)
    else:
        try:
            values = schedule(x)
            values = numpy.asarray(values, dtype=numpy.float64)
        except Exception:
            values = numpy.array([float(schedule(step)) for step in x.ravel().tolist()])
            values = values.reshape(x.shape)
    values = numpy.asarray(values, dtype=numpy.float64)
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
    return _call_array(schedule, x, numpy)


def _values(schedule: Any, steps: Sequence[int]) -> list[float]:
    """The rates at whole ``steps`` as Python floats (NumPy for many steps, if installed)."""
    numpy = _numpy(len(steps))
    if numpy is None or not steps or max(steps) > _INT64_MAX:
        return [float(schedule(step)) for step in steps]
    values: list[float] = _call_array(
        schedule, numpy.asarray(steps, dtype=numpy.int64), numpy
    ).tolist()
    return values


def _float_values(schedule: Any, points: Sequence[float]) -> list[float]:
    """The rates at fractional steps (for the quadrature): one array call when NumPy is there."""
    numpy = _numpy(max(len(points), _NUMPY_FROM))
    if numpy is None:
        return [float(schedule(float(point))) for point in points]
    values: list[float] = _call_array(
        schedule, numpy.asarray(points, dtype=numpy.float64), numpy
    ).tolist()
    return values


def _blocks(schedule: Any, start: int, stop: int) -> Iterator[tuple[int, Any]]:
    """``(first step, values)`` for consecutive blocks of ``[start, stop)``.

    The values are a float64 array with NumPy, a list of floats without.
    """
    numpy = _numpy(stop - start)
    for low in range(start, stop, _BLOCK):
        high = min(low + _BLOCK, stop)
        if numpy is not None and high - 1 <= _INT64_MAX:
            yield low, _call_array(schedule, numpy.arange(low, high, dtype=numpy.int64), numpy)
        else:
            yield low, [float(schedule(step)) for step in range(low, high)]


def _block_sum(values: Any) -> float:
    if isinstance(values, list):
        return math.fsum(values)
    return float(values.sum())


def _sum_steps(schedule: Any, start: int, stop: int) -> float:
    """``sum(schedule(t) for t in range(start, stop))``, block by block."""
    return math.fsum(_block_sum(values) for _, values in _blocks(schedule, start, stop))


# ---------------------------------------------------------------------------- breakpoints
def _breakpoints(schedule: Any, start: int, stop: int) -> Iterator[int]:
    method = getattr(schedule, "breakpoints", None)
    if method is None:
        return iter(())
    return iter(method(start, stop))


def _pieces(schedule: Any, start: int, stop: int) -> Iterator[tuple[int, int]]:
    """The pieces ``[a, b)`` between consecutive breakpoints, covering ``[start, stop)``."""
    low = start
    for step in _breakpoints(schedule, start + 1, stop):
        yield low, step
        low = step
    yield low, stop


_SMOOTH, _MONOTONE, _UNKNOWN = 2, 1, 0


def _kind(schedule: Any) -> int:
    """How regular the schedule is between consecutive breakpoints.

    ``_SMOOTH``: monotone and smooth (every library schedule, and a class declaring
    ``_monotone_pieces = True``); ``_MONOTONE``: monotone with kinks (a ``Clip`` bends a
    piece where a bound starts to hold); ``_UNKNOWN``: anything else (a user's schedule,
    ``CyclicalLearningRate(mode="exp_range")``, whose triangles are bent by ``gamma**t``).
    A composite is as regular as its least regular child.
    """
    declared = getattr(schedule, "_monotone_pieces", None)
    if declared is not None:
        return _SMOOTH if declared else _UNKNOWN
    cls = type(schedule)
    if cls in _SEGMENTS:
        return _SMOOTH
    if not isinstance(schedule, FrozenSchedule) or not cls.__module__.startswith("lrschedule."):
        return _UNKNOWN
    if isinstance(schedule, CyclicalLearningRate) and schedule.mode == "exp_range":
        return _UNKNOWN
    kind = _MONOTONE if isinstance(schedule, Clip) else _SMOOTH
    for child in _children(schedule._arguments().values()):
        kind = min(kind, _kind(child))
    return kind


def _children(values: Iterable[Any]) -> Iterator[Any]:
    """The schedules among a composite's arguments (in lists and tuples too)."""
    for value in values:
        if isinstance(value, (list, tuple)):
            yield from _children(value)
        elif isinstance(value, LearningRateSchedule) or (
            callable(value) and callable(getattr(value, "get_config", None))
        ):
            yield value


def _whole_run(schedule: Any, total: int) -> Iterator[tuple[int, int]]:
    yield 0, total


def _cosine_segments(schedule: CosineDecay, total: int) -> Iterator[tuple[int, int]]:
    if schedule._warmup:  # a warmup (linear), then a decay and its hold (monotone)
        rise = min(math.ceil(schedule._warmup), total)
        yield 0, rise
        if rise < total:
            yield rise, total
    else:
        yield 0, total


def _breakpoint_pieces(schedule: Any, total: int) -> Iterator[tuple[int, int]]:
    return _pieces(schedule, 0, total)


def _staircase_segments(schedule: Any, total: int) -> Iterator[tuple[int, int]]:
    yield 0, total


#: Runs of steps on which each schedule is monotone (coarser than its pieces where it can be).
_SEGMENTS: dict[type, Callable[[Any, int], Iterator[tuple[int, int]]]] = {
    ExponentialDecay: _whole_run,
    InverseTimeDecay: _whole_run,
    CosineDecay: _cosine_segments,
    PiecewiseConstantDecay: _breakpoint_pieces,
    CosineDecayRestarts: _breakpoint_pieces,
    PolynomialDecay: lambda schedule, total: (
        _breakpoint_pieces(schedule, total) if schedule.cycle else _whole_run(schedule, total)
    ),
}


def _segments(schedule: Any, total: int) -> Iterator[tuple[int, int]] | None:
    """Monotone runs covering ``[0, total)``, or ``None`` when the schedule does not say."""
    rule = _SEGMENTS.get(type(schedule))
    if rule is not None:
        return rule(schedule, total)
    if _kind(schedule) >= _MONOTONE:
        return _pieces(schedule, 0, total)
    return None


def _with_ends(
    schedule: Any, segments: Iterable[tuple[int, int]]
) -> Iterator[tuple[int, int, float, float]]:
    """``(a, b, f(a), f(b - 1))`` for each segment, evaluated in batches."""
    iterator = iter(segments)
    while True:
        batch = list(islice(iterator, 4096))
        if not batch:
            return
        steps = [a for a, _ in batch] + [b - 1 for _, b in batch]
        values = _values(schedule, steps)
        half = len(batch)
        for index, (a, b) in enumerate(batch):
            yield a, b, values[index], values[half + index]


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


def _rate(schedule: Any, step: int) -> float:
    return float(schedule(step))


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
    total = _check_total(total_steps)
    (found,) = _first_below_many(schedule, [float(value)], max(int(start), 0), total)
    return found


def _first_below_many(
    schedule: Any, thresholds: Sequence[float], start: int, total: int
) -> list[int | None]:
    found: list[int | None] = [None] * len(thresholds)
    if start >= total or not thresholds:
        return found
    pending = set(range(len(thresholds)))
    segments = _segments(schedule, total)
    if segments is None:
        for low, values in _blocks(schedule, start, total):
            for index in sorted(pending):
                hit = _first_index_below(values, thresholds[index])
                if hit is not None:
                    found[index] = low + hit
                    pending.discard(index)
            if not pending:
                break
        return found
    clipped = ((max(a, start), b) for a, b in segments if b > start)
    for a, b, first, last in _with_ends(schedule, clipped):
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
    return _bisect(low, high, lambda step: _rate(schedule, step) < limit)


def _first_index_below(values: Any, limit: float) -> int | None:
    if isinstance(values, list):
        return next((index for index, value in enumerate(values) if value < limit), None)
    hits = (values < limit).nonzero()[0]
    return int(hits[0]) if hits.size else None


# ---------------------------------------------------------------------------- extremes
def _extremes(schedule: Any, total: int) -> tuple[float, int, float, int] | None:
    """``(peak, its first step, minimum, its first step)`` from the monotone runs, or None."""
    segments = _segments(schedule, total)
    if segments is None:
        return None
    peak, peak_step = -math.inf, 0
    low, low_step = math.inf, 0
    for a, b, first, last in _with_ends(schedule, segments):
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
    return _bisect(a, b - 1, lambda step: _rate(schedule, step) >= value)


def _first_at_most(schedule: Any, a: int, b: int, value: float) -> int:
    return _bisect(a, b - 1, lambda step: _rate(schedule, step) <= value)


# ---------------------------------------------------------------------------- area
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
    value, _ = _area(schedule, _check_total(total_steps))
    return value


_CLOSED, _PIECEWISE, _EVERY = "closed form", "piecewise Euler-Maclaurin sum", "sum of every step"
_METHOD_RANK = {_CLOSED: 0, _PIECEWISE: 1, _EVERY: 2}


def _area(schedule: Any, total: int) -> tuple[float, str]:
    """The area over steps ``0 .. total - 1`` and the name of the method used."""
    if total <= 0:
        return 0.0, _CLOSED
    rule = _CLOSED_AREA.get(type(schedule))
    if rule is not None:
        result = rule(schedule, total)
        if isinstance(result, tuple):
            return result
        if result is not None:
            return result, _CLOSED
    if total > _BLOCK and _kind(schedule) == _SMOOTH:
        return _piecewise_sum(schedule, total), _PIECEWISE
    return _sum_steps(schedule, 0, total), _EVERY


def _combine(parts: Iterable[tuple[float, str]]) -> tuple[float, str]:
    """Add areas of parts; the method reported is the least exact one used."""
    values, method = [], _CLOSED
    for value, used in parts:
        values.append(value)
        if _METHOD_RANK[used] > _METHOD_RANK[method]:
            method = used
    return math.fsum(values), method


def _geometric(log_ratio: float, count: int) -> float:
    """``sum(exp(k * log_ratio) for k in range(count))`` without cancellation."""
    if count == 0:
        return 0.0
    if log_ratio == 0:
        return float(count)
    try:
        return math.expm1(count * log_ratio) / math.expm1(log_ratio)
    except OverflowError:
        return math.inf


def _power(base: float, exponent: int) -> float:
    try:
        return float(base**exponent)
    except OverflowError:
        return math.inf


def _area_exponential(schedule: ExponentialDecay, total: int) -> float | None:
    lr0, rate, steps = schedule._lr0, schedule._rate, schedule._steps
    if not schedule.staircase:
        return lr0 * _geometric(math.log(rate) / steps, total)
    if not isinstance(steps, int):
        return None
    stairs, rest = divmod(total, steps)
    return lr0 * (steps * _geometric(math.log(rate), stairs) + rest * _power(rate, stairs))


_BERNOULLI = (1 / 6, -1 / 30, 1 / 42, -1 / 30, 5 / 66, -691 / 2730)


def _harmonic(x: float, count: int) -> float:
    """``sum(1 / (x + t) for t in range(count))`` for ``x > 0``: ``psi(x + count) - psi(x)``."""
    if count <= _SHORT:
        return math.fsum(1.0 / (x + t) for t in range(count))
    shift = max(0, math.ceil(16.0 - x))  # the asymptotic series needs arguments >= 16
    head = math.fsum(1.0 / (x + j) - 1.0 / (x + count + j) for j in range(shift))
    low = x + shift
    high = low + count
    series = math.log1p(count / low) + count / (2.0 * low * high)
    for k, bernoulli in enumerate(_BERNOULLI, start=1):
        series += bernoulli / (2 * k) * (low ** (-2 * k) - high ** (-2 * k))
    return head + series


def _area_inverse_time(schedule: InverseTimeDecay, total: int) -> float | None:
    lr0, rate, steps = schedule._lr0, schedule._rate, schedule._steps
    if rate == 0:
        return lr0 * total
    if not schedule.staircase:
        x = steps / rate  # lr0 / (1 + rate * t / steps) == lr0 * x / (x + t)
        return lr0 * x * _harmonic(x, total)
    if not isinstance(steps, int):
        return None
    stairs, rest = divmod(total, steps)
    full = steps / rate * _harmonic(1.0 / rate, stairs)
    return lr0 * (full + rest / (1.0 + rate * stairs))


def _area_piecewise(schedule: PiecewiseConstantDecay, total: int) -> float:
    # values[i] holds on the whole steps t with floor(b[i-1]) < t <= floor(b[i]).
    edges = [-1, *(math.floor(bound) for bound in schedule._bounds), total - 1]
    terms = []
    for index, level in enumerate(schedule._levels):
        count = min(edges[index + 1], total - 1) - max(edges[index], -1)
        if count > 0:
            terms.append(count * level)
    return math.fsum(terms)


def _falling(power: float, order: int) -> float:
    product = 1.0
    for index in range(order):
        product *= power - index
    return product


def _power_sum(steps: int | float, count: int, power: float) -> float:
    """``sum(((steps - t) / steps) ** power for t in range(count))``, ``count <= ceil(steps)``.

    The last 64 terms one by one, the others by the Euler-Maclaurin formula with the exact
    derivatives ``g^(j)(t) = (-1)**j * power_(j) * steps**-j * u**(power - j)``,
    ``u = (steps - t) / steps``.
    """
    if count <= _SHORT:
        return math.fsum(((steps - t) / steps) ** power for t in range(count))
    tail = math.fsum(((steps - t) / steps) ** power for t in range(count - _EDGE, count))
    last = count - _EDGE - 1  # Euler-Maclaurin over t = 0 .. last
    u_last = (steps - last) / steps
    # The integral of u**power dt from 0 to `last`: steps / (power + 1) * (1 - u_last**(p+1)).
    integral = steps / (power + 1.0) * -math.expm1((power + 1.0) * math.log1p(-last / steps))
    total = integral + (1.0 + u_last**power) / 2.0
    factorial = 2.0
    for k, bernoulli in enumerate(_BERNOULLI, start=1):
        order = 2 * k - 1
        if k > 1:
            factorial *= (2 * k - 1) * (2 * k)
        scale = -_falling(power, order) / steps**order  # (-1)**order == -1
        derivative_last = scale * u_last ** (power - order)
        derivative_first = scale
        total += bernoulli / factorial * (derivative_last - derivative_first)
    return float(total + tail)


def _area_polynomial(schedule: PolynomialDecay, total: int) -> float | None:
    if schedule.cycle or schedule._power > 64:
        return None
    lr0, end, power, steps = schedule._lr0, schedule._end, schedule._power, schedule._steps
    if power == 0:  # 0 ** 0 == 1: the rate stays at initial_learning_rate
        return lr0 * total
    decaying = min(total, math.ceil(steps))
    return end * total + (lr0 - end) * _power_sum(steps, decaying, power)


def _cosine_sum(phase: float, angle: float, count: int) -> float:
    """``sum(cos(angle * (phase + j)) for j in range(count))``."""
    if count <= 16:
        return math.fsum(math.cos(angle * (phase + j)) for j in range(count))
    return (
        math.sin(count * angle / 2.0)
        * math.cos(angle * (phase + (count - 1) / 2.0))
        / math.sin(angle / 2.0)
    )


def _x_minus_sin(x: float) -> float:
    """``x - sin(x)`` without cancellation for small ``x`` (its Taylor series below 1)."""
    if abs(x) >= 1.0:
        return x - math.sin(x)
    term, total = x, 0.0
    for k in range(1, 12):
        term *= -x * x / ((2 * k) * (2 * k + 1))
        total -= term
    return total


def _sine_squares(phi: float, count: int) -> float:
    """``sum(sin(phi * t) ** 2 for t in range(count))``, accurate when every term is small.

    The Euler-Maclaurin formula, exact for this function when ``2 * phi < 2 * pi``: with
    ``L = count - 1`` and ``x = 2 * phi * L``, the integral ``(x - sin x) / (4 phi)``, plus
    ``sin(phi L)**2 / 2``, plus ``sin(x) / 2 * sum(B_2k / (2k)! * (-1)**(k+1) * (2 phi)**(2k-1))``
    (the odd derivatives vanish at 0).
    """
    if count <= 16 or 2 * phi >= 1.0:
        return math.fsum(math.sin(phi * t) ** 2 for t in range(count))
    last = count - 1
    x = 2.0 * phi * last
    total = _x_minus_sin(x) / (4.0 * phi) + math.sin(phi * last) ** 2 / 2.0
    factorial, series = 1.0, 0.0
    for k, bernoulli in enumerate(_BERNOULLI, start=1):
        factorial *= (2 * k - 1) * (2 * k)
        series += bernoulli / factorial * (-1) ** (k + 1) * (2.0 * phi) ** (2 * k - 1)
    return total + math.sin(x) / 2.0 * series


def _half_cosine_sum(phase: float, length: float, count: int) -> float:
    """``sum(0.5 * (1 + cos(pi * (phase + j) / length)) for j in range(count))``."""
    return count / 2.0 + _cosine_sum(phase, math.pi / length, count) / 2.0


def _area_cosine(schedule: CosineDecay, total: int) -> float:
    peak, alpha, keep = schedule._peak, schedule._alpha, schedule._keep
    found = list(schedule.breakpoints(1, _INT64_MAX))
    warmup = schedule._warmup
    terms = []
    if warmup:
        rise = found[0]  # the first step of the decay, ceil(warmup_steps)
        count = min(total, rise)
        # lr0 * (warmup - t) / warmup + peak * t / warmup, summed over t < count.
        terms.append(schedule._lr0 * count)
        terms.append((peak - schedule._lr0) * (count * (count - 1) // 2) / warmup)
        phase = float(rise - Fraction(warmup))  # the decay's clock at step `rise`
    else:
        rise, phase = 0, 0.0
    end = found[-1]  # the first step of the hold
    count = max(0, min(total, end) - rise)
    terms.append(peak * (alpha * count + keep * _half_cosine_sum(phase, schedule._steps, count)))
    terms.append(peak * alpha * max(0, total - max(end, rise)))
    return math.fsum(terms)


def _area_restarts(schedule: CosineDecayRestarts, total: int) -> float | None:
    lr0, alpha, keep, first = schedule._lr0, schedule._alpha, schedule._keep, schedule._first
    cycles = schedule._cycles
    if cycles is None and isinstance(first, int):
        # Equal cycles of `first` steps: the same wave in each, scaled by m_mul**k.
        count, rest = divmod(total, first)
        wave = _half_cosine_sum(0.0, first, first)
        m = schedule._m
        scales = 1.0 if m == 0 and count else _geometric(math.log(m), count) if m else 0.0
        whole = keep * wave * scales + alpha * first * count
        last = keep * schedule._peak(count) * _half_cosine_sum(0.0, first, rest) + alpha * rest
        return lr0 * (whole + last)
    terms = []
    for index, (a, b) in enumerate(_pieces(schedule, 0, total)):
        if index > 1_000_000:  # very many short cycles: summed piecewise instead
            return None
        if cycles is None:
            cycle = math.floor(a / Fraction(first))
            start, length = Fraction(first) * cycle, float(first)
        else:
            cycle = cycles.locate_int(a)
            if cycle < 0:  # past the end of shrinking cycles: the floor
                terms.append(alpha * (b - a))
                continue
            start = (
                Fraction(cycles.end_floor[cycle - 1]) + Fraction(cycles.end_fraction[cycle - 1])
                if cycle
                else Fraction(0)
            )
            length = cycles.length[cycle]
        phase = float(a - start)
        wave = _half_cosine_sum(phase, length, b - a)
        terms.append(keep * schedule._peak(cycle) * wave + alpha * (b - a))
    return lr0 * math.fsum(terms)


def _area_constant(schedule: Constant, total: int) -> float:
    return float(schedule(0)) * total


def _area_scale(schedule: Scale, total: int) -> tuple[float, str]:
    value, method = _area(schedule.schedule, total)
    return float(schedule.factor) * value, method


def _area_join(schedule: Join, total: int) -> tuple[float, str]:
    # Schedule i runs on its own clock over [b_i, b_{i+1}).
    offsets = [0, *schedule.boundaries]
    ends = [*schedule.boundaries, total]
    return _combine(
        _area(child, min(end, total) - offset)
        for child, offset, end in zip(schedule.schedules, offsets, ends, strict=True)
        if offset < total
    )


def _area_warmup(schedule: Warmup, total: int) -> tuple[float, str]:
    warmup = schedule.warmup_steps
    count = min(total, warmup)
    lr0, target = float(schedule.initial_learning_rate), float(schedule.schedule(0))
    if count == 0:
        ramp = 0.0
    elif schedule.shape == "linear":  # lr0 + (target - lr0) * t / warmup
        ramp = lr0 * count + (target - lr0) * (count * (count - 1) // 2) / warmup
    elif schedule.shape == "cosine":  # lr0 * cos(pi t / 2W)**2 + target * sin(pi t / 2W)**2
        rising = _sine_squares(math.pi / (2 * warmup), count)
        ramp = lr0 * (count - rising) + target * rising
    else:  # lr0 * (target / lr0) ** (t / warmup)
        ramp = lr0 * _geometric(math.log(target / lr0) / warmup, count)
    return _combine([(ramp, _CLOSED), _area(schedule.schedule, total - warmup)])


_CLOSED_AREA: dict[type, Callable[[Any, int], float | tuple[float, str] | None]] = {
    ExponentialDecay: _area_exponential,
    InverseTimeDecay: _area_inverse_time,
    PiecewiseConstantDecay: _area_piecewise,
    PolynomialDecay: _area_polynomial,
    CosineDecay: _area_cosine,
    CosineDecayRestarts: _area_restarts,
    Constant: _area_constant,
    Scale: _area_scale,
    Join: _area_join,
    Warmup: _area_warmup,
}


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
    values = _float_values(schedule, points)
    return math.fsum(w * v for w, v in zip(weights, values, strict=True))


def _long_piece_sum(schedule: Any, a: int, b: int) -> float:
    """``sum(schedule(t) for t in range(a, b))`` for a long smooth piece (Euler-Maclaurin)."""
    c, d = a + _EDGE, b - _EDGE - 1
    near = [c - 2, c - 1, c, c + 1, c + 2, d - 2, d - 1, d, d + 1, d + 2]
    f = _values(schedule, near)
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
    edges = math.fsum(_values(schedule, [*range(a, c), *range(d + 1, b)]))
    return middle + edges


def _piecewise_sum(schedule: Any, total: int) -> float:
    """The area piece by piece: a piece with equal ends is constant (it is monotone), a
    short one is summed step by step, a long one by :func:`_long_piece_sum`."""
    terms = []
    run_start = None  # a run of consecutive short pieces, summed step by step
    for a, b, first, last in _with_ends(schedule, _pieces(schedule, 0, total)):
        if b - a <= _SHORT and first != last:
            if run_start is None:
                run_start = a
            continue
        if run_start is not None:
            terms.append(_sum_steps(schedule, run_start, a))
            run_start = None
        terms.append((b - a) * first if first == last else _long_piece_sum(schedule, a, b))
    if run_start is not None:
        terms.append(_sum_steps(schedule, run_start, total))
    return math.fsum(terms)


# ---------------------------------------------------------------------------- describe
@dataclass(frozen=True)
class Description:
    """Key figures of a schedule over a run of ``total_steps`` updates (steps 0 to N - 1).

    Attributes:
        schedule: The schedule described.
        total_steps: ``N``, the number of updates.
        start: The rate at step 0.
        end: The rate at step ``N - 1``, the last update.
        peak: The largest rate; ``peak_step`` the first step with it.
        minimum: The smallest rate; ``minimum_step`` the first step with it.
        mean: ``area / N``.
        area: ``sum(schedule(t) for t in range(N))``, the total learning-rate budget.
        area_method: How ``area`` was computed: ``"closed form"``, ``"piecewise
            Euler-Maclaurin sum"`` or ``"sum of every step"``.
        below: ``(fraction, step)`` pairs: the first step at or after the peak at which
            the rate is below ``fraction * peak``, or ``None`` if it never is.
        breakpoints: The first breakpoints in ``[1, N)``, in order.
        more_breakpoints: Whether there are breakpoints beyond those listed.
    """

    schedule: Any
    total_steps: int
    start: float
    end: float
    peak: float
    peak_step: int
    minimum: float
    minimum_step: int
    mean: float
    area: float
    area_method: str
    below: tuple[tuple[float, int | None], ...]
    breakpoints: tuple[int, ...]
    more_breakpoints: bool

    @property
    def maximum(self) -> float:
        """The largest rate (the same as :attr:`peak`)."""
        return self.peak

    def first_below(self, fraction: float) -> int | None:
        """The first step at or after the peak with a rate below ``fraction * peak``."""
        for known, step in self.below:
            if known == fraction:
                return step
        raise KeyError(
            f"No crossing of {fraction!r} of the peak was computed; "
            f"known fractions: {[known for known, _ in self.below]}"
        )

    def as_dict(self) -> dict[str, Any]:
        """The figures as JSON-ready Python values (the schedule as its ``repr``)."""
        return {
            "schedule": repr(self.schedule),
            "total_steps": self.total_steps,
            "start": self.start,
            "end": self.end,
            "peak": self.peak,
            "peak_step": self.peak_step,
            "minimum": self.minimum,
            "minimum_step": self.minimum_step,
            "mean": self.mean,
            "area": self.area,
            "area_method": self.area_method,
            "below": [{"fraction": fraction, "step": step} for fraction, step in self.below],
            "breakpoints": list(self.breakpoints),
            "more_breakpoints": self.more_breakpoints,
        }

    def __str__(self) -> str:
        return "\n".join(self.lines())

    def lines(self, width: int = 100) -> list[str]:
        """The report as lines of text, as ``lrschedule describe`` prints it."""
        last = self.total_steps - 1
        rows = [
            ("schedule", repr(self.schedule)),
            ("steps", f"{self.total_steps:,} updates (steps 0 to {last:,})"),
            ("start", _number(self.start)),
            ("end", f"{_number(self.end)} at step {last:,}"),
            ("peak", f"{_number(self.peak)} at step {self.peak_step:,}"),
            ("minimum", f"{_number(self.minimum)} at step {self.minimum_step:,}"),
            ("mean", _number(self.mean)),
            ("area", f"{_number(self.area)} (sum over the updates; {self.area_method})"),
        ]
        for fraction, step in self.below:
            label = f"below {_percent(fraction)}"
            limit = _number(fraction * self.peak)
            text = f"step {step:,}" if step is not None else "never"
            rows.append((label, f"{text} (rate < {limit})"))
        shown = ", ".join(f"{step:,}" for step in self.breakpoints)
        if not self.breakpoints:
            summary = "none"
        elif self.more_breakpoints:
            summary = f"first {len(self.breakpoints):,}: {shown}, ..."
        else:
            summary = f"{len(self.breakpoints):,}: {shown}"
        rows.append(("breakpoints", summary))
        key_width = max(len(key) for key, _ in rows)
        lines = []
        for key, value in rows:
            lines.extend(_wrap(f"{key:<{key_width}}  ", value, width))
        return lines


def _wrap(prefix: str, text: str, width: int) -> list[str]:
    """``prefix + text``, continued under the text on more lines at ", " when too wide."""
    if len(prefix) + len(text) <= width or ", " not in text:
        return [prefix + text]
    lines, current = [], ""
    for part in text.split(", "):
        candidate = f"{current}, {part}" if current else part
        if current and len(prefix) + len(candidate) + 1 > width:
            lines.append(current + ",")
            current = part
        else:
            current = candidate
    lines.append(current)
    pad = " " * len(prefix)
    return [prefix + lines[0], *(pad + line for line in lines[1:])]


def _number(value: float) -> str:
    """A rate for people: 10 significant digits."""
    return f"{value:.10g}"


def _percent(fraction: float) -> str:
    return f"{fraction * 100:g}%"


def describe(
    schedule: Callable[[Any], Any],
    total_steps: int,
    *,
    fractions: Sequence[float] = DEFAULT_FRACTIONS,
    max_breakpoints: int = 100,
) -> Description:
    """Key figures of ``schedule`` over a run of ``total_steps`` updates (steps 0 to N - 1).

    See :class:`Description` for the figures and the module documentation for how they
    are computed (closed forms and bisection for the library's schedules, whatever the
    number of steps).

    Args:
        schedule: The schedule.
        total_steps: ``N``, the number of updates; > 0.
        fractions: The fractions of the peak whose first crossing is reported.
        max_breakpoints: At most this many breakpoints are listed.

    Example:
        >>> from lrschedule import ExponentialDecay, describe
        >>> summary = describe(ExponentialDecay(1.0, 10, 0.5, staircase=True), 40)
        >>> summary.peak, summary.end, summary.area, summary.mean
        (1.0, 0.125, 18.75, 0.46875)
        >>> summary.first_below(0.5), summary.first_below(0.1), summary.breakpoints
        (20, None, (10, 20, 30))
    """
    total = _check_total(total_steps)
    if isinstance(max_breakpoints, bool) or not isinstance(max_breakpoints, int):
        raise TypeError(
            f"Argument `max_breakpoints` must be an int. Received: "
            f"max_breakpoints={max_breakpoints!r}"
        )
    if max_breakpoints < 0:
        raise ValueError(
            f"Argument `max_breakpoints` must be >= 0. Received: max_breakpoints={max_breakpoints}"
        )
    fractions = tuple(float(fraction) for fraction in fractions)
    extremes = _extremes(schedule, total)
    if extremes is None:
        peak, peak_step, low, low_step, area_value = _scan(schedule, total)
        method = "sum of every step"
    else:
        peak, peak_step, low, low_step = extremes
        area_value, method = _area(schedule, total)
    # The figures as `schedule(step)` gives them (a NumPy evaluation may differ by an ulp).
    peak, low = _rate(schedule, peak_step), _rate(schedule, low_step)
    start, end = _values(schedule, [0, total - 1])
    below = _first_below_many(
        schedule, [fraction * peak for fraction in fractions], peak_step, total
    )
    listed = list(islice(_breakpoints(schedule, 1, total), max_breakpoints + 1))
    return Description(
        schedule=schedule,
        total_steps=total,
        start=start,
        end=end,
        peak=peak,
        peak_step=peak_step,
        minimum=low,
        minimum_step=low_step,
        mean=area_value / total,
        area=area_value,
        area_method=method,
        below=tuple(zip(fractions, below, strict=True)),
        breakpoints=tuple(listed[:max_breakpoints]),
        more_breakpoints=len(listed) > max_breakpoints,
    )


def _scan(schedule: Any, total: int) -> tuple[float, int, float, int, float]:
    """Peak, minimum (with their first steps) and sum, from every step."""
    peak, peak_step = -math.inf, 0
    low, low_step = math.inf, 0
    sums = []
    for first, values in _blocks(schedule, 0, total):
        if isinstance(values, list):
            block_peak = max(values)
            block_low = min(values)
            peak_index = values.index(block_peak)
            low_index = values.index(block_low)
        else:
            peak_index = int(values.argmax())
            low_index = int(values.argmin())
            block_peak = float(values[peak_index])
            block_low = float(values[low_index])
        if block_peak > peak:
            peak, peak_step = block_peak, first + peak_index
        if block_low < low:
            low, low_step = block_low, first + low_index
        sums.append(_block_sum(values))
    return peak, peak_step, low, low_step, math.fsum(sums)


# ---------------------------------------------------------------------------- plotting points
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
    total = _check_total(total_steps)
    points = max(2, int(points))
    count = min(points, total)
    last = total - 1
    grid = sorted({(index * last) // max(count - 1, 1) for index in range(count)})
    found = list(islice(_breakpoints(schedule, 1, total), max_breakpoints + 1))
    if len(found) > max_breakpoints:
        per_gap = max(1, max_breakpoints // len(grid))
        ends = [*grid[1:], last]
        found = []
        for low, high in zip(grid, ends, strict=True):
            found.extend(islice(_breakpoints(schedule, low + 1, high + 1), per_gap))
    steps = sorted({*grid, *found, *(step - 1 for step in found)})
    return steps, _values(schedule, steps)
