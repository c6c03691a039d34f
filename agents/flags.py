"""Command-line flags generated from configuration dataclasses: a default exists once, every field can be set.

The command-line twin of :func:`agents.core.parse_options` (which does the same for agent spec strings):
:func:`add_flags` declares one ``--field-name`` flag per field of a frozen config dataclass, typed by the
field's annotation and documented by the field's docstring (the string under it, as in
:mod:`selfplay.core`) and its default; :func:`from_flags` builds the dataclass back from the parsed flags
that were given, so an absent flag keeps the dataclass's own default. Nested config dataclasses get
prefixed flags (``LeafNetConfig.hidden`` inside ``ValueTrainConfig.net`` is ``--net-hidden``); a field may
also answer to older names (``aliases``), so that documented command lines keep working.

Types: ``int``, ``float``, ``str``, ``bool`` (``--flag`` / ``--no-flag``), ``Literal[...]`` (choices) and
``X | None`` (``none`` gives None). :class:`CliParser` reports bad input as :class:`~games.core.InputError`,
which :func:`games.cli.run_cli` prints as one ``error:`` line with exit status 2.

Why not ``tyro``: it cannot keep the project's documented command lines (short aliases such as
``--pbs`` for ``pbs_per_generation`` need ``Annotated`` markers on the config fields themselves, which
are also saved as JSON) nor its one-line errors (tyro prints a formatted box), and it is not installed.
"""
from __future__ import annotations

import argparse
import ast
import dataclasses
import functools
import inspect
import re
import textwrap
import types
import typing
from typing import Any, Callable, Collection, Mapping, Sequence

from games.core import InputError


class CliParser(argparse.ArgumentParser):
    """``argparse`` whose errors raise :class:`InputError` (one ``error:`` line and exit 2 via ``run_cli``)."""

    def error(self, message: str) -> typing.NoReturn:  # type: ignore[override]
        raise InputError(message)


@functools.cache
def field_docs(cls: type) -> dict[str, str]:
    """The docstring under each field of dataclass ``cls`` (and of its bases), by field name."""
    docs: dict[str, str] = {}
    for klass in reversed(cls.__mro__):
        if not dataclasses.is_dataclass(klass):
            continue
        try:
            source = textwrap.dedent(inspect.getsource(klass))
        except (OSError, TypeError):
            continue
        body = ast.parse(source).body[0]
        assert isinstance(body, ast.ClassDef)
        for node, after in zip(body.body, body.body[1:]):
            if (isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name)
                    and isinstance(after, ast.Expr) and isinstance(after.value, ast.Constant)
                    and isinstance(after.value.value, str)):
                docs[node.target.id] = " ".join(after.value.value.split())
    return docs


def flag_name(path: str) -> str:
    """``--net-hidden`` for the field path ``net.hidden``."""
    return "--" + path.replace(".", "-").replace("_", "-")


def _optional(kind: Any) -> tuple[Any, bool]:
    """(inner type, True) for ``X | None``; (kind, False) otherwise."""
    if typing.get_origin(kind) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(kind) if a is not type(None)]
        if len(args) == 1 and len(args) < len(typing.get_args(kind)):
            return args[0], True
    return kind, False


def _converter(kind: Any, nullable: bool) -> Callable[[str], Any]:
    """The argparse ``type`` for a field type (ValueError on bad text: argparse names flag and value)."""
    base = kind if kind in (int, float, str) else str

    def convert(text: str) -> Any:
        if nullable and text.lower() == "none":
            return None
        return base(text)

    convert.__name__ = base.__name__  # argparse's message: "invalid int value: 'x'"
    return convert


def _default_of(field: dataclasses.Field[Any], parent: Any) -> Any:
    if parent is not None:
        return getattr(parent, field.name)
    if field.default is not dataclasses.MISSING:
        return field.default
    if field.default_factory is not dataclasses.MISSING:
        return field.default_factory()
    return dataclasses.MISSING


