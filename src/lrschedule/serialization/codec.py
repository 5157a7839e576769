"""Schedules to Keras 3's config dicts and back, safely; schedules to JSON and TOML files.

:func:`serialize` writes the envelope of ``keras.optimizers.schedules.serialize``, keys in
Keras's order. Keras 3's six schedules are written exactly as Keras writes its own, so
``keras.optimizers.schedules.deserialize`` reads them; the library's other schedules and
the user's registered ones carry a ``registered_name``::

    {"module": "keras.optimizers.schedules", "class_name": "ExponentialDecay",
     "config": {...}, "registered_name": None}            # Keras 3's six schedules
    {"module": "lrschedule", "class_name": "Name",
     "config": {...}, "registered_name": "lrschedule>Name"}  # the library's others
    {"module": "my.module", "class_name": "Name",
     "config": {...}, "registered_name": "Custom>Name"}     # @lrschedule.register

:func:`deserialize` reads these, Keras 3's output, the tf.keras form
``{"class_name": ..., "config": {...}}`` (a ``"name": None`` in the config included), and
JSON text of any of them. It is safe on untrusted input: a name is looked up only in the
library's table, the table of classes registered with :func:`register`, and the
``custom_objects`` the caller passes. Nothing is imported, evaluated or read from a
module's globals, and the ``module`` of a document is only checked, never used. Every
problem is a ``ValueError`` (a ``TypeError`` for a value of the wrong type) that names it.

Composite schedules (a schedule whose config holds other schedules) follow Keras's
pattern: ``get_config()`` returns each inner schedule as ``serialize(inner)``, and
``__init__`` (or ``from_config``) passes each through ``deserialize``, which returns an
already-built schedule unchanged. Nested calls share the outer call's ``custom_objects``
and its depth count: documents nest at most :data:`MAX_DEPTH` schedules and
:data:`MAX_NESTING` containers deep.

:func:`save` and :func:`load` write and read ``.json`` and ``.toml`` files. Floats
round-trip bit for bit and ints stay ints. Neither format has tuples, so a tuple in a
config comes back as a list (the schedule still compares equal: equality treats lists and
tuples alike). TOML has no null: a ``None`` config value is left out of the ``[config]``
table and its key listed in the envelope's ``null_keys`` array instead, a ``None``
``module`` or ``registered_name`` is left out, and a ``None`` anywhere else cannot be
written to TOML (save such a schedule as JSON).

Example:
    >>> from lrschedule import ExponentialDecay, deserialize, serialize
    >>> document = serialize(ExponentialDecay(0.1, decay_steps=10, decay_rate=0.96))
    >>> document["module"], document["class_name"], document["registered_name"]
    ('keras.optimizers.schedules', 'ExponentialDecay', None)
    >>> deserialize(document) == ExponentialDecay(0.1, 10, 0.96)
    True
    >>> deserialize('{"class_name": "os.system", "config": {}}')  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: Unknown schedule class_name='os.system'. ...
"""

from __future__ import annotations

import contextvars
import errno
import functools
import importlib
import inspect
import json
import math
import os
import re
import reprlib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, NoReturn, TypeVar, overload

from lrschedule.core import registry as _registry
from lrschedule.core.contract import LearningRateSchedule
from lrschedule.core.errors import MissingScheduleFileError

__all__ = [
    "DEFAULT_PACKAGE",
    "MAX_DEPTH",
    "MAX_NESTING",
    "SUFFIXES",
    "MissingScheduleFileError",
    "deserialize",
    "load",
    "register",
    "save",
    "serialize",
]

_S = TypeVar("_S", bound=LearningRateSchedule)

#: Schedules nest at most this deep (a composite holding a composite holding ...).
MAX_DEPTH = 32
#: Containers (dicts, lists, tuples) nest at most this deep in one document.
MAX_NESTING = 100
#: The package of :func:`register` when none is given (Keras's default too).
DEFAULT_PACKAGE = "Custom"
#: The file suffixes :func:`save` and :func:`load` understand.
SUFFIXES = (".json", ".toml")

_ENVELOPE_KEYS = ("module", "class_name", "config", "registered_name")
#: In TOML, the envelope key listing the config keys whose value is None.
_NULL_KEYS = "null_keys"
_BASE_NAME = "LearningRateSchedule"

_SERIALIZE_DEPTH: contextvars.ContextVar[int] = contextvars.ContextVar(
    "lrschedule_serialize_depth", default=0
)
#: (depth, custom objects) of the deserialize call in progress, for nested calls.
_DESERIALIZE_STATE: contextvars.ContextVar[tuple[int, Mapping[str, type]]] = contextvars.ContextVar(
    "lrschedule_deserialize_state", default=(0, {})
)

