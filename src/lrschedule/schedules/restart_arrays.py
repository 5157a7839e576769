"""The cycles of ``CosineDecayRestarts`` for array steps past its exact table.

A tensor step is never inspected, so its cycle is found by arithmetic alone, elementwise:

1. a float estimate ``k = floor(log(R) / log(t))``, ``R = 1 + s * (t - 1) / first``
   (for ``t < 1``, ``R = (E - s) / E`` with ``E = first / (1 - t)`` the end, the
   difference formed in double words); when that estimate can be off by more than a
   cycle (``FarPlan.rounds == 2``), one Newton step ``k += log1p(d * (t - 1)) / log(t)``,
   ``d = (s - S_k) / L_k``;
2. ``S_k`` and ``L_k`` in double-word arithmetic (``hi + lo``: Dekker's products, Knuth's
   sums) from the constants of :mod:`lrschedule.schedules.restart_tables`;
3. the exact correction: the step lies in cycle ``k - 1``, ``k`` or ``k + 1`` as
   ``s - S_k`` and ``S_{k+1} - s`` (double words again) are negative or not, and the
   fraction left of the cycle is ``(S_{k+1} - s) / L_k`` from those same differences.

``S_k`` comes out within ``2**-100`` of its value relatively in float64 (``2**-103.9``
the most measured, for ``t_mul`` from 0.97 to ``1 + 2**-40``; ``2**-45`` in float32, ``2**-46``
measured), or within ``2**-1050`` absolutely where its low word is subnormal (a first cycle
near ``1e-300`` steps). So a step is put in the wrong cycle only when it lies that close
to a restart: no start past the table's first 64 cycles is a representable step (it has
more than 53 significant bits when ``t_mul`` is this near 1), and in practice none is that
close to one. In float32 the fraction of the cycle left is within ``2**-45 * S_k / L_k``,
and cycle indexes above ``2**24`` are rounded to float32. NumPy steps are host data: the
few elements within ``FarPlan.tolerance`` of a restart (or whose index passes ``2**52``)
are located again exactly, one by one, so NumPy results are exact.

The Veltkamp split and the rounded products go through ``ops.separate``, so that a
compiler that fuses ``a * b + c`` into one rounding (XLA does) cannot spoil them.
"""

from __future__ import annotations

import contextlib
import functools

TYPE_CHECKING = False
if TYPE_CHECKING:
    from contextlib import AbstractContextManager
    from typing import Any

    from lrschedule.backends.contract import ArrayOps
    from lrschedule.core.cycles import GeometricCycles
    from lrschedule.schedules.restart_tables import FarPlan

    Word = tuple[Any, Any]

__all__ = ["compute_bits", "far_locate", "locate_past_table", "quietly", "settle_exactly"]


def quietly(ops: ArrayOps) -> AbstractContextManager[Any]:
    """For NumPy, a context without floating-point warnings; a do-nothing one otherwise."""
    if ops.name == "numpy":
        import numpy as np

        return np.errstate(all="ignore")
    return contextlib.nullcontext()


def compute_bits(ops: ArrayOps, xf: Any) -> int:
    """The mantissa bits of the compute float ``xf`` is in: 24 for float32, else 53."""
    return 24 if "32" in str(getattr(xf, "dtype", "float64")) else 53


# ------------------------------------------------------------------ double words
def _two_sum(a: Any, b: Any) -> Word:
    s = a + b
    v = s - a
    return s, (a - (s - v)) + (b - v)


def _fast_two_sum(a: Any, b: Any) -> Word:
    s = a + b
    return s, b - (s - a)


def _split(ops: Any, a: Any, factor: float) -> Word:
    """Veltkamp's split of ``a`` into halves whose products are exact. A value too large
    for ``a * factor`` is split scaled down by ``factor**2`` (a power of two, nearly)."""
    scale = 2.0 ** (2 * (round(factor).bit_length() - 1))
    large = ops.absolute(a) > 2.0**-2 * _largest(factor) / scale
    a = ops.where(large, a / scale, a)
    (g,) = ops.separate((a * factor,))
    hi = g - (g - a)
    lo = a - hi
    return ops.where(large, hi * scale, hi), ops.where(large, lo * scale, lo)


def _largest(factor: float) -> float:
    """The largest finite value of the compute float whose splitting constant is ``factor``."""
    return float.fromhex("0x1.fffffep127") if factor < 2.0**20 else 1.7976931348623157e308


