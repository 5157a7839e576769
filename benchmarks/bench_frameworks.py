"""Framework speed, side by side: lrschedule inside PyTorch, JAX and Keras vs their own schedules.

* PyTorch: ``ScheduleLR.step()`` with ``ExponentialDecay(0.1, 1, 0.999)`` next to
  ``torch.optim.lr_scheduler.ExponentialLR(gamma=0.999).step()`` and
  ``LambdaLR(lambda k: 0.999 ** k).step()`` (microseconds per call, one parameter group).
* JAX: a jitted call of ``ExponentialDecay(0.1, 1000, 0.96)`` on an int32 step next to a
  jitted ``optax.exponential_decay(0.1, 1000, 0.96)`` (microseconds per call).
* Keras: one ``fit`` epoch of a small dense model with ``to_keras(ExponentialDecay(...))``
  next to Keras's own ``keras.optimizers.schedules.ExponentialDecay`` (milliseconds per
  epoch, TensorFlow backend unless ``KERAS_BACKEND`` says otherwise).

Target: ours within 1.2x of each peer.

Timed with pyperf: each figure is the median of values taken in several fresh worker
processes (``-p``, ``--rigorous`` and pyperf's other options apply), each of which imports
only the framework it times. The Keras epochs are timed in this process (pyperf's
in-process mode), after the others: each worker would import TensorFlow and compile the
model, seconds each.

Run: ``make bench`` (or ``python benchmarks/bench_frameworks.py [--quick]``; ``--quick``:
everything in this process, one short value each: a smoke test).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import timing

import lrschedule as lrs

GAMMA = 0.999


ROWS = {
    "ScheduleLR.step() vs ExponentialLR.step()": ("torch: ScheduleLR", "torch: ExponentialLR"),
    "ScheduleLR.step() vs LambdaLR.step()": ("torch: ScheduleLR", "torch: LambdaLR"),
    "jax.jit(schedule)(step) vs optax.exponential_decay": ("jax: ours", "jax: optax"),
}


def scheduler_step(make: Callable[[Any], Any]) -> timing.Call:
    """``step`` of the scheduler ``make(optimizer)`` builds, over one parameter, and itself."""
    import torch

    optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.1)
    scheduler = make(optimizer)
    optimizer.step()  # the call order PyTorch expects, once
    return type(scheduler).step, scheduler


def torch_ours() -> timing.Call:
    from lrschedule.torch import ScheduleLR

    return scheduler_step(lambda opt: ScheduleLR(opt, lrs.ExponentialDecay(0.1, 1, GAMMA)))


def torch_exponential() -> timing.Call:
    import torch

    return scheduler_step(lambda opt: torch.optim.lr_scheduler.ExponentialLR(opt, GAMMA))


def torch_lambda() -> timing.Call:
    import torch

    return scheduler_step(lambda opt: torch.optim.lr_scheduler.LambdaLR(opt, lambda k: GAMMA**k))


def jitted(schedule: Callable[[Any], Any]) -> timing.Call:
    """A jitted call of ``schedule`` on an int32 step, compiled, waited for."""
    import jax
    import jax.numpy as jnp

    function = jax.jit(schedule)
    step = jnp.asarray(123_456, dtype=jnp.int32)
    function(step).block_until_ready()  # compile
    return lambda s: function(s).block_until_ready(), step


def jax_ours() -> timing.Call:
    return jitted(lrs.ExponentialDecay(0.1, 1000, 0.96))


def jax_optax() -> timing.Call:
    import optax

    return jitted(optax.exponential_decay(0.1, 1000, 0.96))


def keras_epoch(ours: bool) -> timing.Call:
    """One ``fit`` epoch of 100 batches, with our schedule or Keras's (compiled first)."""
    import keras
    import numpy as np

    from lrschedule.keras import to_keras

    if ours:
        learning_rate = to_keras(lrs.ExponentialDecay(0.1, 1000, 0.96))
    else:
        learning_rate = keras.optimizers.schedules.ExponentialDecay(0.1, 1000, 0.96)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64 * 100, 16)).astype(np.float32)
    y = rng.integers(0, 4, size=64 * 100)
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
    return lambda _: model.fit(x, y, batch_size=64, epochs=1, verbose=0), None


def check() -> None:
    """Our jitted schedule and Optax's agree (else the comparison would be meaningless)."""
    import numpy as np

    (ours, step), (theirs, _) = jax_ours(), jax_optax()
    np.testing.assert_allclose(float(ours(step)), float(theirs(step)), rtol=1e-5)


def main() -> None:
    run, _ = timing.runner(6, "in this process, one short value each (a smoke test)")
    if not run.args.worker:
        check()
    median = timing.medians(
        run,
        {
            "torch: ScheduleLR": torch_ours,
            "torch: ExponentialLR": torch_exponential,
            "torch: LambdaLR": torch_lambda,
            "jax: ours": jax_ours,
            "jax: optax": jax_optax,
        },
    )
    # The Keras epochs last, in this process: the workers above never import TensorFlow.
    run.args.in_process = True
    keras_median = timing.medians(
        run, {"keras: ours": lambda: keras_epoch(True), "keras: keras": lambda: keras_epoch(False)}
    )
    if median is None or keras_median is None:  # a worker process
        return

    import jax
    import keras
    import optax
    import torch

    print(
        f"torch {torch.__version__}, jax {jax.__version__}, optax {optax.__version__}, "
        f"keras {keras.__version__}"
    )
    header = f"{'comparison':52} {'ours':>10} {'peer':>10} {'ratio':>6}"
    us = {name: seconds * 1e6 for name, seconds in median.items()}
    keras_row = f"Keras fit epoch, 100 batches ({keras.backend.backend()})"
    sections = [
        (
            "PyTorch: us per scheduler step (target: ours <= 1.2x)",
            [(row, us[a], us[b]) for row, (a, b) in ROWS.items() if a.startswith("torch")],
        ),
        (
            "JAX: us per jitted call (target: ours <= 1.2x)",
            [(row, us[a], us[b]) for row, (a, b) in ROWS.items() if a.startswith("jax")],
        ),
        (
            "Keras: ms per fit epoch (target: ours <= 1.2x)",
            [(keras_row, keras_median["keras: ours"] * 1e3, keras_median["keras: keras"] * 1e3)],
        ),
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
