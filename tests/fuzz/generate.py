"""The long run's inputs: the shapes of ``strategies.py``, drawn with :class:`Draw`.

Each function mirrors the strategy of the same name in ``strategies.py`` (same
vocabularies, same families, same odd values), drawn from a seeded :class:`random.Random`
instead of Hypothesis, which costs a few milliseconds an input. Sizes lean small (see
:meth:`Draw.integer`), so the deep, wide and long inputs are drawn, at the ends of their
ranges too, without taking most of the run.
"""

from __future__ import annotations

import json
import string
from typing import Any

from tests.fuzz import strategies as vocabulary
from tests.fuzz.draws import Draw
from tests.fuzz.strategies import (
    ARGUMENTS,
    CLASSES,
    COMPOSITES,
    JSON_CHARACTERS,
    ODD_STEPS,
    deep_value,
    render,
)

STEP_LIST = [1, 10, 100, 1000, 10**12, 1e3]
FACTOR_LIST = [0.5, 1.0, 1.0000001, 2.0]
RATE_LIST = [0, 1, 0.1, 1e-3]


def leaf(d: Draw) -> Any:
    """``LEAVES``: None, booleans, integers, odd numbers, floats, short text, names."""
    kind = d.randrange(7)
    if kind == 0:
        return None
    if kind == 1:
        return d.boolean()
    if kind == 2:
        return d.any_integer()
    if kind == 3:
        return d.choice_of(vocabulary.ODD_NUMBER_LIST)
    if kind == 4:
        return d.any_float()
    if kind == 5:
        return d.text(10)
    return d.choice_of(vocabulary.NAME_LIST)


def key(d: Draw) -> Any:
    return d.choice_of(vocabulary.KEY_LIST) if d.boolean() else d.text(8)


def value(d: Draw, max_leaves: int = 20) -> Any:
    """``VALUES``: JSON-like trees of lists, tuples and dicts over :func:`leaf`."""
    budget = [d.integer(1, max_leaves)]

    def node(depth: int) -> Any:
        if budget[0] <= 1 or d.random() < 0.4 + 0.1 * depth:
            budget[0] -= 1
            return leaf(d)
        kind = d.randrange(3)
        if kind == 0:
            return [node(depth + 1) for _ in range(d.integer(0, 4))]
        if kind == 1:
            return tuple(node(depth + 1) for _ in range(d.integer(0, 3)))
        return {key(d): node(depth + 1) for _ in range(d.integer(0, 5))}

    return node(0)


def rate(d: Draw) -> Any:
    return d.float_in(0.0, 1.0) if d.boolean() else d.choice_of(RATE_LIST)


def increasing(d: Draw, max_size: int = 12) -> list[int]:
    return sorted({d.integer(1, 10**6) for _ in range(d.integer(0, max_size))})


def plausible(d: Draw, argument: str) -> Any:
    """Values that a library constructor may accept for ``argument``."""
    if argument == "schedule":
        return envelope(d, depth=2)
    if argument == "schedules":
        return [envelope(d, depth=2) for _ in range(d.integer(1, 3))]
    if argument in ("boundaries", "milestones"):
        return increasing(d)
    if argument == "values":
        return [rate(d) for _ in range(d.integer(1, 13))]
    if argument.endswith("steps") or argument.startswith("step_size"):
        return d.integer(1, 10**6) if d.boolean() else d.choice_of(STEP_LIST)
    if argument in ("staircase", "cycle", "three_phase"):
        return d.boolean()
    if argument in ("mode", "interpolation", "anneal_strategy", "shape") or argument.endswith(
        "_shape"
    ):
        return d.choice_of(vocabulary.CHOICE_LIST)
    if argument == "name":
        return None if d.boolean() else d.text(12)
    if argument in ("decay_rate", "gamma", "t_mul", "m_mul", "power", "exponent", "factor"):
        return d.float_in(0.01, 3.0) if d.boolean() else d.choice_of(FACTOR_LIST)
    if argument in ("div_factor", "final_div_factor"):
        return d.float_in(1.0, 1e4)
    if argument == "pct_start":
        return d.float_in(0.0, 1.0)
    return rate(d)


