"""PyTorch tensor steps and ``lrschedule.torch.ScheduleLR``.

Tensor steps: result type, dtype, device and shape; values equal to the Python path
(float32, float16 and bfloat16 results are computed in float64 and rounded once: within
1 ulp of the Python value; float64 results within 4 ulp of it, both being within 2 ulp of
the exact value) with every switch at the same step, up to the dtype's limit;
no host reads (meta and fake tensors); ``torch.compile(fullgraph=True)`` compiling once.

``ScheduleLR``: every ``torch.optim`` optimizer reads ``schedule(k)`` at update ``k``;
per-group schedules; stateless resume through ``state_dict``; no warnings; tensor ``lr``.
"""

from __future__ import annotations

import inspect
import io
import warnings
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
import torch
import torch._dynamo
import torch._dynamo.testing
from torch._subclasses.fake_tensor import FakeTensorMode

from framework_cases import (
    SCHEDULES,
    assert_dtype_close,
    assert_float32_close,
    assert_ulps,
    ids,
    switch_steps,
)
from lrschedule import (
    CosineDecay,
    CosineDecayRestarts,
    ExponentialDecay,
    InverseTimeDecay,
    PiecewiseConstantDecay,
    PolynomialDecay,
)
from lrschedule.torch import ScheduleLR

DEVICES = ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])
BASE_STEPS = list(range(1500))


def python_values(schedule: Any, steps: list[int] | list[float]) -> list[float]:
    return [schedule(step) for step in steps]


def default_dtype(dtype: Any) -> Any:
    """A context manager setting ``torch.get_default_dtype()``."""

    class _Default:
        def __enter__(self) -> None:
            self.saved = torch.get_default_dtype()
            torch.set_default_dtype(dtype)

        def __exit__(self, *exc: object) -> None:
            torch.set_default_dtype(self.saved)

    return _Default()


# ------------------------------------------------------------------ tensor steps
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", [torch.int32, torch.int64])
@pytest.mark.parametrize("schedule", SCHEDULES, ids=ids)
def test_integer_steps_match_python_up_to_the_dtype_limit(
    schedule: Any, dtype: Any, device: str
) -> None:
    top = torch.iinfo(dtype).max
    steps = sorted(set(BASE_STEPS) | set(switch_steps(schedule, top)) | {top - 1, top})
    expected = python_values(schedule, steps)
    result = schedule(torch.tensor(steps, dtype=dtype, device=device))
    assert result.dtype == torch.float32 and result.device.type == device
    assert_float32_close(result.cpu().numpy(), expected, ulps=1)
    with default_dtype(torch.float64):
        wide = schedule(torch.tensor(steps, dtype=dtype, device=device))
    assert wide.dtype == torch.float64
    # Both within 2 ulp of the exact value (the split power of a tensor, whose bound is
    # its dtype's, and the Python path's direct one can err on opposite sides).
    assert_ulps(wide.cpu().numpy(), expected, ulps=4)


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16, torch.float32, torch.float64])
@pytest.mark.parametrize("schedule", SCHEDULES, ids=ids)
def test_float_steps_match_python(schedule: Any, dtype: Any, device: str) -> None:
    steps = torch.linspace(0, 300, 1201, dtype=torch.float64).to(dtype)
    # The step each element really holds, as a Python float.
    held = [float(value) for value in steps.to(torch.float64)]
    expected = python_values(schedule, held)
    result = schedule(steps.to(device))
    assert result.dtype == dtype and result.device.type == device and result.shape == (1201,)
    if dtype == torch.float64:
        assert_ulps(result.cpu().numpy(), expected, ulps=4)
    else:
        # Computed in float64 and rounded once to the step's dtype: within 1 ulp of it.
        info = torch.finfo(dtype)
        wide = result.cpu().to(torch.float64).numpy()
        assert_dtype_close(wide, expected, info.eps, info.tiny, ulps=1)


