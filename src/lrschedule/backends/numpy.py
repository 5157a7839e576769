"""NumPy primitives. Loaded only when a NumPy step arrives (NumPy is then already imported).

Results are computed in float64 and returned in the step's float dtype when the step is a
float array, float64 otherwise. A NumPy scalar step gives a NumPy scalar, an array an
array of the same shape.

Integer steps stay integers (int64) until the formula needs a float: staircase floors
and cycle counts are integer divisions, and ``step / d`` is a single correctly rounded
division while the steps fit float64's mantissa (2**53), ``q + r / d`` beyond. The
exponential decay ``base ** (step / d)`` of integer steps comes from a table of exact
powers (:class:`PowerTable`), within an ulp at any step and nearly as fast as ``np.exp``.
"""

from __future__ import annotations

import decimal
import functools
import math
import threading
from collections.abc import Sequence
from typing import Any

import numpy as np

from lrschedule.backends.contract import HALF_PI, QUARTER_PI
from lrschedule.backends.tensor import TensorOps, float_values
from lrschedule.core.validation import bad_step

__all__ = ["NUMPY_OPS", "NumPyOps"]

_EXACT_FLOAT64_INTEGERS = 2**53
_INT64_MAX = 2**63 - 1

#: Steps evaluated at a time by :meth:`PowerTable.power`: its temporaries stay in the cache.
_BLOCK = 32768
#: The bits of the float 2**52: ``2**52 + j`` for an integer ``0 <= j < 2**52`` is these bits | j.
_TWO_52_BITS = 0x4330000000000000
#: Bits kept of each exact power while the table is built (an error of 2**-127 a step).
_MANTISSA_BITS = 128


