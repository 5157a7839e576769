"""NumPy primitives. Loaded only when a NumPy step arrives (NumPy is then already imported).

Results are computed in float64 and returned in the step's float dtype when the step is a
float array, float64 otherwise. A NumPy scalar step gives a NumPy scalar, an array an
array of the same shape.

Integer steps stay integers (int64) until the formula needs a float: staircase floors
and cycle counts are integer divisions, and ``step / d`` is a single correctly rounded
division while the steps fit float64's mantissa (2**53), ``q + r / d`` beyond.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from lrschedule.backends.contract import HALF_PI, QUARTER_PI
from lrschedule.backends.tensor import TensorOps
from lrschedule.core.validation import bad_step

__all__ = ["NUMPY_OPS", "NumPyOps"]

_EXACT_FLOAT64_INTEGERS = 2**53
_INT64_MAX = 2**63 - 1


class NumPyOps(TensorOps):
    """:class:`~lrschedule.backends.contract.ArrayOps` for NumPy arrays and NumPy scalars.

    Built on :class:`~lrschedule.backends.tensor.TensorOps` for its integer-safe helpers (a
    constant beyond int64, such as ``decay_steps=1e19``, settles a division instead of
    overflowing); steps are validated here, unlike tensor steps.
    """

    name = "numpy"

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
        return np.asarray(values, dtype=np.float64)

    def table_key(self, like: Any, *, integer: bool) -> Any:
        return like.dtype.str if integer else "float64"

    def upper_bound(self, x: Any) -> int | float:
        return x.max().item() if x.size else 0

    def int_max(self, x: Any) -> int:
        return int(np.iinfo(x.dtype).max)

    def searchsorted(self, table: Any, x: Any, *, right: bool) -> Any:
        return np.searchsorted(table, x, side="right" if right else "left")

    def take(self, table: Any, index: Any) -> Any:
        return np.take(table, index)


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
