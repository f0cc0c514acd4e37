"""``@dataclass`` without generating code per class: the hot commands' start-up (issue #14).

The standard decorator writes ``__init__``, ``__repr__``, ``__eq__`` (and ``__hash__``,
``__setattr__``, ``__delattr__`` when frozen) as source text and compiles each with
``exec()``: 3-6 compilations per class, ~1.2 ms each time. ``gh maverick read`` defines 45
dataclasses while importing: 54 ms of its ~290 ms on Python 3.11 (``epic next``: 61 classes,
75 ms). Here each method is a closure over the class's field list: ~0.1 ms a class, 5 ms for
``read``'s (7 ms for ``epic next``'s); read's imports went from ~145 to ~95 ms.

It does not import :mod:`dataclasses` either: that module imports :mod:`inspect`, another
15 ms on every start. So ``field``, ``fields``, ``asdict``, ``replace``, ``MISSING`` and
``FrozenInstanceError`` are this module's own, with the standard semantics. What it keeps
from :mod:`dataclasses`, so everything else treats these classes as dataclasses:

* ``__dataclass_fields__``: the standard :class:`dataclasses.Field` objects (the fields of
  dataclass bases first, in the standard order), built when a standard tool first asks
  (:func:`dataclasses.fields`, ``asdict``, ``is_dataclass``, hypothesis), so those work too;
* the same ``__init__`` binding and ``TypeError`` texts, ``__post_init__``, defaults and
  factories, ``__repr__`` text, ``__eq__`` (same class only), ``__hash__`` as the standard
  decorator decides it, ``FrozenInstanceError``, ``__match_args__``, the mutable-default
  and default-order checks, ClassVar annotations skipped;
* ``inspect.signature(cls)``, computed only when asked (``inspect`` costs 5 ms to import).

Only what this code base uses: ``@dataclass`` bare or with ``eq=`` and ``frozen=``.
``order=``, ``slots=``, ``kw_only`` and ``InitVar`` fields are refused with a TypeError, never
half-done; a class without a docstring keeps none (the standard decorator writes its
signature there, importing ``inspect`` to do it). tests/unit/test_records.py checks these
classes against standard ones built from the same generated specs. Type checkers see the
standard decorator (below), so mypy's dataclass plugin checks fields and frozen assignment
as before.
"""

from __future__ import annotations

import _thread
import abc
import re
import typing
from operator import attrgetter
from typing import TYPE_CHECKING, Any, NoReturn

if TYPE_CHECKING:  # mypy's dataclass plugin checks fields, frozen assignment and replace()
    from dataclasses import (
        MISSING,
        Field,
        FrozenInstanceError,
        asdict,
        dataclass,
        field,
        fields,
        replace,
    )
