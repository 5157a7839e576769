"""Drop-in Keras classes: each schedule of the library, as a Keras ``LearningRateSchedule`` too.

``from lrschedule.keras import ExponentialDecay`` gives a class that *is*
``keras.optimizers.schedules.LearningRateSchedule`` and lrschedule's
:class:`~lrschedule.ExponentialDecay` at once, so its schedules go directly into any
Keras optimizer, on every backend::

    from lrschedule.keras import ExponentialDecay  # was: from keras.optimizers.schedules

    schedule = ExponentialDecay(0.1, decay_steps=100000, decay_rate=0.96, staircase=True)
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=schedule), loss="mse")

**Design.** :func:`keras_class` makes, once per class (cached), a subclass of the plain
class and of Keras's base, with :class:`KerasDropIn` in front::

    class ExponentialDecay(KerasDropIn, lrschedule.ExponentialDecay,
                           keras.optimizers.schedules.LearningRateSchedule): __slots__ = ()

The method resolution order puts lrschedule's ``__call__``, ``get_config`` and
``from_config`` before Keras's base (whose ``__call__`` raises ``NotImplementedError``), so
no formula is written twice: a drop-in computes exactly what the plain class computes
(at Keras's tensor steps, what ``to_keras(plain)`` computes). The layouts combine: Keras's
base is a plain Python class (its instances have a ``__dict__``, which our slots do not
conflict with), and its metaclass is ``type``, so the class is built by the plain class's
metaclass (the argument declarations, inherited as they are). The class is built under a
private name and then renamed, so that the library's table of class names (used by
serialization) keeps the plain class. Its ``__module__`` is ``lrschedule.keras``, where
it is exported: instances pickle and copy as drop-ins.

**Values.** Equal arguments make equal schedules whether drop-in or plain:
``keras_version == plain_version`` is true and their hashes agree (they are the same
schedule, with the same values at every step and the same lrschedule document); the
``repr`` shows the class name the user wrote (``ExponentialDecay(...)``).
``schedule * 0.5`` and ``a * b`` of a drop-in give a drop-in ``Scale`` or ``Product``.

**Serialization.** ``keras.optimizers.schedules.serialize`` writes a drop-in as Keras does
a registered class (``registered_name`` ``"lrschedule.keras>Name"``), and
``keras.optimizers.schedules.deserialize``, ``model.save()`` + ``keras.models.load_model()``
give it back as the drop-in (with ``lrschedule.keras`` imported). lrschedule's own
:func:`lrschedule.serialize` writes a drop-in exactly as its plain class, a document any
installation reads without Keras: :func:`lrschedule.deserialize` gives the *plain* class
(equal to the drop-in). A composite's children are written the lrschedule way, so a
composite read back by Keras holds plain children (equal to the drop-ins it was given,
and working the same).
"""

from __future__ import annotations

from typing import Any, TypeVar, cast

import keras

from lrschedule import schedules as _schedules
from lrschedule.core.contract import LearningRateSchedule, hashable
from lrschedule.keras_saving import keras_custom_objects
from lrschedule.schedules.base import Schedule
from lrschedule.serialization import deserialize

__all__ = ["KerasDropIn", "keras_class"]

_S = TypeVar("_S", bound=Schedule)

#: Where the drop-in classes are exported (their ``__module__``) and their Keras package.
MODULE = "lrschedule.keras"

_KERAS_BASE: type = keras.optimizers.schedules.LearningRateSchedule
_PLAIN: dict[type, type] = {}  # drop-in class -> plain class
_DROP_IN: dict[type, type] = {}  # plain class -> drop-in class


def _plain(cls: type) -> type:
    return _PLAIN.get(cls, cls)


class KerasDropIn:
    """What a drop-in Keras class adds to the plain class it subclasses.

    Equality and hashing that see a drop-in and its plain class as the same schedule, the
    arithmetic operators returning drop-ins, and a ``from_config`` that reads Keras's
    document (a composite's children with Keras's custom objects, as
    :class:`~lrschedule.keras.KerasSchedule` does).
    """

    __slots__ = ()

    def __eq__(self, other: object) -> bool:
        if self is other:
            return True
        if not isinstance(other, LearningRateSchedule) or _plain(type(self)) is not _plain(
            type(other)
        ):
            return NotImplemented
        mine, theirs = self._config_or_none(), other._config_or_none()  # type: ignore[attr-defined]
        return mine is not None and theirs is not None and hashable(mine) == hashable(theirs)

    def __hash__(self) -> int:
        # The contract's hash: by the class's qualified name (the plain one's) and config.
        return LearningRateSchedule.__hash__(self)  # type: ignore[arg-type]

    def __mul__(self, factor: Any) -> Any:
        return _as_drop_in(super().__mul__(factor))  # type: ignore[misc]

    def __rmul__(self, factor: Any) -> Any:
        return _as_drop_in(super().__rmul__(factor))  # type: ignore[misc]

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Any:
        """Build from ``get_config()``'s output, as Keras's loading hands it over.

        The config is read by :func:`lrschedule.deserialize` (checked key by key), with the
        schedule classes Keras's custom objects name for its children.
        """
        plain = _plain(cls)
        if plain is cls:  # a user's subclass of a drop-in: its own constructor
            return cls(**config)
        document = {"module": None, "class_name": plain.__name__, "config": config}
        built = deserialize(document, custom_objects=keras_custom_objects(config))
        if type(built) is not plain:
            raise TypeError(
                f"{cls.__name__}.from_config built a {type(built).__name__}; "
                f"expected lrschedule's {plain.__name__}."
            )
        return _as_drop_in(built)


