"""JAX primitives. Loaded only when a ``jax.Array`` step (or a tracer) arrives.

A step gives a ``jax.Array`` of the same shape, of the step's dtype if it is floating,
else of the float JAX itself turns that integer dtype into (``count / n`` does the
same): float64 for a 64-bit step (with ``jax_enable_x64``), float32 for the others, so
Optax's int32 ``count`` gives float32 with x64 too, as Optax's own schedules do, and a
scheduled hyperparameter keeps float32 parameters and their state float32. The formula
is computed in JAX's widest float (float64 with x64, float32 without) and rounded to the
result dtype at the end.

Everything is traceable: integer steps are divided exactly in their own integer dtype
(int32 without x64, as Optax's ``count``; 8- and 16-bit steps are widened to the default
integer), bounds come from the dtype, and constant tables are NumPy arrays, so no tracer
is ever cached. ``jax.jit``, ``jax.vmap`` and ``jax.lax.scan`` trace a schedule once,
whatever the step.

Without x64 the arithmetic is float32, kept close to the exact value: powers use
:meth:`~lrschedule.backends.tensor.TensorOps.split_power` (its exponentials behind an
optimisation barrier, since XLA would merge them), float tables are rounded toward the
side that keeps lookups exact for float32 steps, and ``log1p`` avoids XLA's float64
one where it errs. Results are within 8 float32 ulps of the exact value (16 for
``PolynomialDecay`` with a power that is not a whole number, through XLA's own pow).
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from lrschedule.backends.tensor import TensorOps, float_values

__all__ = ["JAX_OPS", "JaxOps"]


def _compute_float() -> Any:
    """JAX's widest float now: float64 with ``jax_enable_x64``, float32 without."""
    return jax.dtypes.canonicalize_dtype(np.float64)


def _integer_result(dtype: Any) -> Any:
    """The float of a result at an integer step of ``dtype``: JAX's own promotion of it
    (float64 for a 64-bit integer, which exists only with x64; float32 for the others)."""
    return np.float64 if dtype.itemsize == 8 else np.float32


def _default_int() -> Any:
    return jax.dtypes.canonicalize_dtype(np.int64)


