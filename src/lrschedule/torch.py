"""PyTorch: :class:`ScheduleLR`, a ``torch.optim`` scheduler that sets ``lr = schedule(step)``
and, optionally, any other parameter-group value (momentum, ``betas``, weight decay) from a
schedule of its own.

Importing this module imports PyTorch; ``import lrschedule`` does not.

A schedule also works on its own with tensors: ``schedule(torch.tensor(step))`` gives a
tensor on the step's device, of its float dtype (``torch.get_default_dtype()`` for an
integer step), traceable by ``torch.compile(fullgraph=True)`` without recompiling as the
step changes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import torch
from torch.optim.lr_scheduler import LRScheduler

from lrschedule.core.validation import Real, check_flag
from lrschedule.schedules.momentum import momentum_schedule
from lrschedule.torch_hyper import Target, as_step, per_group, resolve, write

__all__ = ["ScheduleLR"]

Schedule = Callable[[Any], Any]
Spec = Schedule | Sequence[Schedule | None] | None


class ScheduleLR(LRScheduler):
    """Set every parameter group's learning rate to ``schedule(step)``, absolutely, and any
    other group value to a schedule of its own.

    Unlike ``LambdaLR``, the schedule gives the learning rate itself, not a factor of
    the optimizer's initial one. Build it after the optimizer and call :meth:`step`
    after each ``optimizer.step()``, as with any PyTorch scheduler: the constructor sets
    ``schedule(0)``, so the first update uses ``schedule(0)``, and after ``k`` calls to
    :meth:`step` the optimizer's learning rate is ``schedule(k)`` (Keras and Optax count
    the same way). Step it once per optimizer update for schedules written in updates.

    **Other hyperparameters.** Each keyword names a parameter-group value and gives its
    schedule: ``ScheduleLR(optimizer, lr=lr_schedule, momentum=m, weight_decay=wd)`` sets
    ``group["momentum"] = m(k)`` and ``group["weight_decay"] = wd(k)`` at step ``k`` along
    with the learning rate. Any key whose value is a number or a floating-point tensor can
    be scheduled; ``beta1`` and ``beta2`` name the elements of Adam's ``betas`` pair. Each
    argument is one schedule for every group or a list with one per group (``None`` in
    the list leaves that group's value alone). ``cycle_momentum=True`` cycles the momentum
    against a :class:`~lrschedule.OneCycle` or
    :class:`~lrschedule.CyclicalLearningRate` learning rate as PyTorch's ``OneCycleLR``
    and ``CyclicLR`` do by default: ``betas[0]`` when the optimizer has ``betas`` (the
    Adam family), else ``momentum``, following
    :func:`~lrschedule.schedules.momentum.momentum_schedule`.

    The scheduler holds no state but the step count: :meth:`state_dict` is
    ``{"last_epoch": k, ...}`` (plain numbers, loadable with ``torch.load(...,
    weights_only=True)``), and :meth:`load_state_dict` sets every scheduled value to its
    schedule at ``k`` at once, so a run resumes exactly even with a freshly built
    optimizer. :meth:`step` never warns about its call order (there is no chained state
    that a skipped optimizer step could corrupt). ``step(epoch)`` goes to step ``epoch``,
    fractional ones included: ``scheduler.step(epoch + i / iters)`` (PyTorch's idiom for
    ``CosineAnnealingWarmRestarts``) evaluates every schedule at that fractional step.

    A group value that is a tensor (for ``torch.compile``'d optimizer steps,
    ``torch.optim.Adam(params, lr=torch.tensor(0.01))``) is updated in place with
    ``fill_``, so the compiled step does not recompile as the value changes; a tensor
    ``lr`` leaves ``group["initial_lr"]`` at its first value (a clone, as PyTorch keeps it).

    Args:
        optimizer: Any ``torch.optim.Optimizer``.
        schedule: The learning-rate schedule (any callable from a step to a learning
            rate), or a list of them, one per parameter group; ``None`` leaves ``lr`` alone.
        last_epoch: The index of the last step taken, for resuming with PyTorch's own
            convention: ``-1`` (the default) starts at step 0; ``k`` starts at ``k + 1``.
        lr: Another spelling of ``schedule``, to read alongside the other keywords.
        cycle_momentum: Schedule the momentum (or ``betas[0]``) against the learning rate,
            as PyTorch's ``OneCycleLR`` and ``CyclicLR`` do.
        base_momentum: With ``cycle_momentum``, the momentum at the learning rate's peak;
            ``None`` for PyTorch's default (0.85 for one cycle, 0.8 for cyclical rates).
        max_momentum: With ``cycle_momentum``, the momentum at the learning rate's
            bottom; ``None`` for PyTorch's default (0.95, 0.9).
        run: For schedules with step counts in units (``warmup_steps="1ep"``,
            ``decay_steps="90%"``): the :class:`~lrschedule.Run` they are resolved for,
            ``Run(total=epochs * len(loader), steps_per_epoch=len(loader))``, or the run's
            total steps alone. Every schedule given is resolved with it, once, here.
        **hyperparameters: A schedule (or a list, one per group) for each other value:
            ``momentum=...``, ``weight_decay=...``, ``beta1=...``, ``beta2=...``, any key.

    Raises:
        TypeError: ``optimizer`` is not an optimizer, a schedule is not callable, no
            schedule is given, ``schedule`` and ``lr`` are both given, or a named value is
            not numeric.
        ValueError: A list of schedules whose length is not the number of groups, a name
            the groups do not have, a schedule with units and no ``run`` (or a ``run``
            that lacks what they need), or ``cycle_momentum`` with an optimizer that has
            neither ``momentum`` nor ``betas``, or with the momentum scheduled too.

    Example:
        >>> import torch
        >>> from lrschedule import ExponentialDecay
        >>> from lrschedule.torch import ScheduleLR
        >>> model = torch.nn.Linear(2, 1)
        >>> optimizer = torch.optim.SGD(model.parameters(), lr=1.0)
        >>> scheduler = ScheduleLR(optimizer, ExponentialDecay(0.1, 10, 0.5))
        >>> optimizer.param_groups[0]["lr"]
        0.1
        >>> for _ in range(10):
        ...     optimizer.step()
        ...     scheduler.step()
        >>> scheduler.get_last_lr()
        [0.05]
    """

    schedules: list[Schedule | None]
    hyperparameters: dict[str, list[Schedule | None]]

    def __init__(
        self,
        optimizer: torch.optim.Optimizer,
        schedule: Spec = None,
        last_epoch: int = -1,
        *,
        lr: Spec = None,
        cycle_momentum: bool = False,
        base_momentum: Real | None = None,
        max_momentum: Real | None = None,
        run: Any = None,
        **hyperparameters: Spec,
    ) -> None:
        if not isinstance(optimizer, torch.optim.Optimizer):
            raise TypeError(
                "Argument `optimizer` must be a torch.optim.Optimizer. "
                f"Received: optimizer={optimizer!r} of type {type(optimizer).__name__}"
            )
        if schedule is not None and lr is not None:
            raise TypeError(
                "Arguments `schedule` and `lr` are two names for the learning-rate schedule: "
                "give one of them. Received both"
            )
        groups = optimizer.param_groups
        name = "lr" if lr is not None else "schedule"
        self.schedules = per_group(name, lr if lr is not None else schedule, len(groups))
        self.hyperparameters = {
            key: per_group(key, spec, len(groups)) for key, spec in hyperparameters.items()
        }
        self.schedules = _for_run(name, self.schedules, run)
        self.hyperparameters = {
            key: _for_run(key, items, run) for key, items in self.hyperparameters.items()
        }
        if check_flag("cycle_momentum", cycle_momentum):
            key = _momentum_name(optimizer, self.hyperparameters)
            self.hyperparameters[key] = [
                None if item is None else momentum_schedule(item, base_momentum, max_momentum)
                for item in self.schedules
            ]
        else:
            for unused, value in (("base_momentum", base_momentum), ("max_momentum", max_momentum)):
                if value is not None:
                    raise ValueError(
                        f"Argument `{unused}` is only used with cycle_momentum=True. "
                        f"Received: {unused}={value!r} with cycle_momentum=False"
                    )
        self._targets = self._resolve(groups)
        if not any(self._targets):
            raise TypeError(
                "ScheduleLR needs a schedule: pass `schedule` (or `lr`), or a schedule for "
                "another parameter-group value. Received: none"
            )
        for group in groups:
            # PyTorch requires it to resume with last_epoch >= 0; the schedule ignores it.
            # A tensor lr is cloned, as PyTorch does: the lr itself is filled in place.
            initial = group["lr"]
            if isinstance(initial, torch.Tensor):
                initial = initial.clone()
            group.setdefault("initial_lr", initial)
        super().__init__(optimizer, last_epoch)

    def _resolve(self, groups: list[dict[str, Any]]) -> list[tuple[int, str, int | None, Schedule]]:
        """Each scheduled value's group, key, element and schedule (all checked at once)."""
        specs = {"lr": self.schedules, **self.hyperparameters}
        targets: list[tuple[int, str, int | None, Schedule]] = []
        for number, group in enumerate(groups):
            chosen: dict[Target, str] = {}
            for name, items in specs.items():
                item = items[number]
                if item is None:
                    continue
                target = resolve(name, group, number)
                if target in chosen:
                    raise ValueError(
                        f"Argument `{name}` schedules {target}, which `{chosen[target]}` "
                        f"schedules already. Received: both, for parameter group {number}"
                    )
                chosen[target] = name
                targets.append((number, target.key, target.index, item))
        return targets

    def get_lr(self) -> list[float | torch.Tensor]:
        """The learning rates for the current step, ``schedule(last_epoch)`` per group (the
        group's current ``lr`` where no schedule sets it)."""
        step = self.last_epoch
        return [
            _snapshot(group["lr"]) if schedule is None else _as_value(schedule(step))
            for group, schedule in zip(self.optimizer.param_groups, self.schedules, strict=True)
        ]

    def _get_closed_form_lr(self) -> list[float | torch.Tensor]:
        return self.get_lr()

    def step(self, epoch: Real | None = None) -> None:
        """Advance one step (or go to step ``epoch``) and set every scheduled value.

        Call it after ``optimizer.step()``. With ``epoch`` the scheduler goes to that
        step, which may be fractional (the schedules are closed forms, so any step is
        exact); a whole ``epoch`` is kept as an ``int``.
        """
        step = self.last_epoch + 1 if epoch is None else as_step(epoch)
        self._apply(step)
        self._step_count += 1
        # Fractional after step(epoch + i / iters), as PyTorch's own step(epoch) stores it.
        self.last_epoch = step  # type: ignore[assignment]

    def state_dict(self) -> dict[str, Any]:
        """``{"last_epoch", "_step_count", "_last_lr"}``: the step and the rates it gave."""
        return {
            "last_epoch": self.last_epoch,
            "_step_count": self._step_count,
            "_last_lr": [_plain(lr) for lr in self._last_lr],
        }

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Resume at ``state_dict["last_epoch"]``: every scheduled value is set at once."""
        if "last_epoch" not in state_dict:
            raise KeyError(
                "Argument `state_dict` must hold 'last_epoch' (from ScheduleLR.state_dict()). "
                f"Received keys: {sorted(state_dict)}"
            )
        step = as_step(state_dict["last_epoch"])
        self._apply(step)
        self.last_epoch = step  # type: ignore[assignment]
        self._step_count = int(state_dict.get("_step_count", int(step) + 1))

    def _apply(self, step: int | float) -> None:
        """Set every scheduled value to its schedule at ``step``: all are evaluated first,
        so a step a schedule refuses changes nothing."""
        groups = self.optimizer.param_groups
        if len(groups) != len(self.schedules):
            raise ValueError(
                f"ScheduleLR was built for {len(self.schedules)} parameter groups; the "
                f"optimizer now has {len(groups)}. Build a new ScheduleLR after "
                "add_param_group()"
            )
        values = [
            (number, key, index, _as_value(schedule(step)))
            for number, key, index, schedule in self._targets
        ]
        for number, key, index, value in values:
            write(groups[number], key, index, value)
        self._last_lr = [_snapshot(group["lr"]) for group in groups]

    def __repr__(self) -> str:
        parts = [f"schedule={_shown(self.schedules)!r}"]
        parts += [f"{key}={_shown(items)!r}" for key, items in self.hyperparameters.items()]
        parts.append(f"last_epoch={self.last_epoch}")
        return f"{type(self).__name__}({', '.join(parts)})"


def _momentum_name(
    optimizer: torch.optim.Optimizer, hyperparameters: dict[str, list[Schedule | None]]
) -> str:
    """``"beta1"`` for an optimizer with ``betas``, else ``"momentum"``, as PyTorch picks."""
    defaults = optimizer.defaults
    if "betas" in defaults:
        key = "beta1"
    elif "momentum" in defaults:
        key = "momentum"
    else:
        raise ValueError(
            "Argument `cycle_momentum` needs an optimizer with `momentum` or `betas` (PyTorch "
            f"cycles one of them). Received: {type(optimizer).__name__}, whose defaults have "
            f"the keys {', '.join(map(repr, sorted(defaults)))}"
        )
    if key in hyperparameters:
        raise ValueError(
            f"Argument `cycle_momentum` schedules `{key}`, which `{key}` schedules already. "
            f"Received: cycle_momentum=True and {key}=..."
        )
    return key


def _shown(items: list[Schedule | None]) -> Any:
    return items[0] if all(item is items[0] for item in items) else items


def _as_value(value: Any) -> float | torch.Tensor:
    """A Python float for a number; a tensor (a user's schedule) is kept as it is."""
    if isinstance(value, torch.Tensor):
        return value
    return float(value)


def _snapshot(value: Any) -> Any:
    """A group value as the scheduler reports it: a tensor is copied, never aliased."""
    return value.clone() if isinstance(value, torch.Tensor) else value


def _plain(value: Any) -> Any:
    return value.item() if isinstance(value, torch.Tensor) else value


def _for_run(name: str, items: list[Schedule | None], run: Any) -> list[Schedule | None]:
    """``items`` with each schedule that counts steps in units resolved for ``run``."""
    from lrschedule.core.units import as_run
    from lrschedule.schedules.resolve import resolve, unit_arguments

    if run is not None:
        run = as_run(run)  # checked even where no schedule needs it
    if all(getattr(item, "is_resolved", True) for item in items):
        return items

    if run is None:
        item = next(item for item in items if not getattr(item, "is_resolved", True))
        units = ", ".join(unit_arguments(item)) or "in a child schedule"
        raise ValueError(
            f"Argument `{name}` counts steps in units ({type(item).__name__}: {units}), so "
            "ScheduleLR needs the run: pass `run=lrschedule.Run(total=..., "
            "steps_per_epoch=len(loader))`, or `run=` the total number of steps. "
            "Received: run=None"
        )
    return [None if item is None else resolve(item, run) for item in items]