@pytest.mark.parametrize("schedule", SCHEDULES, ids=ids)
def test_narrow_integer_dtypes_are_widened(schedule: Any) -> None:
    steps = [0, 1, 2, 7, 9, 10, 11, 19, 20, 21, 99, 100, 101, 127]
    expected = python_values(schedule, steps)
    for dtype in (torch.int8, torch.int16, torch.uint8):
        result = schedule(torch.tensor(steps, dtype=dtype))
        assert result.dtype == torch.float32
        assert_float32_close(result.numpy(), expected, ulps=1)


@pytest.mark.parametrize("schedule", SCHEDULES, ids=ids)
def test_shapes_follow_the_step(schedule: Any) -> None:
    scalar = schedule(torch.tensor(7))
    assert isinstance(scalar, torch.Tensor) and scalar.shape == ()
    assert_float32_close(scalar.item(), schedule(7), ulps=1)
    cube = torch.arange(24).reshape(2, 3, 4)
    result = schedule(cube)
    assert result.shape == (2, 3, 4)
    assert_float32_close(result.flatten().numpy(), python_values(schedule, list(range(24))), 1)
    assert schedule(torch.tensor([], dtype=torch.int64)).shape == (0,)
    strided = torch.arange(40).reshape(4, 10).t()  # not contiguous
    assert_float32_close(schedule(strided).numpy(), schedule(strided.contiguous()).numpy(), 0)


@pytest.mark.parametrize("schedule", SCHEDULES, ids=ids)
def test_steps_are_never_read_on_the_host(schedule: Any) -> None:
    # Meta tensors have no data, and fake tensors raise on any read of their values: a
    # schedule that ran to completion on both never synchronised with the device.
    for dtype in (torch.int32, torch.int64, torch.float32):
        meta = schedule(torch.arange(10, device="meta").to(dtype))
        assert meta.device.type == "meta" and meta.shape == (10,)
        with FakeTensorMode() as mode:
            fake = schedule(mode.from_tensor(torch.arange(10).to(dtype)))
        assert fake.shape == (10,) and fake.dtype == (
            dtype if dtype.is_floating_point else torch.float32
        )
    # Nothing symbolic was cached: every table the schedule keeps is a real tensor.
    for key, table in getattr(schedule, "_tables", {}).items():
        if key[0] == "torch":
            assert type(table) is torch.Tensor


def test_negative_nan_and_infinite_steps() -> None:
    # Tensor steps are not validated (that would read them on the host): a negative step
    # is evaluated as step 0, a NaN step gives NaN, an infinite one does not raise.
    for schedule in SCHEDULES:
        start = schedule(0)
        for dtype in (torch.int32, torch.int64, torch.float32, torch.float64):
            values = schedule(torch.tensor([-1, -5, -(2**20)], dtype=dtype))
            assert_float32_close(values.to(torch.float64).numpy(), [start] * 3, ulps=1)
        assert torch.isnan(schedule(torch.tensor(float("nan"))))
        schedule(torch.tensor(float("inf")))  # the limit or NaN; it does not raise
    assert schedule(torch.tensor([-1], dtype=torch.int8)).shape == (1,)


def test_bool_and_complex_steps_are_refused() -> None:
    schedule = ExponentialDecay(0.1, 10, 0.5)
    for step in (torch.tensor([True]), torch.tensor([1j])):
        with pytest.raises(TypeError, match="^Argument `step` must hold integers or floats"):
            schedule(step)


@pytest.mark.parametrize(
    "schedule",
    [
        ExponentialDecay(0.1, 10**10, 0.5),
        ExponentialDecay(0.1, 10**10, 0.5, staircase=True),
        InverseTimeDecay(0.1, 10**10, 2.0),
        PolynomialDecay(0.1, 10**10, 0.001, cycle=True),
        PolynomialDecay(0.001, 10**10, 0.1, power=2.0),
        CosineDecay(0.1, 10**10),
        CosineDecay(0.0, 10**10, warmup_target=1.0, warmup_steps=3 * 10**9),
        CosineDecayRestarts(1.0, 10**10, t_mul=1.0),
        PiecewiseConstantDecay([10**10], [1.0, 0.5]),
    ],
    ids=ids,
)
def test_constants_beyond_int32_with_int32_steps(schedule: Any) -> None:
    steps = [0, 1, 12345, 2**31 - 2, 2**31 - 1]
    result = schedule(torch.tensor(steps, dtype=torch.int32))
    assert_float32_close(result.numpy(), python_values(schedule, steps), ulps=1)


