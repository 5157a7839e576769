"""Momentum cycled against the learning rate, live against PyTorch's ``cycle_momentum``.

``ScheduleLR(optimizer, OneCycle(...), cycle_momentum=True)`` and the same with a
``CyclicalLearningRate`` are run side by side with PyTorch's ``OneCycleLR`` and ``CyclicLR``
(``cycle_momentum=True``, their default) on twin optimizers, SGD with momentum and Adam,
for >= 1,000 updates. Before every update the learning rate and the momentum (SGD) or
``betas[0]`` (Adam) the optimizer holds are compared:

* momentum and ``betas[0]``: within 1e-12 relative;
* learning rate: within 1e-12 relative, plus, near the end of a one-cycle run where
  PyTorch's ``end + (start - end) / 2 * (cos(pi * f) + 1)`` (and ``(end - start) * f +
  start``) cancels, PyTorch's own rounding there, ``4 * 2**-52 * max_lr`` (the allowance of
  ``tests/test_peer_parity.py``; the figure is printed by the test's failure message).

``betas[1]`` stays untouched, the parameters trained by both runs agree, and
``momentum_schedule`` builds serializable library schedules with PyTorch's defaults
(0.85 / 0.95 for ``OneCycleLR``, 0.8 / 0.9 for ``CyclicLR``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import torch

from lrschedule import (
    CosineDecay,
    CyclicalLearningRate,
    OneCycle,
    PiecewiseInterpolation,
    deserialize,
    serialize,
)
from lrschedule.schedules.momentum import momentum_schedule
from lrschedule.torch import ScheduleLR

SCHED = torch.optim.lr_scheduler
RTOL = 1e-12
EPS64 = 2.0**-52


def _optimizer(kind: str) -> tuple[torch.optim.Optimizer, torch.nn.Parameter]:
    torch.manual_seed(0)
    weight = torch.nn.Parameter(torch.randn(5, dtype=torch.float64))
    if kind == "sgd":
        return torch.optim.SGD([weight], lr=1.0, momentum=0.5, weight_decay=1e-3), weight
    return torch.optim.Adam([weight], lr=1.0, betas=(0.5, 0.995)), weight


def _momentum(optimizer: torch.optim.Optimizer) -> float:
    group = optimizer.param_groups[0]
    return float(group["betas"][0] if "betas" in group else group["momentum"])


def _trace(
    kind: str, make: Callable[[torch.optim.Optimizer], Any], count: int
) -> tuple[np.ndarray, np.ndarray, list[Any], torch.Tensor]:
    """The lr, the momentum and the whole group before each of ``count`` updates."""
    optimizer, weight = _optimizer(kind)
    scheduler = make(optimizer)
    lrs, momenta, groups = [], [], []
    for step in range(count):
        group = optimizer.param_groups[0]
        lrs.append(float(group["lr"]))
        momenta.append(_momentum(optimizer))
        groups.append({key: value for key, value in group.items() if key != "params"})
        weight.grad = torch.cos(torch.arange(5, dtype=torch.float64) + step)
        optimizer.step()
        if step < count - 1:
            scheduler.step()
    return np.asarray(lrs), np.asarray(momenta), groups, weight.detach()


def _assert_close(ours: np.ndarray, theirs: np.ndarray, *, allowance: float = 0.0) -> None:
    assert ours.shape == theirs.shape and len(ours) >= 1000
    error = np.abs(ours - theirs)
    bound = RTOL * np.abs(theirs) + allowance
    bad = np.flatnonzero(~(error <= bound))
    worst = float(np.max(error / np.abs(theirs)))
    assert bad.size == 0, (
        f"{bad.size} steps differ; first at {bad[0]}: ours={ours[bad[0]]!r}, "
        f"peer={theirs[bad[0]]!r}; worst relative error {worst:.3g}"
    )


def _assert_same_run(
    kind: str,
    ours: Callable[[torch.optim.Optimizer], Any],
    theirs: Callable[[torch.optim.Optimizer], Any],
    count: int,
    *,
    lr_allowance: float = 0.0,
) -> None:
    our_lr, our_m, our_groups, our_weight = _trace(kind, ours, count)
    peer_lr, peer_m, peer_groups, peer_weight = _trace(kind, theirs, count)
    _assert_close(our_lr, peer_lr, allowance=lr_allowance)
    _assert_close(our_m, peer_m)
    assert not np.array_equal(peer_m, np.full_like(peer_m, peer_m[0]))  # it does cycle
    if kind == "adam":
        assert {group["betas"][1] for group in our_groups} == {0.995}
        assert {group["betas"][1] for group in peer_groups} == {0.995}
        assert {type(group["betas"]) for group in our_groups} == {tuple}
    else:
        assert {group["weight_decay"] for group in our_groups} == {1e-3}
    torch.testing.assert_close(our_weight, peer_weight, rtol=1e-9, atol=1e-12)


ONE_CYCLE = [
    # (max_lr, total_steps, pct_start, anneal_strategy, three_phase, base_m, max_m)
    (0.1, 1000, 0.3, "cos", False, None, None),  # PyTorch's defaults: 0.85 / 0.95
    (0.4, 1337, 0.25, "linear", False, 0.8, 0.97),
    (0.4, 1337, 0.25, "cos", True, None, None),
    (0.01, 1500, 0.45, "linear", True, 0.75, 0.9),
    (1.0, 2001, 0.123, "cos", False, 0.88, 0.99),  # the peak between two steps
]


@pytest.mark.parametrize("kind", ["sgd", "adam"])
@pytest.mark.parametrize("args", ONE_CYCLE, ids=str)
def test_one_cycle_momentum_matches_one_cycle_lr(args: tuple[Any, ...], kind: str) -> None:
    """``OneCycleLR(..., cycle_momentum=True)``: momentum (``betas[0]`` for Adam) falls from
    ``max_momentum`` to ``base_momentum`` while the rate rises, and climbs back as it falls
    (three phases: back at ``max_momentum`` with the rate at its start, then held)."""
    peak, total, pct, strategy, three, low, high = args
    extra = {} if low is None else {"base_momentum": low, "max_momentum": high}
    schedule = OneCycle(peak, total, pct, strategy, three_phase=three)
    _assert_same_run(
        kind,
        lambda o: ScheduleLR(o, schedule, cycle_momentum=True, **extra),
        lambda o: SCHED.OneCycleLR(
            o,
            max_lr=peak,
            total_steps=total,
            pct_start=pct,
            anneal_strategy=strategy,
            three_phase=three,
            **extra,
        ),
        total,
        lr_allowance=4 * EPS64 * peak,
    )


CYCLIC = [
    # (base_lr, max_lr, step_size_up, step_size_down, mode, gamma, base_m, max_m)
    (0.001, 0.006, 200, None, "triangular", 1.0, None, None),  # PyTorch's defaults: 0.8 / 0.9
    (0.001, 0.006, 150, 350, "triangular2", 1.0, 0.85, 0.95),
    (0.01, 0.1, 64, 36, "exp_range", 0.9995, 0.7, 0.93),
    (0.02, 0.2, 123.5, 76.25, "triangular", 1.0, 0.8, 0.9),  # fractional step sizes
]


@pytest.mark.parametrize("kind", ["sgd", "adam"])
@pytest.mark.parametrize("args", CYCLIC, ids=str)
def test_cyclical_momentum_matches_cyclic_lr(args: tuple[Any, ...], kind: str) -> None:
    """``CyclicLR(..., cycle_momentum=True)``: ``max_momentum - (max_momentum -
    base_momentum) * h * s``, the learning rate's triangle and scale turned over."""
    low, high, up, down, mode, gamma, m_low, m_high = args
    extra = {} if m_low is None else {"base_momentum": m_low, "max_momentum": m_high}
    schedule = CyclicalLearningRate(low, high, up, down, mode, gamma)
    _assert_same_run(
        kind,
        lambda o: ScheduleLR(o, schedule, cycle_momentum=True, **extra),
        lambda o: SCHED.CyclicLR(
            o,
            base_lr=low,
            max_lr=high,
            step_size_up=up,
            step_size_down=down,
            mode=mode,
            gamma=gamma,
            **extra,
        ),
        2500,
    )


