"""Any sequential open_spiel game as a project game: ``make_game("openspiel:hex(board_size=5)")``.

The text after ``openspiel:`` is handed to ``pyspiel.load_game``, so game parameters use its string form,
``name(key=value,...)``. The spec is read from the pyspiel game:

* ``num_actions`` = ``num_distinct_actions()`` (chance outcomes are numbered separately, as in open_spiel);
* ``observation_shape`` = the observation tensor shape for perfect-information games, the information
  state tensor shape for imperfect-information ones (falling back to the other tensor when the game lacks
  one, and to ``(0,)`` when it has neither);
* ``max_game_length`` = ``max_game_length()`` (player actions only, chance excluded), utilities,
  zero-sum (``Utility.ZERO_SUM``), information and chance (any chance mode other than deterministic).

Simultaneous-move and mean-field games are refused with :class:`~games.core.UnsupportedGameError`.

States: ``current_player`` maps open_spiel's chance and terminal ids to :data:`~games.core.CHANCE` and
:data:`~games.core.TERMINAL`; at a chance node ``legal_actions()`` lists the chance outcomes and
``chance_outcomes()`` gives their probabilities. ``str(state)`` is the action history, chance outcomes
included: ``"moves: 3 4 5"`` (``"moves:"`` for the initial state); ``state_from_string`` replays it with
legality checks, and also accepts pyspiel's default serialized form (one action per line).
``observation()`` is float32 from the view of the player to move (player 0 at chance and terminal nodes).
``action_to_string`` is pyspiel's ``action_to_string`` for the player to move.
"""
from __future__ import annotations

import numpy as np
import pyspiel

from games.core import (
    CHANCE,
    TERMINAL,
    Game,
    GameError,
    GameSpec,
    IllegalActionError,
    State,
    StateParseError,
    UnknownGameError,
    UnsupportedGameError,
)

_PREFIX = "moves:"
"""Start of the text form of a state."""


def _load(name: str) -> pyspiel.Game:
    """``pyspiel.load_game(name)``, with open_spiel's errors turned into one-line UnknownGameError."""
    base = name.split("(", 1)[0].strip()
    if base not in pyspiel.registered_names():
        raise UnknownGameError(f"unknown open_spiel game '{base}' (see pyspiel.registered_names())")
    try:
        return pyspiel.load_game(name)
    except pyspiel.SpielError as err:
        first_line = str(err).strip().splitlines()[0] if str(err).strip() else "cannot load"
        raise UnknownGameError(f"open_spiel game '{name}': {first_line}") from None


def _observation_kind(game: pyspiel.Game) -> str:
    """Which tensor ``observation()`` returns: "info_state", "observation" or "none"."""
    gtype = game.get_type()
    perfect = gtype.information == pyspiel.GameType.Information.PERFECT_INFORMATION
    order = ("observation", "info_state") if perfect else ("info_state", "observation")
    provides = {"observation": gtype.provides_observation_tensor,
                "info_state": gtype.provides_information_state_tensor}
    for kind in order:
        if provides[kind]:
            return kind
    return "none"


def _spec(name: str, game: pyspiel.Game, kind: str) -> GameSpec:
    """The project spec of a loaded pyspiel game."""
    gtype = game.get_type()
    if kind == "observation":
        shape = tuple(int(d) for d in game.observation_tensor_shape())
    elif kind == "info_state":
        shape = tuple(int(d) for d in game.information_state_tensor_shape())
    else:
        shape = (0,)
    return GameSpec(
        name=f"openspiel:{name}",
        num_players=int(game.num_players()),
        num_actions=int(game.num_distinct_actions()),
        observation_shape=shape,
        max_game_length=int(game.max_game_length()),
        min_utility=float(game.min_utility()),
        max_utility=float(game.max_utility()),
        zero_sum=gtype.utility == pyspiel.GameType.Utility.ZERO_SUM,
        perfect_information=gtype.information == pyspiel.GameType.Information.PERFECT_INFORMATION,
        has_chance=gtype.chance_mode != pyspiel.GameType.ChanceMode.DETERMINISTIC,
    )


