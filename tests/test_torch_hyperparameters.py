"""``ScheduleLR`` beyond the learning rate: any parameter-group value on a schedule.

Each scheduled value is read by the optimizer at update ``k`` as ``schedule(k)`` (seen by a
step pre-hook) and changes the update as PyTorch's documented algorithms say (SGD with
momentum and weight decay, Adam with both betas, written out here in float64); tensor values
are filled in place, so a compiled Adam step compiles once; the state is the step alone and
resuming restores every value; bad names are refused at construction. ``step(epoch)`` with
a fractional epoch evaluates every schedule there, as PyTorch's
``CosineAnnealingWarmRestarts`` does with ``scheduler.step(epoch + i / iters)``; a tensor
``lr`` keeps ``initial_lr`` at its first value.
"""

from __future__ import annotations

import io
import math
import warnings
from typing import Any

import pytest
import torch
import torch._dynamo
import torch._dynamo.testing

from lrschedule import (
    Constant,
    CosineDecay,
    CosineDecayRestarts,
    ExponentialDecay,
    LinearDecay,
    PiecewiseInterpolation,
)
from lrschedule.torch import ScheduleLR

SCHED = torch.optim.lr_scheduler


def _group_values(optimizer: torch.optim.Optimizer) -> list[dict[str, Any]]:
    """Every group's values but the parameters, tensors as Python numbers."""

    def plain(value: Any) -> Any:
        if isinstance(value, torch.Tensor):
            return value.item()
        if isinstance(value, tuple):
            return tuple(plain(item) for item in value)
        return value

    return [
        {key: plain(value) for key, value in group.items() if key != "params"}
        for group in optimizer.param_groups
    ]


def _record(optimizer: torch.optim.Optimizer) -> list[list[dict[str, Any]]]:
    """What the optimizer holds when each of its updates begins."""
    seen: list[list[dict[str, Any]]] = []
    optimizer.register_step_pre_hook(lambda opt, *_: seen.append(_group_values(opt)))
    return seen


def _grad(step: int, size: int) -> torch.Tensor:
    return torch.sin(torch.arange(size, dtype=torch.float64) * 0.7 + step) + 0.3


# ------------------------------------------------------------------ the values used
def test_sgd_updates_with_the_scheduled_momentum_and_weight_decay() -> None:
    lr = ExponentialDecay(0.05, 10, 0.8)
    momentum = LinearDecay(0.5, 30, 0.95)  # rising momentum
    weight_decay = CosineDecay(0.01, 40, alpha=0.1)
    torch.manual_seed(1)
    weight = torch.nn.Parameter(torch.randn(6, dtype=torch.float64))
    optimizer = torch.optim.SGD([weight], lr=1.0, momentum=0.0, weight_decay=0.0)
    seen = _record(optimizer)
    scheduler = ScheduleLR(optimizer, lr=lr, momentum=momentum, weight_decay=weight_decay)
    reference = weight.detach().clone()
    buffer = torch.zeros(6, dtype=torch.float64)
    for step in range(40):
        grad = _grad(step, 6)
        weight.grad = grad.clone()
        optimizer.step()
        scheduler.step()
        # PyTorch's SGD: g = grad + wd * p; b = mu * b + g (b = g at first); p -= lr * b.
        gradient = grad + weight_decay(step) * reference
        buffer = gradient if step == 0 else momentum(step) * buffer + gradient
        reference = reference - lr(step) * buffer
        torch.testing.assert_close(weight.detach(), reference, rtol=1e-13, atol=1e-15)
    for step, (group,) in enumerate(seen):
        assert (group["lr"], group["momentum"], group["weight_decay"]) == (
            lr(step),
            momentum(step),
            weight_decay(step),
        )
    assert scheduler.get_last_lr() == [lr(40)]


