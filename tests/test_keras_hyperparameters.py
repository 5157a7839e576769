"""``lrschedule.keras.scheduled``: Keras optimizers' other hyperparameters on schedules.

TensorFlow runs in this process (``conftest.py`` picks it); the JAX and PyTorch backends run
the same checks (``keras_hyper_cases.py``) in one fresh interpreter each, which reports what
it saw as JSON. On each backend, for every Keras optimizer and every hyperparameter of
``weight_decay``, ``beta_1``, ``beta_2``, ``momentum``, ``rho`` and ``epsilon`` it has: the
value of every update of a ``fit`` is the schedule's (from an independent formula), the
trained weights are those of the plain optimizer trained eagerly with that value set before
each update (and far from those of the constant value), ``model.save`` +
``keras.models.load_model`` in the middle of training resumes on the same values and
weights, and the schedule is traced once with the train step (run at every update on
PyTorch, whose Keras train step runs eagerly).
"""

from __future__ import annotations

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

import keras_hyper_cases as cases
import lrschedule
from framework_cases import assert_float32_close, run_on_keras_backend
from lrschedule import CosineDecay, ExponentialDecay, LinearDecay
from lrschedule.keras import SCHEDULABLE, ScheduledOptimizer, scheduled, to_keras

ROOT = Path(__file__).resolve().parent.parent
OPTIMIZERS = cases.optimizer_cases()
#: Trained weights: the compiled step and the eager reference round differently, by up
#: to 2e-7 here; the constant hyperparameters move them by 1e-4 or more.
RTOL, ATOL, APART = 1e-5, 1e-6, 1e-4


def _max_difference(a: list[list[float]], b: list[list[float]]) -> float:
    return max(float(np.max(np.abs(np.subtract(x, y)))) for x, y in zip(a, b))


def check_case(backend: str, name: str, names: list[str], result: dict[str, Any]) -> None:
    """What one optimizer's scheduled ``fit`` must show, on any backend."""
    # JAX computes the schedules in float32 (8 ulp); TensorFlow and PyTorch round the
    # float64 value (1 ulp).
    ulps = 8 if backend == "jax" else 1
    assert sorted(result["before"]) == sorted(names)
    for key in names:
        assert_float32_close(result["before"][key], cases.FORMULAS[key](0), ulps=ulps)
    rows = result["rows"]
    assert [iterations for iterations, _ in rows] == list(range(1, cases.STEPS + 1))
    for t, (_, values) in enumerate(rows):  # after update t: the value update t used
        for key in names:
            assert_float32_close(values[key], cases.FORMULAS[key](t), ulps=ulps)
    if backend == "tensorflow" and name == "ScheduleFreeAdamW":
        # Keras's own ScheduleFreeAdamW trains differently compiled and eagerly on
        # TensorFlow (0.98 apart with constant hyperparameters): no eager reference.
        return
    np.testing.assert_allclose(
        np.concatenate(result["weights"]),
        np.concatenate(result["reference"]),
        rtol=RTOL,
        atol=ATOL,
    )
    assert _max_difference(result["weights"], result["constant"]) > APART


def check_resume(backend: str, result: dict[str, Any]) -> None:
    (rows, weights, kind), (resumed_rows, resumed_weights, resumed_kind) = (
        result["straight"],
        result["resumed"],
    )
    assert kind == resumed_kind == "ScheduledOptimizer"
    assert [t for t, _ in rows] == list(range(1, 2 * cases.STEPS + 1))
    ulps = 8 if backend == "jax" else 1
    for t, (_, values) in enumerate(rows):
        assert_float32_close(values["beta_1"], cases.RESUME_FORMULAS["beta_1"](t), ulps=ulps)
        assert_float32_close(
            values["weight_decay"], cases.RESUME_FORMULAS["weight_decay"](t), ulps=ulps
        )
    marker = [t for t, _ in resumed_rows].index(-1)
    assert marker == cases.STEPS
    assert resumed_rows[:marker] == rows[:marker]
    assert resumed_rows[marker + 1 :] == rows[marker:]  # the same values after loading
    np.testing.assert_allclose(
        np.concatenate(resumed_weights), np.concatenate(weights), rtol=1e-6, atol=0
    )


