"""Parity with the peers, live: PyTorch's ``torch.optim.lr_scheduler``, Optax's schedules and
Hugging Face ``transformers``' schedulers, each driven for >= 1,000 steps.

Every test builds the peer's real scheduler or schedule from the mapping documented in
``docs/peers.md`` and finds our values equal:

* float64 peers (PyTorch and Hugging Face on a Python-float ``lr``, Optax under
  ``jax.enable_x64``): within 1e-12 relative, plus, where the peer's own formula cancels,
  the peer's rounding there: ``4 * 2**-52 * amplitude`` for the ``cos(pi * f) + 1`` and
  ``(end - start) * f + start`` terms of PyTorch's ``OneCycleLR``, Optax's cosine and
  linear schedules and Hugging Face's cosines (our own values are within a few ulps of
  exact: ``test_family.py``);
* float32 peers (Optax by default): within float32 rounding.

PyTorch schedulers are stateful: the learning rate in force for update ``t`` is the one
the optimizer holds after ``t`` calls to ``scheduler.step()``; we compare it with our
value at step ``t``. Each peer quirk the mapping relies on is reproduced and named in the
test that shows it.
"""

from __future__ import annotations

import math
import random
import warnings
from collections.abc import Callable, Sequence
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest
import torch
import transformers

from lrschedule import (
    Constant,
    CosineDecay,
    CyclicalLearningRate,
    ExponentialDecay,
    InverseSqrtDecay,
    Join,
    LinearDecay,
    MultiStepDecay,
    OneCycle,
    PiecewiseConstantDecay,
    PiecewiseInterpolation,
    PolynomialDecay,
    StepDecay,
    Warmup,
    WarmupCosineDecay,
    WarmupStableDecay,
)

EPS64 = 2.0**-52
EPS32 = 2.0**-23
RTOL = 1e-12
STEPS = 1500


def ours_at(schedule: Any, count: int) -> np.ndarray:
    return np.asarray([schedule(step) for step in range(count)], dtype=np.float64)


def assert_parity(
    ours: Sequence[float] | np.ndarray,
    theirs: Sequence[float] | np.ndarray,
    *,
    amplitude: float = 0.0,
    rtol: float = RTOL,
    eps: float = EPS64,
) -> None:
    """``|ours - theirs| <= rtol * |theirs| + 4 * eps * amplitude`` at every step."""
    ours, theirs = np.asarray(ours, dtype=np.float64), np.asarray(theirs, dtype=np.float64)
    assert ours.shape == theirs.shape and len(ours) >= 1000
    bound = rtol * np.abs(theirs) + 4 * eps * abs(amplitude) + 1e-300
    bad = np.flatnonzero(~(np.abs(ours - theirs) <= bound))
    assert bad.size == 0, (
        f"{bad.size} steps differ; first at step {bad[0]}: ours={ours[bad[0]]!r}, "
        f"peer={theirs[bad[0]]!r}"
    )


# ---------------------------------------------------------------- PyTorch
def torch_lrs(lr: float, make: Callable[[torch.optim.Optimizer], Any], count: int) -> np.ndarray:
    """The optimizer's lr after 0, 1, ..., count - 1 calls to ``scheduler.step()``."""
    parameter = torch.nn.Parameter(torch.zeros(1, dtype=torch.float64))
    optimizer = torch.optim.SGD([parameter], lr=lr, momentum=0.9)
    scheduler = make(optimizer)
    values = [optimizer.param_groups[0]["lr"]]
    for _ in range(count - 1):
        optimizer.step()
        scheduler.step()
        values.append(optimizer.param_groups[0]["lr"])
    return np.asarray(values, dtype=np.float64)


SCHED = torch.optim.lr_scheduler


