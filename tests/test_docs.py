"""The documentation site: every example in docs/ runs, and every public name has a page.

* Each ```python block of a page runs, in order, in one namespace per page: a block with
  ``>>>`` prompts as a doctest (its outputs compared), any other block as a script.
* Each ```console block's ``$ lrschedule ...`` commands run in-process, in a temporary
  folder, and print exactly the lines shown under them.
* Every exported schedule has its page ``docs/schedules/<Name>.md`` with its gallery
  picture and an API entry (``::: lrschedule.<Name>``); every other public name of
  ``lrschedule``, ``lrschedule.torch``, ``lrschedule.keras`` and ``lrschedule.analysis``
  has an API entry; every page is in the navigation of ``mkdocs.yml``.
* The constructors the site shows (built by ``docs/hooks/griffe_declarations.py`` from the
  declarations) are the constructors Python sees.
"""

from __future__ import annotations

import contextlib
import doctest
import inspect
import io
import re
import shlex
import sys
from pathlib import Path
from typing import Any

import pytest

import lrschedule

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
#: Pages outside the site's sources: the gallery's own index (linked from the site).
NOT_PAGES = {DOCS / "gallery" / "README.md"}
PAGES = sorted(path for path in DOCS.rglob("*.md") if path not in NOT_PAGES)
FENCE = re.compile(r"^```(\w+)[^\n]*\n(.*?)^```\s*$", re.MULTILINE | re.DOTALL)
FLAGS = doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS


def _blocks(page: Path, language: str) -> list[tuple[int, str]]:
    text = page.read_text(encoding="utf-8")
    return [
        (text.count("\n", 0, match.start()) + 1, match.group(2))
        for match in FENCE.finditer(text)
        if match.group(1) == language
    ]


def _schedule_classes() -> list[type]:
    """The exported schedule classes (the schedule edits and the plateau included)."""
    classes = [
        getattr(lrschedule, name)
        for name in lrschedule.__all__
        if isinstance(getattr(lrschedule, name), type) and name != "LearningRateSchedule"
    ]
    return sorted(set(classes), key=lambda cls: cls.__name__)


def _entries_for(path: str, value: Any) -> set[str]:
    """The ``:::`` paths that document ``value``: its public path, or where it is defined."""
    paths = {path}
    module, name = getattr(value, "__module__", None), getattr(value, "__name__", None)
    if isinstance(module, str) and isinstance(name, str):
        paths.add(f"{module}.{name}")
        paths.add(f"{path.rsplit('.', 1)[0]}.{name}")
    return paths


def _public_names() -> list[tuple[str, Any]]:
    import importlib

    names = [
        (f"lrschedule.{name}", getattr(lrschedule, name))
        for name in lrschedule.__all__
        if name != "__version__"
    ]
    for module_name in (
        "lrschedule.torch",
        "lrschedule.keras",
        "lrschedule.analysis",
        "lrschedule.analysis.compare",
    ):
        module = importlib.import_module(module_name)
        names += [(f"{module_name}.{name}", getattr(module, name)) for name in module.__all__]
    # The drop-in Keras classes are the library's classes (documented on their pages), listed
    # in one table on the lrschedule.keras page; ReduceOnPlateau there is the plain class.
    from lrschedule.keras_dropin import SCHEDULE_NAMES

    keras_page = (DOCS / "api" / "keras.md").read_text()
    listed = set(SCHEDULE_NAMES) | {"ReduceOnPlateau"}
    for name in listed:
        assert f"`{name}`" in keras_page, f"docs/api/keras.md does not list the drop-in {name}"
    return [
        (path, value)
        for path, value in names
        if not (path.startswith("lrschedule.keras.") and path.rsplit(".", 1)[1] in listed)
    ]


def _api_entries() -> set[str]:
    entries = set()
    for page in PAGES:
        entries |= set(re.findall(r"^::: ([\w.]+)\s*$", page.read_text(), re.MULTILINE))
    return entries


@pytest.mark.parametrize("page", PAGES, ids=[str(p.relative_to(DOCS)) for p in PAGES])
def test_python_examples_run(page: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, Any] = {"__name__": "__docs__"}
    runner = doctest.DocTestRunner(optionflags=FLAGS)
    parser = doctest.DocTestParser()
    for line, code in _blocks(page, "python"):
        where = f"{page.relative_to(ROOT)}:{line}"
        if ">>>" in code:
            test = parser.get_doctest(code, namespace, where, str(page), line)
            output = io.StringIO()
            result = runner.run(test, out=output.write, clear_globs=False)
            assert result.failed == 0, f"{where}\n{output.getvalue()}"
            namespace.update(test.globs)  # a DocTest runs in a copy of its globals
        else:
            exec(compile(code, where, "exec"), namespace)


def _console_commands(code: str) -> list[tuple[str, list[str]]]:
    commands: list[tuple[str, list[str]]] = []
    lines = code.splitlines()
    index = 0
    while index < len(lines):
        line = lines[index]
        index += 1
        if not line.startswith("$ "):
            continue
        command = line[2:]
        while command.endswith("\\"):
            command = command[:-1] + " " + lines[index].strip()
            index += 1
        expected = []
        while index < len(lines) and not lines[index].startswith("$ "):
            expected.append(lines[index].rstrip())
            index += 1
        while expected and not expected[-1]:
            expected.pop()
        commands.append((command, expected))
    return commands


