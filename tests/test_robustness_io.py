"""Untrusted input (documents, files, specs, command lines) against the contract.

Every bad input is a documented error (``ValueError``/``TypeError``, ``SpecError`` for specs;
one line and exit status 2 for the command), nothing is imported or run, and the work is
linear in the input's size: shared sub-documents are built once, the nesting check walks
each node once, and documents, texts and files have documented size limits. The work is
counted (constructor calls, dict accesses), never timed.
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import os
import subprocess
import sys
import textwrap
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import lrschedule
from lrschedule import (
    ExponentialDecay,
    Join,
    LearningRateSchedule,
    deserialize,
    load,
    save,
    serialize,
)
from lrschedule.cli import main
from lrschedule.cli.spec import SpecError, parse_spec
from lrschedule.serialization import (
    MAX_DEPTH,
    MAX_ELEMENTS,
    MAX_NESTING,
    MAX_TEXT_LENGTH,
)

PACKAGE = "robustness"
#: How many times each test class was constructed, by class name.
constructed: dict[str, int] = {}


@lrschedule.register(package=PACKAGE)
class Pair(LearningRateSchedule):
    """A composite of two schedules, written the Keras way: children pass through deserialize."""

    def __init__(self, first: Any, second: Any, switch: int = 10) -> None:
        constructed["Pair"] = constructed.get("Pair", 0) + 1
        self.first = deserialize(first)
        self.second = deserialize(second)
        self.switch = switch

    def __call__(self, step: Any) -> Any:
        return self.first(step) if step < self.switch else self.second(step - self.switch)

    def get_config(self) -> dict[str, Any]:
        return {
            "first": serialize(self.first),
            "second": serialize(self.second),
            "switch": self.switch,
        }


@lrschedule.register(package=PACKAGE)
class Box(LearningRateSchedule):
    """Holds any JSON value; a constant rate."""

    def __init__(self, value: Any = None) -> None:
        constructed["Box"] = constructed.get("Box", 0) + 1
        self.value = value

    def __call__(self, step: Any) -> Any:
        return 0.5

    def get_config(self) -> dict[str, Any]:
        return {"value": self.value}


@lrschedule.register(package=PACKAGE)
class Boom(LearningRateSchedule):
    """A schedule whose constructor raises the exception ``kind`` names."""

    def __init__(self, kind: str = "OverflowError") -> None:
        error: BaseException
        if kind == "OverflowError":
            error = OverflowError(34, "Numerical result out of range")
        elif kind == "RecursionError":
            error = RecursionError("maximum recursion depth exceeded")
        elif kind == "MemoryError":
            error = MemoryError()
        elif kind == "ZeroDivisionError":
            error = ZeroDivisionError("division by zero")
        else:
            error = KeyError(kind)
        raise error

    def __call__(self, step: Any) -> Any:  # pragma: no cover - never built
        return 0.0

    def get_config(self) -> dict[str, Any]:  # pragma: no cover - never built
        return {}


def envelope(class_name: str, **config: Any) -> dict[str, Any]:
    return {
        "class_name": class_name,
        "registered_name": f"{PACKAGE}>{class_name}",
        "config": config,
    }


def run(argv: list[str]) -> tuple[int, str, str]:
    """``main(argv)`` in-process: (exit status, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    return code, out.getvalue(), err.getvalue()


def assert_one_line_error(argv: list[str], *expected: str) -> str:
    code, out, err = run(argv)
    assert (code, out) == (2, ""), err
    assert err.count("\n") == 1 and err.endswith("\n"), err
    assert err.startswith(f"lrschedule {argv[0]}: error: "), err
    for part in expected:
        assert part in err, err
    return err


def spec_error(text: str) -> str:
    with pytest.raises(SpecError) as caught:
        parse_spec(text)
    return str(caught.value)


@contextlib.contextmanager
def int_digits_limit(limit: int) -> Iterator[None]:
    """Python's limit on the digits of an int read from text, for a test (the default)."""
    before = sys.get_int_max_str_digits()
    sys.set_int_max_str_digits(limit)
    try:
        yield
    finally:
        sys.set_int_max_str_digits(before)


def fresh_python(code: str, *args: str, timeout: int = 120) -> subprocess.CompletedProcess[str]:
    """``code`` run by a fresh interpreter with this checkout's sources first on the path.

    ``timeout`` only stops a run that hangs (a failure either way), it measures nothing.
    """
    source = str(Path(lrschedule.__file__).parents[1])
    env = {**os.environ, "PYTHONPATH": source + os.pathsep + os.environ.get("PYTHONPATH", "")}
    return subprocess.run(
        [sys.executable, *args, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
        check=False,
    )


# ------------------------------------------------------------ 1. specs: raw Python errors
def test_a_json_spec_nested_thousands_deep_is_a_spec_error() -> None:
    deep = '{"a":' * 3000 + "1" + "}" * 3000
    assert "nested too deeply" in spec_error(deep)
    assert_one_line_error(["table", deep, "--steps", "10"], "bad schedule", "nested too deeply")
    inside = '{"class_name": "Constant", "config": {"value": ' + "[" * 3000 + "]" * 3000 + "}}"
    assert "nested too deeply" in spec_error(inside)


@pytest.mark.parametrize(
    ("kind", "shown"),
    [
        ("OverflowError", "OverflowError: Numerical result out of range"),
        ("RecursionError", "RecursionError: maximum recursion depth exceeded"),
        ("MemoryError", "MemoryError"),
        ("ZeroDivisionError", "ZeroDivisionError: division by zero"),
        ("KeyError", "KeyError: 'KeyError'"),
    ],
)
def test_a_constructor_raising_anything_else_is_a_spec_error(kind: str, shown: str) -> None:
    call = f"Boom({kind!r})"
    message = spec_error(call)
    assert message == f"`{call}` (column 1) is not a valid schedule: {shown}"
    nested = f"Warmup(Boom({kind!r}), 5)"
    assert spec_error(nested) == f"`{call}` (column 8) is not a valid schedule: {shown}"
    as_json = json.dumps(
        {
            "class_name": "Warmup",
            "config": {"schedule": envelope("Boom", kind=kind), "warmup_steps": 5},
        }
    )
    assert "Cannot deserialize Warmup > Boom" in spec_error(as_json)
    for text in (call, nested, as_json):
        assert_one_line_error(["describe", text, "--steps", "10"], "bad schedule: ")


def test_an_overflowing_config_is_one_line_naming_the_schedule() -> None:
    # Whatever the constructor raises for it, the command names the spec it could not build.
    assert_one_line_error(
        ["table", "MultiStepDecay(0.1, [1, 2], 1e308)", "--steps", "10"],
        "bad schedule: `MultiStepDecay(0.1, [1, 2], 1e308)` (column 1) is not a valid schedule: ",
    )


def test_integers_too_long_to_read_are_spec_errors() -> None:
    digits = "1" * 5000
    as_json = (
        '{"class_name": "ExponentialDecay", "config": {"initial_learning_rate": 0.1, '
        f'"decay_steps": {digits}, "decay_rate": 0.5}}}}'
    )
    with int_digits_limit(4300):
        assert "the schedule spec is not valid JSON" in spec_error(as_json)
        assert "the schedule spec" in spec_error(f"ExponentialDecay(0.1, {digits}, 0.5)")
        assert_one_line_error(["table", as_json, "--steps", "10"], "bad schedule: ")
        with pytest.raises(ValueError, match="is not valid JSON"):
            deserialize(as_json)


# ------------------------------------------------------------ 2. shared references
def shared_pairs(levels: int) -> dict[str, Any]:
    """``levels`` Pairs, each holding the one below twice (the same dict object)."""
    node: dict[str, Any] = serialize(ExponentialDecay(0.1, 10, 0.5))
    for _ in range(levels):
        node = envelope("Pair", first=node, second=node, switch=10)
    return node


def test_shared_sub_documents_are_built_once() -> None:
    levels = 24  # 2**24 paths through the document, 24 distinct Pairs
    constructed.clear()
    schedule = deserialize(shared_pairs(levels))
    assert constructed == {"Pair": levels}
    assert schedule.first is schedule.second  # the shared node's schedule, reused

    def expected(step: int) -> float:  # each Pair passes steps below 10 on, else step - 10
        for _ in range(levels):
            step = step if step < 10 else step - 10
        return 0.1 * 0.5 ** (step / 10)

    for step in (0, 9, 10, 35, 239, 240, 1000):
        assert math.isclose(schedule(step), expected(step), rel_tol=1e-12), step


def test_shared_library_composites_are_built_once() -> None:
    levels = 24
    built = []

    class CountingJoin(Join):
        def __init__(self, schedules: Any, boundaries: Any, name: str | None = "Join") -> None:
            built.append(1)
            super().__init__(schedules, boundaries, name)

    node: dict[str, Any] = serialize(ExponentialDecay(0.1, 10, 0.5))
    for _ in range(levels):
        node = {"class_name": "Join", "config": {"schedules": [node, node], "boundaries": [10]}}
    schedule = deserialize(node, custom_objects={"Join": CountingJoin})
    assert len(built) == levels
    assert math.isclose(schedule(5), 0.1 * 0.5**0.5, rel_tol=1e-12)


def test_sharing_keeps_the_depth_limit() -> None:
    # The shared node is first built near the top; reused deeper, the chain is too deep.
    leaf = envelope("Box", value=1)
    shallow = leaf
    for _ in range(3):
        shallow = envelope("Pair", first=shallow, second=leaf)
    deep: dict[str, Any] = envelope("Pair", first=shallow, second=leaf)
    for _ in range(MAX_DEPTH - 4):
        deep = envelope("Pair", first=leaf, second=deep)
    root = envelope("Pair", first=shallow, second=deep)
    with pytest.raises(ValueError, match=f"schedules are nested more than {MAX_DEPTH} deep"):
        deserialize(root)
    deserialize(envelope("Pair", first=shallow, second=shallow))  # shallow enough


#: How often each CountingDict was read, by id.
reads: dict[int, int] = {}


class CountingDict(dict):  # type: ignore[type-arg]
    """A dict that counts how often it is read (iterated, or its keys, values or items)."""

    def _read(self) -> None:
        reads[id(self)] = reads.get(id(self), 0) + 1

    def __iter__(self) -> Any:
        self._read()
        return super().__iter__()

    def keys(self) -> Any:
        self._read()
        return super().keys()

    def values(self) -> Any:
        self._read()
        return super().values()

    def items(self) -> Any:
        self._read()
        return super().items()


def test_the_nesting_check_reads_each_node_a_bounded_number_of_times() -> None:
    # MAX_DEPTH schedules and MAX_NESTING containers deep: MAX_DEPTH - 1 Pairs around a Box
    # holding nested lists. Every dict sits under all the schedules above it.
    value: Any = 1
    for _ in range(MAX_NESTING - 2 * MAX_DEPTH):
        value = [value]
    node = CountingDict(envelope("Box"), config=CountingDict(value=value))
    envelopes, configs = [node], [node["config"]]
    for _ in range(MAX_DEPTH - 1):
        config = CountingDict(first=node, second=envelope("Box"), switch=10)
        node = CountingDict(envelope("Pair"), config=config)
        envelopes.append(node)
        configs.append(config)
    reads.clear()
    assert deserialize(node)(0) == 0.5
    envelope_reads = {reads.get(id(d), 0) for d in envelopes}
    config_reads = {reads.get(id(d), 0) for d in configs[1:]}
    # A constant number of reads per node (the walk, the envelope, the keys), the same at
    # every depth: not one more walk for every schedule above it.
    assert len(envelope_reads) == 1 and len(config_reads) == 1, (envelope_reads, config_reads)
    assert max(envelope_reads | config_reads) <= 8


# ------------------------------------------------------------ 3. size limits
def test_documents_hold_at_most_max_elements_values() -> None:
    constructed.clear()
    with pytest.raises(ValueError, match=f"more than {MAX_ELEMENTS:,} values") as caught:
        deserialize(envelope("Box", value=[0] * MAX_ELEMENTS))
    assert "MAX_ELEMENTS" in str(caught.value)
    assert constructed == {}  # refused before anything is built
    assert deserialize(envelope("Box", value=[0] * (MAX_ELEMENTS - 10))) is not None
    with pytest.raises(ValueError, match=f"more than {MAX_ELEMENTS:,} values"):
        serialize(Box([0] * MAX_ELEMENTS))


def test_shared_plain_values_count_where_they_appear_shared_schedules_once() -> None:
    row = [0.5] * 1000
    constructed.clear()
    with pytest.raises(ValueError, match=f"more than {MAX_ELEMENTS:,} values"):
        deserialize(envelope("Box", value=[row] * 1001))
    assert constructed == {}
    # 2**24 paths, but 25 distinct schedules: far below the limit.
    assert deserialize(shared_pairs(24)) is not None


def test_texts_and_files_are_at_most_max_text_length(tmp_path: Path) -> None:
    text = "{" + " " * (MAX_TEXT_LENGTH - 2) + "}"
    with pytest.raises(ValueError, match="class_name"):
        deserialize(text)  # at the limit: read, then refused for what it holds
    longer = text[:-1] + " }"
    with pytest.raises(ValueError, match=f"at most {MAX_TEXT_LENGTH:,}") as caught:
        deserialize(longer)
    assert "MAX_TEXT_LENGTH" in str(caught.value)
    assert spec_error(longer) == (
        f"the schedule spec is too long ({MAX_TEXT_LENGTH + 1:,} characters; "
        f"at most {MAX_TEXT_LENGTH:,} for JSON)"
    )
    for suffix in (".json", ".toml"):
        big = tmp_path / f"big{suffix}"
        with big.open("wb") as file:
            file.truncate(MAX_TEXT_LENGTH + 1)  # sparse: refused before it is read
        with pytest.raises(ValueError, match=f"at most {MAX_TEXT_LENGTH:,}"):
            load(big)


# ------------------------------------------------------------ 4. files and warnings
@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are POSIX")
def test_load_refuses_a_fifo_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "schedule.json"
    os.mkfifo(fifo)
    code = f"""
        from lrschedule import load
        try:
            load({str(fifo)!r})
        except ValueError as error:
            print(error)
        """
    loaded = fresh_python(code, timeout=60)
    assert loaded.returncode == 0, loaded.stderr
    assert loaded.stdout == (
        f"Cannot read the schedule file {str(fifo)!r}: it is not a regular file "
        "(a FIFO, a device or a socket).\n"
    )
    command = fresh_python(
        f"from lrschedule.cli import main; raise SystemExit(main(['table', {str(fifo)!r}, '--steps', '5']))",
        timeout=60,
    )
    assert (command.returncode, command.stdout) == (2, "")
    assert command.stderr.count("\n") == 1 and "is not a regular file" in command.stderr


def test_load_refuses_a_device(tmp_path: Path) -> None:
    if not os.path.exists(os.devnull) or os.name != "posix":
        pytest.skip("needs a POSIX device file")
    device = tmp_path / "device.json"
    device.symlink_to(os.devnull)
    with pytest.raises(ValueError, match="is not a regular file"):
        load(device)
    folder = tmp_path / "folder.json"
    folder.mkdir()
    with pytest.raises(
        ValueError, match=f"Cannot read the schedule file {str(folder)!r}: .*Is a directory"
    ):
        load(folder)


def test_files_still_read_back(tmp_path: Path) -> None:
    schedule = Pair(ExponentialDecay(0.1, 10, 0.5), Box([1, "two", None]))
    for suffix in (".json", ".toml"):
        path = tmp_path / f"s{suffix}"
        if suffix == ".toml":
            schedule = Pair(ExponentialDecay(0.1, 10, 0.5), Box([1, "two"]))
        save(schedule, path)
        assert serialize(load(path)) == json.loads(json.dumps(serialize(schedule)))


WARNING_SPECS = [
    (
        "CosineDecay(0.1, 100, warmup_steps=5)",
        "CosineDecay: `warmup_steps`=5 is ignored because `warmup_target` is None",
    ),
    (
        "CyclicalLearningRate(0.001, 0.006, step_size_up=20, gamma=0.5)",
        "CyclicalLearningRate: `gamma`=0.5 is ignored with mode='triangular'",
    ),
]


@pytest.mark.parametrize(("spec", "text"), WARNING_SPECS)
def test_warnings_are_one_line_notes(spec: str, text: str) -> None:
    for argv in (["table", spec, "--steps", "10"], ["describe", spec, "--steps", "10"]):
        code, out, err = run(argv)
        assert code == 0 and out
        assert err.count("\n") == 1 and err.startswith(f"lrschedule {argv[0]}: warning: {text}")


@pytest.mark.parametrize(("spec", "text"), WARNING_SPECS)
def test_warnings_as_errors_are_one_line_errors(spec: str, text: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert_one_line_error(["table", spec, "--steps", "10"], "bad schedule: ", text)
        as_json = json.dumps(serialize(parse_spec_quietly(spec)))
        assert_one_line_error(["table", as_json, "--steps", "10"], "bad schedule: ", text)
    command = fresh_python(
        f"from lrschedule.cli import main; raise SystemExit(main(['table', {spec!r}, '--steps', '10']))",
        "-W",
        "error",
    )
    assert (command.returncode, command.stdout) == (2, ""), command.stderr
    assert command.stderr.count("\n") == 1 and text in command.stderr


def parse_spec_quietly(spec: str) -> LearningRateSchedule:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return parse_spec(spec)


def test_named_unicode_escapes_are_refused_and_import_nothing() -> None:
    message = spec_error("ExponentialDecay(0.1, 10, 0.5, name='\\N{BULLET}')")
    assert message.startswith("`\\N{BULLET}` (column 38) is not allowed in a schedule spec")
    # An escaped backslash before N is a backslash and an N, not an escape.
    assert parse_spec("ExponentialDecay(0.1, 10, 0.5, name='\\\\N{BULLET}')").name == "\\N{BULLET}"
    checked = fresh_python(
        """
        import sys
        from lrschedule.cli.spec import SpecError, parse_spec
        parse_spec("ExponentialDecay(0.1, 10, 0.5)")
        before = set(sys.modules)
        for text in ["ExponentialDecay(0.1, 10, 0.5, name='\\\\N{BULLET}')",
                     "ExponentialDecay(0.1, 10, 0.5, name='\\\\N{DIGIT ONE}x')",
                     "Nope('\\\\N{BULLET}')"]:
            try:
                parse_spec(text)
            except SpecError as error:
                print(error)
        print(sorted(set(sys.modules) - before))
        """
    )
    assert checked.returncode == 0, checked.stderr
    lines = checked.stdout.splitlines()
    assert len(lines) == 4 and lines[-1] == "[]", lines
    assert all("is not allowed in a schedule spec" in line for line in lines[:3])
