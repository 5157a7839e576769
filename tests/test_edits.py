"""Schedule edits: CoolDown, TrainLonger and RescaleTime against written-out formulas.

Every expected value is computed here: the original schedule at the step (or at the exact
rational inner step, in ``Fraction``s) and the cool-down written out with ``math``.
"""

from __future__ import annotations

import math
import os
from fractions import Fraction
from typing import Any

import numpy as np
import pytest

import lrschedule
from conftest import require
from lrschedule import (
    Constant,
    CosineDecay,
    ExponentialDecay,
    Join,
    LinearDecay,
    MultiStepDecay,
    PiecewiseConstantDecay,
    StepDecay,
    Warmup,
    WarmupStableDecay,
)
from lrschedule.analysis import area, first_below
from lrschedule.schedules.edits import CoolDown, RescaleTime, TrainLonger

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("JAX_PLATFORMS", "cpu")

BASE = Warmup(CosineDecay(0.1, 900, alpha=0.05), warmup_steps=100, initial_learning_rate=0.01)


# ------------------------------------------------------------------ references
def cool_reference(original: Any, k: int, d: int, end: float, shape: str, t: int) -> float:
    """The cool-down written out: the original before k, then a decay from original(k)."""
    if t < k:
        return float(original(t))
    v = float(original(k))
    if t >= k + d:
        return end
    p = (t - k) / d
    if shape == "linear":
        return v + (end - v) * p
    if shape == "cosine":
        return end + (v - end) * (1 + math.cos(math.pi * p)) / 2
    if shape == "1-sqrt":
        return end + (v - end) * (1 - math.sqrt(p))
    return v * (end / v) ** p


def stretch_reference(original: Any, c: int, ratio: Fraction, t: int) -> float:
    """The original at the inner step c + (t - c) * ratio, exact where it is whole."""
    if t < c:
        return float(original(t))
    inner = c + (t - c) * ratio
    if inner.denominator == 1:
        return float(original(int(inner)))
    return float(original(float(inner)))


SHAPES = ["linear", "cosine", "1-sqrt", "exponential"]
COOL_CASES = [
    (BASE, 0, 50, 0.0, "linear"),
    (BASE, 400, 300, 0.001, "linear"),
    (BASE, 400, 300, 0.001, "cosine"),
    (BASE, 400, 300, 0.001, "1-sqrt"),
    (BASE, 400, 300, 0.001, "exponential"),
    (StepDecay(0.1, 30, 0.5), 90, 7, 0.002, "cosine"),  # starts on a new stair
    (PiecewiseConstantDecay([50], [0.1, 0.05]), 51, 1, 0.0, "linear"),
]


@pytest.mark.parametrize(("original", "k", "d", "end", "shape"), COOL_CASES)
def test_cool_down_is_the_written_formula(original: Any, k: int, d: int, end: float, shape: str):
    schedule = CoolDown(original, start_step=k, decay_steps=d, end_learning_rate=end, shape=shape)
    steps = range(k + d + 20)
    for t in steps:
        assert schedule(t) == pytest.approx(
            cool_reference(original, k, d, end, shape, t), rel=1e-12, abs=1e-16
        )
    assert schedule(k) == original(k)  # continuous: the value at k is the original's
    for t in range(k):
        assert schedule(t) == original(t)
    x = np.arange(0, k + d + 20)
    array = schedule(x)
    assert array.tolist() == pytest.approx([schedule(int(t)) for t in x], rel=1e-13, abs=1e-16)
    assert array[k] == original(k)


def test_cool_down_breakpoints_and_pieces() -> None:
    schedule = CoolDown(StepDecay(0.1, 30, 0.5), start_step=100, decay_steps=50)
    assert list(schedule.breakpoints(1, 1000)) == [30, 60, 90, 100, 150]
    assert list(schedule.monotone_pieces(0, 200)) == [
        (0, 30),
        (30, 60),
        (60, 90),
        (90, 100),
        (100, 150),
        (150, 200),
    ]


@pytest.mark.parametrize("shape", ["linear", "cosine", "exponential", "1-sqrt"])
def test_cool_down_area(shape: str) -> None:
    schedule = CoolDown(BASE, 400, 300, 0.001, shape)
    for total in (350, 400, 555, 700, 1000):
        expected = math.fsum(cool_reference(BASE, 400, 300, 0.001, shape, t) for t in range(total))
        assert area(schedule, total) == pytest.approx(expected, rel=1e-12)
    if shape != "1-sqrt":
        assert schedule.area(1000, lambda child, n: area(child, n)) is not None


