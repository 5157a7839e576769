"""A schedule run on a stretched clock: the inner step of :class:`~lrschedule.TrainLonger`
and :class:`~lrschedule.RescaleTime`.

The edited schedule at step ``t`` is the inner schedule at the *inner step*

.. math::

    u(t) = \\begin{cases} t & t < c \\\\ c + (t - c) \\cdot p / q & t \\ge c \\end{cases}

with whole numbers ``c >= 0`` and ``p, q > 0`` (``p / q`` in lowest terms). ``u`` is a
rational number; what the inner schedule is given for it:

* **A whole inner step** (``(t - c) * p`` a multiple of ``q``) is given as that whole
  number, exactly: an integer step stays an integer step, and the value is the inner
  schedule's own at that step, bit for bit, on every backend.
* **A fractional inner step** is given as a float, the inner schedule's continuation
  between whole steps (every library schedule is defined at fractional steps: a
  staircase is ``floor``-ed, a decay is its formula). ``u`` is split exactly, ``u = W + f
  / q`` (``W`` whole, ``0 < f < q``), by integer division (``Fraction``-exact on Python
  ints), and only ``f / q`` and the sum ``W + f / q`` are rounded, in the compute float
  (``f`` and ``q`` rounded to it first where they pass ``2**53``; the Python ``int`` path
  and the array formula round the same way, bit for bit). The sum
  stays below ``W + 1`` while ``W * q < 2**52`` (float64), so a staircase switches exactly
  where ``u`` crosses its boundary. When ``p * q`` does not fit the step's integer dtype
  (int32 steps and a ratio of large numbers), the split is done in the compute float, and
  so is it at a step whose whole inner step passes the dtype's largest integer (steps
  below ``c`` keep their own integer step).
* **A float step** ``t >= c`` is split at whole laps of ``q`` steps, ``t - c = L * q + r``
  (an exact floor division): ``u = c + L * p + r * p / q``, where only ``r * p / q`` and
  the sums are rounded, so a whole inner step is exact while ``L * p`` is a whole number
  of the compute float (below ``2**24`` in float32, ``2**53`` in float64).

Breakpoints and pieces of the inner schedule are mapped back through ``u``: a new piece
that starts at the inner step ``B`` starts, on the edited clock, at the first step with
``u(t) > B - 1`` or at the first with ``u(t) >= B`` (both are listed: where between
``B - 1`` and ``B`` the inner schedule switches depends on it, a staircase at ``B``, a
Keras ``PiecewiseConstantDecay`` just past ``B - 1``).
"""

from __future__ import annotations

import math

from lrschedule.core.ranges import between, step_range
from lrschedule.schedules.base import Schedule
from lrschedule.schedules.children import child_at, has_kernel

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator
    from fractions import Fraction
    from typing import Any

    from lrschedule.backends.contract import ArrayOps

__all__ = ["Stretched"]


