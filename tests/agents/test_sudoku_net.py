"""The raw sudoku network agent (``net:PATH`` for sudoku) and the ``guided`` agent."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from agents.nets.checkpoint import TrainingMetadata, save_checkpoint
from agents.core import AgentSpecError
from agents.guided import GuidedAgent
from agents.nets.core import NetConfig, build_network
from agents.registry import make_agent
from agents.net import SudokuNetAgent
from agents.nets.sudoku_scorer import cell_log_probs, greedy_fill, legal_digits, observations
from games.sudoku import SUDOKU_SPEC, SudokuGame, check_answer, parse_grid
from games.sudoku.grid import read_puzzle_lines
from search.sudoku import solve

ROOT = Path(__file__).resolve().parents[2]
ENV = {**os.environ, "OMP_NUM_THREADS": "1"}
"""Environment of the command lines run by the tests (one torch thread)."""


pytestmark = pytest.mark.usefixtures("one_torch_thread")  # tests/conftest.py
HARD = read_puzzle_lines((ROOT / "games" / "sudoku" / "data" / "hard.txt").read_text().splitlines())


@pytest.fixture(scope="module")
def checkpoints(tmp_path_factory) -> dict[str, Path]:
    """Tiny untrained resnet, recurrent and sudoku-net checkpoints."""
    folder = tmp_path_factory.mktemp("ckpt")
    out = {}
    torch.manual_seed(0)
    for kind in ("resnet", "recurrent", "sudoku"):
        model = build_network(NetConfig(kind=kind, blocks=1, channels=8, iters=2, policy_channels=9), SUDOKU_SPEC)
        out[kind] = save_checkpoint(folder / f"{kind}.pt", model, "sudoku", TrainingMetadata())
    return out


def random_states(count: int, seed: int):
    """States reached by random legal moves from generated puzzles."""
    game = SudokuGame()
    rng = np.random.default_rng(seed)
    states = []
    for i in range(count):
        state = game.state_from_string(HARD[i])
        for _ in range(int(rng.integers(0, 40))):
            if state.is_terminal():
                break
            state.apply(int(rng.choice(state.legal_actions())))
        states.append(state)
    return states


def test_observations_and_legal_digits_match_the_game():
    states = random_states(60, seed=1)
    grids = np.stack([s.grid for s in states])
    givens = np.stack([s.givens for s in states])
    assert np.array_equal(observations(grids, givens), np.stack([s.observation() for s in states]))
    legal = legal_digits(grids).reshape(len(states), -1)
    for s, row in zip(states, legal):
        if not s.is_terminal():
            assert np.array_equal(row, s.legal_action_mask())


def test_cell_log_probs_normalise_over_legal_digits():
    rng = np.random.default_rng(0)
    grids = np.stack([s.grid for s in random_states(20, seed=2)])
    legal = legal_digits(grids)
    logp = cell_log_probs(rng.normal(size=(20, 81, 9)) * 5, legal)
    has = legal.any(axis=2)
    assert np.allclose(np.exp(logp).sum(axis=2)[has], 1.0)
    assert np.all(np.isneginf(logp[~legal]))


def test_greedy_fill_with_a_perfect_scorer_solves_and_with_a_wrong_one_fails():
    puzzles = np.stack([parse_grid(p) for p in HARD[:30]])
    solutions = np.stack([solve(p, level=3, limit=1).solution for p in puzzles])
    onehot = np.eye(9)[solutions - 1] * 10.0

    answers, steps = greedy_fill(lambda g, m: _rows(g, puzzles, onehot), puzzles)
    assert np.array_equal(answers, solutions)
    assert np.array_equal(steps, np.sum(puzzles == 0, axis=1))
    wrong, _ = greedy_fill(lambda g, m: -_rows(g, puzzles, onehot), puzzles)
    assert all(check_answer(p, w) is not None for p, w in zip(puzzles, wrong))


def _rows(grids: np.ndarray, puzzles: np.ndarray, table: np.ndarray) -> np.ndarray:
    """Rows of ``table`` for the puzzles each grid was filled from (matched on the givens)."""
    index = [next(i for i, p in enumerate(puzzles) if np.all((p == 0) | (p == g))) for g in grids]
    return table[index]


def test_net_spec_builds_the_sudoku_agent_and_plays_legal_moves(checkpoints):
    game = SudokuGame()
    for kind, extra in (("resnet", ""), ("recurrent", ",iters=5"), ("sudoku", ",iters=3")):
        agent = make_agent(f"net:{checkpoints[kind]}{extra}", game)
        assert isinstance(agent, SudokuNetAgent)
        state = game.state_from_string(HARD[0])
        action, policy = agent.act_with_policy(state)
        assert state.is_legal(action) and np.isclose(policy.sum(), 1.0)
        result = agent.solve_puzzle(state)
        assert all(a == g for a, g in zip(result.answer, HARD[0]) if g != ".")  # the givens are kept
        moves = state.copy()
        while not moves.is_terminal():
            moves.apply(agent.act(moves))
        assert str(moves) == result.answer  # the batched fill is the move-by-move play
    with pytest.raises(AgentSpecError):
        make_agent(f"net:{checkpoints['resnet']},iters=-1", game)


def test_guided_agent_with_unlimited_budget_solves_with_any_network(checkpoints):
    game = SudokuGame()
    agent = make_agent(f"guided:net={checkpoints['recurrent']},nodes=0,iters=1,level=3", game)
    assert isinstance(agent, GuidedAgent)
    for text in HARD[:5]:
        result = agent.solve_puzzle(game.state_from_string(text))
        assert check_answer(parse_grid(text), parse_grid(result.answer)) is None
    sure = make_agent(f"guided:net={checkpoints['sudoku']},nodes=0,trust=2,iters=3", game)
    result = sure.solve_puzzle(game.state_from_string(HARD[2]))
    assert check_answer(parse_grid(HARD[2]), parse_grid(result.answer)) is None
    capped = make_agent(f"guided:{checkpoints['resnet']},nodes=1,level=0", game)
    result = capped.solve_puzzle(game.state_from_string(HARD[0]))
    assert result.nodes <= 1 and result.answer == HARD[0]  # unsolved within one node: grid unchanged
    state = game.state_from_string(HARD[1])
    while not state.is_terminal():
        state.apply(agent.act(state))
    assert state.is_solved()
    with pytest.raises(AgentSpecError, match="level"):
        make_agent(f"guided:net={checkpoints['resnet']},level=5", game)
    with pytest.raises(AgentSpecError, match="trust"):
        make_agent(f"guided:net={checkpoints['resnet']},trust=-0.5", game)


def test_play_cli_runs_net_and_guided_agents(checkpoints, tmp_path):
    for spec in (f"guided:net={checkpoints['resnet']},nodes=64",):
        proc = subprocess.run([sys.executable, "-m", "agents.play", "sudoku", spec, "--generate", "3", "--json",
                               "--out", str(tmp_path)], cwd=ROOT, env=ENV, capture_output=True, text=True, timeout=120)
        assert proc.returncode == 0, proc.stderr
        summary = json.loads(proc.stdout)
        assert summary["puzzles"] == 3
        records = [json.loads(line) for line in (tmp_path / "puzzles.jsonl").read_text().splitlines()]
        assert [r["solved"] for r in records].count(True) == summary["solved"]
