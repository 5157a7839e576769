"""TOML for :func:`~lrschedule.save` and :func:`~lrschedule.load`.

TOML has no null: a ``None`` config value is left out of the ``[config]`` table and its key
listed in the envelope's ``null_keys`` array instead, a ``None`` ``module`` or
``registered_name`` is left out, and a ``None`` anywhere else cannot be written. The text is
written by the ``tomli-w`` package (the ``toml`` extra: ``pip install lrschedule[toml]``),
after the checks here; floats are written with ``repr``, so they read back bit for bit. It is
read with the standard library's ``tomllib`` (the ``tomli`` backport on Python 3.10).
"""

from __future__ import annotations

import importlib
import math
from typing import Any

from lrschedule.serialization.limits import MAX_NESTING, check_text_length
from lrschedule.serialization.messages import show
from lrschedule.serialization.names import ENVELOPE_KEYS

__all__ = ["from_toml", "parse_toml", "to_toml"]

#: In TOML, the envelope key listing the config keys whose value is None.
_NULL_KEYS = "null_keys"


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


def _toml_writer() -> Any:
    """The TOML writer: the ``tomli_w`` module of the ``toml`` extra."""
    try:
        return importlib.import_module("tomli_w")
    except ImportError:
        raise ModuleNotFoundError(
            "Writing TOML needs the tomli-w package, the 'toml' extra of lrschedule: "
            "pip install 'lrschedule[toml]' (or save as .json, which needs nothing)"
        ) from None


def parse_toml(text: str, where: str) -> dict[str, Any]:
    """``text``, the file ``where``, parsed as TOML (still with its ``null_keys``)."""
    check_text_length(len(text), f"The file {where!r}")
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


def from_toml(value: Any, where: str, level: int = 1) -> Any:
    """Undo :func:`_toml_ready`: the keys in ``null_keys`` become ``None`` config values."""
    if level > MAX_NESTING:
        raise ValueError(f"The file {where!r}: containers are nested more than {MAX_NESTING} deep.")
    if isinstance(value, list):
        return [from_toml(item, where, level + 1) for item in value]
    if not isinstance(value, dict):
        return value
    result = {key: from_toml(item, where, level + 1) for key, item in value.items()}
    if _NULL_KEYS in result and _looks_like_envelope(result, (*ENVELOPE_KEYS, _NULL_KEYS)):
        nulls = result.pop(_NULL_KEYS)
        config = result["config"]
        if not (isinstance(nulls, list) and all(isinstance(key, str) for key in nulls)):
            raise ValueError(
                f"The file {where!r}: {_NULL_KEYS!r} must be an array of config key names. "
                f"Received: {show(nulls)}"
            )
        for key in nulls:
            if key in config:
                raise ValueError(
                    f"The file {where!r}: the config key {key!r} is listed in "
                    f"{_NULL_KEYS!r} and also has a value."
                )
            config[key] = None
    return result


def _checked_text(text: str, where: str) -> str:
    """``text``, if it can be written as UTF-8 (no lone surrogate)."""
    for char in text:
        if 0xD800 <= ord(char) <= 0xDFFF:
            raise ValueError(
                f"Cannot save {where!r} as TOML: {show(text)} holds a lone surrogate "
                f"(U+{ord(char):04X}), which is not a Unicode character."
            )
    return text


def _checked_scalar(value: Any, where: str) -> Any:
    """``value``, a bool, int, float or str that TOML holds exactly (else an error)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        if not -(2**63) <= value < 2**63:
            raise ValueError(
                f"Cannot save {where!r} as TOML: the integer {value} is outside TOML's "
                "64-bit range. Save it as .json instead."
            )
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(
                f"Cannot save {where!r} as TOML: {value!r} is not a finite number "
                "(lrschedule writes only finite floats)."
            )
        return value
    if isinstance(value, str):
        return _checked_text(value, where)
    raise TypeError(f"Cannot save {where!r} as TOML: a value of type {type(value).__name__}")


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
        return _checked_scalar(value, where)
    if _looks_like_envelope(value, ENVELOPE_KEYS):
        result: dict[str, Any] = {}
        nulls: list[str] = []
        for key, item in value.items():
            if key == "config":
                config: dict[str, Any] = {}
                for name, setting in item.items():
                    if setting is None:
                        nulls.append(_checked_text(name, where))
                    else:
                        config[_checked_text(name, where)] = _toml_ready(
                            setting, f"{path}['config'][{name!r}]", where
                        )
                result["config"] = config
            elif item is not None:
                result[key] = _checked_scalar(item, where)
        if nulls:
            result[_NULL_KEYS] = nulls
        return result
    if _NULL_KEYS in value and _looks_like_envelope(value, (*ENVELOPE_KEYS, _NULL_KEYS)):
        raise ValueError(
            f"Cannot save {where!r} as TOML: the dict at {path} has the key {_NULL_KEYS!r}, "
            "which TOML files use to list null config keys. Save it as .json instead."
        )
    return {
        _checked_text(key, where): _toml_ready(item, f"{path}[{key!r}]", where)
        for key, item in value.items()
    }


def to_toml(document: dict[str, Any], where: str) -> str:
    """The TOML text of an envelope for the file ``where`` (``ValueError``: TOML cannot hold it).

    The layout is ``tomli-w``'s: the envelope's plain keys first, in order, then
    ``[config]``, each nested schedule a ``[config.<key>]`` table after its parent's plain
    keys, lists of tables as ``[[...]]``, and arrays one item per line.
    """
    ready = _toml_ready(document, "the document", where)
    text: str = _toml_writer().dumps(ready)
    return text
