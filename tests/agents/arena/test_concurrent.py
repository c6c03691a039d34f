"""Games played concurrently (one search for all games in flight) give the records of games played one by one."""
from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

from agents.arena.concurrent import GameJob, Participant, play_concurrent
from agents.arena.match import play_game
from agents.core import AgentError
from agents.registry import make_agent, make_agents
from games.registry import make_game

C4_NET = Path(__file__).resolve().parents[3] / "models" / "connect_four" / "checkpoints" / "010012.pt"


def _jobs(game_name: str, count: int, seed: int = 5) -> list[GameJob]:
    return [GameJob(index=i, seed=int(np.random.SeedSequence([seed, i // 2]).generate_state(1)[0]),
                    seats=(0, 1) if i % 2 == 0 else (1, 0)) for i in range(count)]


def _sequential(game_name: str, specs: list[str], jobs: list[GameJob], max_plies: int | None = None) -> list:
    game = make_game(game_name)
    agents = [make_agent(spec, game, seed=10 + i) for i, spec in enumerate(specs)]
    try:
        return [play_game(game, [agents[s] for s in job.seats], job.seed, max_plies=max_plies,
                          specs=[specs[s] for s in job.seats]) for job in jobs]
    finally:
        for agent in agents:
            agent.close()


def _concurrent(game_name: str, specs: list[str], jobs: list[GameJob], slots: int,
                max_plies: int | None = None) -> list:
    game = make_game(game_name)
    parts = [Participant(make_agents(spec, game, seed=10 + i, slots=slots), spec) for i, spec in enumerate(specs)]
    try:
        return list(play_concurrent(game, parts, jobs, max_plies=max_plies))
    finally:
        for p in parts:
            p.close()


def _same(a: list, b: list) -> None:
    assert len(a) == len(b)
    for x, y in zip(a, b):
        assert dataclasses.replace(x, seconds=0.0) == dataclasses.replace(y, seconds=0.0)


@pytest.mark.parametrize("slots", [1, 3, 8])
def test_connect_four_records_equal_one_by_one(slots: int) -> None:
    specs = ["mcts:sims=40,eval=rollout", "random"]
    jobs = _jobs("connect_four", 8)
    _same(_concurrent("connect_four", specs, jobs, slots), _sequential("connect_four", specs, jobs))


def test_chess_records_equal_one_by_one_and_games_cut_off() -> None:
    specs = ["mcts:sims=60,eval=material", "mcts:sims=30,eval=rollout"]
    jobs = _jobs("chess", 4)
    _same(_concurrent("chess", specs, jobs, 4, max_plies=30), _sequential("chess", specs, jobs, max_plies=30))


def test_poker_chance_nodes() -> None:
    specs = ["cfr:iters=20", "random"]
    jobs = _jobs("leduc_poker", 10)
    _same(_concurrent("leduc_poker", specs, jobs, 4), _sequential("leduc_poker", specs, jobs))


def test_network_games_share_one_evaluator_call_per_step() -> None:
    specs = [f"mcts:net={C4_NET},sims=16,backend=torch", "mcts:sims=16,eval=uniform"]
    jobs = _jobs("connect_four", 6)
    game = make_game("connect_four")
    parts = [Participant(make_agents(spec, game, seed=10 + i, slots=6), spec) for i, spec in enumerate(specs)]
    records = list(play_concurrent(game, parts, jobs))
    calls = parts[0].multi.search.evaluator_calls  # type: ignore[union-attr]
    net_moves = sum(sum(1 for p in r.players if r.specs[p] == specs[0]) for r in records)
    assert calls < net_moves * 16 // 2  # far fewer calls than one per simulation of every move
    assert [r.seed for r in records] == [j.seed for j in jobs]
    for p in parts:
        p.close()


def test_an_illegal_action_stops_the_match() -> None:
    game = make_game("connect_four")

    class Bad(Participant):
        def act(self, slots: list[int], states: list) -> list[int]:
            return [99 for _ in slots]

    parts = [Bad(make_agents("random", game, seed=0, slots=2), "bad"),
             Participant(make_agents("random", game, seed=1, slots=2), "random")]
    with pytest.raises(AgentError, match="illegal action 99"):
        list(play_concurrent(game, parts, _jobs("connect_four", 2)))
