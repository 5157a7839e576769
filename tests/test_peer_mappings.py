"""More of the peers' schedulers, live, against the mappings of ``docs/peers.md``.

PyTorch's ``ExponentialLR``, ``ConstantLR``, ``PolynomialLR``, ``CosineAnnealingWarmRestarts``,
``LambdaLR`` and ``MultiplicativeLR``; Hugging Face's ``cosine_with_hard_restarts``; Optax's
``polynomial_schedule``, ``cosine_decay_schedule`` with ``exponent``, a
``piecewise_interpolate_schedule`` with a knot at step 0 and a
``warmup_cosine_decay_schedule`` with ``peak_value=0``. Each runs for >= 1,000 steps, compared
as in ``test_peer_parity.py``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from tests.test_peer_parity import (
    SCHED,
    STEPS,
    assert_parity,
    hf_lrs,
    optax_values,
    ours_at,
    torch_lrs,
)

from conftest import require
from lrschedule import (
    Constant,
    CosineDecayRestarts,
    ExponentialDecay,
    Join,
    PiecewiseConstantDecay,
    PiecewiseInterpolation,
    PolynomialDecay,
    Scale,
    Warmup,
    WarmupCosineDecay,
)

optax = require("optax")


# ---------------------------------------------------------------- PyTorch
@pytest.mark.parametrize(("lr", "gamma"), [(0.1, 0.995), (0.02, 1.001), (1.0, 0.9)])
def test_torch_exponential_lr(lr: float, gamma: float) -> None:
    """``ExponentialLR(gamma=g)`` == ``ExponentialDecay(lr, 1, g)``."""
    theirs = torch_lrs(lr, lambda o: SCHED.ExponentialLR(o, gamma=gamma), STEPS)
    assert_parity(ours_at(ExponentialDecay(lr, 1, gamma), STEPS), theirs)


@pytest.mark.parametrize(("factor", "total"), [(1 / 3, 5), (0.25, 400), (0.9, 1)])
def test_torch_constant_lr(factor: float, total: int) -> None:
    """``ConstantLR(factor=f, total_iters=W)`` == ``PiecewiseConstantDecay([W - 1], [lr * f,
    lr])``: ``f`` for steps ``0 .. W - 1``, Keras's boundary switching one step after it."""
    lr = 0.3
    theirs = torch_lrs(lr, lambda o: SCHED.ConstantLR(o, factor=factor, total_iters=total), STEPS)
    ours = PiecewiseConstantDecay([total - 1], [lr * factor, lr])
    assert_parity(ours_at(ours, STEPS), theirs)


@pytest.mark.parametrize(("total", "power"), [(1000, 1.0), (700, 2.0), (1234, 0.5)])
def test_torch_polynomial_lr(total: int, power: float) -> None:
    """``PolynomialLR(total_iters=T, power=p)`` == ``PolynomialDecay(lr, T, 0.0, power=p)``
    (PyTorch holds 0 after ``T``, as ``PolynomialDecay`` holds its end)."""
    lr = 0.05
    theirs = torch_lrs(lr, lambda o: SCHED.PolynomialLR(o, total_iters=total, power=power), STEPS)
    ours = PolynomialDecay(lr, total, 0.0, power=power)
    assert_parity(ours_at(ours, STEPS), theirs, amplitude=lr)


@pytest.mark.parametrize(("first", "mult", "eta_min"), [(100, 1, 0.0), (50, 2, 1e-4), (7, 3, 0.0)])
def test_torch_cosine_annealing_warm_restarts(first: int, mult: int, eta_min: float) -> None:
    """``CosineAnnealingWarmRestarts(T_0, T_mult, eta_min)`` == ``CosineDecayRestarts(lr,
    T_0, t_mul=T_mult, alpha=eta_min / lr)``."""
    lr = 0.1
    theirs = torch_lrs(
        lr,
        lambda o: SCHED.CosineAnnealingWarmRestarts(o, T_0=first, T_mult=mult, eta_min=eta_min),
        STEPS,
    )
    ours = CosineDecayRestarts(lr, first, t_mul=float(mult), alpha=eta_min / lr)
    assert_parity(ours_at(ours, STEPS), theirs, amplitude=lr)


def test_torch_lambda_lr_takes_a_schedule_as_its_multiplier() -> None:
    """``LambdaLR(lr_lambda=s)`` with a schedule ``s`` of multipliers == ``Scale(s, lr)``;
    the schedule itself is the lambda."""
    lr, multiplier = 0.4, Warmup(ExponentialDecay(1.0, 100, 0.5), 50)
    theirs = torch_lrs(lr, lambda o: SCHED.LambdaLR(o, lr_lambda=multiplier), STEPS)
    assert_parity(ours_at(Scale(multiplier, lr), STEPS), theirs)