def test_adam_takes_beta1_and_beta2_each_from_its_own_schedule() -> None:
    lr = Constant(0.01)
    beta1 = PiecewiseInterpolation([10, 30], [0.95, 0.8, 0.9], "cosine")
    beta2 = LinearDecay(0.99, 25, 0.999)
    torch.manual_seed(2)
    weight = torch.nn.Parameter(torch.randn(5, dtype=torch.float64))
    optimizer = torch.optim.Adam([weight], lr=1.0, betas=(0.5, 0.5), eps=1e-8)
    seen = _record(optimizer)
    scheduler = ScheduleLR(optimizer, lr, beta1=beta1, beta2=beta2)
    reference = weight.detach().clone()
    first = torch.zeros(5, dtype=torch.float64)
    second = torch.zeros(5, dtype=torch.float64)
    for step in range(35):
        grad = _grad(step, 5)
        weight.grad = grad.clone()
        optimizer.step()
        scheduler.step()
        # PyTorch's Adam, update t = step + 1, with this update's betas b1 and b2.
        b1, b2, t = beta1(step), beta2(step), step + 1
        first = b1 * first + (1 - b1) * grad
        second = b2 * second + (1 - b2) * grad * grad
        denominator = (second.sqrt() / math.sqrt(1 - b2**t)) + 1e-8
        reference = reference - lr(step) / (1 - b1**t) * first / denominator
        torch.testing.assert_close(weight.detach(), reference, rtol=1e-12, atol=1e-15)
    assert [group["betas"] for (group,) in seen] == [(beta1(k), beta2(k)) for k in range(35)]
    assert type(optimizer.param_groups[0]["betas"]) is tuple


def test_beta1_alone_leaves_beta2_and_any_numeric_key_can_be_scheduled() -> None:
    weight = torch.nn.Parameter(torch.zeros(2))
    optimizer = torch.optim.AdamW([weight], lr=0.1, betas=(0.9, 0.98), eps=1e-6)
    seen = _record(optimizer)
    beta1, eps = LinearDecay(0.8, 10, 0.9), ExponentialDecay(1e-6, 4, 0.1)
    scheduler = ScheduleLR(optimizer, beta1=beta1, eps=eps)  # lr not scheduled
    for _ in range(12):
        weight.grad = torch.ones(2)
        optimizer.step()
        scheduler.step()
    assert [(g["betas"], g["eps"], g["lr"]) for (g,) in seen] == [
        ((beta1(k), 0.98), eps(k), 0.1) for k in range(12)
    ]
    assert scheduler.get_last_lr() == [0.1]


def test_one_schedule_per_group_and_none_leaves_a_group_alone() -> None:
    first, second = torch.nn.Parameter(torch.zeros(1)), torch.nn.Parameter(torch.zeros(1))
    optimizer = torch.optim.SGD(
        [{"params": [first], "momentum": 0.3}, {"params": [second], "weight_decay": 0.2}],
        lr=0.5,
        momentum=0.6,
    )
    momentum = [LinearDecay(0.9, 8, 0.5), None]
    decay = ExponentialDecay(0.1, 2, 0.5)
    scheduler = ScheduleLR(optimizer, [None, Constant(0.07)], momentum=momentum, weight_decay=decay)
    for step in range(8):
        one, two = _group_values(optimizer)
        assert (one["lr"], one["momentum"], one["weight_decay"]) == (
            0.5,
            momentum[0](step),
            decay(step),
        )
        assert (two["lr"], two["momentum"], two["weight_decay"]) == (0.07, 0.6, decay(step))
        optimizer.step()
        scheduler.step()
    assert scheduler.get_last_lr() == [0.5, 0.07]
    assert repr(scheduler).startswith("ScheduleLR(schedule=[None, Constant(")
    assert "momentum=[LinearDecay(" in repr(scheduler) and "weight_decay=ExponentialDecay(" in repr(
        scheduler
    )


# ------------------------------------------------------------------ tensors
def test_tensor_values_are_filled_in_place_and_a_compiled_adam_step_compiles_once() -> None:
    lr, beta1, beta2 = CosineDecay(0.05, 20, alpha=0.1), LinearDecay(0.95, 10, 0.85), Constant(0.99)
    torch.manual_seed(0)
    weight = torch.nn.Parameter(torch.randn(4))
    optimizer = torch.optim.Adam(
        [weight], lr=torch.tensor(0.0), betas=(torch.tensor(0.0), torch.tensor(0.5))
    )
    group = optimizer.param_groups[0]
    tensors = [group["lr"], *group["betas"]]
    scheduler = ScheduleLR(optimizer, lr, beta1=beta1, beta2=beta2)
    reference = torch.nn.Parameter(weight.detach().clone())
    eager = torch.optim.Adam([reference], lr=1.0)
    eager_scheduler = ScheduleLR(eager, lr, beta1=beta1, beta2=beta2)

    torch._dynamo.reset()
    counter = torch._dynamo.testing.CompileCounter()

    @torch.compile(backend=counter)
    def compiled_step() -> None:
        optimizer.step()

    with torch._dynamo.config.patch(error_on_recompile=True):
        for step in range(10):
            assert [group["lr"], *group["betas"]] == tensors  # the same objects
            assert all(a is b for a, b in zip([group["lr"], *group["betas"]], tensors))
            assert group["betas"][0].item() == pytest.approx(beta1(step), rel=1e-6)
            weight.grad = torch.ones(4) * (step + 1)
            reference.grad = torch.ones(4) * (step + 1)
            compiled_step()
            eager.step()
            scheduler.step()
            eager_scheduler.step()
    assert counter.frame_count == 1
    torch.testing.assert_close(weight.detach(), reference.detach())