class OpenSpielState(State):
    """A project state around a ``pyspiel.State``."""

    def __init__(self, game: "OpenSpielGame", pystate: pyspiel.State) -> None:
        super().__init__(game)
        self.pystate = pystate
        """The wrapped ``pyspiel.State`` (kept in step with ``history``)."""

    @property
    def current_player(self) -> int:
        """0..P-1, :data:`~games.core.CHANCE` or :data:`~games.core.TERMINAL`."""
        if self.pystate.is_terminal():
            return TERMINAL
        if self.pystate.is_chance_node():
            return CHANCE
        return int(self.pystate.current_player())

    def legal_actions(self) -> np.ndarray:
        """Sorted int64 array: legal actions, chance outcomes at a chance node, empty once terminal."""
        if self.pystate.is_terminal():
            return np.zeros(0, dtype=np.int64)
        return np.array(sorted(self.pystate.legal_actions()), dtype=np.int64)

    def chance_outcomes(self) -> tuple[np.ndarray, np.ndarray]:
        """(actions int64 [K], probabilities float64 [K]) at a chance node, sorted by action."""
        if not self.pystate.is_chance_node():
            raise GameError(f"{self._game.spec.name}: not a chance node")
        pairs = sorted(self.pystate.chance_outcomes())
        actions = np.array([a for a, _ in pairs], dtype=np.int64)
        probs = np.array([p for _, p in pairs], dtype=np.float64)
        return actions, probs

    def _apply(self, action: int) -> None:
        self.pystate.apply_action(action)

    def is_terminal(self) -> bool:
        return bool(self.pystate.is_terminal())

    def returns(self) -> np.ndarray:
        """float64 [num_players]: pyspiel's returns (zeros before the end for terminal-reward games)."""
        return np.array(self.pystate.returns(), dtype=np.float64)

    def observation(self) -> np.ndarray:
        """float32 of ``spec.observation_shape`` from the mover's view (player 0 at chance/terminal)."""
        game: OpenSpielGame = self._game  # type: ignore[assignment]
        player = self.current_player if self.current_player >= 0 else 0
        if game.observation_kind == "observation":
            values = self.pystate.observation_tensor(player)
        elif game.observation_kind == "info_state":
            values = self.pystate.information_state_tensor(player)
        else:
            values = []
        return np.asarray(values, dtype=np.float32).reshape(game.spec.observation_shape)

    def information_state_string(self, player: int) -> str:
        """pyspiel's information state string for ``player``."""
        return str(self.pystate.information_state_string(player))

    def copy(self) -> "OpenSpielState":
        other = OpenSpielState(self._game, self.pystate.clone())  # type: ignore[arg-type]
        other.history = list(self.history)
        return other

    def __str__(self) -> str:
        return " ".join([_PREFIX] + [str(a) for a in self.history])

    def action_to_string(self, action: int) -> str:
        """pyspiel's notation for ``action`` from the player to move (player 0 once terminal)."""
        player = self.current_player
        if player == TERMINAL:
            player = 0
        return str(self.pystate.action_to_string(player, int(action)))


class OpenSpielGame(Game):
    """An open_spiel game loaded by name (``"hex"``, ``"kuhn_poker"``, ``"hex(board_size=5)"``)."""

    def __init__(self, name: str) -> None:
        name = name.strip()
        self.pygame = _load(name)
        """The wrapped ``pyspiel.Game``."""
        gtype = self.pygame.get_type()
        if gtype.dynamics != pyspiel.GameType.Dynamics.SEQUENTIAL:
            raise UnsupportedGameError(f"open_spiel game '{name}' is not sequential ({gtype.dynamics.name}); "
                                       "only turn-based games are supported")
        self.observation_kind = _observation_kind(self.pygame)
        """Which tensor states return as their observation: "observation", "info_state" or "none"."""
        self.spec = _spec(name, self.pygame, self.observation_kind)

    def new_state(self, rng: np.random.Generator | None = None) -> OpenSpielState:
        """The initial state (chance, if any, is played by the caller); ``rng`` is unused."""
        return OpenSpielState(self, self.pygame.new_initial_state())

    def state_from_string(self, text: str) -> OpenSpielState:
        """Replay ``"moves: a b c"`` (or one action per line, pyspiel's serialized form)."""
        stripped = text.strip()
        body = stripped[len(_PREFIX):] if stripped.startswith(_PREFIX) else stripped
        state = self.new_state()
        for i, token in enumerate(body.split()):
            try:
                action = int(token)
            except ValueError:
                raise StateParseError(f"{self.spec.name}: bad action {token!r} at position {i + 1} of "
                                      f"{text!r} (expected '{_PREFIX} a b c' with integer actions)") from None
            try:
                state.apply(action)
            except IllegalActionError:
                raise StateParseError(f"{self.spec.name}: action {action} at position {i + 1} of {text!r} "
                                      "is illegal") from None
        return state
