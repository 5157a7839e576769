"""Interpolation between knots, and the one-cycle policy built on it.

:class:`PiecewiseInterpolation` goes from value to value between boundary steps, linearly
or along a half-cosine (Optax's ``piecewise_interpolate_schedule``); :class:`OneCycle` is
PyTorch's ``OneCycleLR`` expressed as such knots. Both share one evaluation, written once
in :class:`_Interpolated`.

Knots may be fractional (PyTorch puts the one-cycle peak at ``pct_start * total_steps -
1``). Each knot ``k`` is kept as its whole part and its fraction, ``k = w + f``, so that for
an integer step ``t`` the distance ``k - t = (w - t) + f`` is an exact integer plus a
fraction: the position inside a piece is exact at any step.
"""

from __future__ import annotations

import itertools
import math
from bisect import bisect_right

from lrschedule.backends.dispatch import evaluate
from lrschedule.backends.python import PYTHON_OPS
from lrschedule.core.floats import exact_difference, float_at_least
from lrschedule.core.ranges import step_range
from lrschedule.core.validation import (
    Real,
    as_exact,
    check_increasing,
    check_one_more_value,
    require,
)
from lrschedule.schedules.arguments import choice, flag, numbers, rate, real, schedule_name, steps
from lrschedule.schedules.base import Schedule

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence
    from typing import Any

    from lrschedule.backends.contract import ArrayOps

__all__ = ["OneCycle", "PiecewiseInterpolation"]

INTERPOLATIONS = ("linear", "cosine")
ANNEAL_STRATEGIES = ("cos", "linear")


class _Interpolated(Schedule):
    """Evaluation of a piecewise interpolation over knots ``0 = K_0 < K_1 < ... < K_n``.

    Piece ``i`` covers ``K_i <= t < K_{i+1}`` and goes from ``v_i`` to ``v_{i+1}``; from
    ``K_n`` on the value is ``v_n``.
    """

    __slots__ = ("_levels", "_cosine", "_ceil", "_above", "_whole", "_fraction", "_pieces", "_span")

    def _set_knots(self, knots: Sequence[Real], levels: Sequence[float], cosine: bool) -> None:
        """Store knots ``K_1..K_n`` (exact ints or floats, increasing, > 0) and values."""
        exact = [0, *knots]
        whole = [math.floor(knot) for knot in exact]
        self._levels = tuple(float(level) for level in levels)
        self._cosine = cosine
        self._ceil = tuple(math.ceil(knot) for knot in exact[1:])
        self._above = tuple(float_at_least(knot) for knot in exact[1:])
        self._whole = tuple(whole)
        self._fraction = tuple(
            exact_difference(knot, w) for knot, w in zip(exact, whole, strict=True)
        )
        self._pieces = tuple(zip(*(_narrow_pieces(knot) for knot in exact), strict=True))
        self._span = (*(exact_difference(b, a) for a, b in itertools.pairwise(exact)), 1.0)

    def __call__(self, step: Any) -> Any:
        if step.__class__ is int and step >= 0:
            index = bisect_right(self._ceil, step)
            levels = self._levels
            if index == len(self._ceil):
                return levels[index]
            span = self._span[index]
            left = ((self._whole[index + 1] - step) + self._fraction[index + 1]) / span
            done = ((step - self._whole[index]) - self._fraction[index]) / span
            if self._cosine:
                half_cosine = PYTHON_OPS.half_cosine
                return levels[index] * half_cosine(left) + levels[index + 1] * half_cosine(done)
            return levels[index] * left + levels[index + 1] * done
        return evaluate(self, step)

    def _compute(self, x: Any, ops: ArrayOps) -> Any:
        count = len(self._ceil)
        levels = self._levels
        if count == 0:
            return ops.to_float(x) * 0.0 + levels[0]
        integer = ops.is_integer(x)
        if integer:
            top = ops.int_max(x)
            whole, fraction = list(self._whole), list(self._fraction)
            ceil = list(self._ceil)
            past = 0
            if top is not None:
                # Knots past the integer dtype: clip the whole part, move the rest to the fraction.
                kept = [min(w, top) for w in whole]
                fraction = [f + (w - k) for f, w, k in zip(fraction, whole, kept, strict=True)]
                past = sum(1 for c in ceil if c > top)
                whole, ceil = kept, [min(c, top) for c in ceil]
            index = ops.searchsorted(self._table(ops, "ceil", ceil, x, integer=True), x, right=True)
            if past and top is not None:
                # A clipped knot reads as `top`, which the step `top` would count as passed.
                index = ops.where(ops.below(x, top), index, index - past)
            whole_table = self._table(ops, "whole", whole, x, integer=True)
            fraction_table = self._table(ops, "fraction", fraction, x, integer=False)
        else:
            index = ops.searchsorted(
                self._table(ops, "above", self._above, x, integer=False), x, right=True
            )
            whole_table = fraction_table = None
        following = ops.minimum(index + 1, count)
        span = ops.take(self._table(ops, "span", self._span, x, integer=False), index)
        if fraction_table is None:
            # A float step: each knot as hi + mid + lo, pieces exact in float32, so that the
            # distance to a knot near the step is exact even where the knot is not a float32.
            hi, mid, lo = (
                self._table(ops, f"knot {name}", piece, x, integer=False)
                for name, piece in zip(("hi", "mid", "lo"), self._pieces, strict=True)
            )
            ahead, behind = ops.take(hi, following) - x, x - ops.take(hi, index)
            left = ((ahead + ops.take(mid, following)) + ops.take(lo, following)) / span
            done = ((behind - ops.take(mid, index)) - ops.take(lo, index)) / span
        else:
            left = (
                ops.to_float(ops.take(whole_table, following) - x)
                + ops.take(fraction_table, following)
            ) / span
            done = (
                ops.to_float(x - ops.take(whole_table, index)) - ops.take(fraction_table, index)
            ) / span
        if self._cosine:
            left, done = ops.half_cosine(left), ops.half_cosine(done)
        table = self._table(ops, "levels", levels, x, integer=False)
        upper = self._table(ops, "upper", (*levels[1:], levels[-1]), x, integer=False)
        value = ops.take(table, index) * left + ops.take(upper, index) * done
        return ops.where(index >= count, levels[-1], value)

    def breakpoints(self, start: int, stop: int) -> Iterator[int]:
        """The first step of each piece after the first: ``ceil(K_i)`` for each knot."""
        start, stop = step_range(start, stop)
        previous = 0
        for step in self._ceil:
            if step >= stop:
                return
            if step > previous and step >= start:
                yield step
            previous = max(previous, step)


