"""maverick_ext.records behaves as the standard ``@dataclass`` it replaces on the hot path.

The property test builds one class from a generated spec twice, with ``records.dataclass``
and with ``dataclasses.dataclass``, and requires the two to agree on everything a caller
can see: class-creation errors, construction (values or the TypeError text), repr, ==,
hash, replace(), asdict(), frozen assignment, __match_args__ and inspect.signature.
"""

from __future__ import annotations

import copy
import dataclasses
import inspect
import pickle
from collections.abc import Callable
from typing import Any, ClassVar

import pytest
from hypothesis import given
from hypothesis import strategies as st

from maverick_ext import records
from maverick_ext.records import FrozenInstanceError, asdict, dataclass, field, fields, replace

NAMES = ("a", "b", "c", "self", "d")
FACTORIES = (list, dict, tuple)


# -- the spec: plain data, materialised once per implementation ---------------------------

LEAF = "leaf"  # a value ("leaf", x): an instance of the implementation's own Leaf record


def _leaf_class(make: Callable[..., Any]) -> type:
    namespace = {"__annotations__": {"x": "Any"}, "__qualname__": "Leaf", "__module__": __name__}
    return make(frozen=True)(type("Leaf", (), namespace))


LEAVES = {"records": _leaf_class(records.dataclass), "std": _leaf_class(dataclasses.dataclass)}

plain_values = st.one_of(st.integers(-3, 3), st.sampled_from(["x", "", None, 2.5]))
values = st.recursive(
    plain_values,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.tuples(inner, inner),
        st.dictionaries(st.sampled_from(["k", "v"]), inner, max_size=2),
        st.builds(lambda x: (LEAF, x), inner),
    ),
    max_leaves=6,
)


def materialise(value: Any, impl: str) -> Any:
    """``value`` with each ("leaf", x) made an instance of ``impl``'s Leaf class."""
    if isinstance(value, tuple) and len(value) == 2 and value[0] == LEAF:
        return LEAVES[impl](materialise(value[1], impl))
    if isinstance(value, list):
        return [materialise(v, impl) for v in value]
    if isinstance(value, tuple):
        return tuple(materialise(v, impl) for v in value)
    if isinstance(value, dict):
        return {k: materialise(v, impl) for k, v in value.items()}
    return value


def plain(value: Any) -> Any:
    """``value`` with Leaf instances of either implementation written the same way."""
    if type(value).__qualname__ == "Leaf":
        return (LEAF, plain(value.x))
    if isinstance(value, list | tuple):
        return type(value)(plain(v) for v in value)
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    return value


@st.composite
def field_specs(draw: st.DrawFn, name: str) -> dict[str, Any]:
    kind = draw(st.sampled_from(["required", "default", "factory", "classvar", "mutable"]))
    return {
        "name": name,
        "kind": kind,
        "default": draw(st.one_of(plain_values, st.tuples(plain_values))),
        "factory": draw(st.sampled_from(range(len(FACTORIES)))),
        "as_field": draw(st.booleans()),  # x: int = field(default=1) rather than = 1
        "init": draw(st.booleans()) if kind in ("default", "factory") else True,
        "repr": draw(st.booleans()),
        "compare": draw(st.booleans()),
    }


@st.composite
def class_specs(draw: st.DrawFn) -> dict[str, Any]:
    def one_class() -> dict[str, Any]:
        names = draw(st.lists(st.sampled_from(NAMES), unique=True, max_size=4))
        return {
            "fields": [draw(field_specs(name)) for name in names],
            "eq": draw(st.booleans()),
            "frozen": draw(st.booleans()),
            "post_init": draw(st.booleans()),
        }

    base = one_class()
    return {"base": base, "sub": one_class() if draw(st.booleans()) else None}


