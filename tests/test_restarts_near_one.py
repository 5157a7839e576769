"""CosineDecayRestarts with ``t_mul`` near 1: every step, every backend and dtype, exactly.

Cycles that barely change length number millions (``t_mul=1 + 2**-40``: 7.5e14 before the
float64 range ends). The reference here is independent: exact fractions for the first
cycles, 90-digit decimals (``S_k = first * (exp(k * log t) - 1) / (t - 1)``) past them.
Steps are taken on both sides of ``ceil(S_k)`` (integer dtypes) and of ``F_k``, the
smallest float of the dtype ``>= S_k`` (float dtypes), for cycles from 1 to the last one
the dtype reaches, plus step 0 and the dtype's largest value. The cycle each step is put in
must be the exact one; the rate must match the reference to the dtype's precision.

JAX without x64 computes in float32, where two limits are documented: a cycle index above
``2**24`` has no float32 representation (only ``t_mul=1 + 2**-40`` gets there), and a
float32 step in the half-ulp below the end of a shrinking series is compared with the end
rounded to float32 (as in ``tests/test_jax.py``).
"""

from __future__ import annotations

import dataclasses
import decimal
import math
import os
import sys
from collections.abc import Callable
from decimal import Decimal
from fractions import Fraction
from typing import Any

os.environ.setdefault("JAX_PLATFORMS", "cpu")

import jax.numpy as jnp
import numpy as np
import pytest
import tensorflow as tf
import torch

from lrschedule import CosineDecayRestarts
from lrschedule.analysis import area
from lrschedule.backends.dispatch import ops_for
from lrschedule.backends.jax import JAX_OPS
from lrschedule.backends.numpy import NUMPY_OPS
from lrschedule.schedules import restart_arrays
from lrschedule.schedules.restart_tables import far_plan

LR, M_MUL, ALPHA = 0.1, 0.999999, 0.05
I32, I64 = 2**31 - 1, 2**63 - 1
F32, F64 = float(np.finfo(np.float32).max), sys.float_info.max

CONFIGS = {
    "t=1.001": (1, 1.001),  # the reported cases
    "t=0.999": (629377.4, 0.999),
    "t=1.00001": (1, 1.00001),
    "t=0.99999": (3, 0.99999),
    "t=1+2**-40": (1, 1 + 2**-40),
}


class Exact:
    """The cycles of ``first * t**k`` in exact (or 90-digit) arithmetic."""

    def __init__(self, first: float, t: float) -> None:
        self.first, self.t = Fraction(first), Fraction(t)
        with decimal.localcontext() as context:
            context.prec = 90
            self.log_t = Decimal(t).ln()
        self.end = self.first / (1 - self.t) if self.t < 1 else None

    @staticmethod
    def _decimal(value: Fraction | Decimal) -> Decimal:
        if isinstance(value, Decimal):
            return value
        return Decimal(value.numerator) / Decimal(value.denominator)

    def start(self, k: int) -> Fraction | Decimal:
        if k <= 150:
            return self.first * (self.t**k - 1) / (self.t - 1)
        with decimal.localcontext() as context:
            context.prec = 90
            t = self._decimal(self.t)
            return self._decimal(self.first) * ((self.log_t * k).exp() - 1) / (t - 1)

    def cycle(self, step: int | float) -> int:
        s = Fraction(step)
        if self.end is not None and s >= self.end:
            return -1
        with decimal.localcontext() as context:
            context.prec = 90
            ratio = 1 + self._decimal(s * (self.t - 1) / self.first)
            k = max(0, math.floor(ratio.ln() / self.log_t))
        while k > 0 and self.start(k) > s:
            k -= 1
        while self.start(k + 1) <= s:
            k += 1
        return k

    def value(self, step: int | float) -> float:
        k = self.cycle(step)
        if k < 0:
            return LR * ALPHA
        with decimal.localcontext() as context:
            context.prec = 90
            length = self._decimal(self.first) * (self.log_t * k).exp()
            left = (self._decimal(self.start(k + 1)) - self._decimal(Fraction(step))) / length
        wave = 0.5 * (1 + math.cos(math.pi * (1 - float(left))))
        return LR * ((1 - ALPHA) * M_MUL**k * wave + ALPHA)

    def length(self, k: int) -> float:
        with decimal.localcontext() as context:
            context.prec = 90
            return float(self._decimal(self.first) * (self.log_t * k).exp())

    def span(self, k: int) -> float:
        """``S_k / L_k = (1 - t**-k) / (t - 1)``: how much an error relative to S_k counts in
        the fraction of the cycle left."""
        with decimal.localcontext() as context:
            context.prec = 90
            return float((1 - (-self.log_t * k).exp()) / (self._decimal(self.t) - 1))


