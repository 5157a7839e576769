"""Reduce on plateau: the one piece of state, a scale lowered when a metric stops improving.

:class:`ReduceOnPlateau` follows PyTorch's ``ReduceLROnPlateau`` (its arguments, defaults
and counting) but keeps a *scale* instead of writing learning rates: ``schedule * plateau``
(:class:`~lrschedule.schedules.plateau_scaled.PlateauScaled`) is the rate
``schedule(step) * scale``, so warmups and decays keep running on their own clock while the
plateau lowers the level. The schedules stay stateless; only :meth:`ReduceOnPlateau.observe`
changes anything.

This module imports nothing but the standard library and the layers below it.
"""

from __future__ import annotations

import math

from lrschedule.backends.dispatch import evaluate
from lrschedule.core import registry
from lrschedule.core.contract import LearningRateSchedule
from lrschedule.core.validation import (
    check_choice,
    check_name,
    check_real,
    require,
    whole_steps,
)
from lrschedule.schedules.plateau_state import checked_state

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

__all__ = ["ReduceOnPlateau"]

_NONFINITE = ("raise", "ignore", "bad")


class ReduceOnPlateau(LearningRateSchedule):
    """A scale, lowered by ``factor`` when a metric has not improved for ``patience`` observations.

    Each :meth:`observe` of a metric value ``m`` (PyTorch's ``ReduceLROnPlateau.step(m)``,
    in the same order):

    1. ``m`` is *better* than the best so far when, in ``mode="min"``, ``m < best * (1 -
       threshold)`` (``threshold_mode="rel"``) or ``m < best - threshold`` (``"abs"``); in
       ``mode="max"``, ``m > best * (1 + threshold)`` or ``m > best + threshold``. The
       first observation is always better. A better ``m`` becomes ``best`` and clears the
       bad count; otherwise the bad count grows by one.
    2. During a cooldown, the cooldown counter falls by one and the bad count is cleared.
    3. When the bad count exceeds ``patience``, the plateau *reduces*:
       ``scale' = max(scale * factor, min_scale)``, kept only if ``scale - scale' > eps``;
       then the cooldown counter is set to ``cooldown`` and the bad count cleared.

    The scale starts at 1. **Floors.** ``min_scale`` floors the scale itself (with a
    constant schedule of rate ``L`` it is PyTorch's ``min_lr = L * min_scale``);
    ``min_lr`` floors the *composed* rate: ``schedule * plateau`` is
    ``max(schedule(t) * scale, min(schedule(t), min_lr))``, so the plateau never takes the
    rate below ``min_lr``, while the schedule's own shape (a warmup from 0, a decay to 0)
    is left as it is. ``eps`` is in units of the scale. With a constant schedule every
    reduction and rate is PyTorch's, but for one case: PyTorch skips a reduction that would
    take the rate less than ``eps`` below where it is onto ``min_lr``, while here the rate
    reaches ``min_lr``.

    **Keras's callback counts differently**: it reduces after ``patience`` bad epochs (here
    and in PyTorch, after ``patience + 1``), its cooldown ends an epoch later, and its
    ``min_delta`` is absolute. Keras's ``ReduceLROnPlateau(patience=p, cooldown=c,
    min_delta=d)`` is ``ReduceOnPlateau(patience=max(p - 1, 0), cooldown=max(c - 1, 0),
    threshold=d, threshold_mode="abs", eps=0)``, as long as its ``min_lr`` is not reached.

    **Metrics that are not finite.** ``nonfinite="raise"`` (the default) refuses NaN and
    infinite metrics with a ``ValueError`` and changes nothing; ``"ignore"`` skips them
    (nothing changes, not even the count); ``"bad"`` counts them as observations that did
    not improve (PyTorch's behaviour for NaN). The scale is never NaN.

    **State.** :meth:`state_dict` is a small JSON-ready dict (scale, best, bad count,
    cooldown counter, number of reductions, number of observations);
    :meth:`load_state_dict` checks it against this controller's arguments.
    :meth:`get_config` is the arguments and, once something was observed, the ``state``
    reached, so :func:`lrschedule.serialize`, pickling, copies and Keras's
    ``model.save()`` carry the controller exactly. Two controllers are equal when their
    configurations and states are; the hash reads the configuration only, so observing
    does not move a controller in a dict (a :class:`~lrschedule.PlateauScaled` compares
    and hashes its plateau by configuration).

    Reading it never changes it: ``plateau(step)`` is the current scale at any step.

    Args:
        mode: ``"min"`` (lower metrics are better) or ``"max"``.
        factor: The factor of a reduction, ``0 <= factor < 1``.
        patience: Observations without improvement tolerated before a reduction.
        threshold: The least improvement that counts, ``>= 0``.
        threshold_mode: ``"rel"`` or ``"abs"``: how ``threshold`` is measured.
        cooldown: Observations after a reduction during which bad ones are not counted.
        min_scale: The floor of the scale, ``0 <= min_scale <= 1``.
        min_lr: The floor of the composed rate (see above), ``>= 0``.
        eps: A reduction smaller than this (in scale units) is not applied.
        nonfinite: ``"raise"``, ``"ignore"`` or ``"bad"`` (see above).
        name: Name of the controller; kept in the config.
        state: A state to start from (what :meth:`state_dict` returns); ``None`` for a fresh one.

    Raises:
        ValueError: An argument out of its range, or a ``state`` that does not fit.
        TypeError: An argument of the wrong type.

    Example:
        >>> plateau = ReduceOnPlateau(factor=0.5, patience=1)
        >>> [plateau.observe(loss) for loss in [1.0, 0.9, 0.95, 0.93, 0.92]]
        [False, False, False, True, False]
        >>> plateau.scale, plateau.state_dict()["reductions"]
        (0.5, 1)
    """

    __slots__ = (
        "mode",
        "factor",
        "patience",
        "threshold",
        "threshold_mode",
        "cooldown",
        "min_scale",
        "min_lr",
        "eps",
        "nonfinite",
        "name",
        "_scale",
        "_best",
        "_bad",
        "_cooling",
        "_reductions",
        "_count",
        "_listeners",
        "__weakref__",
    )

    #: As a schedule it is constant (its current scale): one monotone, smooth piece.
    _monotone_pieces = True

    def __init__(
        self,
        mode: str = "min",
        factor: float = 0.1,
        patience: int = 10,
        threshold: float = 1e-4,
        threshold_mode: str = "rel",
        cooldown: int = 0,
        min_scale: float = 0.0,
        min_lr: float = 0.0,
        eps: float = 1e-8,
        nonfinite: str = "raise",
        name: str | None = "ReduceOnPlateau",
        state: dict[str, Any] | None = None,
    ) -> None:
        self.mode = check_choice("mode", mode, ("min", "max"))
        self.factor = check_real("factor", factor)
        require(0 <= self.factor < 1, "factor", factor, ">= 0 and < 1")
        self.patience = whole_steps("patience", patience)
        self.threshold = check_real("threshold", threshold)
        require(self.threshold >= 0, "threshold", threshold, ">= 0")
        self.threshold_mode = check_choice("threshold_mode", threshold_mode, ("rel", "abs"))
        self.cooldown = whole_steps("cooldown", cooldown)
        self.min_scale = check_real("min_scale", min_scale)
        require(0 <= self.min_scale <= 1, "min_scale", min_scale, ">= 0 and <= 1")
        self.min_lr = check_real("min_lr", min_lr)
        require(self.min_lr >= 0, "min_lr", min_lr, ">= 0")
        self.eps = check_real("eps", eps)
        require(self.eps >= 0, "eps", eps, ">= 0")
        self.nonfinite = check_choice("nonfinite", nonfinite, _NONFINITE)
        self.name = check_name(name)
        self._listeners: list[Callable[[float], None]] = []
        self._reset()
        if state is not None:
            self.load_state_dict(state)

    def _reset(self) -> None:
        self._scale = 1.0
        self._best: float | None = None
        self._bad = 0
        self._cooling = 0
        self._reductions = 0
        self._count = 0

    # ------------------------------------------------------------------ the value
    @property
    def scale(self) -> float:
        """The current scale, in ``[min_scale, 1]``."""
        return self._scale

    def __call__(self, step: Any) -> Any:
        """The current scale at any step (an array of it for an array step); reading it
        changes nothing."""
        if step.__class__ is int and step >= 0:
            return self._scale
        return evaluate(self, step)

    def _compute(self, x: Any, ops: Any) -> Any:
        return ops.to_float(x) * 0.0 + self._scale

    # ------------------------------------------------------------- composition
    def _scale_schedule(self, schedule: Any) -> LearningRateSchedule:
        """``schedule * plateau``: a :class:`~lrschedule.PlateauScaled`."""
        result: LearningRateSchedule = _library("PlateauScaled")(schedule, self)
        return result

    def __mul__(self, other: Any) -> LearningRateSchedule:
        """``plateau * schedule`` (or ``plateau * rate``): the schedule (a constant rate)
        scaled by this plateau, a :class:`~lrschedule.PlateauScaled`."""
        return self._scale_schedule(_as_schedule(other))

    def __rmul__(self, other: Any) -> LearningRateSchedule:
        """``rate * plateau``: a constant rate scaled by this plateau."""
        return self._scale_schedule(_as_schedule(other))

    # ------------------------------------------------------------- observations
    def is_better(self, metric: float) -> bool:
        """Whether ``metric`` improves on the best so far by more than the threshold."""
        best = self._best
        if best is None:
            return True
        if self.mode == "min":
            if self.threshold_mode == "rel":
                return metric < best * (1.0 - self.threshold)
            return metric < best - self.threshold
        if self.threshold_mode == "rel":
            return metric > best * (self.threshold + 1.0)
        return metric > best + self.threshold

    def observe(self, metric: Any) -> bool:
        """Observe one metric value (an epoch's validation loss); ``True`` if it reduced.

        ``metric`` is anything ``float()`` takes (a Python or NumPy number, a one-element
        tensor). Returns whether this observation triggered a reduction (the scale may
        then stay at its floor, or keep a change smaller than ``eps`` off).

        Raises:
            ValueError: ``metric`` is NaN or infinite, with ``nonfinite="raise"``.
            TypeError: ``metric`` is not a number.
        """
        if isinstance(metric, (bool, str, bytes)) or metric is None:
            raise TypeError(
                "Argument `metric` must be a real number. "
                f"Received: metric={metric!r} of type {type(metric).__name__}"
            )
        try:
            value = float(metric)
        except (TypeError, ValueError):
            raise TypeError(
                "Argument `metric` must be a real number. "
                f"Received: metric={metric!r} of type {type(metric).__name__}"
            ) from None
        finite = math.isfinite(value)
        if not finite:
            if self.nonfinite == "raise":
                raise ValueError(
                    "Argument `metric` must be a finite number (nonfinite='raise'). "
                    f"Received: metric={value!r}"
                )
            if self.nonfinite == "ignore":
                return False
        self._count += 1
        if finite and self.is_better(value):
            self._best = value
            self._bad = 0
        else:
            self._bad += 1
        if self._cooling > 0:
            self._cooling -= 1
            self._bad = 0
        if self._bad <= self.patience:
            return False
        lowered = max(self._scale * self.factor, self.min_scale)
        if self._scale - lowered > self.eps:
            self._scale = lowered
            for listener in tuple(self._listeners):
                listener(lowered)
        self._cooling = self.cooldown
        self._bad = 0
        self._reductions += 1
        return True

    def add_listener(self, listener: Callable[[float], None]) -> None:
        """Call ``listener(scale)`` whenever the scale changes (an adapter's framework
        variable follows it so); it is called at once with the current scale."""
        self._listeners.append(listener)
        listener(self._scale)

    def remove_listener(self, listener: Callable[[float], None]) -> None:
        """Stop calling ``listener``."""
        self._listeners[:] = [item for item in self._listeners if item is not listener]

    # ------------------------------------------------------------------- state
    def state_dict(self) -> dict[str, Any]:
        """The state, JSON-ready: ``mode``, ``scale``, ``best`` (``None`` before any finite
        observation), ``num_bad_epochs``, ``cooldown_counter``, ``reductions``, ``count``."""
        return {
            "mode": self.mode,
            "scale": self._scale,
            "best": self._best,
            "num_bad_epochs": self._bad,
            "cooldown_counter": self._cooling,
            "reductions": self._reductions,
            "count": self._count,
        }

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore :meth:`state_dict`'s output, checked against this controller's arguments.

        Raises:
            ValueError: A missing or unknown key, or a state that this configuration cannot
                reach (another ``mode``; a scale outside ``[min_scale, 1]``; a bad count above
                ``patience`` or a cooldown counter above ``cooldown``).
            TypeError: ``state_dict`` is not a dict, or a value of the wrong type.
        """
        scale, best, bad, cooling, reductions, count = checked_state(
            state_dict, self.mode, self.min_scale, self.patience, self.cooldown
        )
        self._scale, self._best, self._bad, self._cooling = scale, best, bad, cooling
        self._reductions, self._count = reductions, count
        for listener in tuple(self._listeners):
            listener(scale)

    def reset(self) -> None:
        """Back to the fresh state: scale 1, nothing observed."""
        self._reset()
        for listener in tuple(self._listeners):
            listener(self._scale)

    # ------------------------------------------------------------------- config
    def get_config(self) -> dict[str, Any]:
        """The arguments, and the ``state`` reached (``None`` while nothing was observed)."""
        fresh = self._count == 0 and self._scale == 1.0
        return {
            "mode": self.mode,
            "factor": self.factor,
            "patience": self.patience,
            "threshold": self.threshold,
            "threshold_mode": self.threshold_mode,
            "cooldown": self.cooldown,
            "min_scale": self.min_scale,
            "min_lr": self.min_lr,
            "eps": self.eps,
            "nonfinite": self.nonfinite,
            "name": self.name,
            "state": None if fresh else self.state_dict(),
        }

    def _config_or_none(self) -> dict[str, Any] | None:
        # Hashing (its own and a composite's) reads the configuration without the state,
        # which observations change; equality compares the state too.
        return {**self.get_config(), "state": None}

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ReduceOnPlateau):
            return NotImplemented
        return self is other or self.get_config() == other.get_config()

    def __hash__(self) -> int:
        return super().__hash__()

    def __repr__(self) -> str:
        defaults = ReduceOnPlateau.__init__.__defaults__ or ()
        names = list(self.get_config())
        config = self.get_config()
        shown = [
            f"{key}={config[key]!r}"
            for key, default in zip(names, defaults, strict=True)
            if not (type(default) is type(config[key]) and default == config[key])
        ]
        return f"ReduceOnPlateau({', '.join(shown)})"

    def __reduce__(self) -> tuple[Callable[..., Any], tuple[Any, ...]]:
        return (_rebuild, (self.get_config(),))


def _library(name: str) -> Any:
    cls = registry.library_class(name)
    if cls is None:  # pragma: no cover - lrschedule.schedules imports them all
        raise TypeError(f"{name} needs lrschedule's schedules imported.")
    return cls


def _as_schedule(other: Any) -> Any:
    """A schedule as it is; a number as a ``Constant`` of that rate."""
    if isinstance(other, LearningRateSchedule) or callable(getattr(other, "get_config", None)):
        return other
    return _library("Constant")(other)


def _rebuild(config: dict[str, Any]) -> ReduceOnPlateau:
    """Unpickle a controller, its state included (listeners are not carried)."""
    return ReduceOnPlateau(**config)


registry.add_library_class(ReduceOnPlateau)