CONSOLE = [(page, line, code) for page in PAGES for line, code in _blocks(page, "console")]


@pytest.mark.parametrize(
    ("page", "line", "code"),
    CONSOLE,
    ids=[f"{page.relative_to(DOCS)}:{line}" for page, line, _ in CONSOLE],
)
def test_console_examples_print_what_they_show(
    page: Path, line: int, code: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from lrschedule.cli import main

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COLUMNS", "100")
    commands = _console_commands(code)
    assert commands, f"{page}:{line}: a console block without a `$ lrschedule` command"
    for command, expected in commands:
        words = shlex.split(command, comments=True)
        assert words[0] == "lrschedule", f"{page}:{line}: only lrschedule commands are shown"
        output = io.StringIO()
        with contextlib.redirect_stdout(output):
            status = main(words[1:])
        assert status == 0, f"{page}:{line}: {command}"
        printed = [text.rstrip() for text in output.getvalue().splitlines()]
        if expected:
            assert printed == expected, f"{page}:{line}: {command}"


def test_every_schedule_has_a_page_with_its_api_entry_and_picture() -> None:
    for cls in _schedule_classes():
        name = cls.__name__
        page = DOCS / "schedules" / f"{name}.md"
        assert page.exists(), f"{name} has no page docs/schedules/{name}.md"
        text = page.read_text()
        entries = set(re.findall(r"^::: ([\w.]+)\s*$", text, re.MULTILINE))
        assert entries & _entries_for(f"lrschedule.{name}", cls), f"{page}: no API entry"
        if (DOCS / "gallery" / f"{name}.png").exists():  # the gallery's picture, if drawn
            assert f"(../gallery/{name}.png)" in text, f"{page}: no picture"
        assert f"schedules/{name}.md" in (ROOT / "mkdocs.yml").read_text()


def test_every_schedule_of_the_gallery_has_a_page() -> None:
    pictures = {path.stem for path in (DOCS / "gallery").glob("*.png")}
    assert pictures <= {cls.__name__ for cls in _schedule_classes()}
    # A plateau's level follows the metrics it observes, not the step: it has no picture.
    undrawn = {"LearningRateSchedule", "ReduceOnPlateau", "PlateauScaled"}
    assert pictures >= {
        name
        for name in lrschedule.__all__
        if isinstance(getattr(lrschedule, name), type) and name not in undrawn
    }, "every exported schedule is drawn in docs/gallery"


def test_every_public_name_has_an_api_entry() -> None:
    entries = _api_entries()
    missing = [path for path, value in _public_names() if not entries & _entries_for(path, value)]
    assert not missing, f"no `::: name` entry in docs/ for {missing}"


def test_every_page_is_in_the_navigation() -> None:
    nav = (ROOT / "mkdocs.yml").read_text()
    for page in PAGES:
        if page.parent.name == "hooks":
            continue
        assert str(page.relative_to(DOCS)) in nav, f"{page} is not in mkdocs.yml's nav"


def _extension() -> Any:
    sys.path.insert(0, str(DOCS / "hooks"))
    try:
        import griffe_declarations
    finally:
        sys.path.remove(str(DOCS / "hooks"))
    return griffe_declarations


def test_docstrings_become_markdown() -> None:
    markdown = _extension().markdown
    text = (
        "Ramp up (:class:`~lrschedule.Warmup`, :func:`lrschedule.serialize`)::\n"
        "\n"
        "    code\n"
        "\n"
        "    .. math::\n"
        "\n"
        "        \\eta(t) = v\n"
        "\n"
        "    ===== =======\n"
        "    shape weight\n"
        "    ===== =======\n"
        "    a     ``p``\n"
        "    b     ``1 - p``\n"
        "    ===== =======\n"
        "\n"
        "    Example:\n"
        "        >>> 1\n"
    )
    assert markdown(text) == (
        "Ramp up (``Warmup``, ``lrschedule.serialize``):\n"
        "\n"
        "    code\n"
        "\n"
        "    ```tex\n"
        "    \\eta(t) = v\n"
        "    ```\n"
        "\n"
        "    | shape | weight |\n"
        "    | --- | --- |\n"
        "    | a | ``p`` |\n"
        "    | b | ``1 - p`` |\n"
        "\n"
        "    Examples:\n"
        "        >>> 1\n"
    )


def test_the_site_shows_the_constructors_python_sees() -> None:
    import griffe

    declarations = _extension().ScheduleDeclarations
    package = griffe.load(
        "lrschedule",
        search_paths=[str(ROOT / "src")],
        extensions=griffe.load_extensions(declarations()),
    )
    for cls in _schedule_classes():
        name = cls.__name__
        signature = inspect.signature(cls)
        shown = package[cls.__module__.removeprefix("lrschedule.") + "." + name]
        shown = shown.members["__init__"].parameters
        assert [p.name for p in shown][1:] == list(signature.parameters), name
        for parameter in list(shown)[1:]:
            default = signature.parameters[parameter.name].default
            if default is inspect.Parameter.empty:
                assert parameter.default is None, (name, parameter.name)
            else:
                assert str(parameter.default) == repr(default), (name, parameter.name)


def test_the_gallery_pictures_exist_for_every_page_that_shows_one() -> None:
    for page in PAGES:
        for picture in re.findall(r"\]\((?:\.\./)*gallery/([\w-]+\.png)\)", page.read_text()):
            assert (DOCS / "gallery" / picture).exists(), f"{page}: {picture}"