def test_cycle_momentum_resumes_with_a_fresh_optimizer() -> None:
    """``load_state_dict`` sets ``betas[0]`` with the learning rate: a fresh Adam resumes
    at both of PyTorch's values."""
    schedule = OneCycle(0.3, 1200, 0.3)
    peer_optimizer, _ = _optimizer("adam")
    peer = SCHED.OneCycleLR(peer_optimizer, max_lr=0.3, total_steps=1200)
    optimizer, _ = _optimizer("adam")
    scheduler = ScheduleLR(optimizer, schedule, cycle_momentum=True)
    for _ in range(700):
        for opt, sched in ((peer_optimizer, peer), (optimizer, scheduler)):
            opt.step()
            sched.step()
    state = scheduler.state_dict()
    assert set(state) == {"last_epoch", "_step_count", "_last_lr"}
    fresh, _ = _optimizer("adam")
    resumed = ScheduleLR(fresh, schedule, cycle_momentum=True)
    resumed.load_state_dict(state)
    for _ in range(400):
        group, expected = fresh.param_groups[0], peer_optimizer.param_groups[0]
        assert group["lr"] == pytest.approx(expected["lr"], rel=RTOL)
        assert group["betas"][0] == pytest.approx(expected["betas"][0], rel=RTOL)
        assert group["betas"][1] == expected["betas"][1] == 0.995
        for opt, sched in ((peer_optimizer, peer), (fresh, resumed)):
            opt.step()
            sched.step()


