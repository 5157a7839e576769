"""serialize / deserialize: the envelope, round trips, registration, nesting, and safety.

The Keras side (golden dicts, the live Keras in both directions) is in
``test_serialization_keras.py``; files in ``test_serialization_files.py``.
"""

from __future__ import annotations

import builtins
import contextlib
import copy
import doctest
import importlib
import inspect
import json
import math
import re
import sys
import warnings
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

import lrschedule
from lrschedule import (
    CosineDecay,
    CosineDecayRestarts,
    ExponentialDecay,
    InverseTimeDecay,
    LearningRateSchedule,
    PiecewiseConstantDecay,
    PolynomialDecay,
    deserialize,
    register,
    serialize,
)
from lrschedule.core import registry as _registry
from lrschedule.schedules.arguments import rate, schedule_name
from lrschedule.schedules.base import Schedule
from lrschedule.serialization import MAX_DEPTH, MAX_NESTING

KERAS_MODULE = "keras.optimizers.schedules"
ENVELOPE_KEYS = ["module", "class_name", "config", "registered_name"]
KERAS_CLASSES: list[type[Any]] = [
    ExponentialDecay,
    PiecewiseConstantDecay,
    PolynomialDecay,
    InverseTimeDecay,
    CosineDecay,
    CosineDecayRestarts,
]
STEPS = [0, 1, 2, 3, 7, 10, 99, 100, 101, 1000, 12345, 10**6, 10**9, 10**12, 2**53 + 1]