def least_float(value: Fraction | Decimal, float32: bool) -> float:
    """The smallest float (or float32) ``>= value``."""
    exact = Fraction(value)
    if float32:
        f = np.float32(float(exact))
        while Fraction(float(f)) < exact:
            f = np.nextafter(f, np.float32(np.inf))
        while Fraction(float(np.nextafter(f, np.float32(0)))) >= exact:
            f = np.nextafter(f, np.float32(0))
        return float(f)
    g = float(exact)
    while Fraction(g) < exact:
        g = math.nextafter(g, math.inf)
    while Fraction(math.nextafter(g, 0.0)) >= exact:
        g = math.nextafter(g, 0.0)
    return g


def before(value: float, float32: bool) -> float:
    if float32:
        return float(np.nextafter(np.float32(value), np.float32(0)))
    return math.nextafter(value, 0.0)


def boundary_steps(exact: Exact, integer: bool, top: int | float, float32: bool) -> list[Any]:
    """Both sides of the first step of cycles 1 to the last one reached, 0 and ``top``."""
    last = top
    if exact.end is not None and top >= exact.end:
        last = (
            math.ceil(exact.end) - 1
            if integer
            else before(least_float(exact.end, float32), float32)
        )
    final = exact.cycle(last)
    cycles = {1, 2, 3, 10, 100, 4095, 4096, 4097, final}
    cycles |= {max(1, round(final ** (i / 8))) for i in range(1, 8)}
    steps: set[Any] = {0, top} if integer else {0.0, top}
    for k in sorted(c for c in cycles if 1 <= c <= final):
        start = exact.start(k)
        if integer:
            first = math.ceil(Fraction(start))
            steps |= {first - 1, first} if first <= top else set()
        else:
            first_float = least_float(start, float32)
            steps |= {before(first_float, float32)} | (
                {first_float} if first_float <= top else set()
            )
    return sorted(steps)


def _numpy(result: Any) -> Any:
    return np.asarray(result.numpy() if hasattr(result, "numpy") else result, dtype=np.float64)


#: name: (integer, largest step, make the step array (None: Python numbers), float32 steps,
#:        float32 arithmetic, float32 result)
BACKENDS: dict[
    str, tuple[bool, int | float, Callable[[list[Any]], Any] | None, bool, bool, bool]
] = {
    "python-int": (True, I64 * 8, None, False, False, False),
    "python-float": (False, F64, None, False, False, False),
    "numpy-int64": (True, I64, lambda v: np.array(v, np.int64), False, False, False),
    "numpy-float32": (False, F32, lambda v: np.array(v, np.float32), True, False, True),
    "numpy-float64": (False, F64, lambda v: np.array(v, np.float64), False, False, False),
    "torch-int64": (True, I64, lambda v: torch.tensor(v, dtype=torch.int64), False, False, True),
    "torch-float32": (
        False,
        F32,
        lambda v: torch.tensor(v, dtype=torch.float32),
        True,
        False,
        True,
    ),
    "torch-float64": (
        False,
        F64,
        lambda v: torch.tensor(v, dtype=torch.float64),
        False,
        False,
        False,
    ),
    "jax-int32": (True, I32, lambda v: jnp.asarray(v, jnp.int32), False, True, True),
    "jax-float32": (False, F32, lambda v: jnp.asarray(v, jnp.float32), True, True, True),
    "tf-int64": (True, I64, lambda v: tf.constant(v, tf.int64), False, False, True),
    "tf-float32": (False, F32, lambda v: tf.constant(v, tf.float32), True, False, True),
    "tf-float64": (False, F64, lambda v: tf.constant(v, tf.float64), False, False, False),
}


