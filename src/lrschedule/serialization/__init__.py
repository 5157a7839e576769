"""Schedules as Keras 3 config dicts, JSON and TOML, both ways, safely.

:func:`serialize` and :func:`deserialize` (the codec), :func:`register` for a user's
schedule, :func:`save` and :func:`load` for files. Loaded on first use: ``import
lrschedule`` does not import it.

Safe on untrusted input: nothing is imported or evaluated, every problem is a
``ValueError`` (a ``TypeError`` for a value of the wrong type), and the cost is linear in
the input's size, which is bounded. A document nests at most :data:`MAX_DEPTH` (32)
schedules and :data:`MAX_NESTING` (100) containers deep and holds at most
:data:`MAX_ELEMENTS` (1,000,000) values, every number, string, list and dict counted
where it appears (a schedule envelope found in several places of one document counts,
and is built, once); a JSON string, or a file for :func:`load`, is at most
:data:`MAX_TEXT_LENGTH` (32 MiB: characters of a string, bytes of a file). A file must be
a regular file: a FIFO, device or socket is refused, without waiting on it.
"""

from __future__ import annotations

from lrschedule.core.errors import MissingScheduleFileError
from lrschedule.serialization.codec import MAX_DEPTH, deserialize, serialize
from lrschedule.serialization.files import SUFFIXES, load, save
from lrschedule.serialization.limits import MAX_ELEMENTS, MAX_NESTING, MAX_TEXT_LENGTH
from lrschedule.serialization.register import DEFAULT_PACKAGE, register

__all__ = [
    "DEFAULT_PACKAGE",
    "MAX_DEPTH",
    "MAX_ELEMENTS",
    "MAX_NESTING",
    "MAX_TEXT_LENGTH",
    "SUFFIXES",
    "MissingScheduleFileError",
    "deserialize",
    "load",
    "register",
    "save",
    "serialize",
]