def envelope(d: Draw, depth: int = 0) -> dict[Any, Any]:
    """``envelopes``: mostly a known name and a plausible config; odd now and then."""
    document: dict[Any, Any] = {}
    pool = [name for name in CLASSES if depth < 2 or name not in COMPOSITES]
    if not d.one_in(12):
        name: Any = d.choice_of(pool)
    else:
        name = d.choice_of(vocabulary.NAME_LIST) if d.boolean() else leaf(d)
    if not d.one_in(30):
        document["class_name"] = name
    if not d.one_in(30):
        if d.one_in(15):
            document["config"] = value(d)
        else:
            config: dict[Any, Any] = {}
            for argument in ARGUMENTS.get(name, []) if isinstance(name, str) else []:
                if d.one_in(6):
                    continue  # left out: a default, or a missing required key
                if d.one_in(10):
                    config[argument] = leaf(d) if d.boolean() else value(d)
                else:
                    config[argument] = plausible(d, argument)
            if d.one_in(10):
                config[key(d)] = value(d)
            document["config"] = config
    if d.one_in(4):
        document["module"] = d.choice_of(vocabulary.MODULE_LIST)
    if d.one_in(4):
        options = [None, f"lrschedule>{name}", d.text(6), leaf(d)]
        document["registered_name"] = d.choice_of(options)
    if d.one_in(25):
        document[key(d)] = value(d)
    return document


def shared(d: Draw) -> dict[str, Any]:
    """``shared``: one sub-document in many places, many levels deep."""
    node = envelope(d, depth=2)
    for _ in range(d.integer(1, 40)):
        kind = d.choice_of(COMPOSITES)
        if kind == "Join":
            count = d.integer(1, 4)
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


def large(d: Draw) -> dict[str, Any]:
    """``large``: nested past the limits, or with long lists or strings."""
    kind = d.randrange(4)
    if kind == 0:
        depth = d.integer(90, 110) if d.boolean() else d.integer(900, 5000)
        return {"class_name": "Constant", "config": {"value": deep_value(depth)}}
    if kind == 1:
        node: dict[str, Any] = {"class_name": "Constant", "config": {"value": 0.1}}
        for _ in range(d.integer(25, 40)):
            node = {"class_name": "Scale", "config": {"schedule": node, "factor": 0.9}}
        return node
    if kind == 2:
        count = d.integer(100, 5000)
        return {
            "class_name": d.choice_of(["PiecewiseConstantDecay", "MultiStepDecay"]),
            "config": {
                "boundaries": list(range(1, count + 1)),
                "values": [0.5] * (count + d.randrange(2)),
            },
        }
    return {
        "class_name": "Constant",
        "config": {"value": 0.1, "name": "x" * d.integer(1000, 100_000)},
    }


def document(d: Draw) -> Any:
    """``DOCUMENTS``: envelopes three times in seven, values, shared, large or empty."""
    kind = d.randrange(7)
    if kind < 3:
        return envelope(d)
    if kind == 3:
        return value(d)
    if kind == 4:
        return shared(d)
    return large(d) if kind == 5 else {}


def garbled(d: Draw, text: str) -> str:
    """``text`` cut, spliced, or with characters inserted or removed."""
    for _ in range(d.integer(0, 3)):
        if not text:
            break
        at = d.randint(0, len(text))
        change = d.randrange(4)
        if change == 0:
            text = text[:at]
        elif change == 1:
            text = text[:at] + d.text(4, JSON_CHARACTERS) + text[at:]
        elif change == 2:
            text = text[:at] + text[at + 1 :]
        else:
            text = text[:at] * d.integer(1, 3) + text[at:]
    return text


def json_text(d: Draw) -> str:
    """``json_texts``: JSON of a tree document, garbled a third of the time."""
    kind = d.randrange(3)
    tree = envelope(d) if kind == 0 else value(d) if kind == 1 else large(d)
    try:
        text = json.dumps(tree)
    except (TypeError, ValueError, RecursionError):  # a value JSON cannot hold, or too deep
        text = "{}"
    return garbled(d, text) if d.one_in(3) else text


def text(d: Draw) -> str:
    """``TEXTS``: JSON texts, JSON-ish characters, any text, deep brackets."""
    kind = d.randrange(6)
    if kind < 2:
        return json_text(d)
    if kind == 2:
        return d.text(60, JSON_CHARACTERS)
    if kind == 3:
        return d.text(40)
    n = d.integer(1, 5000)
    return "[" * n + "]" * n if kind == 4 else '{"a":' * n + "1" + "}" * n


def call_text(d: Draw) -> str:
    """``call_texts``: a constructor call, often with something odd spliced in."""
    spec = render(envelope(d))
    for _ in range(d.integer(0, 2)):
        at = d.randint(0, len(spec))
        spec = spec[:at] + d.choice_of(vocabulary.SPEC_NOISE_LIST) + spec[at:]
    return spec