def test_tensor_momentum_and_weight_decay_keep_their_objects() -> None:
    weight = torch.nn.Parameter(torch.zeros(3))
    momentum, decay = torch.tensor(0.5), torch.tensor(0.5)
    optimizer = torch.optim.SGD([weight], lr=0.1, momentum=momentum, weight_decay=decay)
    schedule_m, schedule_d = LinearDecay(0.9, 5, 0.8), ExponentialDecay(0.01, 1, 0.5)
    scheduler = ScheduleLR(optimizer, momentum=schedule_m, weight_decay=schedule_d)
    for step in range(6):
        group = optimizer.param_groups[0]
        assert group["momentum"] is momentum and group["weight_decay"] is decay
        assert momentum.item() == pytest.approx(schedule_m(step), rel=1e-6)
        assert decay.item() == pytest.approx(schedule_d(step), rel=1e-6)
        weight.grad = torch.ones(3)
        optimizer.step()
        scheduler.step()


# ------------------------------------------------------------------ state and resume
def _build(momentum: float = 0.0) -> tuple[torch.nn.Parameter, torch.optim.Optimizer]:
    torch.manual_seed(3)
    weight = torch.nn.Parameter(torch.randn(4, dtype=torch.float64))
    return weight, torch.optim.SGD([weight], lr=1.0, momentum=momentum, weight_decay=0.5)


SCHEDULES = {
    "lr": CosineDecay(0.1, 50, alpha=0.01),
    "momentum": PiecewiseInterpolation([20], [0.95, 0.85]),
    "weight_decay": ExponentialDecay(1e-3, 10, 0.7),
}


def test_state_dict_holds_only_the_step_and_resume_restores_every_value() -> None:
    weight, optimizer = _build()
    scheduler = ScheduleLR(optimizer, **SCHEDULES)
    straight = []
    for step in range(40):
        if step == 17:
            buffer = io.BytesIO()
            torch.save({"scheduler": scheduler.state_dict()}, buffer)
        straight.append(_group_values(optimizer))
        weight.grad = _grad(step, 4)
        optimizer.step()
        scheduler.step()
    buffer.seek(0)
    state = torch.load(buffer, weights_only=True)["scheduler"]
    assert state == {"last_epoch": 17, "_step_count": 18, "_last_lr": [SCHEDULES["lr"](17)]}

    _, fresh = _build(momentum=0.3)  # other values everywhere
    resumed = ScheduleLR(fresh, **SCHEDULES)
    resumed.load_state_dict(state)
    for step in range(17, 40):
        assert _group_values(fresh) == straight[step]
        fresh.step()
        resumed.step()
    (group,) = straight[17]
    assert (group["lr"], group["momentum"], group["weight_decay"]) == tuple(
        schedule(17) for schedule in SCHEDULES.values()
    )


# ------------------------------------------------------------------ refused at construction
class _OwnBetas(torch.optim.Optimizer):
    """An optimizer whose groups hold ``beta1`` as a key of its own."""

    def __init__(self, params: Any) -> None:
        super().__init__(params, {"lr": 0.1, "beta1": 0.9, "betas": (0.1, 0.2)})

    def step(self, closure: Any = None) -> None:
        return None