@pytest.mark.parametrize(
    ("lr", "step_size", "gamma"),
    [(0.1, 30, 0.1), (0.37, 7, 0.93), (1e-3, 1, 0.999), (2.0, 250, 1.1)],
)
def test_torch_step_lr(lr: float, step_size: int, gamma: float) -> None:
    """``StepLR(step_size, gamma)`` == ``StepDecay(lr, decay_steps=step_size, decay_rate=gamma)``
    (PyTorch multiplies the held lr by gamma at each stair; we compute the power)."""
    theirs = torch_lrs(lr, lambda o: SCHED.StepLR(o, step_size=step_size, gamma=gamma), STEPS)
    assert_parity(ours_at(StepDecay(lr, step_size, gamma), STEPS), theirs)


@pytest.mark.parametrize(
    ("milestones", "gamma"),
    [([30, 80], 0.1), ([0, 100, 100, 999], 0.5), ([1, 2, 3, 500, 1499], 0.9), ([], 0.1)],
)
def test_torch_multi_step_lr(milestones: list[int], gamma: float) -> None:
    """``MultiStepLR`` decays *at* the milestone (Keras's piecewise boundary switches at
    ``b + 1``); a repeated milestone decays twice; a milestone at 0 applies at once."""
    lr = 0.05
    theirs = torch_lrs(
        lr, lambda o: SCHED.MultiStepLR(o, milestones=milestones, gamma=gamma), STEPS
    )
    assert_parity(ours_at(MultiStepDecay(lr, milestones, gamma), STEPS), theirs)


@pytest.mark.parametrize(
    ("start", "end", "total"),
    [(1 / 3, 1.0, 5), (0.01, 1.0, 1000), (1.0, 0.05, 1200), (0.5, 0.25, 1)],
)
def test_torch_linear_lr(start: float, end: float, total: int) -> None:
    """``LinearLR(start_factor, end_factor, total_iters)`` on ``lr`` ==
    ``LinearDecay(lr * start_factor, total_iters, lr * end_factor)``."""
    lr = 0.2
    theirs = torch_lrs(
        lr,
        lambda o: SCHED.LinearLR(o, start_factor=start, end_factor=end, total_iters=total),
        STEPS,
    )
    assert_parity(ours_at(LinearDecay(lr * start, total, lr * end), STEPS), theirs)


ONE_CYCLE = [
    (0.1, 1000, 0.3, "cos", 25.0, 1e4, False),
    (0.1, 1000, 0.3, "linear", 25.0, 1e4, False),
    (0.4, 1337, 0.25, "cos", 10.0, 100.0, True),
    (0.4, 1337, 0.25, "linear", 10.0, 100.0, True),
    (1.0, 2001, 0.123, "cos", 25.0, 1e4, False),  # the peak between two steps
    (0.01, 1500, 0.45, "linear", 5.0, 1e3, True),
]


@pytest.mark.parametrize("args", ONE_CYCLE, ids=str)
def test_torch_one_cycle_lr(args: tuple[Any, ...]) -> None:
    """``OneCycleLR(max_lr, total_steps, pct_start, anneal_strategy, div_factor,
    final_div_factor, three_phase)`` == ``OneCycle`` with the same arguments, over the
    ``total_steps`` updates of the run (steps 0 .. N - 1).

    PyTorch's phase ends are ``float(pct_start * N) - 1`` (and ``float(2 * pct_start * N)
    - 2``) and ``N - 1``, reproduced exactly, fractional ones included. Quirk: stepped to
    ``N`` PyTorch extrapolates its last phase (past ``eta_min``); ours holds ``eta_min``.
    """
    peak, total, pct, strategy, div, final, three = args
    theirs = torch_lrs(
        peak / div,
        lambda o: SCHED.OneCycleLR(
            o,
            max_lr=peak,
            total_steps=total,
            pct_start=pct,
            anneal_strategy=strategy,
            div_factor=div,
            final_div_factor=final,
            three_phase=three,
            cycle_momentum=False,
        ),
        total + 1,
    )
    schedule = OneCycle(peak, total, pct, strategy, div, final, three)
    assert_parity(ours_at(schedule, total), theirs[:total], amplitude=peak)
    low = peak / div / final
    assert schedule(total) == schedule(10 * total) == low
    assert theirs[total] != low  # PyTorch's extrapolation at step N


