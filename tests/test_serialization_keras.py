"""Serialization against Keras 3: its format as literals, and the installed Keras both ways.

* Golden dicts: what ``keras.optimizers.schedules.serialize`` writes (checked against the
  installed Keras too), and tf.keras's legacy ``{"class_name", "config"}`` form.
* ``keras.optimizers.schedules.deserialize(lrschedule.serialize(s))`` builds Keras's class
  with the same config and the same values (within Keras's float32 rounding), and
  ``lrschedule.deserialize(keras.optimizers.schedules.serialize(k))`` builds ours, equal
  to the schedule built from the same arguments, for random configurations of every class.
"""

from __future__ import annotations

import json
import math
import os
import warnings
from fractions import Fraction
from typing import Any

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import pytest

import lrschedule
from lrschedule import (
    CosineDecay,
    CosineDecayRestarts,
    ExponentialDecay,
    InverseTimeDecay,
    PiecewiseConstantDecay,
    PolynomialDecay,
    deserialize,
    serialize,
)

np = pytest.importorskip("numpy")
keras = pytest.importorskip("keras")
KS = keras.optimizers.schedules

NAMES = [
    "ExponentialDecay",
    "PiecewiseConstantDecay",
    "PolynomialDecay",
    "InverseTimeDecay",
    "CosineDecay",
    "CosineDecayRestarts",
]
#: Random configurations per class and direction.
CONFIGS_PER_CLASS = 60
#: Keras computes in float32: values agree to |ours - keras| <= RTOL * |ours| + ATOL * scale,
#: scale being the largest learning rate in the config.
RTOL, ATOL = 1e-5, 1e-7
#: Keras's float32 step is exact below 2**24; stay well inside.
STEP_LIMIT = 2**20

M = "keras.optimizers.schedules"

# --------------------------------------------------------------------------- golden
# (constructor arguments, the dict Keras 3 writes for them). Written out as literals.
GOLDEN: list[tuple[str, dict[str, Any], dict[str, Any]]] = [
    (
        "ExponentialDecay",
        {"initial_learning_rate": 0.1, "decay_steps": 10, "decay_rate": 0.96},
        {
            "module": M,
            "class_name": "ExponentialDecay",
            "config": {
                "initial_learning_rate": 0.1,
                "decay_steps": 10,
                "decay_rate": 0.96,
                "staircase": False,
                "name": "ExponentialDecay",
            },
            "registered_name": None,
        },
    ),
    (
        "PiecewiseConstantDecay",
        {"boundaries": (10, 20), "values": [1.0, 2.0, 3.0]},
        {
            "module": M,
            "class_name": "PiecewiseConstantDecay",
            "config": {
                "boundaries": (10, 20),
                "values": [1.0, 2.0, 3.0],
                "name": "PiecewiseConstant",
            },
            "registered_name": None,
        },
    ),
    (
        "PolynomialDecay",
        {"initial_learning_rate": 0.1, "decay_steps": 100},
        {
            "module": M,
            "class_name": "PolynomialDecay",
            "config": {
                "initial_learning_rate": 0.1,
                "decay_steps": 100,
                "end_learning_rate": 0.0001,
                "power": 1.0,
                "cycle": False,
                "name": "PolynomialDecay",
            },
            "registered_name": None,
        },
    ),
    (
        "InverseTimeDecay",
        {
            "initial_learning_rate": 0.1,
            "decay_steps": 10,
            "decay_rate": 0.5,
            "staircase": True,
            "name": "itd",
        },
        {
            "module": M,
            "class_name": "InverseTimeDecay",
            "config": {
                "initial_learning_rate": 0.1,
                "decay_steps": 10,
                "decay_rate": 0.5,
                "staircase": True,
                "name": "itd",
            },
            "registered_name": None,
        },
    ),
    (
        "CosineDecay",
        {"initial_learning_rate": 0.1, "decay_steps": 100},
        {
            "module": M,
            "class_name": "CosineDecay",
            "config": {
                "initial_learning_rate": 0.1,
                "decay_steps": 100,
                "alpha": 0.0,
                "name": "CosineDecay",
                "warmup_target": None,
                "warmup_steps": 0,
            },
            "registered_name": None,
        },
    ),
    (
        "CosineDecay",
        {
            "initial_learning_rate": 0.0,
            "decay_steps": 1000,
            "alpha": 0.1,
            "warmup_target": 0.5,
            "warmup_steps": 100,
        },
        {
            "module": M,
            "class_name": "CosineDecay",
            "config": {
                "initial_learning_rate": 0.0,
                "decay_steps": 1000,
                "alpha": 0.1,
                "name": "CosineDecay",
                "warmup_target": 0.5,
                "warmup_steps": 100,
            },
            "registered_name": None,
        },
    ),
    (
        "CosineDecayRestarts",
        {"initial_learning_rate": 0.1, "first_decay_steps": 100},
        {
            "module": M,
            "class_name": "CosineDecayRestarts",
            "config": {
                "initial_learning_rate": 0.1,
                "first_decay_steps": 100,
                "t_mul": 2.0,
                "m_mul": 1.0,
                "alpha": 0.0,
                "name": "SGDRDecay",
            },
            "registered_name": None,
        },
    ),
]
GOLDEN_IDS = [f"{name}-{i}" for i, (name, _, _) in enumerate(GOLDEN)]