def check_traces(backend: str, counts: dict[str, Any]) -> None:
    for epochs in ("1", "3"):
        assert counts[epochs]["updates"] == cases.STEPS * int(epochs)
        if backend == "torch":  # Keras's PyTorch train step runs eagerly: every update
            assert counts[epochs]["beta_1"] == counts[epochs]["updates"]
            assert counts[epochs]["learning_rate"] == counts[epochs]["updates"]
        else:  # traced with the train step: as often as Keras's learning-rate call
            assert counts[epochs]["beta_1"] == counts[epochs]["learning_rate"]
            assert counts[epochs]["beta_1"] == counts["1"]["beta_1"]  # not per update
    if backend == "jax":
        assert counts["3"]["beta_1"] == 1


# --------------------------------------------------------------- TensorFlow, here
def test_every_keras_optimizer_is_covered() -> None:
    covered = {name for name, _, names in OPTIMIZERS if names}
    assert {"Adam", "AdamW", "SGD", "RMSprop", "Lion", "Nadam", "Adadelta"} <= covered
    assert {key for _, _, names in OPTIMIZERS for key in names} == set(SCHEDULABLE)


@pytest.mark.parametrize(("name", "kwargs", "names"), OPTIMIZERS, ids=[c[0] for c in OPTIMIZERS])
def test_fit_uses_the_schedules_tensorflow(
    name: str, kwargs: dict[str, Any], names: list[str]
) -> None:
    check_case("tensorflow", name, names, cases.run_case(name, kwargs, names))


def test_save_and_load_resume_the_same_values_tensorflow(tmp_path: Path) -> None:
    check_resume("tensorflow", cases.resume(str(tmp_path)))


def test_the_schedules_trace_once_with_the_train_step_tensorflow() -> None:
    check_traces("tensorflow", cases.trace_counts())


def test_xla_compiled_fit() -> None:
    schedule = LinearDecay(0.9, 10, 0.2)
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    optimizer = scheduled(keras.optimizers.SGD(0.01, momentum=0.9), momentum=schedule)
    model.compile(optimizer=optimizer, loss="mse", jit_compile=True)
    model.fit(np.ones((24, 2)), np.ones((24, 1)), batch_size=4, epochs=1, verbose=0)
    assert cases.number(optimizer.iterations) == 6
    assert_float32_close(cases.number(optimizer.hyperparameters["momentum"]), 0.9 - 0.7 * 5 / 10, 1)


def test_gradient_accumulation_and_loss_scaling_follow_iterations() -> None:
    schedule = LinearDecay(0.9, 10, 0.4)
    x, y = np.ones((32, 2)), np.ones((32, 1))
    inner = keras.optimizers.Adam(0.01, gradient_accumulation_steps=2)
    optimizer = scheduled(inner, beta_1=schedule)
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile(optimizer=optimizer, loss="mse")
    model.fit(x, y, batch_size=4, epochs=1, verbose=0)
    # 8 batches, 4 updates: iterations counts updates, and the last one used schedule(3).
    assert cases.number(optimizer.iterations) == 4
    assert_float32_close(cases.number(optimizer.hyperparameters["beta_1"]), 0.9 - 0.5 * 3 / 10, 1)
    wrapped = scheduled(keras.optimizers.Adam(0.01), beta_1=schedule)
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.LossScaleOptimizer(wrapped), loss="mse")
    model.fit(x, y, batch_size=4, epochs=1, verbose=0)
    updates = int(cases.number(wrapped.iterations))
    assert 1 <= updates <= 8  # a step with nonfinite gradients is skipped, not counted
    assert_float32_close(
        cases.number(wrapped.hyperparameters["beta_1"]), 0.9 - 0.5 * (updates - 1) / 10, 1
    )


