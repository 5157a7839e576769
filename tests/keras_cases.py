"""Keras training helpers shared by ``test_keras_adapter.py`` and its per-backend subprocesses.

Importing this module imports Keras only (with whatever ``KERAS_BACKEND`` says), so a
subprocess running the JAX or PyTorch backend does not load TensorFlow.
"""

from __future__ import annotations

import os
from typing import Any

import keras
import numpy as np

from lrschedule.keras import to_keras

__all__ = [
    "UPSTREAM_LOSSES",
    "RecordLearningRate",
    "fit_lr_correctness",
    "number",
    "seed_data",
    "seed_example",
]


def number(value: Any) -> Any:
    """A Keras variable's or tensor's value as a Python number, on any backend."""
    # Through a tensor: NumPy 2 warns when it converts a TensorFlow variable directly.
    return keras.ops.convert_to_numpy(keras.ops.add(value, 0)).item()


#: Keras's upstream expectation (learning_rate_schedule_test.py, TestFitLRSchedulesFlow).
UPSTREAM_LOSSES = [230.79457092285156, 128.30319213867188, 79.33648681640625]


def fit_lr_correctness(make_schedule: Any) -> tuple[int, list[float], int]:
    """Keras's ``test_fit_lr_correctness``: returns (iterations, losses, variables before)."""
    model = keras.Sequential(
        [keras.layers.Dense(2, kernel_initializer="ones", bias_initializer="ones")]
    )
    optimizer = keras.optimizers.Adam(learning_rate=make_schedule())
    variables_before = len(optimizer.variables)
    assert number(optimizer.variables[0]) == 0
    model.compile(optimizer=optimizer, loss="mse")
    x = np.arange(32).reshape((16, 2))
    y = np.arange(32).reshape((16, 2))
    history = model.fit(x, y, epochs=3, batch_size=4, shuffle=False, verbose=0)
    return int(number(optimizer.variables[0])), history.history["loss"], variables_before


def seed_data() -> tuple[Any, Any]:
    rng = np.random.default_rng(0)
    centers = np.array([[0.0, 2.0], [2.0, -1.0], [-2.0, -1.0]], dtype=np.float32)
    y = rng.integers(0, 3, size=96)
    x = (centers[y] + 0.8 * rng.normal(size=(96, 2))).astype(np.float32)
    return x, y


class RecordLearningRate(keras.callbacks.Callback):
    """Before every batch: the optimizer's step and the learning rate it is about to use."""

    def __init__(self, record: dict[int, float]) -> None:
        super().__init__()
        self.record = record

    def on_train_batch_begin(self, batch: int, logs: Any = None) -> None:
        optimizer = self.model.optimizer
        self.record[int(number(optimizer.iterations))] = float(number(optimizer.learning_rate))


def seed_example(schedule: Any, epochs: int, resume_at: int | None, folder: str) -> list[float]:
    """The seed's compile + fit; optionally saved and reloaded after ``resume_at`` epochs."""
    x, y = seed_data()
    keras.utils.set_random_seed(0)
    model = keras.Sequential(
        [
            keras.Input((2,)),
            keras.layers.Dense(8, activation="relu"),
            keras.layers.Dense(3, activation="softmax"),
        ]
    )
    model.compile(
        optimizer=keras.optimizers.SGD(learning_rate=to_keras(schedule)),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    record: dict[int, float] = {}
    fit = {"x": x, "y": y, "batch_size": 16, "shuffle": False, "verbose": 0}
    if resume_at is None:
        model.fit(epochs=epochs, callbacks=[RecordLearningRate(record)], **fit)
    else:
        model.fit(epochs=resume_at, callbacks=[RecordLearningRate(record)], **fit)
        path = os.path.join(folder, "model.keras")
        model.save(path)
        model = keras.models.load_model(path)
        model.fit(
            epochs=epochs, initial_epoch=resume_at, callbacks=[RecordLearningRate(record)], **fit
        )
    assert sorted(record) == list(range(epochs * 6))
    return [record[step] for step in sorted(record)]
