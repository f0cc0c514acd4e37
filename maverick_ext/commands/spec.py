"""Commands declared without importing click, for the commands agents call most.

Importing click costs about 40 ms (it loads inspect, uuid and platform), a third of what
`gh maverick read` may cost in all (issue #14). A command declared with these decorators —
spelled like click's, with the same keyword arguments — serves twice from one declaration:

- ``parse``: the fast path (``commands/fast.py``) reads the argument shapes agents write —
  positional arguments, ``--opt VALUE``, ``--opt=VALUE``, ``-R VALUE``, flags, ``--`` —
  and runs the command without click. Anything else (``--help``, an unknown or misspelt
  option, a missing argument, a value click would refuse) returns None and goes to click,
  which says what is wrong exactly as it always did.
- ``to_click``: the click command for everything else: help, errors, the docs, and every
  command line ``parse`` declines.

tests/unit/test_command_spec.py checks that the two agree on every argv it generates.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import click

    from maverick_ext.commands.seed_args import Shape

# The attributes ``parse`` understands; a parameter using any other (envvar, callback,
# multiple, ...) makes its command click-only.
_PARSED_ATTRS = frozenset({"metavar", "help", "hidden", "is_flag", "type", "default"})
_PARSED_VARIADIC_ATTRS = frozenset({"metavar", "nargs", "required"})


class _Range:
    """click.IntRange / click.FloatRange (``min=``, ``max=``, inclusive bounds)."""

    number: Callable[[str], Any]

    def __init__(self, min: Any = None, max: Any = None) -> None:
        self.min, self.max = min, max

    def convert(self, text: str) -> Any:
        return _bounded(self.number(text), self.min, self.max)

    def to_click(self) -> click.ParamType:
        import click

        made: click.ParamType = getattr(click, type(self).__name__)(min=self.min, max=self.max)
        return made


class IntRange(_Range):
    number = int


class FloatRange(_Range):
    number = float


def _bounded(value: Any, low: Any, high: Any) -> Any:
    # click's own comparisons (a NaN passes both, as it does in click)
    if (low is not None and value < low) or (high is not None and value > high):
        raise ValueError(f"{value} is out of range")
    return value


_CONVERTERS: dict[Any, Callable[[str], Any]] = {None: str, str: str, int: int, float: float}


class Param:
    """One ``@argument`` or ``@option``: click's declarations and attributes, kept as data."""

    def __init__(self, kind: str, decls: tuple[str, ...], attrs: Mapping[str, Any]) -> None:
        self.kind, self.decls, self.attrs = kind, decls, dict(attrs)
        self.opts = tuple(d for d in decls if d.startswith("-"))
        self.is_flag = bool(self.attrs.get("is_flag"))
        self.variadic = self.attrs.get("nargs") == -1
        self.name = decls[0] if kind == "argument" else _option_name(decls)

    def __call__(self, function: Callable[..., Any]) -> Callable[..., Any]:
        """As a decorator: declare this parameter on the command below it."""
        function.__dict__.setdefault("__spec_params__", []).append(self)
        return function

    @property
    def parsable(self) -> bool:
        if self.variadic:  # ISSUE...: strings, optional unless required=True (as in click)
            return not set(self.attrs) - _PARSED_VARIADIC_ATTRS
        if set(self.attrs) - _PARSED_ATTRS:
            return False
        kind = self.attrs.get("type")
        return kind in _CONVERTERS or isinstance(kind, _Range)

    def default(self) -> Any:
        if self.variadic:
            return ()
        return False if self.is_flag else self.attrs.get("default")

    def convert(self, text: str) -> Any:
        kind = self.attrs.get("type")
        return kind.convert(text) if isinstance(kind, _Range) else _CONVERTERS[kind](text)

    def _click_attrs(self) -> dict[str, Any]:
        attrs = dict(self.attrs)
        if isinstance(attrs.get("type"), _Range):
            attrs["type"] = attrs["type"].to_click()
        return attrs

    def to_click(self) -> click.Parameter:
        import click

        make = click.Argument if self.kind == "argument" else click.Option
        return make(list(self.decls), **self._click_attrs())

    def click_decorator(self) -> Callable[[Any], Any]:
        """This parameter for a command declared with click itself (``commands/options.py``)."""
        import click

        make = click.argument if self.kind == "argument" else click.option
        return make(*self.decls, **self._click_attrs())


def _option_name(decls: tuple[str, ...]) -> str:
    """click's rule: a declaration without dashes names it, else the first long option."""
    for decl in decls:
        if decl.isidentifier():
            return decl
    longs = [d for d in decls if d.startswith("--")] or list(decls)
    return longs[0].lstrip("-").replace("-", "_").lower()