class JaxOps(TensorOps):
    """:class:`~lrschedule.backends.contract.ArrayOps` for ``jax.Array`` steps and tracers."""

    name = "jax"

    def prepare(self, step: Any) -> Any:
        x = jnp.asarray(step)
        dtype = x.dtype
        if jnp.issubdtype(dtype, jnp.floating):
            return jnp.maximum(x.astype(_compute_float()), 0.0)
        if not jnp.issubdtype(dtype, jnp.integer):
            raise TypeError(
                "Argument `step` must hold integers or floats. "
                f"Received: a JAX array of dtype {dtype}"
            )
        if dtype.itemsize < 4:
            x = x.astype(_default_int())
        if jnp.issubdtype(x.dtype, jnp.signedinteger):
            x = jnp.maximum(x, 0)
        return x

    def finish(self, result: Any, step: Any) -> Any:
        floating = jnp.issubdtype(step.dtype, jnp.floating)
        out = step.dtype if floating else _integer_result(step.dtype)
        result = jnp.broadcast_to(jnp.asarray(result, dtype=out), jnp.shape(step))
        if floating:  # a NaN step gives NaN, whatever the formula (a table lookup would not)
            result = jnp.where(jnp.isnan(step), jnp.nan, result)
        return result

    def is_integer(self, x: Any) -> bool:
        return bool(jnp.issubdtype(x.dtype, jnp.integer))

    def to_float(self, x: Any) -> Any:
        return jnp.asarray(x, dtype=_compute_float())

    def int_divmod(self, x: Any, d: int) -> tuple[Any, Any]:
        return jnp.floor_divide(x, d), jnp.remainder(x, d)

    def float_divmod(self, x: Any, d: int | float) -> tuple[Any, Any]:
        # Exact (Python's algorithm) for a d that the float holds; TensorOps sends the
        # others to lrschedule.backends.division.
        return jnp.floor_divide(x, d), jnp.remainder(x, d)

    def narrow(self, x: Any) -> bool:
        return bool(_compute_float() == np.float32)

    def array_minimum(self, x: Any, c: Any) -> Any:
        return jnp.minimum(x, c)

    def array_maximum(self, x: Any, c: Any) -> Any:
        return jnp.maximum(x, c)

    def where(self, condition: Any, a: Any, b: Any) -> Any:
        return jnp.where(condition, a, b)

    def sin(self, x: Any) -> Any:
        return jnp.sin(x)

    def cos(self, x: Any) -> Any:
        return jnp.cos(x)

    def exp(self, x: Any) -> Any:
        return jnp.exp(x)

    def log(self, x: Any) -> Any:
        return jnp.log(x)

    def expm1(self, x: Any) -> Any:
        return jnp.expm1(x)

    def log1p(self, x: Any) -> Any:
        if x.dtype == np.float64:
            # XLA's float64 log1p errs by up to 128 ulp on (-0.5, -0.25]; there and past 1,
            # 1 + x loses at most half an ulp, so log(1 + x) is accurate.
            return jnp.where((x < -0.25) | (x >= 1.0), jnp.log(1.0 + x), jnp.log1p(x))
        return jnp.log1p(x)

    def sqrt(self, x: Any) -> Any:
        return jnp.sqrt(x)

    def absolute(self, x: Any) -> Any:
        return jnp.abs(x)

    def floor(self, x: Any) -> Any:
        return jnp.floor(x)

    def power(self, base: float, exponent: Any) -> Any:
        if exponent.dtype == np.float32:
            return self.split_power(base, exponent)
        return jnp.power(base, exponent)

    def native_power(self, base: float, exponent: Any) -> Any:
        return jnp.power(base, exponent)

    def separate(self, values: tuple[Any, ...]) -> tuple[Any, ...]:
        # XLA rewrites exp(a) * exp(b) as exp(a + b), which would round a + b.
        return tuple(jax.lax.optimization_barrier(values))  # type: ignore[no-untyped-call]

    def constant(self, values: Sequence[int | float], like: Any, *, integer: bool) -> Any:
        # NumPy, not JAX: a constant made while tracing would be a tracer, and cached it
        # would leak out of its trace. A NumPy array is a literal in every trace. Float
        # tables stay float64 here; searchsorted and take round them to the compute float.
        if integer:
            info = np.iinfo(like.dtype)
            low, high = int(info.min), int(info.max)
            return np.asarray([min(max(int(v), low), high) for v in values], dtype=like.dtype)
        return np.asarray(float_values(values), dtype=np.float64)

    def table_key(self, like: Any, *, integer: bool) -> Hashable | None:
        # Per step dtype for float tables too: a table built for integer steps can depend
        # on the dtype's range (the restart table's last cycle is clipped to it).
        return (str(like.dtype), integer)

    def upper_bound(self, x: Any) -> int | float:
        if self.is_integer(x):
            return int(np.iinfo(x.dtype).max)
        return float(np.finfo(x.dtype).max)

    def int_max(self, x: Any) -> int:
        return int(np.iinfo(x.dtype).max)

    def searchsorted(self, table: Any, x: Any, *, right: bool) -> Any:
        if table.dtype == np.float64 and x.dtype != np.float64:
            table = _rounded_for_search(table, x.dtype, up=right)
        return jnp.searchsorted(table, x, side="right" if right else "left")

    def take(self, table: Any, index: Any) -> Any:
        if table.dtype == np.float64:
            table = _nearest(table, _compute_float())
        return jnp.take(table, index)


def _nearest(table: Any, dtype: Any) -> Any:
    with np.errstate(over="ignore"):  # ends past the float32 range become inf
        return table.astype(dtype)


def _rounded_for_search(table: Any, dtype: Any, *, up: bool) -> Any:
    """``table`` in a narrower float ``dtype``, rounded so that lookups stay exact.

    ``searchsorted(t, x, side="right")`` counts ``t_i <= x``; for ``x`` of ``dtype`` that is
    ``up(t_i) <= x`` with ``up`` the smallest ``dtype`` value ``>= t_i``. Likewise
    ``side="left"`` counts ``t_i < x``, which is ``down(t_i) < x``.
    """
    narrow = _nearest(table, dtype)
    wide = narrow.astype(np.float64)
    if up:
        return np.where(wide < table, np.nextafter(narrow, np.inf, dtype=dtype), narrow)
    return np.where(wide > table, np.nextafter(narrow, -np.inf, dtype=dtype), narrow)


JAX_OPS = JaxOps()