class NumPyOps(TensorOps):
    """:class:`~lrschedule.backends.contract.ArrayOps` for NumPy arrays and NumPy scalars.

    Built on :class:`~lrschedule.backends.tensor.TensorOps` for its integer-safe helpers (a
    constant beyond int64, such as ``decay_steps=1e19``, settles a division instead of
    overflowing); steps are validated here, unlike tensor steps.
    """

    name = "numpy"

    def compute(self, schedule: Any, x: Any) -> Any:
        # Overflow to inf (a huge step over a short span) and the NaN of a branch that
        # ``where`` discards are part of the formulas; NumPy would warn of each.
        with np.errstate(all="ignore"):
            return schedule._compute(x, self)

    def prepare(self, step: Any) -> Any:
        x = np.asarray(step)
        kind = x.dtype.kind
        if kind not in "iuf":
            raise TypeError(
                "Argument `step` must hold integers or floats. "
                f"Received: a NumPy {'array' if x.ndim else 'scalar'} of dtype {x.dtype}"
            )
        if kind == "f":
            if x.size and not (x.min() >= 0 and x.max() < np.inf):
                # A NaN propagates into min and max, so one test catches NaN, inf and negatives.
                _reject(x)
            return x.astype(np.float64, copy=False)
        if x.size:
            if x.min() < 0:
                _reject(x)
            if kind == "u" and x.max() > _INT64_MAX:
                bad_step(x.max().item(), f"at most {_INT64_MAX} for a NumPy integer step")
        return x.astype(np.int64, copy=False)

    def finish(self, result: Any, step: Any) -> Any:
        dtype = getattr(step, "dtype", None)
        out_dtype = dtype if dtype is not None and dtype.kind == "f" else np.float64
        with np.errstate(over="ignore"):  # a value past a float32 step's range is inf
            result = np.asarray(result, dtype=out_dtype)
        if isinstance(step, np.ndarray):
            return result
        return result[()]

    def is_integer(self, x: Any) -> bool:
        return bool(x.dtype.kind in "iu")

    def to_float(self, x: Any) -> Any:
        return np.asarray(x, dtype=np.float64)

    def int_divmod(self, x: Any, d: int) -> tuple[Any, Any]:
        q, r = np.divmod(x, d)
        return q, r

    def float_divmod(self, x: Any, d: int | float) -> tuple[Any, Any]:
        q, r = np.divmod(x, d)
        return q, r

    def array_minimum(self, x: Any, c: Any) -> Any:
        return np.minimum(x, c)

    def array_maximum(self, x: Any, c: Any) -> Any:
        return np.maximum(x, c)

    def where(self, condition: Any, a: Any, b: Any) -> Any:
        return np.where(condition, a, b)

    def sin(self, x: Any) -> Any:
        return np.sin(x)

    def cos(self, x: Any) -> Any:
        return np.cos(x)

    def exp(self, x: Any) -> Any:
        return np.exp(x)

    def log(self, x: Any) -> Any:
        return np.log(x)

    def expm1(self, x: Any) -> Any:
        return np.expm1(x)

    def log1p(self, x: Any) -> Any:
        with np.errstate(divide="ignore"):  # log1p(-1) is -inf, as wanted
            return np.log1p(x)

    def sqrt(self, x: Any) -> Any:
        return np.sqrt(x)

    def absolute(self, x: Any) -> Any:
        return np.absolute(x)

    def floor(self, x: Any) -> Any:
        return np.floor(x)

    def native_power(self, base: float, exponent: Any) -> Any:
        return self.power(base, exponent)

    def power(self, base: float, exponent: Any) -> Any:
        if base > 1:  # a growing power overflows to inf, its limit: no warning needed
            with np.errstate(over="ignore"):
                return np.power(base, exponent)
        return np.power(base, exponent)

    # Faster exact forms of the shared helpers.
    def power_ratio(self, base: float, x: Any, d: int | float, direct: int | float) -> Any:
        """``base ** (x / d)``; for integer steps, from :class:`PowerTable` (within an ulp)."""
        if self.is_integer(x) and 0.0 < base < math.inf:
            return power_table(base, d).power(x)
        if not 0.0 < base < math.inf or base == 1.0 or float(d) != d:
            return super().power_ratio(base, x, d, direct)
        # base ** q * base ** p, p = r / d rounded: the rounding of p (|log(base) * p|
        # half-ulps) is given back from m = r / d - p, found with an exact product.
        whole, part = self.divmod(x, d) if self.upper_bound(x) > direct else (0.0, x)
        exponent = part / float(d)
        high, low = _two_product(exponent, float(d))
        miss = ((part - high) - low) / float(d)
        value = self.power(base, exponent)
        value = value + value * np.expm1(miss * math.log(base))
        return value if self.upper_bound(x) <= direct else self.power(base, whole) * value

    def scaled_power_ratio(
        self, scale: float, base: float, x: Any, d: int | float, direct: int | float
    ) -> Any:
        if self.is_integer(x) and 0.0 < base < math.inf and x.ndim:
            return power_table(base, d).power(x, scale)  # the product taken block by block
        return scale * self.power_ratio(base, x, d, direct)

    def ratio(self, x: Any, d: int | float) -> Any:
        if x.dtype.kind == "i" and type(d) is int and d <= _INT64_MAX and _fits_float64(x):
            return np.true_divide(x, d)
        return super().ratio(x, d)

    def floor_ratio(self, x: Any, d: int | float) -> Any:
        if x.dtype.kind == "i" and type(d) is int and d <= _INT64_MAX:
            return np.floor_divide(x, d).astype(np.float64)
        return super().floor_ratio(x, d)

    def half_cosine(self, left: Any) -> Any:
        # The arithmetic of ArrayOps.half_cosine, in place: one sine, no np.where.
        upper = left >= 0.5
        angle = np.asarray(np.multiply(left, HALF_PI))  # a 0-d product comes back as a scalar
        np.subtract(angle, QUARTER_PI, out=angle, where=upper)
        np.multiply(angle, 2.0, out=angle, where=upper)
        np.sin(angle, out=angle)
        wave = np.asarray(np.multiply(angle, angle))
        np.multiply(angle, 0.5, out=wave, where=upper)
        np.add(wave, 0.5, out=wave, where=upper)
        return wave

    def constant(self, values: Sequence[int | float], like: Any, *, integer: bool) -> Any:
        if integer:
            info = np.iinfo(like.dtype)
            low, high = int(info.min), int(info.max)
            return np.asarray([min(max(int(v), low), high) for v in values], dtype=like.dtype)
        return np.asarray(float_values(values), dtype=np.float64)

    def table_key(self, like: Any, *, integer: bool) -> Any:
        # Per step dtype for float tables too: a table built for integer steps can depend
        # on the dtype's range (the restart table's last cycle is clipped to it).
        return (like.dtype.str, integer)

    def upper_bound(self, x: Any) -> int | float:
        return x.max().item() if x.size else 0

    def int_max(self, x: Any) -> int:
        return int(np.iinfo(x.dtype).max)

    def searchsorted(self, table: Any, x: Any, *, right: bool) -> Any:
        return np.searchsorted(table, x, side="right" if right else "left")

    def take(self, table: Any, index: Any) -> Any:
        return np.take(table, index)


