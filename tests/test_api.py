"""The public API: Keras 3's names, argument names, order and defaults, and the seed's example."""

from __future__ import annotations

import inspect

import pytest

import lrschedule
from lrschedule import (
    CosineDecay,
    CosineDecayRestarts,
    ExponentialDecay,
    InverseTimeDecay,
    LearningRateSchedule,
    PiecewiseConstantDecay,
    PolynomialDecay,
)

CLASSES = [
    ExponentialDecay,
    PiecewiseConstantDecay,
    PolynomialDecay,
    InverseTimeDecay,
    CosineDecay,
    CosineDecayRestarts,
]

# Keras 3's signatures, written out as the documentation gives them.
KERAS_SIGNATURES = {
    "ExponentialDecay": [
        ("initial_learning_rate", inspect.Parameter.empty),
        ("decay_steps", inspect.Parameter.empty),
        ("decay_rate", inspect.Parameter.empty),
        ("staircase", False),
        ("name", "ExponentialDecay"),
    ],
    "PiecewiseConstantDecay": [
        ("boundaries", inspect.Parameter.empty),
        ("values", inspect.Parameter.empty),
        ("name", "PiecewiseConstant"),
    ],
    "PolynomialDecay": [
        ("initial_learning_rate", inspect.Parameter.empty),
        ("decay_steps", inspect.Parameter.empty),
        ("end_learning_rate", 0.0001),
        ("power", 1.0),
        ("cycle", False),
        ("name", "PolynomialDecay"),
    ],
    "InverseTimeDecay": [
        ("initial_learning_rate", inspect.Parameter.empty),
        ("decay_steps", inspect.Parameter.empty),
        ("decay_rate", inspect.Parameter.empty),
        ("staircase", False),
        ("name", "InverseTimeDecay"),
    ],
    "CosineDecay": [
        ("initial_learning_rate", inspect.Parameter.empty),
        ("decay_steps", inspect.Parameter.empty),
        ("alpha", 0.0),
        ("name", "CosineDecay"),
        ("warmup_target", None),
        ("warmup_steps", 0),
    ],
    "CosineDecayRestarts": [
        ("initial_learning_rate", inspect.Parameter.empty),
        ("first_decay_steps", inspect.Parameter.empty),
        ("t_mul", 2.0),
        ("m_mul", 1.0),
        ("alpha", 0.0),
        ("name", "SGDRDecay"),
    ],
}


def _signature(cls: type) -> list[tuple[str, object]]:
    return [(p.name, p.default) for p in inspect.signature(cls).parameters.values()]


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
def test_signature_is_keras_3s(cls: type) -> None:
    assert _signature(cls) == KERAS_SIGNATURES[cls.__name__]


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
def test_signature_matches_installed_keras(cls: type) -> None:
    keras = pytest.importorskip("keras")
    theirs = getattr(keras.optimizers.schedules, cls.__name__)
    assert _signature(cls) == _signature(theirs)


def test_public_names() -> None:
    assert set(lrschedule.__all__) >= {c.__name__ for c in CLASSES} | {"LearningRateSchedule"}
    for name in lrschedule.__all__:
        assert hasattr(lrschedule, name)
    assert all(issubclass(c, LearningRateSchedule) for c in CLASSES)


def test_seed_example_runs_as_written() -> None:
    initial_learning_rate = 0.1
    lr_schedule = ExponentialDecay(
        initial_learning_rate, decay_steps=100000, decay_rate=0.96, staircase=True
    )
    assert lr_schedule(0) == 0.1
    assert lr_schedule(99_999) == 0.1
    assert lr_schedule(100_000) == pytest.approx(0.1 * 0.96)
    assert lr_schedule(250_000) == pytest.approx(0.1 * 0.96**2)
    assert isinstance(lr_schedule(5), float)


def test_keras_attribute_names_are_readable() -> None:
    restarts = CosineDecayRestarts(0.1, 10, t_mul=3.0, m_mul=0.5)
    assert (restarts._t_mul, restarts._m_mul) == (3.0, 0.5)  # Keras's private names
    assert (restarts.t_mul, restarts.m_mul) == (3.0, 0.5)
    decay = ExponentialDecay(0.1, 10, 0.5, staircase=True, name="x")
    assert (decay.initial_learning_rate, decay.decay_steps, decay.decay_rate) == (0.1, 10, 0.5)
    assert decay.staircase is True and decay.name == "x"


def test_version() -> None:
    assert isinstance(lrschedule.__version__, str) and lrschedule.__version__.count(".") == 2