# --------------------------------------------------------------- torch.compile
def _compile_checked(schedule: Any, backend: Any) -> Any:
    @torch.compile(fullgraph=True, backend=backend)
    def scaled(step: Any) -> Any:
        return schedule(step) * 2.0

    return scaled


@pytest.mark.parametrize("schedule", SCHEDULES, ids=ids)
def test_compile_fullgraph_once_for_every_step(schedule: Any) -> None:
    torch._dynamo.reset()
    counter = torch._dynamo.testing.CompileCounter()
    compiled = _compile_checked(schedule, counter)
    steps = [0, 1, 7, 10, 11, 20, 21, 99, 100, 12345, 2**31 - 1, 2**40 + 3]
    with torch._dynamo.config.patch(error_on_recompile=True):
        for step in steps:
            value = compiled(torch.tensor(step))
            assert_float32_close(value.item(), 2 * schedule(step), ulps=1)
    assert counter.frame_count == 1
    # Eager calls of other step types afterwards do not invalidate the compiled code.
    schedule(np.arange(3))
    schedule(2.5)
    with torch._dynamo.config.patch(error_on_recompile=True):
        assert_float32_close(compiled(torch.tensor(5)).item(), 2 * schedule(5), ulps=1)


@pytest.mark.parametrize(
    "schedule",
    [
        PiecewiseConstantDecay([10, 20.5, 100], [1.0, 0.5, 0.1, 0.01]),
        CosineDecayRestarts(1.0, 10, t_mul=2.0, m_mul=0.8, alpha=0.01),
    ],
    ids=ids,
)
def test_inductor_compiles_the_schedule(schedule: Any) -> None:
    torch._dynamo.reset()
    compiled = torch.compile(schedule, fullgraph=True)  # the default backend, inductor
    steps = torch.tensor([0, 9, 10, 11, 20, 21, 29, 30, 31, 100, 101, 123456789])
    assert_float32_close(compiled(steps).numpy(), python_values(schedule, steps.tolist()), ulps=1)
    with torch._dynamo.config.patch(error_on_recompile=True):
        compiled(steps + 1)


def test_tables_are_cached_per_device_and_dtype() -> None:
    schedule = PiecewiseConstantDecay([10, 20], [1.0, 0.5, 0.1])
    schedule(torch.arange(5))
    first = dict(schedule._tables)
    schedule(torch.arange(5, 10))
    assert {key: id(value) for key, value in schedule._tables.items()} == {
        key: id(value) for key, value in first.items()
    }
    schedule(torch.arange(5, dtype=torch.int32))
    schedule(torch.arange(5, device="meta"))
    keys = {key[-1][:2] for key in schedule._tables}
    assert (torch.device("cpu"), torch.int64) in keys
    assert (torch.device("cpu"), torch.int32) in keys
    assert (torch.device("meta"), torch.int64) in keys


def test_tables_of_integer_steps_are_kept_apart_per_dtype() -> None:
    # Both dtypes reach the same number of restart cycles, but the last cycle is clipped
    # to each dtype's range: the cached tables must not be shared.
    schedule = CosineDecayRestarts(1.0, 2.5, t_mul=3.0)
    steps = [0, 5, 2**31 - 1]
    for dtype in (torch.int32, torch.int64, torch.int32):
        result = schedule(torch.tensor(steps, dtype=dtype))
        assert_float32_close(result.numpy(), python_values(schedule, steps), ulps=1)


