"""PyTorch primitives. Loaded only when a ``torch.Tensor`` step arrives (PyTorch is then imported).

A tensor step of any shape, dtype and device gives a tensor of the same shape on the same
device, of the step's dtype if it is floating, else of ``torch.get_default_dtype()``.

The formula is computed in float64 (float32 on devices without float64: ``mps``,
``xla``) and rounded once to the result dtype at the end, so a float32 result is the
float64 value correctly rounded, give or take an ulp. Integer steps are divided exactly
in their own dtype, int32 or int64 (narrower and unsigned ones are widened to int64).
Nothing reads the step's values on the host: no ``.item()``, no Python ``if`` on a
tensor, bounds come from the dtype. So a call neither synchronises a CUDA stream nor
breaks a ``torch.compile`` graph, and the step can change without recompiling (a tensor
step is a graph input).

Constant tables (piecewise boundaries, restart starts) are built once per device and
step dtype and cached on the schedule, except while ``torch.compile`` traces or fake
tensors are about (the constants then live in the graph). For ``torch.compile`` this
module also marks the restart table's growth as a constant computation and gives it a
traceable ``bisect.bisect_right`` (bottom of the file).
"""

from __future__ import annotations

import bisect
import contextlib
import functools
import math
import struct
import sys
from collections.abc import Hashable, Sequence
from typing import Any

import torch
from torch.utils._python_dispatch import _get_current_dispatch_mode

from lrschedule.backends.tensor import TensorOps, float_values
from lrschedule.core.cycles import GeometricCycles

__all__ = ["TORCH_OPS", "TorchOps"]

#: Device types without float64 arithmetic: schedules compute in float32 there.
NO_FLOAT64 = frozenset({"mps", "xla"})

#: Integer dtypes used as they are; every other integer dtype is widened to int64.
_NATIVE_INTS = (torch.int32, torch.int64)


def _compute_float(x: torch.Tensor) -> torch.dtype:
    return torch.float32 if x.device.type in NO_FLOAT64 else torch.float64


def _tracing() -> bool:
    """Whether tensors made now would be symbolic (``torch.compile``, export, fake tensors)."""
    return torch.compiler.is_compiling() or _get_current_dispatch_mode() is not None