def located(schedule: Any, x: Any) -> Any:
    """The cycle the schedule puts each step of array ``x`` in (-1 past the end)."""
    ops = ops_for(x)
    cycle, _, past_end = schedule._locate(ops.prepare(x), ops, schedule._cycles)
    cycle = np.broadcast_to(_numpy(cycle), np.shape(x))
    return cycle if past_end is None else np.where(_numpy(past_end) > 0, -1.0, cycle)


@pytest.mark.parametrize("backend", list(BACKENDS))
@pytest.mark.parametrize("config", list(CONFIGS))
def test_every_step_is_in_its_exact_cycle(config: str, backend: str) -> None:
    first, t = CONFIGS[config]
    integer, top, make, float32_steps, float32_math, float32_result = BACKENDS[backend]
    exact = Exact(first, t)
    schedule = CosineDecayRestarts(LR, first, t_mul=t, m_mul=M_MUL, alpha=ALPHA)
    steps = boundary_steps(exact, integer, top, float32_steps)
    expected_cycles = np.array([exact.cycle(s) for s in steps], dtype=np.float64)
    expected = np.array([exact.value(s) for s in steps])
    if make is None:
        got = np.array([schedule(s) for s in steps])
        cycles = np.array([schedule._cycles.position(s)[0] for s in steps], dtype=np.float64)
    else:
        x = make(steps)
        got = _numpy(schedule(x))
        cycles = located(schedule, x)
    exact_cycle = np.ones(len(steps), dtype=bool)
    tolerance = np.full(len(steps), 1.5e-8 if float32_result else 1e-13)
    if float32_math:
        # float32 arithmetic: no cycle index above 2**24; the end compared in float32.
        exact_cycle &= expected_cycles < 2**24
        if exact.end is not None:
            below_end = float(np.float32(float(exact.end)))
            exact_cycle &= [not below_end <= Fraction(s) < exact.end for s in steps]
        # The fraction left is within 2**-45 * S_k / L_k (S_k within 2**-46 of itself).
        spans = np.array([exact.span(max(int(k), 0)) for k in expected_cycles])
        tolerance = LR * math.pi / 2 * 2.0**-45 * spans + 3e-8
    np.testing.assert_array_equal(cycles[exact_cycle], expected_cycles[exact_cycle])
    error = np.abs(got - expected)
    wrong = exact_cycle & (error > tolerance)
    assert not wrong.any(), [s for s, bad in zip(steps, wrong, strict=True) if bad][:5]
    assert np.all(np.isfinite(got)) and np.all(got >= LR * ALPHA * (1 - 1e-6))
    assert np.all(got <= LR * (1 + 1e-6))


@pytest.mark.parametrize(
    "make",
    [
        lambda: torch.tensor(0.0),
        lambda: torch.tensor(0),
        lambda: np.float32(0.0),
        lambda: jnp.asarray(0.0),
        lambda: tf.constant(0, tf.int64),
        lambda: 0.0,
        lambda: 0,
    ],
    ids=[
        "torch-float32",
        "torch-int64",
        "numpy-float32",
        "jax-float32",
        "tf-int64",
        "float",
        "int",
    ],
)
def test_the_reported_configurations_start_at_the_peak(make: Callable[[], Any]) -> None:
    """Both raised at step 0 ("needs more than 100,000 cycles") on tensors."""
    for first, t in ((1, 1.001), (629377.4, 0.999)):
        assert float(_numpy(CosineDecayRestarts(0.1, first, t_mul=t)(make()))) == pytest.approx(0.1)


def test_integer_tensors_of_the_shrinking_configuration() -> None:
    """first_decay_steps=629377.4, t_mul=0.999: the series ends at 629377400 (and a bit)."""
    exact = Exact(629377.4, 0.999)
    schedule = CosineDecayRestarts(LR, 629377.4, t_mul=0.999, m_mul=M_MUL, alpha=ALPHA)
    steps = [0, 1, 629377, 629378, 10**8, 629377399, 629377400, 629377401, I64]
    expected = [exact.value(s) for s in steps]
    for dtype in (torch.int32, torch.int64):
        assert _numpy(
            schedule(torch.tensor(steps[:-1] if dtype == torch.int32 else steps, dtype=dtype))
        ) == (pytest.approx(expected[: len(steps) - (dtype == torch.int32)], rel=1e-6))