CYCLIC = [
    (0.001, 0.006, 200, None, "triangular", 1.0),
    (0.001, 0.006, 150, 350, "triangular2", 1.0),
    (0.01, 0.1, 64, 36, "exp_range", 0.9995),
    (0.01, 0.1, 2000, None, "triangular", 1.0),
    (0.5, 0.1, 123.5, 76.25, "triangular2", 1.0),  # fractional step sizes, falling first
]


@pytest.mark.parametrize("args", CYCLIC, ids=str)
def test_torch_cyclic_lr(args: tuple[Any, ...]) -> None:
    """``CyclicLR(base_lr, max_lr, step_size_up, step_size_down, mode, gamma)`` ==
    ``CyclicalLearningRate`` with the same arguments: the scale is per cycle for the
    triangular modes (``1`` and ``1 / 2 ** (cycle - 1)``) and per step for ``exp_range``
    (``gamma ** t``), PyTorch's ``scale_mode`` defaults."""
    low, high, up, down, mode, gamma = args
    count = 4000
    theirs = torch_lrs(
        low,
        lambda o: SCHED.CyclicLR(
            o,
            base_lr=low,
            max_lr=high,
            step_size_up=up,
            step_size_down=down,
            mode=mode,
            gamma=gamma,
            cycle_momentum=False,
        ),
        count,
    )
    schedule = CyclicalLearningRate(low, high, up, down, mode, gamma)
    assert_parity(ours_at(schedule, count), theirs)


def test_torch_sequential_warmup_cosine() -> None:
    """``SequentialLR([LinearLR(start_factor=a / P, total_iters=W), CosineAnnealingLR(D,
    eta_min)], milestones=[W])`` on ``lr=P`` == ``Warmup(CosineDecay(P, D, alpha=eta_min /
    P), W, initial_learning_rate=a)`` until ``W + D``. Quirks: ``LinearLR`` cannot start at
    0 (``start_factor > 0``), and ``CosineAnnealingLR`` climbs back up after ``T_max``
    (ours holds the floor)."""
    peak, start, warmup, decay, floor = 0.1, 0.004, 100, 1200, 0.001
    total = warmup + decay + 1
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # SequentialLR's epoch deprecation notice
        theirs = torch_lrs(
            peak,
            lambda o: SCHED.SequentialLR(
                o,
                [
                    SCHED.LinearLR(o, start_factor=start / peak, total_iters=warmup),
                    SCHED.CosineAnnealingLR(o, T_max=decay, eta_min=floor),
                ],
                milestones=[warmup],
            ),
            total + 50,
        )
    schedule = Warmup(CosineDecay(peak, decay, alpha=floor / peak), warmup, start)
    assert_parity(ours_at(schedule, total), theirs[:total], amplitude=peak)
    assert schedule(total + 49) == pytest.approx(floor) and theirs[total + 49] > floor * 1.01


# ---------------------------------------------------------------- Optax
def optax_values(make: Callable[[], Any], count: int, *, x64: bool = True) -> np.ndarray:
    """The Optax schedule at counts 0 .. count - 1 (float64 under ``jax.enable_x64``)."""
    with jax.enable_x64(x64):
        schedule = make()
        values = jax.vmap(schedule)(jnp.arange(count))
        assert values.dtype == (jnp.float64 if x64 else jnp.float32)
        return np.asarray(values, dtype=np.float64)


