"""The drop-in Keras classes (``from lrschedule.keras import ExponentialDecay``) and the
error of a plain schedule given to a Keras optimizer.

TensorFlow runs in this process (``conftest.py`` picks it); the JAX and PyTorch backends
run ``keras_dropin_backend.py`` in one fresh interpreter each. The oracles: the plain
class (whose values the core tests prove exact) at Python steps, ``to_keras(plain)`` at
Keras's tensor steps, and Keras's own six classes built with the same arguments.
"""

from __future__ import annotations

import copy
import inspect
import json
import math
import os
import pickle
from fractions import Fraction
from pathlib import Path
from typing import Any

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras
import numpy as np
import pytest
import tensorflow as tf

import keras_dropin_cases as dropin_cases
import lrschedule
import lrschedule.keras as dropins
from framework_cases import assert_float32_close, run_on_keras_backend
from lrschedule.keras import from_keras, keras_class, to_keras
from lrschedule.keras_dropin import SCHEDULE_NAMES
from lrschedule.schedules.base import Schedule

ROOT = Path(__file__).resolve().parent.parent
KS = keras.optimizers.schedules
PLAIN = dropin_cases.cases(lrschedule)
DROPIN = dropin_cases.cases(dropins)
NAMES = sorted(PLAIN)


# ------------------------------------------------------------------------- classes
def test_every_schedule_class_has_a_drop_in() -> None:
    classes = [
        name
        for name in lrschedule.schedules.__all__
        if inspect.isclass(value := getattr(lrschedule.schedules, name))
        and issubclass(value, Schedule)  # not the plateau controller: it observes metrics
    ]
    assert list(SCHEDULE_NAMES) == classes
    assert sorted(classes) == NAMES
    for name in classes:
        plain, dropin = getattr(lrschedule, name), getattr(dropins, name)
        assert name in dropins.__all__
        assert issubclass(dropin, plain) and issubclass(dropin, KS.LearningRateSchedule)
        assert keras_class(plain) is dropin
        assert (dropin.__module__, dropin.__name__, dropin.__qualname__) == (
            "lrschedule.keras",
            name,
            name,
        )
        assert inspect.signature(dropin) == inspect.signature(plain)
        # The library's name table still holds the plain class.
        assert lrschedule.deserialize(lrschedule.serialize(PLAIN[name])).__class__ is plain


def test_keras_class_refuses_what_is_not_a_library_schedule() -> None:
    class Mine(lrschedule.ExponentialDecay):
        pass

    for cls in (Mine, lrschedule.LearningRateSchedule, KS.ExponentialDecay, int):
        with pytest.raises(TypeError, match="Argument `cls` must be one of lrschedule's"):
            keras_class(cls)


@pytest.mark.parametrize("name", NAMES)
def test_drop_in_is_both(name: str) -> None:
    schedule = DROPIN[name]
    assert isinstance(schedule, KS.LearningRateSchedule)
    assert isinstance(schedule, getattr(lrschedule, name))
    assert isinstance(schedule, lrschedule.LearningRateSchedule)
    with pytest.raises(AttributeError, match="immutable"):
        schedule.name = "other"  # type: ignore[misc]


# -------------------------------------------------------------------------- values
@pytest.mark.parametrize("name", NAMES)
def test_same_values_as_the_plain_class(name: str) -> None:
    plain, dropin = PLAIN[name], DROPIN[name]
    for step in [*range(40), 2.5, 13.25, 10**6]:
        value = dropin(step)
        assert type(value) is float and value == plain(step), step
    steps = np.arange(40)
    np.testing.assert_array_equal(dropin(steps), plain(steps))
    wrapped = to_keras(plain)
    for dtype in (tf.int64, tf.int32):
        for step in (0, 3, 7, 19, 31):
            tensor = tf.constant(step, dtype)
            assert dropin(tensor).dtype == tf.float32
            assert float(dropin(tensor)) == float(wrapped(tensor)), (dtype, step)


@pytest.mark.parametrize("name", NAMES)
def test_directly_in_a_keras_optimizer_tensorflow(name: str) -> None:
    rates = dropin_cases.optimizer_record(DROPIN[name])
    assert rates == dropin_cases.optimizer_record(to_keras(PLAIN[name]))
    assert_float32_close(rates, [PLAIN[name](step) for step in range(dropin_cases.STEPS)], ulps=1)