else:

    class _Missing:
        def __repr__(self) -> str:
            return "MISSING"

    MISSING = _Missing()

    class FrozenInstanceError(AttributeError):
        """Assigning to (or deleting) a field of a frozen record."""

    class Field:
        """One field, with the standard Field's attributes (``name``, ``type``, ``default``,
        ``default_factory``, ``init``, ``repr``, ``hash``, ``compare``, ``metadata``)."""

        __slots__ = (
            *("name", "type", "default", "default_factory", "init", "repr", "hash"),
            *("compare", "metadata", "kw_only", "_field_type"),
        )

        def __init__(self, default, default_factory, init, repr, hash, compare, metadata, kw_only):
            if default is not MISSING and default_factory is not MISSING:
                raise ValueError("cannot specify both default and default_factory")
            self.name = self.type = self._field_type = None
            self.default, self.default_factory = default, default_factory
            self.init, self.repr, self.hash, self.compare = init, repr, hash, compare
            self.metadata = {} if metadata is None else dict(metadata)
            self.kw_only = kw_only

        def __repr__(self) -> str:
            return f"Field(name={self.name!r},type={self.type!r},default={self.default!r})"

    def field(
        *,
        default=MISSING,
        default_factory=MISSING,
        init=True,
        repr=True,
        hash=None,
        compare=True,
        metadata=None,
        kw_only=MISSING,
    ):
        """dataclasses.field: a field's default, factory and flags."""
        return Field(default, default_factory, init, repr, hash, compare, metadata, kw_only)

    def fields(class_or_instance):
        """dataclasses.fields: the fields (not ClassVars) of a record, in order."""
        try:
            found = class_or_instance.__record_fields__
        except AttributeError:
            raise TypeError("must be called with a dataclass type or instance") from None
        return tuple(f for f in found.values() if f._field_type is _FIELD)

    def asdict(obj, *, dict_factory=dict):
        """dataclasses.asdict: the record as a dict, nested records, lists and dicts too."""
        if not hasattr(type(obj), "__record_fields__"):
            raise TypeError("asdict() should be called on dataclass instances")
        return _asdict(obj, dict_factory)

    def replace(obj, /, **changes):
        """dataclasses.replace: a new record with ``changes`` (init=False fields refused)."""
        for f in fields(obj):
            if not f.init:
                if f.name in changes:
                    raise ValueError(
                        f"field {f.name} is declared with init=False, it cannot be specified "
                        "with replace()"
                    )
                continue
            if f.name not in changes:
                changes[f.name] = getattr(obj, f.name)
        return obj.__class__(**changes)

    def dataclass(cls: type | None = None, /, *, eq: bool = True, frozen: bool = False):
        """The class with the methods ``dataclasses.dataclass(eq=, frozen=)`` would add."""

        def wrap(cls: Any) -> type:
            return _process_class(cls, eq, frozen)

        return wrap if cls is None else wrap(cls)


__all__ = ["MISSING", "FrozenInstanceError", "asdict", "dataclass", "field", "fields", "replace"]

# What a Field stands for: an instance field, or a ClassVar (kept out of fields()).
_FIELD: Any = object()
_FIELD_CLASSVAR: Any = object()
_Field = Any  # a Field, given the _field_type this module sets
_CLASSVAR = re.compile(r"\s*(?:typing\s*\.\s*)?ClassVar\b")
_INITVAR = re.compile(r"\s*(?:dataclasses\s*\.\s*)?InitVar\b")


class _Params:
    """``__dataclass_params__``: what tools that read the standard one find there."""

    __slots__ = ("eq", "frozen")
    init = repr = True
    order = unsafe_hash = False

    def __init__(self, eq: bool, frozen: bool) -> None:
        self.eq, self.frozen = eq, frozen

    def __repr__(self) -> str:
        return f"_Params(eq={self.eq}, frozen={self.frozen})"


class _Factory:
    """A defaulted argument whose default comes from its factory (shown as ``<factory>``)."""

    def __repr__(self) -> str:
        return "<factory>"


_FROM_FACTORY = _Factory()
_UNSET: Any = object()