class PowerTable:
    """``base ** (x / d)`` for integer arrays ``x``, within an ulp of the exact value at any step.

    Each step is split at its low ``shift`` bits, ``x = k * 2**shift + j``, so that
    ``base ** (x / d) = P[k] * base ** (j / d)`` with ``P[k] = base ** (k * 2**shift / d)``:

    * ``P[k]`` is read from a table, held as two floats ``hi + lo`` exact to about 2**-106
      (built with integer arithmetic from a 50-digit decimal ``base ** (2**shift / d)``);
    * ``shift`` is the largest (at most 52) that keeps ``|j * log(base) / d| <= 2**-4``, so
      that ``e = expm1(j * c)``, with ``c`` the rounded ``log(base) / d``, is below 2**-4:
      its errors (of ``c``, of the product, of ``expm1``) add up to at most 2**-55 of 1;
    * the power is ``hi + (lo + hi * e)``, one rounding of an almost exact sum: below
      0.75 ulp (0.64 the most seen in the tests), where ``np.exp(x * c)`` loses
      ``|x * c|`` half-ulps to the rounding of its argument.

    The table grows on demand up to the largest ``k`` seen, and stops at the first entry
    that underflows to 0 (or overflows to infinity, for ``base > 1``); larger ``k`` read
    that entry. It has at most ``746 * 32`` entries. Steps are processed in blocks of
    :data:`_BLOCK`, so that the temporaries stay in the cache.
    """

    def __init__(self, base: float, d: int | float) -> None:
        with decimal.localcontext() as context:
            context.prec = 50
            exponent = decimal.Decimal(base).ln() / decimal.Decimal(d)
            #: ``c``, the logarithm of the power's factor per step, rounded.
            self.per_step = float(exponent)
            # The largest shift with 2**shift * |c| <= 2**-4, from |c| = f * 2**e.
            self.shift = min(max(-4 - math.frexp(self.per_step)[1], 0), 52) if exponent else 52
            step = exponent * 2**self.shift
            self._growing = base > 1.0
            if abs(step) > 746:  # P[1] is already 0 or infinite
                factor = (1, 2000 if self._growing else -2000)
            else:
                power = step.exp()
                scale = math.floor(step / decimal.Decimal(2).ln()) + 1 - _MANTISSA_BITS
                factor = (int((power / decimal.Decimal(2) ** scale).to_integral_value()), scale)
        self._factor = factor
        # (hi, lo): two contiguous arrays (cheaper to compute with than the halves of a
        # complex array), replaced together, so that a reader never sees them half grown.
        self._table: tuple[Any, Any] = (np.ones(1), np.zeros(1))  # P[0] = 1
        self._value = factor  # P[len(table)], the next entry
        self._full = False
        self._lock = threading.Lock()

    def entries(self, k: int) -> tuple[Any, Any]:
        """The table as two arrays ``hi`` and ``lo``, grown to entry ``k`` (or to its end)."""
        table = self._table
        if k < len(table[0]) or self._full:
            return table
        with self._lock:
            table = self._table
            size = len(table[0])
            if k < size or self._full:
                return table
            high, low = [], []
            (mantissa, scale), factor = self._value, self._factor
            for _ in range(size, max(k + 1, 2 * size)):
                hi = _ldexp(float(mantissa), scale)
                if hi == 0.0 or hi == math.inf:
                    high.append(hi)
                    low.append(0.0)
                    self._full = True
                    break
                high.append(hi)
                low.append(_ldexp(float(mantissa - int(float(mantissa))), scale))
                mantissa, scale = _times((mantissa, scale), factor)
            self._value = (mantissa, scale)
            self._table = (np.concatenate([table[0], high]), np.concatenate([table[1], low]))
            return self._table

    def power(self, x: Any, scale: float = 1.0) -> Any:
        """``scale * base ** (x / d)`` for a non-negative integer array ``x``, float64, its shape.

        The product with ``scale`` is rounded once more, as ``scale * power(x)`` would be, but is
        taken block by block while the powers are in the cache (one pass over the memory less).
        """
        if self._growing:  # a growing power overflows to inf, its limit: no warning
            with np.errstate(over="ignore", invalid="ignore"):
                return self._power(x, scale)
        return self._power(x, scale)

    def _power(self, x: Any, scale: float) -> Any:
        if x.ndim == 0:  # a scalar step: the arithmetic of _fill on NumPy scalars, bit for bit
            step = int(x)
            k = step >> self.shift
            highs, lows = self._table if self._full else self.entries(k)
            k = min(k, len(highs) - 1)
            hi, lo = highs[k], lows[k]
            e = np.expm1(np.float64(step & ((1 << self.shift) - 1)) * self.per_step) * hi
            power = hi + (lo + (np.fmax(e, 0.0) if self._growing else e))
            return power if scale == 1.0 else scale * power
        result = np.empty(x.shape)
        self._fill(x.reshape(-1).astype(np.int64, copy=False), result.reshape(-1), scale)
        return result

    def _fill(self, steps: Any, out: Any, scale: float) -> None:
        """``out[:] = scale * base ** (steps / d)``, a block of :data:`_BLOCK` steps at a time."""
        size = min(steps.size, _BLOCK)
        high, low = np.empty(size, np.int64), np.empty(size, np.int64)
        hi, lo = np.empty(size), np.empty(size)
        shift, mask, per_step = self.shift, (1 << self.shift) - 1, self.per_step
        for start in range(0, steps.size, _BLOCK):
            block = steps[start : start + _BLOCK]
            if block.size < size:  # the last block
                high, low, hi, lo = (part[: block.size] for part in (high, low, hi, lo))
            np.right_shift(block, shift, out=high)
            highs, lows = self._table if self._full else self.entries(int(high.max()))
            np.take(highs, high, out=hi, mode="clip")
            np.take(lows, high, out=lo, mode="clip")
            # j as a float: the bits of 2**52 + j, less 2**52 (exact, and cheaper than a cast).
            np.bitwise_and(block, mask, out=low)
            np.bitwise_or(low, _TWO_52_BITS, out=low)
            e = low.view(np.float64)
            np.subtract(e, 2.0**52, out=e)
            np.multiply(e, per_step, out=e)
            np.expm1(e, out=e)
            np.multiply(e, hi, out=e)
            if self._growing:
                np.fmax(e, 0.0, out=e)  # inf * 0 (an overflowed power, j = 0) is NaN: 0
            np.add(e, lo, out=e)
            values = out[start : start + block.size]
            np.add(e, hi, out=values)
            if scale != 1.0:
                np.multiply(values, scale, out=values)


