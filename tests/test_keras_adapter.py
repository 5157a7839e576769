"""``lrschedule.keras``: our schedules in Keras optimizers, on every trainable backend.

TensorFlow runs in this process (``conftest.py`` picks it); Keras picks its backend when
it is imported, so the JAX and PyTorch checks run in one fresh interpreter per backend
(``BACKEND_SCRIPT``), which reports what it saw as JSON. On each backend: Keras's own
``test_fit_lr_correctness`` with our schedule in place of Keras's, the seed's
``compile`` + ``fit`` example with the learning rate of every update checked, the
optimizer's ``iterations`` variable as a step, and ``model.save()`` + ``load_model()`` in
the middle of training giving the same learning rates as an uninterrupted run.
"""

from __future__ import annotations

import inspect
import json
import os
import textwrap
from pathlib import Path
from typing import Any

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras
import numpy as np
import pytest
import tensorflow as tf

import lrschedule
from framework_cases import assert_float32_close, run_on_keras_backend
from keras_cases import (
    UPSTREAM_LOSSES,
    RecordLearningRate,
    fit_lr_correctness,
    number,
    seed_data,
    seed_example,
)
from lrschedule import (
    CosineDecay,
    CosineDecayRestarts,
    ExponentialDecay,
    InverseTimeDecay,
    PiecewiseConstantDecay,
)
from lrschedule.keras import KerasSchedule, from_keras, to_keras

ROOT = Path(__file__).resolve().parent.parent
KS = keras.optimizers.schedules


# --------------------------------------------------------------- TensorFlow, here
def test_keras_upstream_fit_lr_correctness_tensorflow() -> None:
    iterations, losses, before = fit_lr_correctness(
        lambda: to_keras(
            ExponentialDecay(initial_learning_rate=0.05, decay_steps=1, decay_rate=0.9)
        )
    )
    assert before == 1  # no learning-rate variable, only the iteration counter
    assert iterations == 12
    np.testing.assert_allclose(losses, UPSTREAM_LOSSES, rtol=5e-5)


def test_seed_example_uses_schedule_of_step_and_resumes_after_save(tmp_path: Path) -> None:
    schedule = CosineDecay(0.0, 20, alpha=0.1, warmup_target=0.5, warmup_steps=4)
    straight = seed_example(schedule, epochs=4, resume_at=None, folder=str(tmp_path))
    assert_float32_close(straight, [schedule(step) for step in range(24)], ulps=1)
    assert seed_example(schedule, epochs=4, resume_at=2, folder=str(tmp_path)) == straight


def test_xla_compiled_fit_uses_the_schedule() -> None:
    schedule = PiecewiseConstantDecay([3, 7], [0.3, 0.1, 0.01])
    x, y = seed_data()
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(3, activation="softmax")])
    model.compile(
        optimizer=keras.optimizers.SGD(learning_rate=to_keras(schedule)),
        loss="sparse_categorical_crossentropy",
        jit_compile=True,
    )
    record: dict[int, float] = {}
    model.fit(x, y, batch_size=16, epochs=2, verbose=0, callbacks=[RecordLearningRate(record)])
    assert_float32_close(list(record.values()), [schedule(step) for step in record], ulps=1)


def _keras_optimizers() -> list[type]:
    found = []
    for name in sorted(dir(keras.optimizers)):
        cls = getattr(keras.optimizers, name)
        if (
            inspect.isclass(cls)
            and issubclass(cls, keras.optimizers.Optimizer)
            and "learning_rate" in inspect.signature(cls).parameters
            and name not in ("Optimizer", "LossScaleOptimizer", "MultiOptimizer")
        ):
            found.append(cls)
    return found


@pytest.mark.parametrize("cls", _keras_optimizers(), ids=lambda cls: cls.__name__)
def test_every_keras_optimizer_accepts_it(cls: type) -> None:
    schedule = CosineDecayRestarts(0.05, 3, t_mul=2.0, m_mul=0.5)
    optimizer = cls(learning_rate=to_keras(schedule))
    variable = keras.Variable(np.ones((2, 2), dtype=np.float32))
    optimizer.build([variable])
    for step in range(8):
        assert_float32_close(number(optimizer.learning_rate), schedule(step), ulps=1)
        optimizer.apply_gradients([(keras.ops.ones((2, 2)), variable)])
    assert number(optimizer.iterations) == 8


def test_the_iterations_variable_is_a_step() -> None:
    optimizer = keras.optimizers.SGD(learning_rate=0.1)
    optimizer.iterations.assign(41)
    schedule = InverseTimeDecay(0.1, 10, 0.5)
    value = schedule(optimizer.iterations)
    assert isinstance(value, tf.Tensor) and value.dtype == tf.float32
    assert optimizer.iterations.dtype == "int64"
    assert_float32_close(value.numpy(), schedule(41), ulps=1)


def test_serialization_round_trips_through_keras() -> None:
    schedule = PiecewiseConstantDecay((100, 200), (0.1, 0.01, 0.001), name="steps")
    wrapped = to_keras(schedule)
    document = KS.serialize(wrapped)
    assert document["registered_name"] == "lrschedule>KerasSchedule"
    assert document["config"] == {
        "schedule": json.loads(json.dumps(lrschedule.serialize(schedule)))
    }
    restored = KS.deserialize(json.loads(json.dumps(document)))
    assert isinstance(restored, KerasSchedule) and restored.schedule == schedule
    optimizer = keras.optimizers.Adam(learning_rate=wrapped)
    rebuilt = keras.optimizers.Adam.from_config(optimizer.get_config())
    assert rebuilt.get_config()["learning_rate"] == optimizer.get_config()["learning_rate"]
    assert repr(wrapped) == f"KerasSchedule({schedule!r})"


