"""A griffe extension: the constructors the ``Schedule`` metaclass builds, and docstrings.

A schedule declares its arguments as annotated class attributes
(``decay_steps: Real = steps(above=0)``, see ``lrschedule.schedules.arguments``) and the
metaclass generates ``__init__`` from them, as ``dataclasses`` does. griffe reads the
source without running it, so it sees no ``__init__``; this extension adds one with the
declared parameters in order, their annotations, and their ``default=`` values.
``tests/test_docs.py`` checks the result against ``inspect.signature`` of every schedule.

The docstrings are Google style with Sphinx's roles in their prose (they read well in
``help()`` and in the source); for the site, ``:class:`~lrschedule.Warmup``` becomes the
code span ``Warmup``, a ``.. math::`` block a code block of its formula, a simple table a Markdown
table, a ``text::`` literal block ``text:`` (its indented block is code in Markdown too),
and an ``Example:`` section an ``Examples:`` one, which griffe renders as code.
"""

from __future__ import annotations

import re
from typing import Any

import griffe

#: The module whose functions declare an argument.
DECLARATIONS = "lrschedule.schedules.arguments."


def _declaration(member: Any) -> griffe.ExprCall | None:
    """The call ``rate(...)``, ``steps(...)``, ... that declares ``member``, if any."""
    if not isinstance(member, griffe.Attribute) or member.annotation is None:
        return None
    value = member.value
    if not isinstance(value, griffe.ExprCall):
        return None
    try:
        path = value.function.canonical_path  # type: ignore[union-attr]
    except AttributeError:
        return None
    return value if str(path).startswith(DECLARATIONS) else None


def _parameters(cls: griffe.Class) -> list[griffe.Parameter]:
    parameters = []
    for member in cls.members.values():
        call = _declaration(member)
        if call is None:
            continue
        default = None
        for argument in call.arguments:
            if isinstance(argument, griffe.ExprKeyword) and argument.name == "default":
                default = argument.value
        parameters.append(
            griffe.Parameter(
                member.name,
                annotation=member.annotation,
                kind=griffe.ParameterKind.positional_or_keyword,
                default=default,
            )
        )
    return parameters


def _add_init(cls: griffe.Class) -> None:
    if "__init__" in cls.members:
        return
    try:
        mro = [*reversed(cls.mro()), cls]
    except ValueError:
        mro = [cls]
    declared: dict[str, griffe.Parameter] = {}
    for klass in mro:
        for parameter in _parameters(klass):
            declared[parameter.name] = parameter
    if not declared:
        return
    self = griffe.Parameter("self", kind=griffe.ParameterKind.positional_or_keyword)
    init = griffe.Function(
        "__init__",
        lineno=0,
        endlineno=0,
        parent=cls,
        parameters=griffe.Parameters(self, *declared.values()),
        returns="None",
    )
    cls.set_member("__init__", init)


_ROLE = re.compile(r":(?:class|func|meth|mod|data|attr|exc|obj|const):`(~?)([^`]+)`")
_MATH = re.compile(r"^([ \t]*)\.\. math::[ \t]*$", re.MULTILINE)
_EXAMPLE = re.compile(r"^([ \t]*)Example:[ \t]*$", re.MULTILINE)


def _role(match: re.Match[str]) -> str:
    target = match.group(2)
    if match.group(1):
        target = target.rsplit(".", 1)[-1]
    return f"``{target}``"


def _math_blocks(text: str) -> str:
    """Each ``.. math::`` directive as a fenced ``tex`` block at the directive's indent."""
    lines = text.split("\n")
    out: list[str] = []
    index = 0
    while index < len(lines):
        match = _MATH.fullmatch(lines[index])
        if match is None:
            out.append(lines[index])
            index += 1
            continue
        indent = match.group(1)
        index += 1
        body: list[str] = []
        while index < len(lines) and (
            not lines[index].strip() or len(lines[index]) - len(lines[index].lstrip()) > len(indent)
        ):
            body.append(lines[index])
            index += 1
        while body and not body[-1].strip():
            body.pop()
        while body and not body[0].strip():
            body.pop(0)
        content = [line for line in body if line.strip()]
        depth = min((len(line) - len(line.lstrip()) for line in content), default=0)
        out.append(f"{indent}```tex")
        out.extend(indent + line[depth:] if line.strip() else "" for line in body)
        out.append(f"{indent}```")
        out.append("")
    return "\n".join(out)


_BORDER = re.compile(r"^([ \t]*)(=+(?: +=+)+)[ \t]*$")
_LITERAL = re.compile(r"(\S)::[ \t]*$", re.MULTILINE)


def _cells(line: str, spans: list[tuple[int, int]]) -> str:
    cells = []
    for index, (start, end) in enumerate(spans):
        stop = spans[index + 1][0] if index + 1 < len(spans) else len(line)
        cells.append(line[start : max(end, stop)].strip())
    return "| " + " | ".join(cells) + " |"


def _simple_tables(text: str) -> str:
    """Each reStructuredText simple table (``=== ===`` borders) as a Markdown table."""
    lines = text.split("\n")
    out: list[str] = []
    index = 0
    while index < len(lines):
        match = _BORDER.fullmatch(lines[index])
        borders = [
            row
            for row in range(index, len(lines))
            if _BORDER.fullmatch(lines[row]) and lines[row].strip() == lines[index].strip()
        ]
        if match is None or len(borders) < 3:
            out.append(lines[index])
            index += 1
            continue
        indent = match.group(1)
        spans = [
            (len(indent) + run.start(), len(indent) + run.end())
            for run in re.finditer(r"=+", match.group(2))
        ]
        header, end = borders[1], borders[2]
        out.append(indent + _cells(lines[index + 1], spans))
        out.append(indent + "| " + " | ".join("---" for _ in spans) + " |")
        out.extend(indent + _cells(line, spans) for line in lines[header + 1 : end] if line.strip())
        index = end + 1
    return "\n".join(out)


def markdown(text: str) -> str:
    """A docstring's text with Sphinx's roles and directives made Markdown."""
    text = _simple_tables(_math_blocks(_ROLE.sub(_role, text)))
    text = _LITERAL.sub(lambda match: f"{match.group(1)}:", text)
    return _EXAMPLE.sub(lambda match: f"{match.group(1)}Examples:", text)


def _walk(obj: Any, seen: set[str]) -> None:
    if obj.path in seen:
        return
    seen.add(obj.path)
    if obj.docstring is not None:
        obj.docstring.value = markdown(obj.docstring.value)
    if isinstance(obj, griffe.Class):
        _add_init(obj)
    if isinstance(obj, (griffe.Module, griffe.Class)):
        for member in obj.members.values():
            if not member.is_alias:
                _walk(member, seen)


class ScheduleDeclarations(griffe.Extension):
    """Give every schedule class the ``__init__`` its declarations generate."""

    def on_package(self, *, pkg: griffe.Module, **kwargs: Any) -> None:
        """Add the constructors once the whole package is loaded."""
        _walk(pkg, set())