@functools.lru_cache(maxsize=32)
def power_table(base: float, d: int | float) -> PowerTable:
    """The :class:`PowerTable` of ``base ** (x / d)``, shared by every call with these numbers."""
    return PowerTable(base, d)


def _times(value: tuple[int, int], factor: tuple[int, int]) -> tuple[int, int]:
    """``m1 * 2**s1`` times ``m2 * 2**s2``, cut back to :data:`_MANTISSA_BITS` bits."""
    mantissa, scale = value[0] * factor[0], value[1] + factor[1]
    cut = max(mantissa.bit_length() - _MANTISSA_BITS, 0)
    return mantissa >> cut, scale + cut


def _ldexp(mantissa: float, scale: int) -> float:
    """``mantissa * 2**scale``, infinite past the float range."""
    try:
        return math.ldexp(mantissa, scale)
    except OverflowError:
        return math.inf


def _two_product(a: Any, b: float) -> tuple[Any, Any]:
    """``a * b`` as ``high + low`` exactly (Dekker), for float64 ``a`` and ``b``."""
    high = a * b
    spread = a * 134217729.0  # 2**27 + 1
    a1 = spread - (spread - a)
    spread_b = b * 134217729.0
    b1 = spread_b - (spread_b - b)
    a2, b2 = a - a1, b - b1
    return high, ((a1 * b1 - high) + a1 * b2 + a2 * b1) + a2 * b2


def _fits_float64(x: Any) -> bool:
    """Whether every element of integer array ``x`` converts to float64 exactly."""
    return not x.size or int(x.max()) <= _EXACT_FLOAT64_INTEGERS


def _reject(x: Any) -> None:
    if np.isnan(x).any():
        bad_step(_first(x, np.isnan(x)), "a number, not NaN")
    if np.isinf(x).any():
        bad_step(_first(x, np.isinf(x)), "finite")
    bad_step(_first(x, x < 0), ">= 0")


def _first(x: Any, mask: Any) -> Any:
    value = x[mask].flat[0] if x.ndim else x[()]
    return value.item()


NUMPY_OPS = NumPyOps()
