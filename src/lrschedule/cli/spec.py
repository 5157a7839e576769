"""Read a schedule from the command line: a file, a JSON string, or a constructor call.

A *spec* is one of

* a path to a ``.json`` or ``.toml`` file in the serialization format
  (:func:`lrschedule.load`);
* a JSON object, as :func:`lrschedule.serialize` writes it (``'{"class_name": ...}'``);
* a constructor call, as ``repr`` shows a schedule:
  ``"ExponentialDecay(0.1, decay_steps=100000, decay_rate=0.96, staircase=True)"``,
  composites included (``"Warmup(CosineDecay(0.1, 10000), warmup_steps=500)"``).

A call is parsed with :mod:`ast` and built from its parts: the callee must be the name of
a library schedule or of a class registered with :func:`lrschedule.register` (its class
name, looked up in the same registry as :func:`lrschedule.deserialize`), and the arguments
must be literals: numbers (a leading ``-`` allowed), strings, ``True``/``False``/``None``,
lists, tuples and dicts of those, and nested calls. Nothing is evaluated, imported or looked
up anywhere else. What would make Python's own parser import a module is refused before
the call is parsed: a ``\\N{...}`` escape in a string, an f-string, and non-ASCII
characters outside strings (names are ASCII). Every problem is a :class:`SpecError` whose
message names the offending part and its column, whatever the schedule's constructor
raises (an error other than a ``ValueError`` or ``TypeError``, or a warning turned into
an error, is named with its type).
"""

from __future__ import annotations

import ast
import difflib
import json
import os
from typing import Any

from lrschedule.cli.messages import one_line, problem
from lrschedule.core import registry as _registry
from lrschedule.core.contract import LearningRateSchedule
from lrschedule.core.errors import SpecError

__all__ = ["SpecError", "parse_spec"]

_ALLOWED = "literals (numbers, strings, True, False, None, lists, tuples, dicts) or schedule calls"
_MAX_LENGTH = 100_000


def parse_spec(text: str) -> LearningRateSchedule:
    """The schedule that ``text`` describes (a file path, a JSON object, or a call).

    Raises:
        SpecError: The file is missing or unreadable, the JSON or the call is malformed,
            a name is unknown, an argument is not a literal, or the schedule's constructor
            rejects an argument.

    Example:
        >>> parse_spec("ExponentialDecay(0.1, decay_steps=1000, decay_rate=0.5)")(2000)
        0.025
        >>> parse_spec("ExponentialDecay(0.1, 10 ** 3, 0.5)")
        Traceback (most recent call last):
        ...
        lrschedule.core.errors.SpecError: `10 ** 3` (column 23) is not allowed in a schedule spec: \
write the number itself (1000, 1e3 or 1_000)
    """
    if not isinstance(text, str):
        raise SpecError(f"a schedule spec must be a string, not {type(text).__name__}")
    stripped = text.strip()
    if not stripped:
        raise SpecError("the schedule spec is empty")
    if stripped.startswith("{"):
        return _from_json(stripped)
    lowered = stripped.lower()
    if lowered.endswith((".json", ".toml")) or os.path.isfile(stripped):
        return _from_file(stripped)
    return _from_call(stripped)


def _from_json(text: str) -> LearningRateSchedule:
    from lrschedule.serialization import MAX_TEXT_LENGTH, deserialize

    if len(text) > MAX_TEXT_LENGTH:
        raise SpecError(
            f"the schedule spec is too long ({len(text):,} characters; "
            f"at most {MAX_TEXT_LENGTH:,} for JSON)"
        )
    try:
        json.loads(text)
    except json.JSONDecodeError as error:
        raise SpecError(
            f"the schedule spec is not valid JSON: {error.msg} at column {error.colno}"
        ) from None
    except RecursionError:
        raise SpecError("the schedule spec is nested too deeply") from None
    except ValueError as error:  # a number with more digits than Python reads
        raise SpecError(f"the schedule spec is not valid JSON: {one_line(error)}") from None
    try:
        return deserialize(text)
    except (ValueError, TypeError) as error:
        raise SpecError(f"the JSON schedule spec is not a schedule: {one_line(error)}") from None


def _from_file(path: str) -> LearningRateSchedule:
    from lrschedule.serialization import load

    if not os.path.exists(path):
        raise SpecError(f"no schedule file {path!r} (a .json or .toml file was expected)")
    if not path.lower().endswith((".json", ".toml")):
        raise SpecError(
            f"cannot read the schedule file {path!r}: use a .json or .toml file "
            "(as lrschedule.save writes them)"
        )
    try:
        return load(path)
    except (ValueError, TypeError) as error:
        raise SpecError(one_line(error)) from None


