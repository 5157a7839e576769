"""save / load: JSON and TOML files, bit-exact floats, ints kept, None in TOML, and errors."""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lrschedule import (
    CosineDecay,
    CosineDecayRestarts,
    ExponentialDecay,
    InverseTimeDecay,
    LearningRateSchedule,
    PiecewiseConstantDecay,
    PolynomialDecay,
    load,
    register,
    save,
    serialize,
)
from lrschedule.serialization import MissingScheduleFileError

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10: the backport, which lrschedule.load uses there
    tomllib = pytest.importorskip("tomli")

SUFFIXES = [".json", ".toml"]
SPECIAL_FLOATS = [
    0.1,
    1 / 3,
    5e-324,
    2.2250738585072014e-308,
    1.7976931348623157e308,
    -0.0,
    1e16,
    1e-5,
    123456789.125,
]


@register(package="tests-files")
class Tree(LearningRateSchedule):
    """A user schedule whose config is whatever it was given (to exercise the file writers)."""

    def __init__(self, **config: Any) -> None:
        self.config = config

    def __call__(self, step: Any) -> Any:
        return 0.0

    def get_config(self) -> dict[str, Any]:
        return dict(self.config)


@register(package="tests-files")
class Pair(LearningRateSchedule):
    """A composite of two schedules, written as nested envelopes."""

    def __init__(self, first: Any, second: Any, switch: int = 10) -> None:
        from lrschedule import deserialize

        self.first, self.second, self.switch = deserialize(first), deserialize(second), switch

    def __call__(self, step: Any) -> Any:
        return self.first(step) if step < self.switch else self.second(step - self.switch)

    def get_config(self) -> dict[str, Any]:
        return {
            "first": serialize(self.first),
            "second": serialize(self.second),
            "switch": self.switch,
        }


def _bits(value: Any) -> Any:
    """Comparable structure: floats as hex (bit-exact, -0.0 kept), types kept, tuples as lists."""
    if isinstance(value, float):
        return ("float", value.hex())
    if isinstance(value, bool):
        return ("bool", value)
    if isinstance(value, int):
        return ("int", value)
    if isinstance(value, (list, tuple)):
        return [_bits(item) for item in value]
    if isinstance(value, dict):
        return {key: _bits(item) for key, item in value.items()}
    return value


SCHEDULES = [
    ExponentialDecay(0.1, 10, 0.96),
    ExponentialDecay(5e-324, 1.7976931348623157e308, 1 / 3, staircase=True, name=None),
    PiecewiseConstantDecay((10, 2**62), (1 / 3, 0.1, 5e-324)),
    PiecewiseConstantDecay([], [2.0], name='constant "quoted" \\ back\tslash\n\u00e9\u2028'),
    PolynomialDecay(0.1, 1 / 3, end_learning_rate=-0.0, power=2.5, cycle=True),
    InverseTimeDecay(1, 10.0, 0, name=""),
    CosineDecay(0.1, 1000),
    CosineDecay(0.0, 7, alpha=0.5, name=None, warmup_target=1e-5, warmup_steps=3.5),
    CosineDecayRestarts(1e16, 3, t_mul=1.0, m_mul=0.0, alpha=1.7976931348623157e308),
    Pair(
        CosineDecay(0.1, 100, name=None),
        Pair(ExponentialDecay(0.1, 10, 0.5, name=None), PiecewiseConstantDecay([5], [1.0, 2.0])),
        switch=2**40,
    ),
    Tree(
        a=1,
        b=1.0,
        c=[1, 1.0, "x", True, [2, [3.5]], {"k": 1 / 3}],
        d={"e": {"f": [], "g": {}}},
        h=None,
        i=[],
        j=[{"x": 1}, {"y": [{"z": 2.5}]}],
        k="ü",
        **{"key with spaces": 1, "": 2, "ключ": 3, "a.b": 4, "1": 5},
    ),
]


