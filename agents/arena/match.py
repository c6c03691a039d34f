"""Play one game between agents and return its :class:`~agents.arena.records.GameRecord`.

The loop: every agent is told of the new game (``new_game(seed)``) at the start; at a chance node an outcome is drawn from the game's
probabilities with a generator seeded by ``seed``; at a decision node the agent of the player to move
picks an action; before each action is applied, it is written in the game's notation
(``action_to_string``) and every agent is told of it with ``observe(state, action)``. An agent that plays
on a clock and runs out of time raises :class:`~agents.arena.clock.TimeForfeit` from ``act``: the game
ends there, lost by that player (termination ``time_forfeit``, :func:`time_forfeit_returns`).
:class:`GameInProgress` holds these rules for one game; :mod:`agents.arena.concurrent` plays many of
them at once.
"""
from __future__ import annotations

import time
from typing import Protocol, Sequence

import numpy as np

from agents.core import Agent, AgentError
from agents.arena.clock import TIME_FORFEIT, TimeForfeit
from agents.arena.records import GameRecord
from games.core import CHANCE, Game, State


def start_text(state: State) -> str:
    """Text of a start state for the record: the FEN for chess, ``str(state)`` otherwise."""
    board = getattr(state, "board", None)
    fen = getattr(board, "fen", None)
    return str(fen()) if callable(fen) else str(state)


def termination_of(state: State, cut_off: bool) -> str:
    """The game's own word for how it ended (``state.termination()`` if it has one), else ``terminal``."""
    if cut_off:
        return "max_plies"
    word = getattr(state, "termination", None)
    if callable(word):
        text = word()
        if text:
            return str(text)
    return "terminal"


def time_forfeit_returns(num_players: int, flagged: int) -> tuple[float, ...]:
    """Returns of a game lost on time by ``flagged``: -1 for it, the others share +1."""
    return tuple(-1.0 if p == flagged else 1.0 / (num_players - 1) for p in range(num_players))


class Watcher(Protocol):
    """Who a :class:`GameInProgress` tells of its game: an :class:`~agents.core.Agent` is one."""

    def new_game(self, seed: int) -> None: ...

    def observe(self, state: State, action: int) -> None: ...


class GameInProgress:
    """One game being played: its state, its chance generator and what its record needs.

    :func:`play_game` plays one of these to its end; :func:`agents.arena.concurrent.play_concurrent`
    keeps many in flight. Either way the rules of the record live here: chance outcomes drawn with a
    generator seeded by ``seed``, legality checked, every action written in the game's notation and told
    to the watchers before it is applied, only player actions counted as plies, a time forfeit lost by the
    flagged player.
    """

    def __init__(self, game: Game, seed: int, labels: Sequence[str], start_state: State | None,
                 watchers: Sequence[Watcher]) -> None:
        """Set up the start state (``start_state`` copied, else ``game.new_state``), tell every watcher
        ``new_game(seed)``, then start the clock.

        Args:
            labels: spec of each seat, for the record and for errors.
            watchers: told of the new game and of every action (each once: pass distinct objects).
        """
        self.game = game
        self.seed = seed
        self.labels = tuple(labels)
        self.watchers = tuple(watchers)
        self.rng = np.random.default_rng(seed)
        """Draws the chance outcomes (and ``game.new_state``'s random start)."""
        self.state = start_state.copy() if start_state is not None else game.new_state(self.rng)
        self.start = start_text(self.state) if start_state is not None else None
        self.moves: list[str] = []
        self.actions: list[int] = []
        self.players: list[int] = []
        self.plies = 0
        """Player actions applied (chance outcomes do not count)."""
        self.flagged: int | None = None
        """The player who lost on time, if one did."""
        for watcher in self.watchers:
            watcher.new_game(seed)
        self.began = time.perf_counter()

    def over(self, max_plies: int | None) -> bool:
        """True once the game is terminal, lost on time, or ``max_plies`` player actions were played."""
        return (self.flagged is not None or self.state.is_terminal()
                or (max_plies is not None and self.plies >= max_plies))

    def draw_chance(self) -> int:
        """An outcome of the chance node the game is at, drawn from its probabilities."""
        outcomes, probs = self.state.chance_outcomes()
        return int(outcomes[self.rng.choice(len(outcomes), p=probs)])

    def forfeit(self) -> None:
        """The player to move has run out of time: the game ends, lost by that player."""
        self.flagged = self.state.current_player

    def apply(self, action: int) -> None:
        """Play ``action`` for whoever is to move (a chance outcome at a chance node): check an agent's
        action is legal, write it down, tell the watchers, apply it.

        Raises:
            AgentError: an agent chose an illegal action.
        """
        state = self.state
        player = state.current_player
        if player != CHANCE:
            if not state.is_legal(action):
                raise AgentError(f"agent '{self.labels[player]}' chose the illegal action {action} in "
                                 f"{self.game.spec.name} state {state}")
            self.plies += 1
        self.moves.append(state.action_to_string(action))
        self.actions.append(action)
        self.players.append(player)
        for watcher in self.watchers:
            watcher.observe(state, action)
        state.apply(action)

    def record(self) -> GameRecord:
        """The game's record: returns of the final state (zero if cut off before its end), or a time
        forfeit's."""
        seconds = time.perf_counter() - self.began
        state, spec = self.state, self.game.spec
        cut_off = not state.is_terminal()
        info: tuple[str, ...] = ()
        if not spec.perfect_information and hasattr(state, "information_state_string"):
            info = tuple(str(state.information_state_string(p)) for p in range(spec.num_players))
        returns = tuple(float(r) for r in state.returns())
        termination = termination_of(state, cut_off)
        if self.flagged is not None:
            returns, termination = time_forfeit_returns(spec.num_players, self.flagged), TIME_FORFEIT
        return GameRecord(
            game=spec.name, specs=self.labels, seed=int(self.seed), moves=tuple(self.moves),
            actions=tuple(self.actions), players=tuple(self.players), returns=returns, plies=self.plies,
            seconds=round(seconds, 6), termination=termination, start=self.start, info_states=info)


def play_game(game: Game, agents_by_seat: Sequence[Agent], seed: int, start_state: State | None = None,
              max_plies: int | None = None, specs: Sequence[str] | None = None) -> GameRecord:
    """Play one game to its end (or ``max_plies`` player actions) and return its record.

    Args:
        game: the game.
        agents_by_seat: ``agents_by_seat[p]`` plays player ``p``; one object may fill several seats.
        seed: seeds the chance events (and the random start of games that have one).
        start_state: the position to start from (copied); None for ``game.new_state``.
        max_plies: stop after this many player actions (termination ``"max_plies"``, returns zero).
            A player whose agent raises :class:`TimeForfeit` loses (termination ``"time_forfeit"``).
        specs: spec string of each seat for the record (default: the agents' class names).

    Raises:
        AgentError: an agent failed (dead engine, ...) or chose an illegal action.
    """
    num_players = game.spec.num_players
    if len(agents_by_seat) != num_players:
        raise ValueError(f"{game.spec.name} needs {num_players} agents; got {len(agents_by_seat)}")
    labels = tuple(specs) if specs is not None else tuple(type(a).__name__ for a in agents_by_seat)
    unique = list({id(a): a for a in agents_by_seat}.values())
    live = GameInProgress(game, seed, labels, start_state, unique)
    while not live.over(max_plies):
        player = live.state.current_player
        if player == CHANCE:
            live.apply(live.draw_chance())
            continue
        try:
            action = int(agents_by_seat[player].act(live.state))
        except TimeForfeit:
            live.forfeit()
            break
        live.apply(action)
    return live.record()
