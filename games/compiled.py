"""The compiled-game protocol: what a game with numba rules declares so that search runs whole
simulations in compiled code without ever naming the game.

A game with compiled rules puts a :class:`CompiledGame` on its spec (``GameSpec.compiled``). Its
``rules`` is an instance of a NamedTuple class of the game's own (the *rules tag*): the tuple's fields
are run-time parameters the kernels may read (chess: the length limit), and the class carries the
game's kernels (:class:`Kernels`, attached with :func:`attach_kernels`). Compiled search code calls
the protocol functions below (``rules_apply(rules, stack, d, action)``, ...); numba resolves each call
at compile time from the tag's class, so a search loop is specialised per game, cached on disk per
game, and never compiles another game's kernels.

Why a tag and not the kernels themselves as arguments: numba types a function passed as a value by
its address, so a loop taking kernels as arguments (or closing over them) is recompiled in every
process (measured: no cache hit, numba 0.68). A NamedTuple class is pickled by name: cached.

**Positions on a stack.** Kernels work on ``stack``, an int64 array ``[R, S]``: one position per row
(``S = state_size`` words, the game's own layout). Rows ``0 .. H-1`` hold the root's history, oldest
first, the root itself in row ``H - 1`` (``H = history``; games that need no history have H = 1);
search writes the positions along a path below it: ``rules_apply(rules, stack, d, a)`` writes row
``d + 1`` from row ``d`` (copy-make), and kernels may read rows above ``d`` (repetitions, history
planes). ``R >= H + max_plies + 1``: :func:`stack_rows`.

The kernels (each takes ``rules`` first; ``d`` is the row of the position concerned):

* ``apply(rules, stack, d, action) -> None``: row ``d + 1`` = row ``d`` after the legal ``action``.
* ``expand(rules, stack, d, actions) -> int``: the legal actions of row ``d``, sorted ascending,
  into ``actions`` (int32, at least ``max_actions`` long); their count; 0 iff the game is over there
  (every ending: no move, a draw rule, the length limit).
* ``outcome(rules, stack, d) -> float``: for a position where ``expand`` gave 0, the return of the
  player who moved into it (-1, 0 or +1 ...).
* ``player(rules, stack, d) -> int``: the player to move in row ``d`` (0 .. P-1).
* ``observe(rules, stack, d, out) -> None``: the network input of row ``d`` (what
  ``State.observation()`` gives, flattened) into ``out`` (float32 1-D).
* ``rollout(rules, stack, d, actions, rng) -> (float, uint64)``: one uniformly random playout from
  the ongoing row ``d`` (rows below it and ``actions``, int32 [max_actions], are scratch); its value
  for the player to move at ``d`` and the generator state (:func:`splitmix_next`). Optional.
* ``heuristic(rules, stack, d, actions, k, logits, hparams) -> float``: a classical evaluation of
  ongoing row ``d`` whose legal actions are ``actions[:k]``: writes prior logits for them into
  ``logits[:k]`` (float64) and returns the value for the player to move in [-1, 1]; ``hparams``
  (float64 1-D) are the evaluator's options (chess material: capture and check bonus). Optional.

Kernels must not allocate (search calls them from loops compiled without reference counting).
The State side: ``CompiledGame.root(state)`` gives the H rows of a state (int64 [H, S]).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, NamedTuple

import numpy as np
from numba import njit, types
from numba.core.errors import TypingError
from numba.extending import overload


class Kernels(NamedTuple):
    """The numba functions of a game (dispatchers; None where the game has no such kernel)."""

    apply: Any
    expand: Any
    outcome: Any
    player: Any
    observe: Any
    rollout: Any = None
    heuristic: Any = None


@dataclass(frozen=True)
class CompiledGame:
    """What a game with compiled rules declares on its spec (see the module docstring)."""

    rules: tuple
    """The rules tag: an instance of the game's NamedTuple class that :func:`attach_kernels` equipped."""
    root: Callable[[Any], np.ndarray]
    """``root(state) -> int64 [H, S]``: the state's position and its history rows (root last)."""
    state_size: int
    """S: int64 words of one position row."""
    history: int
    """H: rows of root history the kernels read (the root is row H - 1)."""
    max_actions: int
    """Most legal actions a position can have (size of the action buffers)."""
    max_plies: int
    """Most plies a path or a playout can add below a root (the game's length limit)."""

    @property
    def kernels(self) -> Kernels:
        """The game's kernels."""
        return kernels_of(self.rules)

    @property
    def has_rollout(self) -> bool:
        return self.kernels.rollout is not None

    @property
    def has_heuristic(self) -> bool:
        return self.kernels.heuristic is not None