def _mul(ops: Any, a: Word, b: Word, factor: float) -> Word:
    """``a * b`` for double words (relative error below 6 ``u**2``)."""
    ah, al = _split(ops, a[0], factor)
    bh, bl = _split(ops, b[0], factor)
    (p,) = ops.separate((a[0] * b[0],))
    e = ((ah * bh - p) + ah * bl + al * bh) + al * bl
    e = e + (a[0] * b[1] + a[1] * b[0])
    return _fast_two_sum(p, e)


def _add(a: Word, b: Word) -> Word:
    """``a + b`` for double words (error below 3 ``u**2`` of ``|a| + |b|``)."""
    s, e = _two_sum(a[0], b[0])
    e = e + (a[1] + b[1])
    return _fast_two_sum(s, e)


def _neg(a: Word) -> Word:
    return -a[0], -a[1]


# ------------------------------------------------------------------ the cycle
class _Tables:
    """The plan's lists as arrays of the step's library, cached on the schedule."""

    def __init__(self, schedule: Any, ops: ArrayOps, plan: FarPlan, x: Any, kind: str) -> None:
        prefix = f"far-{kind}-{plan.bits}-{plan.last}-"

        def table(name: str, values: list[float]) -> Any:
            return schedule._table(ops, prefix + name, values, x, integer=False)

        self.high_steps = table("high", plan.high_steps)
        self.high_start = (
            table("start-hi", plan.high_start[0]),
            table("start-lo", plan.high_start[1]),
        )
        self.high_length = (
            table("length-hi", plan.high_length[0]),
            table("length-lo", plan.high_length[1]),
        )
        self.digits = table("digits", plan.digits)
        self.power = (
            table("power-hi", plan.digit_power[0]),
            table("power-lo", plan.digit_power[1]),
        )
        self.sum = (table("sum-hi", plan.digit_sum[0]), table("sum-lo", plan.digit_sum[1]))


def _take(ops: ArrayOps, pair: Word, index: Any) -> Word:
    return ops.take(pair[0], index), ops.take(pair[1], index)


def _compose(ops: ArrayOps, plan: FarPlan, tables: _Tables, k: Any) -> tuple[Word, Word]:
    """``S_k`` and ``L_k`` as double words, for a float array ``k`` of whole numbers."""
    factor = plan.split
    h = ops.searchsorted(tables.high_steps, k, right=True) - 1
    rest = k - ops.take(tables.high_steps, h)
    total = power = (rest, rest)  # replaced by the lowest digit's below
    for level in range(plan.levels):
        if level < plan.levels - 1:
            quotient = ops.floor(rest * (1.0 / 256.0))
            digit = rest - quotient * 256.0
            rest = quotient
        else:
            digit = rest
        index = ops.searchsorted(tables.digits, digit + 256.0 * level, right=True) - 1
        digit_sum, digit_power = _take(ops, tables.sum, index), _take(ops, tables.power, index)
        if level == 0:
            total, power = digit_sum, digit_power
        else:  # T_{a+b} = T_a + t**a * T_b
            total = _add(total, _mul(ops, power, digit_sum, factor))
            power = _mul(ops, power, digit_power, factor)
    start_h, length_h = _take(ops, tables.high_start, h), _take(ops, tables.high_length, h)
    start = _add(start_h, _mul(ops, length_h, total, factor))
    return start, _mul(ops, length_h, power, factor)


def _step_word(ops: ArrayOps, plan: FarPlan, x: Any, xf: Any) -> Word:
    """The step (times the plan's scale) as an exact double word (an integer split in two
    halves first; integer steps are never scaled)."""
    if not ops.is_integer(x):
        scaled = xf * plan.scale
        return scaled, scaled * 0.0
    half = 2 ** (16 if plan.bits == 24 else 32)
    high, low = ops.divmod(x, half)
    return _two_sum(ops.to_float(high) * float(half), ops.to_float(low))


