"""The long run's four targets: what each draws, and the test helper that checks it.

An input is a family and its arguments, drawn by ``generate.py``; :func:`run` hands them
to the helper of the target's test module (``test_fuzz_*.py``), with a ``check`` of the
contract (``sampling.check`` in the long run), so that the long run asserts exactly what
the short one does. The mix of families, per target:

* ``deserialize``: documents (``DOCUMENTS``) half the time, texts (``TEXTS``) the rest;
* ``load``: a file of JSON, TOML or bytes 19 times in 20, else a path that is not a file;
* ``spec``: a spec text (``SPECS``) twice in three, else the path of a spec file;
* ``cli``: one command line (``command_lines``).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from tests.fuzz import (
    generate,
    oracle,
    test_fuzz_cli,
    test_fuzz_deserialize,
    test_fuzz_load,
    test_fuzz_spec,
)
from tests.fuzz.draws import Draw
from tests.fuzz.warmup import warm_up

Input = tuple[Any, ...]  # (family, arguments...)
TARGETS = ["deserialize", "load", "spec", "cli"]
_MODULES = {
    "deserialize": test_fuzz_deserialize,
    "load": test_fuzz_load,
    "spec": test_fuzz_spec,
    "cli": test_fuzz_cli,
}
WARNINGS = ["ignore", "error", "record"]
COMMAND_WARNINGS = ["ignore", "error", "default"]


def set_up(target: str) -> str:
    """Warm up, make the target's files; returns its folder (inputs name paths in it)."""
    warm_up()
    module: Any = _MODULES[target]
    module.setup_module()
    return str(getattr(module, "FOLDER", ""))


def tear_down() -> None:
    """Remove the targets' folders."""
    for module in _MODULES.values():
        if hasattr(module, "teardown_module"):
            module.teardown_module()


def draw(target: str, d: Draw) -> Input:
    """One input of ``target``."""
    if target == "deserialize":
        if d.boolean():
            return ("document", generate.document(d), d.choice_of(WARNINGS))
        return ("text", generate.text(d), d.choice_of(WARNINGS))
    if target == "load":
        if d.one_in(20):
            return ("path", d.choice_of(test_fuzz_load.SPECIAL))
        return ("file", generate.file_name(d), generate.file_content(d), d.choice_of(WARNINGS))
    if target == "spec":
        if d.one_in(3):
            name, content = generate.file_name(d), generate.file_content(d)
            return ("spec-file", name, content, d.choice_of(WARNINGS))
        return ("spec", generate.spec(d), d.choice_of(WARNINGS))
    files, folder = test_fuzz_cli.FILES, test_fuzz_cli.FOLDER
    argv = generate.command_line(d, files, folder)
    return ("command", argv, d.choice_of(COMMAND_WARNINGS))


def run(item: Input, check: oracle.Check) -> None:
    """Check one input under the contract (an ``AssertionError`` or other error if not)."""
    family, *arguments = item
    helpers: dict[str, Callable[..., None]] = {
        "document": test_fuzz_deserialize._deserialize,
        "text": test_fuzz_deserialize._deserialize,
        "file": test_fuzz_load.load_file,
        "spec-file": test_fuzz_spec.parse_file,
        "spec": lambda text, mode, check: test_fuzz_spec._parse(text, len(text) + 1, mode, check),
        "command": test_fuzz_cli.run_command,
    }
    if family == "path":
        path = os.path.join(test_fuzz_load.FOLDER, arguments[0])
        test_fuzz_load._load(path, 1, "ignore", check)
    else:
        helpers[family](*arguments, check=check)