def _process_class(cls: Any, eq: bool, frozen: bool) -> type:
    by_name: dict[str, _Field] = {}
    has_record_bases = any_frozen_base = False
    for base in cls.__mro__[-1:0:-1]:
        base_fields = getattr(base, "__record_fields__", None)
        if base_fields is not None:
            has_record_bases = True
            by_name.update((f.name, f) for f in base_fields.values())
            any_frozen_base = any_frozen_base or base.__dataclass_params__.frozen

    # As dataclasses reads them on 3.11; inspect.get_annotations would import inspect.
    annotations = cls.__dict__.get("__annotations__", {})  # noqa: RUF063
    for name, annotation in annotations.items():
        by_name[name] = own = _field(cls, name, annotation)
        if isinstance(cls.__dict__.get(name), Field):
            if own.default is MISSING:
                delattr(cls, name)
            else:
                setattr(cls, name, own.default)
    for name, value in cls.__dict__.items():
        if isinstance(value, Field) and name not in annotations:
            raise TypeError(f"{name!r} is a field but has no type annotation")
    if has_record_bases and any_frozen_base != frozen:
        raise TypeError(
            "cannot inherit non-frozen dataclass from a frozen one"
            if any_frozen_base
            else "cannot inherit frozen dataclass from a non-frozen one"
        )

    class_hash = cls.__dict__.get("__hash__", MISSING)
    explicit_hash = not (class_hash is MISSING or (class_hash is None and "__eq__" in cls.__dict__))
    cls.__record_fields__ = by_name
    cls.__dataclass_fields__ = _StandardFields()
    cls.__dataclass_params__ = _Params(eq, frozen)
    all_fields = [f for f in by_name.values() if f._field_type is _FIELD]
    init_fields = [f for f in all_fields if f.init]

    init = _init(cls, all_fields, init_fields, frozen)
    if _set_new(cls, "__init__", init):
        _set_new(cls, "__signature__", _LazySignature(init, init_fields))
    _set_new(cls, "__repr__", _repr(cls, [f.name for f in all_fields if f.repr]))
    if eq:
        _set_new(cls, "__eq__", _eq(cls, [f.name for f in all_fields if f.compare]))
    if frozen:
        for method in _frozen_methods(cls, {f.name for f in all_fields}):
            if method.__name__ in cls.__dict__:
                raise TypeError(
                    f"Cannot overwrite attribute {method.__name__} in class {cls.__name__}"
                )
            setattr(cls, method.__name__, method)
    if eq and not explicit_hash:
        hashed = [f.name for f in all_fields if (f.compare if f.hash is None else f.hash)]
        cls.__hash__ = _hash(cls, hashed) if frozen else None
    _set_new(cls, "__match_args__", tuple(f.name for f in init_fields))
    abc.update_abstractmethods(cls)
    return cls


def _field(cls: Any, name: str, annotation: Any) -> _Field:
    default = getattr(cls, name, MISSING)
    made: _Field = default if isinstance(default, Field) else field(default=default)
    if made.kw_only is True or _is_initvar(annotation):  # loudly, never as a plain field
        raise TypeError(f"field {name}: records.dataclass has no kw_only or InitVar fields")
    made.name, made.type, made.kw_only = name, annotation, False
    if _is_classvar(annotation):
        made._field_type = _FIELD_CLASSVAR
        if made.default_factory is not MISSING:
            raise TypeError(f"field {name} cannot have a default factory")
        return made
    made._field_type = _FIELD
    if made.default.__class__.__hash__ is None:  # unhashable stands for mutable, as there
        raise ValueError(
            f"mutable default {type(made.default)} for field {name} is not allowed: "
            "use default_factory"
        )
    return made


def _is_classvar(annotation: Any) -> bool:
    if isinstance(annotation, str):
        return _CLASSVAR.match(annotation) is not None
    return annotation is typing.ClassVar or typing.get_origin(annotation) is typing.ClassVar


def _is_initvar(annotation: Any) -> bool:
    if isinstance(annotation, str):
        return _INITVAR.match(annotation) is not None
    kind = annotation if isinstance(annotation, type) else type(annotation)
    return kind.__name__ == "InitVar" and kind.__module__ == "dataclasses"


def _set_new(cls: Any, name: str, value: Any) -> bool:
    """Set ``name`` unless the class body defined it (the standard decorator's rule)."""
    if name in cls.__dict__:
        return False
    setattr(cls, name, value)
    return True


def _method(cls: Any, function: Any) -> Any:
    """``function`` named as a method of ``cls`` (as in tracebacks and TypeError texts)."""
    function.__qualname__ = f"{cls.__qualname__}.{function.__name__}"
    return function