# ---------------------------------------------------------------------------- calls
def _from_call(text: str) -> LearningRateSchedule:
    if len(text) > _MAX_LENGTH:
        raise SpecError(f"the schedule spec is too long ({len(text):,} characters)")
    _check_characters(text)
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as error:
        where = f" at column {error.offset}" if error.offset else ""
        raise SpecError(
            f"the schedule spec {_clip(text)!r} is not a file, JSON or a constructor call: "
            f"{error.msg}{where}"
        ) from None
    except ValueError as error:  # a NUL character
        raise SpecError(
            f"the schedule spec {_clip(text)!r} is not a file, JSON or a constructor call: "
            f"{one_line(error)}"
        ) from None
    except (RecursionError, MemoryError):
        raise SpecError("the schedule spec is nested too deeply") from None
    if not isinstance(tree.body, ast.Call):
        raise SpecError(
            f"{_where(text, tree.body)} is not a schedule: write a file path, a JSON object, "
            "or a call such as ExponentialDecay(0.1, decay_steps=1000, decay_rate=0.96)"
        )
    try:
        value = _Builder(text).build(tree.body)
    except RecursionError:
        raise SpecError("the schedule spec is nested too deeply") from None
    if not isinstance(value, LearningRateSchedule):  # pragma: no cover - calls build schedules
        raise SpecError(f"{_where(text, tree.body)} is not a schedule")
    return value


def _check_characters(text: str) -> None:
    """Refuse what would make Python's parser import ``unicodedata``, before parsing.

    A ``\\N`` escape in a string looks the name up in ``unicodedata``, and a non-ASCII
    name is normalized by it: both are refused, and so are f-strings (whose braces hold
    names). The scan follows string literals (quotes, prefixes, escapes) and comments.
    """
    index, length = 0, len(text)
    while index < length:
        char = text[index]
        if char == "#":  # a comment runs to the end of the line
            end = text.find("\n", index)
            index = length if end < 0 else end
        elif char in "'\"":
            index = _string_end(text, index)
        elif char > "\x7f":
            raise SpecError(
                f"`{char}` (column {_column(text, index)}) is not allowed in a schedule spec: "
                "outside strings, a spec is ASCII"
            )
        else:
            index += 1


def _string_end(text: str, start: int) -> int:
    """Where the string literal whose quote is at ``start`` ends (checked on the way)."""
    begin = start
    while begin > 0 and text[begin - 1] in "rRbBuUfF":
        begin -= 1
    prefix = text[begin:start].lower()
    if len(prefix) > 2 or (begin > 0 and (text[begin - 1].isalnum() or text[begin - 1] == "_")):
        prefix = ""  # letters ending a name, not a prefix: Python will not parse it
    quote = text[start] * 3 if text.startswith(text[start] * 3, start) else text[start]
    index = start + len(quote)
    named = -1  # where a \N escape is
    while index < len(text) and not text.startswith(quote, index):
        if text[index] == "\\":
            if named < 0 and text.startswith("N", index + 1):
                named = index
            index += 1  # the escaped character is not the end of the string
        elif text[index] == "\n" and len(quote) == 1:
            break  # an unterminated string: the parser says so
        index += 1
    index += len(quote)
    if "f" in prefix:
        raise SpecError(
            f"`{_clip(text[begin:index])}` (column {_column(text, begin)}) is not allowed in "
            f"a schedule spec: use {_ALLOWED}"
        )
    if named >= 0 and "r" not in prefix:
        close = text.find("}", named, named + 100)
        shown = text[named : close + 1] if close > 0 else _clip(text[named:])
        raise SpecError(
            f"`{shown}` (column {_column(text, named)}) is not allowed in a schedule spec: "
            "write the character itself, or a \\u or \\U escape"
        )
    return index


def _column(text: str, index: int) -> int:
    """The column (from 1) of ``text[index]`` on its line."""
    return index - (text.rfind("\n", 0, index) + 1) + 1


