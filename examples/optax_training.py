"""Train a small JAX model with Optax, the learning rate given by an lrschedule schedule.

The schedule is passed straight to Optax as ``learning_rate``: Optax calls it inside the
jitted train step with its int32 step ``count``. ``optax.inject_hyperparams`` keeps the
value each update used in the optimizer state; the script asserts that update ``k`` used
``schedule(k)`` (to float32 rounding: JAX computes in float32 unless ``jax_enable_x64``)
and that the train step was traced once for all steps.

Run: ``python examples/optax_training.py [--epochs 8] [--steps-per-epoch 25]``.
"""

from __future__ import annotations

import argparse
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import optax

from lrschedule import CosineDecayRestarts

#: JAX computes in float32 (8 units in the last place of the float32 result; see README).
FLOAT32_ULPS = 8


def make_data(n: int, seed: int) -> tuple[jax.Array, jax.Array]:
    """A noisy linear regression problem: ``y = x @ w + b + noise`` with 8 features."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 8)).astype(np.float32)
    w = rng.normal(size=(8,)).astype(np.float32)
    y = x @ w + 0.5 + 0.1 * rng.normal(size=(n,)).astype(np.float32)
    return jnp.asarray(x), jnp.asarray(y)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=8)
    parser.add_argument("--steps-per-epoch", type=int, default=25)
    parser.add_argument("--batch-size", type=int, default=32)
    args = parser.parse_args(argv)
    epochs, per_epoch, batch = args.epochs, args.steps_per_epoch, args.batch_size
    total = epochs * per_epoch

    schedule = CosineDecayRestarts(0.05, first_decay_steps=max(total // 7, 1), m_mul=0.8)
    optimizer = optax.inject_hyperparams(optax.adam)(learning_rate=schedule)
    params = {"w": jnp.zeros(8), "b": jnp.zeros(())}
    state = optimizer.init(params)
    x, y = make_data(per_epoch * batch, seed=0)
    traces = 0

    def loss_fn(params: Any, xb: jax.Array, yb: jax.Array) -> jax.Array:
        return jnp.mean((xb @ params["w"] + params["b"] - yb) ** 2)

    @jax.jit
    def train_step(params: Any, state: Any, xb: jax.Array, yb: jax.Array) -> Any:
        nonlocal traces
        traces += 1
        loss, grads = jax.value_and_grad(loss_fn)(params, xb, yb)
        updates, state = optimizer.update(grads, state, params)
        # After the update, the state holds the learning rate this update used.
        return optax.apply_updates(params, updates), state, loss, state.hyperparams["learning_rate"]

    used: list[float] = []
    for epoch in range(epochs):
        losses = []
        for i in range(per_epoch):
            xb, yb = x[i * batch : (i + 1) * batch], y[i * batch : (i + 1) * batch]
            params, state, loss, lr = train_step(params, state, xb, yb)
            used.append(float(lr))
            losses.append(float(loss))
        print(f"epoch {epoch + 1:3d}  lr {used[epoch * per_epoch]:.6f}  loss {np.mean(losses):.5f}")

    assert traces == 1, f"the train step was traced {traces} times"
    for step, lr in enumerate(used):
        exact = schedule(step)
        tolerance = FLOAT32_ULPS * float(np.spacing(np.float32(abs(exact))))
        assert abs(lr - exact) <= tolerance, f"step {step}: the optimizer used {lr}, not {exact}"
    print(f"OK: all {total} optimizer steps used schedule(step); the train step compiled once.")


if __name__ == "__main__":
    main()