def build(spec: dict[str, Any], impl: str) -> type:
    """The record class ``spec`` describes, made by ``impl``'s decorator (or its error)."""
    make = records.dataclass if impl == "records" else dataclasses.dataclass
    make_field = records.field if impl == "records" else dataclasses.field

    def one(part: dict[str, Any], name: str, bases: tuple[type, ...]) -> type:
        namespace: dict[str, Any] = {"__qualname__": name, "__module__": __name__}
        annotations = namespace["__annotations__"] = {}
        for f in part["fields"]:
            annotations[f["name"]] = "ClassVar[int]" if f["kind"] == "classvar" else "Any"
            options = {"init": f["init"], "repr": f["repr"], "compare": f["compare"]}
            if f["kind"] == "factory":
                namespace[f["name"]] = make_field(
                    default_factory=FACTORIES[f["factory"]], **options
                )
            elif f["kind"] in ("default", "classvar", "mutable"):
                default = [f["default"]] if f["kind"] == "mutable" else f["default"]
                as_field = f["as_field"] and f["kind"] != "classvar"
                namespace[f["name"]] = (
                    make_field(default=default, **options) if as_field else default
                )
            elif f["as_field"]:
                namespace[f["name"]] = make_field(**options)
        if part["post_init"]:
            namespace["__post_init__"] = lambda self: object.__setattr__(self, "post", name)
        return make(eq=part["eq"], frozen=part["frozen"])(type(name, bases, namespace))

    base = one(spec["base"], "Base", ())
    return one(spec["sub"], "Sub", (base,)) if spec["sub"] else base


def outcome(action: Callable[[], Any]) -> tuple[str, Any]:
    try:
        return "ok", plain(action())
    except Exception as error:  # the same exception type and text is the agreement
        return type(error).__name__, str(error)


def arguments(names: list[str]) -> st.SearchStrategy[tuple[list[Any], dict[str, Any]]]:
    return st.tuples(
        st.lists(values, max_size=len(names) + 1),
        st.dictionaries(st.sampled_from([*names, "zz", "self"]), values, max_size=3),
    )


def observed(cls: type, impl: str, args: list[Any], kwargs: dict[str, Any]) -> Any:
    """What a caller sees of ``cls(*args, **kwargs)``, or of its failure."""
    args = materialise(args, impl)
    kwargs = materialise(kwargs, impl)
    built = outcome(lambda: cls(*args, **kwargs))
    if built[0] != "ok":
        return built
    made = cls(*args, **kwargs)
    again = cls(*args, **kwargs)
    tools = records if impl == "records" else dataclasses  # each its own fields/asdict/replace
    names = [f.name for f in tools.fields(cls)]
    hash_kind = {None: "unhashable", object.__hash__: "identity"}.get(cls.__hash__, "fields")
    return {
        "vars": plain(list(vars(made).items())),
        "attributes": [outcome(lambda n=n: getattr(made, n)) for n in names],
        "repr": outcome(lambda: repr(made)),
        "eq": outcome(lambda: made == again),
        "eq other": outcome(lambda: made == object()),
        "hash kind": hash_kind,
        "hash": outcome(lambda: hash(made)) if hash_kind == "fields" else None,
        "asdict": outcome(lambda: tools.asdict(made)),
        "replace": outcome(lambda: vars(tools.replace(made, **kwargs))),
        "set field": [outcome(lambda n=n: setattr(copy.copy(made), n, 0)) for n in names],
        "set other": outcome(lambda: setattr(copy.copy(made), "other", 0)),
        "delete field": [outcome(lambda n=n: delattr(copy.copy(made), n)) for n in names],
    }


@given(spec=class_specs(), data=st.data())
def test_a_record_class_agrees_with_the_standard_dataclass(spec: dict, data: st.DataObject) -> None:
    made = {impl: outcome(lambda impl=impl: build(spec, impl)) for impl in ("records", "std")}
    if made["std"][0] != "ok":
        assert made["records"] == made["std"]  # the same error when the class is made
        return
    ours, theirs = build(spec, "records"), build(spec, "std")
    assert made["records"][0] == "ok"
    assert ours.__match_args__ == theirs.__match_args__
    assert str(inspect.signature(ours)) == str(inspect.signature(theirs))
    assert [f.name for f in fields(ours)] == [f.name for f in dataclasses.fields(theirs)]
    names = [f.name for f in dataclasses.fields(theirs) if f.init]
    for _ in range(3):
        args, kwargs = data.draw(arguments(names))
        assert observed(ours, "records", args, kwargs) == observed(theirs, "std", args, kwargs)


