"""TensorFlow primitives. Loaded only when a ``tf.Tensor`` or ``tf.Variable`` step arrives.

A step gives a ``tf.Tensor`` of the same shape, of the step's dtype if it is floating,
else float32 (``keras.config.floatx()``'s default). The formula is computed in float64
and rounded to the result dtype at the end; integer steps are widened to int64 and
divided exactly. It runs eagerly and inside ``tf.function`` (with or without XLA): no
Python ``if`` on a tensor, bounds come from the dtype, and constant tables are cached
only when built eagerly. TensorFlow's float64 ``pow`` is replaced by
:meth:`~lrschedule.backends.tensor.TensorOps.split_power` (it errs by 21 ulps at
``0.9 ** 64``); under XLA, which merges its exponentials, a float64 result may lose a
few more ulps at large exponents (float32 results are unaffected).
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Sequence
from typing import Any

import tensorflow as tf

from lrschedule.backends.tensor import TensorOps, float_values
from lrschedule.core.cycles import GeometricCycles

__all__ = ["TENSORFLOW_OPS", "TensorFlowOps"]


def _align(a: Any, b: Any) -> tuple[Any, Any]:
    """Give ``a`` and ``b`` one dtype (TensorFlow does not promote): int64 or float64."""
    a_tensor, b_tensor = isinstance(a, tf.Tensor), isinstance(b, tf.Tensor)
    if a_tensor and b_tensor:
        if a.dtype != b.dtype:
            a, b = tf.cast(a, tf.float64), tf.cast(b, tf.float64)
        return a, b
    if a_tensor or b_tensor:
        tensor = a if a_tensor else b
        scalar = b if a_tensor else a
        if isinstance(scalar, float) and tensor.dtype.is_integer:
            tensor = tf.cast(tensor, tf.float64)
        scalar = tf.constant(scalar, dtype=tensor.dtype)
        return (tensor, scalar) if a_tensor else (scalar, tensor)
    dtype = tf.float64 if isinstance(a, float) or isinstance(b, float) else tf.int64
    return tf.constant(a, dtype=dtype), tf.constant(b, dtype=dtype)


class TensorFlowOps(TensorOps):
    """The primitives for ``tf.Tensor`` and ``tf.Variable`` steps."""

    name = "tensorflow"

    def prepare(self, step: Any) -> Any:
        x = tf.convert_to_tensor(step)
        dtype = x.dtype
        if dtype.is_floating:
            return tf.maximum(tf.cast(x, tf.float64), tf.constant(0.0, tf.float64))
        if not dtype.is_integer:
            raise TypeError(
                "Argument `step` must hold integers or floats. "
                f"Received: a TensorFlow tensor of dtype {dtype.name}"
            )
        return tf.maximum(tf.cast(x, tf.int64), tf.constant(0, tf.int64))

    def finish(self, result: Any, step: Any) -> Any:
        floating = step.dtype.is_floating
        dtype = step.dtype if floating else tf.float32
        if not isinstance(result, tf.Tensor):
            result = tf.fill(tf.shape(step), tf.constant(result, tf.float64))
        result = tf.cast(result, dtype)
        if floating:  # a NaN step gives NaN, whatever the formula (a table lookup would not)
            nan = tf.constant(math.nan, dtype)
            result = tf.where(tf.math.is_nan(tf.convert_to_tensor(step)), nan, result)
        return result

    def is_integer(self, x: Any) -> bool:
        return bool(x.dtype.is_integer)

    def to_float(self, x: Any) -> Any:
        return tf.cast(x, tf.float64)

    def int_divmod(self, x: Any, d: int) -> tuple[Any, Any]:
        divisor = tf.constant(d, x.dtype)
        return tf.math.floordiv(x, divisor), tf.math.floormod(x, divisor)

    def float_divmod(self, x: Any, d: int | float) -> tuple[Any, Any]:
        # TensorFlow's float floordiv is floor(x / d), which rounds up to the next whole
        # number just below it. The remainder (fmod) is exact, so Python's algorithm is:
        # (x - r) / d is a whole number within an ulp, and rounding it finds it.
        divisor = tf.constant(d, x.dtype)
        remainder = tf.math.floormod(x, divisor)
        return tf.round((x - remainder) / divisor), remainder

    def array_minimum(self, x: Any, c: Any) -> Any:
        return tf.minimum(*_align(x, c))

    def array_maximum(self, x: Any, c: Any) -> Any:
        return tf.maximum(*_align(x, c))

    def where(self, condition: Any, a: Any, b: Any) -> Any:
        return tf.where(condition, *_align(a, b))

    def sin(self, x: Any) -> Any:
        return tf.sin(x)

    def cos(self, x: Any) -> Any:
        return tf.cos(x)

    def exp(self, x: Any) -> Any:
        return tf.exp(x)

    def log(self, x: Any) -> Any:
        return tf.math.log(x)

    def expm1(self, x: Any) -> Any:
        return tf.math.expm1(x)

    def log1p(self, x: Any) -> Any:
        return tf.math.log1p(x)

    def sqrt(self, x: Any) -> Any:
        return tf.sqrt(x)

    def absolute(self, x: Any) -> Any:
        return tf.abs(x)

    def floor(self, x: Any) -> Any:
        return tf.floor(x)

    def power(self, base: float, exponent: Any) -> Any:
        # TensorFlow's float64 pow is off by up to 21 ulp (0.9 ** 64): split it.
        return self.split_power(base, exponent, bits=26)

    def native_power(self, base: float, exponent: Any) -> Any:
        return tf.pow(tf.constant(base, exponent.dtype), exponent)

    def constant(self, values: Sequence[int | float], like: Any, *, integer: bool) -> Any:
        if integer:
            low, high = int(like.dtype.min), int(like.dtype.max)
            clipped = [min(max(int(v), low), high) for v in values]
            return tf.constant(clipped, dtype=like.dtype)
        return tf.constant(float_values(values), dtype=tf.float64)

    def table_key(self, like: Any, *, integer: bool) -> Hashable | None:
        if not tf.executing_eagerly():
            return None  # a graph constant belongs to its graph
        # Per step dtype for float tables too: a table built for integer steps can depend
        # on the dtype's range (the restart table's last cycle is clipped to it).
        return (like.device, like.dtype.name, integer)

    def upper_bound(self, x: Any) -> int | float:
        return int(x.dtype.max) if x.dtype.is_integer else float(x.dtype.max)

    def int_max(self, x: Any) -> int:
        return int(x.dtype.max)

    def searchsorted(self, table: Any, x: Any, *, right: bool) -> Any:
        flat = tf.reshape(x, [-1])
        index = tf.searchsorted(table, flat, side="right" if right else "left", out_type=tf.int64)
        return tf.reshape(index, tf.shape(x))

    def take(self, table: Any, index: Any) -> Any:
        return tf.gather(table, index)


TENSORFLOW_OPS = TensorFlowOps()

# Growing the restart table (and its constants for tensors) is plain Python on constants:
# AutoGraph runs it as it is inside tf.function, instead of converting its loops.
GeometricCycles.cover = tf.autograph.experimental.do_not_convert(GeometricCycles.cover)  # type: ignore[method-assign]