def argument(*decls: str, **attrs: Any) -> Param:
    return Param("argument", decls, attrs)


def option(*decls: str, **attrs: Any) -> Param:
    return Param("option", decls, attrs)


def params(*declared: Param) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Several parameters as one decorator, in the order they read (``claiming``)."""

    def apply(function: Callable[..., Any]) -> Callable[..., Any]:
        for param in reversed(declared):
            function = param(function)
        return function

    return apply


class Command:
    """What ``@command`` makes: the function (called with the run's App first), its
    parameters in the order they read, and click's command attributes."""

    def __init__(self, name: str, function: Callable[..., Any], attrs: Mapping[str, Any]) -> None:
        self.name, self.function, self.attrs = name, function, dict(attrs)
        self.params: list[Param] = list(reversed(function.__dict__.get("__spec_params__", [])))
        self._click: click.Command | None = None

    def shape(self) -> Shape:
        from maverick_ext.commands.seed_args import Shape

        arguments = [p.name for p in self.params if p.kind == "argument"]
        return Shape(
            first_argument=arguments[0] if arguments else None,
            has_repo=any(p.name == "repo" and p.kind == "option" for p in self.params),
            has_json=any(p.name == "as_json" for p in self.params),
            value_options=frozenset(
                opt for p in self.params if p.kind == "option" and not p.is_flag for opt in p.opts
            ),
        )

    def to_click(self) -> click.Command:
        """The click command, built once (``coord read`` and ``read`` are the same object)."""
        if self._click is None:
            import click

            from maverick_ext.commands.app import pass_app

            attrs = {"help": self.function.__doc__, **self.attrs}
            self._click = click.Command(
                self.name,
                callback=pass_app(self.function),
                params=[p.to_click() for p in self.params],
                **attrs,
            )
        return self._click

    def parse(self, args: Sequence[str]) -> dict[str, Any] | None:
        """The function's keyword arguments for ``args``, or None: let click decide."""
        arguments = [p for p in self.params if p.kind == "argument"]
        variadic = arguments.pop() if arguments and arguments[-1].variadic else None
        if not all(p.parsable for p in self.params) or any(p.variadic for p in arguments):
            return None
        by_opt = {opt: p for p in self.params if p.kind == "option" for opt in p.opts}
        values = {p.name: p.default() for p in self.params}
        positional: list[str] = []
        rest = list(args)
        while rest:
            arg = rest.pop(0)
            if arg == "--":
                positional += rest
                break
            if arg == "-" or not arg.startswith("-"):
                positional.append(arg)
                continue
            opt, equals, inline = arg.partition("=") if arg.startswith("--") else (arg, "", "")
            param = by_opt.get(opt)
            if param is None:  # -h, --help, a typo, -Rvalue, bundled short flags
                return None
            if param.is_flag:
                if equals:
                    return None
                values[param.name] = True
                continue
            if not equals:
                if not rest:
                    return None
                inline = rest.pop(0)
            if not _store(values, param, inline):
                return None
        extra = positional[len(arguments) :]
        if len(positional) < len(arguments) or (extra and variadic is None):
            return None
        if variadic is not None:
            if not extra and variadic.attrs.get("required", False):
                return None
            values[variadic.name] = tuple(extra)
        for param, text in zip(arguments, positional, strict=False):
            if not _store(values, param, text):
                return None
        return values


def _store(values: dict[str, Any], param: Param, text: str) -> bool:
    try:
        values[param.name] = param.convert(text)
    except ValueError:
        return False
    return True


class Group:
    """What ``group`` makes: a command group as data, so that importing a command of its
    package (``commands/epic/next.py`` runs ``commands/epic/__init__.py``) imports no click."""

    def __init__(self, name: str, attrs: Mapping[str, Any]) -> None:
        self.name, self.attrs = name, dict(attrs)
        self._click: click.Group | None = None

    def to_click(self) -> click.Group:
        if self._click is None:
            from maverick_ext.commands.lazy import LazyGroup

            self._click = LazyGroup(name=self.name, **self.attrs)
        return self._click


def group(name: str, **attrs: Any) -> Group:
    """Declare a group: ``LazyGroup``'s attributes (``lazy=`` a table of commands/tree.py)."""
    return Group(name, attrs)


def command(name: str, **attrs: Any) -> Callable[[Callable[..., Any]], Command]:
    """Declare a command (click.command's attributes; the help is the docstring)."""

    def make(function: Callable[..., Any]) -> Command:
        return Command(name, function, attrs)

    return make
