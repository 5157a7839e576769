"""Scheduled Keras hyperparameters: the checks ``test_keras_hyperparameters.py`` runs per backend.

Importing this module imports Keras only (with whatever ``KERAS_BACKEND`` says), so the
subprocesses that run the JAX and PyTorch backends do not load TensorFlow. Every function
returns plain JSON values, the same on every backend, for the test to compare with its own
expectations.

The expected hyperparameter of update ``t`` comes from :data:`FORMULAS`, written here
independently of lrschedule (exact fractions, or the float formula); the reference for the
training itself is the plain Keras optimizer trained eagerly (``run_eagerly=True``, one
``train_on_batch`` per update), its attribute set to that Python number before each update.
"""

from __future__ import annotations

import inspect
import os
from collections.abc import Callable
from fractions import Fraction
from typing import Any

import keras
import numpy as np

from lrschedule import ExponentialDecay, LearningRateSchedule, LinearDecay
from lrschedule.keras import SCHEDULABLE, scheduled, to_keras

__all__ = [
    "FORMULAS",
    "RESUME_FORMULAS",
    "RESUME_SCHEDULES",
    "SCHEDULES",
    "STEPS",
    "optimizer_cases",
    "resume",
    "run_case",
    "trace_counts",
]

#: Updates per epoch: 32 samples in batches of 4.
STEPS = 8
BATCH = 4


def _linear(start: float, end: float, steps: int) -> Callable[[int], float]:
    def value(t: int) -> float:
        f = Fraction(min(t, steps), steps)
        return float(Fraction(start) + (Fraction(end) - Fraction(start)) * f)

    return value


#: One schedule per hyperparameter: large changes over a few updates, so that a value
#: ignored or one update late moves the weights far more than rounding does.
SCHEDULES: dict[str, LearningRateSchedule] = {
    "weight_decay": ExponentialDecay(0.1, 2, 0.5),
    "beta_1": LinearDecay(0.9, STEPS, 0.3),
    "beta_2": LinearDecay(0.999, STEPS, 0.9),
    "momentum": LinearDecay(0.9, STEPS, 0.1),
    "rho": LinearDecay(0.95, STEPS, 0.5),
    "epsilon": ExponentialDecay(0.1, 2, 0.5),
}

#: The same values, independently: Keras's linear decay and ``0.1 * 0.5 ** (t / 2)``.
FORMULAS: dict[str, Callable[[int], float]] = {
    "weight_decay": lambda t: 0.1 * 0.5 ** (t / 2),
    "beta_1": _linear(0.9, 0.3, STEPS),
    "beta_2": _linear(0.999, 0.9, STEPS),
    "momentum": _linear(0.9, 0.1, STEPS),
    "rho": _linear(0.95, 0.5, STEPS),
    "epsilon": lambda t: 0.1 * 0.5 ** (t / 2),
}


#: The save-and-load run: two epochs, values changing over both.
RESUME_SCHEDULES: dict[str, LearningRateSchedule] = {
    "weight_decay": ExponentialDecay(0.1, 4, 0.5),
    "beta_1": LinearDecay(0.9, 2 * STEPS, 0.3),
}
RESUME_FORMULAS: dict[str, Callable[[int], float]] = {
    "weight_decay": lambda t: 0.1 * 0.5 ** (t / 4),
    "beta_1": _linear(0.9, 0.3, 2 * STEPS),
}


def number(value: Any) -> float:
    return float(keras.ops.convert_to_numpy(keras.ops.add(value, 0)).item())


def optimizer_cases() -> list[tuple[str, dict[str, Any], list[str]]]:
    """Every Keras optimizer: its name, constructor arguments, the hyperparameters it has."""
    cases = []
    for name in sorted(dir(keras.optimizers)):
        cls = getattr(keras.optimizers, name)
        if not (
            inspect.isclass(cls)
            and issubclass(cls, keras.optimizers.Optimizer)
            and name not in ("Optimizer", "LossScaleOptimizer", "MultiOptimizer")
        ):
            continue
        kwargs: dict[str, Any] = {"learning_rate": 0.01}
        if name in ("SGD", "RMSprop"):
            kwargs["momentum"] = 0.9  # they keep momentum only when constructed with it
        config = cls(**kwargs).get_config()
        cases.append((name, kwargs, [key for key in SCHEDULABLE if key in config]))
    return cases


def _data() -> tuple[Any, Any]:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(BATCH * STEPS, 3)).astype(np.float32)
    y = rng.normal(size=(BATCH * STEPS, 2)).astype(np.float32)
    return x, y


def _model() -> Any:
    keras.utils.set_random_seed(1)
    return keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])