@pytest.mark.parametrize("suffix", SUFFIXES)
@pytest.mark.parametrize("schedule", SCHEDULES, ids=lambda s: type(s).__name__)
def test_save_load_round_trip_is_bit_exact(schedule: Any, suffix: str, tmp_path: Path) -> None:
    path = tmp_path / f"schedule{suffix}"
    save(schedule, path)
    revived = load(path)
    assert type(revived) is type(schedule)
    assert revived == schedule
    assert _bits(serialize(revived)["config"]) == _bits(serialize(schedule)["config"])
    for step in (0, 1, 2, 5, 9, 10, 11, 1000, 10**9):
        assert float(revived(step)).hex() == float(schedule(step)).hex()
    # A str path works as well as a Path, and the file can be read again.
    assert load(str(path)) == schedule


def test_json_file_is_the_envelope_indented(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    schedule = PiecewiseConstantDecay((10, 20), [0.1, 0.01, 0.001])
    save(schedule, path)
    text = path.read_text()
    assert text == json.dumps(serialize(schedule), indent=2) + "\n"
    assert json.loads(text) == {
        "module": "keras.optimizers.schedules",
        "class_name": "PiecewiseConstantDecay",
        "config": {
            "boundaries": [10, 20],
            "values": [0.1, 0.01, 0.001],
            "name": "PiecewiseConstant",
        },
        "registered_name": None,
    }


def test_toml_file_layout_and_nulls(tmp_path: Path) -> None:
    path = tmp_path / "s.toml"
    save(CosineDecay(0.1, 1000, name=None), path)
    assert path.read_text() == (
        'module = "keras.optimizers.schedules"\n'
        'class_name = "CosineDecay"\n'
        "null_keys = [\n"
        '    "name",\n'
        '    "warmup_target",\n'
        "]\n"
        "\n"
        "[config]\n"
        "initial_learning_rate = 0.1\n"
        "decay_steps = 1000\n"
        "alpha = 0.0\n"
        "warmup_steps = 0\n"
    )
    assert load(path) == CosineDecay(0.1, 1000, name=None)


def test_toml_nested_envelopes_are_tables(tmp_path: Path) -> None:
    path = tmp_path / "pair.toml"
    schedule = Pair(ExponentialDecay(0.1, 10, 0.5), Tree(items=[{"a": 1}, {"b": [1, 2]}]))
    save(schedule, path)
    text = path.read_text()
    assert "[config.first]\n" in text and "[config.first.config]\n" in text
    assert "[[config.second.config.items]]\n" in text
    document = tomllib.loads(text)
    assert document["registered_name"] == "tests-files>Pair"
    assert document["config"]["first"]["class_name"] == "ExponentialDecay"
    assert "registered_name" not in document["config"]["first"]  # None is left out
    assert load(path) == schedule


def test_ints_stay_ints_and_floats_stay_floats(tmp_path: Path) -> None:
    for suffix in SUFFIXES:
        path = tmp_path / f"kinds{suffix}"
        save(ExponentialDecay(1, 10.0, 0.5), path)
        config = load(path).get_config()
        assert type(config["initial_learning_rate"]) is int and type(config["decay_steps"]) is float
        save(
            Tree(
                **{f"f{i}": value for i, value in enumerate(SPECIAL_FLOATS)},
                big=2**63 - 1,
                small=-(2**63),
            ),
            path,
        )
        loaded = load(path).get_config()
        for i, value in enumerate(SPECIAL_FLOATS):
            assert loaded[f"f{i}"].hex() == value.hex()
        assert loaded["big"] == 2**63 - 1 and loaded["small"] == -(2**63)


def test_tuples_come_back_as_lists_and_still_compare_equal(tmp_path: Path) -> None:
    schedule = PiecewiseConstantDecay((10, 20), (1.0, 0.5, 0.25))
    for suffix in SUFFIXES:
        path = tmp_path / f"tuples{suffix}"
        save(schedule, path)
        revived = load(path)
        assert revived.get_config()["boundaries"] == [10, 20]
        assert revived == schedule and hash(revived) == hash(schedule)


FILE_VALUES = st.recursive(
    st.one_of(
        st.booleans(),
        st.integers(-(2**63), 2**63 - 1),
        st.floats(allow_nan=False, allow_infinity=False),
        st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=12),
    ),
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(
            st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=6),
            children,
            max_size=4,
        ),
    ),
    max_leaves=20,
)
TOP_LEVEL = st.dictionaries(
    st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=6).filter(
        lambda k: k != "self"
    ),
    st.one_of(st.none(), FILE_VALUES),
    max_size=6,
)


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(config=TOP_LEVEL)
def test_any_config_round_trips_through_both_formats(
    config: dict[str, Any], tmp_path: Path
) -> None:
    """The TOML writer (checked by tomllib) and the JSON one on arbitrary configs."""
    schedule = Tree(**config)
    for suffix in SUFFIXES:
        path = tmp_path / f"any{suffix}"
        save(schedule, path)
        revived = load(path)
        assert _bits(revived.get_config()) == _bits(config)


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_unsupported_suffix(suffix: str, tmp_path: Path) -> None:
    for name in ("schedule.yaml", "schedule", "schedule.json.bak"):
        with pytest.raises(
            ValueError,
            match=r"Cannot tell the format of .* from its suffix .*: lrschedule saves and loads .json and .toml files",
        ):
            save(ExponentialDecay(0.1, 10, 0.5), tmp_path / name)
        with pytest.raises(ValueError, match="saves and loads .json and .toml files"):
            load(tmp_path / name)
    upper = tmp_path / f"UPPER{suffix.upper()}"
    save(ExponentialDecay(0.1, 10, 0.5), upper)
    assert load(upper) == ExponentialDecay(0.1, 10, 0.5)


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_missing_file(suffix: str, tmp_path: Path) -> None:
    path = tmp_path / f"absent{suffix}"
    with pytest.raises(ValueError, match="No schedule file") as caught:
        load(path)
    assert isinstance(caught.value, FileNotFoundError) and isinstance(
        caught.value, MissingScheduleFileError
    )
    assert caught.value.filename == os.fspath(path)


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_unreadable_files(suffix: str, tmp_path: Path) -> None:
    folder = tmp_path / f"folder{suffix}"
    folder.mkdir()
    with pytest.raises(ValueError, match=re.escape(f"Cannot read the schedule file '{folder}'")):
        load(folder)
    binary = tmp_path / f"binary{suffix}"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(
        ValueError, match=re.escape(f"Cannot read the schedule file '{binary}': 'utf-8' codec")
    ):
        load(binary)