@pytest.mark.parametrize(
    ("init", "end", "steps", "begin"),
    [(0.1, 0.001, 1000, 0), (1e-4, 0.3, 777, 250), (0.5, 0.0, 1, 0)],
)
def test_optax_linear_schedule(init: float, end: float, steps: int, begin: int) -> None:
    """``linear_schedule(init, end, transition_steps, transition_begin)`` ==
    ``LinearDecay(init, transition_steps, end)``, behind a ``Join`` with a ``Constant``
    when ``transition_begin > 0``."""
    theirs = optax_values(lambda: optax.linear_schedule(init, end, steps, begin), STEPS)
    ours: Any = LinearDecay(init, steps, end)
    if begin:
        ours = Join([Constant(init), ours], [begin])
    assert_parity(ours_at(ours, STEPS), theirs, amplitude=abs(init - end))


@pytest.mark.parametrize(
    ("init", "peak", "warmup", "total", "end", "exponent"),
    [
        (0.0, 0.1, 100, 1000, 0.0, 1.0),
        (0.01, 0.3, 250, 1400, 0.003, 1.0),
        (1e-4, 0.05, 1, 1200, 1e-5, 2.0),
        (0.0, 0.2, 0, 1300, 0.02, 0.5),
    ],
)
def test_optax_warmup_cosine_decay(
    init: float, peak: float, warmup: int, total: int, end: float, exponent: float
) -> None:
    """``warmup_cosine_decay_schedule(init, peak, W, decay_steps, end, exponent)`` ==
    ``WarmupCosineDecay(init, peak, W, decay_steps - W, end, exponent)``. Quirk: Optax's
    ``decay_steps`` is the total length, warmup included; ours counts the decay only."""
    theirs = optax_values(
        lambda: optax.warmup_cosine_decay_schedule(init, peak, warmup, total, end, exponent), STEPS
    )
    ours = WarmupCosineDecay(init, peak, warmup, total - warmup, end, exponent)
    assert_parity(ours_at(ours, STEPS), theirs, amplitude=peak)


def test_optax_warmup_cosine_decay_in_float32() -> None:
    """Optax's default float32: our float64 values are within its rounding."""
    theirs = optax_values(
        lambda: optax.warmup_cosine_decay_schedule(0.0, 0.1, 100, 1100, 0.001), STEPS, x64=False
    )
    ours = ours_at(WarmupCosineDecay(0.0, 0.1, 100, 1000, 0.001), STEPS)
    assert_parity(ours, theirs, rtol=8 * EPS32, eps=4 * EPS32, amplitude=0.1)


def test_optax_join_schedules() -> None:
    """``join_schedules(schedules, boundaries)`` == ``Join``: schedule ``i`` from
    ``boundaries[i - 1]`` (inclusive) on its own clock, ``step - boundaries[i - 1]``."""

    def make() -> Any:
        return optax.join_schedules(
            [
                optax.linear_schedule(0.0, 0.1, 100),
                optax.constant_schedule(0.1),
                optax.cosine_decay_schedule(0.1, 600, alpha=0.05),
                optax.exponential_decay(0.005, 50, 0.5, staircase=True),
            ],
            [100, 400, 1000],
        )

    theirs = optax_values(make, STEPS)
    ours = Join(
        [
            LinearDecay(0.0, 100, 0.1),
            Constant(0.1),
            CosineDecay(0.1, 600, alpha=0.05),
            ExponentialDecay(0.005, 50, 0.5, staircase=True),
        ],
        [100, 400, 1000],
    )
    values = ours_at(ours, STEPS)
    assert_parity(values, theirs, amplitude=0.1)
    for boundary in (100, 400, 1000):
        for step in (boundary - 1, boundary, boundary + 1):
            assert values[step] == pytest.approx(theirs[step], rel=1e-12, abs=1e-16)