class Record(keras.callbacks.Callback):
    """After every update: ``iterations`` and each hyperparameter variable."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[tuple[int, dict[str, float]]] = []

    def on_train_batch_end(self, batch: int, logs: Any = None) -> None:
        optimizer = self.model.optimizer
        values = {key: number(v) for key, v in optimizer.hyperparameters.items()}
        self.rows.append((int(number(optimizer.iterations)), values))


def _weights(model: Any) -> list[list[float]]:
    return [np.asarray(w, dtype=np.float64).ravel().tolist() for w in model.get_weights()]


def _eager(name: str, kwargs: dict[str, Any], names: list[str]) -> list[list[float]]:
    """The plain optimizer, trained eagerly, its attributes set to ``FORMULAS`` per update."""
    x, y = _data()
    model = _model()
    optimizer = getattr(keras.optimizers, name)(**kwargs)
    model.compile(optimizer=optimizer, loss="mse", run_eagerly=True)
    for t in range(STEPS):
        for key in names:
            setattr(optimizer, key, FORMULAS[key](t))
        model.train_on_batch(x[BATCH * t : BATCH * (t + 1)], y[BATCH * t : BATCH * (t + 1)])
    return _weights(model)


def run_case(name: str, kwargs: dict[str, Any], names: list[str]) -> dict[str, Any]:
    """One epoch of ``fit`` with every hyperparameter of ``names`` scheduled."""
    x, y = _data()
    model = _model()
    optimizer = scheduled(
        getattr(keras.optimizers, name)(**kwargs), **{key: SCHEDULES[key] for key in names}
    )
    before = {key: number(v) for key, v in optimizer.hyperparameters.items()}
    model.compile(optimizer=optimizer, loss="mse")
    record = Record()
    model.fit(x, y, batch_size=BATCH, epochs=1, shuffle=False, verbose=0, callbacks=[record])
    return {
        "before": before,
        "rows": record.rows,
        "weights": _weights(model),
        "reference": _eager(name, kwargs, names),
        "constant": _eager(name, kwargs, []),
    }


def _resume_model(folder: str, resume: bool) -> tuple[list[Any], list[list[float]], str]:
    x, y = _data()
    model = _model()
    optimizer = scheduled(
        keras.optimizers.AdamW(learning_rate=to_keras(LinearDecay(0.01, 16, 0.001))),
        **RESUME_SCHEDULES,
    )
    model.compile(optimizer=optimizer, loss="mse")
    record = Record()
    fit = {"batch_size": BATCH, "shuffle": False, "verbose": 0, "callbacks": [record]}
    if resume:
        model.fit(x, y, epochs=1, **fit)
        path = os.path.join(folder, "model.keras")
        model.save(path)
        model = keras.models.load_model(path)
        record.rows.append((-1, {}))  # where the saved model takes over
        model.fit(x, y, epochs=2, initial_epoch=1, **fit)
    else:
        model.fit(x, y, epochs=2, **fit)
    return record.rows, _weights(model), type(model.optimizer).__name__


def resume(folder: str) -> dict[str, Any]:
    """Two epochs straight, and one epoch, ``model.save``, ``load_model``, one more."""
    straight = _resume_model(folder, resume=False)
    resumed = _resume_model(folder, resume=True)
    return {"straight": straight, "resumed": resumed}


class _CountingRate(LinearDecay):
    """A schedule that counts the times it is called (traced, or run eagerly)."""

    __slots__ = ()
    calls: list[int] = [0]  # noqa: RUF012 - one counter for the class, on purpose

    def __call__(self, step: Any) -> Any:
        type(self).calls[0] += 1
        return super().__call__(step)


class _CountingBeta(_CountingRate):
    __slots__ = ()
    calls: list[int] = [0]  # noqa: RUF012


def trace_counts() -> dict[str, Any]:
    """How often each schedule runs in fits of 1 and 3 epochs (construction left out).

    The learning rate's is Keras's own call of its schedule: the baseline for ours.
    """
    x, y = _data()
    counts: dict[str, Any] = {}
    for epochs in (1, 3):
        model = _model()
        optimizer = scheduled(
            keras.optimizers.Adam(learning_rate=to_keras(_CountingRate(0.01, 100, 0.001))),
            beta_1=_CountingBeta(0.9, 100, 0.5),
        )
        model.compile(optimizer=optimizer, loss="mse")
        _CountingRate.calls[0] = _CountingBeta.calls[0] = 0
        model.fit(x, y, batch_size=BATCH, epochs=epochs, verbose=0)
        counts[str(epochs)] = {
            "learning_rate": _CountingRate.calls[0],
            "beta_1": _CountingBeta.calls[0],
            "updates": int(number(optimizer.iterations)),
        }
    return counts