@pytest.mark.parametrize(
    ("suffix", "text", "message"),
    [
        (".json", "", "is not valid JSON"),
        (".json", "{", "is not valid JSON"),
        (".json", "[1, 2]", "must hold a JSON object .* It holds a list"),
        (".json", '"ExponentialDecay"', "It holds a str"),
        (
            ".json",
            '{"class_name": "ExponentialDecay", "config": {"initial_learning_rate": NaN}}',
            "NaN is not a JSON number",
        ),
        (".json", '{"class_name": "NoSuch", "config": {}}', "Unknown schedule class_name='NoSuch'"),
        (
            ".json",
            '{"class_name": "ExponentialDecay", "config": {"decay_steps": 0, "initial_learning_rate": 1, "decay_rate": 0.5}}',
            "Argument `decay_steps` must be > 0",
        ),
        (".toml", "module = ", "is not valid TOML"),
        (".toml", "a = 1\na = 2\n", "is not valid TOML"),
        (".toml", "", "needs a 'class_name'"),
        (".toml", 'class_name = "ExponentialDecay"\n', "has no 'config'"),
        (
            ".toml",
            'class_name = "CosineDecay"\nnull_keys = "name"\n[config]\ninitial_learning_rate = 0.1\ndecay_steps = 1\n',
            "'null_keys' must be an array of config key names",
        ),
        (
            ".toml",
            'class_name = "CosineDecay"\nnull_keys = ["name"]\n[config]\ninitial_learning_rate = 0.1\ndecay_steps = 1\nname = "x"\n',
            "the config key 'name' is listed in 'null_keys' and also has a value",
        ),
        (
            ".toml",
            'class_name = "ExponentialDecay"\n[config]\ninitial_learning_rate = 1979-05-27\ndecay_steps = 1\ndecay_rate = 0.5\n',
            "Argument `initial_learning_rate` must be a real number",
        ),
        (
            ".toml",
            "a = " + "[" * 5000 + "]" * 5000 + "\n",
            "nested too deeply to parse as TOML|containers are nested more than",
        ),
    ],
)
def test_invalid_file_contents(suffix: str, text: str, message: str, tmp_path: Path) -> None:
    path = tmp_path / f"bad{suffix}"
    path.write_text(text, encoding="utf-8")
    with pytest.raises((ValueError, TypeError), match=message) as caught:
        load(path)
    assert str(path) in str(caught.value)


