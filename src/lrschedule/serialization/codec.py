"""Schedules to Keras 3's config dicts and back, safely: :func:`serialize`, :func:`deserialize`.

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
    {"module": "my.module", "class_name": "Name",
     "config": {...}, "registered_name": "Name"}            # a class not registered

The last is what Keras writes for a schedule class it does not know (``module`` is
``None`` for a class of ``__main__``); like Keras, :func:`deserialize` reads it back only
with the class in ``custom_objects``.

:func:`deserialize` reads these, Keras 3's output, the tf.keras form
``{"class_name": ..., "config": {...}}`` (a ``"name": None`` in the config included), and
JSON text of any of them. It is safe on untrusted input: a name is looked up only in the
library's table, the table of classes registered with :func:`register`, and the
``custom_objects`` the caller passes. Nothing is imported, evaluated or read from a
module's globals, and the ``module`` of a document is never used: it is checked, except
for a class the caller names in ``custom_objects`` (which Keras too uses whatever the
``module`` says). Every
problem is a ``ValueError`` (a ``TypeError`` for a value of the wrong type) that names it.

Composite schedules (a schedule whose config holds other schedules) follow Keras's
pattern: ``get_config()`` returns each inner schedule as ``serialize(inner)``, and
``__init__`` (or ``from_config``) passes each through ``deserialize``, which returns an
already-built schedule unchanged. Nested calls share the outer call's ``custom_objects``
and its depth count: documents nest at most :data:`MAX_DEPTH` schedules and
:data:`MAX_NESTING` containers deep, and hold at most :data:`MAX_ELEMENTS` values; a JSON
text is at most :data:`MAX_TEXT_LENGTH` characters (see
:mod:`lrschedule.serialization.limits`).

The cost is linear in the document's distinct nodes. A document built by a program may
hold one sub-document in several places (the same dict object, as ``yaml.safe_load`` makes
of an anchor and its aliases): the whole document is checked once, by the outermost call,
each node once, and a schedule envelope found again during one ``deserialize`` call (with
the same ``custom_objects``) is not built again: the schedule built from it is used in
each place. Schedules are immutable values, so sharing one is the same as holding copies.

Names are resolved in :mod:`lrschedule.serialization.names`, config keys checked in
:mod:`lrschedule.serialization.arguments`; files are :mod:`lrschedule.serialization.files`.

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
import json
from collections.abc import Mapping
from typing import Any, NoReturn

from lrschedule.core.contract import LearningRateSchedule
from lrschedule.core.validation import is_numpy_scalar
from lrschedule.serialization.arguments import check_config_keys
from lrschedule.serialization.limits import MAX_NESTING, Survey, check_text_length
from lrschedule.serialization.messages import building_failed, located, show
from lrschedule.serialization.names import envelope_names, merge_custom_objects, resolve

__all__ = ["MAX_DEPTH", "MAX_NESTING", "deserialize", "parse_json", "serialize"]

#: Schedules nest at most this deep (a composite holding a composite holding ...).
MAX_DEPTH = 32

_SERIALIZE_DEPTH: contextvars.ContextVar[int] = contextvars.ContextVar(
    "lrschedule_serialize_depth", default=0
)


class _Session:
    """What the outermost deserialize call and the calls nested in it have seen."""

    __slots__ = ("built", "survey")

    def __init__(self) -> None:
        self.survey = Survey("deserialize")
        #: (id of the document, id of the custom objects) -> (the document, the custom
        #: objects, the schedule built, the schedules nested in it counting itself). The
        #: document and the mapping are kept so that their ids are not reused meanwhile.
        self.built: dict[tuple[int, int], tuple[Any, Any, LearningRateSchedule, int]] = {}


class _Call:
    """A deserialize call in progress, for the calls nested in it."""

    __slots__ = ("below", "depth", "objects", "session")

    def __init__(self, depth: int, objects: Mapping[str, type], session: _Session) -> None:
        self.depth = depth  # the calls it is nested in, counting itself
        self.objects = objects
        self.session = session
        self.below = 0  # the most schedules nested in it so far


_DESERIALIZING: contextvars.ContextVar[_Call | None] = contextvars.ContextVar(
    "lrschedule_deserializing", default=None
)


# ----------------------------------------------------------------------- serialize
def serialize(schedule: LearningRateSchedule) -> dict[str, Any]:
    """The schedule as Keras 3's config envelope: a dict of JSON-ready Python values.

    The keys are ``module``, ``class_name``, ``config`` and ``registered_name``, in that
    order (see the module docstring for what each holds). In the config, NumPy scalars
    become the Python numbers they hold, tuples stay tuples and lists stay lists, and a
    schedule found in it (in a list or dict too) is serialized the same way, recursively.

    Raises:
        TypeError: ``schedule`` is not a schedule; its class is not registered with
            :func:`register` and is named like one of the library's classes (or has a
            ``>`` in its name); or its config holds a value that is not
            ``None``, a bool, number, string, list, tuple, dict with string keys or
            schedule.
        ValueError: Schedules nested deeper than :data:`MAX_DEPTH`, containers deeper
            than :data:`MAX_NESTING`, or more than :data:`MAX_ELEMENTS` values.

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
            f"Received: {show(schedule)} of type {type(schedule).__name__}"
        )
    # A schedule with step counts in units is written as its class (the strings as given).
    cls = getattr(type(schedule), "_resolved_class", type(schedule))
    module, registered_name = envelope_names(cls)
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
                f"Received: {show(config)} of type {type(config).__name__}"
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
        Survey("serialize").measure(document)
    return document


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
    if is_numpy_scalar(value) and hasattr(value, "item"):
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
                        f"Received: the key {show(key)} of type {type(key).__name__} at {path}"
                    )
                result[str(key)] = _json_ready(item, f"{path}[{key!r}]", level + 1)
            return result
        items = [
            _json_ready(item, f"{path}[{index}]", level + 1) for index, item in enumerate(value)
        ]
        return tuple(items) if isinstance(value, tuple) else items
    raise TypeError(
        f"Cannot serialize the value at {path}: {show(value)} of type {kind.__name__}. "
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
    ``"lrschedule"``, or the module of the class found (any string for a class found in
    ``custom_objects``). The config's keys must be the
    constructor's parameters (no missing required one, no unknown one); the constructor
    then validates the values.

    Raises:
        ValueError: Invalid JSON, or JSON that is not an object; a missing ``class_name``
            or ``config``; an unexpected envelope key; an unknown class (the message lists
            the known ones), including ``"LearningRateSchedule"`` itself; a ``module`` of
            another package; missing or unexpected config keys; a value the constructor
            rejects; schedules nested deeper than :data:`MAX_DEPTH`, containers deeper
            than :data:`MAX_NESTING`, more than :data:`MAX_ELEMENTS` values, or a JSON text
            longer than :data:`MAX_TEXT_LENGTH`. Any other error raised while the schedule
            is built (a warning turned into an error included) is re-raised as a
            ``ValueError`` (chained).
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
    outer = _DESERIALIZING.get()
    objects = merge_custom_objects(custom_objects, {} if outer is None else outer.objects)
    if isinstance(config, str):
        document = parse_json(config, "The string given to `deserialize`")
        if not isinstance(document, dict):
            raise ValueError(
                "A schedule document must be a JSON object (a dict). "
                f"Received JSON holding a {type(document).__name__}: {show(document)}"
            )
    elif isinstance(config, dict):
        document = config
    else:
        raise TypeError(
            "`deserialize` takes a dict (a serialized schedule), a JSON string, or a "
            f"schedule. Received: {show(config)} of type {type(config).__name__}"
        )
    depth = 0 if outer is None else outer.depth
    if depth >= MAX_DEPTH:
        raise located(ValueError, (), f"schedules are nested more than {MAX_DEPTH} deep.")
    session = _Session() if outer is None else outer.session
    session.survey.measure(document)
    key = (id(document), id(objects))
    if key in session.built:
        schedule, levels = session.built[key][2:]
        if depth + levels > MAX_DEPTH:
            raise located(ValueError, (), f"schedules are nested more than {MAX_DEPTH} deep.")
    else:
        schedule, levels = _build(document, objects, _Call(depth + 1, objects, session))
        session.built[key] = (document, objects, schedule, levels)
    if outer is not None:
        outer.below = max(outer.below, levels)
    return schedule


def _build(
    document: dict[str, Any], objects: Mapping[str, type], call: _Call
) -> tuple[LearningRateSchedule, int]:
    """The schedule ``document`` describes, and the schedules nested in it counting itself."""
    cls, class_name, body = resolve(document, objects)
    check_config_keys(cls, class_name, body)
    token = _DESERIALIZING.set(call)
    try:
        schedule = cls.from_config(dict(body))
    except Exception as error:
        raise building_failed(class_name, error) from error
    finally:
        _DESERIALIZING.reset(token)
    if not isinstance(schedule, LearningRateSchedule):
        raise located(
            TypeError,
            (class_name,),
            f"{cls.__qualname__}.from_config returned {show(schedule)} of type "
            f"{type(schedule).__name__}, not a schedule.",
        )
    return schedule, call.below + 1


# ----------------------------------------------------------------------------- JSON
def _reject_constant(name: str) -> NoReturn:
    raise ValueError(f"{name} is not a JSON number")


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"the key {show(key)} appears twice in one object")
        result[key] = value
    return result


def parse_json(text: str, source: str) -> Any:
    """``text`` parsed as strict JSON (no NaN, no repeated key); ``source`` names it in errors.

    A text longer than :data:`MAX_TEXT_LENGTH` characters is refused unread.
    """
    check_text_length(len(text), source)
    try:
        return json.loads(text, parse_constant=_reject_constant, object_pairs_hook=_unique_keys)
    except RecursionError:
        raise ValueError(f"{source} is nested too deeply to parse as JSON.") from None
    except ValueError as error:
        raise ValueError(
            f"{source} is not valid JSON: {error}. (To read a file, use lrschedule.load(path).)"
        ) from error
