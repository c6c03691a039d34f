"""Contracts of the agent layer: the Agent interface, spec strings and their typed options, errors.

A spec string names an agent and its options: ``name[:positional][,key=value...]``, e.g.
``random``, ``stockfish:elo=1500``, ``mcts:sims=800,eval=rollout``, ``net:runs/c4/checkpoints/000100.pt``.
Each agent kind declares its options as a frozen dataclass; :func:`parse_options` converts the text
values to the field types and rejects unknown keys and malformed values with :class:`AgentSpecError`.
A field declared with ``metadata={"prefix": "option"}`` (type ``tuple[tuple[str, str], ...]``) collects
every ``option.NAME=VALUE`` key as a ``(NAME, VALUE)`` pair, in spec order: the ``uci`` agent passes
them to its engine (``uci:cmd=/usr/games/stockfish,option.Hash=64``).
"""
from __future__ import annotations

import abc
import dataclasses
import types
import typing
from dataclasses import dataclass
from typing import Any, Callable, Protocol, Sequence, runtime_checkable

import numpy as np

from games.core import Game, InputError, State


class AgentSpecError(InputError):
    """A malformed or unknown agent spec string."""


class AgentError(InputError):
    """An agent cannot run (engine missing or dead, checkpoint unusable, ...)."""


class Agent(abc.ABC):
    """Something that picks actions (like open_spiel's Bot)."""

    @abc.abstractmethod
    def act(self, state: State) -> int:
        """The action to play in ``state`` (a decision node where this agent is to move)."""

    def act_with_policy(self, state: State) -> tuple[int, np.ndarray]:
        """The action and the policy it was drawn from (float64 [num_actions]); default one-hot."""
        action = self.act(state)
        policy = np.zeros(state.game.spec.num_actions)
        policy[action] = 1.0
        return action, policy

    def observe(self, state: State, action: int) -> None:
        """Told of every action applied to the game (own, opponent's, chance), before it is applied."""

    def reset(self) -> None:
        """Forget everything about the current game (a new game starts)."""

    def new_game(self, seed: int) -> None:
        """A game seeded by ``seed`` starts: forget the last one; an agent with randomness of its own draws
        this game's from (its seed, ``seed``), so a game plays the same whatever was played before it or
        beside it. Default: :meth:`reset`."""
        self.reset()

    def close(self) -> None:
        """Release resources (engine processes, ...). Safe to call twice."""

    def __enter__(self) -> "Agent":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class MultiGameAgent(Agent):
    """An agent that plays ``slots`` games at once (slot k = one game) and answers the moves of several
    slots with shared work (MCTS: one tree per slot, one network call for all their leaves). The
    single-game methods of :class:`Agent` act on slot 0."""

    slots: int = 1

    @abc.abstractmethod
    def act_many(self, states: Sequence[State], slots: Sequence[int]) -> list[int]:
        """The action for ``states[i]``, the position of the game in slot ``slots[i]`` (distinct slots)."""

    @abc.abstractmethod
    def observe_slot(self, slot: int, state: State, action: int) -> None:
        """:meth:`Agent.observe` for the game in ``slot``."""

    @abc.abstractmethod
    def new_game_slot(self, slot: int, seed: int) -> None:
        """:meth:`Agent.new_game` for ``slot``."""

    def act(self, state: State) -> int:
        return self.act_many([state], [0])[0]

    def observe(self, state: State, action: int) -> None:
        self.observe_slot(0, state, action)

    def new_game(self, seed: int) -> None:
        self.new_game_slot(0, seed)


@dataclass(frozen=True)
class AgentSpec:
    """A parsed spec string."""

    name: str
    positional: str | None
    params: dict[str, str]
    text: str


def parse_spec(text: str) -> AgentSpec:
    """Split ``name[:positional][,key=value...]``; raises :class:`AgentSpecError`."""
    raw = text.strip()
    if not raw:
        raise AgentSpecError("empty agent spec")
    name, _, rest = raw.partition(":")
    name = name.strip()
    if not name or not name.replace("_", "").isalnum():
        raise AgentSpecError(f"malformed agent spec '{text}': bad agent name '{name}'")
    positional: str | None = None
    params: dict[str, str] = {}
    if rest:
        for i, part in enumerate(rest.split(",")):
            part = part.strip()
            if not part:
                raise AgentSpecError(f"malformed agent spec '{text}': empty option")
            if "=" not in part:
                if i != 0:
                    raise AgentSpecError(f"malformed agent spec '{text}': '{part}' is not key=value")
                positional = part
                continue
            key, _, value = part.partition("=")
            key = key.strip()
            if not key or key in params:
                raise AgentSpecError(f"malformed agent spec '{text}': bad or repeated option '{key}'")
            params[key] = value.strip()
    return AgentSpec(name=name, positional=positional, params=params, text=raw)