def test_one_schedule_per_group_gets_its_own_momentum() -> None:
    first, second = torch.nn.Parameter(torch.zeros(1)), torch.nn.Parameter(torch.zeros(1))
    optimizer = torch.optim.SGD([{"params": [first]}, {"params": [second]}], lr=1.0)
    schedules = [OneCycle(0.1, 100), CyclicalLearningRate(0.01, 0.02, 10)]
    ScheduleLR(optimizer, schedules, cycle_momentum=True)
    # Step 0: the top of each momentum cycle, PyTorch's defaults for each peer.
    assert [group["momentum"] for group in optimizer.param_groups] == [0.95, 0.9]


# ------------------------------------------------------------ momentum_schedule
def test_momentum_schedule_is_a_library_schedule_with_pytorchs_defaults() -> None:
    one_cycle = momentum_schedule(OneCycle(0.1, 1000, 0.3, "linear"))
    assert one_cycle == PiecewiseInterpolation([299.0, 999], [0.95, 0.85, 0.95], "linear")
    three = momentum_schedule(OneCycle(0.1, 1000, 0.3, three_phase=True), 0.8, 0.9)
    assert three == PiecewiseInterpolation([299.0, 598.0], [0.9, 0.8, 0.9], "cosine")
    cyclic = momentum_schedule(CyclicalLearningRate(0.001, 0.006, 20, 30, "triangular2"))
    assert cyclic == CyclicalLearningRate(0.9, 0.8, 20, 30, "triangular2")
    exp_range = momentum_schedule(CyclicalLearningRate(0.1, 1.0, 5, mode="exp_range", gamma=0.99))
    assert exp_range.get_config()["gamma"] == 0.99
    for schedule in (one_cycle, three, cyclic, exp_range):
        assert deserialize(serialize(schedule)) == schedule
    # Values at the knots, from the definition: max at the start, base at the peak.
    assert (one_cycle(0), one_cycle(299), one_cycle(999), one_cycle(5000)) == (
        0.95,
        0.85,
        0.95,
        0.95,
    )
    assert (three(299), three(598), three(999)) == (0.8, 0.9, 0.9)
    assert (cyclic(0), cyclic(20), cyclic(50)) == (0.9, 0.8, 0.9)
    assert cyclic(70) == pytest.approx(0.9 - 0.1 * 0.5, rel=1e-15)  # halfway: triangular2


def test_momentum_schedule_and_cycle_momentum_refuse_bad_input() -> None:
    with pytest.raises(TypeError, match="must be a OneCycle or a CyclicalLearningRate"):
        momentum_schedule(CosineDecay(0.1, 100))
    with pytest.raises(ValueError, match="`base_momentum` must be a finite number"):
        momentum_schedule(OneCycle(0.1, 100), base_momentum=float("nan"))
    with pytest.raises(TypeError, match="`max_momentum` must be a real number"):
        momentum_schedule(OneCycle(0.1, 100), max_momentum="0.9")
    weight = torch.nn.Parameter(torch.zeros(1))
    with pytest.raises(ValueError, match="needs an optimizer with `momentum` or `betas`"):
        ScheduleLR(torch.optim.Adagrad([weight]), OneCycle(0.1, 100), cycle_momentum=True)
    with pytest.raises(TypeError, match="must be a OneCycle or a CyclicalLearningRate"):
        ScheduleLR(torch.optim.SGD([weight]), CosineDecay(0.1, 100), cycle_momentum=True)
    with pytest.raises(ValueError, match="`cycle_momentum` schedules `beta1`"):
        ScheduleLR(
            torch.optim.Adam([weight]),
            OneCycle(0.1, 100),
            cycle_momentum=True,
            beta1=CosineDecay(0.9, 9),
        )
    with pytest.raises(ValueError, match="`base_momentum` is only used with cycle_momentum=True"):
        ScheduleLR(torch.optim.SGD([weight]), OneCycle(0.1, 100), base_momentum=0.8)
    with pytest.raises(TypeError, match="`cycle_momentum` must be"):
        ScheduleLR(torch.optim.SGD([weight]), OneCycle(0.1, 100), cycle_momentum="yes")
