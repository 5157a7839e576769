"""PyTorch: :class:`ScheduleLR`, a ``torch.optim`` scheduler that sets ``lr = schedule(step)``.

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

__all__ = ["ScheduleLR"]

Schedule = Callable[[int], Any]


class ScheduleLR(LRScheduler):
    """Set every parameter group's learning rate to ``schedule(step)``, absolutely.

    Unlike ``LambdaLR``, the schedule gives the learning rate itself, not a factor of
    the optimizer's initial one. Build it after the optimizer and call :meth:`step`
    after each ``optimizer.step()``, as with any PyTorch scheduler: the constructor sets
    ``schedule(0)``, so the first update uses ``schedule(0)``, and after ``k`` calls to
    :meth:`step` the optimizer's learning rate is ``schedule(k)`` (Keras and Optax count
    the same way). Step it once per optimizer update for schedules written in updates.

    The scheduler holds no state but the step count: :meth:`state_dict` is
    ``{"last_epoch": k, ...}`` (plain numbers, loadable with ``torch.load(...,
    weights_only=True)``), and :meth:`load_state_dict` sets every group's learning rate to
    ``schedule(k)`` at once, so a run resumes at exactly the right learning rate even with a
    freshly built optimizer. :meth:`step` never warns about its call order (there is no
    chained state that a skipped optimizer step could corrupt).

    A group whose ``lr`` is a tensor (for ``torch.compile``'d optimizer steps,
    ``torch.optim.Adam(params, lr=torch.tensor(0.01))``) is updated in place with
    ``fill_``, so the compiled step does not recompile as the learning rate changes.

    Args:
        optimizer: Any ``torch.optim.Optimizer``.
        schedule: A schedule (any callable from an ``int`` step to a learning rate), or a
            list of them, one per parameter group.
        last_epoch: The index of the last step taken, for resuming with PyTorch's own
            convention: ``-1`` (the default) starts at step 0; ``k`` starts at ``k + 1``.

    Raises:
        TypeError: ``optimizer`` is not an optimizer, or a schedule is not callable.
        ValueError: A list of schedules whose length is not the number of groups.

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

    schedules: list[Schedule]

    def __init__(
        self,
        optimizer: torch.optim.Optimizer,
        schedule: Schedule | Sequence[Schedule],
        last_epoch: int = -1,
    ) -> None:
        if not isinstance(optimizer, torch.optim.Optimizer):
            raise TypeError(
                "Argument `optimizer` must be a torch.optim.Optimizer. "
                f"Received: optimizer={optimizer!r} of type {type(optimizer).__name__}"
            )
        groups = len(optimizer.param_groups)
        if isinstance(schedule, (list, tuple)):
            if len(schedule) != groups:
                raise ValueError(
                    f"Argument `schedule` must be one schedule or a list of {groups} "
                    f"(one per parameter group). Received: a list of {len(schedule)}"
                )
            schedules = list(schedule)
        else:
            schedules = [schedule] * groups
        for item in schedules:
            if not callable(item):
                raise TypeError(
                    "Argument `schedule` must be a schedule (a callable taking the step). "
                    f"Received: {item!r} of type {type(item).__name__}"
                )
        self.schedules = schedules
        for group in optimizer.param_groups:
            # PyTorch requires it to resume with last_epoch >= 0; the schedule ignores it.
            # A tensor lr is cloned, as PyTorch does: the lr itself is filled in place.
            initial = group["lr"]
            if isinstance(initial, torch.Tensor):
                initial = initial.clone()
            group.setdefault("initial_lr", initial)
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float | torch.Tensor]:
        """The learning rates for the current step, ``schedule(last_epoch)`` per group."""
        step = self.last_epoch
        return [_as_lr(schedule(step)) for schedule in self.schedules]

    def _get_closed_form_lr(self) -> list[float | torch.Tensor]:
        return self.get_lr()

    def step(self, epoch: int | None = None) -> None:
        """Advance one step (or go to step ``epoch``) and set the groups' learning rates.

        Call it after ``optimizer.step()``. With ``epoch`` the scheduler jumps to that
        step (the schedule is a closed form, so any step is exact).
        """
        self._step_count += 1
        self.last_epoch = self.last_epoch + 1 if epoch is None else int(epoch)
        self._apply()

    def state_dict(self) -> dict[str, Any]:
        """``{"last_epoch", "_step_count", "_last_lr"}``: the step and the rates it gave."""
        return {
            "last_epoch": self.last_epoch,
            "_step_count": self._step_count,
            "_last_lr": [_plain(lr) for lr in self._last_lr],
        }

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Resume at ``state_dict["last_epoch"]``: every group gets ``schedule(last_epoch)``."""
        if "last_epoch" not in state_dict:
            raise KeyError(
                "Argument `state_dict` must hold 'last_epoch' (from ScheduleLR.state_dict()). "
                f"Received keys: {sorted(state_dict)}"
            )
        self.last_epoch = int(state_dict["last_epoch"])
        self._step_count = int(state_dict.get("_step_count", self.last_epoch + 1))
        self._apply()

    def _apply(self) -> None:
        step = self.last_epoch
        last: list[float | torch.Tensor] = []
        for group, schedule in zip(self.optimizer.param_groups, self.schedules, strict=True):
            value = _as_lr(schedule(step))
            current = group["lr"]
            if isinstance(current, torch.Tensor):
                current.fill_(value)
                last.append(current.clone())
            else:
                group["lr"] = value
                last.append(value)
        self._last_lr = last

    def __repr__(self) -> str:
        schedules = self.schedules
        shown = schedules[0] if all(s is schedules[0] for s in schedules) else schedules
        return f"{type(self).__name__}(schedule={shown!r}, last_epoch={self.last_epoch})"


def _as_lr(value: Any) -> float | torch.Tensor:
    """A Python float for a number; a tensor (a user's schedule) is kept as it is."""
    if isinstance(value, torch.Tensor):
        return value
    return float(value)


def _plain(value: Any) -> Any:
    return value.item() if isinstance(value, torch.Tensor) else value
