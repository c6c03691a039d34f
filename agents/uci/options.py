"""The engine's UCI options in one table: name, type, default, range, meaning; parsing and validation.

UCI has no number type for fractions: CPuct, Temperature and the like are ``type string`` options holding
a decimal number, checked against their range like a spin. A bad ``setoption`` raises
:class:`OptionError`; the engine answers it with ``info string error ...`` and keeps the old value.
:func:`check_value` holds the checks that need the machine (the network file exists, the backend is
available here): ``setoption`` and the command-line flags both go through it.

Tree memory: ``Hash`` (MB) bounds the nodes of the search tree at ``Hash * 2**20 // BYTES_PER_NODE``
(:func:`max_nodes`). A node costs 40 bytes in the node arrays (parent, action, player, visits, value sum,
network value, first edge, edge count, proven value) and the edge arrays are allocated at
:data:`~search.mcts.batched.EDGES_PER_COMPILED_NODE` (48) slots of 12 bytes (action, prior, child) per
node: 616 bytes. The whole tree is allocated when the engine gets ready (like a hash table), so a search
never stops to grow its arrays; the edge arrays still double in the rare tree that needs more than 48
edges per node on average.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Union

from games.core import InputError
from search.mcts.batched import EDGES_PER_COMPILED_NODE

BYTES_PER_NODE = 40 + EDGES_PER_COMPILED_NODE * 12
"""Bytes of tree memory per node: node arrays + the searcher's edge slots of 12 bytes (module docstring)."""
MATERIAL = "<material>"
"""``WeightsFile`` value meaning: no network, leaves valued by material (compiled search)."""

Value = Union[bool, int, float, str]
OptionType = Literal["check", "spin", "combo", "string", "button"]


class OptionError(InputError):
    """A ``setoption`` with an unknown name or a value out of range."""


@dataclass(frozen=True)
class EngineOption:
    """One advertised UCI option."""

    name: str
    """Name as UCI shows it (``Move Overhead``)."""
    type: OptionType
    """UCI type; a ``string`` with ``number`` set holds a decimal number."""
    default: Value
    """Value at start (and the ``default`` advertised)."""
    help: str
    """What it does (the README's options table)."""
    min: float | None = None
    """Smallest value of a spin or number option."""
    max: float | None = None
    """Largest value of a spin or number option."""
    choices: tuple[str, ...] = ()
    """Values of a combo."""
    number: bool = False
    """A ``string`` option that holds a decimal number in [min, max]."""
    fixed: bool = False
    """Only the default is accepted (an option advertised for the GUI's sake, e.g. UCI_Chess960)."""

    def declaration(self, default: Value | None = None) -> str:
        """The ``option name ... type ...`` line of the ``uci`` answer (``default``: the value to show as the
        default, e.g. one set on the command line; None = the table's)."""
        parts = [f"option name {self.name} type {self.type}"]
        if self.type != "button":
            default = self.default if default is None else default
            text = ("true" if default else "false") if isinstance(default, bool) else f"{default:g}" \
                if isinstance(default, float) else str(default)
            parts.append(f"default {text}")
        if self.type == "spin":
            parts.append(f"min {int(self.min or 0)} max {int(self.max or 0)}")
        parts.extend(f"var {choice}" for choice in self.choices)
        return " ".join(parts)

    def parse(self, text: str) -> Value:
        """The value ``text`` sets; raises :class:`OptionError` naming the option and what it accepts."""
        text = text.strip()
        value: Value
        if self.type == "button":
            return True
        if self.type == "check":
            if text.lower() not in ("true", "false"):
                raise OptionError(f"{self.name} must be true or false; got '{text}'")
            value = text.lower() == "true"
        elif self.type == "combo":
            match = [c for c in self.choices if c.lower() == text.lower()]
            if not match:
                raise OptionError(f"{self.name} must be one of {', '.join(self.choices)}; got '{text}'")
            value = match[0]
        elif self.type == "spin" or self.number:
            value = self._number(text)
        else:
            if not text:
                raise OptionError(f"{self.name} needs a value")
            value = text
        if self.fixed and value != self.default:
            shown = str(self.default).lower() if isinstance(self.default, bool) else str(self.default)
            raise OptionError(f"{self.name} can only be {shown}; got '{text}'")
        return value

    def _number(self, text: str) -> int | float:
        try:
            value: int | float = int(text) if self.type == "spin" else float(text)
        except ValueError:
            kind = "an integer" if self.type == "spin" else "a number"
            raise OptionError(f"{self.name} must be {kind}; got '{text}'") from None
        lo, hi = self.min, self.max
        if not (lo is None or value >= lo) or not (hi is None or value <= hi) or value != value:
            raise OptionError(f"{self.name} must lie in [{lo:g}, {hi:g}]; got {text}")
        return value


def _spin(name: str, default: int, lo: int, hi: int, help: str) -> EngineOption:
    return EngineOption(name, "spin", default, help, min=lo, max=hi)