def test_cool_down_at_a_billion_steps() -> None:
    original = CosineDecay(0.1, 10**9)
    schedule = CoolDown(original, 6 * 10**8, 10**8, shape="1-sqrt")
    assert schedule(6 * 10**8) == original(6 * 10**8)
    assert first_below(schedule, 0.001, 10**9) is not None


@pytest.mark.parametrize(("start", "end", "into"), [(1e-8, 1.0, 15231057), (1e-20, 1e20, 999)])
def test_exponential_cool_down_corrects_the_rounded_exponent(
    start: float, end: float, into: int
) -> None:
    # The geometric path between rates many orders apart: a rounded exponent p = (t - k) / D
    # costs |log(e / v)| half-ulps in exp(p * log(e / v)); the corrected power keeps a few.
    from mpmath import mp, mpf

    length = 1000 if into < 1000 else 15231058
    schedule = CoolDown(Constant(start), 891, length, end, "exponential")
    step = 891 + into
    with mp.workdps(40):
        exact = float(mpf(start) * (mpf(end) / mpf(start)) ** (mpf(into) / length))
    assert schedule(step) == pytest.approx(exact, rel=8 * 2.0**-52, abs=0)
    values = schedule(np.asarray([step], dtype=np.int64))
    assert values[0] == pytest.approx(exact, rel=8 * 2.0**-52, abs=0)
    if end / start > 2.0**128:  # past float32's range: no float32 base
        return
    jnp = require("jax.numpy")
    narrow = float(schedule(jnp.asarray([step], dtype=jnp.int32))[0])
    assert narrow == pytest.approx(exact, rel=8 * 2.0**-23, abs=0)


def test_inner_steps_past_the_integer_dtype_are_taken_in_floating_point() -> None:
    # RescaleTime(..., 0.5) doubles the clock: near 2**63 the whole inner step has no int64.
    schedule = RescaleTime(LinearDecay(1.0, 100, 0.5), 0.5)
    steps = [3, 2**63 - 2]
    expected = [schedule(step) for step in steps]
    assert expected == [0.97, 0.5]
    assert schedule(np.asarray(steps, dtype=np.int64)).tolist() == expected
    torch = require("torch")
    assert schedule(torch.tensor(steps)).tolist() == pytest.approx(expected, rel=1e-7)


def test_stretch_factors_past_int32_on_jax_int32_steps() -> None:
    # p = (N - c) / gcd has no int32: the split runs in floating point, nothing overflows.
    jnp = require("jax.numpy")
    schedule = TrainLonger(LinearDecay(1.0, 100, 0.5), 5, 10**12, 10)
    values = schedule(jnp.asarray([3, 7], dtype=jnp.int32))
    assert np.asarray(values).tolist() == [pytest.approx(schedule(3), rel=1e-7), 0.5]


def test_stretch_factors_past_int32_on_jax_float32_steps() -> None:
    # ratio = 93.72089171928346 is p / q with p = 5 * 10**13: no int32 for the float formula.
    jnp = require("jax.numpy")
    schedule = RescaleTime(LinearDecay(1.0, 100, 0.5), 93.72089171928346)
    values = np.asarray(schedule(jnp.asarray([10.0, 5000.0], dtype=jnp.float32))).tolist()
    assert values == [
        pytest.approx(schedule(10), rel=1e-6),
        pytest.approx(schedule(5000), rel=1e-6),
    ]


def test_steps_before_a_vast_current_step_keep_their_integer_step_on_jax_int32() -> None:
    # c = 142,764,899,191 has no int32 (the split runs in float32), but a step below it is
    # its own inner step: 99,544,796 (no float32) rounded up to the milestone decayed it.
    jnp = require("jax.numpy")
    decay = MultiStepDecay(0.6285825395767551, [99544797], 1e-9)
    schedule = TrainLonger(decay, 142764899191, 142767857559, 285529798382)
    steps = [99544796, 99544797]
    values = np.asarray(schedule(jnp.asarray(steps, dtype=jnp.int32))).tolist()
    assert values == [float(np.float32(decay(step))) for step in steps]