@pytest.mark.parametrize("name", ["ExponentialDecay", "Warmup", "PiecewiseConstantDecay"])
def test_fit_save_load_resume_tensorflow(name: str, tmp_path: Path) -> None:
    straight, _ = dropin_cases.fit_record(DROPIN[name], 3, None, str(tmp_path))
    resumed, loaded = dropin_cases.fit_record(DROPIN[name], 3, 1, str(tmp_path))
    assert resumed == straight
    assert_float32_close(straight, [PLAIN[name](step) for step in range(18)], ulps=1)
    assert type(loaded) is type(DROPIN[name]) and loaded == DROPIN[name]


def test_composites_of_drop_ins_and_arithmetic() -> None:
    decay = dropins.ExponentialDecay(0.2, 10, 0.8)
    for schedule, plain in [
        (decay * 0.5, lrschedule.Scale(lrschedule.ExponentialDecay(0.2, 10, 0.8), 0.5)),
        (0.5 * decay, lrschedule.Scale(lrschedule.ExponentialDecay(0.2, 10, 0.8), 0.5)),
        (
            decay * dropins.Constant(0.5),
            lrschedule.Product(
                [lrschedule.ExponentialDecay(0.2, 10, 0.8), lrschedule.Constant(0.5)]
            ),
        ),
        (
            dropins.Join([decay, dropins.Warmup(decay, 3)], [5]),
            lrschedule.Join(
                [
                    lrschedule.ExponentialDecay(0.2, 10, 0.8),
                    lrschedule.Warmup(lrschedule.ExponentialDecay(0.2, 10, 0.8), 3),
                ],
                [5],
            ),
        ),
    ]:
        assert isinstance(schedule, KS.LearningRateSchedule)
        assert type(schedule).__module__ == "lrschedule.keras"
        assert schedule == plain
        rates = dropin_cases.optimizer_record(schedule)
        assert_float32_close(rates, [plain(step) for step in range(dropin_cases.STEPS)], ulps=1)
    # A plain composite of drop-ins is not a Keras schedule (Keras would call it with no
    # step): the error says so.
    with pytest.raises(TypeError, match="from lrschedule.keras import Warmup"):
        dropin_cases.optimizer_record(lrschedule.Warmup(decay, 3))


def test_to_keras_of_a_drop_in_says_it_is_one_already_and_from_keras_keeps_it() -> None:
    with pytest.raises(TypeError, match="a Keras schedule already"):
        to_keras(DROPIN["ExponentialDecay"])
    assert from_keras(DROPIN["Warmup"]) is DROPIN["Warmup"]


@pytest.mark.parametrize("name", NAMES)
def test_analysis_sees_the_plain_schedule(name: str) -> None:
    assert repr(lrschedule.describe(DROPIN[name], 5000)) == repr(
        lrschedule.describe(PLAIN[name], 5000)
    )


# ------------------------------------------------------------- Keras's constructors
KERAS_CALLS: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = [
    ("ExponentialDecay", (0.1, 7, 0.9), {}),
    ("ExponentialDecay", (0.1, 7, 0.9, True, "Mine"), {}),
    (
        "ExponentialDecay",
        (),
        {"initial_learning_rate": 0.1, "decay_steps": 7, "decay_rate": 0.9, "staircase": True},
    ),
    ("PiecewiseConstantDecay", ([6, 14], [0.1, 0.05, 0.01]), {}),
    ("PiecewiseConstantDecay", ([6, 14], [0.1, 0.05, 0.01], "Mine"), {}),
    ("PiecewiseConstantDecay", (), {"boundaries": [6, 14], "values": [0.1, 0.05, 0.01]}),
    ("PolynomialDecay", (0.1, 8), {}),
    ("PolynomialDecay", (0.1, 8, 0.01, 0.5, True, "Mine"), {}),
    (
        "PolynomialDecay",
        (),
        {"initial_learning_rate": 0.1, "decay_steps": 8, "end_learning_rate": 0.01, "power": 2.0},
    ),
    ("InverseTimeDecay", (0.1, 10, 0.5), {}),
    ("InverseTimeDecay", (0.1, 10, 0.5, True, "Mine"), {}),
    (
        "InverseTimeDecay",
        (),
        {"initial_learning_rate": 0.1, "decay_steps": 10, "decay_rate": 0.5, "staircase": True},
    ),
    ("CosineDecay", (0.1, 20), {}),
    ("CosineDecay", (0.0, 20, 0.1, "Mine", 0.5, 4), {}),
    (
        "CosineDecay",
        (),
        {
            "initial_learning_rate": 0.0,
            "decay_steps": 20,
            "alpha": 0.1,
            "warmup_target": 0.5,
            "warmup_steps": 4,
        },
    ),
    ("CosineDecayRestarts", (0.2, 5), {}),
    ("CosineDecayRestarts", (0.2, 5, 1.5, 0.8, 0.1, "Mine"), {}),
    (
        "CosineDecayRestarts",
        (),
        {
            "initial_learning_rate": 0.2,
            "first_decay_steps": 5,
            "t_mul": 1.0,
            "m_mul": 0.9,
            "alpha": 0.1,
        },
    ),
]