def _init(cls: Any, all_fields: list[_Field], init_fields: list[_Field], frozen: bool) -> Any:
    names = tuple(f.name for f in init_fields)
    count = len(names)
    position = {name: index for index, name in enumerate(names)}
    defaults = tuple(
        _FROM_FACTORY if f.default_factory is not MISSING else f.default for f in init_fields
    )
    required = sum(1 for default in defaults if default is MISSING)
    first_default = next((i for i, d in enumerate(defaults) if d is not MISSING), count)
    for name, default in zip(names[first_default:], defaults[first_default:], strict=True):
        if default is MISSING:
            raise TypeError(f"non-default argument {name!r} follows default argument")
    # What __init__ assigns, in the generated one's order: the arguments, and init=False
    # fields with a factory (those with a plain default stay class attributes).
    assigned = [f for f in all_fields if f.init or f.default_factory is not MISSING]
    order = tuple(f.name for f in assigned)
    interleaved = order != names
    plan = tuple((position.get(f.name), f.default_factory) for f in assigned)
    factories = tuple(
        (index, f.default_factory)
        for index, f in enumerate(init_fields)
        if f.default_factory is not MISSING
    )
    # Frozen: one dict.update beats object.__setattr__ per field unless a data descriptor
    # (property, slot) is in the way. Else plain assignment, as the generated code does.
    direct = frozen and not _data_descriptors(cls, order)
    assign = object.__setattr__ if frozen else setattr
    post_init = getattr(cls, "__post_init__", None) is not None
    self_name = "__dataclass_self__" if "self" in cls.__record_fields__ else "self"
    qualname = f"{cls.__qualname__}.__init__"

    def __init__(self: Any, /, *args: Any, **kwargs: Any) -> None:
        row: Any = _bind(args, kwargs) if kwargs or len(args) != count else args
        if interleaved:
            row = [factory() if index is None else row[index] for index, factory in plan]
        if direct:
            self.__dict__.update(zip(order, row, strict=False))
        else:
            for name, value in zip(order, row, strict=False):
                assign(self, name, value)
        if post_init:
            self.__post_init__()

    def _bind(args: tuple[Any, ...], kwargs: dict[str, Any]) -> list[Any]:
        """The arguments in field order, defaults and factories' values filled in."""
        given = len(args)
        if given > count:
            _refuse(args, kwargs)
        values = [*args, *defaults[given:]]
        filled = given
        for key, value in kwargs.items():
            index = position.get(key)
            if index is None or index < given:
                _refuse(args, kwargs)
            values[index] = value
            filled += index < required
        if filled < required:
            _refuse(args, kwargs)
        for index, factory in factories:
            if values[index] is _FROM_FACTORY:
                values[index] = factory()
        return values

    def _refuse(args: tuple[Any, ...], kwargs: dict[str, Any]) -> NoReturn:
        """Raise the TypeError Python raises for these arguments, checked in its order."""
        given = len(args)
        for key in kwargs:
            index = position.get(key)
            if index is None and key != self_name:
                raise TypeError(f"{qualname}() got an unexpected keyword argument {key!r}")
            if index is None or index < given:
                raise TypeError(f"{qualname}() got multiple values for argument {key!r}")
        if given > count:
            takes = f"from {required + 1} to {count + 1}" if required < count else str(count + 1)
            plural = "s" if count else ""
            raise TypeError(
                f"{qualname}() takes {takes} positional argument{plural} but {given + 1} were given"
            )
        missing = [repr(name) for name in names[given:required] if name not in kwargs]
        raise TypeError(f"{qualname}() missing {_count_of(missing)}")

    return _method(cls, __init__)


def _data_descriptors(cls: Any, names: tuple[str, ...]) -> bool:
    """Whether any of ``names`` is a data descriptor on the class (assigning runs its code)."""
    return any(
        hasattr(type(attribute), "__set__") or hasattr(type(attribute), "__delete__")
        for base in cls.__mro__
        for name in names
        if (attribute := base.__dict__.get(name, _UNSET)) is not _UNSET
    )


def _count_of(missing: list[str]) -> str:
    """``2 required positional arguments: 'a' and 'b'``, worded as Python words it."""
    *rest, last = missing
    listed = f"{', '.join(rest)}{',' if len(rest) > 1 else ''} and {last}" if rest else last
    plural = "s" if rest else ""
    return f"{len(missing)} required positional argument{plural}: {listed}"


def _values(names: list[str]) -> Any:
    """A function from an instance to the tuple of its ``names`` attributes."""
    if len(names) > 1:
        return attrgetter(*names)
    if names:
        single = attrgetter(names[0])
        return lambda obj: (single(obj),)
    return lambda obj: ()


def _repr(cls: Any, names: list[str]) -> Any:
    running: set[tuple[int, int]] = set()

    def __repr__(self: Any) -> str:
        key = (id(self), _thread.get_ident())
        if key in running:  # a value that contains itself, as reprlib.recursive_repr
            return "..."
        running.add(key)
        try:
            shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in names)
        finally:
            running.discard(key)
        return f"{self.__class__.__qualname__}({shown})"

    return _method(cls, __repr__)