def _estimate(ops: ArrayOps, plan: FarPlan, xf: Any, step: Word) -> Any:
    """``log(R)``, ``R = 1 + s * (t - 1) / first``, to a few ulps of ``|log R|``, or of 1."""
    tiny = 2.0 ** (-126 if plan.bits == 24 else -1022)
    if plan.growing:
        y = xf * plan.rate
        large = ops.log(ops.maximum(xf, tiny)) + plan.log_rate
        return ops.where(y < 2.0 ** (plan.bits + 4), ops.log1p(ops.minimum(y, 2.0**60)), large)
    z = xf * plan.inverse_end
    gap = _add((plan.end[0] + xf * 0.0, plan.end[1] + xf * 0.0), _neg(step))
    far = ops.log(ops.maximum(gap[0] + gap[1], tiny)) - plan.log_end
    return ops.where(z < 0.5, ops.log1p(-ops.minimum(z, 0.5)), far)


def far_locate(
    schedule: Any, ops: ArrayOps, x: Any, cycles: GeometricCycles, plan: FarPlan
) -> tuple[Any, Any, Any]:
    """The cycle of each step (a float array), the fraction of it left, and a mask of the
    elements within the plan's tolerance of a restart (to be settled exactly)."""
    xf = ops.to_float(x)
    tables = _Tables(schedule, ops, plan, x, "int" if ops.is_integer(x) else "float")
    step = _step_word(ops, plan, x, xf)
    last = float(plan.last)
    k = ops.floor(ops.minimum(ops.maximum(_estimate(ops, plan, xf, step) / plan.log_t, 0.0), last))
    if plan.rounds == 2:
        start, length = _compose(ops, plan, tables, k)
        done = _add(step, _neg(start))
        shift = ((done[0] + done[1]) / length[0]) * plan.t_minus_1
        jump = ops.log1p(ops.maximum(shift, -1.0 + 2.0 ** (1 - plan.bits))) / plan.log_t
        k = ops.floor(ops.minimum(ops.maximum(k + jump, 0.0), last))
    start, length = _compose(ops, plan, tables, k)
    done = _add(step, _neg(start))  # s - S_k
    ahead = _add(length, _neg(done))  # S_{k+1} - s
    before, after = done[0] < 0.0, ahead[0] <= 0.0
    previous, following = length[0] / plan.t, length[0] * plan.t
    inside = (ahead[0] + ahead[1]) / length[0]
    left = ops.where(
        before,
        -(done[0] + done[1]) / previous,
        ops.where(after, (following + (ahead[0] + ahead[1])) / following, inside),
    )
    left = ops.minimum(ops.maximum(left, 0.0), 1.0)
    cycle = k + ops.where(after, 1.0, 0.0) - ops.where(before, 1.0, 0.0)
    margin = plan.tolerance * start[0] + plan.floor
    near = (ops.absolute(done[0]) <= margin) | (ops.absolute(ahead[0]) <= margin)
    slack = 1.0 - 2.0**-30
    near = near | (before & (-done[0] >= previous * slack))
    near = near | (after & (-ahead[0] >= following * slack))
    near = near | (cycle >= 2.0 ** (plan.bits - 1)) | ~(left == left)
    return cycle, left, near


def settle_exactly(
    x: Any, cycle: Any, left: Any, near: Any, cycles: GeometricCycles
) -> tuple[Any, Any]:
    """For NumPy steps: the cycle and fraction left of the elements marked ``near``, exactly."""
    import numpy as np

    flagged = np.flatnonzero(near)
    if not flagged.size:
        return cycle, left
    cycle = np.array(cycle, dtype=np.float64).reshape(-1)
    left = np.array(left, dtype=np.float64).reshape(-1)
    steps = np.asarray(x).reshape(-1)
    for index in flagged.tolist():
        k, fraction = cycles.position(steps[index].item())
        cycle[index], left[index] = float(k), fraction
    shape = np.shape(x)
    return cycle.reshape(shape), left.reshape(shape)


def locate_past_table(
    schedule: Any, ops: ArrayOps, x: Any, cycles: GeometricCycles, plan: FarPlan, key: Any
) -> tuple[Any, Any, Any]:
    """:func:`far_locate`; for JAX compiled once per plan and step shape with ``jax.jit``
    (eagerly, its few hundred operations would each be compiled and dispatched alone)."""
    if ops.name != "jax":
        with quietly(ops):  # lanes the table answers may overflow: no NumPy warning
            return far_locate(schedule, ops, x, cycles, plan)
    compiled = cycles.plans.get(("jit", key))
    if compiled is None:
        import jax

        located = functools.partial(far_locate, schedule, ops, cycles=cycles, plan=plan)
        compiled = cycles.plans[("jit", key)] = jax.jit(located)
    return compiled(x)  # type: ignore[operator, no-any-return]
