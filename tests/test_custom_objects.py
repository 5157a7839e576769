"""A user's schedule class registered the Keras way: through ``custom_objects``.

Keras writes a schedule class it does not know as ``{"module": <its module, None for
__main__>, "class_name": Name, "config": {...}, "registered_name": Name}`` and reads it back
with ``deserialize(document, custom_objects={"Name": cls})``. ``lrschedule.serialize`` writes
the same document for an unregistered subclass of ours (checked against the real
``keras.optimizers.schedules.serialize`` on a Keras class of the same name, module and
config), and ``lrschedule.deserialize``, ``lrschedule.load`` and Keras's ``load_model``
(through ``lrschedule.keras``) read it back only when the class is given, never by import.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras
import numpy as np
import pytest

import lrschedule
from lrschedule import (
    CosineDecay,
    ExponentialDecay,
    LearningRateSchedule,
    Warmup,
    deserialize,
    load,
    save,
    serialize,
)
from lrschedule.keras import KerasSchedule, ScheduledOptimizer, scheduled, to_keras

KS = keras.optimizers.schedules


class Unreg(LearningRateSchedule):
    """A user's schedule, not registered: halves every ``period`` steps."""

    def __init__(self, initial_learning_rate: float, period: int = 2) -> None:
        self.initial_learning_rate = initial_learning_rate
        self.period = period

    def __call__(self, step: Any) -> Any:
        if isinstance(step, int):
            return self.initial_learning_rate * 0.5 ** (step // self.period)
        halvings = keras.ops.cast(keras.ops.floor_divide(step, self.period), "float32")
        return self.initial_learning_rate * keras.ops.power(0.5, halvings)  # in Keras

    def get_config(self) -> dict[str, Any]:
        return {"initial_learning_rate": self.initial_learning_rate, "period": self.period}


def _keras_twin(module: str) -> type:
    """A Keras schedule class named ``Unreg`` in ``module``, with the same config."""

    def construct(self: Any, initial_learning_rate: float, period: int = 2) -> None:
        self.initial_learning_rate = initial_learning_rate
        self.period = period

    def get_config(self: Any) -> dict[str, Any]:
        return {"initial_learning_rate": self.initial_learning_rate, "period": self.period}

    namespace = {
        "__init__": construct,
        "__call__": lambda self, step: self.initial_learning_rate,
        "get_config": get_config,
        "__module__": module,
    }
    return type("Unreg", (KS.LearningRateSchedule,), namespace)


def _ours_in(module: str) -> type:
    return type("Unreg", (Unreg,), {"__module__": module})


@pytest.mark.parametrize("module", [__name__, "__main__", "my.package.schedules"])
def test_we_write_what_keras_writes(module: str) -> None:
    keras_document = KS.serialize(_keras_twin(module)(0.1, period=3))
    ours = serialize(_ours_in(module)(0.1, period=3))
    assert json.dumps(ours) == json.dumps(keras_document)  # keys, order and values
    expected_module = None if module == "__main__" else module
    assert ours == {
        "module": expected_module,
        "class_name": "Unreg",
        "config": {"initial_learning_rate": 0.1, "period": 3},
        "registered_name": "Unreg",
    }


def test_read_back_through_custom_objects_only() -> None:
    document = serialize(Unreg(0.1, period=3))
    restored = deserialize(document, custom_objects={"Unreg": Unreg})
    assert type(restored) is Unreg and restored.get_config() == Unreg(0.1, 3).get_config()
    assert restored(7) == 0.1 * 0.5**2
    with pytest.raises(
        ValueError, match=r"Unknown schedule class_name='Unreg' \(registered_name='Unreg'\)"
    ):
        deserialize(document)
    # Keras's own document for a class of that name, read by ours, and ours by Keras.
    keras_document = KS.serialize(_keras_twin(__name__)(0.2))
    assert deserialize(keras_document, custom_objects={"Unreg": Unreg})(2) == 0.1
    twin = _keras_twin(__name__)
    theirs = KS.deserialize(document, custom_objects={"Unreg": twin})
    assert type(theirs) is twin and theirs.period == 3


def test_the_module_does_not_matter_for_a_class_given_in_custom_objects() -> None:
    # As in Keras: the class the caller names is used, wherever the document says it was.
    moved = serialize(_ours_in("old.location")(0.1)) | {"module": "os"}
    assert deserialize(moved, custom_objects={"Unreg": Unreg})(0) == 0.1
    library = serialize(ExponentialDecay(0.1, 10, 0.5)) | {"module": "os"}
    with pytest.raises(ValueError, match="Refusing module='os'"):
        deserialize(library)  # the library's and registered classes are still checked


def test_nothing_is_imported_for_an_unknown_class(monkeypatch: pytest.MonkeyPatch) -> None:
    document = {
        "module": "json.tool",
        "class_name": "Unreg",
        "config": {"initial_learning_rate": 0.1},
        "registered_name": "Unreg",
    }
    monkeypatch.delitem(sys.modules, "json.tool", raising=False)
    with pytest.raises(ValueError, match="Unknown schedule"):
        deserialize(document)
    assert "json.tool" not in sys.modules


def test_a_class_named_like_ours_is_refused() -> None:
    namesake = type("CosineDecay", (CosineDecay,), {"__slots__": ()})
    with pytest.raises(TypeError, match="has the name of lrschedule's CosineDecay"):
        serialize(namesake(0.1, 10))
    marked = type("a>b", (Unreg,), {})
    with pytest.raises(TypeError, match="has '>' in its name"):
        serialize(marked(0.1))
    # Registered, either is fine.
    lrschedule.register(package="TestCustomObjects")(namesake)
    assert serialize(namesake(0.1, 10))["registered_name"] == "TestCustomObjects>CosineDecay"


def test_nested_in_a_composite() -> None:
    schedule = Warmup(Unreg(0.1, 4), 3)
    document = json.loads(json.dumps(serialize(schedule)))
    assert document["config"]["schedule"]["registered_name"] == "Unreg"
    assert deserialize(document, custom_objects={"Unreg": Unreg}) == schedule
    with pytest.raises(ValueError, match="Cannot deserialize Warmup: Unknown schedule"):
        deserialize(document)


@pytest.mark.parametrize("suffix", [".json", ".toml"])
def test_files_pass_custom_objects(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"schedule{suffix}"
    save(Unreg(0.1, 5), path)
    assert load(path, custom_objects={"Unreg": Unreg}) == Unreg(0.1, 5)
    with pytest.raises(ValueError, match=f"{path.name}.*Unknown schedule class_name='Unreg'"):
        load(path)


# ------------------------------------------------------------------------ Keras
def _fit_and_save(optimizer: Any, path: Path) -> Any:
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile(optimizer=optimizer, loss="mse")
    model.fit(np.ones((8, 2)), np.ones((8, 1)), batch_size=4, epochs=1, verbose=0)
    model.save(path)
    return model


def test_load_model_reads_a_wrapped_schedule_with_keras_custom_objects(tmp_path: Path) -> None:
    path = tmp_path / "model.keras"
    _fit_and_save(keras.optimizers.SGD(learning_rate=to_keras(Unreg(0.1, 1))), path)
    with pytest.raises(Exception, match="Unknown schedule class_name='Unreg'"):
        keras.models.load_model(path)
    loaded = keras.models.load_model(path, custom_objects={"Unreg": Unreg})
    wrapped = loaded.optimizer._learning_rate
    assert isinstance(wrapped, KerasSchedule) and type(wrapped.schedule) is Unreg
    assert float(keras.ops.convert_to_numpy(loaded.optimizer.learning_rate)) == np.float32(0.025)
    with keras.saving.custom_object_scope({"Unreg": Unreg}):
        assert type(keras.models.load_model(path).optimizer._learning_rate.schedule) is Unreg


def test_load_model_reads_a_scheduled_hyperparameter_with_custom_objects(tmp_path: Path) -> None:
    path = tmp_path / "model.keras"
    beta = Unreg(0.9, 1)
    _fit_and_save(scheduled(keras.optimizers.Adam(0.01), beta_1=beta), path)
    with pytest.raises(Exception, match="Unknown schedule class_name='Unreg'"):
        keras.models.load_model(path)
    optimizer = keras.models.load_model(path, custom_objects={"Unreg": Unreg}).optimizer
    assert isinstance(optimizer, ScheduledOptimizer)
    assert optimizer.schedules == {"beta_1": beta}
    assert float(keras.ops.convert_to_numpy(optimizer.hyperparameters["beta_1"])) == np.float32(
        0.9 * 0.5
    )  # after 2 updates: the value update 1 used


def test_keras_custom_objects_must_be_our_schedules(tmp_path: Path) -> None:
    path = tmp_path / "model.keras"
    _fit_and_save(keras.optimizers.SGD(learning_rate=to_keras(Unreg(0.1, 1))), path)
    # A Keras class of that name is not one of ours: it is not used for our document.
    with pytest.raises(Exception, match="Unknown schedule class_name='Unreg'"):
        keras.models.load_model(path, custom_objects={"Unreg": _keras_twin(__name__)})