@pytest.mark.parametrize(
    ("init", "peak", "warmup", "transition", "rate", "staircase"),
    [(0.0, 0.1, 200, 100, 0.9, False), (0.01, 0.2, 50, 75, 0.5, True)],
)
def test_optax_warmup_exponential_decay(
    init: float, peak: float, warmup: int, transition: int, rate: float, staircase: bool
) -> None:
    """``warmup_exponential_decay_schedule(init, peak, W, T, rate, staircase=...)`` ==
    ``Warmup(ExponentialDecay(peak, T, rate, staircase), W, init)``: Optax restarts the
    decay's clock at ``W`` too."""
    theirs = optax_values(
        lambda: optax.warmup_exponential_decay_schedule(
            init, peak, warmup, transition, rate, staircase=staircase
        ),
        STEPS,
    )
    ours = Warmup(ExponentialDecay(peak, transition, rate, staircase=staircase), warmup, init)
    assert_parity(ours_at(ours, STEPS), theirs, amplitude=peak)


def test_optax_sgdr_schedule() -> None:
    """``sgdr_schedule([kwargs, ...])`` == a ``Join`` of ``WarmupCosineDecay`` cycles, each
    cycle's ``decay_steps`` less its warmup (Optax's cycles count their warmup)."""
    cycles = [
        {
            "init_value": 0.0,
            "peak_value": 0.1,
            "warmup_steps": 50,
            "decay_steps": 500,
            "end_value": 1e-3,
        },
        {
            "init_value": 1e-3,
            "peak_value": 0.05,
            "warmup_steps": 20,
            "decay_steps": 400,
            "end_value": 1e-4,
        },
        {
            "init_value": 1e-4,
            "peak_value": 0.02,
            "warmup_steps": 10,
            "decay_steps": 700,
            "end_value": 0.0,
        },
    ]
    theirs = optax_values(lambda: optax.sgdr_schedule(cycles), STEPS)
    ours = Join(
        [
            WarmupCosineDecay(
                c["init_value"],
                c["peak_value"],
                c["warmup_steps"],
                c["decay_steps"] - c["warmup_steps"],
                c["end_value"],
            )
            for c in cycles
        ],
        [500, 900],
    )
    assert_parity(ours_at(ours, STEPS), theirs, amplitude=0.1)


@pytest.mark.parametrize(
    ("total", "peak", "pct", "div", "final"),
    [(1000, 0.1, 0.3, 25.0, 1e4), (1234, 0.5, 0.45, 10.0, 100.0), (1100, 1.0, 0.0005, 25.0, 1e4)],
)
def test_optax_cosine_onecycle(
    total: int, peak: float, pct: float, div: float, final: float
) -> None:
    """``cosine_onecycle_schedule(T, peak, pct_start, div, final_div)`` ==
    ``PiecewiseInterpolation([int(pct_start * T), T], [peak / div, peak, peak / (div *
    final_div)], "cosine")``. Optax's knots: the peak at ``int(pct_start * T)``, the end at
    ``T`` (PyTorch: ``pct_start * T - 1`` and ``T - 1``)."""
    theirs = optax_values(
        lambda: optax.cosine_onecycle_schedule(total, peak, pct, div, final), STEPS
    )
    rise = int(pct * total)
    boundaries = [rise, total] if rise > 0 else [total]
    values = [peak / div, peak, peak / (div * final)]
    ours = PiecewiseInterpolation(boundaries, values if rise > 0 else values[1:], "cosine")
    assert_parity(ours_at(ours, STEPS), theirs, amplitude=peak)


@pytest.mark.parametrize(
    ("total", "peak", "start", "final_pct", "div", "final"),
    [(1000, 0.1, 0.3, 0.85, 25.0, 1e4), (1300, 0.02, 0.2, 0.6, 5.0, 1e3)],
)
def test_optax_linear_onecycle(
    total: int, peak: float, start: float, final_pct: float, div: float, final: float
) -> None:
    """``linear_onecycle_schedule(T, peak, pct_start, pct_final, div, final_div)`` ==
    ``PiecewiseInterpolation([int(pct_start * T), int(pct_final * T), T], [peak / div,
    peak, peak / div, peak / (div * final_div)])``."""
    theirs = optax_values(
        lambda: optax.linear_onecycle_schedule(total, peak, start, final_pct, div, final), STEPS
    )
    ours = PiecewiseInterpolation(
        [int(start * total), int(final_pct * total), total],
        [peak / div, peak, peak / div, peak / div / final],
    )
    assert_parity(ours_at(ours, STEPS), theirs, amplitude=peak)