# tf.keras (Keras 2) wrote {"class_name", "config"}, with name=None by default.
LEGACY: list[tuple[dict[str, Any], Any]] = [
    (
        {
            "class_name": "ExponentialDecay",
            "config": {
                "initial_learning_rate": 0.1,
                "decay_steps": 10,
                "decay_rate": 0.96,
                "staircase": False,
                "name": None,
            },
        },
        ExponentialDecay(0.1, 10, 0.96, name=None),
    ),
    (
        {
            "class_name": "PiecewiseConstantDecay",
            "config": {"boundaries": [100, 200], "values": [0.1, 0.01, 0.001], "name": None},
        },
        PiecewiseConstantDecay([100, 200], [0.1, 0.01, 0.001], name=None),
    ),
    (
        {
            "class_name": "PolynomialDecay",
            "config": {
                "initial_learning_rate": 0.1,
                "decay_steps": 100,
                "end_learning_rate": 0.0001,
                "power": 1.0,
                "cycle": False,
                "name": None,
            },
        },
        PolynomialDecay(0.1, 100, name=None),
    ),
    (
        {
            "class_name": "InverseTimeDecay",
            "config": {
                "initial_learning_rate": 0.1,
                "decay_steps": 10,
                "decay_rate": 0.5,
                "staircase": True,
                "name": None,
            },
        },
        InverseTimeDecay(0.1, 10, 0.5, staircase=True, name=None),
    ),
    (
        # tf.keras before 2.13 had no warmup arguments: the defaults apply.
        {
            "class_name": "CosineDecay",
            "config": {
                "initial_learning_rate": 0.1,
                "decay_steps": 100,
                "alpha": 0.0,
                "name": None,
            },
        },
        CosineDecay(0.1, 100, name=None),
    ),
    (
        {
            "class_name": "CosineDecayRestarts",
            "config": {
                "initial_learning_rate": 0.1,
                "first_decay_steps": 100,
                "t_mul": 2.0,
                "m_mul": 1.0,
                "alpha": 0.0,
                "name": None,
            },
        },
        CosineDecayRestarts(0.1, 100, name=None),
    ),
]


@pytest.mark.parametrize(("name", "kwargs", "golden"), GOLDEN, ids=GOLDEN_IDS)
def test_serialize_writes_the_golden_dict(
    name: str, kwargs: dict[str, Any], golden: dict[str, Any]
) -> None:
    document = serialize(getattr(lrschedule, name)(**kwargs))
    assert document == golden
    assert list(document) == ["module", "class_name", "config", "registered_name"]
    assert list(document["config"]) == list(golden["config"])
    assert [type(v) for v in document["config"].values()] == [
        type(v) for v in golden["config"].values()
    ]


