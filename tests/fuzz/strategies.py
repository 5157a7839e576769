"""What the fuzz suite feeds the library: documents, texts, files, specs and command lines.

Most inputs look like real ones (the library's schedule names, their argument names,
plausible values), so that they reach the constructors and the commands; the rest is
odd (wrong types, huge numbers, NaN, strings where numbers go, unknown names), malformed
(JSON and calls cut, spliced and garbled), shared (one sub-document in many places, many
levels deep), deep (containers and schedules nested past the limits) or wide.
"""

from __future__ import annotations

import inspect
import json
import string
from typing import Any

from hypothesis import strategies as st

from lrschedule.core import registry

#: The library's schedule classes, by name, and their constructor's arguments.
CLASSES = {name: registry.library_class(name) or object for name in registry.library_names()}
ARGUMENTS = {name: list(inspect.signature(cls).parameters) for name, cls in CLASSES.items()}
COMPOSITES = ["Clip", "Join", "Scale", "Warmup"]

#: The plain vocabularies below are shared with the long run's generators (``generate.py``).
NAME_LIST = [
    *CLASSES,
    "LearningRateSchedule",
    "Schedule",
    "os.system",
    "__import__",
    "eval",
    "exponentialdecay",
    "",
]
KEY_LIST = [
    "module",
    "class_name",
    "config",
    "registered_name",
    *sorted({a for names in ARGUMENTS.values() for a in names}),
    "__class__",
    "__init__",
]
ODD_NUMBER_LIST = [
    0, -1, 2**63, 2**70, 10**400, -(2**4000), 1e308, -1e308, 5e-324, -0.0, 1e16, 2**53 + 1
]  # fmt: skip
CHOICE_LIST = ["linear", "cosine", "cos", "constant", "triangular", "triangular2", "exp_range", "x"]
MODULE_LIST = ["keras.optimizers.schedules", "lrschedule", None, "os", ""]
NAMES = st.sampled_from(NAME_LIST)
KEYS = st.one_of(st.sampled_from(KEY_LIST), st.text(max_size=8))
ODD_NUMBERS = st.sampled_from(ODD_NUMBER_LIST)
LEAVES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    ODD_NUMBERS,
    st.floats(),  # NaN and infinities included
    st.text(max_size=10),
    NAMES,
)


def json_like(leaves: st.SearchStrategy[Any], max_leaves: int = 20) -> st.SearchStrategy[Any]:
    return st.recursive(
        leaves,
        lambda children: st.one_of(
            st.lists(children, max_size=4),
            st.lists(children, max_size=3).map(tuple),
            st.dictionaries(KEYS, children, max_size=5),
        ),
        max_leaves=max_leaves,
    )


VALUES = json_like(LEAVES)
RATES = st.one_of(st.floats(0.0, 1.0), st.sampled_from([0, 1, 0.1, 1e-3]))
STEPS = st.one_of(st.integers(1, 10**6), st.sampled_from([1, 10, 100, 1000, 10**12, 1e3]))
FACTORS = st.one_of(st.floats(0.01, 3.0), st.sampled_from([0.5, 1.0, 1.0000001, 2.0]))
CHOICES = st.sampled_from(CHOICE_LIST)


def increasing(max_size: int = 12) -> st.SearchStrategy[list[int]]:
    return st.lists(st.integers(1, 10**6), max_size=max_size, unique=True).map(sorted)


def plausible(argument: str) -> st.SearchStrategy[Any]:
    """Values that a library constructor may accept for ``argument``."""
    if argument in ("schedule",):
        return st.deferred(lambda: envelopes(depth=2))
    if argument == "schedules":
        return st.lists(st.deferred(lambda: envelopes(depth=2)), min_size=1, max_size=3)
    if argument in ("boundaries", "milestones"):
        return increasing()
    if argument == "values":
        return st.lists(RATES, min_size=1, max_size=13)
    if argument.endswith("steps") or argument.startswith("step_size"):
        return STEPS
    if argument in ("staircase", "cycle", "three_phase"):
        return st.booleans()
    if argument in ("mode", "interpolation", "anneal_strategy", "shape") or argument.endswith(
        "_shape"
    ):
        return CHOICES
    if argument == "name":
        return st.one_of(st.none(), st.text(max_size=12))
    if argument in ("decay_rate", "gamma", "t_mul", "m_mul", "power", "exponent", "factor"):
        return FACTORS
    if argument in ("div_factor", "final_div_factor"):
        return st.floats(1.0, 1e4)
    if argument == "pct_start":
        return st.floats(0.0, 1.0)
    return RATES