def _as_drop_in(schedule: Any) -> Any:
    """The drop-in of one of the library's schedules (``schedule`` itself if it is one)."""
    cls = type(schedule)
    if cls in _PLAIN or (cls not in _DROP_IN and not _is_library_schedule(cls)):
        return schedule
    return keras_class(cls)(**schedule._arguments())


def _is_library_schedule(cls: type) -> bool:
    return (
        issubclass(cls, Schedule)
        and bool(cls.__arguments__)
        and getattr(_schedules, cls.__name__, None) is cls
    )


def keras_class(cls: type[_S]) -> type[_S]:
    """The drop-in Keras class of one of lrschedule's schedule classes (made once, cached).

    Args:
        cls: A schedule class of :mod:`lrschedule.schedules` (``ExponentialDecay``, ``Join``...).

    Returns:
        The subclass of ``cls`` and of ``keras.optimizers.schedules.LearningRateSchedule``
        exported as ``lrschedule.keras.<Name>``.

    Raises:
        TypeError: ``cls`` is not one of the library's schedule classes.
    """
    known = _DROP_IN.get(cls)
    if known is not None:
        return cast("type[_S]", known)
    if not (isinstance(cls, type) and _is_library_schedule(cls)):
        raise TypeError(
            "Argument `cls` must be one of lrschedule's schedule classes (a name of "
            f"lrschedule.schedules). Received: cls={cls!r}"
        )
    name = cls.__name__
    namespace = {
        "__slots__": (),
        "__module__": MODULE,
        "__qualname__": name,
        "__doc__": f"lrschedule's {name} as a Keras ``LearningRateSchedule``.\n\n{cls.__doc__}",
        "_plain_class": cls,  # serialization writes a drop-in as this class
    }
    # A private name while the metaclass runs keeps it out of the library's name table.
    metaclass: Any = type(cls)
    made: type[_S] = metaclass(f"_Keras{name}", (KerasDropIn, cls, _KERAS_BASE), namespace)
    made.__name__ = name
    keras.saving.register_keras_serializable(package=MODULE, name=name)(made)
    _PLAIN[made] = cls
    _DROP_IN[cls] = made
    return made


#: The names of :mod:`lrschedule.schedules` that are schedule classes, in its order.
SCHEDULE_NAMES: tuple[str, ...] = tuple(
    name
    for name in _schedules.__all__
    if isinstance(value := getattr(_schedules, name), type) and _is_library_schedule(value)
)

# The drop-in classes, one for each name of SCHEDULE_NAMES (a test holds the two lists equal).
Clip = keras_class(_schedules.Clip)
Constant = keras_class(_schedules.Constant)
CoolDown = keras_class(_schedules.CoolDown)
CosineDecay = keras_class(_schedules.CosineDecay)
CosineDecayRestarts = keras_class(_schedules.CosineDecayRestarts)
CyclicalLearningRate = keras_class(_schedules.CyclicalLearningRate)
ExponentialDecay = keras_class(_schedules.ExponentialDecay)
InverseSqrtDecay = keras_class(_schedules.InverseSqrtDecay)
InverseTimeDecay = keras_class(_schedules.InverseTimeDecay)
Join = keras_class(_schedules.Join)
LinearDecay = keras_class(_schedules.LinearDecay)
MultiStepDecay = keras_class(_schedules.MultiStepDecay)
OneCycle = keras_class(_schedules.OneCycle)
PiecewiseConstantDecay = keras_class(_schedules.PiecewiseConstantDecay)
PiecewiseInterpolation = keras_class(_schedules.PiecewiseInterpolation)
PlateauScaled = keras_class(_schedules.PlateauScaled)
PolynomialDecay = keras_class(_schedules.PolynomialDecay)
Product = keras_class(_schedules.Product)
RescaleTime = keras_class(_schedules.RescaleTime)
Scale = keras_class(_schedules.Scale)
StepDecay = keras_class(_schedules.StepDecay)
TrainLonger = keras_class(_schedules.TrainLonger)
Warmup = keras_class(_schedules.Warmup)
WarmupCosineDecay = keras_class(_schedules.WarmupCosineDecay)
WarmupStableDecay = keras_class(_schedules.WarmupStableDecay)