@pytest.mark.parametrize(("name", "kwargs", "golden"), GOLDEN, ids=GOLDEN_IDS)
def test_golden_dict_is_what_keras_writes(
    name: str, kwargs: dict[str, Any], golden: dict[str, Any]
) -> None:
    theirs = KS.serialize(getattr(KS, name)(**kwargs))
    assert theirs == golden
    assert list(theirs) == list(golden) and list(theirs["config"]) == list(golden["config"])


@pytest.mark.parametrize(("name", "kwargs", "golden"), GOLDEN, ids=GOLDEN_IDS)
def test_deserialize_reads_the_golden_dict(
    name: str, kwargs: dict[str, Any], golden: dict[str, Any]
) -> None:
    expected = getattr(lrschedule, name)(**kwargs)
    for document in (
        golden,
        json.dumps(golden),
        {k: v for k, v in golden.items() if k != "module"},
    ):
        revived = deserialize(document)
        assert type(revived) is type(expected) and revived == expected


@pytest.mark.parametrize(("document", "expected"), LEGACY, ids=[d["class_name"] for d, _ in LEGACY])
def test_deserialize_reads_the_tf_keras_form(document: dict[str, Any], expected: Any) -> None:
    assert deserialize(document) == expected
    assert deserialize(json.dumps(document)) == expected
    assert deserialize(document).get_config()["name"] is None


@pytest.mark.parametrize(("document", "expected"), LEGACY, ids=[d["class_name"] for d, _ in LEGACY])
def test_keras_reads_the_tf_keras_form_as_we_do(document: dict[str, Any], expected: Any) -> None:
    """The same legacy dicts give Keras 3 the same configuration (the defaults filled in)."""
    assert KS.deserialize(document).get_config() == expected.get_config()


def test_the_seed_example() -> None:
    """The documentation's schedule: serialized by us, read by Keras, and the other way."""
    ours = ExponentialDecay(0.1, decay_steps=100000, decay_rate=0.96, staircase=True)
    theirs = KS.deserialize(serialize(ours))
    assert isinstance(theirs, KS.ExponentialDecay)
    for step in (0, 99999, 100000, 250000):
        assert float(theirs(step)) == pytest.approx(ours(step), rel=RTOL)
    assert deserialize(KS.serialize(theirs)) == ours
    # Keras's generic entry point reads our dict too.
    assert isinstance(keras.saving.deserialize_keras_object(serialize(ours)), KS.ExponentialDecay)


# ----------------------------------------------------------------- random configs
def _log_uniform(rng: Any, low: float, high: float) -> float:
    return float(10 ** rng.uniform(math.log10(low), math.log10(high)))


def _steps_argument(rng: Any) -> int | float:
    """Mostly an int up to 1e5; sometimes a dyadic float (exact in float32)."""
    if rng.random() < 0.85:
        return round(_log_uniform(rng, 1, 1e5))
    return int(rng.integers(1, 400)) + float(rng.choice([0.25, 0.5, 0.75]))


def _name(rng: Any, kwargs: dict[str, Any], default: str) -> None:
    roll = rng.random()
    if roll >= 0.4:
        kwargs["name"] = default if roll < 0.6 else f"schedule_{int(rng.integers(0, 1000))}"