def _clip(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _where(text: str, node: ast.AST) -> str:
    """``\\`fragment\\` (column N)`` for a node of the spec."""
    segment = ast.get_source_segment(text, node) or ""
    column = getattr(node, "col_offset", 0) + 1
    return f"`{_clip(segment)}` (column {column})"


def _registered_matching(name: str) -> list[str]:
    """The registered names (``package>Name``) whose class name is ``name``."""
    return [
        registered
        for registered in _registry.user_names()
        if registered == name or registered.rpartition(">")[2] == name
    ]


def _class_for(package: str | None, name: str) -> type | None:
    if package is None or package == "lrschedule":
        found = _registry.library_class(name)
        if found is not None or package == "lrschedule":
            return found
        matches = _registered_matching(name)
        return _registry.user_class(matches[0]) if len(matches) == 1 else None
    return _registry.user_class(f"{package}>{name}")


def _known_names() -> list[str]:
    names = set(_registry.library_names())
    names.update(registered.rpartition(">")[2] for registered in _registry.user_names())
    return sorted(names)


class _Builder:
    def __init__(self, text: str) -> None:
        self.text = text

    def fail(self, node: ast.AST, problem: str) -> SpecError:
        return SpecError(f"{_where(self.text, node)} {problem}")

    def build(self, node: ast.AST) -> Any:
        if isinstance(node, ast.Call):
            return self.call(node)
        if isinstance(node, ast.Constant):
            value = node.value
            if value is None or isinstance(value, (bool, int, float, str)):
                return value
            raise self.fail(node, f"is not allowed in a schedule spec: use {_ALLOWED}")
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            operand = node.operand
            if (
                isinstance(operand, ast.Constant)
                and isinstance(operand.value, (int, float))
                and not isinstance(operand.value, bool)
            ):
                return -operand.value if isinstance(node.op, ast.USub) else operand.value
            raise self.fail(node, "is not allowed in a schedule spec: a sign goes before a number")
        if isinstance(node, ast.List):
            return [self.build(item) for item in node.elts]
        if isinstance(node, ast.Tuple):
            return tuple(self.build(item) for item in node.elts)
        if isinstance(node, ast.Dict):
            result = {}
            for key, item in zip(node.keys, node.values, strict=True):
                if key is None:
                    raise self.fail(item, "cannot be unpacked in a schedule spec (no **)")
                built = self.build(key)
                if not isinstance(built, str):
                    raise self.fail(key, "is not allowed as a dict key: keys are strings")
                result[built] = self.build(item)
            return result
        if isinstance(node, ast.BinOp):
            raise self.fail(
                node,
                "is not allowed in a schedule spec: write the number itself (1000, 1e3 or 1_000)",
            )
        if isinstance(node, ast.Name):
            raise self.fail(
                node,
                f"is not allowed in a schedule spec: arguments must be {_ALLOWED}",
            )
        raise self.fail(node, f"is not allowed in a schedule spec: use {_ALLOWED}")

    def call(self, node: ast.Call) -> Any:
        func = node.func
        package: str | None = None
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
            # lrschedule.CosineDecay, or package.Name for a class registered as "package>Name".
            package, name = func.value.id, func.attr
        elif isinstance(func, ast.Name):
            name = func.id
        else:
            raise self.fail(func, "is not a schedule name")
        cls = _class_for(package, name)
        if cls is None and package is None and len(_registered_matching(name)) > 1:
            spellings = ", ".join(
                ".".join(registered.split(">", 1)) for registered in _registered_matching(name)
            )
            raise self.fail(func, f"is ambiguous: write one of {spellings}")
        if cls is None and package not in (None, "lrschedule"):
            raise self.fail(
                func, f"is not a registered schedule (no class registered as {package}>{name})"
            )
        if cls is None:
            known = _known_names()
            close = difflib.get_close_matches(name, known, n=1)
            hint = f"did you mean {close[0]}?" if close else f"known: {', '.join(known)}"
            raise self.fail(func, f"is not a known schedule; {hint}")
        args = []
        for item in node.args:
            if isinstance(item, ast.Starred):
                raise self.fail(item, "cannot be unpacked in a schedule spec (no *)")
            args.append(self.build(item))
        kwargs = {}
        for keyword in node.keywords:
            if keyword.arg is None:
                raise self.fail(keyword.value, "cannot be unpacked in a schedule spec (no **)")
            if keyword.arg in kwargs:
                raise self.fail(keyword, f"repeats the argument `{keyword.arg}`")
            kwargs[keyword.arg] = self.build(keyword.value)
        try:
            return cls(*args, **kwargs)
        except Exception as error:  # a warning turned into an error included
            raise self.fail(node, f"is not a valid schedule: {problem(error)}") from None
