"""PlateauScaled inside jax.jit and tf.function: the scale is an input, traced once."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import tensorflow as tf

from lrschedule import CosineDecay, ReduceOnPlateau, Warmup

BASE = Warmup(CosineDecay(0.1, 100), warmup_steps=10)


def _expected(steps: range, scales: list[float]) -> list[float]:
    return [BASE(k) * s for k, s in zip(steps, scales)]


def test_jax_jit_takes_the_scale_as_an_argument() -> None:
    plateau = ReduceOnPlateau(factor=0.5, patience=0)
    schedule = BASE * plateau
    traces = []

    @jax.jit
    def rate(step: jax.Array, scale: jax.Array) -> jax.Array:
        traces.append(1)
        return schedule.rate(step, scale)

    got, scales = [], []
    for k in range(8):
        scales.append(plateau.scale)
        got.append(float(rate(jnp.asarray(k), jnp.asarray(plateau.scale, jnp.float32))))
        plateau.observe(1.0)
    assert len(traces) == 1
    assert scales[-1] == 0.5**6
    assert got == pytest.approx(_expected(range(8), scales), rel=1e-6)


def test_jax_eager_reads_the_current_scale() -> None:
    plateau = ReduceOnPlateau(factor=0.5, patience=0, min_lr=0.004)
    schedule = BASE * plateau
    for _ in range(6):
        plateau.observe(1.0)
    values = schedule(jnp.arange(0, 40, 10))
    expected = [max(BASE(k) * 0.5**5, min(BASE(k), 0.004)) for k in range(0, 40, 10)]
    np.testing.assert_allclose(np.asarray(values), expected, rtol=1e-6)


def test_tf_function_reads_a_bound_variable() -> None:
    plateau = ReduceOnPlateau(factor=0.5, patience=0)
    schedule = BASE * plateau
    variable = tf.Variable(1.0, dtype=tf.float32, trainable=False)
    plateau.add_listener(variable.assign)
    schedule.bind(lambda: variable)
    traces = []

    @tf.function
    def rate(step: tf.Tensor) -> tf.Tensor:
        traces.append(1)
        return schedule(step)

    @tf.function
    def explicit(step: tf.Tensor, scale: tf.Tensor) -> tf.Tensor:
        traces.append(2)
        return schedule.rate(step, scale)

    got, given, scales = [], [], []
    for k in range(8):
        scales.append(plateau.scale)
        got.append(float(rate(tf.constant(k, tf.int64))))
        given.append(
            float(explicit(tf.constant(k, tf.int64), tf.constant(plateau.scale, tf.float32)))
        )
        plateau.observe(1.0)
    assert traces.count(1) == 1 and traces.count(2) == 1
    assert got == pytest.approx(_expected(range(8), scales), rel=1e-6)
    assert given == got
    schedule.bind(None)
    assert float(schedule(tf.constant(3))) == pytest.approx(BASE(3) * plateau.scale, rel=1e-6)