def _random_config(name: str, rng: Any) -> tuple[dict[str, Any], float, list[Fraction]]:
    """Constructor arguments (Python floats and ints), a step range where Keras's float32 is
    accurate, and the points near which Keras's float32 may switch a step early or late."""
    lr = _log_uniform(rng, 1e-4, 1.0)
    avoid: list[Fraction] = []
    kwargs: dict[str, Any]
    if name in ("ExponentialDecay", "InverseTimeDecay"):
        steps = _steps_argument(rng)
        if name == "ExponentialDecay":
            rate = (
                float(rng.uniform(0.05, 0.99))
                if rng.random() < 0.8
                else float(rng.uniform(1.01, 1.5))
            )
            # float32 rounds decay_rate: the power's relative error grows with the exponent.
            span = steps * min(100.0, 10.0 / abs(math.log(rate)))
        else:
            rate = _log_uniform(rng, 0.01, 10.0)
            span = STEP_LIMIT
        kwargs = {
            "initial_learning_rate": lr,
            "decay_steps": steps,
            "decay_rate": rate,
            "staircase": bool(rng.random() < 0.5),
        }
    elif name == "PiecewiseConstantDecay":
        count = int(rng.integers(1, 6))  # Keras fails on empty boundaries
        boundaries = sorted({int(b) for b in rng.integers(0, 10**5, size=count)})
        values = [_log_uniform(rng, 1e-4, 1.0) for _ in range(len(boundaries) + 1)]
        kwargs = {
            "boundaries": boundaries if rng.random() < 0.7 else tuple(boundaries),
            "values": values,
        }
        span = 2 * 10**5
    elif name == "PolynomialDecay":
        steps = _steps_argument(rng)
        kwargs = {"initial_learning_rate": lr, "decay_steps": steps}
        if rng.random() < 0.8:
            factor = (
                float(rng.uniform(0.0, 0.9)) if rng.random() < 0.8 else float(rng.uniform(1.1, 5.0))
            )
            kwargs["end_learning_rate"] = lr * factor
        if rng.random() < 0.8:
            kwargs["power"] = float(rng.uniform(0.2, 3.0))
        if rng.random() < 0.6:
            kwargs["cycle"] = bool(rng.random() < 0.5)
        span = steps * (20 if kwargs.get("cycle") else 2)
    elif name == "CosineDecay":
        steps = _steps_argument(rng)
        kwargs = {"initial_learning_rate": lr, "decay_steps": steps}
        if rng.random() < 0.7:
            kwargs["alpha"] = float(rng.uniform(0.0, 0.5))
        warmup: int | float = 0
        if rng.random() < 0.5:
            warmup = _steps_argument(rng)
            kwargs["warmup_target"] = lr * float(rng.uniform(1.0, 10.0))
            kwargs["warmup_steps"] = warmup
        span = (steps + warmup) * 1.5
    else:
        first = _steps_argument(rng)
        kwargs = {"initial_learning_rate": lr, "first_decay_steps": first}
        t_mul = 2.0
        if rng.random() < 0.7:
            t_mul = (
                float(rng.choice([1.0, 1.5, 2.0, 3.0]))
                if rng.random() < 0.5
                else float(rng.uniform(1.1, 3.0))
            )
            kwargs["t_mul"] = t_mul
        if rng.random() < 0.7:
            kwargs["m_mul"] = float(rng.uniform(0.5, 1.0))
        if rng.random() < 0.7:
            kwargs["alpha"] = float(rng.uniform(0.0, 0.5))
        # Keras's phase is step / first in float32: stay within 20 first cycles' worth.
        span = first * 20
        if t_mul != 1.0:  # Keras finds the restart with a float32 log: avoid the restarts
            start, length = Fraction(0), Fraction(first)
            while start <= span + 2:
                avoid.append(start)
                start, length = start + length, length * Fraction(t_mul)
    default = {
        "PiecewiseConstantDecay": "PiecewiseConstant",
        "CosineDecayRestarts": "SGDRDecay",
    }.get(name, name)
    _name(rng, kwargs, default)
    return kwargs, min(float(span), STEP_LIMIT), avoid


def _random_steps(rng: Any, span: float, avoid: list[Fraction], count: int = 10) -> list[int]:
    top = max(int(span), 1)
    steps = [0]
    for _ in range(100 * count):
        if len(steps) == count:
            break
        if rng.random() < 0.5:
            step = int(rng.integers(0, top + 1))
        else:
            step = int(10 ** rng.uniform(0, math.log10(top + 1)))
        margin = 1 + 1e-5 * step
        if all(abs(step - point) > margin for point in avoid):
            steps.append(step)
    return steps


