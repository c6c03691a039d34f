"""Play one game between agents and return its :class:`~agents.arena.records.GameRecord`.

The loop: every agent is told of the new game (``new_game(seed)``) at the start; at a chance node an outcome is drawn from the game's
probabilities with a generator seeded by ``seed``; at a decision node the agent of the player to move
picks an action; before each action is applied, it is written in the game's notation
(``action_to_string``) and every agent is told of it with ``observe(state, action)``. An agent that plays
on a clock and runs out of time raises :class:`~agents.arena.clock.TimeForfeit` from ``act``: the game
ends there, lost by that player (termination ``time_forfeit``, :func:`time_forfeit_returns`).
"""
from __future__ import annotations

import time
from typing import Sequence

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
    rng = np.random.default_rng(seed)
    state = start_state.copy() if start_state is not None else game.new_state(rng)
    start = start_text(state) if start_state is not None else None
    unique = list({id(a): a for a in agents_by_seat}.values())
    for agent in unique:
        agent.new_game(seed)
    moves: list[str] = []
    actions: list[int] = []
    players: list[int] = []
    plies = 0
    flagged: int | None = None
    began = time.perf_counter()
    while not state.is_terminal() and (max_plies is None or plies < max_plies):
        player = state.current_player
        if player == CHANCE:
            outcomes, probs = state.chance_outcomes()
            action = int(outcomes[rng.choice(len(outcomes), p=probs)])
        else:
            try:
                action = int(agents_by_seat[player].act(state))
            except TimeForfeit:
                flagged = player
                break
            if not state.is_legal(action):
                raise AgentError(f"agent '{labels[player]}' chose the illegal action {action} in {game.spec.name} "
                                 f"state {state}")
            plies += 1
        moves.append(state.action_to_string(action))
        actions.append(action)
        players.append(player)
        for agent in unique:
            agent.observe(state, action)
        state.apply(action)
    seconds = time.perf_counter() - began
    cut_off = not state.is_terminal()
    info: tuple[str, ...] = ()
    if not game.spec.perfect_information and hasattr(state, "information_state_string"):
        info = tuple(str(state.information_state_string(p)) for p in range(num_players))
    returns = tuple(float(r) for r in state.returns())
    termination = termination_of(state, cut_off)
    if flagged is not None:
        returns, termination = time_forfeit_returns(num_players, flagged), TIME_FORFEIT
    return GameRecord(
        game=game.spec.name, specs=labels, seed=int(seed), moves=tuple(moves), actions=tuple(actions),
        players=tuple(players), returns=returns, plies=plies,
        seconds=round(seconds, 6), termination=termination, start=start, info_states=info)