def attach_kernels(rules_class: type, kernels: Kernels) -> None:
    """Equip a rules-tag class (a NamedTuple class) with its game's kernels."""
    rules_class.KERNELS = kernels  # type: ignore[attr-defined]


def kernels_of(rules: Any) -> Kernels:
    """The kernels of a rules tag (an instance or its class)."""
    cls = rules if isinstance(rules, type) else type(rules)
    kernels: Kernels | None = getattr(cls, "KERNELS", None)
    if kernels is None:
        raise TypeError(f"{cls.__name__} has no kernels (attach_kernels was not called)")
    return kernels


def stack_rows(game: CompiledGame) -> int:
    """Rows of a stack that holds a root's history and the longest path or playout below it."""
    return game.history + game.max_plies + 2


def new_stack(game: CompiledGame) -> np.ndarray:
    """A zeroed int64 stack ``[stack_rows(game), S]``."""
    return np.zeros((stack_rows(game), game.state_size), np.int64)


# ----- the protocol functions (callable from compiled code only) --------------------------------------


def _compiled_only(name: str) -> TypeError:
    return TypeError(f"{name} is for compiled code: call it from an @njit function")


def rules_apply(rules: Any, stack: np.ndarray, d: int, action: int) -> None:
    """Row ``d + 1`` = row ``d`` after ``action`` (see the module docstring)."""
    raise _compiled_only("rules_apply")


def rules_expand(rules: Any, stack: np.ndarray, d: int, actions: np.ndarray) -> int:
    """Sorted legal actions of row ``d`` into ``actions``; their count, 0 iff the game is over."""
    raise _compiled_only("rules_expand")


def rules_outcome(rules: Any, stack: np.ndarray, d: int) -> float:
    """Return of the player who moved into the finished position of row ``d``."""
    raise _compiled_only("rules_outcome")


def rules_player(rules: Any, stack: np.ndarray, d: int) -> int:
    """Player to move in row ``d``."""
    raise _compiled_only("rules_player")


def rules_observe(rules: Any, stack: np.ndarray, d: int, out: np.ndarray) -> None:
    """Network input of row ``d`` into ``out`` (float32 1-D)."""
    raise _compiled_only("rules_observe")


def rules_rollout(rules: Any, stack: np.ndarray, d: int, actions: np.ndarray,
                  rng: np.uint64) -> tuple[float, np.uint64]:
    """(value for the player to move, generator state) of one random playout from row ``d``."""
    raise _compiled_only("rules_rollout")


def rules_heuristic(rules: Any, stack: np.ndarray, d: int, actions: np.ndarray, k: int, logits: np.ndarray,
                    hparams: np.ndarray) -> float:
    """Classical value of row ``d`` for the player to move; prior logits of ``actions[:k]`` into ``logits``."""
    raise _compiled_only("rules_heuristic")


def _kernel(rules: types.Type, name: str, optional: bool = False) -> Any:
    """The dispatcher ``name`` of the rules tag type ``rules`` (a numba NamedTuple type); None for a
    missing optional kernel (search compiles a fallback that it never calls: Python checks first)."""
    cls = getattr(rules, "instance_class", None)
    kernels = getattr(cls, "KERNELS", None) if cls is not None else None
    if kernels is None:
        raise TypingError(f"{rules} is not a rules tag of a compiled game")
    fn = getattr(kernels, name)
    if fn is None and not optional:
        raise TypingError(f"{cls.__name__} has no '{name}' kernel")
    return fn