@pytest.mark.parametrize(("name", "args", "kwargs"), KERAS_CALLS)
def test_one_import_line_migrates_from_keras(
    name: str, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> None:
    theirs = getattr(KS, name)(*args, **kwargs)
    ours = getattr(dropins, name)(*args, **kwargs)
    assert ours.get_config() == theirs.get_config()
    steps = range(dropin_cases.STEPS)
    exact = [ours(step) for step in steps]
    keras_rates = [float(theirs(tf.constant(step, tf.int64))) for step in steps]
    _assert_float32_arithmetic(keras_rates, exact)
    _assert_float32_arithmetic(dropin_cases.optimizer_record(theirs), exact)
    assert_float32_close(dropin_cases.optimizer_record(ours), exact, ulps=1)


def _assert_float32_arithmetic(keras_rates: list[float], exact: list[float]) -> None:
    """Keras computes in float32: a few float32 epsilons, relative to the value and (for
    the rounding of ``cos`` near a zero of the curve) to the largest rate."""
    epsilon = float(np.finfo(np.float32).eps)
    np.testing.assert_allclose(
        keras_rates, exact, rtol=4 * epsilon, atol=4 * epsilon * max(abs(v) for v in exact)
    )


def test_keras_document_of_a_keras_schedule_builds_the_drop_in() -> None:
    document = KS.serialize(KS.ExponentialDecay(0.1, 7, 0.9, staircase=True))
    assert dropins.ExponentialDecay.from_config(document["config"]) == DROPIN["ExponentialDecay"]


def test_a_double_decay_steps_as_r_passes_it() -> None:
    schedule = dropins.ExponentialDecay(0.1, decay_steps=100000.0, decay_rate=0.96, staircase=True)
    exact = Fraction(1, 10) * Fraction(96, 100) ** 2
    assert math.isclose(schedule(250000), float(exact), rel_tol=2**-52)
    assert schedule == lrschedule.ExponentialDecay(0.1, 100000.0, 0.96, staircase=True)
    assert KS.deserialize(json.loads(json.dumps(KS.serialize(schedule)))) == schedule
    rates = dropin_cases.optimizer_record(schedule)
    assert rates == [float(np.float32(0.1))] * dropin_cases.STEPS


# ------------------------------------------------------------------ serialization
@pytest.mark.parametrize("name", NAMES)
def test_keras_serialize_and_deserialize(name: str) -> None:
    schedule = DROPIN[name]
    document = KS.serialize(schedule)
    assert document["module"] == "lrschedule.keras"
    assert document["registered_name"] == f"lrschedule.keras>{name}"
    for given in (document, json.loads(json.dumps(document))):
        back = KS.deserialize(given)
        assert type(back) is type(schedule) and back == schedule
        assert repr(back).replace("[", "(").replace("]", ")") == repr(schedule).replace(
            "[", "("
        ).replace("]", ")")
    # lrschedule reads Keras's document too, as the plain class.
    read = lrschedule.deserialize(json.loads(json.dumps(document)))
    assert type(read) is type(PLAIN[name]) and read == schedule


@pytest.mark.parametrize("name", NAMES)
def test_lrschedule_serialize_writes_the_plain_document(name: str) -> None:
    """Decided: a drop-in's lrschedule document is its plain class's, read without Keras
    as the plain class (equal to the drop-in)."""
    document = lrschedule.serialize(DROPIN[name])
    assert document == lrschedule.serialize(PLAIN[name])
    back = lrschedule.deserialize(json.dumps(document))
    assert type(back) is type(PLAIN[name]) and back == DROPIN[name]


def test_keras_custom_objects_reach_a_drop_in_composites_children() -> None:
    class Half(lrschedule.LearningRateSchedule):
        def __init__(self, rate: float) -> None:
            self.rate = rate

        def __call__(self, step: Any) -> Any:
            return self.rate / (1 + step)

        def get_config(self) -> dict[str, Any]:
            return {"rate": self.rate}

    schedule = dropins.Warmup(Half(0.2), 4)
    document = json.loads(json.dumps(KS.serialize(schedule)))
    with keras.saving.custom_object_scope({"Half": Half}):
        back = KS.deserialize(document)
    assert type(back) is dropins.Warmup and type(back.schedule) is Half
    assert [back(step) for step in range(8)] == [schedule(step) for step in range(8)]


# ------------------------------------------------------------------ value semantics
@pytest.mark.parametrize("name", NAMES)
def test_equal_hashable_printable_like_the_plain_class(name: str) -> None:
    """Decided: a drop-in equals the plain schedule of the same arguments (same values,
    same document), with the same hash and repr."""
    plain, dropin = PLAIN[name], DROPIN[name]
    assert dropin == plain and plain == dropin
    assert (dropin != plain) is False and (plain != dropin) is False
    assert hash(dropin) == hash(plain) and len({plain, dropin}) == 1
    assert repr(dropin) == repr(plain) and repr(dropin).startswith(f"{name}(")
    assert eval(repr(dropin), vars(dropins)) == dropin
    assert type(eval(repr(dropin), vars(dropins))) is type(dropin)
    other = dropin_cases.cases(dropins)["Constant"] if name != "Constant" else dropins.Constant(1.0)
    assert dropin != other and plain != other
    for copied in (pickle.loads(pickle.dumps(dropin)), copy.deepcopy(dropin), copy.copy(dropin)):
        assert type(copied) is type(dropin) and copied == dropin


# ------------------------------------------------------------------- no-step error
@pytest.mark.parametrize("name", NAMES)
def test_a_call_with_no_step_says_what_to_write(name: str) -> None:
    with pytest.raises(TypeError) as caught:
        PLAIN[name]()
    message = str(caught.value)
    assert message.startswith(f"{name} was called with no step")
    assert f"from lrschedule.keras import {name}" in message
    assert "lrschedule.keras.to_keras(schedule)" in message
    assert PLAIN[name](step=3) == PLAIN[name](3)


def test_plain_schedule_in_compile_and_fit_gets_the_message() -> None:
    schedule = lrschedule.ExponentialDecay(0.1, 100000, 0.96, staircase=True)
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=schedule), loss="mse")
    with pytest.raises(TypeError) as caught:
        model.fit(np.ones((4, 2)), np.ones((4, 1)), verbose=0)
    message = str(caught.value)
    assert "ExponentialDecay was called with no step" in message
    assert "from lrschedule.keras import ExponentialDecay" in message
    assert "to_keras(schedule)" in message


