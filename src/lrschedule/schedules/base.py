"""The schedule base class: the Keras contract, plus value semantics.

:class:`LearningRateSchedule` is what Keras 3's base class is (``__call__(step)``,
``get_config()``, ``from_config(config)``, with Keras's ``NotImplementedError`` messages
for a subclass that forgets an override), and gives every schedule, ours and a user's
alike, equality and hashing by class and config, a ``repr`` that is Python rebuilding the
schedule, and pickling and deep copies.

:class:`FrozenSchedule` is the base of the library's own schedules: immutable once built,
arguments validated in ``__init__``, attributes in ``__slots__``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, ClassVar, TypeVar

from lrschedule.backends import dispatch as _dispatch
from lrschedule.backends.contract import ArrayOps
from lrschedule.core import registry as _registry
from lrschedule.core.contract import LearningRateSchedule

__all__ = ["FrozenSchedule", "LearningRateSchedule", "rebuild"]

_S = TypeVar("_S", bound="LearningRateSchedule")


class FrozenSchedule(LearningRateSchedule):
    """Base of the library's schedules: validated, immutable, pickled through its config.

    A subclass lists its arguments in ``_config_keys`` (Keras's order); each is stored in
    a slot of the same name by :meth:`_assign`. ``get_config`` reads them back.
    """

    __slots__ = ("__weakref__", "_tables")

    _tables: dict[tuple[Any, ...], Any]

    #: The formula at a prepared step ``x`` (an array, or a Python float), with the
    #: primitives of ``ops``; every concrete subclass defines it (checked at class creation).
    _compute: Callable[[Any, ArrayOps], Any]

    #: Constructor arguments in Keras's order; ``get_config`` returns them in this order.
    _config_keys: ClassVar[tuple[str, ...]] = ()
    #: Slots that may not be assigned after ``__init__``.
    _frozen_fields: ClassVar[frozenset[str]] = frozenset()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        fields: set[str] = set()
        for klass in cls.__mro__:
            if issubclass(klass, FrozenSchedule):
                slots = klass.__dict__.get("__slots__", ())
                fields.update((slots,) if isinstance(slots, str) else slots)
        cls._frozen_fields = frozenset(fields)
        if not cls.__name__.startswith("_") and not callable(getattr(cls, "_compute", None)):
            raise TypeError(
                f"{cls.__name__} must define `_compute(self, x, ops)`, its formula on a "
                "prepared array step (see lrschedule.backends.contract.ArrayOps)."
            )
        # The library's own schedules become known to serialization by their class name.
        _registry.add_library_class(cls)

    def _assign(self, **fields: Any) -> None:
        """Set slots during ``__init__`` (the only time they can be set)."""
        for key, value in fields.items():
            object.__setattr__(self, key, value)

    def __setattr__(self, name: str, value: Any) -> None:
        if name in self._frozen_fields:
            raise AttributeError(
                f"{type(self).__name__} is immutable: cannot set `{name}`. "
                "Build a new schedule instead."
            )
        object.__setattr__(self, name, value)

    def __delattr__(self, name: str) -> None:
        if name in self._frozen_fields:
            raise AttributeError(f"{type(self).__name__} is immutable: cannot delete `{name}`.")
        object.__delattr__(self, name)

    def get_config(self) -> dict[str, Any]:
        """The constructor's keyword arguments, as JSON-ready Python values.

        :meth:`_arguments`, with every nested schedule (a composite's children) written as
        its serialized envelope, :func:`lrschedule.serialize`.
        """
        return {key: _serialized(value) for key, value in self._arguments().items()}

    def _table(
        self,
        ops: ArrayOps,
        purpose: str,
        values: Sequence[int | float],
        like: Any,
        *,
        integer: bool,
    ) -> Any:
        """``ops.constant(values, like, integer=integer)``, cached per library, dtype and device.

        ``purpose`` names the table within the schedule; tables that grow (the restart table)
        are told apart by their length.
        """
        key = ops.table_key(like, integer=integer)
        if key is None:
            return ops.constant(values, like, integer=integer)
        try:
            tables = self._tables
        except AttributeError:
            tables = {}
            object.__setattr__(self, "_tables", tables)
        full_key = (ops.name, purpose, len(values), key)
        table = tables.get(full_key)
        if table is None:
            table = tables[full_key] = ops.constant(values, like, integer=integer)
        return table

    def _arguments(self) -> dict[str, Any]:
        """The constructor's keyword arguments, with nested schedules as objects, not configs.

        ``repr``, equality, hashing and pickling read it, so that a composite shows its
        children as their ``repr`` and works with a child that cannot be serialized. By
        default the slots named in ``_config_keys`` (lists copied); a schedule that keeps an
        argument in another form (a tuple for a list) overrides it.
        """
        return {key: _copy_value(getattr(self, key)) for key in self._config_keys}

    def _config_or_none(self) -> dict[str, Any] | None:
        return self._arguments()

    def __reduce__(self) -> tuple[Callable[..., Any], tuple[Any, ...], Any]:
        state = getattr(self, "__dict__", None) or None
        return (rebuild, (type(self), self._arguments()), state)

    def __call__(self, step: Any) -> Any:
        """The learning rate at ``step``."""
        return _dispatch.evaluate(self, step)


def rebuild(cls: type[_S], config: dict[str, Any]) -> _S:
    """Unpickle a schedule: ``cls.from_config(config)``."""
    return cls.from_config(config)


# ------------------------------------------------------------------- helpers
def _copy_value(value: Any) -> Any:
    if isinstance(value, list):
        return [_copy_value(item) for item in value]
    if isinstance(value, dict):
        return {key: _copy_value(item) for key, item in value.items()}
    return value


def _serialized(value: Any) -> Any:
    """A config value with the schedules in it replaced by their serialized envelopes."""
    if isinstance(value, LearningRateSchedule):
        from lrschedule.serialization import serialize

        return serialize(value)
    if isinstance(value, (list, tuple)) and any(
        isinstance(item, (LearningRateSchedule, list, tuple)) for item in value
    ):
        return type(value)(_serialized(item) for item in value)
    return value