def test_names_the_groups_lack_and_values_that_are_not_numbers_are_refused() -> None:
    weight = torch.nn.Parameter(torch.zeros(1))
    sgd = torch.optim.SGD([weight], lr=0.1, momentum=0.9)
    schedule = Constant(0.5)
    with pytest.raises(ValueError, match=r"`betas_1` must name a value") as error:
        ScheduleLR(sgd, betas_1=schedule)
    assert "'dampening', 'differentiable'" in str(error.value) and "'momentum'" in str(error.value)
    with pytest.raises(ValueError, match=r"`beta1` must name a value.*'nesterov'"):
        ScheduleLR(sgd, beta1=schedule)
    with pytest.raises(ValueError, match=r"`params` must name a value"):
        ScheduleLR(sgd, params=schedule)
    with pytest.raises(
        TypeError, match=r"`nesterov` must name a numeric.*nesterov=False of type bool"
    ):
        ScheduleLR(sgd, nesterov=schedule)
    with pytest.raises(TypeError, match=r"`foreach` must name a numeric.*foreach=None"):
        ScheduleLR(sgd, foreach=schedule)
    adam = torch.optim.Adam([weight])
    with pytest.raises(TypeError, match=r"`betas` must name a numeric.*of type tuple"):
        ScheduleLR(adam, betas=schedule)
    with pytest.raises(ValueError, match=r"`momentum` must be one schedule or a list of 1"):
        ScheduleLR(sgd, momentum=[schedule, schedule])
    with pytest.raises(TypeError, match=r"`momentum` must be a schedule .*Received: 0.9"):
        ScheduleLR(sgd, momentum=0.9)
    with pytest.raises(TypeError, match="`schedule` and `lr` are two names"):
        ScheduleLR(sgd, schedule, lr=schedule)
    with pytest.raises(TypeError, match="ScheduleLR needs a schedule"):
        ScheduleLR(sgd)
    with pytest.raises(TypeError, match="ScheduleLR needs a schedule"):
        ScheduleLR(sgd, momentum=None)
    # Nothing was changed by a refused construction.
    assert sgd.param_groups[0]["momentum"] == 0.9 and "initial_lr" not in sgd.param_groups[0]

    own = _OwnBetas([weight])
    ScheduleLR(own, beta1=Constant(0.7), beta2=Constant(0.6))
    assert own.param_groups[0]["beta1"] == 0.7 and own.param_groups[0]["betas"] == (0.1, 0.6)


def test_lr_keyword_and_positional_schedule_are_the_same() -> None:
    schedule = ExponentialDecay(0.1, 3, 0.5)
    for make in (
        lambda o: ScheduleLR(o, schedule),
        lambda o: ScheduleLR(o, schedule=schedule),
        lambda o: ScheduleLR(o, lr=schedule),
    ):
        optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=1.0)
        scheduler = make(optimizer)
        for _ in range(5):
            optimizer.step()
            scheduler.step()
        assert scheduler.get_last_lr() == [schedule(5)]
        assert scheduler.state_dict() == {
            "last_epoch": 5,
            "_step_count": 6,
            "_last_lr": [schedule(5)],
        }


# ------------------------------------------------------------------ fractional epochs
@pytest.mark.parametrize(("t_0", "t_mult"), [(10, 1), (10, 2), (7, 3)])
def test_fractional_epochs_match_cosine_annealing_warm_restarts(t_0: int, t_mult: int) -> None:
    """PyTorch's documented ``scheduler.step(epoch + i / iters)``: ``CosineAnnealingWarmRestarts
    (T_0, T_mult, eta_min)`` on ``lr=P`` is ``CosineDecayRestarts(P, T_0, t_mul=T_mult,
    alpha=eta_min / P)`` evaluated at the fractional epoch, over 1,200 updates."""
    peak, floor, iters = 0.1, 0.001, 8
    schedule = CosineDecayRestarts(peak, t_0, t_mul=float(t_mult), alpha=floor / peak)
    ours_optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=1.0)
    ours = ScheduleLR(ours_optimizer, schedule)
    peer_optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=peak)
    peer = SCHED.CosineAnnealingWarmRestarts(peer_optimizer, T_0=t_0, T_mult=t_mult, eta_min=floor)
    count = 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # PyTorch's epoch deprecation notice
        for epoch in range(150):
            for i in range(iters):
                ours_optimizer.step()
                peer_optimizer.step()
                ours.step(epoch + i / iters)
                peer.step(epoch + i / iters)
                lr, expected = (
                    ours_optimizer.param_groups[0]["lr"],
                    peer_optimizer.param_groups[0]["lr"],
                )
                bound = 1e-12 * expected + 4 * 2.0**-52 * (peak - floor)  # PyTorch's 1 + cos
                assert abs(lr - expected) <= bound, (epoch, i, lr, expected)
                assert lr == schedule(epoch + i / iters)
                count += 1
    assert count >= 1000
    assert ours.last_epoch == 149 + 7 / 8


