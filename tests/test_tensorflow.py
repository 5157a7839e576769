"""TensorFlow tensor and variable steps, eagerly and inside ``tf.function`` (with and without XLA).

TensorFlow steps compute in float64 (integer steps widened to int64 and divided exactly)
and round once to the result dtype: float32 for integer steps (Keras's ``floatx``), the
step's dtype for float steps. Float32 results are within 1 float32 ulp of the Python
value, float64 results within 4 ulp (each within 2 of the exact value), and every switch
happens at the Python path's step, up to the dtype's limit. TensorFlow flushes float32
results below the smallest normal number (1.2e-38) to zero.
"""

from __future__ import annotations

import os
from typing import Any

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np
import pytest
import tensorflow as tf

from framework_cases import SCHEDULES, assert_float32_close, assert_ulps, ids, switch_steps
from lrschedule import (
    CosineDecay,
    CosineDecayRestarts,
    ExponentialDecay,
    PolynomialDecay,
)


def python_values(schedule: Any, steps: Any) -> list[float]:
    return [schedule(step) for step in steps]


@pytest.mark.parametrize("dtype", [tf.int32, tf.int64])
@pytest.mark.parametrize("schedule", SCHEDULES, ids=ids)
def test_integer_steps_match_python_up_to_the_dtype_limit(schedule: Any, dtype: Any) -> None:
    top = dtype.max
    steps = sorted(set(range(1000)) | set(switch_steps(schedule, top)) | {top - 1, top})
    result = schedule(tf.constant(steps, dtype=dtype))
    assert isinstance(result, tf.Tensor) and result.dtype == tf.float32
    assert result.shape == (len(steps),)
    assert_float32_close(result.numpy(), python_values(schedule, steps), ulps=1, flush=True)


@pytest.mark.parametrize("schedule", SCHEDULES, ids=ids)
def test_float_steps_keep_their_dtype(schedule: Any) -> None:
    steps = np.linspace(0, 300, 601)
    expected = python_values(schedule, steps.tolist())
    wide = schedule(tf.constant(steps, dtype=tf.float64))
    assert wide.dtype == tf.float64
    assert_ulps(wide.numpy(), expected, ulps=4)
    narrow_steps = steps.astype(np.float32)
    narrow = schedule(tf.constant(narrow_steps))
    assert narrow.dtype == tf.float32
    assert_float32_close(
        narrow.numpy(), python_values(schedule, [float(s) for s in narrow_steps]), ulps=1
    )
    assert schedule(tf.constant([1.0, 2.0], dtype=tf.float16)).dtype == tf.float16


@pytest.mark.parametrize("schedule", SCHEDULES, ids=ids)
def test_variables_shapes_and_scalars(schedule: Any) -> None:
    variable = tf.Variable(21, dtype=tf.int64)
    assert_float32_close(schedule(variable).numpy(), schedule(21), ulps=1)
    matrix = schedule(tf.reshape(tf.range(12, dtype=tf.int64), (3, 4)))
    assert matrix.shape == (3, 4)
    assert_float32_close(matrix.numpy().ravel(), python_values(schedule, range(12)), ulps=1)
    assert schedule(tf.constant(5)).shape == ()
    assert schedule(tf.zeros((0,), dtype=tf.int64)).shape == (0,)


@pytest.mark.parametrize("jit_compile", [False, True])
@pytest.mark.parametrize("schedule", SCHEDULES, ids=ids)
def test_tf_function_traces_once_for_every_step(schedule: Any, jit_compile: bool) -> None:
    traces = 0

    @tf.function(jit_compile=jit_compile)
    def call(step: Any) -> Any:
        nonlocal traces
        traces += 1
        return schedule(step)

    steps = [0, 1, 7, 10, 11, 20, 21, 99, 100, 12345, 2**40 + 3]
    values = [float(call(tf.constant(step, dtype=tf.int64))) for step in steps]
    assert traces == 1
    assert_float32_close(values, python_values(schedule, steps), ulps=1)
    # A variable read inside the function, as Keras's train step reads `iterations`.
    counter = tf.Variable(0, dtype=tf.int64)

    @tf.function(jit_compile=jit_compile)
    def advance() -> Any:
        value = schedule(counter)
        counter.assign_add(1)
        return value

    read = [float(advance()) for _ in range(25)]
    assert_float32_close(read, python_values(schedule, range(25)), ulps=1)


def test_negative_and_nan_steps() -> None:
    # Not validated (a graph cannot raise on a value): negative steps are step 0, a NaN
    # step gives NaN, an infinite one does not raise.
    for schedule in SCHEDULES:
        for dtype in (tf.int32, tf.int64, tf.float32):
            values = schedule(tf.constant([-1, -9, -1000], dtype=dtype))
            assert_float32_close(values.numpy(), [schedule(0)] * 3, ulps=1)
        assert bool(tf.math.is_nan(schedule(tf.constant(float("nan")))))
        schedule(tf.constant(float("inf")))


def test_bool_and_string_steps_are_refused() -> None:
    schedule = ExponentialDecay(0.1, 10, 0.5)
    for step in (tf.constant([True]), tf.constant(["5"])):
        with pytest.raises(TypeError, match="^Argument `step` must hold integers or floats"):
            schedule(step)


@pytest.mark.parametrize(
    "schedule",
    [
        ExponentialDecay(0.1, 10**10, 0.5),
        PolynomialDecay(0.1, 10**10, 0.001, cycle=True),
        CosineDecay(0.0, 10**10, warmup_target=1.0, warmup_steps=3 * 10**9),
        CosineDecayRestarts(1.0, 10**10, t_mul=1.0),
        CosineDecayRestarts(1.0, 10**19, t_mul=1.0),
    ],
    ids=ids,
)
def test_large_constants(schedule: Any) -> None:
    steps = [0, 1, 12345, 2**31 - 1, 2**62]
    result = schedule(tf.constant(steps, dtype=tf.int64))
    assert_float32_close(result.numpy(), python_values(schedule, steps), ulps=1, flush=True)
