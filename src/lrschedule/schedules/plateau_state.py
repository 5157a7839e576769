"""The checks of a plateau controller's state dict against the configuration that loads it."""

from __future__ import annotations

from lrschedule.core.validation import check_real, require, whole_steps

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = ["STATE_KEYS", "checked_state"]

#: The keys of :meth:`~lrschedule.ReduceOnPlateau.state_dict`, in order.
STATE_KEYS = ("mode", "scale", "best", "num_bad_epochs", "cooldown_counter", "reductions", "count")


def checked_state(
    state_dict: Any, mode_of_config: str, min_scale: float, patience: int, cooldown: int
) -> tuple[float, float | None, int, int, int, int]:
    """``(scale, best, bad count, cooldown counter, reductions, observations)`` of
    ``state_dict``, checked against the configuration that loads it.

    Raises:
        ValueError: A missing or unknown key, or a state that the configuration cannot reach
            (another ``mode``; a scale outside ``[min_scale, 1]``; a bad count above
            ``patience`` or a cooldown counter above ``cooldown``; a best that is not finite).
        TypeError: ``state_dict`` is not a dict, or a value of the wrong type.
    """
    if not isinstance(state_dict, dict):
        raise TypeError(
            "Argument `state_dict` must be a dict (from ReduceOnPlateau.state_dict()). "
            f"Received: {state_dict!r} of type {type(state_dict).__name__}"
        )
    missing = [key for key in STATE_KEYS if key not in state_dict]
    unknown = sorted(str(key) for key in state_dict if key not in STATE_KEYS)
    if missing or unknown:
        raise ValueError(
            "Argument `state_dict` must have the keys "
            f"{', '.join(STATE_KEYS)}. Received: missing {missing}, unknown {unknown}"
        )
    mode = state_dict["mode"]
    if mode != mode_of_config:
        raise ValueError(
            f"Cannot load a state of mode={mode!r} into a ReduceOnPlateau of "
            f"mode={mode_of_config!r}: its best metric means the opposite. "
            f"Received: state_dict={state_dict!r}"
        )
    scale = float(check_real("state_dict['scale']", state_dict["scale"]))
    require(
        min_scale <= scale <= 1,
        "state_dict['scale']",
        scale,
        f">= min_scale={min_scale!r} and <= 1 (a state of another configuration?)",
    )
    best = state_dict["best"]
    best = None if best is None else float(check_real("state_dict['best']", best))
    bad = whole_steps("state_dict['num_bad_epochs']", state_dict["num_bad_epochs"])
    require(
        bad <= patience,
        "state_dict['num_bad_epochs']",
        bad,
        f"<= patience={patience} (a state of another configuration?)",
    )
    cooling = whole_steps("state_dict['cooldown_counter']", state_dict["cooldown_counter"])
    require(
        cooling <= cooldown,
        "state_dict['cooldown_counter']",
        cooling,
        f"<= cooldown={cooldown} (a state of another configuration?)",
    )
    reductions = whole_steps("state_dict['reductions']", state_dict["reductions"])
    count = whole_steps("state_dict['count']", state_dict["count"])
    return scale, best, bad, cooling, reductions, count