def test_whole_laps_of_a_float_step_are_whole_inner_steps() -> None:
    # TrainLonger(..., 92, 2255, 641): u = 92 + (t - 92) * 2163 / 549. At t = 253,730
    # (462 laps of 549) u = 999,398 exactly; (t - 92) * 2163 = 548,618,994 rounded in float32
    # cost 8.6x the bound of the linear decay's last steps.
    jnp = require("jax.numpy")
    linear = LinearDecay(0.001, 999999.9999999999, 8.728955172327832e-06)
    schedule = TrainLonger(linear, 92, 2255, 641)
    exact = 0.001 + (8.728955172327832e-06 - 0.001) * (
        Fraction(999_398) / Fraction(999999.9999999999)
    )
    for value in (
        schedule(253730.0),
        float(schedule(np.asarray([253730.0], dtype=np.float64))[0]),
        float(schedule(np.asarray([253730.0], dtype=np.float32))[0]),
        float(schedule(jnp.asarray([253730.0], dtype=jnp.float32))[0]),
    ):
        assert value == pytest.approx(float(exact), rel=8 * 2.0**-23)
    assert schedule(253730.0) == linear(999_398)


# ------------------------------------------------------------------ train longer
STRETCH_CASES = [
    (LinearDecay(1.0, 100, 0.0), 50, 100, 150),
    (CosineDecay(0.1, 1000), 300, 1000, 1700),
    (StepDecay(0.1, 30, 0.5), 45, 200, 301),
    (Join([Constant(0.1), LinearDecay(0.1, 100, 0.0)], [60]), 20, 160, 100),  # shorter
    (WarmupStableDecay(0.0, 0.1, 10, 80, 10), 95, 100, 120),  # decay started: a stretch
]


@pytest.mark.parametrize(("original", "c", "n", "m"), STRETCH_CASES)
def test_train_longer_stretches_the_rest(original: Any, c: int, n: int, m: int) -> None:
    schedule = TrainLonger(original, current_step=c, total_steps=n, new_total_steps=m)
    ratio = Fraction(n - c, m - c)
    for t in range(m + 10):
        expected = stretch_reference(original, c, ratio, t)
        inner = c + (t - c) * ratio if t >= c else Fraction(t)
        if inner.denominator == 1:
            assert schedule(t) == expected  # a whole inner step: the original, exactly
        else:
            assert schedule(t) == pytest.approx(expected, rel=1e-13, abs=1e-17)
    assert schedule(c) == original(c)
    assert schedule(m) == pytest.approx(float(original(n)), abs=1e-15)
    x = np.arange(m + 10)
    assert schedule(x).tolist() == pytest.approx([schedule(int(t)) for t in x], rel=1e-12)


def test_train_longer_lengthens_the_plateau_of_wsd() -> None:
    original = WarmupStableDecay(0.0, 0.1, 10, 80, 10, decay_shape="linear")
    schedule = TrainLonger(original, current_step=50, total_steps=100, new_total_steps=200)
    for t in range(250):  # warmup 10, plateau 180, decay 10, written out
        if t < 10:
            expected = 0.1 * t / 10
        elif t < 190:
            expected = 0.1
        elif t < 200:
            expected = 0.1 * (200 - t) / 10
        else:
            expected = 0.0
        assert schedule(t) == pytest.approx(expected, abs=1e-16)
    assert list(schedule.breakpoints(1, 300)) == [10, 190, 200]


def test_rescale_time_is_exact_on_whole_inner_steps() -> None:
    original = ExponentialDecay(0.1, 7, 0.9, staircase=True)
    for ratio in (1.5, 0.4, 3, 1.1):
        schedule = RescaleTime(original, ratio=ratio)
        exact = Fraction(str(ratio))
        for t in range(300):
            assert schedule(t) == stretch_reference(original, 0, 1 / exact, t)
        breaks = list(schedule.breakpoints(1, 300))
        for t in range(1, 300):  # every jump is at a listed breakpoint
            if schedule(t) != schedule(t - 1):
                assert t in breaks


def test_rescale_time_stairs_move_exactly() -> None:
    schedule = RescaleTime(StepDecay(1.0, 10, 0.5), ratio=1.5)
    values = [schedule(t) for t in range(46)]
    assert values == [1.0] * 15 + [0.5] * 15 + [0.25] * 15 + [0.125]
    assert list(schedule.breakpoints(1, 46)) == [14, 15, 29, 30, 44, 45]