@overload(rules_apply, inline="always")
def _ol_apply(rules, stack, d, action):  # type: ignore[no-untyped-def]
    fn = _kernel(rules, "apply")

    def impl(rules, stack, d, action):  # type: ignore[no-untyped-def]
        fn(rules, stack, d, action)
    return impl


@overload(rules_expand, inline="always")
def _ol_expand(rules, stack, d, actions):  # type: ignore[no-untyped-def]
    fn = _kernel(rules, "expand")

    def impl(rules, stack, d, actions):  # type: ignore[no-untyped-def]
        return fn(rules, stack, d, actions)
    return impl


@overload(rules_outcome, inline="always")
def _ol_outcome(rules, stack, d):  # type: ignore[no-untyped-def]
    fn = _kernel(rules, "outcome")

    def impl(rules, stack, d):  # type: ignore[no-untyped-def]
        return fn(rules, stack, d)
    return impl


@overload(rules_player, inline="always")
def _ol_player(rules, stack, d):  # type: ignore[no-untyped-def]
    fn = _kernel(rules, "player")

    def impl(rules, stack, d):  # type: ignore[no-untyped-def]
        return fn(rules, stack, d)
    return impl


@overload(rules_observe, inline="always")
def _ol_observe(rules, stack, d, out):  # type: ignore[no-untyped-def]
    fn = _kernel(rules, "observe")

    def impl(rules, stack, d, out):  # type: ignore[no-untyped-def]
        fn(rules, stack, d, out)
    return impl


@overload(rules_rollout, inline="always")
def _ol_rollout(rules, stack, d, actions, rng):  # type: ignore[no-untyped-def]
    fn = _kernel(rules, "rollout", optional=True)
    if fn is None:
        def missing(rules, stack, d, actions, rng):  # type: ignore[no-untyped-def]
            return 0.0, np.uint64(rng)
        return missing

    def impl(rules, stack, d, actions, rng):  # type: ignore[no-untyped-def]
        return fn(rules, stack, d, actions, rng)
    return impl


@overload(rules_heuristic, inline="always")
def _ol_heuristic(rules, stack, d, actions, k, logits, hparams):  # type: ignore[no-untyped-def]
    fn = _kernel(rules, "heuristic", optional=True)
    if fn is None:
        def missing(rules, stack, d, actions, k, logits, hparams):  # type: ignore[no-untyped-def]
            for i in range(k):
                logits[i] = 0.0
            return 0.0
        return missing

    def impl(rules, stack, d, actions, k, logits, hparams):  # type: ignore[no-untyped-def]
        return fn(rules, stack, d, actions, k, logits, hparams)
    return impl


# ----- a generator for compiled playouts -------------------------------------------------------------

_SPLITMIX_GAMMA = np.uint64(0x9E3779B97F4A7C15)
_SPLITMIX_MUL1 = np.uint64(0xBF58476D1CE4E5B9)
_SPLITMIX_MUL2 = np.uint64(0x94D049BB133111EB)


@njit(cache=True, inline="always")
def splitmix_seed(seed: int) -> np.uint64:
    """Generator state for :func:`splitmix_next` from any int seed."""
    return np.uint64(seed & 0x7FFFFFFFFFFFFFFF) * _SPLITMIX_MUL2 + _SPLITMIX_GAMMA


@njit(cache=True, inline="always")
def splitmix_next(rng: np.uint64) -> tuple[np.uint64, np.uint64]:
    """(next state, 64 random bits): splitmix64 (Steele, Lea and Flood 2014) in a local variable."""
    rng = np.uint64(rng) + _SPLITMIX_GAMMA
    z = rng
    z = (z ^ (z >> np.uint64(30))) * _SPLITMIX_MUL1
    z = (z ^ (z >> np.uint64(27))) * _SPLITMIX_MUL2
    return rng, z ^ (z >> np.uint64(31))


@njit(cache=True, inline="always")
def splitmix_below(rng: np.uint64, n: int) -> tuple[np.uint64, int]:
    """(next state, a uniform integer in [0, n)) for 0 < n < 2**32 (Lemire's multiply-shift)."""
    rng, bits = splitmix_next(rng)
    return rng, int(((bits >> np.uint64(32)) * np.uint64(n)) >> np.uint64(32))