def _convert(agent: str, key: str, value: str, kind: Any) -> Any:
    origin = typing.get_origin(kind)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(kind) if a is not type(None)]
        if value.lower() in ("none", "") and len(args) < len(typing.get_args(kind)):
            return None
        return _convert(agent, key, value, args[0])
    if origin is typing.Literal:
        allowed = typing.get_args(kind)
        if value not in allowed:
            raise AgentSpecError(f"option '{key}' of '{agent}' must be one of {', '.join(map(str, allowed))}; got '{value}'")
        return value
    try:
        if kind is bool:
            low = value.lower()
            if low in ("1", "true", "yes", "on"):
                return True
            if low in ("0", "false", "no", "off"):
                return False
            raise ValueError(value)
        if kind is int:
            return int(value)
        if kind is float:
            return float(value)
        if kind is str:
            return value
    except ValueError:
        raise AgentSpecError(f"option '{key}' of '{agent}' must be {kind.__name__}; got '{value}'") from None
    raise TypeError(f"unsupported option type {kind!r} for {agent}.{key}")


def parse_options(spec: AgentSpec, options_cls: type, positional_field: str | None = None) -> Any:
    """Build ``options_cls`` (a dataclass) from the spec's text values, checking names and types."""
    hints = typing.get_type_hints(options_cls)
    fields = {f.name for f in dataclasses.fields(options_cls)}
    values: dict[str, Any] = {}
    raw = dict(spec.params)
    if spec.positional is not None:
        if positional_field is None:
            raise AgentSpecError(f"agent '{spec.name}' takes no positional argument ('{spec.positional}')")
        if positional_field in raw:
            raise AgentSpecError(f"agent '{spec.name}': '{positional_field}' given twice")
        raw[positional_field] = spec.positional
    prefixes = {f.metadata["prefix"]: f.name for f in dataclasses.fields(options_cls) if "prefix" in f.metadata}
    for key, value in raw.items():
        head, dot, rest = key.partition(".")
        if dot and head in prefixes:
            if not rest:
                raise AgentSpecError(f"option '{key}' of '{spec.name}' needs a name after '{head}.'")
            values[prefixes[head]] = values.get(prefixes[head], ()) + ((rest, value),)
            continue
        if key not in fields or key in prefixes.values():
            known = ", ".join(sorted(f if f not in prefixes.values() else f"{f}.NAME" for f in fields)) or "none"
            raise AgentSpecError(f"unknown option '{key}' for agent '{spec.name}' (known: {known})")
        values[key] = _convert(spec.name, key, value, hints[key])
    try:
        return options_cls(**values)
    except TypeError as err:  # a required field is missing
        raise AgentSpecError(f"agent '{spec.name}': {err}") from None
    except ValueError as err:  # __post_init__ validation
        raise AgentSpecError(f"agent '{spec.name}': {err}") from None


@dataclass(frozen=True)
class AgentKind:
    """One registered kind of agent: its options and how to build it."""

    name: str
    options: type
    """Frozen dataclass of the options (a docstring per field)."""
    build: Callable[[Game, Any, int], Agent]
    """``build(game, options, seed) -> Agent``."""
    positional: str | None = None
    """Option that a bare first value fills (``net:PATH`` -> ``path``)."""
    help: str = ""
    """One line for ``--help`` listings."""
    multi: Callable[[Game, Any, int, int], MultiGameAgent] | None = None
    """``multi(game, options, seed, slots)``: one agent playing ``slots`` games at once (kinds that can
    share work across games); None: a match runs one agent per game in flight."""


@dataclass(frozen=True)
class PuzzleResult:
    """An agent's answer to one puzzle (one-player games)."""

    answer: str
    """The final grid as text (81 characters for sudoku)."""
    guesses: int
    """Search guesses the agent made (its own count)."""
    nodes: int
    """Search nodes the agent visited."""
    seconds: float
    """Seconds the agent spent."""
    iterations: int | None = None
    """Recurrent iterations the network thought for (summed over its calls), or None for agents without."""


@runtime_checkable
class PuzzleSolver(Protocol):
    """An agent that can answer a whole puzzle at once (:mod:`agents.arena.puzzles` checks the answer)."""

    def solve_puzzle(self, state: State) -> PuzzleResult:
        """The answer to the puzzle ``state`` (not changed)."""
        ...


@runtime_checkable
class RangeAgent(Protocol):
    """A poker agent whose strategy can be read for every private hand at once (no-limit hold'em): what
    local best response (:mod:`agents.arena.lbr`) tracks the agent's range with and AIVAT corrects with."""

    def hand_policy(self, state: State) -> tuple[np.ndarray, np.ndarray]:
        """(actions int64 [k], probabilities float64 [G, k]) at a decision of the agent's seat: the
        distribution over real actions of every private hand G (for hold'em the 1,326 combos of
        :data:`search.cfr.abstraction.COMBOS`; rows of combos that meet the board are arbitrary). It
        depends on the public state only, never on the agent's own cards, and ``act`` samples from the
        row of the agent's hand."""
        ...
