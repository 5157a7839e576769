"""An Optax training loop takes a schedule as it is, as the learning rate of
``optax.inject_hyperparams(optax.sgd)``, which records in its state the value each update used.

The update is jitted: the step count is a traced array. Every update must use
``schedule(step)`` (JAX computes it in float32). The state pickled half-way and unpickled must
continue with the same learning rates and end with the same parameters, bit for bit, as
a loop that was never interrupted.
"""

from __future__ import annotations

import pickle
from typing import Any

from tests.trainer_cases import SCHEDULE, check_float32

from conftest import require

jax = require("jax")
optax = require("optax")
np = require("numpy")

jnp = jax.numpy

STEPS = 12
BATCH = 4

OPTIMIZER = optax.inject_hyperparams(optax.sgd)(learning_rate=SCHEDULE, momentum=0.9)


def batches() -> list[tuple[Any, Any]]:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(STEPS, BATCH, 3)).astype("float32")
    y = x @ np.array([0.5, -1.0, 2.0], dtype="float32") + 0.1 * rng.normal(
        size=(STEPS, BATCH)
    ).astype("float32")
    return [(jnp.asarray(x[k]), jnp.asarray(y[k])) for k in range(STEPS)]


def start() -> tuple[Any, Any]:
    params = {"w": jnp.array([0.1, 0.2, -0.3]), "b": jnp.array(0.05)}
    return params, OPTIMIZER.init(params)


def loss(params: Any, x: Any, y: Any) -> Any:
    return jnp.mean((x @ params["w"] + params["b"] - y) ** 2)


@jax.jit
def update(params: Any, state: Any, x: Any, y: Any) -> tuple[Any, Any]:
    grads = jax.grad(loss)(params, x, y)
    updates, state = OPTIMIZER.update(grads, state, params)
    return optax.apply_updates(params, updates), state


def run(params: Any, state: Any, steps: range) -> tuple[Any, Any, dict[int, float]]:
    data = batches()
    used = {}
    for k in steps:
        assert int(state.count) == k
        params, state = update(params, state, *data[k])
        used[k] = float(state.hyperparams["learning_rate"])  # the value update k used
    return params, state, used


def test_every_update_uses_the_schedule() -> None:
    _, state, used = run(*start(), range(STEPS))
    check_float32(used, STEPS)
    assert int(state.count) == STEPS


def test_a_pickled_state_continues_exactly() -> None:
    whole, _, used_whole = run(*start(), range(STEPS))

    params, state, used_first = run(*start(), range(STEPS // 2))
    saved = pickle.dumps(jax.device_get((params, state)))
    params, state = pickle.loads(saved)
    resumed, _, used_second = run(params, state, range(STEPS // 2, STEPS))

    assert {**used_first, **used_second} == used_whole
    for name, value in whole.items():
        np.testing.assert_array_equal(np.asarray(resumed[name]), np.asarray(value))
