"""ReduceOnPlateau against PyTorch's ReduceLROnPlateau, live, and ScheduleLR(step(metrics=...)).

Each sequence drives PyTorch's scheduler and ours side by side, one observation per epoch:
the same reductions at the same observations, the same counters, and the same learning
rates (within 1e-12 relative) with a constant schedule.
"""

from __future__ import annotations

import copy
import io
import math
import random

import pytest
import torch
import torch._dynamo.testing

from lrschedule import Constant, CosineDecay, ReduceOnPlateau, Warmup
from lrschedule.torch import ScheduleLR

SEQUENCES = 200
OBSERVATIONS = 200


def _metrics(rng: random.Random, mode: str) -> list[float]:
    """A noisy decreasing curve with flat stretches (plateaus) and repeated values."""
    value, out = rng.uniform(0.5, 3.0), []
    for _ in range(OBSERVATIONS):
        kind = rng.random()
        if kind < 0.3:
            value *= 1 - rng.uniform(0, 0.05)
        elif kind < 0.5:
            value *= 1 + rng.uniform(0, 0.02)
        elif kind < 0.6:
            pass  # the same value again
        else:
            value *= 1 + rng.uniform(-1e-4, 1e-4)
        out.append(value if mode == "min" else -value)
    return out


def _optimizer(lr: float) -> torch.optim.Optimizer:
    return torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=lr)