# -- examples a reader can check by eye ---------------------------------------------------


@dataclass(frozen=True)
class Point:
    x: int
    y: int = 0
    label: str = field(default="", compare=False, repr=False)
    tags: tuple[str, ...] = ()
    unit: ClassVar[str] = "px"


@dataclass
class Box:
    items: list[Point] = field(default_factory=list)
    owner: Box | None = None


def test_a_frozen_record_reads_compares_and_hashes_as_a_dataclass() -> None:
    p = Point(1, y=2, label="origin")
    assert repr(p) == "Point(x=1, y=2, tags=())"
    assert p == Point(1, 2, label="other") and p != Point(1, 3)
    assert hash(p) == hash(Point(1, 2))
    assert Point.__match_args__ == ("x", "y", "label", "tags")
    assert [f.name for f in fields(Point)] == ["x", "y", "label", "tags"]  # no ClassVar
    with pytest.raises(FrozenInstanceError, match="cannot assign to field 'x'"):
        p.x = 5  # type: ignore[misc]
    assert replace(p, y=9) == Point(1, 9)


def test_wrong_arguments_are_refused_with_pythons_own_words() -> None:
    with pytest.raises(TypeError, match=r"^Point.__init__\(\) missing 1 required positional"):
        Point()  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="got an unexpected keyword argument 'z'"):
        Point(1, z=2)  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="got multiple values for argument 'x'"):
        Point(1, x=2)  # type: ignore[misc]
    with pytest.raises(TypeError, match="takes from 2 to 5 positional arguments but 6 were"):
        Point(1, 2, "", (), 5)  # type: ignore[call-arg]


def test_a_mutable_record_is_unhashable_and_nests_in_asdict() -> None:
    box = Box([Point(1)])
    assert Box.__hash__ is None
    assert asdict(box) == {"items": [{"x": 1, "y": 0, "label": "", "tags": ()}], "owner": None}
    assert Box().items is not Box().items  # one list per instance from the factory
    box.owner = box
    assert repr(box) == "Box(items=[Point(x=1, y=0, tags=())], owner=...)"


def test_the_standard_tools_see_a_dataclass() -> None:
    p = Point(1, 2, "l", ("t",))
    assert dataclasses.is_dataclass(Point) and dataclasses.astuple(p) == (1, 2, "l", ("t",))
    assert dataclasses.replace(p, x=5) == replace(p, x=5) and dataclasses.asdict(p) == asdict(p)
    assert pickle.loads(pickle.dumps(p)) == p and copy.deepcopy(p) == p
    assert str(inspect.signature(Point)) == (
        "(x: 'int', y: 'int' = 0, label: 'str' = '', tags: 'tuple[str, ...]' = ()) -> None"
    )


def test_class_definition_mistakes_fail_as_dataclasses_fails_them() -> None:
    with pytest.raises(ValueError, match="mutable default <class 'list'> for field xs"):
        dataclass(type("Bad", (), {"__annotations__": {"xs": "list"}, "xs": []}))
    with pytest.raises(TypeError, match="non-default argument 'b' follows default argument"):
        dataclass(type("Bad", (), {"__annotations__": {"a": "int", "b": "int"}, "a": 1}))
    with pytest.raises(TypeError, match="'a' is a field but has no type annotation"):
        dataclass(type("Bad", (), {"a": field(default=1)}))
    with pytest.raises(TypeError, match="cannot inherit non-frozen dataclass from a frozen one"):
        dataclass(type("Bad", (Point,), {}))
    for unsupported in ({"__annotations__": {"a": "InitVar[int]"}}, {"a": field(kw_only=True)}):
        unsupported.setdefault("__annotations__", {"a": "int"})
        with pytest.raises(
            TypeError, match=r"field a: records\.dataclass has no kw_only or InitVar"
        ):
            dataclass(type("Bad", (), unsupported))


@given(st.from_type(Point))
def test_hypothesis_builds_records_from_their_annotations(point: Point) -> None:
    assert isinstance(point.x, int) and isinstance(point.y, int) and isinstance(point.tags, tuple)
