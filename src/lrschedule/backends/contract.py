"""The array primitives the schedule formulas need, one record per array library.

A schedule evaluates an array step (NumPy today; PyTorch, JAX and TensorFlow through
their own records) with a handful of primitives: exact integer division, conversion to
the compute float, ``minimum``/``maximum``/``where``, ``sin``, a sorted-table lookup.
:class:`ArrayOps` declares them and builds the exact helpers every formula shares
(:meth:`ArrayOps.ratio`, :meth:`ArrayOps.left`, ...) on top of them, so a new array
library is supported by implementing the primitives only.

The helpers keep integer steps exact: an integer step is split as
``q, r = divmod(step, d)`` and the continuous phase is ``q + r / d``, so no precision is
lost when the step no longer fits the float's mantissa (2**24 for float32, 2**53 for
float64).

This module imports nothing outside the standard library: a record for a framework lives
in its own module, loaded only when a step of that framework arrives.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Hashable, Sequence
    from typing import Any

__all__ = ["HALF_PI", "QUARTER_PI", "ArrayOps"]

HALF_PI = math.pi / 2
QUARTER_PI = math.pi / 4


#: Float32's smallest normal number, and the largest power whose product with a scale
#: below 1 is taken directly.
_FLOAT32_TINY = 2.0**-126
_FLOAT32_HUGE = 2.0**127


class ArrayOps(ABC):
    """Primitives over one array library, and the exact helpers built from them.

    ``x`` below is a *prepared* step (see :meth:`prepare`): an array of the library with
    an integer or floating dtype, already validated. Scalars ``d`` are positive Python
    ``int`` or ``float`` values taken from the schedule's arguments; an ``int`` is used
    where the argument is a whole number, which is what keeps integer steps exact.
    """

    #: Library name used in messages and cache keys.
    name: str = "array"

    # ----------------------------------------------------------------- primitives
    @abstractmethod
    def prepare(self, step: Any) -> Any:
        """Validate ``step`` and return it as an array of this library (integer or float dtype)."""

    @abstractmethod
    def finish(self, result: Any, step: Any) -> Any:
        """Turn a compute-float result into what the caller gets for ``step`` (dtype, shape)."""

    @abstractmethod
    def is_integer(self, x: Any) -> bool:
        """Whether the prepared step has an integer dtype (and must be divided exactly)."""

    @abstractmethod
    def to_float(self, x: Any) -> Any:
        """``x`` converted to the compute float dtype."""

    @abstractmethod
    def divmod(self, x: Any, d: int | float) -> tuple[Any, Any]:
        """Floor division and remainder, exact for integer ``x`` and integer ``d``."""

    @abstractmethod
    def minimum(self, x: Any, c: Any) -> Any:
        """Elementwise minimum of an array and an array or scalar."""

    @abstractmethod
    def maximum(self, x: Any, c: Any) -> Any:
        """Elementwise maximum of an array and an array or scalar."""

    @abstractmethod
    def where(self, condition: Any, a: Any, b: Any) -> Any:
        """Elementwise ``a if condition else b``; both sides are computed."""

    @abstractmethod
    def sin(self, x: Any) -> Any:
        """Elementwise sine."""

    @abstractmethod
    def cos(self, x: Any) -> Any:
        """Elementwise cosine."""

    @abstractmethod
    def exp(self, x: Any) -> Any:
        """Elementwise exponential."""

    @abstractmethod
    def log(self, x: Any) -> Any:
        """Elementwise natural logarithm."""

    @abstractmethod
    def expm1(self, x: Any) -> Any:
        """Elementwise ``exp(x) - 1``, accurate near 0."""

    @abstractmethod
    def log1p(self, x: Any) -> Any:
        """Elementwise ``log(1 + x)``, accurate near 0 (``-inf`` at -1)."""

    @abstractmethod
    def sqrt(self, x: Any) -> Any:
        """Elementwise square root."""

    @abstractmethod
    def absolute(self, x: Any) -> Any:
        """Elementwise absolute value."""

    @abstractmethod
    def floor(self, x: Any) -> Any:
        """Elementwise floor of a float array (a float array of whole numbers)."""

    @abstractmethod
    def power(self, base: float, exponent: Any) -> Any:
        """``base ** exponent`` for a scalar base and an array exponent."""

    @abstractmethod
    def constant(self, values: Sequence[int | float], like: Any, *, integer: bool) -> Any:
        """A 1-d array of ``values`` on ``like``'s device, for lookups against ``like``.

        With ``integer`` the values are whole numbers, stored in ``like``'s integer dtype
        and clipped to its range (``like`` is then an integer array); otherwise they are
        stored in the compute float dtype.
        """

    def table_key(self, like: Any, *, integer: bool) -> Hashable | None:
        """A key under which a schedule may cache a :meth:`constant` for steps like ``like``.

        ``None`` (the default) means "do not cache": :meth:`constant` is called each time.
        """
        return None

    @abstractmethod
    def upper_bound(self, x: Any) -> int | float:
        """A Python number no smaller than any element of ``x`` (its maximum, or its dtype's)."""

    @abstractmethod
    def int_max(self, x: Any) -> int | None:
        """The largest value of ``x``'s integer dtype (``None`` for unbounded Python ints)."""

    @abstractmethod
    def searchsorted(self, table: Any, x: Any, *, right: bool) -> Any:
        """Insertion indices of ``x`` into sorted ``table`` (``side='right'`` when ``right``)."""

    @abstractmethod
    def take(self, table: Any, index: Any) -> Any:
        """``table[index]`` elementwise."""

    def compute(self, schedule: Any, x: Any) -> Any:
        """``schedule._compute(x, self)``: the schedule's formula on the prepared step ``x``.

        A library whose arithmetic warns where the formula reaches its limits on purpose
        (NumPy's overflow to ``inf``, ``0 * inf`` settled by a ``where``) silences that here.
        """
        return schedule._compute(x, self)

    def narrow(self, x: Any) -> bool:
        """Whether the formula for step ``x`` is computed in float32 (``False`` here)."""
        return False

    # ------------------------------------------------------------ exact helpers
    def ratio(self, x: Any, d: int | float) -> Any:
        """``x / d`` as a float, with integer ``x`` split as ``q + r / d`` (exact at any step)."""
        if self.is_integer(x):
            q, r = self.divmod(x, d)
            return self.to_float(q) + self.to_float(r) / d
        return self.to_float(x) / d

    def power_ratio(self, base: float, x: Any, d: int | float, direct: int | float) -> Any:
        """``base ** (x / d)`` within a few ulps of the exact value at any step.

        Rounding the exponent ``x / d`` costs ``|log(base)| * x / d`` half-ulps in the power;
        ``direct`` is the largest step at which that is at most an ulp. Steps up to it take
        the plain power; beyond, the power is split at the exponent's integer part,
        ``base ** q * base ** (r / d)`` with ``q, r = divmod(x, d)``.
        """
        if self.upper_bound(x) <= direct:
            return self.power(base, self.ratio(x, d))
        whole, part = self.divmod(x, d)
        return self.power(base, self.to_float(whole)) * self.power(base, self.ratio(part, d))

    def scaled_power_ratio(
        self, scale: float, base: float, x: Any, d: int | float, direct: int | float
    ) -> Any:
        """``scale * base ** (x / d)``: :meth:`power_ratio` times ``scale``, rounded as a product.

        A library may take the product in the same pass as the power (the values are the same).
        In float32 a power that leaves the normal numbers (XLA flushes subnormals to 0) while
        the product would not is taken in halves there, ``(scale * h) * h`` with ``h = base **
        (x / (2 d))``.
        """
        power = self.power_ratio(base, x, d, direct)
        if not self.narrow(x) or (abs(scale) <= 1.0) == (base <= 1.0) or scale == 0.0:
            return scale * power
        half = self.power_ratio(base, x, 2 * d, 2 * direct)
        normal = (power >= _FLOAT32_TINY) & (power <= _FLOAT32_HUGE)
        return self.where(normal, scale * power, (scale * half) * half)

    def divmod_rest(
        self, x: Any, d: int | float, e: int | float, offset: int | float = 0
    ) -> tuple[Any, Any, Any]:
        """``q, r = divmod(x + offset, d)`` and the rest of the span in units of ``e``,
        ``(d - r) / e``.

        A library whose remainder is rounded (float32 arithmetic with a ``d`` it cannot
        hold) computes the rest from the step, not by cancellation against ``d``, and adds
        ``offset`` (``0 <= offset < d``) exactly; here it is added in the compute float.
        """
        if offset:
            x = self.to_float(x) + offset
        q, r = self.divmod(x, d)
        return q, r, self.ratio(self.taken_from(d, r), e)

    def floor_ratio(self, x: Any, d: int | float) -> Any:
        """``floor(x / d)`` as a float holding a whole number, found by exact floor division."""
        q, _ = self.divmod(x, d)
        return self.to_float(q)

    def left(self, x: Any, d: int | float) -> Any:
        """The fraction of a span of ``d`` steps still ahead: ``(d - min(x, d)) / d``.

        The subtraction happens before the conversion to float, so the value is exact
        for integer steps however large, and has no cancellation near the end of the
        span (where ``1 - x / d`` would lose all its digits).
        """
        return self.to_float(d - self.minimum(x, d)) / d

    def cycle_left(self, x: Any, d: int | float) -> Any:
        """The fraction left of the stretched span that ``PolynomialDecay(cycle=True)`` decays over.

        The span is ``D = d * max(1, ceil(x / d))`` and the fraction is ``(D - x) / D``:
        0 exactly at every multiple of ``d`` (except step 0, where it is 1), then
        restarting just above it.
        """
        q, r = self.divmod(x, d)
        # With x = q * d + r: D - x is d - r inside a span, 0 at its end, and d at step 0.
        # Computed from r, it needs no product that could overflow an integer dtype.
        # The zero is made from r: two Python scalars would give the library's default
        # float (float32 in torch), which a span past its range overflows.
        zero = r * 0
        remaining = self.where(r > 0, d - r, self.where(q > 0, zero, zero + d))
        spans = self.maximum(self.where(r > 0, q + 1, q), 1)
        return self.to_float(remaining) / (self.to_float(spans) * d)

    def half_cosine(self, left: Any) -> Any:
        """``0.5 * (1 + cos(pi * (1 - left)))``, without cancellation (see ``_cosine``).

        With ``a = left * pi / 2``: ``0.5 + 0.5 * sin(2 * (a - pi / 4))`` where
        ``left >= 0.5``, else ``sin(a) ** 2``.
        """
        angle = left * HALF_PI
        upper = left >= 0.5
        wave = self.sin(self.where(upper, (angle - QUARTER_PI) * 2.0, angle))
        return self.where(upper, 0.5 + 0.5 * wave, wave * wave)

    def cycle_done(self, x: Any, d: int | float) -> Any:
        """``1 - cycle_left(x, d)`` computed directly: ``x / D``, the fraction of the span done."""
        q, r = self.divmod(x, d)
        spans = self.maximum(self.where(r > 0, q + 1, q), 1)
        return self.ratio(x, d) / self.to_float(spans)

    def below(self, x: Any, c: int | float) -> Any:
        """``x < c`` elementwise, for a Python number ``c`` of any size."""
        return x < c

    def taken_from(self, d: int | float, x: Any) -> Any:
        """``d - x`` for a Python number ``d`` of any size (``0 <= x <= d``)."""
        return d - x

    def at_most(self, x: Any, c: int | float) -> Any:
        """``x <= c`` elementwise, for a Python number ``c`` of any size."""
        return x <= c

    def shifted(self, x: Any, offset: int | float) -> Any:
        """``max(x - offset, 0)``: the step on a clock that starts at ``offset``."""
        return self.maximum(x - offset, 0)
