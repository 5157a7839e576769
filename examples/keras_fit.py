"""Train a small Keras classifier with ``compile`` + ``fit``, the learning rate from lrschedule.

``lrschedule.keras.to_keras`` wraps the schedule for the optimizer (Keras calls a plain
callable with no arguments). A callback reads, before every batch, the learning rate the
optimizer is about to use (``optimizer.learning_rate``, Keras's own evaluation of the
schedule at its ``iterations`` counter), and the script asserts that update ``k`` uses
``schedule(k)`` to float32 rounding. Half-way it saves the model with ``model.save()``,
loads it back with ``keras.models.load_model()`` and continues: the schedule comes back
with the model and the learning rates carry on where they were.

Run: ``python examples/keras_fit.py [--epochs 6] [--backend tensorflow|jax|torch]``.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from typing import Any


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=6)
    parser.add_argument("--steps-per-epoch", type=int, default=20)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument(
        "--backend",
        choices=["tensorflow", "jax", "torch"],
        default=os.environ.get("KERAS_BACKEND", "tensorflow"),
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse(argv)
    if "keras" in sys.modules and os.environ.get("KERAS_BACKEND") != args.backend:
        raise SystemExit("Keras is imported already with another backend; run this as a script.")
    os.environ["KERAS_BACKEND"] = args.backend
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

    import keras
    import numpy as np

    from lrschedule import ExponentialDecay
    from lrschedule.keras import to_keras

    #: JAX computes in float32 (within 8 units in the last place); the others round float64.
    ulps = 8
    epochs, per_epoch, batch = args.epochs, args.steps_per_epoch, args.batch_size

    rng = np.random.default_rng(0)
    centers = np.array([[0.0, 2.0], [2.0, -1.0], [-2.0, -1.0]], dtype=np.float32)
    y = rng.integers(0, 3, size=per_epoch * batch)
    x = (centers[y] + 0.8 * rng.normal(size=(y.size, 2))).astype(np.float32)

    schedule = ExponentialDecay(0.1, decay_steps=per_epoch, decay_rate=0.5)
    keras.utils.set_random_seed(0)
    model = keras.Sequential(
        [
            keras.Input((2,)),
            keras.layers.Dense(16, activation="relu"),
            keras.layers.Dense(3, activation="softmax"),
        ]
    )
    model.compile(
        optimizer=keras.optimizers.SGD(learning_rate=to_keras(schedule)),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )

    used: dict[int, float] = {}

    class RecordLearningRate(keras.callbacks.Callback):
        def on_train_batch_begin(self, batch: int, logs: Any = None) -> None:
            optimizer = self.model.optimizer
            step = int(keras.ops.convert_to_numpy(optimizer.iterations))
            used[step] = float(keras.ops.convert_to_numpy(optimizer.learning_rate))

        def on_epoch_begin(self, epoch: int, logs: Any = None) -> None:
            lr = float(keras.ops.convert_to_numpy(self.model.optimizer.learning_rate))
            print(f"epoch {epoch + 1:3d}  lr {lr:.6f}", end="  ")

        def on_epoch_end(self, epoch: int, logs: Any = None) -> None:
            logs = logs or {}
            print(f"loss {logs['loss']:.4f}  accuracy {logs['accuracy']:.3f}")

    half = epochs // 2
    model.fit(
        x,
        y,
        batch_size=batch,
        epochs=half,
        shuffle=False,
        verbose=0,
        callbacks=[RecordLearningRate()],
    )
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "model.keras")
        model.save(path)
        model = keras.models.load_model(path)
    config = model.optimizer.get_config()["learning_rate"]
    restored = keras.optimizers.schedules.deserialize(config).schedule
    assert restored == schedule, restored
    model.fit(
        x,
        y,
        batch_size=batch,
        epochs=epochs,
        initial_epoch=half,
        shuffle=False,
        verbose=0,
        callbacks=[RecordLearningRate()],
    )

    total = epochs * per_epoch
    assert sorted(used) == list(range(total)), sorted(used)[:5]
    for step, lr in used.items():
        exact = schedule(step)
        tolerance = ulps * float(np.spacing(np.float32(abs(exact))))
        assert abs(lr - exact) <= tolerance, f"step {step}: the optimizer used {lr}, not {exact}"
    print(
        f"OK: all {total} optimizer steps used schedule(step) on Keras's {args.backend} "
        f"backend; model.save()/load_model() resumed at epoch {half + 1}."
    )


if __name__ == "__main__":
    main()