@pytest.mark.parametrize("kind", ["linear", "cosine"])
def test_optax_piecewise_interpolate(kind: str) -> None:
    """``piecewise_interpolate_schedule(kind, init, {b: scale})`` == ``PiecewiseInterpolation``
    over the running products of the scales (Optax's scales are cumulative ratios)."""
    init, scales = 0.02, {100: 5.0, 400: 0.5, 900: 0.01, 1300: 2.0}
    theirs = optax_values(lambda: optax.piecewise_interpolate_schedule(kind, init, scales), STEPS)
    values = [init]
    for boundary in sorted(scales):
        values.append(values[-1] * scales[boundary])
    ours = PiecewiseInterpolation(sorted(scales), values, kind)
    assert_parity(ours_at(ours, STEPS), theirs, amplitude=max(values))


def test_optax_piecewise_constant_and_the_keras_boundary() -> None:
    """Optax's ``piecewise_constant_schedule`` switches *at* each boundary, as
    ``MultiStepDecay`` does; Keras's ``PiecewiseConstantDecay(b, v)`` switches at ``b + 1``,
    so it equals Optax with the keys ``b + 1`` and the ratios ``v[i + 1] / v[i]``."""
    theirs = optax_values(
        lambda: optax.piecewise_constant_schedule(0.1, {300: 0.5, 700: 0.5, 1100: 0.5}), STEPS
    )
    assert_parity(ours_at(MultiStepDecay(0.1, [300, 700, 1100], 0.5), STEPS), theirs)
    values = [0.1, 0.02, 0.005, 0.004]
    keras_like = PiecewiseConstantDecay([300, 700, 1100], values)
    shifted = optax_values(
        lambda: optax.piecewise_constant_schedule(
            values[0], {b + 1: values[i + 1] / values[i] for i, b in enumerate([300, 700, 1100])}
        ),
        STEPS,
    )
    assert_parity(ours_at(keras_like, STEPS), shifted)
    joined = Join([Constant(v) for v in values], [301, 701, 1101])
    assert_parity(ours_at(joined, STEPS), shifted)
    assert keras_like(300) == 0.1 and keras_like(301) == 0.02


# ---------------------------------------------------------------- Hugging Face
def hf_lrs(name: str, lr: float, count: int, **kwargs: Any) -> np.ndarray:
    """The lr of ``transformers.get_scheduler(name, ...)`` after 0 .. count - 1 steps."""
    specific = {
        key: kwargs.pop(key)
        for key in list(kwargs)
        if key not in ("num_warmup_steps", "num_training_steps")
    }
    return torch_lrs(
        lr,
        lambda o: transformers.get_scheduler(
            name, o, scheduler_specific_kwargs=specific or None, **kwargs
        ),
        count,
    )


@pytest.mark.parametrize(("warmup", "total"), [(100, 1000), (0, 1200), (1, 1400), (350, 700)])
def test_hf_linear(warmup: int, total: int) -> None:
    """HF ``linear`` (warmup from 0, then linear to 0 at ``num_training_steps``) ==
    ``Warmup(LinearDecay(lr, N - W, 0.0), W)``. Quirk: HF's warmup starts at 0, so the
    first update gets a learning rate of 0 (our default ``initial_learning_rate``)."""
    lr = 3e-4
    theirs = hf_lrs("linear", lr, STEPS, num_warmup_steps=warmup, num_training_steps=total)
    ours = Warmup(LinearDecay(lr, total - warmup, 0.0), warmup)
    assert_parity(ours_at(ours, STEPS), theirs)
    if warmup:
        assert theirs[0] == ours(0) == 0.0