def _case(rng: random.Random, index: int) -> tuple[dict, dict, float]:
    mode = ("min", "max")[index % 2]
    threshold_mode = ("rel", "abs")[(index // 2) % 2]
    common = {
        "mode": mode,
        "factor": rng.choice([0.1, 0.5, 0.8, rng.uniform(0.05, 0.95)]),
        "patience": rng.randint(0, 6),
        "threshold": rng.choice([0.0, 1e-4, rng.uniform(0, 0.02)]),
        "threshold_mode": threshold_mode,
        "cooldown": rng.randint(0, 5),
    }
    rate = 10 ** rng.uniform(-6, 0)
    if index % 8 < 4:  # the floor of the composed rate: PyTorch's min_lr, as it is
        # eps=0: PyTorch compares eps with the floored rate's change, ours with the scale's
        # (test_eps_near_the_rate_floor_differs_from_pytorch).
        min_lr = rate * 10 ** rng.uniform(-5, -0.5)
        ours = {**common, "min_lr": min_lr, "eps": 0.0}
        theirs = {**common, "min_lr": min_lr, "eps": 0.0}
    else:  # the floor of the scale: min_lr = rate * min_scale, eps in scale units
        min_scale = 10 ** rng.uniform(-7, -1)
        ours = {**common, "min_scale": min_scale, "eps": 1e-8 / rate}
        theirs = {**common, "min_lr": rate * min_scale, "eps": 1e-8}
    return ours, theirs, rate


def test_parity_with_pytorch_on_random_sequences() -> None:
    rng = random.Random(20240613)
    reductions = floors = 0
    for index in range(SEQUENCES):
        ours_args, theirs_args, rate = _case(rng, index)
        theirs_opt = _optimizer(rate)
        theirs = torch.optim.lr_scheduler.ReduceLROnPlateau(theirs_opt, **theirs_args)
        plateau = ReduceOnPlateau(**ours_args)
        ours_opt = _optimizer(1.0)
        ours = ScheduleLR(ours_opt, Constant(rate) * plateau)
        last, ours_last = rate, rate
        for k, metric in enumerate(_metrics(rng, ours_args["mode"])):
            theirs.step(metric)
            ours.step(metrics=metric)
            expected = theirs_opt.param_groups[0]["lr"]
            got = ours_opt.param_groups[0]["lr"]
            where = f"sequence {index}, observation {k}: {ours_args}"
            assert math.isclose(got, expected, rel_tol=1e-12, abs_tol=0.0), where
            # A reduction at the same observation:
            assert (got < ours_last) == (expected < last), where
            state = plateau.state_dict()
            assert state["num_bad_epochs"] == theirs.num_bad_epochs, where
            assert state["cooldown_counter"] == theirs.cooldown_counter, where
            assert state["best"] == theirs.best, where
            reductions += expected < last
            floors += expected == theirs_args["min_lr"]
            last, ours_last = expected, got
    # The sequences do exercise reductions and the floor.
    assert reductions > 1000
    assert floors > 1000


def test_eps_near_the_rate_floor_differs_from_pytorch() -> None:
    """PyTorch skips a reduction whose floored rate is within eps of the rate; with the
    floor on the composed rate (min_lr), ours lowers the scale and the rate reaches min_lr."""
    theirs_opt = _optimizer(1.0)
    theirs = torch.optim.lr_scheduler.ReduceLROnPlateau(
        theirs_opt, factor=0.5, patience=0, min_lr=0.5 - 1e-9, eps=1e-8
    )
    plateau = ReduceOnPlateau(factor=0.5, patience=0, min_lr=0.5 - 1e-9, eps=1e-8)
    schedule = Constant(1.0) * plateau
    for metric in (1.0, 1.0, 1.0):
        theirs.step(metric)
        plateau.observe(metric)
    assert theirs_opt.param_groups[0]["lr"] == 0.5  # 0.5 -> 0.5 - 1e-9 is within eps: skipped
    assert schedule(0) == 0.5 - 1e-9


def test_a_reduction_without_a_change_restarts_the_cooldown_as_in_pytorch() -> None:
    plateau = ReduceOnPlateau(factor=0.5, patience=0, cooldown=2, min_scale=0.5)
    flags = [plateau.observe(1.0) for _ in range(7)]
    # Reductions at observations 2, 5 (the cooldown of 2 in between); the second one is
    # at the floor already, so only the first one lowered the scale.
    assert flags == [False, True, False, False, True, False, False]
    assert plateau.scale == 0.5
    assert plateau.state_dict()["reductions"] == 2


def _train(steps_per_epoch: int, epochs: int, plateau_state=None, resume=None):
    """Warmup + cosine + plateau in a per-update loop; the metric observed every epoch."""
    model = torch.nn.Linear(1, 1, bias=False)
    optimizer = torch.optim.SGD(model.parameters(), lr=1.0)
    plateau = ReduceOnPlateau(factor=0.5, patience=1)
    schedule = Warmup(CosineDecay(0.1, 40), warmup_steps=5) * plateau
    scheduler = ScheduleLR(optimizer, schedule)
    if resume is not None:
        scheduler.load_state_dict(resume)
    rates = []
    losses = [1.0, 0.9, 0.95, 0.97, 0.96, 0.99, 0.98, 1.0]
    start = scheduler.last_epoch // steps_per_epoch
    for epoch in range(start, epochs):
        for _ in range(steps_per_epoch):
            rates.append(optimizer.param_groups[0]["lr"])
            optimizer.step()
            scheduler.step()
        plateau.observe(losses[epoch])
    return rates, scheduler, plateau, schedule


def test_schedule_lr_resumes_plateau_state_exactly() -> None:
    full, _, plateau, _ = _train(4, 8)
    # Bad epochs 2-3, 4-5 and 6-7 (patience 1): reductions after epochs 3, 5 and 7, each
    # applied at once. The rates are schedule(step) times the scale the plateau had then:
    # 1 for epochs 0-3, 0.5 for epochs 4-5, 0.25 for epochs 6-7.
    assert plateau.state_dict()["reductions"] == 3
    base = Warmup(CosineDecay(0.1, 40), warmup_steps=5)
    scales = [1.0] * 16 + [0.5] * 8 + [0.25] * 8
    assert full == [base(k) * s for k, s in enumerate(scales)]
    _, half, _, _ = _train(4, 4)
    buffer = io.BytesIO()
    torch.save(half.state_dict(), buffer)
    buffer.seek(0)
    state = torch.load(buffer, weights_only=True)
    assert state["plateaus"][0]["count"] == 4
    resumed, _, _, _ = _train(4, 8, resume=state)
    assert resumed == full[16:]


def test_step_with_metrics_observes_and_advances() -> None:
    optimizer = _optimizer(1.0)
    plateau = ReduceOnPlateau(factor=0.5, patience=0)
    scheduler = ScheduleLR(optimizer, Constant(0.2) * plateau)
    scheduler.step(metrics=1.0)
    scheduler.step(metrics=torch.tensor(2.0))
    assert scheduler.last_epoch == 2
    assert optimizer.param_groups[0]["lr"] == 0.1
    assert scheduler.plateaus == [plateau]


def test_load_state_dict_refuses_mismatched_plateaus() -> None:
    optimizer = _optimizer(1.0)
    scheduler = ScheduleLR(optimizer, Constant(0.2) * ReduceOnPlateau(mode="min"))
    other = ScheduleLR(_optimizer(1.0), Constant(0.2) * ReduceOnPlateau(mode="max"))
    other.step(metrics=1.0)
    with pytest.raises(ValueError, match="mode='max'"):
        scheduler.load_state_dict(other.state_dict())
    with pytest.raises(ValueError, match="holds 0 plateau states"):
        scheduler.load_state_dict({"last_epoch": 3})
    assert scheduler.last_epoch == 0


def test_torch_compile_reads_the_scale_as_an_input() -> None:
    plateau = ReduceOnPlateau(factor=0.5, patience=0)
    schedule = Warmup(CosineDecay(0.1, 100), warmup_steps=10) * plateau
    torch._dynamo.reset()
    counter = torch._dynamo.testing.CompileCounter()

    @torch.compile(fullgraph=True, backend=counter)
    def rate(step: torch.Tensor, scale: torch.Tensor) -> torch.Tensor:
        return schedule.rate(step, scale)

    scale = torch.tensor(plateau.scale, dtype=torch.float32)
    plateau.add_listener(lambda value: scale.fill_(value))
    got = []
    with torch._dynamo.config.patch(error_on_recompile=True):
        for k in range(6):
            got.append(float(rate(torch.tensor(k), scale)))
            plateau.observe(1.0)
    base = Warmup(CosineDecay(0.1, 100), warmup_steps=10)
    expected = [base(k) * 0.5 ** max(k - 1, 0) for k in range(6)]
    assert got == pytest.approx(expected, rel=1e-6)
    assert counter.frame_count == 1  # one compilation, whatever the scale


def test_deepcopy_of_a_scheduled_schedule_keeps_the_plateau_state() -> None:
    plateau = ReduceOnPlateau(factor=0.5, patience=0)
    schedule = Constant(0.2) * plateau
    plateau.observe(1.0)
    plateau.observe(1.0)
    copied = copy.deepcopy(schedule)
    assert copied(0) == 0.1
    assert copied.plateau is not plateau
    assert copied.plateau.state_dict() == plateau.state_dict()
