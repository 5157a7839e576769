"""PlateauCallback, and how ReduceOnPlateau's counting differs from Keras's ReduceLROnPlateau."""

from __future__ import annotations

import random

import keras
import numpy as np
import pytest

from lrschedule import Constant, CosineDecay, ReduceOnPlateau, deserialize, serialize
from lrschedule.keras import PlateauCallback, to_keras

SEQUENCES = 60
OBSERVATIONS = 80


def _model(learning_rate: object) -> keras.Model:
    model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=learning_rate), loss="mse")
    return model


def _lr(model: keras.Model) -> float:
    return float(keras.ops.convert_to_numpy(model.optimizer.learning_rate))


def test_keras_counts_patience_and_cooldown_one_further() -> None:
    """Keras reduces once ``wait >= patience`` (PyTorch and ours: ``bad > patience``), and
    its cooldown counts the epoch where it ends (PyTorch's skips it); ``min_delta`` is an
    absolute threshold. So Keras(patience=p, cooldown=c, min_delta=d) is
    ReduceOnPlateau(patience=max(p - 1, 0), cooldown=max(c - 1, 0), threshold=d,
    threshold_mode="abs"), checked here on random sequences against the real callback."""
    rng = random.Random(7)
    reductions = 0
    for index in range(SEQUENCES):
        patience, cooldown = rng.randint(0, 4), rng.randint(0, 3)
        min_delta, factor = rng.choice([0.0, 1e-3, 0.01]), rng.choice([0.5, 0.8])
        model = _model(1.0)
        theirs = keras.callbacks.ReduceLROnPlateau(
            monitor="val_loss",
            factor=factor,
            patience=patience,
            cooldown=cooldown,
            min_delta=min_delta,
            min_lr=0.0,
        )
        theirs.set_model(model)
        theirs.on_train_begin()
        plateau = ReduceOnPlateau(
            factor=factor,
            patience=max(patience - 1, 0),
            cooldown=max(cooldown - 1, 0),
            threshold=min_delta,
            threshold_mode="abs",
            eps=0.0,
        )
        value, last = 1.0, 1.0
        for epoch in range(OBSERVATIONS):
            value *= 1 + rng.choice([-0.05, -0.005, 0.0, 0.002, 0.01])
            theirs.on_epoch_end(epoch, {"val_loss": value})
            reduced = plateau.observe(value)
            lr = _lr(model)
            assert (lr < last) == reduced, (index, epoch)
            assert lr == pytest.approx(plateau.scale, rel=1e-6)
            reductions += reduced
            last = lr
    assert reductions > 100
    # The same arguments do not count the same: with patience=2, Keras reduces after two
    # bad epochs, PyTorch's rule after three.
    model = _model(1.0)
    theirs = keras.callbacks.ReduceLROnPlateau(monitor="val_loss", factor=0.5, patience=2)
    theirs.set_model(model)
    theirs.on_train_begin()
    same = ReduceOnPlateau(factor=0.5, patience=2, threshold=0.0, threshold_mode="abs")
    for epoch, loss in enumerate([1.0, 1.0, 1.0]):
        theirs.on_epoch_end(epoch, {"val_loss": loss})
        same.observe(loss)
    assert _lr(model) == 0.5 and same.scale == 1.0


def test_keras_callback_cannot_reduce_a_schedule_ours_can() -> None:
    model = _model(to_keras(CosineDecay(0.1, 100)))
    theirs = keras.callbacks.ReduceLROnPlateau(monitor="val_loss", patience=0)
    theirs.set_model(model)
    theirs.on_train_begin()
    theirs.on_epoch_end(0, {"val_loss": 1.0})
    with pytest.raises(TypeError):
        theirs.on_epoch_end(1, {"val_loss": 1.0})


def test_callback_in_fit_finds_the_plateau_and_logs_the_scale() -> None:
    plateau = ReduceOnPlateau(factor=0.5, patience=0)
    model = _model(to_keras(Constant(0.1) * plateau))
    x = np.ones((4, 1), np.float32)

    class Script(keras.callbacks.Callback):  # validation losses that never improve
        def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
            assert logs is not None
            logs["val_loss"] = 1.0

    callback = PlateauCallback()
    history = model.fit(x, x, batch_size=4, epochs=4, verbose=0, callbacks=[Script(), callback])
    assert callback.plateau is plateau
    assert history.history["plateau_scale"] == [1.0, 0.5, 0.25, 0.125]
    assert plateau.state_dict()["reductions"] == 3
    assert _lr(model) == pytest.approx(0.1 * 0.125)
    # The state goes with the optimizer's config (what model.save() writes).
    config = serialize(model.optimizer._learning_rate.schedule)
    assert deserialize(config).plateau.state_dict() == plateau.state_dict()


def test_callback_errors_and_missing_monitor() -> None:
    with pytest.raises(TypeError, match="Argument `plateau` must be a ReduceOnPlateau"):
        PlateauCallback(plateau=Constant(1.0))  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="Argument `monitor` must be a string"):
        PlateauCallback(monitor=3)  # type: ignore[arg-type]
    model = _model(to_keras(CosineDecay(0.1, 100)))
    callback = PlateauCallback()
    callback.set_model(model)
    with pytest.raises(ValueError, match="holding 0 plateaus"):
        callback.on_train_begin()
    other = PlateauCallback(ReduceOnPlateau())
    other.set_model(_model(to_keras(Constant(0.1) * ReduceOnPlateau())))
    with pytest.raises(ValueError, match="does not use this ReduceOnPlateau"):
        other.on_train_begin()
    plateau = ReduceOnPlateau()
    fine = PlateauCallback(plateau, monitor="val_accuracy")
    fine.set_model(_model(to_keras(Constant(0.1) * plateau)))
    fine.on_train_begin()
    with pytest.warns(UserWarning, match="observes `val_accuracy`, which is not in the logs"):
        fine.on_epoch_end(0, {"val_loss": 1.0})
    assert plateau.state_dict()["count"] == 0
