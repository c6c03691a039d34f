"""Contracts of the game layer: game properties as data, the State base class, errors.

Every game of the project is a :class:`Game` that declares a :class:`GameSpec` and makes
:class:`State` objects. Algorithms read the spec and refuse games they cannot handle with
:class:`UnsupportedGameError`.

Conventions fixed here and tested everywhere:

* ``current_player`` is ``0 .. num_players-1`` at decision nodes, :data:`CHANCE` at chance nodes
  and :data:`TERMINAL` once the game is over.
* ``returns()`` is one float per player; a draw is ``0.0``.
* Values seen by search are *for the player to move*, in ``[-1, 1]``.
* Chance outcomes are actions too (``legal_actions()`` at a chance node lists them and
  ``chance_outcomes()`` gives their probabilities), as in open_spiel.
"""
from __future__ import annotations

import abc
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from games.compiled import CompiledGame

CHANCE = -1
"""``current_player`` at a chance node."""
TERMINAL = -4
"""``current_player`` once the game is over (open_spiel's kTerminalPlayerId)."""


class InputError(ValueError):
    """Bad input from a user (a file, a string, an option). Command lines print one line, exit 2."""


class GameError(InputError):
    """A problem with a game or a state."""


class UnknownGameError(GameError):
    """No game of that name is registered."""


class IllegalActionError(GameError):
    """An action that is not legal in the state it was applied to."""


class StateParseError(GameError):
    """Text that does not describe a state of the game (malformed FEN, sudoku string, ...)."""


class UnsupportedGameError(GameError):
    """An algorithm was asked to handle a game whose properties it cannot handle."""


@dataclass(frozen=True)
class GameSpec:
    """Properties of a game, declared as data."""

    name: str
    """Registry name, e.g. ``"chess"`` or ``"openspiel:hex"``."""
    num_players: int
    """1 (sudoku) or 2."""
    num_actions: int
    """Size of the player action space (chance outcomes are numbered separately)."""
    observation_shape: tuple[int, ...]
    """Shape of ``State.observation()`` (float32, from the mover's view)."""
    max_game_length: int
    """Upper bound on the number of player actions in a game."""
    min_utility: float
    """Lowest return a player can get."""
    max_utility: float
    """Highest return a player can get."""
    zero_sum: bool
    """Returns sum to zero at every terminal state."""
    perfect_information: bool
    """Every player sees the whole state (no hidden cards)."""
    has_chance: bool
    """The game has chance nodes."""
    compiled: "CompiledGame | None" = None
    """The game's numba rules under the compiled-game protocol (:mod:`games.compiled`), if it has
    them: search then runs whole simulations in compiled code. None: search replays paths through
    the Python State."""
    mirror_actions: tuple[int, ...] | None = None
    """A left-right symmetry, if the game has one: reversing the last axis of an observation gives the
    observation of the mirrored position, whose action ``mirror_actions[a]`` corresponds to ``a``
    (connect four: columns 6..0). Learners use it to double their data."""


