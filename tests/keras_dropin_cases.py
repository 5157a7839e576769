"""Cases and Keras runs shared by ``test_keras_dropin.py`` and its per-backend subprocess.

:func:`cases` builds one schedule of every class, with nonzero arguments, from a
namespace: ``lrschedule`` (the plain classes) or ``lrschedule.keras`` (the drop-ins), so
the two sets hold the same arguments. Importing this module imports Keras only (with
whatever ``KERAS_BACKEND`` says), so a subprocess on JAX or PyTorch does not load
TensorFlow.
"""

from __future__ import annotations

import os
from typing import Any

import keras
import numpy as np

import lrschedule
from keras_cases import RecordLearningRate, number, seed_data

__all__ = ["STEPS", "cases", "fit_record", "optimizer_record"]

#: Optimizer updates run by :func:`optimizer_record` (past every switch of :func:`cases`).
STEPS = 32


def cases(ns: Any) -> dict[str, Any]:
    """One schedule of each class of the library, built with the classes of ``ns``."""
    return {
        "Clip": ns.Clip(ns.CosineDecay(0.2, 30, alpha=0.1), minimum=0.05, maximum=0.15),
        "Constant": ns.Constant(0.03),
        "CoolDown": ns.CoolDown(ns.CosineDecay(0.2, 40), 12, 10, 0.01, "cosine"),
        "CosineDecay": ns.CosineDecay(0.0, 20, alpha=0.1, warmup_target=0.5, warmup_steps=4),
        "CosineDecayRestarts": ns.CosineDecayRestarts(0.2, 5, t_mul=1.5, m_mul=0.8, alpha=0.1),
        "CyclicalLearningRate": ns.CyclicalLearningRate(
            0.01, 0.1, 4, step_size_down=6, mode="exp_range", gamma=0.95
        ),
        "ExponentialDecay": ns.ExponentialDecay(0.1, 7, 0.9, staircase=True),
        "InverseSqrtDecay": ns.InverseSqrtDecay(0.1, 5),
        "InverseTimeDecay": ns.InverseTimeDecay(0.1, 10, 0.5, staircase=True),
        "Join": ns.Join([ns.Constant(0.05), ns.LinearDecay(0.1, 20, 0.01)], [6]),
        "LinearDecay": ns.LinearDecay(0.1, 20, 0.01),
        "MultiStepDecay": ns.MultiStepDecay(0.1, [5, 12], 0.5),
        "OneCycle": ns.OneCycle(0.2, 30, pct_start=0.25),
        "PiecewiseConstantDecay": ns.PiecewiseConstantDecay((6, 14), (0.1, 0.05, 0.01)),
        "PiecewiseInterpolation": ns.PiecewiseInterpolation([10, 25], [0.01, 0.1, 0.02]),
        "PlateauScaled": ns.PlateauScaled(
            ns.CosineDecay(0.2, 30), lrschedule.ReduceOnPlateau(factor=0.5, patience=2)
        ),
        "PolynomialDecay": ns.PolynomialDecay(0.1, 8, 0.01, power=0.5, cycle=True),
        "Product": ns.Product([ns.Constant(0.5), ns.ExponentialDecay(0.2, 10, 0.7)]),
        "RescaleTime": ns.RescaleTime(ns.StepDecay(0.2, 6, 0.5), 1.5),
        "Scale": ns.Scale(ns.StepDecay(0.2, 6, 0.5), 0.5),
        "StepDecay": ns.StepDecay(0.2, 6, 0.5),
        "TrainLonger": ns.TrainLonger(ns.LinearDecay(0.2, 20, 0.01), 8, 20, 30),
        "Warmup": ns.Warmup(
            ns.ExponentialDecay(0.2, 10, 0.8), 5, initial_learning_rate=0.01, shape="cosine"
        ),
        "WarmupCosineDecay": ns.WarmupCosineDecay(0.01, 0.2, 5, 20, end_learning_rate=0.01),
        "WarmupStableDecay": ns.WarmupStableDecay(0.01, 0.2, 4, 6, 10, end_learning_rate=0.02),
    }


def optimizer_record(schedule: Any) -> list[float]:
    """The learning rate of each of :data:`STEPS` SGD updates with ``learning_rate=schedule``."""
    optimizer = keras.optimizers.SGD(learning_rate=schedule)
    weight = keras.Variable(np.ones(2, dtype="float32"))
    gradient = keras.ops.ones((2,))
    rates = []
    for _ in range(STEPS):
        rates.append(float(number(optimizer.learning_rate)))
        optimizer.apply_gradients([(gradient, weight)])
    assert int(number(optimizer.iterations)) == STEPS
    return rates


def fit_record(
    schedule: Any, epochs: int, resume_at: int | None, folder: str
) -> tuple[list[float], Any]:
    """``compile`` + ``fit`` with ``learning_rate=schedule`` directly, the learning rate of
    every update, and the optimizer's schedule at the end; with ``resume_at``, the model is
    saved after that many epochs and training goes on in the model loaded back."""
    x, y = seed_data()
    keras.utils.set_random_seed(0)
    model = keras.Sequential(
        [keras.Input((2,)), keras.layers.Dense(4, activation="relu"), keras.layers.Dense(3)]
    )
    model.compile(
        optimizer=keras.optimizers.SGD(learning_rate=schedule),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
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
    return [record[step] for step in sorted(record)], model.optimizer._learning_rate


#: The plateau case on every backend: a warmup and a cosine decay, times a plateau that
#: halves the level at the end of every epoch (validation losses that never improve).
PLATEAU_EPOCHS = 4


def plateau_schedule() -> Any:
    """``Warmup(CosineDecay) * ReduceOnPlateau(factor=0.5, patience=0)``, before training."""
    warmup = lrschedule.Warmup(lrschedule.CosineDecay(0.1, 30), 6, 0.01)
    return warmup * lrschedule.ReduceOnPlateau(factor=0.5, patience=0)


def plateau_record() -> dict[str, Any]:
    """``fit`` with ``to_keras(plateau_schedule())`` and a PlateauCallback: the learning
    rate of every update, the logged scales and the plateau's reductions."""
    from lrschedule.keras import PlateauCallback, to_keras

    class NeverBetter(keras.callbacks.Callback):
        def on_epoch_end(self, epoch: int, logs: Any = None) -> None:
            logs["val_loss"] = 1.0

    schedule = plateau_schedule()
    x, y = seed_data()
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(3)])
    model.compile(
        optimizer=keras.optimizers.SGD(learning_rate=to_keras(schedule)),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    )
    record: dict[int, float] = {}
    callbacks = [RecordLearningRate(record), NeverBetter(), PlateauCallback()]
    history = model.fit(
        x, y, batch_size=16, shuffle=False, verbose=0, epochs=PLATEAU_EPOCHS, callbacks=callbacks
    )
    return {
        "rates": [record[step] for step in sorted(record)],
        "scales": history.history["plateau_scale"],
        "reductions": schedule.plateau.state_dict()["reductions"],
    }