def _number(name: str, default: float, lo: float, hi: float, help: str) -> EngineOption:
    return EngineOption(name, "string", float(default), help, min=lo, max=hi, number=True)


def _check(name: str, default: bool, help: str, fixed: bool = False) -> EngineOption:
    return EngineOption(name, "check", default, help, fixed=fixed)


OPTIONS: tuple[EngineOption, ...] = (
    EngineOption("WeightsFile", "string", MATERIAL,
                 "Network checkpoint (.pt) or exported network (.onnx); <material> = no network: leaves valued "
                 "by material in compiled code"),
    EngineOption("Backend", "combo", "auto", "Network inference: auto (cuda with a GPU, else onnx), torch, onnx, cuda",
                 choices=("auto", "torch", "onnx", "cuda")),
    _spin("Threads", 1, 1, max(1, os.cpu_count() or 1),
          "Threads of network inference (ONNX Runtime intra-op / torch); the tree search itself is one thread"),
    _spin("MinibatchSize", 8, 1, 1024, "Leaves gathered (with virtual loss) per network call"),
    _spin("Hash", 256, 1, 65536, f"Tree memory in MB, allocated when the engine gets ready: at most "
                                 f"Hash * 2^20 / {BYTES_PER_NODE} nodes"),
    EngineOption("Clear Hash", "button", False, "Forget the search tree"),
    _spin("MultiPV", 1, 1, 256, "Lines reported (the most visited root moves)"),
    _spin("Move Overhead", 50, 0, 5000, "Milliseconds of GUI/network delay assumed per move (time management); "
                                        "raise it for a remote GUI or a busy machine"),
    _number("Slowmover", 1.0, 0.05, 10.0, "Scale of the time planned per move (1 = the default plan)"),
    _spin("NodesPerMove", 0, 0, 2**31 - 1,
          "Most simulations per search (0 = no cap); a bare 'go' searches this many (0: until 'stop')"),
    _number("CPuct", 1.25, 0.0, 100.0, "PUCT exploration constant c_init"),
    _number("CPuctBase", 19652.0, 1.0, 1e9, "PUCT c_base: c = CPuct + log((N + CPuctBase + 1) / CPuctBase)"),
    _number("FpuValue", 0.0, -2.0, 2.0, "First-play urgency reduction: an unvisited move is valued at its "
                                        "parent's value minus this"),
    _number("Temperature", 0.0, 0.0, 100.0, "Move choice: 0 = most visited, else visits^(1/T) at random"),
    _check("Ponder", False, "The GUI may ask to think on the opponent's time (go ponder / ponderhit)"),
    _check("UCI_ShowWDL", False, "Add 'wdl W D L' (per mille) to info lines"),
    _check("UCI_Chess960", False, "Standard chess only (false)", fixed=True),
    _check("VerboseMoveStats", False, "After each search, one 'info string' per root move: visits, prior, Q"),
)
"""Every option the engine advertises, in the order of the ``uci`` answer."""
BY_NAME = {option.name.lower(): option for option in OPTIONS}
"""Options by lower-case name (UCI option names are case-insensitive)."""


def defaults() -> dict[str, Value]:
    """Name -> default value of every option."""
    return {option.name: option.default for option in OPTIONS}


def parse_setoption(args: list[str]) -> tuple[EngineOption, Value]:
    """``setoption name NAME [value VALUE]`` (the words after ``setoption``) -> (option, new value).

    Names and values may contain spaces. Raises :class:`OptionError`.
    """
    if not args or args[0] != "name":
        raise OptionError("setoption needs 'name NAME [value VALUE]'")
    rest = args[1:]
    cut = rest.index("value") if "value" in rest else len(rest)
    name, text = " ".join(rest[:cut]), " ".join(rest[cut + 1:])
    option = BY_NAME.get(name.lower())
    if option is None:
        raise OptionError(f"unknown option '{name}'")
    if cut == len(rest) and option.type != "button":
        raise OptionError(f"setoption {option.name} needs 'value VALUE'")
    return option, option.parse(text)


def check_value(option: EngineOption, value: Value) -> None:
    """Raise :class:`OptionError` when this machine cannot use ``value`` (already parsed) for ``option``:
    a ``WeightsFile`` that is not a file, a ``Backend`` it lacks. The message does not name the option
    (its caller does: ``setoption`` by the option's name, the command line by its flag)."""
    if option.name == "WeightsFile" and value != MATERIAL and not Path(str(value)).is_file():
        raise OptionError(f"no network file '{value}'")
    if option.name == "Backend":
        from agents.nets.backends import BackendError, resolve_backend  # torch: imported only when needed

        try:
            resolve_backend(str(value))
        except BackendError as err:
            raise OptionError(str(err).splitlines()[0]) from None


def max_nodes(hash_mb: int) -> int:
    """Most tree nodes ``hash_mb`` MB hold (:data:`BYTES_PER_NODE` each), at least 1,024."""
    return max(1024, hash_mb * 2**20 // BYTES_PER_NODE)