def test_float32_power_stays_within_a_few_ulps() -> None:
    # Devices without float64 (MPS) compute in float32; ops.power then splits the
    # exponent so that rate ** k keeps its accuracy at any k (a plain float32 pow loses
    # |k * log(rate)| ulps). Checked here on float32 CPU tensors.
    from lrschedule.backends.torch import TORCH_OPS

    for base in (0.9, 0.96, 0.999999, 1.01, 1e-10):
        limit = 80 / abs(np.log(base))
        exponents = np.unique(
            np.concatenate([np.arange(0, min(limit, 3000)), np.linspace(0, limit, 3001)])
        ).astype(np.float32)
        result = TORCH_OPS.power(base, torch.tensor(exponents)).numpy()
        expected = [float(base) ** float(e) for e in exponents]
        assert_float32_close(result, expected, ulps=4)


# ----------------------------------------------------------------- ScheduleLR
def _optimizers() -> Iterator[type]:
    for name in sorted(dir(torch.optim)):
        cls = getattr(torch.optim, name)
        if (
            inspect.isclass(cls)
            and issubclass(cls, torch.optim.Optimizer)
            and cls is not torch.optim.Optimizer
        ):
            yield cls


OPTIMIZERS = list(_optimizers())


def _make(cls: type, params: list[Any]) -> Any:
    if cls.__name__ == "Muon":
        return cls(params, lr=1.0, adjust_lr_fn="original")
    return cls(params, lr=1.0)


def _params(cls: type) -> list[Any]:
    torch.manual_seed(0)
    if cls.__name__ == "Muon":  # 2-d parameters only
        return [torch.nn.Parameter(torch.randn(3, 3))]
    if cls.__name__ == "SparseAdam":  # an embedding table, with sparse gradients
        return [torch.nn.Parameter(torch.randn(3, 1))]
    return [torch.nn.Parameter(torch.randn(3))]


def _loss(cls: type, params: list[Any]) -> Any:
    if cls.__name__ == "SparseAdam":
        embedding = torch.nn.functional.embedding(torch.tensor([0, 2]), params[0], sparse=True)
        return embedding.sum()
    return sum((p**2).sum() for p in params)


@pytest.mark.parametrize("cls", OPTIMIZERS, ids=lambda cls: cls.__name__)
def test_every_optimizer_uses_schedule_of_step(cls: type) -> None:
    schedule = CosineDecayRestarts(0.05, 4, t_mul=1.5, m_mul=0.8, alpha=0.01)
    params = _params(cls)
    optimizer = _make(cls, params)
    scheduler = ScheduleLR(optimizer, schedule)
    used: list[float] = []
    optimizer.register_step_pre_hook(lambda opt, *_: used.append(opt.param_groups[0]["lr"]))

    def closure() -> Any:
        optimizer.zero_grad()
        loss = _loss(cls, params)
        loss.backward()
        return loss

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for _ in range(12):
            optimizer.step(closure)
            scheduler.step()
    assert used == [schedule(step) for step in range(12)]
    assert scheduler.get_last_lr() == [schedule(12)]


def test_sgd_updates_by_exactly_the_scheduled_rate() -> None:
    schedule = ExponentialDecay(0.25, 3, 0.5)
    weight = torch.nn.Parameter(torch.zeros(4, dtype=torch.float64))
    optimizer = torch.optim.SGD([weight], lr=123.0)
    scheduler = ScheduleLR(optimizer, schedule)
    for step in range(8):
        before = weight.detach().clone()
        weight.grad = torch.ones(4, dtype=torch.float64)
        optimizer.step()
        scheduler.step()
        assert torch.equal(weight.detach(), before - schedule(step))