def _eq(cls: Any, names: list[str]) -> Any:
    values = _values(names)

    def __eq__(self: Any, other: Any) -> Any:
        if other.__class__ is self.__class__:
            return values(self) == values(other)
        return NotImplemented

    return _method(cls, __eq__)


def _hash(cls: Any, names: list[str]) -> Any:
    values = _values(names)

    def __hash__(self: Any) -> int:
        return hash(values(self))

    return _method(cls, __hash__)


def _frozen_methods(cls: Any, names: set[str]) -> tuple[Any, Any]:
    def __setattr__(self: Any, name: str, value: Any) -> None:
        if type(self) is cls or name in names:
            raise FrozenInstanceError(f"cannot assign to field {name!r}")
        super(cls, self).__setattr__(name, value)

    def __delattr__(self: Any, name: str) -> None:
        if type(self) is cls or name in names:
            raise FrozenInstanceError(f"cannot delete field {name!r}")
        super(cls, self).__delattr__(name)

    return _method(cls, __setattr__), _method(cls, __delattr__)


class _LazySignature:
    """``cls.__signature__``, built on first use: ``inspect.signature(cls)`` reads it first."""

    def __init__(self, init: Any, init_fields: list[_Field]) -> None:
        self.init, self.init_fields = init, init_fields
        self.signature: Any = None

    def __get__(self, instance: Any, owner: Any) -> Any:
        if instance is not None or owner.__init__ is not self.init:
            return None  # an instance, or a subclass with its own __init__: inspect's usual way
        if self.signature is None:
            import inspect

            empty = inspect.Parameter.empty
            self.signature = inspect.Signature(
                [
                    inspect.Parameter(
                        f.name,
                        inspect.Parameter.POSITIONAL_OR_KEYWORD,
                        default=_FROM_FACTORY
                        if f.default_factory is not MISSING
                        else empty
                        if f.default is MISSING
                        else f.default,
                        annotation=f.type,
                    )
                    for f in self.init_fields
                ],
                return_annotation=None,
            )
        return self.signature


def _asdict(obj: Any, dict_factory: Any) -> Any:
    """As dataclasses' ``_asdict_inner``: records, named tuples, lists, tuples and dicts are
    rebuilt, anything else deep-copied."""
    if hasattr(type(obj), "__record_fields__"):
        return dict_factory(
            [(f.name, _asdict(getattr(obj, f.name), dict_factory)) for f in fields(obj)]
        )
    if isinstance(obj, tuple) and hasattr(obj, "_fields"):
        return type(obj)(*[_asdict(v, dict_factory) for v in obj])
    if isinstance(obj, list | tuple):
        return type(obj)(_asdict(v, dict_factory) for v in obj)
    if isinstance(obj, dict):
        return type(obj)(
            (_asdict(k, dict_factory), _asdict(v, dict_factory)) for k, v in obj.items()
        )
    import copy

    return copy.deepcopy(obj)


class _StandardFields:
    """``__dataclass_fields__`` for the standard library's tools, built when one first asks:
    the standard Field objects, with the private markers ``dataclasses.fields`` reads."""

    def __get__(self, instance: Any, owner: Any) -> dict[str, Any]:
        import dataclasses

        standard = {}
        for name, ours in owner.__record_fields__.items():
            made: Any = dataclasses.field(
                default=dataclasses.MISSING if ours.default is MISSING else ours.default,
                default_factory=dataclasses.MISSING
                if ours.default_factory is MISSING
                else ours.default_factory,
                init=ours.init,
                repr=ours.repr,
                hash=ours.hash,
                compare=ours.compare,
                metadata=ours.metadata,
                kw_only=False,
            )
            made.name, made.type = ours.name, ours.type
            kind = "_FIELD" if ours._field_type is _FIELD else "_FIELD_CLASSVAR"
            made._field_type = getattr(dataclasses, kind)
            standard[name] = made
        return standard
