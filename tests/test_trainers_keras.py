"""Keras ``Model.fit`` follows a schedule given to its optimizer with
:func:`lrschedule.keras.to_keras`, and a model saved half-way and loaded back continues.

A callback reads the optimizer's ``learning_rate`` (Keras's own evaluation of the schedule
at its ``iterations`` counter) before every batch: update ``k`` must use ``schedule(k)``,
rounded to float32 as Keras holds it. A model saved with ``model.save()`` after the first
epoch, loaded with ``keras.models.load_model()`` and fitted on must use the same learning
rates and end with the same weights, bit for bit, as a run that was never interrupted.
(Keras runs on the backend the test setup chose, TensorFlow.)
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.trainer_cases import SCHEDULE, check_float32

from conftest import require

keras = require("keras")
np = require("numpy")

from lrschedule.keras import KerasSchedule, to_keras  # noqa: E402

EPOCHS = 2
BATCHES = 6  # per epoch
BATCH = 8
STEPS = EPOCHS * BATCHES


def data() -> tuple[Any, Any]:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(BATCHES * BATCH, 3)).astype("float32")
    y = (x @ np.array([[0.5], [-1.0], [2.0]]) + 0.1 * rng.normal(size=(x.shape[0], 1))).astype(
        "float32"
    )
    return x, y


def build() -> Any:
    keras.utils.set_random_seed(1)
    model = keras.Sequential(
        [keras.Input((3,)), keras.layers.Dense(4, activation="tanh"), keras.layers.Dense(1)]
    )
    model.compile(
        optimizer=keras.optimizers.SGD(learning_rate=to_keras(SCHEDULE), momentum=0.9), loss="mse"
    )
    return model


class RecordLearningRate(keras.callbacks.Callback):
    """``used[k]``: the learning rate the optimizer is about to use for update ``k``."""

    def __init__(self) -> None:
        super().__init__()
        self.used: dict[int, float] = {}

    def on_train_batch_begin(self, batch: int, logs: Any = None) -> None:
        optimizer = self.model.optimizer
        step = int(keras.ops.convert_to_numpy(optimizer.iterations))
        self.used[step] = float(keras.ops.convert_to_numpy(optimizer.learning_rate))


def fit(model: Any, epochs: int, initial_epoch: int = 0) -> dict[int, float]:
    record = RecordLearningRate()
    x, y = data()
    model.fit(
        x,
        y,
        batch_size=BATCH,
        epochs=epochs,
        initial_epoch=initial_epoch,
        shuffle=False,
        verbose=0,
        callbacks=[record],
    )
    return record.used


def test_every_update_uses_the_schedule() -> None:
    model = build()
    used = fit(model, EPOCHS)
    check_float32(used, STEPS, ulps=1)
    # Keras holds the learning rate in float32: the float64 value, rounded to nearest.
    assert used == {k: float(np.float32(SCHEDULE(k))) for k in range(STEPS)}
    assert int(keras.ops.convert_to_numpy(model.optimizer.iterations)) == STEPS


def test_a_saved_and_loaded_model_continues_exactly(tmp_path: Path) -> None:
    whole = build()
    used_whole = fit(whole, EPOCHS)

    first = build()
    used_first = fit(first, EPOCHS // 2)
    path = tmp_path / "half.keras"
    first.save(path)
    loaded = keras.models.load_model(path)
    config = loaded.optimizer.get_config()["learning_rate"]
    schedule = keras.optimizers.schedules.deserialize(config)
    assert isinstance(schedule, KerasSchedule) and schedule.schedule == SCHEDULE
    used_second = fit(loaded, EPOCHS, initial_epoch=EPOCHS // 2)

    assert sorted(used_second) == list(range(STEPS // 2, STEPS))
    assert {**used_first, **used_second} == used_whole
    for mine, theirs in zip(loaded.get_weights(), whole.get_weights()):
        np.testing.assert_array_equal(mine, theirs)
