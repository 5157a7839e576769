"""Parity of lrschedule with Keras 3's ``keras.optimizers.schedules``, and exactness.

Three groups of tests:

a. Keras's own upstream unit tests (``learning_rate_schedule_test.py``), ported to our API,
   with the expected values computed the way Keras's tests compute them.
b. Keras as a float64 oracle (TensorFlow backend, every float argument passed as
   ``np.float64``): >= 500 random configurations per class, at step 0, at the steps around
   every switch (staircase, cycle, restart, piecewise boundary) and at random steps up to
   1e11. Where Keras float64 itself is wrong (a misplaced restart or floor), we must equal
   the exact value instead.
c. Exactness against the independent mpmath references in ``tests/reference.py`` at steps
   up to 2**62, plus the documented cases where Keras (float32 by default) is wrong.
"""

from __future__ import annotations

import math
import os
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import pytest

from lrschedule import (
    CosineDecay,
    CosineDecayRestarts,
    ExponentialDecay,
    InverseTimeDecay,
    PiecewiseConstantDecay,
    PolynomialDecay,
)

np = pytest.importorskip("numpy")
mpmath = pytest.importorskip("mpmath")
keras = pytest.importorskip("keras")

import reference as ref  # noqa: E402

KS = keras.optimizers.schedules

EPS = 2.2e-16
#: Our tolerance against the exact value: a few ulp.
ULPS = 4
#: Relative tolerance against Keras float64 (plus the phase allowance, see `_allowance`).
KERAS64_RTOL = 1e-7

OURS: dict[str, Callable[..., Any]] = {
    "ExponentialDecay": ExponentialDecay,
    "PiecewiseConstantDecay": PiecewiseConstantDecay,
    "PolynomialDecay": PolynomialDecay,
    "InverseTimeDecay": InverseTimeDecay,
    "CosineDecay": CosineDecay,
    "CosineDecayRestarts": CosineDecayRestarts,
}
REFERENCES: dict[str, Callable[..., Any]] = {
    "ExponentialDecay": ref.exponential_decay,
    "PiecewiseConstantDecay": ref.piecewise_constant_decay,
    "PolynomialDecay": ref.polynomial_decay,
    "InverseTimeDecay": ref.inverse_time_decay,
    "CosineDecay": ref.cosine_decay,
    "CosineDecayRestarts": ref.cosine_decay_restarts,
}
CLASS_NAMES = list(OURS)


def _keras_class(name: str) -> Callable[..., Any]:
    return getattr(KS, name)


def _close_to_exact(ours: float, exact: Any) -> bool:
    """``|ours - exact| <= 4 * 2.2e-16 * |exact| + 1e-300``, overflow included.

    When the exact value is beyond the float64 range (it rounds to +-inf), ours must be
    that infinity.
    """
    rounded = ref.to_float(exact)
    if math.isinf(rounded):
        return float(ours) == rounded
    if not math.isfinite(float(ours)):
        return False
    with mpmath.mp.workdps(ref.DPS):
        error = abs(mpmath.mpf(float(ours)) - exact)
        return bool(error <= ULPS * EPS * abs(exact) + mpmath.mpf("1e-300"))


def _describe(name: str, kwargs: dict[str, Any], step: int, **values: Any) -> str:
    shown = ", ".join(f"{k}={v!r}" for k, v in values.items())
    return f"{name}(**{kwargs!r}) at step {step}: {shown}"


# ---------------------------------------------------------------------------------------
# a. Keras's upstream test cases (keras/src/optimizers/schedules/learning_rate_schedule_test.py)
# ---------------------------------------------------------------------------------------

# The helpers below are Keras's test helpers, as written there (Apache-2.0).


def np_cosine_decay(step: float, decay_steps: float, alpha: float = 0.0) -> float:
    step = min(step, decay_steps)
    completed_fraction = step / decay_steps
    decay = 0.5 * (1.0 + math.cos(math.pi * completed_fraction))
    return (1.0 - alpha) * decay + alpha


def linear_warmup(step: float, warmup_steps: float, initial_lr: float, target_lr: float) -> float:
    # Keras's helper omits "+ initial_lr"; every upstream warmup test uses initial_lr 0.
    completed_fraction = step / warmup_steps
    total_delta = target_lr - initial_lr
    return completed_fraction * total_delta


def np_cosine_decay_restarts(
    step: float,
    decay_steps: float,
    t_mul: float = 2.0,
    m_mul: float = 1.0,
    alpha: float = 0.0,
) -> float:
    fac = 1.0
    while step >= decay_steps:
        step -= decay_steps
        decay_steps *= t_mul
        fac *= m_mul
    completed_fraction = step / decay_steps
    decay = fac * 0.5 * (1.0 + math.cos(math.pi * completed_fraction))
    return (1.0 - alpha) * decay + alpha