@st.composite
def envelopes(draw: st.DrawFn, depth: int = 0) -> dict[Any, Any]:
    """A document that looks like a schedule: mostly a known name and a plausible config."""

    def one_in(n: int) -> bool:
        return draw(st.integers(0, n - 1)) == 0

    document: dict[Any, Any] = {}
    pool = [name for name in CLASSES if depth < 2 or name not in COMPOSITES]
    name = draw(st.sampled_from(pool)) if not one_in(12) else draw(st.one_of(NAMES, LEAVES))
    if not one_in(30):
        document["class_name"] = name
    if not one_in(30):
        if one_in(15):
            document["config"] = draw(VALUES)
        else:
            config: dict[Any, Any] = {}
            for argument in ARGUMENTS.get(name, []) if isinstance(name, str) else []:
                if one_in(6):
                    continue  # left out: a default, or a missing required key
                odd = one_in(10)
                config[argument] = draw(st.one_of(LEAVES, VALUES) if odd else plausible(argument))
            if one_in(10):
                config[draw(KEYS)] = draw(VALUES)
            document["config"] = config
    if one_in(4):
        document["module"] = draw(st.sampled_from(MODULE_LIST))
    if one_in(4):
        document["registered_name"] = draw(
            st.one_of(st.none(), st.just(f"lrschedule>{name}"), st.text(max_size=6), LEAVES)
        )
    if one_in(25):
        document[draw(KEYS)] = draw(VALUES)
    return document


@st.composite
def shared(draw: st.DrawFn) -> dict[str, Any]:
    """A document holding one sub-document in many places, many levels deep."""
    node = draw(envelopes(depth=2))
    for _ in range(draw(st.integers(1, 40))):
        kind = draw(st.sampled_from(COMPOSITES))
        if kind == "Join":
            count = draw(st.integers(1, 4))
            boundaries = list(range(10, 10 * count, 10))
            config: dict[str, Any] = {"schedules": [node] * count, "boundaries": boundaries}
        elif kind == "Scale":
            config = {"schedule": node, "factor": 0.5}
        elif kind == "Clip":
            config = {"schedule": node, "maximum": 1.0}
        else:
            config = {"schedule": node, "warmup_steps": 5}
        node = {"class_name": kind, "config": config}
    return node


def deep_value(depth: int) -> Any:
    value: Any = 0.1
    for _ in range(depth):
        value = [value]
    return value


@st.composite
def large(draw: st.DrawFn) -> dict[str, Any]:
    """A document deep or wide: nested past the limits, or with long lists."""
    kind = draw(st.sampled_from(["deep-value", "deep-schedules", "wide", "long-string"]))
    if kind == "deep-value":
        depth = draw(st.one_of(st.integers(90, 110), st.integers(900, 5000)))
        return {"class_name": "Constant", "config": {"value": deep_value(depth)}}
    if kind == "deep-schedules":
        node: dict[str, Any] = {"class_name": "Constant", "config": {"value": 0.1}}
        for _ in range(draw(st.integers(25, 40))):
            node = {"class_name": "Scale", "config": {"schedule": node, "factor": 0.9}}
        return node
    if kind == "wide":
        count = draw(st.integers(100, 5000))
        return {
            "class_name": draw(st.sampled_from(["PiecewiseConstantDecay", "MultiStepDecay"])),
            "config": {
                "boundaries": list(range(1, count + 1)),
                "values": [0.5] * (count + draw(st.integers(0, 1))),
            },
        }
    return {
        "class_name": "Constant",
        "config": {"value": 0.1, "name": "x" * draw(st.integers(1000, 100_000))},
    }


DOCUMENTS = st.one_of(envelopes(), envelopes(), envelopes(), VALUES, shared(), large(), st.just({}))