def _narrow(value: float) -> float:
    """``value`` rounded to 24 significant bits, which float32 holds exactly."""
    if value == 0 or not math.isfinite(value):
        return value
    mantissa, exponent = math.frexp(value)
    return math.ldexp(round(mantissa * 2.0**24), exponent - 24)


def _narrow_pieces(knot: Real) -> tuple[float, float, float]:
    """``knot`` as ``hi + mid + lo``: ``hi`` and ``mid`` of 24 bits, ``lo`` the float nearest
    the rest (exact for every float knot, and for int knots up to 2**101)."""
    numerator, denominator = knot.as_integer_ratio()
    hi = _narrow(numerator / denominator)
    # The rest as an exact ratio of ints (int / int rounds correctly), twice over.
    top, bottom = hi.as_integer_ratio()
    numerator, denominator = numerator * bottom - top * denominator, denominator * bottom
    mid = _narrow(numerator / denominator)
    top, bottom = mid.as_integer_ratio()
    return hi, mid, (numerator * bottom - top * denominator) / (denominator * bottom)


class PiecewiseInterpolation(_Interpolated):
    """Interpolate between ``values`` at the ``boundaries``, linearly or along a half-cosine.

    With ``b_0 = 0`` and the given boundaries ``b_1 < ... < b_n``, piece ``i`` goes from
    ``values[i]`` at ``b_i`` to ``values[i + 1]`` at ``b_{i+1}``; from ``b_n`` on the
    value is ``values[n]``. With ``f = (t - b_i) / (b_{i+1} - b_i)``:

    .. math::

        \\eta(t) = v_i + (v_{i+1} - v_i)\\, w(f), \\qquad
        w(f) = f \\;\\text{(linear)} \\quad\\text{or}\\quad \\tfrac12 (1 - \\cos \\pi f)
        \\;\\text{(cosine)}

    In Python: ``i = bisect.bisect_right(boundaries, step)``; ``values[-1]`` if ``i ==
    n``, else ``values[i] + (values[i + 1] - values[i]) * w((step - b_i) / (b_{i+1} -
    b_i))``. Computed as the weighted mean ``v_i * (1 - w) + v_{i+1} * w`` with both
    weights found without cancellation, so every knot's value is exact.

    Optax: ``piecewise_interpolate_schedule(interpolate_type, init_value,
    boundaries_and_scales)`` is ``PiecewiseInterpolation(sorted(boundaries_and_scales),
    values, interpolate_type)`` with ``values`` the running products ``init_value,
    init_value * scale_1, ...`` (Optax's scales are cumulative ratios; ours are the
    values). Optax's ``linear_onecycle_schedule(T, peak, pct_start, pct_final, div,
    final_div)`` is ``PiecewiseInterpolation([int(pct_start * T), int(pct_final * T), T],
    [peak / div, peak, peak / div, peak / (div * final_div)])`` and its
    ``cosine_onecycle_schedule(T, peak, pct_start, div, final_div)`` is
    ``PiecewiseInterpolation([int(pct_start * T), T], [peak / div, peak, peak / (div *
    final_div)], "cosine")``. Boundaries may be fractional.

    Args:
        boundaries: Steps at which each piece ends (``b_1 < ... < b_n``); > 0, strictly
            increasing.
        values: The values at step 0 and at each boundary; one more than ``boundaries``.
        interpolation: ``"linear"`` or ``"cosine"``.
        name: Name of the schedule; kept in the config.

    Raises:
        ValueError: The lengths do not match, a boundary is <= 0, the boundaries are not
            strictly increasing, ``interpolation`` is unknown, or a number is NaN or infinite.
        TypeError: An argument of the wrong type.

    Example:
        >>> schedule = PiecewiseInterpolation([100, 300], [0.0, 1.0, 0.5])
        >>> schedule(0), schedule(50), schedule(100), schedule(200), schedule(300), schedule(999)
        (0.0, 0.5, 1.0, 0.75, 0.5, 0.5)
    """

    boundaries: Sequence[Real] = numbers(element="steps")
    values: Sequence[Real] = numbers()
    interpolation: str = choice(INTERPOLATIONS, default="linear")
    name: str | None = schedule_name(default="PiecewiseInterpolation")

    def _setup(self) -> None:
        bounds = self.boundaries
        check_one_more_value(bounds, self.values)
        if bounds:
            require(bounds[0] > 0, "boundaries[0]", bounds[0], "> 0")
        check_increasing("boundaries", bounds)
        cosine = self.interpolation == "cosine"
        self._set_knots([as_exact(bound) for bound in bounds], self.values, cosine)