def _upstream_cases() -> list[Any]:
    cases: list[Any] = []

    def add(
        test: str,
        cls: Callable[..., Any],
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        step: Any,
        expected: float,
    ) -> None:
        name = cls.__name__
        shown = step if isinstance(step, (int, float)) else f"{type(step).__name__}({step})"
        cases.append(pytest.param(cls, args, kwargs, step, expected, id=f"{name}-{test}-{shown}"))

    # ExponentialDecayTest
    add("test_continuous", ExponentialDecay, (0.05, 10, 0.96), {}, 5, 0.05 * 0.96 ** (5.0 / 10.0))
    staircase: dict[str, Any] = {"staircase": True}
    # test_staircase steps through a float32 Variable(1.0); test_variables assigns ints.
    for step, expected in [(1.0, 0.1), (2.0, 0.1), (100.0, 0.1 * 0.96 ** (100 // 3))]:
        add("test_staircase", ExponentialDecay, (0.1, 3, 0.96), staircase, step, expected)
    for step, expected in [(1, 0.1), (2, 0.1), (100, 0.1 * 0.96 ** (100 // 3))]:
        add("test_variables", ExponentialDecay, (0.1, 3, 0.96), staircase, step, expected)

    # PiecewiseConstantDecayTest (the -999.0 row: see test_upstream_piecewise_negative_step)
    pw_args = ([100, 110, 120], [1.0, 0.1, 0.01, 0.001])
    for step, expected in [(100.0, 1.0), (105.0, 0.1), (110.0, 0.1), (120.0, 0.01)]:
        add("test_piecewise_values", PiecewiseConstantDecay, pw_args, {}, step, expected)
    add("test_piecewise_values", PiecewiseConstantDecay, pw_args, {}, 999.0, 0.001)
    bv_args = ([1, 2, 3], [0.4, 0.5, 0.6, 0.7])
    for step, expected in [(0, 0.4), (1, 0.4), (2, 0.5), (3, 0.6), (4, 0.7)]:
        # Keras steps through an int64 Variable.
        add("test_boundary_values", PiecewiseConstantDecay, bv_args, {}, np.int64(step), expected)

    # LinearDecayTest
    lr, end_lr = 0.05, 0.001
    add("linear-test_halfway", PolynomialDecay, (lr, 10, 0.0), {}, 5, lr * 0.5)
    add("linear-test_end", PolynomialDecay, (lr, 10, end_lr), {}, 10, end_lr)
    add(
        "linear-test_halfway_with_end",
        PolynomialDecay,
        (lr, 10, end_lr),
        {},
        5,
        (lr + end_lr) * 0.5,
    )
    add("linear-test_beyond_end", PolynomialDecay, (lr, 10, end_lr), {}, 15, end_lr)
    add(
        "linear-test_beyond_end_with_cycle",
        PolynomialDecay,
        (lr, 10, end_lr),
        {"cycle": True},
        15,
        (lr - end_lr) * 0.25 + end_lr,
    )

    # SqrtDecayTest
    power = 0.5
    sqrt: dict[str, Any] = {"power": power}
    add("sqrt-test_halfway", PolynomialDecay, (lr, 10, 0.0), sqrt, 5, lr * 0.5**power)
    add("sqrt-test_end", PolynomialDecay, (lr, 10, end_lr), sqrt, 10, end_lr)
    add(
        "sqrt-test_halfway_with_end",
        PolynomialDecay,
        (lr, 10, end_lr),
        sqrt,
        5,
        (lr - end_lr) * 0.5**power + end_lr,
    )
    add("sqrt-test_beyond_end", PolynomialDecay, (lr, 10, end_lr), sqrt, 15, end_lr)
    add(
        "sqrt-test_beyond_end_with_cycle",
        PolynomialDecay,
        (lr, 10, end_lr),
        {"power": power, "cycle": True},
        15,
        (lr - end_lr) * 0.25**power + end_lr,
    )
    add("sqrt-test_begin_with_cycle", PolynomialDecay, (0.001, 10), {"cycle": True}, 0, 0.001)

    # InverseTimeDecayTest: the step is a float32 Variable(0.0), incremented by 1.
    k, rate = 10, 0.96
    for i in range(k + 1):
        add("test_decay", InverseTimeDecay, (0.1, k, rate), {}, float(i), 0.1 / (1 + i / k * rate))
    for i in range(k + 1):
        add(
            "test_staircase",
            InverseTimeDecay,
            (0.1, k, rate),
            {"staircase": True},
            float(i),
            0.1 / (1 + rate * (i // k)),
        )

    # CosineDecayTest
    for step in range(0, 1500, 250):
        add("test_decay", CosineDecay, (1.0, 1000), {}, step, np_cosine_decay(step, 1000))
    for step in range(0, 1500, 250):
        add(
            "test_warmup",
            CosineDecay,
            (0.0, 10),
            {"warmup_target": 10.0, "warmup_steps": 1500},
            step,
            linear_warmup(step, 1500, 0.0, 10.0),
        )
    for step in range(0, 1500, 250):
        add("test_alpha", CosineDecay, (1.0, 1000, 0.1), {}, step, np_cosine_decay(step, 1000, 0.1))
    for step in range(0, 1500, 250):
        add(
            "test_float64",
            CosineDecay,
            (np.float64(1.0), 1000),
            {},
            step,
            np_cosine_decay(step, 1000),
        )
    for step in range(0, 3000, 250):
        if step < 2000 + 1:
            expected = linear_warmup(step, 2000, 0.0, 10.0)
        else:
            expected = 10.0 * np_cosine_decay(step - 2000, 1000)
        add(
            "test_warmup_decay",
            CosineDecay,
            (0.0, 1000),
            {"warmup_target": 10.0, "warmup_steps": 2000},
            step,
            expected,
        )

    # CosineDecayRestartsTest
    restarts: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = [
        ("test_decay", (1.0, 1000), {}),
        ("test_float64", (np.float64(1.0), 1000), {}),
        ("test_alpha", (1.0, 1000), {"alpha": 0.1}),
        ("test_mmul", (1.0, 1000), {"m_mul": 0.9}),
        ("test_tmul", (1.0, 1000), {"t_mul": 1.0}),
    ]
    for test, args, kwargs in restarts:
        for step in range(0, 1500, 250):
            expected = np_cosine_decay_restarts(step, 1000, **kwargs)
            add(test, CosineDecayRestarts, args, kwargs, step, expected)
    return cases


@pytest.mark.parametrize(("cls", "args", "kwargs", "step", "expected"), _upstream_cases())
def test_upstream_keras_case(
    cls: Callable[..., Any],
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    step: Any,
    expected: float,
) -> None:
    schedule = cls(*args, **kwargs)
    np.testing.assert_allclose(schedule(step), expected, rtol=1e-6, atol=1e-6)


def test_upstream_piecewise_negative_step() -> None:
    """Keras's test_piecewise_values starts at step -999.0 (value 1.0); steps must be >= 0."""
    schedule = PiecewiseConstantDecay([100, 110, 120], [1.0, 0.1, 0.01, 0.001])
    with pytest.raises(ValueError, match="step"):
        schedule(-999.0)


@pytest.mark.parametrize("step", [-1, -999.0, -(2**62)], ids=["int-1", "float-999", "int-2pow62"])
@pytest.mark.parametrize("name", CLASS_NAMES)
def test_negative_step_raises(name: str, step: float) -> None:
    schedule = _small_schedule(name)
    with pytest.raises(ValueError, match="step"):
        schedule(step)
    with pytest.raises(ValueError, match="step"):
        schedule(np.array([0, 1, int(step)], dtype=np.int64))


def _small_schedule(name: str) -> Any:
    if name == "PiecewiseConstantDecay":
        return PiecewiseConstantDecay([10, 20], [1.0, 0.5, 0.25])
    if name in ("ExponentialDecay", "InverseTimeDecay"):
        return OURS[name](0.1, 10, 0.5)
    return OURS[name](0.1, 10)


UPSTREAM_CONFIGS: list[Any] = [
    pytest.param(
        "ExponentialDecay",
        {
            "initial_learning_rate": 0.05,
            "decay_steps": 10,
            "decay_rate": 0.96,
            "staircase": True,
            "name": "my_ed",
        },
        id="ExponentialDecay-my_ed",
    ),
    pytest.param(
        "PiecewiseConstantDecay",
        {"boundaries": [10, 20], "values": [1, 2, 3], "name": "my_pcd"},
        id="PiecewiseConstantDecay-my_pcd",
    ),
    pytest.param(
        "PolynomialDecay",
        {
            "initial_learning_rate": 0.1,
            "decay_steps": 100,
            "end_learning_rate": 0.005,
            "power": 1.0,
            "cycle": False,
            "name": "my_ld",
        },
        id="PolynomialDecay-my_ld",
    ),
    pytest.param(
        "InverseTimeDecay",
        {
            "initial_learning_rate": 0.05,
            "decay_steps": 10,
            "decay_rate": 0.96,
            "staircase": True,
            "name": "my_itd",
        },
        id="InverseTimeDecay-my_itd",
    ),
    pytest.param(
        "CosineDecay",
        {
            "initial_learning_rate": 0.05,
            "decay_steps": 10,
            "alpha": 0.1,
            "warmup_target": 0.2,
            "warmup_steps": 2,
            "name": "my_cd",
        },
        id="CosineDecay-my_cd",
    ),
    pytest.param(
        "CosineDecayRestarts",
        {
            "initial_learning_rate": 0.05,
            "first_decay_steps": 10,
            "alpha": 0.1,
            "t_mul": 3.0,
            "m_mul": 4.0,
            "name": "my_cdr",
        },
        id="CosineDecayRestarts-my_cdr",
    ),
]


@pytest.mark.parametrize(("name", "kwargs"), UPSTREAM_CONFIGS)
def test_upstream_config_round_trip(name: str, kwargs: dict[str, Any]) -> None:
    """Keras's test_config cases: same config as Keras's own class, key order included."""
    ours = OURS[name](**kwargs)
    config = ours.get_config()
    theirs = _keras_class(name)(**kwargs).get_config()
    assert list(config.items()) == list(theirs.items())
    revived = type(ours).from_config(config)
    assert revived.get_config() == config
    for step in (0, 1, 5, 10, 11, 25, 1000):
        assert revived(step) == ours(step)


# ---------------------------------------------------------------------------------------
# Random configurations (shared by b and c)
# ---------------------------------------------------------------------------------------


def _log_uniform(rng: Any, low: float, high: float) -> float:
    return float(10 ** rng.uniform(math.log10(low), math.log10(high)))


def _learning_rate(rng: Any) -> float:
    return _log_uniform(rng, 1e-4, 1.0)


def _decay_steps(rng: Any) -> int | float:
    """An int in [1, 10**6] mostly; sometimes a dyadic float (2.5) or a non-dyadic one (12.3)."""
    kind = rng.random()
    if kind < 0.8:
        return round(_log_uniform(rng, 1, 10**6))
    if kind < 0.95:
        return float(rng.integers(1, 2000)) + float(rng.choice([0.25, 0.5, 0.75]))
    return round(float(rng.uniform(1, 1000)), 1) + 0.1


def _random_steps(rng: Any, high: int, count: int) -> list[int]:
    """``count`` steps, log-uniform in [1, high], plus one uniform in [0, high]."""
    steps = [int(10 ** rng.uniform(0, math.log10(high))) for _ in range(count)]
    steps.append(int(rng.integers(0, high, endpoint=True)))
    return [min(s, high) for s in steps]


def _around(point: Fraction | int, high: int) -> list[int]:
    """The integer steps next to a switch point: floor - 1, floor, ceil, ceil + 1."""
    q = Fraction(point)
    lo, hi = math.floor(q), math.ceil(q)
    return [s for s in (lo - 1, lo, hi, hi + 1) if 0 <= s <= high]


def _multiples(rng: Any, period: int | float, high: int) -> list[int]:
    """Steps around a few multiples of ``period`` (1, 2, 3 and two random ones) up to high."""
    p = Fraction(period)
    top = max(1, math.floor(high / p))
    ks = {1, 2, 3, top}
    ks.update(int(10 ** rng.uniform(0, math.log10(top))) for _ in range(2) if top > 1)
    steps: list[int] = []
    for k in sorted(ks):
        steps.extend(_around(k * p, high))
    return steps


def _restart_points(rng: Any, first_decay_steps: int | float, t_mul: float, high: int) -> list[int]:
    """Steps around the exact restart starts (from the reference) up to high."""
    if t_mul == 1.0:
        return _multiples(rng, first_decay_steps, high)
    starts: list[Fraction] = []
    for start in ref.restart_starts(first_decay_steps, t_mul):
        if start > high:
            break
        starts.append(start)
    chosen = starts[1:6] + starts[-2:]
    if len(starts) > 8:
        picks = rng.choice(len(starts), size=min(6, len(starts)), replace=False)
        chosen += [starts[int(i)] for i in picks]
    steps: list[int] = []
    for start in chosen:
        steps.extend(_around(start, high))
    return steps


@dataclass(frozen=True)
class Case:
    """One random configuration of one class, with the steps to check."""

    name: str
    kwargs: dict[str, Any]
    steps: tuple[int, ...]

    def ours(self) -> Any:
        with warnings.catch_warnings():
            # CosineDecay warns that warmup_steps without warmup_target is ignored (as Keras
            # ignores it); the values are what is tested here.
            warnings.filterwarnings("ignore", "(?s).*warmup_steps", UserWarning)
            return OURS[self.name](**self.kwargs)

    def exact(self, step: int) -> Any:
        return REFERENCES[self.name](**self.kwargs, step=step)


def _exponential(rng: Any, high: int) -> tuple[dict[str, Any], list[int]]:
    ds = _decay_steps(rng)
    rate = float(rng.uniform(0.01, 0.99)) if rng.random() < 0.85 else float(rng.uniform(1.01, 2))
    staircase = bool(rng.random() < 0.5)
    kwargs = {
        "initial_learning_rate": _learning_rate(rng),
        "decay_steps": ds,
        "decay_rate": rate,
        "staircase": staircase,
    }
    return kwargs, _multiples(rng, ds, high)


def _piecewise(rng: Any, high: int) -> tuple[dict[str, Any], list[int]]:
    count = int(rng.integers(1, 7))
    boundaries: list[int] = []
    while len(boundaries) != count:
        boundaries = sorted({int(10 ** rng.uniform(0, math.log10(high))) for _ in range(count)})
    values = [_learning_rate(rng) for _ in range(count + 1)]
    steps: list[int] = []
    for b in boundaries:
        steps.extend(s for s in (b - 1, b, b + 1) if 0 <= s <= high)
    return {"boundaries": boundaries, "values": values}, steps


def _polynomial(rng: Any, high: int) -> tuple[dict[str, Any], list[int]]:
    ds = _decay_steps(rng)
    lr = _learning_rate(rng)
    end = _log_uniform(rng, 1e-6, lr) if rng.random() < 0.9 else _log_uniform(rng, lr, 1.0)
    cycle = bool(rng.random() < 0.5)
    kwargs = {
        "initial_learning_rate": lr,
        "decay_steps": ds,
        "end_learning_rate": end,
        "power": float(rng.uniform(0.1, 3.0)),
        "cycle": cycle,
    }
    return kwargs, _multiples(rng, ds, high) if cycle else _around(Fraction(ds), high)


def _inverse_time(rng: Any, high: int) -> tuple[dict[str, Any], list[int]]:
    ds = _decay_steps(rng)
    rate = float(rng.uniform(0.01, 1.0)) if rng.random() < 0.85 else float(rng.uniform(1, 10))
    kwargs = {
        "initial_learning_rate": _learning_rate(rng),
        "decay_steps": ds,
        "decay_rate": rate,
        "staircase": bool(rng.random() < 0.5),
    }
    return kwargs, _multiples(rng, ds, high)


def _cosine(rng: Any, high: int) -> tuple[dict[str, Any], list[int]]:
    ds = _decay_steps(rng)
    alpha = float(rng.uniform(0, 0.5)) if rng.random() < 0.8 else 0.0
    kwargs: dict[str, Any] = {
        "initial_learning_rate": _learning_rate(rng),
        "decay_steps": ds,
        "alpha": alpha,
    }
    kind = rng.random()
    steps = _around(Fraction(ds), high)
    if kind < 0.25:  # linear warmup, then decay from warmup_target
        ws = round(_log_uniform(rng, 1, 10**6)) if rng.random() < 0.9 else 0
        kwargs["warmup_target"] = _learning_rate(rng)
        kwargs["warmup_steps"] = ws
        steps = [0, 1] + _around(ws, high) + _around(ws + Fraction(ds), high)
    elif kind < 0.4:  # warmup_steps without warmup_target: ignored
        kwargs["warmup_steps"] = int(rng.integers(1, 1000))
    return kwargs, steps


def _restarts(rng: Any, high: int) -> tuple[dict[str, Any], list[int]]:
    fds = _decay_steps(rng)
    t_mul = float(rng.choice([1.0, 1.5, 2.0, 3.0, -1.0]))
    if t_mul < 0:
        t_mul = float(rng.uniform(1.05, 3.0))
    kwargs = {
        "initial_learning_rate": _learning_rate(rng),
        "first_decay_steps": fds,
        "t_mul": t_mul,
        "m_mul": float(rng.uniform(0.3, 1.0)),
        "alpha": float(rng.uniform(0, 0.5)) if rng.random() < 0.8 else 0.0,
    }
    return kwargs, _restart_points(rng, fds, t_mul, high)


GENERATORS: dict[str, Callable[[Any, int], tuple[dict[str, Any], list[int]]]] = {
    "ExponentialDecay": _exponential,
    "PiecewiseConstantDecay": _piecewise,
    "PolynomialDecay": _polynomial,
    "InverseTimeDecay": _inverse_time,
    "CosineDecay": _cosine,
    "CosineDecayRestarts": _restarts,
}
SEEDS = {name: 1000 * (i + 1) for i, name in enumerate(CLASS_NAMES)}


def random_cases(name: str, seed: int, count: int, high: int, random_steps: int) -> list[Case]:
    """``count`` random configurations of class ``name`` with steps in [0, high]."""
    rng = np.random.default_rng(seed)
    cases = []
    for _ in range(count):
        kwargs, switch_steps = GENERATORS[name](rng, high)
        warmup = name == "CosineDecay" and kwargs.get("warmup_target") is not None
        extra = _random_steps(rng, high, 1 if warmup else random_steps)
        steps = sorted({0, *switch_steps, *extra})
        cases.append(Case(name, kwargs, tuple(steps)))
    return cases


# ---------------------------------------------------------------------------------------
# b. Keras float64 as the oracle
# ---------------------------------------------------------------------------------------

ORACLE_HIGH = 10**11
ORACLE_CHUNKS = 5
ORACLE_CONFIGS_PER_CHUNK = 100  # 5 * 100 = 500 configurations per class


def _keras64_kwargs(kwargs: dict[str, Any]) -> dict[str, Any]:
    """The same arguments for Keras, every float as np.float64 so that it computes in float64."""

    def convert(value: Any) -> Any:
        if isinstance(value, bool) or value is None:
            return value
        if isinstance(value, float):
            return np.float64(value)
        if isinstance(value, list):
            return [convert(v) for v in value]
        return value

    return {key: convert(value) for key, value in kwargs.items()}


def _keras64_values(case: Case) -> Any:
    schedule = _keras_class(case.name)(**_keras64_kwargs(case.kwargs))
    steps = np.array(case.steps, dtype=np.int64)
    if case.name == "CosineDecay" and case.kwargs.get("warmup_target") is not None:
        # ops.cond needs a scalar step.
        values = np.array([np.asarray(schedule(step)) for step in steps])
    else:
        values = np.asarray(schedule(steps))
    assert values.dtype == np.float64
    return values


def _phase(case: Case) -> tuple[Any, float]:
    """Keras's phase (the step over the decay period, clamped where Keras clamps it) and the
    peak learning rate, for the float64 phase-error allowance."""
    kw = case.kwargs
    steps = np.array(case.steps, dtype=np.float64)
    lr = float(kw.get("initial_learning_rate", 0.0))
    if case.name == "PiecewiseConstantDecay":
        return np.zeros_like(steps), 0.0
    if case.name == "CosineDecayRestarts":
        return steps / float(kw["first_decay_steps"]), lr
    ds = float(kw["decay_steps"])
    if case.name == "PolynomialDecay":
        if not kw["cycle"]:
            steps = np.minimum(steps, ds)
        return steps / ds, max(lr, kw["end_learning_rate"])
    if case.name == "CosineDecay":
        target = kw.get("warmup_target")
        if target is None:
            return np.minimum(steps, ds) / ds, lr
        ws = float(kw["warmup_steps"])
        clamped = np.minimum(steps, ds + ws)
        return np.where(clamped < ws, clamped / max(ws, 1.0), (clamped - ws) / ds), max(lr, target)
    return steps / ds, lr


def _allowance(case: Case, keras_values: Any) -> tuple[float, Any]:
    """(rtol, absolute allowance per step) for agreement with Keras float64.

    rtol 1e-7, plus Keras's own float64 phase error ``10 * phase * 2.2e-16 * peak_lr``
    (the phase ``step / decay_steps`` is rounded, and the larger it is the more absolute
    error its float64 value carries). PiecewiseConstantDecay must match exactly.
    """
    if case.name == "PiecewiseConstantDecay":
        return 0.0, np.zeros(len(case.steps))
    phase, peak = _phase(case)
    peak_values = np.maximum(peak, np.abs(np.nan_to_num(keras_values, posinf=0.0)))
    return KERAS64_RTOL, 10 * np.maximum(phase, 1.0) * EPS * peak_values


@dataclass
class KerasWrong:
    """A step where Keras float64 is off the exact value and we are not."""

    case: Case
    step: int
    ours: float
    keras: float
    exact: float


def compare_with_keras64(case: Case) -> list[KerasWrong]:
    """Check ``case`` against Keras float64; return the steps where Keras is the wrong one.

    Where we and Keras disagree beyond the tolerance, the exact reference decides: we must
    equal it within a few ulp, and Keras must be off it by more than the tolerance.
    """
    keras_values = _keras64_values(case)
    schedule = case.ours()
    ours_int = np.array([schedule(int(step)) for step in case.steps], dtype=np.float64)
    ours_np = np.asarray(schedule(np.array(case.steps, dtype=np.int64)))
    assert ours_np.dtype == np.float64
    rtol, allowance = _allowance(case, keras_values)
    wrong: list[KerasWrong] = []
    for ours in (ours_int, ours_np):
        with np.errstate(invalid="ignore"):  # inf - inf where both overflow
            agree = (ours == keras_values) | (
                np.abs(ours - keras_values) <= rtol * np.abs(keras_values) + allowance
            )
        for i in np.flatnonzero(~agree):
            step = case.steps[i]
            exact = case.exact(step)
            message = _describe(
                case.name,
                case.kwargs,
                step,
                ours=float(ours[i]),
                keras64=float(keras_values[i]),
                exact=ref.to_float(exact),
            )
            assert _close_to_exact(ours[i], exact), "we differ from Keras and exact: " + message
            if ours is ours_int:
                wrong.append(
                    KerasWrong(
                        case, step, float(ours[i]), float(keras_values[i]), ref.to_float(exact)
                    )
                )
    return wrong


def oracle_cases(name: str, chunk: int) -> list[Case]:
    return random_cases(
        name,
        seed=SEEDS[name] + chunk,
        count=ORACLE_CONFIGS_PER_CHUNK,
        high=ORACLE_HIGH,
        random_steps=6,
    )


@pytest.mark.parametrize("chunk", range(ORACLE_CHUNKS), ids=lambda c: f"seed+{c}")
@pytest.mark.parametrize("name", CLASS_NAMES)
def test_agrees_with_keras_float64(name: str, chunk: int) -> None:
    """100 random configurations per chunk; where Keras float64 is wrong we equal exact."""
    for case in oracle_cases(name, chunk):
        compare_with_keras64(case)


def test_keras_float64_switches_match_on_upstream_style_configs() -> None:
    """The switch steps of simple integer configurations: values at b - 1, b, b + 1 agree."""
    cases = [
        Case("ExponentialDecay", {"initial_learning_rate": 0.1, "decay_steps": 3,
                                  "decay_rate": 0.96, "staircase": True}, tuple(range(40))),
        Case("InverseTimeDecay", {"initial_learning_rate": 0.1, "decay_steps": 10,
                                  "decay_rate": 0.96, "staircase": True}, tuple(range(40))),
        Case("PolynomialDecay", {"initial_learning_rate": 0.05, "decay_steps": 10,
                                 "end_learning_rate": 0.001, "cycle": True}, tuple(range(40))),
        Case("PiecewiseConstantDecay", {"boundaries": [1, 2, 3],
                                        "values": [0.4, 0.5, 0.6, 0.7]}, tuple(range(6))),
        Case("CosineDecayRestarts", {"initial_learning_rate": 1.0, "first_decay_steps": 10,
                                     "t_mul": 2.0, "m_mul": 0.5}, tuple(range(160))),
    ]  # fmt: skip
    for case in cases:
        assert compare_with_keras64(case) == []


# ---------------------------------------------------------------------------------------
# c. Exactness against the mpmath references
# ---------------------------------------------------------------------------------------

EXACT_HIGH = 2**62
EXACT_CONFIGS = 40


def _exact_failures(case: Case) -> list[str]:
    """Our Python-int and NumPy-int64 values at ``case.steps`` that are not within 4 ulp of
    the exact value, described."""
    schedule = case.ours()
    ours_np = schedule(np.array(case.steps, dtype=np.int64))
    assert ours_np.dtype == np.float64
    failures = []
    for i, step in enumerate(case.steps):
        exact = case.exact(step)
        ours_int = schedule(step)
        assert type(ours_int) is float
        for label, ours in (("int", ours_int), ("int64", float(ours_np[i]))):
            if not _close_to_exact(ours, exact):
                failures.append(
                    _describe(
                        case.name,
                        case.kwargs,
                        step,
                        path=label,
                        ours=ours,
                        exact=ref.to_float(exact),
                        ulps=round(_ulps(ours, exact), 1),
                    )
                )
    return failures


def _ulps(ours: float, exact: Any) -> float:
    """``|ours - exact| / (2.2e-16 * |exact|)``, the error in units of float64 epsilon."""
    with mpmath.mp.workdps(ref.DPS):
        if exact == 0:
            return 0.0 if ours == 0 else math.inf
        return float(abs(mpmath.mpf(float(ours)) - exact) / abs(exact) / EPS)


def _assert_exact(cases: Sequence[Case]) -> None:
    failures = [failure for case in cases for failure in _exact_failures(case)]
    shown = "\n".join(failures[:20])
    assert not failures, f"{len(failures)} values off the exact value by > {ULPS} ulp:\n{shown}"


@pytest.mark.parametrize("name", CLASS_NAMES)
def test_exact_at_steps_up_to_2_pow_62(name: str) -> None:
    cases = random_cases(
        name, seed=SEEDS[name] + 500, count=EXACT_CONFIGS, high=EXACT_HIGH, random_steps=4
    )
    extra = {2**53 - 1, 2**53, 2**53 + 1, EXACT_HIGH}
    _assert_exact(
        [Case(c.name, c.kwargs, _exact_steps(c.kwargs, {*c.steps, *extra})) for c in cases]
    )


SPAN_ARGUMENTS = ("decay_steps", "first_decay_steps", "warmup_steps")


def _exact_steps(kwargs: dict[str, Any], steps: set[int]) -> tuple[int, ...]:
    """All of ``steps``; only those up to 2**53 when a span is fractional (decay_steps=169.25).

    A fractional span is divided in float64, so the library promises exactness for it up
    to 2**53 steps only (README, "Exact at any step"); whole-number spans at any step.
    """
    fractional = any(
        isinstance(kwargs.get(key), float) and not kwargs[key].is_integer()
        for key in SPAN_ARGUMENTS
    )
    return tuple(sorted(step for step in steps if not fractional or step <= 2**53))


@pytest.mark.parametrize("name", CLASS_NAMES)
def test_exact_at_keras_oracle_steps(name: str) -> None:
    """The first oracle chunk's configurations and steps, against the exact value."""
    _assert_exact(oracle_cases(name, 0)[:40])


@pytest.mark.parametrize(
    ("kwargs", "steps"),
    [
        pytest.param(
            {"initial_learning_rate": 1.0, "first_decay_steps": 10, "t_mul": 0.5, "alpha": 0.1},
            (0, 5, 10, 15, 19, 20, 25, 10**12, 2**62),
            id="t_mul0.5-floor-from-step-20",
        ),
        pytest.param(
            {"initial_learning_rate": 0.3, "first_decay_steps": 7.5, "t_mul": 0.9, "m_mul": 0.8},
            (0, 7, 8, 14, 15, 74, 75, 76, 10**6),
            id="t_mul0.9-alpha0",
        ),
    ],
)
def test_restarts_with_shrinking_cycles_reach_the_floor(
    kwargs: dict[str, Any], steps: tuple[int, ...]
) -> None:
    """t_mul < 1: ours returns alpha * lr from first_decay_steps / (1 - t_mul) on (Keras NaN)."""
    case = Case("CosineDecayRestarts", kwargs, steps)
    _assert_exact([case])
    schedule = case.ours()
    limit = Fraction(kwargs["first_decay_steps"]) / (1 - Fraction(kwargs["t_mul"]))
    floor = kwargs.get("alpha", 0.0) * kwargs["initial_learning_rate"]
    for step in steps:
        if step >= limit:
            assert schedule(step) == floor


@pytest.mark.parametrize("to_step", [int, np.int64], ids=["int", "int64"])
def test_exponential_staircase_exact_above_2_pow_24(to_step: Callable[[int], Any]) -> None:
    schedule = ExponentialDecay(1.0, 2**23, 0.5, staircase=True)
    step = 3 * 2**23 - 1
    assert schedule(to_step(step)) == 0.25
    assert schedule(to_step(step + 1)) == 0.125
    assert ref.exponential_decay(1.0, 2**23, 0.5, True, step=step) == 0.25


@pytest.mark.parametrize("to_step", [int, np.int64], ids=["int", "int64"])
def test_inverse_time_staircase_exact_above_2_pow_24(to_step: Callable[[int], Any]) -> None:
    schedule = InverseTimeDecay(1.0, 2**23, 1.0, staircase=True)
    step = 3 * 2**23 - 1
    exact = ref.inverse_time_decay(1.0, 2**23, 1.0, True, step=step)
    assert ref.to_float(exact) == 1 / 3
    assert schedule(to_step(step)) == 1 / 3
    assert schedule(to_step(step + 1)) == 0.25


RESTART_KS = range(1, 41)


def test_restarts_exact_at_every_restart_up_to_k40() -> None:
    """CosineDecayRestarts(1.0, 10): 1.0 exactly at step 10 * (2**k - 1), and one step
    earlier ``0.5 * (1 + cos(pi * (L - 1) / L))`` with L = 10 * 2**(k - 1), compared with
    that expression's exact value (evaluated in float64, ``1 + cos`` cancels to 0 for
    large L; the exact value is about (pi / L)**2 / 4)."""
    schedule = CosineDecayRestarts(1.0, 10)
    restarts = [10 * (2**k - 1) for k in RESTART_KS]
    assert schedule(0) == 1.0
    before = []
    for k, step in zip(RESTART_KS, restarts):
        assert schedule(step) == 1.0, step
        length = 10 * 2 ** (k - 1)
        exact = ref.half_cosine(Fraction(length - 1, length))
        assert exact == ref.cosine_decay_restarts(1.0, 10, step=step - 1)
        before.append(exact)
        assert _close_to_exact(schedule(step - 1), exact), (step - 1, schedule(step - 1))
    # The same expression in float64 has lost everything by k = 40: cos rounds to -1.
    last = 10 * 2**39
    assert 0.5 * (1 + math.cos(math.pi * (last - 1) / last)) == 0.0
    assert schedule(restarts[-1] - 1) > 0.0
    ours_np = schedule(np.array(restarts, dtype=np.int64))
    assert ours_np.dtype == np.float64
    assert (ours_np == 1.0).all()
    ours_before = schedule(np.array(restarts, dtype=np.int64) - 1)
    for value, exact in zip(ours_before, before):
        assert _close_to_exact(float(value), exact)


# Keras (default float32 arguments) is wrong where we are right.


def _keras32(schedule: Any, step: int) -> float:
    return float(np.asarray(schedule(np.int64(step))))


def test_keras_float32_staircase_is_wrong_above_2_pow_24() -> None:
    step = 3 * 2**23 - 1
    keras_ed = KS.ExponentialDecay(1.0, 2**23, 0.5, staircase=True)
    keras_itd = KS.InverseTimeDecay(1.0, 2**23, 1.0, staircase=True)
    assert _keras32(keras_ed, step) == 0.125
    assert _keras32(keras_itd, step) == 0.25
    assert ExponentialDecay(1.0, 2**23, 0.5, staircase=True)(step) == 0.25
    assert InverseTimeDecay(1.0, 2**23, 1.0, staircase=True)(step) == 1 / 3


def test_keras_float32_cosine_decay_cancels_to_zero_near_the_end() -> None:
    step = 999_999
    assert _keras32(KS.CosineDecay(0.1, 10**6), step) == 0.0
    exact = ref.cosine_decay(0.1, 10**6, step=step)
    assert 2.4e-13 < exact < 2.5e-13
    ours = CosineDecay(0.1, 10**6)(step)
    assert _close_to_exact(ours, exact)


def test_keras_float32_misplaces_a_restart_near_81910() -> None:
    """Restart k = 13 of CosineDecayRestarts(1.0, 10) is at step 10 * (2**13 - 1) = 81,910.

    Keras float32, stepped one scalar at a time as an optimizer does, computes the restart
    index ``floor(log(1 + frac) / log(2))`` one too low there and returns 0.0 (the end of
    cycle 12) instead of 1.0. (On TensorFlow a long step array goes through a vectorised
    log and happens to get this one right, so the steps are evaluated one by one.)
    """
    keras_schedule = KS.CosineDecayRestarts(1.0, 10)
    ours = CosineDecayRestarts(1.0, 10)
    misplaced = []
    for step in range(81_900, 81_921):
        keras_value = _keras32(keras_schedule, step)
        exact = ref.cosine_decay_restarts(1.0, 10, step=step)
        assert _close_to_exact(ours(step), exact)
        if abs(keras_value - ref.to_float(exact)) > 0.1:
            misplaced.append(step)
    assert 81_910 in misplaced, misplaced
    assert ours(81_910) == 1.0