# ------------------------------------------------------------------ backends
EDITS = [
    CoolDown(BASE, 400, 300, 0.001, "cosine"),
    CoolDown(BASE, 400, 300, 0.001, "exponential"),
    CoolDown(BASE, 400, 300, 0.001, "1-sqrt"),
    TrainLonger(BASE, 300, 1000, 1700),
    TrainLonger(StepDecay(0.1, 30, 0.5), 45, 200, 301),
    RescaleTime(StepDecay(0.1, 30, 0.5), 1.5),
    # p / q = 998766 / 1998765 = 110974 / 222085, p * q past int32: JAX int32 steps split in floats.
    TrainLonger(CosineDecay(0.1, 10**6), 1234, 10**6, 1_999_999),
]
STEPS = [0, 1, 99, 100, 299, 300, 301, 399, 400, 401, 599, 699, 700, 701, 1000, 1699, 1700, 2500]


def _expected(schedule: Any) -> list[float]:
    return [float(schedule(step)) for step in STEPS]


@pytest.mark.parametrize("schedule", EDITS, ids=repr)
def test_numpy_and_python_floats(schedule: Any) -> None:
    expected = _expected(schedule)
    assert schedule(np.array(STEPS)).tolist() == pytest.approx(expected, rel=1e-13)
    floats = schedule(np.array(STEPS, dtype=np.float64)).tolist()
    assert floats == pytest.approx(expected, rel=1e-12)
    assert [schedule(float(step)) for step in STEPS] == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("schedule", EDITS, ids=repr)
def test_torch(schedule: Any) -> None:
    torch = require("torch")
    values = schedule(torch.tensor(STEPS)).double().tolist()
    assert values == pytest.approx(_expected(schedule), rel=2e-7)


@pytest.mark.parametrize("schedule", EDITS, ids=repr)
def test_jax_and_jit(schedule: Any) -> None:
    jax = require("jax")
    steps = jax.numpy.asarray(STEPS)
    eager = np.asarray(schedule(steps), dtype=np.float64).tolist()
    traced = np.asarray(jax.jit(schedule)(steps), dtype=np.float64).tolist()
    assert eager == pytest.approx(_expected(schedule), rel=2e-6)
    assert traced == pytest.approx(_expected(schedule), rel=2e-6)


@pytest.mark.parametrize("schedule", EDITS, ids=repr)
def test_tensorflow(schedule: Any) -> None:
    tf = require("tensorflow")
    values = np.asarray(schedule(tf.constant(STEPS, dtype=tf.int64)), dtype=np.float64)
    assert values.tolist() == pytest.approx(_expected(schedule), rel=2e-7)


# ------------------------------------------------------------------ serialization
@pytest.mark.parametrize("schedule", EDITS, ids=repr)
def test_round_trips(schedule: Any, tmp_path: Any) -> None:
    assert lrschedule.deserialize(lrschedule.serialize(schedule)) == schedule
    assert type(schedule)(**schedule.get_config()) == schedule
    for suffix in ("json", "toml"):
        path = tmp_path / f"edit.{suffix}"
        lrschedule.save(schedule, path)
        loaded = lrschedule.load(path)
        assert loaded == schedule
        assert [loaded(step) for step in STEPS] == [schedule(step) for step in STEPS]