def test_one_schedule_per_group_and_argument_checks() -> None:
    first, second = torch.nn.Parameter(torch.zeros(1)), torch.nn.Parameter(torch.zeros(1))
    optimizer = torch.optim.Adam([{"params": [first]}, {"params": [second]}], lr=1.0)
    schedules = [ExponentialDecay(0.1, 5, 0.5), PiecewiseConstantDecay([2], [0.3, 0.03])]
    scheduler = ScheduleLR(optimizer, schedules)
    for step in range(5):
        assert [group["lr"] for group in optimizer.param_groups] == [s(step) for s in schedules]
        optimizer.step()
        scheduler.step()
    with pytest.raises(ValueError, match="a list of 2 \\(one per parameter group\\)"):
        ScheduleLR(optimizer, schedules[:1])
    with pytest.raises(TypeError, match="must be a schedule"):
        ScheduleLR(optimizer, 0.1)
    with pytest.raises(TypeError, match="must be a torch.optim.Optimizer"):
        ScheduleLR([first], schedules[0])
    assert "ScheduleLR(schedule=[ExponentialDecay(" in repr(scheduler)


def _run(steps: int, schedule: Any, resume_at: int | None) -> list[float]:
    """The lrs the optimizer reads over ``steps`` updates, optionally via a checkpoint."""
    torch.manual_seed(0)
    model = torch.nn.Linear(3, 1)
    optimizer = torch.optim.AdamW(model.parameters(), lr=1.0)
    scheduler = ScheduleLR(optimizer, schedule)
    used: list[float] = []
    hook = optimizer.register_step_pre_hook(lambda opt, *_: used.append(opt.param_groups[0]["lr"]))
    for step in range(steps):
        if step == resume_at:
            buffer = io.BytesIO()
            torch.save({"scheduler": scheduler.state_dict(), "model": model.state_dict()}, buffer)
            buffer.seek(0)
            state = torch.load(buffer, weights_only=True)
            hook.remove()
            model = torch.nn.Linear(3, 1)
            model.load_state_dict(state["model"])
            optimizer = torch.optim.AdamW(model.parameters(), lr=1.0)  # fresh: lr 1.0
            scheduler = ScheduleLR(optimizer, schedule)
            scheduler.load_state_dict(state["scheduler"])
            hook = optimizer.register_step_pre_hook(
                lambda opt, *_: used.append(opt.param_groups[0]["lr"])
            )
        model(torch.ones(3)).sum().backward()
        optimizer.step()
        scheduler.step()
    return used


def test_resume_from_a_checkpoint_gives_the_same_learning_rates() -> None:
    schedule = CosineDecay(0.0, 30, alpha=0.1, warmup_target=0.1, warmup_steps=5)
    straight = _run(40, schedule, resume_at=None)
    assert straight == [schedule(step) for step in range(40)]
    for resume_at in (1, 5, 17, 39):
        assert _run(40, schedule, resume_at=resume_at) == straight


def test_state_dict_is_plain_and_last_epoch_resumes() -> None:
    optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=1.0)
    schedule = InverseTimeDecay(0.1, 4, 0.5)
    scheduler = ScheduleLR(optimizer, schedule)
    for _ in range(6):
        optimizer.step()
        scheduler.step()
    state = scheduler.state_dict()
    assert state == {"last_epoch": 6, "_step_count": 7, "_last_lr": [schedule(6)]}
    fresh = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=1.0)
    # PyTorch's convention: last_epoch=k is the last step taken, so the next is k + 1.
    resumed = ScheduleLR(fresh, schedule, last_epoch=6)
    assert fresh.param_groups[0]["lr"] == schedule(7) and resumed.last_epoch == 7
    resumed.step(epoch=2)  # jump to any step
    assert fresh.param_groups[0]["lr"] == schedule(2)
    with pytest.raises(KeyError, match="last_epoch"):
        resumed.load_state_dict({})


def _assert_plain(value: Any) -> None:
    """Only Python ints and floats (exactly those types) in dicts and lists: no tensor."""
    if isinstance(value, (dict, list)):
        for item in value.values() if isinstance(value, dict) else value:
            _assert_plain(item)
    else:
        assert type(value) in (int, float), (value, type(value))