def test_load_passes_custom_objects(tmp_path: Path) -> None:
    class Local(LearningRateSchedule):
        def __init__(self, rate: float) -> None:
            self.rate = rate

        def __call__(self, step: Any) -> Any:
            return self.rate

        def get_config(self) -> dict[str, Any]:
            return {"rate": self.rate}

    path = tmp_path / "local.json"
    path.write_text(json.dumps({"class_name": "Local", "config": {"rate": 0.5}}))
    assert load(path, custom_objects={"Local": Local}) == Local(0.5)
    with pytest.raises(
        ValueError, match=re.escape(f"'{path}': Unknown schedule class_name='Local'")
    ):
        load(path)


@pytest.mark.parametrize(
    ("schedule", "suffixes", "message"),
    [
        (
            Tree(rate=float("nan")),
            SUFFIXES,
            "(Out of range float values are not JSON compliant|is not a finite number)",
        ),
        (
            Tree(rate=[1.0, float("inf")]),
            SUFFIXES,
            "(Out of range float values are not JSON compliant|is not a finite number)",
        ),
        (
            Tree(big=2**63),
            [".toml"],
            "the integer 9223372036854775808 is outside TOML's 64-bit range",
        ),
        (
            Tree(items=[1, None]),
            [".toml"],
            r"TOML has no null, and the value at the document\['config'\]\['items'\]\[1\] is None. Save it as .json instead",
        ),
        (Tree(inner={"x": None}), [".toml"], "TOML has no null"),
        (Tree(text="\ud800"), [".toml"], "lone surrogate"),
        (Tree(**{"\udc00": 1}), [".toml"], "lone surrogate"),
        (
            Tree(inner={"class_name": "x", "config": {}, "null_keys": []}),
            [".toml"],
            "has the key 'null_keys'",
        ),
    ],
)
def test_save_refuses_what_the_format_cannot_hold(
    schedule: Any, suffixes: list[str], message: str, tmp_path: Path
) -> None:
    for suffix in suffixes:
        path = tmp_path / f"refused{suffix}"
        with pytest.raises(ValueError, match=message):
            save(schedule, path)
        assert not path.exists()  # nothing half-written


def test_json_keeps_what_toml_cannot(tmp_path: Path) -> None:
    schedule = Tree(big=2**100, items=[1, None], text="\ud800")
    path = tmp_path / "wide.json"
    save(schedule, path)
    assert load(path) == schedule


def test_save_rejects_what_serialize_rejects(tmp_path: Path) -> None:
    with pytest.raises(TypeError, match="`serialize` takes a learning-rate schedule"):
        save({"class_name": "ExponentialDecay"}, tmp_path / "x.json")  # type: ignore[arg-type]


def test_toml_on_python_without_tomllib(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Python 3.10: the tomli backport is used if installed, else a clear error."""
    path = tmp_path / "s.toml"
    save(ExponentialDecay(0.1, 10, 0.5), path)  # writing needs tomli-w, not tomllib
    monkeypatch.setitem(sys.modules, "tomllib", None)  # makes `import tomllib` fail
    monkeypatch.setitem(sys.modules, "tomli", tomllib)  # the backport has the same API
    assert load(path) == ExponentialDecay(0.1, 10, 0.5)
    monkeypatch.setitem(sys.modules, "tomli", None)
    with pytest.raises(
        ModuleNotFoundError, match="Reading TOML needs Python 3.11 or later .* pip install tomli"
    ):
        load(path)


def test_writing_toml_without_tomli_w_names_the_extra(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Writing TOML needs the `toml` extra; the error says so and nothing is written."""
    path = tmp_path / "s.toml"
    monkeypatch.setitem(sys.modules, "tomli_w", None)  # makes `import tomli_w` fail
    with pytest.raises(
        ModuleNotFoundError,
        match=r"Writing TOML needs the tomli-w package, the 'toml' extra of lrschedule: "
        r"pip install 'lrschedule\[toml\]'",
    ):
        save(ExponentialDecay(0.1, 10, 0.5), path)
    assert not path.exists()
    save(ExponentialDecay(0.1, 10, 0.5), tmp_path / "s.json")  # JSON needs nothing