@pytest.mark.parametrize(("warmup", "total"), [(100, 1000), (0, 1300), (250, 1400)])
def test_hf_cosine(warmup: int, total: int) -> None:
    """HF ``cosine`` (``num_cycles=0.5``) == ``WarmupCosineDecay(0.0, lr, W, N - W)`` up
    to ``N``. Quirk: HF's cosine is not clamped, so past ``N`` it climbs back up; ours
    holds the floor."""
    lr = 5e-4
    theirs = hf_lrs("cosine", lr, total + 200, num_warmup_steps=warmup, num_training_steps=total)
    ours = WarmupCosineDecay(0.0, lr, warmup, total - warmup)
    assert_parity(ours_at(ours, total + 1), theirs[: total + 1], amplitude=lr)
    assert ours(total + 100) == 0.0 < theirs[total + 100]


@pytest.mark.parametrize(
    ("warmup", "total", "rate"), [(100, 1000, 0.1), (0, 1250, 0.01), (40, 1100, 0.5)]
)
def test_hf_cosine_with_min_lr(warmup: int, total: int, rate: float) -> None:
    """HF ``cosine_with_min_lr`` (``min_lr_rate=m``) == ``WarmupCosineDecay(0.0, lr, W,
    N - W, m * lr)`` up to ``N``; HF's ``min_lr`` is converted through the optimizer's
    default lr (``m = min_lr / lr``)."""
    lr = 2e-3
    theirs = hf_lrs(
        "cosine_with_min_lr",
        lr,
        STEPS,
        num_warmup_steps=warmup,
        num_training_steps=total,
        min_lr_rate=rate,
    )
    ours = WarmupCosineDecay(0.0, lr, warmup, total - warmup, rate * lr)
    assert_parity(ours_at(ours, total + 1), theirs[: total + 1], amplitude=lr)
    absolute = hf_lrs(
        "cosine_with_min_lr",
        lr,
        STEPS,
        num_warmup_steps=warmup,
        num_training_steps=total,
        min_lr=rate * lr,
    )
    assert_parity(ours_at(ours, total + 1), absolute[: total + 1], amplitude=lr)


@pytest.mark.parametrize(("warmup", "timescale"), [(100, None), (0, None), (400, 50), (10, 1000)])
def test_hf_inverse_sqrt(warmup: int, timescale: int | None) -> None:
    """HF ``inverse_sqrt`` == ``Warmup(InverseSqrtDecay(lr, decay_steps=timescale), W)``;
    HF's ``timescale`` defaults to ``W``, or 10,000 when ``W`` is 0."""
    lr = 1e-3
    kwargs = {} if timescale is None else {"timescale": timescale}
    theirs = hf_lrs("inverse_sqrt", lr, STEPS, num_warmup_steps=warmup, **kwargs)
    scale = timescale if timescale is not None else (warmup or 10_000)
    ours = Warmup(InverseSqrtDecay(lr, scale), warmup)
    assert_parity(ours_at(ours, STEPS), theirs)


def test_fairseq_inverse_sqrt_formula() -> None:
    """fairseq's ``inverse_sqrt`` (not installed: its formula from
    ``fairseq/optim/lr_scheduler/inverse_square_root_schedule.py``): warmup
    ``warmup_init_lr + t * (lr - warmup_init_lr) / W``, then ``lr * sqrt(W) / sqrt(t)``."""
    lr, warmup, init = 5e-4, 4000, 1e-7
    step_size = (lr - init) / warmup
    decay = lr * warmup**0.5
    theirs = [init + t * step_size if t < warmup else decay * t**-0.5 for t in range(20_000)]
    ours = Warmup(InverseSqrtDecay(lr, warmup), warmup, init)
    assert_parity(ours_at(ours, 20_000), theirs, amplitude=lr)


def test_hf_constant_with_warmup() -> None:
    lr = 1e-4
    theirs = hf_lrs("constant_with_warmup", lr, STEPS, num_warmup_steps=300)
    assert_parity(ours_at(Warmup(Constant(lr), 300), STEPS), theirs)