_REPR = reprlib.Repr()
_REPR.maxstring = 80
_REPR.maxother = 80
_REPR.maxdict = 8
_REPR.maxlist = 8


def _show(value: Any) -> str:
    """A short ``repr`` for messages: bounded in length and depth, whatever the value."""
    try:
        return _REPR.repr(value)
    except Exception:  # a user object whose __repr__ fails
        return f"<{type(value).__name__} object>"


def _brief(error: BaseException, limit: int = 1000) -> str:
    """The error's message, cut to ``limit`` characters (a message may echo a huge value)."""
    try:
        text = str(error)
    except Exception:
        text = f"<{type(error).__name__}>"
    return text if len(text) <= limit else text[:limit] + " ... (message cut)"


# ------------------------------------------------------------------------ register
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
        >>> @lrschedule.register(package="docs")
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
        ('Halving', 'docs>Halving')
        >>> lrschedule.deserialize(document)(25)
        0.025
    """
    for label, text in (("package", package), ("name", name)):
        if text is None and label == "name":
            continue
        if not isinstance(text, str):
            raise TypeError(
                f"Argument `{label}` of `register` must be a string. "
                f"Received: {label}={_show(text)} of type {type(text).__name__}"
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
                f"Received: {_show(klass)} of type {type(klass).__name__}.{hint}"
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


# ----------------------------------------------------------------------- serialize
def serialize(schedule: LearningRateSchedule) -> dict[str, Any]:
    """The schedule as Keras 3's config envelope: a dict of JSON-ready Python values.

    The keys are ``module``, ``class_name``, ``config`` and ``registered_name``, in that
    order (see the module docstring for what each holds). In the config, NumPy scalars
    become the Python numbers they hold, tuples stay tuples and lists stay lists, and a
    schedule found in it (in a list or dict too) is serialized the same way, recursively.

    Raises:
        TypeError: ``schedule`` is not a schedule; its class is neither the library's nor
            registered with :func:`register`; or its config holds a value that is not
            ``None``, a bool, number, string, list, tuple, dict with string keys or
            schedule.
        ValueError: Schedules nested deeper than :data:`MAX_DEPTH`, or containers deeper
            than :data:`MAX_NESTING`.

    Example:
        >>> from lrschedule import PiecewiseConstantDecay, serialize
        >>> serialize(PiecewiseConstantDecay([100, 200], [0.1, 0.01, 0.001]))
        {'module': 'keras.optimizers.schedules', 'class_name': 'PiecewiseConstantDecay',
         'config': {'boundaries': [100, 200], 'values': [0.1, 0.01, 0.001],
                    'name': 'PiecewiseConstant'},
         'registered_name': None}
    """
    if not isinstance(schedule, LearningRateSchedule):
        raise TypeError(
            "`serialize` takes a learning-rate schedule (a LearningRateSchedule). "
            f"Received: {_show(schedule)} of type {type(schedule).__name__}"
        )
    cls = type(schedule)
    module, registered_name = _envelope_names(cls)
    depth = _SERIALIZE_DEPTH.get() + 1
    if depth > MAX_DEPTH:
        raise ValueError(
            f"Cannot serialize {cls.__name__}: schedules are nested more than "
            f"{MAX_DEPTH} deep (a schedule that contains itself?)."
        )
    token = _SERIALIZE_DEPTH.set(depth)
    try:
        config = schedule.get_config()
        if not isinstance(config, dict):
            raise TypeError(
                f"{cls.__name__}.get_config() must return a dict. "
                f"Received: {_show(config)} of type {type(config).__name__}"
            )
        body = _json_ready(config, "config", 2)
    finally:
        _SERIALIZE_DEPTH.reset(token)
    document = {
        "module": module,
        "class_name": cls.__name__,
        "config": body,
        "registered_name": registered_name,
    }
    if depth == 1:  # the whole document, so that deserialize accepts what is written
        _check_nesting(document, "serialize")
    return document


def _envelope_names(cls: type) -> tuple[str | None, str | None]:
    """``(module, registered_name)`` of the envelope for ``cls``."""
    name = cls.__name__
    if _registry.library_class(name) is cls:
        if name in _registry.KERAS_CLASS_NAMES:
            return _registry.KERAS_MODULE, None
        return _registry.LIBRARY_MODULE, f"{_registry.LIBRARY_MODULE}>{name}"
    registered = _registry.user_name(cls)
    if registered is None:
        raise TypeError(
            f"Cannot serialize {cls.__module__}.{cls.__qualname__}: the class is not "
            "registered, so it could not be read back. Decorate it with "
            "@lrschedule.register (or @lrschedule.register(package='mypkg')), "
            "or pass it to lrschedule.deserialize in `custom_objects`."
        )
    # Keras writes None for a class defined in __main__.
    return (None if cls.__module__ == "__main__" else cls.__module__), registered


def _is_numpy_scalar(value: Any) -> bool:
    return type(value).__module__ == "numpy" and getattr(value, "ndim", None) == 0


def _json_ready(value: Any, path: str, level: int) -> Any:
    """``value`` with NumPy scalars made Python numbers and schedules serialized."""
    kind = type(value)
    if value is None or kind is bool or kind is int or kind is float or kind is str:
        return value
    if isinstance(value, LearningRateSchedule):
        return serialize(value)
    if isinstance(value, bool):
        return bool(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    if isinstance(value, str):
        return str(value)
    if _is_numpy_scalar(value) and hasattr(value, "item"):
        item = value.item()
        if type(item) in (bool, int, float):
            return item
    if isinstance(value, (list, tuple, dict)):
        if level > MAX_NESTING:
            raise ValueError(
                f"Cannot serialize: containers are nested more than {MAX_NESTING} deep "
                f"at {path} (a list that contains itself?)."
            )
        if isinstance(value, dict):
            result: dict[str, Any] = {}
            for key, item in value.items():
                if not isinstance(key, str):
                    raise TypeError(
                        f"Cannot serialize: the keys of a dict in a config must be strings. "
                        f"Received: the key {_show(key)} of type {type(key).__name__} at {path}"
                    )
                result[str(key)] = _json_ready(item, f"{path}[{key!r}]", level + 1)
            return result
        items = [
            _json_ready(item, f"{path}[{index}]", level + 1) for index, item in enumerate(value)
        ]
        return tuple(items) if isinstance(value, tuple) else items
    raise TypeError(
        f"Cannot serialize the value at {path}: {_show(value)} of type {kind.__name__}. "
        "A config holds None, bools, numbers, strings, lists, tuples, dicts with string "
        "keys and schedules."
    )


# --------------------------------------------------------------------- deserialize
def deserialize(
    config: dict[str, Any] | str | LearningRateSchedule,
    custom_objects: Mapping[str, type[LearningRateSchedule]] | None = None,
) -> LearningRateSchedule:
    """Build a schedule from :func:`serialize`'s output, Keras's, tf.keras's, or JSON text.

    ``config`` is one of:

    * an envelope ``{"module", "class_name", "config", "registered_name"}``, as written by
      :func:`serialize` or ``keras.optimizers.schedules.serialize``; ``module`` and
      ``registered_name`` may be missing or ``None``;
    * the tf.keras form ``{"class_name": ..., "config": {...}}``;
    * a JSON string holding either;
    * an already-built schedule, returned as is (so a composite's ``__init__`` can pass
      every inner schedule, built or serialized, through ``deserialize``).

    The class is found, in this order, as ``registered_name`` then ``class_name`` in
    ``custom_objects`` (a mapping of names to schedule classes), as ``registered_name`` among
    the classes registered with :func:`register`, and as ``class_name`` among the library's
    schedules (``registered_name`` then being missing, ``None``, the class name, or
    ``"lrschedule>" + class_name``). Nothing else is consulted: no import, no ``eval``, no
    module globals. ``module`` must be missing, ``None``, ``"keras.optimizers.schedules"``,
    ``"lrschedule"``, or the module of the class found. The config's keys must be the
    constructor's parameters (no missing required one, no unknown one); the constructor
    then validates the values.

    Raises:
        ValueError: Invalid JSON, or JSON that is not an object; a missing ``class_name``
            or ``config``; an unexpected envelope key; an unknown class (the message lists
            the known ones), including ``"LearningRateSchedule"`` itself; a ``module`` of
            another package; missing or unexpected config keys; a value the constructor
            rejects; schedules nested deeper than :data:`MAX_DEPTH` or containers deeper
            than :data:`MAX_NESTING`. Any other error raised while the schedule is built
            is re-raised as a ``ValueError`` (chained).
        TypeError: ``config`` is not a dict, string or schedule; ``class_name`` is not a
            string; ``module``/``registered_name`` is neither ``None`` nor a string; the
            inner config is not a dict or has a non-string key; ``custom_objects`` is not a
            mapping of strings to schedule classes; a value of the wrong type.

    Example:
        >>> from lrschedule import CosineDecay, deserialize
        >>> legacy = {"class_name": "CosineDecay",
        ...           "config": {"initial_learning_rate": 0.1, "decay_steps": 1000}}
        >>> deserialize(legacy)
        CosineDecay(initial_learning_rate=0.1, decay_steps=1000)
        >>> deserialize({"class_name": "CosineDecay", "config": {"initial_learning_rate": 0.1}})
        ... # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        ValueError: Cannot deserialize CosineDecay: missing config key 'decay_steps'. ...
    """
    if isinstance(config, LearningRateSchedule):
        return config
    depth, inherited = _DESERIALIZE_STATE.get()
    objects = _merge_custom_objects(custom_objects, inherited)
    if isinstance(config, str):
        document = _parse_json(config, "The string given to `deserialize`")
        if not isinstance(document, dict):
            raise ValueError(
                "A schedule document must be a JSON object (a dict). "
                f"Received JSON holding a {type(document).__name__}: {_show(document)}"
            )
    elif isinstance(config, dict):
        document = config
    else:
        raise TypeError(
            "`deserialize` takes a dict (a serialized schedule), a JSON string, or a "
            f"schedule. Received: {_show(config)} of type {type(config).__name__}"
        )
    if depth >= MAX_DEPTH:
        raise _located(ValueError, (), f"schedules are nested more than {MAX_DEPTH} deep.")
    _check_nesting(document, "deserialize")
    cls, class_name, body = _resolve(document, objects)
    _check_config_keys(cls, class_name, body)
    token = _DESERIALIZE_STATE.set((depth + 1, objects))
    try:
        schedule = cls.from_config(dict(body))
    except Exception as error:
        raise _building_failed(class_name, error) from error
    finally:
        _DESERIALIZE_STATE.reset(token)
    if not isinstance(schedule, LearningRateSchedule):
        raise _located(
            TypeError,
            (class_name,),
            f"{cls.__qualname__}.from_config returned {_show(schedule)} of type "
            f"{type(schedule).__name__}, not a schedule.",
        )
    return schedule


#: The attribute holding ``(path, detail)`` on the errors deserialize raises about a schedule.
_WHERE = "_lrschedule_where"


def _located(
    kind: type[ValueError] | type[TypeError], path: tuple[str, ...], detail: str
) -> ValueError | TypeError:
    """``kind("Cannot deserialize A > B: detail")``, remembering the path for outer calls."""
    if not path:
        shown = "a schedule"
    elif len(path) <= 6:
        shown = " > ".join(path)
    else:
        shown = f"{' > '.join(path[:2])} > ... > {' > '.join(path[-2:])} ({len(path)} levels)"
    error = kind(f"Cannot deserialize {shown}: {detail}")
    setattr(error, _WHERE, (path, detail))
    return error


def _building_failed(class_name: str, error: Exception) -> ValueError | TypeError:
    """The error to raise when ``from_config`` of ``class_name`` raised ``error``.

    An error about a nested schedule (raised by a nested ``deserialize``) gets this class
    name added to its path; a ``TypeError`` stays a ``TypeError``, every other error is
    reported as a ``ValueError``.
    """
    kind: type[ValueError] | type[TypeError] = (
        TypeError if isinstance(error, TypeError) else ValueError
    )
    where = getattr(error, _WHERE, None)
    if where is not None:
        return _located(kind, (class_name, *where[0]), where[1])
    if isinstance(error, (TypeError, ValueError)):
        detail = _brief(error)
    elif isinstance(error, RecursionError):
        detail = "the config is nested too deeply (RecursionError)."
    else:
        detail = f"{type(error).__name__}: {_brief(error)}"
    return _located(kind, (class_name,), detail)


def _merge_custom_objects(
    given: Mapping[str, type[LearningRateSchedule]] | None, inherited: Mapping[str, type]
) -> Mapping[str, type]:
    if given is None:
        return inherited
    if not isinstance(given, Mapping):
        raise TypeError(
            "Argument `custom_objects` must be a mapping of names to schedule classes. "
            f"Received: {_show(given)} of type {type(given).__name__}"
        )
    merged = dict(inherited)
    for key, value in given.items():
        if not isinstance(key, str):
            raise TypeError(
                "The keys of `custom_objects` must be strings (class or registered names). "
                f"Received: {_show(key)} of type {type(key).__name__}"
            )
        if not (isinstance(value, type) and issubclass(value, LearningRateSchedule)):
            raise TypeError(
                "The values of `custom_objects` must be subclasses of "
                f"lrschedule.LearningRateSchedule. Received: custom_objects[{key!r}]="
                f"{_show(value)}"
            )
        merged[key] = value
    return merged


def _check_nesting(document: dict[str, Any], verb: str) -> None:
    """Refuse containers nested deeper than MAX_NESTING (walked without recursion)."""
    stack: list[tuple[Any, int]] = [(document, 1)]
    while stack:
        value, level = stack.pop()
        if isinstance(value, (dict, list, tuple)):
            if level > MAX_NESTING:
                raise ValueError(
                    f"Cannot {verb}: containers are nested more than {MAX_NESTING} deep."
                )
            children = value.values() if isinstance(value, dict) else value
            stack.extend((child, level + 1) for child in children)


def _resolve(
    document: dict[str, Any], objects: Mapping[str, type]
) -> tuple[type[LearningRateSchedule], str, dict[str, Any]]:
    unexpected = [key for key in document if key not in _ENVELOPE_KEYS]
    if unexpected:
        raise ValueError(
            "A serialized schedule has the keys 'module', 'class_name', 'config' and "
            f"'registered_name'; unexpected key(s): {', '.join(_show(k) for k in unexpected)}"
        )
    if "class_name" not in document:
        raise ValueError(
            "A serialized schedule needs a 'class_name' (and a 'config'). "
            f"Received: {_show(document)}"
        )
    class_name = document["class_name"]
    if not isinstance(class_name, str):
        raise TypeError(
            "'class_name' must be a string. "
            f"Received: class_name={_show(class_name)} of type {type(class_name).__name__}"
        )
    for key in ("module", "registered_name"):
        value = document.get(key)
        if value is not None and not isinstance(value, str):
            raise TypeError(
                f"{key!r} must be a string or None. "
                f"Received: {key}={_show(value)} of type {type(value).__name__}"
            )
    if "config" not in document:
        raise ValueError(
            f"The serialized {_show(class_name)} has no 'config' "
            "(the constructor's keyword arguments, as a dict)."
        )
    body = document["config"]
    if not isinstance(body, dict):
        raise TypeError(
            f"The 'config' of {_show(class_name)} must be a dict of constructor arguments. "
            f"Received: {_show(body)} of type {type(body).__name__}"
        )
    registered = document.get("registered_name")
    cls = _lookup(class_name, registered, objects)
    module = document.get("module")
    allowed = (None, _registry.KERAS_MODULE, _registry.LIBRARY_MODULE, cls.__module__)
    if module not in allowed:
        raise ValueError(
            f"Refusing module={_show(module)} for {class_name}: lrschedule reads schedules "
            f"of module {_registry.KERAS_MODULE!r} or {_registry.LIBRARY_MODULE!r} (or the "
            f"module of the registered class, {cls.__module__!r}). Nothing is imported "
            "from a serialized schedule."
        )
    return cls, class_name, body


def _lookup(
    class_name: str, registered: str | None, objects: Mapping[str, type]
) -> type[LearningRateSchedule]:
    found: type | None = None
    if registered is not None:
        found = objects.get(registered)
    if found is None:
        found = objects.get(class_name)
    if found is None and registered is not None:
        found = _registry.user_class(registered)
    if found is None:
        library = _registry.library_class(class_name)
        library_name = f"{_registry.LIBRARY_MODULE}>{class_name}"
        if library is not None and registered in (None, class_name, library_name):
            found = library
    if found is not None and issubclass(found, LearningRateSchedule):
        return found
    raise _unknown(class_name, registered, objects)


def _unknown(class_name: str, registered: str | None, objects: Mapping[str, type]) -> ValueError:
    named = f"class_name={_show(class_name)}"
    if registered is not None:
        named += f" (registered_name={_show(registered)})"
    if class_name == _BASE_NAME:
        problem = (
            f"{_BASE_NAME} is the abstract base class, not a schedule; it cannot be deserialized."
        )
    else:
        problem = f"Unknown schedule {named}."
    known = f"lrschedule's schedules: {', '.join(_registry.library_names())}"
    users = _registry.user_names()
    if users:
        known += f"; registered: {', '.join(users)}"
    if objects:
        known += f"; custom_objects: {', '.join(sorted(objects))}"
    return ValueError(
        f"{problem} Known: {known}. Register your own class with @lrschedule.register, "
        "or pass it in `custom_objects`."
    )


@functools.lru_cache(maxsize=512)
def _parameters(cls: type) -> tuple[tuple[str, ...], tuple[str, ...], bool] | None:
    """``(names, required names, takes **kwargs)`` of the constructor, or None if unknown."""
    try:
        parameters = list(inspect.signature(cls).parameters.values())
    except (TypeError, ValueError):
        return None
    names = tuple(
        p.name
        for p in parameters
        if p.kind in (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
    )
    required = tuple(
        p.name for p in parameters if p.name in names and p.default is inspect.Parameter.empty
    )
    variadic = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters)
    return names, required, variadic


def _check_config_keys(cls: type, class_name: str, body: dict[str, Any]) -> None:
    for key in body:
        if not isinstance(key, str):
            raise _located(
                TypeError,
                (class_name,),
                "config keys must be strings. "
                f"Received: the key {_show(key)} of type {type(key).__name__}",
            )
    signature = _parameters(cls)
    if signature is None:
        return
    names, required, variadic = signature
    missing = [name for name in required if name not in body]
    unexpected = [] if variadic else [key for key in body if key not in names]
    if not (missing or unexpected):
        return
    problems = []
    if missing:
        plural = "s" if len(missing) > 1 else ""
        problems.append(f"missing config key{plural} {', '.join(map(repr, missing))}")
    if unexpected:
        plural = "s" if len(unexpected) > 1 else ""
        shown = ", ".join(_show(key) for key in unexpected[:10])
        if len(unexpected) > 10:
            shown += f", ... ({len(unexpected)} in all)"
        problems.append(f"unexpected config key{plural} {shown}")
    raise _located(
        ValueError,
        (class_name,),
        f"{'; '.join(problems)}. {class_name} takes: {', '.join(names)}.",
    )


# ----------------------------------------------------------------------------- JSON
def _reject_constant(name: str) -> NoReturn:
    raise ValueError(f"{name} is not a JSON number")


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"the key {_show(key)} appears twice in one object")
        result[key] = value
    return result


def _parse_json(text: str, source: str) -> Any:
    try:
        return json.loads(text, parse_constant=_reject_constant, object_pairs_hook=_unique_keys)
    except RecursionError:
        raise ValueError(f"{source} is nested too deeply to parse as JSON.") from None
    except ValueError as error:
        raise ValueError(
            f"{source} is not valid JSON: {error}. (To read a file, use lrschedule.load(path).)"
        ) from error


# ---------------------------------------------------------------------------- files
def _suffix(path: str | os.PathLike[str]) -> str:
    suffix = Path(path).suffix.lower()
    if suffix not in SUFFIXES:
        raise ValueError(
            f"Cannot tell the format of {os.fspath(path)!r} from its suffix "
            f"{Path(path).suffix!r}: lrschedule saves and loads {' and '.join(SUFFIXES)} files."
        )
    return suffix


def save(schedule: LearningRateSchedule, path: str | os.PathLike[str]) -> None:
    """Write :func:`serialize`'s envelope to a ``.json`` or ``.toml`` file.

    JSON is written with ``indent=2``; TOML as a table with a ``[config]`` sub-table (see
    the module docstring for how ``None`` is written). Floats are written so that they
    read back bit for bit, and ints stay ints. The text is built completely before the
    file is opened, so a schedule that cannot be written leaves no partial file.

    Raises:
        ValueError: An unsupported suffix; a NaN or infinite float (neither format allows
            them here); for TOML, an int outside the 64-bit range, a string with a lone
            surrogate, or a ``None`` that TOML cannot hold.
        TypeError: As :func:`serialize`.
        OSError: The file cannot be written.

    Example:
        >>> import pathlib, tempfile
        >>> from lrschedule import CosineDecay, load, save
        >>> schedule = CosineDecay(0.1, 1000, warmup_target=1.0, warmup_steps=100)
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     path = pathlib.Path(folder) / "schedule.toml"
        ...     save(schedule, path)
        ...     print(path.read_text(), end="")
        ...     print(load(path) == schedule)
        module = "keras.optimizers.schedules"
        class_name = "CosineDecay"
        <BLANKLINE>
        [config]
        initial_learning_rate = 0.1
        decay_steps = 1000
        alpha = 0.0
        name = "CosineDecay"
        warmup_target = 1.0
        warmup_steps = 100
        True
    """
    suffix = _suffix(path)
    document = serialize(schedule)
    where = os.fspath(path)
    if suffix == ".json":
        try:
            text = json.dumps(document, indent=2, allow_nan=False) + "\n"
        except ValueError as error:
            raise ValueError(f"Cannot save {where!r} as JSON: {error}") from error
    else:
        text = _to_toml(document, where)
    Path(path).write_text(text, encoding="utf-8")


def load(
    path: str | os.PathLike[str],
    custom_objects: Mapping[str, type[LearningRateSchedule]] | None = None,
) -> LearningRateSchedule:
    """Read a schedule from a ``.json`` or ``.toml`` file (as :func:`save` writes them).

    The document is passed to :func:`deserialize` with ``custom_objects``, with every
    check that implies. TOML is read with the standard library's ``tomllib`` (Python
    3.11+); on Python 3.10 the ``tomli`` package is used if installed.

    Raises:
        MissingScheduleFileError: No file at ``path`` (a ``ValueError`` and a
            ``FileNotFoundError``).
        ValueError: An unsupported suffix; a file that cannot be read (a directory, no
            permission, not UTF-8); text that is not valid JSON or TOML, or JSON that is not
            an object; anything :func:`deserialize` rejects. The message names the path.
        TypeError: As :func:`deserialize`, with the path in the message.
        ModuleNotFoundError: A ``.toml`` file on Python 3.10 without ``tomli``.
    """
    suffix = _suffix(path)
    where = os.fspath(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError as error:
        raise MissingScheduleFileError(
            errno.ENOENT, "No schedule file (lrschedule.load) at this path", where
        ) from error
    except (OSError, UnicodeDecodeError) as error:
        raise ValueError(f"Cannot read the schedule file {where!r}: {error}") from error
    if suffix == ".json":
        document = _parse_json(text, f"The file {where!r}")
        if not isinstance(document, dict):
            raise ValueError(
                f"The file {where!r} must hold a JSON object (a serialized schedule). "
                f"It holds a {type(document).__name__}: {_show(document)}"
            )
    else:
        document = _from_toml(_parse_toml(text, where), where)
    try:
        return deserialize(document, custom_objects)
    except TypeError as error:
        raise TypeError(f"{where!r}: {error}") from error
    except ValueError as error:
        raise ValueError(f"{where!r}: {error}") from error


# ---------------------------------------------------------------------------- TOML
def _toml_reader() -> Any:
    """The TOML parser: ``tomllib`` (3.11+), else the ``tomli`` backport."""
    for name in ("tomllib", "tomli"):
        try:
            return importlib.import_module(name)
        except ImportError:
            continue
    raise ModuleNotFoundError(
        "Reading TOML needs Python 3.11 or later (tomllib), or the tomli package on "
        "Python 3.10: pip install tomli"
    )


def _parse_toml(text: str, where: str) -> dict[str, Any]:
    reader = _toml_reader()
    try:
        document: dict[str, Any] = reader.loads(text)
    except RecursionError:
        raise ValueError(f"The file {where!r} is nested too deeply to parse as TOML.") from None
    except ValueError as error:  # tomllib.TOMLDecodeError is a ValueError
        raise ValueError(f"The file {where!r} is not valid TOML: {error}") from error
    return document


def _looks_like_envelope(value: dict[str, Any], keys: tuple[str, ...]) -> bool:
    return (
        isinstance(value.get("class_name"), str)
        and isinstance(value.get("config"), dict)
        and all(key in keys for key in value)
    )


def _from_toml(value: Any, where: str, level: int = 1) -> Any:
    """Undo :func:`_toml_ready`: the keys in ``null_keys`` become ``None`` config values."""
    if level > MAX_NESTING:
        raise ValueError(f"The file {where!r}: containers are nested more than {MAX_NESTING} deep.")
    if isinstance(value, list):
        return [_from_toml(item, where, level + 1) for item in value]
    if not isinstance(value, dict):
        return value
    result = {key: _from_toml(item, where, level + 1) for key, item in value.items()}
    if _NULL_KEYS in result and _looks_like_envelope(result, (*_ENVELOPE_KEYS, _NULL_KEYS)):
        nulls = result.pop(_NULL_KEYS)
        config = result["config"]
        if not (isinstance(nulls, list) and all(isinstance(key, str) for key in nulls)):
            raise ValueError(
                f"The file {where!r}: {_NULL_KEYS!r} must be an array of config key names. "
                f"Received: {_show(nulls)}"
            )
        for key in nulls:
            if key in config:
                raise ValueError(
                    f"The file {where!r}: the config key {key!r} is listed in "
                    f"{_NULL_KEYS!r} and also has a value."
                )
            config[key] = None
    return result


def _toml_ready(value: Any, path: str, where: str) -> Any:
    """``value`` for TOML: envelopes' ``None`` values moved to ``null_keys``; checked."""
    if value is None:
        raise ValueError(
            f"Cannot save {where!r} as TOML: TOML has no null, and the value at {path} is "
            "None. Save it as .json instead."
        )
    if isinstance(value, (list, tuple)):
        return [_toml_ready(item, f"{path}[{index}]", where) for index, item in enumerate(value)]
    if not isinstance(value, dict):
        return value
    if _looks_like_envelope(value, _ENVELOPE_KEYS):
        result: dict[str, Any] = {}
        nulls: list[str] = []
        for key, item in value.items():
            if key == "config":
                config: dict[str, Any] = {}
                for name, setting in item.items():
                    if setting is None:
                        nulls.append(name)
                    else:
                        config[name] = _toml_ready(setting, f"{path}['config'][{name!r}]", where)
                result["config"] = config
            elif item is not None:
                result[key] = item
        if nulls:
            result[_NULL_KEYS] = nulls
        return result
    if _NULL_KEYS in value and _looks_like_envelope(value, (*_ENVELOPE_KEYS, _NULL_KEYS)):
        raise ValueError(
            f"Cannot save {where!r} as TOML: the dict at {path} has the key {_NULL_KEYS!r}, "
            "which TOML files use to list null config keys. Save it as .json instead."
        )
    return {key: _toml_ready(item, f"{path}[{key!r}]", where) for key, item in value.items()}


