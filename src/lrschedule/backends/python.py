"""The array primitives over plain Python numbers.

Every schedule computes a non-negative Python ``int`` step inline, in its ``__call__``.
Python ``float`` steps (and ints, when a test asks) go through the same formula as arrays,
with this record: ``where`` picks a branch, ``searchsorted`` bisects, ``take`` indexes.
The result is a Python ``float``.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right

from lrschedule.backends.contract import ArrayOps
from lrschedule.core.validation import bad_step

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import Any

__all__ = ["PYTHON_OPS", "PythonOps", "fraction_power"]


def fraction_power(base: float, n: int | float, d: int | float) -> float:
    """``base ** (n / d)`` for ``n >= 0``, ``d > 0``, the rounding of the exponent corrected.

    With ``p = n / d`` correctly rounded and ``m = n / d - p`` (found with integers), the
    power is ``base**p * exp(m * log(base))``: ``base**p`` costs ``|log(base) * p|``
    half-ulps to the rounding of ``p`` (35 for ``base = 1e-30``), the correction gives
    them back, to within about an ulp.
    """
    (a, b), (c, e) = n.as_integer_ratio(), d.as_integer_ratio()
    p = (a * e) / (b * c)  # int / int: correctly rounded
    try:
        value = float(base**p)
    except OverflowError:
        return math.inf
    if not 0.0 < value < math.inf or base == 1.0:
        return value
    f, g = p.as_integer_ratio()
    miss = (a * e * g - f * b * c) / (b * c * g)
    return value + value * math.expm1(miss * math.log(base))


class PythonOps(ArrayOps):
    """:class:`~lrschedule.backends.contract.ArrayOps` for a single Python ``int`` or ``float``."""

    name = "python"

    def prepare(self, step: Any) -> Any:
        if step != step:
            bad_step(step, "a number, not NaN")
        if step < 0:
            bad_step(step, ">= 0")
        if step == math.inf:
            bad_step(step, "finite")
        return step

    def finish(self, result: Any, step: Any) -> Any:
        return float(result)

    def is_integer(self, x: Any) -> bool:
        return type(x) is int

    def to_float(self, x: Any) -> Any:
        return float(x)

    def divmod(self, x: Any, d: int | float) -> tuple[Any, Any]:
        quotient, remainder = divmod(x, d)
        return quotient, remainder

    def minimum(self, x: Any, c: Any) -> Any:
        return x if x <= c else c

    def maximum(self, x: Any, c: Any) -> Any:
        return x if x >= c else c

    def where(self, condition: Any, a: Any, b: Any) -> Any:
        return a if condition else b

    def sin(self, x: Any) -> Any:
        return math.sin(x)

    def cos(self, x: Any) -> Any:
        return math.cos(x)

    def exp(self, x: Any) -> Any:
        try:
            return math.exp(x)
        except OverflowError:
            return math.inf

    def log(self, x: Any) -> Any:
        return math.log(x) if x > 0 else (-math.inf if x == 0 else math.nan)

    def expm1(self, x: Any) -> Any:
        try:
            return math.expm1(x)
        except OverflowError:
            return math.inf

    def log1p(self, x: Any) -> Any:
        return math.log1p(x) if x > -1 else (-math.inf if x == -1 else math.nan)

    def sqrt(self, x: Any) -> Any:
        return math.sqrt(x) if x >= 0 else math.nan

    def absolute(self, x: Any) -> Any:
        return abs(x)

    def floor(self, x: Any) -> Any:
        return float(math.floor(x))

    def power(self, base: float, exponent: Any) -> Any:
        try:
            return base**exponent
        except OverflowError:
            return base**math.inf

    def constant(self, values: Sequence[int | float], like: Any, *, integer: bool) -> Any:
        return values

    def upper_bound(self, x: Any) -> int | float:
        bound: int | float = x
        return bound

    def int_max(self, x: Any) -> int | None:
        return None

    def searchsorted(self, table: Any, x: Any, *, right: bool) -> Any:
        return bisect_right(table, x) if right else bisect_left(table, x)

    def take(self, table: Any, index: Any) -> Any:
        return table[index]

    def power_ratio(self, base: float, x: Any, d: int | float, direct: int | float) -> Any:
        if x <= direct:
            return self.power(base, x / d)
        whole, part = divmod(x, d)
        return self.power(base, whole) * fraction_power(base, part, d)

    # Python's int / int is correctly rounded at any size: the exact helpers need no split.
    def ratio(self, x: Any, d: int | float) -> Any:
        return x / d

    def left(self, x: Any, d: int | float) -> Any:
        return (d - (x if x <= d else d)) / d

    def cycle_left(self, x: Any, d: int | float) -> Any:
        try:
            spans, into = divmod(x, d)
            if into:
                return (d - into) / ((spans + 1) * d)
        except OverflowError:  # a step past the float range, with a fractional span
            return 0.0
        return 0.0 if spans else 1.0  # the end of a span, or step 0


PYTHON_OPS = PythonOps()