@pytest.mark.parametrize(
    ("warmup", "total", "end", "power"), [(100, 1000, 1e-7, 1.0), (50, 1200, 1e-5, 2.0)]
)
def test_hf_polynomial(warmup: int, total: int, end: float, power: float) -> None:
    """HF ``polynomial`` (``lr_end``, ``power``) == ``Warmup(PolynomialDecay(lr, N - W,
    lr_end, power), W)``: Keras's polynomial decay behind a warmup."""
    lr = 1e-3
    theirs = hf_lrs(
        "polynomial",
        lr,
        STEPS,
        num_warmup_steps=warmup,
        num_training_steps=total,
        lr_end=end,
        power=power,
    )
    ours = Warmup(PolynomialDecay(lr, total - warmup, end, power), warmup)
    assert_parity(ours_at(ours, STEPS), theirs, amplitude=lr)


WSD_SHAPES = [
    (up, down) for up in ("linear", "cosine", "1-sqrt") for down in ("linear", "cosine", "1-sqrt")
]


@pytest.mark.parametrize(("up", "down"), WSD_SHAPES)
def test_hf_warmup_stable_decay(up: str, down: str) -> None:
    """HF ``warmup_stable_decay`` (``min_lr_ratio=m``) == ``WarmupStableDecay(m * lr, lr, W,
    S, D, m * lr, warmup_shape, decay_shape)``: HF's warmup starts at ``m`` times the peak
    and its decay ends there; with ``num_training_steps=N``, ``S = N - W - D``."""
    lr, warmup, stable, decay, ratio = 1e-3, 200, 500, 600, 0.05
    rng = random.Random(up + down)
    if rng.random() < 0.5:
        kwargs = {"num_stable_steps": stable}
    else:
        kwargs = {"num_training_steps": warmup + stable + decay}
    theirs = hf_lrs(
        "warmup_stable_decay",
        lr,
        STEPS,
        num_warmup_steps=warmup,
        num_decay_steps=decay,
        warmup_type=up,
        decay_type=down,
        min_lr_ratio=ratio,
        **kwargs,
    )
    ours = WarmupStableDecay(ratio * lr, lr, warmup, stable, decay, ratio * lr, up, down)
    assert_parity(ours_at(ours, STEPS), theirs, amplitude=lr)


def test_hf_warmup_stable_decay_defaults() -> None:
    lr = 3e-4
    theirs = hf_lrs(
        "warmup_stable_decay",
        lr,
        STEPS,
        num_warmup_steps=100,
        num_decay_steps=300,
        num_training_steps=1200,
    )
    assert_parity(ours_at(WarmupStableDecay(0.0, lr, 100, 800, 300), STEPS), theirs, amplitude=lr)


# ---------------------------------------------------------------- Keras
def test_keras_cosine_warmup_is_warmup_cosine_decay() -> None:
    """Keras ``CosineDecay(a, D, alpha, warmup_target=P, warmup_steps=W)`` ==
    ``WarmupCosineDecay(a, P, W, D, alpha * P)`` (Keras's floor is a fraction of the peak)."""
    keras = pytest.importorskip("keras")
    a, peak, warmup, decay, alpha = 0.001, 0.1, 100, 1000, 0.05
    theirs_schedule = keras.optimizers.schedules.CosineDecay(
        np.float64(a), decay, alpha=alpha, warmup_target=np.float64(peak), warmup_steps=warmup
    )
    theirs = [float(theirs_schedule(np.float64(step))) for step in range(1200)]
    ours = ours_at(WarmupCosineDecay(a, peak, warmup, decay, alpha * peak), 1200)
    assert_parity(ours, theirs, amplitude=peak)


def test_every_parity_test_runs_long_enough() -> None:
    assert STEPS >= 1000
    assert math.isclose(EPS64, np.finfo(np.float64).eps)
