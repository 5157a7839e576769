"""Framework speed, side by side: lrschedule inside PyTorch, JAX and Keras vs their own schedules.

* PyTorch: ``ScheduleLR.step()`` with ``ExponentialDecay(0.1, 1, 0.999)`` next to
  ``torch.optim.lr_scheduler.ExponentialLR(gamma=0.999).step()`` and
  ``LambdaLR(lambda k: 0.999 ** k).step()`` (microseconds per call, one parameter group).
* JAX: a jitted call of ``ExponentialDecay(0.1, 1000, 0.96)`` on an int32 step next to a
  jitted ``optax.exponential_decay(0.1, 1000, 0.96)`` (microseconds per call).
* Keras: one ``fit`` epoch of a small dense model with ``to_keras(ExponentialDecay(...))``
  next to Keras's own ``keras.optimizers.schedules.ExponentialDecay`` (milliseconds per
  epoch, TensorFlow backend unless ``KERAS_BACKEND`` says otherwise).

Target: ours within 1.2x of each peer. Each figure is the best of several runs, ours and the
peer's interleaved.

Run: ``python benchmarks/bench_frameworks.py [--quick]``.
"""

from __future__ import annotations

import argparse
import os
import timeit
from collections.abc import Callable
from typing import Any

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import jax
import jax.numpy as jnp
import keras
import numpy as np
import optax
import torch

import lrschedule as lrs
from lrschedule.keras import to_keras
from lrschedule.torch import ScheduleLR

GAMMA = 0.999


def side_by_side(
    ours: Callable[[], Any], theirs: Callable[[], Any], number: int, repeat: int
) -> tuple[float, float]:
    """Microseconds per call of each, the best of ``repeat`` interleaved runs.

    Interleaving and the minimum keep other load on the machine from favouring either.
    """
    best_ours = best_theirs = float("inf")
    for _ in range(repeat):
        best_ours = min(best_ours, timeit.timeit(ours, number=number) / number * 1e6)
        best_theirs = min(best_theirs, timeit.timeit(theirs, number=number) / number * 1e6)
    return best_ours, best_theirs


def torch_rows(number: int, repeat: int) -> list[tuple[str, float, float]]:
    def scheduler_step(make: Callable[[torch.optim.Optimizer], Any]) -> Callable[[], Any]:
        optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.1)
        scheduler = make(optimizer)
        optimizer.step()  # the call order PyTorch expects, once
        return scheduler.step

    ours = scheduler_step(lambda opt: ScheduleLR(opt, lrs.ExponentialDecay(0.1, 1, GAMMA)))
    exponential = scheduler_step(lambda opt: torch.optim.lr_scheduler.ExponentialLR(opt, GAMMA))
    lambda_lr = scheduler_step(
        lambda opt: torch.optim.lr_scheduler.LambdaLR(opt, lambda k: GAMMA**k)
    )
    return [
        (
            "ScheduleLR.step() vs ExponentialLR.step()",
            *side_by_side(ours, exponential, number, repeat),
        ),
        ("ScheduleLR.step() vs LambdaLR.step()", *side_by_side(ours, lambda_lr, number, repeat)),
    ]


def jax_rows(number: int, repeat: int) -> list[tuple[str, float, float]]:
    ours = jax.jit(lrs.ExponentialDecay(0.1, 1000, 0.96))
    theirs = jax.jit(optax.exponential_decay(0.1, 1000, 0.96))
    step = jnp.asarray(123_456, dtype=jnp.int32)
    for function in (ours, theirs):  # compile, and check that both agree
        function(step).block_until_ready()
    np.testing.assert_allclose(float(ours(step)), float(theirs(step)), rtol=1e-5)
    ours_us, theirs_us = side_by_side(
        lambda: ours(step).block_until_ready(),
        lambda: theirs(step).block_until_ready(),
        number,
        repeat,
    )
    return [("jax.jit(schedule)(step) vs optax.exponential_decay", ours_us, theirs_us)]


def keras_rows(epochs: int) -> list[tuple[str, float, float]]:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64 * 100, 16)).astype(np.float32)
    y = rng.integers(0, 4, size=64 * 100)

    def trainer(learning_rate: Any) -> Callable[[], Any]:
        keras.utils.set_random_seed(0)
        model = keras.Sequential(
            [
                keras.Input((16,)),
                keras.layers.Dense(32, activation="relu"),
                keras.layers.Dense(4, activation="softmax"),
            ]
        )
        model.compile(
            optimizer=keras.optimizers.SGD(learning_rate=learning_rate),
            loss="sparse_categorical_crossentropy",
        )
        model.fit(x, y, batch_size=64, epochs=1, verbose=0)  # compile the train step
        return lambda: model.fit(x, y, batch_size=64, epochs=1, verbose=0)

    ours = trainer(to_keras(lrs.ExponentialDecay(0.1, 1000, 0.96)))
    theirs = trainer(keras.optimizers.schedules.ExponentialDecay(0.1, 1000, 0.96))
    ours_us, theirs_us = side_by_side(ours, theirs, 1, epochs)
    backend = keras.backend.backend()
    return [(f"Keras fit epoch, 100 batches ({backend})", ours_us / 1e3, theirs_us / 1e3)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats (a smoke test)")
    args = parser.parse_args()
    number, repeat, epochs = (200, 3, 2) if args.quick else (20_000, 9, 9)

    print(
        f"torch {torch.__version__}, jax {jax.__version__}, optax {optax.__version__}, "
        f"keras {keras.__version__}"
    )
    header = f"{'comparison':52} {'ours':>10} {'peer':>10} {'ratio':>6}"
    sections = [
        ("PyTorch: us per scheduler step (target: ours <= 1.2x)", torch_rows(number, repeat)),
        ("JAX: us per jitted call (target: ours <= 1.2x)", jax_rows(number, repeat)),
        ("Keras: ms per fit epoch (target: ours <= 1.2x)", keras_rows(epochs)),
    ]
    for title, rows in sections:
        print()
        print(title)
        print(header)
        print("-" * len(header))
        for name, ours, theirs in rows:
            print(f"{name:52} {ours:10.2f} {theirs:10.2f} {ours / theirs:6.2f}")


if __name__ == "__main__":
    main()