def spec(d: Draw) -> str:
    """``SPECS``: calls three times in eight, JSON objects, printable and any text, deep."""
    kind = d.randrange(8)
    if kind < 3:
        return call_text(d)
    if kind == 3:
        for _ in range(100):
            candidate = json_text(d)
            if candidate.lstrip().startswith("{"):
                return candidate
        return "{}"
    if kind == 4:
        return d.text(40, string.printable)
    if kind == 5:
        return d.text(20)
    if kind == 6:
        n = d.integer(1, 300)
        return "Scale(" * n + "Constant(0.1)" + ", 2)" * n
    n = d.integer(1, 3000)
    return "Constant(" + "[" * n + "]" * n + ")"


def toml_text(d: Draw) -> str:
    """``toml_texts``: TOML as ``save`` writes it, deep arrays, all arguments, or odd."""
    choice = d.randrange(4)
    if choice == 0:
        return f'class_name = "Constant"\nnull_keys = ["name"]\n\n[config]\nvalue = {rate(d)!r}\n'
    if choice == 1:
        depth = d.integer(1, 3000)
        return "x = " + "[" * depth + "]" * depth + "\n"
    if choice == 2:
        name = d.choice_of(list(CLASSES))
        keys = "\n".join(f"{a} = 1" for a in ARGUMENTS[name])
        return f'class_name = "{name}"\n\n[config]\n{keys}\n'
    return d.text(80, '[]={}"., \nabcxyz0123456789_-#')


def file_content(d: Draw) -> bytes:
    """``FILE_CONTENTS``: JSON, TOML, random bytes, odd encodings."""
    kind = d.randrange(4)
    if kind == 0:
        return json_text(d).encode()
    if kind == 1:
        return toml_text(d).encode()
    if kind == 2:
        return d.binary(64)
    return d.choice_of(vocabulary.ODD_FILE_LIST)


def file_name(d: Draw) -> str:
    return d.choice_of(vocabulary.FILE_NAME_LIST)


def command_line(d: Draw, spec_files: list[str], out_dir: str) -> list[str]:
    """``command_lines``: a subcommand, specs and options, mostly plausible.

    A table prints at most a few hundred rows (``--every`` is drawn from ``--steps``), and
    a chart is drawn to a file in ``out_dir`` now and then.
    """
    if d.one_in(1000):  # a chart that is drawn: the line above reaches few of them
        return chart_line(d, spec_files, out_dir)
    argv: list[str] = []
    command = d.choice_of(["table", "table", "describe", "describe", "plot", None, "x"])
    if command is not None:
        argv.append(command)
    for _ in range(d.integer(0, 2 if command == "plot" else 1)):
        argv.append(d.choice_of(spec_files) if spec_files and d.one_in(2) else spec(d))
    # Mostly small runs (``integer`` leans small); a billion steps or more one time in 40
    # (a chart of them costs a hundred times more).
    steps = d.integer(1, 10**6) if not d.one_in(40) else d.choice_of([10**9, 10**12])
    if not d.one_in(6):
        text = str(steps)
        if d.one_in(10):  # odd spellings, and what each one means
            text, steps = d.choice_of(ODD_STEPS)
        argv += ["--steps", text]
    else:
        steps = 10**6  # the default run
    every = max(1, steps // d.integer(1, 300))
    options = [
        ["--every", str(every)],
        ["--every", "0"],
        ["--points", str(d.integer(1, 300))],
        ["--format", d.choice_of(["text", "csv", "json", "markdown", "yaml"])],
        ["--log"],
        ["--steps-per-epoch", d.choice_of(["100", "0", "7"])],
        ["--label", d.text(8)],
        ["--size", d.choice_of(["64x32", "8x4", "800", "16x16"])],
        ["--max-breakpoints", d.choice_of(["0", "3", "-1", "100"])],
        ["--out", f"{out_dir}/chart{d.choice_of(['.svg', '.png', '.jpg', ''])}"],
        ["--help"],
        ["--version"],
        ["--nope"],
    ]
    for _ in range(d.integer(0, 3)):
        chosen = options[d.randrange(len(options))]
        if chosen[0] == "--out" and not d.one_in(10):
            continue  # a chart file now and then: drawing one is slow
        argv += chosen
    return argv


def chart_line(d: Draw, spec_files: list[str], out_dir: str) -> list[str]:
    """``plot`` of one or two plausible schedules to a PNG or SVG file (matplotlib)."""
    argv = ["plot"]
    for _ in range(d.integer(1, 2)):
        argv.append(d.choice_of(spec_files[:2]) if d.one_in(3) else render(envelope(d)))
    argv += [
        "--steps",
        str(d.integer(1, 10**6)),
        "--out",
        f"{out_dir}/chart.{d.choice_of(['png', 'svg'])}",
    ]
    for option in (["--log"], ["--steps-per-epoch", "100"], ["--size", "64x32"]):
        if d.one_in(4):
            argv += option
    return argv