def test_torch_multiplicative_lr() -> None:
    """``MultiplicativeLR(lr_lambda=lambda t: g)`` (a constant factor per step) ==
    ``ExponentialDecay(lr, 1, g)``."""
    theirs = torch_lrs(0.2, lambda o: SCHED.MultiplicativeLR(o, lr_lambda=lambda _: 0.997), STEPS)
    assert_parity(ours_at(ExponentialDecay(0.2, 1, 0.997), STEPS), theirs)


# ----------------------------------------------------------- Hugging Face
@pytest.mark.parametrize(
    ("warmup", "total", "cycles"), [(100, 1300, 3), (0, 1000, 2), (40, 1100, 1)]
)
def test_hf_cosine_with_hard_restarts(warmup: int, total: int, cycles: int) -> None:
    """``cosine_with_restarts`` (``get_cosine_with_hard_restarts_schedule_with_warmup``, ``num_cycles=c``) == ``Warmup(CosineDecayRestarts(lr,
    (N - W) / c, t_mul=1.0), W)`` up to ``N`` (Hugging Face gives 0 from ``N`` on)."""
    lr = 1e-3
    theirs = hf_lrs(
        "cosine_with_restarts",
        lr,
        total + 100,
        num_warmup_steps=warmup,
        num_training_steps=total,
        num_cycles=cycles,
    )
    ours = Warmup(CosineDecayRestarts(lr, (total - warmup) / cycles, t_mul=1.0), warmup)
    assert_parity(ours_at(ours, total), theirs[:total], amplitude=lr)
    assert theirs[total + 50] == 0.0


# ------------------------------------------------------------------ Optax
@pytest.mark.parametrize(
    ("init", "end", "power", "steps", "begin"),
    [(0.1, 0.001, 2.0, 1000, 0), (0.01, 0.2, 0.5, 800, 150), (1.0, 0.0, 3.0, 1, 0)],
)
def test_optax_polynomial_schedule(
    init: float, end: float, power: float, steps: int, begin: int
) -> None:
    """``polynomial_schedule(init, end, p, T, transition_begin=B)`` ==
    ``Join([Constant(init), PolynomialDecay(init, T, end, power=p)], [B])`` (B = 0: the decay)."""
    theirs = optax_values(
        lambda: optax.polynomial_schedule(init, end, power, steps, transition_begin=begin), STEPS
    )
    decay = PolynomialDecay(init, steps, end, power=power)
    ours: Any = Join([Constant(init), decay], [begin]) if begin else decay
    assert_parity(ours_at(ours, STEPS), theirs, amplitude=abs(init - end))


@pytest.mark.parametrize(("alpha", "exponent"), [(0.0, 1.0), (0.1, 2.0), (0.05, 0.5)])
def test_optax_cosine_decay_schedule_with_exponent(alpha: float, exponent: float) -> None:
    """``cosine_decay_schedule(init, T, alpha=a, exponent=p)`` ==
    ``WarmupCosineDecay(init, init, 0, T, a * init, exponent=p)``."""
    init, steps = 0.3, 900
    theirs = optax_values(
        lambda: optax.cosine_decay_schedule(init, steps, alpha=alpha, exponent=exponent), STEPS
    )
    ours = WarmupCosineDecay(init, init, 0, steps, alpha * init, exponent=exponent)
    assert_parity(ours_at(ours, STEPS), theirs, amplitude=init)


def test_optax_piecewise_interpolate_with_a_knot_at_zero() -> None:
    """A boundary at 0 applies its scale at step 0: ``piecewise_interpolate_schedule("linear",
    13.0, {0: 2.0, 5: 3.0})`` is 26 at step 0 and 78 at step 5, which is
    ``PiecewiseInterpolation([5], [26.0, 78.0])``: the scale of a boundary at 0 multiplies
    ``init``, and that boundary is dropped."""
    theirs = optax_values(
        lambda: optax.piecewise_interpolate_schedule("linear", 13.0, {0: 2.0, 5: 3.0}), STEPS
    )
    assert theirs[0] == 26.0 and theirs[5] == 78.0
    assert_parity(ours_at(PiecewiseInterpolation([5], [26.0, 78.0]), STEPS), theirs)


def test_optax_warmup_cosine_decay_with_a_peak_of_zero() -> None:
    """With ``peak_value=0`` Optax ignores ``end_value``: the rate is 0 after the warmup,
    which is ``Warmup(Constant(0.0), W, init)``."""
    theirs = optax_values(
        lambda: optax.warmup_cosine_decay_schedule(0.01, 0.0, 100, 1000, end_value=0.005), STEPS
    )
    ours = Warmup(Constant(0.0), 100, initial_learning_rate=0.01)
    assert_parity(ours_at(ours, STEPS), theirs, amplitude=0.01)
    assert np.all(theirs[100:] == 0.0)