def test_state_dict_holds_plain_floats_with_a_tensor_learning_rate() -> None:
    schedule = CosineDecay(0.05, 20, alpha=0.1)

    def build() -> tuple[torch.optim.Optimizer, ScheduleLR]:
        optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(2))], lr=torch.tensor(0.1))
        return optimizer, ScheduleLR(optimizer, schedule)

    optimizer, scheduler = build()
    for _ in range(6):
        optimizer.step()
        scheduler.step()
    state = scheduler.state_dict()
    assert set(state) == {"last_epoch", "_step_count", "_last_lr"}
    _assert_plain(state)
    assert [type(lr) for lr in state["_last_lr"]] == [float]
    assert state["_last_lr"] == [optimizer.param_groups[0]["lr"].item()]
    buffer = io.BytesIO()
    torch.save(state, buffer)
    buffer.seek(0)
    loaded = torch.load(buffer, weights_only=True)
    assert loaded == state

    # A fresh optimizer with a tensor lr resumes at exactly the same learning rates.
    fresh, resumed = build()
    resumed.load_state_dict(loaded)
    assert resumed.state_dict() == state
    for _ in range(10):
        lr, resumed_lr = optimizer.param_groups[0]["lr"], fresh.param_groups[0]["lr"]
        assert isinstance(resumed_lr, torch.Tensor) and torch.equal(resumed_lr, lr)
        for opt, sched in ((optimizer, scheduler), (fresh, resumed)):
            opt.step()
            sched.step()
    _assert_plain(resumed.state_dict())


def test_initial_lr_is_not_the_tensor_that_is_filled() -> None:
    """``initial_lr`` keeps the optimizer's first rate (PyTorch clones a tensor lr too)."""
    optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=torch.tensor(0.5))
    scheduler = ScheduleLR(optimizer, ExponentialDecay(0.1, 2, 0.5))
    for _ in range(3):
        optimizer.step()
        scheduler.step()
    group = optimizer.param_groups[0]
    assert group["initial_lr"] is not group["lr"]
    assert group["initial_lr"].item() == 0.5
    assert group["lr"].item() == pytest.approx(ExponentialDecay(0.1, 2, 0.5)(3), rel=1e-6)


def test_no_warning_when_the_scheduler_steps_before_the_optimizer() -> None:
    # PyTorch warns when scheduler.step() comes first (e.g. when AMP skips the first
    # optimizer step); a closed-form schedule has nothing to skip, so ScheduleLR does not.
    optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=1.0)
    schedule = ExponentialDecay(0.1, 10, 0.5)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        scheduler = ScheduleLR(optimizer, schedule)
        scheduler.step()
        scheduler.step()
        scheduler.get_lr()
    assert optimizer.param_groups[0]["lr"] == schedule(2)


def test_tensor_learning_rate_is_filled_in_place_and_compiled_step_does_not_recompile() -> None:
    schedule = CosineDecay(0.05, 20, alpha=0.1)
    torch.manual_seed(0)
    weight = torch.nn.Parameter(torch.randn(4))
    optimizer = torch.optim.Adam([weight], lr=torch.tensor(0.0), capturable=False)
    lr_tensor = optimizer.param_groups[0]["lr"]
    scheduler = ScheduleLR(optimizer, schedule)
    reference = torch.nn.Parameter(weight.detach().clone())
    eager = torch.optim.Adam([reference], lr=1.0)
    reference_scheduler = ScheduleLR(eager, schedule)

    torch._dynamo.reset()
    counter = torch._dynamo.testing.CompileCounter()

    @torch.compile(backend=counter)
    def compiled_step() -> None:
        optimizer.step()

    with torch._dynamo.config.patch(error_on_recompile=True):
        for step in range(8):
            assert optimizer.param_groups[0]["lr"] is lr_tensor
            assert lr_tensor.item() == pytest.approx(schedule(step), rel=1e-6)
            weight.grad = torch.ones(4)
            reference.grad = torch.ones(4)
            compiled_step()
            eager.step()
            scheduler.step()
            reference_scheduler.step()
    assert counter.frame_count >= 1
    torch.testing.assert_close(weight.detach(), reference.detach())
    assert isinstance(scheduler.get_last_lr()[0], torch.Tensor)
    assert scheduler.state_dict()["_last_lr"] == [pytest.approx(schedule(8), rel=1e-6)]