def test_to_keras_refuses_what_is_not_ours() -> None:
    with pytest.raises(TypeError, match="is a Keras schedule already"):
        to_keras(KS.ExponentialDecay(0.1, 10, 0.5))
    with pytest.raises(TypeError, match="must be an lrschedule schedule"):
        to_keras(lambda step: 0.1)  # type: ignore[arg-type]


KERAS_CASES = [
    KS.ExponentialDecay(0.1, 1000, 0.96),
    KS.ExponentialDecay(0.05, 7, 0.5, staircase=True, name="stairs"),
    KS.PiecewiseConstantDecay([10, 20], [1.0, 0.5, 0.1]),
    KS.PolynomialDecay(0.1, 100),
    KS.PolynomialDecay(0.1, 100, 0.01, power=2.0, cycle=True),
    KS.InverseTimeDecay(0.1, 10, 0.5, staircase=True),
    KS.CosineDecay(0.1, 100, alpha=0.1),
    KS.CosineDecay(0.0, 100, warmup_target=0.1, warmup_steps=10),
    KS.CosineDecayRestarts(0.1, 10),
    KS.CosineDecayRestarts(0.1, 10, t_mul=1.5, m_mul=0.9, alpha=0.05),
]


@pytest.mark.parametrize("theirs", KERAS_CASES, ids=lambda s: f"{type(s).__name__}")
def test_from_keras_gives_the_same_schedule(theirs: Any) -> None:
    ours = from_keras(theirs)
    assert type(ours).__name__ == type(theirs).__name__
    assert ours.get_config() == theirs.get_config()
    steps = list(range(0, 250, 3))
    keras_values = [float(theirs(step)) for step in steps]  # Keras computes in float32
    # Keras computes in float32: within its rounding, relative and absolute (near zero).
    np.testing.assert_allclose([ours(step) for step in steps], keras_values, rtol=2e-6, atol=1e-8)
    assert from_keras(to_keras(ours)) is ours


def test_from_keras_refuses_others() -> None:
    class Mine(KS.ExponentialDecay):
        pass

    with pytest.raises(TypeError, match="must be one of Keras's built-in schedules"):
        from_keras(Mine(0.1, 10, 0.5))
    with pytest.raises(TypeError, match="must be one of Keras's built-in schedules"):
        from_keras(ExponentialDecay(0.1, 10, 0.5))
    with pytest.raises(ValueError, match="decay_rate"):
        from_keras(KS.ExponentialDecay(0.1, 10, 0.0))


# ------------------------------------------------------------- JAX and PyTorch
BACKEND_SCRIPT = textwrap.dedent(
    """
    import json, sys, tempfile
    sys.path.insert(0, sys.argv[1])
    import keras
    import keras_cases as t
    from lrschedule import CosineDecay, ExponentialDecay, InverseTimeDecay
    from lrschedule.keras import to_keras

    out = {"backend": keras.backend.backend()}
    iterations, losses, before = t.fit_lr_correctness(
        lambda: to_keras(ExponentialDecay(initial_learning_rate=0.05, decay_steps=1, decay_rate=0.9))
    )
    out["upstream"] = [iterations, losses, before]
    schedule = CosineDecay(0.0, 20, alpha=0.1, warmup_target=0.5, warmup_steps=4)
    with tempfile.TemporaryDirectory() as folder:
        out["straight"] = t.seed_example(schedule, 4, None, folder)
        out["resumed"] = t.seed_example(schedule, 4, 2, folder)
    optimizer = keras.optimizers.SGD(learning_rate=0.1)
    optimizer.iterations.assign(41)
    value = InverseTimeDecay(0.1, 10, 0.5)(optimizer.iterations)
    out["iterations"] = [str(optimizer.iterations.dtype), type(value).__module__, str(value.dtype),
                         float(keras.ops.convert_to_numpy(value))]
    print("RESULT" + json.dumps(out))
    """
)


@pytest.mark.parametrize("backend", ["jax", "torch"])
def test_keras_on_other_backends(backend: str) -> None:
    out = run_on_keras_backend(backend, "-c", BACKEND_SCRIPT, str(ROOT / "tests"))
    iterations, losses, before = out["upstream"]
    assert (iterations, before) == (12, 1)
    np.testing.assert_allclose(losses, UPSTREAM_LOSSES, rtol=5e-5)
    schedule = CosineDecay(0.0, 20, alpha=0.1, warmup_target=0.5, warmup_steps=4)
    # JAX computes in float32 (8 ulp), PyTorch in float64 rounded to float32 (1 ulp).
    ulps = 8 if backend == "jax" else 1
    assert_float32_close(out["straight"], [schedule(step) for step in range(24)], ulps=ulps)
    assert out["resumed"] == out["straight"]
    dtype, module, value_dtype, value = out["iterations"]
    assert dtype == "int32" and value_dtype in ("float32", "torch.float32")
    assert module.split(".")[0] in ("jax", "jaxlib", "torch")
    assert_float32_close(value, InverseTimeDecay(0.1, 10, 0.5)(41), ulps=ulps)