@pytest.mark.parametrize("config", list(CONFIGS))
def test_double_word_starts_are_within_the_documented_bound(config: str) -> None:
    """S_k from the array code: within 2**-100 of itself in float64, 2**-45 in float32."""
    first, t = CONFIGS[config]
    schedule = CosineDecayRestarts(LR, first, t_mul=t)
    cycles = schedule._cycles
    rng = np.random.default_rng(5)
    for bits, ops, top, bound in ((53, NUMPY_OPS, F64, 2.0**-100), (24, JAX_OPS, F32, 2.0**-45)):
        plan = far_plan(cycles, (False, top, bits))
        like = np.zeros(1) if bits == 53 else jnp.zeros(1, jnp.float32)
        tables = restart_arrays._Tables(schedule, ops, plan, like, "float")
        ks = sorted({int(k) for k in rng.integers(0, plan.last + 1, 200)} | {plan.last, 4096})
        ks = [k for k in ks if k <= plan.last and (bits == 53 or k < 2**24)]
        k = np.array(ks, np.float64) if bits == 53 else jnp.asarray(ks, jnp.float32)
        start, length = restart_arrays._compose(ops, plan, tables, k)
        hi, lo = _numpy(start[0]), _numpy(start[1])
        exact = Exact(first, t)
        for i, kk in enumerate(ks):
            truth = Fraction(exact.start(kk)) * Fraction(plan.scale)
            got = Fraction(float(hi[i])) + Fraction(float(lo[i]))
            assert abs(got - truth) <= bound * truth, (bits, kk)
        lengths = [exact.length(kk) * plan.scale for kk in ks]
        assert _numpy(length[0]) == pytest.approx(lengths, rel=2.0 ** (3 - bits))


def test_numpy_elements_near_a_restart_are_settled_exactly() -> None:
    """With the tolerance widened to everything, every element goes the exact way: the
    results are those of Python numbers."""
    first, t = CONFIGS["t=1.00001"]
    schedule = CosineDecayRestarts(LR, first, t_mul=t, m_mul=M_MUL, alpha=ALPHA)
    steps = np.array([0, 10, 10**6, 10**7 + 1, 10**9, I64], dtype=np.int64)
    expected = [schedule(int(s)) for s in steps]
    schedule(steps)
    cycles = schedule._cycles
    for key, plan in list(cycles.plans.items()):
        cycles.plans[key] = dataclasses.replace(plan, tolerance=1.0)
    assert schedule(steps).tolist() == expected


def test_breakpoints_past_the_table_are_the_exact_restarts() -> None:
    first, t = CONFIGS["t=1.001"]
    exact = Exact(first, t)
    schedule = CosineDecayRestarts(LR, first, t_mul=t)
    start, stop = math.ceil(Fraction(exact.start(6000))), math.ceil(Fraction(exact.start(6100)))
    assert list(schedule.breakpoints(start, stop)) == [
        math.ceil(Fraction(exact.start(k))) for k in range(6000, 6100)
    ]


def test_breakpoints_of_cycles_shorter_than_a_step_end_at_the_floor() -> None:
    """t_mul=0.99999, first_decay_steps=3: cycles fall below a step at k = 109,861; from
    then on several share a first step, and the floor begins at step 300,000."""
    first, t = CONFIGS["t=0.99999"]
    exact = Exact(first, t)
    schedule = CosineDecayRestarts(LR, first, t_mul=t)
    points = list(schedule.breakpoints(299_000, 10**6))
    assert points[-1] == math.ceil(exact.end)
    expected = sorted(
        {math.ceil(Fraction(exact.start(exact.cycle(s) + 1))) for s in range(298_999, 300_000)}
    )
    expected = [p for p in expected if 299_000 <= p < math.ceil(exact.end)]
    assert points[:-1] == expected


def test_area_past_the_table_is_the_sum_of_every_step() -> None:
    """The area's definition, ``math.fsum`` of the rate at every step, past the table."""
    first, t = CONFIGS["t=1.001"]
    schedule = CosineDecayRestarts(LR, first, t_mul=t, m_mul=M_MUL, alpha=ALPHA)
    steps = 66_000  # past S_4096 = 59,037
    assert area(schedule, steps) == pytest.approx(
        math.fsum(schedule(s) for s in range(steps)), rel=1e-12
    )


