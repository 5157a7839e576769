"""Schedules in ``.json`` and ``.toml`` files: :func:`save` and :func:`load`.

A file holds :func:`~lrschedule.serialize`'s envelope, in the format its suffix names.
Floats round-trip bit for bit and ints stay ints. Neither format has tuples, so a tuple in
a config comes back as a list (the schedule still compares equal: equality treats lists
and tuples alike). TOML has no null: a ``None`` config value is left out of the
``[config]`` table and its key listed in the envelope's ``null_keys`` array instead, a
``None`` ``module`` or ``registered_name`` is left out, and a ``None`` anywhere else cannot
be written to TOML (save such a schedule as JSON).

:func:`load` reads regular files only, of at most
:data:`~lrschedule.serialization.limits.MAX_TEXT_LENGTH` bytes: the file is opened without
blocking and checked before anything is read, so a FIFO, a device or a socket (which could
block or never end) is refused at once, and so is a file that is too large.
"""

from __future__ import annotations

import errno
import json
import os
import stat
from collections.abc import Mapping
from pathlib import Path

from lrschedule.core.contract import LearningRateSchedule
from lrschedule.core.errors import MissingScheduleFileError
from lrschedule.serialization.codec import deserialize, parse_json, serialize
from lrschedule.serialization.limits import MAX_TEXT_LENGTH, check_text_length
from lrschedule.serialization.messages import show
from lrschedule.serialization.toml import from_toml, parse_toml, to_toml

__all__ = ["SUFFIXES", "load", "save"]

#: The file suffixes :func:`save` and :func:`load` understand.
SUFFIXES = (".json", ".toml")
#: Characters read at a time.
_CHUNK = 2**16


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

    JSON is written with ``indent=2``; TOML, by the ``tomli-w`` package (the ``toml``
    extra), as a table with a ``[config]`` sub-table (see
    :mod:`lrschedule.serialization.toml` for how ``None`` is written). Floats are written
    so that they read back bit for bit, and ints stay ints. The text is built completely before the
    file is opened, so a schedule that cannot be written leaves no partial file.

    Raises:
        ValueError: An unsupported suffix; a NaN or infinite float (neither format allows
            them here); for TOML, an int outside the 64-bit range, a string with a lone
            surrogate, or a ``None`` that TOML cannot hold.
        TypeError: As :func:`serialize`.
        ModuleNotFoundError: A ``.toml`` file without ``tomli-w``
            (``pip install lrschedule[toml]``).
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
        text = to_toml(document, where)
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
            permission, not UTF-8); not a regular file (a FIFO, a device, a socket); more
            than :data:`~lrschedule.serialization.limits.MAX_TEXT_LENGTH` bytes; text that
            is not valid JSON or TOML, or JSON that is not an object; anything
            :func:`deserialize` rejects. The message names the path.
        TypeError: As :func:`deserialize`, with the path in the message.
        ModuleNotFoundError: A ``.toml`` file on Python 3.10 without ``tomli``.
    """
    suffix = _suffix(path)
    where = os.fspath(path)
    text = _read(path, where)
    if suffix == ".json":
        document = parse_json(text, f"The file {where!r}")
        if not isinstance(document, dict):
            raise ValueError(
                f"The file {where!r} must hold a JSON object (a serialized schedule). "
                f"It holds a {type(document).__name__}: {show(document)}"
            )
    else:
        document = from_toml(parse_toml(text, where), where)
    try:
        return deserialize(document, custom_objects)
    except TypeError as error:
        raise TypeError(f"{where!r}: {error}") from error
    except ValueError as error:
        raise ValueError(f"{where!r}: {error}") from error


def _read(path: str | os.PathLike[str], where: str) -> str:
    """The text of the regular file at ``path``, decoded as ``Path.read_text`` decodes it."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)  # opening a FIFO does not wait
    try:
        descriptor = os.open(path, flags)
    except FileNotFoundError as error:
        raise MissingScheduleFileError(
            errno.ENOENT, "No schedule file (lrschedule.load) at this path", where
        ) from error
    except OSError as error:
        raise ValueError(f"Cannot read the schedule file {where!r}: {error}") from error
    try:
        mode = os.fstat(descriptor)
        if stat.S_ISDIR(mode.st_mode):
            folder = IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), where)
            raise ValueError(f"Cannot read the schedule file {where!r}: {folder}")
        if not stat.S_ISREG(mode.st_mode):
            raise ValueError(
                f"Cannot read the schedule file {where!r}: it is not a regular file "
                "(a FIFO, a device or a socket)."
            )
        check_text_length(mode.st_size, f"The file {where!r}", "bytes")
        with open(descriptor, encoding="utf-8", closefd=False) as file:
            parts, length = [], 0
            while length <= MAX_TEXT_LENGTH and (part := file.read(_CHUNK)):
                parts.append(part)  # read up to the limit: the file may have grown since
                length += len(part)
        text = "".join(parts)
    except (OSError, UnicodeDecodeError) as error:
        raise ValueError(f"Cannot read the schedule file {where!r}: {error}") from error
    finally:
        os.close(descriptor)
    check_text_length(len(text), f"The file {where!r}")
    return text