def _to_toml(document: dict[str, Any], where: str) -> str:
    ready = _toml_ready(document, "the document", where)
    lines: list[str] = []
    _toml_table(lines, [], ready, where, array=False)
    return "\n".join(lines) + "\n"


def _toml_is_table_array(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)


def _toml_table(
    lines: list[str], header: list[str], table: dict[str, Any], where: str, *, array: bool
) -> None:
    if header:
        name = ".".join(_toml_key(key, where) for key in header)
        if lines:
            lines.append("")
        lines.append(f"[[{name}]]" if array else f"[{name}]")
    nested: list[tuple[str, Any]] = []
    for key, value in table.items():
        if isinstance(value, dict) or _toml_is_table_array(value):
            nested.append((key, value))
        else:
            lines.append(f"{_toml_key(key, where)} = {_toml_value(value, where)}")
    for key, value in nested:
        if isinstance(value, dict):
            _toml_table(lines, [*header, key], value, where, array=False)
        else:
            for item in value:
                _toml_table(lines, [*header, key], item, where, array=True)


_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_ESCAPES = {
    '"': '\\"',
    "\\": "\\\\",
    "\b": "\\b",
    "\t": "\\t",
    "\n": "\\n",
    "\f": "\\f",
    "\r": "\\r",
}


def _toml_key(key: str, where: str) -> str:
    if _BARE_KEY.fullmatch(key):
        return key
    try:
        return _toml_string(key)
    except ValueError as error:
        raise ValueError(f"Cannot save {where!r} as TOML: {error}") from None


