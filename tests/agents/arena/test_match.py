"""play_game: the record replays, chance is seeded, agents are reset and told of every action."""
from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from agents.core import Agent, AgentError
from agents.arena.clock import TimeForfeit
from agents.arena.match import play_game, time_forfeit_returns
from agents.arena.records import chess_result
from agents.random import RandomAgent
from games.core import CHANCE, State
from games.registry import make_game


class Spy(RandomAgent):
    """A random agent that logs the calls the match makes."""

    def __init__(self, seed: int) -> None:
        super().__init__(seed)
        self.calls: list[tuple[str, int, int]] = []

    def reset(self) -> None:
        self.calls.append(("reset", -1, -1))

    def observe(self, state: State, action: int) -> None:
        self.calls.append(("observe", len(state.history), int(action)))

    def act(self, state: State) -> int:
        action = super().act(state)
        self.calls.append(("act", len(state.history), action))
        return action


class Cheat(Agent):
    def act(self, state: State) -> int:
        return 10_000


def _replay(game_name: str, record) -> State:  # type: ignore[no-untyped-def]
    game = make_game(game_name)
    state = game.state_from_string(record.start) if record.start else game.new_state()
    for action, text, player in zip(record.actions, record.moves, record.players):
        assert state.current_player == player
        assert state.action_to_string(action) == text
        state.apply(action)
    return state


@pytest.mark.parametrize("name", ["connect_four", "openspiel:kuhn_poker", "leduc_poker", "chess"])
def test_record_replays_to_the_recorded_end(name: str) -> None:
    game = make_game(name)
    for seed in range(5):
        record = play_game(game, [RandomAgent(seed), RandomAgent(seed + 100)], seed=seed, specs=["a", "b"])
        end = _replay(name, record)
        assert end.is_terminal() and record.finished
        assert np.allclose(end.returns(), record.returns)
        assert record.plies == sum(1 for p in record.players if p != CHANCE)
        assert record.specs == ("a", "b") and record.seed == seed and record.game == name
        assert record.termination != "max_plies"


def test_same_seed_same_game_and_chance_follows_the_seed() -> None:
    game = make_game("leduc_poker")
    def run(seed: int, agent_seed: int):  # type: ignore[no-untyped-def]
        return play_game(game, [RandomAgent(agent_seed), RandomAgent(agent_seed + 1)], seed=seed)
    a, b = run(3, 0), run(3, 0)
    assert replace(a, seconds=0) == replace(b, seconds=0)
    deals = {tuple(x for x, p in zip(run(s, 0).actions, run(s, 0).players) if p == CHANCE)[:2] for s in range(20)}
    assert len(deals) > 3  # different seeds, different deals
    first_deal = [tuple(x for x, p in zip(r.actions, r.players) if p == CHANCE)[:2] for r in (run(7, 0), run(7, 9))]
    assert first_deal[0] == first_deal[1]  # the deal depends on the game seed, not on the agents


def test_agents_reset_once_and_observe_every_action_before_it_is_applied() -> None:
    game = make_game("kuhn_poker")
    spies = [Spy(0), Spy(1)]
    record = play_game(game, spies, seed=2)
    for spy in spies:
        assert spy.calls[0] == ("reset", -1, -1)
        assert sum(1 for c in spy.calls if c[0] == "reset") == 1
        observed = [(n, a) for kind, n, a in spy.calls if kind == "observe"]
        assert observed == [(i, a) for i, a in enumerate(record.actions)]
    acted = sorted((n, a) for spy in spies for kind, n, a in spy.calls if kind == "act")
    assert acted == [(i, a) for i, (a, p) in enumerate(zip(record.actions, record.players)) if p != CHANCE]


def test_one_agent_in_both_seats_is_told_once() -> None:
    spy = Spy(0)
    record = play_game(make_game("connect_four"), [spy, spy], seed=0)
    assert sum(1 for c in spy.calls if c[0] == "observe") == len(record.actions)


def test_max_plies_and_start_state() -> None:
    game = make_game("chess")
    fen = "r1bqkbnr/pppp1ppp/2n5/4p3/4P3/5N2/PPPP1PPP/RNBQKB1R w KQkq - 2 3"
    record = play_game(game, [RandomAgent(0), RandomAgent(1)], seed=0, start_state=game.state_from_string(fen),
                       max_plies=6)
    assert record.termination == "max_plies" and not record.finished
    assert record.plies == 6 and record.returns == (0.0, 0.0) and record.start == fen


def test_illegal_action_and_wrong_seat_count() -> None:
    game = make_game("connect_four")
    with pytest.raises(AgentError, match="illegal action 10000"):
        play_game(game, [Cheat(), RandomAgent(0)], seed=0, specs=["cheat", "random"])
    with pytest.raises(ValueError, match="needs 2 agents"):
        play_game(game, [RandomAgent(0)], seed=0)


class _Flags(RandomAgent):
    """Runs out of time on its third move."""

    def __init__(self, seed: int) -> None:
        super().__init__(seed)
        self.moves = 0

    def reset(self) -> None:
        self.moves = 0

    def act(self, state: State) -> int:
        self.moves += 1
        if self.moves == 3:
            raise TimeForfeit("out of time")
        return super().act(state)


@pytest.mark.parametrize("seat", [0, 1])
def test_loss_on_time(seat: int) -> None:
    game = make_game("chess")
    seats = [RandomAgent(5), RandomAgent(6)]
    seats[seat] = _Flags(7)
    record = play_game(game, seats, seed=3, specs=["a", "b"])
    assert record.termination == "time_forfeit" and record.finished
    assert record.returns == ((-1.0, 1.0) if seat == 0 else (1.0, -1.0))
    assert record.plies == 4 + seat and len(record.moves) == record.plies
    assert chess_result(record) == ("0-1" if seat == 0 else "1-0")
    assert time_forfeit_returns(3, 1) == (0.5, -1.0, 0.5)
