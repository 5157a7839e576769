"""JAX array steps: types, parity with the Python path, exactness in int32 and int64, tracing.

Without ``jax_enable_x64`` JAX computes in float32 and counts in int32 (Optax's ``count``):
integer steps are still divided exactly, so every switch happens at the Python path's
step up to 2**31 - 1, and values are within ``F32_ULPS`` float32 units in the last place
of the Python value (``rate ** k`` uses a split power that keeps a few ulps at any ``k``;
XLA's own float32 ``x ** p`` for PolynomialDecay's non-integer powers allows
``F32_POW_ULPS``). Float32 steps are compared with float thresholds in float32 (piecewise
boundaries, restart starts and the end of a shrinking restart series are rounded so that
the comparison stays exact). With x64 (run in
``jax.enable_x64(True)`` blocks, which do not leak)
steps are int64 and values float64, within 4 ulp of the Python value up to 2**62.
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import family_reference as fam_ref
import reference as keras_ref
from framework_cases import (
    REPRESENTATIVE,
    SCHEDULES,
    assert_dtype_close,
    assert_float32_close,
    assert_ulps,
    ids,
    switch_steps,
)
from lrschedule import (
    Constant,
    CosineDecay,
    CosineDecayRestarts,
    CyclicalLearningRate,
    ExponentialDecay,
    InverseTimeDecay,
    Join,
    PiecewiseConstantDecay,
    PolynomialDecay,
    Warmup,
    WarmupCosineDecay,
    WarmupStableDecay,
)

#: Float32 results (x64 off) against the Python value, in float32 ulps.
F32_ULPS = 8
#: ... for PolynomialDecay with a power that is not a whole number (XLA's float32 pow).
F32_POW_ULPS = 16

INT32_MAX = 2**31 - 1


def f32_ulps(schedule: Any) -> int:
    if isinstance(schedule, PolynomialDecay) and float(schedule.power) != int(schedule.power):
        return F32_POW_ULPS
    return F32_ULPS


def python_values(schedule: Any, steps: Any) -> list[float]:
    return [schedule(step) for step in steps]


# ----------------------------------------------------------------- x64 off: int32
@pytest.mark.parametrize("schedule", SCHEDULES, ids=ids)
def test_int32_steps_match_python_up_to_int32_max(schedule: Any) -> None:
    rng = np.random.default_rng(0)
    steps = sorted(
        set(range(1500))
        | set(switch_steps(schedule, INT32_MAX))
        | {INT32_MAX - 1, INT32_MAX}
        | {int(step) for step in rng.integers(0, INT32_MAX, 300)}
    )
    result = jax.jit(schedule)(jnp.asarray(steps, dtype=jnp.int32))
    assert isinstance(result, jax.Array) and result.dtype == jnp.float32
    assert result.shape == (len(steps),)
    assert_float32_close(np.asarray(result), python_values(schedule, steps), f32_ulps(schedule))
    # Eagerly, op by op, the same numbers.
    eager = schedule(jnp.asarray(steps[:64], dtype=jnp.int32))
    assert_float32_close(np.asarray(eager), python_values(schedule, steps[:64]), f32_ulps(schedule))


@pytest.mark.parametrize("schedule", SCHEDULES, ids=ids)
def test_float32_steps_match_python(schedule: Any) -> None:
    steps = np.linspace(0, 300, 1201).astype(np.float32)
    result = np.asarray(jax.jit(schedule)(jnp.asarray(steps)))
    assert result.dtype == np.float32
    # A float32 step just below the end of a shrinking restart series is in a cycle, as in
    # Python (the end is compared as the smallest float32 at or past it).
    expected = python_values(schedule, [float(step) for step in steps])
    assert_float32_close(result, expected, f32_ulps(schedule))


@pytest.mark.parametrize(
    ("dtype", "result_dtype"),
    [
        (jnp.int8, jnp.float32),
        (jnp.int16, jnp.float32),
        (jnp.uint8, jnp.float32),
        (jnp.uint16, jnp.float32),
        (jnp.int32, jnp.float32),
        (jnp.uint32, jnp.float32),
        (jnp.float16, jnp.float16),
        (jnp.bfloat16, jnp.bfloat16),
        (jnp.float32, jnp.float32),
    ],
)
@pytest.mark.parametrize("schedule", REPRESENTATIVE, ids=ids)
def test_result_dtype_and_shape_follow_the_step(
    schedule: Any, dtype: Any, result_dtype: Any
) -> None:
    steps = jnp.asarray([[0, 1, 2], [10, 21, 100]], dtype=dtype)
    result = jax.jit(schedule)(steps)
    assert result.dtype == result_dtype and result.shape == (2, 3)
    held = [float(step) for step in np.asarray(steps.astype(jnp.float32)).ravel()]
    expected = python_values(schedule, held)
    values = np.asarray(result.astype(jnp.float32)).ravel()
    if dtype in (jnp.float16, jnp.bfloat16):
        # Computed in float32, rounded once to the step's dtype.
        info = jnp.finfo(dtype)
        assert_dtype_close(values, expected, float(info.eps), float(info.tiny), ulps=1)
    else:
        assert_float32_close(values, expected, f32_ulps(schedule))
    scalar = schedule(jnp.asarray(7, dtype=dtype))
    assert scalar.shape == () and scalar.dtype == result_dtype
    assert schedule(jnp.zeros((0,), dtype=dtype)).shape == (0,)


def test_uint32_steps_beyond_int32() -> None:
    steps = [0, 5, 2**31, 2**32 - 1]
    for schedule in SCHEDULES:
        jax.jit(schedule)(jnp.asarray([0, 1], dtype=jnp.int32))  # int32 tables first
        result = jax.jit(schedule)(jnp.asarray(steps, dtype=jnp.uint32))
        assert_float32_close(np.asarray(result), python_values(schedule, steps), f32_ulps(schedule))


@pytest.mark.parametrize(
    "schedule",
    [
        ExponentialDecay(0.1, 10**10, 0.5),
        ExponentialDecay(0.1, 10**10, 0.5, staircase=True),
        InverseTimeDecay(0.1, 10**10, 2.0),
        InverseTimeDecay(0.1, 10**10, 2.0, staircase=True),
        PolynomialDecay(0.1, 10**10, 0.001, cycle=True),
        PolynomialDecay(0.001, 10**10, 0.1, power=2.0),
        CosineDecay(0.1, 10**10),
        CosineDecay(0.0, 10**10, warmup_target=1.0, warmup_steps=3 * 10**9),
        CosineDecayRestarts(1.0, 10**10, t_mul=1.0),
        CosineDecayRestarts(1.0, 10**10, t_mul=2.0),
        PiecewiseConstantDecay([10**10], [1.0, 0.5]),
        Warmup(CosineDecay(0.1, 1000), 3 * 10**9),
        Join([Constant(0.1), Constant(0.01)], [3 * 10**9]),
        WarmupCosineDecay(0.0, 0.1, 3 * 10**9, 1000),
        WarmupStableDecay(0.0, 0.1, 3 * 10**9, 10, 10),
        WarmupStableDecay(0.0, 0.1, 10, 3 * 10**9, 10),
    ],
    ids=ids,
)
def test_constants_beyond_int32_with_int32_steps(schedule: Any) -> None:
    # Optax counts in int32; decay_steps=10**10 has no int32 representation, and must
    # neither overflow nor be refused.
    steps = [0, 1, 12345, 2**31 - 2, INT32_MAX]
    result = jax.jit(schedule)(jnp.asarray(steps, dtype=jnp.int32))
    assert_float32_close(np.asarray(result), python_values(schedule, steps), F32_ULPS)


def test_negative_and_nan_steps() -> None:
    # Not validated (that would need the values on the host): negative steps are step 0,
    # a NaN step gives NaN, an infinite one does not raise.
    for schedule in SCHEDULES:
        compiled = jax.jit(schedule)
        values = compiled(jnp.asarray([-1, -7, -100], dtype=jnp.int32))
        assert_float32_close(np.asarray(values), [schedule(0)] * 3, f32_ulps(schedule))
        values = np.asarray(compiled(jnp.asarray([-1.0, -7.5, jnp.nan, jnp.inf])))
        assert_float32_close(values[:2], [schedule(0)] * 2, f32_ulps(schedule))
        assert np.isnan(values[2])


def test_bool_and_complex_steps_are_refused() -> None:
    schedule = ExponentialDecay(0.1, 10, 0.5)
    for step in (jnp.asarray([True]), jnp.asarray([1j])):
        with pytest.raises(TypeError, match="^Argument `step` must hold integers or floats"):
            schedule(step)


def test_float32_power_stays_within_a_few_ulps() -> None:
    from lrschedule.backends.jax import JAX_OPS

    for base in (0.9, 0.96, 0.999999, 1.01, 1e-10, 0.5, 3.0):
        limit = 80 / abs(np.log(base))
        exponents = np.unique(
            np.concatenate([np.arange(0, min(limit, 3000)), np.linspace(0, limit, 3001)])
        ).astype(np.float32)
        result = np.asarray(jax.jit(lambda e, b=base: JAX_OPS.power(b, e))(exponents))
        assert_float32_close(result, [base ** float(e) for e in exponents], ulps=4)
    # Edges go to jnp.power: base 0, negative and infinite exponents.
    edges = jnp.asarray([0.0, 2.0, -1.0, jnp.inf], dtype=jnp.float32)
    np.testing.assert_array_equal(JAX_OPS.power(0.0, edges), [1.0, 0.0, np.inf, 0.0])
    np.testing.assert_array_equal(JAX_OPS.power(0.5, edges), [1.0, 0.25, 2.0, 0.0])


# ------------------------------------------------------------------- tracing
@pytest.mark.parametrize("schedule", SCHEDULES, ids=ids)
def test_jit_traces_once_for_every_step(schedule: Any) -> None:
    traces = 0

    def call(step: Any) -> Any:
        nonlocal traces
        traces += 1
        return schedule(step)

    compiled = jax.jit(call)
    steps = [0, 1, 7, 10, 11, 20, 21, 99, 100, 12345, INT32_MAX]
    values = [float(compiled(jnp.int32(step))) for step in steps]
    assert traces == 1
    assert_float32_close(values, python_values(schedule, steps), f32_ulps(schedule))


@pytest.mark.parametrize("schedule", SCHEDULES, ids=ids)
def test_vmap_and_scan_agree_with_a_direct_call(schedule: Any) -> None:
    steps = jnp.arange(0, 300, dtype=jnp.int32)
    direct = jax.jit(schedule)(steps)
    mapped = jax.vmap(schedule)(steps)
    _, scanned = jax.lax.scan(lambda carry, step: (carry, schedule(step)), 0, steps)
    np.testing.assert_allclose(np.asarray(mapped), np.asarray(direct), rtol=1e-6, atol=0)
    np.testing.assert_allclose(np.asarray(scanned), np.asarray(direct), rtol=1e-6, atol=0)

    # A step counter carried through a scan, as an optimizer does.
    def body(count: Any, _: Any) -> Any:
        return count + 1, schedule(count)

    _, carried = jax.lax.scan(body, jnp.int32(0), None, length=300)
    np.testing.assert_allclose(np.asarray(carried), np.asarray(direct), rtol=1e-6, atol=0)


def test_grad_through_a_float_step_is_finite() -> None:
    schedule = ExponentialDecay(0.1, 10, 0.5)
    slope = jax.grad(lambda t: schedule(t))(jnp.float32(3.0))
    # d/dt 0.1 * 0.5 ** (t / 10) = value * ln(0.5) / 10
    assert_float32_close(float(slope), schedule(3.0) * np.log(0.5) / 10, ulps=8)


# ------------------------------------------------------------------- x64 on: int64
@pytest.mark.parametrize("schedule", SCHEDULES, ids=ids)
def test_x64_int64_steps_are_exact_up_to_2_to_62(schedule: Any) -> None:
    top = 2**62
    steps = sorted(set(range(500)) | set(switch_steps(schedule, top)) | {top - 1, top})
    expected = python_values(schedule, steps)
    with jax.enable_x64(True):
        result = jax.jit(schedule)(jnp.asarray(steps, dtype=jnp.int64))
        assert result.dtype == jnp.float64
        traces = 0

        def call(step: Any) -> Any:
            nonlocal traces
            traces += 1
            return schedule(step)

        compiled = jax.jit(call)
        jitted = [float(compiled(jnp.int64(step))) for step in steps[-5:]]
        int32_result = compiled(jnp.asarray([0, 5, 10], dtype=jnp.int32))
        # JAX's own promotion of int32 (Optax's count): float32, computed in float64.
        assert int32_result.dtype == jnp.float32
        float32_result = compiled(jnp.asarray([0.0, 5.0], dtype=jnp.float32))
        assert float32_result.dtype == jnp.float32
    assert traces == 3  # int64 scalars, int32 and float32 arrays
    assert_ulps(np.asarray(result), expected, ulps=4)
    assert_ulps(jitted, expected[-5:], ulps=4)
    assert_float32_close(int32_result, python_values(schedule, [0, 5, 10]), ulps=1)
    # x64 was switched on only inside the block.
    assert jnp.asarray(1).dtype == jnp.int32


def test_x64_staircase_switch_is_exact_above_2_to_53() -> None:
    schedule = ExponentialDecay(1.0, 3, 0.5, staircase=True)
    step = 3 * 2**55  # a multiple of 3 that float64 cannot tell from its neighbours
    with jax.enable_x64(True):
        values = schedule(jnp.asarray([step - 1, step, step + 1], dtype=jnp.int64))
    exponent = step // 3
    np.testing.assert_array_equal(
        np.asarray(values), [0.5 ** (exponent - 1), 0.5**exponent, 0.5**exponent]
    )


def test_a_cached_table_is_never_a_tracer() -> None:
    schedule = CosineDecayRestarts(1.0, 10, t_mul=1.5)
    jax.jit(schedule)(jnp.arange(5))
    jax.vmap(schedule)(jnp.arange(5))
    for table in schedule._tables.values():
        assert isinstance(table, np.ndarray)
    # A later call reuses the tables without leaking anything from the traces.
    assert_float32_close(
        np.asarray(schedule(jnp.arange(64))), python_values(schedule, range(64)), F32_ULPS
    )


#: Steps of the documented-bound test: a grid over the run, its ends, and far steps.
_BOUND_STEPS = sorted(
    {0, 1, 2, 3, 7, 999, 1000, 1001, 10**6 - 1, 10**6, 2**23 - 1, 12345678, 2**31 - 1}
    | set(range(0, 10**6, 997))
)

#: A rising PolynomialDecay, cycling: its 1 - w comes from the fraction done, which past
#: half a span is taken from the fraction left (1 - done cost 21 ulps at step 2**23 - 1).
_RISING = (3e-4, 466622.6692601479, 3695.591823587126, 0.08186206551066111, True)


@pytest.mark.parametrize(
    ("schedule", "exact", "ulps"),
    [
        (
            CyclicalLearningRate(1e-4, 0.1, 2000, 3000.5, "triangular2"),
            lambda s: fam_ref.cyclical(1e-4, 0.1, 2000, 3000.5, "triangular2", step=s)[0],
            8,
        ),
        (
            CyclicalLearningRate(0.1, 1e-3, 777, 1234, "exp_range", 0.99999),
            lambda s: fam_ref.cyclical(0.1, 1e-3, 777, 1234, "exp_range", 0.99999, step=s)[0],
            8,
        ),
        (
            PolynomialDecay(0.1, 10**6, 1e-4, 2.7, cycle=True),
            lambda s: keras_ref.polynomial_decay(0.1, 10**6, 1e-4, 2.7, True, step=s),
            16,
        ),
        (
            PolynomialDecay(3e-4, 7777.5, 3e-6, 0.05),
            lambda s: keras_ref.polynomial_decay(3e-4, 7777.5, 3e-6, 0.05, False, step=s),
            16,
        ),
        (
            PolynomialDecay(*_RISING),
            lambda s: keras_ref.polynomial_decay(*_RISING, step=s),
            16,
        ),
    ],
)
@pytest.mark.parametrize("dtype", [jnp.int32, jnp.float32])
def test_float32_within_the_documented_bound(
    schedule: Any, exact: Any, ulps: int, dtype: Any
) -> None:
    # The bound of the JAX module docstring without x64: 8 float32 ulps, 16 for a
    # PolynomialDecay with a power that is not a whole number (XLA's pow).
    steps = [float(np.float32(s)) if dtype == jnp.float32 else s for s in _BOUND_STEPS]
    values = schedule(jnp.asarray(steps, dtype=dtype))
    assert values.dtype == jnp.float32
    assert_float32_close(values, [float(exact(s)) for s in steps], ulps)