@st.composite
def garbled(draw: st.DrawFn, text: str) -> str:
    """``text`` cut, spliced, or with characters inserted or removed."""
    for _ in range(draw(st.integers(0, 3))):
        if not text:
            break
        at = draw(st.integers(0, len(text)))
        change = draw(st.sampled_from(["cut", "insert", "delete", "repeat"]))
        if change == "cut":
            text = text[:at]
        elif change == "insert":
            text = text[:at] + draw(st.text(alphabet=JSON_CHARACTERS, max_size=4)) + text[at:]
        elif change == "delete":
            text = text[:at] + text[at + 1 :]
        else:
            text = text[:at] * draw(st.integers(1, 3)) + text[at:]
    return text


JSON_CHARACTERS = '{}[]":,0123456789.eE-+ntrufalsNIiy \\u\n'


@st.composite
def json_texts(draw: st.DrawFn) -> str:
    """JSON text of a tree document (no sharing: JSON writes every copy), often garbled."""
    document = draw(st.one_of(envelopes(), VALUES, large()))
    try:
        text = json.dumps(document)
    except (TypeError, ValueError, RecursionError):  # a value JSON cannot hold, or too deep
        text = "{}"
    if draw(st.integers(0, 2)) == 0:
        text = draw(garbled(text))
    return text


TEXTS = st.one_of(
    json_texts(),
    json_texts(),
    st.text(alphabet=JSON_CHARACTERS, max_size=60),
    st.text(max_size=40),
    st.integers(1, 5000).map(lambda n: "[" * n + "]" * n),
    st.integers(1, 5000).map(lambda n: '{"a":' * n + "1" + "}" * n),
)


# ---------------------------------------------------------------------------- specs
def render(value: Any) -> str:
    """``value`` as a literal of a constructor call (a dict envelope as a nested call)."""
    if isinstance(value, dict) and isinstance(value.get("class_name"), str):
        config = value.get("config")
        if isinstance(config, dict) and all(isinstance(k, str) for k in config):
            name = value["class_name"]
            if name.isidentifier():
                arguments = ", ".join(
                    f"{k}={render(v)}" for k, v in config.items() if k.isidentifier()
                )
                return f"{name}({arguments})"
    if isinstance(value, dict):
        items = ", ".join(f"{render(k)}: {render(v)}" for k, v in value.items())
        return "{" + items + "}"
    if isinstance(value, list):
        return "[" + ", ".join(render(v) for v in value) + "]"
    if isinstance(value, tuple):
        return "(" + "".join(render(v) + ", " for v in value) + ")"
    if isinstance(value, float) and value != value:
        return "nan"
    if isinstance(value, float) and value in (float("inf"), float("-inf")):
        return "1e999" if value > 0 else "-1e999"
    return repr(value)


SPEC_NOISE_LIST = [
    "'\\N{BULLET}'",
    "'\\N{DIGIT ONE}'",
    "r'\\N{BULLET}'",
    "'\\\\N{BULLET}'",
    "b'\\N{x}'",
    "f'{1}'",
    "Cosíne",
    "é",
    "__import__('os').system('true')",
    "open('x', 'w')",
    "lambda: 0",
    "[x for x in ()]",
    "1 + 2",
    "10 ** 400",
    "*[1]",
    "**{}",
    "os.system",
    "'\\x00'",
    "'\\d'",
    "1" * 5000,
    "0x" + "f" * 100,
    "(",
    ")",
    "#",
    "'''",
    "\\",
    "\x00",
    "\n",
]
SPEC_NOISE = st.sampled_from(SPEC_NOISE_LIST)


@st.composite
def call_texts(draw: st.DrawFn) -> str:
    """A constructor call, as ``repr`` writes one, often with something odd spliced in."""
    text = render(draw(envelopes()))
    for _ in range(draw(st.integers(0, 2))):
        at = draw(st.integers(0, len(text)))
        text = text[:at] + draw(SPEC_NOISE) + text[at:]
    return text


SPECS = st.one_of(
    call_texts(),
    call_texts(),
    call_texts(),
    json_texts().filter(lambda text: text.lstrip().startswith("{")),
    st.text(alphabet=string.printable, max_size=40),
    st.text(max_size=20),
    st.integers(1, 300).map(lambda n: "Scale(" * n + "Constant(0.1)" + ", 2)" * n),
    st.integers(1, 3000).map(lambda n: "Constant(" + "[" * n + "]" * n + ")"),
)


