"""NumPy primitives. Loaded only when a NumPy step arrives (NumPy is then already imported).

Results are computed in float64 and returned in the step's float dtype when the step is a
float array, float64 otherwise. A NumPy scalar step gives a NumPy scalar, an array an
array of the same shape.

Integer steps up to 2**53 are converted to float64 up front: the conversion is exact
there, and a correctly rounded ``step / d`` is then as exact as ``q + r / d`` and faster.
Larger integer steps stay int64/uint64 and are divided exactly.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from lrschedule._ops import ArrayOps
from lrschedule._validation import bad_step

__all__ = ["NUMPY_OPS", "NumPyOps"]

_EXACT_FLOAT64_INTEGERS = 2**53


class NumPyOps(ArrayOps):
    """:class:`~lrschedule._ops.ArrayOps` for NumPy arrays and NumPy scalars."""

    name = "numpy"

    def prepare(self, step: Any) -> Any:
        x = np.asarray(step)
        kind = x.dtype.kind
        if kind not in "iuf":
            raise TypeError(
                "Argument `step` must hold integers or floats. "
                f"Received: a NumPy {'array' if x.ndim else 'scalar'} of dtype {x.dtype}"
            )
        if x.size == 0:
            return x.astype(np.float64)
        low, high = x.min(), x.max()
        if kind == "f":
            # A NaN propagates into both extremes, so one test catches NaN, inf and negatives.
            if not (low >= 0 and high < np.inf):
                _reject(x)
            return x.astype(np.float64, copy=False)
        if low < 0:
            _reject(x)
        if high <= _EXACT_FLOAT64_INTEGERS:
            return x.astype(np.float64)
        return x

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

    def divmod(self, x: Any, d: int | float) -> tuple[Any, Any]:
        q, r = np.divmod(x, d)
        return q, r

    def minimum(self, x: Any, c: Any) -> Any:
        return np.minimum(x, c)

    def maximum(self, x: Any, c: Any) -> Any:
        return np.maximum(x, c)

    def where(self, condition: Any, a: Any, b: Any) -> Any:
        return np.where(condition, a, b)

    def sin(self, x: Any) -> Any:
        return np.sin(x)

    def power(self, base: float, exponent: Any) -> Any:
        return np.power(base, exponent)

    def constant(self, values: Sequence[int | float], like: Any, *, integer: bool) -> Any:
        if integer:
            info = np.iinfo(like.dtype)
            low, high = int(info.min), int(info.max)
            return np.asarray([min(max(int(v), low), high) for v in values], dtype=like.dtype)
        return np.asarray(values, dtype=np.float64)

    def upper_bound(self, x: Any) -> int | float:
        return x.max().item() if x.size else 0

    def int_max(self, x: Any) -> int:
        return int(np.iinfo(x.dtype).max)

    def searchsorted(self, table: Any, x: Any, *, right: bool) -> Any:
        return np.searchsorted(table, x, side="right" if right else "left")

    def take(self, table: Any, index: Any) -> Any:
        return np.take(table, index)


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