def _scale(name: str, kwargs: dict[str, Any]) -> float:
    if name == "PiecewiseConstantDecay":
        return max(abs(v) for v in kwargs["values"])
    keys = ("initial_learning_rate", "end_learning_rate", "warmup_target")
    return max(abs(kwargs[k]) for k in keys if k in kwargs)


def _keras_value(schedule: Any, step: int) -> float:
    return float(np.asarray(schedule(step)))


def _check_values(
    name: str, kwargs: dict[str, Any], ours: Any, theirs: Any, steps: list[int]
) -> None:
    scale = _scale(name, kwargs)
    for step in steps:
        mine, keras_value = ours(step), _keras_value(theirs, step)
        assert abs(mine - keras_value) <= RTOL * abs(mine) + ATOL * scale, (
            f"{name}(**{kwargs!r}) at step {step}: lrschedule {mine!r}, Keras {keras_value!r}"
        )


@pytest.mark.parametrize("name", NAMES)
def test_keras_deserializes_what_we_serialize(name: str) -> None:
    rng = np.random.default_rng([3, NAMES.index(name)])
    for _ in range(CONFIGS_PER_CLASS):
        kwargs, span, avoid = _random_config(name, rng)
        ours = getattr(lrschedule, name)(**kwargs)
        document = serialize(ours)
        theirs = KS.deserialize(document)
        assert type(theirs) is getattr(KS, name)
        assert list(theirs.get_config().items()) == list(ours.get_config().items())
        from_json = KS.deserialize(json.loads(json.dumps(document)))
        assert json.dumps(from_json.get_config()) == json.dumps(ours.get_config())
        _check_values(name, kwargs, ours, theirs, _random_steps(rng, span, avoid))


@pytest.mark.parametrize("name", NAMES)
def test_we_deserialize_what_keras_serializes(name: str) -> None:
    rng = np.random.default_rng([4, NAMES.index(name)])
    for _ in range(CONFIGS_PER_CLASS):
        kwargs, span, avoid = _random_config(name, rng)
        theirs = getattr(KS, name)(**kwargs)
        expected = getattr(lrschedule, name)(**kwargs)
        document = KS.serialize(theirs)
        ours = deserialize(document)
        assert type(ours) is type(expected) and ours == expected
        assert list(ours.get_config().items()) == list(expected.get_config().items())
        from_json = deserialize(json.dumps(document))  # a tuple comes back as a list
        assert type(from_json) is type(expected) and from_json == expected
        assert json.dumps(from_json.get_config()) == json.dumps(expected.get_config())
        _check_values(name, kwargs, ours, theirs, _random_steps(rng, span, avoid))


def test_keras_quirks_we_reject() -> None:
    """Where Keras's deserialize is lax, ours raises (the differences the README lists)."""
    unknown = {"class_name": "NoSuchDecay", "config": {}}
    assert KS.deserialize(unknown) == "NoSuchDecay"  # Keras returns the name silently
    with pytest.raises(ValueError, match="Unknown schedule class_name='NoSuchDecay'"):
        deserialize(unknown)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        base = {"class_name": "LearningRateSchedule", "config": {}}
        assert isinstance(KS.deserialize(base), KS.LearningRateSchedule)  # the abstract base
    with pytest.raises(ValueError, match="abstract base class"):
        deserialize(base)
    other_module = {
        "module": "os",
        "class_name": "ExponentialDecay",
        "config": {"initial_learning_rate": 0.1, "decay_steps": 10, "decay_rate": 0.5},
    }
    assert isinstance(KS.deserialize(other_module), KS.ExponentialDecay)  # module ignored
    with pytest.raises(ValueError, match="Refusing module='os'"):
        deserialize(other_module)