def test_keras_agrees_at_moderate_steps() -> None:
    """Keras, every float argument as np.float64 so that it computes in float64: at
    mid-cycle steps of the first few thousand cycles, where its logarithm gives the right
    cycle, the rates agree."""
    import keras

    for first, t, cycles in ((1, 1.001, (0, 3, 40, 400, 3000)), (629377.4, 0.999, (0, 1, 30, 300))):
        exact = Exact(first, t)
        ours = CosineDecayRestarts(LR, first, t_mul=t, m_mul=M_MUL, alpha=ALPHA)
        theirs = keras.optimizers.schedules.CosineDecayRestarts(
            np.float64(LR),
            np.float64(first),
            t_mul=np.float64(t),
            m_mul=np.float64(M_MUL),
            alpha=np.float64(ALPHA),
        )
        for k in cycles:
            first_step = math.ceil(Fraction(exact.start(k)))
            step = first_step + max(math.floor(exact.length(k) / 2) - 1, 0)
            assert exact.cycle(step) == k
            assert float(theirs(step)) == pytest.approx(ours(step), rel=1e-9), (t, k)


def test_compiled_and_traced_steps_near_one() -> None:
    """torch.compile (one graph, no recompiling), jax.jit, jax.vmap, x64 and tf.function,
    XLA too: the same rates as the reference, past the table."""
    import jax

    first, t = CONFIGS["t=1.001"]
    exact = Exact(first, t)
    schedule = CosineDecayRestarts(LR, first, t_mul=t, m_mul=M_MUL, alpha=ALPHA)
    steps = [0, 5, 60_000, 10**6, 2**40 + 3]
    expected = [exact.value(s) for s in steps]
    torch._dynamo.reset()
    compiled = torch.compile(schedule, fullgraph=True, backend="eager")
    assert _numpy(compiled(torch.tensor(steps))) == pytest.approx(expected, rel=1e-6)
    with torch._dynamo.config.patch(error_on_recompile=True):
        assert _numpy(compiled(torch.tensor(steps[::-1]))) == pytest.approx(
            expected[::-1], rel=1e-6
        )
    small = jnp.asarray(steps[:4], jnp.int32)
    assert _numpy(jax.jit(schedule)(small)) == pytest.approx(expected[:4], rel=1e-6)
    assert _numpy(jax.vmap(schedule)(small)) == pytest.approx(expected[:4], rel=1e-6)
    with jax.enable_x64(True):
        wide = jax.jit(schedule)(jnp.asarray(steps, jnp.int64))
        assert _numpy(wide) == pytest.approx(expected, rel=1e-13)
    for xla in (False, True):
        graph = tf.function(schedule, jit_compile=xla)
        assert _numpy(graph(tf.constant(steps, tf.int64))) == pytest.approx(expected, rel=1e-6)


@pytest.mark.parametrize("t", [2.0, 1.001, 0.999, 1e10])
def test_the_shortest_first_cycle_up_to_the_largest_float(t: float) -> None:
    """first_decay_steps=2**-126 (the shortest allowed): the last cycles a float step
    reaches end, and with t_mul=1e10 last, past the float range; every rate is finite and
    the reference's, float32 and float64 steps alike, and Python's."""
    first = 2.0**-126
    exact = Exact(first, t)
    schedule = CosineDecayRestarts(LR, first, t_mul=t, m_mul=M_MUL, alpha=ALPHA)
    wide = [0.0, 0.5, 3.0, 3e38, 1e300, 1e308, F64]
    narrow = [float(v) for v in np.float32([0.0, 0.5, 3.0, 1e30, 3e38, F32])]
    cases: list[tuple[list[float], Callable[[list[float]], Any]]] = [
        (wide, lambda v: [schedule(s) for s in v]),
        (wide, lambda v: schedule(np.array(v))),
        (wide, lambda v: schedule(torch.tensor(v, dtype=torch.float64))),
        (wide, lambda v: schedule(tf.constant(v, tf.float64))),
        (narrow, lambda v: schedule(np.array(v, np.float32))),
        (narrow, lambda v: schedule(torch.tensor(v, dtype=torch.float32))),
        (narrow, lambda v: schedule(jnp.asarray(v, jnp.float32))),
        (narrow, lambda v: schedule(tf.constant(v, tf.float32))),
    ]
    for steps, evaluate in cases:
        got = _numpy(evaluate(steps))
        assert got == pytest.approx([exact.value(s) for s in steps], rel=1e-5), steps