class TorchOps(TensorOps):
    """:class:`~lrschedule.backends.contract.ArrayOps` for ``torch.Tensor`` steps."""

    name = "torch"

    def prepare(self, step: Any) -> Any:
        x = step if isinstance(step, torch.Tensor) else torch.as_tensor(step)
        dtype = x.dtype
        if dtype.is_floating_point:
            return torch.clamp_min(x.to(_compute_float(x)), 0.0)
        if dtype.is_complex or dtype == torch.bool:
            raise TypeError(
                "Argument `step` must hold integers or floats. "
                f"Received: a torch tensor of dtype {dtype}"
            )
        if dtype not in _NATIVE_INTS:
            x = x.to(torch.int64)
        return torch.clamp_min(x, 0)

    def finish(self, result: Any, step: Any) -> Any:
        floating = step.dtype.is_floating_point
        dtype = step.dtype if floating else torch.get_default_dtype()
        if not isinstance(result, torch.Tensor):
            result = torch.full(step.shape, result, dtype=dtype, device=step.device)
        if floating:  # a NaN step gives NaN, whatever the formula (a table lookup would not)
            result = torch.where(torch.isnan(step), math.nan, result)
        return result.to(dtype)

    def is_integer(self, x: Any) -> bool:
        return not (x.dtype.is_floating_point or x.dtype.is_complex)

    def to_float(self, x: Any) -> Any:
        return x.to(_compute_float(x))

    def int_divmod(self, x: Any, d: int) -> tuple[Any, Any]:
        return torch.div(x, d, rounding_mode="floor"), torch.remainder(x, d)

    def float_divmod(self, x: Any, d: int | float) -> tuple[Any, Any]:
        quotient, rest = torch.div(x, d, rounding_mode="floor"), x
        if d < 1:
            # PyTorch's vectorised remainder is NaN where x / d overflows: x is reduced
            # first by multiples d * 2**p that keep every quotient finite (exact, and the
            # remainder is unchanged).
            for multiple in _multiples(d, x.dtype == torch.float64):
                rest = torch.remainder(rest, multiple)
        return quotient, torch.remainder(rest, d)

    def narrow(self, x: Any) -> bool:
        return _compute_float(x) == torch.float32

    def array_minimum(self, x: Any, c: Any) -> Any:
        if isinstance(c, torch.Tensor):
            return torch.minimum(x, c)
        return torch.clamp_max(x, c)

    def array_maximum(self, x: Any, c: Any) -> Any:
        if isinstance(c, torch.Tensor):
            return torch.maximum(x, c)
        return torch.clamp_min(x, c)

    def where(self, condition: Any, a: Any, b: Any) -> Any:
        return torch.where(condition, a, b)

    def sin(self, x: Any) -> Any:
        return torch.sin(x)

    def cos(self, x: Any) -> Any:
        return torch.cos(x)

    def exp(self, x: Any) -> Any:
        return torch.exp(x)

    def log(self, x: Any) -> Any:
        return torch.log(x)

    def expm1(self, x: Any) -> Any:
        return torch.expm1(x)

    def log1p(self, x: Any) -> Any:
        return torch.log1p(x)

    def sqrt(self, x: Any) -> Any:
        return torch.sqrt(x)

    def absolute(self, x: Any) -> Any:
        return torch.abs(x)

    def floor(self, x: Any) -> Any:
        return torch.floor(x)

    def power(self, base: float, exponent: Any) -> Any:
        if exponent.dtype == torch.float32:  # devices without float64
            return self.split_power(base, exponent)
        return torch.pow(base, exponent)

    def native_power(self, base: float, exponent: Any) -> Any:
        return torch.pow(base, exponent)

    def constant(self, values: Sequence[int | float], like: Any, *, integer: bool) -> Any:
        if integer:
            info = torch.iinfo(like.dtype)
            low, high = int(info.min), int(info.max)
            clipped = [min(max(int(value), low), high) for value in values]
            return torch.tensor(clipped, dtype=like.dtype, device=like.device)
        return torch.tensor(float_values(values), dtype=_compute_float(like), device=like.device)

    def table_key(self, like: Any, *, integer: bool) -> Hashable | None:
        if _tracing():
            return None
        # Per step dtype for float tables too: a table built for integer steps can depend
        # on the dtype's range (the restart table's last cycle is clipped to it).
        return (like.device, like.dtype, integer)

    def upper_bound(self, x: Any) -> int | float:
        if self.is_integer(x):
            return int(torch.iinfo(x.dtype).max)
        return float(torch.finfo(x.dtype).max)

    def int_max(self, x: Any) -> int:
        return int(torch.iinfo(x.dtype).max)

    def searchsorted(self, table: Any, x: Any, *, right: bool) -> Any:
        return torch.searchsorted(table, x.contiguous(), right=right)

    def take(self, table: Any, index: Any) -> Any:
        return torch.take(table, index)


TORCH_OPS = TorchOps()

# The restart table grows under a lock, which torch.compile cannot trace. Growing it is
# plain Python on constants: torch.compile runs it as it traces, instead of tracing it.
torch.compiler.assume_constant_result(GeometricCycles.cover)  # type: ignore[no-untyped-call]


def _bisect_right(a: Any, x: Any, lo: int = 0, hi: Any = None, *, key: Any = None) -> int:
    """``bisect.bisect_right`` in Python, for torch.compile (it folds calls on constants)."""
    if hi is None:
        hi = len(a)
    while lo < hi:
        mid = (lo + hi) // 2
        if x < (a[mid] if key is None else key(a[mid])):
            hi = mid
        else:
            lo = mid + 1
    return lo


with contextlib.suppress(ValueError):  # a handler is registered already (a later PyTorch)
    torch.compiler.substitute_in_graph(bisect.bisect_right, can_constant_fold_through=True)(
        _bisect_right
    )


@functools.cache
def _multiples(d: float, wide: bool) -> tuple[float, ...]:
    """``d * 2**p`` (``d`` rounded to float32 unless ``wide``), for ``p = step, 2 * step,
    ...`` below the compute float's largest value, ``2**step`` far inside its range; from
    the largest: a remainder by each leaves a finite quotient by the next, and by ``d``."""
    if not wide:
        d = struct.unpack("f", struct.pack("f", d))[0]
    top, step = (sys.float_info.max, 508) if wide else (float.fromhex("0x1.fffffep127"), 60)
    found: list[float] = []
    power = step
    while True:
        try:
            multiple = math.ldexp(d, power)
        except OverflowError:
            break
        if not multiple < top:
            break
        found.append(multiple)
        power += step
    return tuple(reversed(found))
