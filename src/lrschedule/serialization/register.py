"""Making a user's schedule class serializable: the :func:`register` decorator.

A registered class is written with the ``registered_name`` ``"package>Name"`` and found
by it when read back; the name goes into :mod:`lrschedule.core.registry`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar, overload

from lrschedule.core import registry as _registry
from lrschedule.core.contract import LearningRateSchedule
from lrschedule.serialization.messages import show

__all__ = ["DEFAULT_PACKAGE", "register"]

_S = TypeVar("_S", bound=LearningRateSchedule)

#: The package of :func:`register` when none is given (Keras's default too).
DEFAULT_PACKAGE = "Custom"


@overload
def register(cls: type[_S], /) -> type[_S]: ...
@overload
def register(
    *, package: str = DEFAULT_PACKAGE, name: str | None = None
) -> Callable[[type[_S]], type[_S]]: ...
def register(
    cls: type[_S] | None = None,
    /,
    *,
    package: str = DEFAULT_PACKAGE,
    name: str | None = None,
) -> type[_S] | Callable[[type[_S]], type[_S]]:
    """Make a user's schedule class serializable: a class decorator.

    The class is registered as ``"package>name"`` (``name`` defaults to the class name;
    ``package`` to ``"Custom"``, as in ``keras.saving.register_keras_serializable``).
    :func:`serialize` writes that as the ``registered_name``, and :func:`deserialize`
    finds the class by it. Use it bare (``@register``) or with arguments
    (``@register(package="mypkg")``).

    The class must subclass :class:`~lrschedule.LearningRateSchedule` and override
    ``get_config()``; ``cls(**config)`` (or its ``from_config``) must rebuild it from
    that config.

    Raises:
        TypeError: ``cls`` is not a schedule class, does not override ``get_config``, or
            ``package``/``name`` is not a string.
        ValueError: ``package`` or ``name`` is empty or contains ``>``; the class is one of
            the library's; or the name is taken by another class.

    Example:
        >>> import lrschedule
        >>> @lrschedule.register(package="mylab")
        ... class Halving(lrschedule.LearningRateSchedule):
        ...     def __init__(self, initial_learning_rate, period):
        ...         self.initial_learning_rate = initial_learning_rate
        ...         self.period = period
        ...     def __call__(self, step):
        ...         return self.initial_learning_rate * 0.5 ** (step // self.period)
        ...     def get_config(self):
        ...         return {"initial_learning_rate": self.initial_learning_rate,
        ...                 "period": self.period}
        >>> document = lrschedule.serialize(Halving(0.1, period=10))
        >>> document["class_name"], document["registered_name"]
        ('Halving', 'mylab>Halving')
        >>> lrschedule.deserialize(document)(25)
        0.025
    """
    for label, text in (("package", package), ("name", name)):
        if text is None and label == "name":
            continue
        if not isinstance(text, str):
            raise TypeError(
                f"Argument `{label}` of `register` must be a string. "
                f"Received: {label}={show(text)} of type {type(text).__name__}"
            )
        if not text or ">" in text:
            raise ValueError(
                f"Argument `{label}` of `register` must be a non-empty string without '>'. "
                f"Received: {label}={text!r}"
            )

    def decorate(klass: type[_S]) -> type[_S]:
        if not (isinstance(klass, type) and issubclass(klass, LearningRateSchedule)):
            hint = (
                f" To name a package, write @register(package={klass!r})."
                if isinstance(klass, str)
                else ""
            )
            raise TypeError(
                "`register` takes a subclass of lrschedule.LearningRateSchedule. "
                f"Received: {show(klass)} of type {type(klass).__name__}.{hint}"
            )
        if klass.get_config is LearningRateSchedule.get_config:
            raise TypeError(
                f"Cannot register {klass.__qualname__}: it must override `get_config()` "
                "(return the constructor's keyword arguments) to be serializable."
            )
        if _registry.library_class(klass.__name__) is klass:
            raise ValueError(
                f"{klass.__name__} is one of lrschedule's schedules; it is serializable "
                "already and cannot be registered."
            )
        _registry.add_user_class(klass, f"{package}>{name or klass.__name__}")
        return klass

    if cls is None:
        return decorate
    return decorate(cls)