# ------------------------------------------------------------------ errors
@pytest.mark.parametrize(
    ("build", "error", "message"),
    [
        (
            lambda: CoolDown(BASE, -1, 10),
            ValueError,
            "Argument `start_step` must be a whole number >= 0. Received: start_step=-1",
        ),
        (
            lambda: CoolDown(BASE, 10, 0),
            ValueError,
            "Argument `decay_steps` must be a whole number > 0. Received: decay_steps=0",
        ),
        (
            lambda: CoolDown(BASE, 10, 2.5),
            ValueError,
            "Argument `decay_steps` must be a whole number > 0. Received: decay_steps=2.5",
        ),
        (lambda: CoolDown(BASE, 10, 5, shape="step"), ValueError, "Argument `shape`"),
        (
            lambda: CoolDown(BASE, 10, 5, 0.0, "exponential"),
            ValueError,
            "Argument `end_learning_rate` must be > 0 for shape='exponential'. "
            "Received: end_learning_rate=0.0",
        ),
        (
            lambda: CoolDown(Constant(0.0), 10, 5, 0.1, "exponential"),
            ValueError,
            "needs a schedule whose value at `start_step` is > 0",
        ),
        (
            lambda: CoolDown(StepDecay(1.0, 1, 10.0), 400, 5),
            ValueError,
            "value at `start_step` is finite (it decays from it to `end_learning_rate`). "
            "Received: schedule(400)=inf",
        ),
        (lambda: CoolDown(lambda t: 0.1, 10, 5), TypeError, "Argument `schedule`"),
        (
            lambda: TrainLonger(BASE, 100, 100, 200),
            ValueError,
            "Argument `total_steps` must be > current_step=100. Received: total_steps=100",
        ),
        (
            lambda: TrainLonger(BASE, 100, 200, 50),
            ValueError,
            "Argument `new_total_steps` must be > current_step=100. Received: new_total_steps=50",
        ),
        (
            lambda: TrainLonger(BASE, 10, 0, 50),
            ValueError,
            "Argument `total_steps` must be a whole number > 0. Received: total_steps=0",
        ),
        (
            lambda: RescaleTime(BASE, 0),
            ValueError,
            "Argument `ratio` must be > 0. Received: ratio=0",
        ),
        (lambda: RescaleTime(BASE, math.inf), ValueError, "Argument `ratio`"),
        (lambda: RescaleTime(BASE, "2"), TypeError, "Argument `ratio`"),
    ],
)
def test_errors(build: Any, error: type, message: str) -> None:
    with pytest.raises(error) as raised:
        build()
    assert message in str(raised.value)


# ------------------------------------------------------------------ resumed runs
RESUME = 40
RUN = WarmupStableDecay(0.0, 0.1, 10, 80, 10, decay_shape="linear")
RESUMED = [
    CoolDown(RUN, RESUME, 20, 0.001, "cosine"),
    TrainLonger(RUN, RESUME, 100, 160),
    TrainLonger(CosineDecay(0.1, 100), RESUME, 100, 130),
]


@pytest.mark.parametrize("edited", RESUMED, ids=repr)
def test_resumed_pytorch_run_has_no_jump(edited: Any) -> None:
    torch = require("torch")
    from lrschedule.torch import ScheduleLR

    original = edited.schedule
    model = torch.nn.Linear(2, 1)
    optimizer = torch.optim.SGD(model.parameters(), lr=1.0)
    scheduler = ScheduleLR(optimizer, original)
    for _ in range(RESUME):
        optimizer.step()
        scheduler.step()
    before = optimizer.param_groups[0]["lr"]
    state = scheduler.state_dict()
    fresh = torch.optim.SGD(model.parameters(), lr=1.0)
    resumed = ScheduleLR(fresh, edited)
    resumed.load_state_dict(state)
    seen = [fresh.param_groups[0]["lr"]]
    for _ in range(60):
        fresh.step()
        resumed.step()
        seen.append(fresh.param_groups[0]["lr"])
    assert seen[0] == before == original(RESUME)  # the rate at the resume step: unchanged
    assert seen == [edited(RESUME + index) for index in range(61)]


@pytest.mark.parametrize("edited", RESUMED[:2], ids=repr)
def test_resumed_keras_run_has_no_jump(edited: Any) -> None:
    keras = require("keras")
    from lrschedule.keras import to_keras

    original = edited.schedule
    steps_per_epoch, epochs = 10, 4

    def model_with(schedule: Any) -> Any:
        model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
        model.compile(optimizer=keras.optimizers.SGD(learning_rate=to_keras(schedule)), loss="mse")
        return model

    class Record(keras.callbacks.Callback):
        def __init__(self) -> None:
            super().__init__()
            self.rates: list[float] = []

        def on_train_batch_begin(self, batch: int, logs: Any = None) -> None:
            optimizer = self.model.optimizer
            self.rates.append(float(optimizer.learning_rate))

    data = np.ones((steps_per_epoch, 2), dtype="float32"), np.zeros((steps_per_epoch, 1))
    first = model_with(original)
    first.fit(*data, batch_size=1, epochs=epochs, verbose=0)
    assert int(first.optimizer.iterations) == RESUME
    second = model_with(edited)
    second.optimizer.build(second.trainable_variables)
    second.optimizer.iterations.assign(int(first.optimizer.iterations))
    record = Record()
    second.fit(
        *data, batch_size=1, epochs=epochs + 3, initial_epoch=epochs, verbose=0, callbacks=[record]
    )
    expected = [np.float32(edited(RESUME + index)) for index in range(30)]
    assert record.rates[0] == np.float32(original(RESUME))
    assert record.rates == [float(value) for value in expected]