class State(abc.ABC):
    """A game state. The public ``apply`` does the bookkeeping and calls the game's ``_apply`` hook."""

    def __init__(self, game: "Game") -> None:
        self._game = game
        self.history: list[int] = []
        """Every action applied so far, chance outcomes included."""

    # ----- properties every game implements -------------------------------------------------
    @property
    def game(self) -> "Game":
        return self._game

    @property
    @abc.abstractmethod
    def current_player(self) -> int:
        """Player to move (0..P-1), :data:`CHANCE` or :data:`TERMINAL`."""

    @abc.abstractmethod
    def legal_actions(self) -> np.ndarray:
        """Sorted int64 array of legal actions (chance outcomes at a chance node; empty if terminal)."""

    @abc.abstractmethod
    def _apply(self, action: int) -> None:
        """Game-specific transition; ``apply`` has already checked legality."""

    @abc.abstractmethod
    def is_terminal(self) -> bool:
        """True once the game is over."""

    @abc.abstractmethod
    def returns(self) -> np.ndarray:
        """float64 array [num_players]: final returns (zeros before the end); a draw is 0.0."""

    @abc.abstractmethod
    def observation(self) -> np.ndarray:
        """float32 array of ``spec.observation_shape``, from the view of the player to move."""

    @abc.abstractmethod
    def copy(self) -> "State":
        """An independent copy (history included)."""

    @abc.abstractmethod
    def __str__(self) -> str:
        """Text that ``game.state_from_string`` turns back into an equal state."""

    @abc.abstractmethod
    def action_to_string(self, action: int) -> str:
        """The game's usual notation for ``action`` in this state (SAN for chess, ...)."""

    # ----- shared behaviour -------------------------------------------------------------------
    def apply(self, action: int) -> None:
        """Apply a legal action; raises :class:`IllegalActionError` otherwise."""
        action = int(action)
        if self.is_terminal():
            raise IllegalActionError(f"{self._game.spec.name}: the game is over; cannot apply {action}")
        if not self.is_legal(action):
            raise IllegalActionError(f"{self._game.spec.name}: illegal action {action} in state {self}")
        self._apply(action)
        self.history.append(action)

    def apply_unchecked(self, action: int) -> None:
        """Apply an action known to be legal (search code); skips the legality test."""
        action = int(action)
        self._apply(action)
        self.history.append(action)

    def is_legal(self, action: int) -> bool:
        """Whether ``action`` is legal here. Games may override with something cheaper."""
        legal = self.legal_actions()
        idx = np.searchsorted(legal, action)
        return bool(idx < len(legal) and legal[idx] == action)

    def is_chance_node(self) -> bool:
        return self.current_player == CHANCE

    def legal_action_mask(self) -> np.ndarray:
        """bool array [num_actions], True at legal player actions (all False at chance/terminal)."""
        mask = np.zeros(self._game.spec.num_actions, dtype=bool)
        if self.current_player >= 0:
            mask[self.legal_actions()] = True
        return mask

    def chance_outcomes(self) -> tuple[np.ndarray, np.ndarray]:
        """(actions int64 [K], probabilities float64 [K]) at a chance node."""
        raise GameError(f"{self._game.spec.name} has no chance nodes")

    def string_to_action(self, text: str) -> int:
        """Inverse of ``action_to_string`` over the legal actions; raises IllegalActionError."""
        text = text.strip()
        for action in self.legal_actions():
            if self.action_to_string(int(action)) == text:
                return int(action)
        raise IllegalActionError(f"{self._game.spec.name}: '{text}' is not a legal move here")

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self}>"


class Game(abc.ABC):
    """A game: its spec and a way to make states."""

    spec: GameSpec

    @abc.abstractmethod
    def new_state(self, rng: np.random.Generator | None = None) -> State:
        """The initial state (``rng`` only for games whose start is random, e.g. a generated puzzle)."""

    @abc.abstractmethod
    def state_from_string(self, text: str) -> State:
        """Parse ``str(state)`` back; raises :class:`StateParseError` on malformed text."""

    def require(self, *, num_players: tuple[int, ...] | None = None, perfect_information: bool | None = None,
                chance: bool | None = None, what: str = "this algorithm") -> None:
        """Raise :class:`UnsupportedGameError` unless the game has the given properties."""
        s = self.spec
        if num_players is not None and s.num_players not in num_players:
            raise UnsupportedGameError(f"{what} needs a game of {num_players} players; {s.name} has {s.num_players}")
        if perfect_information is not None and s.perfect_information != perfect_information:
            kind = "perfect" if perfect_information else "imperfect"
            raise UnsupportedGameError(f"{what} needs a game of {kind} information; {s.name} is not")
        if chance is not None and s.has_chance != chance:
            raise UnsupportedGameError(f"{what} {'needs' if chance else 'cannot handle'} chance nodes ({s.name})")

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.spec.name}>"


def random_playout(state: State, rng: np.random.Generator) -> State:
    """Play uniformly random legal actions (chance by its probabilities) until the end; returns ``state``."""
    while not state.is_terminal():
        if state.is_chance_node():
            actions, probs = state.chance_outcomes()
            state.apply_unchecked(int(actions[rng.choice(len(actions), p=probs)]))
        else:
            legal = state.legal_actions()
            state.apply_unchecked(int(legal[rng.integers(len(legal))]))
    return state