def add_flags(parser: argparse.ArgumentParser | argparse._ArgumentGroup, cls: type, *, prefix: str = "",
              defaults: Any = None, aliases: Mapping[str, Sequence[str]] | None = None,
              skip: Collection[str] = (), required: Collection[str] = ()) -> None:
    """Declare a flag for every field of dataclass ``cls`` on ``parser``.

    Args:
        parser: the parser (or argument group) to extend.
        cls: the config dataclass.
        prefix: field path of ``cls`` inside an outer config (``"net."``); flags and ``dest`` carry it.
        defaults: an instance whose values are shown as the defaults (nested fields: the outer default).
        aliases: extra flag names by field path (``{"pbs_per_generation": ["--pbs"]}``).
        skip: field paths not to offer (set elsewhere, e.g. a positional argument).
        required: field paths that must be given (a dataclass default is then not used).
    """
    aliases = aliases or {}
    hints = typing.get_type_hints(cls)
    docs = field_docs(cls)
    for field in dataclasses.fields(cls):
        path = prefix + field.name
        if path in skip or not field.init:
            continue
        kind, nullable = _optional(hints[field.name])
        default = _default_of(field, defaults)
        if dataclasses.is_dataclass(kind):
            add_flags(parser, kind, prefix=path + ".", defaults=None if default is dataclasses.MISSING else default,
                      aliases=aliases, skip=skip, required=required)
            continue
        names = [flag_name(path), *aliases.get(path, ())]
        shown = "" if default is dataclasses.MISSING or path in required else f" (default: {default})"
        options: dict[str, Any] = {"dest": path, "default": argparse.SUPPRESS,
                                   "help": (docs.get(field.name, "") + shown).replace("%", "%%")}
        if path in required or (default is dataclasses.MISSING):
            options["required"] = True
        if kind is bool and not nullable:
            parser.add_argument(*names, action=argparse.BooleanOptionalAction, **options)
            continue
        if typing.get_origin(kind) is typing.Literal:
            options["choices"] = list(typing.get_args(kind)) + ([None] if nullable else [])
        else:
            options["metavar"] = field.name.upper()
        options["type"] = _converter(kind, nullable)
        parser.add_argument(*names, **options)


def given_values(cls: type, args: argparse.Namespace, prefix: str = "") -> dict[str, Any]:
    """The fields of ``cls`` given on the command line, nested dataclasses as dicts of their given fields."""
    hints = typing.get_type_hints(cls)
    values: dict[str, Any] = {}
    for field in dataclasses.fields(cls):
        path = prefix + field.name
        kind, _ = _optional(hints[field.name])
        if dataclasses.is_dataclass(kind):
            inner = given_values(kind, args, path + ".")
            if inner:
                values[field.name] = inner
        elif hasattr(args, path):
            values[field.name] = getattr(args, path)
    return values


def from_flags(cls: type, args: argparse.Namespace, *, prefix: str = "", base: Any = None, **overrides: Any) -> Any:
    """An instance of ``cls``: ``base`` (default: the dataclass's defaults) with the flags that were given
    and then ``overrides`` applied. Invalid values (``__post_init__`` raising) become :class:`InputError`
    whose message names the flags instead of the fields (``lr must be > 0`` -> ``--lr must be > 0``)."""
    try:
        return _replace(cls, base, {**given_values(cls, args, prefix), **overrides})
    except InputError as err:
        raise InputError(flag_names_in(str(err), cls, prefix)) from None


def flag_names_in(message: str, cls: type, prefix: str = "") -> str:
    """``message`` with the field names of ``cls`` (and its nested configs) written as their flags."""
    names: dict[str, str] = {}

    def collect(klass: type, at: str) -> None:  # a config's own fields name first, then its nested ones
        hints = typing.get_type_hints(klass)
        nested = []
        for field in dataclasses.fields(klass):
            kind, _ = _optional(hints[field.name])
            if dataclasses.is_dataclass(kind):
                nested.append((kind, at + field.name + "."))
            else:
                names.setdefault(field.name, flag_name(at + field.name))
        for kind, path in nested:
            collect(kind, path)

    collect(cls, prefix)
    pattern = re.compile(r"(?<![\w.-])(" + "|".join(sorted(map(re.escape, names), key=len, reverse=True)) + r")(?![\w-])")
    return pattern.sub(lambda m: names[m.group(1)], message) if names else message


def _replace(cls: type, base: Any, values: Mapping[str, Any]) -> Any:
    hints = typing.get_type_hints(cls)
    ready: dict[str, Any] = {}
    for name, value in values.items():
        kind, _ = _optional(hints[name])
        if dataclasses.is_dataclass(kind) and isinstance(value, dict):
            inner_base = getattr(base, name) if base is not None else None
            if inner_base is None:
                field = next(f for f in dataclasses.fields(cls) if f.name == name)
                inner_base = _default_of(field, None)
                inner_base = None if inner_base is dataclasses.MISSING else inner_base
            value = _replace(kind, inner_base, value)
        ready[name] = value
    try:
        return dataclasses.replace(base, **ready) if base is not None else cls(**ready)
    except InputError:
        raise
    except (TypeError, ValueError) as err:  # __post_init__ checks of configs that raise ValueError
        raise InputError(str(err)) from None