def _toml_string(text: str) -> str:
    out = ['"']
    for char in text:
        code = ord(char)
        if char in _ESCAPES:
            out.append(_ESCAPES[char])
        elif code < 0x20 or code == 0x7F:
            out.append(f"\\u{code:04X}")
        elif 0xD800 <= code <= 0xDFFF:
            raise ValueError(
                f"Cannot write {_show(text)} to TOML: it holds a lone surrogate "
                f"(U+{code:04X}), which is not a Unicode character."
            )
        else:
            out.append(char)
    out.append('"')
    return "".join(out)


def _toml_value(value: Any, where: str) -> str:
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        if not -(2**63) <= value < 2**63:
            raise ValueError(
                f"Cannot save {where!r} as TOML: the integer {value} is outside TOML's "
                "64-bit range. Save it as .json instead."
            )
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(
                f"Cannot save {where!r} as TOML: {value!r} is not a finite number "
                "(lrschedule writes only finite floats)."
            )
        return repr(value)
    if isinstance(value, str):
        try:
            return _toml_string(value)
        except ValueError as error:
            raise ValueError(f"Cannot save {where!r} as TOML: {error}") from None
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(item, where) for item in value) + "]"
    if isinstance(value, dict):
        if not value:
            return "{}"
        items = (f"{_toml_key(k, where)} = {_toml_value(v, where)}" for k, v in value.items())
        return "{ " + ", ".join(items) + " }"
    raise TypeError(f"Cannot save {where!r} as TOML: a value of type {type(value).__name__}")