def test_a_users_schedule_keeps_pythons_message() -> None:
    class Mine(lrschedule.LearningRateSchedule):
        def __call__(self, step: Any) -> Any:
            return 0.1

    with pytest.raises(TypeError, match="missing 1 required positional argument: 'step'"):
        Mine()()  # type: ignore[call-arg]


# ----------------------------------------------------------- JAX and PyTorch backends
@pytest.mark.parametrize("backend", ["jax", "torch"])
def test_drop_ins_on_other_backends(backend: str) -> None:
    out = run_on_keras_backend(backend, str(ROOT / "tests" / "keras_dropin_backend.py"))
    # JAX computes in float32 (8 ulp), PyTorch in float64 rounded to float32 (1 ulp).
    ulps = 8 if backend == "jax" else 1
    assert sorted(out["optimizer"]) == NAMES
    for name, rates in out["optimizer"].items():
        expected = [PLAIN[name](step) for step in range(dropin_cases.STEPS)]
        assert_float32_close(rates, expected, ulps=ulps)
    for name, fit in out["fit"].items():
        assert fit["resumed"] == fit["straight"]
        assert_float32_close(fit["straight"], [PLAIN[name](step) for step in range(18)], ulps=ulps)
        assert fit["loaded"] == f"lrschedule.keras.{name}" and fit["equal"]
    assert out["serialized"] == {name: [True, True] for name in NAMES}
    assert_plateau_fit(out["plateau"], ulps)
    assert "ExponentialDecay was called with no step" in out["plain_error"]
    assert "from lrschedule.keras import ExponentialDecay" in out["plain_error"]


def assert_plateau_fit(out: dict[str, Any], ulps: int) -> None:
    """The plateau halved the level after every epoch but the first (which sets the best
    loss), and every update used the warmup and cosine decay of its step times the scale
    in force during its epoch (6 updates each)."""
    epochs = dropin_cases.PLATEAU_EPOCHS
    assert out["scales"] == [0.5**epoch for epoch in range(epochs)]
    assert out["reductions"] == epochs - 1
    warmup = dropin_cases.plateau_schedule().schedule
    scale = [1.0, *out["scales"][:-1]]  # the scale logged at the end of the epoch before
    expected = [warmup(k) * scale[k // 6] for k in range(epochs * 6)]
    assert_float32_close(out["rates"], expected, ulps=ulps)


def test_plateau_fit_on_tensorflow() -> None:
    assert_plateau_fit(dropin_cases.plateau_record(), ulps=1)
