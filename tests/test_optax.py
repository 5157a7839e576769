"""Optax: a schedule is an Optax ``learning_rate`` as it is; no adapter is needed.

Optax calls the schedule with its int32 step ``count`` inside jitted updates; with
``optax.inject_hyperparams`` the state exposes the value each update used. Against Optax's
own schedules of the same shape, the values agree within float32 rounding.
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

from framework_cases import assert_float32_close
from lrschedule import (
    CosineDecay,
    CosineDecayRestarts,
    ExponentialDecay,
    PiecewiseConstantDecay,
    PolynomialDecay,
)

#: JAX without x64 computes in float32: within 8 float32 ulps of the Python value.
ULPS = 8

OPTIMIZERS = {
    "sgd": optax.sgd,
    "adam": optax.adam,
    "adamw": optax.adamw,
    "lion": optax.lion,
    "rmsprop": optax.rmsprop,
    "adagrad": optax.adagrad,
    "lamb": optax.lamb,
    "nadam": optax.nadam,
}


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_inject_hyperparams_exposes_schedule_of_count(name: str) -> None:
    schedule = CosineDecayRestarts(0.05, 4, t_mul=1.5, m_mul=0.8, alpha=0.01)
    optimizer = optax.inject_hyperparams(OPTIMIZERS[name])(learning_rate=schedule)
    params = {"w": jnp.ones(3), "b": jnp.zeros(())}
    state = optimizer.init(params)
    traces = 0

    @jax.jit
    def step(params: Any, state: Any) -> Any:
        nonlocal traces
        traces += 1
        grads = jax.tree.map(lambda p: jnp.full_like(p, 0.5), params)
        updates, state = optimizer.update(grads, state, params)
        return optax.apply_updates(params, updates), state

    used = []
    for _ in range(20):
        params, state = step(params, state)
        # After update k the state holds the learning rate that update used.
        used.append(float(state.hyperparams["learning_rate"]))
    assert traces == 1
    assert_float32_close(used, [schedule(k) for k in range(20)], ulps=ULPS)


def test_sgd_update_is_minus_schedule_times_gradient() -> None:
    schedule = ExponentialDecay(0.1, 3, 0.5)
    optimizer = optax.sgd(learning_rate=schedule)
    params = jnp.zeros(4)
    state = optimizer.init(params)
    update = jax.jit(optimizer.update)
    grads = jnp.ones(4)
    for k in range(10):
        updates, state = update(grads, state, params)
        assert_float32_close(np.asarray(updates), [-schedule(k)] * 4, ulps=ULPS)


def test_count_is_int32_and_the_schedule_traces_with_it() -> None:
    seen: list[Any] = []
    schedule = PiecewiseConstantDecay([2, 5], [0.3, 0.1, 0.01])

    def spy(count: Any) -> Any:
        seen.append(count)
        return schedule(count)

    optimizer = optax.adam(learning_rate=spy)
    params = jnp.ones(2)
    state = optimizer.init(params)
    jax.jit(optimizer.update)(jnp.ones(2), state, params)
    assert seen and seen[-1].dtype == jnp.int32
    assert isinstance(seen[-1], jax.core.Tracer)


@pytest.mark.parametrize(
    ("ours", "theirs"),
    [
        (ExponentialDecay(0.1, 1000, 0.96), optax.exponential_decay(0.1, 1000, 0.96)),
        (
            ExponentialDecay(0.1, 1000, 0.96, staircase=True),
            optax.exponential_decay(0.1, 1000, 0.96, staircase=True),
        ),
        (CosineDecay(0.1, 5000, alpha=0.1), optax.cosine_decay_schedule(0.1, 5000, alpha=0.1)),
        (
            PolynomialDecay(0.1, 5000, 0.001, power=2.0),
            optax.polynomial_schedule(0.1, 0.001, 2.0, 5000),
        ),
        (
            CosineDecay(0.0, 4000, alpha=0.05, warmup_target=0.1, warmup_steps=1000),
            optax.warmup_cosine_decay_schedule(0.0, 0.1, 1000, 5000, end_value=0.005),
        ),
    ],
    ids=["exponential", "staircase", "cosine", "polynomial", "warmup-cosine"],
)
def test_same_values_as_optax_schedules(ours: Any, theirs: Any) -> None:
    steps = jnp.arange(0, 8000, 7, dtype=jnp.int32)
    ours_values = np.asarray(jax.jit(ours)(steps), dtype=np.float64)
    theirs_values = np.asarray(jax.jit(jax.vmap(theirs))(steps), dtype=np.float64)
    # Both are float32; Optax rounds the exponent and the cosine argument in float32, so
    # the two differ by its rounding: relative 1e-5, or 1e-8 near zero.
    np.testing.assert_allclose(ours_values, theirs_values, rtol=1e-5, atol=1e-8)
    assert_float32_close(ours_values, [ours(int(k)) for k in steps], ulps=ULPS)