def test_step_with_an_epoch_goes_to_that_step_fractional_or_whole() -> None:
    weight = torch.nn.Parameter(torch.zeros(1))
    optimizer = torch.optim.SGD([weight], lr=1.0, momentum=0.0)
    lr, momentum = CosineDecay(0.1, 10), LinearDecay(0.9, 10, 0.8)
    scheduler = ScheduleLR(optimizer, lr, momentum=momentum)
    scheduler.step(2.5)
    group = optimizer.param_groups[0]
    assert (group["lr"], group["momentum"]) == (lr(2.5), momentum(2.5))
    assert lr(2.5) not in (lr(2), lr(3))
    scheduler.step()  # one step on from 2.5
    assert scheduler.last_epoch == 3.5 and group["lr"] == lr(3.5)
    state = scheduler.state_dict()
    assert state["last_epoch"] == 3.5 and type(state["last_epoch"]) is float
    fresh = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=1.0, momentum=0.0)
    resumed = ScheduleLR(fresh, lr, momentum=momentum)
    resumed.load_state_dict(state)
    assert (fresh.param_groups[0]["lr"], fresh.param_groups[0]["momentum"]) == (
        lr(3.5),
        momentum(3.5),
    )
    scheduler.step(4.0)  # a whole float is the integer step
    assert scheduler.last_epoch == 4 and type(scheduler.last_epoch) is int
    assert group["lr"] == lr(4)
    scheduler.step(torch.tensor(6))
    assert scheduler.last_epoch == 6 and group["lr"] == lr(6)

    before = (scheduler.state_dict(), _group_values(optimizer))
    for bad, error in (
        (-1, ValueError),
        (-0.5, ValueError),
        (math.nan, ValueError),
        (math.inf, ValueError),
        (True, TypeError),
        ("3", TypeError),
    ):
        with pytest.raises(error, match="`epoch`"):
            scheduler.step(bad)
        assert (scheduler.state_dict(), _group_values(optimizer)) == before


# ------------------------------------------------------------------ initial_lr
def test_a_tensor_lr_leaves_initial_lr_at_its_first_value() -> None:
    """``SGD(params, lr=torch.tensor(0.1))``: two halvings take the lr to 0.025, while
    ``initial_lr`` (and so the optimizer's saved state) keeps 0.1."""
    optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(2))], lr=torch.tensor(0.1))
    lr_tensor = optimizer.param_groups[0]["lr"]
    scheduler = ScheduleLR(optimizer, ExponentialDecay(0.1, 1, 0.5))
    for _ in range(2):
        optimizer.step()
        scheduler.step()
    group = optimizer.param_groups[0]
    assert group["lr"] is lr_tensor and group["lr"].item() == pytest.approx(0.025, rel=1e-7)
    assert group["initial_lr"] is not lr_tensor
    assert group["initial_lr"].item() == pytest.approx(0.1, rel=1e-7)
    saved = optimizer.state_dict()["param_groups"][0]
    assert saved["initial_lr"].item() == pytest.approx(0.1, rel=1e-7)
    assert saved["lr"].item() == pytest.approx(0.025, rel=1e-7)


def test_values_reach_the_groups_an_optimizer_load_puts_in_place() -> None:
    """``optimizer.load_state_dict`` replaces the group dicts; the scheduler sets the new
    ones. A group added after construction is refused, not left unscheduled."""
    weight, optimizer = _build(momentum=0.9)
    scheduler = ScheduleLR(optimizer, **SCHEDULES)
    for step in range(5):
        weight.grad = _grad(step, 4)
        optimizer.step()
        scheduler.step()
    saved = optimizer.state_dict()
    optimizer.load_state_dict(saved)
    scheduler.step()
    (group,) = _group_values(optimizer)
    assert (group["lr"], group["momentum"], group["weight_decay"]) == tuple(
        schedule(6) for schedule in SCHEDULES.values()
    )
    optimizer.add_param_group({"params": [torch.nn.Parameter(torch.zeros(1))]})
    with pytest.raises(ValueError, match="built for 1 parameter groups; the optimizer now has 2"):
        scheduler.step()
    assert scheduler.last_epoch == 6
