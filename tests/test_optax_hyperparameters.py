"""Optax: our schedules for any hyperparameter through ``optax.inject_hyperparams``.

``optax.inject_hyperparams(optax.adamw)(learning_rate=s1, b1=s2, weight_decay=s3)`` calls
each schedule with the int32 step ``count`` inside the jitted update and keeps the values
in ``opt_state.hyperparams``; no adapter is needed. After update ``k`` the state holds
the values update ``k`` used, ``schedule(k)``. Checked here under ``jax.jit``, in float32
and with x64 (``jax.enable_x64(True)`` blocks, which do not leak): each value against an
independent formula, the update against Optax's own transformation built with those
values as constants, from the same inner state, and one trace for the whole run.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from fractions import Fraction
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

from framework_cases import assert_float32_close
from lrschedule import (
    CosineDecay,
    ExponentialDecay,
    LearningRateSchedule,
    LinearDecay,
    PiecewiseConstantDecay,
    PolynomialDecay,
    Warmup,
)

STEPS = 14


def _linear(start: float, end: float, steps: int) -> Callable[[int], float]:
    def value(t: int) -> float:
        f = Fraction(min(t, steps), steps)
        return float(Fraction(start) + (Fraction(end) - Fraction(start)) * f)

    return value


def _cosine(t: int) -> float:  # CosineDecay(0.1, 10, alpha=0.1), Keras's formula
    f = min(t, 10) / 10
    return 0.1 * ((1 - 0.1) * 0.5 * (1 + math.cos(math.pi * f)) + 0.1)


def _steps(t: int) -> float:  # PiecewiseConstantDecay([3, 6], ...): switches after 3 and 6
    return 0.9 if t <= 3 else 0.5 if t <= 6 else 0.1


def _warm_poly(t: int) -> float:  # Warmup(PolynomialDecay(0.999, 8, 0.99), 4, 0.9)
    if t < 4:
        return float(Fraction(9, 10) + (Fraction(999, 1000) - Fraction(9, 10)) * Fraction(t, 4))
    return float(
        Fraction(999, 1000) + (Fraction(99, 100) - Fraction(999, 1000)) * Fraction(min(t - 4, 8), 8)
    )


#: (hyperparameter, our schedule, the same values by an independent formula)
SCHEDULED: dict[str, tuple[LearningRateSchedule, Callable[[int], float]]] = {
    "learning_rate": (CosineDecay(0.1, 10, alpha=0.1), _cosine),
    "b1": (LinearDecay(0.95, 10, 0.6), _linear(0.95, 0.6, 10)),
    "b2": (Warmup(PolynomialDecay(0.999, 8, 0.99), 4, 0.9), _warm_poly),
    "weight_decay": (ExponentialDecay(0.01, 3, 0.5), lambda t: 0.01 * 0.5 ** (t / 3)),
    "momentum": (PiecewiseConstantDecay([3, 6], [0.9, 0.5, 0.1]), _steps),
    "decay": (LinearDecay(0.9, 10, 0.5), _linear(0.9, 0.5, 10)),
}

#: Optax optimizers and the hyperparameters of theirs that follow a schedule.
CASES: dict[str, tuple[Callable[..., Any], list[str]]] = {
    "adamw": (optax.adamw, ["learning_rate", "b1", "weight_decay"]),
    "adamw-all": (optax.adamw, ["learning_rate", "b1", "b2", "weight_decay"]),
    "adam": (optax.adam, ["b1", "b2"]),
    "sgd": (optax.sgd, ["learning_rate", "momentum"]),
    "lion": (optax.lion, ["b1", "b2", "weight_decay"]),
    "rmsprop": (optax.rmsprop, ["decay", "momentum"]),
    "lamb": (optax.lamb, ["b1", "weight_decay"]),
}
#: Constants for those left unscheduled.
CONSTANT = {"learning_rate": 0.01}


def _params() -> Any:
    # JAX's default float (float64 with x64), strongly typed: the state keeps its types,
    # so the jitted update is traced once.
    return {"w": jnp.asarray([1.0, -2.0, 0.5]), "b": jnp.zeros(()) + 0.25}


def _grads(params: Any, k: int) -> Any:
    # A different gradient each update (the moments must be moved by the betas).
    return jax.tree.map(lambda p: jnp.sin(p + k) + 0.1 * k, params)


def _run(case: str, x64: bool) -> tuple[list[dict[str, Any]], list[Any], list[Any], int]:
    """Per update: the hyperparams, our update, the reference update; and the traces."""
    transform, names = CASES[case]
    schedules = {name: SCHEDULED[name][0] for name in names}
    extra = {} if "learning_rate" in names else CONSTANT
    optimizer = optax.inject_hyperparams(transform)(**schedules, **extra)
    params = _params()
    state = optimizer.init(params)
    traces = 0

    @jax.jit
    def step(params: Any, state: Any, grads: Any) -> Any:
        nonlocal traces
        traces += 1
        updates, state = optimizer.update(grads, state, params)
        return updates, state

    seen, ours, theirs = [], [], []
    for k in range(STEPS):
        grads = _grads(params, k)
        assert state.count.dtype == jnp.int32 and int(state.count) == k
        # Optax's own transformation with this update's values as constants, from the
        # same inner state: the reference update.
        # With x64 the values are float32 arrays (Optax's int32 count): so are the constants.
        constants = {name: _hyper(SCHEDULED[name][1](k), x64) for name in names}
        reference, _ = transform(**constants, **extra).update(grads, state.inner_state, params)
        updates, state = step(params, state, grads)
        seen.append(dict(state.hyperparams))
        ours.append(updates)
        theirs.append(reference)
        params = optax.apply_updates(params, updates)
    return seen, ours, theirs, traces


def _hyper(value: float, x64: bool) -> Any:
    return jnp.asarray(value, dtype=jnp.float32) if x64 else value


@pytest.mark.parametrize("x64", [False, True], ids=["float32", "x64"])
@pytest.mark.parametrize("case", list(CASES))
def test_inject_hyperparams_follows_our_schedules(case: str, x64: bool) -> None:
    names = CASES[case][1]
    with jax.enable_x64(x64):
        seen, ours, theirs, traces = _run(case, x64)
    assert traces == 1
    for k, hyperparams in enumerate(seen):
        for name in names:
            value = hyperparams[name]
            # float32 at Optax's int32 count, with x64 too (JAX's promotion of int32).
            assert value.dtype == np.float32 and not value.weak_type, (name, value.dtype)
            expected = SCHEDULED[name][1](k)
            if x64:  # computed in float64, rounded once
                assert_float32_close(np.asarray(value), expected, ulps=1)
            else:  # JAX computes in float32: within 8 float32 ulps
                assert_float32_close(np.asarray(value), expected, ulps=8)
    for mine, reference in zip(ours, theirs):
        for a, b in zip(jax.tree.leaves(mine), jax.tree.leaves(reference)):
            # The same arithmetic, on the schedule's rounding of the value (x64: 1e-12).
            np.testing.assert_allclose(
                np.asarray(a),
                np.asarray(b),
                rtol=1e-12 if x64 else 2e-5,
                atol=1e-14 if x64 else 1e-8,
            )


def test_x64_keeps_float32_parameters_and_their_state_float32() -> None:
    """With x64 on, scheduled hyperparameters do not promote float32 parameters' updates
    or optimizer state to float64 (which would also retrace the jitted update)."""
    transform, names = CASES["adamw-all"]
    with jax.enable_x64(True):
        optimizer = optax.inject_hyperparams(transform)(
            **{name: SCHEDULED[name][0] for name in names}
        )
        params = jax.tree.map(lambda p: p.astype(jnp.float32), _params())
        state = optimizer.init(params)
        kinds = jax.tree.map(lambda leaf: leaf.dtype, state)
        traces = 0

        @jax.jit
        def step(params: Any, state: Any, k: Any) -> Any:
            nonlocal traces
            traces += 1
            grads = jax.tree.map(lambda p: jnp.sin(p + k), params)
            updates, state = optimizer.update(grads, state, params)
            return optax.apply_updates(params, updates), state, updates

        for k in range(5):
            params, state, updates = step(params, state, jnp.float32(k))
            assert jax.tree.map(lambda leaf: leaf.dtype, state) == kinds
            assert {leaf.dtype for leaf in jax.tree.leaves((params, updates))} == {
                np.dtype(np.float32)
            }
    assert traces == 1


def test_the_schedules_matter() -> None:
    """The scheduled run's updates are far from those of the first values held constant."""
    _, ours, _, _ = _run("adamw-all", False)
    transform, names = CASES["adamw-all"]
    fixed = transform(**{name: SCHEDULED[name][1](0) for name in names})
    params = _params()
    state = fixed.init(params)
    difference = 0.0
    for k in range(STEPS):
        updates, state = fixed.update(_grads(params, k), state, params)
        difference = max(
            difference,
            max(
                float(jnp.max(jnp.abs(a - b)))
                for a, b in zip(jax.tree.leaves(updates), jax.tree.leaves(ours[k]))
            ),
        )
        params = optax.apply_updates(params, updates)
    assert difference > 1e-3


def test_chained_scale_by_adam_with_scheduled_betas() -> None:
    """Inside a chain: ``inject_hyperparams(optax.scale_by_adam)(b1=..., b2=...)``."""
    b1, b1_formula = SCHEDULED["b1"]
    b2, b2_formula = SCHEDULED["b2"]
    optimizer = optax.chain(
        optax.inject_hyperparams(optax.scale_by_adam)(b1=b1, b2=b2), optax.scale(-0.01)
    )
    params = _params()
    state = optimizer.init(params)
    update = jax.jit(optimizer.update)
    for k in range(STEPS):
        _, state = update(_grads(params, k), state, params)
        assert_float32_close(np.asarray(state[0].hyperparams["b1"]), b1_formula(k), ulps=8)
        assert_float32_close(np.asarray(state[0].hyperparams["b2"]), b2_formula(k), ulps=8)