def test_delegates_to_the_inner_optimizer() -> None:
    rate = CosineDecay(0.1, 100)
    inner = keras.optimizers.AdamW(learning_rate=to_keras(rate), weight_decay=0.01)
    optimizer = scheduled(inner, beta_2=LinearDecay(0.999, 10, 0.99), weight_decay=rate)
    assert optimizer.inner_optimizer is inner
    assert list(optimizer.schedules) == ["weight_decay", "beta_2"]  # SCHEDULABLE's order
    assert optimizer.iterations is inner.iterations
    variable = keras.Variable(np.ones((2, 2), dtype=np.float32))
    optimizer.build([variable])
    assert inner.built
    assert optimizer.variables == [*inner.variables, *optimizer.hyperparameters.values()]
    for step in range(3):
        assert_float32_close(cases.number(optimizer.learning_rate), rate(step), ulps=1)
        returned = optimizer.apply_gradients([(keras.ops.ones((2, 2)), variable)])
        assert cases.number(returned) == step + 1
        hyper = optimizer.hyperparameters
        assert_float32_close(cases.number(hyper["beta_2"]), 0.999 - 0.009 * step / 10, 1)
        assert_float32_close(cases.number(hyper["weight_decay"]), rate(step), ulps=1)
    assert inner.beta_2 == 0.999 and inner.weight_decay == 0.01  # as constructed, outside
    assert repr(optimizer).startswith("ScheduledOptimizer(AdamW, weight_decay=CosineDecay(")


def test_hyperparameters_compare_as_constructed() -> None:
    optimizer = scheduled(
        keras.optimizers.SGD(0.1, momentum=0.5), momentum=LinearDecay(0.0, 10, 0.9)
    )
    momentum = optimizer.hyperparameters["momentum"]
    assert cases.number(momentum) == 0.0  # the schedule's value...
    # ... while SGD's Python test `momentum != 0` answers as momentum=0.5 does.
    assert (momentum != 0) is True and (momentum > 0) is True and (momentum == 0.5) is True
    assert cases.number(momentum + 1) == 1.0  # arithmetic uses the value


def test_config_is_json_and_keeps_the_constructed_values() -> None:
    schedule = ExponentialDecay(0.9, 5, 0.5)
    optimizer = scheduled(keras.optimizers.Adam(0.01, beta_1=0.8), beta_1=schedule)
    config = optimizer.get_config()
    assert json.loads(json.dumps(config)) == config
    assert config["schedules"] == {"beta_1": json.loads(json.dumps(lrschedule.serialize(schedule)))}
    assert config["inner_optimizer"]["class_name"] == "Adam"
    assert config["inner_optimizer"]["config"]["beta_1"] == 0.8
    document = keras.optimizers.serialize(optimizer)
    assert document["registered_name"] == "lrschedule>ScheduledOptimizer"
    restored = keras.optimizers.deserialize(json.loads(json.dumps(document)))
    assert isinstance(restored, ScheduledOptimizer)
    assert restored.schedules == {"beta_1": schedule}
    assert restored.inner_optimizer.beta_1 == 0.8


def _built_adam() -> Any:
    optimizer = keras.optimizers.Adam(0.01)
    optimizer.build([keras.Variable(np.ones(2, dtype=np.float32))])
    return optimizer