class OneCycle(_Interpolated):
    """The one-cycle policy: up from ``maximal_learning_rate / div_factor`` to the peak,
    then down far below the start, as PyTorch's ``OneCycleLR`` computes it.

    With ``N = total_steps``, ``p = pct_start``, ``eta_max = maximal_learning_rate``,
    ``eta_0 = eta_max / div_factor`` and ``eta_min = eta_0 / final_div_factor``, the phases
    end at PyTorch's steps (floats, computed as PyTorch computes them):

    * two phases: up from ``eta_0`` to ``eta_max`` until ``e_1 = p * N - 1``, then down to
      ``eta_min`` at ``N - 1``;
    * ``three_phase=True``: up until ``e_1``, back down to ``eta_0`` at ``e_2 = 2 * p * N -
      2``, then down to ``eta_min`` at ``N - 1``.

    Within a phase from ``v_start`` (at ``s``) to ``v_end`` (at ``e``), with ``f = (t - s) /
    (e - s)``:

    .. math::

        \\eta(t) = v_{end} + (v_{start} - v_{end})\\, \\tfrac12 (1 + \\cos \\pi f)
        \\;\\;\\text{(cos)}, \\qquad
        \\eta(t) = v_{start} + (v_{end} - v_{start})\\, f \\;\\;\\text{(linear)}

    In Python, for the two-phase cosine: ``eta_0 + (eta_max - eta_0) * 0.5 * (1 - cos(pi *
    t / e_1))`` while ``t <= e_1``, then ``eta_min + (eta_max - eta_min) * 0.5 * (1 + cos(pi
    * (t - e_1) / (N - 1 - e_1)))``; from ``N - 1`` on it holds ``eta_min``.

    PyTorch: ``OneCycleLR(optimizer, max_lr, total_steps=N, pct_start=p,
    anneal_strategy=..., div_factor=..., final_div_factor=..., three_phase=...)`` stepped
    once per optimizer update. The peak lands at ``p * N - 1`` (PyTorch's convention: the
    ``N`` updates of the run are steps ``0 .. N - 1``, the last one at ``eta_min``), which
    is between two steps when ``p * N`` is fractional. PyTorch raises when stepped past
    ``N`` and extrapolates the last phase at step ``N``; ours holds ``eta_min`` from
    ``N - 1`` on. Momentum cycling is not part of a learning-rate schedule. For Optax's
    one-cycle schedules (peak at ``int(p * T)``, end at ``T``) see
    :class:`PiecewiseInterpolation`.

    Args:
        maximal_learning_rate: The peak (``eta_max``; PyTorch ``max_lr``).
        total_steps: The number of steps in the cycle (``N``); a whole number > 0.
        pct_start: The fraction of the cycle spent rising (``p``); in (0, 1), with
            ``p * N > 1`` so that the rise ends after step 0.
        anneal_strategy: ``"cos"`` or ``"linear"`` (PyTorch's names).
        div_factor: ``eta_0 = maximal_learning_rate / div_factor``; > 0.
        final_div_factor: ``eta_min = eta_0 / final_div_factor``; > 0.
        three_phase: Use three phases (up, back down to ``eta_0``, then down to
            ``eta_min``), symmetric around the peak, as fast.ai does.
        name: Name of the schedule; kept in the config.

    Raises:
        ValueError: ``total_steps`` is not a whole number > 0; ``pct_start`` is outside
            (0, 1), or the rise would end before step 1, or (three phases) the return
            would end after the cycle; a factor is <= 0, or so small that the start or
            the floor is infinite; an unknown ``anneal_strategy``; a NaN or infinite number.
        TypeError: An argument of the wrong type.

    Example:
        >>> schedule = OneCycle(0.1, total_steps=101, pct_start=0.5, anneal_strategy="linear")
        >>> round(schedule(0), 12), round(schedule(25), 12), schedule(49.5), schedule(100)
        (0.004, 0.052484848485, 0.1, 4e-07)
    """

    maximal_learning_rate: Real = rate()
    total_steps: int = steps(whole=True, above=0)
    pct_start: Real = real(default=0.3, above=0, below=1, rule="in (0, 1)")
    anneal_strategy: str = choice(ANNEAL_STRATEGIES, default="cos")
    div_factor: Real = real(default=25.0, above=0)
    final_div_factor: Real = real(default=1e4, above=0)
    three_phase: bool = flag(default=False)
    name: str | None = schedule_name(default="OneCycle")

    def _setup(self) -> None:
        total, fraction, peak = self.total_steps, self.pct_start, float(self.maximal_learning_rate)
        # PyTorch's phase ends, computed with its float arithmetic.
        rise_end = float(fraction * total) - 1
        require(
            rise_end > 0,
            "pct_start",
            fraction,
            f"> 1 / total_steps (the rise ends at step pct_start * total_steps - 1 = "
            f"{rise_end!r}, which must be after step 0; total_steps={total!r})",
        )
        start = peak / float(self.div_factor)
        require(
            math.isfinite(start),
            "div_factor",
            self.div_factor,
            "large enough that maximal_learning_rate / div_factor is finite",
        )
        low = start / float(self.final_div_factor)
        require(
            math.isfinite(low),
            "final_div_factor",
            self.final_div_factor,
            "large enough that maximal_learning_rate / (div_factor * final_div_factor) is finite",
        )
        if self.three_phase:
            return_end = float(2 * fraction * total) - 2
            require(
                return_end < total - 1,
                "pct_start",
                fraction,
                f"< (total_steps + 1) / (2 * total_steps) with three_phase=True (the return "
                f"to the start ends at step 2 * pct_start * total_steps - 2 = {return_end!r}, "
                f"which must be before the last step {total - 1}; total_steps={total!r})",
            )
            knots: list[Real] = [rise_end, return_end, total - 1]
            levels = [start, peak, start, low]
        else:  # pct_start < 1 puts the rise's end before the last step
            knots = [rise_end, total - 1]
            levels = [start, peak, low]
        cosine = self.anneal_strategy == "cos"
        self._set_knots([as_exact(knot) for knot in knots], levels, cosine)