# ----------------------------------------------------------------- user classes
@register
class Halving(LearningRateSchedule):
    """A user schedule written the Keras way (registered with the default package)."""

    def __init__(self, initial_learning_rate: float, period: int = 10) -> None:
        self.initial_learning_rate = initial_learning_rate
        self.period = period

    def __call__(self, step: Any) -> Any:
        return self.initial_learning_rate * 0.5 ** (step // self.period)

    def get_config(self) -> dict[str, Any]:
        return {"initial_learning_rate": self.initial_learning_rate, "period": self.period}


@register(package="tests", name="Scaled")
class ScaledSchedule(LearningRateSchedule):
    """A composite: its child is written as a nested envelope, read back by ``deserialize``."""

    def __init__(self, schedule: Any, factor: float = 1.0) -> None:
        self.schedule = deserialize(schedule)
        self.factor = factor

    def __call__(self, step: Any) -> Any:
        return self.factor * self.schedule(step)

    def get_config(self) -> dict[str, Any]:
        return {"schedule": serialize(self.schedule), "factor": self.factor}


@register(package="tests")
class Holder(LearningRateSchedule):
    """Returns its children as objects from get_config; serialize must nest them."""

    def __init__(self, children: Any, extra: Any = None) -> None:
        self.children = [deserialize(child) for child in children]
        self.extra = extra

    def __call__(self, step: Any) -> Any:
        return sum(child(step) for child in self.children)

    def get_config(self) -> dict[str, Any]:
        return {"children": tuple(self.children), "extra": self.extra}


@register(package="tests")
class Bag(LearningRateSchedule):
    """Any keyword arguments; its config is whatever it was given."""

    def __init__(self, **config: Any) -> None:
        self.config = config

    def __call__(self, step: Any) -> Any:
        return 0.0

    def get_config(self) -> dict[str, Any]:
        return dict(self.config)


class Unregistered(LearningRateSchedule):
    def __init__(self, rate: float = 0.1) -> None:
        self.rate = rate

    def __call__(self, step: Any) -> Any:
        return self.rate

    def get_config(self) -> dict[str, Any]:
        return {"rate": self.rate}


@pytest.fixture
def clean_registry(monkeypatch: pytest.MonkeyPatch) -> None:
    """Registrations made by a test are undone after it."""
    monkeypatch.setattr(_registry, "_USER", dict(_registry._USER))
    monkeypatch.setattr(_registry, "_USER_NAMES", dict(_registry._USER_NAMES))
    monkeypatch.setattr(_registry, "_LIBRARY", dict(_registry._LIBRARY))


def _quiet(factory: Any, *args: Any, **kwargs: Any) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return factory(*args, **kwargs)


def _outcome(schedule: Any, step: int) -> tuple[str, str]:
    """The value at ``step`` as exact text (or the error type), for bit-exact comparison."""
    try:
        value = schedule(step)
    except (ValueError, TypeError, OverflowError) as error:
        return ("error", type(error).__name__)
    return ("value", float(value).hex())


def _same_config_values(a: Any, b: Any) -> bool:
    """Equal, bit for bit for floats, int vs float kept; lists and tuples alike."""
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(_same_config_values(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return list(a) == list(b) and all(_same_config_values(a[k], b[k]) for k in a)
    if type(a) is not type(b):
        return False
    if isinstance(a, float):
        return a.hex() == b.hex()
    return bool(a == b)


# ------------------------------------------------------------------ strategies
FINITE = st.floats(allow_nan=False, allow_infinity=False)
REAL = st.one_of(st.integers(-(10**30), 10**30), FINITE)
POSITIVE = st.one_of(
    st.integers(1, 10**30), st.floats(min_value=5e-324, allow_nan=False, allow_infinity=False)
)
NON_NEGATIVE = st.one_of(
    st.integers(0, 10**30), st.floats(min_value=0.0, allow_nan=False, allow_infinity=False)
)
# A fractional number of steps is 0 or at least 2**-126 (the smallest normal float32).
STEP_LENGTH = st.one_of(
    st.integers(1, 10**30),
    st.floats(min_value=2.0**-126, allow_nan=False, allow_infinity=False),
)
STEPS_OR_ZERO = st.one_of(st.just(0.0), STEP_LENGTH)
NAME = st.one_of(st.none(), st.text(max_size=20))


@st.composite
def piecewise_kwargs(draw: Any) -> dict[str, Any]:
    points = draw(st.lists(REAL, max_size=6, unique_by=float))
    boundaries: list[Any] = sorted(points, key=float)
    values = draw(st.lists(REAL, min_size=len(boundaries) + 1, max_size=len(boundaries) + 1))
    if draw(st.booleans()):
        boundaries = tuple(boundaries)  # type: ignore[assignment]
    if draw(st.booleans()):
        values = tuple(values)  # type: ignore[assignment]
    return {"boundaries": boundaries, "values": values, "name": draw(NAME)}


CONFIGS: dict[type[Any], Any] = {
    ExponentialDecay: st.fixed_dictionaries(
        {
            "initial_learning_rate": REAL,
            "decay_steps": STEP_LENGTH,
            "decay_rate": POSITIVE,
            "staircase": st.booleans(),
            "name": NAME,
        }
    ),
    PiecewiseConstantDecay: piecewise_kwargs(),
    PolynomialDecay: st.fixed_dictionaries(
        {
            "initial_learning_rate": REAL,
            "decay_steps": STEP_LENGTH,
            "end_learning_rate": REAL,
            "power": NON_NEGATIVE,
            "cycle": st.booleans(),
            "name": NAME,
        }
    ).filter(  # a rise or drop beyond the float range is refused (no finite rate)
        lambda c: math.isfinite(float(c["initial_learning_rate"]) - float(c["end_learning_rate"]))
    ),
    InverseTimeDecay: st.fixed_dictionaries(
        {
            "initial_learning_rate": REAL,
            "decay_steps": STEP_LENGTH,
            "decay_rate": NON_NEGATIVE,
            "staircase": st.booleans(),
            "name": NAME,
        }
    ),
    CosineDecay: st.fixed_dictionaries(
        {
            "initial_learning_rate": REAL,
            "decay_steps": STEP_LENGTH,
            "alpha": NON_NEGATIVE,
            "name": NAME,
            "warmup_target": st.one_of(st.none(), REAL),
            "warmup_steps": STEPS_OR_ZERO,
        }
    ),
    CosineDecayRestarts: st.fixed_dictionaries(
        {
            "initial_learning_rate": REAL,
            # Lengths and growth that keep the restart table small at the steps checked.
            "first_decay_steps": st.one_of(
                st.integers(1, 10**12), st.floats(min_value=0.5, max_value=1e12)
            ),
            "t_mul": st.one_of(
                st.just(1.0),
                st.just(2),
                st.floats(min_value=0.3, max_value=0.95),
                st.floats(min_value=1.05, max_value=4.0),
            ),
            "m_mul": NON_NEGATIVE,
            "alpha": NON_NEGATIVE,
            "name": NAME,
        }
    ),
}


# ------------------------------------------------------------------ round trips
@pytest.mark.parametrize("cls", KERAS_CLASSES, ids=lambda c: c.__name__)
@settings(suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_round_trip_through_json(cls: type[Any], data: Any) -> None:
    """object -> dict -> JSON -> dict -> object: equal, same config bits, same values."""
    kwargs = data.draw(CONFIGS[cls])
    schedule = _quiet(cls, **kwargs)
    config = schedule.get_config()
    json.dumps(config, allow_nan=False)  # get_config() is JSON-ready as is
    document = serialize(schedule)
    assert list(document) == ENVELOPE_KEYS
    assert document["module"] == KERAS_MODULE
    assert document["class_name"] == cls.__name__
    assert document["registered_name"] is None
    assert list(document["config"]) == list(config)
    text = json.dumps(document, allow_nan=False)
    for revived in (
        _quiet(deserialize, json.loads(text)),
        _quiet(deserialize, text),
        _quiet(deserialize, document),
    ):
        assert type(revived) is cls
        assert revived == schedule
        assert hash(revived) == hash(schedule)
        assert _same_config_values(revived.get_config(), config)
        for step in STEPS:
            assert _outcome(revived, step) == _outcome(schedule, step), step


@pytest.mark.parametrize("cls", KERAS_CLASSES, ids=lambda c: c.__name__)
def test_get_config_is_plain_json(cls: type[Any]) -> None:
    """get_config() goes through the standard json module unchanged, key order included."""
    for kwargs in _examples(cls):
        config = _quiet(cls, **kwargs).get_config()
        assert json.loads(json.dumps(config)) == _lists(config)
        assert list(json.loads(json.dumps(config))) == list(config)


def _lists(value: Any) -> Any:
    """``value`` as JSON reads it back: tuples become lists."""
    if isinstance(value, (list, tuple)):
        return [_lists(item) for item in value]
    if isinstance(value, dict):
        return {key: _lists(item) for key, item in value.items()}
    return value


def _examples(cls: type[Any]) -> list[dict[str, Any]]:
    name = cls.__name__
    if name == "PiecewiseConstantDecay":
        return [
            {"boundaries": (10, 20.5), "values": [1, 0.5, 0.25]},
            {"boundaries": [], "values": [2.0]},
        ]
    first = "first_decay_steps" if name == "CosineDecayRestarts" else "decay_steps"
    extra: dict[str, Any] = (
        {"decay_rate": 0.5} if name in ("ExponentialDecay", "InverseTimeDecay") else {}
    )
    return [
        {"initial_learning_rate": 0.1, first: 1000, **extra},
        {"initial_learning_rate": 3, first: 2.5, "name": None, **extra},
    ]


def test_numpy_scalars_become_python_numbers_and_tuples_stay() -> None:
    np = pytest.importorskip("numpy")
    schedule = Bag(
        a=np.float32(0.1),
        b=np.int64(7),
        c=np.bool_(True),
        d=(np.float64(1 / 3), [np.int8(-3)]),
        e={"x": np.uint16(5)},
        f=np.array(2.5),  # a 0-d array is a scalar too
    )
    config = serialize(schedule)["config"]
    assert config == {
        "a": float(np.float32(0.1)),
        "b": 7,
        "c": True,
        "d": (1 / 3, [-3]),
        "e": {"x": 5},
        "f": 2.5,
    }
    assert [type(config[k]) for k in "abcdf"] == [float, int, bool, tuple, float]
    assert type(config["d"][1][0]) is int and type(config["e"]["x"]) is int
    with pytest.raises(TypeError, match=r"config\['g'\].*ndarray"):
        serialize(Bag(g=np.array([1.0, 2.0])))


def test_serialize_rejects_values_json_cannot_hold(clean_registry: None) -> None:
    with pytest.raises(TypeError, match=r"value at config\['when'\].*complex"):
        serialize(Bag(when=1j))
    with pytest.raises(
        TypeError, match=r"keys of a dict in a config must be strings.*config\['table'\]"
    ):
        serialize(Bag(table={1: 2}))

    @register(package="tests-bad")
    class ListConfig(Halving):
        def get_config(self) -> Any:
            return [1]

    with pytest.raises(TypeError, match=r"get_config\(\) must return a dict"):
        serialize(ListConfig(0.1))


# ------------------------------------------------- every schedule of the library
def _docstring_examples(cls: type[Any]) -> list[Any]:
    """The schedules of exactly ``cls`` that its docstring example binds to names."""
    module = sys.modules[cls.__module__]
    test = doctest.DocTestParser().get_doctest(
        cls.__doc__ or "", dict(vars(module)), cls.__name__, None, 0
    )
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        runner.run(test, out=lambda text: None, clear_globs=False)
    return [value for value in test.globs.values() if type(value) is cls]


@pytest.mark.parametrize("name", _registry.library_names())
def test_every_library_schedule_round_trips(name: str, tmp_path: Path) -> None:
    """Every public schedule class of the package (composites and the wider family too),
    on the schedules its docstring example builds: a plain-JSON config, the right
    envelope, and the same schedule back through a dict, JSON text and both file formats."""
    cls = _registry.library_class(name)
    assert cls is not None
    schedules = _docstring_examples(cls)
    assert schedules, f"the docstring example of {name} should bind a {name} to a name"
    for schedule in schedules:
        config = schedule.get_config()
        assert json.loads(json.dumps(config)) == _lists(config)  # plain json, as is
        document = serialize(schedule)
        assert list(document) == ENVELOPE_KEYS and document["class_name"] == name
        if name in _registry.KERAS_CLASS_NAMES:
            assert (document["module"], document["registered_name"]) == (KERAS_MODULE, None)
        else:
            assert (document["module"], document["registered_name"]) == (
                "lrschedule",
                f"lrschedule>{name}",
            )
        revived = [deserialize(document), deserialize(json.dumps(document))]
        for suffix in (".json", ".toml"):
            path = tmp_path / f"{name}{suffix}"
            lrschedule.save(schedule, path)
            revived.append(lrschedule.load(path))
        for other in revived:
            assert type(other) is cls and other == schedule and hash(other) == hash(schedule)
            for step in STEPS:
                assert _outcome(other, step) == _outcome(schedule, step), (name, step)


# -------------------------------------------------------------- registration
def test_registered_user_class_envelope_and_round_trip() -> None:
    schedule = Halving(0.2, period=5)
    document = serialize(schedule)
    assert document == {
        "module": __name__,
        "class_name": "Halving",
        "config": {"initial_learning_rate": 0.2, "period": 5},
        "registered_name": "Custom>Halving",
    }
    assert list(document) == ENVELOPE_KEYS
    revived = deserialize(json.dumps(document))
    assert type(revived) is Halving and revived == schedule and revived(12) == schedule(12)


def test_register_with_package_and_name() -> None:
    document = serialize(ScaledSchedule(ExponentialDecay(0.1, 10, 0.5), factor=2.0))
    assert document["class_name"] == "ScaledSchedule"
    assert document["registered_name"] == "tests>Scaled"
    assert document["config"]["schedule"]["class_name"] == "ExponentialDecay"


def test_main_module_is_written_as_none(clean_registry: None) -> None:
    """As Keras does for a class defined in __main__ (a script or a notebook)."""
    cls = type("Script", (Halving,), {"__module__": "__main__"})
    register(package="nb")(cls)
    document = serialize(cls(0.1))
    assert document["module"] is None and document["registered_name"] == "nb>Script"
    assert deserialize(document) == cls(0.1)


def test_keras_style_document_of_a_registered_class(clean_registry: None) -> None:
    """Keras 3's measured output for a class registered in __main__ with package 'pkg'."""

    @register(package="pkg")
    class Reg(LearningRateSchedule):
        def __init__(self, lr: float) -> None:
            self.lr = lr

        def __call__(self, step: Any) -> Any:
            return self.lr

        def get_config(self) -> dict[str, Any]:
            return {"lr": self.lr}

    keras_document = {
        "module": None,
        "class_name": "Reg",
        "config": {"lr": 0.3},
        "registered_name": "pkg>Reg",
    }
    assert deserialize(keras_document) == Reg(0.3)


def test_unregistered_class_is_written_as_keras_writes_it() -> None:
    # The class name as registered_name, as Keras writes a class it does not know; it
    # reads back only through custom_objects (tests/test_custom_objects.py).
    assert serialize(Unregistered(0.5)) == {
        "module": __name__,
        "class_name": "Unregistered",
        "config": {"rate": 0.5},
        "registered_name": "Unregistered",
    }
    subclass = type("MyDecay", (ExponentialDecay,), {"__slots__": ()})
    assert serialize(subclass(0.1, 10, 0.5))["registered_name"] == "MyDecay"
    # A user's class named like one of the library's would read back as the library's.
    namesake = type("ExponentialDecay", (ExponentialDecay,), {"__slots__": ()})
    with pytest.raises(
        TypeError,
        match=r"ExponentialDecay: the class is not registered and has the name of lrschedule's",
    ):
        serialize(namesake(0.1, 10, 0.5))


def test_custom_objects_by_class_name_and_registered_name() -> None:
    document = {
        "module": __name__,
        "class_name": "Unregistered",
        "config": {"rate": 0.5},
        "registered_name": "Unregistered",
    }
    assert deserialize(document, custom_objects={"Unregistered": Unregistered}) == Unregistered(0.5)
    assert deserialize(
        json.dumps(document), custom_objects={"Unregistered": Unregistered}
    ) == Unregistered(0.5)
    renamed = {
        "class_name": "Unregistered",
        "config": {"rate": 0.5},
        "registered_name": "mine>Rate",
    }
    assert deserialize(renamed, custom_objects={"mine>Rate": Unregistered}) == Unregistered(0.5)
    with pytest.raises(
        ValueError, match=r"Unknown schedule class_name='Unregistered'.*custom_objects"
    ):
        deserialize(document)
    # custom_objects reach the schedules nested in a composite's config.
    nested = {
        "class_name": "ScaledSchedule",
        "registered_name": "tests>Scaled",
        "config": {"schedule": document, "factor": 3.0},
    }
    revived = deserialize(nested, custom_objects={"Unregistered": Unregistered})
    assert revived.schedule == Unregistered(0.5) and revived(0) == 1.5
    with pytest.raises(
        ValueError,
        match="Cannot deserialize ScaledSchedule: Unknown schedule class_name='Unregistered'",
    ):
        deserialize(nested)


def test_custom_objects_can_override_a_library_name() -> None:
    document = {"class_name": "ExponentialDecay", "config": {"rate": 0.25}}
    assert deserialize(document, custom_objects={"ExponentialDecay": Unregistered}) == Unregistered(
        0.25
    )


@pytest.mark.parametrize(
    ("custom_objects", "error", "message"),
    [
        ([("Unregistered", Unregistered)], TypeError, "`custom_objects` must be a mapping"),
        ({1: Unregistered}, TypeError, "keys of `custom_objects` must be strings"),
        (
            {"x": print},
            TypeError,
            r"values of `custom_objects` must be subclasses.*custom_objects\['x'\]",
        ),
        ({"x": dict}, TypeError, "values of `custom_objects` must be subclasses"),
        ({"x": LearningRateSchedule()}, TypeError, "values of `custom_objects` must be subclasses"),
    ],
)
def test_bad_custom_objects(custom_objects: Any, error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        deserialize({"class_name": "ExponentialDecay", "config": {}}, custom_objects=custom_objects)


def test_register_usage_errors(clean_registry: None) -> None:
    with pytest.raises(TypeError, match=r"takes a subclass.*register\(package='mypkg'\)"):
        register("mypkg")  # type: ignore[call-overload]
    with pytest.raises(TypeError, match="takes a subclass of lrschedule.LearningRateSchedule"):
        register(dict)  # type: ignore[type-var]
    with pytest.raises(
        ValueError, match="`package` of `register` must be a non-empty string without '>'"
    ):
        register(package="a>b")
    with pytest.raises(ValueError, match="`name` of `register` must be a non-empty string"):
        register(name="")
    with pytest.raises(TypeError, match="`package` of `register` must be a string"):
        register(package=3)  # type: ignore[call-overload]
    with pytest.raises(TypeError, match=r"must override `get_config\(\)`"):

        @register
        class NoConfig(LearningRateSchedule):
            pass

    with pytest.raises(ValueError, match="ExponentialDecay is one of lrschedule's schedules"):
        register(ExponentialDecay)


def test_register_name_clash_and_rerun(clean_registry: None) -> None:
    def make() -> type[Any]:
        class Clash(Halving):
            pass

        return Clash

    first, again = make(), make()  # the same class statement run twice (a re-run cell)
    register(package="clash")(first)
    register(package="clash")(again)
    assert (
        deserialize(
            {
                "class_name": "Clash",
                "config": {"initial_learning_rate": 1.0},
                "registered_name": "clash>Clash",
            }
        ).__class__
        is again
    )
    other = type("Clash", (Halving,), {"__module__": "elsewhere"})
    with pytest.raises(
        ValueError, match="'clash>Clash' is already registered for .*make.<locals>.Clash"
    ):
        register(package="clash")(other)


def test_library_classes_register_themselves(clean_registry: None) -> None:
    """Any public Schedule subclass in the lrschedule package is known by name."""

    class Probe(Schedule):
        __module__ = "lrschedule._probe"
        rate: float = rate()
        name: str | None = schedule_name(default="Probe")

        def __call__(self, step: Any) -> Any:
            return self.rate

        def _compute(self, x: Any, ops: Any) -> Any:
            return ops.to_float(x) * 0.0 + self.rate

    class _Private(Schedule):
        __module__ = "lrschedule._probe"
        value: float = rate()

    document = serialize(Probe(0.5))
    assert document == {
        "module": "lrschedule",
        "class_name": "Probe",
        "config": {"rate": 0.5, "name": "Probe"},
        "registered_name": "lrschedule>Probe",
    }
    assert deserialize(json.dumps(document)) == Probe(0.5)
    assert deserialize({"class_name": "Probe", "config": {"rate": 0.5}}) == Probe(0.5)
    assert "Probe" in _registry.library_names() and "_Private" not in _registry.library_names()
    with pytest.raises(TypeError, match="Two lrschedule classes are named 'Probe'"):
        type(
            "Probe",
            (Schedule,),
            {
                "__module__": "lrschedule._other",
                "__qualname__": "Probe",
                "rate": rate(),
                "_compute": Probe._compute,
            },
        )


# ------------------------------------------------------------------ nesting
def _chain(depth: int) -> Any:
    schedule: Any = ExponentialDecay(0.1, 10, 0.5)
    for _ in range(depth - 1):
        schedule = ScaledSchedule(schedule, 0.5)
    return schedule


def test_nested_schedules_round_trip() -> None:
    schedule = Holder(
        [
            ExponentialDecay(0.1, 10, 0.5),
            ScaledSchedule(PiecewiseConstantDecay([5], [1.0, 0.5]), 2.0),
        ],
        extra={"note": [1, (2, 3)]},
    )
    document = serialize(schedule)
    children = document["config"]["children"]
    assert isinstance(children, tuple) and [c["class_name"] for c in children] == [
        "ExponentialDecay",
        "ScaledSchedule",
    ]
    assert children[1]["config"]["schedule"]["registered_name"] is None
    revived = deserialize(json.dumps(document))
    assert [revived(s) for s in (0, 5, 6, 100)] == [schedule(s) for s in (0, 5, 6, 100)]
    assert json.dumps(serialize(revived)) == json.dumps(document)


def test_depth_limit_is_the_same_both_ways() -> None:
    deepest = _chain(MAX_DEPTH)
    document = serialize(deepest)
    assert deserialize(json.dumps(document))(3) == deepest(3)
    with pytest.raises(ValueError, match=f"nested more than {MAX_DEPTH} deep"):
        serialize(ScaledSchedule(deepest, 0.5))
    too_deep: dict[str, Any] = document
    too_deep = {
        "class_name": "ScaledSchedule",
        "registered_name": "tests>Scaled",
        "config": {"schedule": too_deep},
    }
    message = (
        "^Cannot deserialize ScaledSchedule > ScaledSchedule > ... > ScaledSchedule > ScaledSchedule "
        f"\\({MAX_DEPTH} levels\\): schedules are nested more than {MAX_DEPTH} deep.$"
    )
    with pytest.raises(ValueError, match=message):
        deserialize(too_deep)
    # The depth count is restored after a failure: the next call starts from zero again.
    assert deserialize(document) == deepest


def test_errors_in_nested_schedules_name_the_path() -> None:
    inner = _ed(decay_steps=0)
    outer = {
        "class_name": "ScaledSchedule",
        "registered_name": "tests>Scaled",
        "config": {"schedule": inner},
    }
    holder = {
        "class_name": "Holder",
        "registered_name": "tests>Holder",
        "config": {"children": [_ed(), outer]},
    }
    with pytest.raises(
        ValueError,
        match=r"^Cannot deserialize Holder > ScaledSchedule > ExponentialDecay: Argument `decay_steps` must be > 0. Received: decay_steps=0$",
    ):
        deserialize(holder)
    outer["config"]["schedule"] = _ed(rate=1)  # type: ignore[index]
    with pytest.raises(
        ValueError,
        match=r"^Cannot deserialize Holder > ScaledSchedule > ExponentialDecay: unexpected config key 'rate'",
    ):
        deserialize(holder)
    outer["config"]["schedule"] = _ed(staircase=1)  # type: ignore[index]
    with pytest.raises(
        TypeError,
        match=r"^Cannot deserialize Holder > ScaledSchedule > ExponentialDecay: Argument `staircase` must be a bool",
    ):
        deserialize(holder)


def test_self_referencing_config_is_refused() -> None:
    loop = Bag(rate=0.1)
    loop.config["again"] = loop
    with pytest.raises(ValueError, match=f"nested more than {MAX_DEPTH} deep"):
        serialize(loop)
    cycle: list[Any] = []
    cycle.append(cycle)
    with pytest.raises(ValueError, match=f"containers are nested more than {MAX_NESTING} deep"):
        serialize(Bag(cycle=cycle))


def _deep_list(depth: int) -> Any:
    value: Any = 1.0
    for _ in range(depth):
        value = [value]
    return value


def test_container_nesting_limit() -> None:
    ok = {
        "class_name": "Bag",
        "registered_name": "tests>Bag",
        "config": {"x": _deep_list(MAX_NESTING - 2)},
    }
    assert deserialize(ok).get_config()["x"] == ok["config"]["x"]  # type: ignore[index]
    for depth in (MAX_NESTING - 1, 10**5):
        deep = {
            "class_name": "Bag",
            "registered_name": "tests>Bag",
            "config": {"x": _deep_list(depth)},
        }
        with pytest.raises(ValueError, match=f"containers are nested more than {MAX_NESTING} deep"):
            deserialize(deep)
    with pytest.raises(ValueError, match=f"containers are nested more than {MAX_NESTING} deep"):
        serialize(Bag(x=_deep_list(MAX_NESTING)))


# --------------------------------------------------------------- rejections
def _ed(**config: Any) -> dict[str, Any]:
    base = {"initial_learning_rate": 0.1, "decay_steps": 10, "decay_rate": 0.5}
    return {
        "module": KERAS_MODULE,
        "class_name": "ExponentialDecay",
        "config": base | config,
        "registered_name": None,
    }


KNOWN = r"Known: lrschedule's schedules: (.*, )?CosineDecayRestarts, (.*, )?ExponentialDecay, .*Register your own class with @lrschedule.register"

REJECTED: list[Any] = [
    # unknown names: Keras returns the name as a string, we raise and list the known ones
    (
        {"class_name": "NoSuchDecay", "config": {}},
        ValueError,
        "Unknown schedule class_name='NoSuchDecay'. " + KNOWN,
    ),
    (
        {"class_name": "exponentialdecay", "config": {}},
        ValueError,
        "Unknown schedule class_name='exponentialdecay'",
    ),
    (
        {"class_name": "LearningRateSchedule", "config": {}},
        ValueError,
        "LearningRateSchedule is the abstract base class, not a schedule; it cannot be deserialized. "
        + KNOWN,
    ),
    (
        {"class_name": "Schedule", "config": {}},
        ValueError,
        "Unknown schedule class_name='Schedule'",
    ),
    (
        {"class_name": "serialize", "config": {}},
        ValueError,
        "Unknown schedule class_name='serialize'",
    ),
    (
        {"class_name": "deserialize", "config": {}},
        ValueError,
        "Unknown schedule class_name='deserialize'",
    ),
    (
        {"class_name": "os.system", "config": {}},
        ValueError,
        "Unknown schedule class_name='os.system'",
    ),
    (
        {"class_name": "__import__", "config": {"name": "os"}},
        ValueError,
        "Unknown schedule class_name='__import__'",
    ),
    (
        {
            "class_name": "ExponentialDecay",
            "config": {},
            "registered_name": "evil>ExponentialDecay",
        },
        ValueError,
        r"Unknown schedule class_name='ExponentialDecay' \(registered_name='evil>ExponentialDecay'\)",
    ),
    (
        {"class_name": "Halving", "config": {"initial_learning_rate": 1.0}},
        ValueError,
        "Unknown schedule class_name='Halving'.*registered: .*Custom>Halving",
    ),
    # modules: only ours, Keras's, or the class's own
    (
        _ed() | {"module": "os"},
        ValueError,
        r"Refusing module='os' for ExponentialDecay: lrschedule reads schedules of module 'keras.optimizers.schedules' or 'lrschedule' .*Nothing is imported",
    ),
    (_ed() | {"module": "keras.optimizers"}, ValueError, "Refusing module='keras.optimizers'"),
    (
        _ed() | {"module": "lrschedule.serialization"},
        ValueError,
        "Refusing module='lrschedule.serialization'",
    ),
    (_ed() | {"module": ""}, ValueError, "Refusing module=''"),
    # envelope structure
    ({"config": {}}, ValueError, r"needs a 'class_name' \(and a 'config'\)"),
    (
        {"class_name": "ExponentialDecay"},
        ValueError,
        "The serialized 'ExponentialDecay' has no 'config'",
    ),
    (_ed() | {"__class__": "x"}, ValueError, "unexpected key\\(s\\): '__class__'"),
    (
        _ed() | {"build_config": {}, "shared_object_id": 3},
        ValueError,
        "unexpected key\\(s\\): 'build_config', 'shared_object_id'",
    ),
    (
        {1: 2, "class_name": "ExponentialDecay", "config": {}},
        ValueError,
        "unexpected key\\(s\\): 1",
    ),
    (
        {"class_name": 3, "config": {}},
        TypeError,
        "'class_name' must be a string. Received: class_name=3 of type int",
    ),
    ({"class_name": None, "config": {}}, TypeError, "'class_name' must be a string"),
    (_ed() | {"module": 3}, TypeError, "'module' must be a string or None"),
    (_ed() | {"registered_name": ["x"]}, TypeError, "'registered_name' must be a string or None"),
    (
        {"class_name": "ExponentialDecay", "config": None},
        TypeError,
        "The 'config' of 'ExponentialDecay' must be a dict of constructor arguments. Received: None",
    ),
    (
        {"class_name": "ExponentialDecay", "config": [0.1, 10, 0.5]},
        TypeError,
        "must be a dict of constructor arguments",
    ),
    (
        {"class_name": "ExponentialDecay", "config": "{}"},
        TypeError,
        "must be a dict of constructor arguments",
    ),
    # config keys, checked against the constructor before it is called
    (
        _ed(foo=1),
        ValueError,
        r"Cannot deserialize ExponentialDecay: unexpected config key 'foo'. ExponentialDecay takes: initial_learning_rate, decay_steps, decay_rate, staircase, name\.",
    ),
    (_ed(__class__=1, __init__=2), ValueError, "unexpected config keys '__class__', '__init__'"),
    (
        {"class_name": "ExponentialDecay", "config": {"decay_steps": 10}},
        ValueError,
        "missing config keys 'initial_learning_rate', 'decay_rate'",
    ),
    (
        {"class_name": "CosineDecay", "config": {"decay_steps": 10, "lr": 1}},
        ValueError,
        "missing config key 'initial_learning_rate'; unexpected config key 'lr'",
    ),
    (
        {"class_name": "ExponentialDecay", "config": {1: 0.1}},
        TypeError,
        "config keys must be strings. Received: the key 1 of type int",
    ),
    # values: the constructors' own messages
    (
        _ed(decay_steps=0),
        ValueError,
        r"^Cannot deserialize ExponentialDecay: Argument `decay_steps` must be > 0. Received: decay_steps=0$",
    ),
    (
        _ed(decay_steps="10"),
        TypeError,
        "Cannot deserialize ExponentialDecay: Argument `decay_steps` must be a real number",
    ),
    (_ed(decay_rate=None), TypeError, "Argument `decay_rate` must be a real number"),
    (
        _ed(initial_learning_rate=float("nan")),
        ValueError,
        "Argument `initial_learning_rate` must be a finite number",
    ),
    (_ed(initial_learning_rate=float("inf")), ValueError, "must be a finite number"),
    (_ed(initial_learning_rate=10**400), ValueError, "must be a finite number"),
    (_ed(staircase="yes"), TypeError, "Argument `staircase` must be a bool"),
    (_ed(name=7), TypeError, "Argument `name` must be a string"),
    (
        _ed(initial_learning_rate={"class_name": "ExponentialDecay", "config": {}}),
        TypeError,
        "`initial_learning_rate` must be a real number",
    ),
    (
        {"class_name": "PiecewiseConstantDecay", "config": {"boundaries": [[1]], "values": [1, 2]}},
        TypeError,
        r"Argument `boundaries\[0\]` must be a real number",
    ),
    (
        {
            "class_name": "PiecewiseConstantDecay",
            "config": {"boundaries": [2, 1], "values": [1, 2, 3]},
        },
        ValueError,
        "must be strictly increasing",
    ),
    # the document itself
    (42, TypeError, "`deserialize` takes a dict .* Received: 42 of type int"),
    (None, TypeError, "Received: None of type NoneType"),
    (["ExponentialDecay"], TypeError, "of type list"),
    (b'{"class_name": "ExponentialDecay"}', TypeError, "of type bytes"),
    (LearningRateSchedule, TypeError, "of type type"),
    (
        "ExponentialDecay",
        ValueError,
        r"The string given to `deserialize` is not valid JSON: .*lrschedule.load\(path\)",
    ),
    ("", ValueError, "is not valid JSON"),
    ('{"class_name": "ExponentialDecay", ', ValueError, "is not valid JSON"),
    ("[1, 2]", ValueError, "must be a JSON object \\(a dict\\). Received JSON holding a list"),
    ('"ExponentialDecay"', ValueError, "Received JSON holding a str"),
    ("null", ValueError, "Received JSON holding a NoneType"),
    (
        '{"class_name": "ExponentialDecay", "config": {"initial_learning_rate": NaN}}',
        ValueError,
        "NaN is not a JSON number",
    ),
    (
        '{"class_name": "ExponentialDecay", "config": {"initial_learning_rate": -Infinity}}',
        ValueError,
        "-Infinity is not a JSON number",
    ),
    (
        '{"class_name": "ExponentialDecay", "class_name": "Other", "config": {}}',
        ValueError,
        "the key 'class_name' appears twice",
    ),
    ('{"a": ' + "9" * 5000 + "}", ValueError, "is not valid JSON"),
    ("[" * 200_000 + "]" * 200_000, ValueError, "nested too deeply to parse as JSON"),
]


@pytest.mark.parametrize(
    ("document", "error", "message"), REJECTED, ids=[f"{i}" for i in range(len(REJECTED))]
)
def test_rejected(document: Any, error: type[Exception], message: str) -> None:
    before = copy.deepcopy(document) if isinstance(document, dict) else None
    with pytest.raises(error, match=message):
        deserialize(document)
    if before is not None:
        assert repr(document) == repr(before)  # the input is not modified


def test_constructor_errors_are_chained() -> None:
    with pytest.raises(ValueError) as caught:
        deserialize(_ed(decay_steps=-1))
    assert type(caught.value) is ValueError and isinstance(caught.value.__cause__, ValueError)


def test_other_errors_while_building_become_value_errors(clean_registry: None) -> None:
    @register(package="tests-broken")
    class Broken(LearningRateSchedule):
        def __init__(self, kind: str) -> None:
            if kind == "zero":
                _ = 1 / 0
            if kind == "key":
                _ = {}["missing"]
            if kind == "recursion":
                self.__init__(kind)  # type: ignore[misc]
            self.kind = kind

        def __call__(self, step: Any) -> Any:
            return 0.0

        def get_config(self) -> dict[str, Any]:
            return {"kind": self.kind}

        @classmethod
        def from_config(cls, config: dict[str, Any]) -> Any:
            if config["kind"] == "not-a-schedule":
                return 3
            return cls(**config)

    def document(kind: str) -> dict[str, Any]:
        return {
            "class_name": "Broken",
            "registered_name": "tests-broken>Broken",
            "config": {"kind": kind},
        }

    with pytest.raises(
        ValueError, match="Cannot deserialize Broken: ZeroDivisionError: division by zero"
    ) as caught:
        deserialize(document("zero"))
    assert isinstance(caught.value.__cause__, ZeroDivisionError)
    with pytest.raises(ValueError, match="Cannot deserialize Broken: KeyError"):
        deserialize(document("key"))
    with pytest.raises(
        ValueError, match="Cannot deserialize Broken: the config is nested too deeply"
    ):
        deserialize(document("recursion"))
    with pytest.raises(
        TypeError, match=r"Broken.from_config returned 3 of type int, not a schedule"
    ):
        deserialize(document("not-a-schedule"))


class _Declared:
    """One argument of a declaration: what ``cls.__arguments__`` holds."""

    def __init__(self, name: str, required: bool) -> None:
        self.name = name
        self.required = required


def test_config_keys_follow_a_declaration_when_the_class_has_one(clean_registry: None) -> None:
    """``__arguments__`` names the keys; a subclass with its own ``__init__`` is read by signature."""

    @register(package="tests-declared")
    class Declared(LearningRateSchedule):
        __arguments__ = (_Declared("rate", True), _Declared("floor", False))

        def __init__(self, **config: Any) -> None:  # the signature alone accepts any key
            self.config = config

        def __call__(self, step: Any) -> Any:
            return self.config["rate"]

        def get_config(self) -> dict[str, Any]:
            return dict(self.config)

    @register(package="tests-declared")
    class Inherits(Declared):
        pass

    @register(package="tests-declared")
    class OwnInit(Declared):
        def __init__(self, rate: float, extra: int = 1) -> None:
            super().__init__(rate=rate, extra=extra)

    @register(package="tests-declared")
    class OwnInitHoldingTheDeclaration(OwnInit):
        __arguments__ = Declared.__arguments__  # inherited, held by the subclass itself

        def __init__(self, rate: float, extra: int = 1) -> None:
            super().__init__(rate=rate, extra=extra)

    def document(cls: type[Any], **config: Any) -> dict[str, Any]:
        name = cls.__name__
        return {"class_name": name, "registered_name": f"tests-declared>{name}", "config": config}

    assert deserialize(document(Declared, rate=0.5)).get_config() == {"rate": 0.5}
    assert deserialize(document(Declared, rate=0.5, floor=0.1))(3) == 0.5
    for cls in (Declared, Inherits):
        with pytest.raises(
            ValueError,
            match=re.escape(
                f"Cannot deserialize {cls.__name__}: missing config key 'rate'; unexpected "
                f"config key 'extra'. {cls.__name__} takes: rate, floor."
            ),
        ):
            deserialize(document(cls, extra=1))
    for cls in (OwnInit, OwnInitHoldingTheDeclaration):
        assert deserialize(document(cls, rate=0.5, extra=2)).get_config() == {
            "rate": 0.5,
            "extra": 2,
        }
        with pytest.raises(
            ValueError,
            match=re.escape(
                f"Cannot deserialize {cls.__name__}: unexpected config key 'floor'. "
                f"{cls.__name__} takes: rate, extra."
            ),
        ):
            deserialize(document(cls, rate=0.5, floor=0.1))


def test_subclass_of_a_library_schedule_with_its_own_init(clean_registry: None) -> None:
    """Its config keys are its constructor's, not those of the schedule it extends."""

    @register(package="tests-subclass")
    class Shifted(CosineDecay):
        def __init__(self, initial_learning_rate: float, decay_steps: int, shift: int = 0) -> None:
            super().__init__(initial_learning_rate, decay_steps)
            self.shift = shift

        def get_config(self) -> dict[str, Any]:
            return {
                "initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps,
                "shift": self.shift,
            }

    document = serialize(Shifted(0.1, 100, shift=3))
    assert document["config"] == {"initial_learning_rate": 0.1, "decay_steps": 100, "shift": 3}
    back = deserialize(document)
    assert type(back) is Shifted
    assert back.get_config() == {"initial_learning_rate": 0.1, "decay_steps": 100, "shift": 3}
    document["config"]["alpha"] = 0.5
    with pytest.raises(
        ValueError,
        match=re.escape(
            "Cannot deserialize Shifted: unexpected config key 'alpha'. "
            "Shifted takes: initial_learning_rate, decay_steps, shift."
        ),
    ):
        deserialize(document)


def test_module_may_be_absent_none_ours_keras_or_the_classes_own() -> None:
    expected = ExponentialDecay(0.1, 10, 0.5)
    for module in (None, KERAS_MODULE, "lrschedule", ExponentialDecay.__module__):
        assert deserialize(_ed() | {"module": module}) == expected
    legacy = _ed()
    del legacy["module"], legacy["registered_name"]
    assert deserialize(legacy) == expected
    for registered in (None, "ExponentialDecay", "lrschedule>ExponentialDecay"):
        assert deserialize(_ed() | {"registered_name": registered}) == expected
    halving = serialize(Halving(0.1))
    assert deserialize(halving | {"module": KERAS_MODULE}) == Halving(0.1)
    with pytest.raises(
        ValueError,
        match=f"Refusing module='somewhere.else' for Halving.*module of the registered class, '{__name__}'",
    ):
        deserialize(halving | {"module": "somewhere.else"})


def test_already_built_schedule_is_returned_as_is() -> None:
    schedule = ExponentialDecay(0.1, 10, 0.5)
    assert deserialize(schedule) is schedule
    unregistered = Unregistered()  # built schedules need no registration
    assert deserialize(unregistered, custom_objects={}) is unregistered


def test_nothing_is_imported(monkeypatch: pytest.MonkeyPatch) -> None:
    """Deserializing documents (valid, or naming other modules) imports nothing at all."""
    documents: list[Any] = [
        _ed(),
        json.dumps(_ed()),
        serialize(ScaledSchedule(Halving(0.1), 2.0)),
        {"module": "subprocess", "class_name": "Popen", "config": {"args": ["true"]}},
        {
            "module": "lrschedule_plugin_that_does_not_exist",
            "class_name": "ExponentialDecay",
            "config": {},
        },
        {
            "module": "os",
            "class_name": "system",
            "config": {"command": "true"},
            "registered_name": "os>system",
        },
    ]
    for document in documents[:3]:  # warm every cache first
        deserialize(document)

    attempted: list[Any] = []
    real_import, real_import_module = builtins.__import__, importlib.import_module

    def recording_import(name: str, *args: Any, **kwargs: Any) -> Any:
        attempted.append(name)
        return real_import(name, *args, **kwargs)

    def recording_import_module(name: str, *args: Any, **kwargs: Any) -> Any:
        attempted.append(name)
        return real_import_module(name, *args, **kwargs)

    monkeypatch.setattr(importlib, "import_module", recording_import_module)
    monkeypatch.setattr(builtins, "__import__", recording_import)  # last: setattr imports
    try:
        for document in documents:
            with contextlib.suppress(ValueError, TypeError):
                deserialize(document)
    finally:
        monkeypatch.undo()
    assert attempted == []
    assert "lrschedule_plugin_that_does_not_exist" not in sys.modules


# ------------------------------------------------------------------ fuzzing
def _json_like(leaves: Any) -> Any:
    return st.recursive(
        leaves,
        lambda children: st.one_of(
            st.lists(children, max_size=4),
            st.lists(children, max_size=3).map(tuple),
            st.dictionaries(KEYS, children, max_size=5),
        ),
        max_leaves=25,
    )


CLASS_NAMES = st.sampled_from(
    [
        *(c.__name__ for c in KERAS_CLASSES),
        "LearningRateSchedule",
        "Schedule",
        "serialize",
        "deserialize",
        "Halving",
        "ScaledSchedule",
        "Holder",
        "Bag",
        "__class__",
        "os.system",
        "",
    ]
)
KEYS = st.one_of(
    st.sampled_from(
        [
            *ENVELOPE_KEYS,
            "initial_learning_rate",
            "decay_steps",
            "first_decay_steps",
            "decay_rate",
            "boundaries",
            "values",
            "name",
            "warmup_target",
            "warmup_steps",
            "schedule",
            "children",
            "__class__",
            "__init__",
        ]
    ),
    st.text(max_size=8),
)
LEAVES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.sampled_from([10**400, -(2**4000), 0, -1, 2**63]),
    st.floats(),  # NaN and infinities included
    st.text(max_size=10),
    CLASS_NAMES,
)
VALUES = _json_like(LEAVES)
REGISTERED = st.one_of(
    st.none(),
    st.sampled_from(
        [
            "Custom>Halving",
            "tests>Scaled",
            "tests>Holder",
            "tests>Bag",
            "lrschedule>ExponentialDecay",
            "x>y",
        ]
    ),
    st.text(max_size=6),
)
MODULES = st.one_of(
    st.none(),
    st.sampled_from([KERAS_MODULE, "lrschedule", "os", __name__, "builtins"]),
    st.text(max_size=6),
)


PARAMETERS: dict[str, list[str]] = {
    cls.__name__: list(inspect.signature(cls).parameters)
    for cls in [*KERAS_CLASSES, Halving, ScaledSchedule, Holder]
}
REGISTERED_AS = {
    "Halving": "Custom>Halving",
    "ScaledSchedule": "tests>Scaled",
    "Holder": "tests>Holder",
    "Bag": "tests>Bag",
}
PLAUSIBLE = st.one_of(
    st.floats(min_value=0.001, max_value=100.0),
    st.integers(1, 1000),
    st.booleans(),
    st.none(),
    st.lists(st.integers(0, 100), max_size=4),
    st.lists(st.floats(0.0, 1.0), max_size=5),
    st.text(max_size=5),
)


@st.composite
def envelopes(draw: Any, depth: int = 0) -> Any:
    """Documents that look like schedules: mostly known names with plausible or odd configs."""

    def one_in(n: int) -> bool:
        return draw(st.integers(0, n - 1)) == 0

    document: dict[Any, Any] = {}
    if not one_in(20):
        document["class_name"] = draw(LEAVES) if one_in(10) else draw(CLASS_NAMES)
    name = document.get("class_name")
    if not one_in(20):
        if one_in(10):
            document["config"] = draw(VALUES)
        elif name in PARAMETERS and not one_in(3):
            # Every argument, mostly plausible: these reach the constructors' checks.
            document["config"] = {
                key: draw(PLAUSIBLE if not one_in(8) else VALUES)
                for key in PARAMETERS[name]
                if not one_in(8)
            }
        else:
            params = PARAMETERS.get(name, []) if isinstance(name, str) else []
            keys = st.sampled_from(params) if params and not one_in(5) else KEYS
            leaves = st.one_of(PLAUSIBLE, VALUES)
            values = st.one_of(leaves, envelopes(depth + 1)) if depth < 2 else leaves
            if name == "Holder" and depth < 2:
                values = st.one_of(values, st.lists(envelopes(depth + 1), max_size=3))
            document["config"] = draw(st.dictionaries(keys, values, max_size=7))
    if draw(st.booleans()):
        choices = [KERAS_MODULE, "lrschedule", None, __name__]
        document["module"] = draw(
            st.one_of(MODULES, LEAVES) if one_in(4) else st.sampled_from(choices)
        )
    if draw(st.booleans()) or name in REGISTERED_AS:
        right = REGISTERED_AS.get(name) if isinstance(name, str) else None
        document["registered_name"] = draw(st.one_of(REGISTERED, LEAVES)) if one_in(5) else right
    if one_in(15):
        document[draw(KEYS)] = draw(VALUES)
    return document


def _only_documented_errors(document: Any) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            result = deserialize(document)
        except (ValueError, TypeError) as error:
            event(f"{type(error).__name__}: {str(error)[:24]}")
            return
    event(f"built {type(result).__name__}")
    assert isinstance(result, LearningRateSchedule)


@given(VALUES)
def test_fuzz_arbitrary_json_like_values(document: Any) -> None:
    _only_documented_errors(document)


@given(envelopes())
def test_fuzz_envelopes(document: Any) -> None:
    _only_documented_errors(document)
    try:
        text = json.dumps(document)
    except (ValueError, TypeError):
        return
    _only_documented_errors(text)


@given(
    st.one_of(st.text(), st.text(alphabet='{}[]":,0123456789.eE-+ntrufalsNIiy \\u', max_size=60))
)
def test_fuzz_text(text: str) -> None:
    _only_documented_errors(text)


@pytest.mark.parametrize(
    "config",
    [
        {"initial_learning_rate": _deep_list(10**5), "decay_steps": 10, "decay_rate": 0.5},
        {"initial_learning_rate": 0.1, "decay_steps": 2**100000, "decay_rate": 0.5},
        {"initial_learning_rate": 0.1, "decay_steps": 10, "decay_rate": float("nan")},
        {"initial_learning_rate": "0.1" * 100000, "decay_steps": 10, "decay_rate": 0.5},
    ],
    ids=["deep-list", "huge-int", "nan", "long-string"],
)
def test_adversarial_values(config: dict[str, Any]) -> None:
    with pytest.raises((ValueError, TypeError)) as caught:
        deserialize({"class_name": "ExponentialDecay", "config": config})
    assert len(str(caught.value)) < 2000  # messages stay short, whatever the input


def test_adversarial_documents_deep_and_wide() -> None:
    deep: Any = {"class_name": "ExponentialDecay", "config": {}}
    for _ in range(10**5):
        deep = {
            "class_name": "ScaledSchedule",
            "registered_name": "tests>Scaled",
            "config": {"schedule": deep},
        }
    with pytest.raises(ValueError, match="nested more than"):
        deserialize(deep)
    with pytest.raises(ValueError, match="nested more than"):
        deserialize(json.dumps({"class_name": "Bag", "config": {"x": _deep_list(300)}}))
    wide = {
        "class_name": "PiecewiseConstantDecay",
        "config": {"boundaries": list(range(10**5)), "values": [0.5] * (10**5 + 1)},
    }
    assert deserialize(wide)(10**6) == 0.5
    many_keys = _ed(**{f"k{i}": i for i in range(10**4)})
    with pytest.raises(ValueError, match=r"unexpected config keys 'k0', .*\(10000 in all\)"):
        deserialize(many_keys)


def test_public_api() -> None:
    for name in ("serialize", "deserialize", "register", "save", "load"):
        assert name in lrschedule.__all__
        assert getattr(lrschedule, name) is getattr(lrschedule.serialization, name)
    assert math.isfinite(MAX_DEPTH) and MAX_DEPTH == 32 and MAX_NESTING == 100