# ---------------------------------------------------------------------------- files
FILE_NAME_LIST = ["s.json", "s.toml", "S.JSON", "s.TOML", "s.txt", "s", "s.json.bak"]
ODD_FILE_LIST = [b"\xef\xbb\xbf{}", b"\xff\xfe{", b"{\x00}", b"", b"\r\n{}\r\n"]
FILE_NAMES = st.sampled_from(FILE_NAME_LIST)


@st.composite
def toml_texts(draw: st.DrawFn) -> str:
    """TOML text, as ``save`` writes it for a plausible schedule, or odd TOML."""
    choice = draw(st.integers(0, 3))
    if choice == 0:
        rate = draw(RATES)
        return f'class_name = "Constant"\nnull_keys = ["name"]\n\n[config]\nvalue = {rate!r}\n'
    if choice == 1:
        depth = draw(st.integers(1, 3000))
        return "x = " + "[" * depth + "]" * depth + "\n"
    if choice == 2:
        name = draw(st.sampled_from(list(CLASSES)))
        keys = "\n".join(f"{a} = 1" for a in ARGUMENTS[name])
        return f'class_name = "{name}"\n\n[config]\n{keys}\n'
    return draw(st.text(alphabet='[]={}"., \nabcxyz0123456789_-#', max_size=80))


FILE_CONTENTS = st.one_of(
    json_texts().map(str.encode),
    toml_texts().map(str.encode),
    st.binary(max_size=64),
    st.sampled_from(ODD_FILE_LIST),
)


# ---------------------------------------------------------------------------- command lines
#: Odd ``--steps`` values, and the run each means (1 where the command refuses it).
ODD_STEPS = [
    ("10**3", 1),
    ("0", 1),
    ("-1", 1),
    ("1.5", 1),
    ("nan", 1),
    ("", 1),
    ("1_000", 1000),
    ("1,000", 1000),
    ("1e12", 10**12),
]


@st.composite
def command_lines(draw: st.DrawFn, spec_files: list[str], out_dir: str) -> list[str]:
    """An ``lrschedule`` command line: a subcommand, specs and options, mostly plausible.

    A table prints at most a few hundred rows (``--every`` is drawn from ``--steps``), and
    a chart is drawn to a file in ``out_dir`` now and then.
    """
    argv: list[str] = []
    command = draw(st.sampled_from(["table", "table", "describe", "describe", "plot", None, "x"]))
    if command is not None:
        argv.append(command)
    specs = st.one_of(SPECS, st.sampled_from(spec_files)) if spec_files else SPECS
    for _ in range(draw(st.integers(0, 2 if command == "plot" else 1))):
        argv.append(draw(specs))
    steps = draw(st.one_of(st.integers(1, 10**6), st.sampled_from([10**9, 10**12])))
    if draw(st.integers(0, 5)):
        text = str(steps)
        if draw(st.integers(0, 9)) == 0:  # odd spellings, and what each one means
            text, steps = draw(st.sampled_from(ODD_STEPS))
        argv += ["--steps", text]
    else:
        steps = 10**6  # the default run
    every = max(1, steps // draw(st.integers(1, 300)))
    options = [
        ["--every", str(every)],
        ["--every", "0"],
        ["--points", str(draw(st.integers(1, 300)))],
        ["--format", draw(st.sampled_from(["text", "csv", "json", "markdown", "yaml"]))],
        ["--log"],
        ["--steps-per-epoch", draw(st.sampled_from(["100", "0", "7"]))],
        ["--label", draw(st.text(max_size=8))],
        ["--size", draw(st.sampled_from(["64x32", "8x4", "800", "16x16"]))],
        ["--max-breakpoints", draw(st.sampled_from(["0", "3", "-1", "100"]))],
        ["--out", f"{out_dir}/chart{draw(st.sampled_from(['.svg', '.png', '.jpg', '']))}"],
        ["--help"],
        ["--version"],
        ["--nope"],
    ]
    chosen = draw(st.lists(st.integers(0, len(options) - 1), max_size=3))
    for index in chosen:
        if options[index][0] == "--out" and draw(st.integers(0, 9)):
            continue  # a chart file now and then: drawing one is slow
        argv += options[index]
    return argv