class Stretched(Schedule):
    """Base of the schedules evaluated on the stretched clock ``u(t)`` (module docstring).

    A subclass calls :meth:`_set_clock` in its ``_setup``.
    """

    __slots__ = ("_c", "_inner", "_kernel", "_p", "_q")

    def _set_clock(self, inner: Any, c: int, p: int, q: int) -> None:
        """Run ``inner`` on the clock ``u(t)`` with these ``c``, ``p`` and ``q``."""
        self._inner = inner
        self._kernel = has_kernel(inner)
        self._c, self._p, self._q = c, p, q

    # ------------------------------------------------------------------ values
    def _at_int(self, step: int) -> Any:
        """The value at a Python ``int`` step ``>= 0``, with the inner step in ``Fraction``s."""
        c = self._c
        if step < c:
            return self._inner(step)
        whole, part = divmod((step - c) * self._p, self._q)
        whole += c
        if not part:
            return self._inner(whole)
        # The roundings of the array formula, W + f / q in floats (f and q rounded first where
        # they pass 2**53), so that both paths agree bit for bit.
        return self._inner(float(whole) + float(part) / self._q)

    def _compute(self, x: Any, ops: ArrayOps) -> Any:
        c, p, q = self._c, self._p, self._q
        inner, kernel = self._inner, self._kernel
        if p == q:  # the same clock
            return child_at(inner, kernel, x, ops)
        before = ops.minimum(x, c)
        clock = ops.shifted(x, c)
        if not ops.is_integer(x):
            # Whole laps of q steps (an exact floor division) are whole inner steps, exact
            # while laps * p is an integer of the compute float; the rest is rounded. p and
            # q as floats: they may pass the integer dtype (JAX's int32 weak type).
            laps, rest = ops.divmod(clock, q)
            moved = laps * float(p) + rest * float(p) / float(q)
            return child_at(inner, kernel, before + moved, ops)
        top = ops.int_max(x)
        laps, rest = ops.divmod(clock, q)
        # The split in floating point, p and q as floats (they may pass the integer dtype).
        moved = ops.to_float(laps) * float(p) + ops.to_float(rest) * float(p) / float(q)
        if top is not None and p * q > top:  # the exact split would overflow
            floated = child_at(inner, kernel, ops.to_float(before) + moved, ops)
            if c == 0:
                return floated
            # Up to c the inner step is the step itself: an integer, exact (c may be past
            # what the compute float holds).
            return ops.where(clock == 0, child_at(inner, kernel, before, ops), floated)
        # Past the last lap whose whole inner step fits the dtype, the step is the float one.
        fits = None if top is None or p <= q else ops.at_most(laps, (top - c - p + 1) // p)
        if fits is not None:
            laps = ops.where(fits, laps, 0)
        carry, part = ops.divmod(rest * p, q)
        whole = before + laps * p + carry
        exact = child_at(inner, kernel, whole, ops)
        if q == 1 or (ops.name == "python" and part == 0):  # one whole inner step: exactly
            value = exact
        else:
            between = child_at(inner, kernel, ops.to_float(whole) + ops.to_float(part) / q, ops)
            value = ops.where(part == 0, exact, between)
        if fits is None:
            return value
        return ops.where(fits, value, child_at(inner, kernel, ops.to_float(before) + moved, ops))

    # ------------------------------------------------------------------ the clock
    def inner_step(self, step: int) -> Fraction:
        """``u(step)``, exactly."""
        from fractions import Fraction  # analysis only: slow to import

        if step < self._c:
            return Fraction(step)
        return self._c + Fraction((step - self._c) * self._p, self._q)

    def _first_above(self, bound: int) -> int:
        """The first step ``t`` with ``u(t) > bound`` (``bound >= -1``)."""
        c = self._c
        if bound < c:
            return bound + 1
        return c + ((bound - c) * self._q) // self._p + 1

    def _first_reaching(self, bound: int) -> int:
        """The first step ``t`` with ``u(t) >= bound``."""
        c = self._c
        if bound <= c:
            return bound
        return c - ((c - bound) * self._q) // self._p  # c + ceil((bound - c) * q / p)

    def _mapped(self, starts: Iterable[int], start: int, stop: int) -> Iterator[int]:
        """Inner steps where a piece starts, as the steps of ``[start, stop)`` where it may."""
        last = None
        for bound in starts:
            for step in (self._first_above(bound - 1), self._first_reaching(bound)):
                if step >= stop:
                    return
                if step >= start and step != last:
                    yield step
                    last = step

    def _inner_range(self, start: int, stop: int) -> tuple[int, int]:
        """Inner steps whose pieces may start on ``[start, stop)``."""
        # A piece starting at the inner step B may start at `start` on this clock when
        # u(start - 1) < B <= u(start): look from below u(start - 1).
        low = max(math.floor(self.inner_step(max(start - 1, 0))), 0)
        return low, math.ceil(self.inner_step(max(stop - 1, 0))) + 2

    def breakpoints(self, start: int, stop: int) -> Iterator[int]:
        """``c`` (where the clock changes speed) and the inner breakpoints, mapped."""
        start, stop = step_range(start, stop)
        method = getattr(self._inner, "breakpoints", None)
        streams: list[Iterable[int]] = []
        c = self._c
        if start <= c < stop and self._p != self._q:
            streams.append((c,))
        if method is not None and start < stop:
            low, high = self._inner_range(start, stop)
            streams.append(self._mapped(method(max(low, 1), high), start, stop))
        last = None
        import heapq  # only here: analysis asks, not a schedule's evaluation

        for step in heapq.merge(*streams):
            if step != last:
                yield step
                last = step

    def _pieces_where(self, answer: str, start: int, stop: int) -> Iterator[tuple[int, int]] | None:
        """The inner schedule's runs (its ``answer``), mapped, cut also at the breakpoints."""
        method = getattr(self._inner, answer, None)
        if start >= stop:
            return iter(((start, stop),))
        low, high = self._inner_range(start, stop)
        runs = None if method is None else method(low, high)
        if runs is None:
            return None
        starts = (first for first, _ in runs)
        import heapq

        cuts = heapq.merge(self.breakpoints(start + 1, stop), self._mapped(starts, start + 1, stop))
        return between(start, stop, cuts)

    def _clocks(self) -> tuple[tuple[Any, int, int | None], ...]:
        return ()