@pytest.mark.parametrize(
    ("make", "schedules", "error", "message"),
    [
        (lambda: keras.optimizers.Adam(), {}, ValueError, "needs at least one"),
        (
            lambda: keras.optimizers.Adam(),
            {"learning_rate": CosineDecay(0.1, 10)},
            ValueError,
            "goes into the optimizer itself",
        ),
        (
            lambda: keras.optimizers.Adam(),
            {"amsgrad": CosineDecay(0.1, 10)},
            ValueError,
            "Argument `amsgrad` is not a hyperparameter lrschedule can schedule",
        ),
        (
            lambda: keras.optimizers.SGD(momentum=0.5),
            {"beta_1": CosineDecay(0.1, 10)},
            ValueError,
            "SGD has no hyperparameter `beta_1`",
        ),
        (
            lambda: keras.optimizers.SGD(),
            {"momentum": CosineDecay(0.9, 10)},
            ValueError,
            "constructed with momentum=0 keeps no momentum.*Received: momentum=0.0",
        ),
        (_built_adam, {"beta_1": CosineDecay(0.9, 10)}, ValueError, "must not be built yet"),
        (
            lambda: keras.optimizers.Adam(),
            {"beta_1": 0.9},
            TypeError,
            "Argument `beta_1` must be an lrschedule schedule.*Received: beta_1=0.9",
        ),
        (
            lambda: keras.optimizers.Adam(),
            {"beta_1": keras.optimizers.schedules.ExponentialDecay(0.9, 10, 0.5)},
            TypeError,
            "Argument `beta_1` must be an lrschedule schedule",
        ),
        (
            lambda: keras.optimizers.Adam(beta_1=float("nan")),
            {"beta_1": CosineDecay(0.9, 10)},
            ValueError,
            "must be finite",
        ),
        (
            lambda: "adam",
            {"beta_1": CosineDecay(0.9, 10)},
            TypeError,
            "Argument `optimizer` must be a Keras optimizer",
        ),
        (
            lambda: scheduled(keras.optimizers.Adam(), beta_1=CosineDecay(0.9, 10)),
            {"beta_2": CosineDecay(0.9, 10)},
            TypeError,
            "is a ScheduledOptimizer already",
        ),
    ],
)
def test_refusals(make: Any, schedules: dict[str, Any], error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        scheduled(make(), **schedules)


def test_refusals_of_the_constructor() -> None:
    with pytest.raises(ValueError, match="takes no other optimizer arguments.*weight_decay"):
        ScheduledOptimizer(
            keras.optimizers.Adam(), {"beta_1": CosineDecay(0.9, 10)}, weight_decay=0.1
        )
    with pytest.raises(TypeError, match="`schedules` must be a mapping"):
        ScheduledOptimizer(keras.optimizers.Adam(), [CosineDecay(0.9, 10)])  # type: ignore[arg-type]
    adam = keras.optimizers.Adam()
    adam.beta_1 = keras.Variable(0.9)  # not a number: Keras would not serialize it either
    with pytest.raises(TypeError, match="must be a Python number to be scheduled"):
        scheduled(adam, beta_1=CosineDecay(0.9, 10))


def test_a_keras_schedule_of_ours_is_accepted() -> None:
    schedule = LinearDecay(0.9, 10, 0.5)
    optimizer = scheduled(keras.optimizers.Adam(), beta_1=to_keras(schedule))
    assert optimizer.schedules == {"beta_1": schedule}


# ------------------------------------------------------------- JAX and PyTorch
BACKEND_SCRIPT = textwrap.dedent(
    """
    import json, sys, tempfile
    sys.path.insert(0, sys.argv[1])
    import keras
    import keras_hyper_cases as c

    out = {"backend": keras.backend.backend(), "traces": c.trace_counts(), "cases": {}}
    with tempfile.TemporaryDirectory() as folder:
        out["resume"] = c.resume(folder)
    for name, kwargs, names in c.optimizer_cases():
        out["cases"][name] = [names, c.run_case(name, kwargs, names)]
    print("RESULT" + json.dumps(out))
    """
)


@pytest.mark.parametrize("backend", ["jax", "torch"])
def test_keras_hyperparameters_on_other_backends(backend: str) -> None:
    out = run_on_keras_backend(backend, "-c", BACKEND_SCRIPT, str(ROOT / "tests"))
    assert sorted(out["cases"]) == sorted(name for name, _, _ in OPTIMIZERS)
    for name, (names, case) in out["cases"].items():
        check_case(backend, name, names, case)
    check_resume(backend, out["resume"])
    check_traces(backend, out["traces"])
